// search.test.mjs - /api/v2/search with Zendesk's query language in Korean
// and English, search count, sorting, and the incremental ticket export.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show } from './lib/harness.mjs';
import { demo, newTicket, uniq, ids, allTickets, sleep } from './lib/fixtures.mjs';

await env();

const subjects = (results) => results.map((r) => r.subject ?? r.name);

describe('search', () => {
  test('type:ticket status<solved finds the unsolved tickets only', async () => {
    const agent = client('agent');
    const results = await agent.search.queryAll('type:ticket status<solved');
    assert.ok(results.length >= 4, JSON.stringify(subjects(results)));
    for (const r of results) {
      assert.equal(r.result_type, 'ticket', JSON.stringify(r));
      assert.ok(['new', 'open', 'pending', 'hold'].includes(r.status), `${r.subject}: ${r.status}`);
    }
    const s = subjects(results);
    assert.ok(s.includes('배송 지연 문의'));
    assert.ok(s.includes('Refund for a double charge'));
    assert.ok(!s.includes('How do I export my invoices?'), 'a solved ticket is not < solved');
  });

  test('tags:vip', async () => {
    const agent = client('agent');
    const results = await agent.search.queryAll('type:ticket tags:vip');
    assert.ok(subjects(results).includes('배송 지연 문의'), JSON.stringify(subjects(results)));
    for (const r of results) assert.ok(r.tags.includes('vip'), JSON.stringify(r.tags));
  });

  test('assignee:me is the agent asking', async () => {
    const jiwon = client('jiwon');
    const d = await demo();
    const results = await jiwon.search.queryAll('type:ticket assignee:me');
    assert.ok(results.length >= 2, JSON.stringify(subjects(results)));
    for (const r of results) assert.equal(r.assignee_id, d.users.jiwon, r.subject);
    const s = subjects(results);
    assert.ok(s.includes('배송 지연 문의') && s.includes('비밀번호 재설정이 안 돼요'), JSON.stringify(s));
  });

  test('created>2026-01-01 and created> a date after today', async () => {
    const agent = client('agent');
    const day = (ms) => new Date(ms).toISOString().slice(0, 10);
    const fixed = await agent.search.queryAll('type:ticket created>2026-01-01');
    if (Date.now() > Date.parse('2026-01-02T00:00:00Z')) {
      assert.ok(subjects(fixed).includes('배송 지연 문의'), JSON.stringify(subjects(fixed)));
    } else {
      assert.deepEqual(fixed, [], 'nothing was created after 2026-01-01 yet');
    }
    const yesterday = await agent.search.queryAll(`type:ticket created>${day(Date.now() - 2 * 86400e3)}`);
    assert.ok(subjects(yesterday).includes('Refund for a double charge'), JSON.stringify(subjects(yesterday)));
    const tomorrow = await agent.search.queryAll(`type:ticket created>${day(Date.now() + 2 * 86400e3)}`);
    assert.deepEqual(subjects(tomorrow), []);
  });

  test('the Korean word 배송 finds "배송 지연 문의"', async () => {
    const agent = client('agent');
    const results = await agent.search.queryAll('배송');
    const s = subjects(results);
    assert.ok(s.includes('배송 지연 문의'), JSON.stringify(s));
    assert.ok(s.includes('환불 요청합니다'), 'the word in a comment body counts too');
    assert.ok(!s.includes('Refund for a double charge'));
  });

  test('other two-syllable Korean words: 환불, 비밀번호', async () => {
    const agent = client('agent');
    assert.ok(subjects(await agent.search.queryAll('type:ticket 환불')).includes('환불 요청합니다'));
    assert.ok(subjects(await agent.search.queryAll('type:ticket 비밀번호')).includes('비밀번호 재설정이 안 돼요'));
  });

  test('English word forms: "refunds" finds "Refund for a double charge"', async () => {
    const agent = client('agent');
    const s = subjects(await agent.search.queryAll('refunds'));
    assert.ok(s.includes('Refund for a double charge'), JSON.stringify(s));
    assert.ok(subjects(await agent.search.queryAll('charged')).includes('Refund for a double charge'));
  });

  test('quoted phrases match words in that order only', async () => {
    const agent = client('agent');
    assert.ok(subjects(await agent.search.queryAll('"double charge"')).includes('Refund for a double charge'));
    assert.ok(!subjects(await agent.search.queryAll('"charge double"')).includes('Refund for a double charge'));
    assert.ok(subjects(await agent.search.queryAll('"배송 지연"')).includes('배송 지연 문의'));
  });

  test('combined: Korean text plus status and type filters', async () => {
    const agent = client('agent');
    const s = subjects(await agent.search.queryAll('type:ticket status<solved 배송'));
    assert.ok(s.includes('배송 지연 문의'), JSON.stringify(s));
    const none = await agent.search.queryAll('type:ticket status:solved 배송');
    assert.ok(!subjects(none).includes('배송 지연 문의'));
  });

  test('a new ticket is found right after its 201', async () => {
    const admin = client('admin');
    const word = uniq('zq');
    const t = await newTicket(admin, { subject: `새로 만든 ${word} 택배 분실`, comment: { body: '택배가 분실되었습니다' } });
    const s = await admin.search.queryAll(word);
    assert.deepEqual(ids(s), [t.id]);
    assert.ok(ids(await admin.search.queryAll(`type:ticket 분실 ${word}`)).includes(t.id));
  });

  test('users are searchable: type:user', async () => {
    const agent = client('agent');
    const d = await demo();
    const results = await agent.search.queryAll('type:user 민수');
    assert.ok(results.length >= 1);
    assert.ok(results.every((r) => r.result_type === 'user'), JSON.stringify(results));
    assert.ok(ids(results).includes(d.users.minsu));
    assert.ok(ids(await agent.search.queryAll('type:user jane@acme.example')).includes(d.users.jane));
  });

  test('search count agrees with the results', async () => {
    const agent = client('agent');
    for (const q of ['type:ticket status<solved', 'type:ticket 배송', 'type:ticket tags:vip']) {
      const results = await agent.search.queryAll(q);
      const r = await call(agent, agent.search.showResultsCount(q));
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.count, results.length, `${q}: ${show(r)}`);
    }
  });

  test('the response has Zendesk\'s shape: results, count, next_page, facets', async () => {
    const agent = client('agent');
    const r = await call(agent, agent.search.query('type:ticket 배송'));
    assert.equal(r.status, 200, show(r));
    assert.ok(Array.isArray(r.body.results));
    assert.equal(typeof r.body.count, 'number');
    assert.ok('next_page' in r.body && 'previous_page' in r.body, show(r));
  });

  test('sort_by=created_at sort_order=asc|desc', async () => {
    const agent = client('agent');
    const asc = await call(agent, agent.search.get(['search', { query: 'type:ticket', sort_by: 'created_at', sort_order: 'asc' }]));
    assert.equal(asc.status, 200, show(asc));
    const desc = await call(agent, agent.search.get(['search', { query: 'type:ticket', sort_by: 'created_at', sort_order: 'desc' }]));
    const times = (rs) => rs.map((x) => Date.parse(x.created_at));
    const a = times(asc.result);
    const b = times(desc.result);
    assert.deepEqual(a, [...a].sort((x, y) => x - y));
    assert.deepEqual(b, [...b].sort((x, y) => y - x));
  });

  test('an end-user cannot use the agents\' search', async () => {
    const enduser = client('enduser');
    const r = await call(enduser, enduser.search.query('배송'));
    assert.equal(r.status, 403, show(r));
  });

  test('odd queries get 200 or a 400 with an error body, never a 5xx', async () => {
    const agent = client('agent');
    for (const q of ['"unclosed phrase', 'status<', 'created>notadate', '((( ))) :::', "'; DROP TABLE tickets; --",
      '*', 'tags:', 'type:nothing', '배'.repeat(2000), '%_\\']) {
      const r = await call(agent, agent.search.query(q));
      assert.ok(r.status === 200 || (r.status === 400 && r.body && r.body.error), `${JSON.stringify(q.slice(0, 40))}: ${show(r)}`);
    }
    const still = await agent.search.queryAll('배송');
    assert.ok(subjects(still).includes('배송 지연 문의'));
  });
});

describe('incremental export', () => {
  test('cursor export walks every ticket once, then picks up a new ticket from its cursor', async () => {
    // small pages via node-zendesk's `query` option (which also overrides the
    // page[size]=100 node-zendesk adds on its own): Zendesk documents
    // per_page for exports
    const admin = client('admin', { query: { per_page: 2, page: { size: 2 } } });
    const first = await call(admin, admin.ticketexport.get(['incremental', 'tickets', 'cursor', { start_time: 0 }]));
    assert.equal(first.status, 200, show(first));
    let body = first.body;
    const seen = [];
    let pages = 0;
    for (;;) {
      assert.ok(Array.isArray(body.tickets), JSON.stringify(body).slice(0, 300));
      assert.equal(typeof body.end_of_stream, 'boolean');
      assert.ok(body.after_cursor, 'after_cursor');
      seen.push(...ids(body.tickets));
      pages += 1;
      if (body.end_of_stream) break;
      assert.ok(pages < 500, 'the stream ends');
      assert.ok(body.after_url, 'after_url while the stream goes on');
      const next = await call(admin, admin.ticketexport.get(body.after_url));
      assert.equal(next.status, 200, show(next));
      body = next.body;
    }
    assert.ok(pages > 1, `more than one page (${pages})`);
    assert.equal(new Set(seen).size, seen.length, 'no ticket twice');
    const everything = ids(await allTickets());
    for (const id of everything) assert.ok(seen.includes(id), `ticket ${id} exported`);

    // a ticket made after the end of the stream comes next from the cursor
    const t = await newTicket(client('admin'), { subject: `증분 내보내기 ${uniq()}` });
    const more = await call(admin, admin.ticketexport.get(body.after_url));
    assert.equal(more.status, 200, show(more));
    assert.ok(ids(more.body.tickets).includes(t.id), JSON.stringify(ids(more.body.tickets)));
  });

  test('cursor export: an update to an old ticket comes next from the cursor, even within the same second', async () => {
    const admin = client('admin');
    const d = await demo();
    // start at the beginning of a second, so that the stream's newest entry,
    // the walk to its end and the update below share one second
    await sleep(1000 - (Date.now() % 1000) + 10);
    await newTicket(client('admin'), { subject: `증분 내보내기 끝 ${uniq()}` });
    let r = await call(admin, admin.ticketexport.get(['incremental', 'tickets', 'cursor', { start_time: 0 }]));
    assert.equal(r.status, 200, show(r));
    for (let i = 0; i < 100 && !r.body.end_of_stream; i++) r = await call(admin, admin.ticketexport.get(r.body.after_url));
    assert.equal(r.body.end_of_stream, true);
    const last = r.body;
    await client('admin').tickets.update(d.tickets.refund.id, { ticket: { priority: 'high' } });
    const more = await call(admin, admin.ticketexport.get(last.after_url));
    assert.equal(more.status, 200, show(more));
    const got = ids(more.body.tickets);
    assert.ok(got.includes(d.tickets.refund.id), `the updated ticket ${d.tickets.refund.id} is not after the cursor: ${JSON.stringify(got)}`);
  });

  test('start_time in the future or not a number: 400/422 with an error body', async () => {
    const admin = client('admin');
    for (const start of [Math.floor(Date.now() / 1000) + 86400, 'yesterday']) {
      const r = await call(admin, admin.ticketexport.get(['incremental', 'tickets', 'cursor', { start_time: start }]));
      assert.ok([400, 422].includes(r.status), `${start}: ${show(r)}`);
      assert.ok(r.body && r.body.error, show(r));
    }
  });

  test('only admins export', async () => {
    const agent = client('agent');
    const r = await call(agent, agent.ticketexport.get(['incremental', 'tickets', 'cursor', { start_time: 0 }]));
    assert.equal(r.status, 403, show(r));
  });
});
