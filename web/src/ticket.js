// ticket.js - the ticket page: the conversation (or its history), the
// composer and the side panel with the customer beside it.  The page
// renders from the shared cache at once and revalidates from the server;
// every change is a PUT through the public API.  Its keys (the shell's
// j/k, r, n, Ctrl+Enter stay the shell's): a assign to me, s solve,
// m macros, h history.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';
import { api, get } from './api.js';
import { t as tr } from './i18n.js';
import { STATUSES, PRIORITIES, TYPES, when, users, cache, fetchTicketPage } from './shared.js';
import { Attachments, upload, fileName } from './attachments.js';
import { MentionMenu, UploadChips, PendingChips, mentionAt, matchAgents, mentioned, macroChanges } from './composer.js';
import { CustomFields, PeoplePicker, Linked, ticketFields } from './fields.js';
import { lazy } from './lazy.js';
import { StatusBadge } from './badge.js';
import { CustomerPanel } from './customer.js';
import { KnowledgePanel } from './kb.js';
import { Presence } from './presence.js';

export { StatusBadge }; // its old home; the shell imports it from badge.js

// on demand: fetched the first time they show (all preloaded once a ticket is open)
const AuditHistory = lazy(() => import('./audit.js'), 'AuditHistory');
const MacroPicker = lazy(() => import('./macros.js'), 'MacroPicker');
const MergeDialog = lazy(() => import('./merge.js'), 'MergeDialog');
const preload = () => [AuditHistory, MacroPicker, MergeDialog].forEach((c) => c.preload());

// who is signed in (for "assign to me"), asked once
let me = null;
const whoAmI = () => me || (me = get('users/me.json').then((r) => r.user).catch((e) => { me = null; throw e; }));

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
        ${c.attachments && c.attachments.length > 0 && html`<${Attachments} lang=${lang} list=${c.attachments} />`}
      </li>`;
    })}
  </ol>`;
}

function Composer({ lang, mode, setMode, onSubmit, taRef, ticket, agents, groups, macroOpen, setMacroOpen }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [files, setFiles] = useState([]); // {name, size, token?, error?}
  const [picked, setPicked] = useState([]); // agents chosen from the @ menu
  const [mention, setMention] = useState(null); // {start, q, hits, active}
  const [pending, setPending] = useState(null); // a macro's {title, changes}
  const addFiles = (list) => {
    for (const f of list) {
      const item = { name: fileName(f), size: f.size };
      setFiles((v) => [...v, item]);
      upload(f, item.name).then((token) => { item.token = token; }).catch((e) => { item.error = e.message; })
        .finally(() => setFiles((v) => v.slice()));
    }
  };
  const removeFile = (k) => {
    const f = files[k];
    if (f.token) api('DELETE', `uploads/${f.token}.json`).catch(() => {});
    setFiles(files.filter((_, i) => i !== k));
  };
  const submit = async (status) => {
    if (!text.trim() && !pending) {
      setError(tr(lang, 'composer.empty'));
      return;
    }
    if (files.some((f) => !f.token && !f.error)) {
      setError(tr(lang, 'composer.uploading'));
      return;
    }
    setBusy(true);
    setError('');
    try {
      const extra = { ...(pending ? pending.changes : {}) };
      const uploads = files.filter((f) => f.token).map((f) => f.token);
      const ids = mode === 'note' ? mentioned(text, picked) : [];
      if (ids.length) extra.follower_ids = [...new Set([...(extra.follower_ids || ticket.follower_ids || []), ...ids])];
      await onSubmit(text.trim() ? text : null, mode === 'reply', status, uploads, extra);
      setText('');
      setFiles([]);
      setPicked([]);
      setPending(null);
      // done writing: give the keys back to the shortcuts (j/k, r, n...)
      if (taRef.current) taRef.current.blur();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const onInput = (e) => {
    setText(e.target.value);
    const m = mode === 'note' ? mentionAt(e.target.value, e.target.selectionStart) : null;
    const hits = m ? matchAgents(agents, m.q) : [];
    setMention(hits.length ? { ...m, hits, active: 0 } : null);
  };
  const pick = (a) => {
    const ta = taRef.current;
    const caret = ta ? ta.selectionStart : text.length;
    const next = `${text.slice(0, mention.start)}@${a.name} ${text.slice(caret)}`;
    setText(next);
    setPicked((v) => [...v.filter((x) => x.id !== a.id), a]);
    setMention(null);
    const at = mention.start + a.name.length + 2;
    setTimeout(() => ta && ta.setSelectionRange(at, at), 0);
  };
  const onKey = (e) => {
    if (mention) {
      const n = mention.hits.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setMention({ ...mention, active: (mention.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(mention.hits[mention.active]);
        return;
      }
      if (e.key === 'Escape') {
        setMention(null);
        return;
      }
    }
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      submit(null);
    } else if (e.key === 'Escape') {
      e.target.blur();
    }
  };
  const onPaste = (e) => {
    const list = [...((e.clipboardData && e.clipboardData.files) || [])];
    if (list.length) { e.preventDefault(); addFiles(list); }
  };
  const onDrop = (e) => {
    const list = [...((e.dataTransfer && e.dataTransfer.files) || [])];
    if (list.length) { e.preventDefault(); addFiles(list); }
  };
  const applyMacro = async (m, result) => {
    const defs = await ticketFields().catch(() => []);
    setMacroOpen(false);
    if (result.comment) {
      setMode(result.comment.public ? 'reply' : 'note');
      setText((x) => (x.trim() ? `${x}\n\n${result.comment.body}` : result.comment.body));
    }
    const changes = macroChanges(ticket, result.ticket);
    setPending(Object.keys(changes).length || result.comment ? { title: m.title, changes, defs } : null);
    setTimeout(() => taRef.current && taRef.current.focus(), 0);
  };
  const fileRef = useRef(null);
  const [over, setOver] = useState(false); // files dragged over the composer
  return html`<section class=${`composer m-${mode}${over ? ' drop' : ''}`} onDragOver=${(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave=${() => setOver(false)} onDrop=${(e) => { setOver(false); onDrop(e); }}>
    <div class="tabs" role="tablist">
      <button role="tab" aria-selected=${mode === 'reply'} class=${mode === 'reply' ? 'on' : ''} onClick=${() => setMode('reply')}>${tr(lang, 'composer.reply')} <kbd>r</kbd></button>
      <button role="tab" aria-selected=${mode === 'note'} class=${mode === 'note' ? 'on' : ''} onClick=${() => setMode('note')}>${tr(lang, 'composer.note')} <kbd>n</kbd></button>
      <span class="spacer"></span>
      <button data-action="macros" onClick=${() => setMacroOpen(true)}>${tr(lang, 'macro.apply')} <kbd>m</kbd></button>
    </div>
    ${pending && html`<div class="pending" data-pending=${pending.title}>${tr(lang, 'macro.pending', { title: pending.title })}
      <${PendingChips} lang=${lang} changes=${pending.changes} groups=${groups} defs=${pending.defs} />
      <button class="link" onClick=${() => setPending(null)}>${tr(lang, 'macro.discard')}</button></div>`}
    <textarea ref=${taRef} name="comment" rows="4" value=${text} onInput=${onInput} onKeyDown=${onKey} onPaste=${onPaste} onBlur=${() => setMention(null)}
      placeholder=${tr(lang, mode === 'reply' ? 'composer.placeholder.reply' : 'composer.placeholder.note')}></textarea>
    ${mention && html`<${MentionMenu} hits=${mention.hits} active=${mention.active} onPick=${pick} />`}
    ${files.length > 0 && html`<${UploadChips} lang=${lang} files=${files} onRemove=${removeFile} />`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="submit">
      <button class="attach" onClick=${() => fileRef.current.click()}>${tr(lang, 'composer.attach')}</button>
      <input ref=${fileRef} type="file" name="files" multiple hidden onChange=${(e) => { addFiles([...e.target.files]); e.target.value = ''; }} />
      <span class="spacer"></span>
      ${['open', 'pending', 'solved'].map((s) => html`<button key=${s} class=${s === 'open' ? 'primary' : ''} disabled=${busy} data-submit=${s} onClick=${() => submit(s)}>${tr(lang, 'composer.submitAs', { status: tr(lang, `status.${s}`) })}</button>`)}
    </div>
    ${macroOpen && html`<${MacroPicker} lang=${lang} ticketId=${ticket.id} onApply=${applyMacro} onClose=${() => setMacroOpen(false)} />`}
  </section>`;
}

function Field({ label, wide, children }) {
  return html`<label class=${wide ? 'field wide' : 'field'}><span>${label}</span>${children}</label>`;
}

function SidePanel({ lang, ticket, agents, groups, onChange, onMerge }) {
  const [tags, setTags] = useState((ticket.tags || []).join(' '));
  useEffect(() => setTags((ticket.tags || []).join(' ')), [ticket.id, (ticket.tags || []).join(' ')]);
  const sel = (name, value, options, label) => html`<select name=${name} value=${value ?? ''} onChange=${(e) => onChange({ [name]: e.target.value === '' ? null : (name.endsWith('_id') ? Number(e.target.value) : e.target.value) })}>
      ${options.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
    </select>`;
  return html`<aside class="side">
    <div class="props">
    <${Field} label=${tr(lang, 'ticket.assignee')}>${sel('assignee_id', ticket.assignee_id, [['', tr(lang, 'ticket.none')], ...agents.map((a) => [a.id, a.name])])}<//>
    <${Field} label=${tr(lang, 'ticket.group')}>${sel('group_id', ticket.group_id, [['', tr(lang, 'ticket.none')], ...groups.map((g) => [g.id, g.name])])}<//>
    <${Field} label=${tr(lang, 'ticket.status')}>${sel('status', ticket.status, STATUSES.filter((s) => s !== 'closed' || ticket.status === 'closed').map((s) => [s, tr(lang, `status.${s}`)]))}<//>
    <${Field} label=${tr(lang, 'ticket.priority')}>${sel('priority', ticket.priority, [['', tr(lang, 'ticket.none')], ...PRIORITIES.map((p) => [p, tr(lang, `priority.${p}`)])])}<//>
    <${Field} label=${tr(lang, 'ticket.type')}>${sel('type', ticket.type, [['', tr(lang, 'ticket.none')], ...TYPES.map((p) => [p, tr(lang, `type.${p}`)])])}<//>
    <${Linked} lang=${lang} ticket=${ticket} onChange=${onChange} />
    <${Field} label=${tr(lang, 'ticket.tags')} wide>
      <input name="tags" value=${tags} placeholder=${tr(lang, 'ticket.tags.hint')} onInput=${(e) => setTags(e.target.value)}
        onKeyDown=${(e) => { if (e.key === 'Enter') onChange({ tags: tags.split(/\s+/).filter(Boolean) }); }} />
    <//>
    <${CustomFields} ticket=${ticket} onChange=${onChange} />
    <div class="field wide"><span>${tr(lang, 'ticket.ccs')}</span>
      <${PeoplePicker} lang=${lang} name="ccs" ids=${ticket.email_cc_ids || []} pool=${null} onChange=${(ids) => onChange({ email_cc_ids: ids })} /></div>
    <div class="field wide"><span>${tr(lang, 'ticket.followers')}</span>
      <${PeoplePicker} lang=${lang} name="followers" ids=${ticket.follower_ids || []} pool=${agents} onChange=${(ids) => onChange({ follower_ids: ids })} /></div>
    <button class="wide" data-action="merge" onClick=${onMerge}>${tr(lang, 'merge.open')}</button>
    </div>
    <${CustomerPanel} lang=${lang} ticket=${ticket} />
    <${KnowledgePanel} lang=${lang} ticket=${ticket} />
  </aside>`;
}

export function TicketPage({ lang, id, agents, groups, composerMode, setComposerMode, taRef, version, onChanged }) {
  const [fetched, setPage] = useState(null);
  const [error, setError] = useState(''); // the page could not load
  const [saveError, setSaveError] = useState(''); // a change was refused: the page stays
  const [history, setHistory] = useState(false);
  const [macroOpen, setMacroOpen] = useState(false);
  const [merging, setMerging] = useState(false);
  // render from the cache in the same pass as the route change (a
  // prefetched neighbour shows at once), then revalidate from the server
  const page = fetched && fetched.ticket.id === id ? fetched : cache.get(id) || null;
  useEffect(() => {
    let live = true;
    setError('');
    setSaveError('');
    fetchTicketPage(id).then((p) => live && setPage(p)).catch((e) => live && setError(e.message));
    return () => { live = false; };
  }, [id, version]);
  const update = async (fields) => {
    const r = await api('PUT', `tickets/${id}.json`, { ticket: fields });
    const fresh = await fetchTicketPage(id);
    setPage(fresh);
    onChanged(r.ticket);
  };
  const onField = (f) => { setSaveError(''); return update(f).catch((e) => setSaveError(e.message)); };
  // the page's own keys; the shell's handler ignores them
  const keys = useRef({});
  keys.current = { page, onField, blocked: macroOpen || merging };
  useEffect(() => {
    (window.requestIdleCallback || setTimeout)(preload);
    const onKey = (e) => {
      const k = keys.current;
      const tag = (e.target.tagName || '').toLowerCase();
      if (tag === 'input' || tag === 'textarea' || tag === 'select' || e.target.isContentEditable) return;
      if (e.ctrlKey || e.metaKey || e.altKey || !k.page || k.blocked || document.querySelector('.overlay')) return;
      const tk = k.page.ticket;
      if (e.key === 'm') setMacroOpen(true);
      else if (e.key === 'h') setHistory((x) => !x);
      else if (e.key === 'a') whoAmI().then((u) => k.onField({ assignee_id: u.id }));
      else if (e.key === 's') {
        // solving needs an assignee: take the ticket if nobody has it
        whoAmI().then((u) => k.onField({ status: 'solved', ...(tk.assignee_id ? {} : { assignee_id: u.id }) }));
      } else return;
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  if (error) return html`<section class="ticket"><p class="error" role="alert">${tr(lang, 'error.load', { msg: error })}</p></section>`;
  if (!page) return html`<section class="ticket loading" aria-busy="true"></section>`;
  const tk = page.ticket;
  const onSubmit = (body, isPublic, status, uploads, extra) => update({
    ...extra,
    ...(body ? { comment: { body, public: isPublic, ...(uploads.length ? { uploads } : {}) } } : {}),
    ...(status ? { status } : {}),
  });
  return html`<section class="ticket" data-ticket-id=${id}>
    <div class="main">
      <header class="ticket-head">
        <a class="back" href="#/views">${'←'} ${tr(lang, 'ticket.back')}</a>
        <h1><span class="num">#${tk.id}</span> ${tk.subject}</h1>
        <div class="row"><${StatusBadge} lang=${lang} status=${tk.status} />
          ${tk.merged_into && html`<a href=${`#/tickets/${tk.merged_into}`}>${tr(lang, 'merge.into')} #${tk.merged_into}</a>`}
          <span class="spacer"></span>
          <button data-action="history" aria-pressed=${history} onClick=${() => setHistory(!history)}>${tr(lang, history ? 'audit.hide' : 'audit.show')} <kbd>h</kbd></button></div>
        ${saveError && html`<p class="error" role="alert" data-save-error>${tr(lang, 'ticket.notSaved', { msg: saveError })}</p>`}
      </header>
      ${history ? html`<${AuditHistory} lang=${lang} id=${id} groups=${groups} version=${tk.updated_at} />` : html`<${Conversation} lang=${lang} page=${page} />`}
      <${Presence} lang=${lang} ticketId=${id} />
      <${Composer} key=${id} lang=${lang} mode=${composerMode} setMode=${setComposerMode} onSubmit=${onSubmit} taRef=${taRef}
        ticket=${tk} agents=${agents} groups=${groups} macroOpen=${macroOpen} setMacroOpen=${setMacroOpen} />
    </div>
    <${SidePanel} lang=${lang} ticket=${tk} agents=${agents} groups=${groups} onChange=${onField} onMerge=${() => setMerging(true)} />
    ${merging && html`<${MergeDialog} lang=${lang} ticket=${tk} onClose=${() => setMerging(false)} />`}
  </section>`;
}
