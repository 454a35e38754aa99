/* macro_store.h - SQL for macros (core/macro.h holds their actions' rules).
 *
 * A macro is shared (restriction_type ""), restricted to one group
 * ("Group", restriction_id = group id) or personal ("User", restriction_id
 * = user id).  actions is the JSON array text [{"field":..,"value":..}] as
 * the API validated it.  Strings in struct macro are owned; macro_clear()
 * frees them.  Functions return 0, 1 for "no such macro", or DB_*.
 */
#ifndef SONNIM_MACRO_STORE_H
#define SONNIM_MACRO_STORE_H
#include "store/db.h"
#include "store/window.h"
#include <stdint.h>

struct macro {
	int64_t id;
	char *title;
	char *description;	/* NULL = none */
	int active;
	int64_t position;
	char restriction_type[8];	/* "", "Group" or "User" */
	int64_t restriction_id;		/* 0 when shared */
	char *actions;			/* JSON array text, never NULL */
	int64_t usage_count;
	int64_t created_at, updated_at;
};
void macro_clear(struct macro *m);
void macro_list_free(struct macro *v, int n);

int macro_store_get(struct db *db, int64_t id, struct macro *out);
/* Insert m (sets m->id). */
int macro_store_insert(struct db *db, struct macro *m);
/* Update every column of m->id: 0, 1 none. */
int macro_store_update(struct db *db, const struct macro *m);
int macro_store_delete(struct db *db, int64_t id);

/* Listing: active 1 only active, 0 only inactive, -1 both; visible_to
 * (an agent's user id, 0 = everyone: admins) keeps shared macros, those of
 * the agent's groups and the agent's own. */
struct macro_filter {
	int active;
	int64_t visible_to;
	struct window win;
};
int macro_store_list(struct db *db, const struct macro_filter *f, struct macro **out, int *n);
int macro_store_count(struct db *db, const struct macro_filter *f, int64_t *count);
/* May user_id (an agent) use macro m: shared, its group's, or its own?
 * 1 yes, 0 no, DB_* on error. */
int macro_store_visible(struct db *db, const struct macro *m, int64_t user_id);
#endif
