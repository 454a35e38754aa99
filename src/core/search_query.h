/* search_query.h - parse Zendesk's search query language, with no I/O.
 *
 * The query of GET /api/v2/search.json?query=... is a list of items
 * separated by white space (ASCII, U+00A0, U+3000 and other Unicode spaces):
 *
 *   refund 배송              free-text words
 *   "exact phrase"           a phrase (an unclosed quote runs to the end)
 *   status:open,pending      a condition: field, operator, values
 *   priority>=high           operators  :  <  <=  >  >=
 *   subject:"printer jam"    a quoted value (commas inside stay in it)
 *   -tags:spam  -word        a leading '-' negates a condition or a term
 *   type:ticket              what to search (not a condition)
 *   order_by:updated_at sort:asc
 *
 * A field name is an ASCII letter or '_' followed by letters, digits, '_'
 * and '.'; anything that does not look like "field<op>" (3:30, http://x,
 * :foo) is a free-text word.  Fields are lower-cased; values and words are
 * kept as written (status and priority values are compared with the
 * case-insensitive rank helpers below).  What a field means, and whether it
 * exists, is for the caller to decide.
 *
 * Ownership: every string and array in these structs belongs to the struct
 * and is freed by search_query_clear().
 */
#ifndef SONNIM_SEARCH_QUERY_H
#define SONNIM_SEARCH_QUERY_H
#include <stddef.h>
#include <stdint.h>

/* Longest query accepted, in bytes. */
#define SEARCH_QUERY_MAX_LEN 1024
/* Most conditions + terms in one query. */
#define SEARCH_QUERY_MAX_ITEMS 32
/* Most comma-separated values in one condition. */
#define SEARCH_QUERY_MAX_VALUES 32

enum search_op {
	SEARCH_EQ, /* field:value */
	SEARCH_LT, /* field<value */
	SEARCH_LE, /* field<=value */
	SEARCH_GT, /* field>value */
	SEARCH_GE, /* field>=value */
};

struct search_cond {
	char *field;	   /* lower-cased field name, e.g. "status" */
	enum search_op op; /* how the field compares with the values */
	int negate;	   /* 1 when written with a leading '-' */
	char **values;	   /* alternatives, non-empty strings; "a,b" means a OR b */
	size_t nvalues;	   /* 1..SEARCH_QUERY_MAX_VALUES */
};

struct search_term {
	char *text;    /* the word or the phrase's text (never empty) */
	int is_phrase; /* 1 when it was written in double quotes */
	int negate;    /* 1 when written with a leading '-' */
};

struct search_query {
	char *type;		   /* lower-cased value of type:, or NULL */
	struct search_cond *conds; /* conditions, in query order */
	size_t nconds;
	struct search_term *terms; /* free-text words and phrases, in query order */
	size_t nterms;
	char *order_by; /* lower-cased value of order_by:, or NULL */
	int sort_desc;	/* 0 for sort:asc; 1 otherwise (Zendesk's default) */
};

/* Parse q[0..len) into *out.  q need not be NUL-terminated and may be NULL
 * when len is 0; *out is overwritten without being freed.  Returns 0, or -1
 * with *out empty (as after search_query_clear()) and a lower-case message
 * in err (when err is not NULL) for: a query longer than
 * SEARCH_QUERY_MAX_LEN ("query too long"), invalid UTF-8, a NUL byte, more
 * than SEARCH_QUERY_MAX_ITEMS conditions and terms ("too many terms"), a
 * condition without a value ("missing value for 'status'"), too many
 * values, a negated, repeated or multi-valued type:/order_by:/sort:, or a
 * sort: other than asc/desc.  An empty query, or one of only spaces, empty
 * quotes and lone '-', parses to an empty struct and returns 0. */
int search_query_parse(const char *q, size_t len, struct search_query *out, char *err,
		       size_t errlen);

/* Free everything q owns and leave it empty (sort_desc = 1); q can be
 * parsed into again. */
void search_query_clear(struct search_query *q);

/* Turn a date value into a unix time: "2026-01-01" (midnight UTC),
 * "2026-01-01T09:30:00Z" or with an offset ("+09:00"), or a time relative to
 * now: "<n><unit>" with unit minute(s)/min(s), hour(s)/hr(s)/h, day(s)/d,
 * week(s)/w, month(s), year(s)/y and n in 0..100000 ("3days" is now minus
 * three days; months and years are calendar ones, the day clamped to the
 * month's last).  Returns 0 and sets *out, or -1 when v is none of those. */
int search_time_value(const char *v, int64_t now, int64_t *out);

/* Rank of a ticket status: new 0, open 1, pending 2, hold 3, solved 4,
 * closed 5; -1 if s is NULL or none of those.  Case-insensitive. */
int search_status_rank(const char *s);

/* Rank of a ticket priority: low 0, normal 1, high 2, urgent 3; -1 if s is
 * NULL or none of those.  Case-insensitive. */
int search_priority_rank(const char *s);
#endif
