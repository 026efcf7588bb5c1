/*
 * db_backend: what each store (db_sqlite.c, db_pg.c) provides to db.c.
 * Private to src/db. A backend owns its connections; db.c owns the pool,
 * the migration runner and the dispatch of the public db.h calls.
 */
#ifndef TB_DB_DB_BACKEND_H
#define TB_DB_DB_BACKEND_H

#include "db/db.h"

struct db_backend {
	enum db_kind kind;
	/* Open one connection to `target` (file path or conninfo) and prepare every statement. */
	enum err (*connect)(const char *target, struct db_conn **out, struct err_detail *d);
	void (*disconnect)(struct db_conn *c);
	enum err (*exec_script)(struct db_conn *c, const char *sql);
	enum err (*query)(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs,
	                  struct db_rows **out);
	/* Run a write whose result can wait until `flush` (NULL: the backend runs it now). */
	enum err (*exec_deferred)(struct db_conn *c, enum stmt id, const struct db_val *args,
	                          size_t nargs);
	enum err (*flush)(struct db_conn *c);
	bool (*next)(struct db_rows *r);
	enum err (*done)(struct db_rows *r, int64_t *changes);
	bool (*col_null)(struct db_rows *r, int col);
	int64_t (*col_i64)(struct db_rows *r, int col);
	double (*col_f64)(struct db_rows *r, int col);
	const char *(*col_text)(struct db_rows *r, int col);
	const char *(*last_error)(struct db_conn *c);
	/* Serialise schema changes between processes (PostgreSQL advisory lock). */
	enum err (*lock_migrations)(struct db_conn *c, bool lock);
	/* Prepare every statement now (db_open calls it after migrating, to fail fast). */
	enum err (*prepare_all)(struct db_conn *c, struct err_detail *d);
	/*
	 * Prepare statement id (if it is not yet) and compare its column count with
	 * `want`: ERR_INTERNAL naming the statement when they differ. Preparing
	 * runs this with the count its row family declares (stmt_ncols).
	 */
	enum err (*cols_check)(struct db_conn *c, enum stmt id, int want);
	/* Online copy of the whole database to a new file (SQLite only). */
	enum err (*backup)(struct db_conn *c, const char *path, struct err_detail *d);
};

/* Every backend's rows struct starts with this header. */
struct db_rows_base {
	struct db_conn *conn;
};

/* Every backend's connection struct starts with this header. */
struct db_conn_base {
	const struct db_backend *be;
	struct db *db;
	int in_tx;
};

/*
 * A backend met a storage failure (ERR_STORAGE_FULL or ERR_STORAGE_IO) on a
 * connection of `db`: remember it for readiness (db_storage_failure).
 */
void db_note_storage_failure(struct db *db, enum err e, const char *msg);

extern const struct db_backend db_backend_sqlite;
extern const struct db_backend db_backend_pg;

/* Statement text for a dialect (stmt.c). */
const char *stmt_sql(enum stmt id, enum db_kind kind);
const char *stmt_name(enum stmt id);
/* The columns statement id's rows declare (0 for one declared with STMT / STMT2). */
int stmt_ncols(enum stmt id);
/* ERR_INTERNAL with a message naming the statement in msg when have != want. */
enum err stmt_cols_check(enum stmt id, int have, int want, char *msg, size_t cap);
/* The backend's cols_check on c (tests use it with a wrong count). */
enum err db_cols_check(struct db_conn *c, enum stmt id, int want);

/*
 * Migration text with dialect markers resolved: `-- @sqlite` / `-- @postgres`
 * ... `-- @end` blocks kept only for their dialect, and the token @ID@
 * (auto-increment primary key) replaced. Caller frees.
 */
char *db_migration_text(const char *src, enum db_kind kind);

#endif
