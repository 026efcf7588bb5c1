/*
 * fields: declarative input specs. A resource describes its writable fields
 * once, as an array of struct field_def (name, type, bounds, allowed values,
 * a check function, a one-line doc); the same array validates JSON bodies,
 * query strings and CSV/JSONL import rows, and documents the API. Values
 * land in a parallel array of struct field_val; text is trimmed, checked to
 * be UTF-8 and NFC-normalised into the caller's arena.
 */
#ifndef TB_LIB_FIELDS_H
#define TB_LIB_FIELDS_H

#include "lib/arena.h"
#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum field_type { FT_TEXT, FT_INT, FT_BOOL };

enum {
	FD_REQUIRED = 1 << 0,    /* must be present (on create) */
	FD_NULLABLE = 1 << 1,    /* may be null (clears the value) */
	FD_CREATE_ONLY = 1 << 2, /* accepted on create, refused on update */
	FD_SECRET = 1 << 3,      /* never echoed (passwords) */
	FD_NO_BODY = 1 << 4,     /* set by imports; request bodies may not (a workflow owns it) */
};

struct field_def {
	const char *name;
	enum field_type type;
	unsigned flags;
	int64_t min, max;           /* text: length in characters; int: value */
	const char *const *choices; /* NULL-terminated allowed text values, or NULL */
	bool (*check)(const char *s, const char **why); /* extra rule for text, or NULL */
	const char *doc;
};

struct field_val {
	bool set;  /* present in the input */
	bool null; /* present as null */
	const char *s;
	int64_t i;
	bool b;
};

/* Index of field `name` in defs, or -1. */
int fields_find(const struct field_def *defs, size_t n, const char *name);

/*
 * Read a JSON object against defs into vals[n] (cleared first). Unknown
 * members, wrong types and values that break a def are ERR_INVALID naming the
 * field; a non-object is ERR_MALFORMED. `creating` enforces FD_REQUIRED and
 * refuses nothing else; !creating refuses FD_CREATE_ONLY fields.
 */
enum err fields_from_json(const struct field_def *defs, size_t n, const json_t *obj, bool creating,
                          struct field_val *vals, struct arena *a, struct err_detail *d);

/*
 * Set one value from text (a query parameter or a CSV cell): integers and
 * booleans ("true"/"false"/"1"/"0") are parsed; an empty cell is null for
 * nullable fields and absent otherwise.
 */
enum err fields_set_text(const struct field_def *def, const char *text, struct field_val *v,
                         struct arena *a, struct err_detail *d);

/* Check required fields after fields_set_text calls. */
enum err fields_require(const struct field_def *defs, size_t n, const struct field_val *vals,
                        struct err_detail *d);

/*
 * Normalise text: trim ASCII and ideographic spaces, reject invalid UTF-8 and
 * control characters (except \n and \t when `multiline`), NFC. NULL on error
 * with *why set. Result in the arena.
 */
const char *fields_clean_text(const char *s, bool multiline, struct arena *a, const char **why);

/* Length of valid UTF-8 text in code points. */
size_t fields_utf8_len(const char *s);

#endif
