/* fuzz_fields: JSON bodies through jansson and the organisation and user field tables. */
#include "core/account.h"
#include "core/org.h"
#include "lib/fields.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	struct arena a = ARENA_INIT;
	struct err_detail d;
	struct field_val v[ORG__NFIELDS];
	for (int creating = 0; creating < 2; creating++) {
		if (fields_from_json(org_fields, ORG__NFIELDS, j, creating, v, &a, &d) == ERR_OK) {
			struct org o = {0};
			org_apply(&o, v);
			org_validate(&o, "2026-11-21", &d);
			struct buf b = BUF_INIT;
			org_to_json(&o, &b);
			buf_free(&b);
		}
		struct field_val u[USER__NFIELDS];
		fields_from_json(user_fields, USER__NFIELDS, j, creating, u, &a, &d);
		struct field_val g[GRANT__NFIELDS];
		struct grant gr;
		if (fields_from_json(grant_fields, GRANT__NFIELDS, j, creating, g, &a, &d) ==
		            ERR_OK &&
		    creating)
			grant_from_fields(g, &gr, &d);
	}
	arena_free(&a);
	json_decref(j);
	return 0;
}
