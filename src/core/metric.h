/* metric.h - Zendesk's ticket metrics, computed from the ticket's events.
 *
 * metric_apply() folds one event into a struct ticket_metric: pure, no I/O,
 * so the listener (jobs/handlers.c) loads the row, applies, saves.  Times
 * are unix seconds; durations are whole minutes of calendar time (business
 * hours come with the SLA issue).  0 means "not yet". */
#ifndef SONNIM_METRIC_H
#define SONNIM_METRIC_H
#include <stdint.h>

struct ticket_metric {
	int64_t ticket_id;
	int64_t created_at, updated_at;
	int replies;		/* public comments by agents */
	int reopens;		/* solved/closed -> another status */
	int assignee_stations;	/* how many assignees it had */
	int group_stations;	/* how many groups it went through */
	int64_t initially_assigned_at, assigned_at, solved_at, status_updated_at;
	int64_t latest_comment_added_at, requester_updated_at, assignee_updated_at;
	int64_t first_reply_minutes;		/* -1 = no reply yet */
	int64_t first_resolution_minutes;	/* -1 = never solved */
	int64_t full_resolution_minutes;	/* -1 = not solved now */
};

/* What happened, in the words of the outbox. */
struct metric_event {
	const char *type;	/* ticket.created, ticket.updated, comment.added */
	int64_t at;
	/* ticket.updated: field changes (NULL = the field did not change) */
	const char *status_from, *status_to;
	int assignee_changed, group_changed;
	int64_t assignee_to, group_to;
	/* comment.added */
	int comment_public, author_is_agent, author_is_requester;
};

void metric_init(struct ticket_metric *m, int64_t ticket_id, int64_t created_at);
void metric_apply(struct ticket_metric *m, const struct metric_event *e);
#endif
