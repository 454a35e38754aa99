/* fuzz.c - libFuzzer harness for the SLA policy parser and clock
 * (core/sla.c) and schedule intervals (core/schedule.c): everything an
 * admin's JSON reaches.
 *
 * Build and run: `make fuzz` (FUZZ_ONLY=sla_policy), or by hand as in
 * tests/fuzz/search_query/fuzz.c with src/core/sla.c, src/core/schedule.c,
 * src/base/util.c, src/base/buf.c and the jansson and ICU libraries.
 *
 * Each input is a JSON object {"filter", "policy_metrics", "intervals",
 * "state"}.  The filter and metrics go through sla_policy_parse(); on
 * success the policy is matched against two tickets and evaluated, for
 * every priority, over a clock folded from a fixed event sequence, with
 * and without a schedule made of the input's intervals (when they are
 * valid).  "state" goes through sla_state_load() and is evaluated too.
 * Invariants: a failed parse leaves nothing and says why; evaluation
 * reports at most one entry per metric, with a known stage, and a breach
 * time only for active metrics.
 */
#include "core/schedule.h"
#include "core/sla.h"
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const prios[] = {"low", "normal", "high", "urgent", "", NULL};

static void evaluate(const struct sla_state *st, const struct sla_policy *p,
		     struct schedule *sch)
{
	for (size_t i = 0; i < sizeof(prios) / sizeof(*prios); i++) {
		struct sla_metric_status out[SLA_NMETRICS];
		int n = sla_evaluate(st, p, prios[i], sch, 1772830800, out);
		if (n < 0 || n > SLA_NMETRICS)
			abort();
		int seen[SLA_NMETRICS] = {0};
		for (int k = 0; k < n; k++) {
			if (out[k].metric < 0 || out[k].metric >= SLA_NMETRICS || seen[out[k].metric]++)
				abort();
			if (!sla_stage_name(out[k].stage))
				abort();
			if (out[k].stage != SLA_STAGE_ACTIVE && out[k].breach_at)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size, 0, NULL);
	if (!json_is_object(in)) {
		json_decref(in);
		return 0;
	}
	struct sla_policy p;
	char err[512] = "";
	int rc = sla_policy_parse(json_object_get(in, "filter"), json_object_get(in, "policy_metrics"),
				  &p, err, sizeof(err));
	if (rc) {
		if (rc != -1 || !err[0] || p.all || p.any || p.targets || p.nall || p.nany ||
		    p.ntargets)
			abort();
		json_decref(in);
		return 0;
	}
	/* a schedule from the input's intervals, when they are valid */
	struct schedule sch, *schp = NULL;
	json_t *iv = json_object_get(in, "intervals");
	size_t niv = json_array_size(iv) > 50 ? 50 : json_array_size(iv);
	struct schedule_interval v[50];
	for (size_t i = 0; i < niv; i++) {
		json_t *e = json_array_get(iv, i);
		v[i].start = (int)json_integer_value(json_object_get(e, "start_time"));
		v[i].end = (int)json_integer_value(json_object_get(e, "end_time"));
	}
	if (!schedule_open(&sch, "America/New_York", v, (int)niv, NULL, 0, err, sizeof(err)))
		schp = &sch;
	char *tags[] = {"vip", "배송"};
	struct sla_ticket t1 = {.status = "open", .priority = "high", .type = "incident",
				.via = "email", .group_id = 7, .requester_id = 3, .tags = tags,
				.ntags = 2};
	struct sla_ticket t2 = {0};
	sla_policy_match(&p, &t1);
	sla_policy_match(&p, &t2);
	/* a clock through every kind of event */
	struct sla_state st;
	sla_state_init(&st);
	int64_t t0 = 1772830800;
	struct sla_event evs[] = {
	    {.kind = SLA_EV_CREATED, .at = t0, .status = "new"},
	    {.kind = SLA_EV_COMMENT, .at = t0 + 60, .comment_public = 1, .by_agent = 1},
	    {.kind = SLA_EV_COMMENT, .at = t0 + 3600, .comment_public = 1},
	    {.kind = SLA_EV_STATUS, .at = t0 + 7200, .status = "pending"},
	    {.kind = SLA_EV_STATUS, .at = t0 + 86400 * 3, .status = "hold"},
	    {.kind = SLA_EV_STATUS, .at = t0 + 86400 * 4, .status = "solved"},
	    {.kind = SLA_EV_STATUS, .at = t0 + 86400 * 5, .status = "open"},
	};
	for (size_t i = 0; i < sizeof(evs) / sizeof(*evs); i++) {
		sla_fold(&st, &evs[i], schp);
		evaluate(&st, &p, schp);
		evaluate(&st, &p, NULL);
	}
	/* a saved state from outside */
	const char *text = json_string_value(json_object_get(in, "state"));
	if (text && !sla_state_load(&st, text)) {
		evaluate(&st, &p, schp);
		char *back = sla_state_dump(&st);
		free(back);
	}
	if (schp)
		schedule_release(schp);
	sla_policy_clear(&p);
	sla_policy_clear(&p);
	json_decref(in);
	return 0;
}
