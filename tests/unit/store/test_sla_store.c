/* test_sla_store.c - business-hours schedules, holidays and group
 * schedules (schedule_store), SLA policies and ticket clocks (sla_store),
 * and the SLA clock listener driven through real ticket writes and the
 * event dispatcher, on the engine SONNIM_TEST_DB names: unset or "sqlite" =
 * a fresh temp file, else a PostgreSQL conninfo.  Same tests, same
 * expectations on both engines.  Time is passed in (ticket_write.now), never
 * slept.
 *
 * Order: the group setup migrates once; every test gets an open store and
 * one raw connection with the tables it touches emptied; store functions
 * run on the raw connection (autocommit).
 */
#include "base/util.h"
#include "jobs/jobs.h"
#include "jobs/sla_clock.h"
#include "jobs/sla_breach.h"
#include "store/satisfaction_store.h"
#include "store/job_store.h"
#include "store/group_store.h"
#include "store/schedule_store.h"
#include "store/attachment_store.h"
#include "store/sla_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <jansson.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

static int group_setup(void **state)
{
	(void)state;
	return testdb_create("sla");
}

static int group_teardown(void **state)
{
	(void)state;
	return testdb_drop();
}

static int setup(void **state)
{
	static const char *const wipe[] = {
	    "DELETE FROM schedules",
	    "DELETE FROM schedule_holidays",
	    "DELETE FROM group_schedules",
	    "DELETE FROM agent_groups",
	    "DELETE FROM sla_policies",
	    "DELETE FROM ticket_slas",
	    "DELETE FROM sla_breach_events",
	    "DELETE FROM satisfaction_ratings",
	};
	return testdb_open(state, wipe, sizeof(wipe) / sizeof(*wipe));
}

static int teardown(void **state) { return testdb_close(state); }

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

/* ---- SLA policies and clocks ------------------------------------------- */

static int64_t add_policy(struct db *db, const char *title, const char *filter,
			  const char *metrics)
{
	struct sla_policy_row p = {0};
	p.title = strdup(title);
	p.filter = strdup(filter);
	p.policy_metrics = strdup(metrics);
	p.created_at = p.updated_at = 1700000000;
	assert_int_equal(sla_policy_store_insert(db, &p), 0);
	int64_t id = p.id;
	sla_policy_row_clear(&p);
	return id;
}

static void test_policies(void **state)
{
	struct fixture *fx = *state;
	int64_t a = add_policy(fx->db, "A", "{}", "[]"), b = add_policy(fx->db, "B", "{}", "[]");
	int64_t c = add_policy(fx->db, "C", "{}", "[]");
	struct sla_policy_row *v;
	int n;
	assert_int_equal(sla_policy_store_list(fx->db, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].id, a); /* positions 1, 2, 3 in creation order */
	assert_int_equal(v[2].position, 3);
	sla_policy_list_free(v, n);
	int64_t order[] = {c, a, b}, short_order[] = {c, a}, twice[] = {c, c, a};
	assert_int_equal(sla_policy_store_reorder(fx->db, short_order, 2, 5), 1);
	assert_int_equal(sla_policy_store_reorder(fx->db, twice, 3, 5), 1);
	assert_int_equal(sla_policy_store_reorder(fx->db, order, 3, 5), 0);
	assert_int_equal(sla_policy_store_list(fx->db, &v, &n), 0);
	assert_int_equal(v[0].id, c);
	assert_int_equal(v[1].id, a);
	assert_int_equal(v[2].id, b);
	sla_policy_list_free(v, n);
	struct sla_policy_row p;
	assert_int_equal(sla_policy_store_get(fx->db, b, &p), 0);
	free(p.title);
	p.title = strdup("B2");
	assert_int_equal(sla_policy_store_update(fx->db, &p), 0);
	sla_policy_row_clear(&p);
	assert_int_equal(sla_policy_store_get(fx->db, b, &p), 0);
	assert_string_equal(p.title, "B2");
	sla_policy_row_clear(&p);
	assert_int_equal(sla_policy_store_delete(fx->db, b), 0);
	assert_int_equal(sla_policy_store_delete(fx->db, b), 1);
	assert_int_equal(sla_policy_store_get(fx->db, b, &p), 1);
}

static void test_ticket_clock_rows(void **state)
{
	struct fixture *fx = *state;
	struct ticket_sla s = {.ticket_id = 11, .policy_id = 3, .state = "{}", .metrics = "[]",
			       .next_breach_at = 5000, .updated_at = 1};
	assert_int_equal(ticket_sla_put(fx->db, &s), 0);
	s = (struct ticket_sla){.ticket_id = 12, .state = "{}", .metrics = "[]",
				.next_breach_at = 3000, .updated_at = 1};
	assert_int_equal(ticket_sla_put(fx->db, &s), 0);
	s = (struct ticket_sla){.ticket_id = 13, .state = "{}", .metrics = "[]", .updated_at = 1};
	assert_int_equal(ticket_sla_put(fx->db, &s), 0); /* nothing active */
	int64_t *ids;
	int n;
	assert_int_equal(ticket_sla_breaching_before(fx->db, 6000, 10, &ids, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 12); /* soonest first */
	assert_int_equal(ids[1], 11);
	free(ids);
	assert_int_equal(ticket_sla_breaching_before(fx->db, 3000, 10, &ids, &n), 0);
	assert_int_equal(n, 0); /* "before": 3000 itself is not */
	free(ids);
	/* replace: 11 is no longer active */
	s = (struct ticket_sla){.ticket_id = 11, .policy_id = 3, .state = "{\"x\":1}",
				.metrics = "[1]", .updated_at = 2};
	assert_int_equal(ticket_sla_put(fx->db, &s), 0);
	struct ticket_sla got;
	assert_int_equal(ticket_sla_get(fx->db, 11, &got), 0);
	assert_int_equal(got.policy_id, 3);
	assert_int_equal(got.next_breach_at, 0);
	assert_string_equal(got.state, "{\"x\":1}");
	assert_string_equal(got.metrics, "[1]");
	ticket_sla_clear(&got);
	assert_int_equal(ticket_sla_get(fx->db, 99, &got), 1);
	assert_int_equal(ticket_sla_breaching_before(fx->db, 6000, 1, &ids, &n), 0);
	assert_int_equal(n, 1);
	free(ids);
}

/* ---- the listener through real writes ----------------------------------- */

struct people {
	int64_t requester, agent;
};

static int add_people_write(struct db *db, void *arg)
{
	struct people *p = arg;
	static int round; /* fresh addresses for every test */
	char mail[64];
	round++;
	struct user u = {0};
	u.name = strdup("고객");
	snprintf(mail, sizeof(mail), "sla-requester-%d@example.com", round);
	u.email = strdup(mail);
	u.role = ROLE_END_USER;
	u.active = 1;
	u.created_at = u.updated_at = 1;
	int rc = user_insert_write(db, &u);
	p->requester = u.id;
	user_clear(&u);
	if (rc)
		return rc;
	u = (struct user){0};
	u.name = strdup("상담원");
	snprintf(mail, sizeof(mail), "sla-agent-%d@example.com", round);
	u.email = strdup(mail);
	u.role = ROLE_ADMIN;
	u.active = 1;
	u.created_at = u.updated_at = 1;
	rc = user_insert_write(db, &u);
	p->agent = u.id;
	user_clear(&u);
	return rc;
}

/* Write one change to ticket id (0 = create) as who at now. */
static int64_t write_ticket(struct fixture *fx, int64_t who, int role, int64_t id, int64_t now,
			    const char *priority, const char *status, const char *comment)
{
	struct ticket_change c = {0};
	if (!id) {
		c.set |= TF_SUBJECT;
		c.v.subject = strdup("배송 문의");
	}
	if (priority) {
		c.set |= TF_PRIORITY;
		c.v.priority = strdup(priority);
	}
	if (status) {
		c.set |= TF_STATUS;
		c.v.status = strdup(status);
		c.set |= TF_ASSIGNEE;
		c.v.assignee_id = who; /* solving needs an assignee */
	}
	if (comment) {
		c.comment_body = strdup(comment);
		c.comment_public = 1;
	}
	struct ticket_write w = {.who = {.user_id = who, .role = role}, .id = id, .change = &c,
				 .via = "api", .now = now};
	if (store_write(fx->st, ticket_write_run, &w))
		fail_msg("ticket write: %d %s", w.status, w.err);
	int64_t out = w.result.id;
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return out;
}

static int64_t at(const char *iso)
{
	int64_t t;
	if (parse_iso8601(iso, &t))
		fail_msg("bad time %s", iso);
	return t;
}

/* The stage and breach time of metric in ticket id's clock row. */
static void metric_of(struct fixture *fx, int64_t id, const char *metric, char stage[16],
		      int64_t *breach)
{
	struct ticket_sla row;
	assert_int_equal(ticket_sla_get(fx->db, id, &row), 0);
	json_t *arr = json_loads(row.metrics, 0, NULL);
	size_t i;
	json_t *m;
	stage[0] = 0;
	*breach = -1;
	json_array_foreach(arr, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "metric")), metric))
			continue;
		snprintf(stage, 16, "%s", json_string_value(json_object_get(m, "stage")));
		*breach = json_integer_value(json_object_get(m, "breach_at"));
	}
	json_decref(arr);
	ticket_sla_clear(&row);
}

static void test_listener(void **state)
{
	struct fixture *fx = *state;
	struct server srv = {.store = fx->st};
	snprintf(srv.cfg.base_url, sizeof(srv.cfg.base_url), "http://test");
	events_dispatch(&srv); /* whatever earlier tests left */
	struct people pp;
	assert_int_equal(store_write(fx->st, add_people_write, &pp), 0);
	add_schedule(fx->db, "NY", "America/New_York", WEEKDAYS_9_17); /* the default */
	int64_t urgent = add_policy(
	    fx->db, "Urgent",
	    "{\"all\":[{\"field\":\"priority\",\"operator\":\"is\",\"value\":\"urgent\"}]}",
	    "[{\"priority\":\"urgent\",\"metric\":\"first_reply_time\",\"target\":120,"
	    "\"business_hours\":true}]");
	int64_t rest = add_policy(
	    fx->db, "Everything else", "{}",
	    "[{\"priority\":\"high\",\"metric\":\"first_reply_time\",\"target\":60,"
	    "\"business_hours\":false},"
	    "{\"priority\":\"high\",\"metric\":\"requester_wait_time\",\"target\":120,"
	    "\"business_hours\":false}]");
	int64_t fri = at("2026-03-06T16:00:00-05:00"), mon10 = at("2026-03-09T10:00:00-04:00");
	/* A: urgent, Friday 16:00 EST: 120 business minutes -> Monday 10:00 EDT */
	int64_t a = write_ticket(fx, pp.requester, ROLE_END_USER, 0, fri, "urgent", NULL, "언제 와요?");
	/* B: high, calendar: first reply in 60 minutes, requester wait 120 */
	int64_t b = write_ticket(fx, pp.requester, ROLE_END_USER, 0, fri, "high", NULL, "환불해 주세요");
	assert_true(events_dispatch(&srv) >= 4);
	struct ticket_sla row;
	assert_int_equal(ticket_sla_get(fx->db, a, &row), 0);
	assert_int_equal(row.policy_id, urgent);
	assert_int_equal(row.next_breach_at, mon10);
	ticket_sla_clear(&row);
	char stage[16];
	int64_t breach;
	metric_of(fx, a, "first_reply_time", stage, &breach);
	assert_string_equal(stage, "active");
	assert_int_equal(breach, mon10);
	assert_int_equal(ticket_sla_get(fx->db, b, &row), 0);
	assert_int_equal(row.policy_id, rest);
	assert_int_equal(row.next_breach_at, fri + 3600);
	ticket_sla_clear(&row);
	/* which tickets breach before Friday 18:00? only B */
	int64_t *ids;
	int n;
	assert_int_equal(ticket_sla_breaching_before(fx->db, fri + 7200, 10, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], b);
	free(ids);
	/* the agent answers B in public after 30 minutes: first reply achieved,
	 * the requester still waits (breach at +120 min) */
	write_ticket(fx, pp.agent, ROLE_ADMIN, b, fri + 1800, NULL, NULL, "확인해 보겠습니다");
	events_dispatch(&srv);
	metric_of(fx, b, "first_reply_time", stage, &breach);
	assert_string_equal(stage, "achieved");
	metric_of(fx, b, "requester_wait_time", stage, &breach);
	assert_string_equal(stage, "active");
	assert_int_equal(breach, fri + 7200);
	/* pending at +60: the wait clock pauses, nothing left to breach */
	write_ticket(fx, pp.agent, ROLE_ADMIN, b, fri + 3600, NULL, "pending", NULL);
	events_dispatch(&srv);
	metric_of(fx, b, "requester_wait_time", stage, &breach);
	assert_string_equal(stage, "paused");
	assert_int_equal(ticket_sla_get(fx->db, b, &row), 0);
	assert_int_equal(row.next_breach_at, 0);
	ticket_sla_clear(&row);
	/* the requester writes back Monday 09:00 EDT: open again, 60 minutes
	 * of the 120 left */
	int64_t mon9 = at("2026-03-09T09:00:00-04:00");
	write_ticket(fx, pp.agent, ROLE_ADMIN, b, mon9, NULL, "open", NULL);
	events_dispatch(&srv);
	metric_of(fx, b, "requester_wait_time", stage, &breach);
	assert_string_equal(stage, "active");
	assert_int_equal(breach, mon9 + 3600);
	/* A drops to high: the second policy applies, calendar targets from
	 * creation: its first reply was due at 17:00 Friday */
	write_ticket(fx, pp.agent, ROLE_ADMIN, a, fri + 600, "high", NULL, NULL);
	events_dispatch(&srv);
	assert_int_equal(ticket_sla_get(fx->db, a, &row), 0);
	assert_int_equal(row.policy_id, rest);
	ticket_sla_clear(&row);
	metric_of(fx, a, "first_reply_time", stage, &breach);
	assert_int_equal(breach, fri + 3600);
	/* solved: every metric achieved, nothing breaches any more */
	write_ticket(fx, pp.agent, ROLE_ADMIN, a, fri + 900, NULL, "solved", "해결했습니다");
	events_dispatch(&srv);
	metric_of(fx, a, "first_reply_time", stage, &breach);
	assert_string_equal(stage, "achieved");
	assert_int_equal(ticket_sla_breaching_before(fx->db, INT64_MAX, 10, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], b);
	free(ids);
	/* deleting B forgets its clock */
	struct ticket_delete del = {.who = {.user_id = pp.agent, .role = ROLE_ADMIN}, .id = b};
	assert_int_equal(store_write(fx->st, ticket_delete_run, &del), 0);
	attachment_shas_free(del.sha256s, del.nsha);
	events_dispatch(&srv);
	assert_int_equal(ticket_sla_get(fx->db, b, &row), 1);
}

/* A policy's new target reaches tickets already running through the
 * recompute pass, without any ticket event. */
static void test_recompute(void **state)
{
	struct fixture *fx = *state;
	struct server srv = {.store = fx->st};
	snprintf(srv.cfg.base_url, sizeof(srv.cfg.base_url), "http://test");
	events_dispatch(&srv);
	struct people pp;
	assert_int_equal(store_write(fx->st, add_people_write, &pp), 0);
	int64_t pol = add_policy(fx->db, "All", "{}",
				 "[{\"priority\":\"high\",\"metric\":\"first_reply_time\","
				 "\"target\":60,\"business_hours\":false}]");
	int64_t t0 = at("2026-03-06T10:00:00Z");
	int64_t t = write_ticket(fx, pp.requester, ROLE_END_USER, 0, t0, "high", NULL, "급해요");
	events_dispatch(&srv);
	char stage[16];
	int64_t breach;
	metric_of(fx, t, "first_reply_time", stage, &breach);
	assert_int_equal(breach, t0 + 3600);
	struct sla_policy_row p;
	assert_int_equal(sla_policy_store_get(fx->db, pol, &p), 0);
	free(p.policy_metrics);
	p.policy_metrics = strdup("[{\"priority\":\"high\",\"metric\":\"first_reply_time\","
				  "\"target\":30,\"business_hours\":false}]");
	assert_int_equal(sla_policy_store_update(fx->db, &p), 0);
	sla_policy_row_clear(&p);
	int64_t count = 0;
	assert_int_equal(sla_clock_recompute(fx->st, t0 + 60, &count), 0);
	assert_true(count >= 1);
	metric_of(fx, t, "first_reply_time", stage, &breach);
	assert_string_equal(stage, "active");
	assert_int_equal(breach, t0 + 1800);
	/* the policy goes: the clock keeps its state but no targets */
	assert_int_equal(sla_policy_store_delete(fx->db, pol), 0);
	assert_int_equal(sla_clock_recompute(fx->st, t0 + 120, &count), 0);
	struct ticket_sla row;
	assert_int_equal(ticket_sla_get(fx->db, t, &row), 0);
	assert_int_equal(row.policy_id, 0);
	assert_int_equal(row.next_breach_at, 0);
	assert_string_equal(row.metrics, "[]");
	ticket_sla_clear(&row);
}

/* Run the sla_clock listener alone over its pending events, as the
 * dispatcher does (one transaction with the cursor), so injected faults hit
 * this listener and no other.  0 or DB_*. */
struct clock_run {
	struct event_row *ev;
	int n;
};

static int clock_write(struct db *db, void *arg)
{
	struct clock_run *c = arg;
	for (int i = 0; i < c->n; i++) {
		int rc = sla_clock_listener(db, &c->ev[i]);
		if (rc < 0)
			return rc;
	}
	return c->n ? event_store_advance(db, "sla_clock", c->ev[c->n - 1].id) : 0;
}

static int run_clock(struct fixture *fx)
{
	struct clock_run c = {0};
	struct db *db = store_reader(fx->st);
	int rc = event_store_pending(db, "sla_clock", 100, &c.ev, &c.n);
	store_release(fx->st, db);
	if (!rc)
		rc = store_write(fx->st, clock_write, &c);
	event_rows_free(c.ev, c.n);
	return rc;
}

/* Injected database faults in the listener: every try either delivers the
 * events whole or leaves nothing, and the run after the faults gives the
 * same clock as if nothing had failed. */
static void test_listener_faults(void **state)
{
	struct fixture *fx = *state;
	while (run_clock(fx) == 0) { /* whatever earlier tests left */
		struct db *db = store_reader(fx->st);
		struct event_row *ev;
		int n;
		assert_int_equal(event_store_pending(db, "sla_clock", 1, &ev, &n), 0);
		store_release(fx->st, db);
		event_rows_free(ev, n);
		if (!n)
			break;
	}
	struct people pp;
	assert_int_equal(store_write(fx->st, add_people_write, &pp), 0);
	add_schedule(fx->db, "Seoul", "Asia/Seoul", WEEKDAYS_9_17);
	add_policy(fx->db, "All", "{}",
		   "[{\"priority\":\"high\",\"metric\":\"first_reply_time\",\"target\":60,"
		   "\"business_hours\":true}]");
	int64_t wed = at("2026-09-23T16:30:00+09:00"); /* 30 business minutes left that day */
	int64_t t = write_ticket(fx, pp.requester, ROLE_END_USER, 0, wed, "high", NULL, "문의");
	int64_t want = at("2026-09-24T09:30:00+09:00");
	int failed = 0, n;
	for (n = 1; n <= 60; n++) {
		db_fail_after(n);
		int rc = run_clock(fx);
		db_fail_after(0);
		struct ticket_sla row;
		int got = ticket_sla_get(fx->db, t, &row);
		if (rc) {
			failed++;
			assert_int_equal(got, 1); /* rolled back whole */
			continue;
		}
		assert_int_equal(got, 0);
		assert_int_equal(row.next_breach_at, want);
		ticket_sla_clear(&row);
		break;
	}
	print_message("faults before a clean run: %d\n", failed);
	assert_true(failed >= 5); /* the faults did land inside the listener */
	assert_true(n <= 60);
}

/* Events of type for ticket id in the outbox. */
static int64_t events_of(struct fixture *fx, const char *type, int64_t id)
{
	struct db_res *r;
	assert_int_equal(db_query(fx->db, &r, "SELECT COUNT(*) FROM events WHERE type = ?"
					       " AND ticket_id = ?",
				  "si", type, id),
			 0);
	int64_t n = db_int(r, 0, 0);
	db_res_free(r);
	return n;
}

/* The breach pass with a virtual clock: one about_to_breach inside the
 * lead, one breached after the target, each once however often it runs;
 * an achieved metric emits nothing more. */
static void test_breach_pass(void **state)
{
	struct fixture *fx = *state;
	struct server srv = {.store = fx->st};
	events_dispatch(&srv);
	struct people pp;
	assert_int_equal(store_write(fx->st, add_people_write, &pp), 0);
	add_policy(fx->db, "All", "{}",
		   "[{\"priority\":\"high\",\"metric\":\"first_reply_time\",\"target\":60,"
		   "\"business_hours\":false}]");
	int64_t t0 = 1790000000;
	int64_t a = write_ticket(fx, pp.requester, ROLE_END_USER, 0, t0, "high", NULL, "급해요");
	int64_t b = write_ticket(fx, pp.requester, ROLE_END_USER, 0, t0 + 600, "high", NULL, "저도요");
	events_dispatch(&srv);
	struct sla_breach_stats st;
	/* 30 minutes in: neither is within 10 minutes of its breach */
	assert_int_equal(sla_breach_pass(fx->st, t0 + 1800, 600, &st), 0);
	assert_int_equal(st.warned + st.breached, 0);
	/* 55 minutes in, lead 1 hour: both warned, once */
	assert_int_equal(sla_breach_pass(fx->st, t0 + 3300, 3600, &st), 0);
	assert_int_equal(st.tickets, 2);
	assert_int_equal(st.warned, 2);
	assert_int_equal(sla_breach_pass(fx->st, t0 + 3360, 3600, &st), 0);
	assert_int_equal(st.warned, 0);
	/* B is answered in time: achieved, nothing more for it */
	write_ticket(fx, pp.agent, ROLE_ADMIN, b, t0 + 3400, NULL, NULL, "답변드립니다");
	events_dispatch(&srv);
	/* 61 minutes in: A breached, once */
	assert_int_equal(sla_breach_pass(fx->st, t0 + 3660, 3600, &st), 0);
	assert_int_equal(st.breached, 1);
	assert_int_equal(sla_breach_pass(fx->st, t0 + 7200, 3600, &st), 0);
	assert_int_equal(st.breached, 0);
	assert_int_equal(events_of(fx, "sla.about_to_breach", a), 1);
	assert_int_equal(events_of(fx, "sla.breached", a), 1);
	assert_int_equal(events_of(fx, "sla.about_to_breach", b), 1);
	assert_int_equal(events_of(fx, "sla.breached", b), 0);
	/* the job takes the virtual clock too */
	json_t *res = NULL, *p = json_pack("{s:I}", "now", (json_int_t)(t0 + 9000));
	char err[128];
	assert_int_equal(sla_breach_job(&srv, 0, p, &res, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(res, "breached")), 0);
	json_decref(p);
	json_decref(res);
	/* the listeners take the new event types in stride */
	events_dispatch(&srv);
}

/* CSAT ratings: who may rate, when, replacing, the ticket's copy, the
 * event, the list filters; the survey secret exists from store_open. */
static void test_satisfaction(void **state)
{
	struct fixture *fx = *state;
	struct server srv = {.store = fx->st};
	events_dispatch(&srv);
	struct people pp;
	assert_int_equal(store_write(fx->st, add_people_write, &pp), 0);
	int64_t t0 = 1790000000;
	int64_t a = write_ticket(fx, pp.requester, ROLE_END_USER, 0, t0, "normal", NULL, "문의");
	char secret[65];
	assert_int_equal(satisfaction_secret(fx->db, secret), 0);
	assert_int_equal(strlen(secret), 64);
	struct satisfaction_rate r = {.ticket_id = a, .user_id = pp.requester, .score = "good",
				      .now = t0 + 10};
	/* not solved yet */
	assert_int_equal(store_write(fx->st, satisfaction_rate_run, &r), DB_REFUSED);
	assert_int_equal(r.status, 422);
	write_ticket(fx, pp.agent, ROLE_ADMIN, a, t0 + 100, NULL, "solved", "해결했습니다");
	/* offered once, then answered */
	assert_int_equal(satisfaction_offer(fx->db, a, t0 + 200), 0);
	assert_int_equal(satisfaction_offer(fx->db, a, t0 + 300), 0);
	struct satisfaction_rating v;
	assert_int_equal(satisfaction_get_ticket(fx->db, a, &v), 0);
	assert_string_equal(v.score, "offered");
	int64_t id = v.id;
	satisfaction_rating_clear(&v);
	/* only the requester */
	r.user_id = pp.agent;
	assert_int_equal(store_write(fx->st, satisfaction_rate_run, &r), DB_REFUSED);
	assert_int_equal(r.status, 403);
	r.user_id = pp.requester;
	r.score = "meh";
	assert_int_equal(store_write(fx->st, satisfaction_rate_run, &r), DB_REFUSED);
	assert_int_equal(r.status, 422);
	r.score = "good";
	r.now = t0 + 400;
	assert_int_equal(store_write(fx->st, satisfaction_rate_run, &r), 0);
	assert_int_equal(r.result.id, id);
	assert_string_equal(r.result.score, "good");
	satisfaction_rating_clear(&r.result);
	/* a change replaces it: same id, bad with a reason and a comment */
	r.score = "bad";
	r.comment = "답이 늦었어요";
	r.reason_code = 5;
	r.now = t0 + 500;
	assert_int_equal(store_write(fx->st, satisfaction_rate_run, &r), 0);
	assert_int_equal(r.result.id, id);
	assert_int_equal(r.result.reason_code, 5);
	satisfaction_rating_clear(&r.result);
	struct ticket t;
	assert_int_equal(ticket_store_get(fx->db, a, &t), 0);
	assert_int_equal(t.satisfaction_id, id);
	assert_string_equal(t.satisfaction_score, "bad");
	assert_string_equal(t.satisfaction_comment, "답이 늦었어요");
	ticket_clear(&t);
	/* unknown reason codes are refused */
	r.reason_code = 42;
	assert_int_equal(store_write(fx->st, satisfaction_rate_run, &r), DB_REFUSED);
	r.reason_code = 0;
	/* the list and its filters */
	struct satisfaction_filter f = {.score = "bad_with_comment", .win = {.limit = 10}};
	struct satisfaction_rating *list;
	int n;
	assert_int_equal(satisfaction_list(fx->db, &f, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].ticket_id, a);
	satisfaction_list_free(list, n);
	f.score = "good";
	assert_int_equal(satisfaction_list(fx->db, &f, &list, &n), 0);
	assert_int_equal(n, 0);
	satisfaction_list_free(list, n);
	f.score = NULL;
	f.start_time = t0 + 501;
	assert_int_equal(satisfaction_list(fx->db, &f, &list, &n), 0);
	assert_int_equal(n, 0);
	satisfaction_list_free(list, n);
	f.start_time = t0 + 500;
	f.end_time = t0 + 500;
	assert_int_equal(satisfaction_list(fx->db, &f, &list, &n), 0);
	assert_int_equal(n, 1);
	satisfaction_list_free(list, n);
	assert_false(satisfaction_filter_score_ok("great"));
	/* closed: within 28 days of solving, not after */
	write_ticket(fx, pp.agent, ROLE_ADMIN, a, t0 + 600, NULL, "closed", NULL);
	r.score = "good";
	r.now = t0 + 100 + 27 * 86400;
	assert_int_equal(store_write(fx->st, satisfaction_rate_run, &r), 0);
	satisfaction_rating_clear(&r.result);
	r.now = t0 + 100 + 29 * 86400;
	assert_int_equal(store_write(fx->st, satisfaction_rate_run, &r), DB_REFUSED);
	assert_int_equal(r.status, 422);
	/* every answer is a ticket.updated event the listeners take */
	struct db_res *res;
	assert_int_equal(db_query(fx->db, &res, "SELECT COUNT(*) FROM events WHERE type ="
						 " 'ticket.updated' AND ticket_id = ? AND payload LIKE ?",
				  "is", a, "%satisfaction_score%"),
			 0);
	assert_int_equal(db_int(res, 0, 0), 3);
	db_res_free(res);
	events_dispatch(&srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_schedule_crud, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_schedules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_holidays_and_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_policies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ticket_clock_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_listener, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_listener_faults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recompute, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_breach_pass, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_satisfaction, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/sla", tests, group_setup, group_teardown);
}
