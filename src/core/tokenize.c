/* tokenize.c - split Korean/English text into search tokens (see tokenize.h).
 *
 * One pass over the bytes with a UTF-8 decoder that rejects overlong forms,
 * surrogates and anything past U+10FFFF; a byte that does not start a valid
 * sequence is skipped like a space.  Each character is classified (and
 * case-folded) by classify():
 *
 *   CLS_WORD  letters and digits of Latin/Greek/Cyrillic (+ fullwidth ASCII)
 *   CLS_MARK  combining accents: part of a word, never start one
 *   CLS_APOS  ' and U+2019: part of a word only between two word characters
 *   CLS_CJK   Hangul, Jamo, CJK ideographs, kana: bigram runs
 *   CLS_SEP   everything else
 *
 * A word is folded into a fixed buffer of TOKENIZE_MAX_WORD bytes (the rest
 * of a longer word is read and dropped), then stemmed with the thread's
 * Snowball stemmer if it holds an ASCII letter.  A CJK run keeps only the
 * previous character, so it emits bigrams as it goes, in constant memory.
 *
 * Cost: O(len) time; no heap allocation except the per-thread stemmer
 * (created once per thread, freed by a pthread key destructor at thread
 * exit or by tokenize_thread_cleanup()).
 */
#include "core/tokenize.h"
#include "base/buf.h"
#include "base/util.h"
#include <libstemmer.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

enum cls {
	CLS_SEP,
	CLS_WORD,
	CLS_MARK,
	CLS_APOS,
	CLS_CJK,
};

/* ---- per-thread stemmer ---- */

static pthread_key_t stem_key;
static pthread_once_t stem_once = PTHREAD_ONCE_INIT;

static void stem_destroy(void *p) { sb_stemmer_delete(p); }

static void stem_key_create(void)
{
	if (pthread_key_create(&stem_key, stem_destroy))
		BUG("cannot create the stemmer thread key");
}

static struct sb_stemmer *stemmer(void)
{
	pthread_once(&stem_once, stem_key_create);
	struct sb_stemmer *st = pthread_getspecific(stem_key);
	if (!st) {
		st = sb_stemmer_new("english", "UTF_8");
		if (!st) /* out of memory, or a libstemmer without english */
			BUG("cannot create the english stemmer");
		if (pthread_setspecific(stem_key, st))
			BUG("cannot store the stemmer");
	}
	return st;
}

void tokenize_thread_cleanup(void)
{
	pthread_once(&stem_once, stem_key_create);
	struct sb_stemmer *st = pthread_getspecific(stem_key);
	if (st) {
		pthread_setspecific(stem_key, NULL);
		sb_stemmer_delete(st);
	}
}

/* ---- UTF-8 ---- */

/* Decode one character at s[0..n), n >= 1.  Returns its length (1-4), or 0
 * when s does not start a valid, shortest-form sequence. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		*cp = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
		return 2;
	}
	if (c < 0xF0) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		uint32_t v = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		uint32_t v = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
			     (s[3] & 0x3Fu);
		if (v < 0x10000 || v > 0x10FFFF)
			return 0;
		*cp = v;
		return 4;
	}
	return 0;
}

/* Encode cp (a valid scalar value) into out; returns the length. */
static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- classes and case folding ---- */

/* Ranges where upper and lower case alternate: the upper-case letter is at
 * the even (odd_upper = 0) or odd (odd_upper = 1) code point, and the lower
 * case one follows it. */
static const struct pair_range {
	uint32_t lo, hi;
	int odd_upper;
} pair_ranges[] = {
    {0x0100, 0x012F, 0}, {0x0132, 0x0137, 0}, {0x0139, 0x0148, 1}, {0x014A, 0x0177, 0},
    {0x0179, 0x017E, 1}, {0x01CD, 0x01DC, 1}, {0x01DE, 0x01EF, 0}, {0x01F8, 0x021F, 0},
    {0x0222, 0x0233, 0}, {0x0460, 0x0481, 0}, {0x048A, 0x04BF, 0}, {0x04C1, 0x04CE, 1},
    {0x04D0, 0x052F, 0}, {0x1E00, 0x1E95, 0}, {0x1EA0, 0x1EFF, 0},
};

/* Letters of the Latin, Greek and Cyrillic blocks (case pairs are folded
 * afterwards by fold_pairs()). */
static const struct range {
	uint32_t lo, hi;
} word_ranges[] = {
    {0x00AA, 0x00AA}, {0x00B5, 0x00B5}, {0x00BA, 0x00BA}, {0x00C0, 0x00D6}, {0x00D8, 0x00F6},
    {0x00F8, 0x02AF}, {0x0370, 0x0373}, {0x0376, 0x0377}, {0x037B, 0x037D}, {0x037F, 0x037F},
    {0x0386, 0x0386}, {0x0388, 0x03FF}, {0x0400, 0x0481}, {0x048A, 0x052F}, {0x1E00, 0x1EFF},
};

static const struct range mark_ranges[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF}, {0x20D0, 0x20FF}, {0xFE20, 0xFE2F},
};

/* Hangul, Jamo, CJK ideographs, Hiragana, Katakana. */
static const struct range cjk_ranges[] = {
    {0x1100, 0x11FF},	/* Hangul Jamo */
    {0x3005, 0x3007},	/* 々 〆 〇 */
    {0x3041, 0x309F},	/* Hiragana */
    {0x30A1, 0x30FA},	/* Katakana (without ゠ and the middle dot ・) */
    {0x30FC, 0x30FF},	/* ー ヽ ヾ ヿ */
    {0x3131, 0x318E},	/* Hangul compatibility Jamo */
    {0x31F0, 0x31FF},	/* Katakana phonetic extensions */
    {0x3400, 0x4DBF},	/* CJK extension A */
    {0x4E00, 0x9FFF},	/* CJK unified ideographs */
    {0xA960, 0xA97F},	/* Hangul Jamo extended A */
    {0xAC00, 0xD7A3},	/* Hangul syllables */
    {0xD7B0, 0xD7FF},	/* Hangul Jamo extended B */
    {0xF900, 0xFAFF},	/* CJK compatibility ideographs */
    {0xFF66, 0xFF9F},	/* halfwidth Katakana */
    {0xFFA0, 0xFFDC},	/* halfwidth Hangul */
    {0x20000, 0x323AF}, /* CJK extensions B-H, compatibility supplement */
};

static int in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return 1;
	return 0;
}

static uint32_t fold_pairs(uint32_t cp)
{
	for (size_t i = 0; i < ARRAY_SIZE(pair_ranges); i++) {
		const struct pair_range *r = &pair_ranges[i];
		if (cp >= r->lo && cp <= r->hi) {
			if ((cp & 1) == (uint32_t)r->odd_upper && cp < r->hi)
				return cp + 1;
			return cp;
		}
	}
	return cp;
}

/* Lower-case a word character of the Latin-1, Greek or Cyrillic blocks. */
static uint32_t fold_letter(uint32_t cp)
{
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 0x20;
	if (cp == 0x0130) /* İ */
		return 'i';
	if (cp == 0x0178) /* Ÿ */
		return 0xFF;
	if (cp == 0x017F) /* long s */
		return 's';
	if (cp == 0x1E9E) /* capital sharp s */
		return 0xDF;
	if (cp == 0x0386)
		return 0x03AC;
	if (cp >= 0x0388 && cp <= 0x038A)
		return cp + 37;
	if (cp == 0x038C)
		return 0x03CC;
	if (cp == 0x038E || cp == 0x038F)
		return cp + 63;
	if (cp >= 0x0391 && cp <= 0x03AB && cp != 0x03A2)
		return cp + 0x20;
	if (cp == 0x03C2) /* final sigma */
		return 0x03C3;
	if (cp >= 0x0400 && cp <= 0x040F)
		return cp + 0x50;
	if (cp >= 0x0410 && cp <= 0x042F)
		return cp + 0x20;
	if (cp == 0x04C0)
		return 0x04CF;
	return fold_pairs(cp);
}

/* Class of cp; for CLS_WORD and CLS_APOS also its folded form in *fold. */
static enum cls classify(uint32_t cp, uint32_t *fold)
{
	*fold = cp;
	if (cp < 0x80) {
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
			return CLS_WORD;
		if (cp >= 'A' && cp <= 'Z') {
			*fold = cp + 0x20;
			return CLS_WORD;
		}
		return cp == '\'' ? CLS_APOS : CLS_SEP;
	}
	if (cp == 0x2019) {
		*fold = '\'';
		return CLS_APOS;
	}
	if (cp >= 0xFF10 && cp <= 0xFF19) {
		*fold = cp - 0xFF10 + '0';
		return CLS_WORD;
	}
	if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A)) {
		*fold = (cp - 0xFF01 + '!') | 0x20;
		return CLS_WORD;
	}
	if (in_ranges(cp, word_ranges, ARRAY_SIZE(word_ranges))) {
		*fold = fold_letter(cp);
		return CLS_WORD;
	}
	if (in_ranges(cp, cjk_ranges, ARRAY_SIZE(cjk_ranges)))
		return CLS_CJK;
	if (in_ranges(cp, mark_ranges, ARRAY_SIZE(mark_ranges)))
		return CLS_MARK;
	return CLS_SEP;
}

/* ---- words ---- */

struct word {
	char b[TOKENIZE_MAX_WORD]; /* folded text, not terminated */
	size_t len;		   /* bytes used in b */
	int cut;		   /* 1 when characters were dropped */
	int stem;		   /* 1 when b holds an ASCII letter */
};

static void word_add(struct word *w, uint32_t cp)
{
	char tmp[4];
	if (cp == 0xDF) { /* full case folding: ß -> ss, so Straße = STRASSE */
		word_add(w, 's');
		word_add(w, 's');
		return;
	}
	size_t n = utf8_put(cp, tmp);
	if (w->cut || w->len + n > sizeof(w->b)) {
		w->cut = 1;
		return;
	}
	memcpy(w->b + w->len, tmp, n);
	w->len += n;
	if (cp >= 'a' && cp <= 'z')
		w->stem = 1;
}

static int word_emit(struct word *w, int start, int end,
		     int (*emit)(void *, const char *, size_t, int, int), void *ctx)
{
	char out[TOKENIZE_MAX_WORD];
	size_t n = w->len;
	memcpy(out, w->b, n);
	if (!w->cut && w->stem) {
		struct sb_stemmer *st = stemmer();
		const sb_symbol *r = sb_stemmer_stem(st, (const sb_symbol *)w->b, (int)w->len);
		if (!r)
			BUG("out of memory in the stemmer");
		int rn = sb_stemmer_length(st);
		/* the stemmer only shortens; anything else keeps the word as is */
		if (rn > 0 && (size_t)rn <= sizeof(out)) {
			memcpy(out, r, rn);
			n = rn;
		}
	}
	return emit(ctx, out, n, start, end);
}

/* Read the word that starts at s + i; *pos is set past its last character. */
static int scan_word(const unsigned char *s, size_t len, size_t i, size_t *pos,
		     int (*emit)(void *, const char *, size_t, int, int), void *ctx)
{
	struct word w = {.len = 0};
	size_t p = i, end = i;
	while (p < len) {
		uint32_t cp, f;
		size_t n = utf8_next(s + p, len - p, &cp);
		if (!n)
			break;
		enum cls c = classify(cp, &f);
		if (c == CLS_WORD || c == CLS_MARK) {
			word_add(&w, f);
			p += n;
			end = p;
			continue;
		}
		if (c == CLS_APOS && p + n < len) {
			uint32_t cp2, f2;
			size_t n2 = utf8_next(s + p + n, len - p - n, &cp2);
			if (n2 && classify(cp2, &f2) == CLS_WORD) {
				word_add(&w, '\'');
				p += n;
				continue;
			}
		}
		break;
	}
	*pos = end;
	return word_emit(&w, (int)i, (int)end, emit, ctx);
}

/* ---- CJK runs ---- */

#define JAMO_L0 0x1100
#define JAMO_V0 0x1161
#define JAMO_T0 0x11A7
#define HANGUL0 0xAC00

/* If s + *p holds a Jamo in [lo, hi], consume it and return it; else 0. */
static uint32_t take_jamo(const unsigned char *s, size_t len, size_t *p, uint32_t lo, uint32_t hi)
{
	uint32_t cp;
	size_t n;
	if (*p >= len || !(n = utf8_next(s + *p, len - *p, &cp)) || cp < lo || cp > hi)
		return 0;
	*p += n;
	return cp;
}

static int scan_cjk(const unsigned char *s, size_t len, size_t i, size_t *pos,
		    int (*emit)(void *, const char *, size_t, int, int), void *ctx)
{
	char pair[8];
	size_t prevn = 0, p = i;
	int prev_start = 0, nchars = 0, rc;
	while (p < len) {
		uint32_t cp, f, v, t;
		size_t n = utf8_next(s + p, len - p, &cp);
		if (!n || classify(cp, &f) != CLS_CJK)
			break;
		size_t start = p;
		p += n;
		/* compose conjoining Jamo: L V [T] -> syllable, LV T -> LVT */
		if (cp >= JAMO_L0 && cp <= 0x1112 && (v = take_jamo(s, len, &p, JAMO_V0, 0x1175)))
			cp = HANGUL0 + ((cp - JAMO_L0) * 21 + (v - JAMO_V0)) * 28;
		if (cp >= HANGUL0 && cp <= 0xD7A3 && (cp - HANGUL0) % 28 == 0 &&
		    (t = take_jamo(s, len, &p, 0x11A8, 0x11C2)))
			cp += t - JAMO_T0;
		char cur[4];
		size_t curn = utf8_put(cp, cur);
		if (nchars) {
			memcpy(pair + prevn, cur, curn);
			rc = emit(ctx, pair, prevn + curn, prev_start, (int)p);
			if (rc)
				return rc;
		}
		memcpy(pair, cur, curn);
		prevn = curn;
		prev_start = (int)start;
		nchars++;
	}
	*pos = p;
	if (nchars == 1)
		return emit(ctx, pair, prevn, prev_start, (int)p);
	return 0;
}

int tokenize(const char *text, size_t len,
	     int (*emit)(void *ctx, const char *tok, size_t toklen, int start, int end), void *ctx)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	if (len > INT_MAX)
		return -1;
	while (i < len) {
		uint32_t cp, f;
		size_t n = utf8_next(s + i, len - i, &cp);
		int rc = 0;
		if (!n) {
			i++; /* invalid byte: a separator */
			continue;
		}
		switch (classify(cp, &f)) {
		case CLS_WORD:
			rc = scan_word(s, len, i, &i, emit, ctx);
			break;
		case CLS_CJK:
			rc = scan_cjk(s, len, i, &i, emit, ctx);
			break;
		default:
			i += n;
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int add_to_buf(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct buf *out = ctx;
	if (out->len && buf_addc(out, ' '))
		return -1;
	return buf_add(out, tok, toklen) ? -1 : 0;
}

int tokenize_to_buf(const char *text, size_t len, struct buf *out)
{
	size_t old = out->len;
	if (tokenize(text, len, add_to_buf, out)) {
		out->len = old; /* what strbuf_setlen() would do */
		if (out->alloc)
			out->s[old] = '\0';
		return -1;
	}
	return 0;
}
