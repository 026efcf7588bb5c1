/*
 * db_pg: the PostgreSQL backend (libpq). One PGconn per connection; each
 * statement is converted from `?` to `$n` placeholders and prepared lazily
 * on the connection that first runs it (prepare_all prepares them all at
 * open). Parameters and results travel in text format, which is enough
 * because every stored value is an integer, a float or UTF-8 text.
 * Results are fetched whole by PQexecPrepared; the statements that can
 * return many rows carry a LIMIT. SQLSTATEs map to enum err so callers see
 * the same kinds as on SQLite. A connection broken by a server restart is
 * reset on its next use outside a transaction. Deferred writes (bulk
 * loads) go out in pipeline mode, PG_PIPELINE at a time per round trip.
 */
#include "db/db_backend.h"

#include "lib/buf.h"
#include "lib/num.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Deferred writes sent before their results are read. Each result is a few
 * dozen bytes, so a batch's results fit the socket buffers: a blocking
 * connection cannot deadlock with the server writing them.
 */
enum { PG_PIPELINE = 256 };

/* Serialises migrations between server processes (any constant unique to us). */
#define PG_MIGRATION_LOCK "7203001"

struct db_rows {
	struct db_rows_base base;
	PGresult *res; /* NULL when no result is open */
	int row;       /* current row; -1 before the first db_next */
	int nrows;
};

struct db_conn {
	struct db_conn_base base;
	PGconn *pg;
	bool prepared[STMT__MAX];
	int nparams[STMT__MAX]; /* `?` count of each statement, set when prepared */
	/* Parameter text of the current call, reused between calls. */
	const char **values;
	char (*num)[32];
	size_t cap;
	/* Only one result is open per connection at a time (db.h), so it lives here. */
	struct db_rows rows;
	int pending; /* deferred writes sent in pipeline mode, results not read yet */
	char errmsg[256];
};

/* ---- placeholders ---- */

static bool pg_ident_char(char ch)
{
	unsigned char u = (unsigned char)ch;
	return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
	       u == '_' || u == '$' || u >= 0x80;
}

/* Length of the dollar-quote delimiter ($$ or $tag$) at p, or 0 if p does not start one. */
static size_t pg_dollar_tag(const char *p)
{
	size_t n = 1;
	unsigned char u = (unsigned char)p[1];
	if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80) {
		while (pg_ident_char(p[n]) && p[n] != '$')
			n++;
	}
	return p[n] == '$' ? n + 1 : 0;
}

/* End of the quoted text starting at the quote p (one past the closing quote, or the NUL). */
static const char *pg_skip_quoted(const char *p, bool backslash_escapes)
{
	char q = *p++;
	for (; *p; p++) {
		if (backslash_escapes && *p == '\\' && p[1])
			p++;
		else if (*p == q && p[1] == q)
			p++; /* a doubled quote stands for itself */
		else if (*p == q)
			return p + 1;
	}
	return p;
}

/* End of the comment starting at p ("--" to end of line, or nested slash-star). */
static const char *pg_skip_comment(const char *p)
{
	if (p[0] == '-')
		return p + strcspn(p, "\n");
	int depth = 0;
	while (*p) {
		if (p[0] == '/' && p[1] == '*') {
			depth++;
			p += 2;
		} else if (p[0] == '*' && p[1] == '/') {
			p += 2;
			if (--depth == 0)
				break;
		} else {
			p++;
		}
	}
	return p;
}

/*
 * Convert `?` placeholders to $1..$n, leaving alone every `?` inside string
 * constants ('..', E'..' where a backslash escapes, U&'..'), quoted
 * identifiers, dollar-quoted bodies and comments. In a standard string a
 * backslash is an ordinary character, so '\' is a complete one-character
 * literal (the ESCAPE '\\' of the C sources). Returns the new text (caller
 * frees) and the parameter count in *nparams, or NULL when the text already
 * uses $n parameters: mixing both styles would make the count a lie.
 */
static char *pg_convert(const char *sql, int *nparams)
{
	struct buf out = BUF_INIT;
	int n = 0;
	for (const char *p = sql; *p;) {
		const char *end = NULL;
		bool after_ident = p > sql && pg_ident_char(p[-1]);
		if (*p == '\'') {
			/* E'..' only when the E is a word of its own, not the end of WHERE */
			bool e = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
			         !(p - 1 > sql && pg_ident_char(p[-2]));
			end = pg_skip_quoted(p, e);
		} else if (*p == '"') {
			end = pg_skip_quoted(p, false);
		} else if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')) {
			end = pg_skip_comment(p);
		} else if (*p == '$' && !after_ident && p[1] >= '0' && p[1] <= '9') {
			buf_free(&out);
			return NULL;
		} else if (*p == '$' && !after_ident && pg_dollar_tag(p)) {
			size_t t = pg_dollar_tag(p);
			char *tag = xstrndup(p, t);
			const char *close = strstr(p + t, tag);
			end = close ? close + t : p + strlen(p);
			free(tag);
		} else if (*p == '?') {
			buf_printf(&out, "$%d", ++n);
			p++;
			continue;
		}
		if (!end)
			end = p + 1;
		buf_append(&out, p, (size_t)(end - p));
		p = end;
	}
	*nparams = n;
	return buf_take(&out);
}

/* ---- errors ---- */

/* Keep `msg` in errmsg as one log line: libpq's messages span lines and end with a newline. */
static void pg_set_msg(struct db_conn *c, const char *prefix, const char *msg)
{
	struct buf b = BUF_INIT;
	if (prefix)
		buf_printf(&b, "%s: ", prefix);
	for (const char *p = msg; *p; p++) {
		if (*p != '\n' && *p != '\t' && *p != '\r')
			buf_putc(&b, *p);
		else if (b.len > 0 && b.data[b.len - 1] != ' ')
			buf_putc(&b, ' ');
	}
	size_t n = b.len;
	while (n > 0 && b.data[n - 1] == ' ')
		n--;
	snprintf(c->errmsg, sizeof c->errmsg, "%.*s", (int)n, buf_str(&b));
	buf_free(&b);
}

/* The error kind of a SQLSTATE; a lost connection (no state) is ERR_UNAVAILABLE. */
static enum err pg_err_kind(const char *state, bool broken)
{
	if (!state || strlen(state) != 5)
		return broken ? ERR_UNAVAILABLE : ERR_DB;
	if (!strcmp(state, "23505") || !strcmp(state, "40001") || !strcmp(state, "40P01"))
		return ERR_CONFLICT;
	if (!strcmp(state, "23503") || !strcmp(state, "23514") || !strcmp(state, "23502") ||
	    !strncmp(state, "22", 2))
		return ERR_INVALID;
	if (!strcmp(state, "57014") || !strncmp(state, "08", 2) || !strncmp(state, "57P", 3))
		return ERR_UNAVAILABLE; /* canceled, connection failure, server shutting down */
	if (!strcmp(state, "54000") || !strcmp(state, "54001"))
		return ERR_TOO_LARGE; /* program limit exceeded, statement too complex */
	if (!strcmp(state, "53100"))
		return ERR_STORAGE_FULL; /* disk full */
	if (!strncmp(state, "53", 2))
		return ERR_UNAVAILABLE; /* out of memory, too many connections */
	if (!strncmp(state, "58", 2) || !strcmp(state, "XX001") || !strcmp(state, "XX002"))
		return ERR_STORAGE_IO; /* I/O error, data or index corrupted */
	return broken ? ERR_UNAVAILABLE : ERR_DB;
}

/* Record the error of `res` (NULL: the connection's) in errmsg and return its kind. */
static enum err pg_err(struct db_conn *c, const PGresult *res, const char *prefix)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	pg_set_msg(c, prefix, msg ? msg : PQerrorMessage(c->pg));
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	enum err e = pg_err_kind(state, PQstatus(c->pg) != CONNECTION_OK);
	if (e == ERR_STORAGE_FULL || e == ERR_STORAGE_IO)
		db_note_storage_failure(c->base.db, e, c->errmsg);
	return e;
}

/* ---- connections ---- */

/* Settings every session needs; run again after a reset. */
static enum err pg_session_setup(struct db_conn *c)
{
	/*
	 * standard_conforming_strings is the default; set it anyway because
	 * pg_convert reads '\' as a complete literal only under it. All our
	 * text is UTF-8 whatever the database's encoding.
	 */
	PGresult *res = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC';"
	                              " SET standard_conforming_strings = on;"
	                              " SET client_encoding = 'UTF8'");
	enum err e = ERR_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		e = pg_err(c, res, "session setup");
	PQclear(res);
	return e;
}

static enum err pg_connect(const char *target, struct db_conn **out, struct err_detail *d)
{
	struct db_conn *c = xcalloc(1, sizeof *c);
	/* the URL's own settings win; the fallback names us in pg_stat_activity */
	const char *const keys[] = {"dbname", "fallback_application_name", NULL};
	const char *const vals[] = {target, "techbridge", NULL};
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (!c->pg) {
		free(c);
		return err_set(d, ERR_DB, "db", "cannot connect to PostgreSQL: out of memory");
	}
	enum err e = ERR_OK;
	if (PQstatus(c->pg) != CONNECTION_OK) {
		/* name the server from libpq's parsed options, never the URL: it may hold a password */
		pg_set_msg(c, NULL, PQerrorMessage(c->pg));
		const char *host = PQhost(c->pg), *port = PQport(c->pg), *db = PQdb(c->pg);
		e = err_set(d, ERR_UNAVAILABLE, "db",
		            "cannot connect to PostgreSQL database %s at %s:%s: %s", db ? db : "?",
		            host ? host : "?", port ? port : "?", c->errmsg);
	} else if ((e = pg_session_setup(c))) {
		err_set(d, e, "db", "cannot configure PostgreSQL connection: %s", c->errmsg);
	}
	if (e) {
		PQfinish(c->pg);
		free(c);
		return e;
	}
	c->rows.base.conn = c;
	*out = c;
	return ERR_OK;
}

static void pg_close_rows(struct db_conn *c)
{
	PQclear(c->rows.res);
	c->rows.res = NULL;
}

/*
 * Read the results of the deferred writes and leave pipeline mode; the
 * first failure is returned (the ones after it report "aborted").
 */
static enum err pg_settle(struct db_conn *c)
{
	if (PQpipelineStatus(c->pg) == PQ_PIPELINE_OFF)
		return ERR_OK;
	enum err e = ERR_OK;
	if (!PQpipelineSync(c->pg)) {
		pg_set_msg(c, "pipeline", PQerrorMessage(c->pg));
		e = ERR_UNAVAILABLE;
	}
	/* each write's results end with a NULL; the sync point ends the batch */
	bool synced = false;
	for (int ends = 0; !synced && ends <= c->pending;) {
		PGresult *res = PQgetResult(c->pg);
		if (!res) {
			ends++;
			continue;
		}
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_FATAL_ERROR && !e) {
			/* the detail names the row ("Failing row contains ..."): nothing else does */
			const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
			e = pg_err(c, res, "deferred write");
			if (detail) {
				size_t n = strlen(c->errmsg);
				snprintf(c->errmsg + n, sizeof c->errmsg - n, " (%s)", detail);
			}
		}
		synced = st == PGRES_PIPELINE_SYNC;
		PQclear(res);
	}
	if (!synced && !e) {
		pg_set_msg(c, "pipeline", "no sync point: the connection failed");
		e = ERR_UNAVAILABLE;
	}
	c->pending = 0;
	if (!PQexitPipelineMode(c->pg) && !e) {
		pg_set_msg(c, "pipeline", PQerrorMessage(c->pg));
		e = ERR_UNAVAILABLE;
	}
	return e;
}

static void pg_disconnect(struct db_conn *c)
{
	pg_close_rows(c);
	PQfinish(c->pg);
	free(c->values);
	free(c->num);
	free(c);
}

/*
 * Make a broken connection usable again (after a server restart or a
 * failover), once per call. Never inside a transaction: its work is lost
 * and the caller must see the failure, not carry on in a fresh session.
 */
static enum err pg_ready(struct db_conn *c)
{
	if (PQstatus(c->pg) == CONNECTION_OK)
		return ERR_OK;
	if (c->base.in_tx) {
		pg_set_msg(c, NULL, "connection to the server lost inside a transaction");
		return ERR_UNAVAILABLE;
	}
	PQreset(c->pg);
	memset(c->prepared, 0, sizeof c->prepared); /* a new session has no prepared statements */
	if (PQstatus(c->pg) != CONNECTION_OK) {
		pg_set_msg(c, "reconnect failed", PQerrorMessage(c->pg));
		return ERR_UNAVAILABLE;
	}
	return pg_session_setup(c);
}

static enum err pg_exec_script(struct db_conn *c, const char *sql)
{
	enum err e = pg_settle(c);
	if (e || (e = pg_ready(c)))
		return e;
	/* db_commit rolls back after a failed COMMIT, which already ended the transaction */
	if (!strcmp(sql, "ROLLBACK") && PQtransactionStatus(c->pg) == PQTRANS_IDLE)
		return ERR_OK;
	PGresult *res = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		e = pg_err(c, res, NULL);
	} else if (!strcmp(sql, "COMMIT") && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
		/*
		 * COMMIT of a transaction that an earlier statement aborted "succeeds"
		 * as a rollback; the caller must not believe its writes were kept.
		 */
		pg_set_msg(c, NULL, "transaction rolled back: an earlier statement in it failed");
		e = ERR_DB;
	}
	PQclear(res);
	return e;
}

/* ---- statements ---- */

/* The column count of prepared statement id, from the server's description of it. */
static enum err pg_ncols(struct db_conn *c, enum stmt id, int *n)
{
	char name[16];
	snprintf(name, sizeof name, "s%d", (int)id);
	PGresult *res = PQdescribePrepared(c->pg, name);
	enum err e = ERR_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		e = pg_err(c, res, stmt_name(id));
	else
		*n = PQnfields(res);
	PQclear(res);
	return e;
}

/*
 * Each connection prepares its own copy, named by the statement's number, on first use. One
 * whose columns disagree with its row is deallocated again, so every later call fails the same
 * way instead of running it.
 */
static enum err pg_prepare(struct db_conn *c, enum stmt id)
{
	if (c->prepared[id])
		return ERR_OK;
	int n = 0;
	char *sql = pg_convert(stmt_sql(id, DB_POSTGRES), &n);
	if (!sql) {
		snprintf(c->errmsg, sizeof c->errmsg, "%s: write parameters as ?, not $n",
		         stmt_name(id));
		return ERR_INTERNAL;
	}
	char name[16];
	snprintf(name, sizeof name, "s%d", (int)id);
	PGresult *res = PQprepare(c->pg, name, sql, n, NULL);
	free(sql);
	enum err e = ERR_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		e = pg_err(c, res, stmt_name(id));
	PQclear(res);
	if (e)
		return e;
	/* the rows must be what the statement's row family says (stmt_row.h) */
	int have = 0;
	if ((e = pg_ncols(c, id, &have)) ||
	    (e = stmt_cols_check(id, have, stmt_ncols(id), c->errmsg, sizeof c->errmsg))) {
		char drop[32];
		snprintf(drop, sizeof drop, "DEALLOCATE %s", name);
		PQclear(PQexec(c->pg, drop));
		return e;
	}
	c->prepared[id] = true;
	c->nparams[id] = n;
	return ERR_OK;
}

static enum err pg_cols_check(struct db_conn *c, enum stmt id, int want)
{
	enum err e = pg_settle(c);
	if (e || (e = pg_ready(c)))
		return e;
	pg_close_rows(c);
	int have = 0;
	if ((e = pg_prepare(c, id)) || (e = pg_ncols(c, id, &have)))
		return e;
	return stmt_cols_check(id, have, want, c->errmsg, sizeof c->errmsg);
}

static enum err pg_prepare_all(struct db_conn *c, struct err_detail *d)
{
	enum err e = pg_ready(c);
	if (e)
		return err_set(d, e, "db", "%s", c->errmsg);
	for (int i = 0; i < STMT__MAX; i++) {
		if ((e = pg_prepare(c, (enum stmt)i)))
			return err_set(d, e == ERR_INTERNAL ? e : ERR_DB, "db", "bad statement %s",
			               c->errmsg);
	}
	return ERR_OK;
}

/* Text form of each argument in c->values (NULL for SQL NULL). */
static void pg_params(struct db_conn *c, const struct db_val *args, size_t nargs)
{
	if (nargs > c->cap) {
		c->values = xrealloc(c->values, nargs * sizeof *c->values);
		c->num = xrealloc(c->num, nargs * sizeof *c->num);
		c->cap = nargs;
	}
	for (size_t i = 0; i < nargs; i++) {
		switch (args[i].type) {
		case DBV_INT:
			snprintf(c->num[i], sizeof c->num[i], "%lld", (long long)args[i].i);
			c->values[i] = c->num[i];
			break;
		case DBV_REAL:
			/* %.17g round-trips every double */
			snprintf(c->num[i], sizeof c->num[i], "%.17g", args[i].r);
			c->values[i] = c->num[i];
			break;
		case DBV_TEXT: c->values[i] = args[i].s; break;
		default: c->values[i] = NULL; break;
		}
	}
}

/* The prepared statement's name and its arguments' text, for a call of a prepared id. */
static enum err pg_bind(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs,
                        char name[16])
{
	if ((size_t)c->nparams[id] != nargs) {
		snprintf(c->errmsg, sizeof c->errmsg, "%s: %zu arguments for %d parameters",
		         stmt_name(id), nargs, c->nparams[id]);
		return ERR_INTERNAL;
	}
	pg_params(c, args, nargs);
	snprintf(name, 16, "s%d", (int)id);
	return ERR_OK;
}

/*
 * Deferred writes are settled first, so a read sees them; a connection broken by a server
 * restart is repaired here, outside a transaction only (pg_ready).
 */
static enum err pg_query(struct db_conn *c, enum stmt id, const struct db_val *args, size_t nargs,
                         struct db_rows **out)
{
	enum err e = pg_settle(c);
	if (e || (e = pg_ready(c)))
		return e;
	pg_close_rows(c); /* a caller that skipped db_done must not leak the result */
	if ((e = pg_prepare(c, id)))
		return e;
	char name[16];
	if ((e = pg_bind(c, id, args, nargs, name)))
		return e;
	PGresult *res =
	        PQexecPrepared(c->pg, name, (int)nargs, nargs ? c->values : NULL, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		e = pg_err(c, res, NULL);
		PQclear(res);
		return e;
	}
	struct db_rows *r = &c->rows;
	r->res = res;
	r->row = -1;
	r->nrows = PQntuples(res);
	*out = r;
	return ERR_OK;
}

/*
 * Statements are prepared synchronously, outside the pipeline: one first met inside it settles
 * the pipeline, is prepared, and the pipeline starts again.
 */
static enum err pg_exec_deferred(struct db_conn *c, enum stmt id, const struct db_val *args,
                                 size_t nargs)
{
	enum err e;
	if (PQpipelineStatus(c->pg) == PQ_PIPELINE_OFF) {
		pg_close_rows(c);
		if ((e = pg_ready(c)) ||
		    (e = pg_prepare(c, id))) /* synchronous: not in a pipeline */
			return e;
		if (!PQenterPipelineMode(c->pg)) {
			pg_set_msg(c, "pipeline", PQerrorMessage(c->pg));
			return ERR_UNAVAILABLE;
		}
	} else if (!c->prepared[id]) {
		if ((e = pg_settle(c)))
			return e;
		return pg_exec_deferred(c, id, args, nargs);
	}
	char name[16];
	if ((e = pg_bind(c, id, args, nargs, name)))
		return e;
	if (!PQsendQueryPrepared(c->pg, name, (int)nargs, nargs ? c->values : NULL, NULL, NULL,
	                         0)) {
		pg_set_msg(c, "pipeline", PQerrorMessage(c->pg));
		pg_settle(c);
		return ERR_UNAVAILABLE;
	}
	return ++c->pending >= PG_PIPELINE ? pg_settle(c) : ERR_OK;
}

static bool pg_next(struct db_rows *r)
{
	if (!r->res || r->row + 1 >= r->nrows)
		return false;
	r->row++;
	return true;
}

static enum err pg_done(struct db_rows *r, int64_t *changes)
{
	if (changes) {
		/* PQcmdTuples also counts SELECT rows; only writes are "changes" */
		const char *tag = r->res ? PQcmdStatus(r->res) : "";
		int64_t n = 0;
		if (!strncmp(tag, "INSERT", 6) || !strncmp(tag, "UPDATE", 6) ||
		    !strncmp(tag, "DELETE", 6) || !strncmp(tag, "MERGE", 5))
			num_parse(PQcmdTuples(r->res), 0, INT64_MAX, &n);
		*changes = n;
	}
	pg_close_rows(r->base.conn);
	return ERR_OK;
}

/* The value at (current row, col), or NULL for SQL NULL or a column out of range. */
static const char *pg_value(struct db_rows *r, int col)
{
	if (!r->res || r->row < 0 || r->row >= r->nrows || col < 0 || col >= PQnfields(r->res) ||
	    PQgetisnull(r->res, r->row, col))
		return NULL;
	return PQgetvalue(r->res, r->row, col);
}

static bool pg_col_null(struct db_rows *r, int col)
{
	return pg_value(r, col) == NULL;
}

static int64_t pg_col_i64(struct db_rows *r, int col)
{
	const char *s = pg_value(r, col);
	int64_t v = 0;
	if (s && !num_parse(s, INT64_MIN, INT64_MAX, &v))
		v = 0; /* like SQLite for NULL; integer columns always parse */
	return v;
}

static double pg_col_f64(struct db_rows *r, int col)
{
	const char *s = pg_value(r, col);
	return s ? strtod(s, NULL) : 0.0;
}

static const char *pg_col_text(struct db_rows *r, int col)
{
	return pg_value(r, col);
}

static const char *pg_last_error(struct db_conn *c)
{
	return c->errmsg;
}

static enum err pg_lock_migrations(struct db_conn *c, bool lock)
{
	/* a session lock: held across the migrations' own transactions */
	return pg_exec_script(c, lock ? "SELECT pg_advisory_lock(" PG_MIGRATION_LOCK ")"
	                              : "SELECT pg_advisory_unlock(" PG_MIGRATION_LOCK ")");
}

static enum err pg_backup(struct db_conn *c, const char *path, struct err_detail *d)
{
	(void)c;
	(void)path;
	return err_set(
	        d, ERR_USAGE, "db",
	        "use pg_dump for PostgreSQL backups: pg_dump --format=custom --file=FILE URL");
}

const struct db_backend db_backend_pg = {
        .kind = DB_POSTGRES,
        .connect = pg_connect,
        .disconnect = pg_disconnect,
        .exec_script = pg_exec_script,
        .query = pg_query,
        .exec_deferred = pg_exec_deferred,
        .flush = pg_settle,
        .next = pg_next,
        .done = pg_done,
        .col_null = pg_col_null,
        .col_i64 = pg_col_i64,
        .col_f64 = pg_col_f64,
        .col_text = pg_col_text,
        .last_error = pg_last_error,
        .lock_migrations = pg_lock_migrations,
        .prepare_all = pg_prepare_all,
        .cols_check = pg_cols_check,
        .backup = pg_backup,
};
