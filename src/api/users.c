/* users.c - /api/v2 user endpoints (in progress). */
#include "api/api.h"

const struct route user_routes[] = {
	{0},
};
