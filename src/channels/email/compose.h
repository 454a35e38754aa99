/* compose.h - one outbound RFC 5322 message from a struct outbound_mail
 * (GMime 3), and Sonnim's own Message-IDs.
 *
 * mail_compose() is a pure function of its input (no I/O, no clock unless
 * date is 0): the send job (email.h) fills a struct outbound_mail from the
 * ticket, the comment and the rendered template (template.h), composes,
 * and hands the bytes to SMTP (smtp.h).  The bytes are ready for the wire:
 * CRLF line ends only, no line over 998 octets, headers 7-bit (non-ASCII
 * names and subjects as RFC 2047 encoded words in UTF-8, file names as RFC
 * 2231 parameters), bodies in UTF-8 with quoted-printable or base64.  SMTP
 * dot-stuffing is the sender's job, not this one's.
 *
 * The MIME structure depends on what is given:
 *   text only                      text/plain
 *   text + html                    multipart/alternative (text, html)
 *   either + attachments           multipart/mixed (the above, then one
 *                                  base64 part per attachment, in order,
 *                                  Content-Disposition: attachment)
 *
 * Header injection: every value that ends up in a header is cleaned first.
 * In display names, the subject, file names and X-Sonnim-Ticket-Id every
 * run of white space and control bytes (CR, LF, tab, other C0, DEL)
 * becomes one space, invalid UTF-8 becomes U+FFFD, and the text is cut at
 * 4000 bytes: "a\r\nBcc: x" is the harmless text "a Bcc: x", folded and
 * RFC 2047-encoded by us as needed.  Addresses and msg-ids are not
 * repaired but checked: an address with white space, control bytes,
 * non-ASCII bytes or specials, or our own message_id with any of those,
 * fails the call; an unusable in_reply_to/references entry (they come
 * from customers' mail) is left out.
 *
 * Loop protection: when auto_generated is set the message carries
 * "Auto-Submitted: auto-generated" (RFC 3834) and "X-Auto-Response-
 * Suppress: All" (Exchange/Outlook's equivalent), so vacation responders
 * and other help desks do not answer it.  Agent replies are written by a
 * person and carry neither.  No "Precedence:" header is written: RFC 3834
 * (section 5) does not recommend it, it was never standardised, and
 * "Precedence: bulk" makes Gmail and Outlook treat a transactional mail as
 * bulk mail; the two headers above cover the responders that matter.
 *
 * GMime must be initialised first (mime_init() in mime.h, or g_mime_init()).
 * Threads: no shared state; calls may run concurrently after init.
 */
#ifndef SONNIM_MAIL_COMPOSE_H
#define SONNIM_MAIL_COMPOSE_H
#include <stddef.h>
#include <stdint.h>

struct buf;
struct mail_address; /* mime.h: { char *name; char *email; } */

/* At most this many References entries are written: the first (the
 * thread's root) and the newest MAIL_MAX_REFERENCES - 1, as mail clients
 * trim them. */
#define MAIL_MAX_REFERENCES 20

struct outbound_attachment {
	const char *file_name;	   /* UTF-8; NULL or "" -> "attachment"; CR/LF and
				      controls cleaned as above, '/' and '\\' become '_' */
	const char *content_type;  /* "type/subtype"; NULL or not that shape ->
				      "application/octet-stream"; parameters are dropped */
	const unsigned char *data; /* the bytes (may be NULL when size is 0); copied */
	size_t size;
};

struct outbound_mail {
	const char *from_name;		    /* display name ("Jane at ACME Support") or NULL */
	const char *from_email;		    /* required: "support@example.com" */
	const char *reply_to;		    /* address for Reply-To:, or NULL for none */
	const struct mail_address *to, *cc; /* name may be NULL; email required */
	int nto, ncc;			    /* nto + ncc must be at least 1 */
	const char *subject;		    /* UTF-8, NULL = "" */
	const char *message_id;		    /* required, without <> ("t45.c123@support.example.com",
					       see mail_message_id()) */
	const char *in_reply_to;	    /* msg-id without <> (<> tolerated), or NULL */
	const char *const *references;	    /* msg-ids, oldest first; NULL when none */
	int nreferences;
	const char *text; /* required: the text/plain body, UTF-8, LF or CRLF */
	const char *html; /* the text/html body (a whole document or a fragment)
			     or NULL: then the mail is text/plain only */
	const struct outbound_attachment *attachments;
	int nattachments;
	int auto_generated;	   /* 1 for notifications and auto-replies: adds
				      Auto-Submitted and X-Auto-Response-Suppress; 0 for
				      replies an agent wrote */
	int64_t date;		   /* Date: as Unix time (UTC); 0 = now.  Pass the
				      comment's time so a retried send is byte-identical
				      apart from the MIME boundaries */
	const char *ticket_header; /* value of X-Sonnim-Ticket-Id, or NULL for none */
	const char *list_unsubscribe; /* an https/http URL for List-Unsubscribe (RFC 2369)
					 with List-Unsubscribe-Post: List-Unsubscribe=One-Click
					 (RFC 8058), or NULL for neither; a URL with white space,
					 controls, '<' or '>' fails the call */
};

/* Compose m and append the message to out.  Returns 0; or -1 with a reason
 * in err (lower case, e.g. "invalid address \"a b@c\"", "no recipients",
 * "missing text", "invalid message-id", "message too large" when out's cap
 * is hit) and out exactly as it was before the call. */
int mail_compose(const struct outbound_mail *m, struct buf *out, char *err, size_t errlen);

/* Append Sonnim's Message-ID for the mail about comment_id on ticket_id,
 * without <>: "t45.c123@support.example.com".  The same arguments give the
 * same id, so a retried send keeps its Message-ID and receivers drop the
 * duplicate; hence at most one outbound mail per (ticket, comment) may use
 * it (a mail not about one comment passes comment_id 0).  ticket_id > 0,
 * comment_id >= 0 (else BUG).  domain: the mail domain (email_domain() in
 * email.h), lower-cased; bytes other than letters, digits, '-' and '.' are
 * dropped (give IDNs in punycode), so are dots at either end, and
 * "sonnim.invalid" is used when nothing is left or domain is NULL. */
void mail_message_id(struct buf *out, int64_t ticket_id, int64_t comment_id, const char *domain);

/* Recognise an id made by mail_message_id() (with or without <>, domain
 * compared without case; domain NULL accepts any).  Returns 0 and sets
 * *ticket_id and *comment_id (either pointer may be NULL); -1 if id is not
 * one of ours, including NULL. */
int mail_parse_message_id(const char *id, const char *domain, int64_t *ticket_id,
			  int64_t *comment_id);
#endif
