/* fields.c - /api/v2 field endpoints (in progress). */
#include "api/api.h"

const struct route field_routes[] = {
	{0},
};
