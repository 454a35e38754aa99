/* user.c - user and identity helpers: freeing, validation.  No I/O. */
#include "core/user.h"
#include "base/util.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void user_clear(struct user *u)
{
	free(u->name);
	free(u->email);
	free(u->phone);
	free(u->external_id);
	free(u->locale);
	free(u->time_zone);
	free(u->notes);
	free(u->details);
	free(u->alias);
	free(u->signature);
	free(u->ticket_restriction);
	free(u->user_fields);
	free(u->password_hash);
	strlist_clear(&u->tags);
	memset(u, 0, sizeof(*u));
}

void identity_clear(struct identity *i)
{
	free(i->type);
	free(i->value);
	memset(i, 0, sizeof(*i));
}

int identity_type_valid(const char *type)
{
	static const char *const types[] = {"email", "phone_number", "external_id", "twitter",
					    "facebook", "google", "agent_forwarding", "messaging"};
	for (size_t i = 0; type && i < ARRAY_SIZE(types); i++)
		if (!strcmp(type, types[i]))
			return 1;
	return 0;
}

int email_normalize(const char *s, char **out)
{
	size_t n = strlen(s);
	const char *at = strrchr(s, '@');
	if (!n || n > 254 || !at || at == s || !strchr(at, '.') || at[1] == '.' ||
	    s[n - 1] == '.')
		return -1;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' ||
		    *p == ',' || *p == ';' || (*p == '@' && p != at))
			return -1;
	char *e = xstrdup(s);
	for (char *p = e; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	*out = e;
	return 0;
}
