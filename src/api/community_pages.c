/* community_pages.c - the help center's community as server-rendered HTML:
 *   GET  /hc/{locale}/community[/topics]    topics, featured and recent posts
 *   GET  /hc/{locale}/community/topics/{id} its posts (?sort_by=recent|votes|comments,
 *                                           ?page=N), follow button
 *   POST /hc/{locale}/community/topics/{id} action=follow|unfollow
 *   GET  /hc/{locale}/community/posts/new   the new-post form (?topic_id=)
 *   POST /hc/{locale}/community/posts       submit it
 *   GET  /hc/{locale}/community/posts/{id}  the post, its official answer first,
 *                                           the other comments, votes, follow,
 *                                           the comment form
 *   POST /hc/{locale}/community/posts/{id}  action=comment|up|down|follow|unfollow, and
 *                                           for agents publish|spam|close|reopen|ticket,
 *                                           comment_publish|comment_spam (comment_id=)
 *                                           and comment with official=1
 *
 * Who: the portal's browser session (hc_portal_actor: customers signed in
 * at /hc/{locale}/signin, agents signed in to the workspace); anonymous
 * visitors read.  What each sees is the API's rule (store/community_store.h):
 * published posts and comments, a pending one only to its author and to
 * agents, spam only to agents, segment-restricted topics as for articles.
 * Every form carries the session's CSRF token in a hidden field and the
 * POST must match it (the portal's rule, api/hc_portal.c); writes go
 * through the API's own functions (cm_submit_post, cm_submit_comment,
 * cm_vote, cm_follow in api/community.h), so permissions, moderation,
 * closed posts and follower notices are the same as over the API.  A
 * successful POST answers 303 back to the page (post/redirect/get).
 *
 * Markup: every value written is escaped with hc_escape() except post
 * details and comment bodies, which are the sanitizer's output
 * (core/markdown.h); the pages run no script, and the frame's CSP
 * (hc_page_finish) allows none.
 *
 * Cost: a page is a few indexed reads (topic, posts or comments, their
 * authors' names in one query).
 */
#include "api/api.h"
#include "api/community.h"
#include "api/help_center.h"
#include "base/util.h"
#include "core/hc.h"
#include "store/community_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 30
#define MAX_DETAILS 20000

enum cmsg {
	C_COMMUNITY,
	C_TOPICS,
	C_POSTS,
	C_NEW_POST,
	C_TITLE,
	C_DETAILS,
	C_TOPIC,
	C_SUBMIT,
	C_FOLLOW,
	C_UNFOLLOW,
	C_FOLLOWING,
	C_UP,
	C_DOWN,
	C_VOTES,
	C_COMMENTS,
	C_OFFICIAL,
	C_ADD_COMMENT,
	C_SIGN_IN_TO,
	C_CLOSED,
	C_PENDING,
	C_SPAM,
	C_PINNED,
	C_FEATURED,
	C_RECENT,
	C_TOP,
	C_NO_POSTS,
	C_BAD_TOKEN,
	C_FEATURED_POSTS,
	C_RECENT_POSTS,
	C_BY,
	C_FOLLOWERS,
	C_TICKET,
	C_NEXT,
	C_PREV,
	C_ERROR,
	C_NO_TOPICS,
	C_ST_PLANNED,
	C_ST_NOT_PLANNED,
	C_ST_COMPLETED,
	C_ST_ANSWERED,
	C_HELP_CENTER,
	C_PUBLISH,
	C_MARK_SPAM,
	C_CLOSE,
	C_REOPEN,
	C_MAKE_TICKET,
	C_MARK_OFFICIAL,
	C_MODERATE,
	C_NMSG
};

static const char *const cmsgs[C_NMSG][2] = {
    /* [ko, en-us] */
    [C_COMMUNITY] = {"커뮤니티", "Community"},
    [C_TOPICS] = {"주제", "Topics"},
    [C_POSTS] = {"게시물", "Posts"},
    [C_NEW_POST] = {"새 게시물 쓰기", "New post"},
    [C_TITLE] = {"제목", "Title"},
    [C_DETAILS] = {"내용 (Markdown)", "Details (Markdown)"},
    [C_TOPIC] = {"주제", "Topic"},
    [C_SUBMIT] = {"올리기", "Post"},
    [C_FOLLOW] = {"팔로우", "Follow"},
    [C_UNFOLLOW] = {"팔로우 취소", "Unfollow"},
    [C_FOLLOWING] = {"팔로우 중", "Following"},
    [C_UP] = {"추천", "Vote up"},
    [C_DOWN] = {"비추천", "Vote down"},
    [C_VOTES] = {"추천", "votes"},
    [C_COMMENTS] = {"댓글", "Comments"},
    [C_OFFICIAL] = {"공식 답변", "Official answer"},
    [C_ADD_COMMENT] = {"댓글 달기", "Add a comment"},
    [C_SIGN_IN_TO] = {"로그인하고 참여하세요", "Sign in to take part"},
    [C_CLOSED] = {"댓글이 닫힌 게시물입니다.", "This post is closed for comments."},
    [C_PENDING] = {"검토 대기 중", "Awaiting moderation"},
    [C_SPAM] = {"스팸", "Spam"},
    [C_PINNED] = {"고정됨", "Pinned"},
    [C_FEATURED] = {"추천 게시물", "Featured"},
    [C_RECENT] = {"최신순", "Newest activity"},
    [C_TOP] = {"추천순", "Most votes"},
    [C_NO_POSTS] = {"아직 게시물이 없습니다.", "No posts yet."},
    [C_BAD_TOKEN] = {"페이지가 만료되었습니다. 다시 시도해 주세요.",
		     "This page expired. Please try again."},
    [C_FEATURED_POSTS] = {"추천 게시물", "Featured posts"},
    [C_RECENT_POSTS] = {"최근 게시물", "Recent activity"},
    [C_BY] = {"작성자", "by"},
    [C_FOLLOWERS] = {"팔로워", "followers"},
    [C_TICKET] = {"이 게시물로 상담 티켓이 열렸습니다",
		  "A support ticket was opened for this post"},
    [C_NEXT] = {"다음", "Next"},
    [C_PREV] = {"이전", "Previous"},
    [C_ERROR] = {"저장하지 못했습니다", "Could not save"},
    [C_NO_TOPICS] = {"아직 주제가 없습니다.", "No topics yet."},
    [C_ST_PLANNED] = {"계획됨", "Planned"},
    [C_ST_NOT_PLANNED] = {"계획 없음", "Not planned"},
    [C_ST_COMPLETED] = {"완료", "Completed"},
    [C_ST_ANSWERED] = {"답변됨", "Answered"},
    [C_HELP_CENTER] = {"고객센터", "Help Center"},
    [C_PUBLISH] = {"게시", "Publish"},
    [C_MARK_SPAM] = {"스팸으로 표시", "Mark as spam"},
    [C_CLOSE] = {"댓글 닫기", "Close for comments"},
    [C_REOPEN] = {"댓글 다시 열기", "Reopen for comments"},
    [C_MAKE_TICKET] = {"상담 티켓 만들기", "Make a ticket"},
    [C_MARK_OFFICIAL] = {"공식 답변으로 표시", "Mark as the official answer"},
    [C_MODERATE] = {"관리", "Moderation"},
};

static const char *CT(const char *loc, enum cmsg m)
{
	return cmsgs[m][strcmp(loc, HC_LOCALE_KO) ? 1 : 0];
}

/* ---- who is reading ---------------------------------------------------- */

struct visitor {
	const char *loc;
	struct actor a;
	int signed_in;
	char csrf[65];
	struct cm_viewer v;
};

/* The locale from the path and the session's user, if any: 0, or -1
 * after replying (404 page for a locale the help center lacks, 503). */
static int visitor_or_reply(struct req *r, struct visitor *x)
{
	memset(x, 0, sizeof(*x));
	x->loc = hc_locale(r->word);
	if (!x->loc) {
		hc_page_not_found(r, HC_DEFAULT_LOCALE);
		return -1;
	}
	int rc = hc_portal_actor(r, &x->a, x->csrf, NULL);
	if (rc < 0) {
		reply_db_down(r);
		return -1;
	}
	x->signed_in = rc == 0;
	x->v.staff = x->signed_in && x->a.role >= ROLE_AGENT;
	x->v.user_id = x->signed_in ? x->a.user_id : 0;
	return 0;
}

/* Does the form's csrf field match the session's token?  Replies 403
 * (page) when not, or when nobody is signed in.  0 or -1. */
static int form_csrf_or_reply(struct req *r, const struct visitor *x)
{
	char form[72] = "";
	hc_form_value(r->body.s, r->body.len, "csrf", form, sizeof(form));
	if (x->signed_in && x->csrf[0] && strlen(form) == strlen(x->csrf) &&
	    !memcmp(form, x->csrf, strlen(form)))
		return 0;
	struct buf b = BUF_INIT;
	hc_page_start(&b, r, x->loc, CT(x->loc, C_BAD_TOKEN), NULL, r->path);
	buf_addf(&b, "<p>%s</p>", CT(x->loc, C_BAD_TOKEN));
	hc_page_finish(r, &b, 403, 0);
	return -1;
}

static int see_other(struct req *r, const char *where)
{
	reply_raw(r, 303, "text/html; charset=utf-8", "", 0);
	reply_header(r, "Location", where);
	return 0;
}

/* Private pages (they show the reader's own pending posts and tokens). */
static int finish(struct req *r, struct buf *b, int status)
{
	hc_page_finish(r, b, status, 0);
	reply_header(r, "Cache-Control", "private, no-store");
	return 0;
}

/* ---- pieces ------------------------------------------------------------ */

/* Authors' names for ids (one query). */
struct names {
	struct user *u;
	int n;
};

static void names_load(struct req *r, const int64_t *ids, int n, struct names *out)
{
	out->u = NULL;
	out->n = 0;
	if (n && user_store_by_ids(req_db(r), ids, n, &out->u, &out->n)) {
		out->u = NULL;
		out->n = 0;
	}
}

static const char *name_of(const struct names *nm, int64_t id)
{
	for (int i = 0; i < nm->n; i++)
		if (nm->u[i].id == id)
			return nm->u[i].name && *nm->u[i].name ? nm->u[i].name : "?";
	return "?";
}

static void names_free(struct names *nm) { user_list_free(nm->u, nm->n); }

static void csrf_field(struct buf *b, const struct visitor *x)
{
	buf_addf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", x->csrf);
}

/* A one-button form posting action (about comment_id when not 0) to url. */
static void button_form_on(struct buf *b, const struct visitor *x, const char *url,
			   int64_t comment_id, const char *action, const char *label,
			   const char *cls)
{
	buf_addf(b, "<form method=\"post\" action=\"%s\" class=\"inline\">", url);
	csrf_field(b, x);
	if (comment_id)
		buf_addf(b, "<input type=\"hidden\" name=\"comment_id\" value=\"%" PRId64 "\">",
			 comment_id);
	buf_addf(b,
		 "<input type=\"hidden\" name=\"action\" value=\"%s\"><button type=\"submit\""
		 " class=\"%s\">%s</button></form>",
		 action, cls, label);
}

static void button_form(struct buf *b, const struct visitor *x, const char *url, const char *action,
			const char *label, const char *cls)
{
	button_form_on(b, x, url, 0, action, label, cls);
}

static const char *status_label(const char *loc, const char *status)
{
	static const struct {
		const char *status;
		enum cmsg m;
	} labels[] = {
	    {"planned", C_ST_PLANNED},
	    {"not_planned", C_ST_NOT_PLANNED},
	    {"completed", C_ST_COMPLETED},
	    {"answered", C_ST_ANSWERED},
	};
	for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
		if (!strcmp(status, labels[i].status))
			return CT(loc, labels[i].m);
	return NULL;
}

/* Badges of a post: status, pinned, featured, moderation. */
static void badges(struct buf *b, const char *loc, const struct cm_post *p)
{
	const char *st = status_label(loc, p->status);
	if (st)
		buf_addf(b, " <span class=\"badge status-%s\">%s</span>", p->status, st);
	if (p->pinned)
		buf_addf(b, " <span class=\"badge\">%s</span>", CT(loc, C_PINNED));
	if (p->featured)
		buf_addf(b, " <span class=\"badge\">%s</span>", CT(loc, C_FEATURED));
	if (!strcmp(p->state, "pending"))
		buf_addf(b, " <span class=\"badge pending\">%s</span>", CT(loc, C_PENDING));
	else if (!strcmp(p->state, "spam"))
		buf_addf(b, " <span class=\"badge spam\">%s</span>", CT(loc, C_SPAM));
}

static const char style[] =
    "<style>.badge{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:4px;"
    "background:#eef;color:#333;vertical-align:middle}.badge.pending{background:#fff3b0}"
    ".badge.spam{background:#fdd}.badge.status-answered,.badge.status-completed{background:"
    "#dfd}form.inline{display:inline-block;margin-right:.4rem}.official{border:2px solid "
    "var(--brand);border-radius:8px;padding:1rem;margin:1rem 0;background:#f5f9ff}"
    ".comment{border-bottom:1px solid #eee;padding:.8rem 0}.actions{margin:1rem 0}"
    "textarea,input[type=text],select{width:100%;padding:.5rem;font:inherit}"
    ".error{color:#b00020}</style>";

static void post_items(struct buf *b, const char *loc, const struct cm_post *p, int n,
		       const struct names *nm)
{
	buf_adds(b, "<ul class=\"list posts\">");
	for (int i = 0; i < n; i++) {
		buf_addf(b, "<li><a href=\"/hc/%s/community/posts/%" PRId64 "\">", loc, p[i].id);
		hc_escape(b, p[i].title);
		buf_adds(b, "</a>");
		badges(b, loc, &p[i]);
		buf_addf(b, "<div class=\"meta\">%s ", CT(loc, C_BY));
		hc_escape(b, name_of(nm, p[i].author_id));
		buf_addf(b, " · %" PRId64 " %s · %" PRId64 " %s</div></li>", p[i].vote_sum,
			 CT(loc, C_VOTES), p[i].comment_count, CT(loc, C_COMMENTS));
	}
	buf_adds(b, "</ul>");
}

/* Posts matching f, with their authors' names, as a list.  extra: f asks
 * for one row more than it shows (paging).  *shown (when not NULL): how
 * many were listed, negative when more follow. */
static int posts_block(struct req *r, const struct visitor *x, struct cm_post_filter *f, int extra,
		       struct buf *b, int *shown)
{
	struct cm_post *p;
	int n;
	if (cm_post_list(req_db(r), f, &x->v, &p, &n))
		return -1;
	int64_t *ids = xcalloc((size_t)n + 1, sizeof(*ids));
	for (int i = 0; i < n; i++)
		ids[i] = p[i].author_id;
	struct names nm;
	names_load(r, ids, n, &nm);
	free(ids);
	int more = extra && n == f->win.limit;
	post_items(b, x->loc, p, more ? n - 1 : n, &nm);
	names_free(&nm);
	cm_post_list_free(p, n);
	if (shown)
		*shown = more ? -(n - 1) : n; /* negative: more follow */
	return 0;
}

/* ---- pages ------------------------------------------------------------- */

static int community_home(struct req *r)
{
	struct visitor x;
	if (visitor_or_reply(r, &x))
		return 0;
	const char *loc = x.loc;
	struct window w = {.limit = 100};
	struct cm_topic *t;
	int nt;
	if (cm_topic_list(req_db(r), &x.v, 1, &w, &t, &nt))
		return reply_db_down(r);
	struct buf b = BUF_INIT;
	char path[48];
	snprintf(path, sizeof(path), "/hc/%s/community/topics", loc);
	hc_page_start(&b, r, loc, CT(loc, C_COMMUNITY), NULL, path);
	buf_adds(&b, style);
	buf_addf(&b, "<nav class=\"crumbs\"><a href=\"/hc/%s\">%s</a></nav><h1>%s</h1>", loc,
		 CT(loc, C_HELP_CENTER), CT(loc, C_COMMUNITY));
	buf_addf(&b,
		 "<p><a href=\"/hc/%s/community/posts/new\">%s</a></p><h2>%s</h2>"
		 "<div class=\"grid topics\">",
		 loc, CT(loc, C_NEW_POST), CT(loc, C_TOPICS));
	for (int i = 0; i < nt; i++) {
		buf_addf(&b,
			 "<section class=\"card\"><h3><a href=\"/hc/%s/community/topics/%" PRId64
			 "\">",
			 loc, t[i].id);
		hc_escape(&b, t[i].name);
		buf_adds(&b, "</a></h3><p>");
		hc_escape(&b, t[i].description);
		buf_addf(&b, "</p><p class=\"meta\">%" PRId64 " %s · %" PRId64 " %s</p></section>",
			 t[i].post_count, CT(loc, C_POSTS), t[i].follower_count,
			 CT(loc, C_FOLLOWERS));
	}
	buf_adds(&b, "</div>");
	if (!nt)
		buf_addf(&b, "<p>%s</p>", CT(loc, C_NO_TOPICS));
	cm_topic_list_free(t, nt);
	struct buf part = BUF_INIT;
	int shown = 0;
	if (x.v.staff) { /* the agents' moderation queue */
		struct cm_post_filter queue = {
		    .state = "pending", .sort = CM_SORT_RECENT, .win = {.limit = 50}};
		if (!posts_block(r, &x, &queue, 0, &part, &shown) && shown)
			buf_addf(&b, "<h2 id=\"pending\">%s</h2>%s", CT(loc, C_PENDING), part.s);
		buf_reset(&part);
	}
	struct cm_post_filter feat = {.featured = 1, .sort = CM_SORT_RECENT, .win = {.limit = 5}};
	if (!posts_block(r, &x, &feat, 0, &part, &shown) && shown)
		buf_addf(&b, "<h2>%s</h2>%s", CT(loc, C_FEATURED_POSTS), part.s);
	buf_release(&part);
	struct cm_post_filter recent = {.sort = CM_SORT_RECENT, .win = {.limit = 10}};
	buf_addf(&b, "<h2>%s</h2>", CT(loc, C_RECENT_POSTS));
	if (posts_block(r, &x, &recent, 0, &b, NULL)) {
		buf_release(&b);
		return reply_db_down(r);
	}
	return finish(r, &b, 200);
}

static int topic_page(struct req *r)
{
	struct visitor x;
	if (visitor_or_reply(r, &x))
		return 0;
	const char *loc = x.loc;
	struct cm_topic t = {0};
	int rc = cm_topic_get(req_db(r), r->id[0], &x.v, &t);
	if (rc)
		return rc < 0 ? reply_db_down(r) : hc_page_not_found(r, loc);
	const char *sort = req_arg(r, "sort_by");
	int by_votes = sort && !strcmp(sort, "votes");
	const char *pg = req_arg(r, "page");
	int64_t page = pg ? strtoll(pg, NULL, 10) : 1;
	if (page < 1 || page > 10000)
		page = 1;
	struct buf b = BUF_INIT;
	char path[96];
	snprintf(path, sizeof(path), "/hc/%s/community/topics/%" PRId64, loc, t.id);
	hc_page_start(&b, r, loc, t.name, t.description, path);
	buf_adds(&b, style);
	buf_addf(&b, "<nav class=\"crumbs\"><a href=\"/hc/%s/community/topics\">%s</a></nav><h1>",
		 loc, CT(loc, C_COMMUNITY));
	hc_escape(&b, t.name);
	buf_adds(&b, "</h1><p>");
	hc_escape(&b, t.description);
	buf_addf(&b, "</p><p class=\"meta\">%" PRId64 " %s</p><div class=\"actions\">",
		 t.follower_count, CT(loc, C_FOLLOWERS));
	if (x.signed_in) {
		int yes = 0;
		cm_subscribed(req_db(r), CM_TOPIC, t.id, x.a.user_id, &yes);
		button_form(&b, &x, path, yes ? "unfollow" : "follow",
			    CT(loc, yes ? C_UNFOLLOW : C_FOLLOW), "follow");
	}
	buf_addf(
	    &b,
	    "<a href=\"/hc/%s/community/posts/new?topic_id=%" PRId64 "\">%s</a></div>"
	    "<p class=\"meta\">%s <a href=\"%s\">%s</a> · <a href=\"%s?sort_by=votes\">%s</a></p>",
	    loc, t.id, CT(loc, C_NEW_POST), CT(loc, C_POSTS), path, CT(loc, C_RECENT), path,
	    CT(loc, C_TOP));
	struct cm_post_filter f = {
	    .topic_id = t.id,
	    .sort = by_votes ? CM_SORT_VOTES : CM_SORT_RECENT,
	    .win = {.limit = PAGE_SIZE + 1, .offset = (page - 1) * PAGE_SIZE}};
	int shown = 0;
	if (posts_block(r, &x, &f, 1, &b, &shown)) {
		cm_topic_clear(&t);
		buf_release(&b);
		return reply_db_down(r);
	}
	if (!shown && page == 1)
		buf_addf(&b, "<p>%s</p>", CT(loc, C_NO_POSTS));
	buf_adds(&b, "<p>");
	if (page > 1)
		buf_addf(&b, "<a href=\"%s?sort_by=%s&amp;page=%" PRId64 "\">%s</a> ", path,
			 by_votes ? "votes" : "recent", page - 1, CT(loc, C_PREV));
	if (shown < 0)
		buf_addf(&b, "<a href=\"%s?sort_by=%s&amp;page=%" PRId64 "\">%s</a>", path,
			 by_votes ? "votes" : "recent", page + 1, CT(loc, C_NEXT));
	buf_adds(&b, "</p>");
	cm_topic_clear(&t);
	return finish(r, &b, 200);
}

static void comment_item(struct buf *b, const struct visitor *x, const char *path,
			 const struct cm_comment *c, const struct names *nm)
{
	const char *loc = x->loc;
	buf_addf(b, "<div class=\"comment%s\" id=\"comment-%" PRId64 "\">",
		 c->official ? " official" : "", c->id);
	if (c->official)
		buf_addf(b, "<p><strong class=\"official-label\">%s</strong></p>",
			 CT(loc, C_OFFICIAL));
	buf_adds(b, "<p class=\"meta\">");
	hc_escape(b, name_of(nm, c->author_id));
	char when[32];
	iso8601(c->created_at, when);
	when[10] = '\0';
	buf_addf(b, " · %s", when);
	if (!strcmp(c->state, "pending"))
		buf_addf(b, " <span class=\"badge pending\">%s</span>", CT(loc, C_PENDING));
	else if (!strcmp(c->state, "spam"))
		buf_addf(b, " <span class=\"badge spam\">%s</span>", CT(loc, C_SPAM));
	buf_adds(b, "</p><div class=\"body\">");
	buf_adds(b, c->html); /* the sanitizer's output */
	buf_adds(b, "</div>");
	if (x->v.staff && strcmp(c->state, "published"))
		button_form_on(b, x, path, c->id, "comment_publish", CT(loc, C_PUBLISH), "publish");
	if (x->v.staff && strcmp(c->state, "spam"))
		button_form_on(b, x, path, c->id, "comment_spam", CT(loc, C_MARK_SPAM), "spam");
	buf_adds(b, "</div>");
}

/* The post page; error (may be NULL) is shown above the comment form with
 * the text the visitor typed (draft, may be NULL). */
static int post_page_show(struct req *r, const struct visitor *x, int status, const char *error,
			  const char *draft)
{
	const char *loc = x->loc;
	struct cm_post p = {0};
	int rc = cm_post_get(req_db(r), r->id[0], &x->v, &p);
	if (rc)
		return rc < 0 ? reply_db_down(r) : hc_page_not_found(r, loc);
	struct cm_topic t = {0};
	struct cm_comment *c = NULL;
	int nc = 0;
	struct window w = {.limit = 500};
	if (cm_topic_get(req_db(r), p.topic_id, &x->v, &t) ||
	    cm_comment_list(req_db(r), p.id, &x->v, 1, &w, &c, &nc)) {
		cm_post_clear(&p);
		cm_topic_clear(&t);
		return reply_db_down(r);
	}
	int64_t *ids = xcalloc((size_t)nc + 1, sizeof(*ids));
	ids[0] = p.author_id;
	for (int i = 0; i < nc; i++)
		ids[i + 1] = c[i].author_id;
	struct names nm;
	names_load(r, ids, nc + 1, &nm);
	free(ids);
	struct buf b = BUF_INIT;
	char path[96];
	snprintf(path, sizeof(path), "/hc/%s/community/posts/%" PRId64, loc, p.id);
	hc_page_start(&b, r, loc, p.title, p.plain, path);
	buf_adds(&b, style);
	buf_addf(&b,
		 "<nav class=\"crumbs\"><a href=\"/hc/%s/community/topics\">%s</a> › "
		 "<a href=\"/hc/%s/community/topics/%" PRId64 "\">",
		 loc, CT(loc, C_COMMUNITY), loc, t.id);
	hc_escape(&b, t.name);
	buf_adds(&b, "</a></nav><article class=\"post\"><h1>");
	hc_escape(&b, p.title);
	buf_adds(&b, "</h1>");
	badges(&b, loc, &p);
	buf_addf(&b, "<p class=\"meta\">%s ", CT(loc, C_BY));
	hc_escape(&b, name_of(&nm, p.author_id));
	char when[32];
	iso8601(p.created_at, when);
	when[10] = '\0';
	buf_addf(&b, " · %s</p><div class=\"details\">", when);
	buf_adds(&b, p.html); /* the sanitizer's output */
	buf_adds(&b, "</div></article><div class=\"actions\">");
	buf_addf(&b,
		 "<span class=\"votes\"><strong id=\"vote-sum\">%" PRId64 "</strong> %s</span> ",
		 p.vote_sum, CT(loc, C_VOTES));
	if (x->signed_in) {
		int mine = 0, following = 0;
		cm_vote_of(req_db(r), CM_POST, p.id, x->a.user_id, &mine);
		cm_subscribed(req_db(r), CM_POST, p.id, x->a.user_id, &following);
		button_form(&b, x, path, "up", CT(loc, C_UP),
			    mine > 0 ? "vote-up voted" : "vote-up");
		button_form(&b, x, path, "down", CT(loc, C_DOWN),
			    mine < 0 ? "vote-down voted" : "vote-down");
		button_form(&b, x, path, following ? "unfollow" : "follow",
			    CT(loc, following ? C_UNFOLLOW : C_FOLLOW), "follow");
	} else {
		buf_addf(&b, "<a href=\"/hc/%s/signin\">%s</a>", loc, CT(loc, C_SIGN_IN_TO));
	}
	buf_adds(&b, "</div>");
	if (x->v.staff) {
		buf_addf(&b, "<div class=\"actions moderation\"><strong>%s</strong> ",
			 CT(loc, C_MODERATE));
		if (strcmp(p.state, "published"))
			button_form(&b, x, path, "publish", CT(loc, C_PUBLISH), "publish");
		if (strcmp(p.state, "spam"))
			button_form(&b, x, path, "spam", CT(loc, C_MARK_SPAM), "spam");
		button_form(&b, x, path, p.closed ? "reopen" : "close",
			    CT(loc, p.closed ? C_REOPEN : C_CLOSE), "close");
		if (!p.ticket_id)
			button_form(&b, x, path, "ticket", CT(loc, C_MAKE_TICKET), "make-ticket");
		buf_adds(&b, "</div>");
	}
	/* the ticket made from the post: agents open it in the workspace, its
	 * author (the requester) in the portal; nobody else hears of it */
	if (p.ticket_id && x->v.staff)
		buf_addf(&b,
			 "<p class=\"meta ticket\">%s: <a href=\"/agent/tickets/%" PRId64
			 "\">#%" PRId64 "</a></p>",
			 CT(loc, C_TICKET), p.ticket_id, p.ticket_id);
	else if (p.ticket_id && x->signed_in && x->a.user_id == p.author_id)
		buf_addf(&b,
			 "<p class=\"meta ticket\">%s: <a href=\"/hc/%s/requests/%" PRId64
			 "\">#%" PRId64 "</a></p>",
			 CT(loc, C_TICKET), loc, p.ticket_id, p.ticket_id);
	/* official answers come first (cm_comment_list's order for pages) */
	buf_addf(&b, "<section id=\"comments\"><h2>%s (%" PRId64 ")</h2>", CT(loc, C_COMMENTS),
		 p.comment_count);
	for (int i = 0; i < nc; i++)
		comment_item(&b, x, path, &c[i], &nm);
	buf_adds(&b, "</section>");
	if (error)
		buf_addf(&b, "<p class=\"error\" role=\"alert\">%s: %s</p>", CT(loc, C_ERROR),
			 error);
	if (p.closed) {
		buf_addf(&b, "<p class=\"closed\">%s</p>", CT(loc, C_CLOSED));
	} else if (x->signed_in && !strcmp(p.state, "published")) {
		buf_addf(&b, "<form method=\"post\" action=\"%s\" class=\"comment-form\">", path);
		csrf_field(&b, x);
		buf_addf(&b,
			 "<input type=\"hidden\" name=\"action\" value=\"comment\"><label>%s"
			 "<textarea name=\"body\" rows=\"5\" required>",
			 CT(loc, C_ADD_COMMENT));
		if (draft)
			hc_escape(&b, draft);
		buf_adds(&b, "</textarea></label>");
		if (x->v.staff)
			buf_addf(&b,
				 "<p><label><input type=\"checkbox\" name=\"official\" value=\"1\">"
				 " %s</label></p>",
				 CT(loc, C_MARK_OFFICIAL));
		buf_addf(&b, "<p><button type=\"submit\">%s</button></p></form>",
			 CT(loc, C_ADD_COMMENT));
	} else if (!x->signed_in) {
		buf_addf(&b, "<p><a href=\"/hc/%s/signin\">%s</a></p>", loc, CT(loc, C_SIGN_IN_TO));
	}
	names_free(&nm);
	cm_comment_list_free(c, nc);
	cm_topic_clear(&t);
	cm_post_clear(&p);
	return finish(r, &b, status);
}

static int post_page(struct req *r)
{
	struct visitor x;
	if (visitor_or_reply(r, &x))
		return 0;
	return post_page_show(r, &x, 200, NULL, NULL);
}

/* The escaped-once text of an API error for the page (it is escaped when
 * written). */
static void page_error(struct buf *out, const char *err) { hc_escape(out, err); }

/* An agent's moderation action on the post page: 1 when action was one
 * (*status and err set as cm_update_post does), 0 when it is not. */
static int moderation(struct req *r, const struct visitor *x, const char *action, int64_t id,
		      int *status, char *err, size_t errlen)
{
	static const struct {
		const char *action, *key, *state; /* state NULL: key is a boolean */
		int value, comment;
	} acts[] = {
	    {"publish", "moderation_state", "published", 0, 0},
	    {"spam", "moderation_state", "spam", 0, 0},
	    {"close", "closed", NULL, 1, 0},
	    {"reopen", "closed", NULL, 0, 0},
	    {"comment_publish", "moderation_state", "published", 0, 1},
	    {"comment_spam", "moderation_state", "spam", 0, 1},
	};
	if (!strcmp(action, "ticket")) {
		int64_t ticket;
		*status = cm_post_ticket(r->srv, &x->a, id, &ticket, err, errlen);
		return 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		if (strcmp(action, acts[i].action))
			continue;
		json_t *o = acts[i].state ? json_pack("{s:s}", acts[i].key, acts[i].state)
					  : json_pack("{s:b}", acts[i].key, acts[i].value);
		if (acts[i].comment) {
			char cid[24] = "";
			hc_form_value(r->body.s, r->body.len, "comment_id", cid, sizeof(cid));
			int64_t comment_id = strtoll(cid, NULL, 10);
			*status = comment_id > 0 ? cm_update_comment(r->srv, &x->a, id, comment_id,
								     o, err, errlen)
						 : 404;
		} else {
			*status = cm_update_post(r->srv, &x->a, id, o, err, errlen);
		}
		json_decref(o);
		return 1;
	}
	return 0;
}

static int post_action(struct req *r)
{
	struct visitor x;
	if (visitor_or_reply(r, &x) || form_csrf_or_reply(r, &x))
		return 0;
	char action[16] = "";
	hc_form_value(r->body.s, r->body.len, "action", action, sizeof(action));
	int64_t id = r->id[0], comment_id = 0;
	int status = 0;
	char err[320] = "";
	char *body = NULL;
	if (!strcmp(action, "comment")) {
		int too_long = 0;
		body = hc_form_get(r, "body", MAX_DETAILS, &too_long);
		if (!body || !hc_utf8_ok(body) || too_long) {
			status = 422;
			snprintf(err, sizeof(err), "body: is missing, too long or not UTF-8");
		} else {
			char official[4] = "";
			hc_form_value(r->body.s, r->body.len, "official", official,
				      sizeof(official));
			json_t *o = json_pack("{s:s}", "body", body);
			if (!strcmp(official, "1"))
				json_object_set_new(o, "official", json_true());
			status =
			    cm_submit_comment(r->srv, &x.a, id, o, &comment_id, err, sizeof(err));
			json_decref(o);
		}
	} else if (moderation(r, &x, action, id, &status, err, sizeof(err))) {
		/* done */
	} else if (!strcmp(action, "up") || !strcmp(action, "down")) {
		status = cm_vote(r->srv, &x.a, id, 0, action[0] == 'u' ? 1 : -1);
	} else if (!strcmp(action, "follow") || !strcmp(action, "unfollow")) {
		status = cm_follow(r->srv, &x.a, CM_POST, id, action[0] == 'f');
	} else {
		status = 422;
		snprintf(err, sizeof(err), "action: unknown");
	}
	if (status == 404) {
		free(body);
		return hc_page_not_found(r, x.loc);
	}
	if (status == 500) {
		free(body);
		return reply_db_down(r);
	}
	if (status) {
		struct buf e = BUF_INIT;
		page_error(&e, err);
		int rc = post_page_show(r, &x, status, e.s, hc_utf8_ok(body) ? body : NULL);
		buf_release(&e);
		free(body);
		return rc;
	}
	free(body);
	char where[128];
	if (comment_id)
		snprintf(where, sizeof(where),
			 "/hc/%s/community/posts/%" PRId64 "#comment-%" PRId64, x.loc, id,
			 comment_id);
	else
		snprintf(where, sizeof(where), "/hc/%s/community/posts/%" PRId64, x.loc, id);
	return see_other(r, where);
}

static int topic_action(struct req *r)
{
	struct visitor x;
	if (visitor_or_reply(r, &x) || form_csrf_or_reply(r, &x))
		return 0;
	char action[16] = "";
	hc_form_value(r->body.s, r->body.len, "action", action, sizeof(action));
	if (strcmp(action, "follow") && strcmp(action, "unfollow"))
		return hc_page_not_found(r, x.loc);
	int status = cm_follow(r->srv, &x.a, CM_TOPIC, r->id[0], action[0] == 'f');
	if (status == 404)
		return hc_page_not_found(r, x.loc);
	if (status)
		return reply_db_down(r);
	char where[96];
	snprintf(where, sizeof(where), "/hc/%s/community/topics/%" PRId64, x.loc, r->id[0]);
	return see_other(r, where);
}

/* The new-post form, with what the visitor typed and the error, if any. */
static int new_post_show(struct req *r, const struct visitor *x, int status, int64_t topic_id,
			 const char *title, const char *details, const char *error)
{
	const char *loc = x->loc;
	struct window w = {.limit = 100};
	struct cm_topic *t;
	int nt;
	if (cm_topic_list(req_db(r), &x->v, 1, &w, &t, &nt))
		return reply_db_down(r);
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/community/posts/new", loc);
	hc_page_start(&b, r, loc, CT(loc, C_NEW_POST), NULL, path);
	buf_adds(&b, style);
	buf_addf(&b,
		 "<nav class=\"crumbs\"><a href=\"/hc/%s/community/topics\">%s</a></nav>"
		 "<h1>%s</h1>",
		 loc, CT(loc, C_COMMUNITY), CT(loc, C_NEW_POST));
	if (error)
		buf_addf(&b, "<p class=\"error\" role=\"alert\">%s: %s</p>", CT(loc, C_ERROR),
			 error);
	buf_addf(&b, "<form method=\"post\" action=\"/hc/%s/community/posts\" class=\"new-post\">",
		 loc);
	csrf_field(&b, x);
	buf_addf(&b, "<p><label>%s<select name=\"topic_id\" required>", CT(loc, C_TOPIC));
	for (int i = 0; i < nt; i++) {
		buf_addf(&b, "<option value=\"%" PRId64 "\"%s>", t[i].id,
			 t[i].id == topic_id ? " selected" : "");
		hc_escape(&b, t[i].name);
		buf_adds(&b, "</option>");
	}
	buf_addf(&b,
		 "</select></label></p><p><label>%s<input type=\"text\" name=\"title\""
		 " maxlength=\"255\" required value=\"",
		 CT(loc, C_TITLE));
	if (title)
		hc_escape(&b, title);
	buf_addf(&b, "\"></label></p><p><label>%s<textarea name=\"details\" rows=\"10\">",
		 CT(loc, C_DETAILS));
	if (details)
		hc_escape(&b, details);
	buf_addf(&b, "</textarea></label></p><p><button type=\"submit\">%s</button></p></form>",
		 CT(loc, C_SUBMIT));
	cm_topic_list_free(t, nt);
	return finish(r, &b, status);
}

static int new_post_page(struct req *r)
{
	struct visitor x;
	if (visitor_or_reply(r, &x))
		return 0;
	if (!x.signed_in) {
		char where[48];
		snprintf(where, sizeof(where), "/hc/%s/signin", x.loc);
		return see_other(r, where);
	}
	const char *tid = req_arg(r, "topic_id");
	return new_post_show(r, &x, 200, tid ? strtoll(tid, NULL, 10) : 0, NULL, NULL, NULL);
}

static int new_post_submit(struct req *r)
{
	struct visitor x;
	if (visitor_or_reply(r, &x) || form_csrf_or_reply(r, &x))
		return 0;
	int too_long = 0;
	char *title = hc_form_get(r, "title", 1024, &too_long);
	char *details = hc_form_get(r, "details", MAX_DETAILS, &too_long);
	char *topic = hc_form_get(r, "topic_id", 24, NULL);
	int64_t topic_id = topic ? strtoll(topic, NULL, 10) : 0;
	free(topic);
	char err[320] = "";
	int64_t id = 0;
	int status;
	if (too_long || !hc_utf8_ok(title) || !hc_utf8_ok(details)) {
		status = 422;
		snprintf(err, sizeof(err), "title, details: too long or not UTF-8");
	} else {
		json_t *o = json_pack("{s:s?,s:s?,s:I}", "title", title, "details", details,
				      "topic_id", (json_int_t)topic_id);
		if (!topic_id)
			json_object_del(o, "topic_id");
		status = cm_submit_post(r->srv, &x.a, o, &id, err, sizeof(err));
		json_decref(o);
	}
	if (status == 500) {
		free(title);
		free(details);
		return reply_db_down(r);
	}
	if (status) {
		struct buf e = BUF_INIT;
		page_error(&e, err);
		int ok = hc_utf8_ok(title) && hc_utf8_ok(details);
		int rc = new_post_show(r, &x, status == 404 ? 422 : status, topic_id,
				       ok ? title : NULL, ok ? details : NULL, e.s);
		buf_release(&e);
		free(title);
		free(details);
		return rc;
	}
	free(title);
	free(details);
	char where[96];
	snprintf(where, sizeof(where), "/hc/%s/community/posts/%" PRId64, x.loc, id);
	return see_other(r, where);
}

const struct route community_page_routes[] = {
    {M_GET, "/hc/{word}/community", PUBLIC, community_home, 0},
    {M_GET, "/hc/{word}/community/topics", PUBLIC, community_home, 0},
    {M_GET, "/hc/{word}/community/topics/{id}", PUBLIC, topic_page, 0},
    {M_POST, "/hc/{word}/community/topics/{id}", PUBLIC, topic_action, 0},
    {M_GET, "/hc/{word}/community/posts/new", PUBLIC, new_post_page, 0},
    {M_POST, "/hc/{word}/community/posts", PUBLIC, new_post_submit, 0},
    {M_GET, "/hc/{word}/community/posts/{id}", PUBLIC, post_page, 0},
    {M_POST, "/hc/{word}/community/posts/{id}", PUBLIC, post_action, 0},
    {0},
};
