// fixtures.mjs - facts about the demo workspace and small helpers the test
// files share: finding the demo tickets and people, counting tickets,
// making a ticket, waiting for a job.
import assert from 'node:assert/strict';
import { env, client, call, show, sleep } from './harness.mjs';

let demoPromise = null;
let seq = 0;

// A word unique to this process and call, for subjects and names.
export function uniq(prefix = 't') {
  seq += 1;
  return `${prefix}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${seq}`;
}

// The demo tickets by subject and the people and groups they point at, read
// through the API (so the ids never have to be guessed).
export function demo() {
  if (!demoPromise) {
    demoPromise = (async () => {
      const s = await env();
      const admin = client('admin');
      const tickets = await admin.tickets.list();
      const by = (subject) => {
        const t = tickets.find((x) => x.subject === subject);
        assert.ok(t, `demo ticket '${subject}' is missing from GET /tickets`);
        return t;
      };
      const delivery = by('배송 지연 문의');
      const refund = by('Refund for a double charge');
      const password = by('비밀번호 재설정이 안 돼요');
      const invoices = by('How do I export my invoices?');
      const refundKo = by('환불 요청합니다');
      return {
        tickets: { delivery, refund, password, invoices, refundKo },
        users: {
          admin: 1,
          jiwon: delivery.assignee_id,
          alex: invoices.assignee_id,
          minsu: delivery.requester_id,
          jane: refund.requester_id,
          seoyeon: password.requester_id,
          agent: s.people.agent.id,
          agent2: s.people.agent2.id,
          enduser: s.people.enduser.id,
          enduser2: s.people.enduser2.id,
          admin2: s.people.admin2.id,
          limited: s.people.limited.id,
        },
        groups: { support: delivery.group_id, billing: refund.group_id },
        orgs: { hanbit: delivery.organization_id, acme: refund.organization_id },
      };
    })();
  }
  return demoPromise;
}

// All tickets an admin sees, walking node-zendesk's cursor pagination.
export async function allTickets() {
  const admin = client('admin');
  return admin.tickets.list();
}

export async function ticketCount() {
  return (await allTickets()).length;
}

// Create a ticket as who (a client) and return the ticket; fails the test
// unless the answer is 201.
export async function newTicket(c, fields = {}) {
  const body = {
    ticket: {
      subject: fields.subject ?? `테스트 티켓 ${uniq()}`,
      comment: fields.comment ?? { body: fields.body ?? '본문입니다. This is the body.' },
      ...fields,
    },
  };
  delete body.ticket.body;
  const r = await call(c, c.tickets.create(body));
  assert.equal(r.status, 201, `create ticket: ${show(r)}`);
  return r.result;
}

// Wait for a job status to end (completed, failed or killed) with
// node-zendesk's own job watcher; give up after ms.
export async function watchJob(c, jobStatus, ms = 30_000) {
  assert.ok(jobStatus && jobStatus.id, `no job_status id in ${JSON.stringify(jobStatus)}`);
  const watcher = c.jobstatuses.watch(jobStatus.id, 100, 5);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`job ${jobStatus.id} did not finish in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([watcher, timeout]);
  } catch (e) {
    // say where the job was when we gave up
    const now = await call(c, c.jobstatuses.show(jobStatus.id)).catch(() => null);
    if (now) e.message += `; GET /job_statuses/${jobStatus.id}: ${show(now)}`;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

export function ids(list) {
  return list.map((x) => x.id);
}

export { sleep };
