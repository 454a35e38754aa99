/* mailgate.c - `sonnim mailgate`: one message on stdin, handed to the
 * running server (like RT's rt-mailgate), for an MTA's pipe transport.
 *
 *   sonnim mailgate [--url URL] [--auth EMAIL/token:TOKEN]
 *                   [--sender ADDR] [--recipient ADDR] [--config FILE]
 *
 * It reads the whole message (at most cfg.max_mail bytes) and POSTs it to
 * URL/api/v2/sonnim/mail/inbound.json with HTTP basic auth (an admin's API
 * token; --auth, else $SONNIM_MAILGATE_AUTH).  URL defaults to base_url
 * from the config.  The exit status speaks sysexits.h, which is what MTAs
 * act on: 0 stored; 75 (EX_TEMPFAIL: the MTA keeps the message and tries
 * again) when the server is unreachable, answers 5xx, or refuses the
 * credentials - a misconfigured token must not bounce customers' mail;
 * 65 (EX_DATAERR: bounced) when the server refuses the message itself
 * (too large, empty); 64 (EX_USAGE) for bad arguments.
 */
#include "base/buf.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_TEMPFAIL 75

static size_t keep_reply(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	if (b->len < 4096)
		buf_add(b, p, size * n < 4096 - b->len ? size * n : 4096 - b->len);
	return size * n;
}

int cmd_mailgate(int argc, char **argv)
{
	struct config c;
	cmd_config(&c, argc, argv);
	const char *url = c.base_url, *auth = getenv("SONNIM_MAILGATE_AUTH"), *sender = NULL,
		   *rcpt = NULL;
	for (int i = 1; i < argc; i++) {
		const char **to = !strcmp(argv[i], "--url")	   ? &url
				  : !strcmp(argv[i], "--auth")	   ? &auth
				  : !strcmp(argv[i], "--sender")    ? &sender
				  : !strcmp(argv[i], "--recipient") ? &rcpt
								    : NULL;
		if (to) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mailgate: %s needs a value\n", argv[i]);
				return EX_USAGE;
			}
			*to = argv[++i];
		}
	}
	if (!auth || !strchr(auth, ':')) {
		fprintf(stderr, "mailgate: give --auth EMAIL/token:TOKEN or set SONNIM_MAILGATE_AUTH\n");
		return EX_TEMPFAIL;
	}
	struct buf msg = BUF_INIT;
	buf_init(&msg, (size_t)c.max_mail);
	char chunk[65536];
	size_t n;
	int too_big = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_add(&msg, chunk, n)) {
			too_big = 1;
			break;
		}
	if (too_big || !msg.len) {
		fprintf(stderr, "mailgate: %s\n", too_big ? "message too large" : "empty message");
		buf_release(&msg);
		return EX_DATAERR;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *h = curl_easy_init();
	struct buf target = BUF_INIT, reply = BUF_INIT;
	buf_adds(&target, url);
	while (target.len && target.s[target.len - 1] == '/')
		target.s[--target.len] = '\0';
	buf_adds(&target, "/api/v2/sonnim/mail/inbound.json");
	char sep = '?';
	if (sender) {
		char *e = curl_easy_escape(h, sender, 0);
		buf_addf(&target, "%csender=%s", sep, e);
		curl_free(e);
		sep = '&';
	}
	if (rcpt) {
		char *e = curl_easy_escape(h, rcpt, 0);
		buf_addf(&target, "%crecipient=%s", sep, e);
		curl_free(e);
	}
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: message/rfc822");
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, target.s);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, msg.s);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)msg.len);
	curl_easy_setopt(h, CURLOPT_USERPWD, auth);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_reply);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode cc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	int rc;
	if (cc != CURLE_OK) {
		fprintf(stderr, "mailgate: %s: %s\n", target.s, curl_easy_strerror(cc));
		rc = EX_TEMPFAIL;
	} else if (status == 201 || status == 200) {
		rc = 0;
	} else if (status == 413 || status == 400 || status == 422) {
		fprintf(stderr, "mailgate: refused (%ld): %s\n", status, reply.s);
		rc = EX_DATAERR;
	} else {
		fprintf(stderr, "mailgate: server answered %ld: %s\n", status, reply.s);
		rc = EX_TEMPFAIL;
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	buf_release(&target);
	buf_release(&reply);
	buf_release(&msg);
	return rc;
}
