/* err: the one table that maps error kinds to HTTP status, exit code and title. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int http;
	int exit;
	const char *slug;
	const char *title;
} err_table[] = {
        [ERR_OK] = {200, 0, "ok", "OK"},
        [ERR_MALFORMED] = {400, 2, "malformed", "Malformed request"},
        [ERR_INVALID] = {422, 2, "invalid", "Invalid input"},
        [ERR_UNAUTHENTICATED] = {401, 3, "unauthenticated", "Authentication required"},
        [ERR_FORBIDDEN] = {403, 3, "forbidden", "Not allowed"},
        [ERR_NOT_FOUND] = {404, 2, "not-found", "Not found"},
        [ERR_METHOD] = {405, 1, "method-not-allowed", "Method not allowed"},
        [ERR_CONFLICT] = {409, 2, "conflict", "Conflict"},
        [ERR_TOO_LARGE] = {413, 2, "too-large", "Too large"},
        [ERR_RATE_LIMITED] = {429, 3, "rate-limited", "Too many requests"},
        [ERR_USAGE] = {400, 1, "usage", "Usage error"},
        [ERR_IO] = {500, 3, "io", "Input/output error"},
        [ERR_DB] = {500, 3, "database", "Database error"},
        [ERR_UNAVAILABLE] = {503, 3, "unavailable", "Service unavailable"},
        [ERR_INTERNAL] = {500, 3, "internal", "Internal error"},
        [ERR_MEDIA_TYPE] = {415, 2, "unsupported-media-type", "Unsupported media type"},
        [ERR_URI_TOO_LONG] = {414, 2, "uri-too-long", "URI too long"},
        [ERR_HEADERS_TOO_BIG] = {431, 2, "request-too-large", "Request header fields too large"},
        [ERR_STORAGE_FULL] = {507, 3, "storage-full", "Insufficient storage"},
        [ERR_STORAGE_IO] = {503, 3, "storage-io", "Storage failure"},
};
_Static_assert(sizeof err_table / sizeof err_table[0] == ERR__MAX,
               "err_table covers every enum err");

/* An out-of-range value (a bug) reports as an internal error instead of reading past the table */
static unsigned err_index(enum err e)
{
	return (unsigned)e < ERR__MAX ? (unsigned)e : ERR_INTERNAL;
}

int err_http_status(enum err e)
{
	return err_table[err_index(e)].http;
}

int err_exit_code(enum err e)
{
	return err_table[err_index(e)].exit;
}

const char *err_title(enum err e)
{
	return err_table[err_index(e)].title;
}

const char *err_slug(enum err e)
{
	return err_table[err_index(e)].slug;
}

/*
 * Returns e so a caller can write `return err_set(d, ERR_INVALID, ...)`. A
 * NULL detail is allowed for callers that only need the kind.
 */
enum err err_set(struct err_detail *d, enum err e, const char *field, const char *fmt, ...)
{
	if (!d)
		return e;
	snprintf(d->field, sizeof d->field, "%s", field ? field : "");
	d->code[0] = '\0';
	d->retry_after = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof d->message, fmt, ap);
	va_end(ap);
	return e;
}

enum err err_set_code(struct err_detail *d, enum err e, const char *code, const char *field,
                      const char *fmt, ...)
{
	if (!d)
		return e;
	snprintf(d->field, sizeof d->field, "%s", field ? field : "");
	snprintf(d->code, sizeof d->code, "%s", code ? code : "");
	d->retry_after = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof d->message, fmt, ap);
	va_end(ap);
	return e;
}

void err_clear(struct err_detail *d)
{
	if (d)
		memset(d, 0, sizeof *d);
}
