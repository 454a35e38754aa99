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
