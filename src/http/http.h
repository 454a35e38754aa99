/* http.h - the HTTP side of the server: requests, replies, routes.
 *
 * libmicrohttpd calls us once when the headers are in, again for every body
 * chunk, and once more with no data; only then does server.c authenticate,
 * route and run the handler (answering on a later call keeps keep-alive
 * working in libmicrohttpd 0.9.75).  A handler gets a struct req with the
 * body, path captures and the authenticated actor, and must call exactly one
 * reply_* function.  Reply bodies are JSON in Zendesk's shapes.
 */
#ifndef SONNIM_HTTP_H
#define SONNIM_HTTP_H
#include "base/buf.h"
#include "base/config.h"
#include "core/ticket.h"
#include "store/store.h"
#include <jansson.h>
#include <stdint.h>

struct MHD_Connection;
struct MHD_Response;

/* OPTIONS is routed only where a route asks for it (the messenger's CORS
 * preflights); elsewhere it gets 405 like any method a path lacks. */
enum http_method { M_GET = 1, M_POST = 2, M_PUT = 4, M_DELETE = 8, M_PATCH = 16, M_OPTIONS = 32 };

/* The whole server: config, store, and what every request shares. */
struct server {
	struct config cfg;
	struct store *store;
	struct MHD_Daemon *mhd;
	struct pool *pool;	/* handler threads for writes (server.c) */
	int64_t started_ns;
};

struct req {
	struct server *srv;
	struct MHD_Connection *conn;
	enum http_method method;
	const char *method_name;
	char path[512];		/* URL path, without the query string */
	struct buf body;	/* capped at cfg.max_body (or max_upload) */
	int too_large;		/* the body went over the cap */
	int64_t t0;		/* mono_ns() at arrival */
	int64_t id[3];		/* numeric path captures, in order */
	int nid;
	char word[128];		/* a {token} path capture */
	struct actor actor;	/* who is asking (valid when authed) */
	int authed;
	int status;		/* reply status, for the log and metrics */
	int route;		/* index into the route table, -1 none */
	int rate_limit, rate_remaining;	/* for X-Rate-Limit headers; -1 = none */
	struct db *rdb;		/* a borrowed reader, released after the reply */
	struct MHD_Response *resp;	/* the queued reply */
	char session_cookie[128];	/* Set-Cookie value to send, if any */
	int parked;		/* suspended, queued to a handler thread */
	_Atomic int handled;	/* the handler thread finished it */
	struct req *next;	/* handler queue link */
};

/* A route: method(s), path pattern with {id} (digits) and {word}
 * ([A-Za-z0-9_.-]) captures, the least role allowed (ROLE_* or -1 for no
 * authentication), and the handler. */
struct route {
	unsigned methods;
	const char *pattern;
	int min_role;
	int (*fn)(struct req *r);
	int raw_body;		/* body is not JSON (uploads, mail, a form with files): up to max_upload bytes */
};
#define PUBLIC (-1)

/* The routes of all resources, terminated by {0}: filled by routes_init()
 * from each resource's table (api/routes.c). */
/* The route table (api/routes.c fills it at start): at most API_ROUTES_MAX - 1
 * routes and a {0} end. */
#define API_ROUTES_MAX 512
extern struct route api_routes[API_ROUTES_MAX];
void routes_init(void);

/* Query-string argument or NULL. */
const char *req_arg(struct req *r, const char *name);
const char *req_header(struct req *r, const char *name);
const char *req_cookie(struct req *r, const char *name);
/* Add a header to the reply already queued by a reply_* call. */
void reply_header(struct req *r, const char *name, const char *value);
/* A reader connection for this request (borrowed on first use). */
struct db *req_db(struct req *r);
/* Parse the JSON body: returns the root object, or NULL after replying
 * 400 (malformed, not an object) or 413.  Caller owns the result. */
json_t *req_json_or_reply(struct req *r);

/* Reply with j (stolen).  Always returns 0 so handlers can `return reply..`. */
int reply_json(struct req *r, int status, json_t *j);
int reply_raw(struct req *r, int status, const char *content_type, const void *data,
	      size_t len);
/* Reply with static data (never freed, never copied: embedded files). */
int reply_static(struct req *r, int status, const char *content_type, const void *data,
		 size_t len);
/* Reply with a response the caller built (streams: http/sse.c); taken over. */
int reply_response(struct req *r, int status, struct MHD_Response *resp);
/* Reply with data (malloc'd, taken over) of len bytes. */
int reply_take(struct req *r, int status, const char *content_type, char *data, size_t len);
/* Zendesk-shaped error body: {"error":..., "description":..., "details":...}
 * details may be NULL (stolen). */
int reply_error(struct req *r, int status, const char *error, const char *description,
		json_t *details);
int reply_not_found(struct req *r);
int reply_forbidden(struct req *r);
/* 422 RecordInvalid with details {field: [{"description": msg}]}; msg is
 * "field: reason" as produced by core. */
int reply_invalid(struct req *r, const char *msg);

int server_start(struct server *s);
void server_stop(struct server *s);
/* Requests in flight right now. */
int64_t server_inflight(void);
#endif
