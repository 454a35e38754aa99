/* form_store.h - ticket forms (Zendesk's /api/v2/ticket_forms): a named,
 * ordered list of ticket fields; the contact form lets the customer pick
 * one of the active, end-user-visible forms and shows its fields.
 *
 * Conventions as in the other stores: 0, 1 for "no such row", or DB_*;
 * writers run inside store_write().
 */
#ifndef SONNIM_FORM_STORE_H
#define SONNIM_FORM_STORE_H
#include "core/ticket.h"
#include "store/db.h"

struct ticket_form {
	int64_t id;
	char *name;		 /* owned; what agents see */
	char *display_name;	 /* owned; what customers see */
	int position;		 /* order in lists */
	int active;		 /* offered at all */
	int is_default;		 /* preselected on the contact form (one at most) */
	int end_user_visible;	 /* offered on the contact form */
	struct idlist field_ids; /* its ticket fields, in order */
	int64_t created_at, updated_at;
};
void ticket_form_clear(struct ticket_form *f);
void ticket_form_list_free(struct ticket_form *v, int n);

/* Every form by position, id (active_only: the active ones). */
int form_store_list(struct db *db, int active_only, struct ticket_form **out, int *n);
int form_store_get(struct db *db, int64_t id, struct ticket_form *out);
/* Insert f (id set).  When f is the default, the others stop being it. */
int form_store_insert(struct db *db, struct ticket_form *f);
/* Save f.  0, 1 none.  Default as for insert. */
int form_store_update(struct db *db, const struct ticket_form *f);
int form_store_delete(struct db *db, int64_t id);
#endif
