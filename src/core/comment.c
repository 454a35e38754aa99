/* comment.c - comment helpers: text <-> HTML.  Pure string work.
 * Inbound HTML is never stored as given: we keep its text and render our
 * own HTML from it, so no markup from outside reaches an agent's browser. */
#include "core/comment.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

void attachment_clear(struct attachment *a)
{
	free(a->file_name);
	free(a->content_type);
	free(a->sha256);
	memset(a, 0, sizeof(*a));
}

void comment_clear(struct comment *c)
{
	free(c->body);
	free(c->html_body);
	free(c->via_channel);
	for (int i = 0; i < c->nattachments; i++)
		attachment_clear(&c->attachments[i]);
	free(c->attachments);
	memset(c, 0, sizeof(*c));
}

static void esc(struct buf *out, char c)
{
	switch (c) {
	case '<': buf_adds(out, "&lt;"); break;
	case '>': buf_adds(out, "&gt;"); break;
	case '&': buf_adds(out, "&amp;"); break;
	case '"': buf_adds(out, "&quot;"); break;
	case '\'': buf_adds(out, "&#39;"); break;
	default: buf_addc(out, c);
	}
}

void comment_text_to_html(const char *text, struct buf *out)
{
	buf_adds(out, "<div class=\"zd-comment\"><p>");
	for (const char *p = text; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			if (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n')) {
				buf_adds(out, "</p><p>");
				while (p[1] == '\n' || p[1] == '\r')
					p++;
			} else {
				buf_adds(out, "<br>");
			}
			continue;
		}
		if (!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8)) {
			size_t n = strcspn(p, " \t\r\n<>\"'");
			buf_adds(out, "<a href=\"");
			for (size_t i = 0; i < n; i++)
				esc(out, p[i]);
			buf_adds(out, "\" rel=\"noopener noreferrer\">");
			for (size_t i = 0; i < n; i++)
				esc(out, p[i]);
			buf_adds(out, "</a>");
			p += n - 1;
			continue;
		}
		esc(out, *p);
	}
	buf_adds(out, "</p></div>");
}

void comment_html_to_text(const char *html, struct buf *out)
{
	static const struct {
		const char *ent, *txt;
	} ents[] = {{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""},
		    {"&#39;", "'"}, {"&nbsp;", " "}, {"&apos;", "'"}};
	for (const char *p = html; *p;) {
		if (*p == '<') {
			const char *e = strchr(p, '>');
			if (!e)
				break;
			if (!strncasecmp(p, "<br", 3) || !strncasecmp(p, "</p", 3) ||
			    !strncasecmp(p, "</div", 5) || !strncasecmp(p, "</li", 4))
				buf_addc(out, '\n');
			/* drop the content of script and style elements */
			if (!strncasecmp(p, "<script", 7) || !strncasecmp(p, "<style", 6)) {
				const char *end = strcasestr(e, p[1] == 's' && (p[2] == 'c' || p[2] == 'C')
									? "</script" : "</style");
				e = end ? strchr(end, '>') : NULL;
				if (!e)
					break;
			}
			p = e + 1;
			continue;
		}
		if (*p == '&') {
			size_t i;
			for (i = 0; i < ARRAY_SIZE(ents); i++)
				if (!strncmp(p, ents[i].ent, strlen(ents[i].ent)))
					break;
			if (i < ARRAY_SIZE(ents)) {
				buf_adds(out, ents[i].txt);
				p += strlen(ents[i].ent);
				continue;
			}
		}
		buf_addc(out, *p++);
	}
	/* trim trailing newlines */
	while (out->len && out->s[out->len - 1] == '\n')
		out->s[--out->len] = '\0';
}
