/* org: the organisation field table and its cross-field rules. */
#include "core/org.h"

#include "core/codes.h"
#include "core/uscc.h"
#include "lib/jw.h"
#include "lib/limits.h"

#include <string.h>

const char *const org_kinds[] = {"enterprise",        "university",          "research_institute",
                                 "platform_operator", "service_institution", NULL};
const char *const org_size_classes[] = {"large", "medium", "small", "micro", NULL};

/* Adapter: field_def.check has the (s, why) shape, uscc_valid accepts NULL `why` too */
static bool credit_code_check(const char *s, const char **why)
{
	return uscc_valid(s, why);
}

const struct field_def org_fields[ORG__NFIELDS] = {
        [ORG_KIND] = {"kind", FT_TEXT, FD_REQUIRED, 1, 32, org_kinds, NULL,
                      "enterprise, university, research_institute, platform_operator or "
                      "service_institution"},
        [ORG_CREDIT_CODE] = {"credit_code", FT_TEXT, FD_NULLABLE, 18, 18, NULL, credit_code_check,
                             "unified social credit code (18 characters, GB 32100-2015)"},
        [ORG_NAME] = {"name", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT, NULL, NULL,
                      "registered name"},
        [ORG_NAME_EN] = {"name_en", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT, NULL,
                         NULL, "English name"},
        [ORG_REGION_CODE] = {"region_code", FT_TEXT, FD_NULLABLE, 6, 6, NULL, region_code_check,
                             "GB/T 2260 region code of the registered address"},
        [ORG_INDUSTRY_CODE] = {"industry_code", FT_TEXT, FD_NULLABLE, 1, 5, NULL,
                               industry_code_check, "GB/T 4754-2017 industry code, e.g. C3484"},
        [ORG_REGISTERED_ON] = {"registered_on", FT_TEXT, FD_NULLABLE, 10, 10, NULL, date_check,
                               "date of registration"},
        [ORG_SIZE_CLASS] = {"size_class", FT_TEXT, FD_NULLABLE, 1, 16, org_size_classes, NULL,
                            "large, medium, small or micro (2011 SME size standard)"},
        [ORG_ADDRESS] = {"address", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT, NULL,
                         NULL, "registered address"},
        [ORG_WEBSITE] = {"website", FT_TEXT, FD_NULLABLE, 1, LIMIT_TEXT_SHORT, NULL, url_check,
                         "web site"},
};

void org_apply(struct org *o, const struct field_val vals[ORG__NFIELDS])
{
	for (int i = 0; i < ORG__NFIELDS; i++)
		if (vals[i].set)
			o->f[i] = vals[i].null ? NULL : vals[i].s;
}

enum err org_validate(const struct org *o, const char *today, struct err_detail *d)
{
	if (!o->f[ORG_KIND] || !o->f[ORG_NAME])
		return err_set(d, ERR_INVALID, !o->f[ORG_KIND] ? "kind" : "name", "is required");
	if (!strcmp(o->f[ORG_KIND], "enterprise") && !o->f[ORG_CREDIT_CODE])
		return err_set(d, ERR_INVALID, "credit_code", "is required for an enterprise");
	if (o->f[ORG_REGISTERED_ON] && today && strcmp(o->f[ORG_REGISTERED_ON], today) > 0)
		return err_set(d, ERR_INVALID, "registered_on", "must not be in the future");
	return ERR_OK;
}

/*
 * Members in field-table order, so a field added to org_fields appears in the
 * API without a change here; the region and industry names follow their codes
 */
void org_to_json(const struct org *o, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", o->id);
	for (int i = 0; i < ORG__NFIELDS; i++) {
		jw_kstr(&w, org_fields[i].name, o->f[i]);
		if (i == ORG_REGION_CODE) {
			jw_kstr(&w, "region_name", o->region_name);
			jw_kstr(&w, "region_name_en", o->region_name_en);
		} else if (i == ORG_INDUSTRY_CODE) {
			jw_kstr(&w, "industry_name", o->industry_name);
			jw_kstr(&w, "industry_name_en", o->industry_name_en);
		}
	}
	jw_kstr(&w, "created_at", o->created_at);
	jw_kstr(&w, "updated_at", o->updated_at);
	jw_ki64(&w, "version", o->version);
	jw_obj_close(&w);
}

void org_member_to_json(const struct org_member *m, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_ki64(&w, "id", m->grant_id);
	jw_ki64(&w, "user_id", m->user_id);
	jw_kstr(&w, "role", m->role);
	jw_kstr(&w, "username", m->username);
	jw_kstr(&w, "display_name", m->display_name);
	jw_obj_close(&w);
}
