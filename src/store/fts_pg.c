/* fts_pg.c - tsvector and tsquery literals for PostgreSQL (see fts_pg.h).
 *
 * fts_pg_tsvector() runs tokenize() once and groups the tokens by lexeme:
 * an open-addressing hash table (FNV-1a, linear probing, grown at half
 * load) maps each lexeme to an entry that holds its bytes (in one arena
 * buffer) and a chain of positions (in one array, linked by index).  Then
 * it writes the entries in order of first appearance.  Grouping keeps the
 * literal small for long texts (a word repeated a thousand times is written
 * once) and lets us apply PostgreSQL's limits ourselves rather than fail on
 * the server: positions clamp at 16383 and repeat ones are dropped, at most
 * 256 positions per lexeme, and `size` tracks the bytes PostgreSQL's
 * tsvectorin() adds up (per lexeme: SHORTALIGN(len) + 2 + 2 * positions) so
 * that nothing is added that would take it past FTS_PG_MAX_BYTES.
 *
 * fts_pg_tsquery() needs no grouping: it writes the tokens in order joined
 * by the phrase operator <->.
 *
 * Both build the literal in a scratch buffer capped at what is left of
 * out's cap, then append it in one go, so a failure leaves out unchanged.
 *
 * Cost: O(n) time for n bytes of text; memory O(distinct lexemes) plus
 * O(min(tokens, 16383 + distinct lexemes)) positions.
 */
#include "store/fts_pg.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/tokenize.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct lexeme {
	uint32_t off;  /* start of its bytes in tsv.arena */
	uint32_t len;  /* length of its bytes */
	uint32_t hash; /* FNV-1a of its bytes */
	uint32_t head; /* first position record, index into tsv.pos */
	uint32_t tail; /* last position record */
	uint32_t npos; /* positions recorded */
};

struct posrec {
	uint32_t next; /* next record of the same lexeme, or NIL */
	uint16_t pos;  /* 1..FTS_PG_MAX_POS */
};

struct tsv {
	struct buf arena;   /* lexeme bytes, back to back */
	struct lexeme *lex; /* entries in order of first appearance */
	size_t nlex, alex;
	struct posrec *pos; /* position records of all lexemes */
	size_t npos, apos;
	uint32_t *table; /* hash slots: index into lex + 1, 0 = empty */
	size_t tsize;	 /* slots, a power of two */
	uint64_t ntok;	 /* tokens seen so far */
	size_t size;	 /* PostgreSQL's size of the tsvector so far */
};

/* What a new lexeme of n bytes with one position adds to tsv.size. */
#define LEXEME_SIZE(n) ((((n) + 1) & ~(size_t)1) + 2 + 2)

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void tsv_grow_table(struct tsv *v)
{
	size_t n = v->tsize ? v->tsize * 2 : 256;
	uint32_t *t = xcalloc(n, sizeof(*t));
	for (size_t i = 0; i < v->nlex; i++) {
		size_t j = v->lex[i].hash & (n - 1);
		while (t[j])
			j = (j + 1) & (n - 1);
		t[j] = (uint32_t)(i + 1);
	}
	free(v->table);
	v->table = t;
	v->tsize = n;
}

static void tsv_add_pos(struct tsv *v, struct lexeme *l, uint16_t pos)
{
	if (l->npos) {
		if (v->pos[l->tail].pos == pos || l->npos >= FTS_PG_MAX_NPOS ||
		    v->size + 2 > FTS_PG_MAX_BYTES)
			return;
		v->size += 2;
	}
	if (v->npos == v->apos) {
		v->apos = v->apos ? v->apos * 2 : 64;
		v->pos = xrealloc(v->pos, v->apos * sizeof(*v->pos));
	}
	uint32_t r = (uint32_t)v->npos++;
	v->pos[r].next = NIL;
	v->pos[r].pos = pos;
	if (l->npos)
		v->pos[l->tail].next = r;
	else
		l->head = r;
	l->tail = r;
	l->npos++;
}

static int tsv_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct tsv *v = ctx;
	uint16_t pos = v->ntok < FTS_PG_MAX_POS ? (uint16_t)(v->ntok + 1) : FTS_PG_MAX_POS;
	uint32_t h = fnv1a(tok, toklen);
	v->ntok++;
	if (2 * (v->nlex + 1) > v->tsize)
		tsv_grow_table(v);
	size_t j = h & (v->tsize - 1);
	while (v->table[j]) {
		struct lexeme *l = &v->lex[v->table[j] - 1];
		if (l->hash == h && l->len == toklen && !memcmp(v->arena.s + l->off, tok, toklen)) {
			tsv_add_pos(v, l, pos);
			return 0;
		}
		j = (j + 1) & (v->tsize - 1);
	}
	if (v->size + LEXEME_SIZE(toklen) > FTS_PG_MAX_BYTES)
		return 0; /* PostgreSQL would refuse the whole tsvector */
	v->size += LEXEME_SIZE(toklen);
	if (v->nlex == v->alex) {
		v->alex = v->alex ? v->alex * 2 : 64;
		v->lex = xrealloc(v->lex, v->alex * sizeof(*v->lex));
	}
	struct lexeme *l = &v->lex[v->nlex];
	*l = (struct lexeme){.off = (uint32_t)v->arena.len, .len = (uint32_t)toklen, .hash = h};
	buf_add(&v->arena, tok, toklen); /* the arena has no cap */
	v->table[j] = (uint32_t)++v->nlex;
	tsv_add_pos(v, l, pos);
	return 0;
}

static void tsv_release(struct tsv *v)
{
	buf_release(&v->arena);
	free(v->lex);
	free(v->pos);
	free(v->table);
}

/* Quote one lexeme: '...' with ' and \ doubled. */
static int add_lexeme(struct buf *b, const char *s, size_t n)
{
	if (buf_addc(b, '\''))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] == '\'' || s[i] == '\\') && buf_addc(b, s[i]))
			return -1;
		if (buf_addc(b, s[i]))
			return -1;
	}
	return buf_addc(b, '\'');
}

/* A scratch buffer that may grow to what is left of out's cap. */
static void scratch_init(struct buf *b, const struct buf *out)
{
	buf_init(b, 0);
	if (out->max)
		b->max = out->max > out->len ? out->max - out->len : 1;
}

/* Append the finished scratch to out (all or nothing) and release it. */
static int scratch_finish(struct buf *b, struct buf *out, int rc)
{
	if (!rc && b->len)
		rc = buf_add(out, b->s, b->len);
	buf_release(b);
	return rc ? -1 : 0;
}

int fts_pg_tsvector(const char *text, size_t len, struct buf *out)
{
	struct tsv v = {.arena = BUF_INIT};
	struct buf b;
	int rc = tokenize(text, len, tsv_token, &v);
	scratch_init(&b, out);
	for (size_t i = 0; !rc && i < v.nlex; i++) {
		const struct lexeme *l = &v.lex[i];
		const char *sep = ":";
		if ((i && buf_addc(&b, ' ')) || add_lexeme(&b, v.arena.s + l->off, l->len)) {
			rc = -1;
			break;
		}
		for (uint32_t r = l->head; r != NIL; r = v.pos[r].next) {
			if (buf_addf(&b, "%s%u", sep, (unsigned)v.pos[r].pos)) {
				rc = -1;
				break;
			}
			sep = ",";
		}
	}
	tsv_release(&v);
	return scratch_finish(&b, out, rc);
}

struct tsq {
	struct buf *b; /* the scratch literal */
	int n;	       /* tokens written so far */
};

static int tsq_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct tsq *q = ctx;
	if (q->n++ && buf_adds(q->b, " <-> "))
		return -1;
	return add_lexeme(q->b, tok, toklen);
}

int fts_pg_tsquery(const char *phrase, size_t len, struct buf *out)
{
	struct buf b;
	scratch_init(&b, out);
	struct tsq q = {&b, 0};
	int rc = tokenize(phrase, len, tsq_token, &q);
	return scratch_finish(&b, out, rc);
}
