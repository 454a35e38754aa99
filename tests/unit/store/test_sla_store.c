/* test_sla_store.c - business-hours schedules, holidays and group
 * schedules (schedule_store) on the engine SONNIM_TEST_DB names: unset or
 * "sqlite" = a fresh temp file, else a PostgreSQL conninfo.  Same tests,
 * same expectations on both engines.
 *
 * Order: the group setup migrates once; every test gets an open store and
 * one raw connection with the tables it touches emptied; store functions
 * run on the raw connection (autocommit).
 */
#include "store/group_store.h"
#include "store/schedule_store.h"
#include "store/store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_url[1024], g_path[512];

struct fixture {
	struct store *st;
	struct db *db;
};

static void remove_db_files(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[600];
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

static int group_setup(void **state)
{
	(void)state;
	const char *env = getenv("SONNIM_TEST_DB");
	if (!env || !*env || !strcmp(env, "sqlite")) {
		const char *dir = getenv("TMPDIR");
		snprintf(g_path, sizeof(g_path), "%s/sonnim-test-sla-XXXXXX",
			 dir && *dir ? dir : "/tmp");
		int fd = mkstemp(g_path);
		if (fd < 0)
			return -1;
		close(fd);
		snprintf(g_url, sizeof(g_url), "sqlite:%s", g_path);
	} else {
		snprintf(g_url, sizeof(g_url), "%s", env);
	}
	print_message("engine: %s\n", g_path[0] ? "sqlite" : "postgresql");
	char err[512] = "";
	struct store *st = store_open(g_url, 0, 1, err, sizeof(err));
	if (!st) {
		print_error("store_open: %s\n", err);
		return -1;
	}
	store_close(st);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (g_path[0])
		remove_db_files(g_path);
	return 0;
}

static int setup(void **state)
{
	static const char *const wipe[] = {
	    "DELETE FROM schedules",
	    "DELETE FROM schedule_holidays",
	    "DELETE FROM group_schedules",
	    "DELETE FROM agent_groups",
	};
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512] = "";
	fx->st = store_open(g_url, 0, 1, err, sizeof(err));
	fx->db = fx->st ? db_open(g_url, 0, err, sizeof(err)) : NULL;
	if (!fx->db) {
		print_error("open: %s\n", err);
		if (fx->st)
			store_close(fx->st);
		free(fx);
		return -1;
	}
	for (size_t i = 0; i < sizeof(wipe) / sizeof(*wipe); i++)
		if (db_exec(fx->db, wipe[i])) {
			print_error("%s: %s\n", wipe[i], db_errmsg(fx->db));
			return -1;
		}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	db_close(fx->db);
	store_close(fx->st);
	free(fx);
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

static int64_t add_group(struct db *db, const char *name)
{
	struct group g = {0};
	g.name = strdup(name);
	g.is_public = 1;
	g.created_at = g.updated_at = 1700000000;
	assert_int_equal(group_store_insert(db, &g), 0);
	int64_t id = g.id;
	group_clear(&g);
	return id;
}

static int64_t add_schedule(struct db *db, const char *name, const char *tz, const char *iv)
{
	struct schedule_row s = {0};
	s.name = strdup(name);
	s.time_zone = strdup(tz);
	s.intervals = strdup(iv);
	s.created_at = s.updated_at = 1700000000;
	assert_int_equal(schedule_store_insert(db, &s), 0);
	int64_t id = s.id;
	schedule_row_clear(&s);
	return id;
}

#define WEEKDAYS_9_17                                                                              \
	"[{\"start_time\":1980,\"end_time\":2460},{\"start_time\":3420,\"end_time\":3900},"        \
	"{\"start_time\":4860,\"end_time\":5340},{\"start_time\":6300,\"end_time\":6780},"         \
	"{\"start_time\":7740,\"end_time\":8220}]"

/* ---- schedules --------------------------------------------------------- */

static void test_schedule_crud(void **state)
{
	struct fixture *fx = *state;
	int64_t a = add_schedule(fx->db, "Seoul", "Asia/Seoul", WEEKDAYS_9_17);
	int64_t b = add_schedule(fx->db, "New York", "America/New_York", "[]");
	struct schedule_row s;
	assert_int_equal(schedule_store_get(fx->db, a, &s), 0);
	assert_string_equal(s.name, "Seoul");
	assert_string_equal(s.time_zone, "Asia/Seoul");
	assert_true(s.is_default); /* the first one */
	schedule_row_clear(&s);
	assert_int_equal(schedule_store_get(fx->db, b, &s), 0);
	assert_false(s.is_default);
	free(s.name);
	s.name = strdup("NYC");
	s.updated_at = 1700000100;
	assert_int_equal(schedule_store_update(fx->db, &s), 0);
	schedule_row_clear(&s);
	struct schedule_row *v;
	int n;
	assert_int_equal(schedule_store_list(fx->db, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, a);
	assert_string_equal(v[1].name, "NYC");
	schedule_list_free(v, n);
	/* make b default: a loses the flag */
	assert_int_equal(schedule_store_make_default(fx->db, b, 1700000200), 0);
	assert_int_equal(schedule_store_get(fx->db, a, &s), 0);
	assert_false(s.is_default);
	schedule_row_clear(&s);
	/* deleting the default hands it to the oldest left */
	assert_int_equal(schedule_store_delete(fx->db, b, 1700000300), 0);
	assert_int_equal(schedule_store_delete(fx->db, b, 1700000300), 1);
	assert_int_equal(schedule_store_get(fx->db, a, &s), 0);
	assert_true(s.is_default);
	schedule_row_clear(&s);
	assert_int_equal(schedule_store_get(fx->db, 999999, &s), 1);
}

static void test_group_schedules(void **state)
{
	struct fixture *fx = *state;
	int64_t g1 = add_group(fx->db, "Support"), g2 = add_group(fx->db, "Billing");
	int64_t id;
	assert_int_equal(schedule_store_for_group(fx->db, g1, &id), 1); /* none at all */
	int64_t def = add_schedule(fx->db, "Default", "Asia/Seoul", WEEKDAYS_9_17);
	int64_t ny = add_schedule(fx->db, "NY", "America/New_York", WEEKDAYS_9_17);
	assert_int_equal(schedule_store_for_group(fx->db, g1, &id), 0);
	assert_int_equal(id, def);
	assert_int_equal(schedule_store_for_group(fx->db, 0, &id), 0);
	assert_int_equal(id, def);
	int64_t gs[] = {g1, g2};
	assert_int_equal(schedule_store_set_groups(fx->db, ny, gs, 2), 0);
	assert_int_equal(schedule_store_for_group(fx->db, g1, &id), 0);
	assert_int_equal(id, ny);
	/* a group has one schedule: giving g2 to def takes it from ny */
	assert_int_equal(schedule_store_set_groups(fx->db, def, &g2, 1), 0);
	assert_int_equal(schedule_store_for_group(fx->db, g2, &id), 0);
	assert_int_equal(id, def);
	struct schedule_row s;
	assert_int_equal(schedule_store_get(fx->db, ny, &s), 0);
	assert_int_equal(s.ngroups, 1);
	assert_int_equal(s.group_ids[0], g1);
	schedule_row_clear(&s);
	int64_t nope = 999999;
	assert_int_equal(schedule_store_set_groups(fx->db, ny, &nope, 1), DB_CONSTRAINT);
	/* deleting ny sends g1 back to the default */
	assert_int_equal(schedule_store_delete(fx->db, ny, 1700000300), 0);
	assert_int_equal(schedule_store_for_group(fx->db, g1, &id), 0);
	assert_int_equal(id, def);
}

static void test_holidays_and_open(void **state)
{
	struct fixture *fx = *state;
	int64_t s = add_schedule(fx->db, "Seoul", "Asia/Seoul", WEEKDAYS_9_17);
	struct holiday_row h = {.schedule_id = s, .created_at = 1, .updated_at = 1};
	h.name = strdup("Chuseok");
	snprintf(h.start_date, sizeof(h.start_date), "2026-09-24");
	snprintf(h.end_date, sizeof(h.end_date), "2026-09-25");
	assert_int_equal(holiday_store_insert(fx->db, &h), 0);
	int64_t hid = h.id;
	holiday_row_clear(&h);
	h = (struct holiday_row){.schedule_id = s, .created_at = 1, .updated_at = 1};
	h.name = strdup("New Year");
	snprintf(h.start_date, sizeof(h.start_date), "2026-01-01");
	snprintf(h.end_date, sizeof(h.end_date), "2026-01-01");
	assert_int_equal(holiday_store_insert(fx->db, &h), 0);
	holiday_row_clear(&h);
	struct holiday_row *v;
	int n;
	assert_int_equal(holiday_store_list(fx->db, s, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "New Year"); /* by date */
	assert_string_equal(v[1].end_date, "2026-09-25");
	holiday_list_free(v, n);
	assert_int_equal(holiday_store_get(fx->db, s, hid, &h), 0);
	snprintf(h.end_date, sizeof(h.end_date), "2026-09-26");
	assert_int_equal(holiday_store_update(fx->db, &h), 0);
	holiday_row_clear(&h);
	assert_int_equal(holiday_store_get(fx->db, s + 1, hid, &h), 1); /* other schedule */
	/* the opened schedule knows its zone, hours and holidays */
	struct schedule sc;
	assert_int_equal(schedule_store_open(fx->db, s, &sc), 0);
	int64_t wed_10 = 1790125200; /* 2026-09-23T10:00:00+09:00 */
	assert_true(schedule_within(&sc, wed_10));
	assert_false(schedule_within(&sc, wed_10 + 86400)); /* Chuseok */
	int64_t out;
	assert_int_equal(schedule_add(&sc, wed_10, 8 * 3600, &out), 0);
	assert_int_equal(out, wed_10 + 5 * 86400); /* 7 h Wed (09-17); Thu-Sat Chuseok, Sun; 1 h Mon: 10:00 */
	schedule_release(&sc);
	assert_int_equal(schedule_store_open(fx->db, 999999, &sc), 1);
	assert_int_equal(holiday_store_delete(fx->db, s, hid), 0);
	assert_int_equal(holiday_store_delete(fx->db, s, hid), 1);
	/* deleting the schedule takes its holidays */
	assert_int_equal(schedule_store_delete(fx->db, s, 2), 0);
	assert_int_equal(holiday_store_list(fx->db, s, &v, &n), 0);
	assert_int_equal(n, 0);
	holiday_list_free(v, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_schedule_crud, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_schedules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_holidays_and_open, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/sla", tests, group_setup, group_teardown);
}
