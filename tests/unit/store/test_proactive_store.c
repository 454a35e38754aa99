/* test_proactive_store.c - banners, prompts and campaigns in the database
 * (store/proactive_store.h), on the engine SONNIM_TEST_DB names.
 *
 * Covers: banner/prompt CRUD and kinds kept apart; the live list (switched
 * off, schedule window, site, help-center flag); proactive_for_page picking
 * by URL and audience with a real user, texts by locale, messages only for
 * a known user; the help-center strip escaped; campaigns with their
 * counts; delivery rows unique per (campaign, user, channel) - the
 * exactly-once rule -, finished only while queued; messages deduplicated;
 * opt-outs idempotent; delete takes deliveries and messages along; an
 * injected database fault inside a delivery's write leaves nothing.
 */
#include "testutil.h"
#include "store/testdb.h"
#include "store/proactive_store.h"
#include "store/satisfaction_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include <stdlib.h>
#include <string.h>

static struct store *st;

static int setup(void **state)
{
	(void)state;
	if (testdb_pick("proactive"))
		return -1;
	char err[512] = "";
	st = store_open(g_url, 0, 2, err, sizeof(err));
	if (!st)
		fail_msg("store_open: %s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	if (g_path[0])
		remove_db_files(g_path);
	return 0;
}

struct item_arg {
	struct proactive_item *it;
	int update;
};

static int item_write(struct db *db, void *p)
{
	struct item_arg *a = p;
	return a->update ? proactive_store_update(db, a->it) : proactive_store_insert(db, a->it);
}

static int64_t add_item(int kind, const char *json)
{
	struct proactive_item it = {0};
	char err[320];
	json_t *j = json_loads(json, 0, NULL);
	if (proactive_item_from_json(j, kind, 1, &it, err, sizeof(err)))
		fail_msg("%s: %s", json, err);
	json_decref(j);
	it.created_at = it.updated_at = 1000;
	struct item_arg a = {&it, 0};
	assert_int_equal(store_write(st, item_write, &a), 0);
	int64_t id = it.id;
	assert_true(id > 0);
	proactive_item_clear(&it);
	return id;
}

static int user_write(struct db *db, void *p) { return user_store_insert(db, p); }

static int64_t add_user(const char *email, const char *tag, int64_t org)
{
	struct user u = {0};
	u.name = strdup("고객");
	u.email = strdup(email);
	u.role = ROLE_END_USER;
	u.locale = strdup("ko");
	u.time_zone = strdup("Asia/Seoul");
	u.user_fields = strdup("{}");
	u.active = 1;
	u.organization_id = org;
	u.created_at = u.updated_at = 1000;
	if (tag)
		strlist_add(&u.tags, tag);
	assert_int_equal(store_write(st, user_write, &u), 0);
	int64_t id = u.id;
	user_clear(&u);
	return id;
}

static json_t *page(const char *site, const char *url, int64_t uid, const char *loc, int64_t now)
{
	struct db *db = store_reader(st);
	json_t *out = NULL;
	assert_int_equal(proactive_for_page(db, site, url, uid, loc, now, &out), 0);
	store_release(st, db);
	return out;
}

static size_t count(json_t *o, const char *key) { return json_array_size(json_object_get(o, key)); }

static void test_items(void **state)
{
	(void)state;
	int64_t b1 = add_item(PROACTIVE_BANNER,
			      "{\"text\":{\"ko\":\"결제 점검\",\"en-us\":\"Checkout maintenance\"},"
			      "\"site_key\":\"shop\",\"url_patterns\":[\"/checkout\"],\"level\":\"warning\"}");
	int64_t b2 = add_item(PROACTIVE_BANNER,
			      "{\"text\":\"VIP only <sale>\",\"site_key\":\"shop\",\"audience\":{\"type\":"
			      "\"tags\",\"tags\":[\"vip\"]},\"show_in_help_center\":true}");
	add_item(PROACTIVE_BANNER, "{\"text\":\"later\",\"site_key\":\"shop\",\"starts_at\":"
				   "\"2030-01-01T00:00:00Z\"}");
	add_item(PROACTIVE_BANNER, "{\"text\":\"off\",\"site_key\":\"shop\",\"active\":false}");
	add_item(PROACTIVE_BANNER, "{\"text\":\"other site\",\"site_key\":\"blog\"}");
	int64_t p1 = add_item(PROACTIVE_PROMPT, "{\"message\":\"도움이 필요하신가요?\",\"site_key\":"
						"\"shop\",\"url_patterns\":[\"/checkout\"],"
						"\"delay_seconds\":30}");

	/* kinds are apart: a prompt id is no banner */
	struct db *db = store_reader(st);
	struct proactive_item it = {0};
	assert_int_equal(proactive_store_get(db, PROACTIVE_BANNER, p1, &it), 1);
	assert_int_equal(proactive_store_get(db, PROACTIVE_PROMPT, p1, &it), 0);
	assert_int_equal(it.delay_seconds, 30);
	proactive_item_clear(&it);
	assert_int_equal(proactive_store_get(db, PROACTIVE_BANNER, b1, &it), 0);
	assert_string_equal(it.level, "warning");
	assert_int_equal(it.url_patterns.n, 1);
	assert_string_equal(it.url_patterns.v[0], "/checkout");
	proactive_item_clear(&it);
	struct proactive_item *v;
	int n;
	assert_int_equal(proactive_store_list(db, PROACTIVE_BANNER, NULL, 0, 100, &v, &n), 0);
	assert_int_equal(n, 5);
	proactive_list_free(v, n);
	assert_int_equal(proactive_store_list(db, PROACTIVE_BANNER, "shop", b1, 2, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, b2);
	proactive_list_free(v, n);
	assert_int_equal(proactive_store_live(db, PROACTIVE_BANNER, "shop", 0, 2000000000, &v, &n), 0);
	assert_int_equal(n, 3); /* b1, b2, and "later" once 2030 came */
	proactive_list_free(v, n);
	assert_int_equal(proactive_store_live(db, PROACTIVE_BANNER, NULL, 1, 1000, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].id, b2);
	proactive_list_free(v, n);
	store_release(st, db);

	int64_t vip = add_user("vip@example.kr", "vip", 0);
	int64_t plain = add_user("plain@example.kr", NULL, 0);
	json_t *o = page("shop", "https://shop.example/checkout?x=1", 0, "ko", 1000);
	assert_int_equal(count(o, "banners"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "banners"), 0), "text")),
			    "결제 점검");
	assert_int_equal(count(o, "prompts"), 1);
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(o, "prompts"), 0), "delay_seconds")),
			 30);
	json_decref(o);
	o = page("shop", "/home", 0, "en-us", 1000);
	assert_int_equal(count(o, "banners"), 0);
	assert_int_equal(count(o, "prompts"), 0);
	json_decref(o);
	o = page("shop", "/home", vip, "en-us", 1000);
	assert_int_equal(count(o, "banners"), 1); /* the VIP banner */
	json_decref(o);
	o = page("shop", "/home", plain, "en-us", 1000);
	assert_int_equal(count(o, "banners"), 0);
	json_decref(o);
	o = page("nosuchsite", "/checkout", 0, NULL, 1000);
	assert_int_equal(count(o, "banners") + count(o, "prompts") + count(o, "messages"), 0);
	json_decref(o);
	o = page("shop", "/x%00", 0, NULL, 1000);
	assert_int_equal(count(o, "banners"), 0);
	json_decref(o);

	/* the help-center strip: escaped, only for the VIP */
	struct buf b = BUF_INIT;
	db = store_reader(st);
	assert_int_equal(proactive_hc_strip(db, "/hc/ko", vip, "ko", 1000, &b), 0);
	assert_non_null(strstr(b.s, "VIP only &lt;sale&gt;"));
	buf_reset(&b);
	assert_int_equal(proactive_hc_strip(db, "/hc/ko", 0, "ko", 1000, &b), 0);
	assert_int_equal(b.len, 0);
	store_release(st, db);
	buf_release(&b);

	/* update, then delete */
	db = store_reader(st);
	assert_int_equal(proactive_store_get(db, PROACTIVE_BANNER, b1, &it), 0);
	store_release(st, db);
	json_t *j = json_loads("{\"url_patterns\":[\"/home\"]}", 0, NULL);
	char err[320];
	assert_int_equal(proactive_item_from_json(j, PROACTIVE_BANNER, 0, &it, err, sizeof(err)), 0);
	json_decref(j);
	struct item_arg a = {&it, 1};
	assert_int_equal(store_write(st, item_write, &a), 0);
	proactive_item_clear(&it);
	o = page("shop", "/home", 0, NULL, 1000);
	assert_int_equal(count(o, "banners"), 1);
	json_decref(o);
}

struct camp_arg {
	struct campaign *c;
	int64_t uid, id, rc;
};

static int camp_insert(struct db *db, void *p)
{
	struct camp_arg *a = p;
	return campaign_store_insert(db, a->c, 1);
}

static int deliveries(struct db *db, void *p)
{
	struct camp_arg *a = p;
	int64_t id = 0;
	int rc = campaign_delivery_add(db, a->c->id, a->uid, "email", "queued", NULL, 1100, &id);
	if (rc < 0)
		return rc;
	a->rc = rc;
	a->id = id;
	return 0;
}

static int messenger(struct db *db, void *p)
{
	struct camp_arg *a = p;
	int rc = campaign_delivery_add(db, a->c->id, a->uid, "messenger", "sent", NULL, 1100, NULL);
	a->rc = rc;
	if (rc < 0)
		return rc;
	return campaign_message_add(db, a->c->id, a->uid, "배송이 늦어집니다", 1100);
}

static int finish(struct db *db, void *p)
{
	struct camp_arg *a = p;
	int rc = campaign_delivery_finish(db, a->id, "sent", NULL, 1200);
	if (rc < 0)
		return rc;
	a->rc = rc;
	return 0;
}

static int optout(struct db *db, void *p)
{
	struct camp_arg *a = p;
	int rc = campaign_opt_out(db, a->uid, a->c->id, 1300);
	if (rc < 0)
		return rc;
	a->rc = rc;
	return 0;
}

static int make_secret(struct db *db, void *p) { return satisfaction_secret(db, p); }

static int camp_delete(struct db *db, void *p)
{
	struct camp_arg *a = p;
	return campaign_store_delete(db, a->c->id);
}

static void test_campaigns(void **state)
{
	(void)state;
	struct campaign c = {0};
	char err[320];
	json_t *j = json_loads("{\"name\":\"지연\",\"channels\":[\"email\",\"messenger\"],\"subject\":"
			       "\"s\",\"body\":\"b\",\"segment\":{\"tags_all\":[\"vip\"]}}",
			       0, NULL);
	assert_int_equal(campaign_from_json(j, 1, &c, err, sizeof(err)), 0);
	json_decref(j);
	c.created_at = c.updated_at = 1000;
	int64_t uid = add_user("camp@example.kr", "vip", 0);
	struct camp_arg a = {.c = &c, .uid = uid};
	assert_int_equal(store_write(st, camp_insert, &a), 0);
	assert_true(c.id > 0);

	/* the unique key: a second add of the same (campaign, user, channel)
	 * changes nothing */
	assert_int_equal(store_write(st, deliveries, &a), 0);
	assert_int_equal(a.rc, 0);
	int64_t did = a.id;
	assert_int_equal(store_write(st, deliveries, &a), 0);
	assert_int_equal(a.rc, 1);
	assert_int_equal(store_write(st, messenger, &a), 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(store_write(st, messenger, &a), 0);
	assert_int_equal(a.rc, 1);

	struct db *db = store_reader(st);
	struct campaign got = {0};
	assert_int_equal(campaign_store_get(db, c.id, &got), 0);
	assert_int_equal(got.counts.queued, 1);
	assert_int_equal(got.counts.sent, 1);
	assert_int_equal(got.segment.tags_all.n, 1);
	campaign_clear(&got);
	struct campaign_delivery d;
	assert_int_equal(campaign_delivery_get(db, did, &d), 0);
	assert_string_equal(d.status, "queued");
	assert_int_equal(d.user_id, uid);
	json_t *arr = json_array();
	assert_int_equal(campaign_delivery_list(db, c.id, 0, 10, arr), 0);
	assert_int_equal(json_array_size(arr), 2);
	json_decref(arr);
	store_release(st, db);

	/* finished once: the second finish finds it no longer queued */
	a.id = did;
	assert_int_equal(store_write(st, finish, &a), 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(store_write(st, finish, &a), 0);
	assert_int_equal(a.rc, 1);

	/* the message shows for that user only, once, with the user's own
	 * opt-out link */
	char secret[65]; /* the store made it when it first opened */
	assert_int_equal(store_write(st, make_secret, secret), 0);
	json_t *o = page("shop", "/", uid, "ko", 1400);
	const char *link = json_string_value(json_object_get(
	    json_array_get(json_object_get(o, "messages"), 0), "unsubscribe_url"));
	assert_non_null(link);
	assert_int_equal(strncmp(link, "/hc/unsubscribe?token=", 22), 0);
	int64_t who = 0;
	char token[CAMPAIGN_TOKEN_MAX];
	snprintf(token, sizeof(token), "%.*s", (int)strcspn(link + 22, "&"), link + 22);
	assert_int_equal(campaign_unsubscribe_check(secret, token, &who), 0);
	assert_int_equal(who, uid);
	assert_int_equal(count(o, "messages"), 1);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(o, "messages"), 0), "body")),
			    "배송이 늦어집니다");
	json_decref(o);
	o = page("shop", "/", 0, NULL, 1400);
	assert_int_equal(count(o, "messages"), 0);
	json_decref(o);

	/* opt-out: recorded once */
	db = store_reader(st);
	assert_int_equal(campaign_opted_out(db, uid), 0);
	store_release(st, db);
	assert_int_equal(store_write(st, optout, &a), 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(store_write(st, optout, &a), 0);
	assert_int_equal(a.rc, 1);
	db = store_reader(st);
	assert_int_equal(campaign_opted_out(db, uid), 1);
	struct campaign *v;
	int n;
	assert_int_equal(campaign_store_list(db, 0, 10, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].counts.sent, 2);
	campaign_list_free(v, n);
	store_release(st, db);

	/* delete takes the deliveries and the messages along */
	assert_int_equal(store_write(st, camp_delete, &a), 0);
	db = store_reader(st);
	assert_int_equal(campaign_store_get(db, c.id, &got), 1);
	assert_int_equal(campaign_delivery_get(db, did, &d), 1);
	store_release(st, db);
	o = page("shop", "/", uid, NULL, 1400);
	assert_int_equal(count(o, "messages"), 0);
	json_decref(o);
	campaign_clear(&c);
}

/* A messenger delivery is its row and its message together: a failure at
 * any query of the write leaves neither (the batch is retried whole). */
static void test_fault_injection(void **state)
{
	(void)state;
	struct campaign c = {0};
	char err[320];
	json_t *j = json_loads("{\"name\":\"fault\",\"channels\":[\"messenger\"],\"body\":\"b\"}", 0, NULL);
	assert_int_equal(campaign_from_json(j, 1, &c, err, sizeof(err)), 0);
	json_decref(j);
	c.created_at = c.updated_at = 1000;
	int64_t uid = add_user("fault@example.kr", NULL, 0);
	struct camp_arg a = {.c = &c, .uid = uid};
	assert_int_equal(store_write(st, camp_insert, &a), 0);
	for (int k = 1; k <= 2; k++) {
		db_fail_after(k);
		int rc = store_write(st, messenger, &a);
		db_fail_after(0);
		assert_int_not_equal(rc, 0);
		struct db *db = store_reader(st);
		json_t *arr = json_array();
		assert_int_equal(campaign_delivery_list(db, c.id, 0, 10, arr), 0);
		assert_int_equal(json_array_size(arr), 0);
		json_decref(arr);
		store_release(st, db);
		json_t *o = page("shop", "/", uid, NULL, 1400);
		assert_int_equal(count(o, "messages"), 0);
		json_decref(o);
	}
	assert_int_equal(store_write(st, messenger, &a), 0);
	assert_int_equal(a.rc, 0);
	json_t *o = page("shop", "/", uid, NULL, 1400);
	assert_int_equal(count(o, "messages"), 1);
	json_decref(o);
	campaign_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_items),
	    cmocka_unit_test(test_campaigns),
	    cmocka_unit_test(test_fault_injection),
	};
	return cmocka_run_group_tests_name("store/proactive", tests, setup, teardown);
}
