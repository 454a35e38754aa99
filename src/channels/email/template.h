/* template.h - the texts Sonnim mails to customers (and the note it
 * writes when a mail bounces), in Korean and English.
 *
 * mail_template_render() turns one template of a closed list, a locale
 * and a struct mail_values into a subject, a plain text and an HTML body,
 * ready for struct outbound_mail (compose.h).  A pure function: no I/O,
 * no clock, no shared state.
 *
 * The templates (name: what it is; subject):
 *   reply        an agent's public comment, with the agent's name and the
 *                request footer;                 "Re: [#123] <subject>"
 *   received     the auto-reply to a new request by mail, with the answer
 *                bot's articles when there are some (each with its link
 *                and a "this solved my request" link);
 *                                                 "[#123] <subject>"
 *   followup     a reply to a closed request opened a new one;
 *                                                 "[#456] <subject>"
 *   bounce_note  the internal note on the ticket when a mail to the
 *                requester could not be delivered ("Mail to x could not be
 *                delivered: 5.1.1 ..."); "Delivery failed: x"
 *
 * Subjects: threading of inbound mail relies on the "[#123]" token, so
 * every customer mail carries it.  Replies add "Re: " because they answer
 * the customer's message and mail clients group and show them as replies;
 * notices do not.  Reply prefixes already on the ticket subject ("Re:",
 * "RE:", "Fwd:", "FW:", "AW:", "WG:", "회신:", "답장:", "전달:") and an
 * existing "[#123]" token of the same ticket are removed first, so
 * subjects do not grow "Re: Re: [#123] [#123]" over a conversation.
 *
 * Footer: customer mails end with a "-- " signature separator and the
 * request footer ("To add to this request, reply to this email." / "이
 * 요청에 덧붙이려면 이 메일에 회신하세요."), so mail clients dim it and the
 * quote stripper (core/quote.h) drops it with the rest of the quote.
 *
 * Korean particles: a number's particle depends on how it is read (#123을,
 * #122를), so the Korean texts never put a particle right after a number:
 * "요청 번호는 #123입니다" (입니다 fits every number).
 *
 * HTML: every value is HTML-escaped; the status link is kept only when it
 * is an http(s) URL (else it is left out of text and HTML alike); the
 * comment's HTML is passed through html_sanitize() (core/html.h) again, so
 * nothing the caller gives can add markup.  Customer mails get a whole
 * small HTML document (<html lang="ko">, inline styles only, as mail
 * clients want); the bounce note gets a fragment like comment bodies
 * (<div class="zd-comment">...</div>, see core/comment.h).
 */
#ifndef SONNIM_MAIL_TEMPLATE_H
#define SONNIM_MAIL_TEMPLATE_H
#include "base/buf.h"
#include <stddef.h>
#include <stdint.h>

enum mail_template {
	MAIL_TPL_REPLY,	      /* "reply" */
	MAIL_TPL_RECEIVED,    /* "received" */
	MAIL_TPL_FOLLOWUP,    /* "followup" */
	MAIL_TPL_BOUNCE_NOTE, /* "bounce_note" */
	MAIL_TPL_COUNT
};

/* An article the answer bot suggests (received, followup). */
struct mail_article {
	const char *title;	/* required */
	const char *url;	/* the article on the help center (http(s)) */
	const char *solved_url; /* "this solved my request" (http(s)); none -> no line */
};
#define MAIL_MAX_ARTICLES 5

/* What the templates put in.  Strings are UTF-8; NULL and "" both mean
 * "none".  One-line values (everything but the comment) have their line
 * breaks and runs of white space turned into single spaces. */
struct mail_values {
	int64_t ticket_id;	    /* required, > 0: the request the mail is about */
	const char *ticket_subject; /* none -> "(no subject)" / "(제목 없음)" */
	const char *requester_name; /* greeting "Hello Jane," / "Jane님, 안녕하세요.";
				       none -> "Hello," / "안녕하세요." */
	const char *agent_name;	    /* reply: signs the comment; none -> no line */
	const char *comment_text;   /* reply: the comment as plain text */
	const char *comment_html;   /* reply: the comment as HTML (sanitized again),
				       or none: then made from comment_text.  A reply
				       needs at least one of the two; with only the
				       HTML the text is derived from it */
	const char *status_url;	    /* http(s) link to the request; none (or any
				       other scheme) -> the "view" line is left out */
	int64_t previous_ticket_id; /* followup: the closed request (required, > 0) */
	const char *recipient;	    /* bounce_note: the address that failed (required) */
	const char *status;	    /* bounce_note: DSN status "5.1.1", or none */
	const char *diagnostic;	    /* bounce_note: the server's text, or none
				       (cut at 2000 bytes) */
	const struct mail_article *articles; /* received, followup: "these articles may
						answer your question" (at most
						MAIL_MAX_ARTICLES used; none -> no block) */
	int narticles;
};

/* What comes out.  Each buf is owned by the struct. */
struct mail_rendered {
	struct buf subject; /* one line, no CR/LF */
	struct buf text;    /* plain text, LF line ends, no trailing newline */
	struct buf html;    /* HTML document (customer mails) or fragment (note) */
};

void mail_rendered_init(struct mail_rendered *r);
void mail_rendered_release(struct mail_rendered *r);

/* Render template t in locale into out (its bufs are reset first).
 * locale: "ko", "ko-KR", "ko_KR" (any case) give Korean; everything else,
 * NULL included, gives English.  Returns 0; or -1 with a reason in err
 * ("unknown template", "missing ticket id", "missing comment", "missing
 * previous ticket id", "missing recipient") and out reset. */
int mail_template_render(enum mail_template t, const char *locale, const struct mail_values *v,
			 struct mail_rendered *out, char *err, size_t errlen);

/* The template called name ("reply", ...), or -1 if there is none. */
int mail_template_by_name(const char *name);
/* The name of t, or NULL when t is out of range. */
const char *mail_template_name(enum mail_template t);
/* The locale render uses for locale: "ko" or "en". */
const char *mail_template_locale(const char *locale);
#endif
