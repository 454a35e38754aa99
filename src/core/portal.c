/* portal.c - status-link tokens (see portal.h): one HMAC-SHA256 per token
 * made or checked (libsodium), nothing stored. */
#include "core/portal.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void mac_of(const char *secret_hex, const char *what, int64_t ticket_id,
		   char out[PORTAL_TOKEN_HEX + 1])
{
	unsigned char key[crypto_auth_hmacsha256_KEYBYTES] = {0};
	sodium_hex2bin(key, sizeof(key), secret_hex, strlen(secret_hex), NULL, NULL, NULL);
	char msg[40];
	int n = snprintf(msg, sizeof(msg), "%s:%" PRId64, what, ticket_id);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, key);
	sodium_bin2hex(out, PORTAL_TOKEN_HEX + 1, mac, PORTAL_TOKEN_HEX / 2);
	sodium_memzero(key, sizeof(key));
}

void portal_status_token(const char *secret_hex, int64_t ticket_id, char out[PORTAL_TOKEN_HEX + 1])
{
	mac_of(secret_hex, "ticket", ticket_id, out);
}

void portal_answer_token(const char *secret_hex, int64_t ticket_id, char out[PORTAL_TOKEN_HEX + 1])
{
	mac_of(secret_hex, "answers", ticket_id, out);
}

int portal_status_token_ok(const char *secret_hex, int64_t ticket_id, const char *token)
{
	if (!token || strlen(token) != PORTAL_TOKEN_HEX)
		return 0;
	char want[PORTAL_TOKEN_HEX + 1];
	portal_status_token(secret_hex, ticket_id, want);
	return sodium_memcmp(want, token, PORTAL_TOKEN_HEX) == 0;
}

void portal_status_url(const char *base_url, const char *locale, const char *secret_hex,
		       int64_t ticket_id, char *out, size_t n)
{
	char t[PORTAL_TOKEN_HEX + 1];
	portal_status_token(secret_hex, ticket_id, t);
	snprintf(out, n, "%s/hc/%s/requests/%" PRId64 "?token=%s", base_url, locale, ticket_id, t);
}
