/* test_filetype.c - upload file names, content sniffing and how files are
 * served (core/filetype.h).
 *
 * Names: a table of raw ?filename= values (with their exact lengths, NUL
 * bytes included) and the clean name or the error each must give.
 * Sniffing: real magic numbers (PNG, JPEG, GIF, PDF, gzip) and the dangerous
 * text types (HTML, SVG, XML) whatever name or claim comes with them, then
 * the same from 8 threads at once (libmagic is not thread-safe: each thread
 * must get its own handle).  Serving: the allow-list and the
 * Content-Disposition values, quoting and RFC 8187 encoding included.
 */
#include "base/buf.h"
#include "base/util.h"
#include "core/filetype.h"
#include "testutil.h"
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define S(lit) lit, sizeof(lit) - 1

static void name_ok(const char *in, size_t len, const char *want)
{
	char out[FILETYPE_NAME_MAX + 1], err[128];
	int rc = filetype_name_clean(in, len, out, sizeof(out), err, sizeof(err));
	if (rc)
		print_error("'%.*s': %s\n", (int)len, in, err);
	assert_int_equal(rc, 0);
	assert_string_equal(out, want);
	assert_string_equal(err, "");
}

static void name_bad(const char *in, size_t len, const char *want_err)
{
	char out[FILETYPE_NAME_MAX + 1], err[128];
	assert_int_equal(filetype_name_clean(in, len, out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(out, "");
	assert_string_equal(err, want_err);
}

static void test_name_clean(void **state)
{
	name_ok(S("a.png"), "a.png");
	name_ok(S("report 2026.pdf"), "report 2026.pdf");
	name_ok(S("사진.jpg"), "사진.jpg");
	name_ok(S("emoji 😀.txt"), "emoji 😀.txt");
	name_ok(S("/etc/passwd"), "passwd");
	name_ok(S("../../x.html"), "x.html");
	name_ok(S("C:\\Users\\kim\\Desktop\\견적서.xlsx"), "견적서.xlsx");
	name_ok(S("  spaced  "), "spaced");
	name_ok(S("dir/  inner space .txt "), "inner space .txt");
	name_ok(S(".htaccess"), ".htaccess");
	name_ok(S("..."), "...");
	name_ok(S("q\"uote'%20.txt"), "q\"uote'%20.txt");
	name_ok(S("\xEF\xBB\xBF"
		  "bom.txt"),
		"\xEF\xBB\xBF"
		"bom.txt"); /* U+FEFF is allowed */

	char long_ok[FILETYPE_NAME_MAX + 1];
	memset(long_ok, 'a', FILETYPE_NAME_MAX);
	long_ok[FILETYPE_NAME_MAX] = '\0';
	name_ok(long_ok, FILETYPE_NAME_MAX, long_ok);
	/* 255 bytes after a long directory part is fine too */
	static char withdir[FILETYPE_NAME_MAX + 300];
	memset(withdir, 'd', 299);
	withdir[299] = '/';
	memcpy(withdir + 300, long_ok, FILETYPE_NAME_MAX);
	name_ok(withdir, sizeof(withdir), long_ok);

	name_bad(NULL, 0, "filename: is required");
	name_bad(S(""), "filename: is required");
	name_bad(S("dir/"), "filename: is empty once directory parts are removed");
	name_bad(S("   "), "filename: is empty once directory parts are removed");
	name_bad(S("a/.."), "filename: must name a file, not a directory");
	name_bad(S("."), "filename: must name a file, not a directory");
	name_bad(S("a\0.html"), "filename: must not contain NUL bytes");
	name_bad(S("dir\0/a.txt"), "filename: must not contain NUL bytes");
	name_bad(S("a\r\nSet-Cookie: x"), "filename: must not contain control characters");
	name_bad(S("tab\t.txt"), "filename: must not contain control characters");
	name_bad(S("del\x7f.txt"), "filename: must not contain control characters");
	name_bad(S("c1\xC2\x85.txt"), "filename: must not contain control characters");
	name_bad(S("\xE2\x80\xAEgpj.exe"), "filename: must not contain control characters");
	name_bad(S("iso\xE2\x81\xA6x.txt"), "filename: must not contain control characters");
	name_bad(S("ls\xE2\x80\xA8.txt"), "filename: must not contain control characters");
	name_bad(S("latin1 \xE9.txt"), "filename: must be valid UTF-8");
	name_bad(S("over\xC0\xAE.txt"), "filename: must be valid UTF-8");
	name_bad(S("over3\xE0\x80\xAE.txt"), "filename: must be valid UTF-8");
	name_bad(S("surrogate\xED\xA0\x80.txt"), "filename: must be valid UTF-8");
	name_bad(S("big\xF4\x90\x80\x80.txt"), "filename: must be valid UTF-8");
	name_bad(S("f5\xF5\x80\x80\x80"), "filename: must be valid UTF-8");
	name_bad(S("cut\xEC\x82"), "filename: must be valid UTF-8");
	name_bad(S("lone\x80"), "filename: must be valid UTF-8");

	char too_long[FILETYPE_NAME_MAX + 2];
	memset(too_long, 'a', sizeof(too_long));
	name_bad(too_long, FILETYPE_NAME_MAX + 1, "filename: is longer than 255 bytes");
	static char huge[FILETYPE_NAME_RAW_MAX + 1];
	memset(huge, '/', sizeof(huge));
	huge[sizeof(huge) - 1] = 'a';
	name_bad(huge, sizeof(huge), "filename: is longer than 255 bytes");

	/* err may be omitted */
	char out[FILETYPE_NAME_MAX + 1];
	assert_int_equal(filetype_name_clean(S(""), out, sizeof(out), NULL, 0), -1);
}

static const unsigned char png[] = {
	0x89, 'P',  'N',  'G',  0x0d, 0x0a, 0x1a, 0x0a, 0,    0,    0,    0x0d, 'I',  'H',  'D',
	'R',  0,    0,    0,    1,    0,    0,    0,    1,    8,    2,    0,    0,    0,    0x90,
	0x77, 0x53, 0xde, 0,    0,    0,    0,    'I',  'E',  'N',  'D',  0xae, 0x42, 0x60, 0x82,
};

static void sniff_is(const void *data, size_t len, const char *want)
{
	char t[128];
	filetype_sniff(data, len, t, sizeof(t));
	assert_string_equal(t, want);
}

static void test_sniff(void **state)
{
	static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F',
					     'I',  'F',	 0,    1,    1, 0,    0,   1};
	sniff_is(png, sizeof(png), "image/png");
	sniff_is(jpeg, sizeof(jpeg), "image/jpeg");
	sniff_is(S("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "image/gif");
	sniff_is(S("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), "application/pdf");
	sniff_is(S("<!DOCTYPE html><html><head><title>x</title></head>"
		   "<body><script>alert(1)</script></body></html>\n"),
		 "text/html");
	sniff_is(S("<html><script>alert(document.cookie)</script></html>"), "text/html");
	sniff_is(S("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">"
		   "<script>alert(1)</script></svg>\n"),
		 "image/svg+xml");
	sniff_is(S("<?xml version=\"1.0\"?>\n<note><to>x</to></note>\n"), "text/xml");
	sniff_is(S("just some words\nin two lines\n"), "text/plain");
	sniff_is(S("배송 지연 문의입니다.\n"), "text/plain");
	sniff_is(S("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00"
		   "\x86\xa6\x10\x36\x05\x00\x00\x00"),
		 "application/gzip");
	sniff_is("", 0, "application/octet-stream");
	/* a buffer too small for the answer gives the safe default */
	char t[6];
	filetype_sniff(png, sizeof(png), t, sizeof(t));
	assert_string_equal(t, "appli");
}

struct sniffer {
	pthread_t th;
	atomic_int bad;
};

static void *sniff_main(void *p)
{
	struct sniffer *s = p;
	for (int i = 0; i < 200; i++) {
		char t[128];
		filetype_sniff(png, sizeof(png), t, sizeof(t));
		if (strcmp(t, "image/png"))
			atomic_fetch_add(&s->bad, 1);
		filetype_sniff(S("<html><body>hi</body></html>"), t, sizeof(t));
		if (strcmp(t, "text/html"))
			atomic_fetch_add(&s->bad, 1);
	}
	return NULL;
}

static void test_sniff_threads(void **state)
{
	struct sniffer s[8];
	for (int i = 0; i < 8; i++) {
		atomic_init(&s[i].bad, 0);
		assert_int_equal(pthread_create(&s[i].th, NULL, sniff_main, &s[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(s[i].th, NULL);
		assert_int_equal(atomic_load(&s[i].bad), 0);
	}
}

static void serve_is(const char *mime, const char *ctype, int inline_ok)
{
	struct filetype_serve sv;
	filetype_serve(mime, &sv);
	assert_string_equal(sv.content_type, ctype);
	assert_int_equal(sv.inline_ok, inline_ok);
}

static void test_serve(void **state)
{
	serve_is("image/png", "image/png", 1);
	serve_is("image/jpeg", "image/jpeg", 1);
	serve_is("text/plain", "text/plain", 1);
	serve_is("video/mp4", "video/mp4", 1);
	static const char *const download[] = {
	    "text/html",
	    "image/svg+xml",
	    "text/xml",
	    "application/xml",
	    "application/xhtml+xml",
	    "application/pdf",
	    "text/javascript",
	    "text/css",
	    "application/zip",
	    "application/octet-stream",
	    "image/png; charset=x",
	    "IMAGE/PNG",
	    "",
	};
	for (size_t i = 0; i < ARRAY_SIZE(download); i++)
		serve_is(download[i], "application/octet-stream", 0);
	serve_is(NULL, "application/octet-stream", 0);
}

static void disposition_is(int inline_ok, const char *name, const char *want)
{
	struct buf b = BUF_INIT;
	filetype_disposition(&b, inline_ok, name);
	assert_string_equal(b.s, want);
	buf_release(&b);
}

static void test_disposition(void **state)
{
	disposition_is(1, "a.png", "inline; filename=\"a.png\"; filename*=UTF-8''a.png");
	disposition_is(0, "my report.pdf",
		       "attachment; filename=\"my report.pdf\"; filename*=UTF-8''my%20report.pdf");
	disposition_is(0, "사진.png",
		       "attachment; filename=\"__.png\"; filename*=UTF-8''%EC%82%AC%EC%A7%84.png");
	disposition_is(0, "q\"u\\o%te';.txt",
		       "attachment; filename=\"q_u_o_te';.txt\"; "
		       "filename*=UTF-8''q%22u%5Co%25te%27%3B.txt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_clean),	  cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_sniff_threads), cmocka_unit_test(test_serve),
	    cmocka_unit_test(test_disposition),
	};
	return cmocka_run_group_tests_name("core/filetype", tests, NULL, NULL);
}
