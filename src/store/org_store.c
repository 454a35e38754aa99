/* org_store.c - SQL for organizations.
 *
 * One column list (ORG_COLS) and one reader (org_from_row), so every query
 * returns the same shape; lists (domain_names, tags) are JSON text columns.
 * Listing assembles its WHERE clause from constant fragments with bound
 * values (db_query_args), like ticket_store's filters.  Names and external
 * ids compare case-insensitively (LOWER on both sides; ASCII on both
 * engines).  Writes refresh the organization's search document in the same
 * transaction; a delete also detaches its users and tickets.
 */
#include "store/org_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define ORG_COLS                                                                                   \
	"id, name, details, notes, external_id, domain_names, tags, group_id, shared_tickets,"     \
	" shared_comments, organization_fields, created_at, updated_at"

void organization_clear(struct organization *o)
{
	free(o->name);
	free(o->details);
	free(o->notes);
	free(o->external_id);
	free(o->organization_fields);
	strlist_clear(&o->domain_names);
	strlist_clear(&o->tags);
	memset(o, 0, sizeof(*o));
}

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return s ? xstrdup(s) : NULL;
}

static void org_from_row(const struct db_res *r, int i, struct organization *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_int(r, i, 0);
	o->name = dup_col(r, i, 1);
	o->details = dup_col(r, i, 2);
	o->notes = dup_col(r, i, 3);
	o->external_id = dup_col(r, i, 4);
	strlist_from_json(&o->domain_names, db_str(r, i, 5));
	strlist_from_json(&o->tags, db_str(r, i, 6));
	o->group_id = db_int(r, i, 7);
	o->shared_tickets = (int)db_int(r, i, 8);
	o->shared_comments = (int)db_int(r, i, 9);
	o->organization_fields = xstrdup(db_str(r, i, 10) ? db_str(r, i, 10) : "{}");
	o->created_at = db_int(r, i, 11);
	o->updated_at = db_int(r, i, 12);
}

static int one_org(struct db_res *r, int rc, struct organization *out)
{
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	org_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int org_store_get(struct db *db, int64_t id, struct organization *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " ORG_COLS " FROM organizations WHERE id = ?", "i", id);
	return one_org(r, rc, out);
}

int org_store_by_name(struct db *db, const char *name, struct organization *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " ORG_COLS " FROM organizations WHERE LOWER(name) = LOWER(?)"
			  " ORDER BY id LIMIT 1",
			  "s", name);
	return one_org(r, rc, out);
}

int org_store_by_external_id(struct db *db, const char *external_id, struct organization *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " ORG_COLS " FROM organizations WHERE LOWER(external_id) ="
			  " LOWER(?) ORDER BY id LIMIT 1",
			  "s", external_id);
	return one_org(r, rc, out);
}

/* A LIKE pattern for "starts with s", ASCII lower-cased, with the LIKE
 * metacharacters escaped by '\'.  Owned. */
static char *like_prefix(const char *s)
{
	struct buf b = BUF_INIT;
	for (const char *p = s; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, (char)tolower((unsigned char)*p));
	}
	buf_addc(&b, '%');
	return buf_detach(&b);
}

/* WHERE clause for f from constant fragments; args appended to a. */
static void filter_sql(const struct org_filter *f, struct buf *sql, struct db_arg *a, int *na,
		       char **pattern)
{
	buf_adds(sql, " WHERE 1 = 1");
	if (f->name_prefix) {
		*pattern = like_prefix(f->name_prefix);
		buf_adds(sql, " AND LOWER(name) LIKE ? ESCAPE '\\'");
		a[(*na)++] = (struct db_arg){.type = 's', .s = *pattern};
	}
	if (f->external_id) {
		buf_adds(sql, " AND LOWER(external_id) = LOWER(?)");
		a[(*na)++] = (struct db_arg){.type = 's', .s = f->external_id};
	}
}

int org_store_list(struct db *db, const struct org_filter *f, struct organization **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	char *pattern = NULL;
	buf_adds(&sql, "SELECT " ORG_COLS " FROM organizations");
	filter_sql(f, &sql, a, &na, &pattern);
	/* autocomplete orders by name, as Zendesk does */
	window_sql(&f->win, "id", f->name_prefix ? "LOWER(name), id" : NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	free(pattern);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		org_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int org_store_count(struct db *db, const struct org_filter *f, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	char *pattern = NULL;
	buf_adds(&sql, "SELECT COUNT(*) FROM organizations");
	filter_sql(f, &sql, a, &na, &pattern);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	free(pattern);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

void org_list_free(struct organization *v, int n)
{
	for (int i = 0; i < n; i++)
		organization_clear(&v[i]);
	free(v);
}

int org_store_insert(struct db *db, struct organization *o)
{
	char *domains = strlist_to_json(&o->domain_names), *tags = strlist_to_json(&o->tags);
	struct db_res *r;
	int rc = db_query(
	    db, &r,
	    "INSERT INTO organizations (name, details, notes, external_id,"
	    " domain_names, tags, group_id, shared_tickets, shared_comments,"
	    " organization_fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?,"
	    " NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?, ?) RETURNING id",
	    "ssssssiiisii", o->name, o->details, o->notes, o->external_id, domains, tags,
	    o->group_id, (int64_t)o->shared_tickets, (int64_t)o->shared_comments,
	    o->organization_fields ? o->organization_fields : "{}", o->created_at, o->updated_at);
	free(domains);
	free(tags);
	if (rc)
		return rc;
	o->id = db_int(r, 0, 0);
	db_res_free(r);
	return search_index_organization(db, o->id);
}

int org_store_update(struct db *db, const struct organization *o)
{
	char *domains = strlist_to_json(&o->domain_names), *tags = strlist_to_json(&o->tags);
	int rc =
	    db_query(db, NULL,
		     "UPDATE organizations SET name = ?, details = ?, notes = ?,"
		     " external_id = ?, domain_names = ?, tags = ?,"
		     " group_id = NULLIF(CAST(? AS BIGINT), 0), shared_tickets = ?,"
		     " shared_comments = ?, organization_fields = ?, updated_at = ?"
		     " WHERE id = ?",
		     "ssssssiiisii", o->name, o->details, o->notes, o->external_id, domains, tags,
		     o->group_id, (int64_t)o->shared_tickets, (int64_t)o->shared_comments,
		     o->organization_fields ? o->organization_fields : "{}", o->updated_at, o->id);
	free(domains);
	free(tags);
	return rc ? rc : search_index_organization(db, o->id);
}

int org_store_delete(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM organizations WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	static const char *const detach[] = {
	    "UPDATE users SET organization_id = NULL WHERE organization_id = ?",
	    "UPDATE tickets SET organization_id = NULL WHERE organization_id = ?",
	    "DELETE FROM organization_fts WHERE rowid = ?",
	};
	for (size_t i = 0; i < ARRAY_SIZE(detach); i++)
		if ((rc = db_query(db, NULL, detach[i], "i", id)))
			return rc;
	return 0;
}
