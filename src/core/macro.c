/* macro.c - the macro action allow-list and its application (macro.h).
 *
 * One table {name, check} lists every action field; custom_fields_<id> is
 * matched by prefix.  macro_actions_check() runs each action's check once;
 * macro_apply() checks again (a macro saved before a rule changed must not
 * apply a bad value) and fills a struct ticket_change, which the caller
 * hands to core's ticket_apply() (a preview) or to ticket_write_run() (a
 * save), where Zendesk's ticket rules are enforced.  Cost: linear in the
 * number of actions times the number of allowed fields (both small).
 */
#include "core/macro.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_status(const char *v) { return ticket_valid_status(v) && strcmp(v, "closed"); }
static int check_priority(const char *v) { return !*v || ticket_valid_priority(v); }
static int check_type(const char *v) { return !*v || ticket_valid_type(v); }
static int check_id(const char *v)
{
	int64_t id;
	return !*v || (parse_i64(v, &id) == 0 && id > 0);
}
static int check_assignee(const char *v) { return !strcmp(v, "current_user") || check_id(v); }
static int check_bool(const char *v) { return !strcmp(v, "true") || !strcmp(v, "false"); }
static int check_text(const char *v) { return *v != '\0'; }

/* Every word a valid tag. */
static int check_tags(const char *v)
{
	char *copy = xstrdup(v), *save = NULL;
	int ok = 1;
	for (char *w = strtok_r(copy, " \t\r\n,", &save); w && ok; w = strtok_r(NULL, " \t\r\n,", &save)) {
		char *t = tag_normalize(w);
		ok = t != NULL;
		free(t);
	}
	free(copy);
	return ok;
}

static const struct {
	const char *name;
	int (*check)(const char *v);
	const char *want;	/* for the error text */
} actions[] = {
	{"status", check_status, "new, open, pending, hold or solved"},
	{"priority", check_priority, "low, normal, high, urgent or empty"},
	{"type", check_type, "question, incident, problem, task or empty"},
	{"assignee_id", check_assignee, "a user id, current_user or empty"},
	{"group_id", check_id, "a group id or empty"},
	{"subject", check_text, "a non-empty subject"},
	{"set_tags", check_tags, "tags"},
	{"current_tags", check_tags, "tags"},
	{"remove_tags", check_tags, "tags"},
	{"comment_value", check_text, "comment text"},
	{"comment_value_html", check_text, "comment HTML"},
	{"comment_mode_is_public", check_bool, "true or false"},
};
#define CUSTOM "custom_fields_"

static int find(const char *field)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (!strcmp(actions[i].name, field))
			return (int)i;
	if (!strncmp(field, CUSTOM, strlen(CUSTOM))) {
		int64_t id;
		if (parse_i64(field + strlen(CUSTOM), &id) == 0 && id > 0)
			return (int)ARRAY_SIZE(actions);
	}
	return -1;
}

int macro_field_known(const char *field) { return field && find(field) >= 0; }

int macro_actions_check(const struct macro_action *v, size_t n, char *err, size_t errlen)
{
	if (n > MACRO_MAX_ACTIONS) {
		snprintf(err, errlen, "actions: at most %d actions", MACRO_MAX_ACTIONS);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int k = v[i].field ? find(v[i].field) : -1;
		if (k < 0) {
			snprintf(err, errlen, "actions: \"%.64s\" is not an action macros can take",
				 v[i].field ? v[i].field : "");
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(v[j].field, v[i].field)) {
				snprintf(err, errlen, "actions: \"%.64s\" appears more than once",
					 v[i].field);
				return -1;
			}
		if (!v[i].value || strlen(v[i].value) > MACRO_MAX_VALUE) {
			snprintf(err, errlen, "actions: the value of \"%.64s\" is missing or too long",
				 v[i].field);
			return -1;
		}
		if (k < (int)ARRAY_SIZE(actions) && !actions[k].check(v[i].value)) {
			snprintf(err, errlen, "actions: \"%.64s\" is not a valid %s (expected %s)",
				 v[i].value, v[i].field, actions[k].want);
			return -1;
		}
	}
	return 0;
}

static void add_words(struct strlist *l, const char *v)
{
	char *copy = xstrdup(v), *save = NULL;
	for (char *w = strtok_r(copy, " \t\r\n,", &save); w; w = strtok_r(NULL, " \t\r\n,", &save)) {
		char *t = tag_normalize(w);
		if (t && !strlist_has(l, t))
			strlist_add(l, t);
		free(t);
	}
	free(copy);
}

static int64_t id_of(const char *v, int64_t current_user_id)
{
	int64_t id = 0;
	if (!strcmp(v, "current_user"))
		return current_user_id;
	if (*v)
		parse_i64(v, &id);
	return id;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = *v ? xstrdup(v) : NULL;
}

int macro_apply(const struct macro_action *v, size_t n, const struct ticket *t,
		int64_t current_user_id, struct ticket_change *c, char *err, size_t errlen)
{
	if (macro_actions_check(v, n, err, errlen))
		return -1;
	c->comment_public = 1;
	for (size_t i = 0; i < n; i++) {
		const char *f = v[i].field, *val = v[i].value;
		if (!strcmp(f, "status")) {
			c->set |= TF_STATUS;
			set_str(&c->v.status, val);
		} else if (!strcmp(f, "priority")) {
			c->set |= TF_PRIORITY;
			set_str(&c->v.priority, val);
		} else if (!strcmp(f, "type")) {
			c->set |= TF_TYPE;
			set_str(&c->v.type, val);
		} else if (!strcmp(f, "subject")) {
			c->set |= TF_SUBJECT;
			set_str(&c->v.subject, val);
		} else if (!strcmp(f, "assignee_id")) {
			c->set |= TF_ASSIGNEE;
			c->v.assignee_id = id_of(val, current_user_id);
		} else if (!strcmp(f, "group_id")) {
			c->set |= TF_GROUP;
			c->v.group_id = id_of(val, 0);
		} else if (!strcmp(f, "set_tags")) {
			c->set |= TF_TAGS;
			strlist_clear(&c->v.tags);
			add_words(&c->v.tags, val);
		} else if (!strcmp(f, "current_tags")) {
			add_words(&c->add_tags, val);
		} else if (!strcmp(f, "remove_tags")) {
			add_words(&c->remove_tags, val);
		} else if (!strcmp(f, "comment_value")) {
			set_str(&c->comment_body, val);
		} else if (!strcmp(f, "comment_value_html")) {
			set_str(&c->comment_html, val);
		} else if (!strcmp(f, "comment_mode_is_public")) {
			c->comment_public = !strcmp(val, "true");
		} else { /* custom_fields_<id>: the value as a JSON string */
			int64_t id = 0;
			parse_i64(f + strlen(CUSTOM), &id);
			if (!(c->set & TF_FIELDS) && t) {
				/* keep the ticket's other field values */
				for (size_t k = 0; k < t->nfields; k++) {
					c->v.fields = xrealloc(c->v.fields,
							       (c->v.nfields + 1) * sizeof(*c->v.fields));
					c->v.fields[c->v.nfields].id = t->fields[k].id;
					c->v.fields[c->v.nfields].value_json =
					    xstrdup(t->fields[k].value_json);
					c->v.nfields++;
				}
			}
			c->set |= TF_FIELDS;
			struct buf j = BUF_INIT;
			if (!*val) {
				buf_adds(&j, "null");
			} else {
				buf_addc(&j, '"');
				for (const char *p = val; *p; p++) {
					unsigned char ch = (unsigned char)*p;
					if (ch == '"' || ch == '\\')
						buf_addf(&j, "\\%c", ch);
					else if (ch < 0x20)
						buf_addf(&j, "\\u%04x", ch);
					else
						buf_addc(&j, (char)ch);
				}
				buf_addc(&j, '"');
			}
			size_t k = 0;
			while (k < c->v.nfields && c->v.fields[k].id != id)
				k++;
			if (k == c->v.nfields) {
				c->v.fields =
				    xrealloc(c->v.fields, (c->v.nfields + 1) * sizeof(*c->v.fields));
				c->v.fields[k].id = id;
				c->v.fields[k].value_json = NULL;
				c->v.nfields++;
			}
			free(c->v.fields[k].value_json);
			c->v.fields[k].value_json = buf_detach(&j);
		}
	}
	return 0;
}

void macro_actions_free(struct macro_action *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].field);
		free(v[i].value);
	}
	free(v);
}
