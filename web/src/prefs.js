// prefs.js - the agent's preferences, kept in localStorage under sonnim.*
// (theme, language, density, default view: the dialog is prefsdialog.js),
// and availability: the dot shown next to agents and the header's picker
// (online / away / offline, PUT sonnim/agents/me/status.json, which the
// team hears on its streams).
import { html } from './html.js';
import { t as tr } from './i18n.js';

export const STATUS_NAMES = ['online', 'away', 'offline'];

export function loadPref(name, fallback) {
  const v = localStorage.getItem(`sonnim.${name}`);
  return v === null ? fallback : v;
}

export function savePref(name, value) {
  localStorage.setItem(`sonnim.${name}`, value);
}

export function StatusDot({ lang, status }) {
  const s = status || 'offline';
  return html`<span class=${`dot st-${s}`} data-status=${s} title=${tr(lang, `agent.${s}`)} aria-label=${tr(lang, `agent.${s}`)}></span>`;
}

export function StatusPicker({ lang, status, onChange }) {
  return html`<label class="status-picker" title=${tr(lang, 'agent.mine')}>
    <${StatusDot} lang=${lang} status=${status} />
    <select data-action="status" aria-label=${tr(lang, 'agent.mine')} value=${status || 'offline'} onChange=${(e) => onChange(e.target.value)}>
      ${STATUS_NAMES.map((s) => html`<option key=${s} value=${s}>${tr(lang, `agent.${s}`)}</option>`)}
    </select>
  </label>`;
}
