/* mime.c - one raw RFC 5322 message in, one struct mail out (mime.h).
 *
 * GMime 3 does the MIME structure (boundaries, transfer encodings, the
 * address and Message-ID grammars, dates); everything that turns bytes
 * into text is done here, so that every charset decision is in one place
 * and every failure becomes U+FFFD rather than a dropped byte or a '?'.
 *
 * mail_parse() runs these steps, in this order:
 *
 *   1. prescan() - one pass over the raw bytes: skip an mbox "From " line
 *      (or another line or few of junk above the header fields),
 *      note every charset="..." the message declares anywhere (the hints
 *      for guessing raw 8-bit text, multi-byte ones first), and count the
 *      lines that start with "--".  GMime builds an object (about 1.3 KB)
 *      for every part before we see any of them, and compares every "--"
 *      line with every open boundary, so the input is cut before the
 *      DASH_LINES_MAX+1st such line: parts past that point would be over
 *      MAIL_MAX_PARTS anyway, and memory and time stay linear.
 *   2. GMime parses the (possibly cut) copy into a GMimeMessage.
 *   3. head() - the top-level header fields.  Raw 8-bit bytes in them are
 *      decoded with one charset chosen for the whole header block
 *      (detect() over all such values together); RFC 2047 encoded words
 *      are decoded by rfc2047_run(), which joins adjacent words of the same
 *      charset before converting (a character split across two words
 *      survives) and maps charset labels through cs_canon() (so
 *      ks_c_5601-1987 is read as CP949, not strict EUC-KR).  Address lists
 *      get their encoded words replaced by quoted strings first and are
 *      then parsed by GMime; what GMime cannot read falls back to the
 *      addr-specs found in the text.  The sender is the first From field
 *      with an address, else Sender, else Reply-To.  Then the
 *      loop-protection flags.
 *   4. structure() - the MIME tree, walked as JMAP does it (RFC 8621
 *      section 4.1.4): which leaves make the text body, which the HTML
 *      body, which are attachments; multipart/alternative prefers text/plain
 *      for `text` and text/html for `html`.  message/rfc822 parts are never
 *      entered: they are attachments.  At most MAIL_MAX_PARTS objects,
 *      MAIL_MAX_DEPTH levels.  Inside multipart/report the delivery-status
 *      part and the returned message or headers fill the DSN fields.
 *   5. bodies() - text parts are decoded (transfer encoding by GMime, then
 *      to_utf8()), HTML goes through html_sanitize(), which also renders
 *      the text when there is no text/plain; reply_text is cut by
 *      quote_strip().  The cid: references in the HTML are collected.
 *   6. attachments() - bytes, content type, a file name (decoded RFC 2231
 *      / RFC 2047 / raw 8-bit parameter, else made up from the type, the
 *      Content-Description or the Content-ID), cleaned with
 *      filetype_name_clean() and made unique within the message.
 *
 * Charsets (to_utf8): a label is mapped to the superset iconv knows
 * (EUC-KR family -> CP949, Shift_JIS -> CP932, GB2312/GBK -> GB18030,
 * ISO-8859-1/US-ASCII -> WINDOWS-1252, as browsers do; ISO-2022-JP is read
 * as Microsoft's CP50221 by rewriting it to EUC-JP-MS, jis_to_euc()).
 * Text that is valid UTF-8 is taken as UTF-8 when the label is missing,
 * US-ASCII or a single-byte charset (mislabelled UTF-8 is common; Latin-1 prose that
 * happens to be valid UTF-8 is not).  Unknown labels, and labels whose
 * conversion fails where a detected charset would not, fall back to
 * detect(): UTF-8, then the message's own multi-byte hints, then Korean
 * (CP949), Japanese (CP932, EUC-JP) and Chinese (GB18030) when the byte
 * statistics say so, then the single-byte hints, then WINDOWS-1252.
 *
 * Cost: every step is linear in the input: the prescan, GMime's parse
 * (bounded as above), one decode per text part (two when its label
 * proves wrong) plus at most a handful of trial conversions of its first
 * DETECT_SAMPLE bytes when its charset is in doubt, one sanitize of the HTML, and hash tables for
 * the cid references and the attachment names.  Memory: the input copy GMime parses, the GMime
 * tree, and the output (text and HTML capped at MAIL_MAX_TEXT each).
 *
 * Threads: mime_init() runs g_mime_init() once (pthread_once); after that
 * mail_parse() only touches its own objects and may run in many threads.
 */
#include "channels/email/mime.h"
#include "base/buf.h"
#include "base/util.h"
#include "core/comment.h"
#include "core/filetype.h"
#include "core/html.h"
#include "core/quote.h"
#include <errno.h>
#include <gmime/gmime.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DASH_LINES_MAX (4 * MAIL_MAX_PARTS) /* "--" lines GMime may see */
#define DETECT_SAMPLE (256 << 10)	    /* bytes a charset guess looks at */
#define MAX_HINTS 8			    /* declared charsets remembered */
#define CS_MAX 48			    /* longest charset label kept */
#define HEADER_SAMPLE (64 << 10)	    /* 8-bit header bytes looked at */
#define MAX_NAME_PIECES 64		    /* RFC 2231 continuations */
#define LEAD_LINES 5			    /* junk lines skipped before the header */

/* ---- UTF-8 ----------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s[0..n) (shortest form, no
 * surrogates, at most U+10FFFF), or 0 if there is none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

/* 1: s[0..n) is valid UTF-8 and has at least one non-ASCII character;
 * 0: valid, all ASCII; -1: not valid UTF-8. */
static int utf8_kind(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	int wide = 0;
	for (size_t i = 0; i < n;) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_seq(u + i, n - i);
		if (!k)
			return -1;
		wide = 1;
		i += k;
	}
	return wide;
}

static const char fffd[] = "\xEF\xBF\xBD";

/* Append s[0..n) to b, every invalid sequence and NUL as U+FFFD.  Stops
 * at a character boundary when b's cap is reached; returns -1 then. */
static int add_clean(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0, i = 0; /* s[run..i) is valid and not yet added */
	while (i < n) {
		size_t k = u[i] ? utf8_seq(u + i, n - i) : 0;
		size_t add = k ? k : 3;
		if (b->max && b->len + (i - run) + add > b->max)
			break;
		if (k) {
			i += k;
			continue;
		}
		if (buf_add(b, s + run, i - run) || buf_add(b, fffd, 3))
			return -1;
		run = ++i;
	}
	if (buf_add(b, s + run, i - run))
		return -1;
	return i < n ? -1 : 0;
}

/* ---- charsets -------------------------------------------------------- */

enum cs_kind { CS_UTF8, CS_SINGLE, CS_MULTI, CS_7BIT };

static const struct cs_alias {
	const char *label; /* lower case */
	const char *iconv;
	enum cs_kind kind;
} cs_aliases[] = {
    {"utf-8", "UTF-8", CS_UTF8},
    {"utf8", "UTF-8", CS_UTF8},
    {"unicode-1-1-utf-8", "UTF-8", CS_UTF8},
    {"x-unicode20utf8", "UTF-8", CS_UTF8},
    /* what browsers do: Latin-1 and ASCII labels mean windows-1252 */
    {"us-ascii", "WINDOWS-1252", CS_SINGLE},
    {"ascii", "WINDOWS-1252", CS_SINGLE},
    {"ansi_x3.4-1968", "WINDOWS-1252", CS_SINGLE},
    {"iso-8859-1", "WINDOWS-1252", CS_SINGLE},
    {"iso8859-1", "WINDOWS-1252", CS_SINGLE},
    {"iso_8859-1", "WINDOWS-1252", CS_SINGLE},
    {"latin1", "WINDOWS-1252", CS_SINGLE},
    {"l1", "WINDOWS-1252", CS_SINGLE},
    {"cp819", "WINDOWS-1252", CS_SINGLE},
    {"windows-1252", "WINDOWS-1252", CS_SINGLE},
    {"cp1252", "WINDOWS-1252", CS_SINGLE},
    {"x-cp1252", "WINDOWS-1252", CS_SINGLE},
    {"iso-8859-9", "WINDOWS-1254", CS_SINGLE},
    {"latin5", "WINDOWS-1254", CS_SINGLE},
    {"iso-8859-11", "WINDOWS-874", CS_SINGLE},
    {"tis-620", "WINDOWS-874", CS_SINGLE},
    /* Korean: Outlook's ks_c_5601-1987 and every EUC-KR label is CP949 */
    {"ks_c_5601-1987", "CP949", CS_MULTI},
    {"ks_c_5601-1989", "CP949", CS_MULTI},
    {"ks_c_5601", "CP949", CS_MULTI},
    {"ksc5601", "CP949", CS_MULTI},
    {"ksc_5601", "CP949", CS_MULTI},
    {"ks_c_5861-1992", "CP949", CS_MULTI},
    {"csksc56011987", "CP949", CS_MULTI},
    {"iso-ir-149", "CP949", CS_MULTI},
    {"korean", "CP949", CS_MULTI},
    {"euc-kr", "CP949", CS_MULTI},
    {"euckr", "CP949", CS_MULTI},
    {"x-euc-kr", "CP949", CS_MULTI},
    {"cseuckr", "CP949", CS_MULTI},
    {"cp949", "CP949", CS_MULTI},
    {"ms949", "CP949", CS_MULTI},
    {"uhc", "CP949", CS_MULTI},
    {"windows-949", "CP949", CS_MULTI},
    {"x-windows-949", "CP949", CS_MULTI},
    {"iso-2022-kr", "ISO-2022-KR", CS_7BIT},
    {"csiso2022kr", "ISO-2022-KR", CS_7BIT},
    /* Japanese */
    {"shift_jis", "CP932", CS_MULTI},
    {"shift-jis", "CP932", CS_MULTI},
    {"sjis", "CP932", CS_MULTI},
    {"x-sjis", "CP932", CS_MULTI},
    {"ms_kanji", "CP932", CS_MULTI},
    {"csshiftjis", "CP932", CS_MULTI},
    {"windows-31j", "CP932", CS_MULTI},
    {"cp932", "CP932", CS_MULTI},
    {"ms932", "CP932", CS_MULTI},
    {"euc-jp", "EUC-JP-MS", CS_MULTI},
    {"x-euc-jp", "EUC-JP-MS", CS_MULTI},
    {"iso-2022-jp", "ISO-2022-JP", CS_7BIT}, /* conv() reads it as CP50221 */
    {"csiso2022jp", "ISO-2022-JP", CS_7BIT},
    {"iso-2022-jp-2", "ISO-2022-JP-2", CS_7BIT},
    /* Chinese */
    {"gb2312", "GB18030", CS_MULTI},
    {"gb_2312-80", "GB18030", CS_MULTI},
    {"csgb2312", "GB18030", CS_MULTI},
    {"euc-cn", "GB18030", CS_MULTI},
    {"x-euc-cn", "GB18030", CS_MULTI},
    {"chinese", "GB18030", CS_MULTI},
    {"gbk", "GB18030", CS_MULTI},
    {"x-gbk", "GB18030", CS_MULTI},
    {"cp936", "GB18030", CS_MULTI},
    {"ms936", "GB18030", CS_MULTI},
    {"windows-936", "GB18030", CS_MULTI},
    {"gb18030", "GB18030", CS_MULTI},
    {"big5", "BIG5-HKSCS", CS_MULTI},
    {"big-5", "BIG5-HKSCS", CS_MULTI},
    {"x-x-big5", "BIG5-HKSCS", CS_MULTI},
    {"cn-big5", "BIG5-HKSCS", CS_MULTI},
    {"csbig5", "BIG5-HKSCS", CS_MULTI},
    {"big5-hkscs", "BIG5-HKSCS", CS_MULTI},
    {"utf-7", "UTF-7", CS_7BIT},
    {"hz-gb-2312", "HZ", CS_7BIT},
};

/* The iconv name for charset label s[0..n) in out[CS_MAX], and its kind.
 * Returns -1 for no label or one that is not a plausible charset name
 * (empty, too long, odd characters: it never reaches iconv_open). */
static int cs_canon(const char *s, size_t n, char out[CS_MAX], enum cs_kind *kind)
{
	while (n && strchr(" \t\"'", *s))
		s++, n--;
	while (n && strchr(" \t\"';", s[n - 1]))
		n--;
	if (!n || n >= CS_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.:+", c)))
			return -1;
		out[i] = c;
	}
	out[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(cs_aliases); i++)
		if (!strcmp(out, cs_aliases[i].label)) {
			snprintf(out, CS_MAX, "%s", cs_aliases[i].iconv);
			*kind = cs_aliases[i].kind;
			return 0;
		}
	/* not ours: iconv may know it; single-byte families by name */
	static const char *const single[] = {"iso-8859-", "iso8859-", "iso_8859-",  "windows-125",
					     "cp125",	  "koi8",     "mac",	    "ibm",
					     "cp8",	  "latin",    "windows-874"};
	*kind = CS_MULTI;
	for (size_t i = 0; i < ARRAY_SIZE(single); i++)
		if (!strncmp(out, single[i], strlen(single[i])))
			*kind = CS_SINGLE;
	if (!strncmp(out, "iso-2022", 8) || !strncmp(out, "utf-7", 5))
		*kind = CS_7BIT;
	if (!strncmp(out, "utf-16", 6) || !strncmp(out, "utf-32", 6) || !strncmp(out, "ucs", 3))
		*kind = CS_7BIT; /* not ASCII-compatible: never a guess */
	return 0;
}

/* ISO-2022-JP as Microsoft writes it (CP50221: NEC's circled numbers in
 * row 13, half-width katakana), which glibc's ISO-2022-JP refuses:
 * rewritten into the same characters in EUC-JP, for EUC-JP-MS.  JIS X
 * 0208 pairs get the high bit, JIS X 0212 pairs also the 0x8F prefix,
 * katakana 0x8E; ASCII and JIS-Roman pass; a line end returns to ASCII;
 * a byte over 0x7F becomes 0xFF (an error in EUC-JP too). */
static void jis_to_euc(const char *in, size_t n, struct buf *out)
{
	enum { ASCII, KANJI, KANJI212, KANA } st = ASCII;
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < n; i++) {
		unsigned ch = s[i];
		if (ch == 0x1B && i + 2 < n) {
			if (s[i + 1] == '$' && (s[i + 2] == '@' || s[i + 2] == 'B')) {
				st = KANJI, i += 2;
				continue;
			}
			if (s[i + 1] == '$' && s[i + 2] == '(' && i + 3 < n && s[i + 3] == 'D') {
				st = KANJI212, i += 3;
				continue;
			}
			if (s[i + 1] == '(' && strchr("BJH", s[i + 2])) {
				st = ASCII, i += 2;
				continue;
			}
			if (s[i + 1] == '(' && s[i + 2] == 'I') {
				st = KANA, i += 2;
				continue;
			}
		}
		if (ch == 0x0E || ch == 0x0F) {
			st = ch == 0x0E ? KANA : ASCII;
			continue;
		}
		if (ch == '\n' || ch == '\r')
			st = ASCII;
		if ((st == KANJI || st == KANJI212) && ch >= 0x21 && ch <= 0x7E && i + 1 < n &&
		    s[i + 1] >= 0x21 && s[i + 1] <= 0x7E) {
			if (st == KANJI212)
				buf_addc(out, (char)0x8F);
			buf_addc(out, (char)(ch | 0x80));
			buf_addc(out, (char)(s[++i] | 0x80));
		} else if (st == KANA && ch >= 0x21 && ch <= 0x5F) {
			buf_addc(out, (char)0x8E);
			buf_addc(out, (char)(ch | 0x80));
		} else {
			/* 8-bit bytes have no place here: 0xFF, which EUC-JP
			 * refuses too, so that they count as errors */
			buf_addc(out, (char)(ch < 0x80 ? ch : 0xFF));
		}
	}
}

/* Convert in[0..n) from iconv charset cs to UTF-8, appended to out (NULL:
 * only count), every byte iconv refuses as U+FFFD.  Returns the number of
 * refused bytes, or -1 if iconv does not know cs (out untouched).  Stops
 * early when out's cap is reached (*capped set). */
static long conv(const char *cs, const char *in, size_t n, struct buf *out, int *capped)
{
	if (!strcmp(cs, "ISO-2022-JP")) {
		struct buf euc = BUF_INIT;
		jis_to_euc(in, n, &euc);
		long r = conv("EUC-JP-MS", euc.s, euc.len, out, capped);
		buf_release(&euc);
		return r;
	}
	iconv_t cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return -1;
	char tmp[8192];
	char *ip = (char *)in;
	size_t il = n;
	long bad = 0;
	int full = 0;
	while (il > 0 && !full) {
		char *op = tmp;
		size_t ol = sizeof(tmp);
		size_t r = iconv(cd, &ip, &il, &op, &ol);
		int err = r == (size_t)-1 ? errno : 0;
		if (out && add_clean(out, tmp, op - tmp))
			full = 1;
		if (!err || err == E2BIG)
			continue;
		/* EILSEQ or EINVAL (cut short at the end): skip one byte */
		bad++;
		ip++, il--;
		if (out && !full && buf_add(out, fffd, 3))
			full = 1;
	}
	if (!full) {
		char *op = tmp;
		size_t ol = sizeof(tmp);
		iconv(cd, NULL, NULL, &op, &ol);
		if (out && add_clean(out, tmp, op - tmp))
			full = 1;
	}
	iconv_close(cd);
	if (full && capped)
		*capped = 1;
	return bad;
}

/* Byte statistics of an unlabelled 8-bit text, for detect(). */
struct cjk_stats {
	size_t euc_pairs, euc_stray; /* A1-FE A1-FE pairs; other high bytes */
	size_t hangul;		     /* pairs in KS X 1001's Hangul rows B0-C8 */
	size_t euc_kana;	     /* pairs in EUC-JP's kana rows A4, A5 */
	size_t gb_hanzi;	     /* pairs in GB2312's Hanzi rows B0-F7 */
	size_t sjis_pairs, sjis_kana, sjis_single;
};

static void cjk_count(const unsigned char *s, size_t n, struct cjk_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < n;) {
		unsigned a = s[i], b = i + 1 < n ? s[i + 1] : 0;
		if (a < 0x80) {
			i++;
			continue;
		}
		if (a >= 0xA1 && a <= 0xFE && b >= 0xA1 && b <= 0xFE) {
			st->euc_pairs++;
			st->hangul += a >= 0xB0 && a <= 0xC8;
			st->euc_kana += a == 0xA4 || a == 0xA5;
			st->gb_hanzi += a >= 0xB0 && a <= 0xF7;
			i += 2;
		} else {
			st->euc_stray++;
			i++;
		}
	}
	for (size_t i = 0; i < n;) {
		unsigned a = s[i], b = i + 1 < n ? s[i + 1] : 0;
		if (a < 0x80) {
			i++;
			continue;
		}
		if (((a >= 0x81 && a <= 0x9F) || (a >= 0xE0 && a <= 0xFC)) &&
		    ((b >= 0x40 && b <= 0x7E) || (b >= 0x80 && b <= 0xFC))) {
			st->sjis_pairs++;
			st->sjis_kana += (a == 0x82 && b >= 0x9F && b <= 0xF1) ||
					 (a == 0x83 && b >= 0x40 && b <= 0x96) ||
					 (a == 0x81 && (b == 0x5B || b == 0x41 || b == 0x42));
			i += 2;
		} else {
			st->sjis_single++;
			i++;
		}
	}
}

static int converts_cleanly(const char *cs, const char *s, size_t n)
{
	return conv(cs, s, n, NULL, NULL) == 0;
}

/* EUC-style text: high bytes come in pairs; a high byte before ASCII is
 * Latin-1 ("Forma\xe7\xe3o" must not read as Chinese). */
static int euc_paired(const struct cjk_stats *st)
{
	return st->euc_pairs && st->euc_stray * 3 <= st->euc_pairs;
}
/* Korean: nearly all double-byte characters are Hangul syllables. */
static int looks_korean(const struct cjk_stats *st)
{
	return euc_paired(st) && st->hangul * 10 >= (st->euc_pairs + st->euc_stray) * 6;
}
/* Japanese: kana are a good part of any Japanese text. */
static int looks_sjis(const struct cjk_stats *st)
{
	return st->sjis_pairs && st->sjis_kana * 5 >= st->sjis_pairs + st->sjis_single;
}
static int looks_eucjp(const struct cjk_stats *st)
{
	return euc_paired(st) && st->euc_kana * 5 >= st->euc_pairs + st->euc_stray;
}
static int looks_chinese(const struct cjk_stats *st)
{
	return euc_paired(st) && st->gb_hanzi * 2 >= st->euc_pairs + st->euc_stray;
}

struct ctx;
static void detect(const struct ctx *c, const char *s, size_t n, char out[CS_MAX]);

/* ---- the parse context ---------------------------------------------- */

struct hint {
	char cs[CS_MAX];
	enum cs_kind kind;
};

struct ctx {
	struct mail *m;
	GMimeParserOptions *opts;
	struct hint hints[MAX_HINTS]; /* declared charsets, multi-byte first */
	int nhints;
	char hdr_cs[CS_MAX];	       /* for raw 8-bit top-level header text, or "" */
	GPtrArray *text, *html, *atts; /* borrowed GMimeObject pointers */
	GHashTable *att_set;	       /* the same, to add each part once */
	GHashTable *cids;	       /* content ids the HTML refers to */
	GHashTable *names;	       /* attachment file names taken */
	int nparts;
	int dsn_mid_done;
};

/* Pick the charset of the 8-bit text s[0..n) (see the design comment). */
static void detect(const struct ctx *c, const char *s, size_t n, char out[CS_MAX])
{
	if (n > DETECT_SAMPLE) {
		n = DETECT_SAMPLE;
		/* a sample cut mid-character must not count against UTF-8 */
		while (n && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
			n--;
		if (n && (unsigned char)s[n - 1] >= 0xC0)
			n--;
	}
	if (utf8_kind(s, n) >= 0) {
		snprintf(out, CS_MAX, "UTF-8");
		return;
	}
	for (int i = 0; c && i < c->nhints; i++)
		if (c->hints[i].kind == CS_MULTI && converts_cleanly(c->hints[i].cs, s, n)) {
			snprintf(out, CS_MAX, "%s", c->hints[i].cs);
			return;
		}
	struct cjk_stats st;
	cjk_count((const unsigned char *)s, n, &st);
	static const struct {
		int (*looks)(const struct cjk_stats *);
		const char *cs;
	} guesses[] = {
	    {looks_korean, "CP949"},
	    {looks_sjis, "CP932"},
	    {looks_eucjp, "EUC-JP-MS"},
	    {looks_chinese, "GB18030"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(guesses); i++)
		if (guesses[i].looks(&st) && converts_cleanly(guesses[i].cs, s, n)) {
			snprintf(out, CS_MAX, "%s", guesses[i].cs);
			return;
		}
	for (int i = 0; c && i < c->nhints; i++)
		if (c->hints[i].kind == CS_SINGLE && converts_cleanly(c->hints[i].cs, s, n)) {
			snprintf(out, CS_MAX, "%s", c->hints[i].cs);
			return;
		}
	snprintf(out, CS_MAX, "WINDOWS-1252");
}

/* Append in[0..n), text in charset `label` (NULL: none given), to out as
 * UTF-8.  Never fails; sets *capped when out's cap cut it short. */
static void to_utf8(const struct ctx *c, const char *label, const char *in, size_t n,
		    struct buf *out, int *capped)
{
	char cs[CS_MAX], guess[CS_MAX];
	enum cs_kind kind = CS_MULTI;
	int have = label && !cs_canon(label, strlen(label), cs, &kind);
	int u = utf8_kind(in, n);
	if ((u == 0 && !(have && kind == CS_7BIT)) ||
	    (u == 1 && (!have || kind == CS_UTF8 || kind == CS_SINGLE))) {
		if (add_clean(out, in, n) && capped)
			*capped = 1;
		return;
	}
	if (have && kind == CS_UTF8) {
		/* mostly UTF-8 with a few bad bytes stays UTF-8 */
		const unsigned char *s = (const unsigned char *)in;
		size_t good = 0, bad = 0;
		for (size_t i = 0; i < n && i < DETECT_SAMPLE;) {
			size_t k = s[i] >= 0x80 ? utf8_seq(s + i, n - i) : 1;
			if (s[i] >= 0x80)
				k ? good++ : bad++;
			i += k ? k : 1;
		}
		if (good >= bad) {
			if (add_clean(out, in, n) && capped)
				*capped = 1;
			return;
		}
		have = 0;
	}
	if (have) {
		size_t mark = out->len;
		long bad = conv(cs, in, n, out, capped);
		if (bad == 0)
			return;
		if (bad > 0) {
			/* the label did not fit: a confident guess may */
			detect(c, in, n, guess);
			if (u != 0 && strcmp(guess, "WINDOWS-1252") && strcmp(guess, cs) &&
			    converts_cleanly(guess, in, n < DETECT_SAMPLE ? n : DETECT_SAMPLE)) {
				if (out->len > mark) {
					out->len = mark;
					out->s[mark] = '\0';
				}
				conv(guess, in, n, out, capped);
			}
			return;
		}
	}
	detect(c, in, n, guess);
	if (conv(guess, in, n, out, capped) < 0 && add_clean(out, in, n) && capped)
		*capped = 1;
}

/* ---- prescan --------------------------------------------------------- */

static void add_hint(struct ctx *c, const char *s, size_t n)
{
	struct hint h;
	if (c->nhints == MAX_HINTS || cs_canon(s, n, h.cs, &h.kind) || h.kind == CS_UTF8)
		return;
	for (int i = 0; i < c->nhints; i++)
		if (!strcmp(c->hints[i].cs, h.cs))
			return;
	c->hints[c->nhints++] = h;
}

/* Does the line s[0..n) start like a header field ("Name:")? */
static int header_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] > ' ' && s[i] < 0x7F && s[i] != ':')
		i++;
	return i > 0 && i < n && s[i] == ':';
}

/* See the design comment, step 1.  Returns the length of raw to parse;
 * *start is where the message begins. */
static size_t prescan(struct ctx *c, const char *raw, size_t len, size_t *start)
{
	size_t i = 0, dashes = 0;
	/* an mbox "From " line, or a line a forwarding tool put on top
	 * ("---- Original email message ----"): up to LEAD_LINES non-blank
	 * lines that are not header fields, when a header field follows */
	for (int k = 0; k < LEAD_LINES && i < len; k++) {
		const char *nl = memchr(raw + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - raw) : len;
		size_t n = e - i - (e > i && raw[e - 1] == '\r');
		if (!n || header_line(raw + i, n))
			break;
		i = e + 1;
	}
	if (i >= len || !header_line(raw + i, len - i))
		i = 0;
	*start = i;
	int bol = 1;
	for (; i < len; i++) {
		char ch = raw[i];
		if (bol && ch == '-' && i + 1 < len && raw[i + 1] == '-' &&
		    ++dashes > DASH_LINES_MAX) {
			c->m->truncated = 1;
			break;
		}
		bol = ch == '\n';
		if ((ch == 'c' || ch == 'C') && len - i > 8 &&
		    !strncasecmp(raw + i, "charset=", 8)) {
			size_t a = i + 8, b;
			if (a < len && (raw[a] == '"' || raw[a] == '\''))
				a++;
			for (b = a; b < len && b - a < CS_MAX &&
				    (g_ascii_isalnum(raw[b]) || strchr("-_.:+", raw[b]));
			     b++)
				;
			if (b > a)
				add_hint(c, raw + a, b - a);
		}
	}
	/* multi-byte hints first: a single-byte charset fits any bytes */
	struct hint sorted[MAX_HINTS];
	int k = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int h = 0; h < c->nhints; h++)
			if ((c->hints[h].kind == CS_SINGLE) == pass)
				sorted[k++] = c->hints[h];
	memcpy(c->hints, sorted, sizeof(sorted[0]) * k);
	return i - *start;
}

/* ---- header text ----------------------------------------------------- */

/* The raw value of obj's first header called name, or NULL. */
static const char *raw_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *l = g_mime_object_get_header_list(obj);
	GMimeHeader *h = l ? g_mime_header_list_get_header(l, name) : NULL;
	return h ? g_mime_header_get_raw_value(h) : NULL;
}

/* raw, unfolded (CR and LF dropped), as UTF-8: raw 8-bit bytes are read in
 * charset cs ("" or NULL: guessed from this value). */
static void header_utf8(const struct ctx *c, const char *raw, const char *cs, struct buf *out)
{
	struct buf t = BUF_INIT;
	for (const char *p = raw; *p; p++)
		if (*p != '\r' && *p != '\n')
			buf_addc(&t, *p);
	if (utf8_kind(t.s, t.len) >= 0) {
		add_clean(out, t.s, t.len);
	} else {
		char guess[CS_MAX];
		if (cs && *cs)
			snprintf(guess, sizeof(guess), "%s", cs);
		else
			detect(c, t.s, t.len, guess);
		if (conv(guess, t.s, t.len, out, NULL) < 0)
			add_clean(out, t.s, t.len);
	}
	buf_release(&t);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* One RFC 2047 encoded word at s: "=?charset[*lang]?B|Q?text?=".  On
 * success returns its length, with the charset in cs and the decoded
 * bytes appended to bytes; 0 when s does not start one. */
static size_t encoded_word(const char *s, char cs[CS_MAX], struct buf *bytes)
{
	if (s[0] != '=' || s[1] != '?')
		return 0;
	const char *p = s + 2, *q = strchr(p, '?');
	if (!q || q == p || (size_t)(q - p) >= CS_MAX || memchr(p, ' ', q - p))
		return 0;
	size_t cl = strcspn(p, "*?");
	char enc = q[1] | 0x20;
	if ((enc != 'b' && enc != 'q') || q[2] != '?')
		return 0;
	/* the text ends at its first '?', which must start "?=" (so trying
	 * every "=?" of a value is linear); loose: white space inside is
	 * taken, as broken encoders write it (GMime's loose mode does too) */
	const char *t = q + 3, *e = t + strcspn(t, "?\r\n");
	if (e[0] != '?' || e[1] != '=')
		return 0;
	memcpy(cs, p, cl);
	cs[cl] = '\0';
	if (enc == 'q') {
		for (const char *r = t; r < e; r++) {
			if (*r == '_') {
				buf_addc(bytes, ' ');
			} else if (*r == '=' && e - r > 2 && hexval(r[1]) >= 0 &&
				   hexval(r[2]) >= 0) {
				buf_addc(bytes, (char)(hexval(r[1]) * 16 + hexval(r[2])));
				r += 2;
			} else {
				buf_addc(bytes, *r);
			}
		}
	} else {
		unsigned acc = 0;
		int bits = 0;
		for (const char *r = t; r < e; r++) {
			int v = b64val(*r);
			if (v < 0)
				continue;
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				buf_addc(bytes, (char)((acc >> bits) & 0xFF));
			}
		}
	}
	return (size_t)(e + 2 - s);
}

/* How to write decoded text back into a structured header (addresses). */
enum word_ctx { W_TEXT, W_PHRASE, W_QUOTED, W_COMMENT };

static void put_decoded(struct buf *out, const char *s, size_t n, enum word_ctx where)
{
	if (where == W_TEXT) {
		buf_add(out, s, n);
		return;
	}
	if (where == W_PHRASE)
		buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '\\' || (where != W_COMMENT && ch == '"') ||
		    (where == W_COMMENT && (ch == '(' || ch == ')')))
			buf_addc(out, '\\');
		buf_addc(out, ch);
	}
	if (where == W_PHRASE)
		buf_addc(out, '"');
}

/* Decode the run of encoded words starting at s (adjacent words of one
 * charset joined before conversion, white space between words dropped)
 * into out as `where` needs it.  Returns the bytes consumed, 0 if s does
 * not start an encoded word. */
static size_t rfc2047_run(const struct ctx *c, const char *s, struct buf *out, enum word_ctx where)
{
	struct buf bytes = BUF_INIT, text = BUF_INIT;
	char cs[CS_MAX], next_cs[CS_MAX];
	size_t used = encoded_word(s, cs, &bytes);
	if (!used)
		return 0;
	for (;;) {
		size_t ws = strspn(s + used, " \t");
		size_t mark = bytes.len;
		size_t k = encoded_word(s + used + ws, next_cs, &bytes);
		if (!k)
			break;
		if (strcasecmp(next_cs, cs)) {
			/* a new charset: convert what we have */
			struct buf tail = BUF_INIT;
			buf_add(&tail, bytes.s + mark, bytes.len - mark);
			to_utf8(c, cs, bytes.s, mark, &text, NULL);
			buf_reset(&bytes);
			buf_add(&bytes, tail.s, tail.len);
			buf_release(&tail);
			memcpy(cs, next_cs, sizeof(cs));
		}
		used += ws + k;
	}
	to_utf8(c, cs, bytes.s, bytes.len, &text, NULL);
	/* control characters (a =0A in a subject) become spaces */
	for (size_t i = 0; i < text.len; i++)
		if ((unsigned char)text.s[i] < 0x20 && text.s[i] != '\t')
			text.s[i] = ' ';
	put_decoded(out, text.s, text.len, where);
	buf_release(&text);
	buf_release(&bytes);
	return used;
}

/* Decode the unstructured header value raw (Subject, Content-Description)
 * into out: unfolded, UTF-8, encoded words decoded, controls as spaces,
 * trimmed. */
static void decode_text(const struct ctx *c, const char *raw, const char *cs, struct buf *out)
{
	struct buf u = BUF_INIT, d = BUF_INIT;
	header_utf8(c, raw, cs, &u);
	for (size_t i = 0; i < u.len;) {
		size_t k = u.s[i] == '=' ? rfc2047_run(c, u.s + i, &d, W_TEXT) : 0;
		if (k) {
			i += k;
			continue;
		}
		char ch = u.s[i++];
		buf_addc(&d, (unsigned char)ch < 0x20 || ch == 0x7F ? ' ' : ch);
	}
	size_t a = 0, b = d.len;
	while (a < b && (d.s[a] == ' ' || d.s[a] == '\t'))
		a++;
	while (b > a && (d.s[b - 1] == ' ' || d.s[b - 1] == '\t'))
		b--;
	buf_add(out, d.s + a, b - a);
	buf_release(&d);
	buf_release(&u);
}

/* ---- addresses ------------------------------------------------------- */

/* raw address-list header as UTF-8 with its encoded words replaced by
 * quoted strings (or escaped text inside quotes and comments), so that
 * GMime's address parser sees only plain UTF-8. */
static void address_text(const struct ctx *c, const char *raw, struct buf *out)
{
	struct buf u = BUF_INIT;
	header_utf8(c, raw, c->hdr_cs, &u);
	int quoted = 0, comment = 0;
	for (size_t i = 0; i < u.len;) {
		char ch = u.s[i];
		if (ch == '=' && u.s[i + 1] == '?') {
			enum word_ctx w = quoted ? W_QUOTED : comment ? W_COMMENT : W_PHRASE;
			size_t k = rfc2047_run(c, u.s + i, out, w);
			if (k) {
				i += k;
				continue;
			}
		}
		if (ch == '\\' && i + 1 < u.len && (quoted || comment)) {
			buf_add(out, u.s + i, 2);
			i += 2;
			continue;
		}
		if (ch == '"' && !comment)
			quoted = !quoted;
		else if (ch == '(' && !quoted)
			comment++;
		else if (ch == ')' && !quoted && comment)
			comment--;
		buf_addc(out, ch);
		i++;
	}
	buf_release(&u);
}

static int is_addr_char(unsigned char ch)
{
	return ch > ' ' && ch != 0x7F && !strchr("<>(),;:\"'[]@", ch);
}

/* Every addr-spec looking token (x@y) of s, for the lists GMime cannot
 * read ("Test test@example.com"). */
static void scan_addresses(const char *s, GPtrArray *found)
{
	for (const char *at = strchr(s, '@'); at; at = strchr(at + 1, '@')) {
		const char *a = at, *b = at + 1;
		while (a > s && is_addr_char(a[-1]))
			a--;
		while (is_addr_char(*b))
			b++;
		while (b > at + 1 && b[-1] == '.')
			b--;
		if (a < at && b > at + 1)
			g_ptr_array_add(found, g_strndup(a, b - a));
		at = b - 1 > at ? b - 1 : at;
	}
}

static void add_mailbox(GPtrArray *names, GPtrArray *addrs, InternetAddress *ia, int depth)
{
	if (INTERNET_ADDRESS_IS_GROUP(ia)) {
		InternetAddressList *l =
		    internet_address_group_get_members((InternetAddressGroup *)ia);
		for (int i = 0; depth < 4 && l && i < internet_address_list_length(l); i++)
			add_mailbox(names, addrs, internet_address_list_get_address(l, i),
				    depth + 1);
		return;
	}
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
		return;
	const char *addr = internet_address_mailbox_get_addr((InternetAddressMailbox *)ia);
	const char *name = internet_address_get_name(ia);
	g_ptr_array_add(addrs, g_strdup(addr ? addr : ""));
	g_ptr_array_add(names, g_strdup(name ? name : ""));
}

/* s trimmed of white space, one pair of enclosing quotes, controls; NULL if
 * nothing is left.  Allocated with xmalloc. */
static char *clean_name(const char *s)
{
	struct buf b = BUF_INIT;
	add_clean(&b, s, strlen(s));
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.s[i] < 0x20 || b.s[i] == 0x7F)
			b.s[i] = ' ';
	size_t a = 0, e = b.len;
	for (int round = 0; round < 2; round++) {
		while (a < e && (b.s[a] == ' ' || b.s[a] == '\t'))
			a++;
		while (e > a && (b.s[e - 1] == ' ' || b.s[e - 1] == '\t'))
			e--;
		if (e - a >= 2 && (b.s[a] == '"' || b.s[a] == '\'') && b.s[e - 1] == b.s[a])
			a++, e--;
	}
	char *r = e > a ? xstrndup(b.s + a, e - a) : NULL;
	buf_release(&b);
	return r;
}

/* The e-mail part: cleaned, controls and <> removed, trimmed, lower-cased
 * (white space inside stays: "a b"@x is a quoted local part). */
static char *clean_email(const char *s)
{
	struct buf b = BUF_INIT;
	add_clean(&b, s, strlen(s));
	struct buf t = BUF_INIT;
	for (size_t i = 0; i < b.len; i++)
		if (((unsigned char)b.s[i] >= ' ' || b.s[i] == '\t') && b.s[i] != 0x7F &&
		    b.s[i] != '<' && b.s[i] != '>' && ((b.s[i] != ' ' && b.s[i] != '\t') || t.len))
			buf_addc(&t, b.s[i] == '\t' ? ' ' : b.s[i]);
	while (t.len && t.s[t.len - 1] == ' ')
		t.s[--t.len] = '\0';
	char *low = g_utf8_strdown(t.s, t.len);
	char *r = xstrdup(low);
	g_free(low);
	buf_release(&t);
	buf_release(&b);
	return r;
}

/* Parse the raw address-list header into *out (n set), at most
 * MAIL_MAX_ADDRS.  Returns the number of addresses. */
static int parse_addresses(const struct ctx *c, const char *raw, struct mail_address **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (!raw)
		return 0;
	struct buf text = BUF_INIT;
	address_text(c, raw, &text);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *addrs = g_ptr_array_new_with_free_func(g_free);
	InternetAddressList *l = internet_address_list_parse(c->opts, text.s);
	for (int i = 0; l && i < internet_address_list_length(l); i++)
		add_mailbox(names, addrs, internet_address_list_get_address(l, i), 0);
	if (l)
		g_object_unref(l);
	/* what GMime could not read, or read without any '@' while the text
	 * has addr-specs: take those ("Name (x@y)", "Test test@x.y") */
	int with_at = 0;
	for (guint i = 0; i < addrs->len; i++)
		with_at += strchr(addrs->pdata[i], '@') != NULL;
	if (!with_at && strchr(text.s, '@')) {
		GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
		scan_addresses(text.s, found);
		if (found->len) {
			g_ptr_array_set_size(names, 0);
			g_ptr_array_set_size(addrs, 0);
			for (guint i = 0; i < found->len; i++) {
				g_ptr_array_add(addrs, g_strdup(found->pdata[i]));
				g_ptr_array_add(names, g_strdup(""));
			}
		}
		g_ptr_array_free(found, TRUE);
	}
	/* "MAILER-DAEMON (Mail Delivery System)": GMime names only mailboxes
	 * with a domain after their comment */
	const char *open = strchr(text.s, '('), *close = open ? strchr(open, ')') : NULL;
	if (addrs->len == 1 && !*(char *)names->pdata[0] && !strchr(addrs->pdata[0], '@') &&
	    close) {
		g_free(names->pdata[0]);
		names->pdata[0] = g_strndup(open + 1, close - open - 1);
	}
	int k = 0;
	if (addrs->len) {
		guint cap = addrs->len < MAIL_MAX_ADDRS ? addrs->len : MAIL_MAX_ADDRS;
		*out = xcalloc(cap, sizeof(**out));
		for (guint i = 0; i < addrs->len && (guint)k < cap; i++) {
			char *email = clean_email(addrs->pdata[i]);
			if (!*email) {
				free(email);
				continue;
			}
			(*out)[k].email = email;
			(*out)[k].name = clean_name(names->pdata[i]);
			k++;
		}
	}
	if (!k) {
		free(*out);
		*out = NULL;
	}
	*n = k;
	g_ptr_array_free(names, TRUE);
	g_ptr_array_free(addrs, TRUE);
	buf_release(&text);
	return k;
}

static void free_addresses(struct mail_address *a, int n)
{
	for (int i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].email);
	}
	free(a);
}

/* ---- message ids, dates, flags --------------------------------------- */

/* A msg-id as we keep it: valid UTF-8, no white space or controls, no <>;
 * NULL when nothing is left. */
static char *clean_id(const char *s)
{
	if (!s)
		return NULL;
	struct buf b = BUF_INIT, t = BUF_INIT;
	add_clean(&b, s, strlen(s));
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.s[i] > ' ' && b.s[i] != 0x7F && b.s[i] != '<' && b.s[i] != '>')
			buf_addc(&t, b.s[i]);
	buf_release(&b);
	return t.len ? buf_detach(&t) : NULL;
}

static void references(const struct ctx *c, const char *raw, GPtrArray *ids)
{
	if (!raw)
		return;
	struct buf u = BUF_INIT;
	header_utf8(c, raw, c->hdr_cs, &u);
	GMimeReferences *refs = g_mime_references_parse(c->opts, u.s);
	int n = refs ? g_mime_references_length(refs) : 0;
	for (int i = 0; i < n; i++) {
		char *id = clean_id(g_mime_references_get_message_id(refs, i));
		if (id)
			g_ptr_array_add(ids, id);
	}
	if (refs)
		g_mime_references_free(refs);
	if (!ids->len) {
		/* no <...> at all: a bare id is still an id */
		char *id = g_mime_utils_decode_message_id(u.s);
		char *cid = clean_id(id);
		g_free(id);
		if (cid && strchr(cid, '@'))
			g_ptr_array_add(ids, cid);
		else
			free(cid);
	}
	buf_release(&u);
}

/* The keyword of a header like Auto-Submitted ("auto-replied; x=y" ->
 * "auto-replied"), lower-cased; NULL when absent or empty. */
static char *keyword(const char *raw)
{
	if (!raw)
		return NULL;
	struct buf b = BUF_INIT;
	const char *p = raw + strspn(raw, " \t\r\n");
	size_t n = strcspn(p, ";( \t\r\n");
	for (size_t i = 0; i < n; i++)
		buf_addc(&b, g_ascii_tolower(p[i]));
	if (!b.len || utf8_kind(b.s, b.len) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* Does the comma-separated raw value list `word` (case-insensitive)? */
static int has_word(const char *raw, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = raw; *p;) {
		p += strspn(p, " \t\r\n,;");
		size_t k = strcspn(p, " \t\r\n,;");
		if (k == n && !strncasecmp(p, word, n))
			return 1;
		p += k;
	}
	return 0;
}

static int auto_submitted(const char *v)
{
	char *k = keyword(v);
	int r = k && strcmp(k, "no");
	free(k);
	return r;
}
static int present(const char *v) { return v != NULL; }
static int suppress_all_oof(const char *v) { return has_word(v, "all") || has_word(v, "oof"); }
static int bulk_precedence(const char *v)
{
	char *k = keyword(v);
	int r = k && (!strcmp(k, "bulk") || !strcmp(k, "junk") || !strcmp(k, "list") ||
		      !strcmp(k, "auto_reply"));
	free(k);
	return r;
}

/* What makes a message an automatic reply (is_auto_reply), in order. */
static const struct {
	const char *header;
	int (*test)(const char *value);
} auto_reply_rules[] = {
    {"Auto-Submitted", auto_submitted}, {"X-Autoreply", present},
    {"X-Autorespond", present},		{"X-Auto-Response-Suppress", suppress_all_oof},
    {"Precedence", bulk_precedence},
};

/* Local parts of senders that are machines sending bounces or nothing
 * anyone reads (from_daemon). */
static const char *const daemon_locals[] = {
    "mailer-daemon", "mailerdaemon", "mail-daemon",  "postmaster",   "noreply", "no-reply",
    "no_reply",	     "donotreply",   "do-not-reply", "do_not_reply", "bounce",	"bounces",
};

static int is_daemon(const char *email)
{
	const char *at = strchr(email, '@');
	size_t n = at ? (size_t)(at - email) : strlen(email);
	for (size_t i = 0; i < ARRAY_SIZE(daemon_locals); i++)
		if (strlen(daemon_locals[i]) == n && !strncmp(email, daemon_locals[i], n))
			return 1;
	return 0;
}

static int is_null_path(const char *raw)
{
	if (!raw)
		return 0;
	char *id = clean_id(raw);
	int r = !id;
	free(id);
	return r && strchr(raw, '<');
}

/* Step 3: the top-level header fields. */
static void head(struct ctx *c, GMimeMessage *msg)
{
	struct mail *m = c->m;
	GMimeObject *obj = (GMimeObject *)msg;
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);

	/* one charset for all raw 8-bit header text */
	struct buf sample = BUF_INIT;
	buf_init(&sample, HEADER_SAMPLE);
	for (int i = 0; i < g_mime_header_list_get_count(hl); i++) {
		const char *v =
		    g_mime_header_get_raw_value(g_mime_header_list_get_header_at(hl, i));
		if (v && utf8_kind(v, strlen(v)) < 0 &&
		    (buf_adds(&sample, v) || buf_addc(&sample, ' ')))
			break;
	}
	if (sample.len)
		detect(c, sample.s, sample.len, c->hdr_cs);
	buf_release(&sample);

	/* the sender: the first From field with an address (spam sends two,
	 * the first unreadable), else Sender, else Reply-To */
	static const char *const senders[] = {"From", "Sender", "Reply-To"};
	const char *raw_from = raw_header(obj, "From");
	for (size_t k = 0; k < ARRAY_SIZE(senders) && !m->from.email; k++)
		for (int i = 0; i < g_mime_header_list_get_count(hl) && !m->from.email; i++) {
			GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
			struct mail_address *from;
			int nfrom;
			if (g_ascii_strcasecmp(g_mime_header_get_name(h), senders[k]) ||
			    !parse_addresses(c, g_mime_header_get_raw_value(h), &from, &nfrom))
				continue;
			m->from = from[0];
			for (int j = 1; j < nfrom; j++) {
				free(from[j].name);
				free(from[j].email);
			}
			free(from);
		}
	if (!m->from.email)
		m->from.email = xstrdup("");
	parse_addresses(c, raw_header(obj, "Reply-To"), &m->reply_to, &m->nreply_to);
	parse_addresses(c, raw_header(obj, "To"), &m->to, &m->nto);
	parse_addresses(c, raw_header(obj, "Cc"), &m->cc, &m->ncc);

	struct buf b = BUF_INIT;
	const char *subject = raw_header(obj, "Subject");
	if (subject)
		decode_text(c, subject, c->hdr_cs, &b);
	m->subject = buf_detach(&b);

	m->message_id = clean_id(g_mime_message_get_message_id(msg));
	GPtrArray *ids = g_ptr_array_new_with_free_func(free);
	references(c, raw_header(obj, "In-Reply-To"), ids);
	if (ids->len)
		m->in_reply_to = xstrdup(ids->pdata[0]);
	g_ptr_array_set_size(ids, 0);
	references(c, raw_header(obj, "References"), ids);
	if (ids->len) {
		/* over the cap: the first (the thread's root) and the newest */
		guint n = ids->len < MAIL_MAX_REFS ? ids->len : MAIL_MAX_REFS;
		m->references = xcalloc(n, sizeof(char *));
		for (guint i = 0; i < n; i++) {
			guint from_i = i == 0 ? 0 : ids->len - n + i;
			m->references[i] = xstrdup(ids->pdata[from_i]);
		}
		m->nreferences = (int)n;
	}
	g_ptr_array_free(ids, TRUE);

	GDateTime *date = g_mime_message_get_date(msg);
	if (date && g_date_time_to_unix(date) > 0)
		m->date = g_date_time_to_unix(date);

	m->auto_submitted = keyword(raw_header(obj, "Auto-Submitted"));
	m->precedence = keyword(raw_header(obj, "Precedence"));
	m->is_list = raw_header(obj, "List-Id") || raw_header(obj, "List-Unsubscribe");
	for (size_t i = 0; i < ARRAY_SIZE(auto_reply_rules); i++) {
		const char *v = raw_header(obj, auto_reply_rules[i].header);
		if (v && auto_reply_rules[i].test(v))
			m->is_auto_reply = 1;
	}
	m->from_daemon = is_daemon(m->from.email) || is_null_path(raw_from) ||
			 is_null_path(raw_header(obj, "Return-Path"));
}

/* ---- parts ----------------------------------------------------------- */

/* The decoded bytes of a leaf part (transfer encoding undone), or of a
 * message/rfc822 part as a whole message; owned by the caller; data is
 * never NULL. */
static GByteArray *part_bytes(GMimeObject *part)
{
	GMimeStream *st = g_mime_stream_mem_new();
	if (GMIME_IS_MESSAGE_PART(part)) {
		GMimeMessage *inner = g_mime_message_part_get_message((GMimeMessagePart *)part);
		if (inner)
			g_mime_object_write_to_stream((GMimeObject *)inner, NULL, st);
	} else if (GMIME_IS_PART(part)) {
		GMimeDataWrapper *w = g_mime_part_get_content((GMimePart *)part);
		if (w)
			g_mime_data_wrapper_write_to_stream(w, st);
	}
	GByteArray *arr = g_mime_stream_mem_get_byte_array((GMimeStreamMem *)st);
	g_mime_stream_mem_set_owner((GMimeStreamMem *)st, FALSE);
	g_object_unref(st);
	/* data is never NULL, even when empty */
	g_byte_array_append(arr, (const guint8 *)"", 1);
	g_byte_array_set_size(arr, arr->len - 1);
	return arr;
}

/* "type/subtype", lower case, in out[64]; application/octet-stream when
 * either is not a token or they are too long. */
static void mime_type(GMimeObject *part, char out[64])
{
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *t = ct ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *s = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
	t = t && *t ? t : "application";
	s = s && *s ? s : "octet-stream";
	int bad = strlen(t) + strlen(s) + 2 > 64;
	for (const char *p = t; *p && !bad; p++)
		bad = (unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7F ||
		      strchr("()<>@,;:\\\"/[]?=", *p);
	for (const char *p = s; *p && !bad; p++)
		bad = (unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7F ||
		      strchr("()<>@,;:\\\"/[]?=", *p);
	snprintf(out, 64, "%s/%s", bad ? "application" : t, bad ? "octet-stream" : s);
	for (char *p = out; *p; p++)
		*p = g_ascii_tolower(*p);
}

static int is_media(const char *type)
{
	return !strncmp(type, "image/", 6) || !strncmp(type, "audio/", 6) ||
	       !strncmp(type, "video/", 6);
}

/* Disposition type, lower case ("" when none). */
static const char *disposition(GMimeObject *part)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(part);
	const char *v = d ? g_mime_content_disposition_get_disposition(d) : NULL;
	if (!v)
		return "";
	if (!g_ascii_strcasecmp(v, "attachment"))
		return "attachment";
	if (!g_ascii_strcasecmp(v, "inline"))
		return "inline";
	return "";
}

static int has_name(GMimeObject *part)
{
	return g_mime_object_get_content_disposition_parameter(part, "filename") ||
	       g_mime_object_get_content_type_parameter(part, "name");
}

static void add_att(struct ctx *c, GMimeObject *part)
{
	if (g_hash_table_add(c->att_set, part))
		g_ptr_array_add(c->atts, part);
}

/* A returned message's (or its headers') Message-ID, read from the raw
 * bytes of its header block. */
static char *header_block_message_id(const unsigned char *s, size_t n)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer((const char *)s, n);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeParserOptions *o = g_mime_parser_options_new();
	GMimeObject *h = g_mime_parser_construct_part(p, o);
	char *id = NULL;
	if (h) {
		const char *raw = raw_header(h, "Message-ID");
		if (raw) {
			char *d = g_mime_utils_decode_message_id(raw);
			id = clean_id(d);
			g_free(d);
		}
		g_object_unref(h);
	}
	g_mime_parser_options_free(o);
	g_object_unref(p);
	g_object_unref(st);
	return id;
}

/* One DSN field value as we keep it: the part after "type;" (rfc822;
 * smtp; ...) when keep_type is 0, cleaned; NULL when empty. */
static char *dsn_value(const char *v, int keep_type)
{
	const char *semi = keep_type ? NULL : strchr(v, ';');
	const char *p = semi ? semi + 1 : v;
	p += strspn(p, " \t");
	struct buf t = BUF_INIT;
	add_clean(&t, p, strlen(p));
	while (t.len && (t.s[t.len - 1] == ' ' || t.s[t.len - 1] == '\t'))
		t.s[--t.len] = '\0';
	if (!t.len) {
		buf_release(&t);
		return NULL;
	}
	return buf_detach(&t);
}

/* A message/delivery-status body (RFC 3464): per-message fields, a blank
 * line, then one block of fields per recipient.  A recipient failed when
 * its Action is "failed" (or, without an Action, its Status is 5.x.x);
 * dsn_status and dsn_diagnostic come from the first failed recipient,
 * else from the first recipient that has them. */
static void parse_dsn(struct ctx *c, const char *s, size_t n)
{
	struct mail *m = c->m;
	struct buf line = BUF_INIT;
	char *recip = NULL, *action = NULL, *status = NULL, *diag = NULL;
	char *any_status = NULL, *any_diag = NULL;
	int final = 0, any_failed = 0;
	GPtrArray *recips = g_ptr_array_new_with_free_func(free);
	size_t i = 0;
	for (;;) {
		/* one unfolded line; blank at the end of a block */
		buf_reset(&line);
		while (i < n) {
			size_t e = i;
			while (e < n && s[e] != '\n')
				e++;
			size_t k = e;
			if (k > i && s[k - 1] == '\r')
				k--;
			buf_add(&line, s + i, k - i);
			i = e < n ? e + 1 : n;
			if (!line.len || i >= n || (s[i] != ' ' && s[i] != '\t'))
				break;
		}
		char *colon = line.len ? strchr(line.s, ':') : NULL;
		if (colon) {
			*colon = '\0';
			const char *name = line.s, *v = colon + 1;
			if (!strcasecmp(name, "Final-Recipient")) {
				free(recip);
				recip = dsn_value(v, 0);
				final = 1;
			} else if (!strcasecmp(name, "Original-Recipient") && !final) {
				free(recip);
				recip = dsn_value(v, 0);
			} else if (!strcasecmp(name, "Action") && !action) {
				action = dsn_value(v, 1);
			} else if (!strcasecmp(name, "Status") && !status) {
				status = dsn_value(v, 1);
			} else if (!strcasecmp(name, "Diagnostic-Code") && !diag) {
				diag = dsn_value(v, 0);
			}
		}
		if (line.len && i < n)
			continue;
		/* the end of a block */
		if (recip) {
			int failed = action ? !g_ascii_strncasecmp(action, "failed", 6)
					    : status && status[0] == '5';
			if (failed && recips->len < MAIL_MAX_ADDRS) {
				char *e = clean_email(recip);
				if (*e)
					g_ptr_array_add(recips, e);
				else
					free(e);
			}
			if (status) {
				/* "5.1.1 (user unknown)" -> "5.1.1" */
				status[strcspn(status, " \t(")] = '\0';
			}
			if (failed && !any_failed) {
				any_failed = 1;
				free(m->dsn_status), free(m->dsn_diagnostic);
				m->dsn_status = status, m->dsn_diagnostic = diag;
				status = diag = NULL;
			}
			if (!any_status && status)
				any_status = status, status = NULL;
			if (!any_diag && diag)
				any_diag = diag, diag = NULL;
		}
		free(recip), free(action), free(status), free(diag);
		recip = action = status = diag = NULL;
		final = 0;
		if (i >= n)
			break;
	}
	if (!m->dsn_status)
		m->dsn_status = any_status, any_status = NULL;
	if (!m->dsn_diagnostic)
		m->dsn_diagnostic = any_diag, any_diag = NULL;
	free(any_status), free(any_diag);
	if (recips->len) {
		m->dsn_recipients = xcalloc(recips->len, sizeof(char *));
		for (guint k = 0; k < recips->len; k++)
			m->dsn_recipients[k] = xstrdup(recips->pdata[k]);
		m->ndsn_recipients = (int)recips->len;
	}
	g_ptr_array_free(recips, TRUE);
	buf_release(&line);
}

/* The report parts of a multipart/report; report-type=delivery-status. */
static void report_part(struct ctx *c, GMimeObject *part, const char *type)
{
	/* the first delivery-status part that says something */
	if (!c->m->dsn_status && !c->m->ndsn_recipients &&
	    (!strcmp(type, "message/delivery-status") ||
	     !strcmp(type, "message/global-delivery-status"))) {
		GByteArray *b = part_bytes(part);
		parse_dsn(c, (const char *)b->data, b->len);
		g_byte_array_free(b, TRUE);
	} else if (!c->dsn_mid_done &&
		   (!strcmp(type, "message/rfc822") || !strcmp(type, "text/rfc822-headers") ||
		    !strcmp(type, "message/global") || !strcmp(type, "message/global-headers"))) {
		GByteArray *b = part_bytes(part);
		c->dsn_mid_done = 1;
		c->m->dsn_message_id = header_block_message_id(b->data, b->len);
		g_byte_array_free(b, TRUE);
	}
}

/* Step 4 for the children of one multipart (JMAP's parseStructure).
 * text and html are the lists the body parts go to; NULL once this branch
 * has decided against that kind of body. */
static void structure(struct ctx *c, GMimeObject **parts, int n, const char *mtype, int in_alt,
		      GPtrArray *text, GPtrArray *html, int depth, int in_report)
{
	int text_len = text ? (int)text->len : -1, html_len = html ? (int)html->len : -1;
	int alt = !strcmp(mtype, "alternative");
	for (int i = 0; i < n; i++) {
		if (c->nparts >= MAIL_MAX_PARTS) {
			c->m->truncated = 1;
			return;
		}
		c->nparts++;
		GMimeObject *part = parts[i];
		char type[64];
		mime_type(part, type);
		if (GMIME_IS_MULTIPART(part)) {
			if (depth >= MAIL_MAX_DEPTH) {
				c->m->truncated = 1;
				continue;
			}
			GMimeMultipart *mp = (GMimeMultipart *)part;
			const char *sub = type + strlen("multipart/");
			if (strncmp(type, "multipart/", 10))
				sub = "mixed";
			int report = !strcmp(sub, "report");
			const char *rt =
			    g_mime_object_get_content_type_parameter(part, "report-type");
			if (report && rt && !g_ascii_strcasecmp(rt, "delivery-status"))
				c->m->is_dsn = 1;
			else
				report = 0;
			int k = g_mime_multipart_get_count(mp);
			GMimeObject **kids = xcalloc(k ? k : 1, sizeof(*kids));
			for (int j = 0; j < k; j++)
				kids[j] = g_mime_multipart_get_part(mp, j);
			structure(c, kids, k, sub, in_alt || !strcmp(sub, "alternative"), text,
				  html, depth + 1, report);
			free(kids);
			continue;
		}
		if (in_report)
			report_part(c, part, type);
		int plain = !strcmp(type, "text/plain"), htm = !strcmp(type, "text/html");
		int media = is_media(type);
		int body = GMIME_IS_PART(part) && !GMIME_IS_MESSAGE_PART(part) &&
			   strcmp(disposition(part), "attachment") && (plain || htm || media) &&
			   (i == 0 || (strcmp(mtype, "related") && (media || !has_name(part))));
		if (!body) {
			add_att(c, part);
			continue;
		}
		if (alt) {
			if (plain && text)
				g_ptr_array_add(text, part);
			else if (htm && html)
				g_ptr_array_add(html, part);
			else if (media)
				add_att(c, part);
			continue;
		}
		if (in_alt) {
			if (plain)
				html = NULL;
			if (htm)
				text = NULL;
		}
		if (text)
			g_ptr_array_add(text, part);
		if (html)
			g_ptr_array_add(html, part);
		if (media)
			add_att(c, part);
	}
	if (alt && text && html) {
		/* only HTML was found: it is the text too; and the other way */
		if (text_len == (int)text->len && html_len != (int)html->len)
			for (guint i = html_len; i < html->len; i++)
				g_ptr_array_add(text, html->pdata[i]);
		else if (html_len == (int)html->len && text_len != (int)text->len)
			for (guint i = text_len; i < text->len; i++)
				g_ptr_array_add(html, text->pdata[i]);
	}
}

/* ---- bodies ---------------------------------------------------------- */

/* A text part's content as UTF-8 appended to out; line ends become LF. */
static void part_text(struct ctx *c, GMimeObject *part, struct buf *out, int *capped)
{
	GByteArray *b = part_bytes(part);
	const char *label = g_mime_object_get_content_type_parameter(part, "charset");
	char meta[CS_MAX];
	if (!label && b->len) {
		/* an HTML part may say it in <meta charset=...> */
		size_t n = b->len < 2048 ? b->len : 2048;
		const char *p = g_strstr_len((const char *)b->data, n, "charset=");
		if (p) {
			p += 8;
			p += *p == '"' || *p == '\'';
			size_t k = 0;
			while (k < CS_MAX - 1 && p + k < (const char *)b->data + n &&
			       (g_ascii_isalnum(p[k]) || strchr("-_.:+", p[k])))
				k++;
			memcpy(meta, p, k);
			meta[k] = '\0';
			if (k)
				label = meta;
		}
	}
	struct buf u = BUF_INIT;
	buf_init(&u, out->max ? out->max - out->len + 1 : 0);
	to_utf8(c, label, (const char *)b->data, b->len, &u, capped);
	g_byte_array_free(b, TRUE);
	for (size_t i = 0; i < u.len; i++) {
		if (u.s[i] == '\r') {
			if (i + 1 < u.len && u.s[i + 1] == '\n')
				continue;
			u.s[i] = '\n';
		}
		if (buf_addc(out, u.s[i])) {
			*capped = 1;
			break;
		}
	}
	buf_release(&u);
}

/* Trim trailing white space and leading blank lines off b. */
static void trim_text(struct buf *b)
{
	while (b->len && strchr(" \t\r\n", b->s[b->len - 1]))
		b->len--;
	b->s[b->len] = '\0';
	size_t a = 0, k = 0;
	while (k < b->len && strchr(" \t\r\n", b->s[k]))
		if (b->s[k++] == '\n')
			a = k;
	if (a) {
		memmove(b->s, b->s + a, b->len - a + 1);
		b->len -= a;
	}
}

/* Remember every cid: the HTML refers to. */
static void collect_cids(struct ctx *c, const char *h, size_t n)
{
	for (size_t i = 0; i + 4 < n; i++) {
		if (g_ascii_strncasecmp(h + i, "cid:", 4))
			continue;
		size_t a = i + 4, b = a;
		while (b < n && !strchr("\"' <>)\t\r\n", h[b]))
			b++;
		if (b > a) {
			char *id = g_strndup(h + a, b - a);
			char *unesc = g_uri_unescape_string(id, NULL);
			g_hash_table_add(c->cids, unesc ? unesc : g_strdup(id));
			g_free(id);
		}
		i = b - 1;
	}
}

static void bodies(struct ctx *c)
{
	struct mail *m = c->m;
	struct buf text, raw_html = BUF_INIT;
	buf_init(&text, MAIL_MAX_TEXT);
	int capped = 0, any_html = 0;

	for (guint i = 0; i < c->html->len; i++) {
		char type[64];
		mime_type(c->html->pdata[i], type);
		any_html |= !strcmp(type, "text/html");
	}
	if (any_html) {
		for (guint i = 0; i < c->html->len; i++) {
			GMimeObject *part = c->html->pdata[i];
			char type[64];
			mime_type(part, type);
			if (!strcmp(type, "text/html")) {
				part_text(c, part, &raw_html, &capped);
			} else if (!strcmp(type, "text/plain")) {
				struct buf t = BUF_INIT;
				part_text(c, part, &t, &capped);
				comment_text_to_html(t.s, &raw_html);
				buf_release(&t);
			} else if (is_media(type) && g_mime_object_get_content_id(part)) {
				char *esc =
				    g_markup_escape_text(g_mime_object_get_content_id(part), -1);
				buf_addf(&raw_html, "<img src=\"cid:%s\">", esc);
				g_free(esc);
			}
			buf_addc(&raw_html, '\n');
		}
		collect_cids(c, raw_html.s, raw_html.len);
	}

	/* the text: text/plain parts as they are, HTML parts rendered; when
	 * the text is exactly the HTML parts, one sanitize gives both */
	int same = any_html && c->text->len == c->html->len;
	for (guint i = 0; same && i < c->text->len; i++) {
		char type[64];
		mime_type(c->text->pdata[i], type);
		same = c->text->pdata[i] == c->html->pdata[i] && !strcmp(type, "text/html");
	}
	struct buf html_out;
	buf_init(&html_out, MAIL_MAX_TEXT);
	if (any_html) {
		html_sanitize(raw_html.s, raw_html.len, &html_out, same ? &text : NULL);
		if (html_out.len + 64 >= MAIL_MAX_TEXT)
			capped = 1;
		m->html = buf_detach(&html_out);
	}
	for (guint i = 0; !same && i < c->text->len; i++) {
		GMimeObject *part = c->text->pdata[i];
		char type[64];
		mime_type(part, type);
		int plain = !strcmp(type, "text/plain");
		if (!plain && strcmp(type, "text/html"))
			continue;
		/* each part trimmed, then joined by one blank line */
		struct buf t;
		buf_init(&t, MAIL_MAX_TEXT);
		if (plain) {
			part_text(c, part, &t, &capped);
		} else {
			struct buf h = BUF_INIT, junk = BUF_INIT;
			part_text(c, part, &h, &capped);
			html_sanitize(h.s, h.len, &junk, &t);
			buf_release(&junk);
			buf_release(&h);
		}
		trim_text(&t);
		if (t.len &&
		    ((text.len && buf_adds(&text, "\n\n")) || add_clean(&text, t.s, t.len)))
			capped = 1;
		buf_release(&t);
	}
	trim_text(&text);
	if (text.len + 4 >= MAIL_MAX_TEXT)
		capped = 1;
	if (capped)
		m->truncated = 1;
	m->reply_text = xstrndup(text.s, quote_strip(text.s, text.len));
	m->text = buf_detach(&text);
	buf_release(&html_out);
	buf_release(&raw_html);
}

/* ---- attachments ----------------------------------------------------- */

struct name_piece {
	int index, encoded;
	char *value;
};

static int piece_cmp(const void *a, const void *b)
{
	const struct name_piece *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/* Percent-decode s into bytes. */
static void pct_decode(const char *s, struct buf *bytes)
{
	for (; *s; s++) {
		if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			buf_addc(bytes, (char)(hexval(s[1]) * 16 + hexval(s[2])));
			s += 2;
		} else {
			buf_addc(bytes, *s);
		}
	}
}

/* Parameter `attr` of the raw header value (Content-Disposition or
 * Content-Type) decoded into out: RFC 2231 (charset'lang'%XX, with
 * continuations), RFC 2047 words inside it, raw 8-bit.  Returns 0 if
 * found. */
static int param(const struct ctx *c, const char *raw, const char *attr, struct buf *out)
{
	struct buf v = BUF_INIT;
	for (const char *p = raw; *p; p++)
		if (*p != '\r' && *p != '\n')
			buf_addc(&v, *p);
	struct name_piece pieces[MAX_NAME_PIECES];
	int npieces = 0, found = 0;
	char *plain = NULL, *ext = NULL;
	size_t alen = strlen(attr);
	const char *p = v.s;
	/* skip the type, then name=value pairs separated by ';' */
	for (int quoted = 0; *p && (quoted || *p != ';'); p++)
		if (*p == '"')
			quoted = !quoted;
	while (*p == ';') {
		p++;
		p += strspn(p, " \t");
		const char *name = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		const char *name_end = p;
		while (name_end > name && (name_end[-1] == ' ' || name_end[-1] == '\t'))
			name_end--;
		if (*p != '=')
			continue;
		p++;
		p += strspn(p, " \t");
		struct buf val = BUF_INIT;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				buf_addc(&val, *p);
			}
			if (*p == '"')
				p++;
			while (*p && *p != ';')
				p++;
		} else {
			const char *s = p;
			while (*p && *p != ';')
				p++;
			const char *e = p;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			buf_add(&val, s, e - s);
		}
		size_t nl = name_end - name;
		if (nl >= alen && !g_ascii_strncasecmp(name, attr, alen)) {
			const char *rest = name + alen;
			size_t rl = nl - alen;
			if (rl == 0 && !plain) {
				plain = buf_detach(&val);
			} else if (rl == 1 && rest[0] == '*' && !ext) {
				ext = buf_detach(&val);
			} else if (rl >= 2 && rest[0] == '*' && g_ascii_isdigit(rest[1]) &&
				   npieces < MAX_NAME_PIECES) {
				size_t k = 1;
				int idx = 0;
				while (k < rl && g_ascii_isdigit(rest[k]) && idx < 10000)
					idx = idx * 10 + (rest[k++] - '0');
				int enc = k < rl && rest[k] == '*';
				if (k + enc == rl) {
					pieces[npieces].index = idx;
					pieces[npieces].encoded = enc;
					pieces[npieces].value = buf_detach(&val);
					npieces++;
				}
			}
		}
		buf_release(&val);
	}
	if (ext || npieces) {
		struct buf bytes = BUF_INIT;
		char cs[CS_MAX] = "";
		if (ext) {
			const char *q1 = strchr(ext, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
			if (q2 && (size_t)(q1 - ext) < CS_MAX) {
				memcpy(cs, ext, q1 - ext);
				cs[q1 - ext] = '\0';
				pct_decode(q2 + 1, &bytes);
			} else {
				pct_decode(ext, &bytes);
			}
		} else {
			qsort(pieces, npieces, sizeof(pieces[0]), piece_cmp);
			for (int i = 0; i < npieces; i++) {
				const char *s = pieces[i].value;
				if (pieces[i].encoded && i == 0) {
					const char *q1 = strchr(s, '\''),
						   *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
					if (q2 && (size_t)(q1 - s) < CS_MAX) {
						memcpy(cs, s, q1 - s);
						cs[q1 - s] = '\0';
						s = q2 + 1;
					}
				}
				if (pieces[i].encoded)
					pct_decode(s, &bytes);
				else
					buf_adds(&bytes, s);
			}
		}
		if (*cs) {
			to_utf8(c, cs, bytes.s, bytes.len, out, NULL);
		} else {
			/* no charset given: RFC 2047 or raw bytes, as below */
			free(plain);
			plain = buf_detach(&bytes);
		}
		buf_release(&bytes);
		found = 1;
	}
	if (plain && !out->len) {
		decode_text(c, plain, NULL, out);
		found = 1;
	}
	free(plain);
	free(ext);
	for (int i = 0; i < npieces; i++)
		free(pieces[i].value);
	buf_release(&v);
	return found ? 0 : -1;
}

/* Extensions for made-up names, and the base name when there is none. */
static const struct {
	const char *type, *ext, *base;
} type_names[] = {
    {"text/plain", "txt", "document"},
    {"text/html", "html", "document"},
    {"text/calendar", "ics", "invite"},
    {"text/csv", "csv", "document"},
    {"text/rfc822-headers", "txt", "headers"},
    {"message/delivery-status", "txt", "delivery-status"},
    {"message/global-delivery-status", "txt", "delivery-status"},
    {"image/jpeg", "jpg", "image"},
    {"image/jpg", "jpg", "image"},
    {"image/pjpeg", "jpg", "image"},
    {"image/png", "png", "image"},
    {"image/gif", "gif", "image"},
    {"image/webp", "webp", "image"},
    {"image/bmp", "bmp", "image"},
    {"image/tiff", "tif", "image"},
    {"video/quicktime", "mov", "video"},
    {"video/mp4", "mp4", "video"},
    {"audio/mpeg", "mp3", "audio"},
    {"application/pdf", "pdf", "document"},
    {"application/pkcs7-signature", "p7s", "smime"},
    {"application/x-pkcs7-signature", "p7s", "smime"},
    {"application/pkcs7-mime", "p7m", "smime"},
    {"application/x-pkcs7-mime", "p7m", "smime"},
    {"application/pgp-signature", "asc", "signature"},
    {"application/pgp-encrypted", "txt", "pgp"},
};

/* The subject of the message in bytes s[0..n) (its header block). */
static void inner_subject(const struct ctx *c, const unsigned char *s, size_t n, struct buf *out)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer((const char *)s, n);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeObject *h = g_mime_parser_construct_part(p, c->opts);
	if (h) {
		const char *raw = raw_header(h, "Subject");
		if (raw)
			decode_text(c, raw, NULL, out);
		g_object_unref(h);
	}
	g_object_unref(p);
	g_object_unref(st);
}

/* The file name before cleaning (see the design comment, step 6). */
static void raw_file_name(struct ctx *c, GMimeObject *part, const char *type,
			  const GByteArray *data, struct buf *out)
{
	const char *cd = raw_header(part, "Content-Disposition");
	const char *ct = raw_header(part, "Content-Type");
	if ((cd && !param(c, cd, "filename", out) && out->len) ||
	    (ct && !param(c, ct, "name", out) && out->len))
		return;
	buf_reset(out);
	const char *loc = raw_header(part, "Content-Location");
	if (loc) {
		struct buf t = BUF_INIT;
		decode_text(c, loc, NULL, &t);
		char *q = strpbrk(t.s, "?#");
		if (q)
			*q = '\0';
		const char *slash = strrchr(t.s, '/');
		buf_adds(out, slash ? slash + 1 : t.s);
		buf_release(&t);
		if (out->len)
			return;
	}
	struct buf desc = BUF_INIT;
	const char *rd = raw_header(part, "Content-Description");
	if (rd)
		decode_text(c, rd, NULL, &desc);
	if (!strncmp(type, "message/", 8) &&
	    (!strcmp(type + 8, "rfc822") || !strcmp(type + 8, "global"))) {
		inner_subject(c, data->data, data->len, out);
		if (!out->len)
			buf_adds(out, desc.len ? desc.s : "message");
		buf_adds(out, ".eml");
		buf_release(&desc);
		return;
	}
	/* Outlook's Content-ID: <image001.jpg@01CDB132.D8A510F0> */
	const char *cid = g_mime_object_get_content_id(part);
	const char *at = cid ? strchr(cid, '@') : NULL;
	if (at && at > cid) {
		const char *dot = at - 1;
		while (dot > cid && *dot != '.' && g_ascii_isalnum(*dot))
			dot--;
		if (*dot == '.' && dot > cid && at - dot >= 3 && at - dot <= 7) {
			buf_add(out, cid, at - cid);
			buf_release(&desc);
			return;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (!strcmp(type, type_names[i].type)) {
			buf_addf(out, "%s.%s", desc.len ? desc.s : type_names[i].base,
				 type_names[i].ext);
			buf_release(&desc);
			return;
		}
	if (at && at > cid)
		buf_add(out, cid, at - cid);
	else if (desc.len)
		buf_add(out, desc.s, desc.len);
	else
		buf_adds(out, "attachment");
	buf_release(&desc);
}

/* name made a clean name (filetype_name_clean), repaired when it is not
 * one: controls and bidi overrides dropped, cut to FILETYPE_NAME_MAX
 * keeping the extension.  "attachment" when nothing is left. */
static void clean_file_name(const char *name, char out[FILETYPE_NAME_MAX + 1])
{
	char err[128];
	if (!filetype_name_clean(name, strlen(name), out, FILETYPE_NAME_MAX + 1, err, sizeof(err)))
		return;
	struct buf b = BUF_INIT;
	const unsigned char *u = (const unsigned char *)name;
	size_t n = strlen(name);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(u + i, n - i);
		if (!k) {
			i++;
			continue;
		}
		unsigned cp = 0;
		if (k == 1)
			cp = u[i];
		else if (k == 2)
			cp = ((u[i] & 0x1F) << 6) | (u[i + 1] & 0x3F);
		else if (k == 3)
			cp = ((u[i] & 0x0F) << 12) | ((u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3F);
		else
			cp = 0x10000;
		int bad = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
			  (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
			  cp == 0x200E || cp == 0x200F || cp == 0x061C;
		if (!bad)
			buf_add(&b, name + i, k);
		i += k;
	}
	/* keep "...ext" when cutting a long name */
	const char *slash = strrchr(b.s, '/'), *bslash = strrchr(b.s, '\\');
	const char *base = slash > bslash ? slash + 1 : bslash ? bslash + 1 : b.s;
	size_t blen = strlen(base);
	if (blen > FILETYPE_NAME_MAX) {
		const char *dot = strrchr(base, '.');
		size_t ext = dot && strlen(dot) <= 16 ? strlen(dot) : 0;
		size_t keep = FILETYPE_NAME_MAX - ext;
		while (keep && ((unsigned char)base[keep] & 0xC0) == 0x80)
			keep--;
		struct buf t = BUF_INIT;
		buf_add(&t, base, keep);
		if (ext)
			buf_adds(&t, dot);
		buf_release(&b);
		b = t;
		base = b.s;
	}
	if (filetype_name_clean(base, strlen(base), out, FILETYPE_NAME_MAX + 1, err, sizeof(err)))
		snprintf(out, FILETYPE_NAME_MAX + 1, "attachment");
	buf_release(&b);
}

/* name, or "stem1.ext", "stem2.ext", ... if taken; returns an owned copy
 * and marks it taken. */
static char *unique_name(struct ctx *c, const char *name)
{
	if (!g_hash_table_contains(c->names, name)) {
		g_hash_table_add(c->names, g_strdup(name));
		return xstrdup(name);
	}
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot > name ? (size_t)(dot - name) : strlen(name);
	const char *ext = name + stem;
	/* remember where the search for this name stopped: linear overall */
	char *key = g_strconcat("\x01", name, NULL);
	guint start = GPOINTER_TO_UINT(g_hash_table_lookup(c->names, key));
	char out[FILETYPE_NAME_MAX + 32];
	for (guint i = start ? start : 1;; i++) {
		size_t keep = stem;
		while (keep + strlen(ext) + 12 > FILETYPE_NAME_MAX && keep)
			keep--;
		while (keep && ((unsigned char)name[keep] & 0xC0) == 0x80)
			keep--;
		snprintf(out, sizeof(out), "%.*s%u%s", (int)keep, name, i, ext);
		if (!g_hash_table_contains(c->names, out)) {
			g_hash_table_insert(c->names, key, GUINT_TO_POINTER(i + 1));
			g_hash_table_add(c->names, g_strdup(out));
			return xstrdup(out);
		}
	}
}

static void attachments(struct ctx *c)
{
	struct mail *m = c->m;
	if (!c->atts->len)
		return;
	m->attachments = xcalloc(c->atts->len, sizeof(*m->attachments));
	for (guint i = 0; i < c->atts->len; i++) {
		GMimeObject *part = c->atts->pdata[i];
		struct mail_attachment *a = &m->attachments[m->nattachments++];
		char type[64];
		mime_type(part, type);
		GByteArray *data = part_bytes(part);
		struct buf name = BUF_INIT;
		raw_file_name(c, part, type, data, &name);
		char clean[FILETYPE_NAME_MAX + 1];
		clean_file_name(name.s, clean);
		buf_release(&name);
		a->file_name = unique_name(c, clean);
		a->content_type = xstrdup(type);
		a->content_id = clean_id(g_mime_object_get_content_id(part));
		a->is_inline = !strcmp(disposition(part), "inline") ||
			       (a->content_id && g_hash_table_contains(c->cids, a->content_id));
		a->size = data->len;
		a->data = xmalloc(data->len ? data->len : 1);
		if (data->len)
			memcpy(a->data, data->data, data->len);
		g_byte_array_free(data, TRUE);
	}
}

/* ---- entry points ---------------------------------------------------- */

static pthread_once_t mime_once = PTHREAD_ONCE_INIT;

static void mime_init_once(void) { g_mime_init(); }

void mime_init(void) { pthread_once(&mime_once, mime_init_once); }

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

int mail_parse(const char *raw, size_t len, struct mail *out, char *err, size_t errlen)
{
	struct ctx c;
	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.m = out;
	mime_init();
	if (!raw || !len) {
		set_err(err, errlen, "no headers");
		return -1;
	}
	size_t start;
	size_t n = prescan(&c, raw, len, &start);
	int truncated = out->truncated;

	c.opts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(c.opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(c.opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(c.opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(c.opts, TRUE);
	const char *fallback[MAX_HINTS + 4];
	int nf = 0;
	fallback[nf++] = "UTF-8";
	for (int i = 0; i < c.nhints; i++)
		fallback[nf++] = c.hints[i].cs;
	fallback[nf++] = "CP949";
	fallback[nf++] = "WINDOWS-1252";
	fallback[nf] = NULL;
	g_mime_parser_options_set_fallback_charsets(c.opts, fallback);

	GMimeStream *st = g_mime_stream_mem_new_with_buffer(raw + start, n);
	GMimeParser *parser = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, c.opts);
	g_object_unref(parser);
	g_object_unref(st);
	int rc = 0;
	if (!msg) {
		set_err(err, errlen, "not a message");
		rc = -1;
	} else if (!g_mime_header_list_get_count(
		       g_mime_object_get_header_list((GMimeObject *)msg)) &&
		   (!g_mime_message_get_mime_part(msg) ||
		    !g_mime_header_list_get_count(
			g_mime_object_get_header_list(g_mime_message_get_mime_part(msg))))) {
		set_err(err, errlen, "no headers");
		rc = -1;
	}
	if (rc) {
		if (msg)
			g_object_unref(msg);
		g_mime_parser_options_free(c.opts);
		mail_clear(out);
		return -1;
	}

	head(&c, msg);
	out->truncated |= truncated;
	c.text = g_ptr_array_new();
	c.html = g_ptr_array_new();
	c.atts = g_ptr_array_new();
	c.att_set = g_hash_table_new(NULL, NULL);
	c.cids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GMimeObject *root = g_mime_message_get_mime_part(msg);
	if (root)
		structure(&c, &root, 1, "mixed", 0, c.text, c.html, 0, 0);
	bodies(&c);
	attachments(&c);

	g_hash_table_destroy(c.names);
	g_hash_table_destroy(c.cids);
	g_hash_table_destroy(c.att_set);
	g_ptr_array_free(c.atts, TRUE);
	g_ptr_array_free(c.html, TRUE);
	g_ptr_array_free(c.text, TRUE);
	g_object_unref(msg);
	g_mime_parser_options_free(c.opts);
	return 0;
}

void mail_clear(struct mail *m)
{
	free(m->from.name);
	free(m->from.email);
	free_addresses(m->reply_to, m->nreply_to);
	free_addresses(m->to, m->nto);
	free_addresses(m->cc, m->ncc);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	for (int i = 0; i < m->nreferences; i++)
		free(m->references[i]);
	free(m->references);
	free(m->text);
	free(m->html);
	free(m->reply_text);
	for (int i = 0; i < m->nattachments; i++) {
		struct mail_attachment *a = &m->attachments[i];
		free(a->file_name);
		free(a->content_type);
		free(a->content_id);
		free(a->data);
	}
	free(m->attachments);
	free(m->auto_submitted);
	free(m->precedence);
	for (int i = 0; i < m->ndsn_recipients; i++)
		free(m->dsn_recipients[i]);
	free(m->dsn_recipients);
	free(m->dsn_status);
	free(m->dsn_diagnostic);
	free(m->dsn_message_id);
	memset(m, 0, sizeof(*m));
}
