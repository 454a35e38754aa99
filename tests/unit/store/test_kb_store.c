/* test_kb_store.c - knowledge capture in the database (store/kb_store.h)
 * on the engine SONNIM_TEST_DB names (unset or "sqlite": a temp file;
 * else a PostgreSQL conninfo): reads by user and by visitor, summed per
 * article and cut at a time; a ticket's visitor; article requests. */
#include "store/kb_store.h"
#include "store/store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

static struct db *g_db;

static int group_setup(void **state)
{
	(void)state;
	if (testdb_pick("kb"))
		return -1;
	char err[512] = "";
	struct store *st = store_open(g_url, 0, 1, err, sizeof(err));
	if (!st) {
		print_error("store_open: %s\n", err);
		return -1;
	}
	store_close(st);
	g_db = db_open(g_url, 0, err, sizeof(err));
	if (!g_db)
		return -1;
	static const char *const wipe[] = {"DELETE FROM hc_article_reads",
					   "DELETE FROM hc_ticket_visitors",
					   "DELETE FROM hc_article_requests"};
	for (size_t i = 0; i < sizeof(wipe) / sizeof(*wipe); i++)
		if (db_exec(g_db, wipe[i]))
			return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	db_close(g_db);
	if (g_path[0])
		remove_db_files(g_path);
	return 0;
}

static const char V1[] = "1111111111111111111111111111111111111111111111111111111111111111";
static const char V2[] = "2222222222222222222222222222222222222222222222222222222222222222";

static void test_reads(void **state)
{
	(void)state;
	struct db *db = g_db;
	assert_int_equal(kb_read_add(db, 10, 7, NULL, 1000), 0);
	assert_int_equal(kb_read_add(db, 11, 0, V1, 1100), 0);
	assert_int_equal(kb_read_add(db, 10, 0, V1, 1200), 0);
	assert_int_equal(kb_read_add(db, 12, 0, V2, 1300), 0); /* someone else */
	assert_int_equal(kb_read_add(db, 13, 0, NULL, 1400), 0);	/* nobody: not kept */
	assert_int_equal(kb_read_add(db, 14, 7, NULL, 5000), 0);	/* later */
	struct kb_read *v;
	int n;
	assert_int_equal(kb_reads(db, 7, V1, 2000, 10, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].article_id, 10); /* latest first */
	assert_int_equal(v[0].viewed_at, 1200);
	assert_int_equal(v[0].views, 2);
	assert_int_equal(v[1].article_id, 11);
	free(v);
	assert_int_equal(kb_reads(db, 7, NULL, 9000, 1, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].article_id, 14);
	free(v);
	assert_int_equal(kb_reads(db, 0, NULL, 9000, 10, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	char out[65];
	assert_int_equal(kb_ticket_visitor_get(db, 5, out), 1);
	assert_int_equal(kb_ticket_visitor_set(db, 5, V1), 0);
	assert_int_equal(kb_ticket_visitor_set(db, 5, V2), 0);
	assert_int_equal(kb_ticket_visitor_get(db, 5, out), 0);
	assert_string_equal(out, V2);
}

static void test_requests(void **state)
{
	(void)state;
	struct db *db = g_db;
	struct kb_request q = {.ticket_id = 3, .requester_id = 2, .title = strdup("Printers"),
			       .note = strdup("asked twice"), .created_at = 1000};
	assert_int_equal(kb_request_insert(db, &q), 0);
	assert_true(q.id > 0);
	assert_string_equal(q.status, "open");
	struct kb_request d = {.requester_id = 2, .title = strdup("Scanners"), .note = strdup(""),
			       .created_at = 1001};
	snprintf(d.status, sizeof(d.status), "drafted");
	d.article_id = 44;
	assert_int_equal(kb_request_insert(db, &d), 0);
	struct kb_request *v;
	int n;
	int64_t c;
	assert_int_equal(kb_request_list(db, "open", 0, 10, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].title, "Printers");
	assert_int_equal(v[0].ticket_id, 3);
	kb_request_list_free(v, n);
	assert_int_equal(kb_request_list(db, NULL, 0, 10, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, d.id); /* newest first */
	assert_int_equal(v[0].article_id, 44);
	assert_int_equal(v[0].ticket_id, 0);
	kb_request_list_free(v, n);
	assert_int_equal(kb_request_count(db, NULL, &c), 0);
	assert_int_equal(c, 2);
	snprintf(q.status, sizeof(q.status), "done");
	q.article_id = 45;
	q.updated_at = 2000;
	assert_int_equal(kb_request_update(db, &q), 0);
	struct kb_request g = {0};
	assert_int_equal(kb_request_get(db, q.id, &g), 0);
	assert_string_equal(g.status, "done");
	assert_int_equal(g.article_id, 45);
	assert_int_equal(g.updated_at, 2000);
	kb_request_clear(&g);
	assert_int_equal(kb_request_count(db, "open", &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(kb_request_get(db, 999999, &g), 1);
	struct kb_request none = {.id = 999999, .updated_at = 1};
	snprintf(none.status, sizeof(none.status), "done");
	assert_int_equal(kb_request_update(db, &none), 1);
	assert_true(kb_request_status_ok("declined"));
	assert_false(kb_request_status_ok("maybe"));
	assert_false(kb_request_status_ok(NULL));
	kb_request_clear(&q);
	kb_request_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reads),
	    cmocka_unit_test(test_requests),
	};
	return cmocka_run_group_tests_name("store/kb", tests, group_setup, group_teardown);
}
