/* workspace.c - the agent workspace's routes: its realtime stream
 * (http/sse.c).
 *
 *   GET /api/v2/sonnim/stream  text/event-stream of ticket events (agents)
 */
#include "api/api.h"
#include "http/sse.h"
#include <string.h>

static int stream(struct req *r)
{
	return sse_open_or_reply(r);
}

const struct route workspace_routes[] = {
	{M_GET, "/api/v2/sonnim/stream", ROLE_AGENT, stream, 0},
	{0},
};
