/* quote.c - quoted-reply stripping (quote.h).
 *
 * quote_strip() walks the text once, top to bottom, one line at a time.
 * Each line is trimmed (space, tab, CR, UTF-8 no-break space) and, unless
 * blank, asked in this order:
 *
 *   1. does it start with ">"?  Then it is part of a ">" run: the start of
 *      the run (or of an attribution line just above it) is remembered as
 *      a possible cut for the end.  A non-">" line after a run means the
 *      customer answered inline, and the remembered run is forgotten.
 *   2. is it a forward separator?  Then stop and keep everything.
 *   3. is it a quote separator, an attribution line (alone, or wrapped onto
 *      the next line), or the From line of an Outlook header block?  Then
 *      this is the cut (for an attribution: unless an inline reply follows
 *      it; for a header block: moved up to a "____" rule line above it).
 *
 * After the last line, a ">" run that reached the end with no inline reply
 * anywhere is the cut.  The cut is then moved back over trailing white
 * space (finish()); a cut at 0 means "all quote", and len is returned.
 *
 * Cost: every line is trimmed once by the walk; a line that could start a
 * wrapped attribution also trims the next one (both capped together at
 * ATTRIB_MAX bytes for the checks); a From line looks ahead at most
 * HEADER_LOOKAHEAD lines; the inline-reply scan after an attribution runs
 * once, to the end, and then we return.  So each byte is looked at a small
 * constant number of times: linear whatever the input, no allocation.
 */
#include "core/quote.h"
#include "base/util.h"
#include <string.h>

#define ATTRIB_MAX 1000	   /* longest attribution, both halves together */
#define SEP_MAX 200	   /* longest separator line */
#define INTRO_MAX 300	   /* longest "... wrote:" line above a ">" run */
#define RULE_MIN 8	   /* underscores in Outlook's rule line */
#define HEADER_LOOKAHEAD 8 /* lines after From: searched for Sent/Subject */
#define HEADER_CONT_MAX 3  /* of those, lines that are not "Key:" lines */

struct line {
	size_t start;	   /* offset of the line's first byte */
	size_t next;	   /* offset of the next line (len for the last) */
	const char *s, *e; /* the content, trimmed; s == e when blank */
};

static int is_space_at(const char *p, const char *end, int backwards)
{
	const unsigned char *u = (const unsigned char *)p;
	if (!backwards) {
		if (*u == ' ' || *u == '\t' || *u == '\r')
			return 1;
		return end - p >= 2 && u[0] == 0xC2 && u[1] == 0xA0 ? 2 : 0;
	}
	/* p is one past the byte to look at; end is the lower bound */
	if (u[-1] == ' ' || u[-1] == '\t' || u[-1] == '\r')
		return 1;
	return p - end >= 2 && u[-2] == 0xC2 && u[-1] == 0xA0 ? 2 : 0;
}

/* The line that starts at pos (pos < len). */
static void line_at(const char *text, size_t len, size_t pos, struct line *l)
{
	const char *p = text + pos, *end = text + len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;
	int n;

	l->start = pos;
	l->next = nl ? (size_t)(nl + 1 - text) : len;
	while (p < e && (n = is_space_at(p, e, 0)))
		p += n;
	while (e > p && (n = is_space_at(e, p, 1)))
		e -= n;
	l->s = p;
	l->e = e;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* s[0..n) equals lit, ASCII letters compared without case. */
static int eq_nocase(const char *s, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)lit[i]))
			return 0;
	return 1;
}

static int starts_with(const char *s, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(e - s) >= n && !memcmp(s, lit, n);
}

static int ends_with(const char *s, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(e - s) >= n && !memcmp(e - n, lit, n);
}

static int has_byte(const char *s, const char *e, int c)
{
	return s < e && memchr(s, c, (size_t)(e - s)) != NULL;
}

static int has_digit(const char *s, const char *e)
{
	for (; s < e; s++)
		if (*s >= '0' && *s <= '9')
			return 1;
	return 0;
}

static int has_str(const char *s, const char *e, const char *lit)
{
	return s < e && memmem(s, (size_t)(e - s), lit, strlen(lit)) != NULL;
}

/* ---- separators ---- */

enum sep { SEP_NONE, SEP_QUOTE, SEP_FORWARD };

static const struct {
	const char *phrase; /* between the dashes; ASCII case ignored */
	enum sep kind;
} separators[] = {
    {"original message", SEP_QUOTE},	    /* Outlook, Naver, Outlook Express */
    {"원본 메시지", SEP_QUOTE},		    /* Naver, Korean Outlook */
    {"원본 메일", SEP_QUOTE},		    /* Daum/Kakao */
    {"원래 메시지", SEP_QUOTE},		    /* Daum/Kakao, older */
    {"ursprüngliche nachricht", SEP_QUOTE}, /* German Outlook */
    {"forwarded message", SEP_FORWARD},	    /* Gmail, Thunderbird */
    {"전달된 메일", SEP_FORWARD},	    /* Korean Gmail */
    {"전달된 메시지", SEP_FORWARD},	    /* Korean Thunderbird, Naver */
    {"weitergeleitete nachricht", SEP_FORWARD},
};

/* "--- <phrase> ---" with at least two dashes on each side, or Apple's
 * "Begin forwarded message:". */
static enum sep separator(const char *s, const char *e)
{
	const char *a = s, *b = e;

	if (e - s > SEP_MAX)
		return SEP_NONE;
	if (e - s == 24 && eq_nocase(s, "begin forwarded message:", 24))
		return SEP_FORWARD;
	while (a < b && *a == '-')
		a++;
	if (a - s < 2)
		return SEP_NONE;
	while (b > a && b[-1] == '-')
		b--;
	if (e - b < 2)
		return SEP_NONE;
	while (a < b && *a == ' ')
		a++;
	while (b > a && b[-1] == ' ')
		b--;
	for (size_t i = 0; i < ARRAY_SIZE(separators); i++) {
		size_t n = strlen(separators[i].phrase);
		if ((size_t)(b - a) == n && eq_nocase(a, separators[i].phrase, n))
			return separators[i].kind;
	}
	return SEP_NONE;
}

/* ---- Outlook header blocks ---- */

enum { H_FROM = 1, H_SENT = 2, H_TO = 4, H_CC = 8, H_SUBJECT = 16 };

static const struct {
	const char *key; /* ASCII case ignored */
	int bit;
} header_keys[] = {
    {"from", H_FROM},	   {"von", H_FROM},	   {"보낸 사람", H_FROM},  {"보낸사람", H_FROM},
    {"sent", H_SENT},	   {"date", H_SENT},	   {"gesendet", H_SENT},   {"datum", H_SENT},
    {"보낸 날짜", H_SENT}, {"보낸날짜", H_SENT},   {"날짜", H_SENT},	   {"to", H_TO},
    {"an", H_TO},	   {"받는 사람", H_TO},	   {"받는사람", H_TO},	   {"cc", H_CC},
    {"참조", H_CC},	   {"subject", H_SUBJECT}, {"betreff", H_SUBJECT}, {"제목", H_SUBJECT},
};

/* The H_ bit of a "Key: value" line ("*Key:*", "Key :" too), or 0. */
static int header_key(const char *s, const char *e)
{
	if (s < e && *s == '*')
		s++;
	for (size_t i = 0; i < ARRAY_SIZE(header_keys); i++) {
		size_t n = strlen(header_keys[i].key);
		if ((size_t)(e - s) <= n || !eq_nocase(s, header_keys[i].key, n))
			continue;
		const char *p = s + n;
		if (p < e && *p == '*')
			p++;
		while (p < e && *p == ' ')
			p++;
		if (p < e && *p == ':')
			return header_keys[i].bit;
	}
	return 0;
}

/* The From line l starts a header block: Sent (or Date) and Subject lines
 * follow before a blank line, within HEADER_LOOKAHEAD lines. */
static int header_block(const char *text, size_t len, const struct line *l)
{
	int bits = 0, other = 0;
	size_t pos = l->next;

	for (int i = 0; i < HEADER_LOOKAHEAD && pos < len; i++) {
		struct line m;
		line_at(text, len, pos, &m);
		if (m.s == m.e)
			break;
		int k = header_key(m.s, m.e);
		if (k)
			bits |= k;
		else if (++other > HEADER_CONT_MAX) /* a wrapped To: list is fine */
			break;
		pos = m.next;
	}
	return (bits & H_SENT) && (bits & H_SUBJECT);
}

/* Outlook's "________________________________" above the header block. */
static int is_rule(const char *s, const char *e)
{
	if (e - s < RULE_MIN)
		return 0;
	for (; s < e; s++)
		if (*s != '_')
			return 0;
	return 1;
}

/* ---- attribution lines ---- */

/* Could a line start an attribution?  (Cheap test before the real one.) */
static int attribution_start(const char *s, const char *e)
{
	return e - s <= ATTRIB_MAX &&
	       (starts_with(s, e, "On ") || starts_with(s, e, "Am ") || (*s >= '0' && *s <= '9'));
}

/* A time of day, "2:03" or "14:03:00": a digit, a colon, two digits. */
static int has_time(const char *s, const char *e)
{
	for (const char *p = s + 1; p + 2 < e; p++)
		if (*p == ':' && p[-1] >= '0' && p[-1] <= '9' && p[1] >= '0' && p[1] <= '9' &&
		    p[2] >= '0' && p[2] <= '9')
			return 1;
	return 0;
}

/* Is a[as..ae) (continued on b[bs..be) when a client wrapped it; bs NULL
 * otherwise) an attribution line?  Its first part must hold a digit (the
 * date), and the line a time of day or an address ("@"): every client's
 * attribution has one of them, while a customer's sentence "On March 5,
 * the printer wrote:" has neither. */
static int attribution(const char *as, const char *ae, const char *bs, const char *be)
{
	const char *ls = bs ? bs : as, *le = bs ? be : ae; /* the last part */
	size_t n = (size_t)(ae - as) + (bs ? (size_t)(be - bs) : 0);

	if (as == ae || n > ATTRIB_MAX || !has_digit(as, ae))
		return 0;
	if (!has_time(as, ae) && !has_byte(as, ae, '@') &&
	    !(bs && (has_time(bs, be) || has_byte(bs, be, '@'))))
		return 0;
	if (starts_with(as, ae, "On "))
		return ends_with(ls, le, "wrote:");
	if (starts_with(as, ae, "Am "))
		return ends_with(ls, le, ":") &&
		       (has_str(as, ae, "schrieb") || (bs && has_str(bs, be, "schrieb")));
	if (*as >= '0' && *as <= '9')
		return ends_with(ls, le, "작성:") || ends_with(ls, le, "님의 말:");
	return 0;
}

/* A short line ending like an attribution, found just above a ">" run
 * (Thunderbird: "Jane Doe wrote:", "홍길동 님이 쓴 글:"). */
static int intro(const char *s, const char *e)
{
	return e - s <= INTRO_MAX && (ends_with(s, e, "wrote:") || ends_with(s, e, "작성:") ||
				      ends_with(s, e, "쓴 글:") || ends_with(s, e, "schrieb:") ||
				      ends_with(s, e, "님의 말:"));
}

/* From pos on, is there a ">" line with new (non-">", non-blank) text
 * after it?  Then the customer answered inline below an attribution. */
static int inline_reply(const char *text, size_t len, size_t pos)
{
	int quoted = 0;
	while (pos < len) {
		struct line l;
		line_at(text, len, pos, &l);
		if (l.s < l.e) {
			if (*l.s == '>')
				quoted = 1;
			else if (quoted)
				return 1;
		}
		pos = l.next;
	}
	return 0;
}

/* The cut moved back over trailing white space; len if nothing is left. */
static size_t finish(const char *text, size_t len, size_t cut)
{
	const unsigned char *t = (const unsigned char *)text;
	while (cut > 0) {
		unsigned char c = t[cut - 1];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			cut--;
		else if (c == 0xA0 && cut >= 2 && t[cut - 2] == 0xC2)
			cut -= 2;
		else
			break;
	}
	return cut ? cut : len;
}

size_t quote_strip(const char *text, size_t len)
{
	struct line prev = {0}; /* the previous non-blank line */
	int have_prev = 0;
	int in_run = 0;	    /* the last non-blank line started with ">" */
	int answered = 0;   /* new text followed a ">" run: inline reply */
	size_t run_cut = 0; /* where the current ">" run (or its intro) starts */
	size_t pos = 0;

	if (!text)
		return len;
	while (pos < len) {
		struct line l;
		line_at(text, len, pos, &l);
		pos = l.next;
		if (l.s == l.e)
			continue;
		if (*l.s == '>') {
			if (!in_run) {
				in_run = 1;
				run_cut = have_prev && intro(prev.s, prev.e) ? prev.start : l.start;
			}
			prev = l;
			have_prev = 1;
			continue;
		}
		if (in_run) {
			in_run = 0;
			answered = 1;
		}

		enum sep k = separator(l.s, l.e);
		if (k == SEP_FORWARD)
			return len;
		if (k == SEP_QUOTE)
			return finish(text, len, l.start);

		if (attribution_start(l.s, l.e)) {
			size_t after = 0;
			if (attribution(l.s, l.e, NULL, NULL)) {
				after = l.next;
			} else if (l.next < len) {
				struct line m;
				line_at(text, len, l.next, &m);
				if (m.s < m.e && *m.s != '>' && attribution(l.s, l.e, m.s, m.e))
					after = m.next;
			}
			if (after)
				return inline_reply(text, len, after) ? len
								      : finish(text, len, l.start);
		}

		if (header_key(l.s, l.e) == H_FROM && header_block(text, len, &l))
			return finish(text, len,
				      have_prev && is_rule(prev.s, prev.e) ? prev.start : l.start);
		prev = l;
		have_prev = 1;
	}
	if (in_run && !answered)
		return finish(text, len, run_cut);
	return len;
}
