/* webhooks.c - /api/v2/webhooks in Zendesk's shapes: list (cursor pages,
 * filter[name_contains], filter[status]), create, show, update (PUT and
 * PATCH both merge the members given; 204 as Zendesk answers), delete,
 * the signing secret (show; reset), the delivery log (invocations and
 * their attempts) and test requests (send now, return the response).
 *
 * Admins only, as in Zendesk.  Secrets (authentication data, the signing
 * secret) are write-only except through /signing_secret.  Every write is
 * one store_write() that re-reads the webhook inside the transaction.
 * Validation is core/webhook.c; sending is jobs/webhook.c (a test runs the
 * request in the handler thread, bounded by the delivery timeouts).
 */
#include "api/api.h"
#include "base/util.h"
#include "jobs/webhook.h"
#include "store/webhook_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct hook_op {
	int64_t id;	/* 0 = create */
	struct webhook_change c;
	int64_t actor, now;
	int status;	/* 0 or 404 */
	struct webhook result;
};

static int hook_save_run(struct db *db, void *arg)
{
	struct hook_op *op = arg;
	struct webhook w = {0};
	int rc = 0;
	op->status = 0;
	if (op->id) {
		rc = webhook_store_get(db, op->id, &w);
		if (rc == 1) {
			op->status = 404;
			rc = DB_REFUSED;
		}
		if (rc)
			goto out;
	} else {
		w.signing_secret = op->c.secret ? xstrdup(op->c.secret) : webhook_new_secret();
		w.created_by = op->actor;
		w.created_at = op->now;
	}
	webhook_apply(&w, &op->c);
	w.updated_by = op->actor;
	w.updated_at = op->now;
	rc = op->id ? webhook_store_update(db, &w) : webhook_store_insert(db, &w);
	if (rc == 1)
		rc = DB_ERR;
	if (!rc && webhook_store_get(db, w.id, &op->result))
		rc = DB_ERR;
out:
	webhook_clear(&w);
	return rc;
}

static int hook_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct hook_op op = {.id = id, .actor = r->actor.user_id, .now = now_seconds()};
	char err[320] = "";
	json_t *o = json_object_get(body, "webhook");
	int bad = !o ? (snprintf(err, sizeof(err), "webhook: is required"), 1)
		     : webhook_change_from_json(o, id == 0, &op.c, err, sizeof(err));
	json_decref(body);
	if (bad) {
		webhook_change_clear(&op.c);
		return reply_invalid(r, err);
	}
	int rc = store_write(r->srv->store, hook_save_run, &op);
	webhook_change_clear(&op.c);
	if (rc) {
		webhook_clear(&op.result);
		if (op.status == 404)
			return reply_not_found(r);
		return reply_error(r, 500, "InternalError", "the webhook could not be saved", NULL);
	}
	json_t *out = json_pack("{s:o}", "webhook", webhook_json(&op.result));
	webhook_clear(&op.result);
	if (id) { /* Zendesk answers updates with 204 No Content */
		json_decref(out);
		return reply_raw(r, 204, "application/json", "", 0);
	}
	return reply_json(r, 201, out);
}

static int hooks_create(struct req *r) { return hook_write_reply(r, 0); }
static int hooks_update(struct req *r) { return hook_write_reply(r, r->id[0]); }

static int hooks_show(struct req *r)
{
	struct webhook w = {0};
	int rc = webhook_store_get(req_db(r), r->id[0], &w);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", "webhook", webhook_json(&w));
	webhook_clear(&w);
	return reply_json(r, 200, out);
}

static int hooks_list(struct req *r)
{
	int64_t size = 100, after = 0;
	const char *v;
	if ((v = req_arg(r, "page[size]")) && (parse_i64(v, &size) || size < 1 || size > 100))
		return reply_error(r, 400, "InvalidPaginationParameter",
				   "page[size] must be between 1 and 100", NULL);
	if ((v = req_arg(r, "page[after]")) && *v && (parse_i64(v, &after) || after < 0))
		return reply_error(r, 400, "InvalidPaginationParameter",
				   "page[after] is not a cursor of this list", NULL);
	const char *status = req_arg(r, "filter[status]");
	const char *name = req_arg(r, "filter[name_contains]");
	if (status && strcmp(status, "active") && strcmp(status, "inactive"))
		return reply_invalid(r, "filter[status]: must be active or inactive");
	if (name && strlen(name) > WEBHOOK_NAME_MAX)
		return reply_invalid(r, "filter[name_contains]: is too long");
	struct webhook *hooks;
	int n;
	if (webhook_store_list(req_db(r), status, name && *name ? name : NULL, after,
			       (int)size + 1, &hooks, &n))
		return reply_db_down(r);
	int more = n > size;
	json_t *arr = json_array();
	for (int i = 0; i < n && i < size; i++)
		json_array_append_new(arr, webhook_json(&hooks[i]));
	int shown = n < size ? n : (int)size;
	char cur[24] = "", next[700] = "";
	if (shown)
		snprintf(cur, sizeof(cur), "%" PRId64, hooks[shown - 1].id);
	if (more)
		snprintf(next, sizeof(next), "%s/api/v2/webhooks?page[size]=%" PRId64
			 "&page[after]=%s", r->srv->cfg.base_url, size, cur);
	webhook_list_free(hooks, n);
	json_t *out = json_pack("{s:o,s:{s:b,s:o,s:o},s:{s:o,s:n}}", "webhooks", arr, "meta",
				"has_more", more, "after_cursor", *cur ? json_string(cur) : json_null(),
				"before_cursor", json_null(), "links", "next",
				more ? json_string(next) : json_null(), "prev");
	return reply_json(r, 200, out);
}

struct hook_delete {
	int64_t id;
};

static int hook_delete_run(struct db *db, void *arg)
{
	struct hook_delete *d = arg;
	return webhook_store_delete(db, d->id);
}

static int hooks_delete(struct req *r)
{
	struct hook_delete d = {r->id[0]};
	int rc = store_write(r->srv->store, hook_delete_run, &d);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the webhook could not be deleted", NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

static json_t *secret_json(const char *secret)
{
	return json_pack("{s:{s:s,s:s}}", "signing_secret", "algorithm", "SHA256", "secret",
			 secret);
}

static int secret_show(struct req *r)
{
	struct webhook w = {0};
	int rc = webhook_store_get(req_db(r), r->id[0], &w);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = secret_json(w.signing_secret);
	webhook_clear(&w);
	return reply_json(r, 200, out);
}

struct secret_op {
	int64_t id, now;
	char *secret;
};

static int secret_reset_run(struct db *db, void *arg)
{
	struct secret_op *op = arg;
	return webhook_store_set_secret(db, op->id, op->secret, op->now);
}

static int secret_reset(struct req *r)
{
	struct secret_op op = {r->id[0], now_seconds(), webhook_new_secret()};
	int rc = store_write(r->srv->store, secret_reset_run, &op);
	if (rc) {
		free(op.secret);
		if (rc == 1)
			return reply_not_found(r);
		return reply_error(r, 500, "InternalError", "the secret could not be saved", NULL);
	}
	json_t *out = secret_json(op.secret);
	free(op.secret);
	return reply_json(r, 201, out);
}

static json_t *attempt_json(const struct webhook_attempt *a)
{
	char id[24], inv[24];
	snprintf(id, sizeof(id), "%" PRId64, a->id);
	snprintf(inv, sizeof(inv), "%" PRId64, a->invocation_id);
	return json_pack("{s:s,s:s,s:i,s:s,s:o,s:I,s:o,s:{s:o},s:o}", "id", id, "invocation_id",
			 inv, "attempt", a->attempt, "status", a->status, "status_code",
			 a->status_code ? json_integer(a->status_code) : json_null(),
			 "duration_ms", (json_int_t)a->duration_ms, "completed_at",
			 jtime(a->created_at), "response", "body", jstr(a->response_body),
			 "error", jstr(a->error));
}

static int invocations(struct req *r, int64_t only)
{
	struct webhook w = {0};
	int rc = webhook_store_get(req_db(r), r->id[0], &w);
	webhook_clear(&w);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	int64_t limit = 100;
	const char *v = req_arg(r, "page[size]");
	if (v && (parse_i64(v, &limit) || limit < 1 || limit > 100))
		return reply_error(r, 400, "InvalidPaginationParameter",
				   "page[size] must be between 1 and 100", NULL);
	struct webhook_attempt *a;
	int n;
	if (webhook_store_attempts(req_db(r), r->id[0], only, (int)limit, &a, &n))
		return reply_db_down(r);
	if (only) {
		json_t *arr = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, attempt_json(&a[i]));
		webhook_attempts_free(a, n);
		if (!n) {
			json_decref(arr);
			return reply_not_found(r);
		}
		return reply_json(r, 200, json_pack("{s:o}", "attempts", arr));
	}
	json_t *list = json_array();
	for (int i = 0; i < n;) {
		int j = i;
		json_t *att = json_array();
		while (j < n && a[j].invocation_id == a[i].invocation_id)
			json_array_append_new(att, attempt_json(&a[j++]));
		const struct webhook_attempt *last = &a[j - 1];
		char id[24];
		snprintf(id, sizeof(id), "%" PRId64, a[i].invocation_id);
		json_array_append_new(
		    list, json_pack("{s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:i,s:o}", "id", id, "created_at",
				    jtime(a[i].created_at), "latest_completed_at",
				    jtime(last->created_at), "status", last->status,
				    "latest_status_code",
				    last->status_code ? json_integer(last->status_code) : json_null(),
				    "event_id", jid(a[i].event_id), "ticket_id", jid(a[i].ticket_id),
				    "attempts_count", j - i, "attempts", att));
		i = j;
	}
	webhook_attempts_free(a, n);
	return reply_json(r, 200, json_pack("{s:o,s:{s:b}}", "invocations", list, "meta",
					    "has_more", 0));
}

static int invocations_list(struct req *r) { return invocations(r, 0); }
static int invocation_attempts(struct req *r) { return invocations(r, r->id[1]); }

/* A sample body for a test request with no payload. */
static char *sample_payload(const struct webhook *w)
{
	if (!strcmp(w->request_format, "form_encoded"))
		return xstrdup("type=sonnim%3Awebhook.test&message=hello+from+Sonnim");
	if (!strcmp(w->request_format, "xml"))
		return xstrdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			       "<test><type>sonnim:webhook.test</type></test>");
	return xstrdup("{\"type\":\"sonnim:webhook.test\",\"message\":\"hello from Sonnim\"}");
}

static json_t *headers_json(const struct buf *h)
{
	json_t *a = json_array();
	const char *p = h->s;
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', n);
		if (colon) {
			const char *v = colon + 1;
			while (v < p + n && (*v == ' ' || *v == '\t'))
				v++;
			char *k = xstrndup(p, colon - p), *val = xstrndup(v, p + n - v);
			json_t *kj = jstr(k), *vj = jstr(val);
			json_array_append_new(a, json_pack("{s:o,s:o}", "key", kj, "value", vj));
			free(k);
			free(val);
		}
		p += n + (end ? 1 : 0);
	}
	return a;
}

/* Send payload (or a sample) to w now and reply with what came back. */
static int test_send_reply(struct req *r, struct webhook *w, const char *payload)
{
	char *sample = payload ? NULL : sample_payload(w);
	const char *body = payload ? payload : sample;
	struct webhook_result res;
	webhook_send(w, body, strlen(body), 0, now_seconds(), &res);
	free(sample);
	char *text = xstrndup(res.body.s, strnlen(res.body.s, res.body.len));
	json_t *resp = json_pack("{s:o,s:o,s:o,s:I}", "status",
				 res.status ? json_integer(res.status) : json_null(), "headers",
				 headers_json(&res.headers), "body", jstr(text), "duration_ms",
				 (json_int_t)res.duration_ms);
	free(text);
	if (res.err[0] && !res.status)
		json_object_set_new(resp, "error", jstr(res.err));
	webhook_result_release(&res);
	return reply_json(r, 200, json_pack("{s:o}", "response", resp));
}

/* The request's payload: {"request": {"payload": "..."}} (a string, or any
 * JSON value sent as its text).  0 (absent: *out NULL), or -1 after a 422. */
static int test_payload_or_reply(struct req *r, json_t *body, char **out)
{
	json_t *p = json_object_get(json_object_get(body, "request"), "payload");
	*out = NULL;
	if (!p || json_is_null(p))
		return 0;
	*out = json_is_string(p) ? xstrdup(json_string_value(p)) : json_dumps(p, JSON_COMPACT);
	if (!*out || strlen(*out) > WEBHOOK_REQUEST_MAX) {
		free(*out);
		*out = NULL;
		reply_invalid(r, "request.payload: expected text of at most 1 MiB");
		return -1;
	}
	return 0;
}

static int test_stored(struct req *r, int64_t id)
{
	json_t *body = NULL;
	if (r->body.len && !(body = req_json_or_reply(r)))
		return 0;
	char *payload;
	if (test_payload_or_reply(r, body, &payload)) {
		json_decref(body);
		return 0;
	}
	json_decref(body);
	struct webhook w = {0};
	int rc = webhook_store_get(req_db(r), id, &w);
	if (rc) {
		free(payload);
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	}
	rc = test_send_reply(r, &w, payload);
	free(payload);
	webhook_clear(&w);
	return rc;
}

static int hook_test(struct req *r) { return test_stored(r, r->id[0]); }

/* Zendesk's POST /api/v2/webhooks/test: ?webhook_id= a stored webhook, or
 * {"webhook": {...}} a definition that is not saved. */
static int hooks_test(struct req *r)
{
	const char *v = req_arg(r, "webhook_id");
	int64_t id = 0;
	if (v && (parse_i64(v, &id) || id <= 0))
		return reply_not_found(r);
	if (id)
		return test_stored(r, id);
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	char *payload, err[320] = "";
	struct webhook_change c;
	json_t *o = json_object_get(body, "webhook");
	if (!o || webhook_change_from_json(o, 1, &c, err, sizeof(err))) {
		if (!o)
			memset(&c, 0, sizeof(c));
		webhook_change_clear(&c);
		json_decref(body);
		return reply_invalid(r, *err ? err : "webhook: is required");
	}
	if (test_payload_or_reply(r, body, &payload)) {
		webhook_change_clear(&c);
		json_decref(body);
		return 0;
	}
	json_decref(body);
	struct webhook w = {0};
	webhook_apply(&w, &c);
	w.signing_secret = c.secret ? xstrdup(c.secret) : webhook_new_secret();
	webhook_change_clear(&c);
	int rc = test_send_reply(r, &w, payload);
	free(payload);
	webhook_clear(&w);
	return rc;
}

const struct route webhook_routes[] = {
    {M_GET, "/api/v2/webhooks.json", ROLE_ADMIN, hooks_list, 0},
    {M_POST, "/api/v2/webhooks.json", ROLE_ADMIN, hooks_create, 0},
    {M_POST, "/api/v2/webhooks/test.json", ROLE_ADMIN, hooks_test, 0},
    {M_GET, "/api/v2/webhooks/{id}.json", ROLE_ADMIN, hooks_show, 0},
    {M_PUT | M_PATCH, "/api/v2/webhooks/{id}.json", ROLE_ADMIN, hooks_update, 0},
    {M_DELETE, "/api/v2/webhooks/{id}.json", ROLE_ADMIN, hooks_delete, 0},
    {M_GET, "/api/v2/webhooks/{id}/signing_secret.json", ROLE_ADMIN, secret_show, 0},
    {M_POST, "/api/v2/webhooks/{id}/signing_secret.json", ROLE_ADMIN, secret_reset, 0},
    {M_GET, "/api/v2/webhooks/{id}/invocations.json", ROLE_ADMIN, invocations_list, 0},
    {M_GET, "/api/v2/webhooks/{id}/invocations/{id}/attempts.json", ROLE_ADMIN,
     invocation_attempts, 0},
    {M_POST, "/api/v2/webhooks/{id}/test.json", ROLE_ADMIN, hook_test, 0},
    {0},
};
