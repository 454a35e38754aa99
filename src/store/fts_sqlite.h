/* fts_sqlite.h - the "sonnim" FTS5 tokenizer for SQLite.
 *
 * fts_sqlite_register() makes the tokenizer available on one connection, so
 * that tables created as
 *
 *   CREATE VIRTUAL TABLE t USING fts5(body, tokenize='sonnim');
 *
 * index text with core/tokenize.h: stemmed English words and Hangul/CJK
 * bigrams.  FTS5 runs the same tokenizer over query strings, so
 * `MATCH 'refunds'` finds "refund" and `MATCH '"배송지연"'` finds text where
 * the bigrams 배송 송지 지연 are consecutive.  A one-character CJK query only
 * finds one-character runs; `MATCH '배*'` finds words starting with it.
 *
 * Register on every connection before touching an FTS5 table that uses the
 * tokenizer (the table's declaration names it; SQLite does not store it).
 */
#ifndef SONNIM_FTS_SQLITE_H
#define SONNIM_FTS_SQLITE_H
#include <sqlite3.h>

/* Name under which the tokenizer is registered. */
#define FTS_SQLITE_TOKENIZER "sonnim"

/* Register the "sonnim" tokenizer on db.  Returns SQLITE_OK (0), or an
 * SQLite error code when FTS5 is not compiled in or registration fails. The
 * tokenizer takes no arguments; tokenize='sonnim x' fails with SQLITE_ERROR
 * when the table is used. */
int fts_sqlite_register(sqlite3 *db);
#endif
