// badge.js - a ticket status as a coloured badge (the list and the ticket page).
import { html } from './html.js';
import { t as tr } from './i18n.js';

export function StatusBadge({ lang, status }) {
  return html`<span class=${`status s-${status}`} title=${tr(lang, `status.${status}`)}>${tr(lang, `status.${status}`)}</span>`;
}
