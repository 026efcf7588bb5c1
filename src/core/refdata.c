/* refdata: region and industry records. */
#include "core/refdata.h"

#include "core/codes.h"
#include "lib/jw.h"
#include "lib/limits.h"

#include <string.h>

/* Input codes may be short (2/4 digits): normalised by region_derive. */
static bool region_input_check(const char *s, const char **why)
{
	char out[7];
	if (!region_code_normalise(s, out)) {
		*why = "must be a GB/T 2260 region code of 2, 4 or 6 digits";
		return false;
	}
	return true;
}

const struct field_def region_fields[REGION__NFIELDS] = {
        [REGION_F_CODE] = {"code", FT_TEXT, FD_REQUIRED | FD_CREATE_ONLY, 2, 6, NULL,
                           region_input_check, "GB/T 2260 code (6 digits; 2 or 4 accepted)"},
        [REGION_F_NAME] = {"name", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT, NULL,
                           NULL, "Chinese name"},
        [REGION_F_NAME_EN] = {"name_en", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT,
                              NULL, NULL, "English name"},
};

const struct field_def industry_fields[INDUSTRY__NFIELDS] = {
        [INDUSTRY_F_CODE] = {"code", FT_TEXT, FD_REQUIRED | FD_CREATE_ONLY, 1, 5, NULL,
                             industry_code_check, "GB/T 4754-2017 code: C, C34, C348, C3484"},
        [INDUSTRY_F_NAME] = {"name", FT_TEXT, FD_REQUIRED | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT, NULL,
                             NULL, "Chinese name"},
        [INDUSTRY_F_NAME_EN] = {"name_en", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1, LIMIT_TEXT_SHORT,
                                NULL, NULL, "English name"},
        [INDUSTRY_F_DESCRIPTION] = {"description", FT_TEXT, FD_NULLABLE | FD_FREE_TEXT, 1,
                                    LIMIT_TEXT_LONG, NULL, NULL, "the standard's explanatory note"},
};

enum err region_derive(const char *code, char out[7], const char **level, char parent[7],
                       struct err_detail *d)
{
	if (!region_code_normalise(code, out))
		return err_set(d, ERR_INVALID, "code", "must be a GB/T 2260 region code");
	*level = region_level_name(region_code_level(out));
	if (!region_code_parent(out, parent))
		parent[0] = '\0';
	return ERR_OK;
}

/* The parent of a division (C34) is its section (C); below that, the code minus its last digit */
enum err industry_derive(const char *code, int *level, char parent[6], struct err_detail *d)
{
	const char *why;
	if (!industry_code_check(code, &why))
		return err_set(d, ERR_INVALID, "code", "%s", why);
	*level = industry_code_level(code);
	size_t n = strlen(code);
	size_t pn = *level == 1 ? 0 : *level == 2 ? 1 : n - 1;
	memcpy(parent, code, pn);
	parent[pn] = '\0';
	return ERR_OK;
}

void region_to_json(const struct region *r, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_kstr(&w, "code", r->code);
	jw_kstr(&w, "name", r->name);
	jw_kstr(&w, "name_en", r->name_en);
	jw_kstr(&w, "level", r->level);
	jw_kstr(&w, "parent_code", r->parent_code);
	jw_ki64(&w, "version", r->version);
	jw_obj_close(&w);
}

void industry_to_json(const struct industry *i, struct buf *out)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_kstr(&w, "code", i->code);
	jw_kstr(&w, "name", i->name);
	jw_kstr(&w, "name_en", i->name_en);
	jw_ki64(&w, "level", i->level);
	jw_kstr(&w, "parent_code", i->parent_code);
	jw_kstr(&w, "description", i->description);
	jw_ki64(&w, "version", i->version);
	jw_obj_close(&w);
}
