/* test_sla.c - SLA policies (parse, match) and the SLA clock (fold,
 * evaluate), pure.  Every breach time is worked out by hand in the comment
 * beside it; the calendar facts are those of test_schedule.c (2026-03-06 is
 * a Friday, New York moves to EDT on Sunday 03-08; Seoul is +09:00 all
 * year; 2026-09-23 is a Wednesday before Chuseok).
 */
#include "testutil.h"
#include "base/util.h"
#include "core/sla.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t at(const char *iso)
{
	int64_t t;
	if (parse_iso8601(iso, &t))
		fail_msg("bad time %s", iso);
	return t;
}

static void policy(struct sla_policy *p, const char *filter, const char *metrics)
{
	json_t *f = json_loads(filter, 0, NULL), *m = json_loads(metrics, 0, NULL);
	char err[512];
	if (sla_policy_parse(f, m, p, err, sizeof(err)))
		fail_msg("policy: %s", err);
	json_decref(f);
	json_decref(m);
}

static int parse_fails(const char *filter, const char *metrics)
{
	json_t *f = json_loads(filter, 0, NULL), *m = json_loads(metrics, 0, NULL);
	struct sla_policy p;
	char err[512];
	int rc = sla_policy_parse(f, m, &p, err, sizeof(err));
	json_decref(f);
	json_decref(m);
	if (!rc)
		sla_policy_clear(&p);
	return rc == -1;
}

/* ---- policies ---------------------------------------------------------- */

static void test_parse_errors(void **state)
{
	assert_true(parse_fails("{\"all\":[{\"field\":\"colour\",\"operator\":\"is\",\"value\":\"x\"}]}",
				"[]"));
	assert_true(parse_fails("{\"all\":[{\"field\":\"type\",\"operator\":\"less_than\","
				"\"value\":\"task\"}]}",
				"[]"));
	assert_true(parse_fails("{\"all\":[{\"field\":\"status\",\"operator\":\"includes\","
				"\"value\":\"open\"}]}",
				"[]"));
	assert_true(parse_fails("[]", "[]"));
	assert_true(parse_fails("{}", "[{\"priority\":\"asap\",\"metric\":\"first_reply_time\","
				      "\"target\":60,\"business_hours\":false}]"));
	assert_true(parse_fails("{}", "[{\"priority\":\"high\",\"metric\":\"resolution\","
				      "\"target\":60,\"business_hours\":false}]"));
	assert_true(parse_fails("{}", "[{\"priority\":\"high\",\"metric\":\"first_reply_time\","
				      "\"target\":0,\"business_hours\":false}]"));
	assert_true(parse_fails("{}", "[{\"priority\":\"high\",\"metric\":\"first_reply_time\","
				      "\"target\":60,\"business_hours\":\"yes\"}]"));
	assert_false(parse_fails("{\"all\":[],\"any\":[]}", "[]"));
	assert_false(parse_fails("null", "null"));
}

struct match_case {
	const char *filter;
	int want;
	const char *why;
};

static void test_match(void **state)
{
	char *tags[] = {"vip", "배송"};
	struct sla_ticket t = {.status = "open", .priority = "high", .type = "incident",
			       .via = "email", .group_id = 7, .assignee_id = 0,
			       .organization_id = 12, .requester_id = 99, .tags = tags, .ntags = 2};
	static const struct match_case cases[] = {
	    {"{}", 1, "no conditions: every ticket"},
	    {"{\"all\":[{\"field\":\"priority\",\"operator\":\"is\",\"value\":\"high\"}]}", 1, "is"},
	    {"{\"all\":[{\"field\":\"priority\",\"operator\":\"is_not\",\"value\":\"high\"}]}", 0,
	     "is_not"},
	    {"{\"all\":[{\"field\":\"priority\",\"operator\":\"greater_than\",\"value\":\"normal\"}]}",
	     1, "high > normal"},
	    {"{\"all\":[{\"field\":\"priority\",\"operator\":\"less_than\",\"value\":\"high\"}]}", 0,
	     "high is not < high"},
	    {"{\"all\":[{\"field\":\"status\",\"operator\":\"less_than\",\"value\":\"solved\"}]}", 1,
	     "open < solved"},
	    {"{\"all\":[{\"field\":\"type\",\"operator\":\"is\",\"value\":\"incident\"}]}", 1, "type"},
	    {"{\"all\":[{\"field\":\"group_id\",\"operator\":\"is\",\"value\":7}]}", 1,
	     "a number value"},
	    {"{\"all\":[{\"field\":\"group_id\",\"operator\":\"is\",\"value\":\"8\"}]}", 0,
	     "another group"},
	    {"{\"all\":[{\"field\":\"assignee_id\",\"operator\":\"is\",\"value\":\"\"}]}", 1,
	     "unassigned is the empty value"},
	    {"{\"all\":[{\"field\":\"assignee_id\",\"operator\":\"is\",\"value\":null}]}", 1,
	     "null too"},
	    {"{\"all\":[{\"field\":\"organization_id\",\"operator\":\"is\",\"value\":12},"
	     "{\"field\":\"requester_id\",\"operator\":\"is\",\"value\":99}]}",
	     1, "all of two"},
	    {"{\"all\":[{\"field\":\"current_tags\",\"operator\":\"includes\",\"value\":\"gold vip\"}]}",
	     1, "includes: any word"},
	    {"{\"all\":[{\"field\":\"current_tags\",\"operator\":\"includes\",\"value\":\"gold\"}]}", 0,
	     "includes: none of them"},
	    {"{\"all\":[{\"field\":\"current_tags\",\"operator\":\"not_includes\",\"value\":\"spam\"}]}",
	     1, "not_includes"},
	    {"{\"all\":[{\"field\":\"tags\",\"operator\":\"not_includes\",\"value\":\"x 배송\"}]}", 0,
	     "not_includes with a Korean tag present"},
	    {"{\"all\":[{\"field\":\"via\",\"operator\":\"is\",\"value\":\"email\"}]}", 1, "channel"},
	    {"{\"any\":[{\"field\":\"via\",\"operator\":\"is\",\"value\":\"web\"},"
	     "{\"field\":\"priority\",\"operator\":\"is\",\"value\":\"high\"}]}",
	     1, "any: one of two"},
	    {"{\"any\":[{\"field\":\"via\",\"operator\":\"is\",\"value\":\"web\"}]}", 0,
	     "any: none"},
	    {"{\"all\":[{\"field\":\"type\",\"operator\":\"is\",\"value\":\"incident\"}],"
	     "\"any\":[{\"field\":\"via\",\"operator\":\"is\",\"value\":\"web\"}]}",
	     0, "all holds, any does not"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sla_policy p;
		policy(&p, cases[i].filter, "[]");
		int got = sla_policy_match(&p, &t);
		sla_policy_clear(&p);
		if (got != cases[i].want)
			fail_msg("match %s: got %d (%s)", cases[i].filter, got, cases[i].why);
	}
}

/* ---- the clock --------------------------------------------------------- */

static void created(struct sla_state *s, int64_t t, const char *status, struct schedule *sch)
{
	struct sla_event e = {.kind = SLA_EV_CREATED, .at = t, .status = status};
	sla_state_init(s);
	sla_fold(s, &e, sch);
}

static void status(struct sla_state *s, int64_t t, const char *st, struct schedule *sch)
{
	struct sla_event e = {.kind = SLA_EV_STATUS, .at = t, .status = st};
	sla_fold(s, &e, sch);
}

static void comment(struct sla_state *s, int64_t t, int by_agent, int pub, struct schedule *sch)
{
	struct sla_event e = {.kind = SLA_EV_COMMENT, .at = t, .by_agent = by_agent,
			      .comment_public = pub};
	sla_fold(s, &e, sch);
}

/* The status of metric under p for priority at now; fails when absent. */
static struct sla_metric_status get(const struct sla_state *s, const struct sla_policy *p,
				    const char *prio, struct schedule *sch, int64_t now, int metric)
{
	struct sla_metric_status out[SLA_NMETRICS];
	int n = sla_evaluate(s, p, prio, sch, now, out);
	for (int i = 0; i < n; i++)
		if (out[i].metric == metric)
			return out[i];
	fail_msg("metric %s not reported", sla_metric_name(metric));
	return out[0];
}

static const char calendar_targets[] =
	"[{\"priority\":\"high\",\"metric\":\"first_reply_time\",\"target\":60,\"business_hours\":false},"
	"{\"priority\":\"high\",\"metric\":\"next_reply_time\",\"target\":30,\"business_hours\":false},"
	"{\"priority\":\"high\",\"metric\":\"periodic_update_time\",\"target\":240,\"business_hours\":false},"
	"{\"priority\":\"high\",\"metric\":\"requester_wait_time\",\"target\":120,\"business_hours\":false},"
	"{\"priority\":\"high\",\"metric\":\"agent_work_time\",\"target\":90,\"business_hours\":false},"
	"{\"priority\":\"normal\",\"metric\":\"first_reply_time\",\"target\":480,\"business_hours\":false}]";

static void test_first_reply_calendar(void **state)
{
	struct sla_policy p;
	policy(&p, "{}", calendar_targets);
	struct sla_state s;
	int64_t t0 = at("2026-03-06T10:00:00Z");
	created(&s, t0, "new", NULL);
	struct sla_metric_status m = get(&s, &p, "high", NULL, t0 + 600, SLA_FIRST_REPLY);
	assert_int_equal(m.stage, SLA_STAGE_ACTIVE);
	assert_int_equal(m.breach_at, t0 + 3600); /* 60 calendar minutes */
	assert_false(m.breached);
	/* the priority decides the target: normal is 8 hours */
	m = get(&s, &p, "normal", NULL, t0, SLA_FIRST_REPLY);
	assert_int_equal(m.breach_at, t0 + 8 * 3600);
	/* an internal note is no reply; an end-user comment neither */
	comment(&s, t0 + 900, 1, 0, NULL);
	comment(&s, t0 + 1000, 0, 1, NULL);
	m = get(&s, &p, "high", NULL, t0 + 1000, SLA_FIRST_REPLY);
	assert_int_equal(m.stage, SLA_STAGE_ACTIVE);
	/* past the target, still active: breached */
	m = get(&s, &p, "high", NULL, t0 + 3600, SLA_FIRST_REPLY);
	assert_true(m.breached);
	comment(&s, t0 + 1800, 1, 1, NULL); /* the public reply, 30 minutes in */
	m = get(&s, &p, "high", NULL, t0 + 7200, SLA_FIRST_REPLY);
	assert_int_equal(m.stage, SLA_STAGE_ACHIEVED);
	assert_false(m.breached);
	assert_int_equal(m.breach_at, 0);
	/* a late reply: achieved, but breached */
	created(&s, t0, "new", NULL);
	comment(&s, t0 + 5400, 1, 1, NULL);
	m = get(&s, &p, "high", NULL, t0 + 5400, SLA_FIRST_REPLY);
	assert_int_equal(m.stage, SLA_STAGE_ACHIEVED);
	assert_true(m.breached);
	/* no priority, or a priority without targets: nothing applies */
	struct sla_metric_status out[SLA_NMETRICS];
	assert_int_equal(sla_evaluate(&s, &p, NULL, NULL, t0, out), 0);
	assert_int_equal(sla_evaluate(&s, &p, "low", NULL, t0, out), 0);
	assert_int_equal(sla_evaluate(&s, NULL, "high", NULL, t0, out), 0);
	sla_policy_clear(&p);
}

static void test_requester_wait_and_agent_work(void **state)
{
	struct sla_policy p;
	policy(&p, "{}", calendar_targets);
	struct sla_state s;
	int64_t t0 = at("2026-03-06T10:00:00Z");
	created(&s, t0, "new", NULL);
	/* RWT 120 min: 30 min new, pending (paused) for 9.5 h, open again */
	status(&s, t0 + 1800, "pending", NULL);
	struct sla_metric_status m = get(&s, &p, "high", NULL, t0 + 3600, SLA_REQUESTER_WAIT);
	assert_int_equal(m.stage, SLA_STAGE_PAUSED);
	assert_int_equal(m.breach_at, 0);
	status(&s, t0 + 36000, "open", NULL);
	m = get(&s, &p, "high", NULL, t0 + 36000, SLA_REQUESTER_WAIT);
	assert_int_equal(m.stage, SLA_STAGE_ACTIVE);
	assert_int_equal(m.breach_at, t0 + 36000 + 5400); /* 90 minutes left */
	/* on-hold: the requester still waits, the agent's work clock pauses */
	status(&s, t0 + 36000 + 600, "hold", NULL);
	m = get(&s, &p, "high", NULL, t0 + 37000, SLA_REQUESTER_WAIT);
	assert_int_equal(m.stage, SLA_STAGE_ACTIVE);
	assert_int_equal(m.breach_at, t0 + 36000 + 5400);
	m = get(&s, &p, "high", NULL, t0 + 37000, SLA_AGENT_WORK);
	assert_int_equal(m.stage, SLA_STAGE_PAUSED);
	/* solved after 1 h in total of open+hold: RWT 30 + 60 = 90 min < 120 */
	status(&s, t0 + 36000 + 3600, "solved", NULL);
	m = get(&s, &p, "high", NULL, t0 + 40000, SLA_REQUESTER_WAIT);
	assert_int_equal(m.stage, SLA_STAGE_ACHIEVED);
	assert_false(m.breached);
	/* AWT 90 min: 30 (new) + 10 (open) = 40 min: achieved in time */
	m = get(&s, &p, "high", NULL, t0 + 40000, SLA_AGENT_WORK);
	assert_int_equal(m.stage, SLA_STAGE_ACHIEVED);
	assert_false(m.breached);
	/* the first reply never came: solving achieves it (late: 10.5 h) */
	m = get(&s, &p, "high", NULL, t0 + 40000, SLA_FIRST_REPLY);
	assert_int_equal(m.stage, SLA_STAGE_ACHIEVED);
	assert_true(m.breached);
	/* reopened: RWT resumes with 90 min used, 30 left */
	int64_t t1 = t0 + 86400;
	status(&s, t1, "open", NULL);
	m = get(&s, &p, "high", NULL, t1, SLA_REQUESTER_WAIT);
	assert_int_equal(m.stage, SLA_STAGE_ACTIVE);
	assert_int_equal(m.breach_at, t1 + 1800);
	/* AWT resumes with 40 used, 50 left */
	m = get(&s, &p, "high", NULL, t1, SLA_AGENT_WORK);
	assert_int_equal(m.breach_at, t1 + 3000);
	/* the state survives a dump and load */
	char *text = sla_state_dump(&s);
	struct sla_state back;
	assert_int_equal(sla_state_load(&back, text), 0);
	free(text);
	assert_memory_equal(&back, &s, sizeof(s));
	assert_int_equal(sla_state_load(&back, "{\"m\":[]}"), -1);
	assert_int_equal(sla_state_load(&back, NULL), -1);
	sla_policy_clear(&p);
}

static void test_next_reply_and_periodic(void **state)
{
	struct sla_policy p;
	policy(&p, "{}", calendar_targets);
	struct sla_state s;
	int64_t t0 = at("2026-03-06T10:00:00Z");
	struct sla_metric_status out[SLA_NMETRICS];
	created(&s, t0, "new", NULL);
	comment(&s, t0 + 60, 0, 1, NULL); /* the requester adds more before any reply */
	int n = sla_evaluate(&s, &p, "high", NULL, t0 + 60, out);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(out[i].metric, SLA_NEXT_REPLY); /* first reply covers it */
	comment(&s, t0 + 600, 1, 1, NULL); /* first reply */
	struct sla_metric_status m = get(&s, &p, "high", NULL, t0 + 600, SLA_PERIODIC_UPDATE);
	assert_int_equal(m.breach_at, t0 + 600 + 4 * 3600); /* next update due in 4 h */
	comment(&s, t0 + 7200, 0, 1, NULL); /* the requester answers at +2 h */
	m = get(&s, &p, "high", NULL, t0 + 7200, SLA_NEXT_REPLY);
	assert_int_equal(m.stage, SLA_STAGE_ACTIVE);
	assert_int_equal(m.breach_at, t0 + 7200 + 1800);
	comment(&s, t0 + 7300, 0, 1, NULL); /* a second end-user comment: same cycle */
	m = get(&s, &p, "high", NULL, t0 + 7300, SLA_NEXT_REPLY);
	assert_int_equal(m.breach_at, t0 + 7200 + 1800);
	comment(&s, t0 + 7800, 1, 1, NULL); /* the reply, 10 minutes later */
	m = get(&s, &p, "high", NULL, t0 + 7800, SLA_NEXT_REPLY);
	assert_int_equal(m.stage, SLA_STAGE_ACHIEVED);
	assert_false(m.breached);
	m = get(&s, &p, "high", NULL, t0 + 7800, SLA_PERIODIC_UPDATE);
	assert_int_equal(m.breach_at, t0 + 7800 + 4 * 3600); /* restarted */
	sla_policy_clear(&p);
}

static void test_total_resolution(void **state)
{
	struct sla_policy p;
	policy(&p, "{}",
	       "[{\"priority\":\"low\",\"metric\":\"total_resolution_time\",\"target\":240,"
	       "\"business_hours\":false}]");
	struct sla_state s;
	int64_t t0 = at("2026-03-06T10:00:00Z");
	created(&s, t0, "new", NULL);
	struct sla_metric_status m = get(&s, &p, "low", NULL, t0, SLA_TOTAL_RESOLUTION);
	assert_int_equal(m.breach_at, t0 + 4 * 3600);
	/* pending and on-hold do not stop it */
	status(&s, t0 + 3600, "pending", NULL);
	status(&s, t0 + 7200, "hold", NULL);
	m = get(&s, &p, "low", NULL, t0 + 7200, SLA_TOTAL_RESOLUTION);
	assert_int_equal(m.stage, SLA_STAGE_ACTIVE);
	assert_int_equal(m.breach_at, t0 + 4 * 3600);
	/* solved after 3 h: in time */
	status(&s, t0 + 3 * 3600, "solved", NULL);
	m = get(&s, &p, "low", NULL, t0 + 3 * 3600, SLA_TOTAL_RESOLUTION);
	assert_int_equal(m.stage, SLA_STAGE_ACHIEVED);
	assert_false(m.breached);
	/* reopened the next day: 1 h left */
	status(&s, t0 + 86400, "open", NULL);
	m = get(&s, &p, "low", NULL, t0 + 86400, SLA_TOTAL_RESOLUTION);
	assert_int_equal(m.breach_at, t0 + 86400 + 3600);
	/* a state saved with five metrics loads, the sixth idle */
	struct sla_state old;
	assert_int_equal(sla_state_load(&old, "{\"replied\":0,\"m\":[[1,5,5,0,0,0],[0,0,0,0,0,0],"
					      "[0,0,0,0,0,0],[1,5,5,0,0,0],[1,5,5,0,0,0]]}"),
			 0);
	assert_int_equal(old.m[SLA_REQUESTER_WAIT].run, SLA_RUNNING);
	assert_int_equal(old.m[SLA_TOTAL_RESOLUTION].run, SLA_IDLE);
	sla_policy_clear(&p);
}

static const struct schedule_interval weekdays_9_17[] = {
	{1 * 1440 + 540, 1 * 1440 + 1020}, {2 * 1440 + 540, 2 * 1440 + 1020},
	{3 * 1440 + 540, 3 * 1440 + 1020}, {4 * 1440 + 540, 4 * 1440 + 1020},
	{5 * 1440 + 540, 5 * 1440 + 1020},
};

static void test_business_hours(void **state)
{
	struct sla_policy p;
	policy(&p, "{}",
	       "[{\"priority\":\"urgent\",\"metric\":\"first_reply_time\",\"target\":120,"
	       "\"business_hours\":true},"
	       "{\"priority\":\"urgent\",\"metric\":\"requester_wait_time\",\"target\":60,"
	       "\"business_hours\":true},"
	       "{\"priority\":\"urgent\",\"metric\":\"agent_work_time\",\"target\":60,"
	       "\"business_hours\":false}]");
	struct schedule ny, seoul;
	char err[128];
	assert_int_equal(schedule_open(&ny, "America/New_York", weekdays_9_17, 5, NULL, 0, err,
				       sizeof(err)), 0);
	struct schedule_holiday chuseok = {0, 0};
	assert_int_equal(schedule_parse_date("2026-09-24", &chuseok.start_day), 0);
	assert_int_equal(schedule_parse_date("2026-09-25", &chuseok.end_day), 0);
	assert_int_equal(schedule_open(&seoul, "Asia/Seoul", weekdays_9_17, 5, &chuseok, 1, err,
				       sizeof(err)), 0);
	struct sla_state s;
	/* Friday 16:00 EST + 120 business minutes: 1 h Friday, 1 h Monday after
	 * the weekend that moved the clocks: Monday 10:00 EDT */
	int64_t fri = at("2026-03-06T16:00:00-05:00");
	created(&s, fri, "new", &ny);
	struct sla_metric_status m = get(&s, &p, "urgent", &ny, fri, SLA_FIRST_REPLY);
	assert_int_equal(m.breach_at, at("2026-03-09T10:00:00-04:00"));
	/* the calendar metric beside it: an hour later, on Friday */
	m = get(&s, &p, "urgent", &ny, fri, SLA_AGENT_WORK);
	assert_int_equal(m.breach_at, fri + 3600);
	/* RWT 60 business minutes: 15 used Friday 16:00-16:15, pending over the
	 * weekend, open again Sunday noon: the other 45 run from Monday 09:00
	 * EDT, so 09:45 EDT */
	status(&s, at("2026-03-06T16:15:00-05:00"), "pending", &ny);
	status(&s, at("2026-03-08T12:00:00-04:00"), "open", &ny);
	m = get(&s, &p, "urgent", &ny, fri, SLA_REQUESTER_WAIT);
	assert_int_equal(m.stage, SLA_STAGE_ACTIVE);
	assert_int_equal(m.breach_at, at("2026-03-09T09:45:00-04:00"));
	/* Seoul (09-17): Wednesday 16:30 KST before Chuseok, 120 business minutes:
	 * 30 Wednesday, Thursday/Friday holidays, weekend, 90 Monday: 10:30 */
	int64_t wed = at("2026-09-23T16:30:00+09:00");
	created(&s, wed, "open", &seoul);
	m = get(&s, &p, "urgent", &seoul, wed, SLA_FIRST_REPLY);
	assert_int_equal(m.breach_at, at("2026-09-28T10:30:00+09:00"));
	/* without any schedule, business targets run on the calendar */
	m = get(&s, &p, "urgent", NULL, wed, SLA_FIRST_REPLY);
	assert_int_equal(m.breach_at, wed + 7200);
	schedule_release(&ny);
	schedule_release(&seoul);
	sla_policy_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_first_reply_calendar),
		cmocka_unit_test(test_requester_wait_and_agent_work),
		cmocka_unit_test(test_next_reply_and_periodic),
		cmocka_unit_test(test_total_resolution),
		cmocka_unit_test(test_business_hours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
