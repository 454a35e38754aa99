/* test_ticket_store.c - the ticket write path on the engine SONNIM_TEST_DB
 * names ("sqlite"/unset = a temp file, else a PostgreSQL conninfo).
 *
 * Covers the one-transaction write (ticket + tags + audit + comment + events
 * + search document), permission and reference refusals, listing and
 * counting with visibility, incremental export order, merge, delete, and a
 * torture loop: the N-th database call of a ticket update fails, for every
 * N, and each time nothing at all was written.
 */
#include "store/ticket_store.h"
#include "store/attachment_store.h"
#include "store/form_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char url[1024], path[512];
static struct store *st;
static int64_t admin_id, agent_id, cust_id, other_id, org_id;

static int setup(void **state)
{
	const char *e = getenv("SONNIM_TEST_DB");
	if (!e || !*e || !strcmp(e, "sqlite")) {
		snprintf(path, sizeof(path), "/tmp/sonnim-test-ticket-%d.db", (int)getpid());
		unlink(path);
		snprintf(url, sizeof(url), "sqlite:%s", path);
	} else {
		snprintf(url, sizeof(url), "%s", e);
	}
	char err[512] = "";
	st = store_open(url, 0, 2, err, sizeof(err));
	if (!st)
		fail_msg("store_open: %s", err);
	return 0;
}

static int teardown(void **state)
{
	store_close(st);
	if (path[0]) {
		char p[600];
		unlink(path);
		snprintf(p, sizeof(p), "%s-wal", path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", path);
		unlink(p);
	}
	return 0;
}

struct people {
	int dummy;
};

static int64_t add_user(struct db *db, const char *email, int role, int64_t org)
{
	struct user u = {0};
	u.name = strdup(email);
	u.email = strdup(email);
	u.role = role;
	u.organization_id = org;
	u.active = 1;
	u.created_at = u.updated_at = 1;
	int rc = user_insert_write(db, &u);
	int64_t id = rc ? -1 : u.id;
	user_clear(&u);
	return id;
}

static int people_write(struct db *db, void *p)
{
	struct db_res *r;
	if (db_query(db, &r,
		     "INSERT INTO organizations (name, created_at, updated_at) VALUES ('ACME', 1, 1)"
		     " RETURNING id",
		     ""))
		return DB_ERR;
	org_id = db_int(r, 0, 0);
	db_res_free(r);
	admin_id = add_user(db, "admin@t.example", ROLE_ADMIN, 0);
	agent_id = add_user(db, "agent@t.example", ROLE_AGENT, 0);
	cust_id = add_user(db, "cust@t.example", ROLE_END_USER, org_id);
	other_id = add_user(db, "other@t.example", ROLE_END_USER, org_id);
	return admin_id > 0 && agent_id > 0 && cust_id > 0 && other_id > 0 ? 0 : DB_ERR;
}

static struct actor as(int64_t id, int role, int64_t org)
{
	struct actor a = {.user_id = id, .role = role, .organization_id = org};
	return a;
}

/* Run a write; returns status (0 ok); *id the ticket id. */
static int do_write(struct actor who, int64_t id, struct ticket_change *c, int64_t *out)
{
	struct ticket_write w = {.who = who, .id = id, .change = c, .via = "api", .now = 1000};
	store_write(st, ticket_write_run, &w);
	if (out)
		*out = w.result.id;
	int status = w.status;
	ticket_write_clear(&w);
	return status;
}

static int64_t count(const char *sql)
{
	struct db *db = store_reader(st);
	struct db_res *r;
	assert_int_equal(db_query(db, &r, sql, ""), 0);
	int64_t n = db_int(r, 0, 0);
	db_res_free(r);
	store_release(st, db);
	return n;
}

static int64_t new_ticket(struct actor who, const char *subject, const char *body)
{
	struct ticket_change c = {0};
	c.set = TF_SUBJECT;
	c.v.subject = strdup(subject);
	if (who.role >= ROLE_AGENT) { /* end-users cannot tag */
		c.set |= TF_TAGS;
		strlist_add(&c.v.tags, "t1");
	}
	c.comment_body = strdup(body);
	c.comment_public = 1;
	int64_t id = 0;
	assert_int_equal(do_write(who, 0, &c, &id), 0);
	ticket_change_clear(&c);
	return id;
}

static void test_create_writes_everything(void **state)
{
	assert_int_equal(store_write(st, people_write, NULL), 0);
	int64_t t0 = count("SELECT COUNT(*) FROM tickets");
	int64_t id = new_ticket(as(cust_id, ROLE_END_USER, org_id), "배송 문의", "언제 도착하나요?");
	assert_true(id > 0);
	assert_int_equal(count("SELECT COUNT(*) FROM tickets"), t0 + 1);
	struct db *db = store_reader(st);
	struct ticket t = {0};
	assert_int_equal(ticket_store_get(db, id, &t), 0);
	assert_string_equal(t.subject, "배송 문의");
	assert_string_equal(t.status, "new");
	assert_int_equal(t.organization_id, org_id); /* from the requester */
	assert_int_equal(t.tags.n, 0);
	ticket_clear(&t);
	struct comment *cm;
	int n;
	assert_int_equal(comment_store_list(db, id, 0, 0, 10, &cm, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cm[0].body, "언제 도착하나요?");
	assert_non_null(strstr(cm[0].html_body, "<p>"));
	comment_list_free(cm, n);
	struct audit *a;
	assert_int_equal(audit_store_list(db, id, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_true(a[0].events.n >= 3);
	audit_list_free(a, n);
	store_release(st, db);
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM events WHERE ticket_id = %lld",
		 (long long)id);
	assert_int_equal(count(sql), 2); /* ticket.created + comment.added */
}

static void test_refusals(void **state)
{
	int64_t id = new_ticket(as(cust_id, ROLE_END_USER, org_id), "mine", "body");
	struct ticket_change c = {0};
	/* another end-user cannot see it (org not shared) */
	c.comment_body = strdup("hi");
	c.comment_public = 1;
	assert_int_equal(do_write(as(other_id, ROLE_END_USER, org_id), id, &c, NULL), 404);
	/* the requester cannot assign */
	c.set = TF_ASSIGNEE;
	c.v.assignee_id = agent_id;
	assert_int_equal(do_write(as(cust_id, ROLE_END_USER, org_id), id, &c, NULL), 403);
	/* an end-user cannot be the assignee */
	c.v.assignee_id = other_id;
	assert_int_equal(do_write(as(agent_id, ROLE_AGENT, 0), id, &c, NULL), 422);
	/* unknown group */
	c.set = TF_GROUP;
	c.v.group_id = 999999;
	assert_int_equal(do_write(as(agent_id, ROLE_AGENT, 0), id, &c, NULL), 422);
	/* unknown ticket */
	c.set = 0;
	assert_int_equal(do_write(as(agent_id, ROLE_AGENT, 0), 99999999, &c, NULL), 404);
	ticket_change_clear(&c);
}

static int64_t form_id, inactive_form_id;

static int forms_write(struct db *db, void *p)
{
	struct ticket_form f = {.name = "Printers", .display_name = "Printers", .active = 1,
				.created_at = 1, .updated_at = 1};
	int rc = form_store_insert(db, &f);
	form_id = f.id;
	f.active = 0;
	if (!rc)
		rc = form_store_insert(db, &f);
	inactive_form_id = f.id;
	return rc;
}

static int form_deactivate(struct db *db, void *p)
{
	struct ticket_form f = {0};
	int rc = form_store_get(db, form_id, &f);
	f.active = 0;
	if (!rc)
		rc = form_store_update(db, &f);
	ticket_form_clear(&f);
	return rc;
}

/* ticket_form_id: stored and read back, refused for an unknown or an
 * inactive form, kept when its form was deactivated since, cleared */
static void test_ticket_form(void **state)
{
	assert_int_equal(store_write(st, forms_write, NULL), 0);
	struct actor agent = as(agent_id, ROLE_AGENT, 0);
	struct ticket_change c = {0};
	c.set = TF_SUBJECT | TF_FORM;
	c.v.subject = strdup("form");
	c.v.ticket_form_id = 99999999;
	c.comment_body = strdup("body");
	int64_t id = 0;
	assert_int_equal(do_write(agent, 0, &c, &id), 422);
	c.v.ticket_form_id = inactive_form_id;
	assert_int_equal(do_write(agent, 0, &c, &id), 422);
	c.v.ticket_form_id = form_id;
	assert_int_equal(do_write(agent, 0, &c, &id), 0);
	ticket_change_clear(&c);
	struct db *db = store_reader(st);
	struct ticket t = {0};
	assert_int_equal(ticket_store_get(db, id, &t), 0);
	assert_int_equal(t.ticket_form_id, form_id);
	ticket_clear(&t);
	store_release(st, db);
	/* the form is deactivated: the ticket keeps it, a PUT of it again too */
	assert_int_equal(store_write(st, form_deactivate, NULL), 0);
	c = (struct ticket_change){.set = TF_FORM, .v.ticket_form_id = form_id};
	assert_int_equal(do_write(agent, id, &c, NULL), 0);
	c.v.ticket_form_id = inactive_form_id;
	assert_int_equal(do_write(agent, id, &c, NULL), 422);
	c.v.ticket_form_id = 0;
	assert_int_equal(do_write(agent, id, &c, NULL), 0);
	db = store_reader(st);
	assert_int_equal(ticket_store_get(db, id, &t), 0);
	assert_int_equal(t.ticket_form_id, 0);
	ticket_clear(&t);
	store_release(st, db);
	ticket_change_clear(&c);
}

static void test_list_visibility(void **state)
{
	struct db *db = store_reader(st);
	struct actor cust = as(cust_id, ROLE_END_USER, org_id);
	struct actor other = as(other_id, ROLE_END_USER, org_id);
	struct ticket_filter f = {.visible_to = &cust, .win.limit = 100};
	int64_t mine, theirs;
	assert_int_equal(ticket_store_count(db, &f, &mine), 0);
	f.visible_to = &other;
	assert_int_equal(ticket_store_count(db, &f, &theirs), 0);
	assert_true(mine >= 2);
	assert_int_equal(theirs, 0);
	other.org_shared = 1;
	assert_int_equal(ticket_store_count(db, &f, &theirs), 0);
	assert_int_equal(theirs, mine);
	/* paging by id cursor walks everything once */
	struct actor adm = as(admin_id, ROLE_ADMIN, 0);
	struct ticket_filter g = {.visible_to = &adm, .win.limit = 1};
	int64_t total, seen = 0;
	assert_int_equal(ticket_store_count(db, &g, &total), 0);
	for (;;) {
		struct ticket *v;
		int n;
		assert_int_equal(ticket_store_list(db, &g, &v, &n), 0);
		if (!n) {
			free(v);
			break;
		}
		assert_true(v[0].id > g.win.after_id);
		g.win.after_id = v[0].id;
		seen++;
		ticket_list_free(v, n);
	}
	assert_int_equal(seen, total);
	store_release(st, db);
}

static void test_incremental_and_merge(void **state)
{
	struct actor agent = as(agent_id, ROLE_AGENT, 0);
	int64_t a = new_ticket(agent, "merge me", "a");
	int64_t b = new_ticket(agent, "into me", "b");
	int64_t sources[1] = {a};
	struct ticket_merge m = {.who = agent, .target = b, .sources = sources, .nsources = 1,
				 .now = 2000};
	assert_int_equal(store_write(st, ticket_merge_run, &m), 0);
	struct db *db = store_reader(st);
	struct ticket t = {0};
	assert_int_equal(ticket_store_get(db, a, &t), 0);
	assert_string_equal(t.status, "closed");
	assert_int_equal(t.merged_into, b);
	ticket_clear(&t);
	/* export: in change order (seq), resumable after any row */
	struct ticket *v;
	int n;
	assert_int_equal(ticket_store_incremental(db, 0, 0, 1000, &v, &n), 0);
	assert_true(n >= 4);
	for (int i = 1; i < n; i++)
		assert_true(v[i - 1].seq < v[i].seq);
	int64_t seq = v[1].seq, first = v[0].id;
	int total = n;
	ticket_list_free(v, n);
	assert_int_equal(ticket_store_incremental(db, 0, seq, 1000, &v, &n), 0);
	assert_int_equal(n, total - 2);
	ticket_list_free(v, n);
	store_release(st, db);
	/* a change in the same second to an old ticket comes next */
	struct ticket_change c = {0};
	c.set = TF_PRIORITY;
	c.v.priority = strdup("urgent");
	assert_int_equal(do_write(agent, first, &c, NULL), 0);
	ticket_change_clear(&c);
	db = store_reader(st);
	assert_int_equal(ticket_store_incremental(db, 0, seq, 1000, &v, &n), 0);
	assert_int_equal(n, total - 1);
	assert_int_equal(v[n - 1].id, first);
	ticket_list_free(v, n);
	store_release(st, db);
	/* merging again (a job run twice) changes nothing */
	int64_t before = count("SELECT COUNT(*) FROM comments");
	m.status = 0;
	assert_int_equal(store_write(st, ticket_merge_run, &m), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM comments"), before);
}

static void test_delete(void **state)
{
	int64_t id = new_ticket(as(admin_id, ROLE_ADMIN, 0), "delete me", "x");
	struct ticket_delete d = {.who = as(admin_id, ROLE_ADMIN, 0), .id = id};
	assert_int_equal(store_write(st, ticket_delete_run, &d), 0);
	assert_int_equal(d.nsha, 0); /* no attachments */
	attachment_shas_free(d.sha256s, d.nsha);
	d.sha256s = NULL;
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "SELECT (SELECT COUNT(*) FROM tickets WHERE id = %lld) + (SELECT COUNT(*) FROM"
		 " comments WHERE ticket_id = %lld)",
		 (long long)id, (long long)id);
	assert_int_equal(count(sql), 0);
	d.status = 0;
	assert_int_not_equal(store_write(st, ticket_delete_run, &d), 0);
	assert_int_equal(d.status, 404);
	attachment_shas_free(d.sha256s, d.nsha);
}

static int64_t snapshot(void)
{
	return count("SELECT (SELECT COUNT(*) FROM tickets) * 1000000 + (SELECT COUNT(*) FROM"
		     " comments) * 10000 + (SELECT COUNT(*) FROM audits) * 100 +"
		     " (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM audit_events) * 7 +"
		     " (SELECT COUNT(*) FROM ticket_tags) * 13");
}

/* The N-th database call fails, for every N: never a half-written change. */
static void test_fault_injection(void **state)
{
	struct actor agent = as(agent_id, ROLE_AGENT, 0);
	int64_t id = new_ticket(agent, "torture", "start");
	int ok_at = 0;
	for (int n = 1; n < 100 && !ok_at; n++) {
		for (int creating = 0; creating < 2; creating++) {
			struct ticket_change c = {0};
			c.set = TF_PRIORITY | TF_TAGS | TF_STATUS;
			c.v.priority = strdup(creating ? "low" : n % 2 ? "high" : "urgent");
			c.v.status = strdup("open");
			strlist_add(&c.v.tags, n % 2 ? "odd" : "even");
			c.comment_body = strdup("torture comment");
			c.comment_public = 0;
			if (creating) {
				c.set |= TF_SUBJECT;
				c.v.subject = strdup("new torture");
			}
			int64_t before = snapshot();
			db_fail_after(n);
			int status = do_write(agent, creating ? 0 : id, &c, NULL);
			int fired = 0;
			/* did the fault fire inside the write?  if so nothing changed */
			db_fail_after(0);
			if (status) {
				fired = 1;
				assert_int_equal(snapshot(), before);
			}
			if (!creating && !fired)
				ok_at = n;
			ticket_change_clear(&c);
		}
	}
	assert_true(ok_at > 5); /* the update really took several statements */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_writes_everything),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_ticket_form),
		cmocka_unit_test(test_list_visibility),
		cmocka_unit_test(test_incremental_and_merge),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_fault_injection),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
