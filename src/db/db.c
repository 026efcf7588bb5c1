/*
 * db: dispatch of the public db.h calls to a backend, the connection pool
 * and the migration runner. Migrations are the embedded sql/migrations/NNNN_*.sql
 * files, applied in order, each in its own transaction.
 */
#include "db/db_backend.h"

#include "lib/buf.h"
#include "lib/date.h"
#include "lib/embed.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db {
	const struct db_backend *be;
	char *target; /* file path or libpq conninfo */
	uint64_t id;  /* unique per open, so a thread's cached connection names its db */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db_conn **idle;
	int nidle;
	struct db_conn **all; /* every connection, idle, borrowed or kept by a thread */
	int open;             /* connections created */
	int kept;             /* of those, kept by a thread */
	int limit;            /* most connections at once */
	/* the last storage failure, for readiness (db_storage_failure) */
	pthread_mutex_t fail_mu;
	_Atomic int64_t fail_at; /* unix seconds; 0: none since the last commit */
	enum err fail_kind;
	char fail_msg[256];
};

/*
 * A thread that borrows a connection keeps it for its next request (one
 * connection per worker, as SQLite wants): borrowing it again takes no lock,
 * so workers never contend for the pool. At most limit - 1 are kept, so
 * other threads always find one in the pool.
 */
static _Thread_local struct {
	uint64_t db_id;
	struct db_conn *conn;
	bool busy;
} kept;
static _Atomic uint64_t db_ids;

#define BASE(c) ((struct db_conn_base *)(void *)(c))

/* Split a --db URL into backend and target. */
static enum err db_parse_url(const char *url, const struct db_backend **be, const char **target,
                             struct err_detail *d)
{
	if (!url || !*url)
		return err_set(d, ERR_USAGE, "db", "database URL is empty");
	if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
		*be = &db_backend_pg;
		*target = url;
		return ERR_OK;
	}
	*be = &db_backend_sqlite;
	*target = !strncmp(url, "sqlite:", 7) ? url + 7 : url;
	if (!**target)
		return err_set(d, ERR_USAGE, "db", "sqlite: URL has no path");
	return ERR_OK;
}

/*
 * The backend fills only its own fields; the shared header is set here so every backend's
 * connection can find its pool and its dialect.
 */
static enum err db_new_conn(struct db *db, struct db_conn **out, struct err_detail *d)
{
	enum err e = db->be->connect(db->target, out, d);
	if (e)
		return e;
	BASE(*out)->be = db->be;
	BASE(*out)->db = db;
	BASE(*out)->in_tx = 0;
	return ERR_OK;
}

static enum err db_acquire_d(struct db *db, struct db_conn **out, struct err_detail *d);

/* Prepare every statement once, so a broken one fails at open, not at first use. */
static enum err db_check_statements(struct db *db, struct err_detail *d)
{
	struct db_conn *c;
	enum err e = db_acquire_d(db, &c, d);
	if (e)
		return e;
	e = db->be->prepare_all(c, d);
	db_release(c);
	return e;
}

/*
 * PostgreSQL gets at most LIMIT_DB_POOL connections per process: every server and CLI
 * process shares its max_connections, where a SQLite connection costs only memory.
 * Migrations run before the statements are prepared, because the statements name the
 * tables the migrations create.
 */
enum err db_open(const char *url, int pool, struct db **out, struct err_detail *d)
{
	const struct db_backend *be = NULL;
	const char *target = NULL;
	enum err e = db_parse_url(url, &be, &target, d);
	if (e)
		return e;
	struct db *db = xcalloc(1, sizeof *db);
	db->be = be;
	db->target = xstrdup(target);
	db->limit = pool < 1 ? 1 : pool > LIMIT_DB_POOL * 8 ? LIMIT_DB_POOL * 8 : pool;
	if (be->kind == DB_POSTGRES && db->limit > LIMIT_DB_POOL)
		db->limit = LIMIT_DB_POOL;
	db->idle = xcalloc((size_t)db->limit, sizeof *db->idle);
	db->all = xcalloc((size_t)db->limit, sizeof *db->all);
	db->id = ++db_ids;
	pthread_mutex_init(&db->mu, NULL);
	pthread_mutex_init(&db->fail_mu, NULL);
	pthread_cond_init(&db->cv, NULL);
	int applied;
	e = db_migrate(db, &applied, d);
	if (!e)
		e = db_check_statements(db, d);
	if (e) {
		db_close(db);
		return e;
	}
	*out = db;
	return ERR_OK;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	/* every connection, including those threads kept: they all end with the db */
	for (int i = 0; i < db->limit; i++)
		if (db->all[i])
			db->be->disconnect(db->all[i]);
	if (kept.db_id == db->id)
		kept.conn = NULL;
	pthread_mutex_destroy(&db->mu);
	pthread_mutex_destroy(&db->fail_mu);
	pthread_cond_destroy(&db->cv);
	free(db->idle);
	free(db->all);
	free(db->target);
	free(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db->be->kind;
}

/*
 * db_acquire, with the reason a new connection failed in *d (which may be NULL).
 * The pool's lock is not held while a connection is opened (a PostgreSQL round trip, or SQLite
 * preparing every statement): the slot is reserved by counting it open first, and handed back with
 * a waiter woken when the connect fails.
 */
static enum err db_acquire_d(struct db *db, struct db_conn **out, struct err_detail *d)
{
	if (kept.db_id == db->id && kept.conn && !kept.busy) {
		kept.busy = true;
		*out = kept.conn;
		return ERR_OK;
	}
	pthread_mutex_lock(&db->mu);
	while (db->nidle == 0 && db->open >= db->limit)
		pthread_cond_wait(&db->cv, &db->mu);
	if (db->nidle > 0) {
		*out = db->idle[--db->nidle];
		pthread_mutex_unlock(&db->mu);
		return ERR_OK;
	}
	db->open++;
	pthread_mutex_unlock(&db->mu);
	struct err_detail local = {0};
	enum err e = db_new_conn(db, out, d ? d : &local);
	pthread_mutex_lock(&db->mu);
	if (e) {
		db->open--;
		pthread_cond_signal(&db->cv);
	} else {
		for (int i = 0; i < db->limit; i++)
			if (!db->all[i]) {
				db->all[i] = *out;
				break;
			}
		/*
		 * a thread keeps the first connection it creates, as long as one slot stays for the
		 * others
		 */
		if (kept.db_id != db->id && db->kept + 1 < db->limit) {
			db->kept++;
			kept.db_id = db->id;
			kept.conn = *out;
			kept.busy = true;
		}
	}
	pthread_mutex_unlock(&db->mu);
	return e;
}

enum err db_acquire(struct db *db, struct db_conn **out)
{
	return db_acquire_d(db, out, NULL);
}

/*
 * A kept connection never goes back to the pool: it stays this thread's, only marked free for its
 * next request.
 */
void db_release(struct db_conn *c)
{
	struct db *db = BASE(c)->db;
	if (BASE(c)->in_tx)
		db_rollback(c); /* a caller forgot: never hand on an open transaction */
	if (kept.db_id == db->id && kept.conn == c) {
		kept.busy = false;
		return;
	}
	pthread_mutex_lock(&db->mu);
	db->idle[db->nidle++] = c;
	pthread_cond_signal(&db->cv);
	pthread_mutex_unlock(&db->mu);
}

void db_pool_stats(struct db *db, int *open, int *idle)
{
	pthread_mutex_lock(&db->mu);
	*open = db->open;
	*idle = db->nidle + db->kept; /* kept connections are idle between requests */
	pthread_mutex_unlock(&db->mu);
}

/*
 * Kept per db, not per connection: readiness asks whether any write of this process failed
 * lately, whichever connection met it.
 */
void db_note_storage_failure(struct db *db, enum err e, const char *msg)
{
	if (!db)
		return;
	pthread_mutex_lock(&db->fail_mu);
	db->fail_kind = e;
	snprintf(db->fail_msg, sizeof db->fail_msg, "%s: %s",
	         e == ERR_STORAGE_FULL ? "storage full" : "storage I/O error", msg ? msg : "");
	db->fail_at = (int64_t)time(NULL);
	pthread_mutex_unlock(&db->fail_mu);
}

bool db_storage_failure(struct db *db, int64_t within_s, int64_t *age_s, char *msg, size_t n)
{
	if (!db->fail_at) /* the common case takes no lock */
		return false;
	bool failed = false;
	pthread_mutex_lock(&db->fail_mu);
	int64_t age = (int64_t)time(NULL) - db->fail_at;
	if (db->fail_at && age < within_s) {
		failed = true;
		*age_s = age < 0 ? 0 : age;
		snprintf(msg, n, "%s", db->fail_msg);
	}
	pthread_mutex_unlock(&db->fail_mu);
	return failed;
}

enum err db_cols_check(struct db_conn *c, enum stmt id, int want)
{
	return BASE(c)->be->cols_check(c, id, want);
}

/* A real statement, not a connection check: the store must answer a query. */
enum err db_ping(struct db_conn *c)
{
	struct db_rows *r;
	enum err e = db_query(c, STMT_PING, DB_NOARGS, &r);
	if (e)
		return e;
	while (db_next(r))
		;
	return db_done(r);
}

/*
 * in_tx lives on the connection so db_release can roll back a transaction its borrower left open; a
 * mismatch is a bug in the caller, hence abort rather than an error.
 */
static enum err db_tx_script(struct db_conn *c, const char *sql, int want)
{
	if ((BASE(c)->in_tx != 0) != (want == 0))
		abort(); /* nested begin or commit without begin: a programming error */
	enum err e = BASE(c)->be->exec_script(c, sql);
	if (!e)
		BASE(c)->in_tx = want;
	return e;
}

enum err db_begin(struct db_conn *c)
{
	return db_tx_script(c, "BEGIN", 1);
}

/*
 * PostgreSQL's BEGIN needs no variant: its row locks are taken by the statements (the audit head's
 * FOR UPDATE serialises writers, docs/ARCHITECTURE.md).
 */
enum err db_begin_write(struct db_conn *c)
{
	return db_tx_script(c, BASE(c)->be->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", 1);
}

/*
 * A committed write proves the store writes again, so readiness stops reporting the last storage
 * failure.
 */
enum err db_commit(struct db_conn *c)
{
	enum err e = db_tx_script(c, "COMMIT", 0);
	if (e)
		db_rollback(c); /* the backend keeps the commit's error message */
	else if (BASE(c)->db->fail_at)
		BASE(c)->db->fail_at = 0; /* the store writes again: ready */
	return e;
}

void db_rollback(struct db_conn *c)
{
	if (!BASE(c)->in_tx)
		return;
	BASE(c)->be->exec_script(c, "ROLLBACK");
	BASE(c)->in_tx = 0;
}

enum err db_query(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs,
                  struct db_rows **out)
{
	return BASE(c)->be->query(c, id, args, nargs, out);
}

#define RBE(r) (BASE(((struct db_rows_base *)(void *)(r))->conn)->be)

bool db_next(struct db_rows *r)
{
	return RBE(r)->next(r);
}

enum err db_done(struct db_rows *r)
{
	return RBE(r)->done(r, NULL);
}

bool db_col_null(struct db_rows *r, int col)
{
	return RBE(r)->col_null(r, col);
}

int64_t db_col_i64(struct db_rows *r, int col)
{
	return RBE(r)->col_i64(r, col);
}

double db_col_f64(struct db_rows *r, int col)
{
	return RBE(r)->col_f64(r, col);
}

const char *db_col_text(struct db_rows *r, int col)
{
	return RBE(r)->col_text(r, col);
}

/*
 * A write is a query whose rows are drained: the statement runs to its end before the changed-row
 * count is read.
 */
enum err db_exec(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs,
                 int64_t *changes)
{
	struct db_rows *r;
	enum err e = db_query(c, id, args, nargs, &r);
	if (e)
		return e;
	while (db_next(r))
		;
	return RBE(r)->done(r, changes);
}

enum err db_exec_deferred(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs)
{
	const struct db_backend *be = BASE(c)->be;
	return be->exec_deferred ? be->exec_deferred(c, id, args, nargs)
	                         : db_exec(c, id, args, nargs, NULL);
}

enum err db_flush(struct db_conn *c)
{
	const struct db_backend *be = BASE(c)->be;
	return be->flush ? be->flush(c) : ERR_OK;
}

const char *db_last_error(struct db_conn *c)
{
	return BASE(c)->be->last_error(c);
}

enum err db_exec_script(struct db_conn *c, const char *sql)
{
	return BASE(c)->be->exec_script(c, sql);
}

/* ---- migrations ---- */

/*
 * Markers are whole lines at the start of a line, so they never match inside a statement; outside
 * any block every line is kept.
 */
char *db_migration_text(const char *src, enum db_kind kind)
{
	struct buf out = BUF_INIT;
	const char *mine = kind == DB_SQLITE ? "-- @sqlite" : "-- @postgres";
	const char *id = kind == DB_SQLITE ? "INTEGER PRIMARY KEY"
	                                   : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
	int keep = 1; /* inside a block: 1 if it is ours */
	for (const char *p = src; *p;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
		if (!strncmp(p, "-- @end", 7)) {
			keep = 1;
		} else if (!strncmp(p, "-- @sqlite", 10) || !strncmp(p, "-- @postgres", 12)) {
			keep = !strncmp(p, mine, strlen(mine));
		} else if (keep) {
			for (size_t i = 0; i < n;) {
				if (!strncmp(p + i, "@ID@", 4)) {
					buf_puts(&out, id);
					i += 4;
				} else {
					buf_putc(&out, p[i++]);
				}
			}
		}
		p += n;
	}
	return buf_take(&out);
}

/* Version number of a migration file name "sql/migrations/0001_x.sql", or 0. */
static int migration_version(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	int64_t v;
	size_t n = strspn(base, "0123456789");
	size_t len = strlen(base);
	if (n == 0 || len < 4 || strcmp(base + len - 4, ".sql"))
		return 0;
	return num_parse_i64(base, n, 1, 99999, &v) ? (int)v : 0;
}

static void now_instant(char out[INSTANT_STR])
{
	instant_format((int64_t)time(NULL), out);
}

/*
 * The migration and its schema_migrations row commit together (DDL is transactional on both
 * stores), so a failed migration is neither half applied nor recorded.
 */
static enum err db_apply_one(struct db_conn *c, const struct embed_file *f, int version,
                             struct err_detail *d)
{
	char *sql = db_migration_text((const char *)f->data, BASE(c)->be->kind);
	char at[INSTANT_STR];
	now_instant(at);
	enum err e = db_begin_write(c);
	if (!e)
		e = BASE(c)->be->exec_script(c, sql);
	if (!e)
		e = db_exec(c, STMT_MIG_INSERT,
		            DB_ARGS(DB_INT(version), DB_TEXT(f->path), DB_TEXT(at)), NULL);
	if (!e)
		e = db_commit(c);
	if (e) {
		err_set(d, e, "db", "migration %s failed: %s", f->path, db_last_error(c));
		db_rollback(c);
	}
	free(sql);
	return e;
}

/* Is version v among the n sorted versions in have? */
static bool migration_applied(const int *have, size_t n, int v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (have[mid] == v)
			return true;
		if (have[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Each version is recorded and skipped on its own, not "everything up to the
 * newest": branches merge migrations out of order (0005 may reach a database
 * before 0004), and a runner that only compared with the newest would skip
 * the late one for ever.
 */
enum err db_migrate_files(struct db *db, const struct embed_file *files, size_t nfiles,
                          int *applied, struct err_detail *d)
{
	struct db_conn *c;
	*applied = 0;
	enum err e = db_acquire_d(db, &c, d);
	if (e)
		return e;
	int *have = NULL;
	size_t nhave = 0, cap = 0;
	e = db->be->lock_migrations(c, true);
	if (!e)
		e = db->be->exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		                           " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
		                           " applied_at TEXT NOT NULL)");
	if (e) {
		err_set(d, e, "db", "cannot prepare schema: %s", db_last_error(c));
		goto out;
	}
	struct db_rows *r;
	e = db_query(c, STMT_MIG_APPLIED, DB_NOARGS, &r);
	if (e)
		goto out;
	while (db_next(r)) { /* ordered by version */
		if (nhave == cap)
			have = xrealloc(have, (cap = cap ? cap * 2 : 16) * sizeof *have);
		have[nhave++] = (int)db_col_i64(r, 0);
	}
	if ((e = db_done(r)))
		goto out;
	for (size_t i = 0; i < nfiles; i++) {
		const struct embed_file *f = &files[i];
		if (strncmp(f->path, "sql/migrations/", 15))
			continue;
		int v = migration_version(f->path);
		if (v == 0 || migration_applied(have, nhave, v))
			continue;
		if ((e = db_apply_one(c, f, v, d)))
			goto out;
		(*applied)++;
	}
out:
	free(have);
	db->be->lock_migrations(c, false);
	db_release(c);
	return e;
}

enum err db_migrate(struct db *db, int *applied, struct err_detail *d)
{
	return db_migrate_files(db, embed_files, embed_count, applied, d);
}

/* The versions come in order, so the last row is the newest applied one. */
enum err db_schema_version(struct db *db, int *version)
{
	struct db_conn *c;
	enum err e = db_acquire(db, &c);
	if (e)
		return e;
	struct db_rows *r;
	*version = 0;
	e = db_query(c, STMT_MIG_APPLIED, DB_NOARGS, &r);
	if (!e) {
		while (db_next(r))
			*version = (int)db_col_i64(r, 0);
		e = db_done(r);
	}
	db_release(c);
	return e;
}

enum err db_backup(struct db *db, const char *path, struct err_detail *d)
{
	struct db_conn *c;
	enum err e = db_acquire_d(db, &c, d);
	if (e)
		return e;
	e = db->be->backup(c, path, d);
	db_release(c);
	return e;
}

/*
 * The definitions are read to the end before any index is dropped, and the drops run as one script:
 * the caller gets back exactly the text that recreates what was removed.
 */
enum err db_indexes_drop(struct db_conn *c, const char *table, char **saved)
{
	struct db_rows *r;
	struct buf defs = BUF_INIT, drops = BUF_INIT;
	enum err e = db_query(c, STMT_INDEX_DEFS, DB_ARGS(DB_TEXT(table)), &r);
	if (e)
		return e;
	while (db_next(r)) {
		buf_printf(&defs, "%s;\n", db_col_text(r, 1));
		buf_printf(&drops, "DROP INDEX \"%s\";\n", db_col_text(r, 0));
	}
	if (!(e = db_done(r)) && drops.len)
		e = db_exec_script(c, buf_str(&drops));
	buf_free(&drops);
	if (e) {
		buf_free(&defs);
		return e;
	}
	*saved = buf_take(&defs);
	return ERR_OK;
}

enum err db_indexes_create(struct db_conn *c, const char *saved)
{
	return saved && *saved ? db_exec_script(c, saved) : ERR_OK;
}

void db_bulk_tune(struct db_conn *c, bool on)
{
	/*
	 * Best effort: a failure only costs speed. During a bulk load SQLite
	 * checks neither foreign keys nor CHECK constraints: the caller validated
	 * every row and checked its references inside the same transaction. The
	 * load runs with a rollback journal, not the WAL: rows appended to a new
	 * table need no journal entries, where the WAL would write them twice (log,
	 * then checkpoint). The switch needs the only connection to the file, so
	 * with a server running the load keeps the WAL. These pragmas take effect
	 * only outside a transaction, hence the calling order.
	 */
	if (BASE(c)->be->kind != DB_SQLITE)
		db_exec_script(c, on ? "SET maintenance_work_mem = '256MB'"
		                     : "RESET maintenance_work_mem");
	else if (on)
		db_exec_script(c, "PRAGMA cache_size = -1048576; PRAGMA foreign_keys = OFF;"
		                  " PRAGMA ignore_check_constraints = ON; PRAGMA threads = 2;"
		                  " PRAGMA journal_mode = DELETE");
	else
		db_exec_script(c, "PRAGMA cache_size = -2000; PRAGMA foreign_keys = ON;"
		                  " PRAGMA ignore_check_constraints = OFF; PRAGMA threads = 0;"
		                  " PRAGMA journal_mode = WAL");
}

/*
 * The store's dialect, asked by purpose: the import decides on a per-row savepoint without naming a
 * store.
 */
bool db_statement_undo(struct db_conn *c)
{
	return BASE(c)->be->kind == DB_SQLITE;
}
