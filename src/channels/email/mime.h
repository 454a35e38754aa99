/* mime.h - one raw RFC 5322 message in, one struct mail out (GMime 3).
 *
 * mail_parse() reads the message from memory and fills a struct mail with
 * everything the inbound path needs: addresses (RFC 2047 decoded, lower-
 * cased e-mail part), subject, the threading headers, the body as plain
 * text and as allow-listed HTML (core/html.h), the attachments with their
 * bytes, and the facts loop protection and bounce handling look at.  All
 * text is UTF-8: every charset a customer's client sends (EUC-KR/CP949,
 * ISO-2022-KR, ISO-2022-JP, Shift_JIS, ISO-8859-x, Windows-125x, UTF-8 and
 * mislabelled variants) is converted, and bytes that cannot be converted
 * become U+FFFD rather than an error.
 *
 * mail_parse() is a pure function of its input (no I/O, no database): it
 * is what the fuzz harness tests/fuzz/mime drives.  Limits: at most
 * MAIL_MAX_PARTS MIME parts are walked (the rest are ignored and
 * `truncated` is set), nesting deeper than MAIL_MAX_DEPTH is not followed.
 * Before GMime sees the input it is cut before the (4 * MAIL_MAX_PARTS + 1)th
 * line that starts with "--" (GMime builds every part before we can count
 * them; this keeps its memory and time linear): such a message also has
 * `truncated` set.  `text` and `html` are cut (at a character boundary) at
 * MAIL_MAX_TEXT bytes each; the address lists keep their first
 * MAIL_MAX_ADDRS entries, References the first and the newest
 * MAIL_MAX_REFS - 1.  Time and memory are linear in len.
 *
 * Text bodies: multipart/alternative gives `text` from text/plain and
 * `html` from text/html; a message with only HTML gets `text` rendered
 * from it by html_sanitize().  Several inline text parts (text, image,
 * text in multipart/mixed) are joined in order.  Forwarded messages
 * (message/rfc822) are attachments and their text is not in the body.
 */
#ifndef SONNIM_MAIL_MIME_H
#define SONNIM_MAIL_MIME_H
#include <stddef.h>
#include <stdint.h>

#define MAIL_MAX_PARTS 10000
#define MAIL_MAX_DEPTH 32
#define MAIL_MAX_TEXT (16 << 20) /* bytes of text, and of html */
#define MAIL_MAX_ADDRS 1000	 /* per address list, and DSN recipients */
#define MAIL_MAX_REFS 1000	 /* msg-ids kept from References */

struct mail_address {
	char *name;  /* display name, decoded, or NULL */
	char *email; /* addr-spec, lower-cased; never NULL */
};

struct mail_attachment {
	char *file_name;     /* decoded (RFC 2231/2047, any charset); never NULL:
				"attachment", "message.eml", "image.png"... made up when absent
				(a message/rfc822 part is "<its subject>.eml"); always a clean
				name (core/filetype.h filetype_name_clean) and unique within
				the message: a second "a.txt" becomes "a1.txt" */
	char *content_type;  /* "type/subtype", lower-cased */
	char *content_id;    /* without <>, or NULL */
	int is_inline;	     /* Content-Disposition inline, or referenced by cid: */
	unsigned char *data; /* decoded bytes (owned; a message/rfc822 part is the
				whole message); never NULL, even when size is 0 */
	size_t size;
};

struct mail {
	struct mail_address from; /* the first From field with an address, else
				     Sender:, else Reply-To:; email "" when the
				     message has none of them */
	struct mail_address *reply_to, *to, *cc;
	int nreply_to, nto, ncc;
	char *subject;	   /* decoded; "" when absent */
	char *message_id;  /* without <>, or NULL */
	char *in_reply_to; /* first msg-id of In-Reply-To, without <>, or NULL */
	char **references; /* msg-ids of References, without <>, oldest first */
	int nreferences;
	int64_t date; /* Date: as Unix time, 0 when absent or unreadable */

	char *text;	  /* the body as plain text (from text/plain, else from the
			     HTML); "" when there is none; never NULL */
	char *html;	  /* the HTML body, sanitized (html_sanitize), or NULL */
	char *reply_text; /* text with the quoted earlier conversation removed
			     (core/quote.h); never NULL */
	struct mail_attachment *attachments;
	int nattachments;

	/* loop protection (RFC 3834) */
	char *auto_submitted; /* Auto-Submitted keyword lower-cased ("auto-replied";
				 parameters and comments dropped), or NULL */
	char *precedence;     /* Precedence keyword lower-cased, or NULL */
	int is_list;	      /* List-Id or List-Unsubscribe present */
	int is_auto_reply;    /* Auto-Submitted other than "no", X-Autoreply,
				 X-Autorespond, X-Auto-Response-Suppress: All/OOF,
				 Precedence bulk/junk/list/auto_reply */
	int from_daemon;      /* From is mailer-daemon@, postmaster@ or noreply-like
				 bounce sender (local part mailer-daemon, mailerdaemon,
				 mail-daemon, postmaster, noreply, no-reply, no_reply,
				 donotreply, do-not-reply, do_not_reply, bounce, bounces),
				 or the envelope-less <> form (From: <> or
				 Return-Path: <>) */

	/* delivery status notification (RFC 3464 multipart/report) */
	int is_dsn;
	char **dsn_recipients; /* Final-Recipient addresses of failed deliveries
				  (Action: failed, or no Action and a 5.x.x Status),
				  lower-cased, without the "rfc822;" type */
	int ndsn_recipients;
	char *dsn_status;     /* first Status: e.g. "5.1.1", or NULL (a failed
				 recipient's first, else any recipient's) */
	char *dsn_diagnostic; /* first Diagnostic-Code text without its "smtp;"
				 type, or NULL (chosen like dsn_status) */
	char *dsn_message_id; /* Message-ID of the returned message, or NULL */

	int truncated; /* part or depth limit hit, the input cut (see above), or
			  text/html cut at MAIL_MAX_TEXT */
};

/* Parse raw[0..len).  Returns 0 and fills *out (release with mail_clear);
 * or -1 with a reason in err ("no headers", "not a message") when there is
 * nothing that could be read as a message - out is then cleared.
 * A message with broken parts still parses: what can be read is kept. */
int mail_parse(const char *raw, size_t len, struct mail *out, char *err, size_t errlen);
void mail_clear(struct mail *m);
/* Call once before threads start (g_mime_init); idempotent. */
void mime_init(void);
#endif
