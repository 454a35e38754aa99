/* metric_store.c - SQL for ticket metrics; one row per ticket, written by
 * the ticket_metrics listener inside the dispatcher's transaction. */
#include "store/metric_store.h"
#include "base/util.h"
#include "core/ticket.h"
#include <stdlib.h>
#include <string.h>

#define METRIC_COLS                                                                                \
	"ticket_id, created_at, updated_at, replies, reopens, assignee_stations,"                \
	" group_stations, initially_assigned_at, assigned_at, solved_at, status_updated_at,"    \
	" latest_comment_added_at, requester_updated_at, assignee_updated_at,"                  \
	" first_reply_minutes, first_resolution_minutes, full_resolution_minutes"

static void from_row(const struct db_res *r, int i, struct ticket_metric *m)
{
	int64_t *t[] = {&m->ticket_id, &m->created_at, &m->updated_at};
	for (int c = 0; c < 3; c++)
		*t[c] = db_int(r, i, c);
	m->replies = (int)db_int(r, i, 3);
	m->reopens = (int)db_int(r, i, 4);
	m->assignee_stations = (int)db_int(r, i, 5);
	m->group_stations = (int)db_int(r, i, 6);
	int64_t *u[] = {&m->initially_assigned_at, &m->assigned_at, &m->solved_at,
			&m->status_updated_at, &m->latest_comment_added_at,
			&m->requester_updated_at, &m->assignee_updated_at,
			&m->first_reply_minutes, &m->first_resolution_minutes,
			&m->full_resolution_minutes};
	for (int c = 0; c < 10; c++)
		*u[c] = db_int(r, i, 7 + c);
}

int metric_store_get(struct db *db, int64_t ticket_id, struct ticket_metric *m)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " METRIC_COLS " FROM ticket_metrics WHERE ticket_id = ?",
			  "i", ticket_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		from_row(r, 0, m);
	db_res_free(r);
	return rc;
}

int metric_store_put(struct db *db, const struct ticket_metric *m)
{
	return db_query(db, NULL,
			"INSERT INTO ticket_metrics (" METRIC_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?,"
			" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id) DO UPDATE SET"
			" created_at = excluded.created_at, updated_at = excluded.updated_at,"
			" replies = excluded.replies, reopens = excluded.reopens,"
			" assignee_stations = excluded.assignee_stations,"
			" group_stations = excluded.group_stations,"
			" initially_assigned_at = excluded.initially_assigned_at,"
			" assigned_at = excluded.assigned_at, solved_at = excluded.solved_at,"
			" status_updated_at = excluded.status_updated_at,"
			" latest_comment_added_at = excluded.latest_comment_added_at,"
			" requester_updated_at = excluded.requester_updated_at,"
			" assignee_updated_at = excluded.assignee_updated_at,"
			" first_reply_minutes = excluded.first_reply_minutes,"
			" first_resolution_minutes = excluded.first_resolution_minutes,"
			" full_resolution_minutes = excluded.full_resolution_minutes",
			"iiiiiiiiiiiiiiiii", m->ticket_id, m->created_at, m->updated_at,
			(int64_t)m->replies, (int64_t)m->reopens, (int64_t)m->assignee_stations,
			(int64_t)m->group_stations, m->initially_assigned_at, m->assigned_at,
			m->solved_at, m->status_updated_at, m->latest_comment_added_at,
			m->requester_updated_at, m->assignee_updated_at, m->first_reply_minutes,
			m->first_resolution_minutes, m->full_resolution_minutes);
}

int metric_store_list(struct db *db, int64_t after_id, int limit, struct ticket_metric **out,
		      int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " METRIC_COLS " FROM ticket_metrics WHERE ticket_id > ?"
			  " ORDER BY ticket_id LIMIT ?",
			  "ii", after_id, (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int metric_store_comment(struct db *db, int64_t comment_id, int *is_public, int *by_agent,
			 int *by_requester)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT c.is_public, u.role, CASE WHEN t.requester_id = c.author_id"
			  " THEN 1 ELSE 0 END FROM comments c JOIN users u ON u.id = c.author_id"
			  " JOIN tickets t ON t.id = c.ticket_id WHERE c.id = ?",
			  "i", comment_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc) {
		*is_public = (int)db_int(r, 0, 0);
		*by_agent = role_parse(db_str(r, 0, 1)) >= ROLE_AGENT;
		*by_requester = (int)db_int(r, 0, 2);
	}
	db_res_free(r);
	return rc;
}
