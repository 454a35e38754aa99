/* typo.h - typo tolerance for English search words, without I/O.
 *
 * The help center keeps a vocabulary of the English words its articles
 * contain (store/hc_store.c: hc_terms, hc_term_grams): each entry is the
 * token the search tokenizer makes of a word (its Snowball stem, so
 * "refunds" and "refunded" are one entry, "refund") and one surface form
 * it came from.  A query word whose token is not in the vocabulary is
 * looked up by trigrams, and the candidates are kept when their edit
 * distance is small enough for the word's length; the store then adds the
 * best candidate's surface word to the query ("refnud" finds "refund").
 *
 * The distance is optimal string alignment (Levenshtein plus adjacent
 * transpositions, each edit costing 1), since most typing mistakes are one
 * wrong, missing, extra or swapped letter.
 */
#ifndef SONNIM_TYPO_H
#define SONNIM_TYPO_H
#include <stddef.h>
struct strlist;

#define TYPO_MIN_WORD 3	 /* shorter words are not kept or corrected */
#define TYPO_MAX_WORD 32 /* nor longer ones */

/* The English vocabulary words of text[0..len): tokens made only of ASCII
 * letters, TYPO_MIN_WORD..TYPO_MAX_WORD bytes, appended to stems (the
 * token) and words (the lower-cased source word, same index), each stem
 * once (a stem already in stems is skipped).  Returns how many were added. */
int typo_words(const char *text, size_t len, struct strlist *stems, struct strlist *words);
/* How many edits a word of len bytes may have: 0 below 4 letters, 1 up
 * to 7, 2 from 8. */
int typo_max_edits(size_t len);
/* The edit distance between a and b, or max + 1 when it is more than max
 * (the computation stops early). */
int typo_distance(const char *a, const char *b, int max);
/* The trigrams of word padded with '^' and '$' ("ship" -> "^sh", "shi",
 * "hip", "ip$"), appended to out unless already there. */
void typo_trigrams(const char *word, struct strlist *out);
#endif
