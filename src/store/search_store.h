/* search_store.h - the SQL behind /api/v2/search: a parsed Zendesk query
 * (core/search_query.h) becomes one SELECT over tickets, users and
 * organizations, filtered by what the asking actor may see.
 *
 * Use: fill a struct search_spec, call search_store_run() for a page of
 * hits (kind + id, in result order) and the total, then load each hit with
 * ticket_store_get() / user_store_get() / org_store_get().
 * search_store_count() answers the total alone.  The total is exact; a
 * page runs the count first (it decides which kinds and which plan the
 * page needs) and costs one statement more unless it is past the end.
 *
 * What a query means (the full list of fields is in search_store.c):
 *   - type:ticket|user|organization picks one kind; without it every kind
 *     that knows all the query's fields is searched (status:open searches
 *     only tickets, name:kim users and organizations, plain words all
 *     three).  A field no searched kind knows, a value a field cannot take
 *     (status:bogus, created>yesterdayish) or an operator it does not take
 *     (assignee>3) makes the query invalid: Sonnim answers 400 rather than
 *     an empty page, so a typo is visible.
 *   - Conditions are ANDed; the comma list of one condition is ORed; a
 *     leading '-' negates (and then also matches rows where the field is
 *     empty: -assignee:5 includes unassigned tickets).
 *   - Free-text words and "phrases" must all occur (AND) in the kind's
 *     search document (ticket_fts: subject, description, comments, tags;
 *     user_fts; organization_fts); a negated one must not.  A word ending
 *     in '*' is a prefix.  Words are matched as tokens (core/tokenize.h):
 *     FTS5 and tsquery syntax in them is plain text; words without tokens
 *     (punctuation only) are ignored.
 *
 * Visibility (the same rule as ticket_can_view()): end-users find tickets
 * they requested, are CC'd on, or that their organization shares; only
 * themselves as a user and only their own organization.  Agents restricted
 * to groups find tickets of their groups or assigned to them; restricted
 * to assigned, only those.  Everyone else finds everything.
 */
#ifndef SONNIM_SEARCH_STORE_H
#define SONNIM_SEARCH_STORE_H
#include "core/search_query.h"
#include "core/ticket.h"
#include "store/db.h"

/* Kinds of result, usable as a bit set. */
enum search_kind {
	SEARCH_TICKET = 1,
	SEARCH_USER = 2,
	SEARCH_ORGANIZATION = 4,
};
#define SEARCH_ALL_KINDS (SEARCH_TICKET | SEARCH_USER | SEARCH_ORGANIZATION)

/* The most results /api/v2/search pages through, as Zendesk: page 10 at
 * 100 per page is the last; the count still reports every match. */
#define SEARCH_MAX_RESULTS 1000

/* Return code of search_store_run/count for a query that cannot be run as
 * written (err says why): the API answers 400. */
#define SEARCH_INVALID 1

struct search_spec {
	const struct search_query *q; /* the parsed query; never NULL */
	const struct actor *who;      /* whose visibility applies; never NULL */
	unsigned kinds;		      /* SEARCH_* to search; 0 = q->type or all */
	const char *sort_by;	      /* updated_at, created_at, priority, status,
					 ticket_type; NULL = q->order_by, else
					 updated_at */
	int sort_desc;		      /* -1 = q->sort_desc; else 0 asc, 1 desc */
	int64_t now;		      /* for relative times (created>3days) */
	int64_t offset;		      /* rows to skip, >= 0 */
	int limit;		      /* rows to return, 1..1000 */
};

/* One result: what it is and its id. */
struct search_hit {
	int kind; /* SEARCH_TICKET, SEARCH_USER or SEARCH_ORGANIZATION */
	int64_t id;
};

/* Run spec: *hits gets up to spec->limit hits in order (caller frees with
 * free(); NULL when there are none), *n their number and, when total is
 * not NULL, *total the number of all matches.  Returns 0;
 * SEARCH_INVALID with a lower-case message in err (an unknown field, a bad
 * value, a query with more values than one statement can bind); or a
 * negative DB_* code.  Nothing is allocated unless 0 is returned. */
int search_store_run(struct db *db, const struct search_spec *spec, struct search_hit **hits,
		     int *n, int64_t *total, char *err, size_t errlen);

/* The number of matches of spec (offset and limit are ignored).  Returns
 * as search_store_run. */
int search_store_count(struct db *db, const struct search_spec *spec, int64_t *count, char *err,
		       size_t errlen);

/* Distinct tags over all tickets (for the count of GET /api/v2/tags).
 * 0 or a DB_* code. */
int search_store_tag_total(struct db *db, int64_t *count);
#endif
