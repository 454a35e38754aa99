/* inbound.c - every inbound email, from raw bytes to a ticket change.
 *
 * email_accept() is the one door (LMTP, mailgate, IMAP, API): it writes the
 * raw bytes to a content-addressed file, then records the inbound_mails row
 * and queues job "mail.inbound" in one transaction; only then is the
 * sender told "ok".  Nothing that was acknowledged can be lost, and a
 * message that cannot be processed stays listed with its reason.
 *
 * email_inbound_job() then, for one row:
 *   1. reads the raw file and parses it (mime.h; a message that cannot be
 *      read at all becomes "failed" with the reason),
 *   2. stores the attachments' bytes (outside the transaction: files are
 *      content-addressed, a crash leaves at most an unreferenced file),
 *   3. in ONE write: runs the pre-filters of the table below in order -
 *      each may finish the message (ignored/processed) - then finds or
 *      makes the sender's user, threads the message to a ticket, and
 *      writes the comment with ticket_write_run(); the row becomes
 *      "processed" in the same transaction, so a retried job never adds a
 *      comment twice.
 *
 * Threading, first match wins: In-Reply-To/References naming a Message-ID
 * of a ticket (mail_message_ids holds both the ones we sent and the ones
 * we received); the ticket token "[#123]" in the subject or a plus address
 * "support+id123@" - those two only when the sender is the requester, a
 * CC or an agent, so a stranger cannot write into someone's ticket by
 * guessing a number.  A reply to a merged ticket goes to the ticket it was
 * merged into; a reply to a closed ticket opens a follow-up ticket.
 *
 * Loop protection (RFC 3834): automatic mail (Auto-Submitted, Precedence
 * bulk/junk/list, X-Autoreply..., list mail, mailer-daemon) is taken in but
 * never answered; mail from our own support addresses is ignored; a sender
 * over cfg.mail_rate_limit messages an hour is ignored until the hour has
 * passed.  Delivery status notifications count a bounce on the recipient's
 * identity and add an internal note to the ticket of the returned message.
 *
 * Cost: one parse, one file write per attachment, and one transaction of
 * about 15 statements for a new ticket (user, identity, ticket, audit,
 * comment, attachments, events, Message-ID, inbound row, job).
 */
#include "channels/email/email.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/email/compose.h"
#include "channels/email/mime.h"
#include "http/auth.h"
#include "jobs/jobs.h"
#include "store/attachment_store.h"
#include "store/mail_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the door ------------------------------------------------------------- */

int email_accept(struct server *s, const char *source, const char *mail_from,
		 const char *const *rcpts, int nrcpts, const char *raw, size_t len, int64_t *id,
		 char *err, size_t errlen)
{
	if ((int64_t)len > s->cfg.max_mail) {
		snprintf(err, errlen, "message too large (%zu bytes, at most %" PRId64 ")", len,
			 s->cfg.max_mail);
		return -2;
	}
	char sha[65];
	if (attachment_file_put(s->cfg.data_dir, raw, len, sha)) {
		snprintf(err, errlen, "cannot store the message: %s", strerror(errno));
		return -1;
	}
	json_t *rj = json_array();
	for (int i = 0; i < nrcpts; i++)
		json_array_append_new(rj, json_string(rcpts[i]));
	char *rtext = json_dumps(rj, JSON_COMPACT);
	json_decref(rj);
	struct inbound_mail_add a = {.source = source, .mail_from = mail_from,
				     .recipients_json = rtext, .sha256 = sha,
				     .size = (int64_t)len, .now = now_seconds()};
	int rc = store_write(s->store, inbound_mail_add_run, &a);
	free(rtext);
	if (rc) {
		snprintf(err, errlen, "cannot record the message (database error %d)", rc);
		return -1;
	}
	*id = a.id;
	jobs_kick();
	return 0;
}

/* ---- helpers --------------------------------------------------------------- */

void email_domain(const struct config *cfg, char *out, size_t outlen)
{
	if (cfg->mail_domain[0]) {
		snprintf(out, outlen, "%s", cfg->mail_domain);
		return;
	}
	const char *h = strstr(cfg->base_url, "://");
	if (h) {
		h += 3;
		size_t n = strcspn(h, ":/");
		if (n && n < outlen) {
			snprintf(out, outlen, "%.*s", (int)n, h);
			return;
		}
	}
	snprintf(out, outlen, "sonnim.local");
}

/* "support+id123@x" -> 123, else 0. */
static int64_t plus_ticket(const char *addr)
{
	const char *p = strchr(addr, '+'), *at = strchr(addr, '@');
	if (!p || !at || p > at || strncmp(p, "+id", 3))
		return 0;
	int64_t v = 0;
	for (p += 3; p < at; p++) {
		if (!isdigit((unsigned char)*p) || v > (INT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* The address without its +tag: "support+id1@x" -> "support@x" (owned). */
static char *strip_plus(const char *addr)
{
	const char *p = strchr(addr, '+'), *at = strchr(addr, '@');
	if (!p || !at || p > at)
		return xstrdup(addr);
	struct buf b = BUF_INIT;
	buf_add(&b, addr, (size_t)(p - addr));
	buf_adds(&b, at);
	return buf_detach(&b);
}

/* "[#123]" anywhere in the subject -> 123, else 0. */
static int64_t subject_ticket(const char *subject)
{
	for (const char *p = subject; (p = strstr(p, "[#")); p += 2) {
		int64_t v = 0;
		const char *q = p + 2;
		while (isdigit((unsigned char)*q) && v < INT64_MAX / 10 - 9)
			v = v * 10 + (*q++ - '0');
		if (*q == ']' && q > p + 2 && v > 0)
			return v;
	}
	return 0;
}

/* ---- the processing transaction -------------------------------------------- */

struct inbound {
	struct server *s;
	int64_t id;		/* inbound_mails row */
	struct inbound_mail row;
	struct mail *m;
	char **shas;		/* per attachment, stored file */
	int64_t now;
	/* decided along the way */
	struct recipient_address ra;	/* the support address (id 0: none configured) */
	char *recipient;		/* its email, or the address the mail was sent to */
	int64_t sender_id;		/* the sender's user */
	struct user sender;
	int done;		/* a filter finished the message */
	int64_t ticket_id, comment_id;
	int created;
};

static int finish(struct db *db, struct inbound *in, const char *state, const char *reason)
{
	in->done = 1;
	if (reason)
		log_info("mail", "inbound %" PRId64 ": %s: %s", in->id, state, reason);
	return inbound_mail_finish(db, in->id, state, reason, in->m->from.email, in->m->subject,
				   in->m->message_id, in->ticket_id, in->comment_id, in->now);
}

/* The user for an address, made an end-user when new.  0 or DB_*. */
static int user_for(struct db *db, const char *email, const char *name, int64_t *id)
{
	int rc = identity_store_find(db, "email", email, id);
	if (rc <= 0)
		return rc;
	struct user u = {0};
	if (name && *name) {
		u.name = xstrdup(name);
	} else {
		const char *at = strchr(email, '@');
		u.name = at ? xstrndup(email, (size_t)(at - email)) : xstrdup(email);
	}
	u.email = xstrdup(email);
	u.role = ROLE_END_USER;
	u.active = 1;
	rc = user_insert_write(db, &u);
	*id = u.id;
	user_clear(&u);
	return rc;
}

/* Is addr one of our support addresses (also with a +tag)? */
static int is_ours(struct db *db, const char *addr, struct recipient_address *out)
{
	char *bare = strip_plus(addr);
	struct recipient_address tmp;
	int rc = recipient_address_by_email(db, bare, out ? out : &tmp);
	free(bare);
	if (!out && rc == 0)
		recipient_address_clear(&tmp);
	return rc; /* 0 ours, 1 not, <0 error */
}

/* Pick the support address: envelope recipients, then To, then Cc. */
static int find_recipient(struct db *db, struct inbound *in)
{
	json_t *rj = json_loads(in->row.recipients ? in->row.recipients : "[]", 0, NULL);
	const char *first = NULL;
	int rc = 1;
	size_t i;
	json_t *v;
	json_array_foreach(rj, i, v) {
		const char *a = json_string_value(v);
		if (!a)
			continue;
		if (!first)
			first = a;
		if ((rc = is_ours(db, a, &in->ra)) <= 0)
			break;
	}
	for (int k = 0; rc == 1 && k < in->m->nto; k++)
		rc = is_ours(db, in->m->to[k].email, &in->ra);
	for (int k = 0; rc == 1 && k < in->m->ncc; k++)
		rc = is_ours(db, in->m->cc[k].email, &in->ra);
	if (rc == 1)
		rc = recipient_address_default(db, &in->ra);
	if (rc < 0) {
		json_decref(rj);
		return rc;
	}
	if (rc == 0)
		in->recipient = xstrdup(in->ra.email);
	else if (first)
		in->recipient = strip_plus(first);
	else if (in->m->nto)
		in->recipient = xstrdup(in->m->to[0].email);
	else
		in->recipient = xstrdup("");
	json_decref(rj);
	return 0;
}

/* A pre-filter: 0 go on, 1 the message is finished (in->done), <0 DB_*. */
struct filter {
	const char *name;
	int (*fn)(struct db *db, struct inbound *in);
};

static int f_sender(struct db *db, struct inbound *in)
{
	if (in->m->from.email[0] || in->m->is_dsn)
		return 0;
	int rc = finish(db, in, "failed", "the message has no sender address");
	return rc ? rc : 1;
}

/* RFC 3464 bounces: count on the identity, note on the ticket. */
static int f_bounce(struct db *db, struct inbound *in)
{
	struct mail *m = in->m;
	if (!m->is_dsn)
		return 0;
	int rc = 0;
	int64_t tid = 0;
	if (m->dsn_message_id)
		rc = mail_msgid_ticket(db, m->dsn_message_id, &tid);
	for (int i = 0; rc >= 0 && !tid && i < m->nreferences; i++)
		rc = mail_msgid_ticket(db, m->references[i], &tid);
	if (rc < 0)
		return rc;
	for (int i = 0; i < m->ndsn_recipients; i++)
		if ((rc = identity_store_bounced(db, m->dsn_recipients[i], in->now)))
			return rc;
	if (!tid) {
		rc = finish(db, in, "ignored", "delivery report for a message we did not send");
		return rc ? rc : 1;
	}
	struct ticket t = {0};
	if ((rc = ticket_store_get(db, tid, &t))) {
		if (rc < 0)
			return rc;
		rc = finish(db, in, "ignored", "delivery report for a deleted ticket");
		return rc ? rc : 1;
	}
	struct buf note = BUF_INIT;
	buf_adds(&note, "Mail to ");
	for (int i = 0; i < m->ndsn_recipients; i++)
		buf_addf(&note, "%s%s", i ? ", " : "", m->dsn_recipients[i]);
	if (!m->ndsn_recipients)
		buf_adds(&note, "the requester");
	buf_addf(&note, " could not be delivered: %s", m->dsn_status ? m->dsn_status : "failed");
	if (m->dsn_diagnostic)
		buf_addf(&note, " (%s)", m->dsn_diagnostic);
	buf_adds(&note, ".");
	struct ticket_change c = {0};
	c.comment_body = buf_detach(&note);
	c.comment_public = 0;
	int64_t author = t.assignee_id ? t.assignee_id : 0;
	if (!author && (rc = mail_system_user(db, &author)) < 0) {
		ticket_change_clear(&c);
		ticket_clear(&t);
		return rc;
	}
	struct ticket_write w = {.who = {.user_id = author, .role = ROLE_ADMIN},
				 .id = tid, .change = &c, .via = "email", .now = in->now};
	rc = t.status && strcmp(t.status, "closed") ? ticket_write_run(db, &w) : 0;
	in->ticket_id = tid;
	in->comment_id = w.comment_id;
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	ticket_clear(&t);
	if (rc == DB_REFUSED)
		rc = 0; /* a ticket that takes no note: the bounce is still counted */
	if (rc)
		return rc;
	rc = finish(db, in, "processed", NULL);
	return rc ? rc : 1;
}

static int f_own_address(struct db *db, struct inbound *in)
{
	int rc = is_ours(db, in->m->from.email, NULL);
	if (rc)
		return rc < 0 ? rc : 0;
	rc = finish(db, in, "ignored", "mail from one of our own support addresses (a loop)");
	return rc ? rc : 1;
}

static int f_duplicate(struct db *db, struct inbound *in)
{
	int64_t tid;
	if (!in->m->message_id)
		return 0;
	int rc = mail_msgid_ticket(db, in->m->message_id, &tid);
	if (rc)
		return rc < 0 ? rc : 0;
	char why[96];
	snprintf(why, sizeof(why), "duplicate of a message already on ticket #%" PRId64, tid);
	in->ticket_id = tid;
	rc = finish(db, in, "ignored", why);
	return rc ? rc : 1;
}

static int f_rate_limit(struct db *db, struct inbound *in)
{
	int64_t n;
	if (in->s->cfg.mail_rate_limit <= 0)
		return 0;
	int rc = inbound_mail_sender_count(db, in->m->from.email, in->now - 3600, &n);
	if (rc)
		return rc;
	if (n < in->s->cfg.mail_rate_limit)
		return 0;
	char why[128];
	snprintf(why, sizeof(why), "rate limit: %" PRId64 " messages from this sender in the last hour",
		 n);
	rc = finish(db, in, "ignored", why);
	return rc ? rc : 1;
}

static const struct filter filters[] = {
	{"sender", f_sender},
	{"bounce", f_bounce},
	{"own_address", f_own_address},
	{"duplicate", f_duplicate},
	{"rate_limit", f_rate_limit},
};

/* May the sender write into ticket t by number (subject token, plus
 * address)?  The requester, a CC and agents may. */
static int may_thread(const struct inbound *in, const struct ticket *t)
{
	if (in->sender.role >= ROLE_AGENT || t->requester_id == in->sender_id)
		return 1;
	for (size_t i = 0; i < t->collaborator_ids.n; i++)
		if (t->collaborator_ids.v[i] == in->sender_id)
			return 1;
	return 0;
}

/* The ticket this message continues: 0 in *tid when none. */
static int thread(struct db *db, struct inbound *in, struct ticket *t, int64_t *tid)
{
	struct mail *m = in->m;
	int rc = 1, by_number = 0;
	*tid = 0;
	if (m->in_reply_to)
		rc = mail_msgid_ticket(db, m->in_reply_to, tid);
	for (int i = m->nreferences - 1; rc == 1 && i >= 0; i--)
		rc = mail_msgid_ticket(db, m->references[i], tid);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		/* one of our own ids that was never recorded (sent before a
		 * restore, say): it names its ticket, but such ids can be
		 * guessed, so only the ticket's people may use them */
		char domain[128];
		email_domain(&in->s->cfg, domain, sizeof(domain));
		if (m->in_reply_to && !mail_parse_message_id(m->in_reply_to, domain, tid, NULL))
			rc = 0;
		for (int i = m->nreferences - 1; rc == 1 && i >= 0; i--)
			if (!mail_parse_message_id(m->references[i], domain, tid, NULL))
				rc = 0;
		by_number = rc == 0;
	}
	if (rc == 1) {
		*tid = subject_ticket(m->subject);
		json_t *rj = json_loads(in->row.recipients ? in->row.recipients : "[]", 0, NULL);
		size_t i;
		json_t *v;
		json_array_foreach(rj, i, v) {
			if (*tid)
				break;
			*tid = plus_ticket(json_string_value(v) ? json_string_value(v) : "");
		}
		json_decref(rj);
		for (int k = 0; !*tid && k < m->nto; k++)
			*tid = plus_ticket(m->to[k].email);
		by_number = 1;
	}
	/* follow merges, at most a few hops */
	for (int hops = 0; *tid && hops < 8; hops++) {
		ticket_clear(t);
		rc = ticket_store_get(db, *tid, t);
		if (rc < 0)
			return rc;
		if (rc == 1 || (by_number && !may_thread(in, t))) {
			ticket_clear(t);
			*tid = 0;
			return 0;
		}
		if (!t->merged_into)
			return 0;
		*tid = t->merged_into;
	}
	return 0;
}

/* Cc'd people (not us, not the sender) as collaborators of t, made users
 * when new; adds to list. */
static int add_ccs(struct db *db, struct inbound *in, struct idlist *list, int *added)
{
	*added = 0;
	for (int i = 0; i < in->m->ncc && list->n < 64; i++) {
		const char *e = in->m->cc[i].email;
		if (!strcmp(e, in->m->from.email))
			continue;
		int rc = is_ours(db, e, NULL);
		if (rc <= 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		int64_t uid;
		if ((rc = user_for(db, e, in->m->cc[i].name, &uid)))
			return rc;
		int dup = 0;
		for (size_t k = 0; k < list->n; k++)
			dup |= list->v[k] == uid;
		if (!dup && uid != in->sender_id) {
			idlist_add(list, uid);
			*added = 1;
		}
	}
	return 0;
}

/* The message's attachments as one upload owned by the sender. */
static int attach(struct db *db, struct inbound *in, struct ticket_change *c)
{
	char token[41] = "";
	for (int i = 0; i < in->m->nattachments && i < UPLOAD_MAX_FILES; i++) {
		struct mail_attachment *a = &in->m->attachments[i];
		if (!in->shas[i])
			continue;
		char fresh[41];
		token_new(fresh);
		struct attachment_upload up = {.data_dir = in->s->cfg.data_dir, .token = token,
					       .new_token = fresh, .user_id = in->sender_id,
					       .now = in->now, .file_name = a->file_name,
					       .content_type = a->content_type, .sha256 = in->shas[i],
					       .data = a->data, .len = a->size};
		int rc = attachment_upload_run(db, &up);
		if (rc == DB_REFUSED)
			continue; /* a name the upload rules refuse: the raw mail keeps it */
		if (rc)
			return rc;
		if (!token[0])
			snprintf(token, sizeof(token), "%s", fresh);
	}
	if (token[0])
		strlist_add(&c->upload_tokens, token);
	return 0;
}

static int apply_run(struct db *db, void *arg)
{
	struct inbound *in = arg;
	struct mail *m = in->m;
	int rc;
	inbound_mail_clear(&in->row);
	if ((rc = inbound_mail_get(db, in->id, &in->row)))
		return rc < 0 ? rc : 0;
	if (strcmp(in->row.state, "received")) {
		in->done = 1; /* another run got here first */
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++)
		if ((rc = filters[i].fn(db, in)))
			return rc < 0 ? rc : 0;

	if ((rc = find_recipient(db, in)))
		return rc;
	if ((rc = user_for(db, m->from.email, m->from.name, &in->sender_id)))
		return rc;
	user_clear(&in->sender);
	if ((rc = user_store_get(db, in->sender_id, &in->sender)))
		return rc < 0 ? rc : DB_ERR;
	if (in->sender.merged_into) {
		in->sender_id = in->sender.merged_into;
		user_clear(&in->sender);
		if ((rc = user_store_get(db, in->sender_id, &in->sender)))
			return rc < 0 ? rc : DB_ERR;
	}

	struct ticket t = {0};
	int64_t tid;
	if ((rc = thread(db, in, &t, &tid))) {
		ticket_clear(&t);
		return rc;
	}
	int64_t followup_of = 0;
	if (tid && t.status && !strcmp(t.status, "closed")) {
		followup_of = tid; /* Zendesk: a reply to a closed ticket opens a follow-up */
		tid = 0;
	}

	struct ticket_change c = {0};
	int added = 0;
	c.comment_public = 1;
	c.comment_author_id = in->sender_id;
	if (tid) {
		int stripped = m->reply_text[0] && strlen(m->reply_text) < strlen(m->text);
		c.comment_body = xstrdup(stripped ? m->reply_text : m->text);
		c.comment_html = !stripped && m->html ? xstrdup(m->html) : NULL;
		for (size_t i = 0; i < t.collaborator_ids.n; i++)
			idlist_add(&c.v.collaborator_ids, t.collaborator_ids.v[i]);
		if ((rc = add_ccs(db, in, &c.v.collaborator_ids, &added)))
			goto out;
		if (added)
			c.set |= TF_COLLABORATORS;
		if (in->sender.role == ROLE_END_USER &&
		    (!strcmp(t.status, "pending") || !strcmp(t.status, "solved"))) {
			c.set |= TF_STATUS; /* the customer answered: open again */
			c.v.status = xstrdup("open");
		}
	} else {
		c.set |= TF_SUBJECT | TF_REQUESTER;
		c.v.subject = xstrdup(m->subject[0] ? m->subject : "(no subject)");
		c.v.requester_id = in->sender_id;
		c.comment_body = xstrdup(m->text);
		c.comment_html = m->html ? xstrdup(m->html) : NULL;
		if (in->ra.group_id) {
			c.set |= TF_GROUP;
			c.v.group_id = in->ra.group_id;
		}
		if ((rc = add_ccs(db, in, &c.v.collaborator_ids, &added)))
			goto out;
		if (added)
			c.set |= TF_COLLABORATORS;
	}
	if (!c.comment_body[0]) {
		free(c.comment_body);
		c.comment_body = xstrdup(m->nattachments ? "(attachments only)" : "(empty message)");
	}
	if ((rc = attach(db, in, &c)))
		goto out;
	/* the channel, not the sender's role, decides what a mail may do: run as
	 * admin, recorded as the sender */
	struct ticket_write w = {.who = {.user_id = in->sender_id, .role = ROLE_ADMIN},
				 .id = tid, .change = &c, .via = "email", .now = in->now};
	rc = ticket_write_run(db, &w);
	if (rc == DB_REFUSED) {
		char why[300];
		snprintf(why, sizeof(why), "the ticket refused it: %s", w.err);
		ticket_write_clear(&w);
		rc = finish(db, in, "failed", why);
		goto out;
	}
	if (rc) {
		ticket_write_clear(&w);
		goto out;
	}
	in->ticket_id = w.result.id;
	in->comment_id = w.comment_id;
	in->created = w.created;
	ticket_write_clear(&w);
	if ((rc = mail_msgid_add(db, m->message_id, in->ticket_id, in->comment_id, 1, in->now)))
		goto out;
	if (in->created && (rc = ticket_mail_set(db, in->ticket_id, in->recipient, followup_of)))
		goto out;
	if (in->created && in->s->cfg.mail_auto_reply && !m->is_auto_reply && !m->is_list &&
	    !m->from_daemon && in->sender.role == ROLE_END_USER) {
		char p[96];
		snprintf(p, sizeof(p), "{\"ticket_id\":%" PRId64 ",\"template\":\"%s\"}",
			 in->ticket_id, followup_of ? "followup" : "received");
		if ((rc = jobs_enqueue(db, "mail.send", p, in->now, NULL)))
			goto out;
	}
	rc = finish(db, in, "processed", NULL);
out:
	ticket_change_clear(&c);
	ticket_clear(&t);
	return rc;
}

static int fail_run(struct db *db, void *arg)
{
	struct inbound *in = arg;
	return inbound_mail_finish(db, in->id, "failed", in->row.reason, NULL, NULL, NULL, 0, 0,
				   in->now);
}

/* Read the raw file of a row into *raw (owned). 0, or -1 with err. */
static int read_raw(struct server *s, const struct inbound_mail *row, char **raw, size_t *len,
		    char *err, size_t errlen)
{
	if (!attachment_file_read(s->cfg.data_dir, row->sha256, raw, len))
		return 0;
	snprintf(err, errlen, "the raw message file cannot be read: %s", strerror(errno));
	return -1;
}

int email_inbound_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		      char *err, size_t errlen)
{
	struct inbound in = {.s = s, .id = json_integer_value(json_object_get(payload, "id")),
			     .now = now_seconds()};
	struct db *rdb = store_reader(s->store);
	int rc = inbound_mail_get(rdb, in.id, &in.row);
	store_release(s->store, rdb);
	if (rc < 0) {
		snprintf(err, errlen, "database error reading inbound mail %" PRId64, in.id);
		return -1;
	}
	if (rc == 1 || strcmp(in.row.state, "received")) {
		inbound_mail_clear(&in.row);
		return 0;
	}
	char *raw = NULL;
	size_t len = 0;
	char why[256];
	struct mail m = {0};
	if (read_raw(s, &in.row, &raw, &len, why, sizeof(why)) ||
	    mail_parse(raw, len, &m, why, sizeof(why))) {
		free(in.row.reason);
		in.row.reason = xstrdup(why);
		rc = store_write(s->store, fail_run, &in);
		log_warn("mail", "inbound %" PRId64 ": failed: %s", in.id, why);
		free(raw);
		inbound_mail_clear(&in.row);
		if (rc)
			snprintf(err, errlen, "database error %d", rc);
		return rc ? -1 : 0;
	}
	free(raw);
	in.m = &m;
	in.shas = xcalloc((size_t)m.nattachments + 1, sizeof(char *));
	for (int i = 0; i < m.nattachments && i < UPLOAD_MAX_FILES; i++) {
		char sha[65];
		if (!attachment_file_put(s->cfg.data_dir, m.attachments[i].data, m.attachments[i].size,
					 sha))
			in.shas[i] = xstrdup(sha);
	}
	rc = store_write(s->store, apply_run, &in);
	if (rc)
		snprintf(err, errlen, "database error %d while processing inbound mail %" PRId64, rc,
			 in.id);
	else if (in.ticket_id)
		*result = json_pack("{sI sI}", "ticket_id", (json_int_t)in.ticket_id, "comment_id",
				    (json_int_t)in.comment_id);
	for (int i = 0; i < m.nattachments; i++)
		free(in.shas[i]);
	free(in.shas);
	mail_clear(&m);
	inbound_mail_clear(&in.row);
	recipient_address_clear(&in.ra);
	user_clear(&in.sender);
	free(in.recipient);
	jobs_kick(); /* an auto-reply may be waiting */
	return rc ? -1 : 0;
}
