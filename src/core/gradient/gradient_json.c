/* gradient_json: the JSON form of the gradient's records (the API, audit images, exports). */
#include "core/gradient/gradient.h"
#include "lib/jw.h"

/*
 * Every member is always present, null when empty, so clients and the audit images see
 * one shape; ids that are 0 (no evaluation, title or batch yet) are written as null
 */
void gradient_app_to_json(const struct application *a, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", a->id);
	jw_ki64(&w, "org_id", a->org_id);
	jw_kstr(&w, "org_name", a->org_name);
	jw_kstr(&w, "tier", a->tier);
	jw_kbool(&w, "review", a->review);
	jw_kstr(&w, "state", gradient_app_state_name(a->state));
	jw_kstr(&w, "region_code", a->region);
	jw_ki64(&w, "step", a->step);
	jw_kstr(&w, "step_level", gov_level_name(a->step_level));
	jw_kstr(&w, "step_due", a->step_due);
	jw_kbool(&w, "overdue", a->overdue);
	jw_kstr(&w, "final_level", gov_level_name(a->final_level));
	jw_kstr(&w, "statement", a->statement);
	jw_kstr(&w, "contact", a->contact);
	jw_key(&w, "evaluation_id");
	a->evaluation_id ? jw_i64(&w, a->evaluation_id) : jw_null(&w);
	jw_key(&w, "title_id");
	a->title_id ? jw_i64(&w, a->title_id) : jw_null(&w);
	jw_key(&w, "batch_id");
	a->batch_id ? jw_i64(&w, a->batch_id) : jw_null(&w);
	jw_kstr(&w, "notice_from", a->notice_from);
	jw_kstr(&w, "notice_until", a->notice_until);
	jw_kstr(&w, "submitted_at", a->submitted_at);
	jw_kstr(&w, "created_at", a->created_at);
	jw_kstr(&w, "updated_at", a->updated_at);
	jw_ki64(&w, "version", a->version);
	jw_obj_close(&w);
}

void gradient_evaluation_to_json(const struct evaluation *ev, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", ev->id);
	jw_ki64(&w, "org_id", ev->org_id);
	jw_key(&w, "application_id");
	ev->application_id ? jw_i64(&w, ev->application_id) : jw_null(&w);
	jw_kstr(&w, "tier", ev->tier);
	jw_kstr(&w, "as_of", ev->as_of);
	jw_kstr(&w, "ruleset", ev->ruleset);
	jw_kstr(&w, "outcome", ev->outcome);
	jw_key(&w, "score");
	ev->has_score ? jw_f64(&w, ev->score) : jw_null(&w);
	/*
	 * the stored result is already the JSON text the engine wrote (rules_json.c):
	 * inserted as is
	 */
	jw_key(&w, "result");
	jw_raw(&w, ev->result);
	jw_kstr(&w, "created_at", ev->created_at);
	jw_kstr(&w, "created_by", ev->created_by);
	jw_obj_close(&w);
}

void gradient_event_to_json(const struct gradient_event *ev, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", ev->id);
	jw_kstr(&w, "at", ev->at);
	jw_kstr(&w, "actor", ev->actor);
	jw_kstr(&w, "event", ev->event);
	jw_kstr(&w, "from", ev->from);
	jw_kstr(&w, "to", ev->to);
	jw_kstr(&w, "level", ev->level);
	jw_kstr(&w, "reason", ev->reason);
	jw_obj_close(&w);
}

void gradient_attachment_to_json(const struct attachment *a, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", a->id);
	jw_ki64(&w, "application_id", a->application_id);
	jw_kstr(&w, "name", a->name);
	jw_kstr(&w, "content_type", a->content_type);
	jw_ki64(&w, "size", a->size);
	jw_kstr(&w, "sha256", a->sha256);
	jw_kstr(&w, "created_at", a->created_at);
	/* the content only when one attachment is fetched, never in lists */
	if (a->data)
		jw_kstr(&w, "data", a->data);
	jw_obj_close(&w);
}

/*
 * The public sees this without signing in: only what the notice publishes. "paused"
 * tells the reader why the end date may still move (an objection is being handled).
 */
void gradient_notice_to_json(const struct application *a, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", a->id);
	jw_ki64(&w, "org_id", a->org_id);
	jw_kstr(&w, "org_name", a->org_name);
	jw_kstr(&w, "tier", a->tier);
	jw_kstr(&w, "region_code", a->region);
	jw_kstr(&w, "state", gradient_app_state_name(a->state));
	jw_kbool(&w, "paused", a->state == GRADIENT_APP_OBJECTED);
	jw_kstr(&w, "notice_from", a->notice_from);
	jw_kstr(&w, "notice_until", a->notice_until);
	jw_obj_close(&w);
}

void gradient_objection_to_json(const struct objection *o, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", o->id);
	jw_ki64(&w, "application_id", o->application_id);
	jw_kstr(&w, "contact", o->contact);
	jw_kstr(&w, "text", o->text);
	jw_kstr(&w, "state", o->state);
	jw_kstr(&w, "resolution", o->resolution);
	jw_kstr(&w, "created_at", o->created_at);
	jw_kstr(&w, "resolved_at", o->resolved_at);
	jw_obj_close(&w);
}

void gradient_title_to_json(const struct title *t, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", t->id);
	jw_ki64(&w, "org_id", t->org_id);
	jw_kstr(&w, "org_name", t->org_name);
	jw_kstr(&w, "credit_code", t->credit_code);
	jw_kstr(&w, "tier", t->tier);
	jw_kstr(&w, "since", t->since);
	jw_kstr(&w, "until", t->until);
	jw_kstr(&w, "state", t->state);
	jw_kstr(&w, "batch", t->batch);
	jw_kstr(&w, "province_code", t->province);
	jw_kstr(&w, "ruleset", t->ruleset);
	jw_kstr(&w, "revoked_reason", t->revoked_reason);
	jw_kstr(&w, "ban_until", t->ban_until);
	jw_kstr(&w, "data_due", t->data_due);
	/* both forms: a boolean for filters and the date for the message */
	jw_kbool(&w, "data_update_missed", t->data_missed != NULL);
	jw_kstr(&w, "data_update_missed_due", t->data_missed);
	jw_ki64(&w, "version", t->version);
	jw_obj_close(&w);
}
