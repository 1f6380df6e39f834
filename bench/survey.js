// Surveys at scale on the local desk (700 requests/min), the CLI in a process of its own:
//   send     `survey send --type nps` to every eligible solved ticket (about 10,000; 1,000 with
//            `quick`): wall time, requests (writes apart), the highest request rate the desk saw
//            in any minute against the budget, peak RSS, exactly once counted on the desk;
//            against the baseline of just reading the candidates (the same search export, raw
//            client, its own process), measured in the same run; then a second send (sends 0).
//   collect  after 30% of the customers answer (`desk answer-surveys`), `survey collect`: wall
//            time, requests per answer read, peak RSS.
//
//   node bench/survey.js [--quick]          prints the figures as JSON (needs `npm run build`)
import { LENIENT } from './conditions.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle, bundleDir, cliArgs, deskCount, deskEnv, isMain, maxInWindow, mb, requireBuild, round, timeNode } from './lib.js';

/** About one seeded ticket in five is a solved ticket of a requester not yet surveyed. */
export async function benchSurvey({ quick = false, seeded = quick ? 5_000 : 50_000, rateLimit = 700, answerRate = 0.3 } = {}) {
  requireBuild();
  const work = bundleDir('survey');
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-survey-'));
  try {
    await bundle(`export { seedDesk, startDesk } from './src/desk/index.ts'; export { answerSurveys } from './src/desk/survey-answers.ts';`, join(work, 'desk.mjs'));
    await bundle(`export { createHelpDesk } from './src/api/index.ts';`, join(work, 'client.mjs'));
    writeFileSync(
      join(work, 'read.mjs'),
      `import { createHelpDesk } from './client.mjs';
       const [url, email, token, since] = process.argv.slice(2);
       let requests = 0;
       const desk = await createHelpDesk({ kind: 'local', url, auth: { type: 'basic-token', email, token }, profile: 'bench' }, { logger: () => requests++, endpointLimits: [] });
       let tickets = 0;
       for await (const t of desk.exportSearchTickets('type:ticket status:solved solved>=' + since, { pageSize: 1000 })) tickets++;
       process.stdout.write(JSON.stringify({ tickets, requests }));
       process.on('exit', () => process.stderr.write('\\n@@maxrss ' + process.resourceUsage().maxRSS + '\\n'));`,
    );
    const { seedDesk, startDesk, answerSurveys } = await import(pathToFileURL(join(work, 'desk.mjs')).href);
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
    const count = (sql) => deskCount(home, sql);
    const surveyComments = () => count("SELECT count(*) AS n FROM comments WHERE body LIKE '%how likely are you to recommend us%'");
    try {
      const env = deskEnv(home, { DESKOPS_URL: desk.url, DESKOPS_EMAIL: desk.email, DESKOPS_TOKEN: desk.token, ...LENIENT.env });
      const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const node = await timeNode(['-e', '0'], env);
      const base = await timeNode([join(work, 'read.mjs'), desk.url, desk.email, desk.token, since], env);
      const baseline = JSON.parse(base.stdout);

      const before = surveyComments();
      arrivals.length = 0;
      updateMany = 0;
      rateLimited = 0;
      const send = await timeNode(cliArgs(['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json']), env, [0, 3]);
      const sent = JSON.parse(send.stdout);
      const sendArrivals = [...arrivals];
      const sendWrites = updateMany;
      const added = surveyComments() - before;
      const marked = count("SELECT count(*) AS n FROM tickets WHERE tags LIKE '% survey_nps_sent %'");
      const again = JSON.parse((await timeNode(cliArgs(['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json']), env, [0, 3])).stdout);

      const answered = answerSurveys({ home, rate: answerRate, seed: 2 });
      arrivals.length = 0;
      const collect = await timeNode(cliArgs(['survey', 'collect', '--json']), env, [0, 3]);
      const collected = JSON.parse(collect.stdout);
      const collectArrivals = [...arrivals];

      return {
        name: 'survey',
        quick,
        rate_limit_per_min: rateLimit,
        seeded_tickets: seeded,
        seed_ms: seedMs,
        node_ms: round(node.ms),
        baseline: { what: 'the solved-ticket search export, raw', tickets: baseline.tickets, ms: round(base.ms), requests: baseline.requests, peak_rss_mb: mb(base.maxRssKb) },
        send: {
          ms: round(send.ms),
          exit: send.code,
          candidates: sent.candidates,
          eligible: sent.eligible,
          sent: sent.sent,
          skipped: sent.skipped,
          failed: sent.failed,
          requests: sent.requests.total,
          write_requests: sendWrites,
          write_target: Math.ceil(sent.eligible / 100) + 10,
          max_rate_per_min_desk_side: maxInWindow(sendArrivals),
          budget_per_min: sent.requests.budget_per_minute,
          rate_limited: rateLimited,
          peak_rss_mb: mb(send.maxRssKb),
        },
        ratio_ms_vs_baseline: round(send.ms / base.ms, 2),
        exactly_once: { survey_comments_added: added, tickets_marked: marked, sent: sent.sent, ok: added === sent.sent && marked === sent.sent },
        second_send: { sent: again.sent, eligible: again.eligible },
        collect: {
          customers_answered: answered.answered,
          ms: round(collect.ms),
          exit: collect.code,
          answered: collected.answered,
          scored: collected.scored,
          review: collected.review,
          detractors: collected.detractors,
          requests: collected.requests.total,
          requests_per_answer: collected.answered ? round(collected.requests.total / collected.answered, 2) : null,
          max_rate_per_min_desk_side: maxInWindow(collectArrivals),
          peak_rss_mb: mb(collect.maxRssKb),
        },
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
  console.log(JSON.stringify(await benchSurvey({ quick: process.argv.includes('--quick') }), null, 2));
}
