/* market_flow: the status workflow table, broker and interest records. */
#include "core/market/market_flow.h"

#include "core/codes.h"
#include "lib/jw.h"

#include <string.h>

const char *const market_events[] = {"submit", "approve", "reject", "withdraw",
                                     "renew",  "reopen",  "expire", NULL};
_Static_assert(sizeof market_events / sizeof market_events[0] == MARKET_EV__MAX + 1,
               "every event named");

/* The whole workflow: what the table does not list cannot happen. */
static const struct market_transition flow[] = {
        {MARKET_STATUS_DRAFT, MARKET_EV_SUBMIT, MARKET_STATUS_UNDER_REVIEW, ACT_MARKET_EDIT, false},
        {MARKET_STATUS_UNDER_REVIEW, MARKET_EV_APPROVE, MARKET_STATUS_PUBLISHED,
         ACT_MARKET_MODERATE, true},
        {MARKET_STATUS_UNDER_REVIEW, MARKET_EV_REJECT, MARKET_STATUS_DRAFT, ACT_MARKET_MODERATE,
         false},
        {MARKET_STATUS_DRAFT, MARKET_EV_WITHDRAW, MARKET_STATUS_WITHDRAWN, ACT_MARKET_EDIT, false},
        {MARKET_STATUS_UNDER_REVIEW, MARKET_EV_WITHDRAW, MARKET_STATUS_WITHDRAWN, ACT_MARKET_EDIT,
         false},
        {MARKET_STATUS_PUBLISHED, MARKET_EV_WITHDRAW, MARKET_STATUS_WITHDRAWN, ACT_MARKET_EDIT,
         false},
        {MARKET_STATUS_EXPIRED, MARKET_EV_WITHDRAW, MARKET_STATUS_WITHDRAWN, ACT_MARKET_EDIT,
         false},
        {MARKET_STATUS_PUBLISHED, MARKET_EV_RENEW, MARKET_STATUS_PUBLISHED, ACT_MARKET_EDIT, true},
        {MARKET_STATUS_EXPIRED, MARKET_EV_RENEW, MARKET_STATUS_PUBLISHED, ACT_MARKET_EDIT, true},
        {MARKET_STATUS_WITHDRAWN, MARKET_EV_REOPEN, MARKET_STATUS_DRAFT, ACT_MARKET_EDIT, false},
        {MARKET_STATUS_PUBLISHED, MARKET_EV_EXPIRE, MARKET_STATUS_EXPIRED, ACT__MAX, false},
};

/*
 * A linear scan over a dozen rows: the table stays readable as the single
 * statement of the workflow
 */
const struct market_transition *market_flow_find(enum market_status from, enum market_event event)
{
	for (size_t i = 0; i < sizeof flow / sizeof flow[0]; i++)
		if (flow[i].from == from && flow[i].event == event)
			return &flow[i];
	return NULL;
}

/*
 * MARKET_STATUS__MAX for an unknown name: it matches no row of the flow table, so every
 * event from it is refused
 */
enum market_status market_status_parse(const char *s)
{
	for (int i = 0; s && market_statuses[i]; i++)
		if (!strcmp(market_statuses[i], s))
			return (enum market_status)i;
	return MARKET_STATUS__MAX;
}

/* A comma-separated list whose every item passes `one`. */
static bool list_check(const char *s, bool (*one)(const char *item, size_t n), const char **why,
                       const char *msg)
{
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 0 || !one(s, n)) {
			*why = msg;
			return false;
		}
		s += n + (s[n] == ',');
	}
	return true;
}

/* Copied out because the item is not NUL-terminated inside the list */
static bool one_region(const char *s, size_t n)
{
	char code[7];
	if (n != 6)
		return false;
	memcpy(code, s, 6);
	code[6] = '\0';
	const char *why;
	return region_code_check(code, &why);
}

static bool one_field(const char *s, size_t n)
{
	for (int i = 0; market_tech_fields[i]; i++)
		if (strlen(market_tech_fields[i]) == n && !memcmp(market_tech_fields[i], s, n))
			return true;
	return false;
}

/*
 * Lists of regions and fields are stored as one text column; each item is
 * checked here so a bad one is refused naming the field, like any scalar
 */
static bool regions_check(const char *s, const char **why)
{
	return list_check(s, one_region, why, "must be comma-separated 6-digit region codes");
}

static bool fields_check(const char *s, const char **why)
{
	return list_check(s, one_field, why, "must be comma-separated technical fields");
}

const char *const broker_grades[] = {"junior", "intermediate", "senior", NULL};

const struct field_def broker_fields[BROKER__NFIELDS] = {
        [BROKER_F_USER_ID] = {"user_id", FT_INT, FD_REQUIRED | FD_CREATE_ONLY, 1, INT64_MAX, NULL,
                              NULL, "the user (who must hold the broker role)"},
        [BROKER_F_GRADE] = {"grade", FT_TEXT, FD_REQUIRED, 1, 16, broker_grades, NULL,
                            "junior, intermediate or senior technology manager"},
        [BROKER_F_CERTIFICATION] = {"certification", FT_TEXT, FD_NULLABLE, 1, 64, NULL, NULL,
                                    "certificate number"},
        [BROKER_F_REGIONS] = {"regions", FT_TEXT, FD_NULLABLE, 6, 400, NULL, regions_check,
                              "regions served: comma-separated GB/T 2260 codes"},
        [BROKER_F_FIELDS] = {"fields", FT_TEXT, FD_NULLABLE, 1, 400, NULL, fields_check,
                             "technical fields served, comma-separated"},
};

/*
 * Typed reasons instead of free text so that declines can be counted by reason
 * (DECLINE_REASONS); the note carries the rest
 */
const char *const decline_reasons[] = {
        "too_early", "benefit_unclear", "route_unclear", "price", "ip_unclear", "other", NULL};
_Static_assert(sizeof decline_reasons / sizeof decline_reasons[0] == DECLINE_REASONS + 1,
               "every reason counted");

static const char *const directions[] = {"to_listing", "to_demand", NULL};

const struct field_def interest_fields[INTEREST__NFIELDS] = {
        [INTEREST_F_LISTING_ID] = {"listing_id", FT_INT, FD_REQUIRED, 1, INT64_MAX, NULL, NULL,
                                   "the listing"},
        [INTEREST_F_DEMAND_ID] = {"demand_id", FT_INT, FD_REQUIRED, 1, INT64_MAX, NULL, NULL,
                                  "the demand"},
        [INTEREST_F_DIRECTION] =
                {"direction", FT_TEXT, FD_REQUIRED, 1, 16, directions, NULL,
                 "to_listing: the demand's owner asks the listing's; to_demand: the"
                 " reverse"},
        [INTEREST_F_MESSAGE] = {"message", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, 4000, NULL, NULL,
                                "first message of the thread"},
};

const struct field_def decline_fields[DECLINE__NFIELDS] = {
        [DECLINE_F_REASON] =
                {"reason", FT_TEXT, FD_REQUIRED, 1, 32, decline_reasons, NULL,
                 "too_early, benefit_unclear, route_unclear, price, ip_unclear or other"},
        [DECLINE_F_NOTE] = {"note", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, 2000, NULL, NULL,
                            "free text"},
};

/*
 * The editable fields in table order, so a field added to broker_fields
 * appears without a change here; BROKER_F_USER_ID is written from the record itself
 */
void broker_to_json(const struct broker *b, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", b->id);
	jw_ki64(&w, "user_id", b->user_id);
	jw_kstr(&w, "username", b->username);
	jw_kstr(&w, "display_name", b->display_name);
	for (int i = BROKER_F_GRADE; i < BROKER__NFIELDS; i++)
		jw_kstr(&w, broker_fields[i].name, b->f[i]);
	jw_kstr(&w, "created_at", b->created_at);
	jw_kstr(&w, "updated_at", b->updated_at);
	jw_ki64(&w, "version", b->version);
	jw_obj_close(&w);
}

void interest_to_json(const struct interest *it, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", it->id);
	jw_ki64(&w, "listing_id", it->listing_id);
	jw_kstr(&w, "listing_title", it->listing_title);
	jw_ki64(&w, "demand_id", it->demand_id);
	jw_kstr(&w, "demand_title", it->demand_title);
	jw_kstr(&w, "direction", it->direction);
	/* the organisations are omitted when unknown (0), not written as null */
	if (it->from_org_id)
		jw_ki64(&w, "from_org_id", it->from_org_id);
	if (it->to_org_id)
		jw_ki64(&w, "to_org_id", it->to_org_id);
	jw_ki64(&w, "created_by", it->created_by);
	jw_kstr(&w, "status", it->status);
	jw_kstr(&w, "decline_reason", it->decline_reason);
	jw_kstr(&w, "note", it->note);
	jw_kstr(&w, "created_at", it->created_at);
	jw_kstr(&w, "updated_at", it->updated_at);
	jw_ki64(&w, "version", it->version);
	jw_obj_close(&w);
}

void interest_msg_to_json(const struct interest_msg *m, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", m->id);
	jw_ki64(&w, "interest_id", m->interest_id);
	jw_ki64(&w, "author_id", m->author_id);
	jw_kstr(&w, "author", m->author);
	jw_kstr(&w, "body", m->body);
	jw_kstr(&w, "created_at", m->created_at);
	jw_obj_close(&w);
}
