/* main.c - sonnim's subcommands; each one is a function in cmds[]. */
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{"serve", cmd_serve, "serve [--config FILE] [--role all|web|worker]  run the server"},
	{"init", cmd_init, "init [--demo]      create the database and the first admin"},
	{"migrate", cmd_migrate, "migrate            apply schema migrations"},
	{"user", cmd_user, "user add|passwd|token ...  manage users and API tokens"},
	{"mailgate", cmd_mailgate,
	 "mailgate [--url URL] [--auth EMAIL/token:TOKEN] [--sender A] [--recipient A] < MSG"},
};

static void usage(void)
{
	fprintf(stderr, "usage: sonnim <command> [options]\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(stderr, "  sonnim %s\n", cmds[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	usage();
	return 2;
}
