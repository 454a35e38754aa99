/* sla_clock.c - the SLA clock listener (see sla_clock.h).
 *
 * ticket.deleted drops the ticket's row.  Any other event, in order: load
 * the ticket (gone: nothing to do) and its ticket_slas row (none: a fresh
 * state); open the schedule of its group,
 * else the default one (none: business hours run on the calendar); turn
 * the event into a core sla_event (ticket.created -> CREATED with its
 * status, ticket.updated with a status change -> STATUS, a comment ->
 * COMMENT with public / written by an agent other than the requester) and
 * fold it; walk the policies by position to the first whose filter matches
 * the ticket as it is now; evaluate; save state, stages and the earliest
 * breach ahead.  An update without a status change still re-evaluates:
 * a new priority, group or tag can change the policy or its targets.
 *
 * Cost per event: four or five reads (one of them the policies' version),
 * the parsed filters walked until one matches (they are parsed again only
 * when the version moves), the matching policy parsed once, one ICU
 * schedule opened when a schedule exists, one upsert.
 *
 * The recompute job (sla.recompute) runs the same evaluation, without an
 * event, over every ticket that has a clock, in pages of 200 tickets per
 * transaction: the API queues it whenever a policy or schedule changes, so
 * stages and breach times follow the new targets and hours at once.
 */
#include "jobs/sla_clock.h"
#include "base/util.h"
#include "core/sla.h"
#include "core/ticket.h"
#include "store/metric_store.h"
#include "store/schedule_store.h"
#include "store/sla_store.h"
#include "store/ticket_store.h"
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The policies, parsed once per version (sla_policy_store_version) and
 * shared by the dispatcher and the recompute job under a lock: matching a
 * ticket walks parsed filters, and only the chosen policy is parsed again,
 * into the caller's struct. */
static struct {
	pthread_mutex_t lock;
	int loaded;
	int64_t version;
	struct sla_policy_row *rows;
	struct sla_policy *parsed;
	int *ok;	/* rows[i] parsed into parsed[i] */
	int n;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void cache_drop(void)
{
	for (int i = 0; i < cache.n; i++)
		if (cache.ok[i])
			sla_policy_clear(&cache.parsed[i]);
	sla_policy_list_free(cache.rows, cache.n);
	free(cache.parsed);
	free(cache.ok);
	cache.rows = NULL;
	cache.parsed = NULL;
	cache.ok = NULL;
	cache.n = 0;
	cache.loaded = 0;
}

static int parse_row(const struct sla_policy_row *r, struct sla_policy *p)
{
	json_t *f = json_loads(r->filter, 0, NULL);
	json_t *m = json_loads(r->policy_metrics, 0, NULL);
	char err[256];
	int rc = sla_policy_parse(f, m, p, err, sizeof(err));
	json_decref(f);
	json_decref(m);
	return rc;
}

/* Bring the cache to the database's version; call with the lock held. */
static int cache_load(struct db *db)
{
	int64_t v;
	int rc = sla_policy_store_version(db, &v);
	if (rc)
		return rc;
	if (cache.loaded && cache.version == v)
		return 0;
	cache_drop();
	struct sla_policy_row *rows;
	int n;
	if ((rc = sla_policy_store_list(db, &rows, &n)))
		return rc;
	cache.rows = rows;
	cache.n = n;
	cache.parsed = xcalloc((size_t)n + 1, sizeof(*cache.parsed));
	cache.ok = xcalloc((size_t)n + 1, sizeof(*cache.ok));
	for (int i = 0; i < n; i++)
		cache.ok[i] = !parse_row(&rows[i], &cache.parsed[i]);
	cache.version = v;
	cache.loaded = 1;
	return 0;
}

/* The first policy that matches t: 0 with *p filled (id set), 1 none. */
static int choose_policy(struct db *db, const struct ticket *t, struct sla_policy *p)
{
	struct sla_ticket st = {.status = t->status, .priority = t->priority, .type = t->type,
				.via = t->via_channel, .group_id = t->group_id,
				.assignee_id = t->assignee_id,
				.organization_id = t->organization_id,
				.requester_id = t->requester_id, .tags = t->tags.v,
				.ntags = (int)t->tags.n};
	pthread_mutex_lock(&cache.lock);
	int rc = cache_load(db);
	if (rc) {
		pthread_mutex_unlock(&cache.lock);
		return rc;
	}
	rc = 1;
	for (int i = 0; i < cache.n && rc == 1; i++) {
		if (!cache.ok[i] || !sla_policy_match(&cache.parsed[i], &st))
			continue;
		if (!parse_row(&cache.rows[i], p)) {
			p->id = cache.rows[i].id;
			rc = 0;
		}
	}
	pthread_mutex_unlock(&cache.lock);
	return rc;
}

/* The core event for e: 0, 1 when e changes no measurement, or DB_*. */
static int event_of(struct db *db, const struct event_row *e, json_t *p, struct sla_event *out)
{
	memset(out, 0, sizeof(*out));
	out->at = e->created_at;
	if (!strcmp(e->type, "ticket.created")) {
		out->kind = SLA_EV_CREATED;
		out->status = json_string_value(json_object_get(p, "status"));
		return 0;
	}
	if (!strcmp(e->type, "ticket.updated")) {
		json_t *st = json_object_get(json_object_get(p, "changes"), "status");
		out->kind = SLA_EV_STATUS;
		out->status = json_string_value(json_object_get(st, "to"));
		return out->status ? 0 : 1;
	}
	int pub = 0, agent = 0, requester = 0;
	int rc = metric_store_comment(db, json_integer_value(json_object_get(p, "comment_id")), &pub,
				      &agent, &requester);
	if (rc < 0)
		return rc;
	out->kind = SLA_EV_COMMENT;
	out->comment_public = pub;
	out->by_agent = agent && !requester;
	return rc == 1 ? 1 : 0;
}

static json_t *stages_json(const struct sla_metric_status *m, int n, int64_t *next)
{
	json_t *arr = json_array();
	*next = 0;
	for (int i = 0; i < n; i++) {
		json_array_append_new(
		    arr, json_pack("{s:s,s:s,s:I,s:b,s:I,s:b}", "metric",
				   sla_metric_name(m[i].metric), "stage", sla_stage_name(m[i].stage),
				   "target", (json_int_t)m[i].target_minutes, "business_hours",
				   m[i].business, "breach_at", (json_int_t)m[i].breach_at,
				   "breached", m[i].breached));
		if (m[i].stage == SLA_STAGE_ACTIVE && m[i].breach_at &&
		    (!*next || m[i].breach_at < *next))
			*next = m[i].breach_at;
	}
	return arr;
}

/* Fold ev (NULL: none) into ticket_id's clock and re-evaluate it at now:
 * the one path of the listener and of the recompute job.  e (may be NULL)
 * is the event ev came from, for the comment lookup.  0 or DB_*. */
static int clock_update(struct db *db, int64_t ticket_id, const struct event_row *e, int64_t now)
{
	struct ticket t = {0};
	int rc = ticket_store_get(db, ticket_id, &t);
	if (rc == 1) /* deleted since: nothing to time */
		return ticket_sla_delete(db, ticket_id);
	if (rc)
		return rc;
	struct ticket_sla row;
	struct sla_state st;
	rc = ticket_sla_get(db, ticket_id, &row);
	if (rc < 0) {
		ticket_clear(&t);
		return rc;
	}
	if (rc == 1 || sla_state_load(&st, row.state))
		sla_state_init(&st);
	ticket_sla_clear(&row);

	struct schedule sch, *schp = NULL;
	int64_t sid;
	rc = schedule_store_for_group(db, t.group_id, &sid);
	if (rc == 0)
		rc = schedule_store_open(db, sid, &sch);
	if (rc < 0)
		goto out;
	if (rc == 0)
		schp = &sch; /* 1, 2: no usable schedule, business hours = calendar */

	if (e) {
		json_t *payload = json_loads(e->payload ? e->payload : "{}", 0, NULL);
		struct sla_event ev;
		rc = event_of(db, e, payload, &ev);
		if (rc == 0)
			sla_fold(&st, &ev, schp);
		json_decref(payload);
		if (rc < 0)
			goto out;
	}

	struct sla_policy pol;
	rc = choose_policy(db, &t, &pol);
	if (rc < 0)
		goto out;
	struct sla_metric_status ms[SLA_NMETRICS];
	int n = rc == 0 ? sla_evaluate(&st, &pol, t.priority, schp, now, ms) : 0;
	row.ticket_id = t.id;
	row.policy_id = rc == 0 ? pol.id : 0;
	if (rc == 0)
		sla_policy_clear(&pol);
	row.state = sla_state_dump(&st);
	json_t *stages = stages_json(ms, n, &row.next_breach_at);
	row.metrics = json_dumps(stages, JSON_COMPACT);
	json_decref(stages);
	row.updated_at = now;
	rc = ticket_sla_put(db, &row);
	ticket_sla_clear(&row);
out:
	if (schp)
		schedule_release(schp);
	ticket_clear(&t);
	return rc;
}

int sla_clock_listener(struct db *db, const struct event_row *e)
{
	if (e->ticket_id && !strcmp(e->type, "ticket.deleted"))
		return ticket_sla_delete(db, e->ticket_id);
	if (!e->ticket_id || (strcmp(e->type, "ticket.created") && strcmp(e->type, "ticket.updated") &&
			      strcmp(e->type, "comment.added")))
		return 0;
	return clock_update(db, e->ticket_id, e, e->created_at);
}

/* ---- recompute ---------------------------------------------------------- */

#define RECOMPUTE_PAGE 200

struct recompute_page {
	int64_t after, now;
	int done;	/* rows re-evaluated in this page */
	int more;	/* a full page: more may follow */
};

static int recompute_write(struct db *db, void *arg)
{
	struct recompute_page *pg = arg;
	int64_t *ids;
	int n;
	int rc = ticket_sla_ids_after(db, pg->after, RECOMPUTE_PAGE, &ids, &n);
	if (rc)
		return rc;
	for (int i = 0; !rc && i < n; i++)
		rc = clock_update(db, ids[i], NULL, pg->now);
	if (!rc) {
		pg->done = n;
		pg->more = n == RECOMPUTE_PAGE;
		if (n)
			pg->after = ids[n - 1];
	}
	free(ids);
	return rc;
}

int sla_clock_recompute(struct store *st, int64_t now, int64_t *count)
{
	struct recompute_page pg = {.now = now, .more = 1};
	*count = 0;
	while (pg.more) {
		int rc = store_write(st, recompute_write, &pg);
		if (rc)
			return rc;
		*count += pg.done;
	}
	return 0;
}

int sla_recompute_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		      char *err, size_t errlen)
{
	int64_t n;
	if (sla_clock_recompute(s->store, now_seconds(), &n)) {
		snprintf(err, errlen, "the SLA clocks could not be recomputed");
		return -1;
	}
	*result = json_pack("{s:I}", "tickets", (json_int_t)n);
	return 0;
}
