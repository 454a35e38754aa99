/* test_portal_store.c - the customer portal's rate-limit events, one-time
 * sign-in tokens and status-link secret (store/portal_store.h) on the
 * engine SONNIM_TEST_DB names (unset or "sqlite" = a fresh temp file, else
 * a PostgreSQL conninfo); the same expectations on both engines.
 */
#include "base/buf.h"
#include "core/hc.h"
#include "core/markdown.h"
#include "store/portal_store.h"
#include "store/hc_store.h"
#include "store/store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

static int group_setup(void **state)
{
	(void)state;
	return testdb_create("portal");
}

static int group_teardown(void **state)
{
	(void)state;
	return testdb_drop();
}

static int setup(void **state)
{
	static const char *const wipe[] = {
	    "DELETE FROM hc_categories",	"DELETE FROM hc_sections",
	    "DELETE FROM hc_articles",		"DELETE FROM hc_translations",
	    "DELETE FROM hc_article_labels",	"DELETE FROM hc_votes",
	    "DELETE FROM hc_search_misses",	"DELETE FROM hc_article_fts",
	    "DELETE FROM portal_rate_events", "DELETE FROM portal_login_tokens",
	    "DELETE FROM settings WHERE name = 'portal_secret'",
	};
	return testdb_open(state, wipe, sizeof(wipe) / sizeof(*wipe));
}

static int teardown(void **state) { return testdb_close(state); }


static void test_rate_events(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t n = -1;
	assert_int_equal(portal_rate_count(db, "form-ip:127.0.0.1", 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(portal_rate_add(db, "form-ip:127.0.0.1", 1000), 0);
	assert_int_equal(portal_rate_add(db, "form-ip:127.0.0.1", 2000), 0);
	assert_int_equal(portal_rate_add(db, "form-ip:10.0.0.1", 2000), 0);
	assert_int_equal(portal_rate_count(db, "form-ip:127.0.0.1", 0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(portal_rate_count(db, "form-ip:127.0.0.1", 1500, &n), 0);
	assert_int_equal(n, 1);
	/* a day later the old events of that key are gone */
	assert_int_equal(portal_rate_add(db, "form-ip:127.0.0.1", 2000 + 86400), 0);
	assert_int_equal(portal_rate_count(db, "form-ip:127.0.0.1", 0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(portal_rate_count(db, "form-ip:10.0.0.1", 0, &n), 0);
	assert_int_equal(n, 1);
}

static void test_login_tokens(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	char a[65], b[65];
	memset(a, 'a', 64), a[64] = '\0';
	memset(b, 'b', 64), b[64] = '\0';
	assert_int_equal(portal_login_token_add(db, a, 42, 1000), 0);
	assert_int_equal(portal_login_token_add(db, b, 43, 1000), 0);
	int64_t uid = 0;
	assert_int_equal(portal_login_token_use(db, b, 1000, &uid), 1); /* expired */
	assert_int_equal(portal_login_token_use(db, a, 999, &uid), 0);
	assert_int_equal(uid, 42);
	assert_int_equal(portal_login_token_use(db, a, 999, &uid), 1); /* once */
	char c[65];
	memset(c, 'c', 64), c[64] = '\0';
	assert_int_equal(portal_login_token_use(db, c, 1, &uid), 1);
}

static void test_secret(void **state)
{
	struct fixture *fx = *state;
	char f1[65], f2[65], out[65];
	memset(f1, '1', 64), f1[64] = '\0';
	memset(f2, '2', 64), f2[64] = '\0';
	assert_int_equal(portal_secret(fx->db, f1, out), 0);
	assert_string_equal(out, f1);
	assert_int_equal(portal_secret(fx->db, f2, out), 0);
	assert_string_equal(out, f1); /* made once, then kept */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rate_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_login_tokens, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secret, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/portal", tests, group_setup, group_teardown);
}
