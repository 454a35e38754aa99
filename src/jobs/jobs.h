/* jobs.h - the durable job queue, its workers, and the event dispatcher.
 *
 * Jobs: a row in `jobs` (kind, JSON payload, run_at).  jobs_enqueue() is
 * called inside a write transaction, so a job exists exactly when the change
 * that asked for it committed.  Workers claim one ready job at a time
 * (state queued -> running, with a lease), run its handler, and record done
 * (with a JSON result) or a failure: retried with exponential backoff
 * (30 s x 2^attempt, at most 1 h) until max_attempts, then `dead` - the
 * dead-letter list admins see at /api/v2/sonnim/jobs.json?state=dead.  A
 * worker that dies mid-job leaves a lease that expires; the job runs again.
 *
 * Events: the dispatcher reads `events` after each listener's cursor, in id
 * order, runs the listener, and advances the cursor in the same
 * transaction as the listener's own writes.  A crash before that commit
 * re-delivers (at-least-once); listeners are written to be idempotent.
 */
#ifndef SONNIM_JOBS_H
#define SONNIM_JOBS_H
#include "http/http.h"
#include <jansson.h>

/* Handler: do the work for payload; on success return 0 and optionally set
 * *result (owned JSON, stolen); on failure return -1 with err (retried with
 * backoff until max_attempts), or JOB_PERMANENT with err (dead at once:
 * retrying cannot help).  A failing handler may set *result to
 * {"retry_after": seconds} to be retried after that delay (1..3600)
 * instead of the backoff step (a server's Retry-After). */
#define JOB_PERMANENT (-2)
struct job_handler {
	const char *kind;
	int (*fn)(struct server *s, int64_t job_id, json_t *payload, json_t **result, char *err,
		  size_t errlen);
	int max_attempts;
};

/* A listener: runs inside the dispatcher's write transaction, which also
 * advances its cursor, so a listener that only writes to the database sees
 * each event exactly once.  Return 0, or <0 to be retried later. */
struct event_row;
struct listener {
	const char *name;
	int (*fn)(struct db *db, const struct event_row *e);
};

/* Queue a job inside the caller's transaction; *id may be NULL. */
int jobs_enqueue(struct db *db, const char *kind, const char *payload_json, int64_t run_at,
		 int64_t *id);
/* Run one ready job now (used by workers and tests); 1 if one ran, 0 if
 * none was ready, <0 on a database error.  now is the clock to use. */
int jobs_run_one(struct server *s, const char *worker, int64_t now);
/* Deliver pending events to every listener once; returns events delivered. */
int events_dispatch(struct server *s);

void jobs_start(struct server *s);
void jobs_stop(struct server *s);
void jobs_metrics(struct server *s, struct buf *b);
/* Wake the workers (a job was queued). */
void jobs_kick(void);
#endif
