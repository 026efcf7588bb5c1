/*
 * app_facts: an enterprise's facts per fiscal year (stored, audited) and its
 * self-evaluations against the rulesets; also the process-wide rulesets and
 * working-day calendar, loaded once from the copies embedded in the binary.
 * Results live in ctx's arena.
 */
#ifndef TB_APP_APP_FACTS_H
#define TB_APP_APP_FACTS_H

#include "app/app.h"
#include "core/gradient/gradient.h"
#include "lib/fields.h"

#include <jansson.h>

/* The facts document of docs/FACTS.md for an organisation, as JSON text. */
struct facts_doc {
	int64_t org_id;
	int64_t version;  /* 0 when nothing is stored yet */
	const char *json; /* the whole document, with "version" and "updated_at" */
};

/* core/rules and core/workdays, kept out of this header (http has its own `route`). */
struct rules;
struct workdays;

/* The rulesets and the calendar (loaded at the first call; never NULL afterwards). */
const struct rules *app_rules(void);
const struct workdays *app_workdays(void);

enum err app_facts_get(struct app_ctx *ctx, int64_t org_id, struct facts_doc *out);
/*
 * Replace the facts of org_id with `body` (a JSON object: "version" as read,
 * 0 for the first time, and the docs/FACTS.md members an enterprise keeps).
 * ERR_INVALID naming the member; ERR_CONFLICT on a stale version.
 */
enum err app_facts_put(struct app_ctx *ctx, int64_t org_id, json_t *body, struct facts_doc *out);

/*
 * Evaluate org_id's stored facts and titles on `as_of` (NULL: today) for
 * `tiers` (comma-separated; NULL: the three gradient tiers) and store one
 * evaluation per tier. out->items is a struct evaluation array.
 * `review` evaluates as a re-review; application_id (0 for none) links them.
 * Inside the caller's transaction when `in_tx`.
 */
enum err app_evaluate(struct app_ctx *ctx, int64_t org_id, const char *as_of, const char *tiers,
                      struct page *out);
/* The same inside an open write transaction, for an application's submission. */
enum err app_evaluate_in_tx(struct app_ctx *ctx, int64_t org_id, const char *tier, bool review,
                            int64_t application_id, struct evaluation *out);
/* Past evaluations, newest first. */
enum err app_evaluation_list(struct app_ctx *ctx, int64_t org_id, const struct page_req *pr,
                             struct page *out);

/* Import: the columns of a facts row, and one row applied (matched by credit_code). */
const struct field_def *facts_import_fields(size_t *n);
enum err app_facts_import_row(struct app_ctx *ctx, const struct field_val *vals, bool *created,
                              struct err_detail *d);

#endif
