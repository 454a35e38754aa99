// shared.js - what the workspace's screens share: the standard views, the
// ticket enums, date formatting, in-app navigation (the routes below), the
// small caches of users, organizations and ticket pages (with the fetches
// that fill them), and the team's availability (agent statuses).
//
// Routes (location.hash): #/views/KEY (a standard view) or #/views/cID (a
// custom view), #/tickets/ID, #/users/ID, #/organizations/ID,
// #/viewedit/new or #/viewedit/ID (the view editor), #/admin/SECTION.
import { get } from './api.js';

export const VIEWS = [
  { key: 'mine', query: 'type:ticket assignee:me status<solved' },
  { key: 'unassigned', query: 'type:ticket assignee:none status<solved' },
  { key: 'unsolved', query: 'type:ticket status<solved' },
  { key: 'recent', query: 'type:ticket updated>7days' },
  { key: 'pending', query: 'type:ticket status:pending' },
  { key: 'solved', query: 'type:ticket status:solved updated>7days' },
];
export const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const TYPES = ['question', 'incident', 'problem', 'task'];

export const enc = encodeURIComponent;
export const viewQuery = (v) => `${v.query} order_by:updated_at sort:desc`;

export const ADMIN_SECTIONS = ['agents', 'groups', 'organizations', 'fields', 'tokens'];
export const isCustom = (key) => /^c\d+$/.test(key || '');

export function parseRoute(hash) {
  let m = /^#\/tickets\/(\d+)/.exec(hash);
  if (m) return { page: 'ticket', id: Number(m[1]) };
  m = /^#\/(users|organizations)\/(\d+)/.exec(hash);
  if (m) return { page: m[1] === 'users' ? 'user' : 'org', id: Number(m[2]) };
  m = /^#\/viewedit\/(new|\d+)/.exec(hash);
  if (m) return { page: 'viewedit', id: m[1] === 'new' ? null : Number(m[1]) };
  m = /^#\/admin(?:\/(\w+))?/.exec(hash);
  if (m) return { page: 'admin', section: ADMIN_SECTIONS.includes(m[1]) ? m[1] : ADMIN_SECTIONS[0] };
  m = /^#\/views\/(\w+)/.exec(hash);
  const key = m && (VIEWS.some((v) => v.key === m[1]) || isCustom(m[1])) ? m[1] : null; // null: the last view
  return { page: 'view', view: key };
}

// one formatter per language: toLocaleString would build one per call,
// which costs more than rendering a comment
const formats = {};
export function when(lang, iso) {
  if (!iso) return '';
  const f = formats[lang] || (formats[lang] = new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }));
  return f.format(new Date(iso));
}

// Go to an in-app route now: the hash for the address bar and history,
// and the route state at once rather than on the later hashchange event.
let routeSetter = null;
export function setRouteSetter(f) {
  routeSetter = f;
}
export function navigate(hash) {
  if (location.hash !== hash) location.hash = hash;
  if (routeSetter) routeSetter(parseRoute(hash));
}

// --- a small shared cache of users, groups and ticket pages ---
export const users = new Map();
export const orgs = new Map(); // organization id -> organization
// agent user id -> "online" | "away" | "offline" (GET sonnim/agents/statuses,
// then the stream's agent.status events)
export const statuses = new Map();

export async function loadOrgs(ids) {
  const want = [...new Set(ids.filter((id) => id && !orgs.has(id)))];
  for (let i = 0; i < want.length; i += 100) {
    const r = await get(`organizations/show_many.json?ids=${want.slice(i, i + 100).join(',')}`);
    for (const o of r.organizations) orgs.set(o.id, o);
  }
}
export const cache = new Map(); // ticket id -> {ticket, comments}

export async function loadUsers(ids) {
  const want = [...new Set(ids.filter((id) => id && !users.has(id)))];
  for (let i = 0; i < want.length; i += 100) {
    const r = await get(`users/show_many.json?ids=${want.slice(i, i + 100).join(',')}`);
    for (const u of r.users) users.set(u.id, u);
  }
}

export async function fetchTicketPage(id) {
  const [t, c] = await Promise.all([get(`tickets/${id}.json`), get(`tickets/${id}/comments.json?per_page=100`)]);
  let comments = c.comments;
  let next = c.next_page;
  while (next) {
    const u = new URL(next);
    const more = await get(`${u.pathname.replace(/^\/api\/v2\//, '')}${u.search}`);
    comments = comments.concat(more.comments);
    next = more.next_page;
  }
  await loadUsers([t.ticket.requester_id, t.ticket.assignee_id, ...comments.map((x) => x.author_id)]);
  const page = { ticket: t.ticket, comments };
  cache.set(id, page);
  return page;
}

export function prefetch(id) {
  if (id && !cache.has(id)) fetchTicketPage(id).catch(() => {});
}
