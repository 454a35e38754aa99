/* hc_pages.c - the public help center as server-rendered HTML:
 *   GET  /hc                                 302 to the visitor's language
 *                                            (Accept-Language: ko or en-us)
 *   GET  /hc/{locale}                        categories, sections, promoted articles
 *   GET  /hc/{locale}/categories/{id}        its sections and their articles
 *   GET  /hc/{locale}/sections/{id}          its articles
 *   GET  /hc/{locale}/articles/{id}          the article, breadcrumbs, related
 *                                            articles, "was this helpful?"; counts a view
 *   POST /hc/{locale}/articles/{id}/vote     the vote form (anonymous visitors too)
 *   GET  /hc/{locale}/search?query=          ranked results with snippets; a search
 *                                            that finds nothing is logged
 *
 * Plain HTML, no JavaScript: one small inline stylesheet (mobile first,
 * the brand colour from the hc_brand_color setting), a search form, and
 * for search engines a title, meta description, canonical link and the
 * lang attribute.  Every value written is escaped with hc_escape() except
 * article bodies, which are the sanitizer's output (core/markdown.h) and
 * search snippets, which hc_snippet() escapes itself.  A Content-Security-
 * Policy without script sources backs that up.
 *
 * Who sees what is the API's rule (hc_reader_or_reply): anonymous visitors
 * get published articles of no segment; agent-only articles never show.
 *
 * Votes without an account: the article page gives the visitor a random
 * token in a cookie (sonnim_hc: HttpOnly, SameSite=Lax, path /hc) and
 * puts the same token in the vote form; the POST must carry both and they
 * must match (a double-submit token: another site can neither read the
 * cookie nor, with SameSite=Lax, send it on a cross-site POST).  The vote
 * is stored under the SHA-256 of the token, one per article and visitor.
 *
 * Cost: a page is a handful of indexed reads; an article view also runs
 * one small write (the view count) through the group-commit writer.
 */
#include "api/api.h"
#include "api/help_center.h"
#include "base/util.h"
#include "core/hc.h"
#include "http/auth.h"
#include "store/hc_store.h"
#include "store/proactive_store.h"
#include "store/kb_store.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---- UI strings ---------------------------------------------------------- */

enum msg {
	M_HELP_CENTER, M_SEARCH, M_SEARCH_PLACEHOLDER, M_HOME, M_PROMOTED, M_RELATED,
	M_HELPFUL, M_YES, M_NO, M_THANKS, M_RESULTS_FOR, M_NO_RESULTS, M_NOT_FOUND,
	M_UPDATED, M_VOTES, M_ARTICLES, M_OTHER_LANG, M_EMPTY, M_COMMUNITY, M_COMMUNITY_BLURB,
	M_NMSG
};

static const char *const msgs[M_NMSG][2] = { /* [ko, en-us] */
    [M_HELP_CENTER] = {"고객센터", "Help Center"},
    [M_SEARCH] = {"검색", "Search"},
    [M_SEARCH_PLACEHOLDER] = {"무엇을 도와드릴까요?", "How can we help?"},
    [M_HOME] = {"고객센터 홈", "Help Center home"},
    [M_PROMOTED] = {"자주 찾는 도움말", "Promoted articles"},
    [M_RELATED] = {"관련 도움말", "Related articles"},
    [M_HELPFUL] = {"이 도움말이 도움이 되었나요?", "Was this article helpful?"},
    [M_YES] = {"예", "Yes"},
    [M_NO] = {"아니요", "No"},
    [M_THANKS] = {"의견을 보내 주셔서 감사합니다.", "Thank you for your feedback."},
    [M_RESULTS_FOR] = {"검색 결과", "Search results for"},
    [M_NO_RESULTS] = {"검색 결과가 없습니다. 다른 단어로 검색해 보세요.",
		      "No results. Try other words."},
    [M_NOT_FOUND] = {"페이지를 찾을 수 없습니다.", "The page was not found."},
    [M_UPDATED] = {"업데이트", "Updated"},
    [M_VOTES] = {"%lld명 중 %lld명에게 도움이 되었습니다", "%lld of %lld found this helpful"},
    [M_ARTICLES] = {"도움말", "Articles"},
    [M_OTHER_LANG] = {"English", "한국어"},
    [M_EMPTY] = {"아직 도움말이 없습니다.", "No articles yet."},
    [M_COMMUNITY] = {"커뮤니티", "Community"},
    [M_COMMUNITY_BLURB] = {"다른 고객과 묻고 답하고, 상담원의 공식 답변을 받아 보세요.",
			   "Ask other customers, share tips, and get official answers from our team."},
};

static const char *T(const char *locale, enum msg m)
{
	return msgs[m][strcmp(locale, HC_LOCALE_KO) ? 1 : 0];
}

const char *hc_help_center_label(const char *locale) { return T(locale, M_HELP_CENTER); }

/* ---- page frame ---------------------------------------------------------- */

static const char *brand(struct server *s)
{
	const char *c = s->cfg.hc_brand_color;
	size_t n = strlen(c);
	if (c[0] != '#' || (n != 4 && n != 7) || strspn(c + 1, "0123456789abcdefABCDEF") != n - 1)
		return "#1f6feb";
	return c;
}

static void page_start(struct buf *b, struct req *r, const char *locale, const char *title,
		       const char *description, const char *path)
{
	const char *other = strcmp(locale, HC_LOCALE_KO) ? HC_LOCALE_KO : HC_LOCALE_EN;
	buf_adds(b, "<!doctype html>\n<html lang=\"");
	buf_adds(b, strcmp(locale, HC_LOCALE_KO) ? "en" : "ko");
	buf_adds(b, "\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
	hc_escape(b, title);
	if (strcmp(title, T(locale, M_HELP_CENTER))) {
		buf_adds(b, " - ");
		buf_adds(b, T(locale, M_HELP_CENTER));
	}
	buf_adds(b, "</title>");
	if (description && *description) {
		buf_adds(b, "<meta name=\"description\" content=\"");
		size_t n = strlen(description);
		if (n > 160) { /* at a character boundary */
			n = 160;
			while (n && ((unsigned char)description[n] & 0xC0) == 0x80)
				n--;
		}
		hc_escape_n(b, description, n);
		buf_adds(b, "\">");
	}
	buf_adds(b, "<link rel=\"canonical\" href=\"");
	hc_escape(b, r->srv->cfg.base_url);
	hc_escape(b, path);
	buf_addf(b, "\"><style>:root{--brand:%s}", brand(r->srv));
	buf_adds(b,
		 "*{box-sizing:border-box}body{margin:0;font:16px/1.6 system-ui,-apple-system,"
		 "'Apple SD Gothic Neo','Malgun Gothic',sans-serif;color:#1f2328;background:#fff}"
		 "header{background:var(--brand);color:#fff;padding:1rem}header a{color:#fff}"
		 "header .top{display:flex;justify-content:space-between;gap:1rem;max-width:56rem;"
		 "margin:auto}header form{max-width:56rem;margin:1rem auto 0;display:flex;gap:.5rem}"
		 "input[type=search]{flex:1;padding:.6rem;border:0;border-radius:6px;font-size:1rem}"
		 "button{padding:.6rem 1rem;border:1px solid var(--brand);border-radius:6px;"
		 "background:#fff;color:var(--brand);font-size:1rem;cursor:pointer}"
		 "main{max-width:56rem;margin:auto;padding:1rem}a{color:var(--brand)}"
		 "nav.crumbs{font-size:.9rem;margin-bottom:1rem}nav.crumbs a{margin-right:.3rem}"
		 "ul.list{list-style:none;padding:0}ul.list li{padding:.5rem 0;border-bottom:1px "
		 "solid #eee}.snippet{color:#555;font-size:.95rem}.snippet em{font-style:normal;"
		 "background:#fff3b0}.meta{color:#666;font-size:.85rem}.grid{display:grid;gap:1rem;"
		 "grid-template-columns:repeat(auto-fill,minmax(15rem,1fr))}.card{border:1px solid "
		 "#ddd;border-radius:8px;padding:1rem}article img{max-width:100%}"
		 "article table{border-collapse:collapse}article td,article th{border:1px solid "
		 "#ccc;padding:.3rem .6rem}.vote{margin-top:2rem;padding:1rem;background:#f6f8fa;"
		 "border-radius:8px}footer{max-width:56rem;margin:2rem auto;padding:1rem;color:#666;"
		 "font-size:.85rem}</style></head><body><header><div class=\"top\"><a href=\"/hc/");
	buf_adds(b, locale);
	buf_addf(b, "\"><strong>%s</strong></a><a href=\"/hc/%s\" lang=\"%s\">%s</a></div>",
		 T(locale, M_HELP_CENTER), other, strcmp(other, HC_LOCALE_KO) ? "en" : "ko",
		 T(locale, M_OTHER_LANG));
	buf_addf(b, "<form action=\"/hc/%s/search\" method=\"get\" role=\"search\">"
		    "<input type=\"search\" name=\"query\" placeholder=\"%s\" aria-label=\"%s\">"
		    "<button type=\"submit\">%s</button></form></header>",
		 locale, T(locale, M_SEARCH_PLACEHOLDER), T(locale, M_SEARCH), T(locale, M_SEARCH));
	/* announcement banners for the help center (api/proactive.c); a
	 * failed read only leaves them out */
	proactive_hc_strip(req_db(r), r->path, r->authed ? r->actor.user_id : 0, locale,
			   now_seconds(), b);
	buf_adds(b, "<main>");
}

static int page_not_found(struct req *r, const char *locale);
static int page_reader(struct req *r, struct hc_view *v);

int hc_page_finish(struct req *r, struct buf *b, int status, int script)
{
	buf_adds(b, "</main><footer>Sonnim</footer></body></html>\n");
	size_t n = b->len;
	reply_take(r, status, "text/html; charset=utf-8", buf_detach(b), n);
	reply_header(r, "Content-Security-Policy",
		     script ? "default-src 'none'; style-src 'unsafe-inline'; img-src http: https:; "
			      "script-src 'self'; connect-src 'self'; "
			      "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
			    : "default-src 'none'; style-src 'unsafe-inline'; img-src http: https:; "
			      "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
	reply_header(r, "Referrer-Policy", "same-origin");
	return 0;
}

static int page_finish_reply(struct req *r, struct buf *b, int status)
{
	return hc_page_finish(r, b, status, 0);
}

void hc_page_start(struct buf *b, struct req *r, const char *locale, const char *title,
		   const char *description, const char *path)
{
	page_start(b, r, locale, title, description, path);
}

int hc_page_not_found(struct req *r, const char *locale)
{
	return page_not_found(r, locale);
}

int hc_page_reader(struct req *r, struct hc_view *v)
{
	return page_reader(r, v);
}

static int page_not_found(struct req *r, const char *locale)
{
	struct buf b = BUF_INIT;
	page_start(&b, r, locale, T(locale, M_NOT_FOUND), NULL, r->path);
	buf_addf(&b, "<h1>%s</h1><p><a href=\"/hc/%s\">%s</a></p>", T(locale, M_NOT_FOUND), locale,
		 T(locale, M_HOME));
	return page_finish_reply(r, &b, 404);
}

/* The reader's view and locale; -1 after replying. */
static int page_reader(struct req *r, struct hc_view *v)
{
	if (!hc_locale(r->word)) {
		char loc[sizeof(r->word)];
		snprintf(loc, sizeof(loc), "%s", r->word);
		r->word[0] = '\0'; /* not a locale: answer in the default one */
		if (hc_reader_or_reply(r, v))
			return -1;
		page_not_found(r, HC_DEFAULT_LOCALE);
		return -1;
	}
	return hc_reader_or_reply(r, v);
}

static void crumb(struct buf *b, const char *locale, const char *kind, int64_t id,
		  const char *title)
{
	if (kind)
		buf_adds(b, " › ");
	if (kind)
		buf_addf(b, "<a href=\"/hc/%s/%s/%" PRId64 "\">", locale, kind, id);
	else
		buf_addf(b, "<a href=\"/hc/%s\">", locale);
	hc_escape(b, title);
	buf_adds(b, "</a>");
}

static void article_items(struct buf *b, const char *locale, const struct hc_article *a, int n)
{
	buf_adds(b, "<ul class=\"list\">");
	for (int i = 0; i < n; i++) {
		buf_addf(b, "<li><a href=\"/hc/%s/articles/%" PRId64 "\">", locale, a[i].id);
		hc_escape(b, a[i].tr.title);
		buf_adds(b, "</a></li>");
	}
	buf_adds(b, "</ul>");
}

/* A section or category in the page's locale, else in its source locale. */
static int section_in(struct req *r, int64_t id, const struct hc_view *v, struct hc_section *s)
{
	int rc = hc_section_get(req_db(r), id, v, s);
	if (rc == 1) {
		struct hc_view any = *v;
		any.locale = NULL;
		rc = hc_section_get(req_db(r), id, &any, s);
	}
	return rc;
}

static int category_in(struct req *r, int64_t id, const struct hc_view *v, struct hc_category *c)
{
	int rc = hc_category_get(req_db(r), id, v, c);
	if (rc == 1) {
		struct hc_view any = *v;
		any.locale = NULL;
		rc = hc_category_get(req_db(r), id, &any, c);
	}
	return rc;
}

/* ---- pages ------------------------------------------------------------- */

static int hc_root(struct req *r)
{
	const char *loc = hc_locale_negotiate(req_header(r, "Accept-Language"));
	char where[32];
	snprintf(where, sizeof(where), "/hc/%s", loc);
	reply_raw(r, 302, "text/html; charset=utf-8", "", 0);
	reply_header(r, "Location", where);
	reply_header(r, "Vary", "Accept-Language");
	return 0;
}

static int hc_home(struct req *r)
{
	struct hc_view v;
	if (page_reader(r, &v))
		return 0;
	const char *loc = v.locale;
	struct buf b = BUF_INIT;
	char path[32];
	snprintf(path, sizeof(path), "/hc/%s", loc);
	page_start(&b, r, loc, T(loc, M_HELP_CENTER), T(loc, M_SEARCH_PLACEHOLDER), path);
	struct window w = {.limit = 100};
	struct hc_category *c;
	int nc;
	if (hc_category_list(req_db(r), &v, 1, &w, &c, &nc)) {
		buf_release(&b);
		return reply_db_down(r);
	}
	buf_addf(&b, "<h1>%s</h1><div class=\"grid\">", T(loc, M_HELP_CENTER));
	for (int i = 0; i < nc; i++) {
		buf_addf(&b, "<section class=\"card\"><h2><a href=\"/hc/%s/categories/%" PRId64 "\">",
			 loc, c[i].id);
		hc_escape(&b, c[i].tr.title);
		buf_adds(&b, "</a></h2><p>");
		hc_escape(&b, c[i].tr.body);
		buf_adds(&b, "</p><ul>");
		struct hc_section *s;
		int ns;
		struct window sw = {.limit = 50};
		if (hc_section_list(req_db(r), c[i].id, &v, 1, &sw, &s, &ns) == 0) {
			for (int k = 0; k < ns; k++) {
				buf_addf(&b, "<li><a href=\"/hc/%s/sections/%" PRId64 "\">", loc,
					 s[k].id);
				hc_escape(&b, s[k].tr.title);
				buf_adds(&b, "</a></li>");
			}
			hc_section_list_free(s, ns);
		}
		buf_adds(&b, "</ul></section>");
	}
	buf_addf(&b, "<section class=\"card community\"><h2><a href=\"/hc/%s/community/topics\">%s"
		     "</a></h2><p>%s</p></section></div>",
		 loc, T(loc, M_COMMUNITY), T(loc, M_COMMUNITY_BLURB));
	if (!nc)
		buf_addf(&b, "<p>%s</p>", T(loc, M_EMPTY));
	hc_category_list_free(c, nc);
	struct hc_article_filter f = {.by_position = 1, .win = {.limit = 8}};
	struct hc_article *a;
	int na;
	if (hc_article_list(req_db(r), &f, &v, &a, &na) == 0) {
		if (na) {
			buf_addf(&b, "<h2>%s</h2>", T(loc, M_PROMOTED));
			article_items(&b, loc, a, na);
		}
		hc_article_list_free(a, na);
	}
	return page_finish_reply(r, &b, 200);
}

static int hc_category_page(struct req *r)
{
	struct hc_view v;
	if (page_reader(r, &v))
		return 0;
	const char *loc = v.locale;
	struct hc_category c = {0};
	int rc = category_in(r, r->id[0], &v, &c);
	if (rc)
		return rc < 0 ? reply_db_down(r) : page_not_found(r, loc);
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/categories/%" PRId64, loc, c.id);
	page_start(&b, r, loc, c.tr.title, c.tr.body, path);
	buf_adds(&b, "<nav class=\"crumbs\">");
	crumb(&b, loc, NULL, 0, T(loc, M_HELP_CENTER));
	buf_adds(&b, "</nav><h1>");
	hc_escape(&b, c.tr.title);
	buf_adds(&b, "</h1><p>");
	hc_escape(&b, c.tr.body);
	buf_adds(&b, "</p>");
	struct hc_section *s;
	int ns;
	struct window sw = {.limit = 100};
	if (hc_section_list(req_db(r), c.id, &v, 1, &sw, &s, &ns) == 0) {
		for (int k = 0; k < ns; k++) {
			buf_addf(&b, "<h2><a href=\"/hc/%s/sections/%" PRId64 "\">", loc, s[k].id);
			hc_escape(&b, s[k].tr.title);
			buf_adds(&b, "</a></h2>");
			struct hc_article_filter f = {.section_id = s[k].id, .by_position = 1,
						      .win = {.limit = 10}};
			struct hc_article *a;
			int na;
			if (hc_article_list(req_db(r), &f, &v, &a, &na) == 0) {
				article_items(&b, loc, a, na);
				hc_article_list_free(a, na);
			}
		}
		hc_section_list_free(s, ns);
	}
	hc_category_clear(&c);
	return page_finish_reply(r, &b, 200);
}

static int hc_section_page(struct req *r)
{
	struct hc_view v;
	if (page_reader(r, &v))
		return 0;
	const char *loc = v.locale;
	struct hc_section s = {0};
	struct hc_category c = {0};
	int rc = section_in(r, r->id[0], &v, &s);
	if (!rc)
		rc = category_in(r, s.category_id, &v, &c);
	if (rc) {
		hc_section_clear(&s);
		return rc < 0 ? reply_db_down(r) : page_not_found(r, loc);
	}
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/sections/%" PRId64, loc, s.id);
	page_start(&b, r, loc, s.tr.title, s.tr.body, path);
	buf_adds(&b, "<nav class=\"crumbs\">");
	crumb(&b, loc, NULL, 0, T(loc, M_HELP_CENTER));
	crumb(&b, loc, "categories", c.id, c.tr.title);
	buf_adds(&b, "</nav><h1>");
	hc_escape(&b, s.tr.title);
	buf_adds(&b, "</h1>");
	struct hc_article_filter f = {.section_id = s.id, .by_position = 1, .win = {.limit = 200}};
	struct hc_article *a;
	int na;
	if (hc_article_list(req_db(r), &f, &v, &a, &na) == 0) {
		if (!na)
			buf_addf(&b, "<p>%s</p>", T(loc, M_EMPTY));
		article_items(&b, loc, a, na);
		hc_article_list_free(a, na);
	}
	hc_section_clear(&s);
	hc_category_clear(&c);
	return page_finish_reply(r, &b, 200);
}

struct view_op {
	int64_t article_id;
	int64_t user_id;     /* signed in; 0 none */
	const char *visitor; /* SHA-256 of the visitor token; NULL none */
};

/* Count the view, and note who read it (knowledge capture: the articles a
 * customer viewed before writing, store/kb_store.h). */
static int view_run(struct db *db, void *arg)
{
	struct view_op *op = arg;
	int rc = hc_article_viewed(db, op->article_id);
	if (!rc)
		rc = kb_read_add(db, op->article_id, op->user_id, op->visitor, now_seconds());
	return rc;
}


/* The visitor token from the cookie (40 hex), or NULL. */
const char *hc_visitor_token(struct req *r)
{
	const char *t = req_cookie(r, HC_VISITOR_COOKIE);
	if (!t || strlen(t) != 40 || strspn(t, "0123456789abcdef") != 40)
		return NULL;
	return t;
}

int hc_visitor_token_or_new(struct req *r, char token[41])
{
	const char *have = hc_visitor_token(r);
	if (have)
		snprintf(token, 41, "%s", have);
	else
		token_new(token);
	return have != NULL;
}

void hc_visitor_cookie_set(struct req *r, const char *token)
{
	char cookie[128];
	snprintf(cookie, sizeof(cookie),
		 HC_VISITOR_COOKIE "=%s; Path=/hc; Max-Age=31536000; HttpOnly; SameSite=Lax", token);
	reply_header(r, "Set-Cookie", cookie);
}

static int hc_article_page(struct req *r)
{
	struct hc_view v;
	if (page_reader(r, &v))
		return 0;
	const char *loc = v.locale;
	struct hc_article a = {0};
	struct hc_section s = {0};
	struct hc_category c = {0};
	int rc = hc_article_get(req_db(r), r->id[0], &v, &a);
	if (!rc)
		rc = section_in(r, a.section_id, &v, &s);
	if (!rc)
		rc = category_in(r, s.category_id, &v, &c);
	if (rc) {
		hc_article_clear(&a);
		hc_section_clear(&s);
		return rc < 0 ? reply_db_down(r) : page_not_found(r, loc);
	}
	int voted = req_arg(r, "voted") != NULL;
	/* the visitor token: the cookie's, or a new one this page sets */
	char token[41];
	int have = hc_visitor_token_or_new(r, token);
	if (!voted) { /* a view; a failure to count it does not fail the page */
		char vh[65];
		token_hash(token, vh);
		struct view_op op = {.article_id = a.id,
				     .user_id = r->authed && r->actor.role == ROLE_END_USER
						    ? r->actor.user_id
						    : 0,
				     .visitor = vh};
		store_write(r->srv->store, view_run, &op);
	}
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/articles/%" PRId64, loc, a.id);
	page_start(&b, r, loc, a.tr.title, a.tr.plain, path);
	buf_adds(&b, "<nav class=\"crumbs\">");
	crumb(&b, loc, NULL, 0, T(loc, M_HELP_CENTER));
	crumb(&b, loc, "categories", c.id, c.tr.title);
	crumb(&b, loc, "sections", s.id, s.tr.title);
	buf_adds(&b, "</nav><article><h1>");
	hc_escape(&b, a.tr.title);
	char when[32];
	iso8601(a.edited_at, when);
	when[10] = '\0';
	buf_addf(&b, "</h1><p class=\"meta\">%s %s</p>", T(loc, M_UPDATED), when);
	buf_adds(&b, a.tr.html); /* the sanitizer's output */
	if (a.tr.flow) /* a troubleshooting flow: its first step */
		buf_addf(&b, "<p><a class=\"flow-start\" href=\"/hc/%s/articles/%" PRId64
			     "/flow\"><button type=\"button\">%s</button></a></p>",
			 loc, a.id, hc_flow_start_label(loc));
	buf_adds(&b, "</article>");
	/* was this helpful? */
	buf_adds(&b, "<div class=\"vote\">");
	if (voted) {
		buf_addf(&b, "<p>%s</p>", T(loc, M_THANKS));
	} else {
		buf_addf(&b,
			 "<form method=\"post\" action=\"/hc/%s/articles/%" PRId64 "/vote\">"
			 "<p>%s</p><input type=\"hidden\" name=\"token\" value=\"%s\">"
			 "<button name=\"value\" value=\"up\">%s</button> "
			 "<button name=\"value\" value=\"down\">%s</button></form>",
			 loc, a.id, T(loc, M_HELPFUL), token, T(loc, M_YES), T(loc, M_NO));
	}
	if (a.vote_count) {
		long long up = (a.vote_count + a.vote_sum) / 2;
		buf_adds(&b, "<p class=\"meta\">");
		if (!strcmp(loc, HC_LOCALE_KO))
			buf_addf(&b, msgs[M_VOTES][0], (long long)a.vote_count, up);
		else
			buf_addf(&b, msgs[M_VOTES][1], up, (long long)a.vote_count);
		buf_adds(&b, "</p>");
	}
	buf_adds(&b, "</div>");
	/* related: the same labels first, then the same section */
	struct hc_article *rel = NULL, *more = NULL;
	int nrel = 0, nmore = 0;
	struct hc_article_filter f = {.labels = a.labels.n ? &a.labels : NULL, .exclude_id = a.id,
				      .by_position = 1, .win = {.limit = 5}};
	if (a.labels.n && hc_article_list(req_db(r), &f, &v, &rel, &nrel))
		nrel = 0;
	struct hc_article_filter g = {.section_id = a.section_id, .exclude_id = a.id,
				      .by_position = 1, .win = {.limit = 5}};
	if (hc_article_list(req_db(r), &g, &v, &more, &nmore))
		nmore = 0;
	if (nrel + nmore) {
		buf_addf(&b, "<h2>%s</h2><ul class=\"list\">", T(loc, M_RELATED));
		int shown = 0;
		for (int i = 0; i < nrel + nmore && shown < 5; i++) {
			const struct hc_article *x = i < nrel ? &rel[i] : &more[i - nrel];
			int dup = 0;
			for (int k = 0; k < nrel && i >= nrel; k++)
				dup |= rel[k].id == x->id;
			if (dup)
				continue;
			buf_addf(&b, "<li><a href=\"/hc/%s/articles/%" PRId64 "\">", loc, x->id);
			hc_escape(&b, x->tr.title);
			buf_adds(&b, "</a></li>");
			shown++;
		}
		buf_adds(&b, "</ul>");
	}
	if (rel)
		hc_article_list_free(rel, nrel);
	if (more)
		hc_article_list_free(more, nmore);
	hc_article_clear(&a);
	hc_section_clear(&s);
	hc_category_clear(&c);
	page_finish_reply(r, &b, 200);
	if (!have)
		hc_visitor_cookie_set(r, token);
	return 0;
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
 * into out (cut at outlen - 1); 0, or -1 when absent. */
int hc_form_value(const char *body, size_t len, const char *name, char *out, size_t outlen)
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
			out[k] = '\0';
			return 0;
		}
		i = e + 1;
	}
	return -1;
}

struct page_vote {
	int64_t article_id;
	int value;
	char voter[80];
	struct hc_vote v;
};

static int page_vote_run(struct db *db, void *arg)
{
	struct page_vote *op = arg;
	return hc_vote_put(db, op->article_id, op->voter, 0, op->value, now_seconds(), &op->v);
}

static int hc_vote_form(struct req *r)
{
	struct hc_view v;
	if (page_reader(r, &v))
		return 0;
	const char *loc = v.locale;
	struct hc_article a = {0};
	int rc = hc_article_get(req_db(r), r->id[0], &v, &a);
	hc_article_clear(&a);
	if (rc)
		return rc < 0 ? reply_db_down(r) : page_not_found(r, loc);
	char value[8] = "", token[48] = "";
	const char *cookie = hc_visitor_token(r);
	hc_form_value(r->body.s, r->body.len, "value", value, sizeof(value));
	hc_form_value(r->body.s, r->body.len, "token", token, sizeof(token));
	if (!cookie || strlen(token) != 40 || sodium_memcmp(cookie, token, 40) ||
	    (strcmp(value, "up") && strcmp(value, "down"))) {
		struct buf b = BUF_INIT;
		page_start(&b, r, loc, T(loc, M_NOT_FOUND), NULL, r->path);
		buf_addf(&b, "<p>403</p><p><a href=\"/hc/%s/articles/%" PRId64 "\">%s</a></p>", loc,
			 r->id[0], T(loc, M_HOME));
		return page_finish_reply(r, &b, 403);
	}
	struct page_vote op = {.article_id = r->id[0], .value = strcmp(value, "up") ? -1 : 1};
	char h[65];
	token_hash(cookie, h);
	snprintf(op.voter, sizeof(op.voter), "v:%s", h);
	rc = store_write(r->srv->store, page_vote_run, &op);
	if (rc)
		return rc == 1 ? page_not_found(r, loc) : reply_db_down(r);
	char where[96];
	snprintf(where, sizeof(where), "/hc/%s/articles/%" PRId64 "?voted=1", loc, r->id[0]);
	reply_raw(r, 303, "text/html; charset=utf-8", "", 0);
	reply_header(r, "Location", where);
	return 0;
}

static int hc_search_page(struct req *r)
{
	struct hc_view v;
	if (page_reader(r, &v))
		return 0;
	const char *loc = v.locale;
	const char *q = req_arg(r, "query");
	if (!q)
		q = "";
	if (strlen(q) > 1000)
		q = "";
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/search", loc);
	page_start(&b, r, loc, T(loc, M_SEARCH), NULL, path);
	buf_addf(&b, "<h1>%s: ", T(loc, M_RESULTS_FOR));
	hc_escape(&b, q);
	buf_adds(&b, "</h1>");
	struct hc_search_spec spec = {.query = q, .view = v};
	struct hc_hit *hits = NULL;
	int n = 0;
	if (*q && hc_search(req_db(r), &spec, &hits, &n)) {
		buf_release(&b);
		return reply_db_down(r);
	}
	if (!n) {
		buf_addf(&b, "<p>%s</p>", T(loc, M_NO_RESULTS));
		if (*q)
			hc_note_miss(r->srv, q, loc);
	}
	buf_adds(&b, "<ul class=\"list\">");
	for (int i = 0; i < n && i < 20; i++) {
		struct hc_article a = {0};
		if (hc_article_get(req_db(r), hits[i].article_id, &v, &a) == 0) {
			buf_addf(&b, "<li><a href=\"/hc/%s/articles/%" PRId64 "\">", loc, a.id);
			hc_escape(&b, a.tr.title);
			buf_adds(&b, "</a><div class=\"snippet\">");
			hc_snippet(a.tr.plain, q, &b);
			buf_adds(&b, "</div></li>");
		}
		hc_article_clear(&a);
	}
	buf_adds(&b, "</ul>");
	free(hits);
	page_finish_reply(r, &b, 200);
	reply_header(r, "X-Robots-Tag", "noindex");
	return 0;
}

const struct route hc_page_routes[] = {
    {M_GET, "/hc", PUBLIC, hc_root, 0},
    {M_GET, "/hc/{word}", PUBLIC, hc_home, 0},
    {M_GET, "/hc/{word}/categories/{id}", PUBLIC, hc_category_page, 0},
    {M_GET, "/hc/{word}/sections/{id}", PUBLIC, hc_section_page, 0},
    {M_GET, "/hc/{word}/articles/{id}", PUBLIC, hc_article_page, 0},
    {M_POST, "/hc/{word}/articles/{id}/vote", PUBLIC, hc_vote_form, 0},
    {M_GET, "/hc/{word}/search", PUBLIC, hc_search_page, 0},
    {0},
};
