// rules.test.mjs - triggers and automations through the API: CRUD with
// Zendesk's shapes and 422 on rules outside the allow-list, a trigger that
// acts on create and queues a mail.notify job, a trigger loop that stops,
// the shipped automations (close 96 h after solved - once; ask for
// satisfaction 24 h after solved - once), run on a virtual clock through
// the operations endpoint POST /sonnim/automations/run.
// Plain fetch (rawFetch) throughout: the run endpoint, the jobs list and
// the last-run fields are Sonnim's, and the 422 bodies are checked raw.
import test from 'node:test';
import assert from 'node:assert/strict';
import { env, client, rawFetch, sleep } from './lib/harness.mjs';
import { newTicket, uniq } from './lib/fixtures.mjs';

await env();
const admin = client('admin');

const api = (path, method = 'GET', body) =>
  rawFetch(`/api/v2${path}.json`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const ticket = async (id) => (await api(`/tickets/${id}`)).body.ticket;
const audits = async (id) => (await api(`/tickets/${id}/audits`)).body.audits;

test('trigger CRUD, validation, reorder and active', async () => {
  const bad = await api('/triggers', 'POST', {
    trigger: { title: 'bad', conditions: { all: [{ field: 'colour', operator: 'is', value: 'red' }] },
      actions: [{ field: 'status', value: 'open' }] },
  });
  assert.equal(bad.status, 422, bad.text);
  assert.equal(bad.body.error, 'RecordInvalid');
  assert.match(bad.text, /not a condition field/);
  const noAct = await api('/triggers', 'POST', { trigger: { title: 'x', actions: [{ field: 'delete', value: 1 }] } });
  assert.equal(noAct.status, 422);

  const mk = async (title, active = true) => {
    const r = await api('/triggers', 'POST', {
      trigger: { title, active, conditions: { all: [{ field: 'subject', operator: 'includes_string', value: `never-${uniq()}` }] },
        actions: [{ field: 'priority', value: 'low' }] },
    });
    assert.equal(r.status, 201, r.text);
    return r.body.trigger;
  };
  const a = await mk('A'), b = await mk('B'), c = await mk('C', false);
  assert.ok(b.position > a.position);
  assert.deepEqual(a.conditions.any, []);
  assert.equal(a.last_run_at, null);
  const active = await api('/triggers/active');
  assert.ok(!active.body.triggers.some((t) => t.id === c.id));
  const ro = await api('/triggers/reorder', 'PUT', { trigger_ids: [c.id, b.id, a.id] });
  assert.equal(ro.status, 200, ro.text);
  const order = ro.body.triggers.filter((t) => [a.id, b.id, c.id].includes(t.id)).map((t) => t.id);
  assert.deepEqual(order, [c.id, b.id, a.id]);
  const up = await api(`/triggers/${a.id}`, 'PUT', { trigger: { title: 'A2', active: false } });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.body.trigger.title, 'A2');
  assert.equal(up.body.trigger.actions[0].field, 'priority');
  const badUp = await api(`/triggers/${a.id}`, 'PUT', { trigger: { actions: [{ field: 'status', value: 'new' }] } });
  assert.equal(badUp.status, 422);
  for (const t of [a, b, c]) assert.equal((await api(`/triggers/${t.id}`, 'DELETE')).status, 204);
  assert.equal((await api(`/triggers/${a.id}`)).status, 404);
});

test('a trigger acts on create and queues the notification', async () => {
  const word = `trig${uniq()}`;
  const r = await api('/triggers', 'POST', {
    trigger: {
      title: 'urgent refunds',
      conditions: {
        all: [{ field: 'update_type', operator: 'is', value: 'Create' },
          { field: 'subject', operator: 'includes_string', value: word }],
        any: [],
      },
      actions: [
        { field: 'priority', value: 'urgent' },
        { field: 'current_tags', value: 'refund_rush' },
        { field: 'comment_value', value: 'Auto: we got it' },
        { field: 'comment_mode_is_public', value: 'false' },
        { field: 'notification_user', value: ['requester_id', 'Got it', 'We are on it'] },
      ],
    },
  });
  assert.equal(r.status, 201, r.text);
  const trig = r.body.trigger;
  const t = await newTicket(admin, { subject: `Refund ${word}` });
  const done = await until('the trigger', async () => {
    const x = await ticket(t.id);
    return x.priority === 'urgent' ? x : null;
  });
  assert.ok(done.tags.includes('refund_rush'));
  const au = await audits(t.id);
  const ruleAudit = au.find((a) => a.via.channel === 'rule');
  assert.ok(ruleAudit, JSON.stringify(au.map((a) => a.via)));
  assert.ok(ruleAudit.events.some((e) => e.type === 'Comment' && e.public === false));
  const jobs = (await api('/sonnim/jobs')).body.jobs;
  const mail = jobs.find((j) => j.kind === 'mail.notify' && j.payload?.ticket_id === t.id);
  assert.ok(mail, 'a mail.notify job');
  assert.equal(mail.payload.recipient, 'requester');
  assert.equal(mail.payload.subject, 'Got it');
  assert.equal(mail.payload.body, 'We are on it');
  assert.ok(mail.payload.actor_id > 0);
  const shown = (await api(`/triggers/${trig.id}`)).body.trigger;
  assert.equal(shown.last_ticket_id, t.id);
  assert.ok(shown.last_run_at);
  assert.equal(shown.run_count, 1);
  // an update that is not a create does not fire it again
  await api(`/tickets/${t.id}`, 'PUT', { ticket: { comment: { body: 'more', public: true } } });
  await sleep(500);
  assert.equal((await api(`/triggers/${trig.id}`)).body.trigger.run_count, 1);
  await api(`/triggers/${trig.id}`, 'DELETE');
});

test('two triggers flipping a tag stop', async () => {
  const word = `loop${uniq()}`;
  const flip = (from, to) => api('/triggers', 'POST', {
    trigger: {
      title: `flip ${from}`,
      conditions: { all: [{ field: 'subject', operator: 'includes_string', value: word },
        { field: 'current_tags', operator: 'includes', value: from }] },
      actions: [{ field: 'remove_tags', value: from }, { field: 'current_tags', value: to },
        { field: 'priority', value: 'high' }],
    },
  });
  const a = (await flip('flip_a', 'flip_b')).body.trigger, b = (await flip('flip_b', 'flip_a')).body.trigger;
  const t = await newTicket(admin, { subject: `Loop ${word}`, tags: ['flip_a'] });
  await until('the triggers', async () => (await ticket(t.id)).priority === 'high');
  await sleep(1500); // a runaway loop would keep adding audits
  const au = await audits(t.id);
  assert.equal(au.length, 2, JSON.stringify(au.map((x) => x.via)));
  const x = await ticket(t.id);
  assert.ok(x.tags.includes('flip_a') && !x.tags.includes('flip_b'), x.tags.join(' '));
  for (const r of [a, b]) {
    assert.equal((await api(`/triggers/${r.id}`)).body.trigger.run_count, 1);
    await api(`/triggers/${r.id}`, 'DELETE');
  }
});

test('automations: validation and the shipped defaults on a virtual clock', async () => {
  const list = (await api('/automations')).body.automations;
  assert.equal(list.length, 3, JSON.stringify(list.map((a) => a.title)));
  assert.ok(list.every((a) => a.active));
  const noNull = await api('/automations', 'POST', {
    automation: { title: 'x', conditions: { all: [{ field: 'hours_since_solved', operator: 'greater_than', value: 1 }] },
      actions: [{ field: 'priority', value: 'low' }] },
  });
  assert.equal(noNull.status, 422);
  assert.match(noNull.text, /nullif/);
  const noTime = await api('/automations', 'POST', {
    automation: { title: 'x', conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }] },
      actions: [{ field: 'status', value: 'pending' }] },
  });
  assert.equal(noTime.status, 422);

  // The suite shares one server: the pass below must touch only this
  // test's ticket.  So the shipped automations are paused and run as
  // copies with one more condition (a tag only this ticket has).
  const scope = `auto_${uniq()}`.toLowerCase();
  const copies = [];
  for (const d of list) {
    await api(`/automations/${d.id}`, 'PUT', { automation: { active: false } });
    const c = await api('/automations', 'POST', {
      automation: { title: `${d.title} (${scope})`, actions: d.actions,
        conditions: { all: [...d.conditions.all, { field: 'current_tags', operator: 'includes', value: scope }], any: [] } },
    });
    assert.equal(c.status, 201, c.text);
    copies.push(c.body.automation);
  }
  const solve = async () => {
    const t = await newTicket(admin, { subject: `auto ${uniq()}`, tags: [scope] });
    const r = await api(`/tickets/${t.id}`, 'PUT', { ticket: { status: 'solved', comment: { body: 'done', public: true } } });
    assert.equal(r.status, 200, r.text);
    return r.body.ticket;
  };
  const a = await solve();
  const base = Date.parse(a.updated_at) / 1000;
  const run = async (hours) => {
    const r = await api('/sonnim/automations/run', 'POST', { now: base + hours * 3600 });
    assert.equal(r.status, 200, r.text);
    return r.body.automation_run;
  };
  // 25 h: satisfaction asked once (tag + mail.notify), not closed
  let s = await run(25);
  assert.ok(s.updated >= 1);
  let x = await ticket(a.id);
  assert.equal(x.status, 'solved');
  assert.ok(x.tags.includes('csat_requested'));
  const asks = async () => (await api('/sonnim/jobs')).body.jobs
    .filter((j) => j.kind === 'mail.notify' && j.payload?.ticket_id === a.id).length;
  assert.equal(await asks(), 1);
  await run(26);
  assert.equal(await asks(), 1, 'asked only once');
  // 95 h: still solved; 97 h: closed
  await run(95);
  assert.equal((await ticket(a.id)).status, 'solved');
  s = await run(97);
  assert.ok(s.updated >= 1);
  x = await ticket(a.id);
  assert.equal(x.status, 'closed');
  const n = (await audits(a.id)).length;
  s = await run(98);
  assert.equal((await audits(a.id)).length, n, 'closed only once');
  assert.equal((await ticket(a.id)).status, 'closed');
  const closer = (await api('/automations')).body.automations.find((r) => r.id === copies[0].id);
  assert.equal(closer.last_ticket_id, a.id);
  assert.ok(closer.run_count >= 1);
  const bad = await api('/sonnim/automations/run', 'POST', { now: 'soon' });
  assert.equal(bad.status, 422);
  for (const c of copies) await api(`/automations/${c.id}`, 'DELETE');
  for (const d of list) await api(`/automations/${d.id}`, 'PUT', { automation: { active: true } });
});
