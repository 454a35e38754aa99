/* macros.c - /api/v2/macros: Zendesk's macros (list, active, show, create,
 * update, delete) and their preview: /macros/{id}/apply and
 * /tickets/{ticket_id}/macros/{id}/apply, which answer
 * {"result": {"ticket": {...}, "comment": {...}}} and save nothing.
 *
 * Who sees what: admins every macro; agents the shared ones, their groups'
 * and their own personal ones (a macro they cannot see is 404).  Who
 * changes what: admins any macro; agents only their own personal macros
 * (an agent's new macro is personal unless it says otherwise, and then it
 * is refused with 403).
 *
 * Order of an apply: read the macro and check it is visible; decode its
 * actions; read the ticket and check the agent may see it; turn the actions
 * into a ticket_change (core/macro.c); fill the ticket's placeholder
 * context (store/placeholder_store.c) and render the comment text and HTML;
 * run core's ticket_apply() on a copy of the ticket for the would-be state.
 * Actions are checked against the allow-list on save (422 RecordInvalid)
 * and again on apply.
 */
#include "api/api.h"
#include "base/util.h"
#include "core/html.h"
#include "core/macro.h"
#include "core/placeholder.h"
#include "store/group_store.h"
#include "store/macro_store.h"
#include "store/placeholder_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 255

/* ---- JSON in and out ----------------------------------------------------- */

/* Decode stored actions text into v/n (owned).  0 or -1. */
static int actions_decode(const char *text, struct macro_action **v, size_t *n)
{
	json_error_t e;
	json_t *a = json_loads(text ? text : "[]", 0, &e);
	*v = NULL;
	*n = 0;
	if (!json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	*v = xcalloc(json_array_size(a) + 1, sizeof(**v));
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
	{
		const char *f = json_string_value(json_object_get(x, "field"));
		const char *val = json_string_value(json_object_get(x, "value"));
		(*v)[*n].field = xstrdup(f ? f : "");
		(*v)[*n].value = xstrdup(val ? val : "");
		(*n)++;
	}
	json_decref(a);
	return 0;
}

/* A value as Zendesk clients send it, as text: strings as they are,
 * numbers in decimal, booleans true/false, null "", arrays joined by
 * spaces, except ["channel:all", "text"] comment values (the text). */
static int action_value(json_t *v, struct buf *out)
{
	if (json_is_string(v))
		return buf_add(out, json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		return buf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_boolean(v))
		return buf_adds(out, json_is_true(v) ? "true" : "false");
	if (json_is_null(v))
		return 0;
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		const char *first = json_string_value(json_array_get(v, 0));
		if (first && !strncmp(first, "channel:", 8) && json_array_size(v) == 2 &&
		    json_is_string(json_array_get(v, 1)))
			return action_value(json_array_get(v, 1), out);
		json_array_foreach(v, i, x)
		{
			if (!json_is_string(x) && !json_is_integer(x))
				return -1;
			if (out->len)
				buf_addc(out, ' ');
			if (action_value(x, out))
				return -1;
		}
		return 0;
	}
	return -1;
}

/* Read "actions" into v/n and its normalized JSON text.  0, or -1 with
 * err. */
static int actions_from_json(json_t *a, struct macro_action **v, size_t *n, char **text,
			     char *err, size_t errlen)
{
	*v = NULL;
	*n = 0;
	if (!json_is_array(a)) {
		snprintf(err, errlen, "actions: expected an array of {field, value}");
		return -1;
	}
	if (json_array_size(a) > MACRO_MAX_ACTIONS) {
		snprintf(err, errlen, "actions: at most %d actions", MACRO_MAX_ACTIONS);
		return -1;
	}
	*v = xcalloc(json_array_size(a) + 1, sizeof(**v));
	json_t *norm = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
	{
		const char *f = json_string_value(json_object_get(x, "field"));
		struct buf val;
		buf_init(&val, MACRO_MAX_VALUE);
		if (!json_is_object(x) || !f || action_value(json_object_get(x, "value"), &val)) {
			buf_release(&val);
			json_decref(norm);
			snprintf(err, errlen, "actions: expected an array of {field, value}");
			return -1;
		}
		(*v)[*n].field = xstrdup(f);
		(*v)[*n].value = buf_detach(&val);
		json_array_append_new(norm, json_pack("{s:s,s:s}", "field", (*v)[*n].field,
						      "value", (*v)[*n].value));
		(*n)++;
	}
	if (macro_actions_check(*v, *n, err, errlen)) {
		json_decref(norm);
		return -1;
	}
	*text = json_dumps(norm, JSON_COMPACT);
	json_decref(norm);
	return 0;
}

static json_t *macro_json(struct server *s, const struct macro *m)
{
	char url[512];
	snprintf(url, sizeof(url), "%s/api/v2/macros/%" PRId64 ".json", s->cfg.base_url, m->id);
	json_error_t e;
	json_t *actions = json_loads(m->actions, 0, &e);
	if (!actions)
		actions = json_array();
	json_t *restriction = json_null();
	if (m->restriction_type[0]) {
		restriction = json_pack("{s:s,s:I}", "type", m->restriction_type, "id",
					(json_int_t)m->restriction_id);
		if (!strcmp(m->restriction_type, "Group"))
			json_object_set_new(restriction, "ids",
					    json_pack("[I]", (json_int_t)m->restriction_id));
	}
	return json_pack("{s:I,s:s,s:s,s:s,s:o,s:b,s:I,s:o,s:o,s:b,s:I,s:o,s:o}", "id",
			 (json_int_t)m->id, "url", url, "title", m->title, "raw_title", m->title,
			 "description", jstr(m->description), "active", m->active, "position",
			 (json_int_t)m->position, "actions", actions, "restriction", restriction,
			 "default", 0, "usage_7d", (json_int_t)0, "created_at", jtime(m->created_at),
			 "updated_at", jtime(m->updated_at));
}

/* ---- reading ------------------------------------------------------------- */

/* 0 = everyone (admins), else the agent whose view applies. */
static int64_t viewer(const struct req *r)
{
	return r->actor.role == ROLE_ADMIN ? 0 : r->actor.user_id;
}

static int macro_list_reply(struct req *r, int active)
{
	const char *a = req_arg(r, "active");
	if (active < 0 && a)
		active = !strcmp(a, "true") ? 1 : !strcmp(a, "false") ? 0 : -1;
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	struct macro_filter f = {.active = active, .visible_to = viewer(r)};
	page_window(&p, &f.win);
	struct macro *v;
	int n;
	int64_t count = -1;
	if (macro_store_list(req_db(r), &f, &v, &n) ||
	    (!p.cursor && macro_store_count(req_db(r), &f, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, macro_json(r->srv, &v[i]));
	json_t *out = json_pack("{s:o}", "macros", arr);
	page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, count);
	macro_list_free(v, n + more);
	return reply_json(r, 200, out);
}

static int macros_list(struct req *r) { return macro_list_reply(r, -1); }
static int macros_active(struct req *r) { return macro_list_reply(r, 1); }

/* Load macro id visible to the actor: 0, or -1 after replying 404/503. */
static int macro_or_reply(struct req *r, int64_t id, struct macro *m)
{
	int rc = macro_store_get(req_db(r), id, m);
	if (rc == 0 && viewer(r)) {
		int vis = macro_store_visible(req_db(r), m, r->actor.user_id);
		rc = vis < 0 ? vis : !vis;
		if (rc)
			macro_clear(m);
	}
	if (rc < 0)
		reply_db_down(r);
	else if (rc)
		reply_not_found(r);
	return rc ? -1 : 0;
}

static int macros_show(struct req *r)
{
	struct macro m = {0};
	if (macro_or_reply(r, r->id[0], &m))
		return 0;
	json_t *out = json_pack("{s:o}", "macro", macro_json(r->srv, &m));
	macro_clear(&m);
	return reply_json(r, 200, out);
}

/* ---- writing ------------------------------------------------------------- */

struct macro_op {
	struct actor who;
	int64_t id;	/* 0 = create */
	int del;	/* delete id */
	struct macro v;	/* values given */
	int set_title, set_description, set_active, set_position, set_restriction, set_actions;
	int64_t now;
	int status;	/* 0, 403, 404, 422 */
	char err[320];
	struct macro result;
};

#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		op->status = code;                                                                 \
		snprintf(op->err, sizeof(op->err), __VA_ARGS__);                                   \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)

static int macro_save_run(struct db *db, void *arg)
{
	struct macro_op *op = arg;
	struct macro m = {0};
	struct group g = {0};
	struct user u = {0};
	int rc = 0, creating = op->id == 0;
	op->status = 0;
	if (!creating) {
		rc = macro_store_get(db, op->id, &m);
		if (rc < 0)
			goto out;
		if (rc == 0 && op->who.role != ROLE_ADMIN) {
			int vis = macro_store_visible(db, &m, op->who.user_id);
			if (vis < 0) {
				rc = vis;
				goto out;
			}
			rc = !vis;
		}
		if (rc)
			FAIL(404, "macro not found");
		if (!restriction_may_manage(&op->who, m.restriction_type, m.restriction_id))
			FAIL(403, "only admins can change shared and group macros");
		if (op->del) {
			rc = macro_store_delete(db, m.id);
			if (rc == 1)
				FAIL(404, "macro not found");
			goto out;
		}
	} else {
		if (!op->set_title)
			FAIL(422, "title: is required");
		if (!op->set_actions)
			FAIL(422, "actions: is required");
		m.active = 1;
		m.created_at = op->now;
		m.actions = xstrdup("[]");
		if (!op->set_restriction && op->who.role != ROLE_ADMIN) {
			/* an agent's macro is its own */
			op->set_restriction = 1;
			snprintf(op->v.restriction_type, sizeof(op->v.restriction_type), "User");
			op->v.restriction_id = op->who.user_id;
		}
	}
	if (op->set_title) {
		free(m.title);
		m.title = xstrdup(op->v.title);
	}
	if (op->set_description) {
		free(m.description);
		m.description = op->v.description ? xstrdup(op->v.description) : NULL;
	}
	if (op->set_active)
		m.active = op->v.active;
	if (op->set_position)
		m.position = op->v.position;
	if (op->set_actions) {
		free(m.actions);
		m.actions = xstrdup(op->v.actions);
	}
	if (op->set_restriction) {
		memcpy(m.restriction_type, op->v.restriction_type, sizeof(m.restriction_type));
		m.restriction_id = op->v.restriction_id;
		if (!strcmp(m.restriction_type, "Group")) {
			rc = group_store_get(db, m.restriction_id, &g);
			if (rc < 0)
				goto out;
			if (rc || g.deleted)
				FAIL(422, "restriction: %" PRId64 " is not a valid group id",
				     m.restriction_id);
		} else if (!strcmp(m.restriction_type, "User")) {
			rc = user_store_get(db, m.restriction_id, &u);
			if (rc < 0)
				goto out;
			if (rc || !u.active || u.role == ROLE_END_USER)
				FAIL(422, "restriction: %" PRId64 " is not a valid agent id",
				     m.restriction_id);
		}
		rc = 0;
	}
	if (!restriction_may_manage(&op->who, m.restriction_type, m.restriction_id))
		FAIL(403, "only admins can create or change shared and group macros");
	m.updated_at = op->now;
	rc = creating ? macro_store_insert(db, &m) : macro_store_update(db, &m);
	if (rc == 1)
		FAIL(404, "macro not found");
	if (!rc) {
		rc = macro_store_get(db, m.id, &op->result);
		if (rc == 1)
			rc = DB_ERR;
	}
out:
	macro_clear(&m);
	group_clear(&g);
	user_clear(&u);
	return rc;
}

static int macro_op_reply(struct req *r, struct macro_op *op)
{
	int rc = store_write(r->srv->store, macro_save_run, op);
	macro_clear(&op->v);
	if (rc)
		return reply_write_refused(r, op->status, op->err, "macro");
	if (op->del)
		return reply_raw(r, 204, "application/json", "", 0);
	json_t *out = json_pack("{s:o}", "macro", macro_json(r->srv, &op->result));
	macro_clear(&op->result);
	return reply_json(r, op->id ? 200 : 201, out);
}

static int macro_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct macro_op op = {.who = r->actor, .id = id, .now = now_seconds()};
	char err[320] = "";
	json_t *o = json_object_get(body, "macro");
	int ok = json_is_object(o) &&
		 (op.set_title = jget_str(o, "title", &op.v.title, err, sizeof(err))) >= 0 &&
		 (op.set_description =
		      jget_str(o, "description", &op.v.description, err, sizeof(err))) >= 0 &&
		 (op.set_active = jget_bool(o, "active", &op.v.active, err, sizeof(err))) >= 0;
	if (ok && json_object_get(o, "position")) {
		json_t *pos = json_object_get(o, "position");
		if (!json_is_integer(pos)) {
			snprintf(err, sizeof(err), "position: expected an integer");
			ok = 0;
		} else {
			op.set_position = 1;
			op.v.position = json_integer_value(pos);
		}
	}
	if (ok && json_object_get(o, "restriction")) {
		op.set_restriction = 1;
		ok = restriction_parse(json_object_get(o, "restriction"), op.v.restriction_type,
				       &op.v.restriction_id, err, sizeof(err)) == 0;
	}
	if (ok && json_object_get(o, "actions")) {
		struct macro_action *v;
		size_t n;
		op.set_actions = 1;
		ok = actions_from_json(json_object_get(o, "actions"), &v, &n, &op.v.actions, err,
				       sizeof(err)) == 0;
		macro_actions_free(v, n);
	}
	json_decref(body);
	const char *bad = NULL;
	if (!ok)
		bad = *err ? err : o ? "macro: expected an object" : "macro: is required";
	else if (op.set_title && (!op.v.title || strspn(op.v.title, " \t") == strlen(op.v.title)))
		bad = "title: cannot be blank";
	else if (op.set_title && strlen(op.v.title) > MAX_TITLE)
		bad = "title: is too long (at most 255 bytes)";
	else if (op.set_actions && !strcmp(op.v.actions, "[]"))
		bad = "actions: at least one action is required";
	if (bad) {
		int rc = reply_invalid(r, bad);
		macro_clear(&op.v);
		return rc;
	}
	return macro_op_reply(r, &op);
}

static int macros_create(struct req *r) { return macro_write_reply(r, 0); }
static int macros_update(struct req *r) { return macro_write_reply(r, r->id[0]); }

static int macros_delete(struct req *r)
{
	struct macro_op op = {.who = r->actor, .id = r->id[0], .del = 1, .now = now_seconds()};
	return macro_op_reply(r, &op);
}

/* ---- apply --------------------------------------------------------------- */

/* The ticket object of a change without a ticket: only what it sets, in
 * the keys a ticket update takes. */
static json_t *change_json(const struct ticket_change *c)
{
	json_t *t = json_object();
	if (c->set & TF_STATUS)
		json_object_set_new(t, "status", jstr(c->v.status));
	if (c->set & TF_PRIORITY)
		json_object_set_new(t, "priority", jstr(c->v.priority));
	if (c->set & TF_TYPE)
		json_object_set_new(t, "type", jstr(c->v.type));
	if (c->set & TF_SUBJECT)
		json_object_set_new(t, "subject", jstr(c->v.subject));
	if (c->set & TF_ASSIGNEE)
		json_object_set_new(t, "assignee_id", jid(c->v.assignee_id));
	if (c->set & TF_GROUP)
		json_object_set_new(t, "group_id", jid(c->v.group_id));
	struct {
		const char *key;
		const struct strlist *l;
		int on;
	} lists[] = {{"tags", &c->v.tags, (c->set & TF_TAGS) != 0},
		     {"additional_tags", &c->add_tags, c->add_tags.n > 0},
		     {"remove_tags", &c->remove_tags, c->remove_tags.n > 0}};
	for (size_t k = 0; k < ARRAY_SIZE(lists); k++) {
		if (!lists[k].on)
			continue;
		json_t *a = json_array();
		for (size_t i = 0; i < lists[k].l->n; i++)
			json_array_append_new(a, json_string(lists[k].l->v[i]));
		json_object_set_new(t, lists[k].key, a);
	}
	if (c->set & TF_FIELDS) {
		json_t *a = json_array();
		for (size_t i = 0; i < c->v.nfields; i++) {
			json_error_t e;
			json_t *val = json_loads(c->v.fields[i].value_json, JSON_DECODE_ANY, &e);
			json_array_append_new(a, json_pack("{s:I,s:o}", "id",
							   (json_int_t)c->v.fields[i].id, "value",
							   val ? val : json_null()));
		}
		json_object_set_new(t, "custom_fields", a);
	}
	return t;
}

/* Render one comment template for ctx (NULL: no ticket, left as written). */
static char *render(const char *tmpl, const struct ph_context *ctx, enum ph_mode mode)
{
	if (!ctx)
		return xstrdup(tmpl);
	return ph_render_str(tmpl, ctx, mode, NULL);
}

static int apply_reply(struct req *r, int64_t ticket_id, int64_t macro_id)
{
	struct macro m = {0};
	if (macro_or_reply(r, macro_id, &m))
		return 0;
	struct macro_action *v;
	size_t n;
	int bad = actions_decode(m.actions, &v, &n);
	macro_clear(&m);
	if (bad) {
		macro_actions_free(v, n);
		return reply_error(r, 500, "InternalError", "the macro's actions are unreadable",
				   NULL);
	}
	struct ticket t = {0}, after = {0};
	struct ticket_change c = {0};
	struct ph_context ctx = PH_CONTEXT_INIT;
	struct field_events ev = {0};
	char err[320] = "";
	int rc = 0;
	if (ticket_id) {
		rc = ticket_store_get(req_db(r), ticket_id, &t);
		if (rc < 0) {
			reply_db_down(r);
			goto out;
		}
		if (rc || !ticket_can_view(&r->actor, &t)) {
			reply_not_found(r);
			goto out;
		}
	}
	if (macro_apply(v, n, ticket_id ? &t : NULL, r->actor.user_id, &c, err, sizeof(err))) {
		reply_invalid(r, err);
		goto out;
	}
	if (ticket_id && (c.comment_body || c.comment_html) &&
	    placeholder_store_fill(req_db(r), ticket_id, r->actor.user_id, r->srv->cfg.base_url,
				   &ctx)) {
		reply_db_down(r);
		goto out;
	}
	const struct ph_context *pc = ticket_id ? &ctx : NULL;
	char *body = c.comment_body ? render(c.comment_body, pc, PH_TEXT) : NULL;
	char *html = NULL;
	if (c.comment_html) {
		char *raw = render(c.comment_html, pc, PH_HTML);
		struct buf out, text;
		buf_init(&out, 4 << 20);
		buf_init(&text, 4 << 20);
		html_sanitize(raw, strlen(raw), &out, &text);
		free(raw);
		html = buf_detach(&out);
		if (!body)
			body = buf_detach(&text);
		buf_release(&text);
	}
	json_t *tj;
	if (ticket_id) {
		ticket_copy(&after, &t);
		free(c.comment_body);
		c.comment_body = NULL; /* the preview is of fields; the comment is shown apart */
		if (ticket_apply(&after, &c, &r->actor, now_seconds(), &ev, err, sizeof(err))) {
			free(body);
			free(html);
			reply_invalid(r, err);
			goto out;
		}
		tj = ticket_json(r->srv, &after);
	} else {
		tj = change_json(&c);
	}
	json_t *result = json_pack("{s:o}", "ticket", tj);
	if (body) {
		json_object_set_new(
		    result, "comment",
		    json_pack("{s:s,s:o,s:b,s:[[s,s]]}", "body", body, "html_body", jstr(html),
			      "public", c.comment_public, "scoped_body", "channel:all", body));
	}
	free(body);
	free(html);
	reply_json(r, 200, json_pack("{s:o}", "result", result));
out:
	macro_actions_free(v, n);
	ticket_clear(&t);
	ticket_clear(&after);
	ticket_change_clear(&c);
	field_events_clear(&ev);
	ph_context_clear(&ctx);
	return 0;
}

static int macros_apply(struct req *r) { return apply_reply(r, 0, r->id[0]); }
static int ticket_macro_apply(struct req *r) { return apply_reply(r, r->id[0], r->id[1]); }

const struct route macro_routes[] = {
    {M_GET, "/api/v2/macros.json", ROLE_AGENT, macros_list, 0},
    {M_POST, "/api/v2/macros.json", ROLE_AGENT, macros_create, 0},
    {M_GET, "/api/v2/macros/active.json", ROLE_AGENT, macros_active, 0},
    {M_GET, "/api/v2/macros/{id}.json", ROLE_AGENT, macros_show, 0},
    {M_PUT, "/api/v2/macros/{id}.json", ROLE_AGENT, macros_update, 0},
    {M_DELETE, "/api/v2/macros/{id}.json", ROLE_AGENT, macros_delete, 0},
    {M_GET, "/api/v2/macros/{id}/apply.json", ROLE_AGENT, macros_apply, 0},
    {M_GET, "/api/v2/tickets/{id}/macros/{id}/apply.json", ROLE_AGENT, ticket_macro_apply, 0},
    {0},
};
