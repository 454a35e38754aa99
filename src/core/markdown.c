/* markdown.c - Markdown to safe HTML (see markdown.h).
 *
 * One call: register the GFM extensions once, make a parser with the
 * table, strikethrough, autolink and tagfilter extensions attached, feed
 * the source, render HTML with CMARK_OPT_UNSAFE (raw HTML and every link
 * kept as written - the sanitizer, not cmark, decides what is safe), then
 * run html_sanitize() over the rendering.  cmark's own "safe" mode is not
 * used on purpose: two filters with different rules are harder to reason
 * about than one allow-list that every HTML path in Sonnim shares.
 *
 * Cost: cmark-gfm is linear in the input for ordinary documents; the
 * sanitizer is linear too (it restarts its parser on deep nesting).
 * Memory: the cmark tree and the intermediate HTML, freed before return.
 */
#include "core/markdown.h"
#include "base/buf.h"
#include "core/html.h"
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static const char *const extensions[] = {"table", "strikethrough", "autolink", "tagfilter"};

int markdown_render(const char *src, size_t len, struct buf *html, struct buf *text)
{
	if (len > MARKDOWN_MAX)
		return -1;
	pthread_once(&once, register_extensions);
	int opts = CMARK_OPT_UNSAFE | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_FOOTNOTES;
	cmark_parser *p = cmark_parser_new(opts);
	if (!p)
		return -1;
	for (size_t i = 0; i < sizeof(extensions) / sizeof(*extensions); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(extensions[i]);
		if (e)
			cmark_parser_attach_syntax_extension(p, e);
	}
	if (len)
		cmark_parser_feed(p, src, len);
	cmark_node *doc = cmark_parser_finish(p);
	char *out = doc ? cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p)) : NULL;
	if (doc)
		cmark_node_free(doc);
	cmark_parser_free(p);
	if (!out)
		return -1;
	/* html_sanitize's -1 still leaves safe output (the input escaped as
	 * text), so it is not a failure here */
	html_sanitize(out, strlen(out), html, text);
	cmark_get_default_mem_allocator()->free(out);
	return 0;
}
