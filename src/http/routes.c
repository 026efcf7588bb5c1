/* routes: the API's route table, assembled from the kernel's and the modules' rows, and its matcher. */
#include "http/routes.h"

#include "core/account.h"
#include "core/org.h"
#include "core/refdata.h"
#include "http/api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct route routes_kernel[] = {
#include "http/routes_kernel.def"
};

/* The modules' tables, declared and listed from the registration list. */
#define ROUTES_MODULE(m)                                                                           \
	extern const struct route routes_##m[];                                                    \
	extern const size_t routes_##m##_n;
#include "http/routes_modules.def"
#undef ROUTES_MODULE

static const struct {
	const struct route *rows;
	const size_t *n;
} route_parts[] = {
#define ROUTES_MODULE(m) {routes_##m, &routes_##m##_n},
#include "http/routes_modules.def"
#undef ROUTES_MODULE
};

/*
 * The assembled table, and each route's first segment after /api/v1/ (its
 * resource), worked out once: a request is only matched in full against
 * routes of its own resource, so matching does not grow with the table.
 */
static struct route *routes;
static size_t nroutes;
static struct {
	const char *key;
	size_t len;
} * route_keys;
static pthread_once_t routes_once = PTHREAD_ONCE_INIT;

/*
 * The resource of a path: its first segment after /api/v1/; any other path (the
 * operations endpoints) has the empty key, so those few are compared in full
 */
static void route_key(const char *path, const char **key, size_t *len)
{
	const char *k = strncmp(path, "/api/v1/", 8) ? path : path + 8;
	*key = k;
	*len = strcspn(k, "/");
}

/* Rows are copied into one array so a route's index doubles as its metrics slot */
static void append(const struct route *rows, size_t n)
{
	memcpy(routes + nroutes, rows, n * sizeof *rows);
	nroutes += n;
}

/* Runs once; the table lives as long as the process. */
static void routes_init(void)
{
	size_t total = sizeof routes_kernel / sizeof routes_kernel[0];
	for (size_t i = 0; i < sizeof route_parts / sizeof route_parts[0]; i++)
		total += *route_parts[i].n;
	routes = calloc(total, sizeof *routes);
	route_keys = calloc(total, sizeof *route_keys);
	if (!routes || !route_keys)
		abort(); /* at start-up, a few kilobytes: nothing to serve without it */
	append(routes_kernel, sizeof routes_kernel / sizeof routes_kernel[0]);
	for (size_t i = 0; i < sizeof route_parts / sizeof route_parts[0]; i++)
		append(route_parts[i].rows, *route_parts[i].n);
	for (size_t r = 0; r < nroutes; r++)
		route_key(routes[r].path, &route_keys[r].key, &route_keys[r].len);
}

const struct route *route_table(size_t *n)
{
	pthread_once(&routes_once, routes_init);
	*n = nroutes;
	return routes;
}

/* Match path against one pattern ({x} matches any non-empty segment), filling params. */
static bool route_fits(const char *pat, const char *p, const char *params[HTTP_PATH_PARAMS],
                       char *s)
{
	int np = 0;
	while (*pat && *p) {
		if (*pat == '{') {
			size_t n = strcspn(p, "/");
			if (n == 0 || np == HTTP_PATH_PARAMS)
				return false;
			memcpy(s, p, n);
			s[n] = '\0';
			/*
			 * parameters are copied into the caller's scratch and NUL-terminated, as a
			 * segment inside the path is not; the pointers stay valid for the whole
			 * request
			 */
			params[np++] = s;
			s += n + 1;
			p += n;
			pat = strchr(pat, '}') + 1;
		} else if (*pat++ != *p++) {
			return false;
		}
	}
	return !*pat && !*p;
}

/*
 * NULL both for "no such path" and "path exists, other method"; `allow` tells
 * them apart (405 with an Allow header instead of 404)
 */
const struct route *route_match(const char *method, const char *path,
                                const char *params[HTTP_PATH_PARAMS], char *scratch,
                                size_t scratch_len, char *allow, size_t allow_len)
{
	allow[0] = '\0';
	if (strlen(path) >= scratch_len)
		return NULL;
	pthread_once(&routes_once, routes_init);
	const char *key;
	size_t len;
	route_key(path, &key, &len);
	for (size_t r = 0; r < nroutes; r++) {
		if (route_keys[r].len != len || memcmp(route_keys[r].key, key, len) ||
		    !route_fits(routes[r].path, path, params, scratch))
			continue;
		if (!strcmp(routes[r].method, method))
			return &routes[r];
		size_t used = strlen(allow);
		snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "",
		         routes[r].method);
	}
	return NULL;
}
