/* compose.c - outbound RFC 5322 messages (compose.h).
 *
 * mail_compose() runs in four steps:
 *
 *   1. check     the required fields (from_email, a recipient, message_id,
 *                text), every address (addr_ok) and our msg-id
 *                (msgid_view); nothing is built when one is bad, so the
 *                error names the first bad field.
 *   2. headers   written by us, not by GMime, into a local buf through a
 *                small folding writer (struct hw): Date, From, Reply-To,
 *                To, Cc, Subject, Message-ID, In-Reply-To, References,
 *                MIME-Version, Auto-Submitted, X-Auto-Response-Suppress,
 *                X-Sonnim-Ticket-Id.  Text first goes through clean_text()
 *                (controls and white space runs -> one space, invalid UTF-8
 *                -> U+FFFD, capped), then words that need it are written as
 *                RFC 2047 encoded words (hw_encoded).  We do this ourselves
 *                because GMime 3.2.13 (Debian 12) decodes adjacent B words
 *                by joining their base64 first, so a padded word loses the
 *                words after it (jstedfast/gmime#133), and its encoder makes
 *                exactly such words: our own parser would misread our own
 *                long Korean subjects.  hw_encoded() only ever pads the last
 *                word of a run; a chunk that cannot end on both a character
 *                boundary and a multiple of 3 bytes is Q-encoded instead.
 *   3. body      a GMime tree: text/plain (or multipart/alternative with
 *                the HTML), inside multipart/mixed with the attachments.
 *                Bodies are put in canonical form (CRLF, to_crlf()) before
 *                GMime sees them, because GMime base64-encodes content as
 *                given and RFC 2045 wants text encoded with CRLF line ends;
 *                the transfer encoding is what GMime's best-encoding filter
 *                says under a 7-bit constraint (7bit, quoted-printable or
 *                base64; lines over 998 octets never stay 7bit).
 *                Attachments are always base64, file names as RFC 2231
 *                parameters (GMime's default parameter encoding).
 *   4. write     the tree with GMime's DOS newline format into a memory
 *                stream; append the headers, then those bytes, to out; on a
 *                cap failure out is cut back to where it was.
 *
 * Cost: linear in the size of the message.  Memory at the peak is about
 * four times the attachments (GMime's copy, the encoded output, out, plus
 * the caller's bytes): ~55 MB for a 10 MB attachment, released on return.
 * All GMime objects are unreferenced before returning, on every path.
 */
#include "channels/email/compose.h"
#include "base/buf.h"
#include "base/util.h"
#include "channels/email/mime.h"
#include <gmime/gmime.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ADDR_MAX 254	     /* RFC 5321 path limit less the <> */
#define MSGID_MAX 250	     /* keeps "Message-ID: <...>" well under 998 */
#define HEADER_TEXT_MAX 4000 /* subject, names: longer text is cut (UTF-8 safe) */
#define LINE_SOFT 78	     /* fold header lines before this many octets */
#define WORD_PLAIN_MAX 66    /* a longer plain word is encoded (so it can be split) */
#define B_BYTES_MAX 39	     /* bytes per B word: 52 base64 chars + 12 = 64 */
#define Q_CHARS_MAX 52	     /* encoded chars per Q word */
#define PHRASE_PLAIN_MAX 60  /* a longer ASCII display name is encoded */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- checking and cleaning ---- */

/* An addr-spec we are willing to put in a header: local@domain, printable
 * ASCII without white space or the specials that would need quoting. */
static int addr_ok(const char *a)
{
	const char *at;
	size_t n;

	if (!a)
		return 0;
	n = strlen(a);
	at = strrchr(a, '@');
	if (n == 0 || n > ADDR_MAX || !at || at == a || !at[1] || at[1] == '.' || a[n - 1] == '.')
		return 0;
	for (const char *p = a; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("()<>[]:;\\,\"", c) || (c == '@' && p != at))
			return 0;
	}
	return 1;
}

static int atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* The msg-id in s without its <> and surrounding white space, as
 * [*start, *start + *n); 0 if it is usable: 1..MSGID_MAX bytes of atext,
 * '.' and at most one '@' (need_at: exactly one, not at either end). */
static int msgid_view(const char *s, int need_at, const char **start, size_t *n)
{
	const char *p, *e;
	int ats = 0;

	if (!s)
		return -1;
	p = s;
	e = s + strlen(s);
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (p < e && *p == '<') {
		if (e[-1] != '>')
			return -1;
		p++, e--;
	}
	if (e == p || e - p > MSGID_MAX)
		return -1;
	for (const char *q = p; q < e; q++) {
		if (*q == '@') {
			if (ats++ || q == p || q + 1 == e)
				return -1;
		} else if (*q != '.' && !atext((unsigned char)*q)) {
			return -1;
		}
	}
	if (need_at && !ats)
		return -1;
	*start = p;
	*n = (size_t)(e - p);
	return 0;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned min;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		k = 2, min = 0x80, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		k = 3, min = 0x800, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		k = 4, min = 0x10000, cp = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k;
}

/* s made fit for a header: every run of white space and C0/DEL controls
 * (CR and LF included) becomes one space, no space at either end, invalid
 * UTF-8 becomes U+FFFD, at most HEADER_TEXT_MAX bytes (whole characters).
 * NULL when nothing is left.  Caller frees. */
static char *clean_text(const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0;
	int space = 0;

	for (size_t i = 0; i < n && b.len < HEADER_TEXT_MAX;) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == ' ') {
			space = 1;
			i++;
			continue;
		}
		size_t k = utf8_len(p + i, n - i);
		if (b.len + (space ? 1 : 0) + (k ? k : 3) > HEADER_TEXT_MAX)
			break;
		if (space && b.len)
			buf_addc(&b, ' ');
		space = 0;
		if (k) {
			buf_add(&b, p + i, k);
			i += k;
		} else {
			buf_adds(&b, "\xEF\xBF\xBD");
			i++;
		}
	}
	if (!b.len)
		return NULL;
	return buf_detach(&b);
}

/* Append s with every line end (CRLF, LF, lone CR) as CRLF. */
static void to_crlf(struct buf *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\r') {
			if (p[1] == '\n')
				p++;
			buf_add(out, "\r\n", 2);
		} else if (*p == '\n') {
			buf_add(out, "\r\n", 2);
		} else {
			buf_addc(out, *p);
		}
	}
}

/* "type/subtype" of ct lower-cased into type and subtype (parameters
 * dropped), or application/octet-stream when ct is not of that shape. */
static void media_type(const char *ct, struct buf *type, struct buf *subtype)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+";
	struct buf *cur = type;
	const char *p = ct ? ct : "";

	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? *p + 32 : *p;
		if (c == '/' && cur == type) {
			cur = subtype;
		} else if (!strchr(ok, c) || cur->len >= 127) {
			cur = NULL;
			break;
		} else {
			buf_addc(cur, c);
		}
	}
	if (!cur || cur == type || !type->len || !subtype->len) {
		buf_reset(type);
		buf_reset(subtype);
		buf_adds(type, "application");
		buf_adds(subtype, "octet-stream");
	}
}

/* ---- the header writer ---- */

struct hw {
	struct buf *out;
	size_t col;   /* octets on the current line */
	size_t first; /* col right after "Name:": no fold before the first token */
};

static void hw_start(struct hw *w, const char *name)
{
	buf_adds(w->out, name);
	buf_addc(w->out, ':');
	w->col = w->first = strlen(name) + 1;
}

static void hw_end(struct hw *w) { buf_adds(w->out, "\r\n"); }

/* One token, after a space or, when the line would grow past LINE_SOFT,
 * after a fold (CRLF + space).  Tokens are at most ~90 octets, so no line
 * comes near 998. */
static void hw_token(struct hw *w, const char *tok, size_t n)
{
	if (w->col > w->first && w->col + 1 + n > LINE_SOFT) {
		buf_adds(w->out, "\r\n");
		w->col = 0;
	}
	buf_addc(w->out, ' ');
	buf_add(w->out, tok, n);
	w->col += 1 + n;
}

static void b64(struct buf *out, const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		buf_addc(out, t[v >> 18 & 63]);
		buf_addc(out, t[v >> 12 & 63]);
		buf_addc(out, i + 1 < n ? t[v >> 6 & 63] : '=');
		buf_addc(out, i + 2 < n ? t[v & 63] : '=');
	}
}

/* A byte Q-encoding may leave as is, even inside a phrase (RFC 2047 5(3)). */
static int q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

/* Write s[0..n) (valid UTF-8) as RFC 2047 encoded words, UTF-8, each one a
 * token.  Decoders drop the white space between adjacent encoded words, so
 * the spaces of the text travel inside them.  Only the last B word may end
 * in '=' padding (see the design comment). */
static void hw_encoded(struct hw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf word = BUF_INIT;

	while (n > 0) {
		size_t take = 0, k, mod3 = 0;
		/* whole characters, at most B_BYTES_MAX bytes (at least one) */
		while (take < n) {
			k = utf8_len(p + take, n - take);
			if (!k)
				k = 1; /* cannot happen after clean_text */
			if (take && take + k > B_BYTES_MAX)
				break;
			take += k;
			if (take % 3 == 0)
				mod3 = take;
		}
		buf_reset(&word);
		if (take == n || take % 3 == 0 || mod3) {
			if (take < n && take % 3)
				take = mod3;
			buf_adds(&word, "=?UTF-8?B?");
			b64(&word, p, take);
		} else {
			/* no boundary at a multiple of 3: Q-encode this chunk */
			size_t chars = 0;
			take = 0;
			buf_adds(&word, "=?UTF-8?Q?");
			while (take < n) {
				k = utf8_len(p + take, n - take);
				if (!k)
					k = 1;
				size_t cost = 0;
				for (size_t i = 0; i < k; i++)
					cost += q_plain(p[take + i]) || p[take + i] == ' ' ? 1 : 3;
				if (take && chars + cost > Q_CHARS_MAX)
					break;
				for (size_t i = 0; i < k; i++) {
					unsigned char c = p[take + i];
					if (c == ' ')
						buf_addc(&word, '_');
					else if (q_plain(c))
						buf_addc(&word, (char)c);
					else
						buf_addf(&word, "=%02X", c);
				}
				chars += cost;
				take += k;
			}
		}
		buf_adds(&word, "?=");
		hw_token(w, word.s, word.len);
		p += take;
		n -= take;
	}
	buf_release(&word);
}

static int needs_encoding(const char *s, size_t n)
{
	if (n > WORD_PLAIN_MAX)
		return 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || (s[i] == '=' && i + 1 < n && s[i + 1] == '?'))
			return 1;
	return 0;
}

/* Unstructured text (s from clean_text: words separated by single spaces):
 * plain words as they are, the span from the first to the last word that
 * needs encoding as one run of encoded words. */
static void hw_text(struct hw *w, const char *s)
{
	const char *first = NULL, *last_end = NULL;

	for (const char *p = s; *p;) {
		size_t n = strcspn(p, " ");
		if (needs_encoding(p, n)) {
			if (!first)
				first = p;
			last_end = p + n;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, " ");
		if (p == first) {
			hw_encoded(w, first, (size_t)(last_end - first));
			p = last_end;
		} else {
			hw_token(w, p, n);
			p += n;
		}
		while (*p == ' ')
			p++;
	}
}

/* A display name (from clean_text): atoms, a quoted-string, or encoded
 * words when it is not short printable ASCII. */
static void hw_phrase(struct hw *w, const char *s)
{
	size_t n = strlen(s);
	int atoms = 1;

	if (needs_encoding(s, n) || n > PHRASE_PLAIN_MAX) {
		hw_encoded(w, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && !atext((unsigned char)s[i]))
			atoms = 0;
	if (atoms) {
		hw_text(w, s);
		return;
	}
	struct buf q = BUF_INIT;
	buf_addc(&q, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addc(&q, '\\');
		buf_addc(&q, s[i]);
	}
	buf_addc(&q, '"');
	hw_token(w, q.s, q.len);
	buf_release(&q);
}

/* One address: "phrase <email>" or the bare email, then "," unless last. */
static void hw_mailbox(struct hw *w, const char *name, const char *email, int last)
{
	struct buf t = BUF_INIT;
	char *clean = clean_text(name);

	if (clean)
		hw_phrase(w, clean);
	buf_addf(&t, clean ? "<%s>%s" : "%s%s", email, last ? "" : ",");
	hw_token(w, t.s, t.len);
	buf_release(&t);
	free(clean);
}

static void hw_addresses(struct hw *w, const char *header, const struct mail_address *list, int n)
{
	if (n <= 0)
		return;
	hw_start(w, header);
	for (int i = 0; i < n; i++)
		hw_mailbox(w, list[i].name, list[i].email, i == n - 1);
	hw_end(w);
}

/* "Tue, 05 Mar 2024 05:03:00 +0000" */
static void rfc5322_date(struct buf *out, int64_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 1970) {
		tt = (time_t)now_seconds();
		gmtime_r(&tt, &tm);
	}
	buf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* In-Reply-To and References, each usable msg-id in <>. */
static void hw_threading(struct hw *w, const struct outbound_mail *m)
{
	struct buf t = BUF_INIT;
	const char *id;
	size_t n;
	int usable = 0, written = 0;

	if (m->in_reply_to && !msgid_view(m->in_reply_to, 0, &id, &n)) {
		hw_start(w, "In-Reply-To");
		buf_addf(&t, "<%.*s>", (int)n, id);
		hw_token(w, t.s, t.len);
		hw_end(w);
	}
	for (int i = 0; m->references && i < m->nreferences; i++)
		usable += m->references[i] && !msgid_view(m->references[i], 0, &id, &n);
	/* the first usable one, then the newest MAIL_MAX_REFERENCES - 1 */
	for (int i = 0, k = 0; m->references && i < m->nreferences; i++) {
		if (!m->references[i] || msgid_view(m->references[i], 0, &id, &n))
			continue;
		if (k++ == 0 || k > usable - (MAIL_MAX_REFERENCES - 1)) {
			if (!written++)
				hw_start(w, "References");
			buf_reset(&t);
			buf_addf(&t, "<%.*s>", (int)n, id);
			hw_token(w, t.s, t.len);
		}
	}
	if (written)
		hw_end(w);
	buf_release(&t);
}

static void write_headers(struct buf *out, const struct outbound_mail *m)
{
	struct hw w = {out, 0, 0};
	struct buf t = BUF_INIT;
	const char *id;
	size_t n;
	char *s;

	hw_start(&w, "Date");
	rfc5322_date(&t, m->date ? m->date : now_seconds());
	hw_token(&w, t.s, t.len);
	hw_end(&w);

	hw_start(&w, "From");
	hw_mailbox(&w, m->from_name, m->from_email, 1);
	hw_end(&w);
	if (m->reply_to) {
		hw_start(&w, "Reply-To");
		hw_mailbox(&w, NULL, m->reply_to, 1);
		hw_end(&w);
	}
	hw_addresses(&w, "To", m->to, m->nto);
	hw_addresses(&w, "Cc", m->cc, m->ncc);

	hw_start(&w, "Subject");
	s = clean_text(m->subject);
	if (s)
		hw_text(&w, s);
	free(s);
	hw_end(&w);

	msgid_view(m->message_id, 1, &id, &n); /* checked before */
	hw_start(&w, "Message-ID");
	buf_reset(&t);
	buf_addf(&t, "<%.*s>", (int)n, id);
	hw_token(&w, t.s, t.len);
	hw_end(&w);
	hw_threading(&w, m);

	buf_adds(out, "MIME-Version: 1.0\r\n");
	if (m->auto_generated)
		buf_adds(out,
			 "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n");
	if (m->list_unsubscribe) { /* checked by mail_compose() */
		hw_start(&w, "List-Unsubscribe");
		buf_reset(&t);
		buf_addf(&t, "<%s>", m->list_unsubscribe);
		hw_token(&w, t.s, t.len);
		hw_end(&w);
		buf_adds(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	}
	s = clean_text(m->ticket_header);
	if (s) {
		hw_start(&w, "X-Sonnim-Ticket-Id");
		hw_text(&w, s);
		hw_end(&w);
	}
	free(s);
	buf_release(&t);
}

/* ---- the body ---- */

/* A part holding bytes [data, data + size) with no encoding yet. */
static void set_content(GMimePart *part, const void *data, size_t size)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(size ? data : "", size);
	GMimeDataWrapper *w =
	    g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, w);
	g_object_unref(w);
	g_object_unref(s);
}

/* text/<subtype>; charset=utf-8 with body in canonical form. */
static GMimeObject *text_part(const char *subtype, const char *body)
{
	struct buf b = BUF_INIT;
	GMimeTextPart *tp = g_mime_text_part_new_with_subtype(subtype);
	GMimePart *part = GMIME_PART(tp);

	to_crlf(&b, body);
	set_content(part, b.s, b.len);
	buf_release(&b);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(tp), "charset", "utf-8");
	g_mime_part_set_content_encoding(
	    part, g_mime_part_get_best_content_encoding(part, GMIME_ENCODING_CONSTRAINT_7BIT));
	return GMIME_OBJECT(tp);
}

static GMimeObject *attachment_part(const struct outbound_attachment *a)
{
	struct buf type = BUF_INIT, subtype = BUF_INIT;
	char *name = clean_text(a->file_name);
	GMimePart *part;

	media_type(a->content_type, &type, &subtype);
	part = g_mime_part_new_with_type(type.s, subtype.s);
	buf_release(&type);
	buf_release(&subtype);
	for (char *p = name; p && *p; p++)
		if (*p == '/' || *p == '\\')
			*p = '_';
	g_mime_part_set_filename(part, name ? name : "attachment");
	free(name);
	set_content(part, a->data, a->size);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	return GMIME_OBJECT(part);
}

/* The body: text/plain, or multipart/alternative with the HTML, inside
 * multipart/mixed when there are attachments. */
static GMimeObject *body(const struct outbound_mail *m)
{
	GMimeObject *b = text_part("plain", m->text);

	if (m->html) {
		GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
		GMimeObject *h = text_part("html", m->html);
		g_mime_multipart_add(alt, b);
		g_mime_multipart_add(alt, h);
		g_object_unref(b);
		g_object_unref(h);
		b = GMIME_OBJECT(alt);
	}
	if (m->nattachments > 0) {
		GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mixed, b);
		g_object_unref(b);
		for (int i = 0; i < m->nattachments; i++) {
			GMimeObject *a = attachment_part(&m->attachments[i]);
			g_mime_multipart_add(mixed, a);
			g_object_unref(a);
		}
		b = GMIME_OBJECT(mixed);
	}
	return b;
}

static int check(const struct outbound_mail *m, char *err, size_t errlen)
{
	const char *id;
	size_t n;

	if (!m->from_email || !*m->from_email)
		return fail(err, errlen, "missing from address");
	if (!addr_ok(m->from_email))
		return fail(err, errlen, "invalid address \"%s\"", m->from_email);
	if (m->reply_to && !addr_ok(m->reply_to))
		return fail(err, errlen, "invalid address \"%s\"", m->reply_to);
	if (m->nto < 0 || m->ncc < 0 || m->nto + m->ncc < 1 || (m->nto && !m->to) ||
	    (m->ncc && !m->cc))
		return fail(err, errlen, "no recipients");
	for (int i = 0; i < m->nto + m->ncc; i++) {
		const char *e = i < m->nto ? m->to[i].email : m->cc[i - m->nto].email;
		if (!addr_ok(e))
			return fail(err, errlen, "invalid address \"%s\"", e ? e : "(null)");
	}
	if (!m->message_id || msgid_view(m->message_id, 1, &id, &n))
		return fail(err, errlen, "invalid message-id \"%s\"",
			    m->message_id ? m->message_id : "(null)");
	if (!m->text)
		return fail(err, errlen, "missing text");
	if (m->list_unsubscribe) {
		const char *u = m->list_unsubscribe;
		size_t k = strlen(u), ok = strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0;
		for (size_t i = 0; ok && i < k; i++)
			ok = u[i] > ' ' && u[i] < 0x7f && u[i] != '<' && u[i] != '>';
		if (!ok || k > 900)
			return fail(err, errlen, "invalid list-unsubscribe url");
	}
	if (m->nattachments < 0 || (m->nattachments && !m->attachments))
		return fail(err, errlen, "invalid attachments");
	for (int i = 0; i < m->nattachments; i++)
		if (!m->attachments[i].data && m->attachments[i].size)
			return fail(err, errlen, "attachment %d has no data", i);
	return 0;
}

int mail_compose(const struct outbound_mail *m, struct buf *out, char *err, size_t errlen)
{
	struct buf head = BUF_INIT;
	GMimeObject *part;
	GMimeFormatOptions *fo;
	GMimeStream *ms;
	size_t start = out->len;
	int rc = 0;

	if (!m)
		BUG("mail_compose without a mail");
	if (check(m, err, errlen))
		return -1;

	write_headers(&head, m);
	part = body(m);
	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	ms = g_mime_stream_mem_new();
	if (g_mime_object_write_to_stream(part, fo, ms) < 0) {
		rc = fail(err, errlen, "cannot write message");
	} else {
		GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
		if (buf_add(out, head.s, head.len) || buf_add(out, bytes->data, bytes->len)) {
			if (out->len != start) {
				out->len = start;
				out->s[start] = '\0';
			}
			rc = fail(err, errlen, "message too large");
		}
	}
	g_object_unref(ms);
	g_mime_format_options_free(fo);
	g_object_unref(part);
	buf_release(&head);
	return rc;
}

/* ---- Sonnim's Message-IDs ---- */

/* domain with only letters (lower-cased), digits, '-' and '.' kept and
 * no '.' at either end; "sonnim.invalid" when nothing is left. */
static void norm_domain(struct buf *out, const char *domain)
{
	size_t before = out->len;
	for (const char *p = domain; p && *p; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? *p + 32 : *p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    (c == '.' && out->len > before))
			buf_addc(out, c);
	}
	while (out->len > before && out->s[out->len - 1] == '.')
		out->s[--out->len] = '\0';
	if (out->len == before)
		buf_adds(out, "sonnim.invalid");
}

void mail_message_id(struct buf *out, int64_t ticket_id, int64_t comment_id, const char *domain)
{
	if (ticket_id <= 0 || comment_id < 0)
		BUG("mail_message_id: ticket %" PRId64 " comment %" PRId64, ticket_id, comment_id);
	buf_addf(out, "t%" PRId64 ".c%" PRId64 "@", ticket_id, comment_id);
	norm_domain(out, domain);
}

/* A decimal number in canonical form (no sign, no leading zero) at *p;
 * moves *p past it.  -1 when there is none or it overflows. */
static int number(const char **p, const char *end, int64_t *v)
{
	const char *q = *p;
	int64_t n = 0;

	if (q == end || *q < '0' || *q > '9' ||
	    (*q == '0' && q + 1 < end && q[1] >= '0' && q[1] <= '9'))
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (n > (INT64_MAX - (*q - '0')) / 10)
			return -1;
		n = n * 10 + (*q - '0');
	}
	*p = q;
	*v = n;
	return 0;
}

int mail_parse_message_id(const char *id, const char *domain, int64_t *ticket_id,
			  int64_t *comment_id)
{
	const char *p, *end;
	size_t n;
	int64_t t, c;
	int rc = -1;

	if (!id || msgid_view(id, 1, &p, &n))
		return -1;
	end = p + n;
	if (*p++ != 't' || number(&p, end, &t) || t <= 0 || end - p < 2 || p[0] != '.' ||
	    p[1] != 'c')
		return -1;
	p += 2;
	if (number(&p, end, &c) || p == end || *p++ != '@' || p == end)
		return -1;
	if (domain) {
		struct buf d = BUF_INIT;
		norm_domain(&d, domain);
		rc = (size_t)(end - p) == d.len && !strncasecmp(p, d.s, d.len) ? 0 : -1;
		buf_release(&d);
		if (rc)
			return -1;
	}
	if (ticket_id)
		*ticket_id = t;
	if (comment_id)
		*comment_id = c;
	return 0;
}
