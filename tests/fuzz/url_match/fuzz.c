/* fuzz.c - libFuzzer harness for the proactive page targeting
 * (core/proactive.h): proactive_url_path(), proactive_pattern_normalize()
 * and proactive_url_match().
 *
 * The input is "PATTERN\nURL" (no newline: the whole input is both).
 * Checks, any violation aborts: a usable URL normalises to a path that
 * starts with "/", holds no control bytes, no "//", no "." or ".."
 * segment and no trailing "/" (except "/" itself), is at most one byte
 * longer than the URL, and normalises to itself; a path without '*' and
 * '?' matches itself as a pattern; "*" matches every path; a normalised
 * pattern without wildcards matches exactly the equal path.
 */
#include "core/proactive.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_path(const char *p, size_t inlen)
{
	size_t n = strlen(p);
	if (p[0] != '/' || n > inlen + 1 || strstr(p, "//") || strstr(p, "/./") ||
	    strstr(p, "/../") || (n > 1 && p[n - 1] == '/'))
		abort();
	if ((n >= 2 && !strcmp(p + n - 2, "/.")) || (n >= 3 && !strcmp(p + n - 3, "/..")))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';
	char *nl = memchr(in, '\n', size);
	const char *pattern = in, *url = in;
	if (nl) {
		*nl = '\0';
		url = nl + 1;
	}
	struct buf path = BUF_INIT, again = BUF_INIT, pat = BUF_INIT;
	const char *why;
	if (proactive_url_path(url, &path) == 0) {
		check_path(path.s, strlen(url));
		if (proactive_url_path(path.s, &again) || strcmp(again.s, path.s))
			abort();
		if (!strpbrk(path.s, "*?") && !proactive_url_match(path.s, path.s))
			abort();
		if (!proactive_url_match("*", path.s))
			abort();
		if (proactive_pattern_normalize(pattern, &pat, &why) == 0) {
			int m = proactive_url_match(pat.s, path.s);
			if (!strpbrk(pat.s, "*?") && m != !strcmp(pat.s, path.s))
				abort();
		}
	}
	buf_release(&path);
	buf_release(&again);
	buf_release(&pat);
	free(in);
	return 0;
}
