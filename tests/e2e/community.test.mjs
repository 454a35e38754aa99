// community.test.mjs - the help center's community as a customer uses it, in
// Debian's Chromium: sign in at the portal, follow the help center home to
// the community, ask a question in Korean through the new-post form, an
// agent answers with an official comment (over the API), and the customer
// sees that answer first and highlighted on the post page, votes and
// follows; then a post made of script payloads renders inert (any
// JavaScript dialog fails the test, and no script-capable element or
// attribute reaches the page).  One browser; every test opens its own
// context.
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch, launch } from './lib.mjs';

const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '<svg onload=alert(3)>',
  '<a href="javascript:alert(4)">click me</a>',
  '[md](javascript:alert(5))',
  '<iframe src="javascript:alert(6)"></iframe>',
  '<details open ontoggle=alert(7)>',
  '</textarea><script>alert(8)</script>',
  '<div style="background:url(javascript:alert(9))">styled</div>',
  '<a href="data:text/html,<script>alert(10)</script>">data</a>',
];

let s;
let browser;
let topic;
const dialogs = [];
const json = (who, method, path, body) => rawFetch(path, { method, who, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

before(async () => {
  s = await env();
  browser = await launch();
  const r = await json('admin', 'POST', '/api/v2/community/topics.json', { topic: { name: '배송 질문방', description: '배송에 대해 묻고 답해요' } });
  assert.equal(r.status, 201, r.text);
  topic = r.body.topic;
});
after(async () => {
  if (browser) await browser.close();
});

// A Korean browser context; every dialog is recorded and dismissed.
async function context() {
  const ctx = await browser.newContext({ locale: 'ko-KR', viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  return { ctx, page };
}

async function portalSignIn(page, person) {
  await page.goto(`${s.server.url}/hc/ko/signin`);
  const f = page.locator('form[action="/hc/ko/signin"]');
  await f.locator('input[name=email]').fill(person.email);
  await f.locator('input[name=password]').fill(person.password);
  await Promise.all([page.waitForURL(/\/hc\/ko\/requests$/), f.locator('button[type=submit]').click()]);
}

// Nothing from a payload became live in the page's main part.
async function assertInert(page, what) {
  const found = await page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('main *')) {
      const tag = el.tagName.toLowerCase();
      if (tag === 'style' && el.parentElement.tagName === 'MAIN' && el === el.parentElement.firstElementChild) continue; // the page's own
      if (['script', 'svg', 'iframe', 'object', 'embed', 'math', 'style', 'base', 'meta'].includes(tag)) bad.push(tag);
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) bad.push(`${tag}[${a.name}]`);
        if (a.name === 'style') bad.push(`${tag}[style]`);
        if (/^\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(`${tag}[${a.name}=${a.value}]`);
      }
    }
    return bad;
  });
  assert.deepEqual(found, [], `${what}: live markup from a payload`);
  assert.deepEqual(dialogs, [], `${what}: a script payload ran`);
}

describe('community', () => {
  let postUrl;

  test('a customer asks in Korean and sees the agent\'s official answer', async () => {
    const { ctx, page } = await context();
    try {
      await portalSignIn(page, s.people.enduser);
      await page.goto(`${s.server.url}/hc/ko`);
      await Promise.all([page.waitForURL(/\/hc\/ko\/community\/topics$/), page.click('main .community a')]);
      assert.equal(await page.locator('main h1').textContent(), '커뮤니티');
      await Promise.all([page.waitForURL(new RegExp(`/community/topics/${topic.id}$`)), page.click(`main a:text-is("${topic.name}")`)]);
      await Promise.all([page.waitForURL(/\/community\/posts\/new\?topic_id=\d+$/), page.click('main a:text-is("새 게시물 쓰기")')]);
      const f = page.locator('form.new-post');
      assert.equal(await f.locator('select[name=topic_id]').inputValue(), String(topic.id));
      await f.locator('input[name=title]').fill('주문한 택배가 일주일째 안 와요');
      await f.locator('textarea[name=details]').fill('주문번호는 **A-1024**입니다. 언제 받을 수 있을까요?');
      await Promise.all([page.waitForURL(/\/hc\/ko\/community\/posts\/\d+$/), f.locator('button[type=submit]').click()]);
      postUrl = page.url();
      const id = Number(/posts\/(\d+)$/.exec(postUrl)[1]);
      assert.equal(await page.locator('main h1').textContent(), '주문한 택배가 일주일째 안 와요');
      assert.equal(await page.locator('main .details strong').textContent(), 'A-1024');

      // another customer chimes in, then an agent answers officially
      let r = await json('enduser2', 'POST', `/api/v2/community/posts/${id}/comments.json`, { comment: { body: '저도 같은 상황이에요.' } });
      assert.equal(r.status, 201, r.text);
      r = await json('agent', 'POST', `/api/v2/community/posts/${id}/comments.json`, {
        comment: { body: '확인해 보니 물류센터 지연입니다. **내일** 도착 예정입니다.', official: true },
      });
      assert.equal(r.status, 201, r.text);

      await page.reload();
      const comments = page.locator('main #comments .comment');
      assert.equal(await comments.count(), 2);
      const first = comments.first();
      assert.match(await first.getAttribute('class'), /official/, 'the official answer comes first');
      assert.equal(await first.locator('.official-label').textContent(), '공식 답변');
      assert.match(await first.textContent(), /물류센터 지연입니다/);
      assert.equal(await first.locator('strong:text-is("내일")').count(), 1);
      assert.match(await comments.nth(1).textContent(), /저도 같은 상황이에요/);
      assert.equal(await page.locator('main .badge.status-answered').textContent(), '답변됨');

      // vote (twice counts once) and the comment form
      await Promise.all([page.waitForURL(postUrl), page.click('main button.vote-up')]);
      await Promise.all([page.waitForURL(postUrl), page.click('main button.vote-up')]);
      assert.equal(await page.locator('#vote-sum').textContent(), '1');
      await page.fill('main form.comment-form textarea[name=body]', '감사합니다! 기다릴게요.');
      await Promise.all([page.waitForURL(/#comment-\d+$/), page.click('main form.comment-form button[type=submit]')]);
      assert.equal(await page.locator('main #comments .comment').count(), 3);
      assert.match(await page.locator('main #comments .comment').last().textContent(), /기다릴게요/);
      await assertInert(page, 'the question page');
    } finally {
      await ctx.close();
    }
  });

  test('an anonymous visitor reads the answer but is asked to sign in to take part', async () => {
    assert.ok(postUrl, 'the first test made a post');
    const { ctx, page } = await context();
    try {
      await page.goto(postUrl);
      assert.match(await page.locator('main #comments .comment.official').textContent(), /물류센터/);
      assert.equal(await page.locator('main form.comment-form').count(), 0);
      assert.equal(await page.locator('main a:text-is("로그인하고 참여하세요")').count(), 2);
    } finally {
      await ctx.close();
    }
  });

  test('a post made of script payloads renders inert', async () => {
    const { ctx, page } = await context();
    try {
      await portalSignIn(page, s.people.enduser2);
      await page.goto(`${s.server.url}/hc/ko/community/posts/new?topic_id=${topic.id}`);
      const f = page.locator('form.new-post');
      await f.locator('input[name=title]').fill('<script>alert("title")</script><img src=x onerror=alert(0)>');
      await f.locator('textarea[name=details]').fill(PAYLOADS.join('\n\n'));
      await Promise.all([page.waitForURL(/\/hc\/ko\/community\/posts\/\d+$/), f.locator('button[type=submit]').click()]);
      assert.equal(await page.locator('main h1').textContent(), '<script>alert("title")</script><img src=x onerror=alert(0)>');
      await page.fill('main form.comment-form textarea[name=body]', PAYLOADS.slice().reverse().join('\n\n'));
      await Promise.all([page.waitForURL(/#comment-\d+$/), page.click('main form.comment-form button[type=submit]')]);
      await assertInert(page, 'the payload post');
      assert.equal(await page.evaluate(() => document.scripts.length), 0, 'no script element at all');
      await page.goto(`${s.server.url}/hc/ko/community/topics/${topic.id}`);
      await assertInert(page, 'the topic page');
      await page.goto(`${s.server.url}/hc/ko/community/topics`);
      await assertInert(page, 'the community home');
    } finally {
      await ctx.close();
    }
  });
});
