/* org_store.h - organizations in the database.
 *
 * struct organization is the plain row; the store loads and saves it, the
 * API formats it (organization_json in api.h).  Getters return 0 and fill
 * *out (caller clears it), 1 when there is no such row, or a negative DB_*
 * code.  Writers run inside store_write() and return 0 or a DB_* code; the
 * ones that change a row also refresh its search document
 * (search_index_organization), so search never sees a stale name.
 */
#ifndef SONNIM_ORG_STORE_H
#define SONNIM_ORG_STORE_H
#include "core/ticket.h"
#include "store/db.h"
#include "store/window.h"

struct organization {
	int64_t id;
	char *name;		     /* unique, case-insensitively */
	char *details, *notes;	     /* free text, NULL = none */
	char *external_id;	     /* unique (case-insensitive) when set */
	struct strlist domain_names; /* lower-case domains of its people's email */
	struct strlist tags;
	int64_t group_id;	   /* new tickets of its people go here; 0 = none */
	int shared_tickets;	   /* its end-users see each other's tickets */
	int shared_comments;	   /* ... and may comment on them */
	char *organization_fields; /* JSON object text, never NULL once loaded */
	int64_t created_at, updated_at;
};
void organization_clear(struct organization *o);

int org_store_get(struct db *db, int64_t id, struct organization *out);
/* Case-insensitive lookups (name and external_id are unique that way). */
int org_store_by_name(struct db *db, const char *name, struct organization *out);
int org_store_by_external_id(struct db *db, const char *external_id, struct organization *out);

/* Filters for listing; zero fields do not filter. */
struct org_filter {
	const char *name_prefix; /* case-insensitive name prefix (autocomplete) */
	const char *external_id; /* exact, case-insensitive */
	struct window win;	/* which page */
};
int org_store_list(struct db *db, const struct org_filter *f, struct organization **out, int *n);
int org_store_count(struct db *db, const struct org_filter *f, int64_t *count);
void org_list_free(struct organization *v, int n);

/* Insert o (id set on success); organization_fields NULL stores "{}". */
int org_store_insert(struct db *db, struct organization *o);
/* Save every column of o (by o->id). */
int org_store_update(struct db *db, const struct organization *o);
/* Delete an organization: its users and tickets lose their
 * organization_id, its search document goes.  0, or 1 when there is none. */
int org_store_delete(struct db *db, int64_t id);
#endif
