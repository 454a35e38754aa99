/* search_store.c - Zendesk search queries as SQL (see search_store.h).
 *
 * search_store_run(), in order:
 *   1. plan_init(): pick the kinds to search (type:, the caller's kinds, or
 *      every kind that knows all the query's fields) and check
 *      sort_by/order_by;
 *   2. kind_select() writes one SELECT per kind - "SELECT ... FROM <table>
 *      WHERE <visibility> AND <conditions> AND <free text>" - from the
 *      constant fragments below, with every value from the query bound as a
 *      parameter (struct sb keeps the SQL and its arguments in step);
 *   3. the count: one statement with a COUNT(*) column per kind (this is
 *      where an invalid query is found, as every kind is written); a kind
 *      searched by words alone, as someone who sees all of it, is counted
 *      from its full-text table without touching the table itself;
 *   4. the page, unless the count says it is empty: the kinds that have
 *      matches, glued with UNION ALL, ordered by the sort key s, then id,
 *      then kind (all the same direction, so pages never overlap), with
 *      LIMIT/OFFSET.  Tickets sorted by updated_at with many matches are
 *      read in index order with the words as a filter (walk_sorted()).
 *
 * Conditions come from one table (fields[]): name, the kinds that have the
 * field, whether it takes < <= > >=, and the function that writes its
 * boolean expression.  A negated condition is "(expr) IS NOT TRUE", so rows
 * where the field is NULL count as "not matching" (-assignee:5 includes
 * unassigned tickets).  The closed vocabularies (status, priority, ticket
 * type, role) are written as SQL literals from this file's own tables;
 * nothing the user typed is ever part of the SQL text.
 *
 * Free text: every positive word or phrase goes into ONE full-text
 * predicate per kind, negated ones into one NOT IN predicate:
 *   SQLite      id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?)
 *               with  "word" "two words" "pre" *        (space = AND)
 *               and   "spam" OR "junk"                  for the negated ones
 *   PostgreSQL  id IN (SELECT rowid FROM ticket_fts WHERE tsv @@ CAST(? AS tsquery))
 *               with  ('word') & ('two' <-> 'word') & ('pre':*)
 *               and   ('spam') | ('junk')
 * Each term is one FTS5 string (inner '"' doubled), so FTS5 operators,
 * column filters and '*' or '^' typed by the user are text for the
 * tokenizer, never syntax; on PostgreSQL fts_pg_tsquery() quotes every
 * lexeme.  Both sides tokenize with core/tokenize.h, so they find the same
 * rows.
 *
 * Cost: two statements (count, page), one when the page is empty.  The
 * count of words alone is one pass over the words' postings; otherwise
 * each kind is a scan of its table, or of an index SQLite picks, filtered
 * by indexed sub-selects (full-text, ticket_tags, users by email).  The
 * page stops after offset + limit rows when an index gives the order
 * (/api/v2/search asks for at most 1,000: SEARCH_MAX_RESULTS), else sorts
 * its matches keeping the best offset + limit.  Measured on 100,000
 * tickets: a word in 25,000 of them costs ~1.5 ms to count and ~4 ms for a
 * page (the words' set, then ~400 index steps), where a row lookup per
 * match cost ~40 ms per statement.  One statement binds at most MAX_ARGS
 * values (db.c's limit); a query needing more is refused as invalid.
 */
#include "store/search_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/tokenize.h"
#include "store/fts_pg.h"
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Most values one statement binds (db.c's MAX_PARAMS). */
#define MAX_ARGS 64

/* ---- what each kind is in SQL ---------------------------------------- */

struct kind_info {
	int kind;	   /* SEARCH_* */
	const char *type;  /* its name in type: */
	const char *table; /* "tickets t" */
	const char *alias; /* "t" */
	const char *fts;   /* its full-text table */
};

static const struct kind_info kinds_info[] = {
    {SEARCH_TICKET, "ticket", "tickets t", "t", "ticket_fts"},
    {SEARCH_USER, "user", "users u", "u", "user_fts"},
    {SEARCH_ORGANIZATION, "organization", "organizations o", "o", "organization_fts"},
};

static const struct kind_info *kind_by_type(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds_info); i++)
		if (!strcmp(kinds_info[i].type, type))
			return &kinds_info[i];
	return NULL;
}

/* ---- the statement being built ---------------------------------------- */

struct sb {
	struct buf sql;		      /* the SQL text so far */
	struct db_arg args[MAX_ARGS]; /* its arguments, one per '?' */
	int nargs;
	int too_many; /* an argument did not fit */
	char **owned; /* strings the arguments point into */
	size_t nowned;
	enum db_engine engine;
	const struct search_spec *spec;
	const struct kind_info *k; /* the kind whose SELECT is being built */
	char *err;		   /* where the first error goes */
	size_t errlen;
	int invalid; /* 1 once the query was found invalid */
};

static void add(struct sb *b, const char *s) { buf_adds(&b->sql, s); }

static void addf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		BUG("sql fragment too long: '%.40s'", fmt);
	buf_adds(&b->sql, tmp);
}

/* The current kind's column: "t.status". */
static void col(struct sb *b, const char *name) { addf(b, "%s.%s", b->k->alias, name); }

static struct db_arg *next_arg(struct sb *b)
{
	if (b->nargs == MAX_ARGS) {
		b->too_many = 1;
		return NULL;
	}
	return &b->args[b->nargs++];
}

/* Bind an integer to the '?' just written. */
static void arg_i(struct sb *b, int64_t v)
{
	struct db_arg *a = next_arg(b);
	if (a)
		*a = (struct db_arg){.type = 'i', .i = v};
}

/* Bind s (owned by the caller; must live until the statement has run). */
static void arg_s(struct sb *b, const char *s)
{
	struct db_arg *a = next_arg(b);
	if (a)
		*a = (struct db_arg){.type = 's', .s = s};
}

/* Bind s and take ownership of it. */
static void arg_own(struct sb *b, char *s)
{
	b->owned = xrealloc(b->owned, (b->nowned + 1) * sizeof(*b->owned));
	b->owned[b->nowned++] = s;
	arg_s(b, s);
}

static int invalid(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int invalid(struct sb *b, const char *fmt, ...)
{
	if (!b->invalid && b->err && b->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	b->invalid = 1;
	return -1;
}

static void sb_release(struct sb *b)
{
	buf_release(&b->sql);
	for (size_t i = 0; i < b->nowned; i++)
		free(b->owned[i]);
	free(b->owned);
	b->owned = NULL;
	b->nowned = 0;
	b->nargs = 0;
}

/* ---- small text helpers -------------------------------------------------- */

static char *lower_dup(const char *s)
{
	char *d = xstrdup(s);
	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return d;
}

static int all_digits(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 18)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A LIKE pattern (ESCAPE '\') matching v lower-cased (ASCII) anywhere;
 * '*' in v is a wildcard.  pre/post: '%' added before/after. */
static char *like_pattern(const char *v, int pre, int post)
{
	struct buf p = BUF_INIT;
	if (pre)
		buf_addc(&p, '%');
	for (const char *s = v; *s; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;
		if (c == '\\' || c == '%' || c == '_')
			buf_addc(&p, '\\');
		buf_addc(&p, c == '*' ? '%' : c);
	}
	if (post)
		buf_addc(&p, '%');
	return buf_detach(&p);
}

static int count_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	(*(int *)ctx)++;
	return 0;
}

/* Tokens in s (0 = nothing searchable). */
static int token_count(const char *s, size_t n)
{
	int c = 0;
	tokenize(s, n, count_token, &c);
	return c;
}

/* Append one term to an FTS5 query (sep between terms) or a tsquery.
 * prefix: the last token is a prefix.  Returns 0, or 1 when the text has
 * no tokens (nothing appended). */
static int fts_add_term(enum db_engine e, struct buf *q, const char *sep, const char *text,
			size_t n, int prefix)
{
	if (!token_count(text, n))
		return 1;
	if (q->len)
		buf_adds(q, sep);
	if (e == DB_SQLITE) {
		buf_addc(q, '"');
		for (size_t i = 0; i < n; i++) {
			if (text[i] == '"')
				buf_addc(q, '"');
			buf_addc(q, text[i]);
		}
		buf_adds(q, prefix ? "\" *" : "\"");
		return 0;
	}
	buf_addc(q, '(');
	if (fts_pg_tsquery(text, n, q))
		BUG("tsquery of %zu bytes did not fit", n);
	buf_adds(q, prefix ? ":*)" : ")");
	return 0;
}

/* The current kind's full-text table for the asking actor: end-users
 * search tickets by their public text only (internal notes are in
 * ticket_fts, not in ticket_public_fts). */
static const char *fts_table(const struct sb *b)
{
	const char *fts = b->k->fts;
	if (!strcmp(fts, "ticket_fts") && b->spec->who->role == ROLE_END_USER)
		return "ticket_public_fts";
	return fts;
}

/* "<fts> WHERE <match>" with query q (taken). */
static void fts_match(struct sb *b, char *q)
{
	const char *fts = fts_table(b);
	if (b->engine == DB_SQLITE)
		addf(b, "%s WHERE %s MATCH ?", fts, fts);
	else
		addf(b, "%s WHERE tsv @@ CAST(? AS tsquery)", fts);
	arg_own(b, q);
}

/* "<id> [NOT] IN (SELECT rowid FROM <fts> WHERE <match>)" with query q
 * (taken).  unindexed: "+<id>", so that SQLite does not drive the query
 * from the matches (see kind_select). */
static void fts_pred(struct sb *b, char *q, int negate, int unindexed)
{
	add(b, unindexed ? "+" : "");
	col(b, "id");
	add(b, negate ? " NOT IN (SELECT rowid FROM " : " IN (SELECT rowid FROM ");
	fts_match(b, q);
	add(b, ")");
}

/* The full-text predicate for text[0..n) as one phrase, or 1 when it has no
 * tokens (nothing written). */
static int fts_phrase_pred(struct sb *b, const char *text)
{
	struct buf q = BUF_INIT;
	if (fts_add_term(b->engine, &q, " ", text, strlen(text), 0)) {
		buf_release(&q);
		return 1;
	}
	fts_pred(b, buf_detach(&q), 0, 0);
	return 0;
}

/* ---- conditions ------------------------------------------------------------- */

struct field;
typedef int (*field_fn)(struct sb *b, const struct search_cond *c, const struct field *f);

struct field {
	const char *name; /* as written in the query (lower-case) */
	unsigned kinds;	  /* SEARCH_* that have it */
	int ordered;	  /* takes < <= > >= besides ':' */
	field_fn fn;	  /* writes one parenthesized boolean expression */
	const char *col;  /* the column, for the functions that need one */
};

static const char *const status_names[] = {"new", "open", "pending", "hold", "solved", "closed"};
static const char *const priority_names[] = {"low", "normal", "high", "urgent"};
static const char *const type_names[] = {"problem", "incident", "question", "task"};

/* Does rank r satisfy "r <op> v"? */
static int rank_ok(int r, enum search_op op, int v)
{
	switch (op) {
	case SEARCH_EQ:
		return r == v;
	case SEARCH_LT:
		return r < v;
	case SEARCH_LE:
		return r <= v;
	case SEARCH_GT:
		return r > v;
	case SEARCH_GE:
		return r >= v;
	}
	return 0;
}

/* "(col IN ('a', 'b') [OR col IS NULL])" from a set of names[] (bit i =
 * names[i]); literals come from names[], never from the query. */
static void in_names(struct sb *b, const char *column, const char *const *names, size_t n,
		     unsigned set, int or_null)
{
	int any = 0;
	add(b, "(");
	for (size_t i = 0; i < n; i++) {
		if (!(set & (1u << i)))
			continue;
		if (!any) {
			col(b, column);
			add(b, " IN (");
		}
		addf(b, "%s'%s'", any ? ", " : "", names[i]);
		any = 1;
	}
	if (any)
		add(b, ")");
	if (or_null) {
		add(b, any ? " OR " : "");
		col(b, column);
		add(b, " IS NULL");
	} else if (!any) {
		add(b, "1 = 0");
	}
	add(b, ")");
}

/* status and priority: names with a rank, compared by rank. */
static int f_ranked(struct sb *b, const struct search_cond *c, const struct field *f)
{
	int is_status = !strcmp(f->col, "status");
	const char *const *names = is_status ? status_names : priority_names;
	size_t n = is_status ? ARRAY_SIZE(status_names) : ARRAY_SIZE(priority_names);
	unsigned set = 0;
	int none = 0;
	for (size_t i = 0; i < c->nvalues; i++) {
		const char *v = c->values[i];
		int r = is_status ? search_status_rank(v) : search_priority_rank(v);
		if (r < 0 && !is_status && c->op == SEARCH_EQ && !strcasecmp(v, "none")) {
			none = 1;
			continue;
		}
		if (r < 0)
			return invalid(b, "invalid %s '%s'", f->name, v);
		for (size_t k = 0; k < n; k++)
			if (rank_ok((int)k, c->op, r))
				set |= 1u << k;
	}
	in_names(b, f->col, names, n, set, none);
	return 0;
}

static int f_ticket_type(struct sb *b, const struct search_cond *c, const struct field *f)
{
	unsigned set = 0;
	int none = 0;
	for (size_t i = 0; i < c->nvalues; i++) {
		size_t k;
		for (k = 0; k < ARRAY_SIZE(type_names); k++)
			if (!strcasecmp(c->values[i], type_names[k]))
				break;
		if (k < ARRAY_SIZE(type_names))
			set |= 1u << k;
		else if (!strcasecmp(c->values[i], "none"))
			none = 1;
		else
			return invalid(b, "invalid ticket_type '%s'", c->values[i]);
	}
	in_names(b, f->col, type_names, ARRAY_SIZE(type_names), set, none);
	return 0;
}

static int f_role(struct sb *b, const struct search_cond *c, const struct field *f)
{
	static const char *const roles[] = {"end-user", "agent", "admin"};
	unsigned set = 0;
	for (size_t i = 0; i < c->nvalues; i++) {
		char *v = lower_dup(c->values[i]);
		int r =
		    !strcmp(v, "enduser") || !strcmp(v, "end_user") ? ROLE_END_USER : role_parse(v);
		free(v);
		if (r < 0)
			return invalid(b, "invalid role '%s'", c->values[i]);
		set |= 1u << r;
	}
	in_names(b, f->col, roles, ARRAY_SIZE(roles), set, 0);
	return 0;
}

/* One test of column expression `expr` against a person: me, none, an id,
 * an email address or a name.  allow_none: "none" means NULL. */
static int user_test(struct sb *b, const char *expr, const char *v, int allow_none)
{
	if (!strcasecmp(v, "me")) {
		addf(b, "%s = ?", expr);
		arg_i(b, b->spec->who->user_id);
	} else if (!strcasecmp(v, "none")) {
		if (!allow_none)
			return invalid(b, "'none' is not a person here");
		addf(b, "%s IS NULL", expr);
	} else if (all_digits(v)) {
		int64_t id;
		parse_i64(v, &id);
		addf(b, "%s = ?", expr);
		arg_i(b, id);
	} else if (strchr(v, '@')) {
		addf(b,
		     "%s IN (SELECT ui.user_id FROM user_identities ui WHERE ui.type = 'email'"
		     " AND lower(ui.value) = ?)",
		     expr);
		arg_own(b, lower_dup(v));
	} else {
		addf(b, "%s IN (SELECT u2.id FROM users u2 WHERE lower(u2.name) = ?)", expr);
		arg_own(b, lower_dup(v));
	}
	return 0;
}

/* assignee, requester, submitter */
static int f_person(struct sb *b, const struct search_cond *c, const struct field *f)
{
	char expr[32];
	snprintf(expr, sizeof(expr), "%s.%s", b->k->alias, f->col);
	add(b, "(");
	for (size_t i = 0; i < c->nvalues; i++) {
		add(b, i ? " OR " : "");
		if (user_test(b, expr, c->values[i], 1))
			return -1;
	}
	add(b, ")");
	return 0;
}

/* commenter: someone wrote a comment (a public one, for end-users). */
static int f_commenter(struct sb *b, const struct search_cond *c, const struct field *f)
{
	add(b, "(EXISTS (SELECT 1 FROM comments c2 WHERE c2.ticket_id = ");
	col(b, "id");
	add(b, " AND (");
	for (size_t i = 0; i < c->nvalues; i++) {
		add(b, i ? " OR " : "");
		if (user_test(b, "c2.author_id", c->values[i], 0))
			return -1;
	}
	add(b, ")");
	if (b->spec->who->role == ROLE_END_USER)
		add(b, " AND c2.is_public = 1");
	add(b, "))");
	return 0;
}

/* group, organization and form: an id, a name, or none.  f->col is the
 * column; the table of names follows from it. */
static int f_named_ref(struct sb *b, const struct search_cond *c, const struct field *f)
{
	static const struct {
		const char *col, *by_name;
	} names[] = {
		{"group_id", " IN (SELECT g2.id FROM agent_groups g2 WHERE lower(g2.name) = ?)"},
		{"organization_id",
		 " IN (SELECT o2.id FROM organizations o2 WHERE lower(o2.name) = ?)"},
		{"ticket_form_id", " IN (SELECT f2.id FROM ticket_forms f2 WHERE lower(f2.name) = ?)"},
	};
	const char *by_name = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(f->col, names[i].col))
			by_name = names[i].by_name;
	if (!by_name)
		BUG("no table of names for '%s'", f->col);
	add(b, "(");
	for (size_t i = 0; i < c->nvalues; i++) {
		const char *v = c->values[i];
		add(b, i ? " OR " : "");
		col(b, f->col);
		if (!strcasecmp(v, "none")) {
			add(b, " IS NULL");
		} else if (all_digits(v)) {
			int64_t id;
			parse_i64(v, &id);
			add(b, " = ?");
			arg_i(b, id);
		} else {
			add(b, by_name);
			arg_own(b, lower_dup(v));
		}
	}
	add(b, ")");
	return 0;
}

/* tags / tag: tickets through ticket_tags, users and organizations through
 * their JSON list ("vip" appears as "\"vip\"" in ["vip","x"]).  "none":
 * no tags at all. */
static int f_tags(struct sb *b, const struct search_cond *c, const struct field *f)
{
	int ticket = b->k->kind == SEARCH_TICKET, none = 0, any = 0;
	char *tags[SEARCH_QUERY_MAX_VALUES];
	size_t ntags = 0;
	for (size_t i = 0; i < c->nvalues; i++) {
		if (!strcasecmp(c->values[i], "none")) {
			none = 1;
			continue;
		}
		char *tag = tag_normalize(c->values[i]);
		if (!tag) {
			for (size_t k = 0; k < ntags; k++)
				free(tags[k]);
			return invalid(b, "invalid tag '%s'", c->values[i]);
		}
		tags[ntags++] = tag;
	}
	add(b, "(");
	if (ntags && ticket) {
		add(b, "EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = ");
		col(b, "id");
		add(b, " AND tt.tag IN (");
		for (size_t k = 0; k < ntags; k++) {
			add(b, k ? ", ?" : "?");
			arg_own(b, tags[k]);
		}
		add(b, "))");
		any = 1;
	}
	for (size_t k = 0; !ticket && k < ntags; k++) {
		json_t *js = json_string(tags[k]);
		char *quoted = json_dumps(js, JSON_ENCODE_ANY | JSON_COMPACT);
		json_decref(js);
		free(tags[k]);
		if (!quoted)
			BUG("a normalized tag is not JSON");
		add(b, any ? " OR lower(" : "lower(");
		col(b, "tags");
		add(b, ") LIKE ? ESCAPE '\\'");
		arg_own(b, like_pattern(quoted, 1, 1));
		free(quoted);
		any = 1;
	}
	if (none) {
		add(b, any ? " OR " : "");
		if (ticket) {
			add(b, "NOT EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = ");
			col(b, "id");
			add(b, ")");
		} else {
			col(b, "tags");
			add(b, " = '[]'");
		}
	}
	add(b, ")");
	return 0;
}

/* via: the channel a ticket came in by (Zendesk's names accepted too). */
static int f_via(struct sb *b, const struct search_cond *c, const struct field *f)
{
	static const struct {
		const char *alias, *channel;
	} aliases[] = {
	    {"mail", "email"},	    {"web_form", "web"}, {"webform", "web"},
	    {"web_service", "api"}, {"chat", "chat"},	 {"messaging", "messaging"},
	};
	col(b, f->col);
	add(b, " IN (");
	for (size_t i = 0; i < c->nvalues; i++) {
		char *v = lower_dup(c->values[i]);
		for (size_t k = 0; k < ARRAY_SIZE(aliases); k++)
			if (!strcmp(v, aliases[k].alias)) {
				free(v);
				v = xstrdup(aliases[k].channel);
				break;
			}
		add(b, i ? ", ?" : "?");
		arg_own(b, v);
	}
	add(b, ")");
	return 0;
}

/* created, updated, solved, due_date.  A date alone (2026-01-05) is that
 * whole UTC day: ':' the day, '>' after it, '<=' up to its end.  A time or a
 * relative value (4hours) is an instant; ':' with a relative value means
 * "since then". */
static int f_date(struct sb *b, const struct search_cond *c, const struct field *f)
{
	add(b, "(");
	for (size_t i = 0; i < c->nvalues; i++) {
		const char *v = c->values[i];
		int64_t t, abs;
		if (search_time_value(v, b->spec->now, &t))
			return invalid(b, "invalid time '%s' for '%s'", v, f->name);
		int is_abs = !parse_iso8601(v, &abs);
		int day = is_abs && strlen(v) == 10;
		add(b, i ? " OR " : "");
		col(b, f->col);
		switch (c->op) {
		case SEARCH_EQ:
			if (day) {
				add(b, " >= ? AND ");
				col(b, f->col);
				add(b, " < ?");
				arg_i(b, t);
				arg_i(b, t + 86400);
				continue;
			}
			add(b, is_abs ? " = ?" : " >= ?");
			break;
		case SEARCH_LT:
			add(b, " < ?");
			break;
		case SEARCH_LE:
			add(b, day ? " < ?" : " <= ?");
			if (day)
				t += 86400;
			break;
		case SEARCH_GT:
			add(b, day ? " >= ?" : " > ?");
			if (day)
				t += 86400;
			break;
		case SEARCH_GE:
			add(b, " >= ?");
			break;
		}
		arg_i(b, t);
	}
	add(b, ")");
	return 0;
}

/* subject, description: the words through the full-text index, then the
 * column itself contains the value (case-insensitive, '*' a wildcard). */
static int f_text_col(struct sb *b, const struct search_cond *c, const struct field *f)
{
	add(b, "(");
	for (size_t i = 0; i < c->nvalues; i++) {
		const char *v = c->values[i];
		add(b, i ? " OR (" : "(");
		if (!strchr(v, '*') && !fts_phrase_pred(b, v))
			add(b, " AND ");
		addf(b, "lower(%s.%s) LIKE ? ESCAPE '\\')", b->k->alias, f->col);
		arg_own(b, like_pattern(v, 1, 1));
	}
	add(b, ")");
	return 0;
}

/* comment: words anywhere in the ticket's text (the full-text index). */
static int f_fulltext(struct sb *b, const struct search_cond *c, const struct field *f)
{
	int any = 0;
	add(b, "(");
	for (size_t i = 0; i < c->nvalues; i++) {
		size_t mark = b->sql.len;
		add(b, any ? " OR " : "");
		if (fts_phrase_pred(b, c->values[i])) {
			b->sql.len = mark; /* nothing searchable in this one */
			b->sql.s[mark] = '\0';
			continue;
		}
		any = 1;
	}
	if (!any)
		return invalid(b, "nothing to search for in '%s'", f->name);
	add(b, ")");
	return 0;
}

/* name, notes, details: the column contains the value (case-insensitive,
 * '*' a wildcard). */
static int f_contains(struct sb *b, const struct search_cond *c, const struct field *f)
{
	add(b, "(");
	for (size_t i = 0; i < c->nvalues; i++) {
		addf(b, "%slower(%s.%s) LIKE ? ESCAPE '\\'", i ? " OR " : "", b->k->alias, f->col);
		arg_own(b, like_pattern(c->values[i], 1, 1));
	}
	add(b, ")");
	return 0;
}

/* external_id, phone: exactly the value. */
static int f_exact(struct sb *b, const struct search_cond *c, const struct field *f)
{
	add(b, "(");
	col(b, f->col);
	add(b, " IN (");
	for (size_t i = 0; i < c->nvalues; i++) {
		add(b, i ? ", ?" : "?");
		arg_s(b, c->values[i]);
	}
	add(b, "))");
	return 0;
}

/* email: any of the user's email identities.  "@example.com" matches the
 * domain, '*' is a wildcard, anything else the whole address. */
static int f_email(struct sb *b, const struct search_cond *c, const struct field *f)
{
	add(b, "(");
	col(b, "id");
	add(b, " IN (SELECT ui.user_id FROM user_identities ui WHERE ui.type = 'email' AND (");
	for (size_t i = 0; i < c->nvalues; i++) {
		const char *v = c->values[i];
		add(b, i ? " OR " : "");
		if (v[0] == '@' || strchr(v, '*')) {
			add(b, "lower(ui.value) LIKE ? ESCAPE '\\'");
			arg_own(b, like_pattern(v, v[0] == '@', 0));
		} else {
			add(b, "lower(ui.value) = ?");
			arg_own(b, lower_dup(v));
		}
	}
	add(b, ")))");
	return 0;
}

/* true/false */
static int bool_value(struct sb *b, const struct search_cond *c, const struct field *f, size_t i,
		      int *out)
{
	const char *v = c->values[i];
	if (!strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return invalid(b, "'%s' takes true or false, not '%s'", f->name, v);
	return 0;
}

/* has_incidents, has_attachment */
static int f_has(struct sb *b, const struct search_cond *c, const struct field *f)
{
	int incidents = !strcmp(f->name, "has_incidents");
	add(b, "(");
	for (size_t i = 0; i < c->nvalues; i++) {
		int yes = 0;
		if (bool_value(b, c, f, i, &yes))
			return -1;
		add(b, i ? " OR " : "");
		add(b, yes ? "EXISTS " : "NOT EXISTS ");
		if (incidents) {
			add(b, "(SELECT 1 FROM tickets i2 WHERE i2.problem_id = ");
			col(b, "id");
			add(b, ")");
			continue;
		}
		add(b, "(SELECT 1 FROM attachments a2 WHERE a2.ticket_id = ");
		col(b, "id");
		if (b->spec->who->role == ROLE_END_USER)
			add(b, " AND a2.comment_id IN (SELECT c2.id FROM comments c2 WHERE"
			       " c2.is_public = 1)");
		add(b, ")");
	}
	add(b, ")");
	return 0;
}

#define T SEARCH_TICKET
#define U SEARCH_USER
#define O SEARCH_ORGANIZATION
static const struct field fields[] = {
    /* name, kinds that have it, takes < <= > >=, writer, column */
    {"status", T, 1, f_ranked, "status"},
    {"priority", T, 1, f_ranked, "priority"},
    {"ticket_type", T, 0, f_ticket_type, "type"},
    {"assignee", T, 0, f_person, "assignee_id"},
    {"requester", T, 0, f_person, "requester_id"},
    {"submitter", T, 0, f_person, "submitter_id"},
    {"commenter", T, 0, f_commenter, NULL},
    {"group", T, 0, f_named_ref, "group_id"},
    {"organization", T | U, 0, f_named_ref, "organization_id"},
    {"form", T, 0, f_named_ref, "ticket_form_id"},
    {"tags", T | U | O, 0, f_tags, NULL},
    {"tag", T | U | O, 0, f_tags, NULL},
    {"via", T, 0, f_via, "via_channel"},
    {"created", T | U | O, 1, f_date, "created_at"},
    {"updated", T | U | O, 1, f_date, "updated_at"},
    {"solved", T, 1, f_date, "solved_at"},
    {"due_date", T, 1, f_date, "due_at"},
    {"subject", T, 0, f_text_col, "subject"},
    {"description", T, 0, f_text_col, "description"},
    {"comment", T, 0, f_fulltext, NULL},
    {"external_id", T | U | O, 0, f_exact, "external_id"},
    {"has_incidents", T, 0, f_has, NULL},
    {"has_attachment", T, 0, f_has, NULL},
    {"name", U | O, 0, f_contains, "name"},
    {"notes", U | O, 0, f_contains, "notes"},
    {"details", U | O, 0, f_contains, "details"},
    {"email", U, 0, f_email, NULL},
    {"phone", U, 0, f_exact, "phone"},
    {"role", U, 0, f_role, "role"},
};
#undef T
#undef U
#undef O

static const struct field *field_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

static const char *op_name(enum search_op op)
{
	static const char *const names[] = {":", "<", "<=", ">", ">="};
	return names[op];
}

/* ---- visibility ----------------------------------------------------------- */

/* Does the asking actor see every row of the current kind (so that
 * visibility() writes nothing)? */
static int sees_all(const struct sb *b)
{
	const struct actor *w = b->spec->who;
	switch (b->k->kind) {
	case SEARCH_TICKET:
		return w->role != ROLE_END_USER &&
		       !(w->role == ROLE_AGENT && (w->restriction == RESTRICT_ASSIGNED ||
						   w->restriction == RESTRICT_GROUPS));
	case SEARCH_USER:
		return 0; /* merged and deleted users are never found */
	case SEARCH_ORGANIZATION:
		return w->role != ROLE_END_USER;
	}
	BUG("search kind %d", b->k->kind);
}

/* " AND <what who may see of this kind>", as ticket_can_view() decides for
 * tickets; nothing when sees_all(). */
static void visibility(struct sb *b)
{
	const struct actor *w = b->spec->who;
	switch (b->k->kind) {
	case SEARCH_TICKET:
		if (w->role == ROLE_END_USER) {
			/* requester, CC (collaborator_ids is compact JSON: [1,2]),
			 * or the organization shares its tickets */
			add(b, " AND (t.requester_id = ? OR (',' || REPLACE(REPLACE("
			       "t.collaborator_ids, '[', ''), ']', '') || ',') LIKE ?");
			arg_i(b, w->user_id);
			char pat[48];
			snprintf(pat, sizeof(pat), "%%,%" PRId64 ",%%", w->user_id);
			arg_own(b, xstrdup(pat));
			if (w->org_shared && w->organization_id) {
				add(b, " OR t.organization_id = ?");
				arg_i(b, w->organization_id);
			}
			add(b, ")");
		} else if (w->role == ROLE_AGENT && w->restriction == RESTRICT_ASSIGNED) {
			add(b, " AND t.assignee_id = ?");
			arg_i(b, w->user_id);
		} else if (w->role == ROLE_AGENT && w->restriction == RESTRICT_GROUPS) {
			add(b, " AND (t.assignee_id = ? OR t.group_id IN (SELECT gm.group_id FROM"
			       " group_memberships gm WHERE gm.user_id = ?))");
			arg_i(b, w->user_id);
			arg_i(b, w->user_id);
		}
		break;
	case SEARCH_USER:
		add(b, " AND u.merged_into IS NULL AND u.active = 1"); /* not deleted */
		if (w->role == ROLE_END_USER) {
			add(b, " AND u.id = ?");
			arg_i(b, w->user_id);
		}
		break;
	case SEARCH_ORGANIZATION:
		if (w->role == ROLE_END_USER) {
			add(b, " AND o.id = ?"); /* 0 = no organization: nothing */
			arg_i(b, w->organization_id);
		}
		break;
	}
}

/* ---- sorting ------------------------------------------------------------------ */

/* What sort_by and order_by: accept, and the key each means (order_by:
 * also takes Zendesk's short names). */
static const struct {
	const char *name, *key;
} sort_keys[] = {
    {"updated_at", "updated_at"}, {"created_at", "created_at"},	  {"priority", "priority"},
    {"status", "status"},	  {"ticket_type", "ticket_type"}, {"updated", "updated_at"},
    {"created", "created_at"},
};

/* The key for name, or NULL when it is none. */
static const char *sort_key(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sort_keys); i++)
		if (!strcmp(name, sort_keys[i].name))
			return sort_keys[i].key;
	return NULL;
}

/* The sort expression of the current kind, named s. */
static void sort_expr(struct sb *b, const char *key)
{
	int ticket = b->k->kind == SEARCH_TICKET;
	if (!strcmp(key, "created_at") || !strcmp(key, "updated_at")) {
		col(b, key);
	} else if (!strcmp(key, "status")) {
		add(b, ticket ? "CASE t.status WHEN 'new' THEN 0 WHEN 'open' THEN 1 WHEN 'pending'"
				" THEN 2 WHEN 'hold' THEN 3 WHEN 'solved' THEN 4 WHEN 'closed'"
				" THEN 5 ELSE 6 END"
			      : "-1");
	} else if (!strcmp(key, "priority")) {
		add(b, ticket ? "CASE t.priority WHEN 'low' THEN 1 WHEN 'normal' THEN 2 WHEN"
				" 'high' THEN 3 WHEN 'urgent' THEN 4 ELSE 0 END"
			      : "-1");
	} else {
		add(b, ticket ? "COALESCE(t.type, '')" : "''");
	}
	add(b, " AS s");
}

/* ---- the whole statement ---------------------------------------------------- */

/* Which kinds to search; 0 after invalid(). */
static unsigned pick_kinds(struct sb *b)
{
	const struct search_spec *sp = b->spec;
	const struct search_query *q = sp->q;
	unsigned kinds = sp->kinds & SEARCH_ALL_KINDS;
	int explicit = kinds != 0;
	if (q->type) {
		const struct kind_info *k = kind_by_type(q->type);
		if (!k)
			return invalid(b, "unsupported type '%s'", q->type), 0;
		if (kinds && !(kinds & k->kind))
			return invalid(b, "type '%s' cannot be searched here", q->type), 0;
		kinds = k->kind;
		explicit = 1;
	}
	if (!kinds)
		kinds = SEARCH_ALL_KINDS;
	for (size_t i = 0; i < q->nconds; i++) {
		const struct search_cond *c = &q->conds[i];
		const struct field *f = field_by_name(c->field);
		if (!f)
			return invalid(b, "unknown field '%s'", c->field), 0;
		if (explicit && (f->kinds & kinds) != kinds) {
			const struct kind_info *k = &kinds_info[0];
			for (size_t j = 0; j < ARRAY_SIZE(kinds_info); j++)
				if ((kinds & kinds_info[j].kind) &&
				    !(f->kinds & kinds_info[j].kind))
					k = &kinds_info[j];
			return invalid(b, "unknown field '%s' for type '%s'", c->field, k->type), 0;
		}
		kinds &= f->kinds;
		if (!kinds)
			return invalid(b, "no type has all the fields of the query (at '%s')",
				       c->field),
			       0;
		if (c->op != SEARCH_EQ && !f->ordered)
			return invalid(b, "'%s' does not take '%s'", c->field, op_name(c->op)), 0;
	}
	return kinds;
}

/* The query's words as one full-text query of the positive ones and one of
 * the negated ones (either may stay empty: no words, or none with tokens). */
static void text_queries(struct sb *b, struct buf *pos, struct buf *neg)
{
	const struct search_query *q = b->spec->q;
	for (size_t i = 0; i < q->nterms; i++) {
		const struct search_term *t = &q->terms[i];
		size_t n = strlen(t->text);
		int prefix = 0;
		if (!t->is_phrase && n && t->text[n - 1] == '*') {
			while (n && t->text[n - 1] == '*')
				n--;
			prefix = 1;
		}
		if (t->negate)
			fts_add_term(b->engine, neg, b->engine == DB_SQLITE ? " OR " : " | ",
				     t->text, n, prefix);
		else
			fts_add_term(b->engine, pos, b->engine == DB_SQLITE ? " " : " & ", t->text,
				     n, prefix);
	}
}

/* What kind_select() writes. */
enum select_as {
	SELECT_ROWS,	  /* "k, id, s" of every match */
	SELECT_ROWS_WALK, /* the same, the words only a filter (see walk_sorted()) */
	SELECT_COUNT,	  /* "COUNT(*)" of the matches */
};

/* The current kind's SELECT.  0, or -1 after invalid(). */
static int kind_select(struct sb *b, const char *sort_key, enum select_as as)
{
	const struct search_query *q = b->spec->q;
	struct buf pos = BUF_INIT, neg = BUF_INIT;
	text_queries(b, &pos, &neg);
	if (as == SELECT_COUNT && !q->nconds && pos.len && !neg.len && sees_all(b)) {
		/* words alone, nothing hidden: the full-text table knows the
		 * number without a row lookup per match.  Every full-text row
		 * that matches a word belongs to a row of the kind's table:
		 * deletes remove both in one transaction, and the document a
		 * deferred rebuild writes for a row deleted in the same group
		 * is empty, so it matches no word. */
		add(b, "SELECT COUNT(*) FROM ");
		fts_match(b, buf_detach(&pos));
		buf_release(&neg);
		return 0;
	}
	if (as == SELECT_COUNT) {
		add(b, "SELECT COUNT(*)");
	} else {
		addf(b, "SELECT %d AS k, %s.id AS id, ", b->k->kind, b->k->alias);
		sort_expr(b, sort_key);
	}
	addf(b, " FROM %s WHERE 1 = 1", b->k->table);
	size_t mark = b->sql.len;
	visibility(b);
	if ((b->sql.len == mark) != sees_all(b))
		BUG("sees_all() and visibility() disagree on kind %d", b->k->kind);
	for (size_t i = 0; i < q->nconds; i++) {
		const struct search_cond *c = &q->conds[i];
		const struct field *f = field_by_name(c->field);
		add(b, c->negate ? " AND ((" : " AND (");
		if (f->fn(b, c, f)) {
			buf_release(&pos);
			buf_release(&neg);
			return -1;
		}
		add(b, c->negate ? ") IS NOT TRUE)" : ")");
	}
	if (pos.len) {
		add(b, " AND ");
		fts_pred(b, buf_detach(&pos), 0, as == SELECT_ROWS_WALK);
	}
	if (neg.len) {
		add(b, " AND ");
		fts_pred(b, buf_detach(&neg), 1, 0);
	}
	buf_release(&pos);
	buf_release(&neg);
	return 0;
}

/* What a query searches and how: decided by plan_init(), completed by the
 * count, used by the page. */
struct plan {
	const char *key;			 /* the sort key (a sort_keys[].key) */
	int desc;				 /* 1 = descending */
	unsigned kinds;				 /* SEARCH_* searched */
	int64_t matches[ARRAY_SIZE(kinds_info)]; /* per kinds_info[], from the count */
	int sized;				 /* the count also reads max_id */
	int64_t max_id;				 /* the largest ticket id: about how many */
};

static void sb_init(struct sb *b, struct db *db, const struct search_spec *sp, char *err,
		    size_t errlen)
{
	memset(b, 0, sizeof(*b));
	b->sql = (struct buf)BUF_INIT;
	b->engine = db_engine(db);
	b->spec = sp;
	b->err = err;
	b->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
}

/* Check the sort and pick the kinds into p.  0 or SEARCH_INVALID. */
static int plan_init(struct sb *b, struct plan *p)
{
	const struct search_spec *sp = b->spec;
	memset(p, 0, sizeof(*p));
	p->key = "updated_at";
	if (sp->sort_by && !(p->key = sort_key(sp->sort_by)))
		return invalid(b, "invalid sort_by '%s'", sp->sort_by), SEARCH_INVALID;
	if (!sp->sort_by && sp->q->order_by && !(p->key = sort_key(sp->q->order_by)))
		return invalid(b, "invalid order_by '%s'", sp->q->order_by), SEARCH_INVALID;
	p->desc = sp->sort_desc >= 0 ? sp->sort_desc : sp->q->sort_desc;
	p->kinds = pick_kinds(b);
	if (!p->kinds)
		return SEARCH_INVALID;
	struct buf pos = BUF_INIT, neg = BUF_INIT;
	text_queries(b, &pos, &neg);
	p->sized = b->engine == DB_SQLITE && (p->kinds & SEARCH_TICKET) && pos.len &&
		   !strcmp(p->key, "updated_at");
	buf_release(&pos);
	buf_release(&neg);
	return 0;
}

/* Should the tickets of the page be read in sort order, each tested
 * against the words (SELECT_ROWS_WALK), rather than from the words' n
 * matches, sorted?  SQLite drives "t.id IN (SELECT rowid FROM ticket_fts
 * ...)" from the matches: a row lookup for each (25,000 for a common word
 * in 100,000 tickets), then a sort of them all.  "+t.id IN (...)" turns the
 * words into a set probed from an index instead - tickets_updated, which
 * is already in sort order and covers id - so the page ends after about
 * max_id * (offset + limit) / n index steps.  A lookup costs some 30 steps
 * (measured), hence the rule; either way the cost stays under one pass
 * over the index or the matches.  Only updated_at has such an index.
 * PostgreSQL needs no hint: from its statistics it already walks
 * tickets_updated backwards and checks each ticket's document (0.5 ms for
 * the first page of a word in a quarter of 20,000 tickets). */
static int walk_sorted(const struct sb *b, const struct plan *p, int64_t n)
{
	const struct search_spec *sp = b->spec;
	if (!p->sized || b->k->kind != SEARCH_TICKET)
		return 0;
	return 30.0 * (double)n * (double)n >= (double)p->max_id * (double)(sp->offset + sp->limit);
}

/* The statement is ready to run: not invalid, and its arguments leave room
 * for LIMIT and OFFSET (so the page and the count accept the same
 * queries). */
static int finish_or_invalid(struct sb *b)
{
	if (b->invalid)
		return SEARCH_INVALID;
	if (b->too_many || b->nargs > MAX_ARGS - 2)
		return invalid(b, "the query has too many values (at most %d)", MAX_ARGS - 2),
		       SEARCH_INVALID;
	return 0;
}

/* "SELECT (<count of a kind>), (<count of the next>) ...": one column per
 * searched kind, in kinds_info[] order, then MAX(id) of tickets when
 * p->sized.  Every kind of the query is written, so this is where a query
 * is found invalid.  0 or SEARCH_INVALID. */
static int build_count(struct sb *b, const struct plan *p)
{
	add(b, "SELECT ");
	int first = 1;
	for (size_t i = 0; i < ARRAY_SIZE(kinds_info); i++) {
		if (!(p->kinds & kinds_info[i].kind))
			continue;
		b->k = &kinds_info[i];
		add(b, first ? "(" : ", (");
		first = 0;
		if (kind_select(b, p->key, SELECT_COUNT))
			return SEARCH_INVALID;
		add(b, ")");
	}
	if (p->sized)
		add(b, ", (SELECT MAX(id) FROM tickets)");
	return finish_or_invalid(b);
}

/* Run the count built into b: p->matches, p->max_id and *total.  0 or a
 * DB_* code. */
static int count_run(struct db *db, struct sb *b, struct plan *p, int64_t *total)
{
	struct db_res *r;
	int rc = db_query_args(db, &r, b->sql.s, b->args, b->nargs);
	if (rc)
		return rc;
	int col = 0;
	*total = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds_info); i++) {
		if (!(p->kinds & kinds_info[i].kind))
			continue;
		p->matches[i] = db_int(r, 0, col++);
		*total += p->matches[i];
	}
	if (p->sized)
		p->max_id = db_int(r, 0, col);
	db_res_free(r);
	return 0;
}

/* "SELECT k, id, s FROM (<kind> UNION ALL <kind> ...) x ORDER BY s, id, k
 * LIMIT ? OFFSET ?" over the kinds the count found matches of (at least
 * one), all keys in the same direction so pages never overlap. */
static void build_page(struct sb *b, const struct plan *p)
{
	add(b, "SELECT k, id, s FROM (");
	int first = 1;
	for (size_t i = 0; i < ARRAY_SIZE(kinds_info); i++) {
		if (!(p->kinds & kinds_info[i].kind) || !p->matches[i])
			continue;
		b->k = &kinds_info[i];
		add(b, first ? "" : " UNION ALL ");
		first = 0;
		if (kind_select(b, p->key,
				walk_sorted(b, p, p->matches[i]) ? SELECT_ROWS_WALK : SELECT_ROWS))
			BUG("search query invalid on its second build: %s", b->err ? b->err : "");
	}
	if (first)
		BUG("search page without matches");
	add(b, ") x");
	add(b, p->desc ? " ORDER BY s DESC, id DESC, k DESC" : " ORDER BY s, id, k");
	add(b, " LIMIT ? OFFSET ?");
	arg_i(b, b->spec->limit);
	arg_i(b, b->spec->offset);
	if (b->too_many)
		BUG("search page has more arguments than its count");
}

int search_store_run(struct db *db, const struct search_spec *sp, struct search_hit **hits, int *n,
		     int64_t *total, char *err, size_t errlen)
{
	struct sb b;
	struct plan p;
	struct db_res *r = NULL;
	int64_t all = 0;
	*hits = NULL;
	*n = 0;
	if (sp->limit < 1 || sp->limit > 1000 || sp->offset < 0)
		BUG("search limit %d offset %" PRId64, sp->limit, sp->offset);
	sb_init(&b, db, sp, err, errlen);
	int rc = plan_init(&b, &p);
	if (!rc)
		rc = build_count(&b, &p);
	if (!rc)
		rc = count_run(db, &b, &p, &all);
	sb_release(&b);
	if (rc)
		return rc;
	if (total)
		*total = all;
	if (sp->offset >= all)
		return 0; /* nothing on this page: no second statement */
	sb_init(&b, db, sp, err, errlen);
	build_page(&b, &p);
	rc = db_query_args(db, &r, b.sql.s, b.args, b.nargs);
	sb_release(&b);
	if (rc)
		return rc;
	*n = r->nrows;
	*hits = r->nrows ? xcalloc(r->nrows, sizeof(**hits)) : NULL;
	for (int i = 0; i < r->nrows; i++) {
		(*hits)[i].kind = (int)db_int(r, i, 0);
		(*hits)[i].id = db_int(r, i, 1);
	}
	db_res_free(r);
	return 0;
}

int search_store_count(struct db *db, const struct search_spec *sp, int64_t *count, char *err,
		       size_t errlen)
{
	struct sb b;
	struct plan p;
	sb_init(&b, db, sp, err, errlen);
	int rc = plan_init(&b, &p);
	if (!rc)
		rc = build_count(&b, &p);
	if (!rc)
		rc = count_run(db, &b, &p, count);
	sb_release(&b);
	return rc;
}

/* ---- tags ---------------------------------------------- */

int search_store_tag_total(struct db *db, int64_t *count)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT COUNT(DISTINCT tag) FROM ticket_tags", "");
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}
