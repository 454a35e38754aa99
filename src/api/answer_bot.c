/* answer_bot.c - the answer bot over HTTP, in the shape of Zendesk's
 * Answer Bot API:
 *   POST /api/v2/answer_bot/answers     {"enquiry", "locale"?, "ticket_id"?,
 *                                        "deflection_channel"?, "limit"?}
 *        -> {"deflection": {...}, "interaction_access_token",
 *            "deflection_articles": [...], "articles": [...]}
 *   POST /api/v2/answer_bot/resolution  {"interaction_access_token",
 *                                        "article_id", "deflection_id"?}
 *        "this solved it": records the deflection, and when the question
 *        came with a ticket, solves that ticket as its requester
 *   POST /api/v2/answer_bot/rejection   the same keys: "not helpful"
 *   POST /api/v2/answer_bot/click       {"interaction_access_token",
 *                                        "article_id"} -> {"counted"}
 *        the asker followed an offered article: counted once per question
 *        and article (a weaker ranking signal than a resolution).  Pages
 *        send it with navigator.sendBeacon and a JSON Blob; like every
 *        endpoint here it reads the body as JSON whatever its Content-Type.
 *
 * Anyone may ask (the contact form asks for anonymous visitors): the
 * answers are the articles the asker may read (credentials in an
 * Authorization header are honoured; cookies are ignored, so these
 * endpoints need no CSRF token and a page on another site gains nothing
 * from a visitor's session).  The outcome endpoints are authorized by the
 * interaction token alone, which is random (160 bits), handed only to the
 * asker, and stored as its SHA-256.  Only agents may tie a question to a
 * ticket (ticket_id); its requester then counts as the asker.
 *
 * Anonymous askers: at most 60 questions a minute from one IP address
 * (429 with Retry-After), counted with the contact form's rate events
 * (store/portal_store.h) in the same write as the deflection.
 *
 * Each answer: one search + feedback read (store/answer_bot_store.h), one
 * article read per article shown, and one small write (the deflection).
 * A resolution is one store_write: the outcome, the feedback counts and,
 * with a ticket, the ticket write (via "answer_bot": status solved; no
 * assignee needed since the customer closes it) - all or nothing, except
 * that a ticket that cannot be solved (closed, merged) leaves the
 * resolution recorded and says so in "ticket".  A click is one
 * store_write: the deflection's clicked list and the feedback counts.
 */
#include "api/api.h"
#include "api/help_center.h"
#include "base/util.h"
#include "core/hc.h"
#include "http/auth.h"
#include "store/answer_bot_store.h"
#include "store/portal_store.h"
#include "store/hc_store.h"
#include "store/ticket_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENQUIRY 1000

/* Authenticate when an Authorization header is present; cookies are not
 * looked at.  0, or -1 after replying. */
static int asker_or_reply(struct req *r)
{
	if (req_header(r, "Authorization"))
		return auth_request_or_reply(r) || ratelimit_check_or_reply(r) ? -1 : 0;
	return 0;
}

/* Questions a minute from one IP address without credentials. */
#define ANON_ASKS_PER_MINUTE 60

struct ask {
	struct ab_deflection d;
	char hash[65];
	char ip_key[80];	/* anonymous: "answer-ip:<address>"; "" otherwise */
	int limited;
};

static int ask_run(struct db *db, void *arg)
{
	struct ask *a = arg;
	if (a->ip_key[0]) {
		int64_t n = 0;
		int rc = portal_rate_count(db, a->ip_key, a->d.created_at - 60, &n);
		if (rc)
			return rc;
		if (n >= ANON_ASKS_PER_MINUTE) {
			a->limited = 1;
			return 0;
		}
		if ((rc = portal_rate_add(db, a->ip_key, a->d.created_at)))
			return rc;
	}
	return answer_bot_deflection_insert(db, &a->d, a->hash);
}

static json_t *deflection_json(const struct ab_deflection *d)
{
	json_t *ids = json_array();
	for (size_t i = 0; i < d->article_ids.n; i++)
		json_array_append_new(ids, json_integer(d->article_ids.v[i]));
	return json_pack("{sI ss ss ss so so so ss so so so}", "id", (json_int_t)d->id, "enquiry",
			 d->enquiry, "locale", d->locale, "deflection_channel", d->channel,
			 "ticket_id", jid(d->ticket_id), "user_id", jid(d->user_id), "article_ids",
			 ids, "state", d->state, "article_id", jid(d->article_id), "created_at",
			 jtime(d->created_at), "updated_at", jtime(d->updated_at));
}

static int answers(struct req *r)
{
	if (asker_or_reply(r))
		return 0;
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	char *enquiry = NULL, *locale = NULL, *channel = NULL, err[160] = "";
	int64_t ticket_id = 0;
	json_int_t limit = 3;
	jget_str(body, "enquiry", &enquiry, err, sizeof(err));
	jget_str(body, "locale", &locale, err, sizeof(err));
	jget_str(body, "deflection_channel", &channel, err, sizeof(err));
	jget_id(body, "ticket_id", &ticket_id, err, sizeof(err));
	json_t *jl = json_object_get(body, "limit");
	if (jl && !json_is_integer(jl) && !err[0])
		snprintf(err, sizeof(err), "limit: expected an integer");
	if (jl && json_is_integer(jl))
		limit = json_integer_value(jl);
	json_decref(body);
	const char *loc = locale ? hc_locale(locale) : hc_locale_negotiate(
							   req_header(r, "Accept-Language"));
	if (!err[0] && (!enquiry || !*enquiry))
		snprintf(err, sizeof(err), "enquiry: is required");
	if (!err[0] && strlen(enquiry) > MAX_ENQUIRY)
		snprintf(err, sizeof(err), "enquiry: is longer than %d bytes", MAX_ENQUIRY);
	if (!err[0] && !loc)
		snprintf(err, sizeof(err), "locale: the help center does not offer it");
	if (!err[0] && (limit < 1 || limit > ANSWER_BOT_MAX))
		snprintf(err, sizeof(err), "limit: must be 1 to %d", ANSWER_BOT_MAX);
	if (!err[0] && channel && (strlen(channel) >= 16 || !*channel))
		snprintf(err, sizeof(err), "deflection_channel: must be 1 to 15 bytes");
	if (!err[0] && ticket_id && !(r->authed && r->actor.role >= ROLE_AGENT))
		snprintf(err, sizeof(err), "ticket_id: only agents may tie a question to a ticket");
	struct ask a = {0};
	struct ticket t = {0};
	if (!err[0] && ticket_id) {
		int rc = ticket_store_get(req_db(r), ticket_id, &t);
		if (rc < 0) {
			free(enquiry), free(locale), free(channel);
			return reply_db_down(r);
		}
		if (rc == 1 || !ticket_can_view(&r->actor, &t))
			snprintf(err, sizeof(err), "ticket_id: ticket %" PRId64 " not found",
				 ticket_id);
		a.d.user_id = t.requester_id;
		ticket_clear(&t);
	}
	free(locale);
	if (err[0]) {
		free(enquiry), free(channel);
		return reply_invalid(r, err);
	}
	struct hc_view v = {.locale = loc,
			    .staff = r->authed && r->actor.role >= ROLE_AGENT,
			    .signed_in = r->authed};
	if (ticket_id) /* answers for the customer, not for the agent asking */
		v.staff = 0, v.signed_in = 1;
	struct hc_hit *hits = NULL;
	int n = 0;
	if (answer_bot_answers(req_db(r), enquiry, &v, (int)limit, &hits, &n)) {
		free(enquiry), free(channel);
		return reply_db_down(r);
	}
	json_t *arts = json_array();
	for (int i = 0; i < n; i++) {
		struct hc_view hv = v;
		hv.locale = hits[i].locale;
		struct hc_article art = {0};
		if (hc_article_get(req_db(r), hits[i].article_id, &hv, &art)) {
			hc_article_clear(&art);
			continue;
		}
		char url[512], html_url[512];
		snprintf(url, sizeof(url), "%s/api/v2/help_center/%s/articles/%" PRId64 ".json",
			 r->srv->cfg.base_url, art.tr.locale, art.id);
		snprintf(html_url, sizeof(html_url), "%s/hc/%s/articles/%" PRId64,
			 r->srv->cfg.base_url, art.tr.locale, art.id);
		struct buf snip = BUF_INIT;
		hc_snippet(art.tr.plain, enquiry, &snip);
		json_array_append_new(
		    arts, json_pack("{sI sI ss ss ss ss ss sf}", "id", (json_int_t)art.id,
				    "article_id", (json_int_t)art.id, "title", art.tr.title, "url",
				    url, "html_url", html_url, "locale", art.tr.locale, "snippet",
				    snip.s, "score", hits[i].score));
		idlist_add(&a.d.article_ids, art.id);
		buf_release(&snip);
		hc_article_clear(&art);
	}
	free(hits);
	if (!json_array_size(arts))
		hc_note_miss(r->srv, enquiry, loc);
	char token[41];
	token_new(token);
	token_hash(token, a.hash);
	a.d.enquiry = enquiry;
	snprintf(a.d.locale, sizeof(a.d.locale), "%s", loc);
	snprintf(a.d.channel, sizeof(a.d.channel), "%s", channel ? channel : "api");
	free(channel);
	a.d.ticket_id = ticket_id;
	if (!a.d.user_id && r->authed)
		a.d.user_id = r->actor.user_id;
	a.d.created_at = now_seconds();
	if (!r->authed) {
		char ip[64];
		hc_client_ip(r, ip, sizeof(ip));
		snprintf(a.ip_key, sizeof(a.ip_key), "answer-ip:%s", ip);
	}
	if (store_write(r->srv->store, ask_run, &a)) {
		json_decref(arts);
		ab_deflection_clear(&a.d);
		return reply_db_down(r);
	}
	if (a.limited) {
		json_decref(arts);
		ab_deflection_clear(&a.d);
		reply_error(r, 429, "TooManyRequests",
			    "too many questions from this address; try again in a minute", NULL);
		reply_header(r, "Retry-After", "60");
		return 0;
	}
	json_t *out = json_pack("{so ss sO so}", "deflection", deflection_json(&a.d),
				"interaction_access_token", token, "deflection_articles", arts,
				"articles", arts);
	ab_deflection_clear(&a.d);
	return reply_json(r, 200, out);
}

struct outcome {
	char hash[65];
	int64_t deflection_id, article_id;
	int resolved;
	int result;			/* AB_* */
	struct ab_deflection d;
	int ticket_status;		/* 0 solved, else the ticket write's refusal */
	char ticket_err[256];
};

static int outcome_run(struct db *db, void *arg)
{
	struct outcome *o = arg;
	int64_t now = now_seconds();
	ab_deflection_clear(&o->d);
	int rc = answer_bot_outcome(db, o->hash, o->deflection_id, o->article_id, o->resolved, now,
				    &o->d);
	if (rc < 0)
		return rc;
	o->result = rc;
	if (rc || !o->resolved || !o->d.ticket_id)
		return 0;
	struct ticket_change c = {0};
	c.set = TF_STATUS;
	c.v.status = xstrdup("solved");
	c.solve_unassigned = 1;
	struct ticket_write w = {.who = {.user_id = o->d.user_id, .role = ROLE_END_USER},
				 .id = o->d.ticket_id, .change = &c, .via = "answer_bot",
				 .now = now};
	rc = ticket_write_run(db, &w);
	o->ticket_status = w.status;
	snprintf(o->ticket_err, sizeof(o->ticket_err), "%s", w.err);
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return rc == DB_REFUSED ? 0 : rc;
}

static int outcome(struct req *r, int resolved)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	char *token = NULL, err[160] = "";
	struct outcome o = {.resolved = resolved};
	jget_str(body, "interaction_access_token", &token, err, sizeof(err));
	jget_id(body, "article_id", &o.article_id, err, sizeof(err));
	jget_id(body, "deflection_id", &o.deflection_id, err, sizeof(err));
	json_decref(body);
	if (!err[0] && (!token || strlen(token) != 40))
		snprintf(err, sizeof(err), "interaction_access_token: is required");
	if (!err[0] && !o.article_id)
		snprintf(err, sizeof(err), "article_id: is required");
	if (err[0]) {
		free(token);
		return reply_invalid(r, err);
	}
	token_hash(token, o.hash);
	free(token);
	if (store_write(r->srv->store, outcome_run, &o)) {
		ab_deflection_clear(&o.d);
		return reply_db_down(r);
	}
	if (o.result == AB_NONE) {
		ab_deflection_clear(&o.d);
		return reply_error(r, 404, "RecordNotFound", "no such deflection", NULL);
	}
	if (o.result == AB_NOT_OFFERED) {
		ab_deflection_clear(&o.d);
		return reply_invalid(r, "article_id: was not one of the answers");
	}
	if (o.result == AB_DONE) {
		ab_deflection_clear(&o.d);
		return reply_error(r, 409, "AlreadyRecorded",
				   resolved ? "the question was already resolved"
					    : "the question was already resolved or this article rejected",
				   NULL);
	}
	json_t *tj = json_null();
	if (resolved && o.d.ticket_id)
		tj = o.ticket_status ? json_pack("{sI sb ss}", "id", (json_int_t)o.d.ticket_id,
						 "solved", 0, "error", o.ticket_err)
				     : json_pack("{sI sb ss}", "id", (json_int_t)o.d.ticket_id,
						 "solved", 1, "status", "solved");
	json_t *out = json_pack("{so so}", "deflection", deflection_json(&o.d), "ticket", tj);
	ab_deflection_clear(&o.d);
	return reply_json(r, 200, out);
}

int answer_bot_record(struct server *srv, const char *token, int64_t article_id, int resolved,
		      int *result, int64_t *ticket_id, int *ticket_solved)
{
	struct outcome o = {.resolved = resolved, .article_id = article_id};
	token_hash(token, o.hash);
	int rc = store_write(srv->store, outcome_run, &o);
	*result = o.result;
	*ticket_id = o.d.ticket_id;
	*ticket_solved = resolved && o.d.ticket_id && !o.ticket_status;
	ab_deflection_clear(&o.d);
	return rc ? -1 : 0;
}

struct click {
	char hash[65];
	int64_t article_id;
	int result;			/* AB_* */
	struct ab_deflection d;
};

static int click_run(struct db *db, void *arg)
{
	struct click *c = arg;
	ab_deflection_clear(&c->d);
	int rc = answer_bot_click(db, c->hash, c->article_id, now_seconds(), &c->d);
	if (rc < 0)
		return rc;
	c->result = rc;
	return 0;
}

static int click(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	char *token = NULL, err[160] = "";
	struct click c = {0};
	jget_str(body, "interaction_access_token", &token, err, sizeof(err));
	jget_id(body, "article_id", &c.article_id, err, sizeof(err));
	json_decref(body);
	if (!err[0] && (!token || strlen(token) != 40))
		snprintf(err, sizeof(err), "interaction_access_token: is required");
	if (!err[0] && !c.article_id)
		snprintf(err, sizeof(err), "article_id: is required");
	if (err[0]) {
		free(token);
		return reply_invalid(r, err);
	}
	token_hash(token, c.hash);
	free(token);
	int rc = store_write(r->srv->store, click_run, &c);
	ab_deflection_clear(&c.d);
	if (rc)
		return reply_db_down(r);
	if (c.result == AB_NONE)
		return reply_error(r, 404, "RecordNotFound", "no such deflection", NULL);
	if (c.result == AB_NOT_OFFERED)
		return reply_invalid(r, "article_id: was not one of the answers");
	return reply_json(r, 200, json_pack("{sI sb}", "article_id", (json_int_t)c.article_id,
					    "counted", c.result == AB_OK));
}

static int resolution(struct req *r)
{
	return outcome(r, 1);
}

static int rejection(struct req *r)
{
	return outcome(r, 0);
}

const struct route answer_bot_routes[] = {
    {M_POST, "/api/v2/answer_bot/answers.json", PUBLIC, answers, 0},
    {M_POST, "/api/v2/answer_bot/resolution.json", PUBLIC, resolution, 0},
    {M_POST, "/api/v2/answer_bot/rejection.json", PUBLIC, rejection, 0},
    {M_POST, "/api/v2/answer_bot/click.json", PUBLIC, click, 0},
    {0},
};
