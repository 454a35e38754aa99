/* jobs.c - worker threads, the event dispatcher, and their tables.
 *
 * One loop per worker thread: deliver pending events, then run ready jobs
 * until none is left, then sleep until kicked or 500 ms pass.  All writes go
 * through store_write(), so a job's bookkeeping commits with its effects
 * where the handler lets it (handlers that change tickets commit those in
 * their own writes; the job is marked done after, so a crash in between
 * runs the job again - handlers are idempotent or say why not).
 *
 * The scheduler: a table of entries {name, job kind, period}.  Each worker
 * loop calls schedule_tick(), which at most once a minute per process
 * claims the due entries in one write (store/rule_store.h schedule_claim:
 * the row's next run moves forward only for the process whose UPDATE
 * changed it) and queues their jobs in the same transaction, so with many
 * worker processes each entry still runs once per period.
 */
#include "jobs/jobs.h"
#include "api/api.h"
#include "base/log.h"
#include "base/util.h"
#include "store/job_store.h"
#include "store/rule_store.h"
#include "store/ticket_store.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern const struct job_handler job_handlers[];
extern const struct listener event_listeners[];

static pthread_t threads[8];
static int nthreads, stopping;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kick = PTHREAD_COND_INITIALIZER;

void jobs_kick(void)
{
	pthread_mutex_lock(&lock);
	pthread_cond_broadcast(&kick);
	pthread_mutex_unlock(&lock);
}

struct enqueue_arg {
	const char *kind, *payload;
	int64_t run_at, id;
};

int jobs_enqueue(struct db *db, const char *kind, const char *payload, int64_t run_at,
		 int64_t *id)
{
	int max = 5;
	for (const struct job_handler *h = job_handlers; h->kind; h++)
		if (!strcmp(h->kind, kind))
			max = h->max_attempts;
	return job_store_enqueue(db, kind, payload, run_at, max, now_seconds(), id);
}

struct claim_arg {
	const char *worker;
	int64_t now;
	struct job job;
	int found;
};

static int claim_write(struct db *db, void *p)
{
	struct claim_arg *a = p;
	int rc = job_store_claim(db, a->worker, a->now, 300, &a->job);
	if (rc < 0)
		return rc;
	a->found = rc == 0;
	return 0;
}

struct done_arg {
	int64_t id, now, retry_at;
	int dead, ok;
	const char *result, *error;
};

static int done_write(struct db *db, void *p)
{
	struct done_arg *a = p;
	if (a->ok)
		return job_store_finish(db, a->id, a->result, a->now);
	return job_store_fail(db, a->id, a->error, a->retry_at, a->dead, a->now);
}

int jobs_run_one(struct server *s, const char *worker, int64_t now)
{
	struct claim_arg c = {.worker = worker, .now = now};
	int rc = store_write(s->store, claim_write, &c);
	if (rc < 0)
		return rc;
	if (!c.found)
		return 0;
	const struct job_handler *h = job_handlers;
	while (h->kind && strcmp(h->kind, c.job.kind))
		h++;
	char err[512] = "";
	json_t *result = NULL;
	int ok = 0;
	json_t *payload = json_loads(c.job.payload, 0, NULL);
	int hrc = -1;
	if (!h->kind)
		snprintf(err, sizeof(err), "no handler for job kind '%s'", c.job.kind);
	else if (!payload)
		snprintf(err, sizeof(err), "job payload is not JSON");
	else
		ok = (hrc = h->fn(s, c.job.id, payload, &result, err, sizeof(err))) == 0;
	json_decref(payload);
	int64_t backoff = 30LL << (c.job.attempts < 7 ? c.job.attempts - 1 : 6);
	if (backoff > 3600)
		backoff = 3600;
	json_int_t asked = ok ? 0 : json_integer_value(json_object_get(result, "retry_after"));
	if (asked >= 1 && asked <= 3600)
		backoff = asked;
	if (!ok) { /* a failure's result only carries the retry delay */
		json_decref(result);
		result = NULL;
	}
	char *res = result ? json_dumps(result, JSON_COMPACT) : NULL;
	json_decref(result);
	struct done_arg d = {.id = c.job.id, .now = now, .ok = ok, .result = res, .error = err,
			     .retry_at = now + backoff,
			     .dead = !h->kind || hrc == JOB_PERMANENT ||
				     c.job.attempts >= c.job.max_attempts};
	if (!ok)
		log_warn("jobs", "job=%lld kind=%s attempt=%d error=\"%s\"%s", (long long)c.job.id,
			 c.job.kind, c.job.attempts, err, d.dead ? " dead=1" : "");
	rc = store_write(s->store, done_write, &d);
	free(res);
	job_clear(&c.job);
	return rc < 0 ? rc : 1;
}

struct release_arg {
	const char *prefix;
};

static int release_write(struct db *db, void *p)
{
	struct release_arg *a = p;
	return job_store_release_worker(db, a->prefix);
}

struct dispatch_arg {
	const struct listener *l;
	struct event_row *ev;
	int n, delivered;
};

static int dispatch_write(struct db *db, void *p)
{
	struct dispatch_arg *a = p;
	for (int i = 0; i < a->n; i++) {
		int rc = a->l->fn(db, &a->ev[i]);
		if (rc < 0)
			return rc;
		a->delivered++;
	}
	return a->n ? event_store_advance(db, a->l->name, a->ev[a->n - 1].id) : 0;
}

int events_dispatch(struct server *s)
{
	int total = 0;
	for (const struct listener *l = event_listeners; l->name; l++) {
		for (;;) {
			struct dispatch_arg a = {.l = l};
			struct db *db = store_reader(s->store);
			int rc = event_store_pending(db, l->name, 100, &a.ev, &a.n);
			store_release(s->store, db);
			if (rc || !a.n) {
				event_rows_free(a.ev, a.n);
				break;
			}
			rc = store_write(s->store, dispatch_write, &a);
			event_rows_free(a.ev, a.n);
			if (rc) {
				log_warn("events", "listener=%s failed; will retry", l->name);
				break;
			}
			total += a.delivered;
		}
	}
	return total;
}

/* ---- the scheduler ------------------------------------------------------------ */

static const struct sched_entry {
	const char *name;	/* the row in scheduler_entries */
	const char *kind;	/* the job queued when it is due */
	int64_t period;		/* seconds between runs */
} schedule[] = {
	{"automations", "automations.run", 3600},
	{"sla_breaches", "sla.breach_check", 60},	/* jobs/sla_breach.h */
	{"messenger_signals", "messenger.prune_signals", 600},	/* store/messenger_store.h */
};

static int schedule_write(struct db *db, void *p)
{
	int64_t now = *(int64_t *)p;
	for (size_t i = 0; i < ARRAY_SIZE(schedule); i++) {
		int rc = schedule_claim(db, schedule[i].name, now, schedule[i].period);
		if (rc == 1)
			rc = jobs_enqueue(db, schedule[i].kind, "{}", now, NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void schedule_tick(struct server *s)
{
	static pthread_mutex_t tick_lock = PTHREAD_MUTEX_INITIALIZER;
	static int64_t next_check;
	int64_t now = now_seconds();
	pthread_mutex_lock(&tick_lock);
	int due = now >= next_check;
	if (due)
		next_check = now + 60;
	pthread_mutex_unlock(&tick_lock);
	if (due)
		store_write(s->store, schedule_write, &now);
}

/* "HOST/PID/": the start of this process's worker names. */
static void worker_prefix(char *out, size_t n)
{
	char host[64] = "localhost";
	gethostname(host, sizeof(host) - 1);
	snprintf(out, n, "%s/%d/", host, (int)getpid());
}

static void *worker_main(void *p)
{
	struct server *s = p;
	char name[128];
	worker_prefix(name, sizeof(name));
	snprintf(name + strlen(name), sizeof(name) - strlen(name), "%lx",
		 (unsigned long)pthread_self());
	for (;;) {
		pthread_mutex_lock(&lock);
		int stop = stopping;
		pthread_mutex_unlock(&lock);
		if (stop)
			break;
		events_dispatch(s);
		schedule_tick(s);
		while (jobs_run_one(s, name, now_seconds()) > 0) {
			pthread_mutex_lock(&lock);
			stop = stopping;
			pthread_mutex_unlock(&lock);
			if (stop)
				break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 500 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&lock);
		if (!stopping)
			pthread_cond_timedwait(&kick, &lock, &ts);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/* Jobs left running by a process of this host that is gone (kill -9, a
 * crash) go back to the queue at once instead of waiting out their lease. */
static void release_orphans(struct server *s)
{
	char mine[128], host[64] = "localhost";
	gethostname(host, sizeof(host) - 1);
	worker_prefix(mine, sizeof(mine));
	struct db *db = store_reader(s->store);
	char **names = NULL;
	int n = 0;
	int rc = job_store_workers(db, &names, &n);
	store_release(s->store, db);
	for (int i = 0; !rc && i < n; i++) {
		char *h = names[i], *slash = strchr(h, '/');
		long pid = slash ? strtol(slash + 1, NULL, 10) : 0;
		if (!slash || (size_t)(slash - h) != strlen(host) || strncmp(h, host, slash - h) ||
		    pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		char prefix[128];
		snprintf(prefix, sizeof(prefix), "%s/%ld/", host, pid);
		struct release_arg a = {.prefix = prefix};
		store_write(s->store, release_write, &a);
		log_info("jobs", "released the jobs of gone worker process %ld", pid);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void jobs_start(struct server *s)
{
	release_orphans(s);
	int n = s->cfg.workers < 1 ? 1 : s->cfg.workers > 8 ? 8 : s->cfg.workers;
	stopping = 0;
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, worker_main, s))
			die("cannot start job workers");
}

void jobs_stop(struct server *s)
{
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_broadcast(&kick);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}

void jobs_metrics(struct server *s, struct buf *b)
{
	static const char *const states[] = {"queued", "running", "done", "dead"};
	struct db *db = store_reader(s->store);
	buf_adds(b, "# HELP sonnim_jobs Jobs by state.\n# TYPE sonnim_jobs gauge\n");
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		int64_t n = 0;
		job_store_count(db, states[i], &n);
		buf_addf(b, "sonnim_jobs{state=\"%s\"} %lld\n", states[i], (long long)n);
	}
	store_release(s->store, db);
}
