/* uscc: GB 32100-2015 / GB 11714 check characters. */
#include "core/uscc.h"

#include <string.h>

/* GB 32100 alphabet: digits and capitals without I, O, S, V, Z. */
static const char uscc_alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                     29, 25, 13, 8,  24, 10, 30, 28};
static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

/* Alphabet value + 1 of each byte (0: not in the alphabet); a table, as it runs for every imported row. */
static const signed char uscc_values[256] = {
        ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,
        ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14,
        ['E'] = 15, ['F'] = 16, ['G'] = 17, ['H'] = 18, ['J'] = 19, ['K'] = 20, ['L'] = 21,
        ['M'] = 22, ['N'] = 23, ['P'] = 24, ['Q'] = 25, ['R'] = 26, ['T'] = 27, ['U'] = 28,
        ['W'] = 29, ['X'] = 30, ['Y'] = 31};

/* -1 for a character outside the alphabet */
static int uscc_value(char c)
{
	return uscc_values[(unsigned char)c] - 1;
}

/*
 * GB 32100-2015: the weighted sum modulo 31, and the character whose value
 * brings it to a multiple of 31
 */
char uscc_check_char(const char *code17)
{
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int v = uscc_value(code17[i]);
		if (v < 0)
			return '\0';
		sum += v * uscc_weights[i];
	}
	return uscc_alpha[(31 - sum % 31) % 31];
}

/*
 * Characters 9-17 of a credit code are the older organisation code (GB 11714):
 * 8 characters and a check digit computed modulo 11, where 10 is written X
 */
char uscc_org_check_char(const char *code8)
{
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		int v = uscc_value(code8[i]);
		if (v < 0)
			return '\0';
		/* GB 11714 values letters A=10 .. Z=35 over the full alphabet */
		if (code8[i] >= 'A')
			v = code8[i] - 'A' + 10;
		sum += v * org_weights[i];
	}
	int c = 11 - sum % 11;
	return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

bool uscc_valid(const char *code, const char **why)
{
	static const char *dummy;
	why = why ? why : &dummy;
	if (!code || strlen(code) != USCC_LEN) {
		*why = "must be 18 characters";
		return false;
	}
	for (int i = 0; i < USCC_LEN; i++) {
		if (uscc_value(code[i]) < 0) {
			*why = "contains a character outside 0-9 and A-Y without I, O, S, V, Z";
			return false;
		}
	}
	/*
	 * characters 3-8 are the registering authority's region code, all digits; that
	 * region is not compared with the organisation's region_code (see core/org.h)
	 */
	for (int i = 2; i < 8; i++) {
		if (code[i] < '0' || code[i] > '9') {
			*why = "characters 3-8 must be the region code digits";
			return false;
		}
	}
	if (code[0] == '0' || code[1] == '0') {
		*why = "registration authority and type must not be 0";
		return false;
	}
	char org = uscc_org_check_char(code + 8);
	if (org != code[16] && !(org == 'X' && code[16] == 'X')) {
		*why = "organisation code check digit (character 17) does not match";
		return false;
	}
	if (uscc_check_char(code) != code[17]) {
		*why = "check character (character 18) does not match";
		return false;
	}
	return true;
}
