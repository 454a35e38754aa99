// rules.mjs - the rules benchmark's client (bench/rules.sh starts the server).
// Prints "update_us <none> <with> <ratio>" and "pass <tickets> <seconds>".
// Update cost: M ticket updates through the API, timed until the trigger
// listener has run on the last one (a marker trigger tags it), once with
// only the marker and once with 500 more active triggers that do not match.
const [url, auth] = [process.env.URL, process.env.BENCH_AUTH];
const M = Number(process.env.BENCH_RULE_UPDATES || 200);
const N = Number(process.env.BENCH_RULE_TICKETS || 2000);
const h = { Authorization: auth, 'Content-Type': 'application/json' };
const api = async (p, method = 'GET', body) => {
  const r = await fetch(`${url}/api/v2${p}.json`, { method, headers: h, body: body && JSON.stringify(body) });
  return r.json().catch(() => null);
};
const trig = (title, conditions, actions) => api('/triggers', 'POST', { trigger: { title, conditions, actions } });
async function tickets(n) {
  const ids = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) =>
      api('/tickets', 'POST', { ticket: { subject: `bench ${i + k}`, comment: { body: 'rules bench' } } })));
    ids.push(...batch.map((b) => b.ticket.id));
  }
  return ids;
}
async function phase(tag) {
  const ids = await tickets(M);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ids.length; i += 16)
    await Promise.all(ids.slice(i, i + 16).map((id) => api(`/tickets/${id}`, 'PUT', { ticket: { priority: 'high', tags: [tag] } })));
  const last = ids[ids.length - 1];
  for (;;) {
    const t = await api(`/tickets/${last}`);
    if (t.ticket.tags.includes(`${tag}_seen`)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return Number(process.hrtime.bigint() - t0) / 1000 / ids.length;
}
const marker = (tag) => trig(`marker ${tag}`, { all: [{ field: 'current_tags', operator: 'includes', value: tag }] },
  [{ field: 'current_tags', value: `${tag}_seen` }]);
await marker('none');
const none = await phase('none');
for (let i = 0; i < 500; i++)
  await trig(`noise ${i}`, { all: [{ field: 'status', operator: 'is', value: 'hold' },
    { field: 'subject', operator: 'includes_string', value: `nomatch${i}` }],
  any: [{ field: 'priority', operator: 'changed' }] }, [{ field: 'priority', value: 'low' }]);
await marker('many');
const many = await phase('many');
console.log(`update_us ${none.toFixed(0)} ${many.toFixed(0)} ${(many / none).toFixed(2)}`);
await tickets(N);
await api('/automations', 'POST', { automation: { title: 'bench: every open ticket', conditions: { all: [
  { field: 'hours_since_created', operator: 'greater_than', value: 100000 },
  { field: 'current_tags', operator: 'not_includes', value: 'old' }] }, actions: [{ field: 'current_tags', value: 'old' }] } });
const t1 = process.hrtime.bigint();
const run = await api('/sonnim/automations/run', 'POST', {});
console.log(`pass ${run.automation_run.tickets} ${(Number(process.hrtime.bigint() - t1) / 1e9).toFixed(2)}`);
