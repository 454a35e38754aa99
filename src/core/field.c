/* field.c - ticket field definitions and value checks.  No I/O.
 *
 * Operations (see field.h): field_check() tidies a definition before the
 * store keeps it; field_value_check() checks one custom field value of a
 * ticket against its stored definition and gives the canonical JSON text to
 * keep; field_value_tags() lists the tags that value puts on the ticket.
 * The API calls field_check() on create/update of a field; the ticket write
 * path calls field_value_check() once per custom field value it is given.
 *
 * Values arrive as JSON text (struct field_value) and are parsed once with
 * jansson; the checks are table lookups and small scanners, except regexp
 * fields: their Ruby-style pattern (what Zendesk admins write, e.g.
 * \A\d{3}-\d{4}\z) is translated to a POSIX extended regular expression and
 * compiled with regcomp() for each check - a pattern is at most 1 KiB and a
 * value at most 64 KiB, and glibc's matcher does not backtrack
 * exponentially without back-references, which the translation refuses.
 */
#include "core/field.h"
#include "base/buf.h"
#include "base/util.h"
#include <inttypes.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT 65536	 /* longest text value, as the API's MAX_FIELD */
#define MAX_PATTERN 1024 /* longest regexp_for_validation */
#define MAX_OPTIONS 2000 /* options per field (Zendesk's limit is about this) */
#define MAX_TITLE 255

static const char *const custom_types[] = {"text",   "textarea", "checkbox",
					   "date",   "integer",	 "decimal",
					   "regexp", "tagger",	 "multiselect"};
static const char *const system_types[] = {"subject",  "description", "status",	 "tickettype",
					   "priority", "group",	      "assignee"};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

int field_type_custom(const char *type)
{
	return in_list(type, custom_types, ARRAY_SIZE(custom_types));
}

int field_type_system(const char *type)
{
	return in_list(type, system_types, ARRAY_SIZE(system_types));
}

int field_type_has_options(const char *type)
{
	return type && (!strcmp(type, "tagger") || !strcmp(type, "multiselect"));
}

void field_option_add(struct field *f, int64_t id, const char *name, const char *value,
		      int position)
{
	f->options = xrealloc(f->options, (f->noptions + 1) * sizeof(*f->options));
	struct field_option *o = &f->options[f->noptions++];
	o->id = id;
	o->name = xstrdup(name ? name : "");
	o->value = xstrdup(value ? value : "");
	o->position = position;
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

void field_copy(struct field *dst, const struct field *src)
{
	*dst = *src;
	dst->type = dup_or_null(src->type);
	dst->title = dup_or_null(src->title);
	dst->description = dup_or_null(src->description);
	dst->agent_description = dup_or_null(src->agent_description);
	dst->title_in_portal = dup_or_null(src->title_in_portal);
	dst->regexp_for_validation = dup_or_null(src->regexp_for_validation);
	dst->tag = dup_or_null(src->tag);
	dst->options = NULL;
	dst->noptions = 0;
	for (size_t i = 0; i < src->noptions; i++)
		field_option_add(dst, src->options[i].id, src->options[i].name,
				 src->options[i].value, src->options[i].position);
}

void field_clear(struct field *f)
{
	free(f->type);
	free(f->title);
	free(f->description);
	free(f->agent_description);
	free(f->title_in_portal);
	free(f->regexp_for_validation);
	free(f->tag);
	for (size_t i = 0; i < f->noptions; i++) {
		free(f->options[i].name);
		free(f->options[i].value);
	}
	free(f->options);
	memset(f, 0, sizeof(*f));
}

/* ---- regexp: Ruby syntax -> POSIX ERE ---------------------------------- */

/* Translate the body of a bracket expression starting after '[' (and '^').
 * Ruby escapes inside brackets become POSIX items; ']' '-' '^' given as
 * escapes are placed where POSIX reads them literally.  Returns the
 * position after the closing ']' or NULL when unsupported. */
static const char *bracket(const char *p, int neg, struct buf *out)
{
	struct buf body = BUF_INIT;
	int rbracket = 0, dash = 0, caret = 0;
	if (*p == ']') { /* a leading ']' is literal in both dialects */
		rbracket = 1;
		p++;
	}
	for (; *p && *p != ']'; p++) {
		if (*p == '[') {
			if (p[1] != ':') /* Ruby's nested classes and set operations */
				goto fail;
			const char *end = strstr(p, ":]");
			if (!end)
				goto fail;
			buf_add(&body, p, (size_t)(end + 2 - p));
			p = end + 1;
			continue;
		}
		if (*p == '&' && p[1] == '&')
			goto fail;
		if (*p != '\\') {
			buf_addc(&body, *p);
			continue;
		}
		char c = *++p;
		switch (c) {
		case 'd':
			buf_adds(&body, "0-9");
			break;
		case 'w':
			buf_adds(&body, "[:alnum:]_");
			break;
		case 's':
			buf_adds(&body, "[:space:]");
			break;
		case 'h':
			buf_adds(&body, "0-9a-fA-F");
			break;
		case 'n':
			buf_addc(&body, '\n');
			break;
		case 't':
			buf_addc(&body, '\t');
			break;
		case ']':
			rbracket = 1;
			break;
		case '-':
			dash = 1;
			break;
		case '^':
			caret = 1;
			break;
		case '\0':
			goto fail;
		default:
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9'))
				goto fail; /* \D, \W, \p{..}, \1 ...: no POSIX form here */
			buf_addc(&body, c);
		}
	}
	if (*p != ']')
		goto fail;
	if (!neg && !rbracket && !body.len && caret) {
		/* nothing may come before a literal '^' */
		buf_adds(out, dash ? "[-^]" : "\\^");
	} else {
		buf_addc(out, '[');
		if (neg)
			buf_addc(out, '^');
		if (rbracket)
			buf_addc(out, ']');
		buf_add(out, body.s, body.len);
		if (caret)
			buf_addc(out, '^');
		if (dash)
			buf_addc(out, '-');
		buf_addc(out, ']');
	}
	buf_release(&body);
	return p + 1;
fail:
	buf_release(&body);
	return NULL;
}

/* Owned POSIX ERE for a Ruby-style pattern, or NULL when the pattern uses
 * something without a POSIX equivalent (look-around, back-references,
 * inline options, Unicode properties). */
static char *regexp_translate(const char *re)
{
	struct buf out = BUF_INIT;
	const char *p = re;
	while (*p) {
		char c = *p;
		if (c == '[') {
			int neg = p[1] == '^';
			p = bracket(p + 1 + neg, neg, &out);
			if (!p)
				goto fail;
			continue;
		}
		if (c == '(' && p[1] == '?') {
			if (p[2] != ':')
				goto fail;
			buf_addc(&out, '(');
			p += 3;
			continue;
		}
		if ((c == '*' || c == '+' || c == '?' || c == '}') && p[1] == '?') {
			/* lazy quantifier: the same language when only matching */
			buf_addc(&out, c);
			p += 2;
			continue;
		}
		if (c != '\\') {
			buf_addc(&out, c);
			p++;
			continue;
		}
		char e = p[1];
		const char *rep = NULL;
		switch (e) {
		case 'A':
			rep = "^";
			break;
		case 'z':
		case 'Z':
			rep = "$";
			break;
		case 'd':
			rep = "[0-9]";
			break;
		case 'D':
			rep = "[^0-9]";
			break;
		case 'w':
			rep = "[[:alnum:]_]";
			break;
		case 'W':
			rep = "[^[:alnum:]_]";
			break;
		case 's':
			rep = "[[:space:]]";
			break;
		case 'S':
			rep = "[^[:space:]]";
			break;
		case 'h':
			rep = "[0-9a-fA-F]";
			break;
		case 'n':
			rep = "\n";
			break;
		case 't':
			rep = "\t";
			break;
		case 'b':
			rep = "\\b"; /* word boundaries: glibc's regcomp has them */
			break;
		case 'B':
			rep = "\\B";
			break;
		case '\0':
			goto fail;
		default:
			if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
			    (e >= '0' && e <= '9'))
				goto fail;
			if (strchr(".[]()*+?{}|^$\\", e)) {
				buf_addc(&out, '\\');
				buf_addc(&out, e);
			} else {
				buf_addc(&out, e); /* \- \/ \@ ...: the character itself */
			}
			p += 2;
			continue;
		}
		buf_adds(&out, rep);
		p += 2;
	}
	return buf_detach(&out);
fail:
	buf_release(&out);
	return NULL;
}

/* Compile pattern into *rx: 0, or -1 when it is not one we can run. */
static int regexp_compile(const char *pattern, regex_t *rx)
{
	if (!pattern || !*pattern || strlen(pattern) > MAX_PATTERN)
		return -1;
	char *ere = regexp_translate(pattern);
	if (!ere)
		return -1;
	int rc = regcomp(rx, ere, REG_EXTENDED | REG_NOSUB);
	free(ere);
	return rc ? -1 : 0;
}

/* ---- definitions ------------------------------------------------------- */

static int bad(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return -1;
}

int field_check(struct field *f, char *err, size_t errlen)
{
	if (!f->type)
		f->type = xstrdup("text"); /* Zendesk's default type */
	if (!strcmp(f->type, "dropdown")) {
		free(f->type);
		f->type = xstrdup("tagger");
	}
	if (!field_type_custom(f->type) && !field_type_system(f->type))
		return bad(err, errlen, "type: \"%.64s\" is not a ticket field type", f->type);
	if (!f->title || !*f->title)
		return bad(err, errlen, "title: %s", "cannot be blank");
	if (strlen(f->title) > MAX_TITLE)
		return bad(err, errlen, "title: %s", "is too long (at most 255 bytes)");
	if (f->title_in_portal && strlen(f->title_in_portal) > MAX_TITLE)
		return bad(err, errlen, "title_in_portal: %s", "is too long (at most 255 bytes)");
	if (field_type_has_options(f->type)) {
		if (!f->noptions)
			return bad(err, errlen, "custom_field_options: %s",
				   "a dropdown or multiselect field needs at least one option");
		if (f->noptions > MAX_OPTIONS)
			return bad(err, errlen, "custom_field_options: %s", "at most 2000 options");
		int positioned = 0;
		for (size_t i = 0; i < f->noptions; i++) {
			struct field_option *o = &f->options[i];
			if (!o->name || !*o->name)
				return bad(err, errlen, "custom_field_options: %s",
					   "every option needs a name");
			if (strlen(o->name) > MAX_TITLE)
				return bad(err, errlen, "custom_field_options: %s",
					   "an option name is too long (at most 255 bytes)");
			char *tag = o->value ? tag_normalize(o->value) : NULL;
			if (!tag)
				return bad(
				    err, errlen,
				    "custom_field_options: \"%.64s\" is not a valid tag value",
				    o->value ? o->value : "");
			free(o->value);
			o->value = tag;
			for (size_t k = 0; k < i; k++)
				if (!strcmp(f->options[k].value, tag))
					return bad(
					    err, errlen,
					    "custom_field_options: value \"%.64s\" is used twice",
					    tag);
			positioned |= o->position != 0;
		}
		if (!positioned)
			for (size_t i = 0; i < f->noptions; i++)
				f->options[i].position = (int)i;
	} else if (f->noptions) {
		return bad(err, errlen, "custom_field_options: %s",
			   "only dropdown (tagger) and multiselect fields have options");
	}
	if (!strcmp(f->type, "regexp")) {
		regex_t rx;
		if (!f->regexp_for_validation || !*f->regexp_for_validation)
			return bad(err, errlen, "regexp_for_validation: %s",
				   "is required for regexp fields");
		if (regexp_compile(f->regexp_for_validation, &rx))
			return bad(
			    err, errlen, "regexp_for_validation: %s",
			    "is not a regular expression this server can run (no look-around,"
			    " back-references or inline options; at most 1024 bytes)");
		regfree(&rx);
	} else {
		free(f->regexp_for_validation);
		f->regexp_for_validation = NULL;
	}
	if (!strcmp(f->type, "checkbox") && f->tag && *f->tag) {
		char *tag = tag_normalize(f->tag);
		if (!tag)
			return bad(err, errlen, "tag: \"%.64s\" is not a valid tag", f->tag);
		free(f->tag);
		f->tag = tag;
	} else {
		free(f->tag);
		f->tag = NULL;
	}
	return 0;
}

/* ---- values ------------------------------------------------------------ */

/* Length of the longest prefix of s that is at most max bytes and does not
 * end inside a UTF-8 sequence. */
static int utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return (int)n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

static int value_bad(const struct field *f, char *err, size_t errlen, const char *reason)
{
	const char *title = f->title ? f->title : "";
	snprintf(err, errlen, "custom_fields: field %" PRId64 " \"%.*s\": %s", f->id,
		 utf8_prefix(title, 64), title, reason);
	return -1;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" (optionally followed by an ISO 8601 time): 0 and the date
 * in out[11], or -1. */
static int date_parse(const char *s, char out[11])
{
	size_t n = strlen(s);
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	if (n > 10) {
		int64_t t;
		if (s[10] != 'T' || parse_iso8601(s, &t))
			return -1;
	}
	memcpy(out, s, 10);
	out[10] = '\0';
	return 0;
}

/* [+-]?digits, at most 18 digits: 0 and canonical text, or -1. */
static int integer_parse(const char *s, char out[24])
{
	const char *p = s;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	size_t n = strlen(p);
	if (!n || n > 18 || strspn(p, "0123456789") != n)
		return -1;
	int64_t v = 0;
	for (; *p; p++)
		v = v * 10 + (*p - '0');
	snprintf(out, 24, "%" PRId64, neg ? -v : v);
	return 0;
}

/* [+-]?digits[.digits] or [+-]?.digits, at most 40 bytes: 0 and canonical
 * text (no '+'), or -1. */
static int decimal_parse(const char *s, char out[48])
{
	const char *p = s;
	if (strlen(s) > 40)
		return -1;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	size_t ip = strspn(p, "0123456789"), fp = 0;
	if (p[ip] == '.') {
		fp = strspn(p + ip + 1, "0123456789");
		if (!fp)
			return -1;
		if (p[ip + 1 + fp])
			return -1;
	} else if (p[ip]) {
		return -1;
	}
	if (!ip && !fp)
		return -1;
	snprintf(out, 48, "%s%s%s", neg ? "-" : "", ip ? "" : "0", p);
	return 0;
}

/* The option of f whose value (or, failing that, name) is s. */
static const struct field_option *option_find(const struct field *f, const char *s)
{
	for (size_t i = 0; i < f->noptions; i++)
		if (!strcmp(f->options[i].value, s))
			return &f->options[i];
	for (size_t i = 0; i < f->noptions; i++)
		if (!strcmp(f->options[i].name, s))
			return &f->options[i];
	return NULL;
}

/* A string value as text: strings as they are, integers and reals as their
 * decimal text.  Returns an owned copy or NULL (wrong type). */
static char *as_text(json_t *v)
{
	char n[48];
	if (json_is_string(v)) {
		if (strlen(json_string_value(v)) != json_string_length(v))
			return NULL; /* NUL inside */
		return xstrdup(json_string_value(v));
	}
	if (json_is_integer(v)) {
		snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return xstrdup(n);
	}
	if (json_is_real(v)) {
		snprintf(n, sizeof(n), "%.15g", json_real_value(v));
		return xstrdup(n);
	}
	return NULL;
}

static char *jtext(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (!s)
		BUG("json_dumps failed");
	return s;
}

int field_value_check(const struct field *f, const char *value_json, char **norm, char *err,
		      size_t errlen)
{
	if (!f->type || field_type_system(f->type))
		return value_bad(f, err, errlen,
				 "is a system field; set it through the ticket's own member");
	if (!field_type_custom(f->type))
		return value_bad(f, err, errlen, "has an unknown type");
	json_t *v = json_loads(value_json ? value_json : "null", JSON_DECODE_ANY, NULL);
	if (!v)
		return value_bad(f, err, errlen, "the value is not JSON");
	char *out = NULL, *text = NULL;
	const char *t = f->type;
	int rc = -1;
	if (json_is_null(v) || (json_is_string(v) && !json_string_length(v)) ||
	    (json_is_array(v) && !json_array_size(v) && !strcmp(t, "multiselect"))) {
		out = xstrdup("null");
		rc = 0;
		goto done;
	}
	if (!strcmp(t, "checkbox")) {
		int b = -1;
		if (json_is_boolean(v))
			b = json_is_true(v);
		else if (json_is_integer(v) &&
			 (json_integer_value(v) == 0 || json_integer_value(v) == 1))
			b = (int)json_integer_value(v);
		else if (json_is_string(v) && !strcmp(json_string_value(v), "true"))
			b = 1;
		else if (json_is_string(v) && !strcmp(json_string_value(v), "false"))
			b = 0;
		if (b < 0) {
			value_bad(f, err, errlen, "expected true or false");
			goto done;
		}
		out = xstrdup(b ? "true" : "false");
		rc = 0;
		goto done;
	}
	if (!strcmp(t, "multiselect")) {
		json_t *list = json_array(), *e;
		size_t i;
		if (json_is_array(v) && json_array_size(v) > MAX_OPTIONS) {
			json_decref(list);
			value_bad(f, err, errlen, "too many values");
			goto done;
		}
		if (!json_is_array(v)) {
			json_t *one = json_array();
			json_array_append(one, v);
			json_decref(v);
			v = one;
		}
		json_array_foreach(v, i, e)
		{
			char *s = as_text(e);
			const struct field_option *o = s ? option_find(f, s) : NULL;
			if (!o) {
				char why[160] = "expected an array of option values";
				if (s)
					snprintf(why, sizeof(why),
						 "\"%.*s\" is not one of its options",
						 utf8_prefix(s, 64), s);
				free(s);
				json_decref(list);
				value_bad(f, err, errlen, why);
				goto done;
			}
			free(s);
			int seen = 0;
			size_t k;
			json_t *x;
			json_array_foreach(list, k, x) seen |=
			    !strcmp(json_string_value(x), o->value);
			if (!seen)
				json_array_append_new(list, json_string(o->value));
		}
		out = jtext(list);
		rc = 0;
		goto done;
	}
	text = as_text(v);
	if (!text) {
		value_bad(f, err, errlen,
			  json_is_string(v) ? "text without NUL characters" : "expected a string");
		goto done;
	}
	if (strlen(text) > MAX_TEXT) {
		value_bad(f, err, errlen, "is too long (at most 65536 bytes)");
		goto done;
	}
	if (!strcmp(t, "text") || !strcmp(t, "textarea")) {
		out = jtext(json_string(text));
		rc = 0;
	} else if (!strcmp(t, "regexp")) {
		regex_t rx;
		if (regexp_compile(f->regexp_for_validation, &rx)) {
			value_bad(f, err, errlen, "its regexp_for_validation cannot be run");
			goto done;
		}
		int m = regexec(&rx, text, 0, NULL, 0);
		regfree(&rx);
		if (m) {
			value_bad(f, err, errlen, "does not match the field's pattern");
			goto done;
		}
		out = jtext(json_string(text));
		rc = 0;
	} else if (!strcmp(t, "date")) {
		char d[11];
		if (json_is_string(v) && !date_parse(text, d)) {
			out = jtext(json_string(d));
			rc = 0;
		} else {
			value_bad(f, err, errlen, "expected a date (YYYY-MM-DD)");
		}
	} else if (!strcmp(t, "integer")) {
		char n[24];
		if (!json_is_real(v) && !integer_parse(text, n)) {
			out = jtext(json_string(n));
			rc = 0;
		} else {
			value_bad(f, err, errlen, "expected an integer");
		}
	} else if (!strcmp(t, "decimal")) {
		char n[48];
		if (!decimal_parse(text, n)) {
			out = jtext(json_string(n));
			rc = 0;
		} else {
			value_bad(f, err, errlen, "expected a decimal number");
		}
	} else if (!strcmp(t, "tagger")) {
		const struct field_option *o = option_find(f, text);
		if (o) {
			out = jtext(json_string(o->value));
			rc = 0;
		} else {
			char why[160];
			snprintf(why, sizeof(why), "\"%.*s\" is not one of its options",
				 utf8_prefix(text, 64), text);
			value_bad(f, err, errlen, why);
		}
	}
done:
	json_decref(v);
	free(text);
	if (rc == 0) {
		if (norm)
			*norm = out;
		else
			free(out);
	} else {
		free(out);
	}
	return rc;
}

void field_value_tags(const struct field *f, const char *value_json, struct strlist *out)
{
	if (!f->type || !value_json)
		return;
	json_t *v = json_loads(value_json, JSON_DECODE_ANY, NULL);
	if (!v)
		return;
	if (!strcmp(f->type, "checkbox")) {
		if (json_is_true(v) && f->tag && *f->tag && !strlist_has(out, f->tag))
			strlist_add(out, f->tag);
	} else if (!strcmp(f->type, "tagger")) {
		if (json_is_string(v) && option_find(f, json_string_value(v)) &&
		    !strlist_has(out, json_string_value(v)))
			strlist_add(out, json_string_value(v));
	} else if (!strcmp(f->type, "multiselect") && json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			if (json_is_string(e) && option_find(f, json_string_value(e)) &&
			    !strlist_has(out, json_string_value(e)))
				strlist_add(out, json_string_value(e));
		}
	}
	json_decref(v);
}
