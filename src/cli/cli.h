/*
 * cli: the command-line front end. The command table (commands.c) names
 * each command, its function, its flags and synopsis; main.c parses the
 * global flags and dispatches. Commands parse their own flags with
 * cli_parse against a flag table, open the database with cli_app, call
 * app_* functions and print results on stdout, progress on stderr. Exit
 * codes follow docs/CLI.md: 0 ok, 1 usage, 2 bad input, 3 other failure.
 */
#ifndef TB_CLI_CLI_H
#define TB_CLI_CLI_H

#include "app/app.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

enum { EXIT_USAGE = 1, EXIT_INPUT = 2, EXIT_OTHER = 3, CLI_ARGS_MAX = 64 };

struct cli_flag {
	const char *name; /* "--listen" */
	const char *arg;  /* "ADDR:PORT", or NULL for a switch */
	const char *help;
};

struct cli_cmd {
	const char *name; /* "serve", "user add" */
	int (*fn)(int argc, char **argv);
	const struct cli_flag *flags;
	const char *args; /* positional synopsis: "FILE..." */
	const char *help;
};

/* Every command: the kernel's (commands.c), then each module's; *n gets the count. */
const struct cli_cmd *cli_command_table(int *n);
/* export's flags, built at run time from the export kinds' filters (cmd_data.c). */
const struct cli_flag *cli_export_flags(void);
/* The techbridge(1) manual page in roff, generated from the command table (cmd_man.c). */
void cli_man_page(struct buf *out);
/* An empty flag table, for commands without flags. */
extern const struct cli_flag cli_no_flags[];
extern const char *cli_db_url; /* from --db or TECHBRIDGE_DB */
/* audit keys: --audit-key / TECHBRIDGE_AUDIT_KEY, --audit-pubkey / TECHBRIDGE_AUDIT_PUBKEY */
extern const char *cli_audit_key, *cli_audit_pubkey;
/* --data-key FILE or TECHBRIDGE_DATA_KEY: the key personal data is encrypted with */
extern const char *cli_data_key;

/*
 * Parse argv against cmd->flags: values[i] gets flag i's value ("" for a
 * switch that is present, NULL if absent); positional arguments are
 * compacted into pos (npos of them). Prints the command's help and returns
 * false (exit with *status) on --help or a usage error.
 */
bool cli_parse(const struct cli_cmd *cmd, int argc, char **argv, const char **values, char **pos,
               int *npos, int *status);
/* Look up a flag's value by name after cli_parse. */
const char *cli_flag(const struct cli_cmd *cmd, const char **values, const char *name);
void cli_usage(const struct cli_cmd *cmd, FILE *f);
const struct cli_cmd *cli_find(const char *name);

/* Open the app on cli_db_url with `pool` connections; prints the error and returns false. */
bool cli_app_open(struct app *app, int pool);
/* Begin a command context acting as the CLI administrator. */
bool cli_ctx_begin(struct app_ctx *ctx, struct app *app);
/* Open the app (one connection) and a CLI context on it; prints the error and returns false. */
bool cli_open(struct app *app, struct app_ctx *ctx);
/* End what cli_open began. */
void cli_close(struct app *app, struct app_ctx *ctx);
/*
 * For commands that write: sign an audit checkpoint when a signing key is
 * configured and there were writes (silently; a failure is said on stderr),
 * then as cli_close.
 */
void cli_close_checkpoint(struct app *app, struct app_ctx *ctx);
/* The checkpoint of cli_close_checkpoint alone (the app stays open); false when refused. */
bool cli_checkpoint(struct app *app);
/* The key beside the database: DB.auditkey for SQLite, NAME.auditkey here for PostgreSQL. */
void cli_default_audit_key(char *out, size_t n);

/*
 * Parse the flags of command `name` into v/pos/npos, returning from the
 * calling command on --help or a usage error, or when !(nargs_ok).
 */
#define CLI_PARSE(name, nargs_ok)                                                                  \
	const struct cli_cmd *cmd = cli_find(name);                                                \
	const char *v[16];                                                                         \
	char *pos[CLI_ARGS_MAX];                                                                   \
	int npos, status;                                                                          \
	if (!cli_parse(cmd, argc, argv, v, pos, &npos, &status))                                   \
		return status;                                                                     \
	if (!(nargs_ok)) {                                                                         \
		cli_usage(cmd, stderr);                                                            \
		return EXIT_USAGE;                                                                 \
	}
/* Print an error with its detail; return the exit code for it. */
int cli_fail(enum err e, const struct err_detail *d, const char *what);

/* An input file opened for reading, or stdin for "-"; NULL (errno set) if it cannot be
 * opened. Callers close it unless it is stdin. */
FILE *cli_input(const char *path);
/*
 * The next line of f that is not blank (JSON Lines input): its length, with
 * *lineno advanced past the blank ones; -1 at the end. *line and *cap as for
 * getline; the caller frees *line.
 */
ssize_t cli_next_line(FILE *f, char **line, size_t *cap, long *lineno);
/* Whether s ends with suffix (file name extensions). */
bool cli_ends_with(const char *s, const char *suffix);
/* Progress on stderr: a bar on a terminal, a line every few seconds otherwise. */
void cli_progress(const char *what, long done, long total);
void cli_progress_done(void);

/* The kernel's command functions (cmd_*.c); a module's are static in its cmd_<module>.c. */
int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user_add(int argc, char **argv);
int cmd_user_passwd(int argc, char **argv);
int cmd_user_token(int argc, char **argv);
int cmd_user_totp(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_audit_verify(int argc, char **argv);
int cmd_audit_keygen(int argc, char **argv);
/* personal data encryption (cmd_pii.c, docs/SECURITY.md) */
int cmd_data_keygen(int argc, char **argv);
int cmd_data_encrypt(int argc, char **argv);
int cmd_audit_checkpoint(int argc, char **argv);
int cmd_audit_checkpoint_export(int argc, char **argv);
int cmd_audit_export(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_openapi(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_mail_drain(int argc, char **argv);
int cmd_man(int argc, char **argv);

#endif
