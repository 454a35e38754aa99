/* rule.c - conditions and actions of triggers and automations (see rule.h).
 *
 * Two ordered tables are the allow-list: cond_fields (each condition field:
 * what kind of value it reads, which operators it takes, whether triggers,
 * automations or both may use it) and act_fields (each action field and how
 * many values it takes).  rule_parse() checks a rule's JSON against them
 * once, on save and again when an executor loads it.
 *
 * Evaluation reads a field's value as text (ids in decimal, tags joined by
 * spaces, custom field JSON unwrapped) through field_text(), then compares
 * by the condition's operator: status and priority order as Zendesk orders
 * them (new < open < pending < hold < solved < closed; low < normal < high
 * < urgent), hours as numbers.  satisfaction_score reads the ticket's
 * CSAT copy ("unoffered" when none; good/bad split by comment on demand);
 * sla_breached and hours_until_next_sla_breach read the SLA figures the
 * executor put in the context (rule_uses_sla says when it must).  "changed" and "changed to/from" look at the
 * update's field events and, for changes rules made in this cycle, at the
 * ticket as it was before the rules ran.
 *
 * Actions change the working ticket in place (the executor turns the
 * difference into one ticket_change with rule_diff) and add the comment
 * and notifications.  Cost: a condition is a table lookup and a string
 * compare; a trigger cycle is at most max_passes x n rule evaluations.
 */
#include "core/rule.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/html.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the allow-list ------------------------------------------------------ */

enum op {
	O_IS = 1 << 0, O_IS_NOT = 1 << 1, O_LT = 1 << 2, O_GT = 1 << 3,
	O_INCLUDES = 1 << 4, O_NOT_INCLUDES = 1 << 5, O_PRESENT = 1 << 6,
	O_NOT_PRESENT = 1 << 7, O_CHANGED = 1 << 8, O_NOT_CHANGED = 1 << 9,
	O_VALUE = 1 << 10, O_NOT_VALUE = 1 << 11, O_VALUE_PREV = 1 << 12,
	O_NOT_VALUE_PREV = 1 << 13, O_INC_STRING = 1 << 14, O_NOT_INC_STRING = 1 << 15,
	O_INC_WORDS = 1 << 16, O_NOT_INC_WORDS = 1 << 17,
};

static const struct {
	const char *name;
	unsigned bit;
} ops[] = {
	{"is", O_IS}, {"is_not", O_IS_NOT}, {"less_than", O_LT}, {"greater_than", O_GT},
	{"includes", O_INCLUDES}, {"not_includes", O_NOT_INCLUDES}, {"present", O_PRESENT},
	{"not_present", O_NOT_PRESENT}, {"changed", O_CHANGED}, {"not_changed", O_NOT_CHANGED},
	{"value", O_VALUE}, {"not_value", O_NOT_VALUE}, {"value_previous", O_VALUE_PREV},
	{"not_value_previous", O_NOT_VALUE_PREV}, {"includes_string", O_INC_STRING},
	{"not_includes_string", O_NOT_INC_STRING}, {"includes_words", O_INC_WORDS},
	{"not_includes_words", O_NOT_INC_WORDS},
};

enum kind {
	K_STATUS, K_PRIORITY, K_STR, K_ID, K_TAGS, K_CUSTOM, K_UPDATE_TYPE, K_CURRENT_USER,
	K_ROLE, K_COMMENT_PUBLIC, K_COMMENT, K_SUBJECT_TEXT, K_DESC_TEXT, K_VIA, K_CURRENT_VIA,
	K_HOURS, K_SATISFACTION, K_SLA_HOURS, K_SLA_BREACHED,
};

#define EQ (O_IS | O_IS_NOT)
#define ORD (EQ | O_LT | O_GT)
#define PRES (O_PRESENT | O_NOT_PRESENT)
#define CHG (O_CHANGED | O_NOT_CHANGED | O_VALUE | O_NOT_VALUE | O_VALUE_PREV | O_NOT_VALUE_PREV)
#define TEXT (O_INC_STRING | O_NOT_INC_STRING | O_INC_WORDS | O_NOT_INC_WORDS)
#define WORDS (O_INCLUDES | O_NOT_INCLUDES | EQ | TEXT)
enum { FOR_T = 1, FOR_A = 2, FOR_BOTH = 3 };

/* Condition fields.  `event` is the audit field name for "changed". */
static const struct cond_field {
	const char *name;
	enum kind kind;
	unsigned ops;
	int for_;
	const char *event;
	int64_t (*at)(const struct ticket *, const struct rule_ctx *); /* K_HOURS */
} cond_fields[] = {
	{"status", K_STATUS, ORD | CHG, FOR_BOTH, "status", NULL},
	{"priority", K_PRIORITY, ORD | PRES | CHG, FOR_BOTH, "priority", NULL},
	{"type", K_STR, EQ | PRES | CHG, FOR_BOTH, "type", NULL},
	{"group_id", K_ID, EQ | PRES | CHG, FOR_BOTH, "group_id", NULL},
	{"assignee_id", K_ID, EQ | PRES | CHG, FOR_BOTH, "assignee_id", NULL},
	{"requester_id", K_ID, EQ | PRES | CHG, FOR_BOTH, "requester_id", NULL},
	{"organization_id", K_ID, EQ | PRES | CHG, FOR_BOTH, "organization_id", NULL},
	{"subject", K_STR, EQ | PRES | TEXT | CHG, FOR_BOTH, "subject", NULL},
	{"description", K_STR, EQ | PRES | TEXT, FOR_BOTH, NULL, NULL},
	{"current_tags", K_TAGS, O_INCLUDES | O_NOT_INCLUDES | PRES | CHG, FOR_BOTH, "tags", NULL},
	{"via", K_VIA, EQ, FOR_BOTH, NULL, NULL},
	{"via_id", K_VIA, EQ, FOR_BOTH, NULL, NULL},
	{"current_via", K_CURRENT_VIA, EQ, FOR_T, NULL, NULL},
	{"current_via_id", K_CURRENT_VIA, EQ, FOR_T, NULL, NULL},
	{"update_type", K_UPDATE_TYPE, EQ, FOR_T, NULL, NULL},
	{"current_user", K_CURRENT_USER, EQ, FOR_T, NULL, NULL},
	{"role", K_ROLE, EQ, FOR_T, NULL, NULL},
	{"comment_is_public", K_COMMENT_PUBLIC, EQ, FOR_T, NULL, NULL},
	{"comment", K_COMMENT, PRES | TEXT, FOR_T, NULL, NULL},
	{"comment_includes_word", K_COMMENT, WORDS, FOR_T, NULL, NULL},
	{"subject_includes_word", K_SUBJECT_TEXT, WORDS, FOR_BOTH, NULL, NULL},
	{"description_includes_word", K_DESC_TEXT, WORDS, FOR_BOTH, NULL, NULL},
	{"satisfaction_score", K_SATISFACTION, EQ | CHG, FOR_BOTH, "satisfaction_score", NULL},
	{"sla_breached", K_SLA_BREACHED, EQ, FOR_BOTH, NULL, NULL},
	{"hours_until_next_sla_breach", K_SLA_HOURS, O_IS | O_LT | O_GT, FOR_BOTH, NULL, NULL},
};

/* satisfaction_score values (Zendesk's): what the ticket's rating is, with
 * the received ones also split by whether a comment came with them. */
static const char *const csat_values[] = {
	"unoffered", "offered", "good", "bad", "good_with_comment", "good_without_comment",
	"bad_with_comment", "bad_without_comment",
};

static int csat_is(const struct ticket *t, const char *want)
{
	const char *have = t->satisfaction_score[0] ? t->satisfaction_score : "unoffered";
	size_t n = strlen(have);
	if (!strcmp(want, have))
		return 1;
	if (strncmp(want, have, n) || (strcmp(have, "good") && strcmp(have, "bad")))
		return 0;
	int commented = t->satisfaction_comment && *t->satisfaction_comment;
	return !strcmp(want + n, commented ? "_with_comment" : "_without_comment");
}

static int64_t at_created(const struct ticket *t, const struct rule_ctx *c) { return t->created_at; }
static int64_t at_updated(const struct ticket *t, const struct rule_ctx *c) { return t->updated_at; }
static int64_t at_solved(const struct ticket *t, const struct rule_ctx *c)
{
	return t->status && (!strcmp(t->status, "solved") || !strcmp(t->status, "closed"))
		   ? t->solved_at
		   : 0;
}
static int64_t at_status(const struct ticket *t, const struct rule_ctx *c, const char *st)
{
	if (!t->status || strcmp(t->status, st))
		return 0;
	return c->times.status_updated_at ? c->times.status_updated_at : t->created_at;
}
static int64_t at_new(const struct ticket *t, const struct rule_ctx *c) { return at_status(t, c, "new"); }
static int64_t at_open(const struct ticket *t, const struct rule_ctx *c) { return at_status(t, c, "open"); }
static int64_t at_pending(const struct ticket *t, const struct rule_ctx *c) { return at_status(t, c, "pending"); }
static int64_t at_hold(const struct ticket *t, const struct rule_ctx *c) { return at_status(t, c, "hold"); }
static int64_t at_closed(const struct ticket *t, const struct rule_ctx *c) { return at_status(t, c, "closed"); }
static int64_t at_assigned(const struct ticket *t, const struct rule_ctx *c)
{
	return t->assignee_id ? c->times.assigned_at : 0;
}
static int64_t at_req_upd(const struct ticket *t, const struct rule_ctx *c) { return c->times.requester_updated_at; }
static int64_t at_asg_upd(const struct ticket *t, const struct rule_ctx *c) { return c->times.assignee_updated_at; }

/* Time conditions (automations only): hours since, with Zendesk's names as
 * aliases (NEW = since created, OPEN/PENDING/... = since the status was set). */
static const struct {
	const char *name;
	int64_t (*at)(const struct ticket *, const struct rule_ctx *);
} hours[] = {
	{"hours_since_created", at_created}, {"NEW", at_created},
	{"hours_since_updated", at_updated}, {"updated_at", at_updated},
	{"hours_since_open", at_open}, {"OPEN", at_open},
	{"hours_since_pending", at_pending}, {"PENDING", at_pending},
	{"hours_since_hold", at_hold}, {"HOLD", at_hold},
	{"hours_since_solved", at_solved}, {"SOLVED", at_solved},
	{"hours_since_closed", at_closed}, {"CLOSED", at_closed},
	{"hours_since_new", at_new},
	{"hours_since_assigned", at_assigned}, {"assigned_at", at_assigned},
	{"hours_since_requester_updated", at_req_upd}, {"requester_updated_at", at_req_upd},
	{"hours_since_assignee_updated", at_asg_upd}, {"assignee_updated_at", at_asg_upd},
};

/* Find the condition field for name into *out (custom_fields_<id> and the
 * hours fields are made up on the fly).  0 or -1 when not allowed. */
static int cond_field_find(const char *name, struct cond_field *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(cond_fields); i++)
		if (!strcmp(cond_fields[i].name, name)) {
			*out = cond_fields[i];
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(hours); i++)
		if (!strcmp(hours[i].name, name)) {
			*out = (struct cond_field){name, K_HOURS, O_IS | O_LT | O_GT, FOR_A, NULL,
						   hours[i].at};
			return 0;
		}
	int64_t id;
	if (!strncmp(name, "custom_fields_", 14) && parse_i64(name + 14, &id) == 0 && id > 0) {
		*out = (struct cond_field){name, K_CUSTOM, ORD | PRES | O_INCLUDES |
							       O_NOT_INCLUDES | CHG,
					   FOR_BOTH, name + 14, NULL};
		return 0;
	}
	return -1;
}

enum act { A_STATUS, A_PRIORITY, A_TYPE, A_GROUP, A_ASSIGNEE, A_SET_TAGS, A_ADD_TAGS,
	   A_REMOVE_TAGS, A_CUSTOM, A_COMMENT, A_COMMENT_HTML, A_COMMENT_PUBLIC, A_NOTE_USER,
	   A_NOTE_GROUP, A_NOTE_WEBHOOK };

/* Action fields: how many values (min..max; a scalar counts as one). */
static const struct act_field {
	const char *name;
	enum act act;
	int min, max;
	const char *cond; /* the condition field this action changes (nullifying check) */
} act_fields[] = {
	{"status", A_STATUS, 1, 1, "status"},
	{"priority", A_PRIORITY, 1, 1, "priority"},
	{"type", A_TYPE, 1, 1, "type"},
	{"group_id", A_GROUP, 1, 1, "group_id"},
	{"assignee_id", A_ASSIGNEE, 1, 1, "assignee_id"},
	{"set_tags", A_SET_TAGS, 1, 100, "current_tags"},
	{"current_tags", A_ADD_TAGS, 1, 100, "current_tags"},
	{"remove_tags", A_REMOVE_TAGS, 1, 100, "current_tags"},
	{"comment_value", A_COMMENT, 1, 2, NULL},
	{"comment_value_html", A_COMMENT_HTML, 1, 2, NULL},
	{"comment_mode_is_public", A_COMMENT_PUBLIC, 1, 1, NULL},
	{"notification_user", A_NOTE_USER, 3, 3, NULL},
	{"notification_group", A_NOTE_GROUP, 3, 3, NULL},
	{"notification_webhook", A_NOTE_WEBHOOK, 2, 2, NULL},
};

static int act_field_find(const char *name, struct act_field *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(act_fields); i++)
		if (!strcmp(act_fields[i].name, name)) {
			*out = act_fields[i];
			return 0;
		}
	int64_t id;
	if (!strncmp(name, "custom_fields_", 14) && parse_i64(name + 14, &id) == 0 && id > 0) {
		*out = (struct act_field){name, A_CUSTOM, 1, 1, name};
		return 0;
	}
	return -1;
}

/* ---- parsing --------------------------------------------------------------- */

static const char *const statuses[] = {"new", "open", "pending", "hold", "solved", "closed"};
static const char *const priorities[] = {"low", "normal", "high", "urgent"};

static int rank(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return (int)i;
	return -1;
}

/* A JSON scalar as text: strings as is, numbers and booleans in JSON form,
 * null as NULL.  Returns -1 for arrays and objects. */
static int scalar_text(json_t *v, char **out)
{
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*out = xstrdup(json_string_value(v));
		return 0;
	}
	if (json_is_integer(v)) {
		char b[32];
		snprintf(b, sizeof(b), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = xstrdup(b);
		return 0;
	}
	if (json_is_boolean(v)) {
		*out = xstrdup(json_is_true(v) ? "true" : "false");
		return 0;
	}
	return -1;
}

static unsigned op_bit(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(ops[i].name, name))
			return ops[i].bit;
	return 0;
}

#define BAD(...)                                                                                   \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		return -1;                                                                         \
	} while (0)

/* Check one condition's value for its field and operator. */
static int cond_value_ok(const struct cond_field *f, unsigned op, const char *v, char *err,
			 size_t errlen)
{
	if (op & (PRES | O_CHANGED | O_NOT_CHANGED))
		return 0; /* no value needed */
	if (f->kind == K_STATUS && rank(v, statuses, ARRAY_SIZE(statuses)) < 0)
		BAD("conditions: '%s' is not a status", v ? v : "null");
	if (f->kind == K_PRIORITY && v && *v && rank(v, priorities, ARRAY_SIZE(priorities)) < 0)
		BAD("conditions: '%s' is not a priority", v);
	if (f->kind == K_HOURS) {
		int64_t h;
		if (!v || parse_i64(v, &h) || h < 0)
			BAD("conditions: %s needs a number of hours", f->name);
	}
	if (f->kind == K_SATISFACTION &&
	    rank(v, csat_values, ARRAY_SIZE(csat_values)) < 0)
		BAD("conditions: '%s' is not a satisfaction score", v ? v : "null");
	if (f->kind == K_SLA_BREACHED && (!v || (strcmp(v, "true") && strcmp(v, "false"))))
		BAD("conditions: sla_breached is true or false");
	if (f->kind == K_SLA_HOURS) {
		int64_t h;
		if (!v || parse_i64(v, &h) || h < 0)
			BAD("conditions: %s needs a number of hours", f->name);
	}
	if (f->kind == K_UPDATE_TYPE && (!v || (strcmp(v, "Create") && strcmp(v, "Change"))))
		BAD("conditions: update_type is Create or Change");
	if (f->kind == K_ROLE && rank(v, (const char *const[]){"end_user", "agent", "admin"}, 3) < 0)
		BAD("conditions: role is end_user, agent or admin");
	if (f->kind == K_ID && v && *v && strcmp(v, "current_user")) {
		int64_t id;
		if (parse_i64(v, &id) || id <= 0)
			BAD("conditions: %s needs an id", f->name);
	}
	if ((op & (TEXT | O_INCLUDES | O_NOT_INCLUDES)) && (!v || !*v))
		BAD("conditions: %s %s needs a value", f->name, "includes");
	return 0;
}

static int parse_conds(json_t *arr, enum rule_kind kind, struct rule_cond **out, size_t *n,
		       char *err, size_t errlen)
{
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		BAD("conditions: all and any are arrays");
	if (json_array_size(arr) > 100)
		BAD("conditions: at most 100 conditions");
	size_t i;
	json_t *c;
	json_array_foreach(arr, i, c) {
		const char *field = json_string_value(json_object_get(c, "field"));
		const char *opname = json_string_value(json_object_get(c, "operator"));
		struct cond_field f;
		if (!json_is_object(c) || !field || !opname)
			BAD("conditions: each condition has a field and an operator");
		if (cond_field_find(field, &f))
			BAD("conditions: '%s' is not a condition field", field);
		if (!(f.for_ & (kind == RULE_TRIGGER ? FOR_T : FOR_A)))
			BAD("conditions: '%s' cannot be used in %s", field,
			    kind == RULE_TRIGGER ? "triggers" : kind == RULE_VIEW ? "views" : "automations");
		unsigned op = op_bit(opname);
		if (!(op & f.ops) || (kind != RULE_TRIGGER && (op & CHG)))
			BAD("conditions: '%s' is not an operator of '%s'", opname, field);
		char *v;
		if (scalar_text(json_object_get(c, "value"), &v))
			BAD("conditions: the value of '%s' is not a string or number", field);
		if (cond_value_ok(&f, op, v, err, errlen)) {
			free(v);
			return -1;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = (struct rule_cond){xstrdup(field), xstrdup(opname), v};
	}
	return 0;
}

static int act_value_ok(const struct act_field *a, const struct strlist *v, char *err,
			size_t errlen)
{
	const char *s = v->v[0];
	int64_t id;
	switch (a->act) {
	case A_STATUS:
		if (rank(s, statuses, ARRAY_SIZE(statuses)) < 1)
			BAD("actions: '%s' is not a status a rule can set", s);
		break;
	case A_PRIORITY:
		if (*s && rank(s, priorities, ARRAY_SIZE(priorities)) < 0)
			BAD("actions: '%s' is not a priority", s);
		break;
	case A_TYPE:
		if (*s && !ticket_valid_type(s))
			BAD("actions: '%s' is not a ticket type", s);
		break;
	case A_GROUP:
	case A_ASSIGNEE:
		if (*s && strcmp(s, "current_user") && (parse_i64(s, &id) || id <= 0))
			BAD("actions: %s needs an id, \"current_user\" or \"\"", a->name);
		break;
	case A_SET_TAGS:
	case A_ADD_TAGS:
	case A_REMOVE_TAGS:
		for (size_t i = 0; i < v->n; i++)
			if (!ticket_valid_tag(v->v[i]))
				BAD("actions: '%s' is not a valid tag", v->v[i]);
		break;
	case A_COMMENT_PUBLIC:
		if (strcmp(s, "true") && strcmp(s, "false"))
			BAD("actions: comment_mode_is_public is true or false");
		break;
	case A_NOTE_GROUP:
		if (strcmp(s, "group_id") && (parse_i64(s, &id) || id <= 0))
			BAD("actions: notification_group needs a group id or \"group_id\"");
		break;
	case A_NOTE_WEBHOOK:
		if (parse_i64(s, &id) || id <= 0)
			BAD("actions: notification_webhook needs a webhook id");
		break;
	case A_NOTE_USER:
		if (strcmp(s, "requester_id") && strcmp(s, "requester") && strcmp(s, "assignee_id") &&
		    strcmp(s, "assignee") && strcmp(s, "current_user") && strcmp(s, "ccs") &&
		    strcmp(s, "requester_and_ccs") && (parse_i64(s, &id) || id <= 0))
			BAD("actions: '%s' is not a recipient", s);
		break;
	default:
		break;
	}
	return 0;
}

static int parse_actions(json_t *arr, struct rule *r, char *err, size_t errlen)
{
	if (!json_is_array(arr) || !json_array_size(arr))
		BAD("actions: at least one action is required");
	if (json_array_size(arr) > 100)
		BAD("actions: at most 100 actions");
	size_t i;
	json_t *a;
	json_array_foreach(arr, i, a) {
		const char *field = json_string_value(json_object_get(a, "field"));
		struct act_field f;
		if (!json_is_object(a) || !field)
			BAD("actions: each action has a field and a value");
		if (act_field_find(field, &f))
			BAD("actions: '%s' is not an action field", field);
		struct strlist v = {0};
		json_t *val = json_object_get(a, "value");
		char *s;
		if (json_is_array(val)) {
			size_t k;
			json_t *e;
			json_array_foreach(val, k, e) {
				if (scalar_text(e, &s) || !s) {
					free(s);
					strlist_clear(&v);
					BAD("actions: the values of '%s' are strings", field);
				}
				strlist_add(&v, s);
				free(s);
			}
		} else if (scalar_text(val, &s) == 0) {
			strlist_add(&v, s ? s : "");
			free(s);
		}
		/* tags may come as one space-separated string */
		if ((f.act == A_SET_TAGS || f.act == A_ADD_TAGS || f.act == A_REMOVE_TAGS) && v.n == 1) {
			struct strlist split = {0};
			char *copy = xstrdup(v.v[0]), *save = NULL;
			for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				strlist_add(&split, tok);
			free(copy);
			strlist_clear(&v);
			v = split;
		}
		if ((int)v.n < f.min || (int)v.n > f.max) {
			strlist_clear(&v);
			BAD("actions: '%s' takes %d to %d values", field, f.min, f.max);
		}
		if (act_value_ok(&f, &v, err, errlen)) {
			strlist_clear(&v);
			return -1;
		}
		r->actions = xrealloc(r->actions, (r->nactions + 1) * sizeof(*r->actions));
		r->actions[r->nactions++] = (struct rule_action){xstrdup(field), v};
	}
	return 0;
}

/* Split a space-separated list into l. */
static void words(const char *s, struct strlist *l)
{
	char *copy = xstrdup(s ? s : ""), *save = NULL;
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		strlist_add(l, tok);
	free(copy);
}

/* Does r nullify itself: an action that changes a field an "all"
 * condition tests, or adds/removes a tag the condition requires absent /
 * present? */
static int nullifies(const struct rule *r)
{
	for (size_t i = 0; i < r->nactions; i++) {
		struct act_field a;
		if (act_field_find(r->actions[i].field, &a) || !a.cond)
			continue;
		for (size_t j = 0; j < r->nall; j++) {
			const struct rule_cond *c = &r->all[j];
			if (strcmp(c->field, a.cond))
				continue;
			if (a.act != A_ADD_TAGS && a.act != A_REMOVE_TAGS)
				return 1;
			struct strlist want = {0};
			words(c->value, &want);
			int hit = 0;
			for (size_t k = 0; k < r->actions[i].value.n && !hit; k++) {
				char *t = tag_normalize(r->actions[i].value.v[k]);
				hit = t && strlist_has(&want, t) &&
				      ((a.act == A_ADD_TAGS && !strcmp(c->op, "not_includes")) ||
				       (a.act == A_REMOVE_TAGS && !strcmp(c->op, "includes")));
				free(t);
			}
			strlist_clear(&want);
			if (hit)
				return 1;
		}
	}
	return 0;
}

int rule_parse(json_t *conditions, json_t *actions, enum rule_kind kind, struct rule *r,
	       char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (conditions && !json_is_null(conditions) && !json_is_object(conditions)) {
		snprintf(err, errlen, "conditions: expected an object with all and any");
		return -1;
	}
	if (parse_conds(json_object_get(conditions, "all"), kind, &r->all, &r->nall, err, errlen) ||
	    parse_conds(json_object_get(conditions, "any"), kind, &r->any, &r->nany, err, errlen) ||
	    (kind != RULE_VIEW && parse_actions(actions, r, err, errlen)))
		goto fail;
	if (kind == RULE_VIEW && !r->nall && !r->nany) {
		snprintf(err, errlen, "conditions: a view needs at least one condition");
		goto fail;
	}
	if (kind == RULE_AUTOMATION) {
		int timed = 0;
		struct cond_field f;
		for (size_t i = 0; i < r->nall + r->nany; i++) {
			const struct rule_cond *c = i < r->nall ? &r->all[i] : &r->any[i - r->nall];
			timed |= cond_field_find(c->field, &f) == 0 &&
				 (f.kind == K_HOURS || f.kind == K_SLA_HOURS);
		}
		if (!timed) {
			snprintf(err, errlen, "conditions: an automation needs a time condition"
					      " (hours_since_...)");
			goto fail;
		}
		if (!nullifies(r)) {
			snprintf(err, errlen, "actions: an automation needs an action that nullifies"
					      " one of its conditions (so it runs once per ticket)");
			goto fail;
		}
	}
	return 0;
fail:
	rule_clear(r);
	return -1;
}

void rule_clear(struct rule *r)
{
	for (size_t i = 0; i < r->nall; i++) {
		free(r->all[i].field), free(r->all[i].op), free(r->all[i].value);
	}
	for (size_t i = 0; i < r->nany; i++) {
		free(r->any[i].field), free(r->any[i].op), free(r->any[i].value);
	}
	for (size_t i = 0; i < r->nactions; i++) {
		free(r->actions[i].field);
		strlist_clear(&r->actions[i].value);
	}
	free(r->all);
	free(r->any);
	free(r->actions);
	memset(r, 0, sizeof(*r));
}

/* ---- evaluation ------------------------------------------------------------ */

/* JSON value text of a custom field unwrapped: "\"x\"" -> x, arrays joined
 * by spaces, null -> NULL.  Into b; returns b->s or NULL. */
static const char *unwrap_json(const char *json, struct buf *b)
{
	if (!json)
		return NULL;
	json_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
	const char *out = NULL;
	if (!j) {
		buf_adds(b, json);
		out = b->s;
	} else if (json_is_string(j)) {
		buf_adds(b, json_string_value(j));
		out = b->s;
	} else if (json_is_array(j)) {
		size_t i;
		json_t *e;
		json_array_foreach(j, i, e) {
			if (i)
				buf_addc(b, ' ');
			buf_adds(b, json_is_string(e) ? json_string_value(e) : "");
		}
		out = b->s;
	} else if (!json_is_null(j)) {
		buf_adds(b, json);
		out = b->s;
	}
	json_decref(j);
	return out;
}

/* The value of condition field f on t as text into b (NULL = empty). */
static const char *field_text(const struct cond_field *f, const struct ticket *t,
			      const struct rule_ctx *c, struct buf *b)
{
	const char *n = f->name;
	int64_t id = 0;
	switch (f->kind) {
	case K_STATUS:
		return t->status;
	case K_PRIORITY:
		return t->priority;
	case K_STR:
	case K_SUBJECT_TEXT:
	case K_DESC_TEXT:
		if (!strcmp(n, "type"))
			return t->type;
		return f->kind == K_DESC_TEXT || !strcmp(n, "description") ? t->description
									   : t->subject;
	case K_ID:
		id = !strcmp(n, "group_id")	   ? t->group_id
		     : !strcmp(n, "assignee_id")   ? t->assignee_id
		     : !strcmp(n, "requester_id")  ? t->requester_id
						   : t->organization_id;
		if (!id)
			return NULL;
		buf_addf(b, "%" PRId64, id);
		return b->s;
	case K_TAGS:
		for (size_t i = 0; i < t->tags.n; i++) {
			if (i)
				buf_addc(b, ' ');
			buf_adds(b, t->tags.v[i]);
		}
		return t->tags.n ? b->s : NULL;
	case K_CUSTOM: {
		int64_t fid = 0;
		parse_i64(f->event, &fid);
		for (size_t i = 0; i < t->nfields; i++)
			if (t->fields[i].id == fid)
				return unwrap_json(t->fields[i].value_json, b);
		return NULL;
	}
	case K_VIA:
		return t->via_channel;
	case K_CURRENT_VIA:
		return c->via;
	case K_COMMENT:
		return c->comment;
	case K_SATISFACTION:
		return t->satisfaction_score[0] ? t->satisfaction_score : "unoffered";
	default:
		return NULL;
	}
}

/* The previous value of field f in this update: from its field event, or
 * the value before the rules ran.  *changed says whether it changed. */
static const char *previous_text(const struct cond_field *f, const struct ticket *t,
				 const struct rule_ctx *c, struct buf *b, int *changed)
{
	*changed = 0;
	if (!f->event)
		return NULL;
	for (size_t i = 0; c->events && i < c->events->n; i++)
		if (!strcmp(c->events->v[i].field, f->event)) {
			*changed = 1;
			if (f->kind == K_CUSTOM)
				return unwrap_json(c->events->v[i].previous, b);
			return c->events->v[i].previous;
		}
	if (c->before_rules) {
		struct buf now = BUF_INIT;
		const char *was = field_text(f, c->before_rules, c, b);
		const char *is = field_text(f, t, c, &now);
		*changed = !((!was && !is) || (was && is && !strcmp(was, is)));
		buf_release(&now);
		return was;
	}
	return NULL;
}

static int str_same(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && !strcmp(a, b);
}

/* Case-insensitive substring (ASCII folding; other bytes compare exactly). */
static int contains_ci(const char *hay, const char *needle)
{
	if (!hay || !needle)
		return 0;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (!strncasecmp(p, needle, n))
			return 1;
	return !n;
}

/* Does text hold word w as a whole word (letters and digits around it
 * are not part of it)? */
static int has_word(const char *text, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = text; p && *p; p++) {
		if (strncasecmp(p, w, n))
			continue;
		int before = p > text && (isalnum((unsigned char)p[-1]) || (p[-1] & 0x80));
		int after = isalnum((unsigned char)p[n]) || (p[n] & 0x80);
		if (!before && !after)
			return 1;
	}
	return 0;
}

static int any_word(const char *text, const char *list)
{
	struct strlist l = {0};
	words(list, &l);
	int hit = 0;
	for (size_t i = 0; i < l.n && !hit; i++)
		hit = has_word(text, l.v[i]);
	strlist_clear(&l);
	return hit;
}

static int order_of(const struct cond_field *f, const char *v, int64_t *out)
{
	if (f->kind == K_STATUS)
		*out = rank(v, statuses, ARRAY_SIZE(statuses));
	else if (f->kind == K_PRIORITY)
		*out = rank(v, priorities, ARRAY_SIZE(priorities)); /* none = -1, below low */
	else
		return v ? parse_i64(v, out) : -1;
	return 0;
}

static int cond_holds(const struct rule_cond *rc, const struct ticket *t,
		      const struct rule_ctx *c)
{
	struct cond_field f;
	if (cond_field_find(rc->field, &f))
		return 0;
	unsigned op = op_bit(rc->op);
	const char *want = rc->value;
	char idbuf[24];
	if (f.kind == K_ID && want && !strcmp(want, "current_user")) {
		snprintf(idbuf, sizeof(idbuf), "%" PRId64, c->actor_id);
		want = idbuf;
	}
	switch (f.kind) {
	case K_UPDATE_TYPE: {
		int is = !strcmp(want, c->creating ? "Create" : "Change");
		return op == O_IS ? is : !is;
	}
	case K_CURRENT_USER:
	case K_ROLE: {
		int is;
		int role = rank(want, (const char *const[]){"end_user", "agent", "admin"}, 3);
		int64_t id;
		if (role >= 0)
			is = role == ROLE_END_USER ? c->actor_role == ROLE_END_USER
			     : role == ROLE_AGENT  ? c->actor_role >= ROLE_AGENT
						   : c->actor_role == ROLE_ADMIN;
		else
			is = parse_i64(want, &id) == 0 && id == c->actor_id;
		return op == O_IS ? is : !is;
	}
	case K_COMMENT_PUBLIC: {
		int is;
		if (!strcmp(want ? want : "", "not_relevant"))
			is = 1;
		else if (!strcmp(want ? want : "", "true"))
			is = c->comment && c->comment_public;
		else
			is = c->comment && !c->comment_public;
		return op == O_IS ? is : !is;
	}
	case K_SATISFACTION:
		if (op == O_IS || op == O_IS_NOT) {
			int is = csat_is(t, want);
			return op == O_IS ? is : !is;
		}
		break; /* changed / value / value_previous: below */
	case K_SLA_BREACHED: {
		int is = c->sla_breached || (c->sla_next_breach_at && c->sla_next_breach_at <= c->now);
		is = !strcmp(want, "true") ? is : !is;
		return op == O_IS ? is : !is;
	}
	case K_SLA_HOURS: {
		int64_t left = c->sla_next_breach_at - c->now, h;
		if (!c->sla_next_breach_at || left <= 0 || parse_i64(want, &h))
			return 0; /* nothing ahead (breached ones: sla_breached) */
		left /= 3600;
		return op == O_IS ? left == h : op == O_LT ? left < h : left > h;
	}
	case K_HOURS: {
		int64_t at = f.at(t, c), h;
		if (!at || parse_i64(want, &h))
			return 0;
		int64_t since = (c->now - at) / 3600;
		return op == O_IS ? since == h : op == O_LT ? since < h : since > h;
	}
	default:
		break;
	}
	struct buf b = BUF_INIT, p = BUF_INIT;
	const char *v = field_text(&f, t, c, &b);
	int r = 0, changed;
	switch (op) {
	case O_IS:
	case O_IS_NOT:
		if (f.kind == K_COMMENT || f.kind == K_SUBJECT_TEXT || f.kind == K_DESC_TEXT)
			r = contains_ci(v, want); /* Zendesk: "contains the string" */
		else
			r = str_same(want, v);
		if (op == O_IS_NOT)
			r = !r;
		break;
	case O_LT:
	case O_GT: {
		int64_t a, w;
		if (order_of(&f, v, &a) == 0 && order_of(&f, want, &w) == 0)
			r = op == O_LT ? a < w : a > w;
		break;
	}
	case O_PRESENT:
		r = v && *v;
		break;
	case O_NOT_PRESENT:
		r = !v || !*v;
		break;
	case O_INCLUDES:
	case O_NOT_INCLUDES:
		/* tags (and multi-select values): at least one of / none of */
		if (f.kind == K_TAGS || f.kind == K_CUSTOM) {
			struct strlist have = {0}, need = {0};
			words(v, &have);
			words(want, &need);
			for (size_t i = 0; i < need.n && !r; i++)
				r = strlist_has(&have, need.v[i]);
			strlist_clear(&have);
			strlist_clear(&need);
		} else {
			r = any_word(v, want);
		}
		if (op == O_NOT_INCLUDES)
			r = !r;
		break;
	case O_INC_STRING:
		r = contains_ci(v, want);
		break;
	case O_NOT_INC_STRING:
		r = !contains_ci(v, want);
		break;
	case O_INC_WORDS:
		r = any_word(v, want);
		break;
	case O_NOT_INC_WORDS:
		r = !any_word(v, want);
		break;
	case O_CHANGED:
	case O_NOT_CHANGED:
		previous_text(&f, t, c, &p, &changed);
		r = op == O_CHANGED ? changed : !changed;
		break;
	case O_VALUE:
	case O_NOT_VALUE:
		previous_text(&f, t, c, &p, &changed);
		r = changed && str_same(want, v);
		if (op == O_NOT_VALUE)
			r = !r;
		break;
	case O_VALUE_PREV:
	case O_NOT_VALUE_PREV: {
		const char *was = previous_text(&f, t, c, &p, &changed);
		r = changed && str_same(want, was);
		if (op == O_NOT_VALUE_PREV)
			r = !r;
		break;
	}
	}
	buf_release(&b);
	buf_release(&p);
	return r;
}

int rule_matches(const struct rule *r, const struct ticket *t, const struct rule_ctx *ctx)
{
	for (size_t i = 0; i < r->nall; i++)
		if (!cond_holds(&r->all[i], t, ctx))
			return 0;
	if (!r->nany)
		return 1;
	for (size_t i = 0; i < r->nany; i++)
		if (cond_holds(&r->any[i], t, ctx))
			return 1;
	return 0;
}

int rule_uses_sla(const struct rule *r)
{
	for (size_t i = 0; i < r->nall + r->nany; i++) {
		const char *f = i < r->nall ? r->all[i].field : r->any[i - r->nall].field;
		if (!strcmp(f, "sla_breached") || !strcmp(f, "hours_until_next_sla_breach"))
			return 1;
	}
	return 0;
}

const char *rule_status_is(const struct rule *r)
{
	for (size_t i = 0; i < r->nall; i++)
		if (!strcmp(r->all[i].field, "status") && !strcmp(r->all[i].op, "is"))
			return r->all[i].value;
	return NULL;
}

/* ---- actions ---------------------------------------------------------------- */

void rule_notes_clear(struct rule_notes *n)
{
	for (size_t i = 0; i < n->n; i++) {
		free(n->v[i].recipient);
		free(n->v[i].subject);
		free(n->v[i].body);
	}
	free(n->v);
	n->v = NULL;
	n->n = 0;
}

static void note_add(struct rule_notes *n, int webhook, const char *recipient,
		     const char *subject, const char *body, int64_t webhook_id)
{
	n->v = xrealloc(n->v, (n->n + 1) * sizeof(*n->v));
	n->v[n->n++] = (struct rule_note){webhook, recipient ? xstrdup(recipient) : NULL,
					  subject ? xstrdup(subject) : NULL,
					  body ? xstrdup(body) : NULL, webhook_id};
}

char *rule_note_payload(const struct rule_note *n, int64_t ticket_id, int64_t actor_id,
			const char **kind)
{
	json_t *j;
	if (n->webhook) {
		*kind = "webhook.deliver";
		j = json_pack("{s:I,s:s,s:I}", "webhook_id", (json_int_t)n->webhook_id, "body",
			      n->body ? n->body : "", "ticket_id", (json_int_t)ticket_id);
	} else {
		*kind = "mail.notify";
		j = json_pack("{s:I,s:s,s:s,s:s,s:I}", "ticket_id", (json_int_t)ticket_id,
			      "recipient", n->recipient, "subject", n->subject ? n->subject : "",
			      "body", n->body ? n->body : "", "actor_id", (json_int_t)actor_id);
	}
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src && *src ? xstrdup(src) : NULL;
}

/* Add the comment text (several rules' comments are joined). */
static void add_comment(struct ticket_change *out, const char *text, const char *html)
{
	struct buf b = BUF_INIT;
	if (out->comment_body) {
		buf_adds(&b, out->comment_body);
		buf_adds(&b, "\n\n");
	}
	if (html) {
		struct buf safe = BUF_INIT, plain = BUF_INIT;
		html_sanitize(html, strlen(html), &safe, &plain);
		buf_adds(&b, plain.s);
		if (!out->comment_body) {
			free(out->comment_html);
			out->comment_html = buf_detach(&safe);
		} else {
			free(out->comment_html); /* mixed: fall back to text */
			out->comment_html = NULL;
		}
		buf_release(&safe);
		buf_release(&plain);
	} else {
		buf_adds(&b, text);
		free(out->comment_html);
		out->comment_html = NULL;
	}
	free(out->comment_body);
	out->comment_body = buf_detach(&b);
}

int rule_apply(const struct rule *r, struct ticket *t, const struct rule_ctx *ctx,
	       struct ticket_change *out, struct rule_notes *notes)
{
	struct ticket before;
	ticket_copy(&before, t);
	int is_public = 1, commented = 0;
	for (size_t i = 0; i < r->nactions; i++)
		if (!strcmp(r->actions[i].field, "comment_mode_is_public"))
			is_public = !strcmp(r->actions[i].value.v[0], "true");
	for (size_t i = 0; i < r->nactions; i++) {
		const struct rule_action *a = &r->actions[i];
		struct act_field f;
		if (act_field_find(a->field, &f))
			continue;
		const char *v = a->value.n ? a->value.v[0] : "";
		const char *last = a->value.n ? a->value.v[a->value.n - 1] : "";
		int64_t id = 0;
		char rcpt[48];
		switch (f.act) {
		case A_STATUS:
			set_str(&t->status, v);
			break;
		case A_PRIORITY:
			set_str(&t->priority, v);
			break;
		case A_TYPE:
			set_str(&t->type, v);
			break;
		case A_GROUP:
			parse_i64(v, &id);
			t->group_id = id;
			break;
		case A_ASSIGNEE:
			if (!strcmp(v, "current_user")) {
				if (ctx->actor_role >= ROLE_AGENT)
					t->assignee_id = ctx->actor_id;
			} else {
				parse_i64(v, &id);
				t->assignee_id = id;
			}
			break;
		case A_SET_TAGS:
			strlist_clear(&t->tags);
			/* fall through */
		case A_ADD_TAGS:
			for (size_t k = 0; k < a->value.n; k++) {
				char *tag = tag_normalize(a->value.v[k]);
				if (tag && !strlist_has(&t->tags, tag))
					strlist_add(&t->tags, tag);
				free(tag);
			}
			break;
		case A_REMOVE_TAGS:
			for (size_t k = 0; k < a->value.n; k++) {
				char *tag = tag_normalize(a->value.v[k]);
				for (size_t j = 0; tag && j < t->tags.n; j++)
					if (!strcmp(t->tags.v[j], tag)) {
						free(t->tags.v[j]);
						memmove(&t->tags.v[j], &t->tags.v[j + 1],
							(t->tags.n - j - 1) * sizeof(char *));
						t->tags.n--;
						break;
					}
				free(tag);
			}
			break;
		case A_CUSTOM: {
			int64_t fid = 0;
			parse_i64(a->field + 14, &fid);
			json_t *j = !strcmp(v, "true")	  ? json_true()
				    : !strcmp(v, "false") ? json_false()
				    : *v		  ? json_string(v)
							  : json_null();
			char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
			json_decref(j);
			size_t k;
			for (k = 0; k < t->nfields; k++)
				if (t->fields[k].id == fid)
					break;
			if (k == t->nfields) {
				t->fields = xrealloc(t->fields, (t->nfields + 1) * sizeof(*t->fields));
				t->fields[t->nfields++] = (struct field_value){fid, NULL};
			}
			free(t->fields[k].value_json);
			t->fields[k].value_json = text;
			break;
		}
		case A_COMMENT:
		case A_COMMENT_HTML:
			add_comment(out, last, f.act == A_COMMENT_HTML ? last : NULL);
			commented = 1;
			break;
		case A_NOTE_USER:
			if (!strcmp(v, "requester_id") || !strcmp(v, "requester"))
				note_add(notes, 0, "requester", a->value.v[1], a->value.v[2], 0);
			else if (!strcmp(v, "assignee_id") || !strcmp(v, "assignee"))
				note_add(notes, 0, "assignee", a->value.v[1], a->value.v[2], 0);
			else if (!strcmp(v, "ccs"))
				note_add(notes, 0, "ccs", a->value.v[1], a->value.v[2], 0);
			else if (!strcmp(v, "requester_and_ccs")) {
				note_add(notes, 0, "requester", a->value.v[1], a->value.v[2], 0);
				note_add(notes, 0, "ccs", a->value.v[1], a->value.v[2], 0);
			} else {
				if (!strcmp(v, "current_user"))
					id = ctx->actor_id;
				else
					parse_i64(v, &id);
				snprintf(rcpt, sizeof(rcpt), "user:%" PRId64, id);
				note_add(notes, 0, rcpt, a->value.v[1], a->value.v[2], 0);
			}
			break;
		case A_NOTE_GROUP:
			if (!strcmp(v, "group_id"))
				id = t->group_id;
			else
				parse_i64(v, &id);
			if (id) {
				snprintf(rcpt, sizeof(rcpt), "group:%" PRId64, id);
				note_add(notes, 0, rcpt, a->value.v[1], a->value.v[2], 0);
			}
			break;
		case A_NOTE_WEBHOOK:
			parse_i64(v, &id);
			note_add(notes, 1, NULL, NULL, a->value.v[1], id);
			break;
		case A_COMMENT_PUBLIC:
			break;
		}
	}
	if (commented)
		out->comment_public = is_public;
	struct ticket_change d = {0};
	rule_diff(&before, t, &d);
	int changed = d.set != 0;
	ticket_change_clear(&d);
	ticket_clear(&before);
	return changed;
}

static int tags_same(const struct strlist *a, const struct strlist *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!strlist_has(b, a->v[i]))
			return 0;
	return 1;
}

static int sdiff(const char *a, const char *b)
{
	return !((!a && !b) || (a && b && !strcmp(a, b)));
}

void rule_diff(const struct ticket *from, const struct ticket *to, struct ticket_change *out)
{
	if (sdiff(from->status, to->status)) {
		out->set |= TF_STATUS;
		set_str(&out->v.status, to->status);
	}
	if (sdiff(from->priority, to->priority)) {
		out->set |= TF_PRIORITY;
		set_str(&out->v.priority, to->priority);
	}
	if (sdiff(from->type, to->type)) {
		out->set |= TF_TYPE;
		set_str(&out->v.type, to->type);
	}
	if (from->group_id != to->group_id) {
		out->set |= TF_GROUP;
		out->v.group_id = to->group_id;
	}
	if (from->assignee_id != to->assignee_id) {
		out->set |= TF_ASSIGNEE;
		out->v.assignee_id = to->assignee_id;
	}
	if (!tags_same(&from->tags, &to->tags)) {
		out->set |= TF_TAGS;
		strlist_clear(&out->v.tags);
		for (size_t i = 0; i < to->tags.n; i++)
			strlist_add(&out->v.tags, to->tags.v[i]);
	}
	for (size_t i = 0; i < to->nfields; i++) {
		const char *old = NULL;
		for (size_t j = 0; j < from->nfields; j++)
			if (from->fields[j].id == to->fields[i].id)
				old = from->fields[j].value_json;
		if (!sdiff(old, to->fields[i].value_json))
			continue;
		out->set |= TF_FIELDS;
		size_t k;
		for (k = 0; k < out->v.nfields; k++)
			if (out->v.fields[k].id == to->fields[i].id)
				break;
		if (k == out->v.nfields) {
			out->v.fields = xrealloc(out->v.fields, (k + 1) * sizeof(*out->v.fields));
			out->v.fields[out->v.nfields++] = (struct field_value){to->fields[i].id, NULL};
		}
		free(out->v.fields[k].value_json);
		out->v.fields[k].value_json =
		    to->fields[i].value_json ? xstrdup(to->fields[i].value_json) : NULL;
	}
}

int rule_run_triggers(const struct rule *rules, size_t n, struct ticket *t,
		      const struct rule_ctx *ctx, int max_passes, struct ticket_change *out,
		      struct rule_notes *notes, int *fired)
{
	struct ticket start;
	ticket_copy(&start, t);
	struct rule_ctx c = *ctx;
	c.before_rules = &start;
	int total = 0;
	memset(fired, 0, n * sizeof(*fired));
	for (int pass = 0; pass < max_passes; pass++) {
		int restart = 0;
		for (size_t i = 0; i < n && !restart; i++) {
			if (fired[i] || !rule_matches(&rules[i], t, &c))
				continue;
			fired[i] = 1;
			total++;
			restart = rule_apply(&rules[i], t, &c, out, notes);
		}
		if (!restart)
			break;
	}
	rule_diff(&start, t, out);
	ticket_clear(&start);
	return total;
}
