/* orgs.c - /api/v2 org endpoints (in progress). */
#include "api/api.h"

const struct route org_routes[] = {
	{0},
};
