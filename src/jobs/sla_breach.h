/* sla_breach.h - the SLA breach pass: outbox events when an SLA metric is
 * about to breach or has breached.
 *
 * The scheduler (jobs.c) queues job "sla.breach_check" every minute.  The
 * pass reads the tickets whose earliest active breach is before now +
 * lead (store/sla_store.h ticket_sla_breaching_page), and for every
 * active metric of each emits, once per metric instance (ticket, metric,
 * the cycle's start - store/sla_store.h sla_breach_mark remembers it):
 *   "sla.about_to_breach"  breach_at in (now, now + lead]
 *   "sla.breached"         breach_at <= now
 * with payload {"ticket_id", "metric", "breach_at", "policy_id"}.  Each
 * page's marks and events commit in one store_write, so a crash between
 * pages neither loses nor repeats an event.  Webhooks can subscribe to
 * "sonnim:sla.breached" / "sonnim:sla.about_to_breach"; rules read the
 * same facts through the sla_breached / hours_until_next_sla_breach
 * conditions (core/rule.h).
 */
#ifndef SONNIM_SLA_BREACH_H
#define SONNIM_SLA_BREACH_H
#include "http/http.h"
#include "store/store.h"
#include <jansson.h>
#include <stdint.h>

/* The default warning lead: one hour before the breach. */
#define SLA_BREACH_LEAD 3600

struct sla_breach_stats {
	int64_t tickets;	/* tickets looked at */
	int64_t breached;	/* sla.breached events emitted */
	int64_t warned;		/* sla.about_to_breach events emitted */
};

/* One pass at clock now with warning lead seconds.  0 or DB_* (pages done
 * stay done). */
int sla_breach_pass(struct store *st, int64_t now, int64_t lead, struct sla_breach_stats *out);

/* Job kind "sla.breach_check" {"now": optional unix time, "lead": optional
 * seconds} -> {"now", "tickets", "breached", "about_to_breach"}. */
int sla_breach_job(struct server *s, int64_t job_id, json_t *payload, json_t **result, char *err,
		   size_t errlen);
#endif
