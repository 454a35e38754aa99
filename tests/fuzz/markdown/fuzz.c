/* fuzz.c - libFuzzer harness for core/markdown.c (markdown_render:
 * cmark-gfm, then the allow-list sanitizer).
 *
 * `make fuzz` builds and runs it like the others (tests/fuzz/run.sh);
 * `make check` replays the corpus next to this file.  Each input is
 * rendered once with a text buffer and once without; the HTML is read back
 * by md_check.h (an independent reader over the same allow-list tables as
 * the HTML tests) and must be inert, valid UTF-8 and the same both times.
 * Any violation aborts.
 */
#include "base/buf.h"
#include "core/markdown.h"
#include "md_check.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf html = BUF_INIT, text = BUF_INIT, again = BUF_INIT;
	if (size > 65536)
		return 0;
	if (markdown_render((const char *)data, size, &html, &text))
		abort();
	if (md_inert(html.s, html.len))
		abort();
	if (!utf8_valid((const unsigned char *)text.s, text.len) || strlen(text.s) != text.len)
		abort();
	if (markdown_render((const char *)data, size, &again, NULL) || strcmp(again.s, html.s))
		abort();
	buf_release(&html);
	buf_release(&text);
	buf_release(&again);
	return 0;
}
