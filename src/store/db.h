/* db.h - one interface over SQLite and PostgreSQL.
 *
 * The rest of src/store/ writes SQL once, in the subset both engines speak,
 * with `?` placeholders; the PostgreSQL backend rewrites them to $1..$n when
 * it prepares a statement.  Every statement is prepared once per connection
 * and cached by its text: values are always bound, never spliced into SQL.
 *
 * Results are materialized (all rows copied out) and owned by the caller,
 * which frees them with db_res_free().  Values come back as text (integers in
 * decimal), NULL as a NULL pointer.
 *
 * A struct db is one connection and is used by one thread at a time.
 */
#ifndef SONNIM_DB_H
#define SONNIM_DB_H
#include <stddef.h>
#include <stdint.h>

enum db_engine { DB_SQLITE, DB_PG };

/* Return codes besides 0 (ok). */
#define DB_ERR (-1)	   /* any other failure; db_errmsg() says what */
#define DB_CONSTRAINT (-2) /* a UNIQUE/NOT NULL/CHECK constraint refused it */
#define DB_REFUSED (-3)    /* a write function undid itself on purpose (rules, permissions) */

struct db;
struct db_res {
	int nrows, ncols;
	char **v;	/* nrows*ncols values, row-major; NULL = SQL NULL */
	size_t *len;	/* byte length of each value */
	char *arena;	/* one block holding all values */
};

/* Open a connection.  url is "sqlite:PATH", a PATH ending in ".db", or a
 * libpq connection string/URI ("postgresql://...", "host=... dbname=...").
 * durable=1 makes SQLite commits fsync (synchronous=FULL); PostgreSQL always
 * fsyncs (synchronous_commit stays on).  Returns NULL and fills err. */
struct db *db_open(const char *url, int durable, char *err, size_t errlen);
void db_close(struct db *db);
enum db_engine db_engine(const struct db *db);
const char *db_errmsg(const struct db *db);

/* Run SQL text without parameters or results (may hold several statements;
 * for migrations and transaction control).  0 or DB_ERR. */
int db_exec(struct db *db, const char *sql);

/* Prepare (cached), bind and run one statement.  fmt names the type of each
 * following argument:
 *   'i' int64_t      's' const char * (NULL binds SQL NULL)
 *   'S' const char *, size_t length   'n' SQL NULL (no argument)
 * When res is non-NULL the rows are returned in *res (free with db_res_free).
 * Returns 0, DB_CONSTRAINT or DB_ERR. */
int db_query(struct db *db, struct db_res **res, const char *sql, const char *fmt, ...);
/* The same with an argument array, for SQL assembled from constant
 * fragments (search, filters): type is 'i', 's' or 'n' as above. */
struct db_arg {
	char type;
	int64_t i;
	const char *s;
};
int db_query_args(struct db *db, struct db_res **res, const char *sql, const struct db_arg *args,
		  int nargs);
/* Rows changed by the last INSERT/UPDATE/DELETE run through db_query. */
int64_t db_changes(const struct db *db);

int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

void db_res_free(struct db_res *r);
static inline const char *db_str(const struct db_res *r, int row, int col)
{
	return r->v[row * r->ncols + col];
}
int64_t db_int(const struct db_res *r, int row, int col); /* NULL -> 0 */
static inline int db_isnull(const struct db_res *r, int row, int col)
{
	return r->v[row * r->ncols + col] == NULL;
}

/* Deferred search documents.  Inside a writer group the store calls
 * db_defer_start(); writes then name the documents they changed with
 * db_defer_add() instead of rebuilding them at once, and the writer
 * rebuilds each named document once, after the group's savepoints and
 * before COMMIT (so the index costs one pass per group, not one per
 * write, and FTS5 does not flush at every savepoint).  A write that rolls
 * back to its savepoint drops its names with db_defer_rewind(mark).
 * Outside a group (db_defer_active() == 0) callers index immediately. */
struct db_doc {
	int kind;	/* DOC_* */
	int64_t id;
};
enum { DOC_TICKET = 1, DOC_USER = 2, DOC_ORGANIZATION = 3 };
void db_defer_start(struct db *db);
int db_defer_active(const struct db *db);
void db_defer_add(struct db *db, int kind, int64_t id);
size_t db_defer_mark(const struct db *db);
void db_defer_rewind(struct db *db, size_t mark);
/* Stop deferring; return the named documents (owned by db, valid until the
 * next db_defer_start) and their count. */
size_t db_defer_take(struct db *db, const struct db_doc **docs);

/* Fault injection for tests (SQLite's and curl's torture idea): after
 * db_fail_after(n), the n-th following db_query/db_query_args call on any
 * connection fails with DB_ERR ("injected fault"); 0 turns it off. */
void db_fail_after(int n);

/* Total nanoseconds spent inside the database and statements run, for
 * /metrics (all connections, all threads). */
int64_t db_time_ns_total(void);
int64_t db_queries_total(void);
#endif
