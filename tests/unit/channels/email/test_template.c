/* test_template.c - the localized mail texts (channels/email/template.h).
 *
 * Exact subjects and texts of every template in both locales, with and
 * without the optional values; the HTML for escaping (hostile names,
 * subjects, comment HTML, link schemes) and balance; subject clean-up;
 * locale and name lookup; the failure paths.  Last, the round trip the
 * texts are made for: render -> compose (compose.h) -> GMime parse, and a
 * customer's Gmail reply quoting our mail -> quote_strip (core/quote.h)
 * keeps only the customer's words.
 */
#include "base/buf.h"
#include "base/util.h"
#include "channels/email/compose.h"
#include "channels/email/mime.h"
#include "channels/email/template.h"
#include "core/quote.h"
#include "testutil.h"
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

static struct mail_values full(void)
{
	struct mail_values v = {
	    .ticket_id = 123,
	    .ticket_subject = "Printer broken",
	    .requester_name = "Jane Doe",
	    .agent_name = "Minsu Kim",
	    .comment_text = "Hello Jane,\n\nPlease restart the printer.\n",
	    .status_url = "https://help.example.com/requests/123",
	    .previous_ticket_id = 100,
	    .recipient = "jane@example.com",
	    .status = "5.1.1",
	    .diagnostic = "smtp; 550 5.1.1 <jane@example.com>: Recipient address rejected",
	};
	return v;
}

static void render_ok(enum mail_template t, const char *locale, const struct mail_values *v,
		      struct mail_rendered *r)
{
	char err[100] = "";
	if (mail_template_render(t, locale, v, r, err, sizeof(err))) {
		print_error("render %s/%s: %s\n", mail_template_name(t), locale, err);
		fail();
	}
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Balanced <p>, <div>, <a>; no raw placeholder; one line subject. */
static void sane(const struct mail_rendered *r)
{
	assert_int_equal(count(r->html.s, "<p>"), count(r->html.s, "</p>"));
	assert_int_equal(count(r->html.s, "<div"), count(r->html.s, "</div>"));
	assert_int_equal(count(r->html.s, "<a "), count(r->html.s, "</a>"));
	assert_null(strchr(r->subject.s, '\n'));
	assert_null(strchr(r->subject.s, '\r'));
	assert_null(strchr(r->subject.s, '{'));
	assert_null(strchr(r->text.s, '{'));
	assert_null(strchr(r->html.s, '{'));
	assert_true(r->text.len == 0 || r->text.s[r->text.len - 1] != '\n');
}

static void test_reply_en(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_REPLY, "en", &v, &r);
	sane(&r);
	assert_string_equal(r.subject.s, "Re: [#123] Printer broken");
	assert_string_equal(r.text.s, "Hello Jane,\n"
				      "\n"
				      "Please restart the printer.\n"
				      "\n"
				      "Minsu Kim\n"
				      "\n"
				      "-- \n"
				      "Request #123: Printer broken\n"
				      "To add to this request, reply to this email.\n"
				      "View your request: https://help.example.com/requests/123");
	assert_non_null(strstr(r.html.s, "<html lang=\"en\">"));
	assert_non_null(strstr(r.html.s, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(r.html.s, "Please restart the printer."));
	assert_non_null(strstr(r.html.s, "<p>Minsu Kim</p>"));
	assert_non_null(strstr(r.html.s, "<p>Request #123: Printer broken<br>\n"
					 "To add to this request, reply to this email.<br>\n"
					 "View your request: <a "
					 "href=\"https://help.example.com/requests/123\">https://"
					 "help.example.com/requests/123</a></p>"));
	assert_non_null(strstr(r.html.s, "<hr "));
	mail_rendered_release(&r);
}

static void test_reply_ko(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	v.ticket_subject = "프린터 고장";
	v.agent_name = "김민수";
	v.comment_text = "안녕하세요 홍길동님,\r\n\r\n프린터를 재부팅해 주세요.\r\n";
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_REPLY, "ko-KR", &v, &r);
	sane(&r);
	assert_string_equal(r.subject.s, "Re: [#123] 프린터 고장");
	assert_string_equal(r.text.s, "안녕하세요 홍길동님,\n"
				      "\n"
				      "프린터를 재부팅해 주세요.\n"
				      "\n"
				      "김민수 드림\n"
				      "\n"
				      "-- \n"
				      "요청 #123: 프린터 고장\n"
				      "이 요청에 덧붙이려면 이 메일에 회신하세요.\n"
				      "요청 보기: https://help.example.com/requests/123");
	assert_non_null(strstr(r.html.s, "<html lang=\"ko\">"));
	assert_non_null(strstr(r.html.s, "<p>김민수 드림</p>"));
	mail_rendered_release(&r);
}

static void test_reply_minimal(void **state)
{
	struct mail_values v = {.ticket_id = 7, .comment_text = "Done."};
	struct mail_rendered r;
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_REPLY, NULL, &v, &r);
	sane(&r);
	assert_string_equal(r.subject.s, "Re: [#7] (no subject)");
	assert_string_equal(r.text.s, "Done.\n"
				      "\n"
				      "-- \n"
				      "Request #7: (no subject)\n"
				      "To add to this request, reply to this email.");
	render_ok(MAIL_TPL_REPLY, "ko", &v, &r);
	assert_string_equal(r.subject.s, "Re: [#7] (제목 없음)");
	assert_string_equal(r.text.s, "Done.\n"
				      "\n"
				      "-- \n"
				      "요청 #7: (제목 없음)\n"
				      "이 요청에 덧붙이려면 이 메일에 회신하세요.");
	mail_rendered_release(&r);
}

static void test_received(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_RECEIVED, "en-US", &v, &r);
	sane(&r);
	assert_string_equal(r.subject.s, "[#123] Printer broken");
	assert_string_equal(r.text.s,
			    "Hello Jane Doe,\n"
			    "\n"
			    "We received your request #123. Our team will get back to you as "
			    "soon as possible.\n"
			    "\n"
			    "-- \n"
			    "Request #123: Printer broken\n"
			    "To add to this request, reply to this email.\n"
			    "View your request: https://help.example.com/requests/123\n"
			    "This message was sent automatically.");
	v.requester_name = " \n ";
	v.status_url = NULL;
	render_ok(MAIL_TPL_RECEIVED, "en", &v, &r);
	assert_string_equal(r.text.s,
			    "Hello,\n"
			    "\n"
			    "We received your request #123. Our team will get back to you as "
			    "soon as possible.\n"
			    "\n"
			    "-- \n"
			    "Request #123: Printer broken\n"
			    "To add to this request, reply to this email.\n"
			    "This message was sent automatically.");
	assert_null(strstr(r.html.s, "<a "));
	mail_rendered_release(&r);
}

static void test_received_articles(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	struct mail_article a[] = {
	    {"Refund <policy>", "https://help.example.com/hc/en-us/articles/7",
	     "https://help.example.com/hc/en-us/answers/7?token=ab"},
	    {"Returns", "https://help.example.com/hc/en-us/articles/8", "javascript:alert(1)"},
	    {"Bad link", "javascript:alert(1)", NULL},
	};
	v.articles = a;
	v.narticles = 3;
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_RECEIVED, "en", &v, &r);
	sane(&r);
	assert_string_equal(r.text.s,
			    "Hello Jane Doe,\n"
			    "\n"
			    "We received your request #123. Our team will get back to you as "
			    "soon as possible.\n"
			    "\n"
			    "These articles may answer your question:\n"
			    "- Refund <policy>\n"
			    "  https://help.example.com/hc/en-us/articles/7\n"
			    "  This solved my request: https://help.example.com/hc/en-us/answers/7?token=ab\n"
			    "- Returns\n"
			    "  https://help.example.com/hc/en-us/articles/8\n"
			    "\n"
			    "-- \n"
			    "Request #123: Printer broken\n"
			    "To add to this request, reply to this email.\n"
			    "View your request: https://help.example.com/requests/123\n"
			    "This message was sent automatically.");
	assert_non_null(strstr(r.html.s, "<li><a href=\"https://help.example.com/hc/en-us/articles/7\">"
					 "Refund &lt;policy&gt;</a><br>\n<a href=\"https://help.example.com"
					 "/hc/en-us/answers/7?token=ab\">This solved my request</a></li>"));
	assert_null(strstr(r.html.s, "javascript:"));
	render_ok(MAIL_TPL_RECEIVED, "ko", &v, &r);
	assert_non_null(strstr(r.text.s, "이 도움말이 답이 될 수 있어요:\n- Refund <policy>"));
	assert_non_null(strstr(r.text.s, "이 도움말로 해결됐어요: https://"));
	mail_rendered_release(&r);
}

static void test_received_ko(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	v.requester_name = "홍길동";
	v.ticket_subject = "배송 지연 문의";
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_RECEIVED, "ko_KR", &v, &r);
	sane(&r);
	assert_string_equal(r.subject.s, "[#123] 배송 지연 문의");
	assert_string_equal(r.text.s,
			    "홍길동님, 안녕하세요.\n"
			    "\n"
			    "요청이 접수되었습니다. 요청 번호는 #123입니다. 담당자가 확인한 뒤 "
			    "최대한 빨리 답변드리겠습니다.\n"
			    "\n"
			    "-- \n"
			    "요청 #123: 배송 지연 문의\n"
			    "이 요청에 덧붙이려면 이 메일에 회신하세요.\n"
			    "요청 보기: https://help.example.com/requests/123\n"
			    "이 메일은 자동으로 발송되었습니다.");
	v.requester_name = NULL;
	render_ok(MAIL_TPL_RECEIVED, "KO", &v, &r);
	assert_true(!strncmp(r.text.s, "안녕하세요.\n\n요청이 접수되었습니다.",
			     strlen("안녕하세요.\n\n요청이 접수되었습니다.")));
	mail_rendered_release(&r);
}

static void test_followup(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	v.ticket_id = 456;
	v.status_url = NULL;
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_FOLLOWUP, "en", &v, &r);
	sane(&r);
	assert_string_equal(r.subject.s, "[#456] Printer broken");
	assert_string_equal(r.text.s,
			    "Hello Jane Doe,\n"
			    "\n"
			    "Your request #100 was already closed, so we opened a new request "
			    "#456 with your message. Our team will get back to you as soon as "
			    "possible.\n"
			    "\n"
			    "-- \n"
			    "Request #456: Printer broken\n"
			    "To add to this request, reply to this email.\n"
			    "This message was sent automatically.");
	v.requester_name = "홍길동";
	render_ok(MAIL_TPL_FOLLOWUP, "ko", &v, &r);
	sane(&r);
	assert_string_equal(r.text.s,
			    "홍길동님, 안녕하세요.\n"
			    "\n"
			    "이미 종료된 요청 #100에 보내신 메일로 새 요청을 만들었습니다. 새 "
			    "요청 번호는 #456입니다. 담당자가 확인한 뒤 최대한 빨리 "
			    "답변드리겠습니다.\n"
			    "\n"
			    "-- \n"
			    "요청 #456: Printer broken\n"
			    "이 요청에 덧붙이려면 이 메일에 회신하세요.\n"
			    "이 메일은 자동으로 발송되었습니다.");
	mail_rendered_release(&r);
}

static void test_bounce_note(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_BOUNCE_NOTE, "en", &v, &r);
	sane(&r);
	assert_string_equal(r.subject.s, "Delivery failed: jane@example.com");
	assert_string_equal(
	    r.text.s, "Mail to jane@example.com could not be delivered: 5.1.1 smtp; 550 5.1.1 "
		      "<jane@example.com>: Recipient address rejected\n"
		      "The requester did not receive it. Check the address, or reach them "
		      "another way.");
	/* a fragment like comment bodies, values escaped */
	assert_true(!strncmp(r.html.s, "<div class=\"zd-comment\">", 24));
	assert_null(strstr(r.html.s, "<html"));
	assert_non_null(strstr(r.html.s, "&lt;jane@example.com&gt;"));

	v.status = NULL;
	v.diagnostic = NULL;
	render_ok(MAIL_TPL_BOUNCE_NOTE, "ko", &v, &r);
	sane(&r);
	assert_string_equal(r.subject.s, "메일 전달 실패: jane@example.com");
	assert_string_equal(r.text.s, "jane@example.com 주소로 보낸 메일을 전달하지 못했습니다.\n"
				      "고객이 메일을 받지 못했습니다. 주소를 확인하거나 다른 "
				      "방법으로 연락해 주세요.");

	/* only a diagnostic, multi-line and long: one line, cut at 2000 bytes */
	struct buf diag = BUF_INIT;
	buf_adds(&diag, "line one\r\nline two\n");
	for (int i = 0; i < 3000; i++)
		buf_adds(&diag, "한");
	v.diagnostic = diag.s;
	render_ok(MAIL_TPL_BOUNCE_NOTE, "en", &v, &r);
	const char *colon = strstr(r.text.s, "delivered: ");
	assert_non_null(colon);
	const char *nl = strchr(colon, '\n');
	assert_true(!strncmp(colon + 11, "line one line two 한", strlen("line one line two 한")));
	assert_true((size_t)(nl - colon - 11) <= 2000);
	assert_true((size_t)(nl - colon - 11) >= 1997);
	buf_release(&diag);
	mail_rendered_release(&r);
}

static void test_html_escaping(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	v.requester_name = "<script>alert(1)</script> & \"Jane\" 'O'";
	v.agent_name = "<b>Agent</b>";
	v.ticket_subject = "Price < 5 & > 3 \"quoted\"";
	v.comment_text = "Visit <https://evil.example/?a=1&b=2> now";
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_RECEIVED, "en", &v, &r);
	sane(&r);
	assert_null(strstr(r.html.s, "<script"));
	assert_non_null(strstr(r.html.s, "Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
					 "&quot;Jane&quot; &#39;O&#39;,"));
	assert_non_null(strstr(r.html.s, "Price &lt; 5 &amp; &gt; 3 &quot;quoted&quot;"));
	/* the text is not escaped */
	assert_true(!strncmp(r.text.s, "Hello <script>alert(1)</script> & \"Jane\" 'O',", 20));

	render_ok(MAIL_TPL_REPLY, "en", &v, &r);
	sane(&r);
	assert_null(strstr(r.html.s, "<b>Agent"));
	assert_non_null(strstr(r.html.s, "&lt;b&gt;Agent&lt;/b&gt;"));
	assert_null(strstr(r.html.s, "<https"));
	mail_rendered_release(&r);
}

static void test_comment_html_sanitized(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	v.comment_text = NULL;
	v.comment_html = "<p>Hi <b>Jane</b></p><img src=x onerror=alert(1)>"
			 "<script>steal()</script><a href=\"javascript:alert(1)\">x</a>"
			 "<p>Second paragraph</p>";
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_REPLY, "en", &v, &r);
	sane(&r);
	assert_non_null(strstr(r.html.s, "<b>Jane</b>"));
	assert_null(strstr(r.html.s, "onerror"));
	assert_null(strstr(r.html.s, "<script"));
	assert_null(strstr(r.html.s, "steal"));
	assert_null(strstr(r.html.s, "javascript:"));
	/* the text comes from the HTML */
	assert_true(!strncmp(r.text.s, "Hi Jane\n", 8));
	assert_non_null(strstr(r.text.s, "Second paragraph\n\nMinsu Kim\n\n-- \n"));

	/* with both, the text is the given text */
	v.comment_text = "Plain version";
	render_ok(MAIL_TPL_REPLY, "en", &v, &r);
	assert_true(!strncmp(r.text.s, "Plain version\n\nMinsu Kim", 24));
	assert_non_null(strstr(r.html.s, "<b>Jane</b>"));
	mail_rendered_release(&r);
}

static void test_status_url_schemes(void **state)
{
	static const char *const bad[] = {
	    "javascript:alert(1)",
	    "JAVASCRIPT:alert(1)",
	    "data:text/html,<script>",
	    "ftp://example.com/",
	    "https://example.com/\" onmouseover=\"x",
	    "https://example.com/ space",
	    "https://exa\nmple.com/",
	    "https://",
	    "//example.com/",
	    "",
	};
	struct mail_values v = full();
	struct mail_rendered r;
	mail_rendered_init(&r);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		v.status_url = bad[i];
		render_ok(MAIL_TPL_RECEIVED, "en", &v, &r);
		sane(&r);
		assert_null(strstr(r.text.s, "View your request"));
		assert_null(strstr(r.html.s, "<a "));
	}
	v.status_url = "HTTP://help.example.com/r?id=1&x=2";
	render_ok(MAIL_TPL_RECEIVED, "en", &v, &r);
	assert_non_null(strstr(r.text.s, "View your request: HTTP://help.example.com/r?id=1&x=2"));
	assert_non_null(strstr(r.html.s, "<a href=\"HTTP://help.example.com/r?id=1&amp;x=2\">"));
	mail_rendered_release(&r);
}

static void test_subject_cleanup(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"Re: RE: [#123] Fwd: Printer", "Re: [#123] Printer"},
	    {"re:Printer", "Re: [#123] Printer"},
	    {"FW: AW: WG: Drucker", "Re: [#123] Drucker"},
	    {"회신: 답장: 전달: 프린터 고장", "Re: [#123] 프린터 고장"},
	    {"Printer [#123] again", "Re: [#123] Printer again"},
	    {"[#1234] other ticket", "Re: [#123] [#1234] other ticket"},
	    {"Regarding: invoice", "Re: [#123] Regarding: invoice"},
	    {"Line one\r\nBcc: x@y.z\tend", "Re: [#123] Line one Bcc: x@y.z end"},
	    {"Re: [#123]", "Re: [#123] (no subject)"},
	    {"   ", "Re: [#123] (no subject)"},
	    {NULL, "Re: [#123] (no subject)"},
	};
	struct mail_values v = full();
	struct mail_rendered r;
	mail_rendered_init(&r);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		v.ticket_subject = cases[i].in;
		render_ok(MAIL_TPL_REPLY, "en", &v, &r);
		assert_string_equal(r.subject.s, cases[i].want);
	}
	mail_rendered_release(&r);
}

static void test_locales_and_names(void **state)
{
	assert_string_equal(mail_template_locale("ko"), "ko");
	assert_string_equal(mail_template_locale("ko-KR"), "ko");
	assert_string_equal(mail_template_locale("ko_KR"), "ko");
	assert_string_equal(mail_template_locale("KO-kr"), "ko");
	assert_string_equal(mail_template_locale("kor"), "en");
	assert_string_equal(mail_template_locale("en"), "en");
	assert_string_equal(mail_template_locale("en-US"), "en");
	assert_string_equal(mail_template_locale("ja"), "en");
	assert_string_equal(mail_template_locale(""), "en");
	assert_string_equal(mail_template_locale("k"), "en");
	assert_string_equal(mail_template_locale(NULL), "en");

	for (int t = 0; t < MAIL_TPL_COUNT; t++) {
		const char *name = mail_template_name((enum mail_template)t);
		assert_non_null(name);
		assert_int_equal(mail_template_by_name(name), t);
	}
	assert_string_equal(mail_template_name(MAIL_TPL_BOUNCE_NOTE), "bounce_note");
	assert_null(mail_template_name(MAIL_TPL_COUNT));
	assert_null(mail_template_name((enum mail_template) - 1));
	assert_int_equal(mail_template_by_name("Reply"), -1);
	assert_int_equal(mail_template_by_name(""), -1);
	assert_int_equal(mail_template_by_name(NULL), -1);
}

static void test_every_template_every_locale(void **state)
{
	static const char *const locales[] = {"en", "ko", "fr", NULL};
	struct mail_values v = full();
	struct mail_rendered r;
	mail_rendered_init(&r);
	for (int t = 0; t < MAIL_TPL_COUNT; t++)
		for (size_t l = 0; l < ARRAY_SIZE(locales); l++) {
			render_ok((enum mail_template)t, locales[l], &v, &r);
			sane(&r);
			assert_true(r.subject.len > 0 && r.text.len > 0 && r.html.len > 0);
			if (t != MAIL_TPL_BOUNCE_NOTE) {
				assert_non_null(strstr(r.subject.s, "[#123]"));
				assert_non_null(strstr(r.text.s, "\n-- \n"));
				assert_non_null(strstr(r.html.s, "</html>"));
			}
		}
	mail_rendered_release(&r);
}

static void test_failures(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	char err[100];
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_REPLY, "en", &v, &r); /* out is full ... */

	assert_int_equal(mail_template_render(MAIL_TPL_COUNT, "en", &v, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown template");
	assert_int_equal(r.subject.len + r.text.len + r.html.len, 0); /* ... then reset */
	assert_int_equal(
	    mail_template_render((enum mail_template) - 1, "en", &v, &r, err, sizeof(err)), -1);
	assert_int_equal(mail_template_render(MAIL_TPL_REPLY, "en", NULL, &r, err, sizeof(err)),
			 -1);

	v.ticket_id = 0;
	assert_int_equal(mail_template_render(MAIL_TPL_RECEIVED, "en", &v, &r, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "missing ticket id");

	v = full();
	v.comment_text = "";
	v.comment_html = NULL;
	render_ok(MAIL_TPL_RECEIVED, "en", &v, &r); /* no comment needed there */
	assert_int_equal(mail_template_render(MAIL_TPL_REPLY, "en", &v, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "missing comment");
	assert_int_equal(r.subject.len + r.text.len + r.html.len, 0);

	v = full();
	v.previous_ticket_id = 0;
	assert_int_equal(mail_template_render(MAIL_TPL_FOLLOWUP, "ko", &v, &r, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "missing previous ticket id");

	v = full();
	v.recipient = " \r\n";
	assert_int_equal(mail_template_render(MAIL_TPL_BOUNCE_NOTE, "en", &v, &r, NULL, 0), -1);
	v.recipient = NULL;
	assert_int_equal(mail_template_render(MAIL_TPL_BOUNCE_NOTE, "en", &v, &r, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "missing recipient");
	mail_rendered_release(&r);
}

/* render -> compose -> GMime, and the customer's reply -> quote_strip. */
static void test_round_trip(void **state)
{
	struct mail_values v = full();
	struct mail_rendered r;
	struct mail_address to = {"홍길동", "hong@example.co.kr"};
	struct buf out = BUF_INIT, reply = BUF_INIT, mid = BUF_INIT;
	char err[100];

	v.ticket_subject = "프린터가 고장났어요 — 출력이 안 됩니다, 빨리 확인 부탁드립니다";
	v.comment_text = "안녕하세요,\n프린터를 재부팅해 주세요.";
	mail_rendered_init(&r);
	render_ok(MAIL_TPL_REPLY, "ko", &v, &r);
	mail_message_id(&mid, 123, 9, "support.example.com");
	struct outbound_mail m = {
	    .from_name = "김민수 (손님 고객센터)",
	    .from_email = "support@example.com",
	    .to = &to,
	    .nto = 1,
	    .subject = r.subject.s,
	    .message_id = mid.s,
	    .text = r.text.s,
	    .html = r.html.s,
	    .date = 1709614980,
	};
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), 0);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(out.s, out.len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
	assert_non_null(msg);
	assert_string_equal(g_mime_message_get_subject(msg), r.subject.s);
	GMimeMultipart *alt = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(g_mime_multipart_get_part(alt, 0)));
	assert_non_null(strstr(text, "요청 #123: 프린터가 고장났어요"));
	g_free(text);
	g_object_unref(msg);
	g_object_unref(p);
	g_object_unref(s);

	/* the customer answers from Gmail, quoting our text */
	buf_adds(&reply, "네, 재부팅하니 됩니다. 감사합니다!\r\n\r\n"
			 "2024년 3월 5일 (화) 오후 2:03, 김민수 (손님 고객센터) "
			 "<support@example.com>님이 작성:\r\n\r\n");
	for (const char *q = r.text.s; *q;) {
		size_t n = strcspn(q, "\n");
		buf_adds(&reply, "> ");
		buf_add(&reply, q, n);
		buf_adds(&reply, "\r\n");
		q += n + (q[n] == '\n');
	}
	size_t keep = quote_strip(reply.s, reply.len);
	assert_int_equal(keep, strlen("네, 재부팅하니 됩니다. 감사합니다!"));

	buf_release(&reply);
	buf_release(&out);
	buf_release(&mid);
	mail_rendered_release(&r);
}

int main(void)
{
	g_mime_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_en),
	    cmocka_unit_test(test_reply_ko),
	    cmocka_unit_test(test_reply_minimal),
	    cmocka_unit_test(test_received),
	    cmocka_unit_test(test_received_ko),
	    cmocka_unit_test(test_received_articles),
	    cmocka_unit_test(test_followup),
	    cmocka_unit_test(test_bounce_note),
	    cmocka_unit_test(test_html_escaping),
	    cmocka_unit_test(test_comment_html_sanitized),
	    cmocka_unit_test(test_status_url_schemes),
	    cmocka_unit_test(test_subject_cleanup),
	    cmocka_unit_test(test_locales_and_names),
	    cmocka_unit_test(test_every_template_every_locale),
	    cmocka_unit_test(test_failures),
	    cmocka_unit_test(test_round_trip),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
