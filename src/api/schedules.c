/* schedules.c - /api/v2/business_hours/schedules: business-hours schedules
 * (list, show, create, update, delete), their workweek (PUT intervals) and
 * holidays (list, show, create, update, delete), in Zendesk's shapes:
 *   {"schedule": {"id", "name", "time_zone", "intervals": [{"start_time",
 *    "end_time"}], "created_at", "updated_at"}}
 *   {"holiday": {"id", "name", "start_date", "end_date"}}
 * Sonnim's additions to the schedule object: "is_default" (true on the one
 * schedule tickets without a group schedule use; write true to move it) and
 * "group_ids" (the groups whose tickets use this schedule; a group has at
 * most one, so listing a group here takes it from its old schedule).
 * Zendesk names zones the Rails way ("Eastern Time (US & Canada)"); Sonnim
 * takes IANA names ("America/New_York", "Asia/Seoul"), as ICU knows them.
 *
 * Agents read; admins write.  Each write is one store_write() that checks
 * the schedule still exists inside the transaction and queues the
 * sla.recompute job with it, so SLA breach times follow the new hours.
 */
#include "api/api.h"
#include "base/util.h"
#include "core/schedule.h"
#include "jobs/jobs.h"
#include "store/schedule_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 255

/* Queue the re-evaluation of every SLA clock, in the caller's transaction. */
static int recompute_later(struct db *db, int64_t now)
{
	return jobs_enqueue(db, "sla.recompute", "{}", now, NULL);
}
#define MAX_INTERVALS SCHEDULE_MAX_INTERVALS

static json_t *schedule_json(const struct schedule_row *s)
{
	json_t *iv = json_loads(s->intervals, 0, NULL);
	json_t *groups = json_array();
	for (int i = 0; i < s->ngroups; i++)
		json_array_append_new(groups, json_integer(s->group_ids[i]));
	return json_pack("{s:I,s:s,s:s,s:o,s:b,s:o,s:o,s:o}", "id", (json_int_t)s->id, "name",
			 s->name, "time_zone", s->time_zone, "intervals",
			 json_is_array(iv) ? iv : json_array(), "is_default", s->is_default,
			 "group_ids", groups, "created_at", jtime(s->created_at), "updated_at",
			 jtime(s->updated_at));
}

static json_t *holiday_json(const struct holiday_row *h)
{
	return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)h->id, "name", h->name,
			 "start_date", h->start_date, "end_date", h->end_date);
}

/* Check intervals (a JSON array of {start_time, end_time}) and return them
 * as normalized JSON text, or NULL with err. */
static char *intervals_text(json_t *v, char *err, size_t errlen)
{
	if (!json_is_array(v) || json_array_size(v) > MAX_INTERVALS) {
		snprintf(err, errlen, "intervals: expected an array of at most %d intervals",
			 MAX_INTERVALS);
		return NULL;
	}
	json_t *out = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		json_t *a = json_object_get(e, "start_time"), *b = json_object_get(e, "end_time");
		struct schedule_interval iv = {(int)json_integer_value(a), (int)json_integer_value(b)};
		if (!json_is_integer(a) || !json_is_integer(b) ||
		    json_integer_value(a) != iv.start || json_integer_value(b) != iv.end ||
		    schedule_intervals_valid(&iv, 1, err, errlen)) {
			snprintf(err, errlen,
				 "intervals: each needs start_time < end_time, minutes from Sunday"
				 " 00:00 (0-10080)");
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, json_pack("{s:i,s:i}", "start_time", iv.start,
						     "end_time", iv.end));
	}
	char *text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return text;
}

/* ---- schedules --------------------------------------------------------- */

struct sched_op {
	int64_t id;			/* 0 = create */
	char *name, *time_zone, *intervals; /* NULL = keep */
	int set_default;		/* is_default: true given */
	int set_groups;
	struct idlist groups;
	int64_t now;
	int status;			/* 0, 404, 422 */
	struct schedule_row result;
};

static int sched_save_run(struct db *db, void *arg)
{
	struct sched_op *op = arg;
	struct schedule_row s = {0};
	int rc = 0;
	if (op->id) {
		rc = schedule_store_get(db, op->id, &s);
		if (rc == 1)
			op->status = 404;
		if (rc)
			goto out;
	} else {
		s.created_at = op->now;
		s.intervals = xstrdup("[]");
	}
	s.updated_at = op->now;
#define TAKE(f)                                                                                    \
	if (op->f) {                                                                               \
		free(s.f);                                                                         \
		s.f = xstrdup(op->f);                                                              \
	}
	TAKE(name)
	TAKE(time_zone)
	TAKE(intervals)
#undef TAKE
	rc = op->id ? schedule_store_update(db, &s) : schedule_store_insert(db, &s);
	if (!rc && op->set_default)
		rc = schedule_store_make_default(db, s.id, op->now);
	if (!rc && op->set_groups) {
		rc = schedule_store_set_groups(db, s.id, op->groups.v, (int)op->groups.n);
		if (rc == DB_CONSTRAINT) {
			op->status = 422;
			rc = DB_REFUSED;
		}
	}
	if (!rc)
		rc = schedule_store_get(db, s.id, &op->result) == 0 ? 0 : DB_ERR;
	if (!rc)
		rc = recompute_later(db, op->now);
out:
	schedule_row_clear(&s);
	return rc ? (rc > 0 ? DB_REFUSED : rc) : 0;
}

static int sched_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct sched_op op = {.id = id, .now = now_seconds()};
	char err[256] = "";
	json_t *o = json_object_get(body, "schedule");
	int isdef = 0, ok = json_is_object(o) &&
			    jget_str(o, "name", &op.name, err, sizeof(err)) >= 0 &&
			    jget_str(o, "time_zone", &op.time_zone, err, sizeof(err)) >= 0 &&
			    jget_bool(o, "is_default", &isdef, err, sizeof(err)) >= 0 &&
			    (op.set_groups = jget_ids(o, "group_ids", &op.groups, err, sizeof(err))) >= 0;
	if (ok && json_object_get(o, "intervals") &&
	    !(op.intervals = intervals_text(json_object_get(o, "intervals"), err, sizeof(err))))
		ok = 0;
	op.set_default = isdef;
	const char *bad = NULL;
	if (!ok)
		bad = *err ? err : o ? "schedule: expected an object" : "schedule: is required";
	else if (!id && !op.name)
		bad = "name: is required";
	else if (!id && !op.time_zone)
		bad = "time_zone: is required";
	else if (op.name && (!*op.name || strlen(op.name) > MAX_NAME))
		bad = "name: must be 1 to 255 bytes";
	else if (op.time_zone && !schedule_tz_valid(op.time_zone))
		bad = "time_zone: is not a known IANA time zone";
	int rc = 0;
	if (!bad)
		rc = store_write(r->srv->store, sched_save_run, &op);
	json_decref(body);
	free(op.name);
	free(op.time_zone);
	free(op.intervals);
	idlist_clear(&op.groups);
	if (bad)
		return reply_invalid(r, bad);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		if (op.status == 422)
			return reply_invalid(r, "group_ids: no such group");
		return reply_error(r, 500, "InternalError", "the schedule could not be saved", NULL);
	}
	json_t *out = json_pack("{s:o}", "schedule", schedule_json(&op.result));
	schedule_row_clear(&op.result);
	return reply_json(r, id ? 200 : 201, out);
}

static int schedules_create(struct req *r) { return sched_write_reply(r, 0); }
static int schedules_update(struct req *r) { return sched_write_reply(r, r->id[0]); }

static int schedules_list(struct req *r)
{
	struct schedule_row *v;
	int n;
	if (schedule_store_list(req_db(r), &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, schedule_json(&v[i]));
	schedule_list_free(v, n);
	return reply_json(r, 200, json_pack("{s:o}", "schedules", arr));
}

static int schedules_show(struct req *r)
{
	struct schedule_row s;
	int rc = schedule_store_get(req_db(r), r->id[0], &s);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", "schedule", schedule_json(&s));
	schedule_row_clear(&s);
	return reply_json(r, 200, out);
}

struct sched_delete {
	int64_t id, now;
};

static int sched_delete_run(struct db *db, void *arg)
{
	struct sched_delete *d = arg;
	int rc = schedule_store_delete(db, d->id, d->now);
	if (!rc)
		rc = recompute_later(db, d->now);
	return rc == 1 ? DB_REFUSED : rc;
}

static int schedules_delete(struct req *r)
{
	struct sched_delete d = {r->id[0], now_seconds()};
	int rc = store_write(r->srv->store, sched_delete_run, &d);
	if (rc == DB_REFUSED)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the schedule could not be deleted",
				   NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

/* PUT {"workweek": {"intervals": [...]}} -> {"workweek": {"intervals": [...]}} */
static int schedules_workweek(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	char err[256] = "";
	json_t *ww = json_object_get(body, "workweek");
	struct sched_op op = {.id = r->id[0], .now = now_seconds()};
	if (!json_is_object(ww))
		snprintf(err, sizeof(err), "workweek: is required");
	else
		op.intervals = intervals_text(json_object_get(ww, "intervals"), err, sizeof(err));
	json_decref(body);
	if (!op.intervals)
		return reply_invalid(r, err);
	int rc = store_write(r->srv->store, sched_save_run, &op);
	free(op.intervals);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		return reply_error(r, 500, "InternalError", "the workweek could not be saved", NULL);
	}
	json_t *iv = json_loads(op.result.intervals, 0, NULL);
	schedule_row_clear(&op.result);
	return reply_json(r, 200, json_pack("{s:{s:o}}", "workweek", "intervals",
					    iv ? iv : json_array()));
}

/* ---- holidays ---------------------------------------------------------- */

struct hol_op {
	int64_t schedule_id, id; /* id 0 = create */
	char *name, *start, *end;
	int64_t now;
	int status;
	struct holiday_row result;
};

static int hol_save_run(struct db *db, void *arg)
{
	struct hol_op *op = arg;
	struct schedule_row s;
	struct holiday_row h = {0};
	int rc = schedule_store_get(db, op->schedule_id, &s);
	if (rc) {
		op->status = 404;
		return rc > 0 ? DB_REFUSED : rc;
	}
	schedule_row_clear(&s);
	if (op->id) {
		rc = holiday_store_get(db, op->schedule_id, op->id, &h);
		if (rc) {
			op->status = 404;
			return rc > 0 ? DB_REFUSED : rc;
		}
	} else {
		h.schedule_id = op->schedule_id;
		h.created_at = op->now;
	}
	h.updated_at = op->now;
	if (op->name) {
		free(h.name);
		h.name = xstrdup(op->name);
	}
	if (op->start)
		snprintf(h.start_date, sizeof(h.start_date), "%s", op->start);
	if (op->end)
		snprintf(h.end_date, sizeof(h.end_date), "%s", op->end);
	if (strcmp(h.end_date, h.start_date) < 0) {
		op->status = 422;
		holiday_row_clear(&h);
		return DB_REFUSED;
	}
	rc = op->id ? holiday_store_update(db, &h) : holiday_store_insert(db, &h);
	if (!rc)
		rc = holiday_store_get(db, op->schedule_id, h.id, &op->result) ? DB_ERR : 0;
	if (!rc)
		rc = recompute_later(db, op->now);
	holiday_row_clear(&h);
	return rc;
}

static int hol_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct hol_op op = {.schedule_id = r->id[0], .id = id, .now = now_seconds()};
	char err[256] = "";
	json_t *o = json_object_get(body, "holiday");
	int ok = json_is_object(o) && jget_str(o, "name", &op.name, err, sizeof(err)) >= 0 &&
		 jget_str(o, "start_date", &op.start, err, sizeof(err)) >= 0 &&
		 jget_str(o, "end_date", &op.end, err, sizeof(err)) >= 0;
	json_decref(body);
	int64_t d;
	const char *bad = NULL;
	if (!ok)
		bad = *err ? err : o ? "holiday: expected an object" : "holiday: is required";
	else if (!id && (!op.name || !op.start || !op.end))
		bad = !op.name ? "name: is required"
		      : !op.start ? "start_date: is required" : "end_date: is required";
	else if (op.name && (!*op.name || strlen(op.name) > MAX_NAME))
		bad = "name: must be 1 to 255 bytes";
	else if ((op.start && schedule_parse_date(op.start, &d)) ||
		 (op.end && schedule_parse_date(op.end, &d)))
		bad = "start_date: dates are YYYY-MM-DD";
	int rc = 0;
	if (!bad)
		rc = store_write(r->srv->store, hol_save_run, &op);
	free(op.name);
	free(op.start);
	free(op.end);
	if (bad)
		return reply_invalid(r, bad);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		if (op.status == 422)
			return reply_invalid(r, "end_date: cannot be before start_date");
		return reply_error(r, 500, "InternalError", "the holiday could not be saved", NULL);
	}
	json_t *out = json_pack("{s:o}", "holiday", holiday_json(&op.result));
	holiday_row_clear(&op.result);
	return reply_json(r, id ? 200 : 201, out);
}

static int holidays_create(struct req *r) { return hol_write_reply(r, 0); }
static int holidays_update(struct req *r) { return hol_write_reply(r, r->id[1]); }

static int holidays_list(struct req *r)
{
	struct schedule_row s;
	int rc = schedule_store_get(req_db(r), r->id[0], &s);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	schedule_row_clear(&s);
	struct holiday_row *v;
	int n;
	if (holiday_store_list(req_db(r), r->id[0], &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, holiday_json(&v[i]));
	holiday_list_free(v, n);
	return reply_json(r, 200, json_pack("{s:o}", "holidays", arr));
}

static int holidays_show(struct req *r)
{
	struct holiday_row h;
	int rc = holiday_store_get(req_db(r), r->id[0], r->id[1], &h);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", "holiday", holiday_json(&h));
	holiday_row_clear(&h);
	return reply_json(r, 200, out);
}

struct hol_delete {
	int64_t schedule_id, id, now;
};

static int hol_delete_run(struct db *db, void *arg)
{
	struct hol_delete *d = arg;
	int rc = holiday_store_delete(db, d->schedule_id, d->id);
	if (!rc)
		rc = recompute_later(db, d->now);
	return rc == 1 ? DB_REFUSED : rc;
}

static int holidays_delete(struct req *r)
{
	struct hol_delete d = {r->id[0], r->id[1], now_seconds()};
	int rc = store_write(r->srv->store, hol_delete_run, &d);
	if (rc == DB_REFUSED)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the holiday could not be deleted",
				   NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

const struct route schedule_routes[] = {
    {M_GET, "/api/v2/business_hours/schedules.json", ROLE_AGENT, schedules_list, 0},
    {M_POST, "/api/v2/business_hours/schedules.json", ROLE_ADMIN, schedules_create, 0},
    {M_GET, "/api/v2/business_hours/schedules/{id}.json", ROLE_AGENT, schedules_show, 0},
    {M_PUT, "/api/v2/business_hours/schedules/{id}.json", ROLE_ADMIN, schedules_update, 0},
    {M_DELETE, "/api/v2/business_hours/schedules/{id}.json", ROLE_ADMIN, schedules_delete, 0},
    {M_PUT, "/api/v2/business_hours/schedules/{id}/workweek.json", ROLE_ADMIN,
     schedules_workweek, 0},
    {M_GET, "/api/v2/business_hours/schedules/{id}/holidays.json", ROLE_AGENT, holidays_list, 0},
    {M_POST, "/api/v2/business_hours/schedules/{id}/holidays.json", ROLE_ADMIN, holidays_create,
     0},
    {M_GET, "/api/v2/business_hours/schedules/{id}/holidays/{id}.json", ROLE_AGENT,
     holidays_show, 0},
    {M_PUT, "/api/v2/business_hours/schedules/{id}/holidays/{id}.json", ROLE_ADMIN,
     holidays_update, 0},
    {M_DELETE, "/api/v2/business_hours/schedules/{id}/holidays/{id}.json", ROLE_ADMIN,
     holidays_delete, 0},
    {0},
};
