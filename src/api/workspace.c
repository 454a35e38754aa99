/* workspace.c - the agent workspace's routes: the embedded single-page app
 * (web/, served by http/static.c) and its realtime stream (http/sse.c).
 *
 *   GET /agent                 302 to /agent/ (relative asset URLs need it)
 *   GET /agent/                index.html (no-cache + ETag)
 *   GET /agent/assets/{word}   hashed JS/CSS (immutable, gzip)
 *   GET /api/v2/sonnim/stream  text/event-stream of ticket events (agents)
 * The app itself is public (it holds no data); everything it shows comes
 * from the API with the browser session.  In-app routes live after '#', so
 * the server needs no catch-all.
 */
#include "api/api.h"
#include "http/sse.h"
#include "http/static.h"
#include <string.h>

static int agent_redirect(struct req *r)
{
	reply_raw(r, 302, "text/plain; charset=utf-8", "", 0);
	reply_header(r, "Location", "/agent/");
	return 0;
}

static int agent_index(struct req *r)
{
	const struct web_asset *a = static_find("index.html");
	if (!a)
		return reply_error(r, 404, "InvalidEndpoint", "the workspace was not built in", NULL);
	return static_reply(r, a);
}

static int agent_asset(struct req *r)
{
	char path[sizeof(r->word) + 8];
	snprintf(path, sizeof(path), "assets/%s", r->word);
	const struct web_asset *a = static_find(path);
	if (!a) /* an old build's asset name: not a missing route */
		return reply_not_found(r);
	return static_reply(r, a);
}

static int stream(struct req *r)
{
	return sse_open_or_reply(r);
}

const struct route workspace_routes[] = {
	{M_GET, "/agent", PUBLIC, agent_redirect, 0},
	{M_GET, "/agent/", PUBLIC, agent_index, 0},
	{M_GET, "/agent/assets/{word}", PUBLIC, agent_asset, 0},
	{M_GET, "/api/v2/sonnim/stream", ROLE_AGENT, stream, 0},
	{0},
};
