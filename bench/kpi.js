// `deskops kpi --json` over a seeded desk (default 10,000 tickets): a cold run (empty KPI
// cache: the whole incremental export is read, reduced and cached, then computed) and a warm
// run (one incremental request, the cache streamed), each a whole CLI process, against the
// baseline of the raw download of the same incremental pages with the same HTTP client in a
// process of its own, measured in the same run. Peak RSS of each process is reported too.
//
// The desk serves from this process (no rate limit); the CLI reaches it through the `local`
// profile with DESKOPS_URL. The baseline's client is bundled from src/api with esbuild, as the
// CLI is. Needs `npm run build` (the CLI runs from dist/).
//
//   node bench/kpi.js [tickets] [runs]     prints the figures as JSON
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deskops.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => +x.toFixed(d);
const mb = (kb) => round(kb / 1024);

/** Bundles an entry of src/ (TypeScript) into one ESM file, as the CLI's build does. */
async function bundle(contents, outfile) {
  const { build } = await import('esbuild');
  await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    external: ['libsql'],
    banner: { js: "import{createRequire as __benchRequire}from'node:module';const require=__benchRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

/** Runs node with args without blocking this process (the desk answers from here). */
function timeNode(args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) return reject(new Error(`node ${args.slice(-4).join(' ')} exited ${code}: ${stderr.slice(-800)}`));
      const rss = /@@maxrss (\d+)/.exec(stderr);
      resolve({ ms, stdout, stderr, maxRssKb: rss ? Number(rss[1]) : null });
    });
  });
}

/** `deskops <args>` in a fresh node process that reports its peak RSS on exit. */
const cliArgs = (args) => [
  '--input-type=module',
  '-e',
  `process.argv.splice(1, 0, 'deskops');
   process.on('exit', () => process.stderr.write('\\n@@maxrss ' + process.resourceUsage().maxRSS + '\\n'));
   await import(${JSON.stringify(pathToFileURL(bin).href)});`,
  ...args,
];

export async function benchKpi({ tickets = 10_000, runs = 3 } = {}) {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
  // The bundles live under node_modules/.cache so that they resolve libsql (kept external, as
  // in the CLI's build) from the project; the desk's home is a temp dir.
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const work = mkdtempSync(join(root, 'node_modules', '.cache', 'deskops-bench-kpi-'));
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-kpi-'));
  try {
    await bundle(`export { seedDesk, startDesk } from './src/desk/index.ts';`, join(work, 'desk.mjs'));
    await bundle(`export { createHelpDesk } from './src/api/index.ts';`, join(work, 'client.mjs'));
    writeFileSync(
      join(work, 'download.mjs'),
      `import { createHelpDesk } from './client.mjs';
       const [url, email, token] = process.argv.slice(2);
       const desk = await createHelpDesk({ kind: 'local', url, auth: { type: 'basic-token', email, token }, profile: 'bench' });
       let tickets = 0, pages = 0;
       for await (const page of desk.incrementalTickets({ startTime: 0 }, { pageSize: 1000 })) { tickets += page.tickets.length; pages++; }
       process.stdout.write(JSON.stringify({ tickets, pages }));
       process.on('exit', () => process.stderr.write('\\n@@maxrss ' + process.resourceUsage().maxRSS + '\\n'));`,
    );
    const { seedDesk, startDesk } = await import(pathToFileURL(join(work, 'desk.mjs')).href);
    const seedStart = Date.now();
    await seedDesk({ home, tickets, seed: 1 });
    const seedMs = Date.now() - seedStart;
    const desk = await startDesk({ home, rateLimit: 100_000_000 });
    try {
      const env = { ...process.env, DESKOPS_HOME: home, DESKOPS_URL: desk.url, NO_COLOR: '1' };
      for (const k of ['DESKOPS_PROFILE', 'DESKOPS_TOKEN', 'DESKOPS_EMAIL', 'CI']) delete env[k];
      const cache = join(home, 'cache');
      const download = [join(work, 'download.mjs'), desk.url, desk.email, desk.token];

      // Warm-up (file cache, JIT of the desk), and the request counts of each kind of run.
      const raw = JSON.parse((await timeNode(download, env)).stdout);
      rmSync(cache, { recursive: true, force: true });
      const count = (stderr, what) => stderr.split('\n').filter((l) => l.startsWith('> ') && l.includes(what)).length;
      const coldLog = (await timeNode(cliArgs(['kpi', '--json', '--verbose']), env)).stderr;
      const warmLog = (await timeNode(cliArgs(['kpi', '--json', '--verbose']), env)).stderr;

      const samples = { baseline: [], cold: [], warm: [], node: [] };
      const rss = { baseline: [], cold: [], warm: [] };
      let output = '';
      for (let i = 0; i < runs; i++) {
        samples.node.push((await timeNode(['-e', '0'], env)).ms);
        const b = await timeNode(download, env);
        samples.baseline.push(b.ms);
        rss.baseline.push(b.maxRssKb);
        rmSync(cache, { recursive: true, force: true });
        const c = await timeNode(cliArgs(['kpi', '--json']), env);
        samples.cold.push(c.ms);
        rss.cold.push(c.maxRssKb);
        const w = await timeNode(cliArgs(['kpi', '--json']), env);
        samples.warm.push(w.ms);
        rss.warm.push(w.maxRssKb);
        output = w.stdout;
      }
      const cacheFile = join(cache, 'kpi-local.sqlite');
      const baseline = median(samples.baseline);
      const cold = median(samples.cold);
      const warm = median(samples.warm);
      const metrics = JSON.parse(output);
      return {
        name: 'kpi',
        tickets,
        runs,
        seed_ms: seedMs,
        export_pages: raw.pages,
        node_ms: round(median(samples.node)),
        baseline_download_ms: round(baseline),
        cold_ms: round(cold),
        warm_ms: round(warm),
        cold_ratio: round(cold / baseline, 2),
        warm_ratio: round(warm / baseline, 2),
        requests_cold: { incremental: count(coldLog, '/incremental/'), total: count(coldLog, ' GET ') },
        requests_warm: { incremental: count(warmLog, '/incremental/'), total: count(warmLog, ' GET ') },
        peak_rss_mb: { baseline: mb(Math.max(...rss.baseline)), cold: mb(Math.max(...rss.cold)), warm: mb(Math.max(...rss.warm)) },
        cache_mb: round([cacheFile, `${cacheFile}-wal`].filter((f) => existsSync(f)).reduce((sum, f) => sum + statSync(f).size, 0) / 1048576),
        created_n: metrics.created?.n ?? null,
        load_average: round(loadavg()[0], 2),
      };
    } finally {
      await desk.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [tickets, runs] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await benchKpi({ tickets: tickets || undefined, runs: runs || undefined }), null, 2));
}
