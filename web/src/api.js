// api.js - the workspace's only door to the server: the public REST API
// with the browser session (cookie + X-CSRF-Token on writes) and the SSE
// stream.  Errors become ApiError with the server's Zendesk-style body.
let csrf = '';

// the message: what each field said ({details: {field: [{description}]}}),
// else the description
function say(status, body) {
  const d = body && body.details && typeof body.details === 'object' ? Object.values(body.details).flat() : [];
  const each = d.map((x) => x && x.description).filter(Boolean);
  return each.length ? each.join('; ') : (body && (body.description || body.error)) || `HTTP ${status}`;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(say(status, body));
    this.status = status;
    this.body = body;
  }
}

export function setCsrf(token) {
  csrf = token || '';
}

// body: an object sent as JSON, or a Blob (a File) sent as its raw bytes
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const raw = body instanceof Blob;
  if (body !== undefined) headers['Content-Type'] = raw ? body.type || 'application/octet-stream' : 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(`/api/v2/${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined || raw ? body : JSON.stringify(body),
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
  // viewing/typing/read signals: for presence.js, not a reason to refetch
  es.addEventListener('signal', (e) => window.dispatchEvent(new CustomEvent('sonnim-signal', { detail: JSON.parse(e.data) })));
  return () => es.close();
}
