/* test_multipart.c - multipart/form-data bodies (core/multipart.h). */
#include "core/multipart.h"
#include "testutil.h"
#include <string.h>

static void test_form(void **state)
{
	const char *ct = "multipart/form-data; boundary=----WebKitFormBoundaryABC";
	const char body[] = "------WebKitFormBoundaryABC\r\n"
			    "Content-Disposition: form-data; name=\"subject\"\r\n\r\n"
			    "Printer \"broken\"\r\n"
			    "------WebKitFormBoundaryABC\r\n"
			    "Content-Disposition: form-data; name=\"attachment\"; filename=\"log.txt\"\r\n"
			    "Content-Type: text/plain\r\n\r\n"
			    "line 1\r\nline 2\r\n\r\n"
			    "------WebKitFormBoundaryABC\r\n"
			    "Content-Disposition: form-data; name=\"attachment\"; filename=\"\"\r\n"
			    "Content-Type: application/octet-stream\r\n\r\n"
			    "\r\n"
			    "------WebKitFormBoundaryABC--\r\n";
	struct multipart_part p[8];
	int n;
	assert_int_equal(multipart_parse(ct, body, sizeof(body) - 1, p, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(p[0].name, "subject");
	assert_false(p[0].is_file);
	assert_int_equal(p[0].len, 16);
	assert_memory_equal(p[0].data, "Printer \"broken\"", 16);
	assert_string_equal(p[1].name, "attachment");
	assert_string_equal(p[1].filename, "log.txt");
	assert_true(p[1].is_file);
	assert_string_equal(p[1].content_type, "text/plain");
	assert_int_equal(p[1].len, strlen("line 1\r\nline 2\r\n"));
	assert_true(p[2].is_file);
	assert_string_equal(p[2].filename, "");
	assert_int_equal(p[2].len, 0);
	/* too many parts for the array */
	assert_int_equal(multipart_parse(ct, body, sizeof(body) - 1, p, 2, &n), -1);
}

static void test_variants_and_refusals(void **state)
{
	struct multipart_part p[4];
	int n;
	const char lf[] = "preamble\n--b\nContent-Disposition: form-data; name=x\n\nvalue\n--b--\n";
	assert_int_equal(multipart_parse("multipart/form-data; boundary=\"b\"", lf, sizeof(lf) - 1,
					 p, 4, &n),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].name, "x");
	assert_int_equal(p[0].len, 5);
	assert_true(multipart_is_form(" multipart/form-data;boundary=x"));
	assert_false(multipart_is_form("multipart/form-datax"));
	assert_false(multipart_is_form("application/x-www-form-urlencoded"));
	assert_false(multipart_is_form(NULL));
	/* no boundary, no delimiter, no name, headers never end */
	assert_int_equal(multipart_parse("multipart/form-data", lf, sizeof(lf) - 1, p, 4, &n), -1);
	assert_int_equal(multipart_parse("multipart/form-data; boundary=zz", lf, sizeof(lf) - 1,
					 p, 4, &n),
			 -1);
	const char noname[] = "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--";
	assert_int_equal(multipart_parse("multipart/form-data; boundary=b", noname,
					 sizeof(noname) - 1, p, 4, &n),
			 -1);
	const char open[] = "--b\r\nContent-Disposition: form-data; name=a\r\n";
	assert_int_equal(multipart_parse("multipart/form-data; boundary=b", open, sizeof(open) - 1,
					 p, 4, &n),
			 -1);
	/* a body cut short: the data runs to its end */
	const char cut[] = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nabc";
	assert_int_equal(multipart_parse("multipart/form-data; boundary=b", cut, sizeof(cut) - 1,
					 p, 4, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].len, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_form),
	    cmocka_unit_test(test_variants_and_refusals),
	};
	return cmocka_run_group_tests_name("core/multipart", tests, NULL, NULL);
}
