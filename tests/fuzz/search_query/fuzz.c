/* fuzz.c - libFuzzer harness for core/search_query.c.
 *
 * Build and run (from the repository root):
 *
 *   mkdir -p build/fuzz && clang -g -O1 -std=c11 -D_GNU_SOURCE -Isrc \
 *     -include src/base/banned.h -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=undefined tests/fuzz/search_query/fuzz.c \
 *     src/core/search_query.c src/base/buf.c src/base/util.c \
 *     -o build/fuzz/search_query
 *   build/fuzz/search_query -max_total_time=60 -max_len=2048 \
 *     tests/fuzz/search_query/corpus
 *
 * (new inputs go to the first directory given; pass a scratch directory
 * first to keep the committed corpus small.)
 *
 * Each input is parsed; on success the result must hold the documented
 * invariants (lower-case ASCII field names, 1..32 non-empty values, never
 * more than 32 items, non-empty terms), and every value also goes through
 * search_time_value() and the rank helpers.  On failure the result must be
 * empty and the message non-empty.  search_query_clear() runs either way,
 * twice, and a second parse of the same input must give the same answer.
 */
#include "core/search_query.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_name(const char *s)
{
	if (!*s)
		abort();
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.'))
			abort();
}

static void check_value(const char *v)
{
	int64_t t;
	if (!*v)
		abort();
	search_time_value(v, 1767225600, &t);
	search_time_value(v, INT64_MAX, &t);
	search_time_value(v, INT64_MIN, &t);
	if (search_status_rank(v) < -1 || search_status_rank(v) > 5)
		abort();
	if (search_priority_rank(v) < -1 || search_priority_rank(v) > 3)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct search_query q, q2;
	char err[96];
	int rc = search_query_parse((const char *)data, size, &q, err, sizeof(err));
	if (rc == 0) {
		if (err[0] || q.nconds + q.nterms > SEARCH_QUERY_MAX_ITEMS)
			abort();
		if (q.sort_desc != 0 && q.sort_desc != 1)
			abort();
		if (q.type)
			check_value(q.type);
		if (q.order_by)
			check_value(q.order_by);
		for (size_t i = 0; i < q.nconds; i++) {
			const struct search_cond *c = &q.conds[i];
			check_name(c->field);
			if (c->op > SEARCH_GE || c->nvalues < 1 ||
			    c->nvalues > SEARCH_QUERY_MAX_VALUES)
				abort();
			for (size_t j = 0; j < c->nvalues; j++)
				check_value(c->values[j]);
		}
		for (size_t i = 0; i < q.nterms; i++)
			if (!q.terms[i].text[0])
				abort();
	} else {
		if (rc != -1 || !err[0] || q.conds || q.terms || q.type || q.order_by || q.nconds ||
		    q.nterms)
			abort();
	}
	int rc2 = search_query_parse((const char *)data, size, &q2, NULL, 0);
	if (rc2 != rc || q2.nconds != q.nconds || q2.nterms != q.nterms)
		abort();
	search_query_clear(&q2);
	search_query_clear(&q);
	search_query_clear(&q);
	return 0;
}
