/*
 * smtp: a minimal SMTP client (RFC 5321) that hands plain-text mail to a
 * relay over plain TCP (no TLS, no AUTH: a local relay such as Postfix does
 * those), and the RFC 5322 message it sends: headers with an RFC 2047
 * encoded subject, CRLF line ends and dot-stuffing. Knows nothing of what
 * the mail is about.
 *
 * Ownership: smtp_open returns a session the caller ends with smtp_close
 * (which sends QUIT); it owns its socket and reply buffer. Messages are
 * built into the caller's buffer.
 */
#ifndef TB_LIB_SMTP_H
#define TB_LIB_SMTP_H

#include "lib/buf.h"
#include "lib/err.h"

#include <stddef.h>

enum { SMTP_ERROR_MAX = 256, SMTP_TIMEOUT_SECONDS = 30, SMTP_LINE_MAX = 998 };

struct smtp;

struct smtp_mail {
	const char *from, *to, *subject, *body; /* UTF-8; body lines end in \n or \r\n */
	const char *date;                       /* RFC 5322 date-time, e.g. smtp_date() */
	const char *message_id;                 /* without the angle brackets */
};

/*
 * Connect to `hostport` ("host:port"), read the greeting and say HELO with
 * `helo`. ERR_IO with the reason in `error` (connection or a refusal).
 */
enum err smtp_open(const char *hostport, const char *helo, struct smtp **out,
                   char error[SMTP_ERROR_MAX]);
/*
 * Send one mail (MAIL FROM, RCPT TO, DATA). ERR_INVALID when an address or
 * header would break the message (CR, LF, angle brackets); ERR_IO with the
 * server's reply in `error` otherwise, after which the session is reset
 * (RSET) and can send the next mail unless smtp_broken() says the
 * connection is gone.
 */
enum err smtp_send(struct smtp *s, const struct smtp_mail *m, char error[SMTP_ERROR_MAX]);
/* True when the connection failed and no further mail can be sent on it. */
int smtp_broken(const struct smtp *s);
/* QUIT, close and free; NULL is fine. */
void smtp_close(struct smtp *s);

/* Append the message of m (headers, blank line, body) with CRLF line ends, not dot-stuffed. */
void smtp_message(const struct smtp_mail *m, struct buf *out);
/* Append `text` dot-stuffed (a line starting with '.' gets another) and terminated by CRLF.CRLF. */
void smtp_dot_stuff(const char *text, size_t n, struct buf *out);
/* Append an RFC 2047 header value: ASCII as is, else UTF-8 "B" encoded words on folded lines. */
void smtp_encode_header(const char *value, struct buf *out);
/* The RFC 5322 date-time of unix time `t` in UTC ("Sat, 21 Nov 2026 08:00:00 +0000"). */
void smtp_date(long long t, char out[40]);

#endif
