/* answer_bot_store.c - the answer bot's ranking and its deflections.
 *
 * answer_bot_answers(): hc_search() for the question (one indexed search,
 * the best HC_SEARCH_MAX ranked by the engine), then one grouped read of
 * answer_bot_feedback for the best ANSWER_BOT_CANDIDATES hits and the
 * question's terms, each hit's score multiplied by hc_feedback_boost(),
 * a re-sort, and the first `limit` kept.  Cost: the search plus one
 * primary-key range read of at most 50 x 24 rows.
 *
 * answer_bot_outcome(): one read of the deflection by its token hash, one
 * update of its state, and one upsert per question term (at most
 * HC_MAX_TERMS) into answer_bot_feedback, all inside the caller's
 * store_write() transaction.
 *
 * answer_bot_click(): the same read, one compare-and-set update of the
 * deflection's clicked_ids (so a concurrent second click counts nothing)
 * and the same per-term upserts of the "clicked" count.
 */
#include "store/answer_bot_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/hc.h"
#include "store/user_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ab_deflection_clear(struct ab_deflection *d)
{
	free(d->enquiry);
	idlist_clear(&d->article_ids);
	idlist_clear(&d->rejected_ids);
	idlist_clear(&d->clicked_ids);
	memset(d, 0, sizeof(*d));
}

static int hit_cmp(const void *x, const void *y)
{
	const struct hc_hit *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	return a->article_id < b->article_id ? -1 : a->article_id > b->article_id;
}

int answer_bot_answers(struct db *db, const char *question, const struct hc_view *v, int limit,
		       struct hc_hit **hits, int *n)
{
	*hits = NULL;
	*n = 0;
	if (limit < 1)
		limit = 1;
	if (limit > ANSWER_BOT_MAX)
		limit = ANSWER_BOT_MAX;
	struct hc_search_spec spec = {.query = question, .view = *v};
	struct hc_hit *h = NULL;
	int nh = 0;
	int rc = hc_search(db, &spec, &h, &nh);
	if (rc || !nh)
		return rc;
	int m = nh < ANSWER_BOT_CANDIDATES ? nh : ANSWER_BOT_CANDIDATES;
	struct strlist terms = {0};
	int nt = hc_query_terms(question, &terms);
	struct db_arg a[ANSWER_BOT_CANDIDATES + HC_MAX_TERMS];
	int na = 0;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT article_id, SUM(resolved), SUM(rejected), SUM(clicked)"
		       " FROM answer_bot_feedback WHERE term IN (");
	for (size_t i = 0; i < terms.n; i++) {
		buf_adds(&sql, i ? ", ?" : "?");
		a[na++] = (struct db_arg){.type = 's', .s = terms.v[i]};
	}
	buf_adds(&sql, ") AND article_id IN (");
	for (int i = 0; i < m; i++) {
		buf_adds(&sql, i ? ", ?" : "?");
		a[na++] = (struct db_arg){.type = 'i', .i = h[i].article_id};
	}
	buf_adds(&sql, ") GROUP BY article_id");
	struct db_res *r = NULL;
	rc = nt ? db_query_args(db, &r, sql.s, a, na) : 0;
	buf_release(&sql);
	if (rc) {
		strlist_clear(&terms);
		free(h);
		return rc;
	}
	for (int i = 0; r && i < r->nrows; i++) {
		int64_t id = db_int(r, i, 0);
		for (int k = 0; k < m; k++)
			if (h[k].article_id == id)
				h[k].score *= hc_feedback_boost(db_int(r, i, 1), db_int(r, i, 2),
								db_int(r, i, 3), nt);
	}
	db_res_free(r);
	strlist_clear(&terms);
	qsort(h, m, sizeof(*h), hit_cmp);
	*hits = h;
	*n = m < limit ? m : limit;
	return 0;
}

int answer_bot_deflection_insert(struct db *db, struct ab_deflection *d, const char *token_hash)
{
	char *ids = idlist_to_json(&d->article_ids);
	struct db_res *r;
	copy_small(d->state, sizeof(d->state), "offered");
	d->updated_at = d->created_at;
	int rc = db_query(db, &r,
			  "INSERT INTO answer_bot_deflections (token_hash, enquiry, locale, channel,"
			  " ticket_id, user_id, article_ids, state, created_at, updated_at)"
			  " VALUES (?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0),"
			  " NULLIF(CAST(? AS BIGINT), 0), ?, 'offered', ?, ?) RETURNING id",
			  "ssssiisii", token_hash, d->enquiry, d->locale, d->channel, d->ticket_id,
			  d->user_id, ids, d->created_at, d->created_at);
	free(ids);
	if (rc)
		return rc;
	d->id = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return 0;
}

int answer_bot_deflection_get(struct db *db, const char *token_hash, struct ab_deflection *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, enquiry, locale, channel, ticket_id, user_id, article_ids,"
			  " rejected_ids, state, article_id, created_at, updated_at, clicked_ids"
			  " FROM answer_bot_deflections WHERE token_hash = ?",
			  "s", token_hash);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	out->id = db_int(r, 0, 0);
	out->enquiry = xstrdup(db_str(r, 0, 1) ? db_str(r, 0, 1) : "");
	copy_small(out->locale, sizeof(out->locale), db_str(r, 0, 2));
	copy_small(out->channel, sizeof(out->channel), db_str(r, 0, 3));
	out->ticket_id = db_int(r, 0, 4);
	out->user_id = db_int(r, 0, 5);
	idlist_from_json(&out->article_ids, db_str(r, 0, 6));
	idlist_from_json(&out->rejected_ids, db_str(r, 0, 7));
	copy_small(out->state, sizeof(out->state), db_str(r, 0, 8));
	out->article_id = db_int(r, 0, 9);
	out->created_at = db_int(r, 0, 10);
	out->updated_at = db_int(r, 0, 11);
	idlist_from_json(&out->clicked_ids, db_str(r, 0, 12));
	db_res_free(r);
	return 0;
}

int answer_bot_outcome(struct db *db, const char *token_hash, int64_t deflection_id,
		       int64_t article_id, int resolved, int64_t now, struct ab_deflection *out)
{
	int rc = answer_bot_deflection_get(db, token_hash, out);
	if (rc)
		return rc < 0 ? rc : AB_NONE;
	if (deflection_id && deflection_id != out->id)
		return AB_NONE;
	if (!idlist_has(&out->article_ids, article_id))
		return AB_NOT_OFFERED;
	if (!strcmp(out->state, "resolved") ||
	    (!resolved && idlist_has(&out->rejected_ids, article_id)))
		return AB_DONE;
	if (resolved) {
		copy_small(out->state, sizeof(out->state), "resolved");
		out->article_id = article_id;
	} else {
		copy_small(out->state, sizeof(out->state), "rejected");
		idlist_add(&out->rejected_ids, article_id);
	}
	out->updated_at = now;
	char *rej = idlist_to_json(&out->rejected_ids);
	rc = db_query(db, NULL,
		      "UPDATE answer_bot_deflections SET state = ?, article_id ="
		      " NULLIF(CAST(? AS BIGINT), 0), rejected_ids = ?, updated_at = ? WHERE id = ?",
		      "sisii", out->state, out->article_id, rej, now, out->id);
	free(rej);
	struct strlist terms = {0};
	hc_query_terms(out->enquiry, &terms);
	for (size_t i = 0; !rc && i < terms.n; i++)
		rc = db_query(db, NULL,
			      "INSERT INTO answer_bot_feedback (term, article_id, resolved, rejected)"
			      " VALUES (?, ?, ?, ?) ON CONFLICT (term, article_id) DO UPDATE SET"
			      " resolved = answer_bot_feedback.resolved + excluded.resolved,"
			      " rejected = answer_bot_feedback.rejected + excluded.rejected",
			      "siii", terms.v[i], article_id, (int64_t)(resolved ? 1 : 0),
			      (int64_t)(resolved ? 0 : 1));
	strlist_clear(&terms);
	return rc;
}

int answer_bot_click(struct db *db, const char *token_hash, int64_t article_id, int64_t now,
		     struct ab_deflection *out)
{
	int rc = answer_bot_deflection_get(db, token_hash, out);
	if (rc)
		return rc < 0 ? rc : AB_NONE;
	if (!idlist_has(&out->article_ids, article_id))
		return AB_NOT_OFFERED;
	if (idlist_has(&out->clicked_ids, article_id))
		return AB_DONE;
	char *before = idlist_to_json(&out->clicked_ids);
	idlist_add(&out->clicked_ids, article_id);
	char *after = idlist_to_json(&out->clicked_ids);
	out->updated_at = now;
	struct db_res *r = NULL;
	rc = db_query(db, &r,
		      "UPDATE answer_bot_deflections SET clicked_ids = ?, updated_at = ?"
		      " WHERE id = ? AND clicked_ids = ? RETURNING id",
		      "siis", after, now, out->id, before);
	free(before);
	free(after);
	if (rc)
		return rc;
	int changed = r->nrows > 0;
	db_res_free(r);
	if (!changed) /* another click on it got there first */
		return AB_DONE;
	struct strlist terms = {0};
	hc_query_terms(out->enquiry, &terms);
	for (size_t i = 0; !rc && i < terms.n; i++)
		rc = db_query(db, NULL,
			      "INSERT INTO answer_bot_feedback (term, article_id, clicked)"
			      " VALUES (?, ?, 1) ON CONFLICT (term, article_id) DO UPDATE SET"
			      " clicked = answer_bot_feedback.clicked + 1",
			      "si", terms.v[i], article_id);
	strlist_clear(&terms);
	return rc;
}

int answer_bot_count(struct db *db, const char *state, int64_t *count)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT COUNT(*) FROM answer_bot_deflections WHERE state = ?",
			  "s", state);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}
