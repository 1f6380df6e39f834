// The main commands under Zendesk-realistic conditions (bench/conditions.js: enterprise plan,
// endpoint limits, 150 ms latency, search 30 s behind), each beside the floor those limits
// allow, so a user sees the time they will get on their account and why. Each command gets
// a fresh desk (in this process) on the same database, so one command's requests never count
// against the next one's minute; the commands run in order and change the data as they go
// (sweep run before survey send). The cold `ticket list --all` runs beside a plain client's download
// of the same export on the same desk (lib.js FETCH_EXPORT): cold_list_ratio.
//
//   node bench/realistic.js [tickets] [--only NAME-PART]   (default 10000, every case)
//   node bench/realistic.js 100000 --only "as an admin"   (the 100,000-ticket KPI read, ~10 min)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FETCH_EXPORT, bundle, bundleDir, cliArgs, deskEnv, isMain, mb, requireBuild, round, timeNode } from './lib.js';
import { REALISTIC, countRequests, limitFloorMs, sequentialLatencyMs } from './conditions.js';

export async function benchRealistic({ tickets = 10_000, only } = {}) {
  requireBuild();
  const work = bundleDir('realistic');
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-realistic-'));
  try {
    await bundle(`export { seedDesk, startDesk } from './src/desk/index.ts';`, join(work, 'desk.mjs'));
    const { seedDesk, startDesk } = await import(pathToFileURL(join(work, 'desk.mjs')).href);
    const fetchScript = join(work, 'fetch-export.mjs');
    writeFileSync(fetchScript, FETCH_EXPORT);
    await seedDesk({ home, tickets, seed: 1 });

    const cases = [
      { name: 'ticket list --json', as: 'agent', args: ['ticket', 'list', '--json'] },
      { name: 'queue --view all --json', as: 'agent', args: ['queue', '--view', 'all', '--json'] },
      // the ticket replica the first read filled: what every later read (and triage refresh) costs
      { name: 'queue --view all --json, again (replica filled)', as: 'agent', args: ['queue', '--view', 'all', '--json'] },
      { name: 'kpi, empty cache, as an admin (incremental export)', as: 'admin', args: ['kpi', '--json', '--no-cache'] },
      { name: 'kpi, empty cache, as an agent (search export + show_many)', as: 'agent', args: ['kpi', '--json', '--no-cache'] },
      { name: 'sweep run', as: 'agent', args: ['sweep', 'run', '--yes', '--json'], ok: [0, 3] },
      { name: 'survey send --type nps --since 30d', as: 'agent', args: ['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json'], ok: [0, 3] },
      // last, as it empties the cache: the cold list beside a plain download of the same export on the same desk (a fetch loop in a process of its own)
      { name: 'ticket list --status any --all --json, no replica yet, as an admin (incremental export)', as: 'admin', args: ['ticket', 'list', '--status', 'any', '--all', '--json'], emptyCache: true },
      { name: 'plain download of the incremental export, tickets alone', as: 'admin', script: [] },
      { name: 'plain download of the incremental export, people sideloaded (the requests deskops makes)', as: 'admin', script: ['users'] },
    ];
    const results = [];
    for (const c of cases.filter((x) => !only || x.name.includes(only))) {
      const lines = [];
      const desk = await startDesk({ home, ...REALISTIC.desk, log: (line) => lines.push(line) });
      try {
        const env = deskEnv(home, { DESKOPS_URL: desk.url, DESKOPS_EMAIL: c.as === 'admin' ? desk.adminEmail : desk.email, ...REALISTIC.env });
        if (c.emptyCache) rmSync(join(home, 'cache'), { recursive: true, force: true });
        const run = c.script
          ? await timeNode([fetchScript, desk.url, desk.adminEmail, desk.token, ...c.script], env)
          : await timeNode(cliArgs(c.args), env, c.ok ?? [0]);
        const requests = countRequests(lines);
        results.push({
          case: c.name,
          as: c.as,
          ms: round(run.ms),
          requests,
          limit_floor_ms: limitFloorMs(requests),
          sequential_latency_ms: sequentialLatencyMs(requests),
          peak_rss_mb: run.maxRssKb ? mb(run.maxRssKb) : null,
        });
      } finally {
        await desk.close();
      }
    }
    // What the limits alone make of the largest KPI read, without running it for ten minutes.
    const pages100k = 100;
    return {
      name: 'realistic',
      conditions: REALISTIC.label,
      tickets,
      cases: results,
      // the cold list against the plain downloads of the same export, when all three ran
      ...coldListRatios(results),
      projection_100k_admin_kpi: {
        incremental_pages: pages100k,
        limit_floor_ms: limitFloorMs({ total: pages100k + 5, incremental: pages100k }),
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

function coldListRatios(results) {
  const ms = (part) => results.find((r) => r.case.includes(part))?.ms;
  const list = ms('ticket list --status any --all');
  const alone = ms('tickets alone');
  const same = ms('people sideloaded');
  if (!list || !alone || !same) return {};
  return { cold_list_ratio: round(list / alone, 2), cold_list_ratio_same_requests: round(list / same, 2) };
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--only');
  const only = at >= 0 ? args[at + 1] : undefined;
  const tickets = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--only'));
  console.log(JSON.stringify(await benchRealistic({ tickets: tickets || undefined, only }), null, 2));
}
