// hcpages.test.mjs - the public help center pages (/hc/...) as a visitor
// without an account sees them: the language redirect, indexable pages
// (lang, title, meta description, canonical link), breadcrumbs, related
// articles, search with snippets, view counts, the "was this helpful?"
// form and its double-submit token, agent-only and draft articles never
// shown, and script payloads in Markdown bodies and in titles rendered
// inert (checked by reading the HTML back: no script, no event handler
// attribute, no javascript: URL anywhere in the page).
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch } from './lib/harness.mjs';
import { uniq } from './lib/fixtures.mjs';

const s = await env();
const HC = '/api/v2/help_center';
const j = (body) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const api = (who, method, p, body) => rawFetch(`${HC}${p}`, { method, who, ...(body ? j(body) : {}) });
const page = (p, opts = {}) => fetch(`${s.server.url}${p}`, { redirect: 'manual', ...opts });

const TITLE_XSS = '<img src=x onerror=alert(1)> "quoted" <script>alert(2)</script>';
const BODY_XSS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[a](javascript:alert(1))',
  '![b](javascript:alert(1))',
  '<a href="jav&#x09;ascript:alert(1)">c</a>',
  '<svg onload=alert(1)>',
  '<iframe src="https://evil.example"></iframe>',
  '<div style="x" onmouseover="alert(1)">d</div>',
  '[e]: javascript:alert(1)\n\n[ref][e]',
  '</textarea><script>alert(1)</script>',
].join('\n\n');

// Nothing in html could run: no <script>, no on*= attribute, no
// javascript: URL, no iframe/object/embed/svg, no style attribute.
function assertInert(html, what) {
  const low = html.toLowerCase();
  assert.ok(!/<script/.test(low), `${what}: <script>`);
  assert.ok(!/<[^>]*\son[a-z]+\s*=/.test(low), `${what}: event handler attribute`);
  assert.ok(!/javascript:/.test(low), `${what}: javascript: URL`);
  assert.ok(!/<(iframe|object|embed|svg|math)/.test(low), `${what}: active element`);
  assert.ok(!/<[^>]*\sstyle\s*=/.test(low), `${what}: style attribute`);
}

let tag, cat, sec, art, en, xss, internal, draft;

describe('public help center pages', () => {
  before(async () => {
    tag = uniq('pg');
    cat = (await api('admin', 'POST', '/ko/categories', { category: { name: `계정 ${tag}`, description: '로그인과 비밀번호' } })).body.category;
    sec = (await api('admin', 'POST', `/ko/categories/${cat.id}/sections`, { section: { name: '로그인' } })).body.section;
    art = (await api('agent', 'POST', `/ko/sections/${sec.id}/articles`, { article: { title: `비밀번호 재설정 ${tag}`, body: '비밀번호를 잊으셨다면 **재설정 링크**를 누르세요.', label_names: [tag] } })).body.article;
    const other = (await api('agent', 'POST', `/ko/sections/${sec.id}/articles`, { article: { title: `로그인 오류 해결 ${tag}`, body: '로그인이 안 될 때', label_names: [tag] } })).body.article;
    assert.ok(other);
    en = (await api('agent', 'POST', `/en-us/sections/${sec.id}/articles`, { article: { title: `Reset your password ${tag}`, body: 'Use the *reset link*.' } })).body.article;
    xss = (await api('agent', 'POST', `/ko/sections/${sec.id}/articles`, { article: { title: `${TITLE_XSS} ${tag}`, body: BODY_XSS } })).body.article;
    internal = (await api('agent', 'POST', `/ko/sections/${sec.id}/articles`, { article: { title: `내부 전용 비밀번호 매크로 ${tag}`, body: '상담원만', user_segment_id: 1 } })).body.article;
    draft = (await api('agent', 'POST', `/ko/sections/${sec.id}/articles`, { article: { title: `초안 비밀번호 ${tag}`, body: '초안', draft: true } })).body.article;
    assert.ok(art && en && xss && internal && draft);
  });

  test('/hc redirects to the browser\'s language', async () => {
    let r = await page('/hc', { headers: { 'Accept-Language': 'ko-KR,ko;q=0.9,en;q=0.8' } });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/hc/ko');
    r = await page('/hc', { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } });
    assert.equal(r.headers.get('location'), '/hc/en-us');
    r = await page('/hc');
    assert.equal(r.headers.get('location'), '/hc/en-us');
    r = await page('/hc/fr');
    assert.equal(r.status, 404);
  });

  test('an article page is indexable, has breadcrumbs and related articles, and counts a view', async () => {
    const before = (await api('admin', 'GET', `/articles/${art.id}`)).body.article.view_count;
    const r = await page(`/hc/ko/articles/${art.id}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/html; charset=utf-8/);
    assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
    const html = await r.text();
    assert.match(html, /<html lang="ko">/);
    assert.match(html, new RegExp(`<title>비밀번호 재설정 ${tag} - 고객센터</title>`));
    assert.match(html, /<meta name="description" content="비밀번호를 잊으셨다면 재설정 링크를/);
    assert.match(html, new RegExp(`<link rel="canonical" href="${s.server.url}/hc/ko/articles/${art.id}">`));
    assert.match(html, new RegExp(`href="/hc/ko/categories/${cat.id}">계정 ${tag}</a>`));
    assert.match(html, new RegExp(`href="/hc/ko/sections/${sec.id}">로그인</a>`));
    assert.match(html, /<strong>재설정 링크<\/strong>/);
    assert.match(html, /관련 도움말/);
    assert.match(html, new RegExp(`로그인 오류 해결 ${tag}`));
    assert.ok(!html.includes('내부 전용'), 'agent-only articles are not related articles for visitors');
    const after = (await api('admin', 'GET', `/articles/${art.id}`)).body.article.view_count;
    assert.equal(after, before + 1);
    const enHtml = await (await page(`/hc/en-us/articles/${en.id}`)).text();
    assert.match(enHtml, /<html lang="en">/);
    assert.match(enHtml, /Was this article helpful\?/);
  });

  test('script payloads in titles and Markdown render inert', async () => {
    const r = await page(`/hc/ko/articles/${xss.id}`);
    assert.equal(r.status, 200);
    const html = await r.text();
    assertInert(html, 'article page');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &lt;script&gt;'), 'the title is shown as text');
    for (const p of [`/hc/ko/sections/${sec.id}`, `/hc/ko/categories/${cat.id}`, '/hc/ko',
      `/hc/ko/search?query=${encodeURIComponent(`onerror ${tag}`)}`,
      `/hc/ko/search?query=${encodeURIComponent('<script>alert(1)</script>"><img src=x onerror=alert(1)>')}`]) {
      assertInert(await (await page(p)).text(), p);
    }
  });

  test('agent-only and draft articles never reach anonymous visitors', async () => {
    for (const a of [internal, draft]) {
      const r = await page(`/hc/ko/articles/${a.id}`);
      assert.equal(r.status, 404, `${a.title}`);
    }
    const sect = await (await page(`/hc/ko/sections/${sec.id}`)).text();
    assert.ok(sect.includes(`비밀번호 재설정 ${tag}`));
    assert.ok(!sect.includes('내부 전용') && !sect.includes('초안'), 'listing');
    const found = await (await page(`/hc/ko/search?query=${encodeURIComponent(`비밀번호 ${tag}`)}`)).text();
    assert.ok(found.includes(`비밀번호 재설정 ${tag}`));
    assert.ok(!found.includes('내부 전용') && !found.includes('초안'), 'search');
  });

  test('search shows snippets and logs what it could not find', async () => {
    let html = await (await page(`/hc/ko/search?query=${encodeURIComponent('비밀번호')}`)).text();
    assert.match(html, /<em>비밀번호<\/em>/);
    const q = `없는질문${uniq('q')}`;
    html = await (await page(`/hc/ko/search?query=${encodeURIComponent(q)}`)).text();
    assert.match(html, /검색 결과가 없습니다/);
    const m = await rawFetch('/api/v2/sonnim/help_center/search_misses.json', { who: 'admin' });
    assert.ok(m.body.search_misses.some((x) => x.query === q.toLowerCase() && x.locale === 'ko'));
  });

  test('"was this helpful?" needs the visitor\'s cookie and the matching form token', async () => {
    const r = await page(`/hc/en-us/articles/${en.id}`);
    const cookie = r.headers.get('set-cookie');
    assert.match(cookie, /^sonnim_hc=[0-9a-f]{40}; Path=\/hc; .*HttpOnly; SameSite=Lax/);
    const token = /sonnim_hc=([0-9a-f]{40})/.exec(cookie)[1];
    const html = await r.text();
    assert.ok(html.includes(`name="token" value="${token}"`));
    const form = (value, t) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `sonnim_hc=${token}` },
      body: `value=${value}&token=${t}` });
    // a forged form (another site's: it cannot know the token) is refused
    let v = await page(`/hc/en-us/articles/${en.id}/vote`, form('up', 'f'.repeat(40)));
    assert.equal(v.status, 403);
    v = await page(`/hc/en-us/articles/${en.id}/vote`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `value=up&token=${token}` });
    assert.equal(v.status, 403, 'no cookie');
    v = await page(`/hc/en-us/articles/${en.id}/vote`, form('up', token));
    assert.equal(v.status, 303);
    assert.equal(v.headers.get('location'), `/hc/en-us/articles/${en.id}?voted=1`);
    v = await page(`/hc/en-us/articles/${en.id}/vote`, form('down', token)); // changes the same vote
    assert.equal(v.status, 303);
    const a = (await api('admin', 'GET', `/articles/${en.id}`)).body.article;
    assert.equal(a.vote_count, 1);
    assert.equal(a.vote_sum, -1);
    const thanks = await (await page(`/hc/en-us/articles/${en.id}?voted=1`, { headers: { Cookie: `sonnim_hc=${token}` } })).text();
    assert.match(thanks, /Thank you for your feedback/);
    v = await page(`/hc/en-us/articles/${internal.id}/vote`, form('up', token));
    assert.equal(v.status, 404, 'no votes on what visitors cannot see');
  });
});
