/* sla_clock.h - the SLA clock listener (registered in jobs/handlers.c).
 *
 * For every ticket.created, ticket.updated and comment.added event it
 * folds the event into the ticket's SLA state, picks the policy that
 * applies now, computes each metric's stage and breach time (through the
 * ticket's group schedule or the default one), and saves the row in
 * ticket_slas - all in the dispatcher's transaction, so each event counts
 * once.  ticket.deleted removes the ticket's row.  See core/sla.h for what each metric measures.
 */
#ifndef SONNIM_SLA_CLOCK_H
#define SONNIM_SLA_CLOCK_H
#include "store/db.h"
#include "store/job_store.h"

/* 0, or DB_* (the dispatcher retries the event). */
int sla_clock_listener(struct db *db, const struct event_row *e);
#endif
