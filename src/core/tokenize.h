/* tokenize.h - the search tokenizer for Korean and English text.
 *
 * One tokenizer serves both sides of search: the SQLite FTS5 tokenizer
 * "sonnim" (store/fts_sqlite.c) and the PostgreSQL tsvector/tsquery literals
 * (store/fts_pg.c) both call tokenize(), so a document and a query that
 * contain the same text always produce the same tokens.
 *
 * What becomes a token:
 *   - Words: runs of letters and digits of the Latin, Greek and Cyrillic
 *     scripts (plus fullwidth ASCII, folded to ASCII, and combining accents
 *     inside a word).  An apostrophe between two word characters stays in the
 *     word ("don't", U+2019 is folded to ').  Words are lower-cased
 *     (accents kept, ß becomes ss) and words with an ASCII letter are
 *     stemmed with the Snowball "english" stemmer: "Refunds", "refunded" ->
 *     "refund"; "policies" -> "polici".  A word longer than TOKENIZE_MAX_WORD bytes is cut at a
 *     character boundary to at most that many bytes and emitted unstemmed.
 *   - Hangul, Jamo, CJK ideographs, Hiragana and Katakana: each run emits
 *     overlapping bigrams ("배송이" -> "배송", "송이"); a run of one character
 *     emits that character.  Conjoining Jamo (NFD Hangul) are composed into
 *     syllables first, so NFD and NFC text give the same tokens.
 *   - Everything else (punctuation, symbols, emoji, other scripts, control
 *     characters, bytes that are not valid UTF-8) separates tokens.
 *
 * Tokens are at most TOKENIZE_MAX_WORD bytes (a bigram is at most 8) and
 * always valid UTF-8.
 *
 * Threads: the stemmer is not thread-safe, so each thread gets its own,
 * created on first use and freed when the thread exits; a thread that will
 * not exit through pthread_exit/return (the main thread) may call
 * tokenize_thread_cleanup() to free it early.
 */
#ifndef SONNIM_TOKENIZE_H
#define SONNIM_TOKENIZE_H
#include <stddef.h>

struct buf;

/* Longest word token, in bytes. */
#define TOKENIZE_MAX_WORD 64

/* Split text[0..len) into tokens and call emit() for each, in order.
 *
 * emit gets the token (tok, toklen: not NUL-terminated, valid only during
 * the call) and the byte span [start, end) of the source text it came from
 * (for a cut word the whole word; for a bigram both characters).  emit
 * returns 0 to go on; any other value stops tokenizing and is returned by
 * tokenize() (the FTS5 tokenizer passes SQLite error codes through this way).
 * emit may call tokenize() itself.
 *
 * text may contain NUL bytes and invalid UTF-8 (both separate tokens); it
 * may be NULL when len is 0.  Returns 0, emit's non-zero value, or -1 when
 * len is larger than INT_MAX (offsets are ints, as in SQLite).
 */
int tokenize(const char *text, size_t len,
	     int (*emit)(void *ctx, const char *tok, size_t toklen, int start, int end), void *ctx);

/* Append the tokens of text[0..len) to out, separated by single spaces (a
 * space also goes before the first token when out is not empty).  Returns
 * 0, or -1 when out's cap would be exceeded; then out is left as it was. */
int tokenize_to_buf(const char *text, size_t len, struct buf *out);

/* Free the calling thread's stemmer now (it is recreated on next use).
 * Threads that exit normally do not need this; the main thread calls it
 * before exit so leak checkers stay quiet. */
void tokenize_thread_cleanup(void);
#endif
