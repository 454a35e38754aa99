/* user_store.h - users, identities, API tokens and sessions in the database.
 *
 * Getters return 0 and fill *out (caller clears it), 1 when there is no such
 * row, or a negative DB_* code.  Writers run inside store_write() and
 * return 0 or a DB_* code. */
#ifndef SONNIM_USER_STORE_H
#define SONNIM_USER_STORE_H
#include "core/user.h"
#include "store/db.h"
#include "store/window.h"

int user_store_get(struct db *db, int64_t id, struct user *out);
int user_store_by_email(struct db *db, const char *email, struct user *out);
int user_store_by_external_id(struct db *db, const char *external_id, struct user *out);
/* Insert u (id ignored; set on success), plus its email identity. */
int user_store_insert(struct db *db, struct user *u);
int user_store_update(struct db *db, const struct user *u);
/* store_write() adapters: arg is a struct user; insert sets u->id.  Both
 * also refresh the user's search document. */
int user_insert_write(struct db *db, void *arg);
int user_update_write(struct db *db, void *arg);
/* Users ordered by id, after_id exclusive, at most limit.  role < 0: any;
 * organization_id 0: any.  *out is an array of *n users. */
int user_store_list(struct db *db, int role, int64_t organization_id, int64_t group_id,
		    int64_t after_id, int limit, struct user **out, int *n);
int user_store_count(struct db *db, int role, int64_t organization_id, int64_t *count);
/* Filters for user_store_find(); zero fields do not filter.  Merged users
 * never match; deactivated (deleted) ones only with include_inactive. */
struct user_filter {
	unsigned roles;			/* bits (1 << ROLE_*) of the roles wanted; 0 = any */
	int64_t organization_id;	/* users of this organization */
	int64_t group_id;		/* members of this group */
	const char *external_id;	/* exact */
	const char *name_prefix;	/* case-insensitive name prefix; orders by name */
	int include_inactive;
	struct window win;	/* which page */
};
int user_store_find(struct db *db, const struct user_filter *f, struct user **out, int *n);
int user_store_find_count(struct db *db, const struct user_filter *f, int64_t *count);
int user_store_by_ids(struct db *db, const int64_t *ids, int nids, struct user **out, int *n);
void user_list_free(struct user *v, int n);

int identity_store_list(struct db *db, int64_t user_id, struct identity **out, int *n);
int identity_store_get(struct db *db, int64_t user_id, int64_t id, struct identity *out);
int identity_store_insert(struct db *db, struct identity *i);
int identity_store_delete(struct db *db, int64_t user_id, int64_t id);
int identity_store_make_primary(struct db *db, int64_t user_id, int64_t id);
/* Save value, verified and updated_at of identity i (by user_id and id):
 * 0, 1 when there is none, DB_CONSTRAINT when the value is taken. */
int identity_store_update(struct db *db, const struct identity *i);
int identity_store_find(struct db *db, const char *type, const char *value, int64_t *user_id);
void identity_list_free(struct identity *v, int n);

/* Move identities, tickets and memberships of `from` to `into`; mark `from`
 * merged and inactive. */
int user_store_merge(struct db *db, int64_t from, int64_t into, int64_t now);

/* API and OAuth tokens: only the SHA-256 of a token is stored.  kind is
 * "api" or "oauth". */
int token_store_add(struct db *db, int64_t user_id, const char *kind, const char *hash,
		    const char *description, int64_t *id);
int token_store_lookup(struct db *db, const char *kind, const char *hash, int64_t *user_id);
/* One stored token, as the admin screen lists it (never its hash). */
struct token_row {
	int64_t id, user_id;
	char kind[8];		/* "api" or "oauth" */
	char *description;	/* owned; NULL = none */
	int active;
	int64_t created_at, last_used_at;	/* last_used_at 0 = never */
};
/* Every token (user_id 0) or one user's, newest first, at most 1000;
 * *out owned: token_rows_free(). */
int token_store_list(struct db *db, int64_t user_id, struct token_row **out, int *n);
void token_rows_free(struct token_row *v, int n);
/* Revoke token id (active = 0; lookups stop finding it): 0, 1 none. */
int token_store_revoke(struct db *db, int64_t id);

int session_store_add(struct db *db, const char *id_hash, int64_t user_id, const char *csrf,
		      int64_t expires_at);
int session_store_lookup(struct db *db, const char *id_hash, int64_t now, int64_t *user_id,
			 char csrf[65]);
int session_store_delete(struct db *db, const char *id_hash);

int setting_get(struct db *db, const char *name, char **value);
int setting_set(struct db *db, const char *name, const char *value);

/* JSON text helpers shared by the stores: ["a","b"] <-> strlist, [1,2] <-> idlist */
char *strlist_to_json(const struct strlist *l);
void strlist_from_json(struct strlist *l, const char *json);
char *idlist_to_json(const struct idlist *l);
void idlist_from_json(struct idlist *l, const char *json);
#endif
