/* Unit tests of core/text: normalisation, English, Chinese, mixed text and codes. */
#include "core/market/text.h"
#include "lib/buf.h"
#include "unit.h"

/* The terms of s joined by '|'. */
static void add_term(void *arg, const char *term, size_t len, enum text_kind kind)
{
	(void)kind;
	struct buf *b = arg;
	if (b->len)
		buf_putc(b, '|');
	buf_append(b, term, len);
}

static char out[4096];

static const char *analyse(const char *s, bool query)
{
	static struct text_analyzer *t;
	if (!t)
		t = text_new();
	struct buf b = BUF_INIT;
	(query ? text_analyze_query : text_analyze)(t, s, strlen(s), add_term, &b);
	snprintf(out, sizeof out, "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

static const char *terms(const char *s)
{
	return analyse(s, false);
}

static void english_is_stemmed_without_stop_words(void)
{
	CHECK_STR(terms("The Batteries are charging quickly"), "batteri|charg|quick");
	CHECK_STR(terms("a system's processes; don't"), "system|process|dont");
	/* the typographic apostrophe too: it looked at the byte after its first (fuzz_text) */
	CHECK_STR(terms("a system’s processes; don’t"), "system|process|dont");
	CHECK_STR(terms("l'été 2’2"), "lete|22");
	CHECK_STR(terms("Li-ion cells"), "li|ion|cell");
	CHECK_STR(terms(""), "");
	CHECK_STR(terms("the of and"), "");
}

static void unicode_is_normalised_and_folded(void)
{
	CHECK_STR(terms("ＢＡＴＴＥＲＹ"), "batteri"); /* full-width: NFKC */
	CHECK_STR(terms("Café STRASSE"), "cafe|strass");
	CHECK_STR(terms("ﬁlter"), "filter"); /* the fi ligature */
	CHECK_STR(terms("bad \xff byte"), "bad|byte");
	/* a stray byte is dropped; the rest is still NFKC (fuzz_text found it was not) */
	CHECK_STR(terms("Café \xff ＢＡＴＴＥＲＹ ﬁlter \xa1Ａ"), "cafe|batteri|filter");
	CHECK_STR(terms("ＺＬ２０２３\xe4\xb8"), "zl2023");
}

static void chinese_becomes_bigrams(void)
{
	CHECK_STR(terms("锂电池"), "锂电|电池");
	CHECK_STR(terms("电"), "电");
	CHECK_STR(terms("锂电池，隔膜"), "锂电|电池|隔膜");
	CHECK_STR(terms("储能电站 热管理"), "储能|能电|电站|热管|管理");
}

static void mixed_script_splits_at_the_boundary(void)
{
	CHECK_STR(terms("锂电池BMS管理"), "锂电|电池|bms|管理");
	CHECK_STR(terms("Lyapunov函数"), "lyapunov|函数");
	CHECK_STR(terms("基于5G的通信"), "基于|5g|的通|通信");
}

static void codes_stay_whole(void)
{
	CHECK_STR(terms("CN2023101234567.8"), "cn2023101234567.8");
	CHECK_STR(terms("专利号ZL202310123456.7。"), "专利|利号|zl202310123456.7");
	CHECK_STR(terms("industry C3484, class H01M10/0525"), "industri|c3484|class|h01m10/0525");
	CHECK_STR(terms("version 2.0."), "version|2.0");
	CHECK_STR(terms("GB/T 4754"), "gb|t|4754");
}

static void stop_words_are_sorted(void)
{
	CHECK(text_is_stop("the", 3));
	CHECK(text_is_stop("yourselves", 10));
	CHECK(!text_is_stop("battery", 7));
	/* every request word is found: the list is sorted */
	const char *req[] = {"also",    "article", "articles",   "discussions", "especially",
	                     "etc",     "find",    "interested", "like",        "particularly",
	                     "seeking", "want",    "wanted",     "wish"};
	for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
		CHECK(text_is_request(req[i], strlen(req[i])));
	CHECK(!text_is_request("paper", 5));
	CHECK(!text_is_request("interest", 8));
}

static void queries_drop_request_words(void)
{
	const char *need = "I am interested in articles that discuss battery recycling, especially "
	                   "cathode recovery; please find papers";
	CHECK_STR(analyse(need, true), "batteri|recycl|cathod|recoveri|paper");
	/* the indexed side keeps them: a record about "articles" can still be found by code or title */
	CHECK_STR(terms("articles discuss battery"), "articl|discuss|batteri");
	/* the analyzer is back in document mode after a query */
	CHECK_STR(analyse("Find articles", true), "");
	CHECK_STR(terms("Find articles"), "find|articl");
}

UNIT_MAIN(UNIT_CASE(english_is_stemmed_without_stop_words),
          UNIT_CASE(unicode_is_normalised_and_folded), UNIT_CASE(chinese_becomes_bigrams),
          UNIT_CASE(mixed_script_splits_at_the_boundary), UNIT_CASE(codes_stay_whole),
          UNIT_CASE(stop_words_are_sorted), UNIT_CASE(queries_drop_request_words))
