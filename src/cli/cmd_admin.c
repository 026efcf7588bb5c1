/*
 * cmd_admin: migrate, user add|passwd|token, audit verify|keygen|checkpoint|export,
 * backup.
 */
#include "cli/cli.h"

#include "app/app_account.h"
#include "app/app_audit.h"
#include "app/app_totp.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/date.h"
#include "lib/num.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int cmd_migrate(int argc, char **argv)
{
	CLI_PARSE("migrate", npos == 0);
	struct app app;
	if (!cli_app_open(&app, 1)) /* opening migrates */
		return EXIT_OTHER;
	int version = 0;
	enum err e = app_schema_version(&app, &version);
	if (!e && cli_flag(cmd, v, "--schema")) {
		struct buf b = BUF_INIT;
		if (!(e = app_schema_dump(&app, &b)))
			fputs(buf_str(&b), stdout);
		buf_free(&b);
	} else if (!e) {
		printf("schema version %d\n", version);
	}
	if (!e)
		cli_checkpoint(&app);
	app_close(&app);
	return e ? cli_fail(e, NULL, "migrate") : 0;
}

/*
 * The password from the first line of stdin, exactly as typed: only the
 * line's final newline is removed (spaces are part of a secret). False (said
 * on stderr) when there is none or the line is longer than the buffer. Never
 * from an argument: arguments are visible to other users (ps) and kept in shell history.
 */
static bool read_password(const char *cmd, char *buf, size_t n)
{
	if (fgets(buf, (int)n, stdin)) {
		size_t len = strlen(buf);
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		else if (!feof(stdin)) {
			fprintf(stderr, "techbridge %s: the password line is too long\n", cmd);
			return false;
		}
		if (buf[0])
			return true;
	}
	fprintf(stderr, "techbridge %s: give the password on the first line of stdin\n", cmd);
	return false;
}

/* An absent flag (NULL) leaves the field unset, as an absent JSON member would */
static enum err set_text(struct app_ctx *ctx, const struct field_def *def, const char *s,
                         struct field_val *fv)
{
	return s ? fields_set_text(def, s, fv, &ctx->arena, &ctx->err) : ERR_OK;
}

int cmd_user_add(int argc, char **argv)
{
	CLI_PARSE("user add", npos == 1);
	char pw[256];
	if (!read_password(cmd->name, pw, sizeof pw))
		return EXIT_USAGE;
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	struct field_val u[USER__NFIELDS] = {0};
	enum err e = set_text(&ctx, &user_fields[USER_USERNAME], pos[0], &u[USER_USERNAME]);
	if (!e)
		e = set_text(&ctx, &user_fields[USER_PASSWORD], pw, &u[USER_PASSWORD]);
	if (!e)
		e = set_text(&ctx, &user_fields[USER_DISPLAY_NAME],
		             cli_flag(cmd, v, "--display-name"), &u[USER_DISPLAY_NAME]);
	if (!e)
		e = set_text(&ctx, &user_fields[USER_EMAIL], cli_flag(cmd, v, "--email"),
		             &u[USER_EMAIL]);
	if (!e)
		e = set_text(&ctx, &user_fields[USER_LOCALE], cli_flag(cmd, v, "--locale"),
		             &u[USER_LOCALE]);
	struct field_val g[GRANT__NFIELDS] = {0};
	const char *role = cli_flag(cmd, v, "--role");
	if (!e && role) {
		e = set_text(&ctx, &grant_fields[GRANT_ROLE], role, &g[GRANT_ROLE]);
		if (!e)
			e = set_text(&ctx, &grant_fields[GRANT_REGION_CODE],
			             cli_flag(cmd, v, "--region"), &g[GRANT_REGION_CODE]);
		if (!e)
			e = set_text(&ctx, &grant_fields[GRANT_LEVEL], cli_flag(cmd, v, "--level"),
			             &g[GRANT_LEVEL]);
		if (!e)
			e = set_text(&ctx, &grant_fields[GRANT_ORG_ID], cli_flag(cmd, v, "--org"),
			             &g[GRANT_ORG_ID]);
		/*
		 * the grant is checked before the user is created, so a bad combination of --role,
		 * --level, --region and --org does not leave a user behind without the role
		 */
		struct grant tmp;
		if (!e)
			e = grant_from_fields(g, &tmp, &ctx.err);
	}
	struct user out;
	if (!e)
		e = fields_require(user_fields, USER__NFIELDS, u, &ctx.err);
	if (!e)
		e = app_user_create(&ctx, u, &out);
	struct grant gr;
	if (!e && role)
		e = app_grant_add(&ctx, out.id, g, &gr);
	if (!e)
		printf("user %s created (id %lld)%s%s\n", out.username, (long long)out.id,
		       role ? " with role " : "", role ? role : "");
	int rc = e ? cli_fail(e, &ctx.err, "user add") : 0;
	cli_close_checkpoint(&app, &ctx);
	return rc;
}

int cmd_user_passwd(int argc, char **argv)
{
	CLI_PARSE("user passwd", npos == 1);
	char pw[256];
	if (!read_password(cmd->name, pw, sizeof pw))
		return EXIT_USAGE;
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	int64_t id;
	enum err e = app_user_find(&ctx, pos[0], &id);
	if (!e)
		e = app_user_set_password(&ctx, id, NULL, pw);
	if (!e)
		printf("password of %s changed\n", pos[0]);
	int rc = e ? cli_fail(e, &ctx.err, "user passwd") : 0;
	cli_close_checkpoint(&app, &ctx);
	return rc;
}

int cmd_user_totp(int argc, char **argv)
{
	CLI_PARSE("user totp", npos == 1);
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	int64_t id;
	const char *secret, *uri;
	bool disable = cli_flag(cmd, v, "--disable") != NULL;
	enum err e = app_user_find(&ctx, pos[0], &id);
	if (!e && disable)
		e = app_totp_disable(&ctx, id, NULL);
	else if (!e)
		e = app_totp_enroll(&ctx, id, &secret, &uri);
	if (!e && disable)
		printf("two-factor sign-in of %s turned off\n", pos[0]);
	else if (!e)
		printf("secret: %s\nuri: %s\nthe user confirms with a code: POST "
		       "/api/v1/me/totp/confirm\n",
		       secret, uri);
	int rc = e ? cli_fail(e, &ctx.err, "user totp") : 0;
	cli_close(&app, &ctx);
	return rc;
}

/* The secret alone on stdout, so a script can capture it; it is shown this once and never stored */
int cmd_user_token(int argc, char **argv)
{
	CLI_PARSE("user token", npos == 1);
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	int64_t id;
	struct token_info t;
	const char *name = cli_flag(cmd, v, "--name");
	enum err e = app_user_find(&ctx, pos[0], &id);
	if (!e)
		e = app_token_create(&ctx, id, name ? name : "cli",
		                     cli_flag(cmd, v, "--expires-on"), &t);
	if (!e)
		printf("%s\n", t.secret);
	int rc = e ? cli_fail(e, &ctx.err, "user token") : 0;
	cli_close_checkpoint(&app, &ctx);
	return rc;
}

static void verify_progress(int64_t done, void *arg)
{
	(void)arg;
	cli_progress("verifying", (long)done, 0);
}

/* A string member of a JSON object, or NULL. */
static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * Check every checkpoint of an exported JSON Lines file against the chain.
 * Returns 0, or an exit status when the file cannot be read or a line is not
 * a checkpoint (said on stderr).
 */
static int verify_external(struct app_ctx *ctx, const char *path, struct audit_verdict *vd,
                           enum err *e)
{
	FILE *f = cli_input(path);
	if (!f) {
		fprintf(stderr, "techbridge audit verify: cannot read %s\n", path);
		return EXIT_OTHER;
	}
	char *line = NULL, where[512];
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;
	while (!rc && !*e && cli_next_line(f, &line, &cap, &lineno) >= 0) {
		json_error_t jerr;
		json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		json_t *id = json_object_get(o, "id"), *seq = json_object_get(o, "seq");
		struct audit_checkpoint c = {
		        .id = json_is_integer(id) ? json_integer_value(id) : 0,
		        .seq = json_is_integer(seq) ? json_integer_value(seq) : -1,
		        .head = jstr(o, "head"),
		        .at = jstr(o, "at"),
		        .key_id = jstr(o, "key_id"),
		        .sig = jstr(o, "signature"),
		};
		if (!json_is_object(o) || c.seq < 0 || !c.head || !c.at || !c.key_id || !c.sig) {
			fprintf(stderr,
			        "techbridge audit verify: %s:%ld: not a checkpoint (an object with"
			        " seq, head, at, key_id, signature)\n",
			        path, lineno);
			rc = EXIT_INPUT;
		} else {
			snprintf(where, sizeof where, "%s:%ld", path, lineno);
			*e = app_audit_verify_external(ctx, &c, where, vd);
		}
		json_decref(o);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	if (*e)
		rc = cli_fail(*e, &ctx->err, "audit verify");
	return rc;
}

int cmd_audit_verify(int argc, char **argv)
{
	CLI_PARSE("audit verify", npos == 0);
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	struct audit_verdict vd;
	enum err e = app_audit_verify(&ctx, &vd, verify_progress, NULL);
	cli_progress_done();
	const char *external = cli_flag(cmd, v, "--checkpoints");
	int rc = 0;
	if (!e && external)
		rc = verify_external(&ctx, external, &vd, &e);
	if (rc) {
		/* the file could not be read or checked: said */
	} else if (e) {
		rc = cli_fail(e, &ctx.err, "audit verify");
	} else if (vd.state == AUDIT_BROKEN && vd.broken_at) {
		printf("audit chain BROKEN at record %lld: %s\n", (long long)vd.broken_at,
		       vd.reason);
		rc = EXIT_INPUT;
	} else if (vd.state == AUDIT_BROKEN) {
		printf("audit checkpoint FORGED: %s\n", vd.reason);
		rc = EXIT_INPUT;
	} else if (vd.state == AUDIT_NO_KEY) {
		printf("audit chain NOT VERIFIED: %lld records hold together, but no audit key is"
		       " configured to check their signatures and checkpoints (--audit-key or"
		       " --audit-pubkey)\n",
		       (long long)vd.checked);
		rc = EXIT_OTHER;
	} else if (vd.state == AUDIT_UNANCHORED) {
		printf("audit chain UNANCHORED: %lld records hold together (%lld signed), but no"
		       " signed checkpoint covers them (`techbridge audit checkpoint` writes "
		       "one)\n",
		       (long long)vd.checked, (long long)vd.signed_records);
		rc = EXIT_OTHER;
	} else {
		printf("audit chain intact: %lld records (%lld signed); checkpoint %lld covers %lld"
		       " (%s, key %s); %lld records after the last checkpoint",
		       (long long)vd.checked, (long long)vd.signed_records, (long long)vd.anchor_id,
		       (long long)vd.anchor_seq, vd.anchor_at, vd.anchor_key, (long long)vd.after);
		if (external)
			printf("; %lld exported checkpoints match", (long long)vd.external);
		putchar('\n');
	}
	cli_close(&app, &ctx);
	return rc;
}

int cmd_audit_keygen(int argc, char **argv)
{
	CLI_PARSE("audit keygen", npos == 1);
	struct err_detail d = {0};
	char id[AUDIT_KEY_ID_HEX];
	enum err e = app_audit_keygen(pos[0], id, &d);
	if (e)
		return cli_fail(e, &d, "audit keygen");
	printf("audit signing key %s written to %s (mode 0600); its public key to %s.pub\n", id,
	       pos[0], pos[0]);
	return 0;
}

int cmd_audit_checkpoint(int argc, char **argv)
{
	CLI_PARSE("audit checkpoint", npos == 0);
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	struct audit_cp_result res;
	enum err e = app_audit_checkpoint(&ctx, false, &res);
	if (!e)
		printf("audit checkpoint: %lld records, head %s, key %s\n", (long long)res.seq,
		       res.head, res.key_id);
	int rc = e ? cli_fail(e, &ctx.err, "audit checkpoint") : 0;
	cli_close(&app, &ctx);
	return rc;
}

/* An output file, or stdout for NULL or "-"; NULL (said) when it cannot be created. */
static FILE *output(const char *cmd, const char *path)
{
	if (!path || !strcmp(path, "-"))
		return stdout;
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "techbridge %s: cannot create %s\n", cmd, path);
	return f;
}

/* Close an output file; false (said) when the data did not all reach it. */
static bool output_close(const char *cmd, FILE *f, const char *path)
{
	bool ok = !ferror(f) && fflush(f) == 0;
	if (f != stdout && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "techbridge %s: cannot write %s\n", cmd, path ? path : "stdout");
	return ok;
}

struct export_sink {
	FILE *f;
	bool csv;
	long n;
	struct buf line;
};

static void checkpoint_line(const struct audit_checkpoint *c, void *arg)
{
	struct export_sink *s = arg;
	buf_reset(&s->line);
	audit_checkpoint_to_json(c, &s->line);
	fprintf(s->f, "%s\n", buf_str(&s->line));
	s->n++;
}

int cmd_audit_checkpoint_export(int argc, char **argv)
{
	CLI_PARSE("audit checkpoint export", npos == 0);
	const char *path = cli_flag(cmd, v, "--output");
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	struct export_sink s = {.f = output(cmd->name, path), .line = BUF_INIT};
	int rc = EXIT_OTHER;
	if (s.f) {
		enum err e = app_audit_checkpoints_each(&ctx, checkpoint_line, &s);
		rc = e ? cli_fail(e, &ctx.err, "audit checkpoint export") : 0;
		if (!output_close(cmd->name, s.f, path) && !rc)
			rc = EXIT_OTHER;
		if (!rc && s.f != stdout)
			fprintf(stderr, "%ld checkpoints written to %s\n", s.n, path);
	}
	buf_free(&s.line);
	cli_close(&app, &ctx);
	return rc;
}

static const char *const export_cols[] = {
        "seq",    "at",    "actor_id",   "actor",     "action", "entity", "entity_id",
        "before", "after", "request_id", "prev_hash", "hash",   "sig",
};

static void record_line(const struct audit_entry *a, void *arg)
{
	struct export_sink *s = arg;
	buf_reset(&s->line);
	if (!s->csv) {
		audit_entry_export_json(a, &s->line);
	} else {
		char seq[24], actor_id[24];
		snprintf(seq, sizeof seq, "%lld", (long long)a->r.seq);
		snprintf(actor_id, sizeof actor_id, "%lld", (long long)a->r.actor_id);
		const char *cells[] = {seq,
		                       a->r.at,
		                       a->r.actor_id ? actor_id : "",
		                       a->r.actor,
		                       a->r.action,
		                       a->r.entity,
		                       a->r.entity_id,
		                       a->r.before,
		                       a->r.after,
		                       a->r.request_id,
		                       a->r.prev_hash,
		                       a->hash,
		                       a->sig};
		for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
			if (i)
				buf_putc(&s->line, ',');
			csv_put_field(&s->line, cells[i] ? cells[i] : "");
		}
	}
	fprintf(s->f, "%s\n", buf_str(&s->line));
	s->n++;
}

/* The instant a date starts (with_next: the day after it), as stored. */
static bool day_start(const char *date, int add, char out[INSTANT_STR])
{
	int32_t days;
	if (!date_parse(date, &days))
		return false;
	instant_format(((int64_t)days + add) * 86400, out);
	return true;
}

int cmd_audit_export(int argc, char **argv)
{
	CLI_PARSE("audit export", npos == 0);
	const char *from = cli_flag(cmd, v, "--from"), *to = cli_flag(cmd, v, "--to");
	const char *format = cli_flag(cmd, v, "--format"), *path = cli_flag(cmd, v, "--output");
	char lo[INSTANT_STR], hi[INSTANT_STR];
	if (!from || !to) {
		fputs("techbridge audit export: --from DATE and --to DATE are required\n", stderr);
		return EXIT_USAGE;
	}
	if (!day_start(from, 0, lo) || !day_start(to, 1, hi)) {
		fprintf(stderr, "techbridge audit export: %s: not a date (YYYY-MM-DD)\n",
		        day_start(from, 0, lo) ? "--to" : "--from");
		return EXIT_INPUT;
	}
	if (strcmp(lo, hi) >= 0) {
		fputs("techbridge audit export: --to is before --from\n", stderr);
		return EXIT_INPUT;
	}
	if (format && strcmp(format, "jsonl") && strcmp(format, "csv")) {
		fputs("techbridge audit export: --format must be jsonl or csv\n", stderr);
		return EXIT_USAGE;
	}
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	struct export_sink s = {.f = output(cmd->name, path),
	                        .csv = format && !strcmp(format, "csv"),
	                        .line = BUF_INIT};
	int rc = EXIT_OTHER;
	if (s.f) {
		if (s.csv) {
			for (size_t i = 0; i < sizeof export_cols / sizeof export_cols[0]; i++)
				fprintf(s.f, "%s%s", i ? "," : "", export_cols[i]);
			fputc('\n', s.f);
		}
		enum err e = app_audit_range(&ctx, lo, hi, record_line, &s);
		rc = e ? cli_fail(e, &ctx.err, "audit export") : 0;
		if (!output_close(cmd->name, s.f, path) && !rc)
			rc = EXIT_OTHER;
		if (!rc && s.f != stdout)
			fprintf(stderr, "%ld records written to %s\n", s.n, path);
	}
	buf_free(&s.line);
	cli_close(&app, &ctx);
	return rc;
}

int cmd_backup(int argc, char **argv)
{
	CLI_PARSE("backup", npos == 1);
	struct app app;
	if (!cli_app_open(&app, 1))
		return EXIT_OTHER;
	struct err_detail d = {0};
	enum err e = app_backup(&app, pos[0], &d);
	if (!e)
		printf("backup written to %s\n", pos[0]);
	app_close(&app);
	return e ? cli_fail(e, &d, "backup") : 0;
}
