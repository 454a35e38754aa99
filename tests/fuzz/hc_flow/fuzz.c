/* fuzz.c - libFuzzer harness for hc_flow_parse() and hc_flow_walk()
 * (core/hc_flow.c): the troubleshooting-flow JSON agents write and the
 * path a visitor's link carries.
 *
 * The input is "<path>\n<flow JSON>" (no newline: all of it is the flow).
 * Checks, any violation aborts: a refused flow leaves nothing behind; an
 * accepted one has 1..HC_FLOW_MAX_STEPS steps whose "next" indexes are in
 * range; its canonical JSON parses again to the same canonical JSON; the
 * path replays or is refused, and an accepted walk stays in range.
 */
#include "base/buf.h"
#include "core/hc_flow.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	char path[160] = "";
	if (nl && (size_t)(nl - s) < sizeof(path)) {
		memcpy(path, s, (size_t)(nl - s));
		path[nl - s] = '\0';
		size -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	struct hc_flow f;
	char err[200];
	if (hc_flow_parse(s, size, &f, err, sizeof(err))) {
		if (f.steps || f.n || !err[0])
			abort();
		return 0;
	}
	if (f.n < 1 || f.n > HC_FLOW_MAX_STEPS || f.start < 0 || f.start >= f.n)
		abort();
	for (int i = 0; i < f.n; i++)
		for (int k = 0; k < f.steps[i].nopt; k++)
			if (f.steps[i].opt[k].next >= f.n ||
			    (f.steps[i].opt[k].next < 0) != (f.steps[i].opt[k].outcome != 0))
				abort();
	json_t *j = hc_flow_to_json(&f);
	char *c1 = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	struct hc_flow g;
	if (hc_flow_parse(c1, strlen(c1), &g, err, sizeof(err)))
		abort();
	j = hc_flow_to_json(&g);
	char *c2 = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (strcmp(c1, c2))
		abort();
	free(c1);
	free(c2);
	hc_flow_clear(&g);
	struct hc_flow_walk w;
	if (!hc_flow_walk(&f, path, &w)) {
		if (w.n > HC_FLOW_MAX_PATH || w.step >= f.n || (w.step < 0) != (w.outcome != 0))
			abort();
		struct buf t = BUF_INIT;
		hc_flow_path_text(&f, &w, &t);
		hc_flow_path(&w, w.n, &t);
		buf_release(&t);
	}
	hc_flow_clear(&f);
	return 0;
}
