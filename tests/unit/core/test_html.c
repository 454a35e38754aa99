/* test_html.c - the allow-list HTML sanitizer (core/html.h).
 *
 * Exact outputs for the common cases; for the attack vectors (the OWASP XSS
 * filter evasion cheat sheet and well-known mutation-XSS payloads) an
 * independent checker, check_out(), reads the output back and fails on any
 * element or attribute outside the allow-list, a URL with a refused scheme,
 * a raw < > " ' in text, an unknown entity, unbalanced tags, nesting over
 * HTML_MAX_DEPTH or invalid UTF-8.  Then the limits: 10000 levels of
 * nesting, 5 MB inputs (including the shapes that are quadratic in
 * libxml2 2.9 itself), output caps at every size, NULs and invalid UTF-8,
 * and concurrent calls from several threads.
 */
#include "base/buf.h"
#include "core/html.h"
#include "testutil.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- an independent reader of the output ---- */
#include "../../fuzz/html/html_check.h"
/* What a browser takes as the scheme of URL u (lower case), or "" for none. */
static void scheme_of(const char *u, char *sch, size_t cap)
{
	struct buf c = BUF_INIT;
	const char *p = u;
	while (*p && (unsigned char)*p <= 0x20)
		p++;
	for (; *p; p++)
		if (*p != '\t' && *p != '\n' && *p != '\r')
			buf_addc(&c, *p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	size_t k = strspn(c.s, "abcdefghijklmnopqrstuvwxyz0123456789+-.");
	sch[0] = '\0';
	if (k && c.s[0] >= 'a' && c.s[0] <= 'z' && c.s[k] == ':' && k < cap)
		memcpy(sch, c.s, k), sch[k] = '\0';
	buf_release(&c);
}

/* NULL if out[0..n) is safe and well-formed, else what is wrong. */
static const char *check_out(const char *out, size_t n)
{
	static __thread char why[200];
	const char *stack[HTML_MAX_DEPTH + 1];
	int depth = 0;
	struct buf v = BUF_INIT;
	const char *err = NULL;
	if (strlen(out) != n)
		return "NUL in output";
	if (!utf8_valid((const unsigned char *)out, n))
		return "invalid UTF-8";
	for (size_t i = 0; i < n && !err;) {
		char c = out[i];
		if (c == '>' || c == '"' || c == '\'') {
			snprintf(why, sizeof(why), "raw %c in text at %zu", c, i);
			err = why;
			break;
		}
		if (c == '&') {
			size_t e = i;
			while (e < n && out[e] != ';')
				e++;
			if (e == n || unescape(out + i, e + 1 - i, &v))
				err = "unknown entity";
			i = e + 1;
			continue;
		}
		if (c != '<') {
			i++;
			continue;
		}
		int end = out[i + 1] == '/';
		size_t a = i + 1 + end, b = a;
		while (b < n &&
		       ((out[b] >= 'a' && out[b] <= 'z') || (out[b] >= '0' && out[b] <= '9')))
			b++;
		if (!in_list(allowed, out + a, b - a)) {
			snprintf(why, sizeof(why), "element %.*s", (int)(b - a), out + a);
			err = why;
			break;
		}
		char el[16];
		snprintf(el, sizeof(el), "%.*s", (int)(b - a), out + a);
		if (end) {
			if (out[b] != '>' || !depth || strcmp(stack[depth - 1], el)) {
				snprintf(why, sizeof(why), "unbalanced </%s> at %zu", el, i);
				err = why;
				break;
			}
			depth--;
			i = b + 1;
			continue;
		}
		while (!err && out[b] == ' ') {
			size_t an = ++b;
			while (out[b] >= 'a' && out[b] <= 'z')
				b++;
			if (!attr_allowed(el, out + an, b - an)) {
				snprintf(why, sizeof(why), "attribute %.*s on %s", (int)(b - an),
					 out + an, el);
				err = why;
				break;
			}
			if (out[b] != '=' || out[b + 1] != '"') {
				err = "attribute syntax";
				break;
			}
			size_t vs = b + 2, ve = vs;
			while (ve < n && out[ve] != '"' && out[ve] != '<' && out[ve] != '>')
				ve++;
			if (out[ve] != '"' || unescape(out + vs, ve - vs, &v)) {
				err = "attribute value";
				break;
			}
			char sch[32];
			if ((b - an == 4 && !memcmp(out + an, "href", 4)) ||
			    (b - an == 3 && !memcmp(out + an, "src", 3))) {
				scheme_of(v.s, sch, sizeof(sch));
				int img = out[an] == 's';
				if (img ? strcmp(sch, "http") && strcmp(sch, "https") &&
					      strcmp(sch, "cid")
					: *sch && strcmp(sch, "http") && strcmp(sch, "https") &&
					      strcmp(sch, "mailto") && strcmp(sch, "tel")) {
					snprintf(why, sizeof(why), "url scheme \"%s\"", sch);
					err = why;
				}
			}
			b = ve + 1;
		}
		if (err)
			break;
		if (out[b] != '>') {
			err = "tag syntax";
			break;
		}
		if (strcmp(el, "br") && strcmp(el, "hr") && strcmp(el, "img")) {
			if (depth == HTML_MAX_DEPTH) {
				err = "nested too deep";
				break;
			}
			stack[depth++] = allowed[0]; /* placeholder, replaced below */
			for (const char *const *p = allowed; *p; p++)
				if (!strcmp(*p, el))
					stack[depth - 1] = *p;
		}
		i = b + 1;
	}
	if (!err && depth)
		err = "unclosed element";
	buf_release(&v);
	return err;
}

/* ---- helpers ---- */

struct res {
	struct buf out, text;
	int rc;
};

static void run(struct res *r, const char *in, size_t len)
{
	buf_init(&r->out, 0);
	buf_init(&r->text, 0);
	r->rc = html_sanitize(in, len, &r->out, &r->text);
	const char *err = check_out(r->out.s, r->out.len);
	if (err)
		fail_msg("%s in output of \"%.200s\": %.300s", err, in, r->out.s);
	if (!utf8_valid((const unsigned char *)r->text.s, r->text.len) ||
	    strlen(r->text.s) != r->text.len)
		fail_msg("bad text for \"%.200s\"", in);
	if (r->text.len &&
	    (strchr(" \n\t", r->text.s[0]) || strchr(" \n\t", r->text.s[r->text.len - 1])))
		fail_msg("text not trimmed for \"%.200s\": [%s]", in, r->text.s);
}

static void res_release(struct res *r)
{
	buf_release(&r->out);
	buf_release(&r->text);
}

/* in sanitizes to want_html and renders as want_text (NULL: not checked). */
static void same(const char *in, const char *want_html, const char *want_text)
{
	struct res r;
	run(&r, in, strlen(in));
	assert_int_equal(r.rc, 0);
	if (strcmp(r.out.s, want_html))
		fail_msg("html of \"%s\"\n  got:  %s\n  want: %s", in, r.out.s, want_html);
	if (want_text && strcmp(r.text.s, want_text))
		fail_msg("text of \"%s\"\n  got:  [%s]\n  want: [%s]", in, r.text.s, want_text);
	res_release(&r);
}

#define LINK(href) "<a href=\"" href "\" rel=\"noopener noreferrer\" target=\"_blank\">"
#define NOLINK "<a rel=\"noopener noreferrer\" target=\"_blank\">"

/* ---- formatting that survives ---- */

static void test_formatting(void **state)
{
	same("hello <b>world</b>", "hello <b>world</b>", "hello world");
	same("<strong>s</strong><i>i</i><em>e</em><u>u</u><s>s</s><strike>k</strike>"
	     "H<sub>2</sub>O x<sup>2</sup> <code>c</code>",
	     "<strong>s</strong><i>i</i><em>e</em><u>u</u><s>s</s><strike>k</strike>"
	     "H<sub>2</sub>O x<sup>2</sup> <code>c</code>",
	     "sieuskH2O x2 c");
	same("<p>Hi &amp; bye</p><ul><li>one<li>two</ul><ol start=3><li>three</ol>",
	     "<p>Hi &amp; bye</p><ul><li>one</li><li>two</li></ul>"
	     "<ol start=\"3\"><li>three</li></ol>",
	     "Hi & bye\n\n- one\n- two\n- three");
	same("<blockquote>q</blockquote><h1>T</h1><h6>t</h6><hr><pre>a  b\n c</pre>",
	     "<blockquote>q</blockquote><h1>T</h1><h6>t</h6><hr><pre>a  b\n c</pre>",
	     "q\n\nT\n\nt\n\na  b\n c");
	same("<a href=\"https://example.com/a?b=1&amp;c=2\" title=\"Go\">here</a>",
	     "<a href=\"https://example.com/a?b=1&amp;c=2\" title=\"Go\" rel=\"noopener "
	     "noreferrer\" target=\"_blank\">here</a>",
	     "here");
	same("<table border=1><caption>c</caption><thead><tr><th>h</th></tr></thead>"
	     "<tbody><tr><td colspan=2 rowspan=\"3\" width=5>1</td><td>2</td></tr></tbody>"
	     "<tfoot><tr><td>f</td></tr></tfoot></table>",
	     "<table><caption>c</caption><thead><tr><th>h</th></tr></thead>"
	     "<tbody><tr><td colspan=\"2\" rowspan=\"3\">1</td><td>2</td></tr></tbody>"
	     "<tfoot><tr><td>f</td></tr></tfoot></table>",
	     "c\nh\n1 2\nf");
	same("<div dir=RTL lang=ko-KR class=x id=y>x</div><span dir=sideways lang='a b'>y</span>",
	     "<div dir=\"rtl\" lang=\"ko-KR\">x</div><span>y</span>", "x\ny");
	/* renamed and unwrapped elements */
	same("<center>c</center><section>s</section><font color=red face=x>f</font><o:p>o</o:p>"
	     "<tt>t</tt><del>d</del><ins>i</ins><xmp>x</xmp>",
	     "<div>c</div><div>s</div>fo<code>t</code><s>d</s><u>i</u><pre>x</pre>",
	     "c\ns\nfotdi\n\nx");
	/* an empty document */
	same("", "", "");
	same("   \n  ", "   \n  ", "");
}

static void test_links(void **state)
{
	same("<a href=\"http://a.example/\">a</a>", LINK("http://a.example/") "a</a>", "a");
	same("<a href=\"HTTPS://A.EXAMPLE/\">a</a>", LINK("HTTPS://A.EXAMPLE/") "a</a>", "a");
	same("<a href=\"mailto:help@example.com\">m</a>", LINK("mailto:help@example.com") "m</a>",
	     "m");
	same("<a href=\"tel:+82-2-1234-5678\">t</a>", LINK("tel:+82-2-1234-5678") "t</a>", "t");
	same("<a href=\"/help/faq\">r</a>", LINK("/help/faq") "r</a>", "r");
	same("<a href=\"#top\">t</a>", LINK("#top") "t</a>", "t");
	same("<a href=\"?page=2\">p</a>", LINK("?page=2") "p</a>", "p");
	same("<a href=\"//cdn.example/x\">p</a>", LINK("//cdn.example/x") "p</a>", "p");
	/* spaces and newlines around and inside a URL go, as in a browser */
	same("<a href=\"  https://ex.com/a\nb  \">x</a>", LINK("https://ex.com/ab") "x</a>", "x");
	/* rel and target are ours, whatever the input says */
	same("<a href=\"https://x.example\" rel=opener target=_self name=n id=i>x</a>",
	     LINK("https://x.example") "x</a>", "x");
	same("<a>no href</a>", NOLINK "no href</a>", "no href");
	same("<a href=\"\">empty</a>", NOLINK "empty</a>", "empty");
	/* title is text, escaped */
	same("<a title='\"><script>alert(1)</script>'>x</a>",
	     "<a title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\" rel=\"noopener "
	     "noreferrer\" target=\"_blank\">x</a>",
	     "x");
}

static void test_url_evasion(void **state)
{
	static const char *const hrefs[] = {
	    "javascript:alert(1)",
	    "JAVASCRIPT:alert(1)",
	    "JaVaScRiPt:alert(1)",
	    " javascript:alert(1)",
	    "\t\n javascript:alert(1)",
	    "&#x20;javascript:alert(1)",
	    "&#14; javascript:alert(1)",
	    "jav\tascript:alert(1)",
	    "jav&#x09;ascript:alert(1)",
	    "jav&#x0A;ascript:alert(1)",
	    "jav&#x0D;ascript:alert(1)",
	    "jav&#9;ascript:alert(1)",
	    "java\nscript:alert(1)",
	    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
	    ("&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
	     "&#0000116&#0000058alert(1)"),
	    "&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)",
	    "&#X6a;avascript:alert(1)",
	    "javascript&#58;alert(1)",
	    "javascript&#x3a;alert(1)",
	    "vbscript:msgbox(1)",
	    "VBScript:msgbox(1)",
	    "livescript:alert(1)",
	    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
	    "DATA:text/html,<script>alert(1)</script>",
	    "file:///etc/passwd",
	    "ftp://example.com/",
	    "javascript:alert(1)//http://ok",
	};
	for (size_t i = 0; i < sizeof(hrefs) / sizeof(hrefs[0]); i++) {
		char in[512];
		snprintf(in, sizeof(in), "<a href=\"%s\">x</a>", hrefs[i]);
		same(in, NOLINK "x</a>", "x");
		snprintf(in, sizeof(in), "<a href='%s'>x</a>", hrefs[i]);
		same(in, NOLINK "x</a>", "x");
	}
	/* entities a browser would not decode stay literal, so no scheme */
	same("<a href=\"javascript&colon;alert(1)\">x</a>",
	     LINK("javascript&amp;colon;alert(1)") "x</a>", "x");
	/* a C0 control inside becomes U+FFFD: then it has no scheme at all */
	same("<a href=\"java\x01script:alert(1)\">x</a>",
	     LINK("java\xEF\xBF\xBDscript:alert(1)") "x</a>", "x");
}

static void test_img(void **state)
{
	same("<img src=x onerror=alert(1)>", "", "");
	same("<img src=\"https://e.example/a.png\" onerror=\"alert(1)\" alt=\"A &amp; B\" "
	     "width=10px height=\"50%\" style=\"x\" class=c>",
	     "<img src=\"https://e.example/a.png\" alt=\"A &amp; B\" width=\"10\" "
	     "height=\"50%\">",
	     "");
	same("<img src=\"cid:part1.abc@example.com\" width=\"abc\">",
	     "<img src=\"cid:part1.abc@example.com\">", "");
	same("<img src=\"http://e.example/a.png\">", "<img src=\"http://e.example/a.png\">", "");
	same("<img src=\"javascript:alert(1)\">", "", "");
	same("<img src=\"data:image/png;base64,iVBORw0KGgo=\">", "", "");
	same("<img src=\"/relative.png\">", "", "");
	same("<img src=\"//host/x.png\">", "", "");
	same("<img>", "", "");
	same("a<img src=\"https://e.example/a.png\">b", "a<img src=\"https://e.example/a.png\">b",
	     "ab");
}

static void test_scripts(void **state)
{
	same("<script>alert(1)</script>ok", "ok", "ok");
	same("<SCRIPT>alert(1)</SCRIPT>ok", "ok", "ok");
	same("<ScRiPt>alert(1)</sCrIpT>ok", "ok", "ok");
	same("<script src=\"http://evil.example/x.js\"></script>ok", "ok", "ok");
	same("<script/xss src=\"http://evil.example/x.js\"></script>ok", "ok", "ok");
	same("<script>alert(1)", "", "");
	same("a<script>document.write('<b>x</b>')</script>b", "ab", "ab");
	same("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)", "ipt>alert(1)");
	same("<<script>alert(1);//<</script>", "&lt;", "<");
	same("<x:script>alert(1)</x:script>ok", "ok", "ok");
	same("<svg:script>alert(1)</svg:script>ok", "ok", "ok");
	same("<b>a<script>alert(1)</script>b</b>", "<b>ab</b>", "ab");
}

static void test_dropped(void **state)
{
	same("<svg onload=alert(1)><b>x</b></svg>after", "after", "after");
	same("<svg/onload=alert(1)>inside", "", ""); /* a browser also puts it in the svg */
	same("<iframe src=\"http://evil.example\">inner</iframe>after", "after", "after");
	same("<style>@import 'http://evil.example/x.css';</style>after", "after", "after");
	same("<div style=\"background:url(javascript:alert(1))\">x</div>", "<div>x</div>", "x");
	same("<p style=\"color:red\" onclick=\"alert(1)\" onmouseover=alert(1)>x</p>", "<p>x</p>",
	     "x");
	same("<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">after", "after",
	     "after");
	same("<base href=\"http://evil.example/\">after", "after", "after");
	same("<link rel=stylesheet href=\"http://evil.example/x.css\">after", "after", "after");
	same("<form action=\"http://evil.example\" method=post><input name=a value=b>"
	     "<button>Go</button></form>after",
	     "<div>Go</div>after", "Go\nafter");
	same("<object data=\"x.swf\"><param name=a value=b>fallback</object>after", "after",
	     "after");
	same("<embed src=\"x.swf\">after", "after", "after");
	same("<math><mi>x</mi></math>after", "after", "after");
	same("<template><b>t</b></template>after", "after", "after");
	same("<noscript>ns</noscript>after", "after", "after");
	same("<title>t</title>after", "after", "after");
	same("<video><source src=x onerror=alert(1)>v</video>after", "after", "after");
	same("<audio src=x onerror=alert(1)></audio>after", "after", "after");
	same("<select><option>a<option>b</select>after", "after", "after");
	same("<frameset><frame src=\"javascript:alert(1)\"></frameset>after", "after", "after");
	same("<textarea>t<script>alert(1)</script></textarea>", "t", "t");
	same("<xml><o:OfficeDocumentSettings>s</o:OfficeDocumentSettings></xml>after", "after",
	     "after");
	same("<details open ontoggle=alert(1)>d</details>", "<div>d</div>", "d");
	same("<source>a<track>b<wbr>c<keygen>d<bgsound>e", "abcde", "abcde");
}

static void test_comments_cdata(void **state)
{
	same("<!--<script>alert(1)</script>-->x", "x", "x");
	same("a<!-- secret -->b", "ab", "ab");
	same("<!--[if gte IE 4]><script>alert(1)</script><![endif]-->x", "x", "x");
	same("x<![CDATA[<script>alert(1)</script>]]>y", "x&lt;![CDATA[]]&gt;y", "x<![CDATA[]]>y");
	same("<?php echo 1 ?>x<?xml version=\"1.0\"?>", "x", "x");
	same("<!DOCTYPE html><p>x</p>", "<p>x</p>", "x");
	same("a<!-- unterminated <b>x</b>", "a", "a");
}

static void test_unclosed(void **state)
{
	same("<b><i>x", "<b><i>x</i></b>", "x");
	same("<b>a<i>b</b>c</i>d", "<b>a<i>b</i></b>cd", "abcd");
	same("</div></p></b>x</i>", "x", "x");
	same("<div><span>a", "<div><span>a</span></div>", "a");
	same("<p>a<p>b", "<p>a</p><p>b</p>", "a\n\nb");
	same("<ul><li>a<li>b", "<ul><li>a</li><li>b</li></ul>", "- a\n- b");
	same("<table><tr><td>1<td>2<tr><td>3",
	     "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>", "1 2\n3");
	same("<a href=\"https://x.example\">a", LINK("https://x.example") "a</a>", "a");
	same("<p>a</body>b</html>c", "<p>a</p><p>b</p><p>c</p>", "a\n\nb\n\nc");
	same("<html><head><title>T</title><style>p{}</style></head><body><p>x</p></body></html>",
	     "<p>x</p>", "x");
	same("<b", "<b></b>", "");
	same("<", "&lt;", "<");
	same("a < b > c", "a &lt; b &gt; c", "a < b > c");
	same("<div", "<div></div>", "");
	same("<a href=\"https://x.example", LINK("https://x.example") "</a>", "");
}

/* Vectors from the OWASP XSS filter evasion cheat sheet and mutation-XSS
 * write-ups: whatever comes out must pass check_out(). */
static void test_owasp(void **state)
{
	static const char *const v[] = {
	    "<SCRIPT SRC=https://cdn.jsdelivr.net/gh/Moksh45/host-xss.rocks/index.js></SCRIPT>",
	    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/"
	    "onmouseover=1/+/[*/[]/+alert(42);//'>",
	    "<IMG SRC=\"javascript:alert('XSS');\">",
	    "<IMG SRC=javascript:alert('XSS')>",
	    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
	    "<IMG SRC=javascript:alert(&quot;XSS&quot;)>",
	    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
	    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
	    "<a onmouseover=alert(document.cookie)>xxs link</a>",
	    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
	    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
	    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
	    "<IMG SRC= onmouseover=\"alert('xxs')\">",
	    "<IMG onmouseover=\"alert('xxs')\">",
	    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
	    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114"
	    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"
	    "&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
	    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;"
	    "&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
	    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
	    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
	    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
	    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
	    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
	    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
	    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
	    "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
	    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
	    "<SCRIPT/SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
	    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
	    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
	    "<SCRIPT SRC=//xss.rocks/.j>",
	    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
	    "<iframe src=http://xss.rocks/scriptlet.html <",
	    "\\\";alert('XSS');//",
	    "</script><script>alert('XSS');</script>",
	    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
	    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
	    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
	    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
	    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
	    "<STYLE>li {list-style-image: "
	    "url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
	    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
	    "<IMG SRC=\"livescript:[code]\">",
	    "<svg/onload=alert('XSS')>",
	    "<BODY ONLOAD=alert('XSS')>",
	    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
	    "<BR SIZE=\"&{alert('XSS')}\">",
	    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
	    "<LINK REL=\"stylesheet\" HREF=\"http://xss.rocks/xss.css\">",
	    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
	    "<META HTTP-EQUIV=\"Link\" Content=\"<http://xss.rocks/xss.css>; REL=stylesheet\">",
	    "<STYLE>BODY{-moz-binding:url(\"http://xss.rocks/xssmoz.xml#xss\")}</STYLE>",
	    "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE>",
	    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
	    "<STYLE TYPE=\"text/javascript\">alert('XSS');</STYLE>",
	    "<STYLE>.XSS{background-image:url(\"javascript:alert('XSS')\");}</STYLE>"
	    "<A CLASS=XSS></A>",
	    "<STYLE type=\"text/css\">BODY{background:url(\"javascript:alert('XSS')\")}</STYLE>",
	    "<XSS STYLE=\"behavior: url(xss.htc);\">",
	    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
	    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html "
	    "base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
	    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0; URL=http://;URL=javascript:alert('XSS');\">",
	    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
	    "<IFRAME SRC=# onmouseover=\"alert(document.cookie)\"></IFRAME>",
	    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
	    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
	    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
	    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
	    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073"
	    "\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058"
	    ".1053\\0053\\0027\\0029'\\0029\">",
	    "<DIV STYLE=\"background-image: url(&#1;javascript:alert('XSS'))\">",
	    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
	    "<BASE HREF=\"javascript:alert('XSS');//\">",
	    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
	    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH "
	    "A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv\" "
	    "type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>",
	    "<SCRIPT a=\">\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
	    "<SCRIPT =\">\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
	    "<SCRIPT a=\">\" '' SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
	    "<SCRIPT \"a='>'\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
	    "<SCRIPT a=`>` SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
	    "<SCRIPT a=\">'>\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
	    "<SCRIPT>document.write(\"<SCRI\");</SCRIPT>PT "
	    "SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
	    "<A HREF=\"http://66.102.7.147/\">XSS</A>",
	    "<A HREF=\"http://%77%77%77%2E%67%6F%6F%67%6C%65%2E%63%6F%6D\">XSS</A>",
	    "<A HREF=\"javascript:document.location='http://www.google.com/'\">XSS</A>",
	    "<A HREF=\"//www.google.com/\">XSS</A>",
	    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
	    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
	    "<a href=\"\x01javascript:alert(1)\">x</a>",
	    "<a href=\"java&#13;script:alert(1)\">x</a>",
	    "<a href=\"jAvAsCrIpT&#58;alert(1)\">x</a>",
	    "<a href=\"javascript&colon;alert(1)\">x</a>",
	    "<a href=\"&#1;javascript:alert(1)\">x</a>",
	    "<a href=\"&#0;javascript:alert(1)\">x</a>",
	    "<a href=\"j&#x0;avascript:alert(1)\">x</a>",
	    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
	    "<svg><style><img src=x onerror=alert(1)></style></svg>",
	    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
	    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
	    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
	    "<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img onerror=alert(1) "
	    "src=1>\"></textarea></mtext></svg></mglyph></mi></math>",
	    "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
	    "<p/onclick=alert(1)>x",
	    "<div/style=\"x\">y",
	    "<xmp><script>alert(1)</script></xmp>",
	    "<plaintext><script>alert(1)",
	    "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>",
	    "<isindex action=javascript:alert(1) type=image>",
	    "<object data=\"javascript:alert(1)\">",
	    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
	    "<img src=\"x` `<script>alert(1)</script>\"` `>",
	    "<img src onerror /\" '\"= alt=javascript:alert(1)//\">",
	    "<a href=\"java\nscript:alert(1)\">x</a>",
	    "<a\thref=\"javascript:alert(1)\">x</a>",
	    "<a href=javascript:alert(1)>x</a>",
	    "<a href=`javascript:alert(1)`>x</a>",
	    "<a href=\"javascript\\x3Aalert(1)\">x</a>",
	    "<a href=\"&Tab;javascript:alert(1)\">x</a>",
	    "<a href=\"&NewLine;javascript:alert(1)\">x</a>",
	    "<a href=\"\xEF\xBC\xAA"
	    "avascript:alert(1)\">x</a>",
	    "<A HREF=\"http://www.google.com./\">XSS</A>",
	    "<IMG SRC=\"http://x.example/a.png\" / onerror=alert(1)>",
	    "<a href=\"https://x.example/\"\"onmouseover=\"alert(1)\">x</a>",
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct res r;
		run(&r, v[i], strlen(v[i]));
		assert_int_equal(r.rc, 0);
		char *lower = strdup(r.out.s);
		for (char *p = lower; *p; p++)
			*p = *p >= 'A' && *p <= 'Z' ? *p + 32 : *p;
		if (strstr(lower, "<script") || strstr(lower, "<svg") || strstr(lower, "<style") ||
		    strstr(lower, "<iframe") || strstr(lower, "javascript:\""))
			fail_msg("vector %zu \"%s\" gave %s", i, v[i], r.out.s);
		free(lower);
		res_release(&r);
	}
}

/* ---- text, characters, limits ---- */

static void test_korean(void **state)
{
	static const char ko[] =
	    "안녕하세요, 고객님! 주문하신 상품(배송번호 123-456)은 내일 도착합니다. "
	    "환불·교환 문의는 「고객센터」로 연락 주세요. 漢字 ㄱㄴㄷ 😀";
	struct buf in = BUF_INIT, want = BUF_INIT;
	buf_addf(&in, "<p>%s</p>", ko);
	same(in.s, in.s, ko);
	buf_reset(&in);
	/* a declared charset is ignored: the input is UTF-8 */
	buf_addf(&in, "<meta charset=\"euc-kr\"><a title=\"%s\">%s</a>", ko, ko);
	buf_addf(&want, "<a title=\"%s\" rel=\"noopener noreferrer\" target=\"_blank\">%s</a>", ko,
		 ko);
	same(in.s, want.s, ko);
	buf_reset(&in);
	buf_reset(&want);
	buf_addf(&in, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><p>%s</p>", ko);
	buf_addf(&want, "<p>%s</p>", ko);
	same(in.s, want.s, ko);
	/* entities decode to UTF-8 */
	same("&#xD55C;&#44544; &lt;&gt;&amp;&quot;&apos;&#39; &copy;&nbsp;x",
	     "한글 &lt;&gt;&amp;&quot;&#39;&#39; ©\xC2\xA0x", "한글 <>&\"'' © x");
	buf_release(&in);
	buf_release(&want);
}

static void test_text(void **state)
{
	struct {
		const char *in, *text;
	} t[] = {
	    {"  hello   \n\n  world  ", "hello world"},
	    {"<p>one</p><p>two</p>", "one\n\ntwo"},
	    {"<div>a</div><div>b</div>", "a\nb"},
	    {"<div>a<br></div><div>b</div>", "a\nb"},
	    {"a<br>b<br><br>c<br><br><br><br>d", "a\nb\n\nc\n\nd"},
	    {"<br><br>a<br><br>", "a"},
	    {"<p>&nbsp;</p><p>a&nbsp;&nbsp;b</p><p>&nbsp;</p>", "a b"},
	    {"<p>Intro</p><ul><li>a</li><li> b </li></ul><p>end</p>", "Intro\n\n- a\n- b\n\nend"},
	    {"<ul><li>a<ul><li>b<ol><li>c</ol></ul></ul>", "- a\n  - b\n    - c"},
	    {"<ul><li><p>para item</p></li></ul>", "- para item"},
	    {"<h1>Title</h1>text<hr>more", "Title\n\ntext\n\nmore"},
	    {"See <a href=\"https://x.example\">our <b>docs</b></a>.", "See our docs."},
	    {"<pre>  code\n    more\n</pre>after", "code\n    more\n\nafter"},
	    {"<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>x",
	     "k v\na 1\nx"},
	    {"<blockquote>q</blockquote>r", "q\n\nr"},
	    {"a<script>x</script>b<style>y</style>c", "abc"},
	    {"&lt;b&gt; is &amp;lt;b&amp;gt;", "<b> is &lt;b&gt;"},
	    {"<span>a</span> <span>b</span>", "a b"},
	    {"<b>a</b><i>b</i>", "ab"},
	    {"x\r\ny\rz", "x y z"},
	    {"<center>a</center>b<font>c</font>", "a\nbc"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct res r;
		run(&r, t[i].in, strlen(t[i].in));
		if (strcmp(r.text.s, t[i].text))
			fail_msg("text of \"%s\"\n  got:  [%s]\n  want: [%s]", t[i].in, r.text.s,
				 t[i].text);
		res_release(&r);
	}
	/* text may be NULL, and both bufs are appended to */
	struct buf out = BUF_INIT, text = BUF_INIT;
	buf_adds(&out, "<p>before</p>");
	buf_adds(&text, "before ");
	assert_int_equal(html_sanitize("<b>x</b>", 8, &out, NULL), 0);
	assert_string_equal(out.s, "<p>before</p><b>x</b>");
	assert_int_equal(html_sanitize("<b> x </b> ", 11, &out, &text), 0);
	assert_string_equal(out.s, "<p>before</p><b>x</b><b> x </b> ");
	assert_string_equal(text.s, "before x");
	assert_int_equal(html_sanitize(NULL, 0, &out, &text), 0);
	assert_string_equal(text.s, "before x");
	buf_release(&out);
	buf_release(&text);
}

static void test_invalid_utf8_and_nul(void **state)
{
	static const char bad[] = "a\xff"
				  "b\xc3("
				  "c\xed\xa0\x80"
				  "d\xf4\x90\x80\x80"
				  "e\xc0\xaf"
				  "f\xe2\x82";
	struct res r;
	run(&r, bad, sizeof(bad) - 1);
	assert_string_equal(r.out.s, "a\xEF\xBF\xBD"
				     "b\xEF\xBF\xBD("
				     "c\xEF\xBF\xBD\xEF\xBF\xBD"
				     "\xEF\xBF\xBD"
				     "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
				     "e\xEF\xBF\xBD\xEF\xBF\xBD"
				     "f\xEF\xBF\xBD\xEF\xBF\xBD");
	res_release(&r);

	/* NUL bytes anywhere: in text, in a tag name, in an attribute */
	static const char nul[] = "a\0b<b>c\0</b><a href=\"java\0script:alert(1)\">x</a><scr\0ipt>"
				  "alert(1)</script><img src=\"https://x.example/\0\">";
	run(&r, nul, sizeof(nul) - 1);
	assert_non_null(strstr(r.out.s, "a\xEF\xBF\xBD"
					"b<b>c\xEF\xBF\xBD</b>"));
	assert_null(strstr(r.out.s, "<script"));
	assert_string_equal(r.text.s, "a\xEF\xBF\xBD"
				      "bc\xEF\xBF\xBD"
				      "xalert(1)");
	res_release(&r);

	/* invalid bytes inside a multi-byte Korean text keep the rest intact */
	static const char mix[] = "<p>한\xff글\x80</p>";
	run(&r, mix, sizeof(mix) - 1);
	assert_string_equal(r.out.s, "<p>한\xEF\xBF\xBD글\xEF\xBF\xBD</p>");
	res_release(&r);

	/* a BOM goes, CR LF becomes LF */
	same("\xEF\xBB\xBF<p>a</p>\r\nb\rc", "<p>a</p>\nb\nc", "a\n\nb c");
}

/* Non-overlapping occurrences of needle in s (by hand: ASan's strstr
 * measures the whole haystack on every call). */
static int count(const char *s, const char *needle)
{
	size_t l = strlen(needle);
	int n = 0;
	while (*s) {
		if (!strncmp(s, needle, l)) {
			n++;
			s += l;
		} else {
			s++;
		}
	}
	return n;
}

static void test_deep(void **state)
{
	struct buf in = BUF_INIT;
	struct res r;
	for (int i = 0; i < 10000; i++)
		buf_adds(&in, "<div>");
	buf_adds(&in, "deep");
	for (int i = 0; i < 10000; i++)
		buf_adds(&in, "</div>");
	buf_adds(&in, "after");
	run(&r, in.s, in.len); /* check_out() enforces HTML_MAX_DEPTH */
	assert_string_equal(r.text.s, "deep\nafter");
	assert_true(count(r.out.s, "<div>") == count(r.out.s, "</div>"));
	assert_true(strstr(r.out.s, "deep") < strstr(r.out.s, "after"));
	res_release(&r);

	/* unclosed inline elements, each with text */
	buf_reset(&in);
	for (int i = 0; i < 10000; i++)
		buf_addf(&in, "<b><i>%d ", i);
	run(&r, in.s, in.len);
	assert_non_null(strstr(r.text.s, "0 1 2 "));
	assert_non_null(strstr(r.text.s, " 9999"));
	assert_int_equal(count(r.text.s, " "), 9999);
	res_release(&r);

	/* nested lists and tables, then content after them */
	buf_reset(&in);
	for (int i = 0; i < 10000; i++)
		buf_adds(&in, i % 2 ? "<ul><li>" : "<table><tr><td>");
	buf_adds(&in, "x</td></tr></table>y");
	run(&r, in.s, in.len);
	assert_non_null(strstr(r.out.s, "x"));
	assert_non_null(strstr(r.out.s, "y"));
	res_release(&r);

	/* 101 levels: the innermost element is flattened, its text is not */
	buf_reset(&in);
	for (int i = 0; i < HTML_MAX_DEPTH + 1; i++)
		buf_adds(&in, "<span>");
	buf_adds(&in, "z<br>w");
	run(&r, in.s, in.len);
	assert_int_equal(count(r.out.s, "<span>"), HTML_MAX_DEPTH);
	assert_non_null(strstr(r.out.s, "<span>z<br>w</span>"));
	res_release(&r);
	buf_release(&in);
}

static void test_big(void **state)
{
	struct buf in = BUF_INIT;
	struct res r;
	int paras = 0;
	while (in.len < 5 * 1024 * 1024) {
		buf_addf(&in,
			 "<p>고객님 %d, <b>주문</b> &amp; <a href=\"https://x.example/o?id=%d&amp;"
			 "t=1\" onclick=\"x()\">배송</a> <img src=\"cid:i%d\"><script>x()</script>"
			 "</p>\n",
			 paras, paras, paras);
		paras++;
	}
	run(&r, in.s, in.len);
	assert_int_equal(count(r.out.s, "<p>"), paras);
	assert_int_equal(count(r.out.s, "rel=\"noopener noreferrer\""), paras);
	assert_int_equal(count(r.text.s, "\n\n"), paras - 1);
	res_release(&r);

	/* the same under a 64 KiB cap: cut short, still closed */
	struct buf out;
	buf_init(&out, 65536);
	assert_int_equal(html_sanitize(in.s, in.len, &out, NULL), 0);
	assert_true(out.len <= 65536 && out.len > 65000);
	assert_null(check_out(out.s, out.len));
	buf_release(&out);

	/* shapes that are quadratic inside libxml2 2.9: one tag with 5 MB of
	 * attributes, 5 MB of open tags then stray end tags, 5 MB of entities */
	buf_reset(&in);
	buf_adds(&in, "<b ");
	for (int i = 0; in.len < 5 * 1024 * 1024; i++)
		buf_addf(&in, "a%d=\"%d\" ", i, i);
	buf_adds(&in, "href=x>x</b>y");
	run(&r, in.s, in.len);
	assert_string_equal(r.out.s, "<b>x</b>y");
	res_release(&r);

	buf_reset(&in);
	while (in.len < 2560 * 1024)
		buf_adds(&in, "<b>");
	buf_adds(&in, "x");
	while (in.len < 5 * 1024 * 1024)
		buf_adds(&in, "</x>");
	run(&r, in.s, in.len);
	assert_string_equal(r.text.s, "x");
	res_release(&r);

	buf_reset(&in);
	while (in.len < 5 * 1024 * 1024)
		buf_adds(&in, "&zwnj;&amp;&nosuch;&#x10FFFF;&#0;");
	run(&r, in.s, in.len);
	res_release(&r);

	/* an unterminated comment / quote / script over 5 MB */
	buf_reset(&in);
	buf_adds(&in, "a<!--");
	while (in.len < 5 * 1024 * 1024)
		buf_adds(&in, "<b>x</b>");
	run(&r, in.s, in.len);
	res_release(&r);
	in.s[1] = '<', in.s[2] = 'a', in.s[3] = '=', in.s[4] = '"';
	run(&r, in.s, in.len);
	res_release(&r);
	buf_release(&in);
}

/* Under every cap the output is well-formed, at most the cap, and (without
 * its trailing end tags) a prefix of the uncapped output. */
static void test_caps(void **state)
{
	static const char in[] =
	    "<div><p>한국어 <b>굵게 <i>기울임 &amp; <a href=\"https://x.example/?a=1&b=2\">링크"
	    "</a></i></b></p><ul><li>하나<li>둘</ul><img src=\"cid:x\"><br>끝 &lt;&gt;</div>tail";
	struct buf full = BUF_INIT, fulltext = BUF_INIT;
	assert_int_equal(html_sanitize(in, sizeof(in) - 1, &full, &fulltext), 0);
	for (size_t max = 1; max <= full.len + 1; max++) {
		struct buf out, text;
		buf_init(&out, max);
		buf_init(&text, max);
		assert_int_equal(html_sanitize(in, sizeof(in) - 1, &out, &text), 0);
		assert_true(out.len <= max && text.len <= max);
		const char *err = check_out(out.s, out.len);
		if (err)
			fail_msg("cap %zu: %s: %s", max, err, out.s);
		size_t n = out.len;
		while (n && out.s[n - 1] == '>') {
			size_t k = n - 1;
			while (k && out.s[k] != '<')
				k--;
			if (out.s[k + 1] != '/')
				break;
			n = k;
		}
		if (strncmp(out.s, full.s, n))
			fail_msg("cap %zu: not a prefix: %s", max, out.s);
		assert_true(utf8_valid((const unsigned char *)text.s, text.len));
		assert_int_equal(strncmp(text.s, fulltext.s, text.len > 0 ? text.len - 1 : 0), 0);
		buf_release(&out);
		buf_release(&text);
	}
	/* a cap of 0 means no cap */
	struct buf out;
	buf_init(&out, 0);
	html_sanitize(in, sizeof(in) - 1, &out, NULL);
	assert_string_equal(out.s, full.s);
	buf_release(&out);
	buf_release(&full);
	buf_release(&fulltext);
}

/* Our output is a fixed point: sanitizing it again changes nothing. */
static void test_idempotent(void **state)
{
	static const char *const v[] = {
	    "<p>Hi <b>there</b> &amp; <a href=\"https://x.example/?a=1&b=2\" title='t\"'>x</a></p>",
	    "<ul><li>a<li>b<ol start=2><li>c</ol></ul><table><tr><td colspan=2>1</table>",
	    "<pre>  a\n  b</pre><blockquote dir=rtl>q</blockquote><img src=\"cid:a\" alt=\"'\">",
	    "안녕하세요 <i>고객님</i><br>감사합니다",
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		assert_int_equal(html_sanitize(v[i], strlen(v[i]), &a, NULL), 0);
		assert_int_equal(html_sanitize(a.s, a.len, &b, NULL), 0);
		assert_string_equal(a.s, b.s);
		buf_release(&a);
		buf_release(&b);
	}
}

struct thread_arg {
	const char *in, *want;
	int ok;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	a->ok = 1;
	for (int i = 0; i < 200; i++) {
		struct buf out = BUF_INIT, text = BUF_INIT;
		html_sanitize(a->in, strlen(a->in), &out, &text);
		if (strcmp(out.s, a->want))
			a->ok = 0;
		buf_release(&out);
		buf_release(&text);
	}
	return NULL;
}

static void test_threads(void **state)
{
	static const char in[] =
	    "<div><p>한국어 <b>굵게</b> <script>x</script><a href=\"javascript:x\">"
	    "l</a><img src=\"https://x.example/a.png\" onerror=x></p></div>";
	struct buf want = BUF_INIT;
	html_sanitize(in, sizeof(in) - 1, &want, NULL);
	pthread_t th[8];
	struct thread_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (struct thread_arg){in, want.s, 0};
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_true(args[i].ok);
	}
	buf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_formatting),	   cmocka_unit_test(test_links),
	    cmocka_unit_test(test_url_evasion),	   cmocka_unit_test(test_img),
	    cmocka_unit_test(test_scripts),	   cmocka_unit_test(test_dropped),
	    cmocka_unit_test(test_comments_cdata), cmocka_unit_test(test_unclosed),
	    cmocka_unit_test(test_owasp),	   cmocka_unit_test(test_korean),
	    cmocka_unit_test(test_text),	   cmocka_unit_test(test_invalid_utf8_and_nul),
	    cmocka_unit_test(test_deep),	   cmocka_unit_test(test_big),
	    cmocka_unit_test(test_caps),	   cmocka_unit_test(test_idempotent),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests_name("core/html", tests, NULL, NULL);
}
