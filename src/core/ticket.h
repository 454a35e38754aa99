/* ticket.h - the ticket aggregate and its rules, with no I/O.
 *
 * A struct ticket holds one ticket's fields as plain C values.  Changes come
 * in as a struct ticket_change (which fields the caller set, and to what);
 * ticket_apply() checks them against Zendesk's rules and applies them,
 * recording every field that really changed as a struct field_event (from ->
 * to) for the audit.  The store persists the result; the API formats it.
 *
 * Ownership: every char * and array in these structs is owned by the struct
 * and freed by ticket_clear() / ticket_change_clear().  NULL strings mean
 * "not set" (JSON null).  Ids are 0 when not set.
 */
#ifndef SONNIM_TICKET_H
#define SONNIM_TICKET_H
#include <stddef.h>
#include <stdint.h>

struct idlist {
	int64_t *v;
	size_t n;
};
struct strlist {
	char **v;
	size_t n;
};

/* One custom field value; value_json is the JSON text ("\"x\"", "3", "true",
 * "[\"a\",\"b\"]", "null"). */
struct field_value {
	int64_t id;
	char *value_json;
};

struct ticket {
	int64_t id;
	char *external_id, *type, *subject, *description, *priority, *status;
	int64_t requester_id, submitter_id, assignee_id, organization_id, group_id, problem_id;
	int64_t due_at; /* 0 = none */
	int64_t ticket_form_id;	/* the ticket form it was filed through (form_store.h); 0 = none */
	struct strlist tags;
	struct idlist collaborator_ids, follower_ids;
	struct field_value *fields;
	size_t nfields;
	char *via_channel;
	int is_public;
	int64_t merged_into;
	int64_t created_at, updated_at, solved_at, generated_at;
	int has_incidents;	/* a problem with linked incidents (read-only) */
	int64_t seq;		/* change sequence: higher = changed later (read-only) */
	/* the CSAT rating (read-only here; store/satisfaction_store.h writes it) */
	int64_t satisfaction_id;	/* 0 = never offered */
	char satisfaction_score[12];	/* "" (unoffered), "offered", "good", "bad" */
	char *satisfaction_comment;	/* NULL = none */
};

/* Which fields a change sets.  A set flag with a NULL/0 value clears it. */
enum ticket_field_bit {
	TF_EXTERNAL_ID = 1 << 0, TF_TYPE = 1 << 1, TF_SUBJECT = 1 << 2,
	TF_PRIORITY = 1 << 3, TF_STATUS = 1 << 4, TF_REQUESTER = 1 << 5,
	TF_ASSIGNEE = 1 << 6, TF_ORGANIZATION = 1 << 7, TF_GROUP = 1 << 8,
	TF_PROBLEM = 1 << 9, TF_DUE_AT = 1 << 10, TF_TAGS = 1 << 11,
	TF_COLLABORATORS = 1 << 12, TF_FOLLOWERS = 1 << 13, TF_FIELDS = 1 << 14,
	TF_SUBMITTER = 1 << 15, TF_FORM = 1 << 16,
};

struct ticket_change {
	unsigned set;	/* TF_* bits */
	struct ticket v;	/* the new values for the set fields */
	struct strlist add_tags, remove_tags;	/* additional_tags / remove_tags */
	/* the comment that comes with the change, if any */
	char *comment_body;
	char *comment_html;	/* allow-listed HTML (core/html.h) or NULL: made from the body */
	int comment_public;	/* 1 public reply, 0 internal note */
	int64_t comment_author_id;	/* 0 = the acting user */
	struct strlist upload_tokens;
	int solve_unassigned;	/* the requester closes it themselves (the answer bot's
				   "this solved it"): solving needs no assignee */
};

/* One audit event: a field that changed (or was set on create). */
struct field_event {
	char field[32];
	char *value, *previous;	/* owned text, NULL = null */
};
struct field_events {
	struct field_event *v;
	size_t n;
};

/* Who is making the change. */
struct actor {
	int64_t user_id;
	int role;	/* ROLE_* */
	int64_t organization_id;
	int org_shared;		/* end-user: the organization shares its tickets */
	int restriction;	/* agent: RESTRICT_* */
	int64_t groups[32];	/* agent: the groups it belongs to (RESTRICT_GROUPS) */
	int ngroups;
};
enum { RESTRICT_NONE = 0, RESTRICT_GROUPS = 1, RESTRICT_ASSIGNED = 2 };
/* May who see t?  May who change t (end-users: only comment/solve their own)? */
int ticket_can_view(const struct actor *who, const struct ticket *t);
enum { ROLE_END_USER = 0, ROLE_AGENT = 1, ROLE_ADMIN = 2 };
int role_parse(const char *s); /* -1 when unknown */
const char *role_name(int role);

/* Lists of the values the API accepts; ticket_valid_* return 1 if s is one. */
int ticket_valid_status(const char *s);
int ticket_valid_priority(const char *s);
int ticket_valid_type(const char *s);
int ticket_valid_tag(const char *s);

/* Apply change to t (which holds the current state; for a new ticket, a
 * zeroed struct with id 0).  now is the time of the change.  On success
 * returns 0, fills ev with what changed and updates t.  On a rule violation
 * returns -1, writes "field: reason" into err and leaves t unchanged.
 * Rules (Zendesk's): closed tickets cannot change; a ticket cannot go back
 * to new; closed is reached only from solved; solving needs an assignee (an
 * agent solving an unassigned ticket is assigned); due_at only on tasks;
 * problem_id only on incidents; tags are lower-cased, deduplicated. */
int ticket_apply(struct ticket *t, const struct ticket_change *c, const struct actor *who,
		 int64_t now, struct field_events *ev, char *err, size_t errlen);

void ticket_clear(struct ticket *t);
void ticket_change_clear(struct ticket_change *c);
void field_events_clear(struct field_events *ev);
void ticket_copy(struct ticket *dst, const struct ticket *src);

void strlist_add(struct strlist *l, const char *s);
int strlist_has(const struct strlist *l, const char *s);
void strlist_clear(struct strlist *l);
void idlist_add(struct idlist *l, int64_t id);
int idlist_has(const struct idlist *l, int64_t id);
void idlist_clear(struct idlist *l);
/* Normalize a tag: lower-case ASCII, spaces become '_'. Returns owned text
 * or NULL when the tag is empty or has characters Zendesk refuses. */
char *tag_normalize(const char *s);
#endif
