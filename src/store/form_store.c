/* form_store.c - SQL for ticket forms (see form_store.h).  The field list
 * is kept as a JSON array of ids in one column (field_ids), read and
 * written with user_store's idlist JSON helpers; lists are small. */
#include "store/form_store.h"
#include "base/util.h"
#include "store/user_store.h"
#include <stdlib.h>
#include <string.h>

#define FORM_COLS                                                                                  \
	"id, name, display_name, position, active, is_default, end_user_visible, field_ids,"       \
	" created_at, updated_at"

void ticket_form_clear(struct ticket_form *f)
{
	free(f->name);
	free(f->display_name);
	idlist_clear(&f->field_ids);
	memset(f, 0, sizeof(*f));
}

void ticket_form_list_free(struct ticket_form *v, int n)
{
	for (int i = 0; i < n; i++)
		ticket_form_clear(&v[i]);
	free(v);
}

static void from_row(const struct db_res *r, int i, struct ticket_form *f)
{
	memset(f, 0, sizeof(*f));
	f->id = db_int(r, i, 0);
	f->name = xstrdup(db_str(r, i, 1) ? db_str(r, i, 1) : "");
	f->display_name = xstrdup(db_str(r, i, 2) ? db_str(r, i, 2) : "");
	f->position = (int)db_int(r, i, 3);
	f->active = (int)db_int(r, i, 4);
	f->is_default = (int)db_int(r, i, 5);
	f->end_user_visible = (int)db_int(r, i, 6);
	idlist_from_json(&f->field_ids, db_str(r, i, 7));
	f->created_at = db_int(r, i, 8);
	f->updated_at = db_int(r, i, 9);
}

int form_store_list(struct db *db, int active_only, struct ticket_form **out, int *n)
{
	*out = NULL;
	*n = 0;
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " FORM_COLS " FROM ticket_forms WHERE (? = 0 OR active = 1)"
			  " ORDER BY position, id",
			  "i", (int64_t)active_only);
	if (rc)
		return rc;
	if (r->nrows) {
		*out = xcalloc((size_t)r->nrows, sizeof(**out));
		for (int i = 0; i < r->nrows; i++)
			from_row(r, i, &(*out)[i]);
		*n = r->nrows;
	}
	db_res_free(r);
	return 0;
}

int form_store_get(struct db *db, int64_t id, struct ticket_form *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " FORM_COLS " FROM ticket_forms WHERE id = ?", "i", id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

static int only_default(struct db *db, const struct ticket_form *f)
{
	if (!f->is_default)
		return 0;
	return db_query(db, NULL, "UPDATE ticket_forms SET is_default = 0 WHERE id <> ?", "i",
			f->id);
}

int form_store_insert(struct db *db, struct ticket_form *f)
{
	char *ids = idlist_to_json(&f->field_ids);
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO ticket_forms (name, display_name, position, active, is_default,"
			  " end_user_visible, field_ids, created_at, updated_at) VALUES"
			  " (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  "ssiiiisii", f->name, f->display_name, (int64_t)f->position,
			  (int64_t)f->active, (int64_t)f->is_default, (int64_t)f->end_user_visible,
			  ids, f->created_at, f->updated_at);
	free(ids);
	if (rc)
		return rc;
	f->id = db_int(r, 0, 0);
	db_res_free(r);
	return only_default(db, f);
}

int form_store_update(struct db *db, const struct ticket_form *f)
{
	char *ids = idlist_to_json(&f->field_ids);
	int rc = db_query(db, NULL,
			  "UPDATE ticket_forms SET name = ?, display_name = ?, position = ?,"
			  " active = ?, is_default = ?, end_user_visible = ?, field_ids = ?,"
			  " updated_at = ? WHERE id = ?",
			  "ssiiiisii", f->name, f->display_name, (int64_t)f->position,
			  (int64_t)f->active, (int64_t)f->is_default, (int64_t)f->end_user_visible,
			  ids, f->updated_at, f->id);
	free(ids);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	return only_default(db, f);
}

int form_store_delete(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM ticket_forms WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}
