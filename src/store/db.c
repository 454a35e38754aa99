/* db.c - the connection layer behind db.h: SQLite and PostgreSQL.
 *
 * Statements are cached per connection in an open-addressing table keyed by
 * the SQL text (its hash, then strcmp).  The first db_query() with a given
 * text prepares it: sqlite3_prepare_v3(PERSISTENT) or PQprepare() with the
 * `?` placeholders rewritten to $n (outside quoted strings).  Later calls
 * only bind and step, so a query costs one hash lookup plus the engine's own
 * work.  PostgreSQL parameters are sent as text; the server infers types
 * from context, so SQL that needs a type says CAST(? AS BIGINT).
 *
 * Results are copied into one arena per result (two passes over the rows:
 * sizes, then bytes), so a result is two allocations plus the arena.
 */
#include "store/db.h"
#include "base/buf.h"
#include "base/util.h"
#include "store/fts_sqlite.h"
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 64
#define MAX_CACHED 1024 /* statements kept per connection */

struct stmt_slot {
	char *sql;		/* owned copy of the text; NULL = empty slot */
	uint64_t hash;
	sqlite3_stmt *lite;	/* SQLite */
	char name[16];		/* PostgreSQL prepared statement name */
	int nparams;		/* placeholders in the text */
};

struct db {
	enum db_engine engine;
	sqlite3 *lite;
	PGconn *pg;
	struct stmt_slot *slots;
	size_t nslots, used;
	int next_name;
	int64_t changes;
	char err[512];
	struct db_doc *docs;	/* deferred search documents */
	size_t ndocs, adocs;
	int deferring;
};

static atomic_llong time_ns_total, queries_total;
int64_t db_time_ns_total(void)
{
	return atomic_load(&time_ns_total);
}

int64_t db_queries_total(void)
{
	return atomic_load(&queries_total);
}

enum db_engine db_engine(const struct db *db)
{
	return db->engine;
}

const char *db_errmsg(const struct db *db)
{
	return db->err;
}

static void seterr(struct db *db, const char *msg)
{
	snprintf(db->err, sizeof(db->err), "%s", msg ? msg : "unknown error");
	size_t n = strlen(db->err);
	while (n && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
		db->err[--n] = '\0';
}

static atomic_int fault_countdown;

void db_fail_after(int n)
{
	atomic_store(&fault_countdown, n);
}

/* 1 when this call is the injected failure. */
static int fault_now(struct db *db)
{
	if (atomic_load(&fault_countdown) <= 0)
		return 0;
	if (atomic_fetch_sub(&fault_countdown, 1) != 1)
		return 0;
	seterr(db, "injected fault");
	return 1;
}

static int is_pg_url(const char *url)
{
	if (!strncmp(url, "sqlite:", 7))
		return 0;
	return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11) ||
	       strstr(url, "dbname=") || strstr(url, "host=");
}

struct db *db_open(const char *url, int durable, char *err, size_t errlen)
{
	struct db *db = xcalloc(1, sizeof(*db));
	db->nslots = 64;
	db->slots = xcalloc(db->nslots, sizeof(*db->slots));
	if (is_pg_url(url)) {
		db->engine = DB_PG;
		db->pg = PQconnectdb(url);
		if (PQstatus(db->pg) != CONNECTION_OK) {
			snprintf(err, errlen, "cannot connect to postgresql: %s",
				 PQerrorMessage(db->pg));
			db_close(db);
			return NULL;
		}
		PQclear(PQexec(db->pg, "SET client_min_messages = warning"));
		return db;
	}
	db->engine = DB_SQLITE;
	const char *path = !strncmp(url, "sqlite:", 7) ? url + 7 : url;
	int rc = sqlite3_open_v2(path, &db->lite,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open '%s': %s", path,
			 db->lite ? sqlite3_errmsg(db->lite) : sqlite3_errstr(rc));
		db_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->lite, 10000);
	sqlite3_extended_result_codes(db->lite, 1);
	char pragmas[256];
	snprintf(pragmas, sizeof(pragmas),
		 "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;"
		 "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-2000;",
		 durable ? "FULL" : "NORMAL");
	if (db_exec(db, pragmas) || fts_sqlite_register(db->lite)) {
		snprintf(err, errlen, "cannot set up '%s': %s", path, db->err);
		db_close(db);
		return NULL;
	}
	return db;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->nslots; i++) {
		if (db->slots[i].lite)
			sqlite3_finalize(db->slots[i].lite);
		free(db->slots[i].sql);
	}
	free(db->slots);
	free(db->docs);
	if (db->lite)
		sqlite3_close_v2(db->lite);
	if (db->pg)
		PQfinish(db->pg);
	free(db);
}

static struct stmt_slot *prepare(struct db *db, const char *sql);

int db_exec(struct db *db, const char *sql)
{
	if (db->engine == DB_SQLITE && !strchr(sql, ';')) {
		/* one statement (BEGIN, SAVEPOINT, COMMIT...): use the cache */
		struct stmt_slot *st = prepare(db, sql);
		if (!st)
			return DB_ERR;
		int rc = sqlite3_step(st->lite);
		sqlite3_reset(st->lite);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
			seterr(db, sqlite3_errmsg(db->lite));
			return DB_ERR;
		}
		return 0;
	}
	if (db->engine == DB_SQLITE) {
		char *msg = NULL;
		int rc = sqlite3_exec(db->lite, sql, NULL, NULL, &msg);
		if (rc != SQLITE_OK) {
			seterr(db, msg ? msg : sqlite3_errstr(rc));
			sqlite3_free(msg);
			return DB_ERR;
		}
		return 0;
	}
	PGresult *r = PQexec(db->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		seterr(db, PQresultErrorMessage(r));
		PQclear(r);
		return DB_ERR;
	}
	PQclear(r);
	return 0;
}

void db_defer_start(struct db *db)
{
	db->ndocs = 0;
	db->deferring = 1;
}

int db_defer_active(const struct db *db)
{
	return db->deferring;
}

void db_defer_add(struct db *db, int kind, int64_t id)
{
	for (size_t i = db->ndocs; i-- > 0;)
		if (db->docs[i].kind == kind && db->docs[i].id == id)
			return;
	if (db->ndocs == db->adocs) {
		db->adocs = db->adocs ? db->adocs * 2 : 16;
		db->docs = xrealloc(db->docs, db->adocs * sizeof(*db->docs));
	}
	db->docs[db->ndocs++] = (struct db_doc){kind, id};
}

size_t db_defer_mark(const struct db *db)
{
	return db->ndocs;
}

void db_defer_rewind(struct db *db, size_t mark)
{
	if (mark < db->ndocs)
		db->ndocs = mark;
}

size_t db_defer_take(struct db *db, const struct db_doc **docs)
{
	db->deferring = 0;
	*docs = db->docs;
	return db->ndocs;
}

int db_begin(struct db *db)
{
	return db_exec(db, db->engine == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
}

int db_commit(struct db *db)
{
	if (db->engine == DB_SQLITE)
		return db_exec(db, "COMMIT");
	/* COMMIT of an aborted PostgreSQL transaction "succeeds" as ROLLBACK */
	PGresult *r = PQexec(db->pg, "COMMIT");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COMMIT");
	seterr(db, ok ? "" : PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r)
						       : "the transaction was rolled back");
	PQclear(r);
	return ok ? 0 : DB_ERR;
}

int db_rollback(struct db *db)
{
	return db_exec(db, "ROLLBACK");
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct stmt_slot *slot_find(struct db *db, const char *sql, uint64_t h)
{
	size_t mask = db->nslots - 1, i = h & mask;
	while (db->slots[i].sql) {
		if (db->slots[i].hash == h && !strcmp(db->slots[i].sql, sql))
			return &db->slots[i];
		i = (i + 1) & mask;
	}
	return &db->slots[i];
}

static void slots_grow(struct db *db)
{
	struct stmt_slot *old = db->slots;
	size_t n = db->nslots;
	db->nslots *= 2;
	db->slots = xcalloc(db->nslots, sizeof(*db->slots));
	for (size_t i = 0; i < n; i++)
		if (old[i].sql)
			*slot_find(db, old[i].sql, old[i].hash) = old[i];
	free(old);
}

/* Rewrite ? to $n outside '...' and "..." for PostgreSQL; *np = count. */
static char *pg_rewrite(const char *sql, int *np)
{
	struct buf b = BUF_INIT;
	int n = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			buf_addc(&b, *p);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			buf_addc(&b, *p);
		} else if (*p == '?') {
			buf_addf(&b, "$%d", ++n);
		} else {
			buf_addc(&b, *p);
		}
	}
	*np = n;
	return buf_detach(&b);
}

/* Forget every cached statement (the cache is full of one-off SQL). */
static void slots_flush(struct db *db)
{
	for (size_t i = 0; i < db->nslots; i++) {
		struct stmt_slot *s = &db->slots[i];
		if (!s->sql)
			continue;
		if (s->lite)
			sqlite3_finalize(s->lite);
		if (db->pg && s->name[0]) {
			char q[48];
			snprintf(q, sizeof(q), "DEALLOCATE %s", s->name);
			PQclear(PQexec(db->pg, q));
		}
		free(s->sql);
		memset(s, 0, sizeof(*s));
	}
	db->used = 0;
}

static struct stmt_slot *prepare(struct db *db, const char *sql)
{
	uint64_t h = fnv1a(sql);
	struct stmt_slot *s = slot_find(db, sql, h);
	if (s->sql)
		return s;
	if (db->used >= MAX_CACHED) {
		slots_flush(db);
		s = slot_find(db, sql, h);
	}
	if (db->engine == DB_SQLITE) {
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v3(db->lite, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK) {
			seterr(db, sqlite3_errmsg(db->lite));
			return NULL;
		}
		s->lite = st;
		s->nparams = sqlite3_bind_parameter_count(st);
	} else {
		snprintf(s->name, sizeof(s->name), "s%d", ++db->next_name);
		char *text = pg_rewrite(sql, &s->nparams);
		PGresult *r = PQprepare(db->pg, s->name, text, 0, NULL);
		free(text);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			seterr(db, PQresultErrorMessage(r));
			PQclear(r);
			s->name[0] = '\0';
			return NULL;
		}
		PQclear(r);
	}
	s->sql = xstrdup(sql);
	s->hash = h;
	if (++db->used * 2 > db->nslots) {
		slots_grow(db);
		s = slot_find(db, sql, h);
	}
	return s;
}

struct param {
	const char *s;
	size_t len;
	int is_int;
	int counted;	/* 'S': s is not NUL-terminated at len */
	int64_t i;
	char num[24];
};

static int collect(const char *fmt, va_list ap, struct param *p, int *np, struct db *db)
{
	int n = 0;
	for (const char *f = fmt ? fmt : ""; *f; f++) {
		if (n == MAX_PARAMS) {
			seterr(db, "too many parameters");
			return DB_ERR;
		}
		struct param *q = &p[n++];
		memset(q, 0, sizeof(*q));
		switch (*f) {
		case 'i':
			q->is_int = 1;
			q->i = va_arg(ap, int64_t);
			snprintf(q->num, sizeof(q->num), "%lld", (long long)q->i);
			q->s = q->num;
			q->len = strlen(q->num);
			break;
		case 's':
			q->s = va_arg(ap, const char *);
			q->len = q->s ? strlen(q->s) : 0;
			break;
		case 'S':
			q->s = va_arg(ap, const char *);
			q->len = va_arg(ap, size_t);
			q->counted = 1;
			break;
		case 'n':
			break;
		default:
			BUG("bad db_query format '%c'", *f);
		}
	}
	*np = n;
	return 0;
}

static struct db_res *res_new(int nrows, int ncols, size_t bytes)
{
	struct db_res *r = xcalloc(1, sizeof(*r));
	r->nrows = nrows;
	r->ncols = ncols;
	r->v = xcalloc((size_t)nrows * ncols + 1, sizeof(char *));
	r->len = xcalloc((size_t)nrows * ncols + 1, sizeof(size_t));
	r->arena = xmalloc(bytes + 1);
	return r;
}

void db_res_free(struct db_res *r)
{
	if (!r)
		return;
	free(r->v);
	free(r->len);
	free(r->arena);
	free(r);
}

int64_t db_int(const struct db_res *r, int row, int col)
{
	const char *s = db_str(r, row, col);
	return s ? strtoll(s, NULL, 10) : 0;
}

static int lite_run(struct db *db, struct stmt_slot *s, struct param *p, int np,
		    struct db_res **res)
{
	sqlite3_stmt *st = s->lite;
	for (int i = 0; i < np; i++) {
		int rc;
		if (p[i].is_int)
			rc = sqlite3_bind_int64(st, i + 1, p[i].i);
		else if (p[i].s)
			rc = sqlite3_bind_text(st, i + 1, p[i].s, (int)p[i].len, SQLITE_STATIC);
		else
			rc = sqlite3_bind_null(st, i + 1);
		if (rc != SQLITE_OK) {
			seterr(db, sqlite3_errmsg(db->lite));
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return DB_ERR;
		}
	}
	/* rows are collected into a growing list, then packed into the arena */
	struct buf data = BUF_INIT;
	size_t *lens = NULL, nvals = 0, cap = 0;
	int ncols = sqlite3_column_count(st), nrows = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!res)
			continue;
		for (int c = 0; c < ncols; c++) {
			if (nvals == cap) {
				cap = cap ? cap * 2 : 16;
				lens = xrealloc(lens, cap * sizeof(*lens));
			}
			if (sqlite3_column_type(st, c) == SQLITE_NULL) {
				lens[nvals++] = (size_t)-1;
				continue;
			}
			const unsigned char *t = sqlite3_column_text(st, c);
			size_t n = sqlite3_column_bytes(st, c);
			buf_add(&data, t, n);
			buf_addc(&data, '\0');
			lens[nvals++] = n;
		}
		nrows++;
	}
	int ret = 0;
	if (rc != SQLITE_DONE) {
		int ext = sqlite3_extended_errcode(db->lite);
		seterr(db, sqlite3_errmsg(db->lite));
		ret = (ext & 0xff) == SQLITE_CONSTRAINT ? DB_CONSTRAINT : DB_ERR;
	}
	db->changes = sqlite3_changes64(db->lite);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (res && ret == 0) {
		struct db_res *r = res_new(nrows, ncols, data.len);
		memcpy(r->arena, data.s, data.len);
		size_t off = 0;
		for (size_t i = 0; i < nvals; i++) {
			if (lens[i] == (size_t)-1)
				continue;
			r->v[i] = r->arena + off;
			r->len[i] = lens[i];
			off += lens[i] + 1;
		}
		*res = r;
	}
	buf_release(&data);
	free(lens);
	return ret;
}

static int pg_run(struct db *db, struct stmt_slot *s, struct param *p, int np,
		  struct db_res **res)
{
	const char *vals[MAX_PARAMS] = {0};
	int lens[MAX_PARAMS] = {0}, fmts[MAX_PARAMS] = {0};
	char *copies[MAX_PARAMS] = {0};
	for (int i = 0; i < np; i++) {
		/* libpq wants text parameters NUL-terminated */
		if (p[i].s && p[i].counted)
			vals[i] = copies[i] = xstrndup(p[i].s, p[i].len);
		else
			vals[i] = p[i].s;
		lens[i] = (int)p[i].len;
		fmts[i] = 0;
	}
	PGresult *r = PQexecPrepared(db->pg, s->name, np, vals, lens, fmts, 0);
	for (int i = 0; i < np; i++)
		free(copies[i]);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		int rc = state && !strncmp(state, "23", 2) ? DB_CONSTRAINT : DB_ERR;
		seterr(db, PQresultErrorMessage(r));
		PQclear(r);
		return rc;
	}
	const char *cmd = PQcmdStatus(r), *ct = PQcmdTuples(r);
	if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) || !strncmp(cmd, "DELETE", 6))
		db->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
	if (res) {
		int nrows = PQntuples(r), ncols = PQnfields(r);
		size_t bytes = 0;
		for (int i = 0; i < nrows; i++)
			for (int c = 0; c < ncols; c++)
				bytes += PQgetlength(r, i, c) + 1;
		struct db_res *out = res_new(nrows, ncols, bytes);
		size_t off = 0;
		for (int i = 0; i < nrows; i++)
			for (int c = 0; c < ncols; c++) {
				if (PQgetisnull(r, i, c))
					continue;
				size_t n = PQgetlength(r, i, c);
				memcpy(out->arena + off, PQgetvalue(r, i, c), n);
				out->arena[off + n] = '\0';
				out->v[i * ncols + c] = out->arena + off;
				out->len[i * ncols + c] = n;
				off += n + 1;
			}
		*res = out;
	}
	PQclear(r);
	return 0;
}

int db_query(struct db *db, struct db_res **res, const char *sql, const char *fmt, ...)
{
	int64_t t0 = mono_ns();
	struct param p[MAX_PARAMS];
	int np, rc;
	if (res)
		*res = NULL;
	if (fault_now(db))
		return DB_ERR;
	struct stmt_slot *s = prepare(db, sql);
	if (!s)
		return DB_ERR;
	if ((int)strlen(fmt ? fmt : "") != s->nparams)
		BUG("%zu arguments for %d placeholders in '%.80s'", strlen(fmt ? fmt : ""),
		    s->nparams, sql);
	va_list ap;
	va_start(ap, fmt);
	rc = collect(fmt, ap, p, &np, db);
	va_end(ap);
	if (rc)
		return rc;
	rc = db->engine == DB_SQLITE ? lite_run(db, s, p, np, res) : pg_run(db, s, p, np, res);
	atomic_fetch_add(&time_ns_total, mono_ns() - t0);
	atomic_fetch_add(&queries_total, 1);
	return rc;
}

int db_query_args(struct db *db, struct db_res **res, const char *sql, const struct db_arg *args,
		  int nargs)
{
	int64_t t0 = mono_ns();
	struct param p[MAX_PARAMS];
	if (res)
		*res = NULL;
	if (fault_now(db))
		return DB_ERR;
	if (nargs > MAX_PARAMS) {
		seterr(db, "too many parameters");
		return DB_ERR;
	}
	for (int i = 0; i < nargs; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		if (args[i].type == 'i') {
			p[i].is_int = 1;
			p[i].i = args[i].i;
			snprintf(p[i].num, sizeof(p[i].num), "%lld", (long long)args[i].i);
			p[i].s = p[i].num;
			p[i].len = strlen(p[i].num);
		} else if (args[i].type == 's' && args[i].s) {
			p[i].s = args[i].s;
			p[i].len = strlen(args[i].s);
		}
	}
	struct stmt_slot *s = prepare(db, sql);
	if (!s)
		return DB_ERR;
	if (nargs != s->nparams)
		BUG("%d arguments for %d placeholders in '%.80s'", nargs, s->nparams, sql);
	int rc = db->engine == DB_SQLITE ? lite_run(db, s, p, nargs, res)
					 : pg_run(db, s, p, nargs, res);
	atomic_fetch_add(&time_ns_total, mono_ns() - t0);
	atomic_fetch_add(&queries_total, 1);
	return rc;
}

int64_t db_changes(const struct db *db)
{
	return db->changes;
}
