/* rules.c - /api/v2/triggers and /api/v2/automations (Zendesk's Triggers
 * and Automations APIs) and the operations endpoint that runs the
 * automation pass now: POST /api/v2/sonnim/automations/run {"now": t}.
 *
 * Both resources share one table (store/rule_store.h) and one set of
 * handlers parametrised by struct kind (which word, which JSON keys).
 * Create/update: the body's conditions and actions are checked with
 * core's rule_parse() against the allow-list before anything is written
 * (422 RecordInvalid otherwise), then saved as JSON text in one
 * store_write.  Agents read, admins write.  Each rule shows its latest
 * firing (last_run_at, last_ticket_id, run_count) - a Sonnim extension.
 */
#include "api/api.h"
#include "base/util.h"
#include "core/rule.h"
#include "jobs/rules.h"
#include "store/rule_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct kind {
	const char *name;	/* "trigger" / "automation": the stored kind and the JSON key */
	const char *plural;	/* the list key and the path word */
	enum rule_kind rk;
};
static const struct kind TRIGGER = {"trigger", "triggers", RULE_TRIGGER};
static const struct kind AUTOMATION = {"automation", "automations", RULE_AUTOMATION};

static json_t *rule_json(const struct kind *k, const struct rule_row *r)
{
	json_t *conds = json_loads(r->conditions, 0, NULL), *acts = json_loads(r->actions, 0, NULL);
	if (!json_is_object(conds)) {
		json_decref(conds);
		conds = json_object();
	}
	if (!json_object_get(conds, "all"))
		json_object_set_new(conds, "all", json_array());
	if (!json_object_get(conds, "any"))
		json_object_set_new(conds, "any", json_array());
	char url[96];
	snprintf(url, sizeof(url), "/api/v2/%s/%" PRId64 ".json", k->plural, r->id);
	json_t *j = json_pack("{s:I,s:s,s:s,s:b,s:I,s:o,s:o,s:o,s:o,s:o,s:s,s:b}", "id",
			      (json_int_t)r->id, "url", url, "title", r->title, "active", r->active,
			      "position", (json_int_t)r->position, "conditions", conds, "actions",
			      acts ? acts : json_array(), "created_at", jtime(r->created_at),
			      "updated_at", jtime(r->updated_at), "description", jstr(r->description),
			      "raw_title", r->title, "default", 0);
	if (k->rk == RULE_TRIGGER)
		json_object_set_new(j, "category_id", jstr(r->category_id));
	json_object_set_new(j, "last_run_at", jtime(r->last_run_at));
	json_object_set_new(j, "last_ticket_id", jid(r->last_ticket_id));
	json_object_set_new(j, "run_count", json_integer(r->runs));
	return j;
}

static int list_reply(struct req *r, const struct kind *k, int active_only)
{
	struct rule_row *v;
	int n;
	if (rule_store_list(req_db(r), k->name, active_only, &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, rule_json(k, &v[i]));
	rule_rows_free(v, n);
	return reply_json(r, 200, json_pack("{s:o,s:n,s:n,s:i}", k->plural, arr, "next_page",
					    "previous_page", "count", n));
}

static int show_reply(struct req *r, const struct kind *k)
{
	struct rule_row row;
	int rc = rule_store_get(req_db(r), k->name, r->id[0], &row);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", k->name, rule_json(k, &row));
	rule_row_clear(&row);
	return reply_json(r, 200, out);
}

struct rule_op {
	const struct kind *k;
	int64_t id;		/* 0 = create */
	struct rule_row v;	/* values given (title etc.) */
	int set_title, set_desc, set_active, set_position, set_category, set_rule;
	int64_t now;
	int status;
	char err[256];
	struct rule_row result;
};

static void set_str(char **dst, char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

static int rule_save_run(struct db *db, void *arg)
{
	struct rule_op *op = arg;
	struct rule_row row = {0};
	int rc = 0;
	op->status = 0;
	if (op->id) {
		rc = rule_store_get(db, op->k->name, op->id, &row);
		if (rc < 0)
			goto out;
		if (rc) {
			op->status = 404;
			rc = DB_REFUSED;
			goto out;
		}
	} else {
		row.kind = xstrdup(op->k->name);
		row.active = 1;
		row.created_at = op->now;
	}
	if (op->set_title)
		set_str(&row.title, op->v.title);
	if (op->set_desc)
		set_str(&row.description, op->v.description);
	if (op->set_active)
		row.active = op->v.active;
	if (op->set_position)
		row.position = op->v.position;
	if (op->set_category)
		set_str(&row.category_id, op->v.category_id);
	if (op->set_rule) {
		set_str(&row.conditions, op->v.conditions);
		set_str(&row.actions, op->v.actions);
	}
	row.updated_at = op->now;
	rc = op->id ? rule_store_update(db, &row) : rule_store_insert(db, &row);
	if (rc == 1) {
		op->status = 404;
		rc = DB_REFUSED;
	}
	if (!rc)
		rc = rule_store_get(db, op->k->name, row.id, &op->result) ? DB_ERR : 0;
out:
	rule_row_clear(&row);
	return rc;
}

static int write_reply(struct req *r, const struct kind *k, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct rule_op op = {.k = k, .id = id, .now = now_seconds()};
	char err[256] = "";
	json_t *o = json_object_get(body, k->name);
	const char *bad = NULL;
	if (!json_is_object(o)) {
		json_decref(body);
		snprintf(err, sizeof(err), "%s: is required", k->name);
		return reply_invalid(r, err);
	}
	json_t *jpos = json_object_get(o, "position"), *jcat = json_object_get(o, "category_id");
	int ok = (op.set_title = jget_str(o, "title", &op.v.title, err, sizeof(err))) >= 0 &&
		 (op.set_desc = jget_str(o, "description", &op.v.description, err, sizeof(err))) >= 0 &&
		 (op.set_active = jget_bool(o, "active", &op.v.active, err, sizeof(err))) >= 0;
	if (ok && jpos) {
		if (!json_is_integer(jpos) || json_integer_value(jpos) < 0)
			bad = "position: expected a non-negative integer";
		op.set_position = 1;
		op.v.position = json_integer_value(jpos);
	}
	if (ok && jcat && k->rk == RULE_TRIGGER) {
		char b[32];
		op.set_category = 1;
		if (json_is_integer(jcat)) {
			snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT, json_integer_value(jcat));
			op.v.category_id = xstrdup(b);
		} else if (json_is_string(jcat)) {
			op.v.category_id = xstrdup(json_string_value(jcat));
		} else if (!json_is_null(jcat)) {
			bad = "category_id: expected a string or integer";
		}
	}
	json_t *conds = json_object_get(o, "conditions"), *acts = json_object_get(o, "actions");
	if (ok && !bad && (conds || acts || !id)) {
		/* an update may leave either out: check the pair as it will be */
		struct rule_row old = {0};
		json_t *c2 = conds ? json_incref(conds) : NULL, *a2 = acts ? json_incref(acts) : NULL;
		if (id && (!conds || !acts)) {
			int rc = rule_store_get(req_db(r), k->name, id, &old);
			if (rc < 0) {
				json_decref(body);
				rule_row_clear(&op.v);
				return reply_db_down(r);
			}
			if (!rc && !c2)
				c2 = json_loads(old.conditions, 0, NULL);
			if (!rc && !a2)
				a2 = json_loads(old.actions, 0, NULL);
			rule_row_clear(&old);
		}
		struct rule parsed;
		if (rule_parse(c2, a2, k->rk, &parsed, err, sizeof(err)))
			bad = err;
		rule_clear(&parsed);
		if (!bad) {
			op.set_rule = 1;
			json_t *cc = c2 ? json_incref(c2) : json_pack("{s:[],s:[]}", "all", "any");
			op.v.conditions = json_dumps(cc, JSON_COMPACT);
			op.v.actions = json_dumps(a2, JSON_COMPACT);
			json_decref(cc);
		}
		json_decref(c2);
		json_decref(a2);
	}
	json_decref(body);
	if (ok && !bad && !id && (!op.v.title || !*op.v.title))
		bad = "title: cannot be blank";
	else if (ok && !bad && op.set_title && (!op.v.title || !*op.v.title))
		bad = "title: cannot be blank";
	else if (ok && !bad && op.v.title && strlen(op.v.title) > 255)
		bad = "title: is too long (at most 255 bytes)";
	if (!ok || bad) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s", !ok ? err : bad);
		rule_row_clear(&op.v);
		return reply_invalid(r, msg);
	}
	int rc = store_write(r->srv->store, rule_save_run, &op);
	rule_row_clear(&op.v);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		return reply_error(r, 500, "InternalError", "the rule could not be saved", NULL);
	}
	json_t *out = json_pack("{s:o}", k->name, rule_json(k, &op.result));
	rule_row_clear(&op.result);
	return reply_json(r, id ? 200 : 201, out);
}

struct rule_del {
	const struct kind *k;
	int64_t id;
};

static int rule_delete_run(struct db *db, void *arg)
{
	struct rule_del *d = arg;
	return rule_store_delete(db, d->k->name, d->id);
}

static int delete_reply(struct req *r, const struct kind *k)
{
	struct rule_del d = {k, r->id[0]};
	int rc = store_write(r->srv->store, rule_delete_run, &d);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the rule could not be deleted", NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

struct rule_reorder {
	const struct kind *k;
	struct idlist ids;
};

static int rule_reorder_run(struct db *db, void *arg)
{
	struct rule_reorder *o = arg;
	int rc = rule_store_reorder(db, o->k->name, o->ids.v, (int)o->ids.n);
	return rc == 1 ? DB_REFUSED : rc;
}

/* PUT /triggers/reorder {"trigger_ids": [...]} */
static int reorder_reply(struct req *r, const struct kind *k)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	char key[32], err[256] = "";
	snprintf(key, sizeof(key), "%s_ids", k->name);
	struct rule_reorder o = {.k = k};
	int got = jget_ids(body, key, &o.ids, err, sizeof(err));
	json_decref(body);
	if (got <= 0 || !o.ids.n) {
		idlist_clear(&o.ids);
		if (!*err)
			snprintf(err, sizeof(err), "%s: is required", key);
		return reply_invalid(r, err);
	}
	int rc = store_write(r->srv->store, rule_reorder_run, &o);
	idlist_clear(&o.ids);
	if (rc == DB_REFUSED) {
		snprintf(err, sizeof(err), "%s: an id is not a %s", key, k->name);
		return reply_invalid(r, err);
	}
	if (rc)
		return reply_error(r, 500, "InternalError", "the order could not be saved", NULL);
	return list_reply(r, k, 0);
}

static int triggers_list(struct req *r) { return list_reply(r, &TRIGGER, 0); }
static int triggers_active(struct req *r) { return list_reply(r, &TRIGGER, 1); }
static int triggers_show(struct req *r) { return show_reply(r, &TRIGGER); }
static int triggers_create(struct req *r) { return write_reply(r, &TRIGGER, 0); }
static int triggers_update(struct req *r) { return write_reply(r, &TRIGGER, r->id[0]); }
static int triggers_delete(struct req *r) { return delete_reply(r, &TRIGGER); }
static int triggers_reorder(struct req *r) { return reorder_reply(r, &TRIGGER); }
static int automations_list(struct req *r) { return list_reply(r, &AUTOMATION, 0); }
static int automations_active(struct req *r) { return list_reply(r, &AUTOMATION, 1); }
static int automations_show(struct req *r) { return show_reply(r, &AUTOMATION); }
static int automations_create(struct req *r) { return write_reply(r, &AUTOMATION, 0); }
static int automations_update(struct req *r) { return write_reply(r, &AUTOMATION, r->id[0]); }
static int automations_delete(struct req *r) { return delete_reply(r, &AUTOMATION); }

/* POST /api/v2/sonnim/automations/run {"now": unix time or ISO 8601}: the
 * hourly pass, now, at the given clock (operations and tests). */
static int automations_run_now(struct req *r)
{
	int64_t now = now_seconds();
	if (r->body.len) {
		json_t *body = req_json_or_reply(r);
		if (!body)
			return 0;
		json_t *j = json_object_get(body, "now");
		int bad = 0;
		if (json_is_integer(j))
			now = json_integer_value(j);
		else if (json_is_string(j))
			bad = parse_iso8601(json_string_value(j), &now) != 0;
		else if (j && !json_is_null(j))
			bad = 1;
		json_decref(body);
		if (bad)
			return reply_invalid(r, "now: expected a unix time or an ISO 8601 time");
	}
	struct automation_stats st;
	if (automations_run(r->srv->store, now, &st))
		return reply_db_down(r);
	return reply_json(r, 200, json_pack("{s:{s:o,s:I,s:I,s:I}}", "automation_run", "now",
					    jtime(now), "tickets", (json_int_t)st.tickets,
					    "updated", (json_int_t)st.updated, "fired",
					    (json_int_t)st.fired));
}

const struct route rule_routes[] = {
    {M_GET, "/api/v2/triggers.json", ROLE_AGENT, triggers_list, 0},
    {M_POST, "/api/v2/triggers.json", ROLE_ADMIN, triggers_create, 0},
    {M_GET, "/api/v2/triggers/active.json", ROLE_AGENT, triggers_active, 0},
    {M_PUT, "/api/v2/triggers/reorder.json", ROLE_ADMIN, triggers_reorder, 0},
    {M_GET, "/api/v2/triggers/{id}.json", ROLE_AGENT, triggers_show, 0},
    {M_PUT, "/api/v2/triggers/{id}.json", ROLE_ADMIN, triggers_update, 0},
    {M_DELETE, "/api/v2/triggers/{id}.json", ROLE_ADMIN, triggers_delete, 0},
    {M_GET, "/api/v2/automations.json", ROLE_AGENT, automations_list, 0},
    {M_POST, "/api/v2/automations.json", ROLE_ADMIN, automations_create, 0},
    {M_GET, "/api/v2/automations/active.json", ROLE_AGENT, automations_active, 0},
    {M_GET, "/api/v2/automations/{id}.json", ROLE_AGENT, automations_show, 0},
    {M_PUT, "/api/v2/automations/{id}.json", ROLE_ADMIN, automations_update, 0},
    {M_DELETE, "/api/v2/automations/{id}.json", ROLE_ADMIN, automations_delete, 0},
    {M_POST, "/api/v2/sonnim/automations/run.json", ROLE_ADMIN, automations_run_now, 0},
    {0},
};
