/* window.c - the paging tail of list queries (see window.h).  Only
 * constant text and the caller's column name are written; values are bound. */
#include "store/window.h"

void window_sql(const struct window *w, const char *id, const char *order_by, struct buf *sql,
		struct db_arg *a, int *na)
{
	if (w->after_id) {
		buf_addf(sql, " AND %s %s ?", id, w->desc ? "<" : ">");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = w->after_id};
	}
	if (order_by)
		buf_addf(sql, " ORDER BY %s", order_by);
	else
		buf_addf(sql, " ORDER BY %s%s", id, w->desc ? " DESC" : "");
	buf_adds(sql, " LIMIT ? OFFSET ?");
	a[(*na)++] = (struct db_arg){.type = 'i', .i = w->limit};
	a[(*na)++] = (struct db_arg){.type = 'i', .i = w->offset};
}
