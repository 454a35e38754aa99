/* test_portal.c - status-link tokens (core/portal.h): stable per ticket and
 * secret, different for another ticket or secret, checked in constant
 * time, and the link's shape. */
#include "core/portal.h"
#include "testutil.h"
#include <sodium.h>
#include <string.h>

static const char *const S1 = "0000000000000000000000000000000000000000000000000000000000000001";
static const char *const S2 = "0000000000000000000000000000000000000000000000000000000000000002";

static void test_tokens(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	char a[PORTAL_TOKEN_HEX + 1], b[PORTAL_TOKEN_HEX + 1], c[PORTAL_TOKEN_HEX + 1];
	portal_status_token(S1, 12, a);
	portal_status_token(S1, 12, b);
	assert_int_equal(strlen(a), PORTAL_TOKEN_HEX);
	assert_string_equal(a, b);
	portal_status_token(S1, 13, c);
	assert_string_not_equal(a, c);
	portal_status_token(S2, 12, c);
	assert_string_not_equal(a, c);
	assert_true(portal_status_token_ok(S1, 12, a));
	assert_false(portal_status_token_ok(S1, 13, a));
	assert_false(portal_status_token_ok(S2, 12, a));
	assert_false(portal_status_token_ok(S1, 12, NULL));
	assert_false(portal_status_token_ok(S1, 12, "abc"));
	b[0] = b[0] == '0' ? '1' : '0';
	assert_false(portal_status_token_ok(S1, 12, b));
	char url[256];
	portal_status_url("https://help.example.com", "ko", S1, 12, url, sizeof(url));
	assert_string_equal(url + strlen(url) - PORTAL_TOKEN_HEX, a);
	assert_memory_equal(url, "https://help.example.com/hc/ko/requests/12?token=",
			    strlen("https://help.example.com/hc/ko/requests/12?token="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_tokens)};
	return cmocka_run_group_tests_name("core/portal", tests, NULL, NULL);
}
