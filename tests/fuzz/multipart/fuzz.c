/* fuzz.c - libFuzzer harness for multipart_parse() (core/multipart.c):
 * the contact form's multipart/form-data bodies.
 *
 * The input is "<Content-Type value>\n<body>".  Checks, any violation
 * aborts: every part's data lies inside the body, names are terminated
 * inside their fields, the count is within max, and parsing with a smaller
 * max either fails or gives the same first parts.
 */
#include "core/multipart.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	char ctype[300];
	if (!nl || (size_t)(nl - s) >= sizeof(ctype))
		return 0;
	memcpy(ctype, s, (size_t)(nl - s));
	ctype[nl - s] = '\0';
	const char *body = nl + 1;
	size_t len = size - (size_t)(nl - s) - 1;
	char *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
	memcpy(copy, body, len);
	struct multipart_part parts[8], few[2];
	int n = 0, m = 0;
	int rc = multipart_parse(ctype, copy, len, parts, 8, &n);
	if (n < 0 || n > 8)
		abort();
	if (!rc)
		for (int i = 0; i < n; i++) {
			if (parts[i].data < copy || parts[i].data + parts[i].len > copy + len)
				abort();
			if (strnlen(parts[i].name, sizeof(parts[i].name)) >= sizeof(parts[i].name) ||
			    strnlen(parts[i].filename, sizeof(parts[i].filename)) >=
				sizeof(parts[i].filename))
				abort();
		}
	int rc2 = multipart_parse(ctype, copy, len, few, 2, &m);
	if (!rc && !rc2)
		for (int i = 0; i < m && i < n; i++)
			if (strcmp(few[i].name, parts[i].name) || few[i].len != parts[i].len)
				abort();
	free(copy);
	return 0;
}
