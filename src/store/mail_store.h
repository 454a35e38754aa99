/* mail_store.h - the email channel's tables: inbound mail, Message-IDs,
 * a ticket's support address, support (recipient) addresses, IMAP
 * mailboxes.
 *
 * Order of an inbound message: its raw bytes go to a content-addressed file
 * (attachment_file_put), then inbound_mail_add_run() records the row in
 * state "received" and queues the job that processes it - in one write, so
 * a message the MTA was told "250 ok" for is never lost.  The job parses
 * it and, in the transaction that changes the ticket, moves the row to
 * "processed" (or "ignored", with the reason: loop, duplicate, rate
 * limit); a message that cannot be read becomes "failed" with the reason,
 * listed for admins with its .eml and a reprocess action.
 *
 * Getters return 0 and fill *out (caller clears), 1 when there is no such
 * row, or a negative DB_* code.  *_run functions run inside store_write().
 */
#ifndef SONNIM_MAIL_STORE_H
#define SONNIM_MAIL_STORE_H
#include "store/db.h"
#include "store/window.h"
#include <stdint.h>

/* ---- inbound mail ------------------------------------------------------- */

struct inbound_mail {
	int64_t id;
	char *source;		/* "lmtp", "mailgate", "imap", "api" */
	char *mail_from;	/* envelope sender ("" for the null sender), or NULL */
	char *recipients;	/* envelope recipients, JSON array text */
	char *sha256;		/* the raw message's file (attachment_store) */
	int64_t size;		/* bytes */
	char *from_email;	/* From: address once parsed, or NULL */
	char *subject;		/* once parsed, or NULL */
	char *message_id;	/* once parsed, or NULL */
	char *state;		/* received | processed | failed | ignored */
	char *reason;		/* why failed or ignored, or NULL */
	int64_t ticket_id, comment_id;	/* what it became (0 none) */
	int64_t created_at, processed_at;
};
void inbound_mail_clear(struct inbound_mail *m);
void inbound_mail_list_free(struct inbound_mail *v, int n);

/* Record one received message and queue job "mail.inbound" {"id": N}.
 * When imap_account_id is set, the account's UID state is advanced to
 * (uidvalidity, uid) in the same transaction. */
struct inbound_mail_add {
	const char *source, *mail_from, *recipients_json, *sha256;
	int64_t size, now;
	int64_t imap_account_id, uidvalidity, uid;
	int64_t id;	/* out */
};
int inbound_mail_add_run(struct db *db, void *arg);
int inbound_mail_get(struct db *db, int64_t id, struct inbound_mail *out);
/* Rows in state (NULL = all), newest first unless win says otherwise. */
int inbound_mail_list(struct db *db, const char *state, const struct window *win,
		      struct inbound_mail **out, int *n);
int inbound_mail_count(struct db *db, const char *state, int64_t *n);
/* Record the parse facts and the outcome of processing. */
int inbound_mail_finish(struct db *db, int64_t id, const char *state, const char *reason,
			const char *from_email, const char *subject, const char *message_id,
			int64_t ticket_id, int64_t comment_id, int64_t now);
/* Back to "received" and queue it again (admin's reprocess). 1 if no row. */
int inbound_mail_requeue(struct db *db, int64_t id, int64_t now);
/* Messages from this sender since `since` that were processed or ignored
 * (the per-sender rate limit). */
int inbound_mail_sender_count(struct db *db, const char *from_email, int64_t since,
			      int64_t *n);

/* ---- Message-IDs ---------------------------------------------------------- */

/* Remember that message_id belongs to ticket_id (inbound 1: came in,
 * 0: Sonnim sent it).  A known id is left as it is. */
int mail_msgid_add(struct db *db, const char *message_id, int64_t ticket_id,
		   int64_t comment_id, int inbound, int64_t now);
/* The ticket a Message-ID belongs to: 0, or 1 when unknown. */
int mail_msgid_ticket(struct db *db, const char *message_id, int64_t *ticket_id);
/* A ticket's Message-IDs, oldest first, at most limit (the newest ones):
 * *ids holds *n owned strings (free with mail_msgid_list_free). */
int mail_msgid_list(struct db *db, int64_t ticket_id, int limit, char ***ids, int *n);
void mail_msgid_list_free(char **ids, int n);
/* The newest inbound Message-ID of a ticket (*id owned) or 1 when none. */
int mail_msgid_last_inbound(struct db *db, int64_t ticket_id, char **id);

/* ---- a ticket's support address ------------------------------------------ */

int ticket_mail_set(struct db *db, int64_t ticket_id, const char *recipient,
		    int64_t followup_of);
/* *recipient owned; 1 when the ticket never used email. */
int ticket_mail_get(struct db *db, int64_t ticket_id, char **recipient, int64_t *followup_of);

/* ---- support addresses ------------------------------------------------------ */

struct recipient_address {
	int64_t id;
	char *email;	/* lower-case */
	char *name;	/* the From name of mail sent from it, or NULL */
	int64_t group_id;	/* new tickets to it go to this group (0 none) */
	int is_default;	/* the address used when a ticket has none */
	int64_t created_at, updated_at;
};
void recipient_address_clear(struct recipient_address *a);
void recipient_address_list_free(struct recipient_address *v, int n);
int recipient_address_list(struct db *db, struct recipient_address **out, int *n);
int recipient_address_get(struct db *db, int64_t id, struct recipient_address *out);
int recipient_address_by_email(struct db *db, const char *email, struct recipient_address *out);
/* The default address (or the first one): 1 when there is none. */
int recipient_address_default(struct db *db, struct recipient_address *out);
/* Insert (a->id = 0) or update; DB_CONSTRAINT when the email is taken.
 * Making one the default clears the flag on the others. */
int recipient_address_save(struct db *db, struct recipient_address *a);
int recipient_address_delete(struct db *db, int64_t id);

/* ---- IMAP mailboxes ---------------------------------------------------------- */

struct imap_account_row {
	int64_t id;
	char *url;		/* imap(s)://host:port/FOLDER */
	char *username, *password;
	char *recipient;	/* the support address its mail counts as sent to */
	int active;
	int64_t uidvalidity, last_uid;	/* what was fetched (imap.h) */
	char *last_error;	/* of the last poll, or NULL */
	int64_t polled_at, created_at, updated_at;
};
void imap_account_clear(struct imap_account_row *a);
void imap_account_list_free(struct imap_account_row *v, int n);
int imap_account_list(struct db *db, int active_only, struct imap_account_row **out, int *n);
int imap_account_get(struct db *db, int64_t id, struct imap_account_row *out);
int imap_account_save(struct db *db, struct imap_account_row *a);
int imap_account_delete(struct db *db, int64_t id);
/* After a poll: the error (NULL = fine) and the time. */
int imap_account_polled(struct db *db, int64_t id, const char *error, int64_t now);
/* Adopt a new UIDVALIDITY with nothing fetched yet (the folder was rebuilt). */
int imap_account_reset(struct db *db, int64_t id, int64_t uidvalidity);

/* The user automatic notes are written as: the first active admin.
 * 0, or 1 when there is none. */
int mail_system_user(struct db *db, int64_t *id);

/* ---- identities ----------------------------------------------------------------- */

/* A delivery to this address failed: count it on the email identity. */
int identity_store_bounced(struct db *db, const char *email, int64_t now);
/* How many deliveries to this address failed (0 when unknown). */
int identity_store_undeliverable(struct db *db, const char *email, int64_t *count);
#endif
