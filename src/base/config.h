/* config.h - settings from a file of `key = value` lines, then the
 * environment (SONNIM_<KEY> in upper case wins over the file), then flags.
 * Unknown keys in the file are an error at start-up (a typo must not pass
 * silently). */
#ifndef SONNIM_CONFIG_H
#define SONNIM_CONFIG_H
#include <stdint.h>

struct config {
	char listen_addr[64];	/* "127.0.0.1" */
	int port;		/* 8080 */
	char database[1024];	/* sqlite path, sqlite:PATH or a PostgreSQL URI */
	char data_dir[512];	/* attachments live in DATA_DIR/files */
	char base_url[256];	/* public URL, used in "url" fields */
	int durable;		/* 1: fsync every commit (synchronous=FULL) */
	int threads;		/* HTTP event-loop threads */
	int write_threads;	/* threads that run writes (they wait on group commits) */
	int readers;		/* reader connections */
	int rate_limit;		/* requests per minute per user; 0 = off */
	int password_auth;	/* 1: basic auth with a password is allowed */
	int64_t max_body;	/* largest request body in bytes (JSON) */
	int64_t max_upload;	/* largest attachment in bytes */
	int log_level;		/* 0 debug .. 3 error */
	int workers;		/* job worker threads */
	char role[16];		/* all | web | worker */
	/* email channel */
	char lmtp[256];		/* LMTP listener "host:port" or "unix:/path"; "" = off */
	char smtp_url[256];	/* outbound relay smtp://host:port or smtps://; "" = no mail out */
	char smtp_user[128], smtp_password[128];	/* AUTH, when set */
	int smtp_starttls;	/* 0 never, 1 when offered, 2 required */
	char mail_domain[128];	/* right side of Message-IDs; "" = host of base_url */
	int imap_poll;		/* seconds between IMAP polls */
	int mail_rate_limit;	/* messages per sender per hour before mail is ignored */
	int mail_auto_reply;	/* 1: acknowledge new email tickets ("we received ...") */
	int64_t max_mail;	/* largest message accepted, bytes */
	char mail_ca_file[256];	/* PEM of extra CAs to trust for SMTP/IMAP TLS; "" = system */
	char hc_brand_color[16];	/* help center theme colour, #rgb or #rrggbb */
	int hc_form_ip_limit;	/* contact-form submissions per hour from one IP; 0 = no limit */
	int hc_form_email_limit;	/* ... for one email address (or signed-in user) */
	int messenger_mail_delay;	/* seconds before an unread messenger reply goes by email */
	int messenger_ip_limit;	/* new messenger conversations a minute from one address (other
				   messenger requests: 30x that); 0 = no limit (benchmarks) */
	int max_connections;	/* open connections (event streams included); 0 = as many as
				   the file descriptor limit allows */
	int agent_offline_after;	/* seconds after an agent's last event stream closed
				   before its status becomes offline; 0 = never */
};

/* Defaults, then path (if non-NULL and present; must exist if required),
 * then the environment.  Returns 0 or -1 with err filled. */
int config_load(struct config *c, const char *path, int required, char *err, size_t errlen);
/* Set one key from text; -1 if the key is unknown or the value invalid. */
int config_set(struct config *c, const char *key, const char *value);
#endif
