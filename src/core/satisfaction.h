/* satisfaction.h - CSAT (customer satisfaction) rules, with no I/O.
 *
 * Zendesk's model: a survey is "offered" to the requester of a solved
 * ticket; the requester answers "good" or "bad" with an optional comment
 * and, for "bad", a reason code; answering again replaces the previous
 * answer.  This module holds the closed lists (scores, reason codes), the
 * rule of when a ticket may be rated, and the survey link's token: a
 * hex HMAC-SHA256 over "csat:<ticket id>:<requester id>" keyed by a server
 * secret (store/satisfaction_store.h keeps it in settings), so a link
 * authenticates exactly one ticket's current requester and cannot be
 * guessed or moved to another ticket.
 */
#ifndef SONNIM_SATISFACTION_H
#define SONNIM_SATISFACTION_H
#include <stddef.h>
#include <stdint.h>

/* How long after solving a closed ticket can still be rated (Zendesk lets
 * the survey link work for 28 days; Sonnim counts from solved_at). */
#define CSAT_CLOSED_WINDOW (28 * 86400)

/* 1 when s is a score a requester may give ("good", "bad"). */
int csat_valid_score(const char *s);
/* Zendesk's reason codes: 0 none, 5 took too long, 6 not resolved,
 * 7 agent's knowledge, 8 agent's attitude, 100 some other reason.  The
 * English text of code, NULL when code is not one of them; locale "ko"
 * gives the Korean text. */
const char *csat_reason(int code, const char *locale);
/* The codes in display order, terminated by -1. */
extern const int csat_reason_codes[];

/* May a ticket with status and solved_at be rated at now?  0, or -1 with
 * the reason in err ("status: ..."). */
int csat_may_rate(const char *status, int64_t solved_at, int64_t now, char *err, size_t errlen);

/* The survey token of (ticket_id, requester_id) under secret, as 64 hex
 * digits and a NUL into out. */
void csat_token(const char *secret, int64_t ticket_id, int64_t requester_id, char out[65]);
/* 1 when token (any text, may be NULL) is that token (constant time). */
int csat_token_ok(const char *secret, int64_t ticket_id, int64_t requester_id,
		  const char *token);
#endif
