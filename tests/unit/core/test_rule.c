/* test_rule.c - rule conditions, actions, validation and the trigger cycle,
 * table-driven: each row is a rule's JSON and what it should do to a fixed
 * ticket and update. */
#include "testutil.h"
#include "core/rule.h"
#include <stdlib.h>
#include <string.h>

/* The ticket every case starts from: open, high, question, group 5,
 * assignee 7, requester 20, org 3, tags vip billing, custom field 9 =
 * "gold", created at 1000, solved_at 0. */
static void base_ticket(struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->id = 42;
	t->status = strdup("open");
	t->priority = strdup("high");
	t->type = strdup("question");
	t->subject = strdup("Refund for order 77");
	t->description = strdup("I want a refund please. 환불 요청합니다");
	t->group_id = 5;
	t->assignee_id = 7;
	t->requester_id = 20;
	t->organization_id = 3;
	strlist_add(&t->tags, "vip");
	strlist_add(&t->tags, "billing");
	t->fields = calloc(1, sizeof(*t->fields));
	t->fields[0].id = 9;
	t->fields[0].value_json = strdup("\"gold\"");
	t->nfields = 1;
	t->via_channel = strdup("email");
	t->created_at = 1000;
	t->updated_at = 5000;
}

/* The update: priority normal -> high, status new -> open, by agent 7 via
 * web with a public comment. */
static struct field_event evs[] = {
	{"priority", "high", "normal"},
	{"status", "open", "new"},
};
static const struct field_events events = {evs, 2};

static struct rule_ctx base_ctx(void)
{
	return (struct rule_ctx){.creating = 0, .actor_id = 7, .actor_role = ROLE_AGENT,
				 .via = "web", .comment = "Please send the invoice again",
				 .comment_public = 1, .events = &events};
}

static const struct {
	const char *conditions; /* JSON {"all":[...],"any":[...]} */
	int want;
} cond_cases[] = {
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"is\",\"value\":\"open\"}]}", 1},
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"is_not\",\"value\":\"open\"}]}", 0},
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"less_than\",\"value\":\"solved\"}]}", 1},
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"less_than\",\"value\":\"open\"}]}", 0},
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"greater_than\",\"value\":\"new\"}]}", 1},
	{"{\"all\":[{\"field\":\"priority\",\"operator\":\"greater_than\",\"value\":\"normal\"}]}", 1},
	{"{\"all\":[{\"field\":\"priority\",\"operator\":\"less_than\",\"value\":\"high\"}]}", 0},
	{"{\"all\":[{\"field\":\"priority\",\"operator\":\"less_than\",\"value\":\"urgent\"}]}", 1},
	{"{\"all\":[{\"field\":\"type\",\"operator\":\"is\",\"value\":\"question\"}]}", 1},
	{"{\"all\":[{\"field\":\"type\",\"operator\":\"is\",\"value\":\"task\"}]}", 0},
	{"{\"all\":[{\"field\":\"group_id\",\"operator\":\"is\",\"value\":5}]}", 1},
	{"{\"all\":[{\"field\":\"group_id\",\"operator\":\"is\",\"value\":\"6\"}]}", 0},
	{"{\"all\":[{\"field\":\"assignee_id\",\"operator\":\"is\",\"value\":\"current_user\"}]}", 1},
	{"{\"all\":[{\"field\":\"requester_id\",\"operator\":\"is_not\",\"value\":\"current_user\"}]}", 1},
	{"{\"all\":[{\"field\":\"organization_id\",\"operator\":\"present\"}]}", 1},
	{"{\"all\":[{\"field\":\"organization_id\",\"operator\":\"not_present\"}]}", 0},
	{"{\"all\":[{\"field\":\"assignee_id\",\"operator\":\"is\",\"value\":\"\"}]}", 0},
	{"{\"all\":[{\"field\":\"subject\",\"operator\":\"includes_string\",\"value\":\"REFUND\"}]}", 1},
	{"{\"all\":[{\"field\":\"subject\",\"operator\":\"not_includes_string\",\"value\":\"refund\"}]}", 0},
	{"{\"all\":[{\"field\":\"subject\",\"operator\":\"includes_words\",\"value\":\"order cancel\"}]}", 1},
	{"{\"all\":[{\"field\":\"subject\",\"operator\":\"includes_words\",\"value\":\"ord\"}]}", 0},
	{"{\"all\":[{\"field\":\"description\",\"operator\":\"includes_string\",\"value\":\"환불\"}]}", 1},
	{"{\"all\":[{\"field\":\"description\",\"operator\":\"not_includes_words\",\"value\":\"angry lawyer\"}]}", 1},
	{"{\"all\":[{\"field\":\"comment_includes_word\",\"operator\":\"includes\",\"value\":\"invoice\"}]}", 1},
	{"{\"all\":[{\"field\":\"comment_includes_word\",\"operator\":\"not_includes\",\"value\":\"invoice\"}]}", 0},
	{"{\"all\":[{\"field\":\"comment_includes_word\",\"operator\":\"is\",\"value\":\"send the\"}]}", 1},
	{"{\"all\":[{\"field\":\"comment\",\"operator\":\"present\"}]}", 1},
	{"{\"all\":[{\"field\":\"current_tags\",\"operator\":\"includes\",\"value\":\"vip other\"}]}", 1},
	{"{\"all\":[{\"field\":\"current_tags\",\"operator\":\"includes\",\"value\":\"other\"}]}", 0},
	{"{\"all\":[{\"field\":\"current_tags\",\"operator\":\"not_includes\",\"value\":\"other spam\"}]}", 1},
	{"{\"all\":[{\"field\":\"current_tags\",\"operator\":\"not_includes\",\"value\":\"billing\"}]}", 0},
	{"{\"all\":[{\"field\":\"via\",\"operator\":\"is\",\"value\":\"email\"}]}", 1},
	{"{\"all\":[{\"field\":\"current_via\",\"operator\":\"is\",\"value\":\"web\"}]}", 1},
	{"{\"all\":[{\"field\":\"custom_fields_9\",\"operator\":\"is\",\"value\":\"gold\"}]}", 1},
	{"{\"all\":[{\"field\":\"custom_fields_9\",\"operator\":\"is_not\",\"value\":\"gold\"}]}", 0},
	{"{\"all\":[{\"field\":\"custom_fields_10\",\"operator\":\"not_present\"}]}", 1},
	{"{\"all\":[{\"field\":\"update_type\",\"operator\":\"is\",\"value\":\"Change\"}]}", 1},
	{"{\"all\":[{\"field\":\"update_type\",\"operator\":\"is\",\"value\":\"Create\"}]}", 0},
	{"{\"all\":[{\"field\":\"current_user\",\"operator\":\"is\",\"value\":\"agent\"}]}", 1},
	{"{\"all\":[{\"field\":\"current_user\",\"operator\":\"is\",\"value\":\"end_user\"}]}", 0},
	{"{\"all\":[{\"field\":\"current_user\",\"operator\":\"is_not\",\"value\":\"admin\"}]}", 1},
	{"{\"all\":[{\"field\":\"current_user\",\"operator\":\"is\",\"value\":7}]}", 1},
	{"{\"all\":[{\"field\":\"role\",\"operator\":\"is\",\"value\":\"agent\"}]}", 1},
	{"{\"all\":[{\"field\":\"comment_is_public\",\"operator\":\"is\",\"value\":\"true\"}]}", 1},
	{"{\"all\":[{\"field\":\"comment_is_public\",\"operator\":\"is\",\"value\":false}]}", 0},
	{"{\"all\":[{\"field\":\"priority\",\"operator\":\"changed\"}]}", 1},
	{"{\"all\":[{\"field\":\"group_id\",\"operator\":\"changed\"}]}", 0},
	{"{\"all\":[{\"field\":\"group_id\",\"operator\":\"not_changed\"}]}", 1},
	{"{\"all\":[{\"field\":\"priority\",\"operator\":\"value\",\"value\":\"high\"}]}", 1},
	{"{\"all\":[{\"field\":\"priority\",\"operator\":\"value\",\"value\":\"urgent\"}]}", 0},
	{"{\"all\":[{\"field\":\"priority\",\"operator\":\"value_previous\",\"value\":\"normal\"}]}", 1},
	{"{\"all\":[{\"field\":\"priority\",\"operator\":\"not_value_previous\",\"value\":\"normal\"}]}", 0},
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"not_value\",\"value\":\"solved\"}]}", 1},
	/* all + any */
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"is\",\"value\":\"open\"}],"
	 "\"any\":[{\"field\":\"priority\",\"operator\":\"is\",\"value\":\"urgent\"},"
	 "{\"field\":\"current_tags\",\"operator\":\"includes\",\"value\":\"vip\"}]}", 1},
	{"{\"any\":[{\"field\":\"priority\",\"operator\":\"is\",\"value\":\"urgent\"},"
	 "{\"field\":\"type\",\"operator\":\"is\",\"value\":\"task\"}]}", 0},
	{"{}", 1},
};

static void parse_or_fail(const char *conds, const char *acts, enum rule_kind kind,
			  struct rule *r)
{
	char err[256] = "";
	json_t *c = json_loads(conds, 0, NULL), *a = json_loads(acts, 0, NULL);
	assert_non_null(c);
	assert_non_null(a);
	int rc = rule_parse(c, a, kind, r, err, sizeof(err));
	if (rc)
		fail_msg("%s / %s: %s", conds, acts, err);
	json_decref(c);
	json_decref(a);
}

static void test_conditions(void **state)
{
	for (size_t i = 0; i < sizeof(cond_cases) / sizeof(cond_cases[0]); i++) {
		struct ticket t;
		struct rule r;
		base_ticket(&t);
		parse_or_fail(cond_cases[i].conditions,
			      "[{\"field\":\"priority\",\"value\":\"low\"}]", RULE_TRIGGER, &r);
		struct rule_ctx c = base_ctx();
		int got = rule_matches(&r, &t, &c);
		if (got != cond_cases[i].want)
			fail_msg("case %zu %s: got %d", i, cond_cases[i].conditions, got);
		rule_clear(&r);
		ticket_clear(&t);
	}
}

/* Automations' time conditions against a virtual clock. */
static const struct {
	const char *field, *op, *hours;
	const char *status;
	int64_t solved_at, now;
	int want;
} time_cases[] = {
	{"hours_since_solved", "greater_than", "95", "solved", 10000, 10000 + 96 * 3600, 1},
	{"hours_since_solved", "greater_than", "96", "solved", 10000, 10000 + 96 * 3600, 0},
	{"hours_since_solved", "is", "96", "solved", 10000, 10000 + 96 * 3600 + 59, 1},
	{"hours_since_solved", "greater_than", "1", "open", 0, 10000 + 96 * 3600, 0},
	{"SOLVED", "less_than", "24", "solved", 10000, 10000 + 3600, 1},
	{"hours_since_created", "greater_than", "2", "open", 0, 1000 + 3 * 3600, 1},
	{"NEW", "less_than", "2", "open", 0, 1000 + 3 * 3600, 0},
	{"hours_since_updated", "is", "0", "open", 0, 5000 + 100, 1},
	{"hours_since_pending", "greater_than", "71", "pending", 0, 20000 + 72 * 3600, 1},
	{"hours_since_pending", "greater_than", "71", "open", 0, 20000 + 72 * 3600, 0},
	{"hours_since_assigned", "greater_than", "0", "open", 0, 30000 + 7200, 1},
	{"hours_since_requester_updated", "less_than", "1", "open", 0, 40000 + 10, 1},
	{"hours_since_assignee_updated", "greater_than", "1000", "open", 0, 50000, 0},
};

static void test_time_conditions(void **state)
{
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		struct ticket t;
		struct rule r;
		char conds[256];
		base_ticket(&t);
		free(t.status);
		t.status = strdup(time_cases[i].status);
		t.solved_at = time_cases[i].solved_at;
		snprintf(conds, sizeof(conds),
			 "{\"all\":[{\"field\":\"%s\",\"operator\":\"%s\",\"value\":\"%s\"},"
			 "{\"field\":\"current_tags\",\"operator\":\"not_includes\",\"value\":\"done\"}]}",
			 time_cases[i].field, time_cases[i].op, time_cases[i].hours);
		parse_or_fail(conds, "[{\"field\":\"current_tags\",\"value\":\"done\"}]",
			      RULE_AUTOMATION, &r);
		struct rule_ctx c = {.now = time_cases[i].now,
				     .times = {.assigned_at = 30000, .status_updated_at = 20000,
					       .requester_updated_at = 40000,
					       .assignee_updated_at = 49000}};
		int got = rule_matches(&r, &t, &c);
		if (got != time_cases[i].want)
			fail_msg("time case %zu (%s %s %s): got %d", i, time_cases[i].field,
				 time_cases[i].op, time_cases[i].hours, got);
		rule_clear(&r);
		ticket_clear(&t);
	}
}

/* CSAT and SLA conditions: the ticket's rating copy and the SLA figures
 * the executor puts in the context, at now = 100000. */
static const struct {
	const char *score, *comment;	/* the ticket's rating ("" unoffered) */
	int64_t next_breach;		/* ctx.sla_next_breach_at */
	int breached;			/* ctx.sla_breached */
	const char *field, *op, *value;
	int want;
} csat_sla_cases[] = {
	{"", NULL, 0, 0, "satisfaction_score", "is", "unoffered", 1},
	{"offered", NULL, 0, 0, "satisfaction_score", "is", "offered", 1},
	{"offered", NULL, 0, 0, "satisfaction_score", "is_not", "unoffered", 1},
	{"bad", NULL, 0, 0, "satisfaction_score", "is", "bad", 1},
	{"bad", NULL, 0, 0, "satisfaction_score", "is", "bad_without_comment", 1},
	{"bad", "slow", 0, 0, "satisfaction_score", "is", "bad_with_comment", 1},
	{"bad", "slow", 0, 0, "satisfaction_score", "is", "good_with_comment", 0},
	{"good", "", 0, 0, "satisfaction_score", "is", "good_with_comment", 0},
	{"good", NULL, 0, 0, "satisfaction_score", "is_not", "bad", 1},
	{"", NULL, 0, 0, "sla_breached", "is", "false", 1},
	{"", NULL, 0, 1, "sla_breached", "is", "true", 1},
	{"", NULL, 99000, 0, "sla_breached", "is", "true", 1}, /* active, past its time */
	{"", NULL, 101000, 0, "sla_breached", "is_not", "true", 1},
	{"", NULL, 100000 + 1800, 0, "hours_until_next_sla_breach", "less_than", "1", 1},
	{"", NULL, 100000 + 7200, 0, "hours_until_next_sla_breach", "less_than", "1", 0},
	{"", NULL, 100000 + 7300, 0, "hours_until_next_sla_breach", "is", "2", 1},
	{"", NULL, 100000 + 7300, 0, "hours_until_next_sla_breach", "greater_than", "1", 1},
	{"", NULL, 99000, 0, "hours_until_next_sla_breach", "less_than", "1", 0}, /* past */
	{"", NULL, 0, 0, "hours_until_next_sla_breach", "less_than", "1000", 0}, /* none */
};

static void test_csat_sla_conditions(void **state)
{
	for (size_t i = 0; i < sizeof(csat_sla_cases) / sizeof(csat_sla_cases[0]); i++) {
		struct ticket t;
		struct rule r;
		char conds[256];
		base_ticket(&t);
		snprintf(t.satisfaction_score, sizeof(t.satisfaction_score), "%s",
			 csat_sla_cases[i].score);
		t.satisfaction_id = *csat_sla_cases[i].score ? 1 : 0;
		t.satisfaction_comment =
		    csat_sla_cases[i].comment ? strdup(csat_sla_cases[i].comment) : NULL;
		snprintf(conds, sizeof(conds),
			 "{\"all\":[{\"field\":\"%s\",\"operator\":\"%s\",\"value\":\"%s\"}]}",
			 csat_sla_cases[i].field, csat_sla_cases[i].op, csat_sla_cases[i].value);
		/* triggers and automations both take them */
		parse_or_fail(conds, "[{\"field\":\"priority\",\"value\":\"low\"}]",
			      RULE_TRIGGER, &r);
		struct rule_ctx c = base_ctx();
		c.now = 100000;
		c.sla_next_breach_at = csat_sla_cases[i].next_breach;
		c.sla_breached = csat_sla_cases[i].breached;
		int got = rule_matches(&r, &t, &c);
		if (got != csat_sla_cases[i].want)
			fail_msg("csat/sla case %zu (%s %s %s): got %d", i, csat_sla_cases[i].field,
				 csat_sla_cases[i].op, csat_sla_cases[i].value, got);
		assert_int_equal(rule_uses_sla(&r), !!strncmp(csat_sla_cases[i].field, "sat", 3));
		rule_clear(&r);
		ticket_clear(&t);
	}
	/* an automation may time itself on the SLA alone */
	struct rule r;
	parse_or_fail("{\"all\":[{\"field\":\"hours_until_next_sla_breach\",\"operator\":"
		      "\"less_than\",\"value\":\"1\"},{\"field\":\"current_tags\",\"operator\":"
		      "\"not_includes\",\"value\":\"sla_warned\"}]}",
		      "[{\"field\":\"current_tags\",\"value\":\"sla_warned\"}]", RULE_AUTOMATION,
		      &r);
	rule_clear(&r);
	/* a trigger on a rating that just changed to bad */
	struct ticket t;
	base_ticket(&t);
	snprintf(t.satisfaction_score, sizeof(t.satisfaction_score), "bad");
	struct field_event ev = {"satisfaction_score", "bad", "good"};
	const struct field_events one = {&ev, 1};
	struct rule_ctx c = base_ctx();
	c.events = &one;
	parse_or_fail("{\"all\":[{\"field\":\"satisfaction_score\",\"operator\":\"value\","
		      "\"value\":\"bad\"},{\"field\":\"satisfaction_score\",\"operator\":"
		      "\"value_previous\",\"value\":\"good\"}]}",
		      "[{\"field\":\"current_tags\",\"value\":\"csat_went_bad\"}]", RULE_TRIGGER,
		      &r);
	assert_true(rule_matches(&r, &t, &c));
	rule_clear(&r);
	ticket_clear(&t);
}

/* Validation: JSON that must be refused, and the words of the error. */
static const struct {
	const char *conditions, *actions;
	enum rule_kind kind;
	const char *err; /* a substring of the message; NULL = accepted */
} parse_cases[] = {
	{"{\"all\":[{\"field\":\"colour\",\"operator\":\"is\",\"value\":\"red\"}]}",
	 "[{\"field\":\"status\",\"value\":\"open\"}]", RULE_TRIGGER, "not a condition field"},
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"includes\",\"value\":\"open\"}]}",
	 "[{\"field\":\"status\",\"value\":\"open\"}]", RULE_TRIGGER, "not an operator"},
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"is\",\"value\":\"opne\"}]}",
	 "[{\"field\":\"status\",\"value\":\"open\"}]", RULE_TRIGGER, "not a status"},
	{"{}", "[{\"field\":\"delete_ticket\",\"value\":\"true\"}]", RULE_TRIGGER,
	 "not an action field"},
	{"{}", "[]", RULE_TRIGGER, "at least one action"},
	{"{\"all\":[{\"field\":\"satisfaction_score\",\"operator\":\"is\",\"value\":\"great\"}]}",
	 "[{\"field\":\"status\",\"value\":\"open\"}]", RULE_TRIGGER, "not a satisfaction score"},
	{"{\"all\":[{\"field\":\"sla_breached\",\"operator\":\"is\",\"value\":\"yes\"}]}",
	 "[{\"field\":\"status\",\"value\":\"open\"}]", RULE_TRIGGER, "true or false"},
	{"{}", "[{\"field\":\"status\",\"value\":\"new\"}]", RULE_TRIGGER, "not a status a rule"},
	{"{}", "[{\"field\":\"notification_user\",\"value\":[\"requester_id\",\"hi\"]}]",
	 RULE_TRIGGER, "takes 3 to 3"},
	{"{}", "[{\"field\":\"notification_user\",\"value\":[\"boss\",\"s\",\"b\"]}]",
	 RULE_TRIGGER, "not a recipient"},
	{"{}", "[{\"field\":\"current_tags\",\"value\":\"ok bad,tag\"}]", RULE_TRIGGER,
	 "not a valid tag"},
	{"{\"all\":[{\"field\":\"hours_since_solved\",\"operator\":\"greater_than\",\"value\":1}]}",
	 "[{\"field\":\"status\",\"value\":\"closed\"}]", RULE_TRIGGER, "cannot be used in triggers"},
	{"{\"all\":[{\"field\":\"status\",\"operator\":\"is\",\"value\":\"solved\"}]}",
	 "[{\"field\":\"status\",\"value\":\"closed\"}]", RULE_AUTOMATION, "time condition"},
	{"{\"all\":[{\"field\":\"hours_since_solved\",\"operator\":\"greater_than\",\"value\":1}]}",
	 "[{\"field\":\"status\",\"value\":\"closed\"}]", RULE_AUTOMATION, "nullifies"},
	{"{\"all\":[{\"field\":\"hours_since_solved\",\"operator\":\"greater_than\",\"value\":1},"
	 "{\"field\":\"current_tags\",\"operator\":\"not_includes\",\"value\":\"asked\"}]}",
	 "[{\"field\":\"current_tags\",\"value\":\"other\"}]", RULE_AUTOMATION, "nullifies"},
	{"{\"all\":[{\"field\":\"hours_since_solved\",\"operator\":\"greater_than\",\"value\":1},"
	 "{\"field\":\"status\",\"operator\":\"changed\"}]}",
	 "[{\"field\":\"status\",\"value\":\"closed\"}]", RULE_AUTOMATION, "not an operator"},
	{"{\"all\":[{\"field\":\"hours_since_solved\",\"operator\":\"greater_than\",\"value\":\"x\"}]}",
	 "[{\"field\":\"status\",\"value\":\"closed\"}]", RULE_AUTOMATION, "number of hours"},
	/* accepted */
	{"{\"all\":[{\"field\":\"hours_since_solved\",\"operator\":\"greater_than\",\"value\":96},"
	 "{\"field\":\"status\",\"operator\":\"is\",\"value\":\"solved\"}]}",
	 "[{\"field\":\"status\",\"value\":\"closed\"}]", RULE_AUTOMATION, NULL},
	{"{\"all\":[{\"field\":\"SOLVED\",\"operator\":\"greater_than\",\"value\":24},"
	 "{\"field\":\"current_tags\",\"operator\":\"not_includes\",\"value\":\"csat_sent\"}]}",
	 "[{\"field\":\"current_tags\",\"value\":\"csat_sent\"},"
	 "{\"field\":\"notification_user\",\"value\":[\"requester_id\",\"How did we do?\",\"Rate us\"]}]",
	 RULE_AUTOMATION, NULL},
	{"{\"any\":[{\"field\":\"custom_fields_12\",\"operator\":\"changed\"}]}",
	 "[{\"field\":\"notification_webhook\",\"value\":[\"3\",\"{}\"]},"
	 "{\"field\":\"assignee_id\",\"value\":\"current_user\"},"
	 "{\"field\":\"comment_value\",\"value\":[\"channel:all\",\"hello\"]}]",
	 RULE_TRIGGER, NULL},
};

static void test_parse(void **state)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		char err[256] = "";
		struct rule r;
		json_t *c = json_loads(parse_cases[i].conditions, 0, NULL);
		json_t *a = json_loads(parse_cases[i].actions, 0, NULL);
		int rc = rule_parse(c, a, parse_cases[i].kind, &r, err, sizeof(err));
		if (parse_cases[i].err && (rc == 0 || !strstr(err, parse_cases[i].err)))
			fail_msg("parse case %zu: rc %d err '%s', wanted '%s'", i, rc, err,
				 parse_cases[i].err);
		if (!parse_cases[i].err && rc)
			fail_msg("parse case %zu refused: %s", i, err);
		rule_clear(&r);
		json_decref(c);
		json_decref(a);
	}
}

/* Actions: what a rule does to the ticket, the change and the notes. */
static void test_actions(void **state)
{
	struct ticket t;
	struct rule r;
	base_ticket(&t);
	parse_or_fail("{}",
		      "[{\"field\":\"status\",\"value\":\"pending\"},"
		      "{\"field\":\"priority\",\"value\":\"urgent\"},"
		      "{\"field\":\"group_id\",\"value\":\"8\"},"
		      "{\"field\":\"assignee_id\",\"value\":\"current_user\"},"
		      "{\"field\":\"current_tags\",\"value\":\"Escalated new\"},"
		      "{\"field\":\"remove_tags\",\"value\":[\"billing\"]},"
		      "{\"field\":\"custom_fields_9\",\"value\":\"silver\"},"
		      "{\"field\":\"comment_value\",\"value\":\"We are on it\"},"
		      "{\"field\":\"comment_mode_is_public\",\"value\":\"false\"},"
		      "{\"field\":\"notification_user\",\"value\":[\"requester_and_ccs\",\"S\",\"B\"]},"
		      "{\"field\":\"notification_group\",\"value\":[\"group_id\",\"G\",\"GB\"]},"
		      "{\"field\":\"notification_webhook\",\"value\":[\"4\",\"{\\\"a\\\":1}\"]}]",
		      RULE_TRIGGER, &r);
	struct rule_ctx c = base_ctx();
	c.actor_id = 11;
	struct ticket_change ch = {0};
	struct rule_notes notes = {0};
	struct ticket before;
	ticket_copy(&before, &t);
	assert_int_equal(rule_apply(&r, &t, &c, &ch, &notes), 1);
	rule_diff(&before, &t, &ch);
	assert_int_equal(ch.set, TF_STATUS | TF_PRIORITY | TF_GROUP | TF_ASSIGNEE | TF_TAGS | TF_FIELDS);
	assert_string_equal(ch.v.status, "pending");
	assert_string_equal(ch.v.priority, "urgent");
	assert_int_equal(ch.v.group_id, 8);
	assert_int_equal(ch.v.assignee_id, 11);
	assert_int_equal(ch.v.tags.n, 3);
	assert_true(strlist_has(&ch.v.tags, "escalated"));
	assert_true(strlist_has(&ch.v.tags, "new"));
	assert_false(strlist_has(&ch.v.tags, "billing"));
	assert_string_equal(ch.v.fields[0].value_json, "\"silver\"");
	assert_string_equal(ch.comment_body, "We are on it");
	assert_int_equal(ch.comment_public, 0);
	assert_int_equal(notes.n, 4);
	const char *kind;
	char *p = rule_note_payload(&notes.v[0], 42, 11, &kind);
	assert_string_equal(kind, "mail.notify");
	assert_string_equal(p, "{\"ticket_id\":42,\"recipient\":\"requester\",\"subject\":\"S\","
			       "\"body\":\"B\",\"actor_id\":11}");
	free(p);
	assert_string_equal(notes.v[1].recipient, "ccs");
	assert_string_equal(notes.v[2].recipient, "group:8"); /* the group just set */
	p = rule_note_payload(&notes.v[3], 42, 11, &kind);
	assert_string_equal(kind, "webhook.deliver");
	assert_string_equal(p, "{\"webhook_id\":4,\"body\":\"{\\\"a\\\":1}\",\"ticket_id\":42}");
	free(p);
	rule_notes_clear(&notes);
	ticket_change_clear(&ch);
	ticket_clear(&before);
	rule_clear(&r);

	/* a rule that only notifies does not count as changing the ticket */
	parse_or_fail("{}", "[{\"field\":\"notification_user\",\"value\":[\"7\",\"s\",\"b\"]}]",
		      RULE_TRIGGER, &r);
	assert_int_equal(rule_apply(&r, &t, &c, &ch, &notes), 0);
	assert_string_equal(notes.v[0].recipient, "user:7");
	rule_notes_clear(&notes);
	ticket_change_clear(&ch);
	rule_clear(&r);
	ticket_clear(&t);
}

/* The trigger cycle: restarts after a change, each rule once, and two
 * rules flipping a tag stop. */
static void test_cycle(void **state)
{
	struct rule rules[3];
	/* rules[0] fires only once the tags changed in this update, which
	 * needs a restart after rules[1] */
	parse_or_fail("{\"all\":[{\"field\":\"current_tags\",\"operator\":\"changed\"}]}",
		      "[{\"field\":\"priority\",\"value\":\"urgent\"}]", RULE_TRIGGER, &rules[0]);
	parse_or_fail("{\"all\":[{\"field\":\"current_tags\",\"operator\":\"includes\",\"value\":\"a\"}]}",
		      "[{\"field\":\"remove_tags\",\"value\":\"a\"},{\"field\":\"current_tags\",\"value\":\"b\"}]",
		      RULE_TRIGGER, &rules[1]);
	parse_or_fail("{\"all\":[{\"field\":\"current_tags\",\"operator\":\"includes\",\"value\":\"b\"}]}",
		      "[{\"field\":\"remove_tags\",\"value\":\"b\"},{\"field\":\"current_tags\",\"value\":\"a\"}]",
		      RULE_TRIGGER, &rules[2]);
	struct ticket t;
	base_ticket(&t);
	strlist_add(&t.tags, "a");
	struct rule_ctx c = base_ctx();
	c.events = NULL;
	struct ticket_change ch = {0};
	struct rule_notes notes = {0};
	int fired[3];
	int n = rule_run_triggers(rules, 3, &t, &c, 10, &ch, &notes, fired);
	assert_int_equal(n, 3);
	assert_true(fired[0] && fired[1] && fired[2]);
	/* a -> b -> a: the tag set ends as it began, so no tag change */
	assert_false(ch.set & TF_TAGS);
	assert_int_equal(ch.set, TF_PRIORITY);
	assert_string_equal(t.priority, "urgent");
	ticket_change_clear(&ch);
	ticket_clear(&t);

	/* order matters: rule 1 (b) cannot fire before rule 0 made b, and
	 * the cycle restart lets it */
	base_ticket(&t);
	strlist_add(&t.tags, "a");
	n = rule_run_triggers(rules + 1, 2, &t, &c, 1, &ch, &notes, fired);
	assert_int_equal(n, 1); /* one pass only: the cap holds */
	assert_true(strlist_has(&t.tags, "b"));
	ticket_change_clear(&ch);
	ticket_clear(&t);

	/* nothing matches: nothing fires, no change */
	base_ticket(&t);
	n = rule_run_triggers(rules, 3, &t, &c, 10, &ch, &notes, fired);
	assert_int_equal(n, 0);
	assert_int_equal(ch.set, 0);
	ticket_clear(&t);
	for (int i = 0; i < 3; i++)
		rule_clear(&rules[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conditions), cmocka_unit_test(test_time_conditions),
	    cmocka_unit_test(test_parse), cmocka_unit_test(test_actions),
	    cmocka_unit_test(test_cycle), cmocka_unit_test(test_csat_sla_conditions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
