/* group_store.h - agent groups and group memberships in the database.
 *
 * Groups live in agent_groups and are never removed: deleting one marks it
 * deleted (tickets keep pointing at it; nothing new can).  A membership ties
 * one agent or admin to one group; at most one membership per user is its
 * default, mirrored in users.default_group_id.
 *
 * Getters return 0 and fill *out, 1 when there is no such row, or a
 * negative DB_* code.  Writers run inside store_write() and return 0 or a
 * DB_* code.
 */
#ifndef SONNIM_GROUP_STORE_H
#define SONNIM_GROUP_STORE_H
#include "store/db.h"
#include "store/window.h"
#include <stdint.h>

struct group {
	int64_t id;
	char *name;	   /* unique among groups that are not deleted */
	char *description; /* NULL = none */
	int is_public;	   /* 0 = private (cannot become public again) */
	int is_default;	   /* the account's default group */
	int deleted;	   /* soft-deleted */
	int64_t created_at, updated_at;
};
void group_clear(struct group *g);

struct group_membership {
	int64_t id, user_id, group_id;
	int is_default; /* the user's default group */
	int64_t created_at, updated_at;
};

/* Filters for listing; zero fields do not filter. */
struct group_filter {
	int include_deleted; /* also deleted groups */
	int64_t user_id;     /* groups this user is a member of */
	struct window win;	/* which page */
};

int group_store_get(struct db *db, int64_t id, struct group *out);
/* The group (deleted or not) with this name, case-insensitively. */
int group_store_by_name(struct db *db, const char *name, int include_deleted, struct group *out);
int group_store_list(struct db *db, const struct group_filter *f, struct group **out, int *n);
int group_store_count(struct db *db, const struct group_filter *f, int64_t *count);
void group_list_free(struct group *v, int n);
/* Insert g (id set).  A deleted group holding the same name is renamed
 * "NAME (deleted ID)" first, so names can be reused as in Zendesk. */
int group_store_insert(struct db *db, struct group *g);
int group_store_update(struct db *db, const struct group *g);
/* Soft delete: marks the group deleted, removes its memberships (moving
 * each affected user's default to another membership), clears it from
 * organizations.group_id.  0, 1 when there is no such live group. */
int group_store_delete(struct db *db, int64_t id, int64_t now);

/* Filters for memberships; zero fields do not filter. */
struct membership_filter {
	int64_t user_id, group_id;
	int assignable; /* only active agents/admins in live groups */
	struct window win;	/* which page */
};
int membership_store_get(struct db *db, int64_t id, struct group_membership *out);
int membership_store_list(struct db *db, const struct membership_filter *f,
			  struct group_membership **out, int *n);
int membership_store_count(struct db *db, const struct membership_filter *f, int64_t *count);
/* The membership of user in group: 0 (filled), 1 none, or DB_*. */
int membership_store_find(struct db *db, int64_t user_id, int64_t group_id,
			  struct group_membership *out);
/* Insert m (id set).  The user's first membership becomes its default
 * (m->is_default set) and users.default_group_id follows. */
int membership_store_insert(struct db *db, struct group_membership *m);
/* Delete; when it was the default, the user's oldest other membership
 * becomes the default (or none).  0, 1 when there is no such membership. */
int membership_store_delete(struct db *db, int64_t id, int64_t now);
/* Make membership id (of user_id) the user's default.  0, 1 when user_id
 * has no such membership. */
int membership_store_make_default(struct db *db, int64_t user_id, int64_t id, int64_t now);
#endif
