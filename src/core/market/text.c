/* text: normalisation, segmentation, stop words and stemming (see text.h). */
#include "core/market/text.h"

#include "lib/buf.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/*
 * The Snowball English stop list without its contractions (the apostrophe
 * is dropped inside words, so "don't" arrives as "dont"), sorted for
 * bsearch. Stop words are removed before stemming, as Snowball intends.
 */
static const char *const stop_words[] = {
        "a",       "about",  "above",  "after",  "again",    "against",    "all",     "am",
        "an",      "and",    "any",    "are",    "as",       "at",         "be",      "because",
        "been",    "before", "being",  "below",  "between",  "both",       "but",     "by",
        "can",     "cannot", "could",  "did",    "do",       "does",       "doing",   "down",
        "during",  "each",   "few",    "for",    "from",     "further",    "had",     "has",
        "have",    "having", "he",     "her",    "here",     "hers",       "herself", "him",
        "himself", "his",    "how",    "i",      "if",       "in",         "into",    "is",
        "it",      "its",    "itself", "me",     "more",     "most",       "my",      "myself",
        "no",      "nor",    "not",    "of",     "off",      "on",         "once",    "only",
        "or",      "other",  "ought",  "our",    "ours",     "ourselves",  "out",     "over",
        "own",     "same",   "she",    "should", "so",       "some",       "such",    "than",
        "that",    "the",    "their",  "theirs", "them",     "themselves", "then",    "there",
        "these",   "they",   "this",   "those",  "through",  "to",         "too",     "under",
        "until",   "up",     "very",   "was",    "we",       "were",       "what",    "when",
        "where",   "which",  "while",  "who",    "whom",     "why",        "will",    "with",
        "would",   "you",    "your",   "yours",  "yourself", "yourselves",
};
enum { NSTOP = sizeof stop_words / sizeof stop_words[0] };

/*
 * Words that phrase a request rather than name its subject ("I am
 * interested in articles that discuss ..."), dropped from queries only:
 * a need written as a sentence would otherwise match every record that
 * happens to use them. General English request wording, sorted for
 * bsearch; words that are also subjects of technology ("paper", "interest",
 * "description") are not in it.
 */
static const char *const request_words[] = {
        "also",       "article",      "articles",  "concerning", "describe",   "describes",
        "describing", "discuss",      "discusses", "discussing", "discussion", "discussions",
        "especially", "etc",          "find",      "interested", "like",       "looking",
        "need",       "particularly", "please",    "regarding",  "relevant",   "seek",
        "seeking",    "want",         "wanted",    "wish",
};
enum { NREQUEST = sizeof request_words / sizeof request_words[0] };

/* Stems are cached: the same few thousand words make up most text. */
enum { STEM_CACHE = 8192 };
struct stem_slot {
	uint8_t wlen, slen;
	char word[TEXT_TERM_MAX];
	char stem[TEXT_TERM_MAX];
};

struct text_analyzer {
	struct sb_stemmer *stemmer;
	struct stem_slot *cache;
	struct buf norm;
	struct buf valid; /* the valid characters of invalid UTF-8 input */
	uint32_t *cjk;    /* byte offsets of the current CJK run's characters */
	size_t ncjk, cjk_cap;
	bool query; /* analysing a query: request words are dropped too */
};

struct text_analyzer *text_new(void)
{
	struct text_analyzer *t = xcalloc(1, sizeof *t);
	t->stemmer = sb_stemmer_new("english", NULL);
	if (!t->stemmer)
		abort(); /* only fails when out of memory: our policy is to abort */
	t->cache = xcalloc(STEM_CACHE, sizeof *t->cache);
	return t;
}

void text_free(struct text_analyzer *t)
{
	if (!t)
		return;
	sb_stemmer_delete(t->stemmer);
	free(t->cache);
	free(t->cjk);
	buf_free(&t->norm);
	buf_free(&t->valid);
	free(t);
}

static int cmp_stop(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool in_list(const char *const *list, size_t nlist, const char *w, size_t n)
{
	char k[16];
	if (n >= sizeof k)
		return false;
	memcpy(k, w, n);
	k[n] = 0;
	return bsearch(k, list, nlist, sizeof list[0], cmp_stop) != NULL;
}

bool text_is_stop(const char *w, size_t n)
{
	return in_list(stop_words, NSTOP, w, n);
}

bool text_is_request(const char *w, size_t n)
{
	return in_list(request_words, NREQUEST, w, n);
}

static bool is_cjk(int32_t c)
{
	return (c >= 0x3040 && c <= 0x30FF) || /* kana */
	       (c >= 0x3400 && c <= 0x4DBF) || /* Han extension A */
	       (c >= 0x4E00 && c <= 0x9FFF) || /* Han */
	       (c >= 0xAC00 && c <= 0xD7AF) || /* Hangul syllables */
	       (c >= 0xF900 && c <= 0xFAFF) || /* compatibility ideographs */
	       (c >= 0x20000 && c <= 0x3134F); /* Han extensions B-G */
}

static bool is_alnum(int32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	utf8proc_category_t k = utf8proc_category(c);
	return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
	       (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static void emit_word(struct text_analyzer *t, const char *w, size_t n, bool digit,
                      text_emit_fn emit, void *arg)
{
	if (n > TEXT_TERM_MAX)
		n = TEXT_TERM_MAX; /* may cut a character: harmless, both sides cut alike */
	if (digit) {
		emit(arg, w, n, TEXT_CODE);
		return;
	}
	if (text_is_stop(w, n) || (t->query && text_is_request(w, n)))
		return;
	struct stem_slot *s = &t->cache[hash_bytes(w, n) & (STEM_CACHE - 1)];
	if (s->wlen != n || memcmp(s->word, w, n)) {
		const sb_symbol *st = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w, (int)n);
		int sl = st ? sb_stemmer_length(t->stemmer) : 0;
		if (!st || sl <= 0 || sl > TEXT_TERM_MAX) {
			emit(arg, w, n, TEXT_WORD);
			return;
		}
		memcpy(s->word, w, n);
		s->wlen = (uint8_t)n;
		memcpy(s->stem, st, (size_t)sl);
		s->slen = (uint8_t)sl;
	}
	emit(arg, s->stem, s->slen, TEXT_WORD);
}

/* Bigrams over the CJK run ending at `end`; a lone character is a unigram. */
static void emit_cjk(struct text_analyzer *t, const char *s, size_t end, text_emit_fn emit,
                     void *arg)
{
	if (t->ncjk == 1)
		emit(arg, s + t->cjk[0], end - t->cjk[0], TEXT_CJK);
	for (size_t i = 0; i + 1 < t->ncjk; i++) {
		size_t stop = i + 2 < t->ncjk ? t->cjk[i + 2] : end;
		emit(arg, s + t->cjk[i], stop - t->cjk[i], TEXT_CJK);
	}
	t->ncjk = 0;
}

/* Append s under NFKC, case folded, marks and default-ignorables removed; false if not UTF-8. */
static bool nfkc(struct text_analyzer *t, const char *s, size_t n)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t k =
	        utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &out,
	                     UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
	                             UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_STRIPMARK);
	if (k >= 0)
		buf_append(&t->norm, out, (size_t)k);
	free(out);
	return k >= 0;
}

/*
 * The normal form of s into t->norm. Invalid UTF-8 loses the bytes that
 * start no valid character and the rest is normalised as if they had never
 * been there: one stray byte must not change how the whole text is read.
 */
static void normalise(struct text_analyzer *t, const char *s, size_t n)
{
	buf_reset(&t->norm);
	bool ascii = true;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = !((unsigned char)s[i] & 0x80);
	if (ascii) { /* the common case, and identity under NFKC: fold by hand */
		buf_append(&t->norm, s, n);
		for (size_t i = 0; i < n; i++)
			if (t->norm.data[i] >= 'A' && t->norm.data[i] <= 'Z')
				t->norm.data[i] = (char)(t->norm.data[i] + 32);
		return;
	}
	if (nfkc(t, s, n))
		return;
	buf_reset(&t->valid);
	for (size_t i = 0; i < n;) {
		int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &c);
		if (l <= 0) {
			i++;
			continue;
		}
		buf_append(&t->valid, s + i, (size_t)l);
		i += (size_t)l;
	}
	if (!nfkc(t, t->valid.data ? t->valid.data : "", t->valid.len))
		abort(); /* valid UTF-8 fails only when out of memory: our policy is to abort */
}

/* Whether the character at s[i] (of n bytes) is a letter or a digit. */
static bool alnum_at(const char *s, size_t i, size_t n)
{
	int32_t c;
	return i < n &&
	       utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c) >
	               0 &&
	       is_alnum(c);
}

/* Inside a code, . / - join when a letter or digit follows: CN2023101234567.8 */
static bool joins_code(int32_t c, bool digit, const char *s, size_t i, size_t n)
{
	if (!digit || (c != '.' && c != '/' && c != '-') || i + 1 >= n)
		return false;
	unsigned char nx = (unsigned char)s[i + 1];
	return (nx >= '0' && nx <= '9') || (nx >= 'a' && nx <= 'z');
}

void text_analyze(struct text_analyzer *t, const char *src, size_t srclen, text_emit_fn emit,
                  void *arg)
{
	normalise(t, src, srclen);
	const char *s = t->norm.data ? t->norm.data : "";
	size_t n = t->norm.len;
	char word[TEXT_TERM_MAX * 2];
	size_t wl = 0;
	bool digit = false, in_word = false;
	t->ncjk = 0;
	for (size_t i = 0; i < n;) {
		int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &c);
		if (l <= 0) {
			i++;
			continue;
		}
		bool cjk = c >= 0x3000 && is_cjk(c);
		if (t->ncjk && !cjk)
			emit_cjk(t, s, i, emit, arg);
		if (cjk) {
			if (t->ncjk == t->cjk_cap)
				t->cjk = xrealloc(t->cjk, (t->cjk_cap = t->cjk_cap * 2 + 64) * 4);
			t->cjk[t->ncjk++] = (uint32_t)i;
		} else if (is_alnum(c) || (in_word && joins_code(c, digit, s, i, n))) {
			if (wl + (size_t)l <= sizeof word)
				memcpy(word + wl, s + i, (size_t)l), wl += (size_t)l;
			digit |= c >= '0' && c <= '9';
			in_word = true;
			i += (size_t)l;
			continue;
		} else if (in_word && (c == '\'' || c == 0x2019) && alnum_at(s, i + (size_t)l, n)) {
			i += (size_t)l; /* the apostrophe inside a word: system's, don't */
			continue;
		}
		if (in_word)
			emit_word(t, word, wl, digit, emit, arg);
		in_word = digit = false;
		wl = 0;
		i += (size_t)l;
	}
	if (in_word)
		emit_word(t, word, wl, digit, emit, arg);
	if (t->ncjk)
		emit_cjk(t, s, n, emit, arg);
}

void text_analyze_query(struct text_analyzer *t, const char *s, size_t n, text_emit_fn emit,
                        void *arg)
{
	t->query = true;
	text_analyze(t, s, n, emit, arg);
	t->query = false;
}
