/* fts_pg.h - PostgreSQL full-text literals built with core/tokenize.h.
 *
 * PostgreSQL's own parsers (to_tsvector, to_tsquery) depend on the server's
 * text search configuration and locale and know nothing of Korean bigrams.
 * Sonnim therefore tokenizes in C and sends ready-made literals, bound as
 * text parameters and cast on the server:
 *
 *   UPDATE ticket_search SET body = CAST(? AS tsvector) ...   -- fts_pg_tsvector
 *   ... WHERE body @@ CAST(? AS tsquery)                     -- fts_pg_tsquery
 *
 * The casts only parse the literal (no normalization, no stop words), so
 * the server finds exactly what SQLite's "sonnim" FTS5 tokenizer finds.
 */
#ifndef SONNIM_FTS_PG_H
#define SONNIM_FTS_PG_H
#include <stddef.h>

struct buf;

/* Highest position PostgreSQL stores; later tokens share this position. */
#define FTS_PG_MAX_POS 16383
/* Positions PostgreSQL keeps per lexeme; later ones are dropped. */
#define FTS_PG_MAX_NPOS 256
/* Cap on the size PostgreSQL computes for a tsvector, which it refuses
 * past 1 MB ("string is too long for tsvector"): per lexeme its length
 * rounded up to even, plus 2 bytes, plus 2 per position.  Lexemes and
 * positions that would go past it are dropped. */
#define FTS_PG_MAX_BYTES ((1 << 20) - 1)

/* Append to out a tsvector literal for text[0..len):
 *
 *   'refund':1,4 'polici':2 '배송':3
 *
 * Each distinct token appears once, in order of first appearance, with its
 * positions (1-based, clamped to FTS_PG_MAX_POS, at most FTS_PG_MAX_NPOS of
 * them); what would not fit in FTS_PG_MAX_BYTES is left out, so very long
 * texts are indexed by their beginning.  ' and \ inside a lexeme are doubled.  Text without tokens
 * appends nothing (the empty string is a valid, empty tsvector).  Returns 0, or -1 when out's cap
 * would be exceeded or text is too long (see tokenize()); then out is left as it was. */
int fts_pg_tsvector(const char *text, size_t len, struct buf *out);

/* Append to out a tsquery literal matching the phrase[0..len) as
 * consecutive tokens:  'ship' <-> '배송' <-> '송지'  (a single token is just
 * 'ship').  A phrase without tokens appends nothing, so the caller can test
 * out->len and skip the condition.  Returns 0, or -1 as fts_pg_tsvector(). */
int fts_pg_tsquery(const char *phrase, size_t len, struct buf *out);
#endif
