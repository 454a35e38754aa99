/* window.h - which page of rows a list query returns: by id cursor or by
 * offset, in id order.  Every list filter embeds one, and every list query
 * ends with window_sql(), so paging is written once. */
#ifndef SONNIM_WINDOW_H
#define SONNIM_WINDOW_H
#include "base/buf.h"
#include "store/db.h"

struct window {
	int64_t after_id;	/* cursor: id > after_id (asc) or < (desc); 0 = none */
	int desc;		/* order by id descending */
	int64_t offset;		/* rows to skip (offset pagination) */
	int limit;		/* rows at most; required */
};

/* Append " AND <id> >/< ?" (when after_id is set) and, unless order_by is
 * given, " ORDER BY <id> [DESC]", then " LIMIT ? OFFSET ?", with their
 * arguments in a[*na...].  id names the id column ("id", "m.id"); order_by
 * (may be NULL) replaces the id order, e.g. "LOWER(name), id".  The WHERE
 * clause must already be open. */
void window_sql(const struct window *w, const char *id, const char *order_by, struct buf *sql,
		struct db_arg *a, int *na);
#endif
