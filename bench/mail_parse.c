/* mail_parse.c - how fast mail_parse() turns raw messages into struct mail,
 * beside a reference measured in the same run: GMime's own parse of the
 * same bytes into its object tree (no charset conversion, no HTML
 * sanitizing, no quote stripping).  The ratio says what Sonnim's work on
 * top of GMime costs.
 *
 *   mail_parse FILE... [--rounds N]
 *
 * Reads every file into memory first; then for N rounds (default 20) parses
 * every message with each of the two, timing each pass with CLOCK_MONOTONIC.
 * Prints messages/s and MB/s for both, the ratio, and the peak RSS.
 */
#include "base/util.h"
#include "channels/email/mime.h"
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct msg {
	char *data;
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int slurp(const char *path, struct msg *m)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, len = 0;
	char *b = xmalloc(cap);
	size_t n;
	while ((n = fread(b + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			b = xrealloc(b, cap *= 2);
	}
	fclose(f);
	m->data = b;
	m->len = len;
	return 0;
}

static void gmime_only(const struct msg *m)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(m->data, m->len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
	if (msg) {
		/* walk it, as a fair reference must touch the parts too */
		GMimePartIter *it = g_mime_part_iter_new((GMimeObject *)msg);
		while (g_mime_part_iter_is_valid(it) && g_mime_part_iter_next(it))
			;
		g_mime_part_iter_free(it);
		g_object_unref(msg);
	}
	g_object_unref(p);
	g_object_unref(s);
}

int main(int argc, char **argv)
{
	int rounds = 20;
	struct msg *v = xcalloc((size_t)argc, sizeof(*v));
	int n = 0;
	size_t bytes = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = (int)strtol(argv[++i], NULL, 10);
			continue;
		}
		if (slurp(argv[i], &v[n]) == 0)
			bytes += v[n++].len;
	}
	if (!n) {
		fprintf(stderr, "usage: mail_parse FILE... [--rounds N]\n");
		return 2;
	}
	mime_init();
	double t0 = now_s();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			gmime_only(&v[i]);
	double ref = now_s() - t0;
	int ok = 0;
	t0 = now_s();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++) {
			struct mail m;
			char err[128];
			if (!mail_parse(v[i].data, v[i].len, &m, err, sizeof(err))) {
				ok += r == 0;
				mail_clear(&m);
			}
		}
	double ours = now_s() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double total = (double)n * rounds, mb = (double)bytes * rounds / 1e6;
	printf("messages %d (%.1f MB), rounds %d, parsed %d\n", n, (double)bytes / 1e6, rounds, ok);
	printf("gmime parse only   %9.0f msg/s  %7.1f MB/s\n", total / ref, mb / ref);
	printf("mail_parse         %9.0f msg/s  %7.1f MB/s  (%.2fx the reference's time)\n",
	       total / ours, mb / ours, ours / ref);
	printf("peak rss           %9.1f MB\n", (double)ru.ru_maxrss / 1024);
	for (int i = 0; i < n; i++)
		free(v[i].data);
	free(v);
	return 0;
}
