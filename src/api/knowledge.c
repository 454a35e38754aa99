/* knowledge.c - knowledge capture: agents turn tickets into articles and
 * see what the customer read before writing.
 *   GET  /api/v2/sonnim/tickets/{id}/viewed_articles.json
 *        the help-center articles the requester read (signed in, or from
 *        the browser the contact form was sent from), latest first, each
 *        with before_ticket (read before the ticket was created)
 *   POST /api/v2/sonnim/tickets/{id}/article_draft.json
 *        {"article": {"section_id", "title"?, "locale"?}}: a draft article
 *        in that section, titled like the ticket, its body the latest
 *        public answer an agent gave on the ticket (else the customer's
 *        first message), plus an article request "drafted" pointing at it
 *   POST /api/v2/sonnim/tickets/{id}/article_requests.json
 *        {"article_request": {"title"?, "note"?}}: "we need an article
 *        about this" (title defaults to the ticket's subject)
 *   GET  /api/v2/sonnim/help_center/article_requests.json?status=
 *   PUT  /api/v2/sonnim/help_center/article_requests/{id}.json
 *        {"article_request": {"status"?, "article_id"?}}
 * All for agents and admins; the ticket ones also need the agent to see
 * the ticket (404 otherwise, as everywhere).
 *
 * Order of a draft: read the ticket and its public comments (reader),
 * render the body's Markdown (request thread), then one store_write that
 * checks the section, inserts the article and its translation (indexed
 * like any article) and the request row - all or nothing.
 */
#include "api/api.h"
#include "base/util.h"
#include "core/hc.h"
#include "core/markdown.h"
#include "store/hc_store.h"
#include "store/kb_store.h"
#include "store/ticket_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 255
#define MAX_NOTE 4000
#define VIEWED_MAX 50

static int ticket_or_reply(struct req *r, struct ticket *t)
{
	int rc = ticket_store_get(req_db(r), r->id[0], t);
	if (rc < 0)
		return reply_db_down(r), -1;
	if (rc == 1 || !ticket_can_view(&r->actor, t)) {
		ticket_clear(t);
		return reply_not_found(r), -1;
	}
	return 0;
}

static void article_urls(struct server *s, json_t *o, int64_t id, const char *locale)
{
	char url[512];
	snprintf(url, sizeof(url), "%s/api/v2/help_center/%s/articles/%" PRId64 ".json",
		 s->cfg.base_url, locale, id);
	json_object_set_new(o, "url", json_string(url));
	snprintf(url, sizeof(url), "%s/hc/%s/articles/%" PRId64, s->cfg.base_url, locale, id);
	json_object_set_new(o, "html_url", json_string(url));
}

static int viewed_articles(struct req *r)
{
	struct ticket t = {0};
	if (ticket_or_reply(r, &t))
		return 0;
	char visitor[65];
	int rc = kb_ticket_visitor_get(req_db(r), t.id, visitor);
	struct kb_read *reads = NULL;
	int n = 0;
	if (rc >= 0)
		rc = kb_reads(req_db(r), t.requester_id, rc == 0 ? visitor : NULL, now_seconds(),
			      VIEWED_MAX, &reads, &n);
	if (rc < 0) {
		ticket_clear(&t);
		return reply_db_down(r);
	}
	static const struct hc_view staff = {.staff = 1, .signed_in = 1};
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		struct hc_article a = {0};
		if (hc_article_get(req_db(r), reads[i].article_id, &staff, &a) == 0) {
			json_t *o = json_pack("{sI ss ss so sI sb}", "id", (json_int_t)a.id, "title",
					      a.tr.title, "locale", a.tr.locale, "viewed_at",
					      jtime(reads[i].viewed_at), "views",
					      (json_int_t)reads[i].views, "before_ticket",
					      reads[i].viewed_at <= t.created_at);
			article_urls(r->srv, o, a.id, a.tr.locale);
			json_array_append_new(arr, o);
		}
		hc_article_clear(&a);
	}
	free(reads);
	ticket_clear(&t);
	return reply_json(r, 200,
			  json_pack("{so sI}", "viewed_articles", arr, "count",
				    (json_int_t)json_array_size(arr)));
}

static json_t *request_json(struct server *s, const struct kb_request *q)
{
	(void)s;
	return json_pack("{sI so sI ss ss ss so so so}", "id", (json_int_t)q->id, "ticket_id",
			 jid(q->ticket_id), "requester_id", (json_int_t)q->requester_id, "title",
			 q->title, "note", q->note, "status", q->status, "article_id",
			 jid(q->article_id), "created_at", jtime(q->created_at), "updated_at",
			 jtime(q->updated_at));
}

static int text_ok(const char *s, size_t max, int multiline)
{
	if (strlen(s) > max)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) ||
		    *p == 0x7f)
			return 0;
	return 1;
}

/* The object member key of the request body (reply on failure: NULL). */
static json_t *member_or_reply(struct req *r, json_t **root, const char *key)
{
	*root = req_json_or_reply(r);
	if (!*root)
		return NULL;
	json_t *o = json_object_get(*root, key);
	if (!json_is_object(o)) {
		char err[80];
		snprintf(err, sizeof(err), "%s: is required", key);
		json_decref(*root);
		reply_invalid(r, err);
		return NULL;
	}
	return o;
}

/* ---- article requests ---- */

struct req_op {
	struct kb_request q;
	int status; /* 404 refused */
};

static int request_insert_run(struct db *db, void *arg)
{
	struct req_op *op = arg;
	return kb_request_insert(db, &op->q);
}

static int ticket_request_create(struct req *r)
{
	struct ticket t = {0};
	if (ticket_or_reply(r, &t))
		return 0;
	json_t *root;
	json_t *o = member_or_reply(r, &root, "article_request");
	if (!o) {
		ticket_clear(&t);
		return 0;
	}
	char *title = NULL, *note = NULL, err[160] = "";
	jget_str(o, "title", &title, err, sizeof(err));
	jget_str(o, "note", &note, err, sizeof(err));
	json_decref(root);
	if (!err[0] && title && (!title[strspn(title, " ")] || !text_ok(title, MAX_TITLE, 0)))
		snprintf(err, sizeof(err), "title: 1 to %d bytes, no control characters", MAX_TITLE);
	if (!err[0] && note && !text_ok(note, MAX_NOTE, 1))
		snprintf(err, sizeof(err), "note: at most %d bytes", MAX_NOTE);
	if (err[0]) {
		free(title), free(note);
		ticket_clear(&t);
		return reply_invalid(r, err);
	}
	struct req_op op = {.q = {.ticket_id = t.id, .requester_id = r->actor.user_id,
				  .title = title ? title : xstrdup(t.subject ? t.subject : ""),
				  .note = note ? note : xstrdup(""),
				  .created_at = now_seconds()}};
	ticket_clear(&t);
	int rc = store_write(r->srv->store, request_insert_run, &op);
	if (rc) {
		kb_request_clear(&op.q);
		return reply_db_down(r);
	}
	json_t *out = json_pack("{so}", "article_request", request_json(r->srv, &op.q));
	kb_request_clear(&op.q);
	return reply_json(r, 201, out);
}

static int requests_list(struct req *r)
{
	const char *status = req_arg(r, "status");
	if (status && !*status)
		status = NULL;
	if (status && !kb_request_status_ok(status))
		return reply_invalid(r, "status: open, drafted, done or declined");
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	struct kb_request *v = NULL;
	int n = 0;
	int64_t count = 0;
	int rc = kb_request_list(req_db(r), status, (p.page - 1) * p.per_page, (int)p.per_page,
				 &v, &n);
	if (!rc)
		rc = kb_request_count(req_db(r), status, &count);
	if (rc) {
		kb_request_list_free(v, n);
		return reply_db_down(r);
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, request_json(r->srv, &v[i]));
	kb_request_list_free(v, n);
	return reply_json(r, 200, json_pack("{so sI}", "article_requests", arr, "count",
					    (json_int_t)count));
}

struct update_op {
	int64_t id;
	char *status;
	int64_t article_id;
	int has_article;
	struct kb_request q;
	int status_code; /* 404/422 refused */
	char err[120];
};

static int request_update_run(struct db *db, void *arg)
{
	struct update_op *op = arg;
	int rc = kb_request_get(db, op->id, &op->q);
	if (rc) {
		op->status_code = 404;
		return rc == 1 ? DB_REFUSED : rc;
	}
	if (op->has_article && op->article_id) {
		int found = 0;
		if ((rc = hc_store_exists(db, HC_ARTICLE, op->article_id, &found)))
			return rc;
		if (!found) {
			op->status_code = 422;
			snprintf(op->err, sizeof(op->err), "article_id: %" PRId64 " is not an article",
				 op->article_id);
			return DB_REFUSED;
		}
	}
	if (op->status)
		snprintf(op->q.status, sizeof(op->q.status), "%s", op->status);
	if (op->has_article)
		op->q.article_id = op->article_id;
	op->q.updated_at = now_seconds();
	return kb_request_update(db, &op->q);
}

static int request_update(struct req *r)
{
	json_t *root;
	json_t *o = member_or_reply(r, &root, "article_request");
	if (!o)
		return 0;
	struct update_op op = {.id = r->id[0]};
	char err[160] = "";
	jget_str(o, "status", &op.status, err, sizeof(err));
	int has = jget_id(o, "article_id", &op.article_id, err, sizeof(err));
	op.has_article = has == 1;
	json_decref(root);
	if (!err[0] && op.status && !kb_request_status_ok(op.status))
		snprintf(err, sizeof(err), "status: open, drafted, done or declined");
	if (err[0]) {
		free(op.status);
		return reply_invalid(r, err);
	}
	int rc = store_write(r->srv->store, request_update_run, &op);
	free(op.status);
	if (rc == DB_REFUSED) {
		kb_request_clear(&op.q);
		return op.status_code == 404 ? reply_not_found(r) : reply_invalid(r, op.err);
	}
	if (rc) {
		kb_request_clear(&op.q);
		return reply_db_down(r);
	}
	json_t *out = json_pack("{so}", "article_request", request_json(r->srv, &op.q));
	kb_request_clear(&op.q);
	return reply_json(r, 200, out);
}

/* ---- a draft article from a ticket ---- */

struct draft_op {
	int64_t section_id;
	const char *locale; /* NULL: the section's source locale */
	struct hc_article a;
	struct kb_request q;
	int status_code;
	char err[120];
};

static int draft_run(struct db *db, void *arg)
{
	struct draft_op *op = arg;
	static const struct hc_view staff = {.staff = 1, .signed_in = 1};
	struct hc_section s = {0};
	int rc = hc_section_get(db, op->section_id, &staff, &s);
	if (rc) {
		hc_section_clear(&s);
		if (rc < 0)
			return rc;
		op->status_code = 422;
		snprintf(op->err, sizeof(op->err), "section_id: %" PRId64 " is not a section",
			 op->section_id);
		return DB_REFUSED;
	}
	snprintf(op->a.tr.locale, sizeof(op->a.tr.locale), "%s",
		 op->locale ? op->locale : s.source_locale);
	hc_section_clear(&s);
	if ((rc = hc_article_insert(db, &op->a)))
		return rc;
	op->q.article_id = op->a.id;
	return kb_request_insert(db, &op->q);
}

/* The body a draft starts from: the newest public comment by someone
 * other than the requester (the agent's answer), else the first one. */
static int draft_body(struct req *r, const struct ticket *t, char **out)
{
	struct comment *v = NULL;
	int n = 0;
	int rc = comment_store_list(req_db(r), t->id, 1, 0, 1000, &v, &n);
	if (rc)
		return rc;
	const struct comment *pick = n ? &v[0] : NULL;
	for (int i = n - 1; i >= 0; i--)
		if (v[i].author_id != t->requester_id) {
			pick = &v[i];
			break;
		}
	*out = xstrdup(pick && pick->body ? pick->body : "");
	comment_list_free(v, n);
	return 0;
}

static int article_draft(struct req *r)
{
	struct ticket t = {0};
	if (ticket_or_reply(r, &t))
		return 0;
	json_t *root;
	json_t *o = member_or_reply(r, &root, "article");
	if (!o) {
		ticket_clear(&t);
		return 0;
	}
	struct draft_op op = {0};
	char *title = NULL, *locale = NULL, err[160] = "";
	jget_id(o, "section_id", &op.section_id, err, sizeof(err));
	jget_str(o, "title", &title, err, sizeof(err));
	jget_str(o, "locale", &locale, err, sizeof(err));
	json_decref(root);
	if (!err[0] && !op.section_id)
		snprintf(err, sizeof(err), "section_id: is required");
	if (!err[0] && locale && !(op.locale = hc_locale(locale)))
		snprintf(err, sizeof(err), "locale: not a locale of this help center");
	if (!err[0] && title && (!title[strspn(title, " ")] || !text_ok(title, MAX_TITLE, 0)))
		snprintf(err, sizeof(err), "title: 1 to %d bytes, no control characters", MAX_TITLE);
	free(locale);
	if (err[0]) {
		free(title);
		ticket_clear(&t);
		return reply_invalid(r, err);
	}
	char *body = NULL;
	if (draft_body(r, &t, &body)) {
		free(title);
		ticket_clear(&t);
		return reply_db_down(r);
	}
	struct buf html = BUF_INIT, plain = BUF_INIT;
	if (markdown_render(body, strlen(body), &html, &plain)) {
		free(title), free(body);
		ticket_clear(&t);
		return reply_invalid(r, "the ticket's answer is too long for an article");
	}
	int64_t now = now_seconds();
	const char *subject = t.subject && *t.subject ? t.subject : "(no subject)";
	op.a = (struct hc_article){.section_id = op.section_id, .author_id = r->actor.user_id,
				   .created_at = now, .updated_at = now};
	op.a.tr.title = title ? xstrdup(title) : xstrdup(subject);
	op.a.tr.body = body;
	op.a.tr.html = buf_detach(&html);
	op.a.tr.plain = buf_detach(&plain);
	op.a.tr.draft = 1;
	op.a.tr.created_at = op.a.tr.updated_at = now;
	op.a.tr.created_by_id = op.a.tr.updated_by_id = r->actor.user_id;
	op.q = (struct kb_request){.ticket_id = t.id, .requester_id = r->actor.user_id,
				   .title = xstrdup(op.a.tr.title), .note = xstrdup(""),
				   .created_at = now};
	snprintf(op.q.status, sizeof(op.q.status), "drafted");
	free(title);
	ticket_clear(&t);
	int rc = store_write(r->srv->store, draft_run, &op);
	if (rc) {
		hc_article_clear(&op.a);
		kb_request_clear(&op.q);
		return rc == DB_REFUSED ? reply_invalid(r, op.err) : reply_db_down(r);
	}
	json_t *a = json_pack("{sI sI ss ss ss sb sI}", "id", (json_int_t)op.a.id, "section_id",
			      (json_int_t)op.a.section_id, "title", op.a.tr.title, "locale",
			      op.a.tr.locale, "body_markdown", op.a.tr.body, "draft", 1,
			      "author_id", (json_int_t)op.a.author_id);
	article_urls(r->srv, a, op.a.id, op.a.tr.locale);
	json_t *out = json_pack("{so so}", "article", a, "article_request",
				request_json(r->srv, &op.q));
	hc_article_clear(&op.a);
	kb_request_clear(&op.q);
	return reply_json(r, 201, out);
}

const struct route knowledge_routes[] = {
    {M_GET, "/api/v2/sonnim/tickets/{id}/viewed_articles.json", ROLE_AGENT, viewed_articles, 0},
    {M_POST, "/api/v2/sonnim/tickets/{id}/article_draft.json", ROLE_AGENT, article_draft, 0},
    {M_POST, "/api/v2/sonnim/tickets/{id}/article_requests.json", ROLE_AGENT,
     ticket_request_create, 0},
    {M_GET, "/api/v2/sonnim/help_center/article_requests.json", ROLE_AGENT, requests_list, 0},
    {M_PUT, "/api/v2/sonnim/help_center/article_requests/{id}.json", ROLE_AGENT, request_update,
     0},
    {0},
};
