/*
 * account: user records and role grants as data: the writable user fields
 * (one table for API, CLI and UI), the grant fields, and the rule that a
 * grant's level and region agree (a county operator is scoped to a county
 * code, a province operator to a province code, a national one to none).
 */
#ifndef TB_CORE_ACCOUNT_H
#define TB_CORE_ACCOUNT_H

#include "core/authz.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/jw.h"
#include "lib/fields.h"

enum user_field {
	USER_USERNAME,
	USER_PASSWORD,
	USER_DISPLAY_NAME,
	USER_EMAIL,
	USER_LOCALE,
	USER_DISABLED,
	USER__NFIELDS
};

enum grant_field { GRANT_ROLE, GRANT_REGION_CODE, GRANT_LEVEL, GRANT_ORG_ID, GRANT__NFIELDS };

extern const struct field_def user_fields[USER__NFIELDS];
extern const struct field_def grant_fields[GRANT__NFIELDS];
extern const char *const user_locales[];

enum { TOKEN_HASH_HEX = 65 };

struct user {
	int64_t id;
	const char *username;
	const char *display_name;
	const char *email;
	const char *locale;
	bool disabled;
	const char *created_at;
	const char *updated_at;
	int64_t version;
	int ngrants;
	struct grant *grants;
};

struct token_info {
	int64_t id;
	int64_t user_id;
	const char *kind; /* "session" or "api" */
	const char *name;
	const char *secret; /* only right after creation; never stored */
	const char *created_at;
	const char *expires_at;
	const char *last_used_at;
	bool revoked;
};

/* JSON of a user (with grants), a token and a grant, for responses and audit. */
void user_to_json(const struct user *u, struct buf *out);

/* An in-app notification of a user (app/app_notify). */
struct notification {
	int64_t id;
	const char *at, *kind, *text, *link, *read_at;
};
void notification_to_json(const struct notification *n, struct buf *out);
void token_to_json(const struct token_info *t, struct buf *out);
void grant_to_json(const struct grant *g, struct jw *w);

/* Password rule: length within LIMIT_PASSWORD_MIN..MAX characters, not all one character. */
bool password_check(const char *s, const char **why);

/*
 * Build a grant from validated grant field values and check that role,
 * level, region and organisation agree.
 */
enum err grant_from_fields(const struct field_val v[GRANT__NFIELDS], struct grant *g,
                           struct err_detail *d);

#endif
