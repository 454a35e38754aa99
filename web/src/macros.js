// macros.js - the macro picker (loaded on first use; m on the ticket
// page): type to filter, arrows to choose, Enter to apply.  Applying asks
// GET /tickets/{id}/macros/{id}/apply.json, which saves nothing; the
// composer turns its result into a draft the agent then submits.
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { get } from './api.js';
import { t as tr } from './i18n.js';

let macros = null;
export function MacroPicker({ lang, ticketId, onApply, onClose }) {
  const [list, setList] = useState(macros || []);
  const [q, setQ] = useState('');
  const [i, setI] = useState(0);
  const [error, setError] = useState('');
  useEffect(() => {
    get('macros/active.json?per_page=100').then((r) => { macros = r.macros; setList(r.macros); }).catch((e) => setError(e.message));
  }, []);
  const s = q.toLowerCase();
  const hits = list.filter((m) => m.title.toLowerCase().includes(s));
  const apply = async (m) => {
    if (!m) return;
    try {
      const r = await get(`tickets/${ticketId}/macros/${m.id}/apply.json`);
      onApply(m, r.result);
    } catch (e) {
      setError(e.message);
    }
  };
  const onKey = (e) => {
    if (e.key === 'ArrowDown') setI(Math.min(i + 1, hits.length - 1));
    else if (e.key === 'ArrowUp') setI(Math.max(i - 1, 0));
    else if (e.key === 'Enter') apply(hits[i]);
    else if (e.key === 'Escape') onClose();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return html`<div class="overlay" role="dialog" aria-modal="true" aria-labelledby="macro-title" onClick=${onClose}>
    <div class="card macros" onClick=${(e) => e.stopPropagation()}>
      <h2 id="macro-title">${tr(lang, 'macro.title')}</h2>
      <input name="macro_filter" autofocus ref=${(x) => x && x.focus()} value=${q} placeholder=${tr(lang, 'macro.filter')} autocomplete="off"
        onInput=${(e) => { setQ(e.target.value); setI(0); }} onKeyDown=${onKey} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <ul role="listbox">${hits.map((m, k) => html`<li key=${m.id} role="option" aria-selected=${k === i} class=${k === i ? 'on' : ''} data-macro=${m.id}
        onClick=${() => apply(m)}>${m.title}${m.description && html`<small>${m.description}</small>`}</li>`)}</ul>
      ${!hits.length && html`<p class="empty">${tr(lang, 'macro.none')}</p>`}
    </div>
  </div>`;
}

