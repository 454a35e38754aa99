/* sla_policies.c - /api/v2/slas/policies: SLA policies (list, show, create,
 * update, delete, reorder) in Zendesk's shape:
 *   {"sla_policy": {"id", "url", "title", "description", "position",
 *    "filter": {"all": [{field, operator, value}], "any": [...]},
 *    "policy_metrics": [{"priority", "metric", "target", "business_hours"}],
 *    "created_at", "updated_at"}}
 * PUT /slas/policies/reorder {"sla_policy_ids": [...]} sets the order in
 * which policies are tried (every id once).  The filter and metrics are
 * checked by core/sla.c's parser before they are stored; what a policy
 * does to tickets is the SLA clock's business (jobs/sla_clock.c).
 *
 * Admins only, as in Zendesk.  Each write is one store_write() that also
 * queues the sla.recompute job, so every ticket's clock follows the change.
 */
#include "api/api.h"
#include "base/util.h"
#include "core/sla.h"
#include "jobs/jobs.h"
#include "store/sla_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 255

/* Queue the re-evaluation of every SLA clock, in the caller's transaction. */
static int recompute_later(struct db *db)
{
	return jobs_enqueue(db, "sla.recompute", "{}", now_seconds(), NULL);
}

static json_t *policy_json(struct server *s, const struct sla_policy_row *p)
{
	char url[512];
	snprintf(url, sizeof(url), "%s/api/v2/slas/policies/%lld.json", s->cfg.base_url,
		 (long long)p->id);
	json_t *f = json_loads(p->filter, 0, NULL), *m = json_loads(p->policy_metrics, 0, NULL);
	if (!json_is_object(f)) {
		json_decref(f);
		f = json_object();
	}
	if (!json_object_get(f, "all"))
		json_object_set_new(f, "all", json_array());
	if (!json_object_get(f, "any"))
		json_object_set_new(f, "any", json_array());
	return json_pack("{s:I,s:s,s:s,s:o,s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)p->id, "url",
			 url, "title", p->title, "description", jstr(p->description), "position",
			 (json_int_t)p->position, "filter", f, "policy_metrics",
			 json_is_array(m) ? m : json_array(), "created_at", jtime(p->created_at),
			 "updated_at", jtime(p->updated_at));
}

struct policy_op {
	int64_t id;			/* 0 = create */
	char *title, *description;
	int set_title, set_description;
	int64_t position;		/* 0 = keep (create: last) */
	char *filter, *metrics;		/* JSON text or NULL = keep */
	int64_t now;
	int status;
	struct sla_policy_row result;
};

static int policy_save_run(struct db *db, void *arg)
{
	struct policy_op *op = arg;
	struct sla_policy_row p = {0};
	int rc = 0;
	if (op->id) {
		rc = sla_policy_store_get(db, op->id, &p);
		if (rc) {
			op->status = 404;
			return rc > 0 ? DB_REFUSED : rc;
		}
	} else {
		p.created_at = op->now;
		p.filter = xstrdup("{\"all\":[],\"any\":[]}");
		p.policy_metrics = xstrdup("[]");
	}
	p.updated_at = op->now;
	if (op->set_title) {
		free(p.title);
		p.title = xstrdup(op->title);
	}
	if (op->set_description) {
		free(p.description);
		p.description = op->description && *op->description ? xstrdup(op->description) : NULL;
	}
	if (op->position > 0)
		p.position = op->position;
	if (op->filter) {
		free(p.filter);
		p.filter = xstrdup(op->filter);
	}
	if (op->metrics) {
		free(p.policy_metrics);
		p.policy_metrics = xstrdup(op->metrics);
	}
	rc = op->id ? sla_policy_store_update(db, &p) : sla_policy_store_insert(db, &p);
	if (!rc)
		rc = sla_policy_store_get(db, p.id, &op->result) ? DB_ERR : 0;
	if (!rc)
		rc = recompute_later(db);
	sla_policy_row_clear(&p);
	return rc;
}

static int policy_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct policy_op op = {.id = id, .now = now_seconds()};
	char err[512] = "";
	json_t *o = json_object_get(body, "sla_policy");
	json_t *pos = json_object_get(o, "position");
	int ok = json_is_object(o) &&
		 (op.set_title = jget_str(o, "title", &op.title, err, sizeof(err))) >= 0 &&
		 (op.set_description = jget_str(o, "description", &op.description, err,
						sizeof(err))) >= 0;
	if (ok && pos && (!json_is_integer(pos) || json_integer_value(pos) < 1 ||
			  json_integer_value(pos) > 1000000)) {
		snprintf(err, sizeof(err), "position: expected an integer >= 1");
		ok = 0;
	}
	if (ok && pos)
		op.position = json_integer_value(pos);
	json_t *f = ok ? json_object_get(o, "filter") : NULL;
	json_t *m = ok ? json_object_get(o, "policy_metrics") : NULL;
	if (ok && (f || m)) {
		struct sla_policy check;
		if (sla_policy_parse(f, m, &check, err, sizeof(err))) {
			ok = 0;
		} else {
			sla_policy_clear(&check);
			if (f)
				op.filter = json_dumps(json_is_null(f) ? json_object() : f, JSON_COMPACT);
			if (m)
				op.metrics = json_is_null(m) ? xstrdup("[]") : json_dumps(m, JSON_COMPACT);
		}
	}
	const char *bad = NULL;
	if (!ok)
		bad = *err ? err : o ? "sla_policy: expected an object" : "sla_policy: is required";
	else if (!id && !op.set_title)
		bad = "title: is required";
	else if (op.set_title && (!op.title || !*op.title || strlen(op.title) > MAX_TITLE))
		bad = "title: must be 1 to 255 bytes";
	int rc = 0;
	if (!bad)
		rc = store_write(r->srv->store, policy_save_run, &op);
	json_decref(body);
	free(op.title);
	free(op.description);
	free(op.filter);
	free(op.metrics);
	if (bad)
		return reply_invalid(r, bad);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		return reply_error(r, 500, "InternalError", "the SLA policy could not be saved",
				   NULL);
	}
	json_t *out = json_pack("{s:o}", "sla_policy", policy_json(r->srv, &op.result));
	sla_policy_row_clear(&op.result);
	return reply_json(r, id ? 200 : 201, out);
}

static int policies_create(struct req *r) { return policy_write_reply(r, 0); }
static int policies_update(struct req *r) { return policy_write_reply(r, r->id[0]); }

static int policies_list(struct req *r)
{
	struct sla_policy_row *v;
	int n;
	if (sla_policy_store_list(req_db(r), &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, policy_json(r->srv, &v[i]));
	sla_policy_list_free(v, n);
	return reply_json(r, 200, json_pack("{s:o,s:n,s:n,s:i}", "sla_policies", arr, "next_page",
					    "previous_page", "count", n));
}

static int policies_show(struct req *r)
{
	struct sla_policy_row p;
	int rc = sla_policy_store_get(req_db(r), r->id[0], &p);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", "sla_policy", policy_json(r->srv, &p));
	sla_policy_row_clear(&p);
	return reply_json(r, 200, out);
}

static int policy_delete_run(struct db *db, void *arg)
{
	int rc = sla_policy_store_delete(db, *(int64_t *)arg);
	if (!rc)
		rc = recompute_later(db);
	return rc == 1 ? DB_REFUSED : rc;
}

static int policies_delete(struct req *r)
{
	int64_t id = r->id[0];
	int rc = store_write(r->srv->store, policy_delete_run, &id);
	if (rc == DB_REFUSED)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the SLA policy could not be deleted",
				   NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

struct reorder_op {
	struct idlist ids;
	int64_t now;
};

static int reorder_run(struct db *db, void *arg)
{
	struct reorder_op *op = arg;
	int rc = sla_policy_store_reorder(db, op->ids.v, (int)op->ids.n, op->now);
	if (!rc)
		rc = recompute_later(db);
	return rc == 1 ? DB_REFUSED : rc;
}

static int policies_reorder(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct reorder_op op = {.now = now_seconds()};
	char err[256] = "";
	int got = jget_ids(body, "sla_policy_ids", &op.ids, err, sizeof(err));
	json_decref(body);
	if (got <= 0) {
		idlist_clear(&op.ids);
		return reply_invalid(r, *err ? err : "sla_policy_ids: is required");
	}
	int rc = store_write(r->srv->store, reorder_run, &op);
	idlist_clear(&op.ids);
	if (rc == DB_REFUSED)
		return reply_invalid(r, "sla_policy_ids: must list every SLA policy once");
	if (rc)
		return reply_error(r, 500, "InternalError", "the order could not be saved", NULL);
	return reply_json(r, 200, json_object());
}

const struct route sla_policy_routes[] = {
    {M_GET, "/api/v2/slas/policies.json", ROLE_ADMIN, policies_list, 0},
    {M_POST, "/api/v2/slas/policies.json", ROLE_ADMIN, policies_create, 0},
    {M_PUT, "/api/v2/slas/policies/reorder.json", ROLE_ADMIN, policies_reorder, 0},
    {M_GET, "/api/v2/slas/policies/{id}.json", ROLE_ADMIN, policies_show, 0},
    {M_PUT, "/api/v2/slas/policies/{id}.json", ROLE_ADMIN, policies_update, 0},
    {M_DELETE, "/api/v2/slas/policies/{id}.json", ROLE_ADMIN, policies_delete, 0},
    {0},
};

/* ---- a ticket's SLAs (?include=slas) ------------------------------------ */

/* Zendesk gives the time to the breach in the largest whole unit (days,
 * hours or minutes), negative once breached. */
static void set_remaining(json_t *o, int64_t secs)
{
	int64_t a = secs < 0 ? -secs : secs, sign = secs < 0 ? -1 : 1;
	if (a >= 86400)
		json_object_set_new(o, "days", json_integer(sign * (a / 86400)));
	else if (a >= 3600)
		json_object_set_new(o, "hours", json_integer(sign * (a / 3600)));
	else
		json_object_set_new(o, "minutes", json_integer(sign * (a / 60)));
}

json_t *ticket_slas_json(struct req *r, int64_t ticket_id)
{
	struct ticket_sla row;
	int rc = ticket_sla_get(req_db(r), ticket_id, &row);
	json_t *out = json_array();
	if (rc == 0) {
		json_t *arr = json_loads(row.metrics, 0, NULL);
		size_t i;
		json_t *m;
		int64_t now = now_seconds();
		json_array_foreach(arr, i, m)
		{
			int64_t breach = json_integer_value(json_object_get(m, "breach_at"));
			const char *stage = json_string_value(json_object_get(m, "stage"));
			int active = stage && !strcmp(stage, "active");
			json_t *o = json_pack(
			    "{s:o,s:s?,s:s?,s:O?,s:O?,s:b}", "breach_at",
			    active ? jtime(breach) : json_null(), "stage", stage, "metric",
			    json_string_value(json_object_get(m, "metric")), "target",
			    json_object_get(m, "target"), "business_hours",
			    json_object_get(m, "business_hours"), "breached",
			    json_is_true(json_object_get(m, "breached")) || (active && breach && breach <= now));
			if (active && breach)
				set_remaining(o, breach - now);
			json_array_append_new(out, o);
		}
		json_decref(arr);
		ticket_sla_clear(&row);
	}
	return json_pack("{s:o}", "policy_metrics", out);
}
