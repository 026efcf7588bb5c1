/*
 * embed: files compiled into the binary (the SQL migrations and the built
 * web UI), generated at build time by tools/embed.c. Read-only, static.
 */
#ifndef TB_LIB_EMBED_H
#define TB_LIB_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *path;          /* "sql/migrations/0001_foundation.sql", "web/dist/index.html" */
	const unsigned char *data; /* NUL-terminated */
	size_t len;
};

/* Files sorted by path; embed_count of them. */
extern const struct embed_file embed_files[];
extern const size_t embed_count;

/* The file at `path`, or NULL. */
const struct embed_file *embed_find(const char *path);

#endif
