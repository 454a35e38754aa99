// people.test.mjs - users (CRUD, me, search, identities, merge),
// organizations, groups and group memberships through node-zendesk.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show } from './lib/harness.mjs';
import { demo, newTicket, uniq, ids } from './lib/fixtures.mjs';

await env();

// POST /users as admin; returns the user (asserts 201).
async function newUser(c, fields) {
  const r = await call(c, c.users.create({ user: { role: 'end-user', ...fields } }));
  assert.equal(r.status, 201, `create user ${JSON.stringify(fields)}: ${show(r)}`);
  return r.result;
}

describe('users', () => {
  test('me: who the credentials belong to, for each role', async () => {
    const s = await env();
    for (const [who, role] of [['admin', 'admin'], ['agent', 'agent'], ['enduser', 'end-user']]) {
      const c = client(who);
      const r = await call(c, c.users.me());
      assert.equal(r.status, 200, `${who}: ${show(r)}`);
      assert.equal(r.result.email, s.people[who].email);
      assert.equal(r.result.role, role);
      assert.ok(Number.isInteger(r.result.id));
    }
    const c = client('enduser');
    assert.equal((await c.users.me()).result.name, '고객 하나');
  });

  test('create, show, update, delete with Korean names', async () => {
    const admin = client('admin');
    const d = await demo();
    const email = `${uniq('younghee')}@example.kr`;
    const u = await newUser(admin, {
      name: '최영희', email, phone: '+82 10-1234-5678', organization_id: d.orgs.hanbit,
      tags: ['VIP', '서울'], locale: 'ko', external_id: uniq('crm-'), notes: '중요 고객입니다',
    });
    assert.equal(u.name, '최영희');
    assert.equal(u.email, email);
    assert.equal(u.role, 'end-user');
    assert.equal(u.organization_id, d.orgs.hanbit);
    assert.deepEqual([...u.tags].sort(), ['vip', '서울'].sort());
    assert.equal(u.active, true);
    assert.match(u.url, new RegExp(`/api/v2/users/${u.id}\\.json$`));

    const got = await call(admin, admin.users.show(u.id));
    assert.equal(got.status, 200, show(got));
    assert.equal(got.result.name, '최영희');
    assert.equal(got.result.notes, '중요 고객입니다');

    const up = await call(admin, admin.users.update(u.id, { user: { name: '최영희 (수정)', role: 'agent' } }));
    assert.equal(up.status, 200, show(up));
    assert.equal(up.result.name, '최영희 (수정)');
    assert.equal(up.result.role, 'agent');

    const del = await call(admin, admin.users.delete(u.id));
    assert.equal(del.status, 200, show(del));
    assert.equal(del.result.active, false, show(del));
  });

  test('a second user with the same email is refused: 422 with details.email', async () => {
    const admin = client('admin');
    const r = await call(admin, admin.users.create({ user: { name: 'Jane Again', email: 'JANE@acme.example' } }));
    assert.equal(r.status, 422, show(r));
    assert.equal(r.body.error, 'RecordInvalid');
    assert.ok(Array.isArray(r.body.details && r.body.details.email), show(r));
    assert.ok(r.body.details.email[0].description, show(r));
  });

  test('a user needs a name; bad emails and roles are refused', async () => {
    const admin = client('admin');
    for (const user of [{ email: `${uniq('noname')}@example.com` }, { name: 'x', email: 'not-an-email' },
      { name: 'x', email: `${uniq('r')}@example.com`, role: 'superuser' }]) {
      const r = await call(admin, admin.users.create({ user }));
      assert.equal(r.status, 422, `${JSON.stringify(user)}: ${show(r)}`);
      assert.equal(r.body.error, 'RecordInvalid');
    }
  });

  test('list walks every user; ?role= filters', async () => {
    const admin = client('admin');
    const d = await demo();
    const all = await admin.users.list();
    const byId = new Map(all.map((u) => [u.id, u]));
    assert.equal(byId.size, all.length, 'no duplicates across pages');
    for (const id of [d.users.admin, d.users.jiwon, d.users.minsu, d.users.jane]) assert.ok(byId.has(id), `user ${id}`);
    assert.equal(byId.get(d.users.minsu).name, '이민수');
    const agents = await admin.users.listWithFilter('role', 'agent');
    assert.ok(agents.length >= 3);
    assert.ok(agents.every((u) => u.role === 'agent'), JSON.stringify(agents.map((u) => u.role)));
    assert.ok(ids(agents).includes(d.users.jiwon));
  });

  test('show_many', async () => {
    const admin = client('admin');
    const d = await demo();
    const r = await call(admin, admin.users.showMany([d.users.minsu, d.users.jane]));
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.result.map((u) => u.name).sort(), ['Jane Doe', '이민수'].sort());
  });

  test('search by email, by Korean name, by external_id', async () => {
    const agent = client('agent');
    const d = await demo();
    let found = await agent.users.search({ query: 'jane@acme.example' });
    assert.deepEqual(ids(found), [d.users.jane]);
    found = await agent.users.search({ query: '이민수' });
    assert.ok(ids(found).includes(d.users.minsu), JSON.stringify(found.map((u) => u.name)));
    found = await agent.users.search({ query: '민수' });
    assert.ok(ids(found).includes(d.users.minsu), 'a two-syllable Korean word finds the name');
    const admin = client('admin');
    const ext = uniq('ext-');
    const u = await newUser(admin, { name: 'External Person', email: `${uniq('ext')}@example.com`, external_id: ext });
    found = await agent.users.search({ external_id: ext });
    assert.deepEqual(ids(found), [u.id]);
  });

  test('identities: list, add email and phone, make primary, delete', async () => {
    const admin = client('admin');
    const email = `${uniq('ident')}@example.com`;
    const u = await newUser(admin, { name: '신원 테스트', email });
    let list = await admin.useridentities.list(u.id);
    assert.equal(list.length, 1, JSON.stringify(list));
    assert.deepEqual({ type: list[0].type, value: list[0].value, primary: list[0].primary },
      { type: 'email', value: email, primary: true });

    const second = `${uniq('ident2')}@example.com`;
    let r = await call(admin, admin.useridentities.create(u.id, { type: 'email', value: second }));
    assert.equal(r.status, 201, show(r));
    const e2 = r.result;
    assert.equal(e2.value, second);
    assert.equal(e2.user_id, u.id);
    assert.equal(e2.primary, false);
    r = await call(admin, admin.useridentities.create(u.id, { type: 'phone_number', value: '+821012345678' }));
    assert.equal(r.status, 201, show(r));
    const phone = r.result;
    assert.equal(phone.type, 'phone_number');

    r = await call(admin, admin.useridentities.makePrimary(u.id, e2.id));
    assert.equal(r.status, 200, show(r));
    list = await admin.useridentities.list(u.id);
    assert.equal(list.length, 3);
    assert.equal(list.find((i) => i.primary && i.type === 'email').value, second);
    assert.equal((await admin.users.show(u.id)).result.email, second, 'the primary email is the user\'s email');

    r = await call(admin, admin.useridentities.delete(u.id, phone.id));
    assert.equal(r.status, 204, show(r));
    list = await admin.useridentities.list(u.id);
    assert.deepEqual(list.map((i) => i.type).sort(), ['email', 'email']);

    // an email that belongs to someone else cannot be added
    r = await call(admin, admin.useridentities.create(u.id, { type: 'email', value: 'jane@acme.example' }));
    assert.equal(r.status, 422, show(r));
    r = await call(admin, admin.useridentities.create(u.id, { type: 'carrier_pigeon', value: 'x' }));
    assert.equal(r.status, 422, show(r));
  });

  test('merge an end-user into another: identities and tickets follow', async () => {
    const admin = client('admin');
    const loserEmail = `${uniq('loser')}@example.com`;
    const winnerEmail = `${uniq('winner')}@example.com`;
    const loser = await newUser(admin, { name: '중복 계정', email: loserEmail });
    const winner = await newUser(admin, { name: '원래 계정', email: winnerEmail });
    const t = await newTicket(admin, { subject: '병합 사용자 티켓', requester_id: loser.id });
    const r = await call(admin, admin.users.merge(loser.id, winner.id));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.id, winner.id, show(r));
    const idents = await admin.useridentities.list(winner.id);
    assert.ok(idents.some((i) => i.value === loserEmail), JSON.stringify(idents));
    assert.ok(idents.some((i) => i.value === winnerEmail && i.primary), JSON.stringify(idents));
    assert.equal((await admin.tickets.show(t.id)).result.requester_id, winner.id);
    const gone = await call(admin, admin.users.show(loser.id));
    assert.ok(gone.status === 404 || (gone.status === 200 && gone.result.active === false), show(gone));
    // agents are not merged
    const d = await demo();
    const no = await call(admin, admin.users.merge(d.users.jiwon, winner.id));
    assert.ok([403, 422].includes(no.status), show(no));
  });

  test('an end-user cannot list or create users', async () => {
    const enduser = client('enduser');
    let r = await call(enduser, enduser.users.list());
    assert.equal(r.status, 403, show(r));
    r = await call(enduser, enduser.users.create({ user: { name: 'x', email: `${uniq('x')}@example.com` } }));
    assert.equal(r.status, 403, show(r));
  });
});

describe('organizations', () => {
  test('create, show, update, list, delete', async () => {
    const admin = client('admin');
    const name = `한빛상사 부산지점 ${uniq()}`;
    let r = await call(admin, admin.organizations.create({
      organization: { name, domain_names: ['busan.hanbit.example'], details: '부산 사무소', notes: '메모', tags: ['지점'], external_id: uniq('org-') },
    }));
    assert.equal(r.status, 201, show(r));
    const org = r.result;
    assert.equal(org.name, name);
    assert.deepEqual(org.domain_names, ['busan.hanbit.example']);
    assert.deepEqual(org.tags, ['지점']);
    assert.match(org.url, new RegExp(`/api/v2/organizations/${org.id}\\.json$`));

    r = await call(admin, admin.organizations.show(org.id));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.details, '부산 사무소');

    r = await call(admin, admin.organizations.update(org.id, { organization: { notes: '메모 수정', shared_tickets: true } }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.notes, '메모 수정');
    assert.equal(r.result.shared_tickets, true);
    assert.equal(r.result.name, name);

    const all = await admin.organizations.list();
    const names = all.map((o) => o.name);
    for (const n of ['Acme Corp', '한빛상사', name]) assert.ok(names.includes(n), `${n} in ${JSON.stringify(names)}`);

    r = await call(admin, admin.organizations.delete(org.id));
    assert.equal(r.status, 204, show(r));
    r = await call(admin, admin.organizations.show(org.id));
    assert.equal(r.status, 404, show(r));
  });

  test('organization names are unique: 422', async () => {
    const admin = client('admin');
    const r = await call(admin, admin.organizations.create({ organization: { name: 'Acme Corp' } }));
    assert.equal(r.status, 422, show(r));
    assert.equal(r.body.error, 'RecordInvalid');
    assert.ok(r.body.details && r.body.details.name, show(r));
  });

  test('members and tickets of an organization', async () => {
    const agent = client('agent');
    const d = await demo();
    const members = await agent.users.listByOrganization(d.orgs.hanbit);
    assert.ok(ids(members).includes(d.users.minsu), JSON.stringify(members.map((u) => u.name)));
    assert.ok(!ids(members).includes(d.users.jane));
    const tickets = await agent.tickets.listByOrganization(d.orgs.acme);
    assert.ok(tickets.length >= 2);
    assert.ok(tickets.every((t) => t.organization_id === d.orgs.acme));
    assert.ok(tickets.some((t) => t.subject === 'Refund for a double charge'));
  });

  test('a ticket from a member gets the member\'s organization', async () => {
    const jane = client('jane');
    const d = await demo();
    const t = await newTicket(jane, { subject: 'Another question from Jane' });
    assert.equal(t.organization_id, d.orgs.acme);
  });

  test('agents cannot create or delete organizations', async () => {
    const agent = client('agent');
    const d = await demo();
    let r = await call(agent, agent.organizations.create({ organization: { name: uniq('agent-org') } }));
    assert.equal(r.status, 403, show(r));
    r = await call(agent, agent.organizations.delete(d.orgs.acme));
    assert.equal(r.status, 403, show(r));
  });
});

describe('groups and group memberships', () => {
  test('groups: create, list, show, update, delete', async () => {
    const admin = client('admin');
    const name = `환불팀 Refunds ${uniq()}`;
    let r = await call(admin, admin.groups.create({ group: { name, description: '환불 요청 처리' } }));
    assert.equal(r.status, 201, show(r));
    const g = r.result;
    assert.equal(g.name, name);
    assert.equal(g.description, '환불 요청 처리');
    const all = await admin.groups.list();
    const names = all.map((x) => x.name);
    for (const n of ['고객지원 Support', '결제 Billing', name]) assert.ok(names.includes(n), `${n} in ${JSON.stringify(names)}`);
    r = await call(admin, admin.groups.update(g.id, { group: { name: `${name} (수정)` } }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.name, `${name} (수정)`);
    r = await call(admin, admin.groups.delete(g.id));
    assert.equal(r.status, 204, show(r));
    r = await call(admin, admin.groups.show(g.id));
    assert.ok(r.status === 404 || (r.status === 200 && r.result.deleted === true), show(r));
  });

  test('memberships: add an agent, list by group and by user, refuse end-users and duplicates, remove', async () => {
    const admin = client('admin');
    const d = await demo();
    const g = (await admin.groups.create({ group: { name: `멤버십 ${uniq()}` } })).result;
    let r = await call(admin, admin.groupmemberships.create({ group_membership: { user_id: d.users.agent2, group_id: g.id } }));
    assert.equal(r.status, 201, show(r));
    const m = r.result;
    assert.equal(m.user_id, d.users.agent2);
    assert.equal(m.group_id, g.id);

    const byGroup = await admin.groupmemberships.listByGroup(g.id);
    assert.deepEqual(byGroup.map((x) => x.user_id), [d.users.agent2]);
    const byUser = await admin.groupmemberships.listByUser(d.users.agent2);
    assert.ok(byUser.some((x) => x.id === m.id));
    const all = await admin.groupmemberships.list();
    assert.ok(all.some((x) => x.id === m.id));
    assert.ok(all.some((x) => x.user_id === d.users.jiwon && x.group_id === d.groups.support), 'demo membership');
    const members = await admin.users.listByGroup(g.id);
    assert.deepEqual(ids(members), [d.users.agent2]);

    r = await call(admin, admin.groupmemberships.create({ group_membership: { user_id: d.users.agent2, group_id: g.id } }));
    assert.equal(r.status, 422, `duplicate membership: ${show(r)}`);
    r = await call(admin, admin.groupmemberships.create({ group_membership: { user_id: d.users.minsu, group_id: g.id } }));
    assert.equal(r.status, 422, `end-user in a group: ${show(r)}`);
    r = await call(admin, admin.groupmemberships.create({ group_membership: { user_id: d.users.agent2, group_id: 999999 } }));
    assert.ok([404, 422].includes(r.status), `unknown group: ${show(r)}`);

    r = await call(admin, admin.groupmemberships.delete(m.id));
    assert.equal(r.status, 204, show(r));
    assert.deepEqual(await admin.groupmemberships.listByGroup(g.id), []);
  });

  test('a ticket can be assigned to a group and one of its agents', async () => {
    const admin = client('admin');
    const d = await demo();
    const t = await newTicket(admin, { subject: '그룹 배정', group_id: d.groups.support, assignee_id: d.users.jiwon });
    assert.equal(t.group_id, d.groups.support);
    assert.equal(t.assignee_id, d.users.jiwon);
    assert.equal(t.status, 'open', 'a new ticket with an assignee is open');
    const r = await call(admin, admin.tickets.update(t.id, { ticket: { group_id: 999999 } }));
    assert.equal(r.status, 422, `unknown group: ${show(r)}`);
  });
});
