/* job_store.c - queue and outbox SQL.  Claiming is one UPDATE guarded by
 * state = 'queued', so two workers (or two processes on PostgreSQL) never
 * run the same job: the loser's UPDATE changes no row. */
#include "store/job_store.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

#define JOB_COLS                                                                                   \
	"id, kind, payload, state, last_error, result, attempts, max_attempts, progress, total," \
	" run_at, created_at, updated_at"

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return s ? xstrdup(s) : NULL;
}

void job_clear(struct job *j)
{
	free(j->kind);
	free(j->payload);
	free(j->state);
	free(j->last_error);
	free(j->result);
	memset(j, 0, sizeof(*j));
}

static void job_from_row(const struct db_res *r, int i, struct job *j)
{
	j->id = db_int(r, i, 0);
	j->kind = dup_col(r, i, 1);
	j->payload = dup_col(r, i, 2);
	j->state = dup_col(r, i, 3);
	j->last_error = dup_col(r, i, 4);
	j->result = dup_col(r, i, 5);
	j->attempts = (int)db_int(r, i, 6);
	j->max_attempts = (int)db_int(r, i, 7);
	j->progress = (int)db_int(r, i, 8);
	j->total = (int)db_int(r, i, 9);
	j->run_at = db_int(r, i, 10);
	j->created_at = db_int(r, i, 11);
	j->updated_at = db_int(r, i, 12);
}

int job_store_enqueue(struct db *db, const char *kind, const char *payload, int64_t run_at,
		      int max_attempts, int64_t now, int64_t *id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO jobs (kind, payload, run_at, max_attempts, created_at,"
			  " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			  "ssiiii", kind, payload, run_at, (int64_t)max_attempts, now, now);
	if (rc)
		return rc;
	if (id)
		*id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int job_store_claim(struct db *db, const char *worker, int64_t now, int64_t lease,
		    struct job *out)
{
	/* leases that ran out belong to a worker that died: queue them again */
	int rc = db_query(db, NULL,
			  "UPDATE jobs SET state = 'queued', locked_by = NULL WHERE state = 'running'"
			  " AND locked_until < ?",
			  "i", now);
	if (rc)
		return rc;
	struct db_res *r;
	rc = db_query(db, &r,
		      "UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ?,"
		      " attempts = attempts + 1, updated_at = ? WHERE state = 'queued' AND id ="
		      " (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= ?"
		      " ORDER BY run_at, id LIMIT 1) RETURNING " JOB_COLS,
		      "siii", worker, now + lease, now, now);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	job_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int job_store_progress(struct db *db, int64_t id, int done, const char *result)
{
	return db_query(db, NULL, "UPDATE jobs SET progress = ?, result = ? WHERE id = ?", "isi",
			(int64_t)done, result, id);
}

int job_store_release_worker(struct db *db, const char *prefix)
{
	size_t n = strlen(prefix);
	return db_query(db, NULL,
			"UPDATE jobs SET state = 'queued', locked_by = NULL, locked_until = NULL"
			" WHERE state = 'running' AND substr(locked_by, 1, ?) = ?",
			"is", (int64_t)n, prefix);
}

int job_store_workers(struct db *db, char ***out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT DISTINCT locked_by FROM jobs WHERE state = 'running'"
			  " AND locked_by IS NOT NULL",
			  "");
	if (rc)
		return rc;
	*n = r->nrows;
	*out = xcalloc(r->nrows + 1, sizeof(char *));
	for (int i = 0; i < r->nrows; i++)
		(*out)[i] = xstrdup(db_str(r, i, 0));
	db_res_free(r);
	return 0;
}

int job_store_finish(struct db *db, int64_t id, const char *result, int64_t now)
{
	return db_query(db, NULL,
			"UPDATE jobs SET state = 'done', result = ?, locked_by = NULL,"
			" locked_until = NULL, updated_at = ? WHERE id = ?",
			"sii", result, now, id);
}

int job_store_fail(struct db *db, int64_t id, const char *error, int64_t retry_at, int dead,
		   int64_t now)
{
	return db_query(db, NULL,
			"UPDATE jobs SET state = ?, last_error = ?, run_at = ?, locked_by = NULL,"
			" locked_until = NULL, updated_at = ? WHERE id = ?",
			"ssiii", dead ? "dead" : "queued", error, retry_at, now, id);
}

int job_store_get(struct db *db, int64_t id, struct job *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", "i", id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		job_from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int job_store_list(struct db *db, const char *state, int limit, struct job **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " JOB_COLS " FROM jobs WHERE (? = '' OR state = ?)"
			  " ORDER BY id DESC LIMIT ?",
			  "ssi", state ? state : "", state ? state : "", (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		job_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int job_store_count(struct db *db, const char *state, int64_t *n)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT COUNT(*) FROM jobs WHERE state = ?", "s", state);
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int job_store_retry(struct db *db, int64_t id, int64_t now)
{
	int rc = db_query(db, NULL,
			  "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?,"
			  " updated_at = ? WHERE id = ? AND state = 'dead'",
			  "iii", now, now, id);
	return rc ? rc : (db_changes(db) ? 0 : 1);
}

int event_store_pending(struct db *db, const char *listener, int limit, struct event_row **out,
			int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, ticket_id, actor_id, created_at, type, payload FROM events"
			  " WHERE id > COALESCE((SELECT last_event_id FROM listener_cursors"
			  " WHERE name = ?), 0) ORDER BY id LIMIT ?",
			  "si", listener, (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++) {
		struct event_row *e = &(*out)[i];
		e->id = db_int(r, i, 0);
		e->ticket_id = db_int(r, i, 1);
		e->actor_id = db_int(r, i, 2);
		e->created_at = db_int(r, i, 3);
		e->type = dup_col(r, i, 4);
		e->payload = dup_col(r, i, 5);
	}
	db_res_free(r);
	return 0;
}

int event_store_after(struct db *db, int64_t after, int limit, struct event_row **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, ticket_id, actor_id, created_at, type, payload FROM events"
			  " WHERE id > ? ORDER BY id LIMIT ?",
			  "ii", after, (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++) {
		struct event_row *e = &(*out)[i];
		e->id = db_int(r, i, 0);
		e->ticket_id = db_int(r, i, 1);
		e->actor_id = db_int(r, i, 2);
		e->created_at = db_int(r, i, 3);
		e->type = dup_col(r, i, 4);
		e->payload = dup_col(r, i, 5);
	}
	db_res_free(r);
	return 0;
}

int event_store_last_id(struct db *db, int64_t *id)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT COALESCE(MAX(id), 0) FROM events", "");
	if (rc)
		return rc;
	*id = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return 0;
}

int event_store_advance(struct db *db, const char *listener, int64_t last_id)
{
	return db_query(db, NULL,
			"INSERT INTO listener_cursors (name, last_event_id) VALUES (?, ?)"
			" ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id",
			"si", listener, last_id);
}

void event_rows_free(struct event_row *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].type);
		free(v[i].payload);
	}
	free(v);
}
