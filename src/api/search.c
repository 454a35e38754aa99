/* searchs.c - /api/v2 search endpoints (in progress). */
#include "api/api.h"

const struct route search_routes[] = {
	{0},
};
