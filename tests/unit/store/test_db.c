/* test_db.c - the store layer's own tests: db.h (one connection over SQLite
 * and PostgreSQL) and store.h (reader pool, group-committing writer,
 * migrations).
 *
 * The engine comes from SONNIM_TEST_DB: unset or "sqlite" = a fresh temp
 * file (removed at the end with its -wal/-shm), anything else = a
 * PostgreSQL conninfo; tests/run.sh runs this binary once each way and
 * gives it a fresh PostgreSQL database.  The same tests, with the same
 * expectations, run on both engines: that is the point of db.h.
 *
 * Order: the group setup migrates the database once and creates a scratch
 * table (dbtest_vals); every test then gets a fixture with an open store
 * (2 readers) and one extra raw connection, with organizations and the
 * scratch table emptied.  Tests that need several writes to land in ONE
 * group hold the writer thread inside a "gate" write until store_stats()
 * shows the others queued, so grouping is deterministic, not left to timing.
 *
 * cmocka's assertions are not thread-safe: worker threads only record what
 * happened; the test thread asserts.  Cost: a few seconds, most of it the
 * 1600 concurrent writes of test_group_commit_concurrent.
 */
#include "store/db.h"
#include "store/store.h"
#include "testutil.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NREADERS 2
#define WAIT_MS 20000 /* how long a gate waits for the others to queue */

static char g_url[1024]; /* what db_open/store_open get */
static char g_path[512]; /* SQLite: the temp file; "" on PostgreSQL */
static int g_sqlite;	 /* 1 when the engine under test is SQLite */

struct fixture {
	struct store *st; /* migrated store, NREADERS readers */
	struct db *db;	  /* an extra raw connection for db.h tests */
};

/* ---- helpers ---------------------------------------------------------- */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A fresh, empty temp file for SQLite; path filled. */
static void temp_db_path(char *path, size_t n)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, n, "%s/sonnim-test-db-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static void remove_db_files(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[600];
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

static struct db *open_db(void)
{
	char err[512] = "";
	struct db *db = db_open(g_url, 0, err, sizeof(err));
	if (!db)
		print_error("db_open: %s\n", err);
	assert_non_null(db);
	return db;
}

/* Run sql with no parameters, expecting success. */
static void exec_ok(struct db *db, const char *sql)
{
	int rc = db_exec(db, sql);
	if (rc)
		print_error("db_exec '%s': %s\n", sql, db_errmsg(db));
	assert_int_equal(rc, 0);
}

static int insert_org(struct db *db, const char *name)
{
	return db_query(db, NULL,
			"INSERT INTO organizations (name, created_at, updated_at) VALUES (?, ?, ?)",
			"sii", name, (int64_t)1700000000, (int64_t)1700000000);
}

/* Organizations whose name matches the LIKE pattern, or -1 on error. */
static int64_t count_orgs(struct db *db, const char *like)
{
	struct db_res *r;
	if (db_query(db, &r, "SELECT COUNT(*) FROM organizations WHERE name LIKE ?", "s", like))
		return -1;
	int64_t n = r->nrows == 1 ? db_int(r, 0, 0) : -1;
	db_res_free(r);
	return n;
}

static int64_t count_orgs_committed(struct store *st, const char *like)
{
	struct db *rd = store_reader(st);
	int64_t n = count_orgs(rd, like);
	store_release(st, rd);
	return n;
}

static int64_t count_vals(struct db *db)
{
	struct db_res *r;
	if (db_query(db, &r, "SELECT COUNT(*) FROM dbtest_vals", ""))
		return -1;
	int64_t n = db_int(r, 0, 0);
	db_res_free(r);
	return n;
}

/* ---- write functions run by the writer thread ------------------------- */

static int w_insert_org(struct db *db, void *arg) { return insert_org(db, arg); }

/* Inserts, then asks for its changes to be undone. */
static int w_insert_then_fail(struct db *db, void *arg)
{
	int rc = insert_org(db, arg);
	return rc ? rc : -1;
}

/* Ignores a failed statement (a duplicate name) and carries on with a
 * second insert, returning 0: the kind of write a careless caller makes. */
static int w_sloppy(struct db *db, void *arg)
{
	(void)insert_org(db, "dup-existing");
	(void)insert_org(db, arg);
	return 0;
}

struct big {
	int64_t k;
	const char *s;
	size_t len;
};

static int w_insert_big(struct db *db, void *arg)
{
	struct big *b = arg;
	return db_query(db, NULL, "INSERT INTO dbtest_vals (k, t) VALUES (?, ?)", "iS", b->k, b->s,
			b->len);
}

/* The gate: a write that holds the writer thread until `want` other writes
 * are queued behind it (or, with hold, until the test thread opens it). */
struct gate {
	struct store *st;
	int want;	    /* queue depth to wait for */
	int hold;	    /* 1 = also wait for `open` */
	const char *name;   /* organization to insert first (NULL = none) */
	atomic_int started; /* set once the writer runs the gate */
	atomic_int open;    /* set by the test thread to let it finish */
	atomic_int reached; /* 1 if the queue depth was reached in time */
};

static int w_gate(struct db *db, void *arg)
{
	struct gate *g = arg;
	int rc = g->name ? insert_org(db, g->name) : 0;
	atomic_store(&g->started, 1);
	for (int ms = 0; ms < WAIT_MS; ms++) {
		struct store_stats s;
		store_stats(g->st, &s);
		if (s.queue_depth >= g->want && (!g->hold || atomic_load(&g->open))) {
			atomic_store(&g->reached, 1);
			break;
		}
		sleep_ms(1);
	}
	return rc;
}

/* One store_write on its own thread. */
struct writer_job {
	struct store *st;
	store_write_fn fn;
	void *arg;
	int rc;
	pthread_t th;
};

static void *writer_job_main(void *p)
{
	struct writer_job *j = p;
	j->rc = store_write(j->st, j->fn, j->arg);
	return NULL;
}

static void job_start(struct writer_job *j, struct store *st, store_write_fn fn, void *arg)
{
	j->st = st;
	j->fn = fn;
	j->arg = arg;
	j->rc = 12345;
	assert_int_equal(pthread_create(&j->th, NULL, writer_job_main, j), 0);
}

static void job_join(struct writer_job *j) { assert_int_equal(pthread_join(j->th, NULL), 0); }

static void wait_started(struct gate *g)
{
	for (int ms = 0; ms < WAIT_MS && !atomic_load(&g->started); ms++)
		sleep_ms(1);
	assert_true(atomic_load(&g->started));
}

/* ---- setup ------------------------------------------------------------- */

static int group_setup(void **state)
{
	const char *env = getenv("SONNIM_TEST_DB");
	if (!env || !*env || !strcmp(env, "sqlite")) {
		g_sqlite = 1;
		temp_db_path(g_path, sizeof(g_path));
		snprintf(g_url, sizeof(g_url), "sqlite:%s", g_path);
	} else {
		g_sqlite = 0;
		snprintf(g_url, sizeof(g_url), "%s", env);
	}
	print_message("engine: %s\n", g_sqlite ? "sqlite" : "postgresql");
	char err[512] = "";
	struct store *st = store_open(g_url, 0, 1, err, sizeof(err));
	if (!st) {
		print_error("store_open '%s': %s\n", g_url, err);
		return -1;
	}
	store_close(st);
	struct db *db = db_open(g_url, 0, err, sizeof(err));
	if (!db)
		return -1;
	int rc = db_exec(db, "CREATE TABLE IF NOT EXISTS dbtest_vals (k BIGINT PRIMARY KEY,"
			     " i BIGINT, s TEXT, t TEXT)");
	if (rc)
		print_error("create dbtest_vals: %s\n", db_errmsg(db));
	db_close(db);
	return rc;
}

static int group_teardown(void **state)
{
	if (g_sqlite)
		remove_db_files(g_path);
	return 0;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512] = "";
	fx->st = store_open(g_url, 0, NREADERS, err, sizeof(err));
	if (!fx->st) {
		print_error("store_open: %s\n", err);
		free(fx);
		return -1;
	}
	fx->db = db_open(g_url, 0, err, sizeof(err));
	if (!fx->db || db_exec(fx->db, "DELETE FROM organizations") ||
	    db_exec(fx->db, "DELETE FROM dbtest_vals")) {
		print_error("setup: %s\n", fx->db ? db_errmsg(fx->db) : err);
		db_close(fx->db);
		store_close(fx->st);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	db_close(fx->db);
	store_close(fx->st);
	free(fx);
	return 0;
}

/* ---- db.h -------------------------------------------------------------- */

static void test_open_errors(void **state)
{
	char err[512] = "";
	assert_null(db_open("sqlite:/nonexistent-sonnim-dir/sub/x.db", 0, err, sizeof(err)));
	assert_true(err[0] != '\0');

	err[0] = '\0';
	assert_null(db_open("host=/nonexistent-sonnim-dir dbname=x connect_timeout=2", 0, err,
			    sizeof(err)));
	assert_non_null(strstr(err, "postgresql"));

	err[0] = '\0';
	assert_null(store_open("sqlite:/nonexistent-sonnim-dir/sub/x.db", 0, 2, err, sizeof(err)));
	assert_true(err[0] != '\0');
}

static void test_engine(void **state)
{
	struct fixture *fx = *state;
	enum db_engine want = g_sqlite ? DB_SQLITE : DB_PG;
	assert_int_equal(db_engine(fx->db), want);
	assert_int_equal(store_engine(fx->st), want);
}

/* Migrating an empty database, then again (nothing to do), then the
 * already-migrated test database once more. */
static void test_migrate_idempotent(void **state)
{
	struct fixture *fx = *state;
	char path[512] = "", url[600];
	struct db *db;
	if (g_sqlite) {
		temp_db_path(path, sizeof(path));
		snprintf(url, sizeof(url), "sqlite:%s", path);
		char err[512] = "";
		db = db_open(url, 0, err, sizeof(err));
		assert_non_null(db);
	} else {
		/* an empty schema is an empty database as far as the SQL sees */
		db = open_db();
		exec_ok(db, "DROP SCHEMA IF EXISTS dbtest_mig CASCADE;"
			    " CREATE SCHEMA dbtest_mig; SET search_path TO dbtest_mig");
	}
	assert_int_equal(store_schema_version(db), 0);
	assert_int_equal(store_migrate(db), 0);
	int v = store_schema_version(db);
	assert_true(v > 0);
	assert_int_equal(store_migrate(db), 0);
	assert_int_equal(store_schema_version(db), v);
	assert_int_equal(count_orgs(db, "%"), 0);
	if (!g_sqlite)
		exec_ok(db, "SET search_path TO public; DROP SCHEMA dbtest_mig CASCADE");
	db_close(db);
	if (g_sqlite)
		remove_db_files(path);

	/* the shared database was migrated by store_open: a no-op now */
	assert_int_equal(store_schema_version(fx->db), v);
	assert_int_equal(store_migrate(fx->db), 0);
	assert_int_equal(store_schema_version(fx->db), v);
}

/* Every fmt letter: 'i' (extremes), 's' (text and NULL), 'S' (a prefix of a
 * longer string, an unterminated heap buffer, length 0), 'n'. */
static void test_types_roundtrip(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	const char *sql = "INSERT INTO dbtest_vals (k, i, s, t) VALUES (?, ?, ?, ?)";
	char *view = malloc(4); /* exactly "view", no terminator */
	memcpy(view, "view", 4);

	assert_int_equal(db_query(db, NULL, sql, "iisS", (int64_t)1, INT64_MAX, "plain",
				  "hello world", (size_t)5),
			 0);
	assert_int_equal(db_query(db, NULL, sql, "iisn", (int64_t)2, INT64_MIN, (const char *)NULL),
			 0);
	assert_int_equal(db_query(db, NULL, sql, "iiSS", (int64_t)3, (int64_t)-42, view, (size_t)4,
				  "ignored", (size_t)0),
			 0);
	assert_int_equal(db_query(db, NULL, sql, "insn", (int64_t)4, ""), 0);
	free(view);

	struct db_res *r;
	assert_int_equal(db_query(db, &r, "SELECT k, i, s, t FROM dbtest_vals ORDER BY k", ""), 0);
	assert_non_null(r);
	assert_int_equal(r->nrows, 4);
	assert_int_equal(r->ncols, 4);

	assert_string_equal(db_str(r, 0, 0), "1");
	assert_string_equal(db_str(r, 0, 1), "9223372036854775807");
	assert_true(db_int(r, 0, 1) == INT64_MAX);
	assert_string_equal(db_str(r, 0, 2), "plain");
	assert_int_equal(r->len[0 * 4 + 2], 5);
	assert_string_equal(db_str(r, 0, 3), "hello");
	assert_int_equal(r->len[0 * 4 + 3], 5);

	assert_true(db_int(r, 1, 1) == INT64_MIN);
	assert_string_equal(db_str(r, 1, 1), "-9223372036854775808");
	assert_true(db_isnull(r, 1, 2));
	assert_true(db_isnull(r, 1, 3));
	assert_true(db_int(r, 1, 3) == 0); /* NULL -> 0 */

	assert_true(db_int(r, 2, 1) == -42);
	assert_string_equal(db_str(r, 2, 2), "view");
	assert_false(db_isnull(r, 2, 3)); /* '' is not NULL */
	assert_string_equal(db_str(r, 2, 3), "");
	assert_int_equal(r->len[2 * 4 + 3], 0);

	assert_true(db_isnull(r, 3, 1));
	assert_false(db_isnull(r, 3, 2));
	assert_string_equal(db_str(r, 3, 2), "");
	assert_true(db_isnull(r, 3, 3));
	db_res_free(r);

	/* parameters in WHERE, of each kind */
	assert_int_equal(db_query(db, &r, "SELECT s FROM dbtest_vals WHERE k = ?", "i", (int64_t)1),
			 0);
	assert_int_equal(r->nrows, 1);
	assert_string_equal(db_str(r, 0, 0), "plain");
	db_res_free(r);
	assert_int_equal(
	    db_query(db, &r, "SELECT k FROM dbtest_vals WHERE s = ?", "S", "view!", (size_t)4), 0);
	assert_int_equal(r->nrows, 1);
	assert_true(db_int(r, 0, 0) == 3);
	db_res_free(r);
	assert_int_equal(db_query(db, &r, "SELECT COUNT(*) FROM dbtest_vals WHERE s IS NULL", ""),
			 0);
	assert_true(db_int(r, 0, 0) == 1);
	db_res_free(r);
	/* NULL never equals anything, not even NULL */
	assert_int_equal(db_query(db, &r, "SELECT COUNT(*) FROM dbtest_vals WHERE s = ?", "n"), 0);
	assert_true(db_int(r, 0, 0) == 0);
	db_res_free(r);
}

static void test_query_args(void **state)
{
	struct fixture *fx = *state;
	const char *sql = "INSERT INTO dbtest_vals (k, i, s, t) VALUES (?, ?, ?, ?)";
	struct db_arg a[] = {
	    {.type = 'i', .i = 7},
	    {.type = 'i', .i = -1},
	    {.type = 's', .s = "argh ?"},
	    {.type = 'n'},
	};
	assert_int_equal(db_query_args(fx->db, NULL, sql, a, 4), 0);
	a[0].i = 8;
	a[2] = (struct db_arg){.type = 's', .s = NULL}; /* NULL text binds NULL */
	a[3] = (struct db_arg){.type = 's', .s = "배송"};
	assert_int_equal(db_query_args(fx->db, NULL, sql, a, 4), 0);
	a[0].i = 7; /* duplicate key */
	assert_int_equal(db_query_args(fx->db, NULL, sql, a, 4), DB_CONSTRAINT);

	struct db_res *r;
	struct db_arg w[] = {{.type = 'i', .i = 0}};
	assert_int_equal(db_query_args(fx->db, &r,
				       "SELECT k, i, s, t FROM dbtest_vals WHERE k > ?"
				       " ORDER BY k",
				       w, 1),
			 0);
	assert_int_equal(r->nrows, 2);
	assert_true(db_int(r, 0, 0) == 7 && db_int(r, 0, 1) == -1);
	assert_string_equal(db_str(r, 0, 2), "argh ?");
	assert_true(db_isnull(r, 0, 3));
	assert_true(db_isnull(r, 1, 2));
	assert_string_equal(db_str(r, 1, 3), "배송");
	db_res_free(r);
	assert_int_equal(db_query_args(fx->db, &r, "SELECT COUNT(*) FROM dbtest_vals", NULL, 0), 0);
	assert_true(db_int(r, 0, 0) == 2);
	db_res_free(r);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void test_korean_utf8(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	const char *ko = "손님 배송 환불 문의 — 안녕하세요, 주문번호 #123 😀";
	assert_int_equal(db_query(db, NULL, "INSERT INTO dbtest_vals (k, s, t) VALUES (?, ?, ?)",
				  "isS", (int64_t)1, ko, ko, (size_t)6), /* 6 bytes = 손님 */
			 0);
	assert_int_equal(insert_org(db, "주식회사 손님"), 0);

	struct db_res *r;
	assert_int_equal(
	    db_query(db, &r, "SELECT s, t, length(s) FROM dbtest_vals WHERE s = ?", "s", ko), 0);
	assert_int_equal(r->nrows, 1);
	assert_string_equal(db_str(r, 0, 0), ko);
	assert_int_equal(r->len[0], strlen(ko));
	assert_string_equal(db_str(r, 0, 1), "손님");
	assert_true(db_int(r, 0, 2) == (int64_t)utf8_chars(ko)); /* characters, not bytes */
	db_res_free(r);

	assert_int_equal(
	    db_query(db, &r, "SELECT k FROM dbtest_vals WHERE s LIKE ?", "s", "%배송%"), 0);
	assert_int_equal(r->nrows, 1);
	db_res_free(r);
	assert_int_equal(count_orgs(db, "%손님"), 1);
}

/* `?` inside '...' (also with '' escapes) and "..." is text, not a parameter. */
static void test_placeholder_in_literal(void **state)
{
	struct fixture *fx = *state;
	struct db_res *r;
	assert_int_equal(db_query(fx->db, &r, "SELECT 'a?b', ?, 'it''s ?', ?, 'x' AS \"what?\"",
				  "si", "p1", (int64_t)7),
			 0);
	assert_int_equal(r->nrows, 1);
	assert_int_equal(r->ncols, 5);
	assert_string_equal(db_str(r, 0, 0), "a?b");
	assert_string_equal(db_str(r, 0, 1), "p1");
	assert_string_equal(db_str(r, 0, 2), "it's ?");
	assert_string_equal(db_str(r, 0, 3), "7");
	assert_string_equal(db_str(r, 0, 4), "x");
	db_res_free(r);

	assert_int_equal(insert_org(fx->db, "?"), 0);
	assert_int_equal(insert_org(fx->db, "why?"), 0);
	assert_int_equal(db_query(fx->db, &r,
				  "SELECT COUNT(*) FROM organizations WHERE name = '?' OR name = ?",
				  "s", "why?"),
			 0);
	assert_true(db_int(r, 0, 0) == 2);
	db_res_free(r);
}

static void test_constraint(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	assert_int_equal(insert_org(db, "Acme"), 0);
	assert_int_equal(insert_org(db, "Acme"), DB_CONSTRAINT);
	assert_true(db_errmsg(db)[0] != '\0');
	/* NOT NULL */
	assert_int_equal(
	    db_query(db, NULL,
		     "INSERT INTO organizations (name, created_at, updated_at) VALUES (?, ?, ?)",
		     "nii", (int64_t)1, (int64_t)1),
	    DB_CONSTRAINT);
	assert_int_equal(count_orgs(db, "%"), 1);

	/* other errors are DB_ERR, and the connection stays usable */
	assert_int_equal(db_query(db, NULL, "SELEC nonsense", ""), DB_ERR);
	assert_true(db_errmsg(db)[0] != '\0');
	assert_int_equal(db_query(db, NULL, "SELECT * FROM no_such_table", ""), DB_ERR);
	assert_int_equal(count_orgs(db, "%"), 1);

	/* inside a transaction (PostgreSQL aborts it): roll back, carry on */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(insert_org(db, "Acme 2"), 0);
	assert_int_equal(insert_org(db, "Acme"), DB_CONSTRAINT);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(count_orgs(db, "Acme%"), 1);
	assert_int_equal(insert_org(db, "Acme 2"), 0);
	assert_int_equal(count_orgs(db, "Acme%"), 2);
}

static void test_changes(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	for (int64_t k = 1; k <= 3; k++) {
		assert_int_equal(db_query(db, NULL, "INSERT INTO dbtest_vals (k, i) VALUES (?, ?)",
					  "ii", k, k * 10),
				 0);
		assert_true(db_changes(db) == 1);
	}
	assert_int_equal(db_query(db, NULL, "UPDATE dbtest_vals SET i = ? WHERE k <= ?", "ii",
				  (int64_t)0, (int64_t)2),
			 0);
	assert_true(db_changes(db) == 2);
	assert_int_equal(
	    db_query(db, NULL, "UPDATE dbtest_vals SET i = 1 WHERE k > ?", "i", (int64_t)100), 0);
	assert_true(db_changes(db) == 0);
	assert_int_equal(db_query(db, NULL, "DELETE FROM dbtest_vals", ""), 0);
	assert_true(db_changes(db) == 3);
	assert_true(count_vals(db) == 0);
}

static void test_transactions(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db, *other = open_db();

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(insert_org(db, "tx-1"), 0);
	assert_int_equal(count_orgs(db, "tx-%"), 1);	/* its own write */
	assert_int_equal(count_orgs(other, "tx-%"), 0); /* not committed */
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(count_orgs(db, "tx-%"), 0);
	assert_int_equal(count_orgs(other, "tx-%"), 0);

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(insert_org(db, "tx-2"), 0);
	assert_int_equal(insert_org(db, "tx-3"), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count_orgs(other, "tx-%"), 2);

	/* a statement first prepared inside a rolled-back transaction stays
	 * usable from the statement cache */
	struct db_res *r;
	const char *fresh = "SELECT COUNT(*) + 1 FROM organizations WHERE name LIKE 'tx-%'";
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_query(db, &r, fresh, ""), 0);
	db_res_free(r);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(db_query(db, &r, fresh, ""), 0);
	assert_true(db_int(r, 0, 0) == 3);
	db_res_free(r);
	db_close(other);
}

static void test_empty_result(void **state)
{
	struct fixture *fx = *state;
	struct db_res *r = (struct db_res *)1;
	assert_int_equal(
	    db_query(fx->db, &r, "SELECT k, s FROM dbtest_vals WHERE k = ?", "i", (int64_t)-1), 0);
	assert_non_null(r);
	assert_int_equal(r->nrows, 0);
	assert_int_equal(r->ncols, 2);
	db_res_free(r);
	/* rows not wanted */
	assert_int_equal(db_query(fx->db, NULL, "SELECT k FROM dbtest_vals", ""), 0);
	/* a failed query leaves *res NULL */
	r = (struct db_res *)1;
	assert_int_equal(db_query(fx->db, &r, "SELECT nope FROM dbtest_vals", ""), DB_ERR);
	assert_null(r);
	db_res_free(NULL);
}

/* More distinct statements than the cache holds (it grows, then flushes
 * once full), each run twice. */
static void test_statement_cache(void **state)
{
	struct fixture *fx = *state;
	int64_t q0 = db_queries_total(), t0 = db_time_ns_total();
	char sql[64];
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 1100; i++) {
			struct db_res *r;
			snprintf(sql, sizeof(sql), "SELECT %d + CAST(? AS BIGINT)", i);
			assert_int_equal(db_query(fx->db, &r, sql, "i", (int64_t)round), 0);
			assert_true(db_int(r, 0, 0) == i + round);
			db_res_free(r);
		}
	assert_true(db_queries_total() - q0 >= 2200);
	assert_true(db_time_ns_total() > t0);
}

/* 1 MiB of mixed Korean and ASCII, through the writer and a reader. */
static void test_large_text(void **state)
{
	struct fixture *fx = *state;
	const size_t size = 1 << 20;
	const char *pat = "환불 요청 refund 배송 delivery\n";
	size_t plen = strlen(pat), n = 0;
	char *s = malloc(size + 1);
	while (n + plen <= size) {
		memcpy(s + n, pat, plen);
		n += plen;
	}
	memset(s + n, 'x', size - n);
	s[size] = '\0';

	struct big b = {1, s, size};
	assert_int_equal(store_write(fx->st, w_insert_big, &b), 0);
	assert_int_equal(db_query(fx->db, NULL, "INSERT INTO dbtest_vals (k, t) VALUES (?, ?)",
				  "is", (int64_t)2, s),
			 0);

	struct db *rd = store_reader(fx->st);
	struct db_res *r;
	assert_int_equal(db_query(rd, &r, "SELECT k, t FROM dbtest_vals ORDER BY k", ""), 0);
	assert_int_equal(r->nrows, 2);
	for (int row = 0; row < 2; row++) {
		assert_int_equal(r->len[row * 2 + 1], size);
		assert_memory_equal(db_str(r, row, 1), s, size);
		assert_int_equal(db_str(r, row, 1)[size], '\0');
	}
	db_res_free(r);
	store_release(fx->st, rd);
	free(s);
}

/* ---- store.h ----------------------------------------------------------- */

#define GC_THREADS 8
#define GC_WRITES 200

struct gc_thread {
	struct store *st;
	int id;
	int failures;
	pthread_t th;
};

static void *gc_main(void *p)
{
	struct gc_thread *t = p;
	char name[64];
	for (int i = 0; i < GC_WRITES; i++) {
		snprintf(name, sizeof(name), "gc-%d-%d", t->id, i);
		if (store_write(t->st, w_insert_org, name))
			t->failures++;
	}
	return NULL;
}

static void test_group_commit_concurrent(void **state)
{
	struct fixture *fx = *state;
	struct gc_thread t[GC_THREADS];
	struct store_stats s0, s1;
	store_stats(fx->st, &s0);
	for (int i = 0; i < GC_THREADS; i++) {
		t[i] = (struct gc_thread){.st = fx->st, .id = i};
		assert_int_equal(pthread_create(&t[i].th, NULL, gc_main, &t[i]), 0);
	}
	int failures = 0;
	for (int i = 0; i < GC_THREADS; i++) {
		pthread_join(t[i].th, NULL);
		failures += t[i].failures;
	}
	store_stats(fx->st, &s1);
	assert_int_equal(failures, 0);
	assert_int_equal(count_orgs_committed(fx->st, "gc-%"), GC_THREADS * GC_WRITES);
	int64_t writes = s1.writes - s0.writes, commits = s1.commits - s0.commits;
	print_message("group commit: %lld writes in %lld commits\n", (long long)writes,
		      (long long)commits);
	assert_true(writes == GC_THREADS * GC_WRITES);
	assert_true(commits >= 1 && commits <= writes);
	assert_true(s1.queue_depth == 0);
}

/* One group of five: the gate, two good writes, one that inserts and then
 * fails, one that hits a UNIQUE constraint.  Only the failures are undone. */
static void test_group_failing_write_alone(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(insert_org(fx->db, "dup-existing"), 0);
	struct store_stats s0, s1;
	store_stats(fx->st, &s0);

	struct gate g = {.st = fx->st, .want = 4, .name = "grp-gate"};
	struct writer_job gate, good1, bad, dup, good2;
	job_start(&gate, fx->st, w_gate, &g);
	wait_started(&g);
	job_start(&good1, fx->st, w_insert_org, "grp-good-1");
	job_start(&bad, fx->st, w_insert_then_fail, "grp-bad");
	job_start(&dup, fx->st, w_insert_org, "dup-existing");
	job_start(&good2, fx->st, w_insert_org, "grp-good-2");
	job_join(&gate);
	job_join(&good1);
	job_join(&bad);
	job_join(&dup);
	job_join(&good2);
	store_stats(fx->st, &s1);

	assert_true(atomic_load(&g.reached));
	assert_int_equal(gate.rc, 0);
	assert_int_equal(good1.rc, 0);
	assert_int_equal(bad.rc, -1);
	assert_int_equal(dup.rc, DB_CONSTRAINT);
	assert_int_equal(good2.rc, 0);
	/* the gate's group, then the four in one group */
	assert_true(s1.writes - s0.writes == 5);
	assert_true(s1.commits - s0.commits == 2);

	assert_int_equal(count_orgs_committed(fx->st, "grp-gate"), 1);
	assert_int_equal(count_orgs_committed(fx->st, "grp-good-%"), 2);
	assert_int_equal(count_orgs_committed(fx->st, "grp-bad"), 0);
	assert_int_equal(count_orgs_committed(fx->st, "dup-existing"), 1);
}

/* A write that ignores a failed statement and returns 0, between two good
 * writes in one group.  SQLite undoes just the statement, so the write's
 * other insert is kept; PostgreSQL aborts the whole transaction, so the
 * store must undo that write alone and report it failed.  Either way every
 * store_write that returned 0 must be committed. */
static void test_group_sloppy_write(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(insert_org(fx->db, "dup-existing"), 0);
	struct gate g = {.st = fx->st, .want = 3};
	struct writer_job gate, good1, sloppy, good2;
	job_start(&gate, fx->st, w_gate, &g);
	wait_started(&g);
	job_start(&good1, fx->st, w_insert_org, "sl-good-1");
	sleep_ms(20); /* keep the order good1, sloppy, good2 within the group */
	job_start(&sloppy, fx->st, w_sloppy, "sl-after");
	sleep_ms(20);
	job_start(&good2, fx->st, w_insert_org, "sl-good-2");
	job_join(&gate);
	job_join(&good1);
	job_join(&sloppy);
	job_join(&good2);
	assert_true(atomic_load(&g.reached));

	/* a write reported done must be committed ... */
	assert_int_equal(good1.rc, 0);
	assert_int_equal(count_orgs_committed(fx->st, "sl-good-1"), 1);
	/* ... and one careless write must not sink the rest of its group */
	assert_int_equal(good2.rc, 0);
	assert_int_equal(count_orgs_committed(fx->st, "sl-good-2"), 1);
	if (sloppy.rc == 0)
		assert_int_equal(count_orgs_committed(fx->st, "sl-after"), 1);
	else
		assert_int_equal(count_orgs_committed(fx->st, "sl-after"), 0);
	if (g_sqlite)
		assert_int_equal(sloppy.rc, 0);
}

static void test_write_constraint(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(store_write(fx->st, w_insert_org, "only-once"), 0);
	assert_int_equal(store_write(fx->st, w_insert_org, "only-once"), DB_CONSTRAINT);
	assert_int_equal(store_write(fx->st, w_insert_then_fail, "never"), -1);
	assert_int_equal(count_orgs_committed(fx->st, "only-once"), 1);
	assert_int_equal(count_orgs_committed(fx->st, "never"), 0);
	/* the writer still works */
	assert_int_equal(store_write(fx->st, w_insert_org, "after"), 0);
	assert_int_equal(count_orgs_committed(fx->st, "after"), 1);
}

/* Readers see a write once store_write has returned, and not while the
 * writer is still inside it. */
static void test_reader_sees_committed(void **state)
{
	struct fixture *fx = *state;
	struct gate g = {.st = fx->st, .want = 0, .hold = 1, .name = "pending"};
	struct writer_job gate;
	job_start(&gate, fx->st, w_gate, &g);
	wait_started(&g); /* "pending" is inserted, not committed */
	int64_t during = count_orgs_committed(fx->st, "pending");
	int64_t during_raw = count_orgs(fx->db, "pending");
	atomic_store(&g.open, 1);
	job_join(&gate);
	assert_int_equal(gate.rc, 0);
	assert_int_equal(during, 0);
	assert_int_equal(during_raw, 0);
	assert_int_equal(count_orgs_committed(fx->st, "pending"), 1);
	assert_int_equal(count_orgs(fx->db, "pending"), 1);

	/* and every reader of the pool sees it */
	struct db *a = store_reader(fx->st), *b = store_reader(fx->st);
	assert_ptr_not_equal(a, b);
	assert_int_equal(count_orgs(a, "pending"), 1);
	assert_int_equal(count_orgs(b, "pending"), 1);
	store_release(fx->st, a);
	store_release(fx->st, b);
}

struct borrower {
	struct store *st;
	struct db *got;
	atomic_int done;
	pthread_t th;
};

static void *borrower_main(void *p)
{
	struct borrower *b = p;
	b->got = store_reader(b->st);
	atomic_store(&b->done, 1);
	return NULL;
}

/* With every reader borrowed, store_reader waits for a store_release. */
static void test_reader_pool_blocks(void **state)
{
	struct fixture *fx = *state;
	struct db *a = store_reader(fx->st), *b = store_reader(fx->st);
	assert_non_null(a);
	assert_non_null(b);
	struct borrower br = {.st = fx->st};
	assert_int_equal(pthread_create(&br.th, NULL, borrower_main, &br), 0);
	sleep_ms(100);
	int early = atomic_load(&br.done);
	store_release(fx->st, a);
	pthread_join(br.th, NULL);
	assert_int_equal(early, 0);
	assert_ptr_equal(br.got, a);
	store_release(fx->st, br.got);
	store_release(fx->st, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_engine, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_idempotent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_types_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_args, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_korean_utf8, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_placeholder_in_literal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_constraint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_result, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_large_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_commit_concurrent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_failing_write_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_sloppy_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_constraint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reader_sees_committed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reader_pool_blocks, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/db", tests, group_setup, group_teardown);
}
