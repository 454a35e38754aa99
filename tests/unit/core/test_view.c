/* test_view.c - a custom view's execution (core/view.h): parsing output /
 * execution objects, the normalised JSON, the sort by group then key then
 * id; and a view's conditions through rule_parse(RULE_VIEW). */
#include "base/util.h"
#include "core/rule.h"
#include "core/view.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static json_t *J(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	return j;
}

static void test_defaults_and_parse(void **state)
{
	(void)state;
	struct view_exec e;
	char err[160];
	assert_int_equal(view_exec_parse(NULL, &e, err, sizeof(err)), 0);
	assert_int_equal(e.ncols, 5);
	assert_string_equal(view_column_id(e.sort), "updated");
	assert_int_equal(e.sort_desc, 1);
	assert_int_equal(e.group, -1);

	json_t *o = J("{\"columns\": [\"subject\", {\"id\": \"status\"}, \"subject\"],"
		      " \"sort_by\": \"created_at\", \"sort_order\": \"asc\","
		      " \"group_by\": \"assignee_id\", \"group_order\": \"desc\"}");
	assert_int_equal(view_exec_parse(o, &e, err, sizeof(err)), 0);
	json_decref(o);
	assert_int_equal(e.ncols, 2); /* the repeat is dropped */
	assert_string_equal(view_column_id(e.cols[0]), "subject");
	assert_string_equal(view_column_id(e.sort), "created");
	assert_int_equal(e.sort_desc, 0);
	assert_string_equal(view_column_id(e.group), "assignee");
	assert_int_equal(e.group_desc, 1);
	json_t *out = view_exec_json(&e);
	char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
	    text, "{\"columns\":[{\"id\":\"subject\",\"title\":\"Subject\"},"
		  "{\"id\":\"status\",\"title\":\"Status\"}],\"group_by\":\"assignee\","
		  "\"group_order\":\"desc\",\"sort_by\":\"created\",\"sort_order\":\"asc\"}");
	free(text);
	json_decref(out);
}

static void test_refusals(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "[]",
	    "{\"columns\": \"status\"}",
	    "{\"columns\": [\"nope\"]}",
	    "{\"columns\": [3]}",
	    "{\"sort_by\": \"nope\"}",
	    "{\"sort_order\": \"up\"}",
	    "{\"group_by\": 7}",
	    "{\"group_order\": null, \"sort_by\": \"x_id\"}",
	    "{\"sort_by\": \"_id\"}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct view_exec e;
		char err[160] = "";
		json_t *o = J(bad[i]);
		assert_int_equal(view_exec_parse(o, &e, err, sizeof(err)), -1);
		json_decref(o);
		assert_true(!strncmp(err, "output:", 7));
		assert_int_equal(e.ncols, 5); /* the defaults after a refusal */
	}
	struct view_exec e;
	view_exec_load("{not json", &e);
	assert_int_equal(e.ncols, 5);
}

static void test_sort(void **state)
{
	(void)state;
	struct ticket t[5] = {0};
	const char *st[] = {"pending", "open", "new", "open", "pending"};
	const char *pr[] = {"low", "urgent", NULL, "high", "urgent"};
	for (int i = 0; i < 5; i++) {
		t[i].id = i + 1;
		t[i].status = (char *)st[i];
		t[i].priority = (char *)pr[i];
		t[i].updated_at = 100 - i;
	}
	struct view_exec e;
	char err[160];
	json_t *o =
	    J("{\"group_by\": \"status\", \"sort_by\": \"priority\", \"sort_order\": \"desc\"}");
	assert_int_equal(view_exec_parse(o, &e, err, sizeof(err)), 0);
	json_decref(o);
	view_sort(t, 5, &e);
	/* new, then open (urgent, high), then pending (urgent, low) */
	int64_t want[] = {3, 2, 4, 5, 1};
	for (int i = 0; i < 5; i++)
		assert_int_equal(t[i].id, want[i]);
}

static void test_view_conditions(void **state)
{
	(void)state;
	struct rule r;
	char err[256];
	json_t *c = J("{\"all\": [{\"field\": \"status\", \"operator\": \"less_than\", \"value\": "
		      "\"solved\"}],"
		      " \"any\": [{\"field\": \"assignee_id\", \"operator\": \"is\", \"value\": "
		      "\"current_user\"}]}");
	assert_int_equal(rule_parse(c, NULL, RULE_VIEW, &r, err, sizeof(err)), 0);
	struct ticket t = {.id = 1, .status = "open", .assignee_id = 7};
	struct rule_ctx ctx = {.actor_id = 7, .actor_role = ROLE_AGENT, .now = 1000};
	assert_int_equal(rule_matches(&r, &t, &ctx), 1);
	ctx.actor_id = 8;
	assert_int_equal(rule_matches(&r, &t, &ctx), 0);
	rule_clear(&r);
	json_decref(c);
	/* no conditions, "changed", trigger-only fields: refused */
	static const char *const bad[] = {
	    "{}",
	    "{\"all\": []}",
	    "{\"all\": [{\"field\": \"status\", \"operator\": \"changed\"}]}",
	    "{\"all\": [{\"field\": \"update_type\", \"operator\": \"is\", \"value\": "
	    "\"Create\"}]}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		c = J(bad[i]);
		assert_int_equal(rule_parse(c, NULL, RULE_VIEW, &r, err, sizeof(err)), -1);
		json_decref(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_parse),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_sort),
	    cmocka_unit_test(test_view_conditions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
