// A follow-up sweep over 10,000 eligible tickets (1,000 with `quick`) on the local desk at
// 700 requests/min, the CLI in a process of its own: wall time, requests (writes apart), the
// highest request rate the desk saw in any minute (the budget is 90% of its limit), and peak
// RSS; against the baseline of just reading the candidates (the same searches, raw client,
// its own process), measured in the same run. Exactly once is checked on the desk's database.
//
// The desk serves from this process; the CLI reaches it through the `local` profile with
// DESKOPS_URL. Needs `npm run build` (the CLI runs from dist/).
//
//   node bench/sweep.js [--quick]          prints the figures as JSON
import { LENIENT } from './conditions.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle, bundleDir, cliArgs, deskCount, deskEnv, isMain, maxInWindow, mb, requireBuild, round, timeNode } from './lib.js';

const RULES = `rules:
  - name: bench_waiting
    when: { status: [pending, hold], since: status_change, at_least: 1 hour }
    then:
      template: followup-pending-reminder-1
  - name: bench_note
    when: { status: [new, open, solved], since: updated, at_least: 1 hour }
    then:
      note: "Bench sweep: #{{ ticket.id }} {{ ticket.title }}"
`;

/**
 * The sweep figures. `quick`: 1,000 eligible tickets instead of 10,000. The desk is seeded with
 * about 1.65 times as many tickets (a third are closed) and the run is capped with --limit.
 */
export async function benchSweep({ quick = false, eligible = quick ? 1_000 : 10_000, rateLimit = 700 } = {}) {
  requireBuild();
  const work = bundleDir('sweep');
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-sweep-'));
  try {
    await bundle(`export { seedDesk, startDesk } from './src/desk/index.ts';`, join(work, 'desk.mjs'));
    await bundle(
      `export { createHelpDesk } from './src/api/index.ts';
       export { parseRuleFile } from './src/core/sweep-rules.ts';
       export { candidateQuery } from './src/core/sweep-plan.ts';`,
      join(work, 'client.mjs'),
    );
    const rulesFile = join(home, 'bench-rules.yml');
    writeFileSync(rulesFile, RULES);
    // The baseline: the candidate searches the sweep makes, read raw, nothing else.
    writeFileSync(
      join(work, 'read.mjs'),
      `import { readFileSync } from 'node:fs';
       import { createHelpDesk, parseRuleFile, candidateQuery } from './client.mjs';
       const [url, email, token, rules] = process.argv.slice(2);
       let requests = 0;
       const desk = await createHelpDesk({ kind: 'local', url, auth: { type: 'basic-token', email, token }, profile: 'bench' }, { logger: () => requests++, endpointLimits: [] });
       const steps = parseRuleFile(readFileSync(rules, 'utf8'), rules).steps;
       const ctx = { now: new Date(), calendar: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], openMinute: 540, closeMinute: 1020 }, groups: [] };
       const seen = new Set();
       for (const s of steps) for await (const t of desk.exportSearchTickets(candidateQuery([s], ctx), { pageSize: 1000 })) seen.add(t.id);
       process.stdout.write(JSON.stringify({ tickets: seen.size, requests }));
       process.on('exit', () => process.stderr.write('\\n@@maxrss ' + process.resourceUsage().maxRSS + '\\n'));`,
    );
    const { seedDesk, startDesk } = await import(pathToFileURL(join(work, 'desk.mjs')).href);
    const seeded = Math.ceil(eligible * 1.65);
    const seedStart = Date.now();
    await seedDesk({ home, tickets: seeded, seed: 1 });
    const seedMs = Date.now() - seedStart;

    const arrivals = [];
    let updateMany = 0;
    let rateLimited = 0;
    const desk = await startDesk({
      home,
      rateLimit,
      ...LENIENT.desk,
      log: (line) => {
        arrivals.push(Date.now());
        if (line.startsWith('PUT /api/v2/tickets/update_many')) updateMany++;
        if (/ 429 /.test(line)) rateLimited++;
      },
    });
    const commentCount = () => deskCount(home, 'SELECT count(*) AS n FROM comments');
    const markedTickets = () => deskCount(home, "SELECT count(*) AS n FROM tickets WHERE tags LIKE '% sweep_bench_%'");
    try {
      const env = deskEnv(home, { DESKOPS_URL: desk.url, DESKOPS_EMAIL: desk.email, DESKOPS_TOKEN: desk.token, ...LENIENT.env });

      const node = await timeNode(['-e', '0'], env);
      const base = await timeNode([join(work, 'read.mjs'), desk.url, desk.email, desk.token, rulesFile], env);
      const baseline = JSON.parse(base.stdout);
      // a fresh minute for the sweep, so the baseline's requests do not count against it
      await new Promise((r) => setTimeout(r, quick ? 0 : 1000));

      const before = commentCount();
      arrivals.length = 0;
      updateMany = 0;
      rateLimited = 0;
      const run = await timeNode(cliArgs(['sweep', 'run', '--yes', '--json', '--rules', rulesFile, '--limit', String(eligible)]), env, [0, 3]);
      const summary = JSON.parse(run.stdout);
      const added = commentCount() - before;
      const marked = markedTickets();
      const sweepArrivals = [...arrivals];
      const writes = updateMany;
      const limited = rateLimited;

      // Run again: nothing it did is done twice (only what --limit left is due).
      const again = await timeNode(cliArgs(['sweep', 'run', '--yes', '--json', '--rules', rulesFile, '--limit', String(eligible)]), env, [0, 3]);
      const second = JSON.parse(again.stdout);

      return {
        name: 'sweep',
        quick,
        rate_limit_per_min: rateLimit,
        seeded_tickets: seeded,
        seed_ms: seedMs,
        eligible: baseline.tickets,
        node_ms: round(node.ms),
        baseline: { what: 'the candidate searches, raw', ms: round(base.ms), requests: baseline.requests, peak_rss_mb: mb(base.maxRssKb) },
        sweep: {
          ms: round(run.ms),
          planning_ms: summary.planning_ms,
          exit: run.code,
          planned: summary.planned,
          sent: summary.sent,
          failed: summary.failed,
          requests: summary.requests.total,
          write_requests: writes,
          write_target: Math.ceil(eligible / 100) + 10,
          max_rate_per_min_desk_side: maxInWindow(sweepArrivals),
          budget_per_min: summary.requests.budget_per_minute,
          rate_limited: limited,
          peak_rss_mb: mb(run.maxRssKb),
          rss_target_mb: 200,
        },
        ratio_ms_vs_baseline: round(run.ms / base.ms, 2),
        exactly_once: { comments_added: added, tickets_marked: marked, sent: summary.sent, ok: added === summary.sent && marked === summary.sent },
        second_run: { ms: round(again.ms), planned: second.planned, sent: second.sent, requests: second.requests.total },
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
  console.log(JSON.stringify(await benchSweep({ quick: process.argv.includes('--quick') }), null, 2));
}
