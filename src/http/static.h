/*
 * static: the web UI's files, from the binary (web/dist embedded at build
 * time) or from a directory given with `serve --web-dir`. Paths that name no
 * file get index.html, so the single-page app's own routes load.
 */
#ifndef TB_HTTP_STATIC_H
#define TB_HTTP_STATIC_H

#include "http/http.h"

/* Answer GET `path` from dir (NULL: embedded files). */
void static_serve(struct req *rq, const char *dir, const char *path);

#endif
