/* test_webhook_store.c - webhooks and their delivery log in the database
 * (store/webhook_store.h), on the engine SONNIM_TEST_DB names ("sqlite" or
 * unset = a temp file, else a PostgreSQL conninfo with a fresh database).
 *
 * Covers: insert/get/update with secrets kept; list by status, by name
 * (LIKE wildcards taken literally) and by keyset pages; delete leaves a
 * tombstone (never read back, id never reused); the secret reset; the
 * attempt log grouped by invocation; the failure counter: a success resets
 * it, WEBHOOK_FAILURE_LIMIT failures in a row deactivate once, an admin's
 * re-activation starts over.  Writes go through store_write().
 */
#include "store/store.h"
#include "store/webhook_store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char url[1024], path[512];
static struct store *st;

static int setup(void **state)
{
	const char *e = getenv("SONNIM_TEST_DB");
	if (!e || !*e || !strcmp(e, "sqlite")) {
		snprintf(path, sizeof(path), "/tmp/sonnim-test-webhooks-%d.db", (int)getpid());
		unlink(path);
		snprintf(url, sizeof(url), "sqlite:%s", path);
	} else {
		snprintf(url, sizeof(url), "%s", e);
	}
	char err[512] = "";
	st = store_open(url, 0, 2, err, sizeof(err));
	if (!st)
		fail_msg("store_open: %s", err);
	return 0;
}

static int teardown(void **state)
{
	store_close(st);
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

static void make(struct webhook *w, const char *name, const char *status)
{
	memset(w, 0, sizeof(*w));
	w->name = strdup(name);
	w->endpoint = strdup("https://example.com/hook");
	w->http_method = strdup("POST");
	w->request_format = strdup("json");
	w->status = strdup(status);
	w->subscriptions = strdup("[\"sonnim:ticket.created\"]");
	w->auth_type = strdup("bearer_token");
	w->auth_data = strdup("{\"token\":\"t-1\"}");
	w->signing_secret = strdup("secret-1234567890");
	w->created_by = w->updated_by = 1;
	w->created_at = w->updated_at = 1000;
}

static int insert_write(struct db *db, void *p) { return webhook_store_insert(db, p); }
static int update_write(struct db *db, void *p) { return webhook_store_update(db, p); }
static int delete_write(struct db *db, void *p) { return webhook_store_delete(db, *(int64_t *)p); }

static int64_t add(const char *name, const char *status)
{
	struct webhook w;
	make(&w, name, status);
	assert_int_equal(store_write(st, insert_write, &w), 0);
	int64_t id = w.id;
	assert_true(id > 0);
	webhook_clear(&w);
	return id;
}

static int get(int64_t id, struct webhook *w)
{
	struct db *db = store_reader(st);
	int rc = webhook_store_get(db, id, w);
	store_release(st, db);
	return rc;
}

static int list(const char *status, const char *name, int64_t after, int limit)
{
	struct webhook *v;
	int n;
	struct db *db = store_reader(st);
	assert_int_equal(webhook_store_list(db, status, name, after, limit, &v, &n), 0);
	store_release(st, db);
	webhook_list_free(v, n);
	return n;
}

static void test_crud(void **state)
{
	int64_t a = add("주문 연동", "active"), b = add("100% ready_x", "inactive");
	add("other", "active");
	struct webhook w = {0};
	assert_int_equal(get(a, &w), 0);
	assert_string_equal(w.name, "주문 연동");
	assert_string_equal(w.auth_data, "{\"token\":\"t-1\"}");
	assert_string_equal(w.signing_secret, "secret-1234567890");
	assert_null(w.description);
	free(w.name);
	w.name = strdup("renamed");
	w.description = strdup("설명");
	w.updated_at = 2000;
	assert_int_equal(store_write(st, update_write, &w), 0);
	webhook_clear(&w);
	assert_int_equal(get(a, &w), 0);
	assert_string_equal(w.name, "renamed");
	assert_string_equal(w.description, "설명");
	assert_int_equal(w.updated_at, 2000);
	assert_int_equal(w.created_at, 1000);
	webhook_clear(&w);

	assert_int_equal(list(NULL, NULL, 0, 100), 3);
	assert_int_equal(list("active", NULL, 0, 100), 2);
	assert_int_equal(list("inactive", NULL, 0, 100), 1);
	assert_int_equal(list(NULL, "100%", 0, 100), 1); /* % is a character here */
	assert_int_equal(list(NULL, "y_x", 0, 100), 1);
	assert_int_equal(list(NULL, "_", 0, 100), 1);
	assert_int_equal(list(NULL, "RENAMED", 0, 100), 1);
	assert_int_equal(list(NULL, NULL, 0, 2), 2);
	assert_int_equal(list(NULL, NULL, b, 100), 1);

	/* delete: gone for every reader, and its id is never given out again */
	int64_t last = add("last", "active");
	assert_int_equal(store_write(st, delete_write, &last), 0);
	assert_int_equal(get(last, &w), 1);
	assert_int_equal(store_write(st, delete_write, &last), 1);
	assert_int_equal(list(NULL, NULL, 0, 100), 3);
	int64_t next = add("next", "active");
	assert_true(next > last);
}

struct secret_arg {
	int64_t id;
	const char *s;
};

static int secret_write(struct db *db, void *p)
{
	struct secret_arg *a = p;
	return webhook_store_set_secret(db, a->id, a->s, 3000);
}

static void test_secret(void **state)
{
	int64_t a = add("s", "active");
	struct secret_arg arg = {a, "new-secret-abcdefgh"};
	assert_int_equal(store_write(st, secret_write, &arg), 0);
	struct webhook w = {0};
	assert_int_equal(get(a, &w), 0);
	assert_string_equal(w.signing_secret, "new-secret-abcdefgh");
	webhook_clear(&w);
	arg.id = 999999;
	assert_int_equal(store_write(st, secret_write, &arg), 1);
}

struct rec {
	struct webhook_attempt a;
	int deactivated;
};

static int record_write(struct db *db, void *p)
{
	struct rec *r = p;
	return webhook_store_record(db, &r->a, 5000, &r->deactivated);
}

static int record(int64_t hook, int64_t inv, int attempt, const char *status, int code)
{
	struct rec r = {{.webhook_id = hook, .invocation_id = inv, .attempt = attempt,
			 .status = (char *)status, .status_code = code, .duration_ms = 12,
			 .response_body = (char *)"응답 body", .error = code == 200 ? NULL : (char *)"HTTP 500",
			 .event_id = 77, .ticket_id = 5, .created_at = 4000 + attempt},
		      .deactivated = 0};
	assert_int_equal(store_write(st, record_write, &r), 0);
	assert_true(r.a.id > 0);
	return r.deactivated;
}

static void test_log_and_deactivation(void **state)
{
	int64_t h = add("log", "active");
	assert_int_equal(record(h, 10, 1, "retrying", 500), 0);
	assert_int_equal(record(h, 10, 2, "success", 200), 0);
	assert_int_equal(record(h, 11, 1, "failed", 404), 0);
	struct webhook_attempt *v;
	int n;
	struct db *db = store_reader(st);
	assert_int_equal(webhook_store_attempts(db, h, 0, 100, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].invocation_id, 11); /* newest invocation first */
	assert_int_equal(v[1].invocation_id, 10);
	assert_int_equal(v[1].attempt, 1);	  /* attempts in order */
	assert_string_equal(v[2].status, "success");
	assert_string_equal(v[2].response_body, "응답 body");
	assert_null(v[2].error);
	assert_int_equal(v[2].event_id, 77);
	webhook_attempts_free(v, n);
	assert_int_equal(webhook_store_attempts(db, h, 10, 100, &v, &n), 0);
	assert_int_equal(n, 2);
	webhook_attempts_free(v, n);
	assert_int_equal(webhook_store_attempts(db, h, 0, 1, &v, &n), 0);
	assert_int_equal(n, 1); /* the newest invocation only */
	webhook_attempts_free(v, n);
	store_release(st, db);

	/* one failure so far (11); a success resets; then LIMIT in a row */
	struct webhook w = {0};
	assert_int_equal(get(h, &w), 0);
	assert_int_equal(w.failure_count, 1);
	webhook_clear(&w);
	assert_int_equal(record(h, 12, 1, "success", 200), 0);
	for (int i = 1; i < WEBHOOK_FAILURE_LIMIT; i++)
		assert_int_equal(record(h, 100 + i, 1, "failed", 500), 0);
	assert_int_equal(get(h, &w), 0);
	assert_string_equal(w.status, "active");
	assert_int_equal(w.failure_count, WEBHOOK_FAILURE_LIMIT - 1);
	webhook_clear(&w);
	assert_int_equal(record(h, 200, 1, "failed", 500), 1); /* the tenth */
	assert_int_equal(get(h, &w), 0);
	assert_string_equal(w.status, "inactive");
	assert_non_null(strstr(w.deactivated_reason, "10 consecutive"));
	assert_int_equal(w.updated_at, 5000);
	assert_int_equal(record(h, 201, 1, "failed", 500), 0); /* only once */
	/* an admin turns it back on (webhook_apply clears the count) */
	free(w.status);
	w.status = strdup("active");
	w.failure_count = 0;
	free(w.deactivated_reason);
	w.deactivated_reason = NULL;
	assert_int_equal(store_write(st, update_write, &w), 0);
	webhook_clear(&w);
	assert_int_equal(record(h, 202, 1, "failed", 500), 0);
	assert_int_equal(get(h, &w), 0);
	assert_string_equal(w.status, "active");
	assert_int_equal(w.failure_count, 1);
	webhook_clear(&w);

	/* deleting drops the log */
	assert_int_equal(store_write(st, delete_write, &h), 0);
	db = store_reader(st);
	assert_int_equal(webhook_store_attempts(db, h, 0, 100, &v, &n), 0);
	assert_int_equal(n, 0);
	store_release(st, db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_crud, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secret, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_log_and_deactivation, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/webhook", tests, NULL, NULL);
}
