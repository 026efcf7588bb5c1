/*
 * http: what a handler sees of a request and how it answers. The server
 * (server.c) has already matched the route, checked and parsed the declared
 * query parameters and JSON body, authenticated the caller and opened an
 * app context; a handler reads typed input, calls one app_* function and
 * writes the result with http_json / http_problem / http_empty.
 *
 * Ownership: everything reachable from struct req lives until the response
 * is queued; strings from rq->ctx's arena likewise.
 */
#ifndef TB_HTTP_HTTP_H
#define TB_HTTP_HTTP_H

#include "app/app.h"
#include "lib/limits.h"
#include "lib/buf.h"
#include "lib/fields.h"

#include <jansson.h>

enum { HTTP_PATH_PARAMS = 4, HTTP_FIELDS_MAX = LIMIT_HTTP_FIELDS };

struct route;
struct workq;

struct req {
	const struct route *route;
	const char *method;
	const char *path;
	const char *path_params[HTTP_PATH_PARAMS]; /* {id} etc. in order */
	struct field_val query[HTTP_FIELDS_MAX];   /* parallel to route->query */
	struct field_val body[HTTP_FIELDS_MAX];    /* parallel to route->body */
	struct page_req page;                      /* limit, cursor, count for lists */
	int64_t version;                           /* the body's or query's version, if declared */
	json_t *json;                              /* the parsed body, or NULL */
	const char *token;                         /* the bearer token, or NULL */
	struct app_ctx *ctx;
	struct workq *hashq; /* the server's password hashing threads (NULL: none) */
	/* set by http_defer: the server runs work on hashq, then resume to answer */
	void (*defer_work)(void *arg);
	void (*defer_resume)(struct req *rq, void *arg);
	void *defer_arg;
	/* response */
	int status;
	struct buf out;
	const char *content_type;
	const char *location;
	const char *allow; /* the Allow header of a 405 */
	int retry_after;
};

/* A path parameter as an id (> 0); false (and a 404 written) if it is not one. */
bool http_param_id(struct req *rq, int i, int64_t *id);
/* A query value by field name: NULL when absent or null. */
const char *http_query(struct req *rq, const char *name);
bool http_query_bool(struct req *rq, const char *name);
/* An integer query value by field name (bounds checked by the route's table): dflt
 * when absent or null. */
int64_t http_query_int(struct req *rq, const char *name, int64_t dflt);

/* Answer with JSON text already in rq->out (status 200/201). */
void http_json(struct req *rq, int status);
/* Answer with no body (204). */
void http_empty(struct req *rq, int status);
/* Answer with a problem+json body for e and ctx->err. */
void http_problem(struct req *rq, enum err e);
/* Answer e == ERR_OK ? the replay or JSON : the problem. Common tail of handlers. */
void http_finish(struct req *rq, enum err e, int status);

/*
 * Answer later: work(arg) runs on the server's hashing threads (off the
 * request workers), then resume(rq, arg) answers on a request worker with a
 * new rq (route, ctx and client address as before; no body). The caller has
 * reserved a slot with workq_reserve(rq->hashq).
 */
void http_defer(struct req *rq, void (*work)(void *arg), void *arg,
                void (*resume)(struct req *rq, void *arg));

/* Write a list page: {"items": [...], "next_cursor": ..., "total": ...}. */
void http_page(struct req *rq, const struct page *p, size_t item_size,
               void (*item_json)(const void *item, struct buf *out));

#endif
