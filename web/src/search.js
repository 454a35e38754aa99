// search.js - search as you type (the pages a user or organization result
// opens are people.js).
//
// SearchBox: the header's box (`/` focuses it).  Typing waits 200 ms of
// quiet, then asks GET search.json with the API's query language as typed
// (plain words, "status:open", "type:user jane", "requester:minsu"...) and
// shows the hits grouped by kind (tickets, users, organizations).  Arrow
// keys move, Enter opens, Esc closes; an answer that arrives after a newer
// query started is dropped.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';
import { get } from './api.js';
import { t as tr } from './i18n.js';
import { enc, navigate } from './shared.js';

const KINDS = ['ticket', 'user', 'organization'];
const hrefOf = (x) => (x.result_type === 'ticket' ? `#/tickets/${x.id}` : x.result_type === 'user' ? `#/users/${x.id}` : `#/organizations/${x.id}`);
const labelOf = (x) => (x.result_type === 'ticket' ? `#${x.id} ${x.subject || ''}` : x.name || `#${x.id}`);

export function SearchBox({ lang, inputRef }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState(null);
  const [sel, setSel] = useState(0);
  const [open, setOpen] = useState(false);
  const seq = useRef(0);
  useEffect(() => {
    const query = q.trim();
    if (!query) {
      setHits(null);
      return undefined;
    }
    const mine = ++seq.current;
    const timer = setTimeout(async () => {
      try {
        const r = await get(`search.json?query=${enc(query)}&per_page=30`);
        if (mine !== seq.current) return;
        // group by kind, in a fixed order; keyboard order is the same
        const grouped = KINDS.flatMap((k) => r.results.filter((x) => x.result_type === k).slice(0, 8));
        setHits(grouped);
        setSel(0);
        setOpen(true);
      } catch {
        if (mine === seq.current) setHits([]);
      }
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);
  const go = (x) => {
    setOpen(false);
    setQ('');
    if (inputRef.current) inputRef.current.blur();
    navigate(hrefOf(x));
  };
  const onKey = (e) => {
    if (e.key === 'Escape') {
      setOpen(false);
      e.target.blur();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!hits || !hits.length) return;
      setSel((s) => Math.max(0, Math.min(hits.length - 1, s + (e.key === 'ArrowDown' ? 1 : -1))));
      e.preventDefault();
    } else if (e.key === 'Enter' && hits && hits[sel]) {
      go(hits[sel]);
      e.preventDefault();
    }
  };
  let lastKind = '';
  return html`<div class="search" role="search">
    <input ref=${inputRef} type="search" name="search" placeholder=${tr(lang, 'search.placeholder')} aria-label=${tr(lang, 'search.label')}
      value=${q} onInput=${(e) => { setQ(e.target.value); setOpen(true); }} onKeyDown=${onKey}
      onFocus=${() => setOpen(true)} onBlur=${() => setTimeout(() => setOpen(false), 150)}
      role="combobox" aria-expanded=${open && !!hits} aria-controls="search-results" autocomplete="off" />
    ${open && hits && html`<ul id="search-results" class="search-results" role="listbox">
      ${!hits.length && html`<li class="empty">${tr(lang, 'search.none')}</li>`}
      ${hits.map((x, i) => {
        const head = x.result_type !== lastKind;
        lastKind = x.result_type;
        return html`${head && html`<li class="kind-head" role="presentation">${tr(lang, `search.${x.result_type}`)}</li>`}
          <li key=${`${x.result_type}${x.id}`} role="option" aria-selected=${i === sel} class=${i === sel ? 'hit selected' : 'hit'}
            data-result=${`${x.result_type}:${x.id}`} onMouseDown=${(e) => { e.preventDefault(); go(x); }}>
            <span>${labelOf(x)}</span>
            ${x.result_type === 'user' && x.email && html`<span class="muted">${x.email}</span>`}
            ${x.result_type === 'ticket' && html`<span class="muted">${tr(lang, `status.${x.status}`)}</span>`}
          </li>`;
      })}
    </ul>`}
  </div>`;
}
