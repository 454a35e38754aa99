/* field_store.h - ticket fields and their dropdown options in the database.
 *
 * Rows of ticket_fields (system fields included: migration 2 adds subject,
 * description, status, tickettype, priority, group and assignee with
 * removable = 0) and ticket_field_options (one row per option, ordered by
 * position).  Getters return 0 and fill *out (caller clears), 1 when there
 * is no such row, or a negative DB_* code.  Writers run inside store_write()
 * and return 0 or a DB_* code; field_check() (core/field.h) must have
 * passed before a definition is written.
 */
#ifndef SONNIM_FIELD_STORE_H
#define SONNIM_FIELD_STORE_H
#include "core/field.h"
#include "store/db.h"

int field_store_get(struct db *db, int64_t id, struct field *out);
/* All fields with their options.  cursor = 0: every field ordered by
 * position then id (Zendesk's unpaginated order); cursor = 1: id > after_id
 * ordered by id, at most limit.  *out is an array of *n fields. */
int field_store_list(struct db *db, int cursor, int64_t after_id, int limit, struct field **out,
		     int *n);
int field_store_count(struct db *db, int64_t *count);
void field_list_free(struct field *v, int n);

/* Insert f with its options (ids of f and its options are set on
 * success).  position 0 puts the field after the others. */
int field_store_insert(struct db *db, struct field *f);
/* Save f's columns and make its options exactly f->options: an option
 * keeps its id when f gives that id or, failing that, the same value;
 * new ones are added, the rest removed.  Option ids are set. */
int field_store_update(struct db *db, struct field *f);
/* Delete a field and its options: 0, 1 when there is none. */
int field_store_delete(struct db *db, int64_t id);

/* For the ticket write path: check n custom field values against their
 * definitions, in place.  Each v[i].id must name an active custom field
 * (not a system field); each value must pass field_value_check(), and is
 * replaced by its canonical JSON text.  The tags the values imply
 * (field_value_tags) are added to tags when it is non-NULL.  Returns 0,
 * 1 with err = "custom_fields: ..." when a value or id is refused, or a
 * negative DB_* code. */
int field_store_check_values(struct db *db, struct field_value *v, size_t n, struct strlist *tags,
			     char *err, size_t errlen);
#endif
