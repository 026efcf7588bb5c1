/* Unit tests of lib/: buffers, JSON writer, numbers, dates, base64, CSV, fields. */
#include "lib/arena.h"
#include "lib/b64.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/date.h"
#include "lib/fields.h"
#include "lib/jw.h"
#include "lib/num.h"
#include "lib/smtp.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void num_parses_bounded_integers(void)
{
	static const struct {
		const char *s;
		int64_t min, max;
		bool ok;
		int64_t want;
	} cases[] = {
	        {"0", 0, 10, true, 0},
	        {"10", 0, 10, true, 10},
	        {"11", 0, 10, false, 0},
	        {"-1", 0, 10, false, 0},
	        {"-5", -10, 10, true, -5},
	        {"9223372036854775807", 0, INT64_MAX, true, INT64_MAX},
	        {"9223372036854775808", 0, INT64_MAX, false, 0},
	        {"-9223372036854775808", INT64_MIN, 0, true, INT64_MIN},
	        {"", 0, 10, false, 0},
	        {"-", -10, 10, false, 0},
	        {"1a", 0, 100, false, 0},
	        {" 1", 0, 100, false, 0},
	        {"+1", 0, 100, false, 0},
	        {"00012", 0, 100, true, 12},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t v = -99;
		bool ok = num_parse(cases[i].s, cases[i].min, cases[i].max, &v);
		CHECK_INT(ok, cases[i].ok);
		if (ok)
			CHECK_INT(v, cases[i].want);
	}
}

static void dates_round_trip_and_reject_impossible_days(void)
{
	int32_t d;
	char out[DATE_STR];
	CHECK(date_parse("1970-01-01", &d) && d == 0);
	CHECK(date_parse("2024-02-29", &d));
	date_format(d, out);
	CHECK_STR(out, "2024-02-29");
	CHECK(!date_parse("2023-02-29", &d));
	CHECK(!date_parse("2026-13-01", &d));
	CHECK(!date_parse("2026-1-01", &d));
	CHECK(!date_parse("2026-01-01x", &d));
	CHECK(!date_parse("1900-02-29", &d));
	CHECK(date_parse("2000-02-29", &d));
	CHECK(date_parse("2026-11-21", &d));
	CHECK_INT(date_weekday(d), 5); /* a Saturday */
	char inst[INSTANT_STR];
	instant_format(1781000000, inst);
	int64_t t;
	CHECK(instant_parse(inst, &t) && t == 1781000000);
	CHECK(!instant_parse("2026-11-21T25:00:00Z", &t));
}

static void json_writer_escapes_and_separates(void)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_kstr(&w, "a", "x\"y\\z\n\x01");
	jw_ki64(&w, "n", -42);
	jw_key(&w, "list");
	jw_arr_open(&w);
	jw_bool(&w, true);
	jw_null(&w);
	jw_f64(&w, 0.1);
	jw_str(&w, "中文");
	jw_arr_close(&w);
	jw_kstr(&w, "bad", "\xff\xfe");
	jw_obj_close(&w);
	CHECK_STR(buf_str(&b), "{\"a\":\"x\\\"y\\\\z\\n\\u0001\",\"n\":-42,\"list\":[true,null,0.1,"
	                       "\"中文\"],\"bad\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
	buf_free(&b);
}

static void base64url_round_trips(void)
{
	const char *in = "c:12345";
	char enc[32];
	unsigned char dec[32];
	size_t n;
	for (size_t len = 0; len <= strlen(in); len++) {
		b64url_encode(in, len, enc);
		CHECK_INT(strlen(enc), b64url_encoded_len(len));
		CHECK(b64url_decode(enc, dec, sizeof dec, &n) && n == len && !memcmp(dec, in, len));
	}
	CHECK(!b64url_decode("a", dec, sizeof dec, &n));
	CHECK(!b64url_decode("ab+/", dec, sizeof dec, &n));
}

static void csv_reads_rfc4180(void)
{
	const char text[] = "\xEF\xBB\xBF"
	                    "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n\n2,\"multi\nline\",\n3,,";
	FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
	struct csv c;
	csv_init(&c, f);
	const char **fl;
	int n;
	struct err_detail d = {0};
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_OK && n == 3);
	CHECK_STR(fl[0], "a");
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_OK && n == 3);
	CHECK_STR(fl[1], "x,y");
	CHECK_STR(fl[2], "say \"hi\"");
	CHECK_INT(c.line, 2);
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_OK && n == 3);
	CHECK_STR(fl[1], "multi\nline");
	CHECK_STR(fl[2], "");
	CHECK_INT(c.line, 4);
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_OK && n == 3);
	CHECK_INT(c.line, 6);
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_NOT_FOUND);
	csv_free(&c);
	fclose(f);

	const char bad[] = "a,b\n1,\"open";
	f = fmemopen((void *)bad, sizeof bad - 1, "r");
	csv_init(&c, f);
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_OK);
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_MALFORMED && d.line == 2);
	csv_free(&c);
	fclose(f);

	/* a later record wider than the first: the handed-out field array grows with it */
	struct buf wide = BUF_INIT;
	buf_append(&wide, "a,b\n", 4);
	for (int i = 0; i < 100; i++)
		buf_printf(&wide, "%s%d", i ? "," : "", i);
	buf_append(&wide, "\nx\n", 3);
	f = fmemopen(wide.data, wide.len, "r");
	csv_init(&c, f);
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_OK && n == 2);
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_OK && n == 100);
	CHECK_STR(fl[0], "0");
	CHECK_STR(fl[99], "99");
	CHECK(csv_next(&c, &fl, &n, &d) == ERR_OK && n == 1);
	CHECK_STR(fl[0], "x");
	csv_free(&c);
	fclose(f);
	buf_free(&wide);

	struct buf b = BUF_INIT;
	csv_put_field(&b, "plain");
	buf_putc(&b, ',');
	csv_put_field(&b, "a \"q\", b");
	CHECK_STR(buf_str(&b), "plain,\"a \"\"q\"\", b\"");
	buf_free(&b);
}

static bool never(const char *s, const char **why)
{
	(void)s;
	*why = "is never right";
	return false;
}

static void fields_validate_json_and_text(void)
{
	static const char *const colours[] = {"red", "green", NULL};
	static const struct field_def defs[] = {
	        {"name", FT_TEXT, FD_REQUIRED, 1, 5, NULL, NULL, ""},
	        {"colour", FT_TEXT, FD_NULLABLE, 1, 10, colours, NULL, ""},
	        {"n", FT_INT, 0, 1, 9, NULL, NULL, ""},
	        {"flag", FT_BOOL, 0, 0, 0, NULL, NULL, ""},
	        {"never", FT_TEXT, FD_NULLABLE, 1, 10, NULL, never, ""},
	};
	enum { N = sizeof defs / sizeof defs[0] };
	struct field_val v[N];
	struct arena a = ARENA_INIT;
	struct err_detail d;
	static const struct {
		const char *json;
		bool creating;
		enum err want;
		const char *field;
	} cases[] = {
	        {"{\"name\":\"  ab  \",\"colour\":\"red\",\"n\":3,\"flag\":true}", true, ERR_OK,
	         ""},
	        {"{\"name\":\"中文五个字\"}", true, ERR_OK, ""},
	        {"{\"name\":\"中文六个字了\"}", true, ERR_INVALID, "name"},
	        {"{\"colour\":\"red\"}", true, ERR_INVALID, "name"},
	        {"{\"colour\":\"red\"}", false, ERR_OK, ""},
	        {"{\"name\":\"x\",\"colour\":\"blue\"}", true, ERR_INVALID, "colour"},
	        {"{\"name\":\"x\",\"colour\":null}", true, ERR_OK, ""},
	        {"{\"name\":null}", true, ERR_INVALID, "name"},
	        {"{\"name\":\"x\",\"n\":10}", true, ERR_INVALID, "n"},
	        {"{\"name\":\"x\",\"n\":\"3\"}", true, ERR_INVALID, "n"},
	        {"{\"name\":\"x\",\"flag\":1}", true, ERR_INVALID, "flag"},
	        {"{\"name\":\"x\",\"extra\":1}", true, ERR_INVALID, "extra"},
	        {"{\"name\":\"x\\u0001\"}", true, ERR_INVALID, "name"},
	        {"{\"name\":\"   \"}", true, ERR_INVALID, "name"},
	        {"{\"name\":\"x\",\"never\":\"y\"}", true, ERR_INVALID, "never"},
	        {"[1]", true, ERR_MALFORMED, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *j = json_loads(cases[i].json, 0, NULL);
		err_clear(&d);
		enum err e = fields_from_json(defs, N, j, cases[i].creating, v, &a, &d);
		if (e != cases[i].want || strcmp(d.field, cases[i].field))
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].json);
		CHECK_INT(e, cases[i].want);
		CHECK_STR(d.field, cases[i].field);
		json_decref(j);
	}
	json_t *j = json_loads("{\"name\":\" e\\u0301t\\u00e9 \"}", 0, NULL);
	CHECK(fields_from_json(defs, N, j, true, v, &a, &d) == ERR_OK);
	CHECK_STR(v[0].s, "\xC3\xA9t\xC3\xA9"); /* trimmed and composed to NFC */
	json_decref(j);

	CHECK(fields_set_text(&defs[2], "7", &v[2], &a, &d) == ERR_OK && v[2].i == 7);
	CHECK(fields_set_text(&defs[2], "x", &v[2], &a, &d) == ERR_INVALID);
	CHECK(fields_set_text(&defs[3], "false", &v[3], &a, &d) == ERR_OK && !v[3].b);
	CHECK(fields_set_text(&defs[1], "", &v[1], &a, &d) == ERR_OK && v[1].null);
	arena_free(&a);
}

/*
 * Free text loses control characters (to spaces) and invisible bidi and
 * zero-width characters, and says how many; identifiers refuse them.
 */
static void fields_clean_free_text_and_refuse_in_identifiers(void)
{
	struct arena a = ARENA_INIT;
	const char *why = NULL;
	unsigned n = 99;
	/* form feed and a right-to-left override in a description: kept lines, counted */
	CHECK_STR(fields_clean_text("a\fb\xE2\x80\xAE"
	                            "cba\n\tx\r\ny\rz",
	                            TEXT_LINES, &a, &n, &why),
	          "a bcba\n\tx\r\ny z");
	CHECK_INT(n, 3);
	/* one line: tab and newline become spaces too; C1 and DEL as well */
	CHECK_STR(fields_clean_text("a\tb\nc\xC2\x85"
	                            "d\x7F"
	                            "e",
	                            TEXT_LINE, &a, &n, &why),
	          "a b c d e");
	CHECK_INT(n, 4);
	/* zero-width, word joiner, BOM, LRM/RLM, isolates, ALM: removed; then trimmed */
	CHECK_STR(fields_clean_text(
	                  "\xE2\x80\x8B \xEF\xBB\xBFna\xE2\x80\x8Dme\xE2\x81\xA0\xE2\x80\x8E"
	                  "\xE2\x80\x8F\xE2\x81\xA6\xE2\x81\xA9\xD8\x9C \f",
	                  TEXT_LINE, &a, &n, &why),
	          "name");
	CHECK_INT(n, 10);
	/* clean text is untouched and counts nothing */
	CHECK_STR(fields_clean_text(" 中文 abc ", TEXT_LINE, &a, &n, &why), "中文 abc");
	CHECK_INT(n, 0);
	/* identifiers: refused, with the reason */
	CHECK(!fields_clean_text("ab\xE2\x80\x8B"
	                         "c",
	                         TEXT_IDENT, &a, &n, &why));
	CHECK(why && strstr(why, "invisible"));
	CHECK(!fields_clean_text("ab\xE2\x80\xAE", TEXT_IDENT_LINES, &a, &n, &why));
	CHECK(!fields_clean_text("a\fb", TEXT_IDENT, &a, &n, &why));
	CHECK_STR(why, "contains a control character");
	CHECK(!fields_clean_text("a\nb", TEXT_IDENT, &a, &n, &why));
	CHECK_STR(fields_clean_text("[\n1]", TEXT_IDENT_LINES, &a, &n, &why), "[\n1]");

	/* through the field tables: the flag decides, the value counts */
	static const struct field_def defs[] = {
	        {"ref", FT_TEXT, FD_REQUIRED, 1, 64, NULL, NULL, ""},
	        {"description", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, 20000, NULL, NULL, ""},
	};
	struct field_val v[2];
	struct err_detail d;
	json_t *j = json_loads("{\"ref\":\"r1\",\"description\":\"x\\f\\u202Ey\\u200b\"}", 0, NULL);
	CHECK(fields_from_json(defs, 2, j, true, v, &a, &d) == ERR_OK);
	CHECK_STR(v[1].s, "x y");
	CHECK_INT(v[1].changed, 3);
	CHECK_INT(fields_changed(v, 2), 3);
	json_decref(j);
	j = json_loads("{\"ref\":\"r\\u200b1\"}", 0, NULL);
	err_clear(&d);
	CHECK(fields_from_json(defs, 2, j, true, v, &a, &d) == ERR_INVALID);
	CHECK_STR(d.field, "ref");
	json_decref(j);
	err_clear(&d);
	CHECK(fields_set_text(&defs[1],
	                      "a\x01"
	                      "b",
	                      &v[1], &a, &d) == ERR_OK);
	CHECK_STR(v[1].s, "a b");
	CHECK_INT(v[1].changed, 1);
	CHECK(fields_set_text(&defs[0],
	                      "a\x01"
	                      "b",
	                      &v[0], &a, &d) == ERR_INVALID);
	arena_free(&a);
}

static void arena_keeps_everything_until_freed(void)
{
	struct arena a = ARENA_INIT;
	char *first = arena_strdup(&a, "first");
	char *big = arena_alloc(&a, 100000);
	memset(big, 'x', 100000);
	char *p = arena_printf(&a, "%s-%d", "n", 42);
	CHECK_STR(first, "first");
	CHECK_STR(p, "n-42");
	CHECK(arena_strdup(&a, NULL) == NULL);
	arena_reset(&a);
	CHECK_STR(arena_strdup(&a, "again"), "again");
	arena_free(&a);
}

static void smtp_message_encodes_subject_and_stuffs_dots(void)
{
	struct buf b = BUF_INIT;
	smtp_encode_header("plain subject", &b);
	CHECK_STR(b.data, "plain subject");
	buf_reset(&b);
	smtp_encode_header("申报", &b); /* two characters, six bytes */
	CHECK_STR(b.data, "=?UTF-8?B?55Sz5oql?=");
	buf_reset(&b);
	/* 20 characters of 3 bytes: 45 bytes per word, so 15 + 5 characters, never split */
	smtp_encode_header("一二三四五六七八九十一二三四五六七八九十", &b);
	CHECK(strstr(b.data, "?=\r\n =?UTF-8?B?") != NULL);
	CHECK(strlen(strchr(b.data, '\r')) < strlen(b.data));
	CHECK_INT(strcspn(b.data, "\r"), 10 + 60 + 2);
	buf_reset(&b);
	smtp_dot_stuff(".a\r\nb\r\n..c\r\nd", 13, &b);
	CHECK_STR(b.data, "..a\r\nb\r\n...c\r\nd\r\n.\r\n");
	buf_reset(&b);
	struct smtp_mail m = {.from = "a@x",
	                      .to = "b@y",
	                      .subject = "hi",
	                      .body = "l1\nl2\r\n",
	                      .date = "Sat, 21 Nov 2026 08:00:00 +0000",
	                      .message_id = "1@x"};
	smtp_message(&m, &b);
	CHECK_STR(b.data, "From: a@x\r\nTo: b@y\r\nSubject: hi\r\n"
	                  "Date: Sat, 21 Nov 2026 08:00:00 +0000\r\nMessage-ID: <1@x>\r\n"
	                  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	                  "Content-Transfer-Encoding: 8bit\r\n\r\nl1\r\nl2\r\n");
	char date[40];
	smtp_date(1795248000LL, date); /* 2026-11-21T08:00:00Z */
	CHECK_STR(date, "Sat, 21 Nov 2026 08:00:00 +0000");
	buf_free(&b);
}

UNIT_MAIN(UNIT_CASE(num_parses_bounded_integers),
          UNIT_CASE(dates_round_trip_and_reject_impossible_days),
          UNIT_CASE(json_writer_escapes_and_separates), UNIT_CASE(base64url_round_trips),
          UNIT_CASE(csv_reads_rfc4180), UNIT_CASE(fields_validate_json_and_text),
          UNIT_CASE(fields_clean_free_text_and_refuse_in_identifiers),
          UNIT_CASE(arena_keeps_everything_until_freed),
          UNIT_CASE(smtp_message_encodes_subject_and_stuffs_dots))
