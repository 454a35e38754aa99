// pagination.test.mjs - Zendesk's two paginations, walked to the end:
// cursor (page[size], meta.has_more, meta.after_cursor, links.next) and
// offset (page, per_page, next_page, previous_page, count).
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, client, call, show } from './lib/harness.mjs';
import { newTicket, uniq, ids, allTickets } from './lib/fixtures.mjs';

await env();

describe('pagination', () => {
  let all; // every ticket id, ascending

  before(async () => {
    const admin = client('admin');
    for (let i = 0; i < 7; i++) await newTicket(admin, { subject: `페이지 넘김 ${i} ${uniq()}` });
    all = ids(await allTickets()).sort((a, b) => a - b);
    assert.ok(all.length >= 12, `enough tickets (${all.length})`);
  });

  test('cursor: page[size]=3 walked with links.next visits every ticket once, in id order', async () => {
    const admin = client('admin', { query: { page: { size: 3 } } });
    const got = await admin.tickets.list(); // node-zendesk follows links.next
    assert.deepEqual(ids(got), all);
    const pages = admin.record.history.map((r) => r.body);
    assert.equal(pages.length, Math.ceil(all.length / 3),
      `pages: ${pages.map((p) => (p.tickets || []).length)}`);
    pages.forEach((p, i) => {
      const last = i === pages.length - 1;
      assert.ok(p.tickets.length <= 3);
      assert.equal(p.meta.has_more, !last, `page ${i}: ${JSON.stringify(p.meta)}`);
      if (last) assert.equal(p.links.next, null);
      else {
        assert.match(p.links.next, /page%5Bsize%5D=3|page\[size\]=3/);
        assert.ok(p.meta.after_cursor, `page ${i} after_cursor`);
      }
      assert.ok(!('next_page' in p) && !('count' in p), 'cursor pages carry no offset members');
    });
  });

  // Page parameters go through node-zendesk's client-wide `query` option: on
  // a cursor endpoint node-zendesk adds page[size]=100 itself, overriding
  // page parameters given with the request.
  const pageOf = (page) => client('admin', { query: { page } });

  test('cursor: page[after] gets the next page', async () => {
    let c = pageOf({ size: 2 });
    const p1 = await call(c, c.tickets.get(['tickets']));
    assert.equal(p1.status, 200, show(p1));
    assert.deepEqual(ids(p1.result), all.slice(0, 2));
    assert.equal(p1.body.links.prev, null);
    c = pageOf({ size: 2, after: p1.body.meta.after_cursor });
    const p2 = await call(c, c.tickets.get(['tickets']));
    assert.equal(p2.status, 200, show(p2));
    assert.deepEqual(ids(p2.result), all.slice(2, 4));
  });

  test('cursor: page[before] goes back from the second page', async () => {
    let c = pageOf({ size: 2 });
    const p1 = await call(c, c.tickets.get(['tickets']));
    c = pageOf({ size: 2, after: p1.body.meta.after_cursor });
    const p2 = await call(c, c.tickets.get(['tickets']));
    assert.ok(p2.body.meta.before_cursor, `before_cursor on the second page: ${JSON.stringify(p2.body.meta)}`);
    assert.ok(p2.body.links.prev, `links.prev on the second page: ${JSON.stringify(p2.body.links)}`);
    c = pageOf({ size: 2, before: p2.body.meta.before_cursor });
    const back = await call(c, c.tickets.get(['tickets']));
    assert.equal(back.status, 200, show(back));
    assert.deepEqual(ids(back.result), all.slice(0, 2));
  });

  test('cursor: sort=-id walks newest first', async () => {
    const admin = client('admin', { query: { page: { size: 4 }, sort: '-id' } });
    const got = await admin.tickets.list();
    assert.deepEqual(ids(got), [...all].reverse());
  });

  test('cursor: page[size] over 100 or not a number is a 400', async () => {
    for (const size of [101, 0, 'abc']) {
      const c = pageOf({ size });
      const r = await call(c, c.tickets.get(['tickets']));
      assert.equal(r.status, 400, `page[size]=${size}: ${show(r)}`);
      assert.ok(r.body.error, show(r));
    }
    const c = pageOf({ size: 2, after: 'not-a-cursor!' });
    const r = await call(c, c.tickets.get(['tickets']));
    assert.equal(r.status, 400, show(r));
  });

  test('offset: per_page=3 walked with next_page; count is the total; previous_page links back', async () => {
    const admin = client('admin');
    const base = admin.tickets.options.endpointUri;
    // a full URL goes out as is (node-zendesk's way of following next_page),
    // so node-zendesk does not add its own page[size] here
    let r = await call(admin, admin.tickets.get(`${base}/tickets.json?per_page=3`));
    const seen = [];
    let n = 0;
    for (;;) {
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.count, all.length, 'count is the total');
      assert.ok(r.body.tickets.length <= 3);
      seen.push(...ids(r.body.tickets));
      n += 1;
      if (n === 1) assert.equal(r.body.previous_page, null);
      else assert.match(r.body.previous_page, new RegExp(`page=${n - 1}`));
      if (!r.body.next_page) break;
      assert.match(r.body.next_page, new RegExp(`page=${n + 1}`));
      r = await call(admin, admin.tickets.get(r.body.next_page));
    }
    assert.deepEqual(seen, all);
    assert.equal(n, Math.ceil(all.length / 3));
  });

  test('offset: requestAll follows next_page on its own', async () => {
    const admin = client('admin');
    const base = admin.tickets.options.endpointUri;
    const pages = await admin.tickets.requestAll('GET', `${base}/tickets.json?per_page=5`);
    assert.deepEqual(ids(pages.flat()), all);
  });

  test('offset: a page past the end is empty, with next_page null', async () => {
    const admin = client('admin');
    const base = admin.tickets.options.endpointUri;
    const r = await call(admin, admin.tickets.get(`${base}/tickets.json?per_page=100&page=50`));
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.tickets, []);
    assert.equal(r.body.next_page, null);
    assert.equal(r.body.count, all.length);
  });

  test('offset pagination of comments walks every comment once', async () => {
    const admin = client('admin', { query: { per_page: 2 } });
    const t = await newTicket(admin, { subject: '댓글 페이지', comment: { body: '댓글 0' } });
    for (let i = 1; i < 5; i++) await admin.tickets.update(t.id, { ticket: { comment: { body: `댓글 ${i}` } } });
    const comments = await admin.tickets.getComments(t.id);
    assert.deepEqual(comments.map((c) => c.body), ['댓글 0', '댓글 1', '댓글 2', '댓글 3', '댓글 4']);
    const pages = admin.record.history.map((r) => r.body).filter((b) => b && b.comments);
    assert.equal(pages.length, 3, JSON.stringify(pages.map((p) => p.comments.length)));
    assert.equal(pages[0].count, 5, `count: ${JSON.stringify(pages[0].count)}`);
  });

  test('search results page with next_page and no duplicates', async () => {
    const admin = client('admin', { query: { per_page: 3 } });
    const results = await admin.search.queryAll('type:ticket');
    const got = ids(results);
    const now = ids(await allTickets()).sort((a, b) => a - b); // earlier tests here made more
    assert.equal(new Set(got).size, got.length, 'no duplicates');
    assert.deepEqual([...got].sort((a, b) => a - b), now);
    const pages = admin.record.history.map((r) => r.body).filter((b) => b && b.results);
    assert.ok(pages.length >= 4, `pages: ${pages.length}`);
    for (const p of pages) assert.equal(p.count, now.length);
  });

  test('users, organizations and groups walk with cursors too', async () => {
    const admin = client('admin', { query: { page: { size: 2 } } });
    const users = await admin.users.list();
    assert.equal(new Set(ids(users)).size, users.length);
    assert.ok(users.length >= 10, `users: ${users.length}`);
    const orgs = await admin.organizations.list();
    assert.ok(orgs.length >= 2);
    assert.equal(new Set(ids(orgs)).size, orgs.length);
    const groups = await admin.groups.list();
    assert.ok(groups.length >= 2);
    assert.equal(new Set(ids(groups)).size, groups.length);
  });
});
