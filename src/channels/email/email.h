/* email.h - the email channel: mail in (LMTP, mailgate, IMAP) and out
 * (SMTP), as seen from the rest of the server.
 *
 * Inbound: every way in ends in email_accept(): the raw message is stored
 * (content-addressed file + inbound_mails row + job "mail.inbound", one
 * transaction) and only then acknowledged.  The job runs
 * email_inbound_job(): parse (mime.h) -> loop/bounce filters -> identity
 * -> threading -> one ticket write, in the order of the filter table in
 * inbound.c.
 *
 * Outbound: the listener "email_replies" queues job "mail.send" for every
 * public comment an agent adds to a ticket whose requester has an email
 * address; email_send_job() composes the mail (compose.h, template.h) and
 * sends it with libcurl (smtp.h); a temporary failure is retried by the job
 * queue with backoff, a permanent one becomes an internal note.
 *
 * Threads: email_start() starts the LMTP listener (cfg.lmtp) and the IMAP
 * poller (every cfg.imap_poll seconds); email_stop() stops both.
 */
#ifndef SONNIM_EMAIL_H
#define SONNIM_EMAIL_H
#include "http/http.h"
#include <jansson.h>

struct event_row;

/* Store one raw message that came in through source ("lmtp", "mailgate",
 * "imap", "api") with its envelope (mail_from may be NULL; rcpts may be
 * NULL/0) and queue its processing.  Returns 0 with *id, or -1 with err
 * (the caller answers "try again later": nothing was stored). */
int email_accept(struct server *s, const char *source, const char *mail_from,
		 const char *const *rcpts, int nrcpts, const char *raw, size_t len, int64_t *id,
		 char *err, size_t errlen);

/* Job handlers (jobs.h signature). */
int email_inbound_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		      char *err, size_t errlen);
int email_send_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		   char *err, size_t errlen);
/* Job "mail.notify": a notification mail about a ticket to its requester,
 * assignee, CCs, a group or a user, with subject and body templates
 * rendered for the ticket (notify.c has the payload and Message-IDs). */
int email_notify_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		     char *err, size_t errlen);
/* Job "mail.signin" {"user_id", "locale"}: mint a one-time portal sign-in
 * token and mail its link to the user (channels/email/signin.c).  Same
 * contract as email_send_job. */
int email_signin_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		     char *err, size_t errlen);
/* Job "community.notify" {"comment_id", "post_id"}: mail the followers
 * of the post and of its topic about a new published comment (not its
 * author) (channels/email/community_notify.c).  Same contract. */
int email_community_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
			char *err, size_t errlen);
struct recipient_address;
/* Send one automatic mail (text + HTML, Auto-Submitted) from support
 * address ra to one person (channels/email/usermail.c).  0 with *result
 * {"message_id"} when sent or {"rejected": why} when refused for good;
 * -1 with err on a temporary failure (the job is retried). */
int email_send_one(struct server *s, const struct recipient_address *ra, const char *to_name,
		   const char *to_email, const char *subject, const char *message_id,
		   const char *text, const char *html, json_t **result, char *err, size_t errlen);
/* Job "campaign.mail" {"delivery_id"}: one campaign email to one
 * recipient, with its unsubscribe link and List-Unsubscribe headers
 * (channels/email/campaign.c).  Same contract as email_send_job. */
int email_campaign_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		       char *err, size_t errlen);
/* Listener: queue mail.send for public agent comments. */
int email_replies_listener(struct db *db, const struct event_row *e);

/* The domain of Sonnim's Message-IDs: cfg.mail_domain, else the host of
 * cfg.base_url, else "sonnim.local".  Writes into out. */
void email_domain(const struct config *cfg, char *out, size_t outlen);

/* Poll every active IMAP mailbox once now; returns messages taken in. */
int email_imap_poll_all(struct server *s);

/* The LMTP listener and the IMAP poller (when configured). */
int email_start(struct server *s);
void email_stop(struct server *s);
#endif
