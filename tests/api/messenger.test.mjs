// messenger.test.mjs - the web messenger's public API (/messenger/v1/...),
// its sites admin API, the visitor's event stream and the agents' signals:
// a conversation is a ticket via "messaging"; messages both ways; typing
// and read receipts through the event path; signed identities (HS256) on a
// second device; an anonymous visitor merged by email; the answer bot
// first, clicks on its articles, then "that solved it" / "talk to a person";
// and bad input refused.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { env, client, call, show, rawFetch } from './lib/harness.mjs';
import { demo, uniq, sleep } from './lib/fixtures.mjs';

await env();

const SECRET = 'shop-secret-0123456789abcdef';
const ORIGIN = 'http://shop.test:8000';

function b64u(x) {
  return Buffer.from(x).toString('base64url');
}
export function signJwt(claims, secret = SECRET, header = { alg: 'HS256', typ: 'JWT' }) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  const sig = crypto.createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${sig}`;
}

async function mfetch(p, { method = 'GET', token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  return rawFetch(p, { method, who: 'anonymous', headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
}

// A visitor's stream: events() so far, until(pred).
async function openVisitorStream(cid, token) {
  const s = await env();
  const ac = new AbortController();
  const res = await fetch(`${s.server.url}/messenger/v1/conversations/${cid}/stream?token=${token}`, { signal: ac.signal });
  assert.equal(res.status, 200);
  return readEvents(res, ac);
}

async function openAgentStream() {
  const s = await env();
  const p = s.people.agent;
  const ac = new AbortController();
  const res = await fetch(`${s.server.url}/api/v2/sonnim/stream`, {
    signal: ac.signal,
    headers: { Authorization: 'Basic ' + Buffer.from(`${p.email}/token:${p.token}`).toString('base64') },
  });
  assert.equal(res.status, 200);
  return readEvents(res, ac);
}

async function readEvents(res, ac) {
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
          if (m.event) got.push({ event: m.event, data: m.data ? JSON.parse(m.data) : null });
        }
      }
    } catch { /* aborted */ }
  })();
  const until = async (pred) => {
    for (;;) {
      const e = got.find(pred);
      if (e) return e;
      await sleep(20);
    }
  };
  await until((e) => e.event === 'ready');
  return { events: () => got, until, close: () => ac.abort() };
}

describe('the web messenger', () => {
  let site;
  before(async () => {
    await demo();
    const admin = client('admin');
    const r = await rawFetch('/api/v2/sonnim/messenger/sites.json', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ site: { name: uniq('Shop '), origins: [ORIGIN], jwt_secret: SECRET, color: '#ff6600', greeting: '안녕하세요! Hi!' } }),
    });
    assert.equal(r.status, 201, show(r));
    site = r.body.site;
    assert.match(site.key, /^[0-9a-f]{32}$/);
    assert.equal(site.has_jwt_secret, true);
    assert.ok(!('jwt_secret' in site), 'the secret never leaves the server');
    void admin;
  });

  test('admins manage sites; bad origins, colours and short secrets are refused', async () => {
    for (const bad of [{ origins: ['javascript:alert(1)'] }, { origins: ['https://a.test/path'] }, { color: 'red' }, { jwt_secret: 'short' }]) {
      const r = await rawFetch('/api/v2/sonnim/messenger/sites.json', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ site: { name: 'x', ...bad } }),
      });
      assert.equal(r.status, 422, `${JSON.stringify(bad)}: ${show(r)}`);
    }
    const r = await rawFetch(`/api/v2/sonnim/messenger/sites/${site.id}.json`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ site: { reply_minutes: 5 } }),
    });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.site.reply_minutes, 5);
    assert.deepEqual(r.body.site.origins, [ORIGIN]);
    const list = await rawFetch('/api/v2/sonnim/messenger/sites.json');
    assert.ok(list.body.sites.some((s) => s.id === site.id));
    const agent = await rawFetch('/api/v2/sonnim/messenger/sites.json', { who: 'agent' });
    assert.equal(agent.status, 403);
  });

  test('the public site settings, and CORS only for the configured origins', async () => {
    const r = await mfetch(`/messenger/v1/sites/${site.key}`, { headers: { Origin: ORIGIN } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.site.color, '#ff6600');
    assert.equal(r.body.site.greeting, '안녕하세요! Hi!');
    assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
    const evil = await mfetch(`/messenger/v1/sites/${site.key}`, { headers: { Origin: 'https://evil.test' } });
    assert.equal(evil.status, 403, show(evil));
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const none = await mfetch('/messenger/v1/sites/0123456789abcdef0123456789abcdef');
    assert.equal(none.status, 404);
    const frame = await rawFetch(`/messenger/frame?site=${site.key}`, { who: 'anonymous' });
    assert.equal(frame.status, 200);
    assert.match(frame.headers.get('content-security-policy'), new RegExp(`frame-ancestors 'self' ${ORIGIN}`));
  });

  test('CORS preflight: OPTIONS answers the site\'s origins, 403 for others, 404 for an unknown site', async () => {
    const pre = (p, origin) => mfetch(p, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' } });
    const ok = await pre(`/messenger/v1/sites/${site.key}/conversations`, ORIGIN);
    assert.equal(ok.status, 204, show(ok));
    assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(ok.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(ok.headers.get('access-control-allow-headers'), 'Authorization, Content-Type');
    assert.ok(Number(ok.headers.get('access-control-max-age')) > 0);
    assert.match(ok.headers.get('vary'), /Origin/);
    const evil = await pre(`/messenger/v1/sites/${site.key}/identify`, 'https://evil.test');
    assert.equal(evil.status, 403, show(evil));
    assert.equal(evil.body.error, 'OriginNotAllowed');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const none = await pre('/messenger/v1/sites/0123456789abcdef0123456789abcdef/conversations', ORIGIN);
    assert.equal(none.status, 404, show(none));
    // a conversation's path: its site decides, with no token (browsers send none)
    const c = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('preflight ') } });
    assert.equal(c.status, 201, show(c));
    const cid = c.body.conversation.id;
    const conv = await pre(`/messenger/v1/conversations/${cid}/messages`, ORIGIN);
    assert.equal(conv.status, 204, show(conv));
    assert.equal(conv.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(conv.headers.get('access-control-allow-methods'), 'GET, HEAD, POST');
    assert.equal((await pre(`/messenger/v1/conversations/${cid}/typing`, 'https://evil.test')).status, 403);
    // an unknown conversation looks like a refused origin: ids are not probed
    const ghost = await pre('/messenger/v1/conversations/999999999/messages', ORIGIN);
    assert.equal(ghost.status, 403, show(ghost));
    // the real cross-origin call then carries the header too
    const m = await mfetch(`/messenger/v1/conversations/${cid}/messages`, { method: 'POST', token: c.body.token, body: { body: 'from the shop page' }, headers: { Origin: ORIGIN } });
    assert.equal(m.status, 201, show(m));
    assert.equal(m.headers.get('access-control-allow-origin'), ORIGIN);
    // OPTIONS is not a method elsewhere
    const api = await rawFetch('/api/v2/tickets.json', { method: 'OPTIONS', who: 'anonymous' });
    assert.equal(api.status, 405, show(api));
  });

  test('the business-hours notice: closed now, with the next opening', async () => {
    // one hour a week, starting 12 hours from now (UTC): certainly closed now
    const now = new Date();
    const minuteOfWeek = now.getUTCDay() * 1440 + now.getUTCHours() * 60 + now.getUTCMinutes();
    const start = (minuteOfWeek + 720) % 10080;
    const startAligned = start - (start % 60);
    const sched = await rawFetch('/api/v2/business_hours/schedules.json', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ schedule: { name: uniq('messenger hours '), time_zone: 'UTC', intervals: [{ start_time: startAligned, end_time: startAligned + 60 }] } }),
    });
    assert.equal(sched.status, 201, show(sched));
    const put = await rawFetch(`/api/v2/sonnim/messenger/sites/${site.id}.json`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ site: { schedule_id: sched.body.schedule.id } }),
    });
    assert.equal(put.status, 200, show(put));
    const r = await mfetch(`/messenger/v1/sites/${site.key}`);
    assert.equal(r.body.site.business_hours.open, false, show(r));
    const next = Date.parse(r.body.site.business_hours.next_open_at);
    const hours = (next - now.getTime()) / 3600e3;
    assert.ok(hours > 10 && hours < 13, `next opening in ${hours} h: ${r.body.site.business_hours.next_open_at}`);
    const back = await rawFetch(`/api/v2/sonnim/messenger/sites/${site.id}.json`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ site: { schedule_id: null } }),
    });
    assert.equal(back.status, 200, show(back));
  });

  test('a conversation is a ticket: messages both ways, the stream, typing and read receipts', async () => {
    const body = uniq('주문한 물건이 안 와요 ');
    const r = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body, name: '김손님' } });
    assert.equal(r.status, 201, show(r));
    const { token, conversation: conv } = r.body;
    assert.match(token, /^[0-9a-f]{40}$/);
    assert.equal(r.body.messages.length, 1);
    assert.equal(r.body.messages[0].author, 'visitor');
    const admin = client('admin');
    const t = await call(admin, admin.tickets.show(conv.ticket_id));
    assert.equal(t.status, 200, show(t));
    assert.equal(t.result.via.channel, 'messaging');
    assert.ok(t.result.tags.includes('messenger'));

    const vs = await openVisitorStream(conv.id, token);
    const as = await openAgentStream();
    try {
      // an agent's public reply reaches the visitor; an internal note does not
      const agent = client('agent');
      let u = await call(agent, agent.tickets.update(conv.ticket_id, { ticket: { comment: { body: '내부 메모', public: false } } }));
      assert.equal(u.status, 200, show(u));
      u = await call(agent, agent.tickets.update(conv.ticket_id, { ticket: { comment: { body: '확인해 드릴게요', public: true } } }));
      assert.equal(u.status, 200, show(u));
      const h = await mfetch(`/messenger/v1/conversations/${conv.id}/messages?after=${r.body.messages[0].id}`, { token });
      assert.equal(h.status, 200, show(h));
      assert.deepEqual(h.body.messages.map((m) => [m.body, m.author]), [['확인해 드릴게요', 'agent']]);
      const msg = await vs.until((e) => e.event === 'message' && e.data.comment_id === h.body.messages[0].id);
      const note = h.body.messages[0].id - 1; // the internal note, just before the reply
      assert.ok(!vs.events().some((e) => e.event === 'message' && e.data.comment_id === note), 'no event for the note');

      // agent typing -> visitor; visitor typing -> agent (as a signal)
      const sig = await rawFetch(`/api/v2/sonnim/tickets/${conv.ticket_id}/signals`, {
        who: 'agent', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'typing' }),
      });
      assert.equal(sig.status, 204, show(sig));
      const typing = await vs.until((e) => e.event === 'typing');
      assert.equal(typing.data.typing, true);
      // an agent with the ticket open is the visitor's read receipt
      const view = await rawFetch(`/api/v2/sonnim/tickets/${conv.ticket_id}/signals.json`, {
        who: 'agent', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'viewing' }),
      });
      assert.equal(view.status, 204, show(view));
      await vs.until((e) => e.event === 'seen');
      const vt = await mfetch(`/messenger/v1/conversations/${conv.id}/typing`, { method: 'POST', token, body: { typing: true } });
      assert.equal(vt.status, 204, show(vt));
      const seen = await as.until((e) => e.event === 'signal' && e.data.ticket_id === conv.ticket_id && e.data.signal.role === 'visitor');
      assert.equal(seen.data.signal.kind, 'typing');
      assert.equal(seen.data.signal.name, '김손님');

      // the visitor's message reaches the agents' stream
      const p = await mfetch(`/messenger/v1/conversations/${conv.id}/messages`, { method: 'POST', token, body: { body: '감사합니다' } });
      assert.equal(p.status, 201, show(p));
      await as.until((e) => e.event === 'comment.added' && e.data.ticket_id === conv.ticket_id);

      // read receipt
      const rd = await mfetch(`/messenger/v1/conversations/${conv.id}/read`, { method: 'POST', token, body: { comment_id: msg.data.comment_id } });
      assert.equal(rd.status, 204, show(rd));
      const again = await mfetch(`/messenger/v1/conversations/${conv.id}/messages`, { token });
      assert.equal(again.body.conversation.read_id, msg.data.comment_id);
      assert.equal(again.body.messages.length, 3);
      await as.until((e) => e.event === 'signal' && e.data.signal.kind === 'read');
    } finally {
      vs.close();
      as.close();
    }
  });

  test('a conversation needs its own token', async () => {
    const a = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('one ') } });
    const b = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('two ') } });
    assert.equal((await mfetch(`/messenger/v1/conversations/${a.body.conversation.id}/messages`)).status, 401);
    assert.equal((await mfetch(`/messenger/v1/conversations/${a.body.conversation.id}/messages`, { token: b.body.token })).status, 404);
    assert.equal((await mfetch(`/messenger/v1/conversations/${a.body.conversation.id}/messages`, { token: 'f'.repeat(40) })).status, 404);
    const s = await env();
    const res = await fetch(`${s.server.url}/messenger/v1/conversations/${a.body.conversation.id}/stream?token=${b.body.token}`);
    assert.equal(res.status, 404);
  });

  test('a signed identity sees the same conversations on a second device', async () => {
    const ext = uniq('cust-');
    const email = `${ext}@example.com`;
    const jwt = signJwt({ external_id: ext, email, name: '이서연', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 });
    // device 1: anonymous first, then signed in: the conversation follows
    const c = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('환불 문의 ') } });
    assert.equal(c.status, 201);
    const id1 = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { jwt, tokens: [c.body.token] } });
    assert.equal(id1.status, 200, show(id1));
    assert.equal(id1.body.user.email, email);
    assert.equal(id1.body.user.external_id, ext);
    assert.deepEqual(id1.body.conversations.map((x) => x.id), [c.body.conversation.id]);
    // device 2: the same token from the site, no local state
    const id2 = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { jwt } });
    assert.equal(id2.status, 200, show(id2));
    assert.deepEqual(id2.body.conversations.map((x) => x.id), [c.body.conversation.id]);
    const tok2 = id2.body.conversations[0].token;
    assert.notEqual(tok2, c.body.token);
    const h = await mfetch(`/messenger/v1/conversations/${c.body.conversation.id}/messages`, { token: tok2 });
    assert.equal(h.status, 200);
    assert.equal(h.body.messages.length, 1);
    // the ticket's requester is the identified person
    const admin = client('admin');
    const t = await call(admin, admin.tickets.show(c.body.conversation.ticket_id));
    const u = await call(admin, admin.users.show(t.result.requester_id));
    assert.equal(u.result.email, email);
    assert.equal(u.result.external_id, ext);
  });

  test('the proactive endpoint knows a visitor by the conversation token, on its own site only', async () => {
    const ext = uniq('vip-');
    const tag = uniq('vip');
    const jwt = signJwt({ external_id: ext, email: `${ext}@example.com`, name: '박우수', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 });
    const c = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('문의 ') } });
    assert.equal(c.status, 201, show(c));
    const id = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { jwt, tokens: [c.body.token] } });
    assert.equal(id.status, 200, show(id));
    const token = id.body.conversations[0].token;
    const t = await rawFetch(`/api/v2/tickets/${c.body.conversation.ticket_id}.json`);
    const tagged = await rawFetch(`/api/v2/users/${t.body.ticket.requester_id}.json`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: { tags: [tag] } }),
    });
    assert.equal(tagged.status, 200, show(tagged));
    const b = await rawFetch('/api/v2/sonnim/banners.json', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ banner: { text: '우수 고객 전용 혜택', site_key: site.key, audience: { type: 'tags', tags: [tag] } } }),
    });
    assert.equal(b.status, 201, show(b));
    const url = `/messenger/v1/sites/${site.key}/proactive?url=${encodeURIComponent('https://shop.test/')}`;
    const anon = await mfetch(url);
    assert.equal(anon.status, 200, show(anon));
    assert.deepEqual(anon.body.banners, [], 'not for an anonymous visitor');
    assert.equal(anon.headers.get('access-control-allow-origin'), '*');
    const known = await mfetch(url, { token });
    assert.equal(known.status, 200, show(known));
    assert.deepEqual(known.body.banners.map((x) => x.text), ['우수 고객 전용 혜택']);
    assert.equal(known.headers.get('access-control-allow-origin'), null, 'a personal answer is not for every origin');
    // the same token on another site's endpoint is an anonymous visitor there
    const other = await mfetch(`/messenger/v1/sites/${uniq('other')}/proactive?url=/`, { token });
    assert.deepEqual(other.body.banners, []);
    assert.equal(other.headers.get('access-control-allow-origin'), '*');
    const gone = await rawFetch(`/api/v2/sonnim/banners/${b.body.banner.id}.json`, { method: 'DELETE' });
    assert.ok(gone.status === 204 || gone.status === 200, show(gone));
  });

  test('a signed-in visitor with no conversation gets their banners and campaign messages by the visitor token', async () => {
    const ext = uniq('quiet-');
    const tag = uniq('quiet');
    const jwt = signJwt({ external_id: ext, email: `${ext}@example.com`, name: '조용한 고객', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 });
    const id = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { jwt } });
    assert.equal(id.status, 200, show(id));
    assert.deepEqual(id.body.conversations, [], 'has never written');
    const token = id.body.visitor_token;
    assert.match(token, /^[0-9a-zA-Z_-]{40}$/, show(id));
    // an email left from a conversation is not a signed identity: no visitor token
    const c = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('이메일 ') } });
    const byMail = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { email: `${uniq('m-')}@example.com`, tokens: [c.body.token] } });
    assert.equal(byMail.status, 200, show(byMail));
    assert.ok(!('visitor_token' in byMail.body), show(byMail));

    const users = await rawFetch(`/api/v2/users/search.json?external_id=${encodeURIComponent(ext)}`);
    assert.equal(users.body.users.length, 1, show(users));
    const uid = users.body.users[0].id;
    const tagged = await rawFetch(`/api/v2/users/${uid}.json`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: { tags: [tag] } }),
    });
    assert.equal(tagged.status, 200, show(tagged));
    const b = await rawFetch('/api/v2/sonnim/banners.json', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ banner: { text: '첫 구매 고객 혜택', site_key: site.key, audience: { type: 'tags', tags: [tag] } } }),
    });
    assert.equal(b.status, 201, show(b));
    let r = await rawFetch('/api/v2/sonnim/campaigns.json', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ campaign: { name: `조용한 ${tag}`, channels: ['messenger'], segment: { tags_all: [tag] }, body: '{{user.name}}님, 쿠폰이 도착했습니다.' } }),
    });
    assert.equal(r.status, 201, show(r));
    const camp = r.body.campaign;
    r = await rawFetch(`/api/v2/sonnim/campaigns/${camp.id}/send_now.json`, { method: 'POST' });
    assert.equal(r.status, 200, show(r));
    for (;;) { // the send job runs in the background; the test runner bounds the wait
      const x = (await rawFetch(`/api/v2/sonnim/campaigns/${camp.id}.json`)).body.campaign;
      if (x.status === 'sent' && x.counts.queued === 0) break;
      await sleep(100);
    }

    const url = `/messenger/v1/sites/${site.key}/proactive?url=${encodeURIComponent('https://shop.test/')}`;
    const known = await mfetch(url, { token });
    assert.equal(known.status, 200, show(known));
    assert.deepEqual(known.body.banners.map((x) => x.text), ['첫 구매 고객 혜택']);
    assert.deepEqual(known.body.messages.map((x) => x.body), ['조용한 고객님, 쿠폰이 도착했습니다.']);
    assert.equal(known.headers.get('access-control-allow-origin'), null, 'personal');
    // forged or unknown visitor tokens, and this one on another site, are anonymous
    for (const [u, t] of [[url, 'f'.repeat(40)], [url, token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a')], [url, 'short'],
      [`/messenger/v1/sites/${uniq('other')}/proactive?url=/`, token]]) {
      const anon = await mfetch(u, { token: t });
      assert.equal(anon.status, 200, show(anon));
      assert.deepEqual(anon.body.banners, [], t);
      assert.deepEqual(anon.body.messages, [], t);
      assert.equal(anon.headers.get('access-control-allow-origin'), '*');
    }
    // a visitor token opens no conversation
    assert.equal((await mfetch(`/messenger/v1/conversations/${c.body.conversation.id}/messages`, { token })).status, 404);
    const gone = await rawFetch(`/api/v2/sonnim/banners/${b.body.banner.id}.json`, { method: 'DELETE' });
    assert.ok(gone.status === 204 || gone.status === 200, show(gone));
  });

  test('forged, expired and malformed identity tokens are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = { external_id: uniq('x-'), exp: now + 600, iat: now };
    const bad = [
      signJwt(good, 'the-wrong-secret-0123456789'),
      signJwt({ ...good, exp: now - 3600 }),
      signJwt({ external_id: good.external_id, iat: now }),
      signJwt(good, SECRET, { alg: 'none' }),
      signJwt(good, SECRET, { alg: 'HS512' }),
      signJwt({ ...good, iat: now + 86400 }),
      signJwt(good).split('.').slice(0, 2).join('.') + '.',
      signJwt(good) + '.x',
      'a.b.c',
      'x'.repeat(5000),
      signJwt({ exp: now + 600 }),
    ];
    for (const jwt of bad) {
      const r = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { jwt } });
      assert.equal(r.status, 401, `${jwt.slice(0, 80)}: ${show(r)}`);
      assert.equal(r.body.error, 'InvalidIdentity');
    }
    const wrongType = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { jwt: 5 } });
    assert.equal(wrongType.status, 422);
    // staff cannot be impersonated through the widget
    const s = await env();
    const staff = signJwt({ email: s.people.agent.email, exp: now + 600 });
    const st = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { jwt: staff } });
    assert.equal(st.status, 403, show(st));
  });

  test('an anonymous visitor who leaves an email is merged into that person', async () => {
    const admin = client('admin');
    const email = `${uniq('merge-')}@example.com`;
    const made = await call(admin, admin.users.create({ user: { name: '박고객', email } }));
    assert.equal(made.status, 201, show(made));
    const c = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('배송 ') } });
    const r = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { email, tokens: [c.body.token] } });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.conversations.map((x) => x.id), [c.body.conversation.id]);
    const t = await call(admin, admin.tickets.show(c.body.conversation.ticket_id));
    assert.equal(t.result.requester_id, made.result.id);
    // a new visitor without a conversation cannot just claim an address
    const none = await mfetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', body: { email } });
    assert.equal(none.status, 422);
  });

  test('the answer bot answers first; "that solved it" and "talk to a person" are counted', async () => {
    const before0 = (await rawFetch('/api/v2/sonnim/messenger/stats.json', { who: 'agent' })).body.messenger;
    const ask = () => mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: 'How do I export my invoices?' } });
    const a = await ask();
    assert.equal(a.status, 201, show(a));
    assert.ok(a.body.bot && a.body.bot.articles.length > 0, show(a));
    const art = a.body.bot.articles[0];
    // a followed article is a click for the bot's ranking, counted once
    const clk = (body, token = a.body.token) => mfetch(`/messenger/v1/conversations/${a.body.conversation.id}/click`, { method: 'POST', token, body });
    const c1 = await clk({ article_id: art.id });
    assert.equal(c1.status, 200, show(c1));
    assert.deepEqual(c1.body, { article_id: art.id, counted: true });
    assert.equal((await clk({ article_id: art.id })).body.counted, false);
    assert.equal((await clk({ article_id: 999999 })).status, 422);
    assert.equal((await clk({})).status, 422);
    assert.equal((await clk({ article_id: art.id }, 'x'.repeat(40))).status, 404, 'a wrong token opens nothing');
    const wrong = await mfetch(`/messenger/v1/conversations/${a.body.conversation.id}/solved`, { method: 'POST', token: a.body.token, body: { article_id: 999999 } });
    assert.equal(wrong.status, 422, show(wrong));
    const ok = await mfetch(`/messenger/v1/conversations/${a.body.conversation.id}/solved`, { method: 'POST', token: a.body.token, body: { article_id: art.id } });
    assert.equal(ok.status, 200, show(ok));
    assert.equal(ok.body.conversation.outcome, 'self_served');
    assert.equal(ok.body.conversation.status, 'solved');
    const twice = await mfetch(`/messenger/v1/conversations/${a.body.conversation.id}/handoff`, { method: 'POST', token: a.body.token, body: {} });
    assert.equal(twice.status, 409);

    const b = await ask();
    const h = await mfetch(`/messenger/v1/conversations/${b.body.conversation.id}/handoff`, { method: 'POST', token: b.body.token, body: {} });
    assert.equal(h.status, 200, show(h));
    assert.equal(h.body.conversation.outcome, 'handoff');
    const admin = client('admin');
    const t = await call(admin, admin.tickets.show(b.body.conversation.ticket_id));
    assert.ok(t.result.tags.includes('messenger_handoff'));
    const cs = await rawFetch(`/api/v2/tickets/${b.body.conversation.ticket_id}/comments.json`);
    assert.ok(cs.body.comments.some((x) => !x.public && /talk to a person/.test(x.body)), show(cs));
    const after = (await rawFetch('/api/v2/sonnim/messenger/stats.json', { who: 'agent' })).body.messenger;
    assert.equal(after.self_served, before0.self_served + 1);
    assert.equal(after.handoffs, before0.handoffs + 1);
    assert.ok(after.conversations >= before0.conversations + 2);
  });

  test('bad input: oversized and empty messages, floods, unlisted origins', async () => {
    const c = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('flood ') } });
    const url = `/messenger/v1/conversations/${c.body.conversation.id}/messages`;
    const big = await mfetch(url, { method: 'POST', token: c.body.token, body: { body: '가'.repeat(4001) } });
    assert.equal(big.status, 413, show(big));
    assert.equal((await mfetch(url, { method: 'POST', token: c.body.token, body: { body: '   ' } })).status, 422);
    assert.equal((await mfetch(url, { method: 'POST', token: c.body.token, body: { body: 7 } })).status, 422);
    const evil = await mfetch(url, { method: 'POST', token: c.body.token, body: { body: 'hi' }, headers: { Origin: 'https://evil.test' } });
    assert.equal(evil.status, 403);
    const statuses = [];
    for (let i = 0; i < 35; i++) statuses.push((await mfetch(url, { method: 'POST', token: c.body.token, body: { body: `m${i}` } })).status);
    assert.ok(statuses.slice(0, 25).every((s) => s === 201), statuses.join(','));
    assert.ok(statuses.includes(429), statuses.join(','));
    const h = await mfetch(url, { token: c.body.token });
    assert.ok(h.body.messages.length <= 31, 'refused messages were not stored');
  });

  test('a visitor uploads a file and reads it back', async () => {
    const c = await mfetch(`/messenger/v1/sites/${site.key}/conversations`, { method: 'POST', body: { body: uniq('사진 ') } });
    const up = await rawFetch(`/messenger/v1/conversations/${c.body.conversation.id}/uploads?filename=note.txt`, {
      who: 'anonymous', method: 'POST', headers: { Authorization: `Bearer ${c.body.token}` }, body: 'hello file',
    });
    assert.equal(up.status, 201, show(up));
    const p = await mfetch(`/messenger/v1/conversations/${c.body.conversation.id}/messages`, {
      method: 'POST', token: c.body.token, body: { body: '', upload_tokens: [up.body.upload.token] },
    });
    assert.equal(p.status, 201, show(p));
    const att = p.body.message.attachments[0];
    assert.equal(att.file_name, 'note.txt');
    const s = await env();
    const got = await fetch(`${s.server.url}${att.url}?token=${c.body.token}`);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'hello file');
  });
});
