// portal.test.mjs - the customer side of the help center: the contact form
// (/hc/{locale}/requests/new: fields, the suggestion script and its CSP,
// validation messages in Korean and English, the honeypot, the
// double-submit token, the per-email rate limit, a ticket via "web" with
// the requester created as an end-user, the confirmation with the ticket
// number), the request page through the status link's token (read, reply,
// mark solved; no other ticket) and through a signed-in session (reply
// with the session's CSRF token), and script payloads in form fields and
// replies rendered inert.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch } from './lib/harness.mjs';
import { uniq, newTicket } from './lib/fixtures.mjs';
import { client } from './lib/harness.mjs';

const s = await env();
const page = (p, opts = {}) => fetch(`${s.server.url}${p}`, { redirect: 'manual', ...opts });
const form = (obj) => new URLSearchParams(obj).toString();
const FORM = 'application/x-www-form-urlencoded';

const XSS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</textarea><script>alert(2)</script>',
  'javascript:alert(1)',
  '<a href="javascript:alert(1)">x</a>',
].join(' ');

// Nothing in html could run (as in hcpages.test.mjs), besides the one
// same-origin script the form loads.
function assertInert(html, what) {
  // attribute values are quoted with " and every " inside is escaped, so
  // what is inside a value is text: look at the markup around it
  const low = html.toLowerCase().replace('<script src="/hc/assets/suggest.js" defer></script>', '')
    .replace(/="[^"]*"/g, '=""');
  assert.ok(!/<script/.test(low), `${what}: <script>`);
  assert.ok(!/<[^>]*\son[a-z]+\s*=/.test(low), `${what}: event handler attribute`);
  assert.ok(!/<[^>]*(href|src)\s*=\s*["']?\s*javascript:/.test(html.toLowerCase()), `${what}: javascript: URL`);
  assert.ok(!/<(iframe|object|embed|svg|math|img)/.test(low), `${what}: active element`);
}

// A visitor with its sonnim_hc token (from the form page's cookie).
async function visitor(locale = 'en-us') {
  const r = await page(`/hc/${locale}/requests/new`);
  assert.equal(r.status, 200);
  const html = await r.text();
  const c = r.headers.get('set-cookie');
  const tok = /sonnim_hc=([0-9a-f]{40})/.exec(c)[1];
  assert.ok(html.includes(`name="token" value="${tok}"`));
  return { cookie: `sonnim_hc=${tok}`, token: tok, html, headers: r.headers };
}

async function submit(v, locale, fields) {
  const r = await page(`/hc/${locale}/requests/new`, {
    method: 'POST', headers: { 'Content-Type': FORM, Cookie: v.cookie }, body: form({ token: v.token, ...fields }),
  });
  return { status: r.status, html: await r.text(), headers: r.headers };
}

const admin = (p) => rawFetch(p, { who: 'admin' });

describe('contact form', () => {
  let v;
  before(async () => { v = await visitor(); });

  test('the form: fields, honeypot, suggestion script under a CSP without inline script', async () => {
    for (const n of ['subject', 'description', 'email', 'name', 'website']) assert.ok(v.html.includes(`name="${n}"`), n);
    assert.ok(v.html.includes('<script src="/hc/assets/suggest.js" defer></script>'));
    assert.ok(v.html.includes('id="suggestions"'));
    const csp = v.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.ok(!/unsafe-inline'[^;]*;?\s*$/.test(csp.split('script-src')[1].split(';')[0]), 'no inline script');
    const js = await page('/hc/assets/suggest.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /javascript/);
    const text = await js.text();
    assert.ok(text.includes('answer_bot/') && text.includes('resolution.json') && text.includes("deflection_channel: 'web_form'"));
    assert.ok(!text.includes('innerHTML'), 'the script writes text only');
    const ko = await visitor('ko');
    assert.ok(ko.html.includes('문의하기') && ko.html.includes('이 도움말로 해결됐어요'));
  });

  test('a submission creates a ticket via web, the requester an end-user, and shows its number', async () => {
    const email = `${uniq('form')}@customer.test`;
    const subject = `Order never arrived ${uniq()}`;
    const r = await submit(v, 'en-us', { subject, description: 'Ordered last week, nothing yet.', email, name: 'Form Person', website: '' });
    assert.equal(r.status, 200, r.html);
    const id = Number(/ticket-number">[^#]*#(\d+)/.exec(r.html)[1]);
    assert.ok(r.html.includes('Your request was received.'));
    const t = (await admin(`/api/v2/tickets/${id}.json`)).body.ticket;
    assert.equal(t.subject, subject);
    assert.equal(t.description, 'Ordered last week, nothing yet.');
    assert.equal(t.via.channel, 'web');
    const u = (await admin(`/api/v2/users/${t.requester_id}.json`)).body.user;
    assert.equal(u.email, email);
    assert.equal(u.name, 'Form Person');
    assert.equal(u.role, 'end-user');
    // the same address again: the same requester
    const again = await submit(v, 'en-us', { subject: 'Second one', description: 'more', email: email.toUpperCase() });
    const id2 = Number(/ticket-number">[^#]*#(\d+)/.exec(again.html)[1]);
    assert.equal((await admin(`/api/v2/tickets/${id2}.json`)).body.ticket.requester_id, t.requester_id);
  });

  test('validation in Korean and English; the values come back escaped', async () => {
    const ko = await visitor('ko');
    const r = await submit(ko, 'ko', { subject: '', description: '', email: 'not-an-address' });
    assert.equal(r.status, 422);
    for (const m of ['제목을 입력해 주세요.', '내용을 입력해 주세요.', '올바른 이메일 주소를 입력해 주세요.']) assert.ok(r.html.includes(m), m);
    const en = await submit(v, 'en-us', { subject: 'x'.repeat(300), description: 'd', email: '' });
    assert.equal(en.status, 422);
    assert.ok(en.html.includes('The subject is too long') && en.html.includes('Please enter a valid email address.'));
    const x = await submit(v, 'en-us', { subject: XSS, description: XSS, email: XSS, name: XSS });
    assert.equal(x.status, 422);
    assertInert(x.html, 'form re-shown with script payloads');
    assert.ok(x.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    // bytes that are not UTF-8: refused, not stored, not echoed
    const raw = await page('/hc/en-us/requests/new', {
      method: 'POST', headers: { 'Content-Type': FORM, Cookie: v.cookie },
      body: `token=${v.token}&subject=%FF%FEbad&description=ok&email=utf8@customer.test`,
    });
    assert.equal(raw.status, 422);
    const rawHtml = Buffer.from(await raw.arrayBuffer());
    assert.ok(!rawHtml.includes(Buffer.from([0xff, 0xfe])), 'invalid bytes echoed');
    assert.ok(rawHtml.toString().includes('Please check this field: Subject'));
  });

  test('spam: the honeypot saves nothing, a missing or foreign token is refused', async () => {
    const email = `${uniq('bot')}@spam.test`;
    const r = await submit(v, 'en-us', { subject: 'cheap pills', description: 'buy', email, website: 'http://spam.test' });
    assert.equal(r.status, 200);
    assert.ok(!/ticket-number/.test(r.html));
    const found = (await admin(`/api/v2/users/search.json?query=${encodeURIComponent(email)}`)).body.users;
    assert.equal(found.length, 0, 'no user made for a bot');
    const other = await visitor();
    const bad = await page('/hc/en-us/requests/new', {
      method: 'POST', headers: { 'Content-Type': FORM, Cookie: v.cookie }, body: form({ token: other.token, subject: 's', description: 'd', email }),
    });
    assert.equal(bad.status, 403);
    const none = await page('/hc/en-us/requests/new', {
      method: 'POST', headers: { 'Content-Type': FORM }, body: form({ token: v.token, subject: 's', description: 'd', email }),
    });
    assert.equal(none.status, 403);
  });

  test('rate limit: at most 5 requests an hour for one email address', async () => {
    const email = `${uniq('busy')}@customer.test`;
    for (let i = 0; i < 5; i++) {
      const r = await submit(v, 'en-us', { subject: `Busy ${i}`, description: 'again', email });
      assert.equal(r.status, 200, `submission ${i}`);
    }
    const r = await submit(v, 'en-us', { subject: 'Busy 6', description: 'again', email });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '3600');
    assert.ok(r.html.includes('Too many requests.'));
  });
});

describe('request page', () => {
  let v, id, link, other;
  before(async () => {
    v = await visitor();
    const r = await submit(v, 'en-us', { subject: `Broken zipper ${XSS}`, description: `It broke. ${XSS}`, email: `${uniq('zip')}@customer.test` });
    assert.equal(r.status, 200, r.html);
    id = Number(/ticket-number">[^#]*#(\d+)/.exec(r.html)[1]);
    link = /href="([^"]+)" *>Follow your request/.exec(r.html.replace('class="status-link" ', ''))[1].replace(/&amp;/g, '&');
    const o = await submit(v, 'en-us', { subject: 'Another', description: 'x', email: `${uniq('zip')}@customer.test` });
    other = Number(/ticket-number">[^#]*#(\d+)/.exec(o.html)[1]);
  });

  test('a solved request offers its requester the satisfaction survey', async () => {
    const before = await (await page(link)).text();
    assert.ok(!before.includes('Rate this request'), 'no survey before the request is solved');
    const me = (await admin('/api/v2/users/me.json')).body.user;
    const json = (body) => ({ method: 'PUT', who: 'admin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const put = await rawFetch(`/api/v2/tickets/${id}.json`, json({ ticket: { status: 'solved', assignee_id: me.id } }));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const html = await (await page(link)).text();
    const m = /<p class="csat"><a href="([^"]+)">How did we do\? Rate this request<\/a>/.exec(html);
    assert.ok(m, 'the survey link on the solved request');
    assert.match(m[1], new RegExp(`^/hc/requests/${id}/satisfaction\\?token=[0-9a-f]{64}$`));
    const survey = await page(m[1]);
    assert.equal(survey.status, 200);
    // reopen, so the tests after this one find the request as they expect
    const back = await rawFetch(`/api/v2/tickets/${id}.json`, json({ ticket: { status: 'open' } }));
    assert.equal(back.status, 200, JSON.stringify(back.body));
  });

  test('the status link opens that request, read and reply, and no other', async () => {
    assert.match(link, new RegExp(`^/hc/en-us/requests/${id}\\?token=[0-9a-f]{40}$`));
    const r = await page(link);
    assert.equal(r.status, 200);
    const html = await r.text();
    assert.ok(html.includes('It broke.'));
    assertInert(html, 'request page with script payloads');
    const token = link.split('token=')[1];
    assert.equal((await page(`/hc/en-us/requests/${other}?token=${token}`)).status, 404);
    assert.equal((await page(`/hc/en-us/requests/${id}?token=${'0'.repeat(40)}`)).status, 404);
    assert.equal((await page(`/hc/en-us/requests/${id}`)).status, 404);
    const reply = await page(`/hc/en-us/requests/${id}`, {
      method: 'POST', headers: { 'Content-Type': FORM }, body: form({ token, action: 'reply', body: `Still broken ${XSS}` }),
    });
    assert.equal(reply.status, 303);
    assert.equal(reply.headers.get('location'), link);
    const cs = (await admin(`/api/v2/tickets/${id}/comments.json`)).body.comments;
    const last = cs.at(-1);
    const t = (await admin(`/api/v2/tickets/${id}.json`)).body.ticket;
    assert.ok(last.body.startsWith('Still broken'));
    assert.equal(last.public, true);
    assert.equal(last.author_id, t.requester_id);
    const after = await (await page(link)).text();
    assert.ok(after.includes('Still broken'));
    assertInert(after, 'request page after a reply with script payloads');
    const empty = await page(`/hc/en-us/requests/${id}`, { method: 'POST', headers: { 'Content-Type': FORM }, body: form({ token, action: 'reply', body: '  ' }) });
    assert.equal(empty.status, 422);
    const forged = await page(`/hc/en-us/requests/${other}`, { method: 'POST', headers: { 'Content-Type': FORM }, body: form({ token, action: 'reply', body: 'x' }) });
    assert.equal(forged.status, 404);
    const solve = await page(`/hc/en-us/requests/${id}`, { method: 'POST', headers: { 'Content-Type': FORM }, body: form({ token, action: 'solve' }) });
    assert.equal(solve.status, 303);
    assert.equal((await admin(`/api/v2/tickets/${id}.json`)).body.ticket.status, 'solved');
  });

  test('a signed-in customer replies through the portal with the session CSRF token', async () => {
    const t = await newTicket(client('enduser'), { subject: `Portal ${uniq()}` });
    const login = await fetch(`${s.server.url}/api/v2/sonnim/session.json`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: s.people.enduser.email, password: s.people.enduser.password }),
    });
    assert.equal(login.status, 200);
    const cookie = /sonnim_session=[0-9a-f]+/.exec(login.headers.get('set-cookie'))[0];
    const r = await page(`/hc/ko/requests/${t.id}`, { headers: { Cookie: cookie } });
    assert.equal(r.status, 200);
    const html = await r.text();
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(html)[1];
    const no = await page(`/hc/ko/requests/${t.id}`, { method: 'POST', headers: { 'Content-Type': FORM, Cookie: cookie }, body: form({ action: 'reply', body: 'x' }) });
    assert.equal(no.status, 403);
    const ok = await page(`/hc/ko/requests/${t.id}`, { method: 'POST', headers: { 'Content-Type': FORM, Cookie: cookie }, body: form({ csrf, action: 'reply', body: '포털에서 답장합니다' }) });
    assert.equal(ok.status, 303);
    const cs = (await admin(`/api/v2/tickets/${t.id}/comments.json`)).body.comments;
    assert.equal(cs.at(-1).body, '포털에서 답장합니다');
    assert.equal(cs.at(-1).author_id, s.people.enduser.id);
    // someone else's request stays closed to this session
    const theirs = await newTicket(client('enduser2'), { subject: `Not yours ${uniq()}` });
    assert.equal((await page(`/hc/ko/requests/${theirs.id}`, { headers: { Cookie: cookie } })).status, 404);
  });
});

describe('portal sign-in and my requests', () => {
  test('password sign-in starts a session; my requests lists the customer\'s tickets', async () => {
    const t = await newTicket(client('enduser'), { subject: `Mine ${uniq()}` });
    const get = await page('/hc/en-us/signin');
    assert.equal(get.status, 200);
    const html = await get.text();
    assert.ok(html.includes('action="/hc/en-us/signin"') && html.includes('action="/hc/en-us/signin/link"'));
    const tok = /sonnim_hc=([0-9a-f]{40})/.exec(get.headers.get('set-cookie'))[1];
    const hdr = { 'Content-Type': FORM, Cookie: `sonnim_hc=${tok}` };
    const bad = await page('/hc/en-us/signin', { method: 'POST', headers: hdr, body: form({ token: tok, email: s.people.enduser.email, password: 'wrong' }) });
    assert.equal(bad.status, 401);
    assert.ok((await bad.text()).includes('Wrong email address or password.'));
    const csrfless = await page('/hc/en-us/signin', { method: 'POST', headers: { 'Content-Type': FORM }, body: form({ token: tok, email: s.people.enduser.email, password: s.people.enduser.password }) });
    assert.equal(csrfless.status, 403, 'login CSRF: the token must match the cookie');
    const ok = await page('/hc/en-us/signin', { method: 'POST', headers: hdr, body: form({ token: tok, email: s.people.enduser.email, password: s.people.enduser.password }) });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/hc/en-us/requests');
    const cookie = /sonnim_session=[0-9a-f]+/.exec(ok.headers.get('set-cookie'))[0];
    const mine = await page('/hc/en-us/requests', { headers: { Cookie: cookie } });
    assert.equal(mine.status, 200);
    const list = await mine.text();
    assert.ok(list.includes(`/hc/en-us/requests/${t.id}`) && list.includes(t.subject));
    assert.equal((await page('/hc/en-us/requests')).status, 303);
  });

  test('magic link: asked for by email, the same answer for unknown addresses; a bad or used token does not sign in', async () => {
    const get = await page('/hc/ko/signin');
    const tok = /sonnim_hc=([0-9a-f]{40})/.exec(get.headers.get('set-cookie'))[1];
    const hdr = { 'Content-Type': FORM, Cookie: `sonnim_hc=${tok}` };
    const known = await page('/hc/ko/signin/link', { method: 'POST', headers: hdr, body: form({ token: tok, email: s.people.enduser.email }) });
    const unknown = await page('/hc/ko/signin/link', { method: 'POST', headers: hdr, body: form({ token: tok, email: `${uniq('nobody')}@nowhere.test` }) });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200);
    const a = await known.text(), b = await unknown.text();
    assert.ok(a.includes('로그인 링크를 보냈습니다') && b.includes('로그인 링크를 보냈습니다'));
    const badTok = await page(`/hc/ko/signin/token?token=${'a'.repeat(40)}`);
    assert.equal(badTok.status, 404);
    assert.ok((await badTok.text()).includes('만료되었거나'));
    assert.equal(badTok.headers.get('set-cookie')?.includes('sonnim_session') ?? false, false);
  });
});
