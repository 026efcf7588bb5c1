/*
 * app_account: users, role grants, sign-in sessions and API tokens.
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str); tokens
 * are 256 random bits shown once, stored as their SHA-256. Failed sign-ins
 * slow down each (username, address) pair with growing delays
 * (LIMIT_SIGNIN_*), never lock an account, and are all audited.
 */
#ifndef TB_APP_APP_ACCOUNT_H
#define TB_APP_APP_ACCOUNT_H

#include "app/app.h"
#include "core/account.h"
#include "core/org.h"

/* SHA-256 hex of a token secret. */
void app_token_hash(const char *token, char out[TOKEN_HASH_HEX]);

/*
 * Sign in: a new session token for username/password (and the TOTP code
 * `otp` when the user or a role needs one). In three steps so the server can
 * verify the password off its request workers:
 *   app_login_start   checks the input and the pair's delay (counting the
 *                     attempt), loads the user: ERR_RATE_LIMITED with code
 *                     signin_delayed and err.retry_after while it must wait;
 *   app_login_verify  the argon2id verification, on any thread (no ctx);
 *   app_login_finish  the second factor, the session, the audit record; frees
 *                     the job. 401 codes: signin_failed, otp_required,
 *                     otp_invalid, otp_enrollment_required.
 * app_login does all three in the calling thread (CLI, tests).
 */
struct login_job;
enum err app_login_start(struct app_ctx *ctx, const char *username, const char *password,
                         const char *otp, struct login_job **job);
void app_login_verify(void *job);
enum err app_login_finish(struct app_ctx *ctx, struct login_job *job, struct token_info *tok,
                          struct user *user);
void app_login_job_free(struct login_job *job);
enum err app_login(struct app_ctx *ctx, const char *username, const char *password, const char *otp,
                   struct token_info *tok, struct user *user);
/* Sign out: revoke the session token the request came with. */
enum err app_logout(struct app_ctx *ctx, const char *token);
/* Sign out everywhere: revoke every session of the caller (API tokens stay). */
enum err app_logout_all(struct app_ctx *ctx);

enum err app_user_get(struct app_ctx *ctx, int64_t id, struct user *out);
/* out->items is a struct user array (with grants). */
enum err app_user_list(struct app_ctx *ctx, const char *q, const struct page_req *pr,
                       struct page *out);
enum err app_user_create(struct app_ctx *ctx, const struct field_val vals[USER__NFIELDS],
                         struct user *out);
enum err app_user_update(struct app_ctx *ctx, int64_t id, int64_t version,
                         const struct field_val vals[USER__NFIELDS], struct user *out);
enum err app_user_delete(struct app_ctx *ctx, int64_t id, int64_t version);
/*
 * Set a password: the user for themself (with the old one) or an admin (old
 * may be NULL). Common passwords are refused (422, code password_common).
 * Every session and API token of the user is revoked, except the session of
 * a user changing their own password.
 */
enum err app_user_set_password(struct app_ctx *ctx, int64_t id, const char *old_password,
                               const char *new_password);
/* A user by login name (CLI). */
enum err app_user_find(struct app_ctx *ctx, const char *username, int64_t *id);

enum err app_grant_add(struct app_ctx *ctx, int64_t user_id,
                       const struct field_val vals[GRANT__NFIELDS], struct grant *out);
enum err app_grant_remove(struct app_ctx *ctx, int64_t user_id, int64_t grant_id);

/* The caller's API tokens (out->items: struct token_info). */
enum err app_token_list(struct app_ctx *ctx, struct page *out);
/*
 * A new API token for user_id (the caller's own, or any user's for an
 * administrator); expires_on may be NULL (no expiry).
 */
enum err app_token_create(struct app_ctx *ctx, int64_t user_id, const char *name,
                          const char *expires_on, struct token_info *out);
enum err app_token_revoke(struct app_ctx *ctx, int64_t id);

/* Membership is a grant: adding and removing members live with the grants (app_account.c). */
/* Grant `role` ("org_admin" or "org_member") of org_id to user_id. */
enum err app_org_member_add(struct app_ctx *ctx, int64_t org_id, int64_t user_id, const char *role,
                            struct org_member *out);
enum err app_org_member_remove(struct app_ctx *ctx, int64_t org_id, int64_t grant_id);

#endif
