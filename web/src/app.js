// app.js - the agent workspace: sign-in, views, ticket list, ticket page.
//
// State lives in App: the session (user + CSRF token), preferences (theme,
// language: localStorage), the route (location.hash: #/views/KEY,
// #/tickets/ID), the current view's tickets and the view counts.  Every
// datum comes from the public API (api.js); the SSE stream only says what
// changed, and the open view, the counts and the open ticket are then
// refetched.  Tickets next to the open one are prefetched into `cache`, so
// j/k renders the next conversation without waiting for the network.
import { useState, useEffect, useRef, useCallback, useMemo } from 'preact/hooks';
import { html } from './html.js';
import { api, get, setCsrf, stream, ApiError } from './api.js';
import { t as tr, defaultLang } from './i18n.js';

export const VIEWS = [
  { key: 'mine', query: 'type:ticket assignee:me status<solved' },
  { key: 'unassigned', query: 'type:ticket assignee:none status<solved' },
  { key: 'unsolved', query: 'type:ticket status<solved' },
  { key: 'recent', query: 'type:ticket updated>7days' },
  { key: 'pending', query: 'type:ticket status:pending' },
  { key: 'solved', query: 'type:ticket status:solved updated>7days' },
];
const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const TYPES = ['question', 'incident', 'problem', 'task'];

const enc = encodeURIComponent;
const viewQuery = (v) => `${v.query} order_by:updated_at sort:desc`;

function parseRoute(hash) {
  let m = /^#\/tickets\/(\d+)/.exec(hash);
  if (m) return { page: 'ticket', id: Number(m[1]) };
  m = /^#\/views\/(\w+)/.exec(hash);
  const key = m && VIEWS.some((v) => v.key === m[1]) ? m[1] : null; // null: the last view
  return { page: 'view', view: key };
}

// one formatter per language: toLocaleString would build one per call,
// which costs more than rendering a comment
const formats = {};
function when(lang, iso) {
  if (!iso) return '';
  const f = formats[lang] || (formats[lang] = new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }));
  return f.format(new Date(iso));
}

// Go to an in-app route now: the hash for the address bar and history,
// and the route state at once rather than on the later hashchange event.
let routeSetter = null;
function navigate(hash) {
  if (location.hash !== hash) location.hash = hash;
  if (routeSetter) routeSetter(parseRoute(hash));
}

// --- a small shared cache of users, groups and ticket pages ---
const users = new Map();
const cache = new Map(); // ticket id -> {ticket, comments}

async function loadUsers(ids) {
  const want = [...new Set(ids.filter((id) => id && !users.has(id)))];
  for (let i = 0; i < want.length; i += 100) {
    const r = await get(`users/show_many.json?ids=${want.slice(i, i + 100).join(',')}`);
    for (const u of r.users) users.set(u.id, u);
  }
}

async function fetchTicketPage(id) {
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

function prefetch(id) {
  if (id && !cache.has(id)) fetchTicketPage(id).catch(() => {});
}

// --- sign-in ---
function Login({ lang, onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = await api('POST', 'sonnim/session.json', { email, password });
      if (r.user.role === 'end-user') {
        setCsrf(r.csrf_token);
        await api('DELETE', 'sonnim/session.json').catch(() => {});
        setCsrf('');
        setError(tr(lang, 'login.enduser'));
      } else {
        onSignedIn(r.user, r.csrf_token);
      }
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? tr(lang, 'login.bad') : tr(lang, 'login.failed', { msg: err.message }));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <form class="card" onSubmit=${submit} aria-labelledby="login-title">
      <div class="brand">${tr(lang, 'app.name')}</div>
      <h1 id="login-title">${tr(lang, 'login.title')}</h1>
      <label>${tr(lang, 'login.email')}<input name="email" type="email" autocomplete="username" required value=${email} onInput=${(e) => setEmail(e.target.value)} autofocus /></label>
      <label>${tr(lang, 'login.password')}<input name="password" type="password" autocomplete="current-password" required value=${password} onInput=${(e) => setPassword(e.target.value)} /></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="primary" type="submit" disabled=${busy}>${tr(lang, 'login.submit')}</button>
    </form>
  </main>`;
}

// --- views and the list ---
function ViewNav({ lang, current, counts }) {
  return html`<nav class="views" aria-label=${tr(lang, 'nav.views')}>
    <h2>${tr(lang, 'nav.views')}</h2>
    <ul>
      ${VIEWS.map((v) => html`<li key=${v.key}>
        <a href=${`#/views/${v.key}`} class=${current === v.key ? 'active' : ''} data-view=${v.key}>
          <span>${tr(lang, `view.${v.key}`)}</span>
          <span class="count" data-count=${v.key}>${counts[v.key] ?? '…'}</span>
        </a></li>`)}
    </ul>
  </nav>`;
}

function StatusBadge({ lang, status }) {
  return html`<span class=${`status s-${status}`} title=${tr(lang, `status.${status}`)}>${tr(lang, `status.${status}`)}</span>`;
}

function TicketList({ lang, view, tickets, selected, onSelect, error }) {
  const listRef = useRef(null);
  useEffect(() => {
    const el = listRef.current && listRef.current.querySelector('tr.selected');
    if (el && el.scrollIntoView) el.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return html`<section class="list" aria-label=${tr(lang, `view.${view}`)}>
    <header class="list-head"><h1>${tr(lang, `view.${view}`)}</h1><span class="live" title="SSE">● ${tr(lang, 'list.live')}</span></header>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${tickets && !tickets.length && html`<p class="empty">${tr(lang, 'list.empty')}</p>`}
    ${tickets && tickets.length > 0 && html`<table ref=${listRef}>
      <thead><tr><th>${tr(lang, 'list.status')}</th><th>#</th><th>${tr(lang, 'list.subject')}</th><th>${tr(lang, 'list.requester')}</th><th>${tr(lang, 'list.priority')}</th><th>${tr(lang, 'list.updated')}</th></tr></thead>
      <tbody>
        ${tickets.map((tk, i) => html`<tr key=${tk.id} data-ticket=${tk.id} class=${i === selected ? 'selected' : ''} onClick=${() => onSelect(i, true)}>
          <td><${StatusBadge} lang=${lang} status=${tk.status} /></td>
          <td class="num">${tk.id}</td>
          <td class="subject"><a href=${`#/tickets/${tk.id}`}>${tk.subject || '(no subject)'}</a></td>
          <td>${(users.get(tk.requester_id) || {}).name || ''}</td>
          <td>${tk.priority ? tr(lang, `priority.${tk.priority}`) : ''}</td>
          <td>${when(lang, tk.updated_at)}</td>
        </tr>`)}
      </tbody>
    </table>`}
  </section>`;
}

// --- the ticket page ---
function Conversation({ lang, page }) {
  return html`<ol class="conversation" data-ticket=${page.ticket.id} data-comments=${page.comments.length}>
    ${page.comments.map((c) => {
      const a = users.get(c.author_id) || {};
      const channel = (c.via && c.via.channel) || 'web';
      return html`<li key=${c.id} class=${c.public ? 'comment public' : 'comment internal'} data-comment=${c.id}>
        <div class="meta">
          <span class="author">${a.name || `#${c.author_id}`}</span>
          ${a.role && a.role !== 'end-user' && html`<span class="role">${a.role}</span>`}
          <span class=${c.public ? 'kind k-public' : 'kind k-internal'}>${c.public ? tr(lang, 'ticket.public') : tr(lang, 'ticket.internal')}</span>
          <span class="channel" title=${tr(lang, 'ticket.via', { channel })}>${channel}</span>
          <time datetime=${c.created_at}>${when(lang, c.created_at)}</time>
        </div>
        <div class="body">${c.body}</div>
      </li>`;
    })}
  </ol>`;
}

function Composer({ lang, mode, setMode, onSubmit, taRef }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (status) => {
    if (!text.trim()) {
      setError(tr(lang, 'composer.empty'));
      return;
    }
    setBusy(true);
    setError('');
    try {
      await onSubmit(text, mode === 'reply', status);
      setText('');
      // done writing: give the keys back to the shortcuts (j/k, r, n...)
      if (taRef.current) taRef.current.blur();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const onKey = (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      submit(null);
    } else if (e.key === 'Escape') {
      e.target.blur();
    }
  };
  return html`<section class=${`composer m-${mode}`}>
    <div class="tabs" role="tablist">
      <button role="tab" aria-selected=${mode === 'reply'} class=${mode === 'reply' ? 'on' : ''} onClick=${() => setMode('reply')}>${tr(lang, 'composer.reply')} <kbd>r</kbd></button>
      <button role="tab" aria-selected=${mode === 'note'} class=${mode === 'note' ? 'on' : ''} onClick=${() => setMode('note')}>${tr(lang, 'composer.note')} <kbd>n</kbd></button>
    </div>
    <textarea ref=${taRef} name="comment" rows="4" value=${text} onInput=${(e) => setText(e.target.value)} onKeyDown=${onKey}
      placeholder=${tr(lang, mode === 'reply' ? 'composer.placeholder.reply' : 'composer.placeholder.note')}></textarea>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="submit">
      ${['open', 'pending', 'solved'].map((s) => html`<button key=${s} class=${s === 'open' ? 'primary' : ''} disabled=${busy} data-submit=${s} onClick=${() => submit(s)}>${tr(lang, 'composer.submitAs', { status: tr(lang, `status.${s}`) })}</button>`)}
    </div>
  </section>`;
}

function Field({ label, children }) {
  return html`<label class="field"><span>${label}</span>${children}</label>`;
}

function SidePanel({ lang, ticket, agents, groups, onChange }) {
  const req = users.get(ticket.requester_id) || {};
  const [tags, setTags] = useState((ticket.tags || []).join(' '));
  useEffect(() => setTags((ticket.tags || []).join(' ')), [ticket.id, (ticket.tags || []).join(' ')]);
  const sel = (name, value, options, label) => html`<select name=${name} value=${value ?? ''} onChange=${(e) => onChange({ [name]: e.target.value === '' ? null : (name.endsWith('_id') ? Number(e.target.value) : e.target.value) })}>
      ${options.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
    </select>`;
  return html`<aside class="side">
    <div class="requester">
      <div class="label">${tr(lang, 'ticket.requester')}</div>
      <div class="name">${req.name || ''}</div>
      <div class="email">${req.email || ''}</div>
    </div>
    <${Field} label=${tr(lang, 'ticket.assignee')}>${sel('assignee_id', ticket.assignee_id, [['', tr(lang, 'ticket.none')], ...agents.map((a) => [a.id, a.name])])}<//>
    <${Field} label=${tr(lang, 'ticket.group')}>${sel('group_id', ticket.group_id, [['', tr(lang, 'ticket.none')], ...groups.map((g) => [g.id, g.name])])}<//>
    <${Field} label=${tr(lang, 'ticket.status')}>${sel('status', ticket.status, STATUSES.filter((s) => s !== 'closed' || ticket.status === 'closed').map((s) => [s, tr(lang, `status.${s}`)]))}<//>
    <${Field} label=${tr(lang, 'ticket.priority')}>${sel('priority', ticket.priority, [['', tr(lang, 'ticket.none')], ...PRIORITIES.map((p) => [p, tr(lang, `priority.${p}`)])])}<//>
    <${Field} label=${tr(lang, 'ticket.type')}>${sel('type', ticket.type, [['', tr(lang, 'ticket.none')], ...TYPES.map((p) => [p, tr(lang, `type.${p}`)])])}<//>
    <${Field} label=${tr(lang, 'ticket.tags')}>
      <input name="tags" value=${tags} placeholder=${tr(lang, 'ticket.tags.hint')} onInput=${(e) => setTags(e.target.value)}
        onKeyDown=${(e) => { if (e.key === 'Enter') onChange({ tags: tags.split(/\s+/).filter(Boolean) }); }} />
    <//>
  </aside>`;
}

function TicketPage({ lang, id, agents, groups, composerMode, setComposerMode, taRef, version, onChanged }) {
  const [fetched, setPage] = useState(null);
  const [error, setError] = useState('');
  // render from the cache in the same pass as the route change (a
  // prefetched neighbour shows at once), then revalidate from the server
  const page = fetched && fetched.ticket.id === id ? fetched : cache.get(id) || null;
  useEffect(() => {
    let live = true;
    setError('');
    fetchTicketPage(id).then((p) => live && setPage(p)).catch((e) => live && setError(e.message));
    return () => { live = false; };
  }, [id, version]);
  if (error) return html`<section class="ticket"><p class="error" role="alert">${tr(lang, 'error.load', { msg: error })}</p></section>`;
  if (!page) return html`<section class="ticket loading" aria-busy="true"></section>`;
  const tk = page.ticket;
  const update = async (fields) => {
    const r = await api('PUT', `tickets/${id}.json`, { ticket: fields });
    const fresh = await fetchTicketPage(id);
    setPage(fresh);
    onChanged(r.ticket);
  };
  const onSubmit = (body, isPublic, status) => update({ comment: { body, public: isPublic }, ...(status ? { status } : {}) });
  const onField = (f) => update(f).catch((e) => setError(e.message));
  return html`<section class="ticket" data-ticket-id=${id}>
    <div class="main">
      <header class="ticket-head">
        <a class="back" href="#/views">${'←'} ${tr(lang, 'ticket.back')}</a>
        <h1><span class="num">#${tk.id}</span> ${tk.subject}</h1>
        <div><${StatusBadge} lang=${lang} status=${tk.status} /></div>
      </header>
      <${Conversation} lang=${lang} page=${page} />
      <${Composer} key=${id} lang=${lang} mode=${composerMode} setMode=${setComposerMode} onSubmit=${onSubmit} taRef=${taRef} />
    </div>
    <${SidePanel} lang=${lang} ticket=${tk} agents=${agents} groups=${groups} onChange=${onField} />
  </section>`;
}

function Help({ lang, onClose }) {
  const rows = [['j / k', 'help.jk'], ['Enter / o', 'help.open'], ['r', 'help.r'], ['n', 'help.n'], ['Ctrl+Enter', 'help.submit'], ['g v', 'help.gv'], ['?', 'help.help'], ['Esc', 'help.esc']];
  return html`<div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" onClick=${onClose}>
    <div class="card help" onClick=${(e) => e.stopPropagation()}>
      <h2 id="help-title">${tr(lang, 'help.title')}</h2>
      <dl>${rows.map(([k, d]) => html`<div key=${k}><dt><kbd>${k}</kbd></dt><dd>${tr(lang, d)}</dd></div>`)}</dl>
      <button onClick=${onClose}>${tr(lang, 'help.close')}</button>
    </div>
  </div>`;
}

// --- the whole app ---
export function App() {
  const [lang, setLang] = useState(defaultLang);
  const [theme, setTheme] = useState(() => localStorage.getItem('sonnim.theme') || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const [session, setSession] = useState(undefined); // undefined: asking; null: signed out
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  routeSetter = setRoute;
  const [lastView, setLastView] = useState('mine');
  const [counts, setCounts] = useState({});
  const [tickets, setTickets] = useState(null);
  const [listError, setListError] = useState('');
  const [selected, setSelected] = useState(0);
  const [agents, setAgents] = useState([]);
  const [groups, setGroups] = useState([]);
  const [help, setHelp] = useState(false);
  const [composerMode, setComposerMode] = useState('reply');
  const [version, setVersion] = useState(0); // bumped by the stream for the open ticket
  const taRef = useRef(null);
  const gPending = useRef(0);
  const state = useRef({});

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('sonnim.theme', theme);
  }, [theme]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = tr(lang, 'app.name');
    localStorage.setItem('sonnim.lang', lang);
  }, [lang]);
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  // who is signed in (a reload keeps the session: the cookie + csrf_token)
  useEffect(() => {
    get('sonnim/session.json').then((r) => {
      if (r.user.role === 'end-user') return setSession(null);
      setCsrf(r.csrf_token);
      setSession({ user: r.user });
    }).catch(() => setSession(null));
  }, []);

  const viewKey = (route.page === 'view' && route.view) || lastView;
  useEffect(() => { if (route.page === 'view' && route.view) setLastView(route.view); }, [route]);

  const loadCounts = useCallback(async () => {
    const out = {};
    await Promise.all(VIEWS.map(async (v) => {
      const r = await get(`search/count.json?query=${enc(v.query)}`);
      out[v.key] = r.count;
    }));
    setCounts(out);
  }, []);
  const loadList = useCallback(async (key) => {
    const v = VIEWS.find((x) => x.key === key);
    try {
      const r = await get(`search.json?query=${enc(viewQuery(v))}&per_page=100`);
      await loadUsers(r.results.map((x) => x.requester_id));
      setTickets(r.results);
      setListError('');
      return r.results;
    } catch (e) {
      setListError(tr(lang, 'error.load', { msg: e.message }));
      return null;
    }
  }, [lang]);

  useEffect(() => {
    if (!session) return undefined;
    loadCounts().catch(() => {});
    get('users.json?role[]=agent&role[]=admin&per_page=100').then((r) => setAgents(r.users)).catch(() => {});
    get('groups.json').then((r) => setGroups(r.groups)).catch(() => {});
    // live updates: refetch what is on screen, at most every 100 ms
    let timer = 0;
    let touched = new Set();
    const flush = () => {
      timer = 0;
      const ids = touched;
      touched = new Set();
      for (const id of ids) cache.delete(id);
      loadCounts().catch(() => {});
      loadList(state.current.viewKey);
      if (state.current.route.page === 'ticket' && ids.has(state.current.route.id)) setVersion((x) => x + 1);
    };
    const close = stream((type, ev) => {
      touched.add(ev.ticket_id);
      if (!timer) timer = setTimeout(flush, 100);
    }, () => { if (!timer) timer = setTimeout(flush, 100); });
    return close;
  }, [session]);

  useEffect(() => {
    if (!session) return;
    setTickets(null);
    setSelected(0);
    loadList(viewKey);
  }, [session, viewKey]);

  // on a ticket page: keep the list position on it and prefetch neighbours
  useEffect(() => {
    if (route.page !== 'ticket' || !tickets) return;
    const i = tickets.findIndex((x) => x.id === route.id);
    if (i >= 0) {
      setSelected(i);
      prefetch(tickets[i + 1] && tickets[i + 1].id);
      prefetch(tickets[i - 1] && tickets[i - 1].id);
    }
  }, [route, tickets]);

  state.current = { route, tickets, selected, viewKey, help };

  const signOut = async () => {
    await api('DELETE', 'sonnim/session.json').catch(() => {});
    setCsrf('');
    cache.clear();
    setSession(null);
    location.hash = '';
  };

  // keyboard: j/k, Enter/o, r, n, g v, ?, Esc (Ctrl+Enter is the composer's)
  useEffect(() => {
    const onKey = (e) => {
      const s = state.current;
      const tag = (e.target.tagName || '').toLowerCase();
      if (tag === 'input' || tag === 'textarea' || tag === 'select' || e.target.isContentEditable) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (s.help) {
        if (e.key === 'Escape' || e.key === '?') setHelp(false);
        return;
      }
      const list = s.tickets || [];
      const go = (d) => {
        if (!list.length) return;
        const i = Math.max(0, Math.min(list.length - 1, s.selected + d));
        if (s.route.page === 'ticket') navigate(`#/tickets/${list[i].id}`);
        else setSelected(i);
      };
      if (gPending.current && Date.now() - gPending.current < 1500) {
        gPending.current = 0;
        if (e.key === 'v') { navigate(`#/views/${s.viewKey}`); e.preventDefault(); }
        return;
      }
      switch (e.key) {
        case 'j': go(1); break;
        case 'k': go(-1); break;
        case 'Enter': case 'o':
          if (s.route.page === 'view' && list[s.selected]) navigate(`#/tickets/${list[s.selected].id}`);
          break;
        case 'r': case 'n':
          if (s.route.page !== 'ticket') return;
          setComposerMode(e.key === 'r' ? 'reply' : 'note');
          setTimeout(() => taRef.current && taRef.current.focus(), 0);
          break;
        case 'g': gPending.current = Date.now(); break;
        case '?': setHelp(true); break;
        case 'Escape': if (s.route.page === 'ticket') navigate(`#/views/${s.viewKey}`); break;
        default: return;
      }
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  if (session === undefined) return html`<div class="boot" aria-busy="true"></div>`;
  const prefs = html`<div class="prefs">
    <button class="theme" data-action="theme" onClick=${() => setTheme(theme === 'dark' ? 'light' : 'dark')} title=${tr(lang, 'nav.theme')}>${theme === 'dark' ? tr(lang, 'nav.light') : tr(lang, 'nav.dark')}</button>
    <button class="lang" data-action="lang" onClick=${() => setLang(lang === 'ko' ? 'en' : 'ko')} title=${tr(lang, 'nav.language')}>${lang === 'ko' ? 'English' : '한국어'}</button>
  </div>`;
  if (!session) {
    return html`<div class="signed-out">${prefs}<${Login} lang=${lang} onSignedIn=${(user, csrf) => { setCsrf(csrf); setSession({ user }); }} /></div>`;
  }
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/views">${tr(lang, 'app.name')}</a>
      <span class="spacer"></span>
      <button class="link" onClick=${() => setHelp(true)} title=${tr(lang, 'help.title')}><kbd>?</kbd></button>
      ${prefs}
      <span class="me" data-user=${session.user.id}>${session.user.name}</span>
      <button class="signout" onClick=${signOut}>${tr(lang, 'nav.signout')}</button>
    </header>
    <${ViewNav} lang=${lang} current=${viewKey} counts=${counts} />
    <main class="content">
      ${route.page === 'ticket'
        ? html`<${TicketPage} lang=${lang} id=${route.id} agents=${agents} groups=${groups} composerMode=${composerMode} setComposerMode=${setComposerMode} taRef=${taRef} version=${version}
            onChanged=${() => { loadCounts().catch(() => {}); loadList(viewKey); }} />`
        : html`<${TicketList} lang=${lang} view=${viewKey} tickets=${tickets} selected=${selected} error=${listError}
            onSelect=${(i, open) => { setSelected(i); if (open && tickets[i]) location.hash = `#/tickets/${tickets[i].id}`; }} />`}
    </main>
    ${help && html`<${Help} lang=${lang} onClose=${() => setHelp(false)} />`}
  </div>`;
}
