/* proactive_store.c - SQL for banners, prompts, campaigns, deliveries,
 * messenger messages and opt-outs (store/proactive_store.h).
 *
 * Lists are JSON text columns (url_patterns, audience tags and org ids,
 * the campaign's segment), the same on both engines.  Page selection
 * (proactive_for_page) reads the live items of one site with one indexed
 * query and matches URL and audience in C (core/proactive.c): a site has
 * tens of banners at most, and a glob is not something SQL does the same
 * way on SQLite and PostgreSQL.  Campaign counts are one GROUP BY over the
 * campaign's deliveries.
 */
#include "store/proactive_store.h"
#include "base/util.h"
#include "core/hc.h"
#include "store/user_store.h"
#include <stdlib.h>
#include <string.h>

#define ITEM_COLS                                                                                  \
	"id, kind, site_key, text, level, dismissible, show_in_help_center, delay_seconds,"        \
	" url_patterns, audience_type, audience_tags, audience_org_ids, starts_at, ends_at,"       \
	" active, created_at, updated_at"

static const char *kind_name(int kind) { return kind == PROACTIVE_BANNER ? "banner" : "prompt"; }

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

static void item_from_row(const struct db_res *r, int i, struct proactive_item *it)
{
	memset(it, 0, sizeof(*it));
	it->id = db_int(r, i, 0);
	it->kind = !strcmp(db_str(r, i, 1), "banner") ? PROACTIVE_BANNER : PROACTIVE_PROMPT;
	it->site_key = dup_or_null(db_str(r, i, 2));
	it->text = dup_or_null(db_str(r, i, 3));
	it->level = dup_or_null(db_str(r, i, 4));
	it->dismissible = (int)db_int(r, i, 5);
	it->show_in_help_center = (int)db_int(r, i, 6);
	it->delay_seconds = (int)db_int(r, i, 7);
	strlist_from_json(&it->url_patterns, db_str(r, i, 8));
	const char *t = db_str(r, i, 9);
	for (int k = AUDIENCE_EVERYONE; k <= AUDIENCE_ORGANIZATIONS; k++)
		if (t && !strcmp(t, audience_type_name(k)))
			it->audience.type = k;
	strlist_from_json(&it->audience.tags, db_str(r, i, 10));
	idlist_from_json(&it->audience.organization_ids, db_str(r, i, 11));
	it->starts_at = db_int(r, i, 12);
	it->ends_at = db_int(r, i, 13);
	it->active = (int)db_int(r, i, 14);
	it->created_at = db_int(r, i, 15);
	it->updated_at = db_int(r, i, 16);
}

static int items_from(struct db_res *r, struct proactive_item **out, int *n)
{
	*n = r->nrows;
	*out = xcalloc(r->nrows ? (size_t)r->nrows : 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		item_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

void proactive_list_free(struct proactive_item *v, int n)
{
	for (int i = 0; i < n; i++)
		proactive_item_clear(&v[i]);
	free(v);
}

int proactive_store_get(struct db *db, int kind, int64_t id, struct proactive_item *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " ITEM_COLS " FROM proactive_items WHERE id = ? AND kind = ?",
			  "is", id, kind_name(kind));
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	item_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int proactive_store_list(struct db *db, int kind, const char *site_key, int64_t after, int limit,
			 struct proactive_item **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " ITEM_COLS " FROM proactive_items WHERE kind = ? AND id > ?"
			  " AND (CAST(? AS TEXT) IS NULL OR site_key = ?) ORDER BY id LIMIT ?",
			  "sissi", kind_name(kind), after, site_key, site_key, (int64_t)limit);
	if (rc)
		return rc;
	return items_from(r, out, n);
}

int proactive_store_live(struct db *db, int kind, const char *site_key, int help_center,
			 int64_t now, struct proactive_item **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " ITEM_COLS " FROM proactive_items WHERE kind = ? AND active = 1"
			  " AND (starts_at IS NULL OR starts_at <= ?) AND (ends_at IS NULL OR ends_at > ?)"
			  " AND ((? = 0 AND site_key = ?) OR (? = 1 AND (show_in_help_center = 1"
			  " OR site_key = 'hc'))) ORDER BY id LIMIT 200",
			  "siiisi", kind_name(kind), now, now, (int64_t)help_center, site_key ? site_key : "",
			  (int64_t)help_center);
	if (rc)
		return rc;
	return items_from(r, out, n);
}

static int item_write(struct db *db, struct proactive_item *it, int insert)
{
	char *pats = strlist_to_json(&it->url_patterns);
	char *tags = strlist_to_json(&it->audience.tags);
	char *orgs = idlist_to_json(&it->audience.organization_ids);
	struct db_res *r = NULL;
	int rc;
	if (insert)
		rc = db_query(db, &r,
			      "INSERT INTO proactive_items (kind, site_key, text, level, dismissible,"
			      " show_in_help_center, delay_seconds, url_patterns, audience_type,"
			      " audience_tags, audience_org_ids, starts_at, ends_at, active, created_at,"
			      " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0),"
			      " NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?) RETURNING id",
			      "ssssiiissssiiiii", kind_name(it->kind), it->site_key, it->text,
			      it->level ? it->level : "info", (int64_t)it->dismissible,
			      (int64_t)it->show_in_help_center, (int64_t)it->delay_seconds, pats,
			      audience_type_name(it->audience.type), tags, orgs, it->starts_at,
			      it->ends_at, (int64_t)it->active, it->created_at, it->updated_at);
	else
		rc = db_query(db, NULL,
			      "UPDATE proactive_items SET site_key = ?, text = ?, level = ?,"
			      " dismissible = ?, show_in_help_center = ?, delay_seconds = ?,"
			      " url_patterns = ?, audience_type = ?, audience_tags = ?,"
			      " audience_org_ids = ?, starts_at = NULLIF(CAST(? AS BIGINT), 0),"
			      " ends_at = NULLIF(CAST(? AS BIGINT), 0), active = ?, updated_at = ?"
			      " WHERE id = ? AND kind = ?",
			      "sssiiissssiiiiis", it->site_key, it->text, it->level ? it->level : "info",
			      (int64_t)it->dismissible, (int64_t)it->show_in_help_center,
			      (int64_t)it->delay_seconds, pats, audience_type_name(it->audience.type),
			      tags, orgs, it->starts_at, it->ends_at, (int64_t)it->active,
			      it->updated_at, it->id, kind_name(it->kind));
	free(pats);
	free(tags);
	free(orgs);
	if (rc)
		return rc;
	if (insert) {
		it->id = db_int(r, 0, 0);
		db_res_free(r);
		return 0;
	}
	return db_changes(db) ? 0 : 1;
}

int proactive_store_insert(struct db *db, struct proactive_item *it) { return item_write(db, it, 1); }

int proactive_store_update(struct db *db, const struct proactive_item *it)
{
	return item_write(db, (struct proactive_item *)it, 0);
}

int proactive_store_delete(struct db *db, int kind, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM proactive_items WHERE id = ? AND kind = ?", "is", id,
			  kind_name(kind));
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

/* The live items of kind that apply to path and u. */
static int live_matching(struct db *db, int kind, const char *site_key, int help_center,
			 const char *path, const struct user *u, int64_t now,
			 struct proactive_item **out, int *n)
{
	int rc = proactive_store_live(db, kind, site_key, help_center, now, out, n);
	if (rc)
		return rc;
	int k = 0;
	for (int i = 0; i < *n; i++) {
		struct proactive_item *it = &(*out)[i];
		if (path && proactive_patterns_match(&it->url_patterns, path) &&
		    audience_match(&it->audience, u)) {
			if (k != i) {
				(*out)[k] = *it;
				memset(it, 0, sizeof(*it));
			}
			k++;
		} else {
			proactive_item_clear(it);
		}
	}
	*n = k;
	return 0;
}

/* The visitor: 0 anonymous, 1 found (u filled), <0 DB_*.  An unknown,
 * inactive or suspended user is treated as anonymous. */
static int visitor(struct db *db, int64_t user_id, struct user *u)
{
	if (!user_id)
		return 0;
	int rc = user_store_get(db, user_id, u);
	if (rc < 0)
		return rc;
	if (rc || !u->active || u->suspended) {
		user_clear(u);
		return 0;
	}
	return 1;
}

int proactive_for_page(struct db *db, const char *site_key, const char *url, int64_t user_id,
		       const char *locale, int64_t now, json_t **out)
{
	struct buf path = BUF_INIT;
	const char *p = proactive_url_path(url, &path) ? NULL : path.s;
	struct user u = {0};
	int known = visitor(db, user_id, &u);
	if (known < 0) {
		buf_release(&path);
		return known;
	}
	json_t *banners = json_array(), *prompts = json_array(), *messages = json_array();
	struct proactive_item *v = NULL;
	int n = 0;
	int rc = live_matching(db, PROACTIVE_BANNER, site_key, 0, p, known ? &u : NULL, now, &v, &n);
	for (int i = 0; !rc && i < n; i++) {
		char *t = proactive_text_pick(v[i].text, locale);
		json_array_append_new(banners, json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)v[i].id,
							 "text", t ? t : "", "level", v[i].level,
							 "dismissible", v[i].dismissible));
		free(t);
	}
	proactive_list_free(v, n);
	v = NULL;
	n = 0;
	if (!rc)
		rc = live_matching(db, PROACTIVE_PROMPT, site_key, 0, p, known ? &u : NULL, now, &v,
				   &n);
	for (int i = 0; !rc && i < n; i++) {
		char *t = proactive_text_pick(v[i].text, locale);
		json_array_append_new(prompts, json_pack("{s:I,s:i,s:s}", "id", (json_int_t)v[i].id,
							 "delay_seconds", v[i].delay_seconds,
							 "message", t ? t : ""));
		free(t);
	}
	proactive_list_free(v, n);
	if (!rc && known) {
		struct db_res *r;
		char *secret = NULL;
		struct buf unsub = BUF_INIT;
		rc = setting_get(db, "csat_secret", &secret); /* the site secret */
		if (rc == 0)
			campaign_unsubscribe_url("", &u, secret, &unsub);
		free(secret);
		rc = rc == 1 ? 0 : rc;
		rc = db_query(db, &r,
			      "SELECT id, body, sent_at FROM campaign_messages WHERE user_id = ?"
			      " ORDER BY id DESC LIMIT 20",
			      "i", user_id);
		for (int i = 0; !rc && i < r->nrows; i++) {
			char when[32];
			iso8601(db_int(r, i, 2), when);
			json_array_append_new(
			    messages, json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)db_int(r, i, 0),
						"body", db_str(r, i, 1), "sent_at", when,
						"unsubscribe_url",
						unsub.len ? json_string(unsub.s) : json_null()));
		}
		if (!rc)
			db_res_free(r);
		buf_release(&unsub);
	}
	user_clear(&u);
	buf_release(&path);
	if (rc) {
		json_decref(banners);
		json_decref(prompts);
		json_decref(messages);
		return rc;
	}
	*out = json_pack("{s:o,s:o,s:o}", "banners", banners, "prompts", prompts, "messages",
			 messages);
	return 0;
}

int proactive_hc_strip(struct db *db, const char *path, int64_t user_id, const char *locale,
		       int64_t now, struct buf *out)
{
	struct buf p = BUF_INIT;
	struct user u = {0};
	int known = visitor(db, user_id, &u);
	if (known < 0)
		return known;
	struct proactive_item *v = NULL;
	int n = 0;
	int rc = proactive_url_path(path, &p) ? 0
		 : live_matching(db, PROACTIVE_BANNER, NULL, 1, p.s, known ? &u : NULL, now, &v, &n);
	static const struct {
		const char *level, *style, *role;
	} looks[] = {
	    {"info", "background:#ddf4ff;color:#0a3069;border-color:#54aeff", "status"},
	    {"warning", "background:#fff8c5;color:#4d2d00;border-color:#d4a72c", "status"},
	    {"critical", "background:#ffebe9;color:#82071e;border-color:#ff8182", "alert"},
	};
	for (int i = 0; !rc && i < n; i++) {
		int k = 0;
		for (int j = 0; j < (int)ARRAY_SIZE(looks); j++)
			if (v[i].level && !strcmp(v[i].level, looks[j].level))
				k = j;
		char *t = proactive_text_pick(v[i].text, locale);
		buf_addf(out,
			 "<div class=\"sonnim-banner banner-%s\" role=\"%s\" data-banner-id=\"%lld\""
			 " style=\"%s;border-bottom:1px solid;padding:.6rem 1rem;text-align:center\">",
			 looks[k].level, looks[k].role, (long long)v[i].id, looks[k].style);
		hc_escape(out, t ? t : "");
		buf_adds(out, "</div>");
		free(t);
	}
	proactive_list_free(v, n);
	user_clear(&u);
	buf_release(&p);
	return rc;
}

/* ---- campaigns ---- */

#define CAMPAIGN_COLS                                                                              \
	"id, name, segment, channel_email, channel_messenger, subject, body, status, send_at,"     \
	" started_at, finished_at, created_at, updated_at"

static void campaign_from_row(const struct db_res *r, int i, struct campaign *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_int(r, i, 0);
	c->name = dup_or_null(db_str(r, i, 1));
	json_t *seg = json_loads(db_str(r, i, 2) ? db_str(r, i, 2) : "{}", 0, NULL);
	char err[8];
	segment_from_json(seg, &c->segment, err, sizeof(err)); /* stored only when valid */
	json_decref(seg);
	c->email = (int)db_int(r, i, 3);
	c->messenger = (int)db_int(r, i, 4);
	c->subject = dup_or_null(db_str(r, i, 5));
	c->body = dup_or_null(db_str(r, i, 6));
	c->status = dup_or_null(db_str(r, i, 7));
	c->send_at = db_int(r, i, 8);
	c->started_at = db_int(r, i, 9);
	c->finished_at = db_int(r, i, 10);
	c->created_at = db_int(r, i, 11);
	c->updated_at = db_int(r, i, 12);
}

static int campaign_counts(struct db *db, struct campaign *c)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT status, COUNT(*) FROM campaign_deliveries WHERE campaign_id = ?"
			  " GROUP BY status",
			  "i", c->id);
	if (rc)
		return rc;
	for (int i = 0; i < r->nrows; i++) {
		const char *s = db_str(r, i, 0);
		int64_t k = db_int(r, i, 1);
		if (!strcmp(s, "queued"))
			c->counts.queued = k;
		else if (!strcmp(s, "sent"))
			c->counts.sent = k;
		else if (!strcmp(s, "skipped"))
			c->counts.skipped = k;
		else if (!strcmp(s, "opted_out"))
			c->counts.opted_out = k;
		else if (!strcmp(s, "failed"))
			c->counts.failed = k;
	}
	db_res_free(r);
	return 0;
}

int campaign_store_get(struct db *db, int64_t id, struct campaign *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " CAMPAIGN_COLS " FROM campaigns WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	campaign_from_row(r, 0, out);
	db_res_free(r);
	rc = campaign_counts(db, out);
	if (rc)
		campaign_clear(out);
	return rc;
}

void campaign_list_free(struct campaign *v, int n)
{
	for (int i = 0; i < n; i++)
		campaign_clear(&v[i]);
	free(v);
}

int campaign_store_list(struct db *db, int64_t after, int limit, struct campaign **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " CAMPAIGN_COLS " FROM campaigns WHERE id > ? ORDER BY id LIMIT ?",
			  "ii", after, (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = xcalloc(r->nrows ? (size_t)r->nrows : 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		campaign_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	for (int i = 0; i < *n && !rc; i++)
		rc = campaign_counts(db, &(*out)[i]);
	if (rc) {
		campaign_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static char *segment_text(const struct segment *s)
{
	json_t *j = segment_json(s);
	char *t = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return t;
}

int campaign_store_insert(struct db *db, struct campaign *c, int64_t created_by)
{
	char *seg = segment_text(&c->segment);
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO campaigns (name, segment, channel_email, channel_messenger,"
			  " subject, body, status, send_at, created_by, created_at, updated_at)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?) RETURNING id",
			  "ssiisssiiii", c->name, seg, (int64_t)c->email, (int64_t)c->messenger,
			  c->subject, c->body, c->status ? c->status : "draft", c->send_at, created_by,
			  c->created_at, c->updated_at);
	free(seg);
	if (rc)
		return rc;
	c->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int campaign_store_update(struct db *db, const struct campaign *c)
{
	char *seg = segment_text(&c->segment);
	int rc = db_query(db, NULL,
			  "UPDATE campaigns SET name = ?, segment = ?, channel_email = ?,"
			  " channel_messenger = ?, subject = ?, body = ?, status = ?,"
			  " send_at = NULLIF(CAST(? AS BIGINT), 0), started_at = NULLIF(CAST(? AS BIGINT), 0),"
			  " finished_at = NULLIF(CAST(? AS BIGINT), 0), updated_at = ? WHERE id = ?",
			  "ssiisssiiiii", c->name, seg, (int64_t)c->email, (int64_t)c->messenger,
			  c->subject, c->body, c->status ? c->status : "draft", c->send_at,
			  c->started_at, c->finished_at, c->updated_at, c->id);
	free(seg);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int campaign_store_delete(struct db *db, int64_t id)
{
	int rc = db_query(db, NULL, "DELETE FROM campaigns WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	rc = db_query(db, NULL, "DELETE FROM campaign_deliveries WHERE campaign_id = ?", "i", id);
	if (!rc)
		rc = db_query(db, NULL, "DELETE FROM campaign_messages WHERE campaign_id = ?", "i", id);
	return rc;
}

int campaign_delivery_add(struct db *db, int64_t campaign_id, int64_t user_id,
			  const char *channel, const char *status, const char *error, int64_t now,
			  int64_t *id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO campaign_deliveries (campaign_id, user_id, channel, status, error,"
			  " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
			  " ON CONFLICT (campaign_id, user_id, channel) DO NOTHING RETURNING id",
			  "iisssii", campaign_id, user_id, channel, status, error, now, now);
	if (rc)
		return rc;
	int added = r->nrows > 0;
	if (added && id)
		*id = db_int(r, 0, 0);
	db_res_free(r);
	return added ? 0 : 1;
}

int campaign_delivery_list(struct db *db, int64_t campaign_id, int64_t after, int limit,
			   json_t *arr)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, user_id, channel, status, error, created_at, updated_at"
			  " FROM campaign_deliveries WHERE campaign_id = ? AND id > ? ORDER BY id LIMIT ?",
			  "iii", campaign_id, after, (int64_t)limit);
	if (rc)
		return rc;
	for (int i = 0; i < r->nrows; i++) {
		char c[32], u[32];
		iso8601(db_int(r, i, 5), c);
		iso8601(db_int(r, i, 6), u);
		json_array_append_new(
		    arr, json_pack("{s:I,s:I,s:s,s:s,s:s?,s:s,s:s}", "id", (json_int_t)db_int(r, i, 0),
				   "user_id", (json_int_t)db_int(r, i, 1), "channel", db_str(r, i, 2),
				   "status", db_str(r, i, 3), "error", db_str(r, i, 4), "created_at", c,
				   "updated_at", u));
	}
	db_res_free(r);
	return 0;
}

int campaign_delivery_get(struct db *db, int64_t id, struct campaign_delivery *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, campaign_id, user_id, channel, status FROM campaign_deliveries"
			  " WHERE id = ?",
			  "i", id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	memset(out, 0, sizeof(*out));
	out->id = db_int(r, 0, 0);
	out->campaign_id = db_int(r, 0, 1);
	out->user_id = db_int(r, 0, 2);
	snprintf(out->channel, sizeof(out->channel), "%s", db_str(r, 0, 3));
	snprintf(out->status, sizeof(out->status), "%s", db_str(r, 0, 4));
	db_res_free(r);
	return 0;
}

int campaign_delivery_finish(struct db *db, int64_t id, const char *status, const char *error,
			     int64_t now)
{
	int rc = db_query(db, NULL,
			  "UPDATE campaign_deliveries SET status = ?, error = ?, updated_at = ?"
			  " WHERE id = ? AND status = 'queued'",
			  "ssii", status, error, now, id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int campaign_message_add(struct db *db, int64_t campaign_id, int64_t user_id, const char *body,
			 int64_t now)
{
	return db_query(db, NULL,
			"INSERT INTO campaign_messages (campaign_id, user_id, body, sent_at)"
			" VALUES (?, ?, ?, ?) ON CONFLICT (campaign_id, user_id) DO NOTHING",
			"iisi", campaign_id, user_id, body, now);
}

int campaign_opt_out(struct db *db, int64_t user_id, int64_t campaign_id, int64_t now)
{
	int rc = db_query(db, NULL,
			  "INSERT INTO campaign_opt_outs (user_id, campaign_id, created_at)"
			  " VALUES (?, NULLIF(CAST(? AS BIGINT), 0), ?) ON CONFLICT (user_id) DO NOTHING",
			  "iii", user_id, campaign_id, now);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int campaign_opted_out(struct db *db, int64_t user_id)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT 1 FROM campaign_opt_outs WHERE user_id = ?", "i", user_id);
	if (rc)
		return rc;
	int yes = r->nrows > 0;
	db_res_free(r);
	return yes;
}
