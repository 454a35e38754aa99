// palette.js - the command palette (Ctrl+K / Cmd+K) and the `?` cheat
// sheet, loaded the first time either opens.  The palette: every action the
// workspace has, found by a fuzzy match of its label (the letters in order,
// a word start or a run scoring higher), run with Enter.  The actions come
// from App (views, tickets, preferences, availability and, on a ticket
// page, the ticket's changes and the agent's macros); a number typed alone
// also offers "open ticket #N".
import { useState, useRef, useEffect, useMemo } from 'preact/hooks';
import { html } from './html.js';
import { VIEWS, navigate } from './shared.js';
import { t as tr, addStrings } from './i18n.js';

// Score how well q matches label: -1 no match, higher is better.
export function fuzzy(q, label) {
  const s = label.toLowerCase();
  const want = q.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!want) return 0;
  const at = s.indexOf(want);
  if (at >= 0) return 1000 - at + (at === 0 || s[at - 1] === ' ' ? 200 : 0);
  let score = 0;
  let i = 0;
  let prev = -2;
  for (const ch of want) {
    if (ch === ' ') continue;
    const j = s.indexOf(ch, i);
    if (j < 0) return -1;
    score += j === prev + 1 ? 5 : j === 0 || s[j - 1] === ' ' ? 3 : 1;
    prev = j;
    i = j + 1;
  }
  return score;
}

// Every action, for the context App passes (see paletteCtx in app.js).
export function buildActions({ lang, me, isAdmin, custom, macros, route, prefs, setPref, setOverlay, setMyStatus, changeTicket, applyMacro, signOut, focusSearch, compose }) {
  if (!me) return [];
  const a = [];
  const add = (id, label, run, keys) => a.push({ id, label, run, keys });
  for (const v of VIEWS) add(`view-${v.key}`, tr(lang, 'palette.goView', { name: tr(lang, `view.${v.key}`) }), () => navigate(`#/views/${v.key}`));
  for (const v of custom) add(`view-c${v.id}`, tr(lang, 'palette.goView', { name: v.title }), () => navigate(`#/views/c${v.id}`));
  add('new-view', tr(lang, 'views.new'), () => navigate('#/viewedit/new'), 'g n');
  add('search', tr(lang, 'help.search'), focusSearch, '/');
  add('theme', tr(lang, 'palette.theme'), () => setPref('theme', prefs.theme === 'dark' ? 'light' : 'dark'));
  add('language', tr(lang, 'palette.language'), () => setPref('lang', lang === 'ko' ? 'en' : 'ko'));
  add('density', tr(lang, 'palette.density'), () => setPref('density', prefs.density === 'compact' ? 'comfortable' : 'compact'));
  add('prefs', tr(lang, 'prefs.title'), () => setOverlay('prefs'), 'g ,');
  add('help', tr(lang, 'help.title'), () => setOverlay('help'), '?');
  for (const s of ['online', 'away', 'offline']) add(`status-${s}`, tr(lang, 'palette.status', { status: tr(lang, `agent.${s}`) }), () => setMyStatus(s));
  if (isAdmin) for (const s of ['agents', 'groups', 'organizations', 'fields', 'tokens']) add(`admin-${s}`, `${tr(lang, 'admin.title')}: ${tr(lang, `admin.${s}`)}`, () => navigate(`#/admin/${s}`), s === 'agents' ? 'g a' : undefined);
  if (route.page === 'ticket') {
    const id = route.id;
    add('assign-me', tr(lang, 'palette.assignMe'), () => changeTicket(id, { assignee_id: me.id }, 'palette.assigned'), 'a');
    add('solve', tr(lang, 'palette.solve'), () => changeTicket(id, { status: 'solved' }, 'palette.solved'), 's');
    for (const st of ['open', 'pending', 'hold']) add(`status-t-${st}`, tr(lang, 'palette.setStatus', { status: tr(lang, `status.${st}`) }), () => changeTicket(id, { status: st }, 'ticket.saved'));
    for (const p of ['low', 'normal', 'high', 'urgent']) add(`priority-${p}`, tr(lang, 'palette.setPriority', { priority: tr(lang, `priority.${p}`) }), () => changeTicket(id, { priority: p }, 'ticket.saved'));
    for (const m of macros) add(`macro-${m.id}`, tr(lang, 'palette.macro', { name: m.title }), () => applyMacro(id, m));
    add('reply', tr(lang, 'help.r'), () => compose('reply'), 'r');
    add('note', tr(lang, 'help.n'), () => compose('note'), 'n');
  }
  add('signout', tr(lang, 'nav.signout'), signOut);
  return a;
}

// Every shortcut, for the cheat sheet (app.js's onKey is the one that acts:
// keep the two in step).
const SHORTCUTS = [
  ['j / k', 'help.jk'], ['Enter / o', 'help.open'], ['/', 'help.search'], ['Ctrl+K', 'help.palette'],
  ['r', 'help.r'], ['n', 'help.n'], ['a', 'help.assign'], ['s', 'help.solve'], ['m', 'help.macro'], ['h', 'help.h'],
  ['Ctrl+Enter', 'help.submit'], ['g v', 'help.gv'], ['g m', 'view.mine'], ['g u', 'view.unassigned'],
  ['g o', 'view.unsolved'], ['g r', 'view.recent'], ['g p', 'view.pending'], ['g s', 'view.solved'],
  ['g n', 'views.new'], ['g a', 'admin.title'], ['g ,', 'prefs.title'], ['?', 'help.help'], ['Esc', 'help.esc'],
];

export function Help({ lang, onClose }) {
  return html`<div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" onClick=${onClose}>
    <div class="card help" onClick=${(e) => e.stopPropagation()}>
      <h2 id="help-title">${tr(lang, 'help.title')}</h2>
      <dl>${SHORTCUTS.map(([k, d]) => html`<div key=${k}><dt><kbd>${k}</kbd></dt><dd>${tr(lang, d)}</dd></div>`)}</dl>
      <button onClick=${onClose}>${tr(lang, 'help.close')}</button>
    </div>
  </div>`;
}

export function Palette({ lang, actions, initial = '', onClose }) {
  const [q, setQ] = useState(initial);
  const [sel, setSel] = useState(0);
  const ref = useRef(null);
  useEffect(() => { if (ref.current) ref.current.focus(); }, []);
  const shown = useMemo(() => {
    const list = [];
    const n = /^#?(\d+)$/.exec(q.trim());
    if (n) list.push({ id: `open-${n[1]}`, label: tr(lang, 'palette.openTicket', { id: n[1] }), run: () => { location.hash = `#/tickets/${n[1]}`; } });
    const scored = actions.map((a) => ({ a, s: fuzzy(q, a.label) })).filter((x) => x.s >= 0);
    scored.sort((x, y) => y.s - x.s);
    return list.concat(scored.map((x) => x.a)).slice(0, 50);
  }, [q, actions, lang]);
  useEffect(() => setSel(0), [q]);
  const run = (a) => {
    onClose();
    a.run();
  };
  const onKey = (e) => {
    if (e.key === 'Escape') onClose();
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      setSel((s) => Math.max(0, Math.min(shown.length - 1, s + (e.key === 'ArrowDown' ? 1 : -1))));
    } else if (e.key === 'Enter' && shown[sel]) run(shown[sel]);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return html`<div class="overlay palette-overlay" onClick=${onClose}>
    <div class="card palette" role="dialog" aria-modal="true" aria-label=${tr(lang, 'palette.title')} onClick=${(e) => e.stopPropagation()}>
      <input ref=${ref} name="palette" placeholder=${tr(lang, 'palette.placeholder')} value=${q} onInput=${(e) => setQ(e.target.value)} onKeyDown=${onKey}
        role="combobox" aria-expanded="true" aria-controls="palette-list" autocomplete="off" />
      <ul id="palette-list" role="listbox">
        ${!shown.length && html`<li class="empty">${tr(lang, 'search.none')}</li>`}
        ${shown.map((a, i) => html`<li key=${a.id} role="option" aria-selected=${i === sel} class=${i === sel ? 'selected' : ''} data-command=${a.id}
          onMouseDown=${(e) => { e.preventDefault(); run(a); }} onMouseEnter=${() => setSel(i)}>
          <span>${a.label}</span>${a.keys && html`<kbd>${a.keys}</kbd>`}</li>`)}
      </ul>
    </div>
  </div>`;
}

addStrings({
  en: {
    'help.search': 'Search tickets, users and organizations',
    'help.palette': 'Command palette',
    'help.assign': 'Assign the ticket to me',
    'help.solve': 'Solve the ticket',
    'help.macro': 'Apply a macro',
    'palette.placeholder': 'Type a command, a view or a ticket number…',
    'palette.openTicket': 'Open ticket #{id}',
    'palette.goView': 'Go to view: {name}',
    'palette.theme': 'Switch light / dark theme',
    'palette.language': 'Switch language (한국어 / English)',
    'palette.density': 'Switch compact / comfortable density',
    'palette.status': 'Set my status: {status}',
    'palette.assignMe': 'Assign to me',
    'palette.solve': 'Solve ticket',
    'palette.setStatus': 'Set status: {status}',
    'palette.setPriority': 'Set priority: {priority}',
    'palette.macro': 'Apply macro: {name}',
  },
  ko: {
    'help.search': '티켓·사용자·조직 검색',
    'help.palette': '명령 팔레트',
    'help.assign': '나에게 배정',
    'help.solve': '티켓 해결',
    'help.macro': '매크로 적용',
    'palette.placeholder': '명령, 보기 이름 또는 티켓 번호를 입력하세요…',
    'palette.openTicket': '티켓 #{id} 열기',
    'palette.goView': '보기로 이동: {name}',
    'palette.theme': '밝은 / 어두운 테마 전환',
    'palette.language': '언어 전환 (한국어 / English)',
    'palette.density': '촘촘하게 / 넉넉하게 전환',
    'palette.status': '내 상태: {status}',
    'palette.assignMe': '나에게 배정',
    'palette.solve': '티켓 해결',
    'palette.setStatus': '상태 변경: {status}',
    'palette.setPriority': '우선순위 변경: {priority}',
    'palette.macro': '매크로 적용: {name}',
  },
});
