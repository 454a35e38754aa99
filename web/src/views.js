// views.js - the list a view shows: standard views (search queries,
// shared.js) and custom views (GET views/{id}/tickets.json: the server runs
// the conditions and sorts; its execution names the columns and the
// grouping).  The ticket list renders those columns and, when the view
// groups, a header row before each group; j/k still walk the tickets in
// order.  Counts: search/count.json per standard view, one
// views/count_many.json for all custom ones.
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';
import { get } from './api.js';
import { t as tr } from './i18n.js';
import { VIEWS, viewQuery, enc, when, users, orgs, statuses, isCustom, loadUsers, loadOrgs } from './shared.js';
import { StatusBadge } from './badge.js';
import { StatusDot } from './prefs.js';

// The standard views' columns (what the list showed before custom views).
const STANDARD_COLUMNS = ['status', 'id', 'subject', 'requester', 'priority', 'updated'];

// Load a view's tickets: {tickets, columns, groupBy}.
export async function loadViewTickets(key) {
  if (isCustom(key)) {
    const r = await get(`views/${key.slice(1)}/tickets.json?per_page=100`);
    const ex = r.view.execution;
    await Promise.all([
      loadUsers(r.tickets.flatMap((x) => [x.requester_id, x.assignee_id])),
      ex.columns.some((c) => c.id === 'organization') || ex.group_by === 'organization' ? loadOrgs(r.tickets.map((x) => x.organization_id)) : null,
    ]);
    return { tickets: r.tickets, columns: ex.columns.map((c) => c.id), groupBy: ex.group_by, title: r.view.title };
  }
  const v = VIEWS.find((x) => x.key === key) || VIEWS[0];
  const r = await get(`search.json?query=${enc(viewQuery(v))}&per_page=100`);
  await loadUsers(r.results.map((x) => x.requester_id));
  return { tickets: r.results, columns: STANDARD_COLUMNS, groupBy: null };
}

// View counts: {key: n}; the standard views' unless standard is false, the
// custom views' (one request) when custom has some.
export async function loadCounts(custom, standard = true) {
  const out = {};
  await Promise.all([
    ...(standard ? VIEWS : []).map(async (v) => {
      const r = await get(`search/count.json?query=${enc(v.query)}`);
      out[v.key] = r.count;
    }),
    custom.length ? get(`views/count_many.json?ids=${custom.map((v) => v.id).join(',')}`).then((r) => {
      for (const c of r.view_counts) out[`c${c.view_id}`] = c.pretty;
    }) : null,
  ]);
  return out;
}

const person = (id) => (users.get(id) || {}).name || (id ? `#${id}` : '');
function cell(lang, col, tk, groups) {
  switch (col) {
    case 'status': return html`<${StatusBadge} lang=${lang} status=${tk.status} />`;
    case 'id': return tk.id;
    case 'subject': return html`<a href=${`#/tickets/${tk.id}`}>${tk.subject || '(no subject)'}</a>`;
    case 'requester': return person(tk.requester_id);
    case 'assignee': return tk.assignee_id ? html`<${StatusDot} lang=${lang} status=${statuses.get(tk.assignee_id)} /> ${person(tk.assignee_id)}` : '';
    case 'group': return (groups.find((g) => g.id === tk.group_id) || {}).name || '';
    case 'organization': return (orgs.get(tk.organization_id) || {}).name || '';
    case 'priority': return tk.priority ? tr(lang, `priority.${tk.priority}`) : '';
    case 'type': return tk.type ? tr(lang, `type.${tk.type}`) : '';
    case 'created': return when(lang, tk.created_at);
    case 'updated': return when(lang, tk.updated_at);
    default: return '';
  }
}

// The text of a group's header row.
function groupLabel(lang, by, tk, groups) {
  const v = cell(lang, by, tk, groups);
  if (by === 'status') return tr(lang, `status.${tk.status}`);
  return typeof v === 'string' || typeof v === 'number' ? v || tr(lang, 'ticket.none') : person(tk[`${by}_id`]) || tr(lang, 'ticket.none');
}
const groupKey = (by, tk) => (by === 'status' || by === 'priority' || by === 'type' ? tk[by] : by === 'created' || by === 'updated' ? null : tk[`${by}_id`]);

export function TicketList({ lang, title, list, selected, onSelect, error, groups, editHref }) {
  const listRef = useRef(null);
  useEffect(() => {
    const el = listRef.current && listRef.current.querySelector('tr.selected');
    if (el && el.scrollIntoView) el.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  const tickets = list && list.tickets;
  const cols = (list && list.columns) || STANDARD_COLUMNS;
  const by = list && list.groupBy;
  const rows = [];
  let last;
  (tickets || []).forEach((tk, i) => {
    if (by && groupKey(by, tk) !== last) {
      last = groupKey(by, tk);
      rows.push(html`<tr key=${`g${i}`} class="group-row" data-group=${String(last ?? '')}><th colspan=${cols.length}>${groupLabel(lang, by, tk, groups)}</th></tr>`);
    }
    rows.push(html`<tr key=${tk.id} data-ticket=${tk.id} class=${i === selected ? 'selected' : ''} onClick=${() => onSelect(i, true)}>
      ${cols.map((c) => html`<td key=${c} class=${c === 'subject' ? 'subject' : c === 'id' ? 'num' : ''}>${cell(lang, c, tk, groups)}</td>`)}
    </tr>`);
  });
  return html`<section class="list" aria-label=${title}>
    <header class="list-head"><h1>${title}</h1><span class="live" title="SSE">● ${tr(lang, 'list.live')}</span>
      ${editHref && html`<a class="edit-view" href=${editHref}>${tr(lang, 'views.edit')}</a>`}</header>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${tickets && !tickets.length && html`<p class="empty">${tr(lang, 'list.empty')}</p>`}
    ${tickets && tickets.length > 0 && html`<table ref=${listRef}>
      <thead><tr>${cols.map((c) => html`<th key=${c}>${c === 'id' ? '#' : tr(lang, `col.${c}`)}</th>`)}</tr></thead>
      <tbody>${rows}</tbody>
    </table>`}
  </section>`;
}

export function ViewNav({ lang, current, counts, custom, isAdmin, agents }) {
  const item = (key, label) => html`<li key=${key}>
    <a href=${`#/views/${key}`} class=${current === key ? 'active' : ''} data-view=${key}>
      <span>${label}</span>
      <span class="count" data-count=${key}>${counts[key] ?? '…'}</span>
    </a></li>`;
  return html`<nav class="views" aria-label=${tr(lang, 'nav.views')}>
    <h2>${tr(lang, 'nav.views')}</h2>
    <ul>${VIEWS.map((v) => item(v.key, tr(lang, `view.${v.key}`)))}</ul>
    <h2>${tr(lang, 'views.custom')}</h2>
    <ul>${custom.map((v) => item(`c${v.id}`, v.title))}</ul>
    <a class="new-view" href="#/viewedit/new" data-action="new-view">+ ${tr(lang, 'views.new')}</a>
    <h2>${tr(lang, 'nav.team')}</h2>
    <ul class="team">${agents.filter((a) => a.active !== false && !a.suspended).map((a) => html`<li key=${a.id} data-agent-status=${a.id}>
      <${StatusDot} lang=${lang} status=${statuses.get(a.id)} /> <span>${a.name}</span></li>`)}</ul>
    ${isAdmin && html`<h2>${tr(lang, 'admin.title')}</h2><a class="admin-link" href="#/admin/agents" data-action="admin">${tr(lang, 'admin.open')}</a>`}
  </nav>`;
}
