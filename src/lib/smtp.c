/* smtp: a minimal SMTP client and the plain-text message it sends. */
#include "lib/smtp.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { REPLY_MAX = 4096 };

struct smtp {
	int fd;
	int broken;
	char in[REPLY_MAX]; /* unread bytes of the server's replies */
	size_t nin;
};

/* ---- the message ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Standard base64 with padding, as RFC 2047 encoded words require (b64.c is
 * the URL-safe, unpadded form)
 */
static void base64(const unsigned char *p, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		buf_putc(out, b64[v >> 18 & 63]);
		buf_putc(out, b64[v >> 12 & 63]);
		buf_putc(out, i + 1 < n ? b64[v >> 6 & 63] : '=');
		buf_putc(out, i + 2 < n ? b64[v & 63] : '=');
	}
}

void smtp_encode_header(const char *value, struct buf *out)
{
	size_t n = strlen(value);
	/*
	 * CR or LF in a header value would start a new header (header injection): such
	 * a value is encoded too, which makes the line breaks inert
	 */
	int ascii = 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)value[i] >= 0x80 || value[i] == '\r' || value[i] == '\n')
			ascii = 0;
	if (ascii) {
		buf_puts(out, value);
		return;
	}
	/*
	 * An encoded word is at most 75 characters: "=?UTF-8?B?" + 60 of
	 * base64 + "?=" carries 45 bytes; cut only between UTF-8 characters.
	 */
	const unsigned char *p = (const unsigned char *)value;
	for (size_t i = 0; i < n;) {
		size_t len = n - i < 45 ? n - i : 45;
		while (i + len < n && (p[i + len] & 0xC0) == 0x80)
			len--;
		if (i)
			buf_puts(out, "\r\n "); /* folding whitespace between words */
		buf_puts(out, "=?UTF-8?B?");
		base64(p + i, len, out);
		buf_puts(out, "?=");
		i += len;
	}
}

/* Day and month names are written from tables, not strftime: the locale must not change them */
void smtp_date(long long t, char out[40])
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
	         mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Append text with every line ending normalised to CRLF. */
static void put_crlf(const char *s, struct buf *out)
{
	for (; *s; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		if (*s == '\n' || *s == '\r')
			buf_puts(out, "\r\n");
		else
			buf_putc(out, *s);
	}
}

void smtp_message(const struct smtp_mail *m, struct buf *out)
{
	buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: ", m->from, m->to);
	smtp_encode_header(m->subject, out);
	buf_printf(out,
	           "\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
	           "Content-Type: text/plain; charset=UTF-8\r\n"
	           "Content-Transfer-Encoding: 8bit\r\n\r\n",
	           m->date, m->message_id);
	put_crlf(m->body, out);
	/* DATA must end with a line break before the terminating dot */
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2))
		buf_puts(out, "\r\n");
}

void smtp_dot_stuff(const char *text, size_t n, struct buf *out)
{
	int bol = 1; /* at the beginning of a line */
	for (size_t i = 0; i < n; i++) {
		if (bol && text[i] == '.')
			buf_putc(out, '.');
		buf_putc(out, text[i]);
		bol = text[i] == '\n';
	}
	if (!bol)
		buf_puts(out, "\r\n");
	buf_puts(out, ".\r\n");
}

/* ---- the session ---- */

/* Any local failure marks the session broken: the dialogue state is unknown after it */
static enum err fail(struct smtp *s, char error[SMTP_ERROR_MAX], const char *what)
{
	snprintf(error, SMTP_ERROR_MAX, "%s", what);
	if (s)
		s->broken = 1;
	return ERR_IO;
}

static enum err write_all(struct smtp *s, const char *p, size_t n, char error[SMTP_ERROR_MAX])
{
	while (n) {
		/*
		 * MSG_NOSIGNAL: a relay that hung up must give an error, not kill the process
		 * with SIGPIPE
		 */
		ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return fail(s, error, "the connection was lost while sending");
		p += w, n -= (size_t)w;
	}
	return ERR_OK;
}

/* One line of a reply (without CRLF) into line; false when the connection fails. */
static int read_line(struct smtp *s, char *line, size_t cap)
{
	for (;;) {
		char *nl = memchr(s->in, '\n', s->nin);
		if (nl) {
			size_t len = (size_t)(nl - s->in), keep = len < cap ? len : cap - 1;
			memcpy(line, s->in, keep);
			line[keep] = 0;
			if (keep && line[keep - 1] == '\r')
				line[keep - 1] = 0;
			memmove(s->in, nl + 1, s->nin - len - 1);
			s->nin -= len + 1;
			return 1;
		}
		if (s->nin == sizeof s->in)
			s->nin = 0; /* an overlong line: drop what we have */
		ssize_t r = recv(s->fd, s->in + s->nin, sizeof s->in - s->nin, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		s->nin += (size_t)r;
	}
}

/* Read a (multi-line) reply; ERR_IO unless its code's first digit is `want`. */
static enum err expect(struct smtp *s, char want, char error[SMTP_ERROR_MAX])
{
	char line[512];
	/* "250-..." continues a multi-line reply, "250 ..." ends it (RFC 5321 §4.2.1) */
	do {
		if (!read_line(s, line, sizeof line))
			return fail(s, error, "the server closed the connection");
	} while (strlen(line) > 3 && line[3] == '-');
	if (line[0] == want)
		return ERR_OK;
	snprintf(error, SMTP_ERROR_MAX, "%.200s", line);
	if (line[0] != '4' && line[0] != '5')
		s->broken = 1; /* not SMTP: stop talking */
	return ERR_IO;
}

/*
 * A command longer than the buffer is refused, never cut: a cut command would
 * send something else than meant
 */
static enum err command(struct smtp *s, const char *text, char want, char error[SMTP_ERROR_MAX])
{
	char line[1100];
	int n = snprintf(line, sizeof line, "%s\r\n", text);
	if (n < 0 || (size_t)n >= sizeof line)
		return fail(s, error, "command too long");
	enum err e = write_all(s, line, (size_t)n, error);
	return e ? e : expect(s, want, error);
}

/*
 * The last ':' splits host and port so that an IPv6 literal's colons stay in the
 * host. The socket timeouts bound how long a silent relay can hold the sender.
 */
static int connect_to(const char *hostport, char error[SMTP_ERROR_MAX])
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	if (!colon || colon == hostport || (size_t)(colon - hostport) >= sizeof host || !colon[1]) {
		snprintf(error, SMTP_ERROR_MAX, "--smtp must be HOST:PORT");
		return -1;
	}
	snprintf(host, sizeof host, "%.*s", (int)(colon - hostport), hostport);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	int rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc) {
		snprintf(error, SMTP_ERROR_MAX, "%s: %s", hostport, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		struct timeval tv = {.tv_sec = SMTP_TIMEOUT_SECONDS};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(error, SMTP_ERROR_MAX, "%s: cannot connect", hostport);
	return fd;
}

enum err smtp_open(const char *hostport, const char *helo, struct smtp **out,
                   char error[SMTP_ERROR_MAX])
{
	*out = NULL;
	int fd = connect_to(hostport, error);
	if (fd < 0)
		return ERR_IO;
	struct smtp *s = xcalloc(1, sizeof *s);
	s->fd = fd;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "HELO %s", helo);
	enum err e = expect(s, '2', error);
	if (!e)
		e = command(s, cmd, '2', error);
	if (e) {
		close(fd);
		free(s);
		return ERR_IO;
	}
	*out = s;
	return ERR_OK;
}

/* An address fit for MAIL FROM / RCPT TO and a header: no line breaks or brackets. */
static int address_ok(const char *a)
{
	return a && *a && strlen(a) < 320 && !strpbrk(a, "\r\n<> ");
}

enum err smtp_send(struct smtp *s, const struct smtp_mail *m, char error[SMTP_ERROR_MAX])
{
	if (!address_ok(m->from) || !address_ok(m->to) || strpbrk(m->message_id, "\r\n<>")) {
		snprintf(error, SMTP_ERROR_MAX, "unusable address %s",
		         address_ok(m->to) ? m->from : m->to);
		return ERR_INVALID;
	}
	char cmd[400];
	snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>", m->from);
	enum err e = command(s, cmd, '2', error);
	if (!e) {
		snprintf(cmd, sizeof cmd, "RCPT TO:<%s>", m->to);
		e = command(s, cmd, '2', error);
	}
	if (!e)
		e = command(s, "DATA", '3', error);
	if (!e) {
		struct buf msg = BUF_INIT, wire = BUF_INIT;
		smtp_message(m, &msg);
		smtp_dot_stuff(msg.data, msg.len, &wire);
		e = write_all(s, wire.data, wire.len, error);
		buf_free(&msg);
		buf_free(&wire);
		if (!e)
			e = expect(s, '2', error);
	}
	if (e && !s->broken) {
		char ignored[SMTP_ERROR_MAX];
		command(s, "RSET", '2', ignored); /* ready for the next mail */
	}
	return e;
}

int smtp_broken(const struct smtp *s)
{
	return !s || s->broken;
}

void smtp_close(struct smtp *s)
{
	if (!s)
		return;
	if (!s->broken) {
		char ignored[SMTP_ERROR_MAX];
		command(s, "QUIT", '2', ignored);
	}
	close(s->fd);
	free(s);
}
