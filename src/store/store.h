/* store.h - the database as the server sees it: a pool of reader
 * connections and one writer thread that commits in groups.
 *
 * Writes: store_write(st, fn, arg) queues fn and blocks until the writer
 * thread has run it inside a transaction and committed.  The writer takes
 * every queued write at once, runs each inside its own SAVEPOINT (a failing
 * write is rolled back alone) and commits the group with a single fsync, so
 * N concurrent requests cost one commit (group commit).  fn returns 0 to keep
 * its changes, or a negative value to undo them; store_write returns what fn
 * returned, or DB_ERR when the commit itself failed (then nothing of the
 * group was kept).
 *
 * Reads: store_reader() borrows a connection (blocking while all are in
 * use); store_release() gives it back.  Readers see committed data only.
 */
#ifndef SONNIM_STORE_H
#define SONNIM_STORE_H
#include "store/db.h"

struct store;

/* Open url (see db_open), apply migrations, start the writer thread.
 * nreaders >= 1.  Returns NULL with err filled. */
struct store *store_open(const char *url, int durable, int nreaders, char *err, size_t errlen);
void store_close(struct store *st);
enum db_engine store_engine(const struct store *st);

typedef int (*store_write_fn)(struct db *db, void *arg);
int store_write(struct store *st, store_write_fn fn, void *arg);

struct db *store_reader(struct store *st);
void store_release(struct store *st, struct db *db);

/* Statistics for /metrics. */
struct store_stats {
	int64_t commits;	/* transactions committed by the writer */
	int64_t writes;		/* write functions run */
	int64_t queue_depth;	/* writes waiting right now */
};
void store_stats(struct store *st, struct store_stats *out);

/* Apply pending schema migrations on db.  0 or DB_ERR (with db_errmsg). */
int store_migrate(struct db *db);
/* The schema version db is at (0 = empty). */
int store_schema_version(struct db *db);
#endif
