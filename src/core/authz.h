/*
 * authz: who may do what. Roles are granted to users, some scoped to a
 * region and a government level (operator, reviewer, expert) or to an
 * organisation (org_admin, org_member). The policy is one table of
 * (action, role, scope) rows, assembled from the kernel's and each module's
 * fragment (core/authz_modules.def); anything not in it is denied.
 * Pure: the caller loads the actor's grants and the target's facts.
 */
#ifndef TB_CORE_AUTHZ_H
#define TB_CORE_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

/* Roles, actions and rules come from the registration list core/authz_modules.def. */
#define AUTHZ_ROLE(id, name) id,
#define AUTHZ_ACTION(id, name)
#define AUTHZ_RULE(act, role, scope)
enum role {
#include "core/authz_modules.def"
	ROLE__MAX
};
#undef AUTHZ_ROLE
#undef AUTHZ_ACTION
#undef AUTHZ_RULE

#define AUTHZ_ROLE(id, name)
#define AUTHZ_ACTION(id, name) id,
#define AUTHZ_RULE(act, role, scope)
enum action {
#include "core/authz_modules.def"
	ACT__MAX
};
#undef AUTHZ_ROLE
#undef AUTHZ_ACTION
#undef AUTHZ_RULE

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
