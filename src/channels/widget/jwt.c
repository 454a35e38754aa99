/* jwt.c - HS256 JWT verification (channels/widget/jwt.h).
 *
 * Order: length cap, split on exactly two dots, decode the header
 * (base64url without padding, strict: sodium_base642bin refuses stray
 * characters), parse it as JSON and check alg/typ/crit, HMAC-SHA256 the
 * signing input and compare with the decoded signature in constant time,
 * and only then parse the payload and check the times.  Nothing from the
 * token is trusted before its signature holds, except the header, which
 * only selects that this is HS256.  Cost: two small JSON parses and one
 * HMAC over at most JWT_MAX_LEN bytes.
 */
#include "channels/widget/jwt.h"
#include "base/buf.h"
#include "base/util.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	return -1;
}

/* Decode a base64url part into a malloc'd, NUL-terminated buffer. */
static unsigned char *b64dec(const char *s, size_t len, size_t *outlen)
{
	unsigned char *out = xmalloc(len + 1);
	size_t n = 0;
	const char *end = NULL;
	if (sodium_base642bin(out, len + 1, s, len, NULL, &n, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    end != s + len) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

static json_t *json_part(const char *s, size_t len)
{
	size_t n = 0;
	unsigned char *raw = b64dec(s, len, &n);
	if (!raw)
		return NULL;
	json_t *j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int header_ok(json_t *h)
{
	json_t *alg = json_object_get(h, "alg"), *typ = json_object_get(h, "typ");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256"))
		return 0;
	if (typ && (!json_is_string(typ) || strcmp(json_string_value(typ), "JWT")))
		return 0;
	return json_object_get(h, "crit") == NULL;
}

/* A NumericDate claim: 1 present and in *v, 0 absent, -1 not a number. */
static int time_claim(json_t *c, const char *name, int64_t *v)
{
	json_t *j = json_object_get(c, name);
	if (!j)
		return 0;
	if (json_is_integer(j))
		*v = json_integer_value(j);
	else if (json_is_real(j) && json_real_value(j) > -1e15 && json_real_value(j) < 1e15)
		*v = (int64_t)json_real_value(j);
	else
		return -1;
	return 1;
}

int jwt_verify_hs256(const char *token, size_t len, const unsigned char *key, size_t keylen,
		     int64_t now, json_t **claims, char *err, size_t errlen)
{
	*claims = NULL;
	if (!token || !len || len > JWT_MAX_LEN)
		return fail(err, errlen, "malformed token");
	if (!key || !keylen)
		return fail(err, errlen, "no secret configured");
	const char *d1 = memchr(token, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
	if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)))
		return fail(err, errlen, "malformed token");
	size_t hlen = (size_t)(d1 - token), plen = (size_t)(d2 - d1 - 1);
	size_t slen = len - (size_t)(d2 + 1 - token);
	if (!hlen || !plen || !slen)
		return fail(err, errlen, "malformed token");
	json_t *h = json_part(token, hlen);
	if (!h)
		return fail(err, errlen, "malformed header");
	int alg_ok = header_ok(h);
	json_decref(h);
	if (!alg_ok)
		return fail(err, errlen, "unsupported algorithm");
	size_t siglen = 0;
	unsigned char *sig = b64dec(d2 + 1, slen, &siglen);
	if (!sig)
		return fail(err, errlen, "malformed signature");
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, (size_t)(d2 - token));
	crypto_auth_hmacsha256_final(&st, mac);
	int good = siglen == sizeof(mac) && sodium_memcmp(sig, mac, sizeof(mac)) == 0;
	free(sig);
	if (!good)
		return fail(err, errlen, "bad signature");
	json_t *c = json_part(d1 + 1, plen);
	if (!c)
		return fail(err, errlen, "malformed payload");
	int64_t exp = 0, iat = 0, nbf = 0;
	int e = time_claim(c, "exp", &exp), i = time_claim(c, "iat", &iat),
	    n = time_claim(c, "nbf", &nbf);
	const char *why = NULL;
	if (e <= 0)
		why = "exp is required";
	else if (i < 0 || n < 0)
		why = "malformed time claim";
	else if (exp + JWT_LEEWAY <= now)
		why = "expired";
	else if (i && iat > now + JWT_LEEWAY)
		why = "issued in the future";
	else if (i && iat < now - JWT_MAX_AGE)
		why = "issued too long ago";
	else if (n && nbf > now + JWT_LEEWAY)
		why = "not valid yet";
	if (why) {
		json_decref(c);
		return fail(err, errlen, why);
	}
	*claims = c;
	return 0;
}

static void b64enc(struct buf *b, const unsigned char *s, size_t len)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = xmalloc(cap);
	sodium_bin2base64(out, cap, s, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_adds(b, out);
	free(out);
}

char *jwt_sign_hs256(const char *claims_json, const unsigned char *key, size_t keylen)
{
	static const char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	struct buf b = BUF_INIT;
	b64enc(&b, (const unsigned char *)hdr, sizeof(hdr) - 1);
	buf_addc(&b, '.');
	b64enc(&b, (const unsigned char *)claims_json, strlen(claims_json));
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)b.s, b.len);
	crypto_auth_hmacsha256_final(&st, mac);
	buf_addc(&b, '.');
	b64enc(&b, mac, sizeof(mac));
	return buf_detach(&b);
}
