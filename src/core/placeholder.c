/* placeholder.c - Liquid-style placeholder rendering (see placeholder.h for
 * the language).
 *
 * One pass over the template, no tree: a cursor moves from one "{{" or
 * "{%" to the next, copying the text between; each tag is lexed on its own
 * (a tiny lexer over a pointer+length view) and acted on at once.  Blocks
 * are a fixed stack of frames {kind, taken, active}: a frame is active when
 * its parent is and its branch was chosen, and text and values are emitted
 * only while the innermost frame is active.  Blocks beyond PH_MAX_DEPTH are
 * only counted (so their ends still match) and render nothing.
 *
 * Cost: every input byte is looked at a bounded number of times (the tag
 * search, then the tag's own lexing); each {{ }} costs one table lookup
 * (linear in the context size, ~40 entries) plus its value's length per
 * filter.  Output is capped, so time is O(input + output) at most.
 *
 * Values are never interpreted: a value containing "{{" is copied, not
 * rendered again, so a customer's subject cannot inject placeholders.
 */
#include "core/placeholder.h"
#include "base/util.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the context table --------------------------------------------------- */

void ph_set(struct ph_context *c, const char *name, const char *value)
{
	if (!value)
		value = "";
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name)) {
			free(c->v[i].value);
			c->v[i].value = xstrdup(value);
			return;
		}
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 32;
		c->v = xrealloc(c->v, c->alloc * sizeof(*c->v));
	}
	c->v[c->n].name = xstrdup(name);
	c->v[c->n].value = xstrdup(value);
	c->n++;
}

void ph_setf(struct ph_context *c, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(tmp)) {
		char *big = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		ph_set(c, name, big);
		free(big);
	} else {
		ph_set(c, name, n < 0 ? "" : tmp);
	}
}

static const char *ctx_get(const struct ph_context *c, const char *name, size_t len)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (!strncmp(c->v[i].name, name, len) && c->v[i].name[len] == '\0')
			return c->v[i].value;
	return NULL;
}

const char *ph_get(const struct ph_context *c, const char *name)
{
	return ctx_get(c, name, strlen(name));
}

void ph_context_clear(struct ph_context *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = c->alloc = 0;
}

/* The placeholders Sonnim knows (what store/placeholder_store.c fills). */
static const char *const known_names[] = {
	"ticket.id",
	"ticket.title",
	"ticket.description",
	"ticket.status",
	"ticket.priority",
	"ticket.ticket_type",
	"ticket.via",
	"ticket.url",
	"ticket.link",
	"ticket.external_id",
	"ticket.created_at",
	"ticket.updated_at",
	"ticket.tags",
	"ticket.latest_public_comment",
	"ticket.latest_public_comment_html",
	"ticket.latest_comment",
	"ticket.latest_comment_html",
	"ticket.requester.name",
	"ticket.requester.first_name",
	"ticket.requester.last_name",
	"ticket.requester.email",
	"ticket.requester.locale",
	"ticket.assignee.name",
	"ticket.assignee.first_name",
	"ticket.assignee.email",
	"ticket.group.name",
	"ticket.organization.name",
	"current_user.name",
	"current_user.first_name",
	"current_user.email",
	"satisfaction.rating_url",
};

/* "<prefix><digits>" */
static int has_id_suffix(const char *name, size_t len, const char *prefix)
{
	size_t p = strlen(prefix);
	if (len <= p || strncmp(name, prefix, p))
		return 0;
	for (size_t i = p; i < len; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return 1;
}

static int known_n(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_names); i++)
		if (strlen(known_names[i]) == len && !memcmp(known_names[i], name, len))
			return 1;
	return has_id_suffix(name, len, "ticket.ticket_field_") ||
	       has_id_suffix(name, len, "ticket.ticket_field_option_title_");
}

int ph_known(const char *name) { return known_n(name, strlen(name)); }

void ph_report_clear(struct ph_report *rep)
{
	strlist_clear(&rep->unknown);
	strlist_clear(&rep->errors);
	rep->truncated = 0;
}

/* ---- rendering state ----------------------------------------------------- */

enum { FR_IF = 1, FR_UNLESS = 2 };
struct frame {
	int kind;	/* FR_* */
	int taken;	/* some branch of this block was chosen already */
	int active;	/* the current branch is emitted (parent included) */
	int saw_else;	/* {% else %} was seen */
	size_t at;	/* offset of the opening tag */
};

struct rs {
	const char *s;	/* template */
	size_t n;
	const struct ph_context *ctx;
	enum ph_mode mode;
	struct buf *out;
	size_t cap;	/* out->len may not pass this */
	struct ph_report *rep;
	int nerr;
	int stop;	/* output full */
	struct frame st[PH_MAX_DEPTH];
	int depth;
	int overflow;	/* blocks opened beyond PH_MAX_DEPTH, still open */
};

static void err_at(struct rs *r, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void err_at(struct rs *r, size_t at, const char *fmt, ...)
{
	r->nerr++;
	if (!r->rep || r->rep->errors.n >= PH_MAX_REPORT)
		return;
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char line[240];
	snprintf(line, sizeof(line), "%s at offset %zu", msg, at);
	strlist_add(&r->rep->errors, line);
}

static void unknown(struct rs *r, const char *name, size_t len)
{
	if (!r->rep || r->rep->unknown.n >= PH_MAX_REPORT)
		return;
	char tmp[129];
	if (len > 128)
		len = 128;
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	if (!strlist_has(&r->rep->unknown, tmp))
		strlist_add(&r->rep->unknown, tmp);
}

static int emitting(const struct rs *r)
{
	return !r->overflow && (r->depth == 0 || r->st[r->depth - 1].active);
}

/* Append raw bytes, up to the cap (cut at a UTF-8 character boundary). */
static void put(struct rs *r, const char *p, size_t n)
{
	if (r->stop || !n)
		return;
	if (r->out->len + n > r->cap) {
		size_t m = r->cap > r->out->len ? r->cap - r->out->len : 0;
		while (m > 0 && m < n && ((unsigned char)p[m] & 0xC0) == 0x80)
			m--;
		if (m)
			buf_add(r->out, p, m);
		r->stop = 1;
		if (r->rep)
			r->rep->truncated = 1;
		return;
	}
	if (buf_add(r->out, p, n)) {
		r->stop = 1;
		if (r->rep)
			r->rep->truncated = 1;
	}
}

/* Append a value escaped for the mode (raw: already HTML, in HTML mode). */
static void put_value(struct rs *r, const char *p, size_t n, int raw_html)
{
	if (r->mode == PH_TEXT || (r->mode == PH_HTML && raw_html)) {
		put(r, p, n);
		return;
	}
	size_t i = 0, start = 0;
	for (; i < n && !r->stop; i++) {
		unsigned char c = (unsigned char)p[i];
		const char *rep = NULL;
		char u[8];
		if (r->mode == PH_HTML) {
			switch (c) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			}
		} else {
			switch (c) {
			case '"': rep = "\\\""; break;
			case '\\': rep = "\\\\"; break;
			case '\n': rep = "\\n"; break;
			case '\r': rep = "\\r"; break;
			case '\t': rep = "\\t"; break;
			default:
				if (c < 0x20 || c == 0x7f) {
					snprintf(u, sizeof(u), "\\u%04x", c);
					rep = u;
				}
			}
		}
		if (rep) {
			put(r, p + start, i - start);
			put(r, rep, strlen(rep));
			start = i + 1;
		}
	}
	if (!r->stop)
		put(r, p + start, n - start);
}

/* ---- the lexer inside one tag -------------------------------------------- */

enum tok { T_END, T_NAME, T_STR, T_NUM, T_EQ, T_NE, T_PIPE, T_COLON, T_COMMA, T_BAD };
struct lex {
	const char *p, *e;
	enum tok t;
	const char *v;	/* token text (strings: without quotes) */
	size_t vn;
};

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '.'; }

static void next(struct lex *l)
{
	while (l->p < l->e && strchr(" \t\r\n", *l->p))
		l->p++;
	l->v = l->p;
	l->vn = 0;
	if (l->p >= l->e) {
		l->t = T_END;
		return;
	}
	char c = *l->p;
	if (is_name_start(c)) {
		while (l->p < l->e && is_name_char(*l->p))
			l->p++;
		l->t = T_NAME;
		l->vn = (size_t)(l->p - l->v);
	} else if ((c >= '0' && c <= '9') || (c == '-' && l->p + 1 < l->e && l->p[1] >= '0' &&
					       l->p[1] <= '9')) {
		l->p++;
		while (l->p < l->e && ((*l->p >= '0' && *l->p <= '9') || *l->p == '.'))
			l->p++;
		l->t = T_NUM;
		l->vn = (size_t)(l->p - l->v);
	} else if (c == '"' || c == '\'') {
		const char *q = memchr(l->p + 1, c, (size_t)(l->e - l->p - 1));
		if (!q) {
			l->t = T_BAD;
			l->p = l->e; /* an unterminated string takes the rest */
			return;
		}
		l->v = l->p + 1;
		l->vn = (size_t)(q - l->v);
		l->p = q + 1;
		l->t = T_STR;
	} else if (l->e - l->p >= 2 && (!memcmp(l->p, "==", 2) || !memcmp(l->p, "!=", 2) ||
					!memcmp(l->p, "<>", 2))) {
		l->t = l->p[0] == '=' ? T_EQ : T_NE;
		l->vn = 2;
		l->p += 2;
	} else if (c == '|' || c == ':' || c == ',') {
		l->t = c == '|' ? T_PIPE : c == ':' ? T_COLON : T_COMMA;
		l->vn = 1;
		l->p++;
	} else {
		l->t = T_BAD;
		l->p++; /* every token moves the cursor, so loops over tokens end */
	}
}

static int word_is(const struct lex *l, const char *w)
{
	return l->t == T_NAME && l->vn == strlen(w) && !memcmp(l->v, w, l->vn);
}

/* ---- values and conditions ----------------------------------------------- */

/* The value of the operand at l (a name, literal or keyword); advances. */
static int operand(struct rs *r, struct lex *l, const char **v, size_t *vn)
{
	*v = "";
	*vn = 0;
	if (l->t == T_STR || l->t == T_NUM) {
		*v = l->v;
		*vn = l->vn;
	} else if (l->t == T_NAME) {
		if (word_is(l, "true")) {
			*v = "true";
			*vn = 4;
		} else if (word_is(l, "false") || word_is(l, "nil") || word_is(l, "null") ||
			   word_is(l, "blank") || word_is(l, "empty")) {
			/* all compare equal to "" (false is falsy as "") */
		} else {
			const char *got = ctx_get(r->ctx, l->v, l->vn);
			if (got) {
				*v = got;
				*vn = strlen(got);
			} else if (!known_n(l->v, l->vn)) {
				unknown(r, l->v, l->vn);
			}
		}
	} else {
		return -1;
	}
	next(l);
	return 0;
}

static int truthy(const char *v, size_t n) { return n && !(n == 5 && !memcmp(v, "false", 5)); }

static int contains(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (!nn)
		return 1;
	return hn >= nn && memmem(h, hn, nd, nn) != NULL;
}

/* cmp := operand [(== | != | <> | contains) operand] */
static int eval_cmp(struct rs *r, struct lex *l, int *out)
{
	const char *a, *b;
	size_t an, bn;
	if (operand(r, l, &a, &an))
		return -1;
	if (l->t == T_EQ || l->t == T_NE || word_is(l, "contains")) {
		enum tok op = word_is(l, "contains") ? T_NAME : l->t;
		next(l);
		if (operand(r, l, &b, &bn))
			return -1;
		if (op == T_NAME)
			*out = contains(a, an, b, bn);
		else
			*out = (an == bn && !memcmp(a, b, an)) == (op == T_EQ);
	} else {
		*out = truthy(a, an);
	}
	return 0;
}

static int eval_and(struct rs *r, struct lex *l, int *out)
{
	if (eval_cmp(r, l, out))
		return -1;
	while (word_is(l, "and")) {
		int v;
		next(l);
		if (eval_cmp(r, l, &v))
			return -1;
		*out = *out && v;
	}
	return 0;
}

/* cond := and-list (or and-list)*, to the end of the tag. */
static int eval_cond(struct rs *r, struct lex *l, int *out)
{
	if (eval_and(r, l, out))
		return -1;
	while (word_is(l, "or")) {
		int v;
		next(l);
		if (eval_and(r, l, &v))
			return -1;
		*out = *out || v;
	}
	return l->t == T_END ? 0 : -1;
}

/* ---- tags ---------------------------------------------------------------- */

static void upcase(struct buf *b, int up)
{
	for (size_t i = 0; i < b->len; i++) {
		char c = b->s[i];
		if (up && c >= 'a' && c <= 'z')
			b->s[i] = (char)(c - 32);
		else if (!up && c >= 'A' && c <= 'Z')
			b->s[i] = (char)(c + 32);
	}
}

static void strip(struct buf *b)
{
	size_t i = 0, j = b->len;
	while (i < j && strchr(" \t\r\n\f\v", b->s[i]))
		i++;
	while (j > i && strchr(" \t\r\n\f\v", b->s[j - 1]))
		j--;
	memmove(b->s, b->s + i, j - i);
	b->len = j - i;
	b->s[b->len] = '\0';
}

/* {{ inner }}; raw is the whole tag as written, at offset at. */
static void output_tag(struct rs *r, const char *inner, size_t n, const char *raw, size_t rawn,
		       size_t at)
{
	struct lex l = {inner, inner + n, T_END, NULL, 0};
	next(&l);
	if (l.t != T_NAME && l.t != T_STR && l.t != T_NUM) {
		err_at(r, at, "expected a placeholder name in '{{'");
		put(r, raw, rawn);
		return;
	}
	const char *name = l.v;
	size_t namen = l.vn;
	int is_name = l.t == T_NAME, is_unknown = 0, raw_html = 0;
	struct buf val = BUF_INIT;
	buf_init(&val, PH_MAX_OUTPUT);
	if (is_name) {
		const char *v = ctx_get(r->ctx, name, namen);
		if (v)
			buf_adds(&val, v);
		else if (!known_n(name, namen))
			is_unknown = 1;
		raw_html = namen > 5 && !memcmp(name + namen - 5, "_html", 5);
	} else {
		buf_add(&val, name, namen);
	}
	next(&l);
	int has_default = 0;
	while (l.t == T_PIPE) {
		next(&l);
		if (word_is(&l, "default")) {
			next(&l);
			const char *d = "";
			size_t dn = 0;
			if (l.t != T_COLON) {
				err_at(r, at, "expected ':' after 'default'");
			} else {
				next(&l);
				if (operand(r, &l, &d, &dn))
					err_at(r, at, "expected a value after 'default:'");
			}
			has_default = 1;
			if (!val.len)
				buf_add(&val, d, dn);
			/* the default is inserted like any value: escaped */
			raw_html = 0;
		} else if (word_is(&l, "upcase") || word_is(&l, "downcase")) {
			upcase(&val, l.v[0] == 'u');
			next(&l);
		} else if (word_is(&l, "strip")) {
			strip(&val);
			next(&l);
		} else {
			err_at(r, at, "unknown filter '%.*s'", (int)(l.vn > 40 ? 40 : l.vn),
			       l.t == T_NAME ? l.v : "");
			while (l.t != T_PIPE && l.t != T_END)
				next(&l);
		}
	}
	if (l.t != T_END)
		err_at(r, at, "unexpected text in '{{'");
	if (is_unknown)
		unknown(r, name, namen);
	if (is_unknown && !has_default)
		put_value(r, raw, rawn, 0);
	else
		put_value(r, val.s, val.len, raw_html);
	buf_release(&val);
}

static int parent_active(const struct rs *r)
{
	return r->depth < 2 || r->st[r->depth - 2].active;
}

/* {% inner %} at offset at. */
static void block_tag(struct rs *r, const char *inner, size_t n, size_t at)
{
	struct lex l = {inner, inner + n, T_END, NULL, 0};
	next(&l);
	int v = 0;
	if (word_is(&l, "if") || word_is(&l, "unless")) {
		int kind = l.v[0] == 'i' ? FR_IF : FR_UNLESS;
		if (r->overflow || r->depth == PH_MAX_DEPTH) {
			if (!r->overflow)
				err_at(r, at, "blocks nested deeper than %d", PH_MAX_DEPTH);
			r->overflow++;
			return;
		}
		int parent = emitting(r);
		next(&l);
		if (eval_cond(r, &l, &v)) {
			/* a bad condition chooses no branch of its block */
			err_at(r, at, "bad condition in '{%% %s %%}'", kind == FR_IF ? "if" : "unless");
			r->st[r->depth++] = (struct frame){kind, 1, 0, 0, at};
			return;
		}
		if (kind == FR_UNLESS)
			v = !v;
		r->st[r->depth++] = (struct frame){kind, v, parent && v, 0, at};
	} else if (word_is(&l, "elsif")) {
		if (r->overflow)
			return;
		if (!r->depth || r->st[r->depth - 1].kind != FR_IF || r->st[r->depth - 1].saw_else) {
			err_at(r, at, "'{%% elsif %%}' outside an '{%% if %%}'");
			return;
		}
		struct frame *f = &r->st[r->depth - 1];
		next(&l);
		if (eval_cond(r, &l, &v)) {
			err_at(r, at, "bad condition in '{%% elsif %%}'");
			f->active = 0;
			f->taken = 1;
			return;
		}
		f->active = parent_active(r) && !f->taken && v;
		f->taken |= v;
	} else if (word_is(&l, "else")) {
		if (r->overflow)
			return;
		if (!r->depth || r->st[r->depth - 1].saw_else) {
			err_at(r, at, "'{%% else %%}' outside a block");
			return;
		}
		struct frame *f = &r->st[r->depth - 1];
		f->active = parent_active(r) && !f->taken;
		f->taken = 1;
		f->saw_else = 1;
		next(&l);
	} else if (word_is(&l, "endif") || word_is(&l, "endunless")) {
		int kind = l.v[3] == 'i' ? FR_IF : FR_UNLESS;
		next(&l);
		if (r->overflow) {
			r->overflow--;
			return;
		}
		if (!r->depth) {
			err_at(r, at, "'{%% %s %%}' without a block", kind == FR_IF ? "endif" : "endunless");
			return;
		}
		if (r->st[r->depth - 1].kind != kind)
			err_at(r, at, "'{%% %s %%}' closes an '{%% %s %%}'",
			       kind == FR_IF ? "endif" : "endunless",
			       kind == FR_IF ? "unless" : "if");
		r->depth--;
	} else {
		err_at(r, at, "unknown tag '%.*s'", (int)(l.vn > 40 ? 40 : l.vn),
		       l.t == T_NAME ? l.v : "");
		return;
	}
	if (l.t != T_END)
		err_at(r, at, "unexpected text in '{%%'");
}

/* Trim white space and Liquid's '-' whitespace-control marks. */
static void trim_tag(const char **p, size_t *n)
{
	while (*n && strchr(" \t\r\n", **p))
		(*p)++, (*n)--;
	if (*n && **p == '-')
		(*p)++, (*n)--;
	while (*n && strchr(" \t\r\n", (*p)[*n - 1]))
		(*n)--;
	if (*n && (*p)[*n - 1] == '-')
		(*n)--;
}

/* The first "{{" or "{%" in [p, e), or NULL. */
static const char *find_open(const char *p, const char *e)
{
	while (p + 1 < e) {
		const char *q = memchr(p, '{', (size_t)(e - p - 1));
		if (!q)
			return NULL;
		if (q[1] == '{' || q[1] == '%')
			return q;
		p = q + 1;
	}
	return NULL;
}

static const char *find2(const char *p, const char *e, char a, char b)
{
	while (p + 1 < e) {
		const char *q = memchr(p, a, (size_t)(e - p - 1));
		if (!q)
			return NULL;
		if (q[1] == b)
			return q;
		p = q + 1;
	}
	return NULL;
}

int ph_render(const char *tmpl, size_t len, const struct ph_context *ctx, enum ph_mode mode,
	      struct buf *out, struct ph_report *rep)
{
	struct rs r = {.s = tmpl, .n = len, .ctx = ctx, .mode = mode, .out = out, .rep = rep};
	r.cap = out->len + PH_MAX_OUTPUT;
	if (out->max && out->max < r.cap)
		r.cap = out->max;
	if (!tmpl)
		r.n = 0;
	if (r.n > PH_MAX_INPUT) {
		err_at(&r, PH_MAX_INPUT, "template longer than %d bytes; the rest is not rendered",
		       PH_MAX_INPUT);
		r.n = PH_MAX_INPUT;
	}
	const char *p = r.s, *e = r.s + r.n;
	while (p < e && !r.stop) {
		const char *t = find_open(p, e);
		if (!t) {
			if (emitting(&r))
				put(&r, p, (size_t)(e - p));
			break;
		}
		if (emitting(&r))
			put(&r, p, (size_t)(t - p));
		size_t at = (size_t)(t - r.s);
		int is_out = t[1] == '{';
		const char *end = find2(t + 2, e, is_out ? '}' : '%', '}');
		if (!end) {
			err_at(&r, at, "unclosed '%s'", is_out ? "{{" : "{%");
			if (emitting(&r))
				put(&r, t, (size_t)(e - t));
			break;
		}
		const char *inner = t + 2;
		size_t n = (size_t)(end - inner);
		trim_tag(&inner, &n);
		if (is_out) {
			if (emitting(&r))
				output_tag(&r, inner, n, t, (size_t)(end + 2 - t), at);
		} else {
			block_tag(&r, inner, n, at);
		}
		p = end + 2;
	}
	if (r.overflow)
		err_at(&r, r.n, "%d block(s) nested too deep left unclosed", r.overflow);
	while (r.depth > 0) {
		struct frame *f = &r.st[--r.depth];
		err_at(&r, f->at, "unclosed '{%% %s %%}'", f->kind == FR_IF ? "if" : "unless");
	}
	return r.nerr;
}

char *ph_render_str(const char *tmpl, const struct ph_context *ctx, enum ph_mode mode,
		    struct ph_report *rep)
{
	struct buf b = BUF_INIT;
	ph_render(tmpl, tmpl ? strlen(tmpl) : 0, ctx, mode, &b, rep);
	return buf_detach(&b);
}
