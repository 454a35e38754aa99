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
import { VIEWS, viewQuery, parseRoute, when, navigate, setRouteSetter, users, cache, loadUsers, prefetch, enc } from './shared.js';
import { StatusBadge } from './badge.js';
import { lazy } from './lazy.js';

// the ticket page and what it brings (composer, side panel, customer) are
// fetched on the first ticket opened, not with the views
const TicketPage = lazy(() => import('./ticket.js'), 'TicketPage');

export { VIEWS };

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


function Help({ lang, onClose }) {
  const rows = [['j / k', 'help.jk'], ['Enter / o', 'help.open'], ['r', 'help.r'], ['n', 'help.n'], ['Ctrl+Enter', 'help.submit'], ['a', 'help.a'], ['s', 'help.s'], ['m', 'help.m'], ['h', 'help.h'], ['g v', 'help.gv'], ['?', 'help.help'], ['Esc', 'help.esc']];
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
  setRouteSetter(setRoute);
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
