// messenger.test.mjs - the web messenger end to end: a customer on a
// website of another origin (tests/e2e/fixtures/site.html, served by a tiny
// static server started here) talks through the embedded widget with an
// agent in the workspace, each in their own browser context: messages both
// ways, typing both ways, a file, the history after a reload, a signed
// identity on a second "device", an unlisted site refused by the iframe's
// CSP, and two agents on one ticket warned of each other (collision).
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, rawFetch, show, launch, openApp, signIn } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'e2e-shop-secret-0123456789';
const TEMPLATE = fs.readFileSync(path.join(here, 'fixtures', 'site.html'), 'utf8');

function signJwt(claims) {
  const b = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const input = `${b({ alg: 'HS256', typ: 'JWT' })}.${b(claims)}`;
  return `${input}.${crypto.createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

// A static "customer website" on its own loopback port (its own origin).
function siteServer(sonnimUrl, key) {
  const srv = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const jwt = u.searchParams.get('jwt');
    const page = TEMPLATE.replaceAll('{{SONNIM}}', sonnimUrl).replaceAll('{{KEY}}', key)
      .replaceAll('{{JWT_ATTR}}', jwt ? `data-jwt="${jwt}"` : '');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ srv, url: `http://127.0.0.1:${srv.address().port}` })));
}

let s;
let browser;
let shop;
let other;
let site;

before(async () => {
  s = await env();
  browser = await launch();
  shop = await siteServer(s.server.url, 'pending');
  other = await siteServer(s.server.url, 'pending');
  const r = await rawFetch('/api/v2/sonnim/messenger/sites.json', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ site: { name: 'Hanbit Shop', origins: [shop.url], jwt_secret: SECRET, greeting: 'Hi! How can we help?', bot: false } }),
  });
  assert.equal(r.status, 201, show(r));
  site = r.body.site;
  for (const x of [shop, other]) {
    x.srv.removeAllListeners('request');
    x.srv.on('request', (req, res) => {
      const u = new URL(req.url, 'http://x');
      const jwt = u.searchParams.get('jwt');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(TEMPLATE.replaceAll('{{SONNIM}}', s.server.url).replaceAll('{{KEY}}', site.key)
        .replaceAll('{{JWT_ATTR}}', jwt ? `data-jwt="${jwt}"` : ''));
    });
  }
});

after(async () => {
  if (browser) await browser.close();
  shop?.srv.close();
  other?.srv.close();
});

async function customerPage(url, context) {
  const ctx = context || await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 800 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => process.stderr.write(`customer page error: ${e.message}\n`));
  await page.goto(url);
  const frame = page.frameLocator('iframe[data-sonnim-messenger]');
  await frame.locator('[data-launcher]').waitFor();
  return { ctx, page, frame };
}

describe('messenger: a customer and an agent', () => {
  let cust;
  let agent;
  let ticketId;
  const jwt = signJwt({ external_id: 'e2e-cust-1', email: 'e2e-cust-1@example.com', name: 'Jiwoo Han', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 });

  before(async () => {
    cust = await customerPage(`${shop.url}/?jwt=${jwt}`);
    agent = await openApp(browser, s.server);
    await signIn(agent.page, s.people.agent);
    await agent.page.locator('.shell').waitFor();
  });
  after(async () => {
    await cust.ctx.close();
    await agent.context.close();
  });

  test('the customer writes; the ticket appears for the agent with the message', async () => {
    const f = cust.frame;
    await f.locator('[data-launcher]').click();
    await f.getByText('Hi! How can we help?').waitFor();
    await f.getByRole('button', { name: 'New conversation' }).click();
    await f.locator('textarea[name=message]').fill('My parcel has not arrived yet (주문 1234)');
    await f.getByRole('button', { name: 'Send' }).click();
    await f.locator('.msg.visitor', { hasText: 'My parcel has not arrived yet' }).waitFor();
    const convs = JSON.parse(await cust.page.frames().find((x) => x.url().includes('/messenger/frame')).evaluate(() => JSON.stringify(Object.entries(localStorage))));
    const held = JSON.parse(convs.find(([k]) => k.endsWith(':convs'))[1]);
    const h = await rawFetch(`/messenger/v1/conversations/${held[0].id}/messages`, { who: 'anonymous', headers: { Authorization: `Bearer ${held[0].token}` } });
    ticketId = h.body.conversation.ticket_id;
    await agent.page.goto(`${s.server.url}/agent/#/tickets/${ticketId}`);
    await agent.page.locator('.conversation .comment', { hasText: 'My parcel has not arrived yet' }).waitFor();
    // the agent has it open: the customer sees "Seen" under their message
    await f.locator('.seen', { hasText: 'Seen' }).waitFor();
  });

  test('typing shows on both sides, and the reply arrives live', async () => {
    const f = cust.frame;
    await f.locator('textarea[name=message]').pressSequentially('Any news');
    await agent.page.locator('[data-presence=typing]').waitFor();
    assert.match(await agent.page.locator('[data-presence=typing]').textContent(), /Jiwoo Han/);
    await agent.page.locator('textarea[name=comment]').pressSequentially('Let me check');
    await f.locator('[data-typing]', { hasText: 'is typing' }).waitFor();
    await agent.page.locator('textarea[name=comment]').fill('Let me check that for you — it ships today.');
    await agent.page.locator('button[data-submit=pending]').click();
    await f.locator('.msg.agent', { hasText: 'it ships today' }).waitFor();
    // and the customer's next message appears in the open ticket without a reload
    await f.locator('textarea[name=message]').fill('Great, thank you!');
    await f.locator('textarea[name=message]').press('Enter');
    await agent.page.locator('.conversation .comment', { hasText: 'Great, thank you!' }).waitFor();
    // the agent sees the read receipt of the reply
    await agent.page.locator('[data-presence=read]').waitFor();
  });

  test('an attachment goes both ways through the widget', async () => {
    const f = cust.frame;
    await f.locator('input[data-file]').setInputFiles({ name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from('order 1234 receipt') });
    await f.locator('[data-attachment="receipt.txt"]').waitFor();
    // the workspace shows the new message live; the file is on its comment
    await agent.page.locator('.conversation .comment', { hasText: '(file)' }).waitFor();
    const c = await rawFetch(`/api/v2/tickets/${ticketId}/comments.json`, { who: 'agent' });
    assert.ok(c.body.comments.some((x) => x.attachments.some((a) => a.file_name === 'receipt.txt')), show(c));
  });

  test('a reload keeps the history', async () => {
    await cust.page.reload();
    const f = cust.page.frameLocator('iframe[data-sonnim-messenger]');
    await f.locator('[data-launcher]').click();
    await f.locator('button.conv').first().click();
    await f.locator('.msg.agent', { hasText: 'it ships today' }).waitFor();
    await f.locator('.msg.visitor', { hasText: 'My parcel has not arrived yet' }).waitFor();
  });

  test('the signed-in customer sees the same conversation on a second device', async () => {
    const two = await customerPage(`${shop.url}/?jwt=${jwt}`);
    try {
      await two.frame.locator('[data-launcher]').click();
      await two.frame.locator('button.conv').first().waitFor();
      await two.frame.locator('button.conv').first().click();
      await two.frame.locator('.msg.agent', { hasText: 'it ships today' }).waitFor();
    } finally {
      await two.ctx.close();
    }
  });

  test('another agent on the same ticket sees the collision warning', async () => {
    const admin = await openApp(browser, s.server);
    try {
      await signIn(admin.page, s.people.admin);
      await admin.page.locator('.shell').waitFor();
      await admin.page.goto(`${s.server.url}/agent/#/tickets/${ticketId}`);
      await admin.page.locator('.conversation').waitFor();
      await agent.page.locator('[data-presence=viewing]').waitFor();
      await admin.page.locator('textarea[name=comment]').pressSequentially('I will take this');
      await agent.page.locator('[data-presence=collision]').waitFor();
      await admin.page.locator('[data-presence=viewing], [data-presence=collision]').first().waitFor();
    } finally {
      await admin.context.close();
    }
  });
});

describe('messenger: in Korean', () => {
  test('a Korean browser gets the Korean messenger with the reply-time notice', async () => {
    const ctx = await browser.newContext({ locale: 'ko-KR' });
    try {
      const { frame } = await customerPage(`${shop.url}/`, ctx);
      await frame.getByRole('button', { name: '메신저 열기' }).click();
      await frame.getByRole('button', { name: '새 대화' }).waitFor();
      await frame.locator('[data-hours=open]', { hasText: '분 안에 답변드립니다' }).waitFor();
    } finally {
      await ctx.close();
    }
  });
});

// Banners and prompts from the real proactive endpoint (GET
// /messenger/v1/sites/{key}/proactive?url=PAGE), made through the admin API:
// one banner for /products/*, one for /checkout only, one everywhere, and a
// prompt for /products/* after a second on the page.
describe('messenger: proactive banners and prompts', () => {
  const made = [];
  const make = async (kind, item) => {
    const r = await rawFetch(`/api/v2/sonnim/${kind}s.json`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ [kind]: { site_key: site.key, ...item } }),
    });
    assert.equal(r.status, 201, show(r));
    made.push(`${kind}s/${r.body[kind].id}`);
    return r.body[kind];
  };
  after(async () => {
    for (const m of made) await rawFetch(`/api/v2/sonnim/${m}.json`, { method: 'DELETE' });
  });

  test('a banner targeted at one URL shows only there; a dismissed one stays away; a prompt appears after its delay', async () => {
    const snow = await make('banner', { text: 'Deliveries are delayed by snow', level: 'warning', dismissible: true, url_patterns: ['/products/*'] });
    const pay = await make('banner', { text: 'Payments are down', level: 'critical', dismissible: false });
    const slow = await make('banner', { text: 'Checkout is slow today', level: 'info', url_patterns: ['/checkout'] });
    await make('proactive_prompt', { message: 'Need help choosing a size?', delay_seconds: 1, url_patterns: ['/products/*'] });
    const ctx = await browser.newContext({ locale: 'en-US' });
    try {
      const { page, frame } = await customerPage(`${shop.url}/products/42`, ctx);
      await frame.locator('.prompt', { hasText: 'Need help choosing a size?' }).waitFor();
      await frame.locator('.prompt').click();
      await frame.locator(`[data-banner="${snow.id}"]`, { hasText: 'Deliveries are delayed' }).waitFor();
      await frame.locator(`[data-banner="${pay.id}"]`).waitFor();
      assert.equal(await frame.locator(`[data-banner="${slow.id}"]`).count(), 0, 'the /checkout banner is not on /products/42');
      await frame.locator(`[data-banner="${snow.id}"] button`).click();
      await page.reload();
      const f2 = page.frameLocator('iframe[data-sonnim-messenger]');
      await f2.locator('[data-launcher]').click();
      await f2.locator(`[data-banner="${pay.id}"]`).waitFor();
      assert.equal(await f2.locator(`[data-banner="${snow.id}"]`).count(), 0, 'the dismissed banner stays dismissed');

      // on /checkout: its own banner and the everywhere one, not the product banner
      await page.goto(`${shop.url}/checkout`);
      const f3 = page.frameLocator('iframe[data-sonnim-messenger]');
      await f3.locator('[data-launcher]').click();
      await f3.locator(`[data-banner="${slow.id}"]`, { hasText: 'Checkout is slow today' }).waitFor();
      await f3.locator(`[data-banner="${pay.id}"]`).waitFor();
      assert.equal(await f3.locator(`[data-banner="${snow.id}"]`).count(), 0);
    } finally {
      await ctx.close();
    }
  });
});

// A customer the site signs in who has never written: the widget gets a
// visitor token from identify and asks the proactive endpoint again, so a
// messenger campaign sent to them shows in the list.
describe('messenger: campaign messages for a signed-in customer with no conversation', () => {
  test('the widget lists the campaign message after identify', async () => {
    const J = { 'Content-Type': 'application/json' };
    const ext = `e2e-quiet-${Date.now()}`;
    const tag = `quiet_${Date.now()}`;
    let r = await rawFetch('/api/v2/users.json', { method: 'POST', headers: J,
      body: JSON.stringify({ user: { name: 'Quiet Customer', email: `${ext}@example.com`, external_id: ext, role: 'end-user', tags: [tag] } }) });
    assert.equal(r.status, 201, show(r));
    r = await rawFetch('/api/v2/sonnim/campaigns.json', { method: 'POST', headers: J,
      body: JSON.stringify({ campaign: { name: `quiet ${tag}`, channels: ['messenger'], segment: { tags_all: [tag] }, body: 'A coupon is waiting for you' } }) });
    assert.equal(r.status, 201, show(r));
    const camp = r.body.campaign;
    r = await rawFetch(`/api/v2/sonnim/campaigns/${camp.id}/send_now.json`, { method: 'POST' });
    assert.equal(r.status, 200, show(r));
    for (;;) { // the send job runs in the background
      const x = (await rawFetch(`/api/v2/sonnim/campaigns/${camp.id}.json`)).body.campaign;
      if (x.status === 'sent' && x.counts.queued === 0) break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    const jwt = signJwt({ external_id: ext, email: `${ext}@example.com`, name: 'Quiet Customer', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 });
    // the message's id, as the API gives it to this person
    const id = await rawFetch(`/messenger/v1/sites/${site.key}/identify`, { method: 'POST', who: 'anonymous', headers: J, body: JSON.stringify({ jwt }) });
    assert.equal(id.status, 200, show(id));
    const pro = await rawFetch(`/messenger/v1/sites/${site.key}/proactive?url=/`, { who: 'anonymous', headers: { Authorization: `Bearer ${id.body.visitor_token}` } });
    assert.equal(pro.body.messages.length, 1, show(pro));
    const { ctx, frame } = await customerPage(`${shop.url}/?jwt=${jwt}`);
    try {
      await frame.locator('[data-launcher]').click();
      await frame.locator(`[data-proactive="${pro.body.messages[0].id}"]`, { hasText: 'A coupon is waiting for you' }).waitFor();
    } finally {
      await ctx.close();
    }
  });
});

describe('messenger: refused embedding', () => {
  test('a site that is not listed cannot embed the messenger', async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      const refused = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
      await page.goto(`${other.url}/`);
      await refused;
      const f = page.frames().find((x) => x.url().includes('/messenger/frame'));
      assert.ok(!f || (await f.locator('[data-launcher]').count()) === 0, 'the launcher must not render');
    } finally {
      await ctx.close();
    }
  });
});
