/* app_facts: enterprise facts, self-evaluations, the rulesets and the calendar. */
#include "app/gradient/app_facts.h"

#include "app/app_org.h"
#include "app/app_tx.h"
#include "core/gradient/gradient.h"
#include "core/gradient/rules.h"
#include "core/workdays.h"
#include "lib/date.h"
#include "lib/embed.h"
#include "lib/jw.h"
#include "lib/limits.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the rulesets and the calendar, once per process ---- */

static struct rules rules;
static struct workdays workdays;
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

/* The embedded rulesets (overlays may precede their base: retry while any loads). */
static void load_rules(void)
{
	rules_init(&rules);
	bool done[RULES_SETS_MAX] = {0}, progress = true;
	struct err_detail d;
	while (progress) {
		progress = false;
		for (size_t i = 0, k = 0; i < embed_count && k < RULES_SETS_MAX; i++) {
			const struct embed_file *f = &embed_files[i];
			if (strncmp(f->path, "rules/", 6) || strchr(f->path + 6, '/'))
				continue;
			if (!done[k] &&
			    !rules_add(&rules, f->path, (const char *)f->data, f->len, &d))
				done[k] = progress = true;
			k++;
		}
	}
	if (rules_check(&rules, &d))
		fprintf(stderr, "techbridge: embedded rules: %s: %s\n", d.field, d.message);
	for (size_t i = 0; i < embed_count; i++) {
		const struct embed_file *f = &embed_files[i];
		if (!strncmp(f->path, "rules/holidays/", 15) &&
		    workdays_add_year(&workdays, (const char *)f->data, f->len, &d))
			fprintf(stderr, "techbridge: %s: %s: %s\n", f->path, d.field, d.message);
	}
}

/*
 * Loaded once per process on first use, from the copies embedded in the binary, so every
 * process of one build judges alike. A broken embedded file is reported on stderr, not fatal:
 * the unit tests check the shipped rules.
 */
const struct rules *app_rules(void)
{
	pthread_once(&rules_once, load_rules);
	return &rules;
}

const struct workdays *app_workdays(void)
{
	pthread_once(&rules_once, load_rules);
	return &workdays;
}

/* ---- the facts document ---- */

/*
 * A year's figures, named as their columns (and as the facts document's keys):
 * the columns of FACT_YEAR_ROW (stmt_gradient.def) after the fiscal year.
 */
#define YEAR_SKIP(id, sql)
#define YEAR_NAME(id, sql) sql,
static const char *const year_cols[] = {FACT_YEAR_ROW(YEAR_SKIP, YEAR_NAME)};
#undef YEAR_SKIP
#undef YEAR_NAME
enum { NYEAR_COLS = sizeof year_cols / sizeof year_cols[0] };
/* the column of figure c is FIRST_FIGURE + c */
enum { FIRST_FIGURE = COL_FACT_YEAR_REVENUE_FEN };
_Static_assert(FIRST_FIGURE + NYEAR_COLS == FACT_YEAR__NCOLS, "the figures end the row");

/* The members an enterprise keeps; identity comes from the organisation, titles from grants. */
static const char *const kept_keys[] = {
        "niche_since",  "dev_scores", "ip",     "honors",       "quality", "digital_level",
        "lead_product", "market",     "status", "local_points", NULL};

/* A NULL column stays absent from the year, so the document says "not reported" rather than 0. */
static enum err load_years(struct app_ctx *ctx, int64_t org_id, json_t *years)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_FACT_YEARS_GET, DB_ARGS(DB_INT(org_id)), &r);
	if (e)
		return app_db_fail(ctx, e, "facts");
	while (db_next(r)) {
		json_t *y = json_object();
		for (int c = 0; c < NYEAR_COLS; c++)
			if (!db_col_null(r, FIRST_FIGURE + c))
				json_object_set_new(y, year_cols[c],
				                    json_integer(db_col_i64(r, FIRST_FIGURE + c)));
		char key[16];
		snprintf(key, sizeof key, "%lld",
		         (long long)db_col_i64(r, COL_FACT_YEAR_FISCAL_YEAR));
		json_object_set_new(years, key, y);
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "facts");
	return ERR_OK;
}

/*
 * Only the titles held now: the engine's "titles" come from the grants, so they cannot
 * disagree with them.
 */
static enum err load_titles(struct app_ctx *ctx, int64_t org_id, json_t *titles)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_TITLE_OF_ORG, DB_ARGS(DB_INT(org_id)), &r);
	if (e)
		return app_db_fail(ctx, e, "titles");
	while (db_next(r)) {
		if (strcmp(db_col_text(r, COL_TITLE_STATE), "active"))
			continue;
		json_array_append_new(titles, json_pack("{s:s, s:s, s:s}", "tier",
		                                        db_col_text(r, COL_TITLE_TIER), "since",
		                                        db_col_text(r, COL_TITLE_SINCE), "until",
		                                        db_col_text(r, COL_TITLE_UNTIL)));
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "titles");
	return ERR_OK;
}

/* The stored enterprise-level JSON, its version and time (version 0: none). */
static enum err load_stored(struct app_ctx *ctx, int64_t org_id, json_t **kept, int64_t *version,
                            const char **updated)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, STMT_FACTS_GET, DB_ARGS(DB_INT(org_id)), &r);
	if (e)
		return app_db_fail(ctx, e, "facts");
	*kept = NULL;
	*version = 0;
	*updated = NULL;
	if (db_next(r)) {
		*kept = json_loads(db_col_text(r, COL_FACTS_DOC), 0, NULL);
		*updated = app_col(ctx, r, COL_FACTS_UPDATED_AT);
		*version = db_col_i64(r, COL_FACTS_VERSION);
	}
	if ((e = db_done(r)))
		return app_db_fail(ctx, e, "facts");
	if (!*kept)
		*kept = json_object();
	return ERR_OK;
}

/* The docs/FACTS.md object: identity from the organisation, kept members, years, titles. */
static json_t *facts_object(const struct org *o, json_t *kept, json_t *years, json_t *titles)
{
	json_t *f = json_object();
	const char *region = o->f[ORG_REGION_CODE];
	json_object_set_new(f, "ref", json_sprintf("%lld", (long long)o->id));
	if (o->f[ORG_CREDIT_CODE])
		json_object_set_new(f, "credit_code", json_string(o->f[ORG_CREDIT_CODE]));
	json_object_set_new(f, "name", json_string(o->f[ORG_NAME]));
	if (o->f[ORG_INDUSTRY_CODE])
		json_object_set_new(f, "industry_code", json_string(o->f[ORG_INDUSTRY_CODE]));
	if (region)
		json_object_set_new(f, "province_code", json_stringn(region, 2));
	if (o->f[ORG_REGISTERED_ON])
		json_object_set_new(f, "registered_on", json_string(o->f[ORG_REGISTERED_ON]));
	json_object_update(f, kept);
	json_object_set(f, "years", years);
	json_object_set(f, "titles", titles);
	return f;
}

/* Read everything the document needs, in the current transaction. */
static enum err facts_load(struct app_ctx *ctx, const struct org *o, json_t **doc, int64_t *version,
                           const char **updated)
{
	json_t *kept = NULL, *years = json_object(), *titles = json_array();
	enum err e = load_stored(ctx, o->id, &kept, version, updated);
	if (!e && !(e = load_years(ctx, o->id, years)))
		e = load_titles(ctx, o->id, titles);
	*doc = e ? NULL : facts_object(o, kept, years, titles);
	json_decref(kept);
	json_decref(years);
	json_decref(titles);
	return e;
}

/*
 * Keys sorted, so the same facts always give the same text (the audit's before and after
 * images compare); version and updated_at are added for the text only, as doc is reused.
 */
static const char *doc_text(struct app_ctx *ctx, json_t *doc, int64_t version, const char *updated)
{
	json_object_set_new(doc, "version", json_integer(version));
	json_object_set_new(doc, "updated_at", updated ? json_string(updated) : json_null());
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_object_del(doc, "version");
	json_object_del(doc, "updated_at");
	const char *out = arena_strdup(&ctx->arena, s);
	free(s);
	return out;
}

/* Only an enterprise has facts: any other organisation is "not found", as the path names it. */
static enum err facts_access(struct app_ctx *ctx, int64_t org_id, enum action act, struct org *o)
{
	enum err e = app_org_load(ctx, org_id, o);
	if (e)
		return e;
	if (strcmp(o->f[ORG_KIND], "enterprise"))
		return APP_FAIL(ctx, ERR_NOT_FOUND, "id", "organisation %lld is not an enterprise",
		                (long long)org_id);
	struct target t = {.region = o->f[ORG_REGION_CODE], .org_id = org_id};
	return app_allow(ctx, act, &t);
}

enum err app_facts_get(struct app_ctx *ctx, int64_t org_id, struct facts_doc *out)
{
	struct org o;
	enum err e = facts_access(ctx, org_id, ACT_FACTS_READ, &o);
	if (e)
		return e;
	json_t *doc;
	const char *updated;
	if ((e = facts_load(ctx, &o, &doc, &out->version, &updated)))
		return e;
	out->org_id = org_id;
	out->json = doc_text(ctx, doc, out->version, updated);
	json_decref(doc);
	return ERR_OK;
}

/* A fiscal year's member names and values: integers (or null), amounts not negative. */
static enum err check_year(struct app_ctx *ctx, const char *year, json_t *y)
{
	const char *k;
	json_t *v;
	if (!json_is_object(y))
		return APP_FAIL(ctx, ERR_INVALID, "years", "%s must be an object", year);
	json_object_foreach(y, k, v)
	{
		int c = 0;
		while (c < NYEAR_COLS && strcmp(year_cols[c], k))
			c++;
		const char *path = arena_printf(&ctx->arena, "years.%s.%s", year, k);
		if (c == NYEAR_COLS)
			return APP_FAIL(ctx, ERR_INVALID, path, "is not a fiscal-year fact");
		if (!json_is_null(v) && !json_is_integer(v))
			return APP_FAIL(ctx, ERR_INVALID, path, "must be an integer or null");
		int64_t lo, hi;
		json_int_t i = json_integer_value(v);
		if (json_is_integer(v) && facts_year_bounds(k, &lo, &hi) && (i < lo || i > hi))
			return lo == 0 && i < 0
			               ? APP_FAIL(ctx, ERR_INVALID, path, "must not be negative")
			               : APP_FAIL(ctx, ERR_INVALID, path,
			                          "must be between %lld and %lld (docs/FACTS.md)",
			                          (long long)lo, (long long)hi);
	}
	return ERR_OK;
}

/* Split a PUT body into the kept members and the years, checking names and shapes. */
/*
 * A PUT replaces the whole document, so the client sends the version it read, 0 when there
 * were no facts (the write is then an insert).
 */
static enum err split_body(struct app_ctx *ctx, json_t *body, int64_t *version, json_t **kept,
                           json_t **years)
{
	const char *k;
	json_t *v;
	json_t *ver = json_object_get(body, "version");
	if (!json_is_integer(ver) || json_integer_value(ver) < 0)
		return APP_FAIL(ctx, ERR_INVALID, "version",
		                "is required: the version you read (0 when there were no facts)");
	*version = json_integer_value(ver);
	*years = json_object_get(body, "years");
	if (*years && !json_is_object(*years))
		return APP_FAIL(ctx, ERR_INVALID, "years", "must be an object of fiscal years");
	json_object_foreach(*years, k, v)
	{
		char *end;
		long y = strtol(k, &end, 10);
		if (*end || strlen(k) != 4 || y < 1990 || y > 2100)
			return APP_FAIL(ctx, ERR_INVALID, "years", "%s is not a fiscal year", k);
		enum err e = check_year(ctx, k, v);
		if (e)
			return e;
	}
	json_object_foreach(body, k, v)
	{
		if (!strcmp(k, "version") || !strcmp(k, "years"))
			continue;
		int i = 0;
		while (kept_keys[i] && strcmp(kept_keys[i], k))
			i++;
		if (!kept_keys[i])
			return APP_FAIL(
			        ctx, ERR_INVALID, k,
			        "is not a fact an enterprise keeps (identity comes from the "
			        "organisation, titles from grants)");
	}
	*kept = json_deep_copy(body);
	json_object_del(*kept, "version");
	json_object_del(*kept, "years");
	return ERR_OK;
}

/*
 * Replaced, not merged: a year missing from the body is deleted, as the PUT replaces the
 * document.
 */
static enum err write_years(struct app_ctx *ctx, int64_t org_id, json_t *years)
{
	enum err e = db_exec(ctx->conn, STMT_FACT_YEARS_DELETE, DB_ARGS(DB_INT(org_id)), NULL);
	const char *k;
	json_t *y;
	json_object_foreach(years, k, y)
	{
		if (e)
			break;
		struct db_val args[2 + NYEAR_COLS];
		args[0] = DB_INT(org_id);
		args[1] = DB_INT(strtol(k, NULL, 10));
		for (int c = 0; c < NYEAR_COLS; c++) {
			json_t *v = json_object_get(y, year_cols[c]);
			args[2 + c] = json_is_integer(v) ? DB_INT(json_integer_value(v)) : DB_NULL;
		}
		e = db_exec(ctx->conn, STMT_FACT_YEAR_UPSERT, args, 2 + NYEAR_COLS, NULL);
	}
	return e ? app_db_fail(ctx, e, "facts") : ERR_OK;
}

/* The body's facts must parse as docs/FACTS.md says, with the stored identity and titles. */
static enum err check_facts(struct app_ctx *ctx, const struct org *o, json_t *kept, json_t *years)
{
	json_t *titles = json_array();
	enum err e = load_titles(ctx, o->id, titles);
	json_t *doc = e ? NULL : facts_object(o, kept, years, titles);
	struct facts *fx = arena_alloc(&ctx->arena, sizeof *fx);
	if (!e && (e = facts_parse(doc, fx, &ctx->err)))
		e = ERR_INVALID; /* facts_parse named the member */
	json_decref(doc);
	json_decref(titles);
	return e;
}

/*
 * Names and shapes are checked before the transaction opens; the whole document is parsed
 * inside it (check_facts), with the stored identity and titles it will be read with. The audit
 * record holds the document before and after (no before image for the first).
 */
enum err app_facts_put(struct app_ctx *ctx, int64_t org_id, json_t *body, struct facts_doc *out)
{
	struct org o;
	int64_t version = 0;
	json_t *kept = NULL, *years = NULL, *before = NULL, *after = NULL;
	const char *upd;
	enum err e = split_body(ctx, body, &version, &kept, &years);
	if (e)
		return e;
	json_t *ys = years ? years : json_object();
	if (!years)
		years = ys;
	else
		json_incref(ys);
	if ((e = app_write_begin(ctx)) || ctx->replayed)
		goto done;
	if (!(e = facts_access(ctx, org_id, ACT_FACTS_WRITE, &o)) &&
	    !(e = facts_load(ctx, &o, &before, &out->version, &upd)) &&
	    !(e = check_facts(ctx, &o, kept, ys))) {
		if (version != out->version)
			e = APP_FAIL(ctx, ERR_CONFLICT, "version",
			             "is %lld, the facts are at version %lld: reload and retry",
			             (long long)version, (long long)out->version);
	}
	if (!e) {
		char *text = json_dumps(kept, JSON_COMPACT | JSON_SORT_KEYS);
		int64_t changed = 1;
		e = version == 0
		            ? db_exec(ctx->conn, STMT_FACTS_INSERT,
		                      DB_ARGS(DB_INT(org_id), DB_TEXT(text), DB_TEXT(ctx->now_s)),
		                      NULL)
		            : db_exec(ctx->conn, STMT_FACTS_UPDATE,
		                      DB_ARGS(DB_TEXT(text), DB_TEXT(ctx->now_s), DB_INT(org_id),
		                              DB_INT(version)),
		                      &changed);
		free(text);
		if (e == ERR_CONFLICT || (!e && changed != 1))
			e = APP_FAIL(ctx, ERR_CONFLICT, "version", "the facts changed meanwhile");
		else if (e)
			e = app_db_fail(ctx, e, "facts");
	}
	if (!e && !(e = write_years(ctx, org_id, ys)) &&
	    !(e = facts_load(ctx, &o, &after, &out->version, &upd))) {
		out->org_id = org_id;
		out->json = doc_text(ctx, after, out->version, upd);
		e = app_audit(ctx, "update", "facts", app_id_str(ctx, org_id),
		              version ? doc_text(ctx, before, version, NULL) : NULL, out->json);
	}
	e = app_write_end(ctx, e, 200, NULL, NULL);
done:
	json_decref(kept);
	json_decref(ys);
	json_decref(before);
	json_decref(after);
	return e;
}

/* ---- evaluations ---- */

#define EVAL_ROW_ARGS(ev)                                                                          \
	DB_INT((ev)->org_id), (ev)->application_id ? DB_INT((ev)->application_id) : DB_NULL,       \
	        DB_TEXT((ev)->tier), DB_TEXT((ev)->as_of), DB_TEXT((ev)->ruleset),                 \
	        DB_TEXT((ev)->outcome), (ev)->has_score ? DB_REAL((ev)->score) : DB_NULL,          \
	        DB_TEXT((ev)->result), DB_TEXT((ev)->created_at), DB_TEXT((ev)->created_by)

static void eval_row(struct app_ctx *ctx, struct db_rows *r, void *item)
{
	struct evaluation *ev = item;
	ev->id = db_col_i64(r, COL_EVAL_ID);
	ev->org_id = db_col_i64(r, COL_EVAL_ORG_ID);
	ev->application_id = db_col_null(r, COL_EVAL_APPLICATION_ID)
	                             ? 0
	                             : db_col_i64(r, COL_EVAL_APPLICATION_ID);
	ev->tier = app_col(ctx, r, COL_EVAL_TIER);
	ev->as_of = app_col(ctx, r, COL_EVAL_AS_OF);
	ev->ruleset = app_col(ctx, r, COL_EVAL_RULESET);
	ev->outcome = app_col(ctx, r, COL_EVAL_OUTCOME);
	ev->has_score = !db_col_null(r, COL_EVAL_SCORE);
	ev->score = ev->has_score ? db_col_f64(r, COL_EVAL_SCORE) : 0;
	ev->result = app_col(ctx, r, COL_EVAL_RESULT);
	ev->created_at = app_col(ctx, r, COL_EVAL_CREATED_AT);
	ev->created_by = app_col(ctx, r, COL_EVAL_CREATED_BY);
}

/* Evaluate one tier of parsed facts and store it; the transaction is open. */
/*
 * Each evaluation is stored with its ruleset's id and the full result, so a verdict can still
 * be explained after the rules change; the evaluation is audited like any other record.
 */
static enum err eval_one(struct app_ctx *ctx, const struct facts *fx, int32_t as_of,
                         const char *tier, int64_t application_id, struct evaluation *ev)
{
	struct rules_query q = {.as_of = as_of, .ntiers = 1, .tiers = &tier, .gaps = true};
	struct rules_result *res = arena_alloc(&ctx->arena, sizeof *res);
	if (rules_evaluate(app_rules(), fx, &q, res) || res->nresults != 1)
		return APP_FAIL(ctx, ERR_INVALID, "tiers", "no ruleset defines %s", tier);
	const struct tier_result *t = &res->results[0];
	struct buf b = BUF_INIT;
	rules_result_json(&b, fx->ref, as_of, res, true);
	char day[DATE_STR];
	date_format(as_of, day);
	*ev = (struct evaluation){
	        .application_id = application_id,
	        .tier = tier,
	        .as_of = arena_strdup(&ctx->arena, day),
	        .ruleset = t->ruleset ? ruleset_id(t->ruleset) : NULL,
	        .outcome = rules_verdict_name(t->verdict),
	        .has_score = t->scored,
	        .score = t->score,
	        .result = app_keep(ctx, &b),
	        .created_at = ctx->now_s,
	        .created_by = ctx->actor.username,
	};
	ev->org_id = strtoll(fx->ref, NULL, 10);
	enum err e = app_row_i64(ctx, STMT_EVAL_INSERT, DB_ARGS(EVAL_ROW_ARGS(ev)), COL_ID, &ev->id,
	                         "evaluation");
	if (e)
		return e;
	struct buf a = BUF_INIT;
	gradient_evaluation_to_json(ev, &a);
	return app_audit(ctx, "create", "evaluation", app_id_str(ctx, ev->id), NULL,
	                 app_keep(ctx, &a));
}

/* The org's facts parsed, as of the current transaction. `doc` keeps fx's strings alive. */
static enum err facts_for_engine(struct app_ctx *ctx, const struct org *o, bool review,
                                 json_t **doc, struct facts *fx)
{
	int64_t version;
	const char *updated;
	enum err e = facts_load(ctx, o, doc, &version, &updated);
	if (e)
		return e;
	json_object_set_new(*doc, "review", json_boolean(review));
	if (facts_parse(*doc, fx, &ctx->err))
		return ERR_INVALID; /* stored facts were checked: only a changed parser gets here */
	return ERR_OK;
}

/* Example rulesets define tiers for illustration only: a request cannot name them. */
static bool tier_known(const char *tier)
{
	const struct rules *r = app_rules();
	for (int k = 0; k < r->nsets; k++)
		if (ruleset_has_tier(r->sets[k], tier) && !ruleset_example(r->sets[k]))
			return true;
	return false;
}

/* Split "a,b" into tier ids (in the arena), each checked. */
static enum err parse_tiers(struct app_ctx *ctx, const char *list, const char **out, int *n)
{
	*n = 0;
	if (!list) {
		for (int i = 0; gradient_tiers[i]; i++)
			out[(*n)++] = gradient_tiers[i];
		return ERR_OK;
	}
	char *s = arena_strdup(&ctx->arena, list), *save = NULL;
	for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (*n == RULES_TIERS_MAX || !tier_known(t))
			return APP_FAIL(ctx, ERR_INVALID, "tiers", "%s is not a tier of the rules",
			                t);
		out[(*n)++] = t;
	}
	if (!*n)
		return APP_FAIL(ctx, ERR_INVALID, "tiers", "names no tier");
	return ERR_OK;
}

/*
 * A self-evaluation is a write (each result is stored and audited), so it needs the right to
 * write the facts, not only to read them. All the tiers are judged on one snapshot of the
 * facts, in one transaction.
 */
enum err app_evaluate(struct app_ctx *ctx, int64_t org_id, const char *as_of, const char *tiers,
                      struct page *out)
{
	const char *list[RULES_TIERS_MAX];
	int n;
	int32_t day = (int32_t)(ctx->now / 86400);
	if (as_of && !date_parse(as_of, &day))
		return APP_FAIL(ctx, ERR_INVALID, "as_of", "must be a date YYYY-MM-DD");
	enum err e = parse_tiers(ctx, tiers, list, &n);
	if (e || (e = app_write_begin(ctx)) || ctx->replayed)
		return e;
	struct org o;
	json_t *doc = NULL;
	struct facts *fx = arena_alloc(&ctx->arena, sizeof *fx);
	struct evaluation *evs = arena_alloc(&ctx->arena, sizeof *evs * (size_t)n);
	if (!(e = facts_access(ctx, org_id, ACT_FACTS_WRITE, &o)) &&
	    !(e = facts_for_engine(ctx, &o, false, &doc, fx)))
		for (int i = 0; i < n && !e; i++)
			e = eval_one(ctx, fx, day, list[i], 0, &evs[i]);
	json_decref(doc);
	out->items = evs;
	out->n = n;
	out->next_cursor = NULL;
	out->total = n;
	return app_write_end(ctx, e, 201, NULL, NULL);
}

/*
 * The submission's evaluation (app_apply.c): in the caller's transaction, without an
 * authorization of its own (the workflow decided who may submit), and with the re-review flag
 * the rules read.
 */
enum err app_evaluate_in_tx(struct app_ctx *ctx, int64_t org_id, const char *tier, bool review,
                            int64_t application_id, struct evaluation *out)
{
	struct org o;
	json_t *doc = NULL;
	struct facts *fx = arena_alloc(&ctx->arena, sizeof *fx);
	enum err e = app_org_load(ctx, org_id, &o);
	if (!e && !(e = facts_for_engine(ctx, &o, review, &doc, fx)))
		e = eval_one(ctx, fx, (int32_t)(ctx->now / 86400), tier, application_id, out);
	json_decref(doc);
	return e;
}

enum err app_evaluation_list(struct app_ctx *ctx, int64_t org_id, const struct page_req *pr,
                             struct page *out)
{
	struct org o;
	int64_t before = INT64_MAX;
	enum err e;
	if (pr->cursor && (e = app_cursor_id(ctx, 'e', pr->cursor, &before)))
		return e;
	if ((e = facts_access(ctx, org_id, ACT_FACTS_READ, &o)))
		return e;
	static const struct app_list list = {.cursor = 'e',
	                                     .what = "evaluations",
	                                     .item_size = sizeof(struct evaluation),
	                                     .row = eval_row,
	                                     .key_id = offsetof(struct evaluation, id)};
	return app_page_fetch(ctx, &list, STMT_EVAL_LIST, DB_ARGS(DB_INT(org_id), DB_INT(before)),
	                      pr, out);
}

/* ---- import: one row per enterprise and fiscal year ---- */

/* the bounds are facts_year_bounds' (lib/limits.h) */
#define YEAR_FIELD_B(name, lo, hi, doc)                                                            \
	{                                                                                          \
		name, FT_INT, FD_NULLABLE, lo, hi, NULL, NULL, doc                                 \
	}
#define YEAR_FIELD(name, doc)      YEAR_FIELD_B(name, 0, LIMIT_FEN_MAX, doc)
#define HEADCOUNT_FIELD(name, doc) YEAR_FIELD_B(name, 0, LIMIT_HEADCOUNT_MAX, doc)
static const struct field_def import_defs[] = {
        {"credit_code", FT_TEXT, FD_REQUIRED, 18, 18, NULL, NULL, "the enterprise"},
        {"fiscal_year", FT_INT, FD_REQUIRED, 1990, 2100, NULL, NULL, "the fiscal year"},
        YEAR_FIELD("revenue_fen", "营业收入"),
        YEAR_FIELD("main_revenue_fen", "主营业务收入"),
        YEAR_FIELD("rd_expense_fen", "研发费用"),
        YEAR_FIELD("rd_expense_domestic_fen", "研发费用 (in China)"),
        YEAR_FIELD("total_cost_fen", "成本费用总额"),
        YEAR_FIELD_B("net_profit_fen", -LIMIT_FEN_MAX, LIMIT_FEN_MAX, "净利润"),
        YEAR_FIELD("total_assets_fen", "资产总额"),
        YEAR_FIELD("total_liabilities_fen", "负债总额"),
        HEADCOUNT_FIELD("employees", "从业人员"),
        HEADCOUNT_FIELD("rd_staff", "研发人员"),
        HEADCOUNT_FIELD("tech_staff", "科技人员"),
        YEAR_FIELD("equity_financing_fen", "新增股权融资"),
        YEAR_FIELD("hightech_revenue_fen", "高新技术产品收入"),
};
_Static_assert(sizeof import_defs / sizeof import_defs[0] == 2 + NYEAR_COLS, "a column per fact");

const struct field_def *facts_import_fields(size_t *n)
{
	*n = sizeof import_defs / sizeof import_defs[0];
	return import_defs;
}

/*
 * An operator's load of one year's figures; it does not count as the enterprise's yearly
 * update (docs/CLI.md). FACTS_TOUCH moves the document's version, so a client that read the
 * facts before the import gets a conflict instead of overwriting the imported year.
 */
enum err app_facts_import_row(struct app_ctx *ctx, const struct field_val *v, bool *created,
                              struct err_detail *d)
{
	struct db_rows *r;
	int64_t org_id = 0;
	enum err e = db_query(ctx->conn, STMT_ORG_ID_BY_CREDIT, DB_ARGS(DB_TEXT(v[0].s)), &r);
	if (e)
		return e;
	if (db_next(r))
		org_id = db_col_i64(r, COL_ID);
	if ((e = db_done(r)))
		return e;
	if (!org_id)
		return err_set(d, ERR_INVALID, "credit_code",
		               "no organisation has this credit code");
	struct db_val args[2 + NYEAR_COLS];
	args[0] = DB_INT(org_id);
	args[1] = DB_INT(v[1].i);
	for (int c = 0; c < NYEAR_COLS; c++) {
		const struct field_val *f = &v[2 + c];
		if (f->set && !f->null && f->i < 0 && strcmp(year_cols[c], "net_profit_fen"))
			return err_set(d, ERR_INVALID, year_cols[c], "must not be negative");
		args[2 + c] = f->set && !f->null ? DB_INT(f->i) : DB_NULL;
	}
	int64_t version;
	const char *updated;
	json_t *kept;
	if ((e = load_stored(ctx, org_id, &kept, &version, &updated)))
		return e;
	json_decref(kept);
	*created = version == 0;
	if (!(e = db_exec(ctx->conn, STMT_FACT_YEAR_UPSERT, args, 2 + NYEAR_COLS, NULL)))
		e = db_exec(ctx->conn, STMT_FACTS_TOUCH,
		            DB_ARGS(DB_INT(org_id), DB_TEXT(ctx->now_s)), NULL);
	return e;
}
