/* ticket_store.c - SQL for tickets, comments, audits and outbox events, and
 * the one-transaction ticket write (see ticket_store.h).
 *
 * ticket_write_run, in order:
 *   load the ticket (update) -> permission -> references exist -> core's
 *   ticket_apply -> INSERT/UPDATE tickets -> ticket_tags -> audits +
 *   audit_events -> comments (+ attachments from upload tokens) -> events
 *   -> search document.
 * It runs inside the writer's transaction/savepoint, so returning non-zero
 * undoes all of it.  Cost: about 8 + (fields changed) statements.
 */
#include "store/ticket_store.h"
#include "base/buf.h"
#include "base/util.h"
#include "store/field_store.h"
#include "store/fts_pg.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define TICKET_COLS                                                                                \
	"id, external_id, type, subject, description, priority, status, requester_id,"           \
	" submitter_id, assignee_id, organization_id, group_id, problem_id, due_at, tags,"      \
	" custom_fields, collaborator_ids, follower_ids, via_channel, is_public, merged_into,"  \
	" created_at, updated_at, solved_at, generated_at,"                                      \
	" CASE WHEN type = 'problem' AND EXISTS (SELECT 1 FROM tickets i"                       \
	" WHERE i.problem_id = tickets.id) THEN 1 ELSE 0 END, seq, satisfaction_id,"            \
	" satisfaction_score, satisfaction_comment, ticket_form_id"

static char *dup_col(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return s ? xstrdup(s) : NULL;
}

static void fields_from_json(struct ticket *t, const char *text)
{
	t->nfields = 0;
	t->fields = NULL;
	if (!text || !strcmp(text, "[]"))
		return;
	json_t *a = json_loads(text, 0, NULL);
	size_t i;
	json_t *v;
	t->fields = json_array_size(a) ? xcalloc(json_array_size(a), sizeof(*t->fields)) : NULL;
	json_array_foreach(a, i, v)
	{
		json_t *id = json_object_get(v, "id"), *val = json_object_get(v, "value");
		if (!json_is_integer(id))
			continue;
		t->fields[t->nfields].id = json_integer_value(id);
		t->fields[t->nfields].value_json =
			json_dumps(val ? val : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
		t->nfields++;
	}
	json_decref(a);
}

static char *fields_to_json(const struct ticket *t)
{
	json_t *a = json_array();
	for (size_t i = 0; i < t->nfields; i++) {
		json_t *v = json_loads(t->fields[i].value_json ? t->fields[i].value_json : "null",
				       JSON_DECODE_ANY, NULL);
		json_array_append_new(a, json_pack("{s:I,s:o}", "id", (json_int_t)t->fields[i].id,
						   "value", v ? v : json_null()));
	}
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static void ticket_from_row(const struct db_res *r, int i, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->id = db_int(r, i, 0);
	t->external_id = dup_col(r, i, 1);
	t->type = dup_col(r, i, 2);
	t->subject = dup_col(r, i, 3);
	t->description = dup_col(r, i, 4);
	t->priority = dup_col(r, i, 5);
	t->status = dup_col(r, i, 6);
	t->requester_id = db_int(r, i, 7);
	t->submitter_id = db_int(r, i, 8);
	t->assignee_id = db_int(r, i, 9);
	t->organization_id = db_int(r, i, 10);
	t->group_id = db_int(r, i, 11);
	t->problem_id = db_int(r, i, 12);
	t->due_at = db_int(r, i, 13);
	strlist_from_json(&t->tags, db_str(r, i, 14));
	fields_from_json(t, db_str(r, i, 15));
	idlist_from_json(&t->collaborator_ids, db_str(r, i, 16));
	idlist_from_json(&t->follower_ids, db_str(r, i, 17));
	t->via_channel = dup_col(r, i, 18);
	t->is_public = (int)db_int(r, i, 19);
	t->merged_into = db_int(r, i, 20);
	t->created_at = db_int(r, i, 21);
	t->updated_at = db_int(r, i, 22);
	t->solved_at = db_int(r, i, 23);
	t->generated_at = db_int(r, i, 24);
	t->has_incidents = (int)db_int(r, i, 25);
	t->seq = db_int(r, i, 26);
	t->satisfaction_id = db_int(r, i, 27);
	snprintf(t->satisfaction_score, sizeof(t->satisfaction_score), "%s",
		 db_str(r, i, 28) ? db_str(r, i, 28) : "");
	t->satisfaction_comment = dup_col(r, i, 29);
	t->ticket_form_id = db_int(r, i, 30);
}

static int tickets_from(struct db_res *r, struct ticket **out, int *n)
{
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++)
		ticket_from_row(r, i, &(*out)[i]);
	db_res_free(r);
	return 0;
}

void ticket_list_free(struct ticket *v, int n)
{
	for (int i = 0; i < n; i++)
		ticket_clear(&v[i]);
	free(v);
}

int ticket_store_get(struct db *db, int64_t id, struct ticket *out)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT " TICKET_COLS " FROM tickets WHERE id = ?", "i", id);
	if (rc)
		return rc;
	if (!r->nrows) {
		db_res_free(r);
		return 1;
	}
	ticket_from_row(r, 0, out);
	db_res_free(r);
	return 0;
}

int ticket_store_by_external(struct db *db, const char *external_id, int64_t *id)
{
	struct db_res *r;
	int rc = db_query(db, &r, "SELECT id FROM tickets WHERE external_id = ?", "s", external_id);
	if (rc)
		return rc;
	rc = r->nrows ? 0 : 1;
	if (!rc)
		*id = db_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

/* WHERE clause for a filter, from constant fragments; args appended. */
static void filter_sql(const struct ticket_filter *f, struct buf *sql, struct db_arg *a, int *na)
{
	buf_adds(sql, " WHERE 1 = 1");
#define ARG_I(v) (a[(*na)++] = (struct db_arg){.type = 'i', .i = (v)})
	if (f->requester_id) {
		buf_adds(sql, " AND requester_id = ?");
		ARG_I(f->requester_id);
	}
	if (f->organization_id) {
		buf_adds(sql, " AND organization_id = ?");
		ARG_I(f->organization_id);
	}
	if (f->assignee_id) {
		buf_adds(sql, " AND assignee_id = ?");
		ARG_I(f->assignee_id);
	}
	if (f->group_id) {
		buf_adds(sql, " AND group_id = ?");
		ARG_I(f->group_id);
	}
	const struct actor *w = f->visible_to;
	if (w && w->role == ROLE_END_USER) {
		if (w->org_shared && w->organization_id) {
			buf_adds(sql, " AND (requester_id = ? OR organization_id = ?)");
			ARG_I(w->user_id);
			ARG_I(w->organization_id);
		} else {
			buf_adds(sql, " AND requester_id = ?");
			ARG_I(w->user_id);
		}
	} else if (w && w->role == ROLE_AGENT && w->restriction == RESTRICT_ASSIGNED) {
		buf_adds(sql, " AND assignee_id = ?");
		ARG_I(w->user_id);
	} else if (w && w->role == ROLE_AGENT && w->restriction == RESTRICT_GROUPS) {
		buf_adds(sql, " AND (assignee_id = ? OR group_id IN (SELECT group_id FROM"
			      " group_memberships WHERE user_id = ?))");
		ARG_I(w->user_id);
		ARG_I(w->user_id);
	}
}

int ticket_store_list(struct db *db, const struct ticket_filter *f, struct ticket **out, int *n)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[16];
	int na = 0;
	buf_adds(&sql, "SELECT " TICKET_COLS " FROM tickets");
	filter_sql(f, &sql, a, &na);
	/* backwards: walk the other way from before_id, then reverse below */
	struct window w = f->win;
	int back = f->before_id && !w.after_id;
	if (back) {
		w.desc = !w.desc;
		w.after_id = f->before_id;
	}
	window_sql(&w, "id", NULL, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	tickets_from(r, out, n);
	if (back) { /* the page just before, in the list's own order */
		int keep = *n < w.limit ? *n : w.limit;
		for (int i = 0, j = keep - 1; i < j; i++, j--) {
			struct ticket tmp = (*out)[i];
			(*out)[i] = (*out)[j];
			(*out)[j] = tmp;
		}
	}
	return 0;
}

int ticket_store_count(struct db *db, const struct ticket_filter *f, int64_t *count)
{
	struct buf sql = BUF_INIT;
	struct db_arg a[16];
	int na = 0;
	buf_adds(&sql, "SELECT COUNT(*) FROM tickets");
	filter_sql(f, &sql, a, &na);
	struct db_res *r;
	int rc = db_query_args(db, &r, sql.s, a, na);
	buf_release(&sql);
	if (rc)
		return rc;
	*count = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}
#undef ARG_I

int ticket_store_incremental(struct db *db, int64_t start, int64_t after_seq, int limit,
			     struct ticket **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " TICKET_COLS " FROM tickets WHERE (CAST(? AS BIGINT) > 0 AND"
			  " seq > ?) OR (CAST(? AS BIGINT) = 0 AND generated_at >= ?)"
			  " ORDER BY seq LIMIT ?",
			  "iiiii", after_seq, after_seq, after_seq, start, (int64_t)limit);
	if (rc)
		return rc;
	return tickets_from(r, out, n);
}

int ticket_store_incidents(struct db *db, int64_t problem_id, struct ticket **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT " TICKET_COLS " FROM tickets WHERE problem_id = ? ORDER BY id",
			  "i", problem_id);
	if (rc)
		return rc;
	return tickets_from(r, out, n);
}

static int ticket_save(struct db *db, struct ticket *t, int insert)
{
	/* seq = MAX(seq) + 1 is commit-ordered only while one transaction at a
	 * time writes tickets: true for SQLite's single writer; on PostgreSQL
	 * (several processes) a transaction-scoped advisory lock makes it so */
	if (db_engine(db) == DB_PG &&
	    db_query(db, NULL, "SELECT pg_advisory_xact_lock(7170001)", ""))
		return DB_ERR;
	char *tags = strlist_to_json(&t->tags), *fields = fields_to_json(t),
	     *cc = idlist_to_json(&t->collaborator_ids), *fol = idlist_to_json(&t->follower_ids);
	int rc;
	if (insert) {
		struct db_res *r;
		rc = db_query(db, &r,
			      "INSERT INTO tickets (external_id, type, subject, description, priority,"
			      " status, requester_id, submitter_id, assignee_id, organization_id,"
			      " group_id, problem_id, due_at, tags, custom_fields, collaborator_ids,"
			      " follower_ids, via_channel, is_public, created_at, updated_at,"
			      " solved_at, generated_at, ticket_form_id, seq) VALUES (?, ?, ?, ?, ?,"
			      " ?, ?,"
			      " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0),"
			      " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0),"
			      " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0),"
			      " ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(CAST(? AS BIGINT), 0), ?,"
			      " NULLIF(CAST(? AS BIGINT), 0),"
			      " (SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets)) RETURNING id",
			      "ssssssiiiiiiisssssiiiiii", t->external_id, t->type, t->subject,
			      t->description, t->priority, t->status, t->requester_id,
			      t->submitter_id, t->assignee_id, t->organization_id, t->group_id,
			      t->problem_id, t->due_at, tags, fields, cc, fol, t->via_channel,
			      (int64_t)t->is_public, t->created_at, t->updated_at, t->solved_at,
			      t->updated_at, t->ticket_form_id);
		if (!rc) {
			t->id = db_int(r, 0, 0);
			db_res_free(r);
		}
	} else {
		rc = db_query(db, NULL,
			      "UPDATE tickets SET external_id = ?, type = ?, subject = ?,"
			      " description = ?, priority = ?, status = ?, requester_id = ?,"
			      " submitter_id = NULLIF(CAST(? AS BIGINT), 0),"
			      " assignee_id = NULLIF(CAST(? AS BIGINT), 0),"
			      " organization_id = NULLIF(CAST(? AS BIGINT), 0),"
			      " group_id = NULLIF(CAST(? AS BIGINT), 0),"
			      " problem_id = NULLIF(CAST(? AS BIGINT), 0),"
			      " due_at = NULLIF(CAST(? AS BIGINT), 0), tags = ?, custom_fields = ?,"
			      " collaborator_ids = ?, follower_ids = ?, merged_into ="
			      " NULLIF(CAST(? AS BIGINT), 0), updated_at = ?,"
			      " solved_at = NULLIF(CAST(? AS BIGINT), 0), generated_at = ?,"
			      " ticket_form_id = NULLIF(CAST(? AS BIGINT), 0),"
			      " seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets) WHERE id = ?",
			      "ssssssiiiiiiissssiiiiii", t->external_id, t->type, t->subject,
			      t->description, t->priority, t->status, t->requester_id,
			      t->submitter_id, t->assignee_id, t->organization_id, t->group_id,
			      t->problem_id, t->due_at, tags, fields, cc, fol, t->merged_into,
			      t->updated_at, t->solved_at, t->updated_at, t->ticket_form_id, t->id);
	}
	free(tags);
	free(fields);
	free(cc);
	free(fol);
	if (rc)
		return rc;
	t->generated_at = t->updated_at;
	/* tag index */
	if (!insert)
		rc = db_query(db, NULL, "DELETE FROM ticket_tags WHERE ticket_id = ?", "i", t->id);
	for (size_t i = 0; !rc && i < t->tags.n; i++)
		rc = db_query(db, NULL, "INSERT INTO ticket_tags (ticket_id, tag) VALUES (?, ?)",
			      "is", t->id, t->tags.v[i]);
	return rc;
}

int event_store_append(struct db *db, const char *type, int64_t ticket_id, int64_t actor_id,
		       const char *payload_json, int64_t now)
{
	return db_query(db, NULL,
			"INSERT INTO events (type, ticket_id, actor_id, payload, created_at)"
			" VALUES (?, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?)",
			"siisi", type, ticket_id, actor_id, payload_json ? payload_json : "{}", now);
}

/* The audit row and its events; comment_kind ("public"/"private", or NULL
 * when the change has no comment) adds the Comment event last. */
static int audit_add(struct db *db, int64_t ticket_id, int64_t author, const char *via,
		     int64_t now, const struct field_events *ev, int creating,
		     const char *comment_kind, int64_t *audit_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO audits (ticket_id, author_id, via_channel, created_at)"
			  " VALUES (?, ?, ?, ?) RETURNING id",
			  "iisi", ticket_id, author, via, now);
	if (rc)
		return rc;
	*audit_id = db_int(r, 0, 0);
	db_res_free(r);
	/* the events in multi-row INSERTs of up to 8 rows: one statement where
	 * a create would otherwise run six (one cached text per row count) */
	enum { ROWS = 8 };
	size_t total = ev->n + (comment_kind ? 1 : 0);
	for (size_t i = 0; !rc && i < total; i += ROWS) {
		size_t k = total - i < ROWS ? total - i : ROWS;
		struct buf sql = BUF_INIT;
		struct db_arg a[ROWS * 5];
		int na = 0;
		buf_adds(&sql, "INSERT INTO audit_events (audit_id, type, field_name, value,"
			       " previous_value) VALUES ");
		for (size_t j = 0; j < k; j++) {
			buf_adds(&sql, j ? ", (?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)");
			a[na++] = (struct db_arg){.type = 'i', .i = *audit_id};
			if (i + j == ev->n) { /* the comment */
				a[na++] = (struct db_arg){.type = 's', .s = "Comment"};
				a[na++] = (struct db_arg){.type = 's', .s = comment_kind};
				a[na++] = (struct db_arg){.type = 's', .s = ""};
				a[na++] = (struct db_arg){.type = 'n'};
				continue;
			}
			const struct field_event *e = &ev->v[i + j];
			a[na++] = (struct db_arg){.type = 's', .s = creating ? "Create" : "Change"};
			a[na++] = (struct db_arg){.type = 's', .s = e->field};
			a[na++] = (struct db_arg){.type = 's', .s = e->value};
			a[na++] = (struct db_arg){.type = 's', .s = e->previous};
		}
		rc = db_query_args(db, NULL, sql.s, a, na);
		buf_release(&sql);
	}
	return rc;
}

static int comment_add(struct db *db, struct ticket_write *w, int64_t ticket_id,
		       int64_t audit_id)
{
	struct ticket_change *c = w->change;
	struct buf html = BUF_INIT;
	if (c->comment_html && *c->comment_html)
		buf_adds(&html, c->comment_html); /* sanitized by the caller */
	else
		comment_text_to_html(c->comment_body, &html);
	int64_t author = c->comment_author_id ? c->comment_author_id : w->who.user_id;
	struct db_res *r;
	int rc = db_query(db, &r,
			  "INSERT INTO comments (ticket_id, audit_id, author_id, body, html_body,"
			  " is_public, via_channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
			  " RETURNING id",
			  "iiissisi", ticket_id, audit_id, author, c->comment_body, html.s,
			  (int64_t)c->comment_public, w->via, w->now);
	buf_release(&html);
	if (rc)
		return rc;
	w->comment_id = db_int(r, 0, 0);
	db_res_free(r);
	for (size_t i = 0; !rc && i < c->upload_tokens.n; i++) {
		rc = db_query(db, NULL,
			      "UPDATE attachments SET comment_id = ?, ticket_id = ? WHERE"
			      " upload_token = ? AND comment_id IS NULL AND upload_token IN"
			      " (SELECT token FROM uploads WHERE user_id = ? AND expires_at > ?)",
			      "iisii", w->comment_id, ticket_id, c->upload_tokens.v[i],
			      w->who.user_id, w->now);
		if (!rc && db_changes(db) == 0) {
			snprintf(w->err, sizeof(w->err), "uploads: unknown upload token '%.60s'",
				 c->upload_tokens.v[i]);
			w->status = 422;
			return DB_REFUSED;
		}
	}
	return rc;
}

static int exists(struct db *db, const char *sql, int64_t id)
{
	struct db_res *r;
	if (db_query(db, &r, sql, "i", id))
		return -1;
	int n = r->nrows;
	db_res_free(r);
	return n > 0;
}

#define REFUSE(code, ...)                                                                          \
	do {                                                                                       \
		w->status = code;                                                                  \
		snprintf(w->err, sizeof(w->err), __VA_ARGS__);                                    \
		rc = -1;                                                                           \
		goto out;                                                                          \
	} while (0)

/* Check that every id the change points at exists and fits.  old_form is
 * the ticket's form before the change: keeping a form that was deactivated
 * since is not a change, only a new one must be active. */
static int check_refs(struct db *db, struct ticket_write *w, const struct ticket *t,
		      int64_t old_form)
{
	static const struct {
		unsigned bit;
		const char *field, *sql;
	} refs[] = {
		{TF_REQUESTER, "requester", "SELECT id FROM users WHERE id = ? AND active = 1"},
		{TF_SUBMITTER, "submitter", "SELECT id FROM users WHERE id = ? AND active = 1"},
		{TF_ASSIGNEE, "assignee",
		 "SELECT id FROM users WHERE id = ? AND role IN ('agent', 'admin') AND active = 1"},
		{TF_ORGANIZATION, "organization", "SELECT id FROM organizations WHERE id = ?"},
		{TF_GROUP, "group", "SELECT id FROM agent_groups WHERE id = ? AND deleted = 0"},
		{TF_PROBLEM, "problem",
		 "SELECT id FROM tickets WHERE id = ? AND type = 'problem'"},
	};
	const int64_t ids[] = {t->requester_id, t->submitter_id, t->assignee_id,
			       t->organization_id, t->group_id, t->problem_id};
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
		if (!(w->change->set & refs[i].bit) || !ids[i])
			continue;
		if (ids[i] == w->who.user_id && i < 2)
			continue; /* the acting user: authenticated, so active */
		int e = exists(db, refs[i].sql, ids[i]);
		if (e < 0)
			return -1;
		if (!e) {
			w->status = 422;
			snprintf(w->err, sizeof(w->err), "%s: %" PRId64 " is not a valid %s id",
				 refs[i].field, ids[i], refs[i].field);
			return -1;
		}
	}
	if ((w->change->set & TF_FORM) && t->ticket_form_id && t->ticket_form_id != old_form) {
		int e = exists(db, "SELECT id FROM ticket_forms WHERE id = ? AND active = 1",
			       t->ticket_form_id);
		if (e < 0)
			return -1;
		if (!e) {
			w->status = 422;
			snprintf(w->err, sizeof(w->err),
				 "ticket_form_id: %" PRId64 " is not an active ticket form",
				 t->ticket_form_id);
			return -1;
		}
	}
	for (size_t i = 0; i < t->collaborator_ids.n + t->follower_ids.n; i++) {
		int64_t id = i < t->collaborator_ids.n ? t->collaborator_ids.v[i]
						       : t->follower_ids.v[i - t->collaborator_ids.n];
		int e = exists(db, "SELECT id FROM users WHERE id = ?", id);
		if (e < 0)
			return -1; /* a database error, not a bad id */
		if (!e) {
			w->status = 422;
			snprintf(w->err, sizeof(w->err), "collaborators: %" PRId64
				 " is not a valid user id", id);
			return -1;
		}
	}
	return 0;
}

/* {"ticket_id", "status", "changes": {field: {from, to}}, "via", and
 * "comment_id" when the write added one}: what the listeners (triggers
 * among them) need to see of the update. */
static char *event_payload(const struct ticket *t, const struct field_events *ev,
			   const char *via, int64_t comment_id)
{
	json_t *ch = json_object();
	for (size_t i = 0; i < ev->n; i++)
		json_object_set_new(ch, ev->v[i].field,
				    json_pack("{s:s?,s:s?}", "from", ev->v[i].previous, "to",
					      ev->v[i].value));
	json_t *j = json_pack("{s:I,s:s,s:o,s:s}", "ticket_id", (json_int_t)t->id, "status",
			      t->status, "changes", ch, "via", via ? via : "api");
	if (comment_id)
		json_object_set_new(j, "comment_id", json_integer(comment_id));
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

/* Zendesk: a dropdown/multiselect/checkbox value is also a tag; when the
 * value changes, the old value's tags go (unless the new values add them
 * back).  Adds them to c->remove_tags.  0 or DB_*. */
static int old_field_tags(struct db *db, const struct ticket *t, struct ticket_change *c)
{
	for (size_t i = 0; i < c->v.nfields; i++) {
		const char *old = NULL;
		for (size_t j = 0; j < t->nfields; j++)
			if (t->fields[j].id == c->v.fields[i].id)
				old = t->fields[j].value_json;
		if (!old || (c->v.fields[i].value_json && !strcmp(old, c->v.fields[i].value_json)))
			continue;
		struct field f;
		memset(&f, 0, sizeof(f));
		int rc = field_store_get(db, c->v.fields[i].id, &f);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			struct strlist gone = {0};
			field_value_tags(&f, old, &gone);
			for (size_t k = 0; k < gone.n; k++)
				if (!strlist_has(&c->add_tags, gone.v[k]))
					strlist_add(&c->remove_tags, gone.v[k]);
			strlist_clear(&gone);
		}
		field_clear(&f);
	}
	return 0;
}

/* Zendesk: solving a problem solves its open incidents, with a note, in
 * the same transaction (one audit each, via "rule"). */
static int solve_incidents(struct db *db, const struct ticket_write *w, const struct ticket *p)
{
	struct ticket *inc;
	int n, rc = ticket_store_incidents(db, p->id, &inc, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n && !rc; i++) {
		if (!strcmp(inc[i].status, "solved") || !strcmp(inc[i].status, "closed"))
			continue;
		struct ticket_change c = {0};
		c.set = TF_STATUS;
		c.v.status = xstrdup("solved");
		if (!inc[i].assignee_id) {
			c.set |= TF_ASSIGNEE;
			c.v.assignee_id = p->assignee_id;
		}
		char body[128];
		snprintf(body, sizeof(body), "Solved together with problem #%" PRId64 ".", p->id);
		c.comment_body = xstrdup(body);
		c.comment_public = 0;
		struct ticket_write iw = {.who = {.user_id = w->who.user_id, .role = ROLE_ADMIN},
					  .id = inc[i].id, .change = &c, .via = "rule",
					  .now = w->now};
		rc = ticket_write_run(db, &iw);
		if (rc == DB_REFUSED)
			rc = 0; /* an incident that cannot be solved stays as it is */
		ticket_write_clear(&iw);
		ticket_change_clear(&c);
	}
	ticket_list_free(inc, n);
	return rc;
}

int ticket_write_run(struct db *db, void *arg)
{
	struct ticket_write *w = arg;
	struct ticket t = {0};
	struct field_events ev = {0};
	int rc = 0, creating = w->id == 0;
	w->status = 0;
	if (w->who.role == ROLE_END_USER) {
		/* end-users cannot write internal notes, nor as someone else */
		w->change->comment_public = 1;
		w->change->comment_author_id = 0;
	}
	if (!creating) {
		rc = ticket_store_get(db, w->id, &t);
		if (rc < 0)
			goto out;
		if (rc == 1 || !ticket_can_view(&w->who, &t))
			REFUSE(404, "ticket %" PRId64 " not found", w->id);
		if (w->who.role == ROLE_END_USER &&
		    (w->change->set & ~(unsigned)(TF_STATUS | TF_COLLABORATORS)))
			REFUSE(403, "end-users can only comment on and solve their tickets");
		if (w->who.role == ROLE_END_USER && (w->change->set & TF_STATUS) &&
		    strcmp(w->change->v.status ? w->change->v.status : "", "solved"))
			REFUSE(403, "end-users can only solve their tickets");
		if (t.merged_into)
			REFUSE(422, "status: the ticket was merged into %" PRId64, t.merged_into);
		snprintf(w->old_status, sizeof(w->old_status), "%s", t.status);
	} else if (w->who.role == ROLE_END_USER &&
		   (w->change->set & (TF_ASSIGNEE | TF_GROUP | TF_REQUESTER | TF_SUBMITTER |
				      TF_ORGANIZATION | TF_STATUS | TF_TAGS))) {
		REFUSE(403, "end-users cannot set these fields");
	}
	char err[256];
	if (w->change->set & TF_FIELDS) {
		/* custom field values: checked against their fields, normalised,
		 * and the tags of dropdown/multiselect/checkbox values added */
		rc = field_store_check_values(db, w->change->v.fields, w->change->v.nfields,
					      &w->change->add_tags, err, sizeof(err));
		if (rc < 0)
			goto out;
		if (rc)
			REFUSE(422, "%s", err);
		if (!creating && (rc = old_field_tags(db, &t, w->change)) < 0)
			goto out;
	}
	int64_t old_form = t.ticket_form_id;
	if (ticket_apply(&t, w->change, &w->who, w->now, &ev, err, sizeof(err)))
		REFUSE(422, "%s", err);
	if (!t.via_channel || creating) {
		free(t.via_channel);
		t.via_channel = xstrdup(w->via);
	}
	if (creating && !t.organization_id && !(w->change->set & TF_ORGANIZATION)) {
		/* the requester's organization, as Zendesk does */
		struct db_res *r;
		rc = db_query(db, &r, "SELECT organization_id FROM users WHERE id = ?", "i",
			      t.requester_id);
		if (rc)
			goto out;
		if (r->nrows)
			t.organization_id = db_int(r, 0, 0);
		db_res_free(r);
	}
	if (creating)
		w->change->set |= TF_REQUESTER | TF_SUBMITTER;
	if (check_refs(db, w, &t, old_form)) {
		rc = -1;
		goto out;
	}
	if (!ev.n && !w->change->comment_body && !creating) {
		/* nothing changed: no audit, no event */
		w->result = t;
		memset(&t, 0, sizeof(t));
		goto out;
	}
	if ((rc = ticket_save(db, &t, creating)))
		goto out;
	const char *comment_kind = !w->change->comment_body ? NULL
				   : w->change->comment_public ? "public"
							       : "private";
	if ((rc = audit_add(db, t.id, w->who.user_id, w->via, w->now, &ev, creating, comment_kind,
			    &w->audit_id)))
		goto out;
	if (w->change->comment_body && (rc = comment_add(db, w, t.id, w->audit_id)))
		goto out;
	char *payload = event_payload(&t, &ev, w->via, w->comment_id);
	rc = event_store_append(db, creating ? "ticket.created" : "ticket.updated", t.id,
				w->who.user_id, payload, w->now);
	free(payload);
	if (!rc && w->comment_id) {
		char p[96];
		snprintf(p, sizeof(p),
			 "{\"ticket_id\":%" PRId64 ",\"comment_id\":%" PRId64 ",\"public\":%s}",
			 t.id, w->comment_id, w->change->comment_public ? "true" : "false");
		rc = event_store_append(db, "comment.added", t.id, w->who.user_id, p, w->now);
	}
	if (!rc)
		rc = search_index_later(db, DOC_TICKET, t.id);
	if (!rc && t.type && !strcmp(t.type, "problem") && !strcmp(t.status, "solved") &&
	    (creating || strcmp(w->old_status, "solved")))
		rc = solve_incidents(db, w, &t);
	if (!rc) {
		w->result = t;
		memset(&t, 0, sizeof(t));
		w->events = ev;
		memset(&ev, 0, sizeof(ev));
		w->created = creating;
	}
out:
	if (rc && !w->status)
		w->status = 500;
	ticket_clear(&t);
	field_events_clear(&ev);
	if (!rc)
		return 0;
	return w->status == 500 ? (rc < 0 ? rc : DB_ERR) : DB_REFUSED;
}

void ticket_write_clear(struct ticket_write *w)
{
	ticket_clear(&w->result);
	field_events_clear(&w->events);
}

int ticket_merge_run(struct db *db, void *arg)
{
	struct ticket_merge *m = arg;
	int rc = 0, fresh = 0;
	m->status = 0;
	struct buf note = BUF_INIT;
	for (int i = 0; i < m->nsources; i++) {
		struct ticket_change ch = {0};
		struct ticket src = {0};
		if (m->sources[i] == m->target) {
			m->status = 422;
			snprintf(m->err, sizeof(m->err), "ids: a ticket cannot be merged into itself");
			return DB_REFUSED;
		}
		rc = ticket_store_get(db, m->sources[i], &src);
		if (rc) {
			m->status = rc == 1 ? 404 : 500;
			snprintf(m->err, sizeof(m->err), "ticket %" PRId64 " not found", m->sources[i]);
			return DB_REFUSED;
		}
		int closed = !strcmp(src.status, "closed");
		int done = src.merged_into == m->target; /* a job run again */
		ticket_clear(&src);
		if (done)
			continue;
		fresh++;
		if (closed) {
			m->status = 422;
			snprintf(m->err, sizeof(m->err),
				 "ids: ticket %" PRId64 " is closed and cannot be merged", m->sources[i]);
			return DB_REFUSED;
		}
		struct buf body = BUF_INIT;
		if (m->source_comment)
			buf_adds(&body, m->source_comment);
		else
			buf_addf(&body, "This request was closed and merged into request #%" PRId64 ".",
				 m->target);
		ch.set = TF_STATUS;
		ch.v.status = xstrdup("solved");
		ch.comment_body = buf_detach(&body);
		ch.comment_public = m->source_public;
		struct ticket_write sw = {.who = m->who, .id = m->sources[i], .change = &ch,
					  .via = "merge", .now = m->now};
		rc = ticket_write_run(db, &sw);
		ticket_change_clear(&ch);
		if (rc) {
			m->status = sw.status;
			snprintf(m->err, sizeof(m->err), "%s", sw.err);
			ticket_write_clear(&sw);
			return DB_REFUSED;
		}
		ticket_write_clear(&sw);
		rc = db_query(db, NULL,
			      "UPDATE tickets SET status = 'closed', merged_into = ? WHERE id = ?",
			      "ii", m->target, m->sources[i]);
		if (rc)
			return rc;
		buf_addf(&note, "%s#%" PRId64, note.len ? ", " : "", m->sources[i]);
	}
	if (!fresh) { /* every source was merged by an earlier run */
		buf_release(&note);
		return 0;
	}
	struct ticket_change ch = {0};
	struct buf body = BUF_INIT;
	if (m->target_comment)
		buf_adds(&body, m->target_comment);
	else
		buf_addf(&body, "Requests %s were closed and merged into this request.", note.s);
	buf_release(&note);
	ch.comment_body = buf_detach(&body);
	ch.comment_public = m->target_public;
	struct ticket_write tw = {.who = m->who, .id = m->target, .change = &ch, .via = "merge",
				  .now = m->now};
	rc = ticket_write_run(db, &tw);
	ticket_change_clear(&ch);
	ticket_write_clear(&tw);
	if (rc) {
		m->status = tw.status;
		snprintf(m->err, sizeof(m->err), "%s", tw.err);
		return DB_REFUSED;
	}
	return 0;
}

int ticket_delete_run(struct db *db, void *arg)
{
	struct ticket_delete *d = arg;
	static const char *const sql[] = {
		"DELETE FROM audit_events WHERE audit_id IN (SELECT id FROM audits WHERE ticket_id = ?)",
		"DELETE FROM audits WHERE ticket_id = ?",
		"DELETE FROM comments WHERE ticket_id = ?",
		"DELETE FROM ticket_tags WHERE ticket_id = ?",
		"DELETE FROM ticket_fts WHERE rowid = ?",
		"DELETE FROM ticket_public_fts WHERE rowid = ?",
		"DELETE FROM attachments WHERE ticket_id = ?",
		"DELETE FROM mail_message_ids WHERE ticket_id = ?",
		"DELETE FROM ticket_mail WHERE ticket_id = ?",
		"DELETE FROM tickets WHERE id = ?",
	};
	struct ticket t = {0};
	int rc = ticket_store_get(db, d->id, &t);
	if (rc) {
		d->status = rc == 1 ? 404 : 500;
		return DB_REFUSED;
	}
	int visible = ticket_can_view(&d->who, &t);
	ticket_clear(&t);
	if (!visible) {
		d->status = 404;
		return DB_REFUSED;
	}
	struct db_res *r;
	rc = db_query(db, &r, "SELECT DISTINCT sha256 FROM attachments WHERE ticket_id = ?", "i",
		      d->id);
	if (rc)
		return rc;
	d->nsha = r->nrows;
	d->sha256s = xcalloc(r->nrows + 1, sizeof(char *));
	for (int i = 0; i < r->nrows; i++)
		d->sha256s[i] = xstrdup(db_str(r, i, 0));
	db_res_free(r);
	for (size_t i = 0; i < ARRAY_SIZE(sql); i++)
		if ((rc = db_query(db, NULL, sql[i], "i", d->id)))
			return rc;
	char p[48];
	snprintf(p, sizeof(p), "{\"ticket_id\":%" PRId64 "}", d->id);
	return event_store_append(db, "ticket.deleted", d->id, d->who.user_id, p, now_seconds());
}

int comment_store_list(struct db *db, int64_t ticket_id, int public_only, int64_t after_id,
		       int limit, struct comment **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT id, ticket_id, audit_id, author_id, body, html_body, is_public,"
			  " via_channel, created_at FROM comments WHERE ticket_id = ? AND id > ?"
			  " AND (is_public = 1 OR ? = 0) ORDER BY id LIMIT ?",
			  "iiii", ticket_id, after_id, (int64_t)public_only, (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*out = r->nrows ? xcalloc(r->nrows, sizeof(**out)) : NULL;
	for (int i = 0; i < r->nrows; i++) {
		struct comment *c = &(*out)[i];
		c->id = db_int(r, i, 0);
		c->ticket_id = db_int(r, i, 1);
		c->audit_id = db_int(r, i, 2);
		c->author_id = db_int(r, i, 3);
		c->body = dup_col(r, i, 4);
		c->html_body = dup_col(r, i, 5);
		c->is_public = (int)db_int(r, i, 6);
		c->via_channel = dup_col(r, i, 7);
		c->created_at = db_int(r, i, 8);
	}
	db_res_free(r);
	for (int i = 0; i < *n; i++) {
		struct comment *c = &(*out)[i];
		rc = db_query(db, &r,
			      "SELECT id, file_name, content_type, sha256, size FROM attachments"
			      " WHERE comment_id = ? ORDER BY id",
			      "i", c->id);
		if (rc)
			return rc;
		c->nattachments = r->nrows;
		c->attachments = r->nrows ? xcalloc(r->nrows, sizeof(*c->attachments)) : NULL;
		for (int j = 0; j < r->nrows; j++) {
			c->attachments[j].id = db_int(r, j, 0);
			c->attachments[j].file_name = dup_col(r, j, 1);
			c->attachments[j].content_type = dup_col(r, j, 2);
			c->attachments[j].sha256 = dup_col(r, j, 3);
			c->attachments[j].size = db_int(r, j, 4);
		}
		db_res_free(r);
	}
	return 0;
}

int comment_store_count(struct db *db, int64_t ticket_id, int public_only, int64_t *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT COUNT(*) FROM comments WHERE ticket_id = ?"
			  " AND (is_public = 1 OR ? = 0)",
			  "ii", ticket_id, (int64_t)public_only);
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

void comment_list_free(struct comment *v, int n)
{
	for (int i = 0; i < n; i++)
		comment_clear(&v[i]);
	free(v);
}

int audit_store_list(struct db *db, int64_t ticket_id, struct audit **out, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT a.id, a.author_id, a.via_channel, a.created_at, e.type,"
			  " e.field_name, e.value, e.previous_value,"
			  " (SELECT c.id FROM comments c WHERE c.audit_id = a.id)"
			  " FROM audits a LEFT JOIN audit_events e ON e.audit_id = a.id"
			  " WHERE a.ticket_id = ? ORDER BY a.id, e.id",
			  "i", ticket_id);
	if (rc)
		return rc;
	struct audit *v = NULL;
	int na = 0;
	for (int i = 0; i < r->nrows; i++) {
		int64_t id = db_int(r, i, 0);
		if (!na || v[na - 1].id != id) {
			v = xrealloc(v, (na + 1) * sizeof(*v));
			struct audit *a = &v[na++];
			memset(a, 0, sizeof(*a));
			a->id = id;
			a->ticket_id = ticket_id;
			a->author_id = db_int(r, i, 1);
			a->via_channel = dup_col(r, i, 2);
			a->created_at = db_int(r, i, 3);
			a->comment_id = db_int(r, i, 8);
		}
		if (db_isnull(r, i, 4))
			continue;
		struct audit *a = &v[na - 1];
		size_t k = a->events.n++;
		a->events.v = xrealloc(a->events.v, a->events.n * sizeof(*a->events.v));
		a->event_types = xrealloc(a->event_types, a->events.n * sizeof(char *));
		a->event_types[k] = dup_col(r, i, 4);
		snprintf(a->events.v[k].field, sizeof(a->events.v[k].field), "%s",
			 db_str(r, i, 5) ? db_str(r, i, 5) : "");
		a->events.v[k].value = dup_col(r, i, 6);
		a->events.v[k].previous = dup_col(r, i, 7);
	}
	db_res_free(r);
	*out = v;
	*n = na;
	return 0;
}

void audit_list_free(struct audit *v, int n)
{
	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i].events.n; k++)
			free(v[i].event_types[k]);
		free(v[i].event_types);
		field_events_clear(&v[i].events);
		free(v[i].via_channel);
	}
	free(v);
}

int tag_store_counts(struct db *db, int limit, char ***names, int64_t **counts, int *n)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT tag, COUNT(*) AS c FROM ticket_tags GROUP BY tag"
			  " ORDER BY c DESC, tag LIMIT ?",
			  "i", (int64_t)limit);
	if (rc)
		return rc;
	*n = r->nrows;
	*names = xcalloc(r->nrows + 1, sizeof(char *));
	*counts = xcalloc(r->nrows + 1, sizeof(int64_t));
	for (int i = 0; i < r->nrows; i++) {
		(*names)[i] = dup_col(r, i, 0);
		(*counts)[i] = db_int(r, i, 1);
	}
	db_res_free(r);
	return 0;
}

/* --- search documents ---------------------------------------------- */

static int put_doc(struct db *db, const char *table_sqlite_del, const char *table_sqlite_ins,
		   const char *pg_upsert, int64_t id, const char *text)
{
	if (db_engine(db) == DB_SQLITE) {
		int rc = db_query(db, NULL, table_sqlite_del, "i", id);
		return rc ? rc : db_query(db, NULL, table_sqlite_ins, "is", id, text);
	}
	struct buf tsv = BUF_INIT;
	fts_pg_tsvector(text, strlen(text), &tsv);
	int rc = db_query(db, NULL, pg_upsert, "is", id, tsv.s);
	buf_release(&tsv);
	return rc;
}

int search_index_doc(struct db *db, int kind, int64_t id)
{
	switch (kind) {
	case DOC_TICKET:
		return search_index_ticket(db, id);
	case DOC_USER:
		return search_index_user(db, id);
	case DOC_ORGANIZATION:
		return search_index_organization(db, id);
	}
	BUG("search document kind %d", kind);
}

int search_index_later(struct db *db, int kind, int64_t id)
{
	if (!db_defer_active(db))
		return search_index_doc(db, kind, id);
	db_defer_add(db, kind, id);
	return 0;
}

/* Two documents per ticket: ticket_fts holds everything (agents search it),
 * ticket_public_fts only what the requester can read - subject,
 * description, tags and public comments (end-users search it). */
int search_index_ticket(struct db *db, int64_t ticket_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT subject, description, tags FROM tickets WHERE id = ?", "i",
			  ticket_id);
	if (rc)
		return rc;
	struct buf all = BUF_INIT, pub = BUF_INIT;
	for (int c = 0; r->nrows && c < 3; c++)
		if (!db_isnull(r, 0, c))
			buf_addf(&pub, "%s\n", db_str(r, 0, c));
	db_res_free(r);
	rc = db_query(db, &r,
		      "SELECT body, is_public FROM comments WHERE ticket_id = ? ORDER BY id", "i",
		      ticket_id);
	if (rc) {
		buf_release(&pub);
		return rc;
	}
	buf_add(&all, pub.s, pub.len);
	for (int i = 0; i < r->nrows; i++) {
		buf_addf(&all, "%s\n", db_str(r, i, 0));
		if (db_int(r, i, 1))
			buf_addf(&pub, "%s\n", db_str(r, i, 0));
	}
	db_res_free(r);
	rc = put_doc(db, "DELETE FROM ticket_fts WHERE rowid = ?",
		     "INSERT INTO ticket_fts (rowid, body) VALUES (?, ?)",
		     "INSERT INTO ticket_fts (rowid, tsv) VALUES (?, CAST(? AS tsvector))"
		     " ON CONFLICT (rowid) DO UPDATE SET tsv = excluded.tsv",
		     ticket_id, all.s);
	if (!rc)
		rc = put_doc(db, "DELETE FROM ticket_public_fts WHERE rowid = ?",
			     "INSERT INTO ticket_public_fts (rowid, body) VALUES (?, ?)",
			     "INSERT INTO ticket_public_fts (rowid, tsv) VALUES (?, CAST(? AS tsvector))"
			     " ON CONFLICT (rowid) DO UPDATE SET tsv = excluded.tsv",
			     ticket_id, pub.s);
	buf_release(&all);
	buf_release(&pub);
	return rc;
}

int search_index_user(struct db *db, int64_t user_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT name, email, phone, external_id, notes, details, tags FROM users"
			  " WHERE id = ?",
			  "i", user_id);
	if (rc)
		return rc;
	struct buf text = BUF_INIT;
	for (int c = 0; r->nrows && c < 7; c++)
		if (!db_isnull(r, 0, c))
			buf_addf(&text, "%s\n", db_str(r, 0, c));
	db_res_free(r);
	rc = put_doc(db, "DELETE FROM user_fts WHERE rowid = ?",
		     "INSERT INTO user_fts (rowid, body) VALUES (?, ?)",
		     "INSERT INTO user_fts (rowid, tsv) VALUES (?, CAST(? AS tsvector))"
		     " ON CONFLICT (rowid) DO UPDATE SET tsv = excluded.tsv",
		     user_id, text.s);
	buf_release(&text);
	return rc;
}

int search_index_organization(struct db *db, int64_t org_id)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT name, details, notes, domain_names, tags FROM organizations"
			  " WHERE id = ?",
			  "i", org_id);
	if (rc)
		return rc;
	struct buf text = BUF_INIT;
	for (int c = 0; r->nrows && c < 5; c++)
		if (!db_isnull(r, 0, c))
			buf_addf(&text, "%s\n", db_str(r, 0, c));
	db_res_free(r);
	rc = put_doc(db, "DELETE FROM organization_fts WHERE rowid = ?",
		     "INSERT INTO organization_fts (rowid, body) VALUES (?, ?)",
		     "INSERT INTO organization_fts (rowid, tsv) VALUES (?, CAST(? AS tsvector))"
		     " ON CONFLICT (rowid) DO UPDATE SET tsv = excluded.tsv",
		     org_id, text.s);
	buf_release(&text);
	return rc;
}
