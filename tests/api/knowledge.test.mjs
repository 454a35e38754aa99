// knowledge.test.mjs - knowledge capture: the articles a customer read
// before writing (an anonymous visitor through the contact form's
// browser, a signed-in end-user by account), a draft article made from a
// ticket's answer, and article requests (filed from a ticket, listed,
// closed), with their validation.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch, client } from './lib/harness.mjs';
import { uniq, newTicket } from './lib/fixtures.mjs';

const s = await env();
const HC = '/api/v2/help_center';
const j = (body) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const api = (who, method, p, body) => rawFetch(p, { method, who, ...(body ? j(body) : {}) });
const page = (p, opts = {}) => fetch(`${s.server.url}${p}`, { redirect: 'manual', ...opts });
const FORM = 'application/x-www-form-urlencoded';

let tag, sec, a1, a2, hidden;

describe('knowledge capture', () => {
  before(async () => {
    tag = uniq('kc');
    const cat = (await api('admin', 'POST', `${HC}/en-us/categories.json`, { category: { name: `Capture ${tag}` } })).body.category;
    sec = (await api('admin', 'POST', `${HC}/en-us/categories/${cat.id}/sections.json`, { section: { name: 'Answers' } })).body.section;
    a1 = (await api('agent', 'POST', `${HC}/en-us/sections/${sec.id}/articles.json`, { article: { title: `Printer offline ${tag}`, body: 'Turn it off and on.' } })).body.article;
    a2 = (await api('agent', 'POST', `${HC}/en-us/sections/${sec.id}/articles.json`, { article: { title: `Paper jam ${tag}`, body: 'Open the tray.' } })).body.article;
    hidden = (await api('agent', 'POST', `${HC}/en-us/sections/${sec.id}/articles.json`, { article: { title: `Never read ${tag}`, body: 'x' } })).body.article;
    assert.ok(a1 && a2 && hidden);
  });

  test('an anonymous visitor\'s reading goes with the ticket sent from that browser', async () => {
    const f = await page('/hc/en-us/requests/new');
    const tok = /sonnim_hc=([0-9a-f]{40})/.exec(f.headers.get('set-cookie'))[1];
    const cookie = `sonnim_hc=${tok}`;
    for (const id of [a1.id, a2.id, a1.id]) assert.equal((await page(`/hc/en-us/articles/${id}`, { headers: { Cookie: cookie } })).status, 200);
    // another browser reads the third article: not this customer's
    await page(`/hc/en-us/articles/${hidden.id}`);
    const sub = await page('/hc/en-us/requests/new', {
      method: 'POST', headers: { 'Content-Type': FORM, Cookie: cookie },
      body: new URLSearchParams({ token: tok, email: `${tag}@example.com`, subject: `Printer ${tag}`, description: 'It still says offline.' }).toString(),
    });
    const html = await sub.text();
    assert.equal(sub.status, 200, html.slice(0, 300));
    const tid = Number(/class="ticket-number">[^#]*#(\d+)/.exec(html)[1]);
    const r = await api('agent', 'GET', `/api/v2/sonnim/tickets/${tid}/viewed_articles.json`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = r.body.viewed_articles;
    assert.deepEqual(got.map((x) => x.id).sort(), [a1.id, a2.id].sort(), JSON.stringify(got));
    const p1 = got.find((x) => x.id === a1.id);
    assert.equal(p1.views, 2);
    assert.equal(p1.before_ticket, true);
    assert.equal(p1.title, `Printer offline ${tag}`);
    assert.match(p1.html_url, new RegExp(`/hc/en-us/articles/${a1.id}$`));
    // end-users cannot ask; unknown tickets are 404
    assert.equal((await api('enduser', 'GET', `/api/v2/sonnim/tickets/${tid}/viewed_articles.json`)).status, 403);
    assert.equal((await api('agent', 'GET', '/api/v2/sonnim/tickets/99999999/viewed_articles.json')).status, 404);
  });

  test('a signed-in end-user\'s reading is found by account', async () => {
    assert.equal((await rawFetch(`/hc/en-us/articles/${a2.id}`, { who: 'enduser' })).status, 200);
    const t = await newTicket(client('enduser'), { subject: `Jam ${tag}` });
    const r = await api('agent', 'GET', `/api/v2/sonnim/tickets/${t.id}/viewed_articles.json`);
    assert.ok(r.body.viewed_articles.some((x) => x.id === a2.id), JSON.stringify(r.body));
    assert.ok(!r.body.viewed_articles.some((x) => x.id === hidden.id));
  });

  test('a draft article from a ticket\'s answer', async () => {
    const t = await newTicket(client('enduser'), { subject: `How do I clear a jam ${tag}?` });
    const answer = `1. Open the **tray**.\n2. Pull the sheet out slowly. ${tag}`;
    const u = await api('agent', 'PUT', `/api/v2/tickets/${t.id}.json`, { ticket: { comment: { body: answer, public: true } } });
    assert.equal(u.status, 200, JSON.stringify(u.body));
    let r = await api('agent', 'POST', `/api/v2/sonnim/tickets/${t.id}/article_draft.json`, { article: {} });
    assert.equal(r.status, 422);
    r = await api('agent', 'POST', `/api/v2/sonnim/tickets/${t.id}/article_draft.json`, { article: { section_id: 99999999 } });
    assert.equal(r.status, 422);
    assert.match(JSON.stringify(r.body), /is not a section/);
    r = await api('agent', 'POST', `/api/v2/sonnim/tickets/${t.id}/article_draft.json`, { article: { section_id: sec.id } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const art = r.body.article;
    assert.equal(art.title, `How do I clear a jam ${tag}?`);
    assert.equal(art.draft, true);
    assert.equal(art.body_markdown, answer);
    assert.equal(r.body.article_request.status, 'drafted');
    assert.equal(r.body.article_request.article_id, art.id);
    assert.equal(r.body.article_request.ticket_id, t.id);
    const staff = await api('agent', 'GET', `${HC}/articles/${art.id}.json`);
    assert.equal(staff.body.article.draft, true);
    assert.match(staff.body.article.body, /<strong>tray<\/strong>/);
    assert.equal((await api('anonymous', 'GET', `${HC}/articles/${art.id}.json`)).status, 404, 'a draft is not public');
  });

  test('article requests: filed from a ticket, listed, closed', async () => {
    const t = await newTicket(client('enduser'), { subject: `Scanner question ${tag}` });
    let r = await api('agent', 'POST', `/api/v2/sonnim/tickets/${t.id}/article_requests.json`, { article_request: { note: 'Customers keep asking' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const q = r.body.article_request;
    assert.equal(q.title, `Scanner question ${tag}`);
    assert.equal(q.status, 'open');
    assert.equal(q.note, 'Customers keep asking');
    r = await api('agent', 'POST', `/api/v2/sonnim/tickets/${t.id}/article_requests.json`, { article_request: { title: 'x\u0001y' } });
    assert.equal(r.status, 422);
    r = await api('agent', 'GET', '/api/v2/sonnim/help_center/article_requests.json?status=open');
    assert.ok(r.body.article_requests.some((x) => x.id === q.id));
    assert.ok(r.body.article_requests.every((x) => x.status === 'open'));
    assert.equal((await api('agent', 'GET', '/api/v2/sonnim/help_center/article_requests.json?status=bogus')).status, 422);
    r = await api('agent', 'PUT', `/api/v2/sonnim/help_center/article_requests/${q.id}.json`, { article_request: { status: 'maybe' } });
    assert.equal(r.status, 422);
    r = await api('agent', 'PUT', `/api/v2/sonnim/help_center/article_requests/${q.id}.json`, { article_request: { article_id: 99999999 } });
    assert.equal(r.status, 422);
    r = await api('agent', 'PUT', `/api/v2/sonnim/help_center/article_requests/${q.id}.json`, { article_request: { status: 'done', article_id: a1.id } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.article_request.status, 'done');
    assert.equal(r.body.article_request.article_id, a1.id);
    r = await api('agent', 'GET', '/api/v2/sonnim/help_center/article_requests.json?status=open');
    assert.ok(!r.body.article_requests.some((x) => x.id === q.id));
    assert.equal((await api('agent', 'PUT', '/api/v2/sonnim/help_center/article_requests/99999999.json', { article_request: { status: 'done' } })).status, 404);
  });
});
