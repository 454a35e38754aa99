// ticket.js - the ticket page: the conversation, the composer and the side
// panel.  The page renders from the shared cache at once and revalidates
// from the server; every change is a PUT through the public API.
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { t as tr } from './i18n.js';
import { STATUSES, PRIORITIES, TYPES, when, users, cache, fetchTicketPage } from './shared.js';
import { Presence } from './presence.js';

export function StatusBadge({ lang, status }) {
  return html`<span class=${`status s-${status}`} title=${tr(lang, `status.${status}`)}>${tr(lang, `status.${status}`)}</span>`;
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

export function TicketPage({ lang, id, agents, groups, composerMode, setComposerMode, taRef, version, onChanged }) {
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
      <${Presence} lang=${lang} ticketId=${id} />
      <${Composer} key=${id} lang=${lang} mode=${composerMode} setMode=${setComposerMode} onSubmit=${onSubmit} taRef=${taRef} />
    </div>
    <${SidePanel} lang=${lang} ticket=${tk} agents=${agents} groups=${groups} onChange=${onField} />
  </section>`;
}
