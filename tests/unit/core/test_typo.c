/* test_typo.c - typo tolerance without I/O (core/typo.h): the vocabulary
 * words of a text, the edit distance and its early exit, trigrams. */
#include "core/ticket.h"
#include "core/typo.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static void test_words(void **state)
{
	struct strlist stems = {0}, words = {0};
	const char *t = "Refunds, refunded! Shipping to 서울 in 3 days; don't OK x2 "
			"supercalifragilisticexpialidociousandmore";
	assert_int_equal(typo_words(t, strlen(t), &stems, &words), 3); /* no long/short/x2/don't */
	assert_string_equal(stems.v[0], "refund");
	assert_string_equal(words.v[0], "refunds"); /* the first form seen, lower-cased */
	assert_string_equal(stems.v[1], "ship");
	assert_string_equal(words.v[1], "shipping");
	assert_string_equal(stems.v[2], "day");
	/* a second text adds only new stems */
	assert_int_equal(typo_words("refund policy", 13, &stems, &words), 1);
	assert_string_equal(stems.v[3], "polici");
	assert_int_equal(typo_words(NULL, 0, &stems, &words), 0);
	strlist_clear(&stems);
	strlist_clear(&words);
}

static void test_distance(void **state)
{
	assert_int_equal(typo_distance("refund", "refund", 2), 0);
	assert_int_equal(typo_distance("refnud", "refund", 2), 1);  /* adjacent swap */
	assert_int_equal(typo_distance("rfeudn", "refund", 2), 2);  /* two swaps */
	assert_int_equal(typo_distance("rfeudn", "refund", 1), 2);  /* max + 1 */
	assert_int_equal(typo_distance("shiping", "shipping", 2), 1);
	assert_int_equal(typo_distance("pasword", "password", 1), 1);
	assert_int_equal(typo_distance("kitten", "sitting", 3), 3);
	assert_int_equal(typo_distance("kitten", "sitting", 1), 2); /* max + 1 */
	assert_int_equal(typo_distance("", "abc", 5), 3);
	assert_int_equal(typo_distance("abc", "", 1), 2);
	assert_int_equal(typo_distance("a", "abcdefgh", 2), 3);	    /* lengths alone */
	assert_int_equal(typo_max_edits(3), 0);
	assert_int_equal(typo_max_edits(4), 1);
	assert_int_equal(typo_max_edits(7), 1);
	assert_int_equal(typo_max_edits(8), 2);
}

static void test_trigrams(void **state)
{
	struct strlist g = {0};
	typo_trigrams("ship", &g);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.v[0], "^sh");
	assert_string_equal(g.v[3], "ip$");
	typo_trigrams("ship", &g); /* no duplicates */
	assert_int_equal(g.n, 4);
	typo_trigrams("a", &g);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.v[4], "^a$");
	strlist_clear(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_distance),
	    cmocka_unit_test(test_trigrams),
	};
	return cmocka_run_group_tests_name("core/typo", tests, NULL, NULL);
}
