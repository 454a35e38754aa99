/* hc.c - help-center rules (see hc.h).
 *
 * Locales: a fixed table of accepted spellings.  Accept-Language is read
 * as a comma list of "tag;q=x" items; the highest q that maps to an offered
 * locale wins, earlier items win ties.
 *
 * Query terms: tokenize() once over the query; each token's source span is
 * kept (not the token: a stem is not always its own stem, "generously" ->
 * "generous" -> "generous" but "agreed" -> "agre" -> "agr"), unless the
 * token is an English function word or was seen already.
 *
 * Snippet: the query's terms are tokenized into a small set; the text is
 * tokenized once (its first HC_SNIPPET_SCAN bytes) and the spans of tokens
 * in the set are kept, merged when they overlap (Hangul bigrams do); the
 * window starts a little before the first match.  Everything written is
 * escaped; only our own <em> tags are markup.
 *
 * Cost: all linear in the input; the term set is at most HC_MAX_TERMS
 * tokens and is searched linearly.
 */
#include "core/hc.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/ticket.h"
#include "core/tokenize.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *spelling;
	const char *locale;
} locales[] = {
    {"ko", HC_LOCALE_KO},    {"ko-kr", HC_LOCALE_KO}, {"en-us", HC_LOCALE_EN},
    {"en", HC_LOCALE_EN},    {"en-gb", HC_LOCALE_EN}, {"en-ca", HC_LOCALE_EN},
    {"en-au", HC_LOCALE_EN}, {"en-kr", HC_LOCALE_EN},
};

const char *hc_locale(const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(locales); i++)
		if (!strcasecmp(s, locales[i].spelling))
			return locales[i].locale;
	return NULL;
}

const char *hc_locale_negotiate(const char *al)
{
	const char *best = NULL;
	double best_q = 0;
	if (!al)
		return HC_DEFAULT_LOCALE;
	for (const char *p = al; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *tag = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ')
			p++;
		size_t n = (size_t)(p - tag);
		double q = 1.0;
		while (*p && *p != ',') {
			if (p[0] == 'q' && p[1] == '=')
				q = strtod(p + 2, NULL);
			p++;
		}
		char t[16];
		if (!n || n >= sizeof(t) || !(q > 0))
			continue;
		memcpy(t, tag, n);
		t[n] = '\0';
		const char *l = hc_locale(t);
		if (!l && n > 2 && t[2] == '-') { /* ko-XX, en-XX: the language decides */
			t[2] = '\0';
			l = hc_locale(t);
		}
		if (l && q > best_q) {
			best = l;
			best_q = q;
		}
	}
	return best ? best : HC_DEFAULT_LOCALE;
}

int hc_segment_visible(int64_t segment_id, int role, int signed_in)
{
	if (segment_id == 0)
		return 1;
	if (segment_id == HC_SEGMENT_SIGNED_IN)
		return signed_in || role >= ROLE_AGENT;
	return role >= ROLE_AGENT;
}

/* English function words, as the stemmer leaves them. */
static const char *const stopwords[] = {
    "a",    "am",  "an",   "and",  "are",  "at",    "be",    "by",   "can",  "could", "did",
    "do",   "doe", "for",  "from", "ha",   "have",  "how",   "i",    "if",   "in",    "is",
    "it",   "me",  "my",   "of",   "on",   "or",    "pleas", "should", "so", "that",  "the",
    "thi",  "to",  "wa",   "what", "when", "where", "whi",   "will", "with", "would", "you",
    "your", "i'm", "there", "get", "want", "need",  "help",
};

static int is_stopword(const char *tok, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(stopwords); i++)
		if (strlen(stopwords[i]) == n && !memcmp(stopwords[i], tok, n))
			return 1;
	return 0;
}

struct terms_ctx {
	const char *src;
	struct strlist *out;
	struct strlist seen; /* tokens kept so far */
	int added;
};

static int term_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct terms_ctx *c = ctx;
	if (c->added >= HC_MAX_TERMS)
		return 1;
	if (is_stopword(tok, toklen))
		return 0;
	char *t = xstrndup(tok, toklen);
	if (strlist_has(&c->seen, t)) {
		free(t);
		return 0;
	}
	strlist_add(&c->seen, t);
	free(t);
	char *span = xstrndup(c->src + start, (size_t)(end - start));
	for (char *p = span; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	strlist_add(c->out, span);
	free(span);
	c->added++;
	return 0;
}

int hc_query_terms(const char *query, struct strlist *out)
{
	struct terms_ctx c = {.src = query, .out = out};
	if (!query)
		return 0;
	tokenize(query, strlen(query), term_token, &c);
	strlist_clear(&c.seen);
	return c.added;
}

/* ---- snippets ----------------------------------------------------------- */

#define HC_SNIPPET_SCAN 65536 /* bytes of text looked at for matches */
#define HC_SNIPPET_SPANS 64   /* highlighted spans kept */

struct span {
	int start, end;
};

struct set_ctx {
	struct strlist *set;
};

static int set_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct set_ctx *c = ctx;
	char *t = xstrndup(tok, toklen);
	if (!strlist_has(c->set, t))
		strlist_add(c->set, t);
	free(t);
	return 0;
}

struct match_ctx {
	const struct strlist *set;
	struct span spans[HC_SNIPPET_SPANS];
	int n;
};

static int match_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct match_ctx *m = ctx;
	char t[TOKENIZE_MAX_WORD + 1];
	if (toklen > TOKENIZE_MAX_WORD)
		return 0;
	memcpy(t, tok, toklen);
	t[toklen] = '\0';
	if (!strlist_has(m->set, t))
		return 0;
	if (m->n && start <= m->spans[m->n - 1].end) { /* overlapping bigrams */
		if (end > m->spans[m->n - 1].end)
			m->spans[m->n - 1].end = end;
		return 0;
	}
	if (m->n == HC_SNIPPET_SPANS)
		return 1;
	m->spans[m->n++] = (struct span){start, end};
	return 0;
}

/* Move i back to the start of a UTF-8 character. */
static size_t char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

void hc_snippet(const char *text, const char *query, struct buf *out)
{
	if (!text)
		return;
	size_t len = strlen(text);
	struct strlist terms = {0}, set = {0};
	hc_query_terms(query, &terms);
	struct set_ctx sc = {&set};
	for (size_t i = 0; i < terms.n; i++)
		tokenize(terms.v[i], strlen(terms.v[i]), set_token, &sc);
	struct match_ctx m = {.set = &set};
	size_t scan = len < HC_SNIPPET_SCAN ? len : char_start(text, HC_SNIPPET_SCAN);
	if (set.n)
		tokenize(text, scan, match_token, &m);
	size_t from = 0;
	if (m.n && (size_t)m.spans[0].start > HC_SNIPPET_BYTES / 3) {
		from = char_start(text, (size_t)m.spans[0].start - HC_SNIPPET_BYTES / 3);
		/* start at a word when one begins nearby */
		for (size_t k = from; k < (size_t)m.spans[0].start && k < from + 24; k++)
			if (text[k] == ' ' || text[k] == '\n') {
				from = k + 1;
				break;
			}
	}
	size_t to = from + HC_SNIPPET_BYTES < len ? char_start(text, from + HC_SNIPPET_BYTES) : len;
	if (from)
		buf_adds(out, "...");
	size_t at = from;
	for (int i = 0; i < m.n && at < to; i++) {
		size_t s = (size_t)m.spans[i].start, e = (size_t)m.spans[i].end;
		if (e <= at)
			continue;
		if (s >= to)
			break;
		if (s < at)
			s = at;
		if (e > to)
			e = to;
		hc_escape_n(out, text + at, s - at);
		buf_adds(out, "<em>");
		hc_escape_n(out, text + s, e - s);
		buf_adds(out, "</em>");
		at = e;
	}
	hc_escape_n(out, text + at, to - at);
	if (to < len)
		buf_adds(out, "...");
	strlist_clear(&terms);
	strlist_clear(&set);
}

double hc_score(double relevance, int64_t vote_sum, int64_t view_count, int promoted)
{
	double boost = 1.0;
	if (vote_sum > 0)
		boost += 0.08 * log1p((double)vote_sum);
	else if (vote_sum < 0)
		boost -= 0.08 * log1p((double)-vote_sum);
	if (view_count > 0)
		boost += 0.03 * log1p((double)view_count);
	if (promoted)
		boost += 0.05;
	if (boost < 0.5)
		boost = 0.5;
	return relevance * boost;
}

double hc_feedback_boost(int64_t resolved, int64_t rejected, int64_t clicked, int nterms)
{
	double k = nterms > 0 ? (double)nterms : 1.0;
	double up = resolved > 0 ? 0.08 * log1p((double)resolved / k) : 0.0;
	if (clicked > 0)
		up += 0.03 * log1p((double)clicked / k);
	double down = rejected > 0 ? 0.06 * log1p((double)rejected / k) : 0.0;
	if (up > HC_FEEDBACK_MAX - 1.0)
		up = HC_FEEDBACK_MAX - 1.0;
	if (down > 1.0 - HC_FEEDBACK_MIN)
		down = 1.0 - HC_FEEDBACK_MIN;
	return 1.0 + up - down;
}

void hc_escape_n(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		case '\0': break;
		default: buf_addc(out, s[i]);
		}
	}
}

void hc_escape(struct buf *out, const char *s)
{
	if (s)
		hc_escape_n(out, s, strlen(s));
}
