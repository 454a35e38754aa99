// build.mjs - bundle the agent workspace with esbuild.
//
//   node build.mjs OUTDIR     (default: dist)
//
// src/main.js (which imports src/app.css) becomes OUTDIR/assets/app-HASH.js
// and OUTDIR/assets/app-HASH.css, minified, with content hashes in the
// names so the server can cache them for a year; what the app loads on
// demand (import('./x.js'): the ticket history, macros, merge, the customer
// panel) becomes OUTDIR/assets/x-HASH.js, and code those share a chunk-HASH.js; OUTDIR/index.html is
// written last and points at them.  index.html is the one file that is not
// hashed: the server sends it with no-cache and an ETag.  Nothing here
// touches the network; scripts/embed-web.mjs turns OUTDIR into C.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, 'dist'));
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: path.join(here, 'src', 'main.js') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  entryNames: '[name]-[hash]',
  splitting: true,
  outdir: path.join(out, 'assets'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// The messenger (web/widget/): the loader a site puts in a <script> tag
// and the app of the iframe it opens, each one self-contained script
// without hashes in the names (the loader's URL is in customers' pages;
// both are served no-cache with an ETag).
await esbuild.build({
  entryPoints: { loader: path.join(here, 'widget', 'loader.js'), frame: path.join(here, 'widget', 'frame.js') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  outdir: path.join(out, 'widget'),
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs);
const names = outputs.map(([p]) => path.basename(p));
const entry = outputs.find(([p, o]) => o.entryPoint && p.endsWith('.js'));
const js = entry && path.basename(entry[0]);
const css = names.find((n) => n.endsWith('.css'));
// the chunks the entry imports statically, preloaded with it (no waterfall)
const preloads = entry ? entry[1].imports.filter((i) => i.kind === 'import-statement').map((i) => path.basename(i.path)) : [];
if (!js || !css) throw new Error(`esbuild made ${names.join(', ')}; want an entry .js and one .css`);

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sonnim</title>
<link rel="stylesheet" href="assets/${css}">
<script type="module" src="assets/${js}"></script>
${preloads.map((p) => `<link rel="modulepreload" href="assets/${p}">\n`).join('')}</head>
<body>
<div id="app"></div>
</body>
</html>
`;
fs.writeFileSync(path.join(out, 'index.html'), html);
console.log(`web: ${js}, ${css} in ${path.relative(process.cwd(), out) || '.'}`);
