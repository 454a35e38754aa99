/* orgs.c - /api/v2/organizations: list, show, show_many, count,
 * autocomplete, search by name/external_id, create, create_or_update,
 * update, delete, the organization's users; and a user's organizations and
 * organization memberships (one per user: users.organization_id).
 *
 * Same shape as users.c: the body becomes a struct org_change on the
 * request thread; org_save_run() applies it in one store_write(), checking
 * the unique name and external_id (case-insensitively, as Zendesk does) and
 * the group, and refreshing the search document (org_store does that).
 * Agents may read, create and update organizations; only admins delete.
 */
#include "api/api.h"
#include "base/util.h"
#include "store/group_store.h"
#include "store/org_store.h"
#include "store/user_store.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 255

enum org_bit {
	OF_NAME = 1 << 0,
	OF_DETAILS = 1 << 1,
	OF_NOTES = 1 << 2,
	OF_EXTERNAL_ID = 1 << 3,
	OF_DOMAINS = 1 << 4,
	OF_TAGS = 1 << 5,
	OF_GROUP = 1 << 6,
	OF_SHARED_TICKETS = 1 << 7,
	OF_SHARED_COMMENTS = 1 << 8,
	OF_FIELDS = 1 << 9,
};

struct org_change {
	unsigned set;	       /* OF_* given */
	struct organization v; /* their values; organization_fields is a patch */
	int64_t id;	       /* create_or_update: "id" in the body */
};

/* example.com, mail.example.co.kr: letters, digits, '-' and '.', a dot
 * inside, no empty labels. */
static int domain_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 253 || s[0] == '.' || s[n - 1] == '.' || s[0] == '-' || !strchr(s, '.') ||
	    strstr(s, ".."))
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return 0;
	return 1;
}

static int no_controls(const char *s, int multiline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) ||
		    *p == 0x7f)
			return 0;
	return 1;
}

static int org_change_from_json(json_t *o, struct org_change *c, char *err, size_t errlen)
{
	struct organization *v = &c->v;
	int rc;
	*err = '\0';
	if (!json_is_object(o)) {
		snprintf(err, errlen, "organization: expected an object");
		return -1;
	}
	static const struct {
		const char *key;
		size_t off, max;
		unsigned bit;
		int multiline;
	} strs[] = {
	    {"name", offsetof(struct organization, name), MAX_NAME, OF_NAME, 0},
	    {"details", offsetof(struct organization, details), MAX_FIELD, OF_DETAILS, 1},
	    {"notes", offsetof(struct organization, notes), MAX_FIELD, OF_NOTES, 1},
	    {"external_id", offsetof(struct organization, external_id), MAX_NAME, OF_EXTERNAL_ID,
	     0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		char **dst = (char **)((char *)v + strs[i].off);
		if ((rc = jget_str(o, strs[i].key, dst, err, errlen)) < 0)
			return -1;
		if (!rc)
			continue;
		c->set |= strs[i].bit;
		if (*dst && strlen(*dst) > strs[i].max) {
			snprintf(err, errlen, "%s: is too long (at most %zu bytes)", strs[i].key,
				 strs[i].max);
			return -1;
		}
		if (*dst && !no_controls(*dst, strs[i].multiline)) {
			snprintf(err, errlen, "%s: contains control characters", strs[i].key);
			return -1;
		}
		if (*dst && !**dst && strs[i].bit != OF_NAME) {
			free(*dst);
			*dst = NULL;
		}
	}
	if ((c->set & OF_NAME) && (!v->name || strspn(v->name, " \t") == strlen(v->name))) {
		snprintf(err, errlen, "name: cannot be blank");
		return -1;
	}
	struct strlist l = {0};
	if ((rc = jget_strs(o, "domain_names", &l, err, errlen)) < 0) {
		strlist_clear(&l);
		return -1;
	}
	if (rc) {
		c->set |= OF_DOMAINS;
		for (size_t i = 0; i < l.n; i++) {
			for (char *p = l.v[i]; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (!domain_ok(l.v[i])) {
				snprintf(err, errlen,
					 "domain_names: \"%.64s\" is not a domain name",
					 no_controls(l.v[i], 0) ? l.v[i] : "");
				strlist_clear(&l);
				return -1;
			}
			if (!strlist_has(&v->domain_names, l.v[i]))
				strlist_add(&v->domain_names, l.v[i]);
		}
	}
	strlist_clear(&l);
	if ((rc = jget_strs(o, "tags", &l, err, errlen)) < 0) {
		strlist_clear(&l);
		return -1;
	}
	if (rc) {
		c->set |= OF_TAGS;
		for (size_t i = 0; i < l.n; i++) {
			char *t = tag_normalize(l.v[i]);
			if (!t) {
				snprintf(err, errlen, "tags: \"%.64s\" is not a valid tag",
					 no_controls(l.v[i], 0) ? l.v[i] : "");
				strlist_clear(&l);
				return -1;
			}
			if (!strlist_has(&v->tags, t))
				strlist_add(&v->tags, t);
			free(t);
		}
	}
	strlist_clear(&l);
	if ((rc = jget_id(o, "group_id", &v->group_id, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= OF_GROUP;
	if ((rc = jget_bool(o, "shared_tickets", &v->shared_tickets, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= OF_SHARED_TICKETS;
	if ((rc = jget_bool(o, "shared_comments", &v->shared_comments, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= OF_SHARED_COMMENTS;
	if (jget_id(o, "id", &c->id, err, errlen) < 0)
		return -1;
	json_t *f = json_object_get(o, "organization_fields");
	if (f && !json_is_null(f)) {
		const char *k;
		json_t *e;
		if (!json_is_object(f)) {
			snprintf(err, errlen, "organization_fields: expected an object");
			return -1;
		}
		json_object_foreach(f, k, e)
		{
			if (json_is_object(e) || json_is_array(e)) {
				snprintf(err, errlen,
					 "organization_fields: values must be strings, numbers,"
					 " true/false or null");
				return -1;
			}
		}
		v->organization_fields = json_dumps(f, JSON_COMPACT);
		if (!v->organization_fields || strlen(v->organization_fields) > MAX_FIELD) {
			snprintf(err, errlen,
				 "organization_fields: is too large (at most 65536 bytes)");
			return -1;
		}
		c->set |= OF_FIELDS;
	}
	return 0;
}

struct org_op {
	int64_t id; /* 0 = create */
	int match;  /* create: update the organization with this id,
		     * external_id or name instead, if any */
	struct org_change *c;
	int64_t now;
	int created;
	int status; /* 0, 404, 422 */
	char err[320];
	char taken[32];
	struct organization result;
};

#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		op->status = code;                                                                 \
		snprintf(op->err, sizeof(op->err), __VA_ARGS__);                                   \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)
#define TAKEN(member, ...)                                                                         \
	do {                                                                                       \
		snprintf(op->taken, sizeof(op->taken), "%s", member);                              \
		FAIL(422, __VA_ARGS__);                                                            \
	} while (0)

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

static void copy_list(struct strlist *dst, const struct strlist *src)
{
	strlist_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		strlist_add(dst, src->v[i]);
}

static void merge_fields(char **fields, const char *patch)
{
	json_t *cur = *fields ? json_loads(*fields, 0, NULL) : NULL;
	json_t *p = json_loads(patch, 0, NULL);
	if (!json_is_object(cur)) {
		json_decref(cur);
		cur = json_object();
	}
	if (json_is_object(p))
		json_object_update(cur, p);
	free(*fields);
	*fields = json_dumps(cur, JSON_COMPACT);
	json_decref(cur);
	json_decref(p);
}

static int org_save_run(struct db *db, void *arg)
{
	struct org_op *op = arg;
	struct org_change *c = op->c;
	struct organization o = {0}, other = {0};
	int rc = 0;
	op->status = 0;
	if (!op->id && op->match) {
		int found = 1;
		if (c->id)
			found = org_store_get(db, c->id, &other);
		if (found == 1 && c->v.external_id)
			found = org_store_by_external_id(db, c->v.external_id, &other);
		if (found == 1 && c->v.name)
			found = org_store_by_name(db, c->v.name, &other);
		if (found < 0) {
			rc = found;
			goto out;
		}
		if (found == 0)
			op->id = other.id;
		organization_clear(&other);
	}
	int creating = op->id == 0;
	unsigned set = c->set;
	if (!creating) {
		rc = org_store_get(db, op->id, &o);
		if (rc < 0)
			goto out;
		if (rc)
			FAIL(404, "organization not found");
	} else {
		if (!(set & OF_NAME))
			FAIL(422, "name: is required");
		o.created_at = op->now;
	}
	if (set & OF_NAME)
		set_str(&o.name, c->v.name);
	if (set & OF_DETAILS)
		set_str(&o.details, c->v.details);
	if (set & OF_NOTES)
		set_str(&o.notes, c->v.notes);
	if (set & OF_EXTERNAL_ID)
		set_str(&o.external_id, c->v.external_id);
	if (set & OF_DOMAINS)
		copy_list(&o.domain_names, &c->v.domain_names);
	if (set & OF_TAGS)
		copy_list(&o.tags, &c->v.tags);
	if (set & OF_GROUP)
		o.group_id = c->v.group_id;
	if (set & OF_SHARED_TICKETS)
		o.shared_tickets = c->v.shared_tickets;
	if (set & OF_SHARED_COMMENTS)
		o.shared_comments = c->v.shared_comments;
	if (set & OF_FIELDS)
		merge_fields(&o.organization_fields, c->v.organization_fields);
	if (!o.shared_tickets) /* comments are shared only on shared tickets */
		o.shared_comments = 0;
	o.updated_at = op->now;
	if ((set & OF_GROUP) && o.group_id) {
		struct group g = {0};
		rc = group_store_get(db, o.group_id, &g);
		int dead = rc == 0 && g.deleted;
		group_clear(&g);
		if (rc < 0)
			goto out;
		if (rc || dead)
			FAIL(422, "group_id: %" PRId64 " is not a valid group id", o.group_id);
		rc = 0;
	}
	if (set & OF_NAME) {
		rc = org_store_by_name(db, o.name, &other);
		int64_t holder = rc == 0 ? other.id : 0;
		organization_clear(&other);
		if (rc < 0)
			goto out;
		rc = 0;
		if (holder && holder != o.id)
			TAKEN("name", "Name: \"%s\" has already been taken", o.name);
	}
	if ((set & OF_EXTERNAL_ID) && o.external_id) {
		rc = org_store_by_external_id(db, o.external_id, &other);
		int64_t holder = rc == 0 ? other.id : 0;
		organization_clear(&other);
		if (rc < 0)
			goto out;
		rc = 0;
		if (holder && holder != o.id)
			TAKEN("external_id", "External: %s has already been taken", o.external_id);
	}
	rc = creating ? org_store_insert(db, &o) : org_store_update(db, &o);
	if (rc == DB_CONSTRAINT)
		TAKEN("name", "Name: \"%s\" has already been taken", o.name);
	if (!rc) {
		rc = org_store_get(db, o.id, &op->result);
		if (rc == 1)
			rc = DB_ERR;
	}
	op->created = creating;
out:
	organization_clear(&o);
	organization_clear(&other);
	return rc;
}

static int org_write_reply(struct req *r, int64_t id, int match)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct org_change c = {0};
	char err[320];
	json_t *o = json_object_get(body, "organization");
	if (!o) {
		json_decref(body);
		return reply_invalid(r, "organization: is required");
	}
	if (org_change_from_json(o, &c, err, sizeof(err))) {
		json_decref(body);
		organization_clear(&c.v);
		return reply_invalid(r, err);
	}
	json_decref(body);
	struct org_op op = {.id = id, .match = match, .c = &c, .now = now_seconds()};
	int rc = store_write(r->srv->store, org_save_run, &op);
	organization_clear(&c.v);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		if (op.status == 422)
			return *op.taken ? reply_taken(r, op.taken, op.err)
					 : reply_invalid(r, op.err);
		return reply_error(r, 500, "InternalError", "the organization could not be saved",
				   NULL);
	}
	json_t *out = json_pack("{s:o}", "organization", organization_json(r->srv, &op.result));
	organization_clear(&op.result);
	return reply_json(r, op.created ? 201 : 200, out);
}

static int orgs_create(struct req *r) { return org_write_reply(r, 0, 0); }

static int orgs_create_or_update(struct req *r) { return org_write_reply(r, 0, 1); }

static int orgs_update(struct req *r) { return org_write_reply(r, r->id[0], 0); }

static int org_delete_run(struct db *db, void *arg)
{
	return org_store_delete(db, *(int64_t *)arg);
}

static int orgs_delete(struct req *r)
{
	int64_t id = r->id[0];
	int rc = store_write(r->srv->store, org_delete_run, &id);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the organization could not be deleted",
				   NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

/* ---- reads ------------------------------------------------------------- */

static int org_list_reply(struct req *r, struct org_filter *f)
{
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	page_window(&p, &f->win);
	struct organization *v;
	int n;
	int64_t count = -1;
	if (org_store_list(req_db(r), f, &v, &n) ||
	    (!p.cursor && org_store_count(req_db(r), f, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, organization_json(r->srv, &v[i]));
	json_t *out = json_pack("{s:o}", "organizations", arr);
	page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, count);
	org_list_free(v, n + more);
	return reply_json(r, 200, out);
}

static int orgs_list(struct req *r)
{
	struct org_filter f = {.external_id = req_arg(r, "external_id")};
	return org_list_reply(r, &f);
}

static int orgs_count(struct req *r)
{
	struct org_filter f = {0};
	int64_t n;
	if (org_store_count(req_db(r), &f, &n))
		return reply_db_down(r);
	return reply_json(r, 200, json_pack("{s:o}", "count", count_json(n)));
}

static int orgs_autocomplete(struct req *r)
{
	const char *name = req_arg(r, "name");
	if (!name || strlen(name) < 2 || strlen(name) > MAX_NAME)
		return reply_error(r, 400, "InvalidParameter",
				   "name must be between 2 and 255 characters", NULL);
	struct org_filter f = {.name_prefix = name};
	return org_list_reply(r, &f);
}

/* GET /organizations/search.json?external_id= or ?name= (exact). */
static int orgs_search(struct req *r)
{
	const char *ext = req_arg(r, "external_id"), *name = req_arg(r, "name");
	struct organization o = {0};
	int rc;
	if (ext)
		rc = org_store_by_external_id(req_db(r), ext, &o);
	else if (name)
		rc = org_store_by_name(req_db(r), name, &o);
	else
		return reply_error(r, 400, "InvalidParameter", "external_id or name is required",
				   NULL);
	if (rc < 0)
		return reply_db_down(r);
	json_t *arr = json_array();
	if (rc == 0)
		json_array_append_new(arr, organization_json(r->srv, &o));
	organization_clear(&o);
	return reply_json(r, 200,
			  json_pack("{s:o,s:n,s:n,s:I}", "organizations", arr, "next_page",
				    "previous_page", "count", (json_int_t)json_array_size(arr)));
}

static int orgs_show(struct req *r)
{
	if (r->actor.role == ROLE_END_USER && r->actor.organization_id != r->id[0])
		return reply_forbidden(r);
	struct organization o = {0};
	int rc = org_store_get(req_db(r), r->id[0], &o);
	if (rc < 0)
		return reply_db_down(r);
	if (rc)
		return reply_not_found(r);
	json_t *out = json_pack("{s:o}", "organization", organization_json(r->srv, &o));
	organization_clear(&o);
	return reply_json(r, 200, out);
}

static int orgs_show_many(struct req *r)
{
	json_t *arr = json_array();
	if (req_arg(r, "external_ids") && !req_arg(r, "ids")) {
		char *copy = xstrdup(req_arg(r, "external_ids")), *save = NULL;
		int k = 0;
		for (char *t = strtok_r(copy, ",", &save); t && k < 100;
		     t = strtok_r(NULL, ",", &save), k++) {
			struct organization o = {0};
			if (org_store_by_external_id(req_db(r), t, &o) == 0)
				json_array_append_new(arr, organization_json(r->srv, &o));
			organization_clear(&o);
		}
		free(copy);
	} else {
		int64_t ids[100];
		int n;
		if (ids_param_or_reply(r, "ids", ids, &n)) {
			json_decref(arr);
			return 0;
		}
		for (int i = 0; i < n; i++) {
			struct organization o = {0};
			if (org_store_get(req_db(r), ids[i], &o) == 0)
				json_array_append_new(arr, organization_json(r->srv, &o));
			organization_clear(&o);
		}
	}
	return reply_json(r, 200,
			  json_pack("{s:o,s:n,s:n,s:I}", "organizations", arr, "next_page",
				    "previous_page", "count", (json_int_t)json_array_size(arr)));
}

/* 0 when organization id exists, else -1 after replying 404/503. */
static int org_exists_or_reply(struct req *r, int64_t id)
{
	struct organization o = {0};
	int rc = org_store_get(req_db(r), id, &o);
	organization_clear(&o);
	if (rc < 0)
		reply_db_down(r);
	else if (rc)
		reply_not_found(r);
	return rc ? -1 : 0;
}

static int orgs_users(struct req *r)
{
	if (org_exists_or_reply(r, r->id[0]))
		return 0;
	struct user_filter f = {.organization_id = r->id[0]};
	return user_list_reply(r, &f);
}

/* The user's organization membership (Sonnim keeps one per user, so its id
 * is the user's id). */
static json_t *membership_json(struct server *s, const struct user *u, const struct organization *o)
{
	char url[400];
	snprintf(url, sizeof(url), "%s/api/v2/organization_memberships/%" PRId64 ".json",
		 s->cfg.base_url, u->id);
	return json_pack("{s:I,s:s,s:I,s:I,s:b,s:o,s:b,s:o,s:o}", "id", (json_int_t)u->id, "url",
			 url, "user_id", (json_int_t)u->id, "organization_id", (json_int_t)o->id,
			 "default", 1, "organization_name", jstr(o->name), "view_tickets",
			 u->role != ROLE_END_USER || o->shared_tickets, "created_at",
			 jtime(u->created_at), "updated_at", jtime(u->updated_at));
}

/* The user of path id[0], visible to the actor (end-users: themselves). */
static int user_or_reply(struct req *r, struct user *u)
{
	if (r->actor.role == ROLE_END_USER && r->id[0] != r->actor.user_id) {
		reply_forbidden(r);
		return -1;
	}
	int rc = user_store_get(req_db(r), r->id[0], u);
	if (rc < 0)
		reply_db_down(r);
	else if (rc)
		reply_not_found(r);
	return rc ? -1 : 0;
}

/* GET /users/{id}/organizations.json and /users/{id}/organization_memberships.json */
static int user_orgs_reply(struct req *r, int memberships)
{
	struct user u = {0};
	struct page p;
	if (page_parse_or_reply(r, &p) || user_or_reply(r, &u))
		return 0;
	json_t *arr = json_array();
	struct organization o = {0};
	if (u.organization_id && org_store_get(req_db(r), u.organization_id, &o) == 0 &&
	    (!p.cursor || o.id > p.after))
		json_array_append_new(arr, memberships ? membership_json(r->srv, &u, &o)
						       : organization_json(r->srv, &o));
	json_t *out =
	    json_pack("{s:o}", memberships ? "organization_memberships" : "organizations", arr);
	page_finish(r, &p, out, json_array_size(arr) ? (memberships ? u.id : o.id) : p.after, 0,
		    (int64_t)json_array_size(arr));
	organization_clear(&o);
	user_clear(&u);
	return reply_json(r, 200, out);
}

static int user_organizations(struct req *r) { return user_orgs_reply(r, 0); }

static int user_org_memberships(struct req *r) { return user_orgs_reply(r, 1); }

/* GET /organizations/{id}/organization_memberships.json */
static int org_memberships(struct req *r)
{
	struct organization o = {0};
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	int rc = org_store_get(req_db(r), r->id[0], &o);
	if (rc)
		return rc < 0 ? reply_db_down(r) : reply_not_found(r);
	struct user_filter f = {.organization_id = o.id};
	page_window(&p, &f.win);
	struct user *v;
	int n;
	int64_t count = -1;
	if (user_store_find(req_db(r), &f, &v, &n) ||
	    (!p.cursor && user_store_find_count(req_db(r), &f, &count))) {
		organization_clear(&o);
		return reply_db_down(r);
	}
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, membership_json(r->srv, &v[i], &o));
	json_t *out = json_pack("{s:o}", "organization_memberships", arr);
	page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, count);
	user_list_free(v, n + more);
	organization_clear(&o);
	return reply_json(r, 200, out);
}

const struct route org_routes[] = {
    {M_GET, "/api/v2/organizations.json", ROLE_AGENT, orgs_list, 0},
    {M_POST, "/api/v2/organizations.json", ROLE_ADMIN, orgs_create, 0},
    {M_GET, "/api/v2/organizations/count.json", ROLE_AGENT, orgs_count, 0},
    {M_GET, "/api/v2/organizations/show_many.json", ROLE_AGENT, orgs_show_many, 0},
    {M_GET, "/api/v2/organizations/autocomplete.json", ROLE_AGENT, orgs_autocomplete, 0},
    {M_GET, "/api/v2/organizations/search.json", ROLE_ADMIN, orgs_search, 0},
    {M_POST, "/api/v2/organizations/create_or_update.json", ROLE_AGENT, orgs_create_or_update, 0},
    {M_GET, "/api/v2/organizations/{id}.json", ROLE_AGENT, orgs_show, 0},
    {M_PUT, "/api/v2/organizations/{id}.json", ROLE_AGENT, orgs_update, 0},
    {M_DELETE, "/api/v2/organizations/{id}.json", ROLE_ADMIN, orgs_delete, 0},
    {M_GET, "/api/v2/organizations/{id}/users.json", ROLE_AGENT, orgs_users, 0},
    {M_GET, "/api/v2/organizations/{id}/organization_memberships.json", ROLE_AGENT, org_memberships,
     0},
    {M_GET, "/api/v2/users/{id}/organizations.json", ROLE_AGENT, user_organizations, 0},
    {M_GET, "/api/v2/users/{id}/organization_memberships.json", ROLE_AGENT, user_org_memberships,
     0},
    {0},
};
