/*
 * routes: the route table of the API: method, path pattern, handler, who
 * may call it, declared query parameters and body fields, and a one-line
 * doc. The kernel's rows are in routes_kernel.def, each module's in
 * routes_<module>.def, registered by one line in routes_modules.def. The server matches requests against it and validates
 * input from it before any handler runs; the OpenAPI document is generated
 * from it.
 */
#ifndef TB_HTTP_ROUTES_H
#define TB_HTTP_ROUTES_H

#include "http/http.h"

enum route_auth {
	AUTH_PUBLIC, /* anyone; a token, when sent, identifies the caller */
	AUTH_USER,   /* signed in; finer decisions are app/'s */
};

enum {
	ROUTE_LIST = 1 << 0,          /* limit, cursor, count query parameters */
	ROUTE_VERSION_BODY = 1 << 1,  /* body carries a required "version" */
	ROUTE_VERSION_QUERY = 1 << 2, /* query carries a required "version" */
	ROUTE_BODY_CREATE = 1 << 3,   /* body fields' FD_REQUIRED apply */
	ROUTE_RAW = 1 << 4,           /* not under /api/v1: operations endpoints */
	ROUTE_JSON = 1 << 5,          /* a JSON object the handler parses itself (docs/FACTS.md) */
};

struct route {
	const char *method;
	const char *path; /* "/api/v1/organisations/{id}" */
	void (*handler)(struct req *rq);
	enum route_auth auth;
	unsigned flags;
	const struct field_def *query;
	size_t nquery;
	const struct field_def *body;
	size_t nbody;
	const char *tag;
	const char *doc;
};

/*
 * The whole route table: the kernel's routes, then each module's, in the order
 * of http/routes_modules.def; assembled on first use. *n gets its length.
 */
const struct route *route_table(size_t *n);

/*
 * Writing route tables (routes_*.def): one ROUTE row per line. FIELDS(table)
 * gives a declared field table with its length, NONE no fields. A module's
 * fragment is included at the end of its api_<module>.c into
 *   const struct route routes_<module>[]; const size_t routes_<module>_n;
 */
#define FIELDS(a) a, sizeof a / sizeof a[0]
#define NONE      NULL, 0
#define ROUTE(method, path, handler, auth, flags, query, body, tag, doc)                           \
	{method, path, handler, auth, flags, query, body, tag, doc},

/*
 * The route for method and path, filling params; NULL if none. When the path
 * exists with other methods, `allow` (allow_len bytes) lists them: "GET, POST".
 */
const struct route *route_match(const char *method, const char *path,
                                const char *params[HTTP_PATH_PARAMS], char *scratch,
                                size_t scratch_len, char *allow, size_t allow_len);

/* The OpenAPI 3.1 document generated from the table. */
void openapi_document(struct buf *out);

#endif
