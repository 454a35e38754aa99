/* serve.c - `sonnim serve`: open the store, start the job workers, the
 * HTTP server and the email channel (LMTP listener, IMAP poller), wait for SIGTERM/SIGINT, then stop in order: stop accepting,
 * let in-flight requests finish, stop workers, let the writer commit what
 * is queued, close the database.  Also the shared config loader. */
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "channels/email/email.h"
#include "http/http.h"
#include "jobs/jobs.h"
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void cmd_config(struct config *c, int argc, char **argv)
{
	const char *path = "sonnim.conf";
	int required = 0;
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--config")) {
			path = argv[i + 1];
			required = 1;
		}
	char err[512];
	if (config_load(c, path, required, err, sizeof(err)))
		die("%s", err);
	static const struct {
		const char *flag, *key;
	} flags[] = {{"--database", "database"}, {"--port", "port"}, {"--listen", "listen"},
		     {"--role", "role"}, {"--data-dir", "data_dir"}, {"--threads", "threads"},
		     {"--lmtp", "lmtp"}};
	for (int i = 1; i < argc; i++) {
		for (size_t f = 0; f < ARRAY_SIZE(flags); f++)
			if (!strcmp(argv[i], flags[f].flag)) {
				if (i + 1 >= argc || config_set(c, flags[f].key, argv[i + 1]))
					die("bad value for '%s'", argv[i]);
				i++;
			}
	}
	if (strcmp(c->role, "all") && strcmp(c->role, "web") && strcmp(c->role, "worker"))
		die("role must be all, web or worker, not '%s'", c->role);
	if (!getenv("SONNIM_BASE_URL") && strstr(c->base_url, ":8080") && c->port != 8080)
		snprintf(c->base_url, sizeof(c->base_url), "http://%s:%d", c->listen_addr, c->port);
	log_set_level(c->log_level);
	if (sodium_init() < 0)
		die("libsodium cannot start");
}

int cmd_serve(int argc, char **argv)
{
	static struct server srv;
	cmd_config(&srv.cfg, argc, argv);
	srv.started_ns = mono_ns();
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* every thread inherits this */
	signal(SIGPIPE, SIG_IGN);
	char err[512];
	srv.store = store_open(srv.cfg.database, srv.cfg.durable, srv.cfg.readers, err, sizeof(err));
	if (!srv.store)
		die("%s", err);
	routes_init();
	int web = strcmp(srv.cfg.role, "worker") != 0, work = strcmp(srv.cfg.role, "web") != 0;
	if (work)
		jobs_start(&srv);
	if (web && server_start(&srv))
		die("cannot start the HTTP server on %s:%d", srv.cfg.listen_addr, srv.cfg.port);
	if (email_start(&srv))
		die("cannot start the email channel (lmtp = %s)", srv.cfg.lmtp);
	log_info("serve", "role=%s url=%s database=%s engine=%s ready_ms=%.1f", srv.cfg.role,
		 srv.cfg.base_url, srv.cfg.database,
		 store_engine(srv.store) == DB_SQLITE ? "sqlite" : "postgresql",
		 (mono_ns() - srv.started_ns) / 1e6);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("serve", "signal=%d stopping inflight=%lld", sig, (long long)server_inflight());
	email_stop(&srv);
	if (web)
		server_stop(&srv);
	if (work)
		jobs_stop(&srv);
	store_close(srv.store);
	log_info("serve", "stopped");
	return 0;
}

int cmd_migrate(int argc, char **argv)
{
	struct config c;
	cmd_config(&c, argc, argv);
	char err[512];
	struct store *st = store_open(c.database, c.durable, 1, err, sizeof(err));
	if (!st)
		die("%s", err);
	struct db *db = store_reader(st);
	printf("schema version %d\n", store_schema_version(db));
	store_release(st, db);
	store_close(st);
	return 0;
}
