/* schedule_store.h - business-hours schedules, their holidays and which
 * group uses which schedule.
 *
 * A schedule row keeps its weekly intervals as JSON text in Zendesk's shape
 * ([{"start_time": 1980, "end_time": 2460}, ...]); holidays are rows of
 * their own (Zendesk gives them ids).  Exactly one schedule is the default
 * while any exists: the first one created, or the one last made default;
 * deleting the default hands the flag to the oldest remaining schedule.  A
 * group uses at most one schedule (group_schedules, keyed by group); a
 * ticket's business hours are its group's schedule, else the default.
 *
 * Getters return 0 and fill *out, 1 when there is no such row, or a DB_*
 * code.  Writers run inside store_write() and return 0 or DB_*.
 */
#ifndef SONNIM_SCHEDULE_STORE_H
#define SONNIM_SCHEDULE_STORE_H
#include "core/schedule.h"
#include "store/db.h"
#include <stdint.h>

struct schedule_row {
	int64_t id;
	char *name;
	char *time_zone;	/* IANA name */
	char *intervals;	/* JSON text, Zendesk's intervals array */
	int is_default;		/* the account's default schedule */
	int64_t *group_ids;	/* groups using it (owned), ngroups of them */
	int ngroups;
	int64_t created_at, updated_at;
};
void schedule_row_clear(struct schedule_row *s);

struct holiday_row {
	int64_t id, schedule_id;
	char *name;
	char start_date[16], end_date[16]; /* "YYYY-MM-DD", inclusive */
	int64_t created_at, updated_at;
};
void holiday_row_clear(struct holiday_row *h);

int schedule_store_get(struct db *db, int64_t id, struct schedule_row *out);
/* Every schedule, oldest first (a help desk has a handful). */
int schedule_store_list(struct db *db, struct schedule_row **out, int *n);
void schedule_list_free(struct schedule_row *v, int n);
/* Insert s (id set); the first schedule becomes the default
 * (s->is_default set). */
int schedule_store_insert(struct db *db, struct schedule_row *s);
/* Save name, time_zone, intervals, updated_at of s->id. */
int schedule_store_update(struct db *db, const struct schedule_row *s);
/* Make id the default schedule (and no other). */
int schedule_store_make_default(struct db *db, int64_t id, int64_t now);
/* Delete with its holidays and group assignments.  0, 1 when absent. */
int schedule_store_delete(struct db *db, int64_t id, int64_t now);
/* Give schedule id exactly these groups (taking each from whatever
 * schedule it had).  DB_CONSTRAINT when a group does not exist. */
int schedule_store_set_groups(struct db *db, int64_t id, const int64_t *groups, int n);

/* The schedule that governs a ticket in group_id (0 = no group): the
 * group's, else the default.  0 and *id, 1 when there is none, or DB_*. */
int schedule_store_for_group(struct db *db, int64_t group_id, int64_t *id);
/* Open schedule id as a core schedule (intervals + holidays).  0, 1 when
 * absent, 2 when the stored zone or intervals no longer open (an ICU
 * without that zone), or DB_*. */
int schedule_store_open(struct db *db, int64_t id, struct schedule *out);

int holiday_store_list(struct db *db, int64_t schedule_id, struct holiday_row **out, int *n);
void holiday_list_free(struct holiday_row *v, int n);
/* The holiday id of schedule_id. */
int holiday_store_get(struct db *db, int64_t schedule_id, int64_t id, struct holiday_row *out);
int holiday_store_insert(struct db *db, struct holiday_row *h);
int holiday_store_update(struct db *db, const struct holiday_row *h);
/* 0, 1 when schedule_id has no such holiday. */
int holiday_store_delete(struct db *db, int64_t schedule_id, int64_t id);
#endif
