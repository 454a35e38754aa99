// customer.js - the customer beside every ticket, so they need not repeat
// themselves: the requester's profile, identities on every channel, their
// organization, their other tickets (newest activity first) and the notes
// agents keep about them, editable in place (PUT /users/{id}.json).
// Four GETs per requester, kept for the page's life: asked again after 30 s,
// when the open ticket changed after them, or on a save.
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { api, get } from './api.js';
import { t as tr } from './i18n.js';
import { when, users } from './shared.js';

const known = new Map(); // user id -> {user, identities, org, tickets}

async function load(id) {
  const [u, ids, tk] = await Promise.all([get(`users/${id}.json`), get(`users/${id}/identities.json`),
    get(`users/${id}/tickets/requested.json?per_page=100&sort_by=updated_at&sort_order=desc`)]);
  const org = u.user.organization_id ? (await get(`organizations/${u.user.organization_id}.json`).catch(() => null)) : null;
  const c = { user: u.user, identities: ids.identities, org: org && org.organization, tickets: tk.tickets.sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1)), at: Date.now() };
  users.set(id, u.user);
  known.set(id, c);
  return c;
}

function Notes({ lang, user, onSaved }) {
  const [notes, setNotes] = useState(user.notes || '');
  const [details, setDetails] = useState(user.details || '');
  const [tags, setTags] = useState((user.tags || []).join(' '));
  const [state, setState] = useState('');
  useEffect(() => { setNotes(user.notes || ''); setDetails(user.details || ''); setTags((user.tags || []).join(' ')); }, [user.id, user.updated_at]);
  const save = async (e) => {
    e.preventDefault();
    setState('busy');
    try {
      await api('PUT', `users/${user.id}.json`, { user: { notes, details, tags: tags.split(/\s+/).filter(Boolean) } });
      setState('saved');
      onSaved();
    } catch (err) {
      setState(err.message);
    }
  };
  return html`<form class="customer-notes" onSubmit=${save}>
    <label class="field"><span>${tr(lang, 'customer.notes')}</span><textarea name="customer_notes" rows="3" value=${notes} onInput=${(e) => { setNotes(e.target.value); setState(''); }}></textarea></label>
    <label class="field"><span>${tr(lang, 'customer.details')}</span><textarea name="customer_details" rows="2" value=${details} onInput=${(e) => { setDetails(e.target.value); setState(''); }}></textarea></label>
    <label class="field"><span>${tr(lang, 'ticket.tags')}</span><input name="customer_tags" value=${tags} onInput=${(e) => { setTags(e.target.value); setState(''); }} /></label>
    <div class="row"><button type="submit" disabled=${state === 'busy'}>${tr(lang, 'customer.save')}</button>
      ${state === 'saved' && html`<small class="saved">${tr(lang, 'ticket.saved')}</small>`}</div>
    ${state && state !== 'busy' && state !== 'saved' && html`<p class="error" role="alert">${state}</p>`}
  </form>`;
}

export function CustomerPanel({ lang, ticket }) {
  const id = ticket.requester_id;
  const [c, setC] = useState(() => known.get(id) || null);
  const [error, setError] = useState('');
  const refresh = () => load(id).then(setC).catch((e) => setError(e.message));
  useEffect(() => {
    const k = known.get(id);
    setC(k || null);
    setError('');
    if (k && Date.now() - k.at < 30000 && Date.parse(ticket.updated_at) < k.at) return undefined;
    let live = true;
    load(id).then((x) => live && setC(x)).catch((e) => live && setError(e.message));
    return () => { live = false; };
  }, [id, ticket.updated_at]);
  if (error) return html`<p class="error" role="alert">${tr(lang, 'error.load', { msg: error })}</p>`;
  if (!c || c.user.id !== id) return html`<section class="customer" aria-busy="true"></section>`;
  const u = c.user;
  const others = c.tickets.filter((x) => x.id !== ticket.id);
  const dl = [['customer.phone', u.phone], ['customer.locale', u.locale], ['customer.timezone', u.time_zone],
    ['customer.since', when(lang, u.created_at)], ['customer.lastLogin', when(lang, u.last_login_at)]].filter(([, v]) => v);
  return html`<section class="customer" data-customer=${u.id} aria-label=${tr(lang, 'customer.title')}>
    <div class="requester">
      <div class="label">${tr(lang, 'ticket.requester')}</div>
      <div class="name">${u.name}</div>
      <div class="email">${u.email || ''}</div>
    </div>
    ${dl.length > 0 && html`<dl class="facts">${dl.map(([k, v]) => html`<div key=${k}><dt>${tr(lang, k)}</dt><dd>${v}</dd></div>`)}</dl>`}
    ${c.identities.length > 0 && html`<ul class="identities" aria-label=${tr(lang, 'customer.identities')}>
      ${c.identities.map((i) => html`<li key=${i.id}><span class="channel">${i.type}</span> ${i.value}${i.primary ? ' ★' : ''}</li>`)}</ul>`}
    ${c.org && html`<div class="org"><div class="label">${tr(lang, 'customer.org')}</div><div class="name">${c.org.name}</div>
      ${c.org.notes && html`<p class="org-notes">${c.org.notes}</p>`}</div>`}
    <div class="others"><div class="label">${tr(lang, 'customer.tickets', { n: others.length })}</div>
      <ul>${others.slice(0, 8).map((x) => html`<li key=${x.id} data-other=${x.id}><span class=${`status s-${x.status}`}>${tr(lang, `status.${x.status}`)}</span>
        <a href=${`#/tickets/${x.id}`}>#${x.id} ${x.subject}</a> <small>${when(lang, x.updated_at)}</small></li>`)}</ul></div>
    <${Notes} lang=${lang} user=${u} onSaved=${refresh} />
  </section>`;
}
