// selfservice.test.mjs - self-service as customers and agents use it, in
// Debian's Chromium over the demo knowledge base: a troubleshooting flow
// walked step by step with links to the prefilled contact form (the steps
// taken land in the ticket); a misspelled English search that still finds
// the right article; the contact form with a ticket form's dropdown and
// an attachment, which shows on the request page through the status link;
// and in the agent workspace, the ticket's knowledge box listing the
// article the customer read before writing, with "create article from
// this ticket".  Any JavaScript error or dialog is reported; every test
// opens its own context.
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { env, rawFetch, launch, openApp, signIn } from './lib.mjs';

let s;
let browser;
before(async () => {
  s = await env();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

async function visit(url) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('dialog', (d) => d.dismiss().catch(() => {}));
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(`${s.server.url}${url}`);
  return { context, page };
}

const api = (who, method, p, body) => rawFetch(`/api/v2${p}`, { method, who,
  ...(body ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {}) });

describe('self-service in the browser', () => {
  let flowTicket = 0;

  test('a troubleshooting flow leads, link by link, to a prefilled contact form', async () => {
    const { context, page } = await visit('/hc/en-us/search?query=step-by-step%20sign%20in');
    try {
      await page.click('text=Can\'t sign in? Step-by-step troubleshooting');
      await page.click('a.flow-start');
      await page.locator('.flow-step h2', { hasText: 'signed up with' }).waitFor();
      await page.click('a.flow-option:has-text("Yes")');
      await page.locator('.flow-step h2', { hasText: 'password reset email' }).waitFor();
      assert.equal(await page.locator('ol.flow-taken li').count(), 1);
      await page.click('a.flow-option:has-text("No email arrived")');
      // the contact form, prefilled
      await page.waitForURL(/\/hc\/en-us\/requests\/new\?flow=\d+&path=0\.1$/);
      assert.equal(await page.inputValue('input[name=subject]'), 'Can\'t sign in? Step-by-step troubleshooting');
      const tried = await page.locator('.flow-tried').innerText();
      assert.match(tried, /Are you signing in with the email address you signed up with\? -> Yes/);
      assert.match(tried, /Did the password reset email arrive\? -> No email arrived/);
      await page.fill('input[name=email]', 'flow-walker@example.com');
      await page.fill('textarea[name=description]', 'Still locked out.');
      await page.click('#request-form button[type=submit]');
      const num = await page.locator('.ticket-number').innerText();
      flowTicket = Number(/#(\d+)/.exec(num)[1]);
      const c = await api('admin', 'GET', `/tickets/${flowTicket}/comments.json`);
      assert.match(c.body.comments[0].body, /Troubleshooting steps the customer took: Can't sign in\?/);
      assert.match(c.body.comments[0].body, /2\. Did the password reset email arrive\? -> No email arrived/);
    } finally {
      await context.close();
    }
  });

  test('a misspelled English search still finds the article', async () => {
    const { context, page } = await visit('/hc/en-us');
    try {
      await page.fill('header input[type=search]', 'refnud polcy');
      await page.press('header input[type=search]', 'Enter');
      await page.waitForURL(/\/search\?query=/);
      const first = page.locator('main ul.list li a').first();
      assert.equal(await first.innerText(), 'Refund policy');
      await page.fill('header input[type=search]', 'internatonal shiping');
      await page.press('header input[type=search]', 'Enter');
      await page.waitForURL(/query=internatonal/);
      assert.equal(await page.locator('main ul.list li a').first().innerText(), 'International shipping');
    } finally {
      await context.close();
    }
  });

  test('the contact form with a dropdown and an attachment; the file shows on the request page', async () => {
    const f = await api('admin', 'POST', '/ticket_fields.json', { ticket_field: { type: 'tagger', title: 'Device', visible_in_portal: true, editable_in_portal: true, required_in_portal: true,
      custom_field_options: [{ name: 'Phone app', value: 'device_phone' }, { name: 'Website', value: 'device_web' }] } });
    assert.equal(f.status, 201, JSON.stringify(f.body));
    const form = await api('admin', 'POST', '/ticket_forms.json', { ticket_form: { name: 'App problems', display_name: 'Problems with the app', default: true, ticket_field_ids: [f.body.ticket_field.id] } });
    assert.equal(form.status, 201);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sonnim-e2e-')), 'screen-recording.txt');
    fs.writeFileSync(file, 'steps: open app, tap pay, crash\n');
    const { context, page } = await visit('/hc/en-us/requests/new');
    try {
      await page.fill('input[name=email]', 'attach@example.com');
      await page.fill('input[name=subject]', 'The app crashes when I pay');
      await page.fill('textarea[name=description]', 'Log attached.');
      await page.selectOption(`select[name=field_${f.body.ticket_field.id}]`, 'device_phone');
      await page.setInputFiles('input[type=file][name=attachments]', file);
      await page.click('#request-form button[type=submit]');
      await page.locator('.ticket-number').waitFor();
      const id = Number(/#(\d+)/.exec(await page.locator('.ticket-number').innerText())[1]);
      const t = await api('admin', 'GET', `/tickets/${id}.json`);
      assert.equal(t.body.ticket.custom_fields.find((c) => c.id === f.body.ticket_field.id).value, 'device_phone');
      await page.click('a.status-link');
      const link = page.locator('ul.attachments a', { hasText: 'screen-recording.txt' });
      await link.waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const got = fs.readFileSync(await download.path(), 'utf8');
      assert.equal(got, 'steps: open app, tap pay, crash\n');
    } finally {
      await context.close();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      await api('admin', 'PUT', `/ticket_forms/${form.body.ticket_form.id}.json`, { ticket_form: { active: false } });
    }
  });

  test('the agent sees what the customer read, and turns the ticket into a draft article', async () => {
    // a visitor reads an article, then writes in from the same browser
    const { context: vc, page: vp } = await visit('/hc/en-us/search?query=charged%20twice');
    let id;
    try {
      await vp.click('main ul.list li a >> nth=0');
      const title = await vp.locator('article h1').innerText();
      await vp.goto(`${s.server.url}/hc/en-us/requests/new`);
      await vp.fill('input[name=email]', 'reader@example.com');
      await vp.fill('input[name=subject]', 'Two charges on my card');
      await vp.fill('textarea[name=description]', 'I read the article but both are still there.');
      const dd = vp.locator('select[name^=field_]');
      for (let i = 0; i < await dd.count(); i++) await dd.nth(i).selectOption({ index: 1 });
      await vp.click('#request-form button[type=submit]');
      id = Number(/#(\d+)/.exec(await vp.locator('.ticket-number').innerText())[1]);
      assert.ok(id > 0 && title);
      const { context, page } = await openApp(browser, s.server);
      try {
        await signIn(page, s.people.admin);
        await page.locator('.list, .views').first().waitFor();
        await page.goto(`${s.server.url}/agent/#/tickets/${id}`);
        const viewed = page.locator('.kb-panel ul.kb-viewed a', { hasText: title });
        await viewed.waitFor();
        await page.locator('.kb-panel select[name=kb-section] option').first().waitFor({ state: 'attached' });
        await page.click('.kb-panel button.kb-draft');
        await page.locator('.kb-panel .kb-done').waitFor();
        const reqs = await api('admin', 'GET', '/sonnim/help_center/article_requests.json?status=drafted');
        assert.ok(reqs.body.article_requests.some((q) => q.ticket_id === id && q.article_id));
      } finally {
        await context.close();
      }
    } finally {
      await vc.close();
    }
  });
});
