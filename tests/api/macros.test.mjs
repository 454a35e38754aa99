// macros.test.mjs - /api/v2/macros: create with the action allow-list (422
// on anything else), list and active with who-sees-what (shared, group,
// personal), apply with and without a ticket (placeholders rendered for the
// ticket and the agent, nothing saved), and who may change what.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, rawFetch, show } from './lib/harness.mjs';
import { newTicket, uniq } from './lib/fixtures.mjs';

const s = await env();
const J = { 'Content-Type': 'application/json' };
const api = (path, who = 'admin', method = 'GET', body) =>
  rawFetch(`/api/v2${path}`, { who, method, headers: J, body: body ? JSON.stringify(body) : undefined });

async function create(who, macro) {
  const r = await api('/macros.json', who, 'POST', { macro });
  assert.equal(r.status, 201, `create macro: ${show(r)}`);
  return r.body.macro;
}

describe('macros', () => {
  let group, shared, grp, personal, other;
  before(async () => {
    let r = await api('/groups.json', 'admin', 'POST', { group: { name: `매크로 그룹 ${uniq()}` } });
    assert.equal(r.status, 201, show(r));
    group = r.body.group;
    r = await api('/group_memberships.json', 'admin', 'POST',
      { group_membership: { user_id: s.people.agent.id, group_id: group.id } });
    assert.equal(r.status, 201, show(r));
    shared = await create('admin', {
      title: `Close and thank ${uniq()}`,
      actions: [
        { field: 'status', value: 'solved' },
        { field: 'priority', value: 'low' },
        { field: 'current_tags', value: 'macro_closed' },
        { field: 'comment_value', value: '{{ticket.requester.first_name}}님, #{{ticket.id}} 해결되었습니다. — {{current_user.first_name}} {{nope.name}}' },
        { field: 'comment_value_html', value: '<p>Hi <b>{{ticket.title}}</b></p><script>x</script>' },
      ],
    });
    grp = await create('admin', {
      title: `Group only ${uniq()}`, restriction: { type: 'Group', ids: [group.id] },
      actions: [{ field: 'group_id', value: group.id }, { field: 'comment_mode_is_public', value: false },
        { field: 'comment_value', value: ['channel:all', 'internal {{ticket.status}}'] }],
    });
    personal = await create('agent', {
      title: `Mine ${uniq()}`, actions: [{ field: 'assignee_id', value: 'current_user' }, { field: 'set_tags', value: 'a b' }],
    });
    other = await create('agent2', { title: `Theirs ${uniq()}`, actions: [{ field: 'type', value: 'task' }] });
  });

  test('a new workspace ships shared default macros, English and Korean', async () => {
    const r = await api('/macros/active.json?per_page=100', 'agent2');
    const titles = r.body.macros.map((m) => m.title);
    for (const t of ['Close and redirect to topics', 'Downgrade and inform', '해결 후 도움말 안내', '우선순위 낮추고 안내'])
      assert.ok(titles.includes(t), `default macro ${t}`);
  });

  test('a macro has Zendesk\'s shape; an agent\'s new macro is personal', async () => {
    assert.equal(shared.restriction, null);
    assert.equal(shared.active, true);
    assert.deepEqual(shared.actions[0], { field: 'status', value: 'solved' });
    assert.match(shared.url, new RegExp(`/api/v2/macros/${shared.id}\\.json$`));
    assert.deepEqual(grp.restriction, { type: 'Group', id: group.id, ids: [group.id] });
    assert.equal(grp.actions[0].value, String(group.id));
    assert.equal(grp.actions[2].value, 'internal {{ticket.status}}');
    assert.deepEqual(personal.restriction, { type: 'User', id: s.people.agent.id });
  });

  test('actions outside the allow-list and bad values are refused with 422', async () => {
    for (const [actions, re] of [
      [[{ field: 'delete_ticket', value: 'true' }], /delete_ticket/],
      [[{ field: 'status', value: 'closed' }], /status/],
      [[{ field: 'priority', value: 'p0' }], /priority/],
      [[{ field: 'status', value: 'open' }, { field: 'status', value: 'solved' }], /more than once/],
      [[], /at least one/],
      ['status', /actions/],
      [[{ field: 'status', value: { x: 1 } }], /actions/],
    ]) {
      const r = await api('/macros.json', 'admin', 'POST', { macro: { title: 'bad', actions } });
      assert.equal(r.status, 422, show(r));
      assert.equal(r.body.error, 'RecordInvalid');
      assert.match(JSON.stringify(r.body.details), re);
    }
    let r = await api('/macros.json', 'admin', 'POST', { macro: { actions: [{ field: 'status', value: 'open' }] } });
    assert.equal(r.status, 422, show(r));
    r = await api('/macros.json', 'admin', 'POST', { macro: { title: 'x', actions: [{ field: 'status', value: 'open' }], restriction: { type: 'Group', id: 999999 } } });
    assert.equal(r.status, 422, show(r));
  });

  test('who sees what: admins all, agents shared + their groups\' + their own', async () => {
    const ids = async (who, path = '/macros.json?per_page=100') => {
      const r = await api(path, who);
      assert.equal(r.status, 200, show(r));
      return new Set(r.body.macros.map((m) => m.id));
    };
    const admin = await ids('admin');
    for (const m of [shared, grp, personal, other]) assert.ok(admin.has(m.id));
    const agent = await ids('agent');
    assert.ok(agent.has(shared.id) && agent.has(grp.id) && agent.has(personal.id));
    assert.ok(!agent.has(other.id));
    const agent2 = await ids('agent2', '/macros/active.json?per_page=100');
    assert.ok(agent2.has(shared.id) && agent2.has(other.id));
    assert.ok(!agent2.has(grp.id) && !agent2.has(personal.id));
    assert.equal((await api(`/macros/${other.id}.json`, 'agent')).status, 404);
    assert.equal((await api(`/macros/${grp.id}.json`, 'agent')).status, 200);
  });

  test('who changes what: agents only their own personal macros', async () => {
    let r = await api(`/macros/${shared.id}.json`, 'agent', 'PUT', { macro: { title: 'hijack' } });
    assert.equal(r.status, 403, show(r));
    r = await api(`/macros/${grp.id}.json`, 'agent', 'DELETE');
    assert.equal(r.status, 403, show(r));
    r = await api('/macros.json', 'agent', 'POST', { macro: { title: 'shared?', restriction: null, actions: [{ field: 'status', value: 'open' }] } });
    assert.equal(r.status, 403, show(r));
    r = await api(`/macros/${personal.id}.json`, 'agent', 'PUT', { macro: { title: '내 매크로', active: false } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.macro.title, '내 매크로');
    assert.equal(r.body.macro.active, false);
    r = await api('/macros/active.json?per_page=100', 'agent');
    assert.ok(!r.body.macros.some((m) => m.id === personal.id));
    r = await api(`/macros/${personal.id}.json`, 'agent', 'PUT', { macro: { active: true } });
    assert.equal(r.status, 200, show(r));
    const tmp = await create('admin', { title: 'to delete', actions: [{ field: 'status', value: 'open' }] });
    assert.equal((await api(`/macros/${tmp.id}.json`, 'admin', 'DELETE')).status, 204);
    assert.equal((await api(`/macros/${tmp.id}.json`, 'admin')).status, 404);
  });

  test('apply on a ticket renders placeholders and saves nothing', async () => {
    const t = await newTicket(client('agent'), { subject: `<프린터> ${uniq()}`, requester: { name: '이서연 Lee', email: `${uniq()}@sonnim.test` } });
    const r = await api(`/tickets/${t.id}/macros/${shared.id}/apply.json`, 'agent');
    assert.equal(r.status, 200, show(r));
    const { ticket, comment } = r.body.result;
    assert.equal(ticket.id, t.id);
    assert.equal(ticket.status, 'solved');
    assert.equal(ticket.priority, 'low');
    assert.ok(ticket.tags.includes('macro_closed'));
    assert.equal(comment.body.split(' — ')[0], `이서연님, #${t.id} 해결되었습니다.`);
    assert.ok(comment.body.endsWith('— 상담원 {{nope.name}}'), comment.body); // first word; unknown left visible
    assert.equal(comment.public, true);
    assert.match(comment.html_body, /&lt;프린터&gt;/);
    assert.doesNotMatch(comment.html_body, /script/);
    assert.deepEqual(comment.scoped_body, [['channel:all', comment.body]]);
    const now = await api(`/tickets/${t.id}.json`, 'agent');
    assert.equal(now.body.ticket.status, t.status);
    assert.ok(!now.body.ticket.tags.includes('macro_closed'));

    const g = await api(`/tickets/${t.id}/macros/${grp.id}/apply.json`, 'agent');
    assert.equal(g.status, 200, show(g));
    assert.equal(g.body.result.ticket.group_id, group.id);
    assert.equal(g.body.result.comment.public, false);
    assert.equal(g.body.result.comment.body, `internal ${t.status}`);
    assert.equal((await api(`/tickets/${t.id}/macros/${other.id}/apply.json`, 'agent')).status, 404);
    assert.equal((await api(`/tickets/999999/macros/${shared.id}/apply.json`, 'agent')).status, 404);
  });

  test('apply without a ticket returns the changes, placeholders as written', async () => {
    let r = await api(`/macros/${shared.id}/apply.json`, 'agent');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.result.ticket, { status: 'solved', priority: 'low', additional_tags: ['macro_closed'] });
    assert.match(r.body.result.comment.body, /^\{\{ticket\.requester\.first_name\}\}님/);
    r = await api(`/macros/${personal.id}/apply.json`, 'agent');
    assert.deepEqual(r.body.result.ticket, { assignee_id: s.people.agent.id, tags: ['a', 'b'] });
    assert.equal(r.body.result.comment, undefined);
  });
});
