// sla.test.mjs - business hours (schedules, workweek, holidays, group
// schedules) and SLA policies through the API, in Zendesk's shapes.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show } from './lib/harness.mjs';
import { demo, uniq } from './lib/fixtures.mjs';

await env();

// node-zendesk has no business-hours client: its generic request() speaks
// the same auth and error handling
function req(c, method, path, body) {
  const segs = path.split('/').filter(Boolean);
  return call(c, body ? c.tickets.request(method, segs, body) : c.tickets.request(method, segs));
}

const WEEKDAYS = [1, 2, 3, 4, 5].map((d) => ({ start_time: d * 1440 + 540, end_time: d * 1440 + 1080 }));

describe('business hours', () => {
  test('schedule CRUD, workweek, holidays; agents read, admins write', async () => {
    const admin = client('admin');
    const agent = client('agent');
    let r = await req(admin, 'POST', 'business_hours/schedules', { schedule: { name: `서울 ${uniq()}`, time_zone: 'Asia/Seoul', intervals: WEEKDAYS } });
    assert.equal(r.status, 201, show(r));
    const s = r.body.schedule;
    assert.equal(s.time_zone, 'Asia/Seoul');
    assert.deepEqual(s.intervals, WEEKDAYS);
    assert.ok(s.created_at);
    r = await req(agent, 'GET', `business_hours/schedules/${s.id}`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.schedule.name, s.name);
    r = await req(agent, 'GET', 'business_hours/schedules');
    assert.equal(r.status, 200, show(r));
    assert.ok(r.body.schedules.some((x) => x.id === s.id));
    assert.equal(r.body.schedules.filter((x) => x.is_default).length, 1, 'exactly one default');
    r = await req(agent, 'PUT', `business_hours/schedules/${s.id}`, { schedule: { name: 'x' } });
    assert.equal(r.status, 403, show(r));

    // the workweek: an overnight shift Monday 22:00 - Tuesday 02:00
    const night = [{ start_time: 1440 + 1320, end_time: 2 * 1440 + 120 }];
    r = await req(admin, 'PUT', `business_hours/schedules/${s.id}/workweek`, { workweek: { intervals: night } });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.workweek.intervals, night);
    r = await req(admin, 'PUT', `business_hours/schedules/${s.id}/workweek`, { workweek: { intervals: [{ start_time: 600, end_time: 500 }] } });
    assert.equal(r.status, 422, show(r));
    assert.equal(r.body.error, 'RecordInvalid');

    // holidays
    r = await req(admin, 'POST', `business_hours/schedules/${s.id}/holidays`, { holiday: { name: '추석', start_date: '2026-09-24', end_date: '2026-09-26' } });
    assert.equal(r.status, 201, show(r));
    const h = r.body.holiday;
    assert.deepEqual({ name: h.name, start_date: h.start_date, end_date: h.end_date }, { name: '추석', start_date: '2026-09-24', end_date: '2026-09-26' });
    r = await req(admin, 'PUT', `business_hours/schedules/${s.id}/holidays/${h.id}`, { holiday: { end_date: '2026-09-25' } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.holiday.end_date, '2026-09-25');
    r = await req(admin, 'PUT', `business_hours/schedules/${s.id}/holidays/${h.id}`, { holiday: { end_date: '2026-09-01' } });
    assert.equal(r.status, 422, show(r));
    r = await req(admin, 'POST', `business_hours/schedules/${s.id}/holidays`, { holiday: { name: 'x', start_date: '2026-02-30', end_date: '2026-03-01' } });
    assert.equal(r.status, 422, show(r));
    r = await req(agent, 'GET', `business_hours/schedules/${s.id}/holidays`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.holidays.map((x) => x.id), [h.id]);
    r = await req(agent, 'GET', `business_hours/schedules/${s.id}/holidays/${h.id}`);
    assert.equal(r.status, 200, show(r));
    r = await req(admin, 'DELETE', `business_hours/schedules/${s.id}/holidays/${h.id}`);
    assert.equal(r.status, 204, show(r));
    r = await req(admin, 'GET', `business_hours/schedules/${s.id}/holidays/${h.id}`);
    assert.equal(r.status, 404, show(r));

    r = await req(admin, 'DELETE', `business_hours/schedules/${s.id}`);
    assert.equal(r.status, 204, show(r));
    r = await req(admin, 'GET', `business_hours/schedules/${s.id}`);
    assert.equal(r.status, 404, show(r));
  });

  test('validation: IANA zones only, intervals in range, required fields', async () => {
    const admin = client('admin');
    for (const bad of [
      { name: 'x', time_zone: 'Asia/Seol' },
      { name: 'x', time_zone: 'Eastern Time (US & Canada)' },
      { name: 'x' },
      { time_zone: 'Asia/Seoul' },
      { name: 'x', time_zone: 'Asia/Seoul', intervals: [{ start_time: -1, end_time: 60 }] },
      { name: 'x', time_zone: 'Asia/Seoul', intervals: [{ start_time: 0, end_time: 20161 }] },
      { name: 'x', time_zone: 'Asia/Seoul', intervals: 'weekdays' },
    ]) {
      const r = await req(admin, 'POST', 'business_hours/schedules', { schedule: bad });
      assert.equal(r.status, 422, `${JSON.stringify(bad)}: ${show(r)}`);
      assert.equal(r.body.error, 'RecordInvalid');
    }
  });

  test('a group uses one schedule; is_default moves', async () => {
    const admin = client('admin');
    const d = await demo();
    let r = await req(admin, 'POST', 'business_hours/schedules', { schedule: { name: `NY ${uniq()}`, time_zone: 'America/New_York', intervals: WEEKDAYS, group_ids: [d.groups.support] } });
    assert.equal(r.status, 201, show(r));
    const ny = r.body.schedule;
    assert.deepEqual(ny.group_ids, [d.groups.support]);
    r = await req(admin, 'POST', 'business_hours/schedules', { schedule: { name: `KR ${uniq()}`, time_zone: 'Asia/Seoul', group_ids: [d.groups.support], is_default: true } });
    assert.equal(r.status, 201, show(r));
    const kr = r.body.schedule;
    assert.equal(kr.is_default, true);
    r = await req(admin, 'GET', `business_hours/schedules/${ny.id}`);
    assert.deepEqual(r.body.schedule.group_ids, [], 'the group moved to the other schedule');
    r = await req(admin, 'GET', 'business_hours/schedules');
    assert.deepEqual(r.body.schedules.filter((x) => x.is_default).map((x) => x.id), [kr.id]);
    r = await req(admin, 'PUT', `business_hours/schedules/${ny.id}`, { schedule: { group_ids: [999999] } });
    assert.equal(r.status, 422, show(r));
    for (const s of [kr, ny]) {
      r = await req(admin, 'DELETE', `business_hours/schedules/${s.id}`);
      assert.equal(r.status, 204, show(r));
    }
  });
});

describe('SLA policies', () => {
  test('CRUD and reorder in Zendesk\'s shape; admins only', async () => {
    const admin = client('admin');
    const agent = client('agent');
    const metrics = [{ priority: 'high', metric: 'first_reply_time', target: 60, business_hours: false }];
    let r = await req(admin, 'POST', 'slas/policies', { sla_policy: { title: `VIP ${uniq()}`, description: 'VIP 고객', filter: { all: [{ field: 'current_tags', operator: 'includes', value: 'vip' }], any: [] }, policy_metrics: metrics } });
    assert.equal(r.status, 201, show(r));
    const a = r.body.sla_policy;
    assert.equal(a.description, 'VIP 고객');
    assert.deepEqual(a.filter, { all: [{ field: 'current_tags', operator: 'includes', value: 'vip' }], any: [] });
    assert.deepEqual(a.policy_metrics, metrics);
    assert.ok(a.position >= 1);
    assert.match(a.url, new RegExp(`/api/v2/slas/policies/${a.id}\\.json$`));
    r = await req(admin, 'POST', 'slas/policies', { sla_policy: { title: `All ${uniq()}` } });
    assert.equal(r.status, 201, show(r));
    const b = r.body.sla_policy;
    assert.deepEqual(b.filter, { all: [], any: [] });
    assert.ok(b.position > a.position, 'a new policy goes last');
    r = await req(agent, 'GET', 'slas/policies');
    assert.equal(r.status, 403, show(r));
    r = await req(admin, 'GET', 'slas/policies');
    assert.equal(r.status, 200, show(r));
    const ids = r.body.sla_policies.map((p) => p.id);
    assert.ok(ids.indexOf(a.id) < ids.indexOf(b.id));
    // reorder: b first
    const order = [b.id, ...ids.filter((id) => id !== b.id)];
    r = await req(admin, 'PUT', 'slas/policies/reorder', { sla_policy_ids: order });
    assert.equal(r.status, 200, show(r));
    r = await req(admin, 'GET', 'slas/policies');
    assert.deepEqual(r.body.sla_policies.map((p) => p.id), order);
    r = await req(admin, 'PUT', 'slas/policies/reorder', { sla_policy_ids: [b.id] });
    assert.equal(ids.length > 1 ? r.status : 422, 422, show(r));
    // update, validation, delete
    r = await req(admin, 'PUT', `slas/policies/${a.id}`, { sla_policy: { title: 'VIP 2', policy_metrics: [] } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.sla_policy.title, 'VIP 2');
    assert.deepEqual(r.body.sla_policy.policy_metrics, []);
    for (const bad of [
      { title: '' },
      { title: 'x', filter: { all: [{ field: 'colour', operator: 'is', value: 'red' }] } },
      { title: 'x', policy_metrics: [{ priority: 'high', metric: 'resolution_time', target: 60, business_hours: false }] },
      { title: 'x', policy_metrics: [{ priority: 'high', metric: 'first_reply_time', target: -5, business_hours: false }] },
      { title: 'x', position: 0 },
    ]) {
      r = await req(admin, 'POST', 'slas/policies', { sla_policy: bad });
      assert.equal(r.status, 422, `${JSON.stringify(bad)}: ${show(r)}`);
      assert.equal(r.body.error, 'RecordInvalid');
    }
    for (const p of [a, b]) {
      r = await req(admin, 'DELETE', `slas/policies/${p.id}`);
      assert.equal(r.status, 204, show(r));
    }
    r = await req(admin, 'GET', `slas/policies/${a.id}`);
    assert.equal(r.status, 404, show(r));
  });

  test('a ticket gets the first matching policy\'s targets: include=slas, first reply achieved by a public agent comment', async () => {
    const admin = client('admin');
    const tag = `sla_${uniq()}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
    let r = await req(admin, 'POST', 'slas/policies', { sla_policy: {
      title: `Tagged ${tag}`, position: 1,
      filter: { all: [{ field: 'current_tags', operator: 'includes', value: tag }, { field: 'priority', operator: 'greater_than', value: 'normal' }] },
      policy_metrics: [
        { priority: 'high', metric: 'first_reply_time', target: 60, business_hours: false },
        { priority: 'high', metric: 'requester_wait_time', target: 1440, business_hours: false },
        { priority: 'urgent', metric: 'first_reply_time', target: 15, business_hours: false },
      ] } });
    assert.equal(r.status, 201, show(r));
    const policy = r.body.sla_policy;
    const enduser = client('enduser');
    r = await call(enduser, enduser.tickets.create({ ticket: { subject: 'SLA 시계', comment: { body: '답변 기다립니다' } } }));
    assert.equal(r.status, 201, show(r));
    const t = r.result;
    r = await call(admin, admin.tickets.update(t.id, { ticket: { priority: 'high', tags: [tag] } }));
    assert.equal(r.status, 200, show(r));
    const slas = async (want) => {
      for (let i = 0; i < 100; i++) {
        const x = await req(admin, 'GET', `tickets/${t.id}`.concat('?include=slas'));
        assert.equal(x.status, 200, show(x));
        const pm = x.body.ticket.slas && x.body.ticket.slas.policy_metrics;
        if (pm && want(pm)) return pm;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.fail('the SLA clock did not catch up');
    };
    let pm = await slas((m) => m.length === 2);
    const frt = pm.find((m) => m.metric === 'first_reply_time');
    assert.equal(frt.stage, 'active');
    const created = Date.parse(t.created_at);
    assert.equal(Date.parse(frt.breach_at), created + 3600_000, 'calendar hour from creation');
    // time to the breach in the largest whole unit: 1 hour, or 5x minutes a moment later
    assert.ok(frt.hours === 1 || (frt.minutes > 50 && frt.minutes < 60), JSON.stringify(frt));
    const rwt = pm.find((m) => m.metric === 'requester_wait_time');
    assert.ok(rwt.days === 1 || rwt.hours === 23, JSON.stringify(rwt));
    // a new target reaches the running clock (the sla.recompute job)
    r = await req(admin, 'PUT', `slas/policies/${policy.id}`, { sla_policy: { policy_metrics: [
      { priority: 'high', metric: 'first_reply_time', target: 120, business_hours: false },
      { priority: 'urgent', metric: 'first_reply_time', target: 15, business_hours: false },
    ] } });
    assert.equal(r.status, 200, show(r));
    pm = await slas((m) => m.length === 1 && m[0].target === 120);
    assert.equal(Date.parse(pm[0].breach_at), created + 7200_000);
    // urgent: a 15-minute target
    r = await call(admin, admin.tickets.update(t.id, { ticket: { priority: 'urgent' } }));
    pm = await slas((m) => m.length === 1 && m[0].target === 15);
    assert.equal(Date.parse(pm[0].breach_at), created + 900_000);
    // an internal note is no reply; a public agent comment is
    r = await call(admin, admin.tickets.update(t.id, { ticket: { comment: { body: '내부 메모', public: false } } }));
    r = await call(admin, admin.tickets.update(t.id, { ticket: { comment: { body: '확인했습니다', public: true } } }));
    pm = await slas((m) => m[0].stage === 'achieved');
    assert.equal(pm[0].breach_at, null);
    assert.equal(pm[0].breached, false);
    // the tag goes: no policy applies any more
    r = await call(admin, admin.tickets.update(t.id, { ticket: { tags: [] } }));
    await slas((m) => m.length === 0);
    r = await req(admin, 'DELETE', `slas/policies/${policy.id}`);
    assert.equal(r.status, 204, show(r));
  });
});
