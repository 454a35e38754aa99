/* campaign.c - job "campaign.mail" {"delivery_id"}: one outbound
 * campaign's email to one recipient (the rows come from jobs/campaign.c).
 *
 * Order: read the delivery (not "queued" any more: another run finished
 * it, nothing to do) -> the campaign and the user (gone: "skipped") ->
 * opted out since the campaign started: "opted_out" -> render subject and
 * body with the user's placeholders (core/proactive.h campaign_ph_fill)
 * -> compose with the unsubscribe link in the body and in
 * List-Unsubscribe + List-Unsubscribe-Post (RFC 2369, RFC 8058 one-click:
 * the link's POST opts out, api/proactive.c) -> SMTP -> mark the delivery
 * "sent", or "failed" with the reason when the server refused for good.
 * A temporary SMTP failure fails the job and the queue retries it.  The
 * Message-ID is the delivery's ("campaign<C>.d<D>@domain"), so a retry
 * after a send whose bookkeeping was lost is a duplicate receivers drop.
 * Without smtp_url or a support address the delivery is "failed" with
 * that reason: it is visible in the campaign's counts, never silent.
 */
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/email/compose.h"
#include "channels/email/email.h"
#include "channels/email/mime.h"
#include "channels/email/smtp.h"
#include "core/hc.h"
#include "core/placeholder.h"
#include "core/proactive.h"
#include "store/mail_store.h"
#include "store/proactive_store.h"
#include "store/satisfaction_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct finish_op {
	int64_t id, now;
	const char *status, *error;
};

static int finish_run(struct db *db, void *arg)
{
	struct finish_op *op = arg;
	int rc = campaign_delivery_finish(db, op->id, op->status, op->error, op->now);
	return rc == 1 ? 0 : rc;
}

struct secret_op {
	char secret[65];
};

static int secret_run(struct db *db, void *arg)
{
	struct secret_op *op = arg;
	return satisfaction_secret(db, op->secret);
}

static int finish(struct server *s, int64_t id, const char *status, const char *error,
		  json_t **result, char *err, size_t errlen)
{
	struct finish_op op = {id, now_seconds(), status, error};
	if (store_write(s->store, finish_run, &op)) {
		snprintf(err, errlen, "database error");
		return -1;
	}
	*result = error ? json_pack("{s:s,s:s}", "status", status, "error", error)
			: json_pack("{s:s}", "status", status);
	return 0;
}

int email_campaign_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		       char *err, size_t errlen)
{
	(void)job_id;
	int64_t did = json_integer_value(json_object_get(payload, "delivery_id"));
	struct campaign_delivery d;
	struct campaign c = {0};
	struct user u = {0};
	struct recipient_address ra = {0};
	struct db *db = store_reader(s->store);
	int rc = campaign_delivery_get(db, did, &d);
	int rc2 = rc ? 1 : campaign_store_get(db, d.campaign_id, &c);
	int rc3 = rc || rc2 ? 1 : user_store_get(db, d.user_id, &u);
	int opted = rc || rc2 || rc3 ? 0 : campaign_opted_out(db, d.user_id);
	int rra = rc || rc2 || rc3 ? 1 : recipient_address_default(db, &ra);
	store_release(s->store, db);
	int ret = 0;
	struct buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT, mid = BUF_INIT,
		   out = BUF_INIT, url = BUF_INIT;
	if (rc < 0 || rc2 < 0 || rc3 < 0 || opted < 0 || rra < 0) {
		snprintf(err, errlen, "database error");
		ret = -1;
		goto out;
	}
	if (rc) {
		*result = json_pack("{s:s}", "skipped", "no such delivery");
		goto out;
	}
	if (strcmp(d.status, "queued")) {
		*result = json_pack("{s:s}", "already", d.status);
		goto out;
	}
	if (rc2 || rc3 || !u.active || !u.email) {
		ret = finish(s, did, "skipped", "the campaign or the recipient is gone", result, err,
			     errlen);
		goto out;
	}
	if (opted) {
		ret = finish(s, did, "opted_out", NULL, result, err, errlen);
		goto out;
	}
	if (!s->cfg.smtp_url[0] || rra) {
		ret = finish(s, did, "failed",
			     rra ? "no support address to send from" : "no smtp_url configured",
			     result, err, errlen);
		goto out;
	}
	struct secret_op so;
	if (store_write(s->store, secret_run, &so)) {
		snprintf(err, errlen, "database error");
		ret = -1;
		goto out;
	}
	char domain[128];
	campaign_unsubscribe_url(s->cfg.base_url, &u, so.secret, &url);
	campaign_render(&c, &u, url.s, &subject, &text, &html);
	email_domain(&s->cfg, domain, sizeof(domain));
	buf_addf(&mid, "campaign%" PRId64 ".d%" PRId64 "@%s", c.id, did, domain);
	struct mail_address to = {.name = u.name, .email = u.email};
	struct outbound_mail om = {
	    .from_name = ra.name && *ra.name ? ra.name : "Support",
	    .from_email = ra.email,
	    .to = &to,
	    .nto = 1,
	    .subject = subject.s,
	    .message_id = mid.s,
	    .text = text.s,
	    .html = html.s,
	    .auto_generated = 1,
	    .list_unsubscribe = url.s,
	};
	char cerr[256] = "", serr[512] = "";
	rc = mail_compose(&om, &out, cerr, sizeof(cerr));
	if (!rc) {
		const char *rcpt[1] = {u.email};
		struct smtp_target st = {.url = s->cfg.smtp_url,
					 .user = s->cfg.smtp_user[0] ? s->cfg.smtp_user : NULL,
					 .password = s->cfg.smtp_password,
					 .starttls = s->cfg.smtp_starttls,
					 .ca_file = s->cfg.mail_ca_file[0] ? s->cfg.mail_ca_file : NULL};
		rc = smtp_send(&st, ra.email, rcpt, 1, out.s, out.len, serr, sizeof(serr));
	} else {
		rc = -3;
	}
	if (rc == 0) {
		log_info("mail", "campaign mail sent campaign=%" PRId64 " user=%" PRId64
				 " message_id=%s", c.id, u.id, mid.s);
		ret = finish(s, did, "sent", NULL, result, err, errlen);
		if (!ret)
			json_object_set_new(*result, "message_id", json_string(mid.s));
	} else if (rc == -1) {
		snprintf(err, errlen, "smtp: %s", serr);
		ret = -1;
	} else {
		ret = finish(s, did, "failed", rc == -3 ? cerr : serr, result, err, errlen);
	}
out:
	buf_release(&subject);
	buf_release(&text);
	buf_release(&html);
	buf_release(&mid);
	buf_release(&out);
	buf_release(&url);
	campaign_clear(&c);
	user_clear(&u);
	recipient_address_clear(&ra);
	return ret;
}
