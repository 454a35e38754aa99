/* community_notify.c - job "community.notify": tell the followers of a
 * community post (and of its topic) that a comment arrived.
 *
 * Payload {"post_id": P, "comment_id": C}, queued by api/community.c in
 * the transaction that publishes the comment.  The job
 *   1. reads the post, the comment, its author and the followers
 *      (store/community_store.h: cm_followers_of_post, without the
 *      comment's author) from one reader; a comment or post that is no
 *      longer published ends the job "skipped";
 *   2. for each follower with an email address who is active: one mail in
 *      their language (Korean or English, from the user's locale), subject
 *      "New comment" or "Official answer" with the post's title, the
 *      comment (its sanitized HTML, its Markdown as the text part) and the
 *      link to the post (usermail.c sends it).
 * Message-ID "cm.c<C>.u<user>@<domain>": the same on a retry, so a
 * receiver drops a copy it already has when a temporary SMTP failure
 * makes the queue run the job again.  Without smtp_url: "skipped".
 * Cost: one reader pass, then one SMTP transaction per follower (at most
 * CM_NOTIFY_MAX).
 */
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "channels/email/email.h"
#include "core/hc.h"
#include "store/community_store.h"
#include "store/mail_store.h"
#include "store/store.h"
#include "store/user_store.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CM_NOTIFY_MAX 500

/* [ko, en] */
static const char *const texts[5][2] = {
    {"[커뮤니티] 새 댓글: ", "[Community] New comment: "},
    {"[커뮤니티] 공식 답변: ", "[Community] Official answer: "},
    {"님이 댓글을 남겼습니다.", " commented."},
    {"게시물 보기", "View the post"},
    {"이 게시물이나 주제를 팔로우하고 있어 이 메일을 받았습니다.",
     "You get this mail because you follow this post or its topic."},
};

struct notice {
	struct cm_post post;
	struct cm_comment comment;
	struct user author;
	struct recipient_address ra;
	struct idlist followers;
};

static void notice_clear(struct notice *n)
{
	cm_post_clear(&n->post);
	cm_comment_clear(&n->comment);
	user_clear(&n->author);
	recipient_address_clear(&n->ra);
	idlist_clear(&n->followers);
}

/* 0, 1 when there is nothing to send (skip says why), DB_*. */
static int notice_read(struct db *db, int64_t post_id, int64_t comment_id, struct notice *n,
		       const char **skip)
{
	static const struct cm_viewer staff = {.staff = 1};
	int rc = cm_post_get(db, post_id, &staff, &n->post);
	if (!rc)
		rc = cm_comment_get(db, post_id, comment_id, &staff, &n->comment);
	if (rc == 1 || (!rc && (strcmp(n->post.state, "published") ||
				strcmp(n->comment.state, "published")))) {
		*skip = "the comment is not published";
		return 1;
	}
	if (!rc)
		rc = user_store_get(db, n->comment.author_id, &n->author);
	if (rc == 1)
		rc = 0; /* a deleted author: no name */
	if (!rc)
		rc = cm_followers_of_post(db, post_id, n->comment.author_id, &n->followers);
	if (!rc && !n->followers.n) {
		*skip = "no followers";
		return 1;
	}
	if (!rc) {
		rc = recipient_address_default(db, &n->ra);
		if (rc == 1)
			*skip = "no support address";
	}
	return rc;
}

/* The mail to one reader, in Korean (ko) or English. */
static void compose_notice(struct server *s, const struct notice *n, int ko, struct buf *subject,
			   struct buf *text, struct buf *html)
{
	int en = !ko;
	char url[512];
	snprintf(url, sizeof(url), "%s/hc/%s/community/posts/%" PRId64 "#comment-%" PRId64,
		 s->cfg.base_url, ko ? HC_LOCALE_KO : HC_LOCALE_EN, n->post.id, n->comment.id);
	const char *who = n->author.name && *n->author.name ? n->author.name : "?";
	buf_addf(subject, "%s%s", texts[n->comment.official ? 1 : 0][en], n->post.title);
	buf_addf(text, "%s%s\n\n%s\n\n%s: %s\n\n-- \n%s\n", who, texts[2][en], n->comment.body,
		 texts[3][en], url, texts[4][en]);
	buf_addf(html, "<!doctype html><html lang=\"%s\"><body><p><strong>", ko ? "ko" : "en");
	hc_escape(html, who);
	buf_addf(html, "</strong>%s</p><div>%s</div><p><a href=\"", texts[2][en],
		 n->comment.html); /* sanitized when saved (core/markdown.h) */
	hc_escape(html, url);
	buf_addf(html, "\">%s</a></p><p style=\"color:#666\">%s</p></body></html>\n", texts[3][en],
		 texts[4][en]);
}

int email_community_job(struct server *s, int64_t job_id, json_t *payload, json_t **result,
			char *err, size_t errlen)
{
	(void)job_id;
	int64_t post_id = json_integer_value(json_object_get(payload, "post_id"));
	int64_t comment_id = json_integer_value(json_object_get(payload, "comment_id"));
	if (!s->cfg.smtp_url[0]) {
		*result = json_pack("{ss}", "skipped", "no smtp_url configured");
		return 0;
	}
	struct notice n = {0};
	const char *skip = NULL;
	struct db *db = store_reader(s->store);
	int rc = notice_read(db, post_id, comment_id, &n, &skip);
	struct user *users = NULL;
	int nusers = 0;
	if (!rc)
		rc = user_store_by_ids(
		    db, n.followers.v,
		    (int)(n.followers.n < CM_NOTIFY_MAX ? n.followers.n : CM_NOTIFY_MAX), &users,
		    &nusers);
	store_release(s->store, db);
	if (rc < 0) {
		notice_clear(&n);
		snprintf(err, errlen, "database error");
		return -1;
	}
	if (rc) {
		notice_clear(&n);
		*result = json_pack("{ss}", "skipped", skip);
		return 0;
	}
	char domain[128];
	email_domain(&s->cfg, domain, sizeof(domain));
	int sent = 0, refused = 0, ret = 0;
	for (int i = 0; i < nusers && !ret; i++) {
		const struct user *u = &users[i];
		if (!u->active || u->suspended || !u->email || !*u->email)
			continue;
		int ko = u->locale && !strncmp(u->locale, "ko", 2);
		struct buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT, mid = BUF_INIT;
		compose_notice(s, &n, ko, &subject, &text, &html);
		buf_addf(&mid, "cm.c%" PRId64 ".u%" PRId64 "@%s", comment_id, u->id, domain);
		json_t *one = NULL;
		ret = email_send_one(s, &n.ra, u->name, u->email, subject.s, mid.s, text.s, html.s,
				     &one, err, errlen);
		if (!ret && json_object_get(one, "message_id"))
			sent++;
		else if (!ret)
			refused++;
		json_decref(one);
		buf_release(&subject);
		buf_release(&text);
		buf_release(&html);
		buf_release(&mid);
	}
	user_list_free(users, nusers);
	notice_clear(&n);
	if (ret)
		return -1;
	log_info("mail", "community comment=%" PRId64 " notified=%d refused=%d", comment_id, sent,
		 refused);
	*result = json_pack("{si,si}", "sent", sent, "rejected", refused);
	return 0;
}
