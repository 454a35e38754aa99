/* test_quote.c - quoted-reply stripping (core/quote.h).
 *
 * Every case is a body as a real client writes it (Gmail, Apple Mail,
 * Outlook, Thunderbird, Naver, Daum/Kakao, in English, Korean and German,
 * LF and CRLF) and the exact reply text that must remain; "keep" cases
 * expect the whole input back.  Then the limits: NUL and invalid bytes,
 * multi-megabyte inputs shaped to trigger every look-ahead (times printed).
 */
#include "base/buf.h"
#include "base/util.h"
#include "core/quote.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

/* quote_strip(text) must keep exactly the prefix want. */
static void check(const char *text, const char *want)
{
	size_t len = strlen(text), n = quote_strip(text, len);
	if (n != strlen(want) || memcmp(text, want, n)) {
		print_error("input:\n%s\n--- got %zu bytes:\n%.*s\n--- want:\n%s\n", text, n,
			    (int)n, text, want);
		fail();
	}
}

/* quote_strip(text) must keep everything. */
static void keep(const char *text) { check(text, text); }

static void test_no_quote(void **state)
{
	keep("Hello,\n\nMy printer does not print since yesterday.\nCan you help?\n\nJane");
	keep("안녕하세요,\n주문한 상품이 아직 도착하지 않았습니다.\n확인 부탁드립니다.\n");
	keep("one line, no newline");
	keep("\n\n\n");
	assert_int_equal(quote_strip("", 0), 0);
	assert_int_equal(quote_strip(NULL, 0), 0);
}

static void test_gmail_english(void **state)
{
	check("Thanks, that worked!\n"
	      "\n"
	      "On Tue, Mar 5, 2024 at 2:03 PM Sonnim Support <support@example.com> wrote:\n"
	      "\n"
	      "> Hello Jane,\n"
	      ">\n"
	      "> Please restart the printer.\n"
	      ">\n"
	      "> --\n"
	      "> Request #123\n",
	      "Thanks, that worked!");
}

static void test_gmail_wrapped(void **state)
{
	check("Great, thanks.\n"
	      "\n"
	      "On Tue, Mar 5, 2024 at 2:03 PM Sonnim Customer Support Team <\n"
	      "support@example.com> wrote:\n"
	      "\n"
	      "> Hello Jane,\n",
	      "Great, thanks.");
	check("Great, thanks.\n"
	      "\n"
	      "On Tue, Mar 5, 2024 at 2:03 PM Sonnim Customer Support Team <support@example.com>\n"
	      "wrote:\n"
	      "\n"
	      "> Hello Jane,\n",
	      "Great, thanks.");
}

static void test_gmail_crlf(void **state)
{
	check("Thanks\r\n"
	      "\r\n"
	      "On Tue, Mar 5, 2024 at 2:03 PM Sonnim Support <support@example.com> wrote:\r\n"
	      "\r\n"
	      "> Hello\r\n"
	      "> there\r\n",
	      "Thanks");
}

static void test_gmail_html_rendered(void **state)
{
	/* the text of an HTML-only reply: the blockquote has no ">" */
	check("Yes, please go ahead.\n"
	      "\n"
	      "On Tue, Mar 5, 2024 at 2:03 PM Sonnim Support <support@example.com> wrote:\n"
	      "Hello Jane,\n"
	      "Should we replace the toner?\n",
	      "Yes, please go ahead.");
}

static void test_apple_iphone(void **state)
{
	check("Sounds good\n"
	      "\n"
	      "Sent from my iPhone\n"
	      "\n"
	      "> On Mar 5, 2024, at 14:03, Sonnim Support <support@example.com> wrote:\n"
	      "> \n"
	      "> Hi Jane\n",
	      "Sounds good\n\nSent from my iPhone");
	check("OK\n"
	      "\n"
	      "Sent from my iPhone\n"
	      "\n"
	      "On 5 Mar 2024, at 14:03, Sonnim Support <support@example.com> wrote:\n"
	      "\n"
	      "> Hi Jane\n",
	      "OK\n\nSent from my iPhone");
}

static void test_apple_korean(void **state)
{
	check("네, 내일 방문해 주세요.\n"
	      "\n"
	      "iPhone에서 보냄\n"
	      "\n"
	      "2024. 3. 5. 오후 2:03, 손님 고객센터 <support@example.com> 작성:\n"
	      "\n"
	      "> 안녕하세요 홍길동님,\n",
	      "네, 내일 방문해 주세요.\n\niPhone에서 보냄");
}

static void test_korean_gmail(void **state)
{
	check("네 알겠습니다. 재부팅하니 됩니다.\n"
	      "\n"
	      "2024년 3월 5일 (화) 오후 2:03, 손님 고객센터 <support@example.com>님이 작성:\n"
	      "\n"
	      "> 안녕하세요 홍길동님,\n"
	      "> 프린터를 재부팅해 주세요.\n",
	      "네 알겠습니다. 재부팅하니 됩니다.");
}

static void test_korean_gmail_wrapped_crlf(void **state)
{
	check("감사합니다.\r\n"
	      "\r\n"
	      "2024년 3월 5일 (화) 오후 2:03, 손님 고객센터 상담팀 <\r\n"
	      "support@example.com>님이 작성:\r\n"
	      "\r\n"
	      "> 안녕하세요\r\n",
	      "감사합니다.");
	/* older Gmail: "님의 말:" */
	check("확인했습니다\n"
	      "\n"
	      "2011년 3월 5일 오후 2:03, 손님 고객센터 <support@example.com>님의 말:\n"
	      "> 안녕하세요\n",
	      "확인했습니다");
}

static void test_outlook_original_message(void **state)
{
	check("Please see the attached invoice.\n"
	      "\n"
	      "Regards,\n"
	      "Jane\n"
	      "\n"
	      "-----Original Message-----\n"
	      "From: Sonnim Support <support@example.com>\n"
	      "Sent: Tuesday, March 5, 2024 2:03 PM\n"
	      "To: Jane Doe <jane@example.com>\n"
	      "Subject: RE: [#123] Invoice\n"
	      "\n"
	      "Hello Jane,\n",
	      "Please see the attached invoice.\n\nRegards,\nJane");
	check("Fine by me.\n\n----- Original Message -----\nFrom: a\n", "Fine by me.");
}

static void test_outlook_header_block_crlf(void **state)
{
	check("Got it, thanks.\r\n"
	      "\r\n"
	      "Jane Doe | ACME Corp.\r\n"
	      "\r\n"
	      "________________________________\r\n"
	      "From: Sonnim Support <support@example.com>\r\n"
	      "Sent: Tuesday, March 5, 2024 2:03 PM\r\n"
	      "To: Jane Doe <jane@example.com>; Bob <bob@example.com>;\r\n"
	      "    Carol <carol@example.com>\r\n"
	      "Cc: Team <team@example.com>\r\n"
	      "Subject: [#123] Printer\r\n"
	      "\r\n"
	      "Hello Jane,\r\n",
	      "Got it, thanks.\r\n\r\nJane Doe | ACME Corp.");
}

static void test_outlook_bold_and_mac(void **state)
{
	check("Thanks!\n"
	      "\n"
	      "*From:* Sonnim Support <support@example.com>\n"
	      "*Sent:* Tuesday, March 5, 2024 2:03 PM\n"
	      "*To:* Jane Doe <jane@example.com>\n"
	      "*Subject:* [#123] Printer\n"
	      "\n"
	      "Hello\n",
	      "Thanks!");
	/* Outlook for Mac: Date instead of Sent */
	check("Thanks again\n"
	      "\n"
	      "From: Sonnim Support <support@example.com>\n"
	      "Date: Tuesday, 5 March 2024 at 14:03\n"
	      "To: Jane Doe <jane@example.com>\n"
	      "Subject: Re: [#123] Printer\n"
	      "\n"
	      "Hello\n",
	      "Thanks again");
}

static void test_outlook_korean(void **state)
{
	check("확인했습니다. 감사합니다.\n"
	      "\n"
	      "보낸 사람: 손님 고객센터 <support@example.com>\n"
	      "보낸 날짜: 2024년 3월 5일 화요일 오후 2:03\n"
	      "받는 사람: 홍길동 <hong@example.co.kr>\n"
	      "참조: 김철수 <kim@example.co.kr>\n"
	      "제목: RE: [#123] 프린터 고장\n"
	      "\n"
	      "안녕하세요 홍길동님,\n",
	      "확인했습니다. 감사합니다.");
}

static void test_outlook_german(void **state)
{
	check("Danke, das hat geholfen.\n"
	      "\n"
	      "Von: Sonnim Support <support@example.com>\n"
	      "Gesendet: Dienstag, 5. März 2024 14:03\n"
	      "An: Jana Schmidt <jana@example.de>\n"
	      "Betreff: AW: [#123] Drucker\n"
	      "\n"
	      "Hallo Jana,\n",
	      "Danke, das hat geholfen.");
	check("Passt.\n"
	      "\n"
	      "-----Ursprüngliche Nachricht-----\n"
	      "Von: Sonnim Support <support@example.com>\n",
	      "Passt.");
	check("Danke!\n"
	      "\n"
	      "Am Di., 5. März 2024 um 14:03 Uhr schrieb Sonnim Support <\n"
	      "support@example.com>:\n"
	      "\n"
	      "> Hallo\n",
	      "Danke!");
}

static void test_naver(void **state)
{
	check("첨부 파일 확인 부탁드립니다.\n"
	      "\n"
	      "-----Original Message-----\n"
	      "From: \"손님 고객센터\"<support@example.com>\n"
	      "To: <hong@naver.com>;\n"
	      "Cc:\n"
	      "Sent: 2024-03-05 (화) 14:03:00 (GMT+09:00)\n"
	      "Subject: [#123] 배송 문의\n"
	      "\n"
	      "안녕하세요\n",
	      "첨부 파일 확인 부탁드립니다.");
	check("주소 변경했습니다.\r\n\r\n-----원본 메시지-----\r\n보낸 사람: 손님 고객센터\r\n",
	      "주소 변경했습니다.");
}

static void test_daum_kakao(void **state)
{
	check("다시 확인해 주세요.\n"
	      "\n"
	      "---------- 원본 메일 ----------\n"
	      "보낸사람: 손님 고객센터 <support@example.com>\n"
	      "받는사람: 홍길동 <hong@daum.net>\n"
	      "날짜: 24.03.05 14:03 GMT +0900\n"
	      "제목: [#123] 환불 문의\n"
	      "\n"
	      "안녕하세요\n",
	      "다시 확인해 주세요.");
	check("알겠습니다\n\n--------- 원래 메시지 ---------\n보낸사람: a\n", "알겠습니다");
}

static void test_forward_kept(void **state)
{
	keep("FYI, see the bank's mail below.\n"
	     "\n"
	     "---------- Forwarded message ---------\n"
	     "From: Bank <noreply@bank.example>\n"
	     "Date: Tue, Mar 5, 2024 at 2:03 PM\n"
	     "Subject: Payment failed\n"
	     "To: <jane@example.com>\n"
	     "\n"
	     "Your payment failed.\n"
	     "\n"
	     "On Mon, Mar 4, 2024 at 9:00 AM Jane <jane@example.com> wrote:\n"
	     "> Why was I charged twice?\n");
	keep("아래 메일 확인 부탁드립니다.\n"
	     "\n"
	     "---------- 전달된 메일 ---------\n"
	     "보낸사람: 택배사 <noreply@delivery.example>\n"
	     "날짜: 2024년 3월 5일 (화) 오후 2:03\n"
	     "제목: 배송 지연 안내\n"
	     "\n"
	     "배송이 지연되고 있습니다.\n");
	keep("See below\n"
	     "\n"
	     "Begin forwarded message:\n"
	     "\n"
	     "From: Shop <shop@example.com>\n"
	     "Subject: Order 1234\n"
	     "Date: March 5, 2024 at 14:03:00 GMT+9\n"
	     "To: Jane <jane@example.com>\n"
	     "\n"
	     "> quoted order history\n");
}

static void test_trailing_quote_run(void **state)
{
	check("I still have the problem.\n"
	      "\n"
	      "> Hello,\n"
	      "> please restart the printer.\n"
	      "\n"
	      "> --\n"
	      "> Sonnim Support\n",
	      "I still have the problem.");
}

static void test_thunderbird_intro(void **state)
{
	check("Works now.\n\nSonnim Support wrote:\n> Hello\n> Try this\n", "Works now.");
	check("On 3/5/24 14:03, Sonnim Support wrote:\n",
	      "On 3/5/24 14:03, Sonnim Support wrote:\n");
	check("됩니다.\n"
	      "\n"
	      "2024-03-05 오후 2:03에 손님 고객센터 이(가) 쓴 글:\n"
	      "> 안녕하세요\n",
	      "됩니다.");
}

static void test_inline_reply_kept(void **state)
{
	keep("See my answers below.\n"
	     "\n"
	     "On Tue, Mar 5, 2024 at 2:03 PM Sonnim Support <support@example.com> wrote:\n"
	     "\n"
	     "> Which model is it?\n"
	     "\n"
	     "HP LaserJet 1020\n"
	     "\n"
	     "> Since when?\n"
	     "\n"
	     "Yesterday\n");
	keep("> Which model is it?\n"
	     "HP LaserJet 1020\n"
	     "> Since when?\n"
	     "Yesterday\n"
	     "\n"
	     "> Thanks,\n"
	     "> Support\n");
	keep("> 모델명이 무엇인가요?\r\nHP 1020입니다.\r\n");
}

static void test_bottom_posting_kept(void **state)
{
	keep("On Tue, Mar 5, 2024 at 2:03 PM Sonnim Support <support@example.com> wrote:\n"
	     "> Can you send a photo?\n"
	     "\n"
	     "Attached.\n");
	keep("> Can you send a photo?\n\nAttached.\n");
}

static void test_only_quote(void **state)
{
	keep("> Hello\n> World\n");
	keep("\n\n-----Original Message-----\nFrom: Support\nSent: today\nSubject: x\n");
	keep("On Tue, Mar 5, 2024 at 2:03 PM Sonnim Support <support@example.com> wrote:\n> hi\n");
	keep("From: Support <support@example.com>\nSent: Tuesday\nTo: Jane\nSubject: x\n\nhi\n");
	keep("  \n\xC2\xA0\n> quoted only\n");
}

static void test_mixed_language(void **state)
{
	check("감사합니다! 잘 해결됐어요.\n"
	      "\n"
	      "On Tue, Mar 5, 2024 at 2:03 PM Sonnim Support <support@example.com> wrote:\n"
	      "> Hello\n",
	      "감사합니다! 잘 해결됐어요.");
	check("Thank you, 감사합니다.\n"
	      "\n"
	      "2024년 3월 5일 (화) 오후 2:03, Sonnim Support <support@example.com>님이 작성:\n"
	      "> Hello\n",
	      "Thank you, 감사합니다.");
}

static void test_first_marker_wins(void **state)
{
	check("Reply on top\n"
	      "\n"
	      "On Tue, Mar 5, 2024 at 2:03 PM Jane <jane@example.com> wrote:\n"
	      "> Earlier text\n"
	      ">\n"
	      "> -----Original Message-----\n"
	      "> From: Support\n",
	      "Reply on top");
	check("Latest\n"
	      "\n"
	      "-----Original Message-----\n"
	      "From: Support\n"
	      "\n"
	      "Middle\n"
	      "\n"
	      "On Tue, Mar 5, 2024 at 2:03 PM Jane <jane@example.com> wrote:\n"
	      "> Oldest\n",
	      "Latest");
}

static void test_no_false_positive(void **state)
{
	/* a sentence that looks like an attribution, without a time or address */
	keep("On March 5, the printer wrote:\nPAPER JAM IN TRAY 2\n");
	/* a signature separator and dashes that are no known separator */
	keep("Thanks\n-- \nJane Doe\nACME Corp.\n");
	keep("Totals\n----- Summary -----\n3 items\n");
	/* From/To lines that are not an Outlook header block */
	keep("The mail looked like this:\nFrom: my colleague\nTo: you\nThe printer is broken\n");
	/* a separator phrase inside a sentence */
	keep("I kept the -----Original Message----- part, sorry.\n");
	/* a Korean line starting with a digit and ending in 작성: without time or address */
	keep("3번 항목 작성:\n이름, 주소를 적었습니다.\n");
}

static void test_trailing_space_trimmed(void **state)
{
	check("Thanks  \t\n\xC2\xA0\n \r\n\nOn Tue, Mar 5, 2024 at 2:03 PM Jane <jane@example.com> "
	      "wrote:\n> x\n",
	      "Thanks");
	check("  Indented reply\n\n    -----Original Message-----\n", "  Indented reply");
}

static void test_nul_and_invalid_bytes(void **state)
{
	const char text[] = "abc\0def\xff\xfe\n\n> quoted\n";
	size_t len = sizeof(text) - 1;
	assert_int_equal(quote_strip(text, len), 9);
	const char only[] = "\0\n> q\n";
	assert_int_equal(quote_strip(only, sizeof(only) - 1), 1);
	/* a line that is one lone continuation byte / truncated NBSP */
	const char odd[] = "\xC2\n\xA0\n";
	assert_int_equal(quote_strip(odd, sizeof(odd) - 1), sizeof(odd) - 1);
}

static void test_prefix_lengths(void **state)
{
	/* every prefix of a real message is safe to pass (no reads past len) */
	static const char text[] =
	    "Reply\r\n\r\nOn Tue, Mar 5, 2024 at 2:03 PM Sonnim Support <\r\nsupport@example.com> "
	    "wrote:\r\n\r\n> a\r\n\r\n-----Original Message-----\r\nFrom: x\r\nSent: y\r\n"
	    "Subject: z\r\n\xC2\xA0";
	for (size_t n = 0; n <= sizeof(text) - 1; n++) {
		char *copy = xmalloc(n ? n : 1); /* exact size: ASan sees any overread */
		memcpy(copy, text, n);
		size_t r = quote_strip(copy, n);
		assert_true(r <= n);
		assert_true(r > 0 || n == 0);
		free(copy);
	}
}

/* n bytes of pattern repeated; the caller frees. */
static char *repeat(const char *pattern, size_t n)
{
	size_t k = strlen(pattern);
	char *s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = pattern[i % k];
	s[n] = '\0';
	return s;
}

static void timed(const char *pattern, size_t n, int expect_all)
{
	char *s = repeat(pattern, n);
	int64_t t0 = mono_ns();
	size_t r = quote_strip(s, n);
	int64_t ms = (mono_ns() - t0) / 1000000;
	if (expect_all)
		assert_int_equal(r, n);
	assert_true(r <= n && r > 0);
	/* printed, not judged: a shared machine makes any time limit flaky;
	 * a quadratic look-ahead shows here as minutes, and in `make fuzz` */
	print_message("pattern %.12s x %zu bytes: %lld ms\n", pattern, n, (long long)ms);
	free(s);
}

static void test_hostile_sizes(void **state)
{
	size_t mb4 = 4u << 20;
	timed(">\n", mb4, 1);
	timed("From: x\n", mb4, 1);
	timed("From: x\nTo: y\n", mb4, 1);
	timed("From: x\nx\n", mb4, 1);
	timed("On 1 2 3\n", mb4, 1);
	timed("On 1:00 @\n", mb4, 1);
	timed("2024년 3월 5일 오후 2:03, \n", mb4, 1);
	timed("On 1:00\n> a\nb\n", mb4, 1);
	timed("a", mb4, 1);
	timed("\n", mb4, 1);
	timed("-", mb4, 1);
	timed("\xC2\xA0", mb4, 1);
	timed("x\n> q\n", mb4, 1); /* inline all the way */
	timed("x\n\n", mb4, 1);
	/* a huge reply above a short quote */
	char *s = repeat("reply text\n", mb4);
	struct buf b = BUF_INIT;
	buf_add(&b, s, mb4);
	buf_adds(&b, "\n> quoted\n");
	int64_t t0 = mono_ns();
	size_t want = mb4;
	while (s[want - 1] == '\n')
		want--;
	assert_int_equal(quote_strip(b.s, b.len), want);
	assert_true(mono_ns() - t0 < 2000000000LL);
	buf_release(&b);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_quote),
	    cmocka_unit_test(test_gmail_english),
	    cmocka_unit_test(test_gmail_wrapped),
	    cmocka_unit_test(test_gmail_crlf),
	    cmocka_unit_test(test_gmail_html_rendered),
	    cmocka_unit_test(test_apple_iphone),
	    cmocka_unit_test(test_apple_korean),
	    cmocka_unit_test(test_korean_gmail),
	    cmocka_unit_test(test_korean_gmail_wrapped_crlf),
	    cmocka_unit_test(test_outlook_original_message),
	    cmocka_unit_test(test_outlook_header_block_crlf),
	    cmocka_unit_test(test_outlook_bold_and_mac),
	    cmocka_unit_test(test_outlook_korean),
	    cmocka_unit_test(test_outlook_german),
	    cmocka_unit_test(test_naver),
	    cmocka_unit_test(test_daum_kakao),
	    cmocka_unit_test(test_forward_kept),
	    cmocka_unit_test(test_trailing_quote_run),
	    cmocka_unit_test(test_thunderbird_intro),
	    cmocka_unit_test(test_inline_reply_kept),
	    cmocka_unit_test(test_bottom_posting_kept),
	    cmocka_unit_test(test_only_quote),
	    cmocka_unit_test(test_mixed_language),
	    cmocka_unit_test(test_first_marker_wins),
	    cmocka_unit_test(test_no_false_positive),
	    cmocka_unit_test(test_trailing_space_trimmed),
	    cmocka_unit_test(test_nul_and_invalid_bytes),
	    cmocka_unit_test(test_prefix_lengths),
	    cmocka_unit_test(test_hostile_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
