/* test_hc_flow.c - troubleshooting flows (core/hc_flow.h): the checks made
 * on write, the canonical form, and replaying paths. */
#include "base/buf.h"
#include "core/hc_flow.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static const char good[] =
    "{\"start\":\"light\",\"steps\":["
    "{\"id\":\"light\",\"title\":\"Did the light turn green?\",\"body\":\"Look at the **front**.\","
    "\"options\":[{\"label\":\"Yes\",\"next\":\"wifi\"},{\"label\":\"No\",\"next\":\"reset\"}]},"
    "{\"id\":\"reset\",\"title\":\"Hold reset for 10 s. Green now?\",\"options\":["
    "{\"label\":\"Yes\",\"next\":\"wifi\"},{\"label\":\"No\",\"outcome\":\"contact\"}]},"
    "{\"id\":\"wifi\",\"title\":\"Can you browse?\",\"options\":["
    "{\"label\":\"Yes\",\"outcome\":\"solved\"},{\"label\":\"No\",\"outcome\":\"contact\"},"
    "{\"label\":\"Check again\",\"next\":\"light\"}]}]}";

static void test_parse_good(void **state)
{
	struct hc_flow f;
	char err[200];
	assert_int_equal(hc_flow_parse(good, strlen(good), &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.start, 0);
	assert_string_equal(f.steps[1].id, "reset");
	assert_int_equal(f.steps[0].opt[0].next, 2);
	assert_int_equal(f.steps[1].opt[1].next, -1);
	assert_int_equal(f.steps[1].opt[1].outcome, HC_FLOW_CONTACT);
	assert_string_equal(f.steps[0].body, "Look at the **front**.");
	assert_string_equal(f.steps[2].body, "");
	/* canonical JSON parses back to the same flow */
	json_t *j = hc_flow_to_json(&f);
	char *s = json_dumps(j, JSON_COMPACT);
	struct hc_flow g;
	assert_int_equal(hc_flow_parse(s, strlen(s), &g, err, sizeof(err)), 0);
	json_t *j2 = hc_flow_to_json(&g);
	assert_true(json_equal(j, j2));
	json_decref(j);
	json_decref(j2);
	free(s);
	hc_flow_clear(&g);
	hc_flow_clear(&f);
	assert_null(f.steps);
}

static void expect_bad(const char *json, const char *want)
{
	struct hc_flow f;
	char err[200];
	assert_int_equal(hc_flow_parse(json, strlen(json), &f, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	assert_null(f.steps);
	assert_int_equal(f.n, 0);
}

static void test_parse_bad(void **state)
{
	expect_bad("", "not JSON");
	expect_bad("[]", "expected an object");
	expect_bad("{\"steps\":[]}", "1 to 50 steps");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"options\":[]}]}", "1 to 6 options");
	expect_bad("{\"steps\":[{\"id\":\"A b\",\"title\":\"T\",\"options\":[{\"label\":\"x\","
		   "\"outcome\":\"solved\"}]}]}",
		   "steps[0].id");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\" \",\"options\":[{\"label\":\"x\","
		   "\"outcome\":\"solved\"}]}]}",
		   "cannot be blank");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"options\":[{\"label\":\"x\","
		   "\"nxet\":\"a\"}]}]}",
		   "unknown member \"nxet\"");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"options\":[{\"label\":\"x\","
		   "\"next\":\"b\"}]}]}",
		   "there is no step \"b\"");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"options\":[{\"label\":\"x\","
		   "\"next\":\"a\",\"outcome\":\"solved\"}]}]}",
		   "exactly one");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"options\":[{\"label\":\"x\","
		   "\"outcome\":\"maybe\"}]}]}",
		   "\"solved\" or \"contact\"");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"options\":[{\"label\":\"x\","
		   "\"outcome\":\"solved\"}]},{\"id\":\"a\",\"title\":\"U\",\"options\":[{\"label\":"
		   "\"y\",\"outcome\":\"solved\"}]}]}",
		   "used twice");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"options\":[{\"label\":\"x\","
		   "\"outcome\":\"solved\"}]},{\"id\":\"b\",\"title\":\"U\",\"options\":[{\"label\":"
		   "\"y\",\"outcome\":\"solved\"}]}]}",
		   "cannot be reached");
	expect_bad("{\"start\":\"zz\",\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"options\":[{"
		   "\"label\":\"x\",\"outcome\":\"solved\"}]}]}",
		   "flow.start");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\\nU\",\"options\":[{\"label\":\"x\","
		   "\"outcome\":\"solved\"}]}]}",
		   "control characters");
	expect_bad("{\"steps\":[{\"id\":\"a\",\"title\":\"T\\u0000U\",\"options\":[{\"label\":"
		   "\"x\",\"outcome\":\"solved\"}]}]}",
		   "NUL");
	expect_bad("{\"steps\":[],\"steps\":[]}", "not JSON");
	/* a body over the cap */
	struct buf b = BUF_INIT;
	buf_adds(&b, "{\"steps\":[{\"id\":\"a\",\"title\":\"T\",\"body\":\"");
	for (int i = 0; i < HC_FLOW_MAX_BODY + 1; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\",\"options\":[{\"label\":\"x\",\"outcome\":\"solved\"}]}]}");
	expect_bad(b.s, "at most 4000 bytes");
	buf_release(&b);
}

static void test_walk(void **state)
{
	struct hc_flow f;
	struct hc_flow_walk w;
	char err[200];
	assert_int_equal(hc_flow_parse(good, strlen(good), &f, err, sizeof(err)), 0);
	assert_int_equal(hc_flow_walk(&f, "", &w), 0);
	assert_int_equal(w.step, 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(hc_flow_walk(&f, "1.1", &w), 0); /* no -> reset, no -> contact */
	assert_int_equal(w.step, -1);
	assert_int_equal(w.outcome, HC_FLOW_CONTACT);
	struct buf t = BUF_INIT, p = BUF_INIT;
	hc_flow_path_text(&f, &w, &t);
	assert_string_equal(t.s, "1. Did the light turn green? -> No\n"
				 "2. Hold reset for 10 s. Green now? -> No\n");
	hc_flow_path(&w, w.n, &p);
	assert_string_equal(p.s, "1.1");
	buf_release(&t);
	buf_release(&p);
	assert_int_equal(hc_flow_walk(&f, "0.0", &w), 0);
	assert_int_equal(w.outcome, HC_FLOW_SOLVED);
	assert_int_equal(hc_flow_walk(&f, "0.2.0", &w), 0); /* loops back */
	assert_int_equal(w.step, 2);
	assert_int_equal(w.n, 3);
	/* refused: past an outcome, no such option, malformed */
	assert_int_equal(hc_flow_walk(&f, "0.0.0", &w), -1);
	assert_int_equal(hc_flow_walk(&f, "2", &w), -1);
	assert_int_equal(hc_flow_walk(&f, "0.", &w), -1);
	assert_int_equal(hc_flow_walk(&f, ".0", &w), -1);
	assert_int_equal(hc_flow_walk(&f, "00", &w), -1);
	assert_int_equal(hc_flow_walk(&f, "0,1", &w), -1);
	assert_int_equal(hc_flow_walk(&f, "-1", &w), -1);
	/* at most HC_FLOW_MAX_PATH choices */
	struct buf lp = BUF_INIT;
	for (int i = 0; i < HC_FLOW_MAX_PATH / 2; i++)
		buf_adds(&lp, i ? ".0.2" : "0.2");
	assert_int_equal(hc_flow_walk(&f, lp.s, &w), 0);
	buf_adds(&lp, ".0");
	assert_int_equal(hc_flow_walk(&f, lp.s, &w), -1);
	buf_release(&lp);
	hc_flow_clear(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_walk),
	};
	return cmocka_run_group_tests_name("core/hc_flow", tests, NULL, NULL);
}
