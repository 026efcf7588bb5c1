/* b64: base64url without padding (RFC 4648 §5), for tokens and list cursors. */
#ifndef TB_LIB_B64_H
#define TB_LIB_B64_H

#include <stdbool.h>
#include <stddef.h>

/* Encode n bytes into out, which needs b64_encoded_len(n) + 1 bytes; NUL-terminated. */
void b64url_encode(const void *in, size_t n, char *out);
size_t b64url_encoded_len(size_t n);
/* Decode NUL-terminated s into out (capacity cap); false if invalid or too long. */
bool b64url_decode(const char *s, unsigned char *out, size_t cap, size_t *outlen);

#endif
