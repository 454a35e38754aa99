/* ticket.c - ticket rules and field-change bookkeeping (see ticket.h).
 *
 * ticket_apply() works on a copy: it builds the new state in `n`, checks
 * the rules against old and new, then diffs field by field into audit
 * events and swaps the copy in.  Nothing here allocates more than the
 * ticket's own size, and nothing does I/O.
 */
#include "core/ticket.h"
#include "base/buf.h"
#include "base/util.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const statuses[] = {"new", "open", "pending", "hold", "solved", "closed"};
static const char *const priorities[] = {"low", "normal", "high", "urgent"};
static const char *const types[] = {"problem", "incident", "question", "task"};
static const char *const roles[] = {"end-user", "agent", "admin"};

static int in_list(const char *s, const char *const *list, size_t n)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

int ticket_valid_status(const char *s) { return in_list(s, statuses, ARRAY_SIZE(statuses)); }
int ticket_valid_priority(const char *s) { return in_list(s, priorities, ARRAY_SIZE(priorities)); }
int ticket_valid_type(const char *s) { return in_list(s, types, ARRAY_SIZE(types)); }

int role_parse(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(roles); i++)
		if (!strcmp(s, roles[i]))
			return (int)i;
	return -1;
}

const char *role_name(int role)
{
	return role >= 0 && role < (int)ARRAY_SIZE(roles) ? roles[role] : "end-user";
}

char *tag_normalize(const char *s)
{
	struct buf b = BUF_INIT;
	buf_init(&b, 255);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if (c == ' ' || c == '\t')
			c = '_';
		else if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		else if (c == ',' || c == '"' || c == '\'' || c < 0x20 || c == 0x7f) {
			buf_release(&b);
			return NULL;
		}
		if (buf_addc(&b, (char)c)) {
			buf_release(&b);
			return NULL;
		}
	}
	if (!b.len)
		return NULL;
	return buf_detach(&b);
}

int ticket_valid_tag(const char *s)
{
	char *t = tag_normalize(s);
	free(t);
	return t != NULL;
}

void strlist_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

int strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void idlist_add(struct idlist *l, int64_t id)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = id;
}

int idlist_has(const struct idlist *l, int64_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return 1;
	return 0;
}

void idlist_clear(struct idlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void ticket_copy(struct ticket *d, const struct ticket *s)
{
	*d = *s;
	d->external_id = dup_or_null(s->external_id);
	d->type = dup_or_null(s->type);
	d->subject = dup_or_null(s->subject);
	d->description = dup_or_null(s->description);
	d->priority = dup_or_null(s->priority);
	d->status = dup_or_null(s->status);
	d->via_channel = dup_or_null(s->via_channel);
	d->satisfaction_comment = dup_or_null(s->satisfaction_comment);
	memset(&d->tags, 0, sizeof(d->tags));
	for (size_t i = 0; i < s->tags.n; i++)
		strlist_add(&d->tags, s->tags.v[i]);
	memset(&d->collaborator_ids, 0, sizeof(d->collaborator_ids));
	for (size_t i = 0; i < s->collaborator_ids.n; i++)
		idlist_add(&d->collaborator_ids, s->collaborator_ids.v[i]);
	memset(&d->follower_ids, 0, sizeof(d->follower_ids));
	for (size_t i = 0; i < s->follower_ids.n; i++)
		idlist_add(&d->follower_ids, s->follower_ids.v[i]);
	d->fields = s->nfields ? xcalloc(s->nfields, sizeof(*d->fields)) : NULL;
	for (size_t i = 0; i < s->nfields; i++) {
		d->fields[i].id = s->fields[i].id;
		d->fields[i].value_json = dup_or_null(s->fields[i].value_json);
	}
}

void ticket_clear(struct ticket *t)
{
	free(t->satisfaction_comment);
	free(t->external_id);
	free(t->type);
	free(t->subject);
	free(t->description);
	free(t->priority);
	free(t->status);
	free(t->via_channel);
	strlist_clear(&t->tags);
	idlist_clear(&t->collaborator_ids);
	idlist_clear(&t->follower_ids);
	for (size_t i = 0; i < t->nfields; i++)
		free(t->fields[i].value_json);
	free(t->fields);
	memset(t, 0, sizeof(*t));
}

void ticket_change_clear(struct ticket_change *c)
{
	ticket_clear(&c->v);
	strlist_clear(&c->add_tags);
	strlist_clear(&c->remove_tags);
	strlist_clear(&c->upload_tokens);
	free(c->comment_body);
	free(c->comment_html);
	memset(c, 0, sizeof(*c));
}

void field_events_clear(struct field_events *ev)
{
	for (size_t i = 0; i < ev->n; i++) {
		free(ev->v[i].value);
		free(ev->v[i].previous);
	}
	free(ev->v);
	ev->v = NULL;
	ev->n = 0;
}

static void ev_add(struct field_events *ev, const char *field, const char *to, const char *from)
{
	ev->v = xrealloc(ev->v, (ev->n + 1) * sizeof(*ev->v));
	struct field_event *e = &ev->v[ev->n++];
	snprintf(e->field, sizeof(e->field), "%s", field);
	e->value = dup_or_null(to);
	e->previous = dup_or_null(from);
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void diff_str(struct field_events *ev, const char *f, const char *to, const char *from,
		     int creating)
{
	if (creating ? to != NULL : !str_eq(to, from))
		ev_add(ev, f, to, creating ? NULL : from);
}

static void diff_id(struct field_events *ev, const char *f, int64_t to, int64_t from,
		    int creating)
{
	if (creating ? to == 0 : to == from)
		return;
	char a[24], b[24];
	snprintf(a, sizeof(a), "%" PRId64, to);
	snprintf(b, sizeof(b), "%" PRId64, from);
	ev_add(ev, f, to ? a : NULL, creating || !from ? NULL : b);
}

static char *tags_text(const struct strlist *l)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			buf_addc(&b, ' ');
		buf_adds(&b, l->v[i]);
	}
	return buf_detach(&b);
}

/* ids as space-separated text, for the audit (like tags) */
static char *ids_text(const struct idlist *l)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < l->n; i++)
		buf_addf(&b, i ? " %" PRId64 : "%" PRId64, l->v[i]);
	return buf_detach(&b);
}

static void diff_ids(struct field_events *ev, const char *f, const struct idlist *to,
		     const struct idlist *from, int creating)
{
	char *a = ids_text(to), *b = ids_text(from);
	if (creating ? *a != '\0' : strcmp(a, b))
		ev_add(ev, f, a, creating ? NULL : b);
	free(a);
	free(b);
}

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = dup_or_null(src);
}

static int add_tag(struct strlist *tags, const char *raw)
{
	char *t = tag_normalize(raw);
	if (!t)
		return -1;
	if (!strlist_has(tags, t))
		strlist_add(tags, t);
	free(t);
	return 0;
}

static void remove_tag(struct strlist *tags, const char *raw)
{
	char *t = tag_normalize(raw);
	if (!t)
		return;
	for (size_t i = 0; i < tags->n; i++)
		if (!strcmp(tags->v[i], t)) {
			free(tags->v[i]);
			memmove(&tags->v[i], &tags->v[i + 1], (tags->n - i - 1) * sizeof(char *));
			tags->n--;
			break;
		}
	free(t);
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		goto fail;                                                                         \
	} while (0)

int ticket_apply(struct ticket *t, const struct ticket_change *c, const struct actor *who,
		 int64_t now, struct field_events *ev, char *err, size_t errlen)
{
	const struct ticket_change *ch = c;
	int creating = t->id == 0 && t->created_at == 0;
	struct ticket n;
	ticket_copy(&n, t);
	const struct ticket *v = &ch->v;

	if (!creating && t->status && !strcmp(t->status, "closed"))
		FAIL("status: closed tickets cannot be updated");
	if (ch->set & TF_SUBJECT)
		set_str(&n.subject, v->subject);
	if (ch->set & TF_EXTERNAL_ID)
		set_str(&n.external_id, v->external_id);
	if (ch->set & TF_TYPE) {
		if (v->type && !ticket_valid_type(v->type))
			FAIL("type: '%s' is not one of problem, incident, question, task", v->type);
		set_str(&n.type, v->type);
	}
	if (ch->set & TF_PRIORITY) {
		if (v->priority && !ticket_valid_priority(v->priority))
			FAIL("priority: '%s' is not one of low, normal, high, urgent", v->priority);
		set_str(&n.priority, v->priority);
	}
	if (ch->set & TF_STATUS) {
		if (!v->status || !ticket_valid_status(v->status))
			FAIL("status: '%s' is not one of new, open, pending, hold, solved, closed",
			     v->status ? v->status : "null");
		set_str(&n.status, v->status);
	}
	if (ch->set & TF_REQUESTER)
		n.requester_id = v->requester_id;
	if (ch->set & TF_SUBMITTER)
		n.submitter_id = v->submitter_id;
	if (ch->set & TF_ASSIGNEE)
		n.assignee_id = v->assignee_id;
	if (ch->set & TF_ORGANIZATION)
		n.organization_id = v->organization_id;
	if (ch->set & TF_GROUP)
		n.group_id = v->group_id;
	if (ch->set & TF_PROBLEM)
		n.problem_id = v->problem_id;
	if (ch->set & TF_DUE_AT)
		n.due_at = v->due_at;
	if (ch->set & TF_FORM)
		n.ticket_form_id = v->ticket_form_id;
	if (ch->set & TF_TAGS) {
		strlist_clear(&n.tags);
		for (size_t i = 0; i < v->tags.n; i++)
			if (add_tag(&n.tags, v->tags.v[i]))
				FAIL("tags: '%s' is not a valid tag", v->tags.v[i]);
	}
	for (size_t i = 0; i < ch->add_tags.n; i++)
		if (add_tag(&n.tags, ch->add_tags.v[i]))
			FAIL("tags: '%s' is not a valid tag", ch->add_tags.v[i]);
	for (size_t i = 0; i < ch->remove_tags.n; i++)
		remove_tag(&n.tags, ch->remove_tags.v[i]);
	if (ch->set & TF_COLLABORATORS) {
		idlist_clear(&n.collaborator_ids);
		for (size_t i = 0; i < v->collaborator_ids.n; i++)
			if (!idlist_has(&n.collaborator_ids, v->collaborator_ids.v[i]))
				idlist_add(&n.collaborator_ids, v->collaborator_ids.v[i]);
	}
	if (ch->set & TF_FOLLOWERS) {
		idlist_clear(&n.follower_ids);
		for (size_t i = 0; i < v->follower_ids.n; i++)
			if (!idlist_has(&n.follower_ids, v->follower_ids.v[i]))
				idlist_add(&n.follower_ids, v->follower_ids.v[i]);
	}
	if (ch->set & TF_FIELDS) {
		for (size_t i = 0; i < v->nfields; i++) {
			size_t j;
			for (j = 0; j < n.nfields; j++)
				if (n.fields[j].id == v->fields[i].id)
					break;
			if (j == n.nfields) {
				n.fields = xrealloc(n.fields, (n.nfields + 1) * sizeof(*n.fields));
				n.fields[n.nfields].id = v->fields[i].id;
				n.fields[n.nfields].value_json = NULL;
				n.nfields++;
			}
			set_str(&n.fields[j].value_json, v->fields[i].value_json);
		}
	}

	/* defaults on create */
	if (creating) {
		if (!n.status)
			n.status = xstrdup(n.assignee_id ? "open" : "new");
		if (!n.requester_id)
			n.requester_id = who->user_id;
		if (!n.submitter_id)
			n.submitter_id = who->user_id;
		if (!n.via_channel)
			n.via_channel = xstrdup("api");
		if (!n.description && ch->comment_body)
			n.description = xstrdup(ch->comment_body);
		n.is_public = ch->comment_body ? ch->comment_public : 1;
		n.created_at = now;
	}

	/* Zendesk's status rules */
	if (!creating && !strcmp(n.status, "new") && strcmp(t->status, "new"))
		FAIL("status: a ticket cannot go back to new");
	if (!strcmp(n.status, "closed") && (creating || strcmp(t->status, "solved")) &&
	    strcmp(t->status ? t->status : "", "closed"))
		FAIL("status: only solved tickets can be closed");
	if (!strcmp(n.status, "new") && n.assignee_id && !(ch->set & TF_STATUS))
		set_str(&n.status, "open");
	if (!strcmp(n.status, "solved") && !n.assignee_id) {
		if (who->role >= ROLE_AGENT)
			n.assignee_id = who->user_id;
		else if (!ch->solve_unassigned)
			FAIL("assignee: is required when solving a ticket");
	}
	if (n.due_at && (!n.type || strcmp(n.type, "task")))
		FAIL("due_at: only tasks have a due date");
	if (n.problem_id && (!n.type || strcmp(n.type, "incident")))
		FAIL("problem_id: only incidents can be linked to a problem");
	if (n.problem_id && n.problem_id == n.id)
		FAIL("problem_id: a ticket cannot be its own problem");
	if (!n.subject && !n.description && creating)
		FAIL("description: is required");
	if (!n.requester_id)
		FAIL("requester: is required");

	if (!strcmp(n.status, "solved") && (creating || strcmp(t->status, "solved")))
		n.solved_at = now;
	else if (strcmp(n.status, "solved") && strcmp(n.status, "closed"))
		n.solved_at = 0;

	/* audit events */
	diff_str(ev, "subject", n.subject, t->subject, creating);
	diff_str(ev, "status", n.status, t->status, creating);
	diff_str(ev, "priority", n.priority, t->priority, creating);
	diff_str(ev, "type", n.type, t->type, creating);
	diff_id(ev, "requester_id", n.requester_id, t->requester_id, creating);
	diff_id(ev, "assignee_id", n.assignee_id, t->assignee_id, creating);
	diff_id(ev, "group_id", n.group_id, t->group_id, creating);
	diff_id(ev, "organization_id", n.organization_id, t->organization_id, creating);
	diff_id(ev, "problem_id", n.problem_id, t->problem_id, creating);
	diff_id(ev, "due_at", n.due_at, t->due_at, creating);
	diff_id(ev, "ticket_form_id", n.ticket_form_id, t->ticket_form_id, creating);
	diff_str(ev, "external_id", n.external_id, t->external_id, creating);
	{
		char *a = tags_text(&n.tags), *b = tags_text(&t->tags);
		if (creating ? *a != '\0' : strcmp(a, b))
			ev_add(ev, "tags", a, creating ? NULL : b);
		free(a);
		free(b);
	}
	/* CCs and followers change the ticket too: without an event a PUT of
	 * only these would count as "nothing changed" and not be saved */
	diff_ids(ev, "collaborator_ids", &n.collaborator_ids, &t->collaborator_ids, creating);
	diff_ids(ev, "follower_ids", &n.follower_ids, &t->follower_ids, creating);
	for (size_t i = 0; i < n.nfields; i++) {
		const char *old = NULL;
		for (size_t j = 0; j < t->nfields; j++)
			if (t->fields[j].id == n.fields[i].id)
				old = t->fields[j].value_json;
		char name[32];
		snprintf(name, sizeof(name), "%" PRId64, n.fields[i].id);
		diff_str(ev, name, n.fields[i].value_json, old, creating);
	}
	n.updated_at = now;
	ticket_clear(t);
	*t = n;
	return 0;
fail:
	ticket_clear(&n);
	return -1;
}

int ticket_can_view(const struct actor *who, const struct ticket *t)
{
	if (who->role == ROLE_ADMIN)
		return 1;
	if (who->role == ROLE_AGENT) {
		if (who->restriction == RESTRICT_ASSIGNED)
			return t->assignee_id == who->user_id;
		if (who->restriction == RESTRICT_GROUPS) {
			if (t->assignee_id == who->user_id)
				return 1;
			for (int i = 0; i < who->ngroups; i++)
				if (who->groups[i] == t->group_id)
					return 1;
			return 0;
		}
		return 1;
	}
	if (t->requester_id == who->user_id || idlist_has(&t->collaborator_ids, who->user_id))
		return 1;
	return who->org_shared && who->organization_id &&
	       t->organization_id == who->organization_id;
}
