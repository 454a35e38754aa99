// answerbot.test.mjs - the answer bot API (/api/v2/answer_bot/...): a
// question in, the best articles out with scores, snippets and links, for
// the asker's segment only; "this solved it" records the deflection and
// solves the ticket the question came with (as its requester, via
// answer_bot); "not helpful"; bad tokens and articles that were not
// offered; resolutions lifting an article in later answers; clicks on
// offered articles (counted once, raising the clicked one's score); and the
// per-address limit for anonymous askers.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch, client } from './lib/harness.mjs';
import { uniq, newTicket } from './lib/fixtures.mjs';

const s = await env();
const HC = '/api/v2/help_center';
const j = (body) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const api = (who, method, p, body) => rawFetch(p, { method, who, ...(body ? j(body) : {}) });
const ask = (who, body) => api(who, 'POST', '/api/v2/answer_bot/answers', body);

let tag, first, second, internal, sec;

describe('answer bot', () => {
  before(async () => {
    tag = uniq('ab').replace(/[^a-z0-9]/gi, '');
    const cat = (await api('admin', 'POST', `${HC}/en-us/categories`, { category: { name: `Bot ${tag}` } })).body.category;
    sec = (await api('admin', 'POST', `${HC}/en-us/categories/${cat.id}/sections`, { section: { name: 'Parcels' } })).body.section;
    const mk = async (title, body, extra = {}) => (await api('agent', 'POST', `${HC}/en-us/sections/${sec.id}/articles`, { article: { title, body, ...extra } })).body.article;
    first = await mk(`Parcel tracking ${tag}`, `Track your parcel ${tag} with the number in the mail.`);
    second = await mk(`Parcel lost ${tag}`, `When a parcel ${tag} is lost we send a new one.`);
    internal = await mk(`Parcel macro ${tag}`, `Internal ${tag}`, { user_segment_id: 1 });
    assert.ok(first && second && internal);
  });

  test('answers: best articles with scores, snippets and links; visitors never get internal ones', async () => {
    const r = await ask('anonymous', { enquiry: `where is my parcel ${tag}?`, locale: 'en-us' });
    assert.equal(r.status, 200, r.text);
    const ids = r.body.articles.map((a) => a.article_id);
    assert.ok(ids.includes(first.id) && ids.includes(second.id), r.text);
    assert.ok(!ids.includes(internal.id), 'internal article offered to a visitor');
    const a = r.body.articles[0];
    assert.ok(a.score > 0 && a.title && a.snippet.includes('<em>'), r.text);
    assert.match(a.html_url, /\/hc\/en-us\/articles\/\d+$/);
    assert.match(a.url, /\/api\/v2\/help_center\/en-us\/articles\/\d+\.json$/);
    assert.deepEqual(r.body.deflection_articles, r.body.articles);
    assert.equal(r.body.interaction_access_token.length, 40);
    assert.equal(r.body.deflection.state, 'offered');
    assert.deepEqual(r.body.deflection.article_ids, ids);
    for (let i = 1; i < r.body.articles.length; i++) assert.ok(r.body.articles[i - 1].score >= r.body.articles[i].score);
    const staff = await ask('agent', { enquiry: `parcel ${tag}`, locale: 'en-us', limit: 5 });
    assert.ok(staff.body.articles.some((x) => x.article_id === internal.id), 'agents see internal articles');
  });

  test('validation', async () => {
    assert.equal((await ask('anonymous', { locale: 'en-us' })).status, 422);
    assert.equal((await ask('anonymous', { enquiry: 'x'.repeat(1001) })).status, 422);
    assert.equal((await ask('anonymous', { enquiry: 'parcel', locale: 'xx' })).status, 422);
    assert.equal((await ask('anonymous', { enquiry: 'parcel', limit: 99 })).status, 422);
    assert.equal((await ask('anonymous', { enquiry: 'parcel', ticket_id: 1 })).status, 422, 'visitors cannot tie a ticket');
    assert.equal((await ask('enduser', { enquiry: 'parcel', ticket_id: 1 })).status, 422);
    const none = await ask('anonymous', { enquiry: `zzqx${tag}` });
    assert.equal(none.status, 200);
    assert.deepEqual(none.body.articles, []);
  });

  test('rejection, resolution, and feedback lifts the article that solved it', async () => {
    const q = { enquiry: `parcel ${tag}`, locale: 'en-us' };
    const r0 = await ask('anonymous', q);
    const firstTop = r0.body.articles[0].article_id;
    const other = firstTop === first.id ? second.id : first.id;
    const tok = r0.body.interaction_access_token;
    const out = (kind, body) => api('anonymous', 'POST', `/api/v2/answer_bot/${kind}`, body);
    assert.equal((await out('resolution', { interaction_access_token: 'f'.repeat(40), article_id: other })).status, 404);
    assert.equal((await out('resolution', { interaction_access_token: tok, article_id: internal.id })).status, 422);
    assert.equal((await out('resolution', { interaction_access_token: tok, article_id: other, deflection_id: r0.body.deflection.id + 100000 })).status, 404);
    const rej = await out('rejection', { interaction_access_token: tok, article_id: firstTop });
    assert.equal(rej.status, 200, rej.text);
    assert.equal(rej.body.deflection.state, 'rejected');
    assert.equal((await out('rejection', { interaction_access_token: tok, article_id: firstTop })).status, 409);
    const res = await out('resolution', { interaction_access_token: tok, article_id: other, deflection_id: r0.body.deflection.id });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.deflection.state, 'resolved');
    assert.equal(res.body.deflection.article_id, other);
    assert.equal(res.body.ticket, null);
    assert.equal((await out('resolution', { interaction_access_token: tok, article_id: other })).status, 409);
    // more customers say `other` solved it: it comes first, scores stay bounded
    for (let i = 0; i < 15; i++) {
      const r = await ask('anonymous', q);
      const t = await out('resolution', { interaction_access_token: r.body.interaction_access_token, article_id: other });
      assert.equal(t.status, 200);
    }
    const r1 = await ask('anonymous', q);
    assert.equal(r1.body.articles[0].article_id, other, r1.text);
    const s0 = r0.body.articles.find((a) => a.article_id === other).score;
    assert.ok(r1.body.articles[0].score <= s0 * 1.25 + 1e-9, `boost bounded: ${s0} -> ${r1.body.articles[0].score}`);
  });

  test('clicks: counted once per offered article, and they raise its score', async () => {
    // fresh articles and words, so earlier feedback does not mix in
    const t2 = uniq('ck').replace(/[^a-z0-9]/gi, '');
    const mk = async (title, body) => (await api('agent', 'POST', `${HC}/en-us/sections/${sec.id}/articles`, { article: { title, body } })).body.article;
    const a1 = await mk(`Voucher rules ${t2}`, `A voucher ${t2} works once.`);
    const a2 = await mk(`Voucher expiry ${t2}`, `How long a voucher ${t2} stays valid.`);
    const q = { enquiry: `voucher ${t2}`, locale: 'en-us' };
    const r0 = await ask('agent', q);
    assert.equal(r0.status, 200, r0.text);
    assert.equal(r0.body.articles.length, 2, r0.text);
    const low = r0.body.articles[1];
    const tok = r0.body.interaction_access_token;
    // the contact form sends a JSON Blob by sendBeacon: application/json
    const click = (body) => api('anonymous', 'POST', '/api/v2/answer_bot/click.json', body);
    const c1 = await click({ interaction_access_token: tok, article_id: low.article_id });
    assert.equal(c1.status, 200, c1.text);
    assert.deepEqual(c1.body, { article_id: low.article_id, counted: true });
    const c2 = await click({ interaction_access_token: tok, article_id: low.article_id });
    assert.equal(c2.status, 200, c2.text);
    assert.equal(c2.body.counted, false, 'a second click on the same article counts nothing');
    const no = await click({ interaction_access_token: tok, article_id: internal.id });
    assert.equal(no.status, 422, no.text);
    assert.equal(no.body.error, 'RecordInvalid');
    const unknown = await click({ interaction_access_token: 'e'.repeat(40), article_id: low.article_id });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.error, 'RecordNotFound');
    assert.equal((await click({ article_id: low.article_id })).status, 422, 'no token');
    assert.equal((await click({ interaction_access_token: tok })).status, 422, 'no article');
    const bad = await rawFetch('/api/v2/answer_bot/click.json', { method: 'POST', who: 'anonymous',
      headers: { 'Content-Type': 'application/json' }, body: '{"article_id": ' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error, 'InvalidJSON');
    // sendBeacon with a plain string sends text/plain: the body is still JSON
    const r1 = await ask('agent', q);
    const plain = await rawFetch('/api/v2/answer_bot/click.json', { method: 'POST', who: 'anonymous',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ interaction_access_token: r1.body.interaction_access_token, article_id: low.article_id }) });
    assert.equal(plain.status, 200, plain.text);
    assert.equal(plain.body.counted, true);
    // more askers follow it: its score rises in a new answer, bounded
    for (let i = 0; i < 8; i++) {
      const r = await ask('agent', q);
      const c = await click({ interaction_access_token: r.body.interaction_access_token, article_id: low.article_id });
      assert.equal(c.body.counted, true, c.text);
    }
    const r2 = await ask('agent', q);
    const after = r2.body.articles.find((a) => a.article_id === low.article_id);
    assert.ok(after.score > low.score, `click boost: ${low.score} -> ${after.score}`);
    assert.ok(after.score <= low.score * 1.25 + 1e-9);
    const top0 = r0.body.articles[0];
    assert.equal(r2.body.articles.find((a) => a.article_id === top0.article_id).score, top0.score,
      'the article nobody clicked keeps its score');
    assert.ok(a1 && a2);
  });

  test('a question tied to a ticket: "this solved it" solves the ticket as its requester', async () => {
    const t = await newTicket(client('enduser'), { subject: `My parcel ${tag} is late` });
    assert.equal(t.assignee_id ?? null, null);
    const r = await ask('agent', { enquiry: `parcel ${tag}`, ticket_id: t.id, deflection_channel: 'email' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.deflection.ticket_id, t.id);
    assert.equal(r.body.deflection.user_id, t.requester_id);
    assert.equal(r.body.deflection.deflection_channel, 'email');
    const res = await api('anonymous', 'POST', '/api/v2/answer_bot/resolution', { interaction_access_token: r.body.interaction_access_token, article_id: r.body.articles[0].article_id });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.ticket, { id: t.id, solved: true, status: 'solved' });
    const after = (await api('admin', 'GET', `/api/v2/tickets/${t.id}.json`)).body.ticket;
    assert.equal(after.status, 'solved');
    const audits = (await api('admin', 'GET', `/api/v2/tickets/${t.id}/audits.json`)).body.audits;
    assert.equal(audits.at(-1).via.channel, 'answer_bot');
    assert.equal(audits.at(-1).author_id, t.requester_id);
  });

  // last: it spends this address's anonymous budget for the minute
  test('anonymous askers: at most 60 questions a minute from one address', async () => {
    let limited = null;
    for (let i = 0; i < 62 && !limited; i++) {
      const r = await ask('anonymous', { enquiry: `parcel ${tag} ${i}` });
      if (r.status === 429) limited = r;
      else assert.equal(r.status, 200, r.text);
    }
    assert.ok(limited, 'no 429 after 62 questions');
    assert.equal(limited.headers.get('retry-after'), '60');
    assert.equal((await ask('agent', { enquiry: `parcel ${tag}` })).status, 200, 'signed requests are not counted');
  });
});
