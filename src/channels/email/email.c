/* email.c - the email channel's threads and its listener.
 *
 * email_start() (from `sonnim serve`): the LMTP listener in processes that
 * take traffic (role all|web), the IMAP poller in processes that do work
 * (role all|worker).  The poller wakes every cfg.imap_poll seconds (or when
 * email_imap_kick() is called) and polls each active mailbox: imap_poll()
 * hands over one message at a time and the callback stores it with
 * email_accept()-like semantics plus the mailbox's new UID state in ONE
 * transaction, so a restart in the middle neither skips nor repeats a
 * message.
 *
 * The listener "email_replies" turns each public comment by an agent into a
 * "mail.send" job when outbound mail is configured (cfg.smtp_url) and the
 * requester has an email address; the job is in outbound.c.  A reply on a
 * messenger conversation is mailed cfg.messenger_mail_delay seconds later,
 * and only when the customer's widget has not shown it by then (the
 * channel switch: gone from the site, the answer arrives by email, and the
 * emailed answer threads back into the same ticket by In-Reply-To).
 */
#include "channels/email/email.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/email/imap.h"
#include "channels/email/lmtp.h"
#include "channels/email/mime.h"
#include "jobs/jobs.h"
#include "store/attachment_store.h"
#include "store/job_store.h"
#include "store/mail_store.h"
#include "store/messenger_store.h"
#include "store/metric_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_int sending_enabled;
static atomic_int messenger_delay;	/* cfg.messenger_mail_delay */

/* ---- the listener ---------------------------------------------------------- */

int email_replies_listener(struct db *db, const struct event_row *e)
{
	if (!atomic_load(&sending_enabled) || strcmp(e->type, "comment.added"))
		return 0;
	/* a listener new to an old database must not mail out its history */
	if (e->created_at < now_seconds() - 3600)
		return 0;
	json_t *p = json_loads(e->payload, 0, NULL);
	int64_t cid = json_integer_value(json_object_get(p, "comment_id"));
	json_decref(p);
	int is_public = 0, by_agent = 0, by_requester = 0;
	int rc = metric_store_comment(db, cid, &is_public, &by_agent, &by_requester);
	if (rc < 0)
		return rc;
	if (rc || !is_public || !by_agent || by_requester)
		return 0;
	struct ticket t = {0};
	if ((rc = ticket_store_get(db, e->ticket_id, &t)))
		return rc < 0 ? rc : 0;
	struct user u = {0};
	rc = user_store_get(db, t.requester_id, &u);
	int has_mail = rc == 0 && u.email && *u.email;
	user_clear(&u);
	ticket_clear(&t);
	if (rc < 0)
		return rc;
	if (!has_mail)
		return 0;
	/* a messenger conversation: the customer may be reading it live, so
	 * the mail waits; the job skips it when the widget has shown the
	 * reply by then (the read receipt, store/messenger_store.h) */
	struct messenger_conv mc;
	rc = messenger_conv_by_ticket(db, e->ticket_id, &mc);
	if (rc < 0)
		return rc;
	int messenger = rc == 0;
	char payload[128];
	snprintf(payload, sizeof(payload),
		 "{\"ticket_id\":%" PRId64 ",\"comment_id\":%" PRId64 "%s}", e->ticket_id, cid,
		 messenger ? ",\"unless_read\":true" : "");
	return jobs_enqueue(db, "mail.send", payload,
			    e->created_at + (messenger ? atomic_load(&messenger_delay) : 0), NULL);
}

/* ---- IMAP polling ------------------------------------------------------------ */

struct poll_ctx {
	struct server *s;
	const struct imap_account_row *acct;
	int stored;
	char err[256];
};

static int take_message(void *arg, int64_t uidvalidity, int64_t uid, const char *raw, size_t len)
{
	struct poll_ctx *c = arg;
	struct server *s = c->s;
	char sha[65];
	const char *rcpt = c->acct->recipient;
	if (!raw || (int64_t)len > s->cfg.max_mail) {
		/* too large to take in (imap.c did not even download it past
		 * IMAP_MAX_MESSAGE): skip it, logged, but move past its UID */
		log_warn("imap", "account=%" PRId64 " uid=%" PRId64 " skipped: %zu bytes",
			 c->acct->id, uid, len);
		raw = "";
		len = 0;
	}
	if (attachment_file_put(s->cfg.data_dir, raw, len, sha)) {
		snprintf(c->err, sizeof(c->err), "cannot store message: %s", strerror(errno));
		return -1;
	}
	json_t *rj = json_pack("[s]", rcpt);
	char *rtext = json_dumps(rj, JSON_COMPACT);
	json_decref(rj);
	struct inbound_mail_add a = {.source = "imap", .recipients_json = rtext, .sha256 = sha,
				     .size = (int64_t)len, .now = now_seconds(),
				     .imap_account_id = c->acct->id, .uidvalidity = uidvalidity,
				     .uid = uid};
	int rc = store_write(s->store, inbound_mail_add_run, &a);
	free(rtext);
	if (rc) {
		snprintf(c->err, sizeof(c->err), "database error %d", rc);
		return -1;
	}
	c->stored++;
	jobs_kick();
	return 0;
}

struct polled_arg {
	int64_t id, uidvalidity;
	int reset;
	const char *error;
};

static int polled_run(struct db *db, void *arg)
{
	struct polled_arg *p = arg;
	int rc = p->reset ? imap_account_reset(db, p->id, p->uidvalidity) : 0;
	return rc ? rc : imap_account_polled(db, p->id, p->error, now_seconds());
}

static pthread_mutex_t poll_lock = PTHREAD_MUTEX_INITIALIZER;

int email_imap_poll_all(struct server *s)
{
	struct imap_account_row *v;
	int n, total = 0;
	pthread_mutex_lock(&poll_lock); /* one poll at a time: the UID state is shared */
	struct db *db = store_reader(s->store);
	int rc = imap_account_list(db, 1, &v, &n);
	store_release(s->store, db);
	if (rc) {
		pthread_mutex_unlock(&poll_lock);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		struct imap_account acct = {.url = v[i].url, .user = v[i].username,
					    .password = v[i].password, .starttls = 1,
					    .timeout_ms = 30000,
					    .ca_file = s->cfg.mail_ca_file[0] ? s->cfg.mail_ca_file : NULL};
		struct imap_state st = {.uidvalidity = v[i].uidvalidity, .last_uid = v[i].last_uid};
		struct poll_ctx c = {.s = s, .acct = &v[i]};
		char err[256] = "";
		int got = imap_poll(&acct, &st, 500, take_message, &c, err, sizeof(err));
		struct polled_arg pa = {.id = v[i].id, .uidvalidity = st.uidvalidity};
		if (got < 0 || c.err[0]) {
			pa.error = c.err[0] ? c.err : err;
			log_warn("imap", "account=%" PRId64 " error=\"%s\"", v[i].id, pa.error);
		}
		/* a new UIDVALIDITY with nothing taken yet: remember it */
		if (st.uidvalidity != v[i].uidvalidity && !c.stored)
			pa.reset = 1;
		store_write(s->store, polled_run, &pa);
		total += c.stored;
	}
	imap_account_list_free(v, n);
	pthread_mutex_unlock(&poll_lock);
	return total;
}

static pthread_t poll_thread;
static int polling;
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond = PTHREAD_COND_INITIALIZER;
static int stopping;

static void *poll_main(void *arg)
{
	struct server *s = arg;
	pthread_mutex_lock(&wake_lock);
	while (!stopping) {
		pthread_mutex_unlock(&wake_lock);
		email_imap_poll_all(s);
		pthread_mutex_lock(&wake_lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->cfg.imap_poll > 0 ? s->cfg.imap_poll : 60;
		while (!stopping && pthread_cond_timedwait(&wake_cond, &wake_lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&wake_lock);
	return NULL;
}

/* ---- start and stop ------------------------------------------------------------- */

int email_start(struct server *s)
{
	char err[256];
	mime_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	atomic_store(&sending_enabled, s->cfg.smtp_url[0] != '\0');
	atomic_store(&messenger_delay, s->cfg.messenger_mail_delay);
	int web = strcmp(s->cfg.role, "worker") != 0, work = strcmp(s->cfg.role, "web") != 0;
	if (web && lmtp_start(s, err, sizeof(err))) {
		log_error("email", "%s", err);
		return -1;
	}
	if (work) {
		stopping = 0;
		if (!pthread_create(&poll_thread, NULL, poll_main, s))
			polling = 1;
	}
	return 0;
}

void email_stop(struct server *s)
{
	(void)s;
	lmtp_stop();
	if (polling) {
		pthread_mutex_lock(&wake_lock);
		stopping = 1;
		pthread_cond_broadcast(&wake_cond);
		pthread_mutex_unlock(&wake_lock);
		pthread_join(poll_thread, NULL);
		polling = 0;
	}
}
