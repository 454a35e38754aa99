/* uploads.c - /api/v2/uploads and /api/v2/attachments: Zendesk's attachment
 * flow.
 *
 *   POST   /api/v2/uploads.json?filename=NAME[&token=T]  raw bytes -> 201
 *          {"upload":{"token","expires_at","attachment","attachments"}}
 *   DELETE /api/v2/uploads/{token}.json                  owner, unattached -> 204
 *   GET    /api/v2/attachments/{id}.json                 {"attachment":{...}}
 *   GET    /api/v2/attachments/{id}/content              the bytes
 * A ticket update whose comment carries "uploads":[T] then claims the
 * upload's attachments (ticket_store's comment_add), and they show in the
 * comment's "attachments".
 *
 * An upload, in order: clean the file name (422) -> refuse an empty body
 * (422; server.c answered 413 already for one over cfg.max_upload) ->
 * libmagic decides the content type from the bytes (the client's
 * Content-Type is ignored) -> the bytes go to DATA_DIR/files by SHA-256
 * (attachment_file_put: temp file, fsync, rename) -> ONE store_write adds
 * the row (and the upload token when new) -> the reply is read back from
 * the committed rows.  Cost: one SHA-256 and one libmagic pass over the
 * body, one file write + 2 fsyncs for new bytes, 3-4 statements.
 *
 * Who sees what: an attachment not yet attached only its uploader (while
 * the token is valid); an attached one whoever may see its ticket
 * (ticket_can_view), and for end-users only on a public comment.  Anything
 * else is a 404, never a 403, so ids do not leak.
 *
 * Downloads stream the file from disk (a file-descriptor response) with
 * ETag = the SHA-256 (If-None-Match -> 304) and the headers that keep an
 * uploaded page from running script in Sonnim's origin: filetype_serve()'s
 * allow-list decides inline vs. an application/octet-stream download, and
 * Content-Security-Policy: sandbox covers what a browser renders anyway
 * (server.c adds X-Content-Type-Options: nosniff to every reply).
 */
#include "api/api.h"
#include "base/log.h"
#include "base/util.h"
#include "core/filetype.h"
#include "http/auth.h"
#include "store/attachment_store.h"
#include "store/ticket_store.h"
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <string.h>
#include <unistd.h>

/* What a rendered attachment may do: nothing (GitHub's raw content CSP). */
#define CONTENT_CSP "default-src 'none'; style-src 'unsafe-inline'; sandbox"
/* Cache in the user's browser only, and revalidate (a cheap 304) each time
 * so a lost permission takes effect at once. */
#define CONTENT_CACHE "private, no-cache"

static json_t *attachment_json(struct server *s, const struct attachment_row *row)
{
	char url[400], content[400];
	snprintf(url, sizeof(url), "%s/api/v2/attachments/%" PRId64 ".json", s->cfg.base_url,
		 row->a.id);
	snprintf(content, sizeof(content), "%s/api/v2/attachments/%" PRId64 "/content",
		 s->cfg.base_url, row->a.id);
	json_t *j = json_pack(
	    "{s:I,s:s,s:o,s:s,s:s,s:o,s:I,s:n,s:n,s:b,s:b,s:b,s:s,s:[]}", "id",
	    (json_int_t)row->a.id, "url", url, "file_name", jstr(row->a.file_name), "content_url",
	    content, "mapped_content_url", content, "content_type", jstr(row->a.content_type),
	    "size", (json_int_t)row->a.size, "width", "height", "inline", 0, "deleted", 0,
	    "malware_access_override", 0, "malware_scan_result", "not_scanned", "thumbnails");
	if (!j) /* a stored name that is not UTF-8 cannot happen; never crash on it */
		j = json_pack("{s:I,s:s}", "id", (json_int_t)row->a.id, "content_url", content);
	return j;
}

/* ---- uploads ---------------------------------------------------------------- */

static int uploads_create(struct req *r)
{
	if (r->too_large)
		return reply_error(r, 413, "RequestTooLarge",
				   "the file is larger than the upload limit", NULL);
	const char *raw = NULL;
	size_t rawlen = 0;
	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, "filename", 8, &raw,
					  &rawlen) != MHD_YES)
		raw = NULL, rawlen = 0;
	char name[FILETYPE_NAME_MAX + 1], err[128];
	if (filetype_name_clean(raw, rawlen, name, sizeof(name), err, sizeof(err)))
		return reply_invalid(r, err);
	if (!r->body.len)
		return reply_invalid(r, "file: the upload is empty (send the file as the body)");
	const char *token = req_arg(r, "token");
	if (!token)
		token = "";
	if (strlen(token) > 64)
		return reply_invalid(r, "token: unknown upload token");

	char type[128], sha[65], new_token[41];
	filetype_sniff(r->body.s, r->body.len, type, sizeof(type));
	if (attachment_file_put(r->srv->cfg.data_dir, r->body.s, r->body.len, sha)) {
		int e = errno;
		log_error("uploads", "cannot store a file in '%s/files': %s", r->srv->cfg.data_dir,
			  strerror(e));
		if (e == ENOSPC || e == EDQUOT)
			return reply_error(r, 507, "InsufficientStorage",
					   "there is no room left to store the file", NULL);
		return reply_error(r, 500, "InternalError", "the file could not be stored", NULL);
	}
	token_new(new_token);
	struct attachment_upload u = {
	    .data_dir = r->srv->cfg.data_dir,
	    .token = token,
	    .new_token = new_token,
	    .user_id = r->actor.user_id,
	    .now = now_seconds(),
	    .file_name = name,
	    .content_type = type,
	    .sha256 = sha,
	    .data = r->body.s,
	    .len = r->body.len,
	};
	int rc = store_write(r->srv->store, attachment_upload_run, &u);
	if (rc && u.status == 422)
		return reply_invalid(r, u.err);
	if (rc) {
		log_error("uploads", "upload write failed: %s", u.err[0] ? u.err : "commit failed");
		return reply_error(r, 500, "InternalError", "the upload could not be saved", NULL);
	}
	const char *tok = *token ? token : new_token;
	struct attachment_row *rows;
	int n;
	if (attachment_store_by_token(req_db(r), tok, &rows, &n))
		return reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
	json_t *all = json_array(), *one = NULL;
	for (int i = 0; i < n; i++) {
		json_array_append_new(all, attachment_json(r->srv, &rows[i]));
		if (rows[i].a.id == u.id)
			one = attachment_json(r->srv, &rows[i]);
	}
	attachment_rows_free(rows, n);
	if (!one) { /* committed but not visible to this reader: should not happen */
		json_decref(all);
		log_error("uploads", "attachment %" PRId64 " not readable after commit", u.id);
		return reply_error(r, 503, "DatabaseError", "the upload is not readable yet", NULL);
	}
	return reply_json(r, 201,
			  json_pack("{s:{s:s,s:o,s:o,s:o}}", "upload", "token", tok, "expires_at",
				    jtime(u.expires_at), "attachment", one, "attachments", all));
}

/* After rows went away: drop the files nothing refers to any more.  A
 * failure here only leaves a file behind (logged). */
static void forget_files(struct req *r, char **shas, int n)
{
	if (!n)
		return;
	struct attachment_forget f = {.data_dir = r->srv->cfg.data_dir, .sha256s = shas, .nsha = n};
	if (store_write(r->srv->store, attachment_forget_run, &f))
		log_warn("uploads", "could not check %d file(s) for removal", n);
}

static int uploads_delete(struct req *r)
{
	struct attachment_delete d = {.token = r->word, .user_id = r->actor.user_id};
	int rc = store_write(r->srv->store, attachment_upload_delete_run, &d);
	if (rc) {
		attachment_shas_free(d.sha256s, d.nsha);
		if (d.status == 404)
			return reply_not_found(r);
		if (d.status == 422)
			return reply_invalid(r,
					     "token: the upload is attached to a comment already");
		return reply_error(r, 500, "InternalError", "the upload could not be deleted",
				   NULL);
	}
	forget_files(r, d.sha256s, d.nsha);
	attachment_shas_free(d.sha256s, d.nsha);
	return reply_raw(r, 204, "application/json", "", 0);
}

/* ---- attachments ------------------------------------------------------------ */

/* Load attachment id if the actor may see it: 0, or -1 after replying 404
 * (missing or not visible) or 503. */
static int load_visible_or_reply(struct req *r, int64_t id, struct attachment_row *row)
{
	int rc = attachment_store_get(req_db(r), id, row);
	if (rc < 0) {
		reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
		return -1;
	}
	int visible = 0;
	if (rc == 1) {
		visible = 0;
	} else if (!row->comment_id) {
		visible = row->owner_id && row->owner_id == r->actor.user_id &&
			  row->expires_at > now_seconds();
	} else {
		struct ticket t = {0};
		int trc = ticket_store_get(req_db(r), row->ticket_id, &t);
		if (trc < 0) {
			attachment_row_clear(row);
			reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
			return -1;
		}
		visible = trc == 0 && ticket_can_view(&r->actor, &t) &&
			  (row->comment_public || r->actor.role >= ROLE_AGENT);
		ticket_clear(&t);
	}
	if (!visible) {
		attachment_row_clear(row);
		reply_not_found(r);
		return -1;
	}
	return 0;
}

static int attachments_show(struct req *r)
{
	struct attachment_row row = {0};
	if (load_visible_or_reply(r, r->id[0], &row))
		return 0;
	json_t *out = json_pack("{s:o}", "attachment", attachment_json(r->srv, &row));
	attachment_row_clear(&row);
	return reply_json(r, 200, out);
}

/* 1 if the If-None-Match list (RFC 9110: "*" or comma-separated entity
 * tags, weak or strong) holds etag (quoted). */
static int etag_matches(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		const char *q = p;
		while (*q && *q != ',' && *q != ' ' && *q != '\t')
			q++;
		if ((size_t)(q - p) == elen && !memcmp(p, etag, elen))
			return 1;
		p = q;
	}
	return 0;
}

/* Queue a reply that streams fd (size bytes; closed by libmicrohttpd when
 * the reply is freed).  server.c has no reply_* for this yet: this sets
 * r->resp and r->status exactly as its queue() does. */
static int reply_fd(struct req *r, int fd, int64_t size, const char *ctype)
{
	struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)size, fd);
	if (!resp) {
		close(fd);
		return reply_error(r, 500, "InternalError", "the file could not be sent", NULL);
	}
	if (r->resp)
		BUG("second reply for %s %s", r->method_name, r->path);
	r->status = 200;
	r->resp = resp;
	MHD_add_response_header(resp, "Content-Type", ctype);
	return 0;
}

static void content_headers(struct req *r, const char *etag, const struct filetype_serve *sv,
			    const char *file_name)
{
	struct buf cd = BUF_INIT;
	filetype_disposition(&cd, sv->inline_ok, file_name ? file_name : "file");
	reply_header(r, "Content-Disposition", cd.s);
	buf_release(&cd);
	reply_header(r, "ETag", etag);
	reply_header(r, "Cache-Control", CONTENT_CACHE);
	reply_header(r, "Content-Security-Policy", CONTENT_CSP);
}

static int content_of(struct req *r, int64_t id)
{
	struct attachment_row row = {0};
	if (load_visible_or_reply(r, id, &row))
		return 0;
	char etag[70];
	snprintf(etag, sizeof(etag), "\"%s\"", row.a.sha256 ? row.a.sha256 : "");
	struct filetype_serve sv;
	filetype_serve(row.a.content_type, &sv);
	const char *inm = req_header(r, "If-None-Match");
	if (inm && etag_matches(inm, etag)) {
		reply_raw(r, 304, sv.content_type, "", 0);
		content_headers(r, etag, &sv, row.a.file_name);
		attachment_row_clear(&row);
		return 0;
	}
	int fd;
	int64_t size;
	if (attachment_file_open(r->srv->cfg.data_dir, row.a.sha256, &fd, &size)) {
		log_error("uploads", "attachment %" PRId64 ": file %s: %s", row.a.id,
			  row.a.sha256 ? row.a.sha256 : "(none)", strerror(errno));
		attachment_row_clear(&row);
		return reply_error(r, 500, "InternalError", "the file is not available", NULL);
	}
	reply_fd(r, fd, size, sv.content_type);
	if (r->status == 200)
		content_headers(r, etag, &sv, row.a.file_name);
	attachment_row_clear(&row);
	return 0;
}

static int attachments_content(struct req *r)
{
	return content_of(r, r->id[0]);
}

int upload_create_or_reply(struct req *r)
{
	return uploads_create(r);
}

int attachment_content_or_reply(struct req *r, int64_t id)
{
	return content_of(r, id);
}

const struct route upload_routes[] = {
	{M_POST, "/api/v2/uploads.json", ROLE_END_USER, uploads_create, 1},
	{M_POST, "/api/v2/uploads", ROLE_END_USER, uploads_create, 1},
	{M_DELETE, "/api/v2/uploads/{word}.json", ROLE_END_USER, uploads_delete, 0},
	{M_DELETE, "/api/v2/uploads/{word}", ROLE_END_USER, uploads_delete, 0},
	{M_GET, "/api/v2/attachments/{id}.json", ROLE_AGENT, attachments_show, 0},
	{M_GET, "/api/v2/attachments/{id}", ROLE_AGENT, attachments_show, 0},
	{M_GET, "/api/v2/attachments/{id}/content", ROLE_END_USER, attachments_content, 0},
	{0},
};
