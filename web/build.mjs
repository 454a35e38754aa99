// build.mjs - bundle the agent workspace with esbuild.
//
//   node build.mjs OUTDIR     (default: dist)
//
// src/main.js (which imports src/app.css) becomes OUTDIR/assets/app-HASH.js
// and OUTDIR/assets/app-HASH.css, minified, with content hashes in the
// names so the server can cache them for a year; modules the app loads with
// import() (the ticket page's history, macros and merge, the admin screens,
// the view editor) become OUTDIR/assets/chunk-HASH.js, fetched the first
// time they are needed, and their styles (src/screens.css)
// OUTDIR/assets/screens-HASH.css, which index.html names in a <meta> for
// the app to link then; OUTDIR/index.html is
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
  entryPoints: { app: path.join(here, 'src', 'main.js'), screens: path.join(here, 'src', 'screens.css') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
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
const entry = outputs.find(([, o]) => o.entryPoint && o.entryPoint.endsWith('main.js'));
const screens = outputs.find(([, o]) => o.entryPoint && o.entryPoint.endsWith('screens.css'));
const js = entry && path.basename(entry[0]);
const css = entry && entry[1].cssBundle && path.basename(entry[1].cssBundle);
if (!js || !css || !screens) throw new Error(`esbuild made ${outputs.map(([p]) => p).join(', ')}; want an entry .js with its .css, and screens.css`);
// the chunks the entry imports statically load with it: preload them
const eager = entry[1].imports.filter((i) => !i.external && i.kind === 'import-statement').map((i) => path.basename(i.path));

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sonnim</title>
<link rel="stylesheet" href="assets/${css}">
<meta name="sonnim-screens-css" content="assets/${path.basename(screens[0])}">
${eager.map((c) => `<link rel="modulepreload" href="assets/${c}">\n`).join('')}<script type="module" src="assets/${js}"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`;
fs.writeFileSync(path.join(out, 'index.html'), html);
console.log(`web: ${js}, ${css}, ${outputs.length - 3} chunks in ${path.relative(process.cwd(), out) || '.'}`);
