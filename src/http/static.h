/* static.h - the agent workspace's files, embedded in the binary.
 *
 * The table is generated at build time (scripts/embed-web.mjs writes
 * $(BUILD)/gen/web_assets.c from web/'s esbuild output), so the binary is
 * the whole deployment: nothing is read from disk at run time.
 */
#ifndef SONNIM_STATIC_H
#define SONNIM_STATIC_H
#include <stddef.h>

struct req;

/* One embedded file.  All pointers are static data, never freed. */
struct web_asset {
	const char *path;		/* relative URL path: "index.html", "assets/app-HASH.js" */
	const char *content_type;	/* for Content-Type */
	const unsigned char *data;	/* the bytes */
	size_t len;
	const unsigned char *gz;	/* gzip of data, or NULL when it would not pay */
	size_t gzlen;
	const unsigned char *br;	/* brotli of data, or NULL when it would not pay */
	size_t brlen;
	const char *etag;		/* strong ETag with its quotes: "\"0123abcd...\"" */
	int immutable;			/* the name carries a content hash: cache for a year */
};

/* The generated table, terminated by {0}; web_assets_count entries. */
extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

/* The asset at path (relative, no leading slash), or NULL. */
const struct web_asset *static_find(const char *path);

/* The weight Accept-Encoding value ae gives content coding name, in
 * thousandths (0-1000): an exact token wins over "*"; 0 when neither is
 * listed or ae is NULL (identity is never asked about).  "q=0" refuses. */
int static_coding_weight(const char *ae, const char *name);

/* Reply with asset a: 200 with the body (brotli or gzip when the request's
 * Accept-Encoding allows it and that form exists: the higher weight wins,
 * brotli on a tie), or 304 when If-None-Match
 * holds a->etag.  Caching: immutable assets get "public, max-age=31536000,
 * immutable", the rest (index.html) "no-cache" so the browser revalidates
 * with the ETag on every load.  Always returns 0. */
int static_reply(struct req *r, const struct web_asset *a);
#endif
