/* testdb.h - which database a store test runs on, shared by the store
 * tests (tests/run.sh runs each of them twice): SONNIM_TEST_DB unset or
 * "sqlite" = a fresh temp file, else a PostgreSQL conninfo (the runner gives
 * each binary a fresh database).  Include once, after testutil.h. */
#ifndef SONNIM_TESTDB_H
#define SONNIM_TESTDB_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#endif
