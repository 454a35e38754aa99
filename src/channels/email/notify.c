/* notify.c - job "mail.notify": a notification mail about a ticket, the
 * "notify by email" action of triggers and automations.
 *
 * Payload: {"ticket_id": T, "recipient": R, "subject": S, "body": B,
 *           "actor_id": A}
 *   R  "requester" | "assignee" | "ccs" (the ticket's CCs) | "group:<id>"
 *      (every member of the group) | "user:<id>"
 *   S, B  templates with placeholders (core/placeholder.h), rendered for
 *      ticket T with current_user = A (0 or absent: none).  The subject and
 *      the text part render in text mode; the HTML part is the body
 *      rendered in HTML mode (values escaped), line breaks as <br>, then
 *      through the HTML allow-list (core/html.h).
 *
 * Order: read everything from one reader (the ticket's placeholder
 * context, the recipients' addresses, the support address the ticket talks
 * through - as outbound.c chooses it), render, compose (compose.h) and
 * send (smtp.h), then record the Message-ID on the ticket (so a reply to
 * the notification threads into it).  One message per job: From "<support
 * name>" <support address>, To the support address itself, every
 * recipient in the envelope only (so group members do not see each
 * other's addresses), Subject as rendered, Auto-Submitted: auto-generated,
 * X-Sonnim-Ticket-Id.
 *
 * A body that uses {{satisfaction.rating_url}} first marks the ticket's
 * CSAT survey "offered" (store/satisfaction_store.h) in its own write.
 *
 * Message-ID: "t<T>.n<job id>@<mail domain>" - a space of its own (the
 * "n" part) beside outbound.c's "t<T>.c<comment>" ids, the same on every
 * retry of the job so a receiver drops a duplicate.  Failures: a
 * temporary SMTP failure fails the job and the queue retries it with
 * backoff; a permanent one (5xx) ends it with {"rejected": reason}.  No
 * recipient with an address, no ticket, or no smtp_url: the job ends with
 * {"skipped": reason}.
 */
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/email/compose.h"
#include "channels/email/email.h"
#include "channels/email/mime.h"
#include "channels/email/smtp.h"
#include "core/html.h"
#include "core/placeholder.h"
#include "store/satisfaction_store.h"
#include <sodium.h>
#include "store/group_store.h"
#include "store/mail_store.h"
#include "store/placeholder_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_MAX_RCPT 100

struct notify {
	struct ph_context ctx;
	char *rcpt[NOTIFY_MAX_RCPT];	/* owned addresses */
	int nrcpt;
	char *from_email, *from_name;
};

static void notify_clear(struct notify *n)
{
	ph_context_clear(&n->ctx);
	for (int i = 0; i < n->nrcpt; i++)
		free(n->rcpt[i]);
	free(n->from_email);
	free(n->from_name);
}

/* Add user id's address (none, or already there: nothing). */
static int add_user(struct db *db, struct notify *n, int64_t id)
{
	if (!id || n->nrcpt == NOTIFY_MAX_RCPT)
		return 0;
	struct user u = {0};
	int rc = user_store_get(db, id, &u);
	if (rc == 0 && u.active && u.email && *u.email) {
		int dup = 0;
		for (int i = 0; i < n->nrcpt; i++)
			dup |= !strcmp(n->rcpt[i], u.email);
		if (!dup)
			n->rcpt[n->nrcpt++] = xstrdup(u.email);
	}
	user_clear(&u);
	return rc < 0 ? rc : 0;
}

/* Load the context, recipients and sender.  0, 1 nothing to send (ticket
 * gone, unknown recipient kind), <0 database error. */
static int load(struct db *db, int64_t tid, const char *who, int64_t actor, const char *base,
		const char *domain, struct notify *n)
{
	int rc = placeholder_store_fill(db, tid, actor, base, &n->ctx);
	if (rc)
		return rc;
	struct ticket t = {0};
	if ((rc = ticket_store_get(db, tid, &t)))
		return rc;
	int64_t id = 0;
	if (!strcmp(who, "requester")) {
		rc = add_user(db, n, t.requester_id);
	} else if (!strcmp(who, "assignee")) {
		rc = add_user(db, n, t.assignee_id);
	} else if (!strcmp(who, "ccs")) {
		for (size_t i = 0; i < t.collaborator_ids.n && !rc; i++)
			rc = add_user(db, n, t.collaborator_ids.v[i]);
	} else if (!strncmp(who, "user:", 5) && !parse_i64(who + 5, &id) && id > 0) {
		rc = add_user(db, n, id);
	} else if (!strncmp(who, "group:", 6) && !parse_i64(who + 6, &id) && id > 0) {
		struct membership_filter f = {.group_id = id, .win.limit = NOTIFY_MAX_RCPT};
		struct group_membership *v;
		int nm;
		rc = membership_store_list(db, &f, &v, &nm);
		for (int i = 0; !rc && i < nm; i++)
			rc = add_user(db, n, v[i].user_id);
		if (!rc)
			free(v);
	} else {
		rc = 1;
	}
	if (rc) {
		ticket_clear(&t);
		return rc;
	}
	/* the support address, as outbound.c chooses it */
	char *recipient = NULL;
	int64_t followup;
	struct recipient_address ra = {0};
	rc = ticket_mail_get(db, tid, &recipient, &followup);
	if (rc >= 0)
		rc = recipient ? recipient_address_by_email(db, recipient, &ra) : 1;
	if (rc == 1)
		rc = recipient_address_default(db, &ra);
	if (rc >= 0) {
		if (rc == 0) {
			n->from_email = xstrdup(ra.email);
		} else if (recipient) {
			n->from_email = xstrdup(recipient);
		} else {
			struct buf b = BUF_INIT;
			buf_addf(&b, "support@%s", domain);
			n->from_email = buf_detach(&b);
		}
		n->from_name = xstrdup(rc == 0 && ra.name && *ra.name ? ra.name : "Support");
		rc = 0;
	}
	free(recipient);
	recipient_address_clear(&ra);
	ticket_clear(&t);
	return rc;
}

/* The HTML part: body rendered with escaped values, lines as <br>, then
 * allow-listed. */
static char *body_html(const char *tmpl, const struct ph_context *ctx)
{
	char *raw = ph_render_str(tmpl, ctx, PH_HTML, NULL);
	struct buf b = BUF_INIT, out, text;
	buf_adds(&b, "<div>");
	for (const char *p = raw; *p; p++) {
		if (*p == '\n')
			buf_adds(&b, "<br>\n");
		else if (*p != '\r')
			buf_addc(&b, *p);
	}
	buf_adds(&b, "</div>");
	free(raw);
	buf_init(&out, 4 << 20);
	buf_init(&text, 4 << 20);
	html_sanitize(b.s, b.len, &out, &text);
	buf_release(&b);
	buf_release(&text);
	return buf_detach(&out);
}

struct recorded {
	const char *message_id;
	int64_t ticket_id;
};

static int record_run(struct db *db, void *arg)
{
	struct recorded *a = arg;
	return mail_msgid_add(db, a->message_id, a->ticket_id, 0, 0, now_seconds());
}

struct offered {
	int64_t ticket_id, now;
};

static int offer_run(struct db *db, void *arg)
{
	struct offered *o = arg;
	char secret[65];
	int rc = satisfaction_secret(db, secret);
	sodium_memzero(secret, sizeof(secret));
	if (!rc)
		rc = satisfaction_offer(db, o->ticket_id, o->now);
	return rc < 0 ? rc : 0;
}

int email_notify_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		     char *err, size_t errlen)
{
	int64_t tid = json_integer_value(json_object_get(payload, "ticket_id"));
	int64_t actor = json_integer_value(json_object_get(payload, "actor_id"));
	const char *who = json_string_value(json_object_get(payload, "recipient"));
	const char *subject = json_string_value(json_object_get(payload, "subject"));
	const char *body = json_string_value(json_object_get(payload, "body"));
	if (!s->cfg.smtp_url[0]) {
		*result = json_pack("{ss}", "skipped", "no smtp_url configured");
		return 0;
	}
	if (tid <= 0 || !who || !body || !*body) {
		*result = json_pack("{ss}", "skipped", "payload needs ticket_id, recipient and body");
		return 0;
	}
	/* a survey link goes out: the ticket's rating becomes "offered" (and
	 * the signing secret exists before the link is rendered) */
	if (strstr(body, "satisfaction.rating_url")) {
		struct offered o = {tid, now_seconds()};
		if (store_write(s->store, offer_run, &o) < 0) {
			snprintf(err, errlen, "could not record the survey offer");
			return -1;
		}
	}
	char domain[128];
	email_domain(&s->cfg, domain, sizeof(domain));
	struct notify n = {.ctx = PH_CONTEXT_INIT};
	struct db *db = store_reader(s->store);
	int rc = load(db, tid, who, actor, s->cfg.base_url, domain, &n);
	store_release(s->store, db);
	if (rc < 0) {
		notify_clear(&n);
		snprintf(err, errlen, "database error %d", rc);
		return -1;
	}
	if (rc == 1 || !n.nrcpt) {
		*result = json_pack("{ss}", "skipped",
				    rc == 1 ? "no such ticket or recipient" : "no recipient address");
		notify_clear(&n);
		return 0;
	}
	char *subj = ph_render_str(subject ? subject : "", &n.ctx, PH_TEXT, NULL);
	char *text = ph_render_str(body, &n.ctx, PH_TEXT, NULL);
	char *html = body_html(body, &n.ctx);
	struct buf mid = BUF_INIT, out = BUF_INIT;
	buf_addf(&mid, "t%" PRId64 ".n%" PRId64 "@%s", tid, job_id, domain);
	struct mail_address to = {.name = n.from_name, .email = n.from_email};
	char tidtext[24];
	snprintf(tidtext, sizeof(tidtext), "%" PRId64, tid);
	struct outbound_mail om = {
	    .from_name = n.from_name,
	    .from_email = n.from_email,
	    .to = &to,
	    .nto = 1,
	    .subject = subj,
	    .message_id = mid.s,
	    .text = text,
	    .html = html,
	    .auto_generated = 1,
	    .ticket_header = tidtext,
	};
	char cerr[256] = "", serr[512] = "";
	rc = mail_compose(&om, &out, cerr, sizeof(cerr));
	if (!rc) {
		struct smtp_target st = {.url = s->cfg.smtp_url,
					 .user = s->cfg.smtp_user[0] ? s->cfg.smtp_user : NULL,
					 .password = s->cfg.smtp_password,
					 .starttls = s->cfg.smtp_starttls,
					 .ca_file = s->cfg.mail_ca_file[0] ? s->cfg.mail_ca_file : NULL};
		rc = smtp_send(&st, "", (const char *const *)n.rcpt, n.nrcpt, out.s, out.len, serr,
			       sizeof(serr));
	} else {
		rc = -3;
	}
	int ret = 0;
	if (rc == 0) {
		log_info("mail", "notified ticket=%" PRId64 " recipient=%s count=%d message_id=%s",
			 tid, who, n.nrcpt, mid.s);
		struct recorded rec = {mid.s, tid};
		if (store_write(s->store, record_run, &rec))
			log_warn("mail", "message_id=%s sent but not recorded", mid.s);
		*result = json_pack("{ss si}", "message_id", mid.s, "recipients", n.nrcpt);
	} else if (rc == -1) {
		snprintf(err, errlen, "smtp: %s", serr);
		ret = -1;
	} else {
		const char *why = rc == -3 ? cerr : serr;
		log_warn("mail", "notification for ticket=%" PRId64 " not sent: %s", tid, why);
		*result = json_pack("{ss}", rc == -3 ? "skipped" : "rejected", why);
	}
	free(subj);
	free(text);
	free(html);
	buf_release(&mid);
	buf_release(&out);
	notify_clear(&n);
	return ret;
}
