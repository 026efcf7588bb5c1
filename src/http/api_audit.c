/* api_audit: the audit log for administrators. */
#include "http/api.h"

#include "app/app_audit.h"

/* entity_id is text: records of reference data are identified by code, not by number */
const struct field_def api_audit_query[API_AUDIT_NQUERY] = {
        {"entity", FT_TEXT, 0, 1, 64, NULL, NULL, "entity type: organisation, user, region, ..."},
        {"entity_id", FT_TEXT, 0, 1, 64, NULL, NULL, "id of the entity"},
        {"actor", FT_TEXT, 0, 1, 64, NULL, NULL, "username of the actor"},
};

static void entry_json(const void *item, struct buf *out)
{
	audit_entry_to_json(item, out);
}

void api_audit_list(struct req *rq)
{
	struct audit_filter f = {http_query(rq, "entity"), http_query(rq, "entity_id"),
	                         http_query(rq, "actor")};
	struct page p;
	enum err e = app_audit_list(rq->ctx, &f, &rq->page, &p);
	if (e)
		return http_problem(rq, e);
	http_page(rq, &p, sizeof(struct audit_entry), entry_json);
}
