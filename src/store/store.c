/* store.c - reader pool and group-committing writer (see store.h).
 *
 * The writer thread loop:
 *   wait until the queue is non-empty
 *   take the whole queue (a singly linked list, newest first -> reversed)
 *   BEGIN; for each: SAVEPOINT w; rc = fn(); rc<0 ? ROLLBACK TO w : RELEASE w
 *   rebuild the search documents the group named (db_defer_*), each once
 *   COMMIT (one fsync for the whole group); wake every waiter
 * Each waiter sleeps on its own condition variable (on an HTTP handler
 * thread, its connection suspended), so a write costs two context switches
 * plus 1/N of a commit.  A failure outside a write's own savepoint (the
 * search rebuild, COMMIT) fails the whole group: nothing of it is kept and
 * every waiter gets DB_ERR.
 */
#include "store/store.h"
#include "store/hc_store.h"
#include "store/satisfaction_store.h"
#include <sodium.h>
#include "base/log.h"
#include "base/util.h"
#include "store/ticket_store.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct write_req {
	store_write_fn fn;
	void *arg;
	int rc;
	int done;
	pthread_cond_t cond;
	struct write_req *next;
};

struct store {
	enum db_engine engine;
	struct db *writer;
	struct db **readers;
	int nreaders, nfree;
	int *free_idx;
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_cond;

	pthread_mutex_t wlock;
	pthread_cond_t wcond;
	struct write_req *queue; /* newest first */
	int64_t depth, commits, writes;
	int stopping;
	pthread_t thread;
};

static void run_group(struct store *st, struct write_req *list)
{
	struct db *db = st->writer;
	int began = db_begin(db) == 0;
	if (!began)
		log_error("store", "begin failed: %s", db_errmsg(db));
	db_defer_start(db);
	for (struct write_req *w = list; w; w = w->next) {
		if (!began) {
			w->rc = DB_ERR;
			continue;
		}
		if (db_exec(db, "SAVEPOINT w")) {
			w->rc = DB_ERR;
			continue;
		}
		size_t mark = db_defer_mark(db);
		w->rc = w->fn(db, w->arg);
		if (w->rc == DB_ERR)
			log_warn("store", "write failed: %s", db_errmsg(db));
		else if (w->rc == DB_CONSTRAINT)
			log_debug("store", "write refused: %s", db_errmsg(db));
		if (w->rc >= 0 && !db_exec(db, "RELEASE w"))
			continue;
		if (w->rc >= 0) { /* PG: fn ignored a failed statement */
			log_error("store", "write ignored a failed statement: %s", db_errmsg(db));
			w->rc = DB_ERR;
		}
		db_defer_rewind(db, mark);
		if (db_exec(db, "ROLLBACK TO w") || db_exec(db, "RELEASE w")) {
			log_error("store", "rollback to savepoint failed: %s", db_errmsg(db));
			db_defer_take(db, &(const struct db_doc *){NULL});
			db_rollback(db);
			for (struct write_req *k = list; k; k = k->next)
				k->rc = DB_ERR;
			return;
		}
	}
	/* the search documents the group changed, each rebuilt once */
	const struct db_doc *docs;
	size_t ndocs = db_defer_take(db, &docs);
	for (size_t i = 0; began && i < ndocs; i++) {
		if (search_index_doc(db, docs[i].kind, docs[i].id) == 0)
			continue;
		log_error("store", "search index failed: %s", db_errmsg(db));
		db_rollback(db);
		for (struct write_req *w = list; w; w = w->next)
			w->rc = DB_ERR;
		return;
	}
	if (began && db_commit(db)) {
		log_error("store", "commit failed: %s", db_errmsg(db));
		db_rollback(db);
		for (struct write_req *w = list; w; w = w->next)
			w->rc = DB_ERR;
	}
}

static void *writer_main(void *p)
{
	struct store *st = p;
	pthread_mutex_lock(&st->wlock);
	for (;;) {
		while (!st->queue && !st->stopping)
			pthread_cond_wait(&st->wcond, &st->wlock);
		if (!st->queue && st->stopping)
			break;
		struct write_req *rev = NULL, *w = st->queue;
		st->queue = NULL;
		int64_t n = 0;
		while (w) { /* reverse to arrival order */
			struct write_req *next = w->next;
			w->next = rev;
			rev = w;
			w = next;
			n++;
		}
		st->depth -= n;
		pthread_mutex_unlock(&st->wlock);
		run_group(st, rev);
		pthread_mutex_lock(&st->wlock);
		st->commits++;
		st->writes += n;
		for (w = rev; w;) {
			struct write_req *next = w->next; /* w dies once done is seen */
			w->done = 1;
			pthread_cond_signal(&w->cond);
			w = next;
		}
	}
	pthread_mutex_unlock(&st->wlock);
	return NULL;
}

int store_write(struct store *st, store_write_fn fn, void *arg)
{
	struct write_req w = {.fn = fn, .arg = arg};
	pthread_cond_init(&w.cond, NULL);
	pthread_mutex_lock(&st->wlock);
	w.next = st->queue;
	st->queue = &w;
	st->depth++;
	pthread_cond_signal(&st->wcond);
	while (!w.done)
		pthread_cond_wait(&w.cond, &st->wlock);
	pthread_mutex_unlock(&st->wlock);
	pthread_cond_destroy(&w.cond);
	return w.rc;
}

struct store *store_open(const char *url, int durable, int nreaders, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	st->writer = db_open(url, durable, err, errlen);
	if (!st->writer) {
		free(st);
		return NULL;
	}
	st->engine = db_engine(st->writer);
	if (store_migrate(st->writer)) {
		snprintf(err, errlen, "migration failed: %s", db_errmsg(st->writer));
		db_close(st->writer);
		free(st);
		return NULL;
	}
	/* the CSAT survey secret exists before any reader renders a link */
	char secret[65];
	if (satisfaction_secret(st->writer, secret)) {
		snprintf(err, errlen, "cannot create the survey secret: %s", db_errmsg(st->writer));
		db_close(st->writer);
		free(st);
		return NULL;
	}
	sodium_memzero(secret, sizeof(secret));
	/* help centers indexed before the typo vocabulary existed get it now */
	if (hc_vocab_backfill(st->writer)) {
		snprintf(err, errlen, "cannot build the search vocabulary: %s",
			 db_errmsg(st->writer));
		db_close(st->writer);
		free(st);
		return NULL;
	}
	if (nreaders < 1)
		nreaders = 1;
	st->readers = xcalloc(nreaders, sizeof(*st->readers));
	st->free_idx = xcalloc(nreaders, sizeof(int));
	for (int i = 0; i < nreaders; i++) {
		st->readers[i] = db_open(url, durable, err, errlen);
		if (!st->readers[i]) {
			st->nreaders = i;
			store_close(st);
			return NULL;
		}
		st->free_idx[st->nfree++] = i;
		st->nreaders = i + 1;
	}
	pthread_mutex_init(&st->pool_lock, NULL);
	pthread_cond_init(&st->pool_cond, NULL);
	pthread_mutex_init(&st->wlock, NULL);
	pthread_cond_init(&st->wcond, NULL);
	if (pthread_create(&st->thread, NULL, writer_main, st))
		die("cannot start the writer thread");
	return st;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->thread) {
		pthread_mutex_lock(&st->wlock);
		st->stopping = 1;
		pthread_cond_signal(&st->wcond);
		pthread_mutex_unlock(&st->wlock);
		pthread_join(st->thread, NULL);
	}
	for (int i = 0; i < st->nreaders; i++)
		db_close(st->readers[i]);
	free(st->readers);
	free(st->free_idx);
	db_close(st->writer);
	free(st);
}

enum db_engine store_engine(const struct store *st)
{
	return st->engine;
}

struct db *store_reader(struct store *st)
{
	pthread_mutex_lock(&st->pool_lock);
	while (!st->nfree)
		pthread_cond_wait(&st->pool_cond, &st->pool_lock);
	struct db *db = st->readers[st->free_idx[--st->nfree]];
	pthread_mutex_unlock(&st->pool_lock);
	return db;
}

void store_release(struct store *st, struct db *db)
{
	pthread_mutex_lock(&st->pool_lock);
	for (int i = 0; i < st->nreaders; i++)
		if (st->readers[i] == db) {
			st->free_idx[st->nfree++] = i;
			break;
		}
	pthread_cond_signal(&st->pool_cond);
	pthread_mutex_unlock(&st->pool_lock);
}

void store_stats(struct store *st, struct store_stats *out)
{
	pthread_mutex_lock(&st->wlock);
	out->commits = st->commits;
	out->writes = st->writes;
	out->queue_depth = st->depth;
	pthread_mutex_unlock(&st->wlock);
}
