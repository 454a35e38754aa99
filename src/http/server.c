/* server.c - libmicrohttpd glue: request lifecycle, routing, replies, logs.
 *
 * Lifecycle of one request (all in one MHD worker thread):
 *   1st call   allocate struct req, note the time
 *   Nth call   append the body chunk (over the cap -> too_large, keep reading)
 *   last call  match the route, authenticate, rate-limit, check the role,
 *              run the handler, queue its reply
 *   completed  log one line, count metrics, release the reader, free req
 * Errors on this path become replies; nothing here exits the process.
 */
#include "http/http.h"
#include "base/log.h"
#include "base/util.h"
#include "http/auth.h"
#include "http/metrics.h"
#include "http/sse.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static atomic_llong inflight;

int64_t server_inflight(void)
{
	return atomic_load(&inflight);
}

const char *req_arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void reply_header(struct req *r, const char *name, const char *value)
{
	if (r->resp)
		MHD_add_response_header(r->resp, name, value);
}

struct db *req_db(struct req *r)
{
	if (!r->rdb)
		r->rdb = store_reader(r->srv->store);
	return r->rdb;
}

static int queue(struct req *r, int status, const char *ctype, void *data, size_t len,
		 enum MHD_ResponseMemoryMode mode)
{
	if (r->resp)
		BUG("second reply for %s %s", r->method_name, r->path);
	r->status = status;
	r->resp = MHD_create_response_from_buffer(len, data, mode);
	MHD_add_response_header(r->resp, "Content-Type", ctype);
	return 0;
}

int reply_json(struct req *r, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (!s)
		s = xstrdup("{}");
	return queue(r, status, "application/json; charset=utf-8", s, strlen(s),
		     MHD_RESPMEM_MUST_FREE);
}

int reply_raw(struct req *r, int status, const char *ctype, const void *data, size_t len)
{
	return queue(r, status, ctype, (void *)data, len, MHD_RESPMEM_MUST_COPY);
}

int reply_static(struct req *r, int status, const char *ctype, const void *data, size_t len)
{
	return queue(r, status, ctype, (void *)data, len, MHD_RESPMEM_PERSISTENT);
}

int reply_response(struct req *r, int status, struct MHD_Response *resp)
{
	if (r->resp)
		BUG("second reply for %s %s", r->method_name, r->path);
	r->status = status;
	r->resp = resp;
	return 0;
}

int reply_take(struct req *r, int status, const char *ctype, char *data, size_t len)
{
	return queue(r, status, ctype, data, len, MHD_RESPMEM_MUST_FREE);
}

int reply_error(struct req *r, int status, const char *error, const char *description,
		json_t *details)
{
	json_t *j = json_pack("{s:s}", "error", error);
	if (description)
		json_object_set_new(j, "description", json_string(description));
	if (details)
		json_object_set_new(j, "details", details);
	return reply_json(r, status, j);
}

int reply_not_found(struct req *r)
{
	return reply_error(r, 404, "RecordNotFound", "Not found", NULL);
}

int reply_forbidden(struct req *r)
{
	return reply_error(r, 403, "Forbidden",
			   "You do not have access to this page. Please contact the account "
			   "owner of this help desk for further help.",
			   NULL);
}

int reply_invalid(struct req *r, const char *msg)
{
	char field[64] = "base";
	const char *colon = strchr(msg, ':');
	if (colon && colon - msg < (long)sizeof(field)) {
		memcpy(field, msg, colon - msg);
		field[colon - msg] = '\0';
	}
	json_t *d = json_pack("{s:[{s:s,s:s}]}", field, "description", msg, "error", "InvalidValue");
	if (!d) /* msg was not valid UTF-8: never echo it back */
		d = json_pack("{s:[{s:s}]}", "base", "description", "invalid value");
	return reply_error(r, 422, "RecordInvalid", "Record validation errors", d);
}

json_t *req_json_or_reply(struct req *r)
{
	if (r->too_large) {
		reply_error(r, 413, "RequestTooLarge", "request body is too large", NULL);
		return NULL;
	}
	json_error_t e;
	json_t *j = json_loadb(r->body.s, r->body.len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		char msg[256];
		snprintf(msg, sizeof(msg), "malformed json at line %d column %d", e.line, e.column);
		reply_error(r, 400, "InvalidJSON", msg, NULL);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reply_error(r, 400, "InvalidJSON", "the body must be a JSON object", NULL);
		return NULL;
	}
	return j;
}

/* Match path against pattern; fill captures.  {id} = 1..18 digits,
 * {word} = [A-Za-z0-9_.-]+ but a trailing ".json" is not part of it. */
static int match(const char *pat, const char *path, struct req *r)
{
	int nid = 0;
	char word[sizeof(r->word)] = "";
	while (*pat) {
		if (!strncmp(pat, "{id}", 4)) {
			int64_t v = 0;
			int n = 0;
			while (path[n] >= '0' && path[n] <= '9' && n < 19)
				v = v * 10 + (path[n++] - '0');
			if (!n || n > 18 || (path[n] >= '0' && path[n] <= '9') || nid == 3)
				return 0;
			r->id[nid++] = v;
			path += n;
			pat += 4;
		} else if (!strncmp(pat, "{word}", 6)) {
			size_t n = 0;
			while ((path[n] >= 'a' && path[n] <= 'z') || (path[n] >= 'A' && path[n] <= 'Z') ||
			       (path[n] >= '0' && path[n] <= '9') || path[n] == '_' || path[n] == '-' ||
			       path[n] == '.' || path[n] == '%' || path[n] == '@' || path[n] == '+')
				n++;
			if (n >= 5 && !strcmp(pat + 6, ".json") && !strncmp(path + n - 5, ".json", 5))
				n -= 5;
			if (!n || n >= sizeof(word))
				return 0;
			memcpy(word, path, n);
			word[n] = '\0';
			path += n;
			pat += 6;
		} else if (!*path && !strcmp(pat, ".json")) {
			break; /* Zendesk makes the .json suffix optional */
		} else if (*pat++ != *path++) {
			return 0;
		}
	}
	if (*path)
		return 0;
	r->nid = nid;
	memcpy(r->word, word, sizeof(word));
	return 1;
}

static enum http_method method_of(const char *m)
{
	static const struct {
		const char *name;
		enum http_method m;
	} tab[] = {{"GET", M_GET}, {"HEAD", M_GET}, {"POST", M_POST},
		   {"PUT", M_PUT}, {"DELETE", M_DELETE}, {"PATCH", M_PATCH}, {"OPTIONS", M_OPTIONS}};
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		if (!strcmp(m, tab[i].name))
			return tab[i].m;
	return 0;
}

static void dispatch(struct req *r)
{
	int path_hit = 0;
	const struct route *rt = NULL;
	for (int i = 0; api_routes[i].pattern; i++) {
		if (!match(api_routes[i].pattern, r->path, r))
			continue;
		path_hit = 1;
		if (api_routes[i].methods & r->method) {
			rt = &api_routes[i];
			r->route = i;
			break;
		}
	}
	if (!rt) {
		if (path_hit)
			reply_error(r, 405, "MethodNotAllowed", "method not allowed here", NULL);
		else
			reply_error(r, 404, "InvalidEndpoint", "Not found", NULL);
		return;
	}
	if (rt->min_role != PUBLIC) {
		if (auth_request_or_reply(r))
			return;
		if (ratelimit_check_or_reply(r))
			return;
		if (r->actor.role < rt->min_role) {
			reply_forbidden(r);
			return;
		}
	}
	if (r->too_large && !rt->raw_body) {
		reply_error(r, 413, "RequestTooLarge", "request body is too large", NULL);
		return;
	}
	if (r->too_large) {
		reply_error(r, 413, "RequestTooLarge", "the file is larger than the upload limit",
			    NULL);
		return;
	}
	rt->fn(r);
	if (!r->resp)
		BUG("route '%s' did not reply", rt->pattern);
}

static void add_common_headers(struct req *r)
{
	if (r->rate_limit >= 0) {
		char v[24];
		snprintf(v, sizeof(v), "%d", r->rate_limit);
		MHD_add_response_header(r->resp, "X-Rate-Limit", v);
		snprintf(v, sizeof(v), "%d", r->rate_remaining);
		MHD_add_response_header(r->resp, "X-Rate-Limit-Remaining", v);
	}
	if (r->session_cookie[0])
		MHD_add_response_header(r->resp, "Set-Cookie", r->session_cookie);
	MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
	if (!MHD_get_response_header(r->resp, "Cache-Control"))
		MHD_add_response_header(r->resp, "Cache-Control", "no-store");
}

/* Route, run and finish one request; the reply ends up in r->resp. */
static void handle(struct req *r)
{
	if (!r->method)
		reply_error(r, 405, "MethodNotAllowed", "method not allowed", NULL);
	else if (strlen(r->path) >= sizeof(r->path) - 1)
		reply_error(r, 414, "URITooLong", "the path is too long", NULL);
	else
		dispatch(r);
	/* give the reader back now, not when the reply has been sent: a
	 * reply waiting for a slow client must not hold a connection that
	 * the next request on this thread needs */
	if (r->rdb) {
		store_release(r->srv->store, r->rdb);
		r->rdb = NULL;
	}
	add_common_headers(r);
}

/* --- handler threads for writes ---
 * A write blocks until its group commits.  Rather than block an event-loop
 * thread (and so cap a group at `threads` writes), the event loop suspends
 * the connection and queues the request here; a handler thread runs it and
 * resumes the connection, and the event loop then sends the reply.  Many
 * cheap, mostly sleeping threads let many writes share one fsync. */
struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct req *head, *tail;
	int stopping, nthreads;
	pthread_t threads[256];
};

static void pool_submit(struct pool *p, struct req *r)
{
	pthread_mutex_lock(&p->lock);
	r->next = NULL;
	if (p->tail)
		p->tail->next = r;
	else
		p->head = r;
	p->tail = r;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void *pool_main(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		struct req *r = p->head;
		if (r) {
			p->head = r->next;
			if (!p->head)
				p->tail = NULL;
		}
		pthread_mutex_unlock(&p->lock);
		if (!r)
			break; /* stopping and nothing left */
		handle(r);
		atomic_store(&r->handled, 1);
		MHD_resume_connection(r->conn);
	}
	return NULL;
}

static struct pool *pool_start(int n)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (n > (int)ARRAY_SIZE(p->threads))
		n = ARRAY_SIZE(p->threads);
	for (; p->nthreads < n; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, pool_main, p))
			die("cannot start handler threads");
	return p;
}

static void pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof(*r));
		r->srv = s;
		r->conn = conn;
		r->t0 = mono_ns();
		r->route = -1;
		r->rate_limit = -1;
		r->method = method_of(method);
		r->method_name = method;
		snprintf(r->path, sizeof(r->path), "%s", url);
		/* a route that takes files (raw_body) may receive max_upload bytes;
		 * only those few patterns are tried here, dispatch() routes later */
		int64_t cap = s->cfg.max_body;
		for (int i = 0; api_routes[i].pattern; i++)
			if (api_routes[i].raw_body && (api_routes[i].methods & r->method) &&
			    match(api_routes[i].pattern, r->path, r)) {
				cap = s->cfg.max_upload;
				break;
			}
		buf_init(&r->body, (size_t)cap);
		atomic_fetch_add(&inflight, 1);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_large && buf_add(&r->body, upload_data, *upload_size)) {
			r->too_large = 1;
			buf_release(&r->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->parked) {
		if (!atomic_load(&r->handled))
			return MHD_YES; /* woken before the worker finished: keep waiting */
	} else if (!r->resp) {
		if (r->method != M_GET && r->method != M_OPTIONS && r->method && strlen(url) < sizeof(r->path) && s->pool) {
			/* a write: run it on a handler thread so this event loop
			 * keeps serving while the write waits for its group commit */
			r->parked = 1;
			MHD_suspend_connection(conn);
			pool_submit(s->pool, r);
			return MHD_YES;
		}
		handle(r);
	}
	return MHD_queue_response(conn, r->status, r->resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	if (!r)
		return;
	int64_t ns = mono_ns() - r->t0;
	metrics_observe(r->route, r->status, ns);
	log_info("http", "method=%s path=%s status=%d ms=%.3f user=%lld%s", r->method_name,
		 r->path, r->status, ns / 1e6, (long long)r->actor.user_id,
		 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	if (r->resp)
		MHD_destroy_response(r->resp);
	buf_release(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight, 1);
}

int server_start(struct server *s)
{
	if (s->cfg.write_threads > 0)
		s->pool = pool_start(s->cfg.write_threads);
	if (sse_start(s)) {
		log_error("http", "cannot start the event stream hub");
		return -1;
	}
	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)s->cfg.port);
	if (inet_pton(AF_INET, s->cfg.listen_addr, &sa.sin_addr) != 1) {
		log_error("http", "bad listen address '%s'", s->cfg.listen_addr);
		return -1;
	}
	/* event streams hold a connection each: allow as many as the file
	 * descriptor limit (raised to its hard maximum) leaves room for,
	 * keeping 256 for the database, mail and log files */
	unsigned maxconn = 1000;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1048576 ? 1048576 : rl.rlim_max;
		if (rl.rlim_cur < want) {
			rl.rlim_cur = want;
			if (setrlimit(RLIMIT_NOFILE, &rl))
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur > 1256)
			maxconn = rl.rlim_cur - 256 > 200000 ? 200000 : (unsigned)(rl.rlim_cur - 256);
	}
	if (s->cfg.max_connections > 0 && (unsigned)s->cfg.max_connections < maxconn)
		maxconn = (unsigned)s->cfg.max_connections;
	s->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			MHD_ALLOW_SUSPEND_RESUME,
		0, NULL, NULL,
		on_request, s, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads,
		MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_CONNECTION_LIMIT,
		maxconn, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (!s->mhd) {
		log_error("http", "cannot listen on %s:%d", s->cfg.listen_addr, s->cfg.port);
		return -1;
	}
	return 0;
}

void server_stop(struct server *s)
{
	if (!s->mhd)
		return;
	/* stop accepting, let in-flight requests finish (at most 30 s) */
	MHD_socket fd = MHD_quiesce_daemon(s->mhd);
	/* end the event streams first: they never finish on their own */
	sse_stop();
	for (int i = 0; i < 3000 && atomic_load(&inflight) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	/* handler threads first: each resumes its connection, which needs the
	 * daemon alive */
	if (s->pool) {
		pool_stop(s->pool);
		s->pool = NULL;
	}
	MHD_stop_daemon(s->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	s->mhd = NULL;
}
