/*
 * gradient: the workflow of a gradient-cultivation application, as tables.
 *   - the transitions: state x event -> state, and who may fire the event;
 *   - the review chain: per tier and province, the government levels an
 *     application passes (county or city, province, ministry), each with a
 *     deadline in working days;
 *   - the application record: its writable fields (one field table) and its
 *     JSON form.
 * Pure: the app layer loads records and the calendar and passes dates in.
 *
 * Ownership: struct application borrows its strings from the arena or rows
 * it was read from; the tables are static.
 */
#ifndef TB_CORE_GRADIENT_H
#define TB_CORE_GRADIENT_H

#include "core/authz.h"
#include "lib/buf.h"
#include "lib/fields.h"

#include <stdbool.h>
#include <stdint.h>

enum gradient_app_state {
	GRADIENT_APP_DRAFT,
	GRADIENT_APP_UNDER_REVIEW,
	GRADIENT_APP_RETURNED, /* back with the enterprise for correction */
	GRADIENT_APP_REJECTED,
	GRADIENT_APP_NOTICE,   /* approved at every level: in public notice (公示) */
	GRADIENT_APP_OBJECTED, /* an objection pauses the candidate until it is resolved */
	GRADIENT_APP_GRANTED,
	GRADIENT_APP_WITHDRAWN,
	GRADIENT_APP__MAX
};

enum gradient_app_event {
	GRADIENT_EV_SUBMIT,
	GRADIENT_EV_APPROVE,      /* a step approves and another follows */
	GRADIENT_EV_APPROVE_LAST, /* the last step approves: the candidate goes to notice */
	GRADIENT_EV_RETURN,
	GRADIENT_EV_REJECT,
	GRADIENT_EV_OBJECT,  /* anyone lodges an objection during the notice */
	GRADIENT_EV_DISMISS, /* the objection is unfounded: back to notice */
	GRADIENT_EV_UPHOLD,  /* the objection holds: rejected */
	GRADIENT_EV_GRANT,   /* published in a numbered batch: title granted */
	GRADIENT_EV_WITHDRAW,
	GRADIENT_EV__MAX
};

/* Who may fire an event. */
enum gradient_app_who {
	GRADIENT_WHO_APPLICANT, /* the enterprise (its org_admin) */
	GRADIENT_WHO_STEP,      /* an operator or reviewer at the current step's level and region */
	GRADIENT_WHO_FINAL,     /* an operator at the chain's last level (or an administrator) */
	GRADIENT_WHO_ANYONE,    /* the public, no sign-in */
};

struct gradient_app_transition {
	enum gradient_app_state from;
	enum gradient_app_event event;
	enum gradient_app_state to;
	enum gradient_app_who who;
	bool reason; /* a written reason is required */
};

extern const struct gradient_app_transition gradient_app_transitions[];
extern const int gradient_app_ntransitions;

/* The transition for (from, event), or NULL when the event is not allowed in that state. */
const struct gradient_app_transition *gradient_transition(enum gradient_app_state from,
                                                          enum gradient_app_event ev);

const char *gradient_app_state_name(enum gradient_app_state s);
bool gradient_app_state_parse(const char *s, enum gradient_app_state *out);
const char *gradient_app_event_name(enum gradient_app_event e);
bool gradient_app_event_parse(const char *s, enum gradient_app_event *out);

/* The tiers one may apply for, NULL-terminated. */
extern const char *const gradient_tiers[];

enum { GRADIENT_STEPS_MAX = 4 };

struct gradient_review_chain {
	int nsteps;
	enum gov_level level[GRADIENT_STEPS_MAX];
	int days[GRADIENT_STEPS_MAX]; /* working days each step has */
};

/*
 * The review chain of `tier` for an enterprise registered in `region`
 * (6 digits): the province's own row if it has one, else the default.
 * Steps finer than the region's code are skipped (an enterprise registered
 * only at province level has no city office to pass). False for an
 * unknown tier.
 */
bool gradient_chain(const char *tier, const char *region, struct gradient_review_chain *out);

enum {
	GRADIENT_TITLE_YEARS = 3,     /* validity of a granted title */
	GRADIENT_BAN_FRAUD_YEARS = 3, /* ban after a revocation for data fraud */
	GRADIENT_BAN_OTHER_YEARS = 1, /* ban after another revocation */
	GRADIENT_NOTICE_DAYS = 5,     /* working days of a public notice (default) */
	GRADIENT_DATA_DUE_MONTH = 5,  /* a title holder updates its facts by 31 May */
	GRADIENT_DATA_DUE_DAY = 31,   /* every year (national rule; reference 2.5, 63号) */
};

/*
 * The yearly data update of a title held since `since` (ISO date): a
 * deadline falls on 31 May of every year after the grant date; missing one
 * loses the re-review eligibility. For `today`, sets *first and *last to
 * the years of the deadlines passed so far (*last < *first when none has)
 * and `next` to the coming deadline. False when a date does not parse.
 */
bool gradient_data_deadlines(const char *since, const char *today, int *first, int *last,
                             char next[11]);
/*
 * The window in which an update meets the deadline of `year`: from the day
 * after the previous deadline (or the grant date, if later) up to, not
 * including, `until` (the day after the deadline); ISO dates.
 */
void gradient_data_window(const char *since, int year, char from[11], char until[11]);

struct workdays;
/*
 * The end of a public notice that an objection paused: `until` was its end
 * when it was paused on day `paused`, and it resumes on day `resumed` (day
 * numbers). The end moves by the working days of the pause, so the notice
 * resumes with the working days it still had and the public gets the whole
 * period. Like the day a notice starts, the days of the pause and of the
 * resume count as gone. A notice paused after its end (waiting for its
 * batch) keeps `until`.
 */
int32_t gradient_notice_resume(const struct workdays *wd, int32_t until, int32_t paused,
                               int32_t resumed);

/* The application record. */
enum gradient_app_field {
	GRADIENT_AF_ORG_ID,
	GRADIENT_AF_TIER,
	GRADIENT_AF_REVIEW,
	GRADIENT_AF_STATEMENT,
	GRADIENT_AF_CONTACT,
	GRADIENT_AF__N
};
extern const struct field_def gradient_app_fields[GRADIENT_AF__N];

struct application {
	int64_t id, org_id, title_id, evaluation_id, batch_id, version;
	const char *tier, *statement, *contact, *region, *org_name;
	bool review;
	enum gradient_app_state state;
	int step;
	enum gov_level step_level, final_level;
	const char *step_due, *notice_from, *notice_until, *submitted_at;
	const char *created_at, *updated_at;
	bool overdue; /* computed: the current step is past its due date */
};

/* Append the JSON object of `a` to out. */
/* The other records of the cycle (read by app/gradient, rendered here). */
/* One stored evaluation of one tier. */
struct evaluation {
	int64_t id, org_id, application_id;
	const char *tier, *as_of, *ruleset, *outcome, *result, *created_at, *created_by;
	bool has_score;
	double score;
};

struct gradient_event {
	int64_t id;
	const char *at, *actor, *event, *from, *to, *level, *reason;
};

struct attachment {
	int64_t id, application_id, size;
	const char *name, *content_type, *sha256, *created_at;
	const char *data; /* base64, only from app_attachment_get */
};

struct objection {
	int64_t id, application_id;
	const char *contact, *text, *state, *resolution, *created_at, *resolved_at;
};

struct title {
	int64_t id, org_id, application_id, version;
	const char *org_name, *credit_code, *tier, *since, *until, *state, *batch, *province;
	const char *ruleset, *revoked_reason, *ban_until;
	const char *data_due;    /* computed: when the next facts update is due */
	const char *data_missed; /* computed: the deadline of a missed update, or NULL */
};

/* JSON forms (gradient_json.c): the API's and the audit images'. */
void gradient_app_to_json(const struct application *a, struct buf *out);
/* The public notice's projection: no statement, contact or review details. */
void gradient_notice_to_json(const struct application *a, struct buf *out);
void gradient_evaluation_to_json(const struct evaluation *ev, struct buf *out);
void gradient_event_to_json(const struct gradient_event *ev, struct buf *out);
void gradient_attachment_to_json(const struct attachment *a, struct buf *out);
void gradient_objection_to_json(const struct objection *o, struct buf *out);
void gradient_title_to_json(const struct title *t, struct buf *out);

#endif
