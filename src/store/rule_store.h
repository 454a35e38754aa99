/* rule_store.h - SQL for triggers and automations (table rules), the
 * scheduler's entries (table schedules) and the automation pass's ticket
 * batches.
 *
 * Rules are stored as Zendesk shows them: conditions and actions as JSON
 * text, checked by core/rule.c before they get here.  kind is "trigger" or
 * "automation".  Lists come in execution order (position, then id).
 */
#ifndef SONNIM_RULE_STORE_H
#define SONNIM_RULE_STORE_H
#include "store/db.h"

struct rule_row {
	int64_t id;
	char *kind;		/* "trigger" or "automation" */
	char *title, *description;	/* description may be NULL */
	int active;
	int64_t position;
	char *category_id;	/* Zendesk's trigger category (text id) or NULL */
	char *conditions, *actions;	/* JSON text */
	int64_t created_at, updated_at;
	int64_t last_run_at, last_ticket_id, runs;	/* 0 = never fired */
};
void rule_row_clear(struct rule_row *r);
void rule_rows_free(struct rule_row *v, int n);

/* Rules of kind (active_only: only active ones), in order.  *out owned. */
int rule_store_list(struct db *db, const char *kind, int active_only, struct rule_row **out,
		    int *n);
/* 0 found, 1 not found (or another kind), or DB_*. */
int rule_store_get(struct db *db, const char *kind, int64_t id, struct rule_row *out);
/* Insert r (id, runs, last_* ignored); sets r->id.  A position of 0 puts
 * it last. */
int rule_store_insert(struct db *db, struct rule_row *r);
/* Save title, description, active, position, category, conditions,
 * actions, updated_at.  1 when the rule is gone. */
int rule_store_update(struct db *db, const struct rule_row *r);
/* 0 deleted, 1 not found. */
int rule_store_delete(struct db *db, const char *kind, int64_t id);
/* Give ids positions 1..n in that order.  1 when an id is not of kind. */
int rule_store_reorder(struct db *db, const char *kind, const int64_t *ids, int n);
/* Record that rule id fired on ticket at time at. */
int rule_store_fired(struct db *db, int64_t id, int64_t ticket_id, int64_t at);

/* The automation pass: open (not closed) tickets with id > after_id, at
 * most limit, in id order, optionally only with one of statuses (NULL =
 * all but closed); with the metric times automations read: per row
 * times[5*i ..] = id, assigned_at, status_updated_at, requester_updated_at,
 * assignee_updated_at (0 = none).  *times owned; *n rows. */
int rule_store_open_tickets(struct db *db, int64_t after_id, int limit,
			    const char *const *statuses, int nstatuses, int64_t **times, int *n);

/* A number that changes whenever any rule is written (executors cache
 * parsed rules against it). */
int rule_store_version(struct db *db, int64_t *version);
/* What the executors read besides tickets: a user's role (ROLE_*; 1 when
 * the user is gone), a comment's text and visibility (1 when gone), and
 * the user rules act as (the first active admin; 0 when none). */
int rule_store_user_role(struct db *db, int64_t user_id, int *role);
int rule_store_comment(struct db *db, int64_t comment_id, char **body, int *is_public);
int rule_store_system_user(struct db *db, int64_t *user_id);

/* The scheduler: if entry name is due at now (or has never run), move its
 * next run to now + period and return 1 (the caller runs it in the same
 * transaction); else 0.  DB_* on error. */
int schedule_claim(struct db *db, const char *name, int64_t now, int64_t period);
#endif
