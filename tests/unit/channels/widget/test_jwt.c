/* test_jwt.c - the messenger's HS256 identity tokens
 * (channels/widget/jwt.h): what is accepted, and each way a token is
 * refused (signature, algorithm, times, shape).
 */
#include "channels/widget/jwt.h"
#include "testutil.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char KEY[] = "a-site-secret-0123456789";
#define KLEN (sizeof(KEY) - 1)
#define NOW 1800000000

static int verify(const char *tok, char *why)
{
	json_t *c = NULL;
	int rc = jwt_verify_hs256(tok, strlen(tok), KEY, KLEN, NOW, &c, why, 64);
	if (!rc) {
		assert_non_null(c);
		json_decref(c);
	} else {
		assert_null(c);
	}
	return rc;
}

static char *signed_with(const char *claims, const unsigned char *key, size_t klen)
{
	return jwt_sign_hs256(claims, key, klen);
}

static void test_valid(void **state)
{
	(void)state;
	char *t = signed_with("{\"external_id\":\"42\",\"email\":\"a@b.kr\",\"exp\":1800000600,"
			      "\"iat\":1799999990}",
			      KEY, KLEN);
	json_t *c = NULL;
	char why[64] = "";
	assert_int_equal(jwt_verify_hs256(t, strlen(t), KEY, KLEN, NOW, &c, why, sizeof(why)), 0);
	assert_string_equal(json_string_value(json_object_get(c, "external_id")), "42");
	json_decref(c);
	free(t);
}

static void test_refused(void **state)
{
	(void)state;
	char why[64];
	struct {
		const char *claims;
		const char *why;
	} cases[] = {
	    {"{\"external_id\":\"1\",\"exp\":1799990000}", "expired"},
	    {"{\"external_id\":\"1\"}", "exp is required"},
	    {"{\"external_id\":\"1\",\"exp\":\"soon\"}", "exp is required"},
	    {"{\"external_id\":\"1\",\"exp\":1800000600,\"iat\":1800090000}", "issued in the future"},
	    {"{\"external_id\":\"1\",\"exp\":1800000600,\"iat\":1700000000}", "issued too long ago"},
	    {"{\"external_id\":\"1\",\"exp\":1800000600,\"nbf\":1800090000}", "not valid yet"},
	    {"[1,2]", "malformed payload"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *t = signed_with(cases[i].claims, KEY, KLEN);
		assert_int_equal(verify(t, why), -1);
		assert_string_equal(why, cases[i].why);
		free(t);
	}
	/* the wrong key */
	char *t = signed_with("{\"exp\":1800000600}", (const unsigned char *)"another-secret-xx", 17);
	assert_int_equal(verify(t, why), -1);
	assert_string_equal(why, "bad signature");
	free(t);
	/* a flipped signature byte, a truncated signature, a changed payload */
	t = signed_with("{\"exp\":1800000600,\"external_id\":\"7\"}", KEY, KLEN);
	char *sig = strrchr(t, '.') + 1;
	char *u = strdup(t);
	u[strlen(u) - 2] = u[strlen(u) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(verify(u, why), -1);
	free(u);
	u = strndup(t, (size_t)(sig - t) + 10);
	assert_int_equal(verify(u, why), -1);
	free(u);
	u = strdup(t);
	u[strchr(u, '.') - u + 3] ^= 1;
	assert_int_equal(verify(u, why), -1);
	free(u);
	free(t);
}

static void test_algorithms(void **state)
{
	(void)state;
	char why[64];
	/* alg none, HS512 and a crit header, each "signed" correctly with HS256 */
	const char *headers[] = {"{\"alg\":\"none\"}", "{\"alg\":\"HS512\"}", "{\"typ\":\"JWT\"}",
				 "{\"alg\":\"HS256\",\"crit\":[\"x\"]}", "{\"alg\":\"HS256\",\"typ\":\"JWE\"}",
				 "{\"alg\":\"hs256\"}"};
	for (size_t i = 0; i < sizeof(headers) / sizeof(*headers); i++) {
		char h[128], p[128], input[512], sigb[128];
		sodium_bin2base64(h, sizeof(h), (const unsigned char *)headers[i], strlen(headers[i]),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		const char *claims = "{\"exp\":1800000600}";
		sodium_bin2base64(p, sizeof(p), (const unsigned char *)claims, strlen(claims),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		snprintf(input, sizeof(input), "%s.%s", h, p);
		unsigned char mac[32];
		crypto_auth_hmacsha256_state st;
		crypto_auth_hmacsha256_init(&st, KEY, KLEN);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)input, strlen(input));
		crypto_auth_hmacsha256_final(&st, mac);
		sodium_bin2base64(sigb, sizeof(sigb), mac, sizeof(mac),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		char tok[1024];
		snprintf(tok, sizeof(tok), "%s.%s", input, sigb);
		assert_int_equal(verify(tok, why), -1);
		assert_string_equal(why, "unsupported algorithm");
	}
}

static void test_shapes(void **state)
{
	(void)state;
	char why[64];
	const char *bad[] = {"", ".", "..", "a.b", "a.b.c.d", "e30.e30.", "e30..x", "!!!.e30.e30",
			     "eyJhbGciOiJIUzI1NiJ9=.e30.e30"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(verify(bad[i], why), -1);
	char *big = malloc(JWT_MAX_LEN + 2);
	memset(big, 'a', JWT_MAX_LEN + 1);
	big[JWT_MAX_LEN + 1] = '\0';
	assert_int_equal(verify(big, why), -1);
	free(big);
	/* no key configured */
	json_t *c = NULL;
	char *t = signed_with("{\"exp\":1800000600}", KEY, KLEN);
	assert_int_equal(jwt_verify_hs256(t, strlen(t), NULL, 0, NOW, &c, why, sizeof(why)), -1);
	free(t);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_algorithms),
	    cmocka_unit_test(test_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
