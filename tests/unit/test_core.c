/* Unit tests of core/: credit codes, classification codes, authorization, grants, audit hash. */
#include "core/account.h"
#include "core/audit.h"
#include "core/authz.h"
#include "core/codes.h"
#include "core/org.h"
#include "core/refdata.h"
#include "core/uscc.h"
#include "core/pii.h"
#include "unit.h"

static void credit_codes_check_both_characters(void)
{
	static const struct {
		const char *code;
		bool ok;
	} cases[] = {
	        {"914403001922038216", true}, /* Huawei */
	        {"9144030071526726XG", true}, /* Tencent: organisation check digit X */
	        {"91110000802100433B", true},
	        {"914403001922038217", false}, /* last character off by one */
	        {"914403001922038316", false}, /* organisation check digit wrong */
	        {"91440300192203821", false},  /* 17 characters */
	        {"9144030019220382I6", false}, /* I is not in the alphabet */
	        {"91440A001922038216", false}, /* region part not digits */
	        {"", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = NULL;
		bool ok = uscc_valid(cases[i].code, &why);
		if (ok != cases[i].ok)
			fprintf(stderr, "  %s: %s\n", cases[i].code, why ? why : "valid");
		CHECK_INT(ok, cases[i].ok);
		CHECK(ok || why != NULL);
	}
	CHECK_INT(uscc_check_char("91440300192203821"), '6');
	CHECK_INT(uscc_org_check_char("71526726"), 'X');
}

static void region_codes_normalise_and_nest(void)
{
	char c[7], p[7], lo[7], hi[7];
	const char *why;
	CHECK(region_code_normalise("32", c));
	CHECK_STR(c, "320000");
	CHECK(region_code_normalise("3205", c));
	CHECK_STR(c, "320500");
	CHECK(!region_code_normalise("320", c));
	CHECK(!region_code_normalise("000000", c));
	CHECK(!region_code_check("320005", &why)); /* county without prefecture */
	CHECK(region_code_check("320505", &why));
	CHECK_STR(region_level_name(region_code_level("320505")), "county");
	CHECK_STR(region_level_name(region_code_level("320500")), "prefecture");
	CHECK(region_code_parent("320505", p));
	CHECK_STR(p, "320500");
	CHECK(region_code_parent("320500", p));
	CHECK_STR(p, "320000");
	CHECK(!region_code_parent("320000", p));
	region_code_range("320000", lo, hi);
	CHECK_STR(lo, "32");
	CHECK_STR(hi, "33");
	region_code_range("390500", lo, hi);
	CHECK_STR(lo, "3905");
	CHECK(region_code_within("320505", "320000"));
	CHECK(region_code_within("320505", "320500"));
	CHECK(!region_code_within("320605", "320500"));
	CHECK(!region_code_within("330000", "320000"));
}

static void industry_codes_have_four_levels(void)
{
	const char *why;
	char lo[6], hi[6], parent[6];
	int level;
	struct err_detail d;
	CHECK(industry_code_check("C", &why) && industry_code_check("C34", &why));
	CHECK(industry_code_check("C3484", &why));
	CHECK(!industry_code_check("C3", &why) && !industry_code_check("Z11", &why));
	CHECK(!industry_code_check("C34841", &why) && !industry_code_check("c34", &why));
	CHECK(industry_derive("C3484", &level, parent, &d) == ERR_OK && level == 4);
	CHECK_STR(parent, "C348");
	CHECK(industry_derive("C34", &level, parent, &d) == ERR_OK && level == 2);
	CHECK_STR(parent, "C");
	CHECK(industry_derive("A", &level, parent, &d) == ERR_OK && level == 1);
	CHECK_STR(parent, "");
	industry_code_range("C39", lo, hi);
	CHECK_STR(lo, "C39");
	CHECK_STR(hi, "C3:");
	CHECK(strcmp("C3999", hi) < 0 && strcmp("C4000", hi) > 0);
}

static struct actor actor_with(enum role r, enum gov_level l, const char *region, int64_t org)
{
	struct actor a = {.user_id = 7, .ngrants = 1};
	a.grants[0].role = r;
	a.grants[0].level = l;
	snprintf(a.grants[0].region, sizeof a.grants[0].region, "%s", region);
	a.grants[0].org_id = org;
	return a;
}

static void authorization_denies_by_default_and_scopes(void)
{
	struct actor anon = {0};
	struct actor admin = actor_with(ROLE_ADMIN, LEVEL_NONE, "", 0);
	struct actor js_op = actor_with(ROLE_OPERATOR, LEVEL_PROVINCE, "320000", 0);
	struct actor sz_op = actor_with(ROLE_OPERATOR, LEVEL_CITY, "320500", 0);
	struct actor nat_op = actor_with(ROLE_OPERATOR, LEVEL_NATIONAL, "", 0);
	struct actor owner = actor_with(ROLE_ORG_ADMIN, LEVEL_NONE, "", 5);
	struct actor member = actor_with(ROLE_ORG_MEMBER, LEVEL_NONE, "", 5);
	struct actor reviewer = actor_with(ROLE_REVIEWER, LEVEL_PROVINCE, "320000", 0);
	struct target in_sz = {.region = "320505", .org_id = 5};
	struct target in_bj = {.region = "110000", .org_id = 6};
	const struct {
		const struct actor *a;
		enum action act;
		const struct target *t;
		bool want;
	} cases[] = {
	        {&anon, ACT_ORG_CREATE, &in_sz, false},
	        {&admin, ACT_ORG_DELETE, &in_bj, true},
	        {&js_op, ACT_ORG_UPDATE, &in_sz, true},
	        {&js_op, ACT_ORG_UPDATE, &in_bj, false},
	        {&sz_op, ACT_ORG_CREATE, &in_sz, true},
	        {&sz_op, ACT_ORG_CREATE, &in_bj, false},
	        {&nat_op, ACT_ORG_CREATE, &in_bj, true},
	        {&owner, ACT_ORG_UPDATE, &in_sz, true},
	        {&owner, ACT_ORG_UPDATE, &in_bj, false},
	        {&owner, ACT_ORG_DELETE, &in_sz, false},
	        {&member, ACT_ORG_UPDATE, &in_sz, false},
	        {&member, ACT_ORG_MEMBERS_READ, &in_sz, true},
	        {&reviewer, ACT_ORG_CREATE, &in_sz, false},
	        {&js_op, ACT_USER_LIST, NULL, false},
	        {&admin, ACT_AUDIT_READ, NULL, true},
	        {&member, ACT_TOKEN_MANAGE, NULL, true},
	        {&anon, ACT_TOKEN_MANAGE, NULL, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool got = authz_allows(cases[i].a, cases[i].act, cases[i].t);
		if (got != cases[i].want)
			fprintf(stderr, "  case %zu: %s\n", i, action_name(cases[i].act));
		CHECK_INT(got, cases[i].want);
	}
	struct target self = {.user_id = 7}, other = {.user_id = 8};
	CHECK(authz_allows(&member, ACT_USER_UPDATE, &self));
	CHECK(!authz_allows(&member, ACT_USER_UPDATE, &other));
	CHECK(!authz_allows(&member, ACT_USER_ADMINISTER, &self));
	struct actor none_org = actor_with(ROLE_ORG_ADMIN, LEVEL_NONE, "", 0);
	struct target no_org = {0};
	CHECK(!authz_allows(&none_org, ACT_ORG_UPDATE, &no_org)); /* org 0 is no organisation */
}

static void grants_check_level_region_and_organisation(void)
{
	static const struct {
		const char *role, *region, *level;
		int64_t org;
		enum err want;
		const char *field;
	} cases[] = {
	        {"operator", "320000", "province", 0, ERR_OK, ""},
	        {"operator", "320500", "city", 0, ERR_OK, ""},
	        {"operator", "320505", "county", 0, ERR_OK, ""},
	        {"operator", NULL, "national", 0, ERR_OK, ""},
	        {"operator", NULL, NULL, 0, ERR_INVALID, "level"},
	        {"operator", "320500", "province", 0, ERR_INVALID, "region_code"},
	        {"operator", NULL, "province", 0, ERR_INVALID, "region_code"},
	        {"operator", "320000", "national", 0, ERR_INVALID, "region_code"},
	        {"org_admin", NULL, NULL, 3, ERR_OK, ""},
	        {"org_admin", NULL, NULL, 0, ERR_INVALID, "org_id"},
	        {"broker", NULL, NULL, 3, ERR_INVALID, "org_id"},
	        {"broker", "320000", "province", 0, ERR_INVALID, "level"},
	        {"reviewer", "320000", NULL, 0, ERR_INVALID, "level"},
	        {"admin", NULL, NULL, 0, ERR_OK, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct field_val v[GRANT__NFIELDS] = {0};
		v[GRANT_ROLE] = (struct field_val){.set = true, .s = cases[i].role};
		if (cases[i].region)
			v[GRANT_REGION_CODE] =
			        (struct field_val){.set = true, .s = cases[i].region};
		if (cases[i].level)
			v[GRANT_LEVEL] = (struct field_val){.set = true, .s = cases[i].level};
		if (cases[i].org)
			v[GRANT_ORG_ID] = (struct field_val){.set = true, .i = cases[i].org};
		struct grant g;
		struct err_detail d = {0};
		enum err e = grant_from_fields(v, &g, &d);
		if (e != cases[i].want)
			fprintf(stderr, "  case %zu: %s: %s\n", i, d.field, d.message);
		CHECK_INT(e, cases[i].want);
		CHECK_STR(d.field, cases[i].field);
	}
}

static void audit_hash_covers_every_field(void)
{
	struct audit_record r = {1,
	                         "2026-11-21T00:00:00Z",
	                         1,
	                         "admin",
	                         "create",
	                         "organisation",
	                         "5",
	                         NULL,
	                         "{\"a\":1}",
	                         "rid-1",
	                         audit_genesis};
	char h1[AUDIT_HASH_HEX], h2[AUDIT_HASH_HEX];
	audit_hash(&r, h1);
	CHECK_INT(strlen(h1), 64);
	struct audit_record changed[] = {r, r, r, r, r};
	changed[0].seq = 2;
	changed[1].actor = "mallory";
	changed[2].before = ""; /* empty differs from absent */
	changed[3].after = "{\"a\":2}";
	changed[4].prev_hash = "1111111111111111111111111111111111111111111111111111111111111111";
	for (size_t i = 0; i < sizeof changed / sizeof changed[0]; i++) {
		audit_hash(&changed[i], h2);
		CHECK(strcmp(h1, h2) != 0);
	}
	/* framing: moving a character between adjacent fields changes the hash */
	struct audit_record a = r, b = r;
	a.entity = "organisation5";
	a.entity_id = "";
	b.entity = "organisation";
	b.entity_id = "5";
	audit_hash(&a, h1);
	audit_hash(&b, h2);
	CHECK(strcmp(h1, h2) != 0);
}

static void organisations_need_credit_codes_when_enterprises(void)
{
	struct org o = {0};
	struct err_detail d = {0};
	o.f[ORG_KIND] = "enterprise";
	o.f[ORG_NAME] = "甲";
	CHECK(org_validate(&o, "2026-11-21", &d) == ERR_INVALID);
	CHECK_STR(d.field, "credit_code");
	o.f[ORG_KIND] = "university";
	CHECK(org_validate(&o, "2026-11-21", &d) == ERR_OK);
	o.f[ORG_REGISTERED_ON] = "2026-11-22";
	CHECK(org_validate(&o, "2026-11-21", &d) == ERR_INVALID);
	CHECK_STR(d.field, "registered_on");
}

static void passwords_have_a_minimum(void)
{
	const char *why;
	CHECK(!password_check("short", &why));
	CHECK(!password_check("aaaaaaaaaa", &why));
	CHECK(password_check("correct horse", &why));
}

/* Masked as docs/SECURITY.md shows; text ending inside a would-be address is read to its end only. */
static void personal_data_is_masked(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	        {"a.bc@example.org", "a***@example.org"},
	        {"张三 13812345678", "张三 138****5678"},
	        {"138-1234-5678", "138-****-5678"},
	        {"call 110", "call 110"},
	        {"contact zs", "contact zs"},
	        {"x.", "x."},
	        {"z", "z"},
	        {"", ""},
	        {"id 11010519491231002X", "id 110***********002X"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = BUF_INIT;
		pii_mask(cases[i].in, &b);
		CHECK_STR(buf_str(&b), cases[i].want);
		buf_free(&b);
	}
	CHECK(pii_key("email") && pii_key("contact") && !pii_key("name"));
}

UNIT_MAIN(UNIT_CASE(credit_codes_check_both_characters), UNIT_CASE(region_codes_normalise_and_nest),
          UNIT_CASE(industry_codes_have_four_levels),
          UNIT_CASE(authorization_denies_by_default_and_scopes),
          UNIT_CASE(grants_check_level_region_and_organisation),
          UNIT_CASE(audit_hash_covers_every_field),
          UNIT_CASE(organisations_need_credit_codes_when_enterprises),
          UNIT_CASE(passwords_have_a_minimum), UNIT_CASE(personal_data_is_masked))
