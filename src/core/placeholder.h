/* placeholder.h - Zendesk/Liquid-style placeholders in macros, trigger
 * notifications and webhook bodies, rendered with no I/O.
 *
 * The caller fills a struct ph_context, a small name -> value table
 * ("ticket.id" -> "42"), once per ticket and user (store/placeholder_store.h
 * does it from the database), then renders any number of templates with it:
 *
 *   struct ph_context ctx = PH_CONTEXT_INIT;
 *   ph_set(&ctx, "ticket.title", "Printer is on fire");
 *   struct buf out = BUF_INIT;
 *   struct ph_report rep = PH_REPORT_INIT;
 *   ph_render(tmpl, strlen(tmpl), &ctx, PH_HTML, &out, &rep);
 *   ... out.s; rep.unknown; rep.errors ...
 *   buf_release(&out); ph_report_clear(&rep); ph_context_clear(&ctx);
 *
 * The template language (a subset of Liquid, as Zendesk uses it):
 *   {{ name }}                       the value of name, escaped for the mode
 *   {{ name | default: "x" }}        "x" when the value is empty or absent
 *   {{ name | upcase | downcase | strip }}   ASCII case, trim white space
 *   {% if cond %} {% elsif cond %} {% else %} {% endif %}
 *   {% unless cond %} ... {% else %} ... {% endunless %}
 *   cond: operand [== | != | contains operand], joined by `and` / `or`
 *   (`and` binds tighter than `or`); operands are names, "strings",
 *   'strings', numbers, true, false, nil, blank, empty.  A bare name is
 *   true when its value is non-empty and not "false" (Zendesk's placeholders
 *   are nil when the ticket has no such value; the context stores "").
 *   {{- name -}} and {%- ... -%} are accepted; the dashes trim nothing.
 *
 * Names are ph_known() names or any name put in the context.  A name that
 * is neither is "unknown": its {{ ... }} is left in the output as written
 * (through the mode's escaping) and its name is listed in the report, so an
 * editor can point at it; with a `default` filter the default is used.  A
 * known name missing from the context renders as "".
 *
 * Output modes: PH_TEXT inserts values as they are; PH_HTML escapes & < > "
 * ' in every value (names ending in "_html" hold sanitized HTML already and
 * are inserted as they are); PH_JSON escapes values as the inside of a JSON
 * string (" \ and control characters), for webhook bodies that put
 * placeholders between quotes.  Template text outside tags is copied as is.
 *
 * Malformed input never fails the render: an unclosed {{ or {% is copied
 * literally, an unknown tag or filter is skipped, an unclosed block is
 * closed at the end, an end without a block is ignored; each such case adds
 * a line to rep->errors ("unclosed '{{' at offset 12").  Limits: templates
 * over PH_MAX_INPUT bytes render their first PH_MAX_INPUT bytes; blocks
 * nest at most PH_MAX_DEPTH deep (deeper blocks render nothing); output
 * stops at PH_MAX_OUTPUT bytes (or out->max when set and smaller), with
 * rep->truncated set.  Time is linear in input plus output size.
 */
#ifndef SONNIM_PLACEHOLDER_H
#define SONNIM_PLACEHOLDER_H
#include "base/buf.h"
#include "core/ticket.h"
#include <stddef.h>

#define PH_MAX_INPUT (1024 * 1024)
#define PH_MAX_OUTPUT (4 * 1024 * 1024)
#define PH_MAX_DEPTH 32
#define PH_MAX_REPORT 50 /* at most this many unknown names and errors each */

enum ph_mode {
	PH_TEXT = 0, /* values as they are (mail text parts, comments) */
	PH_HTML = 1, /* values HTML-escaped (mail HTML parts) */
	PH_JSON = 2, /* values escaped for the inside of a JSON string */
};

/* One entry of the table; both strings owned by the context. */
struct ph_var {
	char *name;
	char *value;
};

/* The values of one rendering: a table owned by the caller. */
struct ph_context {
	struct ph_var *v;
	size_t n, alloc;
};
#define PH_CONTEXT_INIT {NULL, 0, 0}

/* Set name to value (both copied; an existing entry is replaced).  NULL
 * value stores "". */
void ph_set(struct ph_context *c, const char *name, const char *value);
void ph_setf(struct ph_context *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value of name, or NULL when the context has none (borrowed). */
const char *ph_get(const struct ph_context *c, const char *name);
void ph_context_clear(struct ph_context *c);

/* 1 when name is a placeholder Sonnim knows (the list in placeholder.c,
 * plus ticket.ticket_field_<id> and ticket.ticket_field_option_title_<id>),
 * else 0.  Used to tell "unknown" from "known but empty". */
int ph_known(const char *name);

/* What a render found wrong; both lists deduplicated, owned, at most
 * PH_MAX_REPORT entries each. */
struct ph_report {
	struct strlist unknown; /* names of unknown placeholders, in order seen */
	struct strlist errors;	/* "unclosed '{%' at offset 3", ... */
	int truncated;		/* output hit its cap */
};
#define PH_REPORT_INIT {{NULL, 0}, {NULL, 0}, 0}
void ph_report_clear(struct ph_report *rep);

/* Render tmpl (len bytes, need not be terminated; may hold any bytes) with
 * ctx in mode, appending to out.  rep may be NULL.  ctx may be NULL (every
 * known name is then ""; others unknown).  Returns the number of errors
 * (0 = the template is well-formed; unknown names do not count), never
 * negative; out always holds what could be rendered. */
int ph_render(const char *tmpl, size_t len, const struct ph_context *ctx, enum ph_mode mode,
	      struct buf *out, struct ph_report *rep);

/* Convenience: render a terminated template into a new owned string
 * (never NULL). */
char *ph_render_str(const char *tmpl, const struct ph_context *ctx, enum ph_mode mode,
		    struct ph_report *rep);
#endif
