/*
 * app_totp: two-factor sign-in with time-based one-time passwords (TOTP,
 * RFC 6238: 6 digits, 30-second steps, SHA-1, as authenticator apps use),
 * computed with liboath. A user enrolls (a new secret, shown once with its
 * otpauth:// URI), confirms with a code, and from then on signs in with a
 * code; disabling takes a code too. The secret is never returned again: no
 * read of a user includes it. Each code is accepted once (the last step
 * used is stored).
 */
#ifndef TB_APP_APP_TOTP_H
#define TB_APP_APP_TOTP_H

#include "app/app.h"

/*
 * Is otp the code of secret (base32) at `now`, one step either side, for a
 * step after last_step? *step: the step it matched.
 */
bool totp_check(const char *secret, const char *otp, int64_t now, int64_t last_step, int64_t *step);

/*
 * Start enrolling user_id (the caller; the CLI for anyone): a new secret,
 * not yet in force. ERR_CONFLICT when two-factor sign-in is already on.
 */
enum err app_totp_enroll(struct app_ctx *ctx, int64_t user_id, const char **secret,
                         const char **uri);
/* Turn it on with a code of the new secret (the caller's own). */
enum err app_totp_confirm(struct app_ctx *ctx, const char *otp);
/*
 * Turn it off: the caller with a current code, or (otp NULL) an
 * administrator allowed ACT_SECURITY_MANAGE for another user (a lost phone).
 */
enum err app_totp_disable(struct app_ctx *ctx, int64_t user_id, const char *otp);

#endif
