// Chaos: follow-up sweeps and survey sends under a fault matrix (429, 500, connection resets, slow answers) and
// SIGKILL at seeded points (a request, an update_many between intent and outcome, a job poll,
// an intent on disk), carried on with `sweep resume` or a new `sweep run` until they finish;
// then every planned message is counted on the desk's own database: exactly once, marker beside
// it, nothing unplanned. One seed a run; the harness is test/chaos/harness.ts (bundled here).
//
//   node bench/chaos.js [--job sweep|sweep-thread|survey|all] [--runs N] [--quick] [--seed FIRST] [--tickets N] [--keep]
//
// Prints a Markdown table and totals per job, writes bench/results/chaos.json; exits 1 when any
// run lost or duplicated a message. --runs is per job (default 20); --quick: 4 runs per job.
// Survey sends are seeded with twice the tickets (about one in five is a solved ticket due one).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the harness (TypeScript, with the desk it imports) into one ESM file under node_modules/.cache. */
async function loadHarness() {
  const { build } = await import('esbuild');
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, 'node_modules', '.cache', 'deskops-bench-chaos-'));
  const outfile = join(dir, 'harness.mjs');
  await build({
    entryPoints: [join(root, 'test', 'chaos', 'harness.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    external: ['libsql', 'esbuild'],
    banner: { js: "import{createRequire as __benchRequire}from'node:module';const require=__benchRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return { harness: await import(pathToFileURL(outfile).href), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `runs` seeded chaos runs of each job, one after the other; returns the figures. */
export async function benchChaos({ jobs = ['sweep', 'sweep-thread', 'survey'], runs = 20, quick = false, firstSeed = 1, tickets = quick ? 150 : 300, keep = false, log = () => {} } = {}) {
  const { harness, cleanup } = await loadHarness();
  const cli = await harness.prepareCli(root);
  const started = Date.now();
  const byJob = {};
  try {
    for (const name of jobs) {
      const job = name === 'survey' ? harness.surveyJob() : name === 'sweep-thread' ? harness.sweepThreadJob() : harness.sweepJob();
      // Thread rules fire on the few transferred tickets of one group: a larger desk has more.
      const jobTickets = name === 'survey' ? tickets * 2 : name === 'sweep-thread' ? Math.max(500, tickets) : tickets;
      const results = [];
      const jobStarted = Date.now();
      for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
        const r = await harness.runChaos({ seed, job, cli, tickets: jobTickets, keep, log });
        results.push(r);
        log(
          `${name} seed ${seed}: ${r.ok ? 'ok' : 'FAILED'} · faults ${r.faults} · ${r.kills} kills (${r.kill_points.join(' ') || '-'}) · ` +
            `${r.resumes} resumes · ${r.sent}/${r.planned} sent · ${r.duplicates} dup · ${r.missing} missing · ${(r.ms / 1000).toFixed(1)} s` +
            (r.ok ? '' : ` · ${r.examples.join('; ')}`),
        );
      }
      byJob[name] = { tickets_per_run: jobTickets, wall_ms: Date.now() - jobStarted, totals: harness.totals(results), markdown: harness.markdownTable(results), results };
    }
  } finally {
    cli.cleanup();
    cleanup();
  }
  const all = Object.values(byJob).flatMap((j) => j.results);
  return {
    name: 'chaos',
    when: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    load_average: +loadavg()[0].toFixed(2),
    quick,
    wall_ms: Date.now() - started,
    totals: harness.totals(all),
    kill_meaning: harness.KILL_MEANING,
    fault_matrix: harness.FAULT_MATRIX,
    jobs: byJob,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const value = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const quick = args.includes('--quick');
  const jobArg = args.includes('--job') ? args[args.indexOf('--job') + 1] : 'all';
  if (!['sweep', 'sweep-thread', 'survey', 'all'].includes(jobArg)) {
    process.stderr.write(`chaos: --job must be sweep, sweep-thread, survey or all, got ${JSON.stringify(jobArg)}\n`);
    process.exit(2);
  }
  const figures = await benchChaos({
    jobs: jobArg === 'all' ? ['sweep', 'sweep-thread', 'survey'] : [jobArg],
    quick,
    runs: value('--runs') ?? (quick ? 4 : 20),
    firstSeed: value('--seed') ?? 1,
    tickets: value('--tickets') ?? (quick ? 150 : 300),
    keep: args.includes('--keep'),
    log: (line) => process.stderr.write(`chaos: ${line}\n`),
  });
  const summary = (name, t, ms) =>
    `${name}: ${t.runs} runs in ${(ms / 1000).toFixed(1)} s: ${t.ok} exactly once; ${t.planned} messages planned, ${t.sent} on the desk, ` +
    `${t.duplicates} duplicates, ${t.missing} missing, ${t.unexpected} unplanned, ${t.marker_mismatch} marker mismatches; ` +
    `${t.kills} kills, ${t.resumes} resumes/re-runs (${t.partials} after exit 3, ${t.errors} after other errors), ` +
    `${t.faults_injected} faults injected over ${t.requests} requests.`;
  const lines = [];
  for (const [name, j] of Object.entries(figures.jobs)) lines.push(`## ${name}`, '', j.markdown, '', summary(name, j.totals, j.wall_ms), '');
  lines.push(summary('all', figures.totals, figures.wall_ms));
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const json = { ...figures, jobs: Object.fromEntries(Object.entries(figures.jobs).map(([k, { markdown, ...rest }]) => [k, rest])) };
  writeFileSync(join(root, 'bench', 'results', 'chaos.json'), `${JSON.stringify(json, null, 2)}\n`);
  if (figures.totals.ok !== figures.totals.runs) process.exitCode = 1;
}
