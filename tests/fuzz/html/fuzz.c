/* fuzz.c - libFuzzer harness for core/html.c (html_sanitize).
 *
 * Build and run (from the repository root):
 *
 *   mkdir -p build/fuzz/html-new && clang -g -O1 -std=c11 -D_GNU_SOURCE -Isrc \
 *     -include src/base/banned.h $(pkg-config --cflags libxml-2.0) \
 *     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     tests/fuzz/html/fuzz.c src/core/html.c src/base/buf.c src/base/util.c \
 *     $(pkg-config --libs libxml-2.0) -lpthread -o build/fuzz/html
 *   build/fuzz/html -max_total_time=120 -max_len=65536 -rss_limit_mb=2048 \
 *     build/fuzz/html-new tests/fuzz/html/corpus
 *
 * (new inputs go to the first directory given, a scratch one, to keep the
 * committed corpus small; `-dict=FILE` with HTML tag and attribute names
 * helps it find its way into tags sooner.)
 *
 * Each input is sanitized and the output read back by a checker that knows
 * nothing of html.c: only allow-listed elements and attributes, href/src
 * schemes a browser would take as http(s)/mailto/tel/cid (or none, for
 * href), no raw < > " ' in text, only our five entities, balanced tags no
 * deeper than HTML_MAX_DEPTH, valid UTF-8, no NUL.  The plain text must be
 * valid UTF-8 and trimmed.  The same input must give the same output again
 * and without text; under a cap the output must stay within it, well-formed,
 * and (less its trailing end tags) a prefix of the uncapped output.  Any
 * violation aborts.
 */
#include "base/buf.h"
#include "core/html.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "html_check.h"
/* Is URL u fine for href (img 0) or img src (img 1), read as a browser
 * reads it: leading C0/space dropped, tab/LF/CR dropped, case folded. */
static int url_fine(const char *u, int img)
{
	char sch[16];
	size_t k = 0;
	while (*u && (unsigned char)*u <= 0x20)
		u++;
	for (; *u; u++) {
		if (*u == '\t' || *u == '\n' || *u == '\r')
			continue;
		char c = *u >= 'A' && *u <= 'Z' ? *u + 32 : *u;
		if (c == ':')
			break;
		if (!((c >= 'a' && c <= 'z') ||
		      (k && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))))
			return !img; /* no scheme: relative */
		if (k < sizeof(sch) - 1)
			sch[k] = c;
		k++;
	}
	if (!*u || !k)
		return !img;
	if (k >= sizeof(sch))
		return 0;
	sch[k] = '\0';
	if (!strcmp(sch, "http") || !strcmp(sch, "https"))
		return 1;
	if (img)
		return !strcmp(sch, "cid");
	return !strcmp(sch, "mailto") || !strcmp(sch, "tel");
}

static void check_out(const char *out, size_t n)
{
	const char *stack[HTML_MAX_DEPTH];
	int depth = 0;
	struct buf v = BUF_INIT;
	if (strlen(out) != n || !utf8_valid((const unsigned char *)out, n))
		abort();
	for (size_t i = 0; i < n;) {
		char c = out[i];
		if (c == '>' || c == '"' || c == '\'')
			abort();
		if (c == '&') {
			size_t e = i;
			while (e < n && out[e] != ';')
				e++;
			if (e == n || unescape(out + i, e + 1 - i, &v))
				abort();
			i = e + 1;
			continue;
		}
		if (c != '<') {
			i++;
			continue;
		}
		int end = out[i + 1] == '/';
		size_t a = i + 1 + end, b = a;
		while (b < n &&
		       ((out[b] >= 'a' && out[b] <= 'z') || (out[b] >= '0' && out[b] <= '9')))
			b++;
		const char *el = NULL;
		for (const char *const *p = allowed; *p; p++)
			if (strlen(*p) == b - a && !memcmp(*p, out + a, b - a))
				el = *p;
		if (!el)
			abort();
		if (end) {
			if (out[b] != '>' || !depth || stack[depth - 1] != el)
				abort();
			depth--;
			i = b + 1;
			continue;
		}
		while (out[b] == ' ') {
			size_t an = ++b;
			while (out[b] >= 'a' && out[b] <= 'z')
				b++;
			if (!attr_allowed(el, out + an, b - an) || out[b] != '=' ||
			    out[b + 1] != '"')
				abort();
			size_t vs = b + 2, ve = vs;
			while (ve < n && out[ve] != '"' && out[ve] != '<' && out[ve] != '>')
				ve++;
			if (out[ve] != '"' || unescape(out + vs, ve - vs, &v))
				abort();
			if (b - an == 4 && !memcmp(out + an, "href", 4) && !url_fine(v.s, 0))
				abort();
			if (b - an == 3 && !memcmp(out + an, "src", 3) && !url_fine(v.s, 1))
				abort();
			b = ve + 1;
		}
		if (out[b] != '>')
			abort();
		if (strcmp(el, "br") && strcmp(el, "hr") && strcmp(el, "img")) {
			if (depth == HTML_MAX_DEPTH)
				abort();
			stack[depth++] = el;
		}
		i = b + 1;
	}
	if (depth)
		abort();
	buf_release(&v);
}

static void check_text(const struct buf *t)
{
	if (strlen(t->s) != t->len || !utf8_valid((const unsigned char *)t->s, t->len))
		abort();
	if (t->len && (strchr(" \t\n\r\f", t->s[0]) || strchr(" \t\n\r\f", t->s[t->len - 1])))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *html = (const char *)data;
	struct buf out = BUF_INIT, text = BUF_INIT, again = BUF_INIT, capped;

	if (html_sanitize(html, size, &out, &text))
		abort();
	check_out(out.s, out.len);
	check_text(&text);

	if (html_sanitize(html, size, &again, NULL) || strcmp(again.s, out.s))
		abort();

	/* a capped out is within its cap, well-formed, and a prefix of the
	 * uncapped one once its trailing end tags are taken off */
	buf_init(&capped, 1 + size % 251);
	if (html_sanitize(html, size, &capped, NULL) || capped.len > capped.max)
		abort();
	check_out(capped.s, capped.len);
	size_t n = capped.len;
	while (n && capped.s[n - 1] == '>') {
		size_t k = n - 1;
		while (k && capped.s[k] != '<')
			k--;
		if (capped.s[k + 1] != '/')
			break;
		n = k;
	}
	if (strncmp(capped.s, out.s, n))
		abort();

	buf_release(&capped);
	buf_release(&again);
	buf_release(&text);
	buf_release(&out);
	return 0;
}
