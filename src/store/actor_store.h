/* actor_store.h - what authorization needs to know about a user beyond
 * its row: group memberships (restricted agents) and whether its
 * organization shares tickets (end-users). */
#ifndef SONNIM_ACTOR_STORE_H
#define SONNIM_ACTOR_STORE_H
#include "core/ticket.h"
#include "store/db.h"

/* Fill a->restriction/groups (agents) and a->org_shared (end-users) from
 * the database; a->user_id, role and organization_id must be set, and
 * restriction names the user's ticket_restriction ("groups", "assigned" or
 * NULL).  0 or DB_*. */
int actor_store_load(struct db *db, struct actor *a, const char *restriction);
#endif
