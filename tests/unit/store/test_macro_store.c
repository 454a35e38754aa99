/* test_macro_store.c - macros (store/macro_store.h) and the placeholder
 * context of a ticket (store/placeholder_store.h) in the database, on the
 * engine SONNIM_TEST_DB names (unset or "sqlite" = a fresh temp file, else
 * a PostgreSQL conninfo).  Same tests, same expectations on both engines.
 *
 * Order: the group setup opens (migrates) a store, adds people, a group, an
 * organization and one ticket with a public reply and an internal note
 * through ticket_write_run, as the API would; the tests then read and write
 * on a raw connection.
 */
#include "base/util.h"
#include "core/placeholder.h"
#include "store/group_store.h"
#include "store/macro_store.h"
#include "store/placeholder_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"
static struct store *st;
static struct db *db;
static int64_t admin_id, agent_id, agent2_id, cust_id, org_id, group_id, ticket_id;

static int64_t add_user(struct db *d, const char *name, const char *email, int role, int64_t org)
{
	struct user u = {0};
	u.name = xstrdup(name);
	u.email = xstrdup(email);
	u.role = role;
	u.organization_id = org;
	u.active = 1;
	u.created_at = u.updated_at = 1;
	int rc = user_insert_write(d, &u);
	int64_t id = rc ? -1 : u.id;
	user_clear(&u);
	return id;
}

static int people_write(struct db *d, void *p)
{
	struct db_res *r;
	if (db_query(d, &r,
		     "INSERT INTO organizations (name, created_at, updated_at) VALUES ('ACME 주식회사', 1, 1)"
		     " RETURNING id",
		     ""))
		return DB_ERR;
	org_id = db_int(r, 0, 0);
	db_res_free(r);
	admin_id = add_user(d, "Ada Admin", "admin@t.example", ROLE_ADMIN, 0);
	agent_id = add_user(d, "Jane Q Agent", "agent@t.example", ROLE_AGENT, 0);
	agent2_id = add_user(d, "Other Agent", "agent2@t.example", ROLE_AGENT, 0);
	cust_id = add_user(d, "김민수", "minsu@t.example", ROLE_END_USER, org_id);
	struct group g = {.name = xstrdup("Billing"), .is_public = 1, .created_at = 1, .updated_at = 1};
	int rc = group_store_insert(d, &g);
	group_id = g.id;
	group_clear(&g);
	if (rc)
		return rc;
	struct group_membership m = {.user_id = agent_id, .group_id = group_id, .created_at = 1,
				     .updated_at = 1};
	rc = membership_store_insert(d, &m);
	return rc || admin_id < 0 || agent_id < 0 || cust_id < 0 ? DB_ERR : 0;
}

static int write_ticket(struct actor who, int64_t id, struct ticket_change *c)
{
	struct ticket_write w = {.who = who, .id = id, .change = c, .via = "api", .now = 1000};
	store_write(st, ticket_write_run, &w);
	if (!id)
		ticket_id = w.result.id;
	int status = w.status;
	ticket_write_clear(&w);
	ticket_change_clear(c);
	return status;
}

static int group_setup(void **state)
{
	if (testdb_pick("macro"))
		return -1;
	char err[512] = "";
	st = store_open(g_url, 0, 1, err, sizeof(err));
	db = st ? db_open(g_url, 0, err, sizeof(err)) : NULL;
	if (!db) {
		print_error("open: %s\n", err);
		return -1;
	}
	if (store_write(st, people_write, NULL))
		return -1;
	struct actor agent = {.user_id = agent_id, .role = ROLE_AGENT};
	struct ticket_change c = {0};
	c.set = TF_SUBJECT | TF_REQUESTER | TF_ASSIGNEE | TF_GROUP | TF_TAGS | TF_FIELDS;
	c.v.subject = xstrdup("배송이 <늦어요>");
	c.v.requester_id = cust_id;
	c.v.assignee_id = agent_id;
	c.v.group_id = group_id;
	strlist_add(&c.v.tags, "vip");
	strlist_add(&c.v.tags, "refund");
	c.comment_body = xstrdup("첫 문의입니다");
	c.comment_public = 1;
	if (write_ticket(agent, 0, &c))
		return -1;
	c.comment_body = xstrdup("We shipped it & it is on its way.");
	c.comment_public = 1;
	if (write_ticket(agent, ticket_id, &c))
		return -1;
	c.comment_body = xstrdup("internal: check the courier");
	c.comment_public = 0;
	return write_ticket(agent, ticket_id, &c) ? -1 : 0;
}

static int group_teardown(void **state)
{
	db_close(db);
	store_close(st);
	if (g_path[0]) {
		static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
		char p[600];
		for (size_t i = 0; i < 4; i++) {
			snprintf(p, sizeof(p), "%s%s", g_path, suffixes[i]);
			unlink(p);
		}
	}
	return 0;
}

static int64_t insert(const char *title, const char *type, int64_t rid, int active)
{
	struct macro m = {.title = xstrdup(title), .active = active, .actions =
			  xstrdup("[{\"field\":\"status\",\"value\":\"solved\"}]"),
			  .restriction_id = rid, .created_at = 5, .updated_at = 5};
	snprintf(m.restriction_type, sizeof(m.restriction_type), "%s", type);
	assert_int_equal(macro_store_insert(db, &m), 0);
	int64_t id = m.id;
	macro_clear(&m);
	return id;
}

static int listed(const struct macro_filter *f, const char *title)
{
	struct macro *v;
	int n, found = 0;
	assert_int_equal(macro_store_list(db, f, &v, &n), 0);
	for (int i = 0; i < n; i++)
		found |= !strcmp(v[i].title, title);
	int64_t count;
	assert_int_equal(macro_store_count(db, f, &count), 0);
	assert_int_equal(count, n);
	macro_list_free(v, n);
	return found;
}

static void test_macro_crud_and_visibility(void **state)
{
	assert_int_equal(db_exec(db, "DELETE FROM macros"), 0);
	int64_t shared = insert("Shared one", "", 0, 1);
	int64_t grp = insert("Billing only", "Group", group_id, 1);
	int64_t mine = insert("Jane's own", "User", agent_id, 1);
	int64_t theirs = insert("Other's own", "User", agent2_id, 1);
	int64_t off = insert("Switched off", "", 0, 0);

	struct macro m = {0};
	assert_int_equal(macro_store_get(db, grp, &m), 0);
	assert_string_equal(m.title, "Billing only");
	assert_string_equal(m.restriction_type, "Group");
	assert_int_equal(m.restriction_id, group_id);
	assert_string_equal(m.actions, "[{\"field\":\"status\",\"value\":\"solved\"}]");
	assert_int_equal(m.active, 1);
	assert_null(m.description);

	/* update every column */
	free(m.title);
	m.title = xstrdup("청구 전용");
	m.description = xstrdup("설명");
	m.active = 0;
	m.position = 3;
	m.updated_at = 9;
	assert_int_equal(macro_store_update(db, &m), 0);
	macro_clear(&m);
	assert_int_equal(macro_store_get(db, grp, &m), 0);
	assert_string_equal(m.title, "청구 전용");
	assert_string_equal(m.description, "설명");
	assert_int_equal(m.active, 0);
	assert_int_equal(m.position, 3);
	assert_int_equal(m.updated_at, 9);
	m.active = 1;
	assert_int_equal(macro_store_update(db, &m), 0);

	/* visibility: Jane sees shared, her group's and her own */
	assert_int_equal(macro_store_visible(db, &m, agent_id), 1);
	assert_int_equal(macro_store_visible(db, &m, agent2_id), 0);
	macro_clear(&m);
	struct macro_filter all = {.active = -1, .win.limit = 100};
	struct macro_filter jane = {.active = 1, .visible_to = agent_id, .win.limit = 100};
	struct macro_filter other = {.active = -1, .visible_to = agent2_id, .win.limit = 100};
	assert_true(listed(&all, "Other's own") && listed(&all, "Switched off"));
	assert_true(listed(&jane, "Shared one") && listed(&jane, "청구 전용") &&
		    listed(&jane, "Jane's own"));
	assert_false(listed(&jane, "Other's own") || listed(&jane, "Switched off"));
	assert_true(listed(&other, "Other's own") && listed(&other, "Switched off"));
	assert_false(listed(&other, "청구 전용") || listed(&other, "Jane's own"));

	/* delete */
	assert_int_equal(macro_store_delete(db, theirs), 0);
	assert_int_equal(macro_store_delete(db, theirs), 1);
	assert_int_equal(macro_store_get(db, theirs, &m), 1);
	m.id = theirs;
	m.title = xstrdup("x");
	m.actions = xstrdup("[]");
	assert_int_equal(macro_store_update(db, &m), 1);
	macro_clear(&m);
	(void)shared, (void)mine, (void)off;
}

static void test_placeholder_context(void **state)
{
	struct ph_context ctx = PH_CONTEXT_INIT;
	assert_int_equal(placeholder_store_fill(db, 999999, agent_id, "https://d.example", &ctx), 1);
	assert_int_equal(ctx.n, 0);
	assert_int_equal(placeholder_store_fill(db, ticket_id, agent_id, "https://d.example", &ctx),
			 0);
	char id[32];
	snprintf(id, sizeof(id), "%lld", (long long)ticket_id);
	assert_string_equal(ph_get(&ctx, "ticket.id"), id);
	assert_string_equal(ph_get(&ctx, "ticket.title"), "배송이 <늦어요>");
	assert_string_equal(ph_get(&ctx, "ticket.description"), "첫 문의입니다");
	assert_string_equal(ph_get(&ctx, "ticket.status"), "open");
	assert_string_equal(ph_get(&ctx, "ticket.priority"), "");
	assert_string_equal(ph_get(&ctx, "ticket.tags"), "vip refund");
	assert_string_equal(ph_get(&ctx, "ticket.requester.name"), "김민수");
	assert_string_equal(ph_get(&ctx, "ticket.requester.first_name"), "김민수");
	assert_string_equal(ph_get(&ctx, "ticket.requester.email"), "minsu@t.example");
	assert_string_equal(ph_get(&ctx, "ticket.assignee.name"), "Jane Q Agent");
	assert_string_equal(ph_get(&ctx, "ticket.assignee.first_name"), "Jane");
	assert_string_equal(ph_get(&ctx, "ticket.group.name"), "Billing");
	assert_string_equal(ph_get(&ctx, "ticket.organization.name"), "ACME 주식회사");
	assert_string_equal(ph_get(&ctx, "ticket.latest_public_comment"),
			    "We shipped it & it is on its way.");
	assert_non_null(strstr(ph_get(&ctx, "ticket.latest_public_comment_html"), "&amp;"));
	assert_string_equal(ph_get(&ctx, "ticket.latest_comment"), "internal: check the courier");
	assert_string_equal(ph_get(&ctx, "current_user.name"), "Jane Q Agent");
	assert_string_equal(ph_get(&ctx, "current_user.first_name"), "Jane");
	char url[128];
	snprintf(url, sizeof(url), "https://d.example/agent/tickets/%s", id);
	assert_string_equal(ph_get(&ctx, "ticket.url"), url);

	/* rendered end to end */
	char *s = ph_render_str("{{ticket.requester.first_name}}님, #{{ticket.id}} "
				"{% if ticket.tags contains 'vip' %}VIP{% endif %} — "
				"{{current_user.first_name}} ({{ticket.group.name}})",
				&ctx, PH_HTML, NULL);
	char want[200];
	snprintf(want, sizeof(want), "김민수님, #%s VIP — Jane (Billing)", id);
	assert_string_equal(s, want);
	free(s);
	ph_context_clear(&ctx);

	/* no current user, a custom field value */
	assert_int_equal(db_query(db, NULL,
				  "UPDATE tickets SET custom_fields = ? WHERE id = ?", "si",
				  "[{\"id\":77,\"value\":\"gold\"},{\"id\":78,\"value\":[\"a\",\"b\"]}]",
				  ticket_id),
			 0);
	assert_int_equal(placeholder_store_fill(db, ticket_id, 0, "", &ctx), 0);
	assert_string_equal(ph_get(&ctx, "current_user.name"), "");
	if (ph_get(&ctx, "ticket.ticket_field_77")) {
		assert_string_equal(ph_get(&ctx, "ticket.ticket_field_77"), "gold");
		assert_string_equal(ph_get(&ctx, "ticket.ticket_field_78"), "a b");
	}
	ph_context_clear(&ctx);

	/* a failing query leaves an error, not a crash */
	db_fail_after(3);
	int rc = placeholder_store_fill(db, ticket_id, agent_id, "", &ctx);
	db_fail_after(0);
	assert_int_equal(rc, DB_ERR);
	ph_context_clear(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macro_crud_and_visibility),
		cmocka_unit_test(test_placeholder_context),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
