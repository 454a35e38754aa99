/* satisfaction.c - CSAT scores, reasons, the rating window and survey
 * tokens (see satisfaction.h).
 *
 * Tokens: csat_token() is libsodium's HMAC-SHA256 of the message
 * "csat:<ticket>:<requester>" under the secret's bytes, written in hex;
 * csat_token_ok() recomputes it and compares with sodium_memcmp, so a
 * wrong token takes as long as a nearly right one.  Cost: one HMAC.
 */
#include "core/satisfaction.h"
#include "base/util.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int csat_valid_score(const char *s)
{
	return s && (!strcmp(s, "good") || !strcmp(s, "bad"));
}

static const struct {
	int code;
	const char *en, *ko;
} reasons[] = {
    {0, "No reason provided", "선택 안 함"},
    {5, "The issue took too long to resolve", "해결까지 너무 오래 걸렸습니다"},
    {6, "The issue was not resolved", "문제가 해결되지 않았습니다"},
    {7, "The agent's knowledge is unsatisfactory", "상담원의 지식이 부족했습니다"},
    {8, "The agent's attitude is unsatisfactory", "상담원의 태도가 불만족스러웠습니다"},
    {100, "Some other reason", "기타"},
};

const int csat_reason_codes[] = {0, 5, 6, 7, 8, 100, -1};

const char *csat_reason(int code, const char *locale)
{
	int ko = locale && !strncmp(locale, "ko", 2);
	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++)
		if (reasons[i].code == code)
			return ko ? reasons[i].ko : reasons[i].en;
	return NULL;
}

int csat_may_rate(const char *status, int64_t solved_at, int64_t now, char *err, size_t errlen)
{
	if (status && !strcmp(status, "solved"))
		return 0;
	if (status && !strcmp(status, "closed")) {
		if (solved_at && now - solved_at <= CSAT_CLOSED_WINDOW)
			return 0;
		snprintf(err, errlen, "status: the survey of a closed ticket ends 28 days after"
				      " it was solved");
		return -1;
	}
	snprintf(err, errlen, "status: only solved or closed tickets can be rated");
	return -1;
}

void csat_token(const char *secret, int64_t ticket_id, int64_t requester_id, char out[65])
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "csat:%" PRId64 ":%" PRId64, ticket_id, requester_id);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, (unsigned long long)n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

int csat_token_ok(const char *secret, int64_t ticket_id, int64_t requester_id, const char *token)
{
	char want[65];
	if (!token || strlen(token) != 64)
		return 0;
	csat_token(secret, ticket_id, requester_id, want);
	return sodium_memcmp(want, token, 64) == 0;
}
