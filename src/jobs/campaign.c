/* campaign.c - job "campaign.send" {"campaign_id"}: deliver an outbound
 * campaign to its segment.
 *
 * Order: read the campaign (gone, or rescheduled to later: nothing to do;
 * a job queued for the new time will run) -> mark it "sending" -> walk the
 * active end-users by id in batches of CAMPAIGN_BATCH, keep those in the
 * segment, and commit one write per batch that, per recipient and
 * channel, adds the delivery row under its UNIQUE (campaign, user,
 * channel) key and only when the row is new:
 *   email      queues job "campaign.mail" {"delivery_id"} (status queued;
 *              "skipped" without an address),
 *   messenger  stores the rendered message (status sent),
 *   either     status "opted_out" for users who opted out of campaigns.
 * -> mark the campaign "sent".  A second run (a retry after a crash, a
 * send_now while another worker sends, the same job claimed twice) adds
 * nothing for recipients already handled: exactly one message each, across
 * processes, because the database's unique key decides.  Cost: one user
 * page read and one commit per batch; segment tests in C.
 */
#include "jobs/campaign.h"
#include "base/log.h"
#include "base/util.h"
#include "core/placeholder.h"
#include "core/proactive.h"
#include "store/proactive_store.h"
#include "store/satisfaction_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAMPAIGN_BATCH 200

struct status_op {
	int64_t id, now;
	const char *status;
};

static int status_run(struct db *db, void *arg)
{
	struct status_op *op = arg;
	struct campaign c = {0};
	char secret[65];
	/* the site secret signs every recipient's unsubscribe link: make sure
	 * it exists before anything is sent (messenger messages show it too) */
	int rc = satisfaction_secret(db, secret);
	if (rc)
		return rc;
	rc = campaign_store_get(db, op->id, &c);
	if (rc) {
		campaign_clear(&c);
		return rc == 1 ? DB_REFUSED : rc;
	}
	free(c.status);
	c.status = xstrdup(op->status);
	if (!strcmp(op->status, "sending"))
		c.started_at = c.started_at ? c.started_at : op->now;
	else
		c.finished_at = op->now;
	c.updated_at = op->now;
	rc = campaign_store_update(db, &c);
	campaign_clear(&c);
	return rc == 1 ? DB_REFUSED : rc;
}

struct batch_op {
	const struct campaign *c;
	struct user *users;	/* the segment's members in this batch */
	int n;
	int64_t now;
	int added;		/* delivery rows added */
};

static int deliver(struct db *db, struct batch_op *op, const struct user *u, const char *channel,
		   int opted)
{
	const char *status = opted ? "opted_out" : "sent";
	int email = !strcmp(channel, "email");
	if (!opted && email)
		status = u->email ? "queued" : "skipped";
	int64_t id = 0;
	int rc = campaign_delivery_add(db, op->c->id, u->id, channel, status,
				       email && !opted && !u->email ? "no email address" : NULL,
				       op->now, &id);
	if (rc) /* 1: handled by an earlier run */
		return rc == 1 ? 0 : rc;
	op->added++;
	if (!strcmp(status, "queued")) {
		char p[48];
		snprintf(p, sizeof(p), "{\"delivery_id\":%" PRId64 "}", id);
		return jobs_enqueue(db, "campaign.mail", p, op->now, NULL);
	}
	if (!email && !opted) {
		struct ph_context ctx = PH_CONTEXT_INIT;
		campaign_ph_fill(&ctx, u);
		char *tmpl = proactive_text_pick(op->c->body, u->locale);
		char *body = ph_render_str(tmpl ? tmpl : "", &ctx, PH_TEXT, NULL);
		free(tmpl);
		rc = campaign_message_add(db, op->c->id, u->id, body, op->now);
		free(body);
		ph_context_clear(&ctx);
	}
	return rc;
}

static int batch_run(struct db *db, void *arg)
{
	struct batch_op *op = arg;
	op->added = 0;
	for (int i = 0; i < op->n; i++) {
		const struct user *u = &op->users[i];
		int opted = campaign_opted_out(db, u->id);
		if (opted < 0)
			return opted;
		int rc = 0;
		if (op->c->email)
			rc = deliver(db, op, u, "email", opted);
		if (!rc && op->c->messenger)
			rc = deliver(db, op, u, "messenger", opted);
		if (rc)
			return rc;
	}
	return 0;
}

int campaign_send_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
		      char *err, size_t errlen)
{
	(void)job_id;
	int64_t id = json_integer_value(json_object_get(payload, "campaign_id"));
	int64_t now = now_seconds();
	struct campaign c = {0};
	struct db *db = store_reader(s->store);
	int rc = campaign_store_get(db, id, &c);
	store_release(s->store, db);
	if (rc < 0) {
		snprintf(err, errlen, "database error");
		return -1;
	}
	if (rc || !c.send_at || c.send_at > now) {
		*result = json_pack("{s:s}", "skipped", rc ? "no such campaign" : "not due");
		campaign_clear(&c);
		return 0;
	}
	struct status_op so = {id, now, "sending"};
	if (store_write(s->store, status_run, &so)) {
		campaign_clear(&c);
		snprintf(err, errlen, "database error");
		return -1;
	}
	int64_t after = 0, members = 0, added = 0;
	for (;;) {
		struct user_filter f = {.roles = 1u << ROLE_END_USER,
					.win = {.after_id = after, .limit = CAMPAIGN_BATCH}};
		struct user *v;
		int n;
		db = store_reader(s->store);
		rc = user_store_find(db, &f, &v, &n);
		store_release(s->store, db);
		if (rc) {
			campaign_clear(&c);
			snprintf(err, errlen, "database error");
			return -1; /* a retry resumes: deliveries made so far stay made */
		}
		if (!n) {
			free(v);
			break;
		}
		after = v[n - 1].id;
		/* keep the segment's members at the front */
		int k = 0;
		for (int i = 0; i < n; i++) {
			if (v[i].active && !v[i].suspended && segment_match(&c.segment, &v[i])) {
				struct user t = v[k];
				v[k++] = v[i];
				v[i] = t;
			}
		}
		members += k;
		struct batch_op bo = {.c = &c, .users = v, .n = k, .now = now};
		rc = k ? store_write(s->store, batch_run, &bo) : 0;
		user_list_free(v, n);
		if (rc) {
			campaign_clear(&c);
			snprintf(err, errlen, "database error");
			return -1;
		}
		added += bo.added;
		if (n < CAMPAIGN_BATCH)
			break;
	}
	so.status = "sent";
	so.now = now_seconds();
	rc = store_write(s->store, status_run, &so);
	log_info("campaign", "campaign=%" PRId64 " members=%" PRId64 " new_deliveries=%" PRId64, id,
		 members, added);
	campaign_clear(&c);
	if (rc) {
		snprintf(err, errlen, "database error");
		return -1;
	}
	*result = json_pack("{s:I,s:I}", "members", (json_int_t)members, "deliveries_added",
			    (json_int_t)added);
	jobs_kick();
	return 0;
}
