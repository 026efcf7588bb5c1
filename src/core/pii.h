/*
 * pii: how personal data (e-mail addresses, telephone and identity numbers)
 * is shown to those who may not see it whole: masked, keeping enough to
 * recognise it (docs/SECURITY.md, "Personal data"). Pure.
 *
 *   alice@example.org     ->  a***@example.org
 *   13812341234           ->  138****1234
 *   11010519491231002X    ->  110***********002X
 *   张三 138-1234-5678     ->  张三 138-****-5678
 */
#ifndef TB_CORE_PII_H
#define TB_CORE_PII_H

#include "lib/buf.h"

#include <stdbool.h>

/*
 * Mask free text that may hold personal data: in every e-mail address the
 * local part keeps its first character, and in every number of 7 or more
 * digits (separated by nothing, '-' or ' '; an identity number's final X
 * counts as a digit) all but the first 3 and the last 4 digits become '*'.
 * Other text (a name) is kept. Appends to out.
 */
void pii_mask(const char *s, struct buf *out);

/* Whether a JSON member of this name holds personal data ("email", "contact", "phone"). */
bool pii_key(const char *name);

#endif
