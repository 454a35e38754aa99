/* metrics.c - /api/v2/ticket_metrics and /tickets/{id}/metrics: Zendesk's
 * TicketMetric objects, from the rows the ticket_metrics listener keeps.
 * The metric's id is its ticket's id (one row per ticket). */
#include "api/api.h"
#include "base/util.h"
#include "store/metric_store.h"
#include "store/ticket_store.h"

static json_t *minutes(int64_t m)
{
	return m < 0 ? json_pack("{s:n,s:n}", "calendar", "business")
		     : json_pack("{s:I,s:n}", "calendar", (json_int_t)m, "business");
}

static json_t *metric_json(const struct ticket_metric *m)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(m->ticket_id));
	json_object_set_new(j, "ticket_id", json_integer(m->ticket_id));
	json_object_set_new(j, "replies", json_integer(m->replies));
	json_object_set_new(j, "reopens", json_integer(m->reopens));
	json_object_set_new(j, "assignee_stations", json_integer(m->assignee_stations));
	json_object_set_new(j, "group_stations", json_integer(m->group_stations));
	json_object_set_new(j, "initially_assigned_at", jtime(m->initially_assigned_at));
	json_object_set_new(j, "assigned_at", jtime(m->assigned_at));
	json_object_set_new(j, "solved_at", jtime(m->solved_at));
	json_object_set_new(j, "status_updated_at", jtime(m->status_updated_at));
	json_object_set_new(j, "latest_comment_added_at", jtime(m->latest_comment_added_at));
	json_object_set_new(j, "requester_updated_at", jtime(m->requester_updated_at));
	json_object_set_new(j, "assignee_updated_at", jtime(m->assignee_updated_at));
	json_object_set_new(j, "reply_time_in_minutes", minutes(m->first_reply_minutes));
	json_object_set_new(j, "first_resolution_time_in_minutes",
			    minutes(m->first_resolution_minutes));
	json_object_set_new(j, "full_resolution_time_in_minutes",
			    minutes(m->full_resolution_minutes));
	json_object_set_new(j, "created_at", jtime(m->created_at));
	json_object_set_new(j, "updated_at", jtime(m->updated_at));
	return j;
}

static int metric_show(struct req *r)
{
	struct ticket t = {0};
	int rc = ticket_store_get(req_db(r), r->id[0], &t);
	int ok = rc == 0 && ticket_can_view(&r->actor, &t);
	ticket_clear(&t);
	if (rc < 0)
		return reply_db_down(r);
	struct ticket_metric m;
	if (!ok || metric_store_get(req_db(r), r->id[0], &m))
		return reply_not_found(r);
	return reply_json(r, 200, json_pack("{s:o}", "ticket_metric", metric_json(&m)));
}

static int metric_list(struct req *r)
{
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	struct ticket_metric *v;
	int n;
	int64_t after = p.cursor ? p.after : 0;
	int limit = (int)(p.cursor ? p.per_page + 1 : p.page * p.per_page + 1);
	if (metric_store_list(req_db(r), after, limit, &v, &n))
		return reply_db_down(r);
	int start = p.cursor ? 0 : (int)((p.page - 1) * p.per_page), end = start + (int)p.per_page;
	json_t *arr = json_array();
	for (int i = start; i < n && i < end; i++)
		json_array_append_new(arr, metric_json(&v[i]));
	json_t *out = json_pack("{s:o}", "ticket_metrics", arr);
	page_finish(r, &p, out, n > start ? v[(n < end ? n : end) - 1].ticket_id : after, n > end,
		    -1);
	free(v);
	return reply_json(r, 200, out);
}

const struct route metric_routes[] = {
	{M_GET, "/api/v2/ticket_metrics.json", ROLE_AGENT, metric_list, 0},
	{M_GET, "/api/v2/ticket_metrics/{id}.json", ROLE_AGENT, metric_show, 0},
	{M_GET, "/api/v2/tickets/{id}/metrics.json", ROLE_AGENT, metric_show, 0},
	{0},
};
