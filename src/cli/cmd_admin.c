/* cmd_admin: migrate, user add|passwd|token, audit verify, backup, openapi, routes. */
#include "cli/cli.h"

#include "app/app_account.h"
#include "app/app_audit.h"
#include "app/app_totp.h"
#include "lib/buf.h"
#include "lib/num.h"

#include <string.h>

/* Parse flags of the named command; false with *status when the command must stop. */

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
	app_close(&app);
	return e ? cli_fail(e, NULL, "migrate") : 0;
}

/*
 * The password from the first line of stdin, exactly as typed: only the
 * line's final newline is removed (spaces are part of a secret). False (said
 * on stderr) when there is none or the line is longer than the buffer.
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
	cli_close(&app, &ctx);
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
	cli_close(&app, &ctx);
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
	cli_close(&app, &ctx);
	return rc;
}

static void verify_progress(int64_t done, void *arg)
{
	(void)arg;
	cli_progress("verifying", (long)done, 0);
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
	int rc = 0;
	if (e) {
		rc = cli_fail(e, &ctx.err, "audit verify");
	} else if (vd.broken_at) {
		printf("audit chain BROKEN at record %lld: %s\n", (long long)vd.broken_at,
		       vd.reason);
		rc = EXIT_INPUT;
	} else {
		printf("audit chain intact: %lld records\n", (long long)vd.checked);
	}
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
