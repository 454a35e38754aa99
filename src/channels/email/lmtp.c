/* lmtp.c - the LMTP listener (RFC 2033) Postfix delivers support mail to.
 *
 * One accept thread waits on the listening socket (TCP "host:port" or
 * "unix:/path") and a stop pipe; each connection gets a thread of its own,
 * at most LMTP_MAX_CONN at once (the next one hears "421 too busy" and the
 * MTA retries).  A session is LHLO, then per message MAIL FROM, RCPT TO
 * (each checked against the support addresses), DATA; after the final "."
 * the message goes through email_accept() - stored and committed - and
 * only then does every recipient get its "250" (LMTP answers once per
 * recipient; all the same here, as the message is stored once).  When the
 * store fails the answer is "451" and the MTA keeps the message queued.
 *
 * Limits: command lines LMTP_MAX_LINE bytes, cfg.max_mail per message (the
 * rest of an oversized message is read and dropped, then "552"),
 * LMTP_MAX_RCPT recipients, LMTP_TIMEOUT seconds of silence.  PIPELINING
 * works because replies are written in command order from one buffered
 * reader.
 */
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/email/email.h"
#include "channels/email/lmtp.h"
#include "store/mail_store.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LMTP_MAX_CONN 64
#define LMTP_MAX_LINE 4096
#define LMTP_MAX_RCPT 100
#define LMTP_TIMEOUT 300

static int listen_fd = -1;
static int stop_pipe[2] = {-1, -1};
static pthread_t accept_thread;
static int running;
static atomic_int nconn;
static char unix_path[256];
/* the sockets of the sessions in flight, shut down by lmtp_stop() */
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static int conns[LMTP_MAX_CONN + 1];

static void conn_track(int fd, int add)
{
	pthread_mutex_lock(&conns_lock);
	for (int i = 0; i <= LMTP_MAX_CONN; i++) {
		if (add && conns[i] == 0) {
			conns[i] = fd + 1;
			break;
		}
		if (!add && conns[i] == fd + 1) {
			conns[i] = 0;
			break;
		}
	}
	pthread_mutex_unlock(&conns_lock);
}

struct conn {
	struct server *s;
	int fd;
	char in[16384];
	size_t have, pos;
	struct buf out;
};

static int flush_out(struct conn *c);

static int fill(struct conn *c)
{
	if (c->pos < c->have)
		return 1;
	/* answers held back while pipelined commands were buffered go out
	 * before we wait for more */
	if (c->out.len && flush_out(c))
		return 0;
	ssize_t n;
	do
		n = recv(c->fd, c->in, sizeof(c->in), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	c->have = (size_t)n;
	c->pos = 0;
	return 1;
}

/* Read one line (without CRLF/LF) into line, at most max bytes kept;
 * *over is set when it was longer.  0 on EOF/error. */
static int read_line(struct conn *c, struct buf *line, size_t max, int *over)
{
	buf_reset(line);
	*over = 0;
	for (;;) {
		if (!fill(c))
			return 0;
		char *nl = memchr(c->in + c->pos, '\n', c->have - c->pos);
		size_t take = nl ? (size_t)(nl - (c->in + c->pos)) : c->have - c->pos;
		if (line->len + take > max) {
			*over = 1;
			size_t room = max > line->len ? max - line->len : 0;
			buf_add(line, c->in + c->pos, room);
		} else {
			buf_add(line, c->in + c->pos, take);
		}
		c->pos += take;
		if (nl) {
			c->pos++;
			if (line->len && line->s[line->len - 1] == '\r')
				line->s[--line->len] = '\0';
			return 1;
		}
	}
}

static int flush_out(struct conn *c)
{
	size_t off = 0;
	while (off < c->out.len) {
		ssize_t n = send(c->fd, c->out.s + off, c->out.len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	buf_reset(&c->out);
	return 0;
}

static int reply(struct conn *c, const char *text)
{
	buf_adds(&c->out, text);
	buf_adds(&c->out, "\r\n");
	/* with PIPELINING, answers may wait while more commands are buffered */
	if (c->pos < c->have)
		return 0;
	return flush_out(c);
}

/* "<addr>" after "FROM:" / "TO:"; writes the address (maybe "") to out.
 * -1 when there are no angle brackets. */
static int path_arg(const char *p, char *out, size_t outlen, const char **rest)
{
	while (*p == ' ')
		p++;
	if (*p != '<')
		return -1;
	const char *e = strchr(p, '>');
	if (!e || (size_t)(e - p - 1) >= outlen)
		return -1;
	size_t n = (size_t)(e - p - 1);
	for (size_t i = 0; i < n; i++)
		out[i] = (char)((p[1 + i] >= 'A' && p[1 + i] <= 'Z') ? p[1 + i] + 32 : p[1 + i]);
	out[n] = '\0';
	if (rest)
		*rest = e + 1;
	return 0;
}

/* May mail to addr come in?  Any support address (also with a +tag); or
 * anything when no support address is configured yet. */
static int rcpt_ok(struct server *s, const char *addr)
{
	struct db *db = store_reader(s->store);
	struct recipient_address ra;
	int ok = 0;
	const char *plus = strchr(addr, '+'), *at = strchr(addr, '@');
	char bare[320];
	if (plus && at && plus < at)
		snprintf(bare, sizeof(bare), "%.*s%s", (int)(plus - addr), addr, at);
	else
		snprintf(bare, sizeof(bare), "%s", addr);
	int rc = recipient_address_by_email(db, bare, &ra);
	if (rc == 0) {
		ok = 1;
		recipient_address_clear(&ra);
	} else if (rc == 1) {
		rc = recipient_address_default(db, &ra);
		if (rc == 1)
			ok = 1;
		else if (rc == 0)
			recipient_address_clear(&ra);
		else
			ok = -1;
	} else {
		ok = -1;
	}
	store_release(s->store, db);
	return ok;
}

static void session(struct conn *c)
{
	struct server *s = c->s;
	struct buf line = BUF_INIT, data = BUF_INIT;
	char domain[128], from[320], tmp[512];
	char *rcpts[LMTP_MAX_RCPT];
	int nrcpt = 0, have_from = 0, greeted = 0, over;
	email_domain(&s->cfg, domain, sizeof(domain));
	snprintf(tmp, sizeof(tmp), "220 %s LMTP Sonnim ready", domain);
	reply(c, tmp);
	while (read_line(c, &line, LMTP_MAX_LINE, &over)) {
		const char *cmd = line.s;
		if (over) {
			reply(c, "500 5.5.2 Line too long");
			continue;
		}
		if (!strncasecmp(cmd, "LHLO", 4) && (cmd[4] == ' ' || !cmd[4])) {
			snprintf(tmp, sizeof(tmp),
				 "250-%s\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
				 "250-8BITMIME\r\n250 SIZE %" PRId64,
				 domain, s->cfg.max_mail);
			greeted = 1;
			reply(c, tmp);
		} else if (!strncasecmp(cmd, "MAIL FROM:", 10)) {
			const char *rest;
			if (!greeted)
				reply(c, "503 5.5.1 Say LHLO first");
			else if (have_from)
				reply(c, "503 5.5.1 Nested MAIL command");
			else if (path_arg(cmd + 10, from, sizeof(from), &rest))
				reply(c, "501 5.1.7 Bad sender address syntax");
			else {
				const char *sz = strcasestr(rest, "SIZE=");
				int64_t n = 0;
				for (sz = sz ? sz + 5 : ""; *sz >= '0' && *sz <= '9' && n < INT64_MAX / 20;
				     sz++)
					n = n * 10 + (*sz - '0');
				if (n > s->cfg.max_mail) {
					reply(c, "552 5.3.4 Message too big");
				} else {
					have_from = 1;
					reply(c, "250 2.1.0 Ok");
				}
			}
		} else if (!strncasecmp(cmd, "RCPT TO:", 8)) {
			char to[320];
			int ok;
			if (!have_from)
				reply(c, "503 5.5.1 Need MAIL command");
			else if (nrcpt >= LMTP_MAX_RCPT)
				reply(c, "452 4.5.3 Too many recipients");
			else if (path_arg(cmd + 8, to, sizeof(to), NULL) || !strchr(to, '@'))
				reply(c, "501 5.1.3 Bad recipient address syntax");
			else if ((ok = rcpt_ok(s, to)) < 0)
				reply(c, "451 4.3.0 Temporary lookup failure");
			else if (!ok) {
				snprintf(tmp, sizeof(tmp), "550 5.1.1 <%s>: no such support address", to);
				reply(c, tmp);
			} else {
				rcpts[nrcpt++] = xstrdup(to);
				reply(c, "250 2.1.5 Ok");
			}
		} else if (!strcasecmp(cmd, "DATA")) {
			if (!nrcpt) {
				reply(c, "503 5.5.1 Need RCPT command");
				continue;
			}
			reply(c, "354 End data with <CR><LF>.<CR><LF>");
			flush_out(c);
			buf_reset(&data);
			int too_big = 0, ended = 0;
			while (read_line(c, &line, (size_t)1 << 20, &over)) {
				if (!strcmp(line.s, ".")) {
					ended = 1;
					break;
				}
				const char *p = line.s[0] == '.' ? line.s + 1 : line.s;
				size_t n = line.s[0] == '.' ? line.len - 1 : line.len;
				if (too_big || over || (int64_t)(data.len + n + 2) > s->cfg.max_mail) {
					too_big = 1;
					continue;
				}
				buf_add(&data, p, n);
				buf_add(&data, "\r\n", 2);
			}
			if (!ended)
				break;
			int64_t id = 0;
			char err[256];
			int rc = too_big ? -2
					 : email_accept(s, "lmtp", from, (const char *const *)rcpts,
							nrcpt, data.s, data.len, &id, err, sizeof(err));
			for (int i = 0; i < nrcpt; i++) {
				if (rc == 0)
					snprintf(tmp, sizeof(tmp), "250 2.0.0 <%s> Ok: queued as %" PRId64,
						 rcpts[i], id);
				else if (rc == -2)
					snprintf(tmp, sizeof(tmp), "552 5.3.4 <%s> Message too big", rcpts[i]);
				else
					snprintf(tmp, sizeof(tmp), "451 4.3.0 <%s> Try again later", rcpts[i]);
				reply(c, tmp);
			}
			if (rc && rc != -2)
				log_warn("lmtp", "message from <%s> not stored: %s", from, err);
			for (int i = 0; i < nrcpt; i++)
				free(rcpts[i]);
			nrcpt = 0;
			have_from = 0;
			buf_release(&data);
		} else if (!strcasecmp(cmd, "RSET")) {
			for (int i = 0; i < nrcpt; i++)
				free(rcpts[i]);
			nrcpt = 0;
			have_from = 0;
			reply(c, "250 2.0.0 Ok");
		} else if (!strcasecmp(cmd, "NOOP")) {
			reply(c, "250 2.0.0 Ok");
		} else if (!strncasecmp(cmd, "VRFY", 4)) {
			reply(c, "252 2.5.2 Cannot VRFY user");
		} else if (!strcasecmp(cmd, "QUIT")) {
			reply(c, "221 2.0.0 Bye");
			break;
		} else {
			reply(c, "502 5.5.2 Command not recognized");
		}
	}
	flush_out(c);
	for (int i = 0; i < nrcpt; i++)
		free(rcpts[i]);
	buf_release(&line);
	buf_release(&data);
}

void lmtp_session(struct server *s, int fd)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->fd = fd;
	buf_init(&c->out, 0);
	session(c);
	buf_release(&c->out);
	free(c);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	session(c);
	conn_track(c->fd, 0);
	close(c->fd);
	buf_release(&c->out);
	free(c);
	atomic_fetch_sub(&nconn, 1);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct server *s = arg;
	struct pollfd pf[2] = {{.fd = listen_fd, .events = POLLIN}, {.fd = stop_pipe[0], .events = POLLIN}};
	for (;;) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents)
			break;
		if (!(pf[0].revents & POLLIN))
			continue;
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		struct timeval tv = {.tv_sec = LMTP_TIMEOUT};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (atomic_fetch_add(&nconn, 1) >= LMTP_MAX_CONN) {
			static const char busy[] = "421 4.3.2 Too busy, try again later\r\n";
			(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL);
			close(fd);
			atomic_fetch_sub(&nconn, 1);
			continue;
		}
		struct conn *c = xcalloc(1, sizeof(*c));
		c->s = s;
		c->fd = fd;
		buf_init(&c->out, 0);
		conn_track(fd, 1);
		pthread_t t;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, conn_main, c)) {
			conn_track(fd, 0);
			close(fd);
			free(c);
			atomic_fetch_sub(&nconn, 1);
		}
		pthread_attr_destroy(&at);
	}
	return NULL;
}

static int open_listener(const char *spec, char *err, size_t errlen)
{
	int fd;
	if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		if (strlen(spec + 5) >= sizeof(sa.sun_path)) {
			snprintf(err, errlen, "lmtp socket path too long");
			return -1;
		}
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", spec + 5);
		snprintf(unix_path, sizeof(unix_path), "%s", spec + 5);
		unlink(sa.sun_path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
			snprintf(err, errlen, "lmtp: cannot listen on '%s': %s", spec, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		chmod(sa.sun_path, 0666);
		return fd;
	}
	char host[200];
	const char *colon = strrchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
		snprintf(err, errlen, "lmtp: '%s' is not host:port or unix:/path", spec);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai;
	if (getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai)) {
		snprintf(err, errlen, "lmtp: cannot resolve '%s'", spec);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		snprintf(err, errlen, "lmtp: cannot listen on '%s': %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int lmtp_start(struct server *s, char *err, size_t errlen)
{
	if (!s->cfg.lmtp[0] || running)
		return 0;
	if ((listen_fd = open_listener(s->cfg.lmtp, err, errlen)) < 0)
		return -1;
	if (pipe2(stop_pipe, O_CLOEXEC)) {
		snprintf(err, errlen, "lmtp: pipe: %s", strerror(errno));
		close(listen_fd);
		return -1;
	}
	if (pthread_create(&accept_thread, NULL, accept_main, s)) {
		snprintf(err, errlen, "lmtp: cannot start its thread");
		return -1;
	}
	running = 1;
	log_info("lmtp", "listening on %s", s->cfg.lmtp);
	return 0;
}

void lmtp_stop(void)
{
	if (!running)
		return;
	(void)!write(stop_pipe[1], "x", 1);
	pthread_join(accept_thread, NULL);
	close(listen_fd);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	if (unix_path[0])
		unlink(unix_path);
	/* sessions in flight: stop reading; each ends after its current step */
	pthread_mutex_lock(&conns_lock);
	for (int i = 0; i <= LMTP_MAX_CONN; i++)
		if (conns[i])
			shutdown(conns[i] - 1, SHUT_RD);
	pthread_mutex_unlock(&conns_lock);
	while (atomic_load(&nconn) > 0)
		usleep(10000);
	running = 0;
}
