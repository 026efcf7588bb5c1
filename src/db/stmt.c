/* stmt: the statement table, assembled from the stmt_*.def rows. */
#include "db/db_backend.h"

#include <stdio.h>

/*
 * Indexed by enum stmt, so a look-up is one array access; ROW lines expand to nothing here
 * because db/stmt.h already declared their column enums from the same rows.
 */
static const struct {
	const char *name;
	const char *sqlite;
	const char *pg;
	int ncols; /* columns of its rows: 0 for a statement that returns none */
} stmt_table[] = {
#define ROW(fam)
#define STMT(id, sql)                 [STMT_##id] = {#id, sql, sql, 0},
#define STMT2(id, lite, pg)           [STMT_##id] = {#id, lite, pg, 0},
#define STMT_ROWS(id, fam, sql)       [STMT_##id] = {#id, sql, sql, fam##__NCOLS},
#define STMT2_ROWS(id, fam, lite, pg) [STMT_##id] = {#id, lite, pg, fam##__NCOLS},
#include "db/stmt_modules.def"
#undef ROW
#undef STMT
#undef STMT2
#undef STMT_ROWS
#undef STMT2_ROWS
};
/* the enum (db/stmt.h) and this table expand the same rows: fail the build if they drift */
_Static_assert(sizeof stmt_table / sizeof stmt_table[0] == STMT__MAX, "every statement has SQL");

const char *stmt_sql(enum stmt id, enum db_kind kind)
{
	return kind == DB_POSTGRES ? stmt_table[id].pg : stmt_table[id].sqlite;
}

const char *stmt_name(enum stmt id)
{
	return stmt_table[id].name;
}

int stmt_ncols(enum stmt id)
{
	return stmt_table[id].ncols;
}

/*
 * Shared by both stores, so a mismatch reads the same on SQLite and PostgreSQL; ERR_INTERNAL
 * because a statement and its declared row disagree in the source, not in the input.
 */
enum err stmt_cols_check(enum stmt id, int have, int want, char *msg, size_t cap)
{
	if (have == want)
		return ERR_OK;
	snprintf(msg, cap, "%s: the statement returns %d columns, its row declares %d",
	         stmt_name(id), have, want);
	return ERR_INTERNAL;
}
