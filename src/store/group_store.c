/* group_store.c - SQL for agent groups and group memberships.
 *
 * Groups: one column list (GROUP_COLS) and reader; lists assemble their
 * WHERE clause from constant fragments (db_query_args).  Deleting a group
 * marks it deleted and removes its memberships one by one through
 * membership_store_delete, so every affected user gets a new default.
 *
 * Memberships: users.default_group_id mirrors the membership flagged
 * is_default; insert, delete and make_default keep the two in step inside
 * the caller's transaction.  Cost: a handful of statements per write.
 */
#include "store/group_store.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

#define GROUP_COLS "id, name, description, is_public, is_default, deleted, created_at, updated_at"
#define MEMBER_COLS "m.id, m.user_id, m.group_id, m.is_default, m.created_at, m.updated_at"

void group_clear(struct group *g)
{
	free(g->name);
	free(g->description);
	memset(g, 0, sizeof(*g));
}

static void group_from_row(const struct db_res *r, int i, struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->id = db_int(r, i, 0);
	g->name = xstrdup(db_str(r, i, 1) ? db_str(r, i, 1) : "");
	g->description = db_str(r, i, 2) ? xstrdup(db_str(r, i, 2)) : NULL;
	g->is_public = (int)db_int(r, i, 3);
	g->is_default = (int)db_int(r, i, 4);
	g->deleted = (int)db_int(r, i, 5);
	g->created_at = db_int(r, i, 6);
	g->updated_at = db_int(r, i, 7);
}

static int one_group(struct db_res *r, int rc, struct group *out)
{
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	group_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int group_store_get(struct db *db, int64_t id, struct group *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " GROUP_COLS " FROM agent_groups WHERE id = ?", "i", id);
	return one_group(r, rc, out);
}

int group_store_by_name(struct db *db, const char *name, int include_deleted, struct group *out)
{
	struct db_res *r;
	int rc =
	    db_query(db, &r,
		     "SELECT " GROUP_COLS " FROM agent_groups WHERE LOWER(name) = LOWER(?)"
		     " AND (deleted = 0 OR CAST(? AS BIGINT) = 1) ORDER BY deleted, id LIMIT 1",
		     "si", name, (int64_t)(include_deleted != 0));
	return one_group(r, rc, out);
}

static void group_where(const struct group_filter *f, struct buf *sql, struct db_arg *a, int *na)
{
	buf_adds(sql, " WHERE 1 = 1");
	if (!f->include_deleted)
		buf_adds(sql, " AND deleted = 0");
	if (f->user_id) {
		buf_adds(sql,
			 " AND id IN (SELECT group_id FROM group_memberships WHERE user_id = ?)");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->user_id};
	}
}

int group_store_list(struct db *db, const struct group_filter *f, struct group **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT " GROUP_COLS " FROM agent_groups");
	group_where(f, &sql, a, &na);
	window_sql(&f->win, "id", NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		group_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int group_store_count(struct db *db, const struct group_filter *f, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*) FROM agent_groups");
	group_where(f, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

void group_list_free(struct group *v, int n)
{
	for (int i = 0; i < n; i++)
		group_clear(&v[i]);
	free(v);
}

int group_store_insert(struct db *db, struct group *g)
{
	/* a deleted group keeps its row: free its name for reuse */
	int rc = db_query(db, NULL,
			  "UPDATE agent_groups SET name = name || ' (deleted ' || CAST(id AS TEXT)"
			  " || ')' WHERE LOWER(name) = LOWER(?) AND deleted = 1",
			  "s", g->name);
	if (rc)
		return rc;
	struct db_res *r;
	rc = db_query(db, &r,
		      "INSERT INTO agent_groups (name, description, is_public, is_default,"
		      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		      "ssiiii", g->name, g->description, (int64_t)g->is_public,
		      (int64_t)g->is_default, g->created_at, g->updated_at);
	if (rc)
		return rc;
	g->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int group_store_update(struct db *db, const struct group *g)
{
	return db_query(db, NULL,
			"UPDATE agent_groups SET name = ?, description = ?, is_public = ?,"
			" is_default = ?, updated_at = ? WHERE id = ?",
			"ssiiii", g->name, g->description, (int64_t)g->is_public,
			(int64_t)g->is_default, g->updated_at, g->id);
}

int group_store_delete(struct db *db, int64_t id, int64_t now)
{
	int rc = db_query(db, NULL,
			  "UPDATE agent_groups SET deleted = 1, is_default = 0, updated_at = ?"
			  " WHERE id = ? AND deleted = 0",
			  "ii", now, id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	struct db_res *r;
	rc = db_query(db, &r, "SELECT id FROM group_memberships WHERE group_id = ? ORDER BY id",
		      "i", id);
	if (rc)
		return rc;
	for (int i = 0; !rc && i < r->nrows; i++) {
		rc = membership_store_delete(db, db_int(r, i, 0), now);
		if (rc == 1)
			rc = 0;
	}
	db_res_free(r);
	if (rc)
		return rc;
	return db_query(db, NULL, "UPDATE organizations SET group_id = NULL WHERE group_id = ?",
			"i", id);
}

/* ---- memberships -------------------------------------------------------- */

static void membership_from_row(const struct db_res *r, int i, struct group_membership *m)
{
	m->id = db_int(r, i, 0);
	m->user_id = db_int(r, i, 1);
	m->group_id = db_int(r, i, 2);
	m->is_default = (int)db_int(r, i, 3);
	m->created_at = db_int(r, i, 4);
	m->updated_at = db_int(r, i, 5);
}

static int one_membership(struct db_res *r, int rc, struct group_membership *out)
{
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	membership_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int membership_store_get(struct db *db, int64_t id, struct group_membership *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " MEMBER_COLS " FROM group_memberships m WHERE m.id = ?",
			  "i", id);
	return one_membership(r, rc, out);
}

int membership_store_find(struct db *db, int64_t user_id, int64_t group_id,
			  struct group_membership *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " MEMBER_COLS " FROM group_memberships m WHERE m.user_id = ?"
			  " AND m.group_id = ?",
			  "ii", user_id, group_id);
	return one_membership(r, rc, out);
}

static void membership_where(const struct membership_filter *f, struct buf *sql, struct db_arg *a,
			     int *na)
{
	buf_adds(sql, " WHERE 1 = 1");
	if (f->user_id) {
		buf_adds(sql, " AND m.user_id = ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->user_id};
	}
	if (f->group_id) {
		buf_adds(sql, " AND m.group_id = ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->group_id};
	}
	if (f->assignable)
		buf_adds(sql, " AND m.user_id IN (SELECT id FROM users WHERE active = 1 AND"
			      " role IN ('agent', 'admin')) AND m.group_id IN (SELECT id FROM"
			      " agent_groups WHERE deleted = 0)");
}

int membership_store_list(struct db *db, const struct membership_filter *f,
			  struct group_membership **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT " MEMBER_COLS " FROM group_memberships m");
	membership_where(f, &sql, a, &na);
	window_sql(&f->win, "m.id", NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		membership_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int membership_store_count(struct db *db, const struct membership_filter *f, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*) FROM group_memberships m");
	membership_where(f, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

/* Make id the only default membership of user_id (0 = none) and mirror it
 * in users.default_group_id. */
static int set_default(struct db *db, int64_t user_id, int64_t id, int64_t now)
{
	int rc = db_query(db, NULL,
			  "UPDATE group_memberships SET is_default = CASE WHEN id = ? THEN 1"
			  " ELSE 0 END, updated_at = ? WHERE user_id = ?",
			  "iii", id, now, user_id);
	if (rc)
		return rc;
	return db_query(db, NULL,
			"UPDATE users SET default_group_id = (SELECT group_id FROM"
			" group_memberships WHERE id = ?) WHERE id = ?",
			"ii", id, user_id);
}

int membership_store_insert(struct db *db, struct group_membership *m)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT COUNT(*) FROM group_memberships WHERE user_id = ? AND"
			  " is_default = 1",
			  "i", m->user_id);
	if (rc)
		return rc;
	int first = db_int(r, 0, 0) == 0;
	db_res_free(r);
	if (first)
		m->is_default = 1;
	rc = db_query(db, &r,
		      "INSERT INTO group_memberships (user_id, group_id, is_default, created_at,"
		      " updated_at) VALUES (?, ?, 0, ?, ?) RETURNING id",
		      "iiii", m->user_id, m->group_id, m->created_at, m->updated_at);
	if (rc)
		return rc;
	m->id = db_int(r, 0, 0);
	db_res_free(r);
	return m->is_default ? set_default(db, m->user_id, m->id, m->updated_at) : 0;
}

int membership_store_delete(struct db *db, int64_t id, int64_t now)
{
	struct group_membership m;
	int rc = membership_store_get(db, id, &m);
	if (rc)
		return rc;
	rc = db_query(db, NULL, "DELETE FROM group_memberships WHERE id = ?", "i", id);
	if (rc || !m.is_default)
		return rc;
	struct db_res *r;
	rc = db_query(db, &r,
		      "SELECT id FROM group_memberships WHERE user_id = ? ORDER BY id LIMIT 1", "i",
		      m.user_id);
	if (rc)
		return rc;
	int64_t next = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return set_default(db, m.user_id, next, now);
}

int membership_store_make_default(struct db *db, int64_t user_id, int64_t id, int64_t now)
{
	struct group_membership m;
	int rc = membership_store_get(db, id, &m);
	if (rc)
		return rc;
	if (m.user_id != user_id)
		return 1;
	return set_default(db, user_id, id, now);
}
