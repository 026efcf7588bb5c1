/*
 * org: the organisation record (enterprises first; also universities,
 * research institutes, platform operators, service institutions). Its
 * writable fields are one table, org_fields, used by the API, import and
 * export alike; all are text. A struct org borrows its strings from the
 * arena or rows it was read from.
 */
#ifndef TB_CORE_ORG_H
#define TB_CORE_ORG_H

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/fields.h"

#include <stdint.h>

enum org_field {
	ORG_KIND,
	ORG_CREDIT_CODE,
	ORG_NAME,
	ORG_NAME_EN,
	ORG_REGION_CODE,
	ORG_INDUSTRY_CODE,
	ORG_REGISTERED_ON,
	ORG_SIZE_CLASS,
	ORG_ADDRESS,
	ORG_WEBSITE,
	ORG__NFIELDS
};

extern const struct field_def org_fields[ORG__NFIELDS];
extern const char *const org_kinds[];        /* NULL-terminated */
extern const char *const org_size_classes[]; /* NULL-terminated */

struct org {
	int64_t id;
	int64_t version;
	const char *f[ORG__NFIELDS]; /* NULL = no value */
	const char *region_name, *region_name_en;
	const char *industry_name, *industry_name_en;
	const char *created_at;
	const char *updated_at;
};

/* Apply the set values of a patch to `o` (NULL-valued fields clear). */
void org_apply(struct org *o, const struct field_val vals[ORG__NFIELDS]);
/*
 * Rules across fields, after org_apply: an enterprise needs a credit code;
 * the code's region part is not checked against region_code (firms move).
 * Registration date not in the future of `today` (YYYY-MM-DD).
 */
enum err org_validate(const struct org *o, const char *today, struct err_detail *d);

/* Append the JSON object of `o` (the API's representation) to out. */
void org_to_json(const struct org *o, struct buf *out);

/* A member of an organisation: a user holding org_admin or org_member there. */
struct org_member {
	int64_t grant_id;
	int64_t user_id;
	const char *role;
	const char *username;
	const char *display_name;
};
void org_member_to_json(const struct org_member *m, struct buf *out);

#endif
