// merge.js - the merge dialog (loaded on first use): this ticket into
// another, with a comment on each side.  POST /tickets/{target}/merge.json
// answers with a job; it is followed until done, then the target opens.
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api, get } from './api.js';
import { t as tr } from './i18n.js';
import { navigate } from './shared.js';

export function MergeDialog({ lang, ticket, onClose }) {
  const [target, setTarget] = useState('');
  const [tc, setTc] = useState(() => tr(lang, 'merge.targetText', { id: ticket.id, subject: ticket.subject }));
  const [sc, setSc] = useState(() => tr(lang, 'merge.sourceText'));
  const [pub, setPub] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const go = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const to = Number(target);
      const r = await api('POST', `tickets/${to}/merge.json`, { ids: [ticket.id], target_comment: tc, source_comment: sc, target_comment_is_public: pub, source_comment_is_public: pub });
      let st = r.job_status;
      while (st.status !== 'completed' && st.status !== 'failed') {
        await new Promise((ok) => setTimeout(ok, 200));
        st = (await get(`job_statuses/${st.id}.json`)).job_status;
      }
      if (st.status === 'failed') throw new Error(st.message || 'failed');
      onClose();
      navigate(`#/tickets/${to}`);
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  };
  return html`<div class="overlay" role="dialog" aria-modal="true" aria-labelledby="merge-title" onClick=${onClose}>
    <form class="card merge" onClick=${(e) => e.stopPropagation()} onSubmit=${go} onKeyDown=${(e) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } }}>
      <h2 id="merge-title">${tr(lang, 'merge.title', { id: ticket.id })}</h2>
      <label>${tr(lang, 'merge.into')}<input name="merge_target" type="number" min="1" required value=${target} onInput=${(e) => setTarget(e.target.value)} ref=${(i) => i && !target && i.focus()} /></label>
      <label>${tr(lang, 'merge.targetComment')}<textarea name="target_comment" rows="2" value=${tc} onInput=${(e) => setTc(e.target.value)}></textarea></label>
      <label>${tr(lang, 'merge.sourceComment')}<textarea name="source_comment" rows="2" value=${sc} onInput=${(e) => setSc(e.target.value)}></textarea></label>
      <label class="check"><input type="checkbox" checked=${pub} onChange=${(e) => setPub(e.target.checked)} /> ${tr(lang, 'merge.public')}</label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="submit"><button type="button" onClick=${onClose}>${tr(lang, 'merge.cancel')}</button><button class="primary" type="submit" disabled=${busy}>${tr(lang, 'merge.submit')}</button></div>
    </form>
  </div>`;
}
