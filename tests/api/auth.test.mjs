// auth.test.mjs - the ways in (API token, password, OAuth bearer, browser
// session with CSRF) and the rate limit (X-Rate-Limit headers, 429 with
// Retry-After), checked on a second server process started with a low limit.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show, rawFetch, extraServer, sleep } from './lib/harness.mjs';
import { uniq, ticketCount, newTicket } from './lib/fixtures.mjs';

await env();

// Who the server thinks is asking: GET /api/v2/sonnim/session.json answers
// with the current user for any scheme (through node-zendesk's generic
// get).  /users/me would be the Zendesk way; people.test.mjs checks that
// one, and these tests should not depend on the users resource.
async function whoami(c) {
  const r = await call(c, c.tickets.get(['sonnim', 'session']));
  return { status: r.status, user: r.body && r.body.user, r };
}

describe('authentication schemes', () => {
  test('API token: email/token:TOKEN', async () => {
    const c = client('agent', { auth: 'token' });
    const w = await whoami(c);
    assert.equal(w.status, 200, show(w.r));
    assert.equal(w.user.email, 'agent1@sonnim.test');
  });

  test('password: email:password', async () => {
    const c = client('agent', { auth: 'password' });
    const w = await whoami(c);
    assert.equal(w.status, 200, show(w.r));
    assert.equal(w.user.email, 'agent1@sonnim.test');
    const bad = client('agent', { auth: 'password', password: 'wrong-password' });
    assert.equal((await whoami(bad)).status, 401);
  });

  test('OAuth bearer token', async () => {
    const c = client('agent', { auth: 'oauth' });
    const w = await whoami(c);
    assert.equal(w.status, 200, show(w.r));
    assert.equal(w.user.email, 'agent1@sonnim.test');
    const t = await newTicket(c, { subject: 'OAuth로 만든 티켓' });
    assert.equal(t.submitter_id, w.user.id);
  });

  test('a token only works for its owner and its kind', async () => {
    const s = await env();
    // agent's API token with the admin's email
    let c = client('admin', { token: s.people.agent.token });
    assert.equal((await whoami(c)).status, 401);
    // an API token is not a bearer token, and an OAuth token is not an API token
    c = client('agent', { auth: 'oauth', token: s.people.agent.token });
    assert.equal((await whoami(c)).status, 401);
    c = client('agent', { auth: 'token', token: s.people.agent.oauth });
    assert.equal((await whoami(c)).status, 401);
    // the email is compared case-insensitively
    c = client('agent', { email: 'AGENT1@Sonnim.Test' });
    assert.equal((await whoami(c)).status, 200);
  });

  test('a suspended user is shut out', async () => {
    const admin = client('admin');
    const s = await env();
    let r = await call(admin, admin.users.suspend(s.people.enduser2.id));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.suspended, true);
    const c = client('enduser2');
    const w = await whoami(c);
    assert.ok([401, 403].includes(w.status), show(w.r));
    r = await call(admin, admin.users.unsuspend(s.people.enduser2.id));
    assert.equal(r.status, 200, show(r));
    assert.equal((await whoami(c)).status, 200);
  });
});

describe('browser sessions and CSRF', () => {
  // plain fetch throughout: node-zendesk has no cookie jar and cannot send
  // a session cookie or an X-CSRF-Token header per request
  async function login(email, password) {
    return rawFetch('/api/v2/sonnim/session.json', {
      method: 'POST', who: 'anonymous', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  }

  test('login sets an HttpOnly cookie and returns a CSRF token; writes need X-CSRF-Token', async () => {
    const s = await env();
    const r = await login(s.people.admin.email, s.people.admin.password);
    assert.equal(r.status, 200, `${r.status} ${r.text}`);
    const cookie = r.headers.get('set-cookie');
    assert.match(cookie || '', /^sonnim_session=[^;]+;/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=(Lax|Strict)/i);
    const csrf = r.body.csrf_token;
    assert.ok(typeof csrf === 'string' && csrf.length >= 20, r.text);
    assert.equal(r.body.user.email, s.people.admin.email);
    const jar = cookie.split(';')[0];

    const me = await rawFetch('/api/v2/sonnim/session.json', { who: 'anonymous', headers: { Cookie: jar } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.email, s.people.admin.email);
    const list = await rawFetch('/api/v2/tickets.json', { who: 'anonymous', headers: { Cookie: jar } });
    assert.equal(list.status, 200, list.text.slice(0, 200));

    const before = await ticketCount();
    const body = JSON.stringify({ ticket: { subject: '세션으로 만든 티켓', comment: { body: 'x' } } });
    const noToken = await rawFetch('/api/v2/tickets.json', { method: 'POST', who: 'anonymous', body,
      headers: { Cookie: jar, 'Content-Type': 'application/json' } });
    assert.equal(noToken.status, 403, noToken.text);
    assert.ok(noToken.body && noToken.body.error, noToken.text);
    const wrong = await rawFetch('/api/v2/tickets.json', { method: 'POST', who: 'anonymous', body,
      headers: { Cookie: jar, 'Content-Type': 'application/json', 'X-CSRF-Token': 'f'.repeat(csrf.length) } });
    assert.equal(wrong.status, 403, wrong.text);
    assert.equal(await ticketCount(), before, 'no ticket from a request without a valid CSRF token');
    const del = await rawFetch('/api/v2/tickets/1.json', { method: 'DELETE', who: 'anonymous', headers: { Cookie: jar } });
    assert.equal(del.status, 403, del.text);

    const ok = await rawFetch('/api/v2/tickets.json', { method: 'POST', who: 'anonymous', body,
      headers: { Cookie: jar, 'Content-Type': 'application/json', 'X-CSRF-Token': csrf } });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.ticket.subject, '세션으로 만든 티켓');
    assert.equal(await ticketCount(), before + 1);
  });

  test('sign-out needs the CSRF token, deletes the session and clears the cookie', async () => {
    const s = await env();
    const r = await login(s.people.agent.email, s.people.agent.password);
    assert.equal(r.status, 200, r.text);
    const jar = r.headers.get('set-cookie').split(';')[0];
    const csrf = r.body.csrf_token;
    const noToken = await rawFetch('/api/v2/sonnim/session.json', { method: 'DELETE', who: 'anonymous', headers: { Cookie: jar } });
    assert.equal(noToken.status, 403, noToken.text);
    const out = await rawFetch('/api/v2/sonnim/session.json', { method: 'DELETE', who: 'anonymous',
      headers: { Cookie: jar, 'X-CSRF-Token': csrf } });
    assert.equal(out.status, 204, out.text);
    assert.match(out.headers.get('set-cookie') || '', /Max-Age=0/);
    const after = await rawFetch('/api/v2/sonnim/session.json', { who: 'anonymous', headers: { Cookie: jar } });
    assert.equal(after.status, 401, after.text);
  });

  test('a wrong password gets 401 and no cookie; a made-up cookie is not a session', async () => {
    const s = await env();
    const r = await login(s.people.admin.email, 'wrong');
    assert.equal(r.status, 401, r.text);
    assert.equal(r.headers.get('set-cookie'), null);
    assert.ok(r.body && r.body.error);
    const nobody = await login(`${uniq('nobody')}@example.com`, 'x');
    assert.equal(nobody.status, 401);
    const fake = await rawFetch('/api/v2/tickets.json', { who: 'anonymous', headers: { Cookie: `sonnim_session=${'a'.repeat(40)}` } });
    assert.equal(fake.status, 401, fake.text);
  });

  test('an end-user\'s session sees only what the end-user may see', async () => {
    const s = await env();
    const r = await login(s.people.enduser.email, s.people.enduser.password);
    assert.equal(r.status, 200, r.text);
    const jar = r.headers.get('set-cookie').split(';')[0];
    const users = await rawFetch('/api/v2/users.json', { who: 'anonymous', headers: { Cookie: jar } });
    assert.equal(users.status, 403, users.text);
  });
});

describe('rate limiting', () => {
  test('X-Rate-Limit headers count down; the request over the limit gets 429 with Retry-After', async () => {
    const limit = 5;
    const srv = await extraServer({ rateLimit: limit });
    try {
      const endpoint = `${srv.url}/api/v2`;
      const limited = client('limited', { endpoint });
      const other = client('agent2', { endpoint });
      // a fixed one-minute window: do not straddle its end
      const sec = new Date().getSeconds();
      if (sec > 50) await sleep((61 - sec) * 1000);
      for (let i = 1; i <= limit; i++) {
        const r = await call(limited, limited.tickets.show(1));
        assert.equal(r.status, 200, `request ${i}: ${show(r)}`);
        assert.equal(r.headers.get('x-rate-limit'), String(limit));
        assert.equal(r.headers.get('x-rate-limit-remaining'), String(limit - i));
      }
      const r = await call(limited, limited.tickets.show(1));
      assert.equal(r.status, 429, show(r));
      const retry = Number(r.headers.get('retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After: ${r.headers.get('retry-after')}`);
      assert.equal(r.headers.get('x-rate-limit-remaining'), '0');
      assert.ok(r.body && r.body.error, show(r));
      // writes are limited too, and nothing is written
      const before = await ticketCount();
      const w = await call(limited, limited.tickets.create({ ticket: { subject: '제한 초과', comment: { body: 'x' } } }));
      assert.equal(w.status, 429, show(w));
      assert.equal(await ticketCount(), before);
      // the limit is per user: someone else on the same server is fine
      const o = await call(other, other.tickets.show(1));
      assert.equal(o.status, 200, show(o));
      assert.equal(o.headers.get('x-rate-limit-remaining'), String(limit - 1));
    } finally {
      const exit = await srv.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, `the second server's exit\n${srv.tail()}`);
    }
  });
});
