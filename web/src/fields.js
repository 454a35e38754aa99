// fields.js - the side panel's editors beyond the standard selects: custom
// ticket fields (text, dropdown, checkbox, date, number), people pickers
// for CCs and followers, the problem/incident link; and field names and
// values in words.
// Each editor hands a ticket change to onChange (one PUT by the page).
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { get } from './api.js';
import { t as tr } from './i18n.js';
import { users, loadUsers, enc } from './shared.js';

// A ticket field's name and a value of it in words (history, macro
// previews): ids become names, enum values their words.
const KNOWN = { status: 'status', priority: 'priority', type: 'type' };

export function label(lang, field, defs) {
  if (/^\d+$/.test(field)) {
    const f = defs.find((d) => String(d.id) === field);
    return f ? f.title : `#${field}`;
  }
  const key = `ticket.${field.replace(/_ids?$/, '')}`;
  const s = tr(lang, key);
  return s === key ? field : s;
}

export function value(lang, field, v, groups, defs) {
  if (field.endsWith('_ids')) {
    // people: an array (a macro's preview) or the audit's "31 32"
    const ids = Array.isArray(v) ? v : String(v || '').split(' ').filter(Boolean).map(Number);
    return ids.length ? ids.map((x) => (users.get(x) || {}).name || `#${x}`).join(', ') : tr(lang, 'ticket.none');
  }
  if (v === null || v === undefined || v === '') return tr(lang, 'ticket.none');
  if (Array.isArray(v)) return v.join(' ');
  if (KNOWN[field]) return tr(lang, `${KNOWN[field]}.${v}`);
  if (field === 'assignee_id' || field === 'requester_id') return (users.get(Number(v)) || {}).name || `#${v}`;
  if (field === 'group_id') return (groups.find((g) => g.id === Number(v)) || {}).name || `#${v}`;
  if (field === 'problem_id') return `#${v}`;
  if (/^\d+$/.test(field)) {
    // custom field values are JSON text; a dropdown's is an option's value
    let x = v;
    try { x = JSON.parse(v); } catch { /* plain text */ }
    const f = defs.find((d) => String(d.id) === field);
    const o = f && (f.custom_field_options || []).find((c) => c.value === x);
    if (o) return o.name;
    if (x === true || x === false) return tr(lang, x ? 'field.yes' : 'field.no');
    return x === null ? tr(lang, 'ticket.none') : String(x);
  }
  return v;
}

// the active custom fields, fetched once per page load
let defsPromise = null;
const SYSTEM = ['subject', 'description', 'status', 'tickettype', 'priority', 'group', 'assignee'];
export function ticketFields() {
  if (!defsPromise) {
    defsPromise = get('ticket_fields.json?per_page=100')
      .then((r) => r.ticket_fields.filter((f) => f.active && !SYSTEM.includes(f.type)).sort((a, b) => a.position - b.position))
      .catch((e) => { defsPromise = null; throw e; });
  }
  return defsPromise;
}

// The shown value is local (what the agent just chose stays while the save
// is on its way) and follows the ticket's when that changes.
function FieldInput({ f, value, onSave }) {
  const [v, setV] = useState(value ?? '');
  useEffect(() => setV(value ?? ''), [value]);
  const name = `field_${f.id}`;
  const save = (x) => { if (x !== (value ?? '')) onSave(x === '' ? null : x); };
  switch (f.type) {
    case 'tagger':
      return html`<select name=${name} value=${v} onChange=${(e) => { setV(e.target.value); onSave(e.target.value || null); }}>
        <option value="">-</option>
        ${(f.custom_field_options || []).map((o) => html`<option key=${o.value} value=${o.value}>${o.name}</option>`)}
      </select>`;
    case 'multiselect':
      return html`<select name=${name} multiple size="3" onChange=${(e) => onSave([...e.target.selectedOptions].map((o) => o.value))}>
        ${(f.custom_field_options || []).map((o) => html`<option key=${o.value} value=${o.value} selected=${(value || []).includes(o.value)}>${o.name}</option>`)}
      </select>`;
    case 'checkbox':
      return html`<input type="checkbox" name=${name} checked=${!!v} onChange=${(e) => { setV(e.target.checked); onSave(e.target.checked); }} />`;
    case 'textarea':
      return html`<textarea name=${name} rows="2" value=${v} onInput=${(e) => setV(e.target.value)} onBlur=${() => save(v)}></textarea>`;
    default: {
      const type = f.type === 'date' ? 'date' : f.type === 'integer' || f.type === 'decimal' ? 'number' : 'text';
      const conv = (x) => (x === '' ? '' : f.type === 'integer' ? parseInt(x, 10) : f.type === 'decimal' ? Number(x) : x);
      return html`<input type=${type} name=${name} step=${f.type === 'decimal' ? 'any' : undefined} value=${v} pattern=${f.type === 'regexp' ? f.regexp_for_validation : undefined}
        onInput=${(e) => setV(e.target.value)} onBlur=${() => save(conv(v))} onKeyDown=${(e) => e.key === 'Enter' && save(conv(v))} />`;
    }
  }
}

export function CustomFields({ ticket, onChange }) {
  const [defs, setDefs] = useState([]);
  useEffect(() => { ticketFields().then(setDefs).catch(() => {}); }, []);
  const values = new Map((ticket.custom_fields || []).map((c) => [c.id, c.value]));
  return defs.map((f) => html`<label class=${`field cf cf-${f.type}`} key=${f.id} title=${f.agent_description || f.description || ''}>
    <span>${f.title}${f.required ? ' *' : ''}</span>
    <${FieldInput} f=${f} value=${values.get(f.id)} onSave=${(value) => onChange({ custom_fields: [{ id: f.id, value }] })} />
  </label>`);
}

// People as removable chips plus a search box.  pool: a list of users to
// pick from (agents, for followers), or null to ask the server.
export function PeoplePicker({ lang, name, ids, pool, onChange }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState([]);
  const [, redraw] = useState(0);
  useEffect(() => { loadUsers(ids).then(() => redraw((x) => x + 1)).catch(() => {}); }, [ids.join(',')]);
  useEffect(() => {
    let live = true;
    const s = q.trim().toLowerCase();
    if (s.length < 2) { setHits([]); return undefined; }
    if (pool) {
      setHits(pool.filter((u) => !ids.includes(u.id) && `${u.name} ${u.email}`.toLowerCase().includes(s)).slice(0, 8));
      return undefined;
    }
    const timer = setTimeout(() => get(`users/autocomplete.json?name=${enc(s)}`).then((r) => {
      for (const u of r.users) users.set(u.id, u);
      if (live) setHits(r.users.filter((u) => !ids.includes(u.id)).slice(0, 8));
    }).catch(() => {}), 150);
    return () => { live = false; clearTimeout(timer); };
  }, [q, pool]);
  const add = (u) => { setQ(''); setHits([]); onChange([...ids, u.id]); };
  return html`<div class="people" data-people=${name}>
    ${ids.length > 0 && html`<ul class="chips">${ids.map((id) => html`<li key=${id} data-user=${id}>${(users.get(id) || {}).name || `#${id}`}
      <button class="link" aria-label=${tr(lang, 'people.remove')} onClick=${() => onChange(ids.filter((x) => x !== id))}>×</button></li>`)}</ul>`}
    <input name=${`${name}_search`} value=${q} placeholder=${tr(lang, 'people.add')} autocomplete="off" onInput=${(e) => setQ(e.target.value)}
      onKeyDown=${(e) => { if (e.key === 'Enter' && hits[0]) { e.preventDefault(); add(hits[0]); } }} />
    ${hits.length > 0 && html`<ul class="menu">${hits.map((u) => html`<li key=${u.id}><button class="link" data-pick=${u.id} onClick=${() => add(u)}>${u.name} <small>${u.email}</small></button></li>`)}</ul>`}
  </div>`;
}

// incident -> its problem (an id to type); problem -> its incidents
export function Linked({ lang, ticket, onChange }) {
  const [incidents, setIncidents] = useState(null);
  const [pid, setPid] = useState(ticket.problem_id || '');
  useEffect(() => setPid(ticket.problem_id || ''), [ticket.problem_id]);
  useEffect(() => {
    if (ticket.type !== 'problem') return;
    get(`tickets/${ticket.id}/incidents.json`).then((r) => setIncidents(r.tickets)).catch(() => setIncidents([]));
  }, [ticket.id, ticket.type, ticket.updated_at]);
  if (ticket.type === 'incident') {
    return html`<label class="field"><span>${tr(lang, 'ticket.problem')}</span>
      <div class="row"><input name="problem_id" type="number" min="1" value=${pid} placeholder="#" onInput=${(e) => setPid(e.target.value)}
        onKeyDown=${(e) => e.key === 'Enter' && onChange({ problem_id: pid ? Number(pid) : null })} />
      ${ticket.problem_id && html`<a href=${`#/tickets/${ticket.problem_id}`} data-problem=${ticket.problem_id}>#${ticket.problem_id}</a>`}</div></label>`;
  }
  if (ticket.type !== 'problem') return null;
  return html`<div class="field incidents"><span>${tr(lang, 'ticket.incidents')}</span>
    ${incidents && !incidents.length && html`<small>${tr(lang, 'ticket.none')}</small>`}
    <ul>${(incidents || []).map((x) => html`<li key=${x.id}><a href=${`#/tickets/${x.id}`}>#${x.id} ${x.subject}</a> <small>${tr(lang, `status.${x.status}`)}</small></li>`)}</ul></div>`;
}
