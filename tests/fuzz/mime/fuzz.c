/* fuzz.c - libFuzzer harness for channels/email/mime.c (mail_parse).
 *
 * Build and run (from the repository root): `FUZZ_ONLY=mime FUZZ_SECONDS=120
 * make fuzz` (tests/fuzz/run.sh), or by hand with the dictionary:
 *
 *   mkdir -p build/fuzz/mime-new && clang -g -O1 -std=c11 -D_GNU_SOURCE -Isrc \
 *     -include src/base/banned.h $(pkg-config --cflags gmime-3.0 libxml-2.0) \
 *     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     tests/fuzz/mime/fuzz.c src/channels/email/mime.c src/core/html.c \
 *     src/core/comment.c src/core/filetype.c src/core/quote.c src/base/buf.c \
 *     src/base/util.c src/base/log.c \
 *     $(pkg-config --libs gmime-3.0 libxml-2.0) -lmagic -lpthread \
 *     -o build/fuzz/mime
 *   build/fuzz/mime -max_total_time=120 -max_len=65536 -rss_limit_mb=2048 \
 *     -dict=tests/fuzz/mime/mime.dict build/fuzz/mime-new tests/fuzz/mime/corpus
 *
 * (new inputs go to the first directory given, a scratch one, to keep the
 * committed corpus small; a crash-* file found goes into corpus/ so that
 * make check replays it.)
 *
 * Each input is parsed and the result read back by checks that know
 * nothing of mime.c: mail_parse() returns 0 or -1; on -1 the mail is all
 * zero; on 0 every string is valid UTF-8 (checked here, not with glib),
 * text and reply_text are never NULL and reply_text is a prefix of text,
 * every address has an e-mail part without upper-case ASCII, attachments
 * have a non-empty unique name without '/' or control characters, a
 * "type/subtype", data that is not NULL, and there are at most
 * MAIL_MAX_PARTS of them.  The same input must give the same result
 * again.  Any violation aborts.
 */
#include "channels/email/mime.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 1 if s[0..n) is valid UTF-8 (shortest form, no surrogates, <= U+10FFFF)
 * without NUL. */
static int utf8_ok(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	if (!s)
		return 0;
	while (*s) {
		unsigned c = *s, need, min;
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, min = 0x80;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, min = 0x800;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, min = 0x10000;
		else
			return 0;
		unsigned cp = c & (0x3F >> need);
		for (unsigned i = 1; i <= need; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		s += need + 1;
	}
	return 1;
}

static void need(int ok)
{
	if (!ok)
		abort();
}

static void check_address(const struct mail_address *a)
{
	need(utf8_ok(a->email));
	need(!a->name || utf8_ok(a->name));
	for (const char *p = a->email; *p; p++)
		need(!(*p >= 'A' && *p <= 'Z'));
}

static void check_list(const struct mail_address *l, int n)
{
	need(n >= 0 && n <= MAIL_MAX_ADDRS && (n == 0 || l));
	for (int i = 0; i < n; i++) {
		check_address(&l[i]);
		need(l[i].email[0] != '\0');
	}
}

static void check_opt(const char *s) { need(!s || utf8_ok(s)); }

static void check_mail(const struct mail *m)
{
	check_address(&m->from);
	check_list(m->reply_to, m->nreply_to);
	check_list(m->to, m->nto);
	check_list(m->cc, m->ncc);
	need(utf8_ok(m->subject));
	check_opt(m->message_id);
	check_opt(m->in_reply_to);
	need(m->nreferences >= 0 && m->nreferences <= MAIL_MAX_REFS);
	for (int i = 0; i < m->nreferences; i++)
		need(utf8_ok(m->references[i]) && m->references[i][0]);
	need(utf8_ok(m->text) && utf8_ok(m->reply_text));
	need(strlen(m->text) <= MAIL_MAX_TEXT);
	need(!strncmp(m->text, m->reply_text, strlen(m->reply_text)));
	check_opt(m->html);
	check_opt(m->auto_submitted);
	check_opt(m->precedence);
	need(m->ndsn_recipients >= 0 && m->ndsn_recipients <= MAIL_MAX_ADDRS);
	for (int i = 0; i < m->ndsn_recipients; i++)
		need(utf8_ok(m->dsn_recipients[i]));
	check_opt(m->dsn_status);
	check_opt(m->dsn_diagnostic);
	check_opt(m->dsn_message_id);
	need(m->nattachments >= 0 && m->nattachments <= MAIL_MAX_PARTS);
	for (int i = 0; i < m->nattachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];
		need(utf8_ok(a->file_name) && a->file_name[0]);
		need(strlen(a->file_name) <= 255 && !strchr(a->file_name, '/') &&
		     !strchr(a->file_name, '\\'));
		for (const unsigned char *p = (const unsigned char *)a->file_name; *p; p++)
			need(*p >= 0x20 && *p != 0x7F);
		need(utf8_ok(a->content_type) && strchr(a->content_type, '/'));
		check_opt(a->content_id);
		need(a->data != NULL);
		/* names are unique (checked against the first few, to stay fast) */
		for (int j = 0; j < i && j < 64; j++)
			need(strcmp(a->file_name, m->attachments[j].file_name));
	}
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		mime_init();
		ready = 1;
	}
	struct mail m, again;
	char err[64];
	int rc = mail_parse((const char *)data, size, &m, err, sizeof(err));
	need(rc == 0 || rc == -1);
	if (rc) {
		static const struct mail zero;
		need(!memcmp(&m, &zero, sizeof(m)));
		need(err[0] != '\0');
		return 0;
	}
	check_mail(&m);
	need(mail_parse((const char *)data, size, &again, err, sizeof(err)) == 0);
	need(same_str(m.from.email, again.from.email) && same_str(m.subject, again.subject) &&
	     same_str(m.text, again.text) && same_str(m.html, again.html) &&
	     m.nattachments == again.nattachments && m.nto == again.nto);
	for (int i = 0; i < m.nattachments; i++)
		need(m.attachments[i].size == again.attachments[i].size &&
		     same_str(m.attachments[i].file_name, again.attachments[i].file_name) &&
		     !memcmp(m.attachments[i].data, again.attachments[i].data,
			     m.attachments[i].size));
	mail_clear(&again);
	mail_clear(&m);
	return 0;
}
