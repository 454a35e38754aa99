#!/usr/bin/env node
// tool.mjs - small helpers for bench/run.sh (node is already needed by
// `make check`; curl is not a dependency).
//
//   node bench/tool.mjs port
//       print a free TCP port on 127.0.0.1
//   node bench/tool.mjs wait URL [SECONDS]
//       poll URL until it answers 200 (default 30 s); exit 1 if it never does
//   node bench/tool.mjs get URL
//       GET URL with $BENCH_AUTH; print "STATUS COUNT BYTES" (COUNT = the
//       JSON body's "count", or the length of its first array, or -)
//   node bench/tool.mjs start RUNS URL BIN ARGS...
//       RUNS times: spawn BIN ARGS..., poll URL (every ~1 ms) until the first
//       200, record the time since the spawn in ms, send SIGTERM, wait for
//       the exit.  Prints "start_ms=a,b,c median_ms=m ready_ms=x,y,z" where
//       ready_ms are the server's own "ready_ms=" log figures (if logged).
import http from "node:http";
import net from "node:net";
import { spawn } from "node:child_process";

const [cmd, ...rest] = process.argv.slice(2);

function get(url, headers = {}) {
	return new Promise((resolve) => {
		const req = http.get(url, { headers, agent: false }, (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
		});
		req.on("error", () => resolve({ status: 0, body: Buffer.alloc(0) }));
		req.setTimeout(10000, () => req.destroy());
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url, ms) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if ((await get(url)).status === 200) return true;
		await sleep(1);
	}
	return false;
}

if (cmd === "port") {
	const s = net.createServer();
	s.listen(0, "127.0.0.1", () => {
		console.log(s.address().port);
		s.close();
	});
} else if (cmd === "wait") {
	const ok = await waitFor(rest[0], Number(rest[1] || 30) * 1000);
	process.exit(ok ? 0 : 1);
} else if (cmd === "get") {
	const h = process.env.BENCH_AUTH ? { Authorization: process.env.BENCH_AUTH } : {};
	const r = await get(rest[0], h);
	let count = "-";
	try {
		const j = JSON.parse(r.body.toString("utf8"));
		if (typeof j.count === "number") count = j.count;
		else {
			const a = Object.values(j).find(Array.isArray);
			if (a) count = a.length;
		}
	} catch { /* not JSON */ }
	console.log(`${r.status} ${count} ${r.body.length}`);
} else if (cmd === "start") {
	const [runs, url, bin, ...args] = rest;
	const times = [], ready = [];
	for (let i = 0; i < Number(runs); i++) {
		const t0 = process.hrtime.bigint();
		const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
		let log = "";
		child.stderr.on("data", (c) => (log += c));
		const exited = new Promise((r) => child.on("exit", r));
		let ok = false;
		// poll as fast as the event loop allows for 10 s
		const end = Date.now() + 10000;
		while (!ok && Date.now() < end && child.exitCode === null) {
			ok = (await get(url)).status === 200;
			if (!ok) await new Promise((r) => setImmediate(r));
		}
		const ms = Number(process.hrtime.bigint() - t0) / 1e6;
		child.kill("SIGTERM");
		await exited;
		if (!ok) {
			console.error(`start: no 200 from ${url}; server log:\n${log}`);
			process.exit(1);
		}
		times.push(ms);
		const m = log.match(/ready_ms=([\d.]+)/);
		if (m) ready.push(m[1]);
	}
	const sorted = [...times].sort((a, b) => a - b);
	console.log(`start_ms=${times.map((t) => t.toFixed(1)).join(",")}` +
		` median_ms=${sorted[Math.floor(sorted.length / 2)].toFixed(1)}` +
		` ready_ms=${ready.join(",") || "-"}`);
} else {
	console.error("usage: tool.mjs port | wait URL [S] | get URL | start RUNS URL BIN ARGS...");
	process.exit(2);
}
