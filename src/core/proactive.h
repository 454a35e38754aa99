/* proactive.h - telling customers before they ask: announcement banners,
 * proactive prompts and outbound campaigns, as plain structs and pure
 * rules (no I/O; store/proactive_store.h loads and saves them, the REST
 * API in api/proactive.c formats them, jobs/campaign.c sends campaigns).
 *
 * Page targeting: a banner or prompt lists URL patterns; a page matches
 * when its path matches any of them (no patterns = every page).  Both sides
 * are normalised first by proactive_url_path():
 *   - an absolute URL loses scheme and authority, every URL its query and
 *     fragment: "https://shop.example/checkout?x#y" -> "/checkout";
 *   - %XX escapes are decoded, except those of "/", "%", "\\", "?" and "#"
 *     (data, not structure: they stay escaped, upper-case, so a normalised
 *     path normalises to itself); invalid escapes, NUL and control bytes
 *     make the URL unusable (-1: nothing matches it);
 *   - "." and ".." segments are resolved (never above the root), runs of
 *     "/" become one, a trailing "/" is dropped (except the root itself).
 * Patterns (written here with a space after "/" where C comments need
 * one): "/checkout" (exactly that path), "/shop/ *" (the path "/shop" and
 * everything under it), "*" (every page) and globs where "*" is any run of
 * characters (across "/" too) and "?" one byte, e.g. "/products/ * /reviews".
 * Matching is case-sensitive, as paths are, and takes
 * O(len(pattern) * len(path)) at worst (no backtracking blow-up).
 *
 * Audience: everyone, signed-in visitors, users with any of some tags, or
 * users of some organizations.  Campaign segments: end-users having all of
 * tags_all, any of tags_any, of one organization, with a locale ("ko"
 * matches "ko" and "ko-KR"), and user_fields equal to given values.
 */
#ifndef SONNIM_PROACTIVE_H
#define SONNIM_PROACTIVE_H
#include "base/buf.h"
#include "core/ticket.h"
#include "core/user.h"
#include <jansson.h>
#include <stdint.h>

#define PROACTIVE_URL_MAX 4096	     /* longer page URLs are not matched */
#define PROACTIVE_PATTERN_MAX 512    /* bytes in one pattern */
#define PROACTIVE_PATTERNS_MAX 50    /* patterns per banner or prompt */
#define PROACTIVE_TEXT_MAX 4000	     /* bytes of a banner text or prompt message */
#define PROACTIVE_SITE_KEY_MAX 64    /* [A-Za-z0-9_.-] */
#define PROACTIVE_DELAY_MAX 86400    /* a prompt's delay_seconds at most */
#define CAMPAIGN_BODY_MAX (256 * 1024)

/* Normalise url (any text, may be NULL) into out as described above.
 * 0, or -1 when it cannot be matched (out then holds nothing useful). */
int proactive_url_path(const char *url, struct buf *out);
/* Check and normalise a pattern for storage into out; 0, or -1 with a
 * reason in *why ("must start with \"/\"", ...). */
int proactive_pattern_normalize(const char *pattern, struct buf *out, const char **why);
/* 1 when the normalised path matches the normalised pattern. */
int proactive_url_match(const char *pattern, const char *path);
/* 1 when path matches any of patterns, or patterns is empty. */
int proactive_patterns_match(const struct strlist *patterns, const char *path);

enum audience_type {
	AUDIENCE_EVERYONE = 0,	/* anonymous visitors too */
	AUDIENCE_SIGNED_IN,	/* any known user */
	AUDIENCE_TAGS,		/* users with any of tags */
	AUDIENCE_ORGANIZATIONS,	/* users of any of organization_ids */
};
struct audience {
	int type;			/* AUDIENCE_* */
	struct strlist tags;		/* AUDIENCE_TAGS: lower-cased */
	struct idlist organization_ids;	/* AUDIENCE_ORGANIZATIONS */
};
void audience_clear(struct audience *a);
/* 1 when u (NULL = an anonymous visitor) is in a. */
int audience_match(const struct audience *a, const struct user *u);
const char *audience_type_name(int type);
/* {"type": "everyone"|"signed_in"|"tags"|"organizations", "tags": [...],
 * "organization_ids": [...]} -> a (cleared first).  0 or -1 with err. */
int audience_from_json(json_t *j, struct audience *a, char *err, size_t errlen);
json_t *audience_json(const struct audience *a);

/* 1 when s is a usable site key: 1 to PROACTIVE_SITE_KEY_MAX bytes of
 * letters, digits, '_', '.' and '-'. */
int proactive_site_key_ok(const char *s);

enum proactive_kind { PROACTIVE_BANNER = 1, PROACTIVE_PROMPT = 2 };

/* A banner (shown at the top of matching pages) or a prompt (a message
 * the messenger opens after delay_seconds on a matching page). */
struct proactive_item {
	int64_t id;
	int kind;			/* PROACTIVE_* */
	char *site_key;			/* the messenger site it is for ("hc" = help center) */
	char *text;			/* translations, JSON object text {"ko": .., "en-us": ..};
					   "*" = any locale */
	char *level;			/* banners: "info", "warning" or "critical" */
	int dismissible;		/* banners: the visitor may close it */
	int show_in_help_center;	/* banners: also on the /hc pages */
	int delay_seconds;		/* prompts: seconds on the page before it shows */
	struct strlist url_patterns;	/* normalised; empty = every page */
	struct audience audience;
	int64_t starts_at, ends_at;	/* shown from / until (0 = open) */
	int active;			/* 0 = switched off */
	int64_t created_at, updated_at;
};
void proactive_item_clear(struct proactive_item *it);
/* Apply the members of j (the "banner" or "proactive_prompt" object) to
 * it; creating: text/message is required and defaults are set first.
 * 0, or -1 with "field: reason" in err (it may be partly changed: the
 * caller throws it away). */
int proactive_item_from_json(json_t *j, int kind, int creating, struct proactive_item *it,
			     char *err, size_t errlen);
/* The admin API's object (every translation, the schedule, the audience). */
json_t *proactive_item_json(const struct proactive_item *it);
/* 1 when it is switched on and now is inside its schedule. */
int proactive_item_live(const struct proactive_item *it, int64_t now);
/* The text for locale ("ko", "en-us", NULL): that translation, else "*",
 * else en-us, else ko, else any; owned copy, or NULL when there is none. */
char *proactive_text_pick(const char *translations, const char *locale);

/* A campaign's audience among end-users. */
struct segment {
	struct strlist tags_all;	/* lower-cased; the user has every one */
	struct strlist tags_any;	/* the user has at least one (empty: no condition) */
	int64_t organization_id;	/* 0 = any */
	char *locale;			/* "ko", "en", "en-us"... or NULL = any */
	char *user_fields;		/* JSON object text {key: value} all equal, or NULL */
};
void segment_clear(struct segment *s);
/* 1 when u is in s (u must be an active end-user; the caller checks that). */
int segment_match(const struct segment *s, const struct user *u);
int segment_from_json(json_t *j, struct segment *s, char *err, size_t errlen);
json_t *segment_json(const struct segment *s);

/* Per-recipient outcome counts of a campaign. */
struct campaign_counts {
	int64_t queued;		/* email waiting for its campaign.mail job */
	int64_t sent;		/* email handed to SMTP, or messenger message stored */
	int64_t skipped;	/* no email address, or the recipient went away */
	int64_t opted_out;	/* the recipient had opted out */
	int64_t failed;		/* SMTP refused it, or mail is not configured */
};

struct campaign {
	int64_t id;
	char *name;
	struct segment segment;
	int email, messenger;		/* channels */
	char *subject;			/* email subject: translations JSON like a banner's
					   text ({"ko", "en-us", "*"}), placeholders allowed;
					   NULL none */
	char *body;			/* text body: translations JSON, placeholders
					   {{user.name}} ...; each recipient gets the one for
					   their locale (proactive_text_pick) */
	char *status;			/* "draft", "scheduled", "sending", "sent" */
	int64_t send_at;		/* scheduled time, 0 = none */
	int64_t started_at, finished_at;
	int64_t created_at, updated_at;
	struct campaign_counts counts;	/* filled by the store's getters */
};
void campaign_clear(struct campaign *c);
int campaign_from_json(json_t *j, int creating, struct campaign *c, char *err, size_t errlen);
json_t *campaign_json(const struct campaign *c);

/* Unsubscribe links: "<user id>-<64 hex>", the hex being HMAC-SHA256 of
 * "unsubscribe:<user id>" under secret (the site secret of
 * store/satisfaction_store.h).  The token never expires: an unsubscribe
 * link must keep working.  check: 0 and *user_id when token is valid,
 * -1 otherwise (constant time in the MAC). */
#define CAMPAIGN_TOKEN_MAX 96
void campaign_unsubscribe_token(const char *secret, int64_t user_id, char out[CAMPAIGN_TOKEN_MAX]);
int campaign_unsubscribe_check(const char *secret, const char *token, int64_t *user_id);
/* Append u's unsubscribe page URL: <base_url>/hc/unsubscribe?token=..&locale=ko|en-us. */
void campaign_unsubscribe_url(const char *base_url, const struct user *u, const char *secret,
			      struct buf *out);

/* Who a visitor of the public proactive endpoint is: the messenger's
 * conversation token (the Bearer credential) of site_key -> 0 and
 * *user_id, or -1 when the token is unknown.  Set to
 * messenger_visitor_user (api/messenger.c); NULL = every visitor is
 * anonymous. */
struct db;
extern int (*proactive_user_resolver)(struct db *db, const char *site_key, const char *token,
				      int64_t *user_id);
int messenger_visitor_user(struct db *db, const char *site_key, const char *token,
			   int64_t *user_id);

/* Put the recipient's placeholders into ctx for a campaign's subject and
 * body: user.id, user.name, user.first_name (the name's first word),
 * user.email, user.locale, user.external_id. */
struct ph_context;
void campaign_ph_fill(struct ph_context *ctx, const struct user *u);
/* Render c for u: the subject (text), the text body and an HTML body
 * (escaped, line breaks kept), each ending with the opt-out line and
 * unsubscribe_url, in u's language (Korean for ko locales, else
 * English).  Placeholders as campaign_ph_fill, plus {{unsubscribe_url}}.
 * Appends to the three buffers. */
void campaign_render(const struct campaign *c, const struct user *u, const char *unsubscribe_url,
		     struct buf *subject, struct buf *text, struct buf *html);
#endif
