/* sse.c - the SSE hub: committed ticket events to connected agents.
 *
 * What it is: a list of open streams (struct sse_client), each with a
 * buffer of bytes not yet sent, and one hub thread.  No HTTP thread ever
 * waits for an event: a stream that has nothing to send is suspended
 * (MHD_suspend_connection) and costs a socket and a few hundred bytes.
 *
 * Order of events for one stream:
 *   1. sse_open_or_reply() (an MHD event-loop thread) registers the client
 *      with the request's actor and answers 200 with a response whose body
 *      comes from on_read(); the first bytes are "retry:" and a "ready"
 *      event, so the browser knows it is live.
 *   2. on_read() (MHD, when the socket can take bytes) copies pending bytes
 *      out; with none left it marks the client suspended and suspends the
 *      connection - both under the hub lock, so the hub cannot resume it
 *      before the suspend (MHD would drop a resume that comes first).
 *   3. The hub thread, every SSE_POLL_MS: reads events after the last id it
 *      saw (one indexed query; none while no stream is open), loads each
 *      event's ticket once, and appends "id/event/data" to every client for
 *      which ticket_can_view() holds (restricted agents see only their
 *      groups' or assigned tickets).  Every SSE_PING_SECONDS it appends a
 *      comment line to each, which is also how a vanished client is found:
 *      the write fails and MHD closes the connection.  Clients that got
 *      bytes and are suspended are resumed after the lock is released.
 *   4. When the connection ends (client gone, timeout, shutdown) MHD frees
 *      the response and on_free() unlinks and frees the client.
 *   5. sse_stop(): sets stopping and resumes every suspended stream; on_read
 *      then returns end-of-stream, so the requests complete and the server
 *      can stop the daemon with nothing suspended.
 * A client that falls more than SSE_MAX_PENDING bytes behind is ended (the
 * browser reconnects and reloads what it shows).
 *
 * Availability: when an agent's last stream closes, on_free() notes the
 * user and the time; a new stream from that user takes the note back.
 * The hub thread sets the status of a user whose note is older than
 * cfg.agent_offline_after to offline (automatic), so a closed laptop does
 * not stay "online".  sse_broadcast() sends a status change (or any other
 * non-ticket event) to every stream at once.
 *
 * Delivery is "within SSE_POLL_MS of commit" on SQLite, where the single
 * writer commits ids in order.  On PostgreSQL ticket writes hold one
 * advisory lock, so their events also commit in id order.  Across process
 * restarts nothing is replayed: on reconnect the browser refetches its
 * view (Last-Event-ID is not used yet).
 */
#include "http/sse.h"
#include "base/log.h"
#include "base/util.h"
#include "store/job_store.h"
#include "store/ticket_store.h"
#include "store/view_store.h"
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SSE_MAX_PENDING (256 * 1024)

struct sse_client {
	struct MHD_Connection *conn;	/* the stream's connection (MHD owns it) */
	struct actor actor;		/* who listens: visibility of each event */
	int64_t ticket_id;		/* a messenger visitor's stream: only this ticket;
					   0 for an agent's stream */
	struct buf out;			/* bytes not yet handed to MHD */
	size_t sent;			/* of out, already handed over */
	int suspended;			/* connection suspended by on_read, awaiting resume */
	int overflow;			/* fell too far behind: end the stream */
	struct sse_client *next, *prev;
};

static struct {
	pthread_mutex_t lock;		/* guards everything below */
	pthread_cond_t wake;		/* signalled by sse_stop */
	struct sse_client *head;	/* open streams */
	int nclients;
	int running, stopping;
	int kicked;			/* sse_kick() since the last poll */
	int64_t last_id;		/* newest event id already fanned out */
	struct gone { int64_t user_id, at; } *gone;	/* users whose last stream closed */
	size_t ngone, capgone;
	int stale;			/* last_id unknown (no stream was open) */
	struct server *srv;
	pthread_t thread;
} hub = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .stale = 1};

/* The events that reach browsers (a closed list, as the outbox's). */
static const char *const streamed[] = {"ticket.created", "ticket.updated", "comment.added",
				       "ticket.deleted", "signal.viewing", "signal.typing",
				       "signal.left", "signal.read"};

int sse_clients(void)
{
	pthread_mutex_lock(&hub.lock);
	int n = hub.nclients;
	pthread_mutex_unlock(&hub.lock);
	return n;
}

/* Append s to c (hub lock held). */
static void client_add(struct sse_client *c, const char *s, size_t len)
{
	if (c->overflow)
		return;
	if (c->out.len - c->sent + len > SSE_MAX_PENDING || buf_add(&c->out, s, len))
		c->overflow = 1;
}

static ssize_t on_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct sse_client *c = cls;
	pthread_mutex_lock(&hub.lock);
	size_t left = c->out.len - c->sent;
	if (left) {
		size_t n = left < max ? left : max;
		memcpy(dst, c->out.s + c->sent, n);
		c->sent += n;
		if (c->sent == c->out.len) {
			buf_reset(&c->out);
			c->sent = 0;
		}
		pthread_mutex_unlock(&hub.lock);
		return (ssize_t)n;
	}
	if (hub.stopping || c->overflow) {
		pthread_mutex_unlock(&hub.lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	c->suspended = 1;
	MHD_suspend_connection(c->conn);
	pthread_mutex_unlock(&hub.lock);
	return 0;
}

static void on_free(void *cls)
{
	struct sse_client *c = cls;
	pthread_mutex_lock(&hub.lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		hub.head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	hub.nclients--;
	int others = 0;
	for (struct sse_client *o = hub.head; o; o = o->next)
		others |= o->actor.user_id == c->actor.user_id;
	if (!others && !hub.stopping) {
		if (hub.ngone == hub.capgone) {
			hub.capgone = hub.capgone ? hub.capgone * 2 : 16;
			hub.gone = xrealloc(hub.gone, hub.capgone * sizeof(*hub.gone));
		}
		hub.gone[hub.ngone++] = (struct gone){c->actor.user_id, now_seconds()};
	}
	pthread_mutex_unlock(&hub.lock);
	buf_release(&c->out);
	free(c);
}

static int open_or_reply(struct req *r, int64_t ticket_id, const char *ready);

int sse_open_or_reply(struct req *r)
{
	char ready[64];
	snprintf(ready, sizeof(ready), "{\"user_id\":%lld}", (long long)r->actor.user_id);
	return open_or_reply(r, 0, ready);
}

int sse_open_visitor_or_reply(struct req *r, int64_t ticket_id, const char *ready_json)
{
	return open_or_reply(r, ticket_id, ready_json);
}

static int open_or_reply(struct req *r, int64_t ticket_id, const char *ready)
{
	int64_t last = 0;
	pthread_mutex_lock(&hub.lock);
	int ok = hub.running && !hub.stopping;
	int stale = hub.stale;
	pthread_mutex_unlock(&hub.lock);
	if (!ok)
		return reply_error(r, 503, "Unavailable", "the event stream is not running", NULL);
	/* the first stream after an idle spell: start from the newest event */
	if (stale && event_store_last_id(req_db(r), &last))
		return reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
	struct sse_client *c = xcalloc(1, sizeof(*c));
	c->conn = r->conn;
	c->actor = r->actor;
	c->ticket_id = ticket_id;
	buf_init(&c->out, SSE_MAX_PENDING * 2);
	buf_addf(&c->out, "retry: 2000\n\nevent: ready\ndata: %s\n\n", ready);
	struct MHD_Response *resp =
		/* a visitor's stream carries a few small events: a small block
		 * keeps 10,000 of them cheap */
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, ticket_id ? 2048 : 16 * 1024,
						  on_read, c, on_free);
	if (!resp) {
		buf_release(&c->out);
		free(c);
		return reply_error(r, 503, "Unavailable", "cannot open the event stream", NULL);
	}
	MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	pthread_mutex_lock(&hub.lock);
	if (hub.stale) {
		if (last > hub.last_id)
			hub.last_id = last;
		hub.stale = 0;
	}
	for (size_t i = 0; i < hub.ngone; i++)
		if (hub.gone[i].user_id == c->actor.user_id)
			hub.gone[i--] = hub.gone[--hub.ngone];
	c->next = hub.head;
	if (hub.head)
		hub.head->prev = c;
	hub.head = c;
	hub.nclients++;
	pthread_mutex_unlock(&hub.lock);
	return reply_response(r, 200, resp);
}

/* The resumes to make once the lock is released. */
struct wakelist {
	struct MHD_Connection **v;
	size_t n, cap;
};

/* Collect the suspended clients that now have bytes (hub lock held). */
static void collect_wakeups(struct wakelist *w)
{
	for (struct sse_client *c = hub.head; c; c = c->next) {
		if (!c->suspended || (c->out.len == c->sent && !c->overflow && !hub.stopping))
			continue;
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 16;
			w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
		}
		c->suspended = 0;
		w->v[w->n++] = c->conn;
	}
}

static void resume_all(struct wakelist *w)
{
	/* still suspended until this call: MHD cannot have closed them */
	for (size_t i = 0; i < w->n; i++)
		MHD_resume_connection(w->v[i]);
	w->n = 0;
}

static int is_streamed(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(streamed); i++)
		if (!strcmp(type, streamed[i]))
			return 1;
	return 0;
}

/* May agent stream c hear of e about ticket t (NULL: deleted)? */
static int agent_sees(const struct sse_client *c, const struct ticket *t)
{
	return t ? ticket_can_view(&c->actor, t)
		 : c->actor.role == ROLE_ADMIN ||
			   (c->actor.role == ROLE_AGENT && c->actor.restriction == RESTRICT_NONE);
}

/* What a visitor's stream hears of e: comment.added of a public comment
 * ("message"), ticket.updated ("conversation": status may have changed),
 * an agent's typing ("typing") and an agent viewing the ticket ("seen",
 * the read receipt the widget shows); NULL for the rest (internal notes,
 * the visitor's own signals). */
static const char *visitor_event(const struct event_row *e, json_t *p)
{
	if (!strcmp(e->type, "comment.added"))
		return json_is_true(json_object_get(p, "public")) ? "message" : NULL;
	if (!strcmp(e->type, "ticket.updated"))
		return "conversation";
	const char *role = json_string_value(json_object_get(p, "role"));
	if (!role || strcmp(role, "agent"))
		return NULL;
	if (!strcmp(e->type, "signal.typing") || !strcmp(e->type, "signal.left"))
		return "typing";
	if (!strcmp(e->type, "signal.viewing"))
		return "seen"; /* an agent has the conversation open: the visitor's read receipt */
	return NULL;
}

/* Fan one event out to the clients that may see its ticket (lock held).
 * t is the ticket, or NULL when it is gone (deleted): then only admins and
 * unrestricted agents hear of it.  Signals (viewing, typing, left, read)
 * go as event "signal" with their payload, never to their own sender. */
static void fan_out(const struct event_row *e, const struct ticket *t)
{
	int signal = !strncmp(e->type, "signal.", 7);
	json_t *p = e->payload ? json_loads(e->payload, 0, NULL) : NULL;
	struct buf m = BUF_INIT, v = BUF_INIT;
	buf_addf(&m,
		 "id: %lld\nevent: %s\ndata: {\"id\":%lld,\"type\":\"%s\",\"ticket_id\":%lld,"
		 "\"actor_id\":%lld,\"created_at\":%lld",
		 (long long)e->id, signal ? "signal" : e->type, (long long)e->id, e->type,
		 (long long)e->ticket_id, (long long)e->actor_id, (long long)e->created_at);
	if (signal && json_is_object(p))
		buf_addf(&m, ",\"signal\":%s", e->payload);
	buf_adds(&m, "}\n\n");
	const char *ve = t ? visitor_event(e, p) : NULL;
	if (ve) {
		json_t *d = json_pack("{s:I,s:s}", "ticket_id", (json_int_t)e->ticket_id, "type", ve);
		if (!strcmp(ve, "message"))
			json_object_set(d, "comment_id", json_object_get(p, "comment_id"));
		else if (!strcmp(ve, "typing")) {
			json_object_set_new(d, "typing", json_boolean(!strcmp(e->type, "signal.typing")));
			json_t *name = json_object_get(p, "name");
			if (json_is_string(name))
				json_object_set(d, "name", name);
		} else if (!strcmp(ve, "conversation"))
			json_object_set_new(d, "status", json_string(t->status ? t->status : ""));
		char *ds = json_dumps(d, JSON_COMPACT);
		json_decref(d);
		buf_addf(&v, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)e->id, ve, ds);
		free(ds);
	}
	for (struct sse_client *c = hub.head; c; c = c->next) {
		if (c->ticket_id) {
			if (ve && c->ticket_id == e->ticket_id)
				client_add(c, v.s, v.len);
		} else if (agent_sees(c, t) && !(signal && c->actor.user_id == e->actor_id)) {
			client_add(c, m.s, m.len);
		}
	}
	json_decref(p);
	buf_release(&m);
	buf_release(&v);
}

/* Read and fan out what was committed since last_id; 0 or <0 (database). */
static int poll_events(struct server *s, int64_t last)
{
	struct event_row *ev = NULL;
	int n = 0;
	struct db *db = store_reader(s->store);
	int rc = event_store_after(db, last, 200, &ev, &n);
	struct ticket *tickets = n ? xcalloc(n, sizeof(*tickets)) : NULL;
	int *found = n ? xcalloc(n, sizeof(*found)) : NULL;
	for (int i = 0; !rc && i < n; i++)
		if (is_streamed(ev[i].type) && ev[i].ticket_id)
			found[i] = ticket_store_get(db, ev[i].ticket_id, &tickets[i]) == 0;
	store_release(s->store, db);
	if (!rc && n) {
		pthread_mutex_lock(&hub.lock);
		for (int i = 0; i < n; i++)
			if (is_streamed(ev[i].type) && ev[i].ticket_id)
				fan_out(&ev[i], found[i] ? &tickets[i] : NULL);
		if (ev[n - 1].id > hub.last_id)
			hub.last_id = ev[n - 1].id;
		pthread_mutex_unlock(&hub.lock);
	}
	for (int i = 0; i < n; i++)
		if (found[i])
			ticket_clear(&tickets[i]);
	free(tickets);
	free(found);
	event_rows_free(ev, n);
	return rc ? -1 : n;
}

static int offline_run(struct db *db, void *arg)
{
	return agent_status_store_auto_offline(db, *(int64_t *)arg, now_seconds());
}

/* Set offline the users whose last stream closed long enough ago (hub lock
 * held; released around the writes). */
static void expire_gone(struct server *s)
{
	int after = s->cfg.agent_offline_after;
	int64_t now = now_seconds();
	for (size_t i = 0; after > 0 && i < hub.ngone; i++) {
		if (hub.gone[i].at + after > now)
			continue;
		int64_t uid = hub.gone[i].user_id;
		hub.gone[i--] = hub.gone[--hub.ngone];
		pthread_mutex_unlock(&hub.lock);
		if (store_write(s->store, offline_run, &uid))
			log_warn("sse", "cannot set an agent offline; will not retry");
		char msg[96];
		int n = snprintf(msg, sizeof(msg),
				 "event: agent.status\ndata: {\"user_id\":%lld,\"status\":\"offline\",\"automatic\":true}\n\n",
				 (long long)uid);
		pthread_mutex_lock(&hub.lock);
		for (struct sse_client *c = hub.head; c; c = c->next)
			client_add(c, msg, (size_t)n);
	}
}

void sse_broadcast(const char *event, const char *json)
{
	struct buf m = BUF_INIT;
	buf_addf(&m, "event: %s\ndata: %s\n\n", event, json);
	struct wakelist w = {0};
	pthread_mutex_lock(&hub.lock);
	for (struct sse_client *c = hub.head; c; c = c->next)
		client_add(c, m.s, m.len);
	collect_wakeups(&w);
	pthread_mutex_unlock(&hub.lock);
	resume_all(&w);
	free(w.v);
	buf_release(&m);
}

static void *hub_main(void *arg)
{
	struct server *s = arg;
	struct wakelist w = {0};
	int64_t next_ping = now_seconds() + SSE_PING_SECONDS;
	pthread_mutex_lock(&hub.lock);
	while (!hub.stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SSE_POLL_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!hub.kicked) /* a kick during the last poll is not lost */
			pthread_cond_timedwait(&hub.wake, &hub.lock, &ts);
		hub.kicked = 0;
		if (hub.stopping)
			break;
		expire_gone(s);
		if (!hub.nclients) {
			hub.stale = 1; /* the next stream re-reads the newest id */
			continue;
		}
		int64_t last = hub.last_id;
		pthread_mutex_unlock(&hub.lock);
		/* drain: at most 200 events per read, and more may be waiting */
		int got;
		while ((got = poll_events(s, last)) == 200) {
			pthread_mutex_lock(&hub.lock);
			last = hub.last_id;
			pthread_mutex_unlock(&hub.lock);
		}
		if (got < 0)
			log_warn("sse", "cannot read the outbox; will retry");
		pthread_mutex_lock(&hub.lock);
		if (now_seconds() >= next_ping) {
			for (struct sse_client *c = hub.head; c; c = c->next)
				client_add(c, ": ping\n\n", 8);
			next_ping = now_seconds() + SSE_PING_SECONDS;
		}
		collect_wakeups(&w);
		pthread_mutex_unlock(&hub.lock);
		resume_all(&w);
		pthread_mutex_lock(&hub.lock);
	}
	pthread_mutex_unlock(&hub.lock);
	free(w.v);
	return NULL;
}

void sse_kick(void)
{
	pthread_mutex_lock(&hub.lock);
	hub.kicked = 1;
	pthread_cond_broadcast(&hub.wake);
	pthread_mutex_unlock(&hub.lock);
}

int sse_start(struct server *s)
{
	pthread_mutex_lock(&hub.lock);
	hub.srv = s;
	hub.stopping = 0;
	hub.stale = 1;
	int rc = pthread_create(&hub.thread, NULL, hub_main, s) ? -1 : 0;
	hub.running = rc == 0;
	pthread_mutex_unlock(&hub.lock);
	return rc;
}

void sse_stop(void)
{
	struct wakelist w = {0};
	pthread_mutex_lock(&hub.lock);
	if (!hub.running) {
		pthread_mutex_unlock(&hub.lock);
		return;
	}
	hub.stopping = 1;
	pthread_cond_broadcast(&hub.wake);
	collect_wakeups(&w); /* every suspended stream: on_read ends it */
	pthread_mutex_unlock(&hub.lock);
	resume_all(&w);
	free(w.v);
	pthread_join(hub.thread, NULL);
	pthread_mutex_lock(&hub.lock);
	hub.running = 0;
	free(hub.gone);
	hub.gone = NULL;
	hub.ngone = hub.capgone = 0;
	pthread_mutex_unlock(&hub.lock);
}
