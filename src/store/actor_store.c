/* actor_store.c - two small queries run once per authenticated request,
 * and only when they matter: restricted agents read their memberships,
 * end-users in an organization read its shared_tickets flag. */
#include "store/actor_store.h"
#include <string.h>

int actor_store_load(struct db *db, struct actor *a, const char *restriction)
{
	struct db_res *r;
	int rc;
	a->restriction = RESTRICT_NONE;
	a->ngroups = 0;
	a->org_shared = 0;
	if (a->role == ROLE_AGENT && restriction) {
		a->restriction = !strcmp(restriction, "assigned") ? RESTRICT_ASSIGNED
								  : RESTRICT_GROUPS;
		rc = db_query(db, &r,
			      "SELECT group_id FROM group_memberships WHERE user_id = ?"
			      " ORDER BY group_id LIMIT 32",
			      "i", a->user_id);
		if (rc)
			return rc;
		for (int i = 0; i < r->nrows; i++)
			a->groups[a->ngroups++] = db_int(r, i, 0);
		db_res_free(r);
	}
	if (a->role == ROLE_END_USER && a->organization_id) {
		rc = db_query(db, &r, "SELECT shared_tickets FROM organizations WHERE id = ?", "i",
			      a->organization_id);
		if (rc)
			return rc;
		a->org_shared = r->nrows && db_int(r, 0, 0);
		db_res_free(r);
	}
	return 0;
}
