/* test_hc.c - help-center rules (core/hc.h): locales and Accept-Language,
 * segment visibility, query terms, snippets and the ranking formula. */
#include "base/buf.h"
#include "core/hc.h"
#include "core/ticket.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static void test_locales(void **state)
{
	assert_string_equal(hc_locale("ko"), "ko");
	assert_string_equal(hc_locale("KO-kr"), "ko");
	assert_string_equal(hc_locale("en-US"), "en-us");
	assert_string_equal(hc_locale("en"), "en-us");
	assert_null(hc_locale("fr"));
	assert_null(hc_locale(NULL));
	assert_null(hc_locale("<script>"));
	assert_string_equal(hc_locale_negotiate(NULL), "en-us");
	assert_string_equal(hc_locale_negotiate(""), "en-us");
	assert_string_equal(hc_locale_negotiate("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"), "ko");
	assert_string_equal(hc_locale_negotiate("en-US,en;q=0.9,ko;q=0.8"), "en-us");
	assert_string_equal(hc_locale_negotiate("fr-FR, ko;q=0.5, en;q=0.4"), "ko");
	assert_string_equal(hc_locale_negotiate("fr, de"), "en-us");
	assert_string_equal(hc_locale_negotiate("ko;q=0, en;q=0.1"), "en-us");
	assert_string_equal(hc_locale_negotiate("ko-XX"), "ko");
	assert_string_equal(hc_locale_negotiate(";;;,,,q=,=;"), "en-us");
}

static void test_segments(void **state)
{
	assert_true(hc_segment_visible(0, ROLE_END_USER, 0));
	assert_false(hc_segment_visible(HC_SEGMENT_STAFF, ROLE_END_USER, 0));
	assert_false(hc_segment_visible(HC_SEGMENT_STAFF, ROLE_END_USER, 1));
	assert_true(hc_segment_visible(HC_SEGMENT_STAFF, ROLE_AGENT, 1));
	assert_false(hc_segment_visible(HC_SEGMENT_SIGNED_IN, ROLE_END_USER, 0));
	assert_true(hc_segment_visible(HC_SEGMENT_SIGNED_IN, ROLE_END_USER, 1));
	assert_false(hc_segment_visible(99, ROLE_END_USER, 1)); /* unknown: staff only */
	assert_true(hc_segment_visible(99, ROLE_ADMIN, 1));
}

static void test_terms(void **state)
{
	struct strlist t = {0};
	assert_int_equal(hc_query_terms("How do I get my refunds?", &t), 1);
	assert_string_equal(t.v[0], "refunds");
	strlist_clear(&t);
	assert_int_equal(hc_query_terms("배송이 늦어요", &t), 4);
	assert_string_equal(t.v[0], "배송");
	assert_string_equal(t.v[1], "송이");
	strlist_clear(&t);
	assert_int_equal(hc_query_terms("refund Refunds REFUNDED", &t), 1);
	strlist_clear(&t);
	assert_int_equal(hc_query_terms("the a an ?!", &t), 0);
	assert_int_equal(hc_query_terms(NULL, &t), 0);
	struct buf many = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_addf(&many, "word%d ", i);
	assert_int_equal(hc_query_terms(many.s, &t), HC_MAX_TERMS);
	buf_release(&many);
	strlist_clear(&t);
}

static void test_snippet(void **state)
{
	struct buf s = BUF_INIT;
	hc_snippet("Our refund policy: refunds take <5> days & more.", "refunds", &s);
	assert_string_equal(s.s, "Our <em>refund</em> policy: <em>refunds</em> take &lt;5&gt; days "
				 "&amp; more.");
	buf_reset(&s);
	hc_snippet("주문하신 상품의 배송이 지연되고 있습니다", "배송 지연", &s);
	assert_non_null(strstr(s.s, "<em>배송</em>"));
	assert_non_null(strstr(s.s, "<em>지연</em>"));
	buf_reset(&s);
	struct buf long_text = BUF_INIT;
	for (int i = 0; i < 200; i++)
		buf_adds(&long_text, "lorem ipsum ");
	buf_adds(&long_text, "the password reset link ");
	for (int i = 0; i < 200; i++)
		buf_adds(&long_text, "dolor sit ");
	hc_snippet(long_text.s, "password", &s);
	assert_true(s.len < HC_SNIPPET_BYTES + 40);
	assert_non_null(strstr(s.s, "<em>password</em>"));
	assert_int_equal(strncmp(s.s, "...", 3), 0);
	assert_int_equal(strcmp(s.s + s.len - 3, "..."), 0);
	buf_reset(&s);
	hc_snippet("no match here <b>", "zebra", &s);
	assert_string_equal(s.s, "no match here &lt;b&gt;");
	buf_release(&s);
	buf_release(&long_text);
}

static void test_score(void **state)
{
	assert_true(hc_score(1.0, 0, 0, 0) == 1.0);
	assert_true(hc_score(1.0, 10, 0, 0) > hc_score(1.0, 0, 0, 0));
	assert_true(hc_score(1.0, 0, 1000, 0) > hc_score(1.0, 0, 0, 0));
	assert_true(hc_score(1.0, -10, 0, 0) < hc_score(1.0, 0, 0, 0));
	assert_true(hc_score(1.0, 0, 0, 1) > hc_score(1.0, 0, 0, 0));
	/* popularity lifts, but does not beat twice the relevance */
	assert_true(hc_score(2.0, 0, 0, 0) > hc_score(1.0, 100, 100000, 1));
	assert_true(hc_score(1.0, -1000000, 0, 0) >= 0.5);
}

static void test_feedback(void **state)
{
	(void)state;
	assert_true(hc_feedback_boost(0, 0, 0, 1) == 1.0);
	/* clicks raise the score, less than as many resolutions */
	assert_true(hc_feedback_boost(0, 0, 1, 1) > 1.0);
	assert_true(hc_feedback_boost(0, 0, 5, 1) < hc_feedback_boost(5, 0, 0, 1));
	assert_true(hc_feedback_boost(0, 0, 10, 1) > hc_feedback_boost(0, 0, 5, 1));
	assert_true(hc_feedback_boost(2, 0, 3, 1) > hc_feedback_boost(2, 0, 0, 1));
	/* a count shared by every term weighs as one */
	assert_true(hc_feedback_boost(0, 0, 3, 3) < hc_feedback_boost(0, 0, 3, 1));
	/* capped: clicks alone or on top of resolutions stay within the caps */
	assert_true(hc_feedback_boost(0, 0, INT64_C(1) << 50, 1) <= HC_FEEDBACK_MAX);
	assert_true(hc_feedback_boost(1000000, 0, 1000000, 1) <= HC_FEEDBACK_MAX);
	assert_true(hc_feedback_boost(1000000, 0, 1000000, 1) > 1.24);
	assert_true(hc_feedback_boost(0, 1000000, 0, 1) >= HC_FEEDBACK_MIN);
	assert_true(hc_feedback_boost(0, 1000000, 1000000, 1) >= HC_FEEDBACK_MIN);
	assert_true(hc_feedback_boost(0, 0, -5, 0) == 1.0);
}

static void test_escape(void **state)
{
	struct buf b = BUF_INIT;
	hc_escape(&b, "<a href=\"x\">'&'</a>");
	assert_string_equal(b.s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	hc_escape(&b, NULL);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_locales), cmocka_unit_test(test_segments),
	    cmocka_unit_test(test_terms),   cmocka_unit_test(test_snippet),
	    cmocka_unit_test(test_score),   cmocka_unit_test(test_feedback),
	    cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests_name("core/hc", tests, NULL, NULL);
}
