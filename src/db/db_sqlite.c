/*
 * db_sqlite: the SQLite backend. One sqlite3 handle per connection, WAL,
 * foreign keys on, a busy timeout; statements prepared once and cached per
 * connection. Constraint failures map to ERR_CONFLICT (unique) or
 * ERR_INVALID (check, foreign key, not null).
 */
#include "db/db_backend.h"

#include "lib/buf.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db_conn {
	struct db_conn_base base;
	sqlite3 *h;
	sqlite3_stmt *stmt[STMT__MAX];
	/* transaction control, prepared once: BEGIN, BEGIN IMMEDIATE, COMMIT, ROLLBACK */
	sqlite3_stmt *tx[4];
	/* a read transaction kept open across statements: see lite_read_begin */
	bool reading;
	uint64_t read_gen;
	int64_t read_since_ms;
	char errmsg[256];
};

struct db_rows {
	struct db_rows_base base;
	sqlite3_stmt *st;
	int rc;
	enum err err;
};

/* One rows object per connection: only one result is open at a time. */
struct sqlite_conn_rows {
	struct db_conn c;
	struct db_rows rows;
};

/*
 * Reads outside an explicit transaction share one read transaction per
 * connection instead of opening one per statement: each opening takes file
 * locks and a process-wide mutex that the workers contend for (about three
 * system calls and often a context switch per lookup). The shared snapshot is
 * renewed after any commit in this process (lite_commits) and at least every
 * READ_RENEW_MS, so another process's writes show within that time.
 */
enum { READ_RENEW_MS = 50 };
static _Atomic uint64_t lite_commits;

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *const tx_sql[4] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};

/*
 * Run a transaction-control statement from its prepared copy (they run on
 * every request: parsing them each time would cost more than the lookups).
 * Returns an SQLite result code; -1 if `sql` is not one of them.
 */
static int lite_tx(struct db_conn *c, const char *sql)
{
	for (int i = 0; i < 4; i++) {
		if (strcmp(sql, tx_sql[i]))
			continue;
		if (!c->tx[i]) {
			int rc = sqlite3_prepare_v3(c->h, tx_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
			                            &c->tx[i], NULL);
			if (rc != SQLITE_OK)
				return rc;
		}
		int rc = sqlite3_step(c->tx[i]);
		sqlite3_reset(c->tx[i]);
		return rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	return -1;
}

/* End the shared read transaction, if one is open. */
static void lite_read_end(struct db_conn *c)
{
	if (c->reading) {
		c->reading = false;
		lite_tx(c, "COMMIT");
	}
}

/* Make sure a fresh enough shared read transaction is open. */
static void lite_read_begin(struct db_conn *c)
{
	uint64_t gen = lite_commits;
	if (c->reading && (c->read_gen != gen || now_ms() - c->read_since_ms > READ_RENEW_MS))
		lite_read_end(c);
	if (!c->reading && lite_tx(c, "BEGIN") == SQLITE_OK) {
		c->reading = true;
		c->read_gen = gen;
		c->read_since_ms = now_ms();
	}
}

/*
 * The kind of an SQLite result code. A full disk or a failing one is named as
 * such (and remembered for readiness): it is the operator's problem, not a
 * bug, and the client should hear so rather than a bare 500.
 */
static enum err lite_err(struct db_conn *c, int rc)
{
	snprintf(c->errmsg, sizeof c->errmsg, "%s", sqlite3_errmsg(c->h));
	switch (rc & 0xff) {
	case SQLITE_FULL:
		db_note_storage_failure(c->base.db, ERR_STORAGE_FULL, c->errmsg);
		return ERR_STORAGE_FULL;
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		if (rc == SQLITE_IOERR_NOMEM)
			return ERR_DB;
		db_note_storage_failure(c->base.db, ERR_STORAGE_IO, c->errmsg);
		return ERR_STORAGE_IO;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return ERR_CONFLICT;
		return ERR_INVALID;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return ERR_UNAVAILABLE;
	case SQLITE_TOOBIG: return ERR_TOO_LARGE;
	default: return ERR_DB;
	}
}

/*
 * Process-wide settings, before SQLite initialises: no memory statistics
 * (they take a global mutex on every allocation, and we never read them).
 */
static void lite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* Debian builds SQLite without lookaside: small allocations then all hit malloc */
	sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 1200, 128);
}

static _Atomic int lite_sync = DB_SYNC_NORMAL;

/*
 * Read when a connection opens: stores opened after the call get the mode (app_set_sync_full,
 * serve --sync full).
 */
void db_set_sync(enum db_sync mode)
{
	lite_sync = mode;
}

/*
 * NOMUTEX: a connection serves one thread at a time (the pool hands it out), so SQLite's own
 * per-connection mutex would only cost. In WAL mode synchronous=NORMAL may lose the last
 * commits on power loss but never consistency; FULL syncs every commit. A writer waits up to 5
 * s for another process's write lock (a CLI import) before the store reports busy
 * (ERR_UNAVAILABLE).
 */
static enum err lite_connect(const char *target, struct db_conn **out, struct err_detail *d)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, lite_configure);
	struct sqlite_conn_rows *cr = xcalloc(1, sizeof *cr);
	struct db_conn *c = &cr->c;
	int rc = sqlite3_open_v2(target, &c->h,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		err_set(d, ERR_DB, "db", "cannot open %s: %s", target,
		        c->h ? sqlite3_errmsg(c->h) : "out of memory");
		sqlite3_close(c->h);
		free(cr);
		return ERR_DB;
	}
	sqlite3_busy_timeout(c->h, 5000);
	sqlite3_extended_result_codes(c->h, 1);
	char *msg = NULL;
	rc = sqlite3_exec(c->h,
	                  lite_sync == DB_SYNC_FULL
	                          ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                            " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
	                          : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	                            " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
	                  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		err_set(d, ERR_DB, "db", "cannot configure %s: %s", target, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(c->h);
		free(cr);
		return ERR_DB;
	}
	*out = c;
	return ERR_OK;
}

static void lite_disconnect(struct db_conn *c)
{
	lite_read_end(c);
	for (int i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(c->stmt[i]);
	for (int i = 0; i < 4; i++)
		sqlite3_finalize(c->tx[i]);
	sqlite3_close(c->h);
	free(c);
}

static enum err lite_exec_script(struct db_conn *c, const char *sql)
{
	char *msg = NULL;
	lite_read_end(c); /* explicit transactions and scripts run on their own */
	int rc = lite_tx(c, sql);
	/*
	 * A failed COMMIT (a full disk) may have rolled the transaction back
	 * already: the ROLLBACK that follows then fails with "cannot rollback -
	 * no transaction is active", which must not replace the real cause.
	 */
	if (!strcmp(sql, "ROLLBACK"))
		return rc == SQLITE_OK ? ERR_OK : ERR_DB;
	if (rc < 0)
		rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK && !strncmp(sql, "COMMIT", 6))
		lite_commits++;
	if (rc == SQLITE_OK)
		return ERR_OK;
	enum err e = lite_err(c, rc);
	if (msg)
		snprintf(c->errmsg, sizeof c->errmsg, "%s", msg);
	sqlite3_free(msg);
	return e;
}

/*
 * PERSISTENT: the statement lives as long as the connection, a hint that keeps it out of the
 * lookaside memory the short-lived allocations use.
 */
static enum err lite_prepare(struct db_conn *c, enum stmt id)
{
	if (c->stmt[id])
		return ERR_OK;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v3(c->h, stmt_sql(id, DB_SQLITE), -1, SQLITE_PREPARE_PERSISTENT,
	                            &st, NULL);
	if (rc != SQLITE_OK) {
		enum err e = lite_err(c, rc);
		snprintf(c->errmsg, sizeof c->errmsg, "%s: %s", stmt_name(id),
		         sqlite3_errmsg(c->h));
		return e;
	}
	/* the rows must be what the statement's row family says (stmt_row.h) */
	enum err e = stmt_cols_check(id, sqlite3_column_count(st), stmt_ncols(id), c->errmsg,
	                             sizeof c->errmsg);
	if (e) {
		sqlite3_finalize(st);
		return e;
	}
	c->stmt[id] = st;
	return ERR_OK;
}

static enum err lite_prepare_all(struct db_conn *c, struct err_detail *d)
{
	for (int i = 0; i < STMT__MAX; i++) {
		enum err e = lite_prepare(c, (enum stmt)i);
		if (e)
			return err_set(d, e == ERR_INTERNAL ? e : ERR_DB, "db", "bad statement %s",
			               c->errmsg);
	}
	return ERR_OK;
}

static enum err lite_cols_check(struct db_conn *c, enum stmt id, int want)
{
	enum err e = lite_prepare(c, id);
	if (e)
		return e;
	return stmt_cols_check(id, sqlite3_column_count(c->stmt[id]), want, c->errmsg,
	                       sizeof c->errmsg);
}

static enum err lite_query(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs,
                           struct db_rows **out)
{
	enum err e = lite_prepare(c, id);
	if (e)
		return e;
	sqlite3_stmt *st = c->stmt[id];
	if (!c->base.in_tx) {
		/* a write on its own commits at once: never inside the shared read */
		if (sqlite3_stmt_readonly(st))
			lite_read_begin(c);
		else
			lite_read_end(c);
	}
	if ((size_t)sqlite3_bind_parameter_count(st) != nargs) {
		snprintf(c->errmsg, sizeof c->errmsg, "%s: %zu arguments for %d parameters",
		         stmt_name(id), nargs, sqlite3_bind_parameter_count(st));
		return ERR_INTERNAL;
	}
	for (size_t i = 0; i < nargs; i++) {
		int rc, k = (int)i + 1;
		switch (args[i].type) {
		case DBV_INT: rc = sqlite3_bind_int64(st, k, args[i].i); break;
		case DBV_REAL: rc = sqlite3_bind_double(st, k, args[i].r); break;
		/* SQLITE_STATIC: no copy of each text; a caller keeps its arguments alive until db_done */
		case DBV_TEXT: rc = sqlite3_bind_text(st, k, args[i].s, -1, SQLITE_STATIC); break;
		default: rc = sqlite3_bind_null(st, k); break;
		}
		if (rc != SQLITE_OK) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return lite_err(c, rc);
		}
	}
	struct db_rows *r = &((struct sqlite_conn_rows *)(void *)c)->rows;
	r->base.conn = c;
	r->st = st;
	r->rc = SQLITE_OK;
	r->err = ERR_OK;
	*out = r;
	return ERR_OK;
}

static bool lite_next(struct db_rows *r)
{
	if (r->rc != SQLITE_OK && r->rc != SQLITE_ROW)
		return false;
	r->rc = sqlite3_step(r->st);
	if (r->rc == SQLITE_ROW)
		return true;
	if (r->rc != SQLITE_DONE)
		r->err = lite_err(r->base.conn, sqlite3_extended_errcode(r->base.conn->h));
	return false;
}

static enum err lite_done(struct db_rows *r, int64_t *changes)
{
	if (!r->base.conn->base.in_tx && !sqlite3_stmt_readonly(r->st))
		lite_commits++; /* an autocommit write: readers renew their snapshot */
	if (changes)
		*changes = sqlite3_changes64(r->base.conn->h);
	/* every parameter is bound on each run (db_query checks the count): no clearing */
	sqlite3_reset(r->st);
	return r->err;
}

static bool lite_col_null(struct db_rows *r, int col)
{
	return sqlite3_column_type(r->st, col) == SQLITE_NULL;
}

static int64_t lite_col_i64(struct db_rows *r, int col)
{
	return sqlite3_column_int64(r->st, col);
}

static double lite_col_f64(struct db_rows *r, int col)
{
	return sqlite3_column_double(r->st, col);
}

static const char *lite_col_text(struct db_rows *r, int col)
{
	return (const char *)sqlite3_column_text(r->st, col);
}

static const char *lite_last_error(struct db_conn *c)
{
	return c->errmsg;
}

static enum err lite_lock_migrations(struct db_conn *c, bool lock)
{
	(void)c; /* BEGIN IMMEDIATE in each migration serialises writers */
	(void)lock;
	return ERR_OK;
}

static enum err lite_backup(struct db_conn *c, const char *path, struct err_detail *d)
{
	sqlite3 *dst;
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		err_set(d, ERR_IO, "path", "cannot create %s: %s", path, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return ERR_IO;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->h, "main");
	int rc = SQLITE_ERROR;
	if (b) {
		/* copy in steps so writers are not blocked for the whole copy */
		do {
			rc = sqlite3_backup_step(b, 1024);
			if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
				sqlite3_sleep(10);
		} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
		sqlite3_backup_finish(b);
	}
	enum err e = ERR_OK;
	if (rc != SQLITE_DONE)
		e = err_set(d, ERR_IO, "path", "backup to %s failed: %s", path,
		            sqlite3_errmsg(dst));
	sqlite3_close(dst);
	return e;
}

const struct db_backend db_backend_sqlite = {
        .kind = DB_SQLITE,
        .connect = lite_connect,
        .disconnect = lite_disconnect,
        .exec_script = lite_exec_script,
        .query = lite_query,
        .next = lite_next,
        .done = lite_done,
        .col_null = lite_col_null,
        .col_i64 = lite_col_i64,
        .col_f64 = lite_col_f64,
        .col_text = lite_col_text,
        .last_error = lite_last_error,
        .lock_migrations = lite_lock_migrations,
        .prepare_all = lite_prepare_all,
        .cols_check = lite_cols_check,
        .backup = lite_backup,
};
