/* test_view_store.c - custom views, agents' availability and the API-token
 * admin queries (store/view_store.h, store/user_store.h) in the database,
 * on the engine SONNIM_TEST_DB names (unset or "sqlite" = a fresh temp
 * file, else a PostgreSQL conninfo).  Same tests, same expectations on both
 * engines.
 *
 * Order: the group setup opens (migrates) a store and adds an admin, two
 * agents, an end-user and a group with one member; the tests then write
 * through store_write and read on a raw connection.
 */
#include "base/util.h"
#include "store/group_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include "store/view_store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"
static struct store *st;
static struct db *db;
static int64_t admin_id, agent_id, agent2_id, cust_id, group_id;

static int64_t add_user(struct db *d, const char *name, const char *email, int role)
{
	struct user u = {0};
	u.name = xstrdup(name);
	u.email = xstrdup(email);
	u.role = role;
	u.active = 1;
	u.created_at = u.updated_at = 1;
	int rc = user_insert_write(d, &u);
	int64_t id = rc ? -1 : u.id;
	user_clear(&u);
	return id;
}

static int people_write(struct db *d, void *p)
{
	(void)p;
	admin_id = add_user(d, "Ada Admin", "admin@v.example", ROLE_ADMIN);
	agent_id = add_user(d, "상담원 하나", "agent@v.example", ROLE_AGENT);
	agent2_id = add_user(d, "Other Agent", "agent2@v.example", ROLE_AGENT);
	cust_id = add_user(d, "김민수", "minsu@v.example", ROLE_END_USER);
	struct group g = {
	    .name = xstrdup("Billing"), .is_public = 1, .created_at = 1, .updated_at = 1};
	int rc = group_store_insert(d, &g);
	group_id = g.id;
	group_clear(&g);
	if (rc)
		return rc;
	struct group_membership m = {
	    .user_id = agent_id, .group_id = group_id, .created_at = 1, .updated_at = 1};
	rc = membership_store_insert(d, &m);
	return rc || admin_id < 0 || agent_id < 0 || agent2_id < 0 || cust_id < 0 ? DB_ERR : 0;
}

static int insert_run(struct db *d, void *p) { return view_store_insert(d, p); }

static int64_t add_view(const char *title, const char *type, int64_t rid, int position, int active)
{
	struct view v = {.title = xstrdup(title),
			 .active = active,
			 .position = position,
			 .restriction_id = rid,
			 .conditions = xstrdup("{\"all\":[],\"any\":[]}"),
			 .execution = xstrdup("{}"),
			 .created_at = 5,
			 .updated_at = 5};
	snprintf(v.restriction_type, sizeof(v.restriction_type), "%s", type);
	int rc = store_write(st, insert_run, &v);
	int64_t id = rc ? -1 : v.id;
	view_clear(&v);
	return id;
}

static int group_setup(void **state)
{
	(void)state;
	if (testdb_pick("view"))
		return -1;
	char err[512] = "";
	st = store_open(g_url, 0, 1, err, sizeof(err));
	db = st ? db_open(g_url, 0, err, sizeof(err)) : NULL;
	if (!db) {
		print_error("open: %s\n", err);
		return -1;
	}
	return store_write(st, people_write, NULL) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	db_close(db);
	store_close(st);
	if (g_path[0])
		remove_db_files(g_path);
	return 0;
}

static int has(const struct view *v, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i].id == id)
			return 1;
	return 0;
}

static void test_views_visibility_and_order(void **state)
{
	(void)state;
	int64_t shared = add_view("모두의 보기", "", 0, 2, 1);
	int64_t grp = add_view("Billing view", "Group", group_id, 1, 1);
	int64_t mine = add_view("Agent's own", "User", agent_id, 0, 1);
	int64_t off = add_view("Retired", "", 0, 0, 0);
	assert_true(shared > 0 && grp > 0 && mine > 0 && off > 0);

	struct view *v;
	int n;
	/* an admin: all, in position order, then id */
	assert_int_equal(view_store_list(db, -1, 0, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_true(v[0].id == mine || v[0].id == off);
	assert_int_equal(v[3].id, shared);
	view_list_free(v, n);
	/* agent (member of the group): shared, group, own; active only */
	assert_int_equal(view_store_list(db, 1, agent_id, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_true(has(v, n, shared) && has(v, n, grp) && has(v, n, mine) && !has(v, n, off));
	view_list_free(v, n);
	/* the other agent: the shared one only */
	assert_int_equal(view_store_list(db, 1, agent2_id, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, shared);
	view_list_free(v, n);

	struct view got = {0};
	assert_int_equal(view_store_get(db, grp, &got), 0);
	assert_string_equal(got.title, "Billing view");
	assert_string_equal(got.restriction_type, "Group");
	assert_int_equal(view_store_visible(db, &got, agent_id), 1);
	assert_int_equal(view_store_visible(db, &got, agent2_id), 0);
	view_clear(&got);
	assert_int_equal(view_store_get(db, 999999, &got), 1);
}

static int update_run(struct db *d, void *p) { return view_store_update(d, p); }

static int delete_run(struct db *d, void *p) { return view_store_delete(d, *(int64_t *)p); }

static void test_view_update_delete(void **state)
{
	(void)state;
	int64_t id = add_view("Before", "", 0, 0, 1);
	struct view v = {0};
	assert_int_equal(view_store_get(db, id, &v), 0);
	free(v.title);
	v.title = xstrdup("After 후");
	free(v.execution);
	v.execution = xstrdup("{\"sort_by\":\"id\"}");
	v.updated_at = 9;
	assert_int_equal(store_write(st, update_run, &v), 0);
	view_clear(&v);
	assert_int_equal(view_store_get(db, id, &v), 0);
	assert_string_equal(v.title, "After 후");
	assert_string_equal(v.execution, "{\"sort_by\":\"id\"}");
	assert_int_equal(v.updated_at, 9);
	assert_int_equal(v.created_at, 5);
	view_clear(&v);
	assert_int_equal(store_write(st, delete_run, &id), 0);
	assert_int_equal(view_store_get(db, id, &v), 1);
	/* a second delete finds nothing: store_write reports it as not done */
	assert_int_not_equal(store_write(st, delete_run, &id), 0);
}

struct status_arg {
	int64_t user_id;
	const char *status;
	int auto_set;
	int64_t now;
};

static int status_run(struct db *d, void *p)
{
	struct status_arg *a = p;
	if (!a->status)
		return agent_status_store_auto_offline(d, a->user_id, a->now);
	return agent_status_store_set(d, a->user_id, a->status, a->auto_set, a->now);
}

static const struct agent_status *find_status(const struct agent_status *v, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i].user_id == id)
			return &v[i];
	return NULL;
}

static void test_agent_status(void **state)
{
	(void)state;
	struct agent_status *v;
	int n;
	/* nobody set anything: every agent and admin is offline, no end-user listed */
	assert_int_equal(agent_status_store_list(db, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_non_null(find_status(v, n, agent_id));
	assert_string_equal(find_status(v, n, agent_id)->status, "offline");
	assert_int_equal(find_status(v, n, agent_id)->updated_at, 0);
	assert_null(find_status(v, n, cust_id));
	free(v);

	struct status_arg a = {agent_id, "away", 0, 100};
	assert_int_equal(store_write(st, status_run, &a), 0);
	a = (struct status_arg){agent_id, "online", 0, 110};
	assert_int_equal(store_write(st, status_run, &a), 0); /* upsert */
	a = (struct status_arg){agent2_id, "offline", 0, 120};
	assert_int_equal(store_write(st, status_run, &a), 0);
	/* the stream closed: offline, automatic; an agent already offline is left alone */
	a = (struct status_arg){agent_id, NULL, 0, 130};
	assert_int_equal(store_write(st, status_run, &a), 0);
	a = (struct status_arg){agent2_id, NULL, 0, 140};
	assert_int_equal(store_write(st, status_run, &a), 0);
	assert_int_equal(agent_status_store_list(db, &v, &n), 0);
	const struct agent_status *s = find_status(v, n, agent_id);
	assert_string_equal(s->status, "offline");
	assert_int_equal(s->auto_set, 1);
	assert_int_equal(s->updated_at, 130);
	s = find_status(v, n, agent2_id);
	assert_int_equal(s->auto_set, 0);
	assert_int_equal(s->updated_at, 120);
	free(v);
}

struct tok_arg {
	int64_t user_id, id;
	const char *hash;
};

static int tok_add_run(struct db *d, void *p)
{
	struct tok_arg *a = p;
	return token_store_add(d, a->user_id, "api", a->hash, "이름 있는 토큰", &a->id);
}

static int tok_revoke_run(struct db *d, void *p)
{
	return token_store_revoke(d, ((struct tok_arg *)p)->id);
}

static void test_tokens_list_revoke(void **state)
{
	(void)state;
	struct tok_arg a = {agent_id, 0,
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	assert_int_equal(store_write(st, tok_add_run, &a), 0);
	int64_t uid = 0;
	assert_int_equal(token_store_lookup(db, "api", a.hash, &uid), 0);
	assert_int_equal(uid, agent_id);
	struct token_row *v;
	int n;
	assert_int_equal(token_store_list(db, agent_id, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, a.id);
	assert_string_equal(v[0].kind, "api");
	assert_string_equal(v[0].description, "이름 있는 토큰");
	assert_int_equal(v[0].active, 1);
	assert_int_equal(v[0].last_used_at, 0);
	token_rows_free(v, n);
	assert_int_equal(token_store_list(db, agent2_id, &v, &n), 0);
	assert_int_equal(n, 0);
	token_rows_free(v, n);
	assert_int_equal(store_write(st, tok_revoke_run, &a), 0);
	assert_int_equal(token_store_lookup(db, "api", a.hash, &uid), 1);
	assert_int_equal(token_store_list(db, 0, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].active, 0);
	token_rows_free(v, n);
	a.id = 999999;
	assert_int_not_equal(store_write(st, tok_revoke_run, &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_views_visibility_and_order),
	    cmocka_unit_test(test_view_update_delete),
	    cmocka_unit_test(test_agent_status),
	    cmocka_unit_test(test_tokens_list_revoke),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
