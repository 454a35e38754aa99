/* webhook_store.h - webhooks and their delivery log in the database.
 *
 * `webhooks` holds struct webhook (core/webhook.h) with its secrets
 * (deleted ones as tombstones, invisible to every getter);
 * `webhook_attempts` one row per delivery attempt.  Attempts are grouped
 * into invocations: one delivery (one webhook.deliver job, whose id is the
 * invocation id) and its retries.
 *
 * Getters return 0 and fill *out, 1 when there is no such row, or a
 * negative DB_* code.  Writers run inside store_write() and return 0, 1
 * (no such webhook) or a DB_* code.
 */
#ifndef SONNIM_WEBHOOK_STORE_H
#define SONNIM_WEBHOOK_STORE_H
#include "core/webhook.h"
#include "store/db.h"
#include <stdint.h>

/* One attempt to deliver one invocation. */
struct webhook_attempt {
	int64_t id;
	int64_t webhook_id;
	int64_t invocation_id;	/* the job id of the delivery */
	int64_t event_id;	/* the outbox event that caused it; 0 none */
	int64_t ticket_id;	/* the ticket it is about; 0 none */
	int attempt;		/* 1, 2, ... */
	char *status;		/* "success", "retrying" (another attempt follows) or "failed" */
	int status_code;	/* HTTP status; 0 when no response came */
	int64_t duration_ms;	/* request start to end */
	char *response_body;	/* the first bytes of the response body; NULL none */
	char *error;		/* what went wrong ("timed out", "HTTP 404"); NULL none */
	int64_t created_at;
};
void webhook_attempt_clear(struct webhook_attempt *a);
void webhook_attempts_free(struct webhook_attempt *v, int n);

int webhook_store_get(struct db *db, int64_t id, struct webhook *out);
/* Webhooks with id > after (0 = from the start), by id, at most limit;
 * status "active"/"inactive" or NULL for all; name_contains (case-
 * insensitive substring) or NULL.  *out is an array of *n (free each
 * with webhook_clear, then the array; webhook_list_free does both). */
int webhook_store_list(struct db *db, const char *status, const char *name_contains,
		       int64_t after, int limit, struct webhook **out, int *n);
void webhook_list_free(struct webhook *v, int n);
/* Insert w; sets w->id.  created_at/updated_at as given. */
int webhook_store_insert(struct db *db, struct webhook *w);
/* Write every field of w (by w->id) except the signing secret. */
int webhook_store_update(struct db *db, const struct webhook *w);
/* Delete a webhook and its log (the row stays as a tombstone that no
 * getter returns, so its id is never given out again). */
int webhook_store_delete(struct db *db, int64_t id);
int webhook_store_set_secret(struct db *db, int64_t id, const char *secret, int64_t now);

/* Log attempt a (a->id set) and count it: a success resets the webhook's
 * consecutive failures, a failure adds one, and reaching
 * WEBHOOK_FAILURE_LIMIT makes the webhook inactive with a reason, which
 * sets *deactivated = 1 (else 0).  One write, in the caller's transaction. */
int webhook_store_record(struct db *db, struct webhook_attempt *a, int64_t now, int *deactivated);
/* The attempts of the newest `limit` invocations of a webhook (or of one
 * invocation when invocation_id != 0), newest invocation first, attempts in
 * order inside each. */
int webhook_store_attempts(struct db *db, int64_t webhook_id, int64_t invocation_id, int limit,
			   struct webhook_attempt **out, int *n);
#endif
