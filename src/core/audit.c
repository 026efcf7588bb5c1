/* audit: chain hashing with libsodium's SHA-256. */
#include "core/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char audit_genesis[AUDIT_HASH_HEX] =
        "0000000000000000000000000000000000000000000000000000000000000000";

/*
 * Frame a field as "<len>:<bytes>;" with "-;" for NULL. Length-prefixed so that moving bytes
 * between adjacent fields ("ab","c" vs "a","bc") changes the hash, and NULL differs from "".
 */
static void put(crypto_hash_sha256_state *st, const char *s)
{
	char len[24];
	if (!s) {
		crypto_hash_sha256_update(st, (const unsigned char *)"-;", 2);
		return;
	}
	size_t n = strlen(s);
	int k = snprintf(len, sizeof len, "%zu:", n);
	crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)k);
	crypto_hash_sha256_update(st, (const unsigned char *)s, n);
	crypto_hash_sha256_update(st, (const unsigned char *)";", 1);
}

/*
 * Every field of the record, in a fixed order, and the previous record's hash: changing,
 * removing or reordering a stored record breaks the chain from there on. The order and
 * framing are part of the stored data: changing them invalidates every existing chain.
 */
void audit_hash(const struct audit_record *r, char out[AUDIT_HASH_HEX])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char num[24];
	crypto_hash_sha256_init(&st);
	snprintf(num, sizeof num, "%lld", (long long)r->seq);
	put(&st, num);
	put(&st, r->at);
	snprintf(num, sizeof num, "%lld", (long long)r->actor_id);
	put(&st, num);
	put(&st, r->actor);
	put(&st, r->action);
	put(&st, r->entity);
	put(&st, r->entity_id);
	put(&st, r->before);
	put(&st, r->after);
	put(&st, r->request_id);
	put(&st, r->prev_hash);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, AUDIT_HASH_HEX, h, sizeof h);
}
