/* view_store.h - SQL for custom views (api/views.c runs them) and agents'
 * availability (online / away / offline).
 *
 * A view is shared (restriction_type ""), restricted to one group
 * ("Group", restriction_id = group id) or personal ("User", restriction_id
 * = user id), as a macro is.  conditions is the JSON text {"all": [...],
 * "any": [...]} as core/rule.c checked it; execution the JSON text
 * {"columns", "sort_by", "sort_order", "group_by", "group_order"} the API
 * normalised.  Strings in struct view are owned; view_clear() frees them.
 * Functions return 0, 1 for "no such row", or DB_*.
 */
#ifndef SONNIM_VIEW_STORE_H
#define SONNIM_VIEW_STORE_H
#include "store/db.h"
#include <stdint.h>

struct view {
	int64_t id;
	char *title;
	char *description; /* NULL = none */
	int active;
	int64_t position;	  /* lists sort by position, then id */
	char restriction_type[8]; /* "", "Group" or "User" */
	int64_t restriction_id;	  /* 0 when shared */
	char *conditions;	  /* JSON object text, never NULL */
	char *execution;	  /* JSON object text, never NULL */
	int64_t created_at, updated_at;
};
void view_clear(struct view *v);
void view_list_free(struct view *v, int n);

int view_store_get(struct db *db, int64_t id, struct view *out);
/* Insert v (sets v->id). */
int view_store_insert(struct db *db, struct view *v);
/* Update every column of v->id: 0, 1 none. */
int view_store_update(struct db *db, const struct view *v);
int view_store_delete(struct db *db, int64_t id);
/* Every view (active 1 only active, -1 all) visible to visible_to (an
 * agent's user id: shared, its groups', its own; 0 = all, for admins), in
 * position order; at most 1000. */
int view_store_list(struct db *db, int active, int64_t visible_to, struct view **out, int *n);
/* May user_id see v?  1 yes, 0 no, DB_* on error. */
int view_store_visible(struct db *db, const struct view *v, int64_t user_id);

/* Availability: status is "online", "away" or "offline"; auto = 1 when the
 * server set it (the agent's streams all closed).  Agents with no row are
 * offline. */
struct agent_status {
	int64_t user_id;
	char status[8];
	int auto_set;
	int64_t updated_at;
};
int agent_status_store_set(struct db *db, int64_t user_id, const char *status, int auto_set,
			   int64_t now);
/* Every agent's and admin's status (active users with role agent/admin),
 * by user id; *out owned (free()). */
int agent_status_store_list(struct db *db, struct agent_status **out, int *n);
/* Set "offline" (auto) for user_id unless it is already offline; 0 or DB_*. */
int agent_status_store_auto_offline(struct db *db, int64_t user_id, int64_t now);
#endif
