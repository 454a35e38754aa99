// audit.js - a ticket's history on demand: GET /tickets/{id}/audits.json
// read as "who changed what from -> to, when", newest first.  Ids become
// names (users, groups, custom fields), enum values their words.
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { get } from './api.js';
import { t as tr } from './i18n.js';
import { when, users, loadUsers } from './shared.js';
import { ticketFields, label, value } from './fields.js';

export function AuditHistory({ lang, id, groups, version }) {
  const [audits, setAudits] = useState(null);
  const [defs, setDefs] = useState([]);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    Promise.all([get(`tickets/${id}/audits.json`), ticketFields()]).then(async ([r, d]) => {
      const ids = [];
      for (const a of r.audits) {
        ids.push(a.author_id);
        for (const e of a.events) {
          if (e.field_name === 'assignee_id' || e.field_name === 'requester_id') ids.push(Number(e.value), Number(e.previous_value));
          else if (/_ids$/.test(e.field_name || '')) ids.push(...`${e.value || ''} ${e.previous_value || ''}`.split(' ').map(Number));
        }
      }
      await loadUsers(ids.filter((x) => x > 0));
      if (live) { setDefs(d); setAudits(r.audits.slice().reverse()); }
    }).catch((e) => live && setError(e.message));
    return () => { live = false; };
  }, [id, version]);
  if (error) return html`<p class="error" role="alert">${tr(lang, 'error.load', { msg: error })}</p>`;
  if (!audits) return html`<div class="audits" aria-busy="true"></div>`;
  return html`<ol class="audits" aria-label=${tr(lang, 'audit.title')}>
    ${audits.map((a) => html`<li key=${a.id} data-audit=${a.id}>
      <div class="meta"><span class="author">${a.author_id ? (users.get(a.author_id) || {}).name || `#${a.author_id}` : tr(lang, 'audit.system')}</span>
        <span class="channel">${a.via && a.via.channel}</span><time datetime=${a.created_at}>${when(lang, a.created_at)}</time></div>
      <ul>${a.events.map((e) => html`<li key=${e.id}>${e.type === 'Comment'
        ? tr(lang, e.public ? 'audit.reply' : 'audit.note')
        : html`<b>${label(lang, e.field_name, defs)}</b>: ${e.type === 'Change' && html`<del>${value(lang, e.field_name, e.previous_value, groups, defs)}</del> → `}<ins>${value(lang, e.field_name, e.value, groups, defs)}</ins>`}</li>`)}</ul>
    </li>`)}
  </ol>`;
}
