/* jsonw.c - the JSON text writer of jsonw.h.  The escaper walks the string
 * once, copying runs of plain bytes with one buf_add each. */
#include "api/jsonw.h"
#include "base/util.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static int utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))
			return 0; /* overlong, surrogate */
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

void jw_str(struct buf *b, const char *s)
{
	if (!s) {
		buf_adds(b, "null");
		return;
	}
	buf_addc(b, '"');
	const unsigned char *p = (const unsigned char *)s, *run = p;
	while (*p) {
		int n = utf8_len(p);
		if (n == 1 && *p >= 0x20 && *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		if (n > 1) {
			p += n;
			continue;
		}
		buf_add(b, run, p - run);
		switch (*p) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default:
			if (n == 1)
				buf_addf(b, "\\u%04x", *p);
			else
				buf_adds(b, "\xef\xbf\xbd"); /* invalid byte */
		}
		run = ++p;
	}
	buf_add(b, run, p - run);
	buf_addc(b, '"');
}

void jw_key(struct buf *b, const char *key, int first)
{
	if (!first)
		buf_addc(b, ',');
	buf_addc(b, '"');
	buf_adds(b, key);
	buf_adds(b, "\":");
}

void jw_int(struct buf *b, int64_t v)
{
	buf_addf(b, "%" PRId64, v);
}

void jw_id(struct buf *b, int64_t v)
{
	if (v)
		jw_int(b, v);
	else
		buf_adds(b, "null");
}

void jw_time(struct buf *b, int64_t t)
{
	if (!t) {
		buf_adds(b, "null");
		return;
	}
	char s[32];
	iso8601(t, s);
	buf_addc(b, '"');
	buf_adds(b, s);
	buf_addc(b, '"');
}

void jw_bool(struct buf *b, int v)
{
	buf_adds(b, v ? "true" : "false");
}
