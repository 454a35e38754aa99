/* handlers.c - the tables of job kinds and event listeners.
 *
 * Jobs (kind, payload -> result):
 *   tickets.create_many  {"actor":{...},"tickets":[...]}  -> results[]
 *   tickets.update_many  {"actor":{...},"ids":[...],"ticket":{...}} or
 *                        {"actor":{...},"tickets":[{"id":..,...}]}
 *                        (results in Zendesk's job_status shape: one entry
 *                        per ticket with index/id/status/success or
 *                        error/details)
 *   tickets.merge        merge sources into a target (idempotent)
 *   mail.inbound         {"id"}: one stored inbound message -> ticket
 *                        (channels/email/inbound.c)
 *   mail.send            {"ticket_id","comment_id"} or {"ticket_id","template"}:
 *                        an agent's reply or a notice by mail
 *                        (channels/email/outbound.c)
 *   mail.notify          {"ticket_id","recipient","subject","body","actor_id"}
 *                        a rule's notification mail (channels/email/notify.c)
 *   automations.run      {"now": optional unix time} -> {"tickets","updated","fired"}
 *                        (jobs/rules.c; queued hourly by the scheduler in jobs.c)
 *   webhook.deliver      {"webhook_id":..,"body":"..",["event_id","ticket_id"]}
 *                        one attempt to send a webhook (jobs/webhook.h)
 *   mail.signin          {"user_id","locale"} (channels/email/signin.c: the portal's
 *                        sign-in link)
 *   community.notify     {"post_id","comment_id"}: mail the followers of a community
 *                        post and its topic about a new comment
 *                        (channels/email/community_notify.c)
 *   sla.recompute        {} -> {"tickets": N}: every SLA clock re-evaluated
 *                        after a policy or schedule changed (jobs/sla_clock.c)
 *   sla.breach_check     {"now", "lead": optional} -> {"now","tickets","breached",
 *                        "about_to_breach"}: queued every minute by the scheduler;
 *                        emits sla.breached / sla.about_to_breach (jobs/sla_breach.c)
 *   campaign.send        {"campaign_id"} -> {"members","deliveries_added"}: an outbound
 *                        campaign to its segment, exactly once per recipient and
 *                        channel (jobs/campaign.c); queued at send_at or by send_now
 *   campaign.mail        {"delivery_id"}: one campaign email with its unsubscribe
 *                        link (channels/email/campaign.c)
 *   messenger.prune_signals {"now": optional} -> {"deleted"}: viewing/typing/read
 *                        signal events older than an hour leave the outbox; queued
 *                        every 10 minutes (store/messenger_store.h)
 *
 * Listeners, in the order the dispatcher runs them (closed list of event
 * types in the `events` table: ticket.created, ticket.updated,
 * ticket.deleted, comment.added, sla.breached, sla.about_to_breach,
 * signal.viewing, signal.typing, signal.left, signal.read; every
 * listener ignores the types it does not know); each runs in the dispatcher's
 * transaction with its cursor, so each event counts exactly once:
 *   ticket_metrics   Zendesk's ticket metrics (replies, reopens, first reply
 *                    and resolution times) folded from each ticket's events.
 *   sla_clock        each ticket's SLA clock (jobs/sla_clock.c): policy,
 *                    stages and breach times.
 *   email_replies    queues mail.send for each public agent comment when
 *                    outbound mail is configured (channels/email/email.c).
 *   triggers         runs the active triggers on each create/update not made
 *                    via "rule" and writes their change (jobs/rules.c).
 *   webhooks         queues a webhook.deliver job (jobs/webhook.c) for each
 *                    active webhook subscribed to "sonnim:<event type>".
 */
#include "api/api.h"
#include "channels/email/email.h"
#include "base/util.h"
#include "jobs/jobs.h"
#include "jobs/campaign.h"
#include "jobs/rules.h"
#include "jobs/webhook.h"
#include "jobs/sla_clock.h"
#include "jobs/sla_breach.h"
#include "core/metric.h"
#include "store/job_store.h"
#include "store/messenger_store.h"
#include "store/metric_store.h"
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

/* A bulk job's items: each ticket write commits together with the job's
 * progress and results so far, so a job run again after a crash resumes
 * after the last committed item and never applies one twice. */
struct bulk {
	struct server *s;
	int64_t job_id;
	json_t *results;	/* one entry per item done */
	struct ticket_write w;
};

static int bulk_progress_write(struct db *db, void *arg)
{
	struct bulk *b = arg;
	char *text = json_dumps(b->results, JSON_COMPACT);
	int rc = job_store_progress(db, b->job_id, (int)json_array_size(b->results), text);
	free(text);
	return rc;
}

struct bulk_item {
	struct bulk *b;
	json_t *res;
};

static int bulk_both_write(struct db *db, void *arg)
{
	struct bulk_item *it = arg;
	struct bulk *b = it->b;
	int rc = ticket_write_run(db, &b->w);
	if (rc && rc != DB_REFUSED)
		return rc;
	if (rc) {
		json_object_set_new(it->res, "error", json_string(b->w.status == 404 ? "TicketNotFound"
										   : "RecordInvalid"));
		json_object_set_new(it->res, "details", json_string(b->w.err));
		json_object_set_new(it->res, "success", json_false());
	} else {
		json_object_set_new(it->res, "id", json_integer(b->w.result.id));
		json_object_set_new(it->res, "action", json_string(b->w.id ? "update" : "create"));
		json_object_set_new(it->res, "status", json_string(b->w.id ? "Updated" : "Created"));
		json_object_set_new(it->res, "success", json_true());
	}
	json_array_append(b->results, it->res);
	rc = bulk_progress_write(db, b);
	if (rc) /* undone: forget the entry too */
		json_array_remove(b->results, json_array_size(b->results) - 1);
	return rc;
}

/* Apply one ticket object as item index of the job. */
static void one(struct bulk *b, const struct actor *who, int64_t id, json_t *t, int index)
{
	struct ticket_change c = {0};
	char err[256];
	json_t *res = json_pack("{s:i}", "index", index);
	if (id)
		json_object_set_new(res, "id", json_integer(id));
	if (ticket_change_from_json(t, &c, id == 0, err, sizeof(err))) {
		json_object_set_new(res, "error", json_string("RecordInvalid"));
		json_object_set_new(res, "details", json_string(err));
		json_object_set_new(res, "success", json_false());
		json_array_append_new(b->results, res);
		store_write(b->s->store, bulk_progress_write, b);
		ticket_change_clear(&c);
		return;
	}
	memset(&b->w, 0, sizeof(b->w));
	b->w.who = *who;
	b->w.id = id;
	b->w.change = &c;
	b->w.via = "api";
	b->w.now = now_seconds();
	struct bulk_item it = {.b = b, .res = res};
	store_write(b->s->store, bulk_both_write, &it);
	json_decref(res);
	ticket_write_clear(&b->w);
	ticket_change_clear(&c);
}

/* Start a bulk run: the results committed by an earlier run of this job. */
static void bulk_begin(struct bulk *b, struct server *s, int64_t job_id)
{
	b->s = s;
	b->job_id = job_id;
	b->results = NULL;
	struct job j = {0};
	struct db *db = store_reader(s->store);
	if (job_store_get(db, job_id, &j) == 0 && j.result)
		b->results = json_loads(j.result, 0, NULL);
	store_release(s->store, db);
	job_clear(&j);
	if (!json_is_array(b->results)) {
		json_decref(b->results);
		b->results = json_array();
	}
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
	struct bulk b;
	bulk_begin(&b, s, job_id);
	size_t i;
	json_t *t;
	json_array_foreach(tickets, i, t) if (i >= json_array_size(b.results))
		one(&b, &who, 0, t, (int)i);
	*result = b.results;
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
	struct bulk b;
	bulk_begin(&b, s, job_id);
	json_t *ids = json_object_get(payload, "ids"), *tickets = json_object_get(payload, "tickets");
	size_t i;
	json_t *v;
	if (json_is_array(ids)) {
		json_t *t = json_object_get(payload, "ticket");
		json_array_foreach(ids, i, v) if (i >= json_array_size(b.results))
			one(&b, &who, json_integer_value(v), t, (int)i);
	} else {
		json_array_foreach(tickets, i, v) if (i >= json_array_size(b.results))
			one(&b, &who, json_integer_value(json_object_get(v, "id")), v, (int)i);
	}
	*result = b.results;
	return 0;
}


static int merge(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		 char *err, size_t errlen)
{
	struct actor who;
	struct idlist ids = {0};
	struct ticket_merge m = {0};
	if (actor_from(payload, &who) || jget_ids(payload, "ids", &ids, err, errlen) <= 0) {
		snprintf(err, errlen, "bad payload");
		idlist_clear(&ids);
		return -1;
	}
	m.who = who;
	m.target = json_integer_value(json_object_get(payload, "target"));
	m.sources = ids.v;
	m.nsources = (int)ids.n;
	m.now = now_seconds();
	jget_str(payload, "target_comment", &m.target_comment, err, errlen);
	jget_str(payload, "source_comment", &m.source_comment, err, errlen);
	jget_bool(payload, "target_comment_is_public", &m.target_public, err, errlen);
	jget_bool(payload, "source_comment_is_public", &m.source_public, err, errlen);
	int rc = store_write(s->store, ticket_merge_run, &m);
	free(m.target_comment);
	free(m.source_comment);
	json_t *res = json_array();
	for (size_t i = 0; i < ids.n; i++)
		json_array_append_new(res, rc ? json_pack("{s:I,s:b,s:s}", "id", (json_int_t)ids.v[i],
							  "success", 0, "error", m.err)
					      : json_pack("{s:I,s:b,s:s}", "id", (json_int_t)ids.v[i],
							  "success", 1, "status", "Merged"));
	idlist_clear(&ids);
	*result = res;
	if (rc && m.status == 500) { /* a database failure: retry */
		json_decref(res);
		*result = NULL;
		snprintf(err, errlen, "the merge could not be saved");
		return -1;
	}
	return 0;
}

struct prune {
	int64_t before, deleted;
	int done;	/* nothing old enough is left */
};

static int prune_write(struct db *db, void *arg)
{
	struct prune *p = arg;
	int rc = messenger_signals_prune(db, p->before, &p->deleted);
	p->done = rc == 1;
	return rc < 0 ? rc : 0;
}

/* messenger.prune_signals {"now"?}: signals older than an hour leave the
 * outbox, a bounded batch at a time (store/messenger_store.h). */
static int prune_signals_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
			     char *err, size_t errlen)
{
	(void)job_id;
	json_t *jnow = json_object_get(payload, "now");
	int64_t now = json_is_integer(jnow) ? json_integer_value(jnow) : now_seconds();
	struct prune p = {.before = now - 3600};
	int64_t total = 0;
	do {
		if (store_write(s->store, prune_write, &p)) {
			snprintf(err, errlen, "the signal events could not be pruned");
			return -1;
		}
		total += p.deleted;
	} while (!p.done);
	*result = json_pack("{s:I}", "deleted", (json_int_t)total);
	return 0;
}

const struct job_handler job_handlers[] = {
	{"tickets.create_many", create_many, 1},
	{"tickets.update_many", update_many, 1},
	{"tickets.merge", merge, 3},
	{"mail.inbound", email_inbound_job, 5},
	{"mail.send", email_send_job, 8},
	{"automations.run", automations_run_job, 3},
	{"webhook.deliver", webhook_deliver_job, WEBHOOK_MAX_ATTEMPTS},
	{"mail.notify", email_notify_job, 8},
	{"mail.signin", email_signin_job, 5},
	{"community.notify", email_community_job, 5},
	{"sla.recompute", sla_recompute_job, 5},
	{"sla.breach_check", sla_breach_job, 3},
	{"campaign.send", campaign_send_job, 5},
	{"campaign.mail", email_campaign_job, 8},
	{"messenger.prune_signals", prune_signals_job, 3},
	{0},
};

/* ticket_metrics: replies, reopens, stations, first reply and resolution
 * times, folded from the outbox one event at a time (core/metric.c). */
static int ticket_metrics(struct db *db, const struct event_row *e)
{
	if (!e->ticket_id || (strcmp(e->type, "ticket.created") && strcmp(e->type, "ticket.updated") &&
			      strcmp(e->type, "comment.added")))
		return 0;
	struct ticket_metric m;
	int rc = metric_store_get(db, e->ticket_id, &m);
	if (rc < 0)
		return rc;
	if (rc == 1)
		metric_init(&m, e->ticket_id, e->created_at);
	struct metric_event me = {.type = e->type, .at = e->created_at};
	json_t *p = json_loads(e->payload, 0, NULL);
	json_t *ch = json_object_get(p, "changes");
	json_t *st = json_object_get(ch, "status");
	if (st) {
		me.status_from = json_string_value(json_object_get(st, "from"));
		me.status_to = json_string_value(json_object_get(st, "to"));
	}
	json_t *as = json_object_get(ch, "assignee_id"), *gr = json_object_get(ch, "group_id");
	if (as) { /* changed, or set at creation */
		me.assignee_changed = 1;
		parse_i64(json_string_value(json_object_get(as, "to")), &me.assignee_to);
	}
	if (gr) {
		me.group_changed = 1;
		parse_i64(json_string_value(json_object_get(gr, "to")), &me.group_to);
	}
	if (!strcmp(e->type, "ticket.created"))
		me.status_from = NULL;
	if (!strcmp(e->type, "comment.added")) {
		int64_t cid = json_integer_value(json_object_get(p, "comment_id"));
		rc = metric_store_comment(db, cid, &me.comment_public, &me.author_is_agent,
					  &me.author_is_requester);
		if (rc < 0) {
			json_decref(p);
			return rc;
		}
	}
	metric_apply(&m, &me);
	json_decref(p);
	return metric_store_put(db, &m);
}

const struct listener event_listeners[] = {
	{"ticket_metrics", ticket_metrics},
	{"sla_clock", sla_clock_listener},
	{"email_replies", email_replies_listener},
	{"triggers", rules_triggers_listener},
	{"webhooks", webhooks_listener},
	{0},
};
