/* hc_store.c - SQL for the help center (see hc_store.h).
 *
 * Shape: every read joins an item's row with its translation in the
 * asked-for locale, COALESCE(?, source_locale), with one column list per
 * kind (CAT_COLS, SEC_COLS, ART_COLS, each followed by TR_COLS) and one
 * reader per kind, so every query returns the same shape.  Lists assemble
 * their WHERE clause from constant fragments with bound values and end with
 * window_sql() like every other list.  Visibility for non-staff readers is
 * one fragment: published translation, and segment null or (signed in)
 * the signed-in segment - the SQL form of hc_segment_visible().
 *
 * Search documents: one per article translation, keyed by the
 * translation's id, holding title, labels (plus a marker word for the
 * locale, see locale_marker) and the plain text of the body.  SQLite: an
 * FTS5 table with those three columns, ranked by bm25 with weights 4/2/1.
 * PostgreSQL: one tsvector, title weight A, labels B, body D, ranked by
 * ts_rank normalized by length.  The query is the OR of the customer's
 * terms (core/hc.h), so "how do I get my money back" still finds articles
 * that share only "money", ANDed with the locale's marker.  The engine's
 * index picks the HC_SEARCH_MAX best documents by text rank alone (an inner
 * SELECT, so the joins and filters touch at most that many rows); then the
 * store drops what the reader may not see and re-sorts by hc_score()
 * (relevance lifted by votes, views, promotion), so ranking is one formula
 * in core for both engines.  Filters (visibility, section, category,
 * labels) apply to those candidates: a filter that removes most of the
 * best HC_SEARCH_MAX can leave fewer results than exist.

 * Deletes cascade by hand (categories -> sections -> articles ->
 * translations, labels, votes, documents), in the caller's transaction.
 *
 * Typo tolerance: indexing a translation also counts its English words
 * into a vocabulary (hc_terms: the search token, a surface word, a use
 * count; hc_term_grams: the token's padded trigrams, written once per new
 * word), and hc_search first asks hc_typo_fixes for the nearest known word
 * of each word no article has, adding it to the query (core/typo.h).
 *
 * Cost: a read is one statement plus one per article for its labels; a
 * search is one statement: the engine ranks every match (bm25/ts_rank) to
 * find the best HC_SEARCH_MAX, then two indexed lookups for each of those,
 * then an O(n log n) sort in C.
 */
#include "store/hc_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/hc.h"
#include "core/typo.h"
#include "store/fts_pg.h"
#include <stdlib.h>
#include <string.h>

#define TR_COLS                                                                                    \
	"t.id, t.source_type, t.source_id, t.locale, t.title, t.body, t.html, t.plain, t.draft,"   \
	" t.outdated, t.created_by_id, t.updated_by_id, t.created_at, t.updated_at, t.flow"
#define TR_NCOLS 15
#define LOCALE_JOIN(type, alias)                                                                   \
	" JOIN hc_translations t ON t.source_type = '" type "' AND t.source_id = " alias ".id"     \
	" AND t.locale = COALESCE(CAST(? AS TEXT), " alias ".source_locale)"
#define CAT_COLS "c.id, c.position, c.source_locale, c.created_at, c.updated_at, " TR_COLS
#define SEC_COLS                                                                                   \
	"s.id, s.category_id, s.position, s.source_locale, s.created_at, s.updated_at, " TR_COLS
#define ART_COLS                                                                                   \
	"a.id, a.section_id, a.author_id, a.user_segment_id, a.promoted, a.position,"              \
	" a.comments_disabled, a.source_locale, a.vote_sum, a.vote_count, a.view_count,"           \
	" a.created_at, a.updated_at, a.edited_at, " TR_COLS
#define MAX_LABEL_ARGS 32

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return xstrdup(s ? s : "");
}

void hc_translation_clear(struct hc_translation *t)
{
	free(t->title);
	free(t->body);
	free(t->html);
	free(t->plain);
	free(t->flow);
	memset(t, 0, sizeof(*t));
}

void hc_category_clear(struct hc_category *c)
{
	hc_translation_clear(&c->tr);
	memset(c, 0, sizeof(*c));
}

void hc_section_clear(struct hc_section *s)
{
	hc_translation_clear(&s->tr);
	memset(s, 0, sizeof(*s));
}

void hc_article_clear(struct hc_article *a)
{
	hc_translation_clear(&a->tr);
	strlist_clear(&a->labels);
	memset(a, 0, sizeof(*a));
}

void hc_article_list_free(struct hc_article *v, int n)
{
	for (int i = 0; i < n; i++)
		hc_article_clear(&v[i]);
	free(v);
}

void hc_category_list_free(struct hc_category *v, int n)
{
	for (int i = 0; i < n; i++)
		hc_category_clear(&v[i]);
	free(v);
}

void hc_section_list_free(struct hc_section *v, int n)
{
	for (int i = 0; i < n; i++)
		hc_section_clear(&v[i]);
	free(v);
}

void hc_translation_list_free(struct hc_translation *v, int n)
{
	for (int i = 0; i < n; i++)
		hc_translation_clear(&v[i]);
	free(v);
}

static void tr_from_row(const struct db_res *r, int i, int c, struct hc_translation *t)
{
	memset(t, 0, sizeof(*t));
	t->id = db_int(r, i, c);
	copy_small(t->source_type, sizeof(t->source_type), db_str(r, i, c + 1));
	t->source_id = db_int(r, i, c + 2);
	copy_small(t->locale, sizeof(t->locale), db_str(r, i, c + 3));
	t->title = dup_col(r, i, c + 4);
	t->body = dup_col(r, i, c + 5);
	t->html = dup_col(r, i, c + 6);
	t->plain = dup_col(r, i, c + 7);
	t->draft = (int)db_int(r, i, c + 8);
	t->outdated = (int)db_int(r, i, c + 9);
	t->created_by_id = db_int(r, i, c + 10);
	t->updated_by_id = db_int(r, i, c + 11);
	t->created_at = db_int(r, i, c + 12);
	t->updated_at = db_int(r, i, c + 13);
	t->flow = db_str(r, i, c + 14) ? xstrdup(db_str(r, i, c + 14)) : NULL;
}

static void cat_from_row(const struct db_res *r, int i, struct hc_category *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_int(r, i, 0);
	c->position = (int)db_int(r, i, 1);
	copy_small(c->source_locale, sizeof(c->source_locale), db_str(r, i, 2));
	c->created_at = db_int(r, i, 3);
	c->updated_at = db_int(r, i, 4);
	tr_from_row(r, i, 5, &c->tr);
}

static void sec_from_row(const struct db_res *r, int i, struct hc_section *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_int(r, i, 0);
	s->category_id = db_int(r, i, 1);
	s->position = (int)db_int(r, i, 2);
	copy_small(s->source_locale, sizeof(s->source_locale), db_str(r, i, 3));
	s->created_at = db_int(r, i, 4);
	s->updated_at = db_int(r, i, 5);
	tr_from_row(r, i, 6, &s->tr);
}

static void art_from_row(const struct db_res *r, int i, struct hc_article *a)
{
	memset(a, 0, sizeof(*a));
	a->id = db_int(r, i, 0);
	a->section_id = db_int(r, i, 1);
	a->author_id = db_int(r, i, 2);
	a->user_segment_id = db_int(r, i, 3);
	a->promoted = (int)db_int(r, i, 4);
	a->position = (int)db_int(r, i, 5);
	a->comments_disabled = (int)db_int(r, i, 6);
	copy_small(a->source_locale, sizeof(a->source_locale), db_str(r, i, 7));
	a->vote_sum = db_int(r, i, 8);
	a->vote_count = db_int(r, i, 9);
	a->view_count = db_int(r, i, 10);
	a->created_at = db_int(r, i, 11);
	a->updated_at = db_int(r, i, 12);
	a->edited_at = db_int(r, i, 13);
	tr_from_row(r, i, 14, &a->tr);
}

static int load_labels(struct db *db, struct hc_article *a)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT name FROM hc_article_labels WHERE article_id = ? ORDER BY name",
			  "i", a->id);
	if (rc)
		return rc;
	for (int i = 0; i < r->nrows; i++)
		strlist_add(&a->labels, db_str(r, i, 0));
	db_res_free(r);
	return 0;
}

/* The non-staff visibility fragment and its argument. */
static void visible_sql(const struct hc_view *v, struct buf *sql, struct db_arg *a, int *na)
{
	if (v->staff)
		return;
	buf_adds(sql, " AND t.draft = 0 AND (a.user_segment_id IS NULL OR a.user_segment_id = ?)");
	a[(*na)++] = (struct db_arg){.type = 'i', .i = v->signed_in ? HC_SEGMENT_SIGNED_IN : -1};
}

static struct db_arg locale_arg(const struct hc_view *v)
{
	return v->locale ? (struct db_arg){.type = 's', .s = v->locale} : (struct db_arg){.type = 'n'};
}

/* ---- search documents ------------------------------------------------- */

static int put_doc(struct db *db, int64_t tr_id, const char *title, const char *labels,
		   const char *body)
{
	if (db_engine(db) == DB_SQLITE) {
		int rc = db_query(db, NULL, "DELETE FROM hc_article_fts WHERE rowid = ?", "i", tr_id);
		return rc ? rc
			  : db_query(db, NULL,
				     "INSERT INTO hc_article_fts (rowid, title, labels, body)"
				     " VALUES (?, ?, ?, ?)",
				     "isss", tr_id, title, labels, body);
	}
	struct buf t = BUF_INIT, l = BUF_INIT, b = BUF_INIT;
	fts_pg_tsvector(title, strlen(title), &t);
	fts_pg_tsvector(labels, strlen(labels), &l);
	fts_pg_tsvector(body, strlen(body), &b);
	int rc = db_query(db, NULL,
			  "INSERT INTO hc_article_fts (rowid, tsv) VALUES (?,"
			  " setweight(CAST(? AS tsvector), 'A') || setweight(CAST(? AS tsvector), 'B')"
			  " || CAST(? AS tsvector)) ON CONFLICT (rowid) DO UPDATE SET tsv = excluded.tsv",
			  "isss", tr_id, t.s, l.s, b.s);
	buf_release(&t);
	buf_release(&l);
	buf_release(&b);
	return rc;
}

/* The word that marks a document's locale ("sonnimlocko", "sonnimlocenus"):
 * letters only, so the tokenizer keeps it one token; searches in one
 * locale AND it with the terms, so the index itself narrows to the locale
 * before ranking. */
static void locale_marker(const char *locale, struct buf *out)
{
	buf_adds(out, "sonnimloc");
	for (const char *p = locale ? locale : ""; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			buf_addc(out, *p);
}

/* ---- the English vocabulary (typo tolerance, core/typo.h) ----------------- */

#define VOCAB_BATCH 30 /* rows per INSERT: 2 values each, under db.c's 64 */

/* One INSERT of the pairs (a[i], b[i]) for i in [from, from + VOCAB_BATCH):
 * head, then row ("(?, ?...)") once per pair, comma-separated, then tail;
 * *res (when res is not NULL) gets what a RETURNING tail returns. */
static int insert_pairs(struct db *db, struct db_res **res, const char *head, const char *row,
			const char *tail, const struct strlist *a, const struct strlist *b,
			size_t from)
{
	struct buf sql = BUF_INIT;
	struct db_arg args[2 * VOCAB_BATCH];
	int na = 0;
	buf_adds(&sql, head);
	for (size_t j = from; j < a->n && j < from + VOCAB_BATCH; j++) {
		buf_adds(&sql, j > from ? ", " : "");
		buf_adds(&sql, row);
		args[na++] = (struct db_arg){.type = 's', .s = a->v[j]};
		args[na++] = (struct db_arg){.type = 's', .s = b->v[j]};
	}
	buf_adds(&sql, tail);
	int rc = db_query_args(db, res, sql.s, args, na);
	buf_release(&sql);
	return rc;
}

/* Add the trigrams of the new vocabulary terms to hc_term_grams. */
static int vocab_grams(struct db *db, const struct strlist *terms)
{
	struct strlist grams = {0}, owner = {0};
	for (size_t i = 0; i < terms->n; i++) {
		struct strlist g = {0};
		typo_trigrams(terms->v[i], &g);
		for (size_t k = 0; k < g.n; k++) {
			strlist_add(&grams, g.v[k]);
			strlist_add(&owner, terms->v[i]);
		}
		strlist_clear(&g);
	}
	int rc = 0;
	for (size_t i = 0; !rc && i < grams.n; i += VOCAB_BATCH)
		rc = insert_pairs(db, NULL, "INSERT INTO hc_term_grams (gram, term) VALUES ", "(?, ?)",
				  " ON CONFLICT (gram, term) DO NOTHING", &grams, &owner, i);
	strlist_clear(&grams);
	strlist_clear(&owner);
	return rc;
}

/* Count text's English words into the vocabulary (n: how many times a
 * word was indexed, kept when articles change - a popularity tie-break,
 * not an exact document count); new words get their trigrams. */
static int vocab_add(struct db *db, const char *text)
{
	struct strlist stems = {0}, words = {0}, fresh = {0};
	typo_words(text, strlen(text), &stems, &words);
	int rc = 0;
	for (size_t i = 0; !rc && i < stems.n; i += VOCAB_BATCH) {
		struct db_res *r;
		rc = insert_pairs(db, &r, "INSERT INTO hc_terms (term, word, n) VALUES ", "(?, ?, 1)",
				  " ON CONFLICT (term) DO UPDATE SET n = hc_terms.n + 1"
				  " RETURNING term, n",
				  &stems, &words, i);
		if (rc)
			break;
		for (int k = 0; k < r->nrows; k++)
			if (db_int(r, k, 1) == 1)
				strlist_add(&fresh, db_str(r, k, 0));
		db_res_free(r);
	}
	if (!rc && fresh.n)
		rc = vocab_grams(db, &fresh);
	strlist_clear(&stems);
	strlist_clear(&words);
	strlist_clear(&fresh);
	return rc;
}

int hc_vocab_backfill(struct db *db)
{
	struct db_res *r;
	/* at every start: two EXISTS probes, not counts of whole tables */
	int rc = db_query(db, &r, "SELECT CASE WHEN EXISTS (SELECT 1 FROM hc_terms) THEN 1 ELSE 0 END,"
				  " CASE WHEN EXISTS (SELECT 1 FROM hc_translations"
				  " WHERE source_type = 'Article') THEN 1 ELSE 0 END",
			  "");
	if (rc)
		return rc;
	int need = db_int(r, 0, 0) == 0 && db_int(r, 0, 1) > 0;
	db_res_free(r);
	if (!need)
		return 0;
	/* titles and bodies (labels join on the article's next reindex) */
	if ((rc = db_query(db, &r, "SELECT title, plain FROM hc_translations"
				   " WHERE source_type = 'Article'", "")))
		return rc;
	if ((rc = db_begin(db))) {
		db_res_free(r);
		return rc;
	}
	for (int i = 0; !rc && i < r->nrows; i++) {
		struct buf v = BUF_INIT;
		buf_addf(&v, "%s %s", db_str(r, i, 0), db_str(r, i, 1));
		rc = vocab_add(db, v.s);
		buf_release(&v);
	}
	db_res_free(r);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

#define TYPO_MAX_FIXES 8     /* misspelled words looked up per query */
#define TYPO_MAX_GRAMS 60    /* trigrams bound per lookup */
#define TYPO_CANDIDATES "100" /* vocabulary words compared per misspelled word */

int hc_typo_fixes(struct db *db, const char *query, struct strlist *out)
{
	struct strlist terms = {0}, stems = {0}, words = {0};
	hc_query_terms(query, &terms);
	for (size_t i = 0; i < terms.n; i++)
		typo_words(terms.v[i], strlen(terms.v[i]), &stems, &words);
	strlist_clear(&terms);
	int rc = 0;
	/* which of the query's words the vocabulary knows: one statement */
	struct strlist known = {0};
	if (stems.n) {
		struct buf sql = BUF_INIT;
		struct db_arg a[HC_MAX_TERMS];
		int na = 0;
		buf_adds(&sql, "SELECT term FROM hc_terms WHERE term IN (");
		for (size_t i = 0; i < stems.n && na < HC_MAX_TERMS; i++) {
			buf_adds(&sql, na ? ", ?" : "?");
			a[na++] = (struct db_arg){.type = 's', .s = stems.v[i]};
		}
		buf_adds(&sql, ")");
		struct db_res *r;
		rc = db_query_args(db, &r, sql.s, a, na);
		buf_release(&sql);
		if (!rc) {
			for (int k = 0; k < r->nrows; k++)
				strlist_add(&known, db_str(r, k, 0));
			db_res_free(r);
		}
	}
	int fixes = 0;
	for (size_t i = 0; !rc && i < stems.n && fixes < TYPO_MAX_FIXES; i++) {
		const char *stem = stems.v[i], *word = words.v[i];
		int max = typo_max_edits(strlen(word));
		if (!max || strlist_has(&known, stem))
			continue;
		fixes++;
		struct strlist grams = {0};
		typo_trigrams(stem, &grams);
		typo_trigrams(word, &grams);
		struct buf sql = BUF_INIT;
		struct db_arg a[TYPO_MAX_GRAMS];
		int na = 0;
		buf_adds(&sql, "SELECT t.term, t.word, t.n, COUNT(*) FROM hc_term_grams g"
			       " JOIN hc_terms t ON t.term = g.term WHERE g.gram IN (");
		for (size_t k = 0; k < grams.n && na < TYPO_MAX_GRAMS; k++) {
			buf_adds(&sql, na ? ", ?" : "?");
			a[na++] = (struct db_arg){.type = 's', .s = grams.v[k]};
		}
		buf_adds(&sql, ") GROUP BY t.term, t.word, t.n ORDER BY 4 DESC, 3 DESC, 1"
			       " LIMIT " TYPO_CANDIDATES);
		struct db_res *r;
		rc = db_query_args(db, &r, sql.s, a, na);
		buf_release(&sql);
		strlist_clear(&grams);
		if (rc)
			break;
		int best = -1, best_d = max + 1;
		for (int k = 0; k < r->nrows; k++) {
			int d1 = typo_distance(stem, db_str(r, k, 0), max);
			int d2 = typo_distance(word, db_str(r, k, 1), max);
			int d = d1 < d2 ? d1 : d2;
			if (d < best_d) { /* rows come most shared trigrams first, then most used */
				best_d = d;
				best = k;
			}
		}
		if (best >= 0 && !strlist_has(out, db_str(r, best, 1)))
			strlist_add(out, db_str(r, best, 1));
		db_res_free(r);
	}
	strlist_clear(&known);
	strlist_clear(&stems);
	strlist_clear(&words);
	return rc;
}

/* Rebuild the documents of every translation of article id. */
static int index_article(struct db *db, int64_t id)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT name FROM hc_article_labels WHERE article_id = ?"
				  " ORDER BY name", "i", id);
	if (rc)
		return rc;
	struct buf labels = BUF_INIT;
	for (int i = 0; i < r->nrows; i++)
		buf_addf(&labels, "%s%s", i ? " " : "", db_str(r, i, 0));
	db_res_free(r);
	rc = db_query(db, &r,
		      "SELECT id, title, plain, locale FROM hc_translations WHERE"
		      " source_type = 'Article' AND source_id = ?",
		      "i", id);
	if (rc) {
		buf_release(&labels);
		return rc;
	}
	for (int i = 0; !rc && i < r->nrows; i++) {
		struct buf l = BUF_INIT;
		locale_marker(db_str(r, i, 3), &l);
		buf_addf(&l, " %s", labels.s);
		rc = put_doc(db, db_int(r, i, 0), db_str(r, i, 1), l.s, db_str(r, i, 2));
		if (!rc) {
			struct buf v = BUF_INIT;
			buf_addf(&v, "%s %s %s", db_str(r, i, 1), labels.s, db_str(r, i, 2));
			rc = vocab_add(db, v.s);
			buf_release(&v);
		}
		buf_release(&l);
	}
	db_res_free(r);
	buf_release(&labels);
	return rc;
}

/* ---- translations ------------------------------------------------------ */

int hc_translation_put(struct db *db, struct hc_translation *t)
{
	struct db_res *r;
	int rc = db_query(
	    db, &r,
	    "INSERT INTO hc_translations (source_type, source_id, locale, title, body, html, plain,"
	    " draft, outdated, created_by_id, updated_by_id, created_at, updated_at, flow) VALUES (?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?,"
	    " ?, ?)"
	    " ON CONFLICT (source_type, source_id, locale) DO UPDATE SET title = excluded.title,"
	    " body = excluded.body, html = excluded.html, plain = excluded.plain,"
	    " draft = excluded.draft, outdated = excluded.outdated,"
	    " updated_by_id = excluded.updated_by_id, updated_at = excluded.updated_at,"
	    " flow = excluded.flow RETURNING id",
	    "sisssssiiiiiis", t->source_type, t->source_id, t->locale, t->title ? t->title : "",
	    t->body ? t->body : "", t->html ? t->html : "", t->plain ? t->plain : "",
	    (int64_t)t->draft, (int64_t)t->outdated, t->created_by_id, t->updated_by_id,
	    t->created_at, t->updated_at, t->flow);
	if (rc)
		return rc;
	t->id = db_int(r, 0, 0);
	db_res_free(r);
	if (!strcmp(t->source_type, HC_ARTICLE)) {
		rc = db_query(db, NULL, "UPDATE hc_articles SET updated_at = ?, edited_at = ?"
					" WHERE id = ?", "iii", t->updated_at, t->updated_at,
			      t->source_id);
		if (!rc)
			rc = index_article(db, t->source_id);
	}
	return rc;
}

int hc_translation_list(struct db *db, const char *source_type, int64_t source_id,
			struct hc_translation **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " TR_COLS " FROM hc_translations t WHERE t.source_type = ? AND"
			  " t.source_id = ? ORDER BY t.locale",
			  "si", source_type, source_id);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		tr_from_row(r, i, 0, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int hc_translation_get(struct db *db, const char *source_type, int64_t source_id,
		       const char *locale, struct hc_translation *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " TR_COLS " FROM hc_translations t WHERE t.source_type = ? AND"
			  " t.source_id = ? AND t.locale = ?",
			  "sis", source_type, source_id, locale);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	tr_from_row(r, 0, 0, out);
	db_res_free(r);
	return 0;
}

int hc_translation_delete(struct db *db, const char *source_type, int64_t source_id,
			  const char *locale)
{
	int rc = db_query(db, NULL,
			  "DELETE FROM hc_article_fts WHERE rowid IN (SELECT id FROM hc_translations"
			  " WHERE source_type = ? AND source_id = ? AND locale = ?)",
			  "sis", source_type, source_id, locale);
	if (!rc)
		rc = db_query(db, NULL,
			      "DELETE FROM hc_translations WHERE source_type = ? AND source_id = ?"
			      " AND locale = ?",
			      "sis", source_type, source_id, locale);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

/* ---- categories -------------------------------------------------------- */

int hc_category_get(struct db *db, int64_t id, const struct hc_view *v, struct hc_category *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " CAT_COLS " FROM hc_categories c" LOCALE_JOIN("Category", "c")
			  " WHERE c.id = ?",
			  "si", v->locale, id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	cat_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int hc_category_list(struct db *db, const struct hc_view *v, int by_position,
		     const struct window *win, struct hc_category **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT " CAT_COLS " FROM hc_categories c" LOCALE_JOIN("Category", "c")
		       " WHERE 1 = 1");
	a[na++] = locale_arg(v);
	window_sql(win, "c.id", by_position ? "c.position, c.id" : NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = xcalloc(r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		cat_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int hc_category_count(struct db *db, const struct hc_view *v, int64_t *count)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT COUNT(*) FROM hc_categories c" LOCALE_JOIN("Category", "c"), "s",
			  v->locale);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int hc_category_insert(struct db *db, struct hc_category *c)
{
	struct db_res *r;
	copy_small(c->source_locale, sizeof(c->source_locale), c->tr.locale);
	int rc = db_query(db, &r,
			  "INSERT INTO hc_categories (position, source_locale, created_at,"
			  " updated_at) VALUES (?, ?, ?, ?) RETURNING id",
			  "isii", (int64_t)c->position, c->source_locale, c->created_at,
			  c->updated_at);
	if (rc)
		return rc;
	c->id = db_int(r, 0, 0);
	db_res_free(r);
	snprintf(c->tr.source_type, sizeof(c->tr.source_type), "%s", HC_CATEGORY);
	c->tr.source_id = c->id;
	return hc_translation_put(db, &c->tr);
}

int hc_category_update(struct db *db, struct hc_category *c)
{
	int rc = db_query(db, NULL, "UPDATE hc_categories SET position = ?, updated_at = ?"
				    " WHERE id = ?", "iii", (int64_t)c->position, c->updated_at, c->id);
	if (rc || !c->tr.title)
		return rc;
	snprintf(c->tr.source_type, sizeof(c->tr.source_type), "%s", HC_CATEGORY);
	c->tr.source_id = c->id;
	return hc_translation_put(db, &c->tr);
}

/* Ids from a one-column query with one id argument. */
static int ids_of(struct db *db, const char *sql, int64_t arg, int64_t **ids, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r, sql, "i", arg);
	if (rc)
		return rc;
	*n = r->nrows;
	*ids = xcalloc(r->nrows + 1, sizeof(**ids));
	for (int i = 0; i < r->nrows; i++)
		(*ids)[i] = db_int(r, i, 0);
	db_res_free(r);
	return 0;
}

int hc_section_delete(struct db *db, int64_t id)
{
	int64_t *ids;
	int n;
	int rc = ids_of(db, "SELECT id FROM hc_articles WHERE section_id = ?", id, &ids, &n);
	for (int i = 0; !rc && i < n; i++)
		if ((rc = hc_article_delete(db, ids[i])) == 1)
			rc = 0;
	free(ids);
	if (!rc)
		rc = db_query(db, NULL,
			      "DELETE FROM hc_translations WHERE source_type = 'Section' AND"
			      " source_id = ?",
			      "i", id);
	if (!rc)
		rc = db_query(db, NULL, "DELETE FROM hc_sections WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int hc_category_delete(struct db *db, int64_t id)
{
	int64_t *ids;
	int n;
	int rc = ids_of(db, "SELECT id FROM hc_sections WHERE category_id = ?", id, &ids, &n);
	for (int i = 0; !rc && i < n; i++)
		if ((rc = hc_section_delete(db, ids[i])) == 1)
			rc = 0;
	free(ids);
	if (!rc)
		rc = db_query(db, NULL,
			      "DELETE FROM hc_translations WHERE source_type = 'Category' AND"
			      " source_id = ?",
			      "i", id);
	if (!rc)
		rc = db_query(db, NULL, "DELETE FROM hc_categories WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

/* ---- sections ---------------------------------------------------------- */

int hc_section_get(struct db *db, int64_t id, const struct hc_view *v, struct hc_section *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " SEC_COLS " FROM hc_sections s" LOCALE_JOIN("Section", "s")
			  " WHERE s.id = ?",
			  "si", v->locale, id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	sec_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

static void section_where(int64_t category_id, struct buf *sql, struct db_arg *a, int *na)
{
	buf_adds(sql, " WHERE 1 = 1");
	if (category_id) {
		buf_adds(sql, " AND s.category_id = ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = category_id};
	}
}

int hc_section_list(struct db *db, int64_t category_id, const struct hc_view *v, int by_position,
		    const struct window *win, struct hc_section **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT " SEC_COLS " FROM hc_sections s" LOCALE_JOIN("Section", "s"));
	a[na++] = locale_arg(v);
	section_where(category_id, &sql, a, &na);
	window_sql(win, "s.id", by_position ? "s.position, s.id" : NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = xcalloc(r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		sec_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int hc_section_count(struct db *db, int64_t category_id, const struct hc_view *v, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[4];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*) FROM hc_sections s" LOCALE_JOIN("Section", "s"));
	a[na++] = locale_arg(v);
	section_where(category_id, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int hc_section_insert(struct db *db, struct hc_section *s)
{
	struct db_res *r;
	copy_small(s->source_locale, sizeof(s->source_locale), s->tr.locale);
	int rc = db_query(db, &r,
			  "INSERT INTO hc_sections (category_id, position, source_locale,"
			  " created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			  "iisii", s->category_id, (int64_t)s->position, s->source_locale,
			  s->created_at, s->updated_at);
	if (rc)
		return rc;
	s->id = db_int(r, 0, 0);
	db_res_free(r);
	snprintf(s->tr.source_type, sizeof(s->tr.source_type), "%s", HC_SECTION);
	s->tr.source_id = s->id;
	return hc_translation_put(db, &s->tr);
}

int hc_section_update(struct db *db, struct hc_section *s)
{
	int rc = db_query(db, NULL,
			  "UPDATE hc_sections SET category_id = ?, position = ?, updated_at = ?"
			  " WHERE id = ?",
			  "iiii", s->category_id, (int64_t)s->position, s->updated_at, s->id);
	if (rc || !s->tr.title)
		return rc;
	snprintf(s->tr.source_type, sizeof(s->tr.source_type), "%s", HC_SECTION);
	s->tr.source_id = s->id;
	return hc_translation_put(db, &s->tr);
}

/* ---- articles ---------------------------------------------------------- */

int hc_article_get(struct db *db, int64_t id, const struct hc_view *v, struct hc_article *out)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[4];
	int na = 0;
	buf_adds(&sql, "SELECT " ART_COLS " FROM hc_articles a" LOCALE_JOIN("Article", "a")
		       " WHERE a.id = ?");
	a[na++] = locale_arg(v);
	a[na++] = (struct db_arg){.type = 'i', .i = id};
	visible_sql(v, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	art_from_row(r, 0, out);
	db_res_free(r);
	rc = load_labels(db, out);
	if (rc)
		hc_article_clear(out);
	return rc;
}

static void article_where(const struct hc_article_filter *f, const struct hc_view *v,
			  struct buf *sql, struct db_arg *a, int *na)
{
	buf_adds(sql, " WHERE 1 = 1");
	visible_sql(v, sql, a, na);
	if (f->section_id) {
		buf_adds(sql, " AND a.section_id = ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->section_id};
	}
	if (f->category_id) {
		buf_adds(sql, " AND a.section_id IN (SELECT id FROM hc_sections WHERE category_id = ?)");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->category_id};
	}
	if (f->exclude_id) {
		buf_adds(sql, " AND a.id <> ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->exclude_id};
	}
	if (f->labels && f->labels->n) {
		buf_adds(sql, " AND a.id IN (SELECT article_id FROM hc_article_labels WHERE name IN (");
		for (size_t i = 0; i < f->labels->n && i < MAX_LABEL_ARGS; i++) {
			buf_adds(sql, i ? ", ?" : "?");
			a[(*na)++] = (struct db_arg){.type = 's', .s = f->labels->v[i]};
		}
		buf_adds(sql, "))");
	}
}

int hc_article_list(struct db *db, const struct hc_article_filter *f, const struct hc_view *v,
		    struct hc_article **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[MAX_LABEL_ARGS + 16];
	int na = 0;
	buf_adds(&sql, "SELECT " ART_COLS " FROM hc_articles a" LOCALE_JOIN("Article", "a"));
	a[na++] = locale_arg(v);
	article_where(f, v, &sql, a, &na);
	window_sql(&f->win, "a.id", f->by_position ? "a.promoted DESC, a.position, a.id" : NULL,
		   &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = xcalloc(r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		art_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	for (int i = 0; !rc && i < *n; i++)
		rc = load_labels(db, &(*out)[i]);
	if (rc) {
		hc_article_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int hc_article_count(struct db *db, const struct hc_article_filter *f, const struct hc_view *v,
		     int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[MAX_LABEL_ARGS + 16];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*) FROM hc_articles a" LOCALE_JOIN("Article", "a"));
	a[na++] = locale_arg(v);
	article_where(f, v, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

static int save_labels(struct db *db, const struct hc_article *a)
{
	int rc = db_query(db, NULL, "DELETE FROM hc_article_labels WHERE article_id = ?", "i",
			  a->id);
	for (size_t i = 0; !rc && i < a->labels.n; i++)
		rc = db_query(db, NULL,
			      "INSERT INTO hc_article_labels (article_id, name) VALUES (?, ?)"
			      " ON CONFLICT (article_id, name) DO NOTHING",
			      "is", a->id, a->labels.v[i]);
	return rc;
}

int hc_article_insert(struct db *db, struct hc_article *a)
{
	struct db_res *r;
	copy_small(a->source_locale, sizeof(a->source_locale), a->tr.locale);
	int rc = db_query(
	    db, &r,
	    "INSERT INTO hc_articles (section_id, author_id, user_segment_id, promoted, position,"
	    " comments_disabled, source_locale, created_at, updated_at, edited_at) VALUES (?, ?,"
	    " NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "iiiiiisiii", a->section_id, a->author_id, a->user_segment_id, (int64_t)a->promoted,
	    (int64_t)a->position, (int64_t)a->comments_disabled, a->source_locale, a->created_at,
	    a->updated_at, a->updated_at);
	if (rc)
		return rc;
	a->id = db_int(r, 0, 0);
	db_res_free(r);
	a->edited_at = a->updated_at;
	if ((rc = save_labels(db, a)))
		return rc;
	snprintf(a->tr.source_type, sizeof(a->tr.source_type), "%s", HC_ARTICLE);
	a->tr.source_id = a->id;
	return hc_translation_put(db, &a->tr);
}

int hc_article_update(struct db *db, struct hc_article *a)
{
	int rc = db_query(db, NULL,
			  "UPDATE hc_articles SET section_id = ?, author_id = ?,"
			  " user_segment_id = NULLIF(CAST(? AS BIGINT), 0), promoted = ?,"
			  " position = ?, comments_disabled = ?, updated_at = ? WHERE id = ?",
			  "iiiiiiii", a->section_id, a->author_id, a->user_segment_id,
			  (int64_t)a->promoted, (int64_t)a->position, (int64_t)a->comments_disabled,
			  a->updated_at, a->id);
	if (!rc)
		rc = save_labels(db, a);
	if (rc)
		return rc;
	if (!a->tr.title)
		return index_article(db, a->id);
	snprintf(a->tr.source_type, sizeof(a->tr.source_type), "%s", HC_ARTICLE);
	a->tr.source_id = a->id;
	return hc_translation_put(db, &a->tr); /* reindexes */
}

int hc_article_delete(struct db *db, int64_t id)
{
	static const char *const steps[] = {
	    "DELETE FROM hc_article_fts WHERE rowid IN (SELECT id FROM hc_translations"
	    " WHERE source_type = 'Article' AND source_id = ?)",
	    "DELETE FROM hc_translations WHERE source_type = 'Article' AND source_id = ?",
	    "DELETE FROM hc_article_labels WHERE article_id = ?",
	    "DELETE FROM hc_votes WHERE article_id = ?",
	    "DELETE FROM hc_flow_outcomes WHERE article_id = ?",
	    "DELETE FROM hc_article_reads WHERE article_id = ?",
	    "DELETE FROM hc_articles WHERE id = ?",
	};
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		int rc = db_query(db, NULL, steps[i], "i", id);
		if (rc)
			return rc;
	}
	return db_changes(db) ? 0 : 1;
}

int hc_article_viewed(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "UPDATE hc_articles SET view_count = view_count + 1"
				    " WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

/* ---- troubleshooting flows ------------------------------------------------ */

int hc_flow_outcome_add(struct db *db, int64_t article_id, const char *locale,
			const char *outcome)
{
	return db_query(db, NULL,
			"INSERT INTO hc_flow_outcomes (article_id, locale, outcome, count)"
			" VALUES (?, ?, ?, 1) ON CONFLICT (article_id, locale, outcome) DO UPDATE SET"
			" count = hc_flow_outcomes.count + 1",
			"iss", article_id, locale, outcome);
}

int hc_flow_outcome_counts(struct db *db, int64_t article_id, int64_t *solved, int64_t *contact)
{
	struct db_res *r;
	*solved = *contact = 0;
	int rc = db_query(db, &r, "SELECT outcome, SUM(count) FROM hc_flow_outcomes"
				  " WHERE article_id = ? GROUP BY outcome", "i", article_id);
	if (rc)
		return rc;
	for (int i = 0; i < r->nrows; i++) {
		if (!strcmp(db_str(r, i, 0), "solved"))
			*solved = db_int(r, i, 1);
		else if (!strcmp(db_str(r, i, 0), "contact"))
			*contact = db_int(r, i, 1);
	}
	db_res_free(r);
	return 0;
}

/* ---- votes ------------------------------------------------------------- */

static void vote_from_row(const struct db_res *r, int i, struct hc_vote *v)
{
	v->id = db_int(r, i, 0);
	v->article_id = db_int(r, i, 1);
	v->user_id = db_int(r, i, 2);
	v->value = (int)db_int(r, i, 3);
	v->created_at = db_int(r, i, 4);
	v->updated_at = db_int(r, i, 5);
}

int hc_vote_put(struct db *db, int64_t article_id, const char *voter, int64_t user_id, int value,
		int64_t now, struct hc_vote *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT id FROM hc_articles WHERE id = ?", "i", article_id);
	if (rc)
		return rc;
	int found = r->nrows;
	db_res_free(r);
	if (!found)
		return 1;
	rc = db_query(db, &r,
		      "INSERT INTO hc_votes (article_id, voter, user_id, value, created_at,"
		      " updated_at) VALUES (?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?)"
		      " ON CONFLICT (article_id, voter) DO UPDATE SET value = excluded.value,"
		      " updated_at = excluded.updated_at"
		      " RETURNING id, article_id, user_id, value, created_at, updated_at",
		      "isiiii", article_id, voter, user_id, (int64_t)(value > 0 ? 1 : -1), now, now);
	if (rc)
		return rc;
	vote_from_row(r, 0, out);
	db_res_free(r);
	return db_query(db, NULL,
			"UPDATE hc_articles SET vote_sum = (SELECT COALESCE(SUM(value), 0) FROM"
			" hc_votes WHERE article_id = ?), vote_count = (SELECT COUNT(*) FROM"
			" hc_votes WHERE article_id = ?) WHERE id = ?",
			"iii", article_id, article_id, article_id);
}

int hc_vote_list(struct db *db, int64_t article_id, struct hc_vote **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, article_id, user_id, value, created_at, updated_at FROM"
			  " hc_votes WHERE article_id = ? ORDER BY id",
			  "i", article_id);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		vote_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

/* ---- search ------------------------------------------------------------ */

/* The engine's query for q into out: the OR of its terms, ANDed with the
 * locale's marker when locale is set; 0 terms -> nothing written. */
static int match_query(enum db_engine e, const char *q, const char *locale, struct buf *out)
{
	struct strlist terms = {0};
	int n = hc_query_terms(q, &terms);
	if (n)
		buf_adds(out, "(");
	for (size_t i = 0; i < terms.n; i++) {
		const char *t = terms.v[i];
		if (e == DB_SQLITE) {
			buf_adds(out, i ? " OR \"" : "\"");
			for (const char *p = t; *p; p++) {
				if (*p == '"')
					buf_addc(out, '"');
				buf_addc(out, *p);
			}
			buf_addc(out, '"');
		} else {
			buf_adds(out, i ? " | (" : "(");
			fts_pg_tsquery(t, strlen(t), out);
			buf_addc(out, ')');
		}
	}
	if (n)
		buf_adds(out, ")");
	if (n && locale) {
		struct buf m = BUF_INIT;
		locale_marker(locale, &m);
		if (e == DB_SQLITE) {
			buf_addf(out, " AND \"%s\"", m.s);
		} else {
			buf_adds(out, " & ");
			fts_pg_tsquery(m.s, m.len, out);
		}
		buf_release(&m);
	}
	strlist_clear(&terms);
	return n;
}

static int hit_cmp(const void *x, const void *y)
{
	const struct hc_hit *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	return a->article_id < b->article_id ? -1 : a->article_id > b->article_id;
}

int hc_search(struct db *db, const struct hc_search_spec *spec, struct hc_hit **hits, int *n)
{
	*hits = NULL;
	*n = 0;
	enum db_engine e = db_engine(db);
	struct buf q = BUF_INIT, sql = BUF_INIT, typed = BUF_INIT;
	if (!spec->query)
		return 0;
	/* English words the articles do not have: add the nearest known word */
	struct strlist fixes = {0};
	int rc = hc_typo_fixes(db, spec->query, &fixes);
	if (rc)
		return rc;
	buf_adds(&typed, spec->query);
	for (size_t i = 0; i < fixes.n; i++)
		buf_addf(&typed, " %s", fixes.v[i]);
	strlist_clear(&fixes);
	if (!match_query(e, typed.s, spec->view.locale, &q) || !q.len) {
		buf_release(&q);
		buf_release(&typed);
		return 0;
	}
	buf_release(&typed);
	struct db_arg a[MAX_LABEL_ARGS + 16];
	int na = 0;
	/* the best HC_SEARCH_MAX documents by text rank first (the engine's
	 * index does that alone), then the rows they belong to and filters */
	if (e == DB_SQLITE) {
		buf_addf(&sql, "SELECT a.id, t.locale, c.r, a.vote_sum, a.view_count, a.promoted"
			       " FROM (SELECT rowid AS id, -rank AS r FROM hc_article_fts"
			       " WHERE hc_article_fts MATCH ? AND rank MATCH 'bm25(4.0, 2.0, 1.0)'"
			       " ORDER BY rank LIMIT %d) c", HC_SEARCH_MAX);
		a[na++] = (struct db_arg){.type = 's', .s = q.s};
	} else {
		buf_addf(&sql, "SELECT a.id, t.locale, c.r, a.vote_sum, a.view_count, a.promoted"
			       " FROM (SELECT rowid AS id, ts_rank(tsv, CAST(? AS tsquery), 1) AS r"
			       " FROM hc_article_fts WHERE tsv @@ CAST(? AS tsquery)"
			       " ORDER BY 2 DESC LIMIT %d) c", HC_SEARCH_MAX);
		a[na++] = (struct db_arg){.type = 's', .s = q.s};
		a[na++] = (struct db_arg){.type = 's', .s = q.s};
	}
	buf_adds(&sql, " JOIN hc_translations t ON t.id = c.id JOIN hc_articles a ON a.id = t.source_id"
		       " WHERE 1 = 1");
	buf_adds(&sql, " AND t.source_type = 'Article'");
	if (spec->view.locale) {
		buf_adds(&sql, " AND t.locale = ?");
		a[na++] = (struct db_arg){.type = 's', .s = spec->view.locale};
	}
	struct hc_article_filter f = {.section_id = spec->section_id,
				      .category_id = spec->category_id,
				      .labels = spec->labels};
	struct buf where = BUF_INIT;
	article_where(&f, &spec->view, &where, a, &na);
	buf_adds(&sql, where.s + strlen(" WHERE 1 = 1"));
	buf_release(&where);
	struct db_res *r;
	rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	buf_release(&q);
	if (rc)
		return rc;
	struct hc_hit *v = xcalloc(r->nrows + 1, sizeof(*v));
	int k = 0;
	for (int i = 0; i < r->nrows; i++) {
		double rel = strtod(db_str(r, i, 2) ? db_str(r, i, 2) : "0", NULL);
		if (!(rel > 0))
			rel = 1e-6;
		v[k].article_id = db_int(r, i, 0);
		copy_small(v[k].locale, sizeof(v[k].locale), db_str(r, i, 1));
		v[k].score = hc_score(rel, db_int(r, i, 3), db_int(r, i, 4), (int)db_int(r, i, 5));
		k++;
	}
	db_res_free(r);
	qsort(v, k, sizeof(*v), hit_cmp);
	/* one hit per article (several locales may match) */
	int m = 0;
	for (int i = 0; i < k; i++) {
		int dup = 0;
		for (int j = 0; j < m && !spec->view.locale; j++)
			dup |= v[j].article_id == v[i].article_id;
		if (!dup)
			v[m++] = v[i];
	}
	if (!m) {
		free(v);
		v = NULL;
	}
	*hits = v;
	*n = m;
	return 0;
}

int hc_search_miss(struct db *db, const char *query, const char *locale, int64_t now)
{
	char q[201];
	size_t n = strlen(query);
	if (n > 200) { /* cut at a character boundary */
		n = 200;
		while (n > 0 && ((unsigned char)query[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(q, query, n);
	q[n] = '\0';
	return db_query(db, NULL,
			"INSERT INTO hc_search_misses (query, locale, count, first_at, last_at)"
			" VALUES (?, ?, 1, ?, ?) ON CONFLICT (query, locale) DO UPDATE SET"
			" count = hc_search_misses.count + 1, last_at = excluded.last_at",
			"ssii", q, locale ? locale : "", now, now);
}

int hc_search_miss_list(struct db *db, int limit, struct hc_miss **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT query, locale, count, first_at, last_at FROM hc_search_misses"
			  " ORDER BY count DESC, last_at DESC, query LIMIT ?",
			  "i", (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = xcalloc(r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++) {
		(*out)[i].query = dup_col(r, i, 0);
		copy_small((*out)[i].locale, sizeof((*out)[i].locale), db_str(r, i, 1));
		(*out)[i].count = db_int(r, i, 2);
		(*out)[i].first_at = db_int(r, i, 3);
		(*out)[i].last_at = db_int(r, i, 4);
	}
	db_res_free(r);
	return 0;
}

void hc_miss_list_free(struct hc_miss *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].query);
	free(v);
}

int hc_store_exists(struct db *db, const char *kind, int64_t id, int *found)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  !strcmp(kind, HC_CATEGORY) ? "SELECT id FROM hc_categories WHERE id = ?"
			  : !strcmp(kind, HC_SECTION) ? "SELECT id FROM hc_sections WHERE id = ?"
						      : "SELECT id FROM hc_articles WHERE id = ?",
			  "i", id);
	if (rc)
		return rc;
	*found = r->nrows > 0;
	db_res_free(r);
	return 0;
}

int hc_article_translation_by_id(struct db *db, int64_t id, int64_t *article_id, char **locale,
				 char **source_locale)
{
	struct db_res *r;
	*locale = *source_locale = NULL;
	int rc = db_query(db, &r,
			  "SELECT t.source_id, t.locale, a.source_locale FROM"
			  " hc_translations t JOIN hc_articles a ON a.id = t.source_id"
			  " WHERE t.id = ? AND t.source_type = 'Article'",
			  "i", id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc) {
		*article_id = db_int(r, 0, 0);
		*locale = xstrdup(db_str(r, 0, 1));
		*source_locale = xstrdup(db_str(r, 0, 2));
	}
	db_res_free(r);
	return rc;
}
