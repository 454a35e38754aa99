/* satisfaction_store.h - CSAT ratings in the database.
 *
 * satisfaction_ratings holds one row per ticket: score "offered" when the
 * survey went out and nobody answered yet, else "good" / "bad" with the
 * comment and reason code; a new answer replaces the previous one in
 * place (same id, updated_at moves).  The ticket row keeps a copy of the
 * id, score and comment (struct ticket's satisfaction_*), written in the
 * same statement group, so ticket JSON and rule conditions need no join.
 *
 * Getters return 0 and fill *out, 1 when there is no such row, or DB_*.
 * Writers run inside store_write() and return 0 or DB_*.
 */
#ifndef SONNIM_SATISFACTION_STORE_H
#define SONNIM_SATISFACTION_STORE_H
#include "store/db.h"
#include "store/window.h"
#include <stdint.h>

struct satisfaction_rating {
	int64_t id;
	int64_t ticket_id;
	int64_t requester_id;	/* who was asked (the ticket's requester then) */
	int64_t assignee_id;	/* 0 = none; the ticket's when rated */
	int64_t group_id;	/* 0 = none; the ticket's when rated */
	char score[12];		/* "offered", "good", "bad" */
	char *comment;		/* NULL = none */
	int reason_code;	/* core/satisfaction.h's codes; 0 = none */
	int64_t created_at, updated_at;
};
void satisfaction_rating_clear(struct satisfaction_rating *s);

int satisfaction_get(struct db *db, int64_t id, struct satisfaction_rating *out);
int satisfaction_get_ticket(struct db *db, int64_t ticket_id, struct satisfaction_rating *out);

/* The list filter: score is one of Zendesk's: offered, received (good or
 * bad), received_with_comment, received_without_comment, good,
 * good_with_comment, good_without_comment, bad, bad_with_comment,
 * bad_without_comment (NULL = every row); start_time / end_time bound
 * updated_at (inclusive; 0 = open). */
struct satisfaction_filter {
	const char *score;
	int64_t start_time, end_time;
	struct window win;
};
/* 1 when score is a filter value above (NULL counts as valid). */
int satisfaction_filter_score_ok(const char *score);
int satisfaction_list(struct db *db, const struct satisfaction_filter *f,
		      struct satisfaction_rating **out, int *n);
void satisfaction_list_free(struct satisfaction_rating *v, int n);

/* Mark ticket_id's survey offered (the notification carrying its link is
 * being sent): inserts an "offered" row when the ticket has none.  0 (also
 * when it already had one), 1 when the ticket does not exist, or DB_*. */
int satisfaction_offer(struct db *db, int64_t ticket_id, int64_t now);

/* One answer from the requester. */
struct satisfaction_rate {
	/* in */
	int64_t ticket_id;
	int64_t user_id;	/* who answers: must be the ticket's requester */
	const char *score;	/* "good" or "bad" */
	const char *comment;	/* NULL or "" = none */
	int reason_code;	/* kept only for "bad" */
	const char *via;	/* the event's channel: "web", "api" */
	int64_t now;
	/* out */
	int status;		/* on DB_REFUSED: 404 no ticket, 403 not the requester,
				   422 not ratable / bad value */
	char err[160];		/* on DB_REFUSED: "field: reason" */
	struct satisfaction_rating result;	/* on 0: the row as saved (owned) */
};
/* Check and save r (insert or replace the ticket's rating), copy it to
 * the ticket row, and append a ticket.updated event whose changes hold
 * {"satisfaction_score": {from, to}} (so triggers and webhooks see it).
 * 0, DB_REFUSED (r->status and r->err set, nothing written) or DB_*. */
int satisfaction_rate_run(struct db *db, void *arg);

/* The survey signing secret (settings "csat_secret"), created with 32
 * random bytes on first use: 0 and out (64 hex digits + NUL), or DB_*. */
int satisfaction_secret(struct db *db, char out[65]);
#endif
