/* buf.h - the one string builder (after git's strbuf and curl's dynbuf).
 *
 * A struct buf is never NULL-terminated-less: after buf_init() `s` points at
 * a valid, terminated string (possibly the shared empty one).  `max` caps the
 * length for anything fed from outside: appends that would exceed it fail with
 * -1 and leave the buffer unchanged.  max == 0 means no cap.
 *
 *   struct buf b = BUF_INIT;      or buf_init(&b, max)
 *   buf_add(&b, p, n); buf_addf(&b, "%d", 1);
 *   char *owned = buf_detach(&b); -- caller frees; b is empty again
 *   buf_release(&b);              -- frees; b is empty again
 *   buf_reset(&b);                -- length 0, keeps memory
 */
#ifndef SONNIM_BUF_H
#define SONNIM_BUF_H
#include <stddef.h>

struct buf {
	char *s;	/* contents, always '\0'-terminated */
	size_t len;	/* bytes used, excluding the terminator */
	size_t alloc;	/* bytes allocated; 0 while s is the shared empty string */
	size_t max;	/* cap on len; 0 = unlimited */
};

extern char buf_empty[1];
#define BUF_INIT {buf_empty, 0, 0, 0}

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
char *buf_detach(struct buf *b);
/* Append; return 0, or -1 when the cap would be exceeded. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
