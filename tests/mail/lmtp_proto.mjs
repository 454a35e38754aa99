// lmtp_proto.mjs - Sonnim's LMTP listener spoken to directly, for what a
// well-behaved Postfix never sends: commands out of order, unknown
// recipients, a pipelined session, a message over max_mail, an over-long
// line, a dot-stuffed body, a client that hangs up mid-DATA.
//
//   node tests/mail/lmtp_proto.mjs HOST:PORT
//
// Prints "ok   NAME" / "FAIL NAME: why" per check and exits 1 on a failure.
import net from 'node:net';

const [hp] = process.argv.slice(2);
const host = hp.slice(0, hp.lastIndexOf(':')), port = +hp.slice(hp.lastIndexOf(':') + 1);
let failed = 0;

// talk(script): send the lines, collect complete replies (multi-line ones
// joined) until `want` replies arrived or the server closed.
function talk(send, want, { timeout = 10000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    let buf = '', replies = [], cur = [];
    const done = () => { clearTimeout(t); s.destroy(); resolve(replies); };
    const t = setTimeout(done, timeout);
    s.setEncoding('latin1');
    s.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        cur.push(line);
        if (line[3] !== '-') { replies.push(cur.join('\n')); cur = []; }
        if (replies.length >= want) return done();
      }
    });
    s.on('close', done);
    s.on('error', done);
    s.write(send);
  });
}

function check(name, cond, why) {
  if (cond) console.log(`ok   ${name}`);
  else { failed++; console.log(`FAIL ${name}: ${why}`); }
}

const code = (r) => (r || '').slice(0, 3);

let r = await talk('MAIL FROM:<a@b.test>\r\n', 2);
check('MAIL before LHLO is refused', code(r[1]) === '503', r[1]);

r = await talk('LHLO t\r\nRCPT TO:<support@support.test>\r\n', 3);
check('RCPT before MAIL is refused', code(r[2]) === '503', r[2]);

r = await talk('LHLO t\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<nobody@elsewhere.test>\r\n', 4);
check('an address that is not a support address gets 550', code(r[3]) === '550', r[3]);

r = await talk('LHLO t\r\nMAIL FROM:<a@b.test>\r\nDATA\r\n', 4);
check('DATA without a recipient is refused', code(r[3]) === '503', r[3]);

r = await talk('LHLO t\r\nMAIL FROM:a@b.test\r\n', 3);
check('a path without <> is a syntax error', code(r[2]) === '501', r[2]);

r = await talk('LHLO t\r\nMAIL FROM:<a@b.test> SIZE=999999999999\r\n', 3);
check('a declared SIZE over max_mail gets 552', code(r[2]) === '552', r[2]);

r = await talk(`LHLO t\r\nNOOP\r\n${'X'.repeat(10000)}\r\nRSET\r\nQUIT\r\n`, 6);
check('an over-long line is refused and the session goes on', code(r[3]) === '500' && code(r[4]) === '250' && code(r[5]) === '221', r.join(' | '));

r = await talk('LHLO t\r\nFOO\r\nVRFY x\r\n', 4);
check('unknown commands get 502, VRFY 252', code(r[2]) === '502' && code(r[3]) === '252', r.join(' | '));

// pipelined: the whole transaction in one write, two recipients, dot-stuffed
const msg = 'From: pipe@customer.test\r\nTo: support@support.test\r\nSubject: pipelined\r\n' +
  'Message-ID: <pipe-1@customer.test>\r\n\r\n..leading dot\r\nend\r\n.\r\n';
r = await talk('LHLO t\r\nMAIL FROM:<pipe@customer.test>\r\nRCPT TO:<support@support.test>\r\n' +
  'RCPT TO:<support+x@support.test>\r\nDATA\r\n' + msg + 'QUIT\r\n', 9);
check('LHLO lists PIPELINING and SIZE', /PIPELINING/.test(r[1]) && /SIZE \d+/.test(r[1]), r[1]);
check('pipelined transaction: one 250 per recipient after DATA',
  code(r[5]) === '354' && code(r[6]) === '250' && code(r[7]) === '250' && code(r[8]) === '221', r.join(' | '));

// a message bigger than max_mail (the suite runs with max_mail = 2 MB):
// read to its end, then refused per recipient; the session goes on
const big = 'From: big@customer.test\r\nSubject: big\r\n\r\n' + ('x'.repeat(999) + '\r\n').repeat(3000) + '.\r\n';
r = await talk('LHLO t\r\nMAIL FROM:<big@customer.test>\r\nRCPT TO:<support@support.test>\r\nDATA\r\n' + big + 'NOOP\r\n', 7, { timeout: 30000 });
check('a message over max_mail gets 552 and the session goes on', code(r[5]) === '552' && code(r[6]) === '250', r.join(' | '));

// a client that hangs up in the middle of DATA: nothing is stored, no crash
await new Promise((resolve) => {
  const s = net.connect(port, host, () => {
    s.write('LHLO t\r\nMAIL FROM:<cut@customer.test>\r\nRCPT TO:<support@support.test>\r\nDATA\r\nSubject: cut\r\n\r\nhalf');
    setTimeout(() => { s.destroy(); resolve(); }, 300);
  });
  s.on('error', resolve);
});
r = await talk('LHLO t\r\nNOOP\r\n', 3);
check('the listener still answers after a client hung up mid-DATA', code(r[2]) === '250', r.join(' | '));

process.exit(failed ? 1 : 0);
