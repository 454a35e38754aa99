/* usermail.c - one automatic mail to one person, from the default support
 * address: what the portal's sign-in link (signin.c) and the community's
 * follower notices (community_notify.c) share.
 *
 * Order: compose (compose.h: text + HTML, Auto-Submitted: auto-generated,
 * the caller's Message-ID) then send over SMTP (smtp.h).  A compose
 * failure or a permanent SMTP refusal (5xx) ends in {"rejected": why}; a
 * temporary one returns -1 so the job queue retries it.
 */
#include "base/buf.h"
#include "base/log.h"
#include "channels/email/compose.h"
#include "channels/email/email.h"
#include "channels/email/mime.h"
#include "channels/email/smtp.h"
#include "store/mail_store.h"
#include <stdio.h>

int email_send_one(struct server *s, const struct recipient_address *ra, const char *to_name,
		   const char *to_email, const char *subject, const char *message_id,
		   const char *text, const char *html, json_t **result, char *err, size_t errlen)
{
	struct buf out = BUF_INIT;
	/* compose only reads the address */
	struct mail_address to = {.name = (char *)to_name, .email = (char *)to_email};
	struct outbound_mail om = {
	    .from_name = ra->name && *ra->name ? ra->name : "Support",
	    .from_email = ra->email,
	    .to = &to,
	    .nto = 1,
	    .subject = subject,
	    .message_id = message_id,
	    .text = text,
	    .html = html,
	    .auto_generated = 1,
	};
	char cerr[256] = "", serr[512] = "";
	int rc = mail_compose(&om, &out, cerr, sizeof(cerr));
	if (!rc) {
		const char *rcpt[1] = {to_email};
		struct smtp_target st = {.url = s->cfg.smtp_url,
					 .user = s->cfg.smtp_user[0] ? s->cfg.smtp_user : NULL,
					 .password = s->cfg.smtp_password,
					 .starttls = s->cfg.smtp_starttls,
					 .ca_file =
					     s->cfg.mail_ca_file[0] ? s->cfg.mail_ca_file : NULL};
		rc = smtp_send(&st, "", rcpt, 1, out.s, out.len, serr, sizeof(serr));
	} else {
		rc = -3;
	}
	buf_release(&out);
	if (rc == 0) {
		*result = json_pack("{ss}", "message_id", message_id);
		return 0;
	}
	if (rc == -1) {
		snprintf(err, errlen, "smtp: %s", serr);
		return -1;
	}
	*result = json_pack("{ss}", "rejected", rc == -3 ? cerr : serr);
	return 0;
}
