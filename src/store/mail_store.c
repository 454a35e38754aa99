/* mail_store.c - the email channel's rows (see mail_store.h for the order
 * of an inbound message).
 *
 * Every function is one or two statements on indexed columns: the inbound
 * row by id, the sender's recent mail by (from_email, created_at), a
 * Message-ID by its primary key, a ticket's ids by (ticket_id,
 * created_at).  The per-sender count is the only range scan and is bounded
 * by the rate limit window.
 */
#include "store/mail_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "store/job_store.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return s ? xstrdup(s) : NULL;
}

/* ---- inbound mail ------------------------------------------------------- */

#define INBOUND_COLS                                                                              \
	"id, source, mail_from, recipients, sha256, size, from_email, subject, message_id,"   \
	" state, reason, ticket_id, comment_id, created_at, processed_at"

void inbound_mail_clear(struct inbound_mail *m)
{
	free(m->source);
	free(m->mail_from);
	free(m->recipients);
	free(m->sha256);
	free(m->from_email);
	free(m->subject);
	free(m->message_id);
	free(m->state);
	free(m->reason);
	memset(m, 0, sizeof(*m));
}

void inbound_mail_list_free(struct inbound_mail *v, int n)
{
	for (int i = 0; i < n; i++)
		inbound_mail_clear(&v[i]);
	free(v);
}

static void inbound_from_row(const struct db_res *r, int i, struct inbound_mail *m)
{
	m->id = db_int(r, i, 0);
	m->source = dup_col(r, i, 1);
	m->mail_from = dup_col(r, i, 2);
	m->recipients = dup_col(r, i, 3);
	m->sha256 = dup_col(r, i, 4);
	m->size = db_int(r, i, 5);
	m->from_email = dup_col(r, i, 6);
	m->subject = dup_col(r, i, 7);
	m->message_id = dup_col(r, i, 8);
	m->state = dup_col(r, i, 9);
	m->reason = dup_col(r, i, 10);
	m->ticket_id = db_int(r, i, 11);
	m->comment_id = db_int(r, i, 12);
	m->created_at = db_int(r, i, 13);
	m->processed_at = db_int(r, i, 14);
}

static int queue_inbound(struct db *db, int64_t id, int64_t now)
{
	char payload[48];
	snprintf(payload, sizeof(payload), "{\"id\":%" PRId64 "}", id);
	return job_store_enqueue(db, "mail.inbound", payload, now, 5, now, NULL);
}

int inbound_mail_add_run(struct db *db, void *arg)
{
	struct inbound_mail_add *a = arg;
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO inbound_mails (source, mail_from, recipients, sha256, size,"
			  " state, created_at) VALUES (?, ?, ?, ?, ?, 'received', ?) RETURNING id",
			  "ssssii", a->source, a->mail_from,
			  a->recipients_json ? a->recipients_json : "[]", a->sha256, a->size, a->now);
	if (rc)
		return rc;
	a->id = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	if (!a->id)
		return DB_ERR;
	if ((rc = queue_inbound(db, a->id, a->now)))
		return rc;
	if (a->imap_account_id)
		rc = db_query(db, NULL,
			      "UPDATE imap_accounts SET uidvalidity = ?, last_uid = ?, updated_at = ?"
			      " WHERE id = ?",
			      "iiii", a->uidvalidity, a->uid, a->now, a->imap_account_id);
	return rc;
}

int inbound_mail_get(struct db *db, int64_t id, struct inbound_mail *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " INBOUND_COLS " FROM inbound_mails WHERE id = ?", "i",
			  id);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	rc = r->nrows ? 0 : 1;
	if (!rc)
		inbound_from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int inbound_mail_list(struct db *db, const char *state, const struct window *win,
		      struct inbound_mail **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT " INBOUND_COLS " FROM inbound_mails WHERE 1 = 1");
	if (state) {
		buf_adds(&sql, " AND state = ?");
		a[na++] = (struct db_arg){.type = 's', .s = state};
	}
	window_sql(win, "id", NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	if (r->nrows) {
		*out = xcalloc((size_t)r->nrows, sizeof(**out));
		for (int i = 0; i < r->nrows; i++)
			inbound_from_row(r, i, &(*out)[i]);
		*n = r->nrows;
	}
	db_res_free(r);
	return 0;
}

int inbound_mail_count(struct db *db, const char *state, int64_t *n)
{
	struct db_res *r;
	int rc = state ? db_query(db, &r, "SELECT COUNT(*) FROM inbound_mails WHERE state = ?", "s",
				  state)
		       : db_query(db, &r, "SELECT COUNT(*) FROM inbound_mails", "");
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int inbound_mail_finish(struct db *db, int64_t id, const char *state, const char *reason,
			const char *from_email, const char *subject, const char *message_id,
			int64_t ticket_id, int64_t comment_id, int64_t now)
{
	return db_query(db, NULL,
			"UPDATE inbound_mails SET state = ?, reason = ?, from_email = ?, subject = ?,"
			" message_id = ?, ticket_id = NULLIF(CAST(? AS BIGINT), 0),"
			" comment_id = NULLIF(CAST(? AS BIGINT), 0), processed_at = ? WHERE id = ?",
			"sssssiiii", state, reason, from_email, subject, message_id, ticket_id,
			comment_id, now, id);
}

int inbound_mail_requeue(struct db *db, int64_t id, int64_t now)
{
	int rc = db_query(db, NULL,
			  "UPDATE inbound_mails SET state = 'received', reason = NULL,"
			  " processed_at = NULL WHERE id = ?",
			  "i", id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	return queue_inbound(db, id, now);
}

int inbound_mail_sender_count(struct db *db, const char *from_email, int64_t since, int64_t *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT COUNT(*) FROM inbound_mails WHERE from_email = ? AND created_at >= ?"
			  " AND state IN ('processed', 'ignored')",
			  "si", from_email, since);
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

/* ---- Message-IDs ---------------------------------------------------------- */

int mail_msgid_add(struct db *db, const char *message_id, int64_t ticket_id,
		   int64_t comment_id, int inbound, int64_t now)
{
	if (!message_id || !*message_id)
		return 0;
	return db_query(db, NULL,
			"INSERT INTO mail_message_ids (message_id, ticket_id, comment_id, inbound,"
			" created_at) VALUES (?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?)"
			" ON CONFLICT (message_id) DO NOTHING",
			"siiii", message_id, ticket_id, comment_id, (int64_t)(inbound != 0), now);
}

int mail_msgid_ticket(struct db *db, const char *message_id, int64_t *ticket_id)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT ticket_id FROM mail_message_ids WHERE message_id = ?",
			  "s", message_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	*ticket_id = rc ? 0 : db_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int mail_msgid_list(struct db *db, int64_t ticket_id, int limit, char ***ids, int *n)
{
	struct db_res *r;
	*ids = NULL;
	*n = 0;
	int rc = db_query(db, &r,
			  "SELECT message_id FROM mail_message_ids WHERE ticket_id = ?"
			  " ORDER BY created_at DESC, message_id DESC LIMIT ?",
			  "ii", ticket_id, (int64_t)limit);
	if (rc)
		return rc;
	if (r->nrows) {
		*ids = xcalloc((size_t)r->nrows, sizeof(char *));
		for (int i = 0; i < r->nrows; i++) /* oldest first */
			(*ids)[r->nrows - 1 - i] = xstrdup(db_str(r, i, 0));
		*n = r->nrows;
	}
	db_res_free(r);
	return 0;
}

void mail_msgid_list_free(char **ids, int n)
{
	for (int i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int mail_msgid_last_inbound(struct db *db, int64_t ticket_id, char **id)
{
	struct db_res *r;
	*id = NULL;
	int rc = db_query(db, &r,
			  "SELECT message_id FROM mail_message_ids WHERE ticket_id = ? AND inbound = 1"
			  " ORDER BY created_at DESC, message_id DESC LIMIT 1",
			  "i", ticket_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		*id = xstrdup(db_str(r, 0, 0));
	db_res_free(r);
	return rc;
}

/* ---- a ticket's support address ------------------------------------------ */

int ticket_mail_set(struct db *db, int64_t ticket_id, const char *recipient,
		    int64_t followup_of)
{
	return db_query(db, NULL,
			"INSERT INTO ticket_mail (ticket_id, recipient, followup_of)"
			" VALUES (?, ?, NULLIF(CAST(? AS BIGINT), 0))"
			" ON CONFLICT (ticket_id) DO UPDATE SET recipient = excluded.recipient",
			"isi", ticket_id, recipient, followup_of);
}

int ticket_mail_get(struct db *db, int64_t ticket_id, char **recipient, int64_t *followup_of)
{
	struct db_res *r;
	*recipient = NULL;
	int rc = db_query(db, &r,
			  "SELECT recipient, followup_of FROM ticket_mail WHERE ticket_id = ?", "i",
			  ticket_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc) {
		*recipient = xstrdup(db_str(r, 0, 0));
		if (followup_of)
			*followup_of = db_int(r, 0, 1);
	}
	db_res_free(r);
	return rc;
}

/* ---- support addresses ------------------------------------------------------ */

#define RA_COLS "id, email, name, group_id, is_default, created_at, updated_at"

void recipient_address_clear(struct recipient_address *a)
{
	free(a->email);
	free(a->name);
	memset(a, 0, sizeof(*a));
}

void recipient_address_list_free(struct recipient_address *v, int n)
{
	for (int i = 0; i < n; i++)
		recipient_address_clear(&v[i]);
	free(v);
}

static void ra_from_row(const struct db_res *r, int i, struct recipient_address *a)
{
	a->id = db_int(r, i, 0);
	a->email = dup_col(r, i, 1);
	a->name = dup_col(r, i, 2);
	a->group_id = db_int(r, i, 3);
	a->is_default = (int)db_int(r, i, 4);
	a->created_at = db_int(r, i, 5);
	a->updated_at = db_int(r, i, 6);
}

static int ra_one(struct db_res *r, int rc, struct recipient_address *out)
{
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	rc = r->nrows ? 0 : 1;
	if (!rc)
		ra_from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int recipient_address_list(struct db *db, struct recipient_address **out, int *n)
{
	struct db_res *r;
	*out = NULL;
	*n = 0;
	int rc = db_query(db, &r, "SELECT " RA_COLS " FROM recipient_addresses ORDER BY id", "");
	if (rc)
		return rc;
	if (r->nrows) {
		*out = xcalloc((size_t)r->nrows, sizeof(**out));
		for (int i = 0; i < r->nrows; i++)
			ra_from_row(r, i, &(*out)[i]);
		*n = r->nrows;
	}
	db_res_free(r);
	return 0;
}

int recipient_address_get(struct db *db, int64_t id, struct recipient_address *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " RA_COLS " FROM recipient_addresses WHERE id = ?", "i",
			  id);
	return ra_one(r, rc, out);
}

int recipient_address_by_email(struct db *db, const char *email, struct recipient_address *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " RA_COLS " FROM recipient_addresses WHERE email = ?",
			  "s", email);
	return ra_one(r, rc, out);
}

int recipient_address_default(struct db *db, struct recipient_address *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " RA_COLS " FROM recipient_addresses ORDER BY is_default DESC, id"
			  " LIMIT 1",
			  "");
	return ra_one(r, rc, out);
}

int recipient_address_save(struct db *db, struct recipient_address *a)
{
	int rc;
	int64_t now = now_seconds();
	if (a->is_default &&
	    (rc = db_query(db, NULL, "UPDATE recipient_addresses SET is_default = 0 WHERE id <> ?",
			   "i", a->id)))
		return rc;
	if (a->id)
		return db_query(db, NULL,
				"UPDATE recipient_addresses SET email = ?, name = ?,"
				" group_id = NULLIF(CAST(? AS BIGINT), 0), is_default = ?,"
				" updated_at = ? WHERE id = ?",
				"ssiiii", a->email, a->name, a->group_id, (int64_t)a->is_default, now,
				a->id);
	struct db_res *r;
	rc = db_query(db, &r,
		      "INSERT INTO recipient_addresses (email, name, group_id, is_default,"
		      " created_at, updated_at) VALUES (?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?)"
		      " RETURNING id",
		      "ssiiii", a->email, a->name, a->group_id, (int64_t)a->is_default, now, now);
	if (rc)
		return rc;
	a->id = r->nrows ? db_int(r, 0, 0) : 0;
	a->created_at = a->updated_at = now;
	db_res_free(r);
	return 0;
}

int recipient_address_delete(struct db *db, int64_t id)
{
	return db_query(db, NULL, "DELETE FROM recipient_addresses WHERE id = ?", "i", id);
}

/* ---- IMAP mailboxes ---------------------------------------------------------- */

#define IMAP_COLS                                                                                 \
	"id, url, username, password, recipient, active, uidvalidity, last_uid, last_error,"  \
	" polled_at, created_at, updated_at"

void imap_account_clear(struct imap_account_row *a)
{
	free(a->url);
	free(a->username);
	free(a->password);
	free(a->recipient);
	free(a->last_error);
	memset(a, 0, sizeof(*a));
}

void imap_account_list_free(struct imap_account_row *v, int n)
{
	for (int i = 0; i < n; i++)
		imap_account_clear(&v[i]);
	free(v);
}

static void imap_from_row(const struct db_res *r, int i, struct imap_account_row *a)
{
	a->id = db_int(r, i, 0);
	a->url = dup_col(r, i, 1);
	a->username = dup_col(r, i, 2);
	a->password = dup_col(r, i, 3);
	a->recipient = dup_col(r, i, 4);
	a->active = (int)db_int(r, i, 5);
	a->uidvalidity = db_int(r, i, 6);
	a->last_uid = db_int(r, i, 7);
	a->last_error = dup_col(r, i, 8);
	a->polled_at = db_int(r, i, 9);
	a->created_at = db_int(r, i, 10);
	a->updated_at = db_int(r, i, 11);
}

int imap_account_list(struct db *db, int active_only, struct imap_account_row **out, int *n)
{
	struct db_res *r;
	*out = NULL;
	*n = 0;
	int rc = active_only ? db_query(db, &r,
					"SELECT " IMAP_COLS " FROM imap_accounts WHERE active = 1"
					" ORDER BY id",
					"")
			     : db_query(db, &r, "SELECT " IMAP_COLS " FROM imap_accounts ORDER BY id",
					"");
	if (rc)
		return rc;
	if (r->nrows) {
		*out = xcalloc((size_t)r->nrows, sizeof(**out));
		for (int i = 0; i < r->nrows; i++)
			imap_from_row(r, i, &(*out)[i]);
		*n = r->nrows;
	}
	db_res_free(r);
	return 0;
}

int imap_account_get(struct db *db, int64_t id, struct imap_account_row *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " IMAP_COLS " FROM imap_accounts WHERE id = ?", "i", id);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	rc = r->nrows ? 0 : 1;
	if (!rc)
		imap_from_row(r, 0, out);
	db_res_free(r);
	return rc;
}

int imap_account_save(struct db *db, struct imap_account_row *a)
{
	int64_t now = now_seconds();
	if (a->id)
		return db_query(db, NULL,
				"UPDATE imap_accounts SET url = ?, username = ?, password = ?,"
				" recipient = ?, active = ?, updated_at = ? WHERE id = ?",
				"ssssiii", a->url, a->username, a->password, a->recipient,
				(int64_t)a->active, now, a->id);
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO imap_accounts (url, username, password, recipient, active,"
			  " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  "ssssiii", a->url, a->username, a->password, a->recipient,
			  (int64_t)a->active, now, now);
	if (rc)
		return rc;
	a->id = r->nrows ? db_int(r, 0, 0) : 0;
	a->created_at = a->updated_at = now;
	db_res_free(r);
	return 0;
}

int imap_account_delete(struct db *db, int64_t id)
{
	return db_query(db, NULL, "DELETE FROM imap_accounts WHERE id = ?", "i", id);
}

int imap_account_polled(struct db *db, int64_t id, const char *error, int64_t now)
{
	return db_query(db, NULL, "UPDATE imap_accounts SET last_error = ?, polled_at = ? WHERE id = ?",
			"sii", error, now, id);
}

int imap_account_reset(struct db *db, int64_t id, int64_t uidvalidity)
{
	return db_query(db, NULL,
			"UPDATE imap_accounts SET uidvalidity = ?, last_uid = 0 WHERE id = ?", "ii",
			uidvalidity, id);
}

int mail_system_user(struct db *db, int64_t *id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id FROM users WHERE role = 'admin' AND active = 1 ORDER BY id LIMIT 1",
			  "");
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	*id = rc ? 0 : db_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

/* ---- identities ----------------------------------------------------------------- */

int identity_store_bounced(struct db *db, const char *email, int64_t now)
{
	return db_query(db, NULL,
			"UPDATE user_identities SET undeliverable_count = undeliverable_count + 1,"
			" updated_at = ? WHERE type = 'email' AND value = ?",
			"is", now, email);
}

int identity_store_undeliverable(struct db *db, const char *email, int64_t *count)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT undeliverable_count FROM user_identities WHERE type = 'email'"
			  " AND value = ?",
			  "s", email);
	if (rc)
		return rc;
	*count = r->nrows ? db_int(r, 0, 0) : 0;
	db_res_free(r);
	return 0;
}
