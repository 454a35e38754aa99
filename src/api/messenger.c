/* messenger.c - the web messenger: its public API, the embeddable widget
 * and the admin API for sites; also the agents' viewing/typing signals.
 *
 * Public (no account; a conversation is reached with its bearer token):
 *   GET  /messenger/widget.js                         the loader for <script>
 *   GET  /messenger/frame?site=KEY                    the iframe's page (CSP
 *        frame-ancestors = the site's origins), GET /messenger/frame.js its app
 *   GET  /messenger/v1/sites/{key}                    look, greeting, business hours
 *   POST /messenger/v1/sites/{key}/conversations      {"body","name"?,"email"?,
 *        "upload_tokens"?} -> 201 {"conversation","token","messages","bot"}
 *   POST /messenger/v1/sites/{key}/identify           {"jwt"} or {"email","name"?},
 *        with "tokens": the visitor's conversation tokens -> the person and
 *        their conversations (a signed identity gets a fresh token for each,
 *        and a "visitor_token" the proactive endpoint takes as Bearer)
 *   GET  /messenger/v1/conversations/{id}/messages?after=N
 *   POST /messenger/v1/conversations/{id}/messages    {"body","upload_tokens"?}
 *   POST /messenger/v1/conversations/{id}/uploads?filename=NAME   raw bytes
 *   GET  /messenger/v1/conversations/{id}/attachments/{id}        the bytes
 *   POST /messenger/v1/conversations/{id}/typing      {"typing": bool}
 *   POST /messenger/v1/conversations/{id}/read        {"comment_id"}
 *   GET  /messenger/v1/conversations/{id}/stream?token=T   SSE (http/sse.c)
 *   POST /messenger/v1/conversations/{id}/handoff     "talk to a person"
 *   POST /messenger/v1/conversations/{id}/solved      {"article_id"}: "that solved it"
 *   POST /messenger/v1/conversations/{id}/click       {"article_id"}: the visitor
 *        followed one of the bot's articles (answer_bot_click; the widget
 *        holds the bearer token, not the bot's interaction token)
 * Agents and admins:
 *   POST /api/v2/sonnim/tickets/{id}/signals[.json]        {"kind":"viewing"|"typing"|"left"}
 *   GET  /api/v2/sonnim/messenger/stats.json?since=T  conversations, self-served, handoffs
 *   GET|POST /api/v2/sonnim/messenger/sites.json, GET|PUT|DELETE .../sites/{id}.json
 *
 * A conversation is a ticket via "messaging" whose requester is the
 * visitor (an end-user made for them: anonymous until they leave an email
 * or the site signs them in); its messages are the ticket's public
 * comments.  Every write goes through ticket_write_run(), so messages,
 * like every change, land in the events outbox with the comment and reach
 * agents on any process through the SSE hub.  Typing, viewing and read
 * receipts are events too ("signal.*": no audit, no comment), so they
 * travel the same path.
 *
 * Who may call: the Origin header, when present, must be this server's
 * own origin or one of the site's origins (then it is echoed in
 * Access-Control-Allow-Origin); anything else is refused with 403.  The
 * iframe itself can only be embedded by the site's origins (CSP
 * frame-ancestors).  OPTIONS on every public /messenger/v1 path answers the
 * browser's CORS preflight the same way (preflight(), below).
 *
 * Rate limits (channels/widget/limit.h, in memory per process): per IP
 * address (cfg.messenger_ip_limit) and per conversation (MSG_CONV_MINUTE
 * messages, SIGNAL_CONV_MINUTE signals), 429 with Retry-After.
 *
 * Costs: a conversation request is one site read, one token lookup and
 * one small write; the history is one indexed comment read plus one user
 * read per distinct author.
 */
#include "api/api.h"
#include "api/help_center.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/widget/jwt.h"
#include "channels/widget/limit.h"
#include "core/schedule.h"
#include "http/auth.h"
#include "http/sse.h"
#include "http/static.h"
#include "store/answer_bot_store.h"
#include "store/hc_store.h"
#include "store/messenger_store.h"
#include "store/schedule_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGE 4000	/* characters of one message */
/* per address: cfg.messenger_ip_limit new conversations a minute, and 30
 * times that of any messenger request */
#define PER_IP_FACTOR 30
#define MSG_CONV_MINUTE 30	/* messages a minute in one conversation */
#define SIGNAL_CONV_MINUTE 60	/* typing/read signals a minute in one conversation */
/* how long a visitor token (from a signed identify) is good for: the
 * widget asks for a fresh one on every page load, like the identity's own
 * 7-day iat window */
#define VISITOR_TOKEN_SECONDS (7 * 86400)

/* The origin to echo in Access-Control-Allow-Origin for this request. */
static _Thread_local char cors_origin[256];

/* ---- who is asking ------------------------------------------------------ */

static void own_origin(struct req *r, char *out, size_t n, const char *scheme)
{
	const char *host = req_header(r, "Host");
	snprintf(out, n, "%s://%s", scheme, host ? host : "");
}

/* 1 when origin is this server (its Host, or base_url). */
static int origin_is_self(struct req *r, const char *origin)
{
	char a[300];
	own_origin(r, a, sizeof(a), "http");
	if (!strcmp(origin, a))
		return 1;
	own_origin(r, a, sizeof(a), "https");
	if (!strcmp(origin, a))
		return 1;
	const char *b = r->srv->cfg.base_url;
	size_t ol = strlen(origin);
	return ol && !strncmp(b, origin, ol) && (b[ol] == '\0' || b[ol] == '/');
}

/* The Origin header may call for site s: 0, or -1 after a 403. */
static int origin_or_reply(struct req *r, const struct messenger_site *s)
{
	const char *o = req_header(r, "Origin");
	if (!o || origin_is_self(r, o))
		return 0;
	if (s && strlist_has(&s->origins, o) && strlen(o) < sizeof(cors_origin)) {
		snprintf(cors_origin, sizeof(cors_origin), "%s", o);
		return 0;
	}
	reply_error(r, 403, "OriginNotAllowed", "this site may not use the messenger from that origin",
		    NULL);
	return -1;
}

static int too_many(struct req *r, const char *what)
{
	reply_error(r, 429, "TooManyRequests", what, NULL);
	reply_header(r, "Retry-After", "60");
	return -1;
}

/* Count one request from this address: 0, or -1 after a 429. */
static int ip_limit_or_reply(struct req *r, const char *kind, int factor)
{
	int per_minute = r->srv->cfg.messenger_ip_limit * factor;
	if (per_minute <= 0)
		return 0; /* no limit configured */
	char ip[64], key[96];
	hc_client_ip(r, ip, sizeof(ip));
	snprintf(key, sizeof(key), "%s:%s", kind, ip);
	if (limit_hit(key, per_minute, now_seconds()))
		return 0;
	return too_many(r, "too many requests from this address; try again in a minute");
}

static int site_or_reply(struct req *r, const char *key, struct messenger_site *s)
{
	if (ip_limit_or_reply(r, "ip", PER_IP_FACTOR))
		return -1;
	int rc = messenger_site_by_key(req_db(r), key, s);
	if (rc < 0) {
		reply_db_down(r);
		return -1;
	}
	if (rc) {
		reply_error(r, 404, "RecordNotFound", "no messenger site with that key", NULL);
		return -1;
	}
	if (origin_or_reply(r, s)) {
		messenger_site_clear(s);
		return -1;
	}
	return 0;
}

static const char *bearer(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	if (h && !strncasecmp(h, "Bearer ", 7))
		return h + 7;
	return req_arg(r, "token");
}

/* The conversation r->id[0] opened by the request's token (header or
 * ?token=), with its site: 0, or -1 after replying (401/404/403/429). */
static int conv_or_reply(struct req *r, struct messenger_conv *c, struct messenger_site *s)
{
	if (ip_limit_or_reply(r, "ip", PER_IP_FACTOR))
		return -1;
	const char *tok = bearer(r);
	if (!tok || strlen(tok) != 40) {
		reply_error(r, 401, "Unauthorized", "a conversation token is required", NULL);
		return -1;
	}
	char h[65];
	token_hash(tok, h);
	int rc = messenger_conv_by_token(req_db(r), h, c);
	if (rc < 0) {
		reply_db_down(r);
		return -1;
	}
	if (rc || c->id != r->id[0]) {
		reply_error(r, 404, "RecordNotFound", "no such conversation for this token", NULL);
		return -1;
	}
	rc = messenger_site_get(req_db(r), c->site_id, s);
	if (rc) {
		if (rc < 0)
			reply_db_down(r);
		else
			reply_error(r, 404, "RecordNotFound", "the messenger site is gone", NULL);
		return -1;
	}
	if (origin_or_reply(r, s)) {
		messenger_site_clear(s);
		return -1;
	}
	/* the visitor acts as the end-user the conversation belongs to */
	memset(&r->actor, 0, sizeof(r->actor));
	r->actor.user_id = c->user_id;
	r->actor.role = ROLE_END_USER;
	r->authed = 1;
	return 0;
}

/* The proactive endpoint's visitor (core/proactive.h): the end-user whose
 * token of site_key this is -> 0 and *user_id.  Either kind: a
 * conversation token, or a visitor token from a signed identify (for a
 * person who has not written yet; VISITOR_TOKEN_SECONDS old at most).  -1
 * when the token is malformed, unknown, expired, of another site, or the
 * store fails (the visitor is then treated as anonymous). */
int messenger_visitor_user(struct db *db, const char *site_key, const char *token,
			   int64_t *user_id)
{
	if (!token || strlen(token) != 40)
		return -1;
	char h[65];
	token_hash(token, h);
	struct messenger_conv c;
	int64_t site_id, uid;
	if (messenger_conv_by_token(db, h, &c) == 0) {
		site_id = c.site_id;
		uid = c.user_id;
	} else if (messenger_visitor_token_user(db, h, now_seconds() - VISITOR_TOKEN_SECONDS,
						&site_id, &uid)) {
		return -1;
	}
	struct messenger_site s = {0};
	if (messenger_site_get(db, site_id, &s))
		return -1;
	int same = !strcmp(s.site_key, site_key);
	messenger_site_clear(&s);
	if (!same)
		return -1;
	*user_id = uid;
	return 0;
}

/* conv_or_reply() for handlers that need only the conversation. */
static int visitor_or_reply(struct req *r, struct messenger_conv *c)
{
	struct messenger_site s = {0};
	if (conv_or_reply(r, c, &s))
		return -1;
	messenger_site_clear(&s);
	return 0;
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *site_public_json(struct req *r, const struct messenger_site *s)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:o,s:b,s:i}", "key", s->site_key, "name", s->name,
			      "color", s->color, "greeting", jstr(s->greeting), "logo_url",
			      jstr(s->logo_url), "bot", s->bot_enabled, "reply_minutes",
			      s->reply_minutes);
	/* business hours: the site's schedule, else the default one */
	int64_t sid = s->schedule_id;
	int rc = sid ? 0 : schedule_store_for_group(req_db(r), 0, &sid);
	struct schedule sc;
	if (!rc && sid && schedule_store_open(req_db(r), sid, &sc) == 0) {
		int64_t now = now_seconds(), next = 0;
		int open = schedule_within(&sc, now);
		if (!open && schedule_add(&sc, now, 1, &next) == 0)
			next -= 1;
		json_object_set_new(j, "business_hours",
				    json_pack("{s:b,s:o}", "open", open, "next_open_at",
					      open ? json_null() : jtime(next)));
		schedule_release(&sc);
	} else {
		json_object_set_new(j, "business_hours", json_null());
	}
	json_object_set_new(j, "jwt", json_boolean(s->jwt_secret && *s->jwt_secret));
	return j;
}

static json_t *site_admin_json(const struct messenger_site *s)
{
	json_t *o = json_array();
	for (size_t i = 0; i < s->origins.n; i++)
		json_array_append_new(o, json_string(s->origins.v[i]));
	return json_pack("{s:I,s:s,s:s,s:o,s:b,s:s,s:o,s:o,s:b,s:o,s:i,s:o,s:o}", "id",
			 (json_int_t)s->id, "key", s->site_key, "name", s->name, "origins", o,
			 "has_jwt_secret", s->jwt_secret && *s->jwt_secret, "color", s->color,
			 "greeting", jstr(s->greeting), "logo_url", jstr(s->logo_url), "bot",
			 s->bot_enabled, "schedule_id", jid(s->schedule_id), "reply_minutes",
			 s->reply_minutes, "created_at", jtime(s->created_at), "updated_at",
			 jtime(s->updated_at));
}

/* Author names, read once per request. */
struct names {
	int64_t id[32];
	char *name[32];
	int role[32];
	int n;
};

static void names_clear(struct names *nm)
{
	for (int i = 0; i < nm->n; i++)
		free(nm->name[i]);
	nm->n = 0;
}

static int name_of(struct db *db, struct names *nm, int64_t uid, const char **name)
{
	for (int i = 0; i < nm->n; i++)
		if (nm->id[i] == uid) {
			*name = nm->name[i];
			return nm->role[i];
		}
	struct user u = {0};
	int role = ROLE_AGENT;
	const char *n = "";
	if (user_store_get(db, uid, &u) == 0) {
		role = u.role;
		n = u.alias && *u.alias ? u.alias : u.name;
	}
	if (nm->n == 32)
		names_clear(nm);
	nm->id[nm->n] = uid;
	nm->name[nm->n] = xstrdup(n ? n : "");
	nm->role[nm->n] = role;
	user_clear(&u);
	*name = nm->name[nm->n];
	return nm->role[nm->n++];
}

static json_t *message_json(struct req *r, const struct messenger_conv *c,
			    const struct comment *cm, struct names *nm)
{
	const char *name = "";
	const char *who;
	if (!strcmp(cm->via_channel ? cm->via_channel : "", "answer_bot"))
		who = "bot";
	else if (cm->author_id == c->user_id)
		who = "visitor";
	else
		who = name_of(req_db(r), nm, cm->author_id, &name) >= ROLE_AGENT ? "agent" : "visitor";
	json_t *att = json_array();
	for (int i = 0; i < cm->nattachments; i++) {
		char url[256];
		snprintf(url, sizeof(url), "/messenger/v1/conversations/%" PRId64 "/attachments/%" PRId64,
			 c->id, cm->attachments[i].id);
		json_array_append_new(att, json_pack("{s:I,s:o,s:o,s:I,s:s}", "id",
						     (json_int_t)cm->attachments[i].id, "file_name",
						     jstr(cm->attachments[i].file_name), "content_type",
						     jstr(cm->attachments[i].content_type), "size",
						     (json_int_t)cm->attachments[i].size, "url", url));
	}
	json_t *j = json_pack("{s:I,s:o,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)cm->id, "body",
			      jstr(cm->body), "author", who, "author_name", name, "via",
			      jstr(cm->via_channel), "created_at", jtime(cm->created_at),
			      "attachments", att);
	return j ? j : json_pack("{s:I}", "id", (json_int_t)cm->id);
}

static json_t *messages_json(struct req *r, const struct messenger_conv *c, int64_t after)
{
	struct comment *v = NULL;
	int n = 0;
	if (comment_store_list(req_db(r), c->ticket_id, 1, after, 500, &v, &n))
		return NULL;
	struct names nm = {0};
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, message_json(r, c, &v[i], &nm));
	names_clear(&nm);
	comment_list_free(v, n);
	return a;
}

static json_t *conv_json(struct req *r, const struct messenger_conv *c, const char *token)
{
	struct ticket t = {0};
	int have = ticket_store_get(req_db(r), c->ticket_id, &t) == 0;
	json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:o,s:I,s:o,s:o}", "id", (json_int_t)c->id,
			      "ticket_id", (json_int_t)c->ticket_id, "status",
			      have && t.status ? t.status : "closed", "subject",
			      have && t.subject ? t.subject : "", "outcome",
			      c->outcome[0] ? json_string(c->outcome) : json_null(), "read_id",
			      (json_int_t)c->visitor_read_id, "created_at", jtime(c->created_at),
			      "updated_at", jtime(have ? t.updated_at : c->updated_at));
	if (token)
		json_object_set_new(j, "token", json_string(token));
	ticket_clear(&t);
	return j;
}

/* The articles the answer bot offered in deflection d. */
static json_t *bot_json(struct req *r, const struct ab_deflection *d, const char *outcome)
{
	json_t *arts = json_array();
	struct hc_view v = {0};
	for (size_t i = 0; i < d->article_ids.n; i++) {
		struct hc_article a = {0};
		if (hc_article_get(req_db(r), d->article_ids.v[i], &v, &a))
			continue;
		char url[512];
		snprintf(url, sizeof(url), "%s/hc/%s/articles/%" PRId64, r->srv->cfg.base_url,
			 a.tr.locale, a.id);
		json_t *one = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)a.id, "title",
					a.tr.title ? a.tr.title : "", "url", url);
		if (one)
			json_array_append_new(arts, one);
		hc_article_clear(&a);
	}
	return json_pack("{s:o,s:s,s:o}", "articles", arts, "state", d->state, "outcome",
			 outcome && *outcome ? json_string(outcome) : json_null());
}

/* ---- the widget's files --------------------------------------------------- */

static int widget_js(struct req *r)
{
	const struct web_asset *a = static_find("widget/loader.js");
	if (!a)
		return reply_not_found(r);
	static_reply(r, a);
	reply_header(r, "Access-Control-Allow-Origin", "*");
	return 0;
}

static int frame_js(struct req *r)
{
	const struct web_asset *a = static_find("widget/frame.js");
	return a ? static_reply(r, a) : reply_not_found(r);
}

static int frame_page(struct req *r)
{
	const char *key = req_arg(r, "site");
	struct messenger_site s = {0};
	if (!key || strlen(key) > 64)
		return reply_error(r, 404, "RecordNotFound", "no messenger site with that key", NULL);
	int rc = messenger_site_by_key(req_db(r), key, &s);
	if (rc)
		return rc < 0 ? reply_db_down(r)
			      : reply_error(r, 404, "RecordNotFound", "no messenger site with that key",
					    NULL);
	struct buf csp = BUF_INIT;
	buf_adds(&csp, "default-src 'self'; img-src 'self' https: data:; style-src 'self' "
		       "'unsafe-inline'; frame-ancestors 'self'");
	for (size_t i = 0; i < s.origins.n; i++)
		/* origins were checked on save: scheme://host[:port], no spaces or ';' */
		buf_addf(&csp, " %s", s.origins.v[i]);
	static const char page[] =
	    "<!doctype html><html><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<title>Messenger</title></head><body><div id=\"app\"></div>"
	    "<script src=\"/messenger/frame.js\"></script></body></html>";
	reply_static(r, 200, "text/html; charset=utf-8", page, sizeof(page) - 1);
	reply_header(r, "Content-Security-Policy", csp.s);
	buf_release(&csp);
	messenger_site_clear(&s);
	return 0;
}

/* ---- public API: site ------------------------------------------------------ */

static int site_show(struct req *r)
{
	struct messenger_site s = {0};
	if (site_or_reply(r, r->word, &s))
		return 0;
	reply_json(r, 200, json_pack("{s:o}", "site", site_public_json(r, &s)));
	messenger_site_clear(&s);
	return 0;
}

/* Members that must be strings when present (jget_str also takes numbers,
 * as Zendesk does for text fields; a message or a token is never one). */
static int strings_or_reply(struct req *r, json_t *j, const char *const *keys)
{
	for (; *keys; keys++) {
		json_t *v = json_object_get(j, *keys);
		if (v && !json_is_string(v) && !json_is_null(v)) {
			char msg[96];
			snprintf(msg, sizeof(msg), "%s: must be a string", *keys);
			reply_invalid(r, msg);
			return -1;
		}
	}
	return 0;
}

/* Text of a message: present, UTF-8 (jansson checked), at most MAX_MESSAGE
 * characters.  0 or -1 after a 422/413. */
static int body_or_reply(struct req *r, json_t *j, char **body, struct strlist *uploads)
{
	char err[128] = "";
	*body = NULL;
	static const char *const keys[] = {"body", NULL};
	if (strings_or_reply(r, j, keys))
		return -1;
	if ((jget_str(j, "body", body, err, sizeof(err)) < 0) ||
	    (jget_strs(j, "upload_tokens", uploads, err, sizeof(err)) < 0)) {
		reply_invalid(r, err);
		return -1;
	}
	const char *b = *body ? *body : "";
	while (isspace((unsigned char)*b))
		b++;
	if (!*b && !uploads->n) {
		reply_invalid(r, "body: a message needs text or a file");
		return -1;
	}
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)*body; p && *p; p++)
		chars += (*p & 0xC0) != 0x80;
	if (chars > MAX_MESSAGE) {
		reply_error(r, 413, "MessageTooLong", "the message is longer than 4000 characters",
			    NULL);
		return -1;
	}
	if (uploads->n > 10) {
		reply_invalid(r, "upload_tokens: at most 10 files per message");
		return -1;
	}
	return 0;
}

struct start {
	const struct messenger_site *site;
	int64_t user_id;	/* the visitor's user when known (another conversation) */
	const char *name, *email;
	char *body;
	struct strlist *uploads;
	const struct hc_hit *hits;
	int nhits;
	int64_t now;
	char token[41], hash[65], bot_hash[65];
	struct messenger_conv conv;
	int status;
	char err[256];
};

static void subject_of(const char *body, char *out, size_t n)
{
	size_t len = 0, chars = 0;
	while (body[len] && body[len] != '\n' && chars < 60 && len + 4 < n) {
		len++;
		while ((body[len] & 0xC0) == 0x80)
			len++;
		chars++;
	}
	memcpy(out, body, len);
	out[len] = '\0';
	if (!len)
		snprintf(out, n, "%s", "Messenger conversation");
}

/* Find or make the visitor's user: by email, else an anonymous end-user. */
static int visitor_user(struct db *db, const char *name, const char *email, int64_t *uid)
{
	int rc;
	if (email) {
		rc = identity_store_find(db, "email", email, uid);
		if (rc <= 0)
			return rc;
	}
	struct user u = {0};
	u.name = xstrdup(name && *name ? name : email ? email : "Web visitor");
	u.email = email ? xstrdup(email) : NULL;
	u.role = ROLE_END_USER;
	u.active = 1;
	rc = user_insert_write(db, &u);
	*uid = u.id;
	user_clear(&u);
	return rc;
}

static int start_run(struct db *db, void *arg)
{
	struct start *s = arg;
	int64_t uid = s->user_id;
	int rc = uid ? 0 : visitor_user(db, s->name, s->email, &uid);
	if (rc)
		return rc;
	char subject[256];
	subject_of(s->body ? s->body : "", subject, sizeof(subject));
	struct ticket_change c = {0};
	c.set = TF_SUBJECT | TF_REQUESTER | TF_TAGS;
	c.v.subject = xstrdup(subject);
	c.v.requester_id = uid;
	strlist_add(&c.v.tags, "messenger");
	c.comment_body = xstrdup(s->body && *s->body ? s->body : "(file)");
	c.comment_public = 1;
	c.comment_author_id = uid;
	for (size_t i = 0; i < s->uploads->n; i++)
		strlist_add(&c.upload_tokens, s->uploads->v[i]);
	/* the channel decides what a visitor may set (the first message and
	 * its files): run as admin, recorded as the visitor, as the web form */
	struct ticket_write w = {.who = {.user_id = uid, .role = ROLE_ADMIN},
				 .change = &c, .via = "messaging", .now = s->now};
	rc = ticket_write_run(db, &w);
	s->status = w.status;
	snprintf(s->err, sizeof(s->err), "%s", w.err);
	int64_t tid = w.result.id;
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	if (rc)
		return rc;
	s->conv = (struct messenger_conv){.site_id = s->site->id, .ticket_id = tid, .user_id = uid,
					  .created_at = s->now, .updated_at = s->now};
	if ((rc = messenger_conv_insert(db, &s->conv)))
		return rc;
	token_new(s->token);
	token_hash(s->token, s->hash);
	if ((rc = messenger_token_add(db, s->conv.id, s->hash, s->now)))
		return rc;
	if (s->nhits) {
		struct ab_deflection d = {0};
		d.enquiry = xstrdup(s->body);
		snprintf(d.locale, sizeof(d.locale), "%s", "");
		snprintf(d.channel, sizeof(d.channel), "%s", "messaging");
		d.ticket_id = tid;
		d.user_id = uid;
		d.created_at = s->now;
		for (int i = 0; i < s->nhits; i++)
			idlist_add(&d.article_ids, s->hits[i].article_id);
		char bt[41];
		token_new(bt);
		token_hash(bt, s->bot_hash);
		rc = answer_bot_deflection_insert(db, &d, s->bot_hash);
		ab_deflection_clear(&d);
		if (!rc)
			rc = messenger_conv_bot(db, s->conv.id, s->bot_hash);
		snprintf(s->conv.bot_token_hash, sizeof(s->conv.bot_token_hash), "%s", s->bot_hash);
	}
	return rc;
}

/* A visitor's conversation token for this site from the Authorization
 * header (to keep one visitor one person across conversations): its user
 * id, or 0. */
static int64_t known_visitor(struct req *r, const struct messenger_site *s)
{
	const char *tok = bearer(r);
	if (!tok || strlen(tok) != 40)
		return 0;
	char h[65];
	token_hash(tok, h);
	struct messenger_conv c;
	if (messenger_conv_by_token(req_db(r), h, &c) || c.site_id != s->id)
		return 0;
	return c.user_id;
}

static int conversation_create(struct req *r)
{
	struct messenger_site s = {0};
	if (site_or_reply(r, r->word, &s))
		return 0;
	if (ip_limit_or_reply(r, "new", 1)) {
		messenger_site_clear(&s);
		return 0;
	}
	json_t *j = req_json_or_reply(r);
	struct strlist uploads = {0};
	char *body = NULL, *name = NULL, *email_in = NULL, *email = NULL;
	char err[128] = "";
	struct hc_hit *hits = NULL;
	int nhits = 0;
	if (!j)
		goto out;
	if (body_or_reply(r, j, &body, &uploads))
		goto out;
	if ((jget_str(j, "name", &name, err, sizeof(err)) < 0) ||
	    (jget_str(j, "email", &email_in, err, sizeof(err)) < 0)) {
		reply_invalid(r, err);
		goto out;
	}
	if (name && strlen(name) > 200) {
		reply_invalid(r, "name: at most 200 bytes");
		goto out;
	}
	if (email_in && *email_in && email_normalize(email_in, &email)) {
		reply_invalid(r, "email: not a valid email address");
		goto out;
	}
	if (s.bot_enabled && body && *body) {
		struct hc_view v = {0};
		if (answer_bot_answers(req_db(r), body, &v, 3, &hits, &nhits))
			nhits = 0;
	}
	struct start st = {.site = &s, .name = name, .email = email, .body = body,
			   .uploads = &uploads, .hits = hits, .nhits = nhits, .now = now_seconds()};
	st.user_id = known_visitor(r, &s);
	int rc = store_write(r->srv->store, start_run, &st);
	if (rc == DB_REFUSED || st.status) {
		if (st.status == 422)
			reply_invalid(r, st.err);
		else
			reply_error(r, st.status ? st.status : 422, "RecordInvalid", st.err, NULL);
		goto out;
	}
	if (rc) {
		reply_db_down(r);
		goto out;
	}
	sse_kick();
	json_t *msgs = messages_json(r, &st.conv, 0);
	json_t *bot = json_null();
	if (nhits) {
		struct ab_deflection d = {0};
		if (answer_bot_deflection_get(req_db(r), st.bot_hash, &d) == 0) {
			json_decref(bot);
			bot = bot_json(r, &d, NULL);
		}
		ab_deflection_clear(&d);
	}
	reply_json(r, 201,
		   json_pack("{s:o,s:s,s:o,s:o}", "conversation", conv_json(r, &st.conv, st.token),
			     "token", st.token, "messages", msgs ? msgs : json_array(), "bot", bot));
out:
	json_decref(j);
	free(body);
	free(name);
	free(email_in);
	free(email);
	free(hits);
	strlist_clear(&uploads);
	messenger_site_clear(&s);
	return 0;
}

/* ---- public API: identity ----------------------------------------------------- */

struct ident {
	const struct messenger_site *site;
	const char *external_id, *email, *name;
	int signed_in;		/* from a verified JWT: may see the person's history */
	struct strlist *tokens;	/* the visitor's anonymous conversation tokens */
	int64_t now;
	int64_t user_id;	/* out */
	int64_t *conv_ids;	/* out: conversations to list */
	char (*new_tokens)[41];	/* out: a token per conversation (signed in) */
	int nconv;
	char visitor_token[41];	/* out (signed in): for the proactive endpoint */
	int refused;		/* the named person is staff: not through the widget */
};

static int is_anonymous(const struct user *u)
{
	return u->role == ROLE_END_USER && (!u->email || !*u->email) &&
	       (!u->external_id || !*u->external_id);
}

/* Merge the anonymous visitor `from` into `into` (their conversations,
 * tickets and identities follow). */
static int merge_visitor(struct db *db, int64_t from, int64_t into, int64_t now)
{
	if (from == into)
		return 0;
	struct user u = {0};
	int rc = user_store_get(db, from, &u);
	int anon = rc == 0 && is_anonymous(&u);
	user_clear(&u);
	if (rc < 0)
		return rc;
	if (!anon)
		return 0; /* never fold a real person into another */
	if ((rc = user_store_merge(db, from, into, now)))
		return rc;
	return messenger_conv_reassign(db, from, into);
}

static int ident_run(struct db *db, void *arg)
{
	struct ident *o = arg;
	int64_t uid = 0;
	int rc = 1;
	struct user u = {0};
	if (o->external_id) {
		rc = user_store_by_external_id(db, o->external_id, &u);
		if (rc < 0)
			return rc;
	}
	if (rc == 1 && o->email) {
		rc = identity_store_find(db, "email", o->email, &uid);
		if (rc < 0)
			return rc;
		if (!rc && (rc = user_store_get(db, uid, &u)) < 0)
			return rc;
	}
	/* the first anonymous conversation's visitor becomes the person when
	 * there is none yet (keeps the ticket's requester) */
	int64_t anon_uid = 0;
	for (size_t i = 0; i < o->tokens->n; i++) {
		char h[65];
		struct messenger_conv c;
		if (strlen(o->tokens->v[i]) != 40)
			continue;
		token_hash(o->tokens->v[i], h);
		if (messenger_conv_by_token(db, h, &c) == 0 && c.site_id == o->site->id) {
			anon_uid = c.user_id;
			break;
		}
	}
	if (rc == 0) {
		uid = u.id;
		if (u.role != ROLE_END_USER) {
			o->refused = 1;
			user_clear(&u);
			return DB_REFUSED;
		}
		/* a signed identity fills in what the record lacks */
		int dirty = 0;
		if (o->signed_in && o->external_id && (!u.external_id || !*u.external_id)) {
			free(u.external_id);
			u.external_id = xstrdup(o->external_id);
			dirty = 1;
		}
		if (dirty && (rc = user_update_write(db, &u))) {
			user_clear(&u);
			return rc;
		}
	} else {
		struct user a = {0};
		if (anon_uid && user_store_get(db, anon_uid, &a) == 0 && is_anonymous(&a)) {
			/* the anonymous visitor becomes this person */
			if (o->name && *o->name) {
				free(a.name);
				a.name = xstrdup(o->name);
			}
			free(a.email);
			a.email = o->email ? xstrdup(o->email) : NULL;
			free(a.external_id);
			a.external_id = o->external_id ? xstrdup(o->external_id) : NULL;
			/* (the update also adds the primary email identity) */
			rc = user_update_write(db, &a);
			uid = a.id;
			user_clear(&a);
			if (rc)
				return rc;
		} else {
			user_clear(&a);
			struct user n = {0};
			n.name = xstrdup(o->name && *o->name ? o->name
					 : o->email		? o->email
								: o->external_id);
			n.email = o->email ? xstrdup(o->email) : NULL;
			n.external_id = o->external_id ? xstrdup(o->external_id) : NULL;
			n.role = ROLE_END_USER;
			n.active = 1;
			rc = user_insert_write(db, &n);
			uid = n.id;
			user_clear(&n);
			if (rc)
				return rc;
		}
	}
	user_clear(&u);
	o->user_id = uid;
	/* fold the visitor's anonymous conversations into the person */
	for (size_t i = 0; i < o->tokens->n; i++) {
		char h[65];
		struct messenger_conv c;
		if (strlen(o->tokens->v[i]) != 40)
			continue;
		token_hash(o->tokens->v[i], h);
		if (messenger_conv_by_token(db, h, &c) || c.site_id != o->site->id)
			continue;
		if ((rc = merge_visitor(db, c.user_id, uid, o->now)))
			return rc;
		if (!o->signed_in) { /* list only what this visitor already holds */
			o->conv_ids = xrealloc(o->conv_ids, (size_t)(o->nconv + 1) * sizeof(int64_t));
			o->conv_ids[o->nconv++] = c.id;
		}
	}
	if (!o->signed_in)
		return 0;
	/* signed in: a visitor token, so the proactive endpoint knows the
	 * person even with no conversation (messenger_visitor_user) */
	char vh[65];
	token_new(o->visitor_token);
	token_hash(o->visitor_token, vh);
	if ((rc = messenger_visitor_token_add(db, o->site->id, uid, vh, o->now,
					      o->now - VISITOR_TOKEN_SECONDS)))
		return rc;
	/* and every conversation of the person on this site, each with a
	 * token for this device */
	struct messenger_conv *v = NULL;
	int n = 0;
	if ((rc = messenger_conv_of_user(db, o->site->id, uid, &v, &n)))
		return rc;
	o->conv_ids = n ? xcalloc((size_t)n, sizeof(int64_t)) : NULL;
	o->new_tokens = n ? xcalloc((size_t)n, sizeof(*o->new_tokens)) : NULL;
	for (int i = 0; i < n && !rc; i++) {
		char h[65];
		o->conv_ids[i] = v[i].id;
		token_new(o->new_tokens[i]);
		token_hash(o->new_tokens[i], h);
		rc = messenger_token_add(db, v[i].id, h, o->now);
	}
	o->nconv = n;
	free(v);
	return rc;
}

static int identify(struct req *r)
{
	struct messenger_site s = {0};
	if (site_or_reply(r, r->word, &s))
		return 0;
	if (ip_limit_or_reply(r, "identify", 3)) {
		messenger_site_clear(&s);
		return 0;
	}
	json_t *j = req_json_or_reply(r), *claims = NULL;
	char *jwt = NULL, *email_in = NULL, *name = NULL, *email = NULL, *ext = NULL;
	struct strlist tokens = {0};
	char err[128] = "";
	struct ident o = {.site = &s, .tokens = &tokens, .now = now_seconds()};
	static const char *const keys[] = {"jwt", "email", "name", NULL};
	if (!j || strings_or_reply(r, j, keys))
		goto out;
	if ((jget_str(j, "jwt", &jwt, err, sizeof(err)) < 0) ||
	    (jget_str(j, "email", &email_in, err, sizeof(err)) < 0) ||
	    (jget_str(j, "name", &name, err, sizeof(err)) < 0) ||
	    (jget_strs(j, "tokens", &tokens, err, sizeof(err)) < 0)) {
		reply_invalid(r, err);
		goto out;
	}
	if (tokens.n > 20) {
		reply_invalid(r, "tokens: at most 20");
		goto out;
	}
	if (jwt) {
		if (!s.jwt_secret || !*s.jwt_secret) {
			reply_error(r, 401, "InvalidIdentity", "this site does not sign identities",
				    NULL);
			goto out;
		}
		char why[64];
		if (jwt_verify_hs256(jwt, strlen(jwt), (const unsigned char *)s.jwt_secret,
				     strlen(s.jwt_secret), o.now, &claims, why, sizeof(why))) {
			char msg[128];
			snprintf(msg, sizeof(msg), "the identity token is not valid: %s", why);
			reply_error(r, 401, "InvalidIdentity", msg, NULL);
			goto out;
		}
		json_t *x = json_object_get(claims, "external_id"), *e = json_object_get(claims, "email"),
		       *nm = json_object_get(claims, "name");
		if (json_is_integer(x)) {
			char buf[32];
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(x));
			ext = xstrdup(buf);
		} else if (json_is_string(x) && json_string_length(x) && json_string_length(x) < 256) {
			ext = xstrdup(json_string_value(x));
		}
		if (json_is_string(e) && email_normalize(json_string_value(e), &email)) {
			reply_error(r, 401, "InvalidIdentity", "the identity token's email is not valid",
				    NULL);
			goto out;
		}
		if (!ext && !email) {
			reply_error(r, 401, "InvalidIdentity",
				    "the identity token names no external_id or email", NULL);
			goto out;
		}
		if (json_is_string(nm) && json_string_length(nm) < 200) {
			free(name);
			name = xstrdup(json_string_value(nm));
		}
		o.signed_in = 1;
	} else {
		if (!email_in || email_normalize(email_in, &email)) {
			reply_invalid(r, "email: not a valid email address");
			goto out;
		}
		if (!tokens.n) {
			reply_invalid(r, "tokens: leave an email from a conversation");
			goto out;
		}
		if (name && strlen(name) > 200) {
			reply_invalid(r, "name: at most 200 bytes");
			goto out;
		}
	}
	o.external_id = ext;
	o.email = email;
	o.name = name;
	int rc = store_write(r->srv->store, ident_run, &o);
	if (o.refused) {
		reply_error(r, 403, "Forbidden", "staff accounts do not sign in through the messenger",
			    NULL);
		goto out;
	}
	if (rc) {
		reply_db_down(r);
		goto out;
	}
	json_t *convs = json_array();
	for (int i = 0; i < o.nconv; i++) {
		struct messenger_conv c;
		if (messenger_conv_get(req_db(r), o.conv_ids[i], &c) == 0)
			json_array_append_new(convs,
					      conv_json(r, &c, o.new_tokens ? o.new_tokens[i] : NULL));
	}
	struct user u = {0};
	json_t *who = json_null();
	if (user_store_get(req_db(r), o.user_id, &u) == 0) {
		json_decref(who);
		who = json_pack("{s:o,s:o,s:o,s:b}", "name", jstr(u.name), "email", jstr(u.email),
				"external_id", jstr(u.external_id), "signed_in", o.signed_in);
	}
	user_clear(&u);
	json_t *res = json_pack("{s:o,s:o}", "user", who, "conversations", convs);
	if (o.visitor_token[0])
		json_object_set_new(res, "visitor_token", json_string(o.visitor_token));
	reply_json(r, 200, res);
out:
	json_decref(j);
	json_decref(claims);
	free(jwt);
	free(email_in);
	free(email);
	free(name);
	free(ext);
	free(o.conv_ids);
	free(o.new_tokens);
	strlist_clear(&tokens);
	messenger_site_clear(&s);
	return 0;
}

/* ---- public API: one conversation ------------------------------------------------ */

static int messages_list(struct req *r)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c))
		return 0;
	const char *a = req_arg(r, "after");
	int64_t after = a ? strtoll(a, NULL, 10) : 0;
	json_t *m = messages_json(r, &c, after > 0 ? after : 0);
	if (!m)
		return reply_db_down(r);
	json_t *bot = json_null();
	if (c.bot_token_hash[0]) {
		struct ab_deflection d = {0};
		if (answer_bot_deflection_get(req_db(r), c.bot_token_hash, &d) == 0) {
			json_decref(bot);
			bot = bot_json(r, &d, c.outcome);
		}
		ab_deflection_clear(&d);
	}
	reply_json(r, 200, json_pack("{s:o,s:o,s:o}", "conversation", conv_json(r, &c, NULL),
				     "messages", m, "bot", bot));
	return 0;
}

struct post {
	int64_t ticket_id, user_id, now;
	char *body;
	struct strlist *uploads;
	int status;
	char err[256];
	int64_t comment_id;
};

static int post_run(struct db *db, void *arg)
{
	struct post *p = arg;
	struct ticket_change c = {0};
	c.comment_body = xstrdup(p->body && *p->body ? p->body : "(file)");
	c.comment_public = 1;
	for (size_t i = 0; i < p->uploads->n; i++)
		strlist_add(&c.upload_tokens, p->uploads->v[i]);
	struct ticket_write w = {.who = {.user_id = p->user_id, .role = ROLE_END_USER},
				 .id = p->ticket_id, .change = &c, .via = "messaging", .now = p->now};
	int rc = ticket_write_run(db, &w);
	p->status = w.status;
	p->comment_id = w.comment_id;
	snprintf(p->err, sizeof(p->err), "%s", w.err);
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return rc;
}

static int conv_limit_or_reply(struct req *r, const char *kind, int64_t conv, int per_minute)
{
	char key[64];
	snprintf(key, sizeof(key), "%s:%" PRId64, kind, conv);
	if (limit_hit(key, per_minute, now_seconds()))
		return 0;
	return too_many(r, "too many messages in this conversation; try again in a minute");
}

static int message_post(struct req *r)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c))
		return 0;
	if (conv_limit_or_reply(r, "msg", c.id, MSG_CONV_MINUTE))
		return 0;
	json_t *j = req_json_or_reply(r);
	if (!j)
		return 0;
	struct strlist uploads = {0};
	struct post p = {.ticket_id = c.ticket_id, .user_id = c.user_id, .now = now_seconds(),
			 .uploads = &uploads};
	if (body_or_reply(r, j, &p.body, &uploads))
		goto out;
	int rc = store_write(r->srv->store, post_run, &p);
	if (rc == DB_REFUSED || p.status) {
		if (p.status == 422)
			reply_error(r, 422, "ConversationClosed",
				    "this conversation is closed; start a new one", NULL);
		else
			reply_error(r, p.status ? p.status : 422, "RecordInvalid", p.err, NULL);
		goto out;
	}
	if (rc) {
		reply_db_down(r);
		goto out;
	}
	sse_kick();
	json_t *m = messages_json(r, &c, p.comment_id - 1);
	json_t *one = m && json_array_size(m) ? json_incref(json_array_get(m, 0)) : NULL;
	json_decref(m);
	reply_json(r, 201, json_pack("{s:o}", "message",
				     one ? one : json_pack("{s:I}", "id", (json_int_t)p.comment_id)));
out:
	json_decref(j);
	free(p.body);
	strlist_clear(&uploads);
	return 0;
}

static int upload_post(struct req *r)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c))
		return 0;
	if (conv_limit_or_reply(r, "upload", c.id, 20))
		return 0;
	return upload_create_or_reply(r);
}

static int attachment_get(struct req *r)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c))
		return 0;
	return attachment_content_or_reply(r, r->id[1]);
}

/* A signal event: no audit, no comment, the same outbox as every change. */
struct signal {
	const char *type;	/* "signal.typing", ... */
	int64_t ticket_id, actor_id, now;
	char *payload;
	int64_t conv_id, read_id;	/* a read receipt: raise the conversation's mark */
	int changed;
};

static int signal_run(struct db *db, void *arg)
{
	struct signal *g = arg;
	int rc;
	g->changed = 1;
	if (g->read_id) {
		if ((rc = messenger_conv_read(db, g->conv_id, g->read_id, g->now)))
			return rc;
		g->changed = db_changes(db) > 0;
		if (!g->changed)
			return 0;
	}
	return event_store_append(db, g->type, g->ticket_id, g->actor_id, g->payload, g->now);
}

static char *signal_payload(const char *kind, const char *role, const char *name, int64_t cid)
{
	json_t *p = json_pack("{s:s,s:s,s:s}", "kind", kind, "role", role, "name", name ? name : "");
	if (!p)
		p = json_pack("{s:s,s:s,s:s}", "kind", kind, "role", role, "name", "");
	if (cid)
		json_object_set_new(p, "comment_id", json_integer(cid));
	char *s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return s;
}

static int send_signal_or_reply(struct req *r, struct signal *g)
{
	int rc = store_write(r->srv->store, signal_run, g);
	free(g->payload);
	if (rc)
		return reply_db_down(r);
	sse_kick();
	return reply_raw(r, 204, "text/plain", "", 0);
}

static int typing_post(struct req *r)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c))
		return 0;
	if (conv_limit_or_reply(r, "signal", c.id, SIGNAL_CONV_MINUTE))
		return 0;
	json_t *j = req_json_or_reply(r);
	if (!j)
		return 0;
	json_t *t = json_object_get(j, "typing");
	int typing = !t || json_is_true(t);
	json_decref(j);
	const char *name = "";
	struct names nm = {0};
	name_of(req_db(r), &nm, c.user_id, &name);
	struct signal g = {.type = typing ? "signal.typing" : "signal.left",
			   .ticket_id = c.ticket_id, .actor_id = c.user_id, .now = now_seconds(),
			   .payload = signal_payload(typing ? "typing" : "left", "visitor", name, 0)};
	names_clear(&nm);
	return send_signal_or_reply(r, &g);
}

static int read_post(struct req *r)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c))
		return 0;
	if (conv_limit_or_reply(r, "signal", c.id, SIGNAL_CONV_MINUTE))
		return 0;
	json_t *j = req_json_or_reply(r);
	if (!j)
		return 0;
	int64_t cid = 0;
	char err[128] = "";
	int bad = (jget_id(j, "comment_id", &cid, err, sizeof(err)) < 0);
	json_decref(j);
	if (bad || cid <= 0)
		return reply_invalid(r, bad ? err : "comment_id: required");
	struct signal g = {.type = "signal.read", .ticket_id = c.ticket_id, .actor_id = c.user_id,
			   .now = now_seconds(), .conv_id = c.id, .read_id = cid,
			   .payload = signal_payload("read", "visitor", "", cid)};
	return send_signal_or_reply(r, &g);
}

static int stream_get(struct req *r)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c))
		return 0;
	char ready[96];
	snprintf(ready, sizeof(ready), "{\"conversation_id\":%" PRId64 ",\"ticket_id\":%" PRId64 "}",
		 c.id, c.ticket_id);
	return sse_open_visitor_or_reply(r, c.ticket_id, ready);
}

/* "talk to a person" and "that solved it" */
struct outcome_op {
	struct messenger_conv c;
	int solved;
	int64_t article_id, now;
	int already, bad_article;
	int status;
	char err[256];
};

static int outcome_run(struct db *db, void *arg)
{
	struct outcome_op *o = arg;
	int rc = messenger_conv_outcome(db, o->c.id, o->solved ? "self_served" : "handoff", o->now);
	if (rc) {
		o->already = rc == 1;
		return rc < 0 ? rc : DB_REFUSED;
	}
	struct ab_deflection d = {0};
	if (o->c.bot_token_hash[0]) {
		if (o->solved) {
			rc = answer_bot_outcome(db, o->c.bot_token_hash, 0, o->article_id, 1, o->now, &d);
			if (rc == AB_NOT_OFFERED || rc == AB_NONE) {
				o->bad_article = 1;
				ab_deflection_clear(&d);
				return DB_REFUSED;
			}
		} else if (answer_bot_deflection_get(db, o->c.bot_token_hash, &d) == 0) {
			struct idlist ids = d.article_ids;
			memset(&d.article_ids, 0, sizeof(d.article_ids));
			for (size_t i = 0; i < ids.n && rc >= 0; i++) {
				struct ab_deflection x = {0};
				rc = answer_bot_outcome(db, o->c.bot_token_hash, 0, ids.v[i], 0, o->now,
							&x);
				ab_deflection_clear(&x);
			}
			idlist_clear(&ids);
		}
		ab_deflection_clear(&d);
		if (rc < 0)
			return rc;
	} else if (o->solved) {
		o->bad_article = 1;
		return DB_REFUSED;
	}
	struct ticket_change ch = {0};
	if (o->solved) {
		ch.set = TF_STATUS;
		ch.v.status = xstrdup("solved");
		ch.solve_unassigned = 1;
	} else {
		strlist_add(&ch.add_tags, "messenger_handoff");
		ch.comment_body = xstrdup("The customer asked to talk to a person.");
		ch.comment_public = 0;
	}
	/* the visitor closes or hands over their own conversation; a handoff
	 * leaves an internal note for the team (via the answer bot) */
	struct ticket_write w = {.who = {.user_id = o->c.user_id,
					 .role = o->solved ? ROLE_END_USER : ROLE_ADMIN},
				 .id = o->c.ticket_id, .change = &ch, .via = "answer_bot",
				 .now = o->now};
	rc = ticket_write_run(db, &w);
	o->status = w.status;
	snprintf(o->err, sizeof(o->err), "%s", w.err);
	ticket_write_clear(&w);
	ticket_change_clear(&ch);
	return rc;
}

static int outcome_post(struct req *r, int solved)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c))
		return 0;
	struct outcome_op o = {.c = c, .solved = solved, .now = now_seconds()};
	if (solved) {
		json_t *j = req_json_or_reply(r);
		if (!j)
			return 0;
		char err[128] = "";
		int bad = (jget_id(j, "article_id", &o.article_id, err, sizeof(err)) < 0);
		json_decref(j);
		if (bad || !o.article_id)
			return reply_invalid(r, bad ? err : "article_id: required");
	}
	int rc = store_write(r->srv->store, outcome_run, &o);
	if (o.already)
		return reply_error(r, 409, "AlreadyDone",
				   "this conversation was already solved or handed over", NULL);
	if (o.bad_article)
		return reply_invalid(r, "article_id: not one of the articles offered");
	if (rc == DB_REFUSED || o.status)
		return reply_error(r, o.status ? o.status : 422, "RecordInvalid", o.err, NULL);
	if (rc)
		return reply_db_down(r);
	if (messenger_conv_get(req_db(r), c.id, &c))
		return reply_db_down(r);
	return reply_json(r, 200, json_pack("{s:o}", "conversation", conv_json(r, &c, NULL)));
}

static int handoff_post(struct req *r)
{
	return outcome_post(r, 0);
}

static int solved_post(struct req *r)
{
	return outcome_post(r, 1);
}

struct click_op {
	const char *hash;
	int64_t article_id;
	int result;	/* AB_* */
};

static int click_run(struct db *db, void *arg)
{
	struct click_op *o = arg;
	struct ab_deflection d = {0};
	int rc = answer_bot_click(db, o->hash, o->article_id, now_seconds(), &d);
	ab_deflection_clear(&d);
	if (rc < 0)
		return rc;
	o->result = rc;
	return 0;
}

static int click_post(struct req *r)
{
	struct messenger_conv c;
	if (visitor_or_reply(r, &c) || conv_limit_or_reply(r, "click", c.id, SIGNAL_CONV_MINUTE))
		return 0;
	json_t *j = req_json_or_reply(r);
	if (!j)
		return 0;
	char err[128] = "";
	struct click_op o = {.hash = c.bot_token_hash};
	int bad = (jget_id(j, "article_id", &o.article_id, err, sizeof(err)) < 0);
	json_decref(j);
	if (bad || !o.article_id)
		return reply_invalid(r, bad ? err : "article_id: required");
	if (!c.bot_token_hash[0])
		return reply_invalid(r, "article_id: not one of the articles offered");
	if (store_write(r->srv->store, click_run, &o))
		return reply_db_down(r);
	if (o.result == AB_NONE || o.result == AB_NOT_OFFERED)
		return reply_invalid(r, "article_id: not one of the articles offered");
	return reply_json(r, 200, json_pack("{s:I,s:b}", "article_id", (json_int_t)o.article_id,
					    "counted", o.result == AB_OK));
}

/* ---- agents: signals and stats ---------------------------------------------------------- */

static int ticket_signal(struct req *r)
{
	json_t *j = req_json_or_reply(r);
	if (!j)
		return 0;
	const char *kind = json_string_value(json_object_get(j, "kind"));
	const char *type = !kind			 ? NULL
			   : !strcmp(kind, "viewing") ? "signal.viewing"
			   : !strcmp(kind, "typing")  ? "signal.typing"
			   : !strcmp(kind, "left")    ? "signal.left"
						      : NULL;
	if (!type) {
		json_decref(j);
		return reply_invalid(r, "kind: one of viewing, typing, left");
	}
	char k[16];
	snprintf(k, sizeof(k), "%s", kind);
	json_decref(j);
	struct ticket t = {0};
	int rc = ticket_store_get(req_db(r), r->id[0], &t);
	if (rc < 0)
		return reply_db_down(r);
	int see = rc == 0 && ticket_can_view(&r->actor, &t);
	ticket_clear(&t);
	if (!see)
		return reply_not_found(r);
	const char *name = "";
	struct names nm = {0};
	name_of(req_db(r), &nm, r->actor.user_id, &name);
	struct signal g = {.type = type, .ticket_id = r->id[0], .actor_id = r->actor.user_id,
			   .now = now_seconds(), .payload = signal_payload(k, "agent", name, 0)};
	names_clear(&nm);
	return send_signal_or_reply(r, &g);
}

static int stats_show(struct req *r)
{
	const char *a = req_arg(r, "since");
	int64_t since = a ? strtoll(a, NULL, 10) : 0;
	struct messenger_stats st = {0};
	if (messenger_stats(req_db(r), since, &st))
		return reply_db_down(r);
	int64_t resolved = 0;
	answer_bot_count(req_db(r), "resolved", &resolved);
	return reply_json(
	    r, 200,
	    json_pack("{s:{s:I,s:I,s:I,s:I,s:f}}", "messenger", "conversations",
		      (json_int_t)st.conversations, "bot_answered", (json_int_t)st.bot_answered,
		      "self_served", (json_int_t)st.self_served, "handoffs", (json_int_t)st.handoffs,
		      "deflection_rate",
		      st.bot_answered ? (double)st.self_served / (double)st.bot_answered : 0.0));
}

/* ---- admin: sites ----------------------------------------------------------------------- */

/* "scheme://host[:port]" with nothing else: what an Origin header holds. */
static int origin_valid(const char *o)
{
	const char *p = !strncmp(o, "https://", 8) ? o + 8 : !strncmp(o, "http://", 7) ? o + 7 : NULL;
	if (!p || !*p || strlen(o) > 200)
		return 0;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != ':' && *p != '[' &&
		    *p != ']')
			return 0;
	return 1;
}

static int color_valid(const char *c)
{
	size_t n = strlen(c);
	return c[0] == '#' && (n == 4 || n == 7) && strspn(c + 1, "0123456789abcdefABCDEF") == n - 1;
}

/* Fill s from the "site" object: 0 or -1 after a 4xx. */
static int site_from_json_or_reply(struct req *r, json_t *j, struct messenger_site *s, int creating)
{
	json_t *o = json_object_get(j, "site");
	char err[128] = "";
	if (!json_is_object(o)) {
		reply_invalid(r, "site: an object is required");
		return -1;
	}
	char *name = NULL, *color = NULL, *secret = NULL;
	int bot = -1;
	int64_t sched = -1;
	struct strlist origins = {0};
	int has_origins = json_object_get(o, "origins") != NULL;
	if ((jget_str(o, "name", &name, err, sizeof(err)) < 0) ||
	    (jget_str(o, "color", &color, err, sizeof(err)) < 0) ||
	    (jget_str(o, "jwt_secret", &secret, err, sizeof(err)) < 0) ||
	    (jget_strs(o, "origins", &origins, err, sizeof(err)) < 0) ||
	    (json_object_get(o, "bot") && (jget_bool(o, "bot", &bot, err, sizeof(err)) < 0)) ||
	    (json_object_get(o, "schedule_id") && (jget_id(o, "schedule_id", &sched, err, sizeof(err)) < 0)))
		goto bad;
	for (size_t i = 0; i < origins.n; i++)
		if (!origin_valid(origins.v[i])) {
			snprintf(err, sizeof(err), "origins: '%s' is not scheme://host[:port]",
				 origins.v[i]);
			goto bad;
		}
	if (color && !color_valid(color)) {
		snprintf(err, sizeof(err), "color: #rgb or #rrggbb");
		goto bad;
	}
	if (creating && (!name || !*name)) {
		snprintf(err, sizeof(err), "name: required");
		goto bad;
	}
	if (secret && *secret && strlen(secret) < 16) {
		snprintf(err, sizeof(err), "jwt_secret: at least 16 characters");
		goto bad;
	}
	if (name) {
		free(s->name);
		s->name = name;
		name = NULL;
	}
	if (color)
		snprintf(s->color, sizeof(s->color), "%s", color);
	if (json_object_get(o, "jwt_secret")) {
		free(s->jwt_secret);
		s->jwt_secret = secret && *secret ? secret : NULL;
		if (!s->jwt_secret)
			free(secret);
		secret = NULL;
	}
	if (has_origins) {
		strlist_clear(&s->origins);
		s->origins = origins;
		memset(&origins, 0, sizeof(origins));
	}
	if (bot >= 0)
		s->bot_enabled = bot;
	if (sched >= 0)
		s->schedule_id = sched;
	static const char *const texts[] = {"greeting", "logo_url"};
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(o, texts[i]);
		if (!v)
			continue;
		if (!json_is_null(v) && (!json_is_string(v) || json_string_length(v) > 1000)) {
			snprintf(err, sizeof(err), "%s: a string of at most 1000 bytes", texts[i]);
			goto bad;
		}
		char **dst = i ? &s->logo_url : &s->greeting;
		free(*dst);
		*dst = json_is_string(v) && json_string_length(v) ? xstrdup(json_string_value(v)) : NULL;
	}
	json_t *rm = json_object_get(o, "reply_minutes");
	if (rm) {
		if (!json_is_integer(rm) || json_integer_value(rm) < 0 ||
		    json_integer_value(rm) > 10080) {
			snprintf(err, sizeof(err), "reply_minutes: 0..10080");
			goto bad;
		}
		s->reply_minutes = (int)json_integer_value(rm);
	}
	free(color);
	return 0;
bad:
	free(name);
	free(color);
	free(secret);
	strlist_clear(&origins);
	reply_invalid(r, err);
	return -1;
}

static int site_insert_run(struct db *db, void *arg)
{
	return messenger_site_insert(db, arg);
}

static int site_update_run(struct db *db, void *arg)
{
	return messenger_site_update(db, arg);
}

static int sites_list(struct req *r)
{
	struct messenger_site *v = NULL;
	int n = 0;
	if (messenger_site_list(req_db(r), &v, &n))
		return reply_db_down(r);
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, site_admin_json(&v[i]));
	messenger_site_list_free(v, n);
	return reply_json(r, 200, json_pack("{s:o,s:i}", "sites", a, "count", n));
}

static int sites_create(struct req *r)
{
	json_t *j = req_json_or_reply(r);
	if (!j)
		return 0;
	struct messenger_site s = {0};
	snprintf(s.color, sizeof(s.color), "%s", "#1f73b7");
	s.bot_enabled = 1;
	s.reply_minutes = 10;
	if (site_from_json_or_reply(r, j, &s, 1)) {
		json_decref(j);
		messenger_site_clear(&s);
		return 0;
	}
	json_decref(j);
	unsigned char raw[16];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(s.site_key, sizeof(s.site_key), raw, sizeof(raw));
	s.created_at = s.updated_at = now_seconds();
	if (store_write(r->srv->store, site_insert_run, &s)) {
		messenger_site_clear(&s);
		return reply_db_down(r);
	}
	reply_json(r, 201, json_pack("{s:o}", "site", site_admin_json(&s)));
	messenger_site_clear(&s);
	return 0;
}

static int sites_show(struct req *r)
{
	struct messenger_site s = {0};
	int rc = messenger_site_get(req_db(r), r->id[0], &s);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	reply_json(r, 200, json_pack("{s:o}", "site", site_admin_json(&s)));
	messenger_site_clear(&s);
	return 0;
}

static int sites_update(struct req *r)
{
	struct messenger_site s = {0};
	int rc = messenger_site_get(req_db(r), r->id[0], &s);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *j = req_json_or_reply(r);
	if (!j || site_from_json_or_reply(r, j, &s, 0)) {
		json_decref(j);
		messenger_site_clear(&s);
		return 0;
	}
	json_decref(j);
	s.updated_at = now_seconds();
	rc = store_write(r->srv->store, site_update_run, &s);
	if (rc)
		reply_db_down(r);
	else
		reply_json(r, 200, json_pack("{s:o}", "site", site_admin_json(&s)));
	messenger_site_clear(&s);
	return 0;
}

static int site_delete_run(struct db *db, void *arg)
{
	int rc = messenger_site_delete(db, *(int64_t *)arg);
	return rc == 1 ? DB_REFUSED : rc;
}

static int sites_delete(struct req *r)
{
	int64_t id = r->id[0];
	struct messenger_site s = {0};
	int rc = messenger_site_get(req_db(r), id, &s);
	messenger_site_clear(&s);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	if (store_write(r->srv->store, site_delete_run, &id))
		return reply_db_down(r);
	return reply_raw(r, 204, "text/plain", "", 0);
}

/* ---- CORS preflight ------------------------------------------------------
 * A site's own page calling the API with JSON or an Authorization header
 * makes the browser ask first (OPTIONS, never with credentials).  For
 * /sites/{key}/... the site is the key's (unknown: 404).  For
 * /conversations/{id}/... it is the conversation's site, looked up without
 * a token (the browser sends none); an unknown conversation gets the same
 * 403 as an origin the site does not list, so the preflight tells a
 * stranger nothing about which conversations exist, and tells a listed
 * origin only that the id is one of its own site's.  No Origin, or this
 * server's own, is not a cross-origin call: 204 without CORS headers. */
#define PREFLIGHT_MAX_AGE "600"

static int preflight(struct req *r, const char *methods)
{
	if (ip_limit_or_reply(r, "ip", PER_IP_FACTOR))
		return 0;
	struct messenger_site s = {0};
	const char *o = req_header(r, "Origin");
	if (r->word[0]) {
		int rc = messenger_site_by_key(req_db(r), r->word, &s);
		if (rc)
			return rc < 0 ? reply_db_down(r)
				      : reply_error(r, 404, "RecordNotFound",
						    "no messenger site with that key", NULL);
	} else if (o && !origin_is_self(r, o)) {
		struct messenger_conv c;
		int rc = messenger_conv_get(req_db(r), r->id[0], &c);
		if (!rc)
			rc = messenger_site_get(req_db(r), c.site_id, &s);
		if (rc < 0)
			return reply_db_down(r);
		/* rc > 0: no such conversation; s stays empty, so 403 below */
	}
	cors_origin[0] = '\0';
	int refused = origin_or_reply(r, &s);
	messenger_site_clear(&s);
	if (refused)
		return 0;
	reply_raw(r, 204, "text/plain", "", 0);
	if (cors_origin[0]) {
		reply_header(r, "Access-Control-Allow-Origin", cors_origin);
		reply_header(r, "Access-Control-Allow-Methods", methods);
		reply_header(r, "Access-Control-Allow-Headers", "Authorization, Content-Type");
		reply_header(r, "Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
	}
	reply_header(r, "Vary", "Origin");
	return 0;
}
static int preflight_get(struct req *r) { return preflight(r, "GET, HEAD"); }
static int preflight_post(struct req *r) { return preflight(r, "POST"); }
static int preflight_any(struct req *r) { return preflight(r, "GET, HEAD, POST"); }

/* Run a public handler, then echo the allowed Origin for CORS. */
#define CORS(fn)                                                                               \
	static int fn##_cors(struct req *r)                                                    \
	{                                                                                      \
		cors_origin[0] = '\0';                                                         \
		fn(r);                                                                         \
		if (cors_origin[0]) {                                                          \
			reply_header(r, "Access-Control-Allow-Origin", cors_origin);           \
			reply_header(r, "Vary", "Origin");                                     \
		}                                                                              \
		return 0;                                                                      \
	}
CORS(site_show)
CORS(conversation_create)
CORS(identify)
CORS(messages_list)
CORS(message_post)
CORS(upload_post)
CORS(attachment_get)
CORS(typing_post)
CORS(read_post)
CORS(stream_get)
CORS(handoff_post)
CORS(solved_post)
CORS(click_post)

const struct route messenger_routes[] = {
	{M_GET, "/messenger/widget.js", PUBLIC, widget_js, 0},
	{M_GET, "/messenger/frame.js", PUBLIC, frame_js, 0},
	{M_GET, "/messenger/frame", PUBLIC, frame_page, 0},
	{M_GET, "/messenger/v1/sites/{word}", PUBLIC, site_show_cors, 0},
	{M_POST, "/messenger/v1/sites/{word}/conversations", PUBLIC, conversation_create_cors, 0},
	{M_POST, "/messenger/v1/sites/{word}/identify", PUBLIC, identify_cors, 0},
	{M_GET, "/messenger/v1/conversations/{id}/messages", PUBLIC, messages_list_cors, 0},
	{M_POST, "/messenger/v1/conversations/{id}/messages", PUBLIC, message_post_cors, 0},
	{M_POST, "/messenger/v1/conversations/{id}/uploads", PUBLIC, upload_post_cors, 1},
	{M_GET, "/messenger/v1/conversations/{id}/attachments/{id}", PUBLIC, attachment_get_cors, 0},
	{M_POST, "/messenger/v1/conversations/{id}/typing", PUBLIC, typing_post_cors, 0},
	{M_POST, "/messenger/v1/conversations/{id}/read", PUBLIC, read_post_cors, 0},
	{M_GET, "/messenger/v1/conversations/{id}/stream", PUBLIC, stream_get_cors, 0},
	{M_POST, "/messenger/v1/conversations/{id}/handoff", PUBLIC, handoff_post_cors, 0},
	{M_POST, "/messenger/v1/conversations/{id}/solved", PUBLIC, solved_post_cors, 0},
	{M_POST, "/messenger/v1/conversations/{id}/click", PUBLIC, click_post_cors, 0},
	{M_OPTIONS, "/messenger/v1/sites/{word}", PUBLIC, preflight_get, 0},
	{M_OPTIONS, "/messenger/v1/sites/{word}/conversations", PUBLIC, preflight_post, 0},
	{M_OPTIONS, "/messenger/v1/sites/{word}/identify", PUBLIC, preflight_post, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/messages", PUBLIC, preflight_any, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/uploads", PUBLIC, preflight_post, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/attachments/{id}", PUBLIC, preflight_get, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/typing", PUBLIC, preflight_post, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/read", PUBLIC, preflight_post, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/stream", PUBLIC, preflight_get, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/handoff", PUBLIC, preflight_post, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/solved", PUBLIC, preflight_post, 0},
	{M_OPTIONS, "/messenger/v1/conversations/{id}/click", PUBLIC, preflight_post, 0},
	{M_POST, "/api/v2/sonnim/tickets/{id}/signals.json", ROLE_AGENT, ticket_signal, 0},
	{M_GET, "/api/v2/sonnim/messenger/stats.json", ROLE_AGENT, stats_show, 0},
	{M_GET, "/api/v2/sonnim/messenger/sites.json", ROLE_ADMIN, sites_list, 0},
	{M_POST, "/api/v2/sonnim/messenger/sites.json", ROLE_ADMIN, sites_create, 0},
	{M_GET, "/api/v2/sonnim/messenger/sites/{id}.json", ROLE_ADMIN, sites_show, 0},
	{M_PUT, "/api/v2/sonnim/messenger/sites/{id}.json", ROLE_ADMIN, sites_update, 0},
	{M_DELETE, "/api/v2/sonnim/messenger/sites/{id}.json", ROLE_ADMIN, sites_delete, 0},
	{0},
};
