// ticket.test.mjs - the ticket page as an agent works it, in Debian's
// Chromium: the customer beside the ticket (other tickets, notes saved),
// an attachment uploaded and previewed, the history showing a status
// change, an @mention that makes a follower, a macro applied with the
// keyboard, a custom dropdown field, the a/s keys, and a merge.  Every
// outcome is checked through the API, not only on screen; problem and
// incident linked both ways.
import test, { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { env, rawFetch, show, launch, openApp, signIn } from './lib.mjs';

const SHOTS = process.env.SONNIM_E2E_SCREENSHOTS || '';
const J = { 'Content-Type': 'application/json' };
// JSON setup calls with a token (node-zendesk has no macros or fields API)
const api = async (p, method = 'GET', body, who = 'admin') => {
  const r = await rawFetch(`/api/v2${p}`, { who, method, headers: J, body: body ? JSON.stringify(body) : undefined });
  assert.ok(r.status < 300, `${method} ${p}: ${show(r)}`);
  return r.body;
};
const uniq = () => `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
// a 2x2 red PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

let s;
let browser;
let context;
let page;
const u = uniq();
const t = {};
let field;
let flag;
let order;
let macro;

async function open(id) {
  await page.evaluate((h) => { location.hash = h; }, `#/tickets/${id}`);
  await page.locator(`.ticket[data-ticket-id="${id}"] .conversation`).waitFor();
}
// a click on the page's empty header gives the keys back to the shortcuts
const unfocus = () => page.locator('.ticket-head h1').click();
const ticket = async (id) => (await api(`/tickets/${id}.json`)).ticket;

before(async () => {
  s = await env();
  browser = await launch();
  const requester = s.people.enduser2.id;
  const mk = async (subject, extra = {}) => (await api('/tickets.json', 'POST', { ticket: { subject, comment: { body: `${subject} 본문` }, requester_id: requester, ...extra } })).ticket;
  t.main = await mk(`주 티켓 main ${u}`);
  t.older = await mk(`지난 문의 older ${u}`, { status: 'pending', assignee_id: 1 });
  t.source = await mk(`병합할 티켓 source ${u}`);
  t.target = await mk(`병합될 티켓 target ${u}`);
  t.problem = await mk(`장애 problem ${u}`, { type: 'problem' });
  t.incident = await mk(`접속 불가 incident ${u}`, { type: 'incident' });
  field = (await api('/ticket_fields.json', 'POST', { ticket_field: { type: 'tagger', title: `제품 Product ${u}`,
    custom_field_options: [{ name: '앱 App', value: `app_${u}` }, { name: '웹 Web', value: `web_${u}` }] } })).ticket_field;
  flag = (await api('/ticket_fields.json', 'POST', { ticket_field: { type: 'checkbox', title: `재문의 Repeat ${u}` } })).ticket_field;
  order = (await api('/ticket_fields.json', 'POST', { ticket_field: { type: 'integer', title: `주문 수량 Quantity ${u}` } })).ticket_field;
  macro = (await api('/macros.json', 'POST', { macro: { title: `Escalate 에스컬레이션 ${u}`, actions: [
    { field: 'priority', value: 'urgent' }, { field: 'status', value: 'pending' },
    { field: 'comment_value', value: '{{ticket.requester.first_name}}님, 담당 팀에 전달했습니다. Escalated.' }] } })).macro;
  ({ context, page } = await openApp(browser, s.server));
  await signIn(page, s.people.admin);
  await page.locator('.shell').waitFor();
});
after(async () => {
  if (context) await context.close();
  if (browser) await browser.close();
});

describe('the ticket page', () => {
  test('the customer panel shows the requester\'s other tickets and saves a note', async () => {
    await open(t.main.id);
    const panel = page.locator(`.customer[data-customer="${s.people.enduser2.id}"]`);
    await panel.waitFor();
    await panel.locator(`[data-other="${t.older.id}"]`).waitFor();
    assert.match(await panel.locator(`[data-other="${t.older.id}"]`).textContent(), /Pending/);
    assert.equal(await panel.locator(`[data-other="${t.main.id}"]`).count(), 0, 'the open ticket is not listed as another');
    assert.match(await panel.textContent(), /customer2@sonnim\.test/);
    const note = `VIP 고객, 전화 선호 ${u}`;
    await panel.locator('textarea[name=customer_notes]').fill(note);
    await panel.locator('input[name=customer_tags]').fill(`vip lang_ko`);
    await panel.locator('button[type=submit]').click();
    await panel.locator('.saved').waitFor();
    const user = (await api(`/users/${s.people.enduser2.id}.json`)).user;
    assert.equal(user.notes, note);
    assert.deepEqual(user.tags.slice().sort(), ['lang_ko', 'vip']);
  });

  test('an attachment is uploaded with a note and previewed', async () => {
    await open(t.main.id);
    await page.setInputFiles('.composer input[name=files]', { name: 'screenshot.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('.uploads li.done[data-upload="screenshot.png"]').waitFor();
    await page.keyboard.press('n');
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'comment');
    await page.keyboard.type('스크린샷 첨부합니다.');
    await page.keyboard.press('Control+Enter');
    const thumb = page.locator('.conversation .comment').last().locator('.attachments .thumb img');
    await thumb.waitFor();
    await page.waitForFunction(() => {
      const img = [...document.querySelectorAll('.conversation .thumb img')].pop();
      return img && img.complete && img.naturalWidth === 2;
    });
    await page.locator('.conversation .comment').last().locator('.thumb').click();
    await page.locator('.preview img').waitFor();
    await page.waitForFunction(() => document.querySelector('.preview img').naturalWidth === 2);
    assert.match(await page.locator('.preview figcaption').textContent(), /screenshot\.png/);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('.preview'));
    assert.equal(await page.evaluate(() => location.hash), `#/tickets/${t.main.id}`, 'Escape closes the preview, not the ticket');
    const comments = (await api(`/tickets/${t.main.id}/comments.json`)).comments;
    const last = comments[comments.length - 1];
    assert.equal(last.public, false);
    assert.equal(last.attachments.length, 1);
    assert.equal(last.attachments[0].file_name, 'screenshot.png');
    assert.equal(last.attachments[0].content_type, 'image/png');
  });

  test('files pasted or dropped into the composer are uploaded, and can be taken back', async () => {
    await open(t.main.id);
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'clip.png', { type: 'image/png' }));
      document.querySelector('textarea[name=comment]').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, PNG.toString('base64'));
    await page.locator('.uploads li.done[data-upload="clip.png"]').waitFor();
    const deleted = page.waitForResponse((r) => /\/api\/v2\/uploads\/[^/]+\.json$/.test(r.url()) && r.request().method() === 'DELETE');
    await page.click('.uploads li[data-upload="clip.png"] button');
    await page.waitForFunction(() => !document.querySelector('.uploads'));
    assert.equal((await deleted).status(), 204);
    // dropped files too
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['이름,수량\n사과,3\n'], 'order.csv', { type: 'text/csv' }));
      document.querySelector('.composer').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.locator('.uploads li.done[data-upload="order.csv"]').waitFor();
    await page.click('.uploads li[data-upload="order.csv"] button');
    await page.waitForFunction(() => !document.querySelector('.uploads'));
  });

  test('the history shows a status change from -> to', async () => {
    await open(t.main.id);
    await page.selectOption('.side select[name=status]', 'hold');
    await page.waitForFunction(() => document.querySelector('.ticket-head .status').classList.contains('s-hold'));
    await unfocus();
    await page.keyboard.press('h');
    const audits = page.locator('.audits');
    await audits.locator('li[data-audit]').first().waitFor();
    const newest = await audits.locator('li[data-audit]').first().textContent();
    assert.match(newest, /Status/);
    assert.match(newest, /New\s*→\s*On-hold|Open\s*→\s*On-hold/);
    await shot('ticket-history');
    await page.keyboard.press('h');
    await page.locator('.conversation').waitFor();
  });

  test('an @mention in an internal note makes the agent a follower', async () => {
    await open(t.main.id);
    const before = (await ticket(t.main.id)).follower_ids;
    assert.ok(!before.includes(s.people.agent2.id));
    await unfocus();
    await page.keyboard.press('n');
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'comment');
    await page.keyboard.type('확인 부탁해요 @Agent T');
    await page.locator(`.mentions [data-mention="${s.people.agent2.id}"]`).waitFor();
    await page.keyboard.press('Enter');
    assert.match(await page.inputValue('textarea[name=comment]'), /@Agent Two $/);
    await page.keyboard.type('please check.');
    await page.keyboard.press('Control+Enter');
    await page.locator(`.side [data-people=followers] [data-user="${s.people.agent2.id}"]`).waitFor();
    const after = await ticket(t.main.id);
    assert.ok(after.follower_ids.includes(s.people.agent2.id), `followers ${after.follower_ids}`);
  });

  test('a macro is applied with the keyboard, then submitted', async () => {
    await open(t.main.id);
    await unfocus();
    await page.keyboard.press('m');
    await page.locator('.macros input[name=macro_filter]').waitFor();
    await page.keyboard.type(`Escalate 에스컬레이션 ${u}`);
    await page.locator(`.macros [data-macro="${macro.id}"].on`).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('.macros'));
    await page.locator('.composer .pending').waitFor();
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'comment');
    assert.match(await page.inputValue('textarea[name=comment]'), /담당 팀에 전달했습니다/);
    assert.match(await page.inputValue('textarea[name=comment]'), /Customer님/);
    assert.match(await page.locator('.composer').getAttribute('class'), /m-reply/);
    await shot('ticket-macro');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => !document.querySelector('.composer .pending'));
    const after = await ticket(t.main.id);
    assert.equal(after.priority, 'urgent');
    assert.equal(after.status, 'pending');
    const comments = (await api(`/tickets/${t.main.id}/comments.json`)).comments;
    const last = comments[comments.length - 1];
    assert.equal(last.public, true);
    assert.match(last.body, /Escalated/);
  });

  test('custom fields (dropdown, checkbox, integer) are edited in the side panel', async () => {
    await open(t.main.id);
    await page.selectOption(`.side select[name=field_${field.id}]`, `web_${u}`);
    await page.waitForFunction(async ([id, fid, v]) => {
      const r = await fetch(`/api/v2/tickets/${id}.json`);
      const tk = (await r.json()).ticket;
      return tk.custom_fields.some((f) => f.id === fid && f.value === v);
    }, [t.main.id, field.id, `web_${u}`]);
    await page.waitForFunction(([fid, v]) => document.querySelector(`select[name=field_${fid}]`).value === v, [field.id, `web_${u}`]);
    await page.check(`.side input[name=field_${flag.id}]`);
    await page.fill(`.side input[name=field_${order.id}]`, '3');
    await page.press(`.side input[name=field_${order.id}]`, 'Enter');
    await page.waitForFunction(async ([id, a, b]) => {
      const tk = (await (await fetch(`/api/v2/tickets/${id}.json`)).json()).ticket;
      const v = (fid) => (tk.custom_fields.find((f) => f.id === fid) || {}).value;
      return v(a) === true && v(b) === 3;
    }, [t.main.id, flag.id, order.id]);
    const cf = (await ticket(t.main.id)).custom_fields;
    assert.equal(cf.find((f) => f.id === field.id).value, `web_${u}`, 'the dropdown kept its value');
  });

  test('a assigns the ticket to me and s solves it', async () => {
    await open(t.older.id);
    await api(`/tickets/${t.older.id}.json`, 'PUT', { ticket: { assignee_id: null, status: 'open' } });
    await page.waitForFunction(() => (document.querySelector('.side select[name=assignee_id]') || {}).value === '');
    await unfocus();
    await page.keyboard.press('a');
    await page.waitForFunction(() => (document.querySelector('.side select[name=assignee_id]') || {}).value === '1');
    assert.equal((await ticket(t.older.id)).assignee_id, 1);
    await unfocus();
    await page.keyboard.press('s');
    await page.waitForFunction(() => document.querySelector('.ticket-head .status').classList.contains('s-solved'));
    assert.equal((await ticket(t.older.id)).status, 'solved');
  });

  test('a CC is added with the people picker, shows in the history, and is removed again', async () => {
    await open(t.main.id);
    const who = s.people.enduser.id;
    await page.fill('.side input[name=ccs_search]', '고객 하');
    await page.locator(`.side [data-people=ccs] [data-pick="${who}"]`).waitFor();
    await page.press('.side input[name=ccs_search]', 'Enter');
    await page.locator(`.side [data-people=ccs] .chips [data-user="${who}"]`).waitFor();
    assert.deepEqual((await ticket(t.main.id)).email_cc_ids, [who]);
    // the history says who was added
    await unfocus();
    await page.keyboard.press('h');
    await page.waitForFunction(() => /CCs:\s*-\s*→\s*고객 하나/.test((document.querySelector('.audits li[data-audit]') || {}).textContent || ''));
    await page.keyboard.press('h');
    await page.click(`.side [data-people=ccs] .chips [data-user="${who}"] button`);
    await page.waitForFunction(() => !document.querySelector('.side [data-people=ccs] .chips'));
    assert.deepEqual((await ticket(t.main.id)).email_cc_ids, []);
  });

  test('an incident is linked to its problem, and the problem lists it', async () => {
    await open(t.incident.id);
    // a refused change says why and leaves the page as it was
    await page.fill('.side input[name=problem_id]', '999999');
    await page.press('.side input[name=problem_id]', 'Enter');
    await page.locator('.ticket-head [data-save-error]').waitFor();
    assert.match(await page.locator('.ticket-head [data-save-error]').textContent(), /Not saved: .*problem/);
    assert.equal(await page.locator('.side').count(), 1);
    assert.equal((await ticket(t.incident.id)).problem_id, null);
    await page.fill('.side input[name=problem_id]', String(t.problem.id));
    await page.press('.side input[name=problem_id]', 'Enter');
    await page.locator(`.side [data-problem="${t.problem.id}"]`).waitFor();
    assert.equal(await page.locator('.ticket-head [data-save-error]').count(), 0);
    assert.equal((await ticket(t.incident.id)).problem_id, t.problem.id);
    await page.click(`.side [data-problem="${t.problem.id}"]`);
    await page.locator(`.ticket[data-ticket-id="${t.problem.id}"] .side .incidents a[href="#/tickets/${t.incident.id}"]`).waitFor();
  });

  test('a ticket is merged into another, with comments on both', async () => {
    await open(t.source.id);
    await page.click('.side [data-action=merge]');
    await page.locator('.merge input[name=merge_target]').fill(String(t.target.id));
    await page.locator('.merge textarea[name=source_comment]').fill(`#${t.target.id}로 병합합니다.`);
    await page.click('.merge button[type=submit]');
    await page.locator(`.ticket[data-ticket-id="${t.target.id}"] .conversation`).waitFor();
    assert.match(page.url(), new RegExp(`#/tickets/${t.target.id}$`));
    const src = await ticket(t.source.id);
    assert.equal(src.status, 'closed');
    const srcComments = (await api(`/tickets/${t.source.id}/comments.json`)).comments;
    assert.match(srcComments[srcComments.length - 1].body, new RegExp(`#${t.target.id}로 병합합니다`));
    const tgtComments = (await api(`/tickets/${t.target.id}/comments.json`)).comments;
    assert.match(tgtComments[tgtComments.length - 1].body, new RegExp(`#${t.source.id}`));
    await page.waitForFunction((n) => document.querySelector('.conversation').dataset.comments === String(n), tgtComments.length);
  });
});

async function shot(name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}
