/* groups.c - /api/v2 group endpoints (in progress). */
#include "api/api.h"

const struct route group_routes[] = {
	{0},
};
