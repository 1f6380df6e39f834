// The urgency queue over 10,000 unsolved tickets: the ranking itself in-process (target under
// 100 ms), the whole `deskops queue --view all --json` command, and the time to the first
// triage frame over 500 unsolved tickets in a pseudo-terminal (target within 1 s), with
// `node -e 0` measured in the same run as the baseline. Needs `npm run build` (the CLI runs
// from dist/cli); the seeding and ranking code is bundled from src/ here, as bench/kpi.js does.
//
//   node bench/queue.js [runs]             prints the figures as JSON
//   node bench/queue.js [runs] --triage    only the triage first frame (and node -e 0)
//   node bench/queue.js [runs] --triage --against DIR
//                                          the same, interleaved with another build of deskops
//                                          (DIR holds its bin/ and dist/): before/after figures
//                                          from one run, under the same machine noise
import { LENIENT } from './conditions.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, bundle, bundleDir, deskEnv, isMain, median, requireBuild, round, timeRun } from './lib.js';

let libPromise;
/**
 * The desk, the client and the ranking, bundled from src/ into node_modules/.cache (so that
 * libsql, external as in the CLI's build, resolves from the project).
 */
function lib() {
  libPromise ??= (async () => {
    requireBuild();
    const work = bundleDir('queue');
    const outfile = join(work, 'lib.mjs');
    try {
      await bundle(
        `export { seedDesk, startDesk } from './src/desk/index.ts';
         export { createHelpDesk } from './src/api/index.ts';
         export { rankByUrgency } from './src/core/urgency.ts';
         export { isVipOrganization } from './src/services/queue.ts';`,
        outfile,
      );
      return await import(pathToFileURL(outfile).href);
    } finally {
      process.on('exit', () => rmSync(work, { recursive: true, force: true }));
    }
  })();
  return libPromise;
}

async function openDesk(home) {
  const { startDesk, createHelpDesk } = await lib();
  const running = await startDesk({ home, rateLimit: 1_000_000, ...LENIENT.desk });
  const desk = await createHelpDesk({
    kind: 'local',
    url: running.url,
    auth: { type: 'basic-token', email: running.email, token: running.token },
    profile: 'bench',
  });
  return { running, desk };
}

/** Seeds `home` so that it holds at least `unsolved` unsolved tickets; returns them. */
async function seedUnsolved(home, unsolved, seed) {
  const { seedDesk } = await lib();
  // About 37% of the demo tickets are unsolved; seed a little more than needed.
  await seedDesk({ home, tickets: Math.ceil((unsolved / 0.4) * 1.02), seed });
  const { running, desk } = await openDesk(home);
  try {
    const tickets = [];
    for await (const t of desk.exportSearchTickets('type:ticket status<solved', { pageSize: 1000 })) tickets.push(t);
    let extra = 0;
    while (tickets.length < unsolved) {
      tickets.push(
        await desk.createTicket({
          subject: `Bench ticket ${++extra}: where is my order?`,
          comment: { body: 'Still nothing. This is the third time I ask!!' },
          requester: { name: `Bench Customer ${extra}`, email: `bench${extra}@example.com` },
          priority: 'high',
          status: 'open',
        }),
      );
    }
    return { tickets, desk, running };
  } catch (err) {
    await running.close();
    throw err;
  }
}

/** Time from spawn to the first frame, and to the first frame with ticket rows, in a pty. */
function firstTriageFrame(env, { columns = 100, rows = 30, limit = 500, cli = bin } = {}) {
  return new Promise((resolve, reject) => {
    const cmd = `stty cols ${columns} rows ${rows}; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} triage --view all --limit ${limit}`;
    const start = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let firstFrame = null;
    let firstRows = null;
    const since = () => Number(process.hrtime.bigint() - start) / 1e6;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no triage frame within 20 s; output: ${out.slice(-500)}`));
    }, 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const plain = out.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
      if (firstFrame === null && plain.includes('deskops triage')) firstFrame = since();
      if (firstRows === null && /› +\d+ /.test(plain)) {
        firstRows = since();
        child.stdin.write('q');
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (firstRows === null) reject(new Error(`triage exited before showing tickets; output: ${out.slice(-500)}`));
      else resolve({ firstFrame, firstRows, total: since() });
    });
  });
}

/**
 * The first triage frame over `triageTickets` unsolved tickets in a pseudo-terminal, with
 * `node -e 0` interleaved (same run, same machine noise). Null when there is no `script`.
 */
async function benchTriage(home, { runs, triageTickets, against }) {
  if (spawnSync('script', ['--version']).status !== 0) return null;
  const seeded = await seedUnsolved(home, triageTickets, 9);
  await seeded.running.close();
  const tenv = { ...deskEnv(home, { DESKOPS_DESK_INDEX_LAG: '0', ...LENIENT.env }), TERM: 'xterm-256color' };
  const clis = [bin, ...(against ? [against] : [])];
  for (const cli of clis) await firstTriageFrame(tenv, { limit: triageTickets, cli }); // warm the file cache
  const frames = clis.map(() => []);
  const node = [];
  for (let i = 0; i < Math.max(3, runs); i++) {
    node.push(timeRun(['-e', '0'], tenv).ms);
    for (const [k, cli] of clis.entries()) frames[k].push(await firstTriageFrame(tenv, { limit: triageTickets, cli }));
  }
  const figures = (f) => ({ first_frame_ms: round(median(f.map((x) => x.firstFrame))), first_rows_ms: round(median(f.map((x) => x.firstRows))) });
  return {
    unsolved: seeded.tickets.length,
    node_ms: round(median(node)),
    ...figures(frames[0]),
    ...(against ? { against: { cli: against, ...figures(frames[1]) } } : {}),
  };
}

export async function benchQueue({ runs = 5, tickets = 10_000, triageTickets = 500, only, against } = {}) {
  const load = (await import('node:os')).loadavg()[0];
  const homes = [mkdtempSync(join(tmpdir(), 'deskops-bench-queue-')), mkdtempSync(join(tmpdir(), 'deskops-bench-triage-'))];
  const [home, triageHome] = homes;
  try {
    if (only === 'triage') {
      const triage = await benchTriage(triageHome, { runs, triageTickets, against });
      if (!triage) throw new Error('util-linux `script` not found: no pseudo-terminal');
      return {
        name: 'queue (triage only)',
        runs: Math.max(3, runs),
        node_ms: triage.node_ms,
        triage_unsolved_tickets: triage.unsolved,
        triage_first_frame_ms: triage.first_frame_ms,
        triage_first_rows_ms: triage.first_rows_ms,
        triage_first_rows_ratio: round(triage.first_rows_ms / triage.node_ms, 2),
        ...(triage.against
          ? {
              against: triage.against.cli,
              against_first_frame_ms: triage.against.first_frame_ms,
              against_first_rows_ms: triage.against.first_rows_ms,
              against_first_rows_ratio: round(triage.against.first_rows_ms / triage.node_ms, 2),
            }
          : {}),
        load_average: round(load, 2),
        targets: { triage_first_rows_ms: 1000 },
      };
    }
    const seedStart = Date.now();
    const { tickets: queue, desk, running } = await seedUnsolved(home, tickets, 7);
    const seedMs = Date.now() - seedStart;

    // 1. The ranking alone, in-process, over every unsolved ticket (VIP flags and the
    //    description's anger signals included, as buildQueue scores them).
    const rankSamples = [];
    let ranked;
    try {
      const { rankByUrgency, isVipOrganization } = await lib();
      const orgIds = [...new Set(queue.map((t) => t.organization_id).filter((id) => id !== null))];
      const vip = new Set((await desk.getOrganizations(orgIds)).filter(isVipOrganization).map((o) => o.id));
      const now = new Date();
      const context = (t) => ({ now, vip: t.organization_id !== null && vip.has(t.organization_id) });
      const sample = queue.slice(0, tickets);
      for (let i = 0; i < 3; i++) rankByUrgency(sample, (t) => t, context); // warm up the JIT
      for (let i = 0; i < Math.max(9, runs * 3); i++) {
        const start = process.hrtime.bigint();
        ranked = rankByUrgency(sample, (t) => t, context);
        rankSamples.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    } finally {
      await running.close();
    }

    // 2. The whole command against node -e 0, interleaved.
    const env = deskEnv(home, { DESKOPS_DESK_INDEX_LAG: '0', ...LENIENT.env });
    const requests = timeRun([bin, 'queue', '--view', 'all', '--limit', '50', '--json', '--verbose'], env).stderr
      .split('\n')
      .filter((l) => /\bGET\b|\bPUT\b|\bPOST\b/.test(l)).length;
    const samples = { node: [], queue: [] };
    for (let i = 0; i < runs; i++) {
      samples.node.push(timeRun(['-e', '0'], env).ms);
      samples.queue.push(timeRun([bin, 'queue', '--view', 'all', '--limit', '50', '--json'], env).ms);
    }

    // 3. The first triage frame over `triageTickets` unsolved tickets, in a pseudo-terminal.
    const triage = await benchTriage(triageHome, { runs, triageTickets });

    const node = median(samples.node);
    const queueMs = median(samples.queue);
    const rank = median(rankSamples);
    return {
      name: 'queue',
      runs,
      unsolved_tickets: queue.length,
      seed_ms: seedMs,
      top_urgency: ranked?.[0]?.urgency.score ?? null,
      node_ms: round(node),
      ranked_tickets: Math.min(tickets, queue.length),
      rank_ms: round(rank),
      rank_best_ms: round(Math.min(...rankSamples)),
      queue_json_ms: round(queueMs),
      queue_ratio: round(queueMs / node, 2),
      queue_requests: requests,
      triage_unsolved_tickets: triage?.unsolved ?? null,
      triage_node_ms: triage?.node_ms ?? null,
      triage_first_frame_ms: triage?.first_frame_ms ?? null,
      triage_first_rows_ms: triage?.first_rows_ms ?? null,
      triage_first_rows_ratio: triage ? round(triage.first_rows_ms / triage.node_ms, 2) : null,
      ...(triage ? {} : { note: 'util-linux `script` not found: no pseudo-terminal, triage not measured' }),
      load_average: round(load, 2),
      targets: { rank_ms: 100, triage_first_rows_ms: 1000 },
    };
  } finally {
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
  const at = args.indexOf('--against');
  const against = at === -1 ? undefined : join(args[at + 1] ?? '', 'bin', 'deskops.js');
  if (against && !existsSync(against)) throw new Error(`--against: ${against} not found (give a directory with a built deskops)`);
  if (against && !args.includes('--triage')) throw new Error('--against goes with --triage');
  const r = await benchQueue({ runs, only: args.includes('--triage') ? 'triage' : undefined, against });
  console.log(JSON.stringify(r, null, 2));
}
