/* view_store.c - SQL for custom views and agents' availability
 * (view_store.h).
 *
 * Views: one column list and one row reader; an agent's list is one query
 * with an OR over the restriction columns and a subquery on
 * group_memberships (as store/macro_store.c does for macros).  Statuses:
 * an upsert per change and one join with users for the team's list.
 * Writes are single statements run inside the caller's store_write
 * transaction.
 */
#include "store/view_store.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_COLS                                                                                  \
	"id, title, description, active, position, restriction_type, restriction_id, conditions,"  \
	" execution, created_at, updated_at"

void view_clear(struct view *v)
{
	free(v->title);
	free(v->description);
	free(v->conditions);
	free(v->execution);
	memset(v, 0, sizeof(*v));
}

void view_list_free(struct view *v, int n)
{
	for (int i = 0; i < n; i++)
		view_clear(&v[i]);
	free(v);
}

static void view_from_row(const struct db_res *r, int i, struct view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = db_int(r, i, 0);
	v->title = xstrdup(db_str(r, i, 1) ? db_str(r, i, 1) : "");
	v->description = db_str(r, i, 2) ? xstrdup(db_str(r, i, 2)) : NULL;
	v->active = (int)db_int(r, i, 3);
	v->position = db_int(r, i, 4);
	snprintf(v->restriction_type, sizeof(v->restriction_type), "%s",
		 db_str(r, i, 5) ? db_str(r, i, 5) : "");
	v->restriction_id = db_int(r, i, 6);
	v->conditions = xstrdup(db_str(r, i, 7) ? db_str(r, i, 7) : "{}");
	v->execution = xstrdup(db_str(r, i, 8) ? db_str(r, i, 8) : "{}");
	v->created_at = db_int(r, i, 9);
	v->updated_at = db_int(r, i, 10);
}

int view_store_get(struct db *db, int64_t id, struct view *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " VIEW_COLS " FROM views WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	view_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int view_store_insert(struct db *db, struct view *v)
{
	struct db_res *r;
	int rc =
	    db_query(db, &r,
		     "INSERT INTO views (title, description, active, position, restriction_type,"
		     " restriction_id, conditions, execution, created_at, updated_at)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     "ssiisissii", v->title, v->description, (int64_t)v->active, v->position,
		     v->restriction_type, v->restriction_id, v->conditions, v->execution,
		     v->created_at, v->updated_at);
	if (rc)
		return rc;
	v->id = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return v->id ? 0 : DB_ERR;
}

int view_store_update(struct db *db, const struct view *v)
{
	int rc =
	    db_query(db, NULL,
		     "UPDATE views SET title = ?, description = ?, active = ?, position = ?,"
		     " restriction_type = ?, restriction_id = ?, conditions = ?, execution = ?,"
		     " updated_at = ? WHERE id = ?",
		     "ssiisissii", v->title, v->description, (int64_t)v->active, v->position,
		     v->restriction_type, v->restriction_id, v->conditions, v->execution,
		     v->updated_at, v->id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int view_store_delete(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM views WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int view_store_list(struct db *db, int active, int64_t visible_to, struct view **out, int *n)
{
	struct db_res *r;
	int rc =
	    db_query(db, &r,
		     "SELECT " VIEW_COLS " FROM views WHERE (? < 0 OR active = ?)"
		     " AND (? = 0 OR restriction_type = ''"
		     " OR (restriction_type = 'User' AND restriction_id = ?)"
		     " OR (restriction_type = 'Group' AND restriction_id IN"
		     " (SELECT group_id FROM group_memberships WHERE user_id = ?)))"
		     " ORDER BY position, id LIMIT 1000",
		     "iiiii", (int64_t)active, (int64_t)active, visible_to, visible_to, visible_to);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		view_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int view_store_visible(struct db *db, const struct view *v, int64_t user_id)
{
	if (!v->restriction_type[0])
		return 1;
	if (!strcmp(v->restriction_type, "User"))
		return v->restriction_id == user_id;
	struct db_res *r;
	int rc =
	    db_query(db, &r, "SELECT 1 FROM group_memberships WHERE user_id = ? AND group_id = ?",
		     "ii", user_id, v->restriction_id);
	if (rc)
		return rc;
	int yes = r->nrows > 0;
	db_res_free(r);
	return yes;
}

int agent_status_store_set(struct db *db, int64_t user_id, const char *status, int auto_set,
			   int64_t now)
{
	return db_query(db, NULL,
			"INSERT INTO agent_statuses (user_id, status, auto, updated_at)"
			" VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
			" status = excluded.status, auto = excluded.auto,"
			" updated_at = excluded.updated_at",
			"isii", user_id, status, (int64_t)auto_set, now);
}

int agent_status_store_auto_offline(struct db *db, int64_t user_id, int64_t now)
{
	return db_query(db, NULL,
			"UPDATE agent_statuses SET status = 'offline', auto = 1, updated_at = ?"
			" WHERE user_id = ? AND status <> 'offline'",
			"ii", now, user_id);
}

int agent_status_store_list(struct db *db, struct agent_status **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT u.id, COALESCE(s.status, 'offline'), COALESCE(s.auto, 0),"
			  " COALESCE(s.updated_at, 0) FROM users u"
			  " LEFT JOIN agent_statuses s ON s.user_id = u.id"
			  " WHERE u.role IN ('agent', 'admin') AND u.active = 1 ORDER BY u.id"
			  " LIMIT 10000",
			  "");
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++) {
		struct agent_status *s = &(*out)[i];
		s->user_id = db_int(r, i, 0);
		snprintf(s->status, sizeof(s->status), "%s",
			 db_str(r, i, 1) ? db_str(r, i, 1) : "");
		s->auto_set = (int)db_int(r, i, 2);
		s->updated_at = db_int(r, i, 3);
	}
	db_res_free(r);
	return 0;
}
