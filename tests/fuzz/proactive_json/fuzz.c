/* fuzz.c - what the proactive admin API takes from outside: bytes ->
 * jansson -> {"banner", "proactive_prompt", "campaign", "token"} ->
 * proactive_item_from_json() (banners and prompts: translations, URL
 * patterns, audience, schedule), campaign_from_json() (segment, channels,
 * texts, send_at) and campaign_unsubscribe_check() of the token.  Nothing
 * may crash, leak or read out of bounds; an accepted item or campaign must
 * be accepted again from its own JSON, and picking its text for any locale
 * must work on what was accepted.
 *
 * libFuzzer build: make fuzz (tests/fuzz/run.sh), FUZZ_ONLY=proactive_json.
 */
#include "core/proactive.h"
#include "core/user.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void item(json_t *j, int kind)
{
	if (!json_is_object(j))
		return;
	char err[320];
	struct proactive_item it = {0}, again = {0};
	if (!proactive_item_from_json(j, kind, 1, &it, err, sizeof(err))) {
		json_t *out = proactive_item_json(&it);
		if (proactive_item_from_json(out, kind, 1, &again, err, sizeof(err)))
			abort(); /* its own JSON must be taken back */
		proactive_item_live(&it, 1700000000);
		free(proactive_text_pick(it.text, "ko"));
		free(proactive_text_pick(it.text, "en-us"));
		free(proactive_text_pick(it.text, NULL));
		json_decref(out);
	}
	proactive_item_clear(&again);
	proactive_item_clear(&it);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *body = json_loadb((const char *)data, size, 0, &e);
	if (!body)
		return 0;
	item(json_object_get(body, "banner"), PROACTIVE_BANNER);
	item(json_object_get(body, "proactive_prompt"), PROACTIVE_PROMPT);
	json_t *cj = json_object_get(body, "campaign");
	if (json_is_object(cj)) {
		char err[320];
		struct campaign c = {0}, again = {0};
		if (!campaign_from_json(cj, 1, &c, err, sizeof(err))) {
			json_t *out = campaign_json(&c);
			if (campaign_from_json(out, 1, &again, err, sizeof(err)))
				abort();
			struct user u = {.id = 7, .role = ROLE_END_USER, .locale = "ko", .organization_id = 3};
			strlist_add(&u.tags, "vip");
			segment_match(&c.segment, &u);
			strlist_clear(&u.tags);
			json_decref(out);
		}
		campaign_clear(&again);
		campaign_clear(&c);
	}
	const char *tok = json_string_value(json_object_get(body, "token"));
	int64_t uid;
	if (tok)
		campaign_unsubscribe_check("secret", tok, &uid);
	json_decref(body);
	return 0;
}
