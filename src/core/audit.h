/*
 * audit: the hash chain of the audit log. Each record's hash is SHA-256
 * (hex) over its fields and the previous record's hash, each field framed by
 * its length so no two different records hash alike. Pure.
 */
#ifndef TB_CORE_AUDIT_H
#define TB_CORE_AUDIT_H

#include <stdint.h>

enum { AUDIT_HASH_HEX = 65 };

struct audit_record {
	int64_t seq;
	const char *at;
	int64_t actor_id; /* 0 = none */
	const char *actor;
	const char *action;
	const char *entity;
	const char *entity_id;
	const char *before; /* JSON or NULL */
	const char *after;  /* JSON or NULL */
	const char *request_id;
	const char *prev_hash;
};

/* The chain hash of `r` into out (64 hex digits + NUL). */
void audit_hash(const struct audit_record *r, char out[AUDIT_HASH_HEX]);

/* The hash before the first record: 64 zeros. */
extern const char audit_genesis[AUDIT_HASH_HEX];

#endif
