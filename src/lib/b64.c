/* b64: base64url. */
#include "b64.h"

#include <string.h>

static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Unpadded: a final group of 1 or 2 bytes takes 2 or 3 characters */
size_t b64url_encoded_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

void b64url_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = alpha[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = alpha[v & 63];
	}
	out[o] = '\0';
}

/*
 * A length of 4k+1 cannot come from any input. The unused low bits of a final
 * partial group are ignored, not required to be zero.
 */
bool b64url_decode(const char *s, unsigned char *out, size_t cap, size_t *outlen)
{
	size_t n = strlen(s), o = 0;
	if (n % 4 == 1)
		return false;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		const char *c = strchr(alpha, s[i]);
		if (!c || !s[i])
			return false;
		acc = (acc << 6) | (unsigned)(c - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return false;
			out[o++] = (unsigned char)(acc >> bits & 0xFF);
		}
	}
	*outlen = o;
	return true;
}
