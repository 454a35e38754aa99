/* hc_flow_page.c - a troubleshooting flow (core/hc_flow.h) walked on the
 * public help center, one page per step, without JavaScript:
 *   GET /hc/{locale}/articles/{id}/flow?path=0.1   the step the path leads to
 *
 * The page lists the steps already taken (each a link back to that point),
 * then the current step - its title, its Markdown body (rendered and
 * sanitized like an article body) and one link per option, whose href is
 * this page with the path one choice longer.  Nothing is kept on the
 * server while walking: the path in the link is the state, and it is
 * replayed against the stored flow on every request (a path that does not
 * fit gives the 404 page).
 *
 * Outcomes: "solved" shows a thank-you page and counts one solved outcome
 * for the article (hc_flow_outcomes); "contact" redirects (303) to the
 * contact form with ?flow=<article>&path=<path>, which shows the steps
 * taken, prefills the subject, records them in the ticket and counts the
 * contact outcome when the request is sent (api/hc_portal.c).
 *
 * Cost: one article read and one parse of its flow JSON per page; a solved
 * outcome adds one small write.
 */
#include "api/api.h"
#include "api/help_center.h"
#include "base/util.h"
#include "core/hc.h"
#include "core/hc_flow.h"
#include "core/markdown.h"
#include "store/hc_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum fmsg { F_START, F_TAKEN, F_SOLVED, F_SOLVED_MORE, F_BACK, F_RESTART, F_NMSG };

static const char *const fmsgs[F_NMSG][2] = { /* [ko, en-us] */
    [F_START] = {"문제 해결 시작하기", "Start troubleshooting"},
    [F_TAKEN] = {"지금까지 확인한 내용", "What you checked so far"},
    [F_SOLVED] = {"해결되었다니 다행입니다!", "Great, glad that fixed it!"},
    [F_SOLVED_MORE] = {"다른 도움이 필요하면 고객센터에서 찾아보세요.",
		       "If you need anything else, the help center is here."},
    [F_BACK] = {"도움말로 돌아가기", "Back to the article"},
    [F_RESTART] = {"처음부터 다시", "Start over"},
};

static const char *FT(const char *locale, enum fmsg m)
{
	return fmsgs[m][strcmp(locale, HC_LOCALE_KO) ? 1 : 0];
}

const char *hc_flow_start_label(const char *locale) { return FT(locale, F_START); }

int hc_flow_load(struct db *db, int64_t id, const struct hc_view *v, const char *path,
		 struct hc_article *a, struct hc_flow *f, struct hc_flow_walk *w)
{
	char err[160];
	memset(f, 0, sizeof(*f));
	int rc = hc_article_get(db, id, v, a);
	if (rc)
		return rc;
	if (!a->tr.flow || hc_flow_parse(a->tr.flow, strlen(a->tr.flow), f, err, sizeof(err))) {
		hc_article_clear(a);
		return 1;
	}
	if (path && (strlen(path) > 2 * HC_FLOW_MAX_PATH || hc_flow_walk(f, path, w))) {
		hc_flow_clear(f);
		hc_article_clear(a);
		return 1;
	}
	return 0;
}

struct outcome_op {
	int64_t article_id;
	const char *locale;
};

static int solved_run(struct db *db, void *arg)
{
	struct outcome_op *op = arg;
	return hc_flow_outcome_add(db, op->article_id, op->locale, "solved");
}

static void flow_link(struct buf *b, const char *loc, int64_t id, const char *path)
{
	buf_addf(b, "/hc/%s/articles/%" PRId64 "/flow", loc, id);
	if (path && *path)
		buf_addf(b, "?path=%s", path); /* digits and dots only */
}

static int flow_page(struct req *r)
{
	struct hc_view v;
	if (hc_page_reader(r, &v))
		return 0;
	const char *loc = v.locale;
	const char *path = req_arg(r, "path");
	struct hc_article a = {0};
	struct hc_flow f;
	struct hc_flow_walk w;
	int rc = hc_flow_load(req_db(r), r->id[0], &v, path ? path : "", &a, &f, &w);
	if (rc)
		return rc < 0 ? reply_db_down(r) : hc_page_not_found(r, loc);
	struct buf p = BUF_INIT;
	hc_flow_path(&w, w.n, &p);
	if (w.outcome == HC_FLOW_CONTACT) {
		char where[256];
		snprintf(where, sizeof(where), "/hc/%s/requests/new?flow=%" PRId64 "&path=%s", loc,
			 a.id, p.s);
		buf_release(&p);
		hc_flow_clear(&f);
		hc_article_clear(&a);
		reply_raw(r, 303, "text/html; charset=utf-8", "", 0);
		reply_header(r, "Location", where);
		return 0;
	}
	struct buf b = BUF_INIT, link = BUF_INIT;
	char canon[96];
	snprintf(canon, sizeof(canon), "/hc/%s/articles/%" PRId64 "/flow", loc, a.id);
	hc_page_start(&b, r, loc, a.tr.title, NULL, canon);
	buf_adds(&b, "<style>.flow-options{list-style:none;padding:0}.flow-options li{margin:.5rem 0}"
		     ".flow-option{display:block;padding:.75rem 1rem;border:1px solid var(--brand);"
		     "border-radius:8px;text-decoration:none}.flow-taken{color:#555}"
		     ".flow-solved{font-size:1.2rem;font-weight:bold}</style>");
	buf_addf(&b, "<nav class=\"crumbs\"><a href=\"/hc/%s/articles/%" PRId64 "\">%s</a></nav><h1>",
		 loc, a.id, FT(loc, F_BACK));
	hc_escape(&b, a.tr.title);
	buf_adds(&b, "</h1>");
	if (w.n) {
		buf_addf(&b, "<h2>%s</h2><ol class=\"flow-taken\">", FT(loc, F_TAKEN));
		for (int i = 0; i < w.n; i++) {
			const struct hc_flow_step *st = &f.steps[w.taken[i][0]];
			struct buf pre = BUF_INIT;
			hc_flow_path(&w, i, &pre);
			buf_reset(&link);
			flow_link(&link, loc, a.id, pre.s);
			buf_addf(&b, "<li><a href=\"%s\">", link.s);
			hc_escape(&b, st->title);
			buf_adds(&b, "</a> → ");
			hc_escape(&b, st->opt[w.taken[i][1]].label);
			buf_adds(&b, "</li>");
			buf_release(&pre);
		}
		buf_adds(&b, "</ol>");
	}
	if (w.outcome == HC_FLOW_SOLVED) {
		buf_addf(&b, "<p class=\"flow-solved\" role=\"status\">%s</p><p>%s</p>"
			     "<p><a href=\"/hc/%s\">%s</a></p>",
			 FT(loc, F_SOLVED), FT(loc, F_SOLVED_MORE), loc, hc_help_center_label(loc));
		struct outcome_op op = {.article_id = a.id, .locale = a.tr.locale};
		store_write(r->srv->store, solved_run, &op); /* a lost count does not fail the page */
	} else {
		const struct hc_flow_step *st = &f.steps[w.step];
		buf_addf(&b, "<section class=\"flow-step\" data-step=\"%s\"><h2>", st->id);
		hc_escape(&b, st->title);
		buf_adds(&b, "</h2>");
		if (st->body[0]) {
			struct buf html = BUF_INIT;
			if (!markdown_render(st->body, strlen(st->body), &html, NULL))
				buf_adds(&b, html.s); /* the sanitizer's output */
			buf_release(&html);
		}
		buf_adds(&b, "<ul class=\"flow-options\">");
		for (int k = 0; k < st->nopt; k++) {
			struct buf next = BUF_INIT;
			buf_adds(&next, p.s);
			buf_addf(&next, "%s%d", p.len ? "." : "", k);
			buf_reset(&link);
			flow_link(&link, loc, a.id, next.s);
			buf_addf(&b, "<li><a class=\"flow-option\" href=\"%s\">", link.s);
			hc_escape(&b, st->opt[k].label);
			buf_adds(&b, "</a></li>");
			buf_release(&next);
		}
		buf_adds(&b, "</ul></section>");
	}
	if (w.n) {
		buf_reset(&link);
		flow_link(&link, loc, a.id, "");
		buf_addf(&b, "<p><a class=\"flow-restart\" href=\"%s\">%s</a></p>", link.s,
			 FT(loc, F_RESTART));
	}
	buf_release(&link);
	buf_release(&p);
	hc_flow_clear(&f);
	hc_article_clear(&a);
	hc_page_finish(r, &b, 200, 0);
	reply_header(r, "X-Robots-Tag", "noindex");
	return 0;
}

const struct route hc_flow_routes[] = {
    {M_GET, "/hc/{word}/articles/{id}/flow", PUBLIC, flow_page, 0},
    {0},
};
