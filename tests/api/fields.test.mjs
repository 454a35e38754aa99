// fields.test.mjs - ticket fields and custom field values, uploads and
// attachments on comments, and the account's tag list.
import test, { describe } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { env, client, call, show, rawFetch } from './lib/harness.mjs';
import { newTicket, uniq } from './lib/fixtures.mjs';

await env();

async function newField(c, field) {
  const r = await call(c, c.ticketfields.create({ ticket_field: field }));
  assert.equal(r.status, 201, `create field ${JSON.stringify(field)}: ${show(r)}`);
  return r.result;
}

describe('ticket fields', () => {
  test('create text, drop-down, checkbox and integer fields; list, show, update, delete', async () => {
    const admin = client('admin');
    const text = await newField(admin, { type: 'text', title: `주문 번호 ${uniq()}`, description: '주문서의 번호' });
    assert.equal(text.type, 'text');
    assert.match(text.title, /^주문 번호/);
    assert.equal(text.active, true);
    assert.match(text.url, new RegExp(`/api/v2/ticket_fields/${text.id}\\.json$`));
    const dropdown = await newField(admin, {
      type: 'tagger', title: `배송 방법 ${uniq()}`,
      custom_field_options: [{ name: '택배', value: 'delivery_parcel' }, { name: '퀵서비스', value: 'delivery_quick' }],
    });
    assert.equal(dropdown.type, 'tagger');
    assert.deepEqual(dropdown.custom_field_options.map((o) => o.value), ['delivery_parcel', 'delivery_quick']);
    assert.ok(dropdown.custom_field_options.every((o) => Number.isInteger(o.id)));
    const checkbox = await newField(admin, { type: 'checkbox', title: `긴급 ${uniq()}` });
    const integer = await newField(admin, { type: 'integer', title: `수량 ${uniq()}` });

    const all = await admin.ticketfields.list();
    const got = new Set(all.map((f) => f.id));
    for (const f of [text, dropdown, checkbox, integer]) assert.ok(got.has(f.id), `field ${f.id} listed`);

    let r = await call(admin, admin.ticketfields.show(text.id));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.description, '주문서의 번호');
    r = await call(admin, admin.ticketfields.update(text.id, { ticket_field: { title: '주문 번호 (수정)', required: true } }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.result.title, '주문 번호 (수정)');
    r = await call(admin, admin.ticketfields.delete(integer.id));
    assert.equal(r.status, 204, show(r));
    r = await call(admin, admin.ticketfields.show(integer.id));
    assert.equal(r.status, 404, show(r));
  });

  test('custom field values round-trip on tickets', async () => {
    const admin = client('admin');
    const text = await newField(admin, { type: 'text', title: `고객 번호 ${uniq()}` });
    const dropdown = await newField(admin, {
      type: 'tagger', title: `문의 유형 ${uniq()}`,
      custom_field_options: [{ name: '배송', value: 'kind_delivery' }, { name: '환불', value: 'kind_refund' }],
    });
    const checkbox = await newField(admin, { type: 'checkbox', title: `VIP 여부 ${uniq()}` });
    const t = await newTicket(admin, {
      subject: '사용자 정의 필드',
      custom_fields: [{ id: text.id, value: 'ORD-4471 주문' }, { id: dropdown.id, value: 'kind_refund' }, { id: checkbox.id, value: true }],
    });
    const val = (tk, id) => (tk.custom_fields.find((f) => f.id === id) || {}).value;
    assert.equal(val(t, text.id), 'ORD-4471 주문');
    assert.equal(val(t, dropdown.id), 'kind_refund');
    assert.equal(val(t, checkbox.id), true);
    assert.deepEqual(t.fields, t.custom_fields);

    const r = await call(admin, admin.tickets.update(t.id, { ticket: { custom_fields: [{ id: dropdown.id, value: 'kind_delivery' }] } }));
    assert.equal(r.status, 200, show(r));
    assert.equal(val(r.result, dropdown.id), 'kind_delivery');
    assert.equal(val(r.result, text.id), 'ORD-4471 주문', 'other values stay');
    const ev = r.body.audit.events.find((e) => String(e.field_name) === String(dropdown.id));
    assert.ok(ev, `audit event for the field: ${JSON.stringify(r.body.audit.events)}`);
  });

  test('a drop-down value is also a ticket tag, as in Zendesk', async () => {
    const admin = client('admin');
    const dropdown = await newField(admin, {
      type: 'tagger', title: `지역 ${uniq()}`,
      custom_field_options: [{ name: '서울', value: 'region_seoul' }, { name: '부산', value: 'region_busan' }],
    });
    const t = await newTicket(admin, { subject: '지역 태그', custom_fields: [{ id: dropdown.id, value: 'region_busan' }] });
    assert.ok(t.tags.includes('region_busan'), JSON.stringify(t.tags));
    // a new value swaps the tag; other tags stay
    const u = await admin.tickets.update(t.id, { ticket: { additional_tags: ['keep_me'] } });
    assert.ok(u.result.tags.includes('keep_me'), JSON.stringify(u.result.tags));
    const v = await admin.tickets.update(t.id, { ticket: { custom_fields: [{ id: dropdown.id, value: 'region_seoul' }] } });
    assert.ok(v.result.tags.includes('region_seoul'), JSON.stringify(v.result.tags));
    assert.ok(!v.result.tags.includes('region_busan'), JSON.stringify(v.result.tags));
    assert.ok(v.result.tags.includes('keep_me'), JSON.stringify(v.result.tags));
  });

  test('only admins change ticket fields', async () => {
    const agent = client('agent');
    const r = await call(agent, agent.ticketfields.create({ ticket_field: { type: 'text', title: 'nope' } }));
    assert.equal(r.status, 403, show(r));
    const list = await call(agent, agent.ticketfields.list());
    assert.equal(list.status, 200, show(list));
  });
});

describe('uploads and attachments', () => {
  const text = '영수증\nreceipt for order #4471 — 45,000원\n';
  // a 1x1 PNG
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

  test('upload a file, attach it to a comment, download it back', async () => {
    const agent = client('agent');
    const r = await call(agent, agent.attachments.upload(Readable.from([Buffer.from(text)]), { filename: '영수증.txt', binary: true }));
    assert.equal(r.status, 201, show(r));
    const up = r.body.upload;
    assert.ok(up && typeof up.token === 'string' && up.token.length >= 10, show(r));
    assert.equal(up.attachment.file_name, '영수증.txt');
    assert.equal(up.attachment.size, Buffer.byteLength(text));
    assert.match(up.attachment.content_type, /^text\/plain/);
    assert.deepEqual(up.attachments.map((a) => a.id), [up.attachment.id]);

    // a second file under the same token
    const r2 = await call(agent, agent.attachments.upload(Readable.from([png]), { filename: 'photo.bin', binary: true, token: up.token }));
    assert.equal(r2.status, 201, show(r2));
    assert.equal(r2.body.upload.token, up.token);
    assert.equal(r2.body.upload.attachment.content_type, 'image/png', 'the type comes from the content, not the name');

    const t = await newTicket(agent, { subject: '첨부 파일', comment: { body: '영수증을 첨부합니다', uploads: [up.token] } });
    const comments = await agent.tickets.getComments(t.id);
    const atts = comments[0].attachments;
    assert.equal(atts.length, 2, JSON.stringify(comments[0]));
    const receipt = atts.find((a) => a.file_name === '영수증.txt');
    assert.ok(receipt, JSON.stringify(atts));
    assert.equal(receipt.size, Buffer.byteLength(text));
    assert.ok(receipt.content_url);

    const meta = await call(agent, agent.attachments.show(receipt.id));
    assert.equal(meta.status, 200, show(meta));
    assert.equal(meta.body.attachment.file_name, '영수증.txt');

    // plain fetch: node-zendesk parses JSON only and cannot download a file
    const dl = await rawFetch(receipt.content_url, { who: 'agent' });
    assert.equal(dl.status, 200, `${dl.status} ${dl.text.slice(0, 200)}`);
    assert.equal(dl.text, text);
  });

  test('attach an upload on a ticket update; a used or unknown token is refused', async () => {
    const admin = client('admin');
    const up = (await call(admin, admin.attachments.upload(Readable.from([png]), { filename: 'screen.png', binary: true }))).body.upload;
    assert.ok(up && up.token, 'upload token');
    const t = await newTicket(admin, { subject: '수정 중 첨부' });
    let r = await call(admin, admin.tickets.update(t.id, { ticket: { comment: { body: '스크린샷', uploads: [up.token] } } }));
    assert.equal(r.status, 200, show(r));
    const comments = await admin.tickets.getComments(t.id);
    assert.equal(comments.at(-1).attachments.length, 1);
    assert.equal(comments.at(-1).attachments[0].content_type, 'image/png');
    const before = (await admin.tickets.getComments(t.id)).length;
    r = await call(admin, admin.tickets.update(t.id, { ticket: { comment: { body: '없는 토큰', uploads: ['no-such-token-0000'] } } }));
    assert.equal(r.status, 422, show(r));
    assert.equal((await admin.tickets.getComments(t.id)).length, before, 'nothing half-written');
  });

  test('delete an upload before it is used', async () => {
    const agent = client('agent');
    const up = (await call(agent, agent.attachments.upload(Readable.from([Buffer.from('x')]), { filename: 'x.txt', binary: true }))).body.upload;
    assert.ok(up && up.token, 'upload token');
    let r = await call(agent, agent.attachments.deleteUpload(up.token));
    assert.equal(r.status, 204, show(r));
    r = await call(agent, agent.attachments.deleteUpload(up.token));
    assert.equal(r.status, 404, show(r));
  });

  test('end-users can upload for their own requests', async () => {
    const enduser = client('enduser');
    const r = await call(enduser, enduser.attachments.upload(Readable.from([Buffer.from('고객 파일')]), { filename: '고객.txt', binary: true }));
    assert.equal(r.status, 201, show(r));
    const t = await newTicket(enduser, { subject: '고객 첨부', comment: { body: '파일 보냅니다', uploads: [r.body.upload.token] } });
    const comments = await enduser.tickets.getComments(t.id);
    assert.equal(comments[0].attachments[0].file_name, '고객.txt');
  });
});

describe('tags', () => {
  test('the account\'s tags with their counts, Korean tags included', async () => {
    const agent = client('agent');
    const admin = client('admin');
    const tag = `태그${uniq()}`.toLowerCase();
    await newTicket(admin, { subject: '태그 목록 1', tags: [tag, 'vip'] });
    await newTicket(admin, { subject: '태그 목록 2', tags: [tag] });
    const tags = await agent.tags.list();
    const byName = new Map(tags.map((t) => [t.name, t.count]));
    assert.equal(byName.get(tag), 2, JSON.stringify(tags.slice(0, 20)));
    assert.ok(byName.get('배송') >= 2, `배송: ${byName.get('배송')}`);
    assert.ok(byName.get('vip') >= 2, `vip: ${byName.get('vip')}`);
    const names = tags.map((t) => t.name);
    assert.equal(new Set(names).size, names.length, 'each tag once');
  });
});
