/* test_answer_bot_store.c - the answer bot's ranking with feedback and its
 * deflections (store/answer_bot_store.h) on the engine SONNIM_TEST_DB
 * names (unset or "sqlite" = a fresh temp file, else a PostgreSQL
 * conninfo); the same expectations on both engines.  Fixtures as in
 * test_hc_store.c.
 */
#include "base/buf.h"
#include "core/hc.h"
#include "core/markdown.h"
#include "store/answer_bot_store.h"
#include "store/hc_store.h"
#include "store/store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

static int group_setup(void **state)
{
	(void)state;
	return testdb_create("ab");
}

static int group_teardown(void **state)
{
	(void)state;
	return testdb_drop();
}

static int setup(void **state)
{
	static const char *const wipe[] = {
	    "DELETE FROM hc_categories",	"DELETE FROM hc_sections",
	    "DELETE FROM hc_articles",		"DELETE FROM hc_translations",
	    "DELETE FROM hc_article_labels",	"DELETE FROM hc_votes",
	    "DELETE FROM hc_search_misses",	"DELETE FROM hc_article_fts",
	    "DELETE FROM answer_bot_deflections", "DELETE FROM answer_bot_feedback",
	};
	return testdb_open(state, wipe, sizeof(wipe) / sizeof(*wipe));
}

static int teardown(void **state) { return testdb_close(state); }

/* ---- helpers ----------------------------------------------------------- */

static const struct hc_view anon = {0};

static void fill_tr(struct hc_translation *t, const char *locale, const char *title,
		    const char *md, int draft)
{
	snprintf(t->locale, sizeof(t->locale), "%s", locale);
	t->title = strdup(title);
	t->body = strdup(md ? md : "");
	struct buf h = BUF_INIT, p = BUF_INIT;
	assert_int_equal(markdown_render(t->body, strlen(t->body), &h, &p), 0);
	t->html = buf_detach(&h);
	t->plain = buf_detach(&p);
	t->draft = draft;
	t->created_at = t->updated_at = 1700000000;
	t->created_by_id = t->updated_by_id = 1;
}

static int64_t add_category(struct db *db, const char *locale, const char *name)
{
	struct hc_category c = {.created_at = 1700000000, .updated_at = 1700000000};
	fill_tr(&c.tr, locale, name, "", 0);
	assert_int_equal(hc_category_insert(db, &c), 0);
	int64_t id = c.id;
	hc_category_clear(&c);
	return id;
}

static int64_t add_section(struct db *db, int64_t cat, const char *locale, const char *name)
{
	struct hc_section s = {.category_id = cat, .created_at = 1700000000, .updated_at = 1700000000};
	fill_tr(&s.tr, locale, name, "", 0);
	assert_int_equal(hc_section_insert(db, &s), 0);
	int64_t id = s.id;
	hc_section_clear(&s);
	return id;
}

static int64_t add_article(struct db *db, int64_t sec, const char *locale, const char *title,
			   const char *md, int draft, int64_t segment, const char *label)
{
	struct hc_article a = {.section_id = sec, .author_id = 1, .user_segment_id = segment,
			       .created_at = 1700000000, .updated_at = 1700000000};
	if (label)
		strlist_add(&a.labels, label);
	fill_tr(&a.tr, locale, title, md, draft);
	assert_int_equal(hc_article_insert(db, &a), 0);
	int64_t id = a.id;
	hc_article_clear(&a);
	return id;
}

static int64_t scalar(struct db *db, const char *sql)
{
	struct db_res *r;
	assert_int_equal(db_query(db, &r, sql, ""), 0);
	int64_t v = r->nrows ? db_int(r, 0, 0) : -1;
	db_res_free(r);
	return v;
}


/* Ask question as an anonymous visitor in en-us: the article ids in order
 * (at most 8) and their scores; returns the count. */
static int ask(struct db *db, const char *q, int64_t *ids, double *scores)
{
	struct hc_view v = anon;
	v.locale = "en-us";
	struct hc_hit *hits;
	int n;
	assert_int_equal(answer_bot_answers(db, q, &v, 5, &hits, &n), 0);
	for (int i = 0; i < n && i < 8; i++) {
		ids[i] = hits[i].article_id;
		scores[i] = hits[i].score;
	}
	free(hits);
	return n;
}

static void offer(struct db *db, const char *token_hash, const char *q, const int64_t *ids, int n,
		  int64_t ticket_id, int64_t *id)
{
	struct ab_deflection d = {.enquiry = strdup(q), .ticket_id = ticket_id, .user_id = 7,
				  .created_at = 1700000100};
	snprintf(d.locale, sizeof(d.locale), "en-us");
	snprintf(d.channel, sizeof(d.channel), "web_form");
	for (int i = 0; i < n; i++)
		idlist_add(&d.article_ids, ids[i]);
	assert_int_equal(answer_bot_deflection_insert(db, &d, token_hash), 0);
	assert_true(d.id > 0);
	*id = d.id;
	ab_deflection_clear(&d);
}

static void test_answers_and_feedback(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t cat = add_category(db, "en-us", "Orders");
	int64_t sec = add_section(db, cat, "en-us", "Refunds");
	int64_t a = add_article(db, sec, "en-us", "Refund policy", "How a refund works.", 0, 0, NULL);
	int64_t b = add_article(db, sec, "en-us", "Refund times", "How long a refund takes.", 0, 0,
				NULL);
	add_article(db, sec, "en-us", "Internal refund macro", "Agents only.", 0, 1, NULL);
	add_article(db, sec, "en-us", "Password reset", "Reset it here.", 0, 0, NULL);
	int64_t ids[8];
	double sc[8];
	int n = ask(db, "my refund", ids, sc);
	assert_int_equal(n, 2); /* the internal article is not offered to visitors */
	int64_t first = ids[0], second = ids[1];
	assert_true(sc[0] >= sc[1] && sc[1] > 0);
	assert_int_equal(ask(db, "zebra crossing", ids, sc), 0);

	/* the second answer solves it, again and again: it comes first */
	int64_t did;
	char h[65];
	for (int i = 0; i < 20; i++) {
		snprintf(h, sizeof(h), "%064d", i);
		int64_t off[2] = {first, second};
		offer(db, h, "refund", off, 2, 0, &did);
		struct ab_deflection d = {0};
		assert_int_equal(answer_bot_outcome(db, h, did, second, 1, 1700000200, &d), AB_OK);
		assert_string_equal(d.state, "resolved");
		assert_int_equal(d.article_id, second);
		ab_deflection_clear(&d);
	}
	assert_int_equal(scalar(db, "SELECT resolved FROM answer_bot_feedback WHERE term = 'refund'"),
			 20);
	double before = sc[0];
	(void)before;
	n = ask(db, "my refund", ids, sc);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], second);
	assert_int_equal(ids[1], first);
	/* bounded: never more than HC_FEEDBACK_MAX over the plain search */
	struct hc_view v = anon;
	v.locale = "en-us";
	struct hc_search_spec spec = {.query = "my refund", .view = v};
	struct hc_hit *hits;
	int nh;
	assert_int_equal(hc_search(db, &spec, &hits, &nh), 0);
	for (int i = 0; i < nh; i++)
		if (hits[i].article_id == second)
			assert_true(sc[0] <= hits[i].score * HC_FEEDBACK_MAX + 1e-9);
	free(hits);
	(void)a;
	(void)b;
}

static void test_outcomes(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	char h[65], other[65];
	memset(h, 'a', 64), h[64] = '\0';
	memset(other, 'b', 64), other[64] = '\0';
	int64_t off[2] = {11, 12}, did;
	offer(db, h, "Where is my parcel?", off, 2, 42, &did);
	struct ab_deflection d = {0};
	assert_int_equal(answer_bot_deflection_get(db, h, &d), 0);
	assert_int_equal(d.id, did);
	assert_string_equal(d.enquiry, "Where is my parcel?");
	assert_string_equal(d.state, "offered");
	assert_string_equal(d.channel, "web_form");
	assert_int_equal(d.ticket_id, 42);
	assert_int_equal(d.user_id, 7);
	assert_int_equal(d.article_ids.n, 2);
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_deflection_get(db, other, &d), 1);
	assert_int_equal(answer_bot_outcome(db, other, 0, 11, 1, 1, &d), AB_NONE);
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_outcome(db, h, did + 1, 11, 1, 1, &d), AB_NONE);
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_outcome(db, h, did, 99, 1, 1, &d), AB_NOT_OFFERED);
	ab_deflection_clear(&d);
	/* not helpful, once per article */
	assert_int_equal(answer_bot_outcome(db, h, 0, 11, 0, 5, &d), AB_OK);
	assert_string_equal(d.state, "rejected");
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_outcome(db, h, 0, 11, 0, 6, &d), AB_DONE);
	ab_deflection_clear(&d);
	assert_int_equal(
	    scalar(db, "SELECT rejected FROM answer_bot_feedback WHERE term = 'parcel' AND article_id = 11"),
	    1);
	/* then the other one solves it; after that nothing changes */
	assert_int_equal(answer_bot_outcome(db, h, 0, 12, 1, 7, &d), AB_OK);
	assert_string_equal(d.state, "resolved");
	assert_int_equal(d.rejected_ids.n, 1);
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_outcome(db, h, 0, 12, 1, 8, &d), AB_DONE);
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_outcome(db, h, 0, 12, 0, 8, &d), AB_DONE);
	ab_deflection_clear(&d);
	int64_t c;
	assert_int_equal(answer_bot_count(db, "resolved", &c), 0);
	assert_int_equal(c, 1);
	/* function words ("is", "my") carry no feedback */
	assert_int_equal(
	    scalar(db, "SELECT resolved FROM answer_bot_feedback WHERE term = 'parcel' AND article_id = 12"),
	    1);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM answer_bot_feedback WHERE term = 'my'"), 0);
}

static void test_clicks(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t cat = add_category(db, "en-us", "Orders");
	int64_t sec = add_section(db, cat, "en-us", "Refunds");
	add_article(db, sec, "en-us", "Refund policy", "How a refund works.", 0, 0, NULL);
	add_article(db, sec, "en-us", "Refund times", "How long a refund takes.", 0, 0, NULL);
	int64_t ids[8];
	double sc[8];
	assert_int_equal(ask(db, "my refund", ids, sc), 2);
	int64_t first = ids[0], second = ids[1];
	double second_before = sc[1];

	/* once per deflection and article; only offered articles; no token */
	char h[65], other[65];
	memset(h, 'c', 64), h[64] = '\0';
	memset(other, 'd', 64), other[64] = '\0';
	int64_t off[2] = {first, second}, did;
	offer(db, h, "refund", off, 2, 0, &did);
	struct ab_deflection d = {0};
	assert_int_equal(answer_bot_click(db, h, second, 5, &d), AB_OK);
	assert_int_equal(d.clicked_ids.n, 1);
	assert_int_equal(d.clicked_ids.v[0], second);
	assert_string_equal(d.state, "offered"); /* a click is not an outcome */
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_click(db, h, second, 6, &d), AB_DONE);
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_click(db, h, 999999, 6, &d), AB_NOT_OFFERED);
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_click(db, other, second, 6, &d), AB_NONE);
	ab_deflection_clear(&d);
	assert_int_equal(answer_bot_deflection_get(db, h, &d), 0);
	assert_int_equal(d.clicked_ids.n, 1);
	ab_deflection_clear(&d);
	assert_int_equal(
	    scalar(db, "SELECT clicked FROM answer_bot_feedback WHERE term = 'refund'"), 1);
	assert_int_equal(scalar(db, "SELECT resolved + rejected FROM answer_bot_feedback"), 0);
	/* clicking the first one too counts it, once */
	assert_int_equal(answer_bot_click(db, h, first, 7, &d), AB_OK);
	assert_int_equal(d.clicked_ids.n, 2);
	ab_deflection_clear(&d);
	assert_int_equal(scalar(db, "SELECT SUM(clicked) FROM answer_bot_feedback"), 2);

	/* many askers follow the second answer: its score rises and it
	 * comes first, within the feedback cap */
	for (int i = 0; i < 200; i++) {
		snprintf(h, sizeof(h), "%064d", i);
		offer(db, h, "refund", off, 2, 0, &did);
		assert_int_equal(answer_bot_click(db, h, second, 8, &d), AB_OK);
		ab_deflection_clear(&d);
	}
	assert_int_equal(ask(db, "my refund", ids, sc), 2);
	assert_int_equal(ids[0], second);
	assert_true(sc[0] > second_before);
	assert_true(sc[0] <= second_before * HC_FEEDBACK_MAX + 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_answers_and_feedback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outcomes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clicks, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/answer_bot", tests, group_setup, group_teardown);
}
