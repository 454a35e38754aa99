#!/usr/bin/env node
// kb.mjs - the help center's figures for bench/kb.sh.
//
//   node bench/kb.mjs quality URL TSV
//       map the titles of the demo knowledge base to article ids (GET
//       /api/v2/help_center/articles.json, every page), then ask every query
//       of TSV (query, locale, expected title) through
//       /api/v2/help_center/articles/search.json?query=&locale= as an
//       anonymous visitor.  Prints "queries=N top1=x top3=y ko_top1=...
//       en_top1=... mrr=z typo_n= typo_top1= typo_top3=" (typo_*: the rows
//       whose 4th column is "typo", misspelled on purpose) and writes the
//       misses (query, expected, got) to stderr.
//   node bench/kb.mjs preload URL COUNT [CONCURRENCY]
//       one category and section, then COUNT articles (half Korean, half
//       English, sentences from bench/phrases.txt, one in four labelled)
//       posted by CONCURRENCY clients.  Prints "created=N errors=E seconds=S
//       per_s=R".
// $BENCH_AUTH is the Authorization header for the writes.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const AUTH = process.env.BENCH_AUTH || "";

function request(method, url, body, auth = true) {
	return new Promise((resolve) => {
		const data = body ? Buffer.from(JSON.stringify(body)) : null;
		const headers = {};
		if (auth && AUTH) headers.Authorization = AUTH;
		if (data) {
			headers["Content-Type"] = "application/json";
			headers["Content-Length"] = data.length;
		}
		const req = http.request(url, { method, headers, agent }, (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => {
				let json = null;
				try {
					json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
				} catch {}
				resolve({ status: res.statusCode, json });
			});
		});
		req.on("error", () => resolve({ status: 0, json: null }));
		if (data) req.write(data);
		req.end();
	});
}

async function quality(base, tsv) {
	const ids = new Map();
	for (let url = `${base}/api/v2/help_center/articles.json?per_page=100`; url; ) {
		const r = await request("GET", url);
		if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
		for (const a of r.json.articles) ids.set(`${a.locale}\t${a.title}`, a.id);
		url = r.json.next_page;
	}
	const rows = fs.readFileSync(tsv, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
	const stat = { n: 0, top1: 0, top3: 0, rr: 0, ko: [0, 0], en: [0, 0], typo: [0, 0, 0], missingTitles: 0 };
	for (const line of rows) {
		const [q, locale, title, kind] = line.split("\t");
		const want = ids.get(`${locale}\t${title}`);
		if (!want) {
			stat.missingTitles++;
			process.stderr.write(`no article titled '${title}' (${locale})\n`);
			continue;
		}
		const r = await request("GET", `${base}/api/v2/help_center/articles/search.json?locale=${locale}&per_page=10&query=${encodeURIComponent(q)}`, null, false);
		const got = r.status === 200 ? r.json.results.map((a) => a.id) : [];
		const rank = got.indexOf(want);
		stat.n++;
		const k = locale === "ko" ? stat.ko : stat.en;
		k[1]++;
		if (rank === 0) {
			stat.top1++;
			k[0]++;
		}
		if (rank >= 0 && rank < 3) stat.top3++;
		if (kind === "typo") {
			stat.typo[2]++;
			if (rank === 0) stat.typo[0]++;
			if (rank >= 0 && rank < 3) stat.typo[1]++;
		}
		if (rank >= 0) stat.rr += 1 / (rank + 1);
		if (rank !== 0) {
			const first = r.status === 200 && r.json.results[0] ? r.json.results[0].title : "(nothing)";
			process.stderr.write(`miss${rank > 0 ? ` (rank ${rank + 1})` : ""}: '${q}' wants '${title}', got '${first}'\n`);
		}
	}
	const pct = (a, b) => (b ? ((100 * a) / b).toFixed(1) : "0.0");
	console.log(`queries=${stat.n} top1=${pct(stat.top1, stat.n)} top3=${pct(stat.top3, stat.n)} ko_top1=${pct(stat.ko[0], stat.ko[1])} en_top1=${pct(stat.en[0], stat.en[1])} mrr=${(stat.rr / (stat.n || 1)).toFixed(3)} typo_n=${stat.typo[2]} typo_top1=${pct(stat.typo[0], stat.typo[2])} typo_top3=${pct(stat.typo[1], stat.typo[2])} unknown_titles=${stat.missingTitles}`);
}

function phrases() {
	const out = {};
	let cur = null;
	for (const line of fs.readFileSync(path.join(here, "phrases.txt"), "utf8").split("\n")) {
		if (!line || line.startsWith("#")) continue;
		const m = /^\[(\w+)\]$/.exec(line);
		if (m) out[(cur = m[1])] = [];
		else if (cur) out[cur].push(line);
	}
	return out;
}

async function preload(base, count, conc) {
	const P = phrases();
	const pick = (a) => a[Math.floor(Math.random() * a.length)];
	let r = await request("POST", `${base}/api/v2/help_center/categories.json`, { category: { name: "Bench", locale: "en-us" } });
	const cat = r.json.category.id;
	r = await request("POST", `${base}/api/v2/help_center/categories/${cat}/sections.json`, { section: { name: "Bench" } });
	const sec = r.json.section.id;
	let next = 0, created = 0, errors = 0;
	const t0 = Date.now();
	async function worker() {
		for (;;) {
			const i = next++;
			if (i >= count) return;
			const ko = i % 2 === 0;
			const s = ko ? P.ko_sentences : P.en_sentences;
			const title = `${pick(ko ? P.ko_subjects : P.en_subjects)} ${i}`;
			const body = `${pick(s)} ${pick(s)}\n\n- ${pick(s)}\n- ${pick(s)}\n\n${pick(s)}`;
			const article = { title, body, locale: ko ? "ko" : "en-us" };
			if (i % 4 === 0) article.label_names = [ko ? "배송" : "billing"];
			const res = await request("POST", `${base}/api/v2/help_center/sections/${sec}/articles.json`, { article });
			if (res.status === 201) created++;
			else errors++;
		}
	}
	await Promise.all(Array.from({ length: conc }, worker));
	const secs = (Date.now() - t0) / 1000;
	console.log(`created=${created} errors=${errors} seconds=${secs.toFixed(1)} per_s=${Math.round(created / secs)}`);
}

const [cmd, url, a, b] = process.argv.slice(2);
if (cmd === "quality") await quality(url, a);
else if (cmd === "preload") await preload(url, Number(a), Number(b || 16));
else {
	console.error("usage: kb.mjs quality URL TSV | preload URL COUNT [CONCURRENCY]");
	process.exit(2);
}
