// web.mjs - the agent workspace's budgets, measured in Debian's Chromium
// (playwright-core from tests/e2e/node_modules), printed, never asserted.
//
//   node bench/web.mjs        (bench/web.sh sets it up; SONNIM_BIN = release binary)
//
// Order of events: `sonnim init --demo` in a temp dir; serve on a free port
// (SONNIM_DURABLE=0: the preload is not what is measured); 8 more tickets
// with 100 comments each (PUTs from 8 clients, half public replies, half
// internal notes); then, in a fresh browser context each:
//   1. first load: a signed-in agent (cookie set through the API) opens
//      /agent/ with an empty cache: JS+CSS bytes transferred (encoded, as on
//      the wire: gzip), all bytes, and the time from navigation start to the
//      first view being interactive (its rows and counts rendered), 5 runs;
//      then the same with a warm cache (304 for index.html, assets from
//      the cache).
//   2. ticket-to-ticket: open a 100-comment ticket from the "all unsolved"
//      view, then press j / k: from the keydown to the next frame after the
//      next conversation (100 comments) is in the DOM.  "reading" waits
//      400 ms on each ticket (the neighbours are prefetched meanwhile);
//      "rapid" presses again at once.
// The server and the browser are stopped at the end, whatever happens.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'tests', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');
const BIN = path.resolve(process.env.SONNIM_BIN || path.join(ROOT, 'build', 'rel', 'sonnim'));
const CHROMIUM = process.env.SONNIM_CHROMIUM || '/usr/bin/chromium';
const RUNS = Number(process.env.BENCH_WEB_RUNS || 5);
const SWITCHES = Number(process.env.BENCH_WEB_SWITCHES || 30);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const pct = (v, p) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonnim-webbench-'));
let server = null;
let browser = null;
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SONNIM_'))) };

async function main() {
  execFileSync(BIN, ['init', '--demo', '--database', path.join(tmp, 'b.db'), '--data-dir', tmp], { cwd: tmp, env, stdio: 'ignore' });
  const admin = fs.readFileSync(path.join(tmp, 'admin.txt'), 'utf8');
  const email = /login:\s+(\S+)/.exec(admin)[1];
  const password = /password:\s+(\S+)/.exec(admin)[1];
  const token = /api token:\s+(\S+)/.exec(admin)[1];
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--database', path.join(tmp, 'b.db'), '--data-dir', tmp, '--port', String(port)], {
    cwd: tmp, env: { ...env, SONNIM_RATE_LIMIT: '0', SONNIM_DURABLE: '0', SONNIM_LOG_LEVEL: '2' }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not yet */ }
    if (i > 400) throw new Error('the server did not start');
    await sleep(25);
  }
  const auth = { Authorization: 'Basic ' + Buffer.from(`${email}/token:${token}`).toString('base64'), 'Content-Type': 'application/json' };
  const api = async (method, p, body) => {
    const r = await fetch(`${url}/api/v2/${p}`, { method, headers: auth, body: body && JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${await r.text()}`);
    return r.json();
  };

  // 8 tickets with 100 comments each
  const ids = [];
  for (let i = 0; i < 8; i++) {
    const t = await api('POST', 'tickets.json', { ticket: { subject: `긴 대화 ${i + 1} — a long conversation`, comment: { body: '첫 메시지입니다. The first message.' }, priority: 'normal' } });
    ids.push(t.ticket.id);
  }
  const t0 = Date.now();
  await Promise.all(ids.map(async (id) => {
    for (let c = 1; c < 100; c++) {
      await api('PUT', `tickets/${id}.json`, { ticket: { comment: { body: `댓글 ${c}번입니다. Comment number ${c}: the customer's order 2026-${1000 + c} has not arrived; we are checking with the courier and will write again tomorrow.`, public: c % 2 === 0 } } });
    }
  }));
  console.log(`setup: 8 tickets x 100 comments in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage', '--disable-component-update', '--no-first-run'] });

  // 1. first load, cold and warm
  const cold = [];
  const warm = [];
  let bytes = null;
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const r = await context.request.post(`${url}/api/v2/sonnim/session.json`, { data: { email, password } });
    if (!r.ok()) throw new Error(`sign-in: ${r.status()}`);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const types = new Map();
    let total = 0;
    let jscss = 0;
    cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
    cdp.on('Network.loadingFinished', (e) => {
      total += e.encodedDataLength;
      if (['Script', 'Stylesheet'].includes(types.get(e.requestId))) jscss += e.encodedDataLength;
    });
    const interactive = async () => {
      await page.waitForFunction(() => document.querySelector('.list tbody tr') && /^\d+$/.test((document.querySelector('[data-count=mine]') || {}).textContent || ''), null, { polling: 'raf' });
      return page.evaluate(() => performance.now());
    };
    await page.goto(`${url}/agent/#/views/unsolved`);
    cold.push(await interactive());
    await sleep(300);
    if (run === 0) bytes = { jscss, total };
    await page.goto('about:blank');
    await page.goto(`${url}/agent/#/views/unsolved`);
    warm.push(await interactive());
    await context.close();
  }
  console.log(`first load, empty cache: JS+CSS ${kb(bytes.jscss)} transferred (gzip), all ${kb(bytes.total)} (HTML, JS, CSS, API answers)`);
  console.log(`navigation -> first view interactive: empty cache median ${median(cold).toFixed(0)} ms (min ${Math.min(...cold).toFixed(0)}, max ${Math.max(...cold).toFixed(0)}), warm cache median ${median(warm).toFixed(0)} ms, ${RUNS} runs`);

  // 2. ticket to ticket
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.request.post(`${url}/api/v2/sonnim/session.json`, { data: { email, password } });
  const page = await context.newPage();
  await page.goto(`${url}/agent/#/views/unsolved`);
  await page.locator('.list tbody tr').first().waitFor();
  const top = Number(await page.locator('.list tbody tr').first().getAttribute('data-ticket'));
  if (!ids.includes(top)) throw new Error(`the view does not start with a long ticket (#${top})`);
  await page.click(`.list tbody tr[data-ticket="${top}"] a`);
  await page.locator(`.conversation[data-ticket="${top}"][data-comments="100"]`).waitFor();
  // one switch measured inside the page: keydown -> the next conversation
  // with 100 comments in the DOM -> the next animation frame (painted)
  const switchOnce = (key) => page.evaluate((k) => new Promise((resolve, reject) => {
    const from = document.querySelector('.conversation').dataset.ticket;
    const t0 = performance.now();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
    const check = () => {
      const c = document.querySelector('.conversation');
      if (c && c.dataset.ticket !== from && c.dataset.comments === '100') {
        requestAnimationFrame(() => resolve(performance.now() - t0));
      } else if (performance.now() - t0 > 5000) {
        reject(new Error(`no switch from ticket ${from} on '${k}'`));
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  }), key);
  const results = {};
  // the 8 long tickets are the newest, so the first 8 rows of the view; we
  // start on the first and walk down 6 and back up, over and over
  let dir = 'j';
  let pos = 0;
  for (const [mode, dwell] of [['reading (400 ms on each ticket)', 400], ['rapid (no pause)', 0]]) {
    const v = [];
    for (let i = 0; i < SWITCHES; i++) {
      if (pos === 6) dir = 'k';
      if (pos === 0) dir = 'j';
      v.push(await switchOnce(dir));
      pos += dir === 'j' ? 1 : -1;
      if (dwell) await sleep(dwell);
    }
    results[mode] = v;
    console.log(`ticket -> ticket (100 comments), ${mode}: median ${median(v).toFixed(1)} ms, p95 ${pct(v, 0.95).toFixed(1)} ms, max ${Math.max(...v).toFixed(1)} ms over ${v.length} switches`);
  }
  const typical = median(results['reading (400 ms on each ticket)']);
  console.log(`target: ticket switch < 50 ms: median ${typical.toFixed(1)} ms ${typical < 50 ? 'met' : 'NOT met'}`);
  await context.close();
}

try {
  await main();
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => { if (server.exitCode !== null) r(); else server.on('exit', r); });
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
