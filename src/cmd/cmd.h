/* cmd.h - the subcommands of the sonnim binary (main.c dispatches). Each
 * takes argv after the command name (argv[0] is the command) and returns the
 * exit status. */
#ifndef SONNIM_CMD_H
#define SONNIM_CMD_H
#include "base/config.h"
#include <stdint.h>
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_mailgate(int argc, char **argv);
struct db;
/* The demo knowledge base (demo_kb.c): 5 categories, 10 sections, 50
 * articles in Korean and English, written inside the caller's
 * transaction.  0 or a DB_* code. */
int demo_kb(struct db *db, int64_t author, int64_t now);
/* Load config from --config FILE (or sonnim.conf when present) and flags
 * --database, --port, --listen; dies on error. */
void cmd_config(struct config *c, int argc, char **argv);
#endif
