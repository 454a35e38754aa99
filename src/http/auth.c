/* auth.c - authentication schemes and the per-user rate limit.
 *
 * Tokens are 160-bit random hex strings; only their SHA-256 is stored, so a
 * lookup is one indexed query (no slow hash needed for high-entropy
 * secrets).  Passwords use argon2id from libsodium.  Verified password
 * logins are remembered for 60 s in a small table keyed by
 * SHA-256(email:password), so a client that sends the password on every
 * request does not pay argon2 each time.
 *
 * The rate limit is a fixed one-minute window per user in a hash table
 * guarded by one mutex; it is per process (see README: Operations).
 */
#include "http/auth.h"
#include "base/log.h"
#include "base/util.h"
#include "store/actor_store.h"
#include "store/user_store.h"
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int password_hash(const char *password, char **out)
{
	char h[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str_alg(h, password, strlen(password), 2, 19 * 1024 * 1024,
				  crypto_pwhash_ALG_ARGON2ID13))
		return -1;
	*out = xstrdup(h);
	return 0;
}

int password_verify(const char *hash, const char *password)
{
	return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void token_new(char out[41])
{
	unsigned char b[20];
	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, 41, b, sizeof(b));
}

void token_hash(const char *s, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* --- verified-password cache --- */
#define PWCACHE 64
static struct {
	char key[65];
	int64_t user_id, until;
} pwcache[PWCACHE];
static pthread_mutex_t pwlock = PTHREAD_MUTEX_INITIALIZER;

void auth_passwords_changed(void)
{
	pthread_mutex_lock(&pwlock);
	memset(pwcache, 0, sizeof(pwcache));
	pthread_mutex_unlock(&pwlock);
}

static int64_t pwcache_get(const char *key)
{
	int64_t id = 0;
	pthread_mutex_lock(&pwlock);
	for (int i = 0; i < PWCACHE; i++)
		if (!strcmp(pwcache[i].key, key) && pwcache[i].until > now_seconds())
			id = pwcache[i].user_id;
	pthread_mutex_unlock(&pwlock);
	return id;
}

static void pwcache_put(const char *key, int64_t user_id)
{
	pthread_mutex_lock(&pwlock);
	int slot = (int)(strtoul(key + 56, NULL, 16) % PWCACHE);
	snprintf(pwcache[slot].key, sizeof(pwcache[slot].key), "%s", key);
	pwcache[slot].user_id = user_id;
	pwcache[slot].until = now_seconds() + 60;
	pthread_mutex_unlock(&pwlock);
}

static int unauthorized(struct req *r)
{
	reply_error(r, 401, "Couldn't authenticate you", "Couldn't authenticate you", NULL);
	return -1;
}

static int load_actor(struct req *r, int64_t user_id, const char *email)
{
	struct user u = {0};
	int rc = user_store_get(req_db(r), user_id, &u);
	if (rc < 0) {
		reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
		return -1;
	}
	if (rc || (email && (!u.email || strcmp(u.email, email))) || !u.active || u.merged_into) {
		user_clear(&u);
		return unauthorized(r);
	}
	if (u.suspended) {
		user_clear(&u);
		reply_error(r, 403, "Forbidden", "the user is suspended", NULL);
		return -1;
	}
	r->actor.user_id = u.id;
	r->actor.role = u.role;
	r->actor.organization_id = u.organization_id;
	rc = actor_store_load(req_db(r), &r->actor, u.ticket_restriction);
	user_clear(&u);
	if (rc) {
		reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
		return -1;
	}
	r->authed = 1;
	return 0;
}

static int basic(struct req *r, const char *b64)
{
	char dec[512];
	size_t n;
	if (sodium_base642bin((unsigned char *)dec, sizeof(dec) - 1, b64, strlen(b64), NULL, &n,
			      NULL, sodium_base64_VARIANT_ORIGINAL))
		return unauthorized(r);
	dec[n] = '\0';
	if (strlen(dec) != n) /* NUL inside */
		return unauthorized(r);
	char *colon = strchr(dec, ':');
	if (!colon)
		return unauthorized(r);
	*colon = '\0';
	const char *user = dec, *secret = colon + 1;
	size_t ul = strlen(user);
	char *email = NULL;
	int64_t uid = 0;
	int rc;
	if (ul > 6 && !strcmp(user + ul - 6, "/token")) {
		dec[ul - 6] = '\0';
		char h[65];
		token_hash(secret, h);
		if (email_normalize(user, &email))
			return unauthorized(r);
		rc = token_store_lookup(req_db(r), "api", h, &uid);
	} else {
		if (!r->srv->cfg.password_auth) {
			reply_error(r, 401, "Couldn't authenticate you",
				    "password access is disabled; use an API token", NULL);
			return -1;
		}
		if (email_normalize(user, &email))
			return unauthorized(r);
		char key[65], mix[600];
		snprintf(mix, sizeof(mix), "%s:%s", email, secret);
		token_hash(mix, key);
		uid = pwcache_get(key);
		rc = 0;
		if (!uid) {
			struct user u = {0};
			rc = user_store_by_email(req_db(r), email, &u);
			if (rc == 0 && !password_verify(u.password_hash, secret))
				rc = 1;
			if (rc == 0) {
				uid = u.id;
				pwcache_put(key, uid);
			}
			user_clear(&u);
		}
	}
	if (rc) {
		free(email);
		return unauthorized(r);
	}
	rc = load_actor(r, uid, email);
	free(email);
	return rc;
}

static int cookie_session(struct req *r, const char *sid)
{
	char h[65], csrf[65];
	int64_t uid;
	token_hash(sid, h);
	if (session_store_lookup(req_db(r), h, now_seconds(), &uid, csrf))
		return unauthorized(r);
	if (r->method != M_GET) {
		const char *t = req_header(r, "X-CSRF-Token");
		if (!t || strlen(t) != strlen(csrf) || sodium_memcmp(t, csrf, strlen(csrf))) {
			reply_error(r, 403, "InvalidCSRFToken",
				    "missing or wrong X-CSRF-Token for a session request", NULL);
			return -1;
		}
	}
	return load_actor(r, uid, NULL);
}

/* --- authenticated-actor cache ---
 * Token and bearer lookups cost three queries; a request with the same
 * Authorization header within ACTOR_TTL seconds reuses the actor.  So a
 * revoked token, a suspension or a role change takes effect within that
 * time (README: Operations). */
#define ACTORS 256
#define ACTOR_TTL 5
static struct {
	char key[65];
	struct actor actor;
	int64_t until;
} actors[ACTORS];
static pthread_mutex_t actors_lock = PTHREAD_MUTEX_INITIALIZER;

static int actor_cached(const char *key, struct actor *out)
{
	int hit = 0;
	size_t i = strtoul(key + 58, NULL, 16) % ACTORS;
	pthread_mutex_lock(&actors_lock);
	if (!strcmp(actors[i].key, key) && actors[i].until >= now_seconds()) {
		*out = actors[i].actor;
		hit = 1;
	}
	pthread_mutex_unlock(&actors_lock);
	return hit;
}

static void actor_remember(const char *key, const struct actor *a)
{
	size_t i = strtoul(key + 58, NULL, 16) % ACTORS;
	pthread_mutex_lock(&actors_lock);
	snprintf(actors[i].key, sizeof(actors[i].key), "%s", key);
	actors[i].actor = *a;
	actors[i].until = now_seconds() + ACTOR_TTL;
	pthread_mutex_unlock(&actors_lock);
}

void auth_tokens_revoked(void)
{
	pthread_mutex_lock(&actors_lock);
	memset(actors, 0, sizeof(actors));
	pthread_mutex_unlock(&actors_lock);
}

static int auth_uncached(struct req *r, const char *h);

int auth_request_or_reply(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	if (!h || (strncasecmp(h, "Basic ", 6) && strncasecmp(h, "Bearer ", 7)))
		return auth_uncached(r, h);
	char key[65];
	token_hash(h, key);
	if (actor_cached(key, &r->actor)) {
		r->authed = 1;
		return 0;
	}
	int rc = auth_uncached(r, h);
	if (!rc)
		actor_remember(key, &r->actor);
	return rc;
}

static int auth_uncached(struct req *r, const char *h)
{
	if (h && !strncasecmp(h, "Basic ", 6))
		return basic(r, h + 6);
	if (h && !strncasecmp(h, "Bearer ", 7)) {
		char th[65];
		int64_t uid;
		token_hash(h + 7, th);
		if (token_store_lookup(req_db(r), "oauth", th, &uid))
			return unauthorized(r);
		return load_actor(r, uid, NULL);
	}
	const char *sid = req_cookie(r, "sonnim_session");
	if (sid && strlen(sid) == 40)
		return cookie_session(r, sid);
	return unauthorized(r);
}

struct session_arg {
	int64_t user_id;
	char hash[65], csrf[41];
};

static int session_write(struct db *db, void *p)
{
	struct session_arg *a = p;
	return session_store_add(db, a->hash, a->user_id, a->csrf, now_seconds() + 14 * 86400);
}

int session_create(struct server *s, int64_t user_id, char id[41], char csrf[41])
{
	struct session_arg a = {.user_id = user_id};
	token_new(id);
	token_new(csrf);
	token_hash(id, a.hash);
	memcpy(a.csrf, csrf, 41);
	return store_write(s->store, session_write, &a);
}

/* --- rate limit --- */
#define RL_SLOTS 4096
static struct {
	int64_t user_id, window;
	int count;
} rl[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

int ratelimit_check_or_reply(struct req *r)
{
	int limit = r->srv->cfg.rate_limit;
	if (limit <= 0)
		return 0;
	int64_t now = now_seconds(), window = now / 60;
	pthread_mutex_lock(&rl_lock);
	size_t i = (size_t)r->actor.user_id % RL_SLOTS;
	if (rl[i].user_id != r->actor.user_id || rl[i].window != window) {
		rl[i].user_id = r->actor.user_id;
		rl[i].window = window;
		rl[i].count = 0;
	}
	int used = ++rl[i].count;
	pthread_mutex_unlock(&rl_lock);
	r->rate_limit = limit;
	r->rate_remaining = used > limit ? 0 : limit - used;
	if (used <= limit)
		return 0;
	reply_error(r, 429, "TooManyRequests", "rate limit exceeded; retry after the given seconds",
		    NULL);
	char ra[16];
	snprintf(ra, sizeof(ra), "%d", (int)(60 - now % 60));
	reply_header(r, "Retry-After", ra);
	return -1;
}
