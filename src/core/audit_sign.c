/* audit_sign: Ed25519 signatures of audit records and checkpoints (libsodium). */
#include "core/audit_sign.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void audit_key_id(const unsigned char pk[AUDIT_PK_BYTES], char out[AUDIT_KEY_ID_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, pk, AUDIT_PK_BYTES);
	sodium_bin2hex(out, AUDIT_KEY_ID_HEX, h, 8);
}

/* Exactly 2*n hex digits into bin[n]. */
static bool hex_exact(const char *s, size_t len, unsigned char *bin, size_t n)
{
	size_t got = 0;
	if (len != 2 * n)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return sodium_hex2bin(bin, n, s, len, NULL, &got, NULL) == 0 && got == n;
}

static bool add_public(struct audit_keys *k, const unsigned char pk[AUDIT_PK_BYTES])
{
	for (int i = 0; i < k->npub; i++)
		if (!memcmp(k->pub[i], pk, AUDIT_PK_BYTES))
			return true;
	if (k->npub >= AUDIT_KEYS_MAX)
		return false;
	memcpy(k->pub[k->npub], pk, AUDIT_PK_BYTES);
	audit_key_id(pk, k->id[k->npub]);
	k->npub++;
	return true;
}

bool audit_keys_parse(const char *text, bool want_secret, struct audit_keys *k, char *msg,
                      size_t msgn)
{
	static const char pfx[] = "ed25519:";
	unsigned char pk[AUDIT_PK_BYTES], sk[AUDIT_SK_BYTES];
	bool have_pk = false, have_sk = false;
	int line = 0;
	msg[0] = '\0';
	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		line++;
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		const char *word = p;
		p = end ? end + 1 : p + strlen(p);
		if (!n || word[0] == '#')
			continue;
		bool is_pub = n > 7 && !strncmp(word, "public ", 7);
		bool is_sec = n > 7 && !strncmp(word, "secret ", 7);
		const char *val = word + 7;
		size_t vn = n - 7;
		if ((!is_pub && !is_sec) || vn < sizeof pfx - 1 ||
		    strncmp(val, pfx, sizeof pfx - 1)) {
			snprintf(msg, msgn,
			         "line %d: expected 'public ed25519:HEX' or 'secret ed25519:HEX'",
			         line);
			return false;
		}
		val += sizeof pfx - 1;
		vn -= sizeof pfx - 1;
		if (is_pub) {
			if (!hex_exact(val, vn, pk, sizeof pk)) {
				snprintf(msg, msgn, "line %d: a public key is 64 hex digits", line);
				return false;
			}
			if (want_secret && have_pk) {
				snprintf(msg, msgn,
				         "line %d: a signing key file has one public key", line);
				return false;
			}
			if (!want_secret && !add_public(k, pk)) {
				snprintf(msg, msgn, "line %d: more than %d public keys", line,
				         AUDIT_KEYS_MAX);
				return false;
			}
			have_pk = true;
		} else {
			if (!want_secret)
				continue; /* a signing key file also serves as a public key file */
			if (have_sk || !hex_exact(val, vn, sk, sizeof sk)) {
				snprintf(msg, msgn, "line %d: one secret key of 128 hex digits",
				         line);
				sodium_memzero(sk, sizeof sk);
				return false;
			}
			have_sk = true;
		}
	}
	if (!have_pk) {
		snprintf(msg, msgn, "no 'public ed25519:' line");
		return false;
	}
	if (!want_secret)
		return true;
	unsigned char own[AUDIT_PK_BYTES];
	bool ok = have_sk && crypto_sign_ed25519_sk_to_pk(own, sk) == 0 &&
	          !memcmp(own, pk, sizeof pk);
	if (ok) {
		/* the secret key must really be the one whose public half it carries */
		unsigned char seed[crypto_sign_SEEDBYTES], pk2[AUDIT_PK_BYTES], sk2[AUDIT_SK_BYTES];
		crypto_sign_ed25519_sk_to_seed(seed, sk);
		crypto_sign_seed_keypair(pk2, sk2, seed);
		ok = !memcmp(pk2, pk, sizeof pk) && !memcmp(sk2, sk, sizeof sk);
		sodium_memzero(seed, sizeof seed);
		sodium_memzero(sk2, sizeof sk2);
	}
	if (!ok) {
		snprintf(msg, msgn,
		         have_sk ? "the secret key does not match the public key"
		                 : "no 'secret ed25519:' line");
		sodium_memzero(sk, sizeof sk);
		return false;
	}
	if (k->npub) { /* the signing key is read first: checkpoints name pub[0] */
		snprintf(msg, msgn, "the signing key must be loaded before other public keys");
		sodium_memzero(sk, sizeof sk);
		return false;
	}
	memcpy(k->sk, sk, sizeof sk);
	sodium_memzero(sk, sizeof sk);
	k->can_sign = true;
	add_public(k, pk);
	return true;
}

void audit_keys_format(const unsigned char pk[AUDIT_PK_BYTES],
                       const unsigned char sk[AUDIT_SK_BYTES], struct buf *out)
{
	char hex[2 * AUDIT_SK_BYTES + 1], id[AUDIT_KEY_ID_HEX];
	audit_key_id(pk, id);
	buf_printf(out, "# techbridge audit %s key %s (Ed25519)\n", sk ? "signing" : "public", id);
	if (sk)
		buf_puts(out, "# keep this file secret; verifiers need only the public line\n");
	sodium_bin2hex(hex, sizeof hex, pk, AUDIT_PK_BYTES);
	buf_printf(out, "public ed25519:%s\n", hex);
	if (sk) {
		sodium_bin2hex(hex, sizeof hex, sk, AUDIT_SK_BYTES);
		buf_printf(out, "secret ed25519:%s\n", hex);
	}
	sodium_memzero(hex, sizeof hex);
}

static void sign_text(const struct audit_keys *k, const char *text, size_t n,
                      char sig[AUDIT_SIG_HEX])
{
	unsigned char s[crypto_sign_BYTES];
	crypto_sign_detached(s, NULL, (const unsigned char *)text, n, k->sk);
	sodium_bin2hex(sig, AUDIT_SIG_HEX, s, sizeof s);
}

/* Whether sig (hex) verifies over text with public key i. */
static bool check_text(const struct audit_keys *k, int i, const char *text, size_t n,
                       const char *sig)
{
	unsigned char s[crypto_sign_BYTES];
	if (!sig || !hex_exact(sig, strlen(sig), s, sizeof s))
		return false;
	return crypto_sign_verify_detached(s, (const unsigned char *)text, n, k->pub[i]) == 0;
}

static int record_text(int64_t seq, const char *hash, char *out, size_t n)
{
	return snprintf(out, n, "techbridge-audit-record v1\n%lld\n%s\n", (long long)seq,
	                hash ? hash : "");
}

void audit_record_sign(const struct audit_keys *k, int64_t seq, const char *hash,
                       char sig[AUDIT_SIG_HEX])
{
	char t[160];
	int n = record_text(seq, hash, t, sizeof t);
	sign_text(k, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1, sig);
}

bool audit_record_check(const struct audit_keys *k, int64_t seq, const char *hash, const char *sig)
{
	char t[160];
	int n = record_text(seq, hash, t, sizeof t);
	size_t len = (size_t)n < sizeof t ? (size_t)n : sizeof t - 1;
	for (int i = 0; i < k->npub; i++)
		if (check_text(k, i, t, len, sig))
			return true;
	return false;
}

void audit_checkpoint_text(const struct audit_checkpoint *c, struct buf *out)
{
	buf_printf(out, "techbridge-audit-checkpoint v1\nseq %lld\nhead %s\nat %s\nkey %s\n",
	           (long long)c->seq, c->head ? c->head : "", c->at ? c->at : "",
	           c->key_id ? c->key_id : "");
}

void audit_checkpoint_sign(const struct audit_keys *k, const struct audit_checkpoint *c,
                           char sig[AUDIT_SIG_HEX])
{
	struct buf b = BUF_INIT;
	audit_checkpoint_text(c, &b);
	sign_text(k, buf_str(&b), b.len, sig);
	buf_free(&b);
}

int audit_checkpoint_check(const struct audit_keys *k, const struct audit_checkpoint *c)
{
	for (int i = 0; i < k->npub; i++) {
		if (!c->key_id || strcmp(c->key_id, k->id[i]))
			continue;
		struct buf b = BUF_INIT;
		audit_checkpoint_text(c, &b);
		bool ok = check_text(k, i, buf_str(&b), b.len, c->sig);
		buf_free(&b);
		return ok ? 1 : 0;
	}
	return -1;
}
