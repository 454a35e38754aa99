/* campaign.h - job "campaign.send": an outbound campaign to its segment
 * (jobs/campaign.c has the order of work and why it sends exactly once).
 * The per-recipient mail is job "campaign.mail" (channels/email/campaign.c). */
#ifndef SONNIM_JOBS_CAMPAIGN_H
#define SONNIM_JOBS_CAMPAIGN_H
#include "jobs/jobs.h"

/* {"campaign_id"} -> {"members", "deliveries_added"} or {"skipped"}. */
int campaign_send_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		      char *err, size_t errlen);
#endif
