/* test_markdown.c - Markdown to safe HTML (core/markdown.h).
 *
 * The common shapes render as expected (headings, emphasis, lists, GFM
 * tables, strikethrough, autolinks, Korean text); then a corpus of script
 * payloads - raw HTML, javascript:/data: links and images, event
 * attributes, reference links, entity and whitespace evasions - must come
 * out inert by md_check.h's independent reading; the plain text is what
 * search indexes; limits and odd bytes are handled.
 */
#include "base/buf.h"
#include "core/markdown.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fuzz/markdown/md_check.h"

static char *render(const char *md, char **text)
{
	struct buf h = BUF_INIT, t = BUF_INIT;
	assert_int_equal(markdown_render(md, strlen(md), &h, &t), 0);
	const char *bad = md_inert(h.s, h.len);
	if (bad)
		fail_msg("%s in:\n%s\nfrom:\n%s", bad, h.s, md);
	if (text)
		*text = buf_detach(&t);
	buf_release(&t);
	return buf_detach(&h);
}

static void test_basics(void **state)
{
	char *t;
	char *h = render("# 배송 안내\n\n*빠른* **배송**과 ~~느린~~ 배송\n\n- 하나\n- 둘\n", &t);
	assert_non_null(strstr(h, "<h1>배송 안내</h1>"));
	assert_non_null(strstr(h, "<em>빠른</em>"));
	assert_non_null(strstr(h, "<strong>배송</strong>"));
	assert_non_null(strstr(h, "<s>느린</s>") ? strstr(h, "<s>느린</s>") : strstr(h, "<del>"));
	assert_non_null(strstr(h, "<li>하나</li>"));
	assert_non_null(strstr(t, "배송 안내"));
	assert_null(strchr(t, '<'));
	free(h);
	free(t);
	h = render("| a | b |\n| --- | --- |\n| 1 | 2 |\n", NULL);
	assert_non_null(strstr(h, "<table>"));
	assert_non_null(strstr(h, "<td>1</td>"));
	free(h);
	h = render("see https://example.com/a?b=c and [docs](https://docs.example/x \"t\")", NULL);
	assert_non_null(strstr(h, "href=\"https://example.com/a?b=c\""));
	assert_non_null(strstr(h, "href=\"https://docs.example/x\""));
	free(h);
}

static void test_payloads(void **state)
{
	static const char *const payloads[] = {
	    "<script>alert(1)</script>",
	    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
	    "<img src=x onerror=alert(1)>",
	    "<img src=\"javascript:alert(1)\">",
	    "![x](javascript:alert(1))",
	    "[x](javascript:alert(1))",
	    "[x](JAVASCRIPT:alert(1))",
	    "[x](java\tscript:alert(1))",
	    "[x](&#106;avascript:alert(1))",
	    "[x](data:text/html;base64,PHNjcmlwdD4=)",
	    "[x](vbscript:msgbox(1))",
	    "[a]: javascript:alert(1)\n\n[ref][a]",
	    "<a href=\"javascript:alert(1)\">x</a>",
	    "<a href=\" &#14;javascript:alert(1)\">x</a>",
	    "<iframe src=https://evil.example></iframe>",
	    "<svg onload=alert(1)><script>alert(2)</script></svg>",
	    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
	    "<div style=\"background:url(javascript:alert(1))\" onclick=alert(1)>x</div>",
	    "<style>@import 'https://evil.example/x.css';</style>",
	    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
	    "<form action=javascript:alert(1)><input type=submit></form>",
	    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
	    "<base href=javascript:alert(1)//>",
	    "<details open ontoggle=alert(1)>",
	    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
	    "<!--<img src=x onerror=alert(1)>-->",
	    "<textarea><script>alert(1)</script></textarea>",
	    "`<script>alert(1)</script>`\n\n```\n<script>alert(1)</script>\n```",
	    "<https://ok.example/\"onmouseover=alert(1)>",
	    "**<img src=x onerror=alert(1)>**",
	    "| <script>x</script> | <b onclick=y>z</b> |\n| - | - |\n| 1 | 2 |",
	    "text[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
	    "<a href=\"https://ok.example\" onclick=\"alert(1)\" style=\"x\">ok</a>",
	};
	for (size_t i = 0; i < sizeof(payloads) / sizeof(*payloads); i++) {
		char *h = render(payloads[i], NULL);
		/* belt and braces on top of the reader: no tell-tale words as markup */
		for (char *p = h; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		assert_null(strstr(h, "<script"));
		assert_null(strstr(h, "javascript:"));
		assert_null(strstr(h, "onerror="));
		assert_null(strstr(h, "<iframe"));
		free(h);
	}
}

static void test_limits(void **state)
{
	struct buf h = BUF_INIT;
	assert_int_equal(markdown_render(NULL, 0, &h, NULL), 0);
	assert_int_equal(h.len, 0);
	char *big = malloc(MARKDOWN_MAX + 2);
	memset(big, 'a', MARKDOWN_MAX + 1);
	big[MARKDOWN_MAX + 1] = '\0';
	assert_int_equal(markdown_render(big, MARKDOWN_MAX + 1, &h, NULL), -1);
	assert_int_equal(h.len, 0);
	/* deep nesting and odd bytes still give inert, valid output */
	struct buf in = BUF_INIT;
	for (int i = 0; i < 5000; i++)
		buf_adds(&in, "> ");
	buf_adds(&in, "deep\n\n");
	for (int i = 0; i < 5000; i++)
		buf_adds(&in, "[");
	buf_add(&in, "a\0b\xff\xfe", 5);
	assert_int_equal(markdown_render(in.s, in.len, &h, NULL), 0);
	assert_null(md_inert(h.s, h.len));
	buf_release(&in);
	buf_release(&h);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basics),
	    cmocka_unit_test(test_payloads),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests_name("core/markdown", tests, NULL, NULL);
}
