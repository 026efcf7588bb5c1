/* stmt: the statement table, assembled from the stmt_*.def rows. */
#include "db/db_backend.h"

static const struct {
	const char *name;
	const char *sqlite;
	const char *pg;
} stmt_table[] = {
#define STMT(id, sql)       [STMT_##id] = {#id, sql, sql},
#define STMT2(id, lite, pg) [STMT_##id] = {#id, lite, pg},
#include "db/stmt_modules.def"
#undef STMT
#undef STMT2
};
_Static_assert(sizeof stmt_table / sizeof stmt_table[0] == STMT__MAX, "every statement has SQL");

const char *stmt_sql(enum stmt id, enum db_kind kind)
{
	return kind == DB_POSTGRES ? stmt_table[id].pg : stmt_table[id].sqlite;
}

const char *stmt_name(enum stmt id)
{
	return stmt_table[id].name;
}
