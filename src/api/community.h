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
#endif
