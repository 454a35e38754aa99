/* fuzz.c - the JSON request decoding of a ticket write: bytes -> jansson ->
 * ticket_change_from_json() (create and update) -> ticket_apply() on an
 * empty and on an existing ticket.  Nothing may crash, leak or read out of
 * bounds, whatever the body.
 *
 * libFuzzer build (make fuzz does this):
 *   clang -std=c11 -D_GNU_SOURCE -Isrc -include src/base/banned.h -g -O1 \
 *     -fsanitize=fuzzer,address,undefined tests/fuzz/ticket_json/fuzz.c \
 *     src/api/json.c src/api/tickets.c ... (see tests/fuzz/run.sh)
 */
#include "api/api.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
	if (!body)
		return 0;
	json_t *t = json_object_get(body, "ticket");
	if (!t)
		t = body;
	for (int creating = 0; creating < 2; creating++) {
		struct ticket_change c = {0};
		char err[256];
		if (ticket_change_from_json(t, &c, creating, err, sizeof(err)) == 0) {
			struct actor who = {.user_id = 1, .role = creating ? 2 : 0};
			struct ticket tk = {0};
			struct field_events ev = {0};
			if (!creating) { /* an existing ticket */
				tk.id = 5;
				tk.created_at = 1;
				tk.requester_id = 1;
				tk.status = strdup("open");
			}
			ticket_apply(&tk, &c, &who, 100, &ev, err, sizeof(err));
			field_events_clear(&ev);
			ticket_clear(&tk);
		}
		ticket_change_clear(&c);
	}
	json_decref(body);
	return 0;
}
