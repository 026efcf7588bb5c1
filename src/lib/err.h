/*
 * err: the project-wide error kinds and the detail that goes with them.
 *
 * Every fallible function below the front ends returns `enum err` (0 is
 * success) and, where the caller can use it, fills a `struct err_detail`
 * owned by the caller. One table (err.c) maps each kind to its HTTP status,
 * CLI exit code and title, so front ends never invent their own mapping.
 */
#ifndef TB_LIB_ERR_H
#define TB_LIB_ERR_H

#include <stddef.h>

enum err {
	ERR_OK = 0,
	ERR_MALFORMED, /* input cannot be parsed: bad JSON, bad parameter syntax */
	ERR_INVALID,   /* well-formed input that breaks a rule */
	ERR_UNAUTHENTICATED,
	ERR_FORBIDDEN,
	ERR_NOT_FOUND,
	ERR_METHOD,    /* the resource exists, not with this method */
	ERR_CONFLICT,  /* duplicate key, stale version, overlapping booking */
	ERR_TOO_LARGE, /* body or file over its limit */
	ERR_RATE_LIMITED,
	ERR_USAGE, /* CLI: wrong invocation */
	ERR_IO,    /* file or network failure */
	ERR_DB,    /* the store failed (not the input's fault) */
	ERR_UNAVAILABLE,
	ERR_INTERNAL,
	/* HTTP framing and storage: appended so the kinds above keep their values */
	ERR_MEDIA_TYPE,      /* a body in a media type or charset the endpoint does not take */
	ERR_URI_TOO_LONG,    /* request target over LIMIT_URL_BYTES */
	ERR_HEADERS_TOO_BIG, /* too many query parameters or header fields */
	ERR_STORAGE_FULL,    /* the store cannot grow: disk or quota full */
	ERR_STORAGE_IO,      /* the store's disk failed to read or write */
	ERR__MAX
};

/* What went wrong, where: filled by the function that found the problem. */
struct err_detail {
	char field[64];    /* input field, JSON path or CSV column; "" if none */
	char message[256]; /* human sentence in English: "must be >= 0" */
	long line;         /* input line for file imports; 0 if none */
	char code[32];     /* stable code a UI can translate ("signin_delayed"); "" if none */
	int retry_after;   /* seconds, for a 429 or 503 that says when to come back; 0 if none */
};

/* HTTP status for kind `e` (200 for ERR_OK). */
int err_http_status(enum err e);
/* CLI exit status for kind `e`, per docs/CLI.md (0, 1 usage, 2 bad input, 3 other). */
int err_exit_code(enum err e);
/* Short stable title ("Invalid input"); also the problem type's last path part as slug. */
const char *err_title(enum err e);
const char *err_slug(enum err e);

/*
 * Record `e` with a field and a printf-style message in `d` (which may be
 * NULL) and return `e`, so a check reads: return err_set(d, ERR_INVALID,
 * "name", "must not be empty");
 */
enum err err_set(struct err_detail *d, enum err e, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * err_set, plus a stable machine-readable code (problem+json "code") that
 * front ends and UIs may rely on, unlike the English message.
 */
enum err err_set_code(struct err_detail *d, enum err e, const char *code, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Clear a detail before reuse. */
void err_clear(struct err_detail *d);

#endif
