/* test_field.c - core ticket field rules: definitions (field_check), value
 * checks and their canonical form per type (field_value_check), the tags a
 * value implies (field_value_tags), Ruby-style patterns, and copies. */
#include "core/field.h"
#include "testutil.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A field of type with title; options "name=value" pairs (NULL-ended). */
static void make(struct field *f, const char *type, const char *title, const char *const *opts)
{
	memset(f, 0, sizeof(*f));
	f->id = 42;
	f->type = type ? strdup(type) : NULL;
	f->title = title ? strdup(title) : NULL;
	f->active = 1;
	for (size_t i = 0; opts && opts[i]; i += 2)
		field_option_add(f, 0, opts[i], opts[i + 1], 0);
}

/* Check value against f: returns the canonical JSON (owned) or NULL with
 * err filled. */
static char *check(const struct field *f, const char *value, char *err)
{
	char *norm = NULL;
	err[0] = '\0';
	if (field_value_check(f, value, &norm, err, 256)) {
		assert_null(norm);
		assert_true(err[0] != '\0');
		return NULL;
	}
	assert_non_null(norm);
	return norm;
}

static void expect(const struct field *f, const char *value, const char *want)
{
	char err[256];
	char *got = check(f, value, err);
	if (!got)
		print_error("value %s refused: %s\n", value, err);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void refuse(const struct field *f, const char *value)
{
	char err[256];
	char *got = check(f, value, err);
	if (got)
		print_error("value %s accepted as %s\n", value, got);
	assert_null(got);
	/* every refusal names the member reply_invalid files it under */
	assert_true(!strncmp(err, "custom_fields: field 42 ", 24));
}

static void test_types(void **state)
{
	(void)state;
	const char *custom[] = {"text",	   "textarea", "checkbox", "date",	 "integer",
				"decimal", "regexp",   "tagger",   "multiselect"};
	for (size_t i = 0; i < sizeof(custom) / sizeof(*custom); i++) {
		assert_true(field_type_custom(custom[i]));
		assert_false(field_type_system(custom[i]));
	}
	const char *sys[] = {"subject",	 "description", "status",  "tickettype",
			     "priority", "group",	"assignee"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(*sys); i++) {
		assert_true(field_type_system(sys[i]));
		assert_false(field_type_custom(sys[i]));
	}
	assert_false(field_type_custom("dropdown")); /* input alias only */
	assert_false(field_type_custom(NULL));
	assert_false(field_type_system("Subject"));
	assert_true(field_type_has_options("tagger"));
	assert_true(field_type_has_options("multiselect"));
	assert_false(field_type_has_options("checkbox"));
	assert_false(field_type_has_options(NULL));
}

static void test_check_defaults_and_aliases(void **state)
{
	(void)state;
	struct field f;
	char err[256];
	make(&f, NULL, "Order", NULL);
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	assert_string_equal(f.type, "text"); /* Zendesk's default type */
	field_clear(&f);

	const char *opts[] = {"Phone X", "Phone X", "노트북", "laptop", NULL};
	make(&f, "dropdown", "Product", opts);
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	assert_string_equal(f.type, "tagger");
	assert_string_equal(f.options[0].value, "phone_x"); /* values are tags */
	assert_string_equal(f.options[0].name, "Phone X");
	assert_string_equal(f.options[1].value, "laptop");
	assert_int_equal(f.options[0].position, 0);
	assert_int_equal(f.options[1].position, 1);
	field_clear(&f);
	assert_null(f.type);
	assert_int_equal(f.noptions, 0);
}

static void test_check_refusals(void **state)
{
	(void)state;
	struct field f;
	char err[256];
	static const struct {
		const char *type, *title, *prefix;
	} cases[] = {
	    {"widget", "W", "type: "},
	    {"text", NULL, "title: "},
	    {"text", "", "title: "},
	    {"tagger", "No options", "custom_field_options: "},
	    {"multiselect", "No options", "custom_field_options: "},
	    {"regexp", "No pattern", "regexp_for_validation: "},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		make(&f, cases[i].type, cases[i].title, NULL);
		assert_int_equal(field_check(&f, err, sizeof(err)), -1);
		if (strncmp(err, cases[i].prefix, strlen(cases[i].prefix)))
			print_error("case %zu: %s\n", i, err);
		assert_true(!strncmp(err, cases[i].prefix, strlen(cases[i].prefix)));
		field_clear(&f);
	}

	char longtitle[300];
	memset(longtitle, 'x', sizeof(longtitle) - 1);
	longtitle[sizeof(longtitle) - 1] = '\0';
	make(&f, "text", longtitle, NULL);
	assert_int_equal(field_check(&f, err, sizeof(err)), -1);
	field_clear(&f);

	const char *dup[] = {"A", "same", "B", "SAME", NULL};
	make(&f, "tagger", "Dup", dup);
	assert_int_equal(field_check(&f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "used twice"));
	field_clear(&f);

	const char *badtag[] = {"A", "a,b", NULL};
	make(&f, "multiselect", "Bad tag", badtag);
	assert_int_equal(field_check(&f, err, sizeof(err)), -1);
	field_clear(&f);

	const char *noname[] = {"", "v", NULL};
	make(&f, "tagger", "No name", noname);
	assert_int_equal(field_check(&f, err, sizeof(err)), -1);
	field_clear(&f);

	const char *opts[] = {"A", "a", NULL};
	make(&f, "text", "Options on text", opts);
	assert_int_equal(field_check(&f, err, sizeof(err)), -1);
	assert_true(!strncmp(err, "custom_field_options: ", 22));
	field_clear(&f);
}

static void test_check_regexp_and_tag(void **state)
{
	(void)state;
	struct field f;
	char err[256];
	static const char *const good[] = {"\\A\\d{3}-\\d{4}\\z",
					   "^[\\w.\\-]+@example\\.com$",
					   "(?:ab)+",
					   "a+?b",
					   "[[:alpha:]]+",
					   "\\bword\\b",
					   "[\\]x]",
					   "[\\^]",
					   "\\s\\S\\h\\/"};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		make(&f, "regexp", "R", NULL);
		f.regexp_for_validation = strdup(good[i]);
		if (field_check(&f, err, sizeof(err)))
			print_error("pattern %s refused: %s\n", good[i], err);
		assert_int_equal(field_check(&f, err, sizeof(err)), 0);
		field_clear(&f);
	}
	static const char *const bad[] = {"(?<=x)a",	"(?i)abc", "(a)\\1", "[a-z&&[^b]]",
					  "\\p{Alpha}", "(",	   "abc\\",  "[abc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		make(&f, "regexp", "R", NULL);
		f.regexp_for_validation = strdup(bad[i]);
		if (!field_check(&f, err, sizeof(err)))
			print_error("pattern %s accepted\n", bad[i]);
		assert_int_equal(field_check(&f, err, sizeof(err)), -1);
		assert_true(!strncmp(err, "regexp_for_validation: ", 23));
		field_clear(&f);
	}
	/* a pattern on another type is dropped, as is a tag off checkboxes */
	make(&f, "text", "T", NULL);
	f.regexp_for_validation = strdup("x");
	f.tag = strdup("t");
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	assert_null(f.regexp_for_validation);
	assert_null(f.tag);
	field_clear(&f);

	make(&f, "checkbox", "C", NULL);
	f.tag = strdup("Needs Review");
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	assert_string_equal(f.tag, "needs_review");
	field_clear(&f);

	make(&f, "checkbox", "C", NULL);
	f.tag = strdup("a,b");
	assert_int_equal(field_check(&f, err, sizeof(err)), -1);
	assert_true(!strncmp(err, "tag: ", 5));
	field_clear(&f);
}

static void test_value_text(void **state)
{
	(void)state;
	struct field f;
	make(&f, "text", "Order number", NULL);
	expect(&f, "\"abc\"", "\"abc\"");
	expect(&f, "\"배송 문의\"", "\"배송 문의\"");
	expect(&f, "5", "\"5\""); /* numbers are taken as their text */
	expect(&f, "null", "null");
	expect(&f, "\"\"", "null"); /* "" clears */
	expect(&f, NULL, "null");
	refuse(&f, "true");
	refuse(&f, "[\"a\"]");
	refuse(&f, "\"a\\u0000b\""); /* NUL inside */
	refuse(&f, "{not json");
	char *big = malloc(65536 + 10);
	big[0] = '"';
	memset(big + 1, 'x', 65537);
	big[65538] = '"';
	big[65539] = '\0';
	refuse(&f, big);
	free(big);
	char err[256];
	assert_null(check(&f, "true", err));
	assert_string_equal(err, "custom_fields: field 42 \"Order number\": expected a string");
	field_clear(&f);

	make(&f, "textarea", "Notes", NULL);
	expect(&f, "\"line 1\\nline 2\"", "\"line 1\\nline 2\"");
	field_clear(&f);
}

static void test_value_checkbox(void **state)
{
	(void)state;
	struct field f;
	make(&f, "checkbox", "Urgent", NULL);
	expect(&f, "true", "true");
	expect(&f, "false", "false");
	expect(&f, "\"true\"", "true");
	expect(&f, "\"false\"", "false");
	expect(&f, "1", "true");
	expect(&f, "0", "false");
	expect(&f, "null", "null");
	refuse(&f, "2");
	refuse(&f, "\"yes\"");
	refuse(&f, "[true]");
	field_clear(&f);
}

static void test_value_date(void **state)
{
	(void)state;
	struct field f;
	make(&f, "date", "Due", NULL);
	expect(&f, "\"2024-02-29\"", "\"2024-02-29\"");
	expect(&f, "\"2000-02-29\"", "\"2000-02-29\"");
	expect(&f, "\"2024-04-16T10:00:00Z\"", "\"2024-04-16\"");
	expect(&f, "\"\"", "null");
	refuse(&f, "\"2023-02-29\"");
	refuse(&f, "\"1900-02-29\"");
	refuse(&f, "\"2024-13-01\"");
	refuse(&f, "\"2024-04-31\"");
	refuse(&f, "\"2024-00-10\"");
	refuse(&f, "\"16/04/2024\"");
	refuse(&f, "\"2024-04-16junk\"");
	refuse(&f, "20240416");
	field_clear(&f);
}

static void test_value_numbers(void **state)
{
	(void)state;
	struct field f;
	make(&f, "integer", "Count", NULL);
	expect(&f, "42", "\"42\"");
	expect(&f, "\"-7\"", "\"-7\"");
	expect(&f, "\"+007\"", "\"7\"");
	expect(&f, "\"999999999999999999\"", "\"999999999999999999\"");
	refuse(&f, "\"4.2\"");
	refuse(&f, "4.2");
	refuse(&f, "\"1234567890123456789\""); /* 19 digits */
	refuse(&f, "\"12a\"");
	refuse(&f, "\"-\"");
	refuse(&f, "false");
	field_clear(&f);

	make(&f, "decimal", "Amount", NULL);
	expect(&f, "1.5", "\"1.5\"");
	expect(&f, "3", "\"3\"");
	expect(&f, "\"-0.25\"", "\"-0.25\"");
	expect(&f, "\".5\"", "\"0.5\"");
	expect(&f, "\"+12\"", "\"12\"");
	refuse(&f, "\"1.\"");
	refuse(&f, "\".\"");
	refuse(&f, "\"1.2.3\"");
	refuse(&f, "\"abc\"");
	refuse(&f, "\"1e5\"");
	field_clear(&f);
}

static void test_value_regexp(void **state)
{
	(void)state;
	struct field f;
	make(&f, "regexp", "Order", NULL);
	f.regexp_for_validation = strdup("\\A\\d{3}-\\d{4}\\z");
	expect(&f, "\"123-4567\"", "\"123-4567\"");
	refuse(&f, "\"123-45678\"");
	refuse(&f, "\"x123-4567\"");
	refuse(&f, "\"123-4567\\n\"");
	free(f.regexp_for_validation);

	f.regexp_for_validation = strdup("^[\\w.\\-]+@example\\.com$");
	expect(&f, "\"a.b-c_d@example.com\"", "\"a.b-c_d@example.com\"");
	refuse(&f, "\"a b@example.com\"");
	refuse(&f, "\"a@exampleXcom\"");
	free(f.regexp_for_validation);

	f.regexp_for_validation = strdup("\\A(?:ab)+\\z");
	expect(&f, "\"abab\"", "\"abab\"");
	refuse(&f, "\"aba\"");
	free(f.regexp_for_validation);

	f.regexp_for_validation = strdup("\\A[\\]\\-x]+\\z"); /* ] and - inside a class */
	expect(&f, "\"]-x\"", "\"]-x\"");
	refuse(&f, "\"y\"");
	free(f.regexp_for_validation);

	f.regexp_for_validation = strdup("\\A[\\^]\\z");
	expect(&f, "\"^\"", "\"^\"");
	refuse(&f, "\"a\"");
	free(f.regexp_for_validation);

	f.regexp_for_validation = strdup("\\bcat\\b");
	expect(&f, "\"a cat here\"", "\"a cat here\"");
	refuse(&f, "\"concatenate\"");
	free(f.regexp_for_validation);

	/* a stored pattern that cannot run refuses every value */
	f.regexp_for_validation = strdup("(?<=x)");
	refuse(&f, "\"x\"");
	field_clear(&f);
}

static const char *const product[] = {"Phone",	"phone",  "Laptop", "laptop",
				      "태블릿", "tablet", NULL};

static void test_value_tagger(void **state)
{
	(void)state;
	struct field f;
	char err[256];
	make(&f, "tagger", "Product", product);
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	expect(&f, "\"laptop\"", "\"laptop\"");
	expect(&f, "\"Laptop\"", "\"laptop\""); /* by name, stored as the value */
	expect(&f, "\"태블릿\"", "\"tablet\"");
	expect(&f, "null", "null");
	refuse(&f, "\"desktop\"");
	refuse(&f, "[\"laptop\"]");
	refuse(&f, "true");
	field_clear(&f);
}

static void test_value_multiselect(void **state)
{
	(void)state;
	struct field f;
	char err[256];
	make(&f, "multiselect", "Products", product);
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	expect(&f, "[\"laptop\",\"phone\"]", "[\"laptop\",\"phone\"]");
	expect(&f, "[\"laptop\",\"Laptop\",\"laptop\"]", "[\"laptop\"]");
	expect(&f, "\"phone\"", "[\"phone\"]");
	expect(&f, "[]", "null");
	expect(&f, "null", "null");
	refuse(&f, "[\"laptop\",\"desktop\"]");
	refuse(&f, "[true]");
	refuse(&f, "[[\"laptop\"]]");
	refuse(&f, "{\"a\":1}");
	field_clear(&f);
}

static void test_value_refusals(void **state)
{
	(void)state;
	struct field f;
	char err[256];
	make(&f, "status", "Status", NULL);
	assert_null(check(&f, "\"open\"", err));
	assert_non_null(strstr(err, "system field"));
	field_clear(&f);
	make(&f, "lookup", "L", NULL);
	assert_null(check(&f, "\"x\"", err));
	field_clear(&f);
	make(&f, NULL, "No type", NULL);
	assert_null(check(&f, "\"x\"", err));
	field_clear(&f);

	/* a long Korean title is cut on a character boundary: valid UTF-8 */
	char title[400] = "";
	for (size_t i = 0; i < 40; i++)
		memcpy(title + i * 6, "배송", 7); /* 6 bytes and the terminator */
	make(&f, "integer", title, NULL);
	assert_null(check(&f, "\"x\"", err));
	json_t *j = json_string(err);
	assert_non_null(j);
	json_decref(j);
	field_clear(&f);

	/* norm may be NULL: only the verdict */
	make(&f, "integer", "N", NULL);
	assert_int_equal(field_value_check(&f, "5", NULL, err, sizeof(err)), 0);
	assert_int_equal(field_value_check(&f, "\"x\"", NULL, err, sizeof(err)), -1);
	field_clear(&f);
}

static void test_value_tags(void **state)
{
	(void)state;
	struct field f;
	struct strlist tags = {0};
	char err[256];
	make(&f, "tagger", "Product", product);
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	field_value_tags(&f, "\"laptop\"", &tags);
	field_value_tags(&f, "\"laptop\"", &tags); /* no duplicates */
	field_value_tags(&f, "null", &tags);
	field_value_tags(&f, "\"unknown\"", &tags);
	assert_int_equal(tags.n, 1);
	assert_string_equal(tags.v[0], "laptop");
	field_clear(&f);

	make(&f, "multiselect", "Products", product);
	assert_int_equal(field_check(&f, err, sizeof(err)), 0);
	field_value_tags(&f, "[\"phone\",\"tablet\"]", &tags);
	assert_int_equal(tags.n, 3);
	assert_string_equal(tags.v[1], "phone");
	assert_string_equal(tags.v[2], "tablet");
	field_clear(&f);

	make(&f, "checkbox", "Urgent", NULL);
	f.tag = strdup("urgent");
	field_value_tags(&f, "false", &tags);
	assert_int_equal(tags.n, 3);
	field_value_tags(&f, "true", &tags);
	assert_int_equal(tags.n, 4);
	assert_string_equal(tags.v[3], "urgent");
	free(f.tag);
	f.tag = NULL;
	field_value_tags(&f, "true", &tags); /* no tag, nothing added */
	assert_int_equal(tags.n, 4);
	field_clear(&f);

	make(&f, "text", "T", NULL);
	field_value_tags(&f, "\"laptop\"", &tags);
	field_value_tags(&f, "not json", &tags);
	field_value_tags(&f, NULL, &tags);
	assert_int_equal(tags.n, 4);
	field_clear(&f);
	strlist_clear(&tags);
}

static void test_copy(void **state)
{
	(void)state;
	struct field f, g;
	make(&f, "tagger", "Product", product);
	f.description = strdup("what was bought");
	f.options[1].id = 7;
	field_copy(&g, &f);
	field_clear(&f);
	assert_string_equal(g.type, "tagger");
	assert_string_equal(g.title, "Product");
	assert_string_equal(g.description, "what was bought");
	assert_null(g.regexp_for_validation);
	assert_int_equal(g.noptions, 3);
	assert_int_equal(g.options[1].id, 7);
	assert_string_equal(g.options[2].name, "태블릿");
	field_clear(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_check_defaults_and_aliases),
	    cmocka_unit_test(test_check_refusals),
	    cmocka_unit_test(test_check_regexp_and_tag),
	    cmocka_unit_test(test_value_text),
	    cmocka_unit_test(test_value_checkbox),
	    cmocka_unit_test(test_value_date),
	    cmocka_unit_test(test_value_numbers),
	    cmocka_unit_test(test_value_regexp),
	    cmocka_unit_test(test_value_tagger),
	    cmocka_unit_test(test_value_multiselect),
	    cmocka_unit_test(test_value_refusals),
	    cmocka_unit_test(test_value_tags),
	    cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests_name("core/field", tests, NULL, NULL);
}
