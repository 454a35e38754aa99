/* filetype.h - what an uploaded file is: its name and its content type.
 *
 * filetype_name_clean() turns the name a client gave (?filename=) into the
 * name Sonnim stores and later puts in Content-Disposition; it is pure and
 * has a fuzz harness (tests/fuzz/upload_name).
 *
 * filetype_sniff() asks libmagic what the bytes are; the client's claimed
 * Content-Type is never trusted.  filetype_serve() decides how the bytes
 * may be sent back to a browser so that an uploaded page can never run
 * script in Sonnim's origin: only an allow-list of passive types (raster
 * images, plain text, audio, video) is served inline under its own type;
 * everything else (HTML, SVG, XML, PDF, archives, unknown) is served as an
 * application/octet-stream download.
 */
#ifndef SONNIM_FILETYPE_H
#define SONNIM_FILETYPE_H
#include "base/buf.h"
#include <stddef.h>

/* Longest stored file name, in bytes (not counting the terminator). */
#define FILETYPE_NAME_MAX 255
/* Longest raw ?filename= accepted before cleaning (directory parts
 * included); anything longer is refused without being looked at. */
#define FILETYPE_NAME_RAW_MAX 4096

/* Clean a client-supplied file name of len bytes (it may hold NUL bytes,
 * which are refused).  Directory parts are dropped (everything up to the
 * last '/' or '\\', as browsers on Windows send "C:\\dir\\a.png"), then
 * leading and trailing spaces.  What is left must be 1..FILETYPE_NAME_MAX
 * bytes of valid, shortest-form UTF-8 (no surrogates, at most U+10FFFF), not
 * "." or "..", with no control characters (C0, DEL, C1) and no Unicode
 * bidirectional overrides (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F,
 * U+061C), which would let "gpj.exe" pose as "exe.jpg".
 *
 * Returns 0 with the clean name in out (out_size > FILETYPE_NAME_MAX, so it
 * always fits) or -1 with "filename: reason" in err; out is then "". */
int filetype_name_clean(const char *in, size_t len, char *out, size_t out_size, char *err,
			size_t errlen);

/* The MIME type of the bytes data[0..len) as libmagic sees it
 * (MAGIC_MIME_TYPE), e.g. "image/png", "text/html", written into out.
 * Uses one libmagic handle per calling thread (libmagic is not
 * thread-safe), opened on first use and closed when the thread exits.
 * Never fails: when libmagic cannot load its database or gives no answer
 * the type is "application/octet-stream" (logged once). */
void filetype_sniff(const void *data, size_t len, char *out, size_t out_size);

/* How to send a stored file back. */
struct filetype_serve {
	const char *content_type; /* the Content-Type header value (static) */
	int inline_ok;		  /* 1: Content-Disposition inline; 0: attachment */
};
/* Decide from the stored (sniffed) type.  mime NULL means unknown.
 * content_type points at mime itself or at a static string. */
void filetype_serve(const char *mime, struct filetype_serve *out);

/* Append a Content-Disposition value for name to b:
 *   inline|attachment; filename="ascii fallback"; filename*=UTF-8''pct-encoded
 * (RFC 6266 / RFC 8187).  In the fallback, bytes that are not printable
 * ASCII, '"', '\\' and '%' become '_'.  name must be a clean name. */
void filetype_disposition(struct buf *b, int inline_ok, const char *name);
#endif
