/* multipart.h - multipart/form-data bodies (RFC 7578), as browsers send a
 * form with a file input: the help center's contact form.
 *
 * multipart_parse() splits a whole body (already in memory) into parts
 * without copying: each part's name, file name and Content-Type are copied
 * into small fixed fields, its data points into the body.  What it takes:
 * the boundary from the Content-Type value (quoted or not, 1..70 bytes),
 * CRLF or bare LF line ends, a preamble before the first delimiter,
 * headers it does not know (skipped), and stops at the closing delimiter
 * ("--boundary--") or the end of the body.  What it refuses (-1): no
 * boundary, no delimiter, a part without a Content-Disposition name, a
 * header block that never ends, more than max parts, a name or file name
 * too long for its field, a header line over 1000 bytes.  It never reads
 * outside body[0..len) and never writes outside parts[0..max).
 *
 * Pure function, no allocation.  Cost: one pass over the body per part
 * searched (memmem for the delimiter).
 */
#ifndef SONNIM_MULTIPART_H
#define SONNIM_MULTIPART_H
#include <stddef.h>

#define MULTIPART_NAME_MAX 64
#define MULTIPART_FILENAME_MAX 256

struct multipart_part {
	char name[MULTIPART_NAME_MAX + 1];	   /* the form field's name */
	char filename[MULTIPART_FILENAME_MAX + 1]; /* "" for a plain field */
	int is_file;				   /* a filename parameter was there
						      (a file input left empty has
						      filename="" and no data) */
	char content_type[128];			   /* "" when not given */
	const char *data;			   /* into the body */
	size_t len;
};

/* Parse body[0..len) sent with Content-Type ctype into parts (at most max);
 * *n parts.  0, or -1 when malformed (see above). */
int multipart_parse(const char *ctype, const char *body, size_t len, struct multipart_part *parts,
		    int max, int *n);
/* 1 when ctype names multipart/form-data. */
int multipart_is_form(const char *ctype);
#endif
