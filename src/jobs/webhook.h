/* webhook.h - sending webhooks: one request with libcurl, the durable
 * "webhook.deliver" job, and the outbox listener that fires the webhooks
 * subscribed to Sonnim events.
 *
 * To deliver a body to a webhook from anywhere that holds a write
 * transaction (a trigger's "notify webhook" action, the outbox listener),
 * call webhook_enqueue(): the job exists exactly when the caller's change
 * commits.  Its payload, for the record:
 *   {"webhook_id": 12, "body": "<rendered text>", "event_id": 345, "ticket_id": 67}
 * webhook_id is an integer (or its decimal string, as the API shows it);
 * body is sent as is with the webhook's method and request format; event_id
 * and ticket_id are optional and only label the delivery log.
 *
 * Delivery policy (webhook_deliver_job): one attempt per job run, logged
 * in webhook_attempts; 2xx done; 409, 429, 5xx and transport failures
 * (timeouts, refused connections, TLS errors) retried with the job queue's
 * backoff, or after the server's Retry-After when it is 1..3600 seconds;
 * any other status fails at once (the job goes dead); at most
 * WEBHOOK_MAX_ATTEMPTS attempts; WEBHOOK_FAILURE_LIMIT consecutive failed
 * attempts make the webhook inactive (its pending deliveries then stop).
 */
#ifndef SONNIM_JOBS_WEBHOOK_H
#define SONNIM_JOBS_WEBHOOK_H
#include "base/buf.h"
#include "core/webhook.h"
#include "http/http.h"
#include <jansson.h>

#define WEBHOOK_CONNECT_TIMEOUT_MS 10000 /* TCP + TLS handshake */
#define WEBHOOK_TIMEOUT_MS 10000	 /* the whole request */
#define WEBHOOK_BODY_KEEP 2048		 /* response bytes kept for the log */
#define WEBHOOK_BODY_MAX (1024 * 1024)	 /* response bytes read at most */
#define WEBHOOK_REQUEST_MAX (1024 * 1024) /* request body sent at most */
#define WEBHOOK_MAX_ATTEMPTS 8

/* The outcome of one request. */
struct webhook_result {
	long status;		/* HTTP status; 0 when no response came */
	int64_t duration_ms;	/* start to end */
	struct buf body;	/* the first WEBHOOK_BODY_KEEP bytes of the response */
	struct buf headers;	/* response header lines "Name: value\n", capped */
	char retry_after[32];	/* the Retry-After header, "" none */
	char err[256];		/* what failed ("" when a 2xx came) */
};
void webhook_result_release(struct webhook_result *r);

/* Send body (len bytes) to w now, with the authentication header, Zendesk's
 * signature headers (timestamp = now), X-Zendesk-Webhook-Id and
 * X-Zendesk-Webhook-Invocation-Id (invocation_id, or "test" when 0).
 * Redirects are not followed (a 3xx is a permanent failure).  Fills *out
 * (initialised here; release it).  Returns the verdict.  Thread-safe once
 * curl_global_init() has run (email_start does). */
enum webhook_verdict webhook_send(const struct webhook *w, const char *body, size_t len,
				  int64_t invocation_id, int64_t now, struct webhook_result *out);

/* Queue a delivery of body to webhook_id inside the caller's transaction;
 * event_id and ticket_id may be 0.  *job_id (may be NULL) gets the job id,
 * which is also the invocation id.  0 or a DB_* code. */
int webhook_enqueue(struct db *db, int64_t webhook_id, const char *body, int64_t event_id,
		    int64_t ticket_id, int64_t *job_id);

/* The "webhook.deliver" job handler (struct job_handler). */
int webhook_deliver_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
			char *err, size_t errlen);

struct event_row;
/* The outbox listener: for each ticket.created / ticket.updated /
 * ticket.deleted / comment.added event, a delivery to every active webhook
 * subscribed to "sonnim:<type>", with the body
 *   {"type": "sonnim:ticket.updated", "id": "345", "time": "2026-...Z",
 *    "subject": "sonnim:ticket:67",
 *    "detail": {"id": 67, "status": "open"},
 *    "event": {...the event's own payload: changes, comment_id...}}  */
int webhooks_listener(struct db *db, const struct event_row *e);
#endif
