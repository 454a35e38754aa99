/* smtp.h - hand one finished message to an SMTP server (libcurl).
 *
 *   struct smtp_target t = {.url = "smtp://mail.example.com:587",
 *                           .user = "desk", .password = "...",
 *                           .starttls = 2, .timeout_ms = 30000};
 *   const char *rcpt[] = {"customer@example.org"};
 *   int rc = smtp_send(&t, "support@example.com", rcpt, 1, raw, len,
 *                      err, sizeof(err));
 *   0: accepted; -1: try again later; -2: will never be accepted
 *
 * One call is one SMTP session: connect, EHLO, STARTTLS and AUTH as
 * configured, MAIL FROM, one RCPT TO per recipient, DATA, QUIT.  Nothing
 * is kept between calls (no connection cache), so calls from several
 * threads are fine; curl_global_init() must have run before the first.
 */
#ifndef SONNIM_SMTP_H
#define SONNIM_SMTP_H
#include <stddef.h>

/* Refused locally (-2) before connecting: a message larger than this. */
#define SMTP_MAX_MESSAGE (100u * 1024 * 1024)
/* Default for timeout_ms == 0. */
#define SMTP_DEFAULT_TIMEOUT_MS 60000L

struct smtp_target {
	const char *url;      /* "smtp://host:port" (STARTTLS per starttls) or
				 "smtps://host:port" (TLS from the start); a path
				 ("smtp://host/desk.example.com") is the EHLO name,
				 else libcurl says the local host name */
	const char *user;     /* AUTH user, or NULL for no AUTH */
	const char *password; /* AUTH password; ignored when user is NULL */
	int starttls;	      /* smtp:// only: 0 never, 1 when the server offers
				 it, 2 required (else a temporary failure) */
	long timeout_ms;      /* limit for connecting, for each server reply and
				 for a stalled upload; 0 = SMTP_DEFAULT_TIMEOUT_MS */
	const char *ca_file;  /* PEM file of the CAs to trust for TLS, or NULL
				 for the system's store; certificates and host
				 names are always verified */
};

/* Send data (len bytes: a complete RFC 5322 message, headers and body,
 * lines ending in CRLF or LF) from mail_from ("" for the null sender <>,
 * as bounces and auto-replies use) to rcpt[0..nrcpt-1] (bare addresses,
 * no <>).  Bare LF and bare CR are sent as CRLF; libcurl dot-stuffs lines
 * starting with "." and ends the data.  Nothing else is changed: the
 * caller's headers go out as given (no Bcc removal, no Date/Message-ID).
 *
 * Returns
 *    0  the server accepted the message for at least one recipient.  When
 *       some recipients were refused (and others accepted), err holds the
 *       refusals ("'RCPT TO' refused: 550 ..."), else err is "".
 *   -1  a temporary failure; sending the same again later may work:
 *       could not connect or resolve, timeout, TLS or AUTH failure (also a
 *       refused login: the fix is in the account, not in the message),
 *       STARTTLS required but not offered, a 4xx reply, a broken
 *       connection, a malformed URL.
 *   -2  a permanent failure for this message: a 5xx reply to MAIL FROM,
 *       to DATA or to the message, or to RCPT TO for every recipient (when
 *       all were refused but one with a 4xx, the result is -1); or an
 *       argument that cannot be sent (no recipient, an address with a
 *       control character or <>, a message over SMTP_MAX_MESSAGE).
 * On failure err (errlen bytes, always terminated; may be NULL when
 * errlen is 0) says what happened and, when the server said no, quotes
 * its reply: "'RCPT TO' refused: 554 5.7.1 <x@example.net>: Relay access
 * denied".  Credentials never appear in err. */
int smtp_send(const struct smtp_target *t, const char *mail_from, const char *const *rcpt,
	      int nrcpt, const char *data, size_t len, char *err, size_t errlen);
#endif
