/* metric.c - folding ticket events into metrics (see metric.h). */
#include "core/metric.h"
#include <string.h>

void metric_init(struct ticket_metric *m, int64_t ticket_id, int64_t created_at)
{
	memset(m, 0, sizeof(*m));
	m->ticket_id = ticket_id;
	m->created_at = m->updated_at = m->status_updated_at = created_at;
	m->first_reply_minutes = m->first_resolution_minutes = m->full_resolution_minutes = -1;
}

static int done(const char *s)
{
	return s && (!strcmp(s, "solved") || !strcmp(s, "closed"));
}

void metric_apply(struct ticket_metric *m, const struct metric_event *e)
{
	int64_t mins = (e->at - m->created_at) / 60;
	m->updated_at = e->at;
	if (!strcmp(e->type, "comment.added")) {
		m->latest_comment_added_at = e->at;
		if (e->author_is_requester)
			m->requester_updated_at = e->at;
		if (e->comment_public && e->author_is_agent && !e->author_is_requester) {
			m->replies++;
			if (m->first_reply_minutes < 0)
				m->first_reply_minutes = mins;
		}
		return;
	}
	if (e->assignee_changed) {
		m->assignee_updated_at = e->at;
		if (e->assignee_to) {
			m->assignee_stations++;
			m->assigned_at = e->at;
			if (!m->initially_assigned_at)
				m->initially_assigned_at = e->at;
		}
	}
	if (e->group_changed && e->group_to)
		m->group_stations++;
	if (e->status_to) {
		m->status_updated_at = e->at;
		if (done(e->status_to) && !done(e->status_from)) {
			if (!strcmp(e->status_to, "solved") || !m->solved_at)
				m->solved_at = e->at;
			if (m->first_resolution_minutes < 0)
				m->first_resolution_minutes = mins;
			m->full_resolution_minutes = mins;
		} else if (!done(e->status_to) && done(e->status_from)) {
			m->reopens++;
			m->full_resolution_minutes = -1;
		}
	}
}
