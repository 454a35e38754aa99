/* webhook_store.c - SQL for webhooks and their delivery log.
 *
 * One column list per table and one row reader each.  Listing is keyset
 * pagination on id.  webhook_store_record() is the only place the
 * failure counter moves: insert the attempt, then one UPDATE that resets
 * or increments it and, in the same statement, flips the status to
 * inactive when the limit is reached (so two workers finishing attempts
 * at once cannot both miss it).  Cost: two or three statements per call.
 */
#include "store/webhook_store.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOOK_COLS                                                                                  \
	"id, name, description, endpoint, http_method, request_format, status, subscriptions,"     \
	" auth_type, auth_data, signing_secret, failure_count, deactivated_reason, created_by,"    \
	" updated_by, created_at, updated_at"
#define ATTEMPT_COLS                                                                               \
	"id, webhook_id, invocation_id, event_id, ticket_id, attempt, status, status_code,"        \
	" duration_ms, response_body, error, created_at"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void hook_from_row(const struct db_res *r, int i, struct webhook *w)
{
	memset(w, 0, sizeof(*w));
	w->id = db_int(r, i, 0);
	w->name = xstrdup(db_str(r, i, 1) ? db_str(r, i, 1) : "");
	w->description = dup_or_null(db_str(r, i, 2));
	w->endpoint = xstrdup(db_str(r, i, 3) ? db_str(r, i, 3) : "");
	w->http_method = xstrdup(db_str(r, i, 4) ? db_str(r, i, 4) : "POST");
	w->request_format = xstrdup(db_str(r, i, 5) ? db_str(r, i, 5) : "json");
	w->status = xstrdup(db_str(r, i, 6) ? db_str(r, i, 6) : "inactive");
	w->subscriptions = xstrdup(db_str(r, i, 7) ? db_str(r, i, 7) : "[]");
	w->auth_type = dup_or_null(db_str(r, i, 8));
	w->auth_data = dup_or_null(db_str(r, i, 9));
	w->signing_secret = xstrdup(db_str(r, i, 10) ? db_str(r, i, 10) : "");
	w->failure_count = (int)db_int(r, i, 11);
	w->deactivated_reason = dup_or_null(db_str(r, i, 12));
	w->created_by = db_int(r, i, 13);
	w->updated_by = db_int(r, i, 14);
	w->created_at = db_int(r, i, 15);
	w->updated_at = db_int(r, i, 16);
}

void webhook_list_free(struct webhook *v, int n)
{
	for (int i = 0; i < n; i++)
		webhook_clear(&v[i]);
	free(v);
}

int webhook_store_get(struct db *db, int64_t id, struct webhook *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " HOOK_COLS " FROM webhooks WHERE id = ? AND deleted = 0", "i",
			  id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		hook_from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int webhook_store_list(struct db *db, const char *status, const char *name_contains,
		       int64_t after, int limit, struct webhook **out, int *n)
{
	struct buf pat = BUF_INIT;
	if (name_contains) { /* LIKE with its wildcards escaped */
		buf_addc(&pat, '%');
		for (const char *p = name_contains; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '!')
				buf_addc(&pat, '!');
			buf_addc(&pat, *p);
		}
		buf_addc(&pat, '%');
	}
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " HOOK_COLS " FROM webhooks WHERE id > ? AND deleted = 0"
			  " AND (CAST(? AS TEXT) IS NULL OR status = ?)"
			  " AND (CAST(? AS TEXT) IS NULL OR LOWER(name) LIKE LOWER(?) ESCAPE '!')"
			  " ORDER BY id LIMIT ?",
			  "issssi", after, status, status, name_contains ? pat.s : NULL,
			  name_contains ? pat.s : NULL, (int64_t)limit);
	buf_release(&pat);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		hook_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int webhook_store_insert(struct db *db, struct webhook *w)
{
	struct db_res *r;
	int rc = db_query(
	    db, &r,
	    "INSERT INTO webhooks (name, description, endpoint, http_method, request_format,"
	    " status, subscriptions, auth_type, auth_data, signing_secret, failure_count,"
	    " deactivated_reason, created_by, updated_by, created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "ssssssssssisiiii", w->name, w->description, w->endpoint, w->http_method,
	    w->request_format, w->status, w->subscriptions ? w->subscriptions : "[]", w->auth_type,
	    w->auth_data, w->signing_secret, (int64_t)w->failure_count, w->deactivated_reason,
	    w->created_by, w->updated_by, w->created_at, w->updated_at);
	if (rc)
		return rc;
	w->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int webhook_store_update(struct db *db, const struct webhook *w)
{
	int rc = db_query(db, NULL,
			  "UPDATE webhooks SET name = ?, description = ?, endpoint = ?,"
			  " http_method = ?, request_format = ?, status = ?, subscriptions = ?,"
			  " auth_type = ?, auth_data = ?, failure_count = ?, deactivated_reason = ?,"
			  " updated_by = ?, updated_at = ? WHERE id = ? AND deleted = 0",
			  "sssssssssisiii", w->name, w->description, w->endpoint, w->http_method,
			  w->request_format, w->status, w->subscriptions, w->auth_type, w->auth_data,
			  (int64_t)w->failure_count, w->deactivated_reason, w->updated_by,
			  w->updated_at, w->id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int webhook_store_delete(struct db *db, int64_t id)
{
	/* a tombstone without secrets: ids are never reused (SQLite would hand
	 * out the highest id again), so a queued delivery cannot reach a newer
	 * webhook */
	int rc = db_query(db, NULL,
			  "UPDATE webhooks SET deleted = 1, status = 'inactive', auth_type = NULL,"
			  " auth_data = NULL, signing_secret = '' WHERE id = ? AND deleted = 0",
			  "i", id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	return db_query(db, NULL, "DELETE FROM webhook_attempts WHERE webhook_id = ?", "i", id);
}

int webhook_store_set_secret(struct db *db, int64_t id, const char *secret, int64_t now)
{
	int rc = db_query(db, NULL,
			  "UPDATE webhooks SET signing_secret = ?, updated_at = ? WHERE id = ?"
			  " AND deleted = 0",
			  "sii", secret, now, id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

void webhook_attempt_clear(struct webhook_attempt *a)
{
	free(a->status);
	free(a->response_body);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

void webhook_attempts_free(struct webhook_attempt *v, int n)
{
	for (int i = 0; i < n; i++)
		webhook_attempt_clear(&v[i]);
	free(v);
}

int webhook_store_record(struct db *db, struct webhook_attempt *a, int64_t now, int *deactivated)
{
	struct db_res *r;
	*deactivated = 0;
	int ok = !strcmp(a->status, "success");
	int rc = db_query(db, &r,
			  "INSERT INTO webhook_attempts (webhook_id, invocation_id, event_id,"
			  " ticket_id, attempt, status, status_code, duration_ms, response_body,"
			  " error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  "iiiiisiissi", a->webhook_id, a->invocation_id, a->event_id, a->ticket_id,
			  (int64_t)a->attempt, a->status, (int64_t)a->status_code, a->duration_ms,
			  a->response_body, a->error, a->created_at);
	if (rc)
		return rc;
	a->id = db_int(r, 0, 0);
	db_res_free(r);
	if (ok)
		return db_query(db, NULL,
				"UPDATE webhooks SET failure_count = 0 WHERE id = ?", "i",
				a->webhook_id);
	char reason[160];
	snprintf(reason, sizeof(reason), "deactivated after %d consecutive failed attempts",
		 WEBHOOK_FAILURE_LIMIT);
	rc = db_query(db, NULL,
		      "UPDATE webhooks SET failure_count = failure_count + 1,"
		      " status = CASE WHEN failure_count + 1 >= ? THEN 'inactive' ELSE status END,"
		      " deactivated_reason = CASE WHEN failure_count + 1 >= ? AND status = 'active'"
		      " THEN ? ELSE deactivated_reason END,"
		      " updated_at = CASE WHEN failure_count + 1 >= ? AND status = 'active'"
		      " THEN ? ELSE updated_at END WHERE id = ?",
		      "iisiii", (int64_t)WEBHOOK_FAILURE_LIMIT, (int64_t)WEBHOOK_FAILURE_LIMIT, reason,
		      (int64_t)WEBHOOK_FAILURE_LIMIT, now, a->webhook_id);
	if (rc)
		return rc;
	rc = db_query(db, &r, "SELECT status, failure_count FROM webhooks WHERE id = ?", "i",
		      a->webhook_id);
	if (rc)
		return rc;
	if (r->nrows && db_str(r, 0, 0) && !strcmp(db_str(r, 0, 0), "inactive") &&
	    db_int(r, 0, 1) == WEBHOOK_FAILURE_LIMIT)
		*deactivated = 1;
	db_res_free(r);
	return 0;
}

static void attempt_from_row(const struct db_res *r, int i, struct webhook_attempt *a)
{
	memset(a, 0, sizeof(*a));
	a->id = db_int(r, i, 0);
	a->webhook_id = db_int(r, i, 1);
	a->invocation_id = db_int(r, i, 2);
	a->event_id = db_int(r, i, 3);
	a->ticket_id = db_int(r, i, 4);
	a->attempt = (int)db_int(r, i, 5);
	a->status = xstrdup(db_str(r, i, 6) ? db_str(r, i, 6) : "");
	a->status_code = (int)db_int(r, i, 7);
	a->duration_ms = db_int(r, i, 8);
	a->response_body = dup_or_null(db_str(r, i, 9));
	a->error = dup_or_null(db_str(r, i, 10));
	a->created_at = db_int(r, i, 11);
}

int webhook_store_attempts(struct db *db, int64_t webhook_id, int64_t invocation_id, int limit,
			   struct webhook_attempt **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " ATTEMPT_COLS " FROM webhook_attempts WHERE webhook_id = ?"
			  " AND invocation_id IN (SELECT DISTINCT invocation_id FROM"
			  " webhook_attempts WHERE webhook_id = ? AND (? = 0 OR invocation_id = ?)"
			  " ORDER BY invocation_id DESC LIMIT ?)"
			  " ORDER BY invocation_id DESC, id",
			  "iiiii", webhook_id, webhook_id, invocation_id, invocation_id,
			  (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		attempt_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}
