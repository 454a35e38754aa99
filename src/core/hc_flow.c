/* hc_flow.c - troubleshooting flows (see hc_flow.h).
 *
 * hc_flow_from_json checks the shape member by member, in two passes:
 * first every step (id, title, body, options with their labels and
 * outcome names) and the ids' uniqueness, then the "next" references and
 * "start" against the ids, then reachability with a breadth-first walk
 * from the start.  Any failure clears what was built, so the caller sees
 * a whole flow or none.  Cost: O(steps x options) plus O(steps^2) for the
 * id lookups (at most 50 steps).
 */
#include "core/hc_flow.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TITLE 200
#define MAX_LABEL 120

void hc_flow_clear(struct hc_flow *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->steps[i].title);
		free(f->steps[i].body);
		for (int k = 0; k < f->steps[i].nopt; k++)
			free(f->steps[i].opt[k].label);
	}
	free(f->steps);
	memset(f, 0, sizeof(*f));
}

const char *hc_flow_outcome_name(enum hc_flow_outcome o)
{
	return o == HC_FLOW_SOLVED ? "solved" : o == HC_FLOW_CONTACT ? "contact" : "";
}

static int controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int find_id(const struct hc_flow *f, const char *id)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->steps[i].id, id))
			return i;
	return -1;
}

/* Only the members in allowed[] may appear in o. */
static int only_members(const json_t *o, const char *const *allowed, size_t n, const char *where,
			char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
	{
		size_t i = 0;
		while (i < n && strcmp(allowed[i], key))
			i++;
		if (i == n) {
			snprintf(err, errlen, "%s: unknown member \"%.32s\"", where,
				 controls(key) ? "?" : key);
			return -1;
		}
	}
	return 0;
}

/* A string member: required (must be there) or not; 0 with *out (NULL when
 * absent), -1 with err. */
static int str_member(const json_t *o, const char *key, int required, size_t max, int multiline,
		      const char *where, const char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v && !required)
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s.%s: expected a string", where, key);
		return -1;
	}
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		snprintf(err, errlen, "%s.%s: contains a NUL character", where, key);
		return -1;
	}
	if (required && !s[strspn(s, " \t\r\n")]) {
		snprintf(err, errlen, "%s.%s: cannot be blank", where, key);
		return -1;
	}
	if (strlen(s) > max) {
		snprintf(err, errlen, "%s.%s: at most %zu bytes", where, key, max);
		return -1;
	}
	if (!multiline && controls(s)) {
		snprintf(err, errlen, "%s.%s: no control characters", where, key);
		return -1;
	}
	*out = s;
	return 0;
}

static int parse_step(const json_t *js, int i, struct hc_flow *f, const char **nexts, char *err,
		      size_t errlen)
{
	static const char *const step_keys[] = {"id", "title", "body", "options"};
	static const char *const opt_keys[] = {"label", "next", "outcome"};
	char where[48];
	snprintf(where, sizeof(where), "steps[%d]", i);
	if (!json_is_object(js)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (only_members(js, step_keys, ARRAY_SIZE(step_keys), where, err, errlen))
		return -1;
	struct hc_flow_step *st = &f->steps[i];
	const char *id, *title, *body;
	if (str_member(js, "id", 1, 32, 0, where, &id, err, errlen) ||
	    str_member(js, "title", 1, MAX_TITLE, 0, where, &title, err, errlen) ||
	    str_member(js, "body", 0, HC_FLOW_MAX_BODY, 1, where, &body, err, errlen))
		return -1;
	if (!valid_id(id)) {
		snprintf(err, errlen, "%s.id: 1 to 32 of a-z 0-9 _ -", where);
		return -1;
	}
	if (find_id(f, id) >= 0) {
		snprintf(err, errlen, "%s.id: \"%s\" is used twice", where, id);
		return -1;
	}
	snprintf(st->id, sizeof(st->id), "%s", id);
	st->title = xstrdup(title);
	st->body = xstrdup(body ? body : "");
	json_t *opts = json_object_get(js, "options");
	if (!json_is_array(opts) || !json_array_size(opts) ||
	    json_array_size(opts) > HC_FLOW_MAX_OPTIONS) {
		snprintf(err, errlen, "%s.options: expected 1 to %d options", where,
			 HC_FLOW_MAX_OPTIONS);
		return -1;
	}
	for (size_t k = 0; k < json_array_size(opts); k++) {
		json_t *jo = json_array_get(opts, k);
		char ow[96];
		snprintf(ow, sizeof(ow), "%s.options[%zu]", where, k);
		if (!json_is_object(jo)) {
			snprintf(err, errlen, "%s: expected an object", ow);
			return -1;
		}
		if (only_members(jo, opt_keys, ARRAY_SIZE(opt_keys), ow, err, errlen))
			return -1;
		const char *label, *next, *outcome;
		if (str_member(jo, "label", 1, MAX_LABEL, 0, ow, &label, err, errlen) ||
		    str_member(jo, "next", 0, 32, 0, ow, &next, err, errlen) ||
		    str_member(jo, "outcome", 0, 16, 0, ow, &outcome, err, errlen))
			return -1;
		if (!next == !outcome) {
			snprintf(err, errlen, "%s: needs exactly one of \"next\" and \"outcome\"", ow);
			return -1;
		}
		struct hc_flow_option *o = &st->opt[st->nopt];
		o->label = xstrdup(label);
		o->next = -1;
		st->nopt++;
		if (outcome) {
			if (!strcmp(outcome, "solved"))
				o->outcome = HC_FLOW_SOLVED;
			else if (!strcmp(outcome, "contact"))
				o->outcome = HC_FLOW_CONTACT;
			else {
				snprintf(err, errlen,
					 "%s.outcome: \"solved\" or \"contact\", not \"%.16s\"", ow,
					 controls(outcome) ? "?" : outcome);
				return -1;
			}
		}
		nexts[i * HC_FLOW_MAX_OPTIONS + (int)k] = next;
	}
	return 0;
}

int hc_flow_from_json(const json_t *v, struct hc_flow *f, char *err, size_t errlen)
{
	static const char *const keys[] = {"start", "steps"};
	memset(f, 0, sizeof(*f));
	*err = '\0';
	if (!json_is_object(v)) {
		snprintf(err, errlen, "flow: expected an object");
		return -1;
	}
	if (only_members(v, keys, ARRAY_SIZE(keys), "flow", err, errlen))
		return -1;
	json_t *steps = json_object_get(v, "steps");
	if (!json_is_array(steps) || !json_array_size(steps) ||
	    json_array_size(steps) > HC_FLOW_MAX_STEPS) {
		snprintf(err, errlen, "flow.steps: expected 1 to %d steps", HC_FLOW_MAX_STEPS);
		return -1;
	}
	size_t ns = json_array_size(steps);
	const char *nexts[HC_FLOW_MAX_STEPS * HC_FLOW_MAX_OPTIONS] = {0};
	f->steps = xcalloc(ns, sizeof(*f->steps));
	for (size_t i = 0; i < ns; i++) {
		f->n = (int)i; /* find_id sees the steps before this one */
		if (parse_step(json_array_get(steps, i), (int)i, f, nexts, err, errlen)) {
			f->n = (int)i + 1;
			goto fail;
		}
	}
	f->n = (int)ns;
	for (int i = 0; i < f->n; i++)
		for (int k = 0; k < f->steps[i].nopt; k++) {
			const char *nx = nexts[i * HC_FLOW_MAX_OPTIONS + k];
			if (!nx)
				continue;
			int to = find_id(f, nx);
			if (to < 0) {
				snprintf(err, errlen,
					 "steps[%d].options[%d].next: there is no step \"%.32s\"", i,
					 k, controls(nx) ? "?" : nx);
				goto fail;
			}
			f->steps[i].opt[k].next = to;
		}
	const char *start;
	if (str_member(v, "start", 0, 32, 0, "flow", &start, err, errlen))
		goto fail;
	f->start = start ? find_id(f, start) : 0;
	if (f->start < 0) {
		snprintf(err, errlen, "flow.start: there is no step \"%.32s\"", start);
		goto fail;
	}
	/* every step reachable from the start */
	int seen[HC_FLOW_MAX_STEPS] = {0}, queue[HC_FLOW_MAX_STEPS], qh = 0, qt = 0;
	seen[f->start] = 1;
	queue[qt++] = f->start;
	while (qh < qt) {
		const struct hc_flow_step *st = &f->steps[queue[qh++]];
		for (int k = 0; k < st->nopt; k++) {
			int to = st->opt[k].next;
			if (to >= 0 && !seen[to]) {
				seen[to] = 1;
				queue[qt++] = to;
			}
		}
	}
	for (int i = 0; i < f->n; i++)
		if (!seen[i]) {
			snprintf(err, errlen, "steps[%d]: \"%s\" cannot be reached from the start", i,
				 f->steps[i].id);
			goto fail;
		}
	return 0;
fail:
	hc_flow_clear(f);
	return -1;
}

int hc_flow_parse(const char *s, size_t len, struct hc_flow *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	if (len > HC_FLOW_MAX_JSON) {
		snprintf(err, errlen, "flow: at most %d bytes", HC_FLOW_MAX_JSON);
		return -1;
	}
	json_error_t je;
	json_t *v = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		snprintf(err, errlen, "flow: not JSON (%.80s)", je.text);
		return -1;
	}
	int rc = hc_flow_from_json(v, f, err, errlen);
	json_decref(v);
	return rc;
}

json_t *hc_flow_to_json(const struct hc_flow *f)
{
	json_t *steps = json_array();
	for (int i = 0; i < f->n; i++) {
		const struct hc_flow_step *st = &f->steps[i];
		json_t *opts = json_array();
		for (int k = 0; k < st->nopt; k++) {
			const struct hc_flow_option *o = &st->opt[k];
			json_array_append_new(
			    opts, o->next >= 0
				      ? json_pack("{s:s,s:s}", "label", o->label, "next",
						  f->steps[o->next].id)
				      : json_pack("{s:s,s:s}", "label", o->label, "outcome",
						  hc_flow_outcome_name(o->outcome)));
		}
		json_t *js = json_pack("{s:s,s:s,s:o}", "id", st->id, "title", st->title, "options",
				       opts);
		if (st->body[0])
			json_object_set_new(js, "body", json_string(st->body));
		json_array_append_new(steps, js);
	}
	return json_pack("{s:s,s:o}", "start", f->n ? f->steps[f->start].id : "", "steps", steps);
}

int hc_flow_walk(const struct hc_flow *f, const char *path, struct hc_flow_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->step = f->n ? f->start : -1;
	if (!f->n)
		return -1;
	const char *p = path ? path : "";
	while (*p) {
		if (w->step < 0 || w->n >= HC_FLOW_MAX_PATH)
			return -1; /* past an outcome, or too long */
		if (*p < '0' || *p > '9' || (p[1] >= '0' && p[1] <= '9'))
			return -1; /* one digit per choice (at most 6 options) */
		int k = *p - '0';
		const struct hc_flow_step *st = &f->steps[w->step];
		if (k >= st->nopt)
			return -1;
		w->taken[w->n][0] = w->step;
		w->taken[w->n][1] = k;
		w->n++;
		w->step = st->opt[k].next;
		w->outcome = st->opt[k].outcome;
		p++;
		if (*p == '.') {
			p++;
			if (!*p)
				return -1;
		} else if (*p) {
			return -1;
		}
	}
	return 0;
}

void hc_flow_path(const struct hc_flow_walk *w, int k, struct buf *out)
{
	for (int i = 0; i < k && i < w->n; i++)
		buf_addf(out, "%s%d", i ? "." : "", w->taken[i][1]);
}

void hc_flow_path_text(const struct hc_flow *f, const struct hc_flow_walk *w, struct buf *out)
{
	for (int i = 0; i < w->n; i++) {
		const struct hc_flow_step *st = &f->steps[w->taken[i][0]];
		buf_addf(out, "%d. %s -> %s\n", i + 1, st->title, st->opt[w->taken[i][1]].label);
	}
}
