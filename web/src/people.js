// people.js - the pages a search result opens for a user or an
// organization (loaded when first opened): who or what it is, with the
// tickets they requested (search "requester:ID" / "organization:ID").
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { get } from './api.js';
import { t as tr, addStrings } from './i18n.js';
import { enc, navigate, when, users, loadUsers } from './shared.js';

// The tickets a search finds, as a compact list (user and organization pages).
function TicketRows({ lang, query }) {
  const [rows, setRows] = useState(null);
  useEffect(() => {
    setRows(null);
    get(`search.json?query=${enc(`type:ticket ${query} order_by:updated_at sort:desc`)}&per_page=50`)
      .then((r) => setRows(r.results)).catch(() => setRows([]));
  }, [query]);
  if (!rows) return html`<p class="muted" aria-busy="true">…</p>`;
  if (!rows.length) return html`<p class="empty">${tr(lang, 'list.empty')}</p>`;
  return html`<table><tbody>${rows.map((t) => html`<tr key=${t.id} data-ticket=${t.id} onClick=${() => navigate(`#/tickets/${t.id}`)}>
    <td class="num">${t.id}</td><td class="subject"><a href=${`#/tickets/${t.id}`}>${t.subject || '(no subject)'}</a></td>
    <td>${tr(lang, `status.${t.status}`)}</td><td>${when(lang, t.updated_at)}</td></tr>`)}</tbody></table>`;
}

export function UserPage({ lang, id }) {
  const [u, setU] = useState(users.get(id) || null);
  const [err, setErr] = useState('');
  useEffect(() => {
    get(`users/${id}.json`).then((r) => { users.set(id, r.user); setU(r.user); }).catch((e) => setErr(e.message));
  }, [id]);
  if (err) return html`<p class="error">${err}</p>`;
  if (!u) return html`<p aria-busy="true">…</p>`;
  return html`<section class="list person" data-user-page=${id}>
    <header class="list-head"><h1>${u.name}</h1><span class="muted">${u.email || ''} · ${u.role}</span></header>
    ${u.organization_id && html`<p><a href=${`#/organizations/${u.organization_id}`}>${tr(lang, 'search.organization')} #${u.organization_id}</a></p>`}
    <h2>${tr(lang, 'person.requested')}</h2>
    <${TicketRows} lang=${lang} query=${`requester:${id}`} />
  </section>`;
}

export function OrgPage({ lang, id }) {
  const [o, setO] = useState(null);
  const [err, setErr] = useState('');
  const [members, setMembers] = useState([]);
  useEffect(() => {
    get(`organizations/${id}.json`).then((r) => setO(r.organization)).catch((e) => setErr(e.message));
    get(`organizations/${id}/users.json`).then(async (r) => { await loadUsers(r.users.map((x) => x.id)); setMembers(r.users); }).catch(() => {});
  }, [id]);
  if (err) return html`<p class="error">${err}</p>`;
  if (!o) return html`<p aria-busy="true">…</p>`;
  return html`<section class="list person" data-org-page=${id}>
    <header class="list-head"><h1>${o.name}</h1><span class="muted">${(o.domain_names || []).join(', ')}</span></header>
    ${members.length > 0 && html`<p>${members.map((m, i) => html`${i ? ', ' : ''}<a href=${`#/users/${m.id}`}>${m.name}</a>`)}</p>`}
    <h2>${tr(lang, 'person.tickets')}</h2>
    <${TicketRows} lang=${lang} query=${`organization:${id}`} />
  </section>`;
}

addStrings({
  en: {
    'person.requested': 'Tickets they requested',
    'person.tickets': 'Tickets',
  },
  ko: {
    'person.requested': '요청한 티켓',
    'person.tickets': '티켓',
  },
});
