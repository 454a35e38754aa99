/* user.h - people: end-users, agents and admins, with their identities.
 * Plain structs; the store loads and saves them, the API formats them. */
#ifndef SONNIM_USER_H
#define SONNIM_USER_H
#include "core/ticket.h"
#include <stdint.h>

struct user {
	int64_t id;
	char *name, *email, *phone, *external_id, *locale, *time_zone, *notes, *details;
	char *alias, *signature, *ticket_restriction;
	int role;	/* ROLE_* */
	int64_t organization_id, default_group_id;
	struct strlist tags;
	char *user_fields;	/* JSON object text */
	int active, suspended, verified, only_private_comments;
	int64_t merged_into;
	int64_t last_login_at, created_at, updated_at;
	char *password_hash;	/* never leaves the server */
};

struct identity {
	int64_t id, user_id;
	char *type;	/* email, phone_number, external_id, twitter, ... */
	char *value;
	int verified, primary, undeliverable_count;
	int64_t created_at, updated_at;
};

void user_clear(struct user *u);
void identity_clear(struct identity *i);
/* Identity types the API accepts. */
int identity_type_valid(const char *type);
/* A plausible email address: local@domain.tld, no spaces or control bytes,
 * at most 254 bytes.  Lower-cases into out (owned) on success. */
int email_normalize(const char *s, char **out);
#endif
