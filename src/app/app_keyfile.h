/*
 * app_keyfile: the files that hold the process's keys (the audit signing key,
 * the personal-data key). Read bounded, refused when others can read a secret
 * one (as ssh insists for its keys); written once, never over an existing file,
 * synced before success and removed when it could not be written whole.
 */
#ifndef TB_APP_APP_KEYFILE_H
#define TB_APP_APP_KEYFILE_H

#include "lib/buf.h"
#include "lib/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The text of key file path (less than cap bytes) into buf. `field` names the
 * flag in errors and `what` the key ("audit key"); a secret key whose mode
 * lets others read it is refused.
 */
enum err app_keyfile_read(const char *path, const char *field, const char *what, bool secret,
                          char *buf, size_t cap, struct err_detail *d);
/* Create path with mode and write text; ERR_CONFLICT when it exists (`what` never overwritten). */
enum err app_keyfile_create(const char *path, const char *what, mode_t mode, const struct buf *text,
                            struct err_detail *d);

#endif
