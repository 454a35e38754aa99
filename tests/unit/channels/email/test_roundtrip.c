/* test_roundtrip.c - what Sonnim sends, Sonnim reads back: mail_compose()
 * output through mail_parse() gives the same subject, names, addresses,
 * threading headers, text and attachments.  Long Korean subjects matter
 * here: they become several RFC 2047 encoded words, which GMime 3.2's own
 * decoder mangles (jstedfast/gmime#133), so both sides use their own code.
 */
#include "base/buf.h"
#include "channels/email/compose.h"
#include "channels/email/mime.h"
#include "testutil.h"
#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

static void roundtrip(const char *subject, const char *name, const char *text)
{
	struct mail_address to = {.name = (char *)name, .email = "hong@customer.test"};
	const unsigned char data[] = "receipt bytes";
	struct outbound_attachment att = {.file_name = "영수증 2026년 11월.pdf",
					  .content_type = "application/pdf", .data = data,
					  .size = sizeof(data) - 1};
	const char *refs[] = {"first@customer.test", "t1.c2@support.test"};
	struct outbound_mail m = {.from_name = "김상담 (ACME 고객센터)", .from_email = "support@acme.test",
				  .to = &to, .nto = 1, .subject = subject,
				  .message_id = "t1.c3@support.test",
				  .in_reply_to = "first@customer.test", .references = refs,
				  .nreferences = 2, .text = text, .html = NULL,
				  .attachments = &att, .nattachments = 1, .date = 1790000000};
	struct buf out = BUF_INIT;
	char err[256];
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), 0);
	struct mail p;
	assert_int_equal(mail_parse(out.s, out.len, &p, err, sizeof(err)), 0);
	assert_string_equal(p.subject, subject);
	assert_string_equal(p.from.email, "support@acme.test");
	assert_string_equal(p.from.name, "김상담 (ACME 고객센터)");
	assert_int_equal(p.nto, 1);
	assert_string_equal(p.to[0].email, "hong@customer.test");
	assert_string_equal(p.to[0].name, name);
	assert_string_equal(p.message_id, "t1.c3@support.test");
	assert_string_equal(p.in_reply_to, "first@customer.test");
	assert_int_equal(p.nreferences, 2);
	assert_string_equal(p.references[1], "t1.c2@support.test");
	assert_non_null(strstr(p.text, "내일 도착"));
	assert_int_equal(p.nattachments, 1);
	assert_string_equal(p.attachments[0].file_name, "영수증 2026년 11월.pdf");
	assert_int_equal(p.attachments[0].size, sizeof(data) - 1);
	assert_memory_equal(p.attachments[0].data, data, sizeof(data) - 1);
	assert_int_equal(p.is_auto_reply, 0);
	mail_clear(&p);
	buf_release(&out);
}

static void test_korean(void **state)
{
	(void)state;
	roundtrip("Re: [#1] 주문한 상품이 아직 도착하지 않았어요 — 배송 조회 부탁드립니다 (주문번호 2026-1123)",
		  "홍길동", "확인해 보니 내일 도착 예정입니다.\n감사합니다.");
}

static void test_mixed_long(void **state)
{
	(void)state;
	char subject[600];
	snprintf(subject, sizeof(subject), "%s",
		 "Refund 환불 요청 for order #991 — 결제가 두 번 되었습니다 and the card was charged twice "
		 "오늘 확인 부탁드립니다");
	roundtrip(subject, "Jane \"JJ\" Doe", "내일 도착 predicted.");
}

static void test_auto_generated(void **state)
{
	(void)state;
	struct mail_address to = {.email = "hong@customer.test"};
	struct outbound_mail m = {.from_email = "support@acme.test", .to = &to, .nto = 1,
				  .subject = "[#7] 접수되었습니다", .message_id = "t7.c0@support.test",
				  .text = "요청 번호는 #7입니다.", .auto_generated = 1};
	struct buf out = BUF_INIT;
	char err[256];
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), 0);
	struct mail p;
	assert_int_equal(mail_parse(out.s, out.len, &p, err, sizeof(err)), 0);
	/* our own notices are recognised as automatic: never answered */
	assert_int_equal(p.is_auto_reply, 1);
	assert_string_equal(p.auto_submitted, "auto-generated");
	mail_clear(&p);
	buf_release(&out);
}

int main(void)
{
	mime_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_korean),
	    cmocka_unit_test(test_mixed_long),
	    cmocka_unit_test(test_auto_generated),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
