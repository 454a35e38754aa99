/* md_check.h - reads back what markdown_render() wrote and fails on
 * anything a browser would run: an element or attribute outside the
 * sanitizer's allow-list (html_check.h, the same independent tables the
 * HTML tests use), an href/src whose scheme is not http(s), mailto, tel or
 * cid (or none), a raw '>' '"' or '\'' in text, or invalid UTF-8.  Shared
 * by tests/unit/core/test_markdown.c and the fuzz harness next to it.
 * md_inert() returns NULL when the output is inert, else what is wrong. */
#ifndef SONNIM_MD_CHECK_H
#define SONNIM_MD_CHECK_H
#include "../html/html_check.h"
#include <stdio.h>

/* The scheme of a URL as a browser reads it ("" none) into sch. */
static inline void md_scheme(const char *u, size_t n, char *sch, size_t cap)
{
	struct buf c = BUF_INIT, d = BUF_INIT;
	unescape(u, n, &d);
	const char *p = d.s;
	while (*p && (unsigned char)*p <= 0x20)
		p++;
	for (; *p; p++)
		if (*p != '\t' && *p != '\n' && *p != '\r')
			buf_addc(&c, *p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	size_t k = strspn(c.s, "abcdefghijklmnopqrstuvwxyz0123456789+-.");
	sch[0] = '\0';
	if (k && c.s[0] >= 'a' && c.s[0] <= 'z' && c.s[k] == ':' && k < cap) {
		memcpy(sch, c.s, k);
		sch[k] = '\0';
	}
	buf_release(&c);
	buf_release(&d);
}

static inline const char *md_inert(const char *out, size_t n)
{
	if (strlen(out) != n || !utf8_valid((const unsigned char *)out, n))
		return "not valid UTF-8 / has NUL";
	for (size_t i = 0; i < n;) {
		if (out[i] == '>' || out[i] == '"' || out[i] == '\'')
			return "raw > \" or ' in text";
		if (out[i] != '<') {
			i++;
			continue;
		}
		size_t a = i + 1 + (out[i + 1] == '/'), b = a;
		while (b < n && ((out[b] >= 'a' && out[b] <= 'z') || (out[b] >= '0' && out[b] <= '9')))
			b++;
		char el[16];
		if (b - a == 0 || b - a >= sizeof(el))
			return "bad tag";
		memcpy(el, out + a, b - a);
		el[b - a] = '\0';
		if (!in_list(allowed, el, b - a))
			return "element outside the allow-list";
		while (out[b] == ' ') {
			size_t an = ++b;
			while (out[b] >= 'a' && out[b] <= 'z')
				b++;
			if (!attr_allowed(el, out + an, b - an))
				return "attribute outside the allow-list";
			if (out[b] != '=' || out[b + 1] != '"')
				return "attribute without a quoted value";
			size_t vs = b + 2, ve = vs;
			while (ve < n && out[ve] != '"')
				ve++;
			if (ve == n)
				return "unterminated attribute";
			char sch[16];
			if ((b - an == 4 && !memcmp(out + an, "href", 4)) ||
			    (b - an == 3 && !memcmp(out + an, "src", 3))) {
				md_scheme(out + vs, ve - vs, sch, sizeof(sch));
				if (*sch && strcmp(sch, "http") && strcmp(sch, "https") &&
				    strcmp(sch, "mailto") && strcmp(sch, "tel") && strcmp(sch, "cid"))
					return "a URL with a refused scheme";
			}
			b = ve + 1;
		}
		if (out[b] != '>')
			return "tag not closed";
		i = b + 1;
	}
	return NULL;
}
#endif
