/*
 * cmd_evaluate: `techbridge evaluate` (docs/CLI.md "evaluate"): facts as JSON
 * Lines in, one verdict line out per input line, no database. This file does
 * the I/O: it finds and reads the ruleset files (--rules DIR, TECHBRIDGE_RULES,
 * rules/ next to the binary, else the copies embedded in the binary) and
 * streams the records; core/rules does the rest.
 */
#include "cli/cli.h"

#include "core/gradient/facts.h"
#include "core/gradient/rules.h"
#include "lib/buf.h"
#include "lib/date.h"
#include "lib/embed.h"
#include "lib/jw.h"
#include "lib/limits.h"

#include <dirent.h>
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* output is collected and written in blocks of this size: a write per record would dominate */
enum { EVAL_FLUSH_BYTES = 1 << 16 };

struct rfile {
	char *name, *text;
	size_t len;
};

/*
 * Files load in name order (readdir's order is arbitrary), so messages come in
 * the same order on every machine
 */
static int rfile_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rfile *)a)->name, ((const struct rfile *)b)->name);
}

/*
 * Reading stops just past RULES_FILE_BYTES: enough for rules_add to refuse the
 * file as too large without reading all of a huge one
 */
static bool read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= RULES_FILE_BYTES)
		buf_append(&b, chunk, n);
	bool ok = !ferror(f);
	fclose(f);
	*len = b.len;
	*text = b.data ? buf_take(&b) : xstrdup("");
	return ok;
}

/* The *.json files of dir, or the embedded rules/ when dir is NULL. */
static int list_files(const char *dir, struct rfile *out, int max)
{
	int n = 0;
	if (!dir) {
		for (size_t i = 0; i < embed_count && n < max; i++)
			if (!strncmp(embed_files[i].path, "rules/", 6) &&
			    !strchr(embed_files[i].path + 6, '/')) /* not rules/holidays/ */
				out[n++] =
				        (struct rfile){xstrdup(embed_files[i].path),
				                       xstrdup((const char *)embed_files[i].data),
				                       embed_files[i].len};
		return n;
	}
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) && n < max) {
		size_t k = strlen(e->d_name);
		if (k < 6 || strcmp(e->d_name + k - 5, ".json"))
			continue;
		struct buf path = BUF_INIT;
		buf_printf(&path, "%s/%s", dir, e->d_name);
		out[n].name = buf_take(&path);
		if (!read_file(out[n].name, &out[n].text, &out[n].len)) {
			fprintf(stderr, "techbridge evaluate: cannot read %s\n", out[n].name);
			free(out[n].name);
			continue;
		}
		n++;
	}
	if (d)
		closedir(d);
	qsort(out, (size_t)n, sizeof *out, rfile_cmp);
	return n;
}

/*
 * rules/ beside the binary's directory (build/techbridge -> rules/), if it
 * exists. Found through /proc/self/exe, so it works from any working directory.
 */
static const char *rules_dir_near_binary(char *out, size_t n)
{
	char exe[4096];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k <= 0)
		return NULL;
	exe[k] = '\0';
	const char *up[] = {"/../rules", "/../../rules", "/rules"};
	for (int i = 0; i < 3; i++) {
		snprintf(out, n, "%s%s", dirname(exe), up[i]);
		DIR *d = opendir(out);
		if (d) {
			closedir(d);
			return out;
		}
		exe[k] = '\0';
	}
	return NULL;
}

/*
 * Load every ruleset; an overlay may come before its base in name order, so
 * files that fail are retried while others still load. Prints file:line: reason.
 */
static bool load_rules(struct rules *r, const char *dir)
{
	struct rfile files[RULES_SETS_MAX];
	int n = list_files(dir, files, RULES_SETS_MAX);
	bool done[RULES_SETS_MAX] = {0}, progress = true, ok = true;
	struct err_detail d;
	while (progress) {
		progress = false;
		for (int i = 0; i < n; i++)
			if (!done[i] &&
			    !rules_add(r, files[i].name, files[i].text, files[i].len, &d))
				done[i] = progress = true;
	}
	for (int i = 0; i < n; i++) {
		if (!done[i]) {
			rules_add(r, files[i].name, files[i].text, files[i].len, &d);
			fprintf(stderr, "%s:%ld: %s\n", d.field, d.line, d.message);
			ok = false;
		}
		free(files[i].name);
		free(files[i].text);
	}
	if (ok && rules_check(r, &d)) {
		fprintf(stderr, "%s: %s\n", d.field, d.message);
		ok = false;
	}
	if (n == 0)
		fprintf(stderr, "techbridge evaluate: no ruleset files in %s\n",
		        dir ? dir : "binary");
	return ok && n > 0;
}

/*
 * A refused record gives a line too, so output line N always answers input line N; the
 * ref is echoed when it can be read, so the caller can match the error to its record
 */
static void error_line(struct buf *out, json_t *obj, long line, const struct err_detail *d)
{
	json_t *ref = json_is_object(obj) ? json_object_get(obj, "ref") : NULL;
	buf_puts(out, "{\"ref\":");
	if (json_is_string(ref)) {
		buf_putc(out, '"');
		jw_escape(out, json_string_value(ref), json_string_length(ref));
		buf_putc(out, '"');
	} else {
		buf_puts(out, "null");
	}
	struct buf msg = BUF_INIT;
	if (d->field[0])
		buf_printf(&msg, "line %ld: %s: %s", line, d->field, d->message);
	else
		buf_printf(&msg, "line %ld: %s", line, d->message);
	buf_puts(out, ",\"error\":\"");
	jw_escape(out, buf_str(&msg), msg.len);
	buf_puts(out, "\"}\n");
	buf_free(&msg);
}

struct eval_run {
	const struct rules *rules;
	struct rules_query q;
	bool parse_only;
	long bad;
};

/* One input line to one output line. */
static void eval_line(struct eval_run *run, const char *line, size_t len, long lineno,
                      struct facts *fx, struct rules_result *res, struct buf *out)
{
	struct err_detail d = {0};
	json_error_t je;
	json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	/*
	 * --parse-only stops after JSON parsing: the benchmark's baseline for the cost
	 * of reading input
	 */
	if (run->parse_only) {
		json_decref(obj);
		return;
	}
	enum err e = ERR_OK;
	if (!obj)
		e = err_set(&d, ERR_INVALID, "", "malformed JSON: %s", je.text);
	else
		e = facts_parse(obj, fx, &d);
	char where[64];
	if (!e && facts_beyond_bounds(fx, where, sizeof where)) /* evaluated all the same */
		fprintf(stderr,
		        "techbridge evaluate: line %ld: %s is beyond what the API and the import "
		        "accept (docs/FACTS.md)\n",
		        lineno, where);
	if (!e && (e = rules_evaluate(run->rules, fx, &run->q, res)))
		err_set(&d, e, "", "no ruleset %s", run->q.ruleset);
	if (e) {
		run->bad++;
		error_line(out, obj, lineno, &d);
	} else {
		rules_result_json(out, fx->ref, run->q.as_of, res, run->q.gaps);
		buf_putc(out, '\n');
	}
	json_decref(obj);
}

/*
 * The facts and the result are large structs (fixed arrays): one of each on
 * the heap, reused for every line
 */
static void eval_stream(struct eval_run *run, FILE *in)
{
	struct facts *fx = xmalloc(sizeof *fx);
	struct rules_result *res = xmalloc(sizeof *res);
	struct buf out = BUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	while ((len = cli_next_line(in, &line, &cap, &lineno)) > 0) {
		if (len > LIMIT_CSV_LINE_BYTES) {
			struct err_detail d = {0};
			err_set(&d, ERR_TOO_LARGE, "", "line longer than %d bytes",
			        LIMIT_CSV_LINE_BYTES);
			error_line(&out, NULL, lineno, &d);
			run->bad++;
		} else {
			eval_line(run, line, (size_t)len, lineno, fx, res, &out);
		}
		if (out.len >= EVAL_FLUSH_BYTES) {
			fwrite(out.data, 1, out.len, stdout);
			buf_reset(&out);
		}
	}
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	free(line);
	free(res);
	free(fx);
}

/* Today in UTC, as the app layer computes its date (the day number of the Unix time) */
static int32_t today(void)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* --tier may repeat (cli_parse keeps the last): collect every value from argv. */
static int collect_tiers(int argc, char **argv, const char **tiers)
{
	int n = 0;
	for (int i = 0; i < argc && n < RULES_TIERS_MAX; i++) {
		if (!strcmp(argv[i], "--tier") && i + 1 < argc)
			tiers[n++] = argv[++i];
		else if (!strncmp(argv[i], "--tier=", 7))
			tiers[n++] = argv[i] + 7;
		else if (!strcmp(argv[i], "--"))
			break;
	}
	return n;
}

/*
 * Mistakes in the flags are usage errors found before any input is read, not
 * an error on every line of output
 */
static bool check_query(const struct rules *r, struct rules_query *q, const char *as_of)
{
	if (as_of && !date_parse(as_of, &q->as_of)) {
		fprintf(stderr, "techbridge evaluate: --as-of must be a date YYYY-MM-DD\n");
		return false;
	}
	const struct ruleset *rs = q->ruleset ? rules_find(r, q->ruleset) : NULL;
	if (q->ruleset && !rs) {
		fprintf(stderr, "techbridge evaluate: no ruleset %s\n", q->ruleset);
		return false;
	}
	for (int i = 0; i < q->ntiers; i++) {
		bool found = false;
		for (int k = 0; k < r->nsets && !found; k++)
			found = ruleset_has_tier(r->sets[k], q->tiers[i]) &&
			        (!rs || r->sets[k] == rs);
		if (!found) {
			fprintf(stderr, "techbridge evaluate: unknown tier %s%s%s\n", q->tiers[i],
			        rs ? " in ruleset " : "", rs ? q->ruleset : "");
			return false;
		}
	}
	return true;
}

/* Its own parsing rather than CLI_PARSE: --tier repeats, which cli_parse does not keep */
static int cmd_evaluate(int argc, char **argv)
{
	const struct cli_cmd *cmd = cli_find("evaluate");
	const char *v[16], *tiers[RULES_TIERS_MAX];
	char *pos[CLI_ARGS_MAX];
	int npos, status;
	if (!cli_parse(cmd, argc, argv, v, pos, &npos, &status))
		return status;
	if (npos != 1) {
		cli_usage(cmd, stderr);
		return EXIT_USAGE;
	}
	struct eval_run run = {.q = {.as_of = today(),
	                             .ruleset = cli_flag(cmd, v, "--ruleset"),
	                             .tiers = tiers,
	                             .gaps = cli_flag(cmd, v, "--gaps") != NULL}};
	run.q.ntiers = collect_tiers(argc, argv, tiers);
	run.parse_only = cli_flag(cmd, v, "--parse-only") != NULL;
	const char *dir = cli_flag(cmd, v, "--rules");
	char near[4096];
	if (!dir)
		dir = getenv("TECHBRIDGE_RULES");
	/*
	 * --rules, then TECHBRIDGE_RULES, then rules/ near the binary, then the copy
	 * embedded at build time
	 */
	if (!dir || !*dir)
		dir = rules_dir_near_binary(near, sizeof near);
	struct rules rules;
	rules_init(&rules);
	run.rules = &rules;
	if (!load_rules(&rules, dir)) {
		rules_free(&rules);
		return EXIT_INPUT;
	}
	if (!check_query(&rules, &run.q, cli_flag(cmd, v, "--as-of"))) {
		rules_free(&rules);
		return EXIT_USAGE;
	}
	FILE *in = cli_input(pos[0]);
	if (!in) {
		fprintf(stderr, "techbridge evaluate: %s: cannot open\n", pos[0]);
		rules_free(&rules);
		return EXIT_OTHER;
	}
	eval_stream(&run, in);
	if (in != stdin)
		fclose(in);
	rules_free(&rules);
	if (fflush(stdout) != 0)
		return EXIT_OTHER;
	/* exit 2 when any record was refused, though the others were evaluated (docs/CLI.md) */
	return run.bad ? EXIT_INPUT : 0;
}

static const struct cli_flag evaluate_flags[] = {
        {"--as-of", "DATE", "evaluation date (default: today)"},
        {"--ruleset", "ID", "use this ruleset instead of choosing by date"},
        {"--tier", "TIER", "evaluate only this tier (repeatable; default: every tier)"},
        {"--gaps", NULL, "add each unreached tier's smallest changes (\"gaps\")"},
        {"--rules", "DIR",
         "ruleset directory (default: TECHBRIDGE_RULES, rules/ near the "
         "binary, else the embedded copy)"},
        {"--parse-only", NULL, "only parse the input (benchmark reference)"},
        {NULL, NULL, NULL},
};

/* The gradient module's commands, joined to the command table through cli/cmd_modules.def */
const struct cli_cmd cli_commands_gradient[] = {
        {"evaluate", cmd_evaluate, evaluate_flags, "FILE|-",
         "evaluate enterprise facts (JSON Lines) against the tier rules; no database"},
};
const int cli_commands_gradient_n = sizeof cli_commands_gradient / sizeof cli_commands_gradient[0];
