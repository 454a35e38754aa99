/* metric_store.h - the ticket_metrics table. */
#ifndef SONNIM_METRIC_STORE_H
#define SONNIM_METRIC_STORE_H
#include "core/metric.h"
#include "store/db.h"

/* 0 and *m filled, 1 when the ticket has no metrics row, or DB_*. */
int metric_store_get(struct db *db, int64_t ticket_id, struct ticket_metric *m);
/* Insert or replace the row of m->ticket_id. */
int metric_store_put(struct db *db, const struct ticket_metric *m);
/* Rows ordered by ticket id after after_id, at most limit. */
int metric_store_list(struct db *db, int64_t after_id, int limit, struct ticket_metric **out,
		      int *n);
/* What the metrics need to know about a comment: public, written by an
 * agent, written by the ticket's requester.  0, 1 when there is no such
 * comment (all left 0), or DB_*. */
int metric_store_comment(struct db *db, int64_t comment_id, int *is_public, int *by_agent,
			 int *by_requester);
#endif
