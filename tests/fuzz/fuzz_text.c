/*
 * fuzz_text: core/text over arbitrary bytes. Invariants (abort on a breach):
 *   - every term has 1..TEXT_TERM_MAX bytes and a valid kind; a CJK term is
 *     valid UTF-8 of one or two characters, each at U+3000 or above;
 *   - analysis is a function of the text: the same analyzer twice (its stem
 *     cache warm, and polluted by every earlier input) and a fresh analyzer
 *     give the same terms;
 *   - invalid UTF-8 is skipped byte by byte (text.h): the text with its
 *     invalid bytes dropped gives the same terms;
 *   - a separator appended at the end (U+00A0, NFKC: a space) changes
 *     nothing, so the pure-ASCII fast path agrees with the utf8proc path;
 *   - the typographic apostrophe U+2019 works as the ASCII one: replacing
 *     each ' by it gives the same terms;
 *   - a query only drops words: its terms are a subsequence of the
 *     document terms of the same text, with the same codes and CJK terms.
 */
#include "core/market/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct terms {
	char *bytes; /* the terms' bytes one after another */
	size_t nbytes, cap;
	struct term {
		size_t off, len;
		enum text_kind kind;
	} * t;
	size_t n, tcap;
};

static void grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	*cap = need * 2 + 64;
	*p = realloc(*p, *cap * elem);
	if (!*p)
		abort();
}

static void check_cjk(const char *s, size_t n)
{
	size_t chars = 0;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &c);
		if (l <= 0 || c < 0x3000)
			abort();
		i += (size_t)l;
		chars++;
	}
	if (chars < 1 || chars > 2)
		abort();
}

static void collect(void *arg, const char *term, size_t len, enum text_kind kind)
{
	struct terms *ts = arg;
	if (len < 1 || len > TEXT_TERM_MAX)
		abort();
	if (kind != TEXT_WORD && kind != TEXT_CODE && kind != TEXT_CJK)
		abort();
	if (kind == TEXT_CJK)
		check_cjk(term, len);
	grow((void **)&ts->bytes, &ts->cap, ts->nbytes + len, 1);
	grow((void **)&ts->t, &ts->tcap, ts->n + 1, sizeof *ts->t);
	memcpy(ts->bytes + ts->nbytes, term, len);
	ts->t[ts->n++] = (struct term){ts->nbytes, len, kind};
	ts->nbytes += len;
}

static bool same_term(const struct terms *a, size_t i, const struct terms *b, size_t k)
{
	const struct term *x = &a->t[i], *y = &b->t[k];
	return x->len == y->len && x->kind == y->kind &&
	       !memcmp(a->bytes + x->off, b->bytes + y->off, x->len);
}

static void must_equal(const struct terms *a, const struct terms *b)
{
	if (a->n != b->n)
		abort();
	for (size_t i = 0; i < a->n; i++)
		if (!same_term(a, i, b, i))
			abort();
}

static void clear(struct terms *ts)
{
	ts->n = ts->nbytes = 0;
}

static void release(struct terms *ts)
{
	free(ts->bytes);
	free(ts->t);
}

/* The query's terms are the document's with some words left out. */
static void must_be_subsequence(const struct terms *q, const struct terms *doc)
{
	size_t k = 0;
	for (size_t i = 0; i < q->n; i++) {
		while (k < doc->n && !same_term(q, i, doc, k)) {
			if (doc->t[k].kind != TEXT_WORD)
				abort(); /* only words are dropped */
			k++;
		}
		if (k == doc->n)
			abort();
		k++;
	}
	for (; k < doc->n; k++)
		if (doc->t[k].kind != TEXT_WORD)
			abort();
}

/* s with the bytes that do not start a valid UTF-8 character dropped. */
static size_t valid_only(const uint8_t *s, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &c);
		if (l <= 0) {
			i++;
			continue;
		}
		memcpy(out + k, s + i, (size_t)l);
		k += (size_t)l;
		i += (size_t)l;
	}
	return k;
}

static struct text_analyzer *warm; /* lives across inputs: its stem cache fills up */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	if (!warm)
		warm = text_new();
	const char *s = (const char *)data;
	struct terms doc = {0}, other = {0}, query = {0};

	text_analyze(warm, s, size, collect, &doc);
	text_analyze(warm, s, size, collect, &other);
	must_equal(&doc, &other);

	struct text_analyzer *fresh = text_new();
	clear(&other);
	text_analyze(fresh, s, size, collect, &other);
	must_equal(&doc, &other);
	text_free(fresh);

	char *alt = malloc(size * 3 + 8);
	if (!alt)
		abort();
	size_t n = valid_only(data, size, alt);
	clear(&other);
	text_analyze(warm, alt, n, collect, &other);
	must_equal(&doc, &other);

	memcpy(alt, s, size);
	memcpy(alt + size, "\xc2\xa0", 2);
	clear(&other);
	text_analyze(warm, alt, size + 2, collect, &other);
	must_equal(&doc, &other);

	n = 0;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\'')
			memcpy(alt + n, "\xe2\x80\x99", 3), n += 3;
		else
			alt[n++] = s[i];
	clear(&other);
	text_analyze(warm, alt, n, collect, &other);
	must_equal(&doc, &other);

	text_analyze_query(warm, s, size, collect, &query);
	must_be_subsequence(&query, &doc);
	clear(&other);
	text_analyze_query(warm, s, size, collect, &other);
	must_equal(&query, &other);

	free(alt);
	release(&doc);
	release(&other);
	release(&query);
	return 0;
}
