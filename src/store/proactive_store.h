/* proactive_store.h - banners, prompts and campaigns in the database
 * (structs in core/proactive.h).
 *
 * Tables: proactive_items (banners and prompts, column kind), campaigns,
 * campaign_deliveries (one row per campaign, user and channel: the UNIQUE
 * key makes sending exactly-once however many times the send job runs, on
 * however many workers), campaign_messages (what a campaign left in a
 * user's messenger) and campaign_opt_outs (one row per user who opted out
 * of campaigns).
 *
 * Getters return 0 and fill *out, 1 when there is no such row, or a
 * negative DB_* code.  Writers run inside store_write() and return 0, 1
 * (no such row) or a DB_* code.
 */
#ifndef SONNIM_PROACTIVE_STORE_H
#define SONNIM_PROACTIVE_STORE_H
#include "core/proactive.h"
#include "store/db.h"
#include <jansson.h>

int proactive_store_get(struct db *db, int kind, int64_t id, struct proactive_item *out);
/* Items of kind, by id, id > after, at most limit; site_key NULL = all. */
int proactive_store_list(struct db *db, int kind, const char *site_key, int64_t after, int limit,
			 struct proactive_item **out, int *n);
/* Switched-on items of kind for site_key (help_center 1: banners for the
 * /hc pages instead - show_in_help_center or site "hc") whose schedule
 * holds now, by id.  At most 200. */
int proactive_store_live(struct db *db, int kind, const char *site_key, int help_center,
			 int64_t now, struct proactive_item **out, int *n);
void proactive_list_free(struct proactive_item *v, int n);
/* Insert it (sets it->id) / write every field of it by id and kind. */
int proactive_store_insert(struct db *db, struct proactive_item *it);
int proactive_store_update(struct db *db, const struct proactive_item *it);
int proactive_store_delete(struct db *db, int kind, int64_t id);

/* What a page shows: {"banners": [{id, text, level, dismissible}],
 * "prompts": [{id, delay_seconds, message}], "messages": [{id, body,
 * sent_at, unsubscribe_url}]} for site_key and url, for user_id (0 = an
 * anonymous visitor:
 * audiences other than everyone never match, and there are no messages),
 * texts in locale (NULL = the default).  *out owned by the caller.  An
 * unknown site or an unusable URL gives empty lists.  unsubscribe_url is
 * the visitor's own opt-out page, relative to the server
 * ("/hc/unsubscribe?token=..&locale=.."), null while no site secret
 * exists (the store makes one when it first opens).  0 or DB_*. */
int proactive_for_page(struct db *db, const char *site_key, const char *url, int64_t user_id,
		       const char *locale, int64_t now, json_t **out);
/* The help center's banner strip for path (the /hc page being shown) and
 * user_id (0 anonymous), in locale: escaped HTML appended to out (nothing
 * when no banner applies).  0 or DB_*. */
int proactive_hc_strip(struct db *db, const char *path, int64_t user_id, const char *locale,
		       int64_t now, struct buf *out);

/* Campaigns.  Getters fill counts. */
int campaign_store_get(struct db *db, int64_t id, struct campaign *out);
int campaign_store_list(struct db *db, int64_t after, int limit, struct campaign **out, int *n);
void campaign_list_free(struct campaign *v, int n);
int campaign_store_insert(struct db *db, struct campaign *c, int64_t created_by);
/* Write name, segment, channels, subject, body, status, send_at, times. */
int campaign_store_update(struct db *db, const struct campaign *c);
/* Delete the campaign, its deliveries and the messages it left. */
int campaign_store_delete(struct db *db, int64_t id);

/* One recipient on one channel. */
struct campaign_delivery {
	int64_t id, campaign_id, user_id;
	char channel[16];	/* "email" or "messenger" */
	char status[16];	/* "queued", "sent", "skipped", "opted_out", "failed" */
};
/* The deliveries of a campaign with id > after, by id, at most limit, as
 * JSON objects {id, user_id, channel, status, error, created_at,
 * updated_at} appended to arr. */
int campaign_delivery_list(struct db *db, int64_t campaign_id, int64_t after, int limit,
			   json_t *arr);
/* Add the delivery row unless (campaign, user, channel) has one: 0 and
 * *id when added, 1 when it was there already (nothing changed). */
int campaign_delivery_add(struct db *db, int64_t campaign_id, int64_t user_id,
			  const char *channel, const char *status, const char *error, int64_t now,
			  int64_t *id);
int campaign_delivery_get(struct db *db, int64_t id, struct campaign_delivery *out);
/* Set status (and error, NULL none) of a delivery still "queued": 0, or 1
 * when it is not queued any more (another run finished it). */
int campaign_delivery_finish(struct db *db, int64_t id, const char *status, const char *error,
			     int64_t now);
int campaign_message_add(struct db *db, int64_t campaign_id, int64_t user_id, const char *body,
			 int64_t now);
/* Record that user_id wants no more campaigns (campaign_id: from which,
 * 0 unknown): 0 recorded now, 1 recorded before. */
int campaign_opt_out(struct db *db, int64_t user_id, int64_t campaign_id, int64_t now);
/* 1 when user_id opted out, 0 when not, or DB_*. */
int campaign_opted_out(struct db *db, int64_t user_id);
#endif
