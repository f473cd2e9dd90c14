// Bundles src/ into dist/ (committed, embedded by crates/serve/src/assets.rs).
// Run `npm ci && npm run build` after changing src/; CI checks dist/ is up to date.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/app.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outfile: 'dist/app.js',
  legalComments: 'eof',
});
const css = readFileSync('node_modules/uplot/dist/uPlot.min.css', 'utf8') + '\n' + readFileSync('src/style.css', 'utf8');
writeFileSync('dist/app.css', css);
writeFileSync('dist/index.html', readFileSync('src/index.html', 'utf8'));
