// stream.test.mjs - GET /api/v2/sonnim/stream, the agent workspace's SSE
// feed of committed ticket events: what arrives, how fast, who sees what,
// and that a vanished client does not hurt the server.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show, rawFetch } from './lib/harness.mjs';
import { demo, uniq, newTicket, sleep } from './lib/fixtures.mjs';

await env();

// Open a stream with the given headers; events() returns what arrived so
// far ({id, event, data}); close() hangs up.
async function openStream(headers) {
  const s = await env();
  const ac = new AbortController();
  const res = await fetch(`${s.server.url}/api/v2/sonnim/stream`, { headers, signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const got = [];
  let text = '';
  const reader = res.body.getReader();
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
        let i;
        while ((i = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, i);
          text = text.slice(i + 2);
          const m = {};
          for (const line of block.split('\n')) {
            const c = line.indexOf(':');
            if (c > 0) m[line.slice(0, c)] = line.slice(c + 1).trim();
          }
          if (m.event) got.push({ ...m, at: Date.now(), data: m.data ? JSON.parse(m.data) : null });
        }
      }
    } catch { /* aborted */ }
  })();
  const until = async (pred, ms = 3000) => {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      const e = got.find(pred);
      if (e) return e;
      await sleep(10);
    }
    return null;
  };
  await until((e) => e.event === 'ready');
  return { events: () => got, until, close: () => ac.abort() };
}

function tokenHeaders(who) {
  return env().then((s) => {
    const p = s.people[who];
    return { Authorization: 'Basic ' + Buffer.from(`${p.email}/token:${p.token}`).toString('base64') };
  });
}

describe('the event stream', () => {
  let d;
  before(async () => { d = await demo(); });

  test('a ticket created through the API reaches an agent within a second', async () => {
    const st = await openStream(await tokenHeaders('agent'));
    try {
      const admin = client('admin');
      const t0 = Date.now();
      const t = await newTicket(admin, { subject: uniq('실시간 ') });
      const created = await st.until((e) => e.event === 'ticket.created' && e.data.ticket_id === t.id);
      assert.ok(created, `no ticket.created for ${t.id}: ${JSON.stringify(st.events())}`);
      assert.ok(created.at - t0 < 1000, `took ${created.at - t0} ms`);
      assert.ok(await st.until((e) => e.event === 'comment.added' && e.data.ticket_id === t.id));
      const r = await call(admin, admin.tickets.update(t.id, { ticket: { priority: 'high' } }));
      assert.equal(r.status, 200, show(r));
      assert.ok(await st.until((e) => e.event === 'ticket.updated' && e.data.ticket_id === t.id));
      assert.ok(Number(created.id) > 0, 'events carry an id');
    } finally {
      st.close();
    }
  });

  test('end-users and anonymous callers get no stream', async () => {
    assert.equal((await rawFetch('/api/v2/sonnim/stream', { who: 'anonymous' })).status, 401);
    assert.equal((await rawFetch('/api/v2/sonnim/stream', { who: 'enduser' })).status, 403);
  });

  test('a restricted agent hears only of the tickets it may see (browser session)', async () => {
    const s = await env();
    const admin = client('admin');
    const email = `${uniq('restricted')}@sonnim.test`;
    let r = await call(admin, admin.users.create({ user: { name: 'Restricted Streamer', email, role: 'agent', ticket_restriction: 'assigned' } }));
    assert.equal(r.status, 201, show(r));
    const uid = r.result.id;
    const password = 'Stream-pw-12345';
    const pr = await rawFetch(`/api/v2/users/${uid}/password.json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password }) });
    assert.ok([200, 204].includes(pr.status), pr.text);
    const login = await fetch(`${s.server.url}/api/v2/sonnim/session.json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const st = await openStream({ Cookie: cookie });
    try {
      const hidden = await newTicket(admin, { subject: uniq('안 보이는 '), group_id: d.groups.support });
      const mine = await newTicket(admin, { subject: uniq('내 티켓 '), assignee_id: uid });
      assert.ok(await st.until((e) => e.data && e.data.ticket_id === mine.id), JSON.stringify(st.events()));
      await sleep(300);
      assert.equal(st.events().filter((e) => e.data && e.data.ticket_id === hidden.id).length, 0,
        'a restricted agent must not hear of a ticket it cannot see');
    } finally {
      st.close();
    }
  });

  test('clients that hang up do not disturb the others or the server', async () => {
    const h = await tokenHeaders('admin');
    for (let i = 0; i < 20; i++) {
      const st = await openStream(h);
      st.close();
    }
    const st = await openStream(h);
    try {
      const t = await newTicket(client('admin'), { subject: uniq('after hang-ups ') });
      assert.ok(await st.until((e) => e.event === 'ticket.created' && e.data.ticket_id === t.id));
      const hz = await rawFetch('/healthz', { who: 'anonymous' });
      assert.equal(hz.status, 200);
    } finally {
      st.close();
    }
  });
});
