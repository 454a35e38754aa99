/* typo.c - typo tolerance for English search words (see typo.h).
 *
 * typo_words runs the search tokenizer and keeps the ASCII-letter tokens
 * with their source spans; typo_distance is the textbook dynamic program
 * over two rows plus the one before (for transpositions), O(|a| |b|) with
 * both at most TYPO_MAX_WORD bytes, abandoned as soon as a whole row is
 * over max.
 */
#include "core/typo.h"
#include "base/util.h"
#include "core/ticket.h"
#include "core/tokenize.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct words_ctx {
	const char *src;
	struct strlist *stems, *words;
	int added;
};

static int ascii_letters(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

static int word_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct words_ctx *c = ctx;
	size_t n = (size_t)(end - start);
	if (toklen < TYPO_MIN_WORD || toklen > TYPO_MAX_WORD || n < TYPO_MIN_WORD ||
	    n > TYPO_MAX_WORD || !ascii_letters(tok, toklen) || !ascii_letters(c->src + start, n))
		return 0;
	char *stem = xstrndup(tok, toklen);
	if (!strlist_has(c->stems, stem)) {
		char *w = xstrndup(c->src + start, n);
		for (char *p = w; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		strlist_add(c->stems, stem);
		strlist_add(c->words, w);
		free(w);
		c->added++;
	}
	free(stem);
	return 0;
}

int typo_words(const char *text, size_t len, struct strlist *stems, struct strlist *words)
{
	struct words_ctx c = {.src = text, .stems = stems, .words = words};
	if (text && len)
		tokenize(text, len, word_token, &c);
	return c.added;
}

int typo_max_edits(size_t len)
{
	return len < 4 ? 0 : len < 8 ? 1 : 2;
}

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;
	return m < c ? m : c;
}

int typo_distance(const char *a, const char *b, int max)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > TYPO_MAX_WORD * 2 || lb > TYPO_MAX_WORD * 2)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > (size_t)max)
		return max + 1;
	int rows[3][TYPO_MAX_WORD * 2 + 1];
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		int best = cur[0];
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
			if (cur[j] < best)
				best = cur[j];
		}
		if (best > max)
			return max + 1;
		int *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] > max ? max + 1 : prev[lb];
}

void typo_trigrams(const char *word, struct strlist *out)
{
	size_t n = strlen(word);
	if (n > TYPO_MAX_WORD * 2)
		return;
	char p[TYPO_MAX_WORD * 2 + 3];
	p[0] = '^';
	memcpy(p + 1, word, n);
	p[n + 1] = '$';
	p[n + 2] = '\0';
	for (size_t i = 0; i + 3 <= n + 2; i++) {
		char g[4] = {p[i], p[i + 1], p[i + 2], '\0'};
		if (!strlist_has(out, g))
			strlist_add(out, g);
	}
}
