// all.mjs - the whole API suite in one process against one server (see
// lib/harness.mjs): run.sh runs this once per engine.  The files run in this
// order; zz-durability.test.mjs is last because it kills, restarts and
// finally stops the server.  Each *.test.mjs also runs on its own
// (`node --test tests/api/tickets.test.mjs` starts a server for it).
const files = [
  './system.test.mjs',
  './tickets.test.mjs',
  './people.test.mjs',
  './fields.test.mjs',
  './search.test.mjs',
  './helpcenter.test.mjs',
  './hcpages.test.mjs',
  './webhooks.test.mjs',
  './sla.test.mjs',
  './pagination.test.mjs',
  './errors.test.mjs',
  './auth.test.mjs',
  './rules.test.mjs',
  './macros.test.mjs',
  './views.test.mjs',
  './satisfaction.test.mjs',
  './answerbot.test.mjs',
  './portal.test.mjs',
  './community.test.mjs',
  './flows.test.mjs',
  './knowledge.test.mjs',
  './ticketforms.test.mjs',
  './stream.test.mjs',
  './proactive.test.mjs',
  './messenger.test.mjs',
  './permissions.test.mjs',
  './zz-durability.test.mjs',
];
const only = process.env.SONNIM_API_ONLY ? process.env.SONNIM_API_ONLY.split(',') : null;
for (const f of files) {
  if (only && !only.some((o) => f.includes(o))) continue;
  await import(f);
}
