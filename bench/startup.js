// Cold start of `deskops --help` and `deskops ticket list --json` on the embedded desk, against
// bare `node -e 0`, interleaved in one run so machine noise hits all three alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, isMain, median, round, timeRun } from './lib.js';

export async function benchStartup({ runs = 15 } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-'));
  const env = { ...process.env, DESKOPS_HOME: home, NO_COLOR: '1' };
  delete env.DESKOPS_PROFILE;
  delete env.DESKOPS_URL;
  delete env.DESKOPS_TOKEN;
  try {
    // First run seeds the demo desk: that one-time cost is not start-up.
    const seedMs = timeRun([bin, 'ticket', 'list', '--json'], env).ms;
    const cases = {
      node: [['-e', '0']],
      help: [[bin, '--help']],
      list: [[bin, 'ticket', 'list', '--json']],
    };
    const samples = { node: [], help: [], list: [] };
    for (const k of Object.keys(cases)) timeRun(cases[k][0], env); // warm the file cache
    for (let i = 0; i < runs; i++) {
      for (const k of Object.keys(cases)) samples[k].push(timeRun(cases[k][0], env).ms);
    }
    const node = median(samples.node);
    const help = median(samples.help);
    const list = median(samples.list);
    return {
      name: 'startup',
      runs,
      first_run_with_seed_ms: Math.round(seedMs),
      node_ms: round(node),
      help_ms: round(help),
      ticket_list_ms: round(list),
      help_ratio: round(help / node, 2),
      ticket_list_ratio: round(list / node, 2),
      targets: { help_ratio: 1.5, ticket_list_ratio: 4 },
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const r = await benchStartup({ runs: Number(process.argv[2] ?? 15) });
  console.log(JSON.stringify(r, null, 2));
}
