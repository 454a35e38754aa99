// ticketforms.test.mjs - ticket forms (/api/v2/ticket_forms: create, read,
// update, delete, validation) and the contact form that uses them: a
// picker between the end-user-visible forms, the chosen form's fields
// (a dropdown among them) in its order, values checked like the API
// checks them (an unknown option is refused, a required field too), and
// attachments sent as multipart/form-data that end up on the ticket's
// comment and download from the request page through the status link.
// Tickets carry ticket_form_id (set, changed, cleared through the API, an
// active form only, audited, searchable as form:), and the contact form
// stores it along with a multiselect field's ticked options.
import test, { describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, rawFetch } from './lib/harness.mjs';
import { uniq } from './lib/fixtures.mjs';

const s = await env();
const j = (body) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const api = (who, method, p, body) => rawFetch(`/api/v2${p}`, { method, who, ...(body ? j(body) : {}) });
const page = (p, opts = {}) => fetch(`${s.server.url}${p}`, { redirect: 'manual', ...opts });

let tag, dropdown, text, hiddenField, multi, printerForm, billingForm;

async function visitor(q = '') {
  const r = await page(`/hc/en-us/requests/new${q}`);
  const html = await r.text();
  const tok = /sonnim_hc=([0-9a-f]{40})/.exec(r.headers.get('set-cookie'))[1];
  return { tok, cookie: `sonnim_hc=${tok}`, html, status: r.status };
}

async function send(v, fields, files = []) {
  const fd = new FormData();
  fd.append('token', v.tok);
  for (const [k, val] of Object.entries(fields)) for (const one of [].concat(val)) fd.append(k, one);
  for (const f of files) fd.append('attachments', new Blob([f.data], { type: f.type || 'application/octet-stream' }), f.name);
  const r = await page('/hc/en-us/requests/new', { method: 'POST', headers: { Cookie: v.cookie }, body: fd });
  return { status: r.status, html: await r.text() };
}

describe('ticket forms', () => {
  before(async () => {
    tag = uniq('tf');
    const mk = async (field) => {
      const r = await api('admin', 'POST', '/ticket_fields.json', { ticket_field: field });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.ticket_field;
    };
    dropdown = await mk({ type: 'tagger', title: `Printer model ${tag}`, visible_in_portal: true, editable_in_portal: true, required_in_portal: true,
      custom_field_options: [{ name: 'LaserJet 100', value: `lj100_${tag}` }, { name: 'InkJet 5', value: `ij5_${tag}` }] });
    text = await mk({ type: 'text', title: `Serial number ${tag}`, visible_in_portal: true, editable_in_portal: true });
    hiddenField = await mk({ type: 'text', title: `Internal ${tag}` });
    multi = await mk({ type: 'multiselect', title: `Affected trays ${tag}`, visible_in_portal: true, editable_in_portal: true,
      custom_field_options: [{ name: 'Tray 1', value: `tray1_${tag}` }, { name: 'Tray 2', value: `tray2_${tag}` }, { name: 'Tray 3', value: `tray3_${tag}` }] });
  });

  test('create, read, update, delete, with validation', async () => {
    let r = await api('admin', 'POST', '/ticket_forms.json', { ticket_form: { display_name: 'x' } });
    assert.equal(r.status, 422);
    r = await api('admin', 'POST', '/ticket_forms.json', { ticket_form: { name: 'Bad', ticket_field_ids: [99999999] } });
    assert.equal(r.status, 422);
    assert.match(JSON.stringify(r.body), /is not a ticket field/);
    r = await api('admin', 'POST', '/ticket_forms.json', { ticket_form: { name: 'Bad', ticket_field_ids: 'x' } });
    assert.equal(r.status, 422);
    r = await api('admin', 'POST', '/ticket_forms.json', { ticket_form: { name: `Printers ${tag}`, display_name: `Printer trouble ${tag}`, position: 1, ticket_field_ids: [dropdown.id, text.id, hiddenField.id, dropdown.id] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    printerForm = r.body.ticket_form;
    assert.deepEqual(printerForm.ticket_field_ids, [dropdown.id, text.id, hiddenField.id]);
    assert.equal(printerForm.active, true);
    assert.equal(printerForm.end_user_visible, true);
    assert.equal(printerForm.default, false);
    r = await api('admin', 'POST', '/ticket_forms.json', { ticket_form: { name: `Billing ${tag}`, position: 0, default: true, ticket_field_ids: [text.id] } });
    billingForm = r.body.ticket_form;
    assert.equal(billingForm.display_name, `Billing ${tag}`);
    r = await api('agent', 'GET', `/ticket_forms/${printerForm.id}.json`);
    assert.equal(r.body.ticket_form.name, `Printers ${tag}`);
    r = await api('agent', 'GET', '/ticket_forms.json');
    assert.ok(r.body.ticket_forms.some((f) => f.id === billingForm.id && f.default));
    r = await api('admin', 'PUT', `/ticket_forms/${printerForm.id}.json`, { ticket_form: { default: true } });
    assert.equal(r.body.ticket_form.default, true);
    r = await api('agent', 'GET', `/ticket_forms/${billingForm.id}.json`);
    assert.equal(r.body.ticket_form.default, false, 'one default at most');
    const tmp = (await api('admin', 'POST', '/ticket_forms.json', { ticket_form: { name: `Tmp ${tag}` } })).body.ticket_form;
    assert.equal((await api('admin', 'DELETE', `/ticket_forms/${tmp.id}.json`)).status, 204);
    assert.equal((await api('agent', 'GET', `/ticket_forms/${tmp.id}.json`)).status, 404);
    assert.equal((await api('agent', 'POST', '/ticket_forms.json', { ticket_form: { name: 'x' } })).status, 403);
  });

  test('the contact form: a picker, the chosen form\'s fields, a dropdown', async () => {
    const v = await visitor();
    assert.ok(v.html.includes('name="ticket_form_id"'));
    assert.ok(v.html.includes(`>Printer trouble ${tag}</option>`) && v.html.includes(`>Billing ${tag}</option>`));
    assert.ok(v.html.includes('enctype="multipart/form-data"') && v.html.includes('type="file"'));
    // the default form (Printers) is chosen: its dropdown, its text field, not the agent-only field
    assert.match(v.html, new RegExp(`<select id="f-field_${dropdown.id}" name="field_${dropdown.id}" required>`));
    assert.ok(v.html.includes(`<option value="lj100_${tag}">LaserJet 100</option>`));
    assert.ok(v.html.includes(`name="field_${text.id}"`));
    assert.ok(!v.html.includes(`name="field_${hiddenField.id}"`));
    assert.ok(v.html.indexOf(`field_${dropdown.id}`) < v.html.indexOf(`field_${text.id}`), 'in the form\'s order');
    const b = await visitor(`?ticket_form_id=${billingForm.id}`);
    assert.ok(!b.html.includes(`name="field_${dropdown.id}"`), 'the billing form has no dropdown');
    assert.ok(b.html.includes(`name="field_${text.id}"`));
  });

  test('values are checked: a required dropdown, an unknown option', async () => {
    const v = await visitor();
    const base = { email: `${tag}@example.com`, subject: `Printer ${tag}`, description: 'It jams.', ticket_form_id: String(printerForm.id) };
    let r = await send(v, base);
    assert.equal(r.status, 422);
    assert.match(r.html, /This field is required: Printer model/);
    r = await send(v, { ...base, [`field_${dropdown.id}`]: 'not_an_option' });
    assert.equal(r.status, 422);
    assert.match(r.html, /Please check this field: Printer model/);
    // a field of another form is not taken
    r = await send(v, { ...base, [`field_${dropdown.id}`]: `ij5_${tag}`, [`field_${hiddenField.id}`]: 'sneaky' });
    assert.equal(r.status, 200, r.html.slice(0, 400));
    const id = Number(/class="ticket-number">[^#]*#(\d+)/.exec(r.html)[1]);
    const t = (await api('admin', 'GET', `/tickets/${id}.json`)).body.ticket;
    const val = (fid) => (t.custom_fields.find((c) => c.id === fid) || {}).value;
    assert.equal(val(dropdown.id), `ij5_${tag}`);
    assert.ok(t.tags.includes(`ij5_${tag}`), 'the option\'s tag is on the ticket');
    assert.ok(!val(hiddenField.id));
  });

  test('attachments on the contact form reach the ticket and the request page', async () => {
    const v = await visitor();
    const files = [
      { name: 'error-log.txt', data: `paper jam at tray 2 ${tag}\n`, type: 'text/plain' },
      { name: '프린터 사진.png', data: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') },
    ];
    const r = await send(v, { email: `${tag}-2@example.com`, subject: `Jam ${tag}`, description: 'See the log.', ticket_form_id: String(printerForm.id), [`field_${dropdown.id}`]: `lj100_${tag}` }, files);
    assert.equal(r.status, 200, r.html.slice(0, 400));
    const id = Number(/class="ticket-number">[^#]*#(\d+)/.exec(r.html)[1]);
    const status = /href="([^"]*requests\/\d+\?token=[0-9a-f]+)"/.exec(r.html)[1];
    const cm = (await api('admin', 'GET', `/tickets/${id}/comments.json`)).body.comments[0];
    assert.deepEqual(cm.attachments.map((a) => a.file_name).sort(), ['error-log.txt', '프린터 사진.png'].sort());
    const log = cm.attachments.find((a) => a.file_name === 'error-log.txt');
    assert.equal(log.size, files[0].data.length);
    assert.match(log.content_type, /^text\/plain/);
    // the request page lists them and serves them through the status link
    const html = await (await page(status)).text();
    const m = new RegExp(`href="(/hc/en-us/requests/${id}/attachments/${log.id}\\?token=[0-9a-f]+)">error-log.txt</a>`).exec(html);
    assert.ok(m, html.slice(0, 2000));
    const dl = await page(m[1].replace(/&amp;/g, '&'));
    assert.equal(dl.status, 200);
    assert.match(dl.headers.get('content-disposition'), /^attachment; filename="error-log.txt"/);
    assert.equal(await dl.text(), files[0].data);
    // no token, a wrong ticket: not found
    assert.equal((await page(`/hc/en-us/requests/${id}/attachments/${log.id}`)).status, 404);
    assert.equal((await page(`/hc/en-us/requests/${id + 1}/attachments/${log.id}${m[1].slice(m[1].indexOf('?'))}`)).status, 404);
    // six files are too many
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, data: `x${i}` }));
    const r6 = await send(v, { email: `${tag}-3@example.com`, subject: 'Six', description: 'x', [`field_${dropdown.id}`]: `lj100_${tag}` }, six);
    assert.equal(r6.status, 422);
    assert.match(r6.html, /at most 5 files/);
  });

  test('ticket_form_id on tickets: set, changed, cleared, audited, refused for unknown or inactive forms', async () => {
    const inactive = (await api('admin', 'POST', '/ticket_forms.json', { ticket_form: { name: `Old ${tag}`, active: false } })).body.ticket_form;
    assert.equal(inactive.active, false);
    let r = await api('agent', 'POST', '/tickets.json', { ticket: { subject: `Form ${tag}`, comment: { body: 'x' }, ticket_form_id: printerForm.id } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.ticket.id;
    assert.equal(r.body.ticket.ticket_form_id, printerForm.id);
    assert.ok(r.body.audit.events.some((e) => e.type === 'Create' && e.field_name === 'ticket_form_id' && e.value === String(printerForm.id)));
    r = await api('agent', 'POST', '/tickets.json', { ticket: { subject: `No form ${tag}`, comment: { body: 'x' } } });
    assert.equal(r.body.ticket.ticket_form_id, null, 'null when none');
    r = await api('agent', 'PUT', `/tickets/${id}.json`, { ticket: { ticket_form_id: billingForm.id } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.ticket.ticket_form_id, billingForm.id);
    const ev = r.body.audit.events.find((e) => e.field_name === 'ticket_form_id');
    assert.deepEqual([ev.type, ev.value, ev.previous_value], ['Change', String(billingForm.id), String(printerForm.id)]);
    // found by form: (id or name)
    r = await api('agent', 'GET', `/search.json?query=${encodeURIComponent(`type:ticket form:${billingForm.id}`)}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.results.some((t) => t.id === id), JSON.stringify(r.body));
    r = await api('agent', 'GET', `/search.json?query=${encodeURIComponent(`type:ticket form:${printerForm.id}`)}`);
    assert.ok(!r.body.results.some((t) => t.id === id));
    r = await api('agent', 'GET', `/search.json?query=${encodeURIComponent(`type:ticket form:"Billing ${tag}"`)}`);
    assert.ok(r.body.results.some((t) => t.id === id), JSON.stringify(r.body));
    // unknown and inactive forms: 422 with the field named, nothing changed
    for (const bad of [99999999, inactive.id]) {
      r = await api('agent', 'PUT', `/tickets/${id}.json`, { ticket: { ticket_form_id: bad } });
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.error, 'RecordInvalid');
      assert.match(r.body.details.ticket_form_id[0].description, /is not an active ticket form/);
      r = await api('agent', 'POST', '/tickets.json', { ticket: { subject: 'x', comment: { body: 'x' }, ticket_form_id: bad } });
      assert.equal(r.status, 422);
    }
    r = await api('agent', 'PUT', `/tickets/${id}.json`, { ticket: { ticket_form_id: 'x' } });
    assert.equal(r.status, 422);
    r = await api('agent', 'PUT', `/tickets/${id}.json`, { ticket: { ticket_form_id: null } });
    assert.equal(r.status, 200);
    assert.equal(r.body.ticket.ticket_form_id, null);
    const cleared = r.body.audit.events.find((e) => e.field_name === 'ticket_form_id');
    assert.equal(cleared.value, null);
    assert.equal(cleared.previous_value, String(billingForm.id));
    const audits = (await api('agent', 'GET', `/tickets/${id}/audits.json`)).body.audits;
    assert.equal(audits.filter((a) => a.events.some((e) => e.field_name === 'ticket_form_id')).length, 3);
    assert.equal((await api('agent', 'GET', `/tickets/${id}.json`)).body.ticket.ticket_form_id, null);
  });

  test('the contact form stores the ticket form and a multiselect\'s ticked options', async () => {
    let r = await api('admin', 'PUT', `/ticket_forms/${printerForm.id}.json`, { ticket_form: { ticket_field_ids: [dropdown.id, text.id, multi.id] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const v = await visitor(`?ticket_form_id=${printerForm.id}`);
    // one checkbox per option, under the field's label
    assert.ok(v.html.includes(`<legend>Affected trays ${tag}</legend>`), v.html);
    for (const n of [1, 2, 3])
      assert.ok(v.html.includes(`<input type="checkbox" name="field_${multi.id}" value="tray${n}_${tag}"> Tray ${n}</label>`));
    const base = { email: `${tag}-ms@example.com`, subject: `Trays ${tag}`, description: 'Two trays jam.', ticket_form_id: String(printerForm.id), [`field_${dropdown.id}`]: `lj100_${tag}` };
    // an option the field does not have: refused, the ticked ones kept
    let p = await send(v, { ...base, [`field_${multi.id}`]: [`tray1_${tag}`, 'tray9'] });
    assert.equal(p.status, 422);
    assert.match(p.html, new RegExp(`Please check this field: Affected trays ${tag}`));
    assert.ok(p.html.includes(`value="tray1_${tag}" checked>`));
    p = await send(v, { ...base, [`field_${multi.id}`]: [`tray1_${tag}`, `tray3_${tag}`] });
    assert.equal(p.status, 200, p.html.slice(0, 600));
    const id = Number(/class="ticket-number">[^#]*#(\d+)/.exec(p.html)[1]);
    const t = (await api('admin', 'GET', `/tickets/${id}.json`)).body.ticket;
    assert.equal(t.ticket_form_id, printerForm.id);
    assert.deepEqual(t.custom_fields.find((c) => c.id === multi.id).value, [`tray1_${tag}`, `tray3_${tag}`]);
    assert.ok(t.tags.includes(`tray1_${tag}`) && t.tags.includes(`tray3_${tag}`) && !t.tags.includes(`tray2_${tag}`), 'the options\' tags');
    // none ticked: no value; the billing form: its id
    const b = await visitor(`?ticket_form_id=${billingForm.id}`);
    p = await send(b, { email: `${tag}-ms2@example.com`, subject: `Bill ${tag}`, description: 'x', ticket_form_id: String(billingForm.id) });
    assert.equal(p.status, 200, p.html.slice(0, 600));
    const t2 = (await api('admin', 'GET', `/tickets/${Number(/class="ticket-number">[^#]*#(\d+)/.exec(p.html)[1])}.json`)).body.ticket;
    assert.equal(t2.ticket_form_id, billingForm.id);
    assert.ok(!t2.custom_fields.some((c) => c.id === multi.id && c.value));
  });
});
