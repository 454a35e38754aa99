// attachments.js - files on the ticket page: a comment's attachments (image
// thumbnails that open a full-size preview, other files as links with their
// size), and the upload that the composer uses (POST /uploads.json with the
// raw bytes; one token collects every file of a comment).
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { t as tr } from './i18n.js';

export function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// the server's content_url carries its configured base URL; the workspace
// asks its own origin (same session cookie, same path)
const href = (a) => `/api/v2/attachments/${a.id}/content`;
const isImage = (a) => /^image\/(png|jpeg|gif|webp)$/.test(a.content_type || '');

export function Attachments({ lang, list }) {
  const [open, setOpen] = useState(null);
  return html`<ul class="attachments">
    ${list.map((a) => html`<li key=${a.id} data-attachment=${a.id}>
      ${isImage(a)
        ? html`<button class="thumb" title=${a.file_name} onClick=${() => setOpen(a)}><img src=${href(a)} alt=${a.file_name} loading="lazy" /></button>`
        : html`<a href=${href(a)} download=${a.file_name}>${a.file_name}</a>`}
      <span class="size">${size(a.size)}</span>
    </li>`)}
    ${open && html`<div class="overlay preview" role="dialog" aria-modal="true" aria-label=${open.file_name} onClick=${() => setOpen(null)}
        onKeyDown=${(e) => { if (e.key === 'Escape') { e.stopPropagation(); setOpen(null); } }}>
      <figure onClick=${(e) => e.stopPropagation()}>
        <img src=${href(open)} alt=${open.file_name} />
        <figcaption>${open.file_name} · ${size(open.size)} · <a href=${href(open)} download=${open.file_name}>${tr(lang, 'att.download')}</a>
          <button ref=${(b) => b && b.focus()} onClick=${() => setOpen(null)}>${tr(lang, 'help.close')}</button></figcaption>
      </figure>
    </div>`}
  </ul>`;
}

// Upload one file under its own token (so that one can be taken back
// alone: DELETE /uploads/{token}.json).  Resolves to the token.
export async function upload(file, name) {
  const r = await api('POST', `uploads.json?filename=${encodeURIComponent(name)}`, file);
  return r.upload.token;
}

export const fileName = (f) => f.name || `pasted-${Date.now()}.${(f.type.split('/')[1] || 'bin').replace(/\W/g, '')}`;
