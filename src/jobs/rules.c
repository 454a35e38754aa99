/* rules.c - the executors of triggers and automations.
 *
 * Triggers: rules_triggers_listener() is an event listener (jobs/handlers.c
 * lists it).  For each ticket.created / ticket.updated event whose update
 * did not come via "rule", it loads the ticket as it is now, the update's
 * field events, comment and actor, runs the active triggers in order
 * through core's rule_run_triggers() (restart after a change, each trigger
 * at most once, at most MAX_PASSES passes), and writes the combined change
 * with ticket_write_run() via "rule" - in the dispatcher's transaction, so
 * the change, the notification jobs (mail.notify, webhook.deliver), each
 * trigger's last run and the listener's cursor commit together.  The write
 * via "rule" makes a ticket.updated event that this listener skips, so
 * triggers cannot feed themselves.  Events older than an hour are skipped
 * (a listener new to an old database must not act on its history).
 *
 * Automations: automations_run() is one pass at a given clock: load the
 * active automations, read open tickets in batches of BATCH (only the
 * statuses the automations pin when every one pins one), evaluate each
 * ticket on a reader, and for a ticket some automation matches run one
 * store_write that loads it again, applies every matching automation in
 * order to a working copy and writes the difference via "automation" (so
 * triggers do run on it, as in Zendesk).  Nullifying actions make each
 * automation fire once per ticket; re-checking inside the write keeps two
 * concurrent passes from both acting.  The scheduler (jobs.c) queues
 * "automations.run" hourly; the job's {"now": t} sets a virtual clock.
 *
 * Rules with SLA conditions (sla_breached, hours_until_next_sla_breach)
 * make the executors read the ticket's clock row (store/sla_store.h) into
 * the context: one more indexed read per ticket, only when a rule needs it.
 *
 * Parsed triggers are cached per process against rule_store_version(), so
 * an update costs one small query plus the evaluation, not a parse of
 * every trigger's JSON.  Cost per update: O(triggers x conditions x
 * passes) string compares.
 */
#include "jobs/rules.h"
#include "base/log.h"
#include "base/util.h"
#include "core/rule.h"
#include "jobs/jobs.h"
#include "store/job_store.h"
#include "store/rule_store.h"
#include "store/sla_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PASSES = 10, BATCH = 500 };

/* ---- the parsed-rule cache --------------------------------------------------- */

struct rule_set {
	struct rule *v;
	size_t n;
	int64_t version;
	int loaded;
	int uses_sla;	/* some rule reads the SLA figures (rule_uses_sla) */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rule_set trigger_cache;

static void rule_set_clear(struct rule_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		rule_clear(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Load and parse the active rules of kind into out.  A stored rule that no
 * longer parses (an allow-list that shrank) is skipped with a warning. */
static int rule_set_load(struct db *db, const char *kind, struct rule_set *out)
{
	struct rule_row *rows;
	int n, rc = rule_store_list(db, kind, 1, &rows, &n);
	if (rc)
		return rc;
	out->v = n ? xcalloc((size_t)n, sizeof(*out->v)) : NULL;
	out->n = 0;
	for (int i = 0; i < n; i++) {
		char err[256];
		json_t *c = json_loads(rows[i].conditions, 0, NULL);
		json_t *a = json_loads(rows[i].actions, 0, NULL);
		struct rule *r = &out->v[out->n];
		if (rule_parse(c, a, strcmp(kind, "trigger") ? RULE_AUTOMATION : RULE_TRIGGER, r,
			       err, sizeof(err)) == 0) {
			r->id = rows[i].id;
			out->uses_sla |= rule_uses_sla(r);
			out->n++;
		} else {
			log_warn("rules", "%s %" PRId64 " skipped: %s", kind, rows[i].id, err);
		}
		json_decref(c);
		json_decref(a);
	}
	rule_rows_free(rows, n);
	out->loaded = 1;
	return 0;
}

/* The active triggers, from the cache when the version did not move.
 * Called with cache_lock held. */
static int triggers_current(struct db *db, const struct rule_set **out)
{
	int64_t v;
	int rc = rule_store_version(db, &v);
	if (rc)
		return rc;
	if (!trigger_cache.loaded || trigger_cache.version != v) {
		rule_set_clear(&trigger_cache);
		if ((rc = rule_set_load(db, "trigger", &trigger_cache)))
			return rc;
		trigger_cache.version = v;
	}
	*out = &trigger_cache;
	return 0;
}

/* ---- shared: the SLA figures of a ticket --------------------------------------- */

/* Fill c's sla_* from ticket id's clock row (none: no SLA, nothing
 * breached).  0 or DB_*. */
static int sla_ctx(struct db *db, int64_t id, struct rule_ctx *c)
{
	struct ticket_sla row;
	int rc = ticket_sla_get(db, id, &row);
	if (rc)
		return rc < 0 ? rc : 0;
	c->sla_next_breach_at = row.next_breach_at;
	json_t *stages = json_loads(row.metrics, 0, NULL);
	size_t i;
	json_t *m;
	json_array_foreach(stages, i, m)
		c->sla_breached |= json_is_true(json_object_get(m, "breached"));
	json_decref(stages);
	ticket_sla_clear(&row);
	return 0;
}

/* ---- shared: write a rules' change ------------------------------------------- */

/* Write change c to ticket id via via as the system user, enqueue notes,
 * record the fired rules.  0, or DB_* on a database error (a change the
 * ticket rules refuse is logged and dropped: rules cannot fix it). */
static int rules_write(struct db *db, int64_t ticket_id, struct ticket_change *c,
		       const struct rule_notes *notes, const struct rule *rules, const int *fired,
		       size_t n, const char *via, int64_t actor_id, int64_t now)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (fired[i])
			rc = rule_store_fired(db, rules[i].id, ticket_id, now);
	int64_t system = 0;
	if (!rc)
		rc = rule_store_system_user(db, &system);
	if (rc)
		return rc;
	if (c->set || c->comment_body) {
		struct ticket_write w = {.who = {.user_id = system ? system : actor_id,
						 .role = ROLE_ADMIN},
					 .id = ticket_id, .change = c, .via = via, .now = now};
		rc = ticket_write_run(db, &w);
		if (rc == DB_REFUSED) {
			log_warn("rules", "ticket=%" PRId64 " %s change refused: %s", ticket_id, via,
				 w.err);
			rc = 0;
		}
		ticket_write_clear(&w);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < notes->n && !rc; i++) {
		const char *kind;
		char *p = rule_note_payload(&notes->v[i], ticket_id, actor_id, &kind);
		rc = jobs_enqueue(db, kind, p, now, NULL);
		free(p);
	}
	if (notes->n)
		jobs_kick();
	return rc;
}

/* ---- triggers ------------------------------------------------------------------ */

/* The update's field events from the payload's "changes". */
static void events_from(json_t *changes, struct field_events *ev)
{
	const char *k;
	json_t *v;
	json_object_foreach(changes, k, v) {
		ev->v = xrealloc(ev->v, (ev->n + 1) * sizeof(*ev->v));
		struct field_event *e = &ev->v[ev->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->field, sizeof(e->field), "%s", k);
		const char *to = json_string_value(json_object_get(v, "to"));
		const char *from = json_string_value(json_object_get(v, "from"));
		e->value = to ? xstrdup(to) : NULL;
		e->previous = from ? xstrdup(from) : NULL;
	}
}

static int triggers_on(struct db *db, const struct event_row *e, json_t *p)
{
	const struct rule_set *set;
	int rc = triggers_current(db, &set);
	if (rc || !set->n)
		return rc;
	struct ticket t = {0};
	rc = ticket_store_get(db, e->ticket_id, &t);
	if (rc)
		return rc < 0 ? rc : 0; /* deleted since */
	if (!strcmp(t.status, "closed")) {
		ticket_clear(&t);
		return 0;
	}
	struct field_events ev = {0};
	events_from(json_object_get(p, "changes"), &ev);
	struct rule_ctx ctx = {.creating = !strcmp(e->type, "ticket.created"),
			       .actor_id = e->actor_id,
			       .via = json_string_value(json_object_get(p, "via")),
			       .events = &ev,
			       .now = e->created_at};
	char *comment = NULL;
	int64_t cid = json_integer_value(json_object_get(p, "comment_id"));
	if (e->actor_id && (rc = rule_store_user_role(db, e->actor_id, &ctx.actor_role)) < 0)
		goto out;
	if (cid && (rc = rule_store_comment(db, cid, &comment, &ctx.comment_public)) < 0)
		goto out;
	if (set->uses_sla && (rc = sla_ctx(db, t.id, &ctx)) < 0)
		goto out;
	rc = 0;
	ctx.comment = comment;
	struct ticket_change c = {0};
	struct rule_notes notes = {0};
	int *fired = xcalloc(set->n, sizeof(*fired));
	int n = rule_run_triggers(set->v, set->n, &t, &ctx, MAX_PASSES, &c, &notes, fired);
	if (n)
		rc = rules_write(db, t.id, &c, &notes, set->v, fired, set->n, "rule", e->actor_id,
				 e->created_at);
	free(fired);
	rule_notes_clear(&notes);
	ticket_change_clear(&c);
out:
	free(comment);
	field_events_clear(&ev);
	ticket_clear(&t);
	return rc;
}

int rules_triggers_listener(struct db *db, const struct event_row *e)
{
	if (!e->ticket_id || (strcmp(e->type, "ticket.created") && strcmp(e->type, "ticket.updated")))
		return 0;
	if (e->created_at < now_seconds() - 3600)
		return 0;
	json_t *p = json_loads(e->payload, 0, NULL);
	const char *via = json_string_value(json_object_get(p, "via"));
	int rc = 0;
	if (!via || strcmp(via, "rule")) {
		pthread_mutex_lock(&cache_lock);
		rc = triggers_on(db, e, p);
		pthread_mutex_unlock(&cache_lock);
	}
	json_decref(p);
	return rc;
}

/* ---- automations ------------------------------------------------------------------ */

struct auto_write {
	const struct rule_set *set;
	int64_t id, now;
	const int64_t *times;	/* id, assigned, status updated, requester/assignee updated */
	int fired;		/* out: automations that fired */
};

static void times_ctx(struct rule_ctx *c, const int64_t *times, int64_t now)
{
	memset(c, 0, sizeof(*c));
	c->now = now;
	c->actor_role = ROLE_ADMIN;
	c->times = (struct rule_times){times[1], times[2], times[3], times[4]};
}

static int auto_write_run(struct db *db, void *arg)
{
	struct auto_write *a = arg;
	struct ticket t = {0}, start;
	int rc = ticket_store_get(db, a->id, &t);
	if (rc)
		return rc < 0 ? rc : 0;
	if (!strcmp(t.status, "closed")) {
		ticket_clear(&t);
		return 0;
	}
	ticket_copy(&start, &t);
	struct rule_ctx ctx;
	times_ctx(&ctx, a->times, a->now);
	if (a->set->uses_sla && (rc = sla_ctx(db, a->id, &ctx)) < 0) {
		ticket_clear(&start);
		ticket_clear(&t);
		return rc;
	}
	struct ticket_change c = {0};
	struct rule_notes notes = {0};
	int *fired = xcalloc(a->set->n, sizeof(*fired));
	a->fired = 0;
	for (size_t i = 0; i < a->set->n; i++)
		if (rule_matches(&a->set->v[i], &t, &ctx)) {
			fired[i] = 1;
			a->fired++;
			rule_apply(&a->set->v[i], &t, &ctx, &c, &notes);
		}
	rule_diff(&start, &t, &c);
	if (a->fired)
		rc = rules_write(db, a->id, &c, &notes, a->set->v, fired, a->set->n, "automation",
				 0, a->now);
	free(fired);
	rule_notes_clear(&notes);
	ticket_change_clear(&c);
	ticket_clear(&start);
	ticket_clear(&t);
	return rc;
}

int automations_run(struct store *st, int64_t now, struct automation_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	struct rule_set set = {0};
	struct db *db = store_reader(st);
	int rc = rule_set_load(db, "automation", &set);
	store_release(st, db);
	if (rc || !set.n) {
		rule_set_clear(&set);
		return rc;
	}
	/* when every automation pins a status, read only those tickets */
	const char *statuses[8];
	int nst = 0;
	for (size_t i = 0; i < set.n && nst >= 0; i++) {
		const char *s = rule_status_is(&set.v[i]);
		int seen = 0;
		for (int k = 0; s && k < nst; k++)
			seen |= !strcmp(statuses[k], s);
		if (!s || (!seen && nst == 6))
			nst = -1;
		else if (!seen)
			statuses[nst++] = s;
	}
	int64_t after = 0;
	for (;;) {
		int64_t *times;
		int n;
		db = store_reader(st);
		rc = rule_store_open_tickets(db, after, BATCH, statuses, nst, &times, &n);
		for (int i = 0; !rc && i < n; i++) {
			struct ticket t = {0};
			const int64_t *tm = &times[i * 5];
			after = tm[0];
			stats->tickets++;
			if (ticket_store_get(db, tm[0], &t)) {
				ticket_clear(&t);
				continue;
			}
			struct rule_ctx ctx;
			times_ctx(&ctx, tm, now);
			if (set.uses_sla && (rc = sla_ctx(db, tm[0], &ctx)) < 0) {
				ticket_clear(&t);
				break;
			}
			rc = 0;
			int hit = 0;
			for (size_t k = 0; k < set.n && !hit; k++)
				hit = rule_matches(&set.v[k], &t, &ctx);
			ticket_clear(&t);
			if (!hit)
				continue;
			store_release(st, db);
			db = NULL;
			struct auto_write a = {.set = &set, .id = tm[0], .now = now, .times = tm};
			rc = store_write(st, auto_write_run, &a);
			if (!rc && a.fired) {
				stats->updated++;
				stats->fired += a.fired;
			}
			db = store_reader(st);
		}
		if (db)
			store_release(st, db);
		free(times);
		if (rc || n < BATCH)
			break;
	}
	rule_set_clear(&set);
	return rc;
}

int automations_run_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
			char *err, size_t errlen)
{
	json_t *jnow = json_object_get(payload, "now");
	int64_t now = json_is_integer(jnow) ? json_integer_value(jnow) : now_seconds();
	struct automation_stats st;
	if (automations_run(s->store, now, &st)) {
		snprintf(err, errlen, "the automation pass could not read or write the database");
		return -1;
	}
	*result = json_pack("{s:I,s:I,s:I,s:I}", "now", (json_int_t)now, "tickets",
			    (json_int_t)st.tickets, "updated", (json_int_t)st.updated, "fired",
			    (json_int_t)st.fired);
	return 0;
}
