// tickets.test.mjs - the tickets resource through node-zendesk: create,
// show, update, delete with Korean text, show_many, create_many /
// update_many with job statuses, comments, audits, merge, tags, incidents,
// and Zendesk's status rules.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show } from './lib/harness.mjs';
import { demo, newTicket, uniq, watchJob, ids } from './lib/fixtures.mjs';

await env();

describe('tickets: create, show, update, delete', () => {
  test('create with a Korean subject and comment: 201, the ticket and its audit', async () => {
    const admin = client('admin');
    const subject = `프린터가 고장났어요 — 한글 제목 ${uniq()} 🙂`;
    const body = '출력이 안 됩니다.\n확인 부탁드립니다. 감사합니다!';
    const r = await call(admin, admin.tickets.create({
      ticket: { subject, comment: { body }, priority: 'high', type: 'question', tags: ['프린터', 'Hardware'] },
    }));
    assert.equal(r.status, 201, show(r));
    const t = r.result;
    assert.equal(t.subject, subject);
    assert.equal(t.raw_subject, subject);
    assert.equal(t.description, body);
    assert.equal(t.priority, 'high');
    assert.equal(t.type, 'question');
    assert.equal(t.status, 'new');
    assert.deepEqual([...t.tags].sort(), ['hardware', '프린터'].sort(), 'tags are lower-cased');
    assert.equal(t.requester_id, 1);
    assert.equal(t.submitter_id, 1);
    assert.ok(Number.isInteger(t.id) && t.id > 0);
    assert.match(t.url, new RegExp(`/api/v2/tickets/${t.id}\\.json$`));
    assert.match(t.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(t.via.channel, 'api');
    // Zendesk answers a create with the audit it wrote
    const audit = r.body.audit;
    assert.ok(audit, `no audit in ${show(r)}`);
    assert.equal(audit.ticket_id, t.id);
    assert.equal(audit.author_id, 1);
    const types = audit.events.map((e) => e.type);
    assert.ok(types.includes('Comment'), `audit events ${JSON.stringify(audit.events)}`);
    assert.ok(audit.events.some((e) => e.type === 'Create' && e.field_name === 'subject' && e.value === subject),
      `no Create subject event: ${JSON.stringify(audit.events)}`);

    const again = await call(admin, admin.tickets.show(t.id));
    assert.equal(again.status, 200, show(again));
    assert.equal(again.result.subject, subject);
    assert.equal(again.result.description, body);
  });

  test('create with a requester given by email and name makes the end-user', async () => {
    const admin = client('admin');
    const email = `${uniq('req')}@example.kr`;
    const r = await call(admin, admin.tickets.create({
      ticket: { subject: '새 고객 문의', comment: { body: '처음 문의드립니다' }, requester: { name: '홍길동', email } },
    }));
    assert.equal(r.status, 201, show(r));
    assert.ok(r.result.requester_id > 1);
    assert.notEqual(r.result.requester_id, r.result.submitter_id);
    const again = await call(admin, admin.tickets.create({
      ticket: { subject: '같은 고객 두 번째', comment: { body: '또 문의' }, requester: { name: '홍길동', email: email.toUpperCase() } },
    }));
    assert.equal(again.status, 201, show(again));
    assert.equal(again.result.requester_id, r.result.requester_id, 'the same email is the same person');
  });

  test('update: status, priority, a private Korean note; PUT answers 200 with the audit', async () => {
    const admin = client('admin');
    const d = await demo();
    const t = await newTicket(admin, { subject: '수정 테스트 티켓' });
    const r = await call(admin, admin.tickets.update(t.id, {
      ticket: { status: 'pending', priority: 'low', assignee_id: d.users.jiwon, comment: { body: '내부 메모: 고객에게 전화함', public: false } },
    }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.status, 'pending');
    assert.equal(r.result.priority, 'low');
    assert.equal(r.result.assignee_id, d.users.jiwon);
    assert.ok(r.body.audit, `no audit in ${show(r)}`);
    const st = r.body.audit.events.find((e) => e.field_name === 'status');
    assert.ok(st, `no status event in ${JSON.stringify(r.body.audit.events)}`);
    assert.equal(st.type, 'Change');
    assert.equal(st.previous_value, 'new');
    assert.equal(st.value, 'pending');

    const comments = await admin.tickets.getComments(t.id);
    assert.equal(comments.length, 2, JSON.stringify(comments));
    assert.equal(comments[1].body, '내부 메모: 고객에게 전화함');
    assert.equal(comments[1].public, false);
    assert.equal(comments[0].public, true);
    assert.ok(new Date(comments[0].created_at) <= new Date(comments[1].created_at));
  });

  test('PATCH-free partial update leaves the other fields alone', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: '부분 수정', priority: 'urgent', tags: ['keep'] });
    const r = await call(admin, admin.tickets.update(t.id, { ticket: { subject: '부분 수정 — 바뀜' } }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.subject, '부분 수정 — 바뀜');
    assert.equal(r.result.priority, 'urgent');
    assert.deepEqual(r.result.tags, ['keep']);
    assert.equal(r.result.description, t.description);
  });

  test('delete: 204, then 404 RecordNotFound', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: '삭제할 티켓' });
    const r = await call(admin, admin.tickets.delete(t.id));
    assert.equal(r.status, 204, show(r));
    const gone = await call(admin, admin.tickets.show(t.id));
    assert.equal(gone.status, 404, show(gone));
    assert.equal(gone.body.error, 'RecordNotFound');
  });

  test('external_id: set on create, listed with ?external_id=', async () => {
    const admin = client('admin');
    const ext = uniq('ext-');
    const t = await newTicket(admin, { subject: '외부 번호', external_id: ext });
    assert.equal(t.external_id, ext);
    const found = await admin.tickets.listWithFilter('external_id', ext);
    assert.deepEqual(ids(found), [t.id]);
  });

  test('the .json suffix is optional, as Zendesk documents', async () => {
    const admin = client('admin');
    const d = await demo();
    const tickets = admin.tickets;
    tickets.useDotJson = false; // node-zendesk's switch for suffix-less URLs
    const r = await call(admin, tickets.show(d.tickets.delivery.id));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.subject, '배송 지연 문의');
  });
});

describe('tickets: show_many', () => {
  test('returns the visible ones of the ids asked for, skipping unknown ids', async () => {
    const admin = client('admin');
    const d = await demo();
    const want = [d.tickets.delivery.id, d.tickets.refund.id, d.tickets.refundKo.id];
    const r = await call(admin, admin.tickets.showMany([...want, 999999]));
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(ids(r.result).sort((a, b) => a - b), [...want].sort((a, b) => a - b));
    const subjects = r.result.map((t) => t.subject);
    assert.ok(subjects.includes('배송 지연 문의'));
    assert.ok(subjects.includes('환불 요청합니다'));
  });

  test('an end-user gets only their own tickets out of show_many', async () => {
    const minsu = client('minsu');
    const d = await demo();
    const r = await call(minsu, minsu.tickets.showMany([d.tickets.delivery.id, d.tickets.refund.id]));
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(ids(r.result), [d.tickets.delivery.id]);
  });
});

describe('tickets: create_many and update_many with job statuses', () => {
  test('create_many queues a job; job_statuses reaches completed with one result per ticket', async () => {
    const admin = client('admin');
    const tag = uniq('bulk');
    const subjects = ['일괄 생성 하나', '일괄 생성 둘', 'Bulk create three'].map((s) => `${s} ${tag}`);
    const r = await call(admin, admin.tickets.createMany({
      tickets: subjects.map((subject) => ({ subject, comment: { body: `${subject} 본문` }, tags: [tag] })),
    }));
    assert.equal(r.status, 200, show(r));
    const job = r.body.job_status;
    assert.ok(job && job.id, show(r));
    assert.ok(['queued', 'working', 'completed'].includes(job.status), show(r));
    assert.match(job.url, new RegExp(`/api/v2/job_statuses/${job.id}\\.json$`));

    const done = await watchJob(admin, job);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.total, 3);
    assert.equal(done.progress, 3);
    assert.equal(done.results.length, 3, JSON.stringify(done));
    const newIds = done.results.map((x) => x.id);
    assert.deepEqual(done.results.map((x) => x.index), [0, 1, 2], JSON.stringify(done.results));
    const got = await call(admin, admin.tickets.showMany(newIds));
    assert.equal(got.status, 200, show(got));
    assert.deepEqual(got.result.map((t) => t.subject).sort(), [...subjects].sort());
    assert.ok(got.result.every((t) => t.tags.includes(tag)));
  });

  test('update_many?ids= applies one change to each ticket', async () => {
    const admin = client('admin');
    const d = await demo();
    const a = await newTicket(admin, { subject: '일괄 수정 A' });
    const b = await newTicket(admin, { subject: '일괄 수정 B' });
    const r = await call(admin, admin.tickets.updateMany([a.id, b.id], {
      ticket: { status: 'open', assignee_id: d.users.jiwon, additional_tags: ['일괄'] },
    }));
    assert.equal(r.status, 200, show(r));
    const done = await watchJob(admin, r.body.job_status);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.results.length, 2, JSON.stringify(done));
    for (const x of done.results) {
      assert.ok([a.id, b.id].includes(x.id), JSON.stringify(done.results));
      assert.equal(x.success, true, JSON.stringify(x));
    }
    const got = await call(admin, admin.tickets.showMany([a.id, b.id]));
    for (const t of got.result) {
      assert.equal(t.status, 'open');
      assert.equal(t.assignee_id, d.users.jiwon);
      assert.ok(t.tags.includes('일괄'), JSON.stringify(t.tags));
    }
  });

  test('update_many with a tickets array applies each ticket its own change', async () => {
    const admin = client('admin');
    const a = await newTicket(admin, { subject: '배치 A' });
    const b = await newTicket(admin, { subject: '배치 B' });
    const r = await call(admin, admin.tickets.put(['tickets', 'update_many'], {
      tickets: [{ id: a.id, priority: 'high' }, { id: b.id, subject: '배치 B — 새 제목' }],
    }));
    assert.equal(r.status, 200, show(r));
    const done = await watchJob(admin, r.body.job_status);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const ta = (await admin.tickets.show(a.id)).result;
    const tb = (await admin.tickets.show(b.id)).result;
    assert.equal(ta.priority, 'high');
    assert.equal(tb.subject, '배치 B — 새 제목');
  });

  test('a job whose tickets break the rules reports each failure in its results', async () => {
    const admin = client('admin');
    const ok = await newTicket(admin, { subject: '일괄 성공' });
    const r = await call(admin, admin.tickets.put(['tickets', 'update_many'], {
      tickets: [{ id: ok.id, priority: 'low' }, { id: 999999, priority: 'low' }],
    }));
    assert.equal(r.status, 200, show(r));
    const done = await watchJob(admin, r.body.job_status);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    const good = done.results.find((x) => x.id === ok.id);
    const bad = done.results.find((x) => x.id === 999999);
    assert.ok(good && good.success === true, JSON.stringify(done.results));
    assert.ok(bad && bad.success === false && bad.error, JSON.stringify(done.results));
  });
});

describe('tickets: comments', () => {
  test('comments list: authors, public flags, Korean bodies, html_body sanitized', async () => {
    const admin = client('admin');
    const enduser = client('enduser');
    const s = await env();
    const t = await newTicket(enduser, { subject: '댓글 테스트', comment: { body: '첫 문의입니다' } });
    assert.equal(t.requester_id, s.people.enduser.id);
    let r = await call(admin, admin.tickets.update(t.id, {
      ticket: { comment: { html_body: '<p>안녕하세요 <b>고객님</b><script>alert(1)</script></p>', public: true } },
    }));
    assert.equal(r.status, 200, show(r));
    r = await call(admin, admin.tickets.update(t.id, { ticket: { comment: { body: '비공개 메모', public: false } } }));
    assert.equal(r.status, 200, show(r));
    r = await call(enduser, enduser.tickets.update(t.id, { ticket: { comment: { body: '고객의 추가 답글' } } }));
    assert.equal(r.status, 200, show(r));

    const all = await admin.tickets.getComments(t.id);
    assert.equal(all.length, 4, JSON.stringify(all));
    assert.equal(all[0].author_id, s.people.enduser.id);
    assert.equal(all[0].body, '첫 문의입니다');
    assert.equal(all[1].author_id, 1);
    assert.ok(!/script|alert/i.test(all[1].html_body || ''), `html_body kept a script: ${all[1].html_body}`);
    assert.match(all[1].plain_body || all[1].body, /안녕하세요 고객님/);
    assert.equal(all[2].public, false);
    assert.equal(all[3].body, '고객의 추가 답글');
    assert.equal(all[3].author_id, s.people.enduser.id);
    for (const c of all) assert.equal(c.type, 'Comment');

    // the requester sees the public conversation only
    const mine = await enduser.tickets.getComments(t.id);
    assert.deepEqual(mine.map((c) => c.body).filter((b) => b === '비공개 메모'), []);
    assert.equal(mine.length, 3, JSON.stringify(mine.map((c) => c.body)));
  });
});

describe('tickets: HTML comments', () => {
  test('html_body keeps safe formatting and drops scripts and event handlers', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: 'HTML 댓글', comment: {
      html_body: '<p>안녕하세요 <b>고객님</b>, <a href="https://example.kr/주문" onclick="steal()">주문 내역</a>' +
        '<script>alert(1)</script><img src=x onerror="alert(2)"></p><ul><li>하나</li></ul>',
    } });
    const [c] = await admin.tickets.getComments(t.id);
    const html = c.html_body || '';
    assert.ok(!/<script|onerror|onclick|alert\(/i.test(html), `unsafe HTML kept: ${html}`);
    assert.match(html, /<(b|strong)>고객님<\/(b|strong)>/, `bold kept: ${html}`);
    assert.match(html, /<a [^>]*href="https:\/\/example\.kr\/[^"]*"[^>]*>주문 내역<\/a>/, `link kept: ${html}`);
    assert.match(html, /<li>하나<\/li>/, `list kept: ${html}`);
    assert.match(c.plain_body || c.body, /안녕하세요 고객님, 주문 내역/);
  });
});

describe('tickets: audits', () => {
  test('every change is one audit with its events: Create, then Change from → to', async () => {
    const admin = client('admin');
    const d = await demo();
    const t = await newTicket(admin, { subject: '감사 기록', priority: 'normal' });
    await admin.tickets.update(t.id, { ticket: { priority: 'urgent', group_id: d.groups.billing } });
    await admin.tickets.update(t.id, { ticket: { comment: { body: '두 번째 변경' }, status: 'hold', assignee_id: d.users.alex } });
    const audits = await admin.ticketaudits.list(t.id);
    assert.equal(audits.length, 3, JSON.stringify(audits));
    for (const a of audits) {
      assert.equal(a.ticket_id, t.id);
      assert.equal(a.author_id, 1);
      assert.ok(a.via && a.via.channel, JSON.stringify(a));
      assert.ok(Array.isArray(a.events) && a.events.length > 0);
    }
    const [create, change1, change2] = audits;
    assert.ok(create.events.some((e) => e.type === 'Create' && e.field_name === 'priority' && e.value === 'normal'),
      JSON.stringify(create.events));
    const pri = change1.events.find((e) => e.field_name === 'priority');
    assert.deepEqual({ type: pri.type, value: pri.value, previous_value: pri.previous_value },
      { type: 'Change', value: 'urgent', previous_value: 'normal' });
    const grp = change1.events.find((e) => e.field_name === 'group_id');
    assert.ok(grp, JSON.stringify(change1.events));
    assert.equal(String(grp.value), String(d.groups.billing));
    assert.ok(change2.events.some((e) => e.type === 'Comment'), JSON.stringify(change2.events));
    assert.ok(change2.events.some((e) => e.field_name === 'status' && e.value === 'hold' && e.previous_value === 'new'),
      JSON.stringify(change2.events));
  });
});

describe('tickets: merge', () => {
  test('merging closes the source, comments both, and the job status completes', async () => {
    const admin = client('admin');
    const target = await newTicket(admin, { subject: '병합 대상 ticket' });
    const source = await newTicket(admin, { subject: '병합될 ticket' });
    const r = await call(admin, admin.tickets.merge(target.id, {
      ids: [source.id],
      target_comment: `#${source.id} 티켓이 병합되었습니다`,
      source_comment: `#${target.id} 티켓으로 병합되었습니다`,
      source_comment_is_public: true,
      target_comment_is_public: false,
    }));
    assert.equal(r.status, 200, show(r));
    const job = r.body.job_status;
    assert.ok(job, show(r));
    // a Zendesk client follows the job status it was given
    const done = await watchJob(admin, job).catch((e) => e);

    const src = (await admin.tickets.show(source.id)).result;
    assert.equal(src.status, 'closed');
    const srcComments = await admin.tickets.getComments(source.id);
    assert.equal(srcComments.at(-1).body, `#${target.id} 티켓으로 병합되었습니다`);
    assert.equal(srcComments.at(-1).public, true);
    const tgtComments = await admin.tickets.getComments(target.id);
    assert.equal(tgtComments.at(-1).body, `#${source.id} 티켓이 병합되었습니다`);
    assert.equal(tgtComments.at(-1).public, false);
    const tgt = (await admin.tickets.show(target.id)).result;
    assert.notEqual(tgt.status, 'closed');
    assert.equal(done.status, 'completed', `GET /job_statuses/${job.id}: ${done.message || JSON.stringify(done)} ` +
      `${done.result ? JSON.stringify(done.result) : ''}`);
  });

  test('merging into a closed ticket or into itself is refused', async () => {
    const admin = client('admin');
    const a = await newTicket(admin, { subject: '자기 병합' });
    const self = await call(admin, admin.tickets.merge(a.id, { ids: [a.id] }));
    assert.ok(self.status >= 400 && self.status < 500, show(self));
    assert.ok(self.body && self.body.error, show(self));
    const unknown = await call(admin, admin.tickets.merge(a.id, { ids: [999999] }));
    assert.ok([404, 422].includes(unknown.status), show(unknown));
  });
});

describe('tickets: tags', () => {
  test('set (POST), add (PUT) and remove (DELETE) a ticket\'s tags', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: '태그 테스트', tags: ['처음'] });
    const set = await call(admin, admin.tickets.updateTags(t.id, { tags: ['배송', 'VIP'] }));
    assert.equal(set.status, 200, show(set));
    assert.deepEqual([...set.body.tags].sort(), ['vip', '배송'].sort());
    const add = await call(admin, admin.tickets.addTags(t.id, { tags: ['급함', 'vip'] }));
    assert.equal(add.status, 200, show(add));
    assert.deepEqual([...add.body.tags].sort(), ['vip', '급함', '배송'].sort());
    const del = await call(admin, admin.tickets.request('DELETE', ['tickets', t.id, 'tags'], { tags: ['vip'] }));
    assert.equal(del.status, 200, show(del));
    assert.deepEqual([...del.body.tags].sort(), ['급함', '배송'].sort());
    const got = await call(admin, admin.tickets.get(['tickets', t.id, 'tags']));
    assert.equal(got.status, 200, show(got));
    assert.deepEqual([...got.body.tags].sort(), ['급함', '배송'].sort());
    const tk = (await admin.tickets.show(t.id)).result;
    assert.deepEqual([...tk.tags].sort(), ['급함', '배송'].sort());
  });

  test('additional_tags and remove_tags on a ticket update', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: '태그 갱신', tags: ['a', 'b'] });
    const r = await call(admin, admin.tickets.update(t.id, { ticket: { additional_tags: ['c'], remove_tags: ['a'] } }));
    assert.equal(r.status, 200, show(r));
    assert.deepEqual([...r.result.tags].sort(), ['b', 'c']);
  });
});

describe('tickets: problems and incidents', () => {
  test('incidents of a problem are listed', async () => {
    const agent = client('agent');
    const problem = await newTicket(agent, { subject: '결제 시스템 장애 (problem)', type: 'problem' });
    const i1 = await newTicket(agent, { subject: '결제가 안 돼요', type: 'incident', problem_id: problem.id });
    const i2 = await newTicket(agent, { subject: 'Payment fails', type: 'incident', problem_id: problem.id });
    await newTicket(agent, { subject: '관계없는 티켓' });
    assert.equal(i1.problem_id, problem.id);
    const list = await agent.tickets.listIncidents(problem.id);
    assert.deepEqual(ids(list).sort((a, b) => a - b), [i1.id, i2.id].sort((a, b) => a - b));
  });

  test('a problem with incidents says has_incidents: true', async () => {
    const agent = client('agent');
    const problem = await newTicket(agent, { subject: '문제 티켓 has_incidents', type: 'problem' });
    assert.equal(problem.has_incidents, false);
    await newTicket(agent, { subject: '사건 티켓', type: 'incident', problem_id: problem.id });
    const p = (await agent.tickets.show(problem.id)).result;
    assert.equal(p.has_incidents, true);
  });

  test('solving a problem solves its incidents', async () => {
    const agent = client('agent');
    const s = await env();
    const problem = await newTicket(agent, { subject: '로그인 장애 (problem)', type: 'problem' });
    const i1 = await newTicket(agent, { subject: '로그인이 안 돼요', type: 'incident', problem_id: problem.id });
    const i2 = await newTicket(agent, { subject: 'Cannot log in', type: 'incident', problem_id: problem.id });
    const r = await call(agent, agent.tickets.update(problem.id, {
      ticket: { status: 'solved', comment: { body: '장애가 해결되었습니다' } },
    }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.assignee_id, s.people.agent.id, 'an agent solving an unassigned ticket is assigned');
    for (const id of [i1.id, i2.id]) {
      const inc = (await agent.tickets.show(id)).result;
      assert.equal(inc.status, 'solved', `incident ${id} is ${inc.status}`);
    }
  });

  test('problem_id is only for incidents', async () => {
    const admin = client('admin');
    const problem = await newTicket(admin, { subject: '문제 티켓', type: 'problem' });
    const r = await call(admin, admin.tickets.create({
      ticket: { subject: '질문', type: 'question', problem_id: problem.id, comment: { body: 'x' } },
    }));
    assert.equal(r.status, 422, show(r));
    assert.equal(r.body.error, 'RecordInvalid');
  });
});

describe('tickets: status rules', () => {
  test('solved → closed; a closed ticket cannot change (422)', async () => {
    const admin = client('admin');
    const d = await demo();
    const t = await newTicket(admin, { subject: '닫힘 규칙', assignee_id: d.users.jiwon });
    let r = await call(admin, admin.tickets.update(t.id, { ticket: { status: 'solved' } }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.status, 'solved');
    assert.ok(r.result.solved_at, 'solved_at is set');
    r = await call(admin, admin.tickets.update(t.id, { ticket: { status: 'closed' } }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.status, 'closed');
    for (const change of [{ status: 'open' }, { subject: '닫힌 뒤 변경' }, { comment: { body: '닫힌 티켓에 댓글' } }]) {
      r = await call(admin, admin.tickets.update(t.id, { ticket: change }));
      assert.equal(r.status, 422, `${JSON.stringify(change)}: ${show(r)}`);
      assert.equal(r.body.error, 'RecordInvalid');
      assert.ok(r.body.details && typeof r.body.details === 'object', show(r));
    }
    const after = (await admin.tickets.show(t.id)).result;
    assert.equal(after.status, 'closed');
    assert.equal(after.subject, '닫힘 규칙');
  });

  test('a ticket cannot go back to new', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: 'new 로 못 돌아감', status: 'open' });
    const r = await call(admin, admin.tickets.update(t.id, { ticket: { status: 'new' } }));
    assert.equal(r.status, 422, show(r));
    assert.equal(r.body.error, 'RecordInvalid');
    assert.equal((await admin.tickets.show(t.id)).result.status, 'open');
  });

  test('only solved tickets can be closed', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: '바로 닫기', status: 'open' });
    const r = await call(admin, admin.tickets.update(t.id, { ticket: { status: 'closed' } }));
    assert.equal(r.status, 422, show(r));
  });

  test('solving needs an assignee: an end-user cannot solve an unassigned ticket', async () => {
    const enduser = client('enduser');
    const admin = client('admin');
    const t = await newTicket(enduser, { subject: '해결 요청 (담당자 없음)' });
    const r = await call(enduser, enduser.tickets.update(t.id, { ticket: { status: 'solved' } }));
    assert.equal(r.status, 422, show(r));
    assert.equal(r.body.error, 'RecordInvalid');
    assert.ok(r.body.details && (r.body.details.assignee || r.body.details.assignee_id || r.body.details.status), show(r));
    assert.equal((await admin.tickets.show(t.id)).result.status, 'new');
  });

  test('unknown status values are refused', async () => {
    const admin = client('admin');
    const t = await newTicket(admin, { subject: '이상한 상태' });
    const r = await call(admin, admin.tickets.update(t.id, { ticket: { status: 'archived' } }));
    assert.equal(r.status, 422, show(r));
    assert.ok(r.body.details.status, show(r));
  });

  test('due_at is for tasks', async () => {
    const admin = client('admin');
    const due = new Date(Date.now() + 7 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    const task = await newTicket(admin, { subject: '할 일', type: 'task', due_at: due });
    assert.equal(task.due_at, due);
    const r = await call(admin, admin.tickets.create({ ticket: { subject: '질문', type: 'question', due_at: due, comment: { body: 'x' } } }));
    assert.equal(r.status, 422, show(r));
  });
});

describe('tickets: collaborators and followers', () => {
  test('collaborator_ids / email_cc_ids and follower_ids round-trip', async () => {
    const admin = client('admin');
    const d = await demo();
    const t = await newTicket(admin, { subject: '참조 테스트', collaborator_ids: [d.users.jane], follower_ids: [d.users.jiwon] });
    assert.deepEqual(t.collaborator_ids, [d.users.jane]);
    assert.deepEqual(t.email_cc_ids, [d.users.jane]);
    assert.deepEqual(t.follower_ids, [d.users.jiwon]);
  });

  test('email_cc_ids and follower_ids set by an update stay set (the workspace\'s pickers)', async () => {
    const admin = client('admin');
    const d = await demo();
    const t = await newTicket(admin, { subject: '참조 변경 테스트' });
    for (const [key, ids] of [['email_cc_ids', [d.users.jane]], ['follower_ids', [d.users.jiwon]], ['email_cc_ids', []]]) {
      const r = await call(admin, admin.tickets.update(t.id, { ticket: { [key]: ids } }));
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(r.result[key], ids, `${key} in the PUT's answer`);
      const g = await call(admin, admin.tickets.show(t.id));
      assert.deepEqual(g.result[key], ids, `${key} read back`);
    }
  });
});
