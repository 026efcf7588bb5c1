/*
 * authz: who may do what. Roles are granted to users, some scoped to a
 * region and a government level (operator, reviewer, expert) or to an
 * organisation (org_admin, org_member). The policy is one table of
 * (action, role, scope) rows in authz.c; anything not in it is denied.
 * Pure: the caller loads the actor's grants and the target's facts.
 */
#ifndef TB_CORE_AUTHZ_H
#define TB_CORE_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

enum role {
	ROLE_ADMIN,
	ROLE_OPERATOR,
	ROLE_REVIEWER,
	ROLE_EXPERT,
	ROLE_ORG_ADMIN,
	ROLE_ORG_MEMBER,
	ROLE_BROKER,
	/* separated administrators; ROLE_ADMIN stays as break-glass (authz.c) */
	ROLE_SYSADMIN,
	ROLE_SECADMIN,
	ROLE_AUDITADMIN,
	ROLE__MAX
};

enum gov_level { LEVEL_NONE, LEVEL_COUNTY, LEVEL_CITY, LEVEL_PROVINCE, LEVEL_NATIONAL, LEVEL__MAX };

enum { AUTHZ_GRANTS_MAX = 32 };

struct grant {
	int64_t id;
	enum role role;
	enum gov_level level;
	char region[7]; /* "" when unscoped */
	int64_t org_id; /* 0 when not an organisation role */
};

/* The caller of an action: a user with grants, or anonymous (user_id 0). */
struct actor {
	int64_t user_id;
	char username[65];
	int ngrants;
	struct grant grants[AUTHZ_GRANTS_MAX];
};

enum action {
	ACT_REFDATA_WRITE, /* regions and industries */
	ACT_ORG_CREATE,
	ACT_ORG_UPDATE,
	ACT_ORG_DELETE,
	ACT_ORG_MEMBERS_READ,
	ACT_ORG_MEMBERS_WRITE,
	ACT_USER_LIST,
	ACT_USER_READ,
	ACT_USER_CREATE,
	ACT_USER_UPDATE,     /* profile fields */
	ACT_USER_ADMINISTER, /* disable, reset password, delete */
	ACT_ROLE_GRANT,
	ACT_TOKEN_MANAGE,
	ACT_AUDIT_READ,
	/* gradient cultivation (issue 3) */
	ACT_FACTS_READ,        /* an enterprise's facts and evaluations */
	ACT_FACTS_WRITE,       /* change facts, run a self-evaluation */
	ACT_APPLICATION_READ,  /* an application, its trail and attachments */
	ACT_APPLICATION_WRITE, /* draft, correct, attach, submit, withdraw */
	ACT_REVIEW_STEP,       /* approve, return, reject at a step (target.level) */
	ACT_GRADIENT_MANAGE,   /* at the chain's last level: objections, batches, titles */
	/* technology market (issue 4) */
	ACT_MARKET_CREATE,   /* publish a listing or demand for the target organisation */
	ACT_MARKET_EDIT,     /* change, submit, withdraw, renew one's own items */
	ACT_MARKET_MODERATE, /* approve or reject items under review */
	ACT_MARKET_READ_ALL, /* see unpublished items, stats and assignments */
	ACT_BROKER_MANAGE,   /* the broker registry */
	ACT_BROKER_ASSIGN,   /* assign brokers to items */
	ACT_INTEREST_CREATE, /* express interest on behalf of the target organisation */
	ACT_INTEREST_READ,   /* see an interest and its thread, post to it */
	ACT_INTEREST_DECIDE, /* accept or decline an interest addressed to the target org */
	ACT_SECURITY_MANAGE, /* another user's two-factor sign-in and sessions */
	ACT__MAX
};

/* What the action is applied to; fields that do not apply stay 0 / "". */
struct target {
	const char *region; /* 6-digit region of the record, or NULL */
	int64_t org_id;
	int64_t user_id;
	enum gov_level level; /* SCOPE_LEVEL: the level the action is taken at */
	bool assigned;        /* the actor is a broker assigned to the target (market items) */
};

/* True if `a` may perform `act` on `t`. Deny by default. */
bool authz_allows(const struct actor *a, enum action act, const struct target *t);
/* True if the actor holds `role` in any scope. */
bool authz_has_role(const struct actor *a, enum role r);

const char *role_name(enum role r);
/* Parse a role name; false if unknown. */
bool role_parse(const char *s, enum role *out);
const char *gov_level_name(enum gov_level l);
bool gov_level_parse(const char *s, enum gov_level *out);
extern const char *const role_names[];  /* NULL-terminated, for field choices */
extern const char *const level_names[]; /* NULL-terminated */
const char *action_name(enum action act);

#endif
