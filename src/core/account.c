/* account: user and grant field tables and their rules. */
#include "core/account.h"

#include "core/codes.h"
#include "lib/limits.h"

#include <string.h>

const char *const user_locales[] = {"zh-CN", "en", NULL};

/*
 * Lower case only: names are compared byte for byte, so "Alice" and "alice"
 * cannot become two accounts. '@' lets an e-mail address serve as the name.
 */
static bool username_check(const char *s, const char **why)
{
	for (const char *p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._-@", *p))) {
			*why = "may contain only a-z, 0-9 and . _ - @";
			return false;
		}
	}
	return true;
}

bool password_check(const char *s, const char **why)
{
	size_t n = fields_utf8_len(s);
	if (n < LIMIT_PASSWORD_MIN || n > LIMIT_PASSWORD_MAX) {
		*why = "must be 8 to 128 characters";
		return false;
	}
	/*
	 * "aaaaaaaa" passes a length rule alone: refuse a password made of one repeated character
	 */
	size_t same = strspn(s, (char[]){s[0], '\0'});
	if (same == strlen(s)) {
		*why = "must not repeat a single character";
		return false;
	}
	return true;
}

const struct field_def user_fields[USER__NFIELDS] = {
        [USER_USERNAME] = {"username", FT_TEXT, FD_REQUIRED | FD_CREATE_ONLY, 3, 64, NULL,
                           username_check, "login name: a-z, 0-9 and . _ - @"},
        [USER_PASSWORD] = {"password", FT_TEXT, FD_REQUIRED | FD_CREATE_ONLY | FD_SECRET,
                           LIMIT_PASSWORD_MIN, LIMIT_PASSWORD_MAX, NULL, password_check,
                           "initial password (8-128 characters)"},
        [USER_DISPLAY_NAME] = {"display_name", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1,
                               LIMIT_TEXT_SHORT, NULL, NULL, "name shown to others"},
        [USER_EMAIL] = {"email", FT_TEXT, FD_NULLABLE, 3, LIMIT_TEXT_SHORT, NULL, email_check,
                        "e-mail address for notifications"},
        [USER_LOCALE] = {"locale", FT_TEXT, 0, 2, 5, user_locales, NULL,
                         "preferred language: zh-CN or en"},
        [USER_DISABLED] = {"disabled", FT_BOOL, 0, 0, 0, NULL, NULL,
                           "a disabled user cannot sign in (admin only)"},
};

const struct field_def grant_fields[GRANT__NFIELDS] = {
        [GRANT_ROLE] = {"role", FT_TEXT, FD_REQUIRED, 1, 32, role_names, NULL, "role to grant"},
        [GRANT_REGION_CODE] = {"region_code", FT_TEXT, FD_NULLABLE, 6, 6, NULL, region_code_check,
                               "region the grant is scoped to"},
        [GRANT_LEVEL] = {"level", FT_TEXT, FD_NULLABLE, 1, 16, level_names, NULL,
                         "government level: county, city, province or national"},
        [GRANT_ORG_ID] = {"org_id", FT_INT, FD_NULLABLE, 1, INT64_MAX, NULL, NULL,
                          "organisation, for org_admin and org_member"},
};

/*
 * The region level a government level is scoped to: a county grant needs a county code, a
 * city grant a prefecture code, a province grant a province code; national matches none.
 */
static bool level_matches_region(enum gov_level l, const char *region)
{
	enum region_level rl = region_code_level(region);
	return (l == LEVEL_COUNTY && rl == REGION_COUNTY) ||
	       (l == LEVEL_CITY && rl == REGION_PREFECTURE) ||
	       (l == LEVEL_PROVINCE && rl == REGION_PROVINCE);
}

/*
 * The combinations a grant can take: org roles carry an organisation and nothing else;
 * operator, reviewer and expert may carry a level and region that agree; other roles
 * carry no scope. Each refusal names the field to change, so a form can point at it.
 */
enum err grant_from_fields(const struct field_val v[GRANT__NFIELDS], struct grant *g,
                           struct err_detail *d)
{
	memset(g, 0, sizeof *g);
	if (!role_parse(v[GRANT_ROLE].s, &g->role))
		return err_set(d, ERR_INVALID, "role", "is not a known role");
	bool has_region = v[GRANT_REGION_CODE].set && !v[GRANT_REGION_CODE].null;
	bool has_level = v[GRANT_LEVEL].set && !v[GRANT_LEVEL].null;
	bool has_org = v[GRANT_ORG_ID].set && !v[GRANT_ORG_ID].null;
	bool org_role = g->role == ROLE_ORG_ADMIN || g->role == ROLE_ORG_MEMBER;
	bool scoped_role =
	        g->role == ROLE_OPERATOR || g->role == ROLE_REVIEWER || g->role == ROLE_EXPERT;
	if (org_role != has_org)
		return err_set(d, ERR_INVALID, "org_id",
		               org_role ? "is required for %s"
		                        : "applies only to org_admin and "
		                          "org_member%s",
		               org_role ? role_name(g->role) : "");
	if (!scoped_role && (has_level || has_region))
		return err_set(d, ERR_INVALID, has_level ? "level" : "region_code",
		               "applies only to operator, reviewer and expert");
	if (g->role == ROLE_OPERATOR && !has_level)
		return err_set(d, ERR_INVALID, "level", "is required for an operator");
	if (has_level) {
		gov_level_parse(v[GRANT_LEVEL].s, &g->level);
		if (g->level == LEVEL_NATIONAL && has_region)
			return err_set(d, ERR_INVALID, "region_code",
			               "must be empty at national level");
		if (g->level != LEVEL_NATIONAL) {
			if (!has_region)
				return err_set(d, ERR_INVALID, "region_code",
				               "is required at %s level", v[GRANT_LEVEL].s);
			if (!level_matches_region(g->level, v[GRANT_REGION_CODE].s))
				return err_set(d, ERR_INVALID, "region_code",
				               "is not a %s-level region code", v[GRANT_LEVEL].s);
		}
	} else if (has_region) {
		return err_set(d, ERR_INVALID, "level", "is required with region_code");
	}
	if (has_region)
		memcpy(g->region, v[GRANT_REGION_CODE].s, 7);
	if (has_org)
		g->org_id = v[GRANT_ORG_ID].i;
	return ERR_OK;
}

void grant_to_json(const struct grant *g, struct jw *w)
{
	jw_obj_open(w);
	jw_ki64(w, "id", g->id);
	jw_kstr(w, "role", role_name(g->role));
	jw_kstr(w, "region_code", g->region[0] ? g->region : NULL);
	jw_kstr(w, "level", gov_level_name(g->level));
	/* 0 is "no organisation": written as null, not as an id */
	jw_key(w, "org_id");
	if (g->org_id)
		jw_i64(w, g->org_id);
	else
		jw_null(w);
	jw_obj_close(w);
}

void user_to_json(const struct user *u, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", u->id);
	jw_kstr(&w, "username", u->username);
	jw_kstr(&w, "display_name", u->display_name);
	jw_kstr(&w, "email", u->email);
	jw_kstr(&w, "locale", u->locale);
	jw_kbool(&w, "disabled", u->disabled);
	jw_key(&w, "roles");
	jw_arr_open(&w);
	for (int i = 0; i < u->ngrants; i++)
		grant_to_json(&u->grants[i], &w);
	jw_arr_close(&w);
	jw_kstr(&w, "created_at", u->created_at);
	jw_kstr(&w, "updated_at", u->updated_at);
	jw_ki64(&w, "version", u->version);
	jw_obj_close(&w);
}

void token_to_json(const struct token_info *t, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", t->id);
	jw_kstr(&w, "kind", t->kind);
	jw_kstr(&w, "name", t->name);
	/*
	 * the secret exists only in the response that creates the token and is never
	 * stored or shown again
	 */
	if (t->secret)
		jw_kstr(&w, "token", t->secret);
	jw_kstr(&w, "created_at", t->created_at);
	jw_kstr(&w, "expires_at", t->expires_at);
	jw_kstr(&w, "last_used_at", t->last_used_at);
	jw_obj_close(&w);
}

void notification_to_json(const struct notification *n, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", n->id);
	jw_kstr(&w, "at", n->at);
	jw_kstr(&w, "kind", n->kind);
	jw_kstr(&w, "text", n->text);
	jw_kstr(&w, "link", n->link);
	jw_kstr(&w, "read_at", n->read_at);
	jw_obj_close(&w);
}
