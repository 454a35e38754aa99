/* proactive.c - telling customers before they ask (issue #6):
 *
 *   /api/v2/sonnim/banners(.json, /{id}.json)             announcement banners
 *   /api/v2/sonnim/proactive_prompts(.json, /{id}.json)   "on /checkout for 30 s
 *                                                         -> offer help"
 *   /api/v2/sonnim/campaigns(.json, /{id}.json)           outbound messages to a
 *   /api/v2/sonnim/campaigns/{id}/send_now.json           segment, by email and/or
 *                                                         in the messenger
 *   /api/v2/sonnim/campaigns/{id}/deliveries.json         per recipient and channel
 *   /api/v2/sonnim/campaigns/{id}/preview.json?user_id=   one recipient's mail
 *   GET  /messenger/v1/sites/{key}/proactive?url=         what a page shows (public)
 *   GET  /hc/unsubscribe?token=                           the opt-out page
 *   POST /hc/unsubscribe?token=                           the opt-out (RFC 8058
 *                                                         one-click, or the page's form)
 *
 * Agents read banners, prompts and campaigns; admins write them.  Lists
 * use cursor pages (page[size] <= 100, page[after]) like /webhooks.  Writes
 * are one store_write() each that re-reads the row inside the transaction.
 * Campaigns: creating one with send_at schedules it (status "scheduled",
 * job campaign.send queued to run at send_at); send_now queues the job for
 * now.  The job (jobs/campaign.c) adds one delivery row per recipient and
 * channel under a UNIQUE key, so running it again - send_now twice, a retry,
 * two workers - reaches only people it has not reached yet.
 *
 * The public endpoint answers anonymous visitors with what everyone may
 * see (Access-Control-Allow-Origin: *, it holds nothing personal); a
 * visitor is known only through proactive_user_resolver: the messenger's
 * conversation token of that site, or the visitor token a signed identify
 * handed out (messenger_visitor_user in api/messenger.c); such answers are personal and carry no CORS header
 * (the widget's iframe is on this origin).
 */
#include "api/api.h"
#include "api/help_center.h"
#include "base/util.h"
#include "core/hc.h"
#include "core/proactive.h"
#include "jobs/jobs.h"
#include "store/proactive_store.h"
#include "store/satisfaction_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int (*proactive_user_resolver)(struct db *db, const char *site_key, const char *token,
			       int64_t *user_id) = messenger_visitor_user;

/* ---- banners and prompts ---- */

static const char *item_key(int kind) { return kind == PROACTIVE_BANNER ? "banner" : "proactive_prompt"; }
static const char *items_key(int kind) { return kind == PROACTIVE_BANNER ? "banners" : "proactive_prompts"; }

/* page[size] and page[after]: 0, or -1 after replying 400. */
static int cursor_or_reply(struct req *r, int64_t *size, int64_t *after)
{
	const char *v;
	*size = 100;
	*after = 0;
	if ((v = req_arg(r, "page[size]")) && (parse_i64(v, size) || *size < 1 || *size > 100)) {
		reply_error(r, 400, "InvalidPaginationParameter", "page[size] must be between 1 and 100",
			    NULL);
		return -1;
	}
	if ((v = req_arg(r, "page[after]")) && *v && (parse_i64(v, after) || *after < 0)) {
		reply_error(r, 400, "InvalidPaginationParameter", "page[after] is not a cursor of this list",
			    NULL);
		return -1;
	}
	return 0;
}

static int list_reply(struct req *r, const char *key, const char *path, json_t *arr, int more,
		      int64_t size, int64_t last)
{
	char cur[24] = "", next[700] = "";
	if (json_array_size(arr))
		snprintf(cur, sizeof(cur), "%" PRId64, last);
	if (more) /* path may carry a filter already ("...json?site_key=shop") */
		snprintf(next, sizeof(next), "%s%s%cpage[size]=%" PRId64 "&page[after]=%s",
			 r->srv->cfg.base_url, path, strchr(path, '?') ? '&' : '?', size, cur);
	json_t *out = json_pack("{s:o,s:{s:b,s:o,s:o},s:{s:o,s:n}}", key, arr, "meta", "has_more",
				more, "after_cursor", *cur ? json_string(cur) : json_null(),
				"before_cursor", json_null(), "links", "next",
				more ? json_string(next) : json_null(), "prev");
	return reply_json(r, 200, out);
}

static int items_list(struct req *r, int kind)
{
	int64_t size, after;
	if (cursor_or_reply(r, &size, &after))
		return 0;
	const char *site = req_arg(r, "site_key");
	if (site && *site && !proactive_site_key_ok(site))
		return reply_error(r, 400, "InvalidParameter",
				   "site_key must be 1 to 64 letters, digits, '_', '.' or '-'", NULL);
	struct proactive_item *v;
	int n;
	if (proactive_store_list(req_db(r), kind, site && *site ? site : NULL, after, (int)size + 1,
				 &v, &n))
		return reply_db_down(r);
	int more = n > size, shown = more ? (int)size : n;
	json_t *arr = json_array();
	for (int i = 0; i < shown; i++)
		json_array_append_new(arr, proactive_item_json(&v[i]));
	int64_t last = shown ? v[shown - 1].id : 0;
	proactive_list_free(v, n);
	char path[160];
	snprintf(path, sizeof(path), "/api/v2/sonnim/%s.json%s%s", items_key(kind),
		 site && *site ? "?site_key=" : "", site && *site ? site : "");
	return list_reply(r, items_key(kind), path, arr, more, size, last);
}

struct item_op {
	int kind;
	int64_t id;	/* 0 = create */
	json_t *in;	/* the request's object */
	int64_t now;
	int status;	/* 0, 404 or 422 */
	char err[320];
	struct proactive_item result;
};

static int item_save_run(struct db *db, void *arg)
{
	struct item_op *op = arg;
	struct proactive_item it = {0};
	int rc;
	op->status = 0;
	if (op->id) {
		rc = proactive_store_get(db, op->kind, op->id, &it);
		if (rc == 1)
			op->status = 404;
		if (rc)
			goto out;
	}
	if (proactive_item_from_json(op->in, op->kind, op->id == 0, &it, op->err, sizeof(op->err))) {
		op->status = 422;
		rc = DB_REFUSED;
		goto out;
	}
	it.updated_at = op->now;
	if (!op->id)
		it.created_at = op->now;
	rc = op->id ? proactive_store_update(db, &it) : proactive_store_insert(db, &it);
	if (rc == 1)
		rc = DB_ERR;
	if (!rc && proactive_store_get(db, op->kind, it.id, &op->result))
		rc = DB_ERR;
out:
	proactive_item_clear(&it);
	return rc == 1 ? DB_REFUSED : rc;
}

static int item_write_reply(struct req *r, int kind, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct item_op op = {.kind = kind, .id = id, .now = now_seconds()};
	op.in = json_object_get(body, item_key(kind));
	int rc = store_write(r->srv->store, item_save_run, &op);
	json_decref(body);
	if (rc) {
		proactive_item_clear(&op.result);
		if (op.status == 404)
			return reply_not_found(r);
		if (op.status == 422)
			return reply_invalid(r, op.err);
		return reply_error(r, 500, "InternalError", "the item could not be saved", NULL);
	}
	json_t *out = json_pack("{s:o}", item_key(kind), proactive_item_json(&op.result));
	proactive_item_clear(&op.result);
	return reply_json(r, id ? 200 : 201, out);
}

static int item_show(struct req *r, int kind)
{
	struct proactive_item it = {0};
	int rc = proactive_store_get(req_db(r), kind, r->id[0], &it);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", item_key(kind), proactive_item_json(&it));
	proactive_item_clear(&it);
	return reply_json(r, 200, out);
}

struct del_op {
	int kind;	/* 0 = a campaign */
	int64_t id;
};

static int delete_run(struct db *db, void *arg)
{
	struct del_op *d = arg;
	int rc = d->kind ? proactive_store_delete(db, d->kind, d->id) : campaign_store_delete(db, d->id);
	return rc == 1 ? DB_REFUSED : rc;
}

static int delete_reply(struct req *r, int kind)
{
	struct del_op d = {kind, r->id[0]};
	int rc = store_write(r->srv->store, delete_run, &d);
	if (rc == DB_REFUSED)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the item could not be deleted", NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

static int banners_list(struct req *r) { return items_list(r, PROACTIVE_BANNER); }
static int banners_create(struct req *r) { return item_write_reply(r, PROACTIVE_BANNER, 0); }
static int banners_show(struct req *r) { return item_show(r, PROACTIVE_BANNER); }
static int banners_update(struct req *r) { return item_write_reply(r, PROACTIVE_BANNER, r->id[0]); }
static int banners_delete(struct req *r) { return delete_reply(r, PROACTIVE_BANNER); }
static int prompts_list(struct req *r) { return items_list(r, PROACTIVE_PROMPT); }
static int prompts_create(struct req *r) { return item_write_reply(r, PROACTIVE_PROMPT, 0); }
static int prompts_show(struct req *r) { return item_show(r, PROACTIVE_PROMPT); }
static int prompts_update(struct req *r) { return item_write_reply(r, PROACTIVE_PROMPT, r->id[0]); }
static int prompts_delete(struct req *r) { return delete_reply(r, PROACTIVE_PROMPT); }

/* ---- campaigns ---- */

static int campaigns_list(struct req *r)
{
	int64_t size, after;
	if (cursor_or_reply(r, &size, &after))
		return 0;
	struct campaign *v;
	int n;
	if (campaign_store_list(req_db(r), after, (int)size + 1, &v, &n))
		return reply_db_down(r);
	int more = n > size, shown = more ? (int)size : n;
	json_t *arr = json_array();
	for (int i = 0; i < shown; i++)
		json_array_append_new(arr, campaign_json(&v[i]));
	int64_t last = shown ? v[shown - 1].id : 0;
	campaign_list_free(v, n);
	return list_reply(r, "campaigns", "/api/v2/sonnim/campaigns.json", arr, more, size, last);
}

struct campaign_op {
	int64_t id;	/* 0 = create */
	json_t *in;	/* the "campaign" object, or NULL for send_now */
	int64_t actor, now;
	int status;	/* 0, 404 or 422 */
	char err[320];
	struct campaign result;
};

/* Queue campaign.send for c at run_at. */
static int queue_send(struct db *db, int64_t id, int64_t run_at)
{
	char p[48];
	snprintf(p, sizeof(p), "{\"campaign_id\":%" PRId64 "}", id);
	return jobs_enqueue(db, "campaign.send", p, run_at, NULL);
}

static int campaign_save_run(struct db *db, void *arg)
{
	struct campaign_op *op = arg;
	struct campaign c = {0};
	int rc = 0;
	op->status = 0;
	if (op->id) {
		rc = campaign_store_get(db, op->id, &c);
		if (rc == 1) {
			op->status = 404;
			rc = DB_REFUSED;
		}
		if (rc)
			goto out;
	}
	int64_t send_before = c.send_at;
	if (op->in) {
		if (op->id && strcmp(c.status, "draft") && strcmp(c.status, "scheduled")) {
			snprintf(op->err, sizeof(op->err), "campaign: is %s and can no longer be changed",
				 c.status);
			op->status = 422;
			rc = DB_REFUSED;
			goto out;
		}
		if (campaign_from_json(op->in, op->id == 0, &c, op->err, sizeof(op->err))) {
			op->status = 422;
			rc = DB_REFUSED;
			goto out;
		}
		free(c.status);
		c.status = xstrdup(c.send_at ? "scheduled" : "draft");
	} else {
		/* send now: also again, after it was sent, to whoever joined the
		 * segment since (the deliveries' key keeps everyone else out) */
		if (!strcmp(c.status, "draft") || !strcmp(c.status, "scheduled")) {
			free(c.status);
			c.status = xstrdup("scheduled");
		}
		c.send_at = op->now;
	}
	c.updated_at = op->now;
	if (!op->id) {
		c.created_at = op->now;
		rc = campaign_store_insert(db, &c, op->actor);
	} else {
		rc = campaign_store_update(db, &c);
	}
	if (rc == 1)
		rc = DB_ERR;
	if (!rc && c.send_at && (!op->in || c.send_at != send_before))
		rc = queue_send(db, c.id, c.send_at);
	if (!rc && campaign_store_get(db, c.id, &op->result))
		rc = DB_ERR;
out:
	campaign_clear(&c);
	return rc;
}

static int campaign_run_reply(struct req *r, struct campaign_op *op, int created)
{
	int rc = store_write(r->srv->store, campaign_save_run, op);
	if (rc) {
		campaign_clear(&op->result);
		if (op->status == 404)
			return reply_not_found(r);
		if (op->status == 422)
			return reply_invalid(r, op->err);
		return reply_error(r, 500, "InternalError", "the campaign could not be saved", NULL);
	}
	jobs_kick();
	json_t *out = json_pack("{s:o}", "campaign", campaign_json(&op->result));
	campaign_clear(&op->result);
	return reply_json(r, created ? 201 : 200, out);
}

static int campaign_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct campaign_op op = {.id = id, .actor = r->actor.user_id, .now = now_seconds()};
	op.in = json_object_get(body, "campaign");
	if (!op.in) {
		json_decref(body);
		return reply_invalid(r, "campaign: is required");
	}
	int rc = campaign_run_reply(r, &op, id == 0);
	json_decref(body);
	return rc;
}

static int campaigns_create(struct req *r) { return campaign_write_reply(r, 0); }
static int campaigns_update(struct req *r) { return campaign_write_reply(r, r->id[0]); }
static int campaigns_delete(struct req *r) { return delete_reply(r, 0); }

static int campaigns_show(struct req *r)
{
	struct campaign c = {0};
	int rc = campaign_store_get(req_db(r), r->id[0], &c);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", "campaign", campaign_json(&c));
	campaign_clear(&c);
	return reply_json(r, 200, out);
}

static int campaigns_send_now(struct req *r)
{
	struct campaign_op op = {.id = r->id[0], .actor = r->actor.user_id, .now = now_seconds()};
	return campaign_run_reply(r, &op, 0);
}

static int campaigns_deliveries(struct req *r)
{
	int64_t size, after;
	if (cursor_or_reply(r, &size, &after))
		return 0;
	struct campaign c = {0};
	int rc = campaign_store_get(req_db(r), r->id[0], &c);
	campaign_clear(&c);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *arr = json_array();
	if (campaign_delivery_list(req_db(r), r->id[0], after, (int)size + 1, arr)) {
		json_decref(arr);
		return reply_db_down(r);
	}
	int more = (int64_t)json_array_size(arr) > size;
	if (more)
		json_array_remove(arr, json_array_size(arr) - 1);
	int64_t last = json_array_size(arr)
			   ? json_integer_value(json_object_get(json_array_get(arr, json_array_size(arr) - 1), "id"))
			   : 0;
	char path[96];
	snprintf(path, sizeof(path), "/api/v2/sonnim/campaigns/%" PRId64 "/deliveries.json", r->id[0]);
	return list_reply(r, "deliveries", path, arr, more, size, last);
}

struct secret_op {
	char secret[65];
};

static int secret_run(struct db *db, void *arg)
{
	struct secret_op *op = arg;
	return satisfaction_secret(db, op->secret);
}

/* What one recipient would get: ?user_id= (an end-user). */
static int campaigns_preview(struct req *r)
{
	int64_t uid = 0;
	const char *v = req_arg(r, "user_id");
	if (!v || parse_i64(v, &uid) || uid <= 0)
		return reply_error(r, 400, "InvalidParameter", "user_id is required: the recipient's id",
				   NULL);
	struct campaign c = {0};
	struct user u = {0};
	int rc = campaign_store_get(req_db(r), r->id[0], &c);
	int rc2 = rc ? 1 : user_store_get(req_db(r), uid, &u);
	struct secret_op so;
	if (rc < 0 || rc2 < 0 || (!rc && !rc2 && store_write(r->srv->store, secret_run, &so))) {
		campaign_clear(&c);
		user_clear(&u);
		return reply_db_down(r);
	}
	if (rc || rc2) {
		campaign_clear(&c);
		user_clear(&u);
		return reply_not_found(r);
	}
	struct buf url = BUF_INIT, subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT;
	campaign_unsubscribe_url(r->srv->cfg.base_url, &u, so.secret, &url);
	campaign_render(&c, &u, url.s, &subject, &text, &html);
	int member = u.role == ROLE_END_USER && u.active && !u.suspended && segment_match(&c.segment, &u);
	json_t *out = json_pack("{s:{s:I,s:b,s:s,s:s,s:s,s:s}}", "preview", "user_id", (json_int_t)uid,
				"in_segment", member, "subject", subject.s, "text", text.s, "html",
				html.s, "unsubscribe_url", url.s);
	buf_release(&url);
	buf_release(&subject);
	buf_release(&text);
	buf_release(&html);
	campaign_clear(&c);
	user_clear(&u);
	return reply_json(r, 200, out);
}

/* ---- the public endpoint ---- */

static int proactive_page(struct req *r)
{
	const char *url = req_arg(r, "url");
	if (!url || !*url)
		return reply_error(r, 400, "InvalidParameter", "url is required: the page's URL", NULL);
	const char *loc = req_arg(r, "locale");
	loc = loc && hc_locale(loc) ? hc_locale(loc) : hc_locale_negotiate(req_header(r, "Accept-Language"));
	int64_t uid = 0;
	const char *auth = req_header(r, "Authorization");
	if (proactive_user_resolver && auth && !strncmp(auth, "Bearer ", 7) &&
	    proactive_user_resolver(req_db(r), r->word, auth + 7, &uid))
		uid = 0; /* an unknown token: an anonymous visitor */
	json_t *out = NULL;
	if (proactive_for_page(req_db(r), r->word, url, uid, loc, now_seconds(), &out))
		return reply_db_down(r);
	reply_json(r, 200, out);
	reply_header(r, "Cache-Control", "no-store");
	reply_header(r, "Content-Language", loc);
	if (!uid)
		reply_header(r, "Access-Control-Allow-Origin", "*");
	return 0;
}

/* ---- opt-out ---- */

static const char *const unsub_texts[][2] = { /* [ko, en-us] */
    {"수신 거부", "Unsubscribe"},
    {"이 주소로 더 이상 안내 메일과 메시지를 받지 않으려면 아래 버튼을 누르세요.",
     "Press the button to stop receiving announcements and campaign messages."},
    {"수신 거부하기", "Unsubscribe"},
    {"수신 거부되었습니다. 앞으로 안내 메일과 메시지를 보내지 않습니다.",
     "You are unsubscribed. You will receive no more announcements or campaign messages."},
    {"이 수신 거부 링크는 올바르지 않습니다.", "This unsubscribe link is not valid."},
};

static int unsub_page(struct req *r, const char *loc, int status, int text, const char *token)
{
	int en = strcmp(loc, HC_LOCALE_KO) != 0;
	struct buf b = BUF_INIT;
	hc_page_start(&b, r, loc, unsub_texts[0][en], NULL, "/hc/unsubscribe");
	buf_addf(&b, "<h1>%s</h1><p id=\"unsubscribe-status\">%s</p>", unsub_texts[0][en],
		 unsub_texts[text][en]);
	if (token) {
		buf_adds(&b, "<form method=\"post\" action=\"/hc/unsubscribe?token=");
		hc_escape(&b, token);
		buf_addf(&b, "&amp;locale=%s\"><button type=\"submit\">%s</button></form>", loc,
			 unsub_texts[2][en]);
	}
	return hc_page_finish(r, &b, status, 0);
}

/* The token's user, or 0 (invalid token); <0 database error. */
static int64_t unsub_user(struct req *r, const char *token)
{
	char *secret = NULL;
	int rc = setting_get(req_db(r), "csat_secret", &secret);
	if (rc < 0)
		return rc;
	int64_t uid = 0;
	if (rc || campaign_unsubscribe_check(secret, token, &uid))
		uid = 0;
	free(secret);
	return uid;
}

static const char *unsub_locale(struct req *r)
{
	const char *loc = req_arg(r, "locale");
	return loc && hc_locale(loc) ? hc_locale(loc) : hc_locale_negotiate(req_header(r, "Accept-Language"));
}

static int unsubscribe_show(struct req *r)
{
	const char *loc = unsub_locale(r);
	const char *token = req_arg(r, "token");
	int64_t uid = unsub_user(r, token);
	if (uid < 0)
		return reply_db_down(r);
	if (!uid)
		return unsub_page(r, loc, 403, 4, NULL);
	/* a GET never opts out: mail scanners follow links */
	return unsub_page(r, loc, 200, 1, token);
}

struct unsub_op {
	int64_t user_id, now;
};

static int unsub_run(struct db *db, void *arg)
{
	struct unsub_op *op = arg;
	int rc = campaign_opt_out(db, op->user_id, 0, op->now);
	return rc == 1 ? 0 : rc;
}

static int unsubscribe_post(struct req *r)
{
	const char *loc = unsub_locale(r);
	char token[CAMPAIGN_TOKEN_MAX] = "";
	const char *t = req_arg(r, "token");
	if (t)
		snprintf(token, sizeof(token), "%s", t);
	else if (hc_form_value(r->body.s, r->body.len, "token", token, sizeof(token)))
		token[0] = '\0';
	int64_t uid = unsub_user(r, token);
	if (uid < 0)
		return reply_db_down(r);
	if (!uid)
		return unsub_page(r, loc, 403, 4, NULL);
	struct unsub_op op = {uid, now_seconds()};
	if (store_write(r->srv->store, unsub_run, &op))
		return reply_error(r, 500, "InternalError", "the opt-out could not be saved", NULL);
	return unsub_page(r, loc, 200, 3, NULL);
}

const struct route proactive_routes[] = {
    {M_GET, "/api/v2/sonnim/banners.json", ROLE_AGENT, banners_list, 0},
    {M_POST, "/api/v2/sonnim/banners.json", ROLE_ADMIN, banners_create, 0},
    {M_GET, "/api/v2/sonnim/banners/{id}.json", ROLE_AGENT, banners_show, 0},
    {M_PUT | M_PATCH, "/api/v2/sonnim/banners/{id}.json", ROLE_ADMIN, banners_update, 0},
    {M_DELETE, "/api/v2/sonnim/banners/{id}.json", ROLE_ADMIN, banners_delete, 0},
    {M_GET, "/api/v2/sonnim/proactive_prompts.json", ROLE_AGENT, prompts_list, 0},
    {M_POST, "/api/v2/sonnim/proactive_prompts.json", ROLE_ADMIN, prompts_create, 0},
    {M_GET, "/api/v2/sonnim/proactive_prompts/{id}.json", ROLE_AGENT, prompts_show, 0},
    {M_PUT | M_PATCH, "/api/v2/sonnim/proactive_prompts/{id}.json", ROLE_ADMIN, prompts_update, 0},
    {M_DELETE, "/api/v2/sonnim/proactive_prompts/{id}.json", ROLE_ADMIN, prompts_delete, 0},
    {M_GET, "/api/v2/sonnim/campaigns.json", ROLE_AGENT, campaigns_list, 0},
    {M_POST, "/api/v2/sonnim/campaigns.json", ROLE_ADMIN, campaigns_create, 0},
    {M_GET, "/api/v2/sonnim/campaigns/{id}.json", ROLE_AGENT, campaigns_show, 0},
    {M_PUT | M_PATCH, "/api/v2/sonnim/campaigns/{id}.json", ROLE_ADMIN, campaigns_update, 0},
    {M_DELETE, "/api/v2/sonnim/campaigns/{id}.json", ROLE_ADMIN, campaigns_delete, 0},
    {M_POST, "/api/v2/sonnim/campaigns/{id}/send_now.json", ROLE_ADMIN, campaigns_send_now, 0},
    {M_GET, "/api/v2/sonnim/campaigns/{id}/deliveries.json", ROLE_AGENT, campaigns_deliveries, 0},
    {M_GET, "/api/v2/sonnim/campaigns/{id}/preview.json", ROLE_ADMIN, campaigns_preview, 0},
    {M_GET, "/messenger/v1/sites/{word}/proactive", PUBLIC, proactive_page, 0},
    {M_GET, "/hc/unsubscribe", PUBLIC, unsubscribe_show, 0},
    {M_POST, "/hc/unsubscribe", PUBLIC, unsubscribe_post, 0},
    {0},
};
