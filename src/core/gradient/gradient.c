/* gradient: the application workflow and review-chain tables. */
#include "core/gradient/gradient.h"

#include "core/workdays.h"
#include "lib/date.h"
#include "lib/jw.h"
#include "lib/limits.h"

#include <stdio.h>
#include <string.h>

static const char *const state_names[GRADIENT_APP__MAX] = {
        [GRADIENT_APP_DRAFT] = "draft",       [GRADIENT_APP_UNDER_REVIEW] = "under_review",
        [GRADIENT_APP_RETURNED] = "returned", [GRADIENT_APP_REJECTED] = "rejected",
        [GRADIENT_APP_NOTICE] = "notice",     [GRADIENT_APP_OBJECTED] = "objected",
        [GRADIENT_APP_GRANTED] = "granted",   [GRADIENT_APP_WITHDRAWN] = "withdrawn",
};

/*
 * GRADIENT_EV_APPROVE_LAST is spelt "approve" like GRADIENT_EV_APPROVE: the user approves; the
 * app layer picks the _LAST event when the current step is the chain's last
 */
static const char *const event_names[GRADIENT_EV__MAX] = {
        [GRADIENT_EV_SUBMIT] = "submit",        [GRADIENT_EV_APPROVE] = "approve",
        [GRADIENT_EV_APPROVE_LAST] = "approve", [GRADIENT_EV_RETURN] = "return",
        [GRADIENT_EV_REJECT] = "reject",        [GRADIENT_EV_OBJECT] = "object",
        [GRADIENT_EV_DISMISS] = "dismiss",      [GRADIENT_EV_UPHOLD] = "uphold",
        [GRADIENT_EV_GRANT] = "grant",          [GRADIENT_EV_WITHDRAW] = "withdraw",
};

/* The whole workflow: anything not listed is refused. */
const struct gradient_app_transition gradient_app_transitions[] = {
        {GRADIENT_APP_DRAFT, GRADIENT_EV_SUBMIT, GRADIENT_APP_UNDER_REVIEW, GRADIENT_WHO_APPLICANT,
         false},
        {GRADIENT_APP_RETURNED, GRADIENT_EV_SUBMIT, GRADIENT_APP_UNDER_REVIEW,
         GRADIENT_WHO_APPLICANT, false},
        {GRADIENT_APP_DRAFT, GRADIENT_EV_WITHDRAW, GRADIENT_APP_WITHDRAWN, GRADIENT_WHO_APPLICANT,
         false},
        {GRADIENT_APP_RETURNED, GRADIENT_EV_WITHDRAW, GRADIENT_APP_WITHDRAWN,
         GRADIENT_WHO_APPLICANT, false},
        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_APPROVE, GRADIENT_APP_UNDER_REVIEW,
         GRADIENT_WHO_STEP, true},
        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_APPROVE_LAST, GRADIENT_APP_NOTICE,
         GRADIENT_WHO_STEP, true},
        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_RETURN, GRADIENT_APP_RETURNED, GRADIENT_WHO_STEP,
         true},
        {GRADIENT_APP_UNDER_REVIEW, GRADIENT_EV_REJECT, GRADIENT_APP_REJECTED, GRADIENT_WHO_STEP,
         true},
        {GRADIENT_APP_NOTICE, GRADIENT_EV_OBJECT, GRADIENT_APP_OBJECTED, GRADIENT_WHO_ANYONE, true},
        {GRADIENT_APP_OBJECTED, GRADIENT_EV_OBJECT, GRADIENT_APP_OBJECTED, GRADIENT_WHO_ANYONE,
         true},
        {GRADIENT_APP_OBJECTED, GRADIENT_EV_DISMISS, GRADIENT_APP_NOTICE, GRADIENT_WHO_FINAL, true},
        {GRADIENT_APP_OBJECTED, GRADIENT_EV_UPHOLD, GRADIENT_APP_REJECTED, GRADIENT_WHO_FINAL,
         true},
        {GRADIENT_APP_NOTICE, GRADIENT_EV_GRANT, GRADIENT_APP_GRANTED, GRADIENT_WHO_FINAL, false},
};
const int gradient_app_ntransitions =
        sizeof gradient_app_transitions / sizeof gradient_app_transitions[0];

/* A linear scan over a dozen rows: simpler to audit than a state x event matrix */
const struct gradient_app_transition *gradient_transition(enum gradient_app_state from,
                                                          enum gradient_app_event ev)
{
	for (int i = 0; i < gradient_app_ntransitions; i++)
		if (gradient_app_transitions[i].from == from &&
		    gradient_app_transitions[i].event == ev)
			return &gradient_app_transitions[i];
	return NULL;
}

const char *gradient_app_state_name(enum gradient_app_state s)
{
	return s < GRADIENT_APP__MAX ? state_names[s] : "?";
}

bool gradient_app_state_parse(const char *s, enum gradient_app_state *out)
{
	for (int i = 0; s && i < GRADIENT_APP__MAX; i++)
		if (!strcmp(s, state_names[i])) {
			*out = (enum gradient_app_state)i;
			return true;
		}
	return false;
}

const char *gradient_app_event_name(enum gradient_app_event e)
{
	return e < GRADIENT_EV__MAX ? event_names[e] : "?";
}

bool gradient_app_event_parse(const char *s, enum gradient_app_event *out)
{
	for (int i = 0; s && i < GRADIENT_EV__MAX; i++)
		if (!strcmp(s, event_names[i])) {
			*out = (enum gradient_app_event)i;
			return true;
		}
	return false;
}

const char *const gradient_tiers[] = {"innovative_sme", "specialized_sme", "little_giant", NULL};

/*
 * The review chains. `province` "" is the default; a province's own row
 * replaces it (Beijing's districts review innovative SMEs first: an example
 * of the data, to be confirmed with the province). Days: working days per step.
 */
static const struct chain_row {
	const char *tier;
	const char *province;
	enum gov_level level[GRADIENT_STEPS_MAX];
	int days[GRADIENT_STEPS_MAX];
} chains[] = {
        {"innovative_sme", "", {LEVEL_CITY, LEVEL_PROVINCE}, {15, 20}},
        {"specialized_sme", "", {LEVEL_CITY, LEVEL_PROVINCE}, {15, 20}},
        {"little_giant", "", {LEVEL_CITY, LEVEL_PROVINCE, LEVEL_NATIONAL}, {15, 20, 30}},
        {"innovative_sme", "11", {LEVEL_COUNTY, LEVEL_PROVINCE}, {10, 20}},
};

/* Whether a region code is precise enough to have an office at `level`. */
static bool region_has_level(const char *region, enum gov_level level)
{
	if (level == LEVEL_COUNTY)
		return strcmp(region + 4, "00") != 0;
	if (level == LEVEL_CITY)
		return strcmp(region + 2, "0000") != 0;
	return true;
}

bool gradient_chain(const char *tier, const char *region, struct gradient_review_chain *out)
{
	const struct chain_row *row = NULL;
	memset(out, 0, sizeof *out);
	if (!tier || !region || strlen(region) != 6)
		return false;
	/*
	 * the first default row for the tier, replaced by a row of the region's
	 * province (first two digits) wherever it appears in the table
	 */
	for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++) {
		if (strcmp(chains[i].tier, tier))
			continue;
		if (!chains[i].province[0] && !row)
			row = &chains[i];
		else if (chains[i].province[0] && !strncmp(chains[i].province, region, 2))
			row = &chains[i];
	}
	if (!row)
		return false;
	/* LEVEL_NONE (0) ends a chain shorter than GRADIENT_STEPS_MAX */
	for (int k = 0; k < GRADIENT_STEPS_MAX && row->level[k] != LEVEL_NONE; k++) {
		if (!region_has_level(region, row->level[k]))
			continue;
		out->level[out->nsteps] = row->level[k];
		out->days[out->nsteps++] = row->days[k];
	}
	return out->nsteps > 0;
}

/* A check function rather than `choices`, so the message lists the tiers in prose */
static bool tier_ok(const char *s, const char **why)
{
	for (int i = 0; gradient_tiers[i]; i++)
		if (!strcmp(s, gradient_tiers[i]))
			return true;
	*why = "must be innovative_sme, specialized_sme or little_giant";
	return false;
}

const struct field_def gradient_app_fields[GRADIENT_AF__N] = {
        [GRADIENT_AF_ORG_ID] = {"org_id", FT_INT, FD_REQUIRED | FD_CREATE_ONLY, 1, INT64_MAX, NULL,
                                NULL, "the applying enterprise"},
        [GRADIENT_AF_TIER] = {"tier", FT_TEXT, FD_REQUIRED | FD_CREATE_ONLY, 1, 32, NULL, tier_ok,
                              "innovative_sme, specialized_sme or little_giant"},
        [GRADIENT_AF_REVIEW] = {"review", FT_BOOL, FD_CREATE_ONLY, 0, 1, NULL, NULL,
                                "a re-review of a title held (judged by the rules of its grant)"},
        [GRADIENT_AF_STATEMENT] = {"statement", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1,
                                   LIMIT_TEXT_LONG, NULL, NULL,
                                   "the enterprise's statement: lead product, niche, evidence"},
        [GRADIENT_AF_CONTACT] = {"contact", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1,
                                 LIMIT_TEXT_SHORT, NULL, NULL, "contact person and telephone"},
};

/*
 * The year of an ISO date (its first four digits), or -1; read from the digits
 * once date_parse has vouched for them
 */
static int year_of(const char *date)
{
	int32_t d;
	if (!date || !date_parse(date, &d))
		return -1;
	return (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 +
	       (date[3] - '0');
}

/*
 * The yearly data deadline (31 May, GRADIENT_DATA_DUE_*) of `year` as an ISO
 * date, so it can be compared with the stored ISO strings directly
 */
static void deadline(int year, char out[11])
{
	date_format(date_from_ymd(year, GRADIENT_DATA_DUE_MONTH, GRADIENT_DATA_DUE_DAY), out);
}

bool gradient_data_deadlines(const char *since, const char *today, int *first, int *last,
                             char next[11])
{
	int ys = year_of(since), yt = year_of(today);
	*first = 1, *last = 0;
	if (ys < 0 || yt < 0)
		return false;
	char d[11];
	deadline(ys, d);
	*first = strcmp(d, since) > 0 ? ys : ys + 1; /* the first 31 May after the grant */
	deadline(yt, d);
	*last = strcmp(today, d) > 0 ? yt : yt - 1; /* the last 31 May before today */
	deadline(*last + 1, next);
	return true;
}

void gradient_data_window(const char *since, int year, char from[11], char until[11])
{
	date_format(date_from_ymd(year - 1, GRADIENT_DATA_DUE_MONTH, GRADIENT_DATA_DUE_DAY) + 1,
	            from);
	/* the first window starts at the grant, not a year before it */
	if (strcmp(since, from) > 0)
		snprintf(from, 11, "%s", since);
	date_format(date_from_ymd(year, GRADIENT_DATA_DUE_MONTH, GRADIENT_DATA_DUE_DAY) + 1, until);
}

/* Never earlier than the original end: a pause can only lengthen a notice */
int32_t gradient_notice_resume(const struct workdays *wd, int32_t until, int32_t paused,
                               int32_t resumed)
{
	int left = workdays_between(wd, paused, until); /* what the notice still had */
	if (left == 0)
		return until;
	int32_t end = workdays_add(wd, resumed > paused ? resumed : paused, left);
	return end > until ? end : until;
}
