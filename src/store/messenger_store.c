/* messenger_store.c - SQL for the web messenger (store/messenger_store.h).
 *
 * Sites are read once per messenger request (by their key, a UNIQUE
 * index); conversations by token hash (primary key of messenger_tokens,
 * joined to the conversation) or by ticket (indexed).  Every statement is
 * one indexed read or one small write; the same text runs on SQLite and
 * PostgreSQL.
 */
#include "store/messenger_store.h"
#include "base/util.h"
#include "store/user_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SITE_COLS                                                                             \
	"id, site_key, name, origins, jwt_secret, color, greeting, logo_url, bot_enabled,"   \
	" COALESCE(schedule_id, 0), reply_minutes, created_at, updated_at"

void messenger_site_clear(struct messenger_site *s)
{
	free(s->name);
	strlist_clear(&s->origins);
	free(s->jwt_secret);
	free(s->greeting);
	free(s->logo_url);
	memset(s, 0, sizeof(*s));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void site_row(const struct db_res *r, int i, struct messenger_site *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_int(r, i, 0);
	snprintf(s->site_key, sizeof(s->site_key), "%s", db_str(r, i, 1));
	s->name = xstrdup(db_str(r, i, 2));
	strlist_from_json(&s->origins, db_str(r, i, 3));
	s->jwt_secret = dup_or_null(db_str(r, i, 4));
	snprintf(s->color, sizeof(s->color), "%s", db_str(r, i, 5));
	s->greeting = dup_or_null(db_str(r, i, 6));
	s->logo_url = dup_or_null(db_str(r, i, 7));
	s->bot_enabled = (int)db_int(r, i, 8);
	s->schedule_id = db_int(r, i, 9);
	s->reply_minutes = (int)db_int(r, i, 10);
	s->created_at = db_int(r, i, 11);
	s->updated_at = db_int(r, i, 12);
}

static int site_one(struct db *db, const char *sql, const char *fmt, const void *arg,
		    struct messenger_site *out)
{
	struct db_res *r;
	int rc = *fmt == 'i' ? db_query(db, &r, sql, "i", *(const int64_t *)arg)
			     : db_query(db, &r, sql, "s", (const char *)arg);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	site_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int messenger_site_get(struct db *db, int64_t id, struct messenger_site *out)
{
	return site_one(db, "SELECT " SITE_COLS " FROM messenger_sites WHERE id = ?", "i", &id,
			out);
}

int messenger_site_by_key(struct db *db, const char *key, struct messenger_site *out)
{
	return site_one(db, "SELECT " SITE_COLS " FROM messenger_sites WHERE site_key = ?", "s",
			key, out);
}

int messenger_site_list(struct db *db, struct messenger_site **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " SITE_COLS " FROM messenger_sites ORDER BY id", "");
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc((size_t)r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		site_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

void messenger_site_list_free(struct messenger_site *v, int n)
{
	for (int i = 0; i < n; i++)
		messenger_site_clear(&v[i]);
	free(v);
}

int messenger_site_insert(struct db *db, struct messenger_site *s)
{
	char *origins = strlist_to_json(&s->origins);
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO messenger_sites (site_key, name, origins, jwt_secret, color,"
			  " greeting, logo_url, bot_enabled, schedule_id, reply_minutes, created_at,"
			  " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0),"
			  " ?, ?, ?) RETURNING id",
			  "sssssssiiiii", s->site_key, s->name, origins, s->jwt_secret, s->color,
			  s->greeting, s->logo_url, (int64_t)s->bot_enabled, s->schedule_id,
			  (int64_t)s->reply_minutes, s->created_at, s->updated_at);
	free(origins);
	if (rc)
		return rc;
	s->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int messenger_site_update(struct db *db, const struct messenger_site *s)
{
	char *origins = strlist_to_json(&s->origins);
	int rc = db_query(db, NULL,
			  "UPDATE messenger_sites SET name = ?, origins = ?, jwt_secret = ?, color = ?,"
			  " greeting = ?, logo_url = ?, bot_enabled = ?,"
			  " schedule_id = NULLIF(CAST(? AS BIGINT), 0), reply_minutes = ?,"
			  " updated_at = ? WHERE id = ?",
			  "ssssssiiiii", s->name, origins, s->jwt_secret, s->color, s->greeting,
			  s->logo_url, (int64_t)s->bot_enabled, s->schedule_id,
			  (int64_t)s->reply_minutes, s->updated_at, s->id);
	free(origins);
	if (!rc && db_changes(db) == 0)
		return 1;
	return rc;
}

int messenger_site_delete(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM messenger_sites WHERE id = ?", "i", id);
	if (!rc && db_changes(db) == 0)
		return 1;
	return rc;
}

/* ---- conversations ---------------------------------------------------------- */

#define CONV_COLS                                                                             \
	"c.id, c.site_id, c.ticket_id, c.user_id, COALESCE(c.outcome, ''),"                  \
	" COALESCE(c.bot_token_hash, ''), c.visitor_read_id, c.created_at, c.updated_at"

static void conv_row(const struct db_res *r, int i, struct messenger_conv *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_int(r, i, 0);
	c->site_id = db_int(r, i, 1);
	c->ticket_id = db_int(r, i, 2);
	c->user_id = db_int(r, i, 3);
	snprintf(c->outcome, sizeof(c->outcome), "%s", db_str(r, i, 4));
	snprintf(c->bot_token_hash, sizeof(c->bot_token_hash), "%s", db_str(r, i, 5));
	c->visitor_read_id = db_int(r, i, 6);
	c->created_at = db_int(r, i, 7);
	c->updated_at = db_int(r, i, 8);
}

static int conv_one(struct db *db, const char *sql, const char *fmt, int64_t i, const char *s,
		    struct messenger_conv *out)
{
	struct db_res *r;
	int rc = *fmt == 'i' ? db_query(db, &r, sql, "i", i) : db_query(db, &r, sql, "s", s);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	conv_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int messenger_conv_insert(struct db *db, struct messenger_conv *c)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO messenger_conversations (site_id, ticket_id, user_id,"
			  " visitor_read_id, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)"
			  " RETURNING id",
			  "iiiii", c->site_id, c->ticket_id, c->user_id, c->created_at,
			  c->updated_at);
	if (rc)
		return rc;
	c->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int messenger_conv_get(struct db *db, int64_t id, struct messenger_conv *out)
{
	return conv_one(db, "SELECT " CONV_COLS " FROM messenger_conversations c WHERE c.id = ?",
			"i", id, NULL, out);
}

int messenger_conv_by_token(struct db *db, const char *token_hash, struct messenger_conv *out)
{
	return conv_one(db,
			"SELECT " CONV_COLS " FROM messenger_tokens k JOIN messenger_conversations c"
			" ON c.id = k.conversation_id WHERE k.token_hash = ?",
			"s", 0, token_hash, out);
}

int messenger_conv_by_ticket(struct db *db, int64_t ticket_id, struct messenger_conv *out)
{
	return conv_one(db,
			"SELECT " CONV_COLS " FROM messenger_conversations c WHERE c.ticket_id = ?"
			" ORDER BY c.id LIMIT 1",
			"i", ticket_id, NULL, out);
}

int messenger_conv_of_user(struct db *db, int64_t site_id, int64_t user_id,
			   struct messenger_conv **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " CONV_COLS " FROM messenger_conversations c"
			  " WHERE c.user_id = ? AND c.site_id = ? ORDER BY c.id DESC LIMIT 50",
			  "ii", user_id, site_id);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc((size_t)r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		conv_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int messenger_token_add(struct db *db, int64_t conv_id, const char *token_hash, int64_t now)
{
	return db_query(db, NULL,
			"INSERT INTO messenger_tokens (token_hash, conversation_id, created_at)"
			" VALUES (?, ?, ?)",
			"sii", token_hash, conv_id, now);
}

int messenger_visitor_token_add(struct db *db, int64_t site_id, int64_t user_id,
				const char *token_hash, int64_t now, int64_t expired)
{
	int rc = db_query(db, NULL,
			  "DELETE FROM messenger_visitor_tokens WHERE user_id = ? AND site_id = ?"
			  " AND created_at < ?",
			  "iii", user_id, site_id, expired);
	if (rc)
		return rc;
	return db_query(db, NULL,
			"INSERT INTO messenger_visitor_tokens (token_hash, site_id, user_id, created_at)"
			" VALUES (?, ?, ?, ?)",
			"siii", token_hash, site_id, user_id, now);
}

int messenger_visitor_token_user(struct db *db, const char *token_hash, int64_t since,
				 int64_t *site_id, int64_t *user_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT site_id, user_id FROM messenger_visitor_tokens"
			  " WHERE token_hash = ? AND created_at >= ?",
			  "si", token_hash, since);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc) {
		*site_id = db_int(r, 0, 0);
		*user_id = db_int(r, 0, 1);
	}
	db_res_free(r);
	return rc;
}

int messenger_conv_read(struct db *db, int64_t id, int64_t comment_id, int64_t now)
{
	return db_query(db, NULL,
			"UPDATE messenger_conversations SET visitor_read_id = ?, updated_at = ?"
			" WHERE id = ? AND visitor_read_id < ?",
			"iiii", comment_id, now, id, comment_id);
}

int messenger_conv_outcome(struct db *db, int64_t id, const char *outcome, int64_t now)
{
	int rc = db_query(db, NULL,
			  "UPDATE messenger_conversations SET outcome = ?, updated_at = ?"
			  " WHERE id = ? AND outcome IS NULL",
			  "sii", outcome, now, id);
	if (!rc && db_changes(db) == 0)
		return 1;
	return rc;
}

int messenger_conv_bot(struct db *db, int64_t id, const char *token_hash)
{
	return db_query(db, NULL, "UPDATE messenger_conversations SET bot_token_hash = ? WHERE id = ?",
			"si", token_hash, id);
}

int messenger_conv_reassign(struct db *db, int64_t from, int64_t into)
{
	return db_query(db, NULL, "UPDATE messenger_conversations SET user_id = ? WHERE user_id = ?",
			"ii", into, from);
}

int messenger_stats(struct db *db, int64_t since, struct messenger_stats *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT COUNT(*),"
			  " COALESCE(SUM(CASE WHEN outcome = 'self_served' THEN 1 ELSE 0 END), 0),"
			  " COALESCE(SUM(CASE WHEN outcome = 'handoff' THEN 1 ELSE 0 END), 0),"
			  " COALESCE(SUM(CASE WHEN bot_token_hash IS NOT NULL THEN 1 ELSE 0 END), 0)"
			  " FROM messenger_conversations WHERE created_at >= ?",
			  "i", since);
	if (rc)
		return rc;
	out->conversations = db_int(r, 0, 0);
	out->self_served = db_int(r, 0, 1);
	out->handoffs = db_int(r, 0, 2);
	out->bot_answered = db_int(r, 0, 3);
	db_res_free(r);
	return 0;
}

int messenger_reply_read(struct db *db, int64_t ticket_id, int64_t comment_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT COUNT(*) FROM messenger_conversations WHERE ticket_id = ?"
			  " AND visitor_read_id >= ?",
			  "ii", ticket_id, comment_id);
	if (rc)
		return rc;
	int read = db_int(r, 0, 0) > 0;
	db_res_free(r);
	return read;
}

int messenger_signals_prune(struct db *db, int64_t before, int64_t *deleted)
{
	*deleted = 0;
	char *v = NULL;
	int rc = setting_get(db, "messenger.signals_pruned_id", &v);
	if (rc < 0)
		return rc;
	int64_t from = v ? strtoll(v, NULL, 10) : 0;
	free(v);
	struct db_res *r;
	/* the newest id in the next batch that is old enough (ids follow
	 * commit order, so everything before it is old enough too) */
	rc = db_query(db, &r,
		      "SELECT COALESCE(MAX(id), 0) FROM events WHERE id > ? AND id <= ? AND created_at < ?",
		      "iii", from, from + MESSENGER_PRUNE_BATCH, before);
	if (rc)
		return rc;
	int64_t upto = db_int(r, 0, 0);
	db_res_free(r);
	if (upto <= from)
		return 1; /* caught up */
	rc = db_query(db, NULL,
		      "DELETE FROM events WHERE id > ? AND id <= ? AND type IN ('signal.viewing',"
		      " 'signal.typing', 'signal.left', 'signal.read')",
		      "ii", from, upto);
	if (rc)
		return rc;
	*deleted = db_changes(db);
	char num[24];
	snprintf(num, sizeof(num), "%lld", (long long)upto);
	return setting_set(db, "messenger.signals_pruned_id", num);
}
