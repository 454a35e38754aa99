// app.js - the agent workspace's shell: sign-in, the header (search,
// availability, preferences), the view list, the list, the routes' pages,
// the command palette, the cheat sheet and the keyboard.
//
// State lives in App: the session (user + CSRF token), preferences
// (prefs.js: theme, language, density, default view in localStorage), the
// route (shared.js: location.hash), the open view's tickets and every
// view's count.  Every datum comes from the public API (api.js); the SSE
// stream says what changed, and the open view, the counts and the open
// ticket are then refetched (at most every 100 ms); agent.status events
// update the team's availability.  Tickets next to the open one are
// prefetched into `cache`, so j/k renders the next conversation without
// waiting for the network.  The admin screens and the view editor are
// loaded the first time they are opened (their own chunks), so the first
// load stays small.
import { useState, useEffect, useRef, useCallback, useMemo } from 'preact/hooks';
import { html } from './html.js';
import { api, get, setCsrf, stream, ApiError } from './api.js';
import { t as tr, defaultLang } from './i18n.js';
import './strings.js';
import { VIEWS, parseRoute, navigate, setRouteSetter, cache, prefetch, statuses, isCustom } from './shared.js';
import { lazy } from './lazy.js';
import { ViewNav, TicketList, loadViewTickets, loadCounts } from './views.js';
import { SearchBox } from './search.js';
import { loadPref, savePref, StatusPicker } from './prefs.js';

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

// g + key: the standard views (the cheat sheet in palette.js lists them)
const G_VIEWS = { m: 'mine', u: 'unassigned', o: 'unsolved', r: 'recent', p: 'pending', s: 'solved' };

// screens.css (named by index.html), linked once; resolves when it applied.
let screensCss = null;
function loadScreensCss() {
  if (!screensCss) {
    screensCss = new Promise((resolve) => {
      const m = document.querySelector('meta[name=sonnim-screens-css]');
      if (!m) return resolve();
      const l = document.createElement('link');
      l.rel = 'stylesheet';
      l.href = m.content;
      l.onload = l.onerror = () => resolve();
      document.head.appendChild(l);
    });
  }
  return screensCss;
}

// A module loaded on first use (the admin screens, the view editor, the
// palette...), shown once it and screens.css are in.
function useLazy(want, load) {
  const [mod, setMod] = useState(null);
  useEffect(() => { if (want && !mod) Promise.all([load(), loadScreensCss()]).then(([m]) => setMod(m)); }, [want]);
  return mod;
}

const THEMES = () => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');

// --- the whole app ---
export function App() {
  const [prefs, setPrefs] = useState(() => ({
    theme: loadPref('theme', THEMES()),
    lang: defaultLang(),
    density: loadPref('density', 'comfortable'),
    defaultView: loadPref('defaultView', 'mine'),
  }));
  const lang = prefs.lang;
  const setPref = (name, value) => setPrefs((p) => ({ ...p, [name]: value }));
  const [session, setSession] = useState(undefined); // undefined: asking; null: signed out
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  setRouteSetter(setRoute);
  const [lastView, setLastView] = useState(prefs.defaultView);
  const [counts, setCounts] = useState({});
  const [custom, setCustom] = useState([]); // custom views (views/active.json)
  const [list, setList] = useState(null); // {tickets, columns, groupBy, title}
  const [listError, setListError] = useState('');
  const [selected, setSelected] = useState(0);
  const [agents, setAgents] = useState([]);
  const [groups, setGroups] = useState([]);
  const [macros, setMacros] = useState([]);
  const [overlay, setOverlay] = useState(null); // 'help' | 'prefs' | {palette: initial text}
  const [toast, setToast] = useState(null);
  const [statusTick, setStatusTick] = useState(0); // the team's availability changed
  const [composerMode, setComposerMode] = useState('reply');
  const [version, setVersion] = useState(0); // bumped by the stream for the open ticket
  const taRef = useRef(null);
  const searchRef = useRef(null);
  const gPending = useRef(0);
  const state = useRef({});
  const me = session && session.user;
  const isAdmin = !!me && me.role === 'admin';
  const adminMod = useLazy(route.page === 'admin' && isAdmin, () => import('./admin.js'));
  const editMod = useLazy(route.page === 'viewedit', () => import('./viewedit.js'));
  const prefsMod = useLazy(overlay === 'prefs', () => import('./prefsdialog.js'));
  const paletteMod = useLazy(!!overlay && (overlay === 'help' || overlay.palette !== undefined), () => import('./palette.js'));
  const peopleMod = useLazy(route.page === 'user' || route.page === 'org', () => import('./people.js'));

  useEffect(() => {
    document.documentElement.dataset.theme = prefs.theme;
    document.documentElement.dataset.density = prefs.density;
    savePref('theme', prefs.theme);
    savePref('density', prefs.density);
    savePref('defaultView', prefs.defaultView);
  }, [prefs.theme, prefs.density, prefs.defaultView]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = tr(lang, 'app.name');
    savePref('lang', lang);
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
  useEffect(() => {
    if (!toast) return undefined;
    const t = setTimeout(() => setToast(null), 4000);
    return () => clearTimeout(t);
  }, [toast]);

  const viewKey = (route.page === 'view' && route.view) || lastView;
  useEffect(() => { if (route.page === 'view' && route.view) setLastView(route.view); }, [route]);
  const customOf = (key) => custom.find((v) => `c${v.id}` === key);

  const refreshCounts = useCallback((standard = true) => loadCounts(state.current.custom || [], standard)
    .then((c) => setCounts((old) => ({ ...old, ...c }))).catch(() => {}), []);
  const loadList = useCallback(async (key) => {
    try {
      const r = await loadViewTickets(key);
      setList(r);
      setListError('');
      return r.tickets;
    } catch (e) {
      setListError(tr(state.current.lang, 'error.load', { msg: e.message }));
      if (e instanceof ApiError && e.status === 404 && isCustom(key)) navigate('#/views/mine');
      return null;
    }
  }, []);
  const loadCustom = useCallback(() => get('views/active.json').then((r) => { setCustom(r.views); return r.views; }).catch(() => []), []);
  const loadStatuses = useCallback(() => get('sonnim/agents/statuses.json').then((r) => {
    for (const x of r.agent_statuses) statuses.set(x.user_id, x.status);
    setStatusTick((n) => n + 1);
    return r.agent_statuses;
  }), []);

  useEffect(() => {
    if (!session) return undefined;
    refreshCounts();
    loadCustom();
    get('users.json?role[]=agent&role[]=admin&per_page=100').then((r) => setAgents(r.users)).catch(() => {});
    get('groups.json').then((r) => setGroups(r.groups)).catch(() => {});
    get('macros/active.json?per_page=100').then((r) => setMacros(r.macros)).catch(() => {});
    // signing in makes an agent online; reopening the workspace too, unless
    // the agent chose a status (the server's automatic offline is no choice)
    loadStatuses().then((all) => {
      const mine = all.find((x) => x.user_id === session.user.id);
      if (session.fresh || !mine || (mine.status === 'offline' && (mine.automatic || !mine.updated_at))) setMyStatus('online');
    }).catch(() => {});
    // live updates: refetch what is on screen, at most every 100 ms
    let timer = 0;
    let touched = new Set();
    const flush = () => {
      timer = 0;
      const ids = touched;
      touched = new Set();
      for (const id of ids) cache.delete(id);
      refreshCounts();
      if (state.current.route.page === 'view' || state.current.route.page === 'ticket') loadList(state.current.viewKey);
      if (state.current.route.page === 'ticket' && ids.has(state.current.route.id)) setVersion((x) => x + 1);
    };
    const close = stream((type, ev) => {
      if (type === 'agent.status') {
        statuses.set(ev.user_id, ev.status);
        setStatusTick((n) => n + 1);
        return;
      }
      touched.add(ev.ticket_id);
      if (!timer) timer = setTimeout(flush, 100);
    }, () => {
      loadStatuses().catch(() => {});
      if (!timer) timer = setTimeout(flush, 100);
    });
    return close;
  }, [session]);
  useEffect(() => { if (session && custom.length) refreshCounts(false); }, [custom]);

  useEffect(() => {
    if (!session) return;
    setList(null);
    setSelected(0);
    loadList(viewKey);
  }, [session, viewKey]);

  // on a ticket page: keep the list position on it and prefetch neighbours
  const tickets = list && list.tickets;
  useEffect(() => {
    if (route.page !== 'ticket' || !tickets) return;
    const i = tickets.findIndex((x) => x.id === route.id);
    if (i >= 0) {
      setSelected(i);
      prefetch(tickets[i + 1] && tickets[i + 1].id);
      prefetch(tickets[i - 1] && tickets[i - 1].id);
    }
  }, [route, tickets]);

  const setMyStatus = async (status) => {
    try {
      const r = await api('PUT', 'sonnim/agents/me/status.json', { status });
      statuses.set(r.agent_status.user_id, r.agent_status.status);
      setStatusTick((n) => n + 1);
    } catch (e) {
      setToast({ error: true, text: e.message });
    }
  };

  const signOut = async () => {
    await api('PUT', 'sonnim/agents/me/status.json', { status: 'offline' }).catch(() => {});
    await api('DELETE', 'sonnim/session.json').catch(() => {});
    setCsrf('');
    cache.clear();
    setSession(null);
    location.hash = '';
  };

  // Change the open ticket through the API; the stream refreshes the rest.
  const changeTicket = async (id, ticket, done) => {
    try {
      await api('PUT', `tickets/${id}.json`, { ticket });
      cache.delete(id);
      setVersion((x) => x + 1);
      setToast({ text: tr(lang, done) });
      refreshCounts();
      loadList(viewKey);
    } catch (e) {
      setToast({ error: true, text: e.message });
    }
  };
  const applyMacro = async (id, m) => {
    try {
      const { result } = await get(`tickets/${id}/macros/${m.id}/apply.json`);
      const t = {};
      for (const k of ['status', 'priority', 'type', 'group_id', 'assignee_id', 'tags']) if (k in result.ticket) t[k] = result.ticket[k];
      if (result.comment && result.comment.body) t.comment = { body: result.comment.body, public: result.comment.public };
      await changeTicket(id, t, 'palette.macroApplied');
    } catch (e) {
      setToast({ error: true, text: e.message });
    }
  };

  // what the palette's actions need (palette.js builds them when it opens)
  const paletteCtx = {
    lang, me, isAdmin, custom, macros, route, prefs, setPref, setOverlay, setMyStatus, changeTicket, applyMacro, signOut,
    focusSearch: () => setTimeout(() => searchRef.current && searchRef.current.focus(), 0),
    compose: (mode) => { setComposerMode(mode); setTimeout(() => taRef.current && taRef.current.focus(), 0); },
  };

  state.current = { route, tickets, selected, viewKey, overlay, custom, lang, me, macros, changeTicket };

  // keyboard: the cheat sheet (palette.js SHORTCUTS) lists it all; Ctrl+Enter
  // is the composer's
  useEffect(() => {
    const onKey = (e) => {
      const s = state.current;
      if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'k' || e.key === 'K')) {
        if (!s.me) return;
        setOverlay((o) => (o && o.palette !== undefined ? null : { palette: '' }));
        e.preventDefault();
        return;
      }
      const tag = (e.target.tagName || '').toLowerCase();
      if (tag === 'input' || tag === 'textarea' || tag === 'select' || e.target.isContentEditable) return;
      if (e.ctrlKey || e.metaKey || e.altKey || !s.me) return;
      if (s.overlay) {
        if (e.key === 'Escape' || (e.key === '?' && s.overlay === 'help')) setOverlay(null);
        return;
      }
      const list = s.tickets || [];
      const onTicket = s.route.page === 'ticket';
      const go = (d) => {
        if (!list.length) return;
        const i = Math.max(0, Math.min(list.length - 1, s.selected + d));
        if (onTicket) navigate(`#/tickets/${list[i].id}`);
        else setSelected(i);
      };
      if (gPending.current && Date.now() - gPending.current < 1500) {
        gPending.current = 0;
        const k = e.key;
        if (k === 'v') navigate(`#/views/${s.viewKey}`);
        else if (G_VIEWS[k]) navigate(`#/views/${G_VIEWS[k]}`);
        else if (k === 'n') navigate('#/viewedit/new');
        else if (k === 'a' && s.me.role === 'admin') navigate('#/admin/agents');
        else if (k === ',') setOverlay('prefs');
        else return;
        e.preventDefault();
        return;
      }
      switch (e.key) {
        case 'j': go(1); break;
        case 'k': go(-1); break;
        case 'Enter': case 'o':
          if (s.route.page === 'view' && list[s.selected]) navigate(`#/tickets/${list[s.selected].id}`);
          break;
        case 'r': case 'n':
          if (!onTicket) return;
          setComposerMode(e.key === 'r' ? 'reply' : 'note');
          setTimeout(() => taRef.current && taRef.current.focus(), 0);
          break;
        // a (assign to me), s (solve), m (macros), h (history): the ticket
        // page's own keys (ticket.js)
        case '/':
          if (searchRef.current) searchRef.current.focus();
          break;
        case 'g': gPending.current = Date.now(); break;
        case '?': setOverlay('help'); break;
        case 'Escape': if (onTicket) navigate(`#/views/${s.viewKey}`); break;
        default: return;
      }
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  // the view list: the same vnode while nothing it shows changed, so
  // Preact skips it when j/k moves between tickets
  const navKey = route.page === 'view' || route.page === 'ticket' ? viewKey : '';
  const nav = useMemo(() => html`<${ViewNav} lang=${lang} current=${navKey} counts=${counts} custom=${custom} isAdmin=${isAdmin} agents=${agents} />`,
    [lang, navKey, counts, custom, isAdmin, agents, statusTick]);

  if (session === undefined) return html`<div class="boot" aria-busy="true"></div>`;
  const quick = html`<div class="prefs">
      <button class="theme" data-action="theme" onClick=${() => setPref('theme', prefs.theme === 'dark' ? 'light' : 'dark')} title=${tr(lang, 'nav.theme')}>${prefs.theme === 'dark' ? tr(lang, 'nav.light') : tr(lang, 'nav.dark')}</button>
      <button class="lang" data-action="lang" onClick=${() => setPref('lang', lang === 'ko' ? 'en' : 'ko')} title=${tr(lang, 'nav.language')}>${lang === 'ko' ? 'English' : '한국어'}</button>
    </div>`;
  if (!session) {
    return html`<div class="signed-out">${quick}<${Login} lang=${lang} onSignedIn=${(user, csrf) => { setCsrf(csrf); setSession({ user, fresh: true }); }} /></div>`;
  }
  const cv = customOf(viewKey);
  const viewTitle = isCustom(viewKey) ? (cv ? cv.title : (list && list.title) || '') : tr(lang, `view.${viewKey}`);
  let page;
  if (route.page === 'ticket') {
    page = html`<${TicketPage} lang=${lang} id=${route.id} agents=${agents} groups=${groups} composerMode=${composerMode} setComposerMode=${setComposerMode} taRef=${taRef} version=${version}
      onChanged=${() => { refreshCounts(); loadList(viewKey); }} />`;
  } else if (route.page === 'user') {
    page = peopleMod ? html`<${peopleMod.UserPage} lang=${lang} id=${route.id} />` : html`<p aria-busy="true">…</p>`;
  } else if (route.page === 'org') {
    page = peopleMod ? html`<${peopleMod.OrgPage} lang=${lang} id=${route.id} />` : html`<p aria-busy="true">…</p>`;
  } else if (route.page === 'admin') {
    page = !isAdmin
      ? html`<p class="error" role="alert" data-denied="admin">${tr(lang, 'admin.denied')}</p>`
      : adminMod ? html`<${adminMod.Admin} lang=${lang} section=${route.section} me=${me} agents=${agents}
          onChanged=${() => get('groups.json').then((r) => setGroups(r.groups)).catch(() => {})} />`
      : html`<p aria-busy="true">…</p>`;
  } else if (route.page === 'viewedit') {
    page = editMod ? html`<${editMod.ViewEditor} key=${route.id || 'new'} lang=${lang} id=${route.id} agents=${agents} groups=${groups} me=${me} isAdmin=${isAdmin}
      onSaved=${() => loadCustom()} />` : html`<p aria-busy="true">…</p>`;
  } else {
    const canEdit = cv && (isAdmin || (cv.restriction && cv.restriction.type === 'User' && cv.restriction.id === me.id));
    page = html`<${TicketList} lang=${lang} title=${viewTitle} list=${list} selected=${selected} error=${listError} groups=${groups}
      editHref=${canEdit ? `#/viewedit/${cv.id}` : null}
      onSelect=${(i, open) => { setSelected(i); if (open && tickets[i]) navigate(`#/tickets/${tickets[i].id}`); }} />`;
  }
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/views">${tr(lang, 'app.name')}</a>
      <${SearchBox} lang=${lang} inputRef=${searchRef} />
      <span class="spacer"></span>
      <button class="link" data-action="palette" onClick=${() => setOverlay({ palette: '' })} title=${tr(lang, 'palette.title')}><kbd>Ctrl K</kbd></button>
      <button class="link" onClick=${() => setOverlay('help')} title=${tr(lang, 'help.title')}><kbd>?</kbd></button>
      ${quick}
      <${StatusPicker} lang=${lang} status=${statuses.get(me.id)} onChange=${setMyStatus} />
      <button class="link me" data-user=${me.id} data-action="prefs" onClick=${() => setOverlay('prefs')} title=${tr(lang, 'prefs.title')}>${me.name}</button>
      <button class="signout" onClick=${signOut}>${tr(lang, 'nav.signout')}</button>
    </header>
    ${nav}
    <main class="content">${page}</main>
    ${overlay === 'help' && paletteMod && html`<${paletteMod.Help} lang=${lang} onClose=${() => setOverlay(null)} />`}
    ${overlay === 'prefs' && prefsMod && html`<${prefsMod.PrefsDialog} lang=${lang} prefs=${prefs} setPref=${setPref} customViews=${custom} user=${me} onClose=${() => setOverlay(null)} />`}
    ${overlay && overlay.palette !== undefined && paletteMod && html`<${paletteMod.Palette} lang=${lang} actions=${paletteMod.buildActions(paletteCtx)} initial=${overlay.palette} onClose=${() => setOverlay(null)} />`}
    ${toast && html`<div class=${toast.error ? 'toast error' : 'toast'} role="status">${toast.text}</div>`}
  </div>`;
}
