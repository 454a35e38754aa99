// presence.js - who else is on this ticket, live: other agents viewing or
// typing (a collision warning before two people answer the same customer)
// and, on a messaging ticket, the customer typing or having seen the
// latest reply.
//
// One mechanism for both sides: this component POSTs
// /api/v2/sonnim/tickets/{id}/signals {"kind": "viewing"|"typing"|"left"}
// (viewing on open and every VIEW_MS, typing at most every TYPE_MS while
// the ticket's composer gets input, left on close); the server writes each
// as a "signal.*" event through the same outbox as every change, and the
// SSE stream hands other agents' and the visitor's signals back as event
// "signal", which api.js re-dispatches as a window "sonnim-signal" event.
// Entries fade when not refreshed (viewing after STALE_MS, typing after
// TYPING_MS).
import { useState, useEffect } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { t as tr } from './i18n.js';

const VIEW_MS = 20000;
const TYPE_MS = 3000;
const STALE_MS = 45000;
const TYPING_MS = 8000;

const send = (id, kind) => api('POST', `sonnim/tickets/${id}/signals`, { kind }).catch(() => {});

export function Presence({ lang, ticketId }) {
  const [who, setWho] = useState({}); // actor_id -> {name, role, kind, at}
  const [, tick] = useState(0);
  useEffect(() => {
    setWho({});
    send(ticketId, 'viewing');
    const again = setInterval(() => send(ticketId, 'viewing'), VIEW_MS);
    const fade = setInterval(() => tick((x) => x + 1), 2000);
    let lastTyping = 0;
    const onInput = (e) => {
      const sec = e.target.closest && e.target.closest('section.ticket');
      if (!sec || Number(sec.dataset.ticketId) !== ticketId || e.target.tagName !== 'TEXTAREA') return;
      const now = Date.now();
      if (now - lastTyping > TYPE_MS) {
        lastTyping = now;
        send(ticketId, 'typing');
      }
    };
    const onSignal = (e) => {
      const d = e.detail;
      if (!d || d.ticket_id !== ticketId || !d.signal) return;
      setWho((w) => {
        const next = { ...w };
        if (d.signal.kind === 'left' && d.signal.role === 'agent') delete next[d.actor_id];
        else next[d.actor_id] = { ...d.signal, at: Date.now() };
        return next;
      });
    };
    document.addEventListener('input', onInput);
    window.addEventListener('sonnim-signal', onSignal);
    return () => {
      clearInterval(again);
      clearInterval(fade);
      document.removeEventListener('input', onInput);
      window.removeEventListener('sonnim-signal', onSignal);
      send(ticketId, 'left');
    };
  }, [ticketId]);
  const now = Date.now();
  const lines = [];
  for (const [id, s] of Object.entries(who)) {
    const age = now - s.at;
    const name = s.name || tr(lang, 'presence.someone');
    if (s.role === 'visitor') {
      if (s.kind === 'typing' && age < TYPING_MS) lines.push([id, 'typing', tr(lang, 'presence.customerTyping', { name })]);
      else if (s.kind === 'read') lines.push([id, 'read', tr(lang, 'presence.customerSeen')]);
    } else if (s.kind === 'typing' && age < TYPING_MS) {
      lines.push([id, 'collision', tr(lang, 'presence.agentTyping', { name })]);
    } else if (age < STALE_MS) {
      lines.push([id, 'viewing', tr(lang, 'presence.agentViewing', { name })]);
    }
  }
  if (!lines.length) return null;
  return html`<div class="presence" role="status" aria-live="polite">
    ${lines.map(([id, kind, text]) => html`<p key=${id} class=${`presence-${kind}`} data-presence=${kind}>${text}</p>`)}
  </div>`;
}
