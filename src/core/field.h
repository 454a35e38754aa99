/* field.h - ticket field definitions and the values they accept.  No I/O.
 *
 * A struct field describes one ticket field as Zendesk's /ticket_fields API
 * does: a system field (subject, description, status, tickettype, priority,
 * group, assignee: listed so clients can discover them, but set through the
 * ticket's own members) or a custom field of one of the types below, whose
 * values travel in a ticket's custom_fields as {id, value}.
 *
 * Two checks, both pure:
 *   field_check()        a definition, before it is stored (create/update)
 *   field_value_check()  one value against a stored definition, before a
 *                        ticket stores it; gives the canonical JSON to keep
 * and field_value_tags() for the tags a value puts on its ticket (dropdown
 * and multiselect option values, a checked checkbox's tag), as Zendesk does.
 *
 * Ownership: every char * and the options array belong to the struct and
 * are freed by field_clear().  NULL strings mean "not set" (JSON null).
 */
#ifndef SONNIM_FIELD_H
#define SONNIM_FIELD_H
#include "core/ticket.h"
#include <stddef.h>
#include <stdint.h>

/* One choice of a tagger (dropdown) or multiselect field. */
struct field_option {
	int64_t id;   /* 0 until stored */
	char *name;   /* what people see */
	char *value;  /* the tag it stands for; what the ticket stores */
	int position; /* order in the list */
};

struct field {
	int64_t id;
	char *type; /* a custom type (field_type_custom) or a system type */
	/* what agents and end-users read: NULL = none (title is required) */
	char *title, *description, *agent_description, *title_in_portal;
	char *regexp_for_validation; /* regexp fields: the pattern (Ruby syntax) */
	char *tag;		     /* checkbox: the tag a checked box adds, or NULL */
	int active;		     /* offered on tickets */
	int required;		     /* needed to solve a ticket (agents) */
	int required_in_portal, visible_in_portal, editable_in_portal;
	int collapsed_for_agents;
	int position;		      /* order among fields */
	int removable;		      /* 0 for system fields */
	struct field_option *options; /* tagger and multiselect only */
	size_t noptions;
	int64_t created_at, updated_at;
};

/* The custom types this server creates, as Zendesk names them:
 * text, textarea, checkbox, date, integer, decimal, regexp, tagger,
 * multiselect ("dropdown" is accepted on input as tagger). */
int field_type_custom(const char *type);
/* System types: subject, description, status, tickettype, priority, group,
 * assignee. */
int field_type_system(const char *type);
/* 1 when type's values are options (tagger, multiselect). */
int field_type_has_options(const char *type);

/* Check and tidy a definition about to be stored: a known type, a title of
 * 1..255 bytes, options only on option types and there at least one, each
 * with a name and a value that is a valid tag (values are normalized with
 * tag_normalize and must be unique), a compilable regexp_for_validation on
 * regexp fields, a valid tag on checkboxes.  Returns 0, or -1 with err set
 * to "field: reason" (field is a member name, as reply_invalid wants). */
int field_check(struct field *f, char *err, size_t errlen);

/* Check one value for custom field f.  value_json is a JSON text (any
 * value: "\"abc\"", "5", "true", "[\"a\"]", "null"), as in struct
 * field_value.  What each type takes:
 *   text, textarea   a string (numbers are taken as their text), <= 64 KiB
 *   regexp           a string matching regexp_for_validation
 *   checkbox         true or false ("true"/"false", 1/0 too)
 *   date             "YYYY-MM-DD" (a longer ISO 8601 time is cut to its date)
 *   integer          an integer or a string of one (kept as a string)
 *   decimal          a number or a string of one (kept as a string)
 *   tagger           one option value (or option name)
 *   multiselect      an array of option values (a single string is one)
 * null and "" always pass and clear the field.  On success returns 0 and,
 * when norm is non-NULL, sets *norm to the canonical JSON text to store
 * (owned by the caller): strings for text/number/date/tagger types, true or
 * false, an array of option values, or "null".  On failure returns -1 and
 * writes "custom_fields: field ID \"Title\" ..." into err; *norm is then
 * untouched.  A system field, or a definition with an unknown type, fails.
 * Whether f is active is for the caller to decide. */
int field_value_check(const struct field *f, const char *value_json, char **norm, char *err,
		      size_t errlen);

/* Add to out the tags that a (canonical) value of f puts on its ticket:
 * the option value of a tagger, every value of a multiselect, the tag of a
 * checked checkbox.  Nothing for other types or for null. */
void field_value_tags(const struct field *f, const char *value_json, struct strlist *out);

/* Append an option (copies name and value). */
void field_option_add(struct field *f, int64_t id, const char *name, const char *value,
		      int position);
/* Deep copy src into dst (dst is overwritten, not cleared first). */
void field_copy(struct field *dst, const struct field *src);
void field_clear(struct field *f);
#endif
