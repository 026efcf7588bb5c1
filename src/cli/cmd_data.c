/* cmd_data: import, export and demo. */
#include "cli/cli.h"

#include "app/app_audit.h"
#include "app/app_demo.h"
#include "app/app_notice.h"
#include "app/app_import.h"
#include "app/app_org.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

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

/*
 * A CSV import runs on two threads: a reader parses and checks rows (most of
 * the work), the calling thread writes them in order. A ring of prepared
 * rows connects them.
 */
enum { RING = 512 };

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct import_row *rows[RING];
	long count, head, tail; /* head: next to fill; tail: next to apply */
	bool done, stop, reader_waits, writer_waits;
	enum err read_err;
	struct err_detail read_d;
	struct csv *csv;
	const struct importer *imp;
};

/* Rows change hands in batches: one lock round trip per batch, not per row. */
enum { BATCH = 64 };

static void *reader(void *arg)
{
	struct pipeline *p = arg;
	const char **fields;
	int n;
	enum err e = ERR_OK;
	while (!e) {
		pthread_mutex_lock(&p->mu);
		while (p->count == RING && !p->stop) {
			p->reader_waits = true;
			pthread_cond_wait(&p->not_full, &p->mu);
		}
		p->reader_waits = false;
		long room = RING - p->count, head = p->head;
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		long k = 0; /* slots head .. head+room are the reader's until published */
		while (k < room && k < BATCH && !(e = csv_next(p->csv, &fields, &n, &p->read_d)))
			app_import_prepare(p->imp, p->csv->line, fields, n,
			                   p->rows[(head + k++) % RING]);
		pthread_mutex_lock(&p->mu);
		p->head += k;
		p->count += k;
		if (p->writer_waits)
			pthread_cond_signal(&p->not_empty);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_lock(&p->mu);
	p->read_err = e == ERR_NOT_FOUND ? ERR_OK : e;
	p->done = true;
	pthread_cond_signal(&p->not_empty);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Apply rows in order as the reader delivers them, until the end or a failed import. */
static void write_rows(struct import_run *run, struct pipeline *p)
{
	bool go_on = true;
	while (go_on) {
		pthread_mutex_lock(&p->mu);
		while (p->count == 0 && !p->done) {
			p->writer_waits = true;
			pthread_cond_wait(&p->not_empty, &p->mu);
		}
		p->writer_waits = false;
		long avail = p->count, tail = p->tail;
		pthread_mutex_unlock(&p->mu);
		if (!avail)
			return;
		long k = 0;
		while (go_on && k < avail) {
			struct err_detail d;
			enum err e = app_import_apply(run->imp, p->rows[(tail + k++) % RING], &d);
			go_on = row_done(run, e, &d);
			if (run->rows % 10000 == 0)
				cli_progress(run->file, run->rows, 0);
		}
		pthread_mutex_lock(&p->mu);
		p->tail += k;
		p->count -= k;
		if (!go_on)
			p->stop = true;
		if (p->reader_waits || !go_on)
			pthread_cond_signal(&p->not_full);
		pthread_mutex_unlock(&p->mu);
	}
}

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
		struct pipeline p = {.csv = &c, .imp = run->imp};
		pthread_mutex_init(&p.mu, NULL);
		pthread_cond_init(&p.not_empty, NULL);
		pthread_cond_init(&p.not_full, NULL);
		for (int i = 0; i < RING; i++)
			p.rows[i] = import_row_new();
		pthread_t th;
		pthread_create(&th, NULL, reader, &p);
		write_rows(run, &p);
		pthread_join(th, NULL);
		/* a broken record ends the file: the rest cannot be framed */
		if (p.read_err && !run->fatal)
			row_done(run, ERR_INVALID, &p.read_d);
		for (int i = 0; i < RING; i++)
			import_row_free(p.rows[i]);
		pthread_cond_destroy(&p.not_full);
		pthread_cond_destroy(&p.not_empty);
		pthread_mutex_destroy(&p.mu);
	}
	csv_free(&c);
}

/* A JSON scalar as import text; false for arrays and objects. */
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

static void import_jsonl(struct import_run *run, FILE *f, enum import_kind kind)
{
	size_t ndefs;
	const struct field_def *defs = import_fields(kind, &ndefs);
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
					            import_kind_name(kind));
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

int cmd_import(int argc, char **argv)
{
	CLI_PARSE("import", npos >= 2);
	enum import_kind kind;
	if (!import_kind_parse(pos[0], &kind)) {
		fprintf(stderr,
		        "techbridge import: %s: must be regions, industries, organisations, "
		        "listings or demands\n",
		        pos[0]);
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

/*
 * What can be exported: a row per kind, with its columns, how to read one
 * page of it through the app layer and how to render one record. The
 * writer below (CSV, JSON Lines, XLSX) is shared.
 */
struct export_kind {
	const char *name, *plural;
	int ncols;
	const char *(*col)(int c);
	size_t item_size;
	enum err (*page)(struct app_ctx *ctx, const struct cli_cmd *cmd, const char **v,
	                 const struct page_req *pr, struct page *out);
	const char *(*cell)(const void *item, int c, char *tmp, size_t n);
	void (*json)(const void *item, struct buf *out);
};

static const char *org_col(int c)
{
	return c == 0 ? "id" : org_fields[c - 1].name;
}

static enum err org_page(struct app_ctx *ctx, const struct cli_cmd *cmd, const char **v,
                         const struct page_req *pr, struct page *out)
{
	struct org_filter f = {.kind = cli_flag(cmd, v, "--kind"),
	                       .region = cli_flag(cmd, v, "--region"),
	                       .industry = cli_flag(cmd, v, "--industry")};
	return app_org_list(ctx, &f, pr, out);
}

static const char *org_cell(const void *item, int c, char *tmp, size_t n)
{
	const struct org *o = item;
	if (c == 0) {
		snprintf(tmp, n, "%lld", (long long)o->id);
		return tmp;
	}
	return o->f[c - 1];
}

static void org_json(const void *item, struct buf *out)
{
	org_to_json(item, out);
}

static const char *const title_cols[] = {"id",
                                         "org_id",
                                         "credit_code",
                                         "org_name",
                                         "tier",
                                         "since",
                                         "until",
                                         "state",
                                         "batch",
                                         "province",
                                         "ruleset",
                                         "data_due",
                                         "data_update_missed",
                                         "revoked_reason",
                                         "ban_until"};
enum { TITLE_NCOLS = sizeof title_cols / sizeof title_cols[0] };

static const char *title_col(int c)
{
	return title_cols[c];
}

static enum err title_page(struct app_ctx *ctx, const struct cli_cmd *cmd, const char **v,
                           const struct page_req *pr, struct page *out)
{
	return app_title_list(ctx, cli_flag(cmd, v, "--tier"), 0, pr, out);
}

static const char *title_cell(const void *item, int c, char *tmp, size_t n)
{
	const struct title *t = item;
	const char *const cells[TITLE_NCOLS] = {NULL,
	                                        NULL,
	                                        t->credit_code,
	                                        t->org_name,
	                                        t->tier,
	                                        t->since,
	                                        t->until,
	                                        t->state,
	                                        t->batch,
	                                        t->province,
	                                        t->ruleset,
	                                        t->data_due,
	                                        t->data_missed ? "true" : "false",
	                                        t->revoked_reason,
	                                        t->ban_until};
	if (c > 1)
		return cells[c];
	snprintf(tmp, n, "%lld", (long long)(c == 0 ? t->id : t->org_id));
	return tmp;
}

static void title_json(const void *item, struct buf *out)
{
	title_to_json(item, out);
}

static const struct export_kind export_kinds[] = {
        {"organisations", "organisations", ORG__NFIELDS + 1, org_col, sizeof(struct org), org_page,
         org_cell, org_json},
        {"titles", "titles", TITLE_NCOLS, title_col, sizeof(struct title), title_page, title_cell,
         title_json},
};

/* Where and how an export writes. */
struct export_out {
	bool csv, jsonl, xlsx;
	FILE *f;
	lxw_worksheet *ws;
	struct buf line;
};

static void export_header(const struct export_kind *k, struct export_out *o)
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

/* Record `row` (0-based, after the header). */
static void export_row(const struct export_kind *k, struct export_out *o, const void *item,
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

/* Page through the kind's records, writing each; *done counts them. */
static enum err export_all(const struct export_kind *k, struct app_ctx *ctx,
                           const struct cli_cmd *cmd, const char **v, struct export_out *o,
                           long *done)
{
	struct page_req pr = {.limit = LIMIT_PAGE_MAX};
	char cursor[128] = "";
	export_header(k, o);
	for (;;) {
		struct page p;
		pr.cursor = cursor[0] ? cursor : NULL;
		enum err e = k->page(ctx, cmd, v, &pr, &p);
		if (e)
			return e;
		for (int i = 0; i < p.n; i++, (*done)++)
			export_row(k, o, (const char *)p.items + (size_t)i * k->item_size, *done);
		cli_progress("export", *done, 0);
		if (!p.next_cursor)
			return ERR_OK;
		snprintf(cursor, sizeof cursor, "%s", p.next_cursor);
		arena_reset(&ctx->arena);
	}
}

static const struct export_kind *export_find(const char *name)
{
	for (size_t i = 0; i < sizeof export_kinds / sizeof export_kinds[0]; i++)
		if (!strcmp(export_kinds[i].name, name))
			return &export_kinds[i];
	return NULL;
}

/* The output options; false (after a message) when they are wrong. */
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

int cmd_export(int argc, char **argv)
{
	CLI_PARSE("export", npos == 1);
	const struct export_kind *k = export_find(pos[0]);
	if (!k) {
		fputs("techbridge export: organisations or titles\n", stderr);
		return EXIT_USAGE;
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
	enum err e = export_all(k, &ctx, cmd, v, &o, &done);
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
		fprintf(stderr, "exported %ld %s\n", done, k->plural);
	cli_close(&app, &ctx);
	return rc;
}

/* ---- demo ---- */

static void demo_progress(long done, long total, void *arg)
{
	(void)arg;
	cli_progress("demo", done, total);
}

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
