// Runs the benchmarks, prints a table and writes bench/results/latest.json and latest.md.
// `npm run bench:quick` runs fewer repetitions (well under a minute).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { benchStartup } from './startup.js';

const quick = process.argv.includes('--quick');
const here = dirname(fileURLToPath(import.meta.url));
const results = {
  when: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  quick,
  benchmarks: [],
};

process.stderr.write('startup: --help and ticket list --json against node -e 0...\n');
results.benchmarks.push(await benchStartup({ runs: quick ? 7 : 21 }));

const rows = [];
for (const b of results.benchmarks) {
  if (b.name === 'startup') {
    rows.push(['startup', 'node -e 0 (baseline)', `${b.node_ms} ms`, '1.00x', '']);
    rows.push(['startup', 'deskops --help', `${b.help_ms} ms`, `${b.help_ratio}x`, `<= ${b.targets.help_ratio}x`]);
    rows.push(['startup', 'deskops ticket list --json (embedded desk)', `${b.ticket_list_ms} ms`, `${b.ticket_list_ratio}x`, `<= ${b.targets.ticket_list_ratio}x`]);
  }
}
const md = [
  '| bench | case | median | vs baseline | target |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(here, 'results', 'latest.md'), md + '\n');
console.log(md);
