/* webhook.c - webhook records without I/O; see webhook.h.
 *
 * webhook_change_from_json() reads each member of Zendesk's webhook object
 * with a type check and a validity check (first error wins, nothing owned
 * leaks on failure: the caller always runs webhook_change_clear), then
 * webhook_apply() copies the members given onto the stored record.  The
 * endpoint check is a small parser of its own (scheme, authority, the rest)
 * so that the same rule runs here, in the fuzz harness and in tests; it is
 * strict on purpose: no userinfo, no backslashes, nothing libcurl might read
 * differently from us.
 *
 * The signature is libsodium's HMAC-SHA256 over timestamp then body, keyed
 * with the secret's text, in standard base64 - byte for byte what Zendesk's
 * receivers verify.  Cost: a few small allocations per decode.
 */
#include "core/webhook.h"
#include "base/buf.h"
#include "base/util.h"
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const methods[] = {"POST", "PUT", "PATCH", "GET", "DELETE"};
static const char *const formats[] = {"json", "xml", "form_encoded"};
static const char *const statuses[] = {"active", "inactive"};
static const char *const subscriptions[] = {
    "conditional_ticket_events", "sonnim:ticket.created", "sonnim:ticket.updated",
    "sonnim:ticket.deleted",     "sonnim:comment.added", "sonnim:sla.breached",
    "sonnim:sla.about_to_breach",
};
static const char *const auth_types[] = {"basic_auth", "bearer_token", "api_key"};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

void webhook_clear(struct webhook *w)
{
	free(w->name);
	free(w->description);
	free(w->endpoint);
	free(w->http_method);
	free(w->request_format);
	free(w->status);
	free(w->subscriptions);
	free(w->auth_type);
	free(w->auth_data);
	free(w->signing_secret);
	free(w->deactivated_reason);
	memset(w, 0, sizeof(*w));
}

void webhook_change_clear(struct webhook_change *c)
{
	webhook_clear(&c->v);
	free(c->secret);
	memset(c, 0, sizeof(*c));
}

static void set_err(char *err, size_t errlen, const char *what)
{
	if (errlen && !*err)
		snprintf(err, errlen, "%s", what);
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int webhook_subscription_known(const char *name)
{
	return in_list(name, subscriptions, ARRAY_SIZE(subscriptions));
}

int webhook_endpoint_check(const char *url, char *err, size_t errlen)
{
	size_t n = url ? strlen(url) : 0;
	const char *why = NULL, *p = NULL;
	if (!n)
		why = "endpoint: cannot be blank";
	else if (n > WEBHOOK_ENDPOINT_MAX)
		why = "endpoint: is too long (at most 2048 bytes)";
	else if (!strncasecmp(url, "http://", 7))
		p = url + 7;
	else if (!strncasecmp(url, "https://", 8))
		p = url + 8;
	else
		why = "endpoint: must be an http:// or https:// URL";
	if (!why) {
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)url[i];
			if (c <= 0x20 || c == 0x7f || c == '\\')
				why = "endpoint: contains spaces, control characters or backslashes";
		}
	}
	if (!why) {
		size_t a = strcspn(p, "/?#"); /* the authority */
		const char *at = memchr(p, '@', a);
		if (at)
			why = "endpoint: must not contain credentials (use authentication)";
		else if (!a || *p == ':' || *p == '.')
			why = "endpoint: has no host";
		else if (a > 255)
			why = "endpoint: host is too long";
	}
	if (why) {
		set_err(err, errlen, why);
		return -1;
	}
	return 0;
}

int webhook_subscribed(const char *subs, const char *name)
{
	json_t *a = subs ? json_loads(subs, 0, NULL) : NULL;
	size_t i;
	json_t *v;
	int hit = 0;
	json_array_foreach(a, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), name))
		hit = 1;
	json_decref(a);
	return hit;
}

/* A string member: 0 absent, 1 present (*out owned, NULL for null), -1 bad. */
static int get_str(json_t *o, const char *key, size_t max, int nullable, char **out, char *err,
		   size_t errlen)
{
	json_t *v = json_object_get(o, key);
	char msg[128];
	if (!v)
		return 0;
	if (json_is_null(v) && nullable) {
		*out = NULL;
		return 1;
	}
	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg), "%s: expected a string", key);
		set_err(err, errlen, msg);
		return -1;
	}
	if (json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(msg, sizeof(msg), "%s: is too long or holds NUL bytes", key);
		set_err(err, errlen, msg);
		return -1;
	}
	*out = xstrdup(json_string_value(v));
	return 1;
}

/* A value that goes into an HTTP header: printable, no CR/LF. */
static int header_safe(const char *s)
{
	return s && *s && !has_ctl(s);
}

static int header_name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 128)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

static int auth_from_json(json_t *a, struct webhook_change *c, char *err, size_t errlen)
{
	c->set_auth = 1;
	if (json_is_null(a))
		return 0;
	if (!json_is_object(a)) {
		set_err(err, errlen, "authentication: expected an object or null");
		return -1;
	}
	const char *type = json_string_value(json_object_get(a, "type"));
	if (!in_list(type, auth_types, ARRAY_SIZE(auth_types))) {
		set_err(err, errlen,
			"authentication.type: must be basic_auth, bearer_token or api_key");
		return -1;
	}
	json_t *pos = json_object_get(a, "add_position");
	if (pos && !(json_is_string(pos) && !strcmp(json_string_value(pos), "header"))) {
		set_err(err, errlen, "authentication.add_position: must be header");
		return -1;
	}
	json_t *d = json_object_get(a, "data");
	if (!json_is_object(d)) {
		set_err(err, errlen, "authentication.data: expected an object");
		return -1;
	}
	static const char *const keys[][2] = {
	    {"username", "password"}, /* basic_auth */
	    {"token", NULL},	      /* bearer_token */
	    {"name", "value"},	      /* api_key */
	};
	size_t k = 0;
	while (strcmp(type, auth_types[k]))
		k++;
	json_t *out = json_object();
	for (int i = 0; i < 2 && keys[k][i]; i++) {
		json_t *v = json_object_get(d, keys[k][i]);
		const char *s = json_string_value(v);
		char msg[128];
		int ok = s && json_string_length(v) <= WEBHOOK_AUTH_MAX &&
			 strlen(s) == json_string_length(v) && header_safe(s);
		if (ok && k == 0 && i == 0 && strchr(s, ':'))
			ok = 0; /* a basic-auth user name cannot hold ':' */
		if (ok && k == 2 && i == 0 && !header_name_ok(s))
			ok = 0;
		if (!ok) {
			snprintf(msg, sizeof(msg),
				 "authentication.data.%s: is required (printable text%s)", keys[k][i],
				 k == 2 && i == 0 ? ", a header name" : "");
			set_err(err, errlen, msg);
			json_decref(out);
			return -1;
		}
		json_object_set_new(out, keys[k][i], json_string(s));
	}
	c->v.auth_type = xstrdup(type);
	c->v.auth_data = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	return 0;
}

static int json_has(json_t *a, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (!strcmp(json_string_value(v), name)) return 1;
	return 0;
}

static int subs_from_json(json_t *s, struct webhook_change *c, char *err, size_t errlen)
{
	size_t i;
	json_t *v;
	if (!json_is_array(s) || json_array_size(s) < 1 || json_array_size(s) > 16) {
		set_err(err, errlen, "subscriptions: expected an array of 1 to 16 names");
		return -1;
	}
	json_t *out = json_array();
	json_array_foreach(s, i, v)
	{
		const char *name = json_string_value(v);
		if (!webhook_subscription_known(name)) {
			set_err(err, errlen,
				"subscriptions: unknown subscription (supported: "
				"conditional_ticket_events, sonnim:ticket.created, "
				"sonnim:ticket.updated, sonnim:ticket.deleted, sonnim:comment.added)");
			json_decref(out);
			return -1;
		}
		if (!json_has(out, name))
			json_array_append_new(out, json_string(name));
	}
	c->v.subscriptions = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	c->set_subscriptions = 1;
	return 0;
}

static int pick(json_t *o, const char *key, const char *const *list, size_t n, char **out,
		const char *why, char *err, size_t errlen)
{
	char *s = NULL;
	int rc = get_str(o, key, 32, 0, &s, err, errlen);
	if (rc <= 0)
		return rc;
	if (!in_list(s, list, n)) {
		free(s);
		set_err(err, errlen, why);
		return -1;
	}
	*out = s;
	return 1;
}

int webhook_change_from_json(json_t *o, int creating, struct webhook_change *c, char *err,
			     size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (errlen)
		*err = '\0';
	if (!json_is_object(o)) {
		set_err(err, errlen, "webhook: expected an object");
		return -1;
	}
	if ((c->set_name = get_str(o, "name", WEBHOOK_NAME_MAX, 0, &c->v.name, err, errlen)) < 0 ||
	    (c->set_description = get_str(o, "description", WEBHOOK_DESCRIPTION_MAX, 1,
					  &c->v.description, err, errlen)) < 0 ||
	    (c->set_endpoint = get_str(o, "endpoint", WEBHOOK_ENDPOINT_MAX + 1, 0, &c->v.endpoint,
				       err, errlen)) < 0 ||
	    (c->set_method = pick(o, "http_method", methods, ARRAY_SIZE(methods), &c->v.http_method,
				  "http_method: must be POST, PUT, PATCH, GET or DELETE", err,
				  errlen)) < 0 ||
	    (c->set_format = pick(o, "request_format", formats, ARRAY_SIZE(formats),
				  &c->v.request_format,
				  "request_format: must be json, xml or form_encoded", err, errlen)) <
		0 ||
	    (c->set_status = pick(o, "status", statuses, ARRAY_SIZE(statuses), &c->v.status,
				  "status: must be active or inactive", err, errlen)) < 0)
		return -1;
	if (c->set_name && (!*c->v.name || strspn(c->v.name, " ") == strlen(c->v.name))) {
		set_err(err, errlen, "name: cannot be blank");
		return -1;
	}
	if (c->set_name && has_ctl(c->v.name)) {
		set_err(err, errlen, "name: contains control characters");
		return -1;
	}
	if (c->set_endpoint && webhook_endpoint_check(c->v.endpoint, err, errlen))
		return -1;
	json_t *s = json_object_get(o, "subscriptions");
	if (s && subs_from_json(s, c, err, errlen))
		return -1;
	json_t *a = json_object_get(o, "authentication");
	if (a && auth_from_json(a, c, err, errlen))
		return -1;
	json_t *sec = json_object_get(o, "signing_secret");
	if (sec && !json_is_null(sec)) {
		if (!creating) {
			set_err(err, errlen,
				"signing_secret: is read-only here (POST .../signing_secret resets it)");
			return -1;
		}
		json_t *alg = json_object_get(sec, "algorithm");
		if (!json_is_object(sec) ||
		    (alg && (!json_is_string(alg) || strcasecmp(json_string_value(alg), "sha256")))) {
			set_err(err, errlen, "signing_secret: expected {\"algorithm\": \"sha256\", "
					     "\"secret\": \"...\"}");
			return -1;
		}
		if (get_str(sec, "secret", WEBHOOK_SECRET_MAX, 1, &c->secret, err, errlen) < 0)
			return -1;
		if (c->secret && (strlen(c->secret) < 16 || has_ctl(c->secret))) {
			set_err(err, errlen, "signing_secret.secret: at least 16 printable bytes");
			return -1;
		}
	}
	if (creating) {
		if (!c->set_name)
			set_err(err, errlen, "name: is required");
		else if (!c->set_endpoint)
			set_err(err, errlen, "endpoint: is required");
		else if (!c->set_subscriptions)
			set_err(err, errlen, "subscriptions: is required");
		if (errlen && *err)
			return -1;
		if (!c->set_method) {
			c->v.http_method = xstrdup("POST");
			c->set_method = 1;
		}
		if (!c->set_format) {
			c->v.request_format = xstrdup("json");
			c->set_format = 1;
		}
		if (!c->set_status) {
			c->v.status = xstrdup("active");
			c->set_status = 1;
		}
	}
	return 0;
}

static void take(char **dst, char *const *src)
{
	free(*dst);
	*dst = *src ? xstrdup(*src) : NULL;
}

void webhook_apply(struct webhook *w, const struct webhook_change *c)
{
	if (c->set_name)
		take(&w->name, &c->v.name);
	if (c->set_description)
		take(&w->description, &c->v.description);
	if (c->set_endpoint)
		take(&w->endpoint, &c->v.endpoint);
	if (c->set_method)
		take(&w->http_method, &c->v.http_method);
	if (c->set_format)
		take(&w->request_format, &c->v.request_format);
	if (c->set_status) {
		take(&w->status, &c->v.status);
		if (!strcmp(w->status, "active")) { /* an admin turned it back on */
			w->failure_count = 0;
			free(w->deactivated_reason);
			w->deactivated_reason = NULL;
		}
	}
	if (c->set_subscriptions)
		take(&w->subscriptions, &c->v.subscriptions);
	if (c->set_auth) {
		take(&w->auth_type, &c->v.auth_type);
		take(&w->auth_data, &c->v.auth_data);
	}
}

int webhook_sign(const char *secret, const char *timestamp, const char *body, size_t len,
		 char *out, size_t outlen)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	if (outlen < sodium_base64_ENCODED_LEN(sizeof(mac), sodium_base64_VARIANT_ORIGINAL))
		return -1;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, outlen, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

char *webhook_new_secret(void)
{
	unsigned char raw[32];
	char out[sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_ORIGINAL)];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, sizeof(out), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	return xstrdup(out);
}

const char *webhook_content_type(const char *f)
{
	if (f && !strcmp(f, "xml"))
		return "application/xml";
	if (f && !strcmp(f, "form_encoded"))
		return "application/x-www-form-urlencoded";
	return "application/json";
}

enum webhook_verdict webhook_verdict(long status)
{
	if (status >= 200 && status < 300)
		return WEBHOOK_DONE;
	if (status == 0 || status == 409 || status == 429 || status >= 500)
		return WEBHOOK_RETRY;
	return WEBHOOK_PERMANENT;
}

int64_t webhook_retry_after(const char *value, int64_t max)
{
	if (!value)
		return 0;
	while (*value == ' ' || *value == '\t')
		value++;
	int64_t v = 0;
	size_t n = 0;
	while (value[n] >= '0' && value[n] <= '9' && n < 10)
		v = v * 10 + (value[n++] - '0');
	const char *rest = value + n;
	while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n')
		rest++;
	if (!n || *rest || v > max)
		return 0;
	return v < 1 ? 1 : v;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *time_json(int64_t t)
{
	char b[32];
	if (!t)
		return json_null();
	iso8601(t, b);
	return json_string(b);
}

json_t *webhook_json(const struct webhook *w)
{
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)w->id);
	json_t *subs = w->subscriptions ? json_loads(w->subscriptions, 0, NULL) : NULL;
	if (!json_is_array(subs)) {
		json_decref(subs);
		subs = json_array();
	}
	json_t *o = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", id, "name",
			      str_or_null(w->name), "description", str_or_null(w->description),
			      "endpoint", str_or_null(w->endpoint), "http_method",
			      str_or_null(w->http_method), "request_format",
			      str_or_null(w->request_format), "status", str_or_null(w->status),
			      "subscriptions", subs, "created_at", time_json(w->created_at),
			      "updated_at", time_json(w->updated_at), "created_by",
			      json_sprintf("%lld", (long long)w->created_by), "updated_by",
			      json_sprintf("%lld", (long long)w->updated_by));
	if (w->auth_type) {
		json_t *a = json_pack("{s:s,s:s}", "type", w->auth_type, "add_position", "header");
		json_t *d = w->auth_data ? json_loads(w->auth_data, 0, NULL) : NULL;
		/* the non-secret half only: a basic-auth user name, an api_key header */
		const char *keep = !strcmp(w->auth_type, "basic_auth") ? "username"
				   : !strcmp(w->auth_type, "api_key")  ? "name"
								       : NULL;
		if (keep && json_is_string(json_object_get(d, keep)))
			json_object_set_new(a, "data",
					    json_pack("{s:O}", keep, json_object_get(d, keep)));
		json_decref(d);
		json_object_set_new(o, "authentication", a);
	}
	json_object_set_new(o, "sonnim_failure_count", json_integer(w->failure_count));
	json_object_set_new(o, "sonnim_deactivated_reason", str_or_null(w->deactivated_reason));
	return o;
}
