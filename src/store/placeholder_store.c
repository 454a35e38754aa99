/* placeholder_store.c - the placeholder context of one ticket
 * (placeholder_store.h).
 *
 * Order: the ticket (ticket_store_get), then each person, group and
 * organization it points at by primary key, the latest comments by one
 * indexed query each (comments_ticket), the custom fields from the
 * ticket's own values.  About eight point queries per call; a notification
 * or macro preview fills one context and renders all its templates with it.
 */
#include "store/placeholder_store.h"
#include "base/util.h"
#include "core/satisfaction.h"
#include "store/group_store.h"
#include "store/org_store.h"
#include "store/ticket_store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_first_last(struct ph_context *ctx, const char *prefix, const char *name)
{
	char key[64];
	const char *sp = strchr(name, ' ');
	char *first = sp ? xstrndup(name, (size_t)(sp - name)) : xstrdup(name);
	snprintf(key, sizeof(key), "%s.first_name", prefix);
	ph_set(ctx, key, first);
	snprintf(key, sizeof(key), "%s.last_name", prefix);
	const char *last = strrchr(name, ' ');
	ph_set(ctx, key, last ? last + 1 : "");
	free(first);
}

/* The person fields under prefix ("ticket.requester", ...); id 0 = none. */
static int set_person(struct db *db, struct ph_context *ctx, const char *prefix, int64_t id)
{
	struct user u = {0};
	int rc = id ? user_store_get(db, id, &u) : 1;
	if (rc < 0)
		return rc;
	char key[64];
	snprintf(key, sizeof(key), "%s.name", prefix);
	ph_set(ctx, key, rc ? "" : u.name);
	snprintf(key, sizeof(key), "%s.email", prefix);
	ph_set(ctx, key, rc ? "" : u.email);
	snprintf(key, sizeof(key), "%s.locale", prefix);
	ph_set(ctx, key, rc ? "" : u.locale);
	set_first_last(ctx, prefix, rc || !u.name ? "" : u.name);
	user_clear(&u);
	return 0;
}

/* The latest comment's text and HTML into <key> and <key>_html. */
static int set_latest(struct db *db, struct ph_context *ctx, int64_t ticket_id, int public_only,
		      const char *key)
{
	struct db_res *r;
	int rc = db_query(db, &r,
			  "SELECT body, html_body FROM comments WHERE ticket_id = ?"
			  " AND (is_public = 1 OR ? = 0) ORDER BY id DESC LIMIT 1",
			  "ii", ticket_id, (int64_t)public_only);
	if (rc)
		return rc;
	char hkey[64];
	snprintf(hkey, sizeof(hkey), "%s_html", key);
	ph_set(ctx, key, r->nrows ? db_str(r, 0, 0) : "");
	ph_set(ctx, hkey, r->nrows ? db_str(r, 0, 1) : "");
	db_res_free(r);
	return 0;
}

/* A custom field's value_json as text: strings unquoted, lists joined by
 * spaces, null empty, numbers and booleans as written. */
static void field_text(const char *value_json, struct buf *out)
{
	json_error_t e;
	json_t *v = value_json ? json_loads(value_json, JSON_DECODE_ANY, &e) : NULL;
	if (json_is_string(v)) {
		buf_add(out, json_string_value(v), json_string_length(v));
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) if (json_is_string(x))
		{
			if (out->len)
				buf_addc(out, ' ');
			buf_adds(out, json_string_value(x));
		}
	} else if (v && !json_is_null(v)) {
		buf_adds(out, value_json);
	}
	json_decref(v);
}

int placeholder_store_fill(struct db *db, int64_t ticket_id, int64_t current_user_id,
			   const char *base_url, struct ph_context *ctx)
{
	struct ticket t = {0};
	int rc = ticket_store_get(db, ticket_id, &t);
	if (rc)
		return rc;
	char iso[32];
	ph_setf(ctx, "ticket.id", "%" PRId64, t.id);
	ph_set(ctx, "ticket.title", t.subject);
	ph_set(ctx, "ticket.description", t.description);
	ph_set(ctx, "ticket.status", t.status);
	ph_set(ctx, "ticket.priority", t.priority);
	ph_set(ctx, "ticket.ticket_type", t.type);
	ph_set(ctx, "ticket.via", t.via_channel);
	ph_set(ctx, "ticket.external_id", t.external_id);
	iso8601(t.created_at, iso);
	ph_set(ctx, "ticket.created_at", iso);
	iso8601(t.updated_at, iso);
	ph_set(ctx, "ticket.updated_at", iso);
	if (!base_url)
		base_url = "";
	ph_setf(ctx, "ticket.url", "%s/agent/tickets/%" PRId64, base_url, t.id);
	ph_setf(ctx, "ticket.link", "%s/agent/tickets/%" PRId64, base_url, t.id);
	/* the survey link carries the signed token of (ticket, requester);
	 * without a secret yet (a reader cannot create one) it has none and the
	 * survey page refuses it */
	char *secret = NULL, token[65] = "";
	if (setting_get(db, "csat_secret", &secret) == 0) {
		csat_token(secret, t.id, t.requester_id, token);
		sodium_memzero(secret, strlen(secret));
	}
	free(secret);
	ph_setf(ctx, "satisfaction.rating_url", "%s/hc/requests/%" PRId64 "/satisfaction?token=%s",
		base_url, t.id, token);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < t.tags.n; i++) {
		if (i)
			buf_addc(&b, ' ');
		buf_adds(&b, t.tags.v[i]);
	}
	ph_set(ctx, "ticket.tags", b.s);
	for (size_t i = 0; i < t.nfields; i++) {
		char key[64];
		buf_reset(&b);
		field_text(t.fields[i].value_json, &b);
		snprintf(key, sizeof(key), "ticket.ticket_field_%" PRId64, t.fields[i].id);
		ph_set(ctx, key, b.s);
	}
	buf_release(&b);
	struct group g = {0};
	struct organization o = {0};
	rc = set_person(db, ctx, "ticket.requester", t.requester_id);
	if (!rc)
		rc = set_person(db, ctx, "ticket.assignee", t.assignee_id);
	if (!rc)
		rc = set_person(db, ctx, "current_user", current_user_id);
	if (!rc) {
		rc = t.group_id ? group_store_get(db, t.group_id, &g) : 1;
		ph_set(ctx, "ticket.group.name", rc == 0 ? g.name : "");
		rc = rc > 0 ? 0 : rc;
	}
	if (!rc) {
		rc = t.organization_id ? org_store_get(db, t.organization_id, &o) : 1;
		ph_set(ctx, "ticket.organization.name", rc == 0 ? o.name : "");
		rc = rc > 0 ? 0 : rc;
	}
	if (!rc)
		rc = set_latest(db, ctx, t.id, 1, "ticket.latest_public_comment");
	if (!rc)
		rc = set_latest(db, ctx, t.id, 0, "ticket.latest_comment");
	group_clear(&g);
	organization_clear(&o);
	ticket_clear(&t);
	return rc;
}
