/* attachment_store.c - uploaded files on disk and their rows (see
 * attachment_store.h for the order of operations and why it is safe).
 *
 * Disk layout: DATA_DIR/files/ab/cdef...  (256 fan-out directories named
 * by the first two hex digits of the SHA-256; the file is named by the
 * other 62).  A put costs one SHA-256 pass over the bytes, a stat, and -
 * when the bytes are new - one write, two fsyncs (file, directory) and a
 * rename.  A duplicate costs the hash and the stat.
 *
 * SQL: an upload is 2-4 statements inside the writer's transaction
 * (token check or insert, attached/count check, attachment insert); a get
 * is one query joining uploads (owner, expiry) and comments (public).
 */
#include "store/attachment_store.h"
#include "base/log.h"
#include "base/util.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- bytes on disk ------------------------------------------------------ */

static int sha_ok(const char *s)
{
	size_t i;
	for (i = 0; s && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s && i == 64 && s[64] == '\0';
}

int attachment_file_path(const char *data_dir, const char *sha256, char *out, size_t outlen)
{
	if (!sha_ok(sha256))
		return -1;
	int n = snprintf(out, outlen, "%s/files/%.2s/%s", data_dir, sha256, sha256 + 2);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* fsync a directory so the names made or renamed in it are durable. */
static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* mkdir dir unless it exists; when made, fsync its parent. */
static int mkdir_durable(const char *dir, const char *parent)
{
	if (!mkdir(dir, 0750))
		return parent ? fsync_dir(parent) : 0;
	return errno == EEXIST ? 0 : -1;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int attachment_file_put(const char *data_dir, const void *data, size_t len, char sha256[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(sha256, 65, h, sizeof(h));
	char path[1024], files[1024], dir[1024], tmp[1024];
	if (attachment_file_path(data_dir, sha256, path, sizeof(path)) ||
	    (size_t)snprintf(files, sizeof(files), "%s/files", data_dir) >= sizeof(files) ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/%.2s", files, sha256) >= sizeof(dir) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	struct stat st;
	if (!stat(path, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size == (uint64_t)len)
		return 0; /* stored already: content-addressed, so the same bytes */
	if (mkdir_durable(data_dir, NULL) || mkdir_durable(files, data_dir) ||
	    mkdir_durable(dir, files))
		return -1;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	int e;
	if (fchmod(fd, 0640) || write_all(fd, data, len) || fsync(fd)) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd)) {
		e = errno;
		goto fail;
	}
	if (rename(tmp, path)) {
		e = errno;
		goto fail;
	}
	if (fsync_dir(dir))
		return -1;
	return 0;
fail:
	unlink(tmp);
	errno = e;
	return -1;
}

int attachment_file_open(const char *data_dir, const char *sha256, int *fd, int64_t *size)
{
	char path[1024];
	if (attachment_file_path(data_dir, sha256, path, sizeof(path))) {
		errno = EINVAL;
		return -1;
	}
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return -1;
	struct stat st;
	int bad = fstat(*fd, &st) ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
	if (bad) {
		close(*fd);
		*fd = -1;
		errno = bad;
		return -1;
	}
	*size = (int64_t)st.st_size;
	return 0;
}

int attachment_file_read(const char *data_dir, const char *sha256, char **out, size_t *len)
{
	int fd;
	int64_t size;
	*out = NULL;
	*len = 0;
	if (attachment_file_open(data_dir, sha256, &fd, &size))
		return -1;
	char *b = xmalloc((size_t)size + 1);
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t n = read(fd, b + got, (size_t)size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)size) {
		free(b);
		errno = EIO;
		return -1;
	}
	b[got] = '\0';
	*out = b;
	*len = got;
	return 0;
}

int attachment_file_sweep_temp(const char *data_dir, int64_t now, int64_t max_age)
{
	int removed = 0;
	for (int i = 0; i < 256; i++) {
		char dir[1024];
		if ((size_t)snprintf(dir, sizeof(dir), "%s/files/%02x", data_dir, i) >= sizeof(dir))
			return removed;
		DIR *d = opendir(dir);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d))) {
			struct stat st;
			if (strncmp(e->d_name, ".tmp-", 5) ||
			    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			if (S_ISREG(st.st_mode) && (int64_t)st.st_mtime < now - max_age &&
			    !unlinkat(dirfd(d), e->d_name, 0))
				removed++;
		}
		closedir(d);
	}
	return removed;
}

/* ---- rows ---------------------------------------------------------------- */

#define ROW_COLS                                                                                   \
	"a.id, a.file_name, a.content_type, a.sha256, a.size, a.upload_token,"                     \
	" a.comment_id, a.ticket_id, a.created_at, u.user_id, u.expires_at, c.is_public"
#define ROW_FROM                                                                                   \
	" FROM attachments a LEFT JOIN uploads u ON u.token = a.upload_token"                      \
	" LEFT JOIN comments c ON c.id = a.comment_id"

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return s ? xstrdup(s) : NULL;
}

static void row_from(const struct db_res *r, int i, struct attachment_row *out)
{
	memset(out, 0, sizeof(*out));
	out->a.id = db_int(r, i, 0);
	out->a.file_name = dup_col(r, i, 1);
	out->a.content_type = dup_col(r, i, 2);
	out->a.sha256 = dup_col(r, i, 3);
	out->a.size = db_int(r, i, 4);
	out->upload_token = dup_col(r, i, 5);
	out->comment_id = db_int(r, i, 6);
	out->ticket_id = db_int(r, i, 7);
	out->created_at = db_int(r, i, 8);
	out->owner_id = db_int(r, i, 9);
	out->expires_at = db_int(r, i, 10);
	/* not attached: nothing hides it; attached to a missing comment:
	 * treat as private */
	out->comment_public = out->comment_id ? db_int(r, i, 11) != 0 : 1;
}

void attachment_row_clear(struct attachment_row *r)
{
	attachment_clear(&r->a);
	free(r->upload_token);
	memset(r, 0, sizeof(*r));
}

void attachment_rows_free(struct attachment_row *v, int n)
{
	for (int i = 0; i < n; i++)
		attachment_row_clear(&v[i]);
	free(v);
}

int attachment_store_get(struct db *db, int64_t id, struct attachment_row *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " ROW_COLS ROW_FROM " WHERE a.id = ?", "i", id);
	if (rc)
		return rc;
	if (r->nrows)
		row_from(r, 0, out);
	rc = r->nrows ? 0 : 1;
	db_res_free(r);
	return rc;
}

int attachment_store_by_token(struct db *db, const char *token, struct attachment_row **out, int *n)
{
	struct db_res *r;
	*out = NULL;
	*n = 0;
	int rc =
	    db_query(db, &r, "SELECT " ROW_COLS ROW_FROM " WHERE a.upload_token = ? ORDER BY a.id",
		     "s", token);
	if (rc)
		return rc;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		row_from(r, i, &(*out)[i]);
	*n = r->nrows;
	db_res_free(r);
	return 0;
}

/* Refuse (422: DB_REFUSED) or fail (500: DB_ERR) the upload with a message. */
#define UP_FAIL(code, ...)                                                                         \
	do {                                                                                       \
		u->status = (code);                                                                \
		snprintf(u->err, sizeof(u->err), __VA_ARGS__);                                     \
		return (code) == 422 ? DB_REFUSED : DB_ERR;                                        \
	} while (0)

/* 1 if the stored file for sha256 is missing or of the wrong size. */
static int file_missing(const char *data_dir, const char *sha256, size_t len)
{
	char path[1024];
	struct stat st;
	if (attachment_file_path(data_dir, sha256, path, sizeof(path)))
		return 1;
	return stat(path, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != (uint64_t)len;
}

int attachment_upload_run(struct db *db, void *arg)
{
	struct attachment_upload *u = arg;
	struct db_res *r;
	const char *token = u->token;
	int rc;
	u->status = 0;
	u->err[0] = '\0';
	u->id = 0;
	if (*token) {
		rc = db_query(db, &r, "SELECT user_id, expires_at FROM uploads WHERE token = ?",
			      "s", token);
		if (rc)
			UP_FAIL(500, "database error");
		int known = r->nrows && db_int(r, 0, 0) == u->user_id;
		u->expires_at = known ? db_int(r, 0, 1) : 0;
		db_res_free(r);
		if (!known)
			UP_FAIL(422, "token: unknown upload token");
		if (u->expires_at <= u->now)
			UP_FAIL(422, "token: the upload token has expired");
		rc = db_query(db, &r,
			      "SELECT COUNT(*), COUNT(comment_id) FROM attachments"
			      " WHERE upload_token = ?",
			      "s", token);
		if (rc)
			UP_FAIL(500, "database error");
		int64_t files = db_int(r, 0, 0), attached = db_int(r, 0, 1);
		db_res_free(r);
		if (attached)
			UP_FAIL(422, "token: the upload is attached to a comment already");
		if (files >= UPLOAD_MAX_FILES)
			UP_FAIL(422, "token: an upload holds at most %d files", UPLOAD_MAX_FILES);
	} else {
		token = u->new_token;
		u->expires_at = u->now + UPLOAD_TTL;
		rc = db_query(db, NULL,
			      "INSERT INTO uploads (token, user_id, created_at, expires_at)"
			      " VALUES (?, ?, ?, ?)",
			      "siii", token, u->user_id, u->now, u->expires_at);
		if (rc)
			UP_FAIL(500, "database error");
	}
	/* the row must never point at a missing file; see the header */
	if (file_missing(u->data_dir, u->sha256, u->len)) {
		char again[65];
		if (attachment_file_put(u->data_dir, u->data, u->len, again) ||
		    strcmp(again, u->sha256))
			UP_FAIL(500, "the file could not be stored");
	}
	rc = db_query(
	    db, &r,
	    "INSERT INTO attachments (upload_token, file_name, content_type, size, sha256,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	    "sssisi", token, u->file_name, u->content_type, (int64_t)u->len, u->sha256, u->now);
	if (rc)
		UP_FAIL(500, "database error");
	u->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

void attachment_shas_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Append the distinct sha256 values of the query's rows to *v (*n of them). */
static int collect_shas(struct db *db, const char *sql, const char *fmt, const char *s, int64_t i,
			char ***v, int *n)
{
	struct db_res *r;
	int rc = *fmt == 's' ? db_query(db, &r, sql, fmt, s) : db_query(db, &r, sql, fmt, i);
	if (rc)
		return rc;
	if (r->nrows) {
		*v = xrealloc(*v, (size_t)(*n + r->nrows) * sizeof(**v));
		for (int k = 0; k < r->nrows; k++)
			if (db_str(r, k, 0))
				(*v)[(*n)++] = xstrdup(db_str(r, k, 0));
	}
	db_res_free(r);
	return 0;
}

int attachment_upload_delete_run(struct db *db, void *arg)
{
	struct attachment_delete *d = arg;
	struct db_res *r;
	d->status = 0;
	d->sha256s = NULL;
	d->nsha = 0;
	int rc = db_query(db, &r, "SELECT user_id FROM uploads WHERE token = ?", "s", d->token);
	if (rc) {
		d->status = 500;
		return rc;
	}
	int mine = r->nrows && db_int(r, 0, 0) == d->user_id;
	db_res_free(r);
	if (!mine) {
		d->status = 404;
		return DB_REFUSED;
	}
	rc = db_query(db, &r, "SELECT COUNT(comment_id) FROM attachments WHERE upload_token = ?",
		      "s", d->token);
	if (rc) {
		d->status = 500;
		return rc;
	}
	int64_t attached = db_int(r, 0, 0);
	db_res_free(r);
	if (attached) {
		d->status = 422;
		return DB_REFUSED;
	}
	if ((rc = collect_shas(db, "SELECT DISTINCT sha256 FROM attachments WHERE upload_token = ?",
			       "s", d->token, 0, &d->sha256s, &d->nsha)) ||
	    (rc = db_query(db, NULL, "DELETE FROM attachments WHERE upload_token = ?", "s",
			   d->token)) ||
	    (rc = db_query(db, NULL, "DELETE FROM uploads WHERE token = ?", "s", d->token))) {
		attachment_shas_free(d->sha256s, d->nsha);
		d->sha256s = NULL;
		d->nsha = 0;
		d->status = 500;
		return rc;
	}
	return 0;
}

int attachment_sweep_run(struct db *db, void *arg)
{
	struct attachment_sweep *s = arg;
	s->uploads = s->attachments = 0;
	s->sha256s = NULL;
	s->nsha = 0;
	static const char where[] = " WHERE comment_id IS NULL AND upload_token IN"
				    " (SELECT token FROM uploads WHERE expires_at <= ?)";
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT DISTINCT sha256 FROM attachments%s", where);
	int rc = collect_shas(db, sql, "i", NULL, s->now, &s->sha256s, &s->nsha);
	if (!rc) {
		snprintf(sql, sizeof(sql), "DELETE FROM attachments%s", where);
		rc = db_query(db, NULL, sql, "i", s->now);
		s->attachments = rc ? 0 : (int)db_changes(db);
	}
	if (!rc) {
		rc = db_query(db, NULL, "DELETE FROM uploads WHERE expires_at <= ?", "i", s->now);
		s->uploads = rc ? 0 : (int)db_changes(db);
	}
	if (rc) {
		attachment_shas_free(s->sha256s, s->nsha);
		s->sha256s = NULL;
		s->nsha = 0;
		s->uploads = s->attachments = 0;
	}
	return rc;
}

int attachment_forget_run(struct db *db, void *arg)
{
	struct attachment_forget *f = arg;
	f->removed = 0;
	for (int i = 0; i < f->nsha; i++) {
		struct db_res *r;
		char path[1024];
		if (attachment_file_path(f->data_dir, f->sha256s[i], path, sizeof(path)))
			continue;
		int rc = db_query(db, &r, "SELECT COUNT(*) FROM attachments WHERE sha256 = ?", "s",
				  f->sha256s[i]);
		if (rc)
			return rc;
		int64_t refs = db_int(r, 0, 0);
		db_res_free(r);
		if (refs)
			continue;
		if (!unlink(path))
			f->removed++;
		else if (errno != ENOENT)
			log_warn("attachments", "cannot remove '%s': %s", path, strerror(errno));
	}
	return 0;
}
