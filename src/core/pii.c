/* pii: masking of personal data in text (core/pii.h). */
#include "core/pii.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* strchr finds the terminator too: the NUL must not count as part of an address */
static bool email_local(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       (c && strchr("._%+-", c));
}

/* Length of the number at s (digits, single '-' or ' ' between them, a final X). */
static size_t number_len(const char *s, int *digits)
{
	size_t i = 0, end = 0;
	*digits = 0;
	while (is_digit(s[i])) {
		++*digits;
		end = ++i;
		if ((s[i] == '-' || s[i] == ' ') && is_digit(s[i + 1]))
			i++;
	}
	if (end && (s[end] == 'X' || s[end] == 'x') && !email_local(s[end + 1])) {
		++*digits;
		end++;
	}
	return end;
}

void pii_mask(const char *s, struct buf *out)
{
	const char *at_done = s; /* e-mail local parts are masked up to here */
	for (size_t i = 0; s[i];) {
		/* an e-mail address: the local part ends at an '@' further on */
		if (email_local(s[i]) && (i == 0 || !email_local(s[i - 1])) && s + i >= at_done) {
			size_t j = i;
			while (email_local(s[j]))
				j++;
			if (s[j] == '@' && j > i) {
				buf_putc(out, s[i]);
				buf_puts(out, "***");
				i = j;
				at_done = s + j;
				continue;
			}
		}
		int digits;
		size_t n = is_digit(s[i]) && (i == 0 || !is_digit(s[i - 1]))
		                   ? number_len(s + i, &digits)
		                   : 0;
		if (n && digits >= 7) {
			int seen = 0;
			for (size_t k = 0; k < n; k++) {
				char c = s[i + k];
				bool digit = is_digit(c) || c == 'X' || c == 'x';
				if (digit)
					seen++;
				buf_putc(out, digit && seen > 3 && seen <= digits - 4 ? '*' : c);
			}
			i += n;
			continue;
		}
		/* copy up to the next character that may start something to mask */
		size_t j = i + 1;
		while (s[j] && !is_digit(s[j]) && !(email_local(s[j]) && !email_local(s[j - 1])))
			j++;
		buf_append(out, s + i, j - i);
		i = j;
	}
}

bool pii_key(const char *name)
{
	static const char *const keys[] = {"email",     "contact", "phone", "mobile",
	                                   "id_number", "to_addr", NULL};
	for (int i = 0; keys[i]; i++)
		if (!strcmp(keys[i], name))
			return true;
	return false;
}
