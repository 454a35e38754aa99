/* template.c - the localized mail texts (template.h).
 *
 * The templates are data: per locale, one row per template with a subject
 * line and a body, both with {placeholders} (the closed list var_names).
 * mail_template_render() first prepares the values once (vals_prepare:
 * one-lined, subject prefixes stripped, URL checked, the comment's text
 * and sanitized HTML made), then renders the subject and walks the body's
 * lines once.  The only logic a template has:
 *
 *   "{!name}..."  the line is kept only when name has no value (the
 *                 marker itself is not output);
 *   "...{name}..." a line with a placeholder that has no value is dropped;
 *   "{comment}"   alone on its line: the comment block;
 *   "-- "         starts the footer (the signature separator);
 *   ""            a blank line separates paragraphs.
 *
 * Each kept line goes to the text as is (values inserted raw, at most one
 * blank line in a row, none at the ends) and to the HTML escaped (values
 * escaped, {url} as a link), lines of a paragraph joined by <br>, the
 * footer as <hr> plus a grey <div>.  Cost: linear in the templates and
 * values, plus one html_sanitize() pass over comment_html.
 */
#include "channels/email/template.h"
#include "base/util.h"
#include "core/comment.h"
#include "core/html.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DIAGNOSTIC_MAX 2000 /* bytes of a bounce's diagnostic text kept */

enum var {
	V_TICKET,    /* ticket id */
	V_SUBJECT,   /* ticket subject, cleaned, or the locale's "(no subject)" */
	V_REQUESTER, /* requester name */
	V_AGENT,     /* agent name */
	V_URL,	     /* status link, http(s) only */
	V_PREVIOUS,  /* previous ticket id (followup) */
	V_RECIPIENT, /* failed address (bounce_note) */
	V_STATUS,    /* "5.1.1 diagnostic" (bounce_note) */
	V_COMMENT,   /* the comment (block; its value is only a marker) */
	V_ARTICLES,  /* the suggested articles (block; a marker too) */
	V_COUNT
};

static const char *const var_names[V_COUNT] = {
    "ticket_id",   "subject",	"requester", "agent",	"url",
    "previous_id", "recipient", "status",    "comment", "articles",
};

static const char *const template_names[MAIL_TPL_COUNT] = {
    [MAIL_TPL_REPLY] = "reply",
    [MAIL_TPL_RECEIVED] = "received",
    [MAIL_TPL_FOLLOWUP] = "followup",
    [MAIL_TPL_BOUNCE_NOTE] = "bounce_note",
};

struct text {
	const char *subject, *body;
};

struct locale {
	const char *code;	/* "en", "ko" */
	const char *no_subject; /* the subject value when the ticket has none */
	const char *articles;	/* heading of the suggested articles */
	const char *solved;	/* "this solved my request" */
	struct text t[MAIL_TPL_COUNT];
};

/* One template line per source line. */
/* clang-format off */
#define EN_FOOTER \
	"-- \n" \
	"Request #{ticket_id}: {subject}\n" \
	"To add to this request, reply to this email.\n" \
	"View your request: {url}"

#define KO_FOOTER \
	"-- \n" \
	"요청 #{ticket_id}: {subject}\n" \
	"이 요청에 덧붙이려면 이 메일에 회신하세요.\n" \
	"요청 보기: {url}"

static const struct locale locales[] = {
    {"en",
     "(no subject)",
     "These articles may answer your question:",
     "This solved my request",
     {
	 [MAIL_TPL_REPLY] = {"Re: [#{ticket_id}] {subject}",
			     "{comment}\n"
			     "\n"
			     "{agent}\n"
			     "\n" EN_FOOTER},
	 [MAIL_TPL_RECEIVED] = {"[#{ticket_id}] {subject}",
				"Hello {requester},\n"
				"{!requester}Hello,\n"
				"\n"
				"We received your request #{ticket_id}. Our team will get back to "
				"you as soon as possible.\n"
				"\n"
				"{articles}\n"
				"\n" EN_FOOTER "\n"
				"This message was sent automatically."},
	 [MAIL_TPL_FOLLOWUP] = {"[#{ticket_id}] {subject}",
				"Hello {requester},\n"
				"{!requester}Hello,\n"
				"\n"
				"Your request #{previous_id} was already closed, so we opened a new "
				"request #{ticket_id} with your message. Our team will get back to "
				"you as soon as possible.\n"
				"\n" EN_FOOTER "\n"
				"This message was sent automatically."},
	 [MAIL_TPL_BOUNCE_NOTE] = {"Delivery failed: {recipient}",
				   "Mail to {recipient} could not be delivered: {status}\n"
				   "{!status}Mail to {recipient} could not be delivered.\n"
				   "The requester did not receive it. Check the address, or "
				   "reach them another way."},
     }},
    {"ko",
     "(제목 없음)",
     "이 도움말이 답이 될 수 있어요:",
     "이 도움말로 해결됐어요",
     {
	 [MAIL_TPL_REPLY] = {"Re: [#{ticket_id}] {subject}",
			     "{comment}\n"
			     "\n"
			     "{agent} 드림\n"
			     "\n" KO_FOOTER},
	 [MAIL_TPL_RECEIVED] = {"[#{ticket_id}] {subject}",
				"{requester}님, 안녕하세요.\n"
				"{!requester}안녕하세요.\n"
				"\n"
				"요청이 접수되었습니다. 요청 번호는 #{ticket_id}입니다. 담당자가 "
				"확인한 뒤 최대한 빨리 답변드리겠습니다.\n"
				"\n"
				"{articles}\n"
				"\n" KO_FOOTER "\n"
				"이 메일은 자동으로 발송되었습니다."},
	 [MAIL_TPL_FOLLOWUP] = {"[#{ticket_id}] {subject}",
				"{requester}님, 안녕하세요.\n"
				"{!requester}안녕하세요.\n"
				"\n"
				"이미 종료된 요청 #{previous_id}에 보내신 메일로 새 요청을 "
				"만들었습니다. 새 요청 번호는 #{ticket_id}입니다. 담당자가 확인한 뒤 "
				"최대한 빨리 답변드리겠습니다.\n"
				"\n" KO_FOOTER "\n"
				"이 메일은 자동으로 발송되었습니다."},
	 [MAIL_TPL_BOUNCE_NOTE] = {"메일 전달 실패: {recipient}",
				   "{recipient} 주소로 보낸 메일을 전달하지 못했습니다: {status}\n"
				   "{!status}{recipient} 주소로 보낸 메일을 전달하지 못했습니다.\n"
				   "고객이 메일을 받지 못했습니다. 주소를 확인하거나 다른 방법으로 "
				   "연락해 주세요."},
     }},
};

/* clang-format on */

/* Reply and forward prefixes removed from the front of a ticket subject
 * (ASCII letters compared without case). */
static const char *const subject_prefixes[] = {
    "re:", "fw:", "fwd:", "aw:", "wg:", "회신:", "답장:", "전달:", "답변:",
};

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

/* ---- values ---- */

struct vals_article {
	char *title, *url, *solved_url; /* owned; solved_url may be NULL */
};

struct vals {
	char *v[V_COUNT];	 /* owned; NULL = no value */
	struct buf comment_text; /* the comment as text (LF, trimmed) */
	struct buf comment_html; /* the comment as safe HTML */
	const struct locale *loc;
	struct vals_article art[MAIL_MAX_ARTICLES]; /* the suggested articles */
	int narticles;
};

/* s[0..n) with every run of white space and control bytes as one space,
 * trimmed, cut to max bytes at a character boundary (0 = no cut); NULL
 * when nothing is left.  Caller frees. */
static char *one_line_n(const char *s, size_t n, size_t max)
{
	struct buf b = BUF_INIT;
	int space = 0;

	for (size_t i = 0; s && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f) {
			space = 1;
			continue;
		}
		if (space && b.len)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, (char)c);
	}
	if (max && b.len > max) {
		size_t k = max;
		while (k > 0 && ((unsigned char)b.s[k] & 0xC0) == 0x80)
			k--;
		b.len = k;
		b.s[k] = '\0';
		while (b.len && b.s[b.len - 1] == ' ')
			b.s[--b.len] = '\0';
	}
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static char *one_line(const char *s) { return s ? one_line_n(s, strlen(s), 0) : NULL; }

/* ASCII-caseless prefix test. */
static int has_prefix(const char *s, const char *p) { return !strncasecmp(s, p, strlen(p)); }

/* The ticket subject without reply prefixes and without this ticket's own
 * "[#id]" token; NULL when nothing is left.  Caller frees. */
static char *clean_subject(const char *subject, int64_t ticket_id)
{
	char token[32];
	char *s = one_line(subject), *p, *r;
	size_t tlen;
	int again = 1;

	if (!s)
		return NULL;
	snprintf(token, sizeof(token), "[#%" PRId64 "]", ticket_id);
	tlen = strlen(token);
	p = s;
	while (again) {
		again = 0;
		while (*p == ' ')
			p++;
		for (size_t i = 0; i < ARRAY_SIZE(subject_prefixes); i++)
			if (has_prefix(p, subject_prefixes[i])) {
				p += strlen(subject_prefixes[i]);
				again = 1;
			}
		if (!strncmp(p, token, tlen)) {
			p += tlen;
			again = 1;
		}
	}
	/* the token anywhere else */
	struct buf b = BUF_INIT;
	for (const char *q = p; *q;) {
		const char *t = strstr(q, token);
		if (!t) {
			buf_adds(&b, q);
			break;
		}
		buf_add(&b, q, (size_t)(t - q));
		q = t + tlen;
	}
	free(s);
	r = one_line(b.s);
	buf_release(&b);
	return r;
}

/* url if it is a plain http(s) URL (no white space, quotes or angle
 * brackets), else NULL.  Caller frees. */
static char *clean_url(const char *url)
{
	if (!url || !(has_prefix(url, "http://") || has_prefix(url, "https://")))
		return NULL;
	for (const char *p = url; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>')
			return NULL;
	}
	size_t n = strlen(url);
	if (n <= strlen("https://") || n > 2000)
		return NULL;
	return xstrdup(url);
}

static void vals_release(struct vals *v)
{
	for (int i = 0; i < V_COUNT; i++)
		free(v->v[i]);
	buf_release(&v->comment_text);
	buf_release(&v->comment_html);
	for (int i = 0; i < v->narticles; i++) {
		free(v->art[i].title);
		free(v->art[i].url);
		free(v->art[i].solved_url);
	}
}

static int vals_prepare(struct vals *vals, enum mail_template t, const struct locale *loc,
			const struct mail_values *v, char *err, size_t errlen)
{
	const char *ct = v->comment_text && *v->comment_text ? v->comment_text : NULL;
	const char *ch = v->comment_html && *v->comment_html ? v->comment_html : NULL;
	struct buf b = BUF_INIT;

	memset(vals, 0, sizeof(*vals));
	buf_init(&vals->comment_text, 0);
	buf_init(&vals->comment_html, 0);
	if (v->ticket_id <= 0)
		return fail(err, errlen, "missing ticket id");
	if (t == MAIL_TPL_REPLY && !ct && !ch)
		return fail(err, errlen, "missing comment");
	if (t == MAIL_TPL_FOLLOWUP && v->previous_ticket_id <= 0)
		return fail(err, errlen, "missing previous ticket id");
	if (t == MAIL_TPL_BOUNCE_NOTE && !(vals->v[V_RECIPIENT] = one_line(v->recipient)))
		return fail(err, errlen, "missing recipient");

	buf_addf(&b, "%" PRId64, v->ticket_id);
	vals->v[V_TICKET] = buf_detach(&b);
	vals->v[V_SUBJECT] = clean_subject(v->ticket_subject, v->ticket_id);
	if (!vals->v[V_SUBJECT])
		vals->v[V_SUBJECT] = xstrdup(loc->no_subject);
	vals->v[V_REQUESTER] = one_line(v->requester_name);
	vals->v[V_AGENT] = one_line(v->agent_name);
	vals->v[V_URL] = clean_url(v->status_url);
	if (v->previous_ticket_id > 0) {
		buf_addf(&b, "%" PRId64, v->previous_ticket_id);
		vals->v[V_PREVIOUS] = buf_detach(&b);
	}
	if (t == MAIL_TPL_BOUNCE_NOTE) {
		char *st = one_line(v->status);
		char *dg = v->diagnostic
			       ? one_line_n(v->diagnostic, strlen(v->diagnostic), DIAGNOSTIC_MAX)
			       : NULL;
		if (st || dg)
			buf_addf(&b, "%s%s%s", st ? st : "", st && dg ? " " : "", dg ? dg : "");
		if (b.len)
			vals->v[V_STATUS] = buf_detach(&b);
		free(st);
		free(dg);
	}
	vals->loc = loc;
	for (int i = 0; v->articles && i < v->narticles && vals->narticles < MAIL_MAX_ARTICLES;
	     i++) {
		char *title = one_line(v->articles[i].title);
		char *url = clean_url(v->articles[i].url);
		if (!title || !url) {
			free(title);
			free(url);
			continue;
		}
		vals->art[vals->narticles].title = title;
		vals->art[vals->narticles].url = url;
		vals->art[vals->narticles].solved_url = clean_url(v->articles[i].solved_url);
		vals->narticles++;
	}
	if (vals->narticles)
		vals->v[V_ARTICLES] = xstrdup("");
	if (ct || ch) {
		vals->v[V_COMMENT] = xstrdup("");
		if (ch)
			html_sanitize(ch, strlen(ch), &vals->comment_html,
				      ct ? NULL : &vals->comment_text);
		if (ct) {
			for (const char *p = ct; *p; p++)
				if (*p != '\r' || p[1] != '\n')
					buf_addc(&vals->comment_text, *p == '\r' ? '\n' : *p);
		}
		if (!ch)
			comment_text_to_html(vals->comment_text.s, &vals->comment_html);
		while (vals->comment_text.len &&
		       strchr(" \t\n", vals->comment_text.s[vals->comment_text.len - 1]))
			vals->comment_text.s[--vals->comment_text.len] = '\0';
	}
	buf_release(&b);
	return 0;
}

/* ---- rendering ---- */

static void html_escape(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		case '\'':
			buf_adds(out, "&#39;");
			break;
		default:
			buf_addc(out, s[i]);
		}
	}
}

/* The variable named by p[0..n), or BUG: templates are ours. */
static enum var var_of(const char *p, size_t n)
{
	for (int i = 0; i < V_COUNT; i++)
		if (strlen(var_names[i]) == n && !memcmp(p, var_names[i], n))
			return (enum var)i;
	BUG("template placeholder {%.*s}", (int)n, p);
}

/* Every placeholder of s[0..n) has a value. */
static int line_complete(const struct vals *vals, const char *s, size_t n)
{
	for (const char *p = s, *e = s + n; p < e; p++) {
		if (*p != '{')
			continue;
		const char *close = memchr(p, '}', (size_t)(e - p));
		if (!close)
			BUG("unclosed template placeholder");
		if (!vals->v[var_of(p + 1, (size_t)(close - p - 1))])
			return 0;
		p = close;
	}
	return 1;
}

/* s[0..n) with its placeholders filled: raw into text, escaped into html
 * (html may be NULL). */
static void fill(const struct vals *vals, const char *s, size_t n, struct buf *text,
		 struct buf *html)
{
	for (const char *p = s, *e = s + n; p < e;) {
		const char *open = memchr(p, '{', (size_t)(e - p));
		const char *lit_end = open ? open : e;
		buf_add(text, p, (size_t)(lit_end - p));
		if (html)
			html_escape(html, p, (size_t)(lit_end - p));
		if (!open)
			break;
		const char *close = memchr(open, '}', (size_t)(e - open));
		enum var k = var_of(open + 1, (size_t)(close - open - 1));
		const char *val = vals->v[k] ? vals->v[k] : "";
		buf_adds(text, val);
		if (html && k == V_URL) {
			buf_adds(html, "<a href=\"");
			html_escape(html, val, strlen(val));
			buf_adds(html, "\">");
			html_escape(html, val, strlen(val));
			buf_adds(html, "</a>");
		} else if (html) {
			html_escape(html, val, strlen(val));
		}
		p = close + 1;
	}
}

struct body_state {
	struct buf *text, *html;
	int any;    /* text has content */
	int blank;  /* a blank line is due before the next text line */
	int para;   /* an HTML <p> is open */
	int footer; /* the footer <div> is open */
};

static void text_line_start(struct body_state *st)
{
	if (st->any)
		buf_adds(st->text, st->blank ? "\n\n" : "\n");
	st->any = 1;
	st->blank = 0;
}

static void para_close(struct body_state *st)
{
	if (st->para)
		buf_adds(st->html, "</p>\n");
	st->para = 0;
}

/* The suggested articles: a heading and one item per article (title,
 * link, "this solved my request" link), text and HTML. */
static void render_articles(const struct vals *vals, struct body_state *st)
{
	const char *h = vals->loc->articles, *solved = vals->loc->solved;
	text_line_start(st);
	buf_adds(st->text, h);
	para_close(st);
	buf_adds(st->html, "<p>");
	html_escape(st->html, h, strlen(h));
	buf_adds(st->html, "</p>\n<ul>\n");
	for (int i = 0; i < vals->narticles; i++) {
		const struct vals_article *a = &vals->art[i];
		buf_addf(st->text, "\n- %s\n  %s", a->title, a->url);
		buf_adds(st->html, "<li><a href=\"");
		html_escape(st->html, a->url, strlen(a->url));
		buf_adds(st->html, "\">");
		html_escape(st->html, a->title, strlen(a->title));
		buf_adds(st->html, "</a>");
		if (a->solved_url) {
			buf_addf(st->text, "\n  %s: %s", solved, a->solved_url);
			buf_adds(st->html, "<br>\n<a href=\"");
			html_escape(st->html, a->solved_url, strlen(a->solved_url));
			buf_adds(st->html, "\">");
			html_escape(st->html, solved, strlen(solved));
			buf_adds(st->html, "</a>");
		}
		buf_adds(st->html, "</li>\n");
	}
	buf_adds(st->html, "</ul>\n");
}

static void render_body(const char *tpl, const struct vals *vals, struct buf *text,
			struct buf *html)
{
	struct body_state st = {text, html, 0, 0, 0, 0};

	for (const char *line = tpl; line;) {
		const char *nl = strchr(line, '\n');
		const char *s = line, *e = nl ? nl : line + strlen(line);
		line = nl ? nl + 1 : NULL;

		if (e - s > 2 && s[0] == '{' && s[1] == '!') {
			const char *close = memchr(s, '}', (size_t)(e - s));
			if (!close)
				BUG("unclosed template condition");
			if (vals->v[var_of(s + 2, (size_t)(close - s - 2))])
				continue;
			s = close + 1;
		}
		if (s == e) {
			st.blank = st.any;
			para_close(&st);
			continue;
		}
		if (!line_complete(vals, s, (size_t)(e - s)))
			continue;
		if ((size_t)(e - s) == strlen("{comment}") && !memcmp(s, "{comment}", 9)) {
			text_line_start(&st);
			buf_add(text, vals->comment_text.s, vals->comment_text.len);
			para_close(&st);
			buf_add(html, vals->comment_html.s, vals->comment_html.len);
			buf_addc(html, '\n');
			continue;
		}
		if ((size_t)(e - s) == strlen("{articles}") && !memcmp(s, "{articles}", 10)) {
			render_articles(vals, &st);
			continue;
		}
		if (e - s == 3 && !memcmp(s, "-- ", 3)) {
			text_line_start(&st);
			buf_adds(text, "-- ");
			para_close(&st);
			buf_adds(html,
				 "<hr style=\"border:none;border-top:1px solid #ddd;margin:24px 0 "
				 "12px\">\n<div style=\"color:#777;font-size:12px\">\n");
			st.footer = 1;
			continue;
		}
		text_line_start(&st);
		buf_adds(html, st.para ? "<br>\n" : "<p>");
		st.para = 1;
		fill(vals, s, (size_t)(e - s), text, html);
	}
	para_close(&st);
	if (st.footer)
		buf_adds(html, "</div>\n");
}

void mail_rendered_init(struct mail_rendered *r)
{
	buf_init(&r->subject, 0);
	buf_init(&r->text, 0);
	buf_init(&r->html, 0);
}

void mail_rendered_release(struct mail_rendered *r)
{
	buf_release(&r->subject);
	buf_release(&r->text);
	buf_release(&r->html);
}

const char *mail_template_locale(const char *locale)
{
	if (locale && (locale[0] == 'k' || locale[0] == 'K') &&
	    (locale[1] == 'o' || locale[1] == 'O') &&
	    (locale[2] == '\0' || locale[2] == '-' || locale[2] == '_'))
		return "ko";
	return "en";
}

int mail_template_by_name(const char *name)
{
	for (int i = 0; name && i < MAIL_TPL_COUNT; i++)
		if (!strcmp(name, template_names[i]))
			return i;
	return -1;
}

const char *mail_template_name(enum mail_template t)
{
	return (int)t >= 0 && t < MAIL_TPL_COUNT ? template_names[t] : NULL;
}

int mail_template_render(enum mail_template t, const char *locale, const struct mail_values *v,
			 struct mail_rendered *out, char *err, size_t errlen)
{
	const struct locale *loc = &locales[0];
	const char *code = mail_template_locale(locale);
	struct vals vals;

	buf_reset(&out->subject);
	buf_reset(&out->text);
	buf_reset(&out->html);
	if ((int)t < 0 || t >= MAIL_TPL_COUNT || !v)
		return fail(err, errlen, "unknown template");
	for (size_t i = 0; i < ARRAY_SIZE(locales); i++)
		if (!strcmp(locales[i].code, code))
			loc = &locales[i];
	if (vals_prepare(&vals, t, loc, v, err, errlen)) {
		vals_release(&vals);
		return -1;
	}

	fill(&vals, loc->t[t].subject, strlen(loc->t[t].subject), &out->subject, NULL);
	if (t == MAIL_TPL_BOUNCE_NOTE) {
		buf_adds(&out->html, "<div class=\"zd-comment\">\n");
	} else {
		buf_addf(&out->html,
			 "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width\">\n</head>\n"
			 "<body style=\"font-family:sans-serif;font-size:14px;line-height:1.5;"
			 "color:#222\">\n",
			 loc->code);
	}
	render_body(loc->t[t].body, &vals, &out->text, &out->html);
	buf_adds(&out->html, t == MAIL_TPL_BOUNCE_NOTE ? "</div>" : "</body>\n</html>\n");
	vals_release(&vals);
	return 0;
}
