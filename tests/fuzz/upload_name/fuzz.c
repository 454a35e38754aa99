/* fuzz.c - libFuzzer harness for the upload file-name rules in
 * core/filetype.c: filetype_name_clean() and, for every name it accepts,
 * filetype_disposition().
 *
 * Build and run (from the repository root):
 *
 *   mkdir -p build/fuzz && clang -g -O1 -std=c11 -D_GNU_SOURCE -Isrc \
 *     -include src/base/banned.h -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=undefined tests/fuzz/upload_name/fuzz.c \
 *     src/core/filetype.c src/base/buf.c src/base/util.c src/base/log.c \
 *     -lmagic -lpthread -o build/fuzz/upload_name
 *   build/fuzz/upload_name -max_total_time=60 -max_len=5000 \
 *     tests/fuzz/upload_name/corpus
 *
 * (`make fuzz` builds every harness against the whole library instead; new
 * inputs go to the first directory given, so pass a scratch directory
 * first to keep the committed corpus small.)
 *
 * The input is the raw ?filename= value, NUL bytes and all.  On success the
 * clean name must hold every documented property, checked here by
 * independent code: 1..255 bytes, no NUL, '/', '\\', control characters
 * or bidi overrides, valid shortest-form UTF-8 without surrogates, not "."
 * or "..", no leading/trailing space, a substring of the input that no
 * '/' or '\\' follows, and cleaning it again gives it back unchanged.  Its
 * Content-Disposition must be printable ASCII whose filename* decodes back
 * to the name exactly.  On failure the output must be "" and the error
 * "filename: ...".
 */
#include "base/buf.h"
#include "core/filetype.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Unicode's Table 3-7 (well-formed UTF-8 byte sequences), written as
 * ranges rather than by decoding: a second opinion on the decoder.  Also
 * rejects the code points filetype_name_clean refuses.  1 if s is fine. */
static int name_chars_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char b = s[i];
		size_t k;
		unsigned char lo = 0x80, hi = 0xBF;
		if (b < 0x20 || b == 0x7F)
			return 0;
		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xC2 && b <= 0xDF)
			k = 2;
		else if (b == 0xE0)
			k = 3, lo = 0xA0;
		else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
			k = 3;
		else if (b == 0xED)
			k = 3, hi = 0x9F;
		else if (b == 0xF0)
			k = 4, lo = 0x90;
		else if (b >= 0xF1 && b <= 0xF3)
			k = 4;
		else if (b == 0xF4)
			k = 4, hi = 0x8F;
		else
			return 0;
		if (i + k > n || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t j = 2; j < k; j++)
			if (s[i + j] < 0x80 || s[i + j] > 0xBF)
				return 0;
		/* C1 controls: C2 80..C2 9F */
		if (b == 0xC2 && s[i + 1] <= 0x9F)
			return 0;
		/* U+061C: D8 9C */
		if (b == 0xD8 && s[i + 1] == 0x9C)
			return 0;
		/* U+200E, U+200F, U+2028..U+202E: E2 80 8E/8F/A8..AE;
		 * U+2066..U+2069: E2 81 A6..A9 */
		if (b == 0xE2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0x8E || s[i + 2] == 0x8F ||
		     (s[i + 2] >= 0xA8 && s[i + 2] <= 0xAE)))
			return 0;
		if (b == 0xE2 && s[i + 1] == 0x81 && s[i + 2] >= 0xA6 && s[i + 2] <= 0xA9)
			return 0;
		i += k;
	}
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void check_disposition(const char *name, size_t n)
{
	for (int inl = 0; inl < 2; inl++) {
		struct buf b = BUF_INIT;
		filetype_disposition(&b, inl, name);
		const char *pre = inl ? "inline; filename=\"" : "attachment; filename=\"";
		if (strncmp(b.s, pre, strlen(pre)) || strlen(b.s) != b.len)
			abort();
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)b.s[i] < 0x20 || (unsigned char)b.s[i] > 0x7E)
				abort();
		/* the quoted fallback holds no quote or backslash */
		const char *q = b.s + strlen(pre);
		const char *end = strstr(q, "\"; filename*=UTF-8''");
		if (!end || memchr(q, '\\', (size_t)(end - q)) || memchr(q, '"', (size_t)(end - q)))
			abort();
		/* filename* decodes back to the name */
		const char *p = end + strlen("\"; filename*=UTF-8''");
		char dec[FILETYPE_NAME_MAX + 1];
		size_t m = 0;
		while (*p) {
			if (m > FILETYPE_NAME_MAX || *p == '"' || *p == ';' || *p == ' ' ||
			    *p == '\'')
				abort();
			if (*p == '%') {
				int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
				if (l < 0)
					abort();
				dec[m++] = (char)(h * 16 + l);
				p += 3;
			} else {
				dec[m++] = *p++;
			}
		}
		if (m != n || memcmp(dec, name, n))
			abort();
		buf_release(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[FILETYPE_NAME_MAX + 1], err[128];
	memset(out, 'x', sizeof(out));
	int rc = filetype_name_clean((const char *)data, size, out, sizeof(out), err, sizeof(err));
	if (rc != 0) {
		if (rc != -1 || out[0] || strncmp(err, "filename: ", 10) || !err[10])
			abort();
		return 0;
	}
	if (err[0])
		abort();
	size_t n = strlen(out);
	if (n < 1 || n > FILETYPE_NAME_MAX || n > size)
		abort();
	if (strchr(out, '/') || strchr(out, '\\') || out[0] == ' ' || out[n - 1] == ' ')
		abort();
	if (!strcmp(out, ".") || !strcmp(out, ".."))
		abort();
	if (!name_chars_ok((const unsigned char *)out, n))
		abort();
	/* a piece of the input after its last separator */
	const uint8_t *tail = data;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '/' || data[i] == '\\')
			tail = data + i + 1;
	if (!memmem(tail, (size_t)(data + size - tail), out, n))
		abort();
	/* idempotent */
	char again[FILETYPE_NAME_MAX + 1];
	if (filetype_name_clean(out, n, again, sizeof(again), NULL, 0) || strcmp(again, out))
		abort();
	check_disposition(out, n);
	return 0;
}
