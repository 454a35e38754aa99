/* test_transport.c - smtp_send() and imap_poll() against a real Postfix and
 * Dovecot (tests/mail/servers.sh; tests/mail/run.sh starts them and passes
 * their env: SMTP_PORT, IMAP_PORT, DOVECOT_CONF, MAIL_DIR, MAIL_CA_FILE).
 *
 * Mail goes in through Postfix (smtp_send) and is read back from Dovecot
 * (imap_poll) for users of customer.test, each test with users of its own
 * so the tests do not see each other's mail.  The callback plays the
 * caller that stores a message and its imap_state in one transaction:
 * `struct desk` is that store, `saved` is the state it persisted, and a
 * "restart" is a poll that starts from `saved` again.  Delivery through
 * Postfix takes a moment, so waits poll (every 100 ms, 30 s at most)
 * rather than sleep.  The last tests talk to `struct fake`, a scripted IMAP
 * server on a thread, to see what a hostile server's answers do. */
#include "base/buf.h"
#include "channels/email/imap.h"
#include "channels/email/smtp.h"
#include "testutil.h"
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 30000
#define MAX_KEPT 64

static const char *env(const char *name)
{
	const char *v = getenv(name);
	if (!v || !v[0]) {
		print_error("%s is not set: run tests/mail/run.sh (it starts the servers)\n", name);
		fail();
	}
	return v;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- sending ----------------------------------------------------------- */

static char smtp_url[128];

static struct smtp_target target(void)
{
	snprintf(smtp_url, sizeof(smtp_url), "smtp://127.0.0.1:%s", env("SMTP_PORT"));
	struct smtp_target t = {.url = smtp_url, .timeout_ms = 10000};
	return t;
}

/* A message to `to` with subject; body may be NULL.  Lines end in LF. */
static char *message(const char *to, const char *subject, const char *body)
{
	static int seq;
	struct buf b = BUF_INIT;
	buf_addf(&b,
		 "From: Sonnim Test <desk@support.test>\n"
		 "To: <%s>\n"
		 "Subject: %s\n"
		 "Date: Mon, 23 Nov 2026 07:34:35 +0900\n"
		 "Message-ID: <t%d.%ld@sonnim.test>\n"
		 "MIME-Version: 1.0\n"
		 "Content-Type: text/plain; charset=utf-8\n"
		 "\n"
		 "%s\n",
		 to, subject, ++seq, (long)getpid(), body ? body : "hello");
	return buf_detach(&b);
}

static void send_to(const char *to, const char *subject)
{
	char err[512];
	struct smtp_target t = target();
	char *m = message(to, subject, NULL);
	const char *rcpt[] = {to};
	int rc = smtp_send(&t, "desk@support.test", rcpt, 1, m, strlen(m), err, sizeof(err));
	if (rc)
		print_error("smtp_send to %s: %d %s\n", to, rc, err);
	assert_int_equal(rc, 0);
	free(m);
}

/* A port nothing listens on (bound, then closed again). */
static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* ---- receiving --------------------------------------------------------- */

/* What the caller keeps: the messages it took and the state it persisted
 * with each one. */
struct desk {
	struct imap_state saved;
	int refuse_at; /* the callback fails on this call (1-based); 0 never */
	int calls;
	int n; /* messages taken */
	int64_t uid[MAX_KEPT];
	char *subject[MAX_KEPT];
	char *raw[MAX_KEPT]; /* the first MAX_KEPT messages, whole */
	size_t len[MAX_KEPT];
	int nbig; /* oversized ones (raw NULL) */
	size_t big_len;
};

static void desk_clear(struct desk *d)
{
	for (int i = 0; i < d->n && i < MAX_KEPT; i++) {
		free(d->subject[i]);
		free(d->raw[i]);
	}
	memset(d, 0, sizeof(*d));
}

static char *header(const char *raw, size_t len, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = raw; p && p < raw + len;) {
		if ((size_t)(raw + len - p) > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			size_t n = strcspn(v, "\r\n");
			return strndup(v, n);
		}
		if (*p == '\r' || *p == '\n')
			break; /* end of the header */
		p = memchr(p, '\n', (size_t)(raw + len - p));
		if (p)
			p++;
	}
	return strdup("");
}

static int take(void *arg, int64_t uidvalidity, int64_t uid, const char *raw, size_t len)
{
	struct desk *d = arg;
	d->calls++;
	if (d->refuse_at && d->calls == d->refuse_at)
		return 1;
	assert_true(uid > 0);
	/* exactly once, in order: UIDs only grow within one UIDVALIDITY */
	if (uidvalidity == d->saved.uidvalidity)
		assert_true(uid > d->saved.last_uid);
	if (!raw) {
		d->nbig++;
		d->big_len = len;
	} else if (d->n < MAX_KEPT) {
		d->uid[d->n] = uid;
		d->subject[d->n] = header(raw, len, "Subject");
		d->raw[d->n] = malloc(len + 1);
		memcpy(d->raw[d->n], raw, len);
		d->raw[d->n][len] = '\0';
		d->len[d->n] = len;
	}
	d->n++;
	/* "commit": the message and the state together */
	d->saved.uidvalidity = uidvalidity;
	d->saved.last_uid = uid;
	return 0;
}

static char imap_url[256];

static struct imap_account account(const char *user, const char *folder)
{
	snprintf(imap_url, sizeof(imap_url), "imap://127.0.0.1:%s/%s", env("IMAP_PORT"),
		 folder ? folder : "INBOX");
	struct imap_account a = {
	    .url = imap_url, .user = user, .password = "pass", .timeout_ms = 10000};
	return a;
}

/* One poll from the persisted state (a "restart" each time); returns
 * imap_poll's result. */
static int poll_desk(const struct imap_account *a, struct desk *d, int max)
{
	char err[512];
	struct imap_state st = d->saved;
	int n = imap_poll(a, &st, max, take, d, err, sizeof(err));
	if (n < 0)
		print_error("imap_poll %s as %s: %s\n", a->url, a->user, err);
	assert_true(n >= 0);
	/* what imap_poll says it did is what the callback persisted */
	if (n > 0)
		assert_memory_equal(&st, &d->saved, sizeof(st));
	return n;
}

/* How many messages user's folder holds (a poll from scratch that keeps
 * nothing), waiting until there are at least want (WAIT_MS at most). */
static int wait_count(const char *user, const char *folder, int want)
{
	struct imap_account a = account(user, folder);
	long end = now_ms() + WAIT_MS;
	for (;;) {
		struct desk d = {0};
		char err[512];
		struct imap_state st = {0, 0};
		int n = imap_poll(&a, &st, 0, take, &d, err, sizeof(err));
		desk_clear(&d);
		if (n < 0)
			print_error("imap_poll: %s\n", err);
		assert_true(n >= 0);
		if (n >= want || now_ms() > end)
			return n;
		sleep_ms(100);
	}
}

static void doveadm(const char *fmt, const char *user, const char *folder)
{
	struct buf cmd = BUF_INIT;
	buf_addf(&cmd, "doveadm -c '%s' ", env("DOVECOT_CONF"));
	buf_addf(&cmd, fmt, user, folder);
	int rc = system(cmd.s);
	if (rc)
		print_error("'%s' failed: %d\n", cmd.s, rc);
	assert_int_equal(rc, 0);
	buf_release(&cmd);
}

/* ---- the tests --------------------------------------------------------- */

/* A message sent through Postfix comes out of alice's INBOX whole: the
 * headers as sent (8-bit UTF-8 too), LF made CRLF, lines of dots intact;
 * a second poll from the saved state finds nothing; no flag is set. */
static void test_send_then_poll(void **state)
{
	const char *user = "alice@customer.test";
	const char *body = "first line\n.\n..\n.leading dot\nlast line";
	char err[512];
	struct smtp_target t = target();
	char *m = message(user, "배송 문의 (delivery)", body);
	const char *rcpt[] = {user};
	int rc = smtp_send(&t, "desk@support.test", rcpt, 1, m, strlen(m), err, sizeof(err));
	if (rc)
		print_error("smtp_send: %s\n", err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	free(m);

	assert_int_equal(wait_count(user, NULL, 1), 1);
	struct imap_account a = account(user, NULL);
	struct desk d = {0};
	assert_int_equal(poll_desk(&a, &d, 10), 1);
	assert_int_equal(d.n, 1);
	assert_true(d.saved.uidvalidity > 0);
	assert_int_equal(d.saved.last_uid, d.uid[0]);
	assert_string_equal(d.subject[0], "배송 문의 (delivery)");
	const char *raw = d.raw[0];
	assert_non_null(strstr(raw, "\r\nFrom: Sonnim Test <desk@support.test>\r\n"));
	assert_non_null(strstr(raw, "\r\nTo: <alice@customer.test>\r\n"));
	assert_non_null(strstr(raw, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(raw, "\r\nMessage-ID: <t"));
	assert_non_null(strstr(raw, "Return-Path: <desk@support.test>"));
	assert_non_null(
	    strstr(raw, "\r\n\r\nfirst line\r\n.\r\n..\r\n.leading dot\r\nlast line\r\n"));
	assert_null(strstr(raw, "\n\n"));

	/* nothing new from the saved state */
	struct imap_state before = d.saved;
	assert_int_equal(poll_desk(&a, &d, 10), 0);
	assert_int_equal(d.n, 1);
	assert_memory_equal(&before, &d.saved, sizeof(before));

	/* EXAMINE + BODY[]: the message is still unseen */
	struct buf cmd = BUF_INIT;
	buf_addf(&cmd, "doveadm -c '%s' fetch -u %s flags mailbox INBOX all", env("DOVECOT_CONF"),
		 user);
	FILE *f = popen(cmd.s, "r");
	assert_non_null(f);
	char line[256];
	int lines = 0;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		assert_null(strstr(line, "\\Seen"));
	}
	assert_int_equal(pclose(f), 0);
	assert_true(lines > 0);
	buf_release(&cmd);
	desk_clear(&d);
}

/* Five messages, polled two at a time with a restart (state reloaded from
 * what the callback persisted) between polls: each exactly once, in the
 * folder's order. */
static void test_batches_across_restarts(void **state)
{
	const char *user = "batch@customer.test";
	char subject[32];
	for (int i = 1; i <= 5; i++) {
		snprintf(subject, sizeof(subject), "batch %d", i);
		send_to(user, subject);
	}
	assert_int_equal(wait_count(user, NULL, 5), 5);

	/* the folder's order, read once from scratch */
	struct imap_account a = account(user, NULL);
	struct desk all = {0};
	assert_int_equal(poll_desk(&a, &all, 0), 5);

	struct desk d = {0};
	assert_int_equal(poll_desk(&a, &d, 2), 2);
	assert_int_equal(d.saved.last_uid, d.uid[1]);
	assert_int_equal(poll_desk(&a, &d, 2), 2);
	assert_int_equal(poll_desk(&a, &d, 2), 1);
	assert_int_equal(poll_desk(&a, &d, 2), 0);
	assert_int_equal(d.n, 5);
	int seen[6] = {0};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(d.uid[i], all.uid[i]);
		assert_string_equal(d.subject[i], all.subject[i]);
		int k = 0;
		assert_int_equal(sscanf(d.subject[i], "batch %d", &k), 1);
		assert_true(k >= 1 && k <= 5);
		seen[k]++;
		if (i)
			assert_true(d.uid[i] > d.uid[i - 1]);
	}
	for (int k = 1; k <= 5; k++)
		assert_int_equal(seen[k], 1);
	desk_clear(&all);
	desk_clear(&d);
}

/* A callback that fails stops the poll there; the message comes again. */
static void test_callback_failure_stops(void **state)
{
	const char *user = "stop@customer.test";
	send_to(user, "stop 1");
	send_to(user, "stop 2");
	send_to(user, "stop 3");
	assert_int_equal(wait_count(user, NULL, 3), 3);
	struct imap_account a = account(user, NULL);

	struct desk d = {.refuse_at = 2};
	assert_int_equal(poll_desk(&a, &d, 0), 1);
	assert_int_equal(d.calls, 2);
	assert_int_equal(d.n, 1);
	int64_t first = d.uid[0];
	assert_int_equal(d.saved.last_uid, first);

	/* refusing the very first: nothing taken, the state stays */
	struct imap_state before = d.saved;
	d.refuse_at = d.calls + 1;
	char err[512];
	struct imap_state st = d.saved;
	assert_int_equal(imap_poll(&a, &st, 0, take, &d, err, sizeof(err)), 0);
	assert_memory_equal(&st, &before, sizeof(st));
	assert_memory_equal(&d.saved, &before, sizeof(st));

	d.refuse_at = 0;
	assert_int_equal(poll_desk(&a, &d, 0), 2);
	assert_int_equal(d.n, 3);
	assert_true(d.uid[1] > first && d.uid[2] > d.uid[1]);
	assert_int_equal(poll_desk(&a, &d, 0), 0);
	desk_clear(&d);
}

/* The folder is deleted and made again: a new UIDVALIDITY, and the poll
 * starts over from UID 0 (the new message has a UID below the old state). */
static void test_uidvalidity_change(void **state)
{
	const char *user = "uv@customer.test";
	doveadm("mailbox create -u %s %s", user, "Support");
	send_to("uv+Support@customer.test", "old 1");
	send_to("uv+Support@customer.test", "old 2");
	assert_int_equal(wait_count(user, "Support", 2), 2);
	struct imap_account a = account(user, "Support");
	struct desk d = {0};
	assert_int_equal(poll_desk(&a, &d, 0), 2);
	struct imap_state old = d.saved;
	assert_true(old.last_uid >= 2);

	doveadm("mailbox delete -u %s %s", user, "Support");
	doveadm("mailbox create -u %s %s", user, "Support");
	send_to("uv+Support@customer.test", "new 1");
	assert_int_equal(wait_count(user, "Support", 1), 1);

	assert_int_equal(poll_desk(&a, &d, 0), 1);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.subject[2], "new 1");
	assert_true(d.saved.uidvalidity != old.uidvalidity);
	assert_true(d.saved.last_uid < old.last_uid);
	assert_int_equal(poll_desk(&a, &d, 0), 0);
	desk_clear(&d);
}

/* Relaying elsewhere is refused (5xx): permanent; some recipients refused
 * but one accepted: sent, with the refusal in err. */
static void test_permanent_failure(void **state)
{
	char err[512];
	struct smtp_target t = target();
	char *m = message("x@example.net", "nowhere", NULL);
	const char *out[] = {"x@example.net"};
	int rc = smtp_send(&t, "desk@support.test", out, 1, m, strlen(m), err, sizeof(err));
	if (rc != -2)
		print_error("smtp_send: %d %s\n", rc, err);
	assert_int_equal(rc, -2);
	assert_non_null(strstr(err, "554"));
	assert_non_null(strstr(err, "Relay access denied"));
	assert_non_null(strstr(err, "x@example.net"));

	const char *mixed[] = {"x@example.net", "mixed@customer.test", "y@example.org"};
	assert_int_equal(
	    smtp_send(&t, "desk@support.test", mixed, 3, m, strlen(m), err, sizeof(err)), 0);
	assert_non_null(strstr(err, "x@example.net"));
	assert_non_null(strstr(err, "y@example.org"));
	assert_int_equal(wait_count("mixed@customer.test", NULL, 1), 1);

	/* arguments that cannot be sent are permanent too, without a server */
	const char *bad[] = {"a@customer.test>\r\nRCPT TO:<b@customer.test"};
	assert_int_equal(smtp_send(&t, "desk@support.test", bad, 1, m, strlen(m), err, sizeof(err)),
			 -2);
	assert_int_equal(smtp_send(&t, "desk@support.test", bad, 0, m, strlen(m), err, sizeof(err)),
			 -2);
	free(m);
}

/* Nothing listening: temporary for SMTP, an error for IMAP. */
static void test_temporary_failure(void **state)
{
	char err[512], url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", closed_port());
	struct smtp_target t = {.url = url, .timeout_ms = 5000};
	char *m = message("alice@customer.test", "never", NULL);
	const char *rcpt[] = {"alice@customer.test"};
	assert_int_equal(
	    smtp_send(&t, "desk@support.test", rcpt, 1, m, strlen(m), err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	free(m);

	snprintf(url, sizeof(url), "imap://127.0.0.1:%d/INBOX", closed_port());
	struct imap_account a = {.url = url, .user = "alice@customer.test", .password = "pass"};
	struct imap_state st = {0, 0};
	struct desk d = {0};
	assert_int_equal(imap_poll(&a, &st, 0, take, &d, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_int_equal(d.calls, 0);

	/* a wrong password: -1, and err says the server refused */
	struct imap_account bad = account("alice@customer.test", NULL);
	bad.password = "wrong";
	assert_int_equal(imap_poll(&bad, &st, 0, take, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "AUTHENTICATIONFAILED"));
	assert_null(strstr(err, "wrong"));
	/* a folder that does not exist */
	struct imap_account nobox = account("alice@customer.test", "NoSuchFolder");
	assert_int_equal(imap_poll(&nobox, &st, 0, take, &d, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_int_equal(d.calls, 0);
}

/* AUTH: a good login sends; a refused one is temporary (the account is
 * wrong, not the message) and err quotes the server, not the password. */
static void test_smtp_auth(void **state)
{
	char err[512];
	struct smtp_target t = target();
	t.user = "auth@customer.test";
	t.password = "pass";
	char *m = message("auth@customer.test", "with auth", NULL);
	const char *rcpt[] = {"auth@customer.test"};
	int rc = smtp_send(&t, "desk@support.test", rcpt, 1, m, strlen(m), err, sizeof(err));
	if (rc)
		print_error("smtp_send with AUTH: %s\n", err);
	assert_int_equal(rc, 0);
	t.password = "wrong-secret";
	assert_int_equal(
	    smtp_send(&t, "desk@support.test", rcpt, 1, m, strlen(m), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "535"));
	assert_null(strstr(err, "wrong-secret"));
	free(m);
	assert_int_equal(wait_count("auth@customer.test", NULL, 1), 1);
}

/* The null sender <> (bounces, auto-replies) goes through. */
static void test_null_sender(void **state)
{
	char err[512];
	struct smtp_target t = target();
	char *m = message("null@customer.test", "from nobody", NULL);
	const char *rcpt[] = {"null@customer.test"};
	assert_int_equal(smtp_send(&t, "", rcpt, 1, m, strlen(m), err, sizeof(err)), 0);
	free(m);
	assert_int_equal(wait_count("null@customer.test", NULL, 1), 1);
	struct imap_account a = account("null@customer.test", NULL);
	struct desk d = {0};
	assert_int_equal(poll_desk(&a, &d, 0), 1);
	assert_non_null(strstr(d.raw[0], "Return-Path: <>"));
	desk_clear(&d);
}

/* STARTTLS required: works with the servers' certificate trusted, fails
 * (temporarily) when it is not. */
static void test_starttls(void **state)
{
	char err[512];
	struct smtp_target t = target();
	t.starttls = 2;
	t.ca_file = env("MAIL_CA_FILE");
	char *m = message("tls@customer.test", "over tls", NULL);
	const char *rcpt[] = {"tls@customer.test"};
	int rc = smtp_send(&t, "desk@support.test", rcpt, 1, m, strlen(m), err, sizeof(err));
	if (rc)
		print_error("smtp_send over STARTTLS: %s\n", err);
	assert_int_equal(rc, 0);
	t.ca_file = NULL;
	assert_int_equal(
	    smtp_send(&t, "desk@support.test", rcpt, 1, m, strlen(m), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "certificate"));
	free(m);

	assert_int_equal(wait_count("tls@customer.test", NULL, 1), 1);
	struct imap_account a = account("tls@customer.test", NULL);
	a.starttls = 2;
	a.ca_file = env("MAIL_CA_FILE");
	struct desk d = {0};
	assert_int_equal(poll_desk(&a, &d, 0), 1);
	assert_string_equal(d.subject[0], "over tls");
	a.ca_file = NULL;
	struct imap_state st = {0, 0};
	assert_int_equal(imap_poll(&a, &st, 0, take, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "certificate"));
	desk_clear(&d);
}

/* A message over IMAP_MAX_MESSAGE is not downloaded: the callback gets
 * raw NULL and its size, and the poll goes on with the next one. */
static void test_oversized_message(void **state)
{
	const char *user = "big@customer.test";
	struct buf cmd = BUF_INIT;
	buf_addf(&cmd, "doveadm -c '%s' save -u %s", env("DOVECOT_CONF"), user);
	FILE *f = popen(cmd.s, "w");
	assert_non_null(f);
	fputs("From: <x@example.net>\nSubject: big\n\n", f);
	static char line[1001];
	memset(line, 'a', 1000);
	line[1000] = '\n';
	size_t total = 0;
	while (total <= IMAP_MAX_MESSAGE) {
		assert_int_equal(fwrite(line, 1, sizeof(line), f), sizeof(line));
		total += sizeof(line);
	}
	assert_int_equal(pclose(f), 0);
	buf_release(&cmd);
	send_to(user, "small after big");
	assert_int_equal(wait_count(user, NULL, 2), 2);

	struct imap_account a = account(user, NULL);
	struct desk d = {0};
	assert_int_equal(poll_desk(&a, &d, 0), 2);
	assert_int_equal(d.nbig, 1);
	assert_true(d.big_len > IMAP_MAX_MESSAGE);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.subject[1], "small after big");
	desk_clear(&d);
}

/* A folder of more messages than one search window: the oldest new ones
 * come first whatever the state, found by windowed searches. */
static void test_many_messages(void **state)
{
	enum { N = 12000 };
	char path[512];
	const char *dir = env("MAIL_DIR");
	struct stat sb;
	snprintf(path, sizeof(path), "%s/mail", dir);
	assert_int_equal(stat(path, &sb), 0); /* its owner is the mail user */
	const char *dirs[] = {"customer.test", "customer.test/many", "customer.test/many/new",
			      "customer.test/many/cur", "customer.test/many/tmp"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/mail/%s", dir, dirs[i]);
		mkdir(path, 0700);
		assert_int_equal(chown(path, sb.st_uid, sb.st_gid), 0);
	}
	/* cur/ files with names that sort in order: Dovecot numbers them so */
	for (int i = 1; i <= N; i++) {
		snprintf(path, sizeof(path), "%s/mail/customer.test/many/cur/%010d.M1P1.test:2,",
			 dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		char m[128];
		int n = snprintf(m, sizeof(m), "Subject: many %d\n\nbody\n", i);
		assert_int_equal(write(fd, m, (size_t)n), n);
		assert_int_equal(fchown(fd, sb.st_uid, sb.st_gid), 0);
		close(fd);
	}
	struct imap_account a = account("many@customer.test", NULL);
	struct desk d = {0};
	/* from scratch: UIDs 1.. (the last window is full, so a binary search) */
	assert_int_equal(poll_desk(&a, &d, 3), 3);
	assert_int_equal(d.uid[0], 1);
	assert_int_equal(d.uid[2], 3);
	/* below the last window (binary search again), then inside it */
	d.saved.last_uid = 1000;
	assert_int_equal(poll_desk(&a, &d, 2), 2);
	assert_int_equal(d.uid[3], 1001);
	assert_int_equal(d.uid[4], 1002);
	d.saved.last_uid = 5000;
	assert_int_equal(poll_desk(&a, &d, 1), 1);
	assert_int_equal(d.uid[5], 5001);
	/* near the end: all that is left */
	d.saved.last_uid = N - 3;
	assert_int_equal(poll_desk(&a, &d, 0), 3);
	assert_int_equal(d.uid[8], N);
	assert_int_equal(poll_desk(&a, &d, 0), 0);
	/* every message's own subject came with it */
	char want[32];
	snprintf(want, sizeof(want), "many %d", N);
	assert_string_equal(d.subject[8], want);
	desk_clear(&d);
}

/* ---- a hostile IMAP server ---------------------------------------------- */

/* One scripted IMAP server on a thread: CAPABILITY, LOGIN, SELECT and
 * LOGOUT answered plainly; EXAMINE and UID SEARCH with the untagged lines
 * given (each ending CRLF); UID FETCH n with a message "Subject: m<n>",
 * or a literal of `big` bytes announced when big is set (nothing follows:
 * the client must give up at once). */
struct fake {
	const char *examine; /* untagged lines answering EXAMINE */
	const char *search;  /* untagged lines answering UID SEARCH */
	long big;	     /* announce a literal this large; 0 = a real message */
	long gone;	     /* UID FETCH of this UID finds nothing (expunged) */
	int fd, port;
	int connections; /* sessions served */
	pthread_t thread;
};

static void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int fd, const char *fmt, ...)
{
	char out[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!send(fd, out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1,
			    MSG_NOSIGNAL);
}

static void fake_session(struct fake *f, int fd)
{
	char line[1024];
	size_t n = 0;
	say(fd, "* OK fake ready\r\n");
	for (;;) {
		char ch;
		if (recv(fd, &ch, 1, 0) != 1)
			return;
		if (ch != '\n') {
			if (n + 1 < sizeof(line))
				line[n++] = ch;
			continue;
		}
		if (n && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		n = 0;
		char tag[32], cmd[64];
		if (sscanf(line, "%31s %63s", tag, cmd) != 2)
			continue;
		const char *rest = line + strlen(tag) + 1;
		if (!strcasecmp(cmd, "CAPABILITY")) {
			say(fd, "* CAPABILITY IMAP4rev1\r\n%s OK done\r\n", tag);
		} else if (!strcasecmp(cmd, "LOGIN")) {
			say(fd, "%s OK logged in\r\n", tag);
		} else if (!strcasecmp(cmd, "SELECT")) {
			say(fd,
			    "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n%s OK [READ-WRITE] done\r\n",
			    tag);
		} else if (!strcasecmp(cmd, "EXAMINE")) {
			say(fd, "%s%s OK [READ-ONLY] done\r\n", f->examine, tag);
		} else if (!strncasecmp(rest, "UID SEARCH", 10)) {
			say(fd, "%s%s OK done\r\n", f->search, tag);
		} else if (!strncasecmp(rest, "UID FETCH", 9)) {
			long uid = strtol(rest + 10, NULL, 10);
			if (uid == f->gone) {
				say(fd, "%s OK nothing\r\n", tag);
				continue;
			}
			if (f->big) {
				say(fd, "* 1 FETCH (UID %ld BODY[] {%ld}\r\nSubject: ", uid,
				    f->big);
				continue;
			}
			char m[64];
			int ml = snprintf(m, sizeof(m), "Subject: m%ld\r\n\r\nbody\r\n", uid);
			say(fd, "* 1 FETCH (UID %ld BODY[] {%d}\r\n%s)\r\n%s OK done\r\n", uid, ml,
			    m, tag);
		} else if (!strcasecmp(cmd, "LOGOUT")) {
			say(fd, "* BYE bye\r\n%s OK done\r\n", tag);
			return;
		} else {
			say(fd, "%s BAD what\r\n", tag);
		}
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	for (;;) {
		int fd = accept(f->fd, NULL, NULL);
		if (fd < 0)
			return NULL; /* shut down */
		f->connections++;
		fake_session(f, fd);
		close(fd);
	}
}

static void fake_start(struct fake *f)
{
	f->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->fd, 4), 0);
	socklen_t sl = sizeof(sa);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&sa, &sl), 0);
	f->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->fd);
}

/* Poll the fake server from state st; imap_poll's result, err in err. */
static int fake_poll(struct fake *f, struct desk *d, struct imap_state *st, char *err)
{
	char url[64];
	fake_start(f);
	snprintf(url, sizeof(url), "imap://127.0.0.1:%d/INBOX", f->port);
	struct imap_account a = {.url = url, .user = "u", .password = "p", .timeout_ms = 5000};
	int n = imap_poll(&a, st, 0, take, d, err, 512);
	fake_stop(f);
	return n;
}

#define EXAMINE_OK "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n"

/* Answers that break the protocol or a limit end the poll with -1 and
 * nothing taken; odd but valid ones are put in order. */
static void test_hostile_server(void **state)
{
	char err[512];
	struct imap_state st;
	struct desk d = {0};
	static const struct {
		const char *examine, *search, *want;
	} bad[] = {
	    {"* 3 EXISTS\r\n", "", "UIDVALIDITY"},
	    {"* OK [UIDVALIDITY 7] x\r\n", "", "EXISTS"},
	    {"* 3 EXISTS\r\n* OK [UIDVALIDITY 99999999999] x\r\n", "", "UIDVALIDITY"},
	    {"* 3 EXISTS\r\n* OK [UIDVALIDITY 7x] x\r\n", "", "UIDVALIDITY"},
	    {EXAMINE_OK, "* SEARCH 1 2 x\r\n", "malformed SEARCH"},
	    {EXAMINE_OK, "* SEARCH 1 0\r\n", "malformed SEARCH"},
	    {EXAMINE_OK, "* SEARCH 1 4294967296\r\n", "malformed SEARCH"},
	    {EXAMINE_OK, "* SEARCH 1 2 3 4\r\n", "more SEARCH results"},
	    {EXAMINE_OK, "* SEARCH 1\r\n* 2 EXPUNGE\r\n", "keeps changing"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fake f = {.examine = bad[i].examine, .search = bad[i].search};
		st = (struct imap_state){0, 0};
		int n = fake_poll(&f, &d, &st, err);
		if (n != -1 || !strstr(err, bad[i].want))
			print_error("case %zu: %d '%s'\n", i, n, err);
		assert_int_equal(n, -1);
		assert_non_null(strstr(err, bad[i].want));
		assert_int_equal(d.calls, 0);
	}

	/* out of order, and one at or below the state: 2, 3 in order */
	struct fake f = {.examine = EXAMINE_OK, .search = "* SEARCH 3 1 2\r\n"};
	st = (struct imap_state){7, 1};
	d.saved = st;
	assert_int_equal(fake_poll(&f, &d, &st, err), 2);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.uid[0], 2);
	assert_int_equal(d.uid[1], 3);
	assert_string_equal(d.subject[1], "m3");
	desk_clear(&d);

	/* a message expunged between SEARCH and FETCH is passed over */
	struct fake gone = {.examine = EXAMINE_OK, .search = "* SEARCH 1 2 3\r\n", .gone = 2};
	st = (struct imap_state){7, 0};
	d.saved = st;
	assert_int_equal(fake_poll(&gone, &d, &st, err), 2);
	assert_int_equal(d.uid[0], 1);
	assert_int_equal(d.uid[1], 3);
	assert_int_equal(st.last_uid, 3);
	desk_clear(&d);

	/* an announced literal over IMAP_MAX_MESSAGE: not read, raw NULL */
	struct fake big = {.examine = EXAMINE_OK, .search = "* SEARCH 1\r\n", .big = 60000000};
	st = (struct imap_state){7, 0};
	d.saved = st;
	assert_int_equal(fake_poll(&big, &d, &st, err), 1);
	assert_int_equal(d.nbig, 1);
	assert_int_equal(d.big_len, 60000000);
	assert_int_equal(st.last_uid, 1);
	desk_clear(&d);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_send_then_poll),
	    cmocka_unit_test(test_batches_across_restarts),
	    cmocka_unit_test(test_callback_failure_stops),
	    cmocka_unit_test(test_uidvalidity_change),
	    cmocka_unit_test(test_permanent_failure),
	    cmocka_unit_test(test_temporary_failure),
	    cmocka_unit_test(test_smtp_auth),
	    cmocka_unit_test(test_null_sender),
	    cmocka_unit_test(test_starttls),
	    cmocka_unit_test(test_oversized_message),
	    cmocka_unit_test(test_many_messages),
	    cmocka_unit_test(test_hostile_server),
	};
	int rc = cmocka_run_group_tests_name("mail/transport", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
