/* routes.c - the route table: each resource file exports its own table and
 * this file lists them in matching order (first match wins, so literal paths
 * like show_many come before {id} ones inside each table). */
#include "api/api.h"
#include "base/util.h"
#include <string.h>

extern const struct route system_routes[], ticket_routes[], user_routes[], org_routes[],
	group_routes[], field_routes[], upload_routes[], search_routes[], job_routes[],
	metric_routes[], mail_routes[], hc_routes[], hc_page_routes[], rule_routes[],
	webhook_routes[], macro_routes[],
	schedule_routes[], sla_policy_routes[], satisfaction_routes[],
	answer_bot_routes[], hc_portal_routes[], workspace_routes[], community_routes[],
	community_page_routes[], proactive_routes[], hc_flow_routes[], hc_answer_routes[],
	knowledge_routes[], ticket_form_routes[], messenger_routes[], view_routes[],
	token_routes[];

static const struct route *const tables[] = {
	system_routes, ticket_routes, user_routes, org_routes, group_routes,
	field_routes, upload_routes, search_routes, job_routes, metric_routes, mail_routes,
	hc_routes, proactive_routes /* before hc_page_routes: /hc/unsubscribe is no locale */,
	hc_page_routes, rule_routes, webhook_routes, macro_routes, schedule_routes,
	sla_policy_routes, satisfaction_routes,
	answer_bot_routes, hc_portal_routes, workspace_routes, community_routes,
	community_page_routes, hc_flow_routes, hc_answer_routes, knowledge_routes,
	ticket_form_routes, messenger_routes, view_routes, token_routes,
};

struct route api_routes[API_ROUTES_MAX];

void routes_init(void)
{
	size_t n = 0;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		for (const struct route *r = tables[t]; r->pattern; r++) {
			if (n + 1 >= ARRAY_SIZE(api_routes))
				BUG("more than %zu routes", ARRAY_SIZE(api_routes) - 1);
			api_routes[n++] = *r;
		}
	memset(&api_routes[n], 0, sizeof(api_routes[n]));
}
