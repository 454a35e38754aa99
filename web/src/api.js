// api.js - the workspace's only door to the server: the public REST API
// with the browser session (cookie + X-CSRF-Token on writes) and the SSE
// stream.  Errors become ApiError with the server's Zendesk-style body.
let csrf = '';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.description || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function setCsrf(token) {
  csrf = token || '';
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(`/api/v2/${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status === 204) return null;
  let j = null;
  try {
    j = await r.json();
  } catch {
    j = null;
  }
  if (!r.ok) throw new ApiError(r.status, j);
  return j;
}

export const get = (p) => api('GET', p);

// Open the event stream; onEvent(type, data) for each ticket event and each
// agent.status (an agent's availability changed), onOpen after each
// (re)connection.  Returns a function that closes it.
export function stream(onEvent, onOpen) {
  const es = new EventSource('/api/v2/sonnim/stream');
  const types = ['ticket.created', 'ticket.updated', 'comment.added', 'ticket.deleted', 'agent.status'];
  for (const t of types) es.addEventListener(t, (e) => onEvent(t, JSON.parse(e.data)));
  es.addEventListener('ready', () => onOpen && onOpen());
  return () => es.close();
}
