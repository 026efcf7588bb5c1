/*
 * app: the use cases. One function per user action, each deciding
 * authorization (deny by default, core/authz), owning its transaction and
 * writing its audit record in that transaction. Front ends (http/, cli/)
 * build a struct app_ctx per request or command, call app_* functions and
 * render what they return.
 *
 * Ownership: struct app is long-lived (one per process) and owns the db.
 * struct app_ctx lives for one request: it borrows a connection, and its
 * arena owns every string and array returned by app_* calls made with it.
 */
#ifndef TB_APP_APP_H
#define TB_APP_APP_H

#include "core/authz.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/date.h"
#include "lib/err.h"
#include "lib/limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The store is private to app/: front ends never see it. */
struct db;
struct db_conn;
struct audit_keys; /* core/audit_sign.h: loaded by app_audit_keys_load */
struct seal_key;   /* lib/seal.h: loaded by app_data_key_load (app/app_pii.h) */

enum { APP_MODULES_MAX = LIMIT_APP_MODULES }; /* registered in app/app_modules.def */

struct app {
	struct db *db;
	int64_t fixed_now; /* tests: a fixed clock (unix seconds); 0 = real time */
	/* each module's process state, by its id (app/app_module.h); the kernel never reads it */
	void *mods[APP_MODULES_MAX];
	/* audit signing and trusted public keys (app_audit.h); NULL: records unsigned */
	struct audit_keys *audit_keys;
	/* the key personal data is encrypted with (app_pii.h); NULL: stored as given */
	struct seal_key *data_key;
	int session_idle_s;   /* sessions unused longer are refused; app_open sets the default */
	unsigned require_2fa; /* roles (1 << enum role) that must sign in with a TOTP code */
};

struct app_ctx {
	struct app *app;
	struct db_conn *conn;
	struct actor actor;     /* anonymous until app_authenticate */
	const char *request_id; /* for audit records; may be NULL */
	const char *client_addr;
	const char *idem_key; /* Idempotency-Key of this POST, or NULL */
	const char *location; /* the URL of the record this POST created (app_location) */
	const char *method, *path;
	/* the raw request body (borrowed; NULL = empty): a repeated key must repeat it */
	const char *body;
	size_t body_len;
	int64_t token_id; /* the token the request came with (app_authenticate), or 0 */
	/* app_demo only: the published demo password is accepted, knowingly */
	bool demo_password_ok;
	bool break_glass_audited; /* app_audit: this transaction's break_glass record is written */
	int64_t now;              /* fixed at the start of the request */
	char now_s[INSTANT_STR];
	char today[DATE_STR];
	struct arena arena;
	struct err_detail err; /* detail of the last failure */
	/* set when a POST repeats an Idempotency-Key: the first response */
	bool replayed;
	int replay_status;
	const char *replay_body;
	const char *replay_location;
};

/* A page of a list: items in the ctx arena; next_cursor NULL at the end. */
struct page {
	void *items;
	int n;
	const char *next_cursor;
	int64_t total; /* -1 unless asked */
};

/* List parameters shared by every collection. */
struct page_req {
	int limit;          /* 1..LIMIT_PAGE_MAX */
	const char *cursor; /* opaque, from a previous page */
	bool count;
};

/* Open the database at `url` (migrating it) for a process; pool = most connections. */
enum err app_open(struct app *app, const char *url, int pool, struct err_detail *d);
void app_close(struct app *app);

/*
 * Start a request or command: borrow a connection, fix the clock. The caller
 * zero-initialises ctx first and may have set request fields and used the
 * arena already.
 */
enum err app_ctx_begin(struct app_ctx *ctx, struct app *app);
/* End it: roll back anything open, give the connection back, free the arena. */
void app_ctx_end(struct app_ctx *ctx);
/* Act as the local operator of the CLI: an admin actor named "cli". */
void app_ctx_as_cli(struct app_ctx *ctx);

/*
 * Resolve a bearer token (session or API token) into ctx->actor.
 * ERR_UNAUTHENTICATED for an unknown, expired, revoked or disabled one.
 */
enum err app_authenticate(struct app_ctx *ctx, const char *token);

/*
 * The grants of user uid into g[0..*n), at most AUTHZ_GRANTS_MAX; roles this
 * build does not know are skipped. A database error is returned as is.
 */
enum err app_grants_load(struct app_ctx *ctx, int64_t uid, struct grant *g, int *n);

/* Version of the newest applied migration. */
enum err app_schema_version(struct app *app, int *version);
/* The store's schema as SQL text (SQLite) or a column list (PostgreSQL), for checks. */
enum err app_schema_dump(struct app *app, struct buf *out);
/* Online backup of a SQLite database to `path`. */
enum err app_backup(struct app *app, const char *path, struct err_detail *d);

/* The store's kind ("sqlite" or "postgres") and its pool: connections open and idle. */
void app_pool_stats(struct app *app, const char **kind, int *open, int *idle);

/* Is the database reachable? (for /readyz) */
enum err app_ready(struct app_ctx *ctx);
/* SQLite: sync every commit to disk (synchronous=FULL) for stores opened after the call. */
void app_set_sync_full(bool full);

/* Record `e` with a field and message in ctx->err and return it. */
#define APP_FAIL(ctx, e, field, ...) err_set(&(ctx)->err, (e), (field), __VA_ARGS__)
/* The same with a stable code for problem+json ("signin_delayed"). */
#define APP_FAIL_CODE(ctx, e, code, field, ...)                                                    \
	err_set_code(&(ctx)->err, (e), (code), (field), __VA_ARGS__)

#endif
