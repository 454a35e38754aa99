/* fuzz.c - libFuzzer harness for core/tokenize.c and store/fts_pg.c.
 *
 * Build and run (from the repository root):
 *
 *   mkdir -p build/fuzz && clang -g -O1 -std=c11 -D_GNU_SOURCE -Isrc \
 *     -include src/base/banned.h -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=undefined tests/fuzz/tokenize/fuzz.c \
 *     src/core/tokenize.c src/store/fts_pg.c src/base/buf.c src/base/util.c \
 *     -lstemmer -o build/fuzz/tokenize
 *   build/fuzz/tokenize -max_total_time=60 -max_len=65536 \
 *     tests/fuzz/tokenize/corpus
 *
 * (new inputs go to the first directory given; pass a scratch directory
 * first to keep the committed corpus small.)
 *
 * Each input is tokenized and checked: every token is 1..TOKENIZE_MAX_WORD
 * bytes of valid UTF-8 with a span inside the input and spans that start in
 * order; tokenize_to_buf() is deterministic and agrees with tokenize(); the
 * tsvector and tsquery literals are well-formed (quoted lexemes without
 * stray quotes, positions in 1..16383, the expected separators).  Any
 * violation aborts.
 */
#include "base/buf.h"
#include "core/tokenize.h"
#include "store/fts_pg.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct check {
	struct buf joined; /* tokens joined by ' ', as tokenize_to_buf() */
	size_t len;	   /* input length */
	int last_start;	   /* start of the previous token */
	size_t n;	   /* tokens */
};

static int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i], k;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c < 0xE0)
			k = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c < 0xF0)
			k = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c < 0xF5)
			k = 4, cp = c & 0x07;
		else
			return 0;
		if (n - i < k)
			return 0;
		for (unsigned j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return 0;
		i += k;
	}
	return 1;
}

static int on_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct check *c = ctx;
	if (toklen == 0 || toklen > TOKENIZE_MAX_WORD ||
	    !utf8_ok((const unsigned char *)tok, toklen))
		abort();
	if (start < 0 || end <= start || (size_t)end > c->len || start < c->last_start)
		abort();
	if (memchr(tok, ' ', toklen) || memchr(tok, '\0', toklen))
		abort();
	c->last_start = start;
	if (c->n++)
		buf_addc(&c->joined, ' ');
	buf_add(&c->joined, tok, toklen);
	return 0;
}

/* 'lexeme' with '' for a quote; returns the end of it or NULL. */
static const char *lexeme_end(const char *p)
{
	if (*p++ != '\'')
		return NULL;
	for (;;) {
		if (!*p)
			return NULL;
		if (*p == '\'') {
			if (p[1] != '\'')
				return p + 1;
			p += 2;
			continue;
		}
		if (*p == '\\' && p[1] != '\\')
			return NULL;
		p += *p == '\\' ? 2 : 1;
	}
}

static void check_tsvector(const char *s)
{
	while (*s) {
		if (!(s = lexeme_end(s)) || *s++ != ':')
			abort();
		for (;;) {
			char *end;
			long pos = strtol(s, &end, 10);
			if (end == s || pos < 1 || pos > FTS_PG_MAX_POS)
				abort();
			s = end;
			if (*s != ',')
				break;
			s++;
		}
		if (*s == ' ')
			s++;
		else if (*s)
			abort();
	}
}

static void check_tsquery(const char *s)
{
	while (*s) {
		if (!(s = lexeme_end(s)))
			abort();
		if (!*s)
			break;
		if (strncmp(s, " <-> ", 5))
			abort();
		s += 5;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct check c = {BUF_INIT, size, 0, 0};
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (tokenize(text, size, on_token, &c))
		abort();
	if (tokenize_to_buf(text, size, &a) || tokenize_to_buf(text, size, &b))
		abort();
	if (strcmp(a.s, b.s) || strcmp(a.s, c.joined.s))
		abort();

	buf_reset(&a);
	if (fts_pg_tsvector(text, size, &a))
		abort();
	check_tsvector(a.s);
	if ((a.len == 0) != (c.n == 0))
		abort();

	buf_reset(&b);
	if (fts_pg_tsquery(text, size, &b))
		abort();
	check_tsquery(b.s);
	if ((b.len == 0) != (c.n == 0))
		abort();

	/* a capped buffer either takes the whole literal or stays as it was */
	struct buf capped;
	buf_init(&capped, size % 97);
	if (fts_pg_tsquery(text, size, &capped) == 0) {
		if (strcmp(capped.s, b.s))
			abort();
	} else if (capped.len) {
		abort();
	}

	buf_release(&capped);
	buf_release(&a);
	buf_release(&b);
	buf_release(&c.joined);
	return 0;
}
