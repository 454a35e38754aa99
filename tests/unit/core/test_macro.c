/* test_macro.c - macro actions (core/macro.h): the allow-list as a table of
 * {field, value, accepted?}, then macro_apply() turning actions into a
 * ticket_change, and that change run through ticket_apply() as the apply
 * preview does. */
#include "base/util.h"
#include "core/macro.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *field, *value;
	int ok;
} checks[] = {
	{"status", "solved", 1},	   {"status", "closed", 0},
	{"status", "", 0},		   {"status", "done", 0},
	{"priority", "urgent", 1},	   {"priority", "", 1},
	{"priority", "p1", 0},		   {"type", "incident", 1},
	{"type", "bug", 0},		   {"assignee_id", "current_user", 1},
	{"assignee_id", "12", 1},	   {"assignee_id", "", 1},
	{"assignee_id", "-3", 0},	   {"assignee_id", "me", 0},
	{"group_id", "4", 1},		   {"group_id", "x", 0},
	{"subject", "새 제목", 1},	   {"subject", "", 0},
	{"set_tags", "a b c", 1},	   {"current_tags", "환불 vip", 1},
	{"remove_tags", "x", 1},	   {"set_tags", "bad\"tag", 0},
	{"comment_value", "Hi {{ticket.requester.first_name}}", 1},
	{"comment_value", "", 0},	   {"comment_value_html", "<p>x</p>", 1},
	{"comment_mode_is_public", "false", 1}, {"comment_mode_is_public", "no", 0},
	{"custom_fields_360", "gold", 1},  {"custom_fields_", "x", 0},
	{"custom_fields_x", "x", 0},	   {"notification_webhook", "1", 0},
	{"requester_id", "1", 0},	   {"", "x", 0},
};

static void test_allow_list(void **state)
{
	int bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		struct macro_action a = {(char *)checks[i].field, (char *)checks[i].value};
		char err[256] = "";
		int ok = macro_actions_check(&a, 1, err, sizeof(err)) == 0;
		if (ok != checks[i].ok) {
			print_error("%s=%s: got %d (%s)\n", checks[i].field, checks[i].value, ok, err);
			bad++;
		}
		if (!ok && strncmp(err, "actions: ", 9)) {
			print_error("error text: %s\n", err);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	/* each field once */
	struct macro_action two[] = {{"status", "open"}, {"status", "solved"}};
	char err[256];
	assert_int_equal(macro_actions_check(two, 2, err, sizeof(err)), -1);
	assert_string_equal(err, "actions: \"status\" appears more than once");
	assert_true(macro_field_known("custom_fields_1"));
	assert_false(macro_field_known(NULL));
}

static void test_apply(void **state)
{
	struct ticket t = {0};
	t.id = 5;
	t.status = xstrdup("open");
	t.subject = xstrdup("old");
	t.requester_id = 9;
	t.created_at = 1;
	strlist_add(&t.tags, "keep");
	strlist_add(&t.tags, "drop");
	t.fields = xcalloc(1, sizeof(*t.fields));
	t.fields[0].id = 1;
	t.fields[0].value_json = xstrdup("\"one\"");
	t.nfields = 1;
	struct macro_action v[] = {
	    {"status", "solved"},	      {"priority", "high"},
	    {"assignee_id", "current_user"}, {"current_tags", "Added 환불"},
	    {"remove_tags", "drop"},	      {"comment_value", "Thanks {{ticket.id}}"},
	    {"comment_mode_is_public", "false"}, {"custom_fields_2", "say \"hi\""},
	    {"subject", "new"},
	};
	struct ticket_change c = {0};
	char err[256] = "";
	assert_int_equal(macro_apply(v, ARRAY_SIZE(v), &t, 42, &c, err, sizeof(err)), 0);
	assert_true(c.set & TF_STATUS);
	assert_string_equal(c.v.status, "solved");
	assert_string_equal(c.v.priority, "high");
	assert_int_equal(c.v.assignee_id, 42);
	assert_false(c.set & TF_TAGS);
	assert_int_equal(c.add_tags.n, 2); /* lower-cased; Hangul tags are tags */
	assert_string_equal(c.add_tags.v[0], "added");
	assert_string_equal(c.add_tags.v[1], "환불");
	assert_string_equal(c.remove_tags.v[0], "drop");
	assert_string_equal(c.comment_body, "Thanks {{ticket.id}}");
	assert_int_equal(c.comment_public, 0);
	assert_int_equal(c.v.nfields, 2);
	assert_string_equal(c.v.fields[0].value_json, "\"one\"");
	assert_string_equal(c.v.fields[1].value_json, "\"say \\\"hi\\\"\"");

	/* the preview: the change applied to a copy */
	struct ticket after = {0};
	ticket_copy(&after, &t);
	struct actor who = {.user_id = 42, .role = ROLE_AGENT};
	struct field_events ev = {0};
	free(c.comment_body);
	c.comment_body = NULL;
	assert_int_equal(ticket_apply(&after, &c, &who, 100, &ev, err, sizeof(err)), 0);
	assert_string_equal(after.status, "solved");
	assert_string_equal(after.subject, "new");
	assert_int_equal(after.assignee_id, 42);
	assert_true(strlist_has(&after.tags, "keep") && strlist_has(&after.tags, "added"));
	assert_false(strlist_has(&after.tags, "drop"));
	assert_string_equal(t.status, "open"); /* the original is untouched */
	field_events_clear(&ev);
	ticket_clear(&after);
	ticket_change_clear(&c);

	/* set_tags replaces; "" clears; no ticket */
	struct macro_action w[] = {{"set_tags", "a  b,a"}, {"priority", ""}, {"group_id", ""}};
	memset(&c, 0, sizeof(c));
	assert_int_equal(macro_apply(w, 3, NULL, 1, &c, err, sizeof(err)), 0);
	assert_true(c.set & TF_TAGS);
	assert_int_equal(c.v.tags.n, 2);
	assert_true((c.set & TF_PRIORITY) && c.v.priority == NULL);
	assert_true((c.set & TF_GROUP) && c.v.group_id == 0);
	assert_int_equal(c.comment_public, 1);
	ticket_change_clear(&c);

	/* a bad action refuses the whole macro */
	struct macro_action x[] = {{"status", "solved"}, {"delete_ticket", "true"}};
	memset(&c, 0, sizeof(c));
	assert_int_equal(macro_apply(x, 2, &t, 1, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "actions: \"delete_ticket\" is not an action macros can take");
	assert_int_equal(c.set, 0);
	ticket_change_clear(&c);
	ticket_clear(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test(test_apply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
