/* search_query.c - the Zendesk search query parser (see search_query.h).
 *
 * search_query_parse() first checks the whole input (length, NUL bytes,
 * strict UTF-8), so the scanner after it can step over characters by their
 * lead byte without re-checking.  Then one left-to-right pass with a cursor
 * (struct parser) reads one item per iteration:
 *
 *   skip spaces -> optional '-' -> "phrase" | field<op>values | word
 *
 * A field is recognised only when a valid name is followed directly by an
 * operator; anything else is a word, so the parser never fails on text a
 * person might type.  type:, order_by: and sort: fill the struct's own
 * fields instead of becoming conditions.  On any error everything parsed so
 * far is freed, so callers see all or nothing.
 *
 * Cost: O(len) time; the input is at most SEARCH_QUERY_MAX_LEN bytes and
 * each item is one small allocation, so a parse is cheap whatever it gets.
 *
 * search_time_value() and the rank helpers are small table look-ups used
 * by whoever turns conditions into SQL.
 */
#include "core/search_query.h"
#include "base/util.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct parser {
	const char *p;			   /* cursor: start of what is not parsed yet */
	const char *end;		   /* end of the input */
	struct search_query *q;		   /* what is being filled */
	char *err;			   /* where the message goes; may be NULL */
	size_t errlen;			   /* size of err */
	int saw_type, saw_order, saw_sort; /* 1 once that keyword was seen */
};

/* ---- characters ---- */

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static char to_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int d = (unsigned char)to_lower(*a) - (unsigned char)to_lower(*b);
		if (d || !*a)
			return d;
	}
}

/* Length of a valid UTF-8 character from its lead byte. */
static size_t char_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* 1 if s[0..n) is valid, shortest-form UTF-8 without surrogates. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c < 0xE0) {
			k = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c < 0xF0) {
			k = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c < 0xF5) {
			k = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i < k)
			return 0;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return 0;
		i += k;
	}
	return 1;
}

/* Multi-byte white space: NEL, NBSP, U+1680, U+2000-U+200B, U+2028,
 * U+2029, U+202F, U+205F, U+3000 (ideographic space), U+FEFF. */
static const char *const wide_spaces[] = {
    "\xC2\x85",	    "\xC2\xA0",	    "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82",
    "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88",
    "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\x8B", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
    "\xE2\x81\x9F", "\xE3\x80\x80", "\xEF\xBB\xBF",
};

/* Bytes of the white-space character at p, or 0 if it is something else.
 * ASCII controls and DEL count as space. */
static size_t space_len(const char *p, const char *end)
{
	unsigned char c = (unsigned char)*p;
	if (c <= 0x20 || c == 0x7F)
		return 1;
	if (c < 0x80)
		return 0;
	size_t n = char_len(p);
	for (size_t i = 0; i < ARRAY_SIZE(wide_spaces); i++)
		if (strlen(wide_spaces[i]) == n && !memcmp(p, wide_spaces[i], n))
			return n;
	return 0;
}

static void skip_spaces(struct parser *ps)
{
	size_t n;
	while (ps->p < ps->end && (n = space_len(ps->p, ps->end)))
		ps->p += n;
}

/* ---- building the result ---- */

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
{
	if (ps->err && ps->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ps->err, ps->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static char *lower_dup(const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	for (size_t i = 0; i < n; i++)
		d[i] = to_lower(d[i]);
	return d;
}

static int count_item(struct parser *ps)
{
	if (ps->q->nconds + ps->q->nterms >= SEARCH_QUERY_MAX_ITEMS)
		return fail(ps, "too many terms");
	return 0;
}

static int add_term(struct parser *ps, const char *s, size_t n, int is_phrase, int negate)
{
	struct search_query *q = ps->q;
	if (count_item(ps))
		return -1;
	q->terms = xrealloc(q->terms, (q->nterms + 1) * sizeof(*q->terms));
	q->terms[q->nterms++] = (struct search_term){xstrndup(s, n), is_phrase, negate};
	return 0;
}

static void cond_clear(struct search_cond *c)
{
	free(c->field);
	for (size_t i = 0; i < c->nvalues; i++)
		free(c->values[i]);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

/* ---- items ---- */

/* "..." at the cursor; an unclosed quote runs to the end of the input. */
static int parse_phrase(struct parser *ps, int negate)
{
	const char *s = ps->p + 1;
	const char *e = memchr(s, '"', ps->end - s);
	ps->p = e ? e + 1 : ps->end;
	if (!e)
		e = ps->end;
	if (e == s)
		return 0; /* "" says nothing */
	return add_term(ps, s, e - s, 1, negate);
}

/* A word: everything up to white space or a quote. */
static int parse_word(struct parser *ps, int negate)
{
	const char *s = ps->p;
	while (ps->p < ps->end && *ps->p != '"' && !space_len(ps->p, ps->end))
		ps->p += char_len(ps->p);
	return add_term(ps, s, ps->p - s, 0, negate);
}

/* Length of a field name at p, 0 if there is none. */
static size_t field_len(const char *p, const char *end)
{
	if (p == end || !(is_alpha(*p) || *p == '_'))
		return 0;
	size_t n = 1;
	while (p + n < end && (is_alpha(p[n]) || is_digit(p[n]) || p[n] == '_' || p[n] == '.'))
		n++;
	return n;
}

/* Operator at p: its length and *op, or 0 when there is none. */
static size_t op_len(const char *p, const char *end, enum search_op *op)
{
	if (p == end)
		return 0;
	int eq = p + 1 < end && p[1] == '=';
	switch (*p) {
	case ':':
		*op = SEARCH_EQ;
		return 1;
	case '<':
		*op = eq ? SEARCH_LE : SEARCH_LT;
		return eq ? 2 : 1;
	case '>':
		*op = eq ? SEARCH_GE : SEARCH_GT;
		return eq ? 2 : 1;
	}
	return 0;
}

/* value[,value...] at the cursor: bare values end at white space or a
 * comma; a quoted one at its closing quote (or the end of the input). */
static int parse_values(struct parser *ps, struct search_cond *c)
{
	for (;;) {
		const char *s, *e;
		if (ps->p < ps->end && *ps->p == '"') {
			s = ps->p + 1;
			e = memchr(s, '"', ps->end - s);
			ps->p = e ? e + 1 : ps->end;
			if (!e)
				e = ps->end;
		} else {
			s = ps->p;
			while (ps->p < ps->end && *ps->p != ',' && !space_len(ps->p, ps->end))
				ps->p += char_len(ps->p);
			e = ps->p;
		}
		if (e > s) {
			if (c->nvalues == SEARCH_QUERY_MAX_VALUES)
				return fail(ps, "too many values for '%s'", c->field);
			c->values = xrealloc(c->values, (c->nvalues + 1) * sizeof(*c->values));
			c->values[c->nvalues++] = xstrndup(s, e - s);
		}
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		break;
	}
	if (!c->nvalues)
		return fail(ps, "missing value for '%s'", c->field);
	return 0;
}

/* type:, order_by: and sort: - one plain value, given once. */
static int take_keyword(struct parser *ps, struct search_cond *c, int *seen, char **dst)
{
	if (c->negate)
		return fail(ps, "cannot negate '%s'", c->field);
	if (c->op != SEARCH_EQ)
		return fail(ps, "'%s' takes ':' only", c->field);
	if (c->nvalues != 1)
		return fail(ps, "'%s' takes one value", c->field);
	if (*seen)
		return fail(ps, "'%s' given more than once", c->field);
	*seen = 1;
	*dst = lower_dup(c->values[0], strlen(c->values[0]));
	return 0;
}

static int finish_cond(struct parser *ps, struct search_cond *c)
{
	struct search_query *q = ps->q;
	if (!strcmp(c->field, "type"))
		return take_keyword(ps, c, &ps->saw_type, &q->type);
	if (!strcmp(c->field, "order_by"))
		return take_keyword(ps, c, &ps->saw_order, &q->order_by);
	if (!strcmp(c->field, "sort")) {
		char *v = NULL;
		if (take_keyword(ps, c, &ps->saw_sort, &v))
			return -1;
		int desc = !strcmp(v, "desc") || !strcmp(v, "descending");
		int asc = !strcmp(v, "asc") || !strcmp(v, "ascending");
		free(v);
		if (!asc && !desc)
			return fail(ps, "invalid sort '%s'", c->values[0]);
		q->sort_desc = desc;
		return 0;
	}
	if (count_item(ps))
		return -1;
	q->conds = xrealloc(q->conds, (q->nconds + 1) * sizeof(*q->conds));
	q->conds[q->nconds++] = *c;
	memset(c, 0, sizeof(*c)); /* moved */
	return 0;
}

/* field<op>values at the cursor, or 1 (cursor unmoved) when the text there
 * is not a condition. */
static int parse_cond(struct parser *ps, int negate)
{
	const char *p = ps->p;
	enum search_op op;
	size_t fn = field_len(p, ps->end), on;
	if (!fn || !(on = op_len(p + fn, ps->end, &op)))
		return 1;
	const char *v = p + fn + on;
	if (op == SEARCH_EQ && ps->end - v >= 2 && v[0] == '/' && v[1] == '/')
		return 1; /* a URL: http://... */
	struct search_cond c = {lower_dup(p, fn), op, negate, NULL, 0};
	ps->p = v;
	int rc = parse_values(ps, &c);
	if (!rc)
		rc = finish_cond(ps, &c);
	cond_clear(&c);
	return rc;
}

int search_query_parse(const char *q, size_t len, struct search_query *out, char *err,
		       size_t errlen)
{
	struct parser ps = {q, q + len, out, err, errlen, 0, 0, 0};
	memset(out, 0, sizeof(*out));
	out->sort_desc = 1;
	if (err && errlen)
		err[0] = '\0';
	if (len > SEARCH_QUERY_MAX_LEN)
		return fail(&ps, "query too long");
	if (!len)
		return 0;
	if (memchr(q, '\0', len))
		return fail(&ps, "nul byte in query");
	if (!utf8_valid((const unsigned char *)q, len))
		return fail(&ps, "invalid utf-8 in query");

	for (skip_spaces(&ps); ps.p < ps.end; skip_spaces(&ps)) {
		int negate = 0, rc;
		if (*ps.p == '-') {
			negate = 1;
			ps.p++;
			if (ps.p == ps.end || space_len(ps.p, ps.end))
				continue; /* a lone '-' */
		}
		if (*ps.p == '"')
			rc = parse_phrase(&ps, negate);
		else if ((rc = parse_cond(&ps, negate)) == 1)
			rc = parse_word(&ps, negate);
		if (rc) {
			search_query_clear(out);
			return -1;
		}
	}
	return 0;
}

void search_query_clear(struct search_query *q)
{
	for (size_t i = 0; i < q->nconds; i++)
		cond_clear(&q->conds[i]);
	for (size_t i = 0; i < q->nterms; i++)
		free(q->terms[i].text);
	free(q->conds);
	free(q->terms);
	free(q->type);
	free(q->order_by);
	memset(q, 0, sizeof(*q));
	q->sort_desc = 1;
}

/* ---- dates ---- */

static const struct time_unit {
	const char *name;
	int64_t seconds; /* length of one unit, or 0 for calendar units */
	int months;	 /* months in one calendar unit */
} time_units[] = {
    {"minute", 60, 0},	 {"minutes", 60, 0},   {"min", 60, 0},	   {"mins", 60, 0},
    {"hour", 3600, 0},	 {"hours", 3600, 0},   {"hr", 3600, 0},	   {"hrs", 3600, 0},
    {"h", 3600, 0},	 {"day", 86400, 0},    {"days", 86400, 0}, {"d", 86400, 0},
    {"week", 604800, 0}, {"weeks", 604800, 0}, {"w", 604800, 0},   {"month", 0, 1},
    {"months", 0, 1},	 {"year", 0, 12},      {"years", 0, 12},   {"y", 0, 12},
};

#define MAX_RELATIVE 100000

static int days_in_month(int64_t year, int mon)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[mon] + (mon == 1 && leap);
}

static int months_back(int64_t now, int64_t months, int64_t *out)
{
	time_t t = (time_t)now;
	struct tm tm;
	if ((int64_t)t != now || !gmtime_r(&t, &tm))
		return -1;
	int64_t m = (int64_t)tm.tm_year * 12 + tm.tm_mon - months;
	int64_t y = m >= 0 ? m / 12 : -((-m + 11) / 12);
	tm.tm_year = (int)y;
	tm.tm_mon = (int)(m - y * 12);
	int dim = days_in_month(y + 1900, tm.tm_mon);
	if (tm.tm_mday > dim)
		tm.tm_mday = dim;
	tm.tm_isdst = 0;
	*out = (int64_t)timegm(&tm);
	return 0;
}

int search_time_value(const char *v, int64_t now, int64_t *out)
{
	int64_t n = 0;
	size_t i = 0;
	if (!v)
		return -1;
	if (!parse_iso8601(v, out))
		return 0;
	for (; is_digit(v[i]); i++) {
		n = n * 10 + (v[i] - '0');
		if (n > MAX_RELATIVE)
			return -1;
	}
	if (!i)
		return -1;
	for (size_t u = 0; u < ARRAY_SIZE(time_units); u++) {
		const struct time_unit *tu = &time_units[u];
		int64_t d;
		if (ascii_casecmp(v + i, tu->name))
			continue;
		if (tu->months)
			return months_back(now, n * tu->months, out);
		if (__builtin_sub_overflow(now, n * tu->seconds, &d))
			return -1;
		*out = d;
		return 0;
	}
	return -1;
}

/* ---- ranks ---- */

static const char *const status_order[] = {"new", "open", "pending", "hold", "solved", "closed"};
static const char *const priority_order[] = {"low", "normal", "high", "urgent"};

static int rank(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!ascii_casecmp(s, list[i]))
			return (int)i;
	return -1;
}

int search_status_rank(const char *s) { return rank(s, status_order, ARRAY_SIZE(status_order)); }

int search_priority_rank(const char *s)
{
	return rank(s, priority_order, ARRAY_SIZE(priority_order));
}
