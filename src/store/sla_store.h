/* sla_store.h - SLA policies and each ticket's SLA clock in the database.
 *
 * Policies keep their filter and policy_metrics as JSON text in Zendesk's
 * shapes (core/sla.h parses them); they apply in order of position, then
 * id.  A ticket's clock row (ticket_slas) holds the policy that applies, the
 * fold state (core/sla.h's sla_state as JSON), the per-metric stages last
 * computed (JSON array) and the earliest breach time still ahead of an
 * active metric - indexed, so "which tickets breach before T" (views,
 * automations, an about-to-breach pass) is one range scan.
 *
 * Getters return 0 and fill *out, 1 when there is no such row, or DB_*.
 * Writers run inside store_write() (or the dispatcher's transaction) and
 * return 0 or DB_*.
 */
#ifndef SONNIM_SLA_STORE_H
#define SONNIM_SLA_STORE_H
#include "store/db.h"
#include <stdint.h>

struct sla_policy_row {
	int64_t id;
	char *title;
	char *description;	/* NULL = none */
	int64_t position;
	char *filter;		/* JSON text: {"all": [...], "any": [...]} */
	char *policy_metrics;	/* JSON text: [{priority, metric, target, business_hours}] */
	int64_t created_at, updated_at;
};
void sla_policy_row_clear(struct sla_policy_row *p);

int sla_policy_store_get(struct db *db, int64_t id, struct sla_policy_row *out);
/* Every policy in the order they apply (position, id). */
int sla_policy_store_list(struct db *db, struct sla_policy_row **out, int *n);
void sla_policy_list_free(struct sla_policy_row *v, int n);
/* Insert p (id set); position <= 0 puts it last (p->position set). */
int sla_policy_store_insert(struct db *db, struct sla_policy_row *p);
/* A number that moves on every insert, update, delete and reorder of the
 * policies (0 before the first): what a parsed copy is checked against. */
int sla_policy_store_version(struct db *db, int64_t *version);
int sla_policy_store_update(struct db *db, const struct sla_policy_row *p);
/* 0, 1 when absent. */
int sla_policy_store_delete(struct db *db, int64_t id);
/* Positions 1..n in the order of ids, which must name every policy once:
 * 0, 1 when they do not. */
int sla_policy_store_reorder(struct db *db, const int64_t *ids, int n, int64_t now);

struct ticket_sla {
	int64_t ticket_id;
	int64_t policy_id;	/* 0 = no policy applies */
	char *state;		/* sla_state JSON text */
	char *metrics;		/* JSON array of the computed stages */
	int64_t next_breach_at;	/* 0 = nothing active */
	int64_t updated_at;
};
void ticket_sla_clear(struct ticket_sla *s);
int ticket_sla_get(struct db *db, int64_t ticket_id, struct ticket_sla *out);
/* Insert or replace the row of s->ticket_id. */
int ticket_sla_put(struct db *db, const struct ticket_sla *s);
/* Ticket ids that have a clock, after after_id in id order, at most limit:
 * *ids (caller frees) and *n. */
int ticket_sla_ids_after(struct db *db, int64_t after_id, int limit, int64_t **ids, int *n);
/* Forget ticket_id's clock and breach marks (the ticket was deleted). */
int ticket_sla_delete(struct db *db, int64_t ticket_id);
/* Tickets with an active SLA metric breaching before t (already breached
 * included), soonest first, at most limit: *ids (caller frees) and *n. */
int ticket_sla_breaching_before(struct db *db, int64_t t, int limit, int64_t **ids, int *n);
/* One page of the tickets ticket_sla_breaching_before(t) names, in
 * (next_breach_at, ticket_id) order after the key (after_at, after_id)
 * (both 0 for the first page): *ids and *ats (the rows' next_breach_at;
 * caller frees both) and *n. */
int ticket_sla_breaching_page(struct db *db, int64_t t, int64_t after_at, int64_t after_id,
			      int limit, int64_t **ids, int64_t **ats, int *n);

/* Remember that event kind ("sla.breached", "sla.about_to_breach") was
 * emitted for metric (its name) of ticket_id in the cycle that started at
 * cycle_at (one metric instance).  0 when newly remembered, 1 when it
 * already was (emit nothing), or DB_*. */
int sla_breach_mark(struct db *db, int64_t ticket_id, const char *metric, const char *kind,
		    int64_t cycle_at, int64_t breach_at, int64_t now);
#endif
