/* fuzz.c - libFuzzer harness for core/placeholder.c (ph_render): the
 * Liquid-style templates of macros, notifications and webhook bodies.
 *
 * `make fuzz` (tests/fuzz/run.sh, FUZZ_ONLY=placeholder) builds it with
 * clang's libFuzzer; make check replays the corpus.  The input is rendered
 * in each mode against a small fixed context.  Checks, any violation
 * aborts: output stays within PH_MAX_OUTPUT; the same input renders the
 * same output; the report's lists stay within PH_MAX_REPORT and match the
 * returned error count while under it; a template with no '{' renders as
 * itself in text mode; HTML mode never lets a '<' of a value through (the
 * context's values all hold '<', tags in the template do not count, so the
 * output has no more '<' than the template); JSON mode output has no raw
 * control characters that the template did not have.
 */
#include "core/placeholder.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t count(const char *s, size_t n, int (*pred)(unsigned char))
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += pred((unsigned char)s[i]) != 0;
	return k;
}
static int is_lt(unsigned char c) { return c == '<'; }
static int is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	struct ph_context ctx = PH_CONTEXT_INIT;
	ph_set(&ctx, "ticket.id", "7");
	ph_set(&ctx, "ticket.title", "<b>\"x\" & y\n\t\x01</b>");
	ph_set(&ctx, "ticket.status", "open");
	ph_set(&ctx, "ticket.requester.first_name", "민수<");
	ph_set(&ctx, "ticket.tags", "a b <c>");
	ph_set(&ctx, "ticket.assignee.name", "");
	for (int m = 0; m < 3; m++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		struct ph_report ra = PH_REPORT_INIT, rb = PH_REPORT_INIT;
		int na = ph_render(t, size, &ctx, (enum ph_mode)m, &a, &ra);
		int nb = ph_render(t, size, &ctx, (enum ph_mode)m, &b, &rb);
		if (na < 0 || na != nb || a.len != b.len || memcmp(a.s, b.s, a.len))
			abort();
		if (a.len > PH_MAX_OUTPUT || ra.errors.n > PH_MAX_REPORT ||
		    ra.unknown.n > PH_MAX_REPORT)
			abort();
		if (na <= PH_MAX_REPORT && ra.errors.n != (size_t)na)
			abort();
		if (m == PH_TEXT && !memchr(t, '{', size) &&
		    (a.len != size || memcmp(a.s, t, size)))
			abort();
		if (m == PH_HTML && count(a.s, a.len, is_lt) > count(t, size, is_lt))
			abort();
		if (m == PH_JSON && count(a.s, a.len, is_ctl) > count(t, size, is_ctl))
			abort();
		buf_release(&a);
		buf_release(&b);
		ph_report_clear(&ra);
		ph_report_clear(&rb);
	}
	ph_context_clear(&ctx);
	return 0;
}
