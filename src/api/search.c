/* search.c - /api/v2/search, /api/v2/search/count, /api/v2/users/search,
 * /api/v2/incremental/tickets/cursor and /api/v2/tags.
 *
 * Search, per request:
 *   query (at most SEARCH_QUERY_MAX_LEN bytes) -> search_query_parse() ->
 *   page/per_page/sort_by/sort_order -> search_store_run() (one page of
 *   kind+id hits and the total, two statements) -> load each hit by id
 *   (ticket_store_get, user_store_get, org_store_get) -> Zendesk's shape
 *   {"results": [... "result_type"], "count", "next_page",
 *   "previous_page", "facets": null}, tickets written as JSON text.  On
 *   SQLite all of it reads one snapshot (read_begin).  As Zendesk,
 *   /api/v2/search pages through the first SEARCH_MAX_RESULTS (1,000)
 *   results only: a page past them is 422, the last has no next_page, and
 *   count is still the number of all matches.  /users/search has no cap.
 * A query that cannot be parsed, names an unknown field or carries a value
 * its field cannot take is answered 400 {"error": "InvalidQuery",
 * "description": <why>} rather than with an empty page (see
 * store/search_store.h for what the query language means here).  Results
 * are filtered in SQL by what the asking user may see; every ticket is also
 * checked with ticket_can_view() before it is shown.
 *
 * Incremental export hands out an opaque cursor: base64url (no padding) of
 * "<start_time>:<seq>" - seq is the last ticket's change sequence; the next
 * page is what ticket_store_incremental() finds after it, in change order.  A page is read
 * with one extra row to know whether the stream has ended.
 *
 * Cost: search is the count, the page (not run when it would be empty)
 * and one load per hit, inside BEGIN/COMMIT on SQLite; incremental and
 * tags are one statement.
 */
#include "api/api.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "core/search_query.h"
#include "store/org_store.h"
#include "store/search_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_MAX_PER_PAGE 100
#define EXPORT_MAX_PER_PAGE 1000
#define TAGS_MAX 20000 /* Zendesk lists at most this many tags */

/* ---- request helpers ------------------------------------------------------ */

/* Append s to b %-encoded for a query string. */
static void url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			buf_addc(b, (char)*p);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}

/* An optional integer argument in [lo, hi]; *out keeps its default when
 * absent.  0, or -1 after replying 400. */
static int int_arg_or_reply(struct req *r, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
	const char *v = req_arg(r, name);
	int64_t n;
	if (!v)
		return 0;
	if (parse_i64(v, &n) || n < lo || n > hi) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s must be between %" PRId64 " and %" PRId64, name, lo,
			 hi);
		reply_error(r, 400, "InvalidPaginationParameter", msg, NULL);
		return -1;
	}
	*out = n;
	return 0;
}

/* What a search request asked for, from its query string. */
struct search_args {
	const char *query;	/* the raw query (for next_page) */
	struct search_query q;	/* parsed */
	const char *sort_by;	/* NULL = from the query */
	const char *sort_order; /* NULL = from the query */
	int64_t page, per_page;
};

/* Read query, sort_by, sort_order, page and per_page.  0, or -1 after
 * replying 400.  On 0 the caller clears a->q. */
static int search_args_or_reply(struct req *r, struct search_args *a, int paged)
{
	char err[2048];
	memset(a, 0, sizeof(*a));
	a->page = 1;
	a->per_page = SEARCH_MAX_PER_PAGE;
	const char *q = NULL;
	size_t qlen = 0;
	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, "query", 5, &q, &qlen) !=
		MHD_YES ||
	    !q) {
		reply_error(r, 400, "InvalidQuery", "query is required", NULL);
		return -1;
	}
	if (strlen(q) != qlen) { /* %00: the C string would be a shorter query */
		reply_error(r, 400, "InvalidQuery", "nul byte in query", NULL);
		return -1;
	}
	a->query = q;
	if (strlen(a->query) > SEARCH_QUERY_MAX_LEN) {
		reply_error(r, 400, "InvalidQuery", "query too long", NULL);
		return -1;
	}
	if (search_query_parse(a->query, strlen(a->query), &a->q, err, sizeof(err))) {
		reply_error(r, 400, "InvalidQuery", err, NULL);
		return -1;
	}
	a->sort_by = req_arg(r, "sort_by");
	a->sort_order = req_arg(r, "sort_order");
	if (a->sort_order && strcmp(a->sort_order, "asc") && strcmp(a->sort_order, "desc")) {
		search_query_clear(&a->q);
		reply_error(r, 400, "InvalidQuery", "sort_order must be asc or desc", NULL);
		return -1;
	}
	if (paged && (int_arg_or_reply(r, "page", 1, 100000, &a->page) ||
		      int_arg_or_reply(r, "per_page", 1, SEARCH_MAX_PER_PAGE, &a->per_page))) {
		search_query_clear(&a->q);
		return -1;
	}
	return 0;
}

static void spec_from_args(struct req *r, const struct search_args *a, unsigned kinds,
			   struct search_spec *sp)
{
	*sp = (struct search_spec){
	    .q = &a->q,
	    .who = &r->actor,
	    .kinds = kinds,
	    .sort_by = a->sort_by,
	    .sort_desc = a->sort_order ? !strcmp(a->sort_order, "desc") : -1,
	    .now = now_seconds(),
	    .offset = (a->page - 1) * a->per_page,
	    .limit = (int)a->per_page,
	};
}

/* Reply for a failed search_store_* call: 400 with its message, or 503. */
static int search_failed(struct req *r, int rc, const char *err)
{
	if (rc == SEARCH_INVALID)
		return reply_error(r, 400, "InvalidQuery", err, NULL);
	log_error("search", "search failed: %s", db_errmsg(req_db(r)));
	return reply_db_down(r);
}

/* next_page / previous_page of a search, which keep the query. */
static json_t *search_page_url(struct req *r, const struct search_args *a, int64_t page)
{
	struct buf u = BUF_INIT;
	buf_adds(&u, r->srv->cfg.base_url);
	buf_adds(&u, r->path);
	buf_adds(&u, "?query=");
	url_encode(&u, a->query);
	if (a->sort_by) {
		buf_adds(&u, "&sort_by=");
		url_encode(&u, a->sort_by);
	}
	if (a->sort_order)
		buf_addf(&u, "&sort_order=%s", a->sort_order);
	buf_addf(&u, "&page=%" PRId64 "&per_page=%" PRId64, page, a->per_page);
	json_t *j = json_string(u.s);
	buf_release(&u);
	return j ? j : json_null();
}

static void add_pages(struct req *r, const struct search_args *a, json_t *out, int more,
		      int64_t total)
{
	json_object_set_new(out, "next_page",
			    more ? search_page_url(r, a, a->page + 1) : json_null());
	json_object_set_new(out, "previous_page",
			    a->page > 1 ? search_page_url(r, a, a->page - 1) : json_null());
	json_object_set_new(out, "count", json_integer(total));
}

/* ---- result objects -------------------------------------------------------- */

/* Append the object of one hit to items (JSON text, objects separated by
 * commas), with Zendesk's "result_type" unless bare; nothing when the hit
 * is gone (deleted since the search) or not for this actor.  Tickets are
 * written as text directly (ticket_json_text, as the ticket lists do);
 * users and organizations through jansson.  0, or -1 on a database
 * error. */
static int hit_text(struct req *r, const struct search_hit *h, int bare, struct buf *items)
{
	struct db *db = req_db(r);
	int end_user = r->actor.role == ROLE_END_USER;
	json_t *j = NULL;
	int rc;
	if (h->kind == SEARCH_TICKET) {
		struct ticket t = {0};
		rc = ticket_store_get(db, h->id, &t);
		if (rc == 0 && ticket_can_view(&r->actor, &t)) {
			if (items->len)
				buf_addc(items, ',');
			ticket_json_text(r->srv, &t, items);
			if (!bare) { /* {...} -> {...,"result_type":"ticket"} */
				if (items->s[items->len - 1] != '}')
					BUG("ticket %" PRId64 " is no JSON object", h->id);
				items->s[--items->len] = '\0';
				buf_adds(items, ",\"result_type\":\"ticket\"}");
			}
		} else if (rc == 0) {
			log_error("search",
				  "ticket %" PRId64 " found but not visible to user %" PRId64,
				  h->id, r->actor.user_id);
		}
		if (rc == 0)
			ticket_clear(&t);
	} else if (h->kind == SEARCH_USER) {
		struct user u = {0};
		rc = user_store_get(db, h->id, &u);
		if (rc == 0) {
			if (end_user) { /* agents' notes about a person stay with agents */
				free(u.notes);
				free(u.details);
				u.notes = u.details = NULL;
			}
			j = user_json(r->srv, &u);
			if (!bare)
				json_object_set_new(j, "result_type", json_string("user"));
			user_clear(&u);
		}
	} else {
		struct organization o = {0};
		rc = org_store_get(db, h->id, &o);
		if (rc == 0) {
			if (end_user) { /* agents' notes stay with agents */
				free(o.notes);
				free(o.details);
				o.notes = o.details = NULL;
			}
			j = organization_json(r->srv, &o);
			if (!bare)
				json_object_set_new(j, "result_type", json_string("organization"));
			organization_clear(&o);
		}
	}
	if (j) {
		char *text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (!text)
			BUG("search hit %" PRId64 " made no JSON", h->id);
		if (items->len)
			buf_addc(items, ',');
		buf_adds(items, text);
		free(text);
	}
	return rc < 0 ? -1 : 0;
}

/* On SQLite, open one read transaction for the count, the page and the
 * loads of its hits: they then see one snapshot (the page agrees with its
 * count), and SQLite takes its read lock once rather than for each of
 * ~100 statements.  PostgreSQL runs them one by one as before (READ
 * COMMITTED would not give one snapshot; a transaction only adds round
 * trips).  Returns whether one was opened, for read_end(). */
static int read_begin(struct db *db) { return db_engine(db) == DB_SQLITE && !db_exec(db, "BEGIN"); }

/* End what read_begin() opened: the connection goes back to the pool with
 * no transaction (an open one would pin the WAL and serve old data). */
static void read_end(struct db *db, int opened)
{
	if (opened && db_exec(db, "COMMIT") && db_exec(db, "ROLLBACK"))
		log_error("search", "ending a read transaction: %s", db_errmsg(db));
}

/* Run a search and reply with its page under `key` ("results" or
 * "users").  cap: the most results the query may page through (no
 * next_page past it), 0 = no cap. */
static int search_reply(struct req *r, struct search_args *a, unsigned kinds, const char *key,
			int64_t cap)
{
	struct search_spec sp;
	struct search_hit *hits;
	int n, dberr = 0;
	int64_t total = 0;
	char err[2048];
	spec_from_args(r, a, kinds, &sp);
	int snapshot = read_begin(req_db(r));
	int rc = search_store_run(req_db(r), &sp, &hits, &n, &total, err, sizeof(err));
	if (rc) {
		read_end(req_db(r), snapshot);
		return search_failed(r, rc, err);
	}
	struct buf items = BUF_INIT;
	for (int i = 0; i < n && !dberr; i++)
		dberr = hit_text(r, &hits[i], kinds == SEARCH_USER, &items);
	free(hits);
	read_end(req_db(r), snapshot);
	if (dberr) {
		buf_release(&items);
		return reply_db_down(r);
	}
	json_t *out = json_object();
	int more = sp.offset + n < total && (!cap || (a->page + 1) * a->per_page <= cap);
	add_pages(r, a, out, more, total);
	if (kinds != SEARCH_USER)
		json_object_set_new(out, "facets", json_null());
	reply_list(r, key, &items, out);
	buf_release(&items);
	return 0;
}

/* ---- handlers ---------------------------------------------------------------- */

static int search_list(struct req *r)
{
	struct search_args a;
	if (search_args_or_reply(r, &a, 1))
		return 0;
	if (a.page * a.per_page > SEARCH_MAX_RESULTS) {
		/* Zendesk's limit and its answer: 422 for page 11 at 100 */
		search_query_clear(&a.q);
		return reply_error(r, 422, "InvalidSearch",
				   "Invalid search: Requested response size was greater than Search"
				   " Response Limits",
				   NULL);
	}
	search_reply(r, &a, 0, "results", SEARCH_MAX_RESULTS);
	search_query_clear(&a.q);
	return 0;
}

static int search_count(struct req *r)
{
	struct search_args a;
	struct search_spec sp;
	char err[2048];
	int64_t count = 0;
	if (search_args_or_reply(r, &a, 0))
		return 0;
	spec_from_args(r, &a, 0, &sp);
	int rc = search_store_count(req_db(r), &sp, &count, err, sizeof(err));
	search_query_clear(&a.q);
	if (rc)
		return search_failed(r, rc, err);
	return reply_json(r, 200, json_pack("{s:I}", "count", (json_int_t)count));
}

/* GET /api/v2/users/search.json?query=... or ?external_id=... */
static int users_search(struct req *r)
{
	const char *ext = req_arg(r, "external_id");
	if (ext) {
		struct user u = {0};
		int rc = user_store_by_external_id(req_db(r), ext, &u);
		if (rc < 0)
			return reply_db_down(r);
		json_t *arr = json_array();
		if (rc == 0 && !u.merged_into)
			json_array_append_new(arr, user_json(r->srv, &u));
		if (rc == 0)
			user_clear(&u);
		return reply_json(r, 200,
				  json_pack("{s:o,s:n,s:n,s:I}", "users", arr, "next_page",
					    "previous_page", "count",
					    (json_int_t)json_array_size(arr)));
	}
	struct search_args a;
	if (search_args_or_reply(r, &a, 1))
		return 0;
	search_reply(r, &a, SEARCH_USER, "users", 0);
	search_query_clear(&a.q);
	return 0;
}

/* Cursor text for (start time, change sequence) into out (at least 64 bytes). */
static void cursor_encode(int64_t at, int64_t id, char *out, size_t outlen)
{
	char raw[48];
	int n = snprintf(raw, sizeof(raw), "%" PRId64 ":%" PRId64, at, id);
	sodium_bin2base64(out, outlen, (const unsigned char *)raw, (size_t)n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Decode a cursor made by cursor_encode: 0, or -1 when it is not one. */
static int cursor_decode(const char *s, int64_t *at, int64_t *id)
{
	char raw[48];
	size_t n;
	if (strlen(s) > 64 ||
	    sodium_base642bin((unsigned char *)raw, sizeof(raw) - 1, s, strlen(s), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return -1;
	raw[n] = '\0';
	char *colon = memchr(raw, ':', n);
	if (!colon || strlen(raw) != n)
		return -1;
	*colon = '\0';
	for (const char *p = raw; p < raw + n; p++)
		if (p != colon && (*p < '0' || *p > '9'))
			return -1;
	if (colon == raw || colon == raw + n - 1 || parse_i64(raw, at) || parse_i64(colon + 1, id))
		return -1;
	return 0;
}

/* GET /api/v2/incremental/tickets/cursor.json?start_time=UNIX | ?cursor=C */
static int incremental_tickets(struct req *r)
{
	int64_t per_page = EXPORT_MAX_PER_PAGE, start = 0, after = 0;
	const char *cur = req_arg(r, "cursor"), *st = req_arg(r, "start_time");
	if (int_arg_or_reply(r, "per_page", 1, EXPORT_MAX_PER_PAGE, &per_page))
		return 0;
	if (cur) {
		if (cursor_decode(cur, &start, &after))
			return reply_error(r, 400, "InvalidCursor",
					   "cursor is not a cursor this server made", NULL);
	} else if (st) {
		if (parse_i64(st, &start) || start < 0)
			return reply_error(r, 400, "InvalidValue",
					   "start_time must be a unix time in seconds", NULL);
		if (start > now_seconds())
			return reply_error(r, 400, "InvalidValue",
					   "start_time cannot be in the future", NULL);
	} else {
		return reply_error(r, 400, "InvalidValue", "start_time or cursor is required",
				   NULL);
	}
	struct ticket *v;
	int n;
	if (ticket_store_incremental(req_db(r), start, after, (int)per_page + 1, &v, &n))
		return reply_db_down(r);
	int more = n > per_page, shown = more ? (int)per_page : n;
	json_t *arr = json_array();
	for (int i = 0; i < shown; i++) /* restricted agents: their tickets only */
		if (ticket_can_view(&r->actor, &v[i]))
			json_array_append_new(arr, ticket_json(r->srv, &v[i]));
	if (shown) {
		start = v[shown - 1].generated_at;
		after = v[shown - 1].seq;
	}
	ticket_list_free(v, n);
	char c[96];
	cursor_encode(start, after, c, sizeof(c));
	struct buf url = BUF_INIT;
	buf_addf(&url, "%s%s?cursor=%s", r->srv->cfg.base_url, r->path, c);
	if (req_arg(r, "per_page"))
		buf_addf(&url, "&per_page=%" PRId64, per_page);
	json_t *out =
	    json_pack("{s:o,s:s,s:o,s:n,s:n,s:b}", "tickets", arr, "after_cursor", c, "after_url",
		      jstr(url.s), "before_cursor", "before_url", "end_of_stream", !more);
	buf_release(&url);
	return reply_json(r, 200, out);
}

static json_t *tags_page_url(struct req *r, int64_t page, int64_t per_page)
{
	struct buf u = BUF_INIT;
	buf_addf(&u, "%s%s?page=%" PRId64 "&per_page=%" PRId64, r->srv->cfg.base_url, r->path, page,
		 per_page);
	json_t *j = jstr(u.s);
	buf_release(&u);
	return j;
}

/* GET /api/v2/tags.json - the most used ticket tags, with counts. */
static int tags_list(struct req *r)
{
	int64_t page = 1, per_page = 100, total = 0;
	if (int_arg_or_reply(r, "page", 1, TAGS_MAX, &page) ||
	    int_arg_or_reply(r, "per_page", 1, 100, &per_page))
		return 0;
	int64_t offset = (page - 1) * per_page;
	char **names = NULL;
	int64_t *counts = NULL;
	int n = 0;
	if (offset < TAGS_MAX) {
		int64_t want = offset + per_page + 1;
		if (tag_store_counts(req_db(r), (int)(want < TAGS_MAX ? want : TAGS_MAX), &names,
				     &counts, &n))
			return reply_db_down(r);
	}
	if (search_store_tag_total(req_db(r), &total)) {
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
		free(counts);
		return reply_db_down(r);
	}
	if (total > TAGS_MAX)
		total = TAGS_MAX;
	json_t *arr = json_array();
	for (int64_t i = offset; i < n && i < offset + per_page; i++)
		json_array_append_new(arr, json_pack("{s:o,s:I}", "name", jstr(names[i]), "count",
						     (json_int_t)counts[i]));
	int more = n > offset + per_page;
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(counts);
	json_t *out = json_pack("{s:o}", "tags", arr);
	json_object_set_new(out, "next_page",
			    more ? tags_page_url(r, page + 1, per_page) : json_null());
	json_object_set_new(out, "previous_page",
			    page > 1 ? tags_page_url(r, page - 1, per_page) : json_null());
	json_object_set_new(out, "count", json_integer(total));
	return reply_json(r, 200, out);
}

const struct route search_routes[] = {
    {M_GET, "/api/v2/search.json", ROLE_AGENT, search_list, 0},
    {M_GET, "/api/v2/search/count.json", ROLE_AGENT, search_count, 0},
    {M_GET, "/api/v2/users/search.json", ROLE_AGENT, users_search, 0},
    {M_GET, "/api/v2/incremental/tickets/cursor.json", ROLE_ADMIN, incremental_tickets, 0},
    {M_GET, "/api/v2/tags.json", ROLE_AGENT, tags_list, 0},
    {0},
};
