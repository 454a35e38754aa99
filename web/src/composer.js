// composer.js - what the ticket page's Composer is built from besides its
// textarea: @mention lookup in internal notes, what a macro's preview
// changes (macros.js is the picker), and the upload chips.
import { html } from './html.js';
import { t as tr } from './i18n.js';
import { size } from './attachments.js';
import { label, value } from './fields.js';

// The "@name" being typed just before the caret, or null (names have
// spaces: the menu stays while some agent matches).
export function mentionAt(text, caret) {
  const m = /(^|\s)@([^\n@]{0,30})$/.exec(text.slice(0, caret));
  return m ? { start: caret - m[2].length - 1, q: m[2].toLowerCase() } : null;
}

export function matchAgents(agents, q) {
  return agents.filter((a) => a.name.toLowerCase().includes(q) || (a.email || '').toLowerCase().startsWith(q)).slice(0, 6);
}

export function MentionMenu({ hits, active, onPick }) {
  return html`<ul class="menu mentions" role="listbox">${hits.map((a, i) => html`<li key=${a.id} role="option" aria-selected=${i === active}
    class=${i === active ? 'on' : ''} data-mention=${a.id} onMouseDown=${(e) => { e.preventDefault(); onPick(a); }}>${a.name} <small>${a.email}</small></li>`)}</ul>`;
}

// ids of the agents whose "@Name" is still in the text
export function mentioned(text, picked) {
  return picked.filter((a) => text.includes(`@${a.name}`)).map((a) => a.id);
}

const PENDING = ['status', 'priority', 'type', 'assignee_id', 'group_id', 'problem_id'];
// What a macro's preview changes on the ticket: a partial ticket update.
export function macroChanges(before, after) {
  const out = {};
  for (const k of PENDING) if (after[k] !== before[k]) out[k] = after[k];
  const tags = (x) => (x.tags || []).slice().sort().join(' ');
  if (tags(after) !== tags(before)) out.tags = after.tags;
  const cf = (after.custom_fields || []).filter((f) => {
    const old = (before.custom_fields || []).find((o) => o.id === f.id);
    return JSON.stringify(old ? old.value : null) !== JSON.stringify(f.value);
  });
  if (cf.length) out.custom_fields = cf;
  for (const k of ['follower_ids', 'email_cc_ids']) {
    if ((after[k] || []).join() !== (before[k] || []).join()) out[k] = after[k];
  }
  return out;
}

// a macro's pending changes as "Field: value" chips
export function PendingChips({ lang, changes, groups, defs }) {
  return Object.entries(changes).flatMap(([k, v]) => (k === 'custom_fields'
    ? v.map((f) => [String(f.id), JSON.stringify(f.value)])
    : [[k, v]])).map(([k, v]) => html`<span key=${k} class="chip"><b>${label(lang, k, defs)}</b> ${value(lang, k, v, groups, defs)}</span>`);
}

export function UploadChips({ lang, files, onRemove }) {
  return html`<ul class="uploads">${files.map((f, k) => html`<li key=${k} class=${f.error ? 'bad' : f.token ? 'done' : 'busy'} data-upload=${f.name}>
    ${f.name} <small>${f.error || (f.token ? size(f.size) : tr(lang, 'composer.uploading'))}</small>
    <button class="link" aria-label=${tr(lang, 'people.remove')} onClick=${() => onRemove(k)}>×</button></li>`)}</ul>`;
}
