/* hc_store.h - the help center's knowledge base in the database:
 * categories -> sections -> articles, their translations, labels, votes,
 * view counts, search and the log of searches that found nothing.
 *
 * Every item has one translation per locale (hc_translations): for
 * categories and sections the name (title) and description (body); for
 * articles the title, the Markdown source (body), its rendered and
 * sanitized HTML and the plain text of that HTML.  Items are read "in a
 * locale": the item's row plus its translation in that locale (NULL =
 * its source locale); an item without a translation in the locale is not
 * there (1 / not listed).  draft lives on the translation, as in Zendesk.
 *
 * Who sees what is a struct hc_view: staff (agents, admins) see drafts and
 * every segment; everyone else sees published translations of articles
 * whose segment hc_segment_visible() allows (core/hc.h).
 *
 * Conventions as in the other stores: getters return 0 and fill *out
 * (caller clears it), 1 when there is no such row (or it is not visible),
 * or a negative DB_* code; writers run inside store_write() and return 0 or
 * a DB_* code.  Writers of article translations also refresh that
 * translation's search document in the same transaction.
 */
#ifndef SONNIM_HC_STORE_H
#define SONNIM_HC_STORE_H
#include "core/ticket.h"
#include "store/db.h"
#include "store/window.h"

/* Kinds of item a translation belongs to (Zendesk's source_type). */
#define HC_CATEGORY "Category"
#define HC_SECTION "Section"
#define HC_ARTICLE "Article"

struct hc_translation {
	int64_t id;
	char source_type[12]; /* HC_CATEGORY, HC_SECTION or HC_ARTICLE */
	int64_t source_id;
	char locale[8];	      /* "ko", "en-us" */
	char *title;	      /* article title, or category/section name */
	char *body;	      /* article Markdown, or category/section description ("" none) */
	char *html;	      /* articles: rendered, sanitized body ("" otherwise) */
	char *plain;	      /* articles: plain text of html */
	int draft;	      /* not published (articles) */
	int outdated;	      /* the source translation changed since */
	int64_t created_by_id, updated_by_id; /* 0 = unknown */
	int64_t created_at, updated_at;
	char *flow;	      /* articles: troubleshooting flow, canonical JSON
			       * (core/hc_flow.h); NULL = a plain article */
};
void hc_translation_clear(struct hc_translation *t);

struct hc_category {
	int64_t id;
	int position;
	char source_locale[8];
	int64_t created_at, updated_at;
	struct hc_translation tr; /* in the locale it was read in */
};
void hc_category_clear(struct hc_category *c);

struct hc_section {
	int64_t id;
	int64_t category_id;
	int position;
	char source_locale[8];
	int64_t created_at, updated_at;
	struct hc_translation tr;
};
void hc_section_clear(struct hc_section *s);

struct hc_article {
	int64_t id;
	int64_t section_id;
	int64_t author_id;
	int64_t user_segment_id; /* 0 = everyone */
	int promoted, position, comments_disabled;
	char source_locale[8];
	int64_t vote_sum, vote_count, view_count;
	int64_t created_at, updated_at, edited_at;
	struct strlist labels; /* label_names, sorted */
	struct hc_translation tr;
};
void hc_article_clear(struct hc_article *a);
void hc_article_list_free(struct hc_article *v, int n);

/* Who is reading. */
struct hc_view {
	const char *locale; /* translation to read; NULL = each item's source locale */
	int staff;	    /* agents and admins: drafts and every segment */
	int signed_in;	    /* an authenticated end-user (segment "signed-in users") */
};

/* ---- categories and sections ---- */
int hc_category_get(struct db *db, int64_t id, const struct hc_view *v, struct hc_category *out);
/* Categories in id order (by_position: position, id - for pages, with
 * offset paging only); win pages them. */
int hc_category_list(struct db *db, const struct hc_view *v, int by_position,
		     const struct window *win, struct hc_category **out, int *n);
int hc_category_count(struct db *db, const struct hc_view *v, int64_t *count);
void hc_category_list_free(struct hc_category *v, int n);
/* Insert c and its translation c->tr (ids set).  c->source_locale = c->tr.locale. */
int hc_category_insert(struct db *db, struct hc_category *c);
/* Save c's row and upsert its translation c->tr (by c->tr.locale). */
int hc_category_update(struct db *db, struct hc_category *c);
/* Delete a category with its sections and their articles (as Zendesk
 * does).  0, or 1 when there is none. */
int hc_category_delete(struct db *db, int64_t id);

int hc_section_get(struct db *db, int64_t id, const struct hc_view *v, struct hc_section *out);
/* category_id 0 = all; order as hc_category_list. */
int hc_section_list(struct db *db, int64_t category_id, const struct hc_view *v, int by_position,
		    const struct window *win, struct hc_section **out, int *n);
int hc_section_count(struct db *db, int64_t category_id, const struct hc_view *v, int64_t *count);
void hc_section_list_free(struct hc_section *v, int n);
int hc_section_insert(struct db *db, struct hc_section *s);
int hc_section_update(struct db *db, struct hc_section *s);
/* Delete a section with its articles.  0, or 1 when there is none. */
int hc_section_delete(struct db *db, int64_t id);

/* ---- articles ---- */
struct hc_article_filter {
	int64_t section_id;		/* 0 = any */
	int64_t category_id;		/* 0 = any */
	const struct strlist *labels;	/* articles with at least one of them; NULL = any */
	int64_t exclude_id;		/* leave this article out (related articles) */
	int by_position;		/* order by promoted desc, position, id (pages);
					 * else by id (API paging) */
	struct window win;
};
int hc_article_get(struct db *db, int64_t id, const struct hc_view *v, struct hc_article *out);
int hc_article_list(struct db *db, const struct hc_article_filter *f, const struct hc_view *v,
		    struct hc_article **out, int *n);
int hc_article_count(struct db *db, const struct hc_article_filter *f, const struct hc_view *v,
		     int64_t *count);
/* Insert a (with labels and its translation a->tr, whose html/plain the
 * caller rendered); ids set. */
int hc_article_insert(struct db *db, struct hc_article *a);
/* Save a's row and labels; upsert a->tr when a->tr.title is set. */
int hc_article_update(struct db *db, struct hc_article *a);
/* Delete an article, its translations, labels, votes and documents.
 * 0, or 1 when there is none. */
int hc_article_delete(struct db *db, int64_t id);
/* Count one view.  0, or 1 when there is no such article. */
int hc_article_viewed(struct db *db, int64_t id);

/* ---- troubleshooting flows ---- */
/* Count one outcome ("solved", "contact") of article id's flow in locale. */
int hc_flow_outcome_add(struct db *db, int64_t article_id, const char *locale,
			const char *outcome);
/* The outcomes counted for article id, all locales summed. */
int hc_flow_outcome_counts(struct db *db, int64_t article_id, int64_t *solved, int64_t *contact);

/* ---- translations ---- */
/* Every translation of an item, by locale.  *out NULL when none. */
int hc_translation_list(struct db *db, const char *source_type, int64_t source_id,
			struct hc_translation **out, int *n);
void hc_translation_list_free(struct hc_translation *v, int n);
int hc_translation_get(struct db *db, const char *source_type, int64_t source_id,
		       const char *locale, struct hc_translation *out);
/* Insert or replace t (by source_type, source_id, locale); t->id set.
 * Refreshes the article's search document and updated_at. */
int hc_translation_put(struct db *db, struct hc_translation *t);
/* Does the category/section/article (kind HC_CATEGORY, HC_SECTION,
 * HC_ARTICLE) id exist?  0 with *found, or DB_*. */
int hc_store_exists(struct db *db, const char *kind, int64_t id, int *found);
/* The article translation with row id: its article, locale and the
 * article's source locale (both owned).  0, 1 when there is none, DB_*. */
int hc_article_translation_by_id(struct db *db, int64_t id, int64_t *article_id, char **locale,
				 char **source_locale);
/* Delete one translation (not the source locale's: the caller checks).
 * 0, or 1 when there is none. */
int hc_translation_delete(struct db *db, const char *source_type, int64_t source_id,
			  const char *locale);

/* ---- votes ---- */
struct hc_vote {
	int64_t id;
	int64_t article_id;
	int64_t user_id; /* 0 = an anonymous visitor */
	int value;	 /* 1 up, -1 down */
	int64_t created_at, updated_at;
};
/* Record voter's vote (voter: "u:<user id>" or "v:<visitor token hash>";
 * one per article and voter - a second vote replaces the first) and
 * recompute the article's vote_sum and vote_count.  *out gets the vote.
 * 0, or 1 when there is no such article. */
int hc_vote_put(struct db *db, int64_t article_id, const char *voter, int64_t user_id, int value,
		int64_t now, struct hc_vote *out);
/* The votes of an article, by id.  *out NULL when none. */
int hc_vote_list(struct db *db, int64_t article_id, struct hc_vote **out, int *n);

/* ---- search ---- */
#define HC_SEARCH_MAX 1000 /* candidates ranked per query */
struct hc_search_spec {
	const char *query;	/* what the customer typed */
	struct hc_view view;	/* view.locale NULL = every locale */
	int64_t category_id;	/* 0 = any */
	int64_t section_id;	/* 0 = any */
	const struct strlist *labels; /* NULL = any */
};
struct hc_hit {
	int64_t article_id;
	char locale[8]; /* of the translation that matched */
	double score;	/* hc_score() of its relevance: bigger is better */
};
/* Rank the visible articles that match spec->query (any of its terms, see
 * hc_query_terms): best first, one hit per article, at most HC_SEARCH_MAX.
 * *hits (free()) NULL when none.  A query without terms matches nothing. */
int hc_search(struct db *db, const struct hc_search_spec *spec, struct hc_hit **hits, int *n);
/* Typo tolerance: for each English word of query (its search token, see
 * core/typo.h) that no article contains, the nearest word the articles do
 * contain, when one is within typo_max_edits() of it; appended to out
 * (owned by out; each once).  hc_search adds them to the query itself.
 * One statement, plus one per misspelled word (at most 8). */
int hc_typo_fixes(struct db *db, const char *query, struct strlist *out);
/* When the vocabulary is empty but articles exist (a help center indexed
 * before it existed), build it from every article translation, in one
 * transaction.  0 or DB_*. */
int hc_vocab_backfill(struct db *db);
/* Note a search that found nothing (query trimmed, lower-cased by the
 * caller if wanted; at most 200 bytes kept). */
int hc_search_miss(struct db *db, const char *query, const char *locale, int64_t now);
struct hc_miss {
	char *query;
	char locale[8];
	int64_t count, first_at, last_at;
};
/* The most frequent missed searches, most frequent first. */
int hc_search_miss_list(struct db *db, int limit, struct hc_miss **out, int *n);
void hc_miss_list_free(struct hc_miss *v, int n);
#endif
