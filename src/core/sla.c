/* sla.c - SLA policies (parse, match) and the SLA clock (fold, evaluate);
 * see sla.h for the metric definitions.
 *
 * Order of calls for one ticket event: sla_state_load (the saved state),
 * sla_fold (the event), sla_policy_match over the policies by position,
 * sla_evaluate (targets -> stages and breach times), sla_state_dump.
 * Cost: folding is O(1) plus one schedule_between per running stretch
 * that ends; evaluating is one schedule_add per active business metric.
 */
#include "core/sla.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLA_TIME_MAX INT64_C(95617584000) /* 5000-01-01 */

static const char *const metric_names[SLA_NMETRICS] = {
	"first_reply_time", "next_reply_time", "periodic_update_time", "requester_wait_time",
	"agent_work_time", "total_resolution_time",
};
static const char *const priorities[] = {"low", "normal", "high", "urgent"};
static const char *const statuses[] = {"new", "open", "pending", "hold", "solved", "closed"};

const char *sla_metric_name(int metric)
{
	return metric >= 0 && metric < SLA_NMETRICS ? metric_names[metric] : NULL;
}

int sla_metric_parse(const char *name)
{
	for (int i = 0; name && i < SLA_NMETRICS; i++)
		if (!strcmp(name, metric_names[i]))
			return i;
	return -1;
}

const char *sla_stage_name(int stage)
{
	switch (stage) {
	case SLA_STAGE_ACTIVE: return "active";
	case SLA_STAGE_PAUSED: return "paused";
	case SLA_STAGE_ACHIEVED: return "achieved";
	default: return NULL;
	}
}

static int rank(const char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; v && i < n; i++)
		if (!strcmp(list[i], v))
			return (int)i;
	return -1;
}

/* ---- policies ---------------------------------------------------------- */

struct field_rule {
	const char *name;
	int ordered;	/* less_than / greater_than make sense */
	int tags;	/* includes / not_includes */
};
static const struct field_rule fields[] = {
	{"status", 1, 0},	  {"priority", 1, 0},	    {"type", 0, 0},
	{"group_id", 0, 0},	  {"assignee_id", 0, 0},    {"organization_id", 0, 0},
	{"requester_id", 0, 0},	  {"current_tags", 0, 1},   {"tags", 0, 1},
	{"via", 0, 0},
};

static const struct field_rule *field_rule(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(fields); i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

static int parse_conditions(json_t *arr, const char *which, struct sla_condition **out, int *n,
			    char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > 100) {
		snprintf(err, errlen, "filter: \"%s\" must be an array of conditions", which);
		return -1;
	}
	*out = xcalloc(json_array_size(arr) + 1, sizeof(**out));
	size_t i;
	json_t *c;
	json_array_foreach(arr, i, c)
	{
		const char *f = json_string_value(json_object_get(c, "field"));
		const char *op = json_string_value(json_object_get(c, "operator"));
		json_t *v = json_object_get(c, "value");
		const struct field_rule *fr = field_rule(f);
		int ok_op = op && (!strcmp(op, "is") || !strcmp(op, "is_not") ||
				   (fr && fr->ordered &&
				    (!strcmp(op, "less_than") || !strcmp(op, "greater_than"))) ||
				   (fr && fr->tags &&
				    (!strcmp(op, "includes") || !strcmp(op, "not_includes"))));
		char num[32] = "";
		if (json_is_integer(v))
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		if (!fr || !ok_op || (v && !json_is_null(v) && !json_is_string(v) && !*num)) {
			snprintf(err, errlen, "filter: condition %zu of \"%s\" (%s %s) is not supported",
				 i, which, f ? f : "?", op ? op : "?");
			for (int k = 0; k < *n; k++) {
				free((*out)[k].field);
				free((*out)[k].op);
				free((*out)[k].value);
			}
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		struct sla_condition *d = &(*out)[(*n)++];
		d->field = xstrdup(f);
		d->op = xstrdup(op);
		d->value = xstrdup(*num ? num : json_is_string(v) ? json_string_value(v) : "");
	}
	return 0;
}

int sla_policy_parse(json_t *filter, json_t *metrics, struct sla_policy *p, char *err,
		     size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (filter && !json_is_null(filter) && !json_is_object(filter)) {
		snprintf(err, errlen, "filter: expected an object with \"all\" and \"any\"");
		return -1;
	}
	if (parse_conditions(json_object_get(filter, "all"), "all", &p->all, &p->nall, err,
			     errlen) ||
	    parse_conditions(json_object_get(filter, "any"), "any", &p->any, &p->nany, err,
			     errlen)) {
		sla_policy_clear(p);
		return -1;
	}
	if (metrics && !json_is_null(metrics) &&
	    (!json_is_array(metrics) || json_array_size(metrics) > 100)) {
		snprintf(err, errlen, "policy_metrics: expected an array");
		sla_policy_clear(p);
		return -1;
	}
	p->targets = xcalloc(json_array_size(metrics) + 1, sizeof(*p->targets));
	size_t i;
	json_t *m;
	json_array_foreach(metrics, i, m)
	{
		const char *prio = json_string_value(json_object_get(m, "priority"));
		int metric = sla_metric_parse(json_string_value(json_object_get(m, "metric")));
		json_t *target = json_object_get(m, "target"), *bh = json_object_get(m, "business_hours");
		if (rank(priorities, ARRAY_SIZE(priorities), prio) < 0 || metric < 0 ||
		    !json_is_integer(target) || json_integer_value(target) <= 0 ||
		    json_integer_value(target) > 525600 * 10 || (bh && !json_is_boolean(bh))) {
			snprintf(err, errlen,
				 "policy_metrics: entry %zu needs priority (low, normal, high, urgent),"
				 " metric (first_reply_time, next_reply_time, periodic_update_time,"
				 " requester_wait_time, agent_work_time, total_resolution_time),"
				 " target (minutes > 0) and"
				 " business_hours (true/false)",
				 i);
			sla_policy_clear(p);
			return -1;
		}
		struct sla_target *t = &p->targets[p->ntargets++];
		snprintf(t->priority, sizeof(t->priority), "%s", prio);
		t->metric = metric;
		t->minutes = json_integer_value(target);
		t->business = json_is_true(bh);
	}
	return 0;
}

static void conds_free(struct sla_condition *c, int n)
{
	for (int i = 0; i < n; i++) {
		free(c[i].field);
		free(c[i].op);
		free(c[i].value);
	}
	free(c);
}

void sla_policy_clear(struct sla_policy *p)
{
	conds_free(p->all, p->nall);
	conds_free(p->any, p->nany);
	free(p->targets);
	memset(p, 0, sizeof(*p));
}

static int has_tag(const struct sla_ticket *t, const char *tag, size_t len)
{
	for (int i = 0; i < t->ntags; i++)
		if (strlen(t->tags[i]) == len && !strncmp(t->tags[i], tag, len))
			return 1;
	return 0;
}

/* 1 when any of the space-separated words of v is a tag of t. */
static int any_tag(const struct sla_ticket *t, const char *v)
{
	for (const char *p = v; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n && has_tag(t, p, n))
			return 1;
		p += n;
	}
	return 0;
}

static int cond_holds(const struct sla_condition *c, const struct sla_ticket *t)
{
	const struct field_rule *fr = field_rule(c->field);
	if (!fr)
		return 0;
	if (fr->tags) {
		int any = any_tag(t, c->value);
		if (!strcmp(c->op, "includes"))
			return any;
		if (!strcmp(c->op, "not_includes"))
			return !any;
		int has = has_tag(t, c->value, strlen(c->value));
		return !strcmp(c->op, "is") ? has : !has;
	}
	char num[32] = "";
	const char *v = NULL;
	int64_t id = -1;
	if (!strcmp(c->field, "status"))
		v = t->status;
	else if (!strcmp(c->field, "priority"))
		v = t->priority;
	else if (!strcmp(c->field, "type"))
		v = t->type;
	else if (!strcmp(c->field, "via"))
		v = t->via;
	else if (!strcmp(c->field, "group_id"))
		id = t->group_id;
	else if (!strcmp(c->field, "assignee_id"))
		id = t->assignee_id;
	else if (!strcmp(c->field, "organization_id"))
		id = t->organization_id;
	else
		id = t->requester_id;
	if (id > 0)
		snprintf(num, sizeof(num), "%lld", (long long)id);
	if (id >= 0)
		v = num;
	if (!v)
		v = "";
	if (!strcmp(c->op, "is"))
		return !strcmp(v, c->value);
	if (!strcmp(c->op, "is_not"))
		return strcmp(v, c->value) != 0;
	int a, b;
	if (!strcmp(c->field, "status")) {
		a = rank(statuses, ARRAY_SIZE(statuses), v);
		b = rank(statuses, ARRAY_SIZE(statuses), c->value);
	} else {
		a = rank(priorities, ARRAY_SIZE(priorities), v);
		b = rank(priorities, ARRAY_SIZE(priorities), c->value);
	}
	if (a < 0 || b < 0)
		return 0;
	return !strcmp(c->op, "less_than") ? a < b : a > b;
}

int sla_policy_match(const struct sla_policy *p, const struct sla_ticket *t)
{
	for (int i = 0; i < p->nall; i++)
		if (!cond_holds(&p->all[i], t))
			return 0;
	if (!p->nany)
		return 1;
	for (int i = 0; i < p->nany; i++)
		if (cond_holds(&p->any[i], t))
			return 1;
	return 0;
}

/* ---- the clock --------------------------------------------------------- */

void sla_state_init(struct sla_state *s)
{
	memset(s, 0, sizeof(*s));
}

static int64_t business(struct schedule *sch, int64_t a, int64_t b)
{
	return sch ? schedule_between(sch, a, b) : (b > a ? b - a : 0);
}

static void cycle(struct sla_measure *m, int64_t at)
{
	memset(m, 0, sizeof(*m));
	m->run = SLA_RUNNING;
	m->started_at = m->run_from = at;
}

static void run(struct sla_measure *m, int64_t at)
{
	if (m->run != SLA_RUNNING) {
		m->run = SLA_RUNNING;
		m->run_from = at;
	}
}

static void pause_at(struct sla_measure *m, int64_t at, struct schedule *sch)
{
	if (m->run == SLA_RUNNING) {
		m->spent_cal += at > m->run_from ? at - m->run_from : 0;
		m->spent_bus += business(sch, m->run_from, at);
		m->run_from = 0;
	}
	m->run = SLA_PAUSED;
}

static void finish(struct sla_measure *m, int64_t at, struct schedule *sch)
{
	if (m->run != SLA_RUNNING && m->run != SLA_PAUSED)
		return;
	pause_at(m, at, sch);
	m->run = SLA_DONE;
	m->done_at = at;
}

static int is_done(const char *st)
{
	return st && (!strcmp(st, "solved") || !strcmp(st, "closed"));
}

static void apply_status(struct sla_state *s, const char *st, int64_t at, struct schedule *sch)
{
	if (!st)
		return;
	if (is_done(st)) {
		for (int i = 0; i < SLA_NMETRICS; i++)
			finish(&s->m[i], at, sch);
		return;
	}
	int rwt = !strcmp(st, "new") || !strcmp(st, "open") || !strcmp(st, "hold");
	int awt = !strcmp(st, "new") || !strcmp(st, "open");
	struct {
		int metric, counts;
	} timed[] = {{SLA_REQUESTER_WAIT, rwt}, {SLA_AGENT_WORK, awt}, {SLA_TOTAL_RESOLUTION, 1}};
	for (size_t i = 0; i < ARRAY_SIZE(timed); i++) {
		struct sla_measure *m = &s->m[timed[i].metric];
		if (m->run == SLA_IDLE) {
			cycle(m, at);
		} else if (m->run == SLA_DONE) { /* reopened: the same clock resumes */
			m->run = SLA_PAUSED;
			m->done_at = 0;
		}
		if (timed[i].counts)
			run(m, at);
		else
			pause_at(m, at, sch);
	}
}

void sla_fold(struct sla_state *s, const struct sla_event *e, struct schedule *sch)
{
	switch (e->kind) {
	case SLA_EV_CREATED:
		cycle(&s->m[SLA_FIRST_REPLY], e->at);
		apply_status(s, e->status ? e->status : "new", e->at, sch);
		break;
	case SLA_EV_STATUS:
		apply_status(s, e->status, e->at, sch);
		break;
	case SLA_EV_COMMENT:
		if (!e->comment_public)
			break;
		if (e->by_agent) {
			finish(&s->m[SLA_FIRST_REPLY], e->at, sch);
			finish(&s->m[SLA_NEXT_REPLY], e->at, sch);
			s->replied = 1;
			if (s->m[SLA_REQUESTER_WAIT].run != SLA_DONE)
				cycle(&s->m[SLA_PERIODIC_UPDATE], e->at);
		} else if (s->replied && s->m[SLA_NEXT_REPLY].run != SLA_RUNNING &&
			   s->m[SLA_REQUESTER_WAIT].run != SLA_DONE) {
			cycle(&s->m[SLA_NEXT_REPLY], e->at);
		}
		break;
	}
}

int sla_evaluate(const struct sla_state *s, const struct sla_policy *p, const char *priority,
		 struct schedule *sch, int64_t now, struct sla_metric_status *out)
{
	if (!p || !priority || !*priority)
		return 0;
	int n = 0, seen[SLA_NMETRICS] = {0};
	for (int i = 0; i < p->ntargets; i++) {
		const struct sla_target *t = &p->targets[i];
		if (strcmp(t->priority, priority) || seen[t->metric])
			continue;
		seen[t->metric] = 1;
		const struct sla_measure *m = &s->m[t->metric];
		if (m->run == SLA_IDLE)
			continue;
		struct sla_metric_status *o = &out[n++];
		memset(o, 0, sizeof(*o));
		o->metric = t->metric;
		o->target_minutes = t->minutes;
		o->business = t->business;
		int64_t target = t->minutes * 60, spent = t->business ? m->spent_bus : m->spent_cal;
		if (m->run == SLA_RUNNING) {
			o->stage = SLA_STAGE_ACTIVE;
			int64_t left = target - spent;
			if (left <= 0)
				o->breach_at = m->run_from; /* already over when it resumed */
			else if (!t->business || !sch)
				o->breach_at = m->run_from + left;
			else if (schedule_add(sch, m->run_from, left, &o->breach_at))
				o->breach_at = 0; /* no business time ahead: never */
			o->breached = o->breach_at && o->breach_at <= now;
		} else if (m->run == SLA_PAUSED) {
			o->stage = SLA_STAGE_PAUSED;
			o->breached = spent >= target;
		} else {
			o->stage = SLA_STAGE_ACHIEVED;
			o->breached = spent > target;
		}
	}
	return n;
}

char *sla_state_dump(const struct sla_state *s)
{
	json_t *arr = json_array();
	for (int i = 0; i < SLA_NMETRICS; i++) {
		const struct sla_measure *m = &s->m[i];
		json_array_append_new(arr, json_pack("[i,I,I,I,I,I]", m->run,
						     (json_int_t)m->started_at,
						     (json_int_t)m->run_from, (json_int_t)m->spent_cal,
						     (json_int_t)m->spent_bus, (json_int_t)m->done_at));
	}
	json_t *o = json_pack("{s:i,s:o}", "replied", s->replied, "m", arr);
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

int sla_state_load(struct sla_state *s, const char *text)
{
	sla_state_init(s);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	json_t *arr = json_object_get(o, "m");
	/* a state saved before a metric was added has fewer entries: the new
	 * ones start idle */
	if (!json_is_array(arr) || !json_array_size(arr) || json_array_size(arr) > SLA_NMETRICS) {
		json_decref(o);
		return -1;
	}
	s->replied = (int)json_integer_value(json_object_get(o, "replied"));
	for (int i = 0; i < (int)json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, (size_t)i);
		struct sla_measure *m = &s->m[i];
		m->run = (int)json_integer_value(json_array_get(v, 0));
		m->started_at = json_integer_value(json_array_get(v, 1));
		m->run_from = json_integer_value(json_array_get(v, 2));
		m->spent_cal = json_integer_value(json_array_get(v, 3));
		m->spent_bus = json_integer_value(json_array_get(v, 4));
		m->done_at = json_integer_value(json_array_get(v, 5));
		if (m->run < SLA_IDLE || m->run > SLA_DONE)
			m->run = SLA_IDLE;
		/* times and durations stay within [0, year 5000] so the sums of
		 * sla_evaluate cannot overflow, whatever the text said */
		int64_t *f[] = {&m->started_at, &m->run_from, &m->spent_cal, &m->spent_bus,
				&m->done_at};
		for (size_t k = 0; k < ARRAY_SIZE(f); k++)
			if (*f[k] < 0 || *f[k] > SLA_TIME_MAX)
				*f[k] = 0;
	}
	json_decref(o);
	return 0;
}
