/* seal: envelopes of text values under XChaCha20-Poly1305 (lib/seal.h). */
#include "lib/seal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum {
	NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	TAG = crypto_aead_xchacha20poly1305_ietf_ABYTES,
	B64 = sodium_base64_VARIANT_ORIGINAL,
};

static void key_id(struct seal_key *key)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, key->k, sizeof key->k);
	sodium_bin2hex(key->id, sizeof key->id, h, (SEAL_KEY_ID_HEX - 1) / 2);
}

bool seal_key_parse(const char *text, struct seal_key *key, char *msg, size_t msgn)
{
	static const char tag[] = "secret xchacha20poly1305:";
	bool found = false;
	memset(key, 0, sizeof *key);
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *next = line + len + (line[len] == '\n');
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (len && line[0] != '#') {
			size_t bin = 0;
			if (found || len != sizeof tag - 1 + 2 * SEAL_KEY_BYTES ||
			    strncmp(line, tag, sizeof tag - 1) ||
			    sodium_hex2bin(key->k, sizeof key->k, line + sizeof tag - 1,
			                   2 * SEAL_KEY_BYTES, NULL, &bin, NULL) ||
			    bin != SEAL_KEY_BYTES) {
				snprintf(msg, msgn,
				         found ? "more than one key"
				               : "not a data key line (\"secret "
				                 "xchacha20poly1305:<64 hex "
				                 "digits>\")");
				sodium_memzero(key, sizeof *key);
				return false;
			}
			found = true;
		}
		line = next;
	}
	if (!found) {
		snprintf(msg, msgn, "no key in the file");
		return false;
	}
	key_id(key);
	return true;
}

void seal_key_generate(struct seal_key *key, struct buf *text)
{
	crypto_aead_xchacha20poly1305_ietf_keygen(key->k);
	key_id(key);
	char hex[2 * SEAL_KEY_BYTES + 1];
	sodium_bin2hex(hex, sizeof hex, key->k, sizeof key->k);
	buf_printf(text,
	           "# techbridge data key %s (XChaCha20-Poly1305): keep it outside the "
	           "database and back it up; without it the encrypted values are lost\n"
	           "secret xchacha20poly1305:%s\n",
	           key->id, hex);
	sodium_memzero(hex, sizeof hex);
}

bool seal_is_envelope(const char *s)
{
	return s && !strncmp(s, "enc:", 4);
}

const char *seal_text(const struct seal_key *key, const char *label, const char *plain,
                      struct arena *a)
{
	size_t n = strlen(plain), raw_len = NONCE + n + TAG;
	unsigned char *raw = arena_alloc(a, raw_len);
	randombytes_buf(raw, NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(raw + NONCE, NULL, (const unsigned char *)plain,
	                                           n, (const unsigned char *)label, strlen(label),
	                                           NULL, raw, key->k);
	size_t b64_len = sodium_base64_ENCODED_LEN(raw_len, B64);
	char *out = arena_alloc(a, sizeof SEAL_PREFIX - 1 + b64_len);
	memcpy(out, SEAL_PREFIX, sizeof SEAL_PREFIX - 1);
	sodium_bin2base64(out + sizeof SEAL_PREFIX - 1, b64_len, raw, raw_len, B64);
	return out;
}

const char *seal_open(const struct seal_key *key, const char *label, const char *env,
                      struct arena *a)
{
	if (strncmp(env, SEAL_PREFIX, sizeof SEAL_PREFIX - 1))
		return NULL;
	const char *b64 = env + sizeof SEAL_PREFIX - 1;
	size_t b64_len = strlen(b64), raw_len = 0;
	unsigned char *raw = arena_alloc(a, b64_len + 1);
	if (sodium_base642bin(raw, b64_len + 1, b64, b64_len, NULL, &raw_len, NULL, B64) ||
	    raw_len < NONCE + TAG)
		return NULL;
	unsigned char *plain = arena_alloc(a, raw_len - NONCE - TAG + 1);
	unsigned long long n = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	            plain, &n, NULL, raw + NONCE, raw_len - NONCE, (const unsigned char *)label,
	            strlen(label), raw, key->k))
		return NULL;
	plain[n] = '\0';
	return (const char *)plain;
}
