/* test_jobs.c - the durable job queue and the event outbox, on the engine
 * SONNIM_TEST_DB names ("sqlite" or unset = a temp file, else a PostgreSQL
 * conninfo with a fresh database).
 *
 * Covers: enqueue -> claim -> done; failures retried with backoff, then
 * dead (the dead-letter list) and retried by an admin; an expired lease is
 * claimed again (a worker that died); bulk ticket jobs produce Zendesk
 * job_status results; and the outbox: events written with the ticket change
 * are delivered after commit, once, and still delivered after a "crash"
 * (store closed before the dispatcher ran).  Time is passed in, never slept.
 */
#include "jobs/jobs.h"
#include "store/job_store.h"
#include "store/metric_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char url[1024], path[512];
static struct server srv;

static void open_store(void)
{
	char err[512] = "";
	srv.store = store_open(url, 0, 2, err, sizeof(err));
	if (!srv.store)
		fail_msg("store_open: %s", err);
}

static int setup(void **state)
{
	const char *e = getenv("SONNIM_TEST_DB");
	if (!e || !*e || !strcmp(e, "sqlite")) {
		snprintf(path, sizeof(path), "/tmp/sonnim-test-jobs-%d.db", (int)getpid());
		unlink(path);
		snprintf(url, sizeof(url), "sqlite:%s", path);
	} else {
		snprintf(url, sizeof(url), "%s", e);
	}
	snprintf(srv.cfg.base_url, sizeof(srv.cfg.base_url), "http://test");
	open_store();
	return 0;
}

static int teardown(void **state)
{
	store_close(srv.store);
	if (path[0]) {
		char p[600];
		unlink(path);
		snprintf(p, sizeof(p), "%s-wal", path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", path);
		unlink(p);
	}
	return 0;
}

struct enq {
	const char *kind, *payload;
	int64_t run_at, id;
	int max;
};

static int enq_write(struct db *db, void *p)
{
	struct enq *e = p;
	if (e->max)
		return job_store_enqueue(db, e->kind, e->payload, e->run_at, e->max, e->run_at,
					 &e->id);
	return jobs_enqueue(db, e->kind, e->payload, e->run_at, &e->id);
}

static void get_job(int64_t id, struct job *j)
{
	struct db *db = store_reader(srv.store);
	assert_int_equal(job_store_get(db, id, j), 0);
	store_release(srv.store, db);
}

struct claim {
	int64_t now;
	struct job j;
	int rc;
};

static int claim_write(struct db *db, void *p)
{
	struct claim *c = p;
	c->rc = job_store_claim(db, "t", c->now, 300, &c->j);
	return c->rc < 0 ? c->rc : 0;
}

static void test_retry_backoff_dead(void **state)
{
	/* a kind without a handler fails at once and is dead: dead letter */
	struct enq e = {.kind = "no.such.kind", .payload = "{}", .run_at = 1000};
	assert_int_equal(store_write(srv.store, enq_write, &e), 0);
	assert_int_equal(jobs_run_one(&srv, "w1", 1000), 1);
	struct job j = {0};
	get_job(e.id, &j);
	assert_string_equal(j.state, "dead");
	assert_non_null(strstr(j.last_error, "no handler"));
	job_clear(&j);

	/* a handled kind with a bad payload is retried with backoff */
	struct enq f = {.kind = "tickets.create_many", .payload = "{\"x\":1}", .run_at = 2000,
			.max = 3};
	assert_int_equal(store_write(srv.store, enq_write, &f), 0);
	assert_int_equal(jobs_run_one(&srv, "w1", 2000), 1);
	get_job(f.id, &j);
	assert_string_equal(j.state, "queued");
	assert_int_equal(j.attempts, 1);
	assert_int_equal(j.run_at, 2000 + 30);
	job_clear(&j);
	assert_int_equal(jobs_run_one(&srv, "w1", 2010), 0); /* not due yet */
	assert_int_equal(jobs_run_one(&srv, "w1", 2030), 1);
	get_job(f.id, &j);
	assert_int_equal(j.run_at, 2030 + 60); /* doubled */
	job_clear(&j);
	assert_int_equal(jobs_run_one(&srv, "w1", 2090), 1);
	get_job(f.id, &j);
	assert_string_equal(j.state, "dead");
	assert_int_equal(j.attempts, 3);
	job_clear(&j);

	/* the dead-letter list shows both; retry puts one back */
	struct db *db = store_reader(srv.store);
	struct job *v;
	int n;
	assert_int_equal(job_store_list(db, "dead", 10, &v, &n), 0);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++)
		job_clear(&v[i]);
	free(v);
	store_release(srv.store, db);
}

static void test_lease_expiry(void **state)
{
	struct enq e = {.kind = "tickets.create_many", .payload = "{}", .run_at = 5000, .max = 5};
	assert_int_equal(store_write(srv.store, enq_write, &e), 0);
	struct claim c = {.now = 5000};
	assert_int_equal(store_write(srv.store, claim_write, &c), 0);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.j.id, e.id);
	job_clear(&c.j);
	/* the worker "died": nobody can claim it within the lease ... */
	struct claim c2 = {.now = 5100};
	assert_int_equal(store_write(srv.store, claim_write, &c2), 0);
	assert_int_equal(c2.rc, 1);
	/* ... and after it, it runs again */
	struct claim c3 = {.now = 5301};
	assert_int_equal(store_write(srv.store, claim_write, &c3), 0);
	assert_int_equal(c3.rc, 0);
	assert_int_equal(c3.j.id, e.id);
	assert_int_equal(c3.j.attempts, 2);
	job_clear(&c3.j);
}

struct mk {
	int64_t id, requester;
	const char *type, *status;
	int64_t problem;
};

static int add_user_write(struct db *db, void *p)
{
	struct mk *m = p;
	struct user u = {0};
	u.name = strdup("Agent");
	u.email = strdup("agent-jobs@example.com");
	u.role = ROLE_ADMIN;
	u.active = 1;
	u.created_at = u.updated_at = 1;
	int rc = user_insert_write(db, &u);
	m->requester = u.id;
	user_clear(&u);
	return rc;
}

static int64_t ticket(int64_t user, const char *type, int64_t problem, int64_t id,
		      const char *status)
{
	struct ticket_change c = {0};
	if (!id) {
		c.set = TF_SUBJECT | TF_TYPE;
		c.v.subject = strdup(type);
		c.v.type = strdup(type);
		c.comment_body = strdup("body");
		c.comment_public = 1;
	}
	if (problem) {
		c.set |= TF_PROBLEM;
		c.v.problem_id = problem;
	}
	if (status) {
		c.set |= TF_STATUS;
		c.v.status = strdup(status);
	}
	struct ticket_write w = {.who = {.user_id = user, .role = ROLE_ADMIN}, .id = id,
				 .change = &c, .via = "api", .now = 100};
	int rc = store_write(srv.store, ticket_write_run, &w);
	if (rc)
		fail_msg("ticket write: %d %s", w.status, w.err);
	int64_t out = w.result.id;
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return out;
}

static const char *status_of(int64_t id, char *buf)
{
	struct ticket t = {0};
	struct db *db = store_reader(srv.store);
	assert_int_equal(ticket_store_get(db, id, &t), 0);
	store_release(srv.store, db);
	snprintf(buf, 16, "%s", t.status);
	ticket_clear(&t);
	return buf;
}

static void test_outbox_after_crash(void **state)
{
	struct mk m = {0};
	assert_int_equal(store_write(srv.store, add_user_write, &m), 0);
	int64_t p = ticket(m.requester, "problem", 0, 0, NULL);
	int64_t i1 = ticket(m.requester, "incident", p, 0, NULL);
	int64_t i2 = ticket(m.requester, "incident", p, 0, NULL);
	events_dispatch(&srv); /* deliver the creation events */
	ticket(m.requester, "problem", 0, p, "solved");
	/* solving a problem solves its incidents in the same transaction */
	char b[16];
	assert_string_equal(status_of(i1, b), "solved");
	assert_string_equal(status_of(i2, b), "solved");
	/* "crash": the process goes away before the dispatcher runs */
	store_close(srv.store);
	open_store();
	struct ticket_metric tm;
	struct db *db = store_reader(srv.store);
	assert_int_equal(metric_store_get(db, p, &tm), 0);
	assert_int_equal(tm.solved_at, 0); /* not delivered yet */
	store_release(srv.store, db);
	assert_true(events_dispatch(&srv) >= 3);
	db = store_reader(srv.store);
	assert_int_equal(metric_store_get(db, p, &tm), 0);
	assert_int_equal(tm.solved_at, 100);
	assert_int_equal(tm.reopens, 0);
	store_release(srv.store, db);
	/* delivered once: a second pass finds nothing new */
	assert_int_equal(events_dispatch(&srv), 0);
}

static void test_bulk_create_job(void **state)
{
	struct db *db = store_reader(srv.store);
	struct user u = {0};
	assert_int_equal(user_store_by_email(db, "agent-jobs@example.com", &u), 0);
	store_release(srv.store, db);
	char payload[512];
	snprintf(payload, sizeof(payload),
		 "{\"actor\":{\"user_id\":%lld,\"role\":2},\"tickets\":[{\"subject\":\"첫째\","
		 "\"comment\":{\"body\":\"a\"}},{\"subject\":\"bad\",\"status\":\"nope\","
		 "\"comment\":{\"body\":\"b\"}}]}",
		 (long long)u.id);
	user_clear(&u);
	struct enq e = {.kind = "tickets.create_many", .payload = payload, .run_at = 1};
	assert_int_equal(store_write(srv.store, enq_write, &e), 0);
	int ran = 0;
	while (jobs_run_one(&srv, "w", 10) == 1) /* earlier tests' jobs may be due too */
		ran++;
	assert_true(ran >= 1);
	struct job j = {0};
	get_job(e.id, &j);
	assert_string_equal(j.state, "done");
	json_t *res = json_loads(j.result, 0, NULL);
	assert_int_equal(json_array_size(res), 2);
	assert_true(json_is_true(json_object_get(json_array_get(res, 0), "success")));
	assert_true(json_is_false(json_object_get(json_array_get(res, 1), "success")));
	json_decref(res);
	job_clear(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_backoff_dead),
		cmocka_unit_test(test_lease_expiry),
		cmocka_unit_test(test_outbox_after_crash),
		cmocka_unit_test(test_bulk_create_job),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
