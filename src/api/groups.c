/* groups.c - /api/v2/groups and /api/v2/group_memberships: groups (list,
 * show, count, assignable, create, update, soft delete, their users, a
 * user's groups) and memberships (list by group or user, assignable, show,
 * create, delete, make default).
 *
 * Agents read; only admins create, change or delete groups and
 * memberships (an agent may pick its own default group).  Every write is
 * one store_write() whose function re-checks what it depends on inside the
 * transaction (the group is live, the user is an active agent or admin,
 * the name is free) and refuses with a status rather than writing half.
 */
#include "api/api.h"
#include "base/util.h"
#include "store/group_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 255

/* ---- groups ------------------------------------------------------------ */

struct group_op {
	int64_t id;	/* 0 = create */
	struct group v; /* values given */
	int set_name, set_description, set_public;
	int64_t now;
	int status; /* 0, 404, 422 */
	char err[320];
	char taken[32];
	struct group result;
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

static int group_save_run(struct db *db, void *arg)
{
	struct group_op *op = arg;
	struct group g = {0}, other = {0};
	int rc = 0, creating = op->id == 0;
	op->status = 0;
	if (!creating) {
		rc = group_store_get(db, op->id, &g);
		if (rc < 0)
			goto out;
		if (rc || g.deleted)
			FAIL(404, "group not found");
	} else {
		if (!op->set_name)
			FAIL(422, "name: is required");
		g.is_public = 1;
		g.created_at = op->now;
	}
	if (op->set_name)
		set_str(&g.name, op->v.name);
	if (op->set_description)
		set_str(&g.description, op->v.description);
	if (op->set_public) {
		if (!creating && !g.is_public && op->v.is_public)
			FAIL(422, "is_public: a private group cannot be made public");
		g.is_public = op->v.is_public;
	}
	g.updated_at = op->now;
	if (op->set_name) {
		rc = group_store_by_name(db, g.name, 0, &other);
		int64_t holder = rc == 0 ? other.id : 0;
		if (rc < 0)
			goto out;
		rc = 0;
		if (holder && holder != g.id)
			TAKEN("name", "Name: \"%s\" has already been taken", g.name);
	}
	rc = creating ? group_store_insert(db, &g) : group_store_update(db, &g);
	if (rc == DB_CONSTRAINT)
		TAKEN("name", "Name: \"%s\" has already been taken", g.name);
	if (!rc) {
		rc = group_store_get(db, g.id, &op->result);
		if (rc == 1)
			rc = DB_ERR;
	}
out:
	group_clear(&g);
	group_clear(&other);
	return rc;
}

static int group_write_reply(struct req *r, int64_t id)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct group_op op = {.id = id, .now = now_seconds()};
	char err[256] = "";
	json_t *o = json_object_get(body, "group");
	int ok =
	    json_is_object(o) &&
	    (op.set_name = jget_str(o, "name", &op.v.name, err, sizeof(err))) >= 0 &&
	    (op.set_description =
		 jget_str(o, "description", &op.v.description, err, sizeof(err))) >= 0 &&
	    (op.set_public = jget_bool(o, "is_public", &op.v.is_public, err, sizeof(err))) >= 0;
	json_decref(body);
	if (!ok) {
		group_clear(&op.v);
		return reply_invalid(r, *err ? err
					: o  ? "group: expected an object"
					     : "group: is required");
	}
	const char *bad = NULL;
	if (op.set_name && (!op.v.name || strspn(op.v.name, " \t") == strlen(op.v.name)))
		bad = "name: cannot be blank";
	else if (op.set_name && strlen(op.v.name) > MAX_NAME)
		bad = "name: is too long (at most 255 bytes)";
	else if (op.v.name && strpbrk(op.v.name, "\n\r\t"))
		bad = "name: contains control characters";
	if (bad) {
		group_clear(&op.v);
		return reply_invalid(r, bad);
	}
	if (op.v.description && !*op.v.description)
		set_str(&op.v.description, NULL);
	int rc = store_write(r->srv->store, group_save_run, &op);
	group_clear(&op.v);
	if (rc) {
		if (op.status == 404)
			return reply_not_found(r);
		if (op.status == 422)
			return *op.taken ? reply_taken(r, op.taken, op.err)
					 : reply_invalid(r, op.err);
		return reply_error(r, 500, "InternalError", "the group could not be saved", NULL);
	}
	json_t *out = json_pack("{s:o}", "group", group_json(r->srv, &op.result));
	group_clear(&op.result);
	return reply_json(r, id ? 200 : 201, out);
}

static int groups_create(struct req *r) { return group_write_reply(r, 0); }

static int groups_update(struct req *r) { return group_write_reply(r, r->id[0]); }

struct group_delete {
	int64_t id, now;
};

static int group_delete_run(struct db *db, void *arg)
{
	struct group_delete *d = arg;
	return group_store_delete(db, d->id, d->now);
}

static int groups_delete(struct req *r)
{
	struct group_delete d = {r->id[0], now_seconds()};
	int rc = store_write(r->srv->store, group_delete_run, &d);
	if (rc == 1)
		return reply_not_found(r);
	if (rc)
		return reply_error(r, 500, "InternalError", "the group could not be deleted", NULL);
	return reply_raw(r, 204, "application/json", "", 0);
}

static int group_list_reply(struct req *r, struct group_filter *f)
{
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	page_window(&p, &f->win);
	struct group *v;
	int n;
	int64_t count = -1;
	if (group_store_list(req_db(r), f, &v, &n) ||
	    (!p.cursor && group_store_count(req_db(r), f, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, group_json(r->srv, &v[i]));
	json_t *out = json_pack("{s:o}", "groups", arr);
	page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, count);
	group_list_free(v, n + more);
	return reply_json(r, 200, out);
}

static int groups_list(struct req *r)
{
	struct group_filter f = {0};
	return group_list_reply(r, &f);
}

/* Groups the actor can assign tickets to: an agent restricted to its
 * groups gets those, everyone else every live group. */
static int groups_assignable(struct req *r)
{
	struct group_filter f = {0};
	if (r->actor.role == ROLE_AGENT && r->actor.restriction == RESTRICT_GROUPS)
		f.user_id = r->actor.user_id;
	return group_list_reply(r, &f);
}

static int groups_count(struct req *r)
{
	struct group_filter f = {0};
	int64_t n;
	if (group_store_count(req_db(r), &f, &n))
		return reply_db_down(r);
	return reply_json(r, 200, json_pack("{s:o}", "count", count_json(n)));
}

/* Load group id (deleted ones too); -1 after replying 404/503. */
static int group_or_reply(struct req *r, int64_t id, struct group *g)
{
	int rc = group_store_get(req_db(r), id, g);
	if (rc < 0)
		reply_db_down(r);
	else if (rc)
		reply_not_found(r);
	return rc ? -1 : 0;
}

static int groups_show(struct req *r)
{
	struct group g = {0};
	if (group_or_reply(r, r->id[0], &g))
		return 0;
	json_t *out = json_pack("{s:o}", "group", group_json(r->srv, &g));
	group_clear(&g);
	return reply_json(r, 200, out);
}

static int groups_users(struct req *r)
{
	struct group g = {0};
	if (group_or_reply(r, r->id[0], &g))
		return 0;
	group_clear(&g);
	struct user_filter f = {.group_id = r->id[0]};
	return user_list_reply(r, &f);
}

/* The user of path id[0] exists: 0, or -1 after replying. */
static int user_exists_or_reply(struct req *r, int64_t id)
{
	struct user u = {0};
	int rc = user_store_get(req_db(r), id, &u);
	user_clear(&u);
	if (rc < 0)
		reply_db_down(r);
	else if (rc)
		reply_not_found(r);
	return rc ? -1 : 0;
}

static int user_groups(struct req *r)
{
	if (user_exists_or_reply(r, r->id[0]))
		return 0;
	struct group_filter f = {.user_id = r->id[0]};
	return group_list_reply(r, &f);
}

/* ---- memberships ------------------------------------------------------- */

static int membership_list_reply(struct req *r, struct membership_filter *f)
{
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	page_window(&p, &f->win);
	struct group_membership *v;
	int n;
	int64_t count = -1;
	if (membership_store_list(req_db(r), f, &v, &n) ||
	    (!p.cursor && membership_store_count(req_db(r), f, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, group_membership_json(r->srv, &v[i]));
	json_t *out = json_pack("{s:o}", "group_memberships", arr);
	page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, count);
	free(v);
	return reply_json(r, 200, out);
}

static int memberships_list(struct req *r)
{
	struct membership_filter f = {0};
	return membership_list_reply(r, &f);
}

static int memberships_assignable(struct req *r)
{
	struct membership_filter f = {.assignable = 1};
	return membership_list_reply(r, &f);
}

static int group_memberships(struct req *r)
{
	struct group g = {0};
	if (group_or_reply(r, r->id[0], &g))
		return 0;
	group_clear(&g);
	struct membership_filter f = {.group_id = r->id[0]};
	return membership_list_reply(r, &f);
}

static int group_memberships_assignable(struct req *r)
{
	struct group g = {0};
	if (group_or_reply(r, r->id[0], &g))
		return 0;
	group_clear(&g);
	struct membership_filter f = {.group_id = r->id[0], .assignable = 1};
	return membership_list_reply(r, &f);
}

static int user_memberships(struct req *r)
{
	if (r->actor.role == ROLE_END_USER && r->id[0] != r->actor.user_id)
		return reply_forbidden(r);
	if (user_exists_or_reply(r, r->id[0]))
		return 0;
	struct membership_filter f = {.user_id = r->id[0]};
	return membership_list_reply(r, &f);
}

/* GET /group_memberships/{id} or /users/{uid}/group_memberships/{id} */
static int memberships_show(struct req *r)
{
	int nested = r->nid == 2;
	struct group_membership m;
	int rc = membership_store_get(req_db(r), r->id[nested], &m);
	if (rc < 0)
		return reply_db_down(r);
	if (rc || (nested && m.user_id != r->id[0]))
		return reply_not_found(r);
	return reply_json(
	    r, 200, json_pack("{s:o}", "group_membership", group_membership_json(r->srv, &m)));
}

enum member_action { MB_CREATE, MB_DELETE, MB_DEFAULT };

struct member_op {
	struct actor who;
	enum member_action action;
	int64_t id;		   /* membership (delete, make default) */
	int64_t user_id, group_id; /* create; user_id also scopes delete/default */
	int64_t now;
	int status;
	char err[256];
	char taken[32];
	struct group_membership result;
};

static int member_run(struct db *db, void *arg)
{
	struct member_op *op = arg;
	struct user u = {0};
	struct group g = {0};
	struct group_membership m;
	int rc = 0;
	op->status = 0;
	if (op->action != MB_CREATE) {
		rc = membership_store_get(db, op->id, &m);
		if (rc < 0)
			goto out;
		if (rc || (op->user_id && m.user_id != op->user_id))
			FAIL(404, "group membership not found");
		if (op->action == MB_DEFAULT && op->who.role != ROLE_ADMIN &&
		    m.user_id != op->who.user_id)
			FAIL(403, "only admins can change other agents' default group");
		rc = op->action == MB_DELETE
			 ? membership_store_delete(db, m.id, op->now)
			 : membership_store_make_default(db, m.user_id, m.id, op->now);
		if (rc == 1)
			FAIL(404, "group membership not found");
		op->user_id = m.user_id;
		goto out;
	}
	rc = user_store_get(db, op->user_id, &u);
	if (rc < 0)
		goto out;
	if (rc || !u.active || u.merged_into)
		FAIL(422, "user_id: %" PRId64 " is not a valid user id", op->user_id);
	if (u.role == ROLE_END_USER)
		FAIL(422,
		     "user_id: user %" PRId64 " is not an agent; only agents and admins can"
		     " be group members",
		     op->user_id);
	rc = group_store_get(db, op->group_id, &g);
	if (rc < 0)
		goto out;
	if (rc || g.deleted)
		FAIL(422, "group_id: %" PRId64 " is not a valid group id", op->group_id);
	rc = membership_store_find(db, op->user_id, op->group_id, &m);
	if (rc < 0)
		goto out;
	if (rc == 0)
		TAKEN("user_id", "User: %" PRId64 " is already a member of group %" PRId64,
		      op->user_id, op->group_id);
	struct group_membership n = {.user_id = op->user_id,
				     .group_id = op->group_id,
				     .created_at = op->now,
				     .updated_at = op->now};
	rc = membership_store_insert(db, &n);
	if (rc == DB_CONSTRAINT)
		TAKEN("user_id", "User: %" PRId64 " is already a member of group %" PRId64,
		      op->user_id, op->group_id);
	if (!rc) {
		rc = membership_store_get(db, n.id, &op->result);
		if (rc == 1)
			rc = DB_ERR;
	}
out:
	user_clear(&u);
	group_clear(&g);
	return rc;
}

static int member_op_reply(struct req *r, struct member_op *op)
{
	int rc = store_write(r->srv->store, member_run, op);
	if (rc) {
		switch (op->status) {
		case 403:
			return reply_error(r, 403, "Forbidden", op->err, NULL);
		case 404:
			return reply_not_found(r);
		case 422:
			return *op->taken ? reply_taken(r, op->taken, op->err)
					  : reply_invalid(r, op->err);
		}
		return reply_error(r, 500, "InternalError", "the membership could not be saved",
				   NULL);
	}
	if (op->action == MB_DELETE)
		return reply_raw(r, 204, "application/json", "", 0);
	if (op->action == MB_CREATE)
		return reply_json(r, 201,
				  json_pack("{s:o}", "group_membership",
					    group_membership_json(r->srv, &op->result)));
	/* make_default answers with all the user's memberships */
	struct membership_filter f = {.user_id = op->user_id, .win.limit = 1000};
	struct group_membership *v;
	int n;
	if (membership_store_list(req_db(r), &f, &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, group_membership_json(r->srv, &v[i]));
	free(v);
	return reply_json(r, 200,
			  json_pack("{s:o,s:n,s:n,s:i}", "group_memberships", arr, "next_page",
				    "previous_page", "count", n));
}

/* POST /group_memberships.json or /users/{uid}/group_memberships.json */
static int memberships_create(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct member_op op = {.who = r->actor, .action = MB_CREATE, .now = now_seconds()};
	char err[256] = "";
	json_t *o = json_object_get(body, "group_membership");
	int ok = json_is_object(o) && jget_id(o, "user_id", &op.user_id, err, sizeof(err)) >= 0 &&
		 jget_id(o, "group_id", &op.group_id, err, sizeof(err)) >= 0;
	json_decref(body);
	if (!ok)
		return reply_invalid(r, *err ? err
					: o  ? "group_membership: expected an object"
					     : "group_membership: is required");
	if (r->nid == 1) { /* nested under the user */
		if (op.user_id && op.user_id != r->id[0])
			return reply_invalid(r, "user_id: does not match the user in the path");
		op.user_id = r->id[0];
	}
	if (!op.user_id)
		return reply_invalid(r, "user_id: is required");
	if (!op.group_id)
		return reply_invalid(r, "group_id: is required");
	return member_op_reply(r, &op);
}

static int memberships_delete(struct req *r)
{
	int nested = r->nid == 2;
	struct member_op op = {.who = r->actor,
			       .action = MB_DELETE,
			       .id = r->id[nested],
			       .user_id = nested ? r->id[0] : 0,
			       .now = now_seconds()};
	return member_op_reply(r, &op);
}

static int memberships_make_default(struct req *r)
{
	struct member_op op = {.who = r->actor,
			       .action = MB_DEFAULT,
			       .id = r->id[1],
			       .user_id = r->id[0],
			       .now = now_seconds()};
	return member_op_reply(r, &op);
}

const struct route group_routes[] = {
    {M_GET, "/api/v2/groups.json", ROLE_AGENT, groups_list, 0},
    {M_POST, "/api/v2/groups.json", ROLE_ADMIN, groups_create, 0},
    {M_GET, "/api/v2/groups/count.json", ROLE_AGENT, groups_count, 0},
    {M_GET, "/api/v2/groups/assignable.json", ROLE_AGENT, groups_assignable, 0},
    {M_GET, "/api/v2/groups/{id}.json", ROLE_AGENT, groups_show, 0},
    {M_PUT, "/api/v2/groups/{id}.json", ROLE_ADMIN, groups_update, 0},
    {M_DELETE, "/api/v2/groups/{id}.json", ROLE_ADMIN, groups_delete, 0},
    {M_GET, "/api/v2/groups/{id}/users.json", ROLE_AGENT, groups_users, 0},
    {M_GET, "/api/v2/groups/{id}/memberships.json", ROLE_AGENT, group_memberships, 0},
    {M_GET, "/api/v2/groups/{id}/memberships/assignable.json", ROLE_AGENT,
     group_memberships_assignable, 0},
    {M_GET, "/api/v2/users/{id}/groups.json", ROLE_AGENT, user_groups, 0},
    {M_GET, "/api/v2/group_memberships.json", ROLE_AGENT, memberships_list, 0},
    {M_POST, "/api/v2/group_memberships.json", ROLE_ADMIN, memberships_create, 0},
    {M_GET, "/api/v2/group_memberships/assignable.json", ROLE_AGENT, memberships_assignable, 0},
    {M_GET, "/api/v2/group_memberships/{id}.json", ROLE_AGENT, memberships_show, 0},
    {M_DELETE, "/api/v2/group_memberships/{id}.json", ROLE_ADMIN, memberships_delete, 0},
    {M_GET, "/api/v2/users/{id}/group_memberships.json", ROLE_AGENT, user_memberships, 0},
    {M_POST, "/api/v2/users/{id}/group_memberships.json", ROLE_ADMIN, memberships_create, 0},
    {M_GET, "/api/v2/users/{id}/group_memberships/{id}.json", ROLE_AGENT, memberships_show, 0},
    {M_DELETE, "/api/v2/users/{id}/group_memberships/{id}.json", ROLE_ADMIN, memberships_delete, 0},
    {M_PUT, "/api/v2/users/{id}/group_memberships/{id}/make_default.json", ROLE_AGENT,
     memberships_make_default, 0},
    {0},
};
