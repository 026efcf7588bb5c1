/* Unit tests of core/gradient (the workflow and chain tables) and core/workdays. */
#include "core/authz.h"
#include "core/gradient/gradient.h"
#include "core/workdays.h"
#include "lib/date.h"
#include "unit.h"

static const char holidays_2026[] =
        "{\"year\": 2026, \"holidays\": [{\"from\": \"2026-10-01\", \"to\": \"2026-10-07\"},"
        " {\"from\": \"2026-01-01\", \"to\": \"2026-01-03\"}],"
        " \"workdays\": [\"2026-01-04\", \"2026-10-10\"]}";

static int32_t day(const char *s)
{
	int32_t d = 0;
	date_parse(s, &d);
	return d;
}

static void workflow_table_allows_only_listed_transitions(void)
{
	static const struct {
		enum gradient_app_state from;
		enum gradient_app_event ev;
		bool ok;
		enum gradient_app_state to;
		enum gradient_app_who who;
	} cases[] = {
	        {GRADIENT_APP_DRAFT, GRADIENT_EV_SUBMIT, true, GRADIENT_APP_UNDER_REVIEW,
	         GRADIENT_WHO_APPLICANT},
	        {GRADIENT_APP_RETURNED, GRADIENT_EV_SUBMIT, true, GRADIENT_APP_UNDER_REVIEW,
	         GRADIENT_WHO_APPLICANT},
	        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_SUBMIT, false, 0, 0},
	        {GRADIENT_APP_DRAFT, GRADIENT_EV_APPROVE, false, 0, 0},
	        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_APPROVE, true, GRADIENT_APP_UNDER_REVIEW,
	         GRADIENT_WHO_STEP},
	        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_APPROVE_LAST, true, GRADIENT_APP_NOTICE,
	         GRADIENT_WHO_STEP},
	        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_RETURN, true, GRADIENT_APP_RETURNED,
	         GRADIENT_WHO_STEP},
	        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_REJECT, true, GRADIENT_APP_REJECTED,
	         GRADIENT_WHO_STEP},
	        {GRADIENT_APP_NOTICE, GRADIENT_EV_OBJECT, true, GRADIENT_APP_OBJECTED,
	         GRADIENT_WHO_ANYONE},
	        {GRADIENT_APP_OBJECTED, GRADIENT_EV_DISMISS, true, GRADIENT_APP_NOTICE,
	         GRADIENT_WHO_FINAL},
	        {GRADIENT_APP_OBJECTED, GRADIENT_EV_UPHOLD, true, GRADIENT_APP_REJECTED,
	         GRADIENT_WHO_FINAL},
	        {GRADIENT_APP_OBJECTED, GRADIENT_EV_GRANT, false, 0, 0},
	        {GRADIENT_APP_NOTICE, GRADIENT_EV_GRANT, true, GRADIENT_APP_GRANTED,
	         GRADIENT_WHO_FINAL},
	        {GRADIENT_APP_GRANTED, GRADIENT_EV_REJECT, false, 0, 0},
	        {GRADIENT_APP_REJECTED, GRADIENT_EV_SUBMIT, false, 0, 0},
	        {GRADIENT_APP_DRAFT, GRADIENT_EV_WITHDRAW, true, GRADIENT_APP_WITHDRAWN,
	         GRADIENT_WHO_APPLICANT},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct gradient_app_transition *t =
		        gradient_transition(cases[i].from, cases[i].ev);
		CHECK_INT(t != NULL, cases[i].ok);
		if (t && cases[i].ok) {
			CHECK_INT(t->to, cases[i].to);
			CHECK_INT(t->who, cases[i].who);
		}
	}
	/* every decision by a person who reviews carries a written reason */
	for (int i = 0; i < gradient_app_ntransitions; i++)
		if (gradient_app_transitions[i].who == GRADIENT_WHO_STEP)
			CHECK(gradient_app_transitions[i].reason);
	enum gradient_app_state s;
	CHECK(gradient_app_state_parse("notice", &s) && s == GRADIENT_APP_NOTICE);
	CHECK(!gradient_app_state_parse("approved", &s));
}

static void chains_follow_tier_province_and_region_precision(void)
{
	struct gradient_review_chain c;
	CHECK(gradient_chain("little_giant", "320505", &c));
	CHECK_INT(c.nsteps, 3);
	CHECK_INT(c.level[0], LEVEL_CITY);
	CHECK_INT(c.level[2], LEVEL_NATIONAL);
	CHECK(gradient_chain("little_giant", "320000", &c)); /* no city office to pass */
	CHECK_INT(c.nsteps, 2);
	CHECK_INT(c.level[0], LEVEL_PROVINCE);
	CHECK(gradient_chain("specialized_sme", "320500", &c));
	CHECK_INT(c.nsteps, 2);
	CHECK(gradient_chain("innovative_sme", "110105", &c)); /* Beijing's own row */
	CHECK_INT(c.level[0], LEVEL_COUNTY);
	CHECK(!gradient_chain("gold", "320505", &c));
	CHECK(!gradient_chain("little_giant", "32", &c));
}

static void review_steps_need_the_exact_level(void)
{
	struct actor a = {.user_id = 7, .ngrants = 1};
	a.grants[0] = (struct grant){.role = ROLE_REVIEWER, .level = LEVEL_PROVINCE};
	snprintf(a.grants[0].region, sizeof a.grants[0].region, "320000");
	struct target t = {.region = "320505", .level = LEVEL_PROVINCE};
	CHECK(authz_allows(&a, ACT_REVIEW_STEP, &t));
	t.level = LEVEL_CITY;
	CHECK(!authz_allows(&a, ACT_REVIEW_STEP, &t));
	t = (struct target){.region = "330100", .level = LEVEL_PROVINCE};
	CHECK(!authz_allows(&a, ACT_REVIEW_STEP, &t));
	CHECK(!authz_allows(&a, ACT_GRADIENT_MANAGE, &t)); /* reviewers do not grant */
}

static void working_days_know_holidays_and_adjusted_days(void)
{
	struct workdays w = {0};
	struct err_detail d;
	CHECK_INT(workdays_add_year(&w, holidays_2026, sizeof holidays_2026 - 1, &d), ERR_OK);
	CHECK(workdays_knows_year(&w, 2026));
	CHECK(!workdays_is_working(&w, day("2026-10-01")));
	CHECK(workdays_is_working(&w, day("2026-10-10")));  /* a Saturday worked */
	CHECK(!workdays_is_working(&w, day("2026-10-11"))); /* Sunday */
	CHECK(workdays_is_working(&w, day("2026-01-04")));
	CHECK(workdays_is_working(&w, day("2026-11-20"))); /* Friday */
	/* 2026-09-30 (Wed) + 3: Oct 8, 9, 10 (holiday week skipped, Saturday worked) */
	CHECK_INT(workdays_add(&w, day("2026-09-30"), 3), day("2026-10-10"));
	CHECK_INT(workdays_add(&w, day("2026-11-20"), 1), day("2026-11-23"));
	CHECK_INT(workdays_between(&w, day("2026-11-20"), day("2026-11-27")), 5);
	CHECK_INT(workdays_add(&w, day("2026-11-20"), 0), day("2026-11-20"));
	/* bad files leave the calendar as it was */
	struct workdays keep = w;
	static const char twice[] = "{\"year\": 2026, \"holidays\": [], \"workdays\": []}";
	CHECK_INT(workdays_add_year(&w, twice, sizeof twice - 1, &d), ERR_INVALID);
	static const char outside[] =
	        "{\"year\": 2027, \"holidays\": [], \"workdays\": [\"2026-12-31\"]}";
	CHECK_INT(workdays_add_year(&w, outside, sizeof outside - 1, &d), ERR_INVALID);
	CHECK_STR(d.field, "workdays");
	static const char backwards[] = "{\"year\": 2027, \"holidays\": [{\"from\": \"2027-02-05\","
	                                " \"to\": \"2027-02-01\"}], \"workdays\": []}";
	CHECK_INT(workdays_add_year(&w, backwards, sizeof backwards - 1, &d), ERR_INVALID);
	CHECK_INT(w.noff, keep.noff);
	CHECK_INT(w.nyears, 1);
}

/* A holder updates its facts by 31 May of every year after the grant date. */
static void data_update_deadlines_follow_the_grant(void)
{
	static const struct {
		const char *since, *today;
		int first, last;
		const char *next;
	} cases[] = {
	        {"2026-01-15", "2026-11-21", 2026, 2026, "2027-05-31"}, /* due 31 May 2026 */
	        {"2026-01-15", "2026-05-31", 2026, 2025,
	         "2026-05-31"}, /* the day itself: not yet */
	        {"2026-05-31", "2026-11-21", 2027, 2026, "2027-05-31"}, /* granted on the day */
	        {"2026-11-21", "2026-11-21", 2027, 2026, "2027-05-31"}, /* none passed */
	        {"2024-07-01", "2026-06-01", 2025, 2026, "2027-05-31"}, /* two passed */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int first, last;
		char next[11];
		CHECK(gradient_data_deadlines(cases[i].since, cases[i].today, &first, &last, next));
		CHECK_INT(first, cases[i].first);
		CHECK_INT(last, cases[i].last);
		CHECK_STR(next, cases[i].next);
	}
	int first, last;
	char next[11], from[11], until[11];
	CHECK(!gradient_data_deadlines("2026-02-30", "2026-11-21", &first, &last, next));
	gradient_data_window("2026-01-15", 2026, from, until);
	CHECK_STR(from, "2026-01-15"); /* the grant is later than the previous deadline */
	CHECK_STR(until, "2026-06-01");
	gradient_data_window("2024-07-01", 2026, from, until);
	CHECK_STR(from, "2025-06-01");
	CHECK_STR(until, "2026-06-01");
}

/*
 * An objection pauses the public notice; when it is dismissed the notice's end
 * moves by the working days of the pause (weekends and holidays do not count).
 */
static void a_paused_notice_resumes_with_the_days_it_had_left(void)
{
	struct workdays w = {0};
	struct err_detail d = {0};
	CHECK_INT(workdays_add_year(&w, holidays_2026, sizeof holidays_2026 - 1, &d), ERR_OK);
	static const struct {
		const char *until, *paused, *resumed, *want;
	} cases[] = {
	        /* noticed Mon 16 Nov for 5 days; paused Wed, resumed Fri: Thu and Fri lost */
	        {"2026-11-23", "2026-11-18", "2026-11-20", "2026-11-25"},
	        /* paused and resumed the same day: nothing lost */
	        {"2026-11-23", "2026-11-18", "2026-11-18", "2026-11-23"},
	        /* paused Fri, resumed Mon: the weekend does not count, Mon does */
	        {"2026-11-23", "2026-11-20", "2026-11-23", "2026-11-24"},
	        /* over the National Day holiday (1-7 Oct; Sat 10 Oct worked): Thu 8 and Fri 9 */
	        {"2026-10-10", "2026-09-30", "2026-10-09", "2026-10-13"},
	        /* a long pause: the 3 days left (Thu, Fri, Mon) counted from the resume */
	        {"2026-11-23", "2026-11-18", "2026-12-07", "2026-12-10"},
	        /* paused on its last day or after its end (waiting for the batch): kept */
	        {"2026-11-23", "2026-11-23", "2026-11-27", "2026-11-23"},
	        {"2026-11-23", "2026-11-25", "2026-11-30", "2026-11-23"},
	        /* a clock that went back never shortens the notice */
	        {"2026-11-23", "2026-11-18", "2026-11-16", "2026-11-23"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char got[DATE_STR];
		date_format(gradient_notice_resume(&w, day(cases[i].until), day(cases[i].paused),
		                                   day(cases[i].resumed)),
		            got);
		CHECK_STR(got, cases[i].want);
	}
}

UNIT_MAIN(UNIT_CASE(workflow_table_allows_only_listed_transitions),
          UNIT_CASE(chains_follow_tier_province_and_region_precision),
          UNIT_CASE(review_steps_need_the_exact_level),
          UNIT_CASE(working_days_know_holidays_and_adjusted_days),
          UNIT_CASE(data_update_deadlines_follow_the_grant),
          UNIT_CASE(a_paused_notice_resumes_with_the_days_it_had_left))
