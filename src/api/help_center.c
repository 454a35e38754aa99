/* help_center.c - the Help Center API in Zendesk's shapes:
 * /api/v2/help_center/[{locale}/]categories|sections|articles (list, show,
 * create, update, delete), article translations, votes (up/down), article
 * search, and Sonnim's knowledge-gap list (searches that found nothing).
 *
 * Who may do what (Zendesk's model): anyone - anonymous visitors included -
 * reads categories, sections and the published articles of their segment;
 * a request that carries credentials is authenticated (bad ones get 401),
 * and agents and admins then read drafts and internal (agents-and-admins
 * segment) articles too.  Admins manage categories and sections; agents
 * write articles and translations; any signed-in user votes.  The routes
 * that anyone may read are PUBLIC in the table, and hc_reader_or_reply()
 * does the optional authentication itself.
 *
 * Locale: the {locale} path form reads and writes that locale's
 * translation (404 for a locale the help center does not offer); the plain
 * form uses each item's source locale.  A write's body may name its locale
 * ("locale": "ko"); otherwise the path's, else en-us.
 *
 * Order of a write: decode the body on the request thread (Markdown is
 * rendered and sanitized here too, off the writer thread), then one
 * store_write() checks references, saves the row and translation and
 * refreshes the search document, then the reply reads the item back.
 */
#include "api/api.h"
#include "base/util.h"
#include "core/hc.h"
#include "api/help_center.h"
#include "core/hc_flow.h"
#include "core/markdown.h"
#include "http/auth.h"
#include "store/hc_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 255
#define MAX_LABELS 32
#define MAX_LABEL 64
#define MAX_QUERY 1000

/* ---- who is reading ---------------------------------------------------- */

/* Authenticate when the request carries credentials (anonymous otherwise),
 * and fill v for the path's locale.  0, or -1 after replying (401, 429,
 * 404 for an unknown locale). */
int hc_reader_or_reply(struct req *r, struct hc_view *v)
{
	memset(v, 0, sizeof(*v));
	if (req_header(r, "Authorization") || req_cookie(r, "sonnim_session")) {
		if (auth_request_or_reply(r) || ratelimit_check_or_reply(r))
			return -1;
	}
	v->staff = r->authed && r->actor.role >= ROLE_AGENT;
	v->signed_in = r->authed;
	if (r->word[0]) {
		v->locale = hc_locale(r->word);
		if (!v->locale) {
			reply_error(r, 404, "RecordNotFound", "the help center has no such locale",
				    NULL);
			return -1;
		}
	}
	return 0;
}

/* ---- JSON out ---------------------------------------------------------- */

static void add_urls(struct server *s, json_t *o, const char *kind, int64_t id, const char *locale)
{
	char url[512];
	snprintf(url, sizeof(url), "%s/api/v2/help_center/%s/%s/%" PRId64 ".json", s->cfg.base_url,
		 locale, kind, id);
	json_object_set_new(o, "url", json_string(url));
	snprintf(url, sizeof(url), "%s/hc/%s/%s/%" PRId64, s->cfg.base_url, locale, kind, id);
	json_object_set_new(o, "html_url", json_string(url));
}

static json_t *category_json(struct server *s, const struct hc_category *c)
{
	json_t *o = json_pack("{s:I,s:i,s:s,s:s?,s:s,s:s,s:b,s:o,s:o}", "id", (json_int_t)c->id,
			      "position", c->position, "name", c->tr.title, "description",
			      c->tr.body, "locale", c->tr.locale, "source_locale", c->source_locale,
			      "outdated", c->tr.outdated, "created_at", jtime(c->created_at),
			      "updated_at", jtime(c->updated_at));
	add_urls(s, o, "categories", c->id, c->tr.locale);
	return o;
}

static json_t *section_json(struct server *s, const struct hc_section *x)
{
	json_t *o = json_pack("{s:I,s:I,s:i,s:s,s:s?,s:s,s:s,s:b,s:s,s:n,s:o,s:o}", "id",
			      (json_int_t)x->id, "category_id", (json_int_t)x->category_id,
			      "position", x->position, "name", x->tr.title, "description",
			      x->tr.body, "locale", x->tr.locale, "source_locale", x->source_locale,
			      "outdated", x->tr.outdated, "sorting", "manual", "parent_section_id",
			      "created_at", jtime(x->created_at), "updated_at", jtime(x->updated_at));
	add_urls(s, o, "sections", x->id, x->tr.locale);
	return o;
}

/* A stored flow as JSON (null when none or unreadable). */
static json_t *flow_json(const char *flow)
{
	json_t *v = flow ? json_loads(flow, 0, NULL) : NULL;
	return v ? v : json_null();
}

static json_t *article_json(struct server *s, const struct hc_article *a)
{
	json_t *labels = json_array();
	for (size_t i = 0; i < a->labels.n; i++)
		json_array_append_new(labels, json_string(a->labels.v[i]));
	json_t *o = json_pack(
	    "{s:I,s:o,s:b,s:b,s:b,s:i,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:s,"
	    "s:s,s:[],s:[]}",
	    "id", (json_int_t)a->id, "author_id", jid(a->author_id), "comments_disabled",
	    a->comments_disabled, "draft", a->tr.draft, "promoted", a->promoted, "position",
	    a->position, "vote_sum", (json_int_t)a->vote_sum, "vote_count",
	    (json_int_t)a->vote_count, "section_id", (json_int_t)a->section_id, "title",
	    a->tr.title, "name", a->tr.title, "locale", a->tr.locale, "source_locale",
	    a->source_locale, "outdated", a->tr.outdated, "user_segment_id",
	    jid(a->user_segment_id), "label_names", labels, "created_at", jtime(a->created_at),
	    "updated_at", jtime(a->updated_at), "edited_at", jtime(a->edited_at), "body",
	    a->tr.html, "body_markdown", a->tr.body, "outdated_locales", "content_tag_ids");
	json_object_set_new(o, "view_count", json_integer(a->view_count)); /* Sonnim */
	json_object_set_new(o, "flow", flow_json(a->tr.flow));		   /* Sonnim */
	add_urls(s, o, "articles", a->id, a->tr.locale);
	return o;
}

static json_t *translation_json(struct server *s, const struct hc_translation *t)
{
	json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:o,s:o,s:o,s:o}", "id",
			      (json_int_t)t->id, "source_id", (json_int_t)t->source_id,
			      "source_type", t->source_type, "locale", t->locale, "title", t->title,
			      "body", !strcmp(t->source_type, HC_ARTICLE) ? t->html : t->body,
			      "outdated", t->outdated, "draft", t->draft, "hidden", 0,
			      "created_at", jtime(t->created_at), "updated_at", jtime(t->updated_at),
			      "created_by_id", jid(t->created_by_id), "updated_by_id",
			      jid(t->updated_by_id));
	char url[512];
	snprintf(url, sizeof(url), "%s/api/v2/help_center/articles/%" PRId64 "/translations/%s.json",
		 s->cfg.base_url, t->source_id, t->locale);
	json_object_set_new(o, "url", json_string(url));
	if (!strcmp(t->source_type, HC_ARTICLE)) {
		json_object_set_new(o, "body_markdown", json_string(t->body));
		json_object_set_new(o, "flow", flow_json(t->flow));
	}
	return o;
}

static json_t *vote_json(struct server *s, const struct hc_vote *v)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/help_center/votes/%" PRId64 ".json", s->cfg.base_url,
		 v->id);
	return json_pack("{s:I,s:s,s:o,s:i,s:I,s:s,s:o,s:o}", "id", (json_int_t)v->id, "url", url,
			 "user_id", jid(v->user_id), "value", v->value, "item_id",
			 (json_int_t)v->article_id, "item_type", "Article", "created_at",
			 jtime(v->created_at), "updated_at", jtime(v->updated_at));
}

/* ---- JSON in ----------------------------------------------------------- */

/* What a create/update body said; bits say which members were present. */
enum {
	HB_TITLE = 1 << 0,
	HB_BODY = 1 << 1,
	HB_DRAFT = 1 << 2,
	HB_PROMOTED = 1 << 3,
	HB_POSITION = 1 << 4,
	HB_LABELS = 1 << 5,
	HB_SEGMENT = 1 << 6,
	HB_AUTHOR = 1 << 7,
	HB_COMMENTS = 1 << 8,
	HB_SECTION = 1 << 9,
	HB_CATEGORY = 1 << 10,
	HB_FLOW = 1 << 11,
};

struct hc_body {
	unsigned set;
	const char *locale;	/* canonical; NULL = not given */
	char *title, *body;	/* owned */
	char *flow;		/* owned canonical flow JSON; NULL with HB_FLOW = remove */
	struct buf html, plain; /* rendered article body */
	int draft, promoted, position, comments_disabled;
	struct strlist labels;
	int64_t segment, author, section, category;
};

static void hc_body_clear(struct hc_body *b)
{
	free(b->title);
	free(b->body);
	free(b->flow);
	buf_release(&b->html);
	buf_release(&b->plain);
	strlist_clear(&b->labels);
	memset(b, 0, sizeof(*b));
}

static int has_controls(const char *s, int multiline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) ||
		    *p == 0x7f)
			return 1;
	return 0;
}

/* Decode obj (the "article"/"category"/... member) into b.  title_key is
 * "title" or "name", body_key "body" or "description"; markdown: render
 * the body.  0 or -1 with err. */
static int hc_body_parse(json_t *obj, const char *title_key, const char *body_key, int markdown,
			 struct hc_body *b, char *err, size_t errlen)
{
	int rc;
	char *loc = NULL;
	*err = '\0';
	b->html = (struct buf)BUF_INIT;
	b->plain = (struct buf)BUF_INIT;
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "base: expected an object");
		return -1;
	}
	if ((rc = jget_str(obj, "locale", &loc, err, errlen)) < 0)
		return -1;
	if (rc && loc) {
		b->locale = hc_locale(loc);
		if (!b->locale) {
			snprintf(err, errlen, "locale: \"%.16s\" is not a locale of this help center",
				 has_controls(loc, 0) ? "" : loc);
			free(loc);
			return -1;
		}
	}
	free(loc);
	if ((rc = jget_str(obj, title_key, &b->title, err, errlen)) < 0)
		return -1;
	if (rc) {
		b->set |= HB_TITLE;
		if (!b->title || !b->title[strspn(b->title, " \t")]) {
			snprintf(err, errlen, "%s: cannot be blank", title_key);
			return -1;
		}
		if (strlen(b->title) > MAX_TITLE || has_controls(b->title, 0)) {
			snprintf(err, errlen, "%s: at most %d bytes, no control characters",
				 title_key, MAX_TITLE);
			return -1;
		}
	}
	if ((rc = jget_str(obj, body_key, &b->body, err, errlen)) < 0)
		return -1;
	if (rc) {
		b->set |= HB_BODY;
		if (!b->body)
			b->body = xstrdup("");
		if (strlen(b->body) > (markdown ? MARKDOWN_MAX : MAX_FIELD)) {
			snprintf(err, errlen, "%s: is too long", body_key);
			return -1;
		}
		if (markdown && markdown_render(b->body, strlen(b->body), &b->html, &b->plain)) {
			snprintf(err, errlen, "%s: could not be rendered", body_key);
			return -1;
		}
	}
	json_t *flow = markdown ? json_object_get(obj, "flow") : NULL;
	if (flow) { /* a troubleshooting flow (articles): checked now, stored canonical */
		b->set |= HB_FLOW;
		if (!json_is_null(flow)) {
			struct hc_flow f;
			if (hc_flow_from_json(flow, &f, err, errlen))
				return -1;
			json_t *c = hc_flow_to_json(&f);
			b->flow = json_dumps(c, JSON_COMPACT);
			json_decref(c);
			hc_flow_clear(&f);
		}
	}
	static const struct {
		const char *key;
		unsigned bit;
		size_t off;
	} bools[] = {
	    {"draft", HB_DRAFT, offsetof(struct hc_body, draft)},
	    {"promoted", HB_PROMOTED, offsetof(struct hc_body, promoted)},
	    {"comments_disabled", HB_COMMENTS, offsetof(struct hc_body, comments_disabled)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bools); i++) {
		if ((rc = jget_bool(obj, bools[i].key, (int *)((char *)b + bools[i].off), err,
				    errlen)) < 0)
			return -1;
		if (rc)
			b->set |= bools[i].bit;
	}
	json_t *pos = json_object_get(obj, "position");
	if (pos) {
		if (!json_is_integer(pos) || json_integer_value(pos) < 0 ||
		    json_integer_value(pos) > 1000000) {
			snprintf(err, errlen, "position: expected a number from 0 to 1000000");
			return -1;
		}
		b->position = (int)json_integer_value(pos);
		b->set |= HB_POSITION;
	}
	static const struct {
		const char *key;
		unsigned bit;
		size_t off;
	} ids[] = {
	    {"user_segment_id", HB_SEGMENT, offsetof(struct hc_body, segment)},
	    {"author_id", HB_AUTHOR, offsetof(struct hc_body, author)},
	    {"section_id", HB_SECTION, offsetof(struct hc_body, section)},
	    {"category_id", HB_CATEGORY, offsetof(struct hc_body, category)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		if ((rc = jget_id(obj, ids[i].key, (int64_t *)((char *)b + ids[i].off), err,
				  errlen)) < 0)
			return -1;
		if (rc)
			b->set |= ids[i].bit;
	}
	if ((b->set & HB_SEGMENT) && b->segment != 0 && b->segment != HC_SEGMENT_STAFF &&
	    b->segment != HC_SEGMENT_SIGNED_IN) {
		snprintf(err, errlen, "user_segment_id: %" PRId64 " is not a user segment",
			 b->segment);
		return -1;
	}
	struct strlist l = {0};
	if ((rc = jget_strs(obj, "label_names", &l, err, errlen)) < 0) {
		strlist_clear(&l);
		return -1;
	}
	if (rc) {
		b->set |= HB_LABELS;
		for (size_t i = 0; i < l.n; i++) {
			const char *s = l.v[i] + strspn(l.v[i], " ");
			if (!*s)
				continue;
			if (strlen(s) > MAX_LABEL || has_controls(s, 0) || b->labels.n >= MAX_LABELS) {
				snprintf(err, errlen,
					 "label_names: at most %d labels of at most %d bytes",
					 MAX_LABELS, MAX_LABEL);
				strlist_clear(&l);
				return -1;
			}
			if (!strlist_has(&b->labels, s))
				strlist_add(&b->labels, s);
		}
	}
	strlist_clear(&l);
	return 0;
}

/* Parse {"<key>": {...}} from the request into b; NULL reply on failure. */
static int body_or_reply(struct req *r, const char *key, const char *title_key,
			 const char *body_key, int markdown, struct hc_body *b)
{
	char err[320];
	memset(b, 0, sizeof(*b));
	b->html = (struct buf)BUF_INIT;
	b->plain = (struct buf)BUF_INIT;
	json_t *root = req_json_or_reply(r);
	if (!root)
		return -1;
	json_t *o = json_object_get(root, key);
	int rc = 0;
	if (!o) {
		snprintf(err, sizeof(err), "%s: is required", key);
		rc = -1;
	} else {
		rc = hc_body_parse(o, title_key, body_key, markdown, b, err, sizeof(err));
	}
	json_decref(root);
	if (rc) {
		hc_body_clear(b);
		reply_invalid(r, err);
	}
	return rc;
}

static void set_text(char **dst, const char *src)
{
	free(*dst);
	*dst = xstrdup(src ? src : "");
}

/* The locale a write goes to: the body's, the path's, or fallback. */
static const char *write_locale(struct req *r, const struct hc_body *b, const char *fallback)
{
	if (b->locale)
		return b->locale;
	if (r->word[0] && hc_locale(r->word))
		return hc_locale(r->word);
	return fallback ? fallback : HC_DEFAULT_LOCALE;
}

/* ---- writes ------------------------------------------------------------ */

struct hc_op {
	const char *kind;	/* HC_CATEGORY, HC_SECTION, HC_ARTICLE */
	int64_t id;		/* 0 = create */
	int64_t parent;		/* create: the category (sections) or section (articles) */
	struct hc_body *b;
	const char *locale;	/* of the translation written (NULL: update keeps source) */
	struct actor who;
	int64_t now;
	int status;		/* 404/422 when refused */
	char err[200];
	int64_t result_id;
	const char *result_locale;
};

#define REFUSE(code, ...)                                                                          \
	do {                                                                                       \
		op->status = code;                                                                 \
		snprintf(op->err, sizeof(op->err), __VA_ARGS__);                                   \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)

static const struct hc_view staff_source = {.staff = 1, .signed_in = 1};

/* Fill tr from b for a write in locale (keeping what b does not set). */
static void apply_translation(struct hc_translation *tr, const struct hc_body *b,
			      const char *locale, const struct hc_op *op, int markdown)
{
	snprintf(tr->locale, sizeof(tr->locale), "%s", locale);
	if (b->set & HB_TITLE)
		set_text(&tr->title, b->title);
	if (b->set & HB_BODY) {
		set_text(&tr->body, b->body);
		if (markdown) {
			set_text(&tr->html, b->html.s);
			set_text(&tr->plain, b->plain.s);
		}
	}
	if (b->set & HB_DRAFT)
		tr->draft = b->draft;
	if (b->set & HB_FLOW) {
		free(tr->flow);
		tr->flow = b->flow ? xstrdup(b->flow) : NULL;
	}
	if (!tr->created_at) {
		tr->created_at = op->now;
		tr->created_by_id = op->who.user_id;
	}
	tr->updated_at = op->now;
	tr->updated_by_id = op->who.user_id;
}

/* Load the translation of kind/id in op->locale into tr (if any; a new
 * locale starts empty and must then have a title). */
static int load_translation(struct db *db, struct hc_op *op, int64_t id,
			    struct hc_translation *tr)
{
	int rc = hc_translation_get(db, op->kind, id, op->locale, tr);
	if (rc == 1) {
		memset(tr, 0, sizeof(*tr));
		return 0;
	}
	return rc;
}

static int category_save_run(struct db *db, void *arg)
{
	struct hc_op *op = arg;
	struct hc_body *b = op->b;
	struct hc_category c = {0};
	int rc = 0;
	if (!op->id) {
		if (!(b->set & HB_TITLE))
			REFUSE(422, "name: is required");
		c.position = b->position;
		c.created_at = c.updated_at = op->now;
		apply_translation(&c.tr, b, op->locale, op, 0);
		rc = hc_category_insert(db, &c);
	} else {
		rc = hc_category_get(db, op->id, &staff_source, &c);
		if (rc < 0)
			goto out;
		if (rc)
			REFUSE(404, "not found");
		if (!op->locale)
			op->locale = c.source_locale[0] ? NULL : HC_DEFAULT_LOCALE;
		if (op->locale && strcmp(op->locale, c.tr.locale)) {
			hc_translation_clear(&c.tr);
			if ((rc = load_translation(db, op, op->id, &c.tr)))
				goto out;
			if (!c.tr.id && !(b->set & HB_TITLE))
				REFUSE(422, "name: is required for a new locale");
		}
		if (b->set & HB_POSITION)
			c.position = b->position;
		c.updated_at = op->now;
		apply_translation(&c.tr, b, op->locale ? op->locale : c.tr.locale, op, 0);
		rc = hc_category_update(db, &c);
	}
	op->result_id = c.id;
	op->result_locale = hc_locale(c.tr.locale);
out:
	hc_category_clear(&c);
	return rc;
}

static int section_save_run(struct db *db, void *arg)
{
	struct hc_op *op = arg;
	struct hc_body *b = op->b;
	struct hc_section s = {0};
	int rc = 0, found = 0;
	int64_t category = op->id ? 0 : op->parent;
	if (b->set & HB_CATEGORY)
		category = b->category;
	if (category) {
		if ((rc = hc_store_exists(db, HC_CATEGORY, category, &found)))
			goto out;
		if (!found && !op->id && !(b->set & HB_CATEGORY))
			REFUSE(404, "not found");
		if (!found)
			REFUSE(422, "category_id: %" PRId64 " is not a category", category);
	}
	if (!op->id) {
		if (!(b->set & HB_TITLE))
			REFUSE(422, "name: is required");
		s.category_id = category;
		s.position = b->position;
		s.created_at = s.updated_at = op->now;
		apply_translation(&s.tr, b, op->locale, op, 0);
		rc = hc_section_insert(db, &s);
	} else {
		rc = hc_section_get(db, op->id, &staff_source, &s);
		if (rc < 0)
			goto out;
		if (rc)
			REFUSE(404, "not found");
		if (op->locale && strcmp(op->locale, s.tr.locale)) {
			hc_translation_clear(&s.tr);
			if ((rc = load_translation(db, op, op->id, &s.tr)))
				goto out;
			if (!s.tr.id && !(b->set & HB_TITLE))
				REFUSE(422, "name: is required for a new locale");
		}
		if (category)
			s.category_id = category;
		if (b->set & HB_POSITION)
			s.position = b->position;
		s.updated_at = op->now;
		apply_translation(&s.tr, b, op->locale ? op->locale : s.tr.locale, op, 0);
		rc = hc_section_update(db, &s);
	}
	op->result_id = s.id;
	op->result_locale = hc_locale(s.tr.locale);
out:
	hc_section_clear(&s);
	return rc;
}

static void apply_article(struct hc_article *a, const struct hc_body *b)
{
	if (b->set & HB_PROMOTED)
		a->promoted = b->promoted;
	if (b->set & HB_POSITION)
		a->position = b->position;
	if (b->set & HB_COMMENTS)
		a->comments_disabled = b->comments_disabled;
	if (b->set & HB_SEGMENT)
		a->user_segment_id = b->segment;
	if (b->set & HB_LABELS) {
		strlist_clear(&a->labels);
		for (size_t i = 0; i < b->labels.n; i++)
			strlist_add(&a->labels, b->labels.v[i]);
	}
}

static int article_save_run(struct db *db, void *arg)
{
	struct hc_op *op = arg;
	struct hc_body *b = op->b;
	struct hc_article a = {0};
	int rc = 0, found = 0;
	int64_t section = op->id ? 0 : op->parent;
	if (b->set & HB_SECTION)
		section = b->section;
	if (section) {
		if ((rc = hc_store_exists(db, HC_SECTION, section, &found)))
			goto out;
		if (!found && !op->id && !(b->set & HB_SECTION))
			REFUSE(404, "not found");
		if (!found)
			REFUSE(422, "section_id: %" PRId64 " is not a section", section);
	}
	if ((b->set & HB_AUTHOR) && b->author) {
		struct user u = {0};
		if ((rc = user_store_get(db, b->author, &u)) < 0)
			goto out;
		int ok = rc == 0 && u.role >= ROLE_AGENT;
		rc = 0;
		user_clear(&u);
		if (!ok)
			REFUSE(422, "author_id: %" PRId64 " is not an agent or admin", b->author);
	}
	if (!op->id) {
		if (!(b->set & HB_TITLE))
			REFUSE(422, "title: is required");
		a.section_id = section;
		a.author_id = (b->set & HB_AUTHOR) && b->author ? b->author : op->who.user_id;
		a.created_at = a.updated_at = op->now;
		apply_article(&a, b);
		apply_translation(&a.tr, b, op->locale, op, 1);
		if (!(b->set & HB_BODY)) {
			set_text(&a.tr.body, "");
			set_text(&a.tr.html, "");
			set_text(&a.tr.plain, "");
		}
		rc = hc_article_insert(db, &a);
	} else {
		rc = hc_article_get(db, op->id, &staff_source, &a);
		if (rc < 0)
			goto out;
		if (rc)
			REFUSE(404, "not found");
		if (op->locale && strcmp(op->locale, a.tr.locale)) {
			hc_translation_clear(&a.tr);
			if ((rc = load_translation(db, op, op->id, &a.tr)))
				goto out;
			if (!a.tr.id && !(b->set & HB_TITLE))
				REFUSE(422, "title: is required for a new locale");
		}
		if (section)
			a.section_id = section;
		if ((b->set & HB_AUTHOR) && b->author)
			a.author_id = b->author;
		a.updated_at = op->now;
		apply_article(&a, b);
		if (b->set & (HB_TITLE | HB_BODY | HB_DRAFT | HB_FLOW)) {
			apply_translation(&a.tr, b, op->locale ? op->locale : a.tr.locale, op, 1);
		} else {
			hc_translation_clear(&a.tr); /* no translation change */
			snprintf(a.tr.locale, sizeof(a.tr.locale), "%s",
				 op->locale ? op->locale : a.source_locale);
		}
		rc = hc_article_update(db, &a);
	}
	op->result_id = a.id;
	op->result_locale = hc_locale(a.tr.locale);
out:
	hc_article_clear(&a);
	return rc;
}

static int reply_show(struct req *r, const char *kind, int64_t id, const char *locale, int status);

static int hc_write_reply(struct req *r, const char *kind, int64_t id, int64_t parent)
{
	static const struct {
		const char *kind, *key, *title, *body;
		int markdown;
		store_write_fn fn;
	} kinds[] = {
	    {HC_CATEGORY, "category", "name", "description", 0, category_save_run},
	    {HC_SECTION, "section", "name", "description", 0, section_save_run},
	    {HC_ARTICLE, "article", "title", "body", 1, article_save_run},
	};
	size_t k = 0;
	while (strcmp(kinds[k].kind, kind))
		k++;
	if (r->word[0] && !hc_locale(r->word))
		return reply_error(r, 404, "RecordNotFound", "the help center has no such locale",
				   NULL);
	struct hc_body b;
	if (body_or_reply(r, kinds[k].key, kinds[k].title, kinds[k].body, kinds[k].markdown, &b))
		return 0;
	struct hc_op op = {.kind = kind, .id = id, .parent = parent, .b = &b,
			   .who = r->actor, .now = now_seconds()};
	op.locale = id && !b.locale && !r->word[0] ? NULL : write_locale(r, &b, NULL);
	int rc = store_write(r->srv->store, kinds[k].fn, &op);
	hc_body_clear(&b);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		if (op.status == 422)
			return reply_invalid(r, op.err);
		return reply_error(r, 500, "InternalError", "the help center item could not be saved",
				   NULL);
	}
	return reply_show(r, kind, op.result_id, op.result_locale, id ? 200 : 201);
}

static int hc_delete_run(struct db *db, void *arg)
{
	const struct hc_op *op = arg;
	if (!strcmp(op->kind, HC_CATEGORY))
		return hc_category_delete(db, op->id);
	if (!strcmp(op->kind, HC_SECTION))
		return hc_section_delete(db, op->id);
	return hc_article_delete(db, op->id);
}

static int hc_delete_reply(struct req *r, const char *kind)
{
	struct hc_op op = {.kind = kind, .id = r->id[0]};
	int rc = store_write(r->srv->store, hc_delete_run, &op);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the help center item could not be deleted",
				   NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

/* ---- reads ------------------------------------------------------------- */

/* Reply with one item read as staff in locale (after a write). */
static int reply_show(struct req *r, const char *kind, int64_t id, const char *locale, int status)
{
	struct hc_view v = {.staff = 1, .signed_in = 1, .locale = locale};
	json_t *o = NULL;
	const char *key = NULL;
	int rc;
	if (!strcmp(kind, HC_CATEGORY)) {
		struct hc_category c = {0};
		if (!(rc = hc_category_get(req_db(r), id, &v, &c)))
			o = category_json(r->srv, &c);
		hc_category_clear(&c);
		key = "category";
	} else if (!strcmp(kind, HC_SECTION)) {
		struct hc_section s = {0};
		if (!(rc = hc_section_get(req_db(r), id, &v, &s)))
			o = section_json(r->srv, &s);
		hc_section_clear(&s);
		key = "section";
	} else {
		struct hc_article a = {0};
		if (!(rc = hc_article_get(req_db(r), id, &v, &a)))
			o = article_json(r->srv, &a);
		hc_article_clear(&a);
		key = "article";
	}
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	return reply_json(r, status, json_pack("{s:o}", key, o));
}

static int categories_list(struct req *r)
{
	struct hc_view v;
	struct page p;
	if (hc_reader_or_reply(r, &v) || page_parse_or_reply(r, &p))
		return 0;
	struct window w;
	page_window(&p, &w);
	struct hc_category *c;
	int n;
	int64_t count = -1;
	if (hc_category_list(req_db(r), &v, 0, &w, &c, &n) ||
	    (!p.cursor && hc_category_count(req_db(r), &v, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, category_json(r->srv, &c[i]));
	json_t *out = json_pack("{s:o}", "categories", arr);
	page_finish(r, &p, out, n ? c[n - 1].id : p.after, more, count);
	hc_category_list_free(c, n + more);
	return reply_json(r, 200, out);
}

static int sections_list_of(struct req *r, int64_t category_id)
{
	struct hc_view v;
	struct page p;
	if (hc_reader_or_reply(r, &v) || page_parse_or_reply(r, &p))
		return 0;
	if (category_id) {
		struct hc_category c = {0};
		struct hc_view any = v; /* the category exists in some locale */
		any.locale = NULL;
		int rc = hc_category_get(req_db(r), category_id, &any, &c);
		hc_category_clear(&c);
		if (rc)
			return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	}
	struct window w;
	page_window(&p, &w);
	struct hc_section *s;
	int n;
	int64_t count = -1;
	if (hc_section_list(req_db(r), category_id, &v, 0, &w, &s, &n) ||
	    (!p.cursor && hc_section_count(req_db(r), category_id, &v, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, section_json(r->srv, &s[i]));
	json_t *out = json_pack("{s:o}", "sections", arr);
	page_finish(r, &p, out, n ? s[n - 1].id : p.after, more, count);
	hc_section_list_free(s, n + more);
	return reply_json(r, 200, out);
}

static int sections_list(struct req *r) { return sections_list_of(r, 0); }
static int category_sections(struct req *r) { return sections_list_of(r, r->id[0]); }

/* ?label_names=a,b into l (at most MAX_LABELS). */
static void labels_param(struct req *r, struct strlist *l)
{
	const char *v = req_arg(r, "label_names");
	if (!v)
		return;
	char *copy = xstrdup(v), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t && l->n < MAX_LABELS;
	     t = strtok_r(NULL, ",", &save))
		if (*t && !strlist_has(l, t))
			strlist_add(l, t);
	free(copy);
}

static int articles_list_of(struct req *r, int64_t section_id, int64_t category_id)
{
	struct hc_view v;
	struct page p;
	if (hc_reader_or_reply(r, &v) || page_parse_or_reply(r, &p))
		return 0;
	int rc = 0;
	struct hc_view any = v; /* the parent exists in some locale */
	any.locale = NULL;
	if (section_id) {
		struct hc_section s = {0};
		rc = hc_section_get(req_db(r), section_id, &any, &s);
		hc_section_clear(&s);
	} else if (category_id) {
		struct hc_category c = {0};
		rc = hc_category_get(req_db(r), category_id, &any, &c);
		hc_category_clear(&c);
	}
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	struct strlist labels = {0};
	labels_param(r, &labels);
	struct hc_article_filter f = {.section_id = section_id, .category_id = category_id,
				      .labels = labels.n ? &labels : NULL};
	page_window(&p, &f.win);
	struct hc_article *a;
	int n;
	int64_t count = -1;
	if (hc_article_list(req_db(r), &f, &v, &a, &n) ||
	    (!p.cursor && hc_article_count(req_db(r), &f, &v, &count))) {
		strlist_clear(&labels);
		return reply_db_down(r);
	}
	strlist_clear(&labels);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, article_json(r->srv, &a[i]));
	json_t *out = json_pack("{s:o}", "articles", arr);
	page_finish(r, &p, out, n ? a[n - 1].id : p.after, more, count);
	hc_article_list_free(a, n + more);
	return reply_json(r, 200, out);
}

static int articles_list(struct req *r) { return articles_list_of(r, 0, 0); }
static int section_articles(struct req *r) { return articles_list_of(r, r->id[0], 0); }
static int category_articles(struct req *r) { return articles_list_of(r, 0, r->id[0]); }

static int item_show(struct req *r, const char *kind)
{
	struct hc_view v;
	if (hc_reader_or_reply(r, &v))
		return 0;
	json_t *o = NULL;
	const char *key;
	int rc;
	if (!strcmp(kind, HC_CATEGORY)) {
		struct hc_category c = {0};
		if (!(rc = hc_category_get(req_db(r), r->id[0], &v, &c)))
			o = category_json(r->srv, &c);
		hc_category_clear(&c);
		key = "category";
	} else if (!strcmp(kind, HC_SECTION)) {
		struct hc_section s = {0};
		if (!(rc = hc_section_get(req_db(r), r->id[0], &v, &s)))
			o = section_json(r->srv, &s);
		hc_section_clear(&s);
		key = "section";
	} else {
		struct hc_article a = {0};
		if (!(rc = hc_article_get(req_db(r), r->id[0], &v, &a)))
			o = article_json(r->srv, &a);
		int64_t solved = 0, contact = 0;
		if (!rc && a.tr.flow &&
		    !hc_flow_outcome_counts(req_db(r), a.id, &solved, &contact))
			json_object_set_new(o, "flow_outcomes", /* Sonnim: the flow's ends so far */
					    json_pack("{s:I,s:I}", "solved", (json_int_t)solved,
						      "contact", (json_int_t)contact));
		hc_article_clear(&a);
		key = "article";
	}
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	return reply_json(r, 200, json_pack("{s:o}", key, o));
}

static int category_show(struct req *r) { return item_show(r, HC_CATEGORY); }
static int section_show(struct req *r) { return item_show(r, HC_SECTION); }
static int article_show(struct req *r) { return item_show(r, HC_ARTICLE); }
static int category_create(struct req *r) { return hc_write_reply(r, HC_CATEGORY, 0, 0); }
static int category_update(struct req *r) { return hc_write_reply(r, HC_CATEGORY, r->id[0], 0); }
static int category_delete(struct req *r) { return hc_delete_reply(r, HC_CATEGORY); }
static int section_create(struct req *r) { return hc_write_reply(r, HC_SECTION, 0, r->id[0]); }
static int section_update(struct req *r) { return hc_write_reply(r, HC_SECTION, r->id[0], 0); }
static int section_delete(struct req *r) { return hc_delete_reply(r, HC_SECTION); }
static int article_create(struct req *r) { return hc_write_reply(r, HC_ARTICLE, 0, r->id[0]); }
static int article_update(struct req *r) { return hc_write_reply(r, HC_ARTICLE, r->id[0], 0); }
static int article_delete(struct req *r) { return hc_delete_reply(r, HC_ARTICLE); }

/* ---- translations ------------------------------------------------------ */

static int translations_list(struct req *r)
{
	struct hc_view v;
	if (hc_reader_or_reply(r, &v))
		return 0;
	struct hc_article a = {0};
	int rc = hc_article_get(req_db(r), r->id[0], &v, &a);
	hc_article_clear(&a);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	struct hc_translation *t;
	int n;
	if (hc_translation_list(req_db(r), HC_ARTICLE, r->id[0], &t, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		if (v.staff || !t[i].draft)
			json_array_append_new(arr, translation_json(r->srv, &t[i]));
	hc_translation_list_free(t, n);
	json_t *out = json_pack("{s:o,s:n,s:n,s:I}", "translations", arr, "next_page",
				"previous_page", "count", (json_int_t)json_array_size(arr));
	return reply_json(r, 200, out);
}

static int translation_show(struct req *r)
{
	struct hc_view v;
	if (hc_reader_or_reply(r, &v))
		return 0;
	const char *loc = hc_locale(r->word);
	v.locale = loc;
	struct hc_article a = {0};
	int rc = loc ? hc_article_get(req_db(r), r->id[0], &v, &a) : 1;
	hc_article_clear(&a);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	struct hc_translation t = {0};
	rc = hc_translation_get(req_db(r), HC_ARTICLE, r->id[0], loc, &t);
	if (rc) {
		hc_translation_clear(&t);
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	}
	json_t *o = translation_json(r->srv, &t);
	hc_translation_clear(&t);
	return reply_json(r, 200, json_pack("{s:o}", "translation", o));
}

struct tr_op {
	int64_t article_id;
	const char *locale;
	int creating;		/* POST: the locale must be new */
	struct hc_body *b;
	struct actor who;
	int64_t now;
	int status;
	char err[200];
	int64_t tr_id;
};

static int translation_save_run(struct db *db, void *arg)
{
	struct tr_op *op = arg;
	struct hc_translation t = {0};
	int found = 0;
	int rc = hc_store_exists(db, HC_ARTICLE, op->article_id, &found);
	if (rc)
		return rc;
	if (!found) {
		op->status = 404;
		return DB_REFUSED;
	}
	rc = hc_translation_get(db, HC_ARTICLE, op->article_id, op->locale, &t);
	if (rc < 0)
		return rc;
	if (rc == 0 && op->creating) {
		op->status = 422;
		snprintf(op->err, sizeof(op->err), "locale: the article has a %s translation already",
			 op->locale);
		hc_translation_clear(&t);
		return DB_REFUSED;
	}
	if (rc == 1 && !op->creating) {
		op->status = 404;
		return DB_REFUSED;
	}
	if (rc == 1 && !(op->b->set & HB_TITLE)) {
		op->status = 422;
		snprintf(op->err, sizeof(op->err), "title: is required");
		return DB_REFUSED;
	}
	snprintf(t.source_type, sizeof(t.source_type), "%s", HC_ARTICLE);
	t.source_id = op->article_id;
	struct hc_op h = {.who = op->who, .now = op->now};
	apply_translation(&t, op->b, op->locale, &h, 1);
	if (!t.body)
		t.body = xstrdup("");
	rc = hc_translation_put(db, &t);
	op->tr_id = t.id;
	hc_translation_clear(&t);
	return rc;
}

static int translation_write(struct req *r, int creating)
{
	struct hc_body b;
	if (body_or_reply(r, "translation", "title", "body", 1, &b))
		return 0;
	const char *loc = creating ? b.locale : hc_locale(r->word);
	if (!loc) {
		hc_body_clear(&b);
		if (!creating)
			return reply_not_found(r);
		return reply_invalid(r, "locale: is required");
	}
	struct tr_op op = {.article_id = r->id[0], .locale = loc, .creating = creating, .b = &b,
			   .who = r->actor, .now = now_seconds()};
	int rc = store_write(r->srv->store, translation_save_run, &op);
	hc_body_clear(&b);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		if (op.status == 422)
			return reply_invalid(r, op.err);
		return reply_error(r, 500, "InternalError", "the translation could not be saved",
				   NULL);
	}
	struct hc_translation t = {0};
	rc = hc_translation_get(req_db(r), HC_ARTICLE, r->id[0], loc, &t);
	if (rc) {
		hc_translation_clear(&t);
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	}
	json_t *o = translation_json(r->srv, &t);
	hc_translation_clear(&t);
	return reply_json(r, creating ? 201 : 200, json_pack("{s:o}", "translation", o));
}

static int translation_create(struct req *r) { return translation_write(r, 1); }
static int translation_update(struct req *r) { return translation_write(r, 0); }

struct trdel_op {
	int64_t id;
	int status;
};

static int translation_delete_run(struct db *db, void *arg)
{
	struct trdel_op *op = arg;
	int64_t article;
	char *locale, *source;
	int rc = hc_article_translation_by_id(db, op->id, &article, &locale, &source);
	if (rc < 0)
		return rc;
	if (rc == 0 && !strcmp(locale, source)) {
		op->status = 422; /* the source locale's translation stays */
		rc = DB_REFUSED;
	} else if (rc == 1) {
		op->status = 404;
		rc = DB_REFUSED;
	} else {
		rc = hc_translation_delete(db, HC_ARTICLE, article, locale);
	}
	free(locale);
	free(source);
	return rc;
}

static int translation_delete(struct req *r)
{
	struct trdel_op op = {.id = r->id[0]};
	int rc = store_write(r->srv->store, translation_delete_run, &op);
	if (op.status == 404 || rc == 1)
		return reply_not_found(r);
	if (op.status == 422)
		return reply_invalid(r, "locale: the source locale's translation cannot be deleted");
	if (rc)
		return reply_error(r, 500, "InternalError", "the translation could not be deleted",
				   NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

/* ---- votes ------------------------------------------------------------- */

struct vote_op {
	int64_t article_id, user_id;
	int value;
	char voter[32];
	struct hc_vote v;
};

static int vote_run(struct db *db, void *arg)
{
	struct vote_op *op = arg;
	return hc_vote_put(db, op->article_id, op->voter, op->user_id, op->value, now_seconds(),
			   &op->v);
}

static int vote_reply(struct req *r, int value)
{
	struct hc_view v = {.staff = r->actor.role >= ROLE_AGENT, .signed_in = 1};
	struct hc_article a = {0};
	int rc = hc_article_get(req_db(r), r->id[0], &v, &a);
	hc_article_clear(&a);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	struct vote_op op = {.article_id = r->id[0], .user_id = r->actor.user_id, .value = value};
	snprintf(op.voter, sizeof(op.voter), "u:%" PRId64, r->actor.user_id);
	rc = store_write(r->srv->store, vote_run, &op);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the vote could not be saved", NULL);
	return reply_json(r, 200, json_pack("{s:o}", "vote", vote_json(r->srv, &op.v)));
}

static int vote_up(struct req *r) { return vote_reply(r, 1); }
static int vote_down(struct req *r) { return vote_reply(r, -1); }

static int votes_list(struct req *r)
{
	struct hc_vote *v;
	int n;
	if (hc_vote_list(req_db(r), r->id[0], &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, vote_json(r->srv, &v[i]));
	free(v);
	return reply_json(r, 200,
			  json_pack("{s:o,s:n,s:n,s:I}", "votes", arr, "next_page",
				    "previous_page", "count", (json_int_t)n));
}

/* ---- search ------------------------------------------------------------ */

struct miss_op {
	const char *query, *locale;
};

static int miss_run(struct db *db, void *arg)
{
	struct miss_op *op = arg;
	return hc_search_miss(db, op->query, op->locale, now_seconds());
}

void hc_note_miss(struct server *s, const char *query, const char *locale)
{
	/* trimmed, spaces collapsed, ASCII lower-cased: one row per question */
	struct buf q = BUF_INIT;
	for (const char *p = query; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (q.len && q.s[q.len - 1] != ' ')
				buf_addc(&q, ' ');
			continue;
		}
		buf_addc(&q, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
	}
	while (q.len && q.s[q.len - 1] == ' ')
		q.s[--q.len] = '\0';
	if (q.len) {
		struct miss_op op = {q.s, locale};
		store_write(s->store, miss_run, &op);
	}
	buf_release(&q);
}

static int articles_search(struct req *r)
{
	struct hc_view v;
	if (hc_reader_or_reply(r, &v))
		return 0;
	const char *q = req_arg(r, "query");
	if (!q || !*q || strlen(q) > MAX_QUERY)
		return reply_error(r, 400, "InvalidParameter",
				   "query is required (at most 1000 bytes)", NULL);
	const char *loc = req_arg(r, "locale");
	if (loc && strcmp(loc, "*")) {
		v.locale = hc_locale(loc);
		if (!v.locale)
			return reply_error(r, 400, "InvalidParameter",
					   "locale is not a locale of this help center", NULL);
	}
	int64_t page = 1, per_page = 25, n64;
	const char *pv;
	if ((pv = req_arg(r, "per_page")) &&
	    (parse_i64(pv, &per_page) || per_page < 1 || per_page > 100))
		return reply_error(r, 400, "InvalidPaginationParameter",
				   "per_page must be between 1 and 100", NULL);
	if ((pv = req_arg(r, "page")) && (parse_i64(pv, &page) || page < 1 || page > 1000))
		return reply_error(r, 400, "InvalidPaginationParameter",
				   "page must be a positive number", NULL);
	struct strlist labels = {0};
	labels_param(r, &labels);
	struct hc_search_spec spec = {.query = q, .view = v, .labels = labels.n ? &labels : NULL};
	if ((pv = req_arg(r, "category")) && !parse_i64(pv, &n64))
		spec.category_id = n64;
	if ((pv = req_arg(r, "section")) && !parse_i64(pv, &n64))
		spec.section_id = n64;
	struct hc_hit *hits;
	int n;
	if (hc_search(req_db(r), &spec, &hits, &n)) {
		strlist_clear(&labels);
		return reply_db_down(r);
	}
	strlist_clear(&labels);
	json_t *arr = json_array();
	for (int64_t i = (page - 1) * per_page; i < n && i < page * per_page; i++) {
		struct hc_view one = v;
		one.locale = hits[i].locale;
		struct hc_article a = {0};
		if (hc_article_get(req_db(r), hits[i].article_id, &one, &a) == 0) {
			json_t *o = article_json(r->srv, &a);
			struct buf snip = BUF_INIT;
			hc_snippet(a.tr.plain, q, &snip);
			json_object_set_new(o, "snippet", json_string(snip.s));
			json_object_set_new(o, "result_type", json_string("article"));
			json_object_set_new(o, "score", json_real(hits[i].score));
			buf_release(&snip);
			json_array_append_new(arr, o);
		}
		hc_article_clear(&a);
	}
	free(hits);
	if (n == 0)
		hc_note_miss(r->srv, q, v.locale);
	json_t *out = json_pack("{s:o,s:I,s:I,s:I,s:I}", "results", arr, "count", (json_int_t)n,
				"page", (json_int_t)page, "per_page", (json_int_t)per_page,
				"page_count", (json_int_t)((n + per_page - 1) / per_page));
	char url[600];
	if (page * per_page < n) {
		snprintf(url, sizeof(url),
			 "%s/api/v2/help_center/articles/search.json?page=%" PRId64
			 "&per_page=%" PRId64,
			 r->srv->cfg.base_url, page + 1, per_page);
		json_object_set_new(out, "next_page", json_string(url));
	} else {
		json_object_set_new(out, "next_page", json_null());
	}
	if (page > 1) {
		snprintf(url, sizeof(url),
			 "%s/api/v2/help_center/articles/search.json?page=%" PRId64
			 "&per_page=%" PRId64,
			 r->srv->cfg.base_url, page - 1, per_page);
		json_object_set_new(out, "previous_page", json_string(url));
	} else {
		json_object_set_new(out, "previous_page", json_null());
	}
	return reply_json(r, 200, out);
}

/* GET /api/v2/sonnim/help_center/search_misses.json: the knowledge-gap
 * report - what customers searched for and did not find. */
static int search_misses(struct req *r)
{
	struct hc_miss *m;
	int n;
	if (hc_search_miss_list(req_db(r), 100, &m, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    arr, json_pack("{s:s,s:s?,s:I,s:o,s:o}", "query", m[i].query, "locale",
				   m[i].locale[0] ? m[i].locale : NULL, "count",
				   (json_int_t)m[i].count, "first_searched_at",
				   jtime(m[i].first_at), "last_searched_at", jtime(m[i].last_at)));
	hc_miss_list_free(m, n);
	return reply_json(r, 200, json_pack("{s:o,s:I}", "search_misses", arr, "count",
					    (json_int_t)n));
}

#define HC "/api/v2/help_center"
const struct route hc_routes[] = {
    {M_GET, HC "/categories.json", PUBLIC, categories_list, 0},
    {M_GET, HC "/{word}/categories.json", PUBLIC, categories_list, 0},
    {M_POST, HC "/categories.json", ROLE_ADMIN, category_create, 0},
    {M_POST, HC "/{word}/categories.json", ROLE_ADMIN, category_create, 0},
    {M_GET, HC "/categories/{id}.json", PUBLIC, category_show, 0},
    {M_GET, HC "/{word}/categories/{id}.json", PUBLIC, category_show, 0},
    {M_PUT, HC "/categories/{id}.json", ROLE_ADMIN, category_update, 0},
    {M_PUT, HC "/{word}/categories/{id}.json", ROLE_ADMIN, category_update, 0},
    {M_DELETE, HC "/categories/{id}.json", ROLE_ADMIN, category_delete, 0},
    {M_GET, HC "/sections.json", PUBLIC, sections_list, 0},
    {M_GET, HC "/{word}/sections.json", PUBLIC, sections_list, 0},
    {M_GET, HC "/categories/{id}/sections.json", PUBLIC, category_sections, 0},
    {M_GET, HC "/{word}/categories/{id}/sections.json", PUBLIC, category_sections, 0},
    {M_POST, HC "/categories/{id}/sections.json", ROLE_ADMIN, section_create, 0},
    {M_POST, HC "/{word}/categories/{id}/sections.json", ROLE_ADMIN, section_create, 0},
    {M_GET, HC "/sections/{id}.json", PUBLIC, section_show, 0},
    {M_GET, HC "/{word}/sections/{id}.json", PUBLIC, section_show, 0},
    {M_PUT, HC "/sections/{id}.json", ROLE_ADMIN, section_update, 0},
    {M_PUT, HC "/{word}/sections/{id}.json", ROLE_ADMIN, section_update, 0},
    {M_DELETE, HC "/sections/{id}.json", ROLE_ADMIN, section_delete, 0},
    {M_GET, HC "/articles/search.json", PUBLIC, articles_search, 0},
    {M_GET, HC "/articles.json", PUBLIC, articles_list, 0},
    {M_GET, HC "/{word}/articles.json", PUBLIC, articles_list, 0},
    {M_GET, HC "/sections/{id}/articles.json", PUBLIC, section_articles, 0},
    {M_GET, HC "/{word}/sections/{id}/articles.json", PUBLIC, section_articles, 0},
    {M_GET, HC "/categories/{id}/articles.json", PUBLIC, category_articles, 0},
    {M_GET, HC "/{word}/categories/{id}/articles.json", PUBLIC, category_articles, 0},
    {M_POST, HC "/sections/{id}/articles.json", ROLE_AGENT, article_create, 0},
    {M_POST, HC "/{word}/sections/{id}/articles.json", ROLE_AGENT, article_create, 0},
    {M_GET, HC "/articles/{id}.json", PUBLIC, article_show, 0},
    {M_GET, HC "/{word}/articles/{id}.json", PUBLIC, article_show, 0},
    {M_PUT, HC "/articles/{id}.json", ROLE_AGENT, article_update, 0},
    {M_PUT, HC "/{word}/articles/{id}.json", ROLE_AGENT, article_update, 0},
    {M_DELETE, HC "/articles/{id}.json", ROLE_AGENT, article_delete, 0},
    {M_GET, HC "/articles/{id}/translations.json", PUBLIC, translations_list, 0},
    {M_POST, HC "/articles/{id}/translations.json", ROLE_AGENT, translation_create, 0},
    {M_GET, HC "/articles/{id}/translations/{word}.json", PUBLIC, translation_show, 0},
    {M_PUT, HC "/articles/{id}/translations/{word}.json", ROLE_AGENT, translation_update, 0},
    {M_DELETE, HC "/translations/{id}.json", ROLE_AGENT, translation_delete, 0},
    {M_GET, HC "/articles/{id}/votes.json", ROLE_AGENT, votes_list, 0},
    {M_POST, HC "/articles/{id}/up.json", ROLE_END_USER, vote_up, 0},
    {M_POST, HC "/articles/{id}/down.json", ROLE_END_USER, vote_down, 0},
    {M_GET, "/api/v2/sonnim/help_center/search_misses.json", ROLE_AGENT, search_misses, 0},
    {0},
};
