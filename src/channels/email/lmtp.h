/* lmtp.h - the LMTP listener (see lmtp.c). */
#ifndef SONNIM_LMTP_H
#define SONNIM_LMTP_H
#include "http/http.h"
#include <stddef.h>

/* Listen on s->cfg.lmtp ("host:port" or "unix:/path"; nothing when empty)
 * and serve sessions on threads of their own.  0, or -1 with err. */
int lmtp_start(struct server *s, char *err, size_t errlen);
/* Stop accepting, end the sessions in flight (their sockets are shut
 * down; a message not yet acknowledged stays with the MTA), and wait for
 * them. */
void lmtp_stop(void);
/* Serve one LMTP session on a connected socket fd until the peer quits or
 * hangs up (fd stays open).  What the listener's threads run; exported for
 * the fuzz harness tests/fuzz/lmtp. */
void lmtp_session(struct server *s, int fd);
#endif
