/* test_mail_inbound.c - the inbound email funnel end to end below the
 * sockets: email_accept() stores a raw message, email_inbound_job() turns
 * it into a ticket change; on the engine SONNIM_TEST_DB names (unset or
 * "sqlite" = a fresh temp file, else a PostgreSQL conninfo), same tests and
 * expectations on both.
 *
 * Each test gets a fresh store and data directory, an admin, a group and
 * the support address support@acme.test routed to that group, then feeds
 * hand-written messages and checks the tickets, comments, users, the
 * inbound_mails row and the jobs queued.  The failure paths are tested on
 * purpose: injected database faults in the middle of processing leave
 * nothing half-written, and the retried job finishes the message once.
 */
#include "channels/email/email.h"
#include "channels/email/mime.h"
#include "base/util.h"
#include "core/user.h"
#include "store/attachment_store.h"
#include "store/group_store.h"
#include "store/job_store.h"
#include "store/mail_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include "testutil.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

struct fx {
	struct server s;
	struct db *db;		/* raw autocommit connection for checks */
	char dir[256];
	int64_t admin, group;
};

static int group_setup(void **state)
{
	(void)state;
	mime_init();
	if (testdb_pick("mail"))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (g_path[0])
		remove_db_files(g_path);
	return 0;
}

static int wipe(struct db *db)
{
	static const char *const tables[] = {
	    "inbound_mails", "mail_message_ids", "ticket_mail", "recipient_addresses",
	    "imap_accounts", "jobs", "events", "ticket_metrics", "attachments", "uploads", "comments",
	    "audit_events", "audits", "ticket_tags", "ticket_fts", "ticket_public_fts",
	    "tickets", "group_memberships", "user_identities", "api_tokens", "user_fts",
	    "users", "agent_groups",
	};
	char sql[128];
	for (size_t i = 0; i < sizeof(tables) / sizeof(*tables); i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i]);
		if (db_exec(db, sql)) {
			print_error("%s: %s\n", sql, db_errmsg(db));
			return -1;
		}
	}
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[512] = "";
	if (config_load(&f->s.cfg, NULL, 0, err, sizeof(err)))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/sonnim-mail-files-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->s.cfg.data_dir, sizeof(f->s.cfg.data_dir), "%s", f->dir);
	snprintf(f->s.cfg.base_url, sizeof(f->s.cfg.base_url), "https://help.acme.test");
	f->s.store = store_open(g_url, 0, 2, err, sizeof(err));
	f->db = f->s.store ? db_open(g_url, 0, err, sizeof(err)) : NULL;
	if (!f->db) {
		print_error("open: %s\n", err);
		return -1;
	}
	if (wipe(f->db))
		return -1;
	struct user a = {.name = "Admin Kim", .email = "admin@acme.test", .role = ROLE_ADMIN,
			 .active = 1};
	assert_int_equal(user_store_insert(f->db, &a), 0);
	f->admin = a.id;
	struct group g = {.name = "Billing", .is_public = 1};
	assert_int_equal(group_store_insert(f->db, &g), 0);
	f->group = g.id;
	struct recipient_address ra = {.email = "support@acme.test", .name = "ACME Support",
				       .group_id = f->group, .is_default = 1};
	assert_int_equal(recipient_address_save(f->db, &ra), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	db_close(f->db);
	store_close(f->s.store);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd)) {
	}
	free(f);
	return 0;
}

/* Feed one message through the door and the job; returns the row id. */
static int64_t feed(struct fx *f, const char *rcpt, const char *msg)
{
	int64_t id = 0;
	char err[256];
	const char *rv[1] = {rcpt};
	assert_int_equal(email_accept(&f->s, "lmtp", "x@y.test", rv, rcpt ? 1 : 0, msg, strlen(msg),
				      &id, err, sizeof(err)),
			 0);
	json_t *p = json_pack("{sI}", "id", (json_int_t)id), *res = NULL;
	int rc = email_inbound_job(&f->s, 1, p, &res, err, sizeof(err));
	json_decref(p);
	json_decref(res);
	if (rc)
		print_error("job: %s\n", err);
	assert_int_equal(rc, 0);
	return id;
}

static void row(struct fx *f, int64_t id, struct inbound_mail *m)
{
	assert_int_equal(inbound_mail_get(f->db, id, m), 0);
}

static int64_t count(struct fx *f, const char *sql)
{
	struct db_res *r;
	assert_int_equal(db_query(f->db, &r, sql, ""), 0);
	int64_t n = db_int(r, 0, 0);
	db_res_free(r);
	return n;
}

static int64_t ticket_comments(struct fx *f, int64_t tid)
{
	int64_t n;
	assert_int_equal(comment_store_count(f->db, tid, 0, &n), 0);
	return n;
}

static int64_t queued(struct fx *f, const char *kind)
{
	struct db_res *r;
	assert_int_equal(db_query(f->db, &r,
				  "SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'queued'", "s",
				  kind),
			 0);
	int64_t n = db_int(r, 0, 0);
	db_res_free(r);
	return n;
}

#define FIRST                                                                                     \
	"From: =?UTF-8?B?7ZmN6ri464+Z?= <Hong@Customer.test>\r\n"                                   \
	"To: ACME Support <support@acme.test>\r\n"                                                \
	"Cc: Boss <boss@customer.test>, support@acme.test\r\n"                                    \
	"Subject: =?UTF-8?B?67Cw7IahIOyngOyXsA==?=\r\n"                                            \
	"Message-ID: <first@customer.test>\r\n"                                                   \
	"Date: Mon, 23 Nov 2026 10:00:00 +0900\r\n"                                               \
	"Content-Type: text/plain; charset=utf-8\r\n"                                             \
	"\r\n"                                                                                    \
	"주문한 물건이 아직 안 왔어요.\r\n"

static void test_new_ticket(void **state)
{
	struct fx *f = *state;
	int64_t id = feed(f, "support@acme.test", FIRST);
	struct inbound_mail m;
	row(f, id, &m);
	assert_string_equal(m.state, "processed");
	assert_string_equal(m.from_email, "hong@customer.test");
	assert_string_equal(m.subject, "배송 지연");
	assert_true(m.ticket_id > 0);
	struct ticket t = {0};
	assert_int_equal(ticket_store_get(f->db, m.ticket_id, &t), 0);
	assert_string_equal(t.subject, "배송 지연");
	assert_string_equal(t.via_channel, "email");
	assert_int_equal(t.group_id, f->group);
	assert_string_equal(t.status, "new");
	struct user u = {0};
	assert_int_equal(user_store_get(f->db, t.requester_id, &u), 0);
	assert_string_equal(u.name, "홍길동");
	assert_int_equal(u.role, ROLE_END_USER);
	/* the Cc (not our own address) became a collaborator */
	assert_int_equal(t.collaborator_ids.n, 1);
	struct user boss = {0};
	assert_int_equal(user_store_get(f->db, t.collaborator_ids.v[0], &boss), 0);
	assert_string_equal(boss.email, "boss@customer.test");
	struct comment *c;
	int n;
	assert_int_equal(comment_store_list(f->db, t.id, 0, 0, 10, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_non_null(strstr(c[0].body, "아직 안 왔어요"));
	assert_int_equal(c[0].author_id, t.requester_id);
	assert_true(c[0].is_public);
	comment_list_free(c, n);
	/* its Message-ID threads replies; the ticket talks through support@ */
	int64_t tid;
	assert_int_equal(mail_msgid_ticket(f->db, "first@customer.test", &tid), 0);
	assert_int_equal(tid, t.id);
	char *rcpt;
	assert_int_equal(ticket_mail_get(f->db, t.id, &rcpt, NULL), 0);
	assert_string_equal(rcpt, "support@acme.test");
	free(rcpt);
	/* the customer hears "we received it" */
	assert_int_equal(queued(f, "mail.send"), 1);
	user_clear(&u);
	user_clear(&boss);
	ticket_clear(&t);
	inbound_mail_clear(&m);
}

static int64_t first_ticket(struct fx *f)
{
	struct inbound_mail m;
	row(f, feed(f, "support@acme.test", FIRST), &m);
	int64_t t = m.ticket_id;
	inbound_mail_clear(&m);
	return t;
}

static void test_reply_threads(void **state)
{
	struct fx *f = *state;
	int64_t t1 = first_ticket(f);
	/* by In-Reply-To, with the quoted conversation stripped */
	struct inbound_mail m;
	row(f,
	    feed(f, "support@acme.test",
		 "From: hong@customer.test\r\nTo: support@acme.test\r\n"
		 "Subject: Re: something else entirely\r\nMessage-ID: <second@customer.test>\r\n"
		 "In-Reply-To: <first@customer.test>\r\n\r\n"
		 "Tracking number is 1234.\r\n\r\n"
		 "On Mon, Nov 23, 2026 at 10:00 AM ACME <support@acme.test> wrote:\r\n"
		 "> We are looking into it.\r\n"),
	    &m);
	assert_string_equal(m.state, "processed");
	assert_int_equal(m.ticket_id, t1);
	inbound_mail_clear(&m);
	assert_int_equal(ticket_comments(f, t1), 2);
	struct comment *c;
	int n;
	assert_int_equal(comment_store_list(f->db, t1, 0, 0, 10, &c, &n), 0);
	assert_non_null(strstr(c[1].body, "Tracking number is 1234."));
	assert_null(strstr(c[1].body, "looking into it"));
	comment_list_free(c, n);
	/* by the subject token, from the requester */
	char msg[512];
	snprintf(msg, sizeof(msg),
		 "From: hong@customer.test\r\nTo: support@acme.test\r\n"
		 "Subject: Re: [#%" PRId64 "] 배송 지연\r\nMessage-ID: <third@customer.test>\r\n\r\n"
		 "Any news?\r\n",
		 t1);
	row(f, feed(f, "support@acme.test", msg), &m);
	assert_int_equal(m.ticket_id, t1);
	inbound_mail_clear(&m);
	/* the same token from a stranger opens a ticket of its own */
	snprintf(msg, sizeof(msg),
		 "From: mallory@evil.test\r\nTo: support@acme.test\r\n"
		 "Subject: Re: [#%" PRId64 "] hijack\r\nMessage-ID: <m1@evil.test>\r\n\r\nhi\r\n",
		 t1);
	row(f, feed(f, "support@acme.test", msg), &m);
	assert_true(m.ticket_id != t1);
	inbound_mail_clear(&m);
	/* by plus address, from a CC of the ticket */
	char rcpt[64];
	snprintf(rcpt, sizeof(rcpt), "support+id%" PRId64 "@acme.test", t1);
	row(f,
	    feed(f, rcpt,
		 "From: boss@customer.test\r\nTo: support@acme.test\r\nSubject: me too\r\n"
		 "Message-ID: <b1@customer.test>\r\n\r\nPlease hurry.\r\n"),
	    &m);
	assert_int_equal(m.ticket_id, t1);
	inbound_mail_clear(&m);
	assert_int_equal(ticket_comments(f, t1), 4);
	/* replies do not get the "we received it" mail again */
	assert_int_equal(queued(f, "mail.send"), 2); /* first + mallory's new ticket */
}

static void test_duplicate_and_rerun(void **state)
{
	struct fx *f = *state;
	int64_t t1 = first_ticket(f);
	struct inbound_mail m;
	row(f, feed(f, "support@acme.test", FIRST), &m);
	assert_string_equal(m.state, "ignored");
	assert_non_null(strstr(m.reason, "duplicate"));
	assert_int_equal(m.ticket_id, t1);
	/* running the job of a processed row again changes nothing */
	char err[256];
	json_t *p = json_pack("{sI}", "id", (json_int_t)m.id), *res = NULL;
	assert_int_equal(email_inbound_job(&f->s, 1, p, &res, err, sizeof(err)), 0);
	json_decref(p);
	json_decref(res);
	inbound_mail_clear(&m);
	assert_int_equal(ticket_comments(f, t1), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM tickets"), 1);
}

static void test_closed_followup(void **state)
{
	struct fx *f = *state;
	int64_t t1 = first_ticket(f);
	struct ticket_change c = {0};
	c.set = TF_STATUS | TF_ASSIGNEE;
	c.v.status = strdup("solved");
	c.v.assignee_id = f->admin;
	struct ticket_write w = {.who = {.user_id = f->admin, .role = ROLE_ADMIN}, .id = t1,
				 .change = &c, .via = "api", .now = now_seconds()};
	assert_int_equal(store_write(f->s.store, ticket_write_run, &w), 0);
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	/* a reply to a solved ticket reopens it */
	struct inbound_mail m;
	row(f,
	    feed(f, "support@acme.test",
		 "From: hong@customer.test\r\nTo: support@acme.test\r\nSubject: Re: x\r\n"
		 "In-Reply-To: <first@customer.test>\r\nMessage-ID: <r2@customer.test>\r\n\r\n"
		 "Still broken.\r\n"),
	    &m);
	assert_int_equal(m.ticket_id, t1);
	inbound_mail_clear(&m);
	struct ticket t = {0};
	assert_int_equal(ticket_store_get(f->db, t1, &t), 0);
	assert_string_equal(t.status, "open");
	ticket_clear(&t);
	/* closed: a follow-up ticket */
	memset(&c, 0, sizeof(c));
	c.set = TF_STATUS;
	c.v.status = strdup("solved");
	struct ticket_write w2 = {.who = {.user_id = f->admin, .role = ROLE_ADMIN}, .id = t1,
				  .change = &c, .via = "api", .now = now_seconds()};
	assert_int_equal(store_write(f->s.store, ticket_write_run, &w2), 0);
	ticket_write_clear(&w2);
	free(c.v.status);
	c.v.status = strdup("closed");
	struct ticket_write w3 = {.who = {.user_id = f->admin, .role = ROLE_ADMIN}, .id = t1,
				  .change = &c, .via = "api", .now = now_seconds()};
	assert_int_equal(store_write(f->s.store, ticket_write_run, &w3), 0);
	ticket_write_clear(&w3);
	ticket_change_clear(&c);
	row(f,
	    feed(f, "support@acme.test",
		 "From: hong@customer.test\r\nTo: support@acme.test\r\nSubject: Re: x\r\n"
		 "In-Reply-To: <first@customer.test>\r\nMessage-ID: <r3@customer.test>\r\n\r\n"
		 "Broken again.\r\n"),
	    &m);
	assert_true(m.ticket_id && m.ticket_id != t1);
	char *rcpt;
	int64_t of = 0;
	assert_int_equal(ticket_mail_get(f->db, m.ticket_id, &rcpt, &of), 0);
	assert_int_equal(of, t1);
	free(rcpt);
	inbound_mail_clear(&m);
}

static void test_loops(void **state)
{
	struct fx *f = *state;
	struct inbound_mail m;
	/* an auto-reply opens a ticket but is never answered */
	row(f,
	    feed(f, "support@acme.test",
		 "From: vacation@customer.test\r\nTo: support@acme.test\r\n"
		 "Subject: Out of office\r\nAuto-Submitted: auto-replied\r\n"
		 "Message-ID: <ooo@customer.test>\r\n\r\nI am away.\r\n"),
	    &m);
	assert_string_equal(m.state, "processed");
	inbound_mail_clear(&m);
	assert_int_equal(queued(f, "mail.send"), 0);
	/* list mail: the same */
	row(f,
	    feed(f, "support@acme.test",
		 "From: news@list.test\r\nTo: support@acme.test\r\nSubject: Weekly\r\n"
		 "List-Id: <weekly.list.test>\r\nPrecedence: list\r\n"
		 "Message-ID: <w1@list.test>\r\n\r\nNews.\r\n"),
	    &m);
	inbound_mail_clear(&m);
	assert_int_equal(queued(f, "mail.send"), 0);
	/* mail from our own address is a loop */
	row(f,
	    feed(f, "support@acme.test",
		 "From: ACME <support+id1@acme.test>\r\nTo: support@acme.test\r\nSubject: x\r\n"
		 "Message-ID: <loop@acme.test>\r\n\r\nloop\r\n"),
	    &m);
	assert_string_equal(m.state, "ignored");
	assert_non_null(strstr(m.reason, "loop"));
	inbound_mail_clear(&m);
	/* a storm from one sender stops at the rate limit */
	f->s.cfg.mail_rate_limit = 3;
	int64_t before = count(f, "SELECT COUNT(*) FROM tickets");
	for (int i = 0; i < 6; i++) {
		char msg[256];
		snprintf(msg, sizeof(msg),
			 "From: bot@storm.test\r\nTo: support@acme.test\r\nSubject: storm %d\r\n"
			 "Message-ID: <s%d@storm.test>\r\n\r\nagain\r\n",
			 i, i);
		row(f, feed(f, "support@acme.test", msg), &m);
		assert_string_equal(m.state, i < 3 ? "processed" : "ignored");
		if (i >= 3)
			assert_non_null(strstr(m.reason, "rate limit"));
		inbound_mail_clear(&m);
	}
	assert_int_equal(count(f, "SELECT COUNT(*) FROM tickets"), before + 3);
}

static void test_bounce(void **state)
{
	struct fx *f = *state;
	int64_t t1 = first_ticket(f);
	/* what Sonnim sent on that ticket */
	assert_int_equal(mail_msgid_add(f->db, "t1.c9@help.acme.test", t1, 0, 0, now_seconds()), 0);
	struct inbound_mail m;
	row(f,
	    feed(f, "support@acme.test",
		 "From: Mail Delivery System <MAILER-DAEMON@mx.acme.test>\r\n"
		 "To: support@acme.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
		 "Message-ID: <dsn1@mx.acme.test>\r\nMIME-Version: 1.0\r\n"
		 "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n"
		 "\r\n--B\r\nContent-Type: text/plain\r\n\r\nI could not deliver it.\r\n"
		 "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
		 "Reporting-MTA: dns; mx.acme.test\r\n\r\n"
		 "Final-Recipient: rfc822; hong@customer.test\r\nAction: failed\r\n"
		 "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
		 "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
		 "Message-ID: <t1.c9@help.acme.test>\r\nSubject: [#1] x\r\n\r\n--B--\r\n"),
	    &m);
	assert_string_equal(m.state, "processed");
	assert_int_equal(m.ticket_id, t1);
	inbound_mail_clear(&m);
	int64_t bounced;
	assert_int_equal(identity_store_undeliverable(f->db, "hong@customer.test", &bounced), 0);
	assert_int_equal(bounced, 1);
	struct comment *c;
	int n;
	assert_int_equal(comment_store_list(f->db, t1, 0, 0, 10, &c, &n), 0);
	assert_int_equal(n, 2);
	assert_false(c[1].is_public);
	assert_non_null(strstr(c[1].body, "could not be delivered: 5.1.1"));
	comment_list_free(c, n);
	/* no reply to the daemon, no new ticket */
	assert_int_equal(count(f, "SELECT COUNT(*) FROM tickets"), 1);
}

static void test_failed_and_reprocess(void **state)
{
	struct fx *f = *state;
	struct inbound_mail m;
	int64_t id = feed(f, "support@acme.test", "\x01\x02 not a message at all");
	row(f, id, &m);
	assert_true(!strcmp(m.state, "failed"));
	assert_non_null(m.reason);
	print_message("failed with: %s\n", m.reason);
	inbound_mail_clear(&m);
	/* an admin reprocesses it: back to received, a job queued */
	assert_int_equal(inbound_mail_requeue(f->db, id, now_seconds()), 0);
	row(f, id, &m);
	assert_string_equal(m.state, "received");
	inbound_mail_clear(&m);
	assert_int_equal(queued(f, "mail.inbound"), 2);
	assert_int_equal(inbound_mail_requeue(f->db, 999999, now_seconds()), 1);
}

static void test_attachments(void **state)
{
	struct fx *f = *state;
	struct inbound_mail m;
	row(f,
	    feed(f, "support@acme.test",
		 "From: hong@customer.test\r\nTo: support@acme.test\r\nSubject: photo\r\n"
		 "Message-ID: <att@customer.test>\r\nMIME-Version: 1.0\r\n"
		 "Content-Type: multipart/mixed; boundary=\"X\"\r\n\r\n"
		 "--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the photo.\r\n"
		 "--X\r\nContent-Type: text/plain; name=\"note.txt\"\r\n"
		 "Content-Disposition: attachment; filename*=UTF-8''%EC%98%81%EC%88%98%EC%A6%9D.txt\r\n"
		 "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n--X--\r\n"),
	    &m);
	assert_string_equal(m.state, "processed");
	struct comment *c;
	int n;
	assert_int_equal(comment_store_list(f->db, m.ticket_id, 0, 0, 10, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].nattachments, 1);
	assert_string_equal(c[0].attachments[0].file_name, "영수증.txt");
	assert_int_equal(c[0].attachments[0].size, 11);
	comment_list_free(c, n);
	inbound_mail_clear(&m);
}

/* Inject a database fault at every step of processing: each run either
 * finishes the message completely or leaves it received with nothing
 * written, and a later run finishes it exactly once. */
static void test_faults(void **state)
{
	struct fx *f = *state;
	int64_t id = 0;
	char err[256];
	const char *rv[1] = {"support@acme.test"};
	assert_int_equal(email_accept(&f->s, "lmtp", NULL, rv, 1, FIRST, strlen(FIRST), &id, err,
				      sizeof(err)),
			 0);
	int finished = 0;
	for (int k = 1; k < 200 && !finished; k++) {
		json_t *p = json_pack("{sI}", "id", (json_int_t)id), *res = NULL;
		db_fail_after(k);
		int rc = email_inbound_job(&f->s, 1, p, &res, err, sizeof(err));
		db_fail_after(0);
		json_decref(p);
		json_decref(res);
		struct inbound_mail m;
		row(f, id, &m);
		if (rc == 0 && !strcmp(m.state, "processed")) {
			finished = 1;
		} else {
			assert_string_equal(m.state, "received");
			assert_int_equal(count(f, "SELECT COUNT(*) FROM tickets"), 0);
			assert_int_equal(count(f, "SELECT COUNT(*) FROM comments"), 0);
			assert_int_equal(count(f, "SELECT COUNT(*) FROM mail_message_ids"), 0);
		}
		inbound_mail_clear(&m);
	}
	assert_true(finished);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM tickets"), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM comments"), 1);
}

static void test_store_lists(void **state)
{
	struct fx *f = *state;
	first_ticket(f);
	feed(f, "support@acme.test", "garbage without headers");
	struct window w = {.limit = 10, .desc = 1};
	struct inbound_mail *v;
	int n;
	assert_int_equal(inbound_mail_list(f->db, "failed", &w, &v, &n), 0);
	assert_int_equal(n, 1);
	inbound_mail_list_free(v, n);
	assert_int_equal(inbound_mail_list(f->db, NULL, &w, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_true(v[0].id > v[1].id);
	inbound_mail_list_free(v, n);
	int64_t c;
	assert_int_equal(inbound_mail_count(f->db, "processed", &c), 0);
	assert_int_equal(c, 1);
	/* support addresses: one default at a time, unique emails */
	struct recipient_address b = {.email = "sales@acme.test", .is_default = 1};
	assert_int_equal(recipient_address_save(f->db, &b), 0);
	struct recipient_address d;
	assert_int_equal(recipient_address_default(f->db, &d), 0);
	assert_string_equal(d.email, "sales@acme.test");
	recipient_address_clear(&d);
	struct recipient_address dup = {.email = "sales@acme.test"};
	assert_int_equal(recipient_address_save(f->db, &dup), DB_CONSTRAINT);
	/* IMAP accounts keep their UID state */
	struct imap_account_row a = {.url = "imap://127.0.0.1:1/INBOX", .username = "u",
				     .password = "p", .recipient = "support@acme.test", .active = 1};
	assert_int_equal(imap_account_save(f->db, &a), 0);
	assert_int_equal(imap_account_reset(f->db, a.id, 77), 0);
	struct imap_account_row g;
	assert_int_equal(imap_account_get(f->db, a.id, &g), 0);
	assert_int_equal(g.uidvalidity, 77);
	assert_int_equal(g.last_uid, 0);
	imap_account_clear(&g);
	/* Message-IDs of a ticket, oldest first */
	assert_int_equal(mail_msgid_add(f->db, "a@x", 5, 0, 0, 100), 0);
	assert_int_equal(mail_msgid_add(f->db, "b@x", 5, 0, 1, 200), 0);
	assert_int_equal(mail_msgid_add(f->db, "a@x", 6, 0, 1, 300), 0); /* known: kept */
	char **ids;
	assert_int_equal(mail_msgid_list(f->db, 5, 10, &ids, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], "a@x");
	assert_string_equal(ids[1], "b@x");
	mail_msgid_list_free(ids, n);
	char *last;
	assert_int_equal(mail_msgid_last_inbound(f->db, 5, &last), 0);
	assert_string_equal(last, "b@x");
	free(last);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_new_ticket, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reply_threads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_and_rerun, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_closed_followup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bounce, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_and_reprocess, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attachments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_lists, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
