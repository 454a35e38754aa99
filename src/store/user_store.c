/* user_store.c - SQL for users, identities, tokens, sessions and settings.
 * Every statement is a constant with bound values (db_query caches it).
 * A user row maps to struct user through one column list (USER_COLS) and
 * one reader (user_from_row), so every query returns the same shape. */
#include "store/user_store.h"
#include "store/ticket_store.h"
#include "base/buf.h"
#include "base/util.h"
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS                                                                                  \
	"id, name, email, role, phone, external_id, organization_id, default_group_id, locale,"   \
	" time_zone, notes, details, alias, signature, tags, user_fields, active, suspended,"   \
	" verified, only_private_comments, password_hash, merged_into, ticket_restriction,"     \
	" last_login_at, created_at, updated_at"

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return s ? xstrdup(s) : NULL;
}

char *strlist_to_json(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

void strlist_from_json(struct strlist *l, const char *text)
{
	if (!text || !strcmp(text, "[]"))
		return; /* the common case, without a parse */
	json_t *a = json_loads(text, 0, NULL);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (json_is_string(v)) strlist_add(l, json_string_value(v));
	json_decref(a);
}

char *idlist_to_json(const struct idlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_integer(l->v[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

void idlist_from_json(struct idlist *l, const char *text)
{
	if (!text || !strcmp(text, "[]"))
		return;
	json_t *a = json_loads(text, 0, NULL);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (json_is_integer(v)) idlist_add(l, json_integer_value(v));
	json_decref(a);
}

static void user_from_row(const struct db_res *r, int i, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = db_int(r, i, 0);
	u->name = dup_col(r, i, 1);
	u->email = dup_col(r, i, 2);
	u->role = role_parse(db_str(r, i, 3));
	if (u->role < 0)
		u->role = ROLE_END_USER;
	u->phone = dup_col(r, i, 4);
	u->external_id = dup_col(r, i, 5);
	u->organization_id = db_int(r, i, 6);
	u->default_group_id = db_int(r, i, 7);
	u->locale = dup_col(r, i, 8);
	u->time_zone = dup_col(r, i, 9);
	u->notes = dup_col(r, i, 10);
	u->details = dup_col(r, i, 11);
	u->alias = dup_col(r, i, 12);
	u->signature = dup_col(r, i, 13);
	strlist_from_json(&u->tags, db_str(r, i, 14));
	u->user_fields = dup_col(r, i, 15);
	u->active = (int)db_int(r, i, 16);
	u->suspended = (int)db_int(r, i, 17);
	u->verified = (int)db_int(r, i, 18);
	u->only_private_comments = (int)db_int(r, i, 19);
	u->password_hash = dup_col(r, i, 20);
	u->merged_into = db_int(r, i, 21);
	u->ticket_restriction = dup_col(r, i, 22);
	u->last_login_at = db_int(r, i, 23);
	u->created_at = db_int(r, i, 24);
	u->updated_at = db_int(r, i, 25);
}

static int one_user(struct db *db, struct db_res *r, int rc, struct user *out)
{
	(void)db;
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	user_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int user_store_get(struct db *db, int64_t id, struct user *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " USER_COLS " FROM users WHERE id = ?", "i", id);
	return one_user(db, r, rc, out);
}

int user_store_by_email(struct db *db, const char *email, struct user *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " USER_COLS " FROM users WHERE id = (SELECT user_id FROM"
			  " user_identities WHERE type = 'email' AND value = ?)",
			  "s", email);
	return one_user(db, r, rc, out);
}

int user_store_by_external_id(struct db *db, const char *external_id, struct user *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " USER_COLS " FROM users WHERE external_id = ?", "s",
			  external_id);
	return one_user(db, r, rc, out);
}

int user_store_insert(struct db *db, struct user *u)
{
	char *tags = strlist_to_json(&u->tags);
	struct db_res *r;
	int rc = db_query(
		db, &r,
		"INSERT INTO users (name, email, role, phone, external_id, organization_id,"
		" default_group_id, locale, time_zone, notes, details, alias, signature, tags,"
		" user_fields, active, suspended, verified, only_private_comments, password_hash,"
		" ticket_restriction, created_at, updated_at) VALUES (?, ?, ?, ?, ?,"
		" NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" RETURNING id",
		"sssssiissssssssiiiissii", u->name, u->email, role_name(u->role), u->phone,
		u->external_id, u->organization_id, u->default_group_id,
		u->locale ? u->locale : "en-US", u->time_zone ? u->time_zone : "Asia/Seoul",
		u->notes, u->details, u->alias, u->signature, tags,
		u->user_fields ? u->user_fields : "{}", (int64_t)u->active,
		(int64_t)u->suspended, (int64_t)u->verified, (int64_t)u->only_private_comments,
		u->password_hash, u->ticket_restriction, u->created_at, u->updated_at);
	free(tags);
	if (rc)
		return rc;
	u->id = db_int(r, 0, 0);
	db_res_free(r);
	if (u->email) {
		struct identity id = {.user_id = u->id, .type = "email", .value = u->email,
				      .verified = u->verified, .primary = 1,
				      .created_at = u->created_at, .updated_at = u->updated_at};
		rc = identity_store_insert(db, &id);
	}
	if (!rc && u->phone) {
		struct identity id = {.user_id = u->id, .type = "phone_number", .value = u->phone,
				      .primary = 1, .created_at = u->created_at,
				      .updated_at = u->updated_at};
		rc = identity_store_insert(db, &id);
	}
	return rc;
}

int user_store_update(struct db *db, const struct user *u)
{
	char *tags = strlist_to_json(&u->tags);
	int rc = db_query(
		db, NULL,
		"UPDATE users SET name = ?, email = ?, role = ?, phone = ?, external_id = ?,"
		" organization_id = NULLIF(CAST(? AS BIGINT), 0), default_group_id = NULLIF(CAST(? AS BIGINT), 0), locale = ?,"
		" time_zone = ?, notes = ?, details = ?, alias = ?, signature = ?, tags = ?,"
		" user_fields = ?, active = ?, suspended = ?, verified = ?,"
		" only_private_comments = ?, password_hash = ?, ticket_restriction = ?,"
		" merged_into = NULLIF(CAST(? AS BIGINT), 0), last_login_at = NULLIF(CAST(? AS BIGINT), 0), updated_at = ?"
		" WHERE id = ?",
		"sssssiissssssssiiiissiiii", u->name, u->email, role_name(u->role), u->phone,
		u->external_id, u->organization_id, u->default_group_id, u->locale, u->time_zone,
		u->notes, u->details, u->alias, u->signature, tags,
		u->user_fields ? u->user_fields : "{}", (int64_t)u->active,
		(int64_t)u->suspended, (int64_t)u->verified, (int64_t)u->only_private_comments,
		u->password_hash, u->ticket_restriction, u->merged_into, u->last_login_at,
		u->updated_at, u->id);
	free(tags);
	if (rc)
		return rc;
	/* keep the primary email identity in step with users.email */
	if (u->email) {
		struct db_res *r;
		rc = db_query(db, &r,
			      "SELECT id FROM user_identities WHERE type = 'email' AND value = ?",
			      "s", u->email);
		if (rc)
			return rc;
		int have = r->nrows;
		db_res_free(r);
		if (!have) {
			struct identity id = {.user_id = u->id, .type = "email", .value = u->email,
					      .created_at = u->updated_at,
					      .updated_at = u->updated_at};
			rc = identity_store_insert(db, &id);
		}
	}
	return rc;
}

static int users_from(struct db_res *r, struct user **out, int *n)
{
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		user_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int user_store_list(struct db *db, int role, int64_t organization_id, int64_t group_id,
		    int64_t after_id, int limit, struct user **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " USER_COLS " FROM users WHERE id > ? AND merged_into IS NULL"
			  " AND (? = '' OR role = ?) AND (CAST(? AS BIGINT) = 0 OR organization_id = ?)"
			  " AND (CAST(? AS BIGINT) = 0 OR id IN (SELECT user_id FROM group_memberships"
			  " WHERE group_id = ?)) ORDER BY id LIMIT ?",
			  "issiiiii", after_id, role < 0 ? "" : role_name(role),
			  role < 0 ? "" : role_name(role), organization_id, organization_id,
			  group_id, group_id, (int64_t)limit);
	if (rc)
		return rc;
	return users_from(r, out, n);
}

int user_store_count(struct db *db, int role, int64_t organization_id, int64_t *count)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT COUNT(*) FROM users WHERE merged_into IS NULL"
			  " AND (? = '' OR role = ?) AND (CAST(? AS BIGINT) = 0 OR organization_id = ?)",
			  "ssii", role < 0 ? "" : role_name(role), role < 0 ? "" : role_name(role),
			  organization_id, organization_id);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

/* A LIKE pattern for "starts with s", ASCII lower-cased, with the LIKE
 * metacharacters escaped by '\'.  Owned. */
static char *like_prefix(const char *s)
{
	struct buf b = BUF_INIT;
	for (const char *p = s; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, (char)tolower((unsigned char)*p));
	}
	buf_addc(&b, '%');
	return buf_detach(&b);
}

/* WHERE clause of a user_filter, from constant fragments; args appended. */
static void user_where(const struct user_filter *f, struct buf *sql, struct db_arg *a, int *na,
		       char **pattern)
{
	buf_adds(sql, " WHERE merged_into IS NULL");
	if (!f->include_inactive)
		buf_adds(sql, " AND active = 1");
	if (f->roles) {
		buf_adds(sql, " AND role IN ('-'");
		for (int role = ROLE_END_USER; role <= ROLE_ADMIN; role++)
			if (f->roles & (1u << role)) {
				buf_adds(sql, ", ?");
				a[(*na)++] = (struct db_arg){.type = 's', .s = role_name(role)};
			}
		buf_adds(sql, ")");
	}
	if (f->organization_id) {
		buf_adds(sql, " AND organization_id = ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->organization_id};
	}
	if (f->group_id) {
		buf_adds(sql, " AND id IN (SELECT user_id FROM group_memberships WHERE group_id = ?)");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->group_id};
	}
	if (f->external_id) {
		buf_adds(sql, " AND external_id = ?");
		a[(*na)++] = (struct db_arg){.type = 's', .s = f->external_id};
	}
	if (f->name_prefix) {
		*pattern = like_prefix(f->name_prefix);
		buf_adds(sql, " AND LOWER(name) LIKE ? ESCAPE '\\'");
		a[(*na)++] = (struct db_arg){.type = 's', .s = *pattern};
	}
}

int user_store_find(struct db *db, const struct user_filter *f, struct user **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[16];
	int na = 0;
	char *pattern = NULL;
	buf_adds(&sql, "SELECT " USER_COLS " FROM users");
	user_where(f, &sql, a, &na, &pattern);
	window_sql(&f->win, "id", f->name_prefix ? "LOWER(name), id" : NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	free(pattern);
	if (rc)
		return rc;
	return users_from(r, out, n);
}

int user_store_find_count(struct db *db, const struct user_filter *f, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[16];
	int na = 0;
	char *pattern = NULL;
	buf_adds(&sql, "SELECT COUNT(*) FROM users");
	user_where(f, &sql, a, &na, &pattern);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	free(pattern);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int user_store_by_ids(struct db *db, const int64_t *ids, int nids, struct user **out, int *n)
{
	*out = nids ? xcalloc(nids, sizeof(**out)) : NULL;
	*n = 0;
	for (int i = 0; i < nids; i++) {
		int rc = user_store_get(db, ids[i], &(*out)[*n]);
		if (rc < 0) {
			user_list_free(*out, *n);
			*out = NULL;
			*n = 0;
			return rc;
		}
		if (rc == 0)
			(*n)++;
	}
	return 0;
}

void user_list_free(struct user *v, int n)
{
	for (int i = 0; i < n; i++)
		user_clear(&v[i]);
	free(v);
}

#define IDENT_COLS                                                                                 \
	"id, user_id, type, value, verified, is_primary, undeliverable_count, created_at,"       \
	" updated_at"

static void identity_from_row(const struct db_res *r, int i, struct identity *d)
{
	d->id = db_int(r, i, 0);
	d->user_id = db_int(r, i, 1);
	d->type = dup_col(r, i, 2);
	d->value = dup_col(r, i, 3);
	d->verified = (int)db_int(r, i, 4);
	d->primary = (int)db_int(r, i, 5);
	d->undeliverable_count = (int)db_int(r, i, 6);
	d->created_at = db_int(r, i, 7);
	d->updated_at = db_int(r, i, 8);
}

int identity_store_list(struct db *db, int64_t user_id, struct identity **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " IDENT_COLS " FROM user_identities WHERE user_id = ? ORDER BY id",
			  "i", user_id);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		identity_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int identity_store_get(struct db *db, int64_t user_id, int64_t id, struct identity *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " IDENT_COLS " FROM user_identities WHERE user_id = ? AND id = ?",
			  "ii", user_id, id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	identity_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int identity_store_insert(struct db *db, struct identity *i)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO user_identities (user_id, type, value, verified, is_primary,"
			  " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  "issiiii", i->user_id, i->type, i->value, (int64_t)i->verified,
			  (int64_t)i->primary, i->created_at, i->updated_at);
	if (rc)
		return rc;
	i->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int identity_store_delete(struct db *db, int64_t user_id, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM user_identities WHERE user_id = ? AND id = ?",
			  "ii", user_id, id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int identity_store_make_primary(struct db *db, int64_t user_id, int64_t id)
{
	struct identity d = {0};
	int rc = identity_store_get(db, user_id, id, &d);
	if (rc)
		return rc;
	rc = db_query(db, NULL,
		      "UPDATE user_identities SET is_primary = CASE WHEN id = ? THEN 1 ELSE 0 END"
		      " WHERE user_id = ? AND type = ?",
		      "iis", id, user_id, d.type);
	if (!rc && !strcmp(d.type, "email"))
		rc = db_query(db, NULL, "UPDATE users SET email = ? WHERE id = ?", "si", d.value,
			      user_id);
	identity_clear(&d);
	return rc;
}

int identity_store_update(struct db *db, const struct identity *i)
{
	int rc = db_query(db, NULL,
			  "UPDATE user_identities SET value = ?, verified = ?, updated_at = ?"
			  " WHERE user_id = ? AND id = ?",
			  "siiii", i->value, (int64_t)i->verified, i->updated_at, i->user_id, i->id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int identity_store_find(struct db *db, const char *type, const char *value, int64_t *user_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT user_id FROM user_identities WHERE type = ? AND value = ?", "ss",
			  type, value);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		*user_id = db_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

void identity_list_free(struct identity *v, int n)
{
	for (int i = 0; i < n; i++)
		identity_clear(&v[i]);
	free(v);
}

int user_store_merge(struct db *db, int64_t from, int64_t into, int64_t now)
{
	static const char *const moves[] = {
		"UPDATE user_identities SET user_id = ?, is_primary = 0 WHERE user_id = ?",
		"UPDATE tickets SET requester_id = ? WHERE requester_id = ?",
		"UPDATE tickets SET submitter_id = ? WHERE submitter_id = ?",
		"UPDATE tickets SET assignee_id = ? WHERE assignee_id = ?",
		"UPDATE comments SET author_id = ? WHERE author_id = ?",
		"UPDATE group_memberships SET user_id = ? WHERE user_id = ? AND group_id NOT IN"
		" (SELECT group_id FROM group_memberships WHERE user_id = ?)",
	};
	for (size_t i = 0; i < ARRAY_SIZE(moves); i++) {
		int rc = i == ARRAY_SIZE(moves) - 1
				 ? db_query(db, NULL, moves[i], "iii", into, from, into)
				 : db_query(db, NULL, moves[i], "ii", into, from);
		if (rc)
			return rc;
	}
	return db_query(db, NULL,
			"UPDATE users SET merged_into = ?, active = 0, email = NULL,"
			" external_id = NULL, updated_at = ? WHERE id = ?",
			"iii", into, now, from);
}

int token_store_add(struct db *db, int64_t user_id, const char *kind, const char *hash,
		    const char *description, int64_t *id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO api_tokens (user_id, kind, token_hash, description,"
			  " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			  "isssi", user_id, kind, hash, description, now_seconds());
	if (rc)
		return rc;
	if (id)
		*id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int token_store_lookup(struct db *db, const char *kind, const char *hash, int64_t *user_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT user_id FROM api_tokens WHERE token_hash = ? AND kind = ?"
			  " AND active = 1",
			  "ss", hash, kind);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		*user_id = db_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int token_store_list(struct db *db, int64_t user_id, struct token_row **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, user_id, kind, description, active, created_at,"
			  " COALESCE(last_used_at, 0) FROM api_tokens WHERE (? = 0 OR user_id = ?)"
			  " ORDER BY id DESC LIMIT 1000",
			  "ii", user_id, user_id);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++) {
		struct token_row *t = &(*out)[i];
		t->id = db_int(r, i, 0);
		t->user_id = db_int(r, i, 1);
		snprintf(t->kind, sizeof(t->kind), "%s", db_str(r, i, 2) ? db_str(r, i, 2) : "");
		t->description = db_str(r, i, 3) ? xstrdup(db_str(r, i, 3)) : NULL;
		t->active = (int)db_int(r, i, 4);
		t->created_at = db_int(r, i, 5);
		t->last_used_at = db_int(r, i, 6);
	}
	db_res_free(r);
	return 0;
}

void token_rows_free(struct token_row *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].description);
	free(v);
}

int token_store_revoke(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "UPDATE api_tokens SET active = 0 WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int session_store_add(struct db *db, const char *id_hash, int64_t user_id, const char *csrf,
		      int64_t expires_at)
{
	return db_query(db, NULL,
			"INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)"
			" VALUES (?, ?, ?, ?, ?)",
			"sisii", id_hash, user_id, csrf, now_seconds(), expires_at);
}

int session_store_lookup(struct db *db, const char *id_hash, int64_t now, int64_t *user_id,
			 char csrf[65])
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT user_id, csrf_token FROM sessions WHERE id_hash = ?"
			  " AND expires_at > ?",
			  "si", id_hash, now);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc) {
		*user_id = db_int(r, 0, 0);
		snprintf(csrf, 65, "%s", db_str(r, 0, 1));
	}
	db_res_free(r);
	return rc;
}

int session_store_delete(struct db *db, const char *id_hash)
{
	return db_query(db, NULL, "DELETE FROM sessions WHERE id_hash = ?", "s", id_hash);
}

int setting_get(struct db *db, const char *name, char **value)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT value FROM settings WHERE name = ?", "s", name);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		*value = xstrdup(db_str(r, 0, 0));
	db_res_free(r);
	return rc;
}

int setting_set(struct db *db, const char *name, const char *value)
{
	return db_query(db, NULL,
			"INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name)"
			" DO UPDATE SET value = excluded.value",
			"ss", name, value);
}

int user_insert_write(struct db *db, void *arg)
{
	struct user *u = arg;
	int rc = user_store_insert(db, u);
	return rc ? rc : search_index_later(db, DOC_USER, u->id);
}

int user_update_write(struct db *db, void *arg)
{
	struct user *u = arg;
	int rc = user_store_update(db, u);
	return rc ? rc : search_index_later(db, DOC_USER, u->id);
}
