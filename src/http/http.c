/* http: helpers for handlers: typed input and the shapes of answers. */
#include "http/http.h"

#include "http/routes.h"
#include "lib/jw.h"
#include "lib/num.h"

#include <string.h>

/*
 * An id that is not a positive integer names no record: 404, the same answer
 * as for an id that does not exist
 */
bool http_param_id(struct req *rq, int i, int64_t *id)
{
	if (num_parse(rq->path_params[i], 1, INT64_MAX, id))
		return true;
	err_set(&rq->ctx->err, ERR_NOT_FOUND, "id", "%s is not an id", rq->path_params[i]);
	http_problem(rq, ERR_NOT_FOUND);
	return false;
}

/* Declared query parameters only (server.c refused any other); NULL when absent or empty */
const char *http_query(struct req *rq, const char *name)
{
	int i = fields_find(rq->route->query, rq->route->nquery, name);
	if (i < 0 || !rq->query[i].set || rq->query[i].null)
		return NULL;
	return rq->query[i].s;
}

bool http_query_bool(struct req *rq, const char *name)
{
	int i = fields_find(rq->route->query, rq->route->nquery, name);
	return i >= 0 && rq->query[i].set && rq->query[i].b;
}

int64_t http_query_int(struct req *rq, const char *name, int64_t dflt)
{
	int i = fields_find(rq->route->query, rq->route->nquery, name);
	if (i < 0 || !rq->query[i].set || rq->query[i].null)
		return dflt;
	return rq->query[i].i;
}

void http_json(struct req *rq, int status)
{
	rq->status = status;
	rq->content_type = "application/json";
}

void http_empty(struct req *rq, int status)
{
	buf_reset(&rq->out);
	rq->status = status;
}

/*
 * RFC 9457 problem+json from the request's error detail (docs/API.md, "Errors"). Any
 * partial answer and Location are dropped: an error replaces the whole response.
 */
void http_problem(struct req *rq, enum err e)
{
	const struct err_detail *d = &rq->ctx->err;
	buf_reset(&rq->out);
	rq->status = err_http_status(e);
	rq->content_type = "application/problem+json";
	rq->location = NULL;
	struct jw w;
	jw_init(&w, &rq->out);
	jw_obj_open(&w);
	char type[64];
	snprintf(type, sizeof type, "urn:techbridge:problem:%s", err_slug(e));
	jw_kstr(&w, "type", type);
	jw_kstr(&w, "title", err_title(e));
	jw_ki64(&w, "status", rq->status);
	if (d->message[0]) {
		char detail[sizeof d->field + sizeof d->message + 2];
		if (d->field[0])
			snprintf(detail, sizeof detail, "%s: %s", d->field, d->message);
		else
			snprintf(detail, sizeof detail, "%s", d->message);
		jw_kstr(&w, "detail", detail);
	}
	if (d->field[0]) {
		/* the field also in machine-readable form, so a form can mark the input at fault */
		jw_key(&w, "errors");
		jw_arr_open(&w);
		jw_obj_open(&w);
		jw_kstr(&w, "field", d->field);
		jw_kstr(&w, "message", d->message);
		jw_obj_close(&w);
		jw_arr_close(&w);
	}
	if (d->code[0])
		jw_kstr(&w, "code", d->code);
	if (d->retry_after > 0) {
		jw_ki64(&w, "retry_after", d->retry_after);
		rq->retry_after = d->retry_after;
	}
	if (rq->ctx->request_id)
		jw_kstr(&w, "request_id", rq->ctx->request_id);
	jw_obj_close(&w);
}

/*
 * The end of a write handler. A replayed idempotent request answers with the
 * stored response (status, body and Location) instead of the one just rendered.
 */
void http_finish(struct req *rq, enum err e, int status)
{
	if (e)
		return http_problem(rq, e);
	if (rq->ctx->replayed) {
		buf_reset(&rq->out);
		buf_puts(&rq->out, rq->ctx->replay_body ? rq->ctx->replay_body : "");
		rq->status = rq->ctx->replay_status;
		rq->location = rq->ctx->replay_location;
		rq->content_type = "application/json";
		return;
	}
	if (status == 204)
		return http_empty(rq, 204);
	if (status == 201 && !rq->location)
		rq->location = rq->ctx->location; /* the created record's URL, made in app/ */
	http_json(rq, status);
}

void http_defer(struct req *rq, void (*work)(void *arg), void *arg,
                void (*resume)(struct req *rq, void *arg))
{
	rq->defer_work = work;
	rq->defer_arg = arg;
	rq->defer_resume = resume;
}

/*
 * The list shape of docs/API.md: items, next_cursor (null on the last page)
 * and total only when count=true asked for it (p->total < 0 otherwise)
 */
void http_page(struct req *rq, const struct page *p, size_t item_size,
               void (*item_json)(const void *item, struct buf *out))
{
	struct buf *out = &rq->out;
	buf_reset(out);
	buf_puts(out, "{\"items\":[");
	for (int i = 0; i < p->n; i++) {
		if (i)
			buf_putc(out, ',');
		item_json((const char *)p->items + item_size * (size_t)i, out);
	}
	buf_puts(out, "],\"next_cursor\":");
	struct jw w;
	jw_init(&w, out);
	jw_str(&w, p->next_cursor);
	if (p->total >= 0) {
		buf_printf(out, ",\"total\":%lld", (long long)p->total);
	}
	buf_putc(out, '}');
	http_json(rq, 200);
}
