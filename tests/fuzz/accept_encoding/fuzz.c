/* fuzz.c - libFuzzer harness for static_coding_weight() (http/static.c):
 * the Accept-Encoding reader that picks brotli, gzip or identity for the
 * embedded workspace's files.
 *
 * The input is a header value (made NUL-terminated).  Checks, any violation
 * aborts: every weight is in 0..1000, and a value that names a coding with
 * no parameters first ("br, " + input) gives it 1000 unless the input names
 * it again (a later entry wins).
 */
#include "http/static.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"br", "gzip", "identity", "x"};
	char *ae = malloc(size + 5);
	memcpy(ae, "br, ", 4);
	memcpy(ae + 4, data, size);
	ae[size + 4] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		int w = static_coding_weight(ae + 4, names[i]);
		if (w < 0 || w > 1000)
			abort();
	}
	int w = static_coding_weight(ae, "br");
	if (w < 0 || w > 1000 ||
	    (w != 1000 && !memchr(data, ',', size) && !memchr(data, 'r', size) &&
	     !memchr(data, 'R', size)))
		abort();
	free(ae);
	return 0;
}
