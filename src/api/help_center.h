/* help_center.h - what the Help Center API (api/help_center.c) shares
 * with the public help-center pages (api/hc_pages.c). */
#ifndef SONNIM_API_HELP_CENTER_H
#define SONNIM_API_HELP_CENTER_H
#include "http/http.h"
#include <stddef.h>
#include <stdint.h>

struct hc_view;

/* Authenticate r when it carries credentials (Authorization header or a
 * session cookie; bad ones get 401), else treat it as an anonymous
 * visitor; fill v for the locale in the path's {word} capture (none: NULL =
 * source locales).  0, or -1 after replying (401, 429, or 404 for a locale
 * the help center does not offer). */
int hc_reader_or_reply(struct req *r, struct hc_view *v);

/* Log a search that found nothing (the knowledge-gap report): query
 * trimmed, white space collapsed, ASCII lower-cased; locale may be NULL
 * (every locale).  Runs one store_write; failures are only logged by the
 * store, the search reply does not depend on it. */
void hc_note_miss(struct server *s, const char *query, const char *locale);

/* ---- the public pages' frame (api/hc_pages.c), for the other /hc pages
 * (api/hc_portal.c) ---- */
struct buf;
/* Open a page in locale: head (title, description when not NULL,
 * canonical link to path), theme, header with the search form. */
void hc_page_start(struct buf *b, struct req *r, const char *locale, const char *title,
		   const char *description, const char *path);
/* Close the page, reply with status and the security headers; script 1
 * allows same-origin scripts and fetches (CSP script-src/connect-src
 * 'self'), else the page may run no script at all.  Returns 0. */
int hc_page_finish(struct req *r, struct buf *b, int status, int script);
/* 404 page in locale.  Returns 0. */
int hc_page_not_found(struct req *r, const char *locale);
/* hc_reader_or_reply for a page: an unknown locale gets the 404 page.
 * 0, or -1 after replying. */
int hc_page_reader(struct req *r, struct hc_view *v);
/* The value of name in an application/x-www-form-urlencoded body, decoded
 * into out (cut at outlen - 1, on a byte: the caller checks UTF-8); 0, or
 * -1 when absent. */
int hc_form_value(const char *body, size_t len, const char *name, char *out, size_t outlen);
/* The visitor's double-submit token from the sonnim_hc cookie (40 hex),
 * or NULL. */
/* The peer's address as text ("127.0.0.1", "::1"); "?" when unknown
 * (api/hc_portal.c). */
void hc_client_ip(struct req *r, char *out, size_t n);
/* ---- the portal's session and form helpers (api/hc_portal.c) ---- */
struct actor;
/* The signed-in portal user from the session cookie, without the CSRF
 * header check (pages check a form field instead): 0 and a filled actor
 * (csrf = the session's token; *name owned, when name is not NULL), 1
 * nobody, <0 database error. */
int hc_portal_actor(struct req *r, struct actor *a, char csrf[65], char **name);
/* A form value of r's body into a heap string (cap bytes at most; NULL
 * when absent); *too_long set when it was cut (too_long may be NULL). */
char *hc_form_get(struct req *r, const char *name, size_t cap, int *too_long);
/* Is s valid UTF-8?  NULL counts as valid. */
int hc_utf8_ok(const char *s);
#define HC_VISITOR_COOKIE "sonnim_hc"
/* "Help Center" in locale (api/hc_pages.c). */
const char *hc_help_center_label(const char *locale);

/* ---- troubleshooting flows (api/hc_flow_page.c) ---- */
struct db;
struct hc_article;
struct hc_flow;
struct hc_flow_walk;
/* Article id as v reads it, its flow, and path ("0.1"; NULL = do not walk)
 * replayed into *w.  0 (caller clears *a and *f), 1 when there is no such
 * article, it has no flow, or the path does not fit it; <0 DB error. */
int hc_flow_load(struct db *db, int64_t id, const struct hc_view *v, const char *path,
		 struct hc_article *a, struct hc_flow *f, struct hc_flow_walk *w);
/* ---- the answer bot's outcomes (api/answer_bot.c), for the mail's
 * "this solved my request" page (api/hc_answers.c) ---- */
/* Record article_id as the answer (resolved 1) or as not helpful (0) for
 * the deflection of interaction token; a resolved question tied to a
 * ticket solves it as its requester.  *result is AB_* (store/
 * answer_bot_store.h), *ticket_id the deflection's ticket (0 none),
 * *ticket_solved 1 when the ticket was solved now.  0, or -1 on a
 * database error. */
int answer_bot_record(struct server *srv, const char *token, int64_t article_id, int resolved,
		      int *result, int64_t *ticket_id, int *ticket_solved);
/* "Start troubleshooting" in locale. */
const char *hc_flow_start_label(const char *locale);
const char *hc_visitor_token(struct req *r);
/* The visitor token into token: the cookie's (returns 1), or a new one
 * (returns 0: the page then sets it with hc_visitor_cookie_set). */
int hc_visitor_token_or_new(struct req *r, char token[41]);
/* Set-Cookie sonnim_hc=token (Path=/hc, a year, HttpOnly, SameSite=Lax). */
void hc_visitor_cookie_set(struct req *r, const char *token);
#endif
