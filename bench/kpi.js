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
import { LENIENT } from './conditions.js';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle, bundleDir, cliArgs, deskEnv, isMain, mb, median, requireBuild, round, timeNode } from './lib.js';

export async function benchKpi({ tickets = 10_000, runs = 3 } = {}) {
  requireBuild();
  // The bundles live under node_modules/.cache so that they resolve libsql (kept external, as
  // in the CLI's build) from the project; the desk's home is a temp dir.
  const work = bundleDir('kpi');
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-kpi-'));
  try {
    await bundle(`export { seedDesk, startDesk } from './src/desk/index.ts';`, join(work, 'desk.mjs'));
    await bundle(`export { createHelpDesk } from './src/api/index.ts';`, join(work, 'client.mjs'));
    writeFileSync(
      join(work, 'download.mjs'),
      `import { createHelpDesk } from './client.mjs';
       const [url, email, token] = process.argv.slice(2);
       // The lenient desk keeps no endpoint limits, so the baseline client paces to none either.
       const desk = await createHelpDesk({ kind: 'local', url, auth: { type: 'basic-token', email, token }, profile: 'bench' }, { endpointLimits: [] });
       let tickets = 0, pages = 0;
       for await (const page of desk.incrementalTickets({ startTime: 0 }, { pageSize: 1000 })) { tickets += page.tickets.length; pages++; }
       process.stdout.write(JSON.stringify({ tickets, pages }));
       process.on('exit', () => process.stderr.write('\\n@@maxrss ' + process.resourceUsage().maxRSS + '\\n'));`,
    );
    const { seedDesk, startDesk } = await import(pathToFileURL(join(work, 'desk.mjs')).href);
    const seedStart = Date.now();
    await seedDesk({ home, tickets, seed: 1 });
    const seedMs = Date.now() - seedStart;
    const desk = await startDesk({ home, rateLimit: 100_000_000, ...LENIENT.desk });
    try {
      // As the admin: the incremental export is admin-only (an agent's run reads the search export).
      const env = deskEnv(home, { DESKOPS_URL: desk.url, DESKOPS_EMAIL: desk.adminEmail, ...LENIENT.env });
      const cache = join(home, 'cache');
      const download = [join(work, 'download.mjs'), desk.url, desk.adminEmail, desk.token];

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

if (isMain(import.meta.url)) {
  const [tickets, runs] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await benchKpi({ tickets: tickets || undefined, runs: runs || undefined }), null, 2));
}
