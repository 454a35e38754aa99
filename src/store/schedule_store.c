/* schedule_store.c - SQL for schedules, holidays and group_schedules.
 *
 * Tables: schedules (intervals as JSON text), schedule_holidays (one row
 * per holiday, dates as "YYYY-MM-DD" text, which sorts and compares as
 * dates on both engines), group_schedules (group_id primary key: one
 * schedule per group).  The default flag is kept on exactly one schedule by
 * insert / make_default / delete inside the caller's transaction.
 * schedule_store_open() reads a schedule and its holidays and opens the
 * core schedule (ICU zone) - two queries plus the zone lookup.
 */
#include "store/schedule_store.h"
#include "base/util.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHED_COLS "id, name, time_zone, intervals, is_default, created_at, updated_at"
#define HOL_COLS "id, schedule_id, name, start_date, end_date, created_at, updated_at"

void schedule_row_clear(struct schedule_row *s)
{
	free(s->name);
	free(s->time_zone);
	free(s->intervals);
	free(s->group_ids);
	memset(s, 0, sizeof(*s));
}

void holiday_row_clear(struct holiday_row *h)
{
	free(h->name);
	memset(h, 0, sizeof(*h));
}

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

static int load_groups(struct db *db, struct schedule_row *s)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT group_id FROM group_schedules WHERE schedule_id = ? ORDER BY group_id",
			  "i", s->id);
	if (rc)
		return rc;
	s->ngroups = r->nrows;
	s->group_ids = r->nrows ? xcalloc((size_t)r->nrows, sizeof(int64_t)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		s->group_ids[i] = db_int(r, i, 0);
	db_res_free(r);
	return 0;
}

static int sched_rows(struct db *db, struct db_res *r, struct schedule_row *v)
{
	for (int i = 0; i < r->nrows; i++) {
		struct schedule_row *s = &v[i];
		s->id = db_int(r, i, 0);
		s->name = dup_or_empty(db_str(r, i, 1));
		s->time_zone = dup_or_empty(db_str(r, i, 2));
		s->intervals = dup_or_empty(db_str(r, i, 3));
		s->is_default = (int)db_int(r, i, 4);
		s->created_at = db_int(r, i, 5);
		s->updated_at = db_int(r, i, 6);
		int rc = load_groups(db, s);
		if (rc)
			return rc;
	}
	return 0;
}

int schedule_store_get(struct db *db, int64_t id, struct schedule_row *out)
{
	struct db_res *r;
	memset(out, 0, sizeof(*out));
	int rc = db_query(db, &r, "SELECT " SCHED_COLS " FROM schedules WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	rc = sched_rows(db, r, out);
	db_res_free(r);
	if (rc)
		schedule_row_clear(out);
	return rc;
}

int schedule_store_list(struct db *db, struct schedule_row **out, int *n)
{
	struct db_res *r;
	*out = NULL;
	*n = 0;
	int rc = db_query(db, &r, "SELECT " SCHED_COLS " FROM schedules ORDER BY id", "");
	if (rc)
		return rc;
	struct schedule_row *v = xcalloc((size_t)r->nrows + 1, sizeof(*v));
	rc = sched_rows(db, r, v);
	int rows = r->nrows;
	db_res_free(r);
	if (rc) {
		schedule_list_free(v, rows);
		return rc;
	}
	*out = v;
	*n = rows;
	return 0;
}

void schedule_list_free(struct schedule_row *v, int n)
{
	for (int i = 0; i < n; i++)
		schedule_row_clear(&v[i]);
	free(v);
}

int schedule_store_insert(struct db *db, struct schedule_row *s)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT COUNT(*) FROM schedules WHERE is_default = 1", "");
	if (rc)
		return rc;
	s->is_default = db_int(r, 0, 0) == 0;
	db_res_free(r);
	rc = db_query(db, &r,
		      "INSERT INTO schedules (name, time_zone, intervals, is_default, created_at,"
		      " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		      "sssiii", s->name, s->time_zone, s->intervals, (int64_t)s->is_default,
		      s->created_at, s->updated_at);
	if (rc)
		return rc;
	s->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int schedule_store_update(struct db *db, const struct schedule_row *s)
{
	return db_query(db, NULL,
			"UPDATE schedules SET name = ?, time_zone = ?, intervals = ?, updated_at = ?"
			" WHERE id = ?",
			"sssii", s->name, s->time_zone, s->intervals, s->updated_at, s->id);
}

int schedule_store_make_default(struct db *db, int64_t id, int64_t now)
{
	int rc = db_query(db, NULL,
			  "UPDATE schedules SET is_default = 0, updated_at = ? WHERE is_default = 1"
			  " AND id <> ?",
			  "ii", now, id);
	if (!rc)
		rc = db_query(db, NULL, "UPDATE schedules SET is_default = 1 WHERE id = ?", "i", id);
	return rc;
}

int schedule_store_delete(struct db *db, int64_t id, int64_t now)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT is_default FROM schedules WHERE id = ?", "i", id);
	if (rc)
		return rc;
	int found = r->nrows, was_default = found && db_int(r, 0, 0);
	db_res_free(r);
	if (!found)
		return 1;
	if ((rc = db_query(db, NULL, "DELETE FROM schedule_holidays WHERE schedule_id = ?", "i",
			   id)) ||
	    (rc = db_query(db, NULL, "DELETE FROM group_schedules WHERE schedule_id = ?", "i",
			   id)) ||
	    (rc = db_query(db, NULL, "DELETE FROM schedules WHERE id = ?", "i", id)))
		return rc;
	if (was_default)
		rc = db_query(db, NULL,
			      "UPDATE schedules SET is_default = 1, updated_at = ?"
			      " WHERE id = (SELECT MIN(id) FROM schedules)",
			      "i", now);
	return rc;
}

int schedule_store_set_groups(struct db *db, int64_t id, const int64_t *groups, int n)
{
	int rc = db_query(db, NULL, "DELETE FROM group_schedules WHERE schedule_id = ?", "i", id);
	for (int i = 0; !rc && i < n; i++) {
		struct db_res *r;
		rc = db_query(db, &r, "SELECT id FROM agent_groups WHERE id = ? AND deleted = 0", "i",
			      groups[i]);
		if (rc)
			break;
		int live = r->nrows;
		db_res_free(r);
		if (!live)
			return DB_CONSTRAINT;
		rc = db_query(db, NULL, "DELETE FROM group_schedules WHERE group_id = ?", "i",
			      groups[i]);
		if (!rc)
			rc = db_query(db, NULL,
				      "INSERT INTO group_schedules (group_id, schedule_id) VALUES (?, ?)",
				      "ii", groups[i], id);
	}
	return rc;
}

int schedule_store_for_group(struct db *db, int64_t group_id, int64_t *id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT s.id FROM schedules s WHERE s.id = (SELECT schedule_id FROM"
			  " group_schedules WHERE group_id = ?) OR s.is_default = 1"
			  " ORDER BY s.is_default, s.id LIMIT 1",
			  "i", group_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		*id = db_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int schedule_store_open(struct db *db, int64_t id, struct schedule *out)
{
	struct schedule_row s;
	int rc = schedule_store_get(db, id, &s);
	if (rc)
		return rc;
	struct holiday_row *h = NULL;
	int nh = 0;
	rc = holiday_store_list(db, id, &h, &nh);
	if (rc) {
		schedule_row_clear(&s);
		return rc;
	}
	json_t *iv = json_loads(s.intervals, 0, NULL);
	size_t niv = json_array_size(iv);
	struct schedule_interval *v = xcalloc(niv + 1, sizeof(*v));
	struct schedule_holiday *hv = xcalloc((size_t)nh + 1, sizeof(*hv));
	for (size_t i = 0; i < niv; i++) {
		json_t *o = json_array_get(iv, i);
		v[i].start = (int)json_integer_value(json_object_get(o, "start_time"));
		v[i].end = (int)json_integer_value(json_object_get(o, "end_time"));
	}
	int bad = 0;
	for (int i = 0; i < nh; i++)
		bad |= schedule_parse_date(h[i].start_date, &hv[i].start_day) |
		       schedule_parse_date(h[i].end_date, &hv[i].end_day);
	char err[128];
	rc = bad || schedule_open(out, s.time_zone, v, (int)niv, hv, nh, err, sizeof(err)) ? 2 : 0;
	json_decref(iv);
	free(v);
	free(hv);
	holiday_list_free(h, nh);
	schedule_row_clear(&s);
	return rc;
}

/* ---- holidays ---------------------------------------------------------- */

static void hol_from_row(const struct db_res *r, int i, struct holiday_row *h)
{
	memset(h, 0, sizeof(*h));
	h->id = db_int(r, i, 0);
	h->schedule_id = db_int(r, i, 1);
	h->name = dup_or_empty(db_str(r, i, 2));
	snprintf(h->start_date, sizeof(h->start_date), "%s", db_str(r, i, 3) ? db_str(r, i, 3) : "");
	snprintf(h->end_date, sizeof(h->end_date), "%s", db_str(r, i, 4) ? db_str(r, i, 4) : "");
	h->created_at = db_int(r, i, 5);
	h->updated_at = db_int(r, i, 6);
}

int holiday_store_list(struct db *db, int64_t schedule_id, struct holiday_row **out, int *n)
{
	struct db_res *r;
	*out = NULL;
	*n = 0;
	int rc = db_query(db, &r,
			  "SELECT " HOL_COLS " FROM schedule_holidays WHERE schedule_id = ?"
			  " ORDER BY start_date, id",
			  "i", schedule_id);
	if (rc)
		return rc;
	struct holiday_row *v = xcalloc((size_t)r->nrows + 1, sizeof(*v));
	for (int i = 0; i < r->nrows; i++)
		hol_from_row(r, i, &v[i]);
	*out = v;
	*n = r->nrows;
	db_res_free(r);
	return 0;
}

void holiday_list_free(struct holiday_row *v, int n)
{
	for (int i = 0; i < n; i++)
		holiday_row_clear(&v[i]);
	free(v);
}

int holiday_store_get(struct db *db, int64_t schedule_id, int64_t id, struct holiday_row *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " HOL_COLS " FROM schedule_holidays WHERE schedule_id = ? AND id = ?",
			  "ii", schedule_id, id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		hol_from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int holiday_store_insert(struct db *db, struct holiday_row *h)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO schedule_holidays (schedule_id, name, start_date, end_date,"
			  " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			  "isssii", h->schedule_id, h->name, h->start_date, h->end_date,
			  h->created_at, h->updated_at);
	if (rc)
		return rc;
	h->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int holiday_store_update(struct db *db, const struct holiday_row *h)
{
	return db_query(db, NULL,
			"UPDATE schedule_holidays SET name = ?, start_date = ?, end_date = ?,"
			" updated_at = ? WHERE schedule_id = ? AND id = ?",
			"sssiii", h->name, h->start_date, h->end_date, h->updated_at,
			h->schedule_id, h->id);
}

int holiday_store_delete(struct db *db, int64_t schedule_id, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM schedule_holidays WHERE schedule_id = ? AND id = ?",
			  "ii", schedule_id, id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}
