/* fuzz.c - libFuzzer harness for the LMTP listener's session parser
 * (channels/email/lmtp.c): any bytes a client may send.
 *
 * One real store (SQLite in a temp directory, made on the first input) and
 * a socketpair per input: a thread writes the input into one end, closes
 * its writing side and drains the replies; the session runs on the other
 * end until it sees the end of input.  Messages it accepts go through
 * email_accept() into the store, as in the server.  Checks: no crash, no
 * sanitizer report, the session ends, every reply line the server wrote is
 * "DDD" + space or dash + text and ends in CRLF.
 */
#include "base/buf.h"
#include "base/util.h"
#include "channels/email/lmtp.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct server srv;

struct feeder {
	int fd;
	const uint8_t *data;
	size_t size;
	struct buf replies;
};

static void *feed(void *arg)
{
	struct feeder *f = arg;
	size_t off = 0;
	while (off < f->size) {
		ssize_t n = write(f->fd, f->data + off, f->size - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(f->fd, SHUT_WR);
	char b[4096];
	ssize_t n;
	while ((n = read(f->fd, b, sizeof(b))) > 0)
		buf_add(&f->replies, b, (size_t)n);
	return NULL;
}

static char dir[] = "/tmp/sonnim-fuzz-lmtp-XXXXXX";

static void cleanup(void)
{
	char cmd[64];
	store_close(srv.store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "lmtp fuzz: could not remove %s\n", dir);
}

static void init(void)
{
	char err[256];
	if (config_load(&srv.cfg, NULL, 0, err, sizeof(err)))
		abort();
	if (!mkdtemp(dir))
		abort();
	snprintf(srv.cfg.data_dir, sizeof(srv.cfg.data_dir), "%s", dir);
	snprintf(srv.cfg.database, sizeof(srv.cfg.database), "sqlite:%s/fuzz.db", dir);
	srv.cfg.durable = 0;
	srv.cfg.max_mail = 1 << 16;
	srv.store = store_open(srv.cfg.database, 0, 1, err, sizeof(err));
	if (!srv.store)
		abort();
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!srv.store)
		init();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		abort();
	struct feeder f = {.fd = sv[0], .data = data, .size = size, .replies = BUF_INIT};
	pthread_t t;
	if (pthread_create(&t, NULL, feed, &f))
		abort();
	lmtp_session(&srv, sv[1]);
	close(sv[1]);
	pthread_join(t, NULL);
	close(sv[0]);
	/* every reply line: three digits, ' ' or '-', text, CRLF */
	const char *p = f.replies.s, *end = p + f.replies.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl || nl - p < 5 || nl[-1] != '\r')
			abort();
		if (p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
		    (p[3] != ' ' && p[3] != '-'))
			abort();
		p = nl + 1;
	}
	buf_release(&f.replies);
	return 0;
}
