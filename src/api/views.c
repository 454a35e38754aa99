/* views.c - /api/v2/views: Zendesk's custom views (list, active, show,
 * create, update, delete), their tickets (plain, or as execute's rows and
 * columns) and counts (one, or many at once),
 * and /api/v2/sonnim/agents: agents' availability (online / away /
 * offline: GET statuses.json for the team, PUT me/status.json for one's
 * own, which every open stream hears as an "agent.status" event; the SSE
 * hub sets an agent offline when its last stream has been closed for
 * cfg.agent_offline_after seconds).
 *
 * A view is conditions ({"all": [...], "any": [...]} with the fields and
 * operators automations take: core/rule.c, kind RULE_VIEW) plus an
 * execution: columns to show, sort_by/sort_order and group_by/group_order.
 * Clients send it as "output" (Zendesk's create shape) or "execution" (what
 * show returns); both are normalised to one stored JSON text.
 *
 * Who sees what and who changes what are the macros' rules (api/macros.c):
 * admins every view; agents the shared ones, their groups' and their own
 * personal ones (others are 404); agents create and change only personal
 * views (a new agent view is personal unless it says otherwise: 403).
 *
 * Running a view: parse its conditions once, then read the tickets the
 * agent may see in id order, 500 at a time, keep those rule_matches()
 * accepts (current_user is the agent asking; hours_since_* read the clock),
 * sort the matches by group, then sort key, then id, and cut the page.
 * Cost: one pass over the visible tickets per run or count - fine for a
 * desk's tens of thousands of tickets, and what keeps views and triggers
 * agreeing on what a condition means.  Counts are asked for far more often
 * than tickets (every open workspace refetches them after every ticket
 * event), so a count is remembered per (view, agent) together with the
 * newest outbox event id and the view's updated_at: while neither moved,
 * no ticket changed and the count stands.  A remembered count also expires
 * after COUNT_TTL seconds, for what the event id does not see (the clock in
 * hours_since_* conditions, an agent's new group).
 */
#include "api/api.h"
#include "base/util.h"
#include "core/rule.h"
#include "core/view.h"
#include "http/sse.h"
#include "store/group_store.h"
#include "store/job_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "store/view_store.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 255
#define MAX_MATCHES 100000
#define COUNT_TTL 60
#define COUNTS 256
#define BAD_CONDITIONS 2 /* view_run: a stored view's conditions no longer parse */

static json_t *view_json(struct server *s, const struct view *v)
{
	(void)s;
	struct view_exec e;
	view_exec_load(v->execution, &e);
	json_t *cond = json_loads(v->conditions, 0, NULL);
	json_t *o = json_pack("{s:I,s:s,s:o,s:b,s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)v->id,
			      "title", v->title, "description", jstr(v->description), "active",
			      v->active, "position", (json_int_t)v->position, "conditions",
			      cond ? cond : json_pack("{s:[],s:[]}", "all", "any"), "execution",
			      view_exec_json(&e), "created_at", jtime(v->created_at), "updated_at",
			      jtime(v->updated_at));
	char url[96];
	snprintf(url, sizeof(url), "/api/v2/views/%" PRId64 ".json", v->id);
	json_object_set_new(o, "url", json_string(url));
	json_object_set_new(o, "restriction",
			    v->restriction_type[0]
				? json_pack("{s:s,s:I}", "type", v->restriction_type, "id",
					    (json_int_t)v->restriction_id)
				: json_null());
	return o;
}

/* ---- running ------------------------------------------------------------- */

/* The tickets of view v the actor may see, sorted (when out is not NULL;
 * else only counted).  0, BAD_CONDITIONS (the stored conditions no longer
 * parse), or
 * DB_*. */
static int view_run(struct req *r, const struct view *v, const struct view_exec *e,
		    struct ticket **out, int *n)
{
	json_t *cond = json_loads(v->conditions, 0, NULL);
	struct rule rule;
	char err[256];
	int bad = rule_parse(cond, NULL, RULE_VIEW, &rule, err, sizeof(err));
	json_decref(cond);
	if (bad)
		return BAD_CONDITIONS;
	struct rule_ctx ctx = {
	    .actor_id = r->actor.user_id, .actor_role = r->actor.role, .now = now_seconds()};
	struct ticket *keep = NULL;
	int nkeep = 0, cap = 0, rc = 0;
	struct ticket_filter f = {.visible_to = &r->actor, .win = {.limit = 500}};
	for (;;) {
		struct ticket *batch;
		int nb;
		if ((rc = ticket_store_list(req_db(r), &f, &batch, &nb)))
			break;
		for (int i = 0; i < nb; i++) {
			if (rule_matches(&rule, &batch[i], &ctx) && nkeep < MAX_MATCHES) {
				if (out) {
					if (nkeep == cap)
						keep = xrealloc(keep,
								(size_t)(cap = cap ? cap * 2 : 64) *
								    sizeof(*keep));
					keep[nkeep] = batch[i];
					memset(&batch[i], 0, sizeof(batch[i]));
				}
				nkeep++;
			}
		}
		int64_t last = nb ? batch[nb - 1].id : 0;
		ticket_list_free(batch, nb);
		if (nb < f.win.limit)
			break;
		f.win.after_id = last;
	}
	rule_clear(&rule);
	if (rc) {
		ticket_list_free(keep, out ? nkeep : 0);
		return rc;
	}
	if (out) {
		view_sort(keep, (size_t)nkeep, e);
		*out = keep;
	}
	*n = nkeep;
	return 0;
}

/* ---- remembered counts -------------------------------------------------- */

static struct {
	int64_t view_id, user_id, updated_at, event_id, at;
	int n;
} counts[COUNTS];
static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t count_slot(int64_t view_id, int64_t user_id)
{
	return (size_t)((uint64_t)view_id * 31u + (uint64_t)user_id) % COUNTS;
}

/* The count of v for r's agent: remembered, or run and remembered.  0,
 * BAD_CONDITIONS or DB_*. */
static int view_count(struct req *r, const struct view *v, int *n)
{
	int64_t ev = 0, now = now_seconds();
	int rc = event_store_last_id(req_db(r), &ev);
	if (rc)
		return rc;
	size_t i = count_slot(v->id, r->actor.user_id);
	pthread_mutex_lock(&counts_lock);
	int hit = counts[i].view_id == v->id && counts[i].user_id == r->actor.user_id &&
		  counts[i].updated_at == v->updated_at && counts[i].event_id == ev &&
		  counts[i].at + COUNT_TTL > now;
	if (hit)
		*n = counts[i].n;
	pthread_mutex_unlock(&counts_lock);
	if (hit)
		return 0;
	if ((rc = view_run(r, v, NULL, NULL, n)))
		return rc;
	pthread_mutex_lock(&counts_lock);
	counts[i].view_id = v->id;
	counts[i].user_id = r->actor.user_id;
	counts[i].updated_at = v->updated_at;
	counts[i].event_id = ev;
	counts[i].at = now;
	counts[i].n = *n;
	pthread_mutex_unlock(&counts_lock);
	return 0;
}

static int64_t viewer(const struct req *r)
{
	return r->actor.role == ROLE_ADMIN ? 0 : r->actor.user_id;
}

/* Load view id visible to the actor: 0, or -1 after replying 404/503. */
static int view_or_reply(struct req *r, int64_t id, struct view *v)
{
	int rc = view_store_get(req_db(r), id, v);
	if (rc == 0 && viewer(r)) {
		int vis = view_store_visible(req_db(r), v, r->actor.user_id);
		rc = vis < 0 ? vis : !vis;
		if (rc)
			view_clear(v);
	}
	if (rc < 0)
		reply_db_down(r);
	else if (rc)
		reply_not_found(r);
	return rc ? -1 : 0;
}

static int views_list_reply(struct req *r, int active)
{
	const char *a = req_arg(r, "active");
	if (active < 0 && a)
		active = !strcmp(a, "true") ? 1 : !strcmp(a, "false") ? 0 : -1;
	struct view *v;
	int n;
	if (view_store_list(req_db(r), active, viewer(r), &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, view_json(r->srv, &v[i]));
	view_list_free(v, n);
	return reply_json(r, 200,
			  json_pack("{s:o,s:I,s:n,s:n}", "views", arr, "count", (json_int_t)n,
				    "next_page", "previous_page"));
}

static int views_list(struct req *r) { return views_list_reply(r, -1); }
static int views_active(struct req *r) { return views_list_reply(r, 1); }

static int views_show(struct req *r)
{
	struct view v = {0};
	if (view_or_reply(r, r->id[0], &v))
		return 0;
	json_t *out = json_pack("{s:o}", "view", view_json(r->srv, &v));
	view_clear(&v);
	return reply_json(r, 200, out);
}

static json_t *count_obj(int64_t id, int n)
{
	char url[96], pretty[32];
	snprintf(url, sizeof(url), "/api/v2/views/%" PRId64 "/count.json", id);
	snprintf(pretty, sizeof(pretty), n >= MAX_MATCHES ? "~%d" : "%d", n);
	return json_pack("{s:I,s:s,s:i,s:s,s:b}", "view_id", (json_int_t)id, "url", url, "value", n,
			 "pretty", pretty, "fresh", 1);
}

static int run_or_reply(struct req *r, const struct view *v, const struct view_exec *e,
			struct ticket **out, int *n)
{
	int rc = view_run(r, v, e, out, n);
	if (rc == BAD_CONDITIONS)
		reply_invalid(r, "conditions: the view's stored conditions no longer parse");
	else if (rc)
		reply_db_down(r);
	return rc;
}

static int views_count(struct req *r)
{
	struct view v = {0};
	if (view_or_reply(r, r->id[0], &v))
		return 0;
	int n, rc = view_count(r, &v, &n);
	if (rc == BAD_CONDITIONS)
		reply_invalid(r, "conditions: the view's stored conditions no longer parse");
	else if (rc)
		reply_db_down(r);
	else
		reply_json(r, 200, json_pack("{s:o}", "view_count", count_obj(v.id, n)));
	view_clear(&v);
	return 0;
}

/* GET /views/count_many.json?ids=1,2: views the actor cannot see (or that
 * do not exist) are left out, as Zendesk does. */
static int views_count_many(struct req *r)
{
	int64_t ids[100];
	int nids;
	if (ids_param_or_reply(r, "ids", ids, &nids))
		return 0;
	json_t *arr = json_array();
	for (int i = 0; i < nids; i++) {
		struct view v = {0};
		int rc = view_store_get(req_db(r), ids[i], &v);
		if (rc == 0 && viewer(r)) {
			int vis = view_store_visible(req_db(r), &v, r->actor.user_id);
			rc = vis < 0 ? vis : !vis;
		}
		int n = 0;
		if (rc == 0)
			rc = view_count(r, &v, &n);
		view_clear(&v);
		if (rc < 0) {
			json_decref(arr);
			return reply_db_down(r);
		}
		if (rc == 0)
			json_array_append_new(arr, count_obj(ids[i], n));
	}
	return reply_json(r, 200, json_pack("{s:o}", "view_counts", arr));
}

/* One row of GET /views/{id}/execute.json: the ticket, and each column's
 * value under Zendesk's row keys (people, groups, organizations as ids). */
static json_t *row_json(struct server *s, const struct ticket *t, const struct view_exec *e)
{
	json_t *row = json_pack("{s:o}", "ticket", ticket_json(s, t));
	for (int i = 0; i < e->ncols; i++) {
		const char *c = view_column_id(e->cols[i]);
		json_t *v;
		char key[24];
		snprintf(key, sizeof(key), "%s", c);
		if (!strcmp(c, "id"))
			v = json_integer(t->id);
		else if (!strcmp(c, "status"))
			v = jstr(t->status);
		else if (!strcmp(c, "subject"))
			v = jstr(t->subject);
		else if (!strcmp(c, "priority"))
			v = jstr(t->priority);
		else if (!strcmp(c, "type"))
			v = jstr(t->type);
		else if (!strcmp(c, "created"))
			v = jtime(t->created_at);
		else if (!strcmp(c, "updated"))
			v = jtime(t->updated_at);
		else {
			snprintf(key, sizeof(key), "%s_id", c);
			v = jid(!strcmp(c, "requester")	 ? t->requester_id
				: !strcmp(c, "assignee") ? t->assignee_id
				: !strcmp(c, "group")	 ? t->group_id
							 : t->organization_id);
		}
		json_object_set_new(row, key, v);
	}
	return row;
}

/* GET /views/{id}/tickets.json (execute 0) and /views/{id}/execute.json
 * (execute 1: "rows" and "columns" as Zendesk's execute returns them): the
 * view's tickets sorted by its execution (or ?sort_by=&sort_order=),
 * page/per_page. */
static int view_tickets_reply(struct req *r, int execute)
{
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	struct view v = {0};
	if (view_or_reply(r, r->id[0], &v))
		return 0;
	struct view_exec e;
	view_exec_load(v.execution, &e);
	const char *sb = req_arg(r, "sort_by"), *so = req_arg(r, "sort_order");
	if (sb && view_column(sb) < 0) {
		view_clear(&v);
		return reply_error(r, 400, "InvalidParameter", "sort_by: not a column", NULL);
	}
	if (sb)
		e.sort = view_column(sb);
	if (so)
		e.sort_desc = !strcmp(so, "desc");
	struct ticket *t = NULL;
	int n = 0;
	if (run_or_reply(r, &v, &e, &t, &n)) {
		view_clear(&v);
		return 0;
	}
	int64_t from = p.cursor ? 0 : (p.page - 1) * p.per_page;
	json_t *arr = json_array();
	for (int64_t i = from; i < n && i < from + p.per_page; i++)
		json_array_append_new(arr, execute ? row_json(r->srv, &t[i], &e)
						   : ticket_json(r->srv, &t[i]));
	int more = from + p.per_page < n;
	json_t *out = json_pack("{s:o,s:o}", execute ? "rows" : "tickets", arr, "view",
				view_json(r->srv, &v));
	if (execute) {
		json_t *ex = view_exec_json(&e);
		json_object_set(out, "columns", json_object_get(ex, "columns"));
		json_object_set(out, "group_by", json_object_get(ex, "group_by"));
		json_decref(ex);
	}
	p.cursor = 0;
	page_finish(r, &p, out, 0, more, n);
	ticket_list_free(t, n);
	view_clear(&v);
	return reply_json(r, 200, out);
}

static int views_tickets(struct req *r) { return view_tickets_reply(r, 0); }
static int views_execute(struct req *r) { return view_tickets_reply(r, 1); }

/* ---- writing ------------------------------------------------------------- */

struct view_op {
	struct actor who;
	int64_t id; /* 0 = create */
	int del;
	struct view v; /* values given */
	int set_title, set_description, set_active, set_position, set_restriction, set_conditions,
	    set_execution;
	int64_t now;
	int status; /* 0, 403, 404, 422 */
	char err[320];
	struct view result;
};

#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		op->status = code;                                                                 \
		snprintf(op->err, sizeof(op->err), __VA_ARGS__);                                   \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)

static void take(char **dst, char **src)
{
	free(*dst);
	*dst = *src;
	*src = NULL;
}

static int view_save_run(struct db *db, void *arg)
{
	struct view_op *op = arg;
	struct view cur = {0};
	int rc = 0;
	if (op->id) {
		rc = view_store_get(db, op->id, &cur);
		if (rc == 1)
			FAIL(404, "not found");
		if (rc)
			goto out;
		int vis =
		    op->who.role == ROLE_ADMIN ? 1 : view_store_visible(db, &cur, op->who.user_id);
		if (vis < 0) {
			rc = vis;
			goto out;
		}
		if (!vis)
			FAIL(404, "not found");
		if (!restriction_may_manage(&op->who, cur.restriction_type, cur.restriction_id))
			FAIL(403, "only admins can change shared and group views");
		if (op->del) {
			rc = view_store_delete(db, op->id);
			goto out;
		}
	} else {
		cur.active = 1;
		cur.created_at = op->now;
		cur.conditions = xstrdup("{}");
		cur.execution = NULL;
		if (op->who.role != ROLE_ADMIN && !op->set_restriction) {
			op->set_restriction = 1;
			snprintf(op->v.restriction_type, sizeof(op->v.restriction_type), "User");
			op->v.restriction_id = op->who.user_id;
		}
		if (!op->set_title)
			FAIL(422, "title: is required");
		if (!op->set_conditions)
			FAIL(422, "conditions: a view needs at least one condition");
	}
	if (op->set_title)
		take(&cur.title, &op->v.title);
	if (op->set_description)
		take(&cur.description, &op->v.description);
	if (op->set_active)
		cur.active = op->v.active;
	if (op->set_position)
		cur.position = op->v.position;
	if (op->set_conditions)
		take(&cur.conditions, &op->v.conditions);
	if (op->set_execution) {
		/* the members given replace the stored ones; the rest stay (an
		 * update that only regroups keeps the columns) */
		json_t *merged = json_loads(cur.execution ? cur.execution : "{}", 0, NULL);
		json_t *given = json_loads(op->v.execution, 0, NULL);
		if (!json_is_object(merged)) {
			json_decref(merged);
			merged = json_object();
		}
		json_object_update(merged, given);
		struct view_exec e;
		char err[160];
		int bad = view_exec_parse(merged, &e, err, sizeof(err));
		json_decref(merged);
		json_decref(given);
		if (bad)
			FAIL(422, "%s", err);
		json_t *j = view_exec_json(&e);
		free(cur.execution);
		cur.execution = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	if (!cur.execution) {
		struct view_exec e;
		char err[64];
		view_exec_parse(NULL, &e, err, sizeof(err));
		json_t *j = view_exec_json(&e);
		cur.execution = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	if (op->set_restriction) {
		memcpy(cur.restriction_type, op->v.restriction_type, sizeof(cur.restriction_type));
		cur.restriction_id = op->v.restriction_id;
		if (!restriction_may_manage(&op->who, cur.restriction_type, cur.restriction_id))
			FAIL(403, "agents can only make personal views");
		if (!strcmp(cur.restriction_type, "Group")) {
			struct group g = {0};
			rc = group_store_get(db, cur.restriction_id, &g);
			int deleted = g.deleted;
			group_clear(&g);
			if (rc < 0)
				goto out;
			if (rc || deleted)
				FAIL(422, "restriction: %" PRId64 " is not a valid group id",
				     cur.restriction_id);
		}
	}
	cur.updated_at = op->now;
	cur.id = op->id;
	rc = op->id ? view_store_update(db, &cur) : view_store_insert(db, &cur);
	if (!rc) {
		op->result = cur;
		memset(&cur, 0, sizeof(cur));
	}
out:
	view_clear(&cur);
	return rc;
}

static int view_op_reply(struct req *r, struct view_op *op)
{
	int rc = store_write(r->srv->store, view_save_run, op);
	view_clear(&op->v);
	if (rc)
		return reply_write_refused(r, op->status, op->err, "view");
	if (op->del)
		return reply_raw(r, 204, "application/json", "", 0);
	json_t *out = json_pack("{s:o}", "view", view_json(r->srv, &op->result));
	view_clear(&op->result);
	return reply_json(r, op->id ? 200 : 201, out);
}

/* Zendesk's create also takes "all"/"any" at the top of the view. */
static json_t *conditions_of(json_t *o)
{
	json_t *c = json_object_get(o, "conditions");
	if (c)
		return json_incref(c);
	if (!json_object_get(o, "all") && !json_object_get(o, "any"))
		return NULL;
	c = json_object();
	if (json_object_get(o, "all"))
		json_object_set(c, "all", json_object_get(o, "all"));
	if (json_object_get(o, "any"))
		json_object_set(c, "any", json_object_get(o, "any"));
	return c;
}

static int view_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct view_op op = {.who = r->actor, .id = id, .now = now_seconds()};
	char err[320] = "";
	json_t *o = json_object_get(body, "view");
	int ok = json_is_object(o) &&
		 (op.set_title = jget_str(o, "title", &op.v.title, err, sizeof(err))) >= 0 &&
		 (op.set_description =
		      jget_str(o, "description", &op.v.description, err, sizeof(err))) >= 0 &&
		 (op.set_active = jget_bool(o, "active", &op.v.active, err, sizeof(err))) >= 0;
	json_t *pos = ok ? json_object_get(o, "position") : NULL;
	if (pos) {
		ok = json_is_integer(pos);
		if (!ok)
			snprintf(err, sizeof(err), "position: expected an integer");
		op.set_position = 1;
		op.v.position = json_integer_value(pos);
	}
	if (ok && json_object_get(o, "restriction")) {
		op.set_restriction = 1;
		ok = restriction_parse(json_object_get(o, "restriction"), op.v.restriction_type,
				       &op.v.restriction_id, err, sizeof(err)) == 0;
	}
	json_t *cond = ok ? conditions_of(o) : NULL;
	if (cond) {
		struct rule rule;
		op.set_conditions = 1;
		ok = rule_parse(cond, NULL, RULE_VIEW, &rule, err, sizeof(err)) == 0;
		if (ok) {
			rule_clear(&rule);
			json_t *norm =
			    json_pack("{s:O,s:O}", "all",
				      json_object_get(cond, "all") ? json_object_get(cond, "all")
								   : json_array(),
				      "any",
				      json_object_get(cond, "any") ? json_object_get(cond, "any")
								   : json_array());
			op.v.conditions = json_dumps(norm, JSON_COMPACT);
			json_decref(norm);
		}
		json_decref(cond);
	}
	json_t *ex = json_object_get(o, "output");
	if (!ex)
		ex = json_object_get(o, "execution");
	if (ok && ex) {
		struct view_exec e;
		op.set_execution = 1;
		ok = view_exec_parse(ex, &e, err, sizeof(err)) == 0;
		if (ok) /* checked alone; merged with the stored one on update */
			op.v.execution = json_dumps(ex, JSON_COMPACT);
	}
	json_decref(body);
	const char *bad = NULL;
	if (!ok)
		bad = *err ? err : o ? "view: expected an object" : "view: is required";
	else if (op.set_title && (!op.v.title || strspn(op.v.title, " \t") == strlen(op.v.title)))
		bad = "title: cannot be blank";
	else if (op.set_title && strlen(op.v.title) > MAX_TITLE)
		bad = "title: is too long (at most 255 bytes)";
	if (bad) {
		int rc = reply_invalid(r, bad);
		view_clear(&op.v);
		return rc;
	}
	return view_op_reply(r, &op);
}

static int views_create(struct req *r) { return view_write_reply(r, 0); }
static int views_update(struct req *r) { return view_write_reply(r, r->id[0]); }

static int views_delete(struct req *r)
{
	struct view_op op = {.who = r->actor, .id = r->id[0], .del = 1, .now = now_seconds()};
	return view_op_reply(r, &op);
}

/* ---- agents' availability ------------------------------------------------- */

static const char *const statuses[] = {"online", "away", "offline"};

static json_t *status_json(const struct agent_status *s)
{
	return json_pack("{s:I,s:s,s:b,s:o}", "user_id", (json_int_t)s->user_id, "status",
			 s->status, "automatic", s->auto_set, "updated_at", jtime(s->updated_at));
}

/* GET /api/v2/sonnim/agents/statuses.json: every agent's, for the team. */
static int statuses_list(struct req *r)
{
	struct agent_status *v;
	int n;
	if (agent_status_store_list(req_db(r), &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, status_json(&v[i]));
	free(v);
	return reply_json(r, 200, json_pack("{s:o,s:i}", "agent_statuses", arr, "count", n));
}

struct status_op {
	int64_t user_id, now;
	const char *status;
};

static int status_set_run(struct db *db, void *arg)
{
	struct status_op *op = arg;
	return agent_status_store_set(db, op->user_id, op->status, 0, op->now);
}

/* PUT /api/v2/sonnim/agents/me/status.json {"status": "away"} */
static int status_set(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	const char *s = json_string_value(json_object_get(body, "status"));
	struct status_op op = {.user_id = r->actor.user_id, .now = now_seconds()};
	for (size_t i = 0; s && i < ARRAY_SIZE(statuses); i++)
		if (!strcmp(s, statuses[i]))
			op.status = statuses[i];
	json_decref(body);
	if (!op.status)
		return reply_invalid(r, "status: must be online, away or offline");
	if (store_write(r->srv->store, status_set_run, &op))
		return reply_db_down(r);
	struct agent_status out = {.user_id = op.user_id, .updated_at = op.now};
	snprintf(out.status, sizeof(out.status), "%s", op.status);
	json_t *j = status_json(&out);
	char *text = json_dumps(j, JSON_COMPACT);
	if (text)
		sse_broadcast("agent.status", text);
	free(text);
	return reply_json(r, 200, json_pack("{s:o}", "agent_status", j));
}

const struct route view_routes[] = {
    {M_GET, "/api/v2/views.json", ROLE_AGENT, views_list, 0},
    {M_POST, "/api/v2/views.json", ROLE_AGENT, views_create, 0},
    {M_GET, "/api/v2/views/active.json", ROLE_AGENT, views_active, 0},
    {M_GET, "/api/v2/views/count_many.json", ROLE_AGENT, views_count_many, 0},
    {M_GET, "/api/v2/views/{id}.json", ROLE_AGENT, views_show, 0},
    {M_PUT, "/api/v2/views/{id}.json", ROLE_AGENT, views_update, 0},
    {M_DELETE, "/api/v2/views/{id}.json", ROLE_AGENT, views_delete, 0},
    {M_GET, "/api/v2/views/{id}/tickets.json", ROLE_AGENT, views_tickets, 0},
    {M_GET, "/api/v2/views/{id}/execute.json", ROLE_AGENT, views_execute, 0},
    {M_GET, "/api/v2/views/{id}/count.json", ROLE_AGENT, views_count, 0},
    {M_GET, "/api/v2/sonnim/agents/statuses.json", ROLE_AGENT, statuses_list, 0},
    {M_PUT, "/api/v2/sonnim/agents/me/status.json", ROLE_AGENT, status_set, 0},
    {0},
};
