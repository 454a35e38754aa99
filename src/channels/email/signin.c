/* signin.c - job "mail.signin": the customer portal's sign-in link.
 *
 * Payload {"user_id": U, "locale": "ko"|"en-us"}.  The job
 *   1. reads the user (active, not suspended, with an email address) and
 *      the default support address (the From);
 *   2. mints the one-time token here, not in the request: only its SHA-256
 *      is stored (portal_login_tokens, valid PORTAL_SIGNIN_TTL seconds),
 *      so the link itself is in no table and no job payload;
 *   3. composes a short Korean or English mail (text + HTML, the link
 *      escaped) with Auto-Submitted, and sends it over SMTP.
 * A temporary SMTP failure fails the job and the queue retries it; the
 * retry mints a new token (the old one is never mailed, so it only
 * expires).  Without smtp_url the job ends "skipped".
 */
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/email/compose.h"
#include "channels/email/email.h"
#include "channels/email/mime.h"
#include "channels/email/smtp.h"
#include "core/hc.h"
#include "http/auth.h"
#include "store/mail_store.h"
#include "store/portal_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PORTAL_SIGNIN_TTL 900

struct token_arg {
	char hash[65];
	int64_t user_id, expires_at;
};

static int token_run(struct db *db, void *arg)
{
	struct token_arg *a = arg;
	return portal_login_token_add(db, a->hash, a->user_id, a->expires_at);
}

/* [ko, en]: subject, greeting line, what to do, expiry note */
static const char *const texts[4][2] = {
    {"고객센터 로그인 링크", "Your help center sign-in link"},
    {"안녕하세요.", "Hello,"},
    {"아래 링크를 누르면 고객센터에 로그인됩니다.", "Open this link to sign in to the help center."},
    {"링크는 15분 동안 한 번만 쓸 수 있습니다. 요청하지 않으셨다면 이 메일을 무시하세요.",
     "The link works once, for 15 minutes. If you did not ask for it, ignore this mail."},
};

int email_signin_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		     char *err, size_t errlen)
{
	int64_t uid = json_integer_value(json_object_get(payload, "user_id"));
	const char *loc = hc_locale(json_string_value(json_object_get(payload, "locale")));
	if (!loc)
		loc = HC_DEFAULT_LOCALE;
	int ko = !strcmp(loc, HC_LOCALE_KO);
	if (!s->cfg.smtp_url[0]) {
		*result = json_pack("{ss}", "skipped", "no smtp_url configured");
		return 0;
	}
	struct user u = {0};
	struct recipient_address ra = {0};
	struct db *db = store_reader(s->store);
	int rc = user_store_get(db, uid, &u);
	int rra = rc ? 1 : recipient_address_default(db, &ra);
	store_release(s->store, db);
	if (rc < 0 || rra < 0) {
		user_clear(&u);
		recipient_address_clear(&ra);
		snprintf(err, errlen, "database error");
		return -1;
	}
	if (rc || !u.active || u.suspended || !u.email || rra) {
		*result = json_pack("{ss}", "skipped", rra ? "no support address" : "no such user");
		user_clear(&u);
		recipient_address_clear(&ra);
		return 0;
	}
	char token[41];
	struct token_arg ta = {.user_id = uid, .expires_at = now_seconds() + PORTAL_SIGNIN_TTL};
	token_new(token);
	token_hash(token, ta.hash);
	if (store_write(s->store, token_run, &ta)) {
		user_clear(&u);
		recipient_address_clear(&ra);
		snprintf(err, errlen, "database error");
		return -1;
	}
	char url[512], domain[128];
	snprintf(url, sizeof(url), "%s/hc/%s/signin/token?token=%s", s->cfg.base_url, loc, token);
	email_domain(&s->cfg, domain, sizeof(domain));
	struct buf text = BUF_INIT, html = BUF_INIT, mid = BUF_INIT;
	buf_addf(&text, "%s\n\n%s\n\n%s\n\n%s", texts[1][!ko], texts[2][!ko], url, texts[3][!ko]);
	buf_addf(&html, "<!doctype html><html lang=\"%s\"><body><p>%s</p><p>%s</p><p><a href=\"",
		 ko ? "ko" : "en", texts[1][!ko], texts[2][!ko]);
	hc_escape(&html, url);
	buf_adds(&html, "\">");
	hc_escape(&html, url);
	buf_addf(&html, "</a></p><p>%s</p></body></html>\n", texts[3][!ko]);
	buf_addf(&mid, "signin.u%" PRId64 ".j%" PRId64 "@%s", uid, job_id, domain);
	int ret = email_send_one(s, &ra, u.name, u.email, texts[0][!ko], mid.s, text.s, html.s,
				 result, err, errlen);
	if (!ret && json_object_get(*result, "message_id"))
		log_info("mail", "sign-in link sent user=%" PRId64 " message_id=%s", uid, mid.s);
	buf_release(&text);
	buf_release(&html);
	buf_release(&mid);
	user_clear(&u);
	recipient_address_clear(&ra);
	return ret;
}
