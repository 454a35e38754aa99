/* view.c - a custom view's execution (view.h): the column table, the
 * output/execution JSON in and out, and the sort.
 *
 * One ordered table names the columns (their index is what struct
 * view_exec holds); parsing checks every name against it, so a stored
 * execution always names known columns.  Sorting compares status and
 * priority by Zendesk's order (new < open < pending < hold < solved <
 * closed; low < normal < high < urgent), people, groups and organizations
 * by id, text by bytes, times as numbers.  Cost: a table scan per name; the
 * sort is n log n comparisons of at most three keys.
 */
#include "core/view.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns, sort and group keys a view may name, with the English
 * title Zendesk's execution gives each column. */
static const struct {
	const char *id, *title;
} columns[] = {
    {"id", "ID"},
    {"status", "Status"},
    {"subject", "Subject"},
    {"requester", "Requester"},
    {"assignee", "Assignee"},
    {"group", "Group"},
    {"organization", "Organization"},
    {"priority", "Priority"},
    {"type", "Type"},
    {"created", "Requested"},
    {"updated", "Updated"},
};

int view_column(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(columns); i++)
		if (!strcmp(columns[i].id, s))
			return (int)i;
	/* Zendesk's sort_by spellings */
	if (s && !strcmp(s, "created_at"))
		return view_column("created");
	if (s && !strcmp(s, "updated_at"))
		return view_column("updated");
	if (s && (!strcmp(s, "assignee_id") || !strcmp(s, "requester_id") ||
		  !strcmp(s, "group_id") || !strcmp(s, "organization_id"))) {
		char k[16];
		snprintf(k, sizeof(k), "%.*s", (int)(strchr(s, '_') - s), s);
		return view_column(k);
	}
	return -1;
}

_Static_assert(ARRAY_SIZE(columns) == VIEW_COLUMNS, "VIEW_COLUMNS is the number of columns");

const char *view_column_id(int i) { return i >= 0 && i < VIEW_COLUMNS ? columns[i].id : ""; }

static const char *order_name(int desc) { return desc ? "desc" : "asc"; }

static int parse(json_t *o, struct view_exec *e, char *err, size_t errlen)
{
	static const char *const defcols[] = {"status", "subject", "requester", "updated",
					      "priority"};
	memset(e, 0, sizeof(*e));
	e->sort = view_column("updated");
	e->sort_desc = 1;
	e->group = -1;
	if (o && !json_is_null(o) && !json_is_object(o)) {
		snprintf(err, errlen, "output: expected an object");
		return -1;
	}
	json_t *cols = json_object_get(o, "columns");
	if (cols && !json_is_array(cols)) {
		snprintf(err, errlen, "output: columns is an array");
		return -1;
	}
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c)
	{
		const char *id = json_is_object(c) ? json_string_value(json_object_get(c, "id"))
						   : json_string_value(c);
		int k = view_column(id);
		if (k < 0) {
			snprintf(err, errlen, "output: '%.40s' is not a column", id ? id : "?");
			return -1;
		}
		int dup = 0;
		for (int j = 0; j < e->ncols; j++)
			dup |= e->cols[j] == k;
		if (!dup)
			e->cols[e->ncols++] = k;
	}
	if (!e->ncols)
		for (i = 0; i < ARRAY_SIZE(defcols); i++)
			e->cols[e->ncols++] = view_column(defcols[i]);
	static const char *const keys[] = {"sort_by", "sort_order", "group_by", "group_order"};
	for (i = 0; i < 4; i++) {
		json_t *v = json_object_get(o, keys[i]);
		if (!v || json_is_null(v))
			continue;
		const char *s = json_string_value(v);
		if (i % 2) {
			if (!s || (strcmp(s, "asc") && strcmp(s, "desc"))) {
				snprintf(err, errlen, "output: %s is asc or desc", keys[i]);
				return -1;
			}
			*(i == 1 ? &e->sort_desc : &e->group_desc) = !strcmp(s, "desc");
		} else {
			int k = view_column(s);
			if (k < 0) {
				snprintf(err, errlen, "output: %s '%.40s' is not a column", keys[i],
					 s ? s : "?");
				return -1;
			}
			*(i == 0 ? &e->sort : &e->group) = k;
		}
	}
	return 0;
}

int view_exec_parse(json_t *o, struct view_exec *e, char *err, size_t errlen)
{
	if (!parse(o, e, err, errlen))
		return 0;
	char ignored[8];
	parse(NULL, e, ignored, sizeof(ignored)); /* the defaults */
	return -1;
}

json_t *view_exec_json(const struct view_exec *e)
{
	json_t *cols = json_array();
	for (int i = 0; i < e->ncols; i++)
		json_array_append_new(cols, json_pack("{s:s,s:s}", "id", columns[e->cols[i]].id,
						      "title", columns[e->cols[i]].title));
	json_t *o = json_pack("{s:o,s:s,s:s}", "columns", cols, "sort_by", columns[e->sort].id,
			      "sort_order", order_name(e->sort_desc));
	json_object_set_new(o, "group_by",
			    e->group >= 0 ? json_string(columns[e->group].id) : json_null());
	json_object_set_new(o, "group_order", json_string(order_name(e->group_desc)));
	return o;
}

void view_exec_load(const char *text, struct view_exec *e)
{
	char err[128];
	json_t *o = json_loads(text ? text : "{}", 0, NULL);
	if (view_exec_parse(o, e, err, sizeof(err)))
		view_exec_parse(NULL, e, err, sizeof(err));
	json_decref(o);
}

static int rank_of(const char *s, const char *const *names, int n)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i + 1;
	return 0;
}

/* Compare two tickets by column k (ascending). */
static int col_cmp(int k, const struct ticket *a, const struct ticket *b)
{
	static const char *const st[] = {"new", "open", "pending", "hold", "solved", "closed"};
	static const char *const pr[] = {"low", "normal", "high", "urgent"};
	const char *id = columns[k].id;
	int64_t x = 0, y = 0;
	if (!strcmp(id, "status"))
		x = rank_of(a->status, st, 6), y = rank_of(b->status, st, 6);
	else if (!strcmp(id, "priority"))
		x = rank_of(a->priority, pr, 4), y = rank_of(b->priority, pr, 4);
	else if (!strcmp(id, "subject") || !strcmp(id, "type")) {
		const char *p = id[0] == 's' ? a->subject : a->type;
		const char *q = id[0] == 's' ? b->subject : b->type;
		return strcmp(p ? p : "", q ? q : "");
	} else if (!strcmp(id, "requester"))
		x = a->requester_id, y = b->requester_id;
	else if (!strcmp(id, "assignee"))
		x = a->assignee_id, y = b->assignee_id;
	else if (!strcmp(id, "group"))
		x = a->group_id, y = b->group_id;
	else if (!strcmp(id, "organization"))
		x = a->organization_id, y = b->organization_id;
	else if (!strcmp(id, "created"))
		x = a->created_at, y = b->created_at;
	else if (!strcmp(id, "updated"))
		x = a->updated_at, y = b->updated_at;
	else
		x = a->id, y = b->id;
	return x < y ? -1 : x > y;
}

/* qsort has no context argument: the execution of the sort running on this
 * thread (handler threads run views at the same time). */
static _Thread_local const struct view_exec *sort_exec;

static int ticket_cmp(const void *pa, const void *pb)
{
	const struct ticket *a = pa, *b = pb;
	const struct view_exec *e = sort_exec;
	int c;
	if (e->group >= 0 && (c = col_cmp(e->group, a, b)))
		return e->group_desc ? -c : c;
	if ((c = col_cmp(e->sort, a, b)))
		return e->sort_desc ? -c : c;
	return a->id < b->id ? -1 : a->id > b->id;
}

void view_sort(struct ticket *t, size_t n, const struct view_exec *e)
{
	sort_exec = e;
	if (n > 1)
		qsort(t, n, sizeof(*t), ticket_cmp);
	sort_exec = NULL;
}
