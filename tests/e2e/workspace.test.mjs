// workspace.test.mjs - the agent workspace as a person uses it, in Debian's
// Chromium: sign-in (and who is turned away), views and their counts, a
// ticket page, the keyboard-only reply and note, the live view, dark mode
// and the Korean UI.  Screenshots go to $SONNIM_E2E_SCREENSHOTS (run.sh
// sets a temp dir; `SONNIM_E2E_SCREENSHOTS=docs/screenshots sh
// tests/e2e/run.sh` refreshes the README's).
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { env, client, call, show, launch, openApp, signIn } from './lib.mjs';

const SHOTS = process.env.SONNIM_E2E_SCREENSHOTS || '';
const VIEWS = {
  mine: 'type:ticket assignee:me status<solved',
  unassigned: 'type:ticket assignee:none status<solved',
  unsolved: 'type:ticket status<solved',
  recent: 'type:ticket updated>7days',
  pending: 'type:ticket status:pending',
  solved: 'type:ticket status:solved updated>7days',
};

async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

let s;
let browser;
before(async () => {
  s = await env();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

describe('signing in', () => {
  test('a bad password is refused with a clear message', async () => {
    const { context, page } = await openApp(browser, s.server);
    try {
      await signIn(page, { email: s.people.agent.email, password: 'not the password' });
      const alert = page.locator('.login [role=alert]');
      await alert.waitFor();
      assert.match(await alert.textContent(), /Wrong email or password/);
      assert.equal(await page.locator('.shell').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('an end-user is turned away and keeps no session', async () => {
    const { context, page } = await openApp(browser, s.server);
    try {
      await signIn(page, s.people.enduser);
      const alert = page.locator('.login [role=alert]');
      await alert.waitFor();
      assert.match(await alert.textContent(), /workspace is for agents/);
      // the session was ended: a reload still shows the sign-in page
      await page.reload();
      await page.locator('.login').waitFor();
      const r = await page.evaluate(async () => (await fetch('/api/v2/sonnim/session.json')).status);
      assert.equal(r, 401);
      // and the stream refuses an end-user's session
      await signIn(page, s.people.enduser);
      await page.locator('.login [role=alert]').waitFor();
    } finally {
      await context.close();
    }
  });

  test('an end-user session made elsewhere does not open the workspace', async () => {
    const { context, page } = await openApp(browser, s.server);
    try {
      const status = await page.evaluate(async (p) => {
        const r = await fetch('/api/v2/sonnim/session.json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(p) });
        const stream = await fetch('/api/v2/sonnim/stream');
        return [r.status, stream.status];
      }, { email: s.people.enduser.email, password: s.people.enduser.password });
      assert.deepEqual(status, [200, 403]);
      await page.reload();
      await page.locator('.login').waitFor();
      assert.equal(await page.locator('.shell').count(), 0);
    } finally {
      await context.close();
    }
  });
});

describe('an agent at work', () => {
  let context;
  let page;
  before(async () => {
    ({ context, page } = await openApp(browser, s.server));
    await signIn(page, s.people.admin);
    await page.locator('.shell').waitFor();
  });
  after(async () => { await context.close(); });

  test('the view counts match the API', async () => {
    const admin = client('admin');
    for (const [key, query] of Object.entries(VIEWS)) {
      const el = page.locator(`[data-count=${key}]`);
      await page.waitForFunction((k) => /^\d+$/.test(document.querySelector(`[data-count=${k}]`).textContent), key);
      const r = await call(admin, admin.tickets.request('GET', ['search', 'count', { query }]));
      assert.equal(r.status, 200, show(r));
      assert.equal(Number(await el.textContent()), r.body.count, `view ${key}`);
    }
  });

  test('a view lists its tickets; Enter opens the selected one', async () => {
    await page.click('[data-view=unsolved]');
    await page.locator('.list tbody tr').first().waitFor();
    const n = await page.locator('.list tbody tr').count();
    const count = Number(await page.locator('[data-count=unsolved]').textContent());
    assert.equal(n, Math.min(count, 100));
    await shot(page, 'views-light');
    await page.keyboard.press('j');
    const second = await page.locator('.list tbody tr.selected').getAttribute('data-ticket');
    await page.keyboard.press('Enter');
    await page.locator(`.conversation[data-ticket="${second}"]`).waitFor();
    assert.match(page.url(), new RegExp(`#/tickets/${second}$`));
    assert.ok(await page.locator('.conversation .comment').count() >= 1);
    assert.ok(await page.locator('.side select[name=status]').count() === 1);
  });

  test('reply and add an internal note using only the keyboard', async () => {
    const id = Number(await page.locator('.ticket').getAttribute('data-ticket-id'));
    const before = await page.locator('.conversation .comment').count();
    await page.keyboard.press('r');
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'comment');
    await page.keyboard.type('키보드로 쓴 답변입니다. Replied from the keyboard.');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.conversation .comment').length === n + 1, before);
    // a submit hands the keys back to the shortcuts: n works at once
    await page.waitForFunction(() => document.activeElement.name !== 'comment');
    await page.keyboard.press('n');
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'comment');
    await page.keyboard.type('내부 메모: only agents see this.');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.conversation .comment').length === n + 2, before);
    const admin = client('admin');
    const comments = await admin.tickets.getComments(id);
    const [reply, note] = comments.slice(-2);
    assert.equal(reply.public, true);
    assert.match(reply.body, /Replied from the keyboard/);
    assert.equal(note.public, false);
    assert.match(note.body, /only agents see this/);
    const last = page.locator('.conversation .comment').last();
    assert.match(await last.getAttribute('class'), /internal/);
    await shot(page, 'ticket-light');
  });

  test('j and k move between tickets on the ticket page', async () => {
    const first = await page.locator('.ticket').getAttribute('data-ticket-id');
    await page.keyboard.press('j');
    await page.waitForFunction((f) => document.querySelector('.ticket') && document.querySelector('.ticket').dataset.ticketId !== f, first);
    await page.keyboard.press('k');
    await page.waitForFunction((f) => document.querySelector('.conversation') && document.querySelector('.conversation').dataset.ticket === f, first);
  });

  test('g v goes back to the view; ? shows the cheat sheet', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('v');
    await page.locator('.list').waitFor();
    await page.keyboard.press('?');
    await page.locator('.help').waitFor();
    assert.match(await page.locator('.help').textContent(), /Ctrl\+Enter/);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.help').count(), 0);
  });

  test('a ticket created through the API shows up in the open view within a second', async () => {
    await page.click('[data-view=unsolved]');
    await page.locator('.list tbody tr').first().waitFor();
    const subject = `실시간 티켓 ${Date.now()}`;
    const admin = client('admin');
    const t0 = Date.now();
    const r = await call(admin, admin.tickets.create({ ticket: { subject, comment: { body: 'SSE' } } }));
    assert.equal(r.status, 201, show(r));
    await page.locator(`.list tbody tr[data-ticket="${r.result.id}"]`).waitFor({ timeout: 5000 });
    const ms = Date.now() - t0;
    assert.ok(ms < 1000, `the new ticket took ${ms} ms to show up`);
  });

  test('dark mode renders and is remembered', async () => {
    await page.click('[data-action=theme]');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 100, `dark background, got ${bg}`);
    await page.reload();
    await page.locator('.shell').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.locator('.list tbody tr').first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.conversation').waitFor();
    await shot(page, 'ticket-dark');
    await page.click('[data-action=theme]');
  });

  test('the Korean UI renders and is remembered', async () => {
    await page.click('[data-action=lang]');
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    await page.keyboard.press('g');
    await page.keyboard.press('v');
    await page.locator('.list').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
    assert.match(await page.locator('.views').textContent(), /모든 미해결 티켓/);
    assert.match(await page.locator('.signout').textContent(), /로그아웃/);
    await shot(page, 'views-korean');
    await page.click('[data-action=lang]');
  });

  test('a Korean browser gets the Korean UI by default', async () => {
    const k = await openApp(browser, s.server, { locale: 'ko-KR' });
    try {
      await k.page.locator('.login').waitFor();
      assert.match(await k.page.locator('.login h1').textContent(), /상담원/);
    } finally {
      await k.context.close();
    }
  });

  test('sign out ends the session', async () => {
    await page.click('.signout');
    await page.locator('.login').waitFor();
    const r = await page.evaluate(async () => (await fetch('/api/v2/sonnim/session.json')).status);
    assert.equal(r, 401);
  });
});
