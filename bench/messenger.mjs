#!/usr/bin/env node
// messenger.mjs - the messenger under many open connections (bench/messenger.sh).
//
//   URL AUTH PID N node bench/messenger.mjs
//
// 1. as admin: one messenger site, BENCH_MSG_CONVERSATIONS conversations;
// 2. opens N visitor event streams (GET /messenger/v1/conversations/ID/stream,
//    round robin over the conversations), each its own TCP connection, and
//    waits until every one has its "ready" event; prints the server's RSS
//    (/proc/PID/status VmRSS) before and after, and per connection;
// 3. with all N held open: one agent stream, and BENCH_MSG_SENDS visitor
//    messages one after another; for each the time from the POST to its
//    comment.added on the agent's stream; prints p50/p99/max;
// 4. closes everything.  Prints lines "key value" for messenger.sh.
import http from "node:http";
import fs from "node:fs";

const URL0 = process.env.URL;
const AUTH = process.env.AUTH;
const PID = process.env.PID;
const N = Number(process.env.N || 10000);
const CONVS = Number(process.env.BENCH_MSG_CONVERSATIONS || 100);
const SENDS = Number(process.env.BENCH_MSG_SENDS || 300);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function rss() {
	const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${PID}/status`, "utf8"));
	return m ? Number(m[1]) : 0;
}

function req(method, path, body, headers = {}) {
	return new Promise((resolve, reject) => {
		const data = body === undefined ? undefined : JSON.stringify(body);
		const r = http.request(URL0 + path, {
			method, agent,
			headers: { ...headers, ...(data ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {}) },
		}, (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => {
				const t = Buffer.concat(chunks).toString();
				if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${t.slice(0, 200)}`));
				else resolve(t ? JSON.parse(t) : null);
			});
		});
		r.on("error", reject);
		if (data) r.write(data);
		r.end();
	});
}

// An event stream on its own connection; onEvent(name, data).
function stream(path, headers, onEvent) {
	return new Promise((resolve, reject) => {
		const r = http.get(URL0 + path, { agent: false, headers }, (res) => {
			if (res.statusCode !== 200) {
				reject(new Error(`${path}: ${res.statusCode}`));
				res.resume();
				return;
			}
			let buf = "";
			let ready = false;
			res.setEncoding("utf8");
			res.on("data", (d) => {
				buf += d;
				let i;
				while ((i = buf.indexOf("\n\n")) >= 0) {
					const block = buf.slice(0, i);
					buf = buf.slice(i + 2);
					const ev = /^event: (.*)$/m.exec(block);
					const data = /^data: (.*)$/m.exec(block);
					if (!ev) continue;
					if (ev[1] === "ready" && !ready) {
						ready = true;
						resolve(r);
					}
					if (onEvent) onEvent(ev[1], data ? JSON.parse(data[1]) : null);
				}
			});
			res.on("error", () => {});
		});
		r.on("error", reject);
	});
}

const pct = (v, p) => v[Math.min(v.length - 1, Math.floor((v.length * p) / 100))];

const site = (await req("POST", "/api/v2/sonnim/messenger/sites.json", { site: { name: "bench", bot: false } }, { Authorization: AUTH })).site;
const convs = [];
for (let i = 0; i < CONVS; i++) {
	const c = await req("POST", `/messenger/v1/sites/${site.key}/conversations`, { body: `bench conversation ${i}` });
	convs.push({ id: c.conversation.id, token: c.token, ticket: c.conversation.ticket_id });
}
const rss0 = rss();
const t0 = Date.now();
const open = [];
const BATCH = 500;
for (let i = 0; i < N; i += BATCH) {
	const part = [];
	for (let j = i; j < Math.min(N, i + BATCH); j++) {
		const c = convs[j % convs.length];
		part.push(stream(`/messenger/v1/conversations/${c.id}/stream?token=${c.token}`, {}));
	}
	open.push(...(await Promise.all(part)));
}
const openMs = Date.now() - t0;
await new Promise((r) => setTimeout(r, 1000));
const rss1 = rss();
console.log(`streams ${open.length}`);
console.log(`open_ms ${openMs}`);
console.log(`rss_before_kb ${rss0}`);
console.log(`rss_after_kb ${rss1}`);
console.log(`per_conn_kb ${((rss1 - rss0) / Math.max(1, open.length)).toFixed(1)}`);

// latency: visitor send -> agent stream, with all streams held
const waiting = new Map(); // ticket -> resolve
const agentStream = await stream("/api/v2/sonnim/stream", { Authorization: AUTH }, (ev, d) => {
	if (ev === "comment.added" && waiting.has(d.ticket_id)) {
		waiting.get(d.ticket_id)();
		waiting.delete(d.ticket_id);
	}
});
const lat = [];
for (let i = 0; i < SENDS; i++) {
	const c = convs[i % convs.length];
	const got = new Promise((r) => waiting.set(c.ticket, r));
	const s = process.hrtime.bigint();
	await req("POST", `/messenger/v1/conversations/${c.id}/messages`, { body: `ping ${i}` }, { Authorization: `Bearer ${c.token}` });
	await got;
	lat.push(Number(process.hrtime.bigint() - s) / 1e6);
}
lat.sort((a, b) => a - b);
console.log(`latency_n ${lat.length}`);
console.log(`latency_p50_ms ${pct(lat, 50).toFixed(1)}`);
console.log(`latency_p99_ms ${pct(lat, 99).toFixed(1)}`);
console.log(`latency_max_ms ${lat[lat.length - 1].toFixed(1)}`);
console.log(`rss_end_kb ${rss()}`);
agentStream.destroy();
for (const r of open) r.destroy();
agent.destroy();
process.exit(0);
