/* tickets.c - /api/v2/tickets: list, show, show_many, create, update,
 * delete, comments, audits, merge, tags, incidents.
 *
 * Every change goes through ticket_write_run() in one store_write(), so the
 * reply is sent only after the commit that holds the ticket, its audit, its
 * comment and its outbox events. */
#include "api/api.h"
#include "base/log.h"
#include "base/util.h"
#include "core/html.h"
#include "store/attachment_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int ticket_change_from_json(json_t *t, struct ticket_change *c, int creating, char *err,
			    size_t errlen)
{
	struct ticket *v = &c->v;
	int rc = 0;
	*err = '\0';
	if (!json_is_object(t)) {
		snprintf(err, errlen, "ticket: expected an object");
		return -1;
	}
#define STR(key, field, bit)                                                                       \
	if ((rc = jget_str(t, key, &v->field, err, errlen)) < 0)                                  \
		return -1;                                                                         \
	if (rc)                                                                                    \
		c->set |= bit;
#define ID(key, field, bit)                                                                        \
	if ((rc = jget_id(t, key, &v->field, err, errlen)) < 0)                                   \
		return -1;                                                                         \
	if (rc)                                                                                    \
		c->set |= bit;
	STR("subject", subject, TF_SUBJECT);
	if (!(c->set & TF_SUBJECT)) {
		STR("raw_subject", subject, TF_SUBJECT);
	}
	STR("priority", priority, TF_PRIORITY);
	STR("status", status, TF_STATUS);
	STR("type", type, TF_TYPE);
	STR("external_id", external_id, TF_EXTERNAL_ID);
	ID("requester_id", requester_id, TF_REQUESTER);
	ID("submitter_id", submitter_id, TF_SUBMITTER);
	ID("assignee_id", assignee_id, TF_ASSIGNEE);
	ID("organization_id", organization_id, TF_ORGANIZATION);
	ID("group_id", group_id, TF_GROUP);
	ID("problem_id", problem_id, TF_PROBLEM);
	ID("ticket_form_id", ticket_form_id, TF_FORM);
#undef STR
#undef ID
	if (v->requester_id == 0 && (c->set & TF_REQUESTER) && !creating) {
		snprintf(err, errlen, "requester: cannot be removed");
		return -1;
	}
	char *due = NULL;
	if ((rc = jget_str(t, "due_at", &due, err, errlen)) < 0)
		return -1;
	if (rc) {
		c->set |= TF_DUE_AT;
		if (due && parse_iso8601(due, &v->due_at)) {
			free(due);
			snprintf(err, errlen, "due_at: expected an ISO 8601 time");
			return -1;
		}
		free(due);
	}
	if ((rc = jget_strs(t, "tags", &v->tags, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= TF_TAGS;
	if (jget_strs(t, "additional_tags", &c->add_tags, err, errlen) < 0 ||
	    jget_strs(t, "remove_tags", &c->remove_tags, err, errlen) < 0)
		return -1;
	if ((rc = jget_ids(t, "collaborator_ids", &v->collaborator_ids, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= TF_COLLABORATORS;
	if (!rc) {
		if ((rc = jget_ids(t, "email_cc_ids", &v->collaborator_ids, err, errlen)) < 0)
			return -1;
		if (rc)
			c->set |= TF_COLLABORATORS;
	}
	if ((rc = jget_ids(t, "follower_ids", &v->follower_ids, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= TF_FOLLOWERS;
	json_t *cf = json_object_get(t, "custom_fields");
	if (!cf)
		cf = json_object_get(t, "fields");
	if (cf) {
		if (!json_is_array(cf) || json_array_size(cf) > 200) {
			snprintf(err, errlen, "custom_fields: expected an array of {id, value}");
			return -1;
		}
		v->fields = xcalloc(json_array_size(cf) + 1, sizeof(*v->fields));
		size_t i;
		json_t *f;
		json_array_foreach(cf, i, f)
		{
			json_t *id = json_object_get(f, "id"), *val = json_object_get(f, "value");
			if (!json_is_integer(id) || json_integer_value(id) <= 0 || !val ||
			    json_is_object(val)) {
				snprintf(err, errlen, "custom_fields: expected an array of {id, value}");
				return -1;
			}
			v->fields[v->nfields].id = json_integer_value(id);
			v->fields[v->nfields].value_json = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
			v->nfields++;
		}
		c->set |= TF_FIELDS;
	}
	json_t *cm = json_object_get(t, "comment");
	if (cm && !json_is_null(cm)) {
		if (!json_is_object(cm)) {
			snprintf(err, errlen, "comment: expected an object");
			return -1;
		}
		char *body = NULL, *html = NULL;
		if (jget_str(cm, "body", &body, err, errlen) < 0 ||
		    jget_str(cm, "html_body", &html, err, errlen) < 0) {
			free(body);
			free(html);
			return -1;
		}
		if (html) {
			/* kept as allow-listed HTML; its text is the plain body
			 * unless the client sent one too */
			struct buf out, text;
			buf_init(&out, 4 << 20);
			buf_init(&text, 4 << 20);
			html_sanitize(html, strlen(html), &out, &text);
			c->comment_html = buf_detach(&out);
			if (!body)
				body = buf_detach(&text);
			buf_release(&text);
		}
		free(html);
		if (!body || !*body) {
			free(body);
			snprintf(err, errlen, "comment: body is required");
			return -1;
		}
		c->comment_body = body;
		c->comment_public = 1;
		if (jget_bool(cm, "public", &c->comment_public, err, errlen) < 0 ||
		    jget_id(cm, "author_id", &c->comment_author_id, err, errlen) < 0 ||
		    jget_strs(cm, "uploads", &c->upload_tokens, err, errlen) < 0)
			return -1;
	}
	if (creating && !c->comment_body) {
		char *d = NULL;
		if (jget_str(t, "description", &d, err, errlen) < 0)
			return -1;
		if (d && *d) {
			c->comment_body = d;
			c->comment_public = 1;
		} else {
			free(d);
		}
	}
	if (creating && !c->comment_body) {
		snprintf(err, errlen, "description: is required (give comment.body)");
		return -1;
	}
	return 0;
}

int requester_resolve(struct req *r, json_t *o, int64_t *out, char *err, size_t errlen)
{
	char *email = NULL, *name = NULL, *norm = NULL;
	int rc = -1;
	if (!json_is_object(o) || jget_str(o, "email", &email, err, errlen) < 0 ||
	    jget_str(o, "name", &name, err, errlen) < 0)
		goto out;
	if (!email || email_normalize(email, &norm)) {
		snprintf(err, errlen, "requester: a valid email is required");
		goto out;
	}
	struct user u = {0};
	int found = user_store_by_email(req_db(r), norm, &u);
	if (found == 0) {
		*out = u.id;
		user_clear(&u);
		rc = 0;
		goto out;
	}
	if (found < 0)
		goto out;
	if (r->actor.role < ROLE_AGENT) {
		snprintf(err, errlen, "requester: end-users cannot create users");
		goto out;
	}
	u.name = xstrdup(name && *name ? name : norm);
	u.email = norm;
	norm = NULL;
	u.role = ROLE_END_USER;
	u.active = 1;
	u.created_at = u.updated_at = now_seconds();
	int w = store_write(r->srv->store, user_insert_write, &u);
	if (w == DB_CONSTRAINT) { /* created meanwhile by another request */
		struct user again = {0};
		if (user_store_by_email(req_db(r), u.email, &again) == 0) {
			*out = again.id;
			rc = 0;
		}
		user_clear(&again);
	} else if (w == 0) {
		*out = u.id;
		rc = 0;
	}
	user_clear(&u);
out:
	free(email);
	free(name);
	free(norm);
	return rc;
}

static json_t *audit_json(const struct audit *a)
{
	json_t *evs = json_array();
	for (size_t k = 0; k < a->events.n; k++) {
		const struct field_event *e = &a->events.v[k];
		json_t *j = json_pack("{s:I,s:s}", "id", (json_int_t)(a->id * 100 + k), "type",
				      a->event_types[k]);
		if (!strcmp(a->event_types[k], "Comment")) {
			json_object_set_new(j, "public", json_boolean(!strcmp(e->field, "public")));
			json_object_set_new(j, "comment_id", jid(a->comment_id));
		} else {
			json_object_set_new(j, "field_name", json_string(e->field));
			json_object_set_new(j, "value", jstr(e->value));
			if (!strcmp(a->event_types[k], "Change"))
				json_object_set_new(j, "previous_value", jstr(e->previous));
		}
		json_array_append_new(evs, j);
	}
	return json_pack("{s:I,s:I,s:o,s:s,s:{s:s},s:o,s:o}", "id", (json_int_t)a->id,
			 "ticket_id", (json_int_t)a->ticket_id, "author_id", jid(a->author_id),
			 "type", "Audit", "via", "channel", a->via_channel, "created_at",
			 jtime(a->created_at), "events", evs);
}

int ticket_write_and_reply(struct req *r, int64_t id, struct ticket_change *c)
{
	struct ticket_write w = {.who = r->actor, .id = id, .change = c, .via = "api",
				 .now = now_seconds()};
	int rc = store_write(r->srv->store, ticket_write_run, &w);
	if (rc && !w.status)
		w.status = 500;
	switch (w.status) {
	case 0:
		break;
	case 403:
		return reply_error(r, 403, "Forbidden", w.err, NULL);
	case 404:
		return reply_not_found(r);
	case 422:
		return reply_invalid(r, w.err);
	default:
		log_error("api", "ticket write failed: status=%d", w.status);
		return reply_error(r, 500, "InternalError", "the change could not be saved", NULL);
	}
	json_t *out = json_pack("{s:o}", "ticket", ticket_json(r->srv, &w.result));
	if (w.audit_id) {
		/* the audit as the write recorded it: no need to read it back */
		struct audit a = {.id = w.audit_id, .ticket_id = w.result.id,
				  .author_id = r->actor.user_id, .created_at = w.now,
				  .via_channel = "api", .events = w.events,
				  .comment_id = w.comment_id};
		const char *type = w.created ? "Create" : "Change";
		size_t n = w.events.n + (w.comment_id ? 1 : 0);
		char **types = xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < w.events.n; i++)
			types[i] = (char *)type;
		if (w.comment_id) {
			/* the Comment event follows the field events */
			a.events.v = xcalloc(n, sizeof(*a.events.v));
			if (w.events.n)
				memcpy(a.events.v, w.events.v, w.events.n * sizeof(*a.events.v));
			snprintf(a.events.v[n - 1].field, sizeof(a.events.v[n - 1].field), "%s",
				 c->comment_public ? "public" : "private");
			a.events.n = n;
			types[n - 1] = "Comment";
		}
		a.event_types = types;
		json_object_set_new(out, "audit", audit_json(&a));
		if (a.events.v != w.events.v)
			free(a.events.v);
		free(types);
	}
	ticket_write_clear(&w);
	return reply_json(r, id ? 200 : 201, out);
}

/* Load a ticket the actor may see, or reply 404. 0 ok, -1 replied. */
static int load_visible_or_reply(struct req *r, int64_t id, struct ticket *t)
{
	int rc = ticket_store_get(req_db(r), id, t);
	if (rc < 0) {
		reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
		return -1;
	}
	if (rc == 1 || !ticket_can_view(&r->actor, t)) {
		ticket_clear(t);
		reply_not_found(r);
		return -1;
	}
	return 0;
}

static int list_reply(struct req *r, struct ticket_filter *f)
{
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	f->visible_to = &r->actor;
	page_window(&p, &f->win);
	f->before_id = p.cursor ? p.before : 0;
	struct ticket *v;
	int n;
	int64_t count = -1;
	if (ticket_store_list(req_db(r), f, &v, &n) ||
	    (!p.cursor && ticket_store_count(req_db(r), f, &count)))
		return reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
	int rows = n, more = page_more(&p, &n);
	/* going back, the extra row is the oldest one: it belongs before the page */
	int skip = p.before && !p.after && more ? 1 : 0;
	struct buf items = BUF_INIT;
	for (int i = skip; i < n + skip; i++) {
		if (i > skip)
			buf_addc(&items, ',');
		ticket_json_text(r->srv, &v[i], &items);
	}
	json_t *out = json_object();
	p.first_id = n ? v[skip].id : 0;
	if (p.before && !p.after) {
		more = 1; /* the page we came from follows this one */
		if (!skip)
			p.before = 0; /* nothing before this page: no prev link */
	}
	page_finish(r, &p, out, n ? v[n - 1 + skip].id : p.after, more, count);
	ticket_list_free(v, rows);
	reply_list(r, "tickets", &items, out);
	buf_release(&items);
	return 0;
}

static int tickets_list(struct req *r)
{
	struct ticket_filter f = {0};
	int64_t v;
	const char *s;
	if ((s = req_arg(r, "external_id"))) {
		/* Zendesk's ?external_id= filter; ids only (external_id is unique) */
		if (ticket_store_by_external(req_db(r), s, &v))
			v = -1;
		if (v <= 0)
			return reply_json(r, 200, json_pack("{s:[],s:n,s:n,s:i}", "tickets",
							    "next_page", "previous_page", "count", 0));
		struct ticket t = {0};
		if (load_visible_or_reply(r, v, &t))
			return 0;
		json_t *out = json_pack("{s:[o],s:n,s:n,s:i}", "tickets", ticket_json(r->srv, &t),
					"next_page", "previous_page", "count", 1);
		ticket_clear(&t);
		return reply_json(r, 200, out);
	}
	return list_reply(r, &f);
}

static int org_tickets(struct req *r)
{
	struct ticket_filter f = {.organization_id = r->id[0]};
	return list_reply(r, &f);
}

static int user_requested(struct req *r)
{
	struct ticket_filter f = {.requester_id = r->id[0]};
	return list_reply(r, &f);
}

static int user_assigned(struct req *r)
{
	struct ticket_filter f = {.assignee_id = r->id[0]};
	return list_reply(r, &f);
}

static int tickets_show(struct req *r)
{
	struct ticket t = {0};
	if (load_visible_or_reply(r, r->id[0], &t))
		return 0;
	const char *inc = req_arg(r, "include");
	if (inc && strstr(inc, "slas")) { /* Zendesk's sideload, inside the ticket */
		json_t *o = ticket_json(r->srv, &t);
		json_object_set_new(o, "slas", ticket_slas_json(r, t.id));
		ticket_clear(&t);
		return reply_json(r, 200, json_pack("{s:o}", "ticket", o));
	}
	struct buf b = BUF_INIT;
	buf_adds(&b, "{\"ticket\":");
	ticket_json_text(r->srv, &t, &b);
	buf_addc(&b, '}');
	ticket_clear(&t);
	size_t len = b.len;
	return reply_take(r, 200, "application/json; charset=utf-8", buf_detach(&b), len);
}

/* Parse ?ids=1,2,3 (at most 100). */
static int ids_arg_or_reply(struct req *r, int64_t *ids, int *n)
{
	const char *s = req_arg(r, "ids");
	*n = 0;
	if (!s || !*s) {
		reply_error(r, 400, "InvalidParameter", "ids is required", NULL);
		return -1;
	}
	while (*s) {
		char *end;
		long long v = strtoll(s, &end, 10);
		if (end == s || v <= 0 || (*end && *end != ',') || *n == 100) {
			reply_error(r, 400, "InvalidParameter",
				    "ids must be at most 100 comma-separated ids", NULL);
			return -1;
		}
		ids[(*n)++] = v;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int tickets_show_many(struct req *r)
{
	int64_t ids[100];
	int n;
	if (ids_arg_or_reply(r, ids, &n))
		return 0;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		struct ticket t = {0};
		if (ticket_store_get(req_db(r), ids[i], &t) == 0 && ticket_can_view(&r->actor, &t))
			json_array_append_new(arr, ticket_json(r->srv, &t));
		ticket_clear(&t);
	}
	return reply_json(r, 200, json_pack("{s:o,s:n,s:n,s:I}", "tickets", arr, "next_page",
					    "previous_page", "count",
					    (json_int_t)json_array_size(arr)));
}

static int tickets_create(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	json_t *t = json_object_get(body, "ticket");
	struct ticket_change c = {0};
	char err[256];
	if (!t) {
		json_decref(body);
		return reply_invalid(r, "ticket: is required");
	}
	if (ticket_change_from_json(t, &c, 1, err, sizeof(err))) {
		json_decref(body);
		ticket_change_clear(&c);
		return reply_invalid(r, err);
	}
	json_t *rq = json_object_get(t, "requester");
	if (rq && !(c.set & TF_REQUESTER)) {
		if (requester_resolve(r, rq, &c.v.requester_id, err, sizeof(err))) {
			json_decref(body);
			ticket_change_clear(&c);
			return reply_invalid(r, err);
		}
		c.set |= TF_REQUESTER;
	}
	json_decref(body);
	ticket_write_and_reply(r, 0, &c);
	ticket_change_clear(&c);
	return 0;
}

static int tickets_update(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	json_t *t = json_object_get(body, "ticket");
	struct ticket_change c = {0};
	char err[256];
	if (!t || ticket_change_from_json(t, &c, 0, err, sizeof(err))) {
		json_decref(body);
		ticket_change_clear(&c);
		return reply_invalid(r, t ? err : "ticket: is required");
	}
	json_decref(body);
	ticket_write_and_reply(r, r->id[0], &c);
	ticket_change_clear(&c);
	return 0;
}

static int tickets_delete(struct req *r)
{
	struct ticket_delete d = {.who = r->actor, .id = r->id[0]};
	int rc = store_write(r->srv->store, ticket_delete_run, &d);
	if (!rc && d.nsha) {
		/* its files, unless another attachment still uses them */
		struct attachment_forget f = {.data_dir = r->srv->cfg.data_dir,
					      .sha256s = d.sha256s, .nsha = d.nsha};
		store_write(r->srv->store, attachment_forget_run, &f);
	}
	attachment_shas_free(d.sha256s, d.nsha);
	if (rc && d.status == 404)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the ticket could not be deleted", NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

static int tickets_comments(struct req *r)
{
	struct ticket t = {0};
	if (load_visible_or_reply(r, r->id[0], &t))
		return 0;
	ticket_clear(&t);
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	struct comment *v;
	int n;
	int64_t after = p.cursor ? p.after : 0;
	/* offset pagination over comments: skip (page-1)*per_page by fetching */
	int limit = (int)(p.cursor ? p.per_page + 1 : p.page * p.per_page + 1);
	if (comment_store_list(req_db(r), r->id[0], r->actor.role == ROLE_END_USER, after, limit,
			       &v, &n))
		return reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
	int start = p.cursor ? 0 : (int)((p.page - 1) * p.per_page);
	int end = start + (int)p.per_page;
	int more = n > end;
	json_t *arr = json_array();
	for (int i = start; i < n && i < end; i++)
		json_array_append_new(arr, comment_json(r->srv, &v[i]));
	int64_t last = n > start ? v[(n < end ? n : end) - 1].id : after;
	json_t *out = json_pack("{s:o}", "comments", arr);
	int64_t total = -1;
	if (!p.cursor &&
	    comment_store_count(req_db(r), r->id[0], r->actor.role == ROLE_END_USER, &total))
		total = -1;
	page_finish(r, &p, out, last, more, total);
	comment_list_free(v, n);
	return reply_json(r, 200, out);
}

static int tickets_audits(struct req *r)
{
	struct ticket t = {0};
	if (load_visible_or_reply(r, r->id[0], &t))
		return 0;
	ticket_clear(&t);
	struct audit *a;
	int n;
	if (audit_store_list(req_db(r), r->id[0], &a, &n))
		return reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, audit_json(&a[i]));
	audit_list_free(a, n);
	return reply_json(r, 200, json_pack("{s:o,s:n,s:n,s:i}", "audits", arr, "next_page",
					    "previous_page", "count", n));
}

static int tickets_incidents(struct req *r)
{
	struct ticket t = {0};
	if (load_visible_or_reply(r, r->id[0], &t))
		return 0;
	ticket_clear(&t);
	struct ticket *v;
	int n;
	if (ticket_store_incidents(req_db(r), r->id[0], &v, &n))
		return reply_error(r, 503, "DatabaseError", "the database is not available", NULL);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		if (ticket_can_view(&r->actor, &v[i]))
			json_array_append_new(arr, ticket_json(r->srv, &v[i]));
	ticket_list_free(v, n);
	return reply_json(r, 200, json_pack("{s:o,s:n,s:n,s:I}", "tickets", arr, "next_page",
					    "previous_page", "count",
					    (json_int_t)json_array_size(arr)));
}

/* POST /tickets/{id}/merge.json {"ids": [...], "target_comment", ...}:
 * checked here, then merged by a job (Zendesk answers with a job status). */
static int tickets_merge(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct idlist ids = {0};
	char err[256] = "", *tc = NULL, *sc = NULL;
	int tp = 0, sp = 0;
	if (jget_ids(body, "ids", &ids, err, sizeof(err)) <= 0 || !ids.n || ids.n > 5 ||
	    jget_str(body, "target_comment", &tc, err, sizeof(err)) < 0 ||
	    jget_str(body, "source_comment", &sc, err, sizeof(err)) < 0 ||
	    jget_bool(body, "target_comment_is_public", &tp, err, sizeof(err)) < 0 ||
	    jget_bool(body, "source_comment_is_public", &sp, err, sizeof(err)) < 0) {
		json_decref(body);
		idlist_clear(&ids);
		free(tc);
		free(sc);
		return reply_invalid(r, *err ? err : "ids: 1 to 5 ticket ids are required");
	}
	free(tc);
	free(sc);
	struct ticket t = {0};
	int bad = 0;
	for (size_t i = 0; i <= ids.n && !bad; i++) {
		int64_t id = i < ids.n ? ids.v[i] : r->id[0];
		if (load_visible_or_reply(r, id, &t))
			bad = 1;
		else if (!strcmp(t.status, "closed"))
			bad = reply_invalid(r, "ids: closed tickets cannot be merged") + 1;
		else if (i < ids.n && id == r->id[0])
			bad = reply_invalid(r, "ids: a ticket cannot be merged into itself") + 1;
		ticket_clear(&t);
	}
	idlist_clear(&ids);
	if (bad) {
		json_decref(body);
		return 0;
	}
	json_object_set_new(body, "target", json_integer(r->id[0]));
	return job_queue_and_reply(r, "tickets.merge", body);
}

static int tags_show(struct req *r)
{
	struct ticket t = {0};
	if (load_visible_or_reply(r, r->id[0], &t))
		return 0;
	json_t *a = json_array();
	for (size_t i = 0; i < t.tags.n; i++)
		json_array_append_new(a, jstr(t.tags.v[i]));
	ticket_clear(&t);
	return reply_json(r, 200, json_pack("{s:o}", "tags", a));
}

/* POST sets, PUT adds, DELETE removes (Zendesk's tags endpoints). */
static int tags_change(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct ticket_change c = {0};
	char err[256] = "";
	struct strlist *dst = r->method == M_POST ? &c.v.tags
			      : r->method == M_PUT ? &c.add_tags
						   : &c.remove_tags;
	if (jget_strs(body, "tags", dst, err, sizeof(err)) <= 0) {
		json_decref(body);
		ticket_change_clear(&c);
		return reply_invalid(r, *err ? err : "tags: is required");
	}
	json_decref(body);
	if (r->method == M_POST)
		c.set |= TF_TAGS;
	struct ticket_write w = {.who = r->actor, .id = r->id[0], .change = &c, .via = "api",
				 .now = now_seconds()};
	int rc = store_write(r->srv->store, ticket_write_run, &w);
	ticket_change_clear(&c);
	if (rc) {
		if (w.status == 404)
			return reply_not_found(r);
		if (w.status == 403)
			return reply_forbidden(r);
		return w.status == 422 ? reply_invalid(r, w.err)
				       : reply_error(r, 500, "InternalError", "not saved", NULL);
	}
	json_t *a = json_array();
	for (size_t i = 0; i < w.result.tags.n; i++)
		json_array_append_new(a, jstr(w.result.tags.v[i]));
	ticket_write_clear(&w);
	return reply_json(r, 200, json_pack("{s:o}", "tags", a));
}

const struct route ticket_routes[] = {
	{M_GET, "/api/v2/tickets.json", ROLE_END_USER, tickets_list, 0},
	{M_POST, "/api/v2/tickets.json", ROLE_END_USER, tickets_create, 0},
	{M_GET, "/api/v2/tickets/show_many.json", ROLE_END_USER, tickets_show_many, 0},
	{M_GET, "/api/v2/tickets/{id}.json", ROLE_END_USER, tickets_show, 0},
	{M_PUT | M_PATCH, "/api/v2/tickets/{id}.json", ROLE_END_USER, tickets_update, 0},
	{M_DELETE, "/api/v2/tickets/{id}.json", ROLE_ADMIN, tickets_delete, 0},
	{M_GET, "/api/v2/tickets/{id}/comments.json", ROLE_END_USER, tickets_comments, 0},
	{M_GET, "/api/v2/tickets/{id}/audits.json", ROLE_AGENT, tickets_audits, 0},
	{M_GET, "/api/v2/tickets/{id}/incidents.json", ROLE_AGENT, tickets_incidents, 0},
	{M_POST, "/api/v2/tickets/{id}/merge.json", ROLE_AGENT, tickets_merge, 0},
	{M_GET, "/api/v2/tickets/{id}/tags.json", ROLE_AGENT, tags_show, 0},
	{M_POST | M_PUT | M_DELETE, "/api/v2/tickets/{id}/tags.json", ROLE_AGENT, tags_change, 0},
	{M_GET, "/api/v2/organizations/{id}/tickets.json", ROLE_AGENT, org_tickets, 0},
	{M_GET, "/api/v2/users/{id}/tickets/requested.json", ROLE_AGENT, user_requested, 0},
	{M_GET, "/api/v2/users/{id}/tickets/assigned.json", ROLE_AGENT, user_assigned, 0},
	{0},
};
