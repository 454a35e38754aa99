// zz-durability.test.mjs - a 2xx means committed: kill -9 the server right
// after it answers, start it again on the same database, and the change is
// there; a job interrupted by the crash still completes, and makes each
// ticket once.  Last, SIGTERM
// stops the server gracefully (exit status 0, which under AddressSanitizer
// also means no leaks).  This file runs last in all.mjs: it ends the server.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { env, client, call, show } from './lib/harness.mjs';
import { newTicket, uniq, watchJob } from './lib/fixtures.mjs';

await env();

describe('durability and shutdown', () => {
  test('kill -9 right after a 201 and a 200: the ticket and its update survive', async () => {
    const s = await env();
    const admin = client('admin');
    const subject = `kill -9 이후에도 남아 있는 티켓 ${uniq()}`;
    const t = await newTicket(admin, { subject, comment: { body: '내구성 시험' } });
    const up = await call(admin, admin.tickets.update(t.id, { ticket: { status: 'pending', comment: { body: '죽기 직전의 댓글' } } }));
    assert.equal(up.status, 200, show(up));
    const exit = await s.server.kill9();
    assert.equal(exit.signal, 'SIGKILL');
    await s.server.start();
    const again = await call(admin, admin.tickets.show(t.id));
    assert.equal(again.status, 200, `${show(again)}\n${s.server.tail()}`);
    assert.equal(again.result.subject, subject);
    assert.equal(again.result.status, 'pending');
    const comments = await admin.tickets.getComments(t.id);
    assert.deepEqual(comments.map((c) => c.body), ['내구성 시험', '죽기 직전의 댓글']);
  });

  test('kill -9 while a create_many job runs: after the restart the job completes, each ticket once', async (t) => {
    const s = await env();
    const admin = client('admin');
    const tag = uniq('crash');
    const n = 100;
    const r = await call(admin, admin.tickets.createMany({
      tickets: Array.from({ length: n }, (_, i) => ({ subject: `충돌 중 작업 ${i} ${tag}`, comment: { body: `본문 ${i}` }, tags: [tag] })),
    }));
    assert.equal(r.status, 200, show(r));
    const job = r.body.job_status;
    // wait until a worker has the job, then crash in the middle of it
    let st = job.status;
    for (let i = 0; i < 500 && st !== 'working' && st !== 'completed'; i++) {
      await new Promise((res) => setTimeout(res, 10));
      st = (await call(admin, admin.jobstatuses.show(job.id))).body.job_status.status;
    }
    if (st === 'completed') {
      t.skip(`the job finished before it could be interrupted (${n} tickets)`);
      return;
    }
    assert.equal(st, 'working', 'the job was picked up');
    await s.server.kill9();
    await s.server.start();
    const done = await watchJob(admin, job, 20_000);
    assert.equal(done.status, 'completed', JSON.stringify(done).slice(0, 300));
    const found = (await admin.tickets.list()).filter((x) => x.tags.includes(tag));
    const subjects = found.map((x) => x.subject);
    assert.equal(new Set(subjects).size, subjects.length, 'no ticket made twice');
    assert.equal(found.length, n, `tickets made by the job: ${found.length}`);
  });

  test('SIGTERM: graceful shutdown with exit status 0', async () => {
    const s = await env();
    const admin = client('admin');
    // one last write, then stop while nothing else runs
    const t = await newTicket(admin, { subject: '종료 직전 티켓' });
    const exit = await s.server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `sonnim serve did not exit cleanly\n${s.server.tail(80)}`);
    const log = fs.readFileSync(s.server.log, 'utf8');
    assert.doesNotMatch(log, /ERROR: AddressSanitizer|runtime error:|LeakSanitizer/, 'sanitizer reports in the server log');
    assert.ok(t.id > 0);
  });
});
