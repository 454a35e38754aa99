/* uploads.c - /api/v2 upload endpoints (in progress). */
#include "api/api.h"

const struct route upload_routes[] = {
	{0},
};
