// rules.mjs - the rules benchmark's client (bench/rules.sh starts three
// servers: none, trig (500 triggers), sla (50 SLA policies)).
// Prints "rounds R M", then "update_us <server> <median> <per-round list>
// [<median ratio to none>]" per server, then "pass <tickets> <seconds>".
// Update cost: per round and server, M ticket updates through the API
// (16 at a time), timed until the trigger listener has run on the last
// one (a marker trigger swaps its tag bench_go for bench_seen).  The
// servers take their batches in turn within a round, the order rotating
// from round to round, so load on the machine hits every configuration
// alike; the ratio is taken per round, then the median over rounds.
import fs from 'node:fs';
const servers = ['none', 'trig', 'sla'].map((name) => ({
  name, url: process.env[`URL_${name}`], auth: process.env[`AUTH_${name}`], pid: process.env[`PID_${name}`],
  ids: [], us: [], cpu: [],
}));
// The server's CPU time so far in µs (user + system, every thread), from
// /proc/PID/stat (clock ticks of 10 ms): robust against the machine's load
// and against the event dispatcher's 500 ms tick, which the wall time of a
// batch also counts.
const TICK_US = 1e6 / Number(process.env.CLK_TCK || 100);
function cpuUs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * TICK_US;
}
const M = Number(process.env.BENCH_RULE_UPDATES || 500);
const R = Number(process.env.BENCH_RULE_ROUNDS || 7);
const N = Number(process.env.BENCH_RULE_TICKETS || 100000);
const api = async (s, p, method = 'GET', body) => {
  const r = await fetch(`${s.url}/api/v2${p}.json`, { method, headers: { Authorization: s.auth, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
  return r.json().catch(() => null);
};
const trig = (s, title, conditions, actions) => api(s, '/triggers', 'POST', { trigger: { title, conditions, actions } });
async function tickets(s, n) {
  const ids = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) =>
      api(s, '/tickets', 'POST', { ticket: { subject: `bench ${i + k}`, comment: { body: 'rules bench' } } })));
    ids.push(...batch.map((b) => b.ticket.id));
  }
  return ids;
}
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

// setup: the marker everywhere, the noise triggers, the SLA policies
for (const s of servers) {
  await trig(s, 'marker', { all: [{ field: 'current_tags', operator: 'includes', value: 'bench_go' }] },
    [{ field: 'remove_tags', value: 'bench_go' }, { field: 'current_tags', value: 'bench_seen' }]);
  s.ids = await tickets(s, M);
}
const trigS = servers[1], slaS = servers[2];
// 500 triggers that each get as far as their last condition on every
// update (the priority changed, the ticket is unsolved) and fail there (the
// subject lacks the word), so every update evaluates 1,500 conditions
for (let i = 0; i < 500; i++)
  await trig(trigS, `noise ${i}`, { all: [{ field: 'priority', operator: 'changed' },
    { field: 'status', operator: 'less_than', value: 'solved' },
    { field: 'subject', operator: 'includes_string', value: `nomatch${i}` }] },
  [{ field: 'priority', value: 'low' }]);
const metrics = (p) => ['first_reply_time', 'next_reply_time', 'requester_wait_time', 'total_resolution_time']
  .map((metric, k) => ({ priority: p, metric, target: 60 * (k + 1), business_hours: false }));
for (let i = 0; i < 50; i++) {
  // 49 that never apply (a tag no ticket has), the last applies to all
  const filter = i < 49 ? { all: [{ field: 'current_tags', operator: 'includes', value: `sla_nomatch_${i}` }], any: [] } : { all: [], any: [] };
  await api(slaS, '/slas/policies', 'POST', { sla_policy: { title: `bench ${i}`, filter, policy_metrics: [...metrics('high'), ...metrics('normal')] } });
}

async function batch(s, round) {
  const prio = round % 2 ? 'high' : 'normal'; // a real change every round
  const c0 = cpuUs(s.pid);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < s.ids.length; i += 16)
    await Promise.all(s.ids.slice(i, i + 16).map((id) => api(s, `/tickets/${id}`, 'PUT', { ticket: { priority: prio, tags: ['bench_go'] } })));
  const last = s.ids[s.ids.length - 1];
  for (;;) {
    const t = await api(s, `/tickets/${last}`);
    if (t.ticket.tags.includes('bench_seen')) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return { wall: Number(process.hrtime.bigint() - t0) / 1000 / s.ids.length,
    cpu: (cpuUs(s.pid) - c0) / s.ids.length };
}

for (const s of servers) await batch(s, 0); // warm-up, not counted
const ratios = { trig: [], sla: [] }, wallRatios = { trig: [], sla: [] };
for (let r = 1; r <= R; r++) {
  const order = servers.map((_, k) => servers[(k + r) % servers.length]);
  const got = {};
  for (const s of order) got[s.name] = await batch(s, r);
  for (const s of servers) {
    s.us.push(got[s.name].wall);
    s.cpu.push(got[s.name].cpu);
  }
  for (const k of ['trig', 'sla']) {
    ratios[k].push(got[k].cpu / got.none.cpu);
    wallRatios[k].push(got[k].wall / got.none.wall);
  }
}
console.log(`rounds ${R} ${M}`);
for (const s of servers) {
  const list = s.cpu.map((x) => x.toFixed(0)).join(',');
  const ratio = s.name === 'none' ? '' : ` ${median(ratios[s.name]).toFixed(2)}`;
  console.log(`update_us ${s.name} ${median(s.cpu).toFixed(0)} ${list}${ratio}`);
  const wratio = s.name === 'none' ? '' : ` ${median(wallRatios[s.name]).toFixed(2)}`;
  console.log(`wall_us ${s.name} ${median(s.us).toFixed(0)} ${s.us.map((x) => x.toFixed(0)).join(',')}${wratio}`);
}

const none = servers[0];
await tickets(none, N);
await api(none, '/automations', 'POST', { automation: { title: 'bench: every open ticket', conditions: { all: [
  { field: 'hours_since_created', operator: 'greater_than', value: 100000 },
  { field: 'current_tags', operator: 'not_includes', value: 'old' }] }, actions: [{ field: 'current_tags', value: 'old' }] } });
const t1 = process.hrtime.bigint();
const run = await api(none, '/sonnim/automations/run', 'POST', {});
console.log(`pass ${run.automation_run.tickets} ${(Number(process.hrtime.bigint() - t1) / 1e9).toFixed(2)}`);
