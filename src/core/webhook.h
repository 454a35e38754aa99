/* webhook.h - webhooks as data: the record, its validation from Zendesk's
 * JSON shape, the request signature and the delivery verdicts.  No I/O:
 * jobs/webhook.c sends, store/webhook_store.c keeps, api/webhooks.c serves.
 *
 * A webhook (Zendesk's Webhooks API): an endpoint (http or https, no
 * credentials in the URL), an HTTP method, a request format, a status
 * (active/inactive), subscriptions (what makes it fire), optional
 * authentication added as a header, and a signing secret.  Subscriptions
 * are a closed list: "conditional_ticket_events" (fired by triggers and
 * automations through their "notify webhook" action) and the Sonnim event
 * types "sonnim:ticket.created", "sonnim:ticket.updated",
 * "sonnim:ticket.deleted", "sonnim:comment.added", "sonnim:sla.breached",
 * "sonnim:sla.about_to_breach" (fired by the outbox).
 */
#ifndef SONNIM_WEBHOOK_H
#define SONNIM_WEBHOOK_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_NAME_MAX 255
#define WEBHOOK_DESCRIPTION_MAX 4096
#define WEBHOOK_ENDPOINT_MAX 2048
#define WEBHOOK_SECRET_MAX 256 /* a signing secret given by the client */
#define WEBHOOK_AUTH_MAX 1024  /* each authentication value */
/* Consecutive failed attempts (no success in between) after which a
 * webhook is made inactive. */
#define WEBHOOK_FAILURE_LIMIT 10

struct webhook {
	int64_t id;
	char *name;		/* 1..255 bytes, no control characters */
	char *description;	/* NULL = none */
	char *endpoint;		/* http(s) URL, checked by webhook_endpoint_check */
	char *http_method;	/* "POST", "PUT", "PATCH", "GET" or "DELETE" */
	char *request_format;	/* "json", "xml" or "form_encoded" */
	char *status;		/* "active" or "inactive" */
	char *subscriptions;	/* JSON array text of subscription names */
	char *auth_type;	/* NULL none, "basic_auth", "bearer_token", "api_key" */
	char *auth_data;	/* JSON object text with the secrets; NULL none */
	char *signing_secret;	/* the HMAC key (its text bytes) */
	int failure_count;	/* consecutive failed attempts */
	char *deactivated_reason; /* why it went inactive by itself; NULL = did not */
	int64_t created_by, updated_by;
	int64_t created_at, updated_at;
};
void webhook_clear(struct webhook *w);

/* A create or update request decoded from {"webhook": {...}}: which
 * members were given, and their checked values (in `v`, owned). */
struct webhook_change {
	struct webhook v;
	int set_name, set_description, set_endpoint, set_method, set_format, set_status,
	    set_subscriptions, set_auth; /* set_auth with v.auth_type NULL: remove it */
	char *secret;	/* signing_secret.secret given at creation; NULL = generate */
};
void webhook_change_clear(struct webhook_change *c);

/* Decode and check a webhook object.  creating: name, endpoint and
 * subscriptions are required and defaults (POST, json, active) filled in.
 * 0, or -1 with err "field: reason". */
int webhook_change_from_json(json_t *o, int creating, struct webhook_change *c, char *err,
			     size_t errlen);
/* Apply a checked change to w (the stored record, or a zeroed one). */
void webhook_apply(struct webhook *w, const struct webhook_change *c);

/* 0 when url is an acceptable endpoint: http:// or https://, a host, no
 * user or password, no whitespace or control characters, at most
 * WEBHOOK_ENDPOINT_MAX bytes; else -1 with err. */
int webhook_endpoint_check(const char *url, char *err, size_t errlen);
/* 1 when name is a supported subscription. */
int webhook_subscription_known(const char *name);
/* 1 when the subscriptions JSON text holds name. */
int webhook_subscribed(const char *subscriptions, const char *name);

/* Zendesk's signature: base64(HMAC-SHA256(key = secret's bytes, message =
 * timestamp + body)), into out (at least 64 bytes).  0 or -1. */
int webhook_sign(const char *secret, const char *timestamp, const char *body, size_t len,
		 char *out, size_t outlen);
/* A new random signing secret (owned). */
char *webhook_new_secret(void);
/* The Content-Type of a request format. */
const char *webhook_content_type(const char *request_format);

/* What one attempt's result means for the delivery. */
enum webhook_verdict {
	WEBHOOK_DONE,	   /* 2xx */
	WEBHOOK_RETRY,	   /* 409, 429, 5xx, timeouts, connection failures */
	WEBHOOK_PERMANENT, /* any other status: retrying will not help */
};
/* status is the HTTP status, or 0 when no response came (transport error). */
enum webhook_verdict webhook_verdict(long status);
/* A Retry-After value in seconds ("120"); HTTP dates are not honoured.
 * Returns the seconds (1..max), or 0 when absent, malformed or over max. */
int64_t webhook_retry_after(const char *value, int64_t max);

/* The public JSON of w in Zendesk's shape: secrets never included (the
 * authentication keeps its type, add_position and the username or header
 * name; never passwords, tokens, values or the signing secret). */
json_t *webhook_json(const struct webhook *w);
#endif
