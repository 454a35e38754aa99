/* macro.h - macros as data: an ordered list of {field, value} actions from
 * an allow-list, checked when a macro is saved and turned into a
 * struct ticket_change when it is applied.  No I/O.
 *
 * Actions (Zendesk's names; value is text, lists are space-separated):
 *   status, priority, type          a valid status/priority/type, or "" to clear
 *                                   (status cannot be cleared)
 *   assignee_id                     a user id, "current_user", or "" to unassign
 *   group_id                        a group id, or "" to clear
 *   subject                         the new subject
 *   set_tags                        replace the tags
 *   current_tags                    add these tags
 *   remove_tags                     remove these tags
 *   comment_value                   comment text (may hold placeholders)
 *   comment_value_html              comment HTML (may hold placeholders)
 *   comment_mode_is_public          "true" / "false" (default: public)
 *   custom_fields_<id>              a custom field's value (text)
 * Each field appears at most once per macro.
 *
 * Placeholders are not rendered here: the caller renders c->comment_body
 * and c->comment_html afterwards (core/placeholder.h) for the ticket.
 */
#ifndef SONNIM_MACRO_H
#define SONNIM_MACRO_H
#include "core/ticket.h"
#include <stddef.h>

#define MACRO_MAX_ACTIONS 50
#define MACRO_MAX_VALUE 65536

struct macro_action {
	char *field;	/* one of the names above, owned */
	char *value;	/* owned, never NULL ("" clears) */
};

/* 1 when field is on the allow-list. */
int macro_field_known(const char *field);

/* Check one list of actions as saved: known fields, each at most once,
 * valid values, at most MACRO_MAX_ACTIONS.  0, or -1 with err
 * "actions: ..." (the API replies 422 with it). */
int macro_actions_check(const struct macro_action *v, size_t n, char *err, size_t errlen);

/* Turn actions into a change of ticket t (t may be NULL when there is no
 * ticket: tag additions then start from nothing).  current_user_id
 * resolves "current_user".  Fills *c (which must be zeroed; the caller
 * clears it); sets TF_* bits only for fields the actions name.  0, or -1
 * with err when an action does not check (see macro_actions_check). */
int macro_apply(const struct macro_action *v, size_t n, const struct ticket *t,
		int64_t current_user_id, struct ticket_change *c, char *err, size_t errlen);

void macro_actions_free(struct macro_action *v, size_t n);
#endif
