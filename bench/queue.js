// The urgency queue over 10,000 unsolved tickets: the ranking itself in-process (target under
// 100 ms), the whole `deskops queue --view all --json` command, and the time to the first
// triage frame over 500 unsolved tickets in a pseudo-terminal (target within 1 s), with
// `node -e 0` measured in the same run as the baseline. Needs `npm run build` (uses dist/).
//
//   node bench/queue.js [runs]      prints the figures as JSON
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'deskops.js');
const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (ms) => +ms.toFixed(1);

function cleanEnv(home) {
  const env = { ...process.env, DESKOPS_HOME: home, NO_COLOR: '1' };
  for (const k of ['DESKOPS_PROFILE', 'DESKOPS_URL', 'DESKOPS_TOKEN', 'DESKOPS_EMAIL', 'CI']) delete env[k];
  return env;
}

function timeRun(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

async function openDesk(home) {
  const [{ startDesk }, { createHelpDesk }] = await Promise.all([dist('desk/index.js'), dist('api/index.js')]);
  const running = await startDesk({ home, rateLimit: 1_000_000 });
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
  const { seedDesk } = await dist('desk/index.js');
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
function firstTriageFrame(env, { columns = 100, rows = 30, limit = 500 } = {}) {
  return new Promise((resolve, reject) => {
    const cmd = `stty cols ${columns} rows ${rows}; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} triage --view all --limit ${limit}`;
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

export async function benchQueue({ runs = 5, tickets = 10_000, triageTickets = 500 } = {}) {
  const load = (await import('node:os')).loadavg()[0];
  const homes = [mkdtempSync(join(tmpdir(), 'deskops-bench-queue-')), mkdtempSync(join(tmpdir(), 'deskops-bench-triage-'))];
  const [home, triageHome] = homes;
  try {
    const seedStart = Date.now();
    const { tickets: queue, desk, running } = await seedUnsolved(home, tickets, 7);
    const seedMs = Date.now() - seedStart;

    // 1. The ranking alone, in-process, over every unsolved ticket (VIP flags and the
    //    description's anger signals included, as buildQueue scores them).
    const rankSamples = [];
    let ranked;
    try {
      const [{ rankByUrgency }, { isVipOrganization }] = await Promise.all([dist('core/urgency.js'), dist('services/queue.js')]);
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
    const env = cleanEnv(home);
    const requests = timeRun([bin, 'queue', '--view', 'all', '--limit', '50', '--json', '--verbose'], env).stderr
      .split('\n')
      .filter((l) => /\bGET\b|\bPUT\b|\bPOST\b/.test(l)).length;
    const samples = { node: [], queue: [] };
    for (let i = 0; i < runs; i++) {
      samples.node.push(timeRun(['-e', '0'], env).ms);
      samples.queue.push(timeRun([bin, 'queue', '--view', 'all', '--limit', '50', '--json'], env).ms);
    }

    // 3. The first triage frame over `triageTickets` unsolved tickets, in a pseudo-terminal.
    let triage = null;
    let triageNote;
    if (spawnSync('script', ['--version']).status === 0) {
      const seeded = await seedUnsolved(triageHome, triageTickets, 9);
      await seeded.running.close();
      const tenv = { ...cleanEnv(triageHome), TERM: 'xterm-256color' };
      await firstTriageFrame(tenv, { limit: triageTickets }); // warm the file cache
      const frames = [];
      for (let i = 0; i < Math.max(3, runs); i++) frames.push(await firstTriageFrame(tenv, { limit: triageTickets }));
      triage = {
        unsolved: seeded.tickets.length,
        first_frame_ms: round(median(frames.map((f) => f.firstFrame))),
        first_rows_ms: round(median(frames.map((f) => f.firstRows))),
      };
    } else {
      triageNote = 'util-linux `script` not found: no pseudo-terminal, triage not measured';
    }

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
      queue_ratio: +(queueMs / node).toFixed(2),
      queue_requests: requests,
      triage_unsolved_tickets: triage?.unsolved ?? null,
      triage_first_frame_ms: triage?.first_frame_ms ?? null,
      triage_first_rows_ms: triage?.first_rows_ms ?? null,
      triage_first_rows_ratio: triage ? +(triage.first_rows_ms / node).toFixed(2) : null,
      ...(triageNote ? { note: triageNote } : {}),
      load_average: +load.toFixed(2),
      targets: { rank_ms: 100, triage_first_rows_ms: 1000 },
    };
  } finally {
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchQueue({ runs: Number(process.argv[2] ?? 5) });
  console.log(JSON.stringify(r, null, 2));
}
