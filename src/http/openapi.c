/*
 * openapi: the OpenAPI 3.1 document, generated from the route table and the
 * field tables, so it cannot drift from what the server accepts. A copy is
 * kept in docs/openapi.json and a test checks that it is current.
 */
#include "http/routes.h"

#include "lib/jw.h"
#include "lib/limits.h"

#include <string.h>

/*
 * A field_def as a JSON Schema: a nullable field's type is [type, "null"] (OpenAPI 3.1 has
 * no "nullable"), text lengths in characters as the server counts them, secrets writeOnly
 */
static void schema_of(struct jw *w, const struct field_def *f)
{
	jw_obj_open(w);
	const char *type = f->type == FT_INT    ? "integer"
	                   : f->type == FT_BOOL ? "boolean"
	                                        : "string";
	jw_key(w, "type");
	if (f->flags & FD_NULLABLE) {
		jw_arr_open(w);
		jw_str(w, type);
		jw_str(w, "null");
		jw_arr_close(w);
	} else {
		jw_str(w, type);
	}
	if (f->type == FT_TEXT && f->max) {
		jw_ki64(w, "minLength", f->min);
		jw_ki64(w, "maxLength", f->max);
	}
	if (f->choices) {
		jw_key(w, "enum");
		jw_arr_open(w);
		for (const char *const *c = f->choices; *c; c++)
			jw_str(w, *c);
		jw_arr_close(w);
	}
	if (f->flags & FD_SECRET)
		jw_kbool(w, "writeOnly", true);
	jw_kstr(w, "description", f->doc);
	jw_obj_close(w);
}

/* A parameter that has no field_def (path ids, the list and version parameters) */
static void param(struct jw *w, const char *name, const char *in, bool required, const char *type,
                  const char *doc)
{
	jw_obj_open(w);
	jw_kstr(w, "name", name);
	jw_kstr(w, "in", in);
	jw_kbool(w, "required", required);
	jw_key(w, "schema");
	jw_obj_open(w);
	jw_kstr(w, "type", type);
	jw_obj_close(w);
	jw_kstr(w, "description", doc);
	jw_obj_close(w);
}

/*
 * Path parameters from the {name} segments of the pattern, then the route's declared
 * query parameters, then those the server adds by route flag (server.c common_param)
 */
static void parameters(struct jw *w, const struct route *r)
{
	jw_key(w, "parameters");
	jw_arr_open(w);
	for (const char *p = strchr(r->path, '{'); p; p = strchr(p + 1, '{')) {
		char name[32];
		size_t n = (size_t)(strchr(p, '}') - p - 1);
		memcpy(name, p + 1, n < sizeof name ? n : sizeof name - 1);
		name[n < sizeof name ? n : sizeof name - 1] = '\0';
		param(w, name, "path", true, "string", "identifier");
	}
	for (size_t i = 0; i < r->nquery; i++) {
		jw_obj_open(w);
		jw_kstr(w, "name", r->query[i].name);
		jw_kstr(w, "in", "query");
		jw_kbool(w, "required", r->query[i].flags & FD_REQUIRED);
		jw_key(w, "schema");
		schema_of(w, &r->query[i]);
		jw_kstr(w, "description", r->query[i].doc);
		jw_obj_close(w);
	}
	if (r->flags & ROUTE_LIST) {
		param(w, "limit", "query", false, "integer", "page size, 1-500 (default 50)");
		param(w, "cursor", "query", false, "string", "next_cursor of the previous page");
		param(w, "count", "query", false, "boolean", "also return the total");
	}
	if (r->flags & ROUTE_VERSION_QUERY)
		param(w, "version", "query", true, "integer",
		      "the version you read (409 if stale)");
	if (!strcmp(r->method, "POST"))
		param(w, "Idempotency-Key", "header", false, "string",
		      "repeat a POST safely: a replay with the same body returns the first "
		      "result; the same key with another body is 409");
	jw_arr_close(w);
}

/* A body checked by the handler's own parser: an object, described in docs. */
static void free_body(struct jw *w, const struct route *r)
{
	jw_key(w, "requestBody");
	jw_obj_open(w);
	jw_kbool(w, "required", true);
	jw_kstr(w, "description", r->doc);
	jw_key(w, "content");
	jw_obj_open(w);
	jw_key(w, "application/json");
	jw_obj_open(w);
	jw_key(w, "schema");
	jw_obj_open(w);
	jw_kstr(w, "type", "object");
	jw_obj_close(w);
	jw_obj_close(w);
	jw_obj_close(w);
	jw_obj_close(w);
}

/*
 * additionalProperties false: the server refuses unknown members, so the
 * document says so. A field is listed as required only on create routes, as
 * fields_from_json enforces it only there.
 */
static void request_body(struct jw *w, const struct route *r)
{
	if (r->flags & ROUTE_JSON)
		return free_body(w, r);
	if (!r->nbody)
		return;
	jw_key(w, "requestBody");
	jw_obj_open(w);
	jw_kbool(w, "required", true);
	jw_key(w, "content");
	jw_obj_open(w);
	jw_key(w, "application/json");
	jw_obj_open(w);
	jw_key(w, "schema");
	jw_obj_open(w);
	jw_kstr(w, "type", "object");
	jw_kbool(w, "additionalProperties", false);
	jw_key(w, "properties");
	jw_obj_open(w);
	for (size_t i = 0; i < r->nbody; i++) {
		jw_key(w, r->body[i].name);
		schema_of(w, &r->body[i]);
	}
	if (r->flags & ROUTE_VERSION_BODY) {
		jw_key(w, "version");
		jw_obj_open(w);
		jw_kstr(w, "type", "integer");
		jw_kstr(w, "description", "the version you read (409 if stale)");
		jw_obj_close(w);
	}
	jw_obj_close(w);
	jw_key(w, "required");
	jw_arr_open(w);
	for (size_t i = 0; (r->flags & ROUTE_BODY_CREATE) && i < r->nbody; i++)
		if (r->body[i].flags & FD_REQUIRED)
			jw_str(w, r->body[i].name);
	if (r->flags & ROUTE_VERSION_BODY)
		jw_str(w, "version");
	jw_arr_close(w);
	jw_obj_close(w);
	jw_obj_close(w);
	jw_obj_close(w);
	jw_obj_close(w);
}

/*
 * The success status by method, per docs/API.md's conventions; every error
 * shares the Problem schema
 */
static void responses(struct jw *w, const struct route *r)
{
	const char *ok = !strcmp(r->method, "POST")     ? "201"
	                 : !strcmp(r->method, "DELETE") ? "204"
	                                                : "200";
	jw_key(w, "responses");
	jw_obj_open(w);
	jw_key(w, ok);
	jw_obj_open(w);
	jw_kstr(w, "description", "success");
	jw_obj_close(w);
	jw_key(w, "default");
	jw_obj_open(w);
	jw_kstr(w, "description", "an error as application/problem+json (RFC 9457)");
	jw_key(w, "content");
	jw_raw(w, "{\"application/problem+json\":{\"schema\":{\"$ref\":\"#/components/schemas/"
	          "Problem\"}}}");
	jw_obj_close(w);
	jw_obj_close(w);
}

/* OpenAPI's operation keys are lower-case methods */
static void lower(char *dst, const char *src, size_t n)
{
	size_t i = 0;
	for (; src[i] && i + 1 < n; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
	dst[i] = '\0';
}

void openapi_document(struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_kstr(&w, "openapi", "3.1.0");
	jw_key(&w, "info");
	jw_raw(&w, "{\"title\":\"techbridge API\",\"version\":\"1\",\"description\":"
	           "\"Research-to-industry platform for SMEs. Conventions: docs/API.md.\"}");
	jw_key(&w, "paths");
	jw_obj_open(&w);
	/* routes of one path are adjacent in the table only by convention: group explicitly */
	size_t nroutes;
	const struct route *routes = route_table(&nroutes);
	for (size_t i = 0; i < nroutes; i++) {
		bool first = true;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(routes[k].path, routes[i].path))
				first = false;
		if (!first)
			continue;
		jw_key(&w, routes[i].path);
		jw_obj_open(&w);
		for (size_t k = i; k < nroutes; k++) {
			const struct route *r = &routes[k];
			if (strcmp(r->path, routes[i].path))
				continue;
			char m[8];
			lower(m, r->method, sizeof m);
			jw_key(&w, m);
			jw_obj_open(&w);
			jw_kstr(&w, "summary", r->doc);
			jw_key(&w, "tags");
			jw_arr_open(&w);
			jw_str(&w, r->tag);
			jw_arr_close(&w);
			if (r->auth == AUTH_USER) {
				jw_key(&w, "security");
				jw_raw(&w, "[{\"bearer\":[]}]");
			}
			parameters(&w, r);
			request_body(&w, r);
			responses(&w, r);
			jw_obj_close(&w);
		}
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	jw_key(&w, "components");
	jw_raw(&w, "{\"securitySchemes\":{\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\"}},"
	           "\"schemas\":{\"Problem\":{\"type\":\"object\",\"properties\":{"
	           "\"type\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},"
	           "\"status\":{\"type\":\"integer\"},\"detail\":{\"type\":\"string\"},"
	           "\"errors\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	           "\"field\":{\"type\":\"string\"},\"message\":{\"type\":\"string\"}}}}}}}}");
	jw_obj_close(&w);
}
