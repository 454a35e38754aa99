/* test_attachment_store.c - uploaded files on disk and their rows
 * (store/attachment_store.h), on SQLite and PostgreSQL.
 *
 * The engine comes from SONNIM_TEST_DB as in test_db.c: unset or "sqlite" =
 * a fresh temp file, anything else = a PostgreSQL conninfo (tests/run.sh
 * runs this binary both ways).  The group setup migrates once and adds two
 * users (an admin who uploads and writes tickets, an end-user); every test
 * gets an open store, empty uploads/attachments tables and its own empty
 * temp DATA_DIR, removed afterwards.
 *
 * Disk: content addressing and dedupe, the ab/cdef... layout, a put that
 * fails half-way (RLIMIT_FSIZE makes write() fail with EFBIG) leaving
 * nothing under the real name and no temp file, stale temp sweeping.
 * Rows: new and added-to uploads, every refusal (unknown, someone else's,
 * expired, attached, full), a file that vanished before the row is written
 * is put back, attaching through ticket_write_run (comment_add) and what
 * attachment_store_get then reports, delete/forget/sweep and which files
 * they remove (a file shared by two uploads stays until the last goes).
 */
#include "base/util.h"
#include "core/comment.h"
#include "core/ticket.h"
#include "core/user.h"
#include "store/attachment_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include "testutil.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define HELLO_SHA "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define NOW ((int64_t)1767225600) /* 2026-01-01 */

static char g_url[1024];
static char g_path[512]; /* SQLite temp file; "" on PostgreSQL */
static int g_sqlite;
static int64_t g_admin, g_enduser;

struct fixture {
	struct store *st;
	char dir[256]; /* DATA_DIR for this test */
};

/* ---- helpers ---------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static int w_exec(struct db *db, void *arg) { return db_exec(db, arg); }

/* Count regular files under DIR/files: real (named by a hash) or temp. */
static int g_real, g_temp;
static int count_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F && S_ISREG(st->st_mode)) {
		if (!strncmp(path + ftw->base, ".tmp-", 5))
			g_temp++;
		else
			g_real++;
	}
	return 0;
}

static void count_files(struct fixture *fx, int *real, int *temp)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/files", fx->dir);
	g_real = g_temp = 0;
	nftw(p, count_entry, 16, FTW_PHYS);
	*real = g_real;
	if (temp)
		*temp = g_temp;
}

static int file_exists(struct fixture *fx, const char *sha)
{
	char p[1024];
	assert_int_equal(attachment_file_path(fx->dir, sha, p, sizeof(p)), 0);
	return access(p, F_OK) == 0;
}

/* Put data and add it to an upload (token "" = new, made as new_token). */
static int upload(struct fixture *fx, const char *token, const char *new_token, int64_t user,
		  int64_t now, const char *data, struct attachment_upload *u)
{
	static char sha[65];
	assert_int_equal(attachment_file_put(fx->dir, data, strlen(data), sha), 0);
	*u = (struct attachment_upload){.data_dir = fx->dir,
					.token = token,
					.new_token = new_token,
					.user_id = user,
					.now = now,
					.file_name = "f.txt",
					.content_type = "text/plain",
					.sha256 = sha,
					.data = data,
					.len = strlen(data)};
	return store_write(fx->st, attachment_upload_run, u);
}

static void get_ok(struct fixture *fx, int64_t id, struct attachment_row *row)
{
	struct db *rd = store_reader(fx->st);
	int rc = attachment_store_get(rd, id, row);
	store_release(fx->st, rd);
	assert_int_equal(rc, 0);
}

static int by_token(struct fixture *fx, const char *token, struct attachment_row **v)
{
	int n = -1;
	struct db *rd = store_reader(fx->st);
	assert_int_equal(attachment_store_by_token(rd, token, v, &n), 0);
	store_release(fx->st, rd);
	return n;
}

static int64_t user_add(struct store *st, const char *email, int role)
{
	struct user u = {0};
	u.name = xstrdup(email);
	u.email = xstrdup(email);
	u.role = role;
	u.active = 1;
	u.created_at = u.updated_at = NOW;
	int rc = store_write(st, user_insert_write, &u);
	int64_t id = rc ? -1 : u.id;
	user_clear(&u);
	return id;
}

/* Create a ticket (by the admin, for the end-user) whose first comment
 * carries the upload tokens; status 0 or the write's status. */
static int ticket_with_uploads(struct fixture *fx, int is_public, const char *t1, const char *t2,
			       int64_t *ticket_id, int64_t *comment_id)
{
	struct ticket_change c = {0};
	c.set = TF_SUBJECT | TF_REQUESTER;
	c.v.subject = xstrdup("attachments");
	c.v.requester_id = g_enduser;
	c.comment_body = xstrdup("see the files");
	c.comment_public = is_public;
	if (t1)
		strlist_add(&c.upload_tokens, t1);
	if (t2)
		strlist_add(&c.upload_tokens, t2);
	struct ticket_write w = {.who = {.user_id = g_admin, .role = ROLE_ADMIN},
				 .change = &c,
				 .via = "api",
				 .now = NOW};
	int rc = store_write(fx->st, ticket_write_run, &w);
	int status = rc ? (w.status ? w.status : 500) : 0;
	if (ticket_id)
		*ticket_id = w.result.id;
	if (comment_id)
		*comment_id = w.comment_id;
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return status;
}

/* ---- setup ------------------------------------------------------------- */

static int group_setup(void **state)
{
	const char *env = getenv("SONNIM_TEST_DB");
	if (sodium_init() < 0)
		return -1;
	if (!env || !*env || !strcmp(env, "sqlite")) {
		const char *t = getenv("TMPDIR");
		g_sqlite = 1;
		snprintf(g_path, sizeof(g_path), "%s/sonnim-test-att-XXXXXX", t && *t ? t : "/tmp");
		int fd = mkstemp(g_path);
		if (fd < 0)
			return -1;
		close(fd);
		snprintf(g_url, sizeof(g_url), "sqlite:%s", g_path);
	} else {
		snprintf(g_url, sizeof(g_url), "%s", env);
	}
	print_message("engine: %s\n", g_sqlite ? "sqlite" : "postgresql");
	char err[512] = "";
	struct store *st = store_open(g_url, 0, 1, err, sizeof(err));
	if (!st) {
		print_error("store_open '%s': %s\n", g_url, err);
		return -1;
	}
	g_admin = user_add(st, "admin@att.example", ROLE_ADMIN);
	g_enduser = user_add(st, "customer@att.example", ROLE_END_USER);
	store_close(st);
	return g_admin > 0 && g_enduser > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	if (g_sqlite) {
		static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
		char p[600];
		for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
			snprintf(p, sizeof(p), "%s%s", g_path, suffixes[i]);
			unlink(p);
		}
	}
	return 0;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512] = "";
	const char *t = getenv("TMPDIR");
	snprintf(fx->dir, sizeof(fx->dir), "%s/sonnim-test-data-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	fx->st = store_open(g_url, 0, 2, err, sizeof(err));
	if (!fx->st || store_write(fx->st, w_exec, "DELETE FROM attachments") ||
	    store_write(fx->st, w_exec, "DELETE FROM uploads")) {
		print_error("setup: %s\n", err);
		if (fx->st)
			store_close(fx->st);
		rm_rf(fx->dir);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	store_close(fx->st);
	rm_rf(fx->dir);
	free(fx);
	return 0;
}

/* ---- bytes on disk ------------------------------------------------------ */

static void test_put_layout_and_dedupe(void **state)
{
	struct fixture *fx = *state;
	char sha[65], sha2[65], path[1024], want[1024];
	assert_int_equal(attachment_file_put(fx->dir, "hello", 5, sha), 0);
	assert_string_equal(sha, HELLO_SHA);
	assert_int_equal(attachment_file_path(fx->dir, sha, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/files/2c/%s", fx->dir, HELLO_SHA + 2);
	assert_string_equal(path, want);

	int fd;
	int64_t size;
	char got[16] = "";
	assert_int_equal(attachment_file_open(fx->dir, sha, &fd, &size), 0);
	assert_int_equal(size, 5);
	assert_int_equal(read(fd, got, sizeof(got)), 5);
	close(fd);
	assert_memory_equal(got, "hello", 5);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);

	/* the same bytes again: same name, still one file, not rewritten */
	struct stat before = st;
	assert_int_equal(attachment_file_put(fx->dir, "hello", 5, sha2), 0);
	assert_string_equal(sha2, sha);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_ino, before.st_ino);
	int real, temp;
	count_files(fx, &real, &temp);
	assert_int_equal(real, 1);
	assert_int_equal(temp, 0);

	/* other bytes, and the empty file (hashes fine; the API refuses it) */
	assert_int_equal(attachment_file_put(fx->dir, "hello!", 6, sha2), 0);
	assert_string_not_equal(sha2, sha);
	assert_int_equal(attachment_file_put(fx->dir, "", 0, sha2), 0);
	assert_string_equal(sha2,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	count_files(fx, &real, &temp);
	assert_int_equal(real, 3);
	assert_int_equal(temp, 0);

	/* a file of the right name but the wrong size (damaged) is replaced */
	assert_int_equal(truncate(path, 2), 0);
	assert_int_equal(attachment_file_put(fx->dir, "hello", 5, sha2), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 5);
}

static void test_put_failure_leaves_nothing(void **state)
{
	struct fixture *fx = *state;
	char sha[65], path[1024];
	static char big[64 * 1024];
	memset(big, 'x', sizeof(big));

	/* write() fails half-way: EFBIG once the file passes 1 KiB */
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	errno = 0;
	int rc = attachment_file_put(fx->dir, big, sizeof(big), sha);
	int e = errno;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(rc, -1);
	assert_int_equal(e, EFBIG);
	assert_int_equal(attachment_file_path(fx->dir, sha, path, sizeof(path)), 0);
	assert_int_equal(access(path, F_OK), -1);
	int real, temp;
	count_files(fx, &real, &temp);
	assert_int_equal(real, 0);
	assert_int_equal(temp, 0);
	/* and with the limit gone it works */
	assert_int_equal(attachment_file_put(fx->dir, big, sizeof(big), sha), 0);
	assert_int_equal(access(path, F_OK), 0);

	/* DATA_DIR under a regular file: no directory can be made */
	char bad[400];
	snprintf(bad, sizeof(bad), "%s/plain", fx->dir);
	int fd = open(bad, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(bad, sizeof(bad), "%s/plain/data", fx->dir);
	assert_int_equal(attachment_file_put(bad, "hello", 5, sha), -1);
	assert_int_equal(errno, ENOTDIR);
}

static void test_path_and_open(void **state)
{
	struct fixture *fx = *state;
	char path[1024];
	int fd = -1;
	int64_t size;
	static const char *const bad[] = {
	    "",
	    "abc",
	    HELLO_SHA "0",
	    "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
	    "../../../../../../../../../../../../../../../../../../../../etc/passwd.....",
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982/",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(attachment_file_path(fx->dir, bad[i], path, sizeof(path)), -1);
		assert_int_equal(attachment_file_open(fx->dir, bad[i], &fd, &size), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(attachment_file_path(fx->dir, NULL, path, sizeof(path)), -1);
	assert_int_equal(attachment_file_path(fx->dir, HELLO_SHA, path, 20), -1);
	assert_int_equal(attachment_file_open(fx->dir, HELLO_SHA, &fd, &size), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_sweep_temp(void **state)
{
	struct fixture *fx = *state;
	char sha[65], p[600];
	assert_int_equal(attachment_file_put(fx->dir, "hello", 5, sha), 0);
	const char *names[] = {"2c/.tmp-old", "2c/.tmp-new", "ff/.tmp-old2"};
	snprintf(p, sizeof(p), "%s/files/ff", fx->dir);
	assert_int_equal(mkdir(p, 0750), 0);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(p, sizeof(p), "%s/files/%s", fx->dir, names[i]);
		int fd = open(p, O_CREAT | O_WRONLY, 0600);
		assert_true(fd >= 0);
		int64_t age = strstr(names[i], "old") ? 2 * 86400 : 10;
		struct timespec ts[2] = {{now_seconds() - age, 0}, {now_seconds() - age, 0}};
		assert_int_equal(futimens(fd, ts), 0);
		close(fd);
	}
	assert_int_equal(attachment_file_sweep_temp(fx->dir, now_seconds(), 86400), 2);
	int real, temp;
	count_files(fx, &real, &temp);
	assert_int_equal(real, 1);
	assert_int_equal(temp, 1);
	assert_int_equal(attachment_file_sweep_temp(fx->dir, now_seconds(), 86400), 0);
	assert_int_equal(attachment_file_sweep_temp("/nonexistent/sonnim", now_seconds(), 0), 0);
}

/* ---- rows ---------------------------------------------------------------- */

static void test_upload_new_then_add(void **state)
{
	struct fixture *fx = *state;
	struct attachment_upload u, u2;
	assert_int_equal(upload(fx, "", "tok-a", g_enduser, NOW, "hello", &u), 0);
	assert_int_equal(u.status, 0);
	assert_true(u.id > 0);
	assert_int_equal(u.expires_at, NOW + UPLOAD_TTL);
	assert_int_equal(upload(fx, "tok-a", "unused", g_enduser, NOW + 60, "second file", &u2), 0);
	assert_true(u2.id > u.id);
	assert_int_equal(u2.expires_at, NOW + UPLOAD_TTL); /* adding does not extend it */

	struct attachment_row *v;
	int n = by_token(fx, "tok-a", &v);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].a.id, u.id);
	assert_int_equal(v[1].a.id, u2.id);
	assert_string_equal(v[0].a.sha256, HELLO_SHA);
	assert_string_equal(v[0].a.file_name, "f.txt");
	assert_string_equal(v[0].a.content_type, "text/plain");
	assert_int_equal(v[0].a.size, 5);
	assert_int_equal(v[1].a.size, 11);
	assert_string_equal(v[0].upload_token, "tok-a");
	assert_int_equal(v[0].owner_id, g_enduser);
	assert_int_equal(v[0].expires_at, NOW + UPLOAD_TTL);
	assert_int_equal(v[0].comment_id, 0);
	assert_int_equal(v[0].ticket_id, 0);
	assert_int_equal(v[0].comment_public, 1);
	assert_int_equal(v[0].created_at, NOW);
	attachment_rows_free(v, n);
	assert_int_equal(by_token(fx, "no-such-token", &v), 0);
	assert_null(v);

	struct attachment_row row;
	struct db *rd = store_reader(fx->st);
	assert_int_equal(attachment_store_get(rd, u.id + 1000, &row), 1);
	store_release(fx->st, rd);

	/* the same bytes in a second upload share the file */
	struct attachment_upload u3;
	assert_int_equal(upload(fx, "", "tok-b", g_admin, NOW, "hello", &u3), 0);
	int real;
	count_files(fx, &real, NULL);
	assert_int_equal(real, 2);
}

static int w_fill(struct db *db, void *arg)
{
	int rc = 0;
	for (int i = 1; !rc && i < UPLOAD_MAX_FILES; i++)
		rc =
		    db_query(db, NULL,
			     "INSERT INTO attachments (upload_token, file_name, content_type, size,"
			     " sha256, created_at) VALUES ('tok-full', 'x', 'text/plain', 5, ?, ?)",
			     "si", HELLO_SHA, NOW);
	return rc;
}

static void test_upload_refusals(void **state)
{
	struct fixture *fx = *state;
	struct attachment_upload u;
	assert_int_equal(upload(fx, "", "tok-a", g_enduser, NOW, "hello", &u), 0);

	struct {
		const char *token;
		int64_t user, now;
		const char *err;
	} cases[] = {
	    {"tok-nope", g_enduser, NOW, "token: unknown upload token"},
	    {"tok-a", g_admin, NOW, "token: unknown upload token"}, /* not the owner */
	    {"tok-a", g_enduser, NOW + UPLOAD_TTL, "token: the upload token has expired"},
	    {"tok-a", g_enduser, NOW + UPLOAD_TTL + 1, "token: the upload token has expired"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct attachment_upload r;
		assert_int_equal(
		    upload(fx, cases[i].token, "x", cases[i].user, cases[i].now, "other", &r),
		    DB_REFUSED);
		assert_int_equal(r.status, 422);
		assert_string_equal(r.err, cases[i].err);
	}
	/* still just the one row */
	struct attachment_row *v;
	int n = by_token(fx, "tok-a", &v);
	assert_int_equal(n, 1);
	attachment_rows_free(v, n);

	/* full: UPLOAD_MAX_FILES rows */
	assert_int_equal(upload(fx, "", "tok-full", g_enduser, NOW, "hello", &u), 0);
	assert_int_equal(store_write(fx->st, w_fill, NULL), 0);
	assert_int_equal(upload(fx, "tok-full", "x", g_enduser, NOW, "hello", &u), DB_REFUSED);
	assert_int_equal(u.status, 422);
	assert_non_null(strstr(u.err, "at most 100 files"));
	/* (attached tokens: test_attach_through_ticket_write) */
}

static void test_upload_restores_missing_file(void **state)
{
	struct fixture *fx = *state;
	char sha[65], path[1024];
	assert_int_equal(attachment_file_put(fx->dir, "hello", 5, sha), 0);
	assert_int_equal(attachment_file_path(fx->dir, sha, path, sizeof(path)), 0);
	/* a concurrent forget removed it between the put and the row */
	assert_int_equal(unlink(path), 0);
	struct attachment_upload u = {.data_dir = fx->dir,
				      .token = "",
				      .new_token = "tok-r",
				      .user_id = g_enduser,
				      .now = NOW,
				      .file_name = "h.txt",
				      .content_type = "text/plain",
				      .sha256 = sha,
				      .data = "hello",
				      .len = 5};
	assert_int_equal(store_write(fx->st, attachment_upload_run, &u), 0);
	assert_int_equal(access(path, F_OK), 0);
	/* bytes that do not hash to the sha named: refused, no row */
	assert_int_equal(unlink(path), 0);
	u.new_token = "tok-r2";
	u.data = "jello";
	assert_int_equal(store_write(fx->st, attachment_upload_run, &u), DB_ERR);
	assert_int_equal(u.status, 500);
	struct attachment_row *v;
	assert_int_equal(by_token(fx, "tok-r2", &v), 0);
}

static void test_attach_through_ticket_write(void **state)
{
	struct fixture *fx = *state;
	struct attachment_upload a1, a2, b1;
	assert_int_equal(upload(fx, "", "tok-pub", g_admin, NOW, "hello", &a1), 0);
	assert_int_equal(upload(fx, "tok-pub", "", g_admin, NOW, "world", &a2), 0);
	assert_int_equal(upload(fx, "", "tok-priv", g_admin, NOW, "secret", &b1), 0);
	/* someone else's token cannot be attached */
	struct attachment_upload e1;
	assert_int_equal(upload(fx, "", "tok-enduser", g_enduser, NOW, "theirs", &e1), 0);
	assert_int_equal(ticket_with_uploads(fx, 1, "tok-enduser", NULL, NULL, NULL), 422);

	int64_t tid, cid;
	assert_int_equal(ticket_with_uploads(fx, 1, "tok-pub", NULL, &tid, &cid), 0);
	struct attachment_row row;
	get_ok(fx, a2.id, &row);
	assert_int_equal(row.comment_id, cid);
	assert_int_equal(row.ticket_id, tid);
	assert_int_equal(row.comment_public, 1);
	assert_int_equal(row.owner_id, g_admin);
	attachment_row_clear(&row);

	/* the comment lists both, in order */
	struct db *rd = store_reader(fx->st);
	struct comment *cv;
	int n;
	assert_int_equal(comment_store_list(rd, tid, 0, 0, 10, &cv, &n), 0);
	store_release(fx->st, rd);
	assert_int_equal(n, 1);
	assert_int_equal(cv[0].nattachments, 2);
	assert_int_equal(cv[0].attachments[0].id, a1.id);
	assert_string_equal(cv[0].attachments[0].sha256, HELLO_SHA);
	assert_int_equal(cv[0].attachments[1].id, a2.id);
	comment_list_free(cv, n);

	/* a private note: comment_public 0 */
	int64_t tid2, cid2;
	assert_int_equal(ticket_with_uploads(fx, 0, "tok-priv", NULL, &tid2, &cid2), 0);
	get_ok(fx, b1.id, &row);
	assert_int_equal(row.comment_id, cid2);
	assert_int_equal(row.comment_public, 0);
	attachment_row_clear(&row);

	/* attached once only; and no more files can join the token */
	assert_int_equal(ticket_with_uploads(fx, 1, "tok-pub", NULL, NULL, NULL), 422);
	struct attachment_upload late;
	assert_int_equal(upload(fx, "tok-pub", "", g_admin, NOW, "late", &late), DB_REFUSED);
	assert_string_equal(late.err, "token: the upload is attached to a comment already");
}

static void test_delete_and_forget(void **state)
{
	struct fixture *fx = *state;
	struct attachment_upload u;
	assert_int_equal(upload(fx, "", "tok-d", g_enduser, NOW, "hello", &u), 0);
	assert_int_equal(upload(fx, "tok-d", "", g_enduser, NOW, "hello", &u), 0);
	assert_int_equal(upload(fx, "tok-d", "", g_enduser, NOW, "only here", &u), 0);
	assert_int_equal(upload(fx, "", "tok-keep", g_admin, NOW, "hello", &u), 0);
	char only[65];
	assert_int_equal(attachment_file_put(fx->dir, "only here", 9, only), 0);

	struct attachment_delete d = {.token = "tok-d", .user_id = g_admin};
	assert_int_equal(store_write(fx->st, attachment_upload_delete_run, &d), DB_REFUSED);
	assert_int_equal(d.status, 404);
	assert_int_equal(d.nsha, 0);
	d = (struct attachment_delete){.token = "tok-none", .user_id = g_enduser};
	assert_int_equal(store_write(fx->st, attachment_upload_delete_run, &d), DB_REFUSED);
	assert_int_equal(d.status, 404);

	d = (struct attachment_delete){.token = "tok-d", .user_id = g_enduser};
	assert_int_equal(store_write(fx->st, attachment_upload_delete_run, &d), 0);
	assert_int_equal(d.status, 0);
	assert_int_equal(d.nsha, 2); /* distinct */
	struct attachment_row *v;
	assert_int_equal(by_token(fx, "tok-d", &v), 0);

	struct attachment_forget f = {.data_dir = fx->dir, .sha256s = d.sha256s, .nsha = d.nsha};
	assert_int_equal(store_write(fx->st, attachment_forget_run, &f), 0);
	assert_int_equal(f.removed, 1); /* "hello" is still used by tok-keep */
	assert_true(file_exists(fx, HELLO_SHA));
	assert_false(file_exists(fx, only));
	/* forgetting again is harmless */
	assert_int_equal(store_write(fx->st, attachment_forget_run, &f), 0);
	assert_int_equal(f.removed, 0);
	attachment_shas_free(d.sha256s, d.nsha);
	/* the token is gone: it cannot be added to */
	assert_int_equal(upload(fx, "tok-d", "", g_enduser, NOW, "x", &u), DB_REFUSED);

	/* attached uploads cannot be deleted */
	assert_int_equal(ticket_with_uploads(fx, 1, "tok-keep", NULL, NULL, NULL), 0);
	d = (struct attachment_delete){.token = "tok-keep", .user_id = g_admin};
	assert_int_equal(store_write(fx->st, attachment_upload_delete_run, &d), DB_REFUSED);
	assert_int_equal(d.status, 422);
	assert_int_equal(d.nsha, 0);
	assert_true(file_exists(fx, HELLO_SHA));
}

/* Deleting a ticket hands back its files; forgetting them after the
 * commit removes those no other attachment uses. */
static void test_ticket_delete_forgets_files(void **state)
{
	struct fixture *fx = *state;
	struct attachment_upload a, b;
	char sha_a[65], sha_b[65]; /* upload() hands out one static buffer */
	assert_int_equal(upload(fx, "", "tok-del", g_admin, NOW, "only here", &a), 0);
	snprintf(sha_a, sizeof(sha_a), "%s", a.sha256);
	assert_int_equal(upload(fx, "", "tok-keep", g_admin, NOW, "shared bytes", &b), 0);
	snprintf(sha_b, sizeof(sha_b), "%s", b.sha256);
	struct attachment_upload b2;
	assert_int_equal(upload(fx, "", "tok-keep2", g_admin, NOW, "shared bytes", &b2), 0);
	int64_t tid, cid, tid2, cid2;
	assert_int_equal(ticket_with_uploads(fx, 1, "tok-del", "tok-keep", &tid, &cid), 0);
	assert_int_equal(ticket_with_uploads(fx, 1, "tok-keep2", NULL, &tid2, &cid2), 0);
	assert_true(file_exists(fx, sha_a) && file_exists(fx, sha_b));
	struct ticket_delete d = {.who = {.user_id = g_admin, .role = ROLE_ADMIN}, .id = tid};
	assert_int_equal(store_write(fx->st, ticket_delete_run, &d), 0);
	assert_int_equal(d.nsha, 2);
	struct attachment_forget f = {.data_dir = fx->dir, .sha256s = d.sha256s, .nsha = d.nsha};
	assert_int_equal(store_write(fx->st, attachment_forget_run, &f), 0);
	attachment_shas_free(d.sha256s, d.nsha);
	assert_false(file_exists(fx, sha_a));
	assert_true(file_exists(fx, sha_b)); /* still attached to the other ticket */
}

static void test_sweep(void **state)
{
	struct fixture *fx = *state;
	struct attachment_upload old1, old2, att, fresh;
	/* the sweep runs just after tok-old and tok-att expired; tok-fresh was
	 * made later (a "now" in the future) and is still valid then */
	int64_t t0 = now_seconds(), sweep_at = t0 + UPLOAD_TTL + 10;
	assert_int_equal(upload(fx, "", "tok-old", g_admin, t0, "old bytes", &old1), 0);
	assert_int_equal(upload(fx, "tok-old", "", g_admin, t0, "shared bytes", &old2), 0);
	assert_int_equal(upload(fx, "", "tok-att", g_admin, t0, "kept bytes", &att), 0);
	assert_int_equal(ticket_with_uploads(fx, 1, "tok-att", NULL, NULL, NULL), 0);
	assert_int_equal(
	    upload(fx, "", "tok-fresh", g_admin, sweep_at - 60, "shared bytes", &fresh), 0);
	char s_old[65], s_shared[65], s_kept[65];
	assert_int_equal(attachment_file_put(fx->dir, "old bytes", 9, s_old), 0);
	assert_int_equal(attachment_file_put(fx->dir, "shared bytes", 12, s_shared), 0);
	assert_int_equal(attachment_file_put(fx->dir, "kept bytes", 10, s_kept), 0);

	struct attachment_sweep s = {.now = sweep_at};
	assert_int_equal(store_write(fx->st, attachment_sweep_run, &s), 0);
	assert_int_equal(s.attachments, 2);
	assert_int_equal(s.uploads, 2); /* tok-old and tok-att (its files are attached) */
	assert_int_equal(s.nsha, 2);
	struct attachment_forget f = {.data_dir = fx->dir, .sha256s = s.sha256s, .nsha = s.nsha};
	assert_int_equal(store_write(fx->st, attachment_forget_run, &f), 0);
	assert_int_equal(f.removed, 1);
	attachment_shas_free(s.sha256s, s.nsha);
	assert_false(file_exists(fx, s_old));
	assert_true(file_exists(fx, s_shared));
	assert_true(file_exists(fx, s_kept));

	struct attachment_row row;
	get_ok(fx, att.id, &row); /* attached: survives, its token row is gone */
	assert_true(row.comment_id > 0);
	assert_int_equal(row.owner_id, 0);
	attachment_row_clear(&row);
	get_ok(fx, fresh.id, &row);
	attachment_row_clear(&row);
	struct db *rd = store_reader(fx->st);
	assert_int_equal(attachment_store_get(rd, old1.id, &row), 1);
	assert_int_equal(attachment_store_get(rd, old2.id, &row), 1);
	store_release(fx->st, rd);

	/* nothing left to sweep */
	s = (struct attachment_sweep){.now = sweep_at};
	assert_int_equal(store_write(fx->st, attachment_sweep_run, &s), 0);
	assert_int_equal(s.attachments + s.uploads + s.nsha, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_put_layout_and_dedupe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_put_failure_leaves_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_and_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sweep_temp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upload_new_then_add, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upload_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upload_restores_missing_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attach_through_ticket_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_and_forget, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ticket_delete_forgets_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/attachment", tests, group_setup, group_teardown);
}
