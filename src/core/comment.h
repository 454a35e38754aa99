/* comment.h - one message on a ticket: public reply or internal note. */
#ifndef SONNIM_COMMENT_H
#define SONNIM_COMMENT_H
#include "base/buf.h"
#include <stdint.h>

struct attachment {
	int64_t id;
	char *file_name, *content_type, *sha256;
	int64_t size;
};

struct comment {
	int64_t id, ticket_id, audit_id, author_id;
	char *body;		/* plain text */
	char *html_body;	/* safe HTML derived from body */
	int is_public;
	char *via_channel;
	int64_t created_at;
	struct attachment *attachments;
	int nattachments;
};

void comment_clear(struct comment *c);
void attachment_clear(struct attachment *a);
/* Append body as HTML: text escaped, paragraphs on blank lines, <br> on
 * single newlines, http(s) links made clickable. */
void comment_text_to_html(const char *text, struct buf *out);
/* Plain text of an HTML fragment: tags dropped, the common entities decoded,
 * <br>/<p> turned into newlines.  Never fails; out is valid UTF-8 if in was. */
void comment_html_to_text(const char *html, struct buf *out);
#endif
