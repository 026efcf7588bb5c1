/*
 * text: the analysis that turns listing and demand text into index terms,
 * the same at index and at query time. Steps: Unicode NFKC with case
 * folding and marks stripped (utf8proc); words of letters and digits are
 * split from CJK runs; a word with a digit is a code (patent and
 * application numbers, IPC classes, ZL/CN numbers) and kept whole, with
 * inner dots, slashes and hyphens; other words lose English stop words and
 * are stemmed (Snowball English, libstemmer); queries also lose request
 * words (text_analyze_query); CJK runs become overlapping
 * character bigrams, a lone CJK character a unigram.
 *
 * Ownership: a struct text_analyzer is created by text_new and freed by
 * text_free; it holds the stemmer and scratch space, so one analyzer serves
 * one thread at a time. Terms passed to the callback live until it returns.
 */
#ifndef TB_CORE_TEXT_H
#define TB_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum { TEXT_TERM_MAX = 64 }; /* longer words are cut to this many bytes */

enum text_kind { TEXT_WORD, TEXT_CODE, TEXT_CJK };

struct text_analyzer;

/* Called once per term in text order: term bytes (not NUL-terminated) and length. */
typedef void (*text_emit_fn)(void *arg, const char *term, size_t len, enum text_kind kind);

/* A new analyzer (English stemmer and stop words). Aborts when out of memory. */
struct text_analyzer *text_new(void);
void text_free(struct text_analyzer *t);

/*
 * Analyse n bytes of UTF-8 text, calling emit for each term. Invalid UTF-8
 * is skipped byte by byte rather than rejected: text comes from stored
 * records that were validated on the way in, and queries must not fail.
 */
void text_analyze(struct text_analyzer *t, const char *s, size_t n, text_emit_fn emit, void *arg);

/*
 * The same for a query (a demand or listing matched against the other
 * side, a search box): request words ("interested", "articles", "find")
 * are dropped as well, on top of the stop words.
 */
void text_analyze_query(struct text_analyzer *t, const char *s, size_t n, text_emit_fn emit,
                        void *arg);

/* Is the case-folded word w (n bytes) an English stop word? A request word (queries only)? */
bool text_is_stop(const char *w, size_t n);
bool text_is_request(const char *w, size_t n);

#endif
