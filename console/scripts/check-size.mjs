// The first-load budget: the gzipped size of the JavaScript a browser fetches before
// the console can show anything, i.e. the entry chunk dist/index.html loads and every
// chunk it imports statically (modulepreload links and the entry's static imports,
// followed transitively). Lazily loaded pages and charts are not counted, and echarts
// must not be among the counted chunks. Fails above the budget; prints the number.
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 300 * 1024;

// A string literal of ECharts' core (the attribute naming a chart's DOM element) that
// minification keeps, whatever the chunk holding it is named.
const ECHARTS_MARKER = /_echarts_instance_/;

// The build to check: dist/ beside this script, or the directory given.
const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const attr = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
const start = [];
for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
  const isEntry = tag.startsWith('<script') && attr(tag, 'type') === 'module' && attr(tag, 'src');
  const isPreload = tag.startsWith('<link') && attr(tag, 'rel') === 'modulepreload' && attr(tag, 'href');
  if (isEntry) start.push(attr(tag, 'src'));
  if (isPreload) start.push(attr(tag, 'href'));
}
if (start.length === 0) {
  console.error('check-size: dist/index.html loads no module script');
  process.exit(1);
}

// Static imports of a built chunk: `import ... from "./x.js"` and `import "./x.js"`,
// not `import("./x.js")`.
const staticImport = /(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+from\s*)?["']([^"']+\.js)["']/g;

const seen = new Map();
const queue = start.map((p) => p.replace(/^\//, ''));
while (queue.length) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  const code = readFileSync(join(dist, file));
  seen.set(file, gzipSync(code, { level: 9 }).length);
  for (const m of code.toString('utf8').matchAll(staticImport)) {
    const spec = m[1];
    if (spec.startsWith('.') || spec.startsWith('/')) {
      queue.push(spec.startsWith('/') ? spec.slice(1) : posix.join(posix.dirname(file), spec));
    }
  }
}

/** Whether a chunk holds ECharts' core. */
function isECharts(code) {
  return ECHARTS_MARKER.test(code);
}

let total = 0;
const rows = [...seen].sort((a, b) => b[1] - a[1]);
for (const [file, size] of rows) {
  total += size;
  console.log(`  ${(size / 1024).toFixed(1).padStart(7)} KB gz  ${file}`);
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`first-load JS: ${kb(total)} KB gzipped in ${rows.length} files (budget ${kb(BUDGET_BYTES)} KB)`);

const charts = rows.filter(([file]) => isECharts(readFileSync(join(dist, file), 'utf8'))).map(([file]) => file);
if (charts.length) {
  console.error(`check-size: ECharts is in the first load (${charts.join(', ')}); import it only in the pages that draw charts`);
  process.exit(1);
}
if (total > BUDGET_BYTES) {
  console.error(`check-size: first-load JS is ${kb(total)} KB gzipped, over the ${kb(BUDGET_BYTES)} KB budget`);
  process.exit(1);
}
