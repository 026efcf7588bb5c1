/*
 * app_audit: reading and verifying the hash-chained audit log. Writing is
 * app_audit() in app_tx.h, called inside each use case's transaction.
 */
#ifndef TB_APP_APP_AUDIT_H
#define TB_APP_APP_AUDIT_H

#include "app/app.h"
#include "core/audit.h"
#include "lib/buf.h"

struct audit_filter {
	const char *entity;
	const char *entity_id;
	const char *actor;
};

/* An audit record as stored, with its hash. */
struct audit_entry {
	struct audit_record r;
	const char *hash;
};

/* Newest first; out->items: struct audit_entry. Administrators only. */
enum err app_audit_list(struct app_ctx *ctx, const struct audit_filter *f,
                        const struct page_req *pr, struct page *out);

struct audit_verdict {
	int64_t checked;   /* records read */
	int64_t broken_at; /* seq of the first bad record, 0 if the chain holds */
	char reason[160];
};

/*
 * Recompute the chain from the first record. Reports the first record whose
 * hash, link or sequence is wrong, or a head that does not match the tip.
 * `progress` (may be NULL) is called every 100,000 records.
 */
enum err app_audit_verify(struct app_ctx *ctx, struct audit_verdict *v,
                          void (*progress)(int64_t done, void *arg), void *arg);

void audit_entry_to_json(const struct audit_entry *a, struct buf *out);

#endif
