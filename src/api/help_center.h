/* help_center.h - what the Help Center API (api/help_center.c) shares
 * with the public help-center pages (api/hc_pages.c). */
#ifndef SONNIM_API_HELP_CENTER_H
#define SONNIM_API_HELP_CENTER_H
#include "http/http.h"

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
#endif
