/* fuzz.c - libFuzzer harness for hc_form_value() (api/hc_pages.c): the
 * application/x-www-form-urlencoded decoder behind the help center's vote
 * form, the contact form, the portal and the CSAT survey.
 *
 * The input is a form body.  Each of a few field names is looked up with
 * output buffers of several sizes (1 byte up); checks, any violation
 * aborts: the decoded value is NUL-terminated inside the buffer (ASan
 * catches any write past it), never longer than the body, and a larger
 * buffer gives the same value or a longer one that starts with it (the cut
 * is a prefix).
 */
#include "api/help_center.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"subject", "body", "token", "value", "a", ""};
	static const size_t sizes[] = {1, 2, 3, 8, 64, 4096};
	const char *body = (const char *)data;
	for (size_t n = 0; n < sizeof(names) / sizeof(*names); n++) {
		char prev[4096] = "";
		int prev_rc = 0;
		for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
			char *out = malloc(sizes[k]);
			int rc = hc_form_value(body, size, names[n], out, sizes[k]);
			if (k && rc != prev_rc)
				abort();
			if (!rc) {
				size_t len = strnlen(out, sizes[k]);
				if (len >= sizes[k] || len > size)
					abort();
				if (k && strncmp(out, prev, strlen(prev)))
					abort();
				memcpy(prev, out, len + 1);
			}
			prev_rc = rc;
			free(out);
		}
	}
	return 0;
}
