/* authz: the access policy table. */
#include "core/authz.h"

#include "core/codes.h"

#include <string.h>

const char *const role_names[] = {"admin",     "operator",   "reviewer", "expert",
                                  "org_admin", "org_member", "broker",   "sysadmin",
                                  "secadmin",  "auditadmin", NULL};
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

static const struct rule {
	enum action act;
	enum role role;
	enum scope scope;
} policy[] = {
        {ACT_REFDATA_WRITE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_ORG_CREATE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_ORG_CREATE, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_ORG_UPDATE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_ORG_UPDATE, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_ORG_UPDATE, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_ORG_DELETE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_ORG_DELETE, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_ORG_MEMBERS_READ, ROLE_ADMIN, SCOPE_ANY},
        {ACT_ORG_MEMBERS_READ, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_ORG_MEMBERS_READ, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_ORG_MEMBERS_READ, ROLE_ORG_MEMBER, SCOPE_ORG},
        {ACT_ORG_MEMBERS_WRITE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_ORG_MEMBERS_WRITE, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_USER_LIST, ROLE_ADMIN, SCOPE_ANY},
        {ACT_USER_READ, ROLE_ADMIN, SCOPE_ANY},
        {ACT_USER_READ, ROLE__MAX, SCOPE_SELF},
        {ACT_USER_CREATE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_USER_UPDATE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_USER_UPDATE, ROLE__MAX, SCOPE_SELF},
        {ACT_USER_ADMINISTER, ROLE_ADMIN, SCOPE_ANY},
        {ACT_ROLE_GRANT, ROLE_ADMIN, SCOPE_ANY},
        {ACT_TOKEN_MANAGE, ROLE__MAX, SCOPE_USER},
        {ACT_AUDIT_READ, ROLE_ADMIN, SCOPE_ANY},
        /* gradient cultivation */
        {ACT_FACTS_READ, ROLE_ADMIN, SCOPE_ANY},
        {ACT_FACTS_READ, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_FACTS_READ, ROLE_REVIEWER, SCOPE_REGION},
        {ACT_FACTS_READ, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_FACTS_READ, ROLE_ORG_MEMBER, SCOPE_ORG},
        {ACT_FACTS_WRITE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_FACTS_WRITE, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_FACTS_WRITE, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_APPLICATION_READ, ROLE_ADMIN, SCOPE_ANY},
        {ACT_APPLICATION_READ, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_APPLICATION_READ, ROLE_REVIEWER, SCOPE_REGION},
        {ACT_APPLICATION_READ, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_APPLICATION_READ, ROLE_ORG_MEMBER, SCOPE_ORG},
        {ACT_APPLICATION_WRITE, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_REVIEW_STEP, ROLE_OPERATOR, SCOPE_LEVEL},
        {ACT_REVIEW_STEP, ROLE_REVIEWER, SCOPE_LEVEL},
        {ACT_GRADIENT_MANAGE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_GRADIENT_MANAGE, ROLE_OPERATOR, SCOPE_LEVEL},

        /* technology market: owners publish, operators and brokers moderate */
        {ACT_MARKET_CREATE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_MARKET_CREATE, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_MARKET_CREATE, ROLE_ORG_MEMBER, SCOPE_ORG},
        {ACT_MARKET_EDIT, ROLE_ADMIN, SCOPE_ANY},
        {ACT_MARKET_EDIT, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_MARKET_EDIT, ROLE_ORG_MEMBER, SCOPE_ORG},
        {ACT_MARKET_MODERATE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_MARKET_MODERATE, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_MARKET_MODERATE, ROLE_BROKER, SCOPE_ASSIGNED},
        {ACT_MARKET_READ_ALL, ROLE_ADMIN, SCOPE_ANY},
        {ACT_MARKET_READ_ALL, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_MARKET_READ_ALL, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_MARKET_READ_ALL, ROLE_ORG_MEMBER, SCOPE_ORG},
        {ACT_MARKET_READ_ALL, ROLE_BROKER, SCOPE_ASSIGNED},
        {ACT_BROKER_MANAGE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_BROKER_ASSIGN, ROLE_ADMIN, SCOPE_ANY},
        {ACT_BROKER_ASSIGN, ROLE_OPERATOR, SCOPE_REGION},
        {ACT_INTEREST_CREATE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_INTEREST_CREATE, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_INTEREST_CREATE, ROLE_ORG_MEMBER, SCOPE_ORG},
        {ACT_INTEREST_READ, ROLE_ADMIN, SCOPE_ANY},
        {ACT_INTEREST_READ, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_INTEREST_READ, ROLE_ORG_MEMBER, SCOPE_ORG},
        {ACT_INTEREST_READ, ROLE_BROKER, SCOPE_ASSIGNED},
        {ACT_INTEREST_DECIDE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_INTEREST_DECIDE, ROLE_ORG_ADMIN, SCOPE_ORG},
        {ACT_INTEREST_DECIDE, ROLE_ORG_MEMBER, SCOPE_ORG},

        /*
         * Separated administrators (三权分立, GB/T 22239-2019 level 3): the
         * system administrator runs users, organisations and reference data;
         * the security administrator roles, grants and security settings;
         * the audit administrator reads the audit log. No user holds two of
         * them (app_grant_add). admin keeps every right as a break-glass
         * role: each change made by an admin is audited as break_glass.
         */
        {ACT_REFDATA_WRITE, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_ORG_CREATE, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_ORG_UPDATE, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_ORG_DELETE, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_ORG_MEMBERS_READ, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_ORG_MEMBERS_WRITE, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_USER_LIST, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_USER_READ, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_USER_CREATE, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_USER_UPDATE, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_USER_ADMINISTER, ROLE_SYSADMIN, SCOPE_ANY},
        {ACT_USER_LIST, ROLE_SECADMIN, SCOPE_ANY},
        {ACT_USER_READ, ROLE_SECADMIN, SCOPE_ANY},
        {ACT_ROLE_GRANT, ROLE_SECADMIN, SCOPE_ANY},
        {ACT_SECURITY_MANAGE, ROLE_SECADMIN, SCOPE_ANY},
        {ACT_SECURITY_MANAGE, ROLE_ADMIN, SCOPE_ANY},
        {ACT_AUDIT_READ, ROLE_AUDITADMIN, SCOPE_ANY},
};

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
	static const char *const names[ACT__MAX] = {
	        [ACT_REFDATA_WRITE] = "refdata.write",
	        [ACT_ORG_CREATE] = "org.create",
	        [ACT_ORG_UPDATE] = "org.update",
	        [ACT_ORG_DELETE] = "org.delete",
	        [ACT_ORG_MEMBERS_READ] = "org.members.read",
	        [ACT_ORG_MEMBERS_WRITE] = "org.members.write",
	        [ACT_USER_LIST] = "user.list",
	        [ACT_USER_READ] = "user.read",
	        [ACT_USER_CREATE] = "user.create",
	        [ACT_USER_UPDATE] = "user.update",
	        [ACT_USER_ADMINISTER] = "user.administer",
	        [ACT_ROLE_GRANT] = "role.grant",
	        [ACT_TOKEN_MANAGE] = "token.manage",
	        [ACT_AUDIT_READ] = "audit.read",
	        [ACT_FACTS_READ] = "facts.read",
	        [ACT_FACTS_WRITE] = "facts.write",
	        [ACT_APPLICATION_READ] = "application.read",
	        [ACT_APPLICATION_WRITE] = "application.write",
	        [ACT_REVIEW_STEP] = "review.step",
	        [ACT_GRADIENT_MANAGE] = "gradient.manage",
	        [ACT_MARKET_CREATE] = "market.create",
	        [ACT_MARKET_EDIT] = "market.edit",
	        [ACT_MARKET_MODERATE] = "market.moderate",
	        [ACT_MARKET_READ_ALL] = "market.read_all",
	        [ACT_BROKER_MANAGE] = "broker.manage",
	        [ACT_BROKER_ASSIGN] = "broker.assign",
	        [ACT_INTEREST_CREATE] = "interest.create",
	        [ACT_INTEREST_READ] = "interest.read",
	        [ACT_INTEREST_DECIDE] = "interest.decide",
	        [ACT_SECURITY_MANAGE] = "security.manage",
	};
	return act < ACT__MAX ? names[act] : "?";
}
