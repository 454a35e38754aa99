// helpcenter.test.mjs - the public help center and the customer portal as a
// visitor uses them, in Debian's Chromium: the language redirect and the
// locale switch, category -> section -> article, search in Korean and
// English over the demo knowledge base (`sonnim init --demo`, see
// src/cmd/demo_kb.c), "was this helpful?", the contact form with its
// suggestions (suggest.js), a submission with script payloads that render
// inert (any JavaScript dialog fails the test), the status link from the
// confirmation with a reply through it, and password sign-in to "my
// requests".  One browser; every test opens its own context.
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch, launch } from './lib.mjs';

const XSS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</textarea><script>alert(4)</script>',
  '<a href="javascript:alert(5)">x</a>',
].join(' ');

let s;
let browser;
const dialogs = [];
before(async () => {
  s = await env();
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
});

// A page in its own context; every dialog (alert, confirm...) is recorded
// and dismissed, and fails the test that opened the page.
async function visit(url, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(`${s.server.url}${url}`);
  return { context, page };
}

function noDialogs() {
  assert.deepEqual(dialogs, [], 'a script payload ran');
}

// Nothing from the payloads became an element in the page (the contact
// form's own suggestion script aside).
async function assertNoActiveElements(page, what) {
  const found = await page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('main *')) {
      const tag = el.tagName.toLowerCase();
      if (tag === 'script' && el.getAttribute('src') === '/hc/assets/suggest.js' && el.attributes.length === 2) continue;
      if (['script', 'img', 'svg', 'iframe', 'object', 'embed'].includes(tag)) bad.push(tag);
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) bad.push(`${tag}[${a.name}]`);
        if (/^\s*javascript:/i.test(a.value)) bad.push(`${tag}[${a.name}=${a.value}]`);
      }
    }
    return bad;
  });
  assert.deepEqual(found, [], `${what}: active elements from the payload`);
}

async function search(page, query) {
  await page.fill('header input[name=query]', query);
  await Promise.all([page.waitForURL(/\/search\?query=/), page.press('header input[name=query]', 'Enter')]);
  return page.locator('main ul.list li a').allTextContents();
}

describe('help center', () => {
  test('a Korean browser: category -> section -> article, and a search for 배송', async () => {
    const { context, page } = await visit('/hc', { locale: 'ko-KR' });
    try {
      assert.match(page.url(), /\/hc\/ko$/);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
      assert.equal(await page.locator('main h1').textContent(), '고객센터');
      await page.click('main .card h2 a:text-is("배송")');
      await page.waitForURL(/\/hc\/ko\/categories\/\d+$/);
      await page.click('main a[href^="/hc/ko/sections/"]:text-is("배송")');
      await page.waitForURL(/\/hc\/ko\/sections\/\d+$/);
      await page.click('main a:text-is("배송 지연 안내")');
      await page.waitForURL(/\/hc\/ko\/articles\/\d+$/);
      assert.equal(await page.title(), '배송 지연 안내 - 고객센터');
      assert.match(await page.locator('main article').textContent(), /출고가 1~2일 늦어질 수 있습니다/);
      assert.match(await page.locator('nav.crumbs').textContent(), /배송/);
      const found = await search(page, '배송');
      assert.ok(found.includes('배송 지연 안내'), `search 배송: ${found.join(', ')}`);
      assert.equal(await page.locator('main .snippet em').first().textContent(), '배송');
      noDialogs();
    } finally {
      await context.close();
    }
  });

  test('an English browser, the locale switch, and a search for refund', async () => {
    const { context, page } = await visit('/hc/ko', { locale: 'en-US' });
    try {
      await page.click('header a[lang=en]');
      await page.waitForURL(/\/hc\/en-us$/);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      assert.equal(await page.locator('main h1').textContent(), 'Help Center');
      const found = await search(page, 'refund');
      assert.ok(found.includes('Refund policy'), `search refund: ${found.join(', ')}`);
      await page.click('main ul.list a:text-is("Refund policy")');
      await page.waitForURL(/\/hc\/en-us\/articles\/\d+$/);
      assert.equal(await page.locator('main h1').textContent(), 'Refund policy');
      // and back to Korean from the header
      await page.click('header a[lang=ko]');
      await page.waitForURL(/\/hc\/ko$/);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
      // with no Korean in the browser's languages, /hc is English
      await page.goto(`${s.server.url}/hc`);
      assert.match(page.url(), /\/hc\/en-us$/);
      noDialogs();
    } finally {
      await context.close();
    }
  });

  test('"was this helpful?": a yes vote is recorded and counted on the page', async () => {
    const { context, page } = await visit('/hc/en-us/search?query=refund');
    try {
      await page.click('main ul.list a:text-is("Refund policy")');
      await page.waitForURL(/\/hc\/en-us\/articles\/\d+$/);
      const id = Number(/articles\/(\d+)$/.exec(page.url())[1]);
      const before = (await rawFetch(`/api/v2/help_center/articles/${id}.json`, { who: 'admin' })).body.article;
      await Promise.all([page.waitForURL(/\?voted=1$/), page.click('.vote button[value=up]')]);
      assert.equal(await page.locator('.vote p').first().textContent(), 'Thank you for your feedback.');
      const a = (await rawFetch(`/api/v2/help_center/articles/${id}.json`, { who: 'admin' })).body.article;
      assert.equal(a.vote_count, before.vote_count + 1);
      assert.equal(a.vote_sum, before.vote_sum + 1);
      const up = (a.vote_count + a.vote_sum) / 2;
      assert.equal(await page.locator('.vote .meta').textContent(), `${up} of ${a.vote_count} found this helpful`);
      noDialogs();
    } finally {
      await context.close();
    }
  });
});

describe('contact form, status link and portal', () => {
  const customer = { name: '폼 고객 Form Customer', email: `e2e-form-${Date.now()}@customer.test`, password: 'Portal-비밀번호-e2e-1' };
  let id;
  let statusLink;
  const subject = `Refund for a damaged parcel ${XSS}`;
  const description = `The box arrived crushed. ${XSS}`;
  const reply = `Photos are attached. ${XSS}`;

  before(async () => {
    const u = await rawFetch('/api/v2/users.json', {
      method: 'POST', who: 'admin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: { name: customer.name, email: customer.email, role: 'end-user' } }),
    });
    assert.equal(u.status, 201, u.text);
    customer.id = u.body.user.id;
    const p = await rawFetch(`/api/v2/users/${customer.id}/password.json`, {
      method: 'POST', who: 'admin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: customer.password }),
    });
    assert.equal(p.status, 200, p.text);
  });

  test('suggestions while typing the subject; a refused form shows the payloads as text', async () => {
    const { context, page } = await visit('/hc/en-us/requests/new');
    try {
      await page.locator('#f-subject').pressSequentially('refund policy');
      const first = page.locator('#suggestions ul.list li a').first();
      await first.waitFor();
      const titles = await page.locator('#suggestions ul.list li a').allTextContents();
      assert.ok(titles.includes('Refund policy'), `suggestions: ${titles.join(', ')}`);
      assert.match(await first.getAttribute('href'), /^\/hc\/en-us\/articles\/\d+$/);
      // an invalid address: the form comes back with every value as typed
      // (the browser's own check of type=email is turned off, as a script
      // posting the form would)
      await page.evaluate(() => { document.getElementById('request-form').noValidate = true; });
      await page.fill('#f-subject', subject);
      await page.fill('#f-description', description);
      await page.fill('#f-email', XSS);
      await page.fill('#f-name', XSS);
      await Promise.all([page.waitForNavigation(), page.click('#request-form button[type=submit]')]);
      await page.locator('ul.errors').waitFor();
      assert.match(await page.locator('ul.errors').textContent(), /Please enter a valid email address/);
      assert.equal(await page.inputValue('#f-subject'), subject);
      assert.equal(await page.inputValue('#f-description'), description);
      assert.equal(await page.inputValue('#f-email'), XSS);
      await assertNoActiveElements(page, 'the refused form');
      noDialogs();
    } finally {
      await context.close();
    }
  });

  test('a submission with script payloads: the confirmation with the ticket number, nothing runs', async () => {
    const { context, page } = await visit('/hc/en-us/requests/new');
    try {
      await page.fill('#f-subject', subject);
      await page.fill('#f-description', description);
      await page.fill('#f-email', customer.email);
      await page.fill('#f-name', customer.name);
      await Promise.all([page.waitForNavigation(), page.click('#request-form button[type=submit]')]);
      const num = await page.locator('.ticket-number').textContent();
      id = Number(/#(\d+)/.exec(num)[1]);
      assert.equal(await page.locator('main h1').textContent(), 'Your request was received.');
      statusLink = await page.locator('a.status-link').getAttribute('href');
      assert.match(statusLink, new RegExp(`^/hc/en-us/requests/${id}\\?token=[0-9a-f]{40}$`));
      const t = (await rawFetch(`/api/v2/tickets/${id}.json`, { who: 'admin' })).body.ticket;
      assert.equal(t.subject, subject);
      assert.equal(t.requester_id, customer.id, 'the form found the customer by address');
      assert.equal(t.via.channel, 'web');
      // follow the status link: the request and its conversation, payloads as text
      await Promise.all([page.waitForURL(/\/requests\/\d+\?token=/), page.click('a.status-link')]);
      assert.equal(await page.locator('main h1').textContent(), `Request #${id}: ${subject}`);
      const comments = page.locator('main .comment');
      assert.equal(await comments.count(), 1);
      assert.ok((await comments.first().textContent()).includes(description), 'the description as text');
      await assertNoActiveElements(page, 'the request page');
      // reply through it
      await page.fill('#f-body', reply);
      await Promise.all([page.waitForNavigation(), page.click('button[name=action][value=reply]')]);
      await page.waitForFunction(() => document.querySelectorAll('main .comment').length === 2);
      assert.ok((await comments.last().textContent()).includes(reply), 'the reply as text');
      assert.ok(page.url().endsWith(statusLink));
      await assertNoActiveElements(page, 'the request page after the reply');
      const cs = (await rawFetch(`/api/v2/tickets/${id}/comments.json`, { who: 'admin' })).body.comments;
      assert.equal(cs.at(-1).body, reply);
      assert.equal(cs.at(-1).author_id, customer.id);
      noDialogs();
    } finally {
      await context.close();
    }
  });

  test('password sign-in: the request is under "my requests" with its conversation', async () => {
    assert.ok(id, 'the submission test made a ticket');
    const { context, page } = await visit('/hc/en-us/signin');
    try {
      const f = page.locator('form[action="/hc/en-us/signin"]');
      await f.locator('input[name=email]').fill(customer.email);
      await f.locator('input[name=password]').fill(customer.password);
      await Promise.all([page.waitForURL(/\/hc\/en-us\/requests$/), f.locator('button[type=submit]').click()]);
      const mine = page.locator(`main ul.list a[href="/hc/en-us/requests/${id}"]`);
      assert.equal(await mine.textContent(), `#${id} ${subject}`);
      await assertNoActiveElements(page, 'my requests');
      await Promise.all([page.waitForURL(new RegExp(`/hc/en-us/requests/${id}$`)), mine.click()]);
      const texts = await page.locator('main .comment').allTextContents();
      assert.equal(texts.length, 2);
      assert.ok(texts[0].includes(description) && texts[1].includes(reply));
      assert.equal(await page.locator('input[name=token]').count(), 0, 'the session, not the status token');
      await assertNoActiveElements(page, 'the request page, signed in');
      noDialogs();
    } finally {
      await context.close();
    }
  });
});
