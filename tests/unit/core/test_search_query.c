/* test_search_query.c - the Zendesk search query parser (core/search_query.h).
 *
 * Most tests parse a query and compare dump() of the result, a compact
 * one-line rendering:  type=ticket | status<solved | -tags:spam |
 * "exact phrase" | word | -word | order=updated_at desc
 */
#include "base/buf.h"
#include "base/util.h"
#include "core/search_query.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static const char *const ops[] = {":", "<", "<=", ">", ">="};

static char *dump(const struct search_query *q)
{
	struct buf b = BUF_INIT;
	if (q->type)
		buf_addf(&b, "type=%s | ", q->type);
	for (size_t i = 0; i < q->nconds; i++) {
		const struct search_cond *c = &q->conds[i];
		assert_true(c->nvalues >= 1);
		buf_addf(&b, "%s%s%s", c->negate ? "-" : "", c->field, ops[c->op]);
		for (size_t j = 0; j < c->nvalues; j++) {
			assert_true(c->values[j][0] != '\0');
			buf_addf(&b, "%s%s", j ? "," : "", c->values[j]);
		}
		buf_adds(&b, " | ");
	}
	for (size_t i = 0; i < q->nterms; i++) {
		const struct search_term *t = &q->terms[i];
		assert_true(t->text[0] != '\0');
		buf_addf(&b, t->is_phrase ? "%s\"%s\" | " : "%s%s | ", t->negate ? "-" : "",
			 t->text);
	}
	if (q->order_by)
		buf_addf(&b, "order=%s %s", q->order_by, q->sort_desc ? "desc" : "asc");
	else if (!q->sort_desc)
		buf_adds(&b, "asc");
	return buf_detach(&b);
}

static void ok_len(const char *in, size_t len, const char *want)
{
	struct search_query q;
	char err[128];
	int rc = search_query_parse(in, len, &q, err, sizeof(err));
	if (rc)
		print_error("parse failed: %s\n", err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	char *got = dump(&q);
	assert_string_equal(got, want);
	free(got);
	search_query_clear(&q);
}

static void ok(const char *in, const char *want) { ok_len(in, strlen(in), want); }

static void bad_len(const char *in, size_t len, const char *want_err)
{
	struct search_query q;
	char err[128];
	assert_int_equal(search_query_parse(in, len, &q, err, sizeof(err)), -1);
	assert_string_equal(err, want_err);
	/* the result is empty, and clearing it again is harmless */
	assert_null(q.conds);
	assert_null(q.terms);
	assert_null(q.type);
	assert_null(q.order_by);
	assert_int_equal(q.nconds + q.nterms, 0);
	search_query_clear(&q);
}

static void bad(const char *in, const char *want_err) { bad_len(in, strlen(in), want_err); }

static void test_full_example(void **state)
{
	ok("type:ticket status<solved assignee:me tags:vip created>2026-01-01 \"exact phrase\" "
	   "배송 refund",
	   "type=ticket | status<solved | assignee:me | tags:vip | created>2026-01-01 | "
	   "\"exact phrase\" | 배송 | refund | ");
}

static void test_operators(void **state)
{
	ok("priority>=high", "priority>=high | ");
	ok("priority<=normal", "priority<=normal | ");
	ok("priority>low", "priority>low | ");
	ok("status<pending", "status<pending | ");
	ok("created<2026-01-01T00:00:00Z", "created<2026-01-01T00:00:00Z | ");
	ok("created>2026-01-01T09:00:00+09:00", "created>2026-01-01T09:00:00+09:00 | ");
	ok("updated>3days", "updated>3days | ");
	ok("requester:foo@example.com", "requester:foo@example.com | ");
	/* only the first operator splits; the rest is value */
	ok("a:b:c", "a:b:c | ");
	ok("x<=<y", "x<=<y | ");
	ok("x>>1", "x>>1 | ");
}

static void test_lists_and_negation(void **state)
{
	ok("status:open,pending", "status:open,pending | ");
	ok("-tags:spam", "-tags:spam | ");
	ok("-tags:spam,junk -refund -\"not this\"", "-tags:spam,junk | -refund | -\"not this\" | ");
	ok("status:open,,pending,", "status:open,pending | ");
	ok("tags:\"a,b\",c", "tags:a,b,c | "); /* the first value is "a,b" */
	ok("- refund", "refund | ");
	ok("-", "");
	ok("--refund", "--refund | ");
	ok("a-b", "a-b | ");
}

static void test_quoted_values(void **state)
{
	struct search_query q;
	assert_int_equal(
	    search_query_parse("subject:\"printer jam\" tags:\"a,b\",c", 34, &q, NULL, 0), 0);
	assert_int_equal(q.nconds, 2);
	assert_string_equal(q.conds[0].field, "subject");
	assert_int_equal(q.conds[0].nvalues, 1);
	assert_string_equal(q.conds[0].values[0], "printer jam");
	assert_int_equal(q.conds[1].nvalues, 2);
	assert_string_equal(q.conds[1].values[0], "a,b");
	assert_string_equal(q.conds[1].values[1], "c");
	search_query_clear(&q);

	ok("subject:\"printer jam\"extra", "subject:printer jam | extra | ");
	ok("subject:\"unclosed phrase", "subject:unclosed phrase | ");
	ok("organization:\"삼성 전자\"", "organization:삼성 전자 | ");
}

static void test_phrases(void **state)
{
	ok("\"exact phrase\"", "\"exact phrase\" | ");
	ok("\"배송 지연\" 환불", "\"배송 지연\" | 환불 | ");
	ok("\"unbalanced", "\"unbalanced\" | ");
	ok("word\"glued phrase\"", "word | \"glued phrase\" | ");
	ok("\"\"", "");
	ok("\"", "");
	ok("\"\"\"\"\"\"", "");
	ok("\"\"\"", "");
	ok("\" \"", "\" \" | ");
	ok("\"a\"\"b\"", "\"a\" | \"b\" | ");
}

static void test_words(void **state)
{
	ok("refund 배송", "refund | 배송 | ");
	ok("3:30 http://example.com/x :foo <> >= <",
	   "3:30 | http://example.com/x | :foo | <> | >= | < | ");
	ok("_x:1 x.y:2 9x:3", "_x:1 | x.y:2 | 9x:3 | ");
	ok("😀 🎉:x", "😀 | 🎉:x | ");
	ok("a\tb\nc\rd", "a | b | c | d | ");
	ok("배송\xE3\x80\x80지연\xC2\xA0환불", "배송 | 지연 | 환불 | "); /* U+3000, NBSP */
	ok("\xEF\xBB\xBFrefund", "refund | ");				 /* BOM */
	ok("\xE2\x80\x8Brefund\xE2\x80\x8B", "refund | ");		 /* zero-width space */
}

static void test_case(void **state)
{
	ok("Status:Open TYPE:Ticket ORDER_BY:Updated_At SORT:ASC",
	   "type=ticket | status:Open | order=updated_at asc");
	ok("Refund", "Refund | ");
}

static void test_keywords(void **state)
{
	ok("order_by:updated_at sort:asc", "order=updated_at asc");
	ok("order_by:created_at sort:desc", "order=created_at desc");
	ok("order_by:priority", "order=priority desc");
	ok("sort:ascending refund", "refund | asc");
	ok("type:user kim", "type=user | kim | ");
	bad("sort:sideways", "invalid sort 'sideways'");
	bad("type:ticket type:user", "'type' given more than once");
	bad("order_by:a order_by:b", "'order_by' given more than once");
	bad("sort:asc sort:desc", "'sort' given more than once");
	bad("-type:ticket", "cannot negate 'type'");
	bad("type>ticket", "'type' takes ':' only");
	bad("type:ticket,user", "'type' takes one value");
	bad("sort:", "missing value for 'sort'");
}

static void test_empty_values(void **state)
{
	bad("status:", "missing value for 'status'");
	bad("status: open", "missing value for 'status'");
	bad("status:,", "missing value for 'status'");
	bad("tags:\"\"", "missing value for 'tags'");
	bad("priority>=", "missing value for 'priority'");
	bad("refund STATUS:", "missing value for 'status'");
}

static void test_empty_queries(void **state)
{
	ok("", "");
	ok_len(NULL, 0, "");
	ok("     ", "");
	ok("\t\r\n\x01\x7F", "");
	ok("- - -", "");
}

static void test_length_limit(void **state)
{
	char big[SEARCH_QUERY_MAX_LEN + 1];
	struct search_query q;
	memset(big, 'a', sizeof(big));
	assert_int_equal(search_query_parse(big, SEARCH_QUERY_MAX_LEN, &q, NULL, 0), 0);
	assert_int_equal(q.nterms, 1);
	assert_int_equal(strlen(q.terms[0].text), SEARCH_QUERY_MAX_LEN);
	search_query_clear(&q);
	bad_len(big, SEARCH_QUERY_MAX_LEN + 1, "query too long");

	/* 1 MB */
	size_t n = 1 << 20;
	char *s = xmalloc(n);
	memset(s, 'x', n);
	bad_len(s, n, "query too long");
	free(s);
}

static void test_item_limit(void **state)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < SEARCH_QUERY_MAX_ITEMS; i++)
		buf_addf(&b, i % 2 ? "w%d " : "f%d:v ", i);
	struct search_query q;
	assert_int_equal(search_query_parse(b.s, b.len, &q, NULL, 0), 0);
	assert_int_equal(q.nconds + q.nterms, SEARCH_QUERY_MAX_ITEMS);
	search_query_clear(&q);
	/* keywords do not count */
	buf_adds(&b, "type:ticket order_by:id sort:asc");
	assert_int_equal(search_query_parse(b.s, b.len, &q, NULL, 0), 0);
	search_query_clear(&q);
	buf_adds(&b, " one-more");
	bad_len(b.s, b.len, "too many terms");
	buf_reset(&b);
	buf_adds(&b, "f:x ");
	for (int i = 0; i < SEARCH_QUERY_MAX_ITEMS; i++)
		buf_adds(&b, "\"p\" ");
	bad_len(b.s, b.len, "too many terms");
	buf_reset(&b);
	for (int i = 0; i < 400; i++)
		buf_adds(&b, "a ");
	bad_len(b.s, b.len, "too many terms");
	buf_release(&b);
}

static void test_value_limit(void **state)
{
	struct buf b = BUF_INIT;
	struct search_query q;
	buf_adds(&b, "tags:");
	for (int i = 0; i < SEARCH_QUERY_MAX_VALUES; i++)
		buf_addf(&b, "t%d,", i);
	assert_int_equal(search_query_parse(b.s, b.len, &q, NULL, 0), 0);
	assert_int_equal(q.conds[0].nvalues, SEARCH_QUERY_MAX_VALUES);
	search_query_clear(&q);
	buf_adds(&b, "last");
	bad_len(b.s, b.len, "too many values for 'tags'");
	buf_release(&b);
}

static void test_hostile_bytes(void **state)
{
	bad_len("refund\0status:open", 18, "nul byte in query");
	bad_len("\0", 1, "nul byte in query");
	bad("caf\xC3", "invalid utf-8 in query");
	bad("\xFF", "invalid utf-8 in query");
	bad("\xC0\x80", "invalid utf-8 in query");	   /* overlong NUL */
	bad("\xED\xA0\x80", "invalid utf-8 in query");	   /* surrogate */
	bad("\xF4\x90\x80\x80", "invalid utf-8 in query"); /* > U+10FFFF */
	bad("status:\"\xE0\x80\xAF\"", "invalid utf-8 in query");
	ok("\xF0\x9F\x98\x80", "😀 | ");
	ok("\":\" \"<\" :::: <<<< >>>> ,,,, ----",
	   "\":\" | \"<\" | :::: | <<<< | >>>> | ,,,, | ---- | ");
	ok("\"\"\"\" \"", "");
}

static void test_error_buffer(void **state)
{
	struct search_query q;
	char small[8];
	/* a small buffer gets a truncated, terminated message */
	assert_int_equal(search_query_parse("status:", 7, &q, small, sizeof(small)), -1);
	assert_string_equal(small, "missing");
	/* no buffer at all */
	assert_int_equal(search_query_parse("status:", 7, &q, NULL, 0), -1);
	assert_int_equal(search_query_parse("status:", 7, &q, small, 0), -1);
}

static void test_clear_and_reuse(void **state)
{
	struct search_query q;
	assert_int_equal(
	    search_query_parse("type:ticket a b:c sort:asc order_by:x", 37, &q, NULL, 0), 0);
	assert_int_equal(q.sort_desc, 0);
	search_query_clear(&q);
	assert_int_equal(q.sort_desc, 1);
	assert_null(q.type);
	search_query_clear(&q);
	assert_int_equal(search_query_parse("x", 1, &q, NULL, 0), 0);
	assert_int_equal(q.nterms, 1);
	search_query_clear(&q);
}

static void test_not_nul_terminated(void **state)
{
	/* the parser must stop at len, not at a NUL */
	const char s[] = "status:open refund";
	ok_len(s, 11, "status:open | ");
	ok_len(s, 13, "status:open | r | ");
	ok_len("\"abc\"def", 3, "\"ab\" | ");
	ok_len("tags:a,b", 7, "tags:a | ");
}

/* ---- search_time_value ---- */

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static int64_t tv(const char *s)
{
	int64_t t = -42;
	assert_int_equal(search_time_value(s, NOW, &t), 0);
	return t;
}

static void test_time_values(void **state)
{
	assert_int_equal(tv("2026-01-01"), NOW);
	assert_int_equal(tv("2026-01-01T00:00:00Z"), NOW);
	assert_int_equal(tv("2026-01-01T09:00:00+09:00"), NOW);
	assert_int_equal(tv("2025-12-31T15:00:00Z"), NOW - 9 * 3600);
	assert_int_equal(tv("3days"), NOW - 3 * 86400);
	assert_int_equal(tv("1day"), NOW - 86400);
	assert_int_equal(tv("2hours"), NOW - 7200);
	assert_int_equal(tv("2h"), NOW - 7200);
	assert_int_equal(tv("45minutes"), NOW - 2700);
	assert_int_equal(tv("1min"), NOW - 60);
	assert_int_equal(tv("1week"), NOW - 604800);
	assert_int_equal(tv("2weeks"), NOW - 2 * 604800);
	assert_int_equal(tv("0days"), NOW);
	assert_int_equal(tv("3DAYS"), NOW - 3 * 86400);
	/* calendar months and years */
	assert_int_equal(tv("1month"), 1764547200);   /* 2025-12-01 */
	assert_int_equal(tv("13months"), 1733011200); /* 2024-12-01 */
	assert_int_equal(tv("1year"), 1735689600);    /* 2025-01-01 */
	assert_int_equal(tv("2years"), 1704067200);   /* 2024-01-01 */
	/* day clamped: 2026-03-31 minus one month is 2026-02-28 */
	int64_t t;
	assert_int_equal(search_time_value("1month", 1774915200, &t), 0);
	assert_int_equal(t, 1772236800);
	/* 2024-02-29 minus one year is 2023-02-28 */
	assert_int_equal(search_time_value("1year", 1709164800, &t), 0);
	assert_int_equal(t, 1677542400);
	assert_int_equal(tv("100000years") < 0, 1);
}

static void test_time_values_bad(void **state)
{
	static const char *const badv[] = {
	    "",		 "days",	"3",
	    "3 days",	 "3fortnights", "-3days",
	    "3days ",	 "2026-13-01",	"2026-1-1",
	    "yesterday", "1000001days", "99999999999999999999days",
	    "3d3",	 "2026-01-01T", "0x10days",
	    "３days",
	};
	for (size_t i = 0; i < ARRAY_SIZE(badv); i++) {
		int64_t t = 7;
		if (search_time_value(badv[i], NOW, &t) != -1)
			print_error("accepted: '%s'\n", badv[i]);
		assert_int_equal(search_time_value(badv[i], NOW, &t), -1);
		assert_int_equal(t, 7);
	}
	int64_t t = 7;
	assert_int_equal(search_time_value(NULL, NOW, &t), -1);
	assert_int_equal(search_time_value("100000years", INT64_MAX, &t), -1);
	assert_int_equal(search_time_value("100000weeks", INT64_MIN, &t), -1);
}

static void test_ranks(void **state)
{
	static const char *const st[] = {"new", "open", "pending", "hold", "solved", "closed"};
	static const char *const pr[] = {"low", "normal", "high", "urgent"};
	for (int i = 0; i < 6; i++)
		assert_int_equal(search_status_rank(st[i]), i);
	for (int i = 0; i < 4; i++)
		assert_int_equal(search_priority_rank(pr[i]), i);
	assert_int_equal(search_status_rank("SOLVED"), 4);
	assert_int_equal(search_priority_rank("Urgent"), 3);
	assert_int_equal(search_status_rank("deleted"), -1);
	assert_int_equal(search_status_rank(""), -1);
	assert_int_equal(search_status_rank(NULL), -1);
	assert_int_equal(search_status_rank("ope"), -1);
	assert_int_equal(search_status_rank("opened"), -1);
	assert_int_equal(search_priority_rank("high "), -1);
	assert_int_equal(search_priority_rank(NULL), -1);
	assert_true(search_status_rank("pending") < search_status_rank("solved"));
	assert_true(search_priority_rank("high") > search_priority_rank("normal"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_example),
	    cmocka_unit_test(test_operators),
	    cmocka_unit_test(test_lists_and_negation),
	    cmocka_unit_test(test_quoted_values),
	    cmocka_unit_test(test_phrases),
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_case),
	    cmocka_unit_test(test_keywords),
	    cmocka_unit_test(test_empty_values),
	    cmocka_unit_test(test_empty_queries),
	    cmocka_unit_test(test_length_limit),
	    cmocka_unit_test(test_item_limit),
	    cmocka_unit_test(test_value_limit),
	    cmocka_unit_test(test_hostile_bytes),
	    cmocka_unit_test(test_error_buffer),
	    cmocka_unit_test(test_clear_and_reuse),
	    cmocka_unit_test(test_not_nul_terminated),
	    cmocka_unit_test(test_time_values),
	    cmocka_unit_test(test_time_values_bad),
	    cmocka_unit_test(test_ranks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
