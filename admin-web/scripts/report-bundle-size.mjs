// Prints the gzipped size of the JavaScript a first visit downloads (entry chunk plus its static imports)
// and fails the build when it exceeds the budget. Lazy routes are listed separately and not counted.
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 200 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const manifestPath = join(dist, '.vite', 'manifest.json');

if (!existsSync(manifestPath)) {
  console.error(`No build manifest at ${manifestPath}; run "npx vite build" first.`);
  process.exit(1);
}

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const gzipped = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
for (const [key] of entries) visit(key);

let total = 0;
console.log('Initial JavaScript (gzipped):');
for (const file of initial) {
  const size = gzipped(file);
  total += size;
  console.log(`  ${file.padEnd(48)} ${kb(size).padStart(10)}`);
}
const lazy = Object.values(manifest).filter((c) => c.file.endsWith('.js') && !initial.has(c.file));
if (lazy.length > 0) {
  console.log('Lazy chunks (gzipped, not counted):');
  for (const chunk of lazy) console.log(`  ${chunk.file.padEnd(48)} ${kb(gzipped(chunk.file)).padStart(10)}`);
}
const css = [...new Set(entries.flatMap(([, c]) => c.css ?? []))];
for (const file of css) console.log(`CSS ${file}: ${kb(gzipped(file))} gzipped`);

console.log(`Total initial JS: ${kb(total)} gzipped (budget ${kb(BUDGET_BYTES)})`);
if (total > BUDGET_BYTES) {
  console.error(`Initial JavaScript is over budget by ${kb(total - BUDGET_BYTES)}.`);
  process.exit(1);
}
