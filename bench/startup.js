// Cold start of `deskops --help` and `deskops ticket list --json` on the embedded desk, against
// bare `node -e 0`, interleaved in one run so machine noise hits all three alike.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deskops.js');

function timeRun(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function benchStartup({ runs = 15 } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-'));
  const env = { ...process.env, DESKOPS_HOME: home, NO_COLOR: '1' };
  delete env.DESKOPS_PROFILE;
  delete env.DESKOPS_URL;
  delete env.DESKOPS_TOKEN;
  try {
    // First run seeds the demo desk: that one-time cost is not start-up.
    const seedMs = timeRun([bin, 'ticket', 'list', '--json'], env);
    const cases = {
      node: [['-e', '0']],
      help: [[bin, '--help']],
      list: [[bin, 'ticket', 'list', '--json']],
    };
    const samples = { node: [], help: [], list: [] };
    for (const k of Object.keys(cases)) timeRun(cases[k][0], env); // warm the file cache
    for (let i = 0; i < runs; i++) {
      for (const k of Object.keys(cases)) samples[k].push(timeRun(cases[k][0], env));
    }
    const node = median(samples.node);
    const help = median(samples.help);
    const list = median(samples.list);
    return {
      name: 'startup',
      runs,
      first_run_with_seed_ms: Math.round(seedMs),
      node_ms: +node.toFixed(1),
      help_ms: +help.toFixed(1),
      ticket_list_ms: +list.toFixed(1),
      help_ratio: +(help / node).toFixed(2),
      ticket_list_ratio: +(list / node).toFixed(2),
      targets: { help_ratio: 1.5, ticket_list_ratio: 4 },
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchStartup({ runs: Number(process.argv[2] ?? 15) });
  console.log(JSON.stringify(r, null, 2));
}
