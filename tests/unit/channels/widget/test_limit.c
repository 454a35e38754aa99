/* test_limit.c - the messenger's in-memory rate limits
 * (channels/widget/limit.h): a key gets per_minute hits a minute, other
 * keys are counted apart, and a new minute starts again.
 */
#include "channels/widget/limit.h"
#include "testutil.h"

static void test_window(void **state)
{
	(void)state;
	limit_reset();
	for (int i = 0; i < 5; i++)
		assert_int_equal(limit_hit("conv:1", 5, 600), 1);
	assert_int_equal(limit_hit("conv:1", 5, 610), 0);
	assert_int_equal(limit_hit("conv:1", 5, 659), 0);
	/* another key has its own count */
	assert_int_equal(limit_hit("conv:2", 5, 630), 1);
	/* the next minute starts again */
	assert_int_equal(limit_hit("conv:1", 5, 660), 1);
	/* a limit of zero refuses everything */
	assert_int_equal(limit_hit("ip:1.2.3.4", 0, 700), 0);
	limit_reset();
	assert_int_equal(limit_hit("conv:1", 1, 660), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
