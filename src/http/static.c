/* static.c - serve the embedded agent workspace (web/) with strong caching.
 *
 * What it is: a lookup in the generated web_assets[] table (a few entries,
 * so a linear scan) and one reply per request built from static data, never
 * copied (MHD_RESPMEM_PERSISTENT).
 *
 * Caching, in the order a browser meets it:
 *   1. GET /agent/ -> index.html with "Cache-Control: no-cache" and a strong
 *      ETag: the browser asks every time, and a deploy is seen at once;
 *      If-None-Match with the same ETag gets an empty 304.
 *   2. index.html names assets/app-HASH.js and .css; those are "public,
 *      max-age=31536000, immutable": fetched once per deploy, then never
 *      revalidated (a new build has new names).
 *   3. Every file that compresses is also stored gzip'd (level 9, at build
 *      time): sent with "Content-Encoding: gzip" when Accept-Encoding lists
 *      gzip without q=0; "Vary: Accept-Encoding" either way.
 * Cost: a strcmp per asset, a few header lookups; no allocation but MHD's
 * response object.
 */
#include "http/static.h"
#include "http/http.h"
#include <microhttpd.h>
#include <string.h>
#include <strings.h>

const struct web_asset *static_find(const char *path)
{
	for (size_t i = 0; i < web_assets_count; i++)
		if (!strcmp(web_assets[i].path, path))
			return &web_assets[i];
	return NULL;
}

/* Does Accept-Encoding (a comma list with optional ;q=) allow gzip? */
static int accepts_gzip(const char *ae)
{
	if (!ae)
		return 0;
	const char *p = ae;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ",");
		size_t tok = strcspn(p, ";, ");
		if ((tok == 4 && !strncasecmp(p, "gzip", 4)) || (tok == 1 && *p == '*')) {
			const char *q = memchr(p, ';', n);
			/* q=0, q=0.0, q=0.00... refuse; any other weight accepts */
			if (!q)
				return 1;
			q++;
			while (*q == ' ')
				q++;
			if (strncasecmp(q, "q=0", 3))
				return 1;
			for (q += 3; *q == '.' || *q == '0'; q++)
				;
			if (*q >= '1' && *q <= '9')
				return 1;
			return 0;
		}
		p += n;
	}
	return 0;
}

/* Does the If-None-Match list hold etag (or "*")? */
static int etag_matches(const char *inm, const char *etag)
{
	if (!inm)
		return 0;
	size_t el = strlen(etag);
	for (const char *p = inm; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!strncmp(p, "W/", 2))
			p += 2;
		size_t n = strcspn(p, ", ");
		if ((n == el && !strncmp(p, etag, el)) || (n == 1 && *p == '*'))
			return 1;
		p += n;
	}
	return 0;
}

int static_reply(struct req *r, const struct web_asset *a)
{
	int gz = a->gz && accepts_gzip(req_header(r, "Accept-Encoding"));
	const char *cache = a->immutable ? "public, max-age=31536000, immutable" : "no-cache";
	if (etag_matches(req_header(r, "If-None-Match"), a->etag)) {
		reply_raw(r, 304, a->content_type, "", 0);
	} else {
		reply_static(r, 200, a->content_type, gz ? a->gz : a->data, gz ? a->gzlen : a->len);
		if (gz)
			reply_header(r, "Content-Encoding", "gzip");
	}
	reply_header(r, "ETag", a->etag);
	reply_header(r, "Cache-Control", cache);
	reply_header(r, "Vary", "Accept-Encoding");
	if (!a->immutable) {
		/* the page: scripts and styles from our own origin only */
		reply_header(r, "Content-Security-Policy",
			     "default-src 'self'; img-src 'self' data:; object-src 'none'; "
			     "base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
		reply_header(r, "Referrer-Policy", "same-origin");
	}
	return 0;
}
