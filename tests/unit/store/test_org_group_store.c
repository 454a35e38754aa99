/* test_org_group_store.c - organizations, groups, group memberships and
 * ticket fields in the database (org_store, group_store, field_store, and
 * the user listing they lean on), on the engine SONNIM_TEST_DB names:
 * unset or "sqlite" = a fresh temp file, else a PostgreSQL conninfo (the
 * test runner gives this binary a fresh database).  Same tests, same
 * expectations on both engines.
 *
 * Order: the group setup migrates once; every test gets an open store and
 * one raw connection with the tables it touches emptied (system ticket
 * fields stay).  Store functions are called on the raw connection
 * (autocommit) unless the point is the transaction: then they run through
 * store_write() and the test checks that a refused write left nothing.
 */
#include "store/field_store.h"
#include "store/group_store.h"
#include "store/org_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

static int group_setup(void **state)
{
	(void)state;
	return testdb_create("org");
}

static int group_teardown(void **state)
{
	(void)state;
	return testdb_drop();
}

static int setup(void **state)
{
	static const char *const wipe[] = {
	    "DELETE FROM group_memberships",
	    "DELETE FROM user_identities",
	    "DELETE FROM api_tokens",
	    "DELETE FROM users",
	    "DELETE FROM agent_groups",
	    "DELETE FROM organizations",
	    "DELETE FROM tickets",
	    "DELETE FROM organization_fts",
	    "DELETE FROM user_fts",
	    "DELETE FROM ticket_field_options",
	    "DELETE FROM ticket_fields WHERE removable = 1",
	};
	return testdb_open(state, wipe, sizeof(wipe) / sizeof(*wipe));
}

static int teardown(void **state) { return testdb_close(state); }

/* ---- helpers ----------------------------------------------------------- */

static int64_t scalar(struct db *db, const char *sql, int64_t id)
{
	struct db_res *r;
	assert_int_equal(db_query(db, &r, sql, "i", id), 0);
	int64_t v = r->nrows ? db_int(r, 0, 0) : -1;
	db_res_free(r);
	return v;
}

static int64_t add_org(struct db *db, const char *name, const char *external_id)
{
	struct organization o = {0};
	o.name = strdup(name);
	o.external_id = external_id ? strdup(external_id) : NULL;
	o.created_at = o.updated_at = 1700000000;
	assert_int_equal(org_store_insert(db, &o), 0);
	int64_t id = o.id;
	organization_clear(&o);
	return id;
}

static int64_t add_user(struct db *db, const char *name, const char *email, int role, int64_t org)
{
	struct user u = {0};
	u.name = strdup(name);
	u.email = email ? strdup(email) : NULL;
	u.role = role;
	u.organization_id = org;
	u.active = 1;
	u.created_at = u.updated_at = 1700000000;
	assert_int_equal(user_insert_write(db, &u), 0);
	int64_t id = u.id;
	user_clear(&u);
	return id;
}

static int64_t add_group(struct db *db, const char *name)
{
	struct group g = {.is_public = 1, .created_at = 1700000000, .updated_at = 1700000000};
	g.name = strdup(name);
	assert_int_equal(group_store_insert(db, &g), 0);
	int64_t id = g.id;
	group_clear(&g);
	return id;
}

static int64_t add_member(struct db *db, int64_t user, int64_t group, int *is_default)
{
	struct group_membership m = {
	    .user_id = user, .group_id = group, .created_at = 1, .updated_at = 1};
	assert_int_equal(membership_store_insert(db, &m), 0);
	if (is_default)
		*is_default = m.is_default;
	return m.id;
}

/* ---- organizations ----------------------------------------------------- */

static void test_org_roundtrip(void **state)
{
	struct fixture *fx = *state;
	int64_t g = add_group(fx->db, "Support");
	struct organization o = {0}, got = {0};
	o.name = strdup("Acme Corp");
	o.details = strdup("서울시 강남구");
	o.external_id = strdup("ACME-1");
	strlist_add(&o.domain_names, "acme.example");
	strlist_add(&o.domain_names, "acme.co.kr");
	strlist_add(&o.tags, "vip");
	o.group_id = g;
	o.shared_tickets = o.shared_comments = 1;
	o.organization_fields = strdup("{\"tier\":\"gold\"}");
	o.created_at = 1700000000;
	o.updated_at = 1700000001;
	assert_int_equal(org_store_insert(fx->db, &o), 0);
	assert_true(o.id > 0);

	assert_int_equal(org_store_get(fx->db, o.id, &got), 0);
	assert_string_equal(got.name, "Acme Corp");
	assert_string_equal(got.details, "서울시 강남구");
	assert_null(got.notes);
	assert_string_equal(got.external_id, "ACME-1");
	assert_int_equal(got.domain_names.n, 2);
	assert_string_equal(got.domain_names.v[1], "acme.co.kr");
	assert_int_equal(got.tags.n, 1);
	assert_true(got.group_id == g);
	assert_int_equal(got.shared_tickets, 1);
	assert_int_equal(got.shared_comments, 1);
	assert_string_equal(got.organization_fields, "{\"tier\":\"gold\"}");
	assert_true(got.created_at == 1700000000 && got.updated_at == 1700000001);
	organization_clear(&got);

	/* name and external_id are found case-insensitively */
	assert_int_equal(org_store_by_name(fx->db, "ACME CORP", &got), 0);
	assert_true(got.id == o.id);
	organization_clear(&got);
	assert_int_equal(org_store_by_external_id(fx->db, "acme-1", &got), 0);
	organization_clear(&got);
	assert_int_equal(org_store_by_name(fx->db, "Acme", &got), 1);
	assert_int_equal(org_store_get(fx->db, o.id + 1000, &got), 1);

	/* update every column; the search document follows */
	free(o.name);
	o.name = strdup("Acme Holdings");
	free(o.details);
	o.details = NULL;
	strlist_clear(&o.tags);
	o.group_id = 0;
	o.shared_comments = 0;
	o.updated_at = 1700000100;
	assert_int_equal(org_store_update(fx->db, &o), 0);
	assert_int_equal(org_store_get(fx->db, o.id, &got), 0);
	assert_string_equal(got.name, "Acme Holdings");
	assert_null(got.details);
	assert_int_equal(got.tags.n, 0);
	assert_true(got.group_id == 0);
	assert_int_equal(got.shared_comments, 0);
	assert_true(got.updated_at == 1700000100);
	organization_clear(&got);
	assert_true(scalar(fx->db, "SELECT COUNT(*) FROM organization_fts WHERE rowid = ?", o.id) ==
		    1);
	organization_clear(&o);

	/* organization_fields NULL is stored as {} */
	int64_t id = add_org(fx->db, "Plain", NULL);
	assert_int_equal(org_store_get(fx->db, id, &got), 0);
	assert_string_equal(got.organization_fields, "{}");
	assert_int_equal(got.domain_names.n, 0);
	organization_clear(&got);
}

static void test_org_list(void **state)
{
	struct fixture *fx = *state;
	const char *names[] = {"Beta", "alpha", "Alpine", "50% off", "a_b", "한빛상사", "한국전력"};
	int64_t ids[7];
	for (int i = 0; i < 7; i++)
		ids[i] = add_org(fx->db, names[i], NULL);
	struct organization *v;
	int n;
	int64_t count;

	struct org_filter all = {.win.limit = 100};
	assert_int_equal(org_store_list(fx->db, &all, &v, &n), 0);
	assert_int_equal(n, 7);
	assert_true(v[0].id == ids[0] && v[6].id == ids[6]);
	org_list_free(v, n);
	assert_int_equal(org_store_count(fx->db, &all, &count), 0);
	assert_true(count == 7);

	/* offset and cursor pages, both directions */
	struct org_filter page = {.win.limit = 3, .win.offset = 3};
	assert_int_equal(org_store_list(fx->db, &page, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_true(v[0].id == ids[3]);
	org_list_free(v, n);
	struct org_filter cur = {.win.limit = 2, .win.after_id = ids[4]};
	assert_int_equal(org_store_list(fx->db, &cur, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_true(v[0].id == ids[5] && v[1].id == ids[6]);
	org_list_free(v, n);
	struct org_filter desc = {.win.limit = 2, .win.desc = 1, .win.after_id = ids[2]};
	assert_int_equal(org_store_list(fx->db, &desc, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_true(v[0].id == ids[1] && v[1].id == ids[0]);
	org_list_free(v, n);

	/* autocomplete: case-insensitive prefix, ordered by name; LIKE
	 * metacharacters in the prefix are plain text */
	struct org_filter al = {.win.limit = 10, .name_prefix = "AL"};
	assert_int_equal(org_store_list(fx->db, &al, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "alpha");
	assert_string_equal(v[1].name, "Alpine");
	org_list_free(v, n);
	assert_int_equal(org_store_count(fx->db, &al, &count), 0);
	assert_true(count == 2);
	struct org_filter pct = {.win.limit = 10, .name_prefix = "50%"};
	assert_int_equal(org_store_list(fx->db, &pct, &v, &n), 0);
	assert_int_equal(n, 1);
	org_list_free(v, n);
	struct org_filter pct2 = {.win.limit = 10, .name_prefix = "5%"};
	assert_int_equal(org_store_list(fx->db, &pct2, &v, &n), 0);
	assert_int_equal(n, 0);
	struct org_filter us = {.win.limit = 10, .name_prefix = "a_"};
	assert_int_equal(org_store_list(fx->db, &us, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "a_b");
	org_list_free(v, n);
	struct org_filter ko = {.win.limit = 10, .name_prefix = "한"};
	assert_int_equal(org_store_count(fx->db, &ko, &count), 0);
	assert_true(count == 2);
	struct org_filter ko2 = {.win.limit = 10, .name_prefix = "한빛"};
	assert_int_equal(org_store_count(fx->db, &ko2, &count), 0);
	assert_true(count == 1);
}

static void test_org_delete_detaches(void **state)
{
	struct fixture *fx = *state;
	int64_t org = add_org(fx->db, "Gone Inc", "gone"), keep = add_org(fx->db, "Stays", NULL);
	int64_t u1 = add_user(fx->db, "In Org", "in@gone.example", ROLE_END_USER, org);
	int64_t u2 = add_user(fx->db, "Other", "other@stays.example", ROLE_END_USER, keep);
	assert_int_equal(
	    db_query(fx->db, NULL,
		     "INSERT INTO tickets (status, requester_id, organization_id,"
		     " created_at, updated_at, generated_at) VALUES ('new', ?, ?, 1, 1, 1)",
		     "ii", u1, org),
	    0);
	assert_int_equal(org_store_delete(fx->db, org), 0);
	struct organization o = {0};
	assert_int_equal(org_store_get(fx->db, org, &o), 1);
	assert_true(scalar(fx->db, "SELECT COUNT(*) FROM users WHERE organization_id = ?", org) ==
		    0);
	assert_true(scalar(fx->db, "SELECT COUNT(*) FROM tickets WHERE organization_id = ?", org) ==
		    0);
	assert_true(scalar(fx->db, "SELECT COUNT(*) FROM tickets WHERE requester_id = ?", u1) == 1);
	assert_true(scalar(fx->db, "SELECT COUNT(*) FROM organization_fts WHERE rowid = ?", org) ==
		    0);
	assert_true(scalar(fx->db, "SELECT organization_id FROM users WHERE id = ?", u2) == keep);
	assert_int_equal(org_store_delete(fx->db, org), 1);
}

struct two_orgs {
	const char *a, *b;
};

/* Inserts a, then b; a duplicate b must take a with it. */
static int w_two_orgs(struct db *db, void *arg)
{
	struct two_orgs *t = arg;
	struct organization o = {.created_at = 1, .updated_at = 1};
	o.name = (char *)t->a;
	int rc = org_store_insert(db, &o);
	if (rc)
		return rc;
	o.name = (char *)t->b;
	return org_store_insert(db, &o);
}

static void test_org_write_all_or_nothing(void **state)
{
	struct fixture *fx = *state;
	add_org(fx->db, "Taken", NULL);
	struct two_orgs t = {"Fresh", "Taken"};
	assert_int_equal(store_write(fx->st, w_two_orgs, &t), DB_CONSTRAINT);
	struct org_filter all = {.win.limit = 10};
	int64_t count;
	assert_int_equal(org_store_count(fx->db, &all, &count), 0);
	assert_true(count == 1);
	/* the search document of the undone insert went with it */
	struct db_res *r;
	assert_int_equal(db_query(fx->db, &r, "SELECT COUNT(*) FROM organization_fts", ""), 0);
	assert_true(db_int(r, 0, 0) == 1);
	db_res_free(r);
	struct two_orgs ok = {"One", "Two"};
	assert_int_equal(store_write(fx->st, w_two_orgs, &ok), 0);
	assert_int_equal(org_store_count(fx->db, &all, &count), 0);
	assert_true(count == 3);
}

/* ---- groups and memberships -------------------------------------------- */

static void test_group_crud(void **state)
{
	struct fixture *fx = *state;
	int64_t a = add_group(fx->db, "Support"), b = add_group(fx->db, "결제 Billing");
	struct group g = {0};
	assert_int_equal(group_store_get(fx->db, a, &g), 0);
	assert_string_equal(g.name, "Support");
	assert_null(g.description);
	assert_int_equal(g.is_public, 1);
	assert_int_equal(g.deleted, 0);
	free(g.name);
	g.name = strdup("Support L1");
	g.description = strdup("first line");
	g.is_public = 0;
	g.updated_at = 1800000000;
	assert_int_equal(group_store_update(fx->db, &g), 0);
	group_clear(&g);
	assert_int_equal(group_store_by_name(fx->db, "SUPPORT l1", 0, &g), 0);
	assert_true(g.id == a);
	assert_string_equal(g.description, "first line");
	assert_int_equal(g.is_public, 0);
	assert_true(g.updated_at == 1800000000);
	group_clear(&g);
	assert_int_equal(group_store_by_name(fx->db, "Support", 0, &g), 1);

	struct group *v;
	int n;
	int64_t count;
	struct group_filter all = {.win.limit = 10};
	assert_int_equal(group_store_list(fx->db, &all, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_true(v[0].id == a && v[1].id == b);
	group_list_free(v, n);
	assert_int_equal(group_store_count(fx->db, &all, &count), 0);
	assert_true(count == 2);
	struct group_filter desc = {.win.limit = 1, .win.desc = 1};
	assert_int_equal(group_store_list(fx->db, &desc, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_true(v[0].id == b);
	group_list_free(v, n);

	/* a user's groups */
	int64_t agent = add_user(fx->db, "Agent", "agent@x.example", ROLE_AGENT, 0);
	add_member(fx->db, agent, b, NULL);
	struct group_filter mine = {.win.limit = 10, .user_id = agent};
	assert_int_equal(group_store_list(fx->db, &mine, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "결제 Billing");
	group_list_free(v, n);

	/* the UNIQUE name refuses an exact duplicate */
	struct group dup = {
	    .name = "결제 Billing", .is_public = 1, .created_at = 1, .updated_at = 1};
	assert_int_equal(group_store_insert(fx->db, &dup), DB_CONSTRAINT);
}

static void test_memberships_default(void **state)
{
	struct fixture *fx = *state;
	int64_t g1 = add_group(fx->db, "One"), g2 = add_group(fx->db, "Two"),
		g3 = add_group(fx->db, "Three");
	int64_t agent = add_user(fx->db, "Agent", "a@x.example", ROLE_AGENT, 0);
	int64_t other = add_user(fx->db, "Admin", "b@x.example", ROLE_ADMIN, 0);
	int d1, d2, d3;
	int64_t m1 = add_member(fx->db, agent, g1, &d1);
	int64_t m2 = add_member(fx->db, agent, g2, &d2);
	int64_t m3 = add_member(fx->db, agent, g3, &d3);
	add_member(fx->db, other, g2, NULL);
	/* the first membership is the default, mirrored in the user */
	assert_int_equal(d1, 1);
	assert_int_equal(d2, 0);
	assert_int_equal(d3, 0);
	const char *dg = "SELECT default_group_id FROM users WHERE id = ?";
	assert_true(scalar(fx->db, dg, agent) == g1);
	assert_true(scalar(fx->db, dg, other) == g2);

	struct group_membership m;
	assert_int_equal(membership_store_find(fx->db, agent, g2, &m), 0);
	assert_true(m.id == m2 && !m.is_default);
	assert_int_equal(membership_store_find(fx->db, other, g1, &m), 1);

	/* a second row for the same pair is refused */
	struct group_membership again = {
	    .user_id = agent, .group_id = g2, .created_at = 1, .updated_at = 1};
	assert_int_equal(membership_store_insert(fx->db, &again), DB_CONSTRAINT);

	assert_int_equal(membership_store_make_default(fx->db, agent, m3, 5), 0);
	assert_true(scalar(fx->db, dg, agent) == g3);
	assert_int_equal(membership_store_get(fx->db, m1, &m), 0);
	assert_int_equal(m.is_default, 0);
	assert_int_equal(membership_store_get(fx->db, m3, &m), 0);
	assert_int_equal(m.is_default, 1);
	/* someone else's membership, or none */
	assert_int_equal(membership_store_make_default(fx->db, other, m3, 5), 1);
	assert_int_equal(membership_store_make_default(fx->db, agent, m3 + 1000, 5), 1);

	/* deleting the default moves it to the oldest other membership */
	assert_int_equal(membership_store_delete(fx->db, m3, 6), 0);
	assert_true(scalar(fx->db, dg, agent) == g1);
	assert_int_equal(membership_store_get(fx->db, m1, &m), 0);
	assert_int_equal(m.is_default, 1);
	assert_int_equal(membership_store_delete(fx->db, m2, 6), 0);
	assert_true(scalar(fx->db, dg, agent) == g1);
	assert_int_equal(membership_store_delete(fx->db, m1, 6), 0);
	assert_true(scalar(fx->db, dg, agent) == 0); /* NULL */
	assert_int_equal(membership_store_delete(fx->db, m1, 6), 1);
}

static void test_memberships_list(void **state)
{
	struct fixture *fx = *state;
	int64_t g1 = add_group(fx->db, "One"), g2 = add_group(fx->db, "Two");
	int64_t a1 = add_user(fx->db, "A1", "a1@x.example", ROLE_AGENT, 0);
	int64_t a2 = add_user(fx->db, "A2", "a2@x.example", ROLE_ADMIN, 0);
	int64_t a3 = add_user(fx->db, "A3", "a3@x.example", ROLE_AGENT, 0);
	int64_t m[4];
	m[0] = add_member(fx->db, a1, g1, NULL);
	m[1] = add_member(fx->db, a2, g1, NULL);
	m[2] = add_member(fx->db, a3, g1, NULL);
	m[3] = add_member(fx->db, a1, g2, NULL);
	assert_int_equal(
	    db_query(fx->db, NULL, "UPDATE users SET active = 0 WHERE id = ?", "i", a3), 0);
	struct group_membership *v;
	int n;
	int64_t count;
	struct membership_filter by_group = {.group_id = g1, .win.limit = 10};
	assert_int_equal(membership_store_list(fx->db, &by_group, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_true(v[0].id == m[0] && v[2].id == m[2]);
	free(v);
	struct membership_filter by_user = {.user_id = a1, .win.limit = 10};
	assert_int_equal(membership_store_count(fx->db, &by_user, &count), 0);
	assert_true(count == 2);
	struct membership_filter assignable = {.group_id = g1, .assignable = 1, .win.limit = 10};
	assert_int_equal(membership_store_count(fx->db, &assignable, &count), 0);
	assert_true(count == 2); /* the inactive agent is not assignable */
	struct membership_filter page = {.win.limit = 2, .win.after_id = m[1]};
	assert_int_equal(membership_store_list(fx->db, &page, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_true(v[0].id == m[2] && v[1].id == m[3]);
	free(v);

	/* a group's users, through the user listing */
	struct user *u;
	struct user_filter uf = {.group_id = g1, .win.limit = 10};
	assert_int_equal(user_store_find(fx->db, &uf, &u, &n), 0);
	assert_int_equal(n, 2); /* the inactive one is not listed */
	user_list_free(u, n);
	uf.include_inactive = 1;
	assert_int_equal(user_store_find_count(fx->db, &uf, &count), 0);
	assert_true(count == 3);
}

static void test_group_delete(void **state)
{
	struct fixture *fx = *state;
	int64_t g1 = add_group(fx->db, "Doomed"), g2 = add_group(fx->db, "Kept");
	int64_t agent = add_user(fx->db, "Agent", "a@x.example", ROLE_AGENT, 0);
	int64_t m1 = add_member(fx->db, agent, g1, NULL);
	add_member(fx->db, agent, g2, NULL);
	struct organization o = {
	    .name = "Routed", .group_id = g1, .created_at = 1, .updated_at = 1};
	assert_int_equal(org_store_insert(fx->db, &o), 0);

	assert_int_equal(group_store_delete(fx->db, g1, 10), 0);
	struct group g = {0};
	assert_int_equal(group_store_get(fx->db, g1, &g), 0); /* kept, marked */
	assert_int_equal(g.deleted, 1);
	group_clear(&g);
	struct group_membership m;
	assert_int_equal(membership_store_get(fx->db, m1, &m), 1);
	assert_true(scalar(fx->db, "SELECT default_group_id FROM users WHERE id = ?", agent) == g2);
	assert_true(scalar(fx->db, "SELECT COUNT(*) FROM organizations WHERE group_id = ?", g1) ==
		    0);
	assert_int_equal(group_store_delete(fx->db, g1, 11), 1);

	/* listed only on request; its name can be used again */
	struct group_filter live = {.win.limit = 10}, every = {.win.limit = 10, .include_deleted = 1};
	int64_t count;
	assert_int_equal(group_store_count(fx->db, &live, &count), 0);
	assert_true(count == 1);
	assert_int_equal(group_store_count(fx->db, &every, &count), 0);
	assert_true(count == 2);
	assert_int_equal(group_store_by_name(fx->db, "doomed", 0, &g), 1);
	assert_int_equal(group_store_by_name(fx->db, "doomed", 1, &g), 0);
	group_clear(&g);
	int64_t again = add_group(fx->db, "Doomed");
	assert_true(again != g1);
	assert_int_equal(group_store_get(fx->db, g1, &g), 0);
	assert_string_not_equal(g.name, "Doomed");
	assert_non_null(strstr(g.name, "Doomed (deleted "));
	group_clear(&g);
}

/* ---- users (the listing the endpoints use) ------------------------------- */

static void test_user_find(void **state)
{
	struct fixture *fx = *state;
	int64_t org = add_org(fx->db, "Acme", NULL);
	int64_t e1 = add_user(fx->db, "Kim Minsu", "minsu@x.example", ROLE_END_USER, org);
	int64_t a1 = add_user(fx->db, "kim jiwon", "jiwon@x.example", ROLE_AGENT, 0);
	int64_t ad = add_user(fx->db, "Admin", "admin@x.example", ROLE_ADMIN, 0);
	int64_t e2 = add_user(fx->db, "김민지", NULL, ROLE_END_USER, org);
	(void)a1;
	assert_int_equal(
	    db_query(fx->db, NULL, "UPDATE users SET external_id = 'ext-9' WHERE id = ?", "i", e2),
	    0);
	struct user *v;
	int n;
	int64_t count;
	struct user_filter staff = {.roles = (1u << ROLE_AGENT) | (1u << ROLE_ADMIN), .win.limit = 10};
	assert_int_equal(user_store_find(fx->db, &staff, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_true(v[1].id == ad);
	user_list_free(v, n);
	struct user_filter in_org = {.organization_id = org, .win.limit = 10};
	assert_int_equal(user_store_find_count(fx->db, &in_org, &count), 0);
	assert_true(count == 2);
	struct user_filter kim = {.name_prefix = "KIM", .win.limit = 10};
	assert_int_equal(user_store_find(fx->db, &kim, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "kim jiwon"); /* by name */
	user_list_free(v, n);
	struct user_filter ko = {.name_prefix = "김", .win.limit = 10};
	assert_int_equal(user_store_find_count(fx->db, &ko, &count), 0);
	assert_true(count == 1);
	struct user_filter ext = {.external_id = "ext-9", .win.limit = 10};
	assert_int_equal(user_store_find(fx->db, &ext, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_true(v[0].id == e2);
	user_list_free(v, n);

	/* deactivated users leave the lists; merged ones never show */
	assert_int_equal(
	    db_query(fx->db, NULL, "UPDATE users SET active = 0 WHERE id = ?", "i", e1), 0);
	struct user_filter any = {.win.limit = 10};
	assert_int_equal(user_store_find_count(fx->db, &any, &count), 0);
	assert_true(count == 3);
	any.include_inactive = 1;
	assert_int_equal(user_store_find_count(fx->db, &any, &count), 0);
	assert_true(count == 4);
	assert_int_equal(user_store_merge(fx->db, e2, e1, 5), 0);
	assert_int_equal(user_store_find_count(fx->db, &any, &count), 0);
	assert_true(count == 3);

	/* identity_store_update: value and verified, refused when taken */
	struct identity *ids;
	assert_int_equal(identity_store_list(fx->db, a1, &ids, &n), 0);
	assert_int_equal(n, 1);
	free(ids[0].value);
	ids[0].value = strdup("jiwon2@x.example");
	ids[0].verified = 1;
	assert_int_equal(identity_store_update(fx->db, &ids[0]), 0);
	struct identity d = {0};
	assert_int_equal(identity_store_get(fx->db, a1, ids[0].id, &d), 0);
	assert_string_equal(d.value, "jiwon2@x.example");
	assert_int_equal(d.verified, 1);
	identity_clear(&d);
	free(ids[0].value);
	ids[0].value = strdup("admin@x.example");
	assert_int_equal(identity_store_update(fx->db, &ids[0]), DB_CONSTRAINT);
	ids[0].id += 1000;
	assert_int_equal(identity_store_update(fx->db, &ids[0]), 1);
	identity_list_free(ids, n);
}

/* ---- ticket fields ------------------------------------------------------ */

static void test_system_fields(void **state)
{
	struct fixture *fx = *state;
	struct field *v;
	int n;
	assert_int_equal(field_store_list(fx->db, 0, 0, 0, &v, &n), 0);
	assert_int_equal(n, 7);
	const char *want[] = {"subject",  "description", "status",  "tickettype",
			      "priority", "group",	 "assignee"};
	for (int i = 0; i < n; i++) {
		assert_string_equal(v[i].type, want[i]);
		assert_int_equal(v[i].removable, 0);
		assert_int_equal(v[i].active, 1);
		assert_true(v[i].created_at > 1600000000); /* @NOW@ at migration */
		assert_int_equal(v[i].noptions, 0);
	}
	field_list_free(v, n);
	int64_t count;
	assert_int_equal(field_store_count(fx->db, &count), 0);
	assert_true(count == 7);
}

static int64_t add_dropdown(struct db *db, const char *title)
{
	struct field f = {0};
	char err[256];
	f.type = strdup("tagger");
	f.title = strdup(title);
	f.active = 1;
	f.created_at = f.updated_at = 1700000000;
	field_option_add(&f, 0, "Phone", "phone", 0);
	field_option_add(&f, 0, "Laptop", "laptop", 0);
	field_option_add(&f, 0, "Tablet", "tablet", 0);
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	assert_int_equal(field_store_insert(db, &f), 0);
	assert_true(f.options[0].id > 0 && f.options[2].id > f.options[0].id);
	int64_t id = f.id;
	field_clear(&f);
	return id;
}

static void test_field_options(void **state)
{
	struct fixture *fx = *state;
	int64_t id = add_dropdown(fx->db, "Product");
	struct field f = {0};
	assert_int_equal(field_store_get(fx->db, id, &f), 0);
	assert_int_equal(f.removable, 1);
	assert_true(f.position > 7); /* after the system fields */
	assert_int_equal(f.noptions, 3);
	assert_string_equal(f.options[1].value, "laptop");
	int64_t phone = f.options[0].id, laptop = f.options[1].id;

	/* swap the values of two kept options, rename by id, drop one, add one */
	struct field g = {0};
	field_copy(&g, &f);
	field_clear(&f);
	for (size_t i = 0; i < g.noptions; i++) {
		free(g.options[i].name);
		free(g.options[i].value);
	}
	free(g.options);
	g.options = NULL;
	g.noptions = 0;
	field_option_add(&g, phone, "Laptop!", "laptop", 0);
	field_option_add(&g, laptop, "Phone!", "phone", 1);
	field_option_add(&g, 0, "Watch", "watch", 2);
	g.updated_at = 1700000500;
	assert_int_equal(field_store_update(fx->db, &g), 0);
	assert_true(g.options[2].id > 0);
	int64_t watch = g.options[2].id;
	field_clear(&g);
	assert_int_equal(field_store_get(fx->db, id, &f), 0);
	assert_int_equal(f.noptions, 3);
	assert_true(f.options[0].id == phone);
	assert_string_equal(f.options[0].value, "laptop");
	assert_string_equal(f.options[0].name, "Laptop!");
	assert_true(f.options[1].id == laptop);
	assert_string_equal(f.options[1].value, "phone");
	assert_true(f.options[2].id == watch); /* (SQLite may reuse tablet's id) */
	assert_string_equal(f.options[2].value, "watch");
	assert_true(f.updated_at == 1700000500);

	/* an option without an id keeps the id of the option with its value */
	free(f.options[2].name);
	f.options[2].name = strdup("Smart watch");
	f.options[2].id = 0;
	assert_int_equal(field_store_update(fx->db, &f), 0);
	field_clear(&f);
	assert_int_equal(field_store_get(fx->db, id, &f), 0);
	assert_true(f.options[2].id == watch);
	assert_string_equal(f.options[2].name, "Smart watch");
	field_clear(&f);

	/* cursor listing by id; delete takes the options along */
	struct field *v;
	int n;
	assert_int_equal(field_store_list(fx->db, 1, 6, 10, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, 7);
	assert_true(v[1].id == id && v[1].noptions == 3);
	field_list_free(v, n);
	assert_int_equal(field_store_delete(fx->db, id), 0);
	assert_int_equal(field_store_get(fx->db, id, &f), 1);
	assert_true(scalar(fx->db, "SELECT COUNT(*) FROM ticket_field_options WHERE field_id = ?",
			   id) == 0);
	assert_int_equal(field_store_delete(fx->db, id), 1);
}

static void test_field_check_values(void **state)
{
	struct fixture *fx = *state;
	int64_t product = add_dropdown(fx->db, "Product");
	struct field f = {0};
	char err[256];
	f.type = strdup("checkbox");
	f.title = strdup("Urgent");
	f.tag = strdup("urgent");
	f.active = 1;
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	assert_int_equal(field_store_insert(fx->db, &f), 0);
	int64_t urgent = f.id;
	field_clear(&f);
	f.type = strdup("integer");
	f.title = strdup("Retired");
	f.active = 0;
	assert_int_equal(field_store_insert(fx->db, &f), 0);
	int64_t retired = f.id;
	field_clear(&f);

	struct field_value vals[2] = {{product, strdup("\"Laptop\"")}, {urgent, strdup("1")}};
	struct strlist tags = {0};
	assert_int_equal(field_store_check_values(fx->db, vals, 2, &tags, err, sizeof(err)), 0);
	assert_string_equal(vals[0].value_json, "\"laptop\"");
	assert_string_equal(vals[1].value_json, "true");
	assert_int_equal(tags.n, 2);
	assert_string_equal(tags.v[0], "laptop");
	assert_string_equal(tags.v[1], "urgent");
	strlist_clear(&tags);
	free(vals[0].value_json);
	free(vals[1].value_json);

	/* refusals: a bad value, an inactive field, a system field, no field */
	int64_t bad_ids[] = {product, retired, 1, 999999};
	const char *bad_vals[] = {"\"desktop\"", "5", "\"x\"", "\"x\""};
	for (int i = 0; i < 4; i++) {
		struct field_value one = {bad_ids[i], strdup(bad_vals[i])};
		err[0] = '\0';
		assert_int_equal(field_store_check_values(fx->db, &one, 1, NULL, err, sizeof(err)),
				 1);
		assert_true(!strncmp(err, "custom_fields: ", 15));
		assert_string_equal(one.value_json, bad_vals[i]); /* untouched */
		free(one.value_json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_org_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_org_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_org_delete_detaches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_org_write_all_or_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_crud, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memberships_default, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memberships_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_find, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_system_fields, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_field_options, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_field_check_values, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/org_group", tests, group_setup, group_teardown);
}
