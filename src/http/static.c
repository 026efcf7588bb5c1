/* static: serving the web UI. */
#include "http/static.h"

#include "lib/embed.h"
#include "lib/limits.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *ext, *type;
} types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
};

/*
 * By extension, from a closed list: anything else is application/octet-stream,
 * which with nosniff a browser downloads instead of rendering
 */
static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/*
 * Read dir/rel into out; false if there is no such regular file. The bound
 * keeps a stray large file in the directory from being read whole into memory.
 */
static bool read_file(const char *dir, const char *rel, struct buf *out)
{
	char path[LIMIT_URL_BYTES + 512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char chunk[16384];
	size_t n;
	bool ok = true;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > LIMIT_BODY_BYTES * 16) {
			ok = false;
			break;
		}
		buf_append(out, chunk, n);
	}
	ok = ok && !ferror(f);
	fclose(f);
	return ok;
}

/*
 * From the --web-dir directory when one is given, else from the copy of
 * web/dist embedded in the binary at build time
 */
static bool find(const char *dir, const char *rel, struct buf *out)
{
	if (dir)
		return read_file(dir, rel, out);
	char path[LIMIT_URL_BYTES + 16];
	snprintf(path, sizeof path, "web/dist/%s", rel);
	const struct embed_file *f = embed_find(path);
	if (!f)
		return false;
	buf_append(out, f->data, f->len);
	return true;
}

void static_serve(struct req *rq, const char *dir, const char *path)
{
	const char *rel = path[0] == '/' ? path + 1 : path;
	/* no way out of the web directory: no "..", no absolute path, no backslash */
	bool safe = !strstr(rel, "..") && !strchr(rel, '\\') && rel[0] != '/';
	rq->status = 200;
	if (safe && rel[0] && find(dir, rel, &rq->out)) {
		rq->content_type = content_type(rel);
		return;
	}
	buf_reset(&rq->out);
	/*
	 * any other path gets index.html so the web UI's own routes survive a reload; a missing
	 * asset is a real 404 (a page instead would break the script or style that asked for it)
	 */
	if (!strncmp(rel, "assets/", 7) || !find(dir, "index.html", &rq->out)) {
		buf_reset(&rq->out);
		rq->status = 404;
		rq->content_type = "text/plain; charset=utf-8";
		buf_puts(&rq->out,
		         !strncmp(rel, "assets/", 7)
		                 ? "not found\n"
		                 : "techbridge: the web UI was not built into this binary"
		                   " (run tools/bootstrap, then make); the API is at /api/v1\n");
		return;
	}
	rq->content_type = "text/html; charset=utf-8";
}
