// Seeding the embedded desk at several scales: `deskops desk seed --tickets N --yes`, end to
// end through the built CLI, with bare `node -e 0` in the same run as the baseline.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, isMain, round, timeRun } from './lib.js';

export async function benchSeed({ scales = [1000, 10000] } = {}) {
  const nodeMs = timeRun(['-e', '0'], process.env).ms;
  const rows = [];
  for (const tickets of scales) {
    const home = mkdtempSync(join(tmpdir(), 'deskops-bench-seed-'));
    try {
      const env = { ...process.env, DESKOPS_HOME: home };
      const ms = timeRun([bin, 'desk', 'seed', '--tickets', String(tickets), '--yes'], env).ms;
      const dbBytes = statSync(join(home, 'desk', 'desk.sqlite')).size;
      rows.push({ tickets, seed_ms: Math.round(ms), tickets_per_s: Math.round(tickets / (ms / 1000)), db_mb: round(dbBytes / 1048576) });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  return { name: 'seed', node_ms: round(nodeMs), scales: rows };
}

if (isMain(import.meta.url)) {
  const scales = process.argv.slice(2).map(Number).filter(Boolean);
  console.log(JSON.stringify(await benchSeed(scales.length ? { scales } : {}), null, 2));
}
