/* rules.h - the executors of triggers and automations (jobs/rules.c).
 *
 * rules_triggers_listener: the event listener that runs triggers after a
 * ticket is created or updated (listed in jobs/handlers.c; runs in the
 * dispatcher's transaction).  automations_run: one automation pass over
 * the open tickets at clock now (the "automations.run" job and the admin
 * endpoint POST /api/v2/sonnim/automations/run call it).
 */
#ifndef SONNIM_RULES_EXEC_H
#define SONNIM_RULES_EXEC_H
#include "http/http.h"
#include <jansson.h>
#include <stdint.h>

struct db;
struct event_row;
struct store;

/* 0, or <0 on a database error (the dispatcher retries the event). */
int rules_triggers_listener(struct db *db, const struct event_row *e);

struct automation_stats {
	int64_t tickets;	/* open tickets looked at */
	int64_t updated;	/* tickets some automation changed or notified about */
	int64_t fired;		/* automation firings in all */
};
/* Run every active automation over the open tickets at time now.  0, or
 * DB_* (what was written before the error stays: each ticket is its own
 * transaction). */
int automations_run(struct store *st, int64_t now, struct automation_stats *stats);
/* The "automations.run" job: payload {"now": optional unix time}; result
 * {"now", "tickets", "updated", "fired"}. */
int automations_run_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
			char *err, size_t errlen);
#endif
