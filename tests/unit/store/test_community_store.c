/* test_community_store.c - the community forum in the database
 * (store/community_store.h), on the engine SONNIM_TEST_DB names: unset or
 * "sqlite" = a fresh temp file, else a PostgreSQL conninfo.  Same tests,
 * same expectations on both engines.
 *
 * Order: the group setup migrates once; every test gets an open store and
 * one raw connection with the community tables emptied; store functions
 * run on the raw connection (autocommit).
 */
#include "core/hc.h"
#include "store/community_store.h"
#include "store/store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

static int group_setup(void **state)
{
	(void)state;
	return testdb_create("community");
}

static int group_teardown(void **state)
{
	(void)state;
	return testdb_drop();
}

static int setup(void **state)
{
	static const char *const wipe[] = {
	    "DELETE FROM community_topics",   "DELETE FROM community_posts",
	    "DELETE FROM community_comments", "DELETE FROM community_votes",
	    "DELETE FROM community_subscriptions",
	};
	return testdb_open(state, wipe, sizeof(wipe) / sizeof(*wipe));
}

static int teardown(void **state) { return testdb_close(state); }

static const struct cm_viewer staff = {.staff = 1, .user_id = 1};
static const struct cm_viewer anon = {0};

static int64_t add_topic(struct db *db, const char *name, int64_t segment, const char *mod)
{
	struct cm_topic t = {.name = strdup(name), .user_segment_id = segment,
			     .created_at = 1700000000, .updated_at = 1700000000};
	snprintf(t.moderation, sizeof(t.moderation), "%s", mod ? mod : "off");
	assert_int_equal(cm_topic_insert(db, &t), 0);
	int64_t id = t.id;
	cm_topic_clear(&t);
	return id;
}

static int64_t add_post(struct db *db, int64_t topic, int64_t author, const char *title,
			const char *state)
{
	struct cm_post p = {.topic_id = topic, .author_id = author, .title = strdup(title),
			    .details = strdup("md"), .html = strdup("<p>md</p>"),
			    .plain = strdup("md"), .created_at = 1700000000,
			    .updated_at = 1700000000};
	snprintf(p.state, sizeof(p.state), "%s", state ? state : "published");
	assert_int_equal(cm_post_insert(db, &p), 0);
	int64_t id = p.id;
	cm_post_clear(&p);
	return id;
}

static int64_t add_comment(struct db *db, int64_t post, int64_t author, int official,
			   const char *state)
{
	struct cm_comment c = {.post_id = post, .author_id = author, .body = strdup("hi"),
			       .html = strdup("<p>hi</p>"), .official = official,
			       .created_at = 1700000000, .updated_at = 1700000000};
	snprintf(c.state, sizeof(c.state), "%s", state ? state : "published");
	assert_int_equal(cm_comment_insert(db, &c), 0);
	int64_t id = c.id;
	cm_comment_clear(&c);
	return id;
}

static int visible(struct db *db, int64_t post, const struct cm_viewer *v)
{
	struct cm_post p = {0};
	int rc = cm_post_get(db, post, v, &p);
	assert_true(rc == 0 || rc == 1);
	cm_post_clear(&p);
	return rc == 0;
}

/* ---- tests ------------------------------------------------------------- */

static void topic_roundtrip(void **state)
{
	struct fixture *fx = *state;
	int64_t id = add_topic(fx->db, "배송 질문", 0, "new_users");
	struct cm_topic t = {0};
	assert_int_equal(cm_topic_get(fx->db, id, &anon, &t), 0);
	assert_string_equal(t.name, "배송 질문");
	assert_string_equal(t.description, "");
	assert_string_equal(t.manageable_by, "managers");
	assert_string_equal(t.moderation, "new_users");
	assert_int_equal(t.user_segment_id, 0);
	free(t.description);
	t.description = strdup("묻고 답해요");
	t.position = 3;
	assert_int_equal(cm_topic_update(fx->db, &t), 0);
	cm_topic_clear(&t);
	assert_int_equal(cm_topic_get(fx->db, id, &anon, &t), 0);
	assert_string_equal(t.description, "묻고 답해요");
	assert_int_equal(t.position, 3);
	cm_topic_clear(&t);
	struct window w = {.limit = 10};
	struct cm_topic *list;
	int n;
	add_topic(fx->db, "internal", HC_SEGMENT_STAFF, NULL);
	assert_int_equal(cm_topic_list(fx->db, &anon, 1, &w, &list, &n), 0);
	assert_int_equal(n, 1);
	cm_topic_list_free(list, n);
	assert_int_equal(cm_topic_list(fx->db, &staff, 1, &w, &list, &n), 0);
	assert_int_equal(n, 2);
	cm_topic_list_free(list, n);
	int64_t count;
	assert_int_equal(cm_topic_count(fx->db, &anon, &count), 0);
	assert_int_equal(count, 1);
	t.id = 999999;
	t.name = strdup("x");
	snprintf(t.manageable_by, sizeof(t.manageable_by), "staff");
	snprintf(t.moderation, sizeof(t.moderation), "off");
	assert_int_equal(cm_topic_update(fx->db, &t), 1);
	cm_topic_clear(&t);
}

static void post_visibility(void **state)
{
	struct fixture *fx = *state;
	int64_t open = add_topic(fx->db, "open", 0, NULL);
	int64_t members = add_topic(fx->db, "members", HC_SEGMENT_SIGNED_IN, NULL);
	int64_t inside = add_topic(fx->db, "staff", HC_SEGMENT_STAFF, NULL);
	int64_t pub = add_post(fx->db, open, 10, "published", NULL);
	int64_t pend = add_post(fx->db, open, 10, "pending", "pending");
	int64_t spam = add_post(fx->db, open, 10, "spam", "spam");
	int64_t mem = add_post(fx->db, members, 10, "members", NULL);
	int64_t in = add_post(fx->db, inside, 10, "internal", NULL);
	const struct cm_viewer author = {.user_id = 10}, other = {.user_id = 11};
	assert_true(visible(fx->db, pub, &anon));
	assert_false(visible(fx->db, pend, &anon));
	assert_false(visible(fx->db, pend, &other));
	assert_true(visible(fx->db, pend, &author));
	assert_true(visible(fx->db, pend, &staff));
	assert_false(visible(fx->db, spam, &author));
	assert_true(visible(fx->db, spam, &staff));
	assert_false(visible(fx->db, mem, &anon));
	assert_true(visible(fx->db, mem, &other));
	assert_false(visible(fx->db, in, &other));
	assert_true(visible(fx->db, in, &staff));

	struct cm_post_filter f = {.topic_id = open, .win = {.limit = 10}};
	struct cm_post *p;
	int n;
	int64_t count;
	assert_int_equal(cm_post_list(fx->db, &f, &author, &p, &n), 0);
	assert_int_equal(n, 2);
	cm_post_list_free(p, n);
	assert_int_equal(cm_post_count(fx->db, &f, &anon, &count), 0);
	assert_int_equal(count, 1);
	f.state = "spam";
	assert_int_equal(cm_post_list(fx->db, &f, &staff, &p, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].id, spam);
	cm_post_list_free(p, n);
	/* a state filter is for staff only: others still see what they may */
	assert_int_equal(cm_post_list(fx->db, &f, &anon, &p, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].id, pub);
	cm_post_list_free(p, n);
	struct cm_topic t = {0};
	assert_int_equal(cm_topic_get(fx->db, open, &anon, &t), 0);
	assert_int_equal(t.post_count, 1);
	cm_topic_clear(&t);
}

static void counters_and_votes(void **state)
{
	struct fixture *fx = *state;
	int64_t topic = add_topic(fx->db, "t", 0, NULL);
	int64_t post = add_post(fx->db, topic, 10, "q", NULL);
	int64_t c1 = add_comment(fx->db, post, 11, 0, NULL);
	add_comment(fx->db, post, 12, 1, NULL);
	add_comment(fx->db, post, 13, 0, "pending");
	struct cm_post p = {0};
	assert_int_equal(cm_post_get(fx->db, post, &staff, &p), 0);
	assert_int_equal(p.comment_count, 2);
	cm_post_clear(&p);

	struct cm_vote v;
	assert_int_equal(cm_vote_put(fx->db, CM_POST, post, 11, 1, 1700000100, &v), 0);
	int64_t vid = v.id;
	assert_int_equal(cm_vote_put(fx->db, CM_POST, post, 11, 1, 1700000200, &v), 0);
	assert_int_equal(v.id, vid);
	assert_int_equal(v.updated_at, 1700000100); /* the same vote again changes nothing */
	assert_int_equal(cm_vote_put(fx->db, CM_POST, post, 12, -1, 1700000300, &v), 0);
	assert_int_equal(cm_vote_put(fx->db, CM_POST, post, 13, 1, 1700000300, &v), 0);
	assert_int_equal(cm_vote_put(fx->db, CM_POST, post, 12, 1, 1700000400, &v), 0);
	assert_int_equal(cm_post_get(fx->db, post, &staff, &p), 0);
	assert_int_equal(p.vote_sum, 3);
	assert_int_equal(p.vote_count, 3);
	cm_post_clear(&p);
	assert_int_equal(cm_vote_delete(fx->db, CM_POST, post, 13), 0);
	int mine;
	assert_int_equal(cm_vote_of(fx->db, CM_POST, post, 13, &mine), 0);
	assert_int_equal(mine, 0);
	assert_int_equal(cm_vote_of(fx->db, CM_POST, post, 12, &mine), 0);
	assert_int_equal(mine, 1);
	assert_int_equal(cm_vote_put(fx->db, CM_COMMENT, c1, 10, -1, 1700000500, &v), 0);
	struct cm_comment c = {0};
	assert_int_equal(cm_comment_get(fx->db, post, c1, &staff, &c), 0);
	assert_int_equal(c.vote_sum, -1);
	cm_comment_clear(&c);
	assert_int_equal(cm_post_get(fx->db, post, &staff, &p), 0);
	assert_int_equal(p.vote_sum, 2);
	assert_int_equal(p.vote_count, 2);
	cm_post_clear(&p);
	assert_int_equal(cm_vote_put(fx->db, CM_POST, 999999, 10, 1, 1700000500, &v), 1);
	assert_int_equal(cm_vote_put(fx->db, CM_COMMENT, 999999, 10, 1, 1700000500, &v), 1);

	/* official answers first on pages */
	struct window w = {.limit = 10};
	struct cm_comment *list;
	int n;
	assert_int_equal(cm_comment_list(fx->db, post, &anon, 1, &w, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_true(list[0].official);
	cm_comment_list_free(list, n);
	const struct cm_viewer pender = {.user_id = 13};
	assert_int_equal(cm_comment_list(fx->db, post, &pender, 0, &w, &list, &n), 0);
	assert_int_equal(n, 3);
	cm_comment_list_free(list, n);
}

static void follows_and_moderation(void **state)
{
	struct fixture *fx = *state;
	int64_t topic = add_topic(fx->db, "t", 0, "new_users");
	int64_t all = add_topic(fx->db, "all", 0, "all");
	int64_t off = add_topic(fx->db, "off", 0, NULL);
	int pending = -1;
	assert_int_equal(cm_needs_review(fx->db, topic, 20, &pending), 0);
	assert_int_equal(pending, 1);
	int64_t post = add_post(fx->db, off, 20, "first", NULL);
	assert_int_equal(cm_needs_review(fx->db, topic, 20, &pending), 0);
	assert_int_equal(pending, 0);
	assert_int_equal(cm_needs_review(fx->db, all, 20, &pending), 0);
	assert_int_equal(pending, 1);
	assert_int_equal(cm_needs_review(fx->db, off, 21, &pending), 0);
	assert_int_equal(pending, 0);
	assert_int_equal(cm_needs_review(fx->db, 999999, 21, &pending), 1);

	struct cm_subscription s;
	assert_int_equal(cm_subscription_put(fx->db, CM_POST, post, 20, 1700000000, &s), 0);
	int64_t sid = s.id;
	assert_int_equal(cm_subscription_put(fx->db, CM_POST, post, 20, 1700000001, &s), 0);
	assert_int_equal(s.id, sid);
	assert_int_equal(cm_subscription_put(fx->db, CM_POST, post, 21, 1700000000, &s), 0);
	assert_int_equal(cm_subscription_put(fx->db, CM_TOPIC, off, 21, 1700000000, &s), 0);
	assert_int_equal(cm_subscription_put(fx->db, CM_TOPIC, off, 22, 1700000000, &s), 0);
	assert_int_equal(cm_subscription_put(fx->db, CM_TOPIC, 999999, 22, 1700000000, &s), 1);
	struct cm_post p = {0};
	assert_int_equal(cm_post_get(fx->db, post, &staff, &p), 0);
	assert_int_equal(p.follower_count, 2);
	cm_post_clear(&p);
	struct idlist who = {0};
	assert_int_equal(cm_followers_of_post(fx->db, post, 21, &who), 0);
	assert_int_equal(who.n, 2); /* 20 (post), 22 (topic); 21 wrote the comment */
	assert_int_equal(who.v[0], 20);
	assert_int_equal(who.v[1], 22);
	idlist_clear(&who);
	int yes;
	assert_int_equal(cm_subscribed(fx->db, CM_POST, post, 21, &yes), 0);
	assert_true(yes);
	assert_int_equal(cm_subscription_delete(fx->db, CM_POST, post, 0, 21), 0);
	assert_int_equal(cm_subscription_delete(fx->db, CM_POST, post, 0, 21), 1);
	assert_int_equal(cm_subscribed(fx->db, CM_POST, post, 21, &yes), 0);
	assert_false(yes);

	/* deleting the topic takes its posts, comments, votes and follows */
	add_comment(fx->db, post, 21, 0, NULL);
	struct cm_vote v;
	assert_int_equal(cm_vote_put(fx->db, CM_POST, post, 21, 1, 1700000000, &v), 0);
	assert_int_equal(cm_topic_delete(fx->db, off), 0);
	assert_int_equal(cm_topic_delete(fx->db, off), 1);
	struct db_res *r;
	assert_int_equal(db_query(fx->db, &r,
				  "SELECT (SELECT COUNT(*) FROM community_posts) + (SELECT COUNT(*)"
				  " FROM community_comments) + (SELECT COUNT(*) FROM community_votes)"
				  " + (SELECT COUNT(*) FROM community_subscriptions)",
				  ""),
			 0);
	assert_int_equal(db_int(r, 0, 0), 0);
	db_res_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(topic_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(post_visibility, setup, teardown),
	    cmocka_unit_test_setup_teardown(counters_and_votes, setup, teardown),
	    cmocka_unit_test_setup_teardown(follows_and_moderation, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
