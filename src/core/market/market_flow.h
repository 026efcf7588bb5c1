/*
 * market_flow: the technology market's workflows and the records around its
 * items. The status workflow of listings and demands is one table of
 * (from, event) -> to rows with the action that authorises each step; the
 * interest workflow is open -> accepted | declined with typed decline
 * reasons. Field tables of brokers, assignments, interests and messages
 * validate API input; their JSON forms are pure functions here.
 *
 * Ownership: records borrow their strings from the caller (the request
 * arena); nothing here allocates beyond the output buffers it is given.
 */
#ifndef TB_CORE_MARKET_FLOW_H
#define TB_CORE_MARKET_FLOW_H

#include "core/authz.h"
#include "core/market/market.h"
#include "lib/buf.h"
#include "lib/fields.h"

#include <stdint.h>

enum market_event {
	MARKET_EV_SUBMIT,   /* draft -> under_review, by the owner */
	MARKET_EV_APPROVE,  /* under_review -> published, by a moderator: sets the expiry */
	MARKET_EV_REJECT,   /* under_review -> draft, by a moderator, with a note */
	MARKET_EV_WITHDRAW, /* any live state -> withdrawn, by the owner */
	MARKET_EV_RENEW,    /* published or expired -> published, by the owner: a new expiry */
	MARKET_EV_REOPEN,   /* withdrawn -> draft, by the owner */
	MARKET_EV_EXPIRE,   /* published -> expired, by the system when the expiry passes */
	MARKET_EV__MAX
};
extern const char *const market_events[]; /* NULL-terminated, for field choices */

struct market_transition {
	enum market_status from;
	enum market_event event;
	enum market_status to;
	enum action who; /* ACT__MAX: the system only */
	bool publishes;  /* sets published_at and a new expires_at */
};

/* The transition of `event` from `from`, or NULL when the workflow has none. */
const struct market_transition *market_flow_find(enum market_status from, enum market_event event);
/* enum market_status of a status name; MARKET_STATUS__MAX if unknown. */
enum market_status market_status_parse(const char *s);

/* ---- brokers ---- */
enum broker_field {
	BROKER_F_USER_ID,
	BROKER_F_GRADE,
	BROKER_F_CERTIFICATION,
	BROKER_F_REGIONS,
	BROKER_F_FIELDS,
	BROKER__NFIELDS
};
extern const struct field_def broker_fields[BROKER__NFIELDS];
extern const char *const broker_grades[];

struct broker {
	int64_t id, user_id, version;
	const char *f[BROKER__NFIELDS]; /* BROKER_F_USER_ID unused (see user_id) */
	const char *username, *display_name, *created_at, *updated_at;
};
void broker_to_json(const struct broker *b, struct buf *out);

/* ---- interests ---- */
enum interest_field {
	INTEREST_F_LISTING_ID,
	INTEREST_F_DEMAND_ID,
	INTEREST_F_DIRECTION,
	INTEREST_F_MESSAGE,
	INTEREST__NFIELDS
};
extern const struct field_def interest_fields[INTEREST__NFIELDS];
enum decline_field { DECLINE_F_REASON, DECLINE_F_NOTE, DECLINE__NFIELDS };
extern const struct field_def decline_fields[DECLINE__NFIELDS];
extern const char *const decline_reasons[]; /* NULL-terminated */
enum { DECLINE_REASONS = 6 };

struct interest {
	int64_t id, listing_id, demand_id, from_org_id, to_org_id, created_by, version;
	const char *direction, *status, *decline_reason, *note;
	const char *listing_title, *demand_title, *created_at, *updated_at;
};
void interest_to_json(const struct interest *it, struct buf *out);

struct interest_msg {
	int64_t id, interest_id, author_id;
	const char *author, *body, *created_at;
};
void interest_msg_to_json(const struct interest_msg *m, struct buf *out);

#endif
