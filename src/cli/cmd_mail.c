/* cmd_mail: `techbridge mail drain`: hand the queued e-mail to an SMTP relay. */
#include "app/app_notify.h"
#include "cli/cli.h"
#include "lib/smtp.h"

#include <stdio.h>
#include <string.h>

/* the queue is read in batches so a long backlog does not have to fit in memory */
enum { DRAIN_BATCH = 200 };

struct drain {
	const char *smtp, *from;
	struct smtp *s; /* opened at the first mail */
	long sent, failed;
	/* one Date for the whole run */
	char date[40];
};

/* Send one queued mail and record the outcome; false when the relay is unreachable. */
static bool drain_one(struct drain *d, struct app_ctx *ctx, const struct mail *m)
{
	char error[SMTP_ERROR_MAX] = "";
	enum err e = ERR_OK;
	if (!d->s)
		e = smtp_open(d->smtp, "techbridge", &d->s, error);
	if (!e) {
		char id[80];
		snprintf(id, sizeof id, "outbox-%lld.%lld@techbridge", (long long)m->id,
		         (long long)ctx->now);
		struct smtp_mail sm = {.from = d->from,
		                       .to = m->to,
		                       .subject = m->subject,
		                       .body = m->body,
		                       .date = d->date,
		                       .message_id = id};
		e = smtp_send(d->s, &sm, error);
	}
	/* a failure stays queued (up to five attempts) with its reason */
	enum err me = app_mail_mark(ctx, m->id, e ? error : NULL);
	if (me)
		cli_fail(me, &ctx->err, "mail drain");
	if (e) {
		d->failed++;
		fprintf(stderr, "mail %lld to %s: %s\n", (long long)m->id, m->to, error);
	} else {
		d->sent++;
	}
	if (d->s && smtp_broken(d->s)) {
		smtp_close(d->s);
		d->s = NULL;
		return false;
	}
	/*
	 * false stops the run: the relay could not be reached, or the outcome could not be recorded
	 */
	return !(e == ERR_IO && !d->s) && !me;
}

/* One pass over the queue: each mail pending at the start is tried once. */
static enum err drain_all(struct drain *d, struct app_ctx *ctx)
{
	int64_t last = 0;
	for (;;) {
		struct mail batch[DRAIN_BATCH];
		int n = 0;
		enum err e = app_mail_pending(ctx, DRAIN_BATCH, batch, &n);
		if (e)
			return e;
		int done = 0;
		for (int i = 0; i < n; i++) {
			if (batch[i].id <= last)
				continue; /* failed earlier in this pass */
			last = batch[i].id;
			done++;
			if (!drain_one(d, ctx, &batch[i]))
				return ERR_IO;
		}
		if (!done)
			return ERR_OK;
	}
}

/*
 * Sends what is queued and exits: run it from cron (docs/OPERATIONS.md). Exit
 * 3 when anything failed; the failed mail stays queued for the next run.
 */
int cmd_mail_drain(int argc, char **argv)
{
	CLI_PARSE("mail drain", npos == 0);
	struct drain d = {.smtp = cli_flag(cmd, v, "--smtp"), .from = cli_flag(cmd, v, "--from")};
	if (!d.smtp) {
		fputs("techbridge mail drain: --smtp HOST:PORT is required\n", stderr);
		return EXIT_USAGE;
	}
	d.from = d.from ? d.from : "techbridge@localhost";
	/* refused here rather than per mail: every mail of the run would fail the same way */
	if (strpbrk(d.from, "<>\r\n ") || !strchr(d.from, '@')) {
		fputs("techbridge mail drain: --from must be a plain address (user@host)\n",
		      stderr);
		return EXIT_USAGE;
	}
	struct app app;
	struct app_ctx ctx;
	if (!cli_open(&app, &ctx))
		return EXIT_OTHER;
	smtp_date(ctx.now, d.date);
	enum err e = drain_all(&d, &ctx);
	smtp_close(d.s);
	int rc = e && e != ERR_IO ? cli_fail(e, &ctx.err, "mail drain") : 0;
	fprintf(stderr, "mail: %ld sent, %ld failed (kept in the queue)\n", d.sent, d.failed);
	if (!rc && (e || d.failed))
		rc = EXIT_OTHER;
	cli_close_checkpoint(&app, &ctx);
	return rc;
}
