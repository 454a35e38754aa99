// frame.js - the messenger inside its iframe (served from the Sonnim
// origin, so its storage, cookies and scripts are its own).
//
// Views: the launcher (closed), the conversation list (with the proactive
// messages and the business-hours notice) and one conversation (messages,
// the answer bot's articles, typing indicator, composer with emoji and
// files; name/email asked for before the first message of an anonymous
// visitor).  State: conversation tokens in localStorage per site key.  The
// server is reached only through the public messaging API
// (/messenger/v1/...) and one EventSource per open conversation.
const P = new URLSearchParams(location.search);
const KEY = P.get('site') || '';
const PAGE = P.get('page') || '';
const KO = /^ko\b/i.test(P.get('lang') || navigator.language || '');
const API = '/messenger/v1';

const T = {
  en: {
    open: 'Open messenger', close: 'Close', back: 'Back', newConv: 'New conversation', send: 'Send',
    placeholder: 'Write a message…', typing: '{name} is typing…', someone: 'Someone', you: 'You',
    noConvs: 'No conversations yet.', closedNotice: 'We are away now. We reopen {when}.', replyIn: 'We usually reply within {n} minutes.',
    name: 'Your name (optional)', email: 'Email for replies (optional)', bot: 'These articles may help:',
    solved: 'That solved it', person: 'Talk to a person', thanks: 'Glad it helped! This conversation is closed.',
    handedOff: 'A person from the team will reply here.', attach: 'Attach a file', emoji: 'Emoji',
    closedConv: 'This conversation is closed.', error: 'Could not send: {msg}', dismiss: 'Dismiss', seen: 'Seen',
    file: 'File',
  },
  ko: {
    open: '메신저 열기', close: '닫기', back: '뒤로', newConv: '새 대화', send: '보내기',
    placeholder: '메시지를 입력하세요…', typing: '{name} 님이 입력 중…', someone: '상담원', you: '나',
    noConvs: '아직 대화가 없습니다.', closedNotice: '지금은 상담 시간이 아닙니다. {when}에 다시 엽니다.', replyIn: '보통 {n}분 안에 답변드립니다.',
    name: '이름 (선택)', email: '답변 받을 이메일 (선택)', bot: '이 글이 도움이 될 수 있어요:',
    solved: '해결됐어요', person: '상담원 연결', thanks: '도움이 되어 기쁩니다! 대화를 종료했습니다.',
    handedOff: '팀의 상담원이 여기에서 답변드립니다.', attach: '파일 첨부', emoji: '이모지',
    closedConv: '종료된 대화입니다.', error: '보내지 못했습니다: {msg}', dismiss: '닫기', seen: '읽음',
    file: '파일',
  },
};
const tr = (k, v = {}) => (KO ? T.ko : T.en)[k].replace(/\{(\w+)\}/g, (_, x) => v[x] ?? '');
const EMOJI = ['😀', '😂', '😊', '😍', '🙏', '👍', '👋', '🎉', '😢', '😮', '❤️', '🔥', '✅', '❓', '📦', '💳'];

const store = {
  get: (k, d) => { try { return JSON.parse(localStorage.getItem(`sonnim:${KEY}:${k}`)) ?? d; } catch { return d; } },
  set: (k, v) => { try { localStorage.setItem(`sonnim:${KEY}:${k}`, JSON.stringify(v)); } catch { /* private mode */ } },
};

const S = {
  site: null, open: false, view: 'list', convs: store.get('convs', []), cur: null, msgs: [], bot: null,
  conv: null, typing: null, banners: [], prompts: [], proactive: [], prompt: null, err: '', user: store.get('user', null),
  visitor: null, // the visitor token from a signed identify (for the proactive endpoint)
};
let es = null;
let typingTimer = 0;
let lastTypingSent = 0;

async function call(method, path, body, token) {
  const h = {};
  if (body !== undefined && !(body instanceof Blob)) h['Content-Type'] = 'application/json';
  if (token) h.Authorization = `Bearer ${token}`;
  const r = await fetch(API + path, { method, headers: h, body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body) });
  const text = await r.text();
  let j = null;
  try { j = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!r.ok) {
    const e = new Error((j && (j.description || j.error)) || `HTTP ${r.status}`);
    e.status = r.status;
    throw e;
  }
  return j;
}

function el(tag, attrs = {}, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else if (k === 'class') n.className = v;
    else if (v !== false && v != null) n.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k != null && k !== false) n.append(k.nodeType ? k : String(k));
  return n;
}

function saveConvs() { store.set('convs', S.convs.slice(0, 50)); }
function tokenOf(id) { const c = S.convs.find((x) => x.id === id); return c && c.token; }

function resize() {
  const w = S.open ? 380 : S.prompt ? 300 : 84;
  const h = S.open ? 600 : S.prompt ? 190 : 84;
  parent.postMessage({ type: 'sonnim:size', width: w, height: h }, '*');
}

const CSS = `*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Apple SD Gothic Neo","Noto Sans KR",sans-serif;background:transparent;color:#1b1f23}
button{font:inherit;cursor:pointer}.launch{position:fixed;right:10px;bottom:10px;width:60px;height:60px;border-radius:50%;border:0;background:var(--c);color:#fff;font-size:26px;box-shadow:0 4px 14px rgba(0,0,0,.25)}
.panel{position:fixed;inset:0;background:#fff;border-radius:12px;display:flex;flex-direction:column;overflow:hidden;box-shadow:0 6px 24px rgba(0,0,0,.25);margin:4px}
.head{background:var(--c);color:#fff;padding:14px 16px}.head h1{margin:0;font-size:17px;display:flex;gap:8px;align-items:center}.head img{height:24px}.head p{margin:4px 0 0;opacity:.92}
.head .x{float:right;background:none;border:0;color:#fff;font-size:20px}.hours{background:#fff4e5;color:#6b4400;padding:8px 16px;font-size:13px}
.banner{padding:8px 16px;display:flex;gap:8px;align-items:start;font-size:13px}.banner.info{background:#e8f1fb}.banner.warning{background:#fff4e5}.banner.critical{background:#fde8e8;color:#8a1c1c}.banner span{flex:1}.banner button{background:none;border:0}
.body{flex:1;overflow:auto;padding:12px 16px}.list button.conv{display:block;width:100%;text-align:left;border:1px solid #e3e6ea;background:#fff;border-radius:8px;padding:10px;margin:0 0 8px}
.new{background:var(--c);color:#fff;border:0;border-radius:8px;padding:10px 14px;width:100%;margin-top:6px}.pro{background:#f4f6f8;border-radius:8px;padding:10px;margin:0 0 8px}
.msg{max-width:82%;margin:6px 0;padding:8px 11px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word}.msg.visitor{margin-left:auto;background:var(--c);color:#fff;border-bottom-right-radius:4px}
.msg.agent,.msg.bot{background:#f0f2f5;border-bottom-left-radius:4px}.who{font-size:11px;color:#6a737d;margin-top:8px}.msg a{color:inherit}
.bot{border:1px solid #e3e6ea;border-radius:10px;padding:10px;margin:8px 0}.bot ul{margin:6px 0;padding-left:18px}.bot .row{display:flex;gap:6px;flex-wrap:wrap}.bot .row button{border:1px solid var(--c);background:#fff;color:var(--c);border-radius:16px;padding:4px 10px}
.typing{color:#6a737d;font-size:12px;min-height:18px;padding:0 16px}.note{color:#6a737d;font-size:12px;text-align:center;margin:8px 0}
.comp{border-top:1px solid #e3e6ea;padding:8px}.comp textarea{width:100%;border:1px solid #d1d5da;border-radius:8px;padding:8px;resize:none;font:inherit;height:64px}
.comp .bar{display:flex;gap:6px;align-items:center;margin-top:6px}.comp .bar .sp{flex:1}.comp .bar button.icon{background:none;border:0;font-size:18px}.comp .send{background:var(--c);color:#fff;border:0;border-radius:8px;padding:6px 14px}
.comp input[type=text],.comp input[type=email]{width:100%;border:1px solid #d1d5da;border-radius:6px;padding:6px 8px;margin-bottom:6px;font:inherit}.emojis{display:flex;flex-wrap:wrap;gap:2px}.emojis button{background:none;border:0;font-size:18px}
.err{color:#b31d28;font-size:12px}.prompt{position:fixed;right:10px;bottom:80px;left:10px;background:#fff;border-radius:12px;padding:12px 30px 12px 12px;box-shadow:0 4px 14px rgba(0,0,0,.2)}.prompt .x{position:absolute;right:6px;top:4px;background:none;border:0}
.att{display:block;font-size:12px}.seen{font-size:11px;color:#6a737d;text-align:right}`;

function render() {
  document.documentElement.lang = KO ? 'ko' : 'en';
  const root = document.getElementById('app');
  root.style.setProperty('--c', (S.site && S.site.color) || '#1f73b7');
  root.replaceChildren();
  if (!S.open) {
    if (S.prompt) {
      root.append(el('div', { class: 'prompt', role: 'status', onclick: () => { S.prompt = null; openPanel(); } }, S.prompt.message,
        el('button', { class: 'x', 'aria-label': tr('dismiss'), onclick: (e) => { e.stopPropagation(); S.prompt = null; render(); } }, '×')));
    }
    root.append(el('button', { class: 'launch', 'aria-label': tr('open'), 'data-launcher': true, onclick: openPanel }, '💬'));
    resize();
    return;
  }
  const site = S.site || {};
  const head = el('div', { class: 'head' },
    el('button', { class: 'x', 'aria-label': tr('close'), onclick: () => { S.open = false; closeStream(); render(); } }, '×'),
    el('h1', {}, site.logo_url ? el('img', { src: site.logo_url, alt: '' }) : null, site.name || ''),
    site.greeting ? el('p', {}, site.greeting) : null);
  const panel = el('div', { class: 'panel', role: 'dialog', 'aria-label': site.name || 'Messenger' }, head);
  const bh = site.business_hours;
  if (bh && !bh.open) {
    const when = bh.next_open_at ? new Date(bh.next_open_at).toLocaleString(KO ? 'ko-KR' : 'en-US', { weekday: 'short', hour: 'numeric', minute: '2-digit' }) : '';
    panel.append(el('div', { class: 'hours', 'data-hours': 'closed' }, tr('closedNotice', { when })));
  } else if (site.reply_minutes) {
    panel.append(el('div', { class: 'hours', 'data-hours': 'open' }, tr('replyIn', { n: site.reply_minutes })));
  }
  const dismissed = store.get('dismissed', []);
  for (const b of S.banners) {
    if (b.dismissible && dismissed.includes(b.id)) continue;
    panel.append(el('div', { class: `banner ${b.level || 'info'}`, role: b.level === 'critical' ? 'alert' : 'status', 'data-banner': b.id },
      el('span', {}, b.text),
      b.dismissible ? el('button', { 'aria-label': tr('dismiss'), onclick: () => { store.set('dismissed', [...dismissed, b.id]); render(); } }, '×') : null));
  }
  panel.append(S.view === 'list' ? listView() : convView());
  root.append(panel);
  resize();
  const b = root.querySelector('.body');
  if (b && S.view === 'conv') b.scrollTop = b.scrollHeight;
}

function listView() {
  const frag = el('div', { class: 'body list' });
  for (const m of S.proactive) frag.append(el('div', { class: 'pro', 'data-proactive': m.id }, m.body));
  if (!S.convs.length && !S.proactive.length) frag.append(el('p', { class: 'note' }, tr('noConvs')));
  for (const c of S.convs) {
    frag.append(el('button', { class: 'conv', 'data-conv': c.id, onclick: () => openConv(c.id) },
      el('strong', {}, c.subject || `#${c.id}`), el('div', { class: 'who' }, c.status || '')));
  }
  frag.append(el('button', { class: 'new', onclick: () => { S.cur = null; S.msgs = []; S.bot = null; S.conv = null; S.view = 'conv'; render(); } }, tr('newConv')));
  return frag;
}

function linkify(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    out.push(text.slice(last, m.index), el('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer' }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

function convView() {
  const wrap = el('div', { style: 'display:flex;flex-direction:column;flex:1;min-height:0' });
  const body = el('div', { class: 'body', 'aria-live': 'polite' },
    el('button', { class: 'x', style: 'background:none;border:0;color:#586069;padding:0 0 6px', onclick: () => { closeStream(); S.view = 'list'; refreshList(); render(); } }, `← ${tr('back')}`));
  let prev = '';
  for (const m of S.msgs) {
    const who = m.author === 'visitor' ? tr('you') : m.author_name || tr('someone');
    if (who !== prev) body.append(el('div', { class: 'who', style: m.author === 'visitor' ? 'text-align:right' : '' }, who));
    prev = who;
    const b = el('div', { class: `msg ${m.author}`, 'data-message': m.id }, m.body === '(file)' && m.attachments.length ? '' : linkify(m.body || ''));
    for (const a of m.attachments || []) {
      b.append(el('a', { class: 'att', href: `${a.url}?token=${tokenOf(S.cur)}`, target: '_blank', rel: 'noopener', 'data-attachment': a.file_name }, `📎 ${a.file_name}`));
    }
    body.append(b);
  }
  const lastV = [...S.msgs].reverse().find((m) => m.author === 'visitor');
  const lastA = [...S.msgs].reverse().find((m) => m.author !== 'visitor');
  if (lastV && S.agentRead >= lastV.id && (!lastA || lastA.id < lastV.id)) body.append(el('div', { class: 'seen' }, tr('seen')));
  if (S.bot && S.bot.articles && S.bot.articles.length) {
    const box = el('div', { class: 'bot', 'data-bot': true }, el('div', {}, tr('bot')),
      el('ul', {}, S.bot.articles.map((a) => el('li', {}, el('a', { href: a.url, target: '_blank', rel: 'noopener', onclick: () => followed(a), onauxclick: () => followed(a) }, a.title)))));
    if (!S.bot.outcome) {
      box.append(el('div', { class: 'row' },
        el('button', { onclick: () => outcome('solved', { article_id: S.bot.articles[0].id }) }, tr('solved')),
        el('button', { onclick: () => outcome('handoff', {}) }, tr('person'))));
    } else {
      box.append(el('div', { class: 'note' }, S.bot.outcome === 'self_served' ? tr('thanks') : tr('handedOff')));
    }
    body.append(box);
  }
  const closed = S.conv && S.conv.status === 'closed';
  if (closed) body.append(el('p', { class: 'note' }, tr('closedConv')));
  wrap.append(body, el('div', { class: 'typing', 'data-typing': true }, S.typing ? tr('typing', { name: S.typing }) : ''));
  if (!closed) wrap.append(composer());
  return wrap;
}

function composer() {
  const ta = el('textarea', { 'aria-label': tr('placeholder'), placeholder: tr('placeholder'), name: 'message' });
  ta.value = S.draft || '';
  ta.addEventListener('input', () => { S.draft = ta.value; typing(); });
  ta.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); } });
  const file = el('input', { type: 'file', style: 'display:none', 'data-file': true, onchange: () => upload(file.files[0]) });
  const pre = !S.cur && !S.user ? [
    el('input', { type: 'text', name: 'name', placeholder: tr('name'), 'aria-label': tr('name'), value: S.preName || '', oninput: (e) => { S.preName = e.target.value; } }),
    el('input', { type: 'email', name: 'email', placeholder: tr('email'), 'aria-label': tr('email'), value: S.preEmail || '', oninput: (e) => { S.preEmail = e.target.value; } }),
  ] : [];
  const emojis = S.emoji ? el('div', { class: 'emojis' }, EMOJI.map((x) => el('button', { type: 'button', onclick: () => { S.draft = (S.draft || '') + x; S.emoji = false; render(); focusComposer(); } }, x))) : null;
  const c = el('div', { class: 'comp' }, pre, ta, emojis,
    el('div', { class: 'bar' },
      el('button', { class: 'icon', type: 'button', 'aria-label': tr('emoji'), onclick: () => { S.emoji = !S.emoji; render(); } }, '😊'),
      S.cur ? el('button', { class: 'icon', type: 'button', 'aria-label': tr('attach'), onclick: () => file.click() }, '📎') : null, file,
      el('span', { class: 'sp err', role: 'alert' }, S.err),
      el('button', { class: 'send', onclick: send }, tr('send'))));
  return c;
}

function focusComposer() {
  const t = document.querySelector('textarea');
  if (t) { t.focus(); t.selectionStart = t.selectionEnd = t.value.length; }
}

function typing() {
  if (!S.cur) return;
  const now = Date.now();
  if (now - lastTypingSent > 3000) {
    lastTypingSent = now;
    call('POST', `/conversations/${S.cur}/typing`, { typing: true }, tokenOf(S.cur)).catch(() => {});
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    lastTypingSent = 0;
    call('POST', `/conversations/${S.cur}/typing`, { typing: false }, tokenOf(S.cur)).catch(() => {});
  }, 4000);
}

async function send() {
  const body = (S.draft || '').trim();
  if (!body) return;
  S.err = '';
  try {
    if (!S.cur) {
      const any = S.convs[0];
      const r = await call('POST', `/sites/${KEY}/conversations`, { body, name: S.preName || undefined, email: S.preEmail || undefined }, any && any.token);
      S.convs.unshift({ id: r.conversation.id, token: r.token, subject: r.conversation.subject, status: r.conversation.status });
      saveConvs();
      S.cur = r.conversation.id;
      S.conv = r.conversation;
      S.msgs = r.messages;
      S.bot = r.bot;
      S.draft = '';
      if (S.jwt) await identify(S.jwt); // a signed-in customer's conversation is theirs
      else if (S.preEmail) S.user = { email: S.preEmail };
      store.set('user', S.user);
      openStream();
    } else {
      clearTimeout(typingTimer);
      lastTypingSent = 0;
      const r = await call('POST', `/conversations/${S.cur}/messages`, { body }, tokenOf(S.cur));
      S.draft = '';
      if (!S.msgs.some((m) => m.id === r.message.id)) S.msgs.push(r.message);
    }
  } catch (e) {
    S.err = tr('error', { msg: e.message });
  }
  render();
  focusComposer();
}

async function upload(f) {
  if (!f || !S.cur) return;
  S.err = '';
  try {
    const u = await call('POST', `/conversations/${S.cur}/uploads?filename=${encodeURIComponent(f.name)}`, f, tokenOf(S.cur));
    const r = await call('POST', `/conversations/${S.cur}/messages`, { body: (S.draft || '').trim(), upload_tokens: [u.upload.token] }, tokenOf(S.cur));
    S.draft = '';
    if (!S.msgs.some((m) => m.id === r.message.id)) S.msgs.push(r.message);
  } catch (e) {
    S.err = tr('error', { msg: e.message });
  }
  render();
}

// A followed bot article: a click signal for the answer bot's ranking,
// counted once per article by the server.  sendBeacon cannot carry the
// conversation's bearer token, so a keepalive fetch (it outlives the page
// just the same); failures are ignored.
function followed(a) {
  const token = tokenOf(S.cur);
  if (!S.cur || !token) return;
  fetch(`${API}/conversations/${S.cur}/click`, {
    method: 'POST', keepalive: true,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ article_id: a.id }),
  }).catch(() => {});
}

async function outcome(kind, body) {
  try {
    const r = await call('POST', `/conversations/${S.cur}/${kind}`, body, tokenOf(S.cur));
    S.conv = r.conversation;
    S.bot = { ...S.bot, outcome: r.conversation.outcome };
  } catch (e) {
    S.err = tr('error', { msg: e.message });
  }
  render();
}

async function load() {
  if (!S.cur) return;
  const after = S.msgs.length ? S.msgs[S.msgs.length - 1].id : 0;
  try {
    const r = await call('GET', `/conversations/${S.cur}/messages${after ? `?after=${after}` : ''}`, undefined, tokenOf(S.cur));
    for (const m of r.messages) if (!S.msgs.some((x) => x.id === m.id)) S.msgs.push(m);
    S.conv = r.conversation;
    S.bot = r.bot;
    if (r.messages.some((m) => m.author !== 'visitor')) S.typing = null;
    markRead();
  } catch (e) {
    if (e.status === 404 || e.status === 401) { // a token that no longer opens anything
      S.convs = S.convs.filter((c) => c.id !== S.cur);
      saveConvs();
      S.cur = null;
      S.view = 'list';
    }
  }
  render();
}

function markRead() {
  const last = [...S.msgs].reverse().find((m) => m.author !== 'visitor');
  if (!last || !S.open || document.hidden || (S.conv && S.conv.read_id >= last.id)) return;
  if (S.conv) S.conv.read_id = last.id;
  call('POST', `/conversations/${S.cur}/read`, { comment_id: last.id }, tokenOf(S.cur)).catch(() => {});
}

function openStream() {
  closeStream();
  if (!S.cur) return;
  es = new EventSource(`${API}/conversations/${S.cur}/stream?token=${tokenOf(S.cur)}`);
  let typingOff = 0;
  es.addEventListener('message', load);
  es.addEventListener('conversation', load);
  es.addEventListener('ready', load);
  es.addEventListener('seen', () => {
    const v = [...S.msgs].reverse().find((m) => m.author === 'visitor');
    if (v && !(S.agentRead >= v.id)) { S.agentRead = v.id; render(); }
  });
  es.addEventListener('typing', (e) => {
    const d = JSON.parse(e.data);
    S.typing = d.typing ? d.name || tr('someone') : null;
    clearTimeout(typingOff);
    if (d.typing) typingOff = setTimeout(() => { S.typing = null; render(); }, 8000);
    render();
  });
}

function closeStream() {
  if (es) es.close();
  es = null;
}

async function openConv(id) {
  S.cur = id;
  S.msgs = [];
  S.bot = null;
  S.view = 'conv';
  render();
  openStream();
}

function openPanel() {
  S.open = true;
  S.prompt = null;
  if (S.view === 'conv' && S.cur) openStream();
  render();
  if (S.view === 'list') refreshList();
}

async function refreshList() {
  // statuses and subjects of the conversations this browser holds
  await Promise.all(S.convs.map(async (c) => {
    try {
      const r = await call('GET', `/conversations/${c.id}/messages?after=999999999999`, undefined, c.token);
      c.status = r.conversation.status;
      c.subject = r.conversation.subject;
    } catch (e) {
      if (e.status === 404) c.gone = true;
    }
  }));
  S.convs = S.convs.filter((c) => !c.gone);
  saveConvs();
  if (S.view === 'list') render();
}

async function identify(jwt) {
  S.jwt = jwt;
  try {
    const r = await call('POST', `/sites/${KEY}/identify`, { jwt, tokens: S.convs.map((c) => c.token) });
    S.user = r.user;
    store.set('user', S.user);
    const known = !!S.visitor;
    S.visitor = r.visitor_token || null; // kept in memory only: a signed-out page forgets it
    for (const c of r.conversations) {
      const have = S.convs.find((x) => x.id === c.id);
      if (have) Object.assign(have, { subject: c.subject, status: c.status });
      else S.convs.push({ id: c.id, token: c.token, subject: c.subject, status: c.status });
    }
    S.convs.sort((a, b) => b.id - a.id);
    saveConvs();
    render();
    // the person is known now: their campaign messages and audience banners
    if (S.visitor && !known) proactive(false);
  } catch { /* a refused identity leaves the visitor anonymous */ }
}

// What this page shows; prompts are scheduled only on the first ask (a
// second one, after identify, refreshes banners and messages).  The
// visitor is known by a conversation token, else by the visitor token a
// signed identify gave.
let proactiveSeq = 0;
async function proactive(prompts = true) {
  const seq = ++proactiveSeq;
  try {
    const any = S.convs[0];
    const r = await call('GET', `/sites/${KEY}/proactive?url=${encodeURIComponent(PAGE)}`, undefined, (any && any.token) || S.visitor);
    for (const p of prompts ? r.prompts || [] : []) {
      setTimeout(() => { if (!S.open) { S.prompt = p; render(); } }, (p.delay_seconds || 0) * 1000);
    }
    if (seq !== proactiveSeq) return; // a later ask (after identify) has the banners
    S.banners = r.banners || [];
    S.proactive = r.messages || [];
    render();
  } catch { /* no proactive messages here (or not installed): nothing to show */ }
}

window.addEventListener('message', (e) => {
  if (e.source !== parent || !e.data) return;
  if (e.data.type === 'sonnim:identify' && typeof e.data.jwt === 'string') identify(e.data.jwt);
  if (e.data.type === 'sonnim:open') openPanel();
});
document.addEventListener('visibilitychange', markRead);

async function main() {
  document.head.append(el('style', {}, CSS));
  try {
    S.site = (await call('GET', `/sites/${KEY}`)).site;
  } catch {
    return; // an unknown site: show nothing
  }
  render();
  parent.postMessage({ type: 'sonnim:ready' }, '*');
  proactive();
}
main();
