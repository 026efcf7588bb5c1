/*
 * app_notify: the platform's notifications. A module tells the
 * administrators of an organisation about something (app_notify_org): each
 * gets an in-app notification and, when they have an e-mail address, a mail
 * in the outbox, both written in the caller's transaction. `techbridge mail
 * drain` sends the outbox over SMTP.
 */
#ifndef TB_APP_APP_NOTIFY_H
#define TB_APP_APP_NOTIFY_H

#include "app/app.h"
#include "core/account.h"

struct mail {
	int64_t id;
	const char *to, *subject, *body;
};

/* Tell the organisation's administrators (in-app, and e-mail when they have an address). */
enum err app_notify_org(struct app_ctx *ctx, int64_t org_id, const char *kind, const char *text,
                        const char *link);
/* The caller's notifications, newest first. */
enum err app_notification_list(struct app_ctx *ctx, const struct page_req *pr, struct page *out);
/* The e-mail outbox (CLI): up to `max` unsent mails; mark one sent or failed. */
enum err app_mail_pending(struct app_ctx *ctx, int max, struct mail *out, int *n);
enum err app_mail_mark(struct app_ctx *ctx, int64_t id, const char *error);

#endif
