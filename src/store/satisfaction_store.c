/* satisfaction_store.c - SQL for CSAT ratings (see satisfaction_store.h).
 *
 * Order of a rating (satisfaction_rate_run, in the caller's transaction):
 * read the ticket, check the requester and the rating window (core's
 * csat_may_rate), upsert the ticket's row in satisfaction_ratings (the
 * UNIQUE ticket_id makes a second answer an update of the first), copy
 * id/score/comment onto the ticket row, append the ticket.updated event.
 * Offering inserts an "offered" row only when none exists (ON CONFLICT DO
 * NOTHING), so an answer is never turned back into an offer.
 * Cost: a handful of indexed statements per call; the list is one
 * range scan in id order with the filter in the WHERE clause.
 */
#include "store/satisfaction_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/satisfaction.h"
#include "core/ticket.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSAT_COLS                                                                                  \
	"id, ticket_id, requester_id, assignee_id, group_id, score, comment, reason_code,"       \
	" created_at, updated_at"

static void from_row(const struct db_res *r, int i, struct satisfaction_rating *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_int(r, i, 0);
	s->ticket_id = db_int(r, i, 1);
	s->requester_id = db_int(r, i, 2);
	s->assignee_id = db_int(r, i, 3);
	s->group_id = db_int(r, i, 4);
	snprintf(s->score, sizeof(s->score), "%s", db_str(r, i, 5) ? db_str(r, i, 5) : "");
	s->comment = db_str(r, i, 6) ? xstrdup(db_str(r, i, 6)) : NULL;
	s->reason_code = (int)db_int(r, i, 7);
	s->created_at = db_int(r, i, 8);
	s->updated_at = db_int(r, i, 9);
}

void satisfaction_rating_clear(struct satisfaction_rating *s)
{
	free(s->comment);
	memset(s, 0, sizeof(*s));
}

static int get_one(struct db *db, const char *sql, int64_t id, struct satisfaction_rating *out)
{
	struct db_res *r;
	memset(out, 0, sizeof(*out));
	int rc = db_query(db, &r, sql, "i", id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int satisfaction_get(struct db *db, int64_t id, struct satisfaction_rating *out)
{
	return get_one(db, "SELECT " CSAT_COLS " FROM satisfaction_ratings WHERE id = ?", id, out);
}

int satisfaction_get_ticket(struct db *db, int64_t ticket_id, struct satisfaction_rating *out)
{
	return get_one(db, "SELECT " CSAT_COLS " FROM satisfaction_ratings WHERE ticket_id = ?",
		       ticket_id, out);
}

/* Zendesk's score filters as SQL fragments (constant text only). */
static const struct {
	const char *name, *sql;
} score_filters[] = {
    {"offered", " AND score = 'offered'"},
    {"received", " AND score IN ('good', 'bad')"},
    {"received_with_comment", " AND score IN ('good', 'bad') AND comment IS NOT NULL"},
    {"received_without_comment", " AND score IN ('good', 'bad') AND comment IS NULL"},
    {"good", " AND score = 'good'"},
    {"good_with_comment", " AND score = 'good' AND comment IS NOT NULL"},
    {"good_without_comment", " AND score = 'good' AND comment IS NULL"},
    {"bad", " AND score = 'bad'"},
    {"bad_with_comment", " AND score = 'bad' AND comment IS NOT NULL"},
    {"bad_without_comment", " AND score = 'bad' AND comment IS NULL"},
};

static const char *score_sql(const char *score)
{
	for (size_t i = 0; score && i < ARRAY_SIZE(score_filters); i++)
		if (!strcmp(score_filters[i].name, score))
			return score_filters[i].sql;
	return NULL;
}

int satisfaction_filter_score_ok(const char *score)
{
	return !score || score_sql(score) != NULL;
}

int satisfaction_list(struct db *db, const struct satisfaction_filter *f,
		      struct satisfaction_rating **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	*out = NULL;
	*n = 0;
	buf_adds(&sql, "SELECT " CSAT_COLS " FROM satisfaction_ratings WHERE 1 = 1");
	const char *s = score_sql(f->score);
	if (s)
		buf_adds(&sql, s);
	if (f->start_time) {
		buf_adds(&sql, " AND updated_at >= ?");
		a[na++] = (struct db_arg){.type = 'i', .i = f->start_time};
	}
	if (f->end_time) {
		buf_adds(&sql, " AND updated_at <= ?");
		a[na++] = (struct db_arg){.type = 'i', .i = f->end_time};
	}
	window_sql(&f->win, "id", NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc((size_t)r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

void satisfaction_list_free(struct satisfaction_rating *v, int n)
{
	for (int i = 0; i < n; i++)
		satisfaction_rating_clear(&v[i]);
	free(v);
}

/* Copy the ticket's rating row onto the ticket. */
static int copy_to_ticket(struct db *db, int64_t ticket_id)
{
	return db_query(db, NULL,
			"UPDATE tickets SET satisfaction_id = (SELECT id FROM satisfaction_ratings s"
			" WHERE s.ticket_id = tickets.id), satisfaction_score = (SELECT score FROM"
			" satisfaction_ratings s WHERE s.ticket_id = tickets.id),"
			" satisfaction_comment = (SELECT comment FROM satisfaction_ratings s"
			" WHERE s.ticket_id = tickets.id) WHERE id = ?",
			"i", ticket_id);
}

int satisfaction_offer(struct db *db, int64_t ticket_id, int64_t now)
{
	struct ticket t = {0};
	int rc = ticket_store_get(db, ticket_id, &t);
	if (rc)
		return rc;
	rc = db_query(db, NULL,
		      "INSERT INTO satisfaction_ratings (ticket_id, requester_id, assignee_id,"
		      " group_id, score, created_at, updated_at) VALUES (?, ?, ?, ?, 'offered', ?, ?)"
		      " ON CONFLICT (ticket_id) DO NOTHING",
		      "iiiiii", t.id, t.requester_id, t.assignee_id, t.group_id, now, now);
	if (!rc && !t.satisfaction_id)
		rc = copy_to_ticket(db, t.id);
	ticket_clear(&t);
	return rc;
}

#define REFUSE(st, ...)                                                                            \
	do {                                                                                       \
		r->status = (st);                                                                  \
		snprintf(r->err, sizeof(r->err), __VA_ARGS__);                                     \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)

int satisfaction_rate_run(struct db *db, void *arg)
{
	struct satisfaction_rate *r = arg;
	struct ticket t = {0};
	memset(&r->result, 0, sizeof(r->result));
	int rc = ticket_store_get(db, r->ticket_id, &t);
	if (rc < 0)
		return rc;
	if (rc)
		REFUSE(404, "ticket: not found");
	if (t.requester_id != r->user_id)
		REFUSE(403, "satisfaction_rating: only the requester can rate a ticket");
	if (csat_may_rate(t.status, t.solved_at, r->now, r->err, sizeof(r->err))) {
		r->status = 422;
		rc = DB_REFUSED;
		goto out;
	}
	if (!csat_valid_score(r->score))
		REFUSE(422, "score: '%s' is not good or bad", r->score ? r->score : "null");
	int reason = !strcmp(r->score, "bad") ? r->reason_code : 0;
	if (!csat_reason(reason, NULL))
		REFUSE(422, "reason_code: %d is not a reason code", reason);
	const char *comment = r->comment && *r->comment ? r->comment : NULL;
	if (comment && strlen(comment) > 65536)
		REFUSE(422, "comment: at most 65536 bytes");
	char from[12];
	snprintf(from, sizeof(from), "%s", t.satisfaction_score[0] ? t.satisfaction_score : "unoffered");
	struct db_arg a[9] = {
	    {.type = 'i', .i = t.id},
	    {.type = 'i', .i = t.requester_id},
	    {.type = t.assignee_id ? 'i' : 'n', .i = t.assignee_id},
	    {.type = t.group_id ? 'i' : 'n', .i = t.group_id},
	    {.type = 's', .s = r->score},
	    {.type = comment ? 's' : 'n', .s = comment},
	    {.type = 'i', .i = reason},
	    {.type = 'i', .i = r->now},
	    {.type = 'i', .i = r->now},
	};
	rc = db_query_args(db, NULL,
			   "INSERT INTO satisfaction_ratings (ticket_id, requester_id, assignee_id,"
			   " group_id, score, comment, reason_code, created_at, updated_at)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id) DO UPDATE SET"
			   " requester_id = excluded.requester_id, assignee_id = excluded.assignee_id,"
			   " group_id = excluded.group_id, score = excluded.score,"
			   " comment = excluded.comment, reason_code = excluded.reason_code,"
			   " updated_at = excluded.updated_at",
			   a, 9);
	if (!rc)
		rc = copy_to_ticket(db, t.id);
	if (!rc)
		rc = satisfaction_get_ticket(db, t.id, &r->result);
	if (rc > 0)
		rc = DB_ERR; /* just written: must be there */
	if (!rc) {
		json_t *p = json_pack("{s:I,s:s,s:{s:{s:s,s:s}},s:s}", "ticket_id", (json_int_t)t.id,
				      "status", t.status, "changes", "satisfaction_score", "from", from,
				      "to", r->score, "via", r->via ? r->via : "web");
		char *text = json_dumps(p, JSON_COMPACT);
		json_decref(p);
		rc = event_store_append(db, "ticket.updated", t.id, r->user_id, text, r->now);
		free(text);
	}
	if (rc)
		satisfaction_rating_clear(&r->result);
out:
	ticket_clear(&t);
	return rc;
}

int satisfaction_secret(struct db *db, char out[65])
{
	char *v = NULL;
	int rc = setting_get(db, "csat_secret", &v);
	if (rc == 1) {
		unsigned char key[32];
		char hex[65];
		randombytes_buf(key, sizeof(key));
		sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
		sodium_memzero(key, sizeof(key));
		rc = db_query(db, NULL,
			      "INSERT INTO settings (name, value) VALUES ('csat_secret', ?)"
			      " ON CONFLICT (name) DO NOTHING",
			      "s", hex);
		if (!rc)
			rc = setting_get(db, "csat_secret", &v);
		if (rc > 0)
			rc = DB_ERR;
	}
	if (!rc)
		snprintf(out, 65, "%s", v);
	free(v);
	return rc;
}
