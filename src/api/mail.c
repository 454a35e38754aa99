/* mail.c - the email channel's admin API.
 *
 *   POST /api/v2/sonnim/mail/inbound            a raw message in (sonnim mailgate);
 *                                               ?sender=&recipient= give the envelope
 *   GET  /api/v2/sonnim/mail/inbound            inbound mail, ?state=failed for the
 *                                               unprocessable list
 *   GET  /api/v2/sonnim/mail/inbound/{id}       one, with its reason and ticket
 *   GET  /api/v2/sonnim/mail/inbound/{id}/raw   the message as .eml
 *   POST /api/v2/sonnim/mail/inbound/{id}/reprocess   queue it again
 *   /api/v2/recipient_addresses[/{id}]          Zendesk's support addresses
 *                                               (+ group_id: where new tickets go)
 *   /api/v2/sonnim/imap_accounts[/{id}]         mailboxes polled over IMAP
 *                                               (the password is never shown)
 *   POST /api/v2/sonnim/imap_accounts/poll      poll every mailbox now
 *
 * All admin-only.  Each handler validates, runs one store call and replies
 * in Zendesk's shapes; errors are Zendesk's error bodies.
 */
#include "api/api.h"
#include "base/util.h"
#include "channels/email/email.h"
#include "core/user.h"
#include "jobs/jobs.h"
#include "store/group_store.h"
#include "store/attachment_store.h"
#include "store/mail_store.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- inbound mail ------------------------------------------------------------ */

static json_t *inbound_json(struct server *s, const struct inbound_mail *m)
{
	json_t *rcpts = json_loads(m->recipients ? m->recipients : "[]", 0, NULL);
	char url[512];
	snprintf(url, sizeof(url), "%s/api/v2/sonnim/mail/inbound/%" PRId64 "/raw", s->cfg.base_url,
		 m->id);
	return json_pack("{sI ss so so so sI so so so ss so so so so so ss}", "id", (json_int_t)m->id,
			 "source", m->source ? m->source : "", "mail_from", jstr(m->mail_from),
			 "recipients", rcpts ? rcpts : json_array(), "from", jstr(m->from_email),
			 "size", (json_int_t)m->size, "subject", jstr(m->subject), "message_id",
			 jstr(m->message_id), "state", jstr(m->state), "reason",
			 m->reason ? m->reason : "", "ticket_id", jid(m->ticket_id), "comment_id",
			 jid(m->comment_id), "created_at", jtime(m->created_at), "processed_at",
			 jtime(m->processed_at), "raw_url", json_string(url), "sha256",
			 m->sha256 ? m->sha256 : "");
}

static int inbound_post(struct req *r)
{
	if (r->too_large)
		return reply_error(r, 413, "PayloadTooLarge", "the message is too large", NULL);
	if (!r->body.len)
		return reply_error(r, 400, "InvalidMessage", "the request body must be the message",
				   NULL);
	const char *sender = req_arg(r, "sender"), *rcpt = req_arg(r, "recipient");
	char *rnorm = NULL;
	if (rcpt && email_normalize(rcpt, &rnorm))
		return reply_invalid(r, "recipient: is not an email address");
	const char *rv[1] = {rnorm};
	int64_t id;
	char err[256];
	int rc = email_accept(r->srv, "mailgate", sender, rv, rnorm ? 1 : 0, r->body.s, r->body.len,
			      &id, err, sizeof(err));
	free(rnorm);
	if (rc == -2)
		return reply_error(r, 413, "PayloadTooLarge", err, NULL);
	if (rc)
		return reply_error(r, 503, "TemporaryFailure", err, NULL);
	struct inbound_mail m;
	if (inbound_mail_get(req_db(r), id, &m))
		return reply_db_down(r);
	json_t *out = json_pack("{so}", "inbound_mail", inbound_json(r->srv, &m));
	inbound_mail_clear(&m);
	return reply_json(r, 201, out);
}

static const char *const states[] = {"received", "processed", "failed", "ignored"};

static int inbound_list(struct req *r)
{
	const char *state = req_arg(r, "state");
	if (state) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(states) && strcmp(states[i], state); i++)
			;
		if (i == ARRAY_SIZE(states))
			return reply_error(r, 400, "InvalidParameter",
					   "state must be received, processed, failed or ignored",
					   NULL);
	}
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	if (!p.cursor && !req_arg(r, "sort_order"))
		p.desc = 1; /* newest first */
	struct window w;
	page_window(&p, &w);
	struct inbound_mail *v;
	int n;
	int64_t count = -1;
	if (inbound_mail_list(req_db(r), state, &w, &v, &n) ||
	    (!p.cursor && inbound_mail_count(req_db(r), state, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, inbound_json(r->srv, &v[i]));
	json_t *out = json_pack("{so}", "inbound_mails", arr);
	page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, count);
	inbound_mail_list_free(v, n + more);
	return reply_json(r, 200, out);
}

static int inbound_or_reply(struct req *r, struct inbound_mail *m)
{
	int rc = inbound_mail_get(req_db(r), r->id[0], m);
	if (rc < 0)
		reply_db_down(r);
	else if (rc)
		reply_not_found(r);
	return rc ? -1 : 0;
}

static int inbound_show(struct req *r)
{
	struct inbound_mail m;
	if (inbound_or_reply(r, &m))
		return 0;
	json_t *out = json_pack("{so}", "inbound_mail", inbound_json(r->srv, &m));
	inbound_mail_clear(&m);
	return reply_json(r, 200, out);
}

static int inbound_raw(struct req *r)
{
	struct inbound_mail m;
	if (inbound_or_reply(r, &m))
		return 0;
	char *b;
	size_t got;
	int rc = attachment_file_read(r->srv->cfg.data_dir, m.sha256, &b, &got);
	inbound_mail_clear(&m);
	if (rc)
		return reply_error(r, 410, "Gone", "the raw message file is missing", NULL);
	reply_take(r, 200, "message/rfc822", b, got);
	char cd[96];
	snprintf(cd, sizeof(cd), "attachment; filename=\"inbound-%" PRId64 ".eml\"", r->id[0]);
	reply_header(r, "Content-Disposition", cd);
	reply_header(r, "X-Content-Type-Options", "nosniff");
	return 0;
}

struct requeue {
	int64_t id;
	int rc;
};

static int requeue_run(struct db *db, void *arg)
{
	struct requeue *q = arg;
	q->rc = inbound_mail_requeue(db, q->id, now_seconds());
	return q->rc < 0 ? q->rc : 0;
}

static int inbound_reprocess(struct req *r)
{
	struct requeue q = {.id = r->id[0]};
	if (store_write(r->srv->store, requeue_run, &q))
		return reply_db_down(r);
	if (q.rc == 1)
		return reply_not_found(r);
	jobs_kick();
	struct inbound_mail m;
	if (inbound_or_reply(r, &m))
		return 0;
	json_t *out = json_pack("{so}", "inbound_mail", inbound_json(r->srv, &m));
	inbound_mail_clear(&m);
	return reply_json(r, 200, out);
}

/* ---- support addresses ------------------------------------------------------ */

static json_t *ra_json(struct server *s, const struct recipient_address *a)
{
	return json_pack("{sI ss so so sb ss ss so so}", "id", (json_int_t)a->id, "email", a->email,
			 "name", jstr(a->name), "group_id", jid(a->group_id), "default",
			 a->is_default, "forwarding_status", "verified", "spf_status", "verified",
			 "created_at", jtime(a->created_at), "updated_at", jtime(a->updated_at));
}

static int ra_list(struct req *r)
{
	struct recipient_address *v;
	int n;
	if (recipient_address_list(req_db(r), &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, ra_json(r->srv, &v[i]));
	recipient_address_list_free(v, n);
	return reply_json(r, 200,
			  json_pack("{so so so sI}", "recipient_addresses", arr, "next_page",
				    json_null(), "previous_page", json_null(), "count",
				    (json_int_t)n));
}

static int ra_show(struct req *r)
{
	struct recipient_address a;
	int rc = recipient_address_get(req_db(r), r->id[0], &a);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{so}", "recipient_address", ra_json(r->srv, &a));
	recipient_address_clear(&a);
	return reply_json(r, 200, out);
}

struct ra_op {
	struct recipient_address a;
	int set_email, set_name, set_group, set_default;
	int status;	/* 0, 404, 422 */
	char err[160];
};

static int ra_save_run(struct db *db, void *arg)
{
	struct ra_op *op = arg;
	struct recipient_address cur = {0};
	int rc;
	if (op->a.id) {
		if ((rc = recipient_address_get(db, op->a.id, &cur))) {
			op->status = rc == 1 ? 404 : 500;
			return rc == 1 ? DB_REFUSED : rc;
		}
		if (!op->set_email) {
			free(op->a.email);
			op->a.email = xstrdup(cur.email);
		}
		if (!op->set_name) {
			free(op->a.name);
			op->a.name = cur.name ? xstrdup(cur.name) : NULL;
		}
		if (!op->set_group)
			op->a.group_id = cur.group_id;
		if (!op->set_default)
			op->a.is_default = cur.is_default;
		recipient_address_clear(&cur);
	}
	if (op->a.group_id) {
		struct group g = {0};
		rc = group_store_get(db, op->a.group_id, &g);
		int gone = rc == 1 || (rc == 0 && g.deleted);
		group_clear(&g);
		if (rc < 0)
			return rc;
		if (gone) {
			op->status = 422;
			snprintf(op->err, sizeof(op->err), "group_id: no such group");
			return DB_REFUSED;
		}
	}
	rc = recipient_address_save(db, &op->a);
	if (rc == DB_CONSTRAINT) {
		op->status = 422;
		snprintf(op->err, sizeof(op->err), "email: %s is already a support address",
			 op->a.email);
		return DB_REFUSED;
	}
	return rc;
}

static int ra_write(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	json_t *o = json_object_get(body, "recipient_address");
	struct ra_op op = {.a = {.id = id}};
	char err[256] = "", *email = NULL;
	int ok = json_is_object(o) &&
		 (op.set_email = jget_str(o, "email", &email, err, sizeof(err))) >= 0 &&
		 (op.set_name = jget_str(o, "name", &op.a.name, err, sizeof(err))) >= 0 &&
		 (op.set_group = jget_id(o, "group_id", &op.a.group_id, err, sizeof(err))) >= 0 &&
		 (op.set_default = jget_bool(o, "default", &op.a.is_default, err, sizeof(err))) >= 0;
	json_decref(body);
	const char *bad = !ok ? (*err ? err : "recipient_address: is required") : NULL;
	if (!bad && !id && !op.set_email)
		bad = "email: is required";
	if (!bad && op.set_email && (!email || email_normalize(email, &op.a.email)))
		bad = "email: is not an email address";
	if (!bad && op.a.name && (strlen(op.a.name) > 255 || strpbrk(op.a.name, "\r\n")))
		bad = "name: must be one line of at most 255 bytes";
	free(email);
	if (bad) {
		int rc = reply_invalid(r, bad);
		recipient_address_clear(&op.a);
		return rc;
	}
	int rc = store_write(r->srv->store, ra_save_run, &op);
	if (rc) {
		recipient_address_clear(&op.a);
		if (op.status == 404)
			return reply_not_found(r);
		if (op.status == 422)
			return !strncmp(op.err, "email", 5) ? reply_taken(r, "email", op.err)
							    : reply_invalid(r, op.err);
		return reply_db_down(r);
	}
	struct recipient_address a;
	rc = recipient_address_get(req_db(r), op.a.id, &a);
	recipient_address_clear(&op.a);
	if (rc)
		return reply_db_down(r);
	json_t *out = json_pack("{so}", "recipient_address", ra_json(r->srv, &a));
	recipient_address_clear(&a);
	return reply_json(r, id ? 200 : 201, out);
}

static int ra_create(struct req *r) { return ra_write(r, 0); }
static int ra_update(struct req *r) { return ra_write(r, r->id[0]); }

struct del {
	int64_t id;
	int (*fn)(struct db *db, int64_t id);
	int64_t changed;
};

static int del_run(struct db *db, void *arg)
{
	struct del *d = arg;
	int rc = d->fn(db, d->id);
	d->changed = db_changes(db);
	return rc;
}

static int delete_reply(struct req *r, int (*fn)(struct db *, int64_t))
{
	struct del d = {.id = r->id[0], .fn = fn};
	if (store_write(r->srv->store, del_run, &d))
		return reply_db_down(r);
	if (!d.changed)
		return reply_not_found(r);
	return reply_raw(r, 204, "application/json", "", 0);
}

static int ra_delete(struct req *r) { return delete_reply(r, recipient_address_delete); }

/* ---- IMAP mailboxes ---------------------------------------------------------- */

static json_t *imap_json(const struct imap_account_row *a)
{
	return json_pack("{sI ss ss ss sb sI sI so so so so}", "id", (json_int_t)a->id, "url", a->url,
			 "username", a->username, "recipient", a->recipient, "active", a->active,
			 "uidvalidity", (json_int_t)a->uidvalidity, "last_uid",
			 (json_int_t)a->last_uid, "last_error", jstr(a->last_error), "polled_at",
			 jtime(a->polled_at), "created_at", jtime(a->created_at), "updated_at",
			 jtime(a->updated_at));
}

static int imap_list(struct req *r)
{
	struct imap_account_row *v;
	int n;
	if (imap_account_list(req_db(r), 0, &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, imap_json(&v[i]));
	imap_account_list_free(v, n);
	return reply_json(r, 200, json_pack("{so sI}", "imap_accounts", arr, "count", (json_int_t)n));
}

static int imap_show(struct req *r)
{
	struct imap_account_row a;
	int rc = imap_account_get(req_db(r), r->id[0], &a);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{so}", "imap_account", imap_json(&a));
	imap_account_clear(&a);
	return reply_json(r, 200, out);
}

struct imap_op {
	struct imap_account_row a;
	int set_url, set_user, set_pass, set_rcpt, set_active;
	int status;
};

static int imap_save_run(struct db *db, void *arg)
{
	struct imap_op *op = arg;
	if (op->a.id) {
		struct imap_account_row cur;
		int rc = imap_account_get(db, op->a.id, &cur);
		if (rc) {
			op->status = rc == 1 ? 404 : 500;
			return rc == 1 ? DB_REFUSED : rc;
		}
#define KEEP(flag, field)                                                                         \
	if (!op->flag) {                                                                          \
		free(op->a.field);                                                                \
		op->a.field = cur.field;                                                          \
		cur.field = NULL;                                                                 \
	}
		KEEP(set_url, url)
		KEEP(set_user, username)
		KEEP(set_pass, password)
		KEEP(set_rcpt, recipient)
#undef KEEP
		if (!op->set_active)
			op->a.active = cur.active;
		imap_account_clear(&cur);
	}
	return imap_account_save(db, &op->a);
}

static int imap_write(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	json_t *o = json_object_get(body, "imap_account");
	struct imap_op op = {.a = {.id = id, .active = 1}};
	char err[256] = "", *rcpt = NULL;
	int ok = json_is_object(o) &&
		 (op.set_url = jget_str(o, "url", &op.a.url, err, sizeof(err))) >= 0 &&
		 (op.set_user = jget_str(o, "username", &op.a.username, err, sizeof(err))) >= 0 &&
		 (op.set_pass = jget_str(o, "password", &op.a.password, err, sizeof(err))) >= 0 &&
		 (op.set_rcpt = jget_str(o, "recipient", &rcpt, err, sizeof(err))) >= 0 &&
		 (op.set_active = jget_bool(o, "active", &op.a.active, err, sizeof(err))) >= 0;
	json_decref(body);
	const char *bad = !ok ? (*err ? err : "imap_account: is required") : NULL;
	if (!bad && !id && !(op.set_url && op.set_user && op.set_pass && op.set_rcpt))
		bad = "url, username, password and recipient: are required";
	if (!bad && op.set_url &&
	    (!op.a.url || (strncmp(op.a.url, "imap://", 7) && strncmp(op.a.url, "imaps://", 8)) ||
	     strlen(op.a.url) > 1000 || strpbrk(op.a.url, " \r\n")))
		bad = "url: must be imap://host[:port]/FOLDER or imaps://...";
	if (!bad && op.set_user && (!op.a.username || strpbrk(op.a.username, "\r\n")))
		bad = "username: is invalid";
	if (!bad && op.set_pass && (!op.a.password || strpbrk(op.a.password, "\r\n")))
		bad = "password: is invalid";
	if (!bad && op.set_rcpt && (!rcpt || email_normalize(rcpt, &op.a.recipient)))
		bad = "recipient: is not an email address";
	free(rcpt);
	if (bad) {
		imap_account_clear(&op.a);
		return reply_invalid(r, bad);
	}
	int rc = store_write(r->srv->store, imap_save_run, &op);
	int64_t saved = op.a.id;
	imap_account_clear(&op.a);
	if (rc)
		return op.status == 404 ? reply_not_found(r) : reply_db_down(r);
	struct imap_account_row a;
	if (imap_account_get(req_db(r), saved, &a))
		return reply_db_down(r);
	json_t *out = json_pack("{so}", "imap_account", imap_json(&a));
	imap_account_clear(&a);
	return reply_json(r, id ? 200 : 201, out);
}

static int imap_create(struct req *r) { return imap_write(r, 0); }
static int imap_update(struct req *r) { return imap_write(r, r->id[0]); }
static int imap_delete(struct req *r) { return delete_reply(r, imap_account_delete); }

static int imap_poll_now(struct req *r)
{
	int n = email_imap_poll_all(r->srv);
	return reply_json(r, 200, json_pack("{si}", "fetched", n));
}

const struct route mail_routes[] = {
    {M_POST, "/api/v2/sonnim/mail/inbound.json", ROLE_ADMIN, inbound_post, 1},
    {M_GET, "/api/v2/sonnim/mail/inbound.json", ROLE_ADMIN, inbound_list, 0},
    {M_GET, "/api/v2/sonnim/mail/inbound/{id}.json", ROLE_ADMIN, inbound_show, 0},
    {M_GET, "/api/v2/sonnim/mail/inbound/{id}/raw", ROLE_ADMIN, inbound_raw, 0},
    {M_POST, "/api/v2/sonnim/mail/inbound/{id}/reprocess.json", ROLE_ADMIN, inbound_reprocess,
     0},
    {M_GET, "/api/v2/recipient_addresses.json", ROLE_ADMIN, ra_list, 0},
    {M_POST, "/api/v2/recipient_addresses.json", ROLE_ADMIN, ra_create, 0},
    {M_GET, "/api/v2/recipient_addresses/{id}.json", ROLE_ADMIN, ra_show, 0},
    {M_PUT, "/api/v2/recipient_addresses/{id}.json", ROLE_ADMIN, ra_update, 0},
    {M_DELETE, "/api/v2/recipient_addresses/{id}.json", ROLE_ADMIN, ra_delete, 0},
    {M_GET, "/api/v2/sonnim/imap_accounts.json", ROLE_ADMIN, imap_list, 0},
    {M_POST, "/api/v2/sonnim/imap_accounts.json", ROLE_ADMIN, imap_create, 0},
    {M_POST, "/api/v2/sonnim/imap_accounts/poll.json", ROLE_ADMIN, imap_poll_now, 0},
    {M_GET, "/api/v2/sonnim/imap_accounts/{id}.json", ROLE_ADMIN, imap_show, 0},
    {M_PUT, "/api/v2/sonnim/imap_accounts/{id}.json", ROLE_ADMIN, imap_update, 0},
    {M_DELETE, "/api/v2/sonnim/imap_accounts/{id}.json", ROLE_ADMIN, imap_delete, 0},
    {0},
};
