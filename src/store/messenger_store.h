/* messenger_store.h - the web messenger's sites, conversations and tokens.
 *
 * A site is one website that embeds the messenger: a public key (in the
 * <script> tag), the origins allowed to embed it, the secret its backend
 * signs identity tokens (HS256 JWTs) with, and its look (colour,
 * greeting, logo), whether the answer bot answers first and the business
 * hours schedule whose notice the widget shows.
 *
 * A conversation is a ticket (via "messaging") whose requester is the
 * visitor; it belongs to one site.  A visitor reaches it with a bearer
 * token; only the token's SHA-256 is stored, and one conversation may have
 * several tokens (each device a signed-in customer opens it on gets its
 * own).  visitor_read_id is the newest comment the visitor's widget has
 * shown (the read receipt the email fallback checks); outcome is NULL,
 * "self_served" (the answer bot's article solved it) or "handoff" (the
 * visitor asked for a person).
 *
 * Conventions as in the other stores: 0, 1 for "no such row", or DB_*;
 * writers run inside store_write().
 */
#ifndef SONNIM_MESSENGER_STORE_H
#define SONNIM_MESSENGER_STORE_H
#include "core/ticket.h"
#include "store/db.h"

struct messenger_site {
	int64_t id;
	char site_key[33];	/* public: 32 hex characters */
	char *name;
	struct strlist origins;	/* "https://shop.example" ... allowed to embed */
	char *jwt_secret;	/* HS256 secret for identity tokens; NULL = none */
	char color[16];		/* "#rrggbb" */
	char *greeting;		/* NULL = the default greeting */
	char *logo_url;		/* NULL = none */
	int bot_enabled;	/* the answer bot answers the first message */
	int64_t schedule_id;	/* business hours; 0 = the default schedule */
	int reply_minutes;	/* the expected reply time the widget shows */
	int64_t created_at, updated_at;
};
void messenger_site_clear(struct messenger_site *s);

int messenger_site_get(struct db *db, int64_t id, struct messenger_site *out);
int messenger_site_by_key(struct db *db, const char *key, struct messenger_site *out);
int messenger_site_list(struct db *db, struct messenger_site **out, int *n);
void messenger_site_list_free(struct messenger_site *v, int n);
/* Insert s (site_key set by the caller); s->id set.  DB_CONSTRAINT when the
 * key is taken. */
int messenger_site_insert(struct db *db, struct messenger_site *s);
int messenger_site_update(struct db *db, const struct messenger_site *s);
/* 0, 1 none; its conversations stay (their tickets are the history). */
int messenger_site_delete(struct db *db, int64_t id);

struct messenger_conv {
	int64_t id, site_id, ticket_id, user_id;
	char outcome[16];		/* "", "self_served", "handoff" */
	char bot_token_hash[65];	/* the answer bot's deflection, "" none */
	int64_t visitor_read_id;	/* newest comment the visitor has seen */
	int64_t created_at, updated_at;
};

int messenger_conv_insert(struct db *db, struct messenger_conv *c);
int messenger_conv_get(struct db *db, int64_t id, struct messenger_conv *out);
/* The conversation token_hash opens: 0, 1 none. */
int messenger_conv_by_token(struct db *db, const char *token_hash, struct messenger_conv *out);
/* The conversation of ticket_id: 0, 1 (not a messenger ticket). */
int messenger_conv_by_ticket(struct db *db, int64_t ticket_id, struct messenger_conv *out);
/* Conversations of user_id on site_id, newest first (at most 50). */
int messenger_conv_of_user(struct db *db, int64_t site_id, int64_t user_id,
			   struct messenger_conv **out, int *n);
int messenger_token_add(struct db *db, int64_t conv_id, const char *token_hash, int64_t now);
/* Visitor tokens: a signed-in person's credential for the proactive
 * endpoint when they hold no conversation.  _add stores token_hash for
 * (site_id, user_id) and deletes that person's tokens on the site made
 * before `expired` (so a page load a day leaves a bounded set); 0 or DB_*.
 * _user finds the token's site and user when made at or after `since`: 0,
 * 1 none (unknown or expired), DB_*. */
int messenger_visitor_token_add(struct db *db, int64_t site_id, int64_t user_id,
				const char *token_hash, int64_t now, int64_t expired);
int messenger_visitor_token_user(struct db *db, const char *token_hash, int64_t since,
				 int64_t *site_id, int64_t *user_id);
/* Raise visitor_read_id to comment_id (never lowers it). */
int messenger_conv_read(struct db *db, int64_t id, int64_t comment_id, int64_t now);
/* Set outcome (once: 1 when it was set already), and the bot's token. */
int messenger_conv_outcome(struct db *db, int64_t id, const char *outcome, int64_t now);
int messenger_conv_bot(struct db *db, int64_t id, const char *token_hash);
/* Move the conversations of user `from` to `into` (after a user merge). */
int messenger_conv_reassign(struct db *db, int64_t from, int64_t into);

/* Has the visitor of ticket_id's conversation seen comment_id (their
 * widget showed it: visitor_read_id >= comment_id)?  1 yes, 0 no (or not
 * a messenger ticket), DB_* on failure. */
int messenger_reply_read(struct db *db, int64_t ticket_id, int64_t comment_id);

/* Viewing/typing/read signals are outbox events that matter for seconds:
 * delete those committed before `before`, walking the events by id from
 * where the last prune stopped (setting "messenger.signals_pruned_id"),
 * at most MESSENGER_PRUNE_BATCH ids per call (a primary-key range, never a
 * scan of the whole outbox).  *deleted gets the count; run it inside
 * store_write().  0 when a batch was walked (call again), 1 when nothing
 * old enough is left, or DB_*. */
#define MESSENGER_PRUNE_BATCH 100000
int messenger_signals_prune(struct db *db, int64_t before, int64_t *deleted);

/* For reports: conversations since `since`, and of them self-served and
 * handed off. */
struct messenger_stats {
	int64_t conversations, self_served, handoffs, bot_answered;
};
int messenger_stats(struct db *db, int64_t since, struct messenger_stats *out);
#endif
