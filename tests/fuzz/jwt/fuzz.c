/* fuzz.c - libFuzzer harness for jwt_verify_hs256()
 * (channels/widget/jwt.h): the messenger's signed identity tokens, which
 * come from any website visitor.
 *
 * The input is a token.  It is verified as is (it must never crash, and a
 * random input must never verify), and then its first two parts are
 * re-signed with the key so the header and payload checks run past the
 * signature: whatever verifies must then hold a JSON object with a numeric
 * exp, or the harness aborts.
 */
#include "channels/widget/jwt.h"
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char KEY[] = "fuzz-secret-0123456789";

static void check(const char *tok, size_t len)
{
	json_t *c = NULL;
	char why[64];
	if (jwt_verify_hs256(tok, len, KEY, sizeof(KEY) - 1, 1800000000, &c, why, sizeof(why)) == 0) {
		if (!json_is_object(c) || !json_is_number(json_object_get(c, "exp")))
			abort();
		json_decref(c);
	} else if (c) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	const char *tok = (const char *)data;
	check(tok, size);
	/* re-sign "header.payload" (everything before the last dot) */
	const char *dot = size ? memrchr(tok, '.', size) : NULL;
	if (!dot || size > JWT_MAX_LEN)
		return 0;
	size_t n = (size_t)(dot - tok);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, KEY, sizeof(KEY) - 1);
	crypto_auth_hmacsha256_update(&st, data, n);
	crypto_auth_hmacsha256_final(&st, mac);
	char sig[64];
	sodium_bin2base64(sig, sizeof(sig), mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	size_t sl = strlen(sig);
	char *t = malloc(n + 1 + sl);
	memcpy(t, data, n);
	t[n] = '.';
	memcpy(t + n + 1, sig, sl);
	check(t, n + 1 + sl);
	free(t);
	return 0;
}
