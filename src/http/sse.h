/* sse.h - the realtime stream: committed outbox events to browsers.
 *
 * GET /api/v2/sonnim/stream (api/workspace.c) calls sse_open_or_reply(),
 * which answers 200 text/event-stream with a body that never ends on its
 * own.  A hub thread polls the `events` table (the transactional outbox:
 * only committed rows are visible) every SSE_POLL_MS and appends one SSE
 * message per event each client may see; see sse.c for the lifecycle.
 *
 * Lifecycle: sse_start() once after the store is open (serve), before the
 * HTTP server; sse_stop() when the server stops: every stream ends cleanly
 * (so no connection is left suspended) and the hub thread is joined.
 */
#ifndef SONNIM_SSE_H
#define SONNIM_SSE_H
#include "http/http.h"

/* How often the hub reads the outbox (ms) and sends a comment line to
 * idle streams (s), which also finds clients that went away. */
#define SSE_POLL_MS 200
#define SSE_PING_SECONDS 15

/* Start the hub thread for s (reads s->store).  0 or -1. */
int sse_start(struct server *s);
/* End every stream and join the hub thread; idempotent. */
void sse_stop(void);
/* Reply to r with a stream for r->actor (agents and admins; the route
 * checks the role).  Always returns 0 (a 503 when the hub is not running). */
int sse_open_or_reply(struct req *r);
/* Reply to r with a messenger visitor's stream: only ticket_id's public
 * comments ("message" {comment_id}), its updates ("conversation"
 * {status}), agents' typing ("typing" {typing, name}) and an agent
 * having it open ("seen").  ready_json is
 * the data of the first "ready" event.  Always returns 0. */
int sse_open_visitor_or_reply(struct req *r, int64_t ticket_id, const char *ready_json);
/* Read the outbox now rather than at the next tick: called after a commit
 * in this process whose events someone is waiting for (the messenger's
 * messages and signals).  Other processes' commits still arrive within
 * SSE_POLL_MS. */
void sse_kick(void);
/* Send "event: EVENT" with data json (one line of JSON) to every open
 * stream now, whoever listens (agents' status changes: api/views.c). */
void sse_broadcast(const char *event, const char *json);
/* Streams open now (for /metrics and the tests). */
int sse_clients(void);
#endif
