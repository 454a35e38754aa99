/* test_proactive.c - the pure rules of core/proactive.h: page URLs to
 * paths (hostile ones included), URL patterns (exact, prefix, glob),
 * audiences, campaign segments, decoding banners/prompts/campaigns from
 * JSON with every refusal, text by locale, unsubscribe tokens and the
 * rendered campaign mail.  Table-driven; no I/O.
 */
#include "core/proactive.h"
#include "core/placeholder.h"
#include "base/util.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static void test_url_path(void **state)
{
	(void)state;
	static const struct {
		const char *url, *path; /* path NULL: unusable */
	} cases[] = {
	    {"/checkout", "/checkout"},
	    {"https://shop.example.com/checkout?step=2#pay", "/checkout"},
	    {"HTTPS://shop.example.com:8443/checkout/", "/checkout"},
	    {"//cdn.example.com/a/b", "/a/b"},
	    {"https://shop.example.com", "/"},
	    {"https://shop.example.com?x=1", "/"},
	    {"", "/"},
	    {"checkout", "/checkout"},
	    {"/a//b///c/", "/a/b/c"},
	    {"/a/./b/../c", "/a/c"},
	    {"/../../etc/passwd", "/etc/passwd"},
	    {"/a/b/..", "/a"},
	    {"/a/..", "/"},
	    {"/check%6Fut", "/checkout"},
	    {"/a%2Fb", "/a%2Fb"},
	    {"/a%2fb/../c", "/c"},
	    {"/%252e%252e/x", "/%252e%252e/x"},
	    {"/%2e%2e/home", "/home"},
	    {"/%EB%B0%B0%EC%86%A1", "/배송"},
	    {"/배송/조회", "/배송/조회"},
	    {"https:\\\\evil.example\\checkout", "/checkout"},
	    {"/a\\b", "/a/b"},
	    {"/x%00y", NULL},
	    {"/x%0ay", NULL},
	    {"/x\ty", NULL},
	    {"/x%zz", NULL},
	    {"/x%4", NULL},
	    {"/x%", NULL},
	    {"javascript:alert(1)", "/javascript:alert(1)"},
	};
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int rc = proactive_url_path(cases[i].url, &b);
		if (!cases[i].path) {
			if (rc != -1)
				fail_msg("%s: want unusable, got %s", cases[i].url, b.s);
			continue;
		}
		if (rc)
			fail_msg("%s: refused", cases[i].url);
		if (strcmp(b.s, cases[i].path))
			fail_msg("%s: want %s, got %s", cases[i].url, cases[i].path, b.s);
	}
	assert_int_equal(proactive_url_path(NULL, &b), -1);
	char *huge = malloc(PROACTIVE_URL_MAX + 2);
	memset(huge, 'a', PROACTIVE_URL_MAX + 1);
	huge[0] = '/';
	huge[PROACTIVE_URL_MAX + 1] = '\0';
	assert_int_equal(proactive_url_path(huge, &b), -1);
	huge[PROACTIVE_URL_MAX] = '\0';
	assert_int_equal(proactive_url_path(huge, &b), 0);
	free(huge);
	buf_release(&b);
}

static void test_patterns(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *url;
		int match;
	} cases[] = {
	    {"/checkout", "/checkout", 1},
	    {"/checkout", "https://shop.example/checkout/?x", 1},
	    {"/checkout", "/home", 0},
	    {"/checkout", "/checkout/pay", 0},
	    {"/checkout", "/Checkout", 0},
	    {"/checkout", "/checkoutx", 0},
	    {"/shop/*", "/shop", 1},
	    {"/shop/*", "/shop/", 1},
	    {"/shop/*", "/shop/shoes/42", 1},
	    {"/shop/*", "/shopping", 0},
	    {"/shop/*", "/", 0},
	    {"/*", "/anything/at/all", 1},
	    {"/*", "/", 1},
	    {"*", "/x", 1},
	    {"/products/*/reviews", "/products/42/reviews", 1},
	    {"/products/*/reviews", "/products/a/b/reviews", 1},
	    {"/products/*/reviews", "/products/42/review", 0},
	    {"/order/??", "/order/12", 1},
	    {"/order/??", "/order/123", 0},
	    {"/a*b*c*d", "/aXbXcXd", 1},
	    {"/a*b*c*d", "/aXbXcX", 0},
	    {"/배송/*", "/%EB%B0%B0%EC%86%A1/1", 1},
	    {"/checkout", "/shop/../checkout", 1},
	    {"/admin", "/x%00/../admin", 0},
	};
	struct buf p = BUF_INIT, u = BUF_INIT;
	const char *why;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(proactive_pattern_normalize(cases[i].pattern, &p, &why), 0);
		int m = proactive_url_path(cases[i].url, &u) == 0 && proactive_url_match(p.s, u.s);
		if (m != cases[i].match)
			fail_msg("%s vs %s: want %d", cases[i].pattern, cases[i].url, cases[i].match);
	}
	/* a pathological glob stays quick (no exponential backtracking) */
	char pat[PROACTIVE_PATTERN_MAX + 1], path[PROACTIVE_URL_MAX];
	pat[0] = '/';
	for (int i = 1; i < 301; i += 2) {
		pat[i] = '*';
		pat[i + 1] = 'a';
	}
	pat[301] = 'b';
	pat[302] = '\0';
	path[0] = '/';
	memset(path + 1, 'a', 3000);
	path[3001] = '\0';
	assert_int_equal(proactive_url_match(pat, path), 0);

	static const char *const bad[] = {"", "checkout", "/x#frag", "/a%0a", "/a%zz", "http://x/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (!proactive_pattern_normalize(bad[i], &p, &why))
			fail_msg("pattern %s accepted", bad[i]);
	char longp[PROACTIVE_PATTERN_MAX + 2];
	longp[0] = '/';
	memset(longp + 1, 'x', PROACTIVE_PATTERN_MAX);
	longp[PROACTIVE_PATTERN_MAX + 1] = '\0';
	assert_int_equal(proactive_pattern_normalize(longp, &p, &why), -1);
	assert_int_equal(proactive_pattern_normalize("/Shop/", &p, &why), 0);
	assert_string_equal(p.s, "/Shop");

	struct strlist none = {0}, some = {0};
	assert_int_equal(proactive_patterns_match(&none, "/x"), 1);
	strlist_add(&some, "/a");
	strlist_add(&some, "/b/*");
	assert_int_equal(proactive_patterns_match(&some, "/b/c"), 1);
	assert_int_equal(proactive_patterns_match(&some, "/c"), 0);
	strlist_clear(&some);
	buf_release(&p);
	buf_release(&u);
}

static void user_with(struct user *u, const char *tags, int64_t org, const char *locale)
{
	memset(u, 0, sizeof(*u));
	u->id = 7;
	u->organization_id = org;
	u->locale = xstrdup(locale);
	u->name = xstrdup("김 민수");
	u->email = xstrdup("minsu@example.kr");
	u->user_fields = xstrdup("{\"plan\":\"pro\",\"seats\":3}");
	char *copy = xstrdup(tags), *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		strlist_add(&u->tags, t);
	free(copy);
}

static void test_audience(void **state)
{
	(void)state;
	struct user vip, plain;
	user_with(&vip, "vip gold", 3, "ko");
	user_with(&plain, "", 0, "en-US");
	struct audience a = {0};
	char err[200];
	json_t *j = json_loads("{\"type\":\"tags\",\"tags\":[\"VIP\",\"x\"]}", 0, NULL);
	assert_int_equal(audience_from_json(j, &a, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(audience_match(&a, &vip), 1);
	assert_int_equal(audience_match(&a, &plain), 0);
	assert_int_equal(audience_match(&a, NULL), 0);
	j = json_loads("{\"type\":\"organizations\",\"organization_ids\":[3]}", 0, NULL);
	assert_int_equal(audience_from_json(j, &a, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(audience_match(&a, &vip), 1);
	assert_int_equal(audience_match(&a, &plain), 0);
	j = json_loads("{\"type\":\"signed_in\"}", 0, NULL);
	assert_int_equal(audience_from_json(j, &a, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(audience_match(&a, &plain), 1);
	assert_int_equal(audience_match(&a, NULL), 0);
	assert_int_equal(audience_from_json(json_null(), &a, err, sizeof(err)), 0);
	assert_int_equal(audience_match(&a, NULL), 1);
	static const char *const bad[] = {
	    "[]", "{}", "{\"type\":\"all\"}", "{\"type\":\"tags\"}", "{\"type\":\"tags\",\"tags\":[]}",
	    "{\"type\":\"tags\",\"tags\":[\"a b\"]}", "{\"type\":\"tags\",\"tags\":[1]}",
	    "{\"type\":\"organizations\",\"organization_ids\":[0]}",
	    "{\"type\":\"organizations\",\"organization_ids\":\"3\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		j = json_loads(bad[i], JSON_DECODE_ANY, NULL);
		err[0] = '\0';
		if (!audience_from_json(j, &a, err, sizeof(err)))
			fail_msg("audience %s accepted", bad[i]);
		assert_non_null(strstr(err, "audience"));
		json_decref(j);
	}
	audience_clear(&a);
	user_clear(&vip);
	user_clear(&plain);
}

static int seg(const char *json, const struct user *u)
{
	struct segment s = {0};
	char err[200];
	json_t *j = json_loads(json, 0, NULL);
	if (segment_from_json(j, &s, err, sizeof(err)))
		fail_msg("segment %s refused: %s", json, err);
	json_decref(j);
	int m = segment_match(&s, u);
	segment_clear(&s);
	return m;
}

static void test_segment(void **state)
{
	(void)state;
	struct user u;
	user_with(&u, "vip gold", 3, "ko-KR");
	assert_int_equal(seg("{}", &u), 1);
	assert_int_equal(seg("{\"tags_all\":[\"vip\",\"GOLD\"]}", &u), 1);
	assert_int_equal(seg("{\"tags_all\":[\"vip\",\"silver\"]}", &u), 0);
	assert_int_equal(seg("{\"tags_any\":[\"silver\",\"gold\"]}", &u), 1);
	assert_int_equal(seg("{\"tags_any\":[\"silver\"]}", &u), 0);
	assert_int_equal(seg("{\"organization_id\":3}", &u), 1);
	assert_int_equal(seg("{\"organization_id\":4}", &u), 0);
	assert_int_equal(seg("{\"locale\":\"ko\"}", &u), 1);
	assert_int_equal(seg("{\"locale\":\"en\"}", &u), 0);
	assert_int_equal(seg("{\"locale\":\"k\"}", &u), 0);
	assert_int_equal(seg("{\"user_fields\":{\"plan\":\"pro\"}}", &u), 1);
	assert_int_equal(seg("{\"user_fields\":{\"plan\":\"pro\",\"seats\":3}}", &u), 1);
	assert_int_equal(seg("{\"user_fields\":{\"plan\":\"free\"}}", &u), 0);
	assert_int_equal(seg("{\"user_fields\":{\"seats\":\"3\"}}", &u), 0);
	assert_int_equal(seg("{\"tags_all\":[\"vip\"],\"organization_id\":3,\"locale\":\"ko\"}", &u), 1);
	static const char *const bad[] = {
	    "{\"tags\":[\"a\"]}", "{\"tags_all\":\"vip\"}", "{\"organization_id\":-1}",
	    "{\"locale\":\"ko kr\"}", "{\"locale\":5}", "{\"user_fields\":[1]}",
	};
	struct segment s = {0};
	char err[200];
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);
		err[0] = '\0';
		if (!segment_from_json(j, &s, err, sizeof(err)))
			fail_msg("segment %s accepted", bad[i]);
		assert_non_null(strstr(err, "segment"));
		json_decref(j);
	}
	segment_clear(&s);
	user_clear(&u);
}

static void test_items(void **state)
{
	(void)state;
	struct proactive_item it = {0};
	char err[320];
	json_t *j = json_loads("{\"text\":{\"ko\":\"점검 안내\",\"en\":\"Maintenance\"},"
			       "\"level\":\"critical\",\"site_key\":\"shop-1\",\"url_patterns\":"
			       "[\"/checkout/\",\"/shop/*\",\"/checkout\"],\"starts_at\":"
			       "\"2026-01-01T00:00:00Z\",\"ends_at\":\"2026-01-02T00:00:00Z\"}",
			       0, NULL);
	assert_int_equal(proactive_item_from_json(j, PROACTIVE_BANNER, 1, &it, err, sizeof(err)), 0);
	json_decref(j);
	assert_string_equal(it.site_key, "shop-1");
	assert_string_equal(it.level, "critical");
	assert_int_equal(it.url_patterns.n, 2); /* "/checkout/" and "/checkout" are one */
	assert_int_equal(it.dismissible, 1);
	char *t = proactive_text_pick(it.text, "ko-KR");
	assert_string_equal(t, "점검 안내");
	free(t);
	t = proactive_text_pick(it.text, "ja");
	assert_string_equal(t, "Maintenance");
	free(t);
	int64_t jan1 = 1767225600;
	assert_int_equal(proactive_item_live(&it, jan1 - 1), 0);
	assert_int_equal(proactive_item_live(&it, jan1), 1);
	assert_int_equal(proactive_item_live(&it, jan1 + 86400), 0);
	it.active = 0;
	assert_int_equal(proactive_item_live(&it, jan1 + 5), 0);
	json_t *out = proactive_item_json(&it);
	assert_string_equal(json_string_value(json_object_get(out, "level")), "critical");
	assert_string_equal(json_string_value(json_object_get(json_object_get(out, "translations"), "ko")),
			    "점검 안내");
	json_decref(out);
	proactive_item_clear(&it);

	static const struct {
		int kind;
		const char *json, *field;
	} bad[] = {
	    {PROACTIVE_BANNER, "{}", "text:"},
	    {PROACTIVE_BANNER, "{\"text\":\"   \"}", "text:"},
	    {PROACTIVE_BANNER, "{\"text\":{\"fr\":\"x\"}}", "text:"},
	    {PROACTIVE_BANNER, "{\"text\":{}}", "text:"},
	    {PROACTIVE_BANNER, "{\"text\":\"x\",\"level\":\"loud\"}", "level:"},
	    {PROACTIVE_BANNER, "{\"text\":\"x\",\"site_key\":\"a b\"}", "site_key:"},
	    {PROACTIVE_BANNER, "{\"text\":\"x\",\"url_patterns\":\"/x\"}", "url_patterns:"},
	    {PROACTIVE_BANNER, "{\"text\":\"x\",\"url_patterns\":[\"x\"]}", "url_patterns:"},
	    {PROACTIVE_BANNER, "{\"text\":\"x\",\"starts_at\":\"soon\"}", "starts_at:"},
	    {PROACTIVE_BANNER,
	     "{\"text\":\"x\",\"starts_at\":\"2026-01-02\",\"ends_at\":\"2026-01-01\"}", "ends_at:"},
	    {PROACTIVE_BANNER, "{\"text\":\"x\",\"dismissible\":1}", "dismissible:"},
	    {PROACTIVE_PROMPT, "{\"text\":\"x\"}", "message:"},
	    {PROACTIVE_PROMPT, "{\"message\":\"x\",\"delay_seconds\":-1}", "delay_seconds:"},
	    {PROACTIVE_PROMPT, "{\"message\":\"x\",\"delay_seconds\":86401}", "delay_seconds:"},
	    {PROACTIVE_PROMPT, "{\"message\":\"x\",\"audience\":{\"type\":\"?\"}}", "audience.type:"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		j = json_loads(bad[i].json, 0, NULL);
		err[0] = '\0';
		if (!proactive_item_from_json(j, bad[i].kind, 1, &it, err, sizeof(err)))
			fail_msg("%s accepted", bad[i].json);
		if (strncmp(err, bad[i].field, strlen(bad[i].field)))
			fail_msg("%s: error %s, want %s", bad[i].json, err, bad[i].field);
		json_decref(j);
		proactive_item_clear(&it);
	}
	char big[PROACTIVE_TEXT_MAX + 40];
	memcpy(big, "{\"text\":\"", 9);
	memset(big + 9, 'x', PROACTIVE_TEXT_MAX + 1);
	memcpy(big + 9 + PROACTIVE_TEXT_MAX + 1, "\"}", 3);
	j = json_loads(big, 0, NULL);
	assert_int_equal(proactive_item_from_json(j, PROACTIVE_BANNER, 1, &it, err, sizeof(err)), -1);
	json_decref(j);
	proactive_item_clear(&it);
}

static void test_campaign(void **state)
{
	(void)state;
	struct campaign c = {0};
	char err[320];
	json_t *j = json_loads("{\"name\":\"배송 지연\",\"channels\":[\"email\",\"messenger\"],"
			       "\"subject\":\"{{user.first_name}}님께\",\"body\":\"안녕하세요 "
			       "{{user.name}}님 <b>\\n늦어집니다.\",\"segment\":{\"tags_any\":[\"vip\"]}}",
			       0, NULL);
	assert_int_equal(campaign_from_json(j, 1, &c, err, sizeof(err)), 0);
	json_decref(j);
	assert_int_equal(c.email, 1);
	assert_int_equal(c.messenger, 1);
	struct user u;
	user_with(&u, "vip", 0, "ko");
	struct buf s = BUF_INIT, t = BUF_INIT, h = BUF_INIT;
	campaign_render(&c, &u, "https://desk.example/hc/unsubscribe?token=7-ab&locale=ko", &s, &t, &h);
	assert_string_equal(s.s, "김님께");
	assert_non_null(strstr(t.s, "안녕하세요 김 민수님 <b>\n늦어집니다."));
	assert_non_null(strstr(t.s, "수신 거부"));
	assert_non_null(strstr(t.s, "https://desk.example/hc/unsubscribe?token=7-ab&locale=ko"));
	assert_non_null(strstr(h.s, "김 민수님 &lt;b&gt;<br>늦어집니다."));
	assert_non_null(strstr(h.s, "token=7-ab&amp;locale=ko"));
	buf_release(&s);
	buf_release(&t);
	buf_release(&h);
	json_t *out = campaign_json(&c);
	assert_string_equal(json_string_value(json_object_get(out, "status")), "draft");
	assert_int_equal(json_array_size(json_object_get(out, "channels")), 2);
	json_decref(out);
	campaign_clear(&c);

	/* translations: each recipient gets their language; long bodies are fine */
	j = json_loads("{\"name\":\"n\",\"channels\":[\"email\"],\"subject\":{\"ko\":\"지연 안내\","
		       "\"en\":\"Delay notice\"},\"body\":{\"ko\":\"{{user.name}}님 늦어집니다\","
		       "\"en-us\":\"Dear {{user.name}}, it is late\"}}",
		       0, NULL);
	assert_int_equal(campaign_from_json(j, 1, &c, err, sizeof(err)), 0);
	json_decref(j);
	struct user en;
	user_with(&en, "", 0, "en-US");
	struct buf s2 = BUF_INIT, t2 = BUF_INIT, h2 = BUF_INIT;
	campaign_render(&c, &u, "https://d/u", &s2, &t2, &h2);
	assert_string_equal(s2.s, "지연 안내");
	assert_non_null(strstr(t2.s, "김 민수님 늦어집니다"));
	buf_reset(&s2);
	buf_reset(&t2);
	buf_reset(&h2);
	campaign_render(&c, &en, "https://d/u", &s2, &t2, &h2);
	assert_string_equal(s2.s, "Delay notice");
	assert_non_null(strstr(t2.s, "Dear 김 민수, it is late"));
	assert_non_null(strstr(t2.s, "To stop receiving"));
	out = campaign_json(&c);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(out, "translations"), "body"), "ko")),
			    "{{user.name}}님 늦어집니다");
	assert_string_equal(json_string_value(json_object_get(out, "subject")), "Delay notice");
	json_decref(out);
	buf_release(&s2);
	buf_release(&t2);
	buf_release(&h2);
	user_clear(&en);
	campaign_clear(&c);
	char *longbody = malloc(20050);
	memcpy(longbody, "{\"name\":\"n\",\"channels\":[\"messenger\"],\"body\":\"", 45);
	memset(longbody + 45, 'x', 20000);
	memcpy(longbody + 20045, "\"}", 3);
	j = json_loads(longbody, 0, NULL);
	assert_non_null(j);
	if (campaign_from_json(j, 1, &c, err, sizeof(err)))
		fail_msg("a 20000-byte body refused: %s", err);
	json_decref(j);
	free(longbody);
	campaign_clear(&c);

	static const char *const bad[] = {
	    "{\"channels\":[\"email\"],\"body\":\"x\",\"subject\":\"s\"}",
	    "{\"name\":\"n\",\"channels\":[\"messenger\"],\"body\":{\"fr\":\"non\"}}",
	    "{\"name\":\"n\",\"channels\":[\"email\"],\"body\":\"x\"}",
	    "{\"name\":\"n\",\"channels\":[],\"body\":\"x\"}",
	    "{\"name\":\"n\",\"channels\":[\"sms\"],\"body\":\"x\"}",
	    "{\"name\":\"n\",\"channels\":[\"messenger\"],\"body\":\"\"}",
	    "{\"name\":\"n\",\"channels\":[\"messenger\"],\"body\":\"x\",\"send_at\":\"later\"}",
	    "{\"name\":\"n\",\"channels\":[\"messenger\"],\"body\":\"x\",\"segment\":[]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		j = json_loads(bad[i], 0, NULL);
		if (!campaign_from_json(j, 1, &c, err, sizeof(err)))
			fail_msg("%s accepted", bad[i]);
		json_decref(j);
		campaign_clear(&c);
	}
	user_clear(&u);
}

static void test_unsubscribe_token(void **state)
{
	(void)state;
	char tok[CAMPAIGN_TOKEN_MAX];
	int64_t uid = 0;
	campaign_unsubscribe_token("secret-1", 42, tok);
	assert_int_equal(strncmp(tok, "42-", 3), 0);
	assert_int_equal(strlen(tok), 3 + 64);
	assert_int_equal(campaign_unsubscribe_check("secret-1", tok, &uid), 0);
	assert_int_equal(uid, 42);
	assert_int_equal(campaign_unsubscribe_check("secret-2", tok, &uid), -1);
	char forged[CAMPAIGN_TOKEN_MAX];
	memcpy(forged, tok, sizeof(tok));
	forged[0] = '4';
	forged[1] = '3'; /* another user, same MAC */
	assert_int_equal(campaign_unsubscribe_check("secret-1", forged, &uid), -1);
	memcpy(forged, tok, sizeof(tok));
	forged[10] = forged[10] == 'a' ? 'b' : 'a';
	assert_int_equal(campaign_unsubscribe_check("secret-1", forged, &uid), -1);
	static const char *const junk[] = {"", "-", "42", "42-", "x-00", "-42-aa", "0-" /* short */};
	for (size_t i = 0; i < sizeof(junk) / sizeof(*junk); i++)
		assert_int_equal(campaign_unsubscribe_check("secret-1", junk[i], &uid), -1);
	assert_int_equal(campaign_unsubscribe_check("secret-1", NULL, &uid), -1);
	assert_int_equal(campaign_unsubscribe_check("", tok, &uid), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_path),	  cmocka_unit_test(test_patterns),
	    cmocka_unit_test(test_audience),	  cmocka_unit_test(test_segment),
	    cmocka_unit_test(test_items),	  cmocka_unit_test(test_campaign),
	    cmocka_unit_test(test_unsubscribe_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
