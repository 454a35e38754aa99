/* test_search_store.c - Zendesk search queries against a real database
 * (store/search_store.h), on SQLite and on PostgreSQL.
 *
 * The engine comes from SONNIM_TEST_DB: unset or "sqlite" = a fresh temp
 * file, anything else = a PostgreSQL conninfo of a fresh database
 * (tests/run.sh runs this binary once each way).  Every expectation below
 * is a literal string, so passing on both engines means both give the same
 * answers.
 *
 * Order: the group setup migrates and seeds one small help desk through the
 * same write paths the API uses (ticket_write_run, user_store_insert and
 * the search_index_* functions): 2 organizations, 2 groups, 9 people and 8
 * tickets at fixed times from T0 = 2026-01-01T00:00:00Z.  The tests only
 * read.  find() runs a query and renders the hits as "t1 t5 u6 o1" (kind
 * letter + id); unless a test says otherwise results are sorted by
 * created_at ascending, and organizations, users and tickets were created
 * in that order, so the text is easy to predict.
 *
 * Seed (ids are fixed by insertion order):
 *   o1 Acme Corp (shares tickets, tag enterprise)   o2 한빛상사
 *   g1 고객지원 Support                               g2 Billing
 *   u1 admin  u2 김지원 agent g1  u3 Alex Morgan agent g2
 *   u4 Rita: agent restricted to groups (g2)  u5 Sam: restricted to assigned
 *   u6 Jane Doe (o1, vip)  u7 John Roe (o1)  u8 이민수 (o2)  u9 박서연
 *   t1 배송 지연 문의      u8  u2 g1 open    high    +1h  tags 배송 vip
 *   t2 Refund for a ...  u6  -  g2 new     urgent  +2h  refund billing, email;
 *                                                       public reply by u2 at +30h
 *   t3 비밀번호 ...        u9  u2 g1 pending normal  +3h  계정
 *   t4 How do I export.. u7  u3 g1 solved  low     +4h  question, api
 *   t5 환불 요청합니다     u8  -  g2 new     normal  +5h  problem, 환불 배송
 *   t6 Printer near ...  u9  u5 g2 hold    -       +26h incident of t5, CC u6
 *   t7 Task: call back.. u6  u3 -  open    -       +50h task due +10d, private
 *                                                       note by u3
 *   t8 Anything else     u7  -  -  new     low     +52h external_id ext-8
 */
#include "base/buf.h"
#include "base/util.h"
#include "core/tokenize.h"
#include "store/actor_store.h"
#include "store/db.h"
#include "store/search_store.h"
#include "store/store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include "testutil.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define H INT64_C(3600)
#define NOW (T0 + 53 * H) /* "now" for relative times */

static char g_url[1024];
static char g_path[512];
static int g_sqlite;
static struct db *g_db;

/* ---- seeding ------------------------------------------------------------ */

static void ok(int rc, const char *what)
{
	if (rc)
		print_error("%s: rc=%d %s\n", what, rc, db_errmsg(g_db));
	assert_int_equal(rc, 0);
}

static int64_t add_org(const char *name, int shared, const char *tags, const char *ext,
		       const char *notes, int64_t at)
{
	struct db_res *r;
	ok(db_query(g_db, &r,
		    "INSERT INTO organizations (name, shared_tickets, tags, external_id, notes,"
		    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		    "sisssii", name, (int64_t)shared, tags, ext, notes, at, at),
	   "insert organization");
	int64_t id = db_int(r, 0, 0);
	db_res_free(r);
	ok(search_index_organization(g_db, id), "index organization");
	return id;
}

static int64_t add_group(const char *name)
{
	struct db_res *r;
	ok(db_query(g_db, &r,
		    "INSERT INTO agent_groups (name, created_at, updated_at) VALUES (?, ?, ?)"
		    " RETURNING id",
		    "sii", name, T0, T0),
	   "insert group");
	int64_t id = db_int(r, 0, 0);
	db_res_free(r);
	return id;
}

static void add_member(int64_t user, int64_t group)
{
	ok(db_query(g_db, NULL,
		    "INSERT INTO group_memberships (user_id, group_id, created_at, updated_at)"
		    " VALUES (?, ?, ?, ?)",
		    "iiii", user, group, T0, T0),
	   "insert membership");
}

struct person {
	const char *name, *email;
	int role;
	int64_t org;
	const char *tag, *external_id, *notes, *restriction, *phone;
};

static int64_t add_user(const struct person *p, int64_t at)
{
	struct user u = {0};
	u.name = xstrdup(p->name);
	u.email = xstrdup(p->email);
	u.role = p->role;
	u.organization_id = p->org;
	if (p->tag)
		strlist_add(&u.tags, p->tag);
	u.external_id = p->external_id ? xstrdup(p->external_id) : NULL;
	u.notes = p->notes ? xstrdup(p->notes) : NULL;
	u.ticket_restriction = p->restriction ? xstrdup(p->restriction) : NULL;
	u.phone = p->phone ? xstrdup(p->phone) : NULL;
	u.active = u.verified = 1;
	u.created_at = u.updated_at = at;
	ok(user_store_insert(g_db, &u), "insert user");
	int64_t id = u.id;
	user_clear(&u);
	ok(search_index_user(g_db, id), "index user");
	return id;
}

struct tk {
	int64_t requester, assignee, group, problem, cc, due;
	const char *subject, *body, *status, *priority, *type, *tags, *via, *external_id;
	int64_t at;
};

static int64_t add_ticket(const struct tk *k)
{
	struct ticket_change c = {0};
	c.set = TF_SUBJECT | TF_REQUESTER;
	c.v.subject = xstrdup(k->subject);
	c.v.requester_id = k->requester;
	if (k->group) {
		c.set |= TF_GROUP;
		c.v.group_id = k->group;
	}
	if (k->assignee) {
		c.set |= TF_ASSIGNEE;
		c.v.assignee_id = k->assignee;
	}
#define STR(field, bit)                                                                            \
	if (k->field) {                                                                            \
		c.set |= bit;                                                                      \
		c.v.field = xstrdup(k->field);                                                     \
	}
	STR(status, TF_STATUS);
	STR(priority, TF_PRIORITY);
	STR(type, TF_TYPE);
	STR(external_id, TF_EXTERNAL_ID);
#undef STR
	if (k->problem) {
		c.set |= TF_PROBLEM;
		c.v.problem_id = k->problem;
	}
	if (k->due) {
		c.set |= TF_DUE_AT;
		c.v.due_at = k->due;
	}
	if (k->cc) {
		c.set |= TF_COLLABORATORS;
		idlist_add(&c.v.collaborator_ids, k->cc);
	}
	if (k->tags) {
		c.set |= TF_TAGS;
		char *t = xstrdup(k->tags), *save = NULL;
		for (char *p = strtok_r(t, " ", &save); p; p = strtok_r(NULL, " ", &save))
			strlist_add(&c.v.tags, p);
		free(t);
	}
	c.comment_body = xstrdup(k->body);
	c.comment_public = 1;
	struct ticket_write w = {.who = {.user_id = 1, .role = ROLE_ADMIN},
				 .change = &c,
				 .via = k->via ? k->via : "web",
				 .now = k->at};
	int rc = ticket_write_run(g_db, &w);
	if (rc)
		print_error("ticket '%s': %s\n", k->subject, w.err);
	assert_int_equal(rc, 0);
	int64_t id = w.result.id;
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return id;
}

static void add_comment(int64_t ticket, int64_t author, const char *body, int is_public, int64_t at)
{
	struct ticket_change c = {0};
	c.comment_body = xstrdup(body);
	c.comment_public = is_public;
	struct ticket_write w = {.who = {.user_id = author, .role = ROLE_AGENT},
				 .id = ticket,
				 .change = &c,
				 .via = "web",
				 .now = at};
	assert_int_equal(ticket_write_run(g_db, &w), 0);
	ticket_write_clear(&w);
	ticket_change_clear(&c);
}

static void seed(void)
{
	ok(db_begin(g_db), "begin");
	int64_t o1 =
	    add_org("Acme Corp", 1, "[\"enterprise\"]", "org-acme", "key account", T0 - 2000);
	int64_t o2 = add_org("한빛상사", 0, "[]", "org-hanbit", NULL, T0 - 1999);
	int64_t g1 = add_group("고객지원 Support"), g2 = add_group("Billing");
	static const struct person people[] = {
	    {"Admin", "admin@sonnim.example", ROLE_ADMIN, 0, NULL, NULL, NULL, NULL, NULL},
	    {"김지원", "jiwon@sonnim.example", ROLE_AGENT, 0, NULL, NULL, NULL, NULL, NULL},
	    {"Alex Morgan", "alex@sonnim.example", ROLE_AGENT, 0, "tier2", NULL, NULL, NULL, NULL},
	    {"Rita Groups", "rita@sonnim.example", ROLE_AGENT, 0, NULL, NULL, NULL, "groups", NULL},
	    {"Sam Assigned", "sam@sonnim.example", ROLE_AGENT, 0, NULL, NULL, NULL, "assigned",
	     NULL},
	    {"Jane Doe", "jane@acme.example", ROLE_END_USER, 1, "vip", "crm-jane", "prefers email",
	     NULL, NULL},
	    {"John Roe", "john@acme.example", ROLE_END_USER, 1, NULL, NULL, NULL, NULL, NULL},
	    {"이민수", "minsu@hanbit.example", ROLE_END_USER, 2, NULL, NULL, NULL, NULL, NULL},
	    {"박서연", "seoyeon@example.kr", ROLE_END_USER, 0, NULL, NULL, NULL, NULL,
	     "+82-10-1234-5678"},
	};
	assert_int_equal(o1, 1);
	assert_int_equal(o2, 2);
	for (size_t i = 0; i < ARRAY_SIZE(people); i++)
		assert_int_equal(add_user(&people[i], T0 - 1000 + (int64_t)i), (int64_t)i + 1);
	add_member(2, g1);
	add_member(3, g2);
	add_member(4, g2);
	const struct tk tickets[] = {
	    {.requester = 8,
	     .assignee = 2,
	     .group = g1,
	     .subject = "배송 지연 문의",
	     .body = "주문한 상품이 일주일째 배송되지 않았습니다. 배송 상태를 확인해 주세요.",
	     .status = "open",
	     .priority = "high",
	     .tags = "배송 vip",
	     .at = T0 + 1 * H},
	    {.requester = 6,
	     .group = g2,
	     .subject = "Refund for a double charge",
	     .body = "I was charged twice for order #4471. Please refund one of the charges.",
	     .priority = "urgent",
	     .tags = "refund billing",
	     .via = "email",
	     .at = T0 + 2 * H},
	    {.requester = 9,
	     .assignee = 2,
	     .group = g1,
	     .subject = "비밀번호 재설정이 안 돼요",
	     .body = "비밀번호 재설정 메일이 오지 않습니다. 스팸함도 확인했어요.",
	     .status = "pending",
	     .priority = "normal",
	     .tags = "계정",
	     .at = T0 + 3 * H},
	    {.requester = 7,
	     .assignee = 3,
	     .group = g1,
	     .subject = "How do I export my invoices?",
	     .body = "Is there a way to download all invoices from last year at once?",
	     .status = "solved",
	     .priority = "low",
	     .type = "question",
	     .tags = "how-to",
	     .via = "api",
	     .at = T0 + 4 * H},
	    {.requester = 8,
	     .group = g2,
	     .subject = "환불 요청합니다",
	     .body = "배송 지연으로 주문을 취소하고 환불받고 싶습니다.",
	     .priority = "normal",
	     .type = "problem",
	     .tags = "환불 배송",
	     .at = T0 + 5 * H},
	    {.requester = 9,
	     .assignee = 5,
	     .group = g2,
	     .problem = 5,
	     .cc = 6,
	     .subject = "Printer near the door and window or wall",
	     .body = "Checked body: printer is fine. O'Neill's don't work \\ 100% _ok_",
	     .status = "hold",
	     .type = "incident",
	     .via = "api",
	     .at = T0 + 26 * H},
	    {.requester = 6,
	     .assignee = 3,
	     .subject = "Task: call back Jane",
	     .body = "Call the customer back about the invoice.",
	     .status = "open",
	     .type = "task",
	     .due = T0 + 240 * H,
	     .at = T0 + 50 * H},
	    {.requester = 7,
	     .subject = "Anything else",
	     .body = "Just checking in.",
	     .priority = "low",
	     .external_id = "ext-8",
	     .at = T0 + 52 * H},
	};
	for (size_t i = 0; i < ARRAY_SIZE(tickets); i++)
		assert_int_equal(add_ticket(&tickets[i]), (int64_t)i + 1);
	add_comment(2, 2, "We refunded the second charge.", 1, T0 + 30 * H);
	add_comment(7, 3, "internal: angry customer", 0, T0 + 50 * H);
	ok(db_commit(g_db), "commit");
}

/* ---- running queries ---------------------------------------------------- */

/* Who is asking: admin, or user id as loaded by auth (role, organization,
 * restriction, org_shared). */
static struct actor actor_of(int64_t user_id)
{
	struct user u = {0};
	struct actor a = {0};
	assert_int_equal(user_store_get(g_db, user_id, &u), 0);
	a.user_id = u.id;
	a.role = u.role;
	a.organization_id = u.organization_id;
	assert_int_equal(actor_store_load(g_db, &a, u.ticket_restriction), 0);
	user_clear(&u);
	return a;
}

struct opts {
	int64_t as;	     /* asking user; 0 = the admin (u1) */
	unsigned kinds;	     /* 0 = from the query */
	const char *sort_by; /* NULL = created_at ascending */
	int desc;	     /* with sort_by */
	int64_t offset;
	int limit; /* 0 = 100 */
};

static char g_err[2048];
static int64_t g_total;

/* Run query; render the hits ("t1 u6 o1"), or "INVALID" / "ERROR". */
static char *run(const char *query, const struct opts *o)
{
	struct search_query q;
	char perr[256];
	if (search_query_parse(query, strlen(query), &q, perr, sizeof(perr))) {
		snprintf(g_err, sizeof(g_err), "%s", perr);
		return xstrdup("PARSE");
	}
	struct actor who = actor_of(o->as ? o->as : 1);
	struct search_spec sp = {
	    .q = &q,
	    .who = &who,
	    .kinds = o->kinds,
	    .sort_by = o->sort_by ? o->sort_by : "created_at",
	    .sort_desc = o->sort_by ? o->desc : 0,
	    .now = NOW,
	    .offset = o->offset,
	    .limit = o->limit ? o->limit : 100,
	};
	struct search_hit *hits;
	int n;
	g_err[0] = '\0';
	g_total = -1;
	int rc = search_store_run(g_db, &sp, &hits, &n, &g_total, g_err, sizeof(g_err));
	int64_t count = -2;
	if (rc == 0 || rc == SEARCH_INVALID) {
		char e2[2048];
		int rc2 = search_store_count(g_db, &sp, &count, e2, sizeof(e2));
		assert_int_equal(rc2, rc);
		if (rc == SEARCH_INVALID)
			assert_string_equal(e2, g_err);
	}
	search_query_clear(&q);
	if (rc == SEARCH_INVALID) {
		assert_true(g_err[0] != '\0');
		return xstrdup("INVALID");
	}
	if (rc) {
		print_error("query '%s': rc=%d %s\n", query, rc, db_errmsg(g_db));
		return xstrdup("ERROR");
	}
	assert_int_equal(count, g_total);
	if (!sp.offset && n < sp.limit) /* the whole result: the count is its size */
		assert_int_equal(g_total, n);
	struct buf b = BUF_INIT;
	for (int i = 0; i < n; i++)
		buf_addf(&b, "%s%c%" PRId64, i ? " " : "",
			 hits[i].kind == SEARCH_TICKET ? 't'
			 : hits[i].kind == SEARCH_USER ? 'u'
						       : 'o',
			 hits[i].id);
	free(hits);
	return buf_detach(&b);
}

static void check_opts(const char *query, const struct opts *o, const char *want)
{
	char *got = run(query, o);
	if (strcmp(got, want))
		print_error("query '%s' (as u%" PRId64 "): got '%s', want '%s' %s\n", query,
			    o->as ? o->as : 1, got, want, g_err);
	assert_string_equal(got, want);
	free(got);
}

/* As the admin, sorted by creation. */
static void check(const char *query, const char *want)
{
	struct opts o = {0};
	check_opts(query, &o, want);
}

static void check_as(int64_t user, const char *query, const char *want)
{
	struct opts o = {.as = user};
	check_opts(query, &o, want);
}

/* The query is refused as invalid, with a message containing `msg`. */
static void check_invalid(const char *query, const char *msg)
{
	struct opts o = {0};
	char *got = run(query, &o);
	if (strcmp(got, "INVALID") || !strstr(g_err, msg))
		print_error("query '%s': got '%s' (%s), want INVALID with '%s'\n", query, got,
			    g_err, msg);
	assert_string_equal(got, "INVALID");
	assert_non_null(strstr(g_err, msg));
	free(got);
}

/* ---- setup ---------------------------------------------------------------- */

static int group_setup(void **state)
{
	const char *env = getenv("SONNIM_TEST_DB");
	if (!env || !*env || !strcmp(env, "sqlite")) {
		const char *dir = getenv("TMPDIR");
		g_sqlite = 1;
		snprintf(g_path, sizeof(g_path), "%s/sonnim-test-search-XXXXXX",
			 dir && *dir ? dir : "/tmp");
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
	struct store *st = store_open(g_url, 0, 1, err, sizeof(err)); /* migrates */
	if (!st) {
		print_error("store_open: %s\n", err);
		return -1;
	}
	store_close(st);
	g_db = db_open(g_url, 0, err, sizeof(err));
	if (!g_db) {
		print_error("db_open: %s\n", err);
		return -1;
	}
	seed();
	return 0;
}

static int group_teardown(void **state)
{
	db_close(g_db);
	if (g_sqlite) {
		static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
		char p[600];
		for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
			snprintf(p, sizeof(p), "%s%s", g_path, sfx[i]);
			unlink(p);
		}
	}
	tokenize_thread_cleanup();
	return 0;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_free_text(void **state)
{
	check("type:ticket 배송", "t1 t5");
	check("type:ticket 배송 지연", "t1 t5");
	check("type:ticket \"지연 문의\"", "t1");
	check("type:ticket 환불", "t5");
	check("type:ticket refunds", "t2"); /* stemmed: refund */
	check("type:ticket REFUNDED", "t2");
	check("type:ticket \"charged twice\"", "t2");
	check("type:ticket \"twice charged\"", "");
	check("type:ticket invoic*", "t4 t7"); /* prefix */
	check("type:ticket 비밀*", "t3");
	check("type:ticket -배송", "t2 t3 t4 t6 t7 t8");
	check("type:ticket -배송 -refund", "t3 t4 t6 t7 t8");
	check("type:ticket refund -\"double charge\"", "");
	check("type:ticket nothinglikethis", "");
	check("type:ticket vip", "t1"); /* tags are in the document */
	/* no type: every kind */
	check("jane", "u6 t7");
	check("acme", "o1 u6 u7");
	check("한빛상사", "o2");
	check("", "o1 o2 u1 u2 u3 u4 u5 u6 u7 u8 u9 t1 t2 t3 t4 t5 t6 t7 t8");
}

static void test_status_priority_type(void **state)
{
	check("status:open", "t1 t7");
	check("status:open,pending", "t1 t3 t7");
	check("status:OPEN", "t1 t7");
	check("status<pending", "t1 t2 t5 t7 t8");
	check("status<=pending", "t1 t2 t3 t5 t7 t8");
	check("status>pending", "t4 t6");
	check("status>=solved", "t4");
	check("-status:new", "t1 t3 t4 t6 t7");
	check("status:closed", "");
	check("priority:urgent", "t2");
	check("priority>=high", "t1 t2");
	check("priority<normal", "t4 t8");
	check("priority:none", "t6 t7");
	check("-priority:low", "t1 t2 t3 t5 t6 t7");
	check("ticket_type:incident", "t6");
	check("ticket_type:problem,task", "t5 t7");
	check("ticket_type:none", "t1 t2 t3 t8");
	check("-ticket_type:none", "t4 t5 t6 t7");
	check_invalid("status:bogus", "invalid status 'bogus'");
	check_invalid("priority>none", "invalid priority 'none'");
	check_invalid("ticket_type:bug", "invalid ticket_type 'bug'");
}

static void test_people(void **state)
{
	struct opts as_jiwon = {.as = 2};
	check_opts("assignee:me", &as_jiwon, "t1 t3");
	check("assignee:none", "t2 t5 t8");
	check("-assignee:none", "t1 t3 t4 t6 t7");
	check("assignee:3", "t4 t7");
	check("assignee:ALEX@sonnim.example", "t4 t7");
	check("assignee:\"Alex Morgan\"", "t4 t7");
	check("assignee:김지원,3", "t1 t3 t4 t7");
	check("-assignee:3", "t1 t2 t3 t5 t6 t8"); /* unassigned included */
	check("requester:jane@acme.example", "t2 t7");
	check("requester:8", "t1 t5");
	check("submitter:1", "t1 t2 t3 t4 t5 t6 t7 t8");
	check("assignee:nobody@nowhere.example", "");
	check("commenter:jiwon@sonnim.example", "t2");
	check("commenter:3", "t7");	/* the private note counts for agents */
	check_as(6, "commenter:3", ""); /* but not for end-users */
	check_invalid("assignee>3", "'assignee' does not take '>'");
	check_invalid("commenter:none", "'none' is not a person here");
}

static void test_group_organization(void **state)
{
	check("group:1", "t1 t3 t4");
	check("group:\"고객지원 Support\"", "t1 t3 t4");
	check("group:billing", "t2 t5 t6");
	check("group:none", "t7 t8");
	check("-group:none", "t1 t2 t3 t4 t5 t6");
	check("type:ticket organization:\"Acme Corp\"", "t2 t4 t7 t8");
	check("type:ticket organization:2", "t1 t5");
	check("type:ticket organization:none", "t3 t6");
	check("type:user organization:acme\\ corp", "");
	check("organization:\"acme corp\"", "u6 u7 t2 t4 t7 t8");
}

static void test_tags_via_external(void **state)
{
	check("tags:vip", "u6 t1");
	check("type:ticket tags:vip", "t1");
	check("type:ticket tag:배송", "t1 t5");
	check("type:ticket tags:refund,how-to", "t2 t4");
	check("type:ticket -tags:배송", "t2 t3 t4 t6 t7 t8");
	check("type:ticket tags:none", "t6 t7 t8");
	check("type:ticket tags:VIP", "t1"); /* tags are lower-cased */
	check("type:user tags:vip", "u6");
	check("type:user tags:none", "u1 u2 u4 u5 u7 u8 u9");
	check("type:organization tags:enterprise", "o1");
	check("type:organization -tags:enterprise", "o2");
	check("tags:vi", ""); /* whole tags only */
	check_invalid("tags:\"a,b\"", "invalid tag");
	check("via:email", "t2");
	check("via:mail", "t2");
	check("via:api", "t4 t6");
	check("-via:web", "t2 t4 t6");
	check("external_id:ext-8", "t8");
	check("external_id:crm-jane", "u6");
	check("external_id:org-hanbit", "o2");
	check("external_id:EXT-8", ""); /* exact */
	check("has_incidents:true", "t5");
	check("has_incidents:false type:ticket ticket_type:problem", "");
	check_invalid("has_incidents:maybe", "takes true or false");
	check("has_attachment:false", "t1 t2 t3 t4 t5 t6 t7 t8");
}

static void test_dates(void **state)
{
	check("type:ticket created:2026-01-01", "t1 t2 t3 t4 t5");
	check("type:ticket created>2026-01-01", "t6 t7 t8");
	check("type:ticket created>=2026-01-02", "t6 t7 t8");
	check("type:ticket created<2026-01-02", "t1 t2 t3 t4 t5");
	check("type:ticket created<=2026-01-01", "t1 t2 t3 t4 t5");
	check("type:ticket created<2026-01-01T03:00:00Z", "t1 t2");
	check("type:ticket created<=2026-01-01T03:00:00Z", "t1 t2 t3");
	check("type:ticket created:2026-01-01T03:00:00Z", "t3");
	check("type:ticket created:2026-01-01T12:00:00+09:00", "t3");
	check("type:ticket created:2026-01-01,2026-01-03", "t1 t2 t3 t4 t5 t7 t8");
	/* now = T0 + 53h; updated: t2 +30h (the reply), t7 +50h, t8 +52h */
	check("type:ticket updated>4hours", "t7 t8");
	check("type:ticket updated>3hours", "t8");
	check("type:ticket updated:1day", "t2 t7 t8");
	check("type:ticket updated<1day", "t1 t3 t4 t5 t6");
	check("type:ticket -updated<1day", "t2 t7 t8");
	check("solved:2026-01-01", "t4");
	check("-solved:2026-01-01", "t1 t2 t3 t5 t6 t7 t8"); /* unsolved included */
	check("due_date>2026-01-05", "t7");
	check("due_date:none", "INVALID");
	check("type:user created<2026-01-01", "u1 u2 u3 u4 u5 u6 u7 u8 u9");
	check("type:organization created<2025-12-31T23:30:00Z", "o1 o2");
	check_invalid("created>yesterdayish", "invalid time 'yesterdayish' for 'created'");
}

static void test_text_fields(void **state)
{
	check("subject:refund", "t2");
	check("subject:\"double charge\"", "t2");
	check("subject:REFUND", "t2");
	check("subject:refunds", ""); /* the subject itself must contain it */
	check("subject:charged", ""); /* in the description, not the subject */
	check("description:charged", "t2");
	check("description:\"100%\"", "t6");
	check("description:100", "t6");
	check("description:\"_ok_\"", "t6");
	check("description:\"\\\"", "t6"); /* a backslash */
	check("description:\"\\\\\"", ""); /* two: not there */
	check("description:%", "t6");
	check("description:%%", "");
	check("subject:_", "");
	check("subject:ref*charge", "t2");
	check("subject:배송", "t1");
	check("subject:배송,환불", "t1 t5");
	check("-subject:배송 type:ticket", "t2 t3 t4 t5 t6 t7 t8");
	check("comment:\"second charge\"", "t2");
	check("comment:angry", "t7");
	check_invalid("comment:\"???\"", "nothing to search for in 'comment'");
}

static void test_users_organizations(void **state)
{
	check("type:user role:agent", "u2 u3 u4 u5");
	check("type:user role:end-user,admin", "u1 u6 u7 u8 u9");
	check("role:enduser", "u6 u7 u8 u9");
	check("type:user -role:end-user", "u1 u2 u3 u4 u5");
	check_invalid("role:boss", "invalid role 'boss'");
	check("email:jane@acme.example", "u6");
	check("email:JANE@ACME.EXAMPLE", "u6");
	check("email:@acme.example", "u6 u7");
	check("email:j*@acme.example", "u6 u7");
	check("email:%@%", "");
	check("email:acme.example", "");
	check("name:jane", "u6");
	check("name:김", "u2");
	check("name:acme", "o1");
	check("name:o*r", "o1 u3 u7");
	check("name:%", "");
	check("name:_", "");
	check("phone:+82-10-1234-5678", "u9");
	check("notes:email", "u6");
	check("notes:account", "o1");
	check("type:user jane", "u6");
	check("type:user sonnim", "u1 u2 u3 u4 u5");
	check("type:user 1234", "u9");
	check("type:organization acme", "o1");
	check("type:organization key", "o1");
	check("type:user organization:none", "u1 u2 u3 u4 u5 u9");
}

static void test_kinds_and_errors(void **state)
{
	check("status:open jane", "t7");
	check("name:a", "o1 u1 u3 u4 u5 u6");
	check_invalid("foo:bar", "unknown field 'foo'");
	check_invalid("type:user status:open", "unknown field 'status' for type 'user'");
	check_invalid("type:organization email:x@y.example",
		      "unknown field 'email' for type 'organization'");
	check_invalid("status:open name:x", "no type has all the fields");
	check_invalid("type:group support", "unsupported type 'group'");
	struct opts bad_sort = {.sort_by = "name"};
	char *got = run("x", &bad_sort);
	assert_string_equal(got, "INVALID");
	assert_non_null(strstr(g_err, "invalid sort_by 'name'"));
	free(got);
	/* order_by: counts when the request has no sort_by */
	struct search_query q;
	const char *text = "order_by:relevance x";
	assert_int_equal(search_query_parse(text, strlen(text), &q, NULL, 0), 0);
	struct actor admin = actor_of(1);
	struct search_spec sp = {.q = &q, .who = &admin, .sort_desc = -1, .limit = 10};
	int64_t count;
	assert_int_equal(search_store_count(g_db, &sp, &count, g_err, sizeof(g_err)),
			 SEARCH_INVALID);
	assert_string_equal(g_err, "invalid order_by 'relevance'");
	search_query_clear(&q);
	/* the users endpoint searches users only */
	struct opts users = {.kinds = SEARCH_USER};
	check_opts("jane", &users, "u6");
	check_opts("acme", &users, "u6 u7");
	got = run("type:ticket x", &users);
	assert_string_equal(got, "INVALID");
	free(got);
	got = run("status:open", &users);
	assert_string_equal(got, "INVALID");
	free(got);
}

static void test_sort_and_pages(void **state)
{
	struct opts o = {.sort_by = "updated_at", .desc = 1};
	check_opts("type:ticket", &o, "t8 t7 t2 t6 t5 t4 t3 t1");
	o.desc = 0;
	check_opts("type:ticket", &o, "t1 t3 t4 t5 t6 t2 t7 t8");
	o = (struct opts){.sort_by = "status"};
	check_opts("type:ticket", &o, "t2 t5 t8 t1 t7 t3 t6 t4");
	o.desc = 1;
	check_opts("type:ticket", &o, "t4 t6 t3 t7 t1 t8 t5 t2");
	o = (struct opts){.sort_by = "priority", .desc = 1};
	check_opts("type:ticket", &o, "t2 t1 t5 t3 t8 t4 t7 t6");
	o = (struct opts){.sort_by = "ticket_type"};
	check_opts("type:ticket", &o, "t1 t2 t3 t8 t6 t5 t4 t7");
	/* order_by:/sort: in the query when the spec has no sort_by */
	struct search_query q;
	const char *text = "type:ticket order_by:created sort:asc"; /* Zendesk's short name */
	assert_int_equal(search_query_parse(text, strlen(text), &q, NULL, 0), 0);
	struct actor admin = actor_of(1);
	struct search_spec sp = {
	    .q = &q, .who = &admin, .sort_desc = -1, .now = NOW, .limit = 3, .offset = 2};
	struct search_hit *h;
	int n;
	int64_t total;
	assert_int_equal(search_store_run(g_db, &sp, &h, &n, &total, NULL, 0), 0);
	assert_int_equal(n, 3);
	assert_int_equal(total, 8);
	assert_int_equal(h[0].id, 3);
	assert_int_equal(h[2].id, 5);
	free(h);
	/* the default: updated_at, newest first */
	sp.offset = 0;
	search_query_clear(&q);
	assert_int_equal(search_query_parse("type:ticket", 11, &q, NULL, 0), 0);
	assert_int_equal(search_store_run(g_db, &sp, &h, &n, &total, NULL, 0), 0);
	assert_int_equal(n, 3);
	assert_int_equal(h[0].id, 8);
	assert_int_equal(h[1].id, 7);
	assert_int_equal(h[2].id, 2);
	free(h);
	search_query_clear(&q);
	/* mixed kinds page through one order: orgs, users, then tickets */
	o = (struct opts){.offset = 9, .limit = 4};
	check_opts("", &o, "u8 u9 t1 t2");
	assert_int_equal(g_total, 19);
	o.offset = 18;
	check_opts("", &o, "t8");
	o.offset = 19;
	check_opts("", &o, "");
	assert_int_equal(g_total, 19);
	o = (struct opts){.sort_by = "status", .limit = 3};
	check_opts("", &o, "u1 o1 u2"); /* kinds without a status sort first, by id */
}

/* The words' first hits by updated_at: every page, at every size and
 * offset, is the same slice of one order.  For "a few" matches among 8
 * tickets the store reads small pages by walking tickets in updated_at
 * order (30 * n * n >= max_id * (offset + limit): always here with limit
 * <= 3) and the whole list of 100 from the matches (unless n >= 6), so the
 * two plans are held to each other. */
static void test_pages_by_updated(void **state)
{
	static const struct {
		int64_t as;
		const char *query, *desc; /* updated_at descending, all of it */
	} cases[] = {
	    {0, "type:ticket 배송", "t5 t1"},
	    {0, "배송", "t5 t1"},
	    {0, "type:ticket the", NULL},
	    {0, "the", NULL},
	    {0, "type:ticket the -status:open", "t2 t6"},
	    {0, "type:ticket invoic*", "t7 t4"},
	    {0, "jane", "t7 u6"},
	    {0, "refund*", NULL},
	    {0, "type:ticket -배송", "t8 t7 t2 t6 t4 t3"}, /* no words: no walk */
	    {4, "type:ticket the", NULL},
	    {6, "type:ticket the", NULL},
	    {6, "the", NULL},
	    {8, "배송", "t5 t1"},
	};
	/* all tickets, updated_at descending (see test_sort_and_pages) */
	static const char *const updated_desc[] = {"t8", "t7", "t2", "t6", "t5", "t4", "t3", "t1"};
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		for (int desc = 1; desc >= 0; desc--) {
			struct opts full = {
			    .as = cases[c].as, .sort_by = "updated_at", .desc = desc};
			char *all = run(cases[c].query, &full);
			int64_t total = g_total;
			if (cases[c].desc && desc)
				assert_string_equal(all, cases[c].desc);
			/* tickets-only results: the tickets' order, filtered */
			if (!strchr(all, 'u') && !strchr(all, 'o')) {
				struct opts by_created = {.as = cases[c].as};
				char *set = run(cases[c].query, &by_created);
				struct buf want = BUF_INIT;
				for (size_t i = 0; i < ARRAY_SIZE(updated_desc); i++) {
					const char *t =
					    updated_desc[desc ? i
							      : ARRAY_SIZE(updated_desc) - 1 - i];
					char pad[8], padded[256];
					snprintf(pad, sizeof(pad), " %s ", t);
					snprintf(padded, sizeof(padded), " %s ", set);
					if (strstr(padded, pad))
						buf_addf(&want, "%s%s", want.len ? " " : "", t);
				}
				if (strcmp(all, want.s))
					print_error("'%s' by updated_at: got '%s', want '%s'\n",
						    cases[c].query, all, want.s);
				assert_string_equal(all, want.s);
				buf_release(&want);
				free(set);
			}
			/* every page is its slice of all */
			char *words[16];
			int nwords = 0;
			for (char *p = all, *save = NULL, *w; (w = strtok_r(p, " ", &save));
			     p = NULL)
				if (nwords < 16)
					words[nwords++] = w;
			for (int limit = 1; limit <= 3; limit++) {
				for (int offset = 0; offset <= nwords; offset++) {
					struct opts o = full;
					o.limit = limit;
					o.offset = offset;
					struct buf want = BUF_INIT;
					for (int i = offset; i < offset + limit && i < nwords; i++)
						buf_addf(&want, "%s%s", want.len ? " " : "",
							 words[i]);
					check_opts(cases[c].query, &o, want.s);
					assert_int_equal(g_total, total);
					buf_release(&want);
				}
			}
			free(all);
		}
	}
}

/* Every actor finds exactly the tickets ticket_can_view() lets it see. */
static void test_visibility(void **state)
{
	check_as(6, "type:ticket", "t2 t4 t6 t7 t8"); /* own, org shared, CC */
	check_as(7, "type:ticket", "t2 t4 t7 t8");
	check_as(8, "type:ticket", "t1 t5"); /* organization does not share */
	check_as(9, "type:ticket", "t3 t6");
	check_as(4, "type:ticket", "t2 t5 t6"); /* restricted to group g2 */
	check_as(5, "type:ticket", "t6");	/* restricted to assigned */
	check_as(2, "type:ticket", "t1 t2 t3 t4 t5 t6 t7 t8");
	check_as(6, "", "o1 u6 t2 t4 t6 t7 t8"); /* end-users: self and own org only */
	check_as(9, "", "u9 t3 t6");
	check_as(6, "type:user", "u6");
	check_as(6, "type:user role:agent", "");
	check_as(6, "type:organization", "o1");
	check_as(9, "type:organization", "");
	check_as(6, "배송", "");
	check_as(8, "배송", "t1 t5");
	check_as(6, "requester:me", "t2 t7");
	/* an internal note on their own ticket is not searchable by an end-user */
	check_as(6, "type:ticket angry", "");
	check_as(2, "type:ticket angry", "t7");
	for (int64_t who = 1; who <= 9; who++) {
		struct actor a = actor_of(who);
		struct buf want = BUF_INIT;
		for (int64_t id = 1; id <= 8; id++) {
			struct ticket t = {0};
			assert_int_equal(ticket_store_get(g_db, id, &t), 0);
			if (ticket_can_view(&a, &t))
				buf_addf(&want, "%st%" PRId64, want.len ? " " : "", id);
			ticket_clear(&t);
		}
		struct opts o = {.as = who};
		check_opts("type:ticket", &o, want.s);
		buf_release(&want);
	}
}

/* Text from the user never becomes SQL or full-text syntax: it is searched
 * for literally (or refused as invalid), never an engine error, and the
 * tables are intact afterwards. */
static void test_hostile(void **state)
{
	static const char *const queries[] = {
	    "'; DROP TABLE tickets; --",
	    "\"; DROP TABLE tickets; --",
	    "'",
	    "\"",
	    "\"unbalanced",
	    "a\"b\"c",
	    "NEAR(printer door)",
	    "NEAR",
	    "printer NEAR/2 door",
	    "AND",
	    "OR",
	    "NOT",
	    "printer AND door OR wall NOT window",
	    "(printer",
	    "printer)",
	    "*",
	    "**",
	    "^printer",
	    "printer^",
	    "{body}: printer",
	    "\"body:printer\"",
	    "- -- ---",
	    "+printer",
	    "printer:*",
	    "!printer & door | wall <-> near",
	    "'printer':*",
	    "don't O'Neill's",
	    "\\",
	    "\\'",
	    "%",
	    "_",
	    "1 OR 1=1",
	    "x' OR '1'='1",
	    "subject:\"'; DROP TABLE tickets; --\"",
	    "description:\"' OR 1=1 --\"",
	    "tags:\"x' OR 'a'='a\"",
	    "name:\"' OR ''='\"",
	    "email:\"' OR 1=1 --@x\"",
	    "assignee:\"'; DELETE FROM users; --\"",
	    "group:\"'); DROP TABLE agent_groups; --\"",
	    "organization:\"x' OR '1'='1\"",
	    "external_id:\"' OR 1=1 --\"",
	    "via:\"web' OR 'x'='x\"",
	    "comment:\"printer\" -comment:\"NEAR\"",
	    "배송\" OR \"환불",
	    "배송 OR 환불",
	    "ㅋㅋㅋ ㅎㅎ",
	    "\xF0\x9F\x98\x80 printer", /* emoji */
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa*",
	};
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++) {
		struct opts o = {0};
		char *got = run(queries[i], &o);
		if (!strcmp(got, "ERROR") || !strcmp(got, "PARSE"))
			print_error("query '%s': %s %s\n", queries[i], got, g_err);
		assert_string_not_equal(got, "ERROR");
		assert_string_not_equal(got, "PARSE");
		free(got);
		struct opts eu = {.as = 6};
		got = run(queries[i], &eu);
		assert_string_not_equal(got, "ERROR");
		free(got);
	}
	/* operators are words: they find the ticket that has them as words */
	check("type:ticket NEAR", "t6");
	check("type:ticket AND", "t6");
	check("type:ticket OR", "t6");
	check("type:ticket printer AND door OR wall", "t6");
	check("type:ticket NEAR(printer door)", ""); /* "near printer" is no phrase there */
	check("type:ticket NEAR(door", "");
	check("type:ticket \"printer near\"", "t6");
	check("type:ticket ^printer", "t6");
	check("type:ticket printer^", "t6");
	check("type:ticket \"body:printer\"", "t6"); /* "body: printer" in the text */
	check("type:ticket -\"body:printer\"", "t1 t2 t3 t4 t5 t7 t8");
	check("type:ticket {body}: wall", "t6");
	check("type:ticket don't", "t6");
	check("type:ticket *", "t1 t2 t3 t4 t5 t6 t7 t8"); /* nothing to search: ignored */
	check("type:ticket \"", "t1 t2 t3 t4 t5 t6 t7 t8");
	check("type:ticket '; DROP TABLE tickets; --", "");
	check("type:ticket 배송 OR 환불", ""); /* AND: no ticket has "or" with both */
	check_invalid("body:printer", "unknown field 'body'");
	check("subject:\"'; DROP TABLE tickets; --\"", "");
	check("name:\"' OR ''='\"", "");
	check("tags:\"x' OR 'a'='a\"", "INVALID");
	/* everything is still there */
	struct db_res *r;
	assert_int_equal(db_query(g_db, &r,
				  "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM"
				  " users), (SELECT COUNT(*) FROM agent_groups)",
				  ""),
			 0);
	assert_int_equal(db_int(r, 0, 0), 8);
	assert_int_equal(db_int(r, 0, 1), 9);
	assert_int_equal(db_int(r, 0, 2), 2);
	db_res_free(r);
}

/* One statement binds at most 64 values; more is refused, not a crash. */
static void test_too_many_values(void **state)
{
	struct buf q = BUF_INIT;
	buf_adds(&q, "type:ticket tags:");
	for (int i = 0; i < SEARCH_QUERY_MAX_VALUES; i++)
		buf_addf(&q, "%st%d", i ? "," : "", i);
	check(q.s, ""); /* 32 values fit */
	buf_adds(&q, " -tags:");
	for (int i = 0; i < SEARCH_QUERY_MAX_VALUES; i++)
		buf_addf(&q, "%su%d", i ? "," : "", i);
	check_invalid(q.s, "too many values");
	buf_release(&q);
	/* the same words in every kind's SELECT still fit */
	check("a b c d e f g h i j k l m n o p q r s t u v w x y z", "");
}

static void test_tag_total(void **state)
{
	int64_t n = 0;
	assert_int_equal(search_store_tag_total(g_db, &n), 0);
	assert_int_equal(n, 7); /* 배송 vip refund billing 계정 how-to 환불 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_free_text),
	    cmocka_unit_test(test_status_priority_type),
	    cmocka_unit_test(test_people),
	    cmocka_unit_test(test_group_organization),
	    cmocka_unit_test(test_tags_via_external),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_text_fields),
	    cmocka_unit_test(test_users_organizations),
	    cmocka_unit_test(test_kinds_and_errors),
	    cmocka_unit_test(test_sort_and_pages),
	    cmocka_unit_test(test_pages_by_updated),
	    cmocka_unit_test(test_visibility),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_too_many_values),
	    cmocka_unit_test(test_tag_total),
	};
	return cmocka_run_group_tests_name("store/search_store", tests, group_setup,
					   group_teardown);
}
