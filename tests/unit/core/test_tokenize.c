/* test_tokenize.c - the Korean/English search tokenizer (core/tokenize.h).
 *
 * Each test tokenizes a string into a struct toks (tokens joined by '|',
 * plus the offsets of every token) and compares it with the expected list.
 */
#include "base/buf.h"
#include "base/util.h"
#include "core/tokenize.h"
#include "testutil.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct toks {
	struct buf joined;	  /* tokens separated by '|' */
	int n;			  /* tokens seen */
	int starts[64], ends[64]; /* offsets of the first 64 tokens */
	size_t maxlen;		  /* longest token */
	int bad_span;		  /* 1 if a span was empty or out of the text */
	size_t textlen;
};

static int collect(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct toks *t = ctx;
	if (t->n < 64) {
		t->starts[t->n] = start;
		t->ends[t->n] = end;
	}
	if (start < 0 || end <= start || (size_t)end > t->textlen || toklen == 0)
		t->bad_span = 1;
	if (toklen > t->maxlen)
		t->maxlen = toklen;
	if (t->n++)
		buf_addc(&t->joined, '|');
	buf_add(&t->joined, tok, toklen);
	return 0;
}

static void toks_run(struct toks *t, const char *s, size_t len)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->joined, 0);
	t->textlen = len;
	assert_int_equal(tokenize(s, len, collect, t), 0);
	assert_false(t->bad_span);
	assert_true(t->maxlen <= TOKENIZE_MAX_WORD);
}

/* Tokens of s joined by '|'; caller frees. */
static char *toks_of(const char *s)
{
	struct toks t;
	toks_run(&t, s, strlen(s));
	return buf_detach(&t.joined);
}

static void check(const char *in, const char *want)
{
	char *got = toks_of(in);
	assert_string_equal(got, want);
	free(got);
}

static void check_same(const char *a, const char *b)
{
	char *x = toks_of(a), *y = toks_of(b);
	assert_string_equal(x, y);
	assert_true(x[0] != '\0');
	free(x);
	free(y);
}

static void test_korean_words(void **state)
{
	check("배송 지연 안내", "배송|지연|안내");
	check("배송이 지연되었습니다", "배송|송이|지연|연되|되었|었습|습니|니다");
	check("환불 요청합니다", "환불|요청|청합|합니|니다");
}

static void test_korean_offsets(void **state)
{
	struct toks t;
	const char *s = "Hello 배송이";
	toks_run(&t, s, strlen(s));
	assert_string_equal(t.joined.s, "hello|배송|송이");
	assert_int_equal(t.starts[0], 0);
	assert_int_equal(t.ends[0], 5);
	assert_int_equal(t.starts[1], 6);
	assert_int_equal(t.ends[1], 12);
	assert_int_equal(t.starts[2], 9);
	assert_int_equal(t.ends[2], 15);
	buf_release(&t.joined);
}

static void test_single_cjk_char(void **state)
{
	check("배", "배");
	check("a 배 b", "a|배|b");
	check("배, 송", "배|송");
}

static void test_english_stemming(void **state)
{
	check("Refunds refund REFUNDED", "refund|refund|refund");
	check_same("policy", "policies");
	check("Our refund policy", "our|refund|polici");
	check("shipping shipped ships", "ship|ship|ship");
}

static void test_mixed_scripts(void **state)
{
	check("ABC배송123", "abc|배송|123");
	check("order #12345, v2.0", "order|12345|v2|0");
	check("refund요청", "refund|요청");
}

static void test_cjk_other(void **state)
{
	check("東京都", "東京|京都");
	check("ありがとう", "あり|りが|がと|とう");
	check("カタカナ・テスト", "カタ|タカ|カナ|テス|スト");
	check("ㅋㅋㅋ", "ㅋㅋ|ㅋㅋ");
	check("韓國語 한국어", "韓國|國語|한국|국어");
}

static void test_nfd_hangul(void **state)
{
	/* 배송 as conjoining Jamo: ᄇ ᅢ ᄉ ᅩ ᆼ */
	check("\xE1\x84\x87\xE1\x85\xA2\xE1\x84\x89\xE1\x85\xA9\xE1\x86\xBC", "배송");
	/* precomposed 소 + final ᆼ */
	check("배\xEC\x86\x8C\xE1\x86\xBC", "배송");
	/* a lone vowel Jamo stays a character of its own */
	check("\xE1\x85\xA2", "\xE1\x85\xA2");
}

static void test_folding(void **state)
{
	check_same("CAFÉ", "café");
	check_same("ÑANDÚ", "ñandú");
	check_same("ŁÓDŹ", "łódź");
	check_same("ŠKODA", "škoda");
	check_same("ΑΘΗΝΑ", "αθηνα");
	check_same("МОСКВА", "москва");
	check_same("ЁЖ", "ёж");
	check_same("Ợ", "ợ");
	check_same("İSTANBUL", "istanbul");
	check_same("ＲＥＦＵＮＤ", "refund");
	check("ｒｅｆｕｎｄｓ １２３", "refund|123");
	check_same("Straße", "STRASSE");
	check_same("ẞ", "ss");
	check("×÷", "");
}

static void test_apostrophes(void **state)
{
	check("don't", "don't");
	check_same("customer\xE2\x80\x99s", "customer's");
	check("'hello'", "hello");
	check("rock 'n' roll", "rock|n|roll");
	check("a''b", "a|b");
}

static void test_combining_marks(void **state)
{
	/* e + U+0301 stays one word */
	check("cafe\xCC\x81 x", "cafe\xCC\x81|x");
	/* a mark cannot start a word */
	check("\xCC\x81"
	      "abc",
	      "abc");
}

static void test_separators(void **state)
{
	check("", "");
	check("   \t\r\n", "");
	check("!!! ??? ... --- ***", "");
	check("😀refund😀", "refund");
	check("😀😀😀", "");
	check("배송　지연", "배송|지연"); /* U+3000 */
	check("a_b-c.d/e@f", "a|b|c|d|e|f");
	check("「배송」", "배송");
}

static void test_invalid_utf8(void **state)
{
	check("\xFF배\xC0\x80송", "배|송");
	check("배\xEB\xB0", "배"); /* cut sequence at the end */
	check("ab\xED\xA0\x80"
	      "cd",
	      "ab|cd"); /* surrogate */
	check("ab\xF4\x90\x80\x80"
	      "cd",
	      "ab|cd"); /* past U+10FFFF */
	check("ab\xE0\x80\xAF"
	      "cd",
	      "ab|cd"); /* overlong */
	check("\x80\x80\x80\xBF", "");
	check("refund\xC3", "refund");
	check("\xC3refund", "refund");
}

static void test_nul_bytes(void **state)
{
	struct toks t;
	toks_run(&t, "abc\0def\0배송", 14);
	assert_string_equal(t.joined.s, "abc|def|배송");
	buf_release(&t.joined);
	toks_run(&t, NULL, 0);
	assert_int_equal(t.n, 0);
	buf_release(&t.joined);
	toks_run(&t, "\0\0\0", 3);
	assert_int_equal(t.n, 0);
	buf_release(&t.joined);
}

static void test_long_words(void **state)
{
	char in[300], want[100];
	struct toks t;

	memset(in, 'a', 100);
	in[100] = '\0';
	memset(want, 'a', 64);
	want[64] = '\0';
	toks_run(&t, in, 100);
	assert_string_equal(t.joined.s, want);
	assert_int_equal(t.starts[0], 0);
	assert_int_equal(t.ends[0], 100);
	buf_release(&t.joined);

	/* exactly 64 bytes is kept whole (and stemmed: nothing to strip) */
	memset(in, 'b', 64);
	in[64] = '\0';
	check(in, in);

	/* 30 x U+1E01 (3 bytes each) is cut at 21 characters = 63 bytes */
	in[0] = '\0';
	for (int i = 0; i < 30; i++)
		memcpy(in + i * 3, "\xE1\xB8\x81", 4);
	want[0] = '\0';
	for (int i = 0; i < 21; i++)
		memcpy(want + i * 3, "\xE1\xB8\x81", 4);
	check(in, want);

	/* a cut word is not stemmed: 70 x 'x' + "ing" */
	memset(in, 'x', 70);
	memcpy(in + 70, "ing", 4);
	memset(want, 'x', 64);
	want[64] = '\0';
	check(in, want);

	/* the word after a long one is unaffected */
	memset(in, 'z', 80);
	memcpy(in + 80, " refunds", 9);
	toks_run(&t, in, strlen(in));
	assert_int_equal(t.n, 2);
	assert_string_equal(strchr(t.joined.s, '|'), "|refund");
	buf_release(&t.joined);
}

static int stop_after_one(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	int *calls = ctx;
	(*calls)++;
	return 7;
}

static void test_emit_stops(void **state)
{
	int calls = 0;
	assert_int_equal(tokenize("one two three", 13, stop_after_one, &calls), 7);
	assert_int_equal(calls, 1);
	calls = 0;
	assert_int_equal(tokenize("배송지연", 12, stop_after_one, &calls), 7);
	assert_int_equal(calls, 1);
	calls = 0;
	assert_int_equal(tokenize("배", 3, stop_after_one, &calls), 7);
	assert_int_equal(calls, 1);
}

static int nested(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	struct buf *b = ctx;
	char copy[TOKENIZE_MAX_WORD];
	memcpy(copy, tok, toklen);
	/* tokenizing inside emit must not disturb the token we were given */
	assert_int_equal(tokenize_to_buf("running policies", 16, b), 0);
	assert_memory_equal(copy, tok, toklen);
	buf_addc(b, '/');
	return buf_add(b, tok, toklen);
}

static void test_reentrant(void **state)
{
	struct buf b = BUF_INIT;
	assert_int_equal(tokenize("walked", 6, nested, &b), 0);
	assert_string_equal(b.s, "run polici/walk");
	buf_release(&b);
}

static void test_to_buf(void **state)
{
	struct buf b = BUF_INIT;
	assert_int_equal(tokenize_to_buf("Refunds 배송이", strlen("Refunds 배송이"), &b), 0);
	assert_string_equal(b.s, "refund 배송 송이");
	assert_int_equal(tokenize_to_buf("Policies", 8, &b), 0);
	assert_string_equal(b.s, "refund 배송 송이 polici");
	assert_int_equal(tokenize_to_buf("!!!", 3, &b), 0);
	assert_string_equal(b.s, "refund 배송 송이 polici");
	buf_release(&b);

	/* a cap that is hit leaves the buffer as it was */
	struct buf c;
	buf_init(&c, 12);
	assert_int_equal(buf_adds(&c, "x"), 0);
	assert_int_equal(tokenize_to_buf("alpha beta gamma", 16, &c), -1);
	assert_string_equal(c.s, "x");
	assert_int_equal(c.len, 1);
	assert_int_equal(tokenize_to_buf("alpha beta", 10, &c), 0);
	assert_string_equal(c.s, "x alpha beta");
	buf_release(&c);

	/* an empty buffer with a cap too small for the first token */
	buf_init(&c, 3);
	assert_int_equal(tokenize_to_buf("alpha", 5, &c), -1);
	assert_int_equal(c.len, 0);
	assert_string_equal(c.s, "");
	buf_release(&c);
}

static int count_only(void *ctx, const char *tok, size_t toklen, int start, int end)
{
	(*(size_t *)ctx)++;
	return 0;
}

static void test_one_megabyte(void **state)
{
	size_t n = 1 << 20, count = 0;
	char *s = xmalloc(n);

	/* "배송 " repeated: 4 bytes per word, one token each */
	for (size_t i = 0; i + 4 <= n; i += 4)
		memcpy(s + i, "배송 ", 4);
	assert_int_equal(tokenize(s, n, count_only, &count), 0);
	assert_int_equal(count, n / 4);

	/* one 1 MB Hangul run: a bigram per character but the first */
	count = 0;
	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(s + i, "가", 3);
	assert_int_equal(tokenize(s, n / 3 * 3, count_only, &count), 0);
	assert_int_equal(count, n / 3 - 1);

	/* one 1 MB word */
	count = 0;
	memset(s, 'q', n);
	assert_int_equal(tokenize(s, n, count_only, &count), 0);
	assert_int_equal(count, 1);

	/* pseudo-random bytes: must simply not crash */
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		s[i] = (char)(x >> 16);
	}
	struct toks t;
	toks_run(&t, s, n);
	buf_release(&t.joined);
	free(s);
}

static void test_too_long(void **state)
{
	size_t count = 0;
	assert_int_equal(tokenize("abc", (size_t)INT32_MAX + 1, count_only, &count), -1);
	assert_int_equal(count, 0);
}

struct thread_arg {
	char *out;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct buf b = BUF_INIT;
	for (int i = 0; i < 200; i++) {
		buf_reset(&b);
		{
			const char *s = "Refunds were processed; 배송이 지연되었습니다 policies";
			tokenize_to_buf(s, strlen(s), &b);
		}
	}
	a->out = buf_detach(&b);
	return NULL; /* the thread's stemmer is freed by the key destructor */
}

static void test_threads(void **state)
{
	pthread_t th[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_string_equal(
		    args[i].out,
		    "refund were process 배송 송이 지연 연되 되었 었습 습니 니다 polici");
		free(args[i].out);
	}
}

static void test_cleanup_twice(void **state)
{
	tokenize_thread_cleanup();
	tokenize_thread_cleanup();
	check("refunds", "refund"); /* recreated on use */
	tokenize_thread_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_korean_words),    cmocka_unit_test(test_korean_offsets),
	    cmocka_unit_test(test_single_cjk_char), cmocka_unit_test(test_english_stemming),
	    cmocka_unit_test(test_mixed_scripts),   cmocka_unit_test(test_cjk_other),
	    cmocka_unit_test(test_nfd_hangul),	    cmocka_unit_test(test_folding),
	    cmocka_unit_test(test_apostrophes),	    cmocka_unit_test(test_combining_marks),
	    cmocka_unit_test(test_separators),	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_nul_bytes),	    cmocka_unit_test(test_long_words),
	    cmocka_unit_test(test_emit_stops),	    cmocka_unit_test(test_reentrant),
	    cmocka_unit_test(test_to_buf),	    cmocka_unit_test(test_one_megabyte),
	    cmocka_unit_test(test_too_long),	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_cleanup_twice),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tokenize_thread_cleanup();
	return rc;
}
