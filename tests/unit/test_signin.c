/* Unit tests of the sign-in building blocks: the common-password search, the
 * bounded work queue, secrets kept as given and the separated roles' policy. */
#include "core/authz.h"
#include "core/password.h"
#include "lib/embed.h"
#include "lib/fields.h"
#include "lib/workq.h"
#include "unit.h"

#include <stdatomic.h>
#include <unistd.h>

static void common_passwords_are_found_in_any_case(void)
{
	static const char list[] = "111111111\nabcdefgh\npassword\npassword1\nzzzzzzzz";
	size_t n = sizeof list - 1;
	CHECK(password_is_common("password", list, n));
	CHECK(password_is_common("PassWord1", list, n));
	CHECK(password_is_common("111111111", list, n));
	CHECK(password_is_common("zzzzzzzz", list, n));
	CHECK(password_is_common("abcdefgh", list, n));
	CHECK(!password_is_common("password12", list, n));
	CHECK(!password_is_common("passwor", list, n));
	CHECK(!password_is_common("a-long-unusual-phrase", list, n));
	CHECK(password_is_common(PASSWORD_DEMO, "", 0)); /* refused even with no list */
	const struct embed_file *f = embed_find("passwords/common.txt");
	CHECK(f != NULL && f->len > 1000); /* compiled in at build time */
	if (f) {
		CHECK(password_is_common("12345678", (const char *)f->data, f->len));
		CHECK(password_is_common("Password1", (const char *)f->data, f->len));
		CHECK(!password_is_common("techbridge-unit-7q", (const char *)f->data, f->len));
	}
}

static _Atomic int ran;

static void slow_job(void *arg)
{
	(void)arg;
	usleep(20 * 1000);
	atomic_fetch_add(&ran, 1);
}

static void workq_refuses_when_full_and_finishes_on_free(void)
{
	struct workq *q = workq_new(2, 4);
	int reserved = 0;
	for (int i = 0; i < 10; i++)
		if (workq_reserve(q))
			reserved++;
	CHECK_INT(reserved, 4);
	for (int i = 0; i < reserved; i++)
		workq_submit(q, slow_job, NULL, NULL, NULL);
	workq_drain(q); /* waits for all four, then refuses */
	CHECK_INT(atomic_load(&ran), 4);
	CHECK(!workq_reserve(q));
	workq_free(q);
}

static void secrets_are_not_trimmed(void)
{
	static const struct field_def pw = {"password", FT_TEXT, FD_SECRET, 8, 128, NULL, NULL, ""};
	static const struct field_def name = {"name", FT_TEXT, 0, 1, 100, NULL, NULL, ""};
	struct arena a = ARENA_INIT;
	struct err_detail d = {0};
	struct field_val v;
	CHECK(fields_set_text(&pw, "  two spaces  ", &v, &a, &d) == ERR_OK);
	CHECK_STR(v.s, "  two spaces  ");
	CHECK(fields_set_text(&name, "  two spaces  ", &v, &a, &d) == ERR_OK);
	CHECK_STR(v.s, "two spaces");
	CHECK(fields_set_text(&pw, "bad \xff utf-8 here", &v, &a, &d) == ERR_INVALID);
	arena_free(&a);
}

static void separated_administrators_hold_separate_rights(void)
{
	struct actor sys = {.user_id = 1, .ngrants = 1, .grants = {{.role = ROLE_SYSADMIN}}};
	struct actor sec = {.user_id = 2, .ngrants = 1, .grants = {{.role = ROLE_SECADMIN}}};
	struct actor aud = {.user_id = 3, .ngrants = 1, .grants = {{.role = ROLE_AUDITADMIN}}};
	CHECK(authz_allows(&sys, ACT_USER_CREATE, NULL) &&
	      authz_allows(&sys, ACT_ORG_UPDATE, NULL));
	CHECK(!authz_allows(&sys, ACT_ROLE_GRANT, NULL) &&
	      !authz_allows(&sys, ACT_AUDIT_READ, NULL));
	CHECK(authz_allows(&sec, ACT_ROLE_GRANT, NULL) &&
	      authz_allows(&sec, ACT_SECURITY_MANAGE, NULL));
	CHECK(!authz_allows(&sec, ACT_USER_CREATE, NULL) &&
	      !authz_allows(&sec, ACT_AUDIT_READ, NULL));
	CHECK(authz_allows(&aud, ACT_AUDIT_READ, NULL));
	CHECK(!authz_allows(&aud, ACT_USER_CREATE, NULL) &&
	      !authz_allows(&aud, ACT_ROLE_GRANT, NULL));
	enum role r;
	CHECK(role_parse("secadmin", &r) && r == ROLE_SECADMIN);
}

UNIT_MAIN(UNIT_CASE(common_passwords_are_found_in_any_case),
          UNIT_CASE(workq_refuses_when_full_and_finishes_on_free),
          UNIT_CASE(secrets_are_not_trimmed),
          UNIT_CASE(separated_administrators_hold_separate_rights))
