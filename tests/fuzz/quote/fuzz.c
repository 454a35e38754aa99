/* fuzz.c - libFuzzer harness for core/quote.c (quote_strip): where the
 * quoted earlier conversation starts in a customer's reply.
 *
 * `make fuzz` (tests/fuzz/run.sh, FUZZ_ONLY=quote) builds it with clang's
 * libFuzzer; make check replays the corpus.  Checks, any violation aborts:
 * the cut is within the text; it is never 0 for a non-empty text (a reply
 * is never cut away whole); the same input gives the same cut; the cut is
 * at the end of the text or just before white space (trailing blank lines
 * and spaces before the quote are left out, so the byte at the cut is a
 * space, tab, CR or LF, or the cut is at len); stripping the kept part again
 * never cuts further than the kept part itself.
 */
#include "core/quote.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t cut = quote_strip(text, size);
	if (cut > size)
		abort();
	if (size && !cut)
		abort();
	if (quote_strip(text, size) != cut)
		abort();
	if (cut < size && !strchr(" \t\r\n", text[cut] ? text[cut] : 'x'))
		abort();
	if (cut && quote_strip(text, cut) > cut)
		abort();
	return 0;
}
