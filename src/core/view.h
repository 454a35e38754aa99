/* view.h - a custom view's execution, with no I/O: which columns it shows,
 * how its tickets are sorted and grouped (api/views.c runs views; their
 * conditions are rules: core/rule.h, kind RULE_VIEW).
 *
 * The column names are Zendesk's: id, status, subject, requester,
 * assignee, group, organization, priority, type, created, updated
 * (sort_by also takes created_at, updated_at and the *_id spellings).
 * view_exec_parse() reads an "output"/"execution" object, view_exec_json()
 * writes the normalised one that is stored and shown; view_sort() orders
 * tickets by group, then sort key, then id.
 */
#ifndef SONNIM_VIEW_H
#define SONNIM_VIEW_H
#include "core/ticket.h"
#include <jansson.h>
#include <stddef.h>

#define VIEW_COLUMNS 11

struct view_exec {
	int cols[VIEW_COLUMNS]; /* column indexes, in display order, no repeats */
	int ncols;		/* at least 1 after parsing */
	int sort, sort_desc;	/* sort column index and direction */
	int group, group_desc;	/* group column index (-1 = no grouping), direction */
};

/* The index of column name s (or a sort_by spelling of it); -1 unknown. */
int view_column(const char *s);
/* Column i's name and Zendesk's English title. */
const char *view_column_id(int i);

/* Read o (an object, NULL or JSON null = defaults: status, subject,
 * requester, updated, priority; sorted by updated descending; no grouping)
 * into e.  0, or -1 with err "output: ..." (e then holds defaults). */
int view_exec_parse(json_t *o, struct view_exec *e, char *err, size_t errlen);
/* The normalised JSON: {"columns": [{"id", "title"}], "sort_by",
 * "sort_order", "group_by" (or null), "group_order"}.  Caller owns it. */
json_t *view_exec_json(const struct view_exec *e);
/* Stored execution text back into e; damaged text gives the defaults. */
void view_exec_load(const char *text, struct view_exec *e);

/* Sort t[0..n) by e: group column, then sort column, then id. */
void view_sort(struct ticket *t, size_t n, const struct view_exec *e);
#endif
