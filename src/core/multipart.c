/* multipart.c - multipart/form-data bodies (see multipart.h).
 *
 * The body is walked with a cursor: find "--boundary" (the first may start
 * the body, later ones follow a line end), read the part's header lines up
 * to the empty line, then the data runs to the next "\r\n--boundary" (or
 * "\n--boundary"); "--" right after a delimiter ends the body.  Header
 * values are parsed for the two parameters that matter, name and
 * filename, with quoted strings ("a \"b\"" unescaped) or tokens.
 */
#include "core/multipart.h"
#include <string.h>
#include <strings.h>

#define MAX_BOUNDARY 70
#define MAX_HEADER_LINE 1000

int multipart_is_form(const char *ctype)
{
	if (!ctype)
		return 0;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return !strncasecmp(ctype, "multipart/form-data", 19) &&
	       (ctype[19] == '\0' || ctype[19] == ';' || ctype[19] == ' ');
}

/* The value of parameter key in a header value s ("form-data; name=x"),
 * unquoted, into out (size n).  0 found, 1 absent, -1 too long. */
static int param(const char *s, size_t slen, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	const char *e = s + slen;
	for (const char *p = s; p < e; p++) {
		if (*p != ';')
			continue;
		const char *q = p + 1;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(e - q) <= kl || strncasecmp(q, key, kl) || q[kl] != '=')
			continue;
		q += kl + 1;
		size_t k = 0;
		if (q < e && *q == '"') {
			for (q++; q < e && *q != '"'; q++) {
				if (*q == '\\' && q + 1 < e)
					q++;
				if (k + 1 >= n)
					return -1;
				out[k++] = *q;
			}
		} else {
			for (; q < e && *q != ';' && *q != ' ' && *q != '\t'; q++) {
				if (k + 1 >= n)
					return -1;
				out[k++] = *q;
			}
		}
		out[k] = '\0';
		return 0;
	}
	return 1;
}

/* The boundary from the Content-Type value into out: 0 or -1. */
static int boundary_of(const char *ctype, char out[MAX_BOUNDARY + 1])
{
	if (!multipart_is_form(ctype))
		return -1;
	if (param(ctype, strlen(ctype), "boundary", out, MAX_BOUNDARY + 1))
		return -1;
	return out[0] ? 0 : -1;
}

int multipart_parse(const char *ctype, const char *body, size_t len, struct multipart_part *parts,
		    int max, int *n)
{
	char b[MAX_BOUNDARY + 1], delim[MAX_BOUNDARY + 3];
	*n = 0;
	if (boundary_of(ctype, b) || !body)
		return -1;
	size_t dl = (size_t)snprintf(delim, sizeof(delim), "--%s", b);
	const char *e = body + len;
	/* the first delimiter: at the start, or after a line end */
	const char *p = body;
	if (!(len >= dl && !memcmp(body, delim, dl))) {
		const char *f = body;
		for (;;) {
			f = memmem(f, (size_t)(e - f), delim, dl);
			if (!f)
				return -1;
			if (f[-1] == '\n')
				break;
			f++;
		}
		p = f;
	}
	for (;;) {
		p += dl; /* after "--boundary" */
		if (e - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0; /* the closing delimiter */
		/* the rest of the delimiter line (transport padding) */
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		if (!nl)
			return *n ? 0 : -1; /* body ends after a delimiter */
		p = nl + 1;
		if (*n >= max)
			return -1;
		struct multipart_part *pt = &parts[*n];
		memset(pt, 0, sizeof(*pt));
		int have_name = 0;
		/* header lines up to the empty one */
		for (;;) {
			nl = memchr(p, '\n', (size_t)(e - p));
			if (!nl)
				return -1;
			size_t ll = (size_t)(nl - p);
			if (ll && p[ll - 1] == '\r')
				ll--;
			if (ll > MAX_HEADER_LINE)
				return -1;
			if (!ll) {
				p = nl + 1;
				break;
			}
			if (ll > 20 && !strncasecmp(p, "content-disposition:", 20)) {
				int r = param(p + 20, ll - 20, "name", pt->name, sizeof(pt->name));
				if (r < 0)
					return -1;
				have_name = r == 0;
				r = param(p + 20, ll - 20, "filename", pt->filename,
					  sizeof(pt->filename));
				if (r < 0)
					return -1;
				pt->is_file = r == 0;
			} else if (ll > 13 && !strncasecmp(p, "content-type:", 13)) {
				const char *v = p + 13;
				size_t vl = ll - 13;
				while (vl && (*v == ' ' || *v == '\t'))
					v++, vl--;
				if (vl >= sizeof(pt->content_type))
					vl = sizeof(pt->content_type) - 1;
				memcpy(pt->content_type, v, vl);
				pt->content_type[vl] = '\0';
			}
			p = nl + 1;
		}
		if (!have_name)
			return -1;
		/* the data: up to the line end before the next delimiter */
		const char *f = p;
		const char *end = NULL;
		while ((f = memmem(f, (size_t)(e - f), delim, dl))) {
			if (f > p && f[-1] == '\n') {
				end = f - 1;
				if (end > p && end[-1] == '\r')
					end--;
				break;
			}
			if (f == p) { /* an empty part */
				end = p;
				break;
			}
			f++;
		}
		pt->data = p;
		pt->len = end ? (size_t)(end - p) : (size_t)(e - p);
		(*n)++;
		if (!end)
			return 0; /* no closing delimiter: what there is */
		p = f;
	}
}
