/* tokens.c - /api/v2/sonnim/api_tokens: the admin screen's API tokens
 * (Sonnim's extension; `sonnim user token` is the command-line twin).
 *
 *   GET    /api/v2/sonnim/api_tokens.json        every token, newest first
 *   POST   /api/v2/sonnim/api_tokens.json        {"api_token": {"description",
 *                                                 "user_id"}} -> 201 with
 *                                                 "token": the only time the
 *                                                 secret is shown
 *   DELETE /api/v2/sonnim/api_tokens/{id}.json   revoke (204)
 * Admins only.  A token belongs to one agent or admin (user_id, default the
 * admin asking) and signs in as "EMAIL/token:TOKEN"; only its SHA-256 is
 * stored (store/user_store.c), so a lost token is revoked and replaced,
 * never shown again.  Revoking empties the authenticated-actor cache
 * (http/auth.c), so it takes effect on the next request.
 */
#include "api/api.h"
#include "base/util.h"
#include "http/auth.h"
#include "store/store.h"
#include "store/user_store.h"
#include <stdlib.h>
#include <string.h>

#define MAX_DESCRIPTION 255

static json_t *token_json(const struct token_row *t)
{
	return json_pack("{s:I,s:I,s:s,s:o,s:b,s:o,s:o}", "id", (json_int_t)t->id, "user_id",
			 (json_int_t)t->user_id, "kind", t->kind, "description",
			 jstr(t->description), "active", t->active, "created_at",
			 jtime(t->created_at), "last_used_at", jtime(t->last_used_at));
}

static int tokens_list(struct req *r)
{
	struct token_row *v;
	int n;
	if (token_store_list(req_db(r), 0, &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, token_json(&v[i]));
	token_rows_free(v, n);
	return reply_json(r, 200, json_pack("{s:o,s:i}", "api_tokens", arr, "count", n));
}

struct token_op {
	int64_t user_id, id;
	char *description;
	char hash[65];
	int status; /* 0, 404 (revoke), 422 (user) */
};

static int token_add_run(struct db *db, void *arg)
{
	struct token_op *op = arg;
	struct user u = {0};
	int rc = user_store_get(db, op->user_id, &u);
	int ok = rc == 0 && u.active && u.role >= ROLE_AGENT;
	user_clear(&u);
	if (rc < 0)
		return rc;
	if (!ok) {
		op->status = 422;
		return DB_REFUSED;
	}
	return token_store_add(db, op->user_id, "api", op->hash, op->description, &op->id);
}

static int tokens_create(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct token_op op = {.user_id = r->actor.user_id};
	char err[160] = "";
	json_t *o = json_object_get(body, "api_token");
	int ok = json_is_object(o) &&
		 jget_str(o, "description", &op.description, err, sizeof(err)) >= 0 &&
		 jget_id(o, "user_id", &op.user_id, err, sizeof(err)) >= 0;
	json_decref(body);
	if (!ok || (op.description && strlen(op.description) > MAX_DESCRIPTION)) {
		free(op.description);
		return reply_invalid(r, *err  ? err
					: !ok ? "api_token: expected an object"
					      : "description: is too long (at most 255 bytes)");
	}
	if (!op.user_id)
		op.user_id = r->actor.user_id;
	char token[41];
	token_new(token);
	token_hash(token, op.hash);
	int rc = store_write(r->srv->store, token_add_run, &op);
	if (rc) {
		free(op.description);
		if (op.status == 422)
			return reply_invalid(r, "user_id: is not an active agent or admin");
		return reply_db_down(r);
	}
	struct token_row t = {.id = op.id,
			      .user_id = op.user_id,
			      .description = op.description,
			      .active = 1,
			      .created_at = now_seconds()};
	snprintf(t.kind, sizeof(t.kind), "api");
	json_t *j = token_json(&t);
	json_object_set_new(j, "token", json_string(token));
	free(op.description);
	return reply_json(r, 201, json_pack("{s:o}", "api_token", j));
}

static int token_revoke_run(struct db *db, void *arg)
{
	struct token_op *op = arg;
	int rc = token_store_revoke(db, op->id);
	if (rc == 1) {
		op->status = 404;
		return DB_REFUSED;
	}
	return rc;
}

static int tokens_revoke(struct req *r)
{
	struct token_op op = {.id = r->id[0]};
	if (store_write(r->srv->store, token_revoke_run, &op))
		return op.status == 404 ? reply_not_found(r) : reply_db_down(r);
	auth_tokens_revoked();
	return reply_raw(r, 204, "application/json", "", 0);
}

const struct route token_routes[] = {
    {M_GET, "/api/v2/sonnim/api_tokens.json", ROLE_ADMIN, tokens_list, 0},
    {M_POST, "/api/v2/sonnim/api_tokens.json", ROLE_ADMIN, tokens_create, 0},
    {M_DELETE, "/api/v2/sonnim/api_tokens/{id}.json", ROLE_ADMIN, tokens_revoke, 0},
    {0},
};
