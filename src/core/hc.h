/* hc.h - help-center rules without I/O: the locales the help center
 * speaks, who may see an article, how a customer's search words become
 * search terms, the result snippet, and the ranking formula.
 *
 * The store (store/hc_store.h) and the two front ends (the Help Center API
 * in api/help_center.c, the public pages in api/hc_pages.c) call these, so
 * a rule is written once and unit-tested without a database.
 */
#ifndef SONNIM_HC_H
#define SONNIM_HC_H
#include <stddef.h>
#include <stdint.h>

struct buf;
struct strlist;

/* Locales the help center has content and UI strings for, in Zendesk's
 * lower-case spelling.  HC_DEFAULT_LOCALE is what a visitor gets when
 * nothing they accept is offered. */
#define HC_LOCALE_KO "ko"
#define HC_LOCALE_EN "en-us"
#define HC_DEFAULT_LOCALE HC_LOCALE_EN

/* The canonical locale for s ("ko", "ko-KR", "KO" -> "ko"; "en", "en-US",
 * "en-gb" -> "en-us"), or NULL when the help center does not offer it. */
const char *hc_locale(const char *s);

/* The best offered locale for an Accept-Language header value (q-values
 * honoured, ties in header order; NULL or nothing offered ->
 * HC_DEFAULT_LOCALE).  Never NULL. */
const char *hc_locale_negotiate(const char *accept_language);

/* Built-in user segments (rows 1 and 2 of hc_user_segments).  An article
 * with user_segment_id 0 (null in the API) is for everyone. */
enum {
	HC_SEGMENT_STAFF = 1,	  /* "Agents and admins": internal articles */
	HC_SEGMENT_SIGNED_IN = 2, /* "Signed-in users" */
};

/* May a reader see an article of segment_id?  role is ROLE_* (an anonymous
 * visitor is ROLE_END_USER with signed_in 0).  Unknown segments are staff
 * only (fail closed). */
int hc_segment_visible(int64_t segment_id, int role, int signed_in);

/* Search terms of a customer's query: every token (core/tokenize.h) except
 * common English function words ("how", "do", "i", "the", ...), each given
 * as the source text it came from (so the engine's tokenizer makes the same
 * token of it again), lower-cased for Latin, duplicates (by token) dropped,
 * at most HC_MAX_TERMS.  Appended to out (strings owned by out).  Returns
 * the number of terms added; 0 = nothing searchable. */
#define HC_MAX_TERMS 24
int hc_query_terms(const char *query, struct strlist *out);

/* A snippet of text around the first place a term of query occurs: about
 * HC_SNIPPET_BYTES of text (cut at character boundaries, "..." where cut),
 * HTML-escaped, matched words wrapped in <em>...</em>.  With no match, the
 * beginning of text.  Appended to out. */
#define HC_SNIPPET_BYTES 200
void hc_snippet(const char *text, const char *query, struct buf *out);

/* The final score of a search hit: relevance (> 0, bigger is better: the
 * engine's text rank) raised a little by the article's votes and views and
 * by being promoted, so that among equally relevant articles the helpful
 * and popular one comes first, but a more relevant one still wins. */
double hc_score(double relevance, int64_t vote_sum, int64_t view_count, int promoted);

/* The answer bot's learning (store/answer_bot_store.h): the factor a hit's
 * score is multiplied by, from what earlier customers said about this
 * article for questions with the same terms.  resolved, rejected and
 * clicked are the "this solved it" / "not helpful" / "followed the link"
 * counts summed over the question's terms; nterms (>= 1) is how many terms
 * the question has, so a count shared by every term weighs as one.
 * 1 + 0.08 ln(1 + resolved/nterms) + 0.03 ln(1 + clicked/nterms) (a click
 * says less than a resolution), together at most 1.25, minus
 * 0.06 ln(1 + rejected/nterms), at most 0.15: never below 0.85 nor above
 * 1.25, so feedback reorders close answers but cannot lift an unrelated
 * article over a clearly better match.  Negative counts count as 0. */
#define HC_FEEDBACK_MAX 1.25
#define HC_FEEDBACK_MIN 0.85
double hc_feedback_boost(int64_t resolved, int64_t rejected, int64_t clicked, int nterms);

/* Append s (NUL-terminated; NULL appends nothing) to out with & < > " '
 * escaped, for HTML text and attribute values. */
void hc_escape(struct buf *out, const char *s);
/* The same for s[0..n). */
void hc_escape_n(struct buf *out, const char *s, size_t n);
#endif
