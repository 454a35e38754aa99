// satisfaction.test.mjs - CSAT through the API and the public survey page:
// only the requester rates, only solved (or recently closed) tickets, a new
// answer replaces the old one (same id), the ticket shows its rating, the
// satisfaction_ratings list filters (score, start/end time), a trigger on
// satisfaction_score fires, and the survey link from the email placeholder
// works without a login while a forged or foreign token is refused.
// Plain fetch (rawFetch): the survey page is HTML and its form is
// application/x-www-form-urlencoded, which node-zendesk cannot send.
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch, show, sleep } from './lib/harness.mjs';
import { uniq } from './lib/fixtures.mjs';

await env();
const J = { 'Content-Type': 'application/json' };
const api = (path, who = 'admin', method = 'GET', body) =>
  rawFetch(`/api/v2${path}`, { who, method, headers: J, body: body ? JSON.stringify(body) : undefined });
const form = (o) => new URLSearchParams(o).toString();
const F = { 'Content-Type': 'application/x-www-form-urlencoded' };

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// A ticket of the end-user, solved by the admin.
async function solvedTicket(subject = `만족도 ${uniq()}`) {
  let r = await api('/tickets.json', 'enduser', 'POST', { ticket: { subject, comment: { body: '도와주세요' } } });
  assert.equal(r.status, 201, show(r));
  const t = r.body.ticket;
  r = await api(`/tickets/${t.id}.json`, 'admin', 'PUT', { ticket: { status: 'solved', comment: { body: '해결했습니다' } } });
  assert.equal(r.status, 200, show(r));
  return t;
}

// The survey link the email placeholder gives for ticket id (through a
// macro's apply, which renders placeholders without saving anything).
let linkMacro;
async function surveyLink(id) {
  const r = await api(`/tickets/${id}/macros/${linkMacro.id}/apply.json`, 'agent');
  assert.equal(r.status, 200, show(r));
  return r.body.result.comment.body.trim();
}

describe('CSAT', () => {
  let trigger;
  before(async () => {
    let r = await api('/macros.json', 'admin', 'POST', { macro: { title: `survey link ${uniq()}`, actions: [{ field: 'comment_value', value: '{{satisfaction.rating_url}}' }] } });
    assert.equal(r.status, 201, show(r));
    linkMacro = r.body.macro;
    r = await api('/triggers.json', 'admin', 'POST', { trigger: {
      title: `Tag bad ratings ${uniq()}`,
      conditions: { all: [{ field: 'satisfaction_score', operator: 'is', value: 'bad' }] },
      actions: [{ field: 'current_tags', value: 'csat_bad' }],
    } });
    assert.equal(r.status, 201, show(r));
    trigger = r.body.trigger;
  });
  after(async () => {
    await api(`/triggers/${trigger.id}.json`, 'admin', 'DELETE');
    await api(`/macros/${linkMacro.id}.json`, 'admin', 'DELETE');
  });

  test('the requester rates a solved ticket; a new answer replaces the old', async () => {
    let r = await api('/tickets.json', 'enduser', 'POST', { ticket: { subject: `열린 티켓 ${uniq()}`, comment: { body: '질문' } } });
    const open = r.body.ticket;
    assert.equal(open.satisfaction_rating, null);
    r = await api(`/tickets/${open.id}/satisfaction_rating.json`, 'enduser', 'POST', { satisfaction_rating: { score: 'good' } });
    assert.equal(r.status, 422, show(r));

    const t = await solvedTicket();
    r = await api(`/tickets/${t.id}/satisfaction_rating.json`, 'agent', 'POST', { satisfaction_rating: { score: 'good' } });
    assert.equal(r.status, 403, show(r));
    r = await api(`/tickets/${t.id}/satisfaction_rating.json`, 'enduser', 'POST', { satisfaction_rating: { score: 'great' } });
    assert.equal(r.status, 422, show(r));
    const t0 = Math.floor(Date.now() / 1000);
    r = await api(`/tickets/${t.id}/satisfaction_rating.json`, 'enduser', 'POST', { satisfaction_rating: { score: 'good', comment: '빨랐어요' } });
    assert.equal(r.status, 200, show(r));
    const first = r.body.satisfaction_rating;
    assert.equal(first.score, 'good');
    assert.equal(first.ticket_id, t.id);
    assert.equal(first.comment, '빨랐어요');
    r = await api(`/tickets/${t.id}/satisfaction_rating.json`, 'enduser', 'POST', { satisfaction_rating: { score: 'bad', comment: '다시 문제가 생겼어요', reason_code: 6 } });
    assert.equal(r.status, 200, show(r));
    const second = r.body.satisfaction_rating;
    assert.equal(second.id, first.id, 'replaced, not added');
    assert.equal(second.score, 'bad');
    assert.equal(second.reason_code, 6);
    assert.equal(second.reason, 'The issue was not resolved');

    r = await api(`/tickets/${t.id}.json`, 'agent');
    assert.deepEqual(r.body.ticket.satisfaction_rating, { id: first.id, score: 'bad', comment: '다시 문제가 생겼어요' });

    r = await api(`/satisfaction_ratings/${first.id}.json`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.satisfaction_rating.requester_id, t.requester_id);
    r = await api('/satisfaction_ratings.json?score=bad_with_comment');
    assert.ok(r.body.satisfaction_ratings.some((x) => x.id === first.id), show(r));
    r = await api('/satisfaction_ratings.json?score=good');
    assert.ok(!r.body.satisfaction_ratings.some((x) => x.id === first.id), show(r));
    r = await api(`/satisfaction_ratings.json?start_time=${t0 - 5}&end_time=${t0 + 600}`);
    assert.ok(r.body.satisfaction_ratings.some((x) => x.id === first.id), show(r));
    r = await api(`/satisfaction_ratings.json?start_time=${t0 + 600}`);
    assert.ok(!r.body.satisfaction_ratings.some((x) => x.id === first.id), show(r));
    r = await api('/satisfaction_ratings.json?score=great');
    assert.equal(r.status, 400, show(r));
    r = await api('/satisfaction_ratings.json', 'agent');
    assert.equal(r.status, 403, show(r));

    // the trigger on satisfaction_score saw the bad rating
    await until('the csat_bad tag', async () => (await api(`/tickets/${t.id}.json`)).body.ticket.tags.includes('csat_bad'));
  });

  test('the survey link: no login, token bound to the ticket, forgeries refused', async () => {
    const t = await solvedTicket(`<설문> ${uniq()}`);
    const link = await surveyLink(t.id);
    const u = new URL(link);
    assert.equal(u.pathname, `/hc/requests/${t.id}/satisfaction`);
    const token = u.searchParams.get('token');
    assert.match(token, /^[0-9a-f]{64}$/);

    let r = await rawFetch(`${u.pathname}?token=${token}&lang=ko`, { who: 'anonymous' });
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.match(r.text, /상담은 만족스러우셨나요/);
    assert.match(r.text, /&lt;설문&gt;/, 'the subject is escaped');
    assert.match(r.text, new RegExp(`name="token" value="${token}"`));
    r = await rawFetch(`${u.pathname}?token=${token}&lang=en`, { who: 'anonymous' });
    assert.match(r.text, /How would you rate our support/);

    // forged: one hex digit changed; foreign: another ticket's token; none
    const forged = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
    const other = await solvedTicket();
    const foreign = new URL(await surveyLink(other.id)).searchParams.get('token');
    for (const bad of [forged, foreign, '', 'x'.repeat(64)]) {
      r = await rawFetch(`${u.pathname}?token=${bad}`, { who: 'anonymous' });
      assert.equal(r.status, 403, `GET with ${bad}: ${show(r)}`);
      r = await rawFetch(u.pathname, { who: 'anonymous', method: 'POST', headers: F, body: form({ token: bad, score: 'good' }) });
      assert.equal(r.status, 403, `POST with ${bad}: ${show(r)}`);
    }
    assert.equal((await api(`/tickets/${t.id}.json`)).body.ticket.satisfaction_rating, null);
    r = await rawFetch(`/hc/requests/999999/satisfaction?token=${token}`, { who: 'anonymous' });
    assert.equal(r.status, 403, show(r));

    // the real answer, as the form posts it
    r = await rawFetch(u.pathname, { who: 'anonymous', method: 'POST', headers: F,
      body: form({ token, lang: 'ko', score: 'bad', reason_code: '5', comment: '답변이 늦었어요 & 아쉬워요' }) });
    assert.equal(r.status, 200, show(r));
    assert.match(r.text, /감사합니다/);
    r = await api(`/tickets/${t.id}.json`);
    assert.equal(r.body.ticket.satisfaction_rating.score, 'bad');
    assert.equal(r.body.ticket.satisfaction_rating.comment, '답변이 늦었어요 & 아쉬워요');
    const id = r.body.ticket.satisfaction_rating.id;
    r = await api(`/satisfaction_ratings/${id}.json`);
    assert.equal(r.body.satisfaction_rating.reason_code, 5);
    // the page shows the current answer; changing it keeps the id
    r = await rawFetch(`${u.pathname}?token=${token}&lang=en`, { who: 'anonymous' });
    assert.match(r.text, /Your current rating/);
    r = await rawFetch(u.pathname, { who: 'anonymous', method: 'POST', headers: F, body: form({ token, score: 'good' }) });
    assert.equal(r.status, 200, show(r));
    r = await api(`/tickets/${t.id}.json`);
    assert.equal(r.body.ticket.satisfaction_rating.id, id);
    assert.equal(r.body.ticket.satisfaction_rating.score, 'good');

    // reopened: the link no longer rates
    r = await api(`/tickets/${t.id}.json`, 'admin', 'PUT', { ticket: { status: 'open' } });
    assert.equal(r.status, 200, show(r));
    r = await rawFetch(`${u.pathname}?token=${token}`, { who: 'anonymous' });
    assert.equal(r.status, 422, show(r));
  });
});
