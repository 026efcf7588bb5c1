/*
 * seal: authenticated encryption of short text values for storage, with a
 * key kept outside the database (docs/SECURITY.md, "Personal data").
 *
 * A sealed value is a versioned text envelope:
 *
 *   enc:v1:<base64 (standard, padded) of nonce (24 bytes) || ciphertext || tag (16)>
 *
 * XChaCha20-Poly1305 (libsodium crypto_aead_xchacha20poly1305_ietf) with a
 * random nonce per value; the associated data is a label naming where the
 * value belongs (e.g. "users.email"), so a value copied into another column
 * does not open there.
 *
 * A key file is text, '#' starting a comment:
 *
 *   secret xchacha20poly1305:<64 hex digits: the 32-byte key>
 *
 * Its id is the first 16 hex digits of SHA-256 of the key.
 */
#ifndef TB_LIB_SEAL_H
#define TB_LIB_SEAL_H

#include "lib/arena.h"
#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum {
	SEAL_KEY_BYTES = 32,
	SEAL_KEY_ID_HEX = 17, /* 16 hex digits + NUL */
	SEAL_KEYFILE_MAX = 4096,
};

#define SEAL_PREFIX "enc:v1:"

struct seal_key {
	unsigned char k[SEAL_KEY_BYTES];
	char id[SEAL_KEY_ID_HEX];
};

/* Parse key-file text; false with a reason in msg. */
bool seal_key_parse(const char *text, struct seal_key *key, char *msg, size_t msgn);
/* A new random key and its key-file text. */
void seal_key_generate(struct seal_key *key, struct buf *text);

/* Whether s is an envelope (of any version this build knows or not). */
bool seal_is_envelope(const char *s);
/* The envelope of plain under label, in the arena. */
const char *seal_text(const struct seal_key *key, const char *label, const char *plain,
                      struct arena *a);
/* The plain text of an envelope, in the arena; NULL if it does not open (key, label, damage). */
const char *seal_open(const struct seal_key *key, const char *label, const char *env,
                      struct arena *a);

#endif
