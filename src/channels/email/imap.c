/* imap.c - new messages out of one IMAP folder with libcurl; see imap.h.
 *
 * imap_poll() runs one curl easy handle (so one connection, logged in
 * once) through four steps:
 *
 *   1. EXAMINE.  The URL names the folder, so libcurl logs in and SELECTs
 *      it (and from then on believes it selected); our custom "EXAMINE
 *      folder" right after re-opens it read-only and its untagged replies
 *      come to us: UIDVALIDITY and EXISTS.  A new UIDVALIDITY resets the
 *      state to {uidvalidity, 0}.
 *   2. Find the new UIDs.  "UID SEARCH UID n+1:*" would answer with one
 *      line holding every new UID, and libcurl keeps only the first 40
 *      bytes of a line longer than half its buffer, silently, which on a
 *      big first import would scramble UIDs.  So every search is limited
 *      to a window of at most IMAP_SEARCH_WINDOW sequence numbers
 *      ("UID SEARCH a:b UID n+1:*"), whose answer fits in the 512 KB
 *      buffer set here.  As UIDs ascend with sequence numbers, the new
 *      messages are a tail of the folder: the last window usually holds
 *      all of them (one round trip); when it is full, a binary search for
 *      the first new sequence number (log2(EXISTS) one-message searches)
 *      and a window from there give the oldest new ones.  An EXPUNGE
 *      reported meanwhile renumbers the folder, so the search starts
 *      over (at most IMAP_MAX_RESTARTS times).
 *   3. Fetch each found UID in ascending order with libcurl's own FETCH
 *      (URL ".../folder;UIDVALIDITY=v/;UID=u": libcurl checks the
 *      UIDVALIDITY if it has to select again, and parses the literal).
 *      The folder is still open read-only, so BODY[] sets no \Seen.  A
 *      message whose announced size is over IMAP_MAX_MESSAGE is refused
 *      at its first byte (nothing of it is kept; fn gets raw NULL); as
 *      libcurl then drops the connection, step 1 runs again before the
 *      next message.
 *   4. Call fn, advance st->last_uid when it returns 0, stop when not.
 *
 * The answers to our custom commands come through on_write() line by
 * line; parse_line() reads the few untagged responses it needs (EXISTS,
 * EXPUNGE, OK [UIDVALIDITY], SEARCH) with numbers checked against the
 * 32-bit range IMAP allows, and every response is capped
 * (IMAP_MAX_RESPONSE, IMAP_MAX_LINE, at most one UID per message in the
 * window), so a hostile server costs at most those bytes.  The debug
 * callback keeps the server's first refusal (NO, BAD, BYE) for err, as
 * libcurl does not report it; commands sent are never looked at, so
 * credentials never reach err.
 *
 * Cost per poll without new mail: login, SELECT, EXAMINE, one SEARCH.
 * Memory: one message (at most IMAP_MAX_MESSAGE) and one window of UIDs.
 */
#include "channels/email/imap.h"
#include "base/buf.h"
#include "base/util.h"
#include <assert.h>
#include <ctype.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMAP_SEARCH_WINDOW 10000	     /* sequence numbers per UID SEARCH */
#define IMAP_BUFFER (512L * 1024)	     /* libcurl's receive buffer */
#define IMAP_MAX_LINE (256u * 1024)	     /* longest response line accepted */
#define IMAP_MAX_RESPONSE (8u * 1024 * 1024) /* bytes of untagged replies per command */
#define IMAP_MAX_RESTARTS 3		     /* searches started over after EXPUNGEs */
#define UID_MAX 4294967295LL		     /* UIDs are 32-bit */
#define REFUSAL_MAX 200			     /* bytes of the server's NO/BAD/BYE kept */

struct conn {
	CURL *h;
	char errbuf[CURL_ERROR_SIZE];
	char *prefix;		   /* "imap://host:port/" as given (owned) */
	char *box;		   /* the folder, URL-encoded as given (owned) */
	char *examine;		   /* "EXAMINE \"folder\"" (owned) */
	char place[300];	   /* "host:port" for err (no user, no password) */
	char refusal[REFUSAL_MAX]; /* the server's first NO/BAD/BYE, tag removed */

	/* reading the answer to a custom command */
	int fetching;	       /* on_write() collects a message, not lines */
	struct buf line;       /* the response line being read */
	size_t got;	       /* bytes of this command's answer so far */
	const char *bad;       /* set by the parser: why the answer is refused */
	int64_t uidvalidity;   /* from OK [UIDVALIDITY n]; 0 = none seen */
	int64_t exists;	       /* from n EXISTS; -1 = none seen */
	int expunged;	       /* an EXPUNGE came since the flag was cleared */
	int64_t *uids;	       /* SEARCH results */
	size_t nuids, maxuids; /* how many; how many the window allows */

	/* reading a message */
	struct buf msg;	  /* the message (max IMAP_MAX_MESSAGE) */
	int too_big;	  /* on_write() refused it for its size */
	int64_t declared; /* the size the server announced, when known */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- parsing the untagged responses ---------------------------------- */

/* A number of 1..10 digits at *p, at most UID_MAX; moves *p past it. */
static int parse_number(const char **p, const char *end, int64_t *out)
{
	const char *q = *p;
	int64_t v = 0;
	while (q < end && isdigit((unsigned char)*q) && q - *p < 10)
		v = v * 10 + (*q++ - '0');
	if (q == *p || (q < end && isdigit((unsigned char)*q)) || v > UID_MAX)
		return -1;
	*p = q;
	*out = v;
	return 0;
}

/* Does [p, end) start with word (case-insensitive), followed by end, a
 * space or one of the characters in after? */
static int word(const char *p, const char *end, const char *w, const char *after)
{
	size_t n = strlen(w);
	if ((size_t)(end - p) < n || strncasecmp(p, w, n))
		return 0;
	return p + n == end || p[n] == ' ' || (p[n] && strchr(after, p[n]));
}

/* "* SEARCH 3 7 9" (maybe " (MODSEQ 12)" at the end, from CONDSTORE). */
static void parse_search(struct conn *c, const char *p, const char *end)
{
	while (p < end) {
		if (*p != ' ') {
			c->bad = "malformed SEARCH response";
			return;
		}
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return;
		if (*p == '(') /* modifiers; nothing we asked for */
			return;
		int64_t uid;
		if (parse_number(&p, end, &uid) || uid == 0) {
			c->bad = "malformed SEARCH response";
			return;
		}
		if (c->nuids >= c->maxuids) {
			c->bad = "more SEARCH results than messages searched";
			return;
		}
		c->uids[c->nuids++] = uid;
	}
}

/* One response line, without its line end. */
static void parse_line(struct conn *c, const char *p, const char *end)
{
	if (end - p < 2 || p[0] != '*' || p[1] != ' ')
		return; /* continuation or tagged: libcurl's business */
	p += 2;
	if (word(p, end, "SEARCH", "")) {
		parse_search(c, p + 6, end);
		return;
	}
	if (word(p, end, "OK", "")) {
		/* "OK [UIDVALIDITY 3857529045] UIDs valid" */
		p += 2;
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '[' && word(p + 1, end, "UIDVALIDITY", "")) {
			p += 12;
			while (p < end && *p == ' ')
				p++;
			int64_t v;
			if (parse_number(&p, end, &v) || v == 0 || p == end || *p != ']')
				c->bad = "malformed UIDVALIDITY";
			else
				c->uidvalidity = v;
		}
		return;
	}
	if (p < end && isdigit((unsigned char)*p)) {
		int64_t n;
		if (parse_number(&p, end, &n) || p == end || *p != ' ')
			return; /* not ours to judge */
		p++;
		if (word(p, end, "EXISTS", ""))
			c->exists = n;
		else if (word(p, end, "EXPUNGE", ""))
			c->expunged = 1;
	}
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct conn *c = arg;
	size_t n = size * nmemb;
	if (c->fetching) {
		if (!c->msg.len && !c->too_big) {
			curl_off_t cl = -1;
			if (!curl_easy_getinfo(c->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) &&
			    cl >= 0)
				c->declared = cl;
			if (c->declared > (int64_t)IMAP_MAX_MESSAGE) {
				c->too_big = 1;
				return 0;
			}
		}
		if (buf_add(&c->msg, data, n)) {
			c->too_big = 1;
			if (c->declared < (int64_t)(c->msg.len + n))
				c->declared = (int64_t)(c->msg.len + n);
			return 0;
		}
		return n;
	}
	c->got += n;
	if (c->got > IMAP_MAX_RESPONSE) {
		c->bad = "response too long";
		return 0;
	}
	for (size_t i = 0; i < n && !c->bad; i++) {
		if (data[i] != '\n') {
			if (buf_addc(&c->line, data[i])) {
				c->bad = "response line too long";
				return 0;
			}
			continue;
		}
		const char *e = c->line.s + c->line.len;
		if (e > c->line.s && e[-1] == '\r')
			e--;
		parse_line(c, c->line.s, e);
		buf_reset(&c->line);
	}
	return c->bad ? 0 : n;
}

/* Keep the server's first refusal in a perform ("tag NO ...", "tag BAD
 * ...", "* BYE ...") for err: libcurl does not report it.  Only input is
 * looked at; later ones are the LOGOUT after the failure ("* BYE"). */
static int on_debug(CURL *h, curl_infotype type, char *p, size_t n, void *arg)
{
	struct conn *c = arg;
	if (type != CURLINFO_HEADER_IN || c->refusal[0])
		return 0;
	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	char *sp = memchr(p, ' ', n); /* after the tag (or "*") */
	if (!sp)
		return 0;
	const char *q = sp + 1, *end = p + n;
	if (!word(q, end, "NO", "") && !word(q, end, "BAD", "") && !word(q, end, "BYE", ""))
		return 0;
	size_t k = 0;
	for (; q < end && k + 1 < sizeof(c->refusal); q++)
		c->refusal[k++] = (*q >= 0x20 && *q < 0x7f) ? *q : '?';
	c->refusal[k] = '\0';
	return 0;
}

/* ---- the session ------------------------------------------------------ */

/* Split a->url into c->prefix, c->box and c->examine. */
static int parse_url(struct conn *c, const char *url, char *err, size_t errlen)
{
	int ret = -1;
	char *scheme = NULL, *path = NULL, *extra = NULL, *prefix = NULL, *name = NULL;
	CURLU *u = curl_url();
	if (!u) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    (strcmp(scheme, "imap") && strcmp(scheme, "imaps"))) {
		set_err(err, errlen, "bad imap url (imap://host:port/FOLDER or imaps://...)");
		goto out;
	}
	if (!curl_url_get(u, CURLUPART_QUERY, &extra, 0) ||
	    !curl_url_get(u, CURLUPART_FRAGMENT, &extra, 0)) {
		set_err(err, errlen, "imap url must not have a query or fragment");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0)) {
		set_err(err, errlen, "bad imap url (no path)");
		goto out;
	}
	size_t n = strlen(path);
	const char *p = path;
	while (*p == '/')
		p++, n--;
	while (n && p[n - 1] == '/')
		n--;
	if (memchr(p, ';', n)) {
		set_err(err, errlen, "imap url must not have ;parameters");
		goto out;
	}
	c->box = n ? xstrndup(p, n) : xstrdup("INBOX");
	int len = 0;
	name = curl_easy_unescape(c->h, c->box, 0, &len);
	if (!name) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	for (int i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch < 0x20 || ch >= 0x7f) {
			set_err(err, errlen,
				"folder '%.200s' in imap url must be printable ASCII "
				"(modified UTF-7 for other names)",
				c->box);
			goto out;
		}
	}
	struct buf ex = BUF_INIT;
	buf_adds(&ex, "EXAMINE \"");
	for (int i = 0; i < len; i++) {
		if (name[i] == '"' || name[i] == '\\')
			buf_addc(&ex, '\\');
		buf_addc(&ex, name[i]);
	}
	buf_addc(&ex, '"');
	c->examine = buf_detach(&ex);
	char *host = NULL, *port = NULL;
	if (!curl_url_get(u, CURLUPART_HOST, &host, 0) &&
	    !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
		snprintf(c->place, sizeof(c->place), "%s:%s", host, port);
	curl_free(host);
	curl_free(port);
	if (curl_url_set(u, CURLUPART_PATH, "/", 0) || curl_url_get(u, CURLUPART_URL, &prefix, 0)) {
		set_err(err, errlen, "bad imap url");
		goto out;
	}
	c->prefix = xstrdup(prefix);
	ret = 0;
out:
	curl_free(scheme);
	curl_free(path);
	curl_free(extra);
	curl_free(prefix);
	curl_free(name);
	curl_url_cleanup(u);
	return ret;
}

/* libcurl's failure for the last perform as our err: what we were doing
 * when the server answered it, else where we tried to go; libcurl's
 * message (a leading capital lowered unless it starts a name such as
 * "OpenSSL"); the server's refusal when there was one. */
static void curl_err(struct conn *c, CURLcode rc, const char *doing, char *err, size_t errlen)
{
	char msg[CURL_ERROR_SIZE], where[300];
	snprintf(msg, sizeof(msg), "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
	size_t i = 1;
	while (msg[0] && isalpha((unsigned char)msg[i]) && islower((unsigned char)msg[i]))
		i++;
	if (isupper((unsigned char)msg[0]) && (msg[i] == ' ' || msg[i] == '\0'))
		msg[0] = (char)tolower((unsigned char)msg[0]);
	switch (rc) {
	case CURLE_QUOTE_ERROR:
	case CURLE_REMOTE_FILE_NOT_FOUND:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_WRITE_ERROR:
		snprintf(where, sizeof(where), "%s", doing);
		break;
	default:
		snprintf(where, sizeof(where), "%s", c->place);
		break;
	}
	if (c->refusal[0])
		set_err(err, errlen, "%s: %s (server: %s)", where, msg, c->refusal);
	else
		set_err(err, errlen, "%s: %s", where, msg);
}

/* Run one custom command on url; its untagged answer goes through
 * parse_line().  0, or -1 with err. */
static int command(struct conn *c, const char *url, const char *cmd, char *err, size_t errlen)
{
	c->fetching = 0;
	c->got = 0;
	c->bad = NULL;
	c->errbuf[0] = '\0';
	c->refusal[0] = '\0';
	buf_reset(&c->line);
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, cmd);
	CURLcode rc = curl_easy_perform(c->h);
	if (c->bad) {
		set_err(err, errlen, "%s: %s", cmd, c->bad);
		return -1;
	}
	if (rc) {
		curl_err(c, rc, cmd, err, errlen);
		return -1;
	}
	return 0;
}

/* Open the folder read-only (step 1): c->uidvalidity and c->exists. */
static int examine(struct conn *c, char *err, size_t errlen)
{
	struct buf url = BUF_INIT;
	buf_addf(&url, "%s%s", c->prefix, c->box);
	c->uidvalidity = 0;
	c->exists = -1;
	c->expunged = 0;
	c->maxuids = 0; /* a SEARCH answer here is refused, c->uids untouched */
	int rc = command(c, url.s, c->examine, err, errlen);
	buf_release(&url);
	if (rc)
		return -1;
	if (!c->uidvalidity || c->exists < 0) {
		set_err(err, errlen, "%s: the server sent no %s", c->examine,
			c->uidvalidity ? "EXISTS" : "UIDVALIDITY");
		return -1;
	}
	return 0;
}

static int cmp_uid(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* UID SEARCH among sequence numbers lo..hi for UIDs above last: leaves
 * them in c->uids, ascending, unique, all > last.  0, or -1 with err. */
static int search(struct conn *c, int64_t v, int64_t lo, int64_t hi, int64_t last, char *err,
		  size_t errlen)
{
	assert(lo >= 1 && lo <= hi && hi - lo < IMAP_SEARCH_WINDOW && last < UID_MAX);
	char cmd[96];
	struct buf u = BUF_INIT;
	buf_addf(&u, "%s%s;UIDVALIDITY=%" PRId64, c->prefix, c->box, v);
	if (lo == hi)
		snprintf(cmd, sizeof(cmd), "UID SEARCH %" PRId64 " UID %" PRId64 ":*", lo,
			 last + 1);
	else
		snprintf(cmd, sizeof(cmd), "UID SEARCH %" PRId64 ":%" PRId64 " UID %" PRId64 ":*",
			 lo, hi, last + 1);
	c->nuids = 0;
	c->maxuids = (size_t)(hi - lo + 1);
	int rc = command(c, u.s, cmd, err, errlen);
	buf_release(&u);
	if (rc)
		return -1;
	qsort(c->uids, c->nuids, sizeof(c->uids[0]), cmp_uid);
	size_t k = 0;
	for (size_t i = 0; i < c->nuids; i++)
		if (c->uids[i] > last && (k == 0 || c->uids[i] != c->uids[k - 1]))
			c->uids[k++] = c->uids[i];
	c->nuids = k;
	return 0;
}

/* Step 2: the oldest new UIDs (at most one window) into c->uids.  1 when
 * an EXPUNGE came meanwhile (start over), 0 done, -1 with err. */
static int find_new(struct conn *c, int64_t v, int64_t last, char *err, size_t errlen)
{
	int64_t e = c->exists;
	c->nuids = 0;
	if (e == 0 || last >= UID_MAX)
		return 0;
	int64_t lo = e > IMAP_SEARCH_WINDOW ? e - IMAP_SEARCH_WINDOW + 1 : 1;
	if (search(c, v, lo, e, last, err, errlen))
		return -1;
	if (c->expunged)
		return 1;
	if (lo == 1 || (int64_t)c->nuids < e - lo + 1)
		return 0; /* the last window holds every new message */
	/* all of lo..e are new: find the first new sequence number in 1..lo */
	int64_t a = 1, b = lo;
	while (a < b) {
		int64_t mid = a + (b - a) / 2;
		if (search(c, v, mid, mid, last, err, errlen))
			return -1;
		if (c->expunged)
			return 1;
		if (c->nuids)
			b = mid;
		else
			a = mid + 1;
	}
	int64_t hi = a + IMAP_SEARCH_WINDOW - 1 < e ? a + IMAP_SEARCH_WINDOW - 1 : e;
	if (search(c, v, a, hi, last, err, errlen))
		return -1;
	return c->expunged ? 1 : 0;
}

enum fetched { GOT, GONE, TOO_BIG, CHANGED, FAILED };

/* Step 3: download message uid into c->msg. */
static enum fetched fetch(struct conn *c, int64_t v, int64_t uid, char *err, size_t errlen)
{
	struct buf url = BUF_INIT;
	buf_addf(&url, "%s%s;UIDVALIDITY=%" PRId64 "/;UID=%" PRId64, c->prefix, c->box, v, uid);
	c->fetching = 1;
	c->too_big = 0;
	c->declared = 0;
	c->errbuf[0] = '\0';
	c->refusal[0] = '\0';
	buf_reset(&c->msg);
	curl_easy_setopt(c->h, CURLOPT_URL, url.s);
	curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, NULL);
	CURLcode rc = curl_easy_perform(c->h);
	c->fetching = 0;
	buf_release(&url);
	if (rc == CURLE_OK)
		return GOT;
	if (rc == CURLE_WRITE_ERROR && c->too_big)
		return TOO_BIG;
	if (rc == CURLE_REMOTE_FILE_NOT_FOUND)
		return strstr(c->errbuf, "UIDVALIDITY") ? CHANGED : GONE;
	char what[64];
	snprintf(what, sizeof(what), "UID FETCH %" PRId64, uid);
	curl_err(c, rc, what, err, errlen);
	return FAILED;
}

static int setup(struct conn *c, const struct imap_account *a)
{
	long ms = a->timeout_ms > 0 ? a->timeout_ms : IMAP_DEFAULT_TIMEOUT_MS;
	long secs = (ms + 999) / 1000;
	CURL *h = c->h;
	int bad = 0;
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_BUFFERSIZE, IMAP_BUFFER) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, secs) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, secs) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USE_SSL,
				a->starttls >= 2   ? (long)CURLUSESSL_ALL
				: a->starttls == 1 ? (long)CURLUSESSL_TRY
						   : (long)CURLUSESSL_NONE) != CURLE_OK;
	if (a->ca_file)
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, a->ca_file) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERNAME, a->user ? a->user : "") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PASSWORD, a->password ? a->password : "") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, c) != CURLE_OK;
	/* VERBOSE only feeds on_debug (nothing is printed) */
	bad |= curl_easy_setopt(h, CURLOPT_VERBOSE, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_DEBUGDATA, c) != CURLE_OK;
	return bad ? -1 : 0;
}

int imap_poll(const struct imap_account *a, struct imap_state *st, int max, imap_message_fn fn,
	      void *arg, char *err, size_t errlen)
{
	assert(a && st && fn && (err || errlen == 0));
	set_err(err, errlen, "%s", "");
	if (!a->url || !a->url[0]) {
		set_err(err, errlen, "no imap url");
		return -1;
	}
	if (max <= 0 || max > IMAP_MAX_BATCH)
		max = IMAP_MAX_BATCH;

	int ret = -1, taken = 0;
	struct conn c = {0};
	buf_init(&c.line, IMAP_MAX_LINE);
	buf_init(&c.msg, IMAP_MAX_MESSAGE);
	c.uids = xmalloc(IMAP_SEARCH_WINDOW * sizeof(c.uids[0]));
	c.h = curl_easy_init();
	if (!c.h) {
		set_err(err, errlen, "curl_easy_init failed");
		goto out;
	}
	if (setup(&c, a)) {
		set_err(err, errlen, "libcurl lacks an option imap needs (7.85 or later)");
		goto out;
	}
	if (parse_url(&c, a->url, err, errlen))
		goto out;

	int restarts = 0;
	for (;;) {
		if (examine(&c, err, errlen))
			goto out;
		if (c.uidvalidity != st->uidvalidity) {
			st->uidvalidity = c.uidvalidity;
			st->last_uid = 0;
		}
		if (st->last_uid < 0)
			st->last_uid = 0;
		int rc = find_new(&c, st->uidvalidity, st->last_uid, err, errlen);
		if (rc < 0)
			goto out;
		if (rc == 0)
			break;
		if (++restarts > IMAP_MAX_RESTARTS) {
			set_err(err, errlen, "folder '%s' keeps changing during the search", c.box);
			goto out;
		}
	}

	size_t n = c.nuids < (size_t)max ? c.nuids : (size_t)max;
	int64_t v = st->uidvalidity;
	ret = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t uid = c.uids[i];
		enum fetched f = fetch(&c, v, uid, err, errlen);
		if (f == GONE)
			continue;
		if (f == CHANGED)
			break; /* the next poll starts over */
		if (f == FAILED) {
			ret = -1;
			break;
		}
		int rc = f == TOO_BIG ? fn(arg, v, uid, NULL, (size_t)c.declared)
				      : fn(arg, v, uid, c.msg.s, c.msg.len);
		if (rc)
			break;
		st->last_uid = uid;
		taken++;
		if (f == TOO_BIG && i + 1 < n) {
			/* libcurl dropped the connection: log in and open read-only again */
			if (examine(&c, err, errlen)) {
				ret = -1;
				break;
			}
			if (c.uidvalidity != v)
				break;
		}
	}
	if (ret == 0)
		ret = taken;
out:
	curl_easy_cleanup(c.h);
	free(c.uids);
	free(c.prefix);
	free(c.box);
	free(c.examine);
	buf_release(&c.line);
	buf_release(&c.msg);
	return ret;
}
