/* answer_bot_store.h - the answer bot: a question in, the best articles out
 * with scores, and what the customer said about them.
 *
 * answer_bot_answers() is the one service the contact form, the API and
 * (later) the email auto-reply and the messenger call: it runs the help
 * center's article search (hc_search, store/hc_store.h) for the question
 * and multiplies each hit's score by hc_feedback_boost() (core/hc.h) of
 * the "this solved it" / "not helpful" / click counts earlier outcomes left for
 * the question's terms and that article (answer_bot_feedback), then keeps
 * the best.  Reads only.
 *
 * A deflection is one question asked with the articles offered for it,
 * addressed by an interaction token (only its SHA-256 is stored).  Its
 * outcome is recorded once "resolved" (with the article that solved it)
 * or, per article, "rejected"; each outcome adds one to that article's
 * counts for every term of the question, which is how outcomes feed back
 * into ranking.  A click (answer_bot_click: the asker followed an offered
 * article) is counted once per deflection and article and adds one to
 * that article's "clicked" count the same way, weighing less than a
 * resolution.
 *
 * Conventions as in the other stores: 0, 1 for "no such row", or DB_*;
 * writers run inside store_write().
 */
#ifndef SONNIM_ANSWER_BOT_STORE_H
#define SONNIM_ANSWER_BOT_STORE_H
#include "core/ticket.h"
#include "store/db.h"
#include "store/hc_store.h"

#define ANSWER_BOT_MAX 10	 /* articles one answer may hold */
#define ANSWER_BOT_CANDIDATES 50 /* search hits re-ranked with feedback */

/* The best (at most limit, <= ANSWER_BOT_MAX) articles visible to v for
 * question, best first, scores with feedback applied.  *hits (free())
 * NULL when none. */
int answer_bot_answers(struct db *db, const char *question, const struct hc_view *v, int limit,
		       struct hc_hit **hits, int *n);

struct ab_deflection {
	int64_t id;
	char *enquiry;		/* the question as asked */
	char locale[8];
	char channel[16];	/* "api", "web_form", "email", ... */
	int64_t ticket_id;	/* the ticket a resolution solves; 0 none */
	int64_t user_id;	/* who asked; 0 an anonymous visitor */
	struct idlist article_ids;	/* offered, best first */
	struct idlist rejected_ids;	/* marked "not helpful" */
	struct idlist clicked_ids;	/* followed (answer_bot_click), each once */
	char state[12];		/* "offered", "rejected" (some), "resolved" */
	int64_t article_id;	/* resolved: the article that solved it */
	int64_t created_at, updated_at;
};
void ab_deflection_clear(struct ab_deflection *d);

/* Save d (state "offered") under token_hash (64 hex); d->id set. */
int answer_bot_deflection_insert(struct db *db, struct ab_deflection *d, const char *token_hash);
/* The deflection of token_hash: 0, 1 none. */
int answer_bot_deflection_get(struct db *db, const char *token_hash, struct ab_deflection *out);

/* Outcomes of answer_bot_outcome(). */
enum { AB_OK = 0, AB_NONE = 1, AB_NOT_OFFERED = 2, AB_DONE = 3 };
/* Record that article_id solved the question (resolved = 1) or did not
 * help (0), and add the feedback counts.  AB_NONE: no deflection with
 * that token (or deflection_id, when non-zero, is not its id);
 * AB_NOT_OFFERED: the article was not one of its answers; AB_DONE: it was
 * resolved before, or this article was already rejected (nothing
 * changes).  *out (cleared by the caller) gets the deflection after. */
int answer_bot_outcome(struct db *db, const char *token_hash, int64_t deflection_id,
		       int64_t article_id, int resolved, int64_t now, struct ab_deflection *out);

/* Record that the asker of token_hash followed article_id (a click) and,
 * the first time for this deflection and article, add one to the
 * article's "clicked" feedback count for every term of the question.
 * AB_NONE: no deflection with that token; AB_NOT_OFFERED: the article was
 * not one of its answers; AB_DONE: already clicked (nothing changes).
 * *out (cleared by the caller) gets the deflection after.  Call inside
 * store_write(). */
int answer_bot_click(struct db *db, const char *token_hash, int64_t article_id, int64_t now,
		     struct ab_deflection *out);

/* Counts for reports and tests: deflections by state ("resolved", ...). */
int answer_bot_count(struct db *db, const char *state, int64_t *count);
#endif
