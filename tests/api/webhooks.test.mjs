// webhooks.test.mjs - /api/v2/webhooks through node-zendesk's webhooks
// client, and real deliveries to a receiver of our own: a node http server
// on 127.0.0.1 started here, which records every request and answers from
// a script per path.  Each delivery's signature is checked with the secret
// read from the API, as a Zendesk receiver would.
//
// Covers: create/show/list/patch/put/delete in Zendesk's shape with no
// secret ever read back; endpoints refused at save (other schemes,
// credentials in the URL, blanks); the signing secret (show, reset); the
// test request (stored webhook, unsaved definition); delivery from the
// outbox with a 500 (+ Retry-After: 1) retried to a 200 under the same
// invocation id; a 404 failing at once and logged; ten failures in a row
// deactivating the webhook.
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { env, client, call, show, rawFetch, sleep } from './lib/harness.mjs';
import { newTicket, uniq } from './lib/fixtures.mjs';

await env();

// ---- the receiver ------------------------------------------------------
let receiver, base;
const seen = {};	 // path -> [{headers, body}]
const script = {}; // path -> [{status, headers, body}] answered in order; last one repeats
// path -> ticket id: only that ticket's deliveries follow the script, one
// script per invocation (X-Zendesk-Webhook-Invocation-Id); deliveries of
// other tests' tickets, created at the same time, get the script's last
// answer, so they neither eat this test's answers nor count as failures
const perInvocation = {};
const attemptsOf = {}; // path + invocation id -> requests seen

function answer(path, ...replies) {
  script[path] = replies;
  seen[path] = [];
}

before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const p = req.url.split('?')[0];
      (seen[p] ??= []).push({ method: req.method, headers: req.headers, body });
      const list = script[p] || [{ status: 404 }];
      let r;
      if (perInvocation[p]) {
        let id = null;
        try { id = String(JSON.parse(body).detail.id); } catch { /* not an event */ }
        const k = p + ' ' + req.headers['x-zendesk-webhook-invocation-id'];
        const n = (attemptsOf[k] = (attemptsOf[k] || 0) + 1);
        r = id === perInvocation[p] ? list[Math.min(n, list.length) - 1] : list[list.length - 1];
      } else {
        r = list.length > 1 ? list.shift() : list[0];
      }
      res.writeHead(r.status, { 'Content-Type': 'text/plain', ...(r.headers || {}) });
      res.end(r.body ?? `status ${r.status}`);
    });
  });
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${receiver.address().port}`;
});

after(() => receiver.close());

function signatureOk(reqSeen, secret) {
  const ts = reqSeen.headers['x-zendesk-webhook-signature-timestamp'];
  const sig = reqSeen.headers['x-zendesk-webhook-signature'];
  const want = crypto.createHmac('sha256', secret).update(ts + reqSeen.body).digest('base64');
  return typeof sig === 'string' && sig === want && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(ts);
}

async function waitFor(what, fn, ms = 30_000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) assert.fail(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

async function create(fields) {
  const admin = client('admin');
  const r = await call(admin, admin.webhooks.create({ webhook: { name: uniq('hook'), ...fields } }));
  assert.equal(r.status, 201, show(r));
  return r.body.webhook;
}

async function secretOf(id) {
  const admin = client('admin');
  const r = await call(admin, admin.webhooks.getSigningSecret(id));
  assert.equal(r.status, 200, show(r));
  return r.body.signing_secret.secret;
}

async function invocations(id) {
  const r = await rawFetch(`/api/v2/webhooks/${id}/invocations`);
  assert.equal(r.status, 200, r.text);
  return r.body.invocations;
}

async function remove(id) {
  const r = await rawFetch(`/api/v2/webhooks/${id}`, { method: 'DELETE' });
  assert.equal(r.status, 204, r.text);
}

describe('webhooks API', () => {
  test('create, show, list, patch, put, delete in Zendesk\'s shape; secrets never read back', async () => {
    const admin = client('admin');
    const w = await create({
      description: '주문 시스템 연동', endpoint: `${base}/crud`, http_method: 'PUT', request_format: 'json',
      subscriptions: ['conditional_ticket_events', 'sonnim:ticket.created'],
      authentication: { type: 'basic_auth', add_position: 'header', data: { username: 'ops', password: 's3cret-pw' } },
    });
    assert.equal(typeof w.id, 'string');
    assert.equal(w.status, 'active');
    assert.equal(w.http_method, 'PUT');
    assert.equal(w.request_format, 'json');
    assert.deepEqual(w.subscriptions, ['conditional_ticket_events', 'sonnim:ticket.created']);
    assert.deepEqual(w.authentication, { type: 'basic_auth', add_position: 'header', data: { username: 'ops' } });
    assert.ok(!JSON.stringify(w).includes('s3cret-pw'));
    assert.ok(!('signing_secret' in w));
    assert.match(w.created_at, /Z$/);

    const got = await call(admin, admin.webhooks.show(w.id));
    assert.equal(got.status, 200, show(got));
    assert.equal(got.body.webhook.description, '주문 시스템 연동');
    assert.ok(!JSON.stringify(got.body).includes('s3cret-pw'));

    const all = await admin.webhooks.list();
    assert.ok(all.some((x) => x.id === w.id), JSON.stringify(all));
    const byName = await rawFetch(`/api/v2/webhooks?filter[name_contains]=${encodeURIComponent(w.name.slice(0, 8))}&filter[status]=active`);
    assert.equal(byName.status, 200, byName.text);
    assert.ok(byName.body.webhooks.some((x) => x.id === w.id));
    assert.equal(byName.body.meta.has_more, false);

    let r = await call(admin, admin.webhooks.patch(w.id, { webhook: { status: 'inactive', authentication: { type: 'bearer_token', data: { token: 'tok-123' } } } }));
    assert.equal(r.status, 204, show(r));
    r = await rawFetch(`/api/v2/webhooks/${w.id}`);
    assert.equal(r.body.webhook.status, 'inactive');
    assert.deepEqual(r.body.webhook.authentication, { type: 'bearer_token', add_position: 'header' });
    assert.ok(!r.text.includes('tok-123'));
    r = await rawFetch(`/api/v2/webhooks/${w.id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ webhook: { name: '새 이름', http_method: 'POST' } }) });
    assert.equal(r.status, 204, r.text);
    r = await rawFetch(`/api/v2/webhooks/${w.id}`);
    assert.equal(r.body.webhook.name, '새 이름');
    assert.equal(r.body.webhook.http_method, 'POST');

    await remove(w.id);
    r = await rawFetch(`/api/v2/webhooks/${w.id}`);
    assert.equal(r.status, 404);
    assert.equal(r.body.error, 'RecordNotFound');
  });

  test('endpoints that are not plain http(s) URLs are refused at save', async () => {
    const bad = [
      ['ftp://example.com/x', 'endpoint'], ['file:///etc/passwd', 'endpoint'], ['gopher://127.0.0.1:25/', 'endpoint'],
      ['javascript:alert(1)', 'endpoint'], ['http://user:pw@example.com/', 'credentials'],
      ['https://token@example.com/', 'credentials'], ['http://example.com/a b', 'endpoint'],
      ['http:///path', 'host'], ['http://exa\\mple.com@evil/', 'endpoint'], ['', 'blank'],
    ];
    for (const [endpoint, word] of bad) {
      const r = await rawFetch('/api/v2/webhooks', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ webhook: { name: 'bad', endpoint, subscriptions: ['conditional_ticket_events'] } }) });
      assert.equal(r.status, 422, `${endpoint}: ${r.text}`);
      assert.equal(r.body.error, 'RecordInvalid');
      assert.ok(JSON.stringify(r.body.details).includes(word), `${endpoint}: ${r.text}`);
    }
    const others = [
      { name: 'x', endpoint: `${base}/x`, subscriptions: ['zen:event-type:user.created'] },
      { name: 'x', endpoint: `${base}/x`, subscriptions: [] },
      { name: 'x', endpoint: `${base}/x`, subscriptions: ['conditional_ticket_events'], http_method: 'TRACE' },
      { name: 'x', endpoint: `${base}/x`, subscriptions: ['conditional_ticket_events'], request_format: 'yaml' },
      { endpoint: `${base}/x`, subscriptions: ['conditional_ticket_events'] },
      { name: 'x', endpoint: `${base}/x`, subscriptions: ['conditional_ticket_events'], authentication: { type: 'api_key', data: { name: 'X-Key\r\nEvil: 1', value: 'v' } } },
      { name: 'x', endpoint: `${base}/x`, subscriptions: ['conditional_ticket_events'], authentication: { type: 'bearer_token', data: { token: 'a\nb' } } },
    ];
    for (const webhook of others) {
      const r = await rawFetch('/api/v2/webhooks', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ webhook }) });
      assert.equal(r.status, 422, `${JSON.stringify(webhook)}: ${r.text}`);
    }
    // an update is checked the same way
    const w = await create({ endpoint: `${base}/x`, subscriptions: ['conditional_ticket_events'] });
    const r = await rawFetch(`/api/v2/webhooks/${w.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ webhook: { endpoint: 'http://a:b@example.com/' } }) });
    assert.equal(r.status, 422, r.text);
    await remove(w.id);
  });

  test('only admins see webhooks', async () => {
    for (const who of ['agent', 'enduser']) {
      const r = await rawFetch('/api/v2/webhooks', { who });
      assert.equal(r.status, 403, `${who}: ${r.text}`);
    }
  });

  test('signing secret: shown on request, reset to a new one', async () => {
    const admin = client('admin');
    const w = await create({ endpoint: `${base}/secret`, subscriptions: ['conditional_ticket_events'],
      signing_secret: { algorithm: 'sha256', secret: 'my-own-secret-of-enough-length' } });
    assert.equal(await secretOf(w.id), 'my-own-secret-of-enough-length');
    const r = await call(admin, admin.webhooks.resetSigningSecret(w.id));
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.signing_secret.algorithm, 'SHA256');
    assert.notEqual(r.body.signing_secret.secret, 'my-own-secret-of-enough-length');
    assert.equal(await secretOf(w.id), r.body.signing_secret.secret);
    await remove(w.id);
  });

  test('test request: sent now, signed, with the authentication header; the response comes back', async () => {
    answer('/probe', { status: 200, headers: { 'X-Receiver': 'yes' }, body: '{"ok":true}' });
    const w = await create({ endpoint: `${base}/probe`, subscriptions: ['conditional_ticket_events'],
      authentication: { type: 'api_key', data: { name: 'X-Api-Key', value: 'key-1' } } });
    // (node-zendesk 6's webhooks.test() asks for "/api/v2//webhooks/test": the
    // same request by hand)
    const r = await rawFetch(`/api/v2/webhooks/test?webhook_id=${w.id}`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ request: { payload: '{"hello":"세계"}' } }) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.response.status, 200);
    assert.equal(r.body.response.body, '{"ok":true}');
    assert.ok(r.body.response.headers.some((h) => h.key.toLowerCase() === 'x-receiver' && h.value === 'yes'), JSON.stringify(r.body));
    const got = seen['/probe'][0];
    assert.equal(got.method, 'POST');
    assert.equal(got.body, '{"hello":"세계"}');
    assert.equal(got.headers['x-api-key'], 'key-1');
    assert.equal(got.headers['user-agent'], 'Sonnim Webhook');
    assert.equal(got.headers['x-zendesk-webhook-id'], w.id);
    assert.match(got.headers['content-type'], /^application\/json/);
    assert.ok(signatureOk(got, await secretOf(w.id)), JSON.stringify(got.headers));

    // per-route test too; and an unsaved definition with basic auth
    let t = await rawFetch(`/api/v2/webhooks/${w.id}/test`, { method: 'POST' });
    assert.equal(t.status, 200, t.text);
    assert.equal(seen['/probe'].length, 2);
    t = await rawFetch('/api/v2/webhooks/test', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ webhook: { name: 'draft', endpoint: `${base}/probe`, http_method: 'PATCH', request_format: 'form_encoded', subscriptions: ['conditional_ticket_events'],
        authentication: { type: 'basic_auth', data: { username: 'u', password: 'p' } } } }) });
    assert.equal(t.status, 200, t.text);
    const third = seen['/probe'][2];
    assert.equal(third.method, 'PATCH');
    assert.equal(third.headers.authorization, 'Basic ' + Buffer.from('u:p').toString('base64'));
    assert.match(third.headers['content-type'], /^application\/x-www-form-urlencoded/);
    // nothing listening: the error comes back, not a crash
    const dead = await create({ endpoint: 'http://127.0.0.1:9/closed', subscriptions: ['conditional_ticket_events'] });
    t = await rawFetch(`/api/v2/webhooks/${dead.id}/test`, { method: 'POST' });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.body.response.status, null);
    assert.match(t.body.response.error, /connect/);
    await remove(dead.id);
    await remove(w.id);
  });
});

describe('webhook deliveries', () => {
  test('a ticket.updated event is delivered, a 500 retried (Retry-After: 1) to a 200 under one invocation id', async () => {
    // the ticket first, then the webhook, then the update it hears about:
    // other tests' tickets are being written at the same time
    const t = await newTicket(client('admin'), { subject: `웹훅 ${uniq()}` });
    answer('/flaky', { status: 500, headers: { 'Retry-After': '1' }, body: 'try later' }, { status: 200, body: 'thanks' });
    perInvocation['/flaky'] = String(t.id);
    const w = await create({ endpoint: `${base}/flaky`, subscriptions: ['sonnim:ticket.updated'] });
    const secret = await secretOf(w.id);
    try {
      const admin = client('admin');
      await call(admin, admin.tickets.update(t.id, { ticket: { priority: 'high' } }));
      // other tests create tickets at the same time: keep to this ticket's deliveries
      const mine = () => seen['/flaky'].filter((x) => { try { return String(JSON.parse(x.body).detail.id) === String(t.id); } catch { return false; } });
      await waitFor('two requests at /flaky for this ticket', () => mine().length >= 2);
      const [first, second] = mine();
      for (const x of [first, second]) assert.ok(signatureOk(x, secret), JSON.stringify(x.headers));
      assert.equal(first.headers['x-zendesk-webhook-invocation-id'], second.headers['x-zendesk-webhook-invocation-id']);
      const body = JSON.parse(second.body);
      assert.equal(body.type, 'sonnim:ticket.updated');
      assert.equal(String(body.detail.id), String(t.id));
      assert.equal(body.subject, `sonnim:ticket:${t.id}`);
      const inv = await waitFor('the success in the log', async () => {
        const list = (await invocations(w.id)).filter((x) => String(x.ticket_id) === String(t.id));
        return list.length && list[0].status === 'success' ? list : null;
      });
      assert.equal(inv.length, 1, JSON.stringify(inv));
      assert.equal(inv[0].id, first.headers['x-zendesk-webhook-invocation-id']);
      assert.equal(inv[0].ticket_id, t.id);
      assert.deepEqual(inv[0].attempts.map((a) => [a.attempt, a.status, a.status_code]), [[1, 'retrying', 500], [2, 'success', 200]]);
      assert.equal(inv[0].attempts[0].response.body, 'try later');
      assert.equal(inv[0].attempts[0].error, 'HTTP 500');
      const att = await rawFetch(`/api/v2/webhooks/${w.id}/invocations/${inv[0].id}/attempts`);
      assert.equal(att.status, 200, att.text);
      assert.equal(att.body.attempts.length, 2);
      // other tickets' deliveries may be between their 500 and their 200
      await waitFor('no failure pending', async () =>
        (await rawFetch(`/api/v2/webhooks/${w.id}`)).body.webhook.sonnim_failure_count === 0);
    } finally {
      delete perInvocation['/flaky'];
      await remove(w.id);
    }
  });

  test('a 404 fails at once (no retry) and is logged', async () => {
    answer('/missing', { status: 404, body: 'no such hook' });
    const w = await create({ endpoint: `${base}/missing`, subscriptions: ['sonnim:ticket.created'] });
    try {
      await newTicket(client('admin'));
      const inv = await waitFor('the failure in the log', async () => {
        const list = await invocations(w.id);
        return list.length ? list : null;
      });
      await sleep(1500); // a retry would come within the backoff's first step: none does
      assert.equal(seen['/missing'].length, 1);
      assert.equal(inv[0].status, 'failed');
      assert.equal(inv[0].latest_status_code, 404);
      assert.equal(inv[0].attempts[0].response.body, 'no such hook');
      const jobs = await rawFetch('/api/v2/sonnim/jobs?state=dead');
      assert.ok(JSON.stringify(jobs.body).includes('HTTP 404'), jobs.text);
    } finally {
      await remove(w.id);
    }
  });

  test('ten failures in a row deactivate the webhook', async () => {
    answer('/gone', { status: 410 });
    const w = await create({ endpoint: `${base}/gone`, subscriptions: ['sonnim:ticket.created'] });
    try {
      const admin = client('admin');
      for (let i = 0; i < 10; i++) await newTicket(admin);
      const hook = await waitFor('the webhook to go inactive', async () => {
        const r = await rawFetch(`/api/v2/webhooks/${w.id}`);
        return r.body.webhook.status === 'inactive' ? r.body.webhook : null;
      });
      assert.match(hook.sonnim_deactivated_reason, /10 consecutive failed attempts/);
      assert.equal(seen['/gone'].length, 10);
      // inactive: new events send nothing
      await newTicket(admin);
      await sleep(1500);
      assert.equal(seen['/gone'].length, 10);
      // turned back on by an admin: the count starts again
      const r = await rawFetch(`/api/v2/webhooks/${w.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ webhook: { status: 'active' } }) });
      assert.equal(r.status, 204, r.text);
      const again = await rawFetch(`/api/v2/webhooks/${w.id}`);
      assert.equal(again.body.webhook.sonnim_failure_count, 0);
      assert.equal(again.body.webhook.sonnim_deactivated_reason, null);
    } finally {
      await remove(w.id);
    }
  });
});
