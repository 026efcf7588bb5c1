/* authz: the access policy table. */
#include "core/authz.h"

#include "core/codes.h"

#include <string.h>

/* Each expansion of the policy list (core/authz_modules.def) defines all three row macros. */
#define AUTHZ_ROLE(id, name) [id] = name,
#define AUTHZ_ACTION(id, name)
#define AUTHZ_RULE(act, role, scope)
const char *const role_names[] = {
#include "core/authz_modules.def"
        [ROLE__MAX] = NULL,
};
#undef AUTHZ_ROLE
#undef AUTHZ_ACTION
#undef AUTHZ_RULE
_Static_assert(sizeof role_names / sizeof role_names[0] == ROLE__MAX + 1, "every role named");

const char *const level_names[] = {"county", "city", "province", "national", NULL};

enum scope {
	SCOPE_ANY,      /* holding the role is enough */
	SCOPE_REGION,   /* the target's region lies in the grant's region */
	SCOPE_ORG,      /* the grant is for the target organisation */
	SCOPE_SELF,     /* the target user is the actor */
	SCOPE_USER,     /* any signed-in user (role unused) */
	SCOPE_LEVEL,    /* SCOPE_REGION, and the grant is at exactly the target's level */
	SCOPE_ASSIGNED, /* the actor is a broker assigned to the target */
};

/*
 * The policy is a flat list of (action, role, scope) rows: an action is allowed when
 * any row for it matches. Kept as data so it can be read and tested as one table.
 */
static const struct rule {
	enum action act;
	enum role role;
	enum scope scope;
} policy[] = {
#define AUTHZ_ROLE(id, name)
#define AUTHZ_ACTION(id, name)
#define AUTHZ_RULE(act, role, scope) {act, role, scope},
#include "core/authz_modules.def"
#undef AUTHZ_ROLE
#undef AUTHZ_ACTION
#undef AUTHZ_RULE
};

/*
 * Whether one grant satisfies a rule's scope for the target. Region scopes compare code
 * prefixes (region_code_within); a grant without a region covers nothing unless national.
 */
static bool grant_covers(const struct grant *g, enum scope s, const struct target *t)
{
	switch (s) {
	case SCOPE_ANY: return true;
	case SCOPE_REGION:
		if (g->level == LEVEL_NATIONAL)
			return true;
		return t->region && g->region[0] && region_code_within(t->region, g->region);
	case SCOPE_LEVEL:
		if (g->level != t->level || t->level == LEVEL_NONE)
			return false;
		return g->level == LEVEL_NATIONAL ||
		       (t->region && g->region[0] && region_code_within(t->region, g->region));
	case SCOPE_ORG: return g->org_id != 0 && g->org_id == t->org_id;
	case SCOPE_ASSIGNED: return t->assigned;
	default: return false;
	}
}

bool authz_allows(const struct actor *a, enum action act, const struct target *t)
{
	static const struct target none = {0};
	/*
	 * the CLI acts as an actor with an admin grant (app_ctx_as_cli), so it passes
	 * through the same rules
	 */
	if (!a || a->user_id == 0 || act >= ACT__MAX) /* 0: anonymous; < 0: the CLI */
		return false;
	t = t ? t : &none;
	for (size_t i = 0; i < sizeof policy / sizeof policy[0]; i++) {
		const struct rule *r = &policy[i];
		if (r->act != act)
			continue;
		if (r->scope == SCOPE_USER)
			return true;
		if (r->scope == SCOPE_SELF) {
			if (t->user_id == a->user_id)
				return true;
			continue;
		}
		for (int k = 0; k < a->ngrants; k++)
			if (a->grants[k].role == r->role &&
			    grant_covers(&a->grants[k], r->scope, t))
				return true;
	}
	return false;
}

bool authz_has_role(const struct actor *a, enum role r)
{
	for (int k = 0; a && k < a->ngrants; k++)
		if (a->grants[k].role == r)
			return true;
	return false;
}

/* "?" rather than NULL for an out-of-range value: the result goes into messages and audit text */
const char *role_name(enum role r)
{
	return r < ROLE__MAX ? role_names[r] : "?";
}

bool role_parse(const char *s, enum role *out)
{
	for (int i = 0; i < ROLE__MAX; i++)
		if (s && !strcmp(s, role_names[i])) {
			*out = (enum role)i;
			return true;
		}
	return false;
}

/* LEVEL_NONE has no name (NULL, written as JSON null); the others are level_names shifted by one */
const char *gov_level_name(enum gov_level l)
{
	return l > LEVEL_NONE && l < LEVEL__MAX ? level_names[l - 1] : NULL;
}

bool gov_level_parse(const char *s, enum gov_level *out)
{
	for (int i = 0; level_names[i]; i++)
		if (s && !strcmp(s, level_names[i])) {
			*out = (enum gov_level)(i + 1);
			return true;
		}
	return false;
}

const char *action_name(enum action act)
{
#define AUTHZ_ROLE(id, name)
#define AUTHZ_ACTION(id, name) [id] = name,
#define AUTHZ_RULE(act, role, scope)
	static const char *const names[ACT__MAX] = {
#include "core/authz_modules.def"
	};
#undef AUTHZ_ROLE
#undef AUTHZ_ACTION
#undef AUTHZ_RULE
	return act < ACT__MAX ? names[act] : "?";
}
