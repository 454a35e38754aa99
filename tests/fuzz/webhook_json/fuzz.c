/* fuzz.c - what a webhook write takes from outside: bytes -> jansson ->
 * webhook_change_from_json() (create and update) -> webhook_apply() ->
 * webhook_json(); the same bytes as an endpoint URL and as a Retry-After
 * value.  Nothing may crash, leak or read out of bounds, and no secret may
 * appear in the public JSON.
 *
 * libFuzzer build: make fuzz (tests/fuzz/run.sh), FUZZ_ONLY=webhook_json.
 */
#include "core/webhook.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char err[256];
	webhook_endpoint_check(s, err, sizeof(err));
	webhook_retry_after(s, 3600);
	webhook_subscribed(s, "sonnim:ticket.created");
	free(s);

	json_error_t e;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
	if (!body)
		return 0;
	json_t *o = json_object_get(body, "webhook");
	if (!o)
		o = body;
	struct webhook w = {0};
	for (int creating = 1; creating >= 0; creating--) {
		struct webhook_change c;
		if (webhook_change_from_json(o, creating, &c, err, sizeof(err)) == 0) {
			webhook_apply(&w, &c);
			if (!w.signing_secret)
				w.signing_secret = strdup("fuzz-secret-never-shown");
			json_t *pub = webhook_json(&w);
			char *text = json_dumps(pub, JSON_COMPACT);
			if (text && strstr(text, "fuzz-secret-never-shown"))
				abort();
			free(text);
			json_decref(pub);
		}
		webhook_change_clear(&c);
	}
	webhook_clear(&w);
	json_decref(body);
	return 0;
}
