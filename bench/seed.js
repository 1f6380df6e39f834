// Seeding the embedded desk at several scales: `deskops desk seed --tickets N --yes`, end to
// end through the built CLI, with bare `node -e 0` in the same run as the baseline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deskops.js');

function run(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function benchSeed({ scales = [1000, 10000] } = {}) {
  const nodeMs = run(['-e', '0'], process.env);
  const rows = [];
  for (const tickets of scales) {
    const home = mkdtempSync(join(tmpdir(), 'deskops-bench-seed-'));
    try {
      const env = { ...process.env, DESKOPS_HOME: home };
      const ms = run([bin, 'desk', 'seed', '--tickets', String(tickets), '--yes'], env);
      const dbBytes = statSync(join(home, 'desk', 'desk.sqlite')).size;
      rows.push({ tickets, seed_ms: Math.round(ms), tickets_per_s: Math.round(tickets / (ms / 1000)), db_mb: +(dbBytes / 1048576).toFixed(1) });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  return { name: 'seed', node_ms: +nodeMs.toFixed(1), scales: rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const scales = process.argv.slice(2).map(Number).filter(Boolean);
  console.log(JSON.stringify(await benchSeed(scales.length ? { scales } : {}), null, 2));
}
