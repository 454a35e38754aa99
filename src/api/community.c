/* community.c - the help center's community forum in Zendesk's Help Center
 * API shapes: /api/v2/community/topics, posts, post comments, votes (up,
 * down) on posts and comments, subscriptions (follow a topic or a post) and
 * a user's posts and comments; plus Sonnim's moderation (moderation_state
 * published/pending/spam on posts and comments, a topic's "moderation"
 * setting) and two agent actions: turn a post into a ticket, or into a
 * draft article (/api/v2/sonnim/community/posts/{id}/ticket|article).
 *
 * Who may do what:
 *   - anyone, anonymous visitors included, reads topics, published posts
 *     and comments (a topic's user segment may narrow that, as for
 *     articles); a signed-in author also sees their own pending items;
 *   - a signed-in end-user writes posts, comments and votes as themselves,
 *     edits and deletes their own posts and comments, and follows topics
 *     and posts;
 *   - agents moderate: status, featured, pinned, closed, moderation_state,
 *     official comments, editing and deleting anyone's posts; they may
 *     write as another author (author_id);
 *   - admins manage topics.
 * A closed post takes no new comments from anyone (422).  An end-user's
 * contribution to a topic with moderation "new_users" (their first) or
 * "all" waits in pending until an agent publishes it.  The author of a
 * post follows it.  An official comment on a post whose status is "none"
 * marks it "answered".
 *
 * Order of a write: decode and render (Markdown through the house
 * sanitizer, core/markdown.h) on the request thread, then one
 * store_write() checks what the body may change against the current rows
 * and saves; new published comments queue "community.notify" (mail to the
 * followers, channels/email/community_notify.c) in the same transaction.
 */
#include "api/community.h"
#include "api/api.h"
#include "api/help_center.h"
#include "base/util.h"
#include "core/hc.h"
#include "core/markdown.h"
#include "jobs/jobs.h"
#include "store/community_store.h"
#include "store/hc_store.h"
#include "store/job_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 255
#define CM "/api/v2/community"

static const char *const post_statuses[] = {"none",	 "planned",  "not_planned",
					    "completed", "answered", NULL};
static const char *const states[] = {"published", "pending", "spam", NULL};
static const char *const moderations[] = {"off", "new_users", "all", NULL};
static const char *const manageable[] = {"managers", "staff", NULL};

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

/* ---- who is reading ---------------------------------------------------- */

/* The reader of r (after hc_reader_or_reply authenticated it, if it could). */
static struct cm_viewer viewer_of(struct req *r)
{
	return (struct cm_viewer){.staff = r->authed && r->actor.role >= ROLE_AGENT,
				  .user_id = r->authed ? r->actor.user_id : 0};
}

int cm_reader_or_reply(struct req *r, struct cm_viewer *v)
{
	struct hc_view hv;
	if (hc_reader_or_reply(r, &hv))
		return -1;
	*v = viewer_of(r);
	return 0;
}

/* ---- JSON out ---------------------------------------------------------- */

static json_t *with_urls(struct server *s, json_t *o, const char *api, const char *page)
{
	char url[600];
	snprintf(url, sizeof(url), "%s" CM "/%s.json", s->cfg.base_url, api);
	json_object_set_new(o, "url", json_string(url));
	snprintf(url, sizeof(url), "%s/hc/%s/community/%s", s->cfg.base_url, HC_DEFAULT_LOCALE,
		 page);
	json_object_set_new(o, "html_url", json_string(url));
	return o;
}

json_t *cm_topic_json(struct server *s, const struct cm_topic *t)
{
	char path[64];
	snprintf(path, sizeof(path), "topics/%" PRId64, t->id);
	json_t *o =
	    json_pack("{s:I,s:s,s:s,s:i,s:I,s:s,s:o,s:s,s:I,s:o,s:o,s:[]}", "id", (json_int_t)t->id,
		      "name", t->name, "description", t->description, "position", t->position,
		      "follower_count", (json_int_t)t->follower_count, "manageable_by",
		      t->manageable_by, "user_segment_id", jid(t->user_segment_id), "moderation",
		      t->moderation, "post_count", (json_int_t)t->post_count, "created_at",
		      jtime(t->created_at), "updated_at", jtime(t->updated_at), "content_tag_ids");
	return with_urls(s, o, path, path);
}

json_t *cm_post_json(struct server *s, const struct cm_post *p)
{
	char path[64];
	snprintf(path, sizeof(path), "posts/%" PRId64, p->id);
	json_t *o = json_pack(
	    "{s:I,s:s,s:s,s:s,s:I,s:I,s:s,s:b,s:b,s:b,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:s,s:o,"
	    "s:o,s:[]}",
	    "id", (json_int_t)p->id, "title", p->title, "details", p->html, "details_markdown",
	    p->details, "author_id", (json_int_t)p->author_id, "topic_id", (json_int_t)p->topic_id,
	    "status", p->status, "featured", p->featured, "pinned", p->pinned, "closed", p->closed,
	    "vote_sum", (json_int_t)p->vote_sum, "vote_count", (json_int_t)p->vote_count,
	    "comment_count", (json_int_t)p->comment_count, "follower_count",
	    (json_int_t)p->follower_count, "non_author_editor_id", jid(p->non_author_editor_id),
	    "created_at", jtime(p->created_at), "updated_at", jtime(p->updated_at), "ticket_id",
	    jid(p->ticket_id), "moderation_state", p->state, "article_id", jid(p->article_id),
	    "non_author_updated_at", p->non_author_editor_id ? jtime(p->updated_at) : json_null(),
	    "content_tag_ids");
	return with_urls(s, o, path, path);
}

json_t *cm_comment_json(struct server *s, const struct cm_comment *c)
{
	char api[96], page[96];
	snprintf(api, sizeof(api), "posts/%" PRId64 "/comments/%" PRId64, c->post_id, c->id);
	snprintf(page, sizeof(page), "posts/%" PRId64 "#comment-%" PRId64, c->post_id, c->id);
	json_t *o =
	    json_pack("{s:I,s:I,s:I,s:s,s:s,s:b,s:I,s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)c->id,
		      "post_id", (json_int_t)c->post_id, "author_id", (json_int_t)c->author_id,
		      "body", c->html, "body_markdown", c->body, "official", c->official,
		      "vote_sum", (json_int_t)c->vote_sum, "vote_count", (json_int_t)c->vote_count,
		      "moderation_state", c->state, "locale", HC_DEFAULT_LOCALE, "created_at",
		      jtime(c->created_at), "updated_at", jtime(c->updated_at));
	return with_urls(s, o, api, page);
}

static json_t *vote_json(struct server *s, const struct cm_vote *v)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/help_center/votes/%" PRId64 ".json", s->cfg.base_url,
		 v->id);
	return json_pack("{s:I,s:s,s:I,s:i,s:I,s:s,s:o,s:o}", "id", (json_int_t)v->id, "url", url,
			 "user_id", (json_int_t)v->user_id, "value", v->value, "item_id",
			 (json_int_t)v->item_id, "item_type", v->item_type, "created_at",
			 jtime(v->created_at), "updated_at", jtime(v->updated_at));
}

static json_t *subscription_json(struct server *s, const struct cm_subscription *x)
{
	char url[400];
	snprintf(url, sizeof(url), "%s" CM "/%s/%" PRId64 "/subscriptions/%" PRId64 ".json",
		 s->cfg.base_url, !strcmp(x->content_type, CM_POST) ? "posts" : "topics",
		 x->content_id, x->id);
	return json_pack("{s:I,s:s,s:I,s:I,s:s,s:b,s:o,s:o}", "id", (json_int_t)x->id, "url", url,
			 "user_id", (json_int_t)x->user_id, "content_id", (json_int_t)x->content_id,
			 "content_type", x->content_type, "include_comments", 1, "created_at",
			 jtime(x->created_at), "updated_at", jtime(x->created_at));
}

/* ---- JSON in ----------------------------------------------------------- */

static int has_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
			return 1;
	return 0;
}

/* Read optional string key of o that must be one of l into out (size n).
 * 0 absent, 1 set, -1 err. */
static int jget_word(json_t *o, const char *key, const char *const *l, char *out, size_t n,
		     char *err, size_t errlen)
{
	char *s = NULL;
	int rc = jget_str(o, key, &s, err, errlen);
	if (rc <= 0)
		return rc;
	if (!s || !in_list(l, s)) {
		struct buf b = BUF_INIT;
		for (const char *const *p = l; *p; p++)
			buf_addf(&b, "%s%s", p == l ? "" : ", ", *p);
		snprintf(err, errlen, "%s: expected one of %s", key, b.s);
		buf_release(&b);
		free(s);
		return -1;
	}
	snprintf(out, n, "%s", s);
	free(s);
	return 1;
}

/* Title (one line, 1..MAX_TITLE bytes): 0 absent, 1 set, -1 err. */
static int jget_title(json_t *o, const char *key, char **out, char *err, size_t errlen)
{
	int rc = jget_str(o, key, out, err, errlen);
	if (rc <= 0)
		return rc;
	if (!*out || !(*out)[strspn(*out, " \t")]) {
		snprintf(err, errlen, "%s: cannot be blank", key);
		return -1;
	}
	if (strlen(*out) > MAX_TITLE || has_controls(*out) || strchr(*out, '\n')) {
		snprintf(err, errlen, "%s: at most %d bytes on one line", key, MAX_TITLE);
		return -1;
	}
	return 1;
}

/* Markdown body: 0 absent, 1 set (md, html, plain filled), -1 err. */
static int jget_markdown(json_t *o, const char *key, int required, char **md, struct buf *html,
			 struct buf *plain, char *err, size_t errlen)
{
	int rc = jget_str(o, key, md, err, errlen);
	if (rc < 0)
		return -1;
	if (!rc || !*md) {
		if (required) {
			snprintf(err, errlen, "%s: is required", key);
			return -1;
		}
		if (rc)
			*md = xstrdup("");
	}
	if (!rc)
		return 0;
	if (required && !(*md)[strspn(*md, " \t\r\n")]) {
		snprintf(err, errlen, "%s: cannot be blank", key);
		return -1;
	}
	if (strlen(*md) > MARKDOWN_MAX || markdown_render(*md, strlen(*md), html, plain)) {
		snprintf(err, errlen, "%s: is too long", key);
		return -1;
	}
	return 1;
}

/* The member key of the request body (an object), or NULL after replying. */
static json_t *member_or_reply(struct req *r, const char *key, json_t **root)
{
	*root = req_json_or_reply(r);
	if (!*root)
		return NULL;
	json_t *o = json_object_get(*root, key);
	if (!json_is_object(o)) {
		char err[64];
		snprintf(err, sizeof(err), "%s: is required", key);
		json_decref(*root);
		*root = NULL;
		reply_invalid(r, err);
		return NULL;
	}
	return o;
}

/* ---- shared write plumbing --------------------------------------------- */

struct cm_op {
	struct actor who;
	int64_t now;
	int64_t id, parent; /* the item (0 = create) and its post/topic */
	int status;	    /* 403/404/422 when refused */
	char err[320];
	int64_t result_id;
	void *arg; /* what the handler decoded */
};

#define REFUSE(code, ...)                                                                          \
	do {                                                                                       \
		op->status = code;                                                                 \
		snprintf(op->err, sizeof(op->err), __VA_ARGS__);                                   \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)

static int is_staff(const struct actor *a) { return a->role >= ROLE_AGENT; }

/* Run fn through the writer: 0, or the HTTP status of the refusal
 * (403/404/422; 500 for a database failure) with op->err saying why. */
static int write_status(struct server *s, store_write_fn fn, struct cm_op *op, const char *what)
{
	int rc = store_write(s->store, fn, op);
	if (!rc)
		return 0;
	if (op->status == 403 || op->status == 422)
		return op->status;
	if (op->status == 404 || rc == 1)
		return 404;
	snprintf(op->err, sizeof(op->err), "the %s could not be saved", what);
	return 500;
}

/* Reply status (from write_status) with msg in Zendesk's error shape. */
static int reply_status(struct req *r, int status, const char *msg)
{
	if (status == 403)
		return reply_error(r, 403, "Forbidden", msg, NULL);
	if (status == 404)
		return reply_not_found(r);
	if (status == 422)
		return reply_invalid(r, msg);
	return reply_error(r, 500, "InternalError", msg, NULL);
}

/* write_status, and reply the error: 0 when it went through (the caller
 * replies then), -1 after replying. */
static int write_or_reply(struct req *r, store_write_fn fn, struct cm_op *op, const char *what)
{
	int status = write_status(r->srv, fn, op, what);
	if (status)
		reply_status(r, status, op->err);
	return status ? -1 : 0;
}

/* One kind of writable item: its body member, decoder, writer and reply. */
struct cm_kind {
	const char *key; /* "topic", "post", "comment" */
	size_t size;	 /* of its decoded body */
	int (*parse)(json_t *o, int creating, void *b, char *err, size_t errlen);
	void (*clear)(void *b);
	store_write_fn run; /* gets a struct cm_op with arg = the body */
	int (*reply)(struct req *r, int64_t parent, int64_t id, int status);
};

/* Decode o as a k, write it as who: 0 with *result (the item's id), or the
 * HTTP status of the refusal with err. */
static int item_submit(struct server *s, const struct actor *who, const struct cm_kind *k,
		       int64_t parent, int64_t id, json_t *o, int64_t *result, char *err,
		       size_t errlen)
{
	void *b = xcalloc(1, k->size);
	int rc = k->parse(o, !id, b, err, errlen);
	if (rc) {
		k->clear(b);
		free(b);
		return 422;
	}
	struct cm_op op = {.who = *who, .now = now_seconds(), .id = id, .parent = parent, .arg = b};
	rc = write_status(s, k->run, &op, k->key);
	k->clear(b);
	free(b);
	if (rc) {
		snprintf(err, errlen, "%s", op.err);
		return rc;
	}
	jobs_kick();
	*result = op.result_id;
	return 0;
}

/* Decode {"<key>": {...}}, run the write, reply with the item (201 on
 * create, 200 on update) or the error. */
static int item_write(struct req *r, const struct cm_kind *k, int64_t parent, int64_t id)
{
	json_t *root;
	json_t *o = member_or_reply(r, k->key, &root);
	if (!o)
		return 0;
	char err[320] = "";
	int64_t result = 0;
	int status = item_submit(r->srv, &r->actor, k, parent, id, o, &result, err, sizeof(err));
	json_decref(root);
	if (status)
		return reply_status(r, status, err);
	return k->reply(r, parent, result, id ? 200 : 201);
}

/* Queue the followers' mail about comment id (published comments only). */
static int queue_notify(struct db *db, int64_t post_id, int64_t comment_id, int64_t now)
{
	char payload[96];
	int64_t id;
	snprintf(payload, sizeof(payload), "{\"post_id\":%" PRId64 ",\"comment_id\":%" PRId64 "}",
		 post_id, comment_id);
	return job_store_enqueue(db, "community.notify", payload, now, 5, now, &id);
}

/* ---- topics ------------------------------------------------------------ */

struct topic_body {
	char *name, *description;
	int has_name, has_desc, has_pos, has_seg, has_manage, has_mod;
	int position;
	int64_t segment;
	char manageable_by[12], moderation[12];
};

static void topic_body_clear(void *arg)
{
	struct topic_body *b = arg;
	free(b->name);
	free(b->description);
}

static int topic_body_parse(json_t *o, int creating, void *arg, char *err, size_t errlen)
{
	struct topic_body *b = arg;
	int rc;
	(void)creating;
	if ((rc = jget_title(o, "name", &b->name, err, errlen)) < 0)
		return -1;
	b->has_name = rc;
	if ((rc = jget_str(o, "description", &b->description, err, errlen)) < 0)
		return -1;
	b->has_desc = rc;
	if (rc && b->description && (strlen(b->description) > MAX_FIELD)) {
		snprintf(err, errlen, "description: is too long");
		return -1;
	}
	json_t *pos = json_object_get(o, "position");
	if (pos) {
		if (!json_is_integer(pos) || json_integer_value(pos) < 0 ||
		    json_integer_value(pos) > 1000000) {
			snprintf(err, errlen, "position: expected a number from 0 to 1000000");
			return -1;
		}
		b->position = (int)json_integer_value(pos);
		b->has_pos = 1;
	}
	if ((rc = jget_id(o, "user_segment_id", &b->segment, err, errlen)) < 0)
		return -1;
	b->has_seg = rc;
	if (rc && b->segment && b->segment != HC_SEGMENT_STAFF &&
	    b->segment != HC_SEGMENT_SIGNED_IN) {
		snprintf(err, errlen, "user_segment_id: %" PRId64 " is not a user segment",
			 b->segment);
		return -1;
	}
	if ((rc = jget_word(o, "manageable_by", manageable, b->manageable_by,
			    sizeof(b->manageable_by), err, errlen)) < 0)
		return -1;
	b->has_manage = rc;
	if ((rc = jget_word(o, "moderation", moderations, b->moderation, sizeof(b->moderation), err,
			    errlen)) < 0)
		return -1;
	b->has_mod = rc;
	return 0;
}

static void topic_apply(struct cm_topic *t, const struct topic_body *b)
{
	if (b->has_name) {
		free(t->name);
		t->name = xstrdup(b->name);
	}
	if (b->has_desc) {
		free(t->description);
		t->description = xstrdup(b->description ? b->description : "");
	}
	if (b->has_pos)
		t->position = b->position;
	if (b->has_seg)
		t->user_segment_id = b->segment;
	if (b->has_manage)
		snprintf(t->manageable_by, sizeof(t->manageable_by), "%s", b->manageable_by);
	if (b->has_mod)
		snprintf(t->moderation, sizeof(t->moderation), "%s", b->moderation);
}

static const struct cm_viewer staff_viewer = {.staff = 1};

static int topic_save_run(struct db *db, void *arg)
{
	struct cm_op *op = arg;
	const struct topic_body *b = op->arg;
	struct cm_topic t = {0};
	int rc;
	if (!op->id) {
		if (!b->has_name)
			REFUSE(422, "name: is required");
		t.created_at = t.updated_at = op->now;
		topic_apply(&t, b);
		rc = cm_topic_insert(db, &t);
	} else {
		if ((rc = cm_topic_get(db, op->id, &staff_viewer, &t)))
			goto out;
		topic_apply(&t, b);
		t.updated_at = op->now;
		rc = cm_topic_update(db, &t);
	}
	op->result_id = t.id;
out:
	cm_topic_clear(&t);
	return rc;
}

static int topic_reply(struct req *r, int64_t parent, int64_t id, int status)
{
	(void)parent;
	struct cm_topic t = {0};
	int rc = cm_topic_get(req_db(r), id, &staff_viewer, &t);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *o = cm_topic_json(r->srv, &t);
	cm_topic_clear(&t);
	return reply_json(r, status, json_pack("{s:o}", "topic", o));
}

static const struct cm_kind topic_kind = {"topic",	    sizeof(struct topic_body),
					  topic_body_parse, topic_body_clear,
					  topic_save_run,   topic_reply};

static int topic_create(struct req *r) { return item_write(r, &topic_kind, 0, 0); }
static int topic_update(struct req *r) { return item_write(r, &topic_kind, 0, r->id[0]); }

static int topic_delete_run(struct db *db, void *arg)
{
	struct cm_op *op = arg;
	return cm_topic_delete(db, op->id);
}

static int topic_delete(struct req *r)
{
	struct cm_op op = {.id = r->id[0]};
	if (write_or_reply(r, topic_delete_run, &op, "topic"))
		return 0;
	return reply_raw(r, 204, "application/json", "", 0);
}

static int topics_list(struct req *r)
{
	struct cm_viewer v;
	struct page p;
	if (cm_reader_or_reply(r, &v) || page_parse_or_reply(r, &p))
		return 0;
	struct window w;
	page_window(&p, &w);
	struct cm_topic *t;
	int n;
	int64_t count = -1;
	if (cm_topic_list(req_db(r), &v, 0, &w, &t, &n) ||
	    (!p.cursor && cm_topic_count(req_db(r), &v, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, cm_topic_json(r->srv, &t[i]));
	json_t *out = json_pack("{s:o}", "topics", arr);
	page_finish(r, &p, out, n ? t[n - 1].id : p.after, more, count);
	cm_topic_list_free(t, n + more);
	return reply_json(r, 200, out);
}

static int topic_show(struct req *r)
{
	struct cm_viewer v;
	if (cm_reader_or_reply(r, &v))
		return 0;
	struct cm_topic t = {0};
	int rc = cm_topic_get(req_db(r), r->id[0], &v, &t);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *o = cm_topic_json(r->srv, &t);
	cm_topic_clear(&t);
	return reply_json(r, 200, json_pack("{s:o}", "topic", o));
}

/* ---- posts ------------------------------------------------------------- */

/* ?sort_by= into the store's order: created_at / recent_activity /
 * votes / comments (Zendesk's names); absent = id order for paging. */
static int sort_param_or_reply(struct req *r, enum cm_sort *out)
{
	static const struct {
		const char *name;
		enum cm_sort sort;
	} sorts[] = {
	    {"created_at", CM_SORT_ID},	    {"recent_activity", CM_SORT_RECENT},
	    {"updated_at", CM_SORT_RECENT}, {"votes", CM_SORT_VOTES},
	    {"comments", CM_SORT_COMMENTS},
	};
	const char *s = req_arg(r, "sort_by");
	*out = CM_SORT_ID;
	if (!s)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(sorts); i++)
		if (!strcmp(s, sorts[i].name)) {
			*out = sorts[i].sort;
			return 0;
		}
	reply_error(r, 400, "InvalidParameter",
		    "sort_by: expected created_at, recent_activity, votes or comments", NULL);
	return -1;
}

static int posts_list_of(struct req *r, int64_t topic_id, int64_t author_id)
{
	struct cm_viewer v;
	struct page p;
	struct cm_post_filter f = {.topic_id = topic_id, .author_id = author_id};
	if (cm_reader_or_reply(r, &v) || page_parse_or_reply(r, &p) ||
	    sort_param_or_reply(r, &f.sort))
		return 0;
	if (topic_id) {
		struct cm_topic t = {0};
		int rc = cm_topic_get(req_db(r), topic_id, &v, &t);
		cm_topic_clear(&t);
		if (rc)
			return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	}
	const char *filter = req_arg(r, "filter_by");
	if (filter) {
		if (!strcmp(filter, "featured")) {
			f.featured = 1;
		} else if (in_list(states, filter) && v.staff) {
			f.state = filter;
		} else if (!strcmp(filter, "pending") || !strcmp(filter, "spam")) {
			return reply_forbidden(r);
		} else {
			return reply_error(
			    r, 400, "InvalidParameter",
			    "filter_by: expected featured, published, pending or spam", NULL);
		}
	}
	if (f.sort != CM_SORT_ID && p.cursor)
		return reply_error(r, 400, "InvalidParameter",
				   "sort_by: use offset pagination (page, per_page)", NULL);
	page_window(&p, &f.win);
	struct cm_post *x;
	int n;
	int64_t count = -1;
	if (cm_post_list(req_db(r), &f, &v, &x, &n) ||
	    (!p.cursor && cm_post_count(req_db(r), &f, &v, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, cm_post_json(r->srv, &x[i]));
	json_t *out = json_pack("{s:o}", "posts", arr);
	page_finish(r, &p, out, n ? x[n - 1].id : p.after, more, count);
	cm_post_list_free(x, n + more);
	return reply_json(r, 200, out);
}

static int posts_list(struct req *r) { return posts_list_of(r, 0, 0); }
static int topic_posts(struct req *r) { return posts_list_of(r, r->id[0], 0); }
static int user_posts(struct req *r) { return posts_list_of(r, 0, r->id[0]); }

static int post_reply(struct req *r, int64_t parent, int64_t id, int status)
{
	(void)parent;
	struct cm_post p = {0};
	int rc = cm_post_get(req_db(r), id, &staff_viewer, &p);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *o = cm_post_json(r->srv, &p);
	cm_post_clear(&p);
	return reply_json(r, status, json_pack("{s:o}", "post", o));
}

static int post_show(struct req *r)
{
	struct cm_viewer v;
	if (cm_reader_or_reply(r, &v))
		return 0;
	struct cm_post p = {0};
	int rc = cm_post_get(req_db(r), r->id[0], &v, &p);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *o = cm_post_json(r->srv, &p);
	cm_post_clear(&p);
	return reply_json(r, 200, json_pack("{s:o}", "post", o));
}

/* What a post body said (P_* bits: which members were present). */
enum {
	P_TITLE = 1 << 0,
	P_DETAILS = 1 << 1,
	P_TOPIC = 1 << 2,
	P_STATUS = 1 << 3,
	P_FEATURED = 1 << 4,
	P_PINNED = 1 << 5,
	P_CLOSED = 1 << 6,
	P_STATE = 1 << 7,
	P_AUTHOR = 1 << 8,
};
#define P_MODERATION (P_STATUS | P_FEATURED | P_PINNED | P_CLOSED | P_STATE | P_AUTHOR)

struct post_body {
	unsigned set;
	char *title, *details;
	struct buf html, plain;
	int64_t topic_id, author_id;
	char status[16], state[12];
	int featured, pinned, closed;
};

static void post_body_clear(void *arg)
{
	struct post_body *b = arg;
	free(b->title);
	free(b->details);
	buf_release(&b->html);
	buf_release(&b->plain);
}

static int post_body_parse(json_t *o, int creating, void *arg, char *err, size_t errlen)
{
	struct post_body *b = arg;
	int rc;
	(void)creating;
	b->html = (struct buf)BUF_INIT;
	b->plain = (struct buf)BUF_INIT;
	if ((rc = jget_title(o, "title", &b->title, err, errlen)) < 0)
		return -1;
	b->set |= rc ? P_TITLE : 0;
	if ((rc = jget_markdown(o, "details", 0, &b->details, &b->html, &b->plain, err, errlen)) <
	    0)
		return -1;
	b->set |= rc ? P_DETAILS : 0;
	if ((rc = jget_id(o, "topic_id", &b->topic_id, err, errlen)) < 0)
		return -1;
	b->set |= rc && b->topic_id ? P_TOPIC : 0;
	if ((rc = jget_id(o, "author_id", &b->author_id, err, errlen)) < 0)
		return -1;
	b->set |= rc && b->author_id ? P_AUTHOR : 0;
	if ((rc = jget_word(o, "status", post_statuses, b->status, sizeof(b->status), err,
			    errlen)) < 0)
		return -1;
	b->set |= rc ? P_STATUS : 0;
	if ((rc = jget_word(o, "moderation_state", states, b->state, sizeof(b->state), err,
			    errlen)) < 0)
		return -1;
	b->set |= rc ? P_STATE : 0;
	static const struct {
		const char *key;
		unsigned bit;
		size_t off;
	} bools[] = {
	    {"featured", P_FEATURED, offsetof(struct post_body, featured)},
	    {"pinned", P_PINNED, offsetof(struct post_body, pinned)},
	    {"closed", P_CLOSED, offsetof(struct post_body, closed)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bools); i++) {
		if ((rc = jget_bool(o, bools[i].key, (int *)((char *)b + bools[i].off), err,
				    errlen)) < 0)
			return -1;
		b->set |= rc ? bools[i].bit : 0;
	}
	return 0;
}

static void set_text(char **dst, const char *src)
{
	free(*dst);
	*dst = xstrdup(src ? src : "");
}

static void post_apply(struct cm_post *p, const struct post_body *b)
{
	if (b->set & P_TITLE)
		set_text(&p->title, b->title);
	if (b->set & P_DETAILS) {
		set_text(&p->details, b->details);
		set_text(&p->html, b->html.s);
		set_text(&p->plain, b->plain.s);
	}
	if (b->set & P_TOPIC)
		p->topic_id = b->topic_id;
	if (b->set & P_STATUS)
		snprintf(p->status, sizeof(p->status), "%s", b->status);
	if (b->set & P_STATE)
		snprintf(p->state, sizeof(p->state), "%s", b->state);
	if (b->set & P_FEATURED)
		p->featured = b->featured;
	if (b->set & P_PINNED)
		p->pinned = b->pinned;
	if (b->set & P_CLOSED)
		p->closed = b->closed;
}

/* Can who see topic id (for a new post or a move)?  0, 1 no, DB_*. */
static int topic_open_to(struct db *db, int64_t topic_id, const struct actor *who)
{
	struct cm_viewer v = {.staff = is_staff(who), .user_id = who->user_id};
	struct cm_topic t = {0};
	int rc = cm_topic_get(db, topic_id, &v, &t);
	cm_topic_clear(&t);
	return rc;
}

static int post_save_run(struct db *db, void *arg)
{
	struct cm_op *op = arg;
	const struct post_body *b = op->arg;
	struct cm_post p = {0};
	int rc = 0, staff = is_staff(&op->who);
	if ((b->set & P_MODERATION) && !staff)
		REFUSE(403, "only agents can moderate posts (status, featured, pinned, closed,"
			    " moderation_state, author_id)");
	if (b->set & P_TOPIC) {
		rc = topic_open_to(db, b->topic_id, &op->who);
		if (rc == 1)
			REFUSE(422, "topic_id: there is no topic %" PRId64, b->topic_id);
		if (rc)
			goto out;
	}
	if (!op->id) {
		if (!(b->set & P_TITLE))
			REFUSE(422, "title: is required");
		if (!(b->set & P_TOPIC))
			REFUSE(422, "topic_id: is required");
		p.author_id = (b->set & P_AUTHOR) ? b->author_id : op->who.user_id;
		p.created_at = p.updated_at = op->now;
		snprintf(p.status, sizeof(p.status), "none");
		snprintf(p.state, sizeof(p.state), "published");
		post_apply(&p, b);
		if (!staff) {
			int pending = 0;
			if ((rc = cm_needs_review(db, p.topic_id, op->who.user_id, &pending)))
				goto out;
			if (pending)
				snprintf(p.state, sizeof(p.state), "pending");
		}
		if ((rc = cm_post_insert(db, &p)))
			goto out;
		/* the author follows their post (Zendesk does the same) */
		rc = cm_subscription_put(db, CM_POST, p.id, p.author_id, op->now, NULL);
	} else {
		struct cm_viewer v = {.staff = staff, .user_id = op->who.user_id};
		if ((rc = cm_post_get(db, op->id, &v, &p)))
			goto out;
		if (!staff && p.author_id != op->who.user_id)
			REFUSE(403, "only the author or an agent can edit this post");
		if (b->set & P_AUTHOR)
			p.author_id = b->author_id; /* staff only, checked above */
		post_apply(&p, b);
		if ((b->set & (P_TITLE | P_DETAILS)) && p.author_id != op->who.user_id)
			p.non_author_editor_id = op->who.user_id;
		p.updated_at = op->now;
		rc = cm_post_update(db, &p);
	}
	op->result_id = p.id;
out:
	cm_post_clear(&p);
	return rc;
}

static const struct cm_kind post_kind = {
    "post", sizeof(struct post_body), post_body_parse, post_body_clear, post_save_run, post_reply};

static int post_create(struct req *r) { return item_write(r, &post_kind, 0, 0); }
static int post_update(struct req *r) { return item_write(r, &post_kind, 0, r->id[0]); }

static int post_delete_run(struct db *db, void *arg)
{
	struct cm_op *op = arg;
	struct cm_viewer v = {.staff = is_staff(&op->who), .user_id = op->who.user_id};
	struct cm_post p = {0};
	int rc = cm_post_get(db, op->id, &v, &p);
	if (rc)
		goto out;
	if (!v.staff && p.author_id != op->who.user_id)
		REFUSE(403, "only the author or an agent can delete this post");
	rc = cm_post_delete(db, op->id);
out:
	cm_post_clear(&p);
	return rc;
}

static int post_delete(struct req *r)
{
	struct cm_op op = {.who = r->actor, .id = r->id[0]};
	if (write_or_reply(r, post_delete_run, &op, "post"))
		return 0;
	return reply_raw(r, 204, "application/json", "", 0);
}

/* ---- comments ---------------------------------------------------------- */

struct comment_body {
	int has_body, has_official, has_state, has_author;
	char *body;
	struct buf html, plain;
	int official;
	char state[12];
	int64_t author_id;
};

static void comment_body_clear(void *arg)
{
	struct comment_body *b = arg;
	free(b->body);
	buf_release(&b->html);
	buf_release(&b->plain);
}

static int comment_body_parse(json_t *o, int creating, void *arg, char *err, size_t errlen)
{
	struct comment_body *b = arg;
	int rc;
	b->html = (struct buf)BUF_INIT;
	b->plain = (struct buf)BUF_INIT;
	if ((rc = jget_markdown(o, "body", creating, &b->body, &b->html, &b->plain, err, errlen)) <
	    0)
		return -1;
	b->has_body = rc;
	if (b->has_body && !b->plain.s[strspn(b->plain.s, " \t\r\n")] &&
	    !strstr(b->html.s, "<img")) {
		snprintf(err, errlen, "body: has no text once made safe");
		return -1;
	}
	if ((rc = jget_bool(o, "official", &b->official, err, errlen)) < 0)
		return -1;
	b->has_official = rc;
	if ((rc = jget_word(o, "moderation_state", states, b->state, sizeof(b->state), err,
			    errlen)) < 0)
		return -1;
	b->has_state = rc;
	if ((rc = jget_id(o, "author_id", &b->author_id, err, errlen)) < 0)
		return -1;
	b->has_author = rc && b->author_id;
	return 0;
}

static int comment_save_run(struct db *db, void *arg)
{
	struct cm_op *op = arg;
	const struct comment_body *b = op->arg;
	int staff = is_staff(&op->who), rc;
	struct cm_viewer v = {.staff = staff, .user_id = op->who.user_id};
	struct cm_post p = {0};
	struct cm_comment c = {0};
	if ((rc = cm_post_get(db, op->parent, &v, &p)))
		goto out;
	if (!staff && ((b->has_official && b->official) || b->has_state || b->has_author))
		REFUSE(403, "only agents can post official comments or moderate comments");
	int was_published = 0;
	if (!op->id) {
		if (p.closed)
			REFUSE(422, "post: is closed for comments");
		if (strcmp(p.state, "published"))
			REFUSE(422, "post: is not published yet, so it takes no comments");
		c.post_id = p.id;
		c.author_id = b->has_author ? b->author_id : op->who.user_id;
		c.created_at = op->now;
		snprintf(c.state, sizeof(c.state), "published");
		if (!staff) {
			int pending = 0;
			if ((rc = cm_needs_review(db, p.topic_id, op->who.user_id, &pending)))
				goto out;
			if (pending)
				snprintf(c.state, sizeof(c.state), "pending");
		}
	} else {
		if ((rc = cm_comment_get(db, p.id, op->id, &v, &c)))
			goto out;
		if (!staff && c.author_id != op->who.user_id)
			REFUSE(403, "only the author or an agent can edit this comment");
		was_published = !strcmp(c.state, "published");
	}
	if (b->has_body) {
		set_text(&c.body, b->body);
		set_text(&c.html, b->html.s);
	}
	if (b->has_official)
		c.official = b->official;
	if (b->has_state)
		snprintf(c.state, sizeof(c.state), "%s", b->state);
	if (b->has_author)
		c.author_id = b->author_id;
	c.updated_at = op->now;
	rc = op->id ? cm_comment_update(db, &c) : cm_comment_insert(db, &c);
	if (rc)
		goto out;
	/* an official answer answers an open question */
	if (c.official && !strcmp(c.state, "published") && !strcmp(p.status, "none")) {
		snprintf(p.status, sizeof(p.status), "answered");
		p.updated_at = op->now;
		if ((rc = cm_post_update(db, &p)))
			goto out;
	}
	/* the followers hear of a comment once, when it becomes public */
	if (!was_published && !strcmp(c.state, "published"))
		rc = queue_notify(db, p.id, c.id, op->now);
	/* commenting follows the post */
	if (!rc && !op->id)
		rc = cm_subscription_put(db, CM_POST, p.id, c.author_id, op->now, NULL);
	op->result_id = c.id;
out:
	cm_post_clear(&p);
	cm_comment_clear(&c);
	return rc;
}

static int comment_reply(struct req *r, int64_t post_id, int64_t id, int status)
{
	struct cm_comment c = {0};
	int rc = cm_comment_get(req_db(r), post_id, id, &staff_viewer, &c);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *o = cm_comment_json(r->srv, &c);
	cm_comment_clear(&c);
	return reply_json(r, status, json_pack("{s:o}", "comment", o));
}

static const struct cm_kind comment_kind = {"comment",		sizeof(struct comment_body),
					    comment_body_parse, comment_body_clear,
					    comment_save_run,	comment_reply};

int cm_submit_post(struct server *s, const struct actor *who, json_t *post, int64_t *id, char *err,
		   size_t errlen)
{
	return item_submit(s, who, &post_kind, 0, 0, post, id, err, errlen);
}

int cm_submit_comment(struct server *s, const struct actor *who, int64_t post_id, json_t *comment,
		      int64_t *id, char *err, size_t errlen)
{
	return item_submit(s, who, &comment_kind, post_id, 0, comment, id, err, errlen);
}

int cm_update_post(struct server *s, const struct actor *who, int64_t id, json_t *post, char *err,
		   size_t errlen)
{
	int64_t result;
	return item_submit(s, who, &post_kind, 0, id, post, &result, err, errlen);
}

int cm_update_comment(struct server *s, const struct actor *who, int64_t post_id, int64_t id,
		      json_t *comment, char *err, size_t errlen)
{
	int64_t result;
	return item_submit(s, who, &comment_kind, post_id, id, comment, &result, err, errlen);
}

static int comment_create(struct req *r) { return item_write(r, &comment_kind, r->id[0], 0); }
static int comment_update(struct req *r)
{
	return item_write(r, &comment_kind, r->id[0], r->id[1]);
}

static int comment_delete_run(struct db *db, void *arg)
{
	struct cm_op *op = arg;
	struct cm_viewer v = {.staff = is_staff(&op->who), .user_id = op->who.user_id};
	struct cm_comment c = {0};
	int rc = cm_comment_get(db, op->parent, op->id, &v, &c);
	if (rc)
		goto out;
	if (!v.staff && c.author_id != op->who.user_id)
		REFUSE(403, "only the author or an agent can delete this comment");
	rc = cm_comment_delete(db, op->parent, op->id);
out:
	cm_comment_clear(&c);
	return rc;
}

static int comment_delete(struct req *r)
{
	struct cm_op op = {.who = r->actor, .id = r->id[1], .parent = r->id[0]};
	if (write_or_reply(r, comment_delete_run, &op, "comment"))
		return 0;
	return reply_raw(r, 204, "application/json", "", 0);
}

static int comments_list(struct req *r)
{
	struct cm_viewer v;
	struct page p;
	if (cm_reader_or_reply(r, &v) || page_parse_or_reply(r, &p))
		return 0;
	struct cm_post post = {0};
	int rc = cm_post_get(req_db(r), r->id[0], &v, &post);
	cm_post_clear(&post);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	struct window w;
	page_window(&p, &w);
	struct cm_comment *c;
	int n;
	int64_t count = -1;
	if (cm_comment_list(req_db(r), r->id[0], &v, 0, &w, &c, &n) ||
	    (!p.cursor && cm_comment_count(req_db(r), r->id[0], &v, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, cm_comment_json(r->srv, &c[i]));
	json_t *out = json_pack("{s:o}", "comments", arr);
	page_finish(r, &p, out, n ? c[n - 1].id : p.after, more, count);
	cm_comment_list_free(c, n + more);
	return reply_json(r, 200, out);
}

static int comment_show(struct req *r)
{
	struct cm_viewer v;
	if (cm_reader_or_reply(r, &v))
		return 0;
	struct cm_comment c = {0};
	int rc = cm_comment_get(req_db(r), r->id[0], r->id[1], &v, &c);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *o = cm_comment_json(r->srv, &c);
	cm_comment_clear(&c);
	return reply_json(r, 200, json_pack("{s:o}", "comment", o));
}

static int user_comments(struct req *r)
{
	struct cm_viewer v;
	struct page p;
	if (cm_reader_or_reply(r, &v) || page_parse_or_reply(r, &p))
		return 0;
	struct window w;
	page_window(&p, &w);
	struct cm_comment *c;
	int n;
	if (cm_comment_list_by_author(req_db(r), r->id[0], &v, &w, &c, &n))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, cm_comment_json(r->srv, &c[i]));
	json_t *out = json_pack("{s:o}", "comments", arr);
	page_finish(r, &p, out, n ? c[n - 1].id : p.after, more, -1);
	cm_comment_list_free(c, n + more);
	return reply_json(r, 200, out);
}

/* ---- votes ------------------------------------------------------------- */

struct vote_op {
	struct actor who;
	const char *item_type;
	int64_t post_id, comment_id;
	int value; /* 1, -1; 0 = withdraw */
	struct cm_vote v;
	int refused;
};

static int vote_run(struct db *db, void *arg)
{
	struct vote_op *op = arg;
	struct cm_viewer v = {.staff = is_staff(&op->who), .user_id = op->who.user_id};
	int rc;
	/* the item must be one the voter can see */
	if (op->comment_id) {
		struct cm_comment c = {0};
		rc = cm_comment_get(db, op->post_id, op->comment_id, &v, &c);
		cm_comment_clear(&c);
	} else {
		struct cm_post p = {0};
		rc = cm_post_get(db, op->post_id, &v, &p);
		cm_post_clear(&p);
	}
	if (rc)
		return rc;
	int64_t id = op->comment_id ? op->comment_id : op->post_id;
	if (!op->value)
		return cm_vote_delete(db, op->item_type, id, op->who.user_id);
	return cm_vote_put(db, op->item_type, id, op->who.user_id, op->value, now_seconds(),
			   &op->v);
}

int cm_vote(struct server *s, const struct actor *who, int64_t post_id, int64_t comment_id,
	    int value)
{
	struct vote_op op = {.who = *who,
			     .item_type = comment_id ? CM_COMMENT : CM_POST,
			     .post_id = post_id,
			     .comment_id = comment_id,
			     .value = value};
	int rc = store_write(s->store, vote_run, &op);
	return rc == 1 ? 404 : rc ? 500 : 0;
}

static int vote_reply(struct req *r, int comment, int value)
{
	struct vote_op op = {.who = r->actor,
			     .item_type = comment ? CM_COMMENT : CM_POST,
			     .post_id = r->id[0],
			     .comment_id = comment ? r->id[1] : 0,
			     .value = value};
	int rc = store_write(r->srv->store, vote_run, &op);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the vote could not be saved", NULL);
	if (!value)
		return reply_raw(r, 204, "application/json", "", 0);
	return reply_json(r, 200, json_pack("{s:o}", "vote", vote_json(r->srv, &op.v)));
}

static int post_up(struct req *r) { return vote_reply(r, 0, 1); }
static int post_down(struct req *r) { return vote_reply(r, 0, -1); }
static int post_unvote(struct req *r) { return vote_reply(r, 0, 0); }
static int comment_up(struct req *r) { return vote_reply(r, 1, 1); }
static int comment_down(struct req *r) { return vote_reply(r, 1, -1); }

static int votes_list_of(struct req *r, const char *item_type, int64_t id)
{
	struct cm_vote *v;
	int n;
	if (cm_vote_list(req_db(r), item_type, id, &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, vote_json(r->srv, &v[i]));
	free(v);
	return reply_json(r, 200,
			  json_pack("{s:o,s:n,s:n,s:I}", "votes", arr, "next_page", "previous_page",
				    "count", (json_int_t)n));
}

static int post_votes(struct req *r) { return votes_list_of(r, CM_POST, r->id[0]); }
static int comment_votes(struct req *r) { return votes_list_of(r, CM_COMMENT, r->id[1]); }

/* ---- subscriptions ----------------------------------------------------- */

struct sub_op {
	struct actor who;
	const char *type;
	int64_t content_id, id; /* id: delete this one (0 = create) */
	struct cm_subscription s;
	int forbidden;
};

/* Is the content one who may see?  0, 1, DB_*. */
static int content_visible(struct db *db, const char *type, int64_t id, const struct actor *who)
{
	struct cm_viewer v = {.staff = is_staff(who), .user_id = who->user_id};
	if (!strcmp(type, CM_TOPIC))
		return topic_open_to(db, id, who);
	struct cm_post p = {0};
	int rc = cm_post_get(db, id, &v, &p);
	cm_post_clear(&p);
	return rc;
}

struct unfollow_op {
	struct actor who;
	const char *type;
	int64_t content_id;
};

/* Stop following (nothing to stop is fine). */
static int unfollow_run(struct db *db, void *arg)
{
	struct unfollow_op *op = arg;
	int rc = cm_subscription_delete(db, op->type, op->content_id, 0, op->who.user_id);
	return rc == 1 ? 0 : rc;
}

static int sub_run(struct db *db, void *arg)
{
	struct sub_op *op = arg;
	int rc = content_visible(db, op->type, op->content_id, &op->who);
	if (rc)
		return rc;
	if (!op->id)
		return cm_subscription_put(db, op->type, op->content_id, op->who.user_id,
					   now_seconds(), &op->s);
	/* an end-user removes only their own subscription */
	struct cm_subscription *all;
	int n, mine = 0;
	if ((rc = cm_subscription_list(db, op->type, op->content_id, &all, &n)))
		return rc;
	for (int i = 0; i < n; i++)
		if (all[i].id == op->id)
			mine = all[i].user_id == op->who.user_id ? 1 : 2;
	free(all);
	if (!mine)
		return 1;
	if (mine == 2 && !is_staff(&op->who)) {
		op->forbidden = 1;
		return DB_REFUSED;
	}
	return cm_subscription_delete(db, op->type, op->content_id, op->id, 0);
}

int cm_follow(struct server *s, const struct actor *who, const char *type, int64_t id, int on)
{
	if (on) {
		struct sub_op op = {.who = *who, .type = type, .content_id = id};
		int rc = store_write(s->store, sub_run, &op);
		return rc == 1 ? 404 : rc ? 500 : 0;
	}
	struct unfollow_op op = {.who = *who, .type = type, .content_id = id};
	int rc = store_write(s->store, unfollow_run, &op);
	return rc < 0 ? 500 : 0;
}

static int sub_write(struct req *r, const char *type, int del)
{
	struct sub_op op = {
	    .who = r->actor, .type = type, .content_id = r->id[0], .id = del ? r->id[1] : 0};
	int rc = store_write(r->srv->store, sub_run, &op);
	if (op.forbidden)
		return reply_forbidden(r);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the subscription could not be saved",
				   NULL);
	if (del)
		return reply_raw(r, 204, "application/json", "", 0);
	return reply_json(r, 200,
			  json_pack("{s:o}", "subscription", subscription_json(r->srv, &op.s)));
}

/* Agents see every follower; an end-user sees only their own row. */
static int subs_list(struct req *r, const char *type)
{
	int rc = content_visible(req_db(r), type, r->id[0], &r->actor);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	struct cm_subscription *s;
	int n;
	if (cm_subscription_list(req_db(r), type, r->id[0], &s, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		if (is_staff(&r->actor) || s[i].user_id == r->actor.user_id)
			json_array_append_new(arr, subscription_json(r->srv, &s[i]));
	free(s);
	return reply_json(r, 200,
			  json_pack("{s:o,s:n,s:n,s:I}", "subscriptions", arr, "next_page",
				    "previous_page", "count", (json_int_t)json_array_size(arr)));
}

static int post_subs(struct req *r) { return subs_list(r, CM_POST); }
static int post_sub_create(struct req *r) { return sub_write(r, CM_POST, 0); }
static int post_sub_delete(struct req *r) { return sub_write(r, CM_POST, 1); }
static int topic_subs(struct req *r) { return subs_list(r, CM_TOPIC); }
static int topic_sub_create(struct req *r) { return sub_write(r, CM_TOPIC, 0); }
static int topic_sub_delete(struct req *r) { return sub_write(r, CM_TOPIC, 1); }

/* ---- post -> ticket, post -> article ----------------------------------- */

struct convert_op {
	struct cm_op op;
	struct server *srv;
	int64_t section_id; /* article: where the draft goes */
	const char *locale; /* article: its locale */
	int64_t ticket_id, article_id;
	struct ticket ticket; /* the ticket made (reply) */
};

/* The ticket's first comment: the post as its author wrote it, and where
 * it came from. */
static void ticket_text(struct server *s, const struct cm_post *p, struct buf *b)
{
	buf_addf(b, "%s\n\n%s/hc/%s/community/posts/%" PRId64 "\n", p->plain, s->cfg.base_url,
		 HC_DEFAULT_LOCALE, p->id);
}

static int ticket_run(struct db *db, void *arg)
{
	struct convert_op *co = arg;
	struct cm_op *op = &co->op;
	struct cm_post p = {0};
	int rc = cm_post_get(db, op->id, &staff_viewer, &p);
	if (rc)
		goto out;
	if (p.ticket_id)
		REFUSE(422, "post: already became ticket %" PRId64, p.ticket_id);
	struct buf body = BUF_INIT;
	ticket_text(co->srv, &p, &body);
	struct ticket_change c = {0};
	c.set = TF_SUBJECT | TF_REQUESTER | TF_TAGS;
	c.v.subject = xstrdup(p.title);
	c.v.requester_id = p.author_id;
	strlist_add(&c.v.tags, "community_post");
	c.comment_body = buf_detach(&body);
	c.comment_public = 1;
	c.comment_author_id = p.author_id;
	/* the requester's own words, entered by the agent who made the ticket */
	struct ticket_write w = {.who = op->who, .change = &c, .via = "web", .now = op->now};
	w.who.role = ROLE_ADMIN;
	rc = ticket_write_run(db, &w);
	if (rc) {
		op->status = w.status ? w.status : 500;
		snprintf(op->err, sizeof(op->err), "%s", w.err);
	} else {
		co->ticket_id = w.result.id;
		co->ticket = w.result;
		memset(&w.result, 0, sizeof(w.result));
		p.ticket_id = co->ticket_id;
		p.updated_at = op->now;
		rc = cm_post_update(db, &p);
	}
	ticket_write_clear(&w);
	ticket_change_clear(&c);
out:
	cm_post_clear(&p);
	return rc;
}

int cm_post_ticket(struct server *s, const struct actor *who, int64_t post_id, int64_t *ticket_id,
		   char *err, size_t errlen)
{
	if (who->role < ROLE_AGENT) {
		snprintf(err, errlen, "only agents can open tickets from posts");
		return 403;
	}
	struct convert_op co = {.op = {.who = *who, .now = now_seconds(), .id = post_id}, .srv = s};
	int status = write_status(s, ticket_run, &co.op, "ticket");
	ticket_clear(&co.ticket);
	if (status) {
		snprintf(err, errlen, "%s", co.op.err);
		return status;
	}
	jobs_kick();
	*ticket_id = co.ticket_id;
	return 0;
}

static int post_to_ticket(struct req *r)
{
	struct convert_op co = {.op = {.who = r->actor, .now = now_seconds(), .id = r->id[0]},
				.srv = r->srv};
	int rc = write_or_reply(r, ticket_run, &co.op, "ticket");
	if (rc) {
		ticket_clear(&co.ticket);
		return 0;
	}
	jobs_kick();
	struct cm_post p = {0};
	if (cm_post_get(req_db(r), r->id[0], &staff_viewer, &p)) {
		ticket_clear(&co.ticket);
		return reply_db_down(r);
	}
	json_t *out = json_pack("{s:o,s:o}", "ticket", ticket_json(r->srv, &co.ticket), "post",
				cm_post_json(r->srv, &p));
	cm_post_clear(&p);
	ticket_clear(&co.ticket);
	return reply_json(r, 201, out);
}

static int article_run(struct db *db, void *arg)
{
	struct convert_op *co = arg;
	struct cm_op *op = &co->op;
	struct cm_post p = {0};
	struct hc_article a = {0};
	struct cm_comment *c = NULL;
	int n = 0;
	struct buf md = BUF_INIT, html = BUF_INIT, plain = BUF_INIT;
	int rc = cm_post_get(db, op->id, &staff_viewer, &p);
	if (rc)
		goto out;
	int found = 0;
	if ((rc = hc_store_exists(db, HC_SECTION, co->section_id, &found)))
		goto out;
	if (!found)
		REFUSE(422, "section_id: there is no section %" PRId64, co->section_id);
	/* the question, then the official answers (else none) */
	struct window w = {.limit = 50};
	if ((rc = cm_comment_list(db, p.id, &staff_viewer, 1, &w, &c, &n)))
		goto out;
	buf_adds(&md, p.details);
	for (int i = 0; i < n && c[i].official; i++)
		if (!strcmp(c[i].state, "published"))
			buf_addf(&md, "\n\n%s", c[i].body);
	if (markdown_render(md.s, md.len, &html, &plain))
		REFUSE(422, "post: is too long for an article");
	a.section_id = co->section_id;
	a.author_id = op->who.user_id;
	a.created_at = a.updated_at = op->now;
	snprintf(a.tr.locale, sizeof(a.tr.locale), "%s", co->locale);
	a.tr.title = xstrdup(p.title);
	a.tr.body = buf_detach(&md);
	a.tr.html = buf_detach(&html);
	a.tr.plain = buf_detach(&plain);
	a.tr.draft = 1;
	a.tr.created_at = a.tr.updated_at = op->now;
	a.tr.created_by_id = a.tr.updated_by_id = op->who.user_id;
	if ((rc = hc_article_insert(db, &a)))
		goto out;
	co->article_id = a.id;
	p.article_id = a.id;
	p.updated_at = op->now;
	rc = cm_post_update(db, &p);
out:
	buf_release(&md);
	buf_release(&html);
	buf_release(&plain);
	cm_comment_list_free(c, n);
	hc_article_clear(&a);
	cm_post_clear(&p);
	return rc;
}

static int post_to_article(struct req *r)
{
	json_t *root = req_json_or_reply(r);
	if (!root)
		return 0;
	char err[200] = "";
	int64_t section = 0;
	char *loc = NULL;
	int rc = jget_id(root, "section_id", &section, err, sizeof(err));
	if (rc >= 0 && jget_str(root, "locale", &loc, err, sizeof(err)) < 0)
		rc = -1;
	json_decref(root);
	const char *locale = loc ? hc_locale(loc) : HC_DEFAULT_LOCALE;
	free(loc);
	if (rc < 0)
		return reply_invalid(r, err);
	if (!section)
		return reply_invalid(r, "section_id: is required");
	if (!locale)
		return reply_invalid(r, "locale: is not a locale of this help center");
	struct convert_op co = {.op = {.who = r->actor, .now = now_seconds(), .id = r->id[0]},
				.srv = r->srv,
				.section_id = section,
				.locale = locale};
	if (write_or_reply(r, article_run, &co.op, "article"))
		return 0;
	struct hc_view v = {.staff = 1, .signed_in = 1};
	struct hc_article a = {0};
	struct cm_post p = {0};
	if (hc_article_get(req_db(r), co.article_id, &v, &a) ||
	    cm_post_get(req_db(r), r->id[0], &staff_viewer, &p)) {
		hc_article_clear(&a);
		cm_post_clear(&p);
		return reply_db_down(r);
	}
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/help_center/articles/%" PRId64 ".json",
		 r->srv->cfg.base_url, a.id);
	json_t *out = json_pack(
	    "{s:{s:I,s:s,s:I,s:b,s:s,s:s,s:s},s:o}", "article", "id", (json_int_t)a.id, "title",
	    a.tr.title, "section_id", (json_int_t)a.section_id, "draft", a.tr.draft, "locale",
	    a.tr.locale, "body", a.tr.html, "url", url, "post", cm_post_json(r->srv, &p));
	hc_article_clear(&a);
	cm_post_clear(&p);
	return reply_json(r, 201, out);
}

const struct route community_routes[] = {
    {M_GET, "/api/v2/community/topics.json", PUBLIC, topics_list, 0},
    {M_POST, "/api/v2/community/topics.json", ROLE_ADMIN, topic_create, 0},
    {M_GET, "/api/v2/community/topics/{id}.json", PUBLIC, topic_show, 0},
    {M_PUT, "/api/v2/community/topics/{id}.json", ROLE_ADMIN, topic_update, 0},
    {M_DELETE, "/api/v2/community/topics/{id}.json", ROLE_ADMIN, topic_delete, 0},
    {M_GET, "/api/v2/community/topics/{id}/posts.json", PUBLIC, topic_posts, 0},
    {M_GET, "/api/v2/community/topics/{id}/subscriptions.json", ROLE_END_USER, topic_subs, 0},
    {M_POST, "/api/v2/community/topics/{id}/subscriptions.json", ROLE_END_USER, topic_sub_create,
     0},
    {M_DELETE, "/api/v2/community/topics/{id}/subscriptions/{id}.json", ROLE_END_USER,
     topic_sub_delete, 0},
    {M_GET, "/api/v2/community/posts.json", PUBLIC, posts_list, 0},
    {M_POST, "/api/v2/community/posts.json", ROLE_END_USER, post_create, 0},
    {M_GET, "/api/v2/community/posts/{id}.json", PUBLIC, post_show, 0},
    {M_PUT, "/api/v2/community/posts/{id}.json", ROLE_END_USER, post_update, 0},
    {M_DELETE, "/api/v2/community/posts/{id}.json", ROLE_END_USER, post_delete, 0},
    {M_POST, "/api/v2/community/posts/{id}/up.json", ROLE_END_USER, post_up, 0},
    {M_POST, "/api/v2/community/posts/{id}/down.json", ROLE_END_USER, post_down, 0},
    {M_DELETE, "/api/v2/community/posts/{id}/votes.json", ROLE_END_USER, post_unvote, 0},
    {M_GET, "/api/v2/community/posts/{id}/votes.json", ROLE_AGENT, post_votes, 0},
    {M_GET, "/api/v2/community/posts/{id}/comments.json", PUBLIC, comments_list, 0},
    {M_POST, "/api/v2/community/posts/{id}/comments.json", ROLE_END_USER, comment_create, 0},
    {M_GET, "/api/v2/community/posts/{id}/comments/{id}.json", PUBLIC, comment_show, 0},
    {M_PUT, "/api/v2/community/posts/{id}/comments/{id}.json", ROLE_END_USER, comment_update, 0},
    {M_DELETE, "/api/v2/community/posts/{id}/comments/{id}.json", ROLE_END_USER, comment_delete, 0},
    {M_POST, "/api/v2/community/posts/{id}/comments/{id}/up.json", ROLE_END_USER, comment_up, 0},
    {M_POST, "/api/v2/community/posts/{id}/comments/{id}/down.json", ROLE_END_USER, comment_down,
     0},
    {M_GET, "/api/v2/community/posts/{id}/comments/{id}/votes.json", ROLE_AGENT, comment_votes, 0},
    {M_GET, "/api/v2/community/posts/{id}/subscriptions.json", ROLE_END_USER, post_subs, 0},
    {M_POST, "/api/v2/community/posts/{id}/subscriptions.json", ROLE_END_USER, post_sub_create, 0},
    {M_DELETE, "/api/v2/community/posts/{id}/subscriptions/{id}.json", ROLE_END_USER,
     post_sub_delete, 0},
    {M_GET, "/api/v2/community/users/{id}/posts.json", PUBLIC, user_posts, 0},
    {M_GET, "/api/v2/community/users/{id}/comments.json", PUBLIC, user_comments, 0},
    {M_POST, "/api/v2/sonnim/community/posts/{id}/ticket.json", ROLE_AGENT, post_to_ticket, 0},
    {M_POST, "/api/v2/sonnim/community/posts/{id}/article.json", ROLE_AGENT, post_to_article, 0},
    {0},
};
