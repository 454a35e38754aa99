/* satisfaction.c - CSAT: Zendesk's satisfaction ratings API and the
 * public survey page the email link opens.
 *   GET  /api/v2/satisfaction_ratings           admins; ?score= (offered,
 *        received[_with|_without_comment], good[...], bad[...]),
 *        ?start_time= / ?end_time= (unix seconds, on updated_at); offset
 *        or cursor pages in id order
 *   GET  /api/v2/satisfaction_ratings/{id}      admins
 *   POST /api/v2/tickets/{id}/satisfaction_rating
 *        {"satisfaction_rating": {"score": "good"|"bad", "comment",
 *        "reason_code"}}: only the ticket's requester (403 otherwise), only
 *        a solved ticket or a closed one within 28 days of solving (422);
 *        a second answer replaces the first (same id)
 *   GET  /hc/requests/{id}/satisfaction?token=T the survey form (ko/en)
 *   POST /hc/requests/{id}/satisfaction         the form's answer
 *
 * The survey needs no login: T is the HMAC of (ticket, its requester)
 * under the server's secret (core/satisfaction.h), so the link
 * authenticates exactly that ticket's requester, and stops working if the
 * requester changes.  CSRF: the answer is authorized by the token in the
 * form body, never by a cookie or other ambient credential, so another
 * site cannot make a visitor's browser answer without already holding the
 * token; the page also sends a CSP with form-action 'self' and
 * frame-ancestors 'none' (no clickjacking).  A wrong or forged token gets
 * 403 and the same page for "no such ticket", so the survey tells nothing
 * about which tickets exist.
 *
 * Cost: one indexed read per page; an answer is one store_write
 * (store/satisfaction_store.h: upsert, ticket copy, event).
 */
#include "api/api.h"
#include "base/util.h"
#include "core/hc.h"
#include "core/satisfaction.h"
#include "store/satisfaction_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---- the API -------------------------------------------------------------- */

static json_t *rating_json(struct server *s, const struct satisfaction_rating *v)
{
	char url[600];
	snprintf(url, sizeof(url), "%s/api/v2/satisfaction_ratings/%" PRId64 ".json",
		 s->cfg.base_url, v->id);
	json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:s}", "url", url, "id", (json_int_t)v->id,
			      "ticket_id", (json_int_t)v->ticket_id, "requester_id",
			      (json_int_t)v->requester_id, "score", v->score);
	json_object_set_new(j, "assignee_id", jid(v->assignee_id));
	json_object_set_new(j, "group_id", jid(v->group_id));
	json_object_set_new(j, "comment", jstr(v->comment));
	json_object_set_new(j, "reason_code", json_integer(v->reason_code));
	json_object_set_new(j, "reason", jstr(csat_reason(v->reason_code, NULL)));
	json_object_set_new(j, "created_at", jtime(v->created_at));
	json_object_set_new(j, "updated_at", jtime(v->updated_at));
	return j;
}

/* ?name= as unix seconds into *out (0 when absent); -1 after replying 400. */
static int time_arg_or_reply(struct req *r, const char *name, int64_t *out)
{
	const char *v = req_arg(r, name);
	*out = 0;
	if (!v || !*v)
		return 0;
	if (parse_i64(v, out) || *out < 0) {
		char msg[96];
		snprintf(msg, sizeof(msg), "%s must be a unix time in seconds", name);
		reply_error(r, 400, "InvalidParameter", msg, NULL);
		return -1;
	}
	return 0;
}

static int ratings_list(struct req *r)
{
	struct satisfaction_filter f = {.score = req_arg(r, "score")};
	if (f.score && !*f.score)
		f.score = NULL;
	if (!satisfaction_filter_score_ok(f.score))
		return reply_error(r, 400, "InvalidParameter",
				   "score is one of offered, received, good, bad (and their"
				   " _with_comment / _without_comment forms)",
				   NULL);
	if (time_arg_or_reply(r, "start_time", &f.start_time) ||
	    time_arg_or_reply(r, "end_time", &f.end_time))
		return 0;
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	page_window(&p, &f.win);
	struct satisfaction_rating *v;
	int n;
	if (satisfaction_list(req_db(r), &f, &v, &n))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, rating_json(r->srv, &v[i]));
	json_t *out = json_pack("{s:o}", "satisfaction_ratings", arr);
	page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, -1);
	satisfaction_list_free(v, n + more);
	return reply_json(r, 200, out);
}

static int ratings_show(struct req *r)
{
	struct satisfaction_rating v;
	int rc = satisfaction_get(req_db(r), r->id[0], &v);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	json_t *out = json_pack("{s:o}", "satisfaction_rating", rating_json(r->srv, &v));
	satisfaction_rating_clear(&v);
	return reply_json(r, 200, out);
}

/* Run rate and reply with its failure; 0 on success (nothing replied),
 * -1 after replying. */
static int rate_or_reply(struct req *r, struct satisfaction_rate *rate)
{
	int rc = store_write(r->srv->store, satisfaction_rate_run, rate);
	if (!rc)
		return 0;
	if (rc != DB_REFUSED)
		reply_db_down(r);
	else if (rate->status == 404)
		reply_not_found(r);
	else if (rate->status == 403)
		reply_error(r, 403, "Forbidden", rate->err, NULL);
	else
		reply_invalid(r, rate->err);
	return -1;
}

static int ticket_rate(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	json_t *o = json_object_get(body, "satisfaction_rating");
	char err[160] = "";
	char *score = NULL, *comment = NULL;
	json_t *rc_j = json_object_get(o, "reason_code");
	if (!json_is_object(o)) {
		json_decref(body);
		return reply_invalid(r, "satisfaction_rating: expected an object");
	}
	if (jget_str(o, "score", &score, err, sizeof(err)) < 0 ||
	    jget_str(o, "comment", &comment, err, sizeof(err)) < 0 ||
	    (rc_j && !json_is_null(rc_j) && !json_is_integer(rc_j))) {
		if (!*err)
			snprintf(err, sizeof(err), "reason_code: expected an integer");
		free(score);
		free(comment);
		json_decref(body);
		return reply_invalid(r, err);
	}
	struct satisfaction_rate rate = {.ticket_id = r->id[0], .user_id = r->actor.user_id,
					 .score = score, .comment = comment,
					 .reason_code = (int)json_integer_value(rc_j), .via = "api",
					 .now = now_seconds()};
	json_decref(body);
	if (rate_or_reply(r, &rate) == 0) {
		json_t *out = json_pack("{s:o}", "satisfaction_rating", rating_json(r->srv, &rate.result));
		satisfaction_rating_clear(&rate.result);
		reply_json(r, 200, out);
	}
	free(score);
	free(comment);
	return 0;
}

/* ---- the survey page ------------------------------------------------------ */

enum smsg { S_TITLE, S_REQUEST, S_GOOD, S_BAD, S_COMMENT, S_REASON, S_SEND, S_THANKS,
	    S_BAD_LINK, S_CLOSED, S_CURRENT, S_NMSG };
static const char *const smsgs[S_NMSG][2] = { /* [ko, en] */
    [S_TITLE] = {"상담은 만족스러우셨나요?", "How would you rate our support?"},
    [S_REQUEST] = {"문의", "Request"},
    [S_GOOD] = {"좋았어요", "Good, I'm satisfied"},
    [S_BAD] = {"아쉬웠어요", "Bad, I'm unsatisfied"},
    [S_COMMENT] = {"의견 (선택)", "Comment (optional)"},
    [S_REASON] = {"아쉬웠던 이유", "What was the problem?"},
    [S_SEND] = {"보내기", "Send"},
    [S_THANKS] = {"평가해 주셔서 감사합니다.", "Thank you for your feedback."},
    [S_BAD_LINK] = {"이 링크는 유효하지 않습니다.", "This link is not valid."},
    [S_CLOSED] = {"이 문의는 더 이상 평가할 수 없습니다.", "This request can no longer be rated."},
    [S_CURRENT] = {"현재 평가", "Your current rating"},
};

static int ko_of(struct req *r, const char *form_lang)
{
	const char *l = form_lang && *form_lang ? form_lang : req_arg(r, "lang");
	if (l && *l)
		return !strncmp(l, "ko", 2);
	const char *al = req_header(r, "Accept-Language");
	return !al || !strncmp(al, "ko", 2); /* Korean unless the browser asks otherwise */
}

#define S(m) smsgs[m][ko ? 0 : 1]

static void survey_start(struct buf *b, int ko)
{
	buf_addf(b, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		    "<meta name=\"robots\" content=\"noindex\"><title>%s</title><style>"
		    "body{margin:0 auto;max-width:36rem;padding:1rem;font:16px/1.6 system-ui,"
		    "'Apple SD Gothic Neo','Malgun Gothic',sans-serif;color:#1f2328}"
		    "fieldset{border:0;padding:0}label{display:block;margin:.4rem 0}"
		    "textarea,select{width:100%%;font:inherit}button{padding:.6rem 1rem;"
		    "font-size:1rem}</style></head><body><main>",
		 ko ? "ko" : "en", S(S_TITLE));
}

static int survey_reply(struct req *r, struct buf *b, int status)
{
	buf_adds(b, "</main></body></html>\n");
	size_t n = b->len;
	reply_take(r, status, "text/html; charset=utf-8", buf_detach(b), n);
	reply_header(r, "Content-Security-Policy",
		     "default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
		     " base-uri 'none'; frame-ancestors 'none'");
	reply_header(r, "Referrer-Policy", "no-referrer");
	reply_header(r, "Cache-Control", "no-store");
	return 0;
}

static int survey_message(struct req *r, int ko, enum smsg m, int status)
{
	struct buf b = BUF_INIT;
	survey_start(&b, ko);
	buf_addf(&b, "<h1>%s</h1><p>%s</p>", S(S_TITLE), S(m));
	return survey_reply(r, &b, status);
}

/* Is token the survey token of ticket id?  Fills *t.  0 yes, 1 no (bad
 * token or no ticket), DB_* on a database error. */
static int survey_ticket(struct req *r, const char *token, struct ticket *t)
{
	char *secret = NULL;
	int rc = ticket_store_get(req_db(r), r->id[0], t);
	if (rc)
		return rc;
	rc = setting_get(req_db(r), "csat_secret", &secret);
	if (!rc)
		rc = csat_token_ok(secret, t->id, t->requester_id, token) ? 0 : 1;
	if (secret)
		sodium_memzero(secret, strlen(secret));
	free(secret);
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of name in an application/x-www-form-urlencoded body, decoded
 * into out (cut at outlen - 1, at a character boundary); 0, or -1 when
 * absent. */
static int form_value(const char *body, size_t len, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && body[e] != '&')
			e++;
		if (e - i > nl && !memcmp(body + i, name, nl) && body[i + nl] == '=') {
			size_t k = 0;
			for (size_t p = i + nl + 1; p < e && k + 1 < outlen; p++) {
				char ch = body[p];
				if (ch == '+') {
					ch = ' ';
				} else if (ch == '%' && p + 2 < e && hexval(body[p + 1]) >= 0 &&
					   hexval(body[p + 2]) >= 0) {
					ch = (char)(hexval(body[p + 1]) * 16 + hexval(body[p + 2]));
					p += 2;
				}
				out[k++] = ch;
			}
			while (k && k + 1 >= outlen && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
				k--; /* do not cut a character in two */
			out[k] = '\0';
			return 0;
		}
		i = e + 1;
	}
	return -1;
}

static int survey_page(struct req *r)
{
	int ko = ko_of(r, NULL);
	const char *token = req_arg(r, "token");
	struct ticket t = {0};
	int rc = survey_ticket(r, token, &t);
	if (rc) {
		ticket_clear(&t);
		return rc < 0 ? reply_db_down(r) : survey_message(r, ko, S_BAD_LINK, 403);
	}
	char err[160];
	if (csat_may_rate(t.status, t.solved_at, now_seconds(), err, sizeof(err))) {
		ticket_clear(&t);
		return survey_message(r, ko, S_CLOSED, 422);
	}
	struct buf b = BUF_INIT;
	survey_start(&b, ko);
	buf_addf(&b, "<h1>%s</h1><p>%s #%" PRId64 ": ", S(S_TITLE), S(S_REQUEST), t.id);
	hc_escape(&b, t.subject ? t.subject : "");
	buf_adds(&b, "</p>");
	int good = !strcmp(t.satisfaction_score, "good"), bad = !strcmp(t.satisfaction_score, "bad");
	if (good || bad)
		buf_addf(&b, "<p>%s: %s</p>", S(S_CURRENT), good ? S(S_GOOD) : S(S_BAD));
	buf_addf(&b, "<form method=\"post\" action=\"/hc/requests/%" PRId64 "/satisfaction\">",
		 t.id);
	buf_adds(&b, "<input type=\"hidden\" name=\"token\" value=\"");
	hc_escape(&b, token);
	buf_addf(&b, "\"><input type=\"hidden\" name=\"lang\" value=\"%s\"><fieldset>"
		     "<label><input type=\"radio\" name=\"score\" value=\"good\" required%s> %s"
		     "</label><label><input type=\"radio\" name=\"score\" value=\"bad\"%s> %s"
		     "</label></fieldset><label>%s<select name=\"reason_code\">",
		 ko ? "ko" : "en", good ? " checked" : "", S(S_GOOD), bad ? " checked" : "",
		 S(S_BAD), S(S_REASON));
	for (const int *c = csat_reason_codes; *c >= 0; c++)
		buf_addf(&b, "<option value=\"%d\">%s</option>", *c, csat_reason(*c, ko ? "ko" : "en"));
	buf_addf(&b, "</select></label><label>%s<textarea name=\"comment\" rows=\"4\""
		     " maxlength=\"4000\">",
		 S(S_COMMENT));
	hc_escape(&b, t.satisfaction_comment ? t.satisfaction_comment : "");
	buf_addf(&b, "</textarea></label><button type=\"submit\">%s</button></form>", S(S_SEND));
	ticket_clear(&t);
	return survey_reply(r, &b, 200);
}

static int survey_answer(struct req *r)
{
	char token[80] = "", score[8] = "", reason[8] = "", lang[8] = "";
	char *comment = xmalloc(4 * 4000 + 1);
	const char *body = r->body.s ? r->body.s : "";
	form_value(body, r->body.len, "token", token, sizeof(token));
	form_value(body, r->body.len, "score", score, sizeof(score));
	form_value(body, r->body.len, "reason_code", reason, sizeof(reason));
	form_value(body, r->body.len, "lang", lang, sizeof(lang));
	if (form_value(body, r->body.len, "comment", comment, 4 * 4000 + 1))
		comment[0] = '\0';
	int ko = ko_of(r, lang);
	struct ticket t = {0};
	int rc = survey_ticket(r, token, &t);
	int64_t requester = t.requester_id;
	ticket_clear(&t);
	if (rc) {
		free(comment);
		return rc < 0 ? reply_db_down(r) : survey_message(r, ko, S_BAD_LINK, 403);
	}
	int64_t code = 0;
	if (*reason && parse_i64(reason, &code))
		code = -1;
	struct satisfaction_rate rate = {.ticket_id = r->id[0], .user_id = requester,
					 .score = score, .comment = comment,
					 .reason_code = code < 0 || code > 1000 ? -1 : (int)code,
					 .via = "web", .now = now_seconds()};
	rc = store_write(r->srv->store, satisfaction_rate_run, &rate);
	free(comment);
	if (rc == DB_REFUSED)
		return survey_message(r, ko, rate.status == 422 && csat_valid_score(score) &&
						     csat_reason(rate.reason_code, NULL)
						 ? S_CLOSED
						 : S_BAD_LINK,
				      rate.status == 404 ? 403 : rate.status);
	if (rc)
		return reply_db_down(r);
	satisfaction_rating_clear(&rate.result);
	return survey_message(r, ko, S_THANKS, 200);
}

const struct route satisfaction_routes[] = {
    {M_GET, "/api/v2/satisfaction_ratings.json", ROLE_ADMIN, ratings_list, 0},
    {M_GET, "/api/v2/satisfaction_ratings/{id}.json", ROLE_ADMIN, ratings_show, 0},
    {M_POST, "/api/v2/tickets/{id}/satisfaction_rating.json", ROLE_END_USER, ticket_rate, 0},
    {M_GET, "/hc/requests/{id}/satisfaction", PUBLIC, survey_page, 0},
    {M_POST, "/hc/requests/{id}/satisfaction", PUBLIC, survey_answer, 0},
    {0},
};
