/*
 * app_audit: reading and verifying the hash-chained audit log, its signing
 * keys and its signed checkpoints. Writing a record is app_audit() in
 * app_tx.h, called inside each use case's transaction (it signs the record
 * when the process has a signing key).
 */
#ifndef TB_APP_APP_AUDIT_H
#define TB_APP_APP_AUDIT_H

#include "app/app.h"
#include "core/audit.h"
#include "core/audit_sign.h"
#include "lib/buf.h"
#include "lib/date.h"

struct audit_filter {
	const char *entity;
	const char *entity_id;
	const char *actor;
};

/* An audit record as stored, with its hash and signature (NULL: unsigned). */
struct audit_entry {
	struct audit_record r;
	const char *hash;
	const char *sig;
};

/* Newest first; out->items: struct audit_entry. Administrators only. */
enum err app_audit_list(struct app_ctx *ctx, const struct audit_filter *f,
                        const struct page_req *pr, struct page *out);

enum audit_state {
	AUDIT_INTACT,     /* chain holds and ends at or after a valid checkpoint */
	AUDIT_BROKEN,     /* a record or a checkpoint is wrong: see broken_at, bad_checkpoint */
	AUDIT_UNANCHORED, /* chain holds but no signed checkpoint covers it */
	AUDIT_NO_KEY,     /* chain holds; no public key to check signatures and checkpoints */
};

struct audit_verdict {
	enum audit_state state;
	int64_t checked;        /* records read */
	int64_t broken_at;      /* seq of the first bad record, 0 if none is named */
	int64_t bad_checkpoint; /* id of a forged or unmatched checkpoint, 0 if none */
	char reason[320];
	int64_t signed_records; /* records whose signature verified */
	int64_t checkpoints;    /* checkpoints whose signature verified */
	/* the latest valid checkpoint (anchor_id 0: none) and the records after it */
	int64_t anchor_id, anchor_seq, after;
	char anchor_at[INSTANT_STR];
	char anchor_key[AUDIT_KEY_ID_HEX];
	int64_t external; /* checkpoints from an export that matched (app_audit_verify_external) */
};

/*
 * Recompute the chain from the first record: each record's sequence, link,
 * hash and (with a public key) signature; then every checkpoint: its
 * signature by a trusted key and the chain's hash at its sequence. Names the
 * first bad record where it can (records signed at write time pin it down
 * exactly), a truncated tail, a forged checkpoint. `progress` (may be NULL)
 * is called every 100,000 records.
 */
enum err app_audit_verify(struct app_ctx *ctx, struct audit_verdict *v,
                          void (*progress)(int64_t done, void *arg), void *arg);

/*
 * Check one checkpoint kept outside the database (a line of `audit checkpoint
 * export`, `where` naming it in messages) against the chain that
 * app_audit_verify found holding: its signature, and the chain's hash at its
 * seq. One that matches anchors the chain even when the database lost its
 * checkpoints; one beyond the log means records were removed since (a
 * rollback, with the newer checkpoints deleted). Updates v.
 */
enum err app_audit_verify_external(struct app_ctx *ctx, const struct audit_checkpoint *c,
                                   const char *where, struct audit_verdict *v);

/*
 * Load the process's audit keys: `key_file` (may be NULL) is a signing key
 * file, refused when others can read it; `pub_file` (may be NULL) adds
 * trusted public keys. Sets app->audit_keys.
 */
enum err app_audit_keys_load(struct app *app, const char *key_file, const char *pub_file,
                             struct err_detail *d);
/* Write a new signing key to `path` (mode 0600) and its public key to path.pub; never
 * overwrites. key_id receives the new key's id. */
enum err app_audit_keygen(const char *path, char key_id[AUDIT_KEY_ID_HEX], struct err_detail *d);
/* Whether the process can sign checkpoints. */
bool app_audit_can_sign(const struct app *app);

struct audit_cp_result {
	bool written; /* false: nothing new since the latest checkpoint (only_if_new) */
	int64_t seq;
	char head[AUDIT_HASH_HEX];
	char key_id[AUDIT_KEY_ID_HEX];
};

/*
 * Sign a checkpoint of the chain as it is now. The records since the latest
 * checkpoint are verified first (and that checkpoint against the chain), so
 * a tampered chain is never signed: ERR_CONFLICT naming the record then.
 * ERR_USAGE without a signing key. With only_if_new nothing is written when
 * the latest checkpoint already covers every record.
 */
enum err app_audit_checkpoint(struct app_ctx *ctx, bool only_if_new, struct audit_cp_result *out);

/*
 * A thread that signs a checkpoint every `seconds` while there were writes,
 * and once more when stopped; `report` (may be NULL) gets one line per
 * checkpoint written or failure. NULL when the app cannot sign.
 */
struct audit_ticker;
struct audit_ticker *app_audit_ticker_start(struct app *app, int seconds,
                                            void (*report)(const char *line));
void app_audit_ticker_stop(struct audit_ticker *t);

/* Every checkpoint in the order written, to fn (strings valid during the call). */
enum err app_audit_checkpoints_each(struct app_ctx *ctx,
                                    void (*fn)(const struct audit_checkpoint *c, void *arg),
                                    void *arg);
/* Every record with from <= at < to (instants), in order, to fn. Administrators only. */
enum err app_audit_range(struct app_ctx *ctx, const char *from, const char *to,
                         void (*fn)(const struct audit_entry *a, void *arg), void *arg);

void audit_checkpoint_to_json(const struct audit_checkpoint *c, struct buf *out);
/* The API's form plus prev_hash and sig: what an auditor needs to recompute the chain. */
void audit_entry_export_json(const struct audit_entry *a, struct buf *out);

void audit_entry_to_json(const struct audit_entry *a, struct buf *out);

#endif
