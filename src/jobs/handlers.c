/* handlers.c - the job kinds and event listeners of the foundation.
 *
 * Jobs:
 *   tickets.create_many  {"actor":{...},"tickets":[...]}  -> results[]
 *   tickets.update_many  {"actor":{...},"ids":[...],"ticket":{...}} or
 *                        {"actor":{...},"tickets":[{"id":..,...}]}
 * Results follow Zendesk's job_status shape: one entry per ticket with
 * index/id/status/success or error/details.
 *
 * Listeners (closed list of event types in the `events` table: ticket.created,
 * ticket.updated, ticket.deleted, comment.added):
 *   incident_solver  when a problem is solved, solve its open incidents with
 *                    a note (Zendesk's behaviour); idempotent because solved
 *                    incidents are skipped.
 */
#include "api/api.h"
#include "base/util.h"
#include "jobs/jobs.h"
#include "store/job_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int actor_from(json_t *payload, struct actor *a)
{
	json_t *j = json_object_get(payload, "actor");
	memset(a, 0, sizeof(*a));
	if (!json_is_object(j))
		return -1;
	a->user_id = json_integer_value(json_object_get(j, "user_id"));
	a->role = (int)json_integer_value(json_object_get(j, "role"));
	a->organization_id = json_integer_value(json_object_get(j, "organization_id"));
	a->restriction = (int)json_integer_value(json_object_get(j, "restriction"));
	return a->user_id ? 0 : -1;
}

/* Apply one ticket object; append a result entry. */
static void one(struct server *s, const struct actor *who, int64_t id, json_t *t, int index,
		json_t *results)
{
	struct ticket_change c = {0};
	char err[256];
	json_t *res = json_pack("{s:i}", "index", index);
	if (ticket_change_from_json(t, &c, id == 0, err, sizeof(err))) {
		json_object_set_new(res, "error", json_string("RecordInvalid"));
		json_object_set_new(res, "details", json_string(err));
		json_object_set_new(res, "success", json_false());
		if (id)
			json_object_set_new(res, "id", json_integer(id));
		json_array_append_new(results, res);
		ticket_change_clear(&c);
		return;
	}
	struct ticket_write w = {.who = *who, .id = id, .change = &c, .via = "api",
				 .now = now_seconds()};
	int rc = store_write(s->store, ticket_write_run, &w);
	if (rc) {
		json_object_set_new(res, "error",
				    json_string(w.status == 404 ? "TicketNotFound" : "RecordInvalid"));
		json_object_set_new(res, "details", json_string(w.err));
		json_object_set_new(res, "success", json_false());
		if (id)
			json_object_set_new(res, "id", json_integer(id));
	} else {
		json_object_set_new(res, "id", json_integer(w.result.id));
		json_object_set_new(res, "action", json_string(id ? "update" : "create"));
		json_object_set_new(res, "status", json_string(id ? "Updated" : "Created"));
		json_object_set_new(res, "success", json_true());
	}
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	json_array_append_new(results, res);
}

static int create_many(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		       char *err, size_t errlen)
{
	struct actor who;
	json_t *tickets = json_object_get(payload, "tickets");
	if (actor_from(payload, &who) || !json_is_array(tickets)) {
		snprintf(err, errlen, "bad payload");
		return -1;
	}
	json_t *results = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(tickets, i, t) one(s, &who, 0, t, (int)i, results);
	*result = results;
	return 0;
}

static int update_many(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		       char *err, size_t errlen)
{
	struct actor who;
	if (actor_from(payload, &who)) {
		snprintf(err, errlen, "bad payload");
		return -1;
	}
	json_t *results = json_array();
	json_t *ids = json_object_get(payload, "ids"), *tickets = json_object_get(payload, "tickets");
	size_t i;
	json_t *v;
	if (json_is_array(ids)) {
		json_t *t = json_object_get(payload, "ticket");
		json_array_foreach(ids, i, v) one(s, &who, json_integer_value(v), t, (int)i, results);
	} else {
		json_array_foreach(tickets, i, v)
			one(s, &who, json_integer_value(json_object_get(v, "id")), v, (int)i, results);
	}
	*result = results;
	return 0;
}

const struct job_handler job_handlers[] = {
	{"tickets.create_many", create_many, 1},
	{"tickets.update_many", update_many, 1},
	{0},
};

struct listener {
	const char *name;
	int (*fn)(struct db *db, const struct event_row *e);
};

static int incident_solver(struct db *db, const struct event_row *e)
{
	if (strcmp(e->type, "ticket.updated") || !e->ticket_id)
		return 0;
	json_t *p = json_loads(e->payload, 0, NULL);
	json_t *to = json_object_get(json_object_get(json_object_get(p, "changes"), "status"), "to");
	int solved = json_is_string(to) && !strcmp(json_string_value(to), "solved");
	json_decref(p);
	if (!solved)
		return 0;
	struct ticket t = {0};
	if (ticket_store_get(db, e->ticket_id, &t) != 0) {
		ticket_clear(&t);
		return 0;
	}
	int problem = t.type && !strcmp(t.type, "problem");
	int64_t assignee = t.assignee_id;
	ticket_clear(&t);
	if (!problem)
		return 0;
	struct ticket *inc;
	int n, rc = ticket_store_incidents(db, e->ticket_id, &inc, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n && !rc; i++) {
		if (!strcmp(inc[i].status, "solved") || !strcmp(inc[i].status, "closed"))
			continue;
		struct ticket_change c = {0};
		c.set = TF_STATUS;
		c.v.status = xstrdup("solved");
		if (!inc[i].assignee_id) {
			c.set |= TF_ASSIGNEE;
			c.v.assignee_id = assignee;
		}
		char body[128];
		snprintf(body, sizeof(body), "Solved together with problem #%" PRId64 ".",
			 e->ticket_id);
		c.comment_body = xstrdup(body);
		c.comment_public = 0;
		struct ticket_write w = {.who = {.user_id = e->actor_id ? e->actor_id : assignee,
						 .role = ROLE_ADMIN},
					 .id = inc[i].id, .change = &c, .via = "rule",
					 .now = now_seconds()};
		rc = ticket_write_run(db, &w);
		if (rc && w.status != 500)
			rc = 0; /* an incident that cannot be solved is left as it is */
		ticket_write_clear(&w);
		ticket_change_clear(&c);
	}
	ticket_list_free(inc, n);
	return rc;
}

const struct listener event_listeners[] = {
	{"incident_solver", incident_solver},
	{0},
};
