/* rule_store.c - SQL for triggers, automations and the scheduler's entries
 * (see rule_store.h).
 *
 * One column list (RULE_COLS) and one row reader.  Positions: a new rule
 * without one goes last (MAX + 1); reorder rewrites positions 1..n in one
 * statement per id.  The automation pass reads open tickets a batch at a
 * time by id with their metric times (one indexed range scan and a
 * primary-key join per batch).  schedule_claim is one INSERT ... ON
 * CONFLICT DO NOTHING and one guarded UPDATE, so of several processes
 * only the one whose UPDATE changed the row runs the entry.
 */
#include "store/rule_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/ticket.h"
#include <stdlib.h>
#include <string.h>

#define RULE_COLS                                                                                  \
	"id, kind, title, description, active, position, category_id, conditions, actions,"        \
	" created_at, updated_at, last_run_at, last_ticket_id, runs"

static int bump_version(struct db *db);

static char *dup_col(const struct db_res *r, int i, int c)
{
	return db_str(r, i, c) ? xstrdup(db_str(r, i, c)) : NULL;
}

static void row_from(const struct db_res *r, int i, struct rule_row *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_int(r, i, 0);
	o->kind = dup_col(r, i, 1);
	o->title = dup_col(r, i, 2);
	o->description = dup_col(r, i, 3);
	o->active = (int)db_int(r, i, 4);
	o->position = db_int(r, i, 5);
	o->category_id = dup_col(r, i, 6);
	o->conditions = dup_col(r, i, 7);
	o->actions = dup_col(r, i, 8);
	o->created_at = db_int(r, i, 9);
	o->updated_at = db_int(r, i, 10);
	o->last_run_at = db_int(r, i, 11);
	o->last_ticket_id = db_int(r, i, 12);
	o->runs = db_int(r, i, 13);
}

void rule_row_clear(struct rule_row *r)
{
	free(r->kind);
	free(r->title);
	free(r->description);
	free(r->category_id);
	free(r->conditions);
	free(r->actions);
	memset(r, 0, sizeof(*r));
}

void rule_rows_free(struct rule_row *v, int n)
{
	for (int i = 0; i < n; i++)
		rule_row_clear(&v[i]);
	free(v);
}

int rule_store_list(struct db *db, const char *kind, int active_only, struct rule_row **out,
		    int *n)
{
	struct db_res *r;
	*out = NULL;
	*n = 0;
	int rc = db_query(db, &r,
			  "SELECT " RULE_COLS " FROM rules WHERE kind = ?"
			  " AND (active = 1 OR CAST(? AS BIGINT) = 0) ORDER BY position, id",
			  "si", kind, (int64_t)(active_only != 0));
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		row_from(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int rule_store_get(struct db *db, const char *kind, int64_t id, struct rule_row *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " RULE_COLS " FROM rules WHERE id = ? AND kind = ?", "is",
			  id, kind);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	row_from(r, 0, out);
	db_res_free(r);
	return 0;
}

int rule_store_insert(struct db *db, struct rule_row *o)
{
	struct db_res *r;
	int rc;
	if (!o->position) {
		rc = db_query(db, &r, "SELECT COALESCE(MAX(position), 0) + 1 FROM rules WHERE kind = ?",
			      "s", o->kind);
		if (rc)
			return rc;
		o->position = db_int(r, 0, 0);
		db_res_free(r);
	}
	rc = db_query(db, &r,
		      "INSERT INTO rules (kind, title, description, active, position, category_id,"
		      " conditions, actions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		      " RETURNING id",
		      "sssiisssii", o->kind, o->title, o->description, (int64_t)o->active, o->position,
		      o->category_id, o->conditions, o->actions, o->created_at, o->updated_at);
	if (rc)
		return rc;
	o->id = db_int(r, 0, 0);
	db_res_free(r);
	return bump_version(db);
}

int rule_store_update(struct db *db, const struct rule_row *o)
{
	int rc = db_query(db, NULL,
			  "UPDATE rules SET title = ?, description = ?, active = ?, position = ?,"
			  " category_id = ?, conditions = ?, actions = ?, updated_at = ?"
			  " WHERE id = ? AND kind = ?",
			  "ssiisssiis", o->title, o->description, (int64_t)o->active, o->position,
			  o->category_id, o->conditions, o->actions, o->updated_at, o->id, o->kind);
	if (rc)
		return rc;
	return db_changes(db) ? bump_version(db) : 1;
}

int rule_store_delete(struct db *db, const char *kind, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM rules WHERE id = ? AND kind = ?", "is", id, kind);
	if (rc)
		return rc;
	return db_changes(db) ? bump_version(db) : 1;
}

int rule_store_reorder(struct db *db, const char *kind, const int64_t *ids, int n)
{
	for (int i = 0; i < n; i++) {
		int rc = db_query(db, NULL, "UPDATE rules SET position = ? WHERE id = ? AND kind = ?",
				  "iis", (int64_t)(i + 1), ids[i], kind);
		if (rc)
			return rc;
		if (!db_changes(db))
			return 1;
	}
	return bump_version(db);
}

int rule_store_fired(struct db *db, int64_t id, int64_t ticket_id, int64_t at)
{
	return db_query(db, NULL,
			"UPDATE rules SET last_run_at = ?, last_ticket_id = ?, runs = runs + 1"
			" WHERE id = ?",
			"iii", at, ticket_id, id);
}

int rule_store_open_tickets(struct db *db, int64_t after_id, int limit,
			    const char *const *statuses, int nstatuses, int64_t **times, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[16];
	int na = 0;
	*times = NULL;
	*n = 0;
	buf_adds(&sql, "SELECT t.id, m.assigned_at, m.status_updated_at, m.requester_updated_at,"
		       " m.assignee_updated_at FROM tickets t LEFT JOIN ticket_metrics m"
		       " ON m.ticket_id = t.id WHERE t.id > ? AND t.status <> 'closed'");
	a[na++] = (struct db_arg){.type = 'i', .i = after_id};
	if (nstatuses > 0 && nstatuses <= 6) {
		buf_adds(&sql, " AND t.status IN (");
		for (int i = 0; i < nstatuses; i++) {
			buf_adds(&sql, i ? ", ?" : "?");
			a[na++] = (struct db_arg){.type = 's', .s = statuses[i]};
		}
		buf_adds(&sql, ")");
	}
	buf_adds(&sql, " ORDER BY t.id LIMIT ?");
	a[na++] = (struct db_arg){.type = 'i', .i = limit};
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*n = r->nrows;
	*times = r->nrows ? xcalloc((size_t)r->nrows * 5, sizeof(**times)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		for (int c = 0; c < 5; c++)
			(*times)[i * 5 + c] = db_int(r, i, c);
	db_res_free(r);
	return 0;
}

int schedule_claim(struct db *db, const char *name, int64_t now, int64_t period)
{
	int rc = db_query(db, NULL,
			  "INSERT INTO scheduler_entries (name, next_run_at) VALUES (?, ?)"
			  " ON CONFLICT (name) DO NOTHING",
			  "si", name, now);
	if (!rc)
		rc = db_query(db, NULL,
			      "UPDATE scheduler_entries SET next_run_at = ? WHERE name = ? AND next_run_at <= ?",
			      "isi", now + period, name, now);
	if (rc)
		return rc;
	return db_changes(db) ? 1 : 0;
}

/* The version lives in scheduler_entries under a name no entry uses. */
static int bump_version(struct db *db)
{
	int rc = db_query(db, NULL,
			  "INSERT INTO scheduler_entries (name, next_run_at) VALUES ('rules.version', 0)"
			  " ON CONFLICT (name) DO NOTHING",
			  "");
	return rc ? rc
		  : db_query(db, NULL,
			     "UPDATE scheduler_entries SET next_run_at = next_run_at + 1"
			     " WHERE name = 'rules.version'",
			     "");
}

int rule_store_version(struct db *db, int64_t *version)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT next_run_at FROM scheduler_entries WHERE name = 'rules.version'",
			  "");
	if (rc)
		return rc;
	*version = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return 0;
}

int rule_store_user_role(struct db *db, int64_t user_id, int *role)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT role FROM users WHERE id = ?", "i", user_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	*role = r->nrows ? role_parse(db_str(r, 0, 0)) : ROLE_END_USER;
	if (*role < 0)
		*role = ROLE_END_USER;
	db_res_free(r);
	return rc;
}

int rule_store_comment(struct db *db, int64_t comment_id, char **body, int *is_public)
{
	struct db_res *r;
	*body = NULL;
	int rc = db_query(db, &r, "SELECT body, is_public FROM comments WHERE id = ?", "i",
			  comment_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (r->nrows) {
		*body = xstrdup(db_str(r, 0, 0) ? db_str(r, 0, 0) : "");
		*is_public = (int)db_int(r, 0, 1);
	}
	db_res_free(r);
	return rc;
}

int rule_store_system_user(struct db *db, int64_t *user_id)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT MIN(id) FROM users WHERE role = 'admin' AND active = 1",
			  "");
	if (rc)
		return rc;
	*user_id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}
