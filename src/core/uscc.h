/*
 * uscc: the unified social credit code (统一社会信用代码, GB 32100-2015):
 * 18 characters = registration authority (1) + organisation type (1) +
 * region code (6, GB/T 2260) + organisation code (9, GB 11714, with its own
 * check digit) + check character (1). Pure functions, no state.
 */
#ifndef TB_CORE_USCC_H
#define TB_CORE_USCC_H

#include <stdbool.h>

enum { USCC_LEN = 18 };

/*
 * Check `code`: length, alphabet, both check characters. On failure returns
 * false and points *why at a static English reason.
 */
bool uscc_valid(const char *code, const char **why);
/* The GB 32100 check character for the first 17 characters of `code`. */
char uscc_check_char(const char *code17);
/* The GB 11714 check character for the first 8 characters of an organisation code. */
char uscc_org_check_char(const char *code8);

#endif
