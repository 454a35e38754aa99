/* api.h - helpers shared by the REST handlers (one file per resource).
 *
 * JSON in: jget_* read an optional member with a type check; on a wrong type
 * they record "field: expected ..." in *err (first error wins) and return
 * -1.  JSON out: *_json() build Zendesk-shaped objects.  Pagination:
 * page_parse() reads offset (page, per_page) or cursor (page[size],
 * page[after]) parameters; page_finish() adds next_page/previous_page/count
 * or meta/links to the reply object. */
#ifndef SONNIM_API_H
#define SONNIM_API_H
#include "core/comment.h"
#include "core/ticket.h"
#include "core/user.h"
#include "http/http.h"
#include "store/window.h"
#include <jansson.h>

/* Read an optional string member: 0 absent, 1 present (*out owned or NULL
 * for JSON null), -1 wrong type (err set). */
int jget_str(json_t *o, const char *key, char **out, char *err, size_t errlen);
/* Optional id (integer > 0, or null -> 0). */
int jget_id(json_t *o, const char *key, int64_t *out, char *err, size_t errlen);
int jget_bool(json_t *o, const char *key, int *out, char *err, size_t errlen);
/* Array of strings / of ids. */
int jget_strs(json_t *o, const char *key, struct strlist *out, char *err, size_t errlen);
int jget_ids(json_t *o, const char *key, struct idlist *out, char *err, size_t errlen);
/* Longest text field the API accepts (subject, names): 64 KiB; bodies 1 MiB. */
#define MAX_FIELD 65536

json_t *jtime(int64_t t);	/* ISO 8601 or null for 0 */
json_t *jid(int64_t id);	/* integer or null for 0 */
json_t *jstr(const char *s);	/* string or null */

json_t *ticket_json(struct server *s, const struct ticket *t);
/* The same object as JSON text appended to b (the fast path for replies). */
void ticket_json_text(struct server *s, const struct ticket *t, struct buf *b);
/* Reply 200 {"<key>": [items...], <members of rest>}: items is JSON text of
 * comma-separated objects; rest (stolen) holds pagination members. */
int reply_list(struct req *r, const char *key, const struct buf *items, json_t *rest);
json_t *comment_json(struct server *s, const struct comment *c);
json_t *user_json(struct server *s, const struct user *u);
json_t *identity_json(struct server *s, const struct identity *i);
struct organization;
struct group;
struct group_membership;
/* Zendesk's Organization, Group and GroupMembership objects
 * (store/org_store.h, store/group_store.h). */
json_t *organization_json(struct server *s, const struct organization *o);
json_t *group_json(struct server *s, const struct group *g);
json_t *group_membership_json(struct server *s, const struct group_membership *m);
struct user_filter;
/* Reply 200 with a page of users matching f ({"users": [...]} plus offset
 * or cursor pagination, as the request asks; f's paging members are set
 * here).  Used by /users, /organizations/{id}/users, /groups/{id}/users. */
int user_list_reply(struct req *r, struct user_filter *f);
/* {"value": n, "refreshed_at": now}: the body of the /count endpoints. */
json_t *count_json(int64_t n);

/* 422 for a value another record already holds, as Zendesk words it:
 * details {field: [{"description": description, "error": "DuplicateValue"}]}.
 * Returns 0. */
int reply_taken(struct req *r, const char *field, const char *description);
/* 503 DatabaseError.  Returns 0. */
int reply_db_down(struct req *r);
/* The reply for a write its transaction refused: 403 Forbidden or 422
 * RecordInvalid with err, 404, else 500 "the WHAT could not be saved".
 * Returns 0. */
int reply_write_refused(struct req *r, int status, const char *err, const char *what);
/* Read a macro's or view's "restriction": null = shared (type ""),
 * {"type": "Group"|"User", "id": N} or {"type", "ids": [N]} (one id).
 * 0, or -1 with err. */
int restriction_parse(json_t *o, char type[8], int64_t *id, char *err, size_t errlen);
/* May who manage a macro or view with this restriction?  Admins always;
 * agents only their own personal ones ("User", their id). */
int restriction_may_manage(const struct actor *who, const char *type, int64_t id);
/* Parse ?NAME=1,2,3 (at most 100 ids) into ids and n: 0, or -1 after replying
 * 400 (absent, empty, not ids, too many). */
int ids_param_or_reply(struct req *r, const char *name, int64_t *ids, int *n);

/* Queue a durable job of kind with payload (stolen; the actor is added) and
 * reply 200 {"job_status": ...} as Zendesk's bulk endpoints do. */
int job_queue_and_reply(struct req *r, const char *kind, json_t *payload);

struct page {
	int cursor;		/* cursor pagination requested */
	int64_t page, per_page;	/* offset pagination */
	int64_t after;		/* cursor: last id seen */
	int64_t before;		/* cursor: page[before], first id of the page after */
	int64_t first_id;	/* set by the caller: first id on this page (0 none) */
	int desc;
};
/* 0, or -1 after replying 400. */
int page_parse_or_reply(struct req *r, struct page *p);
/* The store window a page asks for: one row more than it shows (so the
 * caller knows whether more follow), its order, and its cursor or offset. */
struct window;
void page_window(const struct page *p, struct window *w);
/* After fetching page_window's rows: 1 when more follow, and then the extra
 * row is taken off *n. */
int page_more(const struct page *p, int *n);
/* Add pagination members to reply; last_id = id of the last item, more =
 * whether more items exist, count = total (-1 unknown). */
void page_finish(struct req *r, const struct page *p, json_t *reply, int64_t last_id, int more,
		 int64_t count);

/* The "slas" member of a ticket (?include=slas): {"policy_metrics": [{
 * "breach_at", "stage", "metric", "days"|"hours"|"minutes" (to the breach),
 * "target", "business_hours", "breached"}]} from the SLA clock's row
 * (api/sla_policies.c).  Empty when no policy applies. */
json_t *ticket_slas_json(struct req *r, int64_t ticket_id);
/* Decode a ticket's JSON ("ticket" object) into a change.  0 or -1 with err. */
int ticket_change_from_json(json_t *t, struct ticket_change *c, int creating, char *err,
			    size_t errlen);
/* Run a ticket write through the store and reply: 200/201 with the ticket
 * and audit, or the error.  Consumes nothing; caller clears change. */
int ticket_write_and_reply(struct req *r, int64_t id, struct ticket_change *c);
/* Resolve an "email"/"name" requester object into a user id (creates an
 * end-user when unknown).  0 or -1 with err. */
int requester_resolve(struct req *r, json_t *req_obj, int64_t *out, char *err, size_t errlen);
/* The upload and attachment-content handlers of api/uploads.c for the
 * actor the caller put in r->actor (the messenger's visitor): the same
 * checks and replies as POST /api/v2/uploads and GET .../content. */
int upload_create_or_reply(struct req *r);
int attachment_content_or_reply(struct req *r, int64_t id);
#endif
