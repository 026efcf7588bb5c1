/*
 * audit_sign: what the audit log's signatures cover, and the key file format.
 * Pure: no I/O, no clock (libsodium's Ed25519 is deterministic).
 *
 * A key file is text, one item per line, '#' starting a comment:
 *
 *   public ed25519:<64 hex digits: the 32-byte public key>
 *   secret ed25519:<128 hex digits: libsodium's 64-byte secret key>
 *
 * The signing key file has one public and one secret line (the public line
 * must be the secret's own); a public key file (what verifiers need) has
 * one or more public lines and no secret, so several keys can be trusted
 * after a rotation. A key's id is the first 16 hex digits of SHA-256 of its
 * 32 public bytes.
 *
 * Signed texts (Ed25519, detached, stored as 128 hex digits):
 *
 *   record:     "techbridge-audit-record v1\n" seq "\n" hash "\n"
 *   checkpoint: "techbridge-audit-checkpoint v1\n" "seq " seq "\n" "head " hash "\n"
 *               "at " instant "\n" "key " key-id "\n"
 *
 * seq in decimal, hash the record's 64 hex-digit chain hash (core/audit.h),
 * instant RFC 3339 UTC as stored.
 */
#ifndef TB_CORE_AUDIT_SIGN_H
#define TB_CORE_AUDIT_SIGN_H

#include "lib/buf.h"
#include "lib/limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	AUDIT_PK_BYTES = 32,
	AUDIT_SK_BYTES = 64,
	AUDIT_SIG_HEX = 129,   /* 128 hex digits + NUL */
	AUDIT_KEY_ID_HEX = 17, /* 16 hex digits + NUL */
	AUDIT_KEYS_MAX = LIMIT_AUDIT_KEYS,
	AUDIT_KEYFILE_MAX = LIMIT_AUDIT_KEYFILE_BYTES,
};

/* The keys of a process: an optional signing key and the trusted public keys. */
struct audit_keys {
	bool can_sign; /* sk is set; pub[0] is its public key */
	unsigned char sk[AUDIT_SK_BYTES];
	int npub;
	unsigned char pub[AUDIT_KEYS_MAX][AUDIT_PK_BYTES];
	char id[AUDIT_KEYS_MAX][AUDIT_KEY_ID_HEX];
};

/* A checkpoint as stored: the first `seq` records have chain head `head`. */
struct audit_checkpoint {
	int64_t id;
	int64_t seq;
	const char *head;
	const char *at;
	const char *key_id;
	const char *sig;
};

/*
 * Add the keys of key-file text to k (k zeroed by the caller before the
 * first file). With want_secret the text must hold exactly one secret key
 * and its public line. False with a reason in msg on any malformed line.
 */
bool audit_keys_parse(const char *text, bool want_secret, struct audit_keys *k, char *msg,
                      size_t msgn);
/* Key-file text for a key pair; the public line only when sk is NULL. */
void audit_keys_format(const unsigned char pk[AUDIT_PK_BYTES],
                       const unsigned char sk[AUDIT_SK_BYTES], struct buf *out);
void audit_key_id(const unsigned char pk[AUDIT_PK_BYTES], char out[AUDIT_KEY_ID_HEX]);

/* Sign record `seq` with chain hash `hash` (requires k->can_sign). */
void audit_record_sign(const struct audit_keys *k, int64_t seq, const char *hash,
                       char sig[AUDIT_SIG_HEX]);
/* Whether sig is a signature of (seq, hash) by any trusted key. */
bool audit_record_check(const struct audit_keys *k, int64_t seq, const char *hash, const char *sig);

/* The exact bytes a checkpoint's signature covers. */
void audit_checkpoint_text(const struct audit_checkpoint *c, struct buf *out);
/* Sign c (its key_id must be k->id[0]; requires k->can_sign). */
void audit_checkpoint_sign(const struct audit_keys *k, const struct audit_checkpoint *c,
                           char sig[AUDIT_SIG_HEX]);
/* 1: signed by the trusted key c->key_id names; 0: bad signature; -1: key not trusted. */
int audit_checkpoint_check(const struct audit_keys *k, const struct audit_checkpoint *c);

#endif
