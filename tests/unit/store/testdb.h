/* testdb.h - which database a store test runs on, shared by the store
 * tests (tests/run.sh runs each of them twice): SONNIM_TEST_DB unset or
 * "sqlite" = a fresh temp file, else a PostgreSQL conninfo (the runner gives
 * each binary a fresh database).  Include once, after testutil.h.  Most
 * tests need no more than testdb_create/testdb_drop as group setup and
 * teardown and testdb_open/testdb_close per test. */
#ifndef SONNIM_TESTDB_H
#define SONNIM_TESTDB_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/db.h"
#include "store/store.h"

static char g_url[1024], g_path[512];	/* the url to open; the SQLite file or "" */

/* Choose the engine: fills g_url (and g_path for SQLite, a new temp file
 * named after name) and says which in the test output.  0 or -1. */
static inline int testdb_pick(const char *name)
{
	const char *env = getenv("SONNIM_TEST_DB");
	if (!env || !*env || !strcmp(env, "sqlite")) {
		const char *dir = getenv("TMPDIR");
		snprintf(g_path, sizeof(g_path), "%s/sonnim-test-%s-XXXXXX", dir && *dir ? dir : "/tmp",
			 name);
		int fd = mkstemp(g_path);
		if (fd < 0)
			return -1;
		close(fd);
		snprintf(g_url, sizeof(g_url), "sqlite:%s", g_path);
	} else {
		snprintf(g_url, sizeof(g_url), "%s", env);
	}
	print_message("engine: %s\n", g_path[0] ? "sqlite" : "postgresql");
	return 0;
}

/* Remove an SQLite database and its -wal/-shm/-journal files. */
static inline void remove_db_files(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[600];
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
}
/* What most store tests hold per test: a store (migrated schema, its
 * listeners) and a second connection of their own. */
struct fixture {
	struct store *st;
	struct db *db;
};

/* Group setup: pick the engine (testdb_pick) and migrate the database
 * once, so each test's store_open finds the schema.  0 or -1. */
static inline int testdb_create(const char *name)
{
	if (testdb_pick(name))
		return -1;
	char err[512] = "";
	struct store *st = store_open(g_url, 0, 1, err, sizeof(err));
	if (!st) {
		print_error("store_open: %s\n", err);
		return -1;
	}
	store_close(st);
	return 0;
}

/* Group teardown: the SQLite file goes (a PostgreSQL database is the
 * runner's). */
static inline int testdb_drop(void)
{
	if (g_path[0])
		remove_db_files(g_path);
	return 0;
}

/* Per-test setup: a new fixture with the tables in wipe emptied first.
 * 0 with *state set, or -1. */
static inline int testdb_open(void **state, const char *const *wipe, size_t nwipe)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512] = "";
	fx->st = store_open(g_url, 0, 1, err, sizeof(err));
	fx->db = fx->st ? db_open(g_url, 0, err, sizeof(err)) : NULL;
	if (!fx->db) {
		print_error("open: %s\n", err);
		if (fx->st)
			store_close(fx->st);
		free(fx);
		return -1;
	}
	for (size_t i = 0; i < nwipe; i++)
		if (db_exec(fx->db, wipe[i])) {
			print_error("%s: %s\n", wipe[i], db_errmsg(fx->db));
			return -1;
		}
	*state = fx;
	return 0;
}

/* Per-test teardown of testdb_open. */
static inline int testdb_close(void **state)
{
	struct fixture *fx = *state;
	db_close(fx->db);
	store_close(fx->st);
	free(fx);
	return 0;
}
#endif
