/* json.c - JSON helpers for the handlers: typed reads with error messages,
 * Zendesk-shaped output objects, and pagination.  See api.h. */
#include "api/api.h"
#include "api/jsonw.h"
#include "base/util.h"
#include "store/group_store.h"
#include "store/org_store.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int wrong(const char *key, const char *what, char *err, size_t errlen)
{
	if (!*err)
		snprintf(err, errlen, "%s: expected %s", key, what);
	return -1;
}

int jget_str(json_t *o, const char *key, char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (json_is_null(v)) {
		*out = NULL;
		return 1;
	}
	if (json_is_integer(v)) { /* Zendesk accepts numbers for text fields */
		char n[24];
		snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = xstrdup(n);
		return 1;
	}
	if (!json_is_string(v))
		return wrong(key, "a string", err, errlen);
	if (json_string_length(v) > MAX_FIELD && strcmp(key, "body") &&
	    strcmp(key, "html_body") && strcmp(key, "description"))
		return wrong(key, "at most 65536 bytes", err, errlen);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return wrong(key, "text without NUL characters", err, errlen);
	*out = xstrdup(json_string_value(v));
	return 1;
}

int jget_id(json_t *o, const char *key, int64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (json_is_null(v)) {
		*out = 0;
		return 1;
	}
	if (json_is_string(v)) { /* "123" is accepted too */
		int64_t n;
		if (parse_i64(json_string_value(v), &n) || n <= 0)
			return wrong(key, "an id", err, errlen);
		*out = n;
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return wrong(key, "an id", err, errlen);
	*out = json_integer_value(v);
	return 1;
}

int jget_bool(json_t *o, const char *key, int *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return wrong(key, "true or false", err, errlen);
	*out = json_is_true(v);
	return 1;
}

int jget_strs(json_t *o, const char *key, struct strlist *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (json_is_null(v))
		return 1;
	if (json_is_string(v)) { /* "a b c" as Zendesk also takes */
		char *copy = xstrdup(json_string_value(v)), *save = NULL;
		for (char *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save))
			strlist_add(out, t);
		free(copy);
		return 1;
	}
	if (!json_is_array(v) || json_array_size(v) > 1000)
		return wrong(key, "an array of at most 1000 strings", err, errlen);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e) || json_string_length(e) > 255 ||
		    strlen(json_string_value(e)) != json_string_length(e))
			return wrong(key, "an array of strings", err, errlen);
		strlist_add(out, json_string_value(e));
	}
	return 1;
}

int jget_ids(json_t *o, const char *key, struct idlist *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (json_is_null(v))
		return 1;
	if (!json_is_array(v) || json_array_size(v) > 1000)
		return wrong(key, "an array of at most 1000 ids", err, errlen);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_integer(e) || json_integer_value(e) <= 0)
			return wrong(key, "an array of ids", err, errlen);
		idlist_add(out, json_integer_value(e));
	}
	return 1;
}

json_t *jtime(int64_t t)
{
	if (!t)
		return json_null();
	char s[32];
	iso8601(t, s);
	return json_string(s);
}

json_t *jid(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	return j ? j : json_string("\xef\xbf\xbd"); /* invalid UTF-8 never leaves as-is */
}


static json_t *strs_json(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, jstr(l->v[i]));
	return a;
}

static void ids_text(struct buf *b, const struct idlist *l)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			buf_addc(b, ',');
		jw_int(b, l->v[i]);
	}
	buf_addc(b, ']');
}

static void fields_text(struct buf *b, const struct ticket *t)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < t->nfields; i++) {
		buf_adds(b, i ? ",{\"id\":" : "{\"id\":");
		jw_int(b, t->fields[i].id);
		buf_adds(b, ",\"value\":");
		/* value_json was written by jansson from a parsed value */
		buf_adds(b, t->fields[i].value_json ? t->fields[i].value_json : "null");
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
}

void ticket_json_text(struct server *s, const struct ticket *t, struct buf *b)
{
	buf_adds(b, "{\"id\":");
	jw_int(b, t->id);
	buf_addf(b, ",\"url\":\"%s/api/v2/tickets/%" PRId64 ".json\"", s->cfg.base_url, t->id);
	const struct {
		const char *key, *val;
	} strs[] = {{"external_id", t->external_id}, {"type", t->type},
		    {"subject", t->subject},	     {"raw_subject", t->subject},
		    {"description", t->description}, {"priority", t->priority},
		    {"status", t->status},	     {"recipient", NULL}};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		jw_key(b, strs[i].key, 0);
		jw_str(b, strs[i].val);
	}
	const struct {
		const char *key;
		int64_t id;
	} ids[] = {{"requester_id", t->requester_id}, {"submitter_id", t->submitter_id},
		   {"assignee_id", t->assignee_id},   {"organization_id", t->organization_id},
		   {"group_id", t->group_id}};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		jw_key(b, ids[i].key, 0);
		jw_id(b, ids[i].id);
	}
	jw_key(b, "collaborator_ids", 0);
	ids_text(b, &t->collaborator_ids);
	jw_key(b, "follower_ids", 0);
	ids_text(b, &t->follower_ids);
	jw_key(b, "email_cc_ids", 0);
	ids_text(b, &t->collaborator_ids);
	jw_key(b, "problem_id", 0);
	jw_id(b, t->problem_id);
	jw_key(b, "ticket_form_id", 0);
	jw_id(b, t->ticket_form_id);
	jw_key(b, "has_incidents", 0);
	jw_bool(b, t->has_incidents);
	jw_key(b, "is_public", 0);
	jw_bool(b, t->is_public);
	jw_key(b, "due_at", 0);
	jw_time(b, t->due_at);
	jw_key(b, "tags", 0);
	buf_addc(b, '[');
	for (size_t i = 0; i < t->tags.n; i++) {
		if (i)
			buf_addc(b, ',');
		jw_str(b, t->tags.v[i]);
	}
	buf_addc(b, ']');
	jw_key(b, "custom_fields", 0);
	fields_text(b, t);
	jw_key(b, "fields", 0);
	fields_text(b, t);
	jw_key(b, "via", 0);
	buf_adds(b, "{\"channel\":");
	jw_str(b, t->via_channel ? t->via_channel : "api");
	buf_adds(b, ",\"source\":{\"from\":{},\"to\":{},\"rel\":null}}");
	/* Zendesk's ticket member: {id, score, comment} once a survey was
	 * offered or answered, else null */
	jw_key(b, "satisfaction_rating", 0);
	if (t->satisfaction_id) {
		buf_addc(b, '{');
		jw_key(b, "id", 1);
		jw_int(b, t->satisfaction_id);
		jw_key(b, "score", 0);
		jw_str(b, t->satisfaction_score);
		jw_key(b, "comment", 0);
		jw_str(b, t->satisfaction_comment);
		buf_addc(b, '}');
	} else {
		buf_adds(b, "null");
	}
	buf_adds(b, ",\"sharing_agreement_ids\":[],\"followup_ids\":[]"
		    ",\"brand_id\":null,\"allow_channelback\":false,\"allow_attachments\":true"
		    ",\"from_messaging_channel\":false");
	jw_key(b, "merged_into", 0);
	jw_id(b, t->merged_into);
	jw_key(b, "created_at", 0);
	jw_time(b, t->created_at);
	jw_key(b, "updated_at", 0);
	jw_time(b, t->updated_at);
	jw_key(b, "solved_at", 0);
	jw_time(b, t->solved_at);
	buf_addc(b, '}');
}

json_t *ticket_json(struct server *s, const struct ticket *t)
{
	/* one definition of the shape: the text writer, parsed back */
	struct buf b = BUF_INIT;
	ticket_json_text(s, t, &b);
	json_t *j = json_loadb(b.s, b.len, 0, NULL);
	buf_release(&b);
	if (!j)
		BUG("ticket %" PRId64 " made invalid JSON", t->id);
	return j;
}

int reply_list(struct req *r, const char *key, const struct buf *items, json_t *rest)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "{\"%s\":[", key);
	buf_add(&b, items->s, items->len);
	buf_addc(&b, ']');
	char *tail = json_dumps(rest, JSON_COMPACT);
	json_decref(rest);
	if (tail && strlen(tail) > 2) { /* "{...}" -> ",..." */
		buf_addc(&b, ',');
		buf_add(&b, tail + 1, strlen(tail) - 2);
	}
	free(tail);
	buf_addc(&b, '}');
	size_t len = b.len;
	return reply_take(r, 200, "application/json; charset=utf-8", buf_detach(&b), len);
}

json_t *comment_json(struct server *s, const struct comment *c)
{
	json_t *atts = json_array();
	for (int i = 0; i < c->nattachments; i++) {
		const struct attachment *a = &c->attachments[i];
		char url[400];
		snprintf(url, sizeof(url), "%s/api/v2/attachments/%" PRId64 "/content",
			 s->cfg.base_url, a->id);
		json_array_append_new(atts, json_pack("{s:I,s:o,s:o,s:I,s:s,s:b}", "id",
						      (json_int_t)a->id, "file_name",
						      jstr(a->file_name), "content_type",
						      jstr(a->content_type), "size",
						      (json_int_t)a->size, "content_url", url,
						      "inline", 0));
	}
	return json_pack("{s:I,s:s,s:I,s:o,s:o,s:o,s:b,s:I,s:o,s:{s:s},s:o}", "id",
			 (json_int_t)c->id, "type", "Comment", "author_id",
			 (json_int_t)c->author_id, "body", jstr(c->body), "html_body",
			 jstr(c->html_body), "plain_body", jstr(c->body), "public", c->is_public,
			 "audit_id", (json_int_t)c->audit_id, "attachments", atts, "via", "channel",
			 c->via_channel ? c->via_channel : "api", "created_at",
			 jtime(c->created_at));
}

json_t *user_json(struct server *s, const struct user *u)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/users/%" PRId64 ".json", s->cfg.base_url, u->id);
	json_t *fields = u->user_fields ? json_loads(u->user_fields, 0, NULL) : NULL;
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(u->id));
	json_object_set_new(j, "url", json_string(url));
	json_object_set_new(j, "name", jstr(u->name));
	json_object_set_new(j, "email", jstr(u->email));
	json_object_set_new(j, "phone", jstr(u->phone));
	json_object_set_new(j, "role", json_string(role_name(u->role)));
	json_object_set_new(j, "role_type", u->role == ROLE_END_USER ? json_null() : json_integer(0));
	json_object_set_new(j, "external_id", jstr(u->external_id));
	json_object_set_new(j, "organization_id", jid(u->organization_id));
	json_object_set_new(j, "default_group_id", jid(u->default_group_id));
	json_object_set_new(j, "locale", jstr(u->locale));
	json_object_set_new(j, "time_zone", jstr(u->time_zone));
	json_object_set_new(j, "iana_time_zone", jstr(u->time_zone));
	json_object_set_new(j, "notes", jstr(u->notes));
	json_object_set_new(j, "details", jstr(u->details));
	json_object_set_new(j, "alias", jstr(u->alias));
	json_object_set_new(j, "signature", jstr(u->signature));
	json_object_set_new(j, "tags", strs_json(&u->tags));
	json_object_set_new(j, "user_fields", fields ? fields : json_object());
	json_object_set_new(j, "active", json_boolean(u->active));
	json_object_set_new(j, "suspended", json_boolean(u->suspended));
	json_object_set_new(j, "verified", json_boolean(u->verified));
	json_object_set_new(j, "shared", json_false());
	json_object_set_new(j, "moderator", json_boolean(u->role != ROLE_END_USER));
	json_object_set_new(j, "only_private_comments", json_boolean(u->only_private_comments));
	json_object_set_new(j, "restricted_agent", json_boolean(u->ticket_restriction != NULL));
	json_object_set_new(j, "ticket_restriction", jstr(u->ticket_restriction));
	json_object_set_new(j, "last_login_at", jtime(u->last_login_at));
	json_object_set_new(j, "created_at", jtime(u->created_at));
	json_object_set_new(j, "updated_at", jtime(u->updated_at));
	return j;
}

json_t *identity_json(struct server *s, const struct identity *i)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/users/%" PRId64 "/identities/%" PRId64 ".json",
		 s->cfg.base_url, i->user_id, i->id);
	return json_pack("{s:I,s:s,s:I,s:o,s:o,s:b,s:b,s:i,s:o,s:o}", "id", (json_int_t)i->id,
			 "url", url, "user_id", (json_int_t)i->user_id, "type", jstr(i->type),
			 "value", jstr(i->value), "verified", i->verified, "primary", i->primary,
			 "undeliverable_count", i->undeliverable_count, "created_at",
			 jtime(i->created_at), "updated_at", jtime(i->updated_at));
}

json_t *organization_json(struct server *s, const struct organization *o)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/organizations/%" PRId64 ".json", s->cfg.base_url,
		 o->id);
	json_t *fields = o->organization_fields ? json_loads(o->organization_fields, 0, NULL) : NULL;
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(o->id));
	json_object_set_new(j, "url", json_string(url));
	json_object_set_new(j, "name", jstr(o->name));
	json_object_set_new(j, "shared_tickets", json_boolean(o->shared_tickets));
	json_object_set_new(j, "shared_comments", json_boolean(o->shared_comments));
	json_object_set_new(j, "external_id", jstr(o->external_id));
	json_object_set_new(j, "domain_names", strs_json(&o->domain_names));
	json_object_set_new(j, "details", jstr(o->details));
	json_object_set_new(j, "notes", jstr(o->notes));
	json_object_set_new(j, "group_id", jid(o->group_id));
	json_object_set_new(j, "tags", strs_json(&o->tags));
	json_object_set_new(j, "organization_fields",
			    json_is_object(fields) ? fields : json_object());
	if (fields && !json_is_object(fields))
		json_decref(fields);
	json_object_set_new(j, "created_at", jtime(o->created_at));
	json_object_set_new(j, "updated_at", jtime(o->updated_at));
	return j;
}

json_t *group_json(struct server *s, const struct group *g)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/groups/%" PRId64 ".json", s->cfg.base_url, g->id);
	return json_pack("{s:I,s:s,s:o,s:o,s:b,s:b,s:b,s:o,s:o}", "id", (json_int_t)g->id, "url",
			 url, "name", jstr(g->name), "description", jstr(g->description), "default",
			 g->is_default, "deleted", g->deleted, "is_public", g->is_public,
			 "created_at", jtime(g->created_at), "updated_at", jtime(g->updated_at));
}

json_t *group_membership_json(struct server *s, const struct group_membership *m)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/group_memberships/%" PRId64 ".json",
		 s->cfg.base_url, m->id);
	return json_pack("{s:I,s:s,s:I,s:I,s:b,s:o,s:o}", "id", (json_int_t)m->id, "url", url,
			 "user_id", (json_int_t)m->user_id, "group_id", (json_int_t)m->group_id,
			 "default", m->is_default, "created_at", jtime(m->created_at),
			 "updated_at", jtime(m->updated_at));
}

json_t *count_json(int64_t n)
{
	return json_pack("{s:I,s:o}", "value", (json_int_t)n, "refreshed_at",
			 jtime(now_seconds()));
}

int reply_taken(struct req *r, const char *field, const char *description)
{
	json_t *d = json_pack("{s:[{s:s,s:s}]}", field, "description", description, "error",
			      "DuplicateValue");
	if (!d) /* not valid UTF-8: never echo it back */
		d = json_pack("{s:[{s:s,s:s}]}", "base", "description",
			      "the value is already taken", "error", "DuplicateValue");
	return reply_error(r, 422, "RecordInvalid", "Record validation errors", d);
}

int reply_db_down(struct req *r)
{
	return reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
}

int reply_write_refused(struct req *r, int status, const char *err, const char *what)
{
	switch (status) {
	case 403:
		return reply_error(r, 403, "Forbidden", err, NULL);
	case 404:
		return reply_not_found(r);
	case 422:
		return reply_invalid(r, err);
	}
	char msg[96];
	snprintf(msg, sizeof(msg), "the %s could not be saved", what);
	return reply_error(r, 500, "InternalError", msg, NULL);
}

int restriction_may_manage(const struct actor *who, const char *type, int64_t id)
{
	return who->role == ROLE_ADMIN || (!strcmp(type, "User") && id == who->user_id);
}

int restriction_parse(json_t *o, char type[8], int64_t *id, char *err, size_t errlen)
{
	type[0] = '\0';
	*id = 0;
	if (json_is_null(o))
		return 0;
	const char *t = json_string_value(json_object_get(o, "type"));
	json_t *n = json_object_get(o, "id");
	if (!n)
		n = json_array_get(json_object_get(o, "ids"), 0);
	if (!json_is_object(o) || !t || (strcmp(t, "Group") && strcmp(t, "User")) ||
	    !json_is_integer(n) || json_integer_value(n) <= 0) {
		snprintf(err, errlen,
			 "restriction: expected null, {\"type\": \"Group\", \"id\": id} or"
			 " {\"type\": \"User\", \"id\": id}");
		return -1;
	}
	if (json_array_size(json_object_get(o, "ids")) > 1) {
		snprintf(err, errlen, "restriction: one group at most");
		return -1;
	}
	snprintf(type, 8, "%s", t);
	*id = json_integer_value(n);
	return 0;
}

int ids_param_or_reply(struct req *r, const char *name, int64_t *ids, int *n)
{
	const char *s = req_arg(r, name);
	char msg[128];
	*n = 0;
	if (!s || !*s) {
		snprintf(msg, sizeof(msg), "%s is required", name);
		reply_error(r, 400, "InvalidParameter", msg, NULL);
		return -1;
	}
	while (*s) {
		char *end;
		long long v = strtoll(s, &end, 10);
		if (end == s || v <= 0 || (*end && *end != ',') || *n == 100) {
			snprintf(msg, sizeof(msg), "%s must be at most 100 comma-separated ids", name);
			reply_error(r, 400, "InvalidParameter", msg, NULL);
			return -1;
		}
		ids[(*n)++] = v;
		s = *end ? end + 1 : end;
	}
	return 0;
}

int page_parse_or_reply(struct req *r, struct page *p)
{
	memset(p, 0, sizeof(*p));
	p->page = 1;
	p->per_page = 100;
	const char *v;
	if ((v = req_arg(r, "page[size]"))) {
		p->cursor = 1;
		if (parse_i64(v, &p->per_page) || p->per_page < 1 || p->per_page > 100) {
			reply_error(r, 400, "InvalidPaginationParameter",
				    "page[size] must be between 1 and 100", NULL);
			return -1;
		}
	}
	if ((v = req_arg(r, "page[before]"))) {
		p->cursor = 1;
		if (parse_i64(v, &p->before) || p->before <= 0) {
			reply_error(r, 400, "InvalidPaginationParameter",
				    "page[before] is not a cursor this server made", NULL);
			return -1;
		}
	}
	if ((v = req_arg(r, "page[after]"))) {
		p->cursor = 1;
		if (parse_i64(v, &p->after) || p->after < 0) {
			reply_error(r, 400, "InvalidPaginationParameter",
				    "page[after] is not a cursor this server made", NULL);
			return -1;
		}
	}
	if (!p->cursor) {
		if ((v = req_arg(r, "per_page")) &&
		    (parse_i64(v, &p->per_page) || p->per_page < 1 || p->per_page > 100)) {
			reply_error(r, 400, "InvalidPaginationParameter",
				    "per_page must be between 1 and 100", NULL);
			return -1;
		}
		if ((v = req_arg(r, "page")) &&
		    (parse_i64(v, &p->page) || p->page < 1 || p->page > 100000)) {
			reply_error(r, 400, "InvalidPaginationParameter",
				    "page must be a positive number", NULL);
			return -1;
		}
	}
	v = req_arg(r, "sort_order");
	if (!v)
		v = req_arg(r, "sort");
	p->desc = v && (!strcmp(v, "desc") || !strcmp(v, "-id"));
	return 0;
}

void page_window(const struct page *p, struct window *w)
{
	w->limit = (int)p->per_page + 1;
	w->desc = p->desc;
	w->after_id = p->cursor ? p->after : 0;
	w->offset = p->cursor ? 0 : (p->page - 1) * p->per_page;
}

int page_more(const struct page *p, int *n)
{
	if (*n <= p->per_page)
		return 0;
	(*n)--;
	return 1;
}

void page_finish(struct req *r, const struct page *p, json_t *reply, int64_t last_id, int more,
		 int64_t count)
{
	char url[1024];
	const char *base = r->srv->cfg.base_url;
	if (p->cursor) {
		char cur[24];
		snprintf(cur, sizeof(cur), "%" PRId64, last_id);
		char first[24], prev[1024];
		snprintf(first, sizeof(first), "%" PRId64, p->first_id);
		json_object_set_new(reply, "meta",
				    json_pack("{s:b,s:s,s:o}", "has_more", more, "after_cursor", cur,
					      "before_cursor",
					      p->first_id ? json_string(first) : json_null()));
		snprintf(url, sizeof(url), "%s%s?page[size]=%" PRId64 "&page[after]=%" PRId64 "%s",
			 base, r->path, p->per_page, last_id, p->desc ? "&sort_order=desc" : "");
		snprintf(prev, sizeof(prev), "%s%s?page[size]=%" PRId64 "&page[before]=%" PRId64 "%s",
			 base, r->path, p->per_page, p->first_id, p->desc ? "&sort_order=desc" : "");
		/* prev exists when this page did not start at the beginning */
		int has_prev = p->first_id && (p->after || p->before);
		json_object_set_new(reply, "links",
				    json_pack("{s:o,s:o}", "next", more ? json_string(url) : json_null(),
					      "prev", has_prev ? json_string(prev) : json_null()));
		return;
	}
	if (more) {
		snprintf(url, sizeof(url), "%s%s?page=%" PRId64 "&per_page=%" PRId64, base, r->path,
			 p->page + 1, p->per_page);
		json_object_set_new(reply, "next_page", json_string(url));
	} else {
		json_object_set_new(reply, "next_page", json_null());
	}
	if (p->page > 1) {
		snprintf(url, sizeof(url), "%s%s?page=%" PRId64 "&per_page=%" PRId64, base, r->path,
			 p->page - 1, p->per_page);
		json_object_set_new(reply, "previous_page", json_string(url));
	} else {
		json_object_set_new(reply, "previous_page", json_null());
	}
	if (count >= 0)
		json_object_set_new(reply, "count", json_integer(count));
}
