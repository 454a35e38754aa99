/* fts_sqlite.c - the "sonnim" FTS5 tokenizer: core/tokenize.h behind the
 * fts5_tokenizer interface (see fts_sqlite.h).
 *
 * Registration asks the connection for its fts5_api (SELECT fts5(?1) with a
 * pointer bound as "fts5_api_ptr", the documented way since SQLite 3.20),
 * then calls xCreateTokenizer.  The tokenizer has no state: xCreate hands
 * out a pointer to a static placeholder and xDelete does nothing.
 * xTokenize passes each token straight to FTS5's xToken callback; a
 * non-zero return (e.g. SQLITE_NOMEM) stops tokenize() and is returned.
 * Document and query text go through the same code, which is what makes
 * phrase queries over bigrams work.
 *
 * Cost: the tokenizer's O(n) per call; nothing allocated here.
 */
#include "store/fts_sqlite.h"
#include "core/tokenize.h"
#include <sqlite3.h>

/* FTS5's API structs come from sqlite3.h (SQLite >= 3.20) */

struct sonnim_tokenizer {
	int unused; /* FTS5 wants a non-NULL tokenizer handle */
};

static struct sonnim_tokenizer the_tokenizer;

struct token_ctx {
	void *fts_ctx; /* FTS5's pCtx for xToken */
	int (*xtoken)(void *, int, const char *, int, int, int);
};

static int sonnim_create(void *user, const char **args, int nargs, Fts5Tokenizer **out)
{
	if (nargs > 0) {
		*out = NULL;
		return SQLITE_ERROR;
	}
	*out = (Fts5Tokenizer *)&the_tokenizer;
	return SQLITE_OK;
}

static void sonnim_delete(Fts5Tokenizer *t) {}

static int pass_token(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct token_ctx *tc = ctx;
	return tc->xtoken(tc->fts_ctx, 0, tok, (int)toklen, start, end);
}

static int sonnim_tokenize(Fts5Tokenizer *t, void *fts_ctx, int flags, const char *text, int ntext,
			   int (*xtoken)(void *, int, const char *, int, int, int))
{
	struct token_ctx tc = {fts_ctx, xtoken};
	if (ntext <= 0)
		return SQLITE_OK;
	int rc = tokenize(text, (size_t)ntext, pass_token, &tc);
	return rc < 0 ? SQLITE_ERROR : rc;
}

static fts5_api *get_fts5_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int fts_sqlite_register(sqlite3 *db)
{
	static fts5_tokenizer ops = {sonnim_create, sonnim_delete, sonnim_tokenize};
	fts5_api *api = get_fts5_api(db);
	if (!api || api->iVersion < 2)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, FTS_SQLITE_TOKENIZER, NULL, &ops, NULL);
}
