/* html_check.h - the vocabulary of the independent reader that checks
 * html_sanitize()'s output: the allowed elements and attributes, UTF-8
 * validity, entity decoding.  Shared by tests/unit/core/test_html.c and
 * the fuzz harness next to this file, so both judge by the same rules
 * (and neither by the sanitizer's own tables). */
#ifndef SONNIM_HTML_CHECK_H
#define SONNIM_HTML_CHECK_H
#include "base/buf.h"
#include <stddef.h>
#include <string.h>
#include <strings.h>


static const char *const allowed[] = {
    "p",      "br",    "div", "span",	    "b",   "strong",  "i",  "em",  "u",	    "s",
    "strike", "sub",   "sup", "blockquote", "pre", "code",    "ul", "ol",  "li",    "h1",
    "h2",     "h3",    "h4",  "h5",	    "h6",  "hr",      "a",  "img", "table", "thead",
    "tbody",  "tfoot", "tr",  "td",	    "th",  "caption", NULL};

static inline int in_list(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && !memcmp(*list, s, n))
			return 1;
	return 0;
}

static inline int attr_allowed(const char *el, const char *a, size_t n)
{
	static const char *const global[] = {"dir", "lang", NULL};
	static const char *const a_attrs[] = {"href", "title", "rel", "target", NULL};
	static const char *const img[] = {"src", "alt", "width", "height", NULL};
	static const char *const cell[] = {"colspan", "rowspan", NULL};
	static const char *const ol[] = {"start", NULL};
	if (in_list(global, a, n))
		return 1;
	if (!strcmp(el, "a"))
		return in_list(a_attrs, a, n);
	if (!strcmp(el, "img"))
		return in_list(img, a, n);
	if (!strcmp(el, "td") || !strcmp(el, "th"))
		return in_list(cell, a, n);
	if (!strcmp(el, "ol"))
		return in_list(ol, a, n);
	return 0;
}

static inline int utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], k, cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c < 0xE0)
			k = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c < 0xF0)
			k = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c < 0xF5)
			k = 4, cp = c & 0x07;
		else
			return 0;
		if (n - i < k)
			return 0;
		for (unsigned j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return 0;
		i += k;
	}
	return 1;
}

/* Undo our five escapes in v[0..n) into d; 0, or -1 on another entity. */
static inline int unescape(const char *v, size_t n, struct buf *d)
{
	static const char *const ents[][2] = {
	    {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
	buf_reset(d);
	for (size_t i = 0; i < n;) {
		if (v[i] != '&') {
			buf_addc(d, v[i++]);
			continue;
		}
		size_t j;
		for (j = 0; j < 5; j++) {
			size_t l = strlen(ents[j][0]);
			if (n - i >= l && !memcmp(v + i, ents[j][0], l)) {
				buf_adds(d, ents[j][1]);
				i += l;
				break;
			}
		}
		if (j == 5)
			return -1;
	}
	return 0;
}

#endif
