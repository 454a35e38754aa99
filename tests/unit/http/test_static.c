/* test_static.c - content negotiation for the embedded workspace:
 * static_coding_weight() reads Accept-Encoding's q-values. */
#include "http/static.h"
#include "testutil.h"

static void test_weights(void **state)
{
	(void)state;
	assert_int_equal(static_coding_weight(NULL, "br"), 0);
	assert_int_equal(static_coding_weight("", "br"), 0);
	assert_int_equal(static_coding_weight("gzip, deflate, br", "br"), 1000);
	assert_int_equal(static_coding_weight("gzip, deflate, br", "gzip"), 1000);
	assert_int_equal(static_coding_weight("gzip, deflate", "br"), 0);
	assert_int_equal(static_coding_weight("br;q=0", "br"), 0);
	assert_int_equal(static_coding_weight("br;q=0.000", "br"), 0);
	assert_int_equal(static_coding_weight("br; q=0.001", "br"), 1);
	assert_int_equal(static_coding_weight("br;q=0.5, gzip;q=0.8", "br"), 500);
	assert_int_equal(static_coding_weight("br;q=0.5, gzip;q=0.8", "gzip"), 800);
	assert_int_equal(static_coding_weight("BR;Q=1.0", "br"), 1000);
	/* "*" counts only when the coding is not named */
	assert_int_equal(static_coding_weight("*", "br"), 1000);
	assert_int_equal(static_coding_weight("*;q=0.3, br;q=0", "br"), 0);
	assert_int_equal(static_coding_weight("*;q=0.3, br;q=0", "gzip"), 300);
	/* a longer token that starts with the name is not the name */
	assert_int_equal(static_coding_weight("brotli, gzipx", "br"), 0);
	assert_int_equal(static_coding_weight("brotli, gzipx", "gzip"), 0);
	/* malformed weights count as 1; the parameter list may hold others */
	assert_int_equal(static_coding_weight("br;q=abc", "br"), 1000);
	assert_int_equal(static_coding_weight("br;level=3;q=0", "br"), 0);
	assert_int_equal(static_coding_weight("br;q=2", "br"), 1000);
	assert_int_equal(static_coding_weight(" ,, br ;q=0.25 ,", "br"), 250);
	assert_int_equal(static_coding_weight("br;q=0.25,", "br"), 250);
	assert_int_equal(static_coding_weight(";;;q=;,;", "br"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weights),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
