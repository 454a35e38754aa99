/* ticket_store.h - tickets, comments, audits, events and the one-transaction
 * ticket write.
 *
 * ticket_write_run() is THE path by which a ticket changes (API, channels,
 * rules): run it through store_write() with a struct ticket_write; inside
 * one transaction it loads the ticket, checks permissions and references,
 * applies the change with core's ticket_apply(), saves the ticket, its tags,
 * the audit with its field events, the comment with its attachments, the
 * outbox events and the search index.  The caller reads the outcome from
 * the struct: status 0 ok, or an HTTP-like code (403, 404, 409, 422) with
 * err filled; nothing is written unless status is 0.
 */
#ifndef SONNIM_TICKET_STORE_H
#define SONNIM_TICKET_STORE_H
#include "core/comment.h"
#include "core/ticket.h"
#include "store/db.h"
#include "store/window.h"

int ticket_store_get(struct db *db, int64_t id, struct ticket *out);
void ticket_list_free(struct ticket *v, int n);
/* The id of the ticket with this external_id: 0, 1 none, or DB_*. */
int ticket_store_by_external(struct db *db, const char *external_id, int64_t *id);

/* Filters for listing; zero fields do not filter. */
struct ticket_filter {
	int64_t requester_id, organization_id, assignee_id, group_id;
	const struct actor *visible_to;	/* restrict to what this actor may see */
	struct window win;		/* which page */
	int64_t before_id;		/* cursor backwards (win.after_id unset): the page
					   just before this id, still in the list's order */
};
int ticket_store_list(struct db *db, const struct ticket_filter *f, struct ticket **out, int *n);
int ticket_store_count(struct db *db, const struct ticket_filter *f, int64_t *count);
/* Incremental export, in change order (seq): with after_seq > 0 the tickets
 * changed after that one, else those changed at or after start. */
int ticket_store_incremental(struct db *db, int64_t start, int64_t after_seq, int limit,
			     struct ticket **out, int *n);
/* Incidents linked to problem_id. */
int ticket_store_incidents(struct db *db, int64_t problem_id, struct ticket **out, int *n);

int comment_store_list(struct db *db, int64_t ticket_id, int public_only, int64_t after_id,
		       int limit, struct comment **out, int *n);
void comment_list_free(struct comment *v, int n);
int comment_store_count(struct db *db, int64_t ticket_id, int public_only, int64_t *n);

/* One audit with its events, as the audits endpoint returns them. */
struct audit {
	int64_t id, ticket_id, author_id, created_at;
	char *via_channel;
	struct field_events events;
	char **event_types;	/* "Create", "Change", "Comment" per event */
	int64_t comment_id;
};
int audit_store_list(struct db *db, int64_t ticket_id, struct audit **out, int *n);
void audit_list_free(struct audit *v, int n);

/* Tag counts over all tickets, most used first. */
int tag_store_counts(struct db *db, int limit, char ***names, int64_t **counts, int *n);

/* Append one outbox event.  type is one of the closed list: ticket.created,
 * ticket.updated, ticket.deleted, comment.added (this file), sla.breached,
 * sla.about_to_breach (jobs/sla_breach.h); a CSAT answer is a
 * ticket.updated whose changes hold satisfaction_score. */
int event_store_append(struct db *db, const char *type, int64_t ticket_id, int64_t actor_id,
		       const char *payload_json, int64_t now);

struct ticket_write {
	/* in */
	struct actor who;
	int64_t id;		/* 0 = create */
	struct ticket_change *change;
	const char *via;	/* channel: "api", "web", "email", ... */
	int64_t now;
	/* out */
	int status;		/* 0 or 403/404/409/422 */
	char err[256];
	struct ticket result;	/* the ticket after the change (caller clears) */
	int64_t audit_id, comment_id;
	struct field_events events;	/* the audit's field events (caller clears) */
	int created;			/* 1 when the write created the ticket */
	char old_status[16];		/* the status before the change ("" on create) */
};
int ticket_write_run(struct db *db, void *arg);
/* Free what a ticket_write handed out (result, events). */
void ticket_write_clear(struct ticket_write *w);

/* Merge source tickets into target: closes each source with a note, adds a
 * note on the target listing them.  Same outcome fields as ticket_write. */
struct ticket_merge {
	struct actor who;
	int64_t target;
	int64_t *sources;
	int nsources;
	char *target_comment, *source_comment;
	int target_public, source_public;
	int64_t now;
	int status;
	char err[256];
};
int ticket_merge_run(struct db *db, void *arg);

/* Delete a ticket and everything hanging off it. */
struct ticket_delete {
	struct actor who;
	int64_t id;
	int status;
	char **sha256s;	/* out: files of its attachments, to forget after commit */
	int nsha;	/* (attachment_forget_run; free with attachment_shas_free) */
};
int ticket_delete_run(struct db *db, void *arg);

/* Rebuild the search document of one ticket (subject, description,
 * comments, tags).  Called inside ticket_write_run; exported for reindex. */
int search_index_ticket(struct db *db, int64_t ticket_id);
/* Rebuild document kind DOC_* now. */
int search_index_doc(struct db *db, int kind, int64_t id);
/* Rebuild it before this writer group commits (db_defer_add), or now when
 * db is not in a writer group.  0 or DB_*. */
int search_index_later(struct db *db, int kind, int64_t id);
int search_index_user(struct db *db, int64_t user_id);
int search_index_organization(struct db *db, int64_t org_id);
#endif
