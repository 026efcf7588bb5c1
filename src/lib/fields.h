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
	/*
	 * Free text (names, titles, descriptions, messages): control characters
	 * become spaces and invisible bidi and zero-width characters are removed,
	 * and the value counts how many were changed. Text without this flag is an
	 * identifier or code (refs, credit codes, usernames, codes, enumerations),
	 * where any of them is refused.
	 */
	FD_FREE_TEXT = 1 << 4,
	FD_NO_BODY = 1 << 5, /* set by imports; request bodies may not (a workflow owns it) */
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
	unsigned changed; /* free text: characters replaced or removed by cleaning */
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

/* How fields_clean_text treats control and invisible formatting characters. */
enum text_class {
	TEXT_IDENT,       /* identifiers and codes: refuse them all */
	TEXT_IDENT_LINES, /* the same, but tab, CR and LF are allowed (JSON, base64) */
	TEXT_LINE,        /* free text on one line: controls (tab, LF too) become spaces */
	TEXT_LINES,       /* free text: tab, LF and CRLF kept, other controls become spaces */
};

/*
 * Normalise text: trim ASCII and ideographic spaces, reject invalid UTF-8, NFC.
 * Controls are C0 (but see `kind`), DEL and C1; invisible formatting
 * characters are the bidi embeddings, overrides, isolates and marks
 * (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C) and the zero-width ones
 * (U+200B-200D, U+2060, U+FEFF). In identifiers either is refused; in free
 * text a control becomes a space and an invisible character is removed, and
 * *changed (if not NULL) gets how many characters were changed. NULL on
 * error with *why set. Result in the arena.
 */
const char *fields_clean_text(const char *s, enum text_class kind, struct arena *a,
                              unsigned *changed, const char **why);

/* The sum of the values' `changed` counts (characters changed by cleaning). */
unsigned long fields_changed(const struct field_val *vals, size_t n);

/* Length of valid UTF-8 text in code points. */
size_t fields_utf8_len(const char *s);

#endif
