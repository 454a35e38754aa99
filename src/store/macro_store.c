/* macro_store.c - SQL for macros (macro_store.h).
 *
 * One column list (MACRO_COLS) and one row reader; lists assemble their
 * WHERE clause from constant fragments and end with window_sql().  An
 * agent's view (visible_to) is one OR over the restriction columns with a
 * subquery on group_memberships, so it costs one indexed query, whatever
 * the number of groups.  Writes are single statements run inside the
 * caller's store_write transaction.
 */
#include "store/macro_store.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MACRO_COLS                                                                                 \
	"id, title, description, active, position, restriction_type, restriction_id, actions,"    \
	" usage_count, created_at, updated_at"

void macro_clear(struct macro *m)
{
	free(m->title);
	free(m->description);
	free(m->actions);
	memset(m, 0, sizeof(*m));
}

void macro_list_free(struct macro *v, int n)
{
	for (int i = 0; i < n; i++)
		macro_clear(&v[i]);
	free(v);
}

static void macro_from_row(const struct db_res *r, int i, struct macro *m)
{
	memset(m, 0, sizeof(*m));
	m->id = db_int(r, i, 0);
	m->title = xstrdup(db_str(r, i, 1) ? db_str(r, i, 1) : "");
	m->description = db_str(r, i, 2) ? xstrdup(db_str(r, i, 2)) : NULL;
	m->active = (int)db_int(r, i, 3);
	m->position = db_int(r, i, 4);
	snprintf(m->restriction_type, sizeof(m->restriction_type), "%s",
		 db_str(r, i, 5) ? db_str(r, i, 5) : "");
	m->restriction_id = db_int(r, i, 6);
	m->actions = xstrdup(db_str(r, i, 7) ? db_str(r, i, 7) : "[]");
	m->usage_count = db_int(r, i, 8);
	m->created_at = db_int(r, i, 9);
	m->updated_at = db_int(r, i, 10);
}

int macro_store_get(struct db *db, int64_t id, struct macro *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " MACRO_COLS " FROM macros WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	macro_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

static int64_t restriction_arg(const struct macro *m) { return m->restriction_id; }

int macro_store_insert(struct db *db, struct macro *m)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO macros (title, description, active, position, restriction_type,"
			  " restriction_id, actions, usage_count, created_at, updated_at)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id",
			  "ssiisisii", m->title, m->description, (int64_t)m->active, m->position,
			  m->restriction_type, restriction_arg(m), m->actions, m->created_at,
			  m->updated_at);
	if (rc)
		return rc;
	m->id = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return m->id ? 0 : DB_ERR;
}

int macro_store_update(struct db *db, const struct macro *m)
{
	int rc = db_query(db, NULL,
			  "UPDATE macros SET title = ?, description = ?, active = ?, position = ?,"
			  " restriction_type = ?, restriction_id = ?, actions = ?, updated_at = ?"
			  " WHERE id = ?",
			  "ssiisisii", m->title, m->description, (int64_t)m->active, m->position,
			  m->restriction_type, restriction_arg(m), m->actions, m->updated_at, m->id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int macro_store_delete(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM macros WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

static void macro_where(const struct macro_filter *f, struct buf *sql, struct db_arg *a, int *na)
{
	buf_adds(sql, " WHERE 1 = 1");
	if (f->active >= 0) {
		buf_adds(sql, " AND active = ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->active};
	}
	if (f->visible_to) {
		buf_adds(sql, " AND (restriction_type = ''"
			      " OR (restriction_type = 'User' AND restriction_id = ?)"
			      " OR (restriction_type = 'Group' AND restriction_id IN"
			      " (SELECT group_id FROM group_memberships WHERE user_id = ?)))");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->visible_to};
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->visible_to};
	}
}

int macro_store_list(struct db *db, const struct macro_filter *f, struct macro **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT " MACRO_COLS " FROM macros");
	macro_where(f, &sql, a, &na);
	window_sql(&f->win, "id", NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		macro_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int macro_store_count(struct db *db, const struct macro_filter *f, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*) FROM macros");
	macro_where(f, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int macro_store_visible(struct db *db, const struct macro *m, int64_t user_id)
{
	if (!m->restriction_type[0])
		return 1;
	if (!strcmp(m->restriction_type, "User"))
		return m->restriction_id == user_id;
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT 1 FROM group_memberships WHERE user_id = ? AND group_id = ?", "ii",
			  user_id, m->restriction_id);
	if (rc)
		return rc;
	int yes = r->nrows > 0;
	db_res_free(r);
	return yes;
}
