/* test_hc_store.c - the help center's knowledge base in the database
 * (store/hc_store.h), on the engine SONNIM_TEST_DB names: unset or
 * "sqlite" = a fresh temp file, else a PostgreSQL conninfo.  Same tests,
 * same expectations on both engines.
 *
 * Order: the group setup migrates once; every test gets an open store and
 * one raw connection with the help-center tables emptied.  Store functions
 * run on the raw connection (autocommit) unless the point is the
 * transaction (then through store_write()).
 */
#include "base/buf.h"
#include "core/hc.h"
#include "core/markdown.h"
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
	return testdb_create("hc");
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
	    "DELETE FROM hc_terms",		"DELETE FROM hc_term_grams",
	    "DELETE FROM hc_flow_outcomes",
	};
	return testdb_open(state, wipe, sizeof(wipe) / sizeof(*wipe));
}

static int teardown(void **state) { return testdb_close(state); }

/* ---- helpers ----------------------------------------------------------- */

static const struct hc_view staff = {.staff = 1, .signed_in = 1};
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

/* Search q in locale as v; the ids in order into ids (at most 16); count. */
static int search(struct db *db, const char *q, const char *locale, struct hc_view v,
		  int64_t *ids)
{
	v.locale = locale;
	struct hc_search_spec spec = {.query = q, .view = v};
	struct hc_hit *hits;
	int n;
	assert_int_equal(hc_search(db, &spec, &hits, &n), 0);
	for (int i = 0; i < n && i < 16; i++)
		ids[i] = hits[i].article_id;
	free(hits);
	return n;
}

/* ---- tests ------------------------------------------------------------- */

static void test_tree_and_locales(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t cat = add_category(db, "ko", "배송");
	int64_t sec = add_section(db, cat, "ko", "배송 문의");
	int64_t art = add_article(db, sec, "ko", "배송 지연 안내", "배송이 **늦어지면** 알려 드립니다.",
				  0, 0, "shipping");
	struct hc_category c = {0};
	assert_int_equal(hc_category_get(db, cat, &anon, &c), 0);
	assert_string_equal(c.tr.title, "배송");
	assert_string_equal(c.source_locale, "ko");
	hc_category_clear(&c);
	struct hc_view en = {.locale = "en-us"};
	assert_int_equal(hc_category_get(db, cat, &en, &c), 1); /* no English yet */
	/* an English translation of the category */
	struct hc_translation t = {.source_id = cat};
	snprintf(t.source_type, sizeof(t.source_type), "%s", HC_CATEGORY);
	fill_tr(&t, "en-us", "Shipping", "", 0);
	assert_int_equal(hc_translation_put(db, &t), 0);
	hc_translation_clear(&t);
	assert_int_equal(hc_category_get(db, cat, &en, &c), 0);
	assert_string_equal(c.tr.title, "Shipping");
	hc_category_clear(&c);

	struct hc_article a = {0};
	assert_int_equal(hc_article_get(db, art, &anon, &a), 0);
	assert_string_equal(a.tr.title, "배송 지연 안내");
	assert_non_null(strstr(a.tr.html, "<strong>늦어지면</strong>"));
	assert_int_equal(a.labels.n, 1);
	assert_string_equal(a.labels.v[0], "shipping");
	assert_int_equal(a.section_id, sec);
	hc_article_clear(&a);

	/* lists: sections of the category, articles of the section */
	struct window w = {.limit = 10};
	struct hc_section *sv;
	int n;
	assert_int_equal(hc_section_list(db, cat, &anon, 0, &w, &sv, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(sv[0].tr.title, "배송 문의");
	hc_section_list_free(sv, n);
	int64_t cnt;
	assert_int_equal(hc_section_count(db, cat + 1000, &anon, &cnt), 0);
	assert_int_equal(cnt, 0);
	struct hc_article_filter f = {.category_id = cat, .win = {.limit = 10}};
	struct hc_article *av;
	assert_int_equal(hc_article_list(db, &f, &anon, &av, &n), 0);
	assert_int_equal(n, 1);
	hc_article_list_free(av, n);
}

static void test_visibility(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t sec = add_section(db, add_category(db, "en-us", "Help"), "en-us", "General");
	int64_t pub = add_article(db, sec, "en-us", "Public refund article", "refund", 0, 0, NULL);
	int64_t draft = add_article(db, sec, "en-us", "Draft refund article", "refund", 1, 0, NULL);
	int64_t internal = add_article(db, sec, "en-us", "Internal refund macro", "refund", 0,
				       HC_SEGMENT_STAFF, NULL);
	int64_t members = add_article(db, sec, "en-us", "Members refund", "refund", 0,
				      HC_SEGMENT_SIGNED_IN, NULL);
	struct hc_article a = {0};
	assert_int_equal(hc_article_get(db, pub, &anon, &a), 0);
	hc_article_clear(&a);
	assert_int_equal(hc_article_get(db, draft, &anon, &a), 1);
	assert_int_equal(hc_article_get(db, internal, &anon, &a), 1);
	assert_int_equal(hc_article_get(db, members, &anon, &a), 1);
	struct hc_view user = {.signed_in = 1};
	assert_int_equal(hc_article_get(db, members, &user, &a), 0);
	hc_article_clear(&a);
	assert_int_equal(hc_article_get(db, internal, &user, &a), 1);
	assert_int_equal(hc_article_get(db, internal, &staff, &a), 0);
	hc_article_clear(&a);
	assert_int_equal(hc_article_get(db, draft, &staff, &a), 0);
	assert_int_equal(a.tr.draft, 1);
	hc_article_clear(&a);
	int64_t c;
	struct hc_article_filter f = {.win = {.limit = 10}};
	assert_int_equal(hc_article_count(db, &f, &anon, &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(hc_article_count(db, &f, &user, &c), 0);
	assert_int_equal(c, 2);
	assert_int_equal(hc_article_count(db, &f, &staff, &c), 0);
	assert_int_equal(c, 4);
	/* search obeys the same rule */
	int64_t ids[16];
	assert_int_equal(search(db, "refund", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], pub);
	assert_int_equal(search(db, "refund", "en-us", staff, ids), 4);
}

static void test_search(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t sec = add_section(db, add_category(db, "ko", "도움말"), "ko", "일반");
	int64_t delay = add_article(db, sec, "ko", "배송 지연 안내",
				    "주문량이 많아 출고가 하루 늦어질 수 있습니다.", 0, 0, NULL);
	int64_t pay = add_article(db, sec, "ko", "결제 수단 안내", "신용카드와 계좌이체를 지원합니다.",
				  0, 0, NULL);
	int64_t refund = add_article(db, sec, "en-us", "Refund policy",
				     "You can ask for your money back within 14 days.", 0, 0, NULL);
	int64_t pw = add_article(db, sec, "en-us", "Resetting your password",
				 "Use the *forgot password* link.", 0, 0, "account");
	int64_t ids[16];
	assert_int_equal(search(db, "배송", "ko", anon, ids), 1);
	assert_int_equal(ids[0], delay);
	assert_int_equal(search(db, "배송이 늦어요", "ko", anon, ids), 1);
	assert_int_equal(ids[0], delay);
	assert_int_equal(search(db, "refunds", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], refund);
	assert_int_equal(search(db, "How do I get my money back?", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], refund);
	assert_int_equal(search(db, "password reset", NULL, anon, ids), 1);
	assert_int_equal(ids[0], pw);
	assert_int_equal(search(db, "account", "en-us", anon, ids), 1); /* labels are searched */
	assert_int_equal(search(db, "결제", "en-us", anon, ids), 0);	 /* other locale */
	assert_int_equal(search(db, "결제", NULL, anon, ids), 1);
	assert_int_equal(ids[0], pay);
	assert_int_equal(search(db, "the a ?!", NULL, anon, ids), 0);
	assert_int_equal(search(db, "\"*) OR NEAR( 'x' | !", NULL, anon, ids), 0);
	/* a title match outranks a body match */
	int64_t body_only = add_article(db, sec, "en-us", "Orders",
					"Our refund rules are described elsewhere.", 0, 0, NULL);
	assert_int_equal(search(db, "refund", "en-us", anon, ids), 2);
	assert_int_equal(ids[0], refund);
	assert_int_equal(ids[1], body_only);
	/* changing the title reindexes */
	struct hc_article a = {0};
	assert_int_equal(hc_article_get(db, pw, &staff, &a), 0);
	free(a.tr.title);
	a.tr.title = strdup("Two-factor login codes");
	assert_int_equal(hc_article_update(db, &a), 0);
	hc_article_clear(&a);
	assert_int_equal(search(db, "two-factor", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], pw);
	/* misses are counted per query and locale */
	assert_int_equal(hc_search_miss(db, "xyzzy", "en-us", 1700000000), 0);
	assert_int_equal(hc_search_miss(db, "xyzzy", "en-us", 1700000100), 0);
	assert_int_equal(hc_search_miss(db, "없는 질문", "ko", 1700000200), 0);
	struct hc_miss *m;
	int n;
	assert_int_equal(hc_search_miss_list(db, 10, &m, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].query, "xyzzy");
	assert_int_equal(m[0].count, 2);
	assert_int_equal(m[0].last_at, 1700000100);
	hc_miss_list_free(m, n);
}

static void test_votes_views_ranking(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t sec = add_section(db, add_category(db, "en-us", "Help"), "en-us", "General");
	int64_t a1 = add_article(db, sec, "en-us", "Refund for orders", "refund", 0, 0, NULL);
	int64_t a2 = add_article(db, sec, "en-us", "Refund for gifts", "refund", 0, 0, NULL);
	struct hc_vote v;
	assert_int_equal(hc_vote_put(db, a2, "u:7", 7, 1, 1700000000, &v), 0);
	assert_int_equal(v.value, 1);
	assert_int_equal(v.user_id, 7);
	assert_int_equal(hc_vote_put(db, a2, "v:abc", 0, 1, 1700000000, &v), 0);
	assert_int_equal(hc_vote_put(db, a2, "u:8", 8, -1, 1700000000, &v), 0);
	assert_int_equal(hc_vote_put(db, a2, "u:8", 8, 1, 1700000500, &v), 0); /* changed mind */
	assert_int_equal(v.updated_at, 1700000500);
	assert_int_equal(hc_vote_put(db, 999999, "u:8", 8, 1, 1700000000, &v), 1);
	struct hc_article a = {0};
	assert_int_equal(hc_article_get(db, a2, &anon, &a), 0);
	assert_int_equal(a.vote_sum, 3);
	assert_int_equal(a.vote_count, 3);
	hc_article_clear(&a);
	struct hc_vote *vv;
	int n;
	assert_int_equal(hc_vote_list(db, a2, &vv, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(vv[1].user_id, 0); /* the anonymous visitor */
	free(vv);
	/* equally relevant: the one people found helpful comes first */
	int64_t ids[16];
	assert_int_equal(search(db, "refund", "en-us", anon, ids), 2);
	assert_int_equal(ids[0], a2);
	assert_int_equal(hc_article_viewed(db, a1), 0);
	assert_int_equal(hc_article_viewed(db, a1), 0);
	assert_int_equal(hc_article_viewed(db, 999999), 1);
	assert_int_equal(scalar(db, "SELECT view_count FROM hc_articles ORDER BY view_count DESC"), 2);
}

static void test_typos(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t sec = add_section(db, add_category(db, "en-us", "Help"), "en-us", "General");
	int64_t refund = add_article(db, sec, "en-us", "Refund policy",
				     "Refunds reach your card within 5 business days.", 0, 0, NULL);
	int64_t ship = add_article(db, sec, "en-us", "Shipping costs",
				   "International shipping takes 5-12 days.", 0, 0, "delivery");
	int64_t pw = add_article(db, sec, "en-us", "Resetting your password",
				 "Use the forgot password link.", 0, 0, NULL);
	int64_t ko = add_article(db, sec, "ko", "환불 안내", "환불은 5일 안에 됩니다.", 0, 0, NULL);
	(void)ko;
	int64_t ids[16];
	/* swapped, missing, extra and wrong letters */
	assert_int_equal(search(db, "refnud", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], refund);
	assert_int_equal(search(db, "how do I get a refudn", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], refund);
	assert_int_equal(search(db, "shiping", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], ship);
	assert_int_equal(search(db, "pasword", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], pw);
	assert_int_equal(search(db, "internatoinal", "en-us", anon, ids), 1); /* 2 edits, long word */
	assert_int_equal(ids[0], ship);
	assert_int_equal(search(db, "delivry", "en-us", anon, ids), 1);      /* labels too */
	assert_int_equal(ids[0], ship);
	/* too far, or too short to guess: nothing */
	assert_int_equal(search(db, "rfnd", "en-us", anon, ids), 0);
	assert_int_equal(search(db, "xyzzy", "en-us", anon, ids), 0);
	assert_int_equal(search(db, "pw", "en-us", anon, ids), 0);
	/* a correctly spelt word is not "corrected" */
	struct strlist fixes = {0};
	assert_int_equal(hc_typo_fixes(db, "refunds shipping", &fixes), 0);
	assert_int_equal(fixes.n, 0);
	assert_int_equal(hc_typo_fixes(db, "refnud shpping zzzzzzzz", &fixes), 0);
	assert_int_equal(fixes.n, 2);
	assert_string_equal(fixes.v[0], "refund");
	assert_string_equal(fixes.v[1], "shipping");
	strlist_clear(&fixes);
	/* the vocabulary is per word, counted; Korean is left to the bigrams */
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM hc_terms WHERE term = 'refund'"), 1);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM hc_term_grams WHERE term = 'refund'"), 6);
	/* a store opened on a help center without a vocabulary builds it */
	assert_int_equal(db_exec(db, "DELETE FROM hc_terms"), 0);
	assert_int_equal(db_exec(db, "DELETE FROM hc_term_grams"), 0);
	assert_int_equal(search(db, "refnud", "en-us", anon, ids), 0);
	assert_int_equal(hc_vocab_backfill(db), 0);
	assert_int_equal(search(db, "refnud", "en-us", anon, ids), 1);
	assert_int_equal(ids[0], refund);
	int64_t n = scalar(db, "SELECT COUNT(*) FROM hc_terms");
	assert_int_equal(hc_vocab_backfill(db), 0); /* only when empty */
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM hc_terms"), n);
}

static void test_views_rank(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t sec = add_section(db, add_category(db, "en-us", "Help"), "en-us", "General");
	int64_t a1 = add_article(db, sec, "en-us", "Return labels", "return", 0, 0, NULL);
	int64_t a2 = add_article(db, sec, "en-us", "Return windows", "return", 0, 0, NULL);
	int64_t ids[16];
	assert_int_equal(search(db, "return", "en-us", anon, ids), 2);
	assert_int_equal(ids[0], a1); /* a tie: by id */
	for (int i = 0; i < 50; i++)
		assert_int_equal(hc_article_viewed(db, a2), 0);
	assert_int_equal(search(db, "return", "en-us", anon, ids), 2);
	assert_int_equal(ids[0], a2); /* equally relevant: the one read more comes first */
}

struct del_arg {
	int64_t cat;
	int fail;
};

static int delete_then_maybe_fail(struct db *db, void *p)
{
	struct del_arg *a = p;
	int rc = hc_category_delete(db, a->cat);
	return rc ? rc : a->fail ? DB_REFUSED : 0;
}

static void test_delete_cascade(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	int64_t cat = add_category(db, "ko", "계정");
	int64_t sec = add_section(db, cat, "ko", "로그인");
	int64_t art = add_article(db, sec, "ko", "비밀번호 재설정", "비밀번호를 잊으셨나요?", 0, 0, "login");
	struct hc_translation t = {.source_id = art};
	snprintf(t.source_type, sizeof(t.source_type), "%s", HC_ARTICLE);
	fill_tr(&t, "en-us", "Resetting your password", "Forgot it?", 0);
	assert_int_equal(hc_translation_put(db, &t), 0);
	hc_translation_clear(&t);
	struct hc_translation *tv;
	int n;
	assert_int_equal(hc_translation_list(db, HC_ARTICLE, art, &tv, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(tv[0].locale, "en-us");
	hc_translation_list_free(tv, n);
	struct hc_vote v;
	assert_int_equal(hc_vote_put(db, art, "u:1", 1, 1, 1700000000, &v), 0);
	/* a refused write leaves everything */
	struct del_arg d = {cat, 1};
	assert_int_equal(store_write(fx->st, delete_then_maybe_fail, &d), DB_REFUSED);
	struct hc_article a = {0};
	assert_int_equal(hc_article_get(db, art, &anon, &a), 0);
	hc_article_clear(&a);
	/* deleting one translation drops its document only */
	assert_int_equal(hc_translation_delete(db, HC_ARTICLE, art, "en-us"), 0);
	assert_int_equal(hc_translation_delete(db, HC_ARTICLE, art, "en-us"), 1);
	int64_t ids[16];
	assert_int_equal(search(db, "password", NULL, anon, ids), 0);
	assert_int_equal(search(db, "비밀번호", NULL, anon, ids), 1);
	d.fail = 0;
	assert_int_equal(store_write(fx->st, delete_then_maybe_fail, &d), 0);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM hc_translations"), 0);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM hc_articles"), 0);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM hc_article_labels"), 0);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM hc_votes"), 0);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM hc_article_fts"), 0);
	assert_int_equal(search(db, "비밀번호", NULL, anon, ids), 0);
	assert_int_equal(hc_category_delete(db, cat), 1);
}

static void test_segments_seeded(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(scalar(fx->db, "SELECT id FROM hc_user_segments WHERE user_type = 'staff'"),
			 HC_SEGMENT_STAFF);
	assert_int_equal(
	    scalar(fx->db, "SELECT id FROM hc_user_segments WHERE user_type = 'signed_in_users'"),
	    HC_SEGMENT_SIGNED_IN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tree_and_locales, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visibility, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_votes_views_ranking, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_typos, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_views_rank, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_cascade, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segments_seeded, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/hc", tests, group_setup, group_teardown);
}
