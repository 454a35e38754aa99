// helpcenter.test.mjs - the Help Center API (/api/v2/help_center/...) in
// Zendesk's shapes against the real server: the category -> section ->
// article tree in Korean and English, Markdown bodies rendered inert,
// drafts and agent-only articles hidden from anonymous visitors and
// end-users (lists, show, search), translations, votes, search with
// snippets and the knowledge-gap log, pagination, and the errors.
// Requests go through rawFetch (the help center is read without
// credentials, which node-zendesk cannot send) and node-zendesk's generic
// request() for one authenticated round trip.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, rawFetch, show } from './lib/harness.mjs';
import { uniq } from './lib/fixtures.mjs';

await env();

const HC = '/api/v2/help_center';
const j = (body) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const post = (who, p, body) => rawFetch(`${HC}${p}`, { method: 'POST', who, ...j(body) });
const put = (who, p, body) => rawFetch(`${HC}${p}`, { method: 'PUT', who, ...j(body) });
const get = (who, p) => rawFetch(`${HC}${p}`, { who });
const del = (who, p) => rawFetch(`${HC}${p}`, { method: 'DELETE', who });

const XSS = '# 안내\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[클릭](javascript:alert(3))\n\n**배송**이 지연됩니다.';
let tag, cat, sec, art, refund, draft, internal, members;

describe('help center API', () => {
  before(async () => {
    tag = uniq('hc');
    let r = await post('admin', '/ko/categories', { category: { name: `배송 ${tag}`, description: '배송과 반품', position: 1 } });
    assert.equal(r.status, 201, r.text);
    cat = r.body.category;
    r = await post('admin', `/ko/categories/${cat.id}/sections`, { section: { name: '배송 문의' } });
    assert.equal(r.status, 201, r.text);
    sec = r.body.section;
    r = await post('agent', `/ko/sections/${sec.id}/articles`, { article: { title: `배송 지연 안내 ${tag}`, body: XSS, label_names: ['shipping', tag], promoted: true } });
    assert.equal(r.status, 201, r.text);
    art = r.body.article;
    r = await post('agent', `/sections/${sec.id}/articles`, { article: { locale: 'en-us', title: `Refund policy ${tag}`, body: 'Ask for a *refund* within 14 days.' } });
    assert.equal(r.status, 201, r.text);
    refund = r.body.article;
    r = await post('agent', `/en-us/sections/${sec.id}/articles`, { article: { title: `Draft refund ${tag}`, body: 'refund draft', draft: true } });
    draft = r.body.article;
    r = await post('agent', `/en-us/sections/${sec.id}/articles`, { article: { title: `Internal refund macro ${tag}`, body: 'refund internal', user_segment_id: 1 } });
    internal = r.body.article;
    r = await post('agent', `/en-us/sections/${sec.id}/articles`, { article: { title: `Members refund ${tag}`, body: 'refund members', user_segment_id: 2 } });
    members = r.body.article;
    assert.ok(draft && internal && members);
  });

  test('objects have Zendesk\'s shape', () => {
    assert.equal(cat.locale, 'ko');
    assert.equal(cat.source_locale, 'ko');
    assert.match(cat.url, /\/api\/v2\/help_center\/ko\/categories\/\d+\.json$/);
    assert.match(cat.html_url, /\/hc\/ko\/categories\/\d+$/);
    assert.equal(sec.category_id, cat.id);
    for (const k of ['id', 'url', 'html_url', 'author_id', 'comments_disabled', 'draft', 'promoted', 'position', 'vote_sum',
      'vote_count', 'section_id', 'created_at', 'updated_at', 'title', 'source_locale', 'locale', 'outdated', 'label_names',
      'body', 'user_segment_id', 'edited_at']) assert.ok(k in art, `article.${k}`);
    assert.equal(art.section_id, sec.id);
    assert.equal(art.draft, false);
    assert.equal(art.promoted, true);
    assert.deepEqual(art.label_names.sort(), ['shipping', tag].sort());
    assert.equal(art.user_segment_id, null);
    assert.equal(refund.locale, 'en-us');
    assert.match(refund.body, /<em>refund<\/em>/);
  });

  test('Markdown bodies come back rendered and inert', () => {
    const b = art.body.toLowerCase();
    assert.ok(b.includes('<h1>안내</h1>'), art.body);
    assert.ok(b.includes('<strong>배송</strong>'), art.body);
    assert.ok(!b.includes('<script'), art.body);
    assert.ok(!b.includes('onerror'), art.body);
    assert.ok(!b.includes('javascript:'), art.body);
    assert.equal(art.body_markdown, XSS);
  });

  test('anonymous visitors read published, non-internal articles only', async () => {
    let r = await get('anonymous', `/articles/${art.id}`);
    assert.equal(r.status, 200, r.text);
    for (const hidden of [draft, internal, members]) {
      r = await get('anonymous', `/articles/${hidden.id}`);
      assert.equal(r.status, 404, `${hidden.title}: ${r.text}`);
    }
    r = await get('enduser', `/articles/${members.id}`);
    assert.equal(r.status, 200, 'signed-in users see the signed-in segment');
    r = await get('enduser', `/articles/${internal.id}`);
    assert.equal(r.status, 404);
    r = await get('agent', `/articles/${internal.id}`);
    assert.equal(r.status, 200);
    r = await get('agent', `/articles/${draft.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.article.draft, true);
    const titles = async (who) => (await get(who, `/en-us/sections/${sec.id}/articles`)).body.articles.map((a) => a.title);
    assert.deepEqual((await titles('anonymous')).sort(), [`Refund policy ${tag}`]);
    assert.equal((await titles('enduser')).length, 2);
    assert.equal((await titles('agent')).length, 4);
    r = await get('anonymous', `/articles/search?query=${encodeURIComponent(`refund ${tag}`)}`);
    let ids = r.body.results.map((a) => a.id);
    assert.ok(ids.includes(refund.id), show(r));
    for (const hidden of [draft, internal, members]) assert.ok(!ids.includes(hidden.id), `${hidden.title} found`);
    r = await get('agent', `/articles/search?query=${encodeURIComponent(`refund ${tag}`)}&locale=en-us`);
    ids = r.body.results.map((a) => a.id);
    for (const a of [refund, draft, internal, members]) assert.ok(ids.includes(a.id), `${a.title} missing`);
  });

  test('search finds Korean and English word forms, with snippets, best first', async () => {
    let r = await get('anonymous', `/articles/search?query=${encodeURIComponent('배송')}&locale=ko`);
    assert.equal(r.status, 200, r.text);
    const hit = r.body.results.find((a) => a.id === art.id);
    assert.ok(hit, show(r));
    assert.equal(hit.result_type, 'article');
    assert.match(hit.snippet, /<em>배송<\/em>/);
    assert.ok(!hit.snippet.includes('<script'), hit.snippet);
    r = await get('anonymous', `/articles/search?query=refunds&locale=en-us`);
    assert.ok(r.body.results.some((a) => a.id === refund.id), show(r));
    assert.ok(r.body.count >= 1);
    const scores = r.body.results.map((a) => a.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'results in score order');
    r = await get('anonymous', `/articles/search?query=${encodeURIComponent(tag)}&label_names=shipping`);
    assert.deepEqual(r.body.results.map((a) => a.id), [art.id]);
    r = await get('anonymous', '/articles/search?query=');
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'InvalidParameter');
    r = await get('anonymous', '/articles/search?query=x&locale=fr');
    assert.equal(r.status, 400);
  });

  test('a search that finds nothing is logged for the knowledge-gap report', async () => {
    const q = `zzqx ${uniq('gap')}`;
    let r = await get('anonymous', `/articles/search?query=${encodeURIComponent(q.toUpperCase())}&locale=ko`);
    assert.equal(r.body.count, 0);
    assert.deepEqual(r.body.results, []);
    await get('anonymous', `/articles/search?query=${encodeURIComponent(`  ${q} `)}&locale=ko`);
    r = await rawFetch('/api/v2/sonnim/help_center/search_misses.json', { who: 'agent' });
    const m = r.body.search_misses.find((x) => x.query === q.toLowerCase());
    assert.ok(m, show(r));
    assert.equal(m.count, 2);
    assert.equal(m.locale, 'ko');
  });

  test('translations: add, read, update, and the source one stays', async () => {
    let r = await post('agent', `/articles/${art.id}/translations`, { translation: { locale: 'en-us', title: `Shipping delays ${tag}`, body: 'Shipping is **late**.' } });
    assert.equal(r.status, 201, r.text);
    const tr = r.body.translation;
    assert.equal(tr.source_id, art.id);
    assert.equal(tr.source_type, 'Article');
    assert.match(tr.body, /<strong>late<\/strong>/);
    r = await post('agent', `/articles/${art.id}/translations`, { translation: { locale: 'en-us', title: 'again' } });
    assert.equal(r.status, 422, 'the locale exists already');
    r = await get('anonymous', `/articles/${art.id}/translations`);
    assert.deepEqual(r.body.translations.map((t) => t.locale), ['en-us', 'ko']);
    r = await put('agent', `/articles/${art.id}/translations/en-us`, { translation: { title: `Late deliveries ${tag}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.translation.title, `Late deliveries ${tag}`);
    r = await get('anonymous', `/en-us/articles/${art.id}`);
    assert.equal(r.body.article.title, `Late deliveries ${tag}`);
    assert.equal(r.body.article.locale, 'en-us');
    r = await get('anonymous', `/articles/search?query=deliveries&locale=en-us`);
    assert.ok(r.body.results.some((a) => a.id === art.id), 'the new translation is searchable');
    const ko = (await get('agent', `/articles/${art.id}/translations/ko`)).body.translation;
    r = await del('agent', `/translations/${ko.id}`);
    assert.equal(r.status, 422, 'the source locale cannot go');
    r = await del('agent', `/translations/${tr.id}`);
    assert.equal(r.status, 204);
    r = await get('anonymous', `/articles/${art.id}/translations/en-us`);
    assert.equal(r.status, 404);
  });

  test('votes: one per user, replaced by a second one', async () => {
    let r = await post('enduser', `/articles/${refund.id}/up`, {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.vote.value, 1);
    assert.equal(r.body.vote.item_type, 'Article');
    r = await post('enduser', `/articles/${refund.id}/down`, {});
    assert.equal(r.body.vote.value, -1);
    r = await post('jane', `/articles/${refund.id}/up`, {});
    r = await post('agent', `/articles/${refund.id}/up`, {});
    r = await get('anonymous', `/articles/${refund.id}`);
    assert.equal(r.body.article.vote_sum, 1);
    assert.equal(r.body.article.vote_count, 3);
    r = await get('agent', `/articles/${refund.id}/votes`);
    assert.equal(r.body.votes.length, 3);
    r = await post('anonymous', `/articles/${refund.id}/up`, {});
    assert.equal(r.status, 401);
    r = await post('enduser', `/articles/${internal.id}/up`, {});
    assert.equal(r.status, 404, 'cannot vote on what one cannot see');
  });

  test('updates: metadata, labels, move, and validation errors in Zendesk\'s shape', async () => {
    let r = await put('agent', `/articles/${refund.id}`, { article: { label_names: ['refund', 'money'], position: 3, promoted: true } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.article.label_names, ['money', 'refund']);
    assert.equal(r.body.article.position, 3);
    r = await get('anonymous', `${'/articles'}?label_names=money`);
    assert.ok(r.body.articles.some((a) => a.id === refund.id));
    r = await post('agent', `/sections/${sec.id}/articles`, { article: { title: '  ' } });
    assert.equal(r.status, 422);
    assert.equal(r.body.error, 'RecordInvalid');
    assert.ok(r.body.details.title, r.text);
    r = await post('agent', `/sections/${sec.id}/articles`, { article: { title: 'x', user_segment_id: 77 } });
    assert.equal(r.status, 422);
    r = await post('agent', `/sections/${sec.id}/articles`, { article: { title: 'x', label_names: ['a'.repeat(65)] } });
    assert.equal(r.status, 422);
    r = await post('agent', `/sections/${sec.id}/articles`, { article: { title: 'x', locale: 'fr' } });
    assert.equal(r.status, 422);
    r = await put('agent', `/articles/${refund.id}`, { article: { section_id: 999999 } });
    assert.equal(r.status, 422);
    r = await post('agent', '/sections/999999/articles', { article: { title: 'x' } });
    assert.equal(r.status, 404);
    assert.equal(r.body.error, 'RecordNotFound');
    r = await post('admin', '/categories', '{"category": ');
    assert.equal(r.status, 400);
    r = await get('anonymous', '/fr/articles');
    assert.equal(r.status, 404);
    r = await rawFetch(`${HC}/articles`, { who: 'anonymous', headers: { Authorization: 'Basic ' + Buffer.from('x@y.z/token:nope').toString('base64') } });
    assert.equal(r.status, 401, 'credentials that are sent are checked');
  });

  test('lists page like the other lists', async () => {
    let r = await get('agent', `/en-us/sections/${sec.id}/articles?per_page=1`);
    assert.equal(r.body.articles.length, 1);
    assert.ok(r.body.count >= 3);
    assert.match(r.body.next_page, /page=2/);
    r = await get('agent', `/en-us/sections/${sec.id}/articles?page[size]=2`);
    assert.equal(r.body.articles.length, 2);
    assert.equal(r.body.meta.has_more, true);
    r = await get('anonymous', '/categories');
    assert.ok(r.body.categories.some((c) => c.id === cat.id));
    r = await get('anonymous', `/categories/${cat.id}/sections`);
    assert.deepEqual(r.body.sections.map((s) => s.id), [sec.id]);
  });

  test('node-zendesk reaches the help center through its generic request()', async () => {
    const c = client('agent');
    const r = await call(c, c.tickets.request('GET', ['help_center', 'ko', 'categories', String(cat.id)]));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.category.name, `배송 ${tag}`);
  });

  test('deleting a category takes its sections and articles along', async () => {
    const r0 = await post('admin', '/categories', { category: { name: `Temp ${tag}` } });
    const c2 = r0.body.category;
    assert.equal(c2.locale, 'en-us');
    const s2 = (await post('admin', `/categories/${c2.id}/sections`, { section: { name: 'Temp' } })).body.section;
    const a2 = (await post('agent', `/sections/${s2.id}/articles`, { article: { title: `Temp article ${tag}`, body: 'gone soon' } })).body.article;
    let r = await del('agent', `/categories/${c2.id}`);
    assert.equal(r.status, 403, 'agents do not manage categories');
    r = await del('admin', `/categories/${c2.id}`);
    assert.equal(r.status, 204);
    r = await get('agent', `/articles/${a2.id}`);
    assert.equal(r.status, 404);
    r = await get('agent', `/sections/${s2.id}`);
    assert.equal(r.status, 404);
    r = await get('agent', `/articles/search?query=${encodeURIComponent(`Temp article ${tag}`)}`);
    assert.ok(!r.body.results.some((a) => a.id === a2.id));
  });
});
