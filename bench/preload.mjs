#!/usr/bin/env node
// preload.mjs - fill a running sonnim with tickets through its public API,
// as fast as the server takes them, and say how long it took.
//
//   node bench/preload.mjs --url http://127.0.0.1:PORT --count 100000
//        [--concurrency 8] [--mode many|single] [--groups 10] [--agents 10]
//        [--customers 1000]
//   env BENCH_AUTH = the Authorization header ("Basic base64(email/token:T)")
//
// Workspace first: the groups, agents and requesters of the demo tickets, plus
// new groups, agents and end-users up to --groups/--agents/--customers through
// POST /api/v2/groups.json and /api/v2/users.json (skipped if the server does
// not have those endpoints yet; then the demo's are used).
//
// mode many (what bench/run.sh uses): POST /api/v2/tickets/create_many.json
//   with 100 tickets per job, --concurrency jobs in flight, each polled at
//   /api/v2/job_statuses/ID.json until done.
// mode single: POST /api/v2/tickets.json, one ticket per request,
//   --concurrency requests in flight (the server's writer commits them in
//   groups).
//
// Tickets: Korean or English (half each), words from phrases.txt, spread over
// the groups, agents and requesters, over statuses new..solved, 40% with
// tags.  Progress goes to stderr; at the end one line goes to stdout:
//   preload created=N errors=E seconds=S per_s=R min_id=A max_id=B
//           groups=1,2,.. agents=2,3,.. requesters=N setup_seconds=S
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = { url: "http://127.0.0.1:8080", count: 100000, concurrency: 8, mode: "many",
	groups: 10, agents: 10, customers: 1000 };
for (let i = 2; i < process.argv.length; i += 2) {
	const k = process.argv[i].replace(/^--/, "");
	if (!(k in args) || i + 1 >= process.argv.length) {
		console.error(`preload: unknown or incomplete option '${process.argv[i]}'`);
		process.exit(2);
	}
	args[k] = typeof args[k] === "number" ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const auth = process.env.BENCH_AUTH;
if (!auth) {
	console.error("preload: set BENCH_AUTH to the Authorization header");
	process.exit(2);
}
const base = new URL(args.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency });

function call(method, p, body) {
	return new Promise((resolve, reject) => {
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const headers = { Authorization: auth, Accept: "application/json" };
		if (data) {
			headers["Content-Type"] = "application/json";
			headers["Content-Length"] = data.length;
		}
		const req = http.request({ host: base.hostname, port: base.port, method, path: p, agent,
			headers }, (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => {
				const text = Buffer.concat(chunks).toString("utf8");
				let json = null;
				try { json = JSON.parse(text); } catch { /* not JSON */ }
				resolve({ status: res.statusCode, json, text });
			});
		});
		req.on("error", reject);
		if (data) req.write(data);
		req.end();
	});
}

// --- the words --------------------------------------------------------------
const here = path.dirname(fileURLToPath(import.meta.url));
const P = {};
let section = null;
for (const line of fs.readFileSync(path.join(here, "phrases.txt"), "utf8").split("\n")) {
	const m = line.match(/^\[(.+)\]$/);
	if (m) P[(section = m[1])] = [];
	else if (section && line && !line.startsWith("#")) P[section].push(line);
}
const pick = (a) => a[Math.floor(Math.random() * a.length)];
const rint = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
const sentences = (pool, n) => Array.from({ length: n }, () => pick(pool)).join(" ");

let groups = [], agents = [], requesters = [];

function ticket() {
	const ko = Math.random() < 0.5;
	const t = {
		subject: pick(ko ? P.ko_subjects : P.en_subjects),
		comment: { body: sentences(ko ? P.ko_sentences : P.en_sentences, rint(2, 4)) +
			(ko ? " 주문번호 " : " Order #") + rint(100000, 999999) },
		group_id: pick(groups),
		priority: pick(P.priorities),
		type: pick(P.types),
		status: pick(P.statuses),
	};
	// two in three get an agent (a solved ticket without one is given the caller)
	if (agents.length && Math.random() < 0.67) t.assignee_id = pick(agents);
	if (t.type === "task") t.due_at = new Date(Date.now() + rint(1, 30) * 86400e3).toISOString();
	if (Math.random() < 0.4) t.tags = [...new Set(Array.from({ length: rint(1, 3) }, () => pick(P.tags)))];
	if (requesters.length) t.requester_id = pick(requesters);
	return t;
}

// --- the workspace: groups, agents, requesters ---------------------------------
const sorted = (s) => [...s].sort((x, y) => x - y);

// Create what is missing with POST path {key: fields(i)}, at most `want` in
// all, --concurrency at a time; stop quietly at the first refusal (an
// endpoint the server does not have yet).  Returns the new ids.
async function createSome(path, key, have, want, fields) {
	const ids = [];
	let next = have, refused = false;
	async function lane() {
		while (!refused && next < want) {
			const i = ++next;
			const r = await call("POST", path, { [key]: fields(i) });
			const id = r.json?.[key]?.id;
			if ((r.status === 201 || r.status === 200) && id) ids.push(id);
			else {
				if (!refused) process.stderr.write(`preload: POST ${path}: ${r.status}; using what exists\n`);
				refused = true;
			}
		}
	}
	await Promise.all(Array.from({ length: args.concurrency }, lane));
	return ids;
}

async function setup() {
	const r = await call("GET", "/api/v2/tickets.json?per_page=100");
	if (r.status !== 200 || !r.json) throw new Error(`GET /api/v2/tickets.json: ${r.status} ${r.text.slice(0, 200)}`);
	const g = new Set(), a = new Set(), q = new Set();
	for (const t of r.json.tickets) {
		if (t.group_id) g.add(t.group_id);
		if (t.assignee_id) a.add(t.assignee_id);
		if (t.requester_id) q.add(t.requester_id);
	}
	if (!g.size) throw new Error("the workspace has no tickets with groups (run sonnim init --demo)");
	for (const id of await createSome("/api/v2/groups.json", "group", g.size, args.groups,
		(i) => ({ name: i % 2 ? `벤치 그룹 ${i}` : `Bench group ${i}` }))) g.add(id);
	for (const id of await createSome("/api/v2/users.json", "user", a.size, args.agents,
		(i) => ({ name: `Agent ${i}`, email: `agent${i}@bench.example`, role: "agent" }))) a.add(id);
	for (const id of await createSome("/api/v2/users.json", "user", q.size, args.customers,
		(i) => (i % 2 ? { name: `고객 ${i}`, email: `customer${i}@bench.example.kr`, role: "end-user" }
			: { name: `Customer ${i}`, email: `customer${i}@bench.example.com`, role: "end-user" })))
		q.add(id);
	groups = sorted(g);
	agents = sorted(a);
	requesters = sorted(q);
}

// --- loading -------------------------------------------------------------------
let created = 0, errors = 0, minId = Infinity, maxId = 0, lastShown = 0;
const firstErrors = [];
let t0 = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;

function note(id, ok, what) {
	if (ok) {
		created++;
		if (id < minId) minId = id;
		if (id > maxId) maxId = id;
	} else {
		errors++;
		if (firstErrors.length < 5) firstErrors.push(what);
	}
	if (created - lastShown >= 10000) {
		lastShown = created;
		process.stderr.write(`preload: ${created} tickets, ${elapsed().toFixed(1)} s\n`);
	}
}

async function single(n) {
	let next = 0;
	async function lane() {
		while (next < n) {
			next++;
			const r = await call("POST", "/api/v2/tickets.json", { ticket: ticket() });
			note(r.json?.ticket?.id, r.status === 201, `${r.status} ${r.text.slice(0, 200)}`);
		}
	}
	await Promise.all(Array.from({ length: Math.min(args.concurrency, n) }, lane));
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

async function many(n) {
	let left = n;
	async function lane() {
		while (left > 0) {
			const k = Math.min(100, left);
			left -= k;
			const r = await call("POST", "/api/v2/tickets/create_many.json",
				{ tickets: Array.from({ length: k }, () => ticket()) });
			const id = r.json?.job_status?.id;
			if (r.status !== 200 || !id) {
				for (let i = 0; i < k; i++) note(0, false, `${r.status} ${r.text.slice(0, 200)}`);
				continue;
			}
			for (let wait = 5;; wait = Math.min(wait * 2, 200)) {
				await sleep(wait);
				const s = await call("GET", `/api/v2/job_statuses/${id}.json`);
				const js = s.json?.job_status;
				if (!js || js.status === "queued" || js.status === "working") continue;
				const res = js.results || [];
				for (const x of res) note(x.id, x.success === true, JSON.stringify(x).slice(0, 200));
				for (let i = res.length; i < k; i++) note(0, false, `job ${id}: ${js.status} ${js.message}`);
				break;
			}
		}
	}
	await Promise.all(Array.from({ length: args.concurrency }, lane));
}

let setupSeconds = 0;
try {
	await setup();
	setupSeconds = elapsed();
	t0 = process.hrtime.bigint();
	if (args.mode === "many") await many(args.count);
	else if (args.mode === "single") await single(args.count);
	else throw new Error(`--mode must be single or many, not '${args.mode}'`);
} catch (e) {
	console.error(`preload: ${e.message}`);
	process.exit(1);
}
agent.destroy();
const s = elapsed();
for (const e of firstErrors) console.error(`preload: error: ${e}`);
console.log(`preload created=${created} errors=${errors} seconds=${s.toFixed(1)}` +
	` per_s=${Math.round(created / s)} min_id=${created ? minId : 0} max_id=${maxId}` +
	` groups=${groups.join(",")} agents=${agents.join(",")} requesters=${requesters.length}` +
	` setup_seconds=${setupSeconds.toFixed(1)}`);
process.exit(errors && !created ? 1 : 0);
