/* sla_breach.c - the SLA breach pass (see sla_breach.h).
 *
 * Order: read a page of PAGE ticket ids from a reader (keyset over
 * (next_breach_at, ticket_id), so tickets long breached and already
 * announced do not hide newer ones), then one store_write for the page:
 * for each ticket load its clock row, its stages (JSON: metric, stage,
 * breach_at) and its fold state (the cycle start of each metric, which
 * names the metric instance), and for every active metric due mark and
 * append the event.  Cost per minute: one range scan plus, per ticket
 * breaching before now + lead, one row read and one INSERT per due
 * metric (a no-op once marked).
 */
#include "jobs/sla_breach.h"
#include "base/log.h"
#include "base/util.h"
#include "core/sla.h"
#include "store/sla_store.h"
#include "store/ticket_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE = 200 };

struct breach_page {
	const int64_t *ids;
	int n;
	int64_t now, lead;
	struct sla_breach_stats *stats;
};

/* Mark and emit ticket id's due metrics.  0 or DB_*. */
static int ticket_due(struct db *db, int64_t id, const struct breach_page *p)
{
	struct ticket_sla row;
	int rc = ticket_sla_get(db, id, &row);
	if (rc)
		return rc < 0 ? rc : 0;
	struct sla_state st;
	sla_state_load(&st, row.state); /* junk: cycle starts read as 0 */
	json_t *stages = json_loads(row.metrics, 0, NULL);
	size_t i;
	json_t *m;
	json_array_foreach(stages, i, m) {
		const char *name = json_string_value(json_object_get(m, "metric"));
		const char *stage = json_string_value(json_object_get(m, "stage"));
		int64_t at = json_integer_value(json_object_get(m, "breach_at"));
		int metric = name ? sla_metric_parse(name) : -1;
		if (metric < 0 || !stage || strcmp(stage, "active") || !at || at > p->now + p->lead)
			continue;
		const char *kind = at <= p->now ? "sla.breached" : "sla.about_to_breach";
		rc = sla_breach_mark(db, id, name, kind, st.m[metric].started_at, at, p->now);
		if (rc == 1) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		json_t *e = json_pack("{s:I,s:s,s:I,s:I}", "ticket_id", (json_int_t)id, "metric",
				      name, "breach_at", (json_int_t)at, "policy_id",
				      (json_int_t)row.policy_id);
		char *text = json_dumps(e, JSON_COMPACT);
		json_decref(e);
		rc = event_store_append(db, kind, id, 0, text, p->now);
		free(text);
		if (rc)
			break;
		if (at <= p->now)
			p->stats->breached++;
		else
			p->stats->warned++;
	}
	json_decref(stages);
	ticket_sla_clear(&row);
	return rc;
}

static int page_run(struct db *db, void *arg)
{
	struct breach_page *p = arg;
	struct sla_breach_stats before = *p->stats;
	for (int i = 0; i < p->n; i++) {
		int rc = ticket_due(db, p->ids[i], p);
		if (rc) {
			*p->stats = before; /* the page rolls back */
			return rc;
		}
	}
	return 0;
}

int sla_breach_pass(struct store *st, int64_t now, int64_t lead, struct sla_breach_stats *out)
{
	memset(out, 0, sizeof(*out));
	int64_t after_at = 0, after_id = 0;
	for (;;) {
		int64_t *ids, *ats;
		int n;
		struct db *db = store_reader(st);
		int rc = ticket_sla_breaching_page(db, now + lead + 1, after_at, after_id, PAGE, &ids,
						   &ats, &n);
		store_release(st, db);
		if (rc)
			return rc;
		if (n) {
			after_at = ats[n - 1];
			after_id = ids[n - 1];
			struct breach_page p = {ids, n, now, lead, out};
			rc = store_write(st, page_run, &p);
			out->tickets += n;
		}
		free(ids);
		free(ats);
		if (rc)
			return rc;
		if (n < PAGE)
			return 0;
	}
}

int sla_breach_job(struct server *s, int64_t job_id, json_t *payload, json_t **result, char *err,
		   size_t errlen)
{
	json_t *jnow = json_object_get(payload, "now"), *jlead = json_object_get(payload, "lead");
	int64_t now = json_is_integer(jnow) ? json_integer_value(jnow) : now_seconds();
	int64_t lead = json_is_integer(jlead) && json_integer_value(jlead) >= 0
			   ? json_integer_value(jlead)
			   : SLA_BREACH_LEAD;
	struct sla_breach_stats st;
	if (sla_breach_pass(s->store, now, lead, &st)) {
		snprintf(err, errlen, "the sla breach pass could not read or write the database");
		return -1;
	}
	*result = json_pack("{s:I,s:I,s:I,s:I}", "now", (json_int_t)now, "tickets",
			    (json_int_t)st.tickets, "breached", (json_int_t)st.breached,
			    "about_to_breach", (json_int_t)st.warned);
	return 0;
}
