/* html.h - the allow-list HTML sanitizer for HTML from outside (comment
 * html_body from the API, inbound email bodies).
 *
 * html_sanitize() parses with libxml2's HTML parser, keeps a fixed list of
 * formatting elements and attributes, drops everything else, and writes
 * fresh markup of its own: every text and attribute value is re-escaped,
 * every element it opens it also closes.  The same pass renders the plain
 * text of the document.
 *
 * What survives (anything not listed is dropped):
 *   elements  p br div span b strong i em u s strike sub sup blockquote pre
 *             code ul ol li h1-h6 hr a img table thead tbody tfoot tr td th
 *             caption.  A few others are renamed to their nearest kept
 *             element: block containers (center section article header
 *             footer nav main aside address dl dt dd figure figcaption form
 *             fieldset legend details summary) become div, xmp/listing/
 *             plaintext become pre, menu becomes ul, tt/kbd/samp become code,
 *             del becomes s and ins becomes u.
 *   content   of script style iframe frame frameset object applet
 *             svg math template noscript noembed noframes head title xml
 *             select audio video (and of ns:script and the like) is dropped
 *             with the element; any other element (font, o:p, label, ...)
 *             is dropped but its content is kept.  Comments, processing
 *             instructions and doctypes are dropped.
 *   attrs     dir (ltr|rtl|auto) and lang on every kept element;
 *             a: href, title; img: src, alt, width, height;
 *             td/th: colspan, rowspan; ol: start.  Numbers must be numbers.
 *             href: http:, https:, mailto:, tel:, or no scheme at all
 *             (relative, #anchor); img src: http:, https:, cid: (an img
 *             without one is dropped).  The scheme is read the way a browser
 *             reads it: entities decoded, tabs and newlines removed anywhere,
 *             leading/trailing spaces and control characters removed, case
 *             ignored; so "jav&#x09;ascript:" and " JAVASCRIPT:" are refused.
 *             Every a gets rel="noopener noreferrer" target="_blank".
 *
 * Limits: kept elements nest at most HTML_MAX_DEPTH deep; deeper ones are
 * flattened (their tags dropped, their content kept; br/hr/img stay).  The
 * parser itself is restarted on the rest of the input every
 * HTML_PARSE_DEPTH open elements, and a tag keeps at most HTML_MAX_ATTRS
 * attributes, so the time spent is linear in the input.
 *
 * Threads: pure function; libxml2 is initialised once (pthread_once) and
 * nothing else is shared.
 */
#ifndef SONNIM_HTML_H
#define SONNIM_HTML_H
#include <stddef.h>

struct buf;

/* Kept elements nest at most this deep. */
#define HTML_MAX_DEPTH 100
/* Open elements after which the parser is restarted on the rest. */
#define HTML_PARSE_DEPTH 256
/* Attributes of one tag that reach the parser; the rest are cut first. */
#define HTML_MAX_ATTRS 64

/* Sanitize html[0..len) (any bytes: NULs and invalid UTF-8 become U+FFFD,
 * a <meta charset> is ignored, the input is taken as UTF-8; html may be NULL
 * when len is 0).
 *
 * out: safe HTML is appended; it is valid UTF-8 and every element opened in
 * it is closed in it.  When out has a cap (buf_init(out, max)) the output
 * stops at the last whole character or tag that fits while leaving room
 * for the closing tags, so it is still well-formed, just shorter.
 *
 * text (NULL: not wanted): the plain-text rendering is appended: entities
 * decoded, runs of white space collapsed to one space, br and block
 * elements as line breaks (at most one blank line in a row), "- " before
 * each list item (indented two spaces per nested list), table cells
 * separated by a space, link text without the URL, no leading or trailing
 * white space.  It is cut at a character boundary by text's cap.
 *
 * Returns 0.  Returns -1 only when libxml2 cannot parse at all (out of
 * memory, more than INT_MAX bytes); then out and text are reset to what
 * they held before the call and get the input as escaped text (out) and
 * as plain text (text) instead, so nothing is lost.
 */
int html_sanitize(const char *html, size_t len, struct buf *out, struct buf *text);
#endif
