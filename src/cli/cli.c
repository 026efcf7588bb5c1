/* cli: flag parsing, errors and progress shared by the commands. */
#include "cli/cli.h"

#include "app/app_audit.h"
#include "app/app_pii.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *cli_db_url;
const char *cli_audit_key, *cli_audit_pubkey;
const char *cli_data_key;

/*
 * Names of two-word commands ("user add") include the space: main.c tries the
 * two-word form first
 */
const struct cli_cmd *cli_find(const char *name)
{
	int n;
	const struct cli_cmd *cmds = cli_command_table(&n);
	for (int i = 0; i < n; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/* Generated from the flag table, so --help cannot drift from what cli_parse accepts */
void cli_usage(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: techbridge [--db URL] %s", cmd->name);
	for (const struct cli_flag *fl = cmd->flags; fl->name; fl++)
		fprintf(f, fl->arg ? " [%s %s]" : " [%s]", fl->name, fl->arg ? fl->arg : "");
	fprintf(f, "%s%s\n\n%s\n", cmd->args[0] ? " " : "", cmd->args, cmd->help);
	if (cmd->flags[0].name) {
		fputs("\nflags:\n", f);
		for (const struct cli_flag *fl = cmd->flags; fl->name; fl++) {
			char head[48];
			snprintf(head, sizeof head, "%s%s%s", fl->name, fl->arg ? " " : "",
			         fl->arg ? fl->arg : "");
			fprintf(f, "  %-24s %s\n", head, fl->help);
		}
	}
}

bool cli_parse(const struct cli_cmd *cmd, int argc, char **argv, const char **values, char **pos,
               int *npos, int *status)
{
	int nflags = 0;
	while (cmd->flags[nflags].name)
		nflags++;
	for (int i = 0; i < nflags; i++)
		values[i] = NULL;
	*npos = 0;
	bool only_pos = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		/*
		 * "-" alone is an argument (stdin), and after "--" everything is, so a file
		 * named "-x" can be given
		 */
		if (only_pos || a[0] != '-' || !strcmp(a, "-")) {
			if (*npos >= CLI_ARGS_MAX) {
				fprintf(stderr, "techbridge %s: too many arguments\n", cmd->name);
				*status = EXIT_USAGE;
				return false;
			}
			pos[(*npos)++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_usage(cmd, stdout);
			*status = 0;
			return false;
		}
		/* both --flag VALUE and --flag=VALUE, as getopt_long accepts them */
		const char *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a) : strlen(a);
		int k = 0;
		while (k < nflags &&
		       (strlen(cmd->flags[k].name) != n || strncmp(cmd->flags[k].name, a, n)))
			k++;
		if (k == nflags) {
			fprintf(stderr, "techbridge %s: unknown flag %.*s (see --help)\n",
			        cmd->name, (int)n, a);
			*status = EXIT_USAGE;
			return false;
		}
		if (!cmd->flags[k].arg) {
			values[k] = "";
		} else if (eq) {
			values[k] = eq + 1;
		} else if (i + 1 < argc) {
			values[k] = argv[++i];
		} else {
			fprintf(stderr, "techbridge %s: %s needs %s\n", cmd->name,
			        cmd->flags[k].name, cmd->flags[k].arg);
			*status = EXIT_USAGE;
			return false;
		}
	}
	return true;
}

/* Flags are looked up by name so commands do not depend on their position in the table */
const char *cli_flag(const struct cli_cmd *cmd, const char **values, const char *name)
{
	for (int i = 0; cmd->flags[i].name; i++)
		if (!strcmp(cmd->flags[i].name, name))
			return values[i];
	return NULL;
}

bool cli_open(struct app *app, struct app_ctx *ctx)
{
	if (!cli_app_open(app, 1))
		return false;
	if (!cli_ctx_begin(ctx, app)) {
		app_close(app);
		return false;
	}
	return true;
}

void cli_close(struct app *app, struct app_ctx *ctx)
{
	app_ctx_end(ctx);
	app_close(app);
}

bool cli_checkpoint(struct app *app)
{
	if (!app_audit_can_sign(app))
		return true;
	struct app_ctx ctx;
	if (!cli_ctx_begin(&ctx, app))
		return false;
	struct audit_cp_result res;
	enum err e = app_audit_checkpoint(&ctx, true, &res);
	(void)res;
	/* silent when it works: stdout and stderr belong to the command's own output */
	if (e)
		cli_fail(e, &ctx.err, "audit checkpoint");
	app_ctx_end(&ctx);
	return !e;
}

void cli_close_checkpoint(struct app *app, struct app_ctx *ctx)
{
	app_ctx_end(ctx);
	cli_checkpoint(app);
	app_close(app);
}

void cli_default_audit_key(char *out, size_t n)
{
	const char *url = cli_db_url;
	if (!strstr(url, "://")) {
		snprintf(out, n, "%s.auditkey", strncmp(url, "sqlite:", 7) ? url : url + 7);
		return;
	}
	/* postgres://user@host:port/NAME?options: NAME.auditkey in the working directory */
	const char *name = strrchr(url, '/');
	name = name && name[1] && name > strstr(url, "://") + 2 ? name + 1 : "techbridge";
	snprintf(out, n, "%.*s.auditkey", (int)strcspn(name, "?"), name);
}

int cli_fail(enum err e, const struct err_detail *d, const char *what)
{
	if (d && d->line && d->field[0])
		fprintf(stderr, "techbridge: %s: line %ld: %s: %s\n", what, d->line, d->field,
		        d->message);
	else if (d && d->line)
		fprintf(stderr, "techbridge: %s: line %ld: %s\n", what, d->line, d->message);
	else if (d && d->field[0])
		fprintf(stderr, "techbridge: %s: %s: %s\n", what, d->field, d->message);
	else if (d && d->message[0])
		fprintf(stderr, "techbridge: %s: %s\n", what, d->message);
	else
		fprintf(stderr, "techbridge: %s: %s\n", what, err_title(e));
	return err_exit_code(e);
}

bool cli_app_open(struct app *app, int pool)
{
	struct err_detail d = {0};
	enum err e = app_open(app, cli_db_url, pool, &d);
	if (e) {
		cli_fail(e, &d, cli_db_url);
		return false;
	}
	/* the audit key: configured, else the demo's key file beside a SQLite database */
	const char *key = cli_audit_key && *cli_audit_key ? cli_audit_key : NULL;
	char beside[4096];
	if (!key && (!cli_audit_pubkey || !*cli_audit_pubkey) && !strstr(cli_db_url, "://")) {
		cli_default_audit_key(beside, sizeof beside);
		if (access(beside, F_OK) == 0)
			key = beside;
	}
	e = app_audit_keys_load(
	        app, key, cli_audit_pubkey && *cli_audit_pubkey ? cli_audit_pubkey : NULL, &d);
	if (e) {
		cli_fail(e, &d, "audit key");
		app_close(app);
		return false;
	}
	if ((e = app_data_key_load(app, cli_data_key && *cli_data_key ? cli_data_key : NULL, &d))) {
		cli_fail(e, &d, "data key");
		app_close(app);
		return false;
	}
	return true;
}

/*
 * Every CLI command runs as the CLI's administrator actor (app_ctx_as_cli):
 * whoever can run the binary on the database already holds its file or credentials
 */
bool cli_ctx_begin(struct app_ctx *ctx, struct app *app)
{
	memset(ctx, 0, sizeof *ctx);
	enum err e = app_ctx_begin(ctx, app);
	if (e) {
		cli_fail(e, &ctx->err, "database");
		return false;
	}
	app_ctx_as_cli(ctx);
	return true;
}

static time_t progress_last;
static bool progress_shown;

/*
 * A bar redrawn in place on a terminal; when stderr is a file or pipe, one line
 * at most every five seconds (and the last), so logs of long imports stay short
 */
void cli_progress(const char *what, long done, long total)
{
	bool tty = isatty(2);
	time_t now = time(NULL);
	if (!tty && now - progress_last < 5 && done != total)
		return;
	progress_last = now;
	progress_shown = true;
	if (tty && total > 0) {
		int width = 30, fill = (int)(done * width / (total ? total : 1));
		fprintf(stderr, "\r%s [%.*s%*s] %ld/%ld", what, fill,
		        "##############################", width - fill, "", done, total);
	} else if (total > 0) {
		fprintf(stderr, "%s: %ld/%ld\n", what, done, total);
	} else {
		fprintf(stderr, tty ? "\r%s: %ld" : "%s: %ld\n", what, done);
	}
}

void cli_progress_done(void)
{
	if (progress_shown && isatty(2))
		fputc('\n', stderr);
	progress_shown = false;
}

FILE *cli_input(const char *path)
{
	return strcmp(path, "-") ? fopen(path, "rb") : stdin;
}

/* Blank lines are skipped but counted, so the line numbers in messages match the file */
ssize_t cli_next_line(FILE *f, char **line, size_t *cap, long *lineno)
{
	ssize_t len;
	while ((len = getline(line, cap, f)) > 0) {
		++*lineno;
		if (strspn(*line, " \t\r\n") != (size_t)len)
			return len;
	}
	return -1;
}

bool cli_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}
