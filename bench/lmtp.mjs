// lmtp.mjs - deliver mail to Sonnim's LMTP listener as fast as it takes it.
//
//   node bench/lmtp.mjs HOST:PORT TOTAL CONNECTIONS RCPT FILE...
//
// Cycles through the files until TOTAL messages went out over CONNECTIONS
// parallel LMTP sessions (one message at a time per session: MAIL, RCPT,
// DATA, wait for the per-recipient 250).  Each copy gets a Message-ID of its
// own (the original header is replaced), so none is dropped as a duplicate.
// Prints one JSON line: {"sent":N,"accepted":N,"seconds":S,"per_second":R,
// "p50_ms":..,"p99_ms":..} - latency from the end of DATA to the 250.
import net from 'node:net';
import fs from 'node:fs';

const [hostport, totalS, connsS, rcpt, ...files] = process.argv.slice(2);
const [host, port] = [hostport.slice(0, hostport.lastIndexOf(':')), +hostport.slice(hostport.lastIndexOf(':') + 1)];
const total = +totalS, conns = +connsS;
const bodies = files.map((f) => {
  let s = fs.readFileSync(f, 'latin1').replace(/\r?\n/g, '\r\n');
  const end = s.indexOf('\r\n\r\n');
  const head = (end < 0 ? s : s.slice(0, end)).replace(/^Message-ID:.*(\r\n[ \t].*)*\r\n/im, '');
  const body = end < 0 ? '' : s.slice(end);
  // dot-stuffing
  return { head, body: body.replace(/\r\n\./g, '\r\n..') };
});

let next = 0, accepted = 0;
const lat = [];
const t0 = process.hrtime.bigint();

function session() {
  return new Promise((resolve) => {
    const sock = net.connect(port, host);
    sock.setEncoding('latin1');
    let buf = '', waiters = [], lines = [];
    sock.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (line[3] === '-') continue;
        const w = waiters.shift();
        if (w) w(line);
        else lines.push(line); // arrived before anyone asked
      }
    });
    sock.on('error', () => resolve());
    sock.on('close', () => { for (const w of waiters.splice(0)) w(''); });
    const reply = () => new Promise((r) => (lines.length ? r(lines.shift()) : waiters.push(r)));
    (async () => {
      await reply(); // greeting
      sock.write('LHLO bench\r\n');
      await reply();
      while (next < total) {
        const n = next++;
        const m = bodies[n % bodies.length];
        sock.write(`MAIL FROM:<bench@bench.test>\r\nRCPT TO:<${rcpt}>\r\nDATA\r\n`);
        await reply(); await reply();
        const r = await reply();
        if (!r.startsWith('354')) break;
        const t = process.hrtime.bigint();
        sock.write(`Message-ID: <bench-${n}-${process.pid}@bench.test>\r\n${m.head}${m.body}\r\n.\r\n`, 'latin1');
        const done = await reply();
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (done.startsWith('250')) accepted++;
      }
      sock.write('QUIT\r\n');
      await reply();
      sock.end();
      resolve();
    })();
  });
}

await Promise.all(Array.from({ length: conns }, session));
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
lat.sort((a, b) => a - b);
const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] : 0);
console.log(JSON.stringify({ sent: next > total ? total : next, accepted, seconds: +secs.toFixed(2),
  per_second: +(accepted / secs).toFixed(1), p50_ms: +pct(0.5).toFixed(2), p99_ms: +pct(0.99).toFixed(2) }));
