/* commands: the command table. Adding a command is adding a row. */
#include "cli/cli.h"

static const struct cli_flag serve_flags[] = {
        {"--listen", "ADDR:PORT", "address to listen on (default 127.0.0.1:8080)"},
        {"--workers", "N", "worker threads (default: the number of CPUs)"},
        {"--web-dir", "DIR", "serve the web UI from DIR instead of the embedded copy"},
        {"--access-log", "FILE", "JSON access log: a file, - for stderr (default), or off"},
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
static const struct cli_flag export_flags[] = {
        {"--format", "FMT", "csv (default), jsonl or xlsx"},
        {"--output", "FILE", "write to FILE (required for xlsx; default stdout)"},
        {"--kind", "KIND", "only this kind of organisation"},
        {"--region", "CODE", "only organisations inside this region"},
        {"--industry", "CODE", "only organisations in this industry"},
        {"--tier", "TIER", "only titles of this tier"},
        {NULL, NULL, NULL},
};
static const struct cli_flag demo_flags[] = {
        {"--small", NULL, "a few hundred organisations (for tests)"},
        {"--enterprises", "N", "number of enterprises (default 5000)"},
        {"--seed", "N", "random seed (default 42)"},
        {NULL, NULL, NULL},
};
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
static const struct cli_flag mail_flags[] = {
        {"--smtp", "HOST:PORT", "the SMTP relay (plain SMTP; required)"},
        {"--from", "ADDR", "envelope and From: address (default techbridge@localhost)"},
        {NULL, NULL, NULL},
};
static const struct cli_flag no_flags[] = {{NULL, NULL, NULL}};

const struct cli_cmd cli_commands[] = {
        {"serve", cmd_serve, serve_flags, "",
         "serve the API, the web UI and /healthz, /readyz, /metrics; stop with SIGTERM"},
        {"migrate", cmd_migrate, migrate_flags, "", "apply pending database migrations"},
        {"user add", cmd_user_add, user_add_flags, "USERNAME",
         "create a user; the password is read from the first line of stdin"},
        {"user passwd", cmd_user_passwd, no_flags, "USERNAME",
         "set a user's password, read from the first line of stdin"},
        {"user token", cmd_user_token, user_token_flags, "USERNAME",
         "create an API token for a user and print it"},
        {"user totp", cmd_user_totp, user_totp_flags, "USERNAME",
         "enroll a user in two-factor sign-in: prints the secret and otpauth URI to hand "
         "over; the user confirms with a code (POST /api/v1/me/totp/confirm)"},
        {"import", cmd_import, import_flags,
         "regions|industries|organisations|listings|demands FILE...",
         "load CSV or JSON Lines files; bad rows are reported by line and skipped"},
        {"export", cmd_export, export_flags, "organisations|titles",
         "write organisations or gradient titles as CSV, JSON Lines or XLSX"},
        {"match", cmd_match, match_flags, "",
         "rank listings for demands (or demands for listings), with explanations in jsonl"},
        {"reindex", cmd_reindex, no_flags, "",
         "rebuild the matcher's indexes from the database and report their size"},
        {"audit verify", cmd_audit_verify, no_flags, "",
         "check the audit log's hash chain; names the first broken record"},
        {"backup", cmd_backup, no_flags, "FILE",
         "online copy of a SQLite database (PostgreSQL: use pg_dump)"},
        {"demo", cmd_demo, demo_flags, "",
         "fill a new database with demonstration data and users (password: "
         "TB_ADMIN_PASSWORD, default admin-demo-password)"},
        {"mail drain", cmd_mail_drain, mail_flags, "",
         "send the queued e-mail over SMTP; failures stay queued with the error"},
        {"openapi", cmd_openapi, no_flags, "", "print the OpenAPI 3.1 document"},
        {"routes", cmd_routes, no_flags, "", "print the route table: METHOD PATH"},
        {"evaluate", cmd_evaluate, evaluate_flags, "FILE|-",
         "evaluate enterprise facts (JSON Lines) against the tier rules; no database"},
};
const int cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];
