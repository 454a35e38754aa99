/* jsonw.h - writing JSON text straight into a struct buf, for the hot
 * replies (a ticket, a page of tickets) where building a jansson tree and
 * dumping it costs more than the database read.  Strings are escaped per
 * RFC 8259; invalid UTF-8 is written as U+FFFD, never passed through. */
#ifndef SONNIM_JSONW_H
#define SONNIM_JSONW_H
#include "base/buf.h"
#include <stdint.h>

/* "s" escaped and quoted, or null when s is NULL. */
void jw_str(struct buf *b, const char *s);
/* "key": (with a leading comma unless first). */
void jw_key(struct buf *b, const char *key, int first);
void jw_int(struct buf *b, int64_t v);
/* v, or null when v is 0. */
void jw_id(struct buf *b, int64_t v);
/* "2026-11-23T07:34:35Z", or null when t is 0. */
void jw_time(struct buf *b, int64_t t);
void jw_bool(struct buf *b, int v);
#endif
