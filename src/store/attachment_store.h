/* attachment_store.h - uploaded files: their bytes on disk and their rows.
 *
 * Bytes: content-addressed under DATA_DIR/files/ab/cdef... (ab = the first
 * two hex digits of the SHA-256, the rest names the file), so a file
 * uploaded twice is stored once.  attachment_file_put() writes a temp file
 * in the same directory, fsyncs it, rename()s it into place and fsyncs the
 * directory: a crash leaves either no file or the whole file under its real
 * name (plus, at worst, a stale ".tmp-*" that attachment_file_sweep_temp()
 * removes).
 *
 * Rows: uploads(token, user_id, created_at, expires_at) groups the
 * attachments (id, upload_token, comment_id, ticket_id, file_name,
 * content_type, size, sha256, created_at) one user sent before a comment
 * claims them.  ticket_store's comment_add() links them to a comment.
 *
 * Order of an upload: attachment_file_put() (outside any transaction), then
 * store_write(attachment_upload_run): the row is written only once the
 * file is in place.  A file loses its last row in attachment_forget_run,
 * run as a write of its own after the rows were deleted: the writer
 * thread runs one write at a time, and attachment_upload_run puts the file
 * back if it went missing, so a concurrent upload of the same bytes never
 * ends up with a row and no file.
 *
 * Getters return 0 and fill *out (caller clears), 1 when there is no such
 * row, or a negative DB_* code.  *_run functions run inside store_write()
 * and report through their struct: they return 0, DB_REFUSED when they
 * undid themselves on purpose (status 404/422), or another DB_* code
 * (status 500).
 */
#ifndef SONNIM_ATTACHMENT_STORE_H
#define SONNIM_ATTACHMENT_STORE_H
#include "core/comment.h"
#include "store/db.h"
#include <stddef.h>
#include <stdint.h>

/* How long an upload token may be attached: 3 days, as Zendesk. */
#define UPLOAD_TTL (3 * 24 * 3600)
/* Most attachments one upload token may gather. */
#define UPLOAD_MAX_FILES 100

/* ---- bytes on disk ------------------------------------------------------ */

/* Store data[0..len) under data_dir/files by its SHA-256 (lower-case hex,
 * written to sha256[65]).  Creates the directories as needed; when a file
 * of that name and size exists already nothing is written.  0, or -1 with
 * errno set (and nothing left under the real name). */
int attachment_file_put(const char *data_dir, const void *data, size_t len, char sha256[65]);
/* The path of the file for sha256 (64 lower-case hex digits) into out;
 * -1 when sha256 is not such a string or the path does not fit. */
int attachment_file_path(const char *data_dir, const char *sha256, char *out, size_t outlen);
/* Open the file for sha256 read-only: 0 with *fd (caller closes) and
 * *size, or -1 with errno (ENOENT when it is missing). */
int attachment_file_open(const char *data_dir, const char *sha256, int *fd, int64_t *size);
/* Read the whole file for sha256 into *out (owned, NUL-terminated, *len
 * bytes).  0, or -1 with errno (ENOENT missing, EIO short read). */
int attachment_file_read(const char *data_dir, const char *sha256, char **out, size_t *len);
/* Remove ".tmp-*" files older than max_age seconds left by crashed puts.
 * Returns how many were removed.  Walks the 256 fan-out directories. */
int attachment_file_sweep_temp(const char *data_dir, int64_t now, int64_t max_age);

/* ---- rows ---------------------------------------------------------------- */

/* One attachment row with what permission checks need. */
struct attachment_row {
	struct attachment a; /* id, file_name, content_type, sha256, size */
	char *upload_token;  /* owned; NULL for attachments made without one */
	int64_t owner_id;    /* the user who uploaded it (0 if the token is gone) */
	int64_t expires_at;  /* of the upload token (0 if gone) */
	int64_t comment_id;  /* 0 while not attached */
	int64_t ticket_id;   /* 0 while not attached */
	int comment_public;  /* 1 if the comment is public (or not attached) */
	int64_t created_at;
};
void attachment_row_clear(struct attachment_row *r);
void attachment_rows_free(struct attachment_row *v, int n);

int attachment_store_get(struct db *db, int64_t id, struct attachment_row *out);
/* The attachments of one upload token, by id: *out (free with
 * attachment_rows_free) of *n rows; 0 or DB_*. */
int attachment_store_by_token(struct db *db, const char *token, struct attachment_row **out,
			      int *n);

/* Add one file (already stored by attachment_file_put) to an upload.  With
 * token[0] == '\0' a new upload is made under new_token; otherwise the
 * upload `token` must exist, belong to user_id, not be expired and not be
 * attached yet.  If the file went missing (a concurrent forget), it is
 * written again from data/len. */
struct attachment_upload {
	/* in */
	const char *data_dir;
	const char *token;     /* existing token, or "" for a new upload */
	const char *new_token; /* used when token is "" */
	int64_t user_id, now;
	const char *file_name, *content_type, *sha256;
	const void *data;
	size_t len;
	/* out */
	int status; /* 0, 422 (err) or 500 */
	char err[128];
	int64_t id;	    /* the new attachment */
	int64_t expires_at; /* of the upload */
};
int attachment_upload_run(struct db *db, void *arg);

/* Delete an upload and its attachments (DELETE /api/v2/uploads/{token}):
 * only its owner, only while none is attached.  status 0, 404 (no such
 * token or not the owner's), 422 (already attached); sha256s are the files
 * that lost rows (owned, free with attachment_shas_free), for
 * attachment_forget_run. */
struct attachment_delete {
	const char *token;
	int64_t user_id;
	int status;
	char **sha256s;
	int nsha;
};
int attachment_upload_delete_run(struct db *db, void *arg);

/* Delete expired uploads and the attachments no comment claimed; like
 * attachment_delete it collects sha256s for attachment_forget_run. */
struct attachment_sweep {
	int64_t now;
	int uploads, attachments; /* out: rows deleted */
	char **sha256s;
	int nsha;
};
int attachment_sweep_run(struct db *db, void *arg);

/* Remove the files no attachment row refers to any more. */
struct attachment_forget {
	const char *data_dir;
	char *const *sha256s;
	int nsha;
	int removed; /* out: files unlinked */
};
int attachment_forget_run(struct db *db, void *arg);
void attachment_shas_free(char **v, int n);
#endif
