/* cmd_market: match and reindex (the market's import rides on cmd_import). */
#include "cli/cli.h"

#include "app/market/app_market.h"
#include "lib/csv.h"
#include "lib/jw.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Latencies for --stats: monotonic, so a clock step cannot skew them */
static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/*
 * One run of `match`: the engine loaded once, the output buffer reused per
 * hit, and every query's latency kept for the percentiles of --stats
 */
struct match_run {
	struct market_engine *engine;
	int top;
	bool jsonl;
	long queries, failed;
	double *lat; /* per query, ms */
	size_t nlat, cap;
	struct buf out;
};

/*
 * The TREC run format by default ("QUERY Q0 REF RANK SCORE RUN"), which
 * standard evaluation tools read; jsonl adds the explanation (docs/CLI.md)
 */
static void print_hits(struct match_run *m, const char *qref, const struct ix_result *r)
{
	struct buf *b = &m->out;
	for (int i = 0; i < r->n; i++) {
		const struct ix_hit *h = &r->hits[i];
		buf_reset(b);
		if (!m->jsonl) {
			buf_printf(b, "%s Q0 %s %d %.9f techbridge\n", qref, h->ref, i + 1,
			           h->score);
			fwrite(b->data, 1, b->len, stdout);
			continue;
		}
		struct jw w;
		jw_init(&w, b);
		jw_obj_open(&w);
		jw_kstr(&w, "query", qref);
		jw_ki64(&w, "rank", i + 1);
		jw_kstr(&w, "ref", h->ref);
		jw_key(&w, "score"), jw_f64(&w, h->score);
		jw_key(&w, "text"), jw_f64(&w, h->text);
		jw_key(&w, "terms");
		jw_arr_open(&w);
		for (int t = 0; t < h->nterms; t++) {
			jw_obj_open(&w);
			jw_kstr(&w, "term", h->terms[t].term);
			jw_key(&w, "score"), jw_f64(&w, h->terms[t].score);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
		jw_key(&w, "signals");
		jw_obj_open(&w);
		for (int s = 0; s < MARKET_SIG__MAX; s++)
			if (h->signals[s] != 0)
				jw_key(&w, market_signals[s].name), jw_f64(&w, h->signals[s]);
		jw_obj_close(&w);
		jw_obj_close(&w);
		buf_putc(b, '\n');
		fwrite(b->data, 1, b->len, stdout);
	}
}

/* Only the engine's ranking is timed, not the printing */
static void match_one(struct match_run *m, const struct market_item *it)
{
	struct ix_result r;
	double t0 = now_ms();
	app_market_match(m->engine, it, m->top, &r);
	double dt = now_ms() - t0;
	if (m->nlat == m->cap)
		m->lat = xrealloc(m->lat, (m->cap = m->cap * 2 + 256) * sizeof *m->lat);
	m->lat[m->nlat++] = dt;
	print_hits(m, it->f[MARKET_F_REF], &r);
	ix_result_free(&r);
	m->queries++;
}

/*
 * One row of the query file: build the item and match it, or report the line. A
 * query is validated like an imported item (market_item_from_text) but never stored.
 */
static void match_row(struct match_run *m, enum market_kind k, const char *file, long line,
                      const char *const *names, const char *const *vals, int n)
{
	struct arena a = ARENA_INIT;
	struct market_item it;
	struct err_detail d = {0};
	enum err e = market_item_from_text(k, names, vals, n, &a, &it, &d);
	if (e) {
		m->failed++;
		fprintf(stderr, "%s:%ld: %s%s%s\n", file, line, d.field, d.field[0] ? ": " : "",
		        d.message);
	} else {
		match_one(m, &it);
	}
	arena_free(&a);
}

/*
 * Unlike import, every column must be a field of the kind, and every row must
 * have the header's number of fields
 */
static void match_csv(struct match_run *m, enum market_kind k, const char *file, FILE *f)
{
	struct csv c;
	csv_init(&c, f);
	const char **fields;
	int n, ncol = 0;
	char *names[LIMIT_CSV_COLUMNS];
	struct err_detail d = {0};
	if (csv_next(&c, &fields, &n, &d) == ERR_OK && n <= LIMIT_CSV_COLUMNS) {
		ncol = n;
		for (int i = 0; i < n; i++)
			names[i] = xstrdup(fields[i]);
	}
	enum err e;
	while (ncol && (e = csv_next(&c, &fields, &n, &d)) != ERR_NOT_FOUND) {
		if (e || n != ncol) {
			m->failed++;
			fprintf(stderr, "%s:%ld: %s\n", file, c.line,
			        e ? d.message : "has a different number of fields than the header");
			if (e)
				break;
			continue;
		}
		match_row(m, k, file, c.line, (const char *const *)names, fields, n);
	}
	for (int i = 0; i < ncol; i++)
		free(names[i]);
	csv_free(&c);
}

/* Strings, integers and null only: the values become the text a CSV cell would hold */
static void match_jsonl(struct match_run *m, enum market_kind k, const char *file, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	while ((len = cli_next_line(f, &line, &cap, &lineno)) > 0) {
		json_error_t je;
		json_t *o = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &je);
		const char *names[64], *vals[64];
		char nums[64][32];
		int n = 0;
		bool ok = json_is_object(o) && json_object_size(o) <= 64;
		const char *key;
		json_t *v;
		json_object_foreach(ok ? o : NULL, key, v)
		{
			names[n] = key;
			if (json_is_string(v))
				vals[n] = json_string_value(v);
			else if (json_is_integer(v))
				snprintf(nums[n], sizeof nums[n], "%lld",
				         (long long)json_integer_value(v)),
				        vals[n] = nums[n];
			else if (json_is_null(v))
				vals[n] = NULL;
			else
				ok = false;
			n++;
		}
		if (ok)
			match_row(m, k, file, lineno, names, vals, n);
		else {
			m->failed++;
			fprintf(stderr, "%s:%ld: not a JSON object of strings and integers\n", file,
			        lineno);
		}
		json_decref(o);
	}
	free(line);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Percentiles by sorting the kept latencies once, at the end */
static void print_stats(struct match_run *m)
{
	for (int k = 0; k < MARKET__KINDS; k++)
		fprintf(stderr, "index %s: %zu documents, %zu terms, %.1f MiB, built in %.0f ms\n",
		        k == MARKET_LISTING ? "listings" : "demands", ix_count(m->engine->ix[k]),
		        ix_terms(m->engine->ix[k]),
		        (double)ix_memory(m->engine->ix[k]) / (1024.0 * 1024.0),
		        m->engine->load_ms[k]);
	if (!m->nlat)
		return;
	qsort(m->lat, m->nlat, sizeof *m->lat, cmp_double);
	double sum = 0;
	for (size_t i = 0; i < m->nlat; i++)
		sum += m->lat[i];
	fprintf(stderr, "match: %zu queries, mean %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	        m->nlat, sum / (double)m->nlat, m->lat[m->nlat / 2],
	        m->lat[(size_t)((double)m->nlat * 0.99)], m->lat[m->nlat - 1]);
}

/* The query source named by the flags; false (usage) unless exactly one is given. */
static bool match_source(const struct cli_cmd *cmd, const char **v, enum market_kind *k,
                         const char **file, const char **ref)
{
	const char *src[4] = {cli_flag(cmd, v, "--demands"), cli_flag(cmd, v, "--demand"),
	                      cli_flag(cmd, v, "--listings"), cli_flag(cmd, v, "--listing")};
	int given = 0;
	for (int i = 0; i < 4; i++)
		if (src[i]) {
			given++;
			*k = i < 2 ? MARKET_DEMAND : MARKET_LISTING;
			*file = i % 2 ? NULL : src[i];
			*ref = i % 2 ? src[i] : NULL;
		}
	return given == 1;
}

/* A stored item by ref, or a file of queries (JSON Lines by the .jsonl extension, else CSV) */
static int run_match(struct match_run *m, struct app_ctx *ctx, enum market_kind k, const char *file,
                     const char *ref)
{
	if (ref) {
		struct market_item it;
		enum err e = app_market_get(ctx, k, ref, &it);
		if (e)
			return cli_fail(e, &ctx->err, "match");
		match_one(m, &it);
		return 0;
	}
	FILE *f = cli_input(file);
	if (!f) {
		fprintf(stderr, "techbridge match: cannot open %s\n", file);
		return EXIT_INPUT;
	}
	if (cli_ends_with(file, ".jsonl"))
		match_jsonl(m, k, file, f);
	else
		match_csv(m, k, file, f);
	if (f != stdin)
		fclose(f);
	return m->failed ? EXIT_INPUT : 0;
}

static int cmd_match(int argc, char **argv)
{
	const struct cli_cmd *cmd = cli_find("match");
	const char *v[16];
	char *pos[CLI_ARGS_MAX];
	int npos, status;
	if (!cli_parse(cmd, argc, argv, v, pos, &npos, &status))
		return status;
	enum market_kind k = MARKET_DEMAND;
	const char *file = NULL, *ref = NULL, *top = cli_flag(cmd, v, "--top"),
	           *format = cli_flag(cmd, v, "--format");
	int64_t n = 10;
	if (npos || !match_source(cmd, v, &k, &file, &ref) ||
	    (top && !num_parse(top, 1, IX_TOP_MAX, &n)) ||
	    (format && strcmp(format, "trec") && strcmp(format, "jsonl"))) {
		cli_usage(cmd, stderr);
		return EXIT_USAGE;
	}
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	struct match_run m = {.top = (int)n, .jsonl = format && !strcmp(format, "jsonl")};
	enum err e = app_market_load(&ctx, &m.engine);
	int rc = e ? cli_fail(e, &ctx.err, "match") : run_match(&m, &ctx, k, file, ref);
	if (!e && cli_flag(cmd, v, "--stats"))
		print_stats(&m);
	fflush(stdout);
	buf_free(&m.out);
	free(m.lat);
	app_market_engine_free(m.engine);
	cli_close(&app, &ctx);
	return rc;
}

/*
 * Builds the indexes from the database as `match` does and reports their size
 * and build time; nothing is written
 */
static int cmd_reindex(int argc, char **argv)
{
	CLI_PARSE("reindex", npos == 0);
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	struct match_run m = {0};
	enum err e = app_market_load(&ctx, &m.engine);
	int rc = e ? cli_fail(e, &ctx.err, "reindex") : 0;
	if (!e) {
		for (int k = 0; k < MARKET__KINDS; k++)
			printf("%s: %zu documents, %zu terms, %.1f MiB, %.0f ms\n",
			       k == MARKET_LISTING ? "listings" : "demands",
			       ix_count(m.engine->ix[k]), ix_terms(m.engine->ix[k]),
			       (double)ix_memory(m.engine->ix[k]) / (1024.0 * 1024.0),
			       m.engine->load_ms[k]);
	}
	app_market_engine_free(m.engine);
	cli_close(&app, &ctx);
	return rc;
}

static const struct cli_flag match_flags[] = {
        {"--demands", "FILE", "rank stored listings for each demand in FILE (CSV or .jsonl)"},
        {"--demand", "REF", "rank stored listings for a stored demand"},
        {"--listings", "FILE", "rank stored demands for each listing in FILE"},
        {"--listing", "REF", "rank stored demands for a stored listing"},
        {"--top", "N", "results per query (default 10)"},
        {"--format", "FMT", "trec (default: QUERY Q0 REF RANK SCORE techbridge) or jsonl"},
        {"--stats", NULL, "print index size, build time and query latencies on stderr"},
        {NULL, NULL, NULL},
};

/* The market module's commands, joined to the command table through cli/cmd_modules.def */
const struct cli_cmd cli_commands_market[] = {
        {"match", cmd_match, match_flags, "",
         "rank listings for demands (or demands for listings), with explanations in jsonl"},
        {"reindex", cmd_reindex, cli_no_flags, "",
         "rebuild the matcher's indexes from the database and report their size"},
};
const int cli_commands_market_n = sizeof cli_commands_market / sizeof cli_commands_market[0];
