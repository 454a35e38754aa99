/* community_store.h - the help center's community forum in the database:
 * topics -> posts -> comments, votes on posts and comments, and the
 * subscriptions (follows) of topics and posts.
 *
 * Moderation lives on posts and comments as a state: "published" (everyone
 * who may see the topic sees it), "pending" (waiting for an agent: only
 * its author and staff see it) or "spam" (staff only).  A topic's
 * moderation setting decides the state of new contributions
 * (community_needs_review).  A closed post takes no new comments (the API
 * refuses; the store does not care).
 *
 * Counters: a post's comment_count counts its published comments,
 * vote_sum/vote_count its votes, follower_count its subscriptions; the
 * writers below recompute them in the same transaction, so they never
 * drift.
 *
 * Conventions as in the other stores: getters return 0 and fill *out
 * (caller clears it), 1 when there is no such row (or the viewer may not
 * see it), or a negative DB_* code; writers run inside store_write() and
 * return 0 or a DB_* code.
 */
#ifndef SONNIM_COMMUNITY_STORE_H
#define SONNIM_COMMUNITY_STORE_H
#include "core/ticket.h"
#include "store/db.h"
#include "store/window.h"

#define CM_POST "Post"
#define CM_COMMENT "PostComment"
#define CM_TOPIC "Topic"

/* Who is reading: staff see everything; others see published items of
 * topics their segment allows, plus their own pending ones. */
struct cm_viewer {
	int staff;	 /* agents and admins */
	int64_t user_id; /* the signed-in reader; 0 = anonymous */
};

struct cm_topic {
	int64_t id;
	char *name, *description; /* owned; description "" for none */
	int position;
	char manageable_by[12];	 /* "managers" | "staff" (Zendesk) */
	int64_t user_segment_id; /* 0 = everyone (core/hc.h segments) */
	char moderation[12];	 /* "off" | "new_users" | "all" */
	int64_t follower_count;	 /* subscriptions of the topic */
	int64_t post_count;	 /* its published posts */
	int64_t created_at, updated_at;
};
void cm_topic_clear(struct cm_topic *t);
void cm_topic_list_free(struct cm_topic *v, int n);

struct cm_post {
	int64_t id, topic_id, author_id;
	char *title;	 /* owned */
	char *details;	 /* Markdown source, owned */
	char *html;	 /* rendered, sanitized details, owned */
	char *plain;	 /* plain text of html, owned */
	char status[16]; /* none | planned | not_planned | completed | answered */
	int featured, pinned, closed;
	char state[12]; /* published | pending | spam */
	int64_t vote_sum, vote_count, comment_count, follower_count;
	int64_t ticket_id;  /* the ticket made from it (0 none) */
	int64_t article_id; /* the article made from it (0 none) */
	int64_t non_author_editor_id;
	int64_t created_at, updated_at;
};
void cm_post_clear(struct cm_post *p);
void cm_post_list_free(struct cm_post *v, int n);

struct cm_comment {
	int64_t id, post_id, author_id;
	char *body;	/* Markdown source, owned */
	char *html;	/* rendered, sanitized, owned */
	int official;	/* an agent's official answer */
	char state[12]; /* published | pending | spam */
	int64_t vote_sum, vote_count;
	int64_t created_at, updated_at;
};
void cm_comment_clear(struct cm_comment *c);
void cm_comment_list_free(struct cm_comment *v, int n);

/* ---- topics ---- */
/* Topics in position, id order (by_position) or id order (API paging). */
int cm_topic_get(struct db *db, int64_t id, const struct cm_viewer *v, struct cm_topic *out);
int cm_topic_list(struct db *db, const struct cm_viewer *v, int by_position,
		  const struct window *win, struct cm_topic **out, int *n);
int cm_topic_count(struct db *db, const struct cm_viewer *v, int64_t *count);
/* Insert t (t->id set) / save every column of t. */
int cm_topic_insert(struct db *db, struct cm_topic *t);
int cm_topic_update(struct db *db, const struct cm_topic *t);
/* Delete a topic with its posts, their comments, votes and subscriptions.
 * 0, or 1 when there is none. */
int cm_topic_delete(struct db *db, int64_t id);

/* ---- posts ---- */
enum cm_sort {
	CM_SORT_ID,	 /* id order: API paging (window cursor or offset) */
	CM_SORT_RECENT,	 /* pinned first, then newest activity */
	CM_SORT_VOTES,	 /* pinned first, then vote_sum, newest */
	CM_SORT_COMMENTS /* pinned first, then comment_count, newest */
};
struct cm_post_filter {
	int64_t topic_id;  /* 0 = any */
	int64_t author_id; /* 0 = any */
	const char *state; /* staff queue: only this state; NULL = what v sees */
	int featured;	   /* only featured posts */
	enum cm_sort sort;
	struct window win;
};
int cm_post_get(struct db *db, int64_t id, const struct cm_viewer *v, struct cm_post *out);
int cm_post_list(struct db *db, const struct cm_post_filter *f, const struct cm_viewer *v,
		 struct cm_post **out, int *n);
int cm_post_count(struct db *db, const struct cm_post_filter *f, const struct cm_viewer *v,
		  int64_t *count);
/* Insert p (p->id set; counters start at 0).  1 when the topic is gone. */
int cm_post_insert(struct db *db, struct cm_post *p);
/* Save p's writable columns (topic, title, details/html/plain, status,
 * featured, pinned, closed, state, ticket_id, article_id,
 * non_author_editor_id, updated_at).  1 when there is none. */
int cm_post_update(struct db *db, const struct cm_post *p);
/* Delete a post with its comments, votes and subscriptions.  0 or 1. */
int cm_post_delete(struct db *db, int64_t id);

/* ---- comments ---- */
int cm_comment_get(struct db *db, int64_t post_id, int64_t id, const struct cm_viewer *v,
		   struct cm_comment *out);
/* The comments of a post v may see: official answers first when
 * official_first (pages), else id order; win pages them. */
int cm_comment_list(struct db *db, int64_t post_id, const struct cm_viewer *v, int official_first,
		    const struct window *win, struct cm_comment **out, int *n);
int cm_comment_count(struct db *db, int64_t post_id, const struct cm_viewer *v, int64_t *count);
/* The comments of a user (author) v may see, id order. */
int cm_comment_list_by_author(struct db *db, int64_t author_id, const struct cm_viewer *v,
			      const struct window *win, struct cm_comment **out, int *n);
/* Insert c (c->id set) and recount the post's comments; 1 when the post
 * is gone. */
int cm_comment_insert(struct db *db, struct cm_comment *c);
/* Save body/html, official, state, updated_at; recount.  0 or 1. */
int cm_comment_update(struct db *db, const struct cm_comment *c);
int cm_comment_delete(struct db *db, int64_t post_id, int64_t id);

/* ---- votes ---- */
struct cm_vote {
	int64_t id;
	char item_type[12]; /* CM_POST or CM_COMMENT */
	int64_t item_id, user_id;
	int value; /* 1 up, -1 down */
	int64_t created_at, updated_at;
};
/* Record user's vote on the item (one per user and item: voting again
 * replaces the value, so repeating a vote changes nothing) and recompute
 * the item's vote_sum and vote_count.  0, or 1 when there is no such
 * item. */
int cm_vote_put(struct db *db, const char *item_type, int64_t item_id, int64_t user_id, int value,
		int64_t now, struct cm_vote *out);
/* Withdraw user's vote (0 also when there was none; 1 no such item). */
int cm_vote_delete(struct db *db, const char *item_type, int64_t item_id, int64_t user_id);
/* The votes on an item, id order.  *out (free()) NULL when none. */
int cm_vote_list(struct db *db, const char *item_type, int64_t item_id, struct cm_vote **out,
		 int *n);
/* user's vote on the item: 1, -1, or 0 for none (pages). */
int cm_vote_of(struct db *db, const char *item_type, int64_t item_id, int64_t user_id, int *value);

/* ---- subscriptions ---- */
struct cm_subscription {
	int64_t id;
	char content_type[8]; /* CM_TOPIC or CM_POST */
	int64_t content_id, user_id, created_at;
};
/* Follow (idempotent: following twice returns the first row) and
 * recompute the content's follower count.  1 when the content is gone. */
int cm_subscription_put(struct db *db, const char *content_type, int64_t content_id,
			int64_t user_id, int64_t now, struct cm_subscription *out);
/* Stop following, by subscription id (0 = user's subscription to the
 * content).  0, or 1 when there is none. */
int cm_subscription_delete(struct db *db, const char *content_type, int64_t content_id, int64_t id,
			   int64_t user_id);
int cm_subscription_list(struct db *db, const char *content_type, int64_t content_id,
			 struct cm_subscription **out, int *n);
/* Is user following the content?  0 with *yes, or DB_*. */
int cm_subscribed(struct db *db, const char *content_type, int64_t content_id, int64_t user_id,
		  int *yes);
/* Who gets told about a new comment on post: the followers of the post
 * and of its topic, each once, except except_user (the comment's author).
 * ids ascending into out. */
int cm_followers_of_post(struct db *db, int64_t post_id, int64_t except_user, struct idlist *out);

/* ---- moderation ---- */
/* Does a new contribution by user to topic wait in pending?  Topic
 * moderation "all": yes; "new_users": yes unless the user already has a
 * published post or comment; "off": no.  Staff never wait (the caller
 * decides that).  0 with *pending, 1 when the topic is gone, DB_*. */
int cm_needs_review(struct db *db, int64_t topic_id, int64_t user_id, int *pending);
#endif
