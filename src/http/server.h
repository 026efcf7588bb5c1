/*
 * server: the HTTP server (libmicrohttpd, a pool of worker threads with
 * epoll). It serves the route table, the web UI (embedded in the binary, or
 * from a directory) and the operations endpoints, writes one JSON access-log
 * line per request and stops cleanly on SIGTERM/SIGINT, finishing requests in
 * flight. The caller owns the app and keeps it open while the server runs.
 */
#ifndef TB_HTTP_SERVER_H
#define TB_HTTP_SERVER_H

#include "app/app.h"

#include <stdio.h>

struct server_opts {
	const char *listen; /* "127.0.0.1:8080" */
	int workers;
	const char *web_dir; /* NULL: the embedded UI */
	FILE *access_log;    /* NULL: none */
};

/* Serve until SIGTERM or SIGINT; ERR_IO if the address cannot be bound. */
enum err server_run(struct app *app, const struct server_opts *o, struct err_detail *d);

#endif
