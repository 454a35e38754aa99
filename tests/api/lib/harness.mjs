// harness.mjs - one real `sonnim` server per process, and node-zendesk
// clients for the people in it.
//
// Order of events (the first call to env() does all of this; later calls in
// the same process get the same server):
//   1. make a work directory (SONNIM_API_WORKDIR, else a mktemp dir)
//   2. `sonnim init --demo` on SONNIM_API_DATABASE (a PostgreSQL conninfo)
//      or on WORKDIR/sonnim.db, and read WORKDIR/admin.txt
//   3. `sonnim user add` / `sonnim user token` for the extra people below
//   4. `sonnim serve` on a free port with a high rate limit; its stdout and
//      stderr go to WORKDIR/server.log (appended across restarts)
//   5. poll /healthz until it answers
// When the process ends, any server still running is SIGKILLed (the last
// test stops the main one with SIGTERM and checks its exit status, see
// zz-durability.test.mjs).
//
// Clients: client(name, {auth}) builds a node-zendesk v6 client pointed at
// the server with `endpointUri`, authenticated as that person with an API
// token (`email/token:TOKEN`, node-zendesk's `username` + `token`), a
// password (`username` + `password`) or an OAuth bearer token (`token` +
// `oauth: true`).  The only thing we change in node-zendesk is its
// documented transport hook (`transportConfig`): the request still goes out
// through node-zendesk's own fetch (cross-fetch), and the response adapter
// keeps the raw JSON body and the headers on the response object so that
// tests can look at what node-zendesk strips (audit, next_page, meta,
// X-Rate-Limit...).  call() turns node-zendesk's mix of return values and
// exceptions into one {status, body, result, headers} record.
//
// Environment: SONNIM_BIN (the binary, default build/asan/sonnim relative to
// the repository), SONNIM_API_ENGINE (sqlite|pg, for names only),
// SONNIM_API_DATABASE, SONNIM_API_WORKDIR, SONNIM_API_KEEP=1 (keep a mktemp
// work directory for a look at the database and the log afterwards).
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zendesk from 'node-zendesk';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..', '..');
const require = createRequire(import.meta.url);
// node-zendesk's own transport (cross-fetch), so uploads of Node streams work
// exactly as they do for node-zendesk's users.
const nzRequire = createRequire(require.resolve('node-zendesk'));
const crossFetch = nzRequire('cross-fetch').fetch;

// The extra people the suite needs besides the demo workspace.
const PASSWORD = 'Sonnim-테스트-pw-1';
const PEOPLE = [
  { name: 'agent', email: 'agent1@sonnim.test', role: 'agent', display: '상담원 하나 Agent One' },
  { name: 'agent2', email: 'agent2@sonnim.test', role: 'agent', display: 'Agent Two' },
  { name: 'enduser', email: 'customer1@sonnim.test', role: 'end-user', display: '고객 하나' },
  { name: 'enduser2', email: 'customer2@sonnim.test', role: 'end-user', display: 'Customer Two' },
  { name: 'limited', email: 'ratelimit@sonnim.test', role: 'agent', display: 'Rate Limited' },
  { name: 'admin2', email: 'admin2@sonnim.test', role: 'admin', display: '관리자 둘' },
];
// Demo people who get API tokens too.
const DEMO = [
  { name: 'jiwon', email: 'jiwon@sonnim.example', role: 'agent' },
  { name: 'minsu', email: 'minsu@hanbit.example', role: 'end-user' },
  { name: 'jane', email: 'jane@acme.example', role: 'end-user' },
];

let envPromise = null;
let state = null;
const children = new Set();

export function env() {
  if (!envPromise) envPromise = setup();
  return envPromise;
}

function bin() {
  const b = process.env.SONNIM_BIN || path.join(process.env.BUILD || 'build', 'asan', 'sonnim');
  return path.isAbsolute(b) ? b : path.join(ROOT, b);
}

// The server's environment: nothing from the caller's SONNIM_* settings
// except what we set, so a developer's sonnim.conf or env cannot leak in.
function serverEnv(extra) {
  const e = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SONNIM_')) e[k] = v;
  e.ASAN_OPTIONS ??= 'detect_leaks=1:abort_on_error=0';
  e.UBSAN_OPTIONS ??= 'print_stacktrace=1:halt_on_error=1';
  return { ...e, ...extra };
}

function cli(args, workdir) {
  return execFileSync(bin(), args, {
    cwd: workdir,
    env: serverEnv({}),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A running `sonnim serve`: the child, its port, and how it ended.
class Server {
  constructor({ workdir, database, port, rateLimit, role, logName, extraEnv }) {
    Object.assign(this, { workdir, database, port, rateLimit, role: role || 'all', extraEnv: extraEnv || {} });
    this.url = `http://127.0.0.1:${port}`;
    this.log = path.join(workdir, logName || 'server.log');
    this.proc = null;
    this.exit = null;
  }

  async start() {
    const fd = fs.openSync(this.log, 'a');
    fs.writeSync(fd, `\n==== harness: sonnim serve --port ${this.port} (${new Date().toISOString()})\n`);
    const args = ['serve', '--database', this.database, '--data-dir', this.workdir,
      '--port', String(this.port), '--role', this.role];
    const proc = spawn(bin(), args, {
      cwd: this.workdir,
      env: serverEnv({
        SONNIM_RATE_LIMIT: String(this.rateLimit),
        SONNIM_BASE_URL: this.url,
        // the suites start more messenger conversations from 127.0.0.1 a
        // minute than one visitor would (the default is 10)
        SONNIM_MESSENGER_IP_LIMIT: '200',
        ...this.extraEnv,
      }),
      stdio: ['ignore', fd, fd],
    });
    fs.closeSync(fd);
    proc.unref();
    this.proc = proc;
    this.exit = null;
    children.add(proc);
    proc.exitPromise = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        children.delete(proc);
        if (this.proc === proc) this.exit = { code, signal };
        if (!proc.expectedExit) {
          // a crash: say so at once, every later test will fail to connect
          process.stderr.write(`\n#### sonnim serve (port ${this.port}) died unexpectedly: code=${code} signal=${signal}\n` +
            `#### last lines of ${this.log}:\n${this.tail(80)}\n`);
        }
        resolve({ code, signal });
      });
    });
    const t0 = Date.now();
    for (;;) {
      if (this.exit) throw new Error(`sonnim serve exited early ${JSON.stringify(this.exit)}\n${this.tail()}`);
      try {
        // plain fetch: /healthz is outside /api/v2, node-zendesk cannot reach it
        const r = await fetch(`${this.url}/healthz`);
        if (r.status === 200) break;
      } catch { /* not listening yet */ }
      if (Date.now() - t0 > 30_000) throw new Error(`sonnim serve did not answer /healthz in 30 s\n${this.tail()}`);
      await sleep(25);
    }
    this.readyMs = Date.now() - t0;
    return this;
  }

  // SIGTERM and wait (at most ms) for the exit: {code, signal} or null.
  async stop(ms = 60_000) {
    if (!this.proc || this.exit) return this.exit;
    const p = this.proc;
    p.expectedExit = true;
    p.kill('SIGTERM');
    let timer;
    const r = await Promise.race([p.exitPromise, new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), ms);
    })]);
    clearTimeout(timer);
    if (!r) {
      p.kill('SIGKILL');
      await p.exitPromise;
    }
    return r;
  }

  async kill9() {
    const p = this.proc;
    p.expectedExit = true;
    p.kill('SIGKILL');
    // the child is unref()ed: a timer keeps node waiting for its exit
    const keep = setInterval(() => {}, 1000);
    try {
      return await p.exitPromise;
    } finally {
      clearInterval(keep);
    }
  }

  tail(lines = 60) {
    try {
      const t = fs.readFileSync(this.log, 'utf8').split('\n');
      return t.slice(-lines).join('\n');
    } catch {
      return '(no server log)';
    }
  }
}

async function setup() {
  const engine = process.env.SONNIM_API_ENGINE || (process.env.SONNIM_API_DATABASE ? 'pg' : 'sqlite');
  const workdir = process.env.SONNIM_API_WORKDIR || fs.mkdtempSync(path.join(os.tmpdir(), 'sonnim-api-'));
  fs.mkdirSync(workdir, { recursive: true });
  const ownWorkdir = !process.env.SONNIM_API_WORKDIR;
  const database = process.env.SONNIM_API_DATABASE || path.join(workdir, 'sonnim.db');
  if (!fs.existsSync(bin())) throw new Error(`no sonnim binary at ${bin()} (make build/asan/sonnim, or set SONNIM_BIN)`);

  const dbArgs = ['--database', database, '--data-dir', workdir];
  cli(['init', '--demo', ...dbArgs], workdir);
  const admin = parseAdmin(fs.readFileSync(path.join(workdir, 'admin.txt'), 'utf8'));
  const people = {
    admin: { email: admin.email, password: admin.password, token: admin.token, role: 'admin' },
  };
  for (const p of PEOPLE) {
    const out = cli(['user', 'add', p.email, p.role, p.display, '--password', PASSWORD, ...dbArgs], workdir);
    const m = /user (\d+) created/.exec(out);
    people[p.name] = { email: p.email, password: PASSWORD, role: p.role, id: m ? Number(m[1]) : null,
      display: p.display };
  }
  for (const p of DEMO) people[p.name] = { email: p.email, role: p.role };
  for (const [name, p] of Object.entries(people)) {
    if (!p.token) p.token = cli(['user', 'token', p.email, 'api', ...dbArgs], workdir).trim();
    if (name !== 'limited') p.oauth = cli(['user', 'token', p.email, 'oauth', ...dbArgs], workdir).trim();
  }
  people.admin.id = 1;

  const server = new Server({ workdir, database, port: await freePort(), rateLimit: 1_000_000 });
  await server.start();
  process.stderr.write(`# sonnim-api: ${engine}, ${database}, ${server.url}, log ${server.log}\n`);
  state = { engine, workdir, database, people, server, ownWorkdir, endpoint: `${server.url}/api/v2` };
  return state;
}

function parseAdmin(text) {
  const get = (re) => {
    const m = re.exec(text);
    if (!m) throw new Error(`admin.txt has no ${re}: ${text}`);
    return m[1];
  };
  return {
    email: get(/^login:\s+(\S+)/m),
    password: get(/^password:\s+(\S+)/m),
    token: get(/^api token:\s+(\S+)/m),
  };
}

// A second server on the same database (another process, as a scale-out
// deployment would run): for the rate-limit test, with its own low limit;
// extraEnv adds settings (SONNIM_* variables) for that server only.
export async function extraServer({ rateLimit, role = 'web', extraEnv }) {
  const s = await env();
  const srv = new Server({ workdir: s.workdir, database: s.database, port: await freePort(),
    rateLimit, role, logName: 'server-extra.log', extraEnv });
  return srv.start();
}

// Cleanup when the process ends, however it ends.  Not a root-level after()
// hook: in all.mjs the files are imported one after another, and node's test
// runner may run root hooks as soon as the tests registered so far are done.
// The children are unref()ed, so a server left running does not keep node
// alive; it is killed here.
function cleanup() {
  for (const p of [...children]) {
    p.expectedExit = true;
    try {
      p.kill('SIGKILL');
    } catch { /* gone */ }
  }
  children.clear();
  if (state && state.ownWorkdir && process.env.SONNIM_API_KEEP !== '1') {
    try {
      fs.rmSync(state.workdir, { recursive: true, force: true });
    } catch { /* best effort */ }
  }
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    cleanup();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
  });
}

// ---- node-zendesk clients --------------------------------------------------

// node-zendesk's transport, with a response adapter that also keeps the raw
// body and the headers (node-zendesk's default adapter drops both).
function transport(record, { anonymous = false } = {}) {
  return {
    transportFn(uri, options) {
      if (anonymous) {
        // node-zendesk always sends credentials (it throws without them);
        // an anonymous caller is the same request without that header.
        const headers = { ...options.headers };
        delete headers.Authorization;
        options = { ...options, headers };
      }
      return crossFetch(uri, options);
    },
    responseAdapter(res) {
      const r = {
        status: res.status,
        statusText: res.statusText,
        headers: { get: (k) => res.headers.get(k), raw: () => Object.fromEntries(res.headers.entries()) },
        body: undefined,
        async json() {
          const text = await res.text();
          try {
            r.body = JSON.parse(text);
          } catch {
            r.body = { unparsable: text.slice(0, 500) };
          }
          return r.body;
        },
      };
      record.last = r;
      record.history.push(r);
      if (record.history.length > 200) record.history.shift();
      return r;
    },
  };
}

// client(who, {auth: 'token'|'password'|'oauth', query, token, email})
// who: a name from people (admin, agent, enduser, jiwon, minsu, ...) or
// 'anonymous'.  query: extra query parameters node-zendesk adds to every URL
// (its `query` option), e.g. {page: {size: 3}} or {per_page: 2}.
export function client(who, opts = {}) {
  if (!state) throw new Error('client() before env()');
  const record = { last: null, history: [] };
  const base = {
    endpointUri: opts.endpoint || state.endpoint,
    throwOriginalException: true,
    transportConfig: transport(record, { anonymous: who === 'anonymous' }),
  };
  if (opts.query) base.query = opts.query;
  if (opts.customHeaders) base.customHeaders = opts.customHeaders;
  let o;
  if (who === 'anonymous') {
    o = { ...base, username: 'anonymous@sonnim.test', token: 'none' };
  } else {
    const p = state.people[who];
    if (!p) throw new Error(`no person '${who}'`);
    const auth = opts.auth || 'token';
    if (auth === 'token') o = { ...base, username: opts.email || p.email, token: opts.token ?? p.token };
    else if (auth === 'password') o = { ...base, username: opts.email || p.email, password: opts.password ?? p.password };
    else if (auth === 'oauth') o = { ...base, token: opts.token ?? p.oauth, oauth: true };
    else throw new Error(`auth '${auth}'?`);
  }
  const c = zendesk.createClient(o);
  c.record = record;
  return c;
}

// Await a node-zendesk call and describe its outcome whatever it was:
//   status   HTTP status
//   body     the raw JSON body (before node-zendesk unwraps it)
//   result   what node-zendesk returned (unwrapped), for 2xx
//   headers  the response headers (get(name))
// node-zendesk throws for 400/401/403/404/405/409/422/429/500/503, returns an
// Error object for 204 and for 429 with Retry-After, and returns the body for
// any other status (413, 414, ...).
export async function call(c, promise) {
  if (!promise || typeof promise.then !== 'function') {
    promise = c;
    c = null;
  }
  try {
    const out = await promise;
    const res = out && out.response;
    if (res) {
      const result = out.result;
      return { status: res.status, body: res.body, result, headers: res.headers, error: result instanceof Error ? result : null };
    }
    // getAll / requestUpload return the body (or array) only
    const last = c && c.record.last;
    return { status: last ? last.status : 200, body: last ? last.body : out, result: out, headers: last ? last.headers : null };
  } catch (e) {
    if (e && typeof e.statusCode === 'number') {
      const last = c && c.record.last;
      return { status: e.statusCode, body: e.result, result: null, headers: last ? last.headers : null, error: e };
    }
    throw e;
  }
}

// A short text of an outcome for assertion messages.
export function show(r) {
  if (!r) return String(r);
  let b;
  try {
    b = JSON.stringify(r.body);
  } catch {
    b = String(r.body);
  }
  if (b && b.length > 700) b = b.slice(0, 700) + '…';
  return `HTTP ${r.status} ${b}`;
}

// ---- plain fetch, for what node-zendesk cannot express -----------------------
// Every caller says why in a comment: malformed JSON, invalid UTF-8, raw
// headers, cookies and CSRF, /healthz and /metrics, binary downloads.
// An event stream (text/event-stream) never ends: rawFetch then reads only
// its first chunk and closes the connection.
export async function rawFetch(pathOrUrl, { method = 'GET', headers = {}, body, who = 'admin', auth = 'token' } = {}) {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${state.server.url}${pathOrUrl}`;
  const h = { ...headers };
  if (who && who !== 'anonymous' && !('Authorization' in h)) {
    const p = state.people[who];
    const cred = auth === 'password' ? `${p.email}:${p.password}` : `${p.email}/token:${p.token}`;
    h.Authorization = 'Basic ' + Buffer.from(cred).toString('base64');
  }
  const ac = new AbortController();
  const res = await fetch(url, { method, headers: h, body, signal: ac.signal });
  if ((res.headers.get('content-type') || '').startsWith('text/event-stream')) {
    const reader = res.body.getReader();
    const first = await reader.read();
    ac.abort();
    return { status: res.status, headers: res.headers, text: Buffer.from(first.value || []).toString('utf8'), body: null };
  }
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, body: json };
}

export { sleep };
