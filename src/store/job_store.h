/* job_store.h - SQL for the job queue and the event outbox cursors. */
#ifndef SONNIM_JOB_STORE_H
#define SONNIM_JOB_STORE_H
#include "store/db.h"

struct job {
	int64_t id;
	char *kind, *payload, *state, *last_error, *result;
	int attempts, max_attempts, progress, total;
	int64_t run_at, created_at, updated_at;
};
void job_clear(struct job *j);

int job_store_enqueue(struct db *db, const char *kind, const char *payload, int64_t run_at,
		      int max_attempts, int64_t now, int64_t *id);
/* Claim the next ready job for worker (lease until now+lease).  0 and *out
 * filled, 1 when none is ready. */
int job_store_claim(struct db *db, const char *worker, int64_t now, int64_t lease,
		    struct job *out);
/* Record a running job's progress: items done and the results so far. */
int job_store_progress(struct db *db, int64_t id, int done, const char *result);
/* Queue again the running jobs whose worker names start with prefix (a
 * process known to be dead); returns 0 or DB_*. */
int job_store_release_worker(struct db *db, const char *prefix);
/* Distinct worker names holding running jobs: *out is an array of *n owned
 * strings (free each and the array). */
int job_store_workers(struct db *db, char ***out, int *n);
int job_store_finish(struct db *db, int64_t id, const char *result, int64_t now);
/* Record a failure: queued again at retry_at, or dead when out of attempts. */
int job_store_fail(struct db *db, int64_t id, const char *error, int64_t retry_at, int dead,
		   int64_t now);
int job_store_get(struct db *db, int64_t id, struct job *out);
/* Jobs in a state (NULL = any), newest first. */
int job_store_list(struct db *db, const char *state, int limit, struct job **out, int *n);
int job_store_count(struct db *db, const char *state, int64_t *n);
/* Put a dead job back in the queue. */
int job_store_retry(struct db *db, int64_t id, int64_t now);

struct event_row {
	int64_t id, ticket_id, actor_id, created_at;
	char *type, *payload;
};
/* Events after the listener's cursor, at most limit, in id order. */
int event_store_pending(struct db *db, const char *listener, int limit, struct event_row **out,
			int *n);
/* Events with id > after, at most limit, in id order (the SSE hub's poll;
 * it reads no listener cursor and writes nothing). */
int event_store_after(struct db *db, int64_t after, int limit, struct event_row **out, int *n);
/* The newest event's id (0 when there is none) into *id. */
int event_store_last_id(struct db *db, int64_t *id);
int event_store_advance(struct db *db, const char *listener, int64_t last_id);
void event_rows_free(struct event_row *v, int n);
#endif
