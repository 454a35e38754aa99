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
 *   3. Every file that compresses is also stored gzip'd (level 9) and
 *      brotli'd (quality 11), both at build time: static_coding_weight()
 *      reads Accept-Encoding's q-values (an exact coding beats "*", q=0
 *      refuses) and the higher weight is sent, brotli on a tie, with its
 *      Content-Encoding; "Vary: Accept-Encoding" either way.  Each
 *      encoding is its own representation, so its strong ETag gets a
 *      suffix ("HASH-br", "HASH-gz"), as RFC 9110 asks of strong
 *      validators.
 * Cost: a strcmp per asset, a few header scans; no allocation but MHD's
 * response object.
 */
#include "http/static.h"
#include "base/util.h"
#include "http/http.h"
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct web_asset *static_find(const char *path)
{
	for (size_t i = 0; i < web_assets_count; i++)
		if (!strcmp(web_assets[i].path, path))
			return &web_assets[i];
	return NULL;
}

/* A q-value ("1", "0.5", "0.005", at most three decimals) in thousandths;
 * a malformed one counts as 1000, as if it were absent. */
static int parse_q(const char *q, size_t n)
{
	if (!n || (*q != '0' && *q != '1'))
		return 1000;
	int whole = *q - '0', frac = 0, digits = 0;
	size_t i = 1;
	if (i < n && q[i] == '.')
		for (i++; i < n && q[i] >= '0' && q[i] <= '9'; i++)
			if (digits < 3) {
				frac = frac * 10 + (q[i] - '0');
				digits++;
			}
	if (i != n)
		return 1000;
	while (digits++ < 3)
		frac *= 10;
	int v = whole * 1000 + frac;
	return v > 1000 ? 1000 : v;
}

int static_coding_weight(const char *ae, const char *name)
{
	if (!ae)
		return 0;
	size_t nl = strlen(name);
	int exact = -1, star = -1;
	for (const char *p = ae; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		size_t n = strcspn(p, ",");
		size_t tok = strcspn(p, ";, \t");
		int w = 1000;
		/* parameters: only q matters */
		for (const char *a = memchr(p, ';', n); a && a < p + n;) {
			a++;
			while (*a == ' ' || *a == '\t')
				a++;
			size_t an = strcspn(a, ";,");
			if (a + an > p + n)
				an = (size_t)(p + n - a);
			if (an >= 2 && (a[0] == 'q' || a[0] == 'Q') && a[1] == '=') {
				size_t vn = an - 2;
				while (vn && (a[2 + vn - 1] == ' ' || a[2 + vn - 1] == '\t'))
					vn--;
				w = parse_q(a + 2, vn);
			}
			a += an;
			if (*a != ';')
				break;
		}
		if (tok == nl && !strncasecmp(p, name, nl))
			exact = w;
		else if (tok == 1 && *p == '*')
			star = w;
		p += n;
	}
	return exact >= 0 ? exact : star >= 0 ? star : 0;
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
	const char *ae = req_header(r, "Accept-Encoding");
	int wbr = a->br ? static_coding_weight(ae, "br") : 0;
	int wgz = a->gz ? static_coding_weight(ae, "gzip") : 0;
	int br = wbr > 0 && wbr >= wgz, gz = !br && wgz > 0;
	const char *cache = a->immutable ? "public, max-age=31536000, immutable" : "no-cache";
	char etag[64];
	size_t el = strlen(a->etag);
	if (el < 2 || el + 4 > sizeof(etag))
		BUG("asset etag \"%s\"", a->etag);
	snprintf(etag, sizeof(etag), "%.*s%s\"", (int)(el - 1), a->etag,
		 br   ? "-br"
		 : gz ? "-gz"
		      : "");
	if (etag_matches(req_header(r, "If-None-Match"), etag)) {
		reply_raw(r, 304, a->content_type, "", 0);
	} else {
		reply_static(r, 200, a->content_type,
			     br	  ? a->br
			     : gz ? a->gz
				  : a->data,
			     br	  ? a->brlen
			     : gz ? a->gzlen
				  : a->len);
		if (br || gz)
			reply_header(r, "Content-Encoding", br ? "br" : "gzip");
	}
	reply_header(r, "ETag", etag);
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
