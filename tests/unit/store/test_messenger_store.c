/* test_messenger_store.c - the web messenger's sites, conversations,
 * tokens, read receipts and counts (store/messenger_store.h) on the engine
 * SONNIM_TEST_DB names (unset or "sqlite" = a fresh temp file, else a
 * PostgreSQL conninfo); the same expectations on both engines.
 */
#include "store/messenger_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

static int group_setup(void **state)
{
	(void)state;
	return testdb_create("messenger");
}

static int group_teardown(void **state)
{
	(void)state;
	return testdb_drop();
}

static int setup(void **state)
{
	static const char *const wipe[] = {"DELETE FROM messenger_sites",
					   "DELETE FROM messenger_conversations",
					   "DELETE FROM messenger_tokens", "DELETE FROM events",
					   "DELETE FROM settings WHERE name = 'messenger.signals_pruned_id'"};
	return testdb_open(state, wipe, sizeof(wipe) / sizeof(*wipe));
}

static int teardown(void **state) { return testdb_close(state); }

static void test_sites(void **state)
{
	struct db *db = ((struct fixture *)*state)->db;
	struct messenger_site s = {0};
	snprintf(s.site_key, sizeof(s.site_key), "%s", "0123456789abcdef0123456789abcdef");
	s.name = strdup("한빛 쇼핑");
	strlist_add(&s.origins, "https://shop.example");
	snprintf(s.color, sizeof(s.color), "%s", "#ff6600");
	s.bot_enabled = 1;
	s.reply_minutes = 5;
	s.created_at = s.updated_at = 100;
	assert_int_equal(messenger_site_insert(db, &s), 0);
	assert_true(s.id > 0);
	struct messenger_site dup = {0};
	snprintf(dup.site_key, sizeof(dup.site_key), "%s", s.site_key);
	dup.name = strdup("x");
	snprintf(dup.color, sizeof(dup.color), "%s", "#000");
	assert_int_equal(messenger_site_insert(db, &dup), DB_CONSTRAINT);
	messenger_site_clear(&dup);

	struct messenger_site got = {0};
	assert_int_equal(messenger_site_by_key(db, s.site_key, &got), 0);
	assert_string_equal(got.name, "한빛 쇼핑");
	assert_int_equal(got.origins.n, 1);
	assert_string_equal(got.origins.v[0], "https://shop.example");
	assert_null(got.jwt_secret);
	assert_int_equal(got.schedule_id, 0);
	messenger_site_clear(&got);
	assert_int_equal(messenger_site_by_key(db, "nope", &got), 1);

	s.jwt_secret = strdup("secret-0123456789");
	s.bot_enabled = 0;
	assert_int_equal(messenger_site_update(db, &s), 0);
	assert_int_equal(messenger_site_get(db, s.id, &got), 0);
	assert_string_equal(got.jwt_secret, "secret-0123456789");
	assert_int_equal(got.bot_enabled, 0);
	messenger_site_clear(&got);
	struct messenger_site *v;
	int n;
	assert_int_equal(messenger_site_list(db, &v, &n), 0);
	assert_int_equal(n, 1);
	messenger_site_list_free(v, n);
	assert_int_equal(messenger_site_delete(db, s.id), 0);
	assert_int_equal(messenger_site_delete(db, s.id), 1);
	messenger_site_clear(&s);
}

static void test_conversations(void **state)
{
	struct db *db = ((struct fixture *)*state)->db;
	struct messenger_conv a = {.site_id = 1, .ticket_id = 10, .user_id = 5, .created_at = 100,
				   .updated_at = 100};
	struct messenger_conv b = {.site_id = 1, .ticket_id = 11, .user_id = 5, .created_at = 200,
				   .updated_at = 200};
	assert_int_equal(messenger_conv_insert(db, &a), 0);
	assert_int_equal(messenger_conv_insert(db, &b), 0);
	assert_int_equal(messenger_token_add(db, a.id, "hash-a1", 100), 0);
	assert_int_equal(messenger_token_add(db, a.id, "hash-a2", 150), 0);
	assert_int_equal(messenger_token_add(db, b.id, "hash-a1", 150), DB_CONSTRAINT);

	struct messenger_conv got;
	assert_int_equal(messenger_conv_by_token(db, "hash-a2", &got), 0);
	assert_int_equal(got.id, a.id);
	assert_int_equal(got.ticket_id, 10);
	assert_string_equal(got.outcome, "");
	assert_int_equal(messenger_conv_by_token(db, "hash-zz", &got), 1);
	assert_int_equal(messenger_conv_by_ticket(db, 11, &got), 0);
	assert_int_equal(got.id, b.id);
	assert_int_equal(messenger_conv_by_ticket(db, 99, &got), 1);

	/* read receipts only move forward; the mail fallback asks them */
	assert_int_equal(messenger_reply_read(db, 10, 7), 0);
	assert_int_equal(messenger_conv_read(db, a.id, 7, 300), 0);
	assert_int_equal(messenger_conv_read(db, a.id, 3, 301), 0);
	assert_int_equal(messenger_conv_get(db, a.id, &got), 0);
	assert_int_equal(got.visitor_read_id, 7);
	assert_int_equal(messenger_reply_read(db, 10, 7), 1);
	assert_int_equal(messenger_reply_read(db, 10, 8), 0);
	assert_int_equal(messenger_reply_read(db, 12, 1), 0);

	/* an outcome is set once */
	assert_int_equal(messenger_conv_bot(db, a.id, "bot-hash"), 0);
	assert_int_equal(messenger_conv_outcome(db, a.id, "self_served", 400), 0);
	assert_int_equal(messenger_conv_outcome(db, a.id, "handoff", 401), 1);
	assert_int_equal(messenger_conv_outcome(db, b.id, "handoff", 402), 0);
	struct messenger_stats st;
	assert_int_equal(messenger_stats(db, 0, &st), 0);
	assert_int_equal(st.conversations, 2);
	assert_int_equal(st.self_served, 1);
	assert_int_equal(st.handoffs, 1);
	assert_int_equal(st.bot_answered, 1);
	assert_int_equal(messenger_stats(db, 150, &st), 0);
	assert_int_equal(st.conversations, 1);

	/* a merged visitor's conversations follow them */
	assert_int_equal(messenger_conv_reassign(db, 5, 9), 0);
	struct messenger_conv *v;
	int n;
	assert_int_equal(messenger_conv_of_user(db, 1, 9, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, b.id); /* newest first */
	free(v);
	assert_int_equal(messenger_conv_of_user(db, 2, 9, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void test_prune_signals(void **state)
{
	struct db *db = ((struct fixture *)*state)->db;
	/* old: a typing signal, a comment; new: a viewing signal */
	assert_int_equal(event_store_append(db, "signal.typing", 1, 2, "{}", 100), 0);
	assert_int_equal(event_store_append(db, "comment.added", 1, 2, "{}", 101), 0);
	assert_int_equal(event_store_append(db, "signal.read", 1, 2, "{}", 102), 0);
	assert_int_equal(event_store_append(db, "signal.viewing", 1, 3, "{}", 5000), 0);
	int64_t n = -1;
	assert_int_equal(messenger_signals_prune(db, 1000, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(messenger_signals_prune(db, 1000, &n), 1); /* caught up */
	assert_int_equal(n, 0);
	struct db_res *r;
	assert_int_equal(db_query(db, &r, "SELECT type FROM events ORDER BY id", ""), 0);
	assert_int_equal(r->nrows, 2);
	assert_string_equal(db_str(r, 0, 0), "comment.added");
	assert_string_equal(db_str(r, 1, 0), "signal.viewing");
	db_res_free(r);
	/* later, the newer one goes too */
	assert_int_equal(messenger_signals_prune(db, 6000, &n), 0);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sites, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_conversations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune_signals, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/messenger", tests, group_setup, group_teardown);
}
