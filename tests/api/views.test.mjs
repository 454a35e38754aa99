// views.test.mjs - /api/v2/views (custom views: conditions as automations
// read them, execution columns/sort/group, shared/group/personal, tickets,
// count, count_many), /api/v2/sonnim/agents (online/away/offline, heard on
// every stream, offline when the last stream closed) and the workspace's
// content negotiation (brotli, gzip, identity; q=0; Vary; per-encoding
// ETags).
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { env, rawFetch, show, extraServer, sleep } from './lib/harness.mjs';
import { uniq } from './lib/fixtures.mjs';

const s = await env();
const J = { 'Content-Type': 'application/json' };
const api = (path, who = 'admin', method = 'GET', body) =>
  rawFetch(`/api/v2${path}`, { who, method, headers: J, body: body ? JSON.stringify(body) : undefined });

async function ticket(who, fields) {
  const r = await api('/tickets.json', who, 'POST', { ticket: { comment: { body: '본문' }, ...fields } });
  assert.equal(r.status, 201, show(r));
  return r.body.ticket;
}

describe('custom views', () => {
  const tag = uniq('vw');
  let a, b, c, shared;
  before(async () => {
    a = await ticket('admin', { subject: `${tag} A`, priority: 'high', tags: [tag] });
    b = await ticket('admin', { subject: `${tag} B`, priority: 'urgent', tags: [tag], status: 'pending' });
    c = await ticket('admin', { subject: `${tag} C`, priority: 'low', tags: [tag] });
  });

  test('an admin creates a shared view; its tickets and count follow the conditions', async () => {
    const r = await api('/views.json', 'admin', 'POST', {
      view: {
        title: `높은 우선순위 ${tag}`,
        all: [{ field: 'current_tags', operator: 'includes', value: tag }],
        any: [{ field: 'priority', operator: 'is', value: 'high' }, { field: 'priority', operator: 'is', value: 'urgent' }],
        output: { columns: ['status', 'subject', 'priority'], sort_by: 'priority', sort_order: 'desc' },
      },
    });
    assert.equal(r.status, 201, show(r));
    shared = r.body.view;
    assert.equal(shared.restriction, null);
    assert.equal(shared.active, true);
    assert.deepEqual(shared.execution.columns.map((x) => x.id), ['status', 'subject', 'priority']);
    assert.equal(shared.execution.sort_by, 'priority');
    assert.equal(shared.conditions.any.length, 2);
    const t = await api(`/views/${shared.id}/tickets.json`, 'agent');
    assert.equal(t.status, 200, show(t));
    assert.deepEqual(t.body.tickets.map((x) => x.id), [b.id, a.id]); // urgent before high
    assert.equal(t.body.count, 2);
    const n = await api(`/views/${shared.id}/count.json`, 'agent');
    assert.equal(n.status, 200, show(n));
    assert.equal(n.body.view_count.value, 2);
    assert.equal(n.body.view_count.view_id, shared.id);
    // a change moves a ticket into the view
    const u = await api(`/tickets/${c.id}.json`, 'admin', 'PUT', { ticket: { priority: 'urgent' } });
    assert.equal(u.status, 200, show(u));
    const n2 = await api(`/views/${shared.id}/count.json`, 'agent');
    assert.equal(n2.body.view_count.value, 3);
  });

  test('group_by sorts groups first; sort_by and paging on the request', async () => {
    const r = await api(`/views/${shared.id}.json`, 'admin', 'PUT', {
      view: { output: { group_by: 'status', group_order: 'asc', sort_by: 'id', sort_order: 'asc' } },
    });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.view.execution.group_by, 'status');
    assert.equal(r.body.view.title, `높은 우선순위 ${tag}`, 'untouched members stay');
    const t = await api(`/views/${shared.id}/tickets.json`, 'agent');
    // new (a, c) before pending (b), each by id
    assert.deepEqual(t.body.tickets.map((x) => x.id), [a.id, c.id, b.id]);
    const p1 = await api(`/views/${shared.id}/tickets.json?per_page=2&sort_by=id&sort_order=desc`, 'agent');
    assert.deepEqual(p1.body.tickets.map((x) => x.id), [c.id, a.id, b.id].slice(0, 2));
    assert.ok(p1.body.next_page, show(p1));
    const p2 = await api(`/views/${shared.id}/tickets.json?per_page=2&page=2&sort_by=id&sort_order=desc`, 'agent');
    assert.deepEqual(p2.body.tickets.map((x) => x.id), [b.id]);
    assert.equal(p2.body.next_page, null);
    const bad = await api(`/views/${shared.id}/tickets.json?sort_by=nope`, 'agent');
    assert.equal(bad.status, 400, show(bad));
    // execute: rows with the columns' values, in the same order
    const ex = await api(`/views/${shared.id}/execute.json`, 'agent');
    assert.equal(ex.status, 200, show(ex));
    assert.deepEqual(ex.body.columns.map((x) => x.id), ['status', 'subject', 'priority']);
    assert.equal(ex.body.group_by, 'status');
    assert.deepEqual(ex.body.rows.map((x) => x.ticket.id), [a.id, c.id, b.id]);
    assert.deepEqual(ex.body.rows.map((x) => [x.status, x.priority]), [['new', 'high'], ['new', 'urgent'], ['pending', 'urgent']]);
    assert.equal(ex.body.rows[0].subject, `${tag} A`);
    assert.equal(ex.body.count, 3);
  });

  test('personal views: an agent\'s are its own; others get 404; agents cannot make shared ones', async () => {
    const r = await api('/views.json', 'agent', 'POST', {
      view: { title: `내 보기 ${tag}`, conditions: { all: [{ field: 'assignee_id', operator: 'is', value: 'current_user' }] } },
    });
    assert.equal(r.status, 201, show(r));
    const mine = r.body.view;
    assert.deepEqual(mine.restriction, { type: 'User', id: s.people.agent.id });
    assert.equal((await api(`/views/${mine.id}.json`, 'agent2')).status, 404);
    assert.equal((await api(`/views/${mine.id}/count.json`, 'agent2')).status, 404);
    const list2 = await api('/views.json', 'agent2');
    assert.ok(!list2.body.views.some((v) => v.id === mine.id));
    assert.ok(list2.body.views.some((v) => v.id === shared.id));
    const all = await api('/views.json', 'admin');
    assert.ok(all.body.views.some((v) => v.id === mine.id), 'admins see every view');
    const sh = await api('/views.json', 'agent', 'POST', {
      view: { title: 'x', restriction: null, all: [{ field: 'status', operator: 'is', value: 'open' }] },
    });
    assert.equal(sh.status, 403, show(sh));
    const ch = await api(`/views/${shared.id}.json`, 'agent', 'PUT', { view: { title: 'mine now' } });
    assert.equal(ch.status, 403, show(ch));
    // current_user is the agent asking
    await ticket('admin', { subject: `${tag} mine`, assignee_id: s.people.agent.id });
    const t = await api(`/views/${mine.id}/tickets.json`, 'agent');
    assert.ok(t.body.tickets.length >= 1);
    assert.ok(t.body.tickets.every((x) => x.assignee_id === s.people.agent.id));
    // count_many leaves out what the asker cannot see
    const many = await api(`/views/count_many.json?ids=${shared.id},${mine.id},999999`, 'agent2');
    assert.equal(many.status, 200, show(many));
    assert.deepEqual(many.body.view_counts.map((x) => x.view_id), [shared.id]);
    assert.equal(many.body.view_counts[0].value, 3);
    const del = await api(`/views/${mine.id}.json`, 'agent', 'DELETE');
    assert.equal(del.status, 204, show(del));
    assert.equal((await api(`/views/${mine.id}.json`, 'agent')).status, 404);
  });

  test('hostile input is 422 and writes nothing', async () => {
    const before = (await api('/views.json', 'admin')).body.count;
    const cases = [
      { title: 'no conditions' },
      { title: 'bad field', all: [{ field: 'nope', operator: 'is', value: 'x' }] },
      { title: 'changed is for triggers', all: [{ field: 'status', operator: 'changed' }] },
      { title: 'bad column', all: [{ field: 'status', operator: 'is', value: 'open' }], output: { columns: ['nope'] } },
      { title: 'bad order', all: [{ field: 'status', operator: 'is', value: 'open' }], output: { sort_order: 'up' } },
      { title: '', all: [{ field: 'status', operator: 'is', value: 'open' }] },
      { title: 'x', all: 'status', },
      { title: 'bad group', all: [{ field: 'status', operator: 'is', value: 'open' }], restriction: { type: 'Group', id: 99999999 } },
    ];
    for (const v of cases) {
      const r = await api('/views.json', 'admin', 'POST', { view: v });
      assert.equal(r.status, 422, `${JSON.stringify(v)}: ${show(r)}`);
      assert.equal(r.body.error, 'RecordInvalid', show(r));
    }
    const r = await api('/views.json', 'admin', 'POST', { nope: 1 });
    assert.equal(r.status, 422, show(r));
    assert.equal((await api('/views.json', 'admin')).body.count, before);
    assert.equal((await api('/views/999999/tickets.json', 'admin')).status, 404);
    assert.equal((await api('/views/count_many.json', 'admin')).status, 400);
    assert.equal((await api('/views.json', 'enduser')).status, 403);
  });
});

describe('agent status', () => {
  test('an agent sets away; the team sees it; other agents hear it on their stream', async () => {
    const sse = await openStream('agent2');
    try {
      const r = await api('/sonnim/agents/me/status.json', 'agent', 'PUT', { status: 'away' });
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.agent_status.status, 'away');
      assert.equal(r.body.agent_status.user_id, s.people.agent.id);
      const l = await api('/sonnim/agents/statuses.json', 'agent2');
      assert.equal(l.status, 200, show(l));
      const me = l.body.agent_statuses.find((x) => x.user_id === s.people.agent.id);
      assert.equal(me.status, 'away');
      assert.ok(!l.body.agent_statuses.some((x) => x.user_id === s.people.enduser.id), 'end-users have no status');
      const text = await sse.until((t) => t.includes('event: agent.status') && t.includes('"away"'));
      assert.match(text, new RegExp(`"user_id":${s.people.agent.id}`));
    } finally {
      sse.close();
    }
    for (const bad of [{ status: 'busy' }, { status: 3 }, {}]) {
      const r = await api('/sonnim/agents/me/status.json', 'agent', 'PUT', bad);
      assert.equal(r.status, 422, show(r));
    }
    assert.equal((await api('/sonnim/agents/me/status.json', 'enduser', 'PUT', { status: 'online' })).status, 403);
    assert.equal((await api('/sonnim/agents/statuses.json', 'enduser')).status, 403);
  });

  test('an agent whose last stream closed turns offline after agent_offline_after', async () => {
    const srv = await extraServer({ rateLimit: 1_000_000, role: 'all', extraEnv: { SONNIM_AGENT_OFFLINE_AFTER: '1' } });
    try {
      const r = await api('/sonnim/agents/me/status.json', 'agent2', 'PUT', { status: 'online' });
      assert.equal(r.status, 200, show(r));
      const sse = await openStream('agent2', srv.url);
      sse.close();
      // the server notices a closed stream on its next write (a ping, at
      // most SSE_PING_SECONDS later), then waits agent_offline_after
      let st;
      for (let i = 0; i < 600; i++) {
        const l = await api('/sonnim/agents/statuses.json', 'admin');
        st = l.body.agent_statuses.find((x) => x.user_id === s.people.agent2.id);
        if (st.status === 'offline') break;
        await sleep(100);
      }
      assert.equal(st.status, 'offline');
      assert.equal(st.automatic, true);
    } finally {
      await srv.stop();
    }
  });
});

// An event stream that keeps reading (rawFetch reads only its first chunk).
async function openStream(who, base = s.server.url) {
  const p = s.people[who];
  const ac = new AbortController();
  const res = await fetch(`${base}/api/v2/sonnim/stream`, {
    headers: { Authorization: 'Basic ' + Buffer.from(`${p.email}/token:${p.token}`).toString('base64') },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  let text = '';
  const first = await reader.read(); // "ready": the stream is registered
  text += Buffer.from(first.value || []).toString('utf8');
  return {
    async until(pred) {
      while (!pred(text)) {
        const c = await reader.read();
        if (c.done) break;
        text += Buffer.from(c.value).toString('utf8');
      }
      return text;
    },
    close() { ac.abort(); },
  };
}

// A raw GET (node:http does not decode bodies): status, headers, bytes.
function rawGet(path, headers) {
  return new Promise((resolve, reject) => {
    http.get(`${s.server.url}${path}`, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('workspace assets: brotli and gzip', () => {
  test('br when accepted, gzip when br is refused, identity when neither; Vary and per-encoding ETags', async () => {
    const zlib = await import('node:zlib');
    const idx = await rawGet('/agent/', {});
    assert.equal(idx.status, 200);
    const js = /src="assets\/([^"]+\.js)"/.exec(idx.body.toString())[1];
    const plain = await rawGet(`/agent/assets/${js}`, {});
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.match(plain.headers['cache-control'], /immutable/);
    const br = await rawGet(`/agent/assets/${js}`, { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.ok(br.body.length < plain.body.length);
    assert.deepEqual(zlib.brotliDecompressSync(br.body), plain.body);
    const gz = await rawGet(`/agent/assets/${js}`, { 'Accept-Encoding': 'br;q=0, gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(zlib.gunzipSync(gz.body), plain.body);
    const pref = await rawGet(`/agent/assets/${js}`, { 'Accept-Encoding': 'br;q=0.5, gzip;q=0.9' });
    assert.equal(pref.headers['content-encoding'], 'gzip', 'the higher weight wins');
    const none = await rawGet(`/agent/assets/${js}`, { 'Accept-Encoding': 'br;q=0, gzip;q=0, *;q=0' });
    assert.equal(none.headers['content-encoding'], undefined);
    const etags = new Set([plain, br, gz].map((x) => x.headers.etag));
    assert.equal(etags.size, 3, 'each encoding has its own strong ETag');
    const nm = await rawGet(`/agent/assets/${js}`, { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag });
    assert.equal(nm.status, 304);
    assert.equal(nm.body.length, 0);
    const other = await rawGet(`/agent/assets/${js}`, { 'Accept-Encoding': 'gzip', 'If-None-Match': br.headers.etag });
    assert.equal(other.status, 200, 'the brotli ETag does not validate the gzip body');
    const page = await rawGet('/agent/', { 'Accept-Encoding': 'br' });
    assert.equal(page.headers['content-encoding'], 'br');
    assert.equal(page.headers['cache-control'], 'no-cache');
  });
});

describe('API tokens (admin screen)', () => {
  test('an admin makes a token for an agent (shown once), it signs in, revoking ends it', async () => {
    const r = await api('/sonnim/api_tokens.json', 'admin', 'POST', { api_token: { description: '연동 integration', user_id: s.people.agent.id } });
    assert.equal(r.status, 201, show(r));
    const tok = r.body.api_token;
    assert.match(tok.token, /^[A-Za-z0-9]{20,}$/);
    assert.equal(tok.user_id, s.people.agent.id);
    const auth = { Authorization: 'Basic ' + Buffer.from(`${s.people.agent.email}/token:${tok.token}`).toString('base64') };
    const me = await rawFetch('/api/v2/users/me.json', { who: null, headers: auth });
    assert.equal(me.status, 200, show(me));
    assert.equal(me.body.user.id, s.people.agent.id);
    const l = await api('/sonnim/api_tokens.json', 'admin');
    const row = l.body.api_tokens.find((x) => x.id === tok.id);
    assert.equal(row.description, '연동 integration');
    assert.equal(row.active, true);
    assert.ok(!('token' in row) && !JSON.stringify(l.body).includes(tok.token), 'the secret is never listed');
    assert.equal((await api('/sonnim/api_tokens.json', 'agent')).status, 403);
    assert.equal((await api(`/sonnim/api_tokens/${tok.id}.json`, 'agent', 'DELETE')).status, 403);
    const d = await api(`/sonnim/api_tokens/${tok.id}.json`, 'admin', 'DELETE');
    assert.equal(d.status, 204, show(d));
    const after = await rawFetch('/api/v2/users/me.json', { who: null, headers: auth });
    assert.equal(after.status, 401, show(after));
    const bad = await api('/sonnim/api_tokens.json', 'admin', 'POST', { api_token: { user_id: s.people.enduser.id } });
    assert.equal(bad.status, 422, show(bad));
  });
});
