/* hc_portal.c - the customer side of the help center (filled in below). */
#include "api/api.h"
const struct route hc_portal_routes[] = {
    {0},
};
