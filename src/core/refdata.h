/*
 * refdata: the reference tables every record points into: regions (GB/T
 * 2260) and industries (GB/T 4754-2017). Level and parent are derived from
 * the code, never entered. Field tables for API and import, and JSON.
 */
#ifndef TB_CORE_REFDATA_H
#define TB_CORE_REFDATA_H

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/fields.h"

#include <stdint.h>

enum region_field { REGION_F_CODE, REGION_F_NAME, REGION_F_NAME_EN, REGION__NFIELDS };
enum industry_field {
	INDUSTRY_F_CODE,
	INDUSTRY_F_NAME,
	INDUSTRY_F_NAME_EN,
	INDUSTRY_F_DESCRIPTION,
	INDUSTRY__NFIELDS
};

extern const struct field_def region_fields[REGION__NFIELDS];
extern const struct field_def industry_fields[INDUSTRY__NFIELDS];

struct region {
	const char *code, *name, *name_en, *level, *parent_code;
	int64_t version;
};

struct industry {
	const char *code, *name, *name_en, *description, *parent_code;
	int level;
	int64_t version;
};

/*
 * Normalise an input region code (2, 4 or 6 digits) into out[7] and derive
 * level and parent (parent "" for provinces).
 */
enum err region_derive(const char *code, char out[7], const char **level, char parent[7],
                       struct err_detail *d);
/* Derive level and parent ("" for sections) of an industry code. */
enum err industry_derive(const char *code, int *level, char parent[6], struct err_detail *d);

void region_to_json(const struct region *r, struct buf *out);
void industry_to_json(const struct industry *i, struct buf *out);

#endif
