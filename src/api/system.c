/* system.c - /healthz, /metrics, browser sessions.
 * /healthz is the trivial endpoint the benchmarks use as their ceiling: it
 * touches no database. */
#include "api/api.h"
#include "base/util.h"
#include "http/auth.h"
#include "http/metrics.h"
#include "store/user_store.h"
#include <string.h>

static int healthz(struct req *r)
{
	return reply_raw(r, 200, "application/json", "{\"status\":\"ok\"}", 15);
}

static int metrics(struct req *r)
{
	struct buf b = BUF_INIT;
	struct store_stats st;
	store_stats(r->srv->store, &st);
	metrics_render(&b);
	buf_addf(&b,
		 "# HELP sonnim_db_seconds_total Time spent in database calls.\n"
		 "# TYPE sonnim_db_seconds_total counter\nsonnim_db_seconds_total %.6f\n"
		 "# HELP sonnim_db_queries_total Database statements run.\n"
		 "# TYPE sonnim_db_queries_total counter\nsonnim_db_queries_total %lld\n"
		 "# HELP sonnim_db_commits_total Group commits by the writer.\n"
		 "# TYPE sonnim_db_commits_total counter\nsonnim_db_commits_total %lld\n"
		 "# HELP sonnim_db_writes_total Write transactions (savepoints) committed.\n"
		 "# TYPE sonnim_db_writes_total counter\nsonnim_db_writes_total %lld\n"
		 "# HELP sonnim_write_queue_depth Writes waiting for the writer.\n"
		 "# TYPE sonnim_write_queue_depth gauge\nsonnim_write_queue_depth %lld\n"
		 "# HELP sonnim_http_inflight Requests being handled.\n"
		 "# TYPE sonnim_http_inflight gauge\nsonnim_http_inflight %lld\n",
		 db_time_ns_total() / 1e9, (long long)db_queries_total(), (long long)st.commits,
		 (long long)st.writes, (long long)st.queue_depth, (long long)server_inflight());
	extern void jobs_metrics(struct server * s, struct buf * b);
	jobs_metrics(r->srv, &b);
	reply_raw(r, 200, "text/plain; version=0.0.4", b.s, b.len);
	buf_release(&b);
	return 0;
}

/* POST /api/v2/sonnim/session.json {"email","password"} -> cookie + CSRF
 * token for the workspace.  Rate-limited like every login by argon2's cost. */
static int session_login(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	char *email = NULL, *password = NULL, *norm = NULL, err[128] = "";
	jget_str(body, "email", &email, err, sizeof(err));
	jget_str(body, "password", &password, err, sizeof(err));
	json_decref(body);
	struct user u = {0};
	int ok = email && password && !email_normalize(email, &norm) &&
		 user_store_by_email(req_db(r), norm, &u) == 0 && u.active && !u.suspended &&
		 password_verify(u.password_hash, password);
	free(email);
	free(password);
	free(norm);
	if (!ok) {
		user_clear(&u);
		return reply_error(r, 401, "Couldn't authenticate you", "wrong email or password",
				   NULL);
	}
	char sid[41], csrf[41];
	if (session_create(r->srv, u.id, sid, csrf)) {
		user_clear(&u);
		return reply_error(r, 500, "InternalError", "the session could not be saved", NULL);
	}
	snprintf(r->session_cookie, sizeof(r->session_cookie),
		 "sonnim_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=1209600", sid);
	json_t *out = json_pack("{s:o,s:s}", "user", user_json(r->srv, &u), "csrf_token", csrf);
	user_clear(&u);
	return reply_json(r, 200, out);
}

/* GET /api/v2/sonnim/session.json: who is signed in (+ csrf_token for a
 * cookie session). */
static int session_show(struct req *r)
{
	struct user u = {0};
	if (user_store_get(req_db(r), r->actor.user_id, &u))
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", "user", user_json(r->srv, &u));
	user_clear(&u);
	/* a browser session also gets its CSRF token back, so a reloaded page
	 * can write again (a same-origin read: other sites cannot see it) */
	const char *sid = req_cookie(r, "sonnim_session");
	char h[65], csrf[65];
	int64_t uid;
	if (!req_header(r, "Authorization") && sid && strlen(sid) == 40) {
		token_hash(sid, h);
		if (!session_store_lookup(req_db(r), h, now_seconds(), &uid, csrf) &&
		    uid == r->actor.user_id)
			json_object_set_new(out, "csrf_token", json_string(csrf));
	}
	return reply_json(r, 200, out);
}

struct logout_arg {
	char hash[65];
};

static int logout_write(struct db *db, void *p)
{
	struct logout_arg *a = p;
	return session_store_delete(db, a->hash);
}

/* DELETE /api/v2/sonnim/session.json: sign out (the cookie's session is
 * deleted; other sessions of the user stay). */
static int session_logout(struct req *r)
{
	const char *sid = req_cookie(r, "sonnim_session");
	if (!sid || strlen(sid) != 40)
		return reply_error(r, 400, "NoSession", "this request has no browser session", NULL);
	struct logout_arg a;
	token_hash(sid, a.hash);
	if (store_write(r->srv->store, logout_write, &a))
		return reply_db_down(r);
	snprintf(r->session_cookie, sizeof(r->session_cookie),
		 "sonnim_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
	return reply_raw(r, 204, "application/json", "", 0);
}

const struct route system_routes[] = {
	{M_GET, "/healthz", PUBLIC, healthz, 0},
	{M_GET, "/metrics", PUBLIC, metrics, 0},
	{M_POST, "/api/v2/sonnim/session.json", PUBLIC, session_login, 0},
	{M_GET, "/api/v2/sonnim/session.json", ROLE_END_USER, session_show, 0},
	{M_DELETE, "/api/v2/sonnim/session.json", ROLE_END_USER, session_logout, 0},
	{0},
};
