/* config.c - the settings table.  Each key is one row {name, type, offset,
 * size}; config_set() finds the row and parses into the struct field, so the
 * file parser, the environment and the flags share one code path. */
#include "base/config.h"
#include "base/util.h"
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_STR, K_INT, K_I64, K_BOOL };
static const struct key {
	const char *name;
	enum kind kind;
	size_t off, size;
} keys[] = {
	{"listen", K_STR, offsetof(struct config, listen_addr), 64},
	{"port", K_INT, offsetof(struct config, port), 0},
	{"database", K_STR, offsetof(struct config, database), 1024},
	{"data_dir", K_STR, offsetof(struct config, data_dir), 512},
	{"base_url", K_STR, offsetof(struct config, base_url), 256},
	{"durable", K_BOOL, offsetof(struct config, durable), 0},
	{"threads", K_INT, offsetof(struct config, threads), 0},
	{"write_threads", K_INT, offsetof(struct config, write_threads), 0},
	{"readers", K_INT, offsetof(struct config, readers), 0},
	{"rate_limit", K_INT, offsetof(struct config, rate_limit), 0},
	{"password_auth", K_BOOL, offsetof(struct config, password_auth), 0},
	{"max_body", K_I64, offsetof(struct config, max_body), 0},
	{"max_upload", K_I64, offsetof(struct config, max_upload), 0},
	{"log_level", K_INT, offsetof(struct config, log_level), 0},
	{"workers", K_INT, offsetof(struct config, workers), 0},
	{"role", K_STR, offsetof(struct config, role), 16},
	{"lmtp", K_STR, offsetof(struct config, lmtp), 256},
	{"smtp_url", K_STR, offsetof(struct config, smtp_url), 256},
	{"smtp_user", K_STR, offsetof(struct config, smtp_user), 128},
	{"smtp_password", K_STR, offsetof(struct config, smtp_password), 128},
	{"smtp_starttls", K_INT, offsetof(struct config, smtp_starttls), 0},
	{"mail_domain", K_STR, offsetof(struct config, mail_domain), 128},
	{"imap_poll", K_INT, offsetof(struct config, imap_poll), 0},
	{"mail_rate_limit", K_INT, offsetof(struct config, mail_rate_limit), 0},
	{"mail_auto_reply", K_BOOL, offsetof(struct config, mail_auto_reply), 0},
	{"max_mail", K_I64, offsetof(struct config, max_mail), 0},
	{"mail_ca_file", K_STR, offsetof(struct config, mail_ca_file), 256},
	{"hc_brand_color", K_STR, offsetof(struct config, hc_brand_color), 16},
	{"hc_form_ip_limit", K_INT, offsetof(struct config, hc_form_ip_limit), 0},
	{"hc_form_email_limit", K_INT, offsetof(struct config, hc_form_email_limit), 0},
	{"messenger_mail_delay", K_INT, offsetof(struct config, messenger_mail_delay), 0},
	{"messenger_ip_limit", K_INT, offsetof(struct config, messenger_ip_limit), 0},
	{"max_connections", K_INT, offsetof(struct config, max_connections), 0},
	{"agent_offline_after", K_INT, offsetof(struct config, agent_offline_after), 0},
};

int config_set(struct config *c, const char *key, const char *value)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcmp(keys[i].name, key))
			continue;
		char *p = (char *)c + keys[i].off;
		int64_t v;
		switch (keys[i].kind) {
		case K_STR:
			if (strlen(value) >= keys[i].size)
				return -1;
			snprintf(p, keys[i].size, "%s", value);
			return 0;
		case K_BOOL:
			if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "on"))
				*(int *)p = 1;
			else if (!strcmp(value, "0") || !strcmp(value, "false") ||
				 !strcmp(value, "off"))
				*(int *)p = 0;
			else
				return -1;
			return 0;
		case K_INT:
		case K_I64:
			if (parse_i64(value, &v) || v < 0)
				return -1;
			if (keys[i].kind == K_INT)
				*(int *)p = (int)v;
			else
				*(int64_t *)p = v;
			return 0;
		}
	}
	return -1;
}

static void defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_addr, sizeof(c->listen_addr), "127.0.0.1");
	c->port = 8080;
	snprintf(c->database, sizeof(c->database), "var/sonnim.db");
	snprintf(c->data_dir, sizeof(c->data_dir), "var");
	c->durable = 1;
	c->threads = 4;
	c->write_threads = 32;
	c->readers = 4;
	c->rate_limit = 700;
	c->password_auth = 1;
	c->max_body = 1 << 20;
	c->max_upload = 50 << 20;
	c->log_level = 1;
	c->workers = 1;
	snprintf(c->role, sizeof(c->role), "all");
	c->smtp_starttls = 1;
	c->imap_poll = 60;
	c->mail_rate_limit = 20;
	c->hc_form_ip_limit = 30;
	c->hc_form_email_limit = 5;
	c->messenger_mail_delay = 120;
	c->messenger_ip_limit = 10;
	c->mail_auto_reply = 1;
	c->agent_offline_after = 120;
	c->max_mail = 50 << 20;
	snprintf(c->hc_brand_color, sizeof(c->hc_brand_color), "#1f6feb");
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int config_load(struct config *c, const char *path, int required, char *err, size_t errlen)
{
	defaults(c);
	FILE *f = path ? fopen(path, "r") : NULL;
	if (path && !f && (required || errno != ENOENT)) {
		snprintf(err, errlen, "cannot read config '%s'", path);
		return -1;
	}
	char line[2048];
	int lineno = 0;
	while (f && fgets(line, sizeof(line), f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		char *k = trim(s), *v = trim(eq + 1);
		if (config_set(c, k, v)) {
			snprintf(err, errlen, "%s:%d: bad setting '%s'", path, lineno, k);
			fclose(f);
			return -1;
		}
	}
	if (f)
		fclose(f);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char env[64];
		snprintf(env, sizeof(env), "SONNIM_");
		for (size_t j = 0; keys[i].name[j] && j < 50; j++)
			env[7 + j] = (char)toupper((unsigned char)keys[i].name[j]), env[8 + j] = 0;
		const char *v = getenv(env);
		if (v && config_set(c, keys[i].name, v)) {
			snprintf(err, errlen, "bad value in environment variable '%s'", env);
			return -1;
		}
	}
	if (!c->base_url[0])
		snprintf(c->base_url, sizeof(c->base_url), "http://%s:%d", c->listen_addr, c->port);
	return 0;
}
