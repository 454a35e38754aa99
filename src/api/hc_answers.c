/* hc_answers.c - the "this solved my request" link of the auto-reply's
 * suggested articles (channels/email/outbound.c):
 *   GET  /hc/{locale}/answers/{article}?token=T   the question: did this article
 *                                                 solve your request #N?
 *   POST /hc/{locale}/answers/{article}           the answer: token, value=solved|not
 *
 * T is the ticket's answer token (core/portal.h: an HMAC of the ticket id
 * under the portal secret), which is the interaction token of the answer
 * bot's "email" deflection for that ticket, so it both proves the link
 * came from our mail and names the deflection.  The GET only asks (mail
 * scanners and link previews open links; nothing may change on a GET);
 * the POST records the outcome through the answer bot's one path
 * (answer_bot_record: feedback counts for ranking, and "solved" solves
 * the ticket as its requester, via answer_bot).  The token in the form is
 * what authorizes the POST, so another site cannot forge it.
 *
 * Cost: a page is one deflection read and one article read; a POST one
 * write.
 */
#include "api/api.h"
#include "api/help_center.h"
#include "base/util.h"
#include "core/hc.h"
#include "http/auth.h"
#include "store/answer_bot_store.h"
#include "store/hc_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum amsg { A_ASK, A_YES, A_NO, A_SOLVED, A_SOLVED_MORE, A_NOT, A_ALREADY, A_NMSG };

static const char *const amsgs[A_NMSG][2] = { /* [ko, en-us] */
    [A_ASK] = {"이 도움말로 요청 #%lld이(가) 해결되었나요?", "Did this article solve your request #%lld?"},
    [A_YES] = {"예, 해결됐어요 (요청 닫기)", "Yes, this solved it (close my request)"},
    [A_NO] = {"아니요, 아직 도움이 필요해요", "No, I still need help"},
    [A_SOLVED] = {"요청 #%lld을(를) 해결됨으로 표시했습니다. 감사합니다!",
		  "Request #%lld is now solved. Thank you!"},
    [A_SOLVED_MORE] = {"다시 도움이 필요하면 받은 메일에 회신해 주세요.",
		       "If you need more help, just reply to our email."},
    [A_NOT] = {"알려 주셔서 감사합니다. 담당자가 곧 답변드리겠습니다.",
	       "Thanks for letting us know. Our team will get back to you soon."},
    [A_ALREADY] = {"이 요청은 이미 해결됨으로 표시되었습니다.", "This request was already marked as solved."},
};

static const char *AT(const char *locale, enum amsg m)
{
	return amsgs[m][strcmp(locale, HC_LOCALE_KO) ? 1 : 0];
}

static int token_ok(const char *t)
{
	return t && strlen(t) == 40 && strspn(t, "0123456789abcdef") == 40;
}

/* The deflection of token offering article id: 0, 1 none (404), <0 DB. */
static int deflection_of(struct req *r, const char *token, int64_t id, struct ab_deflection *d)
{
	char h[65];
	token_hash(token, h);
	int rc = answer_bot_deflection_get(req_db(r), h, d);
	if (rc)
		return rc;
	for (size_t i = 0; i < d->article_ids.n; i++)
		if (d->article_ids.v[i] == id)
			return 0;
	return 1;
}

static int page(struct req *r, const char *loc, const char *title, struct buf *b, int status)
{
	struct buf p = BUF_INIT;
	hc_page_start(&p, r, loc, title, NULL, r->path);
	buf_add(&p, b->s, b->len);
	buf_release(b);
	hc_page_finish(r, &p, status, 0);
	reply_header(r, "X-Robots-Tag", "noindex");
	return 0;
}

static int answer_page(struct req *r)
{
	const char *loc = hc_locale(r->word);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	const char *token = req_arg(r, "token");
	struct ab_deflection d = {0};
	int rc = token_ok(token) ? deflection_of(r, token, r->id[0], &d) : 1;
	struct hc_view v = {.locale = NULL, .signed_in = 1};
	struct hc_article a = {0};
	if (!rc)
		rc = hc_article_get(req_db(r), r->id[0], &v, &a);
	if (rc) {
		ab_deflection_clear(&d);
		return rc < 0 ? reply_db_down(r) : hc_page_not_found(r, loc);
	}
	struct buf b = BUF_INIT;
	buf_adds(&b, "<h1>");
	hc_escape(&b, a.tr.title);
	buf_addf(&b, "</h1><p><a href=\"/hc/%s/articles/%" PRId64 "\">%s</a></p>", loc, a.id,
		 hc_help_center_label(loc));
	if (!strcmp(d.state, "resolved")) {
		buf_addf(&b, "<p class=\"answer-done\">%s</p>", AT(loc, A_ALREADY));
	} else {
		buf_adds(&b, "<form method=\"post\" class=\"answer-form\"><p>");
		buf_addf(&b, AT(loc, A_ASK), (long long)d.ticket_id);
		buf_addf(&b, "</p><input type=\"hidden\" name=\"token\" value=\"%s\">"
			     "<button name=\"value\" value=\"solved\">%s</button> "
			     "<button name=\"value\" value=\"not\">%s</button></form>",
			 token, AT(loc, A_YES), AT(loc, A_NO));
	}
	char title[300];
	snprintf(title, sizeof(title), "%s", a.tr.title);
	hc_article_clear(&a);
	ab_deflection_clear(&d);
	return page(r, loc, title, &b, 200);
}

static int answer_post(struct req *r)
{
	const char *loc = hc_locale(r->word);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	char token[48] = "", value[16] = "";
	hc_form_value(r->body.s, r->body.len, "token", token, sizeof(token));
	hc_form_value(r->body.s, r->body.len, "value", value, sizeof(value));
	int resolved = !strcmp(value, "solved");
	if (!token_ok(token) || (!resolved && strcmp(value, "not")))
		return hc_page_not_found(r, loc);
	int result = 0, solved = 0;
	int64_t tid = 0;
	if (answer_bot_record(r->srv, token, r->id[0], resolved, &result, &tid, &solved))
		return reply_db_down(r);
	if (result == AB_NONE || result == AB_NOT_OFFERED)
		return hc_page_not_found(r, loc);
	struct buf b = BUF_INIT;
	if (result == AB_DONE && resolved) {
		buf_addf(&b, "<p class=\"answer-done\">%s</p>", AT(loc, A_ALREADY));
	} else if (resolved && tid && !solved) { /* closed or merged meanwhile */
		buf_addf(&b, "<p class=\"answer-done\">%s</p>", AT(loc, A_ALREADY));
	} else if (resolved) {
		buf_adds(&b, "<p class=\"answer-solved\" role=\"status\">");
		buf_addf(&b, AT(loc, A_SOLVED), (long long)tid);
		buf_addf(&b, "</p><p>%s</p>", AT(loc, A_SOLVED_MORE));
	} else {
		buf_addf(&b, "<p class=\"answer-not\" role=\"status\">%s</p>", AT(loc, A_NOT));
	}
	return page(r, loc, hc_help_center_label(loc), &b, 200);
}

const struct route hc_answer_routes[] = {
    {M_GET, "/hc/{word}/answers/{id}", PUBLIC, answer_page, 0},
    {M_POST, "/hc/{word}/answers/{id}", PUBLIC, answer_post, 0},
    {0},
};
