/*
 * commands: the kernel's command table and the assembled table of every
 * command. A kernel command is a row here; a module's commands are rows of
 * the table in its cli/cmd_<module>.c, registered by one line in
 * cli/cmd_modules.def.
 */
#include "cli/cli.h"

#include <stdlib.h>

/*
 * The kernel commands' flag tables, each ended by a NULL row: the single
 * source of the command's parsing, its --help and the manual page
 */
static const struct cli_flag serve_flags[] = {
        {"--listen", "ADDR:PORT", "address to listen on (default 127.0.0.1:8080)"},
        {"--workers", "N", "worker threads (default: the number of CPUs)"},
        {"--web-dir", "DIR", "serve the web UI from DIR instead of the embedded copy"},
        {"--access-log", "FILE", "JSON access log: a file, - for stderr (default), or off"},
        /* hardening and durability */
        {"--max-conn-per-addr", "N",
         "connections one client address may hold at once (default 1000)"},
        {"--header-deadline", "SECONDS",
         "close a connection whose request head is not complete within (default 10;"
         " idle keep-alive connections too)"},
        {"--body-deadline", "SECONDS",
         "close a connection whose request body is not complete within (default 60)"},
        {"--sync", "MODE",
         "SQLite commits: normal (default: WAL, synchronous=NORMAL, safe from process"
         " crashes) or full (synchronous=FULL, also safe from power failure)"},
        /* sign-in */
        {"--session-idle", "SECONDS",
         "refuse a sign-in session unused this long (default 1800; env "
         "TECHBRIDGE_SESSION_IDLE)"},
        {"--require-2fa", "ROLES",
         "roles that must sign in with a TOTP code, comma-separated, e.g. admin,secadmin "
         "(env TECHBRIDGE_REQUIRE_2FA)"},
        {NULL, NULL, NULL},
};
static const struct cli_flag user_totp_flags[] = {
        {"--disable", NULL, "turn the user's two-factor sign-in off instead (a lost device)"},
        {NULL, NULL, NULL},
};
static const struct cli_flag migrate_flags[] = {
        {"--schema", NULL, "print the resulting schema instead of a summary"},
        {NULL, NULL, NULL},
};
static const struct cli_flag user_add_flags[] = {
        {"--role", "ROLE",
         "grant a role: admin, operator, reviewer, expert, org_admin, org_member, broker, "
         "sysadmin, secadmin, auditadmin"},
        {"--region", "CODE", "region of an operator, reviewer or expert grant"},
        {"--level", "LEVEL", "county, city, province or national"},
        {"--org", "ID", "organisation of an org_admin or org_member grant"},
        {"--display-name", "NAME", "name shown to others"},
        {"--email", "ADDR", "e-mail address"},
        {"--locale", "LOCALE", "zh-CN (default) or en"},
        {NULL, NULL, NULL},
};
static const struct cli_flag user_token_flags[] = {
        {"--name", "NAME", "what the token is for (default: cli)"},
        {"--expires-on", "DATE", "last day of validity"},
        {NULL, NULL, NULL},
};
static const struct cli_flag import_flags[] = {
        {"--format", "FMT", "csv or jsonl (default: from the file name)"},
        {NULL, NULL, NULL},
};
static const struct cli_flag demo_flags[] = {
        {"--small", NULL, "a few hundred organisations (for tests)"},
        {"--enterprises", "N", "number of enterprises (default 5000)"},
        {"--seed", "N", "random seed (default 42)"},
        {NULL, NULL, NULL},
};
static const struct cli_flag mail_flags[] = {
        {"--smtp", "HOST:PORT", "the SMTP relay (plain SMTP; required)"},
        {"--from", "ADDR", "envelope and From: address (default techbridge@localhost)"},
        {NULL, NULL, NULL},
};
/* audit checkpoints and exports */
static const struct cli_flag audit_verify_flags[] = {
        {"--checkpoints", "FILE",
         "also check against checkpoints kept off-host (audit checkpoint export's JSON Lines)"},
        {NULL, NULL, NULL},
};
static const struct cli_flag audit_cp_export_flags[] = {
        {"--output", "FILE", "write to FILE (default stdout)"},
        {NULL, NULL, NULL},
};
static const struct cli_flag audit_export_flags[] = {
        {"--from", "DATE", "first day (YYYY-MM-DD, UTC; required)"},
        {"--to", "DATE", "last day, included (required)"},
        {"--format", "FMT", "jsonl (default) or csv"},
        {"--output", "FILE", "write to FILE (default stdout)"},
        {NULL, NULL, NULL},
};
const struct cli_flag cli_no_flags[] = {{NULL, NULL, NULL}};

static const struct cli_cmd kernel_commands[] = {
        {"serve", cmd_serve, serve_flags, "",
         "serve the API, the web UI and /healthz, /readyz, /metrics; stop with SIGTERM"},
        {"migrate", cmd_migrate, migrate_flags, "", "apply pending database migrations"},
        {"user add", cmd_user_add, user_add_flags, "USERNAME",
         "create a user; the password is read from the first line of stdin"},
        {"user passwd", cmd_user_passwd, cli_no_flags, "USERNAME",
         "set a user's password, read from the first line of stdin"},
        {"user token", cmd_user_token, user_token_flags, "USERNAME",
         "create an API token for a user and print it"},
        {"user totp", cmd_user_totp, user_totp_flags, "USERNAME",
         "enroll a user in two-factor sign-in: prints the secret and otpauth URI to hand "
         "over; the user confirms with a code (POST /api/v1/me/totp/confirm)"},
        {"import", cmd_import, import_flags, "KIND FILE...",
         "load CSV or JSON Lines files of a kind (regions, organisations, listings, ...); bad rows "
         "are reported by line and skipped"},
        /* export builds its flags from the export kinds' filters (cmd_data.c) */
        {"export", cmd_export, cli_no_flags, "KIND",
         "write records of a kind (organisations, titles, ...) as CSV, JSON Lines or XLSX"},
        {"audit verify", cmd_audit_verify, audit_verify_flags, "",
         "check the audit log's hash chain, signatures and signed checkpoints; names the "
         "first bad record (exit 2), or says UNANCHORED (exit 3)"},
        /* audit keys, checkpoints and exports (docs/SECURITY.md) */
        {"audit keygen", cmd_audit_keygen, cli_no_flags, "FILE",
         "make an audit signing key in FILE (mode 0600) and its public key in FILE.pub"},
        {"audit checkpoint", cmd_audit_checkpoint, cli_no_flags, "",
         "sign a checkpoint of the audit chain now (needs --audit-key)"},
        {"audit checkpoint export", cmd_audit_checkpoint_export, audit_cp_export_flags, "",
         "write the signed checkpoints as JSON Lines, for off-host write-once storage"},
        {"audit export", cmd_audit_export, audit_export_flags, "",
         "write the audit records of a date range (JSON Lines or CSV) for auditors"},
        /* personal data encrypted at rest (cmd_pii.c, docs/SECURITY.md) */
        {"data keygen", cmd_data_keygen, cli_no_flags, "FILE",
         "make a data encryption key in FILE (mode 0600) for --data-key"},
        {"data encrypt", cmd_data_encrypt, cli_no_flags, "",
         "encrypt the personal data still stored in plaintext (needs --data-key; idempotent)"},
        {"backup", cmd_backup, cli_no_flags, "FILE",
         "online copy of a SQLite database (PostgreSQL: use pg_dump)"},
        {"demo", cmd_demo, demo_flags, "",
         "fill a new database with demonstration data and users (password: "
         "TB_ADMIN_PASSWORD, default admin-demo-password)"},
        {"mail drain", cmd_mail_drain, mail_flags, "",
         "send the queued e-mail over SMTP; failures stay queued with the error"},
        {"openapi", cmd_openapi, cli_no_flags, "", "print the OpenAPI 3.1 document"},
        {"routes", cmd_routes, cli_no_flags, "", "print the route table: METHOD PATH"},
        /* the manual page, generated from this table (cmd_man.c) */
        {"man", cmd_man, cli_no_flags, "",
         "print the techbridge(1) manual page (roff), generated from the command table"},
};

/* The modules' tables, declared and listed from the registration list. */
#define CLI_MODULE(m)                                                                              \
	extern const struct cli_cmd cli_commands_##m[];                                            \
	extern const int cli_commands_##m##_n;
#include "cli/cmd_modules.def"
#undef CLI_MODULE

static const struct {
	const struct cli_cmd *rows;
	const int *n;
} cmd_parts[] = {
        {kernel_commands, &(const int){sizeof kernel_commands / sizeof kernel_commands[0]}},
#define CLI_MODULE(m) {cli_commands_##m, &cli_commands_##m##_n},
#include "cli/cmd_modules.def"
#undef CLI_MODULE
};

/*
 * Assembled once on first use: the kernel's rows first, then each module's in
 * registration order, so help and the manual list them in a stable order. Not
 * thread-safe; main calls it before anything starts threads.
 */
const struct cli_cmd *cli_command_table(int *n)
{
	static struct cli_cmd *all;
	static int nall;
	if (!all) {
		int total = 0;
		for (size_t i = 0; i < sizeof cmd_parts / sizeof cmd_parts[0]; i++)
			total += *cmd_parts[i].n;
		if (!(all = calloc((size_t)total, sizeof *all)))
			abort(); /* at start-up: a few kilobytes */
		for (size_t i = 0; i < sizeof cmd_parts / sizeof cmd_parts[0]; i++)
			for (int k = 0; k < *cmd_parts[i].n; k++)
				all[nall++] = cmd_parts[i].rows[k];
	}
	*n = nall;
	return all;
}
