// errors.test.mjs - Zendesk's error bodies (404 RecordNotFound, 422
// RecordInvalid with details, 401, 403), and bad input: every bad request
// gets a 4xx with an error body and leaves nothing half-written (the ticket
// count and the newest ticket are the same before and after).
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show, rawFetch } from './lib/harness.mjs';
import { newTicket, uniq, allTickets } from './lib/fixtures.mjs';

await env();

// The state that bad input must not change: how many tickets, the newest id
// and the comment count of a ticket we keep aside.
async function snapshot(keep) {
  const list = await allTickets();
  const admin = client('admin');
  return {
    count: list.length,
    maxId: Math.max(...list.map((t) => t.id)),
    keep: keep ? JSON.stringify((await admin.tickets.show(keep.id)).result) : null,
    keepComments: keep ? (await admin.tickets.getComments(keep.id)).length : null,
  };
}

async function unchanged(before, keep, what) {
  const after = await snapshot(keep);
  assert.deepEqual(after, before, `${what}: something was written`);
}

function assertErrorBody(r, what) {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: ${show(r)}`);
  assert.ok(r.body && typeof r.body.error === 'string' && r.body.error.length > 0, `${what}: no error body: ${show(r)}`);
}

describe('error bodies', () => {
  test('404: {"error":"RecordNotFound","description":"Not found"}', async () => {
    const admin = client('admin');
    for (const [what, f] of [['ticket', () => admin.tickets.show(999999)], ['user', () => admin.users.show(999999)],
      ['organization', () => admin.organizations.show(999999)], ['group', () => admin.groups.show(999999)],
      ['ticket field', () => admin.ticketfields.show(999999)], ['group membership', () => admin.groupmemberships.show(999999)]]) {
      const r = await call(admin, f());
      assert.equal(r.status, 404, `${what}: ${show(r)}`);
      assert.deepEqual(r.body, { error: 'RecordNotFound', description: 'Not found' }, what);
    }
  });

  test('404 for an unknown endpoint: InvalidEndpoint', async () => {
    const admin = client('admin');
    const r = await call(admin, admin.tickets.get(['no_such_resource']));
    assert.equal(r.status, 404, show(r));
    assert.equal(r.body.error, 'InvalidEndpoint');
  });

  test('422: RecordInvalid with details per field', async () => {
    const admin = client('admin');
    const r = await call(admin, admin.tickets.create({ ticket: { subject: '본문 없음' } }));
    assert.equal(r.status, 422, show(r));
    assert.equal(r.body.error, 'RecordInvalid');
    assert.equal(typeof r.body.description, 'string');
    const d = r.body.details;
    assert.ok(d && typeof d === 'object' && !Array.isArray(d), show(r));
    const [field] = Object.keys(d);
    assert.ok(Array.isArray(d[field]) && d[field].length > 0, show(r));
    assert.equal(typeof d[field][0].description, 'string');
    assert.equal(typeof d[field][0].error, 'string');

    const p = await call(admin, admin.tickets.create({ ticket: { subject: 'x', comment: { body: 'y' }, priority: 'critical' } }));
    assert.equal(p.status, 422, show(p));
    assert.ok(p.body.details.priority, `details.priority: ${show(p)}`);
  });

  test('401: {"error":"Couldn\'t authenticate you"} for a wrong token, password or bearer', async () => {
    for (const c of [client('admin', { token: 'wrong-token' }), client('admin', { auth: 'password', password: 'wrong' }),
      client('admin', { auth: 'oauth', token: 'not-a-bearer-token' }), client('anonymous'),
      client('admin', { email: 'nobody@sonnim.test' })]) {
      const r = await call(c, c.tickets.show(1));
      assert.equal(r.status, 401, show(r));
      assert.equal(r.body.error, "Couldn't authenticate you");
    }
  });

  test('403: Forbidden with a description', async () => {
    const agent = client('agent');
    const t = await newTicket(client('admin'), { subject: '삭제 금지' });
    const r = await call(agent, agent.tickets.delete(t.id));
    assert.equal(r.status, 403, show(r));
    assert.equal(r.body.error, 'Forbidden');
    assert.equal(typeof r.body.description, 'string');
  });

  test('405 for a method a path does not have', async () => {
    const admin = client('admin');
    const r = await call(admin, admin.tickets.request('PATCH', ['tickets', 'show_many'], {}));
    assert.ok([404, 405].includes(r.status), show(r));
    assertErrorBody(r, 'PATCH show_many');
  });
});

const NASTY = [
  "'; DROP TABLE tickets; --",
  "Robert'); DELETE FROM users WHERE ('1'='1",
  '" OR 1=1 -- 한글',
  "100% _wild_ \\ back\\slash $1 ${x} `tick` ? :name $$ E'\\x00'",
  'SELECT * FROM tickets WHERE subject LIKE \'%\'; --',
];

describe('bad input leaves nothing half-written', () => {
  test('malformed JSON: 400', async () => {
    const before = await snapshot();
    // plain fetch: node-zendesk always sends JSON.stringify output
    for (const body of ['{"ticket": {"subject": "깨진 JSON", "comment": {"body": "x"}', '{ticket: 1}', 'null', '[]',
      '"just a string"', '', '{"ticket": {"subject": "a"}} trailing', '{"ticket": {"subject": "dup", "subject": "dup2", "comment": {"body": "x"}}}']) {
      const r = await rawFetch('/api/v2/tickets.json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 200)}`);
      assertErrorBody(r, body);
    }
    await unchanged(before, null, 'malformed JSON');
  });

  test('wrong types: 400 or 422 with an error body', async () => {
    const admin = client('admin');
    const keep = await newTicket(admin, { subject: '유형 오류 대상' });
    const before = await snapshot(keep);
    const bad = [
      { ticket: 'a string' },
      { ticket: [] },
      { ticket: { subject: ['array'], comment: { body: 'x' } } },
      { ticket: { subject: { o: 1 }, comment: { body: 'x' } } },
      { ticket: { subject: 'x', comment: 'not an object' } },
      { ticket: { subject: 'x', comment: { body: ['a'] } } },
      { ticket: { subject: 'x', comment: { body: 'x', public: 'yes' } } },
      { ticket: { subject: 'x', comment: { body: 'x' }, assignee_id: 'abc' } },
      { ticket: { subject: 'x', comment: { body: 'x' }, assignee_id: 1.5 } },
      { ticket: { subject: 'x', comment: { body: 'x' }, assignee_id: -3 } },
      { ticket: { subject: 'x', comment: { body: 'x' }, assignee_id: true } },
      { ticket: { subject: 'x', comment: { body: 'x' }, tags: { a: 1 } } },
      { ticket: { subject: 'x', comment: { body: 'x' }, tags: [1, 2] } },
      { ticket: { subject: 'x', comment: { body: 'x' }, collaborator_ids: 'x' } },
      { ticket: { subject: 'x', comment: { body: 'x' }, custom_fields: { id: 1 } } },
      { ticket: { subject: 'x', comment: { body: 'x' }, due_at: 'next tuesday', type: 'task' } },
      { ticket: { subject: 'x', comment: { body: 'x' }, status: 7 } },
      { ticket: { subject: 'x', comment: { body: 'x' }, priority: null, type: 'bug' } },
    ];
    for (const body of bad) {
      const r = await call(admin, admin.tickets.create(body));
      assert.ok([400, 422].includes(r.status), `create ${JSON.stringify(body)}: ${show(r)}`);
      assertErrorBody(r, JSON.stringify(body));
      const u = await call(admin, admin.tickets.update(keep.id, body));
      assert.ok([400, 422].includes(u.status), `update ${JSON.stringify(body)}: ${show(u)}`);
      assertErrorBody(u, JSON.stringify(body));
    }
    await unchanged(before, keep, 'wrong types');
  });

  test('a 10 MB body: 413', async () => {
    const admin = client('admin');
    const before = await snapshot();
    const big = '가'.repeat(10 * 1024 * 1024 / 3);
    const r = await call(admin, admin.tickets.create({ ticket: { subject: '큰 본문', comment: { body: big } } }));
    assert.equal(r.status, 413, show(r));
    assertErrorBody(r, '10 MB');
    await unchanged(before, null, '10 MB body');
    // the connection survived and the server still answers
    const ok = await call(admin, admin.tickets.show(1));
    assert.equal(ok.status, 200, show(ok));
  });

  test('deep nesting: 400 (node-zendesk at depth 3000, plain fetch at 100000)', async () => {
    const admin = client('admin');
    const keep = await newTicket(admin, { subject: '깊은 중첩 대상' });
    const before = await snapshot(keep);
    let deep = 'bottom';
    for (let i = 0; i < 3000; i++) deep = [deep];
    const r = await call(admin, admin.tickets.create({ ticket: { subject: '깊음', comment: { body: 'x' }, custom_fields: deep } }));
    assert.ok([400, 422].includes(r.status), show(r));
    assertErrorBody(r, 'depth 3000');
    // plain fetch: JSON.stringify cannot build this depth
    const text = '{"ticket":{"subject":"깊음","comment":{"body":"x"},"x":' + '['.repeat(100000) + ']'.repeat(100000) + '}}';
    const f = await rawFetch('/api/v2/tickets.json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
    assert.ok([400, 413, 422].includes(f.status), `${f.status} ${f.text.slice(0, 200)}`);
    assertErrorBody(f, 'depth 100000');
    const u = await call(admin, admin.tickets.update(keep.id, { ticket: { comment: { body: 'x' }, tags: deep } }));
    assert.ok([400, 422].includes(u.status), show(u));
    await unchanged(before, keep, 'deep nesting');
  });

  test('unknown ids: in the path 404, in the body 422', async () => {
    const admin = client('admin');
    const keep = await newTicket(admin, { subject: '모르는 번호 대상' });
    const before = await snapshot(keep);
    for (const [what, f] of [['update', () => admin.tickets.update(999999, { ticket: { subject: 'x' } })],
      ['delete', () => admin.tickets.delete(999999)], ['comments', () => admin.tickets.getComments(999999)],
      ['audits', () => admin.ticketaudits.list(999999)], ['incidents', () => admin.tickets.listIncidents(999999)],
      ['merge', () => admin.tickets.merge(999999, { ids: [keep.id] })], ['tags', () => admin.tickets.addTags(999999, { tags: ['x'] })]]) {
      const r = await call(admin, f());
      assert.equal(r.status, 404, `${what}: ${show(r)}`);
      assert.equal(r.body.error, 'RecordNotFound', what);
    }
    for (const field of ['requester_id', 'assignee_id', 'group_id', 'organization_id', 'problem_id', 'submitter_id']) {
      const ticket = { subject: `모르는 ${field}`, comment: { body: 'x' }, [field]: 999999 };
      if (field === 'problem_id') ticket.type = 'incident';
      const r = await call(admin, admin.tickets.create({ ticket }));
      assert.equal(r.status, 422, `${field}: ${show(r)}`);
      assert.equal(r.body.error, 'RecordInvalid');
      const u = await call(admin, admin.tickets.update(keep.id, { ticket: { [field]: 999999, ...(field === 'problem_id' ? { type: 'incident' } : {}) } }));
      assert.equal(u.status, 422, `update ${field}: ${show(u)}`);
    }
    const big = await call(admin, admin.tickets.create({ ticket: { subject: 'x', comment: { body: 'x' }, assignee_id: Number.MAX_SAFE_INTEGER } }));
    assert.equal(big.status, 422, show(big));
    const sm = await call(admin, admin.tickets.get(['tickets', 'show_many', { ids: '1,abc,-2' }]));
    assert.equal(sm.status, 400, show(sm));
    await unchanged(before, keep, 'unknown ids');
  });

  test('invalid UTF-8: 400 (plain fetch: node-zendesk only sends valid UTF-8)', async () => {
    const admin = client('admin');
    const keep = await newTicket(admin, { subject: 'UTF-8 대상' });
    const before = await snapshot(keep);
    const bodies = [
      Buffer.concat([Buffer.from('{"ticket":{"subject":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('","comment":{"body":"x"}}}')]),
      Buffer.concat([Buffer.from('{"ticket":{"subject":"x","comment":{"body":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}}')]),
      Buffer.concat([Buffer.from('{"ticket":{"subject":"'), Buffer.from([0xea, 0xb0]), Buffer.from('","comment":{"body":"x"}}}')]),
    ];
    for (const body of bodies) {
      const r = await rawFetch('/api/v2/tickets.json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(r.status, 400, `${body.toString('hex').slice(0, 80)}: ${r.status} ${r.text.slice(0, 200)}`);
      assertErrorBody(r, 'invalid utf-8');
      const u = await rawFetch(`/api/v2/tickets/${keep.id}.json`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(u.status, 400, `PUT: ${u.status} ${u.text.slice(0, 200)}`);
    }
    // a lone surrogate escape is well-formed JSON text but not a character
    const r = await call(admin, admin.tickets.create({ ticket: { subject: 'lone \ud800 surrogate', comment: { body: 'x' } } }));
    assert.ok([400, 422].includes(r.status), show(r));
    // NUL inside a string
    const n = await call(admin, admin.tickets.create({ ticket: { subject: 'nul \u0000 inside', comment: { body: 'x' } } }));
    assert.ok([400, 422].includes(n.status), show(n));
    await unchanged(before, keep, 'invalid UTF-8');
  });

  test('invalid UTF-8 in a query string: 400 or a JSON answer, never a crash (plain fetch: node-zendesk encodes URLs)', async () => {
    for (const q of ['/api/v2/search.json?query=%ff%fe', '/api/v2/users/search.json?query=%c3%28', '/api/v2/tickets.json?external_id=%ed%a0%80']) {
      const r = await rawFetch(q, {});
      assert.ok(r.status === 400 || (r.status === 200 && r.body), `${q}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status === 400) assertErrorBody(r, q);
    }
  });

  test('SQL-looking strings are stored and returned verbatim: tickets', async () => {
    const admin = client('admin');
    for (const s of NASTY) {
      const t = await newTicket(admin, { subject: s, comment: { body: `${s}\n본문 ${s}` }, external_id: `${uniq('sql')}${s}`, tags: ['sql'] });
      const got = (await admin.tickets.show(t.id)).result;
      assert.equal(got.subject, s);
      assert.equal(got.description, `${s}\n본문 ${s}`);
      assert.ok(got.external_id.endsWith(s));
    }
    // the table is still there
    assert.ok((await allTickets()).length > 5);
  });

  test('SQL-looking strings are stored and returned verbatim: users and search', async () => {
    const admin = client('admin');
    const u = await call(admin, admin.users.create({ user: { name: "O'Brien \"; DROP TABLE users; --", email: `${uniq('obrien')}@example.com` } }));
    assert.equal(u.status, 201, show(u));
    assert.equal(u.result.name, "O'Brien \"; DROP TABLE users; --");
    assert.ok((await admin.users.list()).length > 5);
    const found = await admin.search.queryAll('"DROP TABLE"');
    assert.ok(found.some((r) => r.subject === "'; DROP TABLE tickets; --"), JSON.stringify(found.map((r) => r.subject)));
  });

  test('oversized fields: 413 or 422, nothing written', async () => {
    const admin = client('admin');
    const keep = await newTicket(admin, { subject: '긴 필드 대상' });
    const before = await snapshot(keep);
    const cases = [
      { ticket: { subject: 'x'.repeat(70000), comment: { body: 'x' } } },
      { ticket: { subject: 'x', comment: { body: 'x' }, tags: ['t'.repeat(300)] } },
      { ticket: { subject: 'x', comment: { body: 'x' }, tags: Array.from({ length: 2000 }, (_, i) => `t${i}`) } },
      { ticket: { subject: 'x', comment: { body: 'x' }, external_id: 'e'.repeat(70000) } },
      { ticket: { subject: 'x', comment: { body: '본'.repeat(400000) } } },
    ];
    for (const body of cases) {
      const r = await call(admin, admin.tickets.create(body));
      assert.ok([413, 422].includes(r.status), `${JSON.stringify(body).slice(0, 80)}: ${show(r)}`);
      assertErrorBody(r, 'oversized');
      const u = await call(admin, admin.tickets.update(keep.id, body));
      assert.ok([413, 422].includes(u.status), `update ${JSON.stringify(body).slice(0, 80)}: ${show(u)}`);
    }
    await unchanged(before, keep, 'oversized fields');
  });

  test('oversized fields: a user name of 90 KB is refused', async () => {
    const admin = client('admin');
    const email = `${uniq('long')}@example.com`;
    const name = await call(admin, admin.users.create({ user: { name: '이'.repeat(30000), email } }));
    assert.ok([413, 422].includes(name.status), show(name));
    assertErrorBody(name, 'long name');
    const found = await call(admin, admin.users.search({ query: email }));
    assert.ok(found.status !== 200 || found.result.length === 0, `the user was written: ${show(found)}`);
  });

  test('a bad ticket inside create_many fails that ticket only, never the server', async () => {
    const admin = client('admin');
    const r = await call(admin, admin.tickets.createMany({ tickets: [{ subject: '좋은 티켓', comment: { body: 'x' } }, { subject: ['bad'] }] }));
    assert.ok(r.status === 200 || r.status === 422 || r.status === 400, show(r));
    const many = await call(admin, admin.tickets.createMany({ tickets: Array.from({ length: 101 }, (_, i) => ({ subject: `${i}`, comment: { body: 'x' } })) }));
    assert.ok([400, 413, 422].includes(many.status), `101 tickets: ${show(many)}`);
  });

  test('the server is still healthy after all that', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: '아직 살아 있음' });
    assert.equal((await admin.tickets.show(t.id)).result.subject, '아직 살아 있음');
  });
});

describe('routes that take files', () => {
  test('a 3 MB mail through the mailgate door is taken (routes that take files allow max_upload, not max_body)', async () => {
    const att = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const eml = ['From: big@customer.test', 'To: support@support.test', `Subject: ${uniq('big mail ')}`,
      `Message-ID: <${uniq('big')}@customer.test>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '',
      '--b', 'Content-Type: text/plain; charset=utf-8', '', '사진 보냅니다', '--b',
      'Content-Type: application/octet-stream; name="photo.bin"', 'Content-Transfer-Encoding: base64', '', att, '--b--', ''].join('\r\n');
    assert.ok(Buffer.byteLength(eml) > 4 * 1024 * 1024);
    const r = await rawFetch('/api/v2/sonnim/mail/inbound.json', { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body: eml });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.body.inbound_mail.size, Buffer.byteLength(eml));
    // it becomes a ticket: wait for that, so no later test sees it arrive
    const id = r.body.inbound_mail.id;
    for (;;) {
      const l = await rawFetch('/api/v2/sonnim/mail/inbound.json?per_page=100');
      const m = l.body.inbound_mails.find((x) => x.id === id);
      if (m && m.state !== 'received') {
        assert.equal(m.state, 'processed', show(l));
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  });
});
