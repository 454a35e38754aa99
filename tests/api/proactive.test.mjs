// proactive.test.mjs - telling customers before they ask: banners and
// proactive prompts (CRUD, validation in Zendesk's error shape, targeting
// by URL pattern, schedule and audience through the public messenger
// endpoint and the help-center pages), and outbound campaigns (a tag
// segment, an opted-out member skipped, the unsubscribe link working once
// and then idempotently, exactly-once delivery when the send job runs
// twice at the same time, a scheduled send).
// Plain fetch (rawFetch): node-zendesk knows none of these endpoints, the
// public endpoint is outside /api/v2, and the help-center and unsubscribe
// pages are HTML with form posts.
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch, show, sleep, extraServer } from './lib/harness.mjs';
import { uniq } from './lib/fixtures.mjs';

await env();
const J = { 'Content-Type': 'application/json' };
const api = (path, who = 'admin', method = 'GET', body) =>
  rawFetch(`/api/v2${path}`, { who, method, headers: J, body: body === undefined ? undefined : JSON.stringify(body) });
const page = (site, url, headers = {}) =>
  rawFetch(`/messenger/v1/sites/${site}/proactive?url=${encodeURIComponent(url)}`, { who: 'anonymous', headers });
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function banner(fields) {
  const r = await api('/sonnim/banners.json', 'admin', 'POST', { banner: fields });
  assert.equal(r.status, 201, show(r));
  return r.body.banner;
}

function assertInvalid(r, field) {
  assert.equal(r.status, 422, show(r));
  assert.equal(r.body.error, 'RecordInvalid', show(r));
  assert.ok(r.body.details && r.body.details[field], `details name ${field}: ${show(r)}`);
}

describe('banners', () => {
  const site = uniq('shop');

  test('create, show, list, update, delete', async () => {
    const b = await banner({ text: { ko: '정기 점검 안내', en: 'Planned maintenance' }, level: 'warning', site_key: site,
      url_patterns: ['/checkout/', '/shop/*'], dismissible: false });
    assert.equal(b.level, 'warning');
    assert.equal(b.dismissible, false);
    assert.deepEqual(b.url_patterns, ['/checkout', '/shop/*']);
    assert.deepEqual(b.translations, { ko: '정기 점검 안내', 'en-us': 'Planned maintenance' });
    assert.deepEqual(b.audience, { type: 'everyone' });
    let r = await api(`/sonnim/banners/${b.id}.json`, 'agent');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.banner.id, b.id);
    r = await api(`/sonnim/banners.json?site_key=${site}`, 'agent');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.banners.map((x) => x.id), [b.id]);
    r = await api(`/sonnim/banners/${b.id}.json`, 'admin', 'PUT', { banner: { level: 'critical' } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.banner.level, 'critical');
    assert.equal(r.body.banner.text, 'Planned maintenance', 'untouched members stay');
    r = await api(`/sonnim/banners/${b.id}.json`, 'admin', 'DELETE');
    assert.equal(r.status, 204);
    r = await api(`/sonnim/banners/${b.id}.json`, 'agent');
    assert.equal(r.status, 404, show(r));
    assert.equal(r.body.error, 'RecordNotFound');
  });

  test('cursor pages keep the site filter', async () => {
    const s = uniq('paged');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await banner({ text: `p${i}`, site_key: s })).id);
    let r = await api(`/sonnim/banners.json?site_key=${s}&page[size]=2`, 'agent');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.banners.map((x) => x.id), ids.slice(0, 2));
    assert.equal(r.body.meta.has_more, true);
    const next = new URL(r.body.links.next);
    assert.equal(next.searchParams.get('site_key'), s);
    r = await rawFetch(`${next.pathname}${next.search}`, { who: 'agent' });
    assert.deepEqual(r.body.banners.map((x) => x.id), ids.slice(2));
    assert.equal(r.body.meta.has_more, false);
  });

  test('bad input: 4xx in Zendesk\'s shape, nothing saved', async () => {
    const before = (await api(`/sonnim/banners.json?site_key=${site}`)).body.banners.length;
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { site_key: site } }), 'text');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: '   ', site_key: site } }), 'text');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: { fr: 'non' }, site_key: site } }), 'text');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: 'x', level: 'loud', site_key: site } }), 'level');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: 'x', site_key: 'a b' } }), 'site_key');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: 'x', site_key: site, url_patterns: ['checkout'] } }), 'url_patterns');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: 'x', site_key: site, url_patterns: ['/a%00'] } }), 'url_patterns');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: 'x', site_key: site, starts_at: 'tomorrow' } }), 'starts_at');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: 'x', site_key: site, starts_at: '2026-02-02T00:00:00Z', ends_at: '2026-02-01T00:00:00Z' } }), 'ends_at');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', { banner: { text: 'x', site_key: site, audience: { type: 'tags', tags: [] } } }), 'audience.tags');
    assertInvalid(await api('/sonnim/banners.json', 'admin', 'POST', {}), 'banner');
    let r = await rawFetch('/api/v2/sonnim/banners.json', { method: 'POST', headers: J, body: '{"banner": {' });
    assert.equal(r.status, 400, show(r));
    assert.ok(r.body.error, show(r));
    r = await api('/sonnim/banners/999999.json', 'admin', 'PUT', { banner: { text: 'x' } });
    assert.equal(r.status, 404, show(r));
    r = await api('/sonnim/banners.json', 'enduser', 'POST', { banner: { text: 'x', site_key: site } });
    assert.equal(r.status, 403, show(r));
    r = await api('/sonnim/banners.json?page[size]=0');
    assert.equal(r.status, 400, show(r));
    r = await api('/sonnim/banners.json?site_key=a%26b');
    assert.equal(r.status, 400, show(r));
    const now = (await api(`/sonnim/banners.json?site_key=${site}`)).body.banners.length;
    assert.equal(now, before);
  });

  test('a banner targeted at one URL shows only there', async () => {
    const s = uniq('site');
    const b = await banner({ text: '결제 시스템 점검 중', site_key: s, url_patterns: ['/checkout'] });
    let r = await page(s, 'https://shop.example.com/checkout?step=2#pay');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.banners.map((x) => x.id), [b.id]);
    assert.deepEqual(r.body.banners[0], { id: b.id, text: '결제 시스템 점검 중', level: 'info', dismissible: true });
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(r.body.prompts, []);
    assert.deepEqual(r.body.messages, []);
    for (const url of ['/checkout/', '/shop/../checkout', '/check%6Fut']) {
      r = await page(s, url);
      assert.deepEqual(r.body.banners.map((x) => x.id), [b.id], url);
    }
    for (const url of ['/home', '/checkout/pay', '/Checkout', '/checkoutx', 'https://evil.example/x?u=/checkout', '/checkout%00', '']) {
      r = await page(s, url);
      if (url === '') {
        assert.equal(r.status, 400, show(r));
        continue;
      }
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(r.body.banners, [], url);
    }
    // another site never sees it
    r = await page(uniq('other'), '/checkout');
    assert.deepEqual(r.body.banners, []);
  });

  test('prefix and glob patterns', async () => {
    const s = uniq('site');
    const shop = await banner({ text: '배송 지연', site_key: s, url_patterns: ['/shop/*'] });
    const reviews = await banner({ text: 'Reviews are slow', site_key: s, url_patterns: ['/products/*/reviews'] });
    const cases = [
      ['/shop', [shop.id]], ['/shop/shoes/42', [shop.id]], ['/shopping', []],
      ['/products/42/reviews', [reviews.id]], ['/products/42', []], ['/', []],
    ];
    for (const [url, want] of cases) {
      const r = await page(s, url);
      assert.deepEqual(r.body.banners.map((x) => x.id), want, url);
    }
  });

  test('only banners inside their time window, switched on, show', async () => {
    const s = uniq('site');
    const now = Date.now();
    const live = await banner({ text: 'now', site_key: s, starts_at: iso(now - 3600e3), ends_at: iso(now + 3600e3) });
    await banner({ text: 'later', site_key: s, starts_at: iso(now + 3600e3) });
    await banner({ text: 'over', site_key: s, ends_at: iso(now - 60e3) });
    const off = await banner({ text: 'off', site_key: s, active: false });
    let r = await page(s, '/');
    assert.deepEqual(r.body.banners.map((x) => x.id), [live.id]);
    r = await api(`/sonnim/banners/${off.id}.json`, 'admin', 'PATCH', { banner: { active: true } });
    assert.equal(r.status, 200, show(r));
    r = await page(s, '/');
    assert.deepEqual(r.body.banners.map((x) => x.id), [live.id, off.id]);
  });

  test('the text follows the visitor\'s language', async () => {
    const s = uniq('site');
    await banner({ text: { ko: '배송이 늦어지고 있습니다', 'en-us': 'Shipping is delayed' }, site_key: s });
    let r = await page(s, '/', { 'Accept-Language': 'ko-KR,ko;q=0.9' });
    assert.equal(r.body.banners[0].text, '배송이 늦어지고 있습니다');
    assert.equal(r.headers.get('content-language'), 'ko');
    r = await rawFetch(`/messenger/v1/sites/${s}/proactive?url=/&locale=en-us`, { who: 'anonymous', headers: { 'Accept-Language': 'ko' } });
    assert.equal(r.body.banners[0].text, 'Shipping is delayed');
  });

  test('an audience banner is not for anonymous visitors', async () => {
    const s = uniq('site');
    await banner({ text: 'VIP', site_key: s, audience: { type: 'tags', tags: ['vip'] } });
    await banner({ text: 'members', site_key: s, audience: { type: 'signed_in' } });
    const r = await page(s, '/');
    assert.deepEqual(r.body.banners, []);
  });
});

describe('help-center banners', () => {
  const made = [];
  let tag, person;
  before(async () => {
    tag = uniq('vip');
    const email = `${uniq('hcb')}@example.kr`;
    let r = await api('/users.json', 'admin', 'POST', { user: { name: '배너 고객', email, role: 'end-user', tags: [tag] } });
    assert.equal(r.status, 201, show(r));
    person = { id: r.body.user.id, email, password: 'Banner-비밀-pw-1' };
    r = await api(`/users/${person.id}/password.json`, 'admin', 'POST', { password: person.password });
    assert.ok([200, 204].includes(r.status), show(r));
  });
  after(async () => {
    for (const id of made) await api(`/sonnim/banners/${id}.json`, 'admin', 'DELETE');
  });

  test('an active banner shows at the top of the help center page it targets, escaped', async () => {
    const b = await banner({ text: { ko: '<점검> 오늘 밤 2시', en: 'Maintenance tonight' }, level: 'critical',
      show_in_help_center: true, url_patterns: ['/hc/*/search'] });
    made.push(b.id);
    let r = await rawFetch('/hc/ko/search?query=배송', { who: 'anonymous' });
    assert.equal(r.status, 200, show(r));
    assert.match(r.text, new RegExp(`data-banner-id="${b.id}"[^>]*>&lt;점검&gt; 오늘 밤 2시</div>`));
    assert.match(r.text, /role="alert"/);
    assert.ok(r.text.indexOf('sonnim-banner') > r.text.indexOf('</header>') && r.text.indexOf('sonnim-banner') < r.text.indexOf('<main>'));
    r = await rawFetch('/hc/en-us/search?query=x', { who: 'anonymous' });
    assert.match(r.text, /Maintenance tonight/);
    r = await rawFetch('/hc/ko', { who: 'anonymous' });
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.text, new RegExp(`data-banner-id="${b.id}"`), 'not on the home page');
    r = await api(`/sonnim/banners/${b.id}.json`, 'admin', 'PUT', { banner: { ends_at: iso(Date.now() - 1000) } });
    assert.equal(r.status, 200, show(r));
    r = await rawFetch('/hc/ko/search?query=배송', { who: 'anonymous' });
    assert.doesNotMatch(r.text, new RegExp(`data-banner-id="${b.id}"`), 'ended');
  });

  test('audience by tag: the tagged signed-in customer sees it, others do not', async () => {
    const b = await banner({ text: '우수 고객 전용 안내', site_key: 'hc', audience: { type: 'tags', tags: [tag] }, url_patterns: ['/hc/*/search'] });
    made.push(b.id);
    const basic = 'Basic ' + Buffer.from(`${person.email}:${person.password}`).toString('base64');
    let r = await rawFetch('/hc/ko/search?query=x', { who: null, headers: { Authorization: basic } });
    assert.equal(r.status, 200, show(r));
    assert.match(r.text, /우수 고객 전용 안내/);
    r = await rawFetch('/hc/ko/search?query=x', { who: 'enduser', auth: 'password' });
    assert.equal(r.status, 200, show(r));
    assert.doesNotMatch(r.text, /우수 고객 전용 안내/);
    r = await rawFetch('/hc/ko/search?query=x', { who: 'anonymous' });
    assert.doesNotMatch(r.text, /우수 고객 전용 안내/);
  });
});

describe('proactive prompts', () => {
  test('a prompt for /checkout after 30 seconds', async () => {
    const s = uniq('site');
    let r = await api('/sonnim/proactive_prompts.json', 'admin', 'POST', { proactive_prompt: {
      site_key: s, url_patterns: ['/checkout'], delay_seconds: 30,
      message: { ko: '결제에 도움이 필요하신가요?', 'en-us': 'Need help checking out?' } } });
    assert.equal(r.status, 201, show(r));
    const p = r.body.proactive_prompt;
    assert.equal(p.delay_seconds, 30);
    r = await page(s, '/checkout', { 'Accept-Language': 'ko' });
    assert.deepEqual(r.body.prompts, [{ id: p.id, delay_seconds: 30, message: '결제에 도움이 필요하신가요?' }]);
    assert.deepEqual(r.body.banners, []);
    r = await page(s, '/home');
    assert.deepEqual(r.body.prompts, []);
    // a prompt is no banner: the ids do not cross
    r = await api(`/sonnim/banners/${p.id}.json`, 'agent');
    assert.equal(r.status, 404, show(r));
    r = await api(`/sonnim/proactive_prompts/${p.id}.json`, 'admin', 'PUT', { proactive_prompt: { active: false } });
    assert.equal(r.status, 200, show(r));
    r = await page(s, '/checkout');
    assert.deepEqual(r.body.prompts, []);
    r = await api(`/sonnim/proactive_prompts.json?site_key=${s}`, 'agent');
    assert.deepEqual(r.body.proactive_prompts.map((x) => x.id), [p.id]);
    assertInvalid(await api('/sonnim/proactive_prompts.json', 'admin', 'POST', { proactive_prompt: { message: 'x', delay_seconds: -1 } }), 'delay_seconds');
    assertInvalid(await api('/sonnim/proactive_prompts.json', 'admin', 'POST', { proactive_prompt: { message: 'x', delay_seconds: 'soon' } }), 'delay_seconds');
    assertInvalid(await api('/sonnim/proactive_prompts.json', 'admin', 'POST', { proactive_prompt: { text: 'x' } }), 'message');
    r = await api(`/sonnim/proactive_prompts/${p.id}.json`, 'admin', 'DELETE');
    assert.equal(r.status, 204);
  });
});

describe('campaigns', () => {
  let tag;
  const people = {};
  const addPerson = async (key) => {
    const r = await api('/users.json', 'admin', 'POST', { user: { name: `캠페인 ${key}`, email: `${uniq(key)}@example.kr`, role: 'end-user', locale: 'ko', tags: [tag] } });
    assert.equal(r.status, 201, show(r));
    people[key] = r.body.user;
  };
  const deliveries = async (id) => {
    const r = await api(`/sonnim/campaigns/${id}/deliveries.json`);
    assert.equal(r.status, 200, show(r));
    return r.body.deliveries;
  };
  const sendJobs = async (id) => {
    const r = await api('/sonnim/jobs.json');
    assert.equal(r.status, 200, show(r));
    return r.body.jobs.filter((j) => j.kind === 'campaign.send' && j.payload && j.payload.campaign_id === id);
  };
  before(async () => {
    tag = uniq('seg');
    for (const k of ['ara', 'bora', 'chan']) await addPerson(k);
  });

  test('validation and CRUD', async () => {
    assertInvalid(await api('/sonnim/campaigns.json', 'admin', 'POST', { campaign: { name: 'x', channels: ['email'], body: 'b' } }), 'subject');
    assertInvalid(await api('/sonnim/campaigns.json', 'admin', 'POST', { campaign: { name: 'x', channels: ['fax'], body: 'b' } }), 'channels');
    assertInvalid(await api('/sonnim/campaigns.json', 'admin', 'POST', { campaign: { name: 'x', channels: ['messenger'], body: 'b', segment: { tags: ['a'] } } }), 'segment.tags');
    assertInvalid(await api('/sonnim/campaigns.json', 'admin', 'POST', { campaign: { channels: ['messenger'], body: 'b' } }), 'name');
    let r = await api('/sonnim/campaigns.json', 'admin', 'POST', { campaign: { name: '초안', channels: ['messenger'], body: '안녕하세요' } });
    assert.equal(r.status, 201, show(r));
    const c = r.body.campaign;
    assert.equal(c.status, 'draft');
    r = await api(`/sonnim/campaigns/${c.id}.json`, 'admin', 'PUT', { campaign: { body: '수정' } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.campaign.body, '수정');
    r = await api(`/sonnim/campaigns/${c.id}.json`, 'admin', 'PUT', { campaign: { body: { ko: '배송이 늦어집니다', en: 'Shipping is late' } } });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.body.campaign.translations.body, { ko: '배송이 늦어집니다', 'en-us': 'Shipping is late' });
    assert.equal(r.body.campaign.body, 'Shipping is late');
    assertInvalid(await api(`/sonnim/campaigns/${c.id}.json`, 'admin', 'PUT', { campaign: { body: { ja: 'x' } } }), 'body');
    r = await api('/sonnim/campaigns.json', 'agent');
    assert.ok(r.body.campaigns.some((x) => x.id === c.id));
    r = await api(`/sonnim/campaigns/${c.id}.json`, 'admin', 'DELETE');
    assert.equal(r.status, 204);
    r = await api(`/sonnim/campaigns/${c.id}.json`);
    assert.equal(r.status, 404);
  });

  test('to a tag segment, skipping the member who unsubscribed; the link works once, then idempotently', async () => {
    let r = await api('/sonnim/campaigns.json', 'admin', 'POST', { campaign: {
      name: `배송 지연 안내 ${tag}`, channels: ['email', 'messenger'], segment: { tags_all: [tag] },
      subject: '{{user.first_name}}님, 배송 지연 안내', body: '{{user.name}}님, 주문하신 상품의 배송이 늦어지고 있습니다.' } });
    assert.equal(r.status, 201, show(r));
    const c = r.body.campaign;

    // what bora gets, with her own unsubscribe link
    r = await api(`/sonnim/campaigns/${c.id}/preview.json?user_id=${people.bora.id}`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.preview.in_segment, true);
    assert.equal(r.body.preview.subject, '캠페인님, 배송 지연 안내');
    assert.match(r.body.preview.text, /캠페인 bora님, 주문하신/);
    const link = new URL(r.body.preview.unsubscribe_url);
    assert.equal(link.pathname, '/hc/unsubscribe');
    const token = link.searchParams.get('token');
    assert.match(token, new RegExp(`^${people.bora.id}-[0-9a-f]{64}$`));

    // the page asks first (a GET never opts out: mail scanners follow links)
    r = await rawFetch(`${link.pathname}${link.search}`, { who: 'anonymous' });
    assert.equal(r.status, 200, show(r));
    assert.match(r.text, /수신 거부하기/);
    // ara's page is opened too, but ara never confirms
    const araLink = new URL((await api(`/sonnim/campaigns/${c.id}/preview.json?user_id=${people.ara.id}`)).body.preview.unsubscribe_url);
    r = await rawFetch(`${araLink.pathname}${araLink.search}`, { who: 'anonymous' });
    assert.equal(r.status, 200);
    // forged: another user's id with bora's MAC, one hex digit changed, none
    for (const bad of [`${people.ara.id}${token.slice(token.indexOf('-'))}`, token.slice(0, -1) + (token.endsWith('0') ? '1' : '0'), '']) {
      r = await rawFetch(`/hc/unsubscribe?token=${encodeURIComponent(bad)}`, { who: 'anonymous', method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      assert.equal(r.status, 403, `${bad}: ${show(r)}`);
    }
    // RFC 8058 one-click, twice: the same answer
    for (let i = 0; i < 2; i++) {
      r = await rawFetch(`${link.pathname}${link.search}`, { who: 'anonymous', method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      assert.equal(r.status, 200, show(r));
      assert.match(r.text, /수신 거부되었습니다/);
    }

    r = await api(`/sonnim/campaigns/${c.id}/send_now.json`, 'admin', 'POST');
    assert.equal(r.status, 200, show(r));
    const sent = await until('the campaign to be sent', async () => {
      const x = (await api(`/sonnim/campaigns/${c.id}.json`)).body.campaign;
      return x.status === 'sent' && x.counts.total === 6 && x.counts.queued === 0 ? x : null;
    });
    assert.equal(sent.counts.opted_out, 2, JSON.stringify(sent.counts));
    const rows = await deliveries(c.id);
    const of = (u, ch) => rows.filter((d) => d.user_id === people[u].id && d.channel === ch).map((d) => d.status);
    assert.deepEqual(of('bora', 'email'), ['opted_out']);
    assert.deepEqual(of('bora', 'messenger'), ['opted_out']);
    for (const u of ['ara', 'chan']) {
      assert.deepEqual(of(u, 'messenger'), ['sent'], u);
      // no SMTP server in this suite: the mail is tried and reported, never silent
      assert.equal(of(u, 'email').length, 1, u);
      assert.ok(['sent', 'failed'].includes(of(u, 'email')[0]), `${u}: ${of(u, 'email')}`);
    }
    assert.ok(rows.every((d) => ![people.bora.id].includes(d.user_id) || d.status === 'opted_out'));
    r = await api(`/sonnim/campaigns/${c.id}.json`, 'admin', 'PUT', { campaign: { body: 'too late' } });
    assertInvalid(r, 'campaign');
  });

  test('exactly once: the send job run twice at the same time, in two processes, reaches each recipient once', async () => {
    let r = await api('/sonnim/campaigns.json', 'admin', 'POST', { campaign: {
      name: `두 번 ${tag}`, channels: ['messenger'], segment: { tags_any: [tag, uniq('none')] }, body: '한 번만 받으세요' } });
    assert.equal(r.status, 201, show(r));
    const c = r.body.campaign;
    // a second server on the same database with its own workers: each
    // send_now wakes the workers of the process that took it
    const extra = await extraServer({ rateLimit: 1_000_000, role: 'all' });
    try {
      const both = await Promise.all([`/api/v2/sonnim/campaigns/${c.id}/send_now.json`,
        `${extra.url}/api/v2/sonnim/campaigns/${c.id}/send_now.json`].map((u) => rawFetch(u, { method: 'POST', headers: J })));
      for (const x of both) assert.equal(x.status, 200, show(x));
      await until('both send jobs to finish', async () => {
        const jobs = await sendJobs(c.id);
        return jobs.length >= 2 && jobs.every((j) => j.state === 'done');
      });
    } finally {
      await extra.stop();
    }
    let rows = await deliveries(c.id);
    assert.equal(rows.length, 3, JSON.stringify(rows));
    assert.deepEqual(rows.map((d) => d.status).sort(), ['opted_out', 'sent', 'sent']);
    assert.equal(new Set(rows.map((d) => d.user_id)).size, 3);

    // someone joins the segment: sending again reaches only them
    await addPerson('dami');
    r = await api(`/sonnim/campaigns/${c.id}/send_now.json`, 'admin', 'POST');
    assert.equal(r.status, 200, show(r));
    await until('the third send job to finish', async () => {
      const jobs = await sendJobs(c.id);
      return jobs.length >= 3 && jobs.every((j) => j.state === 'done');
    });
    rows = await deliveries(c.id);
    assert.equal(rows.length, 4, JSON.stringify(rows));
    assert.equal(rows.filter((d) => d.user_id === people.dami.id).length, 1);
    const x = (await api(`/sonnim/campaigns/${c.id}.json`)).body.campaign;
    assert.deepEqual([x.counts.total, x.counts.sent, x.counts.opted_out], [4, 3, 1]);
  });

  test('a scheduled campaign goes out at send_at', async () => {
    const when = Date.now() + 2000;
    let r = await api('/sonnim/campaigns.json', 'admin', 'POST', { campaign: {
      name: `예약 ${tag}`, channels: ['messenger'], segment: { tags_all: [tag] }, body: '예약 발송', send_at: iso(when) } });
    assert.equal(r.status, 201, show(r));
    const c = r.body.campaign;
    assert.equal(c.status, 'scheduled');
    const done = await until('the scheduled send', async () => {
      const x = (await api(`/sonnim/campaigns/${c.id}.json`)).body.campaign;
      return x.status === 'sent' ? x : null;
    });
    assert.ok(Date.parse(done.started_at) >= Math.floor(when / 1000) * 1000, `${done.started_at} vs ${iso(when)}`);
    assert.equal(done.counts.total, 4);
    assert.equal(done.counts.opted_out, 1);
  });
});
