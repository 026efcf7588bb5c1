/* app_pii: personal data encrypted at rest, masked on display and in audit (app_pii.h). */
#include "app/app_pii.h"
#include "app/app_keyfile.h"

#include "app/app_tx.h"
#include "core/pii.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum err app_data_key_load(struct app *app, const char *file, struct err_detail *d)
{
	if (!file)
		return ERR_OK;
	char text[SEAL_KEYFILE_MAX];
	enum err e = app_keyfile_read(file, "data-key", "data key", true, text, sizeof text, d);
	struct seal_key *k = e ? NULL : calloc(1, sizeof *k);
	char msg[160];
	if (!e && !k)
		e = err_set(d, ERR_INTERNAL, "", "out of memory");
	else if (!e && !seal_key_parse(text, k, msg, sizeof msg))
		e = err_set(d, ERR_INVALID, "data-key", "%s: %s", file, msg);
	sodium_memzero(text, sizeof text);
	if (e) {
		if (k)
			sodium_memzero(k, sizeof *k);
		free(k);
		return e;
	}
	app_data_key_free(app);
	app->data_key = k;
	return ERR_OK;
}

void app_data_key_free(struct app *app)
{
	if (app->data_key) {
		sodium_memzero(app->data_key, sizeof *app->data_key);
		free(app->data_key);
		app->data_key = NULL;
	}
}

const char *app_data_key_id(const struct app *app)
{
	return app->data_key ? app->data_key->id : NULL;
}

enum err app_data_keygen(const char *path, char key_id[SEAL_KEY_ID_HEX], struct err_detail *d)
{
	if (sodium_init() < 0)
		return err_set(d, ERR_INTERNAL, "", "libsodium failed to initialise");
	struct seal_key k;
	struct buf text = BUF_INIT;
	seal_key_generate(&k, &text);
	snprintf(key_id, SEAL_KEY_ID_HEX, "%s", k.id);
	sodium_memzero(&k, sizeof k);
	enum err e = app_keyfile_create(path, "a data key", 0600, &text, d);
	sodium_memzero(text.data, text.len);
	buf_free(&text);
	return e;
}

const char *app_pii_seal(struct app_ctx *ctx, const char *label, const char *plain)
{
	if (!plain || !ctx->app->data_key)
		return plain;
	return seal_text(ctx->app->data_key, label, plain, &ctx->arena);
}

const char *app_pii_open(struct app_ctx *ctx, const char *label, const char *stored)
{
	if (!stored)
		return NULL;
	if (!seal_is_envelope(stored))
		return arena_strdup(&ctx->arena, stored);
	const char *plain = ctx->app->data_key
	                            ? seal_open(ctx->app->data_key, label, stored, &ctx->arena)
	                            : NULL;
	return plain ? plain : "[encrypted]";
}

const char *app_pii_mask(struct app_ctx *ctx, const char *plain)
{
	if (!plain || seal_is_envelope(plain))
		return plain;
	struct buf b = BUF_INIT;
	pii_mask(plain, &b);
	return app_keep(ctx, &b);
}

/* Mask the personal members of j in place; whether anything changed. */
static bool mask_json(struct app_ctx *ctx, json_t *j)
{
	bool changed = false;
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v)
		{
			if (pii_key(k) && json_is_string(v) &&
			    !seal_is_envelope(json_string_value(v))) {
				const char *m = app_pii_mask(ctx, json_string_value(v));
				if (strcmp(m, json_string_value(v))) {
					json_string_set(v, m);
					changed = true;
				}
			} else {
				changed = mask_json(ctx, v) || changed;
			}
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) changed = mask_json(ctx, v) || changed;
	}
	return changed;
}

const char *app_pii_image(struct app_ctx *ctx, const char *json)
{
	if (!json || (!strstr(json, "\"email\"") && !strstr(json, "\"contact\"") &&
	              !strstr(json, "\"phone\"") && !strstr(json, "\"mobile\"") &&
	              !strstr(json, "\"id_number\"") && !strstr(json, "\"to_addr\"")))
		return json;
	json_t *j = json_loads(json, 0, NULL);
	if (!j)
		return json;
	const char *out = json;
	if (mask_json(ctx, j)) {
		char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
		if (s) {
			out = arena_strdup(&ctx->arena, s);
			free(s);
		}
	}
	json_decref(j);
	return out;
}

/* ---- the migration: plaintext values to envelopes ---- */

struct pii_column {
	const char *label;
	enum stmt plain, set, sealed;
};

static const struct pii_column columns[] = {
        {PII_USER_EMAIL, STMT_PII_USER_EMAIL_PLAIN, STMT_PII_USER_EMAIL_SET,
         STMT_PII_USER_EMAIL_SEALED},
        {PII_USER_EMAIL, STMT_PII_OUTBOX_TO_PLAIN, STMT_PII_OUTBOX_TO_SET,
         STMT_PII_OUTBOX_TO_SEALED},
        {PII_LISTING_CONTACT, STMT_PII_LISTING_CONTACT_PLAIN, STMT_PII_LISTING_CONTACT_SET,
         STMT_PII_LISTING_CONTACT_SEALED},
        {PII_APPLICATION_CONTACT, STMT_PII_APPLICATION_CONTACT_PLAIN,
         STMT_PII_APPLICATION_CONTACT_SET, STMT_PII_APPLICATION_CONTACT_SEALED},
        {PII_OBJECTION_CONTACT, STMT_PII_OBJECTION_CONTACT_PLAIN, STMT_PII_OBJECTION_CONTACT_SET,
         STMT_PII_OBJECTION_CONTACT_SEALED},
        {PII_IDEM_BODY, STMT_PII_IDEM_PLAIN, STMT_PII_IDEM_SET, STMT_PII_IDEM_SEALED},
        {PII_TOTP_SECRET, STMT_PII_TOTP_SECRET_PLAIN, STMT_PII_TOTP_SECRET_SET,
         STMT_PII_TOTP_SECRET_SEALED},
};

/* A plaintext value read for encryption: its key (one id, or a user id and an idempotency key). */
struct plain_row {
	int64_t id;
	const char *key2;
	const char *value;
};

static enum err encrypt_column(struct app_ctx *ctx, const struct pii_column *c,
                               struct data_encrypt_stats *st)
{
	struct db_rows *r;
	enum err e = db_query(ctx->conn, c->sealed, DB_NOARGS, &r);
	if (e)
		return e;
	if (db_next(r))
		st->already += db_col_i64(r, COL_COUNT);
	if ((e = db_done(r)) || (e = db_query(ctx->conn, c->plain, DB_NOARGS, &r)))
		return e;
	bool two = c->plain == STMT_PII_IDEM_PLAIN;
	struct plain_row *rows = NULL;
	size_t n = 0, cap = 0;
	while (db_next(r)) { /* read them all first: a statement may not run under an open read */
		if (n == cap) {
			struct plain_row *more =
			        arena_alloc(&ctx->arena, sizeof *more * (cap = cap ? 2 * cap : 64));
			if (n)
				memcpy(more, rows, sizeof *more * n);
			rows = more;
		}
		rows[n++] = two ? (struct plain_row){db_col_i64(r, COL_PII_IDEM_USER_ID),
		                                     app_col(ctx, r, COL_PII_IDEM_KEY),
		                                     app_col(ctx, r, COL_PII_IDEM_STORED)}
		                : (struct plain_row){db_col_i64(r, COL_PII_ID), NULL,
		                                     app_col(ctx, r, COL_PII_VALUE)};
	}
	if ((e = db_done(r)))
		return e;
	for (size_t i = 0; i < n && !e; i++) {
		const char *env =
		        seal_text(ctx->app->data_key, c->label, rows[i].value, &ctx->arena);
		e = two ? db_exec(ctx->conn, c->set,
		                  DB_ARGS(DB_TEXT(env), DB_INT(rows[i].id), DB_TEXT(rows[i].key2)),
		                  NULL)
		        : db_exec(ctx->conn, c->set, DB_ARGS(DB_TEXT(env), DB_INT(rows[i].id)),
		                  NULL);
	}
	st->encrypted += (long)n;
	return e;
}

enum err app_data_encrypt(struct app_ctx *ctx, struct data_encrypt_stats *st)
{
	memset(st, 0, sizeof *st);
	enum err e = app_allow(ctx, ACT_USER_ADMINISTER, NULL);
	if (e)
		return e;
	if (!ctx->app->data_key)
		return APP_FAIL(ctx, ERR_INVALID, "data-key",
		                "no data key: give --data-key FILE (techbridge data keygen FILE)");
	if ((e = app_write_begin(ctx)))
		return e;
	for (size_t i = 0; i < sizeof columns / sizeof columns[0] && !e; i++)
		if ((e = encrypt_column(ctx, &columns[i], st)))
			e = app_db_fail(ctx, e, "data encrypt");
	if (!e && st->encrypted) {
		const char *after = arena_printf(
		        &ctx->arena, "{\"key\":\"%s\",\"encrypted\":%ld,\"already\":%ld}",
		        ctx->app->data_key->id, st->encrypted, st->already);
		e = app_audit(ctx, "encrypt", "personal_data", ctx->app->data_key->id, NULL, after);
	}
	return app_write_end(ctx, e, 0, NULL, NULL);
}
