/* test_fts_sqlite.c - the "sonnim" FTS5 tokenizer on an in-memory SQLite.
 *
 * Every test gets a fresh database with the tokenizer registered and a
 * table t(body) holding the documents of docs[] (rowid = index + 1); hits()
 * returns the matching rowids as a string like "1,3".
 */
#include "base/buf.h"
#include "core/tokenize.h"
#include "store/fts_sqlite.h"
#include "testutil.h"
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static const char *const docs[] = {
    "배송 지연 안내",			   /* 1 */
    "Our refund policy",		   /* 2 */
    "환불 요청합니다",			   /* 3 */
    "배송지연 문의드립니다",		   /* 4 */
    "지연 배송 문제",			   /* 5 */
    "The printer jammed again",		   /* 6 */
    "Refunds are processed within 3 days", /* 7 */
    "ありがとうございます",		   /* 8 */
};

static int setup(void **state)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(fts_sqlite_register(db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='sonnim')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO t(rowid, body) VALUES (?, ?)", -1, &st, NULL),
	    SQLITE_OK);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, 2, docs[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(sqlite3_close(*state), SQLITE_OK);
	return 0;
}

/* Rowids matching q, ascending, joined by ','; "ERR" on an SQL error. */
static char *hits(sqlite3 *db, const char *q)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *st;
	int rc;
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_addf(&b, "%s%lld", b.len ? "," : "", (long long)sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE) {
		buf_reset(&b);
		buf_adds(&b, "ERR");
	}
	sqlite3_finalize(st);
	return buf_detach(&b);
}

static void check(sqlite3 *db, const char *q, const char *want)
{
	char *got = hits(db, q);
	if (strcmp(got, want))
		print_error("query %s: got %s, want %s\n", q, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_korean(void **state)
{
	sqlite3 *db = *state;
	check(db, "배송", "1,4,5");
	check(db, "환불", "3");
	check(db, "요청", "3");
	check(db, "지연", "1,4,5");
	check(db, "안내", "1");
}

static void test_english(void **state)
{
	sqlite3 *db = *state;
	check(db, "refunds", "2,7");
	check(db, "refund", "2,7");
	check(db, "REFUNDED", "2,7");
	check(db, "policies", "2");
	check(db, "jam", "6");
	check(db, "process", "7");
}

static void test_phrases(void **state)
{
	sqlite3 *db = *state;
	/* 배송지연 is the bigrams 배송 송지 지연 in a row: only doc 4 */
	check(db, "\"배송지연\"", "4");
	/* bare, FTS5 also treats it as one phrase (no spaces to split on) */
	check(db, "배송지연", "4");
	check(db, "\"배송 지연\"", "1");
	check(db, "\"지연 배송\"", "5");
	check(db, "\"refund policy\"", "2");
	check(db, "\"policy refund\"", "");
	check(db, "\"printer jams\"", "6");
	check(db, "배송 AND 지연", "1,4,5");
	check(db, "배송 NOT 안내", "4,5");
}

static void test_no_false_hits(void **state)
{
	sqlite3 *db = *state;
	check(db, "환불 AND 배송", "");
	check(db, "주문", "");
	check(db, "shipping", "");
	check(db, "배", ""); /* one character does not match inside words */
	check(db, "\"송지\"", "4");
	check(db, "ございます", "8");
	check(db, "ござる", "");
}

static void test_prefix(void **state)
{
	sqlite3 *db = *state;
	check(db, "배*", "1,4,5");
	check(db, "refu*", "2,7");
}

static void test_highlight(void **state)
{
	sqlite3 *db = *state;
	sqlite3_stmt *st;
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH ? "
			       "ORDER BY rowid",
			       -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, "refunds", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "Our [refund] policy");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
			    "[Refunds] are processed within 3 days");
	sqlite3_finalize(st);
}

static void test_nfd_and_invalid(void **state)
{
	sqlite3 *db = *state;
	/* NFD Hangul 배송 and a body with invalid UTF-8 around a word */
	assert_int_equal(
	    sqlite3_exec(
		db,
		"INSERT INTO t(rowid, body) VALUES "
		"(100, '\xE1\x84\x87\xE1\x85\xA2\xE1\x84\x89\xE1\x85\xA9\xE1\x86\xBC 조회'),"
		"(101, CAST(X'FF7265666F726DC0' AS TEXT))",
		NULL, NULL, NULL),
	    SQLITE_OK);
	check(db, "조회", "100");
	check(db, "배송", "1,4,5,100");
	check(db, "reform", "101");
}

static void test_bad_arguments(void **state)
{
	sqlite3 *db = *state;
	char *err = NULL;
	int rc = sqlite3_exec(db, "CREATE VIRTUAL TABLE t2 USING fts5(body, tokenize='sonnim x')",
			      NULL, NULL, &err);
	assert_int_not_equal(rc, SQLITE_OK);
	sqlite3_free(err);
}

static void test_register_twice(void **state)
{
	sqlite3 *db = *state;
	assert_int_equal(fts_sqlite_register(db), SQLITE_OK);
	check(db, "환불", "3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_korean, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_english, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_phrases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_false_hits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prefix, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_highlight, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nfd_and_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_register_twice, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tokenize_thread_cleanup();
	return rc;
}
