/* imap.h - take new messages out of one IMAP folder (libcurl), each once.
 *
 *   struct imap_account a = {.url = "imap://mail.example.com/INBOX",
 *                            .user = "desk", .password = "...",
 *                            .starttls = 2, .timeout_ms = 30000};
 *   struct imap_state st = <what the last poll left, or {0, 0}>;
 *   int n = imap_poll(&a, &st, 50, store_one, db, err, sizeof(err));
 *
 * The folder is read by UID: messages above st->last_uid are new, oldest
 * first.  Nothing on the server changes: no moves, no deletes, and no
 * flags: the folder is opened with EXAMINE (read-only), so fetching sets
 * no \Seen.  (Only when the connection drops in the middle of a poll and
 * libcurl reconnects by itself does its SELECT open the folder
 * read-write; the messages after that may be marked \Seen.  Flags are
 * never read.)  The caller persists st inside its callback, in the same
 * transaction as the message; then a crash or restart at any point
 * neither loses a message nor delivers one twice.
 *
 * One call is one IMAP session on one connection; nothing is kept between
 * calls, so calls from several threads are fine (each with its own
 * account and state); curl_global_init() must have run before the first.
 */
#ifndef SONNIM_IMAP_H
#define SONNIM_IMAP_H
#include <stddef.h>
#include <stdint.h>

/* A message larger than this is not downloaded (see imap_message_fn);
 * -DIMAP_MAX_MESSAGE=... changes it (for the whole build). */
#ifndef IMAP_MAX_MESSAGE
#define IMAP_MAX_MESSAGE (50u * 1024 * 1024)
#endif
/* At most this many messages per call, whatever max says. */
#define IMAP_MAX_BATCH 10000
/* Default for timeout_ms == 0. */
#define IMAP_DEFAULT_TIMEOUT_MS 60000L

struct imap_account {
	const char *url;      /* "imap://host:port/FOLDER" (STARTTLS per starttls) or
				 "imaps://host:port/FOLDER" (TLS from the start);
				 FOLDER is URL-encoded ("Support%20Desk", "INBOX/Sub"
				 with the server's separator) and defaults to INBOX;
				 no ";UID=..." parameters, no query */
	const char *user;     /* login user */
	const char *password; /* login password */
	int starttls;	      /* imap:// only: 0 never, 1 when the server offers
				 it, 2 required (else the poll fails) */
	long timeout_ms;      /* limit for connecting, for each server response
				 and for a stalled download; 0 = default */
	const char *ca_file;  /* PEM file of the CAs to trust for TLS, or NULL
				 for the system's store; certificates and host
				 names are always verified */
};

/* Where a folder's reader stands.  {0, 0} before the first poll. */
struct imap_state {
	int64_t uidvalidity; /* the folder's UIDVALIDITY the UIDs belong to */
	int64_t last_uid;    /* the highest UID handed to the callback and taken */
};

/* Called once per new message, in ascending UID order.  raw/len is the
 * whole message as the server stores it (owned by imap_poll, valid during
 * the call only).  raw is NULL when the message is larger than
 * IMAP_MAX_MESSAGE: it was not downloaded, len is the size the server
 * declared; record it (failed inbound) and return 0 to go on, as asking
 * again will not make it smaller.  Return 0 when the message and
 * {uidvalidity, uid} are safely stored: the poll then moves on; any other
 * value stops the poll there (the message will come again next time). */
typedef int (*imap_message_fn)(void *arg, int64_t uidvalidity, int64_t uid, const char *raw,
			       size_t len);

/* Log in to a->url's server, open its folder read-only and hand the
 * messages with a UID above st->last_uid to fn, oldest first, at most max
 * of them (max <= 0 or above IMAP_MAX_BATCH means IMAP_MAX_BATCH).
 *
 * When the folder's UIDVALIDITY is not st->uidvalidity (the first poll,
 * or the folder was recreated), its old UIDs mean nothing: the poll
 * starts over, st becomes {new uidvalidity, 0} and every message in the
 * folder is new.  After each message fn took (returned 0), st->last_uid
 * is that message's UID.  A message expunged between the search and its
 * download is skipped (there is nothing to take).
 *
 * Returns the number of messages fn took (0: nothing new, or fn refused
 * the first); it stops early when fn returns non-zero.  Returns -1 with
 * err (errlen bytes, lower-case, no secrets) when the server cannot be
 * reached, the login fails, the folder does not exist, or the server
 * breaks the protocol or a limit; st then still describes exactly what
 * fn took before the failure. */
int imap_poll(const struct imap_account *a, struct imap_state *st, int max, imap_message_fn fn,
	      void *arg, char *err, size_t errlen);
#endif
