/* test_fts_pg.c - tsvector / tsquery literals for PostgreSQL (store/fts_pg.h).
 *
 * Most tests compare literal strings and need no server.  test_server
 * runs when SONNIM_TEST_DB is a PostgreSQL conninfo (tests/run.sh runs
 * store/ binaries once with "sqlite" and once with a fresh PostgreSQL
 * database): it casts the literals on the server, checks that the largest
 * ones stay under its 1 MB tsvector limit, and that @@ finds the same
 * documents as the "sonnim" FTS5 tokenizer does in test_fts_sqlite.c.  With
 * SQLite it is skipped.
 */
#include "base/buf.h"
#include "base/util.h"
#include "core/tokenize.h"
#include "store/db.h"
#include "store/fts_pg.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static void tsv(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	assert_int_equal(fts_pg_tsvector(in, strlen(in), &b), 0);
	assert_string_equal(b.s, want);
	buf_release(&b);
}

static void tsq(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	assert_int_equal(fts_pg_tsquery(in, strlen(in), &b), 0);
	assert_string_equal(b.s, want);
	buf_release(&b);
}

static void test_tsvector_basic(void **state)
{
	tsv("Refunds refund policy", "'refund':1,2 'polici':3");
	tsv("배송이 지연", "'배송':1 '송이':2 '지연':3");
	tsv("배송 지연 안내", "'배송':1 '지연':2 '안내':3");
	tsv("a b a b a", "'a':1,3,5 'b':2,4");
	tsv("ㅋㅋㅋ", "'ㅋㅋ':1,2");
}

static void test_tsvector_empty(void **state)
{
	tsv("", "");
	tsv("!!! ... ???", "");
	tsv("\xFF\xFE", "");
	struct buf b = BUF_INIT;
	assert_int_equal(fts_pg_tsvector(NULL, 0, &b), 0);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void test_tsvector_quotes(void **state)
{
	tsv("don't", "'don''t':1");
	tsv("O'Neill's", "'o''neil':1");
	tsv("it's it\xE2\x80\x99s", "'it':1,2");
}

static void test_tsvector_positions(void **state)
{
	/* 16400 distinct numbers: positions stop at 16383 */
	struct buf in = BUF_INIT, out = BUF_INIT;
	for (int i = 1; i <= 16400; i++)
		buf_addf(&in, "%d ", i);
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &out), 0);
	assert_non_null(strstr(out.s, "'16382':16382 '16383':16383 '16384':16383 "));
	const char *tail = "'16400':16383";
	assert_string_equal(out.s + out.len - strlen(tail), tail);
	buf_release(&out);

	/* a lexeme keeps at most 256 positions */
	buf_reset(&in);
	for (int i = 0; i < 300; i++)
		buf_adds(&in, "x ");
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &out), 0);
	assert_string_equal(out.s + out.len - 8, ",255,256");
	size_t commas = 0;
	for (size_t i = 0; i < out.len; i++)
		commas += out.s[i] == ',';
	assert_int_equal(commas, 255);
	buf_release(&out);

	/* repeats after position 16383 collapse into it */
	buf_reset(&in);
	for (int i = 0; i < 17000; i++)
		buf_adds(&in, i < 16382 ? "y " : "z ");
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &out), 0);
	assert_string_equal(strchr(out.s, 'z') - 1, "'z':16383");
	buf_release(&out);
	buf_release(&in);
}

/* The size PostgreSQL computes for literal s (see FTS_PG_MAX_BYTES) and
 * the number of lexemes in it.  Lexemes here hold no quotes. */
static size_t pg_size(const char *s, size_t *nlex)
{
	size_t size = 0;
	*nlex = 0;
	for (const char *p = s; (p = strchr(p, '\'')); (*nlex)++) {
		const char *q = strchr(p + 1, '\'');
		size_t len = q - p - 1, npos = 1;
		for (p = q + 1; *p && *p != ' '; p++)
			npos += *p == ',';
		size += ((len + 1) & ~(size_t)1) + 2 + 2 * npos;
	}
	return size;
}

static void test_tsvector_big(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t nlex, size;

	/* 2 MB of distinct 8-byte numbers: 12 bytes each in PostgreSQL */
	for (int i = 10000000; in.len < (2u << 20); i++)
		buf_addf(&in, "%d ", i);
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &out), 0);
	size = pg_size(out.s, &nlex);
	assert_true(size <= FTS_PG_MAX_BYTES);
	assert_int_equal(nlex, FTS_PG_MAX_BYTES / 12);
	buf_release(&out);

	/* few words, many positions: positions stop at 16383, so all fit */
	buf_reset(&in);
	for (int i = 0; in.len < (2u << 20); i++)
		buf_addf(&in, "%d ", 10000000 + i % 4000);
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &out), 0);
	size = pg_size(out.s, &nlex);
	assert_int_equal(nlex, 4000);
	assert_int_equal(size, 4000 * (8 + 2) + 2 * (16382 + 4000));
	buf_release(&out);

	/* 1 MB of Hangul syllables in a pseudo-random order: distinct bigrams */
	buf_reset(&in);
	uint32_t x = 7;
	while (in.len < (1u << 20)) {
		char c[3];
		x = x * 1103515245u + 12345u;
		uint32_t cp = 0xAC00 + (x >> 8) % 11172;
		c[0] = (char)(0xE0 | (cp >> 12));
		c[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		c[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(&in, c, 3);
	}
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &out), 0);
	size = pg_size(out.s, &nlex);
	assert_true(size <= FTS_PG_MAX_BYTES);
	assert_true(size > FTS_PG_MAX_BYTES - 16);
	buf_release(&out);
	buf_release(&in);
}

static void test_tsvector_cap(void **state)
{
	struct buf b;
	buf_init(&b, 20);
	buf_adds(&b, "x");
	assert_int_equal(fts_pg_tsvector("refund policy", 13, &b), -1);
	assert_string_equal(b.s, "x");
	assert_int_equal(fts_pg_tsvector("refund", 6, &b), 0);
	assert_string_equal(b.s, "x'refund':1");
	buf_release(&b);

	buf_init(&b, 5);
	buf_adds(&b, "12345");
	assert_int_equal(fts_pg_tsvector("a", 1, &b), -1);
	assert_int_equal(fts_pg_tsvector("", 0, &b), 0);
	assert_string_equal(b.s, "12345");
	buf_release(&b);
}

static void test_tsquery(void **state)
{
	tsq("refunds", "'refund'");
	tsq("Printer jam", "'printer' <-> 'jam'");
	tsq("배송지연", "'배송' <-> '송지' <-> '지연'");
	tsq("배", "'배'");
	tsq("don't panic", "'don''t' <-> 'panic'");
	tsq("", "");
	tsq("\"!!!\" <-> & | ( ) :*", "");
	tsq("a & b | !c", "'a' <-> 'b' <-> 'c'");
}

static void test_tsquery_cap(void **state)
{
	struct buf b;
	buf_init(&b, 10);
	assert_int_equal(fts_pg_tsquery("alpha beta", 10, &b), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(fts_pg_tsquery("alpha", 5, &b), 0);
	assert_string_equal(b.s, "'alpha'");
	buf_release(&b);
}

static void test_hostile(void **state)
{
	size_t n = 1 << 20;
	char *s = xmalloc(n);
	uint32_t x = 99;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		s[i] = (char)(x >> 16);
	}
	struct buf b = BUF_INIT;
	assert_int_equal(fts_pg_tsvector(s, n, &b), 0);
	buf_reset(&b);
	assert_int_equal(fts_pg_tsquery(s, n, &b), 0);
	buf_release(&b);
	free(s);
}

/* ---- against a real server ---- */

static const char *const docs[] = {
    "배송 지연 안내",			    /* 1 */
    "Our refund policy",		    /* 2 */
    "환불 요청합니다",			    /* 3 */
    "배송지연 문의드립니다",		    /* 4 */
    "지연 배송 문제",			    /* 5 */
    "The printer jammed again",		    /* 6 */
    "Refunds are processed within 3 days",  /* 7 */
    "ありがとうございます",		    /* 8 */
    "don't panic, O'Neill's \\back\\slash", /* 9 */
};

/* phrase -> matching documents, as in test_fts_sqlite.c */
static const struct {
	const char *phrase, *want;
} queries[] = {
    {"배송", "1,4,5"},	    {"환불", "3"},	   {"refunds", "2,7"},	  {"REFUNDED", "2,7"},
    {"policies", "2"},	    {"배송지연", "4"},	   {"배송 지연", "1"},	  {"지연 배송", "5"},
    {"refund policy", "2"}, {"policy refund", ""}, {"printer jams", "6"}, {"배", ""},
    {"ございます", "8"},    {"주문", ""},	   {"don't", "9"},	  {"o'neill", "9"},
    {"back slash", "9"},    {"송지", "4"},
};

static struct db *server(void)
{
	const char *env = getenv("SONNIM_TEST_DB");
	char err[256] = "";
	if (!env || !*env || !strcmp(env, "sqlite"))
		return NULL;
	struct db *db = db_open(env, 0, err, sizeof(err));
	if (!db)
		print_error("db_open: %s\n", err);
	assert_non_null(db);
	assert_int_equal(db_engine(db), DB_PG);
	return db;
}

static void server_cast(struct db *db, const char *literal, const char *want_len)
{
	struct db_res *r = NULL;
	int rc = db_query(db, &r, "SELECT length(CAST(? AS tsvector))", "s", literal);
	if (rc)
		print_error("cast: %s\n", db_errmsg(db));
	assert_int_equal(rc, 0);
	if (want_len)
		assert_string_equal(db_str(r, 0, 0), want_len);
	db_res_free(r);
}

static void test_server(void **state)
{
	struct db *db = server();
	struct buf b = BUF_INIT, got = BUF_INIT;
	struct db_res *r = NULL;
	if (!db)
		skip();
	assert_int_equal(db_exec(db, "CREATE TEMP TABLE fts_pg_docs (id BIGINT, v tsvector)"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		buf_reset(&b);
		assert_int_equal(fts_pg_tsvector(docs[i], strlen(docs[i]), &b), 0);
		assert_int_equal(db_query(db, NULL,
					  "INSERT INTO fts_pg_docs VALUES (?, CAST(? AS tsvector))",
					  "is", (int64_t)i + 1, b.s),
				 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++) {
		buf_reset(&b);
		buf_reset(&got);
		assert_int_equal(fts_pg_tsquery(queries[i].phrase, strlen(queries[i].phrase), &b),
				 0);
		assert_int_equal(
		    db_query(db, &r,
			     "SELECT id FROM fts_pg_docs WHERE v @@ CAST(? AS tsquery) "
			     "ORDER BY id",
			     "s", b.s),
		    0);
		for (int row = 0; row < r->nrows; row++)
			buf_addf(&got, "%s%s", row ? "," : "", db_str(r, row, 0));
		db_res_free(r);
		if (strcmp(got.s, queries[i].want))
			print_error("query '%s' (%s): got %s, want %s\n", queries[i].phrase, b.s,
				    got.s, queries[i].want);
		assert_string_equal(got.s, queries[i].want);
	}

	/* the biggest literals we make are still accepted */
	struct buf in = BUF_INIT;
	for (int i = 10000000; in.len < (2u << 20); i++)
		buf_addf(&in, "%d ", i);
	buf_reset(&b);
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &b), 0);
	server_cast(db, b.s, "87381");
	buf_reset(&in);
	uint32_t x = 7;
	while (in.len < (1u << 20)) {
		char c[3];
		x = x * 1103515245u + 12345u;
		uint32_t cp = 0xAC00 + (x >> 8) % 11172;
		c[0] = (char)(0xE0 | (cp >> 12));
		c[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		c[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(&in, c, 3);
	}
	buf_reset(&b);
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &b), 0);
	server_cast(db, b.s, NULL);
	buf_reset(&in);
	for (int i = 0; i < 300; i++)
		buf_adds(&in, "x ");
	buf_reset(&b);
	assert_int_equal(fts_pg_tsvector(in.s, in.len, &b), 0);
	server_cast(db, b.s, "1");

	buf_release(&in);
	buf_release(&b);
	buf_release(&got);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tsvector_basic),  cmocka_unit_test(test_tsvector_empty),
	    cmocka_unit_test(test_tsvector_quotes), cmocka_unit_test(test_tsvector_positions),
	    cmocka_unit_test(test_tsvector_big),    cmocka_unit_test(test_tsvector_cap),
	    cmocka_unit_test(test_tsquery),	    cmocka_unit_test(test_tsquery_cap),
	    cmocka_unit_test(test_hostile),	    cmocka_unit_test(test_server),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tokenize_thread_cleanup();
	return rc;
}
