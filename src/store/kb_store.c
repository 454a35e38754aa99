/* kb_store.c - SQL for knowledge capture (see kb_store.h).
 *
 * Reads are appended (one small INSERT per article view of a known
 * reader) and summed per article when asked for: one indexed statement
 * (user_id or visitor, each with its own index).  Requests are a plain
 * table.  Every statement is written once for both engines.
 */
#include "store/kb_store.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

int kb_read_add(struct db *db, int64_t article_id, int64_t user_id, const char *visitor,
		int64_t now)
{
	if (!user_id && !visitor)
		return 0;
	return db_query(db, NULL,
			"INSERT INTO hc_article_reads (article_id, user_id, visitor, viewed_at)"
			" VALUES (?, NULLIF(CAST(? AS BIGINT), 0), ?, ?)",
			"iisi", article_id, user_id, visitor, now);
}

int kb_ticket_visitor_set(struct db *db, int64_t ticket_id, const char *visitor)
{
	return db_query(db, NULL,
			"INSERT INTO hc_ticket_visitors (ticket_id, visitor) VALUES (?, ?)"
			" ON CONFLICT (ticket_id) DO UPDATE SET visitor = excluded.visitor",
			"is", ticket_id, visitor);
}

int kb_ticket_visitor_get(struct db *db, int64_t ticket_id, char out[65])
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT visitor FROM hc_ticket_visitors WHERE ticket_id = ?",
			  "i", ticket_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		snprintf(out, 65, "%s", db_str(r, 0, 0));
	db_res_free(r);
	return rc;
}

int kb_reads(struct db *db, int64_t user_id, const char *visitor, int64_t until, int limit,
	     struct kb_read **out, int *n)
{
	*out = NULL;
	*n = 0;
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT article_id, MAX(viewed_at), COUNT(*) FROM hc_article_reads"
			  " WHERE (user_id = ? OR visitor = ?) AND viewed_at <= ?"
			  " GROUP BY article_id ORDER BY 2 DESC, 1 LIMIT ?",
			  "isii", user_id ? user_id : -1, visitor, until, (int64_t)limit);
	if (rc)
		return rc;
	if (r->nrows) {
		*out = xcalloc((size_t)r->nrows, sizeof(**out));
		for (int i = 0; i < r->nrows; i++) {
			(*out)[i].article_id = db_int(r, i, 0);
			(*out)[i].viewed_at = db_int(r, i, 1);
			(*out)[i].views = db_int(r, i, 2);
		}
		*n = r->nrows;
	}
	db_res_free(r);
	return 0;
}

/* ---- article requests ---- */

#define REQ_COLS                                                                                   \
	"id, ticket_id, requester_id, title, note, status, article_id, created_at, updated_at"

static const char *const statuses[] = {"open", "drafted", "done", "declined"};

int kb_request_status_ok(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(statuses); i++)
		if (!strcmp(s, statuses[i]))
			return 1;
	return 0;
}

void kb_request_clear(struct kb_request *q)
{
	free(q->title);
	free(q->note);
	memset(q, 0, sizeof(*q));
}

void kb_request_list_free(struct kb_request *v, int n)
{
	for (int i = 0; i < n; i++)
		kb_request_clear(&v[i]);
	free(v);
}

static void req_from_row(const struct db_res *r, int i, struct kb_request *q)
{
	memset(q, 0, sizeof(*q));
	q->id = db_int(r, i, 0);
	q->ticket_id = db_int(r, i, 1);
	q->requester_id = db_int(r, i, 2);
	q->title = xstrdup(db_str(r, i, 3) ? db_str(r, i, 3) : "");
	q->note = xstrdup(db_str(r, i, 4) ? db_str(r, i, 4) : "");
	snprintf(q->status, sizeof(q->status), "%s", db_str(r, i, 5) ? db_str(r, i, 5) : "");
	q->article_id = db_int(r, i, 6);
	q->created_at = db_int(r, i, 7);
	q->updated_at = db_int(r, i, 8);
}

int kb_request_insert(struct db *db, struct kb_request *q)
{
	struct db_res *r;
	if (!q->status[0])
		snprintf(q->status, sizeof(q->status), "open");
	int rc = db_query(db, &r,
			  "INSERT INTO hc_article_requests (ticket_id, requester_id, title, note,"
			  " status, article_id, created_at, updated_at) VALUES"
			  " (NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0),"
			  " ?, ?) RETURNING id",
			  "iisssiii", q->ticket_id, q->requester_id, q->title ? q->title : "",
			  q->note ? q->note : "", q->status, q->article_id, q->created_at,
			  q->created_at);
	if (rc)
		return rc;
	q->id = db_int(r, 0, 0);
	q->updated_at = q->created_at;
	db_res_free(r);
	return 0;
}

int kb_request_get(struct db *db, int64_t id, struct kb_request *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " REQ_COLS " FROM hc_article_requests WHERE id = ?", "i",
			  id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		req_from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int kb_request_update(struct db *db, const struct kb_request *q)
{
	int rc = db_query(db, NULL,
			  "UPDATE hc_article_requests SET status = ?,"
			  " article_id = NULLIF(CAST(? AS BIGINT), 0), updated_at = ? WHERE id = ?",
			  "siii", q->status, q->article_id, q->updated_at, q->id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int kb_request_list(struct db *db, const char *status, int64_t offset, int limit,
		    struct kb_request **out, int *n)
{
	*out = NULL;
	*n = 0;
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " REQ_COLS " FROM hc_article_requests"
			  " WHERE (CAST(? AS TEXT) IS NULL OR status = ?)"
			  " ORDER BY id DESC LIMIT ? OFFSET ?",
			  "ssii", status, status, (int64_t)limit, offset);
	if (rc)
		return rc;
	if (r->nrows) {
		*out = xcalloc((size_t)r->nrows, sizeof(**out));
		for (int i = 0; i < r->nrows; i++)
			req_from_row(r, i, &(*out)[i]);
		*n = r->nrows;
	}
	db_res_free(r);
	return 0;
}

int kb_request_count(struct db *db, const char *status, int64_t *count)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT COUNT(*) FROM hc_article_requests"
			  " WHERE (CAST(? AS TEXT) IS NULL OR status = ?)",
			  "ss", status, status);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}
