/* webhook.c - webhook requests, the webhook.deliver job and the outbox
 * listener; see webhook.h for the contract and the delivery policy.
 *
 * webhook_send(): one curl easy handle per request (no shared state, so
 * any worker thread may send).  Order: build the headers (content type,
 * user agent, ids, the signature over timestamp + body, authentication),
 * set the limits (http/https only, no redirects, connect and total
 * timeouts, no signals), perform, then read the status.  The write
 * callback keeps the first WEBHOOK_BODY_KEEP bytes and stops the transfer
 * after WEBHOOK_BODY_MAX (the status already came, so the verdict stands);
 * the header callback keeps Retry-After and the first 8 KiB of headers.
 *
 * webhook_deliver_job(): load the webhook (a deleted or inactive one ends
 * the job quietly), send, then one store_write() that logs the attempt and
 * moves the failure counter (store/webhook_store.c), then tell the job
 * queue: done, retry (maybe after Retry-After) or JOB_PERMANENT.  A crash
 * between the request and the log sends the request again on the next run:
 * receivers deduplicate by X-Zendesk-Webhook-Invocation-Id, the job id.
 *
 * webhooks_listener(): runs in the dispatcher's transaction; reads the
 * active webhooks once per event and queues one job per subscriber, so the
 * jobs exist exactly when the event's cursor moves past it.
 *
 * Cost: one HTTP request and two or three statements per attempt.
 */
#include "jobs/webhook.h"
#include "base/log.h"
#include "base/util.h"
#include "jobs/jobs.h"
#include "store/job_store.h"
#include "store/ticket_store.h"
#include "store/webhook_store.h"
#include <ctype.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADERS_KEEP 8192

void webhook_result_release(struct webhook_result *r)
{
	buf_release(&r->body);
	buf_release(&r->headers);
}

struct transfer {
	struct webhook_result *out;
	size_t seen;	 /* response body bytes read */
	int capped;	 /* stopped reading at WEBHOOK_BODY_MAX */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	size_t room = WEBHOOK_BODY_KEEP - t->out->body.len;
	buf_add(&t->out->body, p, len < room ? len : room);
	t->seen += len;
	if (t->seen > WEBHOOK_BODY_MAX) {
		t->capped = 1;
		return 0; /* stop: libcurl ends with CURLE_WRITE_ERROR */
	}
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, l = len;
	while (l && (p[l - 1] == '\n' || p[l - 1] == '\r'))
		l--;
	if (!l || !memchr(p, ':', l)) { /* the status line or the end */
		if (l >= 5 && !strncmp(p, "HTTP/", 5)) {
			buf_reset(&t->out->headers); /* a 100 Continue came first */
			t->out->retry_after[0] = '\0';
		}
		return len;
	}
	if (l > 12 && !strncasecmp(p, "retry-after:", 12)) {
		const char *v = p + 12;
		size_t vl = l - 12;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		snprintf(t->out->retry_after, sizeof(t->out->retry_after), "%.*s", (int)vl, v);
	}
	if (t->out->headers.len + l + 1 <= HEADERS_KEEP) {
		buf_add(&t->out->headers, p, l);
		buf_addc(&t->out->headers, '\n');
	}
	return len;
}

/* libcurl's message, lower-cased at the start, plus where. */
static void transport_error(CURLcode rc, const char *errbuf, const char *url, char *out,
			    size_t outlen)
{
	char host[300] = "";
	char *h = NULL, *port = NULL;
	CURLU *u = curl_url();
	if (u && !curl_url_set(u, CURLUPART_URL, url, 0) &&
	    !curl_url_get(u, CURLUPART_HOST, &h, 0) &&
	    !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
		snprintf(host, sizeof(host), "%s:%s", h, port);
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	const char *what = rc == CURLE_OPERATION_TIMEDOUT	? "timed out"
			   : rc == CURLE_COULDNT_CONNECT	? "could not connect"
			   : rc == CURLE_COULDNT_RESOLVE_HOST ? "could not resolve host"
							      : NULL;
	char msg[CURL_ERROR_SIZE + 8];
	snprintf(msg, sizeof(msg), "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	if (msg[0] && isupper((unsigned char)msg[0]) && islower((unsigned char)msg[1]))
		msg[0] = (char)tolower((unsigned char)msg[0]);
	if (what)
		snprintf(out, outlen, "%.40s (%.80s): %.120s", what, host, msg);
	else
		snprintf(out, outlen, "%.160s (%.80s)", msg, host);
}

static struct curl_slist *add_header(struct curl_slist *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static struct curl_slist *add_header(struct curl_slist *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *line = xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(line, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	struct curl_slist *next = curl_slist_append(l, line);
	free(line);
	if (!next)
		BUG("out of memory in curl_slist_append");
	return next;
}

/* The authentication header of w, added to l. */
static struct curl_slist *auth_header(const struct webhook *w, struct curl_slist *l)
{
	if (!w->auth_type || !w->auth_data)
		return l;
	json_t *d = json_loads(w->auth_data, 0, NULL);
	const char *a = json_string_value(json_object_get(d, "username"));
	const char *b = json_string_value(json_object_get(d, "password"));
	if (!strcmp(w->auth_type, "basic_auth") && a && b) {
		struct buf up = BUF_INIT;
		buf_addf(&up, "%s:%s", a, b);
		size_t n = sodium_base64_ENCODED_LEN(up.len, sodium_base64_VARIANT_ORIGINAL);
		char *enc = xmalloc(n);
		sodium_bin2base64(enc, n, (const unsigned char *)up.s, up.len,
				  sodium_base64_VARIANT_ORIGINAL);
		l = add_header(l, "Authorization: Basic %s", enc);
		free(enc);
		buf_release(&up);
	} else if (!strcmp(w->auth_type, "bearer_token") &&
		   (a = json_string_value(json_object_get(d, "token")))) {
		l = add_header(l, "Authorization: Bearer %s", a);
	} else if (!strcmp(w->auth_type, "api_key") &&
		   (a = json_string_value(json_object_get(d, "name"))) &&
		   (b = json_string_value(json_object_get(d, "value")))) {
		l = add_header(l, "%s: %s", a, b);
	}
	json_decref(d);
	return l;
}

enum webhook_verdict webhook_send(const struct webhook *w, const char *body, size_t len,
				  int64_t invocation_id, int64_t now, struct webhook_result *out)
{
	memset(out, 0, sizeof(*out));
	buf_init(&out->body, 0);
	buf_init(&out->headers, 0);
	if (webhook_endpoint_check(w->endpoint, out->err, sizeof(out->err)))
		return WEBHOOK_PERMANENT; /* stored before the rule existed */
	if (len > WEBHOOK_REQUEST_MAX) {
		snprintf(out->err, sizeof(out->err), "request body of %zu bytes is over %d", len,
			 WEBHOOK_REQUEST_MAX);
		return WEBHOOK_PERMANENT;
	}
	int bodyless = !strcmp(w->http_method, "GET") || !strcmp(w->http_method, "DELETE");
	if (bodyless)
		len = 0, body = "";
	char ts[32], sig[64];
	iso8601(now, ts);
	if (webhook_sign(w->signing_secret ? w->signing_secret : "", ts, body, len, sig,
			 sizeof(sig)))
		BUG("signature buffer too small");
	struct curl_slist *hdr = NULL;
	hdr = add_header(hdr, "Content-Type: %s; charset=utf-8",
			 webhook_content_type(w->request_format));
	hdr = add_header(hdr, "User-Agent: Sonnim Webhook");
	hdr = add_header(hdr, "Expect:");
	hdr = add_header(hdr, "X-Zendesk-Webhook-Id: %lld", (long long)w->id);
	if (invocation_id)
		hdr = add_header(hdr, "X-Zendesk-Webhook-Invocation-Id: %lld",
				 (long long)invocation_id);
	else
		hdr = add_header(hdr, "X-Zendesk-Webhook-Invocation-Id: test");
	hdr = add_header(hdr, "X-Zendesk-Webhook-Signature: %s", sig);
	hdr = add_header(hdr, "X-Zendesk-Webhook-Signature-Timestamp: %s", ts);
	hdr = auth_header(w, hdr);

	CURL *h = curl_easy_init();
	if (!h) {
		curl_slist_free_all(hdr);
		snprintf(out->err, sizeof(out->err), "curl_easy_init failed");
		return WEBHOOK_RETRY;
	}
	struct transfer t = {.out = out};
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_URL, w->endpoint);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)WEBHOOK_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)WEBHOOK_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	if (!strcmp(w->http_method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		if (!bodyless) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		}
		if (strcmp(w->http_method, "POST"))
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, w->http_method);
	}
	int64_t t0 = mono_ns();
	CURLcode rc = curl_easy_perform(h);
	out->duration_ms = (mono_ns() - t0) / 1000000;
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.capped && code))
		code = 0; /* no complete answer: a transport failure */
	out->status = code;
	if (!code)
		transport_error(rc, errbuf, w->endpoint, out->err, sizeof(out->err));
	else if (code < 200 || code >= 300)
		snprintf(out->err, sizeof(out->err), "HTTP %ld", code);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdr);
	return webhook_verdict(code);
}

int webhook_enqueue(struct db *db, int64_t webhook_id, const char *body, int64_t event_id,
		    int64_t ticket_id, int64_t *job_id)
{
	json_t *p = json_pack("{s:I,s:s}", "webhook_id", (json_int_t)webhook_id, "body",
			      body ? body : "");
	if (!p)
		return DB_ERR; /* body is not UTF-8 */
	if (event_id)
		json_object_set_new(p, "event_id", json_integer(event_id));
	if (ticket_id)
		json_object_set_new(p, "ticket_id", json_integer(ticket_id));
	char *text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	int rc = jobs_enqueue(db, "webhook.deliver", text, now_seconds(), job_id);
	free(text);
	return rc;
}

struct record_arg {
	struct webhook_attempt a;
	int64_t now;
	int deactivated;
};

static int record_write(struct db *db, void *p)
{
	struct record_arg *r = p;
	return webhook_store_record(db, &r->a, r->now, &r->deactivated);
}

static int64_t int_member(json_t *payload, const char *key)
{
	json_t *v = json_object_get(payload, key);
	int64_t n = 0;
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && !parse_i64(json_string_value(v), &n))
		return n;
	return 0;
}

int webhook_deliver_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
			char *err, size_t errlen)
{
	int64_t id = int_member(payload, "webhook_id");
	json_t *jb = json_object_get(payload, "body");
	if (id <= 0 || !json_is_string(jb)) {
		snprintf(err, errlen, "bad payload: expected webhook_id and body");
		return JOB_PERMANENT;
	}
	struct webhook w = {0};
	struct job j = {0};
	struct db *db = store_reader(s->store);
	int rc = webhook_store_get(db, id, &w);
	int jrc = job_store_get(db, job_id, &j);
	store_release(s->store, db);
	if (rc < 0 || jrc < 0) {
		snprintf(err, errlen, "the database could not be read");
		webhook_clear(&w);
		job_clear(&j);
		return -1;
	}
	if (rc == 1 || strcmp(w.status, "active")) {
		*result = json_pack("{s:s}", "skipped",
				    rc == 1 ? "the webhook was deleted" : "the webhook is inactive");
		webhook_clear(&w);
		job_clear(&j);
		return 0;
	}
	int attempt = j.attempts > 0 ? j.attempts : 1;
	int last = attempt >= (j.max_attempts > 0 ? j.max_attempts : 1);
	job_clear(&j);

	int64_t now = now_seconds();
	struct webhook_result res;
	enum webhook_verdict v =
	    webhook_send(&w, json_string_value(jb), json_string_length(jb), job_id, now, &res);
	if (v != WEBHOOK_DONE && w.failure_count + 1 >= WEBHOOK_FAILURE_LIMIT)
		last = 1; /* this failure deactivates it: nothing follows */
	struct record_arg r = {.now = now};
	r.a.webhook_id = id;
	r.a.invocation_id = job_id;
	r.a.event_id = int_member(payload, "event_id");
	r.a.ticket_id = int_member(payload, "ticket_id");
	r.a.attempt = attempt;
	r.a.status = v == WEBHOOK_DONE			? "success"
		     : v == WEBHOOK_RETRY && !last ? "retrying"
						   : "failed";
	r.a.status_code = (int)res.status;
	r.a.duration_ms = res.duration_ms;
	/* the excerpt is stored as text: cut at a character boundary, no NULs */
	size_t keep = strnlen(res.body.s, res.body.len);
	while (keep && keep < res.body.len && ((unsigned char)res.body.s[keep] & 0xC0) == 0x80)
		keep--;
	char *excerpt = keep ? xstrndup(res.body.s, keep) : NULL;
	json_t *probe = excerpt ? json_string(excerpt) : NULL; /* valid UTF-8? */
	if (excerpt && !probe) {
		free(excerpt);
		excerpt = xstrdup("(response body is not UTF-8 text)");
	}
	json_decref(probe);
	r.a.response_body = excerpt;
	r.a.error = res.err[0] ? res.err : NULL;
	r.a.created_at = now;
	int wrc = store_write(s->store, record_write, &r);
	free(excerpt);
	if (wrc)
		log_warn("webhooks", "webhook=%lld invocation=%lld: the attempt could not be logged",
			 (long long)id, (long long)job_id);
	if (r.deactivated)
		log_warn("webhooks", "webhook=%lld deactivated after %d consecutive failures",
			 (long long)id, WEBHOOK_FAILURE_LIMIT);
	int ret = 0;
	if (v == WEBHOOK_DONE) {
		*result = json_pack("{s:i,s:I}", "status_code", (int)res.status, "invocation_id",
				    (json_int_t)job_id);
	} else {
		snprintf(err, errlen, "%s", res.err);
		ret = v == WEBHOOK_PERMANENT || r.deactivated ? JOB_PERMANENT : -1;
		int64_t ra = webhook_retry_after(res.retry_after, 3600);
		if (ret == -1 && ra)
			*result = json_pack("{s:I}", "retry_after", (json_int_t)ra);
	}
	webhook_result_release(&res);
	webhook_clear(&w);
	return ret;
}

int webhooks_listener(struct db *db, const struct event_row *e)
{
	char sub[64];
	snprintf(sub, sizeof(sub), "sonnim:%s", e->type);
	if (!webhook_subscription_known(sub))
		return 0;
	char *body = NULL;
	int64_t after = 0;
	for (;;) {
		struct webhook *v;
		int n, rc = webhook_store_list(db, "active", NULL, after, 100, &v, &n);
		if (rc)
			return rc;
		for (int i = 0; !rc && i < n; i++) {
			if (!webhook_subscribed(v[i].subscriptions, sub))
				continue;
			/* a webhook hears what happens from its creation on, not the
			 * backlog the dispatcher is still working through */
			if (e->created_at < v[i].created_at)
				continue;
			if (!body) {
				struct ticket t = {0};
				char ts[32], id[24], subject[48];
				int found = e->ticket_id && !ticket_store_get(db, e->ticket_id, &t);
				iso8601(e->created_at, ts);
				snprintf(id, sizeof(id), "%lld", (long long)e->id);
				snprintf(subject, sizeof(subject), "sonnim:ticket:%lld",
					 (long long)e->ticket_id);
				json_t *ev = e->payload ? json_loads(e->payload, 0, NULL) : NULL;
				json_t *o = json_pack(
				    "{s:s,s:s,s:s,s:s,s:{s:I,s:o,s:o},s:o}", "type", sub, "id", id,
				    "time", ts, "subject", subject, "detail", "id",
				    (json_int_t)e->ticket_id, "status",
				    found && t.status ? json_string(t.status) : json_null(),
				    "actor_id", e->actor_id ? json_integer(e->actor_id) : json_null(),
				    "event", ev ? ev : json_object());
				body = json_dumps(o, JSON_COMPACT);
				json_decref(o);
				ticket_clear(&t);
			}
			rc = webhook_enqueue(db, v[i].id, body, e->id, e->ticket_id, NULL);
		}
		after = n ? v[n - 1].id : after;
		webhook_list_free(v, n);
		if (rc) {
			free(body);
			return rc;
		}
		if (n < 100)
			break;
	}
	free(body);
	return 0;
}
