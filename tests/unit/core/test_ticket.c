/* test_ticket.c - core ticket rules: defaults, status transitions, audits,
 * tags, permissions. */
#include "testutil.h"
#include "core/ticket.h"
#include <stdlib.h>
#include <string.h>

static const struct actor agent = {.user_id = 10, .role = ROLE_AGENT};
static const struct actor enduser = {.user_id = 20, .role = ROLE_END_USER};

static void create(struct ticket *t, const char *status)
{
	struct ticket_change c = {0};
	struct field_events ev = {0};
	char err[128];
	c.set = TF_SUBJECT | TF_REQUESTER;
	c.v.subject = strdup("배송 문의");
	c.v.requester_id = 20;
	if (status) {
		c.set |= TF_STATUS;
		c.v.status = strdup(status);
	}
	c.comment_body = strdup("언제 오나요?");
	c.comment_public = 1;
	assert_int_equal(ticket_apply(t, &c, &agent, 1000, &ev, err, sizeof(err)), 0);
	ticket_change_clear(&c);
	field_events_clear(&ev);
}

static int set_status(struct ticket *t, const char *status, const struct actor *who, char *err)
{
	struct ticket_change c = {0};
	struct field_events ev = {0};
	c.set = TF_STATUS;
	c.v.status = strdup(status);
	int rc = ticket_apply(t, &c, who, 2000, &ev, err, 128);
	ticket_change_clear(&c);
	field_events_clear(&ev);
	return rc;
}

static void test_defaults(void **state)
{
	struct ticket t = {0};
	create(&t, NULL);
	assert_string_equal(t.status, "new");
	assert_string_equal(t.description, "언제 오나요?");
	assert_int_equal(t.submitter_id, 10);
	assert_int_equal(t.requester_id, 20);
	assert_int_equal(t.created_at, 1000);
	assert_string_equal(t.via_channel, "api");
	ticket_clear(&t);
}

static void test_create_events(void **state)
{
	struct ticket t = {0};
	struct ticket_change c = {0};
	struct field_events ev = {0};
	char err[128];
	c.set = TF_SUBJECT | TF_PRIORITY | TF_TAGS;
	c.v.subject = strdup("hello");
	c.v.priority = strdup("high");
	strlist_add(&c.v.tags, "VIP");
	strlist_add(&c.v.tags, "vip");
	strlist_add(&c.v.tags, "two words");
	assert_int_equal(ticket_apply(&t, &c, &agent, 5, &ev, err, sizeof(err)), 0);
	int saw_tags = 0;
	for (size_t i = 0; i < ev.n; i++) {
		assert_null(ev.v[i].previous);
		if (!strcmp(ev.v[i].field, "tags")) {
			saw_tags = 1;
			assert_string_equal(ev.v[i].value, "vip two_words");
		}
	}
	assert_true(saw_tags);
	assert_int_equal(t.tags.n, 2);
	ticket_change_clear(&c);
	field_events_clear(&ev);
	ticket_clear(&t);
}

static void test_change_events(void **state)
{
	struct ticket t = {0};
	create(&t, "open");
	struct ticket_change c = {0};
	struct field_events ev = {0};
	char err[128];
	c.set = TF_PRIORITY | TF_SUBJECT;
	c.v.priority = strdup("urgent");
	c.v.subject = strdup("배송 문의"); /* unchanged: no event */
	assert_int_equal(ticket_apply(&t, &c, &agent, 3000, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.v[0].field, "priority");
	assert_string_equal(ev.v[0].value, "urgent");
	assert_null(ev.v[0].previous);
	assert_int_equal(t.updated_at, 3000);
	ticket_change_clear(&c);
	field_events_clear(&ev);
	ticket_clear(&t);
}

/* CCs and followers changed alone are a change (an audit event each), so
 * the store saves them; the same ids again are none */
static void test_cc_follower_events(void **state)
{
	struct ticket t = {0};
	create(&t, "open");
	struct ticket_change c = {0};
	struct field_events ev = {0};
	char err[128];
	c.set = TF_COLLABORATORS | TF_FOLLOWERS;
	idlist_add(&c.v.collaborator_ids, 31);
	idlist_add(&c.v.collaborator_ids, 32);
	idlist_add(&c.v.collaborator_ids, 31);
	idlist_add(&c.v.follower_ids, 10);
	assert_int_equal(ticket_apply(&t, &c, &agent, 3000, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 2);
	assert_string_equal(ev.v[0].field, "collaborator_ids");
	assert_string_equal(ev.v[0].value, "31 32");
	assert_string_equal(ev.v[0].previous, "");
	assert_string_equal(ev.v[1].field, "follower_ids");
	assert_string_equal(ev.v[1].value, "10");
	field_events_clear(&ev);
	assert_int_equal(ticket_apply(&t, &c, &agent, 3100, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 0);
	ticket_change_clear(&c);
	c = (struct ticket_change){.set = TF_COLLABORATORS};
	assert_int_equal(ticket_apply(&t, &c, &agent, 3200, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.v[0].value, "");
	assert_string_equal(ev.v[0].previous, "31 32");
	assert_int_equal(t.collaborator_ids.n, 0);
	ticket_change_clear(&c);
	field_events_clear(&ev);
	ticket_clear(&t);
}

/* ticket_form_id: set on create, changed, cleared, each an audit event */
static void test_ticket_form(void **state)
{
	struct ticket t = {0};
	struct ticket_change c = {0};
	struct field_events ev = {0};
	char err[128];
	c.set = TF_SUBJECT | TF_REQUESTER | TF_FORM;
	c.v.subject = strdup("form");
	c.v.requester_id = 20;
	c.v.ticket_form_id = 7;
	assert_int_equal(ticket_apply(&t, &c, &agent, 1000, &ev, err, sizeof(err)), 0);
	assert_int_equal(t.ticket_form_id, 7);
	int saw = 0;
	for (size_t i = 0; i < ev.n; i++)
		if (!strcmp(ev.v[i].field, "ticket_form_id")) {
			saw = 1;
			assert_string_equal(ev.v[i].value, "7");
			assert_null(ev.v[i].previous);
		}
	assert_true(saw);
	ticket_change_clear(&c);
	field_events_clear(&ev);
	c = (struct ticket_change){.set = TF_FORM, .v.ticket_form_id = 8};
	assert_int_equal(ticket_apply(&t, &c, &agent, 2000, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.v[0].field, "ticket_form_id");
	assert_string_equal(ev.v[0].value, "8");
	assert_string_equal(ev.v[0].previous, "7");
	field_events_clear(&ev);
	assert_int_equal(ticket_apply(&t, &c, &agent, 2100, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 0); /* the same form again: no change */
	c.v.ticket_form_id = 0;
	assert_int_equal(ticket_apply(&t, &c, &agent, 2200, &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.n, 1);
	assert_null(ev.v[0].value);
	assert_string_equal(ev.v[0].previous, "8");
	assert_int_equal(t.ticket_form_id, 0);
	field_events_clear(&ev);
	ticket_clear(&t);
}

static void test_status_rules(void **state)
{
	struct ticket t = {0};
	char err[128];
	create(&t, "open");
	assert_int_equal(set_status(&t, "new", &agent, err), -1);
	assert_non_null(strstr(err, "new"));
	assert_int_equal(set_status(&t, "closed", &agent, err), -1);
	assert_int_equal(set_status(&t, "bogus", &agent, err), -1);
	/* an agent solving an unassigned ticket takes it */
	assert_int_equal(set_status(&t, "solved", &agent, err), 0);
	assert_int_equal(t.assignee_id, 10);
	assert_int_equal(t.solved_at, 2000);
	assert_int_equal(set_status(&t, "closed", &agent, err), 0);
	assert_int_equal(set_status(&t, "open", &agent, err), -1);
	assert_non_null(strstr(err, "closed"));
	ticket_clear(&t);
}

static void test_enduser_cannot_solve_unassigned(void **state)
{
	struct ticket t = {0};
	char err[128];
	create(&t, NULL);
	assert_int_equal(set_status(&t, "solved", &enduser, err), -1);
	assert_string_equal(t.status, "new"); /* unchanged on failure */
	ticket_clear(&t);
}

static void test_due_and_problem(void **state)
{
	struct ticket t = {0};
	create(&t, NULL);
	struct ticket_change c = {0};
	struct field_events ev = {0};
	char err[128];
	c.set = TF_DUE_AT;
	c.v.due_at = 99999;
	assert_int_equal(ticket_apply(&t, &c, &agent, 1, &ev, err, sizeof(err)), -1);
	c.set |= TF_TYPE;
	c.v.type = strdup("task");
	assert_int_equal(ticket_apply(&t, &c, &agent, 1, &ev, err, sizeof(err)), 0);
	field_events_clear(&ev);
	ticket_change_clear(&c);
	c.set = TF_PROBLEM;
	c.v.problem_id = 5;
	assert_int_equal(ticket_apply(&t, &c, &agent, 1, &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "problem_id"));
	ticket_change_clear(&c);
	ticket_clear(&t);
}

static void test_tags_add_remove(void **state)
{
	struct ticket t = {0};
	create(&t, NULL);
	struct ticket_change c = {0};
	struct field_events ev = {0};
	char err[128];
	strlist_add(&c.add_tags, "a");
	strlist_add(&c.add_tags, "B");
	assert_int_equal(ticket_apply(&t, &c, &agent, 1, &ev, err, sizeof(err)), 0);
	assert_int_equal(t.tags.n, 2);
	ticket_change_clear(&c);
	field_events_clear(&ev);
	strlist_add(&c.remove_tags, "b");
	assert_int_equal(ticket_apply(&t, &c, &agent, 1, &ev, err, sizeof(err)), 0);
	assert_int_equal(t.tags.n, 1);
	assert_string_equal(t.tags.v[0], "a");
	ticket_change_clear(&c);
	field_events_clear(&ev);
	strlist_add(&c.add_tags, "bad,tag");
	assert_int_equal(ticket_apply(&t, &c, &agent, 1, &ev, err, sizeof(err)), -1);
	ticket_change_clear(&c);
	ticket_clear(&t);
}

static void test_visibility(void **state)
{
	struct ticket t = {.requester_id = 20, .organization_id = 7, .group_id = 3,
			   .assignee_id = 0};
	struct actor other = {.user_id = 21, .role = ROLE_END_USER, .organization_id = 7};
	assert_true(ticket_can_view(&enduser, &t));
	assert_false(ticket_can_view(&other, &t));
	other.org_shared = 1;
	assert_true(ticket_can_view(&other, &t));
	struct actor restricted = {.user_id = 11, .role = ROLE_AGENT,
				   .restriction = RESTRICT_GROUPS, .groups = {4}, .ngroups = 1};
	assert_false(ticket_can_view(&restricted, &t));
	restricted.groups[0] = 3;
	assert_true(ticket_can_view(&restricted, &t));
	restricted.restriction = RESTRICT_ASSIGNED;
	assert_false(ticket_can_view(&restricted, &t));
	assert_true(ticket_can_view(&agent, &t));
	idlist_add(&t.collaborator_ids, 21);
	other.org_shared = 0;
	assert_true(ticket_can_view(&other, &t));
	idlist_clear(&t.collaborator_ids);
}

static void test_tag_normalize(void **state)
{
	char *t = tag_normalize("Hello World");
	assert_string_equal(t, "hello_world");
	free(t);
	t = tag_normalize("배송");
	assert_string_equal(t, "배송");
	free(t);
	assert_null(tag_normalize(""));
	assert_null(tag_normalize("a\"b"));
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_null(tag_normalize(big));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_create_events),
		cmocka_unit_test(test_change_events),
		cmocka_unit_test(test_cc_follower_events),
		cmocka_unit_test(test_ticket_form),
		cmocka_unit_test(test_status_rules),
		cmocka_unit_test(test_enduser_cannot_solve_unassigned),
		cmocka_unit_test(test_due_and_problem),
		cmocka_unit_test(test_tags_add_remove),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_tag_normalize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
