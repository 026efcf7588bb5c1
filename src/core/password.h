/*
 * password: the common-password rule. The list is John the Ripper's
 * password.lst (Debian package john-data), lowercased, sorted and compiled
 * into the binary at build time (Makefile, as passwords/common.txt), so
 * nothing is read at run time. The published demo password is refused too.
 */
#ifndef TB_CORE_PASSWORD_H
#define TB_CORE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/* The demo database's published password (README): refused everywhere but `demo`. */
#define PASSWORD_DEMO "admin-demo-password"

/*
 * Is pw on the common list (compared without regard to ASCII case) or the
 * demo password? list/len: the sorted, lowercased list, one per line.
 */
bool password_is_common(const char *pw, const char *list, size_t len);

#endif
