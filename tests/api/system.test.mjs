// system.test.mjs - /healthz and /metrics, and the headers every answer
// carries.  Plain fetch throughout: both endpoints live outside /api/v2,
// where node-zendesk cannot point, and /metrics is not JSON.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show, rawFetch } from './lib/harness.mjs';

await env();

describe('system endpoints', () => {
  test('/healthz answers 200 {"status":"ok"} without credentials', async () => {
    const r = await rawFetch('/healthz', { who: 'anonymous' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { status: 'ok' });
    assert.match(r.headers.get('content-type'), /^application\/json/);
  });

  test('/metrics is Prometheus text with request counts, latency and database figures', async () => {
    const admin = client('admin');
    await call(admin, admin.tickets.show(1));
    const r = await rawFetch('/metrics', { who: 'anonymous' });
    assert.equal(r.status, 200, r.text.slice(0, 200));
    assert.match(r.headers.get('content-type'), /^text\/plain/);
    for (const name of ['sonnim_http_requests_total', 'sonnim_http_request_duration_seconds_bucket',
      'sonnim_http_request_duration_seconds_count', 'sonnim_db_queries_total', 'sonnim_write_queue_depth']) {
      assert.match(r.text, new RegExp(`^${name}[{ ]`, 'm'), `${name} in /metrics`);
    }
    const m = /^sonnim_http_requests_total\{code="2xx"\} (\d+)/m.exec(r.text);
    assert.ok(m && Number(m[1]) >= 1, 'some 2xx requests counted');
    // every sample line is "name{labels} value"
    for (const line of r.text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|\+Inf|-Inf|NaN)$/, line);
    }
  });

  test('API answers are JSON in UTF-8 and carry nosniff', async () => {
    const admin = client('admin');
    const r = await call(admin, admin.tickets.show(1));
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers.get('content-type'), /^application\/json; charset=utf-8$/i);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  });
});
