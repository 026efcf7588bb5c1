/*
 * app_tx: the write transaction of a use case, with its audit record and
 * Idempotency-Key handling. Private to app/.
 *
 *   if ((e = app_write_begin(ctx)) || ctx->replayed) return e;
 *   ... statements ...; app_audit(ctx, "update", "organisation", id, before, after);
 *   return app_write_end(ctx, e, 201, body, location);
 */
#ifndef TB_APP_APP_TX_H
#define TB_APP_APP_TX_H

#include "app/app.h"
#include "db/db.h"
#include "lib/buf.h"

/* Begin a write transaction; on a repeated Idempotency-Key set ctx->replayed. */
enum err app_write_begin(struct app_ctx *ctx);
/*
 * Commit when e == ERR_OK (storing the response for the Idempotency-Key, if
 * any: status, body and location), roll back otherwise. Returns e, or the
 * commit's failure.
 */
/*
 * The URL of the record a POST created: the request's path and the record's
 * key ("/api/v1/listings" + "/42"). Also kept in ctx->location, which the HTTP
 * front end answers with; NULL outside a request (the CLI).
 */
const char *app_location(struct app_ctx *ctx, const char *key);
enum err app_write_end(struct app_ctx *ctx, enum err e, int status, const char *body,
                       const char *location);
/*
 * Append an audit record inside the open transaction: before/after are JSON
 * texts or NULL. The actor, time and request id come from ctx.
 */
enum err app_audit(struct app_ctx *ctx, const char *action, const char *entity,
                   const char *entity_id, const char *before, const char *after);
/* Authorization gate: ERR_FORBIDDEN (or ERR_UNAUTHENTICATED for anonymous) unless allowed. */
enum err app_allow(struct app_ctx *ctx, enum action act, const struct target *t);
/* Map a failed statement to an error with detail: constraint names become fields. */
enum err app_db_fail(struct app_ctx *ctx, enum err e, const char *what);

/* Column c of the current row copied into the ctx arena (NULL stays NULL). */
const char *app_col(struct app_ctx *ctx, struct db_rows *r, int c);
/* An id as decimal text, in the arena. */
const char *app_id_str(struct app_ctx *ctx, int64_t id);
/* Move a buffer's text into the arena (the buffer is freed). */
const char *app_keep(struct app_ctx *ctx, struct buf *b);

/*
 * Cursor helpers: an opaque cursor wraps the last key of the page and the
 * list it belongs to (one letter), so a cursor of one list is refused by
 * another.
 */
const char *app_cursor_encode(struct app_ctx *ctx, char list, const char *key);
/* Decode into out (cap bytes); ERR_MALFORMED naming "cursor" if it is not this list's. */
enum err app_cursor_decode(struct app_ctx *ctx, char list, const char *cursor, char *out,
                           size_t cap);
/* Decode a cursor holding an id. */
enum err app_cursor_id(struct app_ctx *ctx, char list, const char *cursor, int64_t *id);
/*
 * Rows into records. A row mapper copies the current row of r (read by its
 * COL_... names) into the record at item, its text in the ctx arena.
 */
typedef void app_row_fn(struct app_ctx *ctx, struct db_rows *r, void *item);
/*
 * The row statement st returns for args, mapped into out by row (if not
 * NULL); *found says whether there was one (out is untouched when not). A failed statement
 * fails through app_db_fail naming what.
 */
enum err app_row_find(struct app_ctx *ctx, enum stmt st, const struct db_val *args, size_t nargs,
                      app_row_fn *row, void *out, const char *what, bool *found);
/* The same, ERR_NOT_FOUND naming field ("no WHAT KEY") when there is no row. */
enum err app_row_load(struct app_ctx *ctx, enum stmt st, const struct db_val *args, size_t nargs,
                      app_row_fn *row, void *out, const char *what, const char *field,
                      const char *key);
/*
 * One integer column of the first row st returns (a count, the id of an
 * INSERT ... RETURNING), or 0 when there is no row; a failed statement fails
 * through app_db_fail naming what.
 */
enum err app_row_i64(struct app_ctx *ctx, enum stmt st, const struct db_val *args, size_t nargs,
                     int col, int64_t *v, const char *what);

/*
 * Every row st returns, mapped by row into an array of item_size records in
 * the ctx arena (out->items, out->n, out->total = n): for lists short by
 * nature that are not paged (an application's trail, its objections), read
 * whole rather than cut at a guessed length.
 */
enum err app_rows_all(struct app_ctx *ctx, enum stmt st, const struct db_val *args, size_t nargs,
                      size_t item_size, app_row_fn *row, const char *what, struct page *out);

/* How a list's rows become a page (app_page_fetch). */
struct app_list {
	char cursor;      /* the list's cursor letter (app_cursor_encode) */
	const char *what; /* names the list in a database failure */
	size_t item_size; /* of the records row fills */
	app_row_fn *row;
	/* the cursor key of a record: its text by key_text, else its int64 at offset key_id */
	const char *(*key_text)(const void *item);
	size_t key_id;
};
/*
 * One page of list l: runs st with args and then the limit (pr->limit + 1:
 * the extra row tells that a next page exists), maps the rows into an array
 * in the ctx arena. out->n is at most pr->limit; out->next_cursor is the key
 * of the page's last record when more came back, else NULL; out->total -1.
 */
enum err app_page_fetch(struct app_ctx *ctx, const struct app_list *l, enum stmt st,
                        const struct db_val *args, size_t nargs, const struct page_req *pr,
                        struct page *out);

/*
 * Count the rows a list would walk: `st` takes the list statement's
 * arguments (as app_page_fetch gets them: without the limit), the first (the
 * cursor key) replaced by `start`, the key before every row.
 */
enum err app_list_count(struct app_ctx *ctx, enum stmt st, const struct db_val *list_args,
                        size_t nargs, struct db_val start, int64_t *total);
/*
 * The optional region and industry filters of a list as half-open code
 * ranges [rlo, rhi) and [ilo, ihi), left empty for an absent filter;
 * ERR_INVALID naming "region" or "industry" when one is not a code.
 */
enum err app_code_ranges(struct app_ctx *ctx, const char *region, const char *industry, char rlo[7],
                         char rhi[7], char ilo[6], char ihi[6]);
/* The escaped LIKE pattern %q% for a search text, or NULL for none. */
const char *app_like_pattern(struct app_ctx *ctx, const char *q);

#endif
