/* markdown.h - help-center article bodies: Markdown (GitHub flavour) to
 * safe HTML.
 *
 * markdown_render() parses with cmark-gfm (CommonMark plus the GFM table,
 * strikethrough, autolink and tagfilter extensions), lets raw HTML through
 * the parser (so a Zendesk client that sends an HTML body gets it back),
 * then hands the whole rendering to the house sanitizer (core/html.h):
 * what reaches a browser is exactly what html_sanitize() allows, whatever
 * the Markdown or the HTML inside it said.  Script payloads come out as
 * inert text or not at all.
 *
 * Threads: pure function; cmark-gfm's extension registry is filled once
 * (pthread_once) and only read afterwards.
 */
#ifndef SONNIM_MARKDOWN_H
#define SONNIM_MARKDOWN_H
#include <stddef.h>

struct buf;

/* Largest Markdown source markdown_render() takes (bytes); the API
 * refuses longer bodies with 422. */
#define MARKDOWN_MAX (1 << 20)

/* Render src[0..len) (any bytes; NUL and invalid UTF-8 become U+FFFD; src
 * may be NULL when len is 0).  Safe HTML is appended to html (see
 * html_sanitize for what that means, caps included); the plain text of
 * the result (for search and meta descriptions) to text, when not NULL.
 * Returns 0, or -1 when len > MARKDOWN_MAX or cmark-gfm failed; then
 * html and text are left as they were. */
int markdown_render(const char *src, size_t len, struct buf *html, struct buf *text);
#endif
