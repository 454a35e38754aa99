/* portal_store.c - rate-limit events, sign-in tokens and the status-link
 * secret of the customer portal (see portal_store.h).
 *
 * Each call is one or two indexed statements: the rate count is a range
 * read on portal_rate_events(key, at); adding an event also deletes that
 * key's events older than a day, so the table stays as small as a day of
 * submissions.  A sign-in token is used with one UPDATE ... WHERE unused
 * and unexpired, so it cannot be used twice even by two processes.  The
 * secret lives in the settings table (setting_get/setting_set).
 */
#include "store/portal_store.h"
#include "base/util.h"
#include "store/store.h"
#include "store/user_store.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int portal_rate_count(struct db *db, const char *key, int64_t since, int64_t *n)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT COUNT(*) FROM portal_rate_events WHERE key = ? AND at >= ?",
			  "si", key, since);
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int portal_rate_add(struct db *db, const char *key, int64_t now)
{
	int rc = db_query(db, NULL, "DELETE FROM portal_rate_events WHERE key = ? AND at < ?", "si",
			  key, now - 86400);
	if (!rc)
		rc = db_query(db, NULL, "INSERT INTO portal_rate_events (key, at) VALUES (?, ?)", "si",
			      key, now);
	return rc;
}

int portal_login_token_add(struct db *db, const char *token_hash, int64_t user_id,
			   int64_t expires_at)
{
	return db_query(db, NULL,
			"INSERT INTO portal_login_tokens (token_hash, user_id, expires_at)"
			" VALUES (?, ?, ?)",
			"sii", token_hash, user_id, expires_at);
}

int portal_login_token_use(struct db *db, const char *token_hash, int64_t now, int64_t *user_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "UPDATE portal_login_tokens SET used_at = ? WHERE token_hash = ?"
			  " AND used_at IS NULL AND expires_at > ? RETURNING user_id",
			  "isi", now, token_hash, now);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		*user_id = db_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int portal_secret(struct db *db, const char *fresh, char out[65])
{
	/* insert-if-absent, then read: when two processes make it at once,
	 * both end up with the one that was stored first */
	int rc = db_query(db, NULL,
			  "INSERT INTO settings (name, value) VALUES ('portal_secret', ?)"
			  " ON CONFLICT (name) DO NOTHING",
			  "s", fresh);
	char *v = NULL;
	if (!rc)
		rc = setting_get(db, "portal_secret", &v);
	if (rc) {
		free(v);
		return rc < 0 ? rc : DB_ERR;
	}
	snprintf(out, 65, "%s", v);
	free(v);
	return 0;
}

struct secret_arg {
	char fresh[65], out[65];
};

static int secret_run(struct db *db, void *arg)
{
	struct secret_arg *a = arg;
	return portal_secret(db, a->fresh, a->out);
}

static pthread_mutex_t secret_lock = PTHREAD_MUTEX_INITIALIZER;
static char secret_cache[65];

int portal_secret_load(struct store *st, char out[65])
{
	pthread_mutex_lock(&secret_lock);
	int rc = 0;
	if (!secret_cache[0]) {
		struct secret_arg a;
		unsigned char b[32];
		randombytes_buf(b, sizeof(b));
		sodium_bin2hex(a.fresh, sizeof(a.fresh), b, sizeof(b));
		rc = store_write(st, secret_run, &a);
		if (!rc)
			memcpy(secret_cache, a.out, sizeof(secret_cache));
	}
	if (!rc)
		memcpy(out, secret_cache, 65);
	pthread_mutex_unlock(&secret_lock);
	return rc;
}
