/* test_compose.c - outbound messages (channels/email/compose.h).
 *
 * Every message composed here is read back with GMime's own parser
 * (g_mime_parser) and checked header by header and part by part, and its
 * raw bytes are checked for the wire rules: CRLF only, 7-bit, no line over
 * 998 octets (wire_ok()).  Then Korean names, subject and file names, the
 * MIME shapes, header injection through every field, a 10 MB attachment,
 * the failure paths (out unchanged), and Sonnim's Message-IDs.
 */
#include "base/buf.h"
#include "base/util.h"
#include "channels/email/compose.h"
#include "channels/email/mime.h"
#include "testutil.h"
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- helpers ---- */

/* NULL if raw[0..n) obeys the wire rules, else what is wrong. */
static const char *wire_problem(const char *raw, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '\r') {
			if (i + 1 == n || raw[i + 1] != '\n')
				return "lone CR";
			i++;
			col = 0;
			continue;
		}
		if (c == '\n')
			return "bare LF";
		if (c == 0 || c >= 0x80)
			return "8-bit byte";
		if (++col > 998)
			return "line over 998 octets";
	}
	return NULL;
}

static void wire_ok(const struct buf *b)
{
	const char *why = wire_problem(b->s, b->len);
	if (why) {
		print_error("%s in:\n%.2000s\n", why, b->s);
		fail();
	}
}

static GMimeMessage *parse(const struct buf *b)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(b->s, b->len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(s);
	assert_non_null(m);
	return m;
}

/* The raw header block (up to the first empty line) of b; caller frees. */
static char *head_of(const struct buf *b)
{
	const char *e = strstr(b->s, "\r\n\r\n");
	assert_non_null(e);
	return xstrndup(b->s, (size_t)(e - b->s) + 2);
}

static const char *header(GMimeMessage *m, const char *name)
{
	return g_mime_object_get_header(GMIME_OBJECT(m), name);
}

/* Mailbox i of list: its name (may be NULL) and address. */
static void check_mailbox(InternetAddressList *list, int i, const char *name, const char *addr)
{
	assert_true(i < internet_address_list_length(list));
	InternetAddress *a = internet_address_list_get_address(list, i);
	assert_true(INTERNET_ADDRESS_IS_MAILBOX(a));
	const char *got = internet_address_get_name(a);
	if (name)
		assert_string_equal(got ? got : "", name);
	else
		assert_true(!got || !*got);
	assert_string_equal(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)), addr);
}

/* The decoded content of a part; caller frees (buf_release). */
static void content_of(GMimeObject *o, struct buf *out)
{
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(o));
	GMimeStream *s = g_mime_stream_mem_new();
	assert_non_null(w);
	g_mime_data_wrapper_write_to_stream(w, s);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
	buf_add(out, ba->data, ba->len);
	g_object_unref(s);
}

static void check_type(GMimeObject *o, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	assert_string_equal(g_mime_content_type_get_media_type(ct), type);
	assert_string_equal(g_mime_content_type_get_media_subtype(ct), subtype);
}

/* o is a text/<subtype>; charset=utf-8 part whose content is want
 * (with CRLF line ends). */
static void check_text(GMimeObject *o, const char *subtype, const char *want)
{
	struct buf got = BUF_INIT;
	check_type(o, "text", subtype);
	assert_string_equal(g_mime_object_get_content_type_parameter(o, "charset"), "utf-8");
	content_of(o, &got);
	assert_string_equal(got.s, want);
	buf_release(&got);
}

static struct mail_address jane = {"Jane Doe", "jane@example.com"};

/* A reasonable agent reply: every field set. */
static struct outbound_mail base_mail(void)
{
	static const char *const refs[] = {"first@client.example", "second@client.example"};
	struct outbound_mail m = {
	    .from_name = "Sonnim Support",
	    .from_email = "support@example.com",
	    .to = &jane,
	    .nto = 1,
	    .subject = "Re: [#45] Printer",
	    .message_id = "t45.c123@example.com",
	    .in_reply_to = "second@client.example",
	    .references = refs,
	    .nreferences = 2,
	    .text = "Hello Jane,\nplease restart the printer.\n",
	    .date = 1709614980, /* 2024-03-05T05:03:00Z */
	    .ticket_header = "45",
	};
	return m;
}

static void compose_ok(const struct outbound_mail *m, struct buf *out)
{
	char err[200] = "";
	int rc = mail_compose(m, out, err, sizeof(err));
	if (rc) {
		print_error("mail_compose: %s\n", err);
		fail();
	}
	wire_ok(out);
}

/* ---- tests ---- */

static void test_plain_reply(void **state)
{
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	compose_ok(&m, &out);

	GMimeMessage *msg = parse(&out);
	check_mailbox(g_mime_message_get_from(msg), 0, "Sonnim Support", "support@example.com");
	assert_int_equal(internet_address_list_length(g_mime_message_get_from(msg)), 1);
	check_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), 0, "Jane Doe",
		      "jane@example.com");
	assert_int_equal(
	    internet_address_list_length(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC)),
	    0);
	assert_int_equal(internet_address_list_length(g_mime_message_get_reply_to(msg)), 0);
	assert_string_equal(g_mime_message_get_subject(msg), "Re: [#45] Printer");
	assert_string_equal(g_mime_message_get_message_id(msg), "t45.c123@example.com");
	assert_string_equal(header(msg, "Message-Id"), "<t45.c123@example.com>");
	assert_string_equal(header(msg, "In-Reply-To"), "<second@client.example>");
	GMimeReferences *refs = g_mime_references_parse(NULL, header(msg, "References"));
	assert_int_equal(g_mime_references_length(refs), 2);
	assert_string_equal(g_mime_references_get_message_id(refs, 0), "first@client.example");
	assert_string_equal(g_mime_references_get_message_id(refs, 1), "second@client.example");
	g_mime_references_free(refs);
	GDateTime *d = g_mime_message_get_date(msg);
	assert_non_null(d);
	assert_int_equal(g_date_time_to_unix(d), 1709614980);
	assert_string_equal(header(msg, "X-Sonnim-Ticket-Id"), "45");
	assert_string_equal(header(msg, "MIME-Version"), "1.0");
	/* an agent's reply is not auto-generated */
	assert_null(header(msg, "Auto-Submitted"));
	assert_null(header(msg, "X-Auto-Response-Suppress"));
	assert_null(header(msg, "Precedence"));
	assert_null(header(msg, "Bcc"));

	GMimeObject *body = g_mime_message_get_mime_part(msg);
	check_text(body, "plain", "Hello Jane,\r\nplease restart the printer.\r\n");
	/* 7bit: GMime writes no Content-Transfer-Encoding for it */
	assert_true(g_mime_part_get_content_encoding(GMIME_PART(body)) <=
		    GMIME_CONTENT_ENCODING_7BIT);
	g_object_unref(msg);
	buf_release(&out);
}

static void test_auto_generated(void **state)
{
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	m.auto_generated = 1;
	m.reply_to = "reply+45@example.com";
	m.in_reply_to = NULL;
	m.references = NULL;
	m.nreferences = 0;
	m.ticket_header = NULL;
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	assert_string_equal(header(msg, "Auto-Submitted"), "auto-generated");
	assert_string_equal(header(msg, "X-Auto-Response-Suppress"), "All");
	assert_null(header(msg, "Precedence"));
	assert_null(header(msg, "In-Reply-To"));
	assert_null(header(msg, "References"));
	assert_null(header(msg, "X-Sonnim-Ticket-Id"));
	check_mailbox(g_mime_message_get_reply_to(msg), 0, NULL, "reply+45@example.com");
	g_object_unref(msg);
	buf_release(&out);
}

static void test_korean_round_trip(void **state)
{
	struct mail_address to[] = {{"홍길동", "hong@example.co.kr"}, {NULL, "kim@example.co.kr"}};
	struct mail_address cc[] = {{"김철수 (팀장)", "boss@example.co.kr"}};
	static const unsigned char pdf[] = "%PDF-1.4 fake";
	struct outbound_attachment att = {"견적서 2024년 3월.pdf", "application/pdf", pdf,
					  sizeof(pdf) - 1};
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT, got = BUF_INIT;
	m.from_name = "손님 고객센터";
	m.to = to;
	m.nto = 2;
	m.cc = cc;
	m.ncc = 1;
	m.subject = "Re: [#45] 프린터가 고장났어요 — 출력이 안 됩니다";
	m.text = "안녕하세요 홍길동님,\n프린터를 재부팅해 주세요.\n";
	m.attachments = &att;
	m.nattachments = 1;
	compose_ok(&m, &out);

	/* the raw header block holds no 8-bit text (wire_ok) but encoded words */
	char *head = head_of(&out);
	assert_non_null(strstr(head, "=?"));
	assert_non_null(strstr(out.s, "filename*=UTF-8''"));
	free(head);

	GMimeMessage *msg = parse(&out);
	check_mailbox(g_mime_message_get_from(msg), 0, "손님 고객센터", "support@example.com");
	InternetAddressList *tl = g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO);
	assert_int_equal(internet_address_list_length(tl), 2);
	check_mailbox(tl, 0, "홍길동", "hong@example.co.kr");
	check_mailbox(tl, 1, NULL, "kim@example.co.kr");
	check_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC), 0, "김철수 (팀장)",
		      "boss@example.co.kr");
	assert_string_equal(g_mime_message_get_subject(msg),
			    "Re: [#45] 프린터가 고장났어요 — 출력이 안 됩니다");

	GMimeObject *body = g_mime_message_get_mime_part(msg);
	check_type(body, "multipart", "mixed");
	GMimeMultipart *mp = GMIME_MULTIPART(body);
	assert_int_equal(g_mime_multipart_get_count(mp), 2);
	GMimeObject *text = g_mime_multipart_get_part(mp, 0);
	check_text(text, "plain", "안녕하세요 홍길동님,\r\n프린터를 재부팅해 주세요.\r\n");
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(text)),
			 GMIME_CONTENT_ENCODING_BASE64);
	GMimeObject *a = g_mime_multipart_get_part(mp, 1);
	check_type(a, "application", "pdf");
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(a)), "견적서 2024년 3월.pdf");
	assert_true(g_mime_part_is_attachment(GMIME_PART(a)));
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(a)),
			 GMIME_CONTENT_ENCODING_BASE64);
	content_of(a, &got);
	assert_int_equal(got.len, sizeof(pdf) - 1);
	assert_memory_equal(got.s, pdf, got.len);
	buf_release(&got);
	g_object_unref(msg);
	buf_release(&out);
}

static void test_alternative(void **state)
{
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	m.text = "Hello\n\nBye";
	m.html = "<p>Hello</p>\n<p>Bye = <b>ok</b></p>";
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	check_type(body, "multipart", "alternative");
	GMimeMultipart *mp = GMIME_MULTIPART(body);
	assert_int_equal(g_mime_multipart_get_count(mp), 2);
	check_text(g_mime_multipart_get_part(mp, 0), "plain", "Hello\r\n\r\nBye");
	check_text(g_mime_multipart_get_part(mp, 1), "html",
		   "<p>Hello</p>\r\n<p>Bye = <b>ok</b></p>");
	g_object_unref(msg);
	buf_release(&out);
}

static void test_alternative_with_attachments(void **state)
{
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0, 0, 0xff, '\r', '\n', 0x1a};
	struct outbound_attachment atts[] = {
	    {"photo.png", "image/PNG; name=x.png", png, sizeof(png)},
	    {NULL, NULL, NULL, 0},			/* defaults */
	    {"../../etc/passwd", "not a type", png, 3}, /* path and bad type */
	    {"notes.txt", "text/plain", (const unsigned char *)"plain\nlines\n", 12},
	};
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT, got = BUF_INIT;
	m.html = "<p>Hi</p>";
	m.attachments = atts;
	m.nattachments = 4;
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	GMimeMultipart *mixed = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	check_type(GMIME_OBJECT(mixed), "multipart", "mixed");
	assert_int_equal(g_mime_multipart_get_count(mixed), 5);
	GMimeObject *alt = g_mime_multipart_get_part(mixed, 0);
	check_type(alt, "multipart", "alternative");
	check_text(g_mime_multipart_get_part(GMIME_MULTIPART(alt), 1), "html", "<p>Hi</p>");

	GMimeObject *a = g_mime_multipart_get_part(mixed, 1);
	check_type(a, "image", "png");
	assert_null(g_mime_object_get_content_type_parameter(a, "charset"));
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(a)), "photo.png");
	content_of(a, &got);
	assert_int_equal(got.len, sizeof(png));
	assert_memory_equal(got.s, png, sizeof(png));
	buf_reset(&got);

	a = g_mime_multipart_get_part(mixed, 2);
	check_type(a, "application", "octet-stream");
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(a)), "attachment");
	content_of(a, &got);
	assert_int_equal(got.len, 0);

	a = g_mime_multipart_get_part(mixed, 3);
	check_type(a, "application", "octet-stream");
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(a)), ".._.._etc_passwd");

	/* a text attachment keeps its bytes exactly (base64, LF not rewritten) */
	a = g_mime_multipart_get_part(mixed, 4);
	check_type(a, "text", "plain");
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(a)),
			 GMIME_CONTENT_ENCODING_BASE64);
	buf_reset(&got);
	content_of(a, &got);
	assert_string_equal(got.s, "plain\nlines\n");
	buf_release(&got);
	g_object_unref(msg);
	buf_release(&out);
}

static void test_line_ends_normalised(void **state)
{
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	m.text = "a\r\nb\nc\rd\r\n\r\ne";
	m.html = "<p>x</p>\r<p>y</p>\n";
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	GMimeMultipart *mp = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	check_text(g_mime_multipart_get_part(mp, 0), "plain", "a\r\nb\r\nc\r\nd\r\n\r\ne");
	check_text(g_mime_multipart_get_part(mp, 1), "html", "<p>x</p>\r\n<p>y</p>\r\n");
	g_object_unref(msg);
	buf_release(&out);
}

static void test_long_lines(void **state)
{
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT, text = BUF_INIT, subj = BUF_INIT, want = BUF_INIT;
	for (int i = 0; i < 5000; i++)
		buf_addc(&text, 'x');
	buf_adds(&text, "\n");
	for (int i = 0; i < 300; i++)
		buf_adds(&subj, i % 2 ? "가" : "ab");
	for (int i = 0; i < 3000; i++)
		buf_addc(&subj, 'z'); /* one long word */
	m.text = text.s;
	m.subject = subj.s;
	compose_ok(&m, &out); /* no line over 998 */
	GMimeMessage *msg = parse(&out);
	assert_string_equal(g_mime_message_get_subject(msg), subj.s);
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(body)),
			 GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	buf_add(&want, text.s, text.len - 1);
	buf_adds(&want, "\r\n");
	check_text(body, "plain", want.s);
	g_object_unref(msg);
	buf_release(&out);
	buf_release(&text);
	buf_release(&subj);
	buf_release(&want);
}

static void test_many_references(void **state)
{
	char ids[30][32];
	const char *refs[31];
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	for (int i = 0; i < 30; i++) {
		snprintf(ids[i], sizeof(ids[i]), "<id%d@client.example>", i);
		refs[i] = ids[i];
	}
	refs[30] = "not a msg-id\r\nBcc: x@y.z"; /* skipped */
	m.references = refs;
	m.nreferences = 31;
	m.in_reply_to = "bad id>";
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	assert_null(header(msg, "In-Reply-To"));
	assert_null(header(msg, "Bcc"));
	GMimeReferences *r = g_mime_references_parse(NULL, header(msg, "References"));
	assert_int_equal(g_mime_references_length(r), MAIL_MAX_REFERENCES);
	assert_string_equal(g_mime_references_get_message_id(r, 0), "id0@client.example");
	assert_string_equal(g_mime_references_get_message_id(r, 1), "id11@client.example");
	assert_string_equal(g_mime_references_get_message_id(r, MAIL_MAX_REFERENCES - 1),
			    "id29@client.example");
	g_mime_references_free(r);
	g_object_unref(msg);
	buf_release(&out);
}

/* Longest line of the header block of b. */
static size_t longest_header_line(const struct buf *b)
{
	char *head = head_of(b);
	size_t max = 0;
	for (const char *p = head; *p;) {
		size_t n = strcspn(p, "\r");
		if (n > max)
			max = n;
		p += n;
		p += *p ? 2 : 0;
	}
	free(head);
	return max;
}

/* Subjects and names of every mix of 1-4 byte characters, spaces and
 * encoded-word look-alikes come back exactly through GMime's decoder
 * (which joins adjacent B words before decoding, so a padded word in the
 * middle would lose text), with header lines folded under 78 octets. */
static void test_encoded_words_round_trip(void **state)
{
	static const char *const pool[] = {"a", "Z",  " ",  "é", "한", "글", "😀", "=?", "?=",
					   "_", "\"", "\\", ",", "<",  "1",  ".", "ß",	"—"};
	uint64_t x = 12345;
	for (int round = 0; round < 300; round++) {
		struct buf subj = BUF_INIT, name = BUF_INIT, out = BUF_INIT;
		int len = 1 + round % 120;
		for (int i = 0; i < len; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			const char *piece = pool[(x >> 33) % ARRAY_SIZE(pool)];
			buf_adds(&subj, piece);
			if (i < len / 2)
				buf_adds(&name, piece);
		}
		/* what clean_text makes of it: single spaces, none at the ends */
		struct buf want = BUF_INIT, wantn = BUF_INIT;
		const struct buf *src[2] = {&subj, &name};
		struct buf *dst[2] = {&want, &wantn};
		for (int k = 0; k < 2; k++)
			for (const char *p = src[k]->s; *p; p++)
				if (*p != ' ' || (dst[k]->len && p[1] && p[1] != ' '))
					buf_addc(dst[k], *p);
		struct mail_address to = {name.s, "jane@example.com"};
		struct outbound_mail m = base_mail();
		m.subject = subj.s;
		m.to = &to;
		compose_ok(&m, &out);
		assert_true(longest_header_line(&out) <= 78);
		GMimeMessage *msg = parse(&out);
		const char *got = g_mime_message_get_subject(msg);
		if (strcmp(got ? got : "", want.s)) {
			print_error("subject [%s]\n   came back [%s]\n%s\n", want.s, got, out.s);
			fail();
		}
		if (wantn.len)
			check_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), 0,
				      wantn.s, "jane@example.com");
		g_object_unref(msg);
		buf_release(&subj);
		buf_release(&name);
		buf_release(&want);
		buf_release(&wantn);
		buf_release(&out);
	}
}

static void test_invalid_utf8_and_controls(void **state)
{
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	m.subject =
	    "bad \xff\xfe byte \xed\xa0\x80 surrogate \xc0\xaf overlong\t\x01\x7f end \xe2\x82";
	m.from_name = "\x1b[31mred\x1b[0m";
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	assert_string_equal(
	    g_mime_message_get_subject(msg),
	    "bad \xEF\xBF\xBD\xEF\xBF\xBD byte \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
	    "surrogate \xEF\xBF\xBD\xEF\xBF\xBD overlong end \xEF\xBF\xBD\xEF\xBF\xBD");
	check_mailbox(g_mime_message_get_from(msg), 0, "[31mred [0m", "support@example.com");
	g_object_unref(msg);
	buf_release(&out);

	/* a subject of 100000 bytes is cut at 4000, on a character boundary */
	struct buf big = BUF_INIT;
	for (int i = 0; i < 33333; i++)
		buf_adds(&big, "한");
	m = base_mail();
	m.subject = big.s;
	compose_ok(&m, &out);
	msg = parse(&out);
	assert_int_equal(strlen(g_mime_message_get_subject(msg)), 3999);
	assert_memory_equal(g_mime_message_get_subject(msg), big.s, 3999);
	g_object_unref(msg);
	buf_release(&out);
	buf_release(&big);
}

/* No header line of raw starts with name (the injected one). */
static void no_header_line(const struct buf *b, const char *name)
{
	char *head = head_of(b);
	size_t n = strlen(name);
	for (const char *p = head; p; p = strstr(p, "\r\n")) {
		if (*p == '\r')
			p += 2;
		if (!strncasecmp(p, name, n)) {
			print_error("injected %s in:\n%s\n", name, head);
			fail();
		}
	}
	free(head);
}

static void test_injection_text_fields(void **state)
{
	struct mail_address to = {"Jane\r\nBcc: evil@attacker.example", "jane@example.com"};
	struct outbound_attachment att = {"a.txt\r\nContent-Type: text/html\r\n\r\n<script>",
					  "text/plain\r\nX-Evil: 1", (const unsigned char *)"x", 1};
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	m.from_name = "Support\nBcc: evil@attacker.example";
	m.to = &to;
	m.subject = "Hello\r\nBcc: evil@attacker.example\r\n\r\nbody injected";
	m.ticket_header = "45\r\nX-Evil: 1";
	m.attachments = &att;
	m.nattachments = 1;
	compose_ok(&m, &out);
	no_header_line(&out, "Bcc:");
	no_header_line(&out, "X-Evil:");
	assert_null(strstr(out.s, "\r\nX-Evil"));
	assert_null(strstr(out.s, "\r\nContent-Type: text/html"));

	GMimeMessage *msg = parse(&out);
	assert_null(header(msg, "Bcc"));
	assert_null(header(msg, "X-Evil"));
	assert_string_equal(g_mime_message_get_subject(msg),
			    "Hello Bcc: evil@attacker.example body injected");
	check_mailbox(g_mime_message_get_from(msg), 0, "Support Bcc: evil@attacker.example",
		      "support@example.com");
	InternetAddressList *tl = g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO);
	assert_int_equal(internet_address_list_length(tl), 1);
	check_mailbox(tl, 0, "Jane Bcc: evil@attacker.example", "jane@example.com");
	assert_int_equal(
	    internet_address_list_length(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_BCC)),
	    0);
	assert_string_equal(header(msg, "X-Sonnim-Ticket-Id"), "45 X-Evil: 1");
	GMimeMultipart *mp = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	assert_int_equal(g_mime_multipart_get_count(mp), 2);
	GMimeObject *a = g_mime_multipart_get_part(mp, 1);
	check_type(a, "application", "octet-stream");
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(a)),
			    "a.txt Content-Type: text_html <script>");
	g_object_unref(msg);
	buf_release(&out);
}

static void test_injection_addresses_refused(void **state)
{
	static const char *bad[] = {
	    "jane@example.com\r\nBcc: evil@attacker.example",
	    "jane@example.com, evil@attacker.example",
	    "Jane <jane@example.com>",
	    "jane doe@example.com",
	    "jane@exa\tmple.com",
	    "janeexample.com",
	    "@example.com",
	    "jane@",
	    "jane@@example.com",
	    "jane@example.com.",
	    "\"jane\"@example.com",
	    "홍길동@example.com",
	    "",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		for (int field = 0; field < 4; field++) {
			struct mail_address addr = {"X", (char *)bad[i]};
			struct outbound_mail m = base_mail();
			struct buf out = BUF_INIT;
			char err[200] = "";
			buf_adds(&out, "kept");
			if (field == 0)
				m.from_email = bad[i];
			else if (field == 1)
				m.reply_to = bad[i];
			else if (field == 2)
				m.to = &addr;
			else
				m.cc = &addr, m.ncc = 1;
			assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
			if (!*bad[i] && field == 0)
				assert_string_equal(err, "missing from address");
			else
				assert_non_null(strstr(err, "invalid address \""));
			assert_string_equal(out.s, "kept");
			buf_release(&out);
		}
	}
}

static void test_injection_message_id_refused(void **state)
{
	static const char *bad[] = {
	    "t45.c123@example.com>\r\nBcc: evil@attacker.example",
	    "t45 c123@example.com",
	    "<t45.c123@example.com",
	    "no-at-sign",
	    "two@at@signs",
	    "@example.com",
	    "",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct outbound_mail m = base_mail();
		struct buf out = BUF_INIT;
		char err[200] = "";
		m.message_id = bad[i];
		assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "invalid message-id"));
		assert_int_equal(out.len, 0);
	}
	/* <> around our own id are tolerated */
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	m.message_id = "<t45.c123@example.com>";
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	assert_string_equal(header(msg, "Message-Id"), "<t45.c123@example.com>");
	g_object_unref(msg);
	buf_release(&out);
}

static void test_failures_leave_out_unchanged(void **state)
{
	struct outbound_mail m;
	struct buf out;
	char err[200];

	m = base_mail();
	m.from_email = NULL;
	buf_init(&out, 0);
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "missing from address");

	m = base_mail();
	m.nto = 0;
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "no recipients");

	m = base_mail();
	m.to = NULL;
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "no recipients");

	m = base_mail();
	m.text = NULL;
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "missing text");

	m = base_mail();
	m.message_id = NULL;
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid message-id \"(null)\"");

	struct outbound_attachment nodata = {"a", "text/plain", NULL, 5};
	m = base_mail();
	m.attachments = &nodata;
	m.nattachments = 1;
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "attachment 0 has no data");
	assert_int_equal(out.len, 0);

	/* the cap on out: nothing half-written, what was there stays */
	buf_init(&out, 300);
	buf_adds(&out, "previous");
	m = base_mail();
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "message too large");
	assert_string_equal(out.s, "previous");
	/* NULL err is fine */
	assert_int_equal(mail_compose(&m, &out, NULL, 0), -1);
	buf_release(&out);

	/* appends after what is there */
	buf_init(&out, 0);
	buf_adds(&out, "X");
	m = base_mail();
	assert_int_equal(mail_compose(&m, &out, err, sizeof(err)), 0);
	assert_int_equal(out.s[0], 'X');
	assert_int_not_equal(out.s[1], 'X');
	buf_release(&out);
}

static void test_cc_only_and_empty_subject(void **state)
{
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT;
	m.to = NULL;
	m.nto = 0;
	m.cc = &jane;
	m.ncc = 1;
	m.subject = NULL;
	m.from_name = " \r\n ";
	m.date = 0; /* now */
	int64_t before = now_seconds();
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	check_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC), 0, "Jane Doe",
		      "jane@example.com");
	check_mailbox(g_mime_message_get_from(msg), 0, NULL, "support@example.com");
	const char *subj = g_mime_message_get_subject(msg);
	assert_true(!subj || !*subj);
	int64_t t = g_date_time_to_unix(g_mime_message_get_date(msg));
	assert_true(t >= before && t <= now_seconds());
	g_object_unref(msg);
	buf_release(&out);
}

/* A deterministic pseudo-random byte stream (xorshift). */
static void fill_random(unsigned char *p, size_t n)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)x;
	}
}

static void test_ten_megabytes(void **state)
{
	size_t n = 10u << 20;
	unsigned char *data = xmalloc(n);
	fill_random(data, n);
	struct outbound_attachment att = {"big.bin", "application/octet-stream", data, n};
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT, got = BUF_INIT;
	m.attachments = &att;
	m.nattachments = 1;
	compose_ok(&m, &out);
	assert_true(out.len > n * 4 / 3);
	GMimeMessage *msg = parse(&out);
	GMimeMultipart *mp = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	GMimeObject *a = g_mime_multipart_get_part(mp, 1);
	assert_string_equal(g_mime_part_get_filename(GMIME_PART(a)), "big.bin");
	content_of(a, &got);
	assert_int_equal(got.len, n);
	assert_memory_equal(got.s, data, n);
	buf_release(&got);
	g_object_unref(msg);
	buf_release(&out);
	free(data);
}

static void test_message_id_round_trip(void **state)
{
	struct buf id = BUF_INIT;
	int64_t t = 0, c = -1;

	mail_message_id(&id, 45, 123, "support.example.com");
	assert_string_equal(id.s, "t45.c123@support.example.com");
	assert_int_equal(mail_parse_message_id(id.s, "support.example.com", &t, &c), 0);
	assert_int_equal(t, 45);
	assert_int_equal(c, 123);
	/* stable: the same arguments, the same id */
	struct buf again = BUF_INIT;
	mail_message_id(&again, 45, 123, "support.example.com");
	assert_string_equal(again.s, id.s);
	buf_release(&again);

	/* <>, case of the domain, NULL domain, NULL out-pointers */
	assert_int_equal(
	    mail_parse_message_id("<t45.c123@Support.Example.COM>", "support.example.com", &t, &c),
	    0);
	assert_int_equal(mail_parse_message_id(" <t7.c0@x.example> ", NULL, &t, &c), 0);
	assert_int_equal(t, 7);
	assert_int_equal(c, 0);
	assert_int_equal(mail_parse_message_id("t7.c1@x.example", NULL, NULL, NULL), 0);

	/* the extremes */
	buf_reset(&id);
	mail_message_id(&id, INT64_MAX, INT64_MAX, "a.example");
	assert_int_equal(mail_parse_message_id(id.s, "a.example", &t, &c), 0);
	assert_true(t == INT64_MAX && c == INT64_MAX);

	/* the domain is cleaned the same way on both sides */
	buf_reset(&id);
	mail_message_id(&id, 1, 2, "Bad Domain\r\n.example>");
	assert_string_equal(id.s, "t1.c2@baddomain.example");
	assert_int_equal(mail_parse_message_id(id.s, "Bad Domain\r\n.example>", &t, &c), 0);
	buf_reset(&id);
	mail_message_id(&id, 1, 2, NULL);
	assert_string_equal(id.s, "t1.c2@sonnim.invalid");
	buf_reset(&id);
	mail_message_id(&id, 1, 2, "한국.kr");
	assert_string_equal(id.s, "t1.c2@kr");
	buf_release(&id);

	/* and it goes through mail_compose and GMime unchanged */
	struct outbound_mail m = base_mail();
	struct buf out = BUF_INIT, mid = BUF_INIT;
	mail_message_id(&mid, 45, 123, "example.com");
	m.message_id = mid.s;
	compose_ok(&m, &out);
	GMimeMessage *msg = parse(&out);
	assert_int_equal(
	    mail_parse_message_id(g_mime_message_get_message_id(msg), "example.com", &t, &c), 0);
	assert_true(t == 45 && c == 123);
	g_object_unref(msg);
	buf_release(&out);
	buf_release(&mid);
}

static void test_message_id_not_ours(void **state)
{
	static const char *other[] = {
	    "CAF=abc123@mail.gmail.com",
	    "t45.c123@other.example",
	    "t45.c123@support.example.com.evil.example",
	    "t45.c123@example.com", /* a parent domain is not ours */
	    "t0.c1@support.example.com",
	    "t045.c1@support.example.com",
	    "t45.c01@support.example.com",
	    "t-45.c1@support.example.com",
	    "t45.c-1@support.example.com",
	    "t45c1@support.example.com",
	    "t45.c@support.example.com",
	    "t.c1@support.example.com",
	    "T45.C1@support.example.com",
	    "t45.c1x@support.example.com",
	    "t9223372036854775808.c1@support.example.com",
	    "t1.c9223372036854775808@support.example.com",
	    "t1.c1@",
	    "t1.c1",
	    "<t1.c1@support.example.com",
	    "t1.c1@support.example.com>",
	    "",
	    "<>",
	};
	int64_t t = 99, c = 99;
	for (size_t i = 0; i < ARRAY_SIZE(other); i++) {
		if (mail_parse_message_id(other[i], "support.example.com", &t, &c) != -1) {
			print_error("accepted %s\n", other[i]);
			fail();
		}
	}
	assert_int_equal(mail_parse_message_id(NULL, "support.example.com", &t, &c), -1);
	assert_true(t == 99 && c == 99); /* untouched on failure */
}

int main(void)
{
	g_mime_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_reply),
	    cmocka_unit_test(test_auto_generated),
	    cmocka_unit_test(test_korean_round_trip),
	    cmocka_unit_test(test_alternative),
	    cmocka_unit_test(test_alternative_with_attachments),
	    cmocka_unit_test(test_line_ends_normalised),
	    cmocka_unit_test(test_long_lines),
	    cmocka_unit_test(test_many_references),
	    cmocka_unit_test(test_encoded_words_round_trip),
	    cmocka_unit_test(test_invalid_utf8_and_controls),
	    cmocka_unit_test(test_injection_text_fields),
	    cmocka_unit_test(test_injection_addresses_refused),
	    cmocka_unit_test(test_injection_message_id_refused),
	    cmocka_unit_test(test_failures_leave_out_unchanged),
	    cmocka_unit_test(test_cc_only_and_empty_subject),
	    cmocka_unit_test(test_ten_megabytes),
	    cmocka_unit_test(test_message_id_round_trip),
	    cmocka_unit_test(test_message_id_not_ours),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
