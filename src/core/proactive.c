/* proactive.c - the pure rules behind banners, prompts and campaigns
 * (core/proactive.h): URL normalisation and pattern matching, audiences,
 * segments, and the JSON <-> struct mapping the admin API uses.
 *
 * Order of use: the API decodes a request with *_from_json() (which also
 * validates and normalises patterns), the store saves the struct; on a page
 * view the store lists live items of a site and proactive_url_path() +
 * proactive_patterns_match() + audience_match() pick the ones to show.
 * Cost: matching is O(pattern x path) per pattern, no allocation besides
 * the normalised path.
 */
#include "core/proactive.h"
#include "base/util.h"
#include "core/hc.h"
#include "core/placeholder.h"
#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode, then resolve segments of the path p[0..n) into out ("/a/b").
 * -1 on control bytes or a broken escape. */
static int norm_path(const char *p, size_t n, struct buf *out)
{
	struct buf dec = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == 0x7f)
			goto bad;
		if (c == '\\')
			c = '/'; /* browsers read "\" as "/" in http(s) URLs */
		if (c == '%') {
			int a = i + 1 < n ? hexval((unsigned char)p[i + 1]) : -1;
			int b = i + 2 < n ? hexval((unsigned char)p[i + 2]) : -1;
			int h = a < 0 || b < 0 ? -1 : a * 16 + b;
			if (h < 0x20 || h == 0x7f) /* broken escape (-1) or a control byte */
				goto bad;
			if (h == '/' || h == '%' || h == '\\' || h == '?' || h == '#')
				buf_addf(&dec, "%%%02X", h); /* data, not structure */
			else
				buf_addc(&dec, (char)h);
			i += 2;
			continue;
		}
		buf_addc(&dec, (char)c);
	}
	/* segments: a stack of their start offsets in out */
	size_t base = out->len;
	buf_addc(out, '/');
	const char *s = dec.s, *end = dec.s + dec.len;
	while (s < end) {
		while (s < end && *s == '/')
			s++;
		const char *e = s;
		while (e < end && *e != '/')
			e++;
		size_t len = (size_t)(e - s);
		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* nothing */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			/* drop the last segment, never the root */
			size_t k = out->len;
			while (k > base + 1 && out->s[k - 1] != '/')
				k--;
			if (k > base + 1)
				k--; /* its "/" too */
			out->len = k > base + 1 ? k : base + 1;
			out->s[out->len] = '\0';
		} else {
			if (out->len > base + 1)
				buf_addc(out, '/');
			buf_add(out, s, len);
		}
		s = e;
	}
	buf_release(&dec);
	return 0;
bad:
	buf_release(&dec);
	return -1;
}

int proactive_url_path(const char *url, struct buf *out)
{
	buf_reset(out);
	if (!url)
		return -1;
	size_t n = strlen(url);
	if (n > PROACTIVE_URL_MAX)
		return -1;
	const char *p = url, *end = url + n;
	/* scheme ":" "//" authority */
	const char *q = p;
	if (q < end && isalpha((unsigned char)*q)) {
		while (q < end && (isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.'))
			q++;
		if (end - q >= 3 && q[0] == ':' && (q[1] == '/' || q[1] == '\\') &&
		    (q[2] == '/' || q[2] == '\\'))
			p = q + 1;
	}
	if (end - p >= 2 && (p[0] == '/' || p[0] == '\\') && (p[1] == '/' || p[1] == '\\')) {
		p += 2; /* authority: up to the path, query or fragment */
		while (p < end && *p != '/' && *p != '\\' && *p != '?' && *p != '#')
			p++;
	}
	const char *stop = p;
	while (stop < end && *stop != '?' && *stop != '#')
		stop++;
	return norm_path(p, (size_t)(stop - p), out);
}

int proactive_pattern_normalize(const char *pattern, struct buf *out, const char **why)
{
	buf_reset(out);
	size_t n = pattern ? strlen(pattern) : 0;
	if (!n) {
		*why = "must not be empty";
		return -1;
	}
	if (n > PROACTIVE_PATTERN_MAX) {
		*why = "is too long";
		return -1;
	}
	if (!strcmp(pattern, "*")) {
		buf_adds(out, "*");
		return 0;
	}
	if (pattern[0] != '/') {
		*why = "must start with \"/\" (a path) or be \"*\"";
		return -1;
	}
	if (strpbrk(pattern, "#")) {
		*why = "must be a path without a fragment";
		return -1;
	}
	if (norm_path(pattern, n, out)) {
		*why = "has control characters or a broken %-escape";
		return -1;
	}
	return 0;
}

/* Glob: '*' any run, '?' one byte.  The classic single-backtrack scan: on
 * a mismatch go back to just after the last '*' and let it eat one more
 * byte, so the cost is O(len(p) * len(s)) at worst. */
static int glob(const char *p, const char *s)
{
	const char *star = NULL, *mark = NULL;
	while (*s) {
		if (*p == '*') {
			star = ++p;
			mark = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

int proactive_url_match(const char *pattern, const char *path)
{
	if (!pattern || !path)
		return 0;
	if (!strcmp(pattern, "*"))
		return 1;
	size_t n = strlen(pattern);
	/* a pattern ending in "/ *" (no space) also covers the bare prefix:
	 * "/shop" for "/shop/ *" */
	if (n >= 2 && pattern[n - 1] == '*' && pattern[n - 2] == '/') {
		if (n == 2)
			return 1;
		if (strlen(path) == n - 2 && !strncmp(pattern, path, n - 2) && !strchr(path, '*'))
			return !memchr(pattern, '*', n - 2) && !memchr(pattern, '?', n - 2);
	}
	return glob(pattern, path);
}

int proactive_patterns_match(const struct strlist *patterns, const char *path)
{
	if (!patterns->n)
		return 1;
	for (size_t i = 0; i < patterns->n; i++)
		if (proactive_url_match(patterns->v[i], path))
			return 1;
	return 0;
}

/* ---- audiences ---- */

static const char *const audience_names[] = {"everyone", "signed_in", "tags", "organizations"};

const char *audience_type_name(int type)
{
	return type >= 0 && type < (int)ARRAY_SIZE(audience_names) ? audience_names[type]
								   : "everyone";
}

void audience_clear(struct audience *a)
{
	strlist_clear(&a->tags);
	idlist_clear(&a->organization_ids);
	a->type = AUDIENCE_EVERYONE;
}

static int has_tag(const struct strlist *tags, const char *t)
{
	for (size_t i = 0; i < tags->n; i++)
		if (!strcasecmp(tags->v[i], t))
			return 1;
	return 0;
}

int audience_match(const struct audience *a, const struct user *u)
{
	switch (a->type) {
	case AUDIENCE_EVERYONE:
		return 1;
	case AUDIENCE_SIGNED_IN:
		return u != NULL;
	case AUDIENCE_TAGS:
		if (!u)
			return 0;
		for (size_t i = 0; i < a->tags.n; i++)
			if (has_tag(&u->tags, a->tags.v[i]))
				return 1;
		return 0;
	case AUDIENCE_ORGANIZATIONS:
		return u && u->organization_id && idlist_has(&a->organization_ids, u->organization_id);
	}
	return 0;
}

static int fail(char *err, size_t errlen, const char *field, const char *why)
{
	snprintf(err, errlen, "%s: %s", field, why);
	return -1;
}

/* A tag: 1..255 bytes, no white space or control bytes; lower-cased. */
static int tags_from(json_t *v, const char *field, struct strlist *out, char *err, size_t errlen)
{
	if (!json_is_array(v) || json_array_size(v) > 100)
		return fail(err, errlen, field, "must be an array of at most 100 tags");
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		const char *t = json_string_value(e);
		size_t n = t ? strlen(t) : 0;
		if (!t || !n || n > 255 || n != json_string_length(e))
			return fail(err, errlen, field, "must hold non-empty strings");
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)t[k] <= ' ' || t[k] == 0x7f)
				return fail(err, errlen, field, "tags have no spaces");
		char *low = xstrdup(t);
		for (char *c = low; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!strlist_has(out, low))
			strlist_add(out, low);
		free(low);
	}
	return 0;
}

int audience_from_json(json_t *j, struct audience *a, char *err, size_t errlen)
{
	audience_clear(a);
	if (json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return fail(err, errlen, "audience", "must be an object");
	const char *type = json_string_value(json_object_get(j, "type"));
	int t = -1;
	for (size_t i = 0; type && i < ARRAY_SIZE(audience_names); i++)
		if (!strcmp(type, audience_names[i]))
			t = (int)i;
	if (t < 0)
		return fail(err, errlen, "audience.type",
			    "must be everyone, signed_in, tags or organizations");
	a->type = t;
	if (t == AUDIENCE_TAGS) {
		if (tags_from(json_object_get(j, "tags"), "audience.tags", &a->tags, err, errlen))
			return -1;
		if (!a->tags.n)
			return fail(err, errlen, "audience.tags", "must name at least one tag");
	}
	if (t == AUDIENCE_ORGANIZATIONS) {
		json_t *ids = json_object_get(j, "organization_ids"), *e;
		size_t i;
		if (!json_is_array(ids) || !json_array_size(ids) || json_array_size(ids) > 100)
			return fail(err, errlen, "audience.organization_ids",
				    "must be an array of 1 to 100 ids");
		json_array_foreach(ids, i, e)
		{
			if (!json_is_integer(e) || json_integer_value(e) <= 0)
				return fail(err, errlen, "audience.organization_ids",
					    "must hold ids");
			if (!idlist_has(&a->organization_ids, json_integer_value(e)))
				idlist_add(&a->organization_ids, json_integer_value(e));
		}
	}
	return 0;
}

static json_t *strs_json(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

json_t *audience_json(const struct audience *a)
{
	json_t *o = json_pack("{s:s}", "type", audience_type_name(a->type));
	if (a->type == AUDIENCE_TAGS)
		json_object_set_new(o, "tags", strs_json(&a->tags));
	if (a->type == AUDIENCE_ORGANIZATIONS) {
		json_t *ids = json_array();
		for (size_t i = 0; i < a->organization_ids.n; i++)
			json_array_append_new(ids, json_integer(a->organization_ids.v[i]));
		json_object_set_new(o, "organization_ids", ids);
	}
	return o;
}

/* ---- banners and prompts ---- */

void proactive_item_clear(struct proactive_item *it)
{
	free(it->site_key);
	free(it->text);
	free(it->level);
	strlist_clear(&it->url_patterns);
	audience_clear(&it->audience);
	memset(it, 0, sizeof(*it));
}

int proactive_site_key_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n && n <= PROACTIVE_SITE_KEY_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* s (n bytes) is 1..max bytes, no NUL inside, not only white space. */
static int text_ok(const char *s, size_t n, size_t max)
{
	if (!n || n > max || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 1;
	return 0;
}

/* "text": "..." (every locale) or {"ko": "...", "en-us": "..."}, each at
 * most max bytes -> JSON text of the translations object. */
static int translations_from(json_t *v, const char *field, size_t max, char **out, char *err,
			     size_t errlen)
{
	json_t *o = json_object();
	if (json_is_string(v)) {
		if (!text_ok(json_string_value(v), json_string_length(v), max))
			goto bad_text;
		json_object_set(o, "*", v);
	} else if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e)
		{
			const char *loc = !strcmp(k, "*") ? "*" : hc_locale(k);
			if (!loc) {
				json_decref(o);
				return fail(err, errlen, field, "locales are ko and en-us");
			}
			if (!json_is_string(e) || !text_ok(json_string_value(e), json_string_length(e), max))
				goto bad_text;
			json_object_set(o, loc, e);
		}
		if (!json_object_size(o))
			goto bad_text;
	} else {
		goto bad_text;
	}
	free(*out);
	*out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return 0;
bad_text:
	json_decref(o);
	char why[120];
	snprintf(why, sizeof(why), "must be a non-empty text of at most %zu bytes, or an object of"
				   " such texts by locale (ko, en-us)", max);
	return fail(err, errlen, field, why);
}

static int time_from(json_t *v, const char *field, int64_t *out, char *err, size_t errlen)
{
	if (json_is_null(v)) {
		*out = 0;
		return 0;
	}
	/* 0 means "no time" here, and before 1970 is no schedule anyone means */
	if (!json_is_string(v) || parse_iso8601(json_string_value(v), out) || *out <= 0)
		return fail(err, errlen, field, "must be an ISO 8601 time after 1970, or null");
	return 0;
}

static int bool_from(json_t *v, const char *field, int *out, char *err, size_t errlen)
{
	if (!json_is_boolean(v))
		return fail(err, errlen, field, "must be true or false");
	*out = json_is_true(v);
	return 0;
}

int proactive_item_from_json(json_t *j, int kind, int creating, struct proactive_item *it,
			     char *err, size_t errlen)
{
	const char *text_field = kind == PROACTIVE_BANNER ? "text" : "message";
	if (!json_is_object(j))
		return fail(err, errlen, kind == PROACTIVE_BANNER ? "banner" : "proactive_prompt",
			    "is required");
	if (creating) {
		it->kind = kind;
		it->site_key = xstrdup("default");
		it->level = xstrdup("info");
		it->dismissible = 1;
		it->active = 1;
		it->delay_seconds = 0;
		if (!json_object_get(j, text_field))
			return fail(err, errlen, text_field, "is required");
	}
	json_t *v;
	if ((v = json_object_get(j, text_field)) &&
	    translations_from(v, text_field, PROACTIVE_TEXT_MAX, &it->text, err, errlen))
		return -1;
	if ((v = json_object_get(j, "site_key"))) {
		if (!proactive_site_key_ok(json_string_value(v)))
			return fail(err, errlen, "site_key",
				    "must be 1 to 64 letters, digits, '_', '.' or '-'");
		free(it->site_key);
		it->site_key = xstrdup(json_string_value(v));
	}
	if ((v = json_object_get(j, "url_patterns"))) {
		if (!json_is_array(v) || json_array_size(v) > PROACTIVE_PATTERNS_MAX)
			return fail(err, errlen, "url_patterns", "must be an array of at most 50 patterns");
		struct strlist pats = {0};
		struct buf b = BUF_INIT;
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			const char *why = "must be a string";
			if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e) ||
			    proactive_pattern_normalize(json_string_value(e), &b, &why)) {
				strlist_clear(&pats);
				buf_release(&b);
				snprintf(err, errlen, "url_patterns: \"%.80s\" %s",
					 json_is_string(e) ? json_string_value(e) : "", why);
				return -1;
			}
			if (!strlist_has(&pats, b.s))
				strlist_add(&pats, b.s);
		}
		buf_release(&b);
		strlist_clear(&it->url_patterns);
		it->url_patterns = pats;
	}
	if ((v = json_object_get(j, "audience")) &&
	    audience_from_json(v, &it->audience, err, errlen))
		return -1;
	if ((v = json_object_get(j, "starts_at")) && time_from(v, "starts_at", &it->starts_at, err, errlen))
		return -1;
	if ((v = json_object_get(j, "ends_at")) && time_from(v, "ends_at", &it->ends_at, err, errlen))
		return -1;
	if (it->starts_at && it->ends_at && it->ends_at <= it->starts_at)
		return fail(err, errlen, "ends_at", "must be after starts_at");
	if ((v = json_object_get(j, "active")) && bool_from(v, "active", &it->active, err, errlen))
		return -1;
	if (kind == PROACTIVE_BANNER) {
		if ((v = json_object_get(j, "level"))) {
			const char *l = json_string_value(v);
			if (!l || (strcmp(l, "info") && strcmp(l, "warning") && strcmp(l, "critical")))
				return fail(err, errlen, "level", "must be info, warning or critical");
			free(it->level);
			it->level = xstrdup(l);
		}
		if ((v = json_object_get(j, "dismissible")) &&
		    bool_from(v, "dismissible", &it->dismissible, err, errlen))
			return -1;
		if ((v = json_object_get(j, "show_in_help_center")) &&
		    bool_from(v, "show_in_help_center", &it->show_in_help_center, err, errlen))
			return -1;
	} else if ((v = json_object_get(j, "delay_seconds"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > PROACTIVE_DELAY_MAX)
			return fail(err, errlen, "delay_seconds", "must be a whole number from 0 to 86400");
		it->delay_seconds = (int)json_integer_value(v);
	}
	return 0;
}

static json_t *time_json(int64_t t)
{
	if (!t)
		return json_null();
	char s[32];
	iso8601(t, s);
	return json_string(s);
}

json_t *proactive_item_json(const struct proactive_item *it)
{
	json_t *tr = json_loads(it->text ? it->text : "{}", 0, NULL);
	if (!json_is_object(tr)) {
		json_decref(tr);
		tr = json_object();
	}
	char *def = proactive_text_pick(it->text, NULL);
	json_t *o = json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o}", "id",
			      (json_int_t)it->id, "site_key", it->site_key ? it->site_key : "default",
			      it->kind == PROACTIVE_BANNER ? "text" : "message",
			      def ? json_string(def) : json_null(), "translations", tr,
			      "url_patterns", strs_json(&it->url_patterns), "audience",
			      audience_json(&it->audience), "starts_at", time_json(it->starts_at),
			      "ends_at", time_json(it->ends_at), "active", it->active, "created_at",
			      time_json(it->created_at), "updated_at", time_json(it->updated_at));
	free(def);
	if (it->kind == PROACTIVE_BANNER) {
		json_object_set_new(o, "level", json_string(it->level ? it->level : "info"));
		json_object_set_new(o, "dismissible", json_boolean(it->dismissible));
		json_object_set_new(o, "show_in_help_center", json_boolean(it->show_in_help_center));
	} else {
		json_object_set_new(o, "delay_seconds", json_integer(it->delay_seconds));
	}
	return o;
}

int proactive_item_live(const struct proactive_item *it, int64_t now)
{
	return it->active && (!it->starts_at || it->starts_at <= now) &&
	       (!it->ends_at || now < it->ends_at);
}

char *proactive_text_pick(const char *translations, const char *locale)
{
	json_t *o = json_loads(translations ? translations : "", 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	const char *loc = locale ? hc_locale(locale) : NULL;
	const char *order[] = {loc, "*", HC_LOCALE_EN, HC_LOCALE_KO};
	const char *s = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(order) && !s; i++)
		if (order[i])
			s = json_string_value(json_object_get(o, order[i]));
	if (!s) {
		void *iter = json_object_iter(o);
		s = iter ? json_string_value(json_object_iter_value(iter)) : NULL;
	}
	char *out = s ? xstrdup(s) : NULL;
	json_decref(o);
	return out;
}

/* ---- segments ---- */

void segment_clear(struct segment *s)
{
	strlist_clear(&s->tags_all);
	strlist_clear(&s->tags_any);
	free(s->locale);
	free(s->user_fields);
	memset(s, 0, sizeof(*s));
}

int segment_match(const struct segment *s, const struct user *u)
{
	for (size_t i = 0; i < s->tags_all.n; i++)
		if (!has_tag(&u->tags, s->tags_all.v[i]))
			return 0;
	if (s->tags_any.n) {
		int any = 0;
		for (size_t i = 0; i < s->tags_any.n && !any; i++)
			any = has_tag(&u->tags, s->tags_any.v[i]);
		if (!any)
			return 0;
	}
	if (s->organization_id && u->organization_id != s->organization_id)
		return 0;
	if (s->locale) {
		/* "ko" matches "ko" and "ko-KR"; "en-us" only "en-US" */
		size_t n = strlen(s->locale);
		const char *l = u->locale ? u->locale : "";
		if (strncasecmp(l, s->locale, n) || (l[n] && l[n] != '-' && l[n] != '_'))
			return 0;
	}
	if (s->user_fields) {
		json_t *want = json_loads(s->user_fields, 0, NULL);
		json_t *have = json_loads(u->user_fields ? u->user_fields : "{}", 0, NULL);
		const char *k;
		json_t *v;
		int ok = json_is_object(want);
		json_object_foreach(want, k, v) if (ok && !json_equal(v, json_object_get(have, k)))
			ok = 0;
		json_decref(want);
		json_decref(have);
		if (!ok)
			return 0;
	}
	return 1;
}

int segment_from_json(json_t *j, struct segment *s, char *err, size_t errlen)
{
	segment_clear(s);
	if (json_is_null(j) || !j)
		return 0;
	if (!json_is_object(j))
		return fail(err, errlen, "segment", "must be an object");
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	{
		if (!strcmp(k, "tags_all") || !strcmp(k, "tags_any")) {
			char field[32];
			snprintf(field, sizeof(field), "segment.%s", k);
			if (tags_from(v, field, k[5] == 'a' && k[6] == 'l' ? &s->tags_all : &s->tags_any,
				      err, errlen))
				return -1;
		} else if (!strcmp(k, "organization_id")) {
			if (json_is_null(v))
				s->organization_id = 0;
			else if (!json_is_integer(v) || json_integer_value(v) <= 0)
				return fail(err, errlen, "segment.organization_id", "must be an id");
			else
				s->organization_id = json_integer_value(v);
		} else if (!strcmp(k, "locale")) {
			const char *l = json_string_value(v);
			size_t n = l ? strlen(l) : 0;
			if (json_is_null(v))
				continue;
			if (!n || n > 16 || strspn(l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != n)
				return fail(err, errlen, "segment.locale", "must be a locale like ko or en-us");
			free(s->locale);
			s->locale = xstrdup(l);
		} else if (!strcmp(k, "user_fields")) {
			if (json_is_null(v))
				continue;
			if (!json_is_object(v) || json_object_size(v) > 20)
				return fail(err, errlen, "segment.user_fields",
					    "must be an object of at most 20 fields");
			free(s->user_fields);
			s->user_fields = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		} else {
			snprintf(err, errlen, "segment.%.40s: is not a segment condition (tags_all,"
					      " tags_any, organization_id, locale, user_fields)", k);
			return -1;
		}
	}
	return 0;
}

json_t *segment_json(const struct segment *s)
{
	json_t *uf = s->user_fields ? json_loads(s->user_fields, 0, NULL) : NULL;
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "tags_all", strs_json(&s->tags_all), "tags_any",
			 strs_json(&s->tags_any), "organization_id",
			 s->organization_id ? json_integer(s->organization_id) : json_null(), "locale",
			 s->locale ? json_string(s->locale) : json_null(), "user_fields",
			 uf ? uf : json_null());
}

/* ---- campaigns ---- */

void campaign_clear(struct campaign *c)
{
	free(c->name);
	segment_clear(&c->segment);
	free(c->subject);
	free(c->body);
	free(c->status);
	memset(c, 0, sizeof(*c));
}

static int str_from(json_t *v, const char *field, size_t max, char **out, char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	if (!s || !text_ok(s, json_string_length(v), max)) {
		char why[80];
		snprintf(why, sizeof(why), "must be a non-empty text of at most %zu bytes", max);
		return fail(err, errlen, field, why);
	}
	free(*out);
	*out = xstrdup(s);
	return 0;
}

int campaign_from_json(json_t *j, int creating, struct campaign *c, char *err, size_t errlen)
{
	if (!json_is_object(j))
		return fail(err, errlen, "campaign", "is required");
	json_t *v;
	if (creating) {
		static const char *const req[] = {"name", "body", "channels"};
		for (size_t i = 0; i < ARRAY_SIZE(req); i++)
			if (!json_object_get(j, req[i]))
				return fail(err, errlen, req[i], "is required");
	}
	if ((v = json_object_get(j, "name")) && str_from(v, "name", 255, &c->name, err, errlen))
		return -1;
	if ((v = json_object_get(j, "body")) &&
	    translations_from(v, "body", CAMPAIGN_BODY_MAX, &c->body, err, errlen))
		return -1;
	if ((v = json_object_get(j, "subject"))) {
		if (json_is_null(v)) {
			free(c->subject);
			c->subject = NULL;
		} else if (translations_from(v, "subject", 998, &c->subject, err, errlen)) {
			return -1;
		}
	}
	if ((v = json_object_get(j, "segment")) && segment_from_json(v, &c->segment, err, errlen))
		return -1;
	if ((v = json_object_get(j, "channels"))) {
		size_t i;
		json_t *e;
		if (!json_is_array(v) || !json_array_size(v))
			return fail(err, errlen, "channels", "must list email and/or messenger");
		c->email = c->messenger = 0;
		json_array_foreach(v, i, e)
		{
			const char *ch = json_string_value(e);
			if (ch && !strcmp(ch, "email"))
				c->email = 1;
			else if (ch && !strcmp(ch, "messenger"))
				c->messenger = 1;
			else
				return fail(err, errlen, "channels", "must list email and/or messenger");
		}
	}
	if ((v = json_object_get(j, "send_at")) && time_from(v, "send_at", &c->send_at, err, errlen))
		return -1;
	if (c->email && !c->subject)
		return fail(err, errlen, "subject", "is required for the email channel");
	return 0;
}

/* The translations object of text (JSON), or null. */
static json_t *translations_json(const char *text)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		return json_null();
	}
	return o;
}

json_t *campaign_json(const struct campaign *c)
{
	json_t *ch = json_array();
	if (c->email)
		json_array_append_new(ch, json_string("email"));
	if (c->messenger)
		json_array_append_new(ch, json_string("messenger"));
	const struct campaign_counts *n = &c->counts;
	char *subject = proactive_text_pick(c->subject, NULL), *body = proactive_text_pick(c->body, NULL);
	json_t *out = json_pack("{s:I,s:s,s:o,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I}}",
			 "id", (json_int_t)c->id, "name", c->name ? c->name : "", "segment",
			 segment_json(&c->segment), "channels", ch, "subject",
			 subject ? json_string(subject) : json_null(), "body",
			 body ? body : "", "status", c->status ? c->status : "draft",
			 "send_at", time_json(c->send_at), "started_at", time_json(c->started_at),
			 "finished_at", time_json(c->finished_at), "created_at",
			 time_json(c->created_at), "updated_at", time_json(c->updated_at),
			 "counts", "total",
			 (json_int_t)(n->queued + n->sent + n->skipped + n->opted_out + n->failed),
			 "queued", (json_int_t)n->queued, "sent", (json_int_t)n->sent, "skipped",
			 (json_int_t)n->skipped, "opted_out", (json_int_t)n->opted_out, "failed",
			 (json_int_t)n->failed);
	json_object_set_new(out, "translations",
			    json_pack("{s:o,s:o}", "subject", translations_json(c->subject), "body",
				      translations_json(c->body)));
	free(subject);
	free(body);
	return out;
}

void campaign_ph_fill(struct ph_context *ctx, const struct user *u)
{
	const char *s = u->name ? u->name : "";
	while (*s == ' ')
		s++;
	size_t n = strcspn(s, " ");
	char *first = xstrndup(s, n);
	ph_setf(ctx, "user.id", "%" PRId64, u->id);
	ph_set(ctx, "user.name", u->name);
	ph_set(ctx, "user.first_name", first);
	ph_set(ctx, "user.email", u->email);
	ph_set(ctx, "user.locale", u->locale);
	ph_set(ctx, "user.external_id", u->external_id);
	free(first);
}

static void unsub_mac(const char *secret, int64_t user_id, char hex[65])
{
	char msg[48];
	int n = snprintf(msg, sizeof(msg), "unsubscribe:%" PRId64, user_id);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, (unsigned long long)n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, 65, mac, sizeof(mac));
}

void campaign_unsubscribe_token(const char *secret, int64_t user_id, char out[CAMPAIGN_TOKEN_MAX])
{
	char hex[65];
	unsub_mac(secret, user_id, hex);
	snprintf(out, CAMPAIGN_TOKEN_MAX, "%" PRId64 "-%s", user_id, hex);
}

int campaign_unsubscribe_check(const char *secret, const char *token, int64_t *user_id)
{
	if (!secret || !*secret || !token)
		return -1;
	const char *dash = strchr(token, '-');
	if (!dash || dash == token || dash - token > 19 || strlen(dash + 1) != 64)
		return -1;
	char num[20];
	memcpy(num, token, (size_t)(dash - token));
	num[dash - token] = '\0';
	int64_t id;
	if (parse_i64(num, &id) || id <= 0)
		return -1;
	char want[65];
	unsub_mac(secret, id, want);
	if (sodium_memcmp(want, dash + 1, 64))
		return -1;
	*user_id = id;
	return 0;
}

/* [ko, en]: the line before the unsubscribe link */
static const char *const optout_line[2] = {
    "이 안내를 더 이상 받지 않으려면 수신 거부하세요:",
    "To stop receiving these messages, unsubscribe:",
};

void campaign_render(const struct campaign *c, const struct user *u, const char *unsubscribe_url,
		     struct buf *subject, struct buf *text, struct buf *html)
{
	const char *loc = hc_locale(u->locale);
	int en = !loc || strcmp(loc, HC_LOCALE_KO);
	struct ph_context ctx = PH_CONTEXT_INIT;
	campaign_ph_fill(&ctx, u);
	ph_set(&ctx, "unsubscribe_url", unsubscribe_url);
	char *subj = proactive_text_pick(c->subject, u->locale);
	char *tmpl = proactive_text_pick(c->body, u->locale);
	ph_render(subj ? subj : "", strlen(subj ? subj : ""), &ctx, PH_TEXT, subject, NULL);
	struct buf body = BUF_INIT;
	ph_render(tmpl ? tmpl : "", strlen(tmpl ? tmpl : ""), &ctx, PH_TEXT, &body, NULL);
	free(subj);
	free(tmpl);
	buf_add(text, body.s, body.len);
	buf_addf(text, "\n\n-- \n%s\n%s\n", optout_line[en], unsubscribe_url);
	buf_addf(html, "<!doctype html><html lang=\"%s\"><body><div>", en ? "en" : "ko");
	for (const char *p = body.s; *p;) { /* escaped, line breaks kept */
		size_t n = strcspn(p, "\n");
		hc_escape_n(html, p, n);
		p += n;
		if (*p == '\n') {
			buf_adds(html, "<br>");
			p++;
		}
	}
	buf_addf(html, "</div><hr><p style=\"color:#666;font-size:12px\">%s <a href=\"",
		 optout_line[en]);
	hc_escape(html, unsubscribe_url);
	buf_adds(html, "\">");
	hc_escape(html, unsubscribe_url);
	buf_adds(html, "</a></p></body></html>\n");
	buf_release(&body);
	ph_context_clear(&ctx);
}

void campaign_unsubscribe_url(const char *base_url, const struct user *u, const char *secret,
			      struct buf *out)
{
	char token[CAMPAIGN_TOKEN_MAX];
	campaign_unsubscribe_token(secret, u->id, token);
	const char *loc = hc_locale(u->locale);
	buf_addf(out, "%s/hc/unsubscribe?token=%s&locale=%s", base_url, token,
		 loc ? loc : HC_DEFAULT_LOCALE);
}
