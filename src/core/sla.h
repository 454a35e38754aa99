/* sla.h - SLA policies and the SLA clock, pure (no I/O).
 *
 * Policies are Zendesk's: a filter {"all": [...], "any": [...]} of
 * {field, operator, value} conditions and policy_metrics
 * [{priority, metric, target (minutes), business_hours}].  The first policy
 * by position whose filter matches a ticket applies (sla_policy_match).
 *
 * The clock is split in two so a policy can change under a running ticket:
 *   1. sla_fold() folds each ticket event into a measurement per metric
 *      (struct sla_state) - when its cycle started, how much time it has
 *      used (calendar and business seconds), whether it runs, is paused or
 *      is done.  This part knows nothing of policies.
 *   2. sla_evaluate() puts the policy's targets for the ticket's priority
 *      on those measurements: stage and breach time per metric.
 * The listener (jobs/handlers.c) loads the state, folds, evaluates, saves.
 *
 * Metric definitions (Zendesk's, as Sonnim applies them):
 *   first_reply_time      from creation to the first public comment by an
 *                         agent (one at creation counts: achieved at once)
 *   next_reply_time       from a public end-user comment after the first
 *                         reply to the next public agent comment
 *   periodic_update_time  between public agent comments: each one starts
 *                         the next cycle
 *   requester_wait_time   time in new, open and on-hold; paused while
 *                         pending; cumulative over reopens
 *   agent_work_time       time in new and open; paused while pending or on
 *                         hold; cumulative over reopens
 *   total_resolution_time time in every status short of solved, from
 *                         creation; cumulative over reopens
 * Solving (or closing) a ticket achieves every running or paused metric;
 * reopening resumes requester_wait_time, agent_work_time and
 * total_resolution_time.  A metric that
 * ran past its target is "breached" (sla_metric_status.breached); one still
 * running has breach_at in the future or past.
 *
 * Business time: the fold counts business seconds through the schedule it
 * is given (the ticket's group schedule, else the default); with no
 * schedule at all, business hours are calendar hours.
 */
#ifndef SONNIM_SLA_H
#define SONNIM_SLA_H
#include "core/schedule.h"
#include <jansson.h>
#include <stdint.h>

enum sla_metric {
	SLA_FIRST_REPLY,
	SLA_NEXT_REPLY,
	SLA_PERIODIC_UPDATE,
	SLA_REQUESTER_WAIT,
	SLA_AGENT_WORK,
	SLA_TOTAL_RESOLUTION,
	SLA_NMETRICS
};
/* "first_reply_time", ...; NULL for a bad value. */
const char *sla_metric_name(int metric);
/* The metric of name, or -1. */
int sla_metric_parse(const char *name);

/* ---- policies ---------------------------------------------------------- */

struct sla_condition {
	char *field;	/* status, priority, type, group_id, assignee_id,
			   organization_id, requester_id, current_tags, via */
	char *op;	/* is, is_not, less_than, greater_than (status and
			   priority order), includes, not_includes (tags:
			   any / none of the space-separated value) */
	char *value;	/* as text ("" = empty / none) */
};

struct sla_target {
	char priority[8];	/* low, normal, high, urgent */
	int metric;		/* enum sla_metric */
	int64_t minutes;	/* target */
	int business;		/* in business hours */
};

struct sla_policy {
	int64_t id;
	struct sla_condition *all, *any;
	int nall, nany;
	struct sla_target *targets;
	int ntargets;
};

/* Parse and check a filter object and a policy_metrics array (Zendesk's
 * JSON) into p (zeroed first; release with sla_policy_clear).  0, or -1
 * with err ("filter: ...", "policy_metrics: ...") and nothing to clear. */
int sla_policy_parse(json_t *filter, json_t *metrics, struct sla_policy *p, char *err,
		     size_t errlen);
void sla_policy_clear(struct sla_policy *p);

/* What a filter looks at. */
struct sla_ticket {
	const char *status, *priority, *type, *via; /* NULL = none */
	int64_t group_id, assignee_id, organization_id, requester_id;
	char *const *tags;
	int ntags;
};
/* 1 when every "all" condition and (if any) at least one "any" condition
 * holds. */
int sla_policy_match(const struct sla_policy *p, const struct sla_ticket *t);

/* ---- the clock --------------------------------------------------------- */

enum sla_run { SLA_IDLE, SLA_RUNNING, SLA_PAUSED, SLA_DONE };

struct sla_measure {
	int run;		/* enum sla_run */
	int64_t started_at;	/* this cycle's start */
	int64_t run_from;	/* RUNNING: when the running stretch began */
	int64_t spent_cal;	/* seconds used before run_from (this cycle) */
	int64_t spent_bus;	/* business seconds used before run_from */
	int64_t done_at;	/* DONE: when achieved */
};

struct sla_state {
	struct sla_measure m[SLA_NMETRICS];
	int replied;		/* an agent has replied in public */
};

enum sla_event_kind { SLA_EV_CREATED, SLA_EV_STATUS, SLA_EV_COMMENT };
struct sla_event {
	int kind;
	int64_t at;
	const char *status;	/* CREATED: the status; STATUS: the new one */
	int comment_public;	/* COMMENT */
	int by_agent;		/* COMMENT: written by an agent (not the requester) */
};

void sla_state_init(struct sla_state *s);
/* Fold e into s; sch (may be NULL) counts business seconds. */
void sla_fold(struct sla_state *s, const struct sla_event *e, struct schedule *sch);

enum sla_stage { SLA_STAGE_NONE, SLA_STAGE_ACTIVE, SLA_STAGE_PAUSED, SLA_STAGE_ACHIEVED };
/* "active", "paused", "achieved" (NULL for NONE). */
const char *sla_stage_name(int stage);

struct sla_metric_status {
	int metric;
	int stage;		/* enum sla_stage */
	int64_t target_minutes;
	int business;
	int64_t breach_at;	/* ACTIVE: when the target is (was) missed; else 0 */
	int breached;		/* ACHIEVED late, or ACTIVE with breach_at <= now */
};
/* The status of each metric the policy p sets for priority, at time now,
 * into out (room for SLA_NMETRICS).  Returns how many.  p NULL or priority
 * NULL/"" gives 0 (Zendesk applies no targets without a priority). */
int sla_evaluate(const struct sla_state *s, const struct sla_policy *p, const char *priority,
		 struct schedule *sch, int64_t now, struct sla_metric_status *out);

/* The state as JSON text (caller frees) and back (0, -1 on junk: s left
 * initialized). */
char *sla_state_dump(const struct sla_state *s);
int sla_state_load(struct sla_state *s, const char *text);
#endif
