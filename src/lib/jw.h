/*
 * jw: a small streaming JSON writer into a struct buf. Output only: input is
 * parsed with jansson. It tracks commas so callers write keys and values in
 * order; it does not check that objects are closed (tests do). Strings are
 * escaped per RFC 8259; invalid UTF-8 is replaced by U+FFFD so the output is
 * always valid JSON.
 */
#ifndef TB_LIB_JW_H
#define TB_LIB_JW_H

#include "buf.h"

#include <stdbool.h>
#include <stdint.h>

enum { JW_DEPTH_MAX = 32 };

struct jw {
	struct buf *out;
	int depth;
	bool first[JW_DEPTH_MAX]; /* no element written yet at this depth */
	bool after_key;
};

void jw_init(struct jw *w, struct buf *out);
void jw_obj_open(struct jw *w);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);
/* A member name: one of the program's own identifiers, written without escaping. */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_i64(struct jw *w, int64_t v);
void jw_f64(struct jw *w, double v); /* shortest round-trip form; NaN/inf write null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Insert already-valid JSON text as a value. */
void jw_raw(struct jw *w, const char *json);

/* Key + value shorthands. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_ki64(struct jw *w, const char *key, int64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);

/* Append `s` escaped as a JSON string body (without quotes) to `out`. */
void jw_escape(struct buf *out, const char *s, size_t n);

#endif
