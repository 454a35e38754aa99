/* jobs.c - /api/v2/job_statuses, bulk ticket endpoints that queue jobs, and
 * the admins' view of the queue (dead letters, retry). */
#include "api/api.h"
#include "base/util.h"
#include "jobs/jobs.h"
#include "store/job_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static json_t *job_status_json(struct server *s, const struct job *j)
{
	char url[400], id[24];
	snprintf(id, sizeof(id), "%" PRId64, j->id);
	snprintf(url, sizeof(url), "%s/api/v2/job_statuses/%s.json", s->cfg.base_url, id);
	const char *st = !strcmp(j->state, "done")	   ? "completed"
			 : !strcmp(j->state, "running") ? "working"
			 : !strcmp(j->state, "dead")	   ? "failed"
							   : "queued";
	json_t *results = j->result ? json_loads(j->result, 0, NULL) : NULL;
	int total = json_is_array(results) ? (int)json_array_size(results) : 0;
	return json_pack("{s:s,s:s,s:s,s:i,s:i,s:o,s:o,s:s}", "id", id, "url", url, "status", st,
			 "total", total, "progress", !strcmp(st, "completed") ? total : 0,
			 "message", j->last_error ? jstr(j->last_error) : json_null(), "results",
			 results ? results : json_null(), "job_type", j->kind);
}

struct enqueue {
	const char *kind;
	char *payload;
	int64_t id;
};

static int enqueue_write(struct db *db, void *p)
{
	struct enqueue *e = p;
	return jobs_enqueue(db, e->kind, e->payload, now_seconds(), &e->id);
}

int job_queue_and_reply(struct req *r, const char *kind, json_t *payload)
{
	json_object_set_new(payload, "actor",
			    json_pack("{s:I,s:i,s:I,s:i}", "user_id", (json_int_t)r->actor.user_id,
				      "role", r->actor.role, "organization_id",
				      (json_int_t)r->actor.organization_id, "restriction",
				      r->actor.restriction));
	struct enqueue e = {.kind = kind, .payload = json_dumps(payload, JSON_COMPACT)};
	json_decref(payload);
	int rc = store_write(r->srv->store, enqueue_write, &e);
	free(e.payload);
	if (rc)
		return reply_error(r, 500, "InternalError", "the job could not be queued", NULL);
	jobs_kick();
	struct job j = {0};
	if (job_store_get(req_db(r), e.id, &j))
		return reply_error(r, 500, "InternalError", "the job vanished", NULL);
	json_t *out = json_pack("{s:o}", "job_status", job_status_json(r->srv, &j));
	job_clear(&j);
	return reply_json(r, 200, out);
}

static int create_many(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	json_t *t = json_object_get(body, "tickets");
	if (!json_is_array(t) || !json_array_size(t) || json_array_size(t) > 100) {
		json_decref(body);
		return reply_invalid(r, "tickets: expected an array of 1 to 100 tickets");
	}
	json_t *payload = json_pack("{s:O}", "tickets", t);
	json_decref(body);
	return job_queue_and_reply(r, "tickets.create_many", payload);
}

static int update_many(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	json_t *payload = NULL;
	const char *ids = req_arg(r, "ids");
	if (ids) {
		json_t *arr = json_array();
		for (const char *p = ids; *p;) {
			char *end;
			long long v = strtoll(p, &end, 10);
			if (end == p || v <= 0 || (*end && *end != ',') || json_array_size(arr) >= 100) {
				json_decref(arr);
				json_decref(body);
				return reply_error(r, 400, "InvalidParameter",
						   "ids must be at most 100 comma-separated ids", NULL);
			}
			json_array_append_new(arr, json_integer(v));
			p = *end ? end + 1 : end;
		}
		json_t *t = json_object_get(body, "ticket");
		if (!json_is_object(t)) {
			json_decref(arr);
			json_decref(body);
			return reply_invalid(r, "ticket: is required with ids");
		}
		payload = json_pack("{s:o,s:O}", "ids", arr, "ticket", t);
	} else {
		json_t *t = json_object_get(body, "tickets");
		if (!json_is_array(t) || !json_array_size(t) || json_array_size(t) > 100) {
			json_decref(body);
			return reply_invalid(r, "tickets: expected an array of 1 to 100 tickets");
		}
		payload = json_pack("{s:O}", "tickets", t);
	}
	json_decref(body);
	return job_queue_and_reply(r, "tickets.update_many", payload);
}

static int job_status(struct req *r)
{
	int64_t id;
	struct job j = {0};
	if (parse_i64(r->word, &id) || job_store_get(req_db(r), id, &j))
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", "job_status", job_status_json(r->srv, &j));
	job_clear(&j);
	return reply_json(r, 200, out);
}

/* GET /api/v2/sonnim/jobs.json?state=dead - the dead-letter list */
static int jobs_list(struct req *r)
{
	const char *state = req_arg(r, "state");
	struct job *v;
	int n;
	if (job_store_list(req_db(r), state, 100, &v, &n))
		return reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_array_append_new(arr,
				      json_pack("{s:I,s:s,s:s,s:i,s:i,s:o,s:o,s:o}", "id",
						(json_int_t)v[i].id, "kind", v[i].kind, "state",
						v[i].state, "attempts", v[i].attempts,
						"max_attempts", v[i].max_attempts, "last_error",
						jstr(v[i].last_error), "run_at", jtime(v[i].run_at),
						"created_at", jtime(v[i].created_at)));
		/* what the job was asked to do (rules' notifications are checked by it) */
		json_t *p = v[i].payload ? json_loads(v[i].payload, 0, NULL) : NULL;
		json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "payload",
				    p ? p : json_null());
		job_clear(&v[i]);
	}
	free(v);
	return reply_json(r, 200, json_pack("{s:o}", "jobs", arr));
}

struct retry_arg {
	int64_t id;
};

static int retry_write(struct db *db, void *p)
{
	struct retry_arg *a = p;
	return job_store_retry(db, a->id, now_seconds());
}

static int jobs_retry(struct req *r)
{
	struct retry_arg a = {.id = r->id[0]};
	int rc = store_write(r->srv->store, retry_write, &a);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "not saved", NULL);
	jobs_kick();
	return reply_json(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)a.id, "state", "queued"));
}

const struct route job_routes[] = {
	{M_POST, "/api/v2/tickets/create_many.json", ROLE_AGENT, create_many, 0},
	{M_PUT, "/api/v2/tickets/update_many.json", ROLE_AGENT, update_many, 0},
	{M_GET, "/api/v2/job_statuses/{word}.json", ROLE_AGENT, job_status, 0},
	{M_GET, "/api/v2/sonnim/jobs.json", ROLE_ADMIN, jobs_list, 0},
	{M_POST, "/api/v2/sonnim/jobs/{id}/retry.json", ROLE_ADMIN, jobs_retry, 0},
	{0},
};
