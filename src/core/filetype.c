/* filetype.c - file names and content types of uploads (see filetype.h).
 *
 * Operations, in the order an upload uses them:
 *   filetype_name_clean   ?filename= -> the stored name: one pass to find
 *                         the last '/' or '\\', one UTF-8 decoding pass over
 *                         what is kept (at most 255 bytes); O(len), no
 *                         allocation.  Fuzzed by tests/fuzz/upload_name.
 *   filetype_sniff        the body -> a MIME type through libmagic; the
 *                         first call on a thread opens and loads a handle
 *                         (a few ms: libmagic maps its compiled database),
 *                         later calls reuse it; libmagic reads at most
 *                         SNIFF_BYTES of the body.
 * and when the file is downloaded:
 *   filetype_serve        stored type -> Content-Type and inline/attachment
 *   filetype_disposition  the Content-Disposition value
 *
 * Why an allow-list for inline: a browser that renders HTML, SVG or XML
 * (or, through a plugin, PDF) from Sonnim's origin would run its scripts
 * with the viewer's session.  The API also sends nosniff and CSP sandbox,
 * but the first line of defence is never to label such bytes as something
 * a browser renders.
 */
#include "core/filetype.h"
#include "base/log.h"
#include "base/util.h"
#include <magic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* libmagic looks at no more than this much of a file (its own default is
 * 7 MiB; soft-magic regexes over that much text cost real CPU). */
#define SNIFF_BYTES (1 << 20)

static int name_fail(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "filename: %s", msg);
	return -1;
}

/* Decode one UTF-8 character from s[0..n), n >= 1: its code point and
 * length, or -1 for an invalid, overlong or truncated sequence, a surrogate
 * or a code point above U+10FFFF. */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	int len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return -1; /* continuation byte, C0/C1 overlong lead, or F5..FF */
	}
	if ((size_t)len > n)
		return -1;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return -1;
	*cp = v;
	return len;
}

/* Characters a file name must not hold: controls (C0, DEL, C1), line and
 * paragraph separators, and the bidirectional marks and overrides. */
static int name_char_refused(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
	       cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

int filetype_name_clean(const char *in, size_t len, char *out, size_t out_size, char *err,
			size_t errlen)
{
	if (out_size <= FILETYPE_NAME_MAX)
		BUG("filetype_name_clean: out_size %zu is too small", out_size);
	out[0] = '\0';
	if (errlen)
		err[0] = '\0';
	if (!in || !len)
		return name_fail(err, errlen, "is required");
	if (len > FILETYPE_NAME_RAW_MAX)
		return name_fail(err, errlen, "is longer than 255 bytes");
	if (memchr(in, '\0', len))
		return name_fail(err, errlen, "must not contain NUL bytes");
	const char *p = in, *end = in + len;
	for (const char *q = in; q < end; q++)
		if (*q == '/' || *q == '\\')
			p = q + 1;
	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	size_t n = (size_t)(end - p);
	if (!n)
		return name_fail(err, errlen, "is empty once directory parts are removed");
	if (n > FILETYPE_NAME_MAX)
		return name_fail(err, errlen, "is longer than 255 bytes");
	if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
		return name_fail(err, errlen, "must name a file, not a directory");
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int k = utf8_decode((const unsigned char *)p + i, n - i, &cp);
		if (k < 0)
			return name_fail(err, errlen, "must be valid UTF-8");
		if (name_char_refused(cp))
			return name_fail(err, errlen, "must not contain control characters");
		i += (size_t)k;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* ---- libmagic, one handle per thread ------------------------------------ */

static pthread_once_t magic_once = PTHREAD_ONCE_INIT;
static pthread_key_t magic_key;
static atomic_int magic_broken; /* the database could not be loaded: stop trying */

static void magic_key_free(void *m) { magic_close(m); }

static void magic_key_make(void)
{
	if (pthread_key_create(&magic_key, magic_key_free))
		BUG("pthread_key_create failed");
}

static magic_t thread_magic(void)
{
	pthread_once(&magic_once, magic_key_make);
	magic_t m = pthread_getspecific(magic_key);
	if (m || atomic_load(&magic_broken))
		return m;
	m = magic_open(MAGIC_MIME_TYPE);
	if (!m) {
		log_error("filetype",
			  "magic_open failed; every upload is application/octet-stream");
		atomic_store(&magic_broken, 1);
		return NULL;
	}
	size_t max = SNIFF_BYTES;
	if (magic_load(m, NULL)) {
		log_error("filetype",
			  "cannot load the libmagic database: %s; every upload is"
			  " application/octet-stream",
			  magic_error(m) ? magic_error(m) : "?");
		magic_close(m);
		atomic_store(&magic_broken, 1);
		return NULL;
	}
	(void)magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &max);
	if (pthread_setspecific(magic_key, m)) {
		magic_close(m);
		return NULL;
	}
	return m;
}

void filetype_sniff(const void *data, size_t len, char *out, size_t out_size)
{
	static const char unknown[] = "application/octet-stream";
	magic_t m = len ? thread_magic() : NULL;
	const char *t = m ? magic_buffer(m, data, len) : NULL;
	/* a type is token "/" token: refuse anything else libmagic might say
	 * (an error text, "cannot open ...") */
	size_t n = t ? strlen(t) : 0;
	int ok = n > 2 && n < out_size && strchr(t, '/');
	for (size_t i = 0; ok && i < n; i++)
		ok = (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		     (t[i] >= '0' && t[i] <= '9') || strchr("/.+-_", t[i]);
	snprintf(out, out_size, "%s", ok ? t : unknown);
}

/* ---- serving -------------------------------------------------------------- */

/* Passive types a browser shows without running anything.  Not here, on
 * purpose: text/html, image/svg+xml, anything XML, application/pdf (its
 * viewer runs script), text/css, JavaScript. */
static const char *const inline_types[] = {
	"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-ms-bmp",
	"image/avif", "image/x-icon", "image/vnd.microsoft.icon", "text/plain", "audio/mpeg",
	"audio/ogg", "audio/wav", "audio/x-wav", "audio/flac", "audio/x-flac", "audio/mp4",
	"audio/webm", "video/mp4", "video/webm", "video/ogg", "video/quicktime",
};

void filetype_serve(const char *mime, struct filetype_serve *out)
{
	out->content_type = "application/octet-stream";
	out->inline_ok = 0;
	if (!mime)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(inline_types); i++)
		if (!strcmp(mime, inline_types[i])) {
			out->content_type = inline_types[i];
			out->inline_ok = 1;
			return;
		}
}

void filetype_disposition(struct buf *b, int inline_ok, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	buf_adds(b, inline_ok ? "inline; filename=\"" : "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p >= 0x80) {
			/* one '_' per character: skip the continuation bytes */
			buf_addc(b, '_');
			while ((p[1] & 0xC0) == 0x80)
				p++;
		} else if (*p < 0x20 || *p == 0x7F || *p == '"' || *p == '\\' || *p == '%') {
			buf_addc(b, '_');
		} else {
			buf_addc(b, (char)*p);
		}
	}
	buf_adds(b, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p)) {
			buf_addc(b, (char)*p);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}
