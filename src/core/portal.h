/* portal.h - the customer portal's signed links, with no I/O.
 *
 * A status link lets a customer follow one ticket without an account:
 * /hc/{locale}/requests/{id}?token=T where T is the first 20 bytes (40
 * hex) of HMAC-SHA256(secret, "ticket:<id>").  Only the server knows the
 * secret (portal_store.h keeps it), so a token cannot be made for another
 * ticket; it never expires (Zendesk's links do not either) and changes
 * for every ticket when the secret is replaced.
 */
#ifndef SONNIM_PORTAL_H
#define SONNIM_PORTAL_H
#include <stddef.h>
#include <stdint.h>

#define PORTAL_TOKEN_HEX 40

/* The status token of ticket_id under secret_hex (64 hex) into out. */
void portal_status_token(const char *secret_hex, int64_t ticket_id, char out[PORTAL_TOKEN_HEX + 1]);
/* The answer bot's interaction token for the articles suggested in
 * ticket_id's auto-reply: HMAC-SHA256(secret, "answers:<id>"), 40 hex.
 * It is the token of that ticket's "email" deflection (only its SHA-256
 * is stored), so the mail's "this solved my request" links carry it, and
 * a retried mail job finds the deflection it made before. */
void portal_answer_token(const char *secret_hex, int64_t ticket_id, char out[PORTAL_TOKEN_HEX + 1]);
/* 1 when token (NUL-terminated) is ticket_id's status token, in constant
 * time; 0 otherwise (also for NULL or a wrong length). */
int portal_status_token_ok(const char *secret_hex, int64_t ticket_id, const char *token);
/* The status link of ticket_id into out (size n): base_url + path.
 * locale "ko" or "en-us". */
void portal_status_url(const char *base_url, const char *locale, const char *secret_hex,
		       int64_t ticket_id, char *out, size_t n);
#endif
