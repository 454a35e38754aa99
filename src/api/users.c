/* users.c - /api/v2/users: list, show, show_many, me, count, autocomplete,
 * create, create_or_update, update, delete (soft), merge, passwords, and
 * the user's identities.
 *
 * A request body becomes a struct user_change (which members were given,
 * and their checked values) on the request thread; the change is then
 * applied in ONE store_write() by user_save_run(), which loads the current
 * row, checks who may change what (Zendesk's rules: end-users only
 * themselves and only their name, phone, locale and time zone; agents
 * end-users and themselves; only admins agents, admins and roles), checks
 * uniqueness (email identities, external_id) and references (organization,
 * default group), saves the user with its identities and refreshes its
 * search document.  Refusals come back in the op's status/err and nothing
 * is written.  Identity changes work the same way (identity_run), keeping
 * users.email in step with the primary email identity.
 *
 * Passwords are hashed (argon2id, tens of milliseconds) on the request
 * thread, never inside the writer.
 */
#include "api/api.h"
#include "base/util.h"
#include "http/auth.h"
#include "store/group_store.h"
#include "store/org_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <ctype.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 255
#define MAX_IDENTITIES 20 /* identities given with one new user */

/* ---- the change a body asks for -------------------------------------- */

enum user_bit {
	UF_NAME = 1 << 0,
	UF_EMAIL = 1 << 1,
	UF_PHONE = 1 << 2,
	UF_ROLE = 1 << 3,
	UF_EXTERNAL_ID = 1 << 4,
	UF_ORGANIZATION = 1 << 5,
	UF_DEFAULT_GROUP = 1 << 6,
	UF_LOCALE = 1 << 7,
	UF_TIME_ZONE = 1 << 8,
	UF_NOTES = 1 << 9,
	UF_DETAILS = 1 << 10,
	UF_ALIAS = 1 << 11,
	UF_SIGNATURE = 1 << 12,
	UF_TAGS = 1 << 13,
	UF_USER_FIELDS = 1 << 14,
	UF_SUSPENDED = 1 << 15,
	UF_VERIFIED = 1 << 16,
	UF_ONLY_PRIVATE = 1 << 17,
	UF_RESTRICTION = 1 << 18,
};
/* What end-users may change on themselves; anything else they send is
 * ignored, as Zendesk ignores attributes a role may not write. */
#define UF_END_USER_SELF (UF_NAME | UF_PHONE | UF_LOCALE | UF_TIME_ZONE)
/* What only admins may change. */
#define UF_ADMIN_ONLY (UF_ROLE | UF_RESTRICTION | UF_ONLY_PRIVATE)

struct user_change {
	unsigned set;				/* UF_* bits given */
	struct user v;				/* their values; v.user_fields is the patch */
	struct identity idents[MAX_IDENTITIES]; /* extra identities (create) */
	int nidents;
};

static void user_change_clear(struct user_change *c)
{
	user_clear(&c->v);
	for (int i = 0; i < c->nidents; i++)
		identity_clear(&c->idents[i]);
	memset(c, 0, sizeof(*c));
}

/* Text people type: no control characters but tab and newline. */
static int plain_text(const char *s, int multiline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) ||
		    *p == 0x7f)
			return 0;
	return 1;
}

static int phone_ok(const char *s)
{
	size_t n = strlen(s);
	int digits = 0;
	if (!n || n > 40)
		return 0;
	for (const char *p = s; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!strchr(" +-().x", *p))
			return 0;
	}
	return digits > 0;
}

/* locale (ko, en-US, zh-hant) and time zone (Asia/Seoul, UTC, Etc/GMT+9) */
static int word_ok(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);
	if (!n || n > max)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(extra, *p))
			return 0;
	return 1;
}

/* Read a string member into *dst (replacing it) with a length cap. */
static int str_member(json_t *o, const char *key, char **dst, size_t max, char *err, size_t errlen)
{
	char *s = NULL;
	int rc = jget_str(o, key, &s, err, errlen);
	if (rc <= 0)
		return rc;
	if (s && strlen(s) > max) {
		free(s);
		snprintf(err, errlen, "%s: is too long (at most %zu bytes)", key, max);
		return -1;
	}
	free(*dst);
	*dst = s;
	return 1;
}

/* Check and normalize an identity value for its type: 0 or -1 with err. */
static int identity_value_check(const char *type, char **value, char *err, size_t errlen)
{
	if (!identity_type_valid(type)) {
		snprintf(err, errlen, "type: \"%.32s\" is not an identity type", type ? type : "");
		return -1;
	}
	if (!*value || !**value) {
		snprintf(err, errlen, "value: cannot be blank");
		return -1;
	}
	if (!strcmp(type, "email")) {
		char *norm;
		if (email_normalize(*value, &norm) || !plain_text(norm, 0)) {
			snprintf(err, errlen, "value: \"%.64s\" is not a valid email address",
				 plain_text(*value, 0) ? *value : "");
			return -1;
		}
		free(*value);
		*value = norm;
	} else if (!strcmp(type, "phone_number")) {
		if (!phone_ok(*value)) {
			snprintf(err, errlen, "value: \"%.64s\" is not a valid phone number",
				 plain_text(*value, 0) ? *value : "");
			return -1;
		}
	} else if (strlen(*value) > MAX_NAME || !plain_text(*value, 0)) {
		snprintf(err, errlen, "value: is not a valid %s identity", type);
		return -1;
	}
	return 0;
}

/* Read one identity object: 0 or -1 with err. */
static int identity_from_json(json_t *o, struct identity *d, char *err, size_t errlen)
{
	if (!json_is_object(o)) {
		snprintf(err, errlen, "identity: expected an object");
		return -1;
	}
	if (str_member(o, "type", &d->type, 32, err, errlen) < 0 ||
	    str_member(o, "value", &d->value, 320, err, errlen) < 0 ||
	    jget_bool(o, "verified", &d->verified, err, errlen) < 0 ||
	    jget_bool(o, "primary", &d->primary, err, errlen) < 0)
		return -1;
	if (!d->type) {
		snprintf(err, errlen, "type: is required");
		return -1;
	}
	return identity_value_check(d->type, &d->value, err, errlen);
}

static int user_change_from_json(json_t *o, struct user_change *c, int creating, char *err,
				 size_t errlen)
{
	struct user *v = &c->v;
	int rc;
	*err = '\0';
	if (!json_is_object(o)) {
		snprintf(err, errlen, "user: expected an object");
		return -1;
	}
	static const struct {
		const char *key;
		size_t off, max;
		unsigned bit;
		int multiline;
	} strs[] = {
	    {"name", offsetof(struct user, name), MAX_NAME, UF_NAME, 0},
	    {"external_id", offsetof(struct user, external_id), MAX_NAME, UF_EXTERNAL_ID, 0},
	    {"locale", offsetof(struct user, locale), 16, UF_LOCALE, 0},
	    {"time_zone", offsetof(struct user, time_zone), 64, UF_TIME_ZONE, 0},
	    {"iana_time_zone", offsetof(struct user, time_zone), 64, UF_TIME_ZONE, 0},
	    {"notes", offsetof(struct user, notes), MAX_FIELD, UF_NOTES, 1},
	    {"details", offsetof(struct user, details), MAX_FIELD, UF_DETAILS, 1},
	    {"alias", offsetof(struct user, alias), MAX_NAME, UF_ALIAS, 0},
	    {"signature", offsetof(struct user, signature), MAX_FIELD, UF_SIGNATURE, 1},
	    {"phone", offsetof(struct user, phone), 40, UF_PHONE, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		char **dst = (char **)((char *)v + strs[i].off);
		if ((strs[i].bit & c->set) && !strcmp(strs[i].key, "iana_time_zone"))
			continue; /* time_zone was given; it wins */
		if ((rc = str_member(o, strs[i].key, dst, strs[i].max, err, errlen)) < 0)
			return -1;
		if (!rc)
			continue;
		c->set |= strs[i].bit;
		if (*dst && !plain_text(*dst, strs[i].multiline)) {
			snprintf(err, errlen, "%s: contains control characters", strs[i].key);
			return -1;
		}
		if (*dst && !**dst && strs[i].bit != UF_NAME) { /* "" clears, as null does */
			free(*dst);
			*dst = NULL;
		}
	}
	if ((c->set & UF_NAME) && (!v->name || strspn(v->name, " \t") == strlen(v->name))) {
		snprintf(err, errlen, "name: cannot be blank");
		return -1;
	}
	if (v->locale && !word_ok(v->locale, 16, "-_")) {
		snprintf(err, errlen, "locale: \"%s\" is not a locale", v->locale);
		return -1;
	}
	if (v->time_zone && !word_ok(v->time_zone, 64, "_/+-")) {
		snprintf(err, errlen, "time_zone: \"%s\" is not a time zone", v->time_zone);
		return -1;
	}
	if (v->phone && !phone_ok(v->phone)) {
		snprintf(err, errlen, "phone: \"%s\" is not a valid phone number", v->phone);
		return -1;
	}
	char *s = NULL;
	if ((rc = jget_str(o, "email", &s, err, errlen)) < 0)
		return -1;
	if (rc && s && *s) {
		if (email_normalize(s, &v->email) || !plain_text(v->email, 0)) {
			snprintf(err, errlen, "email: \"%.64s\" is not a valid email address",
				 plain_text(s, 0) ? s : "");
			free(s);
			return -1;
		}
		c->set |= UF_EMAIL;
	}
	free(s);
	s = NULL;
	if ((rc = jget_str(o, "role", &s, err, errlen)) < 0)
		return -1;
	if (rc) {
		v->role = role_parse(s);
		if (v->role < 0) {
			snprintf(err, errlen,
				 "role: \"%.32s\" is not a role (end-user, agent, admin)",
				 s && plain_text(s, 0) ? s : "");
			free(s);
			return -1;
		}
		c->set |= UF_ROLE;
	}
	free(s);
	s = NULL;
	if ((rc = jget_id(o, "organization_id", &v->organization_id, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= UF_ORGANIZATION;
	if ((rc = jget_id(o, "default_group_id", &v->default_group_id, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= UF_DEFAULT_GROUP;
	struct strlist tags = {0};
	if ((rc = jget_strs(o, "tags", &tags, err, errlen)) < 0) {
		strlist_clear(&tags);
		return -1;
	}
	if (rc) {
		c->set |= UF_TAGS;
		for (size_t i = 0; i < tags.n; i++) {
			char *t = tag_normalize(tags.v[i]);
			if (!t) {
				snprintf(err, errlen, "tags: \"%.64s\" is not a valid tag",
					 plain_text(tags.v[i], 0) ? tags.v[i] : "");
				strlist_clear(&tags);
				return -1;
			}
			if (!strlist_has(&v->tags, t))
				strlist_add(&v->tags, t);
			free(t);
		}
	}
	strlist_clear(&tags);
	json_t *uf = json_object_get(o, "user_fields");
	if (uf && !json_is_null(uf)) {
		if (!json_is_object(uf)) {
			snprintf(err, errlen, "user_fields: expected an object");
			return -1;
		}
		v->user_fields = json_dumps(uf, JSON_COMPACT);
		if (!v->user_fields || strlen(v->user_fields) > MAX_FIELD) {
			snprintf(err, errlen, "user_fields: is too large (at most 65536 bytes)");
			return -1;
		}
		c->set |= UF_USER_FIELDS;
	}
	if ((rc = jget_bool(o, "suspended", &v->suspended, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= UF_SUSPENDED;
	if ((rc = jget_bool(o, "verified", &v->verified, err, errlen)) < 0)
		return -1;
	if (rc)
		c->set |= UF_VERIFIED;
	if ((rc = jget_bool(o, "only_private_comments", &v->only_private_comments, err, errlen)) <
	    0)
		return -1;
	if (rc)
		c->set |= UF_ONLY_PRIVATE;
	int restricted = -1;
	if (jget_bool(o, "restricted_agent", &restricted, err, errlen) < 0)
		return -1;
	if ((rc = jget_str(o, "ticket_restriction", &s, err, errlen)) < 0)
		return -1;
	if (rc) {
		if (s && strcmp(s, "groups") && strcmp(s, "assigned")) {
			snprintf(err, errlen,
				 "ticket_restriction: \"%.32s\" is not supported (null, groups,"
				 " assigned)",
				 plain_text(s, 0) ? s : "");
			free(s);
			return -1;
		}
		v->ticket_restriction = s;
		c->set |= UF_RESTRICTION;
	} else if (restricted >= 0) {
		v->ticket_restriction = restricted ? xstrdup("groups") : NULL;
		c->set |= UF_RESTRICTION;
	}
	json_t *ids = json_object_get(o, "identities");
	if (ids && !json_is_null(ids) && creating) {
		if (!json_is_array(ids) || json_array_size(ids) > MAX_IDENTITIES) {
			snprintf(err, errlen,
				 "identities: expected an array of at most %d identities",
				 MAX_IDENTITIES);
			return -1;
		}
		size_t i;
		json_t *e;
		json_array_foreach(ids, i, e)
		{
			if (identity_from_json(e, &c->idents[c->nidents++], err, errlen))
				return -1;
		}
	}
	return 0;
}

/* ---- the write --------------------------------------------------------- */

static int sync_primary(struct db *db, int64_t user_id, int64_t now);

struct user_op {
	/* in */
	struct actor who;
	int64_t id; /* target; 0 = create */
	int match;  /* create: update the user with this
		     * external_id or email instead, if any */
	struct user_change *c;
	int64_t now;
	/* out */
	int created;
	int status; /* 0, 403, 404 or 422 */
	char err[320];
	char taken[32]; /* 422 DuplicateValue on this member */
	struct user result;
};

#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		op->status = code;                                                                 \
		snprintf(op->err, sizeof(op->err), __VA_ARGS__);                                   \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)
#define TAKEN(member, ...)                                                                         \
	do {                                                                                       \
		snprintf(op->taken, sizeof(op->taken), "%s", member);                              \
		FAIL(422, __VA_ARGS__);                                                            \
	} while (0)

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

/* Merge the keys of patch (JSON object text) into *fields. */
static void merge_fields(char **fields, const char *patch)
{
	json_t *cur = *fields ? json_loads(*fields, 0, NULL) : NULL;
	json_t *p = json_loads(patch, 0, NULL);
	if (!json_is_object(cur)) {
		json_decref(cur);
		cur = json_object();
	}
	if (json_is_object(p))
		json_object_update(cur, p);
	free(*fields);
	*fields = json_dumps(cur, JSON_COMPACT);
	json_decref(cur);
	json_decref(p);
}

static int active_admins(struct db *db, int64_t *n)
{
	struct user_filter f = {.roles = 1u << ROLE_ADMIN, .win.limit = 1};
	return user_store_find_count(db, &f, n);
}

/* Remove every group membership of user_id (it stopped being an agent). */
static int drop_memberships(struct db *db, int64_t user_id, int64_t now)
{
	struct membership_filter mf = {.user_id = user_id, .win.limit = 1000};
	struct group_membership *m;
	int n, rc = membership_store_list(db, &mf, &m, &n);
	for (int i = 0; !rc && i < n; i++) {
		rc = membership_store_delete(db, m[i].id, now);
		if (rc == 1)
			rc = 0;
	}
	free(m);
	return rc;
}

static int user_save_run(struct db *db, void *arg)
{
	struct user_op *op = arg;
	struct user_change *c = op->c;
	struct user u = {0}, other = {0};
	int rc = 0;
	op->status = 0;
	if (!op->id && op->match) {
		/* create_or_update: the user this external_id or email names */
		int found = 1;
		if (c->v.external_id)
			found = user_store_by_external_id(db, c->v.external_id, &other);
		if (found == 1 && c->v.email)
			found = user_store_by_email(db, c->v.email, &other);
		if (found < 0) {
			rc = found;
			goto out;
		}
		if (found == 0 && other.active && !other.merged_into)
			op->id = other.id;
		user_clear(&other);
	}
	int creating = op->id == 0;
	unsigned set = c->set;
	if (!creating && op->who.role == ROLE_END_USER && op->id != op->who.user_id)
		FAIL(403, "end-users can only change themselves"); /* before any lookup */
	if (!creating) {
		rc = user_store_get(db, op->id, &u);
		if (rc < 0)
			goto out;
		rc = 0;
		if (!u.id || u.merged_into || !u.active)
			FAIL(404, "user %" PRId64 " not found", op->id);
	}
	/* who may change what */
	int self = !creating && u.id == op->who.user_id;
	int role = creating ? ROLE_END_USER : u.role;
	if ((set & UF_ROLE) && c->v.role != role && op->who.role != ROLE_ADMIN)
		FAIL(403, "only admins can give users a role other than end-user");
	if (creating && op->who.role < ROLE_AGENT)
		FAIL(403, "end-users cannot create users");
	if (creating && !(set & UF_NAME))
		FAIL(422, "name: is required");
	if (!creating && op->who.role == ROLE_END_USER) {
		if (!self)
			FAIL(403, "end-users can only change themselves");
		set &= UF_END_USER_SELF;
	}
	if (!creating && op->who.role == ROLE_AGENT && !self && u.role != ROLE_END_USER)
		FAIL(403, "only admins can change agents and admins");
	if (op->who.role == ROLE_AGENT) {
		if ((set & UF_RESTRICTION) &&
		    strcmp(c->v.ticket_restriction ? c->v.ticket_restriction : "",
			   u.ticket_restriction ? u.ticket_restriction : ""))
			FAIL(403, "only admins can change ticket_restriction");
		if ((set & UF_ONLY_PRIVATE) &&
		    c->v.only_private_comments != u.only_private_comments)
			FAIL(403, "only admins can change only_private_comments");
	}
	if (self && (set & UF_SUSPENDED) && c->v.suspended)
		FAIL(422, "suspended: you cannot suspend yourself");
	if (!creating && u.role == ROLE_ADMIN &&
	    (((set & UF_ROLE) && c->v.role != ROLE_ADMIN) ||
	     ((set & UF_SUSPENDED) && c->v.suspended))) {
		int64_t admins = 0;
		if ((rc = active_admins(db, &admins)))
			goto out;
		if (admins <= 1)
			FAIL(422, "role: the last admin must stay an active admin");
	}
	/* apply */
	int old_role = u.role;
	if (creating) {
		u.role = ROLE_END_USER;
		u.active = 1;
		u.created_at = op->now;
	}
	if (set & UF_NAME)
		set_str(&u.name, c->v.name);
	if (set & UF_PHONE)
		set_str(&u.phone, c->v.phone);
	if (set & UF_ROLE)
		u.role = c->v.role;
	if (set & UF_EXTERNAL_ID)
		set_str(&u.external_id, c->v.external_id);
	if (set & UF_ORGANIZATION)
		u.organization_id = c->v.organization_id;
	if (set & UF_DEFAULT_GROUP)
		u.default_group_id = c->v.default_group_id;
	if (set & UF_LOCALE)
		set_str(&u.locale, c->v.locale);
	if (set & UF_TIME_ZONE)
		set_str(&u.time_zone, c->v.time_zone);
	if (set & UF_NOTES)
		set_str(&u.notes, c->v.notes);
	if (set & UF_DETAILS)
		set_str(&u.details, c->v.details);
	if (set & UF_ALIAS)
		set_str(&u.alias, c->v.alias);
	if (set & UF_SIGNATURE)
		set_str(&u.signature, c->v.signature);
	if (set & UF_TAGS) {
		strlist_clear(&u.tags);
		for (size_t i = 0; i < c->v.tags.n; i++)
			strlist_add(&u.tags, c->v.tags.v[i]);
	}
	if (set & UF_USER_FIELDS)
		merge_fields(&u.user_fields, c->v.user_fields);
	if (set & UF_SUSPENDED)
		u.suspended = c->v.suspended;
	if (set & UF_VERIFIED)
		u.verified = c->v.verified;
	if (set & UF_ONLY_PRIVATE)
		u.only_private_comments = c->v.only_private_comments;
	if (set & UF_RESTRICTION)
		set_str(&u.ticket_restriction, c->v.ticket_restriction);
	if (u.role == ROLE_END_USER) { /* agent-only attributes */
		set_str(&u.ticket_restriction, NULL);
		u.only_private_comments = 0;
		u.default_group_id = 0;
	}
	if (!u.locale)
		set_str(&u.locale, "en-US");
	if (!u.time_zone)
		set_str(&u.time_zone, "Asia/Seoul");
	u.updated_at = op->now;
	/* references */
	if ((set & UF_ORGANIZATION) && u.organization_id) {
		struct organization o = {0};
		rc = org_store_get(db, u.organization_id, &o);
		organization_clear(&o);
		if (rc < 0)
			goto out;
		if (rc)
			FAIL(422, "organization_id: %" PRId64 " is not a valid organization id",
			     u.organization_id);
		rc = 0;
	}
	if ((set & UF_DEFAULT_GROUP) && u.default_group_id && u.role != ROLE_END_USER) {
		struct group_membership m;
		rc = creating ? 1 : membership_store_find(db, u.id, u.default_group_id, &m);
		if (rc < 0)
			goto out;
		if (rc)
			FAIL(422, "default_group_id: the user is not a member of group %" PRId64,
			     u.default_group_id);
		rc = 0;
	}
	/* uniqueness */
	if (u.external_id && (set & UF_EXTERNAL_ID)) {
		rc = user_store_by_external_id(db, u.external_id, &other);
		int64_t holder = rc == 0 ? other.id : 0;
		user_clear(&other);
		if (rc < 0)
			goto out;
		rc = 0;
		if (holder && holder != u.id)
			TAKEN("external_id", "External: %s has already been taken", u.external_id);
	}
	char *new_email = NULL; /* update: an email to add as an identity */
	int first_email = 0;	/* update: the user gets its first email */
	if (set & UF_EMAIL) {
		int64_t holder = 0;
		rc = identity_store_find(db, "email", c->v.email, &holder);
		if (rc < 0)
			goto out;
		rc = 0;
		if (holder && holder != u.id)
			TAKEN("email", "Email: %s is already being used by another user",
			      c->v.email);
		first_email = !creating && !u.email;
		if (creating || !u.email)
			set_str(&u.email, c->v.email); /* the primary email */
		else if (!holder)
			new_email = c->v.email; /* Zendesk: a secondary email */
	}
	if (creating && !u.email) /* the first email identity given becomes primary */
		for (int i = 0; i < c->nidents; i++)
			if (!strcmp(c->idents[i].type, "email")) {
				set_str(&u.email, c->idents[i].value);
				break;
			}
	if (creating && u.phone) {
		int64_t holder = 0;
		rc = identity_store_find(db, "phone_number", u.phone, &holder);
		if (rc < 0)
			goto out;
		rc = 0;
		if (holder)
			TAKEN("phone", "Phone: %s is already being used by another user", u.phone);
	}
	for (int i = 0; creating && i < c->nidents; i++) {
		struct identity *d = &c->idents[i];
		int64_t holder = 0;
		if ((u.email && !strcmp(d->type, "email") && !strcmp(d->value, u.email)) ||
		    (u.phone && !strcmp(d->type, "phone_number") && !strcmp(d->value, u.phone)))
			continue; /* made by user_store_insert */
		for (int k = 0; k < i; k++)
			if (!strcmp(c->idents[k].type, d->type) &&
			    !strcmp(c->idents[k].value, d->value))
				FAIL(422, "identities: \"%s\" is given twice", d->value);
		rc = identity_store_find(db, d->type, d->value, &holder);
		if (rc < 0)
			goto out;
		rc = 0;
		if (holder)
			TAKEN("identities", "%s: %s is already being used by another user",
			      !strcmp(d->type, "email") ? "Email" : "Identity", d->value);
	}
	/* save */
	if (creating) {
		rc = user_store_insert(db, &u);
		for (int i = 0; !rc && i < c->nidents; i++) {
			struct identity *d = &c->idents[i];
			if ((u.email && !strcmp(d->type, "email") && !strcmp(d->value, u.email)) ||
			    (u.phone && !strcmp(d->type, "phone_number") &&
			     !strcmp(d->value, u.phone)))
				continue;
			struct identity id = {.user_id = u.id,
					      .type = d->type,
					      .value = d->value,
					      .verified = d->verified || u.verified,
					      .created_at = op->now,
					      .updated_at = op->now};
			rc = identity_store_insert(db, &id);
		}
	} else {
		rc = user_store_update(db, &u);
		if (!rc && new_email) {
			struct identity id = {.user_id = u.id,
					      .type = "email",
					      .value = new_email,
					      .verified = (set & UF_VERIFIED) && u.verified,
					      .created_at = op->now,
					      .updated_at = op->now};
			rc = identity_store_insert(db, &id);
		}
		if (!rc && old_role != ROLE_END_USER && u.role == ROLE_END_USER)
			rc = drop_memberships(db, u.id, op->now);
		if (!rc && first_email) /* its identity becomes the primary one */
			rc = sync_primary(db, u.id, op->now);
	}
	if (rc == DB_CONSTRAINT)
		TAKEN("base", "a unique value (email, phone or external_id) is already taken");
	if (!rc)
		rc = search_index_user(db, u.id);
	if (!rc)
		rc = user_store_get(db, u.id, &op->result);
	if (rc == 1)
		rc = DB_ERR;
	op->created = creating;
out:
	user_clear(&u);
	user_clear(&other);
	return rc;
}

/* Answer a refused or failed op; 0 when it went through (nothing sent). */
static int op_failed_reply(struct req *r, int rc, int status, const char *err, const char *taken)
{
	if (!rc)
		return 0;
	switch (status) {
	case 403:
		reply_error(r, 403, "Forbidden", err, NULL);
		break;
	case 404:
		reply_not_found(r);
		break;
	case 422:
		if (*taken)
			reply_taken(r, taken, err);
		else
			reply_invalid(r, err);
		break;
	default:
		reply_error(r, 500, "InternalError", "the change could not be saved", NULL);
	}
	return -1;
}

/* Parse {"user": {...}}, run the op, reply with the user. */
static int user_write_reply(struct req *r, int64_t id, int match)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct user_change c = {0};
	char err[320];
	json_t *o = json_object_get(body, "user");
	if (!o) {
		json_decref(body);
		return reply_invalid(r, "user: is required");
	}
	if (user_change_from_json(o, &c, id == 0, err, sizeof(err))) {
		json_decref(body);
		user_change_clear(&c);
		return reply_invalid(r, err);
	}
	json_decref(body);
	struct user_op op = {
	    .who = r->actor, .id = id, .match = match, .c = &c, .now = now_seconds()};
	int rc = store_write(r->srv->store, user_save_run, &op);
	user_change_clear(&c);
	if (op_failed_reply(r, rc, op.status, op.err, op.taken))
		return 0;
	json_t *out = json_pack("{s:o}", "user", user_json(r->srv, &op.result));
	user_clear(&op.result);
	return reply_json(r, op.created ? 201 : 200, out);
}

/* ---- reads ------------------------------------------------------------- */

/* Load user id for the asking actor: end-users only themselves (403).
 * 0, or -1 after replying. */
static int user_load_or_reply(struct req *r, int64_t id, struct user *u)
{
	if (r->actor.role == ROLE_END_USER && id != r->actor.user_id) {
		reply_forbidden(r);
		return -1;
	}
	int rc = user_store_get(req_db(r), id, u);
	if (rc < 0) {
		reply_db_down(r);
		return -1;
	}
	if (rc) {
		reply_not_found(r);
		return -1;
	}
	return 0;
}

int user_list_reply(struct req *r, struct user_filter *f)
{
	struct page p;
	if (page_parse_or_reply(r, &p))
		return 0;
	page_window(&p, &f->win);
	struct user *v;
	int n;
	int64_t count = -1;
	if (user_store_find(req_db(r), f, &v, &n) ||
	    (!p.cursor && user_store_find_count(req_db(r), f, &count)))
		return reply_db_down(r);
	int more = page_more(&p, &n);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, user_json(r->srv, &v[i]));
	json_t *out = json_pack("{s:o}", "users", arr);
	page_finish(r, &p, out, n ? v[n - 1].id : p.after, more, count);
	user_list_free(v, n + more);
	return reply_json(r, 200, out);
}

struct role_args {
	unsigned roles;
	int bad;
};

static enum MHD_Result role_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	struct role_args *a = cls;
	(void)kind;
	if (strcmp(key, "role") && strcmp(key, "role[]"))
		return MHD_YES;
	int role = role_parse(value);
	if (role < 0)
		a->bad = 1;
	else
		a->roles |= 1u << role;
	return MHD_YES;
}

/* ?role=agent and ?role[]=agent&role[]=admin: 0 with roles set, or -1
 * after replying 400.  (Repeated arguments need every value, which
 * req_arg() cannot give: this walks the arguments itself.) */
static int roles_param_or_reply(struct req *r, unsigned *roles)
{
	struct role_args a = {0};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, role_arg, &a);
	if (a.bad) {
		reply_error(r, 400, "InvalidParameter", "role must be end-user, agent or admin",
			    NULL);
		return -1;
	}
	*roles = a.roles;
	return 0;
}

static int users_list(struct req *r)
{
	struct user_filter f = {0};
	if (roles_param_or_reply(r, &f.roles))
		return 0;
	f.external_id = req_arg(r, "external_id");
	return user_list_reply(r, &f);
}

static int users_count(struct req *r)
{
	struct user_filter f = {0};
	int64_t n;
	if (roles_param_or_reply(r, &f.roles))
		return 0;
	if (user_store_find_count(req_db(r), &f, &n))
		return reply_db_down(r);
	return reply_json(r, 200, json_pack("{s:o}", "count", count_json(n)));
}

static int users_autocomplete(struct req *r)
{
	const char *name = req_arg(r, "name");
	if (!name || strlen(name) < 2 || strlen(name) > MAX_NAME)
		return reply_error(r, 400, "InvalidParameter",
				   "name must be between 2 and 255 characters", NULL);
	struct user_filter f = {.name_prefix = name};
	return user_list_reply(r, &f);
}

static int users_show(struct req *r)
{
	struct user u = {0};
	if (user_load_or_reply(r, r->id[0], &u))
		return 0;
	json_t *out = json_pack("{s:o}", "user", user_json(r->srv, &u));
	user_clear(&u);
	return reply_json(r, 200, out);
}

static int users_me(struct req *r)
{
	struct user u = {0};
	if (user_load_or_reply(r, r->actor.user_id, &u))
		return 0;
	json_t *out = json_pack("{s:o}", "user", user_json(r->srv, &u));
	user_clear(&u);
	return reply_json(r, 200, out);
}

static int users_show_many(struct req *r)
{
	json_t *arr = json_array();
	if (req_arg(r, "external_ids") && !req_arg(r, "ids")) {
		const char *s = req_arg(r, "external_ids");
		char *copy = xstrdup(s), *save = NULL;
		int k = 0;
		for (char *t = strtok_r(copy, ",", &save); t && k < 100;
		     t = strtok_r(NULL, ",", &save), k++) {
			struct user u = {0};
			if (user_store_by_external_id(req_db(r), t, &u) == 0 && !u.merged_into)
				json_array_append_new(arr, user_json(r->srv, &u));
			user_clear(&u);
		}
		free(copy);
	} else {
		int64_t ids[100];
		int n;
		if (ids_param_or_reply(r, "ids", ids, &n)) {
			json_decref(arr);
			return 0;
		}
		for (int i = 0; i < n; i++) {
			struct user u = {0};
			if (user_store_get(req_db(r), ids[i], &u) == 0)
				json_array_append_new(arr, user_json(r->srv, &u));
			user_clear(&u);
		}
	}
	return reply_json(r, 200,
			  json_pack("{s:o,s:n,s:n,s:I}", "users", arr, "next_page", "previous_page",
				    "count", (json_int_t)json_array_size(arr)));
}

/* ---- writes ------------------------------------------------------------ */

static int users_create(struct req *r) { return user_write_reply(r, 0, 0); }

static int users_create_or_update(struct req *r) { return user_write_reply(r, 0, 1); }

static int users_update(struct req *r) { return user_write_reply(r, r->id[0], 0); }

struct user_simple_op {
	struct actor who;
	int64_t id, target;
	int64_t now;
	const char *password_hash; /* password ops */
	const char *expect_hash;   /* PUT password: the hash verified against */
	int status;
	char err[256];
	struct user result;
};

#undef FAIL
#define FAIL(code, ...)                                                                            \
	do {                                                                                       \
		op->status = code;                                                                 \
		snprintf(op->err, sizeof(op->err), __VA_ARGS__);                                   \
		rc = DB_REFUSED;                                                                   \
		goto out;                                                                          \
	} while (0)

static int user_delete_run(struct db *db, void *arg)
{
	struct user_simple_op *op = arg;
	struct user u = {0};
	int rc = user_store_get(db, op->id, &u);
	if (rc < 0)
		goto out;
	rc = 0;
	if (!u.id || u.merged_into || !u.active)
		FAIL(404, "user not found");
	if (u.id == op->who.user_id)
		FAIL(422, "base: you cannot delete yourself");
	if (op->who.role != ROLE_ADMIN && u.role != ROLE_END_USER)
		FAIL(403, "only admins can delete agents and admins");
	u.active = 0;
	u.updated_at = op->now;
	if (!(rc = user_store_update(db, &u)) && !(rc = drop_memberships(db, u.id, op->now)) &&
	    !(rc = search_index_user(db, u.id)))
		rc = user_store_get(db, u.id, &op->result);
out:
	user_clear(&u);
	return rc;
}

static int users_delete(struct req *r)
{
	struct user_simple_op op = {.who = r->actor, .id = r->id[0], .now = now_seconds()};
	int rc = store_write(r->srv->store, user_delete_run, &op);
	if (op_failed_reply(r, rc, op.status, op.err, ""))
		return 0;
	json_t *out = json_pack("{s:o}", "user", user_json(r->srv, &op.result));
	user_clear(&op.result);
	return reply_json(r, 200, out);
}

static int user_merge_run(struct db *db, void *arg)
{
	struct user_simple_op *op = arg;
	struct user from = {0}, into = {0};
	int rc = user_store_get(db, op->id, &from);
	if (rc < 0)
		goto out;
	if (rc == 0)
		rc = user_store_get(db, op->target, &into);
	if (rc < 0)
		goto out;
	rc = 0;
	if (!from.id || from.merged_into || !from.active)
		FAIL(404, "user not found");
	if (!into.id || into.merged_into || !into.active)
		FAIL(422, "id: %" PRId64 " is not a user that can be merged into", op->target);
	if (from.id == into.id)
		FAIL(422, "id: a user cannot be merged into itself");
	if (from.role != ROLE_END_USER || into.role != ROLE_END_USER)
		FAIL(422, "id: agents and admins cannot be merged");
	if (!(rc = user_store_merge(db, from.id, into.id, op->now)) &&
	    !(rc = search_index_user(db, from.id)) && !(rc = search_index_user(db, into.id)))
		rc = user_store_get(db, into.id, &op->result);
out:
	user_clear(&from);
	user_clear(&into);
	return rc;
}

static int users_merge(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	char err[128] = "";
	int64_t target = 0;
	json_t *u = json_object_get(body, "user");
	if (!json_is_object(u) || jget_id(u, "id", &target, err, sizeof(err)) <= 0 || !target) {
		json_decref(body);
		return reply_invalid(r, *err ? err : "id: the user to merge into is required");
	}
	json_decref(body);
	struct user_simple_op op = {
	    .who = r->actor, .id = r->id[0], .target = target, .now = now_seconds()};
	int rc = store_write(r->srv->store, user_merge_run, &op);
	if (op_failed_reply(r, rc, op.status, op.err, ""))
		return 0;
	json_t *out = json_pack("{s:o}", "user", user_json(r->srv, &op.result));
	user_clear(&op.result);
	return reply_json(r, 200, out);
}

/* ---- passwords --------------------------------------------------------- */

#define MIN_PASSWORD 8
#define MAX_PASSWORD 128

static int password_run(struct db *db, void *arg)
{
	struct user_simple_op *op = arg;
	struct user u = {0};
	int rc = user_store_get(db, op->id, &u);
	if (rc < 0)
		goto out;
	rc = 0;
	if (!u.id || u.merged_into || !u.active)
		FAIL(404, "user not found");
	if (op->expect_hash && (!u.password_hash || strcmp(u.password_hash, op->expect_hash)))
		FAIL(422, "previous_password: the password changed meanwhile; try again");
	set_str(&u.password_hash, op->password_hash);
	u.updated_at = op->now;
	rc = user_store_update(db, &u);
out:
	user_clear(&u);
	return rc;
}

/* Read "password" (and "previous_password") from the body: 0, or -1 after
 * replying. */
static int password_body_or_reply(struct req *r, char **password, char **previous)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return -1;
	char err[128] = "";
	if (jget_str(body, "password", password, err, sizeof(err)) < 0 ||
	    (previous && jget_str(body, "previous_password", previous, err, sizeof(err)) < 0)) {
		json_decref(body);
		reply_invalid(r, err);
		return -1;
	}
	json_decref(body);
	if (!*password || strlen(*password) < MIN_PASSWORD || strlen(*password) > MAX_PASSWORD) {
		reply_invalid(r, "password: must be 8 to 128 bytes long");
		return -1;
	}
	if (previous && !*previous) {
		reply_invalid(r, "previous_password: is required");
		return -1;
	}
	return 0;
}

static int password_write_reply(struct req *r, const char *password, const char *expect)
{
	char *hash = NULL;
	if (password_hash(password, &hash))
		return reply_error(r, 500, "InternalError", "the password could not be hashed",
				   NULL);
	struct user_simple_op op = {.who = r->actor,
				    .id = r->id[0],
				    .now = now_seconds(),
				    .password_hash = hash,
				    .expect_hash = expect};
	int rc = store_write(r->srv->store, password_run, &op);
	free(hash);
	if (op_failed_reply(r, rc, op.status, op.err, ""))
		return 0;
	auth_passwords_changed();
	/* Zendesk answers with an empty 200; "{}" keeps JSON clients happy */
	return reply_raw(r, 200, "application/json", "{}", 2);
}

/* POST /users/{id}/password.json: an admin sets a password. */
static int password_set(struct req *r)
{
	char *password = NULL;
	if (password_body_or_reply(r, &password, NULL)) {
		free(password);
		return 0;
	}
	password_write_reply(r, password, NULL);
	free(password);
	return 0;
}

/* PUT /users/{id}/password.json: a user changes its own password. */
static int password_change(struct req *r)
{
	if (r->id[0] != r->actor.user_id)
		return reply_error(r, 403, "Forbidden", "you can only change your own password",
				   NULL);
	char *password = NULL, *previous = NULL;
	if (password_body_or_reply(r, &password, &previous))
		goto out;
	struct user u = {0};
	int rc = user_store_get(req_db(r), r->id[0], &u);
	if (rc < 0) {
		reply_db_down(r);
	} else if (rc) {
		reply_not_found(r);
	} else if (!u.password_hash || !password_verify(u.password_hash, previous)) {
		reply_invalid(r, "previous_password: is not the current password");
	} else {
		password_write_reply(r, password, u.password_hash);
	}
	user_clear(&u);
out:
	free(password);
	free(previous);
	return 0;
}

/* ---- identities -------------------------------------------------------- */

enum ident_action { ID_CREATE, ID_UPDATE, ID_DELETE, ID_PRIMARY, ID_VERIFY };

struct ident_op {
	struct actor who;
	enum ident_action action;
	int64_t user_id, id;
	struct identity in; /* create/update: the values given */
	int set_value, set_verified;
	int64_t now;
	int status;
	char err[320];
	char taken[32];
	struct identity result;
};

/* users.email (and phone) follow the user's primary identities. */
static int sync_primary(struct db *db, int64_t user_id, int64_t now)
{
	struct user u = {0};
	struct identity *v;
	int n, rc = user_store_get(db, user_id, &u);
	if (rc) {
		user_clear(&u);
		return rc < 0 ? rc : 0;
	}
	if ((rc = identity_store_list(db, user_id, &v, &n))) {
		user_clear(&u);
		return rc;
	}
	const char *email = NULL, *any_email = NULL;
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].type, "email")) {
			if (!any_email)
				any_email = v[i].value;
			if (v[i].primary)
				email = v[i].value;
		}
	if (!email && any_email) { /* no primary left: the oldest becomes it */
		for (int i = 0; i < n; i++)
			if (!strcmp(v[i].type, "email") && !strcmp(v[i].value, any_email))
				rc = identity_store_make_primary(db, user_id, v[i].id);
		email = any_email;
	}
	if (!rc && strcmp(email ? email : "", u.email ? u.email : "")) {
		set_str(&u.email, email);
		u.updated_at = now;
		rc = user_store_update(db, &u);
	}
	if (!rc)
		rc = search_index_user(db, user_id);
	identity_list_free(v, n);
	user_clear(&u);
	return rc;
}

static int identity_run(struct db *db, void *arg)
{
	struct ident_op *op = arg;
	struct user u = {0};
	struct identity cur = {0};
	int rc = user_store_get(db, op->user_id, &u);
	if (rc < 0)
		goto out;
	rc = 0;
	if (!u.id || u.merged_into || !u.active)
		FAIL(404, "user not found");
	if (op->who.role == ROLE_AGENT && u.role != ROLE_END_USER && u.id != op->who.user_id)
		FAIL(403, "only admins can change the identities of agents and admins");
	if (op->action != ID_CREATE) {
		rc = identity_store_get(db, u.id, op->id, &cur);
		if (rc < 0)
			goto out;
		if (rc)
			FAIL(404, "identity not found");
	}
	if (op->action == ID_CREATE || (op->action == ID_UPDATE && op->set_value)) {
		const char *type = op->action == ID_CREATE ? op->in.type : cur.type;
		char *value = xstrdup(op->in.value ? op->in.value : "");
		char err[256];
		if (identity_value_check(type, &value, err, sizeof(err))) {
			free(value);
			FAIL(422, "%s", err);
		}
		free(op->in.value);
		op->in.value = value;
		int64_t holder = 0;
		rc = identity_store_find(db, type, value, &holder);
		if (rc < 0)
			goto out;
		rc = 0;
		if (holder && !(op->action == ID_UPDATE && !strcmp(value, cur.value)))
			TAKEN("value", "%s: %s is already being used by %s",
			      !strcmp(type, "email") ? "Email" : "Value", value,
			      holder == u.id ? "this user" : "another user");
	}
	int64_t id = op->id;
	switch (op->action) {
	case ID_CREATE: {
		struct identity d = {.user_id = u.id,
				     .type = op->in.type,
				     .value = op->in.value,
				     .verified = op->in.verified,
				     .created_at = op->now,
				     .updated_at = op->now};
		if ((rc = identity_store_insert(db, &d)))
			break;
		id = d.id;
		int first = !strcmp(d.type, "email") && !u.email;
		if (op->in.primary || first)
			rc = identity_store_make_primary(db, u.id, d.id);
		break;
	}
	case ID_UPDATE:
		if (op->set_verified && !op->in.verified && cur.verified)
			FAIL(422, "verified: a verified identity cannot be unverified");
		if (op->set_value)
			set_str(&cur.value, op->in.value);
		if (op->set_verified)
			cur.verified = op->in.verified;
		cur.updated_at = op->now;
		rc = identity_store_update(db, &cur);
		break;
	case ID_VERIFY:
		cur.verified = 1;
		cur.updated_at = op->now;
		rc = identity_store_update(db, &cur);
		break;
	case ID_DELETE:
		if (u.role != ROLE_END_USER && !strcmp(cur.type, "email") && cur.primary) {
			struct identity *v;
			int n, others = 0;
			if ((rc = identity_store_list(db, u.id, &v, &n)))
				break;
			for (int i = 0; i < n; i++)
				others += !strcmp(v[i].type, "email") && v[i].id != cur.id;
			identity_list_free(v, n);
			if (!others)
				FAIL(422, "value: agents and admins sign in with their email; add"
					  " another email before deleting this one");
		}
		rc = identity_store_delete(db, u.id, cur.id);
		if (!rc && !strcmp(cur.type, "phone_number") && u.phone &&
		    !strcmp(u.phone, cur.value)) {
			set_str(&u.phone, NULL);
			u.updated_at = op->now;
			rc = user_store_update(db, &u);
		}
		break;
	case ID_PRIMARY:
		rc = identity_store_make_primary(db, u.id, cur.id);
		break;
	}
	if (rc == 1)
		rc = DB_ERR;
	if (rc == DB_CONSTRAINT)
		TAKEN("value", "Value: is already being used");
	if (!rc)
		rc = sync_primary(db, u.id, op->now);
	if (!rc && op->action != ID_DELETE) {
		rc = identity_store_get(db, u.id, id, &op->result);
		if (rc == 1)
			rc = DB_ERR;
	}
out:
	user_clear(&u);
	identity_clear(&cur);
	return rc;
}

static int identity_op_reply(struct req *r, struct ident_op *op)
{
	int rc = store_write(r->srv->store, identity_run, op);
	identity_clear(&op->in);
	if (op_failed_reply(r, rc, op->status, op->err, op->taken))
		return 0;
	if (op->action == ID_DELETE)
		return reply_raw(r, 204, "application/json", "", 0);
	if (op->action == ID_PRIMARY) {
		identity_clear(&op->result);
		struct identity *v;
		int n;
		if (identity_store_list(req_db(r), op->user_id, &v, &n))
			return reply_db_down(r);
		json_t *arr = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(arr, identity_json(r->srv, &v[i]));
		identity_list_free(v, n);
		return reply_json(r, 200,
				  json_pack("{s:o,s:n,s:n,s:i}", "identities", arr, "next_page",
					    "previous_page", "count", n));
	}
	json_t *out = json_pack("{s:o}", "identity", identity_json(r->srv, &op->result));
	identity_clear(&op->result);
	return reply_json(r, op->action == ID_CREATE ? 201 : 200, out);
}

/* End-users see only their email and phone identities (Zendesk). */
static int identity_visible(const struct req *r, const struct identity *i)
{
	return r->actor.role != ROLE_END_USER || !strcmp(i->type, "email") ||
	       !strcmp(i->type, "phone_number");
}

static int identities_list(struct req *r)
{
	struct user u = {0};
	struct page p;
	if (page_parse_or_reply(r, &p) || user_load_or_reply(r, r->id[0], &u))
		return 0;
	user_clear(&u);
	struct identity *v;
	int n;
	if (identity_store_list(req_db(r), r->id[0], &v, &n))
		return reply_db_down(r);
	json_t *arr = json_array();
	int64_t last = 0;
	for (int i = 0; i < n; i++)
		if (identity_visible(r, &v[i]) && (!p.cursor || v[i].id > p.after)) {
			json_array_append_new(arr, identity_json(r->srv, &v[i]));
			last = v[i].id;
		}
	identity_list_free(v, n);
	json_t *out = json_pack("{s:o}", "identities", arr);
	page_finish(r, &p, out, last, 0, (int64_t)json_array_size(arr));
	return reply_json(r, 200, out);
}

static int identities_show(struct req *r)
{
	struct user u = {0};
	if (user_load_or_reply(r, r->id[0], &u))
		return 0;
	user_clear(&u);
	struct identity d = {0};
	int rc = identity_store_get(req_db(r), r->id[0], r->id[1], &d);
	if (rc < 0)
		return reply_db_down(r);
	if (rc || !identity_visible(r, &d)) {
		identity_clear(&d);
		return reply_not_found(r);
	}
	json_t *out = json_pack("{s:o}", "identity", identity_json(r->srv, &d));
	identity_clear(&d);
	return reply_json(r, 200, out);
}

static int identities_create(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct ident_op op = {
	    .who = r->actor, .action = ID_CREATE, .user_id = r->id[0], .now = now_seconds()};
	char err[256] = "";
	json_t *o = json_object_get(body, "identity");
	if (!o || identity_from_json(o, &op.in, err, sizeof(err))) {
		json_decref(body);
		identity_clear(&op.in);
		return reply_invalid(r, o ? err : "identity: is required");
	}
	json_decref(body);
	return identity_op_reply(r, &op);
}

static int identities_update(struct req *r)
{
	json_t *body = req_json_or_reply(r);
	if (!body)
		return 0;
	struct ident_op op = {.who = r->actor,
			      .action = ID_UPDATE,
			      .user_id = r->id[0],
			      .id = r->id[1],
			      .now = now_seconds()};
	char err[256] = "";
	json_t *o = json_object_get(body, "identity");
	int rc = -1;
	if (json_is_object(o) &&
	    (op.set_value = jget_str(o, "value", &op.in.value, err, sizeof(err))) >= 0 &&
	    (op.set_verified = jget_bool(o, "verified", &op.in.verified, err, sizeof(err))) >= 0)
		rc = 0;
	json_decref(body);
	if (rc) {
		identity_clear(&op.in);
		return reply_invalid(r, *err ? err : "identity: expected an object");
	}
	if (op.set_value && (!op.in.value || strlen(op.in.value) > 320)) {
		identity_clear(&op.in);
		return reply_invalid(r, "value: cannot be blank or longer than 320 bytes");
	}
	return identity_op_reply(r, &op);
}

static int identities_action(struct req *r, enum ident_action a)
{
	struct ident_op op = {.who = r->actor,
			      .action = a,
			      .user_id = r->id[0],
			      .id = r->id[1],
			      .now = now_seconds()};
	return identity_op_reply(r, &op);
}

static int identities_delete(struct req *r) { return identities_action(r, ID_DELETE); }

static int identities_make_primary(struct req *r) { return identities_action(r, ID_PRIMARY); }

static int identities_verify(struct req *r) { return identities_action(r, ID_VERIFY); }

const struct route user_routes[] = {
    {M_GET, "/api/v2/users.json", ROLE_AGENT, users_list, 0},
    {M_POST, "/api/v2/users.json", ROLE_AGENT, users_create, 0},
    {M_GET, "/api/v2/users/me.json", ROLE_END_USER, users_me, 0},
    {M_GET, "/api/v2/users/count.json", ROLE_AGENT, users_count, 0},
    {M_GET, "/api/v2/users/show_many.json", ROLE_AGENT, users_show_many, 0},
    {M_GET, "/api/v2/users/autocomplete.json", ROLE_AGENT, users_autocomplete, 0},
    {M_POST, "/api/v2/users/create_or_update.json", ROLE_AGENT, users_create_or_update, 0},
    {M_GET, "/api/v2/users/{id}.json", ROLE_AGENT, users_show, 0},
    {M_PUT, "/api/v2/users/{id}.json", ROLE_END_USER, users_update, 0},
    {M_DELETE, "/api/v2/users/{id}.json", ROLE_ADMIN, users_delete, 0},
    {M_PUT, "/api/v2/users/{id}/merge.json", ROLE_AGENT, users_merge, 0},
    {M_POST, "/api/v2/users/{id}/password.json", ROLE_ADMIN, password_set, 0},
    {M_PUT, "/api/v2/users/{id}/password.json", ROLE_END_USER, password_change, 0},
    {M_GET, "/api/v2/users/{id}/identities.json", ROLE_AGENT, identities_list, 0},
    {M_POST, "/api/v2/users/{id}/identities.json", ROLE_AGENT, identities_create, 0},
    {M_GET, "/api/v2/users/{id}/identities/{id}.json", ROLE_AGENT, identities_show, 0},
    {M_PUT, "/api/v2/users/{id}/identities/{id}.json", ROLE_AGENT, identities_update, 0},
    {M_DELETE, "/api/v2/users/{id}/identities/{id}.json", ROLE_AGENT, identities_delete, 0},
    {M_PUT, "/api/v2/users/{id}/identities/{id}/make_primary.json", ROLE_AGENT,
     identities_make_primary, 0},
    {M_PUT, "/api/v2/users/{id}/identities/{id}/verify.json", ROLE_AGENT, identities_verify, 0},
    {0},
};
