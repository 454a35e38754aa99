/* rule.h - business rules as data: triggers and automations, with no I/O.
 *
 * A rule is Zendesk's shape: conditions {"all": [...], "any": [...]} of
 * {field, operator, value} and actions [{field, value}] from an allow-list.
 * rule_parse() reads and checks that JSON (the API validates with it before
 * saving, the executors parse the saved text again); rule_matches() tests a
 * rule against a ticket and the context of the update (conditions also
 * read the ticket's CSAT score, satisfaction_score is/is_not unoffered|
 * offered|good|bad|good_with_comment|...|changed, and the SLA figures the
 * executor puts in the context: sla_breached is true|false,
 * hours_until_next_sla_breach is|less_than|greater_than N - the latter
 * counts as an automation's time condition); rule_apply() applies
 * its actions to a working ticket and records them in a struct
 * ticket_change plus a list of notifications to enqueue; rule_run_triggers()
 * runs Zendesk's trigger cycle over an ordered list.
 *
 * Ownership: everything in struct rule, struct rule_notes is owned by the
 * struct and freed by rule_clear() / rule_notes_clear().  The context only
 * borrows.
 */
#ifndef SONNIM_RULE_H
#define SONNIM_RULE_H
#include "core/ticket.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* RULE_VIEW: a view's conditions (api/views.c) - the automations' fields
 * and operators (no "changed"), no actions, no time requirement. */
enum rule_kind { RULE_TRIGGER = 0, RULE_AUTOMATION = 1, RULE_VIEW = 2 };

/* One condition: field, operator and value as Zendesk spells them (value
 * is text; a JSON number or boolean is kept as its text; NULL = none). */
struct rule_cond {
	char *field, *op, *value;
};

/* One action: the field and its value(s) (a scalar is one element). */
struct rule_action {
	char *field;
	struct strlist value;
};

struct rule {
	int64_t id;			/* the stored rule (0 when parsed alone) */
	struct rule_cond *all, *any;	/* every "all" must hold; one "any" must
					   hold when there are some */
	size_t nall, nany;
	struct rule_action *actions;
	size_t nactions;
};

/* Parse conditions (object with "all"/"any" arrays; may be NULL for none)
 * and actions (non-empty array) into r, checking every field, operator and
 * value against the allow-list for kind.  Automations must also have at
 * least one time condition (hours_since_*) and a nullifying action (one
 * that changes a field an "all" condition tests, or adds a tag an "all"
 * condition requires absent / removes one it requires present), so each
 * fires once per ticket.  Views take no actions (actions must be NULL)
 * and need at least one condition.  0, or -1 with err "field: reason" (r cleared). */
int rule_parse(json_t *conditions, json_t *actions, enum rule_kind kind, struct rule *r,
	       char *err, size_t errlen);
void rule_clear(struct rule *r);

/* Times an automation's hours_since_* conditions read (unix seconds, 0 =
 * never): from the ticket (created, updated, solved) and its metrics. */
struct rule_times {
	int64_t assigned_at, status_updated_at, requester_updated_at, assignee_updated_at;
};

/* What an update looks like to the conditions.  All borrowed. */
struct rule_ctx {
	int creating;			/* update_type Create (1) or Change (0) */
	int64_t actor_id;		/* current_user */
	int actor_role;			/* ROLE_* of current_user */
	const char *via;		/* the update's channel ("web", "email", "api", ...) */
	const char *comment;		/* the update's comment text, NULL = none */
	int comment_public;
	const struct field_events *events;	/* what the update changed (may be NULL) */
	const struct ticket *before_rules;	/* the ticket before any rule acted
						   (changes since then count as changed) */
	int64_t now;			/* automations: the clock */
	struct rule_times times;
	/* SLA (filled by the executor when rule_uses_sla): the earliest breach
	 * time of an active metric (0 = none; may be past) and whether a metric
	 * is marked breached (achieved late, or active past its time) */
	int64_t sla_next_breach_at;
	int sla_breached;
};

/* 1 when r's conditions hold for t in ctx, else 0. */
int rule_matches(const struct rule *r, const struct ticket *t, const struct rule_ctx *ctx);

/* A notification an action asks for; the executor enqueues it as a job. */
struct rule_note {
	int webhook;		/* 0: mail.notify, 1: webhook.deliver */
	char *recipient;	/* mail: "requester", "assignee", "ccs", "group:<id>", "user:<id>" */
	char *subject, *body;	/* mail subject/body; webhook: body only */
	int64_t webhook_id;
};
struct rule_notes {
	struct rule_note *v;
	size_t n;
};
void rule_notes_clear(struct rule_notes *n);
/* The job payload for note (owned JSON text): mail.notify {"ticket_id",
 * "recipient", "subject", "body", "actor_id"} or webhook.deliver
 * {"webhook_id", "body", "ticket_id"}; *kind is the job kind. */
char *rule_note_payload(const struct rule_note *n, int64_t ticket_id, int64_t actor_id,
			const char **kind);

/* Apply r's actions to the working ticket t and record in out
 * the comment: field changes are made to t only (rule_diff turns them into
 * a change) and notes.  Returns 1 when a ticket field changed, 0 when not
 * (comments and notifications only). */
int rule_apply(const struct rule *r, struct ticket *t, const struct rule_ctx *ctx,
	       struct ticket_change *out, struct rule_notes *notes);

/* The change that turns from into to (status, priority, type, group,
 * assignee, tags as a full set, custom fields), added to out. */
void rule_diff(const struct ticket *from, const struct ticket *to, struct ticket_change *out);

/* Zendesk's trigger cycle: run rules[0..n) in order against t (the ticket
 * after the update, changed in place); when a rule fires and changes the
 * ticket the cycle starts over; each rule fires at most once; the cycle
 * ends when a pass fires nothing (or after max_passes).  fired[i] is set to
 * 1 for each rule that fired (fired has n entries).  The combined change is
 * in out, notifications in notes.  Returns how many rules fired. */
int rule_run_triggers(const struct rule *rules, size_t n, struct ticket *t,
		      const struct rule_ctx *ctx, int max_passes, struct ticket_change *out,
		      struct rule_notes *notes, int *fired);

/* 1 when r has an SLA condition (sla_breached, hours_until_next_sla_breach):
 * the executor must fill the context's sla_* members. */
int rule_uses_sla(const struct rule *r);

/* The fields an "all" condition pins to one status ("status is X"), for
 * prefiltering; NULL when the rule does not.  Borrowed from r. */
const char *rule_status_is(const struct rule *r);
#endif
