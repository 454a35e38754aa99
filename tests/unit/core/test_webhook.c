/* test_webhook.c - webhooks as data (core/webhook.h): the endpoint rule,
 * decoding Zendesk's webhook object (required members, defaults, every
 * refusal), the public JSON keeping secrets out, the signature against a
 * vector computed independently (node's crypto.createHmac), the delivery
 * verdicts and Retry-After.  Table-driven; no I/O.
 */
#include "core/webhook.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static void test_endpoints(void **state)
{
	static const char *const good[] = {
	    "http://example.com", "https://example.com/hooks?x=1#f", "HTTPS://Example.com:8443/a",
	    "http://127.0.0.1:9000/x", "http://[::1]:8080/", "https://xn--9n2bp8q.kr/웹훅",
	};
	static const char *const bad[] = {
	    "", "ftp://example.com/", "file:///etc/passwd", "gopher://h/", "javascript:alert(1)",
	    "example.com/x", "http:/example.com", "http://", "http:///x", "http://:80/",
	    "http://user:pw@example.com/", "http://user@example.com/", "https://a@b@c/",
	    "http://exa mple.com/", "http://example.com/\r\nX: y", "http://a\\@b/", "http://a\tb/",
	    "dict://127.0.0.1:11211/",
	};
	char err[200];
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		err[0] = '\0';
		if (webhook_endpoint_check(good[i], err, sizeof(err)))
			fail_msg("%s refused: %s", good[i], err);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err[0] = '\0';
		if (!webhook_endpoint_check(bad[i], err, sizeof(err)))
			fail_msg("%s accepted", bad[i]);
		assert_non_null(strstr(err, "endpoint:"));
	}
	char *longurl = malloc(WEBHOOK_ENDPOINT_MAX + 20);
	memcpy(longurl, "http://a/", 9);
	memset(longurl + 9, 'x', WEBHOOK_ENDPOINT_MAX);
	longurl[WEBHOOK_ENDPOINT_MAX + 9] = '\0';
	err[0] = '\0';
	assert_int_equal(webhook_endpoint_check(longurl, err, sizeof(err)), -1);
	free(longurl);
	err[0] = '\0';
	assert_non_null(strstr((webhook_endpoint_check("http://u:p@h/", err, sizeof(err)), err),
			       "credentials"));
}

static int decode(const char *text, int creating, struct webhook_change *c, char *err)
{
	json_error_t je;
	json_t *o = json_loads(text, 0, &je);
	if (!o)
		fail_msg("bad test JSON %s: %s", text, je.text);
	int rc = webhook_change_from_json(o, creating, c, err, 256);
	json_decref(o);
	return rc;
}

static void test_decode(void **state)
{
	struct webhook_change c;
	char err[256];
	assert_int_equal(decode("{\"name\":\"주문\",\"endpoint\":\"https://h/x\","
				"\"subscriptions\":[\"sonnim:ticket.created\",\"sonnim:ticket.created\"]}",
				1, &c, err),
			 0);
	assert_string_equal(c.v.http_method, "POST");
	assert_string_equal(c.v.request_format, "json");
	assert_string_equal(c.v.status, "active");
	assert_string_equal(c.v.subscriptions, "[\"sonnim:ticket.created\"]"); /* deduplicated */
	assert_null(c.v.auth_type);
	struct webhook w = {0};
	webhook_apply(&w, &c);
	assert_string_equal(w.name, "주문");
	webhook_change_clear(&c);

	/* an update: only what was given */
	assert_int_equal(decode("{\"authentication\":{\"type\":\"basic_auth\",\"add_position\":"
				"\"header\",\"data\":{\"username\":\"u\",\"password\":\"pw\"}}}",
				0, &c, err),
			 0);
	assert_false(c.set_name);
	webhook_apply(&w, &c);
	webhook_change_clear(&c);
	assert_string_equal(w.name, "주문");
	assert_string_equal(w.auth_type, "basic_auth");
	w.id = 7;
	w.signing_secret = strdup("the-secret-value");
	json_t *pub = webhook_json(&w);
	char *text = json_dumps(pub, JSON_SORT_KEYS);
	assert_null(strstr(text, "pw"));
	assert_null(strstr(text, "the-secret-value"));
	assert_non_null(strstr(text, "\"username\": \"u\""));
	assert_non_null(strstr(text, "\"id\": \"7\""));
	free(text);
	json_decref(pub);
	/* null removes the authentication */
	assert_int_equal(decode("{\"authentication\":null}", 0, &c, err), 0);
	webhook_apply(&w, &c);
	webhook_change_clear(&c);
	assert_null(w.auth_type);
	assert_null(w.auth_data);
	webhook_clear(&w);

	static const struct {
		const char *json, *word;
	} bad[] = {
	    {"[]", "webhook:"},
	    {"{\"endpoint\":\"https://h/\",\"subscriptions\":[\"conditional_ticket_events\"]}",
	     "name: is required"},
	    {"{\"name\":\"x\",\"subscriptions\":[\"conditional_ticket_events\"]}", "endpoint: is"},
	    {"{\"name\":\"x\",\"endpoint\":\"https://h/\"}", "subscriptions: is required"},
	    {"{\"name\":\"  \",\"endpoint\":\"https://h/\",\"subscriptions\":[\"conditional_ticket_events\"]}",
	     "blank"},
	    {"{\"name\":\"a\\nb\",\"endpoint\":\"https://h/\",\"subscriptions\":[\"conditional_ticket_events\"]}",
	     "control"},
	    {"{\"name\":1}", "name: expected a string"},
	    {"{\"name\":\"x\",\"endpoint\":\"https://h/\",\"subscriptions\":[\"x\"]}", "unknown"},
	    {"{\"name\":\"x\",\"endpoint\":\"https://h/\",\"subscriptions\":\"x\"}", "expected an array"},
	    {"{\"http_method\":\"TRACE\"}", "http_method"},
	    {"{\"request_format\":\"yaml\"}", "request_format"},
	    {"{\"status\":\"paused\"}", "status"},
	    {"{\"authentication\":{\"type\":\"digest\",\"data\":{}}}", "authentication.type"},
	    {"{\"authentication\":{\"type\":\"bearer_token\",\"add_position\":\"body\",\"data\":{\"token\":\"t\"}}}",
	     "add_position"},
	    {"{\"authentication\":{\"type\":\"bearer_token\"}}", "authentication.data"},
	    {"{\"authentication\":{\"type\":\"bearer_token\",\"data\":{\"token\":\"a\\r\\nb\"}}}",
	     "token"},
	    {"{\"authentication\":{\"type\":\"basic_auth\",\"data\":{\"username\":\"a:b\",\"password\":\"p\"}}}",
	     "username"},
	    {"{\"authentication\":{\"type\":\"api_key\",\"data\":{\"name\":\"X Key\",\"value\":\"v\"}}}",
	     "header name"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err[0] = '\0';
		int rc = decode(bad[i].json, 1, &c, err);
		webhook_change_clear(&c);
		if (!rc)
			fail_msg("accepted %s", bad[i].json);
		if (!strstr(err, bad[i].word))
			fail_msg("%s: error \"%s\" lacks \"%s\"", bad[i].json, err, bad[i].word);
	}
	/* the secret cannot be set by an update (POST .../signing_secret resets it) */
	assert_int_equal(decode("{\"signing_secret\":{\"secret\":\"0123456789abcdef\"}}", 0, &c, err),
			 -1);
	webhook_change_clear(&c);
	assert_non_null(strstr(err, "read-only"));
	/* a secret of one's own at creation; too short refused */
	assert_int_equal(decode("{\"name\":\"x\",\"endpoint\":\"https://h/\",\"subscriptions\":"
				"[\"conditional_ticket_events\"],\"signing_secret\":{\"algorithm\":"
				"\"SHA256\",\"secret\":\"0123456789abcdef\"}}",
				1, &c, err),
			 0);
	assert_string_equal(c.secret, "0123456789abcdef");
	webhook_change_clear(&c);
	assert_int_equal(decode("{\"name\":\"x\",\"endpoint\":\"https://h/\",\"subscriptions\":"
				"[\"conditional_ticket_events\"],\"signing_secret\":{\"secret\":\"short\"}}",
				1, &c, err),
			 -1);
	webhook_change_clear(&c);
}

static void test_signature(void **state)
{
	char sig[64];
	const char *body = "{\"ticket\":{\"id\":1}}";
	assert_int_equal(webhook_sign("dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
				      "2021-10-13T18:35:54Z", body, strlen(body), sig, sizeof(sig)),
			 0);
	assert_string_equal(sig, "BxzTkH3fOc1cv8VM24dL+CabVeYTlnZFVjWkUyFbszE=");
	assert_int_equal(webhook_sign("k", "t", "", 0, sig, 10), -1); /* too small */
	char *a = webhook_new_secret(), *b = webhook_new_secret();
	assert_int_equal(strlen(a), 44);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void test_verdicts(void **state)
{
	static const struct {
		long status;
		enum webhook_verdict v;
	} t[] = {
	    {200, WEBHOOK_DONE},      {204, WEBHOOK_DONE},	{299, WEBHOOK_DONE},
	    {0, WEBHOOK_RETRY},	      {409, WEBHOOK_RETRY},	{429, WEBHOOK_RETRY},
	    {500, WEBHOOK_RETRY},     {503, WEBHOOK_RETRY},	{301, WEBHOOK_PERMANENT},
	    {400, WEBHOOK_PERMANENT}, {401, WEBHOOK_PERMANENT}, {404, WEBHOOK_PERMANENT},
	    {410, WEBHOOK_PERMANENT}, {100, WEBHOOK_PERMANENT},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (webhook_verdict(t[i].status) != t[i].v)
			fail_msg("status %ld: verdict %d", t[i].status, (int)webhook_verdict(t[i].status));
	assert_int_equal(webhook_retry_after("120", 3600), 120);
	assert_int_equal(webhook_retry_after(" 5 ", 3600), 5);
	assert_int_equal(webhook_retry_after("0", 3600), 1);
	assert_int_equal(webhook_retry_after("7200", 3600), 0); /* too long: the backoff decides */
	assert_int_equal(webhook_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", 3600), 0);
	assert_int_equal(webhook_retry_after("-1", 3600), 0);
	assert_int_equal(webhook_retry_after("", 3600), 0);
	assert_int_equal(webhook_retry_after(NULL, 3600), 0);
	assert_int_equal(webhook_retry_after("99999999999999", 3600), 0);
	assert_true(webhook_subscribed("[\"a\",\"sonnim:comment.added\"]", "sonnim:comment.added"));
	assert_false(webhook_subscribed("[\"a\"]", "sonnim:comment.added"));
	assert_false(webhook_subscribed("not json", "a"));
	assert_string_equal(webhook_content_type("form_encoded"), "application/x-www-form-urlencoded");
	assert_string_equal(webhook_content_type("xml"), "application/xml");
	assert_string_equal(webhook_content_type("json"), "application/json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_signature),
	    cmocka_unit_test(test_verdicts),
	};
	return cmocka_run_group_tests_name("core/webhook", tests, NULL, NULL);
}
