/* field_store.c - SQL for ticket fields and their options.
 *
 * A field is one ticket_fields row (FIELD_COLS, read by field_from_row) plus
 * its ticket_field_options rows, loaded with one more query: per field for
 * field_store_get, for all fields at once for field_store_list (options are
 * then handed out by field id).  Updates rewrite the options in place
 * (update kept ones, insert new ones, delete the rest), so option ids stay
 * stable for clients that cached them.  Cost: 2 statements per read,
 * 2 + options statements per write.
 */
#include "store/field_store.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

#define FIELD_COLS                                                                                 \
	"id, type, title, description, agent_description, title_in_portal,"                        \
	" regexp_for_validation, tag, active, required, required_in_portal, visible_in_portal,"    \
	" editable_in_portal, collapsed_for_agents, position, removable, created_at, updated_at"

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return s ? xstrdup(s) : NULL;
}

static void field_from_row(const struct db_res *r, int i, struct field *f)
{
	memset(f, 0, sizeof(*f));
	f->id = db_int(r, i, 0);
	f->type = dup_col(r, i, 1);
	f->title = dup_col(r, i, 2);
	f->description = dup_col(r, i, 3);
	f->agent_description = dup_col(r, i, 4);
	f->title_in_portal = dup_col(r, i, 5);
	f->regexp_for_validation = dup_col(r, i, 6);
	f->tag = dup_col(r, i, 7);
	f->active = (int)db_int(r, i, 8);
	f->required = (int)db_int(r, i, 9);
	f->required_in_portal = (int)db_int(r, i, 10);
	f->visible_in_portal = (int)db_int(r, i, 11);
	f->editable_in_portal = (int)db_int(r, i, 12);
	f->collapsed_for_agents = (int)db_int(r, i, 13);
	f->position = (int)db_int(r, i, 14);
	f->removable = (int)db_int(r, i, 15);
	f->created_at = db_int(r, i, 16);
	f->updated_at = db_int(r, i, 17);
}

/* Attach options rows (field_id, id, name, value, position) to the fields
 * of v with the same id. */
static void options_attach(const struct db_res *r, struct field *v, int n)
{
	for (int i = 0; i < r->nrows; i++) {
		int64_t fid = db_int(r, i, 0);
		for (int k = 0; k < n; k++)
			if (v[k].id == fid)
				field_option_add(&v[k], db_int(r, i, 1), db_str(r, i, 2),
						 db_str(r, i, 3), (int)db_int(r, i, 4));
	}
}

int field_store_get(struct db *db, int64_t id, struct field *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " FIELD_COLS " FROM ticket_fields WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	field_from_row(r, 0, out);
	db_res_free(r);
	rc = db_query(db, &r,
		      "SELECT field_id, id, name, value, position FROM ticket_field_options"
		      " WHERE field_id = ? ORDER BY position, id",
		      "i", id);
	if (rc) {
		field_clear(out);
		return rc;
	}
	options_attach(r, out, 1);
	db_res_free(r);
	return 0;
}

int field_store_list(struct db *db, int cursor, int64_t after_id, int limit, struct field **out,
		     int *n)
{
	struct db_res *r;
	int rc =
	    cursor ? db_query(db, &r,
			      "SELECT " FIELD_COLS " FROM ticket_fields WHERE id > ?"
			      " ORDER BY id LIMIT ?",
			      "ii", after_id, (int64_t)limit)
		   : db_query(db, &r,
			      "SELECT " FIELD_COLS " FROM ticket_fields ORDER BY position, id", "");
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		field_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	if (!*n)
		return 0;
	rc = db_query(db, &r,
		      "SELECT field_id, id, name, value, position FROM ticket_field_options"
		      " ORDER BY field_id, position, id",
		      "");
	if (rc) {
		field_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	options_attach(r, *out, *n);
	db_res_free(r);
	return 0;
}

int field_store_count(struct db *db, int64_t *count)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT COUNT(*) FROM ticket_fields", "");
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

void field_list_free(struct field *v, int n)
{
	for (int i = 0; i < n; i++)
		field_clear(&v[i]);
	free(v);
}

static int option_insert(struct db *db, int64_t field_id, struct field_option *o)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO ticket_field_options (field_id, name, value, position)"
			  " VALUES (?, ?, ?, ?) RETURNING id",
			  "issi", field_id, o->name, o->value, (int64_t)o->position);
	if (rc)
		return rc;
	o->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int field_store_insert(struct db *db, struct field *f)
{
	struct db_res *r;
	int rc;
	if (!f->position) {
		rc = db_query(db, &r, "SELECT COALESCE(MAX(position), 0) + 1 FROM ticket_fields",
			      "");
		if (rc)
			return rc;
		f->position = (int)db_int(r, 0, 0);
		db_res_free(r);
	}
	rc = db_query(db, &r,
		      "INSERT INTO ticket_fields (type, title, description, agent_description,"
		      " title_in_portal, regexp_for_validation, tag, active, required,"
		      " required_in_portal, visible_in_portal, editable_in_portal,"
		      " collapsed_for_agents, position, removable, custom_field_options,"
		      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		      " 1, '[]', ?, ?) RETURNING id",
		      "sssssssiiiiiiiii", f->type, f->title, f->description, f->agent_description,
		      f->title_in_portal, f->regexp_for_validation, f->tag, (int64_t)f->active,
		      (int64_t)f->required, (int64_t)f->required_in_portal,
		      (int64_t)f->visible_in_portal, (int64_t)f->editable_in_portal,
		      (int64_t)f->collapsed_for_agents, (int64_t)f->position, f->created_at,
		      f->updated_at);
	if (rc)
		return rc;
	f->id = db_int(r, 0, 0);
	f->removable = 1;
	db_res_free(r);
	for (size_t i = 0; i < f->noptions; i++)
		if ((rc = option_insert(db, f->id, &f->options[i])))
			return rc;
	return 0;
}

int field_store_update(struct db *db, struct field *f)
{
	int rc =
	    db_query(db, NULL,
		     "UPDATE ticket_fields SET title = ?, description = ?,"
		     " agent_description = ?, title_in_portal = ?, regexp_for_validation = ?,"
		     " tag = ?, active = ?, required = ?, required_in_portal = ?,"
		     " visible_in_portal = ?, editable_in_portal = ?, collapsed_for_agents = ?,"
		     " position = ?, updated_at = ? WHERE id = ?",
		     "ssssssiiiiiiiii", f->title, f->description, f->agent_description,
		     f->title_in_portal, f->regexp_for_validation, f->tag, (int64_t)f->active,
		     (int64_t)f->required, (int64_t)f->required_in_portal,
		     (int64_t)f->visible_in_portal, (int64_t)f->editable_in_portal,
		     (int64_t)f->collapsed_for_agents, (int64_t)f->position, f->updated_at, f->id);
	if (rc)
		return rc;
	if (!field_type_has_options(f->type))
		return 0;
	struct field old = {0};
	rc = field_store_get(db, f->id, &old);
	if (rc)
		return rc < 0 ? rc : DB_ERR;
	/* match each new option to an old one: by id, else by value */
	int *kept = old.noptions ? xcalloc(old.noptions, sizeof(*kept)) : NULL;
	for (size_t i = 0; i < f->noptions; i++) {
		struct field_option *o = &f->options[i];
		size_t k, match = old.noptions;
		for (k = 0; o->id && k < old.noptions; k++)
			if (old.options[k].id == o->id && !kept[k])
				match = k;
		for (k = 0; match == old.noptions && k < old.noptions; k++)
			if (!strcmp(old.options[k].value, o->value) && !kept[k])
				match = k;
		if (match < old.noptions) {
			kept[match] = 1;
			o->id = old.options[match].id;
		} else {
			o->id = 0;
		}
	}
	/* remove the dropped ones first: a kept option may take a value that a
	 * dropped one held (UNIQUE (field_id, value)) */
	for (size_t k = 0; !rc && k < old.noptions; k++)
		if (!kept[k])
			rc = db_query(db, NULL, "DELETE FROM ticket_field_options WHERE id = ?",
				      "i", old.options[k].id);
	/* values may swap between kept options: park them on unique
	 * placeholders first */
	for (size_t i = 0; !rc && i < f->noptions; i++)
		if (f->options[i].id)
			rc = db_query(
			    db, NULL,
			    "UPDATE ticket_field_options SET value = CAST(id AS TEXT) || ' '"
			    " WHERE id = ?",
			    "i", f->options[i].id);
	for (size_t i = 0; !rc && i < f->noptions; i++) {
		struct field_option *o = &f->options[i];
		if (o->id)
			rc = db_query(
			    db, NULL,
			    "UPDATE ticket_field_options SET name = ?, value = ?, position = ?"
			    " WHERE id = ?",
			    "ssii", o->name, o->value, (int64_t)o->position, o->id);
		else
			rc = option_insert(db, f->id, o);
	}
	free(kept);
	field_clear(&old);
	return rc;
}

int field_store_delete(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM ticket_field_options WHERE field_id = ?", "i", id);
	if (rc)
		return rc;
	rc = db_query(db, NULL, "DELETE FROM ticket_fields WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int field_store_check_values(struct db *db, struct field_value *v, size_t n, struct strlist *tags,
			     char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		struct field f = {0};
		int rc = field_store_get(db, v[i].id, &f);
		if (rc < 0)
			return rc;
		if (rc == 1 || !f.active || !field_type_custom(f.type)) {
			snprintf(err, errlen,
				 "custom_fields: %lld is not a valid custom ticket field id",
				 (long long)v[i].id);
			field_clear(&f);
			return 1;
		}
		char *norm = NULL;
		if (field_value_check(&f, v[i].value_json, &norm, err, errlen)) {
			field_clear(&f);
			return 1;
		}
		free(v[i].value_json);
		v[i].value_json = norm;
		if (tags)
			field_value_tags(&f, norm, tags);
		field_clear(&f);
	}
	return 0;
}
