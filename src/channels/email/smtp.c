/* smtp.c - one message out through SMTP with libcurl; see smtp.h.
 *
 * smtp_send() checks its arguments, copies the message once with every
 * line ending made CRLF (libcurl dot-stuffs only after CRLF, and a bare LF
 * that a server reads as a line end would let a body line "." end the data
 * early), then runs one curl easy handle through the whole session:
 * EHLO, STARTTLS (CURLOPT_USE_SSL), AUTH (libcurl picks the mechanism),
 * MAIL FROM, RCPT TO for each recipient, DATA, the message, QUIT.
 * CURLOPT_MAIL_RCPT_ALLOWFAILS lets the session go on when only some
 * recipients are refused (libcurl >= 7.69; spelled ALLLOWFAILS before 8.2).
 *
 * Telling temporary from permanent failures needs the server's replies,
 * which libcurl keeps to itself; the debug callback (CURLOPT_VERBOSE with
 * CURLOPT_DEBUGFUNCTION, so nothing is printed) sees every command sent
 * and every reply line read.  struct session remembers the command each
 * reply answers (MAIL/RCPT lines in full, other commands by their verb
 * only, so AUTH data never reaches err), the last complete reply and every
 * refused RCPT.  After curl_easy_perform() classify() decides 0/-1/-2 from
 * libcurl's result and that record.
 *
 * Cost: one copy of the message, one TCP (and TLS) session per call; the
 * debug callback sees each upload chunk but only looks at its type.
 */
#include "channels/email/smtp.h"
#include "base/buf.h"
#include <assert.h>
#include <ctype.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REPLY_MAX 512	/* bytes of a server reply kept for err */
#define CMD_MAX 320	/* bytes of a MAIL/RCPT command kept */
#define ADDRESS_MAX 512 /* longest address accepted */

struct session {
	const char *data;		 /* the CRLF message being uploaded */
	size_t len, off;		 /* its length and how much went out */
	char cmd[CMD_MAX];		 /* the command the next reply answers */
	struct buf reply;		 /* lines of the reply being read */
	struct buf last;		 /* the last complete reply */
	char last_cmd[CMD_MAX];		 /* the command `last` answered */
	int last_code;			 /* its code (0: none yet) */
	int rcpt_ok, rcpt_4xx, rcpt_5xx; /* RCPT TO replies by class */
	struct buf refused;		 /* "'RCPT TO:<a>' refused: 550 ..." list */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The commands whose name may be remembered; anything else sent (AUTH
 * continuation data) keeps the previous name. */
static const char *const verbs[] = {
    "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT", "RSET", "NOOP",
};

static void note_command(struct session *s, const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		size_t vl = strlen(verbs[i]);
		if (n < vl || strncasecmp(p, verbs[i], vl) ||
		    (n > vl && isalnum((unsigned char)p[vl])))
			continue;
		/* MAIL FROM:<a> and RCPT TO:<a> in full (for err), others by name */
		if (!strcmp(verbs[i], "MAIL") || !strcmp(verbs[i], "RCPT")) {
			while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
				n--;
			if (n >= sizeof(s->cmd))
				n = sizeof(s->cmd) - 1;
			memcpy(s->cmd, p, n);
			s->cmd[n] = '\0';
		} else {
			snprintf(s->cmd, sizeof(s->cmd), "%s", verbs[i]);
		}
		return;
	}
}

/* One reply line (with its CRLF) arrived. */
static void note_reply_line(struct session *s, const char *p, size_t n)
{
	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (s->reply.len)
		buf_adds(&s->reply, " ");
	/* keep what fits; a reply longer than REPLY_MAX is cut */
	size_t room = s->reply.max - s->reply.len;
	buf_add(&s->reply, p, n < room ? n : room);
	int final = n < 4 || p[3] != '-';
	if (!final)
		return;
	if (!strcmp(s->cmd, "QUIT")) {
		/* libcurl says goodbye after a failure too: not news */
		buf_reset(&s->reply);
		return;
	}
	int code = 0;
	if (n >= 3 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]))
		code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	buf_reset(&s->last);
	buf_add(&s->last, s->reply.s, s->reply.len);
	buf_reset(&s->reply);
	snprintf(s->last_cmd, sizeof(s->last_cmd), "%s", s->cmd);
	s->last_code = code;
	if (!strncasecmp(s->cmd, "RCPT", 4)) {
		if (code >= 200 && code < 300) {
			s->rcpt_ok++;
			return;
		}
		if (code >= 400 && code < 500)
			s->rcpt_4xx++;
		else
			s->rcpt_5xx++;
		if (s->refused.len)
			buf_adds(&s->refused, "; ");
		buf_addf(&s->refused, "'%s' refused: %s", s->cmd, s->last.s);
	}
}

static int on_debug(CURL *h, curl_infotype type, char *p, size_t n, void *arg)
{
	struct session *s = arg;
	switch (type) {
	case CURLINFO_HEADER_OUT:
		note_command(s, p, n);
		break;
	case CURLINFO_HEADER_IN:
		note_reply_line(s, p, n);
		break;
	case CURLINFO_DATA_OUT:
		/* the reply after the data answers the message itself */
		snprintf(s->cmd, sizeof(s->cmd), "%s", "end of data");
		break;
	default:
		break;
	}
	return 0;
}

static size_t on_read(char *out, size_t size, size_t nitems, void *arg)
{
	struct session *s = arg;
	size_t n = size * nitems;
	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(out, s->data + s->off, n);
	s->off += n;
	return n;
}

/* An address goes into "<...>" on a command line: no control characters,
 * no angle brackets. */
static int address_ok(const char *a)
{
	size_t n = strlen(a);
	if (n > ADDRESS_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i];
		if (c < 0x20 || c == 0x7f || c == '<' || c == '>')
			return 0;
	}
	return 1;
}

/* Copy data into out with every line ending CRLF. */
static int to_crlf(struct buf *out, const char *data, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\r' && data[i] != '\n')
			continue;
		if (buf_add(out, data + start, i - start) || buf_add(out, "\r\n", 2))
			return -1;
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	return buf_add(out, data + start, len - start);
}

/* libcurl's messages start with a capital letter ("Failed to connect"),
 * ours do not; a name ("OpenSSL", "SSL") keeps its capitals. */
static const char *curl_message(const char *errbuf, CURLcode rc, char *tmp, size_t tmplen)
{
	snprintf(tmp, tmplen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	size_t i = 1;
	while (tmp[0] && isalpha((unsigned char)tmp[i]) && islower((unsigned char)tmp[i]))
		i++;
	if (isupper((unsigned char)tmp[0]) && (tmp[i] == ' ' || tmp[i] == '\0'))
		tmp[0] = (char)tolower((unsigned char)tmp[0]);
	return tmp;
}

/* "host:port" of url for err (never its user or password), or "". */
static void url_place(const char *url, char *out, size_t outlen)
{
	char *host = NULL, *port = NULL;
	CURLU *u = curl_url();
	out[0] = '\0';
	if (u && !curl_url_set(u, CURLUPART_URL, url, 0) &&
	    !curl_url_get(u, CURLUPART_HOST, &host, 0) &&
	    !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
		snprintf(out, outlen, "%s:%s", host, port);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/* Decide the result of a finished session; fill err. */
static int classify(struct session *s, CURLcode rc, const char *errbuf, const char *url, int nrcpt,
		    char *err, size_t errlen)
{
	char msg[CURL_ERROR_SIZE + 32];
	if (rc == CURLE_OK) {
		set_err(err, errlen, "%s", s->refused.s);
		return 0;
	}
	int code = s->last_code;
	int refused = code >= 400 && code < 600;
	const char *what = s->last_cmd;
	if (refused && !strncasecmp(what, "RCPT", 4) && s->rcpt_ok == 0 &&
	    s->rcpt_4xx + s->rcpt_5xx >= nrcpt) {
		/* every recipient refused */
		set_err(err, errlen, "every recipient refused: %s", s->refused.s);
		return s->rcpt_4xx ? -1 : -2;
	}
	/* (a refused RCPT with another one accepted is not why it failed) */
	if (refused && (!strncasecmp(what, "MAIL", 4) || !strcmp(what, "DATA") ||
			!strcmp(what, "end of data"))) {
		set_err(err, errlen, "'%s' refused: %s", what, s->last.s);
		return code >= 500 ? -2 : -1;
	}
	curl_message(errbuf, rc, msg, sizeof(msg));
	char place[300];
	url_place(url, place, sizeof(place));
	if (refused)
		set_err(err, errlen, "%s ('%s' answered: %s)", msg, what, s->last.s);
	else if (place[0])
		set_err(err, errlen, "%s (%s)", msg, place);
	else
		set_err(err, errlen, "%s", msg);
	return -1;
}

int smtp_send(const struct smtp_target *t, const char *mail_from, const char *const *rcpt,
	      int nrcpt, const char *data, size_t len, char *err, size_t errlen)
{
	assert(t && mail_from && (rcpt || nrcpt == 0) && (data || len == 0));
	assert(err || errlen == 0);
	set_err(err, errlen, "%s", "");
	if (!t->url || !t->url[0]) {
		set_err(err, errlen, "no smtp url");
		return -1;
	}
	if (nrcpt < 1) {
		set_err(err, errlen, "no recipients");
		return -2;
	}
	if (!address_ok(mail_from)) {
		set_err(err, errlen, "bad sender address '%.*s'", 200, mail_from);
		return -2;
	}
	for (int i = 0; i < nrcpt; i++) {
		if (!rcpt[i] || !rcpt[i][0] || !address_ok(rcpt[i])) {
			set_err(err, errlen, "bad recipient address '%.*s'", 200,
				rcpt[i] ? rcpt[i] : "(null)");
			return -2;
		}
	}
	if (len > SMTP_MAX_MESSAGE) {
		set_err(err, errlen, "message of %zu bytes is over the limit of %u", len,
			SMTP_MAX_MESSAGE);
		return -2;
	}

	int ret = -1;
	struct session s = {0};
	struct buf body, from;
	buf_init(&body, 0);
	buf_init(&from, 0);
	buf_init(&s.reply, REPLY_MAX);
	buf_init(&s.last, REPLY_MAX);
	buf_init(&s.refused, 4 * REPLY_MAX);
	struct curl_slist *to = NULL;
	CURL *h = NULL;

	if (to_crlf(&body, data, len)) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	s.data = body.s;
	s.len = body.len;
	buf_addf(&from, "<%s>", mail_from);
	for (int i = 0; i < nrcpt; i++) {
		char a[ADDRESS_MAX + 3];
		snprintf(a, sizeof(a), "<%s>", rcpt[i]);
		struct curl_slist *n = curl_slist_append(to, a);
		if (!n) {
			set_err(err, errlen, "out of memory");
			goto out;
		}
		to = n;
	}
	h = curl_easy_init();
	if (!h) {
		set_err(err, errlen, "curl_easy_init failed");
		goto out;
	}
	long ms = t->timeout_ms > 0 ? t->timeout_ms : SMTP_DEFAULT_TIMEOUT_MS;
	long secs = (ms + 999) / 1000;
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_URL, t->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, secs);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, secs);
	curl_easy_setopt(h, CURLOPT_USE_SSL,
			 t->starttls >= 2   ? (long)CURLUSESSL_ALL
			 : t->starttls == 1 ? (long)CURLUSESSL_TRY
					    : (long)CURLUSESSL_NONE);
	if (t->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, t->ca_file);
	if (t->user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, t->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, t->password ? t->password : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.s);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, to);
#if CURL_AT_LEAST_VERSION(8, 2, 0)
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#else
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &s);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &s);

	CURLcode rc = curl_easy_perform(h);
	ret = classify(&s, rc, errbuf, t->url, nrcpt, err, errlen);
out:
	curl_easy_cleanup(h);
	curl_slist_free_all(to);
	buf_release(&body);
	buf_release(&from);
	buf_release(&s.reply);
	buf_release(&s.last);
	buf_release(&s.refused);
	return ret;
}
