/* cmd_serve: `techbridge serve`. */
#include "cli/cli.h"

#include "app/app_audit.h"
#include "app/app_pii.h"
#include "http/routes.h"
#include "http/server.h"
#include "lib/buf.h"
#include "lib/limits.h"
#include "lib/num.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The sign-in settings of serve: the session idle timeout and the roles that
 * must use two-factor sign-in, from flags or else the environment.
 */
static bool serve_signin_opts(struct app *app, const char *idle, const char *roles)
{
	idle = idle ? idle : getenv("TECHBRIDGE_SESSION_IDLE");
	roles = roles ? roles : getenv("TECHBRIDGE_REQUIRE_2FA");
	int64_t secs;
	if (idle && *idle) {
		if (!num_parse(idle, 1, LIMIT_SESSION_IDLE_MAX_S, &secs)) {
			fprintf(stderr,
			        "techbridge serve: --session-idle must be 1 to %d seconds\n",
			        LIMIT_SESSION_IDLE_MAX_S);
			return false;
		}
		app->session_idle_s = (int)secs;
	}
	for (const char *p = roles; p && *p;) {
		size_t n = strcspn(p, ",");
		char name[33];
		enum role r;
		snprintf(name, sizeof name, "%.*s", (int)(n < 32 ? n : 32), p);
		if (!role_parse(name, &r)) {
			fprintf(stderr, "techbridge serve: --require-2fa: %s is not a role\n",
			        name);
			return false;
		}
		app->require_2fa |= 1u << r;
		p += n + (p[n] == ',');
	}
	return true;
}

/* The audit ticker's lines go to stderr with the server's own. */
static void audit_report(const char *line)
{
	fprintf(stderr, "techbridge: %s\n", line);
}

/* An optional integer flag within [lo, hi]; false (and a message) when it is not one. */
static bool int_flag(const struct cli_cmd *cmd, const char **v, const char *name, int lo, int hi,
                     int *out)
{
	const char *s = cli_flag(cmd, v, name);
	int64_t n;
	if (!s)
		return true;
	if (!num_parse(s, lo, hi, &n)) {
		fprintf(stderr, "techbridge serve: %s must be %d to %d\n", name, lo, hi);
		return false;
	}
	*out = (int)n;
	return true;
}

int cmd_serve(int argc, char **argv)
{
	CLI_PARSE("serve", npos == 0);
	struct server_opts o = {.listen = cli_flag(cmd, v, "--listen"),
	                        .web_dir = cli_flag(cmd, v, "--web-dir")};
	o.listen = o.listen ? o.listen : "127.0.0.1:8080";
	int64_t workers = sysconf(_SC_NPROCESSORS_ONLN);
	const char *w = cli_flag(cmd, v, "--workers");
	if (w && !num_parse(w, 1, LIMIT_WORKERS_MAX, &workers)) {
		fprintf(stderr, "techbridge serve: --workers must be 1 to %d\n", LIMIT_WORKERS_MAX);
		return EXIT_USAGE;
	}
	o.workers = (int)(workers < 1 ? 1 : workers);
	if (!int_flag(cmd, v, "--max-conn-per-addr", 1, LIMIT_CONN_PER_ADDR_MAX,
	              &o.max_conn_per_addr) ||
	    !int_flag(cmd, v, "--header-deadline", 1, LIMIT_DEADLINE_MAX_S, &o.header_deadline_s) ||
	    !int_flag(cmd, v, "--body-deadline", 1, LIMIT_DEADLINE_MAX_S, &o.body_deadline_s))
		return EXIT_USAGE;
	const char *sync = cli_flag(cmd, v, "--sync");
	if (sync && strcmp(sync, "normal") && strcmp(sync, "full")) {
		fprintf(stderr, "techbridge serve: --sync must be normal or full\n");
		return EXIT_USAGE;
	}
	app_set_sync_full(sync && !strcmp(sync, "full"));
	const char *log = cli_flag(cmd, v, "--access-log");
	FILE *logf = stderr;
	if (log && !strcmp(log, "off"))
		logf = NULL;
	else if (log && strcmp(log, "-") && !(logf = fopen(log, "a"))) {
		fprintf(stderr, "techbridge serve: cannot open %s\n", log);
		return EXIT_OTHER;
	}
	o.access_log = logf;
	struct app app;
	if (!cli_app_open(&app, o.workers + 2))
		return EXIT_OTHER;
	if (!serve_signin_opts(&app, cli_flag(cmd, v, "--session-idle"),
	                       cli_flag(cmd, v, "--require-2fa"))) {
		app_close(&app);
		return EXIT_USAGE;
	}
	struct err_detail d = {0};
	/* with a signing key: a checkpoint every minute while there were writes, and at stop */
	int64_t every = 60;
	const char *ev = getenv("TECHBRIDGE_AUDIT_CHECKPOINT_SECONDS");
	if (ev && *ev && !num_parse(ev, 1, LIMIT_AUDIT_CHECKPOINT_S, &every)) {
		fprintf(stderr,
		        "techbridge serve: TECHBRIDGE_AUDIT_CHECKPOINT_SECONDS must be 1 to %d\n",
		        LIMIT_AUDIT_CHECKPOINT_S);
		app_close(&app);
		return EXIT_USAGE;
	}
	struct audit_ticker *ticker = app_audit_ticker_start(&app, (int)every, audit_report);
	if (!ticker)
		fputs("techbridge: no audit signing key (--audit-key): no audit checkpoints\n",
		      stderr);
	if (!app_data_key_id(&app))
		fputs("techbridge: no data key (--data-key): personal data (e-mail addresses, "
		      "contacts) is stored in plaintext\n",
		      stderr);
	else
		fprintf(stderr, "techbridge: personal data encrypted with data key %s\n",
		        app_data_key_id(&app));
	enum err e = server_run(&app, &o, &d);
	app_audit_ticker_stop(ticker);
	app_close(&app);
	if (logf && logf != stderr)
		fclose(logf);
	return e ? cli_fail(e, &d, "serve") : 0;
}

int cmd_openapi(int argc, char **argv)
{
	CLI_PARSE("openapi", npos == 0);
	struct buf b = BUF_INIT;
	openapi_document(&b);
	printf("%s\n", buf_str(&b));
	buf_free(&b);
	return 0;
}

int cmd_routes(int argc, char **argv)
{
	CLI_PARSE("routes", npos == 0);
	size_t nroutes;
	const struct route *routes = route_table(&nroutes);
	for (size_t i = 0; i < nroutes; i++)
		printf("%s %s\n", routes[i].method, routes[i].path);
	return 0;
}
