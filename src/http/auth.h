/* auth.h - who is asking, and may they ask this often.
 *
 * auth_request_or_reply() accepts, in this order:
 *   Authorization: Basic base64("email/token:TOKEN")   API token
 *   Authorization: Basic base64("email:password")      password (when enabled)
 *   Authorization: Bearer TOKEN                        OAuth-style access token
 *   Cookie: sonnim_session=ID                          browser session; writes
 *        (POST/PUT/PATCH/DELETE) also need X-CSRF-Token: the session's token
 * On success fills r->actor, sets r->authed and returns 0; otherwise replies
 * 401 (or 403 for a suspended user) and returns -1.
 *
 * ratelimit_check_or_reply() counts the request against the actor's
 * per-minute budget (cfg.rate_limit), sets the X-Rate-Limit headers and
 * replies 429 with Retry-After when it is spent. */
#ifndef SONNIM_AUTH_H
#define SONNIM_AUTH_H
#include "http/http.h"

int auth_request_or_reply(struct req *r);
int ratelimit_check_or_reply(struct req *r);

/* argon2id (OWASP's m=19 MiB, t=2): hash into out (owned), 0 or -1. */
int password_hash(const char *password, char **out);
/* 1 if password matches hash, 0 if not. */
int password_verify(const char *hash, const char *password);
/* Forget every remembered password login (call after a password change,
 * so the old password stops working at once). */
void auth_passwords_changed(void);
/* A token was revoked: forget every cached actor (this process at once;
 * other processes within the cache's few seconds). */
void auth_tokens_revoked(void);
/* A new random token: 40 hex characters in out[41]. */
void token_new(char out[41]);
/* Lower-case hex SHA-256 of s into out[65]. */
void token_hash(const char *s, char out[65]);

/* Create a browser session for user_id: session id and CSRF token out. */
int session_create(struct server *s, int64_t user_id, char id[41], char csrf[41]);
#endif
