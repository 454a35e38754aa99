// flows.test.mjs - troubleshooting flows (core/hc_flow.h): a flow written
// through the Help Center API is checked (422 with the member at fault),
// stored canonical and read back; the public pages walk it one step per
// page with plain links; a bad path is a 404 page; "solved" counts; the
// "contact" outcome leads to the contact form with the steps taken shown
// and recorded in the ticket's first comment; script payloads in step
// titles and labels come out escaped.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch } from './lib/harness.mjs';
import { uniq } from './lib/fixtures.mjs';

const s = await env();
const HC = '/api/v2/help_center';
const j = (body) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const api = (who, method, p, body) => rawFetch(`${HC}${p}`, { method, who, ...(body ? j(body) : {}) });
const page = (p, opts = {}) => fetch(`${s.server.url}${p}`, { redirect: 'manual', ...opts });
const FORM = 'application/x-www-form-urlencoded';

const FLOW = {
  start: 'light',
  steps: [
    { id: 'light', title: 'Did the light turn green?', body: 'Look at the **front** of the router.',
      options: [{ label: 'Yes', next: 'browse' }, { label: 'No <b>really</b>', next: 'reset' }] },
    { id: 'reset', title: 'Hold reset for 10 seconds. <script>alert(1)</script> Green now?',
      options: [{ label: 'Yes', next: 'browse' }, { label: 'Still red', outcome: 'contact' }] },
    { id: 'browse', title: 'Can you open a web page?',
      options: [{ label: 'Yes', outcome: 'solved' }, { label: 'No', outcome: 'contact' }] },
  ],
};

let tag, sec, art;

describe('troubleshooting flows', () => {
  before(async () => {
    tag = uniq('flow');
    const cat = (await api('admin', 'POST', '/en-us/categories', { category: { name: `Router ${tag}` } })).body.category;
    sec = (await api('admin', 'POST', `/en-us/categories/${cat.id}/sections`, { section: { name: 'Connection' } })).body.section;
  });

  test('a flow is checked on write and stored canonical', async () => {
    const bad = [
      [{ steps: [] }, /flow.steps/],
      [{ steps: [{ id: 'a', title: 'T', options: [{ label: 'x', next: 'nowhere' }] }] }, /there is no step "nowhere"/],
      [{ steps: [{ id: 'a', title: 'T', options: [{ label: 'x', nxet: 'a' }] }] }, /unknown member "nxet"/],
      [{ steps: [{ id: 'a', title: 'T', options: [{ label: 'x', outcome: 'maybe' }] }] }, /"solved" or "contact"/],
      ['not an object', /flow: expected an object/],
    ];
    for (const [flow, re] of bad) {
      const r = await api('agent', 'POST', `/en-us/sections/${sec.id}/articles`, { article: { title: `Bad ${tag}`, body: 'x', flow } });
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.match(JSON.stringify(r.body).replace(/\\"/g, '"'), re);
    }
    const r = await api('agent', 'POST', `/en-us/sections/${sec.id}/articles`, { article: { title: `Router light ${tag}`, body: 'Walk through the checks.', flow: FLOW } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    art = r.body.article;
    assert.equal(art.flow.start, 'light');
    assert.equal(art.flow.steps.length, 3);
    assert.deepEqual(art.flow.steps[1].options[1], { label: 'Still red', outcome: 'contact' });
    const back = await api('anonymous', 'GET', `/en-us/articles/${art.id}`);
    assert.deepEqual(back.body.article.flow, art.flow);
    const tr = await api('agent', 'GET', `/articles/${art.id}/translations/en-us`);
    assert.deepEqual(tr.body.translation.flow, art.flow);
    // an update without "flow" keeps it; null removes it (checked on a copy)
    const copy = (await api('agent', 'POST', `/en-us/sections/${sec.id}/articles`, { article: { title: `Copy ${tag}`, body: 'x', flow: FLOW } })).body.article;
    let u = await api('agent', 'PUT', `/en-us/articles/${copy.id}`, { article: { title: `Copy 2 ${tag}` } });
    assert.equal(u.status, 200);
    assert.equal(u.body.article.flow.steps.length, 3);
    u = await api('agent', 'PUT', `/en-us/articles/${copy.id}`, { article: { flow: null } });
    assert.equal(u.body.article.flow, null);
    assert.equal((await page(`/hc/en-us/articles/${copy.id}/flow`)).status, 404);
  });

  test('walking the flow: one page per step, links only, steps taken listed', async () => {
    const a = await page(`/hc/en-us/articles/${art.id}`);
    const ahtml = await a.text();
    assert.ok(ahtml.includes(`href="/hc/en-us/articles/${art.id}/flow"`), 'the article links to its flow');
    let r = await page(`/hc/en-us/articles/${art.id}/flow`);
    assert.equal(r.status, 200);
    let html = await r.text();
    assert.ok(html.includes('Did the light turn green?'));
    assert.ok(html.includes('<strong>front</strong>'), 'the step body is rendered Markdown');
    assert.ok(html.includes(`href="/hc/en-us/articles/${art.id}/flow?path=0"`));
    assert.ok(html.includes(`href="/hc/en-us/articles/${art.id}/flow?path=1"`));
    assert.ok(html.includes('No &lt;b&gt;really&lt;/b&gt;'), 'labels are escaped');
    assert.ok(!/<script/i.test(html.replace(/<script[^>]*><\/script>/g, 'x')) && !html.includes('<script>alert'));
    r = await page(`/hc/en-us/articles/${art.id}/flow?path=1`);
    html = await r.text();
    assert.ok(html.includes('Hold reset for 10 seconds. &lt;script&gt;'), 'step titles are escaped');
    assert.ok(html.includes('class="flow-taken"') && html.includes(`href="/hc/en-us/articles/${art.id}/flow"`), 'steps taken link back');
    for (const bad of ['9', '0.0.0', '1.x', '0..1', `${'0.'.repeat(200)}0`]) {
      const b = await page(`/hc/en-us/articles/${art.id}/flow?path=${encodeURIComponent(bad)}`);
      assert.equal(b.status, 404, bad);
    }
  });

  test('"solved" is counted; "contact" leads to a prefilled form and into the ticket', async () => {
    const solved = await page(`/hc/en-us/articles/${art.id}/flow?path=0.0`);
    assert.equal(solved.status, 200);
    assert.ok((await solved.text()).includes('glad that fixed it'));
    const counted = await api('agent', 'GET', `/en-us/articles/${art.id}`);
    assert.equal(counted.body.article.flow_outcomes.solved, 1);

    const c = await page(`/hc/en-us/articles/${art.id}/flow?path=1.1`);
    assert.equal(c.status, 303);
    const where = c.headers.get('location');
    assert.equal(where, `/hc/en-us/requests/new?flow=${art.id}&path=1.1`);
    const f = await page(where);
    const html = await f.text();
    const tok = /sonnim_hc=([0-9a-f]{40})/.exec(f.headers.get('set-cookie'))[1];
    assert.ok(html.includes(`name="flow" value="${art.id}"`) && html.includes('name="path" value="1.1"'));
    assert.ok(html.includes(`value="Router light ${tag}"`), 'subject prefilled with the article title');
    assert.ok(html.includes('Still red') && html.includes('Steps you already tried'));
    // a path that does not end in "contact" prefills nothing
    const none = await (await page(`/hc/en-us/requests/new?flow=${art.id}&path=0`)).text();
    assert.ok(!none.includes('name="flow"'));

    const email = `${tag}@example.com`;
    const sub = await page('/hc/en-us/requests/new', {
      method: 'POST', headers: { 'Content-Type': FORM, Cookie: `sonnim_hc=${tok}` },
      body: new URLSearchParams({ token: tok, email, subject: `Router light ${tag}`, description: 'Still no internet.', flow: String(art.id), path: '1.1' }).toString(),
    });
    const done = await sub.text();
    assert.equal(sub.status, 200, done.slice(0, 500));
    const id = Number(/class="ticket-number">[^#]*#(\d+)/.exec(done)[1]);
    const comments = await rawFetch(`/api/v2/tickets/${id}/comments.json`, { who: 'admin' });
    const body = comments.body.comments[0].body;
    assert.ok(body.startsWith('Still no internet.'), body);
    assert.match(body, /Troubleshooting steps the customer took: Router light/);
    assert.match(body, /1\. Did the light turn green\? -> No <b>really<\/b>/);
    assert.match(body, /2\. Hold reset for 10 seconds\. .* -> Still red/);
    const after = await api('agent', 'GET', `/en-us/articles/${art.id}`);
    assert.equal(after.body.article.flow_outcomes.contact, 1);
  });

  test('the demo knowledge base has a flow in Korean and in English', async () => {
    for (const [loc, q] of [['ko', '로그인 문제 단계별 해결'], ['en-us', 'step-by-step sign in troubleshooting']]) {
      const r = await api('anonymous', 'GET', `/articles/search.json?query=${encodeURIComponent(q)}&locale=${loc}`);
      const hit = r.body.results.find((x) => x.flow);
      assert.ok(hit, `${loc}: ${JSON.stringify(r.body.results.map((x) => x.title))}`);
      assert.ok(hit.flow.steps.length >= 3);
    }
  });
});
