/*
 * db: the one interface to the store. A `struct db` is an open database
 * (one SQLite file, or a PostgreSQL server reached through a small pool);
 * a `struct db_conn` is one connection, borrowed by one thread at a time
 * with db_acquire and given back with db_release.
 *
 * SQL lives only in src/db: statements are rows of the stmt_*.def tables,
 * prepared once per connection and named by `enum stmt`. Callers pass
 * arguments as `struct db_val` and read rows through `struct db_rows`.
 * Text returned by db_col_text stays valid until the next db_next or
 * db_done on the same rows. Ownership: db_open's caller owns the db and
 * frees it with db_close after every connection has been released.
 */
#ifndef TB_DB_DB_H
#define TB_DB_DB_H

#include "db/stmt.h"
#include "lib/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_conn;
struct db_rows;

enum db_kind { DB_SQLITE, DB_POSTGRES };

enum db_type { DBV_NULL, DBV_INT, DBV_TEXT, DBV_REAL };

/* One statement argument. Text is borrowed for the duration of the call. */
struct db_val {
	enum db_type type;
	int64_t i;
	double r;
	const char *s;
};

#define DB_INT(x)  ((struct db_val){.type = DBV_INT, .i = (x)})
#define DB_REAL(x) ((struct db_val){.type = DBV_REAL, .r = (x)})
#define DB_NULL    ((struct db_val){.type = DBV_NULL})
/* Text, or NULL when s is NULL. */
#define DB_TEXT(x) db_text_val(x)
#define DB_ARGS(...)                                                                               \
	((const struct db_val[]){__VA_ARGS__}),                                                    \
	        (sizeof((const struct db_val[]){__VA_ARGS__}) / sizeof(struct db_val))
#define DB_NOARGS NULL, 0

static inline struct db_val db_text_val(const char *s)
{
	struct db_val v = {.type = s ? DBV_TEXT : DBV_NULL, .s = s};
	return v;
}

/*
 * Open the database named by `url` (a path, sqlite:PATH, postgres://...,
 * postgresql://...), creating and migrating it when new. `pool` is the most
 * connections handed out at once (the server passes its worker count + 1).
 */
enum err db_open(const char *url, int pool, struct db **out, struct err_detail *d);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);

/* Apply pending migrations; *applied gets how many ran. db_open does this too. */
enum err db_migrate(struct db *db, int *applied, struct err_detail *d);
/*
 * The same over a given list of files (sorted by path; entries outside
 * sql/migrations/ are ignored): each version not yet recorded in
 * schema_migrations is applied and recorded, whatever newer ones exist.
 */
struct embed_file;
enum err db_migrate_files(struct db *db, const struct embed_file *files, size_t nfiles,
                          int *applied, struct err_detail *d);
/* Version of the newest applied migration (0 for none). */
enum err db_schema_version(struct db *db, int *version);

/* Borrow a connection (blocks while all are in use); give it back. */
enum err db_acquire(struct db *db, struct db_conn **out);
void db_release(struct db_conn *c);
/* Connections created and idle in the pool, for metrics. */
void db_pool_stats(struct db *db, int *open, int *idle);

/* Cheap liveness check used by /readyz. */
enum err db_ping(struct db_conn *c);
/*
 * The last storage failure (disk full, I/O error) of this process on `db`
 * if it happened less than `within_s` seconds ago and no write has committed
 * since: true, with its age in seconds and its message. Never touches the
 * store, so readiness can ask it without a write probe.
 */
bool db_storage_failure(struct db *db, int64_t within_s, int64_t *age_s, char *msg, size_t n);

/*
 * How SQLite syncs commits to disk, for connections opened after the call
 * (PostgreSQL: ignored; its own synchronous_commit applies). Normal (the
 * default): WAL with synchronous=NORMAL, no loss on a process crash, the last
 * commits may be lost on power failure or an OS crash. Full: synchronous=FULL,
 * each commit is on disk before it is acknowledged.
 */
enum db_sync { DB_SYNC_NORMAL, DB_SYNC_FULL };
void db_set_sync(enum db_sync mode);

/*
 * Transactions. db_begin_write takes the write lock at once (SQLite BEGIN
 * IMMEDIATE), so a read-then-write transaction cannot fail half-way on lock
 * upgrade. Nested calls are a bug and abort.
 */
enum err db_begin(struct db_conn *c);
enum err db_begin_write(struct db_conn *c);
enum err db_commit(struct db_conn *c);
void db_rollback(struct db_conn *c);

/*
 * Run statement `id` with `args`. Rows come back through *out, which the
 * caller must end with db_done (even after an error from db_next). Only one
 * db_rows may be open per connection at a time.
 */
enum err db_query(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs,
                  struct db_rows **out);
/* Advance to the next row; false at the end or on error (see db_done). */
bool db_next(struct db_rows *r);
/* Finish a result; returns the first error met while stepping, if any. */
enum err db_done(struct db_rows *r);

bool db_col_null(struct db_rows *r, int col);
int64_t db_col_i64(struct db_rows *r, int col);
double db_col_f64(struct db_rows *r, int col);
/* NULL for SQL NULL. */
const char *db_col_text(struct db_rows *r, int col);

/* Run a statement that returns no rows; *changes (may be NULL) gets the rows affected. */
enum err db_exec(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs,
                 int64_t *changes);

/*
 * A write whose outcome the caller can learn later: bulk loads. PostgreSQL
 * sends it in pipeline mode without waiting for the server, so a load pays a
 * round trip per few hundred rows instead of per row; SQLite runs it now.
 * db_flush waits for every deferred write on the connection and returns the
 * first failure (a failed one aborts the rest and the transaction). Any
 * other call on the connection flushes first, so reads see the writes.
 */
enum err db_exec_deferred(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs);
enum err db_flush(struct db_conn *c);

/* The error detail of the last failed call on this connection (for logs). */
const char *db_last_error(struct db_conn *c);

/* Run free SQL text (migrations, CLI maintenance); never with input from users. */
enum err db_exec_script(struct db_conn *c, const char *sql);

/*
 * Bulk loading. db_indexes_drop removes the secondary indexes of `table`
 * (not its primary key) and returns their definitions in *saved (caller
 * frees); db_indexes_create rebuilds them from that text. Both run inside the
 * caller's write transaction, so a failed load restores the indexes.
 */
enum err db_indexes_drop(struct db_conn *c, const char *table, char **saved);
enum err db_indexes_create(struct db_conn *c, const char *saved);
/*
 * Bulk-load settings for this connection (larger caches; on SQLite no
 * foreign-key checks: the caller checks references itself). Call outside a
 * transaction: before beginning it and after it ended.
 */
void db_bulk_tune(struct db_conn *c, bool on);
/*
 * Whether a failed statement leaves its transaction usable (SQLite: only the
 * statement is undone) or aborts it (PostgreSQL): in the latter case a
 * per-row savepoint is needed to skip a bad row.
 */
bool db_statement_undo(struct db_conn *c);

/* Online backup of a SQLite database to `path`; ERR_USAGE on PostgreSQL. */
enum err db_backup(struct db *db, const char *path, struct err_detail *d);

#endif
