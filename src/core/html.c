/* html.c - allow-list HTML sanitizer over libxml2's HTML parser (html.h).
 *
 * html_sanitize() runs in three steps, all O(input):
 *
 *   1. prepare   copy the input behind a "<html><body>" prefix (so a
 *                fragment parses as body content, without an implied <p>),
 *                making it valid UTF-8 on the way: invalid bytes, NUL and
 *                the other C0 controls become U+FFFD, CR LF and CR become
 *                LF, a leading BOM goes.  Then cut every start tag to its
 *                first HTML_MAX_ATTRS attributes (cap_attrs).  libxml2
 *                2.9's parser looks for duplicate attributes with a nested
 *                loop, so 5 MB of attributes in one tag would take minutes.
 *   2. parse     libxml2's HTML parser (htmlParseDocument), reading the
 *                buffer through a callback, with our own SAX callbacks: no
 *                tree is built (so no tree depth or text node limits).  Each
 *                start/end event pushes/pops a struct frame that records
 *                what was done with the element (kept and written, flattened,
 *                dropped); text is written escaped unless inside a dropped
 *                element.  The parser's own element stack is searched
 *                linearly on every end tag, so when HTML_PARSE_DEPTH
 *                elements are open we stop it (xmlStopParser), close
 *                everything we opened, and start a new parser on the rest of
 *                the input (again behind the prefix).  That keeps the content
 *                of absurdly deep documents and keeps the cost linear.
 *   3. finish    trim the plain text.
 *
 * Output is written straight into the caller's bufs.  For out, the bytes of
 * the end tags still owed are reserved (san.reserve), so a capped out stops
 * early but is always closed properly.  The plain text is rendered from the
 * same events with a small "pending" state: a space, up to two newlines and
 * a list bullet wait until the next visible character, which is what
 * collapses white space and trims both ends.
 *
 * Memory: the prepared input (about the input's size), one parser context
 * per parse step (freed before the next), and two scratch bufs.
 */
#include "core/html.h"
#include "base/buf.h"
#include "base/util.h"
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PREFIX "<html><body>"
#define PREFIX_LEN (sizeof(PREFIX) - 1)
#define FFFD "\xEF\xBF\xBD"
#define PARSE_OPTIONS                                                                              \
	(HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED |     \
	 HTML_PARSE_IGNORE_ENC)

/* ---- the element table ---- */

enum act {
	ACT_UNWRAP, /* drop the tag, keep the content */
	ACT_KEEP,   /* write it (as e->as) */
	ACT_DROP,   /* drop it and everything inside */
};

/* how an element shapes the plain text */
enum {
	F_BLOCK = 1 << 0, /* line break before and after */
	F_PARA = 1 << 1,  /* blank line before and after */
	F_VOID = 1 << 2,  /* no content, no end tag */
	F_BR = 1 << 3,	  /* a line break */
	F_LI = 1 << 4,	  /* a bullet on a new line */
	F_LIST = 1 << 5,  /* one list level deeper */
	F_PRE = 1 << 6,	  /* white space kept inside */
	F_CELL = 1 << 7,  /* a space before */
};

/* which attributes an element may keep besides dir and lang */
enum attrs {
	ATTRS_NONE,
	ATTRS_A,    /* href title */
	ATTRS_IMG,  /* src alt width height */
	ATTRS_CELL, /* colspan rowspan */
	ATTRS_OL,   /* start */
};

struct elem {
	const char *name;    /* as libxml2 reports it: lower case */
	const char *as;	     /* element written for it (ACT_KEEP) */
	unsigned char act;   /* enum act */
	unsigned char attrs; /* enum attrs */
	unsigned flags;	     /* F_* */
};

/* clang-format off */
#define KEEP(n, f) {n, n, ACT_KEEP, ATTRS_NONE, f}
#define AS(n, as, f) {n, as, ACT_KEEP, ATTRS_NONE, f}
#define DROP(n) {n, NULL, ACT_DROP, ATTRS_NONE, 0}
#define UNWRAP(n) {n, NULL, ACT_UNWRAP, ATTRS_NONE, 0}
/* void in HTML5 but a container to libxml2 2.9, which nests what follows
 * inside it: dropping it would drop the rest of the document */
#define VOID5(n) UNWRAP(n)

/* sorted by name (bsearch); anything not here is unwrapped */
static const struct elem elems[] = {
	{"a", "a", ACT_KEEP, ATTRS_A, 0},
	AS("address", "div", F_BLOCK),
	DROP("applet"),
	DROP("area"),
	AS("article", "div", F_BLOCK),
	AS("aside", "div", F_BLOCK),
	DROP("audio"),
	KEEP("b", 0),
	DROP("base"),
	DROP("basefont"),
	VOID5("bgsound"),
	KEEP("blockquote", F_PARA),
	UNWRAP("body"),
	KEEP("br", F_VOID | F_BR),
	KEEP("caption", F_BLOCK),
	AS("center", "div", F_BLOCK),
	KEEP("code", 0),
	DROP("col"),
	DROP("colgroup"),
	DROP("datalist"),
	AS("dd", "div", F_BLOCK),
	AS("del", "s", 0),
	AS("details", "div", F_BLOCK),
	AS("dialog", "div", F_BLOCK),
	KEEP("div", F_BLOCK),
	AS("dl", "div", F_BLOCK),
	AS("dt", "div", F_BLOCK),
	KEEP("em", 0),
	VOID5("embed"),
	AS("fieldset", "div", F_BLOCK),
	AS("figcaption", "div", F_BLOCK),
	AS("figure", "div", F_BLOCK),
	UNWRAP("font"),
	AS("footer", "div", F_BLOCK),
	AS("form", "div", F_BLOCK),
	DROP("frame"),
	DROP("frameset"),
	KEEP("h1", F_PARA),
	KEEP("h2", F_PARA),
	KEEP("h3", F_PARA),
	KEEP("h4", F_PARA),
	KEEP("h5", F_PARA),
	KEEP("h6", F_PARA),
	DROP("head"),
	AS("header", "div", F_BLOCK),
	AS("hgroup", "div", F_BLOCK),
	KEEP("hr", F_VOID | F_PARA),
	UNWRAP("html"),
	KEEP("i", 0),
	DROP("iframe"),
	{"img", "img", ACT_KEEP, ATTRS_IMG, F_VOID},
	DROP("input"),
	AS("ins", "u", 0),
	DROP("isindex"),
	AS("kbd", "code", 0),
	VOID5("keygen"),
	AS("legend", "div", F_BLOCK),
	KEEP("li", F_LI),
	DROP("link"),
	AS("listing", "pre", F_PRE | F_PARA),
	AS("main", "div", F_BLOCK),
	DROP("math"),
	AS("menu", "ul", F_LIST | F_BLOCK),
	DROP("meta"),
	AS("nav", "div", F_BLOCK),
	DROP("noembed"),
	DROP("noframes"),
	DROP("noscript"),
	DROP("object"),
	{"ol", "ol", ACT_KEEP, ATTRS_OL, F_LIST | F_BLOCK},
	KEEP("p", F_PARA),
	DROP("param"),
	AS("plaintext", "pre", F_PRE | F_PARA),
	KEEP("pre", F_PRE | F_PARA),
	KEEP("s", 0),
	AS("samp", "code", 0),
	DROP("script"),
	AS("section", "div", F_BLOCK),
	DROP("select"),
	VOID5("source"),
	KEEP("span", 0),
	KEEP("strike", 0),
	KEEP("strong", 0),
	DROP("style"),
	KEEP("sub", 0),
	AS("summary", "div", F_BLOCK),
	KEEP("sup", 0),
	DROP("svg"),
	KEEP("table", F_BLOCK),
	KEEP("tbody", 0),
	{"td", "td", ACT_KEEP, ATTRS_CELL, F_CELL},
	DROP("template"),
	KEEP("tfoot", 0),
	{"th", "th", ACT_KEEP, ATTRS_CELL, F_CELL},
	KEEP("thead", 0),
	DROP("title"),
	KEEP("tr", F_BLOCK),
	VOID5("track"),
	AS("tt", "code", 0),
	KEEP("u", 0),
	KEEP("ul", F_LIST | F_BLOCK),
	DROP("video"),
	VOID5("wbr"),
	DROP("xml"),
	AS("xmp", "pre", F_PRE | F_PARA),
};
/* clang-format on */

static int elem_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct elem *)e)->name);
}

static const struct elem *elem_find(const char *name)
{
	char key[16];
	size_t n = strlen(name);
	if (n >= sizeof(key))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		key[i] = name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i];
	return bsearch(key, elems, ARRAY_SIZE(elems), sizeof(elems[0]), elem_cmp);
}

/* The rule for an element name; NULL = unknown (unwrapped).  "x:script"
 * and the like are dropped with their content like "script"; other
 * prefixed names are unknown. */
static const struct elem *elem_rule(const char *name)
{
	const struct elem *e = elem_find(name);
	const char *colon = strrchr(name, ':');
	if (!e && colon) {
		e = elem_find(colon + 1);
		if (e && e->act != ACT_DROP)
			e = NULL;
	}
	return e;
}

/* ---- step 1: the prepared input ---- */

static int is_alpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* Length of the valid UTF-8 sequence at p[0..n) (2..4 bytes, p[0] >= 0x80),
 * or 0: overlong forms, surrogates and code points past U+10FFFF are not. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t k;
	uint32_t cp;
	if (c >= 0xC2 && c < 0xE0)
		k = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c < 0xF0)
		k = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c < 0xF5)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

/* Append p[0..n) to b as valid UTF-8 without NULs or C0 controls other
 * than tab, LF and FF; CR LF and lone CR become LF; a leading BOM goes. */
static void clean_input(const unsigned char *p, size_t n, struct buf *b)
{
	size_t i = 0, run;
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		i = 3;
	for (run = i; i < n;) {
		unsigned c = p[i];
		size_t k;
		if ((c >= 0x20 && c < 0x80) || c == '\t' || c == '\n' || c == '\f') {
			i++;
			continue;
		}
		if (c >= 0x80 && (k = utf8_len(p + i, n - i))) {
			i += k;
			continue;
		}
		buf_add(b, p + run, i - run);
		if (c == '\r') {
			buf_addc(b, '\n');
			i += i + 1 < n && p[i + 1] == '\n' ? 2 : 1;
		} else {
			buf_adds(b, FFFD);
			i++;
		}
		run = i;
	}
	buf_add(b, p + run, i - run);
}

/* Cut every start tag in b->s[from..] to its first HTML_MAX_ATTRS
 * attributes, in place.  The scan follows libxml2's tag syntax closely
 * enough: "<" + letter opens a tag, attributes are name[=value] with ' or "
 * quotes that may hold ">", the tag ends at ">".  Where it differs (raw
 * text of a script, a comment) it only ever removes attributes past the
 * HTML_MAX_ATTRS-th, which no real message has. */
static void cap_attrs(struct buf *b, size_t from)
{
	char *s = b->s;
	size_t n = b->len, r = from, w = from;
	while (r < n) {
		if (s[r] != '<' || r + 1 >= n || !is_alpha((unsigned char)s[r + 1])) {
			s[w++] = s[r++];
			continue;
		}
		do
			s[w++] = s[r++];
		while (r < n && !is_space(s[r]) && s[r] != '>' && s[r] != '/');
		for (int nattr = 0;;) {
			size_t a = r;
			while (r < n &&
			       (is_space(s[r]) || (s[r] == '/' && r + 1 < n && s[r + 1] != '>')))
				r++;
			memmove(s + w, s + a, r - a);
			w += r - a;
			if (r >= n || s[r] == '>' || s[r] == '/')
				break;
			a = r;
			while (r < n && !is_space(s[r]) && s[r] != '>' && s[r] != '=' &&
			       !(s[r] == '/' && r + 1 < n && s[r + 1] == '>'))
				r++;
			size_t t = r;
			while (t < n && is_space(s[t]))
				t++;
			if (t < n && s[t] == '=') {
				for (r = t + 1; r < n && is_space(s[r]);)
					r++;
				if (r < n && (s[r] == '"' || s[r] == '\'')) {
					char q = s[r++];
					while (r < n && s[r] != q)
						r++;
					r += r < n;
				} else {
					while (r < n && !is_space(s[r]) && s[r] != '>')
						r++;
				}
			}
			if (++nattr <= HTML_MAX_ATTRS) {
				memmove(s + w, s + a, r - a);
				w += r - a;
			}
		}
	}
	b->len = w;
	if (b->alloc)
		s[w] = '\0';
}

/* ---- the sanitizer's state ---- */

enum frame_kind {
	FR_KEPT, /* written; its end tag is owed */
	FR_FLAT, /* not written (unknown, over the depth cap, out full, void) */
	FR_DROP, /* dropped with its content */
};

struct frame {
	const struct elem *e; /* NULL: unknown element */
	unsigned char kind;   /* enum frame_kind */
};

struct san {
	struct buf *out, *text; /* the caller's; text may be NULL */
	size_t out0, text0;	/* their lengths on entry */
	size_t reserve;		/* bytes of end tags owed to out */
	int out_full;		/* out reached its cap: nothing more but end tags */
	int text_full;		/* text reached its cap */

	struct frame fr[HTML_PARSE_DEPTH]; /* open elements, innermost last */
	int depth;			   /* frames in use */
	int kept;			   /* FR_KEPT frames */
	int dropping;			   /* FR_DROP frames */
	int pre;			   /* open F_PRE elements */
	int lists;			   /* open F_LIST elements */

	int nl;	    /* newlines waiting for the next text (0..2, capped when written) */
	int sp;	    /* a space waiting for the next text */
	int bullet; /* 0, or the list level (1 = outermost) of a "- " waiting for the next text */

	xmlParserCtxtPtr ctxt; /* the running parser */
	const char *chunk;     /* what it parses */
	size_t chunk_len;
	size_t fed;  /* bytes of chunk handed to it so far */
	int stopped; /* we stopped it at HTML_PARSE_DEPTH */
	size_t stop; /* where, as an offset in chunk; 0 if unknown */

	struct buf tag, url; /* scratch */
};

/* ---- writing out ---- */

static size_t out_room(struct san *s)
{
	struct buf *o = s->out;
	if (!o->max)
		return SIZE_MAX;
	if (o->len + s->reserve >= o->max)
		return 0;
	return o->max - o->len - s->reserve;
}

/* Append p[0..n) whole, or mark out full. */
static int out_put(struct san *s, const char *p, size_t n)
{
	if (s->out_full)
		return -1;
	if (n > out_room(s)) {
		s->out_full = 1;
		return -1;
	}
	buf_add(s->out, p, n);
	return 0;
}

/* Bytes of p[0..n) (UTF-8) that fit in room, cut at a character start. */
static size_t utf8_cut(const char *p, size_t n, size_t room)
{
	if (n <= room)
		return n;
	while (room && ((unsigned char)p[room] & 0xC0) == 0x80)
		room--;
	return room;
}

/* Append as much of the text p[0..n) as fits, whole characters only. */
static int out_put_cut(struct san *s, const char *p, size_t n)
{
	if (s->out_full)
		return -1;
	size_t k = utf8_cut(p, n, out_room(s));
	buf_add(s->out, p, k);
	if (k < n)
		s->out_full = 1;
	return k < n ? -1 : 0;
}

static const char *esc_of(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

static void escape_into(struct buf *b, const char *p, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = esc_of(p[i]);
		if (e) {
			buf_add(b, p + run, i - run);
			buf_adds(b, e);
			run = i + 1;
		}
	}
	buf_add(b, p + run, n - run);
}

static void out_text(struct san *s, const char *p, size_t n)
{
	size_t run = 0;
	if (s->out_full)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *e = esc_of(p[i]);
		if (e) {
			if (out_put_cut(s, p + run, i - run) || out_put(s, e, strlen(e)))
				return;
			run = i + 1;
		}
	}
	out_put_cut(s, p + run, n - run);
}

/* Write the start tag in s->tag and owe its end tag; 0, or -1 (out full). */
static int out_open(struct san *s, const struct elem *e)
{
	size_t end = e->flags & F_VOID ? 0 : strlen(e->as) + 3;
	if (s->out_full || s->tag.len > out_room(s) || end > out_room(s) - s->tag.len) {
		s->out_full = 1;
		return -1;
	}
	buf_add(s->out, s->tag.s, s->tag.len);
	s->reserve += end;
	return 0;
}

static void out_close(struct san *s, const struct elem *e)
{
	size_t n = strlen(e->as) + 3;
	if (s->reserve < n)
		BUG("html: end tag \"%s\" was not reserved", e->as);
	s->reserve -= n;
	buf_adds(s->out, "</");
	buf_adds(s->out, e->as);
	buf_addc(s->out, '>');
}

/* ---- writing text ---- */

static void text_put(struct san *s, const char *p, size_t n)
{
	if (!s->text || s->text_full)
		return;
	struct buf *t = s->text;
	size_t room = t->max ? t->max - t->len : SIZE_MAX;
	size_t k = utf8_cut(p, n, room);
	buf_add(t, p, k);
	if (k < n)
		s->text_full = 1;
}

/* Write what is pending before the next visible text. */
static void text_flush(struct san *s)
{
	struct buf *t = s->text;
	if (t->len > s->text0) {
		char last = t->s[t->len - 1];
		if (s->nl)
			text_put(s, "\n\n", s->nl > 2 ? 2 : s->nl);
		else if (s->sp && last != ' ' && last != '\n')
			text_put(s, " ", 1);
	}
	s->nl = s->sp = 0;
	if (s->bullet) {
		for (int i = 1; i < s->bullet && i < 10; i++)
			text_put(s, "  ", 2);
		text_put(s, "- ", 2);
		s->bullet = 0;
	}
}

/* Ask for a line break (1) or a blank line (2) before the next text; a
 * waiting bullet already starts a line of its own. */
static void text_break(struct san *s, int k)
{
	if (!s->bullet && s->nl < k)
		s->nl = k;
}

/* ASCII white space or U+00A0 at p: its length, else 0. */
static size_t ws_len(const char *p, size_t n)
{
	if (is_space(*p))
		return 1;
	if (n >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
		return 2;
	return 0;
}

static void text_chars(struct san *s, const char *p, size_t n)
{
	size_t i = 0, j;
	if (!s->text)
		return;
	while (i < n) {
		if (s->pre) {
			if (p[i] == '\n') {
				s->nl++;
				i++;
				continue;
			}
			for (j = i; j < n && p[j] != '\n';)
				j++;
		} else {
			size_t w = ws_len(p + i, n - i);
			if (w) {
				s->sp = 1;
				i += w;
				continue;
			}
			for (j = i; j < n && !ws_len(p + j, n - j);)
				j++;
		}
		text_flush(s);
		text_put(s, p + i, j - i);
		i = j;
	}
}

static void text_open(struct san *s, const struct elem *e)
{
	unsigned f = e->flags;
	if (!s->text)
		return;
	if (f & F_BR)
		s->nl += s->nl < 2;
	if (f & F_PARA)
		text_break(s, 2);
	if (f & F_BLOCK)
		text_break(s, 1);
	if (f & F_CELL)
		s->sp = 1;
	if (f & F_LI) {
		text_break(s, 1);
		s->bullet = s->lists ? s->lists : 1;
	}
	s->lists += !!(f & F_LIST);
	s->pre += !!(f & F_PRE);
}

static void text_close(struct san *s, const struct elem *e)
{
	unsigned f = e->flags;
	if (!s->text)
		return;
	if (f & F_PARA)
		text_break(s, 2);
	if (f & (F_BLOCK | F_LI))
		text_break(s, 1);
	s->lists -= s->lists && (f & F_LIST);
	s->pre -= s->pre && (f & F_PRE);
}

static void text_finish(struct san *s)
{
	struct buf *t = s->text;
	size_t lead = s->text0;
	if (!t)
		return;
	while (t->len > s->text0 && is_space(t->s[t->len - 1]))
		t->len--;
	while (lead < t->len && is_space(t->s[lead]))
		lead++;
	memmove(t->s + s->text0, t->s + lead, t->len - lead);
	t->len -= lead - s->text0;
	if (t->alloc)
		t->s[t->len] = '\0';
}

/* ---- attributes ---- */

enum url_use { URL_HREF, URL_IMG };

/* The URL a browser makes of v: ASCII tabs and newlines removed anywhere,
 * leading and trailing C0 controls and spaces removed.  Leaves it in
 * s->url; returns 1 when its scheme is allowed for use (no scheme at all is
 * a relative link: allowed in href, not in img src). */
static int url_ok(struct san *s, const char *v, enum url_use use)
{
	static const char *const href_schemes[] = {"http", "https", "mailto", "tel", NULL};
	static const char *const img_schemes[] = {"http", "https", "cid", NULL};
	size_t a = 0, b = strlen(v);
	while (a < b && (unsigned char)v[a] <= 0x20)
		a++;
	while (b > a && (unsigned char)v[b - 1] <= 0x20)
		b--;
	struct buf *u = &s->url;
	buf_reset(u);
	for (size_t i = a; i < b; i++)
		if (v[i] != '\t' && v[i] != '\n' && v[i] != '\r')
			buf_addc(u, v[i]);
	if (!u->len)
		return 0;
	size_t k = 0;
	if (is_alpha((unsigned char)u->s[0])) {
		for (k = 1; k < u->len; k++) {
			char c = u->s[k];
			if (!is_alpha((unsigned char)c) && !is_digit(c) && c != '+' && c != '-' &&
			    c != '.')
				break;
		}
		if (k == u->len || u->s[k] != ':')
			k = 0;
	}
	if (!k)
		return use == URL_HREF;
	for (const char *const *p = use == URL_HREF ? href_schemes : img_schemes; *p; p++)
		if (strlen(*p) == k && !strncasecmp(u->s, *p, k))
			return 1;
	return 0;
}

/* v is 1..max digits, optionally after a '-' (sign) or before a '%' or
 * "px" (suffix); returns the length of the part to keep, or 0. */
static size_t number_ok(const char *v, size_t max, int sign, int suffix)
{
	size_t i = sign && v[0] == '-', d = 0;
	while (is_digit(v[i + d]))
		d++;
	if (!d || d > max)
		return 0;
	i += d;
	if (!v[i])
		return i;
	if (suffix && !strcmp(v + i, "%"))
		return i + 1;
	if (suffix && !strcasecmp(v + i, "px"))
		return i;
	return 0;
}

static void tag_attr(struct san *s, const char *name, const char *v, size_t n)
{
	buf_addc(&s->tag, ' ');
	buf_adds(&s->tag, name);
	buf_adds(&s->tag, "=\"");
	escape_into(&s->tag, v, n);
	buf_addc(&s->tag, '"');
}

/* One attribute of a kept element: add it to s->tag if the element may have
 * it and its value is fine.  Returns 1 for an img's usable src. */
static int attr_one(struct san *s, const struct elem *e, const char *name, const char *v)
{
	size_t n = strlen(v), k;
	if (!strcasecmp(name, "dir")) {
		static const char *const dirs[] = {"ltr", "rtl", "auto"};
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
			if (!strcasecmp(v, dirs[i]))
				tag_attr(s, "dir", dirs[i], strlen(dirs[i]));
		return 0;
	}
	if (!strcasecmp(name, "lang")) {
		for (k = 0; k < n; k++)
			if (!is_alpha((unsigned char)v[k]) && !is_digit(v[k]) && v[k] != '-')
				return 0;
		if (n && n <= 35)
			tag_attr(s, "lang", v, n);
		return 0;
	}
	switch (e->attrs) {
	case ATTRS_A:
		if (!strcasecmp(name, "href") && url_ok(s, v, URL_HREF))
			tag_attr(s, "href", s->url.s, s->url.len);
		else if (!strcasecmp(name, "title"))
			tag_attr(s, "title", v, n);
		return 0;
	case ATTRS_IMG:
		if (!strcasecmp(name, "src") && url_ok(s, v, URL_IMG)) {
			tag_attr(s, "src", s->url.s, s->url.len);
			return 1;
		}
		if (!strcasecmp(name, "alt"))
			tag_attr(s, "alt", v, n);
		else if ((!strcasecmp(name, "width") || !strcasecmp(name, "height")) &&
			 (k = number_ok(v, 5, 0, 1)))
			tag_attr(s, !strcasecmp(name, "width") ? "width" : "height", v, k);
		return 0;
	case ATTRS_CELL:
		if ((!strcasecmp(name, "colspan") || !strcasecmp(name, "rowspan")) &&
		    (k = number_ok(v, 4, 0, 0)))
			tag_attr(s, !strcasecmp(name, "colspan") ? "colspan" : "rowspan", v, k);
		return 0;
	case ATTRS_OL:
		if (!strcasecmp(name, "start") && (k = number_ok(v, 9, 1, 0)))
			tag_attr(s, "start", v, k);
		return 0;
	}
	return 0;
}

/* Build the start tag of a kept element in s->tag.  Returns -1 when the
 * element must not be written at all (an img without a usable src). */
static int build_tag(struct san *s, const struct elem *e, const xmlChar **atts)
{
	int src = 0;
	buf_reset(&s->tag);
	buf_addc(&s->tag, '<');
	buf_adds(&s->tag, e->as);
	for (size_t i = 0; atts && atts[i]; i += 2)
		if (atts[i + 1])
			src |= attr_one(s, e, (const char *)atts[i], (const char *)atts[i + 1]);
	if (e->attrs == ATTRS_A)
		buf_adds(&s->tag, " rel=\"noopener noreferrer\" target=\"_blank\"");
	buf_addc(&s->tag, '>');
	return e->attrs == ATTRS_IMG && !src ? -1 : 0;
}

/* ---- step 2: SAX callbacks ---- */

static void on_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct san *s = ctx;
	if (s->stopped)
		return;
	if (s->depth >= HTML_PARSE_DEPTH) {
		/* the parser's cursor is at the end of this start tag; what it
		 * has read but not parsed yet is cur..end of its buffer */
		xmlParserInputPtr in = s->ctxt->input;
		size_t ahead =
		    in && in->cur && in->end >= in->cur ? (size_t)(in->end - in->cur) : SIZE_MAX;
		s->stop = ahead <= s->fed ? s->fed - ahead : 0;
		s->stopped = 1;
		xmlStopParser(s->ctxt);
		return;
	}
	struct frame *f = &s->fr[s->depth++];
	f->e = elem_rule((const char *)xname);
	if (s->dropping || (f->e && f->e->act == ACT_DROP)) {
		f->kind = FR_DROP;
		s->dropping++;
		return;
	}
	f->kind = FR_FLAT;
	if (!f->e)
		return;
	text_open(s, f->e);
	if (f->e->act != ACT_KEEP || s->out_full)
		return;
	int is_void = f->e->flags & F_VOID;
	if (!is_void && s->kept >= HTML_MAX_DEPTH)
		return;
	if (build_tag(s, f->e, atts) || out_open(s, f->e) || is_void)
		return;
	f->kind = FR_KEPT;
	s->kept++;
}

static void on_end(void *ctx, const xmlChar *name)
{
	struct san *s = ctx;
	if (s->stopped || !s->depth)
		return;
	struct frame *f = &s->fr[--s->depth];
	if (f->kind == FR_DROP) {
		s->dropping--;
		return;
	}
	if (f->kind == FR_KEPT) {
		out_close(s, f->e);
		s->kept--;
	}
	if (f->e)
		text_close(s, f->e);
}

static void on_chars(void *ctx, const xmlChar *ch, int len)
{
	struct san *s = ctx;
	if (s->stopped || s->dropping || len <= 0)
		return;
	out_text(s, (const char *)ch, len);
	text_chars(s, (const char *)ch, len);
}

/* Close whatever the last parse left open (all of it, after a stop). */
static void close_all(struct san *s)
{
	while (s->depth) {
		struct frame *f = &s->fr[--s->depth];
		if (f->kind == FR_KEPT)
			out_close(s, f->e);
		if (f->kind != FR_DROP && f->e)
			text_close(s, f->e);
	}
	s->kept = s->dropping = s->pre = s->lists = 0;
}

/* libxml2 pulls the input through this, a block at a time. */
static int feed_read(void *ctx, char *dst, int n)
{
	struct san *s = ctx;
	size_t k = s->chunk_len - s->fed;
	if (n <= 0)
		return 0;
	if (k > (size_t)n)
		k = n;
	memcpy(dst, s->chunk + s->fed, k);
	s->fed += k;
	return (int)k;
}

static int feed_close(void *ctx) { return 0; }

/* Parse p[0..n) with our callbacks.  Returns 0, or -1 when libxml2 could
 * not even start.
 *
 * The input goes in through a read callback rather than a static memory
 * buffer: libxml2 2.9 shrinks a static buffer wrongly (the parser then
 * reads old bytes again), and a copy of the whole rest for every restart
 * would be quadratic. */
static int parse_chunk(struct san *s, const char *p, size_t n)
{
	htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
	if (!ctxt)
		return -1;
	s->chunk = p;
	s->chunk_len = n;
	s->fed = 0;
	xmlParserInputBufferPtr ib =
	    xmlParserInputBufferCreateIO(feed_read, feed_close, s, XML_CHAR_ENCODING_NONE);
	xmlParserInputPtr in = ib ? xmlNewIOInputStream(ctxt, ib, XML_CHAR_ENCODING_NONE) : NULL;
	if (!in || inputPush(ctxt, in) < 0) {
		if (in)
			xmlFreeInputStream(in);
		else if (ib)
			xmlFreeParserInputBuffer(ib);
		htmlFreeParserCtxt(ctxt);
		return -1;
	}
	htmlCtxtUseOptions(ctxt, PARSE_OPTIONS);
	xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
	memset(ctxt->sax, 0, sizeof(*ctxt->sax));
	ctxt->sax->startElement = on_start;
	ctxt->sax->endElement = on_end;
	ctxt->sax->characters = on_chars;
	ctxt->sax->ignorableWhitespace = on_chars;
	ctxt->sax->cdataBlock = on_chars;
	ctxt->sax->initialized = 1;
	ctxt->userData = s;
	s->ctxt = ctxt;
	s->stopped = 0;
	s->stop = 0;
	htmlParseDocument(ctxt);
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	htmlFreeParserCtxt(ctxt);
	s->ctxt = NULL;
	return 0;
}

/* ---- html_sanitize ---- */

static pthread_once_t libxml_once = PTHREAD_ONCE_INIT;

static void libxml_init(void) { xmlInitParser(); }

/* Instead of markup: p[0..n) (prepared input) as escaped text in out and
 * as it is in text. */
static void fallback(struct san *s, const char *p, size_t n)
{
	out_text(s, p, n);
	text_put(s, p, n);
}

int html_sanitize(const char *html, size_t len, struct buf *out, struct buf *text)
{
	struct buf in = BUF_INIT;
	struct san *s = xcalloc(1, sizeof(*s));
	int rc = 0;

	pthread_once(&libxml_once, libxml_init);
	s->out = out;
	s->text = text;
	s->out0 = out->len;
	s->text0 = text ? text->len : 0;
	buf_init(&s->tag, 0);
	buf_init(&s->url, 0);

	buf_adds(&in, PREFIX);
	if (len)
		clean_input((const unsigned char *)html, len, &in);
	cap_attrs(&in, PREFIX_LEN);

	size_t at = 0; /* where the current parse starts (at its prefix) */
	if (in.len > INT_MAX)
		rc = -1;
	while (!rc) {
		if (parse_chunk(s, in.s + at, in.len - at)) {
			rc = -1;
			break;
		}
		close_all(s);
		if (!s->stopped || !s->stop)
			break;
		/* go on after the start tag the parser stopped in */
		size_t pos = at + s->stop;
		if (in.s[pos] == '>')
			pos++;
		else if (in.s[pos] == '/' && in.s[pos + 1] == '>')
			pos += 2;
		if (pos >= in.len || pos <= at + PREFIX_LEN)
			break;
		at = pos - PREFIX_LEN;
		memcpy(in.s + at, PREFIX, PREFIX_LEN);
	}
	if (rc && at) {
		/* a later parse could not start: keep the rest as text */
		fallback(s, in.s + at + PREFIX_LEN, in.len - at - PREFIX_LEN);
		rc = 0;
	} else if (rc) {
		out->len = s->out0;
		if (out->alloc)
			out->s[out->len] = '\0';
		if (text) {
			text->len = s->text0;
			if (text->alloc)
				text->s[text->len] = '\0';
		}
		s->out_full = s->text_full = 0;
		s->reserve = 0;
		s->nl = s->sp = s->bullet = 0;
		fallback(s, in.s + PREFIX_LEN, in.len - PREFIX_LEN);
	}
	text_finish(s);
	buf_release(&in);
	buf_release(&s->tag);
	buf_release(&s->url);
	free(s);
	return rc;
}
