/* fields: validation of declared inputs. */
#include "lib/fields.h"

#include "lib/buf.h"
#include "lib/num.h"

#include <stdlib.h>

#include <string.h>
#include <utf8proc.h>

/* A linear scan: field tables hold a few dozen entries at most */
int fields_find(const struct field_def *defs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(defs[i].name, name))
			return (int)i;
	return -1;
}

/*
 * Lengths are counted in characters (what a user sees), not bytes: count the
 * bytes that do not continue a sequence. The text is already valid UTF-8.
 */
size_t fields_utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/*
 * What the trimming removes: ASCII white space and the ideographic space that
 * Chinese input methods type
 */
static bool is_space_at(const char *s, size_t *len)
{
	if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
		*len = 1;
		return true;
	}
	if (!strncmp(s, "\xE3\x80\x80", 3)) { /* U+3000 ideographic space */
		*len = 3;
		return true;
	}
	return false;
}

/*
 * Decode one UTF-8 sequence of at most n bytes into *cp; its length, or 0 if
 * it is not valid (overlong, surrogate, beyond U+10FFFF, truncated).
 */
static size_t utf8_decode(const unsigned char *p, size_t n, int32_t *cp)
{
	unsigned c = p[0];
	size_t len;
	int32_t min, v;
	if (c < 0x80) {
		*cp = (int32_t)c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, min = 0x80, v = (int32_t)(c & 0x1F);
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, min = 0x800, v = (int32_t)(c & 0x0F);
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, min = 0x10000, v = (int32_t)(c & 0x07);
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (int32_t)(p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/*
 * Characters NFC never changes and that never combine with a neighbour: below the
 * combining diacritics, CJK punctuation, unified ideographs and full-width forms. Almost
 * all names and codes are only these, so the normalisation pass can be skipped for them.
 */
static bool nfc_stable(int32_t cp)
{
	return cp < 0x300 || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xFF01 && cp <= 0xFFEF);
}

/* Trim ASCII and ideographic spaces from both ends: the start, its length in *n. */
static const char *trim(const char *s, size_t *n)
{
	size_t len;
	while (*s && is_space_at(s, &len))
		s += len;
	size_t m = strlen(s);
	while (m > 0) {
		size_t back = (m >= 3 && !strncmp(s + m - 3, "\xE3\x80\x80", 3)) ? 3 : 1;
		if (back == 1 && !strchr(" \t\n\r", s[m - 1]))
			break;
		m -= back;
	}
	*n = m;
	return s;
}

/*
 * Characters that change how text displays without being seen: bidi
 * embeddings, overrides, isolates and marks (they can make "txt.exe" read as
 * "exe.txt"), and zero-width characters (they make two equal-looking names
 * differ).
 */
static bool is_invisible(int32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
	       cp == 0x200F || cp == 0x061C || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 ||
	       cp == 0xFEFF;
}

/* C0, DEL and C1 controls. */
static bool is_control(int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Whether the control at p (left bytes from it) stays as it is in text of this kind. */
static bool control_kept(enum text_class kind, const unsigned char *p, size_t left)
{
	if (kind == TEXT_IDENT_LINES)
		return *p == '\t' || *p == '\n' || *p == '\r';
	if (kind == TEXT_LINES)
		return *p == '\t' || *p == '\n' || (*p == '\r' && left > 1 && p[1] == '\n');
	return false;
}

/* Free text: controls to spaces, invisible characters out; the count in *count. */
static const char *rewrite_free_text(const char *s, size_t n, enum text_class kind, struct arena *a,
                                     unsigned *count)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = arena_alloc(a, n + 1);
	size_t m = 0;
	*count = 0;
	for (size_t i = 0; i < n;) {
		int32_t cp;
		size_t k = p[i] >= 0x20 && p[i] < 0x7F ? (cp = p[i], 1)
		                                       : utf8_decode(p + i, n - i, &cp);
		if (is_control(cp) && !control_kept(kind, p + i, n - i)) {
			out[m++] = ' ';
			++*count;
		} else if (is_invisible(cp)) {
			++*count;
		} else {
			memcpy(out + m, p + i, k);
			m += k;
		}
		i += k;
	}
	out[m] = '\0';
	return out;
}

const char *fields_clean_text(const char *s, enum text_class kind, struct arena *a,
                              unsigned *changed, const char **why)
{
	size_t n;
	s = trim(s, &n);
	if (changed)
		*changed = 0;
	bool free_text = kind == TEXT_LINE || kind == TEXT_LINES;
	/* validate and look for control and invisible characters in one pass */
	bool stable = true;   /* every character is one NFC leaves alone */
	bool rewrite = false; /* free text with characters to replace or remove */
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (c >= 0x20 && c < 0x7F) { /* the common case, decoded inline */
			i++;
			continue;
		}
		int32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		if (!k) {
			*why = "is not valid UTF-8";
			return NULL;
		}
		bool control = is_control(cp) && !control_kept(kind, p + i, n - i);
		if ((control || is_invisible(cp)) && !free_text) {
			*why = control ? "contains a control character"
			               : "contains an invisible character (a bidi control or a "
			                 "zero-width character)";
			return NULL;
		}
		rewrite = rewrite || control || is_invisible(cp);
		stable = stable && nfc_stable(cp);
		i += k;
	}
	if (rewrite) {
		unsigned count;
		s = trim(rewrite_free_text(s, n, kind, a, &count), &n);
		if (changed)
			*changed = count;
	}
	if (stable)
		return arena_strndup(a, s, n);
	/*
	 * NFC so that the same name typed on two systems compares equal in the
	 * database and in uniqueness checks
	 */
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &nfc,
	                                  UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (m < 0) {
		*why = "is not valid UTF-8";
		return NULL;
	}
	char *out = arena_strndup(a, (const char *)nfc, (size_t)m);
	free(nfc);
	return out;
}

unsigned long fields_changed(const struct field_val *vals, size_t n)
{
	unsigned long sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += vals[i].changed;
	return sum;
}

/* A secret as given, checked only to be valid UTF-8 (its length is in characters). */
static const char *secret_text(const char *s, struct arena *a, const char **why)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		int32_t cp;
		size_t k = p[i] < 0x80 ? 1 : utf8_decode(p + i, n - i, &cp);
		if (!k) {
			*why = "is not valid UTF-8";
			return NULL;
		}
		i += k;
	}
	return arena_strndup(a, s, n);
}

/* Check a text value against its def; the value is already clean. */
static enum err check_text(const struct field_def *def, const char *s, struct err_detail *d)
{
	size_t len = fields_utf8_len(s);
	if ((int64_t)len < def->min)
		return def->min == 1
		               ? err_set(d, ERR_INVALID, def->name, "must not be empty")
		               : err_set(d, ERR_INVALID, def->name,
		                         "must be at least %lld characters", (long long)def->min);
	if (def->max && (int64_t)len > def->max)
		return err_set(d, ERR_INVALID, def->name, "must be at most %lld characters",
		               (long long)def->max);
	if (def->choices) {
		const char *const *c = def->choices;
		while (*c && strcmp(*c, s))
			c++;
		if (!*c) {
			struct buf list = BUF_INIT;
			for (c = def->choices; *c; c++)
				buf_printf(&list, "%s%s", c == def->choices ? "" : ", ", *c);
			err_set(d, ERR_INVALID, def->name, "must be one of: %s", buf_str(&list));
			buf_free(&list);
			return ERR_INVALID;
		}
	}
	const char *why = NULL;
	if (def->check && !def->check(s, &why))
		return err_set(d, ERR_INVALID, def->name, "%s", why ? why : "is not valid");
	return ERR_OK;
}

/*
 * A text field allowed more than 1000 characters is prose, where line breaks are kept.
 * An empty value of a nullable field that may not be empty clears it instead of failing.
 */
static enum err set_text(const struct field_def *def, const char *raw, struct field_val *v,
                         struct arena *a, struct err_detail *d)
{
	const char *why;
	bool lines = def->max > 1000;
	enum text_class kind = (def->flags & FD_FREE_TEXT)
	                               ? (lines ? TEXT_LINES : TEXT_LINE)
	                               : (lines ? TEXT_IDENT_LINES : TEXT_IDENT);
	unsigned changed = 0;
	/* a secret is used exactly as given: no trimming, no normalisation, nothing removed */
	const char *s = (def->flags & FD_SECRET) ? secret_text(raw, a, &why)
	                                         : fields_clean_text(raw, kind, a, &changed, &why);
	if (!s)
		return err_set(d, ERR_INVALID, def->name, "%s", why);
	v->changed = changed;
	if (!*s && (def->flags & FD_NULLABLE) && def->min > 0) {
		v->set = v->null = true;
		return ERR_OK;
	}
	enum err e = check_text(def, s, d);
	if (e)
		return e;
	v->set = true;
	v->s = s;
	return ERR_OK;
}

static enum err set_int(const struct field_def *def, int64_t i, struct field_val *v,
                        struct err_detail *d)
{
	if (i < def->min || i > def->max)
		return err_set(d, ERR_INVALID, def->name, "must be between %lld and %lld",
		               (long long)def->min, (long long)def->max);
	v->set = true;
	v->i = i;
	return ERR_OK;
}

/*
 * JSON types are not coerced: "5" is not an integer and 1 is not true, so a
 * client's type errors surface instead of being guessed at
 */
static enum err set_json(const struct field_def *def, const json_t *j, struct field_val *v,
                         struct arena *a, struct err_detail *d)
{
	if (json_is_null(j)) {
		if (!(def->flags & FD_NULLABLE))
			return err_set(d, ERR_INVALID, def->name, "must not be null");
		v->set = v->null = true;
		return ERR_OK;
	}
	switch (def->type) {
	case FT_TEXT:
		if (!json_is_string(j))
			return err_set(d, ERR_INVALID, def->name, "must be a string");
		/* jansson allows \u0000 inside strings; C strings would silently cut there */
		if (strlen(json_string_value(j)) != json_string_length(j))
			return err_set(d, ERR_INVALID, def->name, "contains a NUL character");
		return set_text(def, json_string_value(j), v, a, d);
	case FT_INT:
		if (!json_is_integer(j))
			return err_set(d, ERR_INVALID, def->name, "must be an integer");
		return set_int(def, json_integer_value(j), v, d);
	case FT_BOOL:
		if (!json_is_boolean(j))
			return err_set(d, ERR_INVALID, def->name, "must be true or false");
		v->set = true;
		v->b = json_is_true(j);
		return ERR_OK;
	}
	return ERR_INTERNAL;
}

/* Stops at the first bad member: the error names one field and the request is refused whole */
enum err fields_from_json(const struct field_def *defs, size_t n, const json_t *obj, bool creating,
                          struct field_val *vals, struct arena *a, struct err_detail *d)
{
	memset(vals, 0, n * sizeof *vals);
	if (!json_is_object(obj))
		return err_set(d, ERR_MALFORMED, "", "the body must be a JSON object");
	const char *key;
	const json_t *val;
	json_object_foreach((json_t *)obj, key, val)
	{
		int i = fields_find(defs, n, key);
		if (i < 0)
			return err_set(d, ERR_INVALID, key, "is not a known field");
		if (!creating && (defs[i].flags & FD_CREATE_ONLY))
			return err_set(d, ERR_INVALID, key, "cannot be changed");
		enum err e = set_json(&defs[i], val, &vals[i], a, d);
		if (e)
			return e;
	}
	return creating ? fields_require(defs, n, vals, d) : ERR_OK;
}

/*
 * The text form (CSV cells, CLI flags) where everything arrives as a string;
 * types are parsed here with the same bounds as the JSON form
 */
enum err fields_set_text(const struct field_def *def, const char *text, struct field_val *v,
                         struct arena *a, struct err_detail *d)
{
	memset(v, 0, sizeof *v);
	if (!text || !*text) {
		if (def->flags & FD_NULLABLE)
			v->set = v->null = true;
		return ERR_OK;
	}
	switch (def->type) {
	case FT_TEXT: return set_text(def, text, v, a, d);
	case FT_INT: {
		int64_t i;
		if (!num_parse(text, INT64_MIN, INT64_MAX, &i))
			return err_set(d, ERR_INVALID, def->name, "must be an integer");
		return set_int(def, i, v, d);
	}
	case FT_BOOL:
		if (!strcmp(text, "true") || !strcmp(text, "1"))
			v->b = true;
		else if (strcmp(text, "false") && strcmp(text, "0"))
			return err_set(d, ERR_INVALID, def->name, "must be true or false");
		v->set = true;
		return ERR_OK;
	}
	return ERR_INTERNAL;
}

enum err fields_require(const struct field_def *defs, size_t n, const struct field_val *vals,
                        struct err_detail *d)
{
	for (size_t i = 0; i < n; i++)
		if ((defs[i].flags & FD_REQUIRED) && (!vals[i].set || vals[i].null))
			return err_set(d, ERR_INVALID, defs[i].name, "is required");
	return ERR_OK;
}
