// shell.test.mjs - the workspace shell in Debian's Chromium: a custom view
// made in the editor (its count matches the API, grouped rows), search as
// you type (a user and a ticket), the command palette (theme, open a
// ticket, assign to me), the keyboard's assign/solve, preferences (density,
// default view) and the password change, agents' availability seen by
// another agent, the admin screens (a group with a member, a dropdown
// ticket field, an API token shown once) and that a plain agent cannot open
// them, and the assets arriving brotli-compressed.
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { env, rawFetch, show, launch, openApp, signIn } from './lib.mjs';

const SHOTS = process.env.SONNIM_E2E_SCREENSHOTS || '';
async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

let s;
let browser;
const J = { 'Content-Type': 'application/json' };
const api = (path, who = 'admin', method = 'GET', body) =>
  rawFetch(`/api/v2${path}`, { who, method, headers: J, body: body ? JSON.stringify(body) : undefined });
const word = () => `w${process.pid.toString(36)}${Math.random().toString(36).slice(2, 7)}`;

before(async () => {
  s = await env();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

async function signedIn(who, opts) {
  const o = await openApp(browser, s.server, opts);
  await signIn(o.page, s.people[who]);
  await o.page.locator('.shell').waitFor();
  return o;
}

async function ticket(fields) {
  const r = await api('/tickets.json', 'admin', 'POST', { ticket: { comment: { body: '본문 body' }, ...fields } });
  assert.equal(r.status, 201, show(r));
  return r.body.ticket;
}

describe('custom views', () => {
  test('an agent makes a view in the editor; its count matches the API and its rows are grouped', async () => {
    const tag = word();
    await ticket({ subject: `${tag} one`, tags: [tag], status: 'open' });
    await ticket({ subject: `${tag} two`, tags: [tag], status: 'pending' });
    await ticket({ subject: `${tag} three`, tags: [tag], status: 'open' });
    const { context, page } = await signedIn('agent');
    try {
      await page.click('[data-action=new-view]');
      await page.locator('.view-editor').waitFor();
      await page.fill('input[name=view-title]', `Tagged ${tag}`);
      // the first "all" row (status less than solved) stays; add tags includes TAG
      await page.click('[data-action=add-all]');
      const row = page.locator('[data-conds=all] .cond').nth(1);
      await row.locator('select[name=cond-field]').selectOption('current_tags');
      await row.locator('select[name=cond-op]').selectOption('includes');
      await row.locator('input[name=cond-value]').fill(tag);
      await page.selectOption('select[name=group-by]', 'status');
      await shot(page, 'view-editor');
      await page.click('.view-editor button[type=submit]');
      await page.waitForFunction(() => /^#\/views\/c\d+$/.test(location.hash));
      const id = Number((await page.evaluate(() => location.hash)).slice('#/views/c'.length));
      const r = await api(`/views/${id}/count.json`, 'agent');
      assert.equal(r.status, 200, show(r));
      assert.equal(r.body.view_count.value, 3);
      await page.waitForFunction((k) => document.querySelector(`[data-count=${k}]`)?.textContent === '3', `c${id}`);
      await page.locator('.list tbody tr[data-ticket]').nth(2).waitFor();
      assert.equal(await page.locator('.list tbody tr[data-ticket]').count(), 3);
      const groups = await page.locator('.list tr.group-row').allTextContents();
      assert.deepEqual(groups, ['Open', 'Pending']);
      await shot(page, 'custom-view');
      // the view is personal: another agent does not have it
      assert.equal((await api(`/views/${id}.json`, 'agent2')).status, 404);
      // live: a new matching ticket raises the count without a reload
      await ticket({ subject: `${tag} four`, tags: [tag] });
      await page.waitForFunction((k) => document.querySelector(`[data-count=${k}]`)?.textContent === '4', `c${id}`);
      await page.locator('.list tbody tr[data-ticket]').nth(3).waitFor();
    } finally {
      await context.close();
    }
  });
});

describe('search, palette and keyboard', () => {
  let context;
  let page;
  before(async () => { ({ context, page } = await signedIn('agent')); });
  after(async () => { await context.close(); });

  test('search as you type finds a ticket and a user; Enter opens the hit', async () => {
    const w = word();
    const t = await ticket({ subject: `Printer ${w} jammed` });
    await page.keyboard.press('/');
    await page.keyboard.type(w);
    const hit = page.locator(`.search-results [data-result="ticket:${t.id}"]`);
    await hit.waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`.conversation[data-ticket="${t.id}"]`).waitFor();
    // a user, by name
    await page.fill('input[name=search]', 'type:user Agent Two');
    const user = page.locator(`.search-results [data-result="user:${s.people.agent2.id}"]`);
    await user.waitFor();
    assert.match(await page.locator('.search-results').textContent(), /Users/);
    await user.dispatchEvent('mousedown');
    await page.locator(`[data-user-page="${s.people.agent2.id}"]`).waitFor();
  });

  test('Ctrl+K switches the theme and opens a ticket by number; a and s change the ticket', async () => {
    const t = await ticket({ subject: `Palette ${word()}` });
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.keyboard.press('Control+k');
    await page.locator('.palette input:focus').waitFor();
    await page.keyboard.type('theme');
    await page.locator('.palette li.selected[data-command=theme]').waitFor();
    await page.keyboard.press('Enter');
    await page.waitForFunction((b) => document.documentElement.dataset.theme !== b, before);
    await page.keyboard.press('Control+k');
    await page.locator('.palette input:focus').waitFor();
    await page.keyboard.type(String(t.id));
    await page.locator(`.palette li.selected[data-command="open-${t.id}"]`).waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`.conversation[data-ticket="${t.id}"]`).waitFor();
    // assign to me from the palette
    await page.keyboard.press('Control+k');
    await page.locator('.palette input:focus').waitFor();
    await page.keyboard.type('assign to me');
    await page.locator('.palette li.selected[data-command=assign-me]').waitFor();
    await shot(page, 'palette');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await api(`/tickets/${t.id}.json`)).body.ticket.assignee_id === s.people.agent.id);
    // s solves (the ticket has an assignee now)
    await page.keyboard.press('s');
    await waitFor(async () => (await api(`/tickets/${t.id}.json`)).body.ticket.status === 'solved');
    await page.keyboard.press('Control+k');
    await page.locator('.palette input:focus').waitFor();
    await page.keyboard.type('theme');
    await page.locator('.palette li.selected[data-command=theme]').waitFor();
    await page.keyboard.press('Enter');
    await page.waitForFunction((b) => document.documentElement.dataset.theme === b, before);
  });

  test('the cheat sheet lists every shortcut, palette and search included', async () => {
    await page.keyboard.press('?');
    const help = page.locator('.help');
    await help.waitFor();
    const text = await help.textContent();
    for (const k of ['Ctrl+K', '/', 'g m', 'g a', 'Assign the ticket to me', 'Solve the ticket', 'Apply a macro']) assert.ok(text.includes(k), k);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.help').count(), 0);
  });
});

describe('Korean', () => {
  test('a Korean browser gets the search box, palette, cheat sheet and view editor in Korean', async () => {
    const { context, page } = await signedIn('agent2', { locale: 'ko-KR' });
    try {
      assert.match(await page.getAttribute('input[name=search]', 'placeholder'), /검색/);
      assert.match(await page.locator('.views').textContent(), /사용자 지정 보기/);
      assert.match(await page.locator('.views').textContent(), /팀/);
      await page.keyboard.press('Control+k');
      await page.locator('.palette input:focus').waitFor();
      assert.match(await page.getAttribute('.palette input', 'placeholder'), /명령/);
      await page.keyboard.type('테마');
      await page.locator('.palette li.selected[data-command=theme]').waitFor();
      await page.keyboard.press('Escape');
      await page.keyboard.press('?');
      await page.locator('.help').waitFor();
      assert.match(await page.locator('.help').textContent(), /명령 팔레트/);
      await page.keyboard.press('Escape');
      await page.keyboard.press('g');
      await page.keyboard.press('n');
      await page.locator('.view-editor').waitFor();
      assert.match(await page.locator('.view-editor h1').textContent(), /새 보기/);
      assert.match(await page.locator('.view-editor').textContent(), /모두 만족/);
    } finally {
      await context.close();
    }
  });
});

describe('preferences and password', () => {
  test('density and default view are kept; a changed password signs in, the old one no longer does', async () => {
    const email = `pw-${word()}@sonnim.test`;
    const r = await api('/users.json', 'admin', 'POST', { user: { name: 'Password Person', email, role: 'agent', verified: true } });
    assert.equal(r.status, 201, show(r));
    const p = await api(`/users/${r.body.user.id}/password.json`, 'admin', 'POST', { password: 'first-password-1' });
    assert.ok(p.status < 300, show(p));
    const { context, page } = await openApp(browser, s.server);
    try {
      await signIn(page, { email, password: 'first-password-1' });
      await page.locator('.shell').waitFor();
      await page.click('[data-action=prefs]');
      await page.locator('.prefs-dialog').waitFor();
      await page.selectOption('.prefs-dialog select[name=density]', 'compact');
      await page.selectOption('.prefs-dialog select[name=defaultView]', 'unsolved');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.density), 'compact');
      await page.fill('input[name=current-password]', 'first-password-1');
      await page.fill('input[name=new-password]', '두번째-password-2');
      await page.fill('input[name=new-password-again]', '두번째-password-2');
      await page.click('.pw button[type=submit]');
      await page.locator('.pw .ok').waitFor();
      await page.click('.prefs-dialog > button');
      await page.click('.signout');
      await page.locator('.login').waitFor();
      await signIn(page, { email, password: 'first-password-1' });
      await page.locator('.login [role=alert]').waitFor();
      await signIn(page, { email, password: '두번째-password-2' });
      await page.locator('.shell').waitFor();
      // signing out set them offline; signing in again makes them online
      await page.waitForFunction(() => document.querySelector('select[data-action=status]')?.value === 'online');
      // the preferences stayed: compact, and the default view opens first
      await page.goto(`${s.server.url}/agent/`);
      await page.locator('.shell').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.density), 'compact');
      await page.locator('.views a.active[data-view=unsolved]').waitFor();
    } finally {
      await context.close();
    }
  });
});

describe('availability', () => {
  test('an agent sets away; another agent sees it live', async () => {
    const a = await signedIn('agent');
    const b = await signedIn('agent2');
    try {
      const dot = b.page.locator(`[data-agent-status="${s.people.agent.id}"] .dot`);
      await b.page.waitForFunction((id) => document.querySelector(`[data-agent-status="${id}"] .dot`)?.dataset.status === 'online', s.people.agent.id);
      await a.page.selectOption('select[data-action=status]', 'away');
      await b.page.waitForFunction((id) => document.querySelector(`[data-agent-status="${id}"] .dot`)?.dataset.status === 'away', s.people.agent.id);
      assert.equal(await dot.getAttribute('title'), 'Away');
      await a.page.selectOption('select[data-action=status]', 'online');
      await b.page.waitForFunction((id) => document.querySelector(`[data-agent-status="${id}"] .dot`)?.dataset.status === 'online', s.people.agent.id);
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });
});

describe('admin screens', () => {
  test('a plain agent has no admin link and is turned away from #/admin', async () => {
    const { context, page } = await signedIn('agent2');
    try {
      assert.equal(await page.locator('[data-action=admin]').count(), 0);
      await page.goto(`${s.server.url}/agent/#/admin/groups`);
      await page.locator('[data-denied=admin]').waitFor();
      assert.equal(await page.locator('[data-admin]').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('an admin creates a group with a member, a dropdown field and an API token', async () => {
    const { context, page } = await signedIn('admin');
    try {
      await page.click('[data-action=admin]');
      await page.locator('[data-admin=agents]').waitFor();
      await page.click('[data-section=groups]');
      await page.locator('[data-admin=groups]').waitFor();
      const gname = `그룹 ${word()}`;
      await page.fill('[data-form=group] input[name=group-name]', gname);
      await page.click('[data-form=group] button[type=submit]');
      const li = page.locator('[data-admin=groups] li[data-group]', { hasText: gname });
      await li.waitFor();
      const gid = Number(await li.getAttribute('data-group'));
      await li.locator('button', { hasText: 'Members' }).click();
      await li.locator('select[name=add-member]').selectOption(String(s.people.agent.id));
      await li.locator('.members > button').click();
      await li.locator(`[data-member="${s.people.agent.id}"]`).waitFor();
      const m = await api(`/groups/${gid}/memberships.json`);
      assert.deepEqual(m.body.group_memberships.map((x) => x.user_id), [s.people.agent.id]);

      await page.click('[data-section=fields]');
      await page.locator('[data-admin=fields]').waitFor();
      const ftitle = `Product ${word()}`;
      await page.fill('[data-form=field] input[name=field-title]', ftitle);
      await page.selectOption('[data-form=field] select[name=field-type]', 'tagger');
      await page.fill('[data-form=field] textarea[name=field-options]', 'Basic plan=plan_basic\n프로 요금제=plan_pro');
      await page.click('[data-form=field] button[type=submit]');
      await page.locator('[data-admin=fields] tr', { hasText: ftitle }).waitFor();
      await shot(page, 'admin-fields');
      const f = (await api('/ticket_fields.json')).body.ticket_fields.find((x) => x.title === ftitle);
      assert.equal(f.type, 'tagger');
      assert.deepEqual(f.custom_field_options.map((o) => [o.name, o.value]), [['Basic plan', 'plan_basic'], ['프로 요금제', 'plan_pro']]);

      await page.click('[data-section=tokens]');
      await page.locator('[data-admin=tokens]').waitFor();
      await page.fill('input[name=token-description]', 'e2e integration');
      await page.click('[data-form=token] button[type=submit]');
      const token = (await page.locator('code.token').textContent()).trim();
      const me = await rawFetch('/api/v2/users/me.json', { who: null, headers: { Authorization: 'Basic ' + Buffer.from(`${s.people.admin.email}/token:${token}`).toString('base64') } });
      assert.equal(me.status, 200, show(me));
      assert.ok(!(await page.locator('[data-admin=tokens] table').textContent()).includes(token), 'the list never shows the secret');
    } finally {
      await context.close();
    }
  });
});

describe('assets', () => {
  // Chromium offers br only to secure origins; over plain http to
  // 127.0.0.1 it asks for gzip.  Either way the answer is the best coding
  // the request allows.
  test('the browser gets the JS and CSS compressed as it asked (br or gzip), cached as immutable', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const seen = [];
    p.on('response', async (r) => {
      if (/\/assets\//.test(r.url())) seen.push({ url: r.url(), headers: await r.allHeaders(), asked: await r.request().headerValue('accept-encoding') });
    });
    await p.goto(`${s.server.url}/agent/`);
    await p.locator('.login').waitFor();
    await ctx.close();
    assert.ok(seen.length >= 2, JSON.stringify(seen.map((x) => x.url)));
    for (const x of seen) {
      const want = /\bbr\b/.test(x.asked || '') ? 'br' : 'gzip';
      assert.equal(x.headers['content-encoding'], want, `${x.url} (asked ${x.asked})`);
      assert.equal(x.headers.vary, 'Accept-Encoding', x.url);
      assert.match(x.headers['cache-control'], /immutable/, x.url);
    }
  });
});

async function waitFor(pred) {
  for (let i = 0; i < 200; i++) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('condition never held');
}
