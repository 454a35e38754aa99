/* kb_store.h - knowledge capture in the database: which help-center
 * articles a person read (so an agent sees what the customer viewed
 * before writing), the visitor a contact-form ticket came from, and the
 * article requests agents file from tickets.
 *
 * Reads (hc_article_reads): one row per article page view by someone we
 * can name - a signed-in user (user_id) or a browser's visitor token
 * (visitor: the SHA-256 of the sonnim_hc cookie, never the token).  A
 * contact-form ticket remembers its visitor (hc_ticket_visitors), so the
 * views of an anonymous visitor who then wrote in are found too.
 *
 * Article requests (hc_article_requests): "we need an article about
 * this", filed by an agent from a ticket (or not), with a title, a note
 * and a status: "open", "drafted" (an article was started from the
 * ticket: article_id), "done", "declined".
 *
 * Conventions as in the other stores: 0, 1 for "no such row", or DB_*;
 * writers run inside store_write().
 */
#ifndef SONNIM_KB_STORE_H
#define SONNIM_KB_STORE_H
#include "store/db.h"
#include <stdint.h>

/* Note that user_id (0 = nobody signed in) and/or visitor (64 hex, NULL =
 * none) read article_id at now.  Nothing is stored when both are absent. */
int kb_read_add(struct db *db, int64_t article_id, int64_t user_id, const char *visitor,
		int64_t now);
/* Remember that ticket_id came from visitor (64 hex). */
int kb_ticket_visitor_set(struct db *db, int64_t ticket_id, const char *visitor);
/* The visitor of ticket_id into out[65]: 0, 1 when none. */
int kb_ticket_visitor_get(struct db *db, int64_t ticket_id, char out[65]);

struct kb_read {
	int64_t article_id;
	int64_t viewed_at; /* the latest read */
	int64_t views;	   /* reads in all */
};
/* The articles user_id (0 none) or visitor (NULL none) read up to until,
 * one row per article, latest read first, at most limit.  *out (free())
 * NULL when none. */
int kb_reads(struct db *db, int64_t user_id, const char *visitor, int64_t until, int limit,
	     struct kb_read **out, int *n);

struct kb_request {
	int64_t id;
	int64_t ticket_id;    /* 0 = not from a ticket */
	int64_t requester_id; /* the agent who asked */
	char *title, *note;   /* owned; note "" none */
	char status[12];      /* "open", "drafted", "done", "declined" */
	int64_t article_id;   /* the article written for it; 0 none */
	int64_t created_at, updated_at;
};
void kb_request_clear(struct kb_request *q);
void kb_request_list_free(struct kb_request *v, int n);
/* 1 when s is a request status. */
int kb_request_status_ok(const char *s);
/* Insert q (id set). */
int kb_request_insert(struct db *db, struct kb_request *q);
int kb_request_get(struct db *db, int64_t id, struct kb_request *out);
/* Save q's status, article_id and updated_at.  0, 1 none. */
int kb_request_update(struct db *db, const struct kb_request *q);
/* Requests of status (NULL = any), newest first, offset/limit. */
int kb_request_list(struct db *db, const char *status, int64_t offset, int limit,
		    struct kb_request **out, int *n);
int kb_request_count(struct db *db, const char *status, int64_t *count);
#endif
