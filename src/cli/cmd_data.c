/* cmd_data: import, export and demo. */
#include "cli/cli.h"

#include "app/app_audit.h"
#include "app/app_demo.h"
#include "app/app_module.h"
#include "app/app_import.h"
#include "app/app_org.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/*
 * One file's import: rows seen and refused, and a fatal error that stops the
 * file (the store failing, as opposed to a bad row)
 */
struct import_run {
	const char *file;
	struct importer *imp;
	long failed, rows;
	enum err fatal;
};

/* Report a skipped row; stop on failures of the import itself. */
static bool row_done(struct import_run *run, enum err e, const struct err_detail *d)
{
	run->rows++;
	if (e == ERR_OK)
		return true;
	/*
	 * the store or the system failed: no later row can succeed, so stop rather
	 * than report every row the same way
	 */
	if (e == ERR_DB || e == ERR_IO || e == ERR_INTERNAL || e == ERR_UNAVAILABLE) {
		run->fatal = e;
		fprintf(stderr, "%s:%ld: import failed: %s\n", run->file, d->line, d->message);
		return false;
	}
	run->failed++;
	if (d->field[0])
		fprintf(stderr, "%s:%ld: %s: %s\n", run->file, d->line, d->field, d->message);
	else
		fprintf(stderr, "%s:%ld: %s\n", run->file, d->line, d->message);
	return true;
}

/* The pipeline's callback: one row's outcome, with progress every 10,000 rows. */
static bool pipe_row_done(void *arg, enum err e, const struct err_detail *d)
{
	struct import_run *run = arg;
	bool go_on = row_done(run, e, d);
	if (run->rows % 10000 == 0)
		cli_progress(run->file, run->rows, 0);
	return go_on;
}

/*
 * CSV: the first record names the columns (app_import_columns maps them to the
 * kind's fields); the rows go through the app layer's pipeline
 */
static void import_csv(struct import_run *run, FILE *f)
{
	struct csv c;
	csv_init(&c, f);
	const char **fields;
	int n;
	struct err_detail d = {0};
	enum err e = csv_next(&c, &fields, &n, &d);
	if (e == ERR_NOT_FOUND) {
		fprintf(stderr, "%s: empty file\n", run->file);
		run->failed++;
	} else if (e || (e = app_import_columns(run->imp, fields, n, &d))) {
		fprintf(stderr, "%s:1: header: %s%s%s\n", run->file, d.field,
		        d.field[0] ? ": " : "", d.message);
		run->failed++;
	} else {
		struct err_detail read_d = {0};
		/* a broken record ends the file: the rest cannot be framed */
		if (app_import_csv(run->imp, &c, pipe_row_done, run, &read_d) && !run->fatal)
			row_done(run, ERR_INVALID, &read_d);
	}
	csv_free(&c);
}

/*
 * A JSON scalar as import text; false for arrays and objects. JSON Lines rows
 * take the same path as CSV cells, so both formats are validated by the same
 * field tables; %.17g keeps a double exact.
 */
static bool json_text(json_t *j, char *tmp, size_t n, const char **out)
{
	if (json_is_string(j))
		*out = json_string_value(j);
	else if (json_is_null(j))
		*out = "";
	else if (json_is_true(j) || json_is_false(j))
		*out = json_is_true(j) ? "true" : "false";
	else if (json_is_integer(j))
		snprintf(tmp, n, "%lld", (long long)json_integer_value(j)), *out = tmp;
	else if (json_is_real(j))
		snprintf(tmp, n, "%.17g", json_real_value(j)), *out = tmp;
	else
		return false;
	return true;
}

/* JSON Lines: one object per line, its members named like the kind's fields */
static void import_jsonl(struct import_run *run, FILE *f, const struct app_import_kind *kind)
{
	size_t ndefs;
	const struct field_def *defs = kind->fields(&ndefs);
	const char *names[32];
	for (size_t i = 0; i < ndefs; i++)
		names[i] = defs[i].name;
	struct err_detail d = {0};
	if (app_import_columns(run->imp, names, (int)ndefs, &d)) {
		row_done(run, ERR_INVALID, &d);
		return;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	while ((len = cli_next_line(f, &line, &cap, &lineno)) > 0) {
		err_clear(&d);
		d.line = lineno;
		/* the same bound as a CSV record, checked before parsing */
		if (len > LIMIT_CSV_LINE_BYTES) {
			err_set(&d, ERR_TOO_LARGE, "", "line longer than %d bytes",
			        LIMIT_CSV_LINE_BYTES);
			row_done(run, ERR_INVALID, &d);
			continue;
		}
		json_error_t je;
		json_t *obj = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &je);
		const char *vals[32] = {0};
		char nums[32][32];
		enum err e = ERR_OK;
		if (!obj || !json_is_object(obj)) {
			e = err_set(&d, ERR_INVALID, "",
			            obj ? "not a JSON object" : "malformed JSON: %s", je.text);
		} else {
			const char *key;
			json_t *val;
			json_object_foreach(obj, key, val)
			{
				int i = fields_find(defs, ndefs, key);
				if (i < 0) {
					e = err_set(&d, ERR_INVALID, key, "is not a field of %s",
					            kind->name);
					break;
				}
				if (!json_text(val, nums[i], sizeof nums[i], &vals[i])) {
					e = err_set(&d, ERR_INVALID, key,
					            "must be a string, number or null");
					break;
				}
			}
		}
		if (!e)
			e = app_import_row(run->imp, lineno, vals, (int)ndefs, &d);
		d.line = lineno;
		bool go_on = row_done(run, e, &d);
		json_decref(obj);
		if (!go_on)
			break;
		if (run->rows % 10000 == 0)
			cli_progress(run->file, run->rows, 0);
	}
	free(line);
}

/*
 * Files are imported one after another, each in its own run; a bad row is reported and
 * skipped, and the exit status is 2 if any row of any file was refused (docs/CLI.md)
 */
int cmd_import(int argc, char **argv)
{
	CLI_PARSE("import", npos >= 2);
	const struct app_import_kind *kind = app_import_kind_find(pos[0]);
	if (!kind) {
		struct buf names = BUF_INIT;
		app_import_kind_names(&names);
		fprintf(stderr, "techbridge import: %s: must be one of %s\n", pos[0],
		        buf_str(&names));
		buf_free(&names);
		return EXIT_USAGE;
	}
	const char *format = cli_flag(cmd, v, "--format");
	if (format && strcmp(format, "csv") && strcmp(format, "jsonl")) {
		fputs("techbridge import: --format must be csv or jsonl\n", stderr);
		return EXIT_USAGE;
	}
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	int rc = 0;
	for (int i = 1; i < npos && rc != EXIT_OTHER; i++) {
		struct import_run run = {.file = pos[i]};
		bool jsonl = format ? !strcmp(format, "jsonl") : cli_ends_with(pos[i], ".jsonl");
		FILE *f = cli_input(pos[i]);
		if (!f) {
			fprintf(stderr, "techbridge import: cannot open %s\n", pos[i]);
			rc = EXIT_INPUT;
			continue;
		}
		enum err e = app_import_begin(&ctx, kind, pos[i], &run.imp);
		if (e) {
			rc = cli_fail(e, &ctx.err, "import");
		} else {
			if (jsonl)
				import_jsonl(&run, f, kind);
			else
				import_csv(&run, f);
			cli_progress_done();
			struct import_stats st = {0};
			/*
			 * a fatal error abandons the file's unfinished work; otherwise the run is
			 * committed
			 */
			if (run.fatal) {
				app_import_abort(run.imp);
				e = run.fatal;
			} else {
				e = app_import_end(run.imp, &st);
			}
			if (e) {
				rc = cli_fail(e, &ctx.err, pos[i]);
			} else {
				printf("%s: %ld rows: %ld created, %ld updated, %ld failed\n",
				       pos[i], st.rows, st.created, st.updated, run.failed);
				if (st.text_changed)
					printf("%s: %ld characters changed in %ld rows (control "
					       "characters to spaces, bidi and zero-width "
					       "characters "
					       "removed)\n",
					       pos[i], st.text_changed, st.text_rows);
				if (run.failed && rc == 0)
					rc = EXIT_INPUT;
			}
		}
		if (f != stdin)
			fclose(f);
	}
	cli_close_checkpoint(&app, &ctx);
	return rc;
}

/* ---- export ---- */

/* Where and how an export writes. */
struct export_out {
	bool csv, jsonl, xlsx;
	FILE *f;
	lxw_worksheet *ws;
	struct buf line;
};

/*
 * The column names as the first line (CSV) or row (XLSX); JSON Lines has none,
 * each object names its members
 */
static void export_header(const struct app_export_kind *k, struct export_out *o)
{
	for (int c = 0; c < k->ncols; c++) {
		if (o->csv)
			buf_printf(&o->line, "%s%s", c ? "," : "", k->col(c));
		if (o->xlsx)
			worksheet_write_string(o->ws, 0, (lxw_col_t)c, k->col(c), NULL);
	}
	if (o->csv) {
		buf_putc(&o->line, '\n');
		fwrite(o->line.data, 1, o->line.len, o->f);
	}
}

/*
 * Record `row` (0-based, after the header): CSV and XLSX write the kind's
 * cells, JSON Lines its JSON form
 */
static void export_row(const struct app_export_kind *k, struct export_out *o, const void *item,
                       long row)
{
	char tmp[32];
	buf_reset(&o->line);
	if (o->jsonl) {
		k->json(item, &o->line);
	} else {
		for (int c = 0; c < k->ncols; c++) {
			const char *s = k->cell(item, c, tmp, sizeof tmp);
			if (o->csv) {
				if (c)
					buf_putc(&o->line, ',');
				csv_put_field(&o->line, s);
			} else if (s) {
				worksheet_write_string(o->ws, (lxw_row_t)(row + 1), (lxw_col_t)c, s,
				                       NULL);
			}
		}
	}
	if (!o->xlsx) {
		buf_putc(&o->line, '\n');
		fwrite(o->line.data, 1, o->line.len, o->f);
	}
}

/*
 * Page through the kind's records, writing each; *done counts them. Pages of LIMIT_PAGE_MAX
 * through the same paged queries as the API keep memory bounded whatever the table's size.
 */
static enum err export_all(const struct app_export_kind *k, struct app_ctx *ctx,
                           const char *const *filter, struct export_out *o, long *done)
{
	struct page_req pr = {.limit = LIMIT_PAGE_MAX};
	char cursor[128] = "";
	export_header(k, o);
	for (;;) {
		struct page p;
		pr.cursor = cursor[0] ? cursor : NULL;
		enum err e = k->page(ctx, filter, &pr, &p);
		if (e)
			return e;
		for (int i = 0; i < p.n; i++, (*done)++)
			export_row(k, o, (const char *)p.items + (size_t)i * k->item_size, *done);
		cli_progress("export", *done, 0);
		if (!p.next_cursor)
			return ERR_OK;
		/* the cursor is copied out first: it lives in the arena reset below */
		snprintf(cursor, sizeof cursor, "%s", p.next_cursor);
		arena_reset(&ctx->arena);
	}
}

/*
 * The output options; false (after a message) when they are wrong. XLSX needs
 * --output: the library writes its archive to a named file, not to a stream.
 */
static bool export_options(const char *format, const char *output, struct export_out *o)
{
	format = format ? format : "csv";
	o->csv = !strcmp(format, "csv"), o->jsonl = !strcmp(format, "jsonl"),
	o->xlsx = !strcmp(format, "xlsx");
	if (!o->csv && !o->jsonl && !o->xlsx) {
		fputs("techbridge export: --format must be csv, jsonl or xlsx\n", stderr);
		return false;
	}
	if (o->xlsx && !output) {
		fputs("techbridge export: xlsx needs --output FILE\n", stderr);
		return false;
	}
	return true;
}

/*
 * export's flags: --format and --output, then each kind's filters as --NAME
 * (the kernel's and every module's, each name once).
 */
enum { EXPORT_FLAGS_MAX = 16 }; /* cli_parse's value array is as long */

static const struct cli_flag *export_flags(struct cli_flag *fl, int max)
{
	int n = 0;
	fl[n++] = (struct cli_flag){"--format", "FMT", "csv (default), jsonl or xlsx"};
	fl[n++] = (struct cli_flag){"--output", "FILE",
	                            "write to FILE (required for xlsx; default stdout)"};
	struct buf names = BUF_INIT;
	app_export_kind_names(&names);
	char *save = NULL;
	for (char *name = strtok_r(names.data, "|", &save); name;
	     name = strtok_r(NULL, "|", &save)) {
		const struct app_export_kind *k = app_export_kind_find(name);
		for (size_t f = 0; f < k->nfilters; f++) {
			char flag[64];
			snprintf(flag, sizeof flag, "--%s", k->filters[f].name);
			bool seen = false;
			for (int i = 0; i < n && !seen; i++)
				seen = !strcmp(fl[i].name, flag);
			if (seen)
				continue;
			if (n == max - 1) { /* a build whose kinds declare more filters: say so */
				fprintf(stderr,
				        "techbridge: export kinds declare more than %d filters\n",
				        max - 3);
				abort();
			}
			fl[n++] = (struct cli_flag){strdup(flag), "VALUE", k->filters[f].doc};
		}
	}
	buf_free(&names);
	fl[n] = (struct cli_flag){NULL, NULL, NULL};
	return fl;
}

/* Built on first use and kept: the manual and --help read the same table */
const struct cli_flag *cli_export_flags(void)
{
	static struct cli_flag flags[EXPORT_FLAGS_MAX];
	return flags[0].name ? flags : export_flags(flags, EXPORT_FLAGS_MAX);
}

int cmd_export(int argc, char **argv)
{
	/*
	 * a copy of the table's row with the flags built at run time (the command table holds none)
	 */
	struct cli_cmd ecmd = *cli_find("export");
	ecmd.flags = cli_export_flags();
	const struct cli_cmd *cmd = &ecmd;
	const char *v[EXPORT_FLAGS_MAX];
	char *pos[CLI_ARGS_MAX];
	int npos, status;
	if (!cli_parse(cmd, argc, argv, v, pos, &npos, &status))
		return status;
	const struct app_export_kind *k = npos == 1 ? app_export_kind_find(pos[0]) : NULL;
	if (!k) {
		struct buf names = BUF_INIT;
		app_export_kind_names(&names);
		fprintf(stderr, "techbridge export: KIND must be one of %s\n", buf_str(&names));
		buf_free(&names);
		cli_usage(cmd, stderr);
		return EXIT_USAGE;
	}
	/* the kind's filters from their flags; another kind's filter is refused */
	const char *filter[16] = {0};
	for (int i = 2; ecmd.flags[i].name; i++) {
		if (!v[i])
			continue;
		int f = fields_find(k->filters, k->nfilters, ecmd.flags[i].name + 2);
		if (f < 0) {
			fprintf(stderr, "techbridge export: %s does not apply to %s\n",
			        ecmd.flags[i].name, k->name);
			return EXIT_USAGE;
		}
		filter[f] = v[i];
	}
	const char *output = cli_flag(cmd, v, "--output");
	struct export_out o = {.f = stdout, .line = BUF_INIT};
	if (!export_options(cli_flag(cmd, v, "--format"), output, &o))
		return EXIT_USAGE;
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	lxw_workbook *wb = NULL;
	if (o.xlsx) {
		/*
		 * constant memory: rows are flushed as they are written instead of held for
		 * the whole sheet
		 */
		lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
		wb = workbook_new_opt(output, &opt);
		o.ws = wb ? workbook_add_worksheet(wb, k->name) : NULL;
	} else if (output) {
		o.f = fopen(output, "wb");
	}
	if ((o.xlsx && !o.ws) || !o.f) {
		fprintf(stderr, "techbridge export: cannot write %s\n", output);
		cli_close(&app, &ctx);
		return EXIT_OTHER;
	}
	long done = 0;
	enum err e = export_all(k, &ctx, filter, &o, &done);
	cli_progress_done();
	buf_free(&o.line);
	int rc = e ? cli_fail(e, &ctx.err, "export") : 0;
	if (wb && workbook_close(wb) != LXW_NO_ERROR && !rc) {
		fprintf(stderr, "techbridge export: cannot write %s\n", output);
		rc = EXIT_OTHER;
	}
	if (o.f != stdout && fclose(o.f) != 0 && !rc)
		rc = EXIT_OTHER;
	if (!rc)
		fprintf(stderr, "exported %ld %s\n", done, k->name);
	cli_close(&app, &ctx);
	return rc;
}

/* ---- demo ---- */

static void demo_progress(long done, long total, void *arg)
{
	(void)arg;
	cli_progress("demo", done, total);
}

/*
 * A reproducible data set: the same --seed and size give the same records. The users' password
 * comes from TB_ADMIN_PASSWORD so a shared demonstration need not use the documented default.
 */
int cmd_demo(int argc, char **argv)
{
	CLI_PARSE("demo", npos == 0);
	struct demo_opts o = {.enterprises = cli_flag(cmd, v, "--small") ? 300 : 5000, .seed = 42};
	const char *n = cli_flag(cmd, v, "--enterprises"), *seed = cli_flag(cmd, v, "--seed");
	int64_t x;
	if (n) {
		if (!num_parse(n, 1, 10000000, &x)) {
			fputs("techbridge demo: --enterprises must be 1 to 10000000\n", stderr);
			return EXIT_USAGE;
		}
		o.enterprises = x;
	}
	if (seed) {
		if (!num_parse(seed, 0, INT64_MAX, &x)) {
			fputs("techbridge demo: --seed must be a non-negative integer\n", stderr);
			return EXIT_USAGE;
		}
		o.seed = (uint64_t)x;
	}
	const char *pw = getenv("TB_ADMIN_PASSWORD");
	o.password = pw && *pw ? pw : "admin-demo-password";
	/* a demo signs its audit log: with the configured key, made if missing, else one
	   beside the database */
	char keypath[4096];
	if (cli_audit_key && *cli_audit_key)
		snprintf(keypath, sizeof keypath, "%s", cli_audit_key);
	else
		cli_default_audit_key(keypath, sizeof keypath);
	if (access(keypath, F_OK) != 0) {
		struct err_detail kd = {0};
		char id[AUDIT_KEY_ID_HEX];
		enum err ke = app_audit_keygen(keypath, id, &kd);
		if (ke)
			return cli_fail(ke, &kd, "demo: audit key");
		bool beside = !(cli_audit_key && *cli_audit_key) && !strstr(cli_db_url, "://");
		printf("audit signing key %s written to %s (public key %s.pub);\n%s %s\n\n", id,
		       keypath, keypath,
		       beside ? "commands on this database find it there; elsewhere give "
		                "--audit-key"
		              : "give it to serve, import and audit verify with --audit-key",
		       keypath);
	}
	cli_audit_key = keypath;
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	enum err e = app_demo_run(&ctx, &o, demo_progress, NULL);
	cli_progress_done();
	int rc = e ? cli_fail(e, &ctx.err, "demo") : 0;
	if (!rc) {
		printf("demo database ready: %s\n\nsign in with any of these users, password %s:\n",
		       cli_db_url, o.password);
		for (int i = 0; i < demo_nusers; i++)
			printf("  %-14s %s\n", demo_users[i].username, demo_users[i].role);
	}
	cli_close_checkpoint(&app, &ctx);
	return rc;
}
