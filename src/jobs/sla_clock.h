/* sla_clock.h - the SLA clock listener (registered in jobs/handlers.c).
 *
 * For every ticket.created, ticket.updated and comment.added event it
 * folds the event into the ticket's SLA state, picks the policy that
 * applies now, computes each metric's stage and breach time (through the
 * ticket's group schedule or the default one), and saves the row in
 * ticket_slas - all in the dispatcher's transaction, so each event counts
 * once.  ticket.deleted removes the ticket's row.  When policies or
 * schedules change, the sla.recompute job re-evaluates every clock.  See core/sla.h for what each metric measures.
 */
#ifndef SONNIM_SLA_CLOCK_H
#define SONNIM_SLA_CLOCK_H
#include "http/http.h"
#include "store/db.h"
#include "store/job_store.h"
#include "store/store.h"
#include <jansson.h>

/* 0, or DB_* (the dispatcher retries the event). */
int sla_clock_listener(struct db *db, const struct event_row *e);

/* Re-evaluate every ticket's clock at now with the policies and schedules
 * as they are (no event folded): pages of tickets, one store_write each.
 * *count = tickets done.  0 or DB_* (pages already done stay done). */
int sla_clock_recompute(struct store *st, int64_t now, int64_t *count);

/* Job kind "sla.recompute" (payload {}): sla_clock_recompute at the time
 * it runs; result {"tickets": N}. */
int sla_recompute_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		      char *err, size_t errlen);
#endif
