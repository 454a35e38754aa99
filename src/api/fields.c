/* fields.c - /api/v2/ticket_fields: list, show, count, create, update,
 * delete, and the options of dropdown/multiselect fields.
 *
 * A body becomes a struct field_op (the members given, with their values)
 * on the request thread; field_save_run() then, in one store_write(),
 * loads the field, applies the members, runs core's field_check() on the
 * result (type, title, options, regexp, tag) and saves it with its options.
 * The options endpoints edit one option through the same path.  System
 * fields (subject, description, status, tickettype, priority, group,
 * assignee) are listed and may be retitled, repositioned and described,
 * but never get a new type, options or deletion; subject and description
 * stay active.  Agents read; only admins write.
 */
#include "api/api.h"
#include "base/util.h"
#include "core/field.h"
#include "store/field_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum field_bit {
	FB_TYPE = 1 << 0,
	FB_TITLE = 1 << 1,
	FB_DESCRIPTION = 1 << 2,
	FB_AGENT_DESCRIPTION = 1 << 3,
	FB_TITLE_PORTAL = 1 << 4,
	FB_REGEXP = 1 << 5,
	FB_TAG = 1 << 6,
	FB_ACTIVE = 1 << 7,
	FB_REQUIRED = 1 << 8,
	FB_REQUIRED_PORTAL = 1 << 9,
	FB_VISIBLE_PORTAL = 1 << 10,
	FB_EDITABLE_PORTAL = 1 << 11,
	FB_COLLAPSED = 1 << 12,
	FB_POSITION = 1 << 13,
	FB_OPTIONS = 1 << 14,
};

/* ---- JSON out ---------------------------------------------------------- */

static json_t *option_json(struct server *s, const struct field *f, const struct field_option *o)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/ticket_fields/%" PRId64 "/options/%" PRId64 ".json",
		 s->cfg.base_url, f->id, o->id);
	return json_pack("{s:I,s:s,s:o,s:o,s:o,s:i,s:b}", "id", (json_int_t)o->id, "url", url,
			 "name", jstr(o->name), "raw_name", jstr(o->name), "value", jstr(o->value),
			 "position", o->position, "default", 0);
}

/* The fixed choices of the system fields that have them. */
static json_t *system_options(const char *type)
{
	static const char *const status[] = {"new", "open", "pending", "hold", "solved", "closed"};
	static const char *const priority[] = {"low", "normal", "high", "urgent"};
	static const char *const ttype[] = {"question", "incident", "problem", "task"};
	const char *const *v = NULL;
	size_t n = 0;
	if (!strcmp(type, "status")) {
		v = status;
		n = ARRAY_SIZE(status);
	} else if (!strcmp(type, "priority")) {
		v = priority;
		n = ARRAY_SIZE(priority);
	} else if (!strcmp(type, "tickettype")) {
		v = ttype;
		n = ARRAY_SIZE(ttype);
	} else {
		return NULL;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%s", v[i]);
		name[0] = (char)(name[0] - 'a' + 'A');
		json_array_append_new(a, json_pack("{s:s,s:s}", "name", name, "value", v[i]));
	}
	return a;
}

static json_t *field_json(struct server *s, const struct field *f)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/ticket_fields/%" PRId64 ".json", s->cfg.base_url,
		 f->id);
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(f->id));
	json_object_set_new(j, "url", json_string(url));
	json_object_set_new(j, "type", jstr(f->type));
	json_object_set_new(j, "title", jstr(f->title));
	json_object_set_new(j, "raw_title", jstr(f->title));
	json_object_set_new(j, "description", jstr(f->description ? f->description : ""));
	json_object_set_new(j, "raw_description", jstr(f->description ? f->description : ""));
	json_object_set_new(j, "agent_description", jstr(f->agent_description));
	json_object_set_new(j, "position", json_integer(f->position));
	json_object_set_new(j, "active", json_boolean(f->active));
	json_object_set_new(j, "required", json_boolean(f->required));
	json_object_set_new(j, "collapsed_for_agents", json_boolean(f->collapsed_for_agents));
	json_object_set_new(j, "regexp_for_validation", jstr(f->regexp_for_validation));
	json_object_set_new(j, "title_in_portal",
			    jstr(f->title_in_portal ? f->title_in_portal : f->title));
	json_object_set_new(j, "raw_title_in_portal",
			    jstr(f->title_in_portal ? f->title_in_portal : f->title));
	json_object_set_new(j, "visible_in_portal", json_boolean(f->visible_in_portal));
	json_object_set_new(j, "editable_in_portal", json_boolean(f->editable_in_portal));
	json_object_set_new(j, "required_in_portal", json_boolean(f->required_in_portal));
	json_object_set_new(j, "tag", jstr(f->tag));
	json_object_set_new(j, "removable", json_boolean(f->removable));
	json_object_set_new(j, "key", json_null());
	json_object_set_new(j, "created_at", jtime(f->created_at));
	json_object_set_new(j, "updated_at", jtime(f->updated_at));
	if (field_type_has_options(f->type)) {
		json_t *a = json_array();
		for (size_t i = 0; i < f->noptions; i++)
			json_array_append_new(a, option_json(s, f, &f->options[i]));
		json_object_set_new(j, "custom_field_options", a);
	}
	json_t *sys = f->type ? system_options(f->type) : NULL;
	if (sys)
		json_object_set_new(j, "system_field_options", sys);
	if (f->type && (!strcmp(f->type, "status") || !strcmp(f->type, "priority")))
		json_object_set_new(j, "sub_type_id", json_integer(0));
	return j;
}

/* ---- JSON in ----------------------------------------------------------- */

struct field_op {
	unsigned set;	   /* FB_* given */
	struct field v;	   /* their values */
	int64_t id;	   /* 0 = create */
	int64_t option_id; /* options endpoints: the option (0 = new) */
	int option_delete; /* DELETE .../options/{id} */
	int64_t now;
	int status;  /* 0, 404, 422 */
	int created; /* option endpoints: an option was added */
	char err[320];
	struct field result;
};

static int options_from_json(json_t *a, struct field *v, char *err, size_t errlen)
{
	if (!json_is_array(a) || json_array_size(a) > 2000) {
		snprintf(err, errlen,
			 "custom_field_options: expected an array of at most 2000"
			 " {name, value} objects");
		return -1;
	}
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e)
	{
		char *name = NULL, *value = NULL;
		int64_t id = 0;
		json_int_t pos = 0;
		json_t *p = json_object_get(e, "position");
		if (!json_is_object(e) || jget_str(e, "name", &name, err, errlen) < 0 ||
		    jget_str(e, "value", &value, err, errlen) < 0 ||
		    jget_id(e, "id", &id, err, errlen) < 0 ||
		    (p && !json_is_null(p) && !json_is_integer(p))) {
			free(name);
			free(value);
			if (!*err)
				snprintf(err, errlen,
					 "custom_field_options: expected {name, value}"
					 " objects");
			return -1;
		}
		if (json_is_integer(p))
			pos = json_integer_value(p);
		if (pos < 0 || pos > 1000000)
			pos = 0;
		if (!value && name) /* Zendesk derives a missing value from the name */
			value = xstrdup(name);
		field_option_add(v, id, name, value, (int)pos);
		free(name);
		free(value);
	}
	return 0;
}

static int field_op_from_json(json_t *o, struct field_op *op, char *err, size_t errlen)
{
	struct field *v = &op->v;
	int rc;
	*err = '\0';
	if (!json_is_object(o)) {
		snprintf(err, errlen, "ticket_field: expected an object");
		return -1;
	}
	static const struct {
		const char *key;
		size_t off;
		unsigned bit;
	} strs[] = {
	    {"type", offsetof(struct field, type), FB_TYPE},
	    {"title", offsetof(struct field, title), FB_TITLE},
	    {"raw_title", offsetof(struct field, title), FB_TITLE},
	    {"description", offsetof(struct field, description), FB_DESCRIPTION},
	    {"raw_description", offsetof(struct field, description), FB_DESCRIPTION},
	    {"agent_description", offsetof(struct field, agent_description), FB_AGENT_DESCRIPTION},
	    {"title_in_portal", offsetof(struct field, title_in_portal), FB_TITLE_PORTAL},
	    {"raw_title_in_portal", offsetof(struct field, title_in_portal), FB_TITLE_PORTAL},
	    {"regexp_for_validation", offsetof(struct field, regexp_for_validation), FB_REGEXP},
	    {"tag", offsetof(struct field, tag), FB_TAG},
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		char **dst = (char **)((char *)v + strs[i].off);
		if (op->set & strs[i].bit)
			continue; /* the plain key was given; the raw_ one does not override */
		if ((rc = jget_str(o, strs[i].key, dst, err, errlen)) < 0)
			return -1;
		if (rc)
			op->set |= strs[i].bit;
	}
	static const struct {
		const char *key;
		size_t off;
		unsigned bit;
	} bools[] = {
	    {"active", offsetof(struct field, active), FB_ACTIVE},
	    {"required", offsetof(struct field, required), FB_REQUIRED},
	    {"required_in_portal", offsetof(struct field, required_in_portal), FB_REQUIRED_PORTAL},
	    {"visible_in_portal", offsetof(struct field, visible_in_portal), FB_VISIBLE_PORTAL},
	    {"editable_in_portal", offsetof(struct field, editable_in_portal), FB_EDITABLE_PORTAL},
	    {"collapsed_for_agents", offsetof(struct field, collapsed_for_agents), FB_COLLAPSED},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bools); i++) {
		if ((rc = jget_bool(o, bools[i].key, (int *)((char *)v + bools[i].off), err,
				    errlen)) < 0)
			return -1;
		if (rc)
			op->set |= bools[i].bit;
	}
	json_t *p = json_object_get(o, "position");
	if (p && !json_is_null(p)) {
		if (!json_is_integer(p) || json_integer_value(p) < 0 ||
		    json_integer_value(p) > 1000000) {
			snprintf(err, errlen, "position: expected an integer from 0 to 1000000");
			return -1;
		}
		v->position = (int)json_integer_value(p);
		op->set |= FB_POSITION;
	}
	json_t *opts = json_object_get(o, "custom_field_options");
	if (opts && !json_is_null(opts)) {
		if (options_from_json(opts, v, err, errlen))
			return -1;
		op->set |= FB_OPTIONS;
	}
	if (v->title && strpbrk(v->title, "\n\r")) {
		snprintf(err, errlen, "title: must be one line");
		return -1;
	}
	return 0;
}

/* ---- the write --------------------------------------------------------- */

#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		op->status = code;                                                                 \
		snprintf(op->err, sizeof(op->err), __VA_ARGS__);                                   \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

static void options_replace(struct field *dst, const struct field *src)
{
	struct field tmp = {0};
	field_copy(&tmp, src); /* copies the options too */
	for (size_t i = 0; i < dst->noptions; i++) {
		free(dst->options[i].name);
		free(dst->options[i].value);
	}
	free(dst->options);
	dst->options = tmp.options;
	dst->noptions = tmp.noptions;
	tmp.options = NULL;
	tmp.noptions = 0;
	field_clear(&tmp);
}

/* The options endpoints: add, change (by id) or remove one option. */
static int option_edit(struct field_op *op, struct field *f)
{
	if (op->option_delete) {
		for (size_t i = 0; i < f->noptions; i++)
			if (f->options[i].id == op->option_id) {
				free(f->options[i].name);
				free(f->options[i].value);
				memmove(&f->options[i], &f->options[i + 1],
					(f->noptions - i - 1) * sizeof(*f->options));
				f->noptions--;
				return 0;
			}
		return 1;
	}
	const struct field_option *in = &op->v.options[0];
	for (size_t i = 0; op->option_id && i < f->noptions; i++)
		if (f->options[i].id == op->option_id) {
			set_str(&f->options[i].name, in->name);
			set_str(&f->options[i].value, in->value);
			if (in->position)
				f->options[i].position = in->position;
			return 0;
		}
	if (op->option_id)
		return 1;
	int last = 0;
	for (size_t i = 0; i < f->noptions; i++)
		if (f->options[i].position >= last)
			last = f->options[i].position + 1;
	field_option_add(f, 0, in->name, in->value, in->position ? in->position : last);
	op->created = 1;
	return 0;
}

static int field_save_run(struct db *db, void *arg)
{
	struct field_op *op = arg;
	struct field f = {0};
	unsigned set = op->set;
	int rc = 0, creating = op->id == 0;
	op->status = 0;
	if (creating) {
		f.active = 1;
		f.removable = 1;
		f.created_at = op->now;
		set_str(&f.type, op->v.type);
	} else {
		rc = field_store_get(db, op->id, &f);
		if (rc < 0)
			goto out;
		if (rc)
			FAIL(404, "ticket field not found");
		if (set & FB_TYPE) {
			const char *t = op->v.type ? op->v.type : "";
			if (!strcmp(t, "dropdown"))
				t = "tagger";
			if (strcmp(t, f.type))
				FAIL(422, "type: cannot be changed (create a new field instead)");
		}
	}
	int system = field_type_system(f.type);
	if (creating && system)
		FAIL(422, "type: \"%s\" is a system field; create a custom type", f.type);
	if (system && (set & (FB_OPTIONS | FB_REGEXP | FB_TAG)) &&
	    ((set & FB_OPTIONS) || op->v.regexp_for_validation || op->v.tag))
		FAIL(422, "type: system fields take no options, pattern or tag");
	if (system && (set & FB_ACTIVE) && !op->v.active &&
	    (!strcmp(f.type, "subject") || !strcmp(f.type, "description")))
		FAIL(422, "active: the %s field cannot be deactivated", f.type);
	if (set & FB_TITLE)
		set_str(&f.title, op->v.title);
	if (set & FB_DESCRIPTION)
		set_str(&f.description, op->v.description);
	if (set & FB_AGENT_DESCRIPTION)
		set_str(&f.agent_description, op->v.agent_description);
	if (set & FB_TITLE_PORTAL)
		set_str(&f.title_in_portal, op->v.title_in_portal);
	if (set & FB_REGEXP)
		set_str(&f.regexp_for_validation, op->v.regexp_for_validation);
	if (set & FB_TAG)
		set_str(&f.tag, op->v.tag);
	if (set & FB_ACTIVE)
		f.active = op->v.active;
	if (set & FB_REQUIRED)
		f.required = op->v.required;
	if (set & FB_REQUIRED_PORTAL)
		f.required_in_portal = op->v.required_in_portal;
	if (set & FB_VISIBLE_PORTAL)
		f.visible_in_portal = op->v.visible_in_portal;
	if (set & FB_EDITABLE_PORTAL)
		f.editable_in_portal = op->v.editable_in_portal;
	if (set & FB_COLLAPSED)
		f.collapsed_for_agents = op->v.collapsed_for_agents;
	if (set & FB_POSITION)
		f.position = op->v.position;
	if (set & FB_OPTIONS)
		options_replace(&f, &op->v);
	if (op->option_id || op->option_delete || (op->v.noptions && !(set & FB_OPTIONS))) {
		if (!field_type_has_options(f.type))
			FAIL(422, "custom_field_option: only dropdown and multiselect fields have"
				  " options");
		if (option_edit(op, &f))
			FAIL(404, "option not found");
	}
	char err[256];
	if (field_check(&f, err, sizeof(err)))
		FAIL(422, "%s", err);
	f.updated_at = op->now;
	rc = creating ? field_store_insert(db, &f) : field_store_update(db, &f);
	if (rc == DB_CONSTRAINT)
		FAIL(422, "custom_field_options: an option value is used twice");
	if (!rc) {
		rc = field_store_get(db, f.id, &op->result);
		if (rc == 1)
			rc = DB_ERR;
	}
out:
	field_clear(&f);
	return rc;
}

/* Run op; -1 after replying with its refusal, 0 when saved. */
static int field_run_or_reply(struct req *r, struct field_op *op)
{
	int rc = store_write(r->srv->store, field_save_run, op);
	field_clear(&op->v);
	if (!rc)
		return 0;
	if (op->status == 404)
		reply_not_found(r);
	else if (op->status == 422)
		reply_invalid(r, op->err);
	else
		reply_error(r, 500, "InternalError", "the ticket field could not be saved", NULL);
	return -1;
}

static int field_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct field_op op = {.id = id, .now = now_seconds()};
	char err[320] = "";
	json_t *o = json_object_get(body, "ticket_field");
	if (!o || field_op_from_json(o, &op, err, sizeof(err))) {
		json_decref(body);
		field_clear(&op.v);
		return reply_invalid(r, o ? err : "ticket_field: is required");
	}
	json_decref(body);
	if (!id && !(op.set & FB_TITLE)) {
		field_clear(&op.v);
		return reply_invalid(r, "title: is required");
	}
	if (field_run_or_reply(r, &op))
		return 0;
	json_t *out = json_pack("{s:o}", "ticket_field", field_json(r->srv, &op.result));
	field_clear(&op.result);
	return reply_json(r, id ? 200 : 201, out);
}

static int fields_create(struct req *r) { return field_write_reply(r, 0); }

static int fields_update(struct req *r) { return field_write_reply(r, r->id[0]); }

struct field_delete {
	int64_t id;
	int system;
};

static int field_delete_run(struct db *db, void *arg)
{
	struct field_delete *d = arg;
	struct field f = {0};
	int rc = field_store_get(db, d->id, &f);
	d->system = rc == 0 && !f.removable;
	field_clear(&f);
	if (rc)
		return rc;
	if (d->system)
		return DB_REFUSED;
	return field_store_delete(db, d->id);
}

static int fields_delete(struct req *r)
{
	struct field_delete d = {.id = r->id[0]};
	int rc = store_write(r->srv->store, field_delete_run, &d);
	if (rc == 1)
		return reply_not_found(r);
	if (d.system)
		return reply_invalid(r, "base: system fields cannot be deleted");
	if (rc)
		return reply_error(r, 500, "InternalError", "the ticket field could not be deleted",
				   NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

/* ---- reads ------------------------------------------------------------- */

static int fields_list(struct req *r)
{
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	struct field *v;
	int n;
	/* without cursor parameters Zendesk answers every field, by position */
	if (field_store_list(req_db(r), p.cursor, p.after, (int)p.per_page + 1, &v, &n))
		return reply_db_down(r);
	int more = p.cursor && n > p.per_page;
	if (more)
		n--;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, field_json(r->srv, &v[i]));
	json_t *out = json_pack("{s:o}", "ticket_fields", arr);
	if (p.cursor) {
		page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, -1);
	} else {
		json_object_set_new(out, "next_page", json_null());
		json_object_set_new(out, "previous_page", json_null());
		json_object_set_new(out, "count", json_integer(n));
	}
	field_list_free(v, n + more);
	return reply_json(r, 200, out);
}

static int fields_count(struct req *r)
{
	int64_t n;
	if (field_store_count(req_db(r), &n))
		return reply_db_down(r);
	return reply_json(r, 200, json_pack("{s:o}", "count", count_json(n)));
}

/* Load field id into f: 0, or -1 after replying. */
static int field_or_reply(struct req *r, int64_t id, struct field *f)
{
	int rc = field_store_get(req_db(r), id, f);
	if (rc < 0)
		reply_db_down(r);
	else if (rc)
		reply_not_found(r);
	return rc ? -1 : 0;
}

static int fields_show(struct req *r)
{
	struct field f = {0};
	if (field_or_reply(r, r->id[0], &f))
		return 0;
	json_t *out = json_pack("{s:o}", "ticket_field", field_json(r->srv, &f));
	field_clear(&f);
	return reply_json(r, 200, out);
}

/* ---- options ----------------------------------------------------------- */

static int options_list(struct req *r)
{
	struct field f = {0};
	if (field_or_reply(r, r->id[0], &f))
		return 0;
	json_t *arr = json_array();
	for (size_t i = 0; i < f.noptions; i++)
		json_array_append_new(arr, option_json(r->srv, &f, &f.options[i]));
	field_clear(&f);
	return reply_json(r, 200,
			  json_pack("{s:o,s:n,s:n,s:I}", "custom_field_options", arr, "next_page",
				    "previous_page", "count", (json_int_t)json_array_size(arr)));
}

static int options_show(struct req *r)
{
	struct field f = {0};
	if (field_or_reply(r, r->id[0], &f))
		return 0;
	json_t *o = NULL;
	for (size_t i = 0; i < f.noptions; i++)
		if (f.options[i].id == r->id[1])
			o = option_json(r->srv, &f, &f.options[i]);
	field_clear(&f);
	if (!o)
		return reply_not_found(r);
	return reply_json(r, 200, json_pack("{s:o}", "custom_field_option", o));
}

/* The option op->option_id (or the one with the value given) in the saved
 * field, as JSON; NULL when gone. */
static json_t *saved_option(struct req *r, const struct field *f, int64_t id, const char *value)
{
	for (size_t i = 0; i < f->noptions; i++)
		if ((id && f->options[i].id == id) ||
		    (!id && value && !strcmp(f->options[i].value, value)))
			return option_json(r->srv, f, &f->options[i]);
	return NULL;
}

/* POST /ticket_fields/{id}/options.json: create, or update when the
 * option's id is given (Zendesk's create-or-update). */
static int options_create_or_update(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct field_op op = {.id = r->id[0], .now = now_seconds()};
	char err[320] = "";
	json_t *o = json_object_get(body, "custom_field_option");
	json_t *arr = json_array();
	if (o)
		json_array_append(arr, o);
	int bad = !o || options_from_json(arr, &op.v, err, sizeof(err));
	json_decref(arr);
	json_decref(body);
	if (bad) {
		field_clear(&op.v);
		return reply_invalid(r, o ? err : "custom_field_option: is required");
	}
	op.option_id = op.v.options[0].id;
	char *tag = op.v.options[0].value ? tag_normalize(op.v.options[0].value) : NULL;
	if (field_run_or_reply(r, &op)) {
		free(tag);
		return 0;
	}
	json_t *j = saved_option(r, &op.result, op.option_id, tag);
	free(tag);
	field_clear(&op.result);
	if (!j)
		return reply_error(r, 500, "InternalError", "the option was not saved", NULL);
	return reply_json(r, op.created ? 201 : 200, json_pack("{s:o}", "custom_field_option", j));
}

static int options_delete(struct req *r)
{
	struct field_op op = {
	    .id = r->id[0], .option_id = r->id[1], .option_delete = 1, .now = now_seconds()};
	if (field_run_or_reply(r, &op))
		return 0;
	field_clear(&op.result);
	return reply_raw(r, 204, "application/json", "", 0);
}

const struct route field_routes[] = {
    {M_GET, "/api/v2/ticket_fields.json", ROLE_AGENT, fields_list, 0},
    {M_POST, "/api/v2/ticket_fields.json", ROLE_ADMIN, fields_create, 0},
    {M_GET, "/api/v2/ticket_fields/count.json", ROLE_AGENT, fields_count, 0},
    {M_GET, "/api/v2/ticket_fields/{id}.json", ROLE_AGENT, fields_show, 0},
    {M_PUT, "/api/v2/ticket_fields/{id}.json", ROLE_ADMIN, fields_update, 0},
    {M_DELETE, "/api/v2/ticket_fields/{id}.json", ROLE_ADMIN, fields_delete, 0},
    {M_GET, "/api/v2/ticket_fields/{id}/options.json", ROLE_AGENT, options_list, 0},
    {M_POST, "/api/v2/ticket_fields/{id}/options.json", ROLE_ADMIN, options_create_or_update, 0},
    {M_GET, "/api/v2/ticket_fields/{id}/options/{id}.json", ROLE_AGENT, options_show, 0},
    {M_DELETE, "/api/v2/ticket_fields/{id}/options/{id}.json", ROLE_ADMIN, options_delete, 0},
    {0},
};
