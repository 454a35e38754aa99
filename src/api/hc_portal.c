/* hc_portal.c - the customer side of the public help center:
 *   GET  /hc/assets/suggest.js            the contact form's article suggestions
 *   GET  /hc/{locale}/requests/new        the contact form
 *   POST /hc/{locale}/requests/new        submit it: a ticket via "web"
 *   GET  /hc/{locale}/requests/{id}       one request: the public conversation,
 *                                         reply and "mark as solved" (signed in,
 *                                         or ?token= the status link's token)
 *   POST /hc/{locale}/requests/{id}       reply / mark as solved
 *   GET  /hc/{locale}/requests            my requests, and the organization's
 *                                         when it shares tickets (signed in)
 *   GET  /hc/{locale}/signin              password form + "email me a link" form
 *   POST /hc/{locale}/signin              password sign-in -> browser session
 *   POST /hc/{locale}/signin/link         queue job mail.signin (known addresses;
 *                                         the same answer for unknown ones; at
 *                                         most 5 an hour per address)
 *   GET  /hc/{locale}/signin/token?token= the mailed link: one use, 15 minutes
 *
 * Signing in makes the same browser session as the agent workspace's
 * (sonnim_session cookie, Path=/, HttpOnly, SameSite=Lax); the sign-in
 * forms carry the visitor's double-submit token against login CSRF.  The
 * mailed token is minted by the job (channels/email/signin.c), so it is in
 * no job payload; only its SHA-256 is stored.
 *
 * The contact form.  Fields: subject, description, email and name (when
 * nobody is signed in), and the custom ticket fields an admin made visible
 * and editable in the portal (text inputs; checkboxes; a dropdown as a
 * select; a multiselect as one checkbox per option, so no script is
 * needed), and the ticket form chosen, kept as the ticket's
 * ticket_form_id.  Spam: a honeypot
 * field hidden from people (filled in = a bot: the visitor sees the usual
 * confirmation and nothing is saved), and per hour at most
 * hc_form_ip_limit submissions from one IP address and hc_form_email_limit
 * for one email address (429 page); the counts and the ticket are written
 * in one store_write, so the last slot cannot be taken twice.  CSRF: the
 * double-submit visitor token of the vote form (cookie sonnim_hc + hidden
 * field).  A valid form finds or creates the requester (an end-user with
 * an email identity) and creates the ticket through ticket_write_run()
 * (via "web", the requester as author), then shows the ticket number and
 * the status link.  Errors re-show the form with the values (escaped) and
 * one line per problem, in Korean or English.
 *
 * Suggestions: the form page loads /hc/assets/suggest.js (CSP script-src
 * 'self': no inline script).  While the customer types the subject it asks
 * POST /api/v2/answer_bot/answers.json (channel "web_form") and lists the
 * articles with a "this answered my question" button that posts
 * /resolution.json: the visit ends without a ticket and counts as a
 * deflection.  The script only sets textContent and numeric ids, so an
 * article title cannot add markup.
 *
 * The request page: a signed-in end-user sees its own requests and, when
 * its organization shares tickets, the organization's (ticket_can_view);
 * without an account, the status link's token (core/portal.h) opens that
 * one ticket, to read and reply only.  Writes from the page carry either
 * the token or the session's CSRF token in a hidden field.  A reply is a
 * public comment by the requester (via "web"); "mark as solved" solves the
 * ticket as the requester (no assignee needed).
 *
 * Cost: the form is a page with one field-list read; a submission is one
 * write (two rate counts, the user, the ticket).  A request page is the
 * ticket, its public comments and their authors' names.
 */
#include "api/api.h"
#include "api/help_center.h"
#include "base/log.h"
#include "base/util.h"
#include "core/field.h"
#include "core/filetype.h"
#include "core/hc.h"
#include "core/hc_flow.h"
#include "core/multipart.h"
#include "core/portal.h"
#include "core/satisfaction.h"
#include "core/user.h"
#include "http/auth.h"
#include "jobs/jobs.h"
#include "store/actor_store.h"
#include "store/attachment_store.h"
#include "store/field_store.h"
#include "store/form_store.h"
#include "store/hc_store.h"
#include "store/kb_store.h"
#include "store/portal_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUBJECT 255
#define MAX_DESCRIPTION 65536
#define MAX_NAME 255
#define MAX_FORM_FIELDS 16

/* ---- UI strings ---------------------------------------------------------- */

enum pmsg {
	P_NEW_REQUEST, P_SUBJECT, P_DESCRIPTION, P_EMAIL, P_NAME, P_SUBMIT, P_SUGGESTED,
	P_SOLVED_IT, P_GLAD, P_RECEIVED, P_NUMBER, P_FOLLOW, P_E_SUBJECT, P_E_SUBJECT_LONG,
	P_E_DESCRIPTION, P_E_DESCRIPTION_LONG, P_E_EMAIL, P_E_NAME_LONG, P_E_REQUIRED,
	P_E_FIELD, P_E_TOKEN, P_E_RATE, P_SIGNED_IN_AS, P_REQUEST, P_REPLY, P_SEND,
	P_MARK_SOLVED, P_STATUS, P_E_REPLY, P_WEBSITE, P_SAVED, P_SIGN_IN, P_PASSWORD,
	P_SIGN_IN_PW, P_SEND_LINK, P_LINK_SENT, P_E_LOGIN, P_E_LINK, P_MY_REQUESTS, P_ORG_REQUESTS,
	P_NONE, P_RATE, P_FLOW_TRIED, P_FLOW_TICKET, P_WHICH_FORM, P_CHOOSE, P_ATTACHMENTS,
	P_E_FILES, P_E_TOO_LARGE, P_E_FILE_STORE, P_ATTACHED, P_NMSG
};

static const char *const pmsgs[P_NMSG][2] = { /* [ko, en-us] */
    [P_NEW_REQUEST] = {"문의하기", "Submit a request"},
    [P_SUBJECT] = {"제목", "Subject"},
    [P_DESCRIPTION] = {"내용", "Description"},
    [P_EMAIL] = {"이메일 주소", "Your email address"},
    [P_NAME] = {"이름", "Your name"},
    [P_SUBMIT] = {"보내기", "Submit"},
    [P_SUGGESTED] = {"이 도움말이 답이 될 수 있어요", "These articles may answer your question"},
    [P_SOLVED_IT] = {"이 도움말로 해결됐어요", "This answered my question"},
    [P_GLAD] = {"도움이 되었다니 다행입니다. 문의를 보내지 않아도 됩니다.",
		"Glad it helped. You do not need to submit a request."},
    [P_RECEIVED] = {"문의가 접수되었습니다.", "Your request was received."},
    [P_NUMBER] = {"요청 번호는 #%lld입니다.", "Your request number is #%lld."},
    [P_FOLLOW] = {"요청 진행 상황 보기", "Follow your request"},
    [P_E_SUBJECT] = {"제목을 입력해 주세요.", "Please enter a subject."},
    [P_E_SUBJECT_LONG] = {"제목이 너무 깁니다 (255바이트까지).",
			  "The subject is too long (255 bytes at most)."},
    [P_E_DESCRIPTION] = {"내용을 입력해 주세요.", "Please describe your request."},
    [P_E_DESCRIPTION_LONG] = {"내용이 너무 깁니다 (64KiB까지).",
			      "The description is too long (64 KiB at most)."},
    [P_E_EMAIL] = {"올바른 이메일 주소를 입력해 주세요.", "Please enter a valid email address."},
    [P_E_NAME_LONG] = {"이름이 너무 깁니다.", "The name is too long."},
    [P_E_REQUIRED] = {"필수 항목입니다: ", "This field is required: "},
    [P_E_FIELD] = {"입력값을 확인해 주세요: ", "Please check this field: "},
    [P_E_TOKEN] = {"양식이 만료되었습니다. 페이지를 새로 고친 뒤 다시 보내 주세요.",
		   "The form expired. Reload the page and submit it again."},
    [P_E_RATE] = {"문의가 너무 많습니다. 잠시 후 다시 시도해 주세요.",
		  "Too many requests. Please try again later."},
    [P_SIGNED_IN_AS] = {"로그인: ", "Signed in as "},
    [P_REQUEST] = {"요청", "Request"},
    [P_REPLY] = {"답장", "Reply"},
    [P_SEND] = {"답장 보내기", "Send reply"},
    [P_MARK_SOLVED] = {"해결됨으로 표시", "Mark as solved"},
    [P_STATUS] = {"상태", "Status"},
    [P_E_REPLY] = {"답장 내용을 입력해 주세요.", "Please write a reply."},
    [P_WEBSITE] = {"웹사이트 (비워 두세요)", "Website (leave empty)"},
    [P_SAVED] = {"저장되었습니다.", "Saved."},
    [P_SIGN_IN] = {"로그인", "Sign in"},
    [P_PASSWORD] = {"비밀번호", "Password"},
    [P_SIGN_IN_PW] = {"비밀번호로 로그인", "Sign in with your password"},
    [P_SEND_LINK] = {"메일로 로그인 링크 받기", "Email me a sign-in link"},
    [P_LINK_SENT] = {"등록된 주소라면 로그인 링크를 보냈습니다. 메일함을 확인해 주세요.",
		     "If the address has an account, a sign-in link is on its way. Check your mail."},
    [P_E_LOGIN] = {"이메일 주소나 비밀번호가 맞지 않습니다.", "Wrong email address or password."},
    [P_E_LINK] = {"로그인 링크가 만료되었거나 이미 사용되었습니다.",
		  "The sign-in link expired or was already used."},
    [P_MY_REQUESTS] = {"내 요청", "My requests"},
    [P_ORG_REQUESTS] = {"조직의 요청", "Organization requests"},
    [P_NONE] = {"요청이 없습니다.", "No requests."},
    [P_RATE] = {"이 요청에 대한 상담은 어떠셨나요? 평가하기", "How did we do? Rate this request"},
    [P_FLOW_TRIED] = {"이미 확인한 단계 (요청에 함께 보내집니다)",
		      "Steps you already tried (sent with your request)"},
    [P_FLOW_TICKET] = {"고객이 진행한 문제 해결 단계", "Troubleshooting steps the customer took"},
    [P_WHICH_FORM] = {"어떤 문의인가요?", "What is your request about?"},
    [P_CHOOSE] = {"선택", "Choose"},
    [P_ATTACHMENTS] = {"첨부 파일 (선택, 5개까지)", "Attachments (optional, up to 5)"},
    [P_E_FILES] = {"파일은 5개까지 첨부할 수 있습니다.", "You can attach at most 5 files."},
    [P_E_TOO_LARGE] = {"첨부 파일이 너무 큽니다.", "The attachments are too large."},
    [P_E_FILE_STORE] = {"첨부 파일을 저장하지 못했습니다. 다시 시도해 주세요.",
			"The attachments could not be saved. Please try again."},
    [P_ATTACHED] = {"첨부 파일", "Attachments"},
};

static const char *PT(const char *locale, enum pmsg m)
{
	return pmsgs[m][strcmp(locale, HC_LOCALE_KO) ? 1 : 0];
}

/* ---- small helpers --------------------------------------------------------- */

void hc_client_ip(struct req *r, char *out, size_t n)
{
	snprintf(out, n, "?");
	const union MHD_ConnectionInfo *ci =
	    r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
			  (socklen_t)n);
}

/* The contact form with attachments comes as multipart/form-data: its
 * parts, parsed once per request (the cache is the thread's: a request is
 * handled on one thread from start to end). */
#define FORM_MAX_PARTS 48
struct form_parts {
	const struct req *r;
	int64_t t0;
	int ok; /* parsed without error */
	struct multipart_part p[FORM_MAX_PARTS];
	int n;
};
static __thread struct form_parts tl_parts;

static const struct form_parts *form_parts(struct req *r)
{
	if (!multipart_is_form(req_header(r, "Content-Type")))
		return NULL;
	struct form_parts *fp = &tl_parts;
	if (fp->r != r || fp->t0 != r->t0) {
		fp->r = r;
		fp->t0 = r->t0;
		fp->ok = !multipart_parse(req_header(r, "Content-Type"), r->body.s, r->body.len,
					  fp->p, FORM_MAX_PARTS, &fp->n);
		if (!fp->ok)
			fp->n = 0;
	}
	return fp;
}

/* A form value (urlencoded or multipart, not a file) into out, cut at
 * outlen - 1; 0, or -1 when absent. */
static int form_value(struct req *r, const char *name, char *out, size_t outlen)
{
	const struct form_parts *fp = form_parts(r);
	if (!fp)
		return hc_form_value(r->body.s, r->body.len, name, out, outlen);
	for (int i = 0; i < fp->n; i++)
		if (!fp->p[i].is_file && !strcmp(fp->p[i].name, name)) {
			size_t k = fp->p[i].len < outlen - 1 ? fp->p[i].len : outlen - 1;
			memcpy(out, fp->p[i].data, k);
			out[k] = '\0';
			for (size_t j = 0; j < k; j++) /* a NUL would cut the value: make it visible */
				if (!out[j])
					out[j] = '?';
			return 0;
		}
	return -1;
}

/* Every value of a repeated form field (checkboxes with one name), in
 * order, as a JSON array of strings; at most max of them (*bad set when
 * there are more, one is longer than cap bytes or one is not UTF-8). */
static json_t *form_values(struct req *r, const char *name, size_t cap, size_t max, int *bad)
{
	json_t *a = json_array();
	char *v = xmalloc(cap + 2);
	const struct form_parts *fp = form_parts(r);
	size_t n = fp ? (size_t)fp->n : r->body.len;
	for (size_t i = 0; i < n;) {
		int got = 0;
		if (fp) { /* part i */
			const struct multipart_part *pt = &fp->p[i++];
			if (!pt->is_file && !strcmp(pt->name, name)) {
				size_t k = pt->len < cap + 1 ? pt->len : cap + 1;
				memcpy(v, pt->data, k);
				v[k] = '\0';
				got = 1;
			}
		} else { /* the urlencoded pair at i */
			const char *e = memchr(r->body.s + i, '&', n - i);
			size_t len = e ? (size_t)(e - (r->body.s + i)) : n - i;
			got = !hc_form_value(r->body.s + i, len, name, v, cap + 2);
			i += len + 1;
		}
		if (!got)
			continue;
		json_t *s = strlen(v) <= cap ? json_string(v) : NULL;
		if (!s || json_array_size(a) == max) {
			json_decref(s);
			*bad = 1;
			break;
		}
		json_array_append_new(a, s);
	}
	free(v);
	return a;
}

/* A form value into a heap string (cap bytes at most; NULL when absent);
 * *too_long set when it was cut. */
char *hc_form_get(struct req *r, const char *name, size_t cap, int *too_long)
{
	char *v = xmalloc(cap + 2);
	if (form_value(r, name, v, cap + 2)) {
		free(v);
		return NULL;
	}
	if (strlen(v) > cap && too_long)
		*too_long = 1;
	v[cap < strlen(v) ? cap : strlen(v)] = '\0';
	return v;
}

/* Is s valid UTF-8 (jansson's check)?  NULL counts as valid. */
int hc_utf8_ok(const char *s)
{
	if (!s)
		return 1;
	json_t *j = json_string(s);
	json_decref(j);
	return j != NULL;
}

/* Drop *s when it is not UTF-8 (the form shows it empty) and say so in
 * errors with the field's label. */
static void utf8_or_drop(char **s, const char *label, const char *loc, struct strlist *errors)
{
	if (hc_utf8_ok(*s))
		return;
	free(*s);
	*s = xstrdup("");
	struct buf e = BUF_INIT;
	buf_adds(&e, PT(loc, P_E_FIELD));
	buf_adds(&e, label);
	strlist_add(errors, e.s);
	buf_release(&e);
}

static int blank(const char *s)
{
	if (!s)
		return 1;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

/* The signed-in portal user from the session cookie, without the CSRF
 * header check (pages check a form field instead): 0 and a filled actor
 * (csrf = the session's token), 1 nobody, <0 database error. */
int hc_portal_actor(struct req *r, struct actor *a, char csrf[65], char **name)
{
	const char *sid = req_cookie(r, "sonnim_session");
	if (!sid || strlen(sid) != 40)
		return 1;
	char h[65];
	int64_t uid;
	token_hash(sid, h);
	int rc = session_store_lookup(req_db(r), h, now_seconds(), &uid, csrf);
	if (rc)
		return rc < 0 ? rc : 1;
	struct user u = {0};
	rc = user_store_get(req_db(r), uid, &u);
	if (rc || !u.active || u.suspended || u.merged_into) {
		user_clear(&u);
		return rc < 0 ? rc : 1;
	}
	memset(a, 0, sizeof(*a));
	a->user_id = u.id;
	a->role = u.role;
	a->organization_id = u.organization_id;
	rc = actor_store_load(req_db(r), a, u.ticket_restriction);
	if (name)
		*name = xstrdup(u.name ? u.name : "");
	user_clear(&u);
	return rc;
}

static const char *page_locale(struct req *r)
{
	return hc_locale(r->word);
}

/* ---- the suggestion script ------------------------------------------------- */

static const char suggest_js[] =
    "/* Sonnim contact form: article suggestions from the answer bot. */\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var f = document.getElementById('request-form');\n"
    "  var box = document.getElementById('suggestions');\n"
    "  if (!f || !box || !window.fetch) return;\n"
    "  var s = f.querySelector('[name=subject]'), loc = f.getAttribute('data-locale');\n"
    "  var timer = null, seq = 0;\n"
    "  function post(path, body) {\n"
    "    return fetch('/api/v2/answer_bot/' + path, {method: 'POST', credentials: 'omit',\n"
    "      headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});\n"
    "  }\n"
    "  /* a followed suggestion: a JSON Blob by sendBeacon (it survives leaving\n"
    "   * the page; connect-src 'self' allows it), else a keepalive fetch */\n"
    "  function beacon(path, body) {\n"
    "    var url = '/api/v2/answer_bot/' + path, d = JSON.stringify(body);\n"
    "    try {\n"
    "      if (navigator.sendBeacon &&\n"
    "          navigator.sendBeacon(url, new Blob([d], {type: 'application/json'}))) return;\n"
    "    } catch (e) {}\n"
    "    fetch(url, {method: 'POST', credentials: 'omit', keepalive: true,\n"
    "      headers: {'Content-Type': 'application/json'}, body: d}).catch(function () {});\n"
    "  }\n"
    "  function show(r) {\n"
    "    box.textContent = '';\n"
    "    if (!r || !r.articles || !r.articles.length) return;\n"
    "    var h = document.createElement('p');\n"
    "    h.textContent = f.getAttribute('data-heading');\n"
    "    box.appendChild(h);\n"
    "    var ul = document.createElement('ul');\n"
    "    ul.className = 'list';\n"
    "    r.articles.forEach(function (a) {\n"
    "      var li = document.createElement('li'), l = document.createElement('a');\n"
    "      l.href = '/hc/' + encodeURIComponent(a.locale) + '/articles/' + Number(a.article_id);\n"
    "      l.target = '_blank';\n"
    "      l.rel = 'noopener';\n"
    "      l.textContent = a.title;\n"
    "      function followed() {\n"
    "        beacon('click.json', {interaction_access_token: r.interaction_access_token,\n"
    "          article_id: Number(a.article_id)});\n"
    "      }\n"
    "      l.addEventListener('click', followed);\n"
    "      l.addEventListener('auxclick', followed); /* middle button: a new tab */\n"
    "      var b = document.createElement('button');\n"
    "      b.type = 'button';\n"
    "      b.textContent = f.getAttribute('data-solved');\n"
    "      b.addEventListener('click', function () {\n"
    "        post('resolution.json', {interaction_access_token: r.interaction_access_token,\n"
    "          article_id: Number(a.article_id), deflection_id: r.deflection.id})\n"
    "          .then(function (x) {\n"
    "            if (!x.ok) return;\n"
    "            var p = document.createElement('p');\n"
    "            p.className = 'done';\n"
    "            p.textContent = f.getAttribute('data-glad');\n"
    "            f.parentNode.replaceChild(p, f);\n"
    "            box.textContent = '';\n"
    "          });\n"
    "      });\n"
    "      li.appendChild(l);\n"
    "      li.appendChild(document.createTextNode(' '));\n"
    "      li.appendChild(b);\n"
    "      ul.appendChild(li);\n"
    "    });\n"
    "    box.appendChild(ul);\n"
    "  }\n"
    "  s.addEventListener('input', function () {\n"
    "    clearTimeout(timer);\n"
    "    var q = s.value.trim();\n"
    "    if (q.length < 2) { box.textContent = ''; return; }\n"
    "    timer = setTimeout(function () {\n"
    "      var n = ++seq;\n"
    "      post('answers.json', {enquiry: q, locale: loc, deflection_channel: 'web_form'})\n"
    "        .then(function (x) { return x.json(); })\n"
    "        .then(function (r) { if (n === seq) show(r); })\n"
    "        .catch(function () {});\n"
    "    }, 350);\n"
    "  });\n"
    "})();\n";

static int suggest_script(struct req *r)
{
	reply_raw(r, 200, "text/javascript; charset=utf-8", suggest_js, sizeof(suggest_js) - 1);
	reply_header(r, "Cache-Control", "public, max-age=3600");
	reply_header(r, "X-Content-Type-Options", "nosniff");
	return 0;
}

/* ---- the contact form -------------------------------------------------------- */

struct form {
	char *subject, *description, *email, *name;
	/* from a troubleshooting flow's "contact us" (api/hc_flow_page.c) */
	int64_t flow_id;	/* the article; 0 = none */
	char flow_path[2 * HC_FLOW_MAX_PATH + 1];
	char flow_locale[8];
	char *flow_title, *flow_text; /* the article's title, the steps taken */
	struct field_value values[MAX_FORM_FIELDS];
	int nvalues;
	int64_t ticket_form_id;	/* the ticket form chosen (0 = none offered) */
	struct strlist errors;	/* lines to show */
};

static void form_clear(struct form *f)
{
	free(f->subject);
	free(f->description);
	free(f->email);
	free(f->name);
	free(f->flow_title);
	free(f->flow_text);
	for (int i = 0; i < f->nvalues; i++)
		free(f->values[i].value_json);
	strlist_clear(&f->errors);
	memset(f, 0, sizeof(*f));
}

/* The ticket forms customers may pick (active, end-user visible), and the
 * one chosen: want (when offered), else the default, else the first.
 * *chosen NULL when there are none.  0 or DB_*. */
static int offered_forms(struct req *r, int64_t want, struct ticket_form **forms, int *nforms,
			 const struct ticket_form **chosen)
{
	struct ticket_form *all = NULL;
	int n = 0, k = 0;
	*forms = NULL;
	*nforms = 0;
	*chosen = NULL;
	int rc = form_store_list(req_db(r), 1, &all, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		if (!all[i].end_user_visible) {
			ticket_form_clear(&all[i]);
			continue;
		}
		all[k++] = all[i];
	}
	for (int i = k; i < n; i++)
		memset(&all[i], 0, sizeof(all[i]));
	for (int i = 0; i < k && !*chosen; i++)
		if (all[i].id == want)
			*chosen = &all[i];
	for (int i = 0; i < k && !*chosen; i++)
		if (all[i].is_default)
			*chosen = &all[i];
	if (!*chosen && k)
		*chosen = &all[0];
	*forms = all;
	*nforms = n;
	return 0;
}

/* A field customers fill in: active, visible and editable in the portal,
 * of a custom type (each one has its input). */
static int portal_field(const struct field *f)
{
	return f->active && f->visible_in_portal && f->editable_in_portal &&
	       field_type_custom(f->type);
}

/* The custom fields the contact form shows, moved to the front of *out:
 * with a ticket form, its fields in its order; else every portal field.
 * *n of them, *nall in the array (field_list_free(*out, *nall); NULL when
 * 0). */
static int portal_fields(struct req *r, const struct ticket_form *form, struct field **out,
			 int *n, int *nall)
{
	struct field *all = NULL;
	int na = 0;
	*out = NULL;
	*n = *nall = 0;
	int rc = field_store_list(req_db(r), 0, 0, 200, &all, &na);
	if (rc)
		return rc;
	int k = 0;
	if (!form) { /* every portal field, in list order */
		for (int i = 0; i < na && k < MAX_FORM_FIELDS; i++)
			if (portal_field(&all[i])) {
				struct field tmp = all[k];
				all[k] = all[i];
				all[i] = tmp;
				k++;
			}
	}
	for (size_t w = 0; form && w < form->field_ids.n && k < MAX_FORM_FIELDS; w++)
		for (int i = k; i < na; i++)
			if (all[i].id == form->field_ids.v[w] && portal_field(&all[i])) {
				struct field tmp = all[k];
				all[k] = all[i];
				all[i] = tmp;
				k++;
				break;
			}
	*out = all;
	*n = k;
	*nall = na;
	return 0;
}

static const char *field_label(const struct field *f)
{
	return f->title_in_portal && *f->title_in_portal ? f->title_in_portal : f->title;
}

static void input(struct buf *b, const char *type, const char *name, const char *label,
		  const char *value, int required, const char *extra)
{
	buf_addf(b, "<p><label for=\"f-%s\">", name);
	hc_escape(b, label);
	buf_addf(b, "</label><br><input type=\"%s\" id=\"f-%s\" name=\"%s\" value=\"", type, name,
		 name);
	hc_escape(b, value ? value : "");
	buf_addf(b, "\"%s%s></p>", required ? " required" : "", extra ? extra : "");
}

/* Fill f's flow members from article id's flow walked along path, as the
 * visitor reads it; it must end in the "contact" outcome.  0, 1 when it
 * does not fit (the form is then shown without it), <0 DB error. */
static int flow_context(struct req *r, const struct actor *who, const char *id, const char *path,
			struct form *f)
{
	if (!id || !path || !*id || strlen(id) > 18 || strspn(id, "0123456789") != strlen(id))
		return 1;
	struct hc_view v = {.locale = page_locale(r),
			    .staff = who && who->role >= ROLE_AGENT,
			    .signed_in = who != NULL};
	struct hc_article a = {0};
	struct hc_flow fl;
	struct hc_flow_walk w;
	int rc = hc_flow_load(req_db(r), strtoll(id, NULL, 10), &v, path, &a, &fl, &w);
	if (rc)
		return rc;
	if (w.outcome == HC_FLOW_CONTACT) {
		struct buf t = BUF_INIT, p = BUF_INIT;
		hc_flow_path_text(&fl, &w, &t);
		hc_flow_path(&w, w.n, &p);
		f->flow_id = a.id;
		snprintf(f->flow_path, sizeof(f->flow_path), "%s", p.s);
		snprintf(f->flow_locale, sizeof(f->flow_locale), "%s", a.tr.locale);
		f->flow_title = xstrdup(a.tr.title);
		f->flow_text = buf_detach(&t);
		buf_release(&p);
	} else {
		rc = 1;
	}
	hc_flow_clear(&fl);
	hc_article_clear(&a);
	return rc;
}

static int show_form(struct req *r, const char *loc, const struct form *in, int status,
		     const struct actor *who, const char *who_name)
{
	struct field *fields = NULL;
	struct ticket_form *forms = NULL;
	const struct ticket_form *chosen = NULL;
	int nf = 0, nall = 0, nforms = 0;
	int64_t want = in ? in->ticket_form_id : 0;
	const char *q = req_arg(r, "ticket_form_id");
	if (!want && q && strlen(q) < 19 && strspn(q, "0123456789") == strlen(q))
		want = strtoll(q, NULL, 10);
	int rc = offered_forms(r, want, &forms, &nforms, &chosen);
	if (!rc)
		rc = portal_fields(r, chosen, &fields, &nf, &nall);
	if (rc) {
		ticket_form_list_free(forms, nforms);
		return reply_db_down(r);
	}
	char token[41];
	int have = hc_visitor_token_or_new(r, token);
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/requests/new", loc);
	hc_page_start(&b, r, loc, PT(loc, P_NEW_REQUEST), NULL, path);
	buf_addf(&b, "<style>.hp{position:absolute;left:-10000px;width:1px;height:1px;"
		     "overflow:hidden}.errors{color:#b42318}textarea,input[type=text],"
		     "input[type=email]{width:100%%;padding:.5rem;font-size:1rem}.done{font-weight:"
		     "bold}</style><h1>%s</h1>",
		 PT(loc, P_NEW_REQUEST));
	if (in && in->errors.n) {
		buf_adds(&b, "<ul class=\"errors\" role=\"alert\">");
		for (size_t i = 0; i < in->errors.n; i++) {
			buf_adds(&b, "<li>");
			hc_escape(&b, in->errors.v[i]);
			buf_adds(&b, "</li>");
		}
		buf_adds(&b, "</ul>");
	}
	int offered = 0;
	for (int i = 0; i < nforms; i++)
		offered += forms[i].id != 0;
	if (offered > 1) { /* which form: a GET form, so it works without script */
		buf_addf(&b, "<form method=\"get\" class=\"form-picker\" action=\"/hc/%s/requests/new\">"
			     "<p><label for=\"f-ticket-form\">%s</label><br>"
			     "<select id=\"f-ticket-form\" name=\"ticket_form_id\">",
			 loc, PT(loc, P_WHICH_FORM));
		for (int i = 0; i < nforms; i++) {
			if (!forms[i].id)
				continue;
			buf_addf(&b, "<option value=\"%" PRId64 "\"%s>", forms[i].id,
				 &forms[i] == chosen ? " selected" : "");
			hc_escape(&b, forms[i].display_name);
			buf_adds(&b, "</option>");
		}
		buf_addf(&b, "</select> <button type=\"submit\">%s</button></p></form>",
			 PT(loc, P_CHOOSE));
	}
	buf_addf(&b,
		 "<form id=\"request-form\" method=\"post\" action=\"/hc/%s/requests/new\""
		 " enctype=\"multipart/form-data\""
		 " data-locale=\"%s\" data-heading=\"%s\" data-solved=\"%s\" data-glad=\"%s\">"
		 "<input type=\"hidden\" name=\"token\" value=\"%s\">",
		 loc, loc, PT(loc, P_SUGGESTED), PT(loc, P_SOLVED_IT), PT(loc, P_GLAD), token);
	if (chosen)
		buf_addf(&b, "<input type=\"hidden\" name=\"ticket_form_id\" value=\"%" PRId64 "\">",
			 chosen->id);
	if (who) {
		buf_addf(&b, "<p class=\"meta\">%s", PT(loc, P_SIGNED_IN_AS));
		hc_escape(&b, who_name);
		buf_adds(&b, "</p>");
	} else {
		input(&b, "email", "email", PT(loc, P_EMAIL), in ? in->email : NULL, 1,
		      " autocomplete=\"email\"");
		input(&b, "text", "name", PT(loc, P_NAME), in ? in->name : NULL, 0,
		      " autocomplete=\"name\"");
	}
	if (in && in->flow_id) { /* from a troubleshooting flow */
		buf_addf(&b, "<input type=\"hidden\" name=\"flow\" value=\"%" PRId64 "\">"
			     "<input type=\"hidden\" name=\"path\" value=\"%s\">"
			     "<div class=\"flow-tried card\"><p><strong>%s</strong></p><p>",
			 in->flow_id, in->flow_path, PT(loc, P_FLOW_TRIED));
		hc_escape(&b, in->flow_title);
		buf_adds(&b, "</p><ol>");
		for (const char *l = in->flow_text; *l;) {
			const char *e = strchr(l, '\n');
			size_t n = e ? (size_t)(e - l) : strlen(l);
			const char *dot = memchr(l, ' ', n); /* drop the "1. " numbering */
			buf_adds(&b, "<li>");
			if (dot)
				hc_escape_n(&b, dot + 1, n - (size_t)(dot + 1 - l));
			buf_adds(&b, "</li>");
			l += n + (e ? 1 : 0);
		}
		buf_adds(&b, "</ol></div>");
	}
	input(&b, "text", "subject", PT(loc, P_SUBJECT), in ? in->subject : NULL, 1,
	      " autocomplete=\"off\" maxlength=\"255\"");
	buf_adds(&b, "<div id=\"suggestions\" aria-live=\"polite\"></div>");
	buf_addf(&b, "<p><label for=\"f-description\">%s</label><br><textarea id=\"f-description\""
		     " name=\"description\" rows=\"8\" required>",
		 PT(loc, P_DESCRIPTION));
	hc_escape(&b, in && in->description ? in->description : "");
	buf_adds(&b, "</textarea></p>");
	for (int i = 0; i < nf; i++) {
		const struct field *f = &fields[i];
		char name[32];
		snprintf(name, sizeof(name), "field_%" PRId64, f->id);
		const char *val = NULL;
		for (int k = 0; in && k < in->nvalues; k++)
			if (in->values[k].id == f->id)
				val = in->values[k].value_json;
		if (!strcmp(f->type, "checkbox")) {
			buf_addf(&b, "<p><label><input type=\"checkbox\" name=\"%s\" value=\"1\"%s> ",
				 name, val && !strcmp(val, "true") ? " checked" : "");
			hc_escape(&b, field_label(f));
			buf_adds(&b, "</label></p>");
			continue;
		}
		if (!strcmp(f->type, "multiselect")) { /* a checkbox per option */
			json_t *jv = val ? json_loads(val, JSON_DECODE_ANY, NULL) : NULL;
			buf_adds(&b, "<fieldset class=\"multiselect\"><legend>");
			hc_escape(&b, field_label(f));
			buf_adds(&b, "</legend>");
			for (size_t o = 0; o < f->noptions; o++) {
				int on = 0;
				size_t k;
				json_t *e;
				json_array_foreach(jv, k, e)
					on |= json_is_string(e) &&
					      !strcmp(json_string_value(e), f->options[o].value);
				buf_addf(&b, "<label><input type=\"checkbox\" name=\"%s\" value=\"", name);
				hc_escape(&b, f->options[o].value);
				buf_addf(&b, "\"%s> ", on ? " checked" : "");
				hc_escape(&b, f->options[o].name);
				buf_adds(&b, "</label><br>");
			}
			buf_adds(&b, "</fieldset>");
			json_decref(jv);
			continue;
		}
		if (!strcmp(f->type, "tagger")) { /* a dropdown: its options */
			json_t *jv = val ? json_loads(val, JSON_DECODE_ANY, NULL) : NULL;
			const char *cur = jv && json_is_string(jv) ? json_string_value(jv) : "";
			buf_addf(&b, "<p><label for=\"f-%s\">", name);
			hc_escape(&b, field_label(f));
			buf_addf(&b, "</label><br><select id=\"f-%s\" name=\"%s\"%s><option value=\"\">-</option>",
				 name, name, f->required_in_portal ? " required" : "");
			for (size_t o = 0; o < f->noptions; o++) {
				buf_adds(&b, "<option value=\"");
				hc_escape(&b, f->options[o].value);
				buf_addf(&b, "\"%s>", !strcmp(cur, f->options[o].value) ? " selected" : "");
				hc_escape(&b, f->options[o].name);
				buf_adds(&b, "</option>");
			}
			buf_adds(&b, "</select></p>");
			json_decref(jv);
			continue;
		}
		/* the form keeps text values as JSON strings: show the text */
		json_t *jv = val ? json_loads(val, JSON_DECODE_ANY, NULL) : NULL;
		input(&b, !strcmp(f->type, "date") ? "date" : "text", name, field_label(f),
		      jv && json_is_string(jv) ? json_string_value(jv) : NULL,
		      f->required_in_portal, NULL);
		json_decref(jv);
	}
	buf_addf(&b, "<p><label for=\"f-attachments\">%s</label><br><input type=\"file\""
		     " id=\"f-attachments\" name=\"attachments\" multiple></p>",
		 PT(loc, P_ATTACHMENTS));
	buf_addf(&b,
		 "<div class=\"hp\" aria-hidden=\"true\"><label>%s <input type=\"text\" "
		 "name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></label></div>"
		 "<p><button type=\"submit\">%s</button></p></form>"
		 "<script src=\"/hc/assets/suggest.js\" defer></script>",
		 PT(loc, P_WEBSITE), PT(loc, P_SUBMIT));
	if (fields)
		field_list_free(fields, nall);
	ticket_form_list_free(forms, nforms);
	hc_page_finish(r, &b, status, 1);
	if (!have)
		hc_visitor_cookie_set(r, token);
	return 0;
}

static int request_new_page(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	struct actor a;
	char csrf[65], *name = NULL;
	int rc = hc_portal_actor(r, &a, csrf, &name);
	if (rc < 0)
		return reply_db_down(r);
	struct form f = {0};
	int frc = flow_context(r, rc ? NULL : &a, req_arg(r, "flow"), req_arg(r, "path"), &f);
	if (frc < 0) {
		free(name);
		return reply_db_down(r);
	}
	if (!frc)
		f.subject = xstrdup(f.flow_title);
	rc = show_form(r, loc, frc ? NULL : &f, 200, rc ? NULL : &a, name);
	form_clear(&f);
	free(name);
	return rc;
}

#define FORM_MAX_FILES 5

/* One attached file, stored on disk already (attachment_file_put). */
struct form_file {
	char name[FILETYPE_NAME_MAX + 1];
	char type[128];
	char sha[65];
	const char *data; /* into the request body */
	size_t len;
};

struct submit {
	/* in */
	const struct form *f;
	struct form_file files[FORM_MAX_FILES];
	int nfiles;
	const char *data_dir;
	char visitor[65];	/* SHA-256 of the visitor token: its reads go with the ticket */
	const char *email;	/* normalized; NULL when signed in */
	int64_t user_id;	/* signed in; 0 = find or create by email */
	char ip_key[80], email_key[300];
	int ip_limit, email_limit;
	int64_t now;
	/* out */
	int limited;
	int64_t ticket_id;
	int status;
	char err[256];
};

static int submit_run(struct db *db, void *arg)
{
	struct submit *s = arg;
	int64_t n = 0;
	int rc;
	s->limited = 0;
	if ((rc = portal_rate_count(db, s->ip_key, s->now - 3600, &n)))
		return rc;
	if (s->ip_limit > 0 && n >= s->ip_limit) {
		s->limited = 1;
		return 0;
	}
	if (s->email_key[0]) {
		if ((rc = portal_rate_count(db, s->email_key, s->now - 3600, &n)))
			return rc;
		if (s->email_limit > 0 && n >= s->email_limit) {
			s->limited = 1;
			return 0;
		}
	}
	if ((rc = portal_rate_add(db, s->ip_key, s->now)))
		return rc;
	if (s->email_key[0] && (rc = portal_rate_add(db, s->email_key, s->now)))
		return rc;
	int64_t uid = s->user_id;
	if (!uid) {
		rc = identity_store_find(db, "email", s->email, &uid);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			struct user u = {0};
			if (!blank(s->f->name)) {
				u.name = xstrdup(s->f->name);
			} else {
				const char *at = strchr(s->email, '@');
				u.name = xstrndup(s->email, (size_t)(at - s->email));
			}
			u.email = xstrdup(s->email);
			u.role = ROLE_END_USER;
			u.active = 1;
			rc = user_insert_write(db, &u);
			uid = u.id;
			user_clear(&u);
			if (rc)
				return rc;
		}
	}
	struct ticket_change c = {0};
	for (int i = 0; i < s->nfiles; i++) { /* the attachments: one upload each, as the requester */
		char tok[41];
		token_new(tok);
		struct form_file *ff = &s->files[i];
		struct attachment_upload u = {.data_dir = s->data_dir, .token = "", .new_token = tok,
					      .user_id = uid, .now = s->now, .file_name = ff->name,
					      .content_type = ff->type, .sha256 = ff->sha,
					      .data = ff->data, .len = ff->len};
		if ((rc = attachment_upload_run(db, &u))) {
			s->status = u.status ? u.status : 500;
			snprintf(s->err, sizeof(s->err), "%s", u.err);
			ticket_change_clear(&c);
			return rc;
		}
		strlist_add(&c.upload_tokens, tok);
	}
	c.set = TF_SUBJECT | TF_REQUESTER;
	c.v.subject = xstrdup(s->f->subject);
	c.v.requester_id = uid;
	if (s->f->flow_id) { /* the steps the customer took in a troubleshooting flow */
		struct buf d = BUF_INIT;
		buf_addf(&d, "%s\n\n---\n%s: %s\n%s", s->f->description,
			 PT(s->f->flow_locale, P_FLOW_TICKET), s->f->flow_title, s->f->flow_text);
		c.comment_body = buf_detach(&d);
		if ((rc = hc_flow_outcome_add(db, s->f->flow_id, s->f->flow_locale, "contact"))) {
			ticket_change_clear(&c);
			return rc;
		}
	} else {
		c.comment_body = xstrdup(s->f->description);
	}
	c.comment_public = 1;
	c.comment_author_id = uid;
	if (s->f->ticket_form_id) {
		c.set |= TF_FORM;
		c.v.ticket_form_id = s->f->ticket_form_id;
	}
	if (s->f->nvalues) {
		c.set |= TF_FIELDS;
		c.v.fields = xcalloc((size_t)s->f->nvalues, sizeof(*c.v.fields));
		for (int i = 0; i < s->f->nvalues; i++) {
			c.v.fields[i].id = s->f->values[i].id;
			c.v.fields[i].value_json = xstrdup(s->f->values[i].value_json);
		}
		c.v.nfields = (size_t)s->f->nvalues;
	}
	/* the channel decides what a web form may set (subject, requester,
	 * the comment, portal fields): run as admin, recorded as the requester,
	 * as the email channel does */
	struct ticket_write w = {.who = {.user_id = uid, .role = ROLE_ADMIN},
				 .change = &c, .via = "web", .now = s->now};
	rc = ticket_write_run(db, &w);
	s->status = w.status;
	snprintf(s->err, sizeof(s->err), "%s", w.err);
	s->ticket_id = w.result.id;
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	if (rc == DB_REFUSED)
		return DB_REFUSED; /* undo the rate events too: nothing was created */
	if (!rc && s->visitor[0])
		rc = kb_ticket_visitor_set(db, s->ticket_id, s->visitor);
	return rc;
}

static int request_new_submit(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	struct actor a;
	char csrf[65], *who_name = NULL;
	int signed_in = hc_portal_actor(r, &a, csrf, &who_name);
	if (signed_in < 0)
		return reply_db_down(r);
	signed_in = signed_in == 0;
	struct form f = {0};
	if (r->too_large) { /* the body was dropped: say why, keep nothing */
		strlist_add(&f.errors, PT(loc, P_E_TOO_LARGE));
		int rc = show_form(r, loc, &f, 413, signed_in ? &a : NULL, who_name);
		free(who_name);
		form_clear(&f);
		return rc;
	}
	int long_subject = 0, long_desc = 0, long_name = 0, dummy = 0;
	char token[48] = "";
	form_value(r, "token", token, sizeof(token));
	f.subject = hc_form_get(r, "subject", MAX_SUBJECT, &long_subject);
	f.description = hc_form_get(r, "description", MAX_DESCRIPTION, &long_desc);
	f.email = signed_in ? NULL : hc_form_get(r, "email", 320, &dummy);
	f.name = signed_in ? NULL : hc_form_get(r, "name", MAX_NAME, &long_name);
	char *website = hc_form_get(r, "website", 200, &dummy);
	char *flow_id = hc_form_get(r, "flow", 32, &dummy), *flow_path = hc_form_get(r, "path", 200, &dummy);
	int frc = flow_context(r, signed_in ? &a : NULL, flow_id, flow_path, &f);
	free(flow_id);
	free(flow_path);
	if (frc < 0) {
		free(website), free(who_name);
		form_clear(&f);
		return reply_db_down(r);
	}
	const char *cookie = hc_visitor_token(r);
	int status = 422;
	if (!cookie || strlen(token) != 40 || memcmp(cookie, token, 40)) {
		strlist_add(&f.errors, PT(loc, P_E_TOKEN));
		status = 403;
	}
	if (!blank(website)) { /* a bot: say thanks, keep nothing */
		free(website);
		form_clear(&f);
		free(who_name);
		struct buf b = BUF_INIT;
		hc_page_start(&b, r, loc, PT(loc, P_RECEIVED), NULL, r->path);
		buf_addf(&b, "<h1>%s</h1>", PT(loc, P_RECEIVED));
		return hc_page_finish(r, &b, 200, 0);
	}
	free(website);
	utf8_or_drop(&f.subject, PT(loc, P_SUBJECT), loc, &f.errors);
	utf8_or_drop(&f.description, PT(loc, P_DESCRIPTION), loc, &f.errors);
	utf8_or_drop(&f.name, PT(loc, P_NAME), loc, &f.errors);
	utf8_or_drop(&f.email, PT(loc, P_EMAIL), loc, &f.errors);
	if (blank(f.subject))
		strlist_add(&f.errors, PT(loc, P_E_SUBJECT));
	else if (long_subject)
		strlist_add(&f.errors, PT(loc, P_E_SUBJECT_LONG));
	if (blank(f.description))
		strlist_add(&f.errors, PT(loc, P_E_DESCRIPTION));
	else if (long_desc)
		strlist_add(&f.errors, PT(loc, P_E_DESCRIPTION_LONG));
	char *email = NULL;
	if (!signed_in && (blank(f.email) || email_normalize(f.email, &email)))
		strlist_add(&f.errors, PT(loc, P_E_EMAIL));
	if (long_name)
		strlist_add(&f.errors, PT(loc, P_E_NAME_LONG));
	/* the ticket form chosen, and its custom fields (values checked as the
	 * API checks them: core/field.h) */
	char formid[24] = "";
	form_value(r, "ticket_form_id", formid, sizeof(formid));
	if (strspn(formid, "0123456789") == strlen(formid) && strlen(formid) < 19)
		f.ticket_form_id = strtoll(formid, NULL, 10);
	struct field *fields = NULL;
	struct ticket_form *forms = NULL;
	const struct ticket_form *chosen = NULL;
	int nf = 0, nall = 0, nforms = 0;
	int rc = offered_forms(r, f.ticket_form_id, &forms, &nforms, &chosen);
	f.ticket_form_id = chosen ? chosen->id : 0;
	if (!rc)
		rc = portal_fields(r, chosen, &fields, &nf, &nall);
	ticket_form_list_free(forms, nforms);
	for (int i = 0; !rc && i < nf; i++) {
		char name[32];
		snprintf(name, sizeof(name), "field_%" PRId64, fields[i].id);
		int cut = 0;
		char *v = NULL, *vj = NULL;
		if (!strcmp(fields[i].type, "multiselect")) {
			/* the boxes ticked: as the API's array, checked like it */
			json_t *ticked = form_values(r, name, 255, fields[i].noptions, &cut);
			if (json_array_size(ticked) || cut)
				v = json_dumps(ticked, JSON_COMPACT);
			json_decref(ticked);
		} else {
			v = hc_form_get(r, name, MAX_DESCRIPTION, &cut);
		}
		if (!strcmp(fields[i].type, "multiselect") && v) {
			char ferr[200];
			if (cut || field_value_check(&fields[i], v, &vj, ferr, sizeof(ferr))) {
				struct buf e = BUF_INIT;
				buf_adds(&e, PT(loc, P_E_FIELD));
				buf_adds(&e, field_label(&fields[i]));
				strlist_add(&f.errors, e.s);
				buf_release(&e);
				vj = v; /* kept to show again */
				v = NULL;
			}
		} else if (!strcmp(fields[i].type, "checkbox")) {
			vj = xstrdup(v && !blank(v) ? "true" : "false");
		} else if (!blank(v)) {
			json_t *js = json_string(v);
			char *raw = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
			json_decref(js);
			char ferr[200];
			if (!raw || field_value_check(&fields[i], raw, &vj, ferr, sizeof(ferr))) {
				/* not UTF-8, not an option of the dropdown, not a number... */
				struct buf e = BUF_INIT;
				buf_adds(&e, PT(loc, P_E_FIELD));
				buf_adds(&e, field_label(&fields[i]));
				strlist_add(&f.errors, e.s);
				buf_release(&e);
				vj = raw; /* kept to show again */
				raw = NULL;
			}
			free(raw);
		} else if (fields[i].required_in_portal) {
			struct buf e = BUF_INIT;
			buf_adds(&e, PT(loc, P_E_REQUIRED));
			buf_adds(&e, field_label(&fields[i]));
			strlist_add(&f.errors, e.s);
			buf_release(&e);
		}
		if (vj) {
			f.values[f.nvalues].id = fields[i].id;
			f.values[f.nvalues++].value_json = vj;
		}
		free(v);
	}
	if (fields)
		field_list_free(fields, nall);
	if (rc) {
		free(email), free(who_name);
		form_clear(&f);
		return reply_db_down(r);
	}
	if (f.errors.n) {
		rc = show_form(r, loc, &f, status, signed_in ? &a : NULL, who_name);
		free(email), free(who_name);
		form_clear(&f);
		return rc;
	}
	/* the attachments: named, sniffed and put on disk before the write */
	struct submit s = {.f = &f, .email = email, .user_id = signed_in ? a.user_id : 0,
			   .data_dir = r->srv->cfg.data_dir,
			   .ip_limit = r->srv->cfg.hc_form_ip_limit,
			   .email_limit = r->srv->cfg.hc_form_email_limit, .now = now_seconds()};
	token_hash(cookie, s.visitor); /* checked above: the form's token matched it */
	char ip[64];
	hc_client_ip(r, ip, sizeof(ip));
	snprintf(s.ip_key, sizeof(s.ip_key), "form-ip:%s", ip);
	if (email)
		snprintf(s.email_key, sizeof(s.email_key), "form-email:%s", email);
	else
		snprintf(s.email_key, sizeof(s.email_key), "form-user:%" PRId64, a.user_id);
	/* files only from someone under the hourly limit (the write checks
	 * again, atomically): a refused sender fills no disk */
	const struct form_parts *fp = form_parts(r);
	int64_t sent = 0;
	if (fp && s.ip_limit > 0 &&
	    !portal_rate_count(req_db(r), s.ip_key, s.now - 3600, &sent) && sent >= s.ip_limit)
		fp = NULL;
	for (int i = 0; fp && i < fp->n; i++) {
		const struct multipart_part *pt = &fp->p[i];
		if (!pt->is_file || strcmp(pt->name, "attachments") || !pt->len)
			continue; /* an empty file input sends a part with no data */
		if (s.nfiles == FORM_MAX_FILES) {
			strlist_add(&f.errors, PT(loc, P_E_FILES));
			break;
		}
		struct form_file *ff = &s.files[s.nfiles];
		char ferr[128];
		if (filetype_name_clean(pt->filename, strlen(pt->filename), ff->name,
					sizeof(ff->name), ferr, sizeof(ferr)))
			snprintf(ff->name, sizeof(ff->name), "attachment-%d", s.nfiles + 1);
		filetype_sniff(pt->data, pt->len, ff->type, sizeof(ff->type));
		if (attachment_file_put(r->srv->cfg.data_dir, pt->data, pt->len, ff->sha)) {
			log_error("portal", "cannot store an attachment in '%s/files'",
				  r->srv->cfg.data_dir);
			strlist_add(&f.errors, PT(loc, P_E_FILE_STORE));
			break;
		}
		ff->data = pt->data;
		ff->len = pt->len;
		s.nfiles++;
	}
	if (f.errors.n) {
		rc = show_form(r, loc, &f, 422, signed_in ? &a : NULL, who_name);
		free(email), free(who_name);
		form_clear(&f);
		return rc;
	}
	rc = store_write(r->srv->store, submit_run, &s);
	free(email);
	if (rc && rc != DB_REFUSED) {
		free(who_name);
		form_clear(&f);
		return reply_db_down(r);
	}
	if (s.limited || rc == DB_REFUSED) {
		if (s.limited)
			strlist_add(&f.errors, PT(loc, P_E_RATE));
		else {
			struct buf e = BUF_INIT;
			buf_adds(&e, PT(loc, P_E_FIELD));
			buf_adds(&e, s.err);
			strlist_add(&f.errors, e.s);
			buf_release(&e);
		}
		rc = show_form(r, loc, &f, s.limited ? 429 : 422, signed_in ? &a : NULL, who_name);
		if (s.limited)
			reply_header(r, "Retry-After", "3600");
		free(who_name);
		form_clear(&f);
		return rc;
	}
	free(who_name);
	form_clear(&f);
	char secret[65], url[512];
	if (portal_secret_load(r->srv->store, secret))
		return reply_db_down(r);
	portal_status_url("", loc, secret, s.ticket_id, url, sizeof(url));
	struct buf b = BUF_INIT;
	hc_page_start(&b, r, loc, PT(loc, P_RECEIVED), NULL, r->path);
	buf_addf(&b, "<h1>%s</h1><p class=\"ticket-number\">", PT(loc, P_RECEIVED));
	buf_addf(&b, PT(loc, P_NUMBER), (long long)s.ticket_id);
	buf_adds(&b, "</p><p><a class=\"status-link\" href=\"");
	hc_escape(&b, url);
	buf_addf(&b, "\">%s</a></p>", PT(loc, P_FOLLOW));
	return hc_page_finish(r, &b, 200, 0);
}

/* ---- one request ------------------------------------------------------------ */

/* Who may see request r->id[0]: the signed-in user it is visible to, or a
 * valid status token (token: from the query or the form).  Fills *t.
 * 0 allowed, 1 not (404), <0 database error.  *by_token set for the
 * token path. */
static int request_access(struct req *r, const char *token, struct actor *a, char csrf[65],
			  struct ticket *t, int *by_token)
{
	*by_token = 0;
	int rc = ticket_store_get(req_db(r), r->id[0], t);
	if (rc)
		return rc;
	if (t->merged_into)
		return 1;
	rc = hc_portal_actor(r, a, csrf, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0 && ticket_can_view(a, t))
		return 0;
	char secret[65];
	if (token && *token) {
		if (portal_secret_load(r->srv->store, secret))
			return DB_ERR;
		if (portal_status_token_ok(secret, t->id, token)) {
			*by_token = 1;
			memset(a, 0, sizeof(*a));
			a->user_id = t->requester_id;
			a->role = ROLE_END_USER;
			return 0;
		}
	}
	return 1;
}

static int request_page_show(struct req *r, const char *loc, const char *token, int status,
			     const char *notice)
{
	struct actor a;
	char csrf[65] = "";
	struct ticket t = {0};
	int by_token;
	int rc = request_access(r, token, &a, csrf, &t, &by_token);
	if (rc) {
		ticket_clear(&t);
		return rc < 0 ? reply_db_down(r) : hc_page_not_found(r, loc);
	}
	struct comment *cs = NULL;
	int nc = 0;
	if (comment_store_list(req_db(r), t.id, 1, 0, 500, &cs, &nc)) {
		ticket_clear(&t);
		return reply_db_down(r);
	}
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/requests/%" PRId64, loc, t.id);
	hc_page_start(&b, r, loc, t.subject ? t.subject : PT(loc, P_REQUEST), NULL, path);
	buf_adds(&b, "<style>.comment{border-bottom:1px solid #eee;padding:.5rem 0}"
		     "textarea{width:100%;padding:.5rem;font-size:1rem}</style>");
	if (notice)
		buf_addf(&b, "<p class=\"meta\" role=\"status\">%s</p>", notice);
	buf_addf(&b, "<h1>%s #%" PRId64 ": ", PT(loc, P_REQUEST), t.id);
	hc_escape(&b, t.subject ? t.subject : "");
	buf_addf(&b, "</h1><p class=\"meta\">%s: <span class=\"status\">", PT(loc, P_STATUS));
	hc_escape(&b, t.status);
	buf_adds(&b, "</span></p>");
	int64_t *ids = xcalloc((size_t)nc + 1, sizeof(*ids));
	for (int i = 0; i < nc; i++)
		ids[i] = cs[i].author_id;
	struct user *us = NULL;
	int nu = 0;
	if (nc && user_store_by_ids(req_db(r), ids, nc, &us, &nu))
		nu = 0;
	free(ids);
	for (int i = 0; i < nc; i++) {
		const char *who = "";
		for (int k = 0; k < nu; k++)
			if (us[k].id == cs[i].author_id && us[k].name)
				who = us[k].name;
		char when[32];
		iso8601(cs[i].created_at, when);
		buf_adds(&b, "<div class=\"comment\"><p class=\"meta\"><strong>");
		hc_escape(&b, who);
		buf_addf(&b, "</strong> %s</p>", when);
		buf_adds(&b, cs[i].html_body ? cs[i].html_body : ""); /* sanitized on write */
		if (cs[i].nattachments) { /* downloads through this page's access */
			buf_addf(&b, "<ul class=\"attachments\" aria-label=\"%s\">",
				 PT(loc, P_ATTACHED));
			for (int k = 0; k < cs[i].nattachments; k++) {
				const struct attachment *at = &cs[i].attachments[k];
				buf_addf(&b, "<li><a href=\"/hc/%s/requests/%" PRId64
					     "/attachments/%" PRId64,
					 loc, t.id, at->id);
				if (by_token && token) {
					buf_adds(&b, "?token=");
					hc_escape(&b, token);
				}
				buf_adds(&b, "\">");
				hc_escape(&b, at->file_name);
				buf_addf(&b, "</a> <span class=\"meta\">(%lld B)</span></li>",
					 (long long)at->size);
			}
			buf_adds(&b, "</ul>");
		}
		buf_adds(&b, "</div>");
	}
	if (us)
		user_list_free(us, nu);
	comment_list_free(cs, nc);
	if (status == 422)
		buf_addf(&b, "<p class=\"errors\" role=\"alert\">%s</p>", PT(loc, P_E_REPLY));
	/* the requester of a solved or closed request rates it here: the same
	 * signed survey link as the CSAT mail (api/satisfaction.c checks the
	 * window and the token) */
	char *secret = NULL;
	if (a.user_id == t.requester_id &&
	    (!strcmp(t.status, "solved") || !strcmp(t.status, "closed")) &&
	    setting_get(req_db(r), "csat_secret", &secret) == 0) {
		char ct[65];
		csat_token(secret, t.id, t.requester_id, ct);
		sodium_memzero(secret, strlen(secret));
		buf_addf(&b,
			 "<p class=\"csat\"><a href=\"/hc/requests/%" PRId64
			 "/satisfaction?token=%s\">%s</a></p>",
			 t.id, ct, PT(loc, P_RATE));
	}
	free(secret);
	if (strcmp(t.status, "closed")) {
		buf_addf(&b, "<form method=\"post\" action=\"%s\">", path);
		if (by_token) {
			buf_adds(&b, "<input type=\"hidden\" name=\"token\" value=\"");
			hc_escape(&b, token);
			buf_adds(&b, "\">");
		} else {
			buf_adds(&b, "<input type=\"hidden\" name=\"csrf\" value=\"");
			hc_escape(&b, csrf);
			buf_adds(&b, "\">");
		}
		buf_addf(&b,
			 "<p><label for=\"f-body\">%s</label><br><textarea id=\"f-body\" name=\"body\""
			 " rows=\"5\"></textarea></p><p><button type=\"submit\" name=\"action\""
			 " value=\"reply\">%s</button>",
			 PT(loc, P_REPLY), PT(loc, P_SEND));
		if (strcmp(t.status, "solved"))
			buf_addf(&b, " <button type=\"submit\" name=\"action\" value=\"solve\">%s"
				     "</button>",
				 PT(loc, P_MARK_SOLVED));
		buf_adds(&b, "</p></form>");
	}
	ticket_clear(&t);
	hc_page_finish(r, &b, status, 0);
	reply_header(r, "X-Robots-Tag", "noindex");
	reply_header(r, "Cache-Control", "private, no-store");
	return 0;
}

static int request_page(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	const char *token = req_arg(r, "token");
	if (token && (strlen(token) != PORTAL_TOKEN_HEX ||
		      strspn(token, "0123456789abcdef") != PORTAL_TOKEN_HEX))
		token = NULL;
	return request_page_show(r, loc, token, 200, NULL);
}

struct reply_op {
	struct actor who;
	int64_t ticket_id;
	char *body;	/* reply text or NULL */
	int solve;
	int64_t now;
	int status;
	char err[256];
};

static int reply_run(struct db *db, void *arg)
{
	struct reply_op *o = arg;
	struct ticket_change c = {0};
	if (o->body) {
		c.comment_body = xstrdup(o->body);
		c.comment_public = 1;
	}
	if (o->solve) {
		c.set |= TF_STATUS;
		c.v.status = xstrdup("solved");
		c.solve_unassigned = 1;
	}
	struct ticket_write w = {.who = o->who, .id = o->ticket_id, .change = &c, .via = "web",
				 .now = o->now};
	int rc = ticket_write_run(db, &w);
	o->status = w.status;
	snprintf(o->err, sizeof(o->err), "%s", w.err);
	ticket_write_clear(&w);
	ticket_change_clear(&c);
	return rc;
}

static int request_post(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	char token[48] = "", form_csrf[72] = "", action[16] = "";
	hc_form_value(r->body.s, r->body.len, "token", token, sizeof(token));
	hc_form_value(r->body.s, r->body.len, "csrf", form_csrf, sizeof(form_csrf));
	hc_form_value(r->body.s, r->body.len, "action", action, sizeof(action));
	struct actor a;
	char csrf[65] = "";
	struct ticket t = {0};
	int by_token;
	int rc = request_access(r, token, &a, csrf, &t, &by_token);
	ticket_clear(&t);
	if (rc)
		return rc < 0 ? reply_db_down(r) : hc_page_not_found(r, loc);
	/* a session write needs the session's token from the form: a page on
	 * another site cannot read it */
	if (!by_token && (!csrf[0] || strlen(form_csrf) != strlen(csrf) ||
			  memcmp(form_csrf, csrf, strlen(csrf)))) {
		struct buf b = BUF_INIT;
		hc_page_start(&b, r, loc, PT(loc, P_E_TOKEN), NULL, r->path);
		buf_addf(&b, "<p>%s</p>", PT(loc, P_E_TOKEN));
		return hc_page_finish(r, &b, 403, 0);
	}
	int too_long = 0;
	char *body = hc_form_get(r, "body", MAX_DESCRIPTION, &too_long);
	struct reply_op o = {.who = a, .ticket_id = r->id[0], .now = now_seconds()};
	o.solve = !strcmp(action, "solve");
	if (!hc_utf8_ok(body)) {
		free(body);
		return request_page_show(r, loc, by_token ? token : NULL, 422, NULL);
	}
	if (!blank(body))
		o.body = body;
	if (!o.body && !o.solve) {
		free(body);
		return request_page_show(r, loc, by_token ? token : NULL, 422, NULL);
	}
	if (!by_token)
		o.who.role = a.role; /* an agent signed in answers as itself */
	rc = store_write(r->srv->store, reply_run, &o);
	free(body);
	if (rc && rc != DB_REFUSED)
		return reply_db_down(r);
	if (rc == DB_REFUSED)
		return hc_page_not_found(r, loc);
	char where[160];
	snprintf(where, sizeof(where), "/hc/%s/requests/%" PRId64 "%s%s", loc, r->id[0],
		 by_token ? "?token=" : "", by_token ? token : "");
	reply_raw(r, 303, "text/html; charset=utf-8", "", 0);
	reply_header(r, "Location", where);
	return 0;
}

/* ---- signing in --------------------------------------------------------------- */

static int signin_page_show(struct req *r, const char *loc, int status, const char *notice)
{
	char token[41];
	int have = hc_visitor_token_or_new(r, token);
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/signin", loc);
	hc_page_start(&b, r, loc, PT(loc, P_SIGN_IN), NULL, path);
	buf_addf(&b, "<style>input[type=email],input[type=password]{width:100%%;padding:.5rem;"
		     "font-size:1rem}</style><h1>%s</h1>",
		 PT(loc, P_SIGN_IN));
	if (notice)
		buf_addf(&b, "<p class=\"notice\" role=\"status\">%s</p>", notice);
	buf_addf(&b,
		 "<h2>%s</h2><form method=\"post\" action=\"/hc/%s/signin\">"
		 "<input type=\"hidden\" name=\"token\" value=\"%s\">",
		 PT(loc, P_SIGN_IN_PW), loc, token);
	input(&b, "email", "email", PT(loc, P_EMAIL), NULL, 1, " autocomplete=\"email\"");
	input(&b, "password", "password", PT(loc, P_PASSWORD), NULL, 1,
	      " autocomplete=\"current-password\"");
	buf_addf(&b,
		 "<p><button type=\"submit\">%s</button></p></form><h2>%s</h2>"
		 "<form method=\"post\" action=\"/hc/%s/signin/link\">"
		 "<input type=\"hidden\" name=\"token\" value=\"%s\">",
		 PT(loc, P_SIGN_IN), PT(loc, P_SEND_LINK), loc, token);
	input(&b, "email", "email", PT(loc, P_EMAIL), NULL, 1, " autocomplete=\"email\"");
	buf_addf(&b, "<p><button type=\"submit\">%s</button></p></form>", PT(loc, P_SEND_LINK));
	hc_page_finish(r, &b, status, 0);
	if (!have)
		hc_visitor_cookie_set(r, token);
	return 0;
}

static int signin_page(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	return signin_page_show(r, loc, 200, NULL);
}

/* The double-submit token of a sign-in form matches its cookie (login
 * CSRF: another site cannot sign a visitor in as someone else). */
static int form_token_ok(struct req *r)
{
	char token[48] = "";
	hc_form_value(r->body.s, r->body.len, "token", token, sizeof(token));
	const char *cookie = hc_visitor_token(r);
	return cookie && strlen(token) == 40 && !memcmp(cookie, token, 40);
}

/* Start a browser session for uid and send the visitor to its requests. */
static int signed_in_redirect(struct req *r, const char *loc, int64_t uid)
{
	char sid[41], csrf[41];
	if (session_create(r->srv, uid, sid, csrf))
		return reply_db_down(r);
	snprintf(r->session_cookie, sizeof(r->session_cookie),
		 "sonnim_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=1209600", sid);
	char where[64];
	snprintf(where, sizeof(where), "/hc/%s/requests", loc);
	reply_raw(r, 303, "text/html; charset=utf-8", "", 0);
	reply_header(r, "Location", where);
	return 0;
}

static int signin_password(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	if (!form_token_ok(r))
		return signin_page_show(r, loc, 403, PT(loc, P_E_TOKEN));
	int dummy = 0;
	char *email = hc_form_get(r, "email", 320, &dummy), *pw = hc_form_get(r, "password", 1024, &dummy);
	char *norm = NULL;
	struct user u = {0};
	int ok = email && pw && !email_normalize(email, &norm) &&
		 user_store_by_email(req_db(r), norm, &u) == 0 && u.active && !u.suspended &&
		 !u.merged_into && password_verify(u.password_hash, pw);
	int64_t uid = u.id;
	free(email), free(pw), free(norm);
	user_clear(&u);
	if (!ok)
		return signin_page_show(r, loc, 401, PT(loc, P_E_LOGIN));
	return signed_in_redirect(r, loc, uid);
}

struct link_op {
	char key[340];
	const char *email;
	const char *locale;
	int64_t now;
	int queued;
};

static int link_run(struct db *db, void *arg)
{
	struct link_op *o = arg;
	int64_t n = 0, uid = 0;
	int rc = portal_rate_count(db, o->key, o->now - 3600, &n);
	if (rc || n >= 5) /* at most 5 links an hour per address: no mail bombing */
		return rc;
	if ((rc = portal_rate_add(db, o->key, o->now)))
		return rc;
	rc = identity_store_find(db, "email", o->email, &uid);
	if (rc)
		return rc < 0 ? rc : 0; /* unknown: say the same as for a known one */
	char p[96];
	snprintf(p, sizeof(p), "{\"user_id\":%" PRId64 ",\"locale\":\"%s\"}", uid, o->locale);
	if ((rc = jobs_enqueue(db, "mail.signin", p, o->now, NULL)))
		return rc;
	o->queued = 1;
	return 0;
}

static int signin_link(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	if (!form_token_ok(r))
		return signin_page_show(r, loc, 403, PT(loc, P_E_TOKEN));
	int dummy = 0;
	char *email = hc_form_get(r, "email", 320, &dummy), *norm = NULL;
	if (!email || email_normalize(email, &norm)) {
		free(email);
		return signin_page_show(r, loc, 422, PT(loc, P_E_EMAIL));
	}
	free(email);
	struct link_op o = {.email = norm, .locale = loc, .now = now_seconds()};
	snprintf(o.key, sizeof(o.key), "signin:%s", norm);
	int rc = store_write(r->srv->store, link_run, &o);
	free(norm);
	if (rc)
		return reply_db_down(r);
	return signin_page_show(r, loc, 200, PT(loc, P_LINK_SENT));
}

struct use_op {
	char hash[65];
	int64_t user_id;
};

static int use_run(struct db *db, void *arg)
{
	struct use_op *o = arg;
	return portal_login_token_use(db, o->hash, now_seconds(), &o->user_id);
}

/* GET /hc/{locale}/signin/token?token=T: the link from the mail.  A GET
 * that signs in, as every emailed link must be; the token works once. */
static int signin_token(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	const char *t = req_arg(r, "token");
	struct use_op o = {0};
	int rc = 1;
	if (t && strlen(t) == 40 && strspn(t, "0123456789abcdef") == 40) {
		token_hash(t, o.hash);
		rc = store_write(r->srv->store, use_run, &o);
	}
	if (rc < 0)
		return reply_db_down(r);
	if (rc) {
		int s = signin_page_show(r, loc, 404, PT(loc, P_E_LINK));
		reply_header(r, "Referrer-Policy", "no-referrer");
		return s;
	}
	return signed_in_redirect(r, loc, o.user_id);
}

/* ---- my requests -------------------------------------------------------------- */

static void ticket_items(struct buf *b, const char *loc, const struct ticket *t, int n)
{
	if (!n) {
		buf_addf(b, "<p>%s</p>", PT(loc, P_NONE));
		return;
	}
	buf_adds(b, "<ul class=\"list\">");
	for (int i = 0; i < n; i++) {
		buf_addf(b, "<li><a href=\"/hc/%s/requests/%" PRId64 "\">#%" PRId64 " ", loc, t[i].id,
			 t[i].id);
		hc_escape(b, t[i].subject ? t[i].subject : "");
		buf_adds(b, "</a> <span class=\"meta\">");
		hc_escape(b, t[i].status);
		buf_adds(b, "</span></li>");
	}
	buf_adds(b, "</ul>");
}

static int my_requests(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	struct actor a;
	char csrf[65], *name = NULL;
	int rc = hc_portal_actor(r, &a, csrf, &name);
	if (rc < 0)
		return reply_db_down(r);
	if (rc) {
		char where[64];
		snprintf(where, sizeof(where), "/hc/%s/signin", loc);
		reply_raw(r, 303, "text/html; charset=utf-8", "", 0);
		reply_header(r, "Location", where);
		return 0;
	}
	struct ticket_filter mine = {.requester_id = a.user_id, .visible_to = &a,
				     .win = {.limit = 100, .desc = 1}};
	struct ticket *t = NULL, *o = NULL;
	int n = 0, no = 0;
	rc = ticket_store_list(req_db(r), &mine, &t, &n);
	if (!rc && a.role == ROLE_END_USER && a.org_shared && a.organization_id) {
		struct ticket_filter org = {.organization_id = a.organization_id, .visible_to = &a,
					    .win = {.limit = 100, .desc = 1}};
		rc = ticket_store_list(req_db(r), &org, &o, &no);
	}
	if (rc) {
		free(name);
		if (t)
			ticket_list_free(t, n);
		return reply_db_down(r);
	}
	struct buf b = BUF_INIT;
	char path[64];
	snprintf(path, sizeof(path), "/hc/%s/requests", loc);
	hc_page_start(&b, r, loc, PT(loc, P_MY_REQUESTS), NULL, path);
	buf_addf(&b, "<p class=\"meta\">%s", PT(loc, P_SIGNED_IN_AS));
	hc_escape(&b, name);
	buf_addf(&b, "</p><h1>%s</h1>", PT(loc, P_MY_REQUESTS));
	ticket_items(&b, loc, t, n);
	if (o) {
		buf_addf(&b, "<h2>%s</h2>", PT(loc, P_ORG_REQUESTS));
		ticket_items(&b, loc, o, no);
		ticket_list_free(o, no);
	}
	buf_addf(&b, "<p><a href=\"/hc/%s/requests/new\">%s</a></p>", loc, PT(loc, P_NEW_REQUEST));
	if (t)
		ticket_list_free(t, n);
	free(name);
	hc_page_finish(r, &b, 200, 0);
	reply_header(r, "Cache-Control", "private, no-store");
	return 0;
}

/* GET /hc/{locale}/requests/{id}/attachments/{aid}: a file of a public
 * comment of a request the visitor may open (signed in, or ?token= the
 * status link's token), as a download (never rendered in our origin). */
static int request_attachment(struct req *r)
{
	const char *loc = page_locale(r);
	if (!loc)
		return hc_page_not_found(r, HC_DEFAULT_LOCALE);
	struct actor a;
	char csrf[65] = "";
	struct ticket t = {0};
	int by_token;
	int rc = request_access(r, req_arg(r, "token"), &a, csrf, &t, &by_token);
	ticket_clear(&t);
	if (rc)
		return rc < 0 ? reply_db_down(r) : hc_page_not_found(r, loc);
	struct attachment_row row = {0};
	rc = attachment_store_get(req_db(r), r->id[1], &row);
	if (rc || row.ticket_id != r->id[0] || !row.comment_public) {
		attachment_row_clear(&row);
		return rc < 0 ? reply_db_down(r) : hc_page_not_found(r, loc);
	}
	char *data = NULL;
	size_t len = 0;
	if (attachment_file_read(r->srv->cfg.data_dir, row.a.sha256, &data, &len)) {
		attachment_row_clear(&row);
		return hc_page_not_found(r, loc);
	}
	reply_take(r, 200, "application/octet-stream", data, len);
	struct buf cd = BUF_INIT;
	/* an ASCII name, and the real one percent-encoded (RFC 6266) */
	const char *fname = row.a.file_name ? row.a.file_name : "file";
	buf_adds(&cd, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)fname; *p; p++)
		buf_addc(&cd, (*p == '"' || *p == '\\' || *p < 0x20 || *p >= 0x7f) ? '_' : (char)*p);
	buf_adds(&cd, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)fname; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(".-_~", *p))
			buf_addc(&cd, (char)*p);
		else
			buf_addf(&cd, "%%%02X", *p);
	}
	reply_header(r, "Content-Disposition", cd.s);
	reply_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
	reply_header(r, "Cache-Control", "private, no-cache");
	buf_release(&cd);
	attachment_row_clear(&row);
	return 0;
}

const struct route hc_portal_routes[] = {
    {M_GET, "/hc/{word}/signin", PUBLIC, signin_page, 0},
    {M_POST, "/hc/{word}/signin", PUBLIC, signin_password, 0},
    {M_POST, "/hc/{word}/signin/link", PUBLIC, signin_link, 0},
    {M_GET, "/hc/{word}/signin/token", PUBLIC, signin_token, 0},
    {M_GET, "/hc/{word}/requests", PUBLIC, my_requests, 0},
    {M_GET, "/hc/assets/suggest.js", PUBLIC, suggest_script, 0},
    {M_GET, "/hc/{word}/requests/new", PUBLIC, request_new_page, 0},
    {M_POST, "/hc/{word}/requests/new", PUBLIC, request_new_submit, 1}, /* attachments */
    {M_GET, "/hc/{word}/requests/{id}", PUBLIC, request_page, 0},
    {M_POST, "/hc/{word}/requests/{id}", PUBLIC, request_post, 0},
    {M_GET, "/hc/{word}/requests/{id}/attachments/{id}", PUBLIC, request_attachment, 0},
    {0},
};
