/*
 * app_pii: personal data at rest and on display (docs/SECURITY.md,
 * "Personal data"). E-mail addresses, telephone numbers and identity numbers
 * (users.email, the contact of listings, applications and objections, the
 * outbox's recipients, stored Idempotency-Key responses) are stored as
 * envelopes (lib/seal.h) when the process has a data key, which is kept
 * outside the database (--data-key FILE, TECHBRIDGE_DATA_KEY). Without a key
 * they are stored as given (demo, tests) and the server says so when it
 * starts. Audit images hold them masked (core/pii.h); API answers show them
 * whole only to those who need them (each use case decides, documented).
 */
#ifndef TB_APP_APP_PII_H
#define TB_APP_APP_PII_H

#include "app/app.h"
#include "lib/seal.h"

/* Where a value belongs: the associated data of its envelope. */
#define PII_USER_EMAIL          "users.email" /* also the outbox's to_addr, a copy of it */
#define PII_LISTING_CONTACT     "listings.contact"
#define PII_APPLICATION_CONTACT "applications.contact"
#define PII_OBJECTION_CONTACT   "objections.contact"
#define PII_IDEM_BODY           "idempotency_keys.body"
#define PII_TOTP_SECRET         "users.totp_secret" /* a second factor's shared secret */

/* Load the data key file (refused if others can read it); NULL file: no key. */
enum err app_data_key_load(struct app *app, const char *file, struct err_detail *d);
void app_data_key_free(struct app *app);
/* The loaded key's id, or NULL when there is none. */
const char *app_data_key_id(const struct app *app);
/* Write a new data key to path (mode 0600; never overwrites); its id in key_id. */
enum err app_data_keygen(const char *path, char key_id[SEAL_KEY_ID_HEX], struct err_detail *d);

/* What `techbridge data encrypt` did. */
struct data_encrypt_stats {
	long encrypted; /* plaintext values now stored as envelopes */
	long already;   /* values that were envelopes already */
};
/*
 * Encrypt every personal value still stored in plaintext, in one
 * transaction with one audit record (administrators; needs a data key).
 * Running it again changes nothing.
 */
enum err app_data_encrypt(struct app_ctx *ctx, struct data_encrypt_stats *st);

/* The value to store: an envelope with a key, else as given (NULL stays NULL). */
const char *app_pii_seal(struct app_ctx *ctx, const char *label, const char *plain);
/*
 * The stored value as text, in the arena: an envelope opened (one that does not
 * open, or any envelope without a key, reads "[encrypted]"), plaintext as is.
 */
const char *app_pii_open(struct app_ctx *ctx, const char *label, const char *stored);
/* The value masked (core/pii.h), in the arena (NULL stays NULL). */
const char *app_pii_mask(struct app_ctx *ctx, const char *plain);
/*
 * A JSON image with every personal member (core/pii.h pii_key) that is not an
 * envelope masked: what audit records hold. The text itself when nothing changes.
 */
const char *app_pii_image(struct app_ctx *ctx, const char *json);

#endif
