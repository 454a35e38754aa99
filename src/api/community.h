/* community.h - what the community API (api/community.c) shares with the
 * community pages (api/community_pages.c). */
#ifndef SONNIM_API_COMMUNITY_H
#define SONNIM_API_COMMUNITY_H
#include "http/http.h"
#include <jansson.h>

struct cm_viewer;
struct cm_topic;
struct cm_post;
struct cm_comment;

/* Authenticate r when it carries credentials (bad ones get 401), else an
 * anonymous visitor; fill v.  0, or -1 after replying. */
int cm_reader_or_reply(struct req *r, struct cm_viewer *v);

/* Zendesk's Topic, Post and PostComment objects (plus Sonnim's members:
 * moderation, post_count; details_markdown, moderation_state, ticket_id,
 * article_id; body_markdown, moderation_state). */
json_t *cm_topic_json(struct server *s, const struct cm_topic *t);
json_t *cm_post_json(struct server *s, const struct cm_post *p);
json_t *cm_comment_json(struct server *s, const struct cm_comment *c);

struct actor;
/* Write as who, as the API would for them (permissions, moderation,
 * notifications included): a post from {"title", "details", "topic_id"},
 * a comment on post_id from {"body"}.  0 with *id, or the HTTP status of
 * the refusal (403/404/422/500) with err (the API's message). */
int cm_submit_post(struct server *s, const struct actor *who, json_t *post, int64_t *id, char *err,
		   size_t errlen);
int cm_submit_comment(struct server *s, const struct actor *who, int64_t post_id, json_t *comment,
		      int64_t *id, char *err, size_t errlen);
/* Change a post (id) or a comment (post_id, id) as who, from the API's
 * body members ({"moderation_state": "spam"}, {"closed": true}, ...).
 * Same contract as cm_submit_post. */
int cm_update_post(struct server *s, const struct actor *who, int64_t id, json_t *post, char *err,
		   size_t errlen);
int cm_update_comment(struct server *s, const struct actor *who, int64_t post_id, int64_t id,
		      json_t *comment, char *err, size_t errlen);
/* An agent opens a ticket for the post's author (POST
 * /api/v2/sonnim/community/posts/{id}/ticket.json).  0 with *ticket_id, or
 * 403/404/422/500 with err. */
int cm_post_ticket(struct server *s, const struct actor *who, int64_t post_id, int64_t *ticket_id,
		   char *err, size_t errlen);
/* who votes value (1, -1; 0 withdraws) on the post, or on its comment
 * comment_id (0 = the post).  0, 404, or 500. */
int cm_vote(struct server *s, const struct actor *who, int64_t post_id, int64_t comment_id,
	    int value);
/* who follows (on) or stops following the topic or post (type CM_TOPIC,
 * CM_POST).  0, 404 (not there or not visible to who), or 500. */
int cm_follow(struct server *s, const struct actor *who, const char *type, int64_t id, int on);
#endif
