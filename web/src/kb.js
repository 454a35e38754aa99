// kb.js - the ticket side panel's knowledge box (knowledge capture):
// the help-center articles the customer read before writing
// (GET sonnim/tickets/{id}/viewed_articles), the answer bot's articles
// for the ticket's subject (POST answer_bot/answers, channel "workspace"),
// and two actions: "create article from this ticket" (a draft in the
// chosen section, its body the ticket's latest public answer: POST
// sonnim/tickets/{id}/article_draft) and "request article" (POST
// sonnim/tickets/{id}/article_requests).  Self-contained: ticket.js only
// renders <KnowledgePanel lang ticket />.
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { t as tr } from './i18n.js';

const suggested = new Map(); // ticket id -> articles (asked once per ticket and page load)
const SETTLE_MS = 300; // on a ticket this long before the panel asks the server
let sectionList = null; // the help center's sections, asked once per page load
const loadSections = () => sectionList || (sectionList = api('GET', 'help_center/sections.json?per_page=100')
  .then((r) => r.sections || []).catch(() => { sectionList = null; return []; }));

function ArticleLink({ a, meta }) {
  return html`<li><a href=${a.html_url} target="_blank" rel="noopener">${a.title}</a>${meta && html` <span class="meta">${meta}</span>`}</li>`;
}

export function KnowledgePanel({ lang, ticket }) {
  const [viewed, setViewed] = useState(null);
  const [sugg, setSugg] = useState(suggested.get(ticket.id) || null);
  const [sections, setSections] = useState([]);
  const [section, setSection] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    setViewed(null);
    setDone(null);
    setError('');
    setSugg(suggested.get(ticket.id) || null);
    // asked once the agent stays on the ticket: j/k through a view costs no
    // requests (and no answer-bot deflections) for tickets only passed by
    const timer = setTimeout(() => {
      api('GET', `sonnim/tickets/${ticket.id}/viewed_articles.json`)
        .then((r) => live && setViewed(r.viewed_articles))
        .catch(() => live && setViewed([]));
      if (!suggested.has(ticket.id) && ticket.subject) {
        api('POST', 'answer_bot/answers.json', { enquiry: ticket.subject.slice(0, 1000), limit: 3, deflection_channel: 'workspace' })
          .then((r) => { suggested.set(ticket.id, r.articles || []); if (live) setSugg(r.articles || []); })
          .catch(() => live && setSugg([]));
      } else {
        setSugg(suggested.get(ticket.id) || []);
      }
      loadSections().then((list) => { if (live) { setSections(list); if (list[0]) setSection((v) => v || String(list[0].id)); } });
    }, SETTLE_MS);
    return () => { live = false; clearTimeout(timer); };
  }, [ticket.id]);

  const act = async (what) => {
    setBusy(true);
    setError('');
    try {
      if (what === 'draft') {
        const r = await api('POST', `sonnim/tickets/${ticket.id}/article_draft.json`, { article: { section_id: Number(section) } });
        setDone({ text: tr(lang, 'kb.drafted'), url: r.article.html_url });
      } else {
        await api('POST', `sonnim/tickets/${ticket.id}/article_requests.json`, { article_request: note ? { note } : {} });
        setDone({ text: tr(lang, 'kb.requested') });
        setNote('');
      }
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="kb-panel" aria-label=${tr(lang, 'kb.title')}>
    <div class="label">${tr(lang, 'kb.viewed')}</div>
    ${viewed === null ? html`<p class="meta" aria-busy="true">…</p>`
      : viewed.length ? html`<ul class="kb-viewed">${viewed.map((a) => html`<${ArticleLink} key=${a.id} a=${a} meta=${a.before_ticket ? '' : tr(lang, 'kb.after')} />`)}</ul>`
      : html`<p class="meta">${tr(lang, 'kb.viewed.none')}</p>`}
    <div class="label">${tr(lang, 'kb.suggested')}</div>
    ${sugg === null ? html`<p class="meta" aria-busy="true">…</p>`
      : sugg.length ? html`<ul class="kb-suggested">${sugg.map((a) => html`<${ArticleLink} key=${a.article_id} a=${a} />`)}</ul>`
      : html`<p class="meta">${tr(lang, 'kb.suggested.none')}</p>`}
    <div class="kb-actions">
      <label class="field"><span>${tr(lang, 'kb.section')}</span>
        <select name="kb-section" value=${section} onChange=${(e) => setSection(e.target.value)}>
          ${sections.map((s) => html`<option key=${s.id} value=${String(s.id)}>${s.name}</option>`)}
        </select>
      </label>
      <button class="kb-draft" disabled=${busy || !section} onClick=${() => act('draft')}>${tr(lang, 'kb.draft')}</button>
      <input name="kb-note" value=${note} placeholder=${tr(lang, 'kb.note')} onInput=${(e) => setNote(e.target.value)} />
      <button class="kb-request" disabled=${busy} onClick=${() => act('request')}>${tr(lang, 'kb.request')}</button>
    </div>
    ${done && html`<p class="kb-done" role="status">${done.text}${done.url && html` <a href=${done.url} target="_blank" rel="noopener">${tr(lang, 'kb.open')}</a>`}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </section>`;
}
