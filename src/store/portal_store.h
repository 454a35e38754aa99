/* portal_store.h - what the customer side of the help center keeps:
 * rate-limit events of the contact form, one-time sign-in links, and the
 * secret that signs status links.
 *
 * Rate limits count events per key ("ip:<address>", "email:<address>") in
 * a sliding window; the caller checks the count and adds the event in the
 * same store_write(), so two processes cannot both take the last slot.
 * Sign-in tokens are stored as SHA-256; a token works once, before it
 * expires.  Conventions as in the other stores: 0, 1 for "no such row",
 * or DB_*.
 */
#ifndef SONNIM_PORTAL_STORE_H
#define SONNIM_PORTAL_STORE_H
#include "store/db.h"

/* Events of key at or after since into *n. */
int portal_rate_count(struct db *db, const char *key, int64_t since, int64_t *n);
/* Add one event of key at now; events of key older than a day go. */
int portal_rate_add(struct db *db, const char *key, int64_t now);

/* Remember a sign-in token (token_hash: 64 hex) for user_id until expires_at. */
int portal_login_token_add(struct db *db, const char *token_hash, int64_t user_id,
			   int64_t expires_at);
/* Use a sign-in token: 0 and *user_id when it is known, unused and not
 * expired at now (it is then marked used), else 1. */
int portal_login_token_use(struct db *db, const char *token_hash, int64_t now, int64_t *user_id);

/* The secret that signs status links (64 hex in out), made on first use
 * from fresh (64 hex the caller drew at random); an existing one is never
 * replaced, also when two processes make it at once.  Run inside
 * store_write. */
int portal_secret(struct db *db, const char *fresh, char out[65]);

struct store;
/* The secret for the server: read (made on first use) once through the
 * store's writer, then kept for the process (a process serves one
 * workspace, so one cached value).  0, or a DB_* code. */
int portal_secret_load(struct store *st, char out[65]);
#endif
