/* ticket_forms.c - Zendesk's ticket forms:
 *   GET    /api/v2/ticket_forms.json        every form (?active=true: the active ones)
 *   POST   /api/v2/ticket_forms.json        {"ticket_form": {name, display_name?,
 *                                           position?, active?, default?,
 *                                           end_user_visible?, ticket_field_ids}}
 *   GET    /api/v2/ticket_forms/{id}.json
 *   PUT    /api/v2/ticket_forms/{id}.json   the same members, each optional
 *   DELETE /api/v2/ticket_forms/{id}.json
 * Agents read, admins write.  A form is a named, ordered list of ticket
 * fields: the help center's contact form (api/hc_portal.c) offers the
 * active, end-user-visible ones and shows the chosen form's fields that
 * are visible and editable in the portal.  ticket_field_ids must name
 * existing fields (422 otherwise); one form at most is the default.
 *
 * Order of a write: decode and check the body on the request thread, then
 * one store_write that checks the field ids and saves the row.
 */
#include "api/api.h"
#include "base/util.h"
#include "core/field.h"
#include "store/field_store.h"
#include "store/form_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 255
#define MAX_FORM_FIELDS 50

static json_t *form_json(struct server *s, const struct ticket_form *f)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/ticket_forms/%" PRId64 ".json", s->cfg.base_url,
		 f->id);
	json_t *ids = json_array();
	for (size_t i = 0; i < f->field_ids.n; i++)
		json_array_append_new(ids, json_integer(f->field_ids.v[i]));
	return json_pack("{sI ss ss ss ss ss si sb sb sb so sb s[] so so}", "id", (json_int_t)f->id,
			 "url", url, "name", f->name, "raw_name", f->name, "display_name",
			 f->display_name, "raw_display_name", f->display_name, "position",
			 f->position, "active", f->active, "default", f->is_default,
			 "end_user_visible", f->end_user_visible, "ticket_field_ids", ids,
			 "in_all_brands", 1, "restricted_brand_ids", "created_at",
			 jtime(f->created_at), "updated_at", jtime(f->updated_at));
}

static int forms_list(struct req *r)
{
	const char *a = req_arg(r, "active");
	struct ticket_form *v = NULL;
	int n = 0;
	if (form_store_list(req_db(r), a && !strcmp(a, "true"), &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, form_json(r->srv, &v[i]));
	ticket_form_list_free(v, n);
	return reply_json(r, 200, json_pack("{so sI ss* ss*}", "ticket_forms", arr, "count",
					    (json_int_t)n, "next_page", NULL, "previous_page",
					    NULL));
}

static int form_show(struct req *r)
{
	struct ticket_form f = {0};
	int rc = form_store_get(req_db(r), r->id[0], &f);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *o = form_json(r->srv, &f);
	ticket_form_clear(&f);
	return reply_json(r, 200, json_pack("{so}", "ticket_form", o));
}

static int name_ok(const char *s)
{
	if (!s || !s[strspn(s, " ")] || strlen(s) > MAX_NAME)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

enum { F_NAME = 1, F_DISPLAY = 2, F_POS = 4, F_ACTIVE = 8, F_DEFAULT = 16, F_VISIBLE = 32,
       F_FIELDS = 64 };

struct form_op {
	int64_t id; /* 0 = create */
	unsigned set;
	struct ticket_form in;
	struct ticket_form out;
	int status;
	char err[160];
};

/* Decode {"ticket_form": {...}} into op->in / op->set; -1 with err. */
static int form_parse(json_t *root, struct form_op *op, char *err, size_t errlen)
{
	json_t *o = json_object_get(root, "ticket_form");
	if (!json_is_object(o)) {
		snprintf(err, errlen, "ticket_form: is required");
		return -1;
	}
	int rc;
	if ((rc = jget_str(o, "name", &op->in.name, err, errlen)) < 0)
		return -1;
	if (rc) {
		op->set |= F_NAME;
		if (!name_ok(op->in.name)) {
			snprintf(err, errlen, "name: 1 to %d bytes, no control characters", MAX_NAME);
			return -1;
		}
	}
	if ((rc = jget_str(o, "display_name", &op->in.display_name, err, errlen)) < 0)
		return -1;
	if (rc && op->in.display_name) {
		op->set |= F_DISPLAY;
		if (!name_ok(op->in.display_name)) {
			snprintf(err, errlen, "display_name: 1 to %d bytes, no control characters",
				 MAX_NAME);
			return -1;
		}
	}
	json_t *pos = json_object_get(o, "position");
	if (pos) {
		if (!json_is_integer(pos) || json_integer_value(pos) < 0 ||
		    json_integer_value(pos) > 1000000) {
			snprintf(err, errlen, "position: expected a number from 0 to 1000000");
			return -1;
		}
		op->in.position = (int)json_integer_value(pos);
		op->set |= F_POS;
	}
	static const struct {
		const char *key;
		unsigned bit;
		size_t off;
	} bools[] = {
	    {"active", F_ACTIVE, offsetof(struct ticket_form, active)},
	    {"default", F_DEFAULT, offsetof(struct ticket_form, is_default)},
	    {"end_user_visible", F_VISIBLE, offsetof(struct ticket_form, end_user_visible)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bools); i++) {
		if ((rc = jget_bool(o, bools[i].key, (int *)((char *)&op->in + bools[i].off), err,
				    errlen)) < 0)
			return -1;
		if (rc)
			op->set |= bools[i].bit;
	}
	struct idlist ids = {0};
	if ((rc = jget_ids(o, "ticket_field_ids", &ids, err, errlen)) < 0) {
		idlist_clear(&ids);
		return -1;
	}
	if (rc) {
		op->set |= F_FIELDS;
		for (size_t i = 0; i < ids.n; i++) {
			int dup = 0;
			for (size_t k = 0; k < op->in.field_ids.n; k++)
				dup |= op->in.field_ids.v[k] == ids.v[i];
			if (!dup)
				idlist_add(&op->in.field_ids, ids.v[i]);
		}
		idlist_clear(&ids);
		if (op->in.field_ids.n > MAX_FORM_FIELDS) {
			snprintf(err, errlen, "ticket_field_ids: at most %d fields", MAX_FORM_FIELDS);
			return -1;
		}
	}
	return 0;
}

static int form_save_run(struct db *db, void *arg)
{
	struct form_op *op = arg;
	int rc;
	for (size_t i = 0; (op->set & F_FIELDS) && i < op->in.field_ids.n; i++) {
		struct field f = {0};
		rc = field_store_get(db, op->in.field_ids.v[i], &f);
		field_clear(&f);
		if (rc < 0)
			return rc;
		if (rc) {
			op->status = 422;
			snprintf(op->err, sizeof(op->err),
				 "ticket_field_ids: %" PRId64 " is not a ticket field",
				 op->in.field_ids.v[i]);
			return DB_REFUSED;
		}
	}
	struct ticket_form *f = &op->out;
	int64_t now = now_seconds();
	if (op->id) {
		if ((rc = form_store_get(db, op->id, f))) {
			op->status = 404;
			return rc < 0 ? rc : DB_REFUSED;
		}
	} else {
		if (!(op->set & F_NAME)) {
			op->status = 422;
			snprintf(op->err, sizeof(op->err), "name: is required");
			return DB_REFUSED;
		}
		f->active = 1;
		f->end_user_visible = 1;
		f->created_at = now;
	}
	if (op->set & F_NAME) {
		free(f->name);
		f->name = xstrdup(op->in.name);
	}
	if (op->set & F_DISPLAY) {
		free(f->display_name);
		f->display_name = xstrdup(op->in.display_name);
	}
	if (!f->display_name)
		f->display_name = xstrdup(f->name);
	if (op->set & F_POS)
		f->position = op->in.position;
	if (op->set & F_ACTIVE)
		f->active = op->in.active;
	if (op->set & F_DEFAULT)
		f->is_default = op->in.is_default;
	if (op->set & F_VISIBLE)
		f->end_user_visible = op->in.end_user_visible;
	if (op->set & F_FIELDS) {
		idlist_clear(&f->field_ids);
		for (size_t i = 0; i < op->in.field_ids.n; i++)
			idlist_add(&f->field_ids, op->in.field_ids.v[i]);
	}
	f->updated_at = now;
	return op->id ? form_store_update(db, f) : form_store_insert(db, f);
}

static int form_write(struct req *r, int64_t id)
{
	json_t *root = req_json_or_reply(r);
	if (!root)
		return 0;
	struct form_op op = {.id = id};
	char err[160] = "";
	int rc = form_parse(root, &op, err, sizeof(err));
	json_decref(root);
	if (rc) {
		ticket_form_clear(&op.in);
		return reply_invalid(r, err);
	}
	rc = store_write(r->srv->store, form_save_run, &op);
	ticket_form_clear(&op.in);
	if (rc == DB_REFUSED || rc == 1) {
		ticket_form_clear(&op.out);
		return op.status == 404 || rc == 1 ? reply_not_found(r) : reply_invalid(r, op.err);
	}
	if (rc) {
		ticket_form_clear(&op.out);
		return reply_db_down(r);
	}
	json_t *o = form_json(r->srv, &op.out);
	ticket_form_clear(&op.out);
	return reply_json(r, id ? 200 : 201, json_pack("{so}", "ticket_form", o));
}

static int form_create(struct req *r) { return form_write(r, 0); }
static int form_update(struct req *r) { return form_write(r, r->id[0]); }

static int form_delete_run(struct db *db, void *arg)
{
	return form_store_delete(db, *(int64_t *)arg);
}

static int form_delete(struct req *r)
{
	int64_t id = r->id[0];
	int rc = store_write(r->srv->store, form_delete_run, &id);
	if (rc)
		return rc == 1 ? reply_not_found(r) : reply_db_down(r);
	return reply_raw(r, 204, "application/json", "", 0);
}

const struct route ticket_form_routes[] = {
    {M_GET, "/api/v2/ticket_forms.json", ROLE_AGENT, forms_list, 0},
    {M_POST, "/api/v2/ticket_forms.json", ROLE_ADMIN, form_create, 0},
    {M_GET, "/api/v2/ticket_forms/{id}.json", ROLE_AGENT, form_show, 0},
    {M_PUT, "/api/v2/ticket_forms/{id}.json", ROLE_ADMIN, form_update, 0},
    {M_DELETE, "/api/v2/ticket_forms/{id}.json", ROLE_ADMIN, form_delete, 0},
    {0},
};
