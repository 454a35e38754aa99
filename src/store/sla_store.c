/* sla_store.c - SQL for sla_policies and ticket_slas (see sla_store.h).
 *
 * Policies: plain rows, listed whole (an account has tens, not
 * thousands).  Reorder checks that the ids name every policy once, then
 * writes positions one UPDATE each.  ticket_slas: one row per ticket,
 * written with INSERT ... ON CONFLICT DO UPDATE (both engines); the
 * breach query walks the next_breach_at index.
 */
#include "store/sla_store.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

#define POLICY_COLS                                                                                \
	"id, title, description, position, filter, policy_metrics, created_at, updated_at"

void sla_policy_row_clear(struct sla_policy_row *p)
{
	free(p->title);
	free(p->description);
	free(p->filter);
	free(p->policy_metrics);
	memset(p, 0, sizeof(*p));
}

static void policy_from_row(const struct db_res *r, int i, struct sla_policy_row *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_int(r, i, 0);
	p->title = xstrdup(db_str(r, i, 1) ? db_str(r, i, 1) : "");
	p->description = db_str(r, i, 2) ? xstrdup(db_str(r, i, 2)) : NULL;
	p->position = db_int(r, i, 3);
	p->filter = xstrdup(db_str(r, i, 4) ? db_str(r, i, 4) : "{}");
	p->policy_metrics = xstrdup(db_str(r, i, 5) ? db_str(r, i, 5) : "[]");
	p->created_at = db_int(r, i, 6);
	p->updated_at = db_int(r, i, 7);
}

int sla_policy_store_get(struct db *db, int64_t id, struct sla_policy_row *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " POLICY_COLS " FROM sla_policies WHERE id = ?", "i", id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		policy_from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int sla_policy_store_list(struct db *db, struct sla_policy_row **out, int *n)
{
	struct db_res *r;
	*out = NULL;
	*n = 0;
	int rc = db_query(db, &r, "SELECT " POLICY_COLS " FROM sla_policies ORDER BY position, id",
			  "");
	if (rc)
		return rc;
	struct sla_policy_row *v = xcalloc((size_t)r->nrows + 1, sizeof(*v));
	for (int i = 0; i < r->nrows; i++)
		policy_from_row(r, i, &v[i]);
	*out = v;
	*n = r->nrows;
	db_res_free(r);
	return 0;
}

void sla_policy_list_free(struct sla_policy_row *v, int n)
{
	for (int i = 0; i < n; i++)
		sla_policy_row_clear(&v[i]);
	free(v);
}

/* Every change to the policies moves their version (a row of
 * scheduler_entries, as rules.version is), so the listener's parsed copy
 * knows when to reload. */
static int bump_version(struct db *db)
{
	int rc = db_query(db, NULL,
			  "INSERT INTO scheduler_entries (name, next_run_at) VALUES ('sla.version', 0)"
			  " ON CONFLICT (name) DO NOTHING",
			  "");
	return rc ? rc
		  : db_query(db, NULL,
			     "UPDATE scheduler_entries SET next_run_at = next_run_at + 1"
			     " WHERE name = 'sla.version'",
			     "");
}

int sla_policy_store_version(struct db *db, int64_t *version)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT next_run_at FROM scheduler_entries WHERE name = 'sla.version'", "");
	if (rc)
		return rc;
	*version = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return 0;
}

int sla_policy_store_insert(struct db *db, struct sla_policy_row *p)
{
	struct db_res *r;
	int rc;
	if (p->position <= 0) {
		rc = db_query(db, &r, "SELECT COALESCE(MAX(position), 0) + 1 FROM sla_policies", "");
		if (rc)
			return rc;
		p->position = db_int(r, 0, 0);
		db_res_free(r);
	}
	rc = db_query(db, &r,
		      "INSERT INTO sla_policies (title, description, position, filter, policy_metrics,"
		      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		      "ssissii", p->title, p->description, p->position, p->filter, p->policy_metrics,
		      p->created_at, p->updated_at);
	if (rc)
		return rc;
	p->id = db_int(r, 0, 0);
	db_res_free(r);
	return bump_version(db);
}

int sla_policy_store_update(struct db *db, const struct sla_policy_row *p)
{
	int rc = db_query(db, NULL,
			  "UPDATE sla_policies SET title = ?, description = ?, position = ?, filter = ?,"
			  " policy_metrics = ?, updated_at = ? WHERE id = ?",
			  "ssissii", p->title, p->description, p->position, p->filter,
			  p->policy_metrics, p->updated_at, p->id);
	return rc ? rc : bump_version(db);
}

int sla_policy_store_delete(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM sla_policies WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	return bump_version(db);
}

int sla_policy_store_reorder(struct db *db, const int64_t *ids, int n, int64_t now)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT id FROM sla_policies", "");
	if (rc)
		return rc;
	int ok = r->nrows == n;
	for (int i = 0; ok && i < r->nrows; i++) {
		int64_t id = db_int(r, i, 0), seen = 0;
		for (int k = 0; k < n; k++)
			seen += ids[k] == id;
		ok = seen == 1;
	}
	db_res_free(r);
	if (!ok)
		return 1;
	for (int i = 0; !rc && i < n; i++)
		rc = db_query(db, NULL, "UPDATE sla_policies SET position = ?, updated_at = ? WHERE id = ?",
			      "iii", (int64_t)i + 1, now, ids[i]);
	return rc ? rc : bump_version(db);
}

/* ---- ticket clocks ----------------------------------------------------- */

void ticket_sla_clear(struct ticket_sla *s)
{
	free(s->state);
	free(s->metrics);
	memset(s, 0, sizeof(*s));
}

int ticket_sla_get(struct db *db, int64_t ticket_id, struct ticket_sla *out)
{
	struct db_res *r;
	memset(out, 0, sizeof(*out));
	int rc = db_query(db, &r,
			  "SELECT ticket_id, policy_id, state, metrics, next_breach_at, updated_at"
			  " FROM ticket_slas WHERE ticket_id = ?",
			  "i", ticket_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc) {
		out->ticket_id = db_int(r, 0, 0);
		out->policy_id = db_int(r, 0, 1);
		out->state = xstrdup(db_str(r, 0, 2) ? db_str(r, 0, 2) : "{}");
		out->metrics = xstrdup(db_str(r, 0, 3) ? db_str(r, 0, 3) : "[]");
		out->next_breach_at = db_int(r, 0, 4);
		out->updated_at = db_int(r, 0, 5);
	}
	db_res_free(r);
	return rc;
}

int ticket_sla_put(struct db *db, const struct ticket_sla *s)
{
	struct db_arg a[6] = {
	    {.type = 'i', .i = s->ticket_id},
	    {.type = s->policy_id ? 'i' : 'n', .i = s->policy_id},
	    {.type = 's', .s = s->state ? s->state : "{}"},
	    {.type = 's', .s = s->metrics ? s->metrics : "[]"},
	    {.type = s->next_breach_at ? 'i' : 'n', .i = s->next_breach_at},
	    {.type = 'i', .i = s->updated_at},
	};
	return db_query_args(db, NULL,
			     "INSERT INTO ticket_slas (ticket_id, policy_id, state, metrics,"
			     " next_breach_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
			     " ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id,"
			     " state = excluded.state, metrics = excluded.metrics,"
			     " next_breach_at = excluded.next_breach_at,"
			     " updated_at = excluded.updated_at",
			     a, 6);
}

static int id_list(struct db_res *r, int64_t **ids, int *n)
{
	*ids = xcalloc((size_t)r->nrows + 1, sizeof(int64_t));
	for (int i = 0; i < r->nrows; i++)
		(*ids)[i] = db_int(r, i, 0);
	*n = r->nrows;
	db_res_free(r);
	return 0;
}

int ticket_sla_ids_after(struct db *db, int64_t after_id, int limit, int64_t **ids, int *n)
{
	struct db_res *r;
	*ids = NULL;
	*n = 0;
	int rc = db_query(db, &r,
			  "SELECT ticket_id FROM ticket_slas WHERE ticket_id > ? ORDER BY ticket_id"
			  " LIMIT ?",
			  "ii", after_id, (int64_t)limit);
	return rc ? rc : id_list(r, ids, n);
}

int ticket_sla_delete(struct db *db, int64_t ticket_id)
{
	int rc = db_query(db, NULL, "DELETE FROM sla_breach_events WHERE ticket_id = ?", "i",
			  ticket_id);
	return rc ? rc : db_query(db, NULL, "DELETE FROM ticket_slas WHERE ticket_id = ?", "i",
				  ticket_id);
}

int ticket_sla_breaching_before(struct db *db, int64_t t, int limit, int64_t **ids, int *n)
{
	struct db_res *r;
	*ids = NULL;
	*n = 0;
	int rc = db_query(db, &r,
			  "SELECT ticket_id FROM ticket_slas WHERE next_breach_at IS NOT NULL"
			  " AND next_breach_at < ? ORDER BY next_breach_at, ticket_id LIMIT ?",
			  "ii", t, (int64_t)limit);
	return rc ? rc : id_list(r, ids, n);
}

int ticket_sla_breaching_page(struct db *db, int64_t t, int64_t after_at, int64_t after_id,
			      int limit, int64_t **ids, int64_t **ats, int *n)
{
	struct db_res *r;
	*ids = NULL;
	*ats = NULL;
	*n = 0;
	int rc = db_query(db, &r,
			  "SELECT ticket_id, next_breach_at FROM ticket_slas"
			  " WHERE next_breach_at IS NOT NULL AND next_breach_at < ?"
			  " AND (next_breach_at > ? OR (next_breach_at = ? AND ticket_id > ?))"
			  " ORDER BY next_breach_at, ticket_id LIMIT ?",
			  "iiiii", t, after_at, after_at, after_id, (int64_t)limit);
	if (rc)
		return rc;
	*ats = xcalloc((size_t)r->nrows + 1, sizeof(int64_t));
	for (int i = 0; i < r->nrows; i++)
		(*ats)[i] = db_int(r, i, 1);
	return id_list(r, ids, n);
}

int sla_breach_mark(struct db *db, int64_t ticket_id, const char *metric, const char *kind,
		    int64_t cycle_at, int64_t breach_at, int64_t now)
{
	int rc = db_query(db, NULL,
			  "INSERT INTO sla_breach_events (ticket_id, metric, kind, cycle_at,"
			  " breach_at, created_at) VALUES (?, ?, ?, ?, ?, ?)"
			  " ON CONFLICT (ticket_id, metric, kind, cycle_at) DO NOTHING",
			  "issiii", ticket_id, metric, kind, cycle_at, breach_at, now);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}
