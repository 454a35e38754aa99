/* jwt.h - a strict verifier for the messenger's signed identity tokens.
 *
 * A site's backend signs {"external_id","email","name","exp","iat"} with
 * HS256 and its messenger secret; the widget hands the token over and
 * jwt_verify_hs256() decides whether to believe it.  Only what this use
 * needs is accepted: three base64url parts (no padding), a header that is
 * a JSON object whose "alg" is exactly "HS256" ("typ", when present,
 * "JWT"; no "crit", no other algorithm, never "none"), a payload that is a
 * JSON object with a numeric "exp" in the future (JWT_LEEWAY seconds of
 * clock skew allowed), an "iat" (when present) not in the future and not
 * older than JWT_MAX_AGE, "nbf" (when present) reached; the signature is
 * compared in constant time (crypto_auth_hmacsha256_verify).
 */
#ifndef SONNIM_JWT_H
#define SONNIM_JWT_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define JWT_MAX_LEN 4096	/* longest token accepted, bytes */
#define JWT_LEEWAY 60		/* clock skew allowed on exp/iat/nbf, seconds */
#define JWT_MAX_AGE (7 * 86400) /* a token issued longer ago is refused */

/* Verify token (len bytes, not necessarily terminated) with key.  Returns
 * 0 and *claims (the payload object, caller decrefs), or -1 with a short
 * lower-case reason in err ("expired", "bad signature", ...). */
int jwt_verify_hs256(const char *token, size_t len, const unsigned char *key, size_t keylen,
		     int64_t now, json_t **claims, char *err, size_t errlen);

/* Sign claims (a JSON object text) with key: "header.payload.signature"
 * (malloc'd).  For tests, the bench and `sonnim` tooling. */
char *jwt_sign_hs256(const char *claims_json, const unsigned char *key, size_t keylen);
#endif
