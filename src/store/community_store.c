/* community_store.c - SQL for the community forum (see community_store.h).
 *
 * Shape: one column list and one row reader per kind (TOPIC_COLS,
 * POST_COLS, COMMENT_COLS).  Lists assemble their WHERE clause from
 * constant fragments with bound values and end with window_sql(), like the
 * help center's lists.  What a non-staff reader may see is two fragments:
 * the topic's segment (everyone, or signed-in users when signed in; the
 * staff segment never) and the item's state (published, or pending and
 * their own).  A post is only visible when its topic is.
 *
 * Counters are recomputed from the rows they count (one UPDATE with a
 * sub-select) by every writer that changes those rows, in the caller's
 * transaction.  Deletes cascade by hand: topic -> posts -> comments,
 * votes, subscriptions.
 *
 * Cost: a read is one statement; a write is two or three (row, recount).
 */
#include "store/community_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/hc.h"
#include <stdlib.h>
#include <string.h>

#define TOPIC_COLS                                                                                 \
	"t.id, t.name, t.description, t.position, t.manageable_by, t.user_segment_id,"             \
	" t.moderation, (SELECT COUNT(*) FROM community_subscriptions s WHERE"                     \
	" s.content_type = 'Topic' AND s.content_id = t.id), (SELECT COUNT(*) FROM"                \
	" community_posts p WHERE p.topic_id = t.id AND p.state = 'published'),"                   \
	" t.created_at, t.updated_at"
#define POST_COLS                                                                                  \
	"p.id, p.topic_id, p.author_id, p.title, p.details, p.html, p.plain, p.status,"            \
	" p.featured, p.pinned, p.closed, p.state, p.vote_sum, p.vote_count, p.comment_count,"     \
	" p.follower_count, p.ticket_id, p.article_id, p.non_author_editor_id, p.created_at,"      \
	" p.updated_at"
#define COMMENT_COLS                                                                               \
	"c.id, c.post_id, c.author_id, c.body, c.html, c.official, c.state, c.vote_sum,"           \
	" c.vote_count, c.created_at, c.updated_at"

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return xstrdup(s ? s : "");
}

void cm_topic_clear(struct cm_topic *t)
{
	free(t->name);
	free(t->description);
	memset(t, 0, sizeof(*t));
}

void cm_topic_list_free(struct cm_topic *v, int n)
{
	for (int i = 0; i < n; i++)
		cm_topic_clear(&v[i]);
	free(v);
}

void cm_post_clear(struct cm_post *p)
{
	free(p->title);
	free(p->details);
	free(p->html);
	free(p->plain);
	memset(p, 0, sizeof(*p));
}

void cm_post_list_free(struct cm_post *v, int n)
{
	for (int i = 0; i < n; i++)
		cm_post_clear(&v[i]);
	free(v);
}

void cm_comment_clear(struct cm_comment *c)
{
	free(c->body);
	free(c->html);
	memset(c, 0, sizeof(*c));
}

void cm_comment_list_free(struct cm_comment *v, int n)
{
	for (int i = 0; i < n; i++)
		cm_comment_clear(&v[i]);
	free(v);
}

static void topic_from_row(const struct db_res *r, int i, struct cm_topic *t)
{
	memset(t, 0, sizeof(*t));
	t->id = db_int(r, i, 0);
	t->name = dup_col(r, i, 1);
	t->description = dup_col(r, i, 2);
	t->position = (int)db_int(r, i, 3);
	copy_small(t->manageable_by, sizeof(t->manageable_by), db_str(r, i, 4));
	t->user_segment_id = db_int(r, i, 5);
	copy_small(t->moderation, sizeof(t->moderation), db_str(r, i, 6));
	t->follower_count = db_int(r, i, 7);
	t->post_count = db_int(r, i, 8);
	t->created_at = db_int(r, i, 9);
	t->updated_at = db_int(r, i, 10);
}

static void post_from_row(const struct db_res *r, int i, struct cm_post *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_int(r, i, 0);
	p->topic_id = db_int(r, i, 1);
	p->author_id = db_int(r, i, 2);
	p->title = dup_col(r, i, 3);
	p->details = dup_col(r, i, 4);
	p->html = dup_col(r, i, 5);
	p->plain = dup_col(r, i, 6);
	copy_small(p->status, sizeof(p->status), db_str(r, i, 7));
	p->featured = (int)db_int(r, i, 8);
	p->pinned = (int)db_int(r, i, 9);
	p->closed = (int)db_int(r, i, 10);
	copy_small(p->state, sizeof(p->state), db_str(r, i, 11));
	p->vote_sum = db_int(r, i, 12);
	p->vote_count = db_int(r, i, 13);
	p->comment_count = db_int(r, i, 14);
	p->follower_count = db_int(r, i, 15);
	p->ticket_id = db_int(r, i, 16);
	p->article_id = db_int(r, i, 17);
	p->non_author_editor_id = db_int(r, i, 18);
	p->created_at = db_int(r, i, 19);
	p->updated_at = db_int(r, i, 20);
}

static void comment_from_row(const struct db_res *r, int i, struct cm_comment *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_int(r, i, 0);
	c->post_id = db_int(r, i, 1);
	c->author_id = db_int(r, i, 2);
	c->body = dup_col(r, i, 3);
	c->html = dup_col(r, i, 4);
	c->official = (int)db_int(r, i, 5);
	copy_small(c->state, sizeof(c->state), db_str(r, i, 6));
	c->vote_sum = db_int(r, i, 7);
	c->vote_count = db_int(r, i, 8);
	c->created_at = db_int(r, i, 9);
	c->updated_at = db_int(r, i, 10);
}

/* ---- visibility fragments ---------------------------------------------- */

/* The topic (alias t) is one v may see. */
static void topic_visible_sql(const struct cm_viewer *v, struct buf *sql, struct db_arg *a, int *na)
{
	if (v->staff)
		return;
	buf_adds(sql, " AND (t.user_segment_id IS NULL OR t.user_segment_id = ?)");
	a[(*na)++] = (struct db_arg){.type = 'i', .i = v->user_id ? HC_SEGMENT_SIGNED_IN : -1};
}

/* The item (alias x: p or c) is published, or pending and v's own. */
static void state_visible_sql(const struct cm_viewer *v, const char *x, struct buf *sql,
			      struct db_arg *a, int *na)
{
	if (v->staff)
		return;
	buf_addf(sql,
		 " AND (%s.state = 'published' OR (%s.state = 'pending' AND %s.author_id = ?))", x,
		 x, x);
	a[(*na)++] = (struct db_arg){.type = 'i', .i = v->user_id ? v->user_id : -1};
}

/* Run sql with a and read the rows with fn into a fresh array of size
 * elements (one spare, zeroed). */
typedef void (*row_fn)(const struct db_res *r, int i, void *out);
static int read_rows(struct db *db, const struct buf *sql, const struct db_arg *a, int na,
		     size_t size, row_fn fn, void **out, int *n)
{
	struct db_res *r;
	int rc = db_query_args(db, &r, sql->s, a, na);
	if (rc)
		return rc;
	*n = r->nrows;
	char *v = xcalloc(r->nrows + 1, size);
	for (int i = 0; i < r->nrows; i++)
		fn(r, i, v + (size_t)i * size);
	*out = v;
	db_res_free(r);
	return 0;
}

static int read_count(struct db *db, const struct buf *sql, const struct db_arg *a, int na,
		      int64_t *count)
{
	struct db_res *r;
	int rc = db_query_args(db, &r, sql->s, a, na);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

static void topic_row(const struct db_res *r, int i, void *o) { topic_from_row(r, i, o); }
static void post_row(const struct db_res *r, int i, void *o) { post_from_row(r, i, o); }
static void comment_row(const struct db_res *r, int i, void *o) { comment_from_row(r, i, o); }

/* ---- topics ------------------------------------------------------------ */

int cm_topic_get(struct db *db, int64_t id, const struct cm_viewer *v, struct cm_topic *out)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[4];
	int na = 0, n = 0;
	struct cm_topic *t = NULL;
	buf_adds(&sql, "SELECT " TOPIC_COLS " FROM community_topics t WHERE t.id = ?");
	a[na++] = (struct db_arg){.type = 'i', .i = id};
	topic_visible_sql(v, &sql, a, &na);
	int rc = read_rows(db, &sql, a, na, sizeof(*t), topic_row, (void **)&t, &n);
	buf_release(&sql);
	if (rc)
		return rc;
	if (n)
		*out = t[0];
	free(t);
	return n ? 0 : 1;
}

static void topic_where(const struct cm_viewer *v, struct buf *sql, struct db_arg *a, int *na)
{
	buf_adds(sql, " FROM community_topics t WHERE 1 = 1");
	topic_visible_sql(v, sql, a, na);
}

int cm_topic_list(struct db *db, const struct cm_viewer *v, int by_position,
		  const struct window *win, struct cm_topic **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT " TOPIC_COLS);
	topic_where(v, &sql, a, &na);
	window_sql(win, "t.id", by_position ? "t.position, t.id" : NULL, &sql, a, &na);
	int rc = read_rows(db, &sql, a, na, sizeof(**out), topic_row, (void **)out, n);
	buf_release(&sql);
	return rc;
}

int cm_topic_count(struct db *db, const struct cm_viewer *v, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[4];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*)");
	topic_where(v, &sql, a, &na);
	int rc = read_count(db, &sql, a, na, count);
	buf_release(&sql);
	return rc;
}

int cm_topic_insert(struct db *db, struct cm_topic *t)
{
	struct db_res *r;
	int rc = db_query(
	    db, &r,
	    "INSERT INTO community_topics (name, description, position, manageable_by,"
	    " user_segment_id, moderation, created_at, updated_at) VALUES (?, ?, ?, ?,"
	    " NULLIF(CAST(? AS BIGINT), 0), ?, ?, ?) RETURNING id",
	    "ssisisii", t->name, t->description ? t->description : "", (int64_t)t->position,
	    t->manageable_by[0] ? t->manageable_by : "managers", t->user_segment_id,
	    t->moderation[0] ? t->moderation : "off", t->created_at, t->updated_at);
	if (rc)
		return rc;
	t->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int cm_topic_update(struct db *db, const struct cm_topic *t)
{
	int rc = db_query(db, NULL,
			  "UPDATE community_topics SET name = ?, description = ?, position = ?,"
			  " manageable_by = ?, user_segment_id = NULLIF(CAST(? AS BIGINT), 0),"
			  " moderation = ?, updated_at = ? WHERE id = ?",
			  "ssisisii", t->name, t->description ? t->description : "",
			  (int64_t)t->position, t->manageable_by, t->user_segment_id, t->moderation,
			  t->updated_at, t->id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

/* Remove the comments, votes and subscriptions of the posts matching
 * "<col> = id" (col is "id" or "topic_id"). */
static int delete_post_children(struct db *db, const char *col, int64_t id)
{
	static const char *const by_id[] = {
	    "DELETE FROM community_votes WHERE item_type = 'PostComment' AND item_id IN"
	    " (SELECT c.id FROM community_comments c JOIN community_posts p ON p.id = c.post_id"
	    " WHERE p.id = ?)",
	    "DELETE FROM community_comments WHERE post_id IN (SELECT id FROM community_posts"
	    " WHERE id = ?)",
	    "DELETE FROM community_votes WHERE item_type = 'Post' AND item_id IN (SELECT id FROM"
	    " community_posts WHERE id = ?)",
	    "DELETE FROM community_subscriptions WHERE content_type = 'Post' AND content_id IN"
	    " (SELECT id FROM community_posts WHERE id = ?)",
	};
	static const char *const by_topic[] = {
	    "DELETE FROM community_votes WHERE item_type = 'PostComment' AND item_id IN"
	    " (SELECT c.id FROM community_comments c JOIN community_posts p ON p.id = c.post_id"
	    " WHERE p.topic_id = ?)",
	    "DELETE FROM community_comments WHERE post_id IN (SELECT id FROM community_posts"
	    " WHERE topic_id = ?)",
	    "DELETE FROM community_votes WHERE item_type = 'Post' AND item_id IN (SELECT id FROM"
	    " community_posts WHERE topic_id = ?)",
	    "DELETE FROM community_subscriptions WHERE content_type = 'Post' AND content_id IN"
	    " (SELECT id FROM community_posts WHERE topic_id = ?)",
	};
	const char *const *q = strcmp(col, "id") ? by_topic : by_id;
	for (size_t i = 0; i < ARRAY_SIZE(by_id); i++) {
		int rc = db_query(db, NULL, q[i], "i", id);
		if (rc)
			return rc;
	}
	return 0;
}

int cm_topic_delete(struct db *db, int64_t id)
{
	int rc = delete_post_children(db, "topic_id", id);
	if (!rc)
		rc = db_query(db, NULL, "DELETE FROM community_posts WHERE topic_id = ?", "i", id);
	if (!rc)
		rc = db_query(db, NULL,
			      "DELETE FROM community_subscriptions WHERE content_type = 'Topic' AND"
			      " content_id = ?",
			      "i", id);
	if (!rc)
		rc = db_query(db, NULL, "DELETE FROM community_topics WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

/* ---- posts ------------------------------------------------------------- */

#define POST_FROM " FROM community_posts p JOIN community_topics t ON t.id = p.topic_id WHERE 1 = 1"

static void post_where(const struct cm_post_filter *f, const struct cm_viewer *v, struct buf *sql,
		       struct db_arg *a, int *na)
{
	buf_adds(sql, POST_FROM);
	topic_visible_sql(v, sql, a, na);
	if (f->state && v->staff) {
		buf_adds(sql, " AND p.state = ?");
		a[(*na)++] = (struct db_arg){.type = 's', .s = f->state};
	} else {
		state_visible_sql(v, "p", sql, a, na);
	}
	if (f->topic_id) {
		buf_adds(sql, " AND p.topic_id = ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->topic_id};
	}
	if (f->author_id) {
		buf_adds(sql, " AND p.author_id = ?");
		a[(*na)++] = (struct db_arg){.type = 'i', .i = f->author_id};
	}
	if (f->featured)
		buf_adds(sql, " AND p.featured = 1");
}

int cm_post_get(struct db *db, int64_t id, const struct cm_viewer *v, struct cm_post *out)
{
	struct cm_post_filter f = {0};
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0, n = 0;
	struct cm_post *p = NULL;
	buf_adds(&sql, "SELECT " POST_COLS);
	post_where(&f, v, &sql, a, &na);
	buf_adds(&sql, " AND p.id = ?");
	a[na++] = (struct db_arg){.type = 'i', .i = id};
	int rc = read_rows(db, &sql, a, na, sizeof(*p), post_row, (void **)&p, &n);
	buf_release(&sql);
	if (rc)
		return rc;
	if (n)
		*out = p[0];
	free(p);
	return n ? 0 : 1;
}

int cm_post_list(struct db *db, const struct cm_post_filter *f, const struct cm_viewer *v,
		 struct cm_post **out, int *n)
{
	static const char *const order[] = {
	    [CM_SORT_ID] = NULL,
	    [CM_SORT_RECENT] = "p.pinned DESC, p.updated_at DESC, p.id DESC",
	    [CM_SORT_VOTES] = "p.pinned DESC, p.vote_sum DESC, p.id DESC",
	    [CM_SORT_COMMENTS] = "p.pinned DESC, p.comment_count DESC, p.id DESC",
	};
	struct buf sql = BUF_INIT;
	struct db_arg a[12];
	int na = 0;
	buf_adds(&sql, "SELECT " POST_COLS);
	post_where(f, v, &sql, a, &na);
	window_sql(&f->win, "p.id", order[f->sort], &sql, a, &na);
	int rc = read_rows(db, &sql, a, na, sizeof(**out), post_row, (void **)out, n);
	buf_release(&sql);
	return rc;
}

int cm_post_count(struct db *db, const struct cm_post_filter *f, const struct cm_viewer *v,
		  int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[12];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*)");
	post_where(f, v, &sql, a, &na);
	int rc = read_count(db, &sql, a, na, count);
	buf_release(&sql);
	return rc;
}

static int exists(struct db *db, const char *sql, int64_t id)
{
	struct db_res *r;
	int rc = db_query(db, &r, sql, "i", id);
	if (rc)
		return rc;
	int found = r->nrows > 0;
	db_res_free(r);
	return found ? 0 : 1;
}

int cm_post_insert(struct db *db, struct cm_post *p)
{
	int rc = exists(db, "SELECT id FROM community_topics WHERE id = ?", p->topic_id);
	if (rc)
		return rc;
	struct db_res *r;
	rc = db_query(
	    db, &r,
	    "INSERT INTO community_posts (topic_id, author_id, title, details, html, plain,"
	    " status, featured, pinned, closed, state, created_at, updated_at) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "iisssssiiisii", p->topic_id, p->author_id, p->title, p->details ? p->details : "",
	    p->html ? p->html : "", p->plain ? p->plain : "", p->status[0] ? p->status : "none",
	    (int64_t)p->featured, (int64_t)p->pinned, (int64_t)p->closed,
	    p->state[0] ? p->state : "published", p->created_at, p->updated_at);
	if (rc)
		return rc;
	p->id = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

int cm_post_update(struct db *db, const struct cm_post *p)
{
	int rc = exists(db, "SELECT id FROM community_topics WHERE id = ?", p->topic_id);
	if (rc)
		return rc;
	rc = db_query(db, NULL,
		      "UPDATE community_posts SET topic_id = ?, title = ?, details = ?, html = ?,"
		      " plain = ?, status = ?, featured = ?, pinned = ?, closed = ?, state = ?,"
		      " ticket_id = NULLIF(CAST(? AS BIGINT), 0),"
		      " article_id = NULLIF(CAST(? AS BIGINT), 0),"
		      " non_author_editor_id = NULLIF(CAST(? AS BIGINT), 0), updated_at = ?"
		      " WHERE id = ?",
		      "isssssiiisiiiii", p->topic_id, p->title, p->details, p->html, p->plain,
		      p->status, (int64_t)p->featured, (int64_t)p->pinned, (int64_t)p->closed,
		      p->state, p->ticket_id, p->article_id, p->non_author_editor_id, p->updated_at,
		      p->id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

int cm_post_delete(struct db *db, int64_t id)
{
	int rc = delete_post_children(db, "id", id);
	if (!rc)
		rc = db_query(db, NULL, "DELETE FROM community_posts WHERE id = ?", "i", id);
	if (rc)
		return rc;
	return db_changes(db) ? 0 : 1;
}

/* ---- comments ---------------------------------------------------------- */

/* The post of the comments is visible to v (joined as p, t). */
#define COMMENT_FROM                                                                               \
	" FROM community_comments c JOIN community_posts p ON p.id = c.post_id"                    \
	" JOIN community_topics t ON t.id = p.topic_id WHERE 1 = 1"

static void comment_where(const struct cm_viewer *v, struct buf *sql, struct db_arg *a, int *na)
{
	buf_adds(sql, COMMENT_FROM);
	topic_visible_sql(v, sql, a, na);
	state_visible_sql(v, "p", sql, a, na);
	state_visible_sql(v, "c", sql, a, na);
}

int cm_comment_get(struct db *db, int64_t post_id, int64_t id, const struct cm_viewer *v,
		   struct cm_comment *out)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0, n = 0;
	struct cm_comment *c = NULL;
	buf_adds(&sql, "SELECT " COMMENT_COLS);
	comment_where(v, &sql, a, &na);
	buf_adds(&sql, " AND c.post_id = ? AND c.id = ?");
	a[na++] = (struct db_arg){.type = 'i', .i = post_id};
	a[na++] = (struct db_arg){.type = 'i', .i = id};
	int rc = read_rows(db, &sql, a, na, sizeof(*c), comment_row, (void **)&c, &n);
	buf_release(&sql);
	if (rc)
		return rc;
	if (n)
		*out = c[0];
	free(c);
	return n ? 0 : 1;
}

int cm_comment_list(struct db *db, int64_t post_id, const struct cm_viewer *v, int official_first,
		    const struct window *win, struct cm_comment **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[10];
	int na = 0;
	buf_adds(&sql, "SELECT " COMMENT_COLS);
	comment_where(v, &sql, a, &na);
	buf_adds(&sql, " AND c.post_id = ?");
	a[na++] = (struct db_arg){.type = 'i', .i = post_id};
	window_sql(win, "c.id", official_first ? "c.official DESC, c.id" : NULL, &sql, a, &na);
	int rc = read_rows(db, &sql, a, na, sizeof(**out), comment_row, (void **)out, n);
	buf_release(&sql);
	return rc;
}

int cm_comment_count(struct db *db, int64_t post_id, const struct cm_viewer *v, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[8];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*)");
	comment_where(v, &sql, a, &na);
	buf_adds(&sql, " AND c.post_id = ?");
	a[na++] = (struct db_arg){.type = 'i', .i = post_id};
	int rc = read_count(db, &sql, a, na, count);
	buf_release(&sql);
	return rc;
}

int cm_comment_list_by_author(struct db *db, int64_t author_id, const struct cm_viewer *v,
			      const struct window *win, struct cm_comment **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[10];
	int na = 0;
	buf_adds(&sql, "SELECT " COMMENT_COLS);
	comment_where(v, &sql, a, &na);
	buf_adds(&sql, " AND c.author_id = ?");
	a[na++] = (struct db_arg){.type = 'i', .i = author_id};
	window_sql(win, "c.id", NULL, &sql, a, &na);
	int rc = read_rows(db, &sql, a, na, sizeof(**out), comment_row, (void **)out, n);
	buf_release(&sql);
	return rc;
}

static int recount_comments(struct db *db, int64_t post_id)
{
	return db_query(
	    db, NULL,
	    "UPDATE community_posts SET comment_count = (SELECT COUNT(*) FROM"
	    " community_comments WHERE post_id = ? AND state = 'published') WHERE id = ?",
	    "ii", post_id, post_id);
}

int cm_comment_insert(struct db *db, struct cm_comment *c)
{
	int rc = exists(db, "SELECT id FROM community_posts WHERE id = ?", c->post_id);
	if (rc)
		return rc;
	struct db_res *r;
	rc =
	    db_query(db, &r,
		     "INSERT INTO community_comments (post_id, author_id, body, html, official,"
		     " state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		     "iissisii", c->post_id, c->author_id, c->body ? c->body : "",
		     c->html ? c->html : "", (int64_t)c->official,
		     c->state[0] ? c->state : "published", c->created_at, c->updated_at);
	if (rc)
		return rc;
	c->id = db_int(r, 0, 0);
	db_res_free(r);
	return recount_comments(db, c->post_id);
}

int cm_comment_update(struct db *db, const struct cm_comment *c)
{
	int rc =
	    db_query(db, NULL,
		     "UPDATE community_comments SET body = ?, html = ?, official = ?, state = ?,"
		     " updated_at = ? WHERE post_id = ? AND id = ?",
		     "ssisiii", c->body, c->html, (int64_t)c->official, c->state, c->updated_at,
		     c->post_id, c->id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	return recount_comments(db, c->post_id);
}

int cm_comment_delete(struct db *db, int64_t post_id, int64_t id)
{
	int rc = db_query(db, NULL,
			  "DELETE FROM community_votes WHERE item_type = 'PostComment' AND"
			  " item_id = ? AND EXISTS (SELECT 1 FROM community_comments WHERE id = ?"
			  " AND post_id = ?)",
			  "iii", id, id, post_id);
	if (!rc)
		rc = db_query(db, NULL,
			      "DELETE FROM community_comments WHERE post_id = ? AND id = ?", "ii",
			      post_id, id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	return recount_comments(db, post_id);
}

/* ---- votes ------------------------------------------------------------- */

static const char *item_table(const char *item_type)
{
	return !strcmp(item_type, CM_POST) ? "community_posts" : "community_comments";
}

static int item_exists(struct db *db, const char *item_type, int64_t item_id)
{
	return exists(db,
		      !strcmp(item_type, CM_POST)
			  ? "SELECT id FROM community_posts WHERE id = ?"
			  : "SELECT id FROM community_comments WHERE id = ?",
		      item_id);
}

static int recount_votes(struct db *db, const char *item_type, int64_t item_id)
{
	struct buf sql = BUF_INIT;
	buf_addf(&sql,
		 "UPDATE %s SET vote_sum = (SELECT COALESCE(SUM(value), 0) FROM community_votes"
		 " WHERE item_type = ? AND item_id = ?), vote_count = (SELECT COUNT(*) FROM"
		 " community_votes WHERE item_type = ? AND item_id = ?) WHERE id = ?",
		 item_table(item_type));
	int rc =
	    db_query(db, NULL, sql.s, "sisii", item_type, item_id, item_type, item_id, item_id);
	buf_release(&sql);
	return rc;
}

static void vote_from_row(const struct db_res *r, int i, struct cm_vote *v)
{
	memset(v, 0, sizeof(*v));
	v->id = db_int(r, i, 0);
	copy_small(v->item_type, sizeof(v->item_type), db_str(r, i, 1));
	v->item_id = db_int(r, i, 2);
	v->user_id = db_int(r, i, 3);
	v->value = (int)db_int(r, i, 4);
	v->created_at = db_int(r, i, 5);
	v->updated_at = db_int(r, i, 6);
}

int cm_vote_put(struct db *db, const char *item_type, int64_t item_id, int64_t user_id, int value,
		int64_t now, struct cm_vote *out)
{
	int rc = item_exists(db, item_type, item_id);
	if (rc)
		return rc;
	struct db_res *r;
	rc = db_query(db, &r,
		      "INSERT INTO community_votes (item_type, item_id, user_id, value, created_at,"
		      " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (item_type, item_id,"
		      " user_id) DO UPDATE SET value = excluded.value, updated_at = CASE WHEN"
		      " community_votes.value = excluded.value THEN community_votes.updated_at"
		      " ELSE excluded.updated_at END RETURNING id, item_type, item_id, user_id,"
		      " value, created_at, updated_at",
		      "siiiii", item_type, item_id, user_id, (int64_t)(value > 0 ? 1 : -1), now,
		      now);
	if (rc)
		return rc;
	if (out)
		vote_from_row(r, 0, out);
	db_res_free(r);
	return recount_votes(db, item_type, item_id);
}

int cm_vote_delete(struct db *db, const char *item_type, int64_t item_id, int64_t user_id)
{
	int rc = item_exists(db, item_type, item_id);
	if (!rc)
		rc = db_query(db, NULL,
			      "DELETE FROM community_votes WHERE item_type = ? AND item_id = ? AND"
			      " user_id = ?",
			      "sii", item_type, item_id, user_id);
	return rc ? rc : recount_votes(db, item_type, item_id);
}

int cm_vote_list(struct db *db, const char *item_type, int64_t item_id, struct cm_vote **out,
		 int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, item_type, item_id, user_id, value, created_at, updated_at"
			  " FROM community_votes WHERE item_type = ? AND item_id = ? ORDER BY id",
			  "si", item_type, item_id);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		vote_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int cm_vote_of(struct db *db, const char *item_type, int64_t item_id, int64_t user_id, int *value)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT value FROM community_votes WHERE item_type = ? AND item_id = ?"
			  " AND user_id = ?",
			  "sii", item_type, item_id, user_id);
	if (rc)
		return rc;
	*value = r->nrows ? (int)db_int(r, 0, 0) : 0;
	db_res_free(r);
	return 0;
}

/* ---- subscriptions ----------------------------------------------------- */

static int recount_followers(struct db *db, const char *content_type, int64_t content_id)
{
	if (strcmp(content_type, CM_POST))
		return 0; /* topics count theirs when read */
	return db_query(db, NULL,
			"UPDATE community_posts SET follower_count = (SELECT COUNT(*) FROM"
			" community_subscriptions WHERE content_type = 'Post' AND content_id = ?)"
			" WHERE id = ?",
			"ii", content_id, content_id);
}

static void sub_from_row(const struct db_res *r, int i, struct cm_subscription *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_int(r, i, 0);
	copy_small(s->content_type, sizeof(s->content_type), db_str(r, i, 1));
	s->content_id = db_int(r, i, 2);
	s->user_id = db_int(r, i, 3);
	s->created_at = db_int(r, i, 4);
}

int cm_subscription_put(struct db *db, const char *content_type, int64_t content_id,
			int64_t user_id, int64_t now, struct cm_subscription *out)
{
	int rc =
	    exists(db,
		   !strcmp(content_type, CM_POST) ? "SELECT id FROM community_posts WHERE id = ?"
						  : "SELECT id FROM community_topics WHERE id = ?",
		   content_id);
	if (rc)
		return rc;
	rc = db_query(db, NULL,
		      "INSERT INTO community_subscriptions (content_type, content_id, user_id,"
		      " created_at) VALUES (?, ?, ?, ?) ON CONFLICT (content_type, content_id,"
		      " user_id) DO NOTHING",
		      "siii", content_type, content_id, user_id, now);
	if (rc)
		return rc;
	struct db_res *r;
	rc = db_query(db, &r,
		      "SELECT id, content_type, content_id, user_id, created_at FROM"
		      " community_subscriptions WHERE content_type = ? AND content_id = ? AND"
		      " user_id = ?",
		      "sii", content_type, content_id, user_id);
	if (rc)
		return rc;
	if (out && r->nrows)
		sub_from_row(r, 0, out);
	db_res_free(r);
	return recount_followers(db, content_type, content_id);
}

int cm_subscription_delete(struct db *db, const char *content_type, int64_t content_id, int64_t id,
			   int64_t user_id)
{
	int rc = id ? db_query(db, NULL,
			       "DELETE FROM community_subscriptions WHERE content_type = ? AND"
			       " content_id = ? AND id = ?",
			       "sii", content_type, content_id, id)
		    : db_query(db, NULL,
			       "DELETE FROM community_subscriptions WHERE content_type = ? AND"
			       " content_id = ? AND user_id = ?",
			       "sii", content_type, content_id, user_id);
	if (rc)
		return rc;
	if (!db_changes(db))
		return 1;
	return recount_followers(db, content_type, content_id);
}

int cm_subscription_list(struct db *db, const char *content_type, int64_t content_id,
			 struct cm_subscription **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, content_type, content_id, user_id, created_at FROM"
			  " community_subscriptions WHERE content_type = ? AND content_id = ?"
			  " ORDER BY id",
			  "si", content_type, content_id);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		sub_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

int cm_subscribed(struct db *db, const char *content_type, int64_t content_id, int64_t user_id,
		  int *yes)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id FROM community_subscriptions WHERE content_type = ? AND"
			  " content_id = ? AND user_id = ?",
			  "sii", content_type, content_id, user_id);
	if (rc)
		return rc;
	*yes = r->nrows > 0;
	db_res_free(r);
	return 0;
}

int cm_followers_of_post(struct db *db, int64_t post_id, int64_t except_user, struct idlist *out)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT DISTINCT s.user_id FROM community_subscriptions s JOIN"
			  " community_posts p ON p.id = ? WHERE s.user_id <> ? AND"
			  " ((s.content_type = 'Post' AND s.content_id = p.id) OR"
			  " (s.content_type = 'Topic' AND s.content_id = p.topic_id))"
			  " ORDER BY s.user_id",
			  "ii", post_id, except_user);
	if (rc)
		return rc;
	for (int i = 0; i < r->nrows; i++)
		idlist_add(out, db_int(r, i, 0));
	db_res_free(r);
	return 0;
}

/* ---- moderation -------------------------------------------------------- */

int cm_needs_review(struct db *db, int64_t topic_id, int64_t user_id, int *pending)
{
	struct db_res *r;
	int rc =
	    db_query(db, &r, "SELECT moderation FROM community_topics WHERE id = ?", "i", topic_id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	char mode[12];
	copy_small(mode, sizeof(mode), db_str(r, 0, 0));
	db_res_free(r);
	*pending = 0;
	if (!strcmp(mode, "all")) {
		*pending = 1;
	} else if (!strcmp(mode, "new_users")) {
		rc = db_query(
		    db, &r,
		    "SELECT (SELECT COUNT(*) FROM community_posts WHERE author_id = ? AND"
		    " state = 'published') + (SELECT COUNT(*) FROM community_comments WHERE"
		    " author_id = ? AND state = 'published')",
		    "ii", user_id, user_id);
		if (rc)
			return rc;
		*pending = db_int(r, 0, 0) == 0;
		db_res_free(r);
	}
	return 0;
}
