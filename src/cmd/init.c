/* init.c - `sonnim init [--demo]` and `sonnim user ...`.
 *
 * init creates the database (migrations), the first admin with a random
 * password and an API token, writes them to DATA_DIR/admin.txt (mode 0600)
 * and prints them.  --demo adds a small workspace in Korean and English:
 * groups, organizations, agents, customers and tickets, all made through
 * the same ticket_write path the API uses.  Every new workspace gets
 * Zendesk's default automations (default_automations below): close solved
 * tickets after 96 hours, ask for satisfaction 24 hours after solve, remind
 * the requester of a pending ticket after 72 hours; and a few shared macros
 * (default_macros below, English and Korean), written with
 * macro_store_insert as the API would store them. */
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "http/auth.h"
#include "store/store.h"
#include "store/group_store.h"
#include "store/macro_store.h"
#include "store/org_store.h"
#include "store/rule_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct seed {
	int demo;
	char password[41], token[41];
	int64_t admin_id;
	int already;
};

static int64_t add_user(struct db *db, const char *name, const char *email, int role,
			int64_t org, const char *locale)
{
	struct user u = {0};
	u.name = xstrdup(name);
	u.email = xstrdup(email);
	u.role = role;
	u.organization_id = org;
	u.locale = xstrdup(locale);
	u.active = u.verified = 1;
	u.created_at = u.updated_at = now_seconds();
	int rc = user_insert_write(db, &u);
	int64_t id = rc ? -1 : u.id;
	user_clear(&u);
	return id;
}

static int64_t add_group(struct db *db, const char *name)
{
	struct group g = {.name = xstrdup(name), .is_public = 1};
	g.created_at = g.updated_at = now_seconds();
	int64_t id = group_store_insert(db, &g) ? -1 : g.id;
	group_clear(&g);
	return id;
}

static int64_t add_org(struct db *db, const char *name)
{
	struct organization o = {.name = xstrdup(name)};
	o.created_at = o.updated_at = now_seconds();
	int64_t id = org_store_insert(db, &o) ? -1 : o.id;
	organization_clear(&o);
	return id;
}

static int add_member(struct db *db, int64_t user, int64_t group)
{
	struct group_membership m = {.user_id = user, .group_id = group};
	m.created_at = m.updated_at = now_seconds();
	return membership_store_insert(db, &m);
}

static int add_ticket(struct db *db, int64_t requester, int64_t assignee, int64_t group,
		      const char *subject, const char *body, const char *status,
		      const char *priority, const char *tags)
{
	struct ticket_change c = {0};
	c.set = TF_SUBJECT | TF_REQUESTER | TF_GROUP | TF_PRIORITY | TF_TAGS;
	c.v.subject = xstrdup(subject);
	c.v.requester_id = requester;
	c.v.group_id = group;
	c.v.priority = xstrdup(priority);
	char *t = xstrdup(tags), *save = NULL;
	for (char *p = strtok_r(t, " ", &save); p; p = strtok_r(NULL, " ", &save))
		strlist_add(&c.v.tags, p);
	free(t);
	if (assignee) {
		c.set |= TF_ASSIGNEE;
		c.v.assignee_id = assignee;
	}
	if (status) {
		c.set |= TF_STATUS;
		c.v.status = xstrdup(status);
	}
	c.comment_body = xstrdup(body);
	c.comment_public = 1;
	struct ticket_write w = {.who = {.user_id = requester, .role = ROLE_ADMIN},
				 .change = &c, .via = "web", .now = now_seconds()};
	int rc = ticket_write_run(db, &w);
	if (rc)
		log_error("init", "demo ticket '%s': %s", subject, w.err);
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return rc;
}

static int demo(struct db *db, int64_t admin)
{
	int64_t g_support = add_group(db, "고객지원 Support");
	int64_t g_billing = add_group(db, "결제 Billing");
	int64_t o_acme = add_org(db, "Acme Corp");
	int64_t o_hanbit = add_org(db, "한빛상사");
	int64_t a1 = add_user(db, "김지원", "jiwon@sonnim.example", ROLE_AGENT, 0, "ko");
	int64_t a2 = add_user(db, "Alex Morgan", "alex@sonnim.example", ROLE_AGENT, 0, "en-US");
	int64_t c1 = add_user(db, "이민수", "minsu@hanbit.example", ROLE_END_USER, o_hanbit, "ko");
	int64_t c2 = add_user(db, "Jane Doe", "jane@acme.example", ROLE_END_USER, o_acme, "en-US");
	int64_t c3 = add_user(db, "박서연", "seoyeon@example.kr", ROLE_END_USER, 0, "ko");
	if (g_support < 0 || g_billing < 0 || o_acme < 0 || o_hanbit < 0 || a1 < 0 || a2 < 0 ||
	    c1 < 0 || c2 < 0 || c3 < 0)
		return -1;
	if (add_member(db, a1, g_support) || add_member(db, a2, g_billing) ||
	    add_member(db, admin, g_support))
		return -1;
	return add_ticket(db, c1, a1, g_support, "배송 지연 문의",
			  "주문한 상품이 일주일째 배송되지 않았습니다. 배송 상태를 확인해 주세요.",
			  "open", "high", "배송 vip") ||
	       add_ticket(db, c2, 0, g_billing, "Refund for a double charge",
			  "I was charged twice for order #4471. Please refund one of the charges.",
			  NULL, "urgent", "refund billing") ||
	       add_ticket(db, c3, a1, g_support, "비밀번호 재설정이 안 돼요",
			  "비밀번호 재설정 메일이 오지 않습니다. 스팸함도 확인했어요.", "pending",
			  "normal", "계정") ||
	       add_ticket(db, c2, a2, g_support, "How do I export my invoices?",
			  "Is there a way to download all invoices from last year at once?",
			  "solved", "low", "how-to") ||
	       add_ticket(db, c1, 0, g_billing, "환불 요청합니다",
			  "배송 지연으로 주문을 취소하고 환불받고 싶습니다.", NULL, "normal",
			  "환불 배송") ||
	       demo_kb(db, a1, now_seconds());
}

/* The shipped automations, as the API would store them (each nullifies
 * itself: status changes, or a tag it requires absent is added). */
static const struct {
	const char *title, *conditions, *actions;
} default_automations[] = {
	{"Close ticket 4 days after status is set to solved",
	 "{\"all\":[{\"field\":\"status\",\"operator\":\"is\",\"value\":\"solved\"},"
	 "{\"field\":\"hours_since_solved\",\"operator\":\"greater_than\",\"value\":\"96\"}],"
	 "\"any\":[]}",
	 "[{\"field\":\"status\",\"value\":\"closed\"}]"},
	{"Request customer satisfaction rating (24 hours after solved)",
	 "{\"all\":[{\"field\":\"status\",\"operator\":\"is\",\"value\":\"solved\"},"
	 "{\"field\":\"hours_since_solved\",\"operator\":\"greater_than\",\"value\":\"24\"},"
	 "{\"field\":\"current_tags\",\"operator\":\"not_includes\",\"value\":\"csat_requested\"}],"
	 "\"any\":[]}",
	 "[{\"field\":\"current_tags\",\"value\":\"csat_requested\"},"
	 "{\"field\":\"notification_user\",\"value\":[\"requester_id\","
	 "\"How would you rate our support? / 상담은 만족스러우셨나요?\","
	 "\"Your request #{{ticket.id}} was solved. Tell us how we did: {{satisfaction.rating_url}}\"]}]"},
	{"Remind the requester of a pending ticket after 3 days",
	 "{\"all\":[{\"field\":\"status\",\"operator\":\"is\",\"value\":\"pending\"},"
	 "{\"field\":\"hours_since_pending\",\"operator\":\"greater_than\",\"value\":\"72\"},"
	 "{\"field\":\"current_tags\",\"operator\":\"not_includes\",\"value\":\"pending_reminded\"}],"
	 "\"any\":[]}",
	 "[{\"field\":\"current_tags\",\"value\":\"pending_reminded\"},"
	 "{\"field\":\"notification_user\",\"value\":[\"requester_id\","
	 "\"We are waiting for your reply / 답변을 기다리고 있습니다\","
	 "\"Request #{{ticket.id}} is waiting for your reply. Reply to this email to continue.\"]}]"},
};

static int add_default_automations(struct db *db)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < ARRAY_SIZE(default_automations); i++) {
		struct rule_row r = {.kind = (char *)"automation",
				     .title = (char *)default_automations[i].title,
				     .active = 1,
				     .conditions = (char *)default_automations[i].conditions,
				     .actions = (char *)default_automations[i].actions,
				     .created_at = now_seconds(),
				     .updated_at = now_seconds()};
		rc = rule_store_insert(db, &r);
	}
	return rc;
}

/* The shared macros of a new workspace: title and its actions as the API
 * stores them (normalized {field, value} text). */
static const struct {
	const char *title, *description, *actions;
} default_macros[] = {
    {"Close and redirect to topics", "Solve the ticket and point the customer to the help center",
     "[{\"field\":\"status\",\"value\":\"solved\"},"
     "{\"field\":\"comment_value\",\"value\":\"Hi {{ticket.requester.first_name | default: "
     "\\\"there\\\"}},\\n\\nThis question is answered in our help center, which we keep up to "
     "date. If it does not help, just reply to this message and we will pick it up again."
     "\\n\\n{{current_user.first_name}}\"}]"},
    {"Downgrade and inform", "Lower the priority and tell the customer when to expect an answer",
     "[{\"field\":\"priority\",\"value\":\"low\"},"
     "{\"field\":\"current_tags\",\"value\":\"downgraded\"},"
     "{\"field\":\"comment_value\",\"value\":\"Hi {{ticket.requester.first_name | default: "
     "\\\"there\\\"}},\\n\\nWe have looked at request #{{ticket.id}} and will answer it within "
     "two working days.\\n\\n{{current_user.first_name}}\"}]"},
    {"해결 후 도움말 안내", "해결로 바꾸고 도움말 센터를 안내합니다",
     "[{\"field\":\"status\",\"value\":\"solved\"},"
     "{\"field\":\"comment_value\",\"value\":\"{{ticket.requester.name | default: \\\"고객\\\"}}님, "
     "안녕하세요.\\n\\n문의하신 내용은 도움말 센터에 자세히 안내되어 있습니다. 해결되지 않으면 이 메일에 "
     "답장해 주세요. 다시 살펴보겠습니다.\\n\\n{{current_user.name}} 드림\"}]"},
    {"우선순위 낮추고 안내", "우선순위를 낮추고 답변 예정 시점을 알립니다",
     "[{\"field\":\"priority\",\"value\":\"low\"},"
     "{\"field\":\"current_tags\",\"value\":\"downgraded\"},"
     "{\"field\":\"comment_value\",\"value\":\"{{ticket.requester.name | default: \\\"고객\\\"}}님, "
     "문의 #{{ticket.id}}을(를) 확인했습니다. 영업일 기준 2일 안에 답변드리겠습니다.\\n\\n"
     "{{current_user.name}} 드림\"}]"},
};

static int add_default_macros(struct db *db)
{
	int64_t now = now_seconds();
	for (size_t i = 0; i < ARRAY_SIZE(default_macros); i++) {
		struct macro m = {.title = (char *)default_macros[i].title,
				  .description = (char *)default_macros[i].description,
				  .active = 1,
				  .position = (int64_t)i,
				  .actions = (char *)default_macros[i].actions,
				  .created_at = now,
				  .updated_at = now};
		int rc = macro_store_insert(db, &m);
		if (rc)
			return rc;
	}
	return 0;
}

static int init_write(struct db *db, void *p)
{
	struct seed *s = p;
	int64_t admins;
	int rc = user_store_count(db, ROLE_ADMIN, 0, &admins);
	if (rc)
		return rc;
	s->already = admins > 0;
	if (s->already)
		return 0;
	token_new(s->password);
	s->password[16] = '\0';
	struct user u = {0};
	u.name = xstrdup("Admin");
	u.email = xstrdup("admin@sonnim.example");
	u.role = ROLE_ADMIN;
	u.active = u.verified = 1;
	u.created_at = u.updated_at = now_seconds();
	if (password_hash(s->password, &u.password_hash)) {
		user_clear(&u);
		return -1;
	}
	rc = user_insert_write(db, &u);
	s->admin_id = u.id;
	user_clear(&u);
	if (rc)
		return rc;
	char h[65];
	token_new(s->token);
	token_hash(s->token, h);
	rc = token_store_add(db, s->admin_id, "api", h, "created by sonnim init", NULL);
	if (!rc)
		rc = add_default_automations(db);
	if (!rc)
		rc = add_default_macros(db);
	if (!rc && s->demo)
		rc = demo(db, s->admin_id);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	struct config c;
	cmd_config(&c, argc, argv);
	struct seed s = {0};
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--demo"))
			s.demo = 1;
	mkdir(c.data_dir, 0755);
	char err[512];
	struct store *st = store_open(c.database, c.durable, 1, err, sizeof(err));
	if (!st)
		die("%s", err);
	int rc = store_write(st, init_write, &s);
	store_close(st);
	if (rc)
		die("cannot create the first admin");
	if (s.already) {
		printf("sonnim: the database already has an admin; nothing to do\n");
		return 0;
	}
	char path[600], text[600];
	snprintf(path, sizeof(path), "%s/admin.txt", c.data_dir);
	int n = snprintf(text, sizeof(text),
			 "url:       %s\nlogin:     admin@sonnim.example\npassword:  %s\n"
			 "api token: %s   (basic auth: admin@sonnim.example/token:%s)\n",
			 c.base_url, s.password, s.token, s.token);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		ssize_t w = write(fd, text, n);
		(void)w;
		close(fd);
	}
	printf("sonnim: created %s%s\n%s(saved in %s)\n", c.database,
	       s.demo ? " with the demo workspace" : "", text, path);
	return 0;
}

struct user_cmd {
	const char *email, *name, *password, *role;
	int64_t id;
	char token[41];
	int status;
};

static int user_add_write(struct db *db, void *p)
{
	struct user_cmd *a = p;
	struct user u = {0};
	u.name = xstrdup(a->name ? a->name : a->email);
	if (email_normalize(a->email, &u.email) || role_parse(a->role) < 0) {
		user_clear(&u);
		a->status = 2;
		return -1;
	}
	u.role = role_parse(a->role);
	u.active = u.verified = 1;
	u.created_at = u.updated_at = now_seconds();
	if (a->password && password_hash(a->password, &u.password_hash)) {
		user_clear(&u);
		return -1;
	}
	int rc = user_insert_write(db, &u);
	a->id = u.id;
	user_clear(&u);
	return rc;
}

static int user_passwd_write(struct db *db, void *p)
{
	struct user_cmd *a = p;
	struct user u = {0};
	char *e = NULL;
	if (email_normalize(a->email, &e) || user_store_by_email(db, e, &u)) {
		free(e);
		a->status = 3;
		return -1;
	}
	free(e);
	free(u.password_hash);
	u.password_hash = NULL;
	int rc = password_hash(a->password, &u.password_hash);
	u.updated_at = now_seconds();
	if (!rc)
		rc = user_store_update(db, &u);
	user_clear(&u);
	return rc;
}

static int user_token_write(struct db *db, void *p)
{
	struct user_cmd *a = p;
	struct user u = {0};
	char *e = NULL, h[65];
	if (email_normalize(a->email, &e) || user_store_by_email(db, e, &u)) {
		free(e);
		a->status = 3;
		return -1;
	}
	free(e);
	token_new(a->token);
	token_hash(a->token, h);
	int rc = token_store_add(db, u.id, a->role ? a->role : "api", h, "sonnim user token", NULL);
	user_clear(&u);
	return rc;
}

/* sonnim user add EMAIL ROLE [NAME] [--password P]
 * sonnim user passwd EMAIL PASSWORD
 * sonnim user token EMAIL [api|oauth] */
int cmd_user(int argc, char **argv)
{
	struct config c;
	cmd_config(&c, argc, argv);
	if (argc < 3)
		die("usage: sonnim user add EMAIL ROLE [NAME] [--password P] | passwd EMAIL PASSWORD"
		    " | token EMAIL [api|oauth]");
	struct user_cmd a = {.email = argv[2]};
	store_write_fn fn;
	if (!strcmp(argv[1], "add") && argc >= 4) {
		a.role = argv[3];
		a.name = argc >= 5 && strncmp(argv[4], "--", 2) ? argv[4] : NULL;
		for (int i = 3; i + 1 < argc; i++)
			if (!strcmp(argv[i], "--password"))
				a.password = argv[i + 1];
		fn = user_add_write;
	} else if (!strcmp(argv[1], "passwd") && argc >= 4) {
		a.password = argv[3];
		fn = user_passwd_write;
	} else if (!strcmp(argv[1], "token")) {
		a.role = argc >= 4 && strncmp(argv[3], "--", 2) ? argv[3] : "api";
		if (strcmp(a.role, "api") && strcmp(a.role, "oauth"))
			die("token kind must be api or oauth");
		fn = user_token_write;
	} else {
		die("unknown user command '%s'", argv[1]);
	}
	char err[512];
	struct store *st = store_open(c.database, c.durable, 1, err, sizeof(err));
	if (!st)
		die("%s", err);
	int rc = store_write(st, fn, &a);
	store_close(st);
	if (rc) {
		fprintf(stderr, "error: %s\n", a.status == 2 ? "bad email or role"
					       : a.status == 3 ? "no such user"
							       : "the database refused it");
		return 1;
	}
	if (fn == user_add_write)
		printf("user %lld created\n", (long long)a.id);
	else if (fn == user_token_write)
		printf("%s\n", a.token);
	else
		printf("password changed\n");
	return 0;
}
