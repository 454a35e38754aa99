/* outbound.c - job "mail.send": one mail to a ticket's requester (and CCs).
 *
 * Payload {"ticket_id": T, "comment_id": C[, "unless_read": true]} sends an
 * agent's public comment (with unless_read: not when the messenger widget
 * has shown that reply already); {"ticket_id": T, "template": "received"|"followup"} sends an
 * automatic notice.  The job:
 *   1. reads the ticket, the requester, the comment and its author, the
 *      support address the ticket talks through (ticket_mail, else the
 *      default address) and the ticket's Message-IDs - all from a reader;
 *   2. renders the localized text (template.h, in the requester's locale,
 *      with the request's status link: core/portal.h)
 *      and composes the message (compose.h): From "<agent> (<support
 *      name>)" <support address>, To the requester, Cc the ticket's CCs,
 *      Subject "[#T] <subject>", Message-ID t<T>.c<C>@<domain> (the same
 *      on every retry, so a receiver drops a duplicate), In-Reply-To the
 *      customer's newest mail, References the ticket's mails, attachments
 *      from their files, Auto-Submitted on automatic notices;
 *   3. sends it over SMTP (smtp.h);
 *   4. records the Message-ID for threading (one small write).
 * A temporary failure (connection, 4xx) fails the job, which the queue
 * retries with backoff; a permanent one (5xx) counts a bounce on the
 * requester's identity and leaves an internal note on the ticket, and the
 * job ends.  Automatic notices are not sent to an address that bounced.
 */
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/email/compose.h"
#include "channels/email/email.h"
#include "channels/email/mime.h"
#include "channels/email/smtp.h"
#include "channels/email/template.h"
#include "core/hc.h"
#include "core/portal.h"
#include "http/auth.h"
#include "store/answer_bot_store.h"
#include "store/attachment_store.h"
#include "store/portal_store.h"
#include "store/mail_store.h"
#include "store/messenger_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct send {
	struct ticket t;
	struct user requester, agent;
	struct comment c;	/* id 0 for a notice */
	struct recipient_address ra;
	char *recipient;	/* the support address used */
	char *last_inbound;
	char **refs;
	int nrefs;
	struct mail_address *cc;
	int ncc;
	int64_t bounced;	/* failed deliveries to the requester */
	int64_t followup_of;	/* the closed ticket this one follows up */
};

static void send_clear(struct send *m)
{
	ticket_clear(&m->t);
	user_clear(&m->requester);
	user_clear(&m->agent);
	comment_clear(&m->c);
	recipient_address_clear(&m->ra);
	free(m->recipient);
	free(m->last_inbound);
	mail_msgid_list_free(m->refs, m->nrefs);
	for (int i = 0; i < m->ncc; i++) {
		free(m->cc[i].name);
		free(m->cc[i].email);
	}
	free(m->cc);
}

/* Load everything the mail needs.  0, 1 when there is nothing to send
 * (ticket, comment or address gone), <0 on a database error. */
static int load(struct db *db, int64_t tid, int64_t cid, struct send *m, const char *domain)
{
	int rc = ticket_store_get(db, tid, &m->t);
	if (rc)
		return rc;
	if ((rc = user_store_get(db, m->t.requester_id, &m->requester)))
		return rc;
	if (!m->requester.email || !*m->requester.email)
		return 1;
	if (cid) {
		struct comment *v;
		int n;
		if ((rc = comment_store_list(db, tid, 1, cid - 1, 1, &v, &n)))
			return rc;
		if (n != 1 || v[0].id != cid) {
			comment_list_free(v, n);
			return 1;
		}
		m->c = v[0];
		memset(&v[0], 0, sizeof(v[0]));
		comment_list_free(v, n);
		if ((rc = user_store_get(db, m->c.author_id, &m->agent)) < 0)
			return rc;
	}
	if ((rc = ticket_mail_get(db, tid, &m->recipient, &m->followup_of)) < 0)
		return rc;
	rc = m->recipient ? recipient_address_by_email(db, m->recipient, &m->ra) : 1;
	if (rc == 1)
		rc = recipient_address_default(db, &m->ra);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		free(m->recipient);
		m->recipient = xstrdup(m->ra.email);
	} else if (!m->recipient) {
		struct buf b = BUF_INIT;
		buf_addf(&b, "support@%s", domain);
		m->recipient = buf_detach(&b);
	}
	if ((rc = mail_msgid_last_inbound(db, tid, &m->last_inbound)) < 0)
		return rc;
	if ((rc = mail_msgid_list(db, tid, MAIL_MAX_REFERENCES, &m->refs, &m->nrefs)))
		return rc;
	if ((rc = identity_store_undeliverable(db, m->requester.email, &m->bounced)))
		return rc;
	if (cid && m->t.collaborator_ids.n) {
		m->cc = xcalloc(m->t.collaborator_ids.n, sizeof(*m->cc));
		for (size_t i = 0; i < m->t.collaborator_ids.n && i < 48; i++) {
			struct user u = {0};
			if ((rc = user_store_get(db, m->t.collaborator_ids.v[i], &u)) < 0)
				return rc;
			if (!rc && u.email && *u.email && strcmp(u.email, m->requester.email)) {
				m->cc[m->ncc].name = u.name ? xstrdup(u.name) : NULL;
				m->cc[m->ncc].email = xstrdup(u.email);
				m->ncc++;
			}
			user_clear(&u);
		}
	}
	return 0;
}

/* ---- the answer bot's suggestions in the auto-reply ---- */

#define SUGGEST_ARTICLES 3
#define SUGGEST_ENQUIRY 1000 /* bytes of subject + message asked */

struct suggestions {
	struct mail_article a[SUGGEST_ARTICLES];
	char *title[SUGGEST_ARTICLES], *url[SUGGEST_ARTICLES], *solved[SUGGEST_ARTICLES];
	int n;
};

static void suggestions_clear(struct suggestions *g)
{
	for (int i = 0; i < g->n; i++) {
		free(g->title[i]);
		free(g->url[i]);
		free(g->solved[i]);
	}
	memset(g, 0, sizeof(*g));
}

struct ask_op {
	struct ab_deflection *d;
	const char *hash;
};

static int deflection_insert_run(struct db *db, void *arg)
{
	struct ask_op *op = arg;
	return answer_bot_deflection_insert(db, op->d, op->hash);
}

/* Ask the answer bot about ticket tid (its subject and first message) as
 * its requester would read the help center, once per ticket: the
 * deflection is filed under the ticket's answer token (core/portal.h), so
 * a retried job finds the one it made and offers the same articles.
 * Failures only mean a mail without suggestions. */
static void suggest(struct server *s, const struct send *m, int64_t tid, const char *secret,
		    const char *hc_loc, struct suggestions *g)
{
	char token[PORTAL_TOKEN_HEX + 1], hash[65];
	portal_answer_token(secret, tid, token);
	token_hash(token, hash);
	struct hc_view v = {.locale = hc_loc, .signed_in = 1};
	struct ab_deflection d = {0};
	struct db *db = store_reader(s->store);
	int rc = answer_bot_deflection_get(db, hash, &d);
	if (rc == 1) { /* first time: ask */
		memset(&d, 0, sizeof(d));
		struct buf q = BUF_INIT;
		buf_addf(&q, "%s\n%s", m->t.subject ? m->t.subject : "",
			 m->t.description ? m->t.description : "");
		size_t cut = q.len < SUGGEST_ENQUIRY ? q.len : SUGGEST_ENQUIRY;
		while (cut && cut < q.len && ((unsigned char)q.s[cut] & 0xC0) == 0x80)
			cut--;
		struct hc_hit *hits = NULL;
		int n = 0;
		q.s[cut] = '\0';
		rc = answer_bot_answers(db, q.s, &v, SUGGEST_ARTICLES, &hits, &n);
		store_release(s->store, db);
		db = NULL;
		if (!rc && n) {
			d.enquiry = xstrdup(q.s);
			snprintf(d.locale, sizeof(d.locale), "%s", hc_loc);
			snprintf(d.channel, sizeof(d.channel), "email");
			d.ticket_id = tid;
			d.user_id = m->t.requester_id;
			d.created_at = now_seconds();
			for (int i = 0; i < n; i++)
				idlist_add(&d.article_ids, hits[i].article_id);
			struct ask_op op = {&d, hash};
			rc = store_write(s->store, deflection_insert_run, &op);
		} else if (!rc) {
			rc = 1; /* nothing to suggest */
		}
		free(hits);
		buf_release(&q);
	}
	if (!db)
		db = store_reader(s->store);
	for (size_t i = 0; !rc && i < d.article_ids.n && g->n < SUGGEST_ARTICLES; i++) {
		struct hc_article a = {0};
		if (hc_article_get(db, d.article_ids.v[i], &v, &a) == 0) {
			struct buf u = BUF_INIT, sv = BUF_INIT;
			buf_addf(&u, "%s/hc/%s/articles/%" PRId64, s->cfg.base_url, hc_loc, a.id);
			buf_addf(&sv, "%s/hc/%s/answers/%" PRId64 "?token=%s", s->cfg.base_url, hc_loc,
				 a.id, token);
			g->title[g->n] = xstrdup(a.tr.title);
			g->url[g->n] = buf_detach(&u);
			g->solved[g->n] = buf_detach(&sv);
			g->a[g->n] = (struct mail_article){g->title[g->n], g->url[g->n], g->solved[g->n]};
			g->n++;
		}
		hc_article_clear(&a);
	}
	store_release(s->store, db);
	if (rc < 0)
		log_warn("mail", "ticket=%" PRId64 " no article suggestions: database error %d", tid,
			 rc);
	ab_deflection_clear(&d);
}

/* Read the attachments' bytes; returns how many were read. */
static int read_files(const char *data_dir, const struct comment *c,
		      struct outbound_attachment *out, unsigned char **bufs)
{
	int n = 0;
	for (int i = 0; i < c->nattachments; i++) {
		char *b;
		size_t got;
		if (attachment_file_read(data_dir, c->attachments[i].sha256, &b, &got))
			continue;
		bufs[n] = (unsigned char *)b;
		out[n] = (struct outbound_attachment){.file_name = c->attachments[i].file_name,
						      .content_type = c->attachments[i].content_type,
						      .data = bufs[n], .size = got};
		n++;
	}
	return n;
}

struct sent_arg {
	const char *message_id;
	int64_t ticket_id, comment_id;
	/* permanent failure */
	const char *bounce_email;
	const char *error;
};

static int sent_run(struct db *db, void *arg)
{
	struct sent_arg *a = arg;
	int64_t now = now_seconds();
	if (!a->error)
		return mail_msgid_add(db, a->message_id, a->ticket_id, a->comment_id, 0, now);
	int rc = identity_store_bounced(db, a->bounce_email, now);
	if (rc)
		return rc;
	int64_t author;
	if ((rc = mail_system_user(db, &author)))
		return rc < 0 ? rc : 0;
	struct ticket_change c = {0};
	struct buf b = BUF_INIT;
	buf_addf(&b, "Mail to %s could not be delivered: %s", a->bounce_email, a->error);
	c.comment_body = buf_detach(&b);
	struct ticket_write w = {.who = {.user_id = author, .role = ROLE_ADMIN},
				 .id = a->ticket_id, .change = &c, .via = "email", .now = now};
	rc = ticket_write_run(db, &w);
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return rc == DB_REFUSED ? 0 : rc;
}

int email_send_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		   char *err, size_t errlen)
{
	(void)job_id;
	if (!s->cfg.smtp_url[0]) {
		*result = json_pack("{ss}", "skipped", "no smtp_url configured");
		return 0;
	}
	int64_t tid = json_integer_value(json_object_get(payload, "ticket_id"));
	int64_t cid = json_integer_value(json_object_get(payload, "comment_id"));
	if (cid && json_is_true(json_object_get(payload, "unless_read"))) {
		struct db *rdb = store_reader(s->store);
		int read = messenger_reply_read(rdb, tid, cid);
		store_release(s->store, rdb);
		if (read < 0) {
			snprintf(err, errlen, "database error %d", read);
			return -1;
		}
		if (read) {
			*result = json_pack("{ss}", "skipped", "read in the messenger");
			return 0;
		}
	}
	const char *tname = json_string_value(json_object_get(payload, "template"));
	int kind = cid ? (int)MAIL_TPL_REPLY : tname ? mail_template_by_name(tname) : -1;
	if (kind < 0 || kind == MAIL_TPL_BOUNCE_NOTE || (!cid && kind == MAIL_TPL_REPLY)) {
		*result = json_pack("{ss}", "skipped", "nothing to send");
		return 0;
	}
	char domain[128];
	email_domain(&s->cfg, domain, sizeof(domain));
	struct send m = {0};
	struct db *db = store_reader(s->store);
	int rc = load(db, tid, cid, &m, domain);
	store_release(s->store, db);
	if (rc < 0) {
		send_clear(&m);
		snprintf(err, errlen, "database error %d", rc);
		return -1;
	}
	if (rc == 1 || (!cid && m.bounced)) {
		*result = json_pack("{ss}", "skipped",
				    rc == 1 ? "nothing to send" : "the address bounced before");
		send_clear(&m);
		return 0;
	}

	/* the words; the status link lets the customer follow the request in
	 * the portal without an account (core/portal.h) */
	char secret[65], status_url[512] = "";
	if (!portal_secret_load(s->store, secret))
		portal_status_url(s->cfg.base_url,
				  !strcmp(mail_template_locale(m.requester.locale), "ko") ? "ko" : "en-us",
				  secret, tid, status_url, sizeof(status_url));
	/* a new request: the answer bot's articles, each with a "this solved
	 * my request" link (api/hc_answers.c) */
	struct suggestions sg = {0};
	if (!cid && (kind == MAIL_TPL_RECEIVED || kind == MAIL_TPL_FOLLOWUP) && status_url[0])
		suggest(s, &m, tid, secret,
			!strcmp(mail_template_locale(m.requester.locale), "ko") ? "ko" : "en-us", &sg);
	struct mail_values tv = {
	    .articles = sg.a,
	    .narticles = sg.n,
	    .ticket_id = tid,
	    .ticket_subject = m.t.subject,
	    .requester_name = m.requester.name,
	    .agent_name = cid ? m.agent.name : NULL,
	    .comment_text = cid ? m.c.body : NULL,
	    .comment_html = cid ? m.c.html_body : NULL,
	    .previous_ticket_id = m.followup_of,
	    .status_url = status_url,
	};
	struct mail_rendered rm;
	mail_rendered_init(&rm);
	char terr[160];
	rc = mail_template_render((enum mail_template)kind, m.requester.locale, &tv, &rm, terr,
				  sizeof(terr));
	suggestions_clear(&sg);
	if (rc) {
		mail_rendered_release(&rm);
		*result = json_pack("{ss}", "skipped", terr);
		log_warn("mail", "ticket=%" PRId64 " not sent: %s", tid, terr);
		send_clear(&m);
		return 0; /* the same input renders the same way: retrying will not help */
	}

	/* the message */
	struct buf from_name = BUF_INIT, mid = BUF_INIT, out = BUF_INIT;
	const char *support = m.ra.name && *m.ra.name ? m.ra.name : "Support";
	if (cid && m.agent.name && *m.agent.name)
		buf_addf(&from_name, "%s (%s)", m.agent.name, support);
	else
		buf_adds(&from_name, support);
	mail_message_id(&mid, tid, cid, domain);
	struct mail_address to = {.name = m.requester.name, .email = m.requester.email};
	struct outbound_attachment atts[UPLOAD_MAX_FILES];
	unsigned char *bufs[UPLOAD_MAX_FILES];
	int natt = cid ? read_files(s->cfg.data_dir, &m.c,
				    atts, bufs)
		       : 0;
	struct outbound_mail om = {
	    .from_name = from_name.s,
	    .from_email = m.recipient,
	    .to = &to,
	    .nto = 1,
	    .cc = m.cc,
	    .ncc = m.ncc,
	    .subject = rm.subject.s,
	    .message_id = mid.s,
	    .in_reply_to = m.last_inbound,
	    .references = (const char *const *)m.refs,
	    .nreferences = m.nrefs,
	    .text = rm.text.s,
	    .html = rm.html.len ? rm.html.s : NULL,
	    .attachments = atts,
	    .nattachments = natt,
	    .auto_generated = !cid,
	    .date = cid ? m.c.created_at : 0,
	    .ticket_header = NULL,
	};
	char tidtext[24];
	snprintf(tidtext, sizeof(tidtext), "%" PRId64, tid);
	om.ticket_header = tidtext;
	char cerr[256];
	rc = mail_compose(&om, &out, cerr, sizeof(cerr));
	for (int i = 0; i < natt; i++)
		free(bufs[i]);
	mail_rendered_release(&rm);
	if (rc) {
		snprintf(err, errlen, "cannot compose the mail: %s", cerr);
		rc = -2; /* permanent: retrying will not help */
	}

	/* the wire */
	const char *rcpts[50];
	int nr = 0;
	rcpts[nr++] = m.requester.email;
	for (int i = 0; i < m.ncc && nr < 50; i++)
		rcpts[nr++] = m.cc[i].email;
	struct smtp_target st = {.url = s->cfg.smtp_url,
				 .user = s->cfg.smtp_user[0] ? s->cfg.smtp_user : NULL,
				 .password = s->cfg.smtp_password,
				 .starttls = s->cfg.smtp_starttls,
				 .ca_file = s->cfg.mail_ca_file[0] ? s->cfg.mail_ca_file : NULL};
	char serr[512] = "";
	if (!rc)
		rc = smtp_send(&st, cid ? m.recipient : "", rcpts, nr, out.s, out.len, serr,
			       sizeof(serr));
	struct sent_arg sa = {.message_id = mid.s, .ticket_id = tid, .comment_id = cid};
	int ret = 0;
	if (rc == 0) {
		log_info("mail", "sent ticket=%" PRId64 " comment=%" PRId64 " to=%s message_id=%s",
			 tid, cid, m.requester.email, mid.s);
		if (store_write(s->store, sent_run, &sa))
			log_warn("mail", "message_id=%s sent but not recorded", mid.s);
		*result = json_pack("{ss si}", "message_id", mid.s, "recipients", nr);
	} else if (rc == -1) {
		snprintf(err, errlen, "smtp: %s", serr);
		ret = -1;
	} else {
		sa.bounce_email = m.requester.email;
		sa.error = serr[0] ? serr : err;
		log_warn("mail", "rejected ticket=%" PRId64 " to=%s: %s", tid, m.requester.email,
			 sa.error);
		if (store_write(s->store, sent_run, &sa)) {
			snprintf(err, errlen, "database error recording a rejected mail");
			ret = -1;
		} else {
			*result = json_pack("{ss}", "rejected", sa.error);
		}
	}
	buf_release(&from_name);
	buf_release(&mid);
	buf_release(&out);
	send_clear(&m);
	return ret;
}
