/* placeholder_store.h - fill a placeholder context (core/placeholder.h)
 * for one ticket and the user acting on it, from the database.
 *
 * What it sets (every name of ph_known(), "" when the ticket has no such
 * value): ticket.id/title/description/status/priority/ticket_type/via/
 * external_id/created_at/updated_at (ISO 8601)/tags (space-separated)/url
 * (<base_url>/agent/tickets/<id>)/link (same), ticket.requester.name/
 * first_name/last_name/email/locale, ticket.assignee.name/first_name/email,
 * ticket.group.name, ticket.organization.name, ticket.latest_public_comment
 * (+ _html), ticket.latest_comment (+ _html, public or not),
 * ticket.ticket_field_<id> for each custom field value (text; lists
 * space-separated), current_user.name/first_name/email, and
 * satisfaction.rating_url (<base_url>/hc/requests/<id>/satisfaction?token=
 * <the requester's signed survey token>, core/satisfaction.h; the token is
 * empty while the settings hold no csat_secret yet).  first_name is the name's first
 * word (the whole name when it has no space, as Korean names usually do).
 */
#ifndef SONNIM_PLACEHOLDER_STORE_H
#define SONNIM_PLACEHOLDER_STORE_H
#include "core/placeholder.h"
#include "store/db.h"

/* Fill ctx for ticket_id and current_user_id (0 = none: current_user.*
 * are ""), with base_url the public URL without a trailing slash (may be
 * ""). Entries are added to whatever ctx holds.  Returns 0, 1 when the
 * ticket does not exist (ctx unchanged), or DB_*. */
int placeholder_store_fill(struct db *db, int64_t ticket_id, int64_t current_user_id,
			   const char *base_url, struct ph_context *ctx);
#endif
