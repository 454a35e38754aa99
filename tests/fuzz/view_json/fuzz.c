/* fuzz.c - what a view write takes from outside: bytes -> jansson ->
 * {"conditions", "output"} -> rule_parse(RULE_VIEW) and view_exec_parse()
 * -> view_exec_json() -> view_exec_load() of that text; the sort of a few
 * tickets by the parsed execution.  Nothing may crash, leak or read out of
 * bounds; an accepted execution must survive its own JSON unchanged, and a
 * refused one leaves the defaults.
 *
 * libFuzzer build: make fuzz (tests/fuzz/run.sh), FUZZ_ONLY=view_json.
 */
#include "core/rule.h"
#include "core/view.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *body = json_loadb((const char *)data, size, 0, &e);
	if (!body)
		return 0;
	char err[256];
	struct rule r;
	if (!rule_parse(json_object_get(body, "conditions"), NULL, RULE_VIEW, &r, err,
			sizeof(err))) {
		struct ticket t = {.id = 1, .status = "open", .priority = "high", .assignee_id = 2};
		struct rule_ctx ctx = {.actor_id = 2, .actor_role = ROLE_AGENT, .now = 3600};
		rule_matches(&r, &t, &ctx);
		rule_clear(&r);
	}
	struct view_exec x, y;
	int rc = view_exec_parse(json_object_get(body, "output"), &x, err, sizeof(err));
	if (x.ncols < 1 || x.ncols > VIEW_COLUMNS || x.sort < 0 || x.sort >= VIEW_COLUMNS ||
	    x.group < -1 || x.group >= VIEW_COLUMNS)
		abort();
	json_t *j = view_exec_json(&x);
	char *text = json_dumps(j, JSON_COMPACT);
	view_exec_load(text, &y);
	if (memcmp(&x, &y, sizeof(x)) || (rc && (x.ncols != 5 || x.group != -1)))
		abort();
	struct ticket t[3] = {{.id = 3, .status = "new"},
			      {.id = 1, .subject = "b", .priority = "low"},
			      {.id = 2, .status = "solved", .subject = "a", .type = "task"}};
	view_sort(t, 3, &x);
	free(text);
	json_decref(j);
	json_decref(body);
	return 0;
}
