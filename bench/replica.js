// The ticket replica (issue 18: reads that cost what changed, not the size of the view).
// Every figure is measured beside its baseline in the same run, never asserted:
//
//  refresh  `queue --view all --json` as separate CLI processes on one desk: the first read
//           (fills the replica), a second with nothing changed (target: at most 3 requests
//           whatever the view's size), then after k tickets changed on the desk. Requests are
//           counted on the desk (its request log).
//  team     N agents (default 50) each running triage's refresh (services/queue buildQueue
//           with its replica, as the screen does every 60 s) against one `deskops desk serve`
//           (a child process), each also making one change a minute to a ticket near the top
//           of its queue (a tag, an assignment, an internal note or a priority, as a safe
//           update), while customers reply on agents/5 tickets a minute. Minutes may be compressed (--minute-seconds, no further than the desk's
//           100 ticket updates a minute allow); the figures are per simulated minute as the
//           desk's own log saw them. Target: refreshes at most 350
//           requests a minute for 50 agents. Baseline, same run: one agent refreshing as triage
//           did before the replica (the search export of the view, QueueCache in memory).
//  warm     `queue --view all --json` with a warm replica over 10,000 unsolved tickets, against
//           `node -e 0` (target under 0.5 s and within 4x).
//  cold     `ticket list --status any --all --json` with no replica yet (as the admin: the
//           incremental export) over 10,000 tickets, against a plain download of the incremental
//           export's pages with fetch in a process of its own: the tickets alone (cold_ratio, the
//           target's), and the same requests deskops makes, the people sideloaded
//           (cold_ratio_same_requests). And the floor of any client that prints the same list:
//           one that stores nothing, keeps the pages in memory and prints them in id order
//           (lib.js PRINT_EXPORT, the same bytes): floor_ratio, and cold_vs_floor (what the
//           replica's storing and reading back cost over it).
//
//   node bench/replica.js [--quick] [--only refresh|team|warm|cold] [--agents N] [--minutes M]
//                         [--minute-seconds S] [--customer-replies N] [--tickets N]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LENIENT } from './conditions.js';
import { FETCH_EXPORT, PRINT_EXPORT, bin, bundle, bundleDir, cliArgs, deskEnv, isMain, mb, median, requireBuild, round, timeNode } from './lib.js';

let libPromise;
let workDir;
function lib() {
  libPromise ??= (async () => {
    requireBuild();
    workDir = bundleDir('replica');
    process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
    const outfile = join(workDir, 'lib.mjs');
    await bundle(
      `export { seedDesk, startDesk } from './src/desk/index.ts';
       export { createHelpDesk } from './src/api/index.ts';
       export { buildQueue, QueueCache, DEFAULT_ENRICH } from './src/services/queue.ts';
       export { ReplicaSession } from './src/services/replica/session.ts';`,
      outfile,
    );
    return import(pathToFileURL(outfile).href);
  })();
  return libPromise;
}

const requestLines = (lines) => lines.filter((l) => /^(GET|PUT|POST|DELETE) \/api\//.test(l));

/** (a) What a `queue --view all` costs: first read, nothing changed, k tickets changed. */
export async function benchRefresh({ tickets = 10_000, changes = [1, 10, 100] } = {}) {
  const { seedDesk, startDesk, createHelpDesk } = await lib();
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-refresh-'));
  try {
    await seedDesk({ home, tickets, seed: 3 });
    const lines = [];
    const desk = await startDesk({ home, rateLimit: 1_000_000, ...LENIENT.desk, log: (l) => lines.push(l) });
    try {
      const env = deskEnv(home, { DESKOPS_URL: desk.url, ...LENIENT.env });
      const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: desk.email, token: desk.token }, profile: 'bench' }, { endpointLimits: [] });
      const run = async (args) => {
        const from = lines.length;
        const r = await timeNode(cliArgs(args), env);
        return { ms: round(r.ms), requests: requestLines(lines.slice(from)).length, summary: r.stderr.split('\n').find((l) => l.startsWith('> cost:')) ?? '' };
      };
      const queue = ['queue', '--view', 'all', '--json', '--verbose'];
      const first = await run(queue);
      const unchanged = await run(queue);
      const unsolved = [];
      for await (const t of api.exportSearchTickets('type:ticket status<solved', { pageSize: 1000 })) unsolved.push(t);
      const changed = [];
      let next = 0;
      for (const k of changes) {
        // a mix of what agents do: a tag, a priority, an internal note (a new comment)
        for (let i = 0; i < k; i++) {
          const t = unsolved[next++ % unsolved.length];
          const kind = i % 3;
          await api.updateTicket(t.id, kind === 0 ? { additional_tags: ['bench_touch'] } : kind === 1 ? { priority: t.priority === 'urgent' ? 'high' : 'urgent' } : { comment: { body: 'Checked with the warehouse.', public: false } });
        }
        changed.push({ changed: k, ...(await run(queue)) });
      }
      return { tickets, unsolved: unsolved.length, first, unchanged, changed, target_unchanged_requests: 3 };
    } finally {
      await desk.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Starts `deskops desk serve` on `home`; resolves its URL and token, and a log of its requests with arrival times. */
function deskServe(home, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'desk', 'serve', ...args], { env: deskEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    const log = [];
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      err += d;
      let nl;
      while ((nl = err.indexOf('\n')) >= 0) {
        const line = err.slice(0, nl);
        err = err.slice(nl + 1);
        if (line.startsWith('< ')) log.push({ at: Date.now(), line: line.slice(2) });
      }
    });
    child.stdout.on('data', (d) => {
      out += d;
      const url = /export DESKOPS_URL='([^']+)'/.exec(out)?.[1];
      const token = /export DESKOPS_TOKEN='([^']+)'/.exec(out)?.[1];
      const admin = /# admin: DESKOPS_EMAIL=(\S+)/.exec(out)?.[1];
      if (url && token && admin) resolve({ url, token, adminEmail: admin, log, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`desk serve exited ${code}: ${err.slice(-400)}`)));
  });
}

/**
 * (b) N agents, each refreshing its queue once a simulated minute (as triage does every 60 s)
 * and making one change a minute, against one `desk serve`.
 */
export async function benchTeam({ agents = 50, minutes = 4, minuteSeconds = 40, tickets = 500, customerReplies = Math.ceil(agents / 5) } = {}) {
  const { seedDesk, createHelpDesk, buildQueue, QueueCache, DEFAULT_ENRICH, ReplicaSession } = await lib();
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-team-'));
  const agentsHome = mkdtempSync(join(tmpdir(), 'deskops-bench-team-agents-'));
  // The desk's own account limit is lifted only because minutes are compressed: what counts is
  // the rate per simulated minute. Its endpoint limits and search lag stay Zendesk's.
  const server = await (async () => {
    await seedDesk({ home, tickets, seed: 1 });
    return deskServe(home, ['--rate-limit', '1000000', '--index-lag', '30']);
  })();
  try {
    const connect = (email, profile, logger) =>
      createHelpDesk({ kind: 'local', url: server.url, auth: { type: 'basic-token', email, token: server.token }, profile }, { endpointLimits: [], ...(logger ? { logger } : {}) });
    // Customers write too (by email, in Zendesk; here as the admin with the requester as author):
    // not the team's requests, so left out of what the desk saw for the team.
    const customers = { requests: 0 };
    const admin = await connect(server.adminEmail, 'bench-admin', () => customers.requests++);
    const emails = [];
    for await (const u of admin.listUsers({ role: 'agent' })) emails.push(u.email);
    const team = [];
    // the refreshes' requests by endpoint, after the first minute
    const steadyEndpoints = { on: false, counts: {} };
    for (let i = 0; i < agents; i++) {
      const counts = { refresh: 0, writes: 0, phase: 'refresh' };
      const desk = await connect(emails[i % emails.length], `agent-${i + 1}`, (e) => {
        counts[counts.phase]++;
        if (counts.phase === 'refresh' && steadyEndpoints.on) {
          const path = new URL(e.url).pathname.replace(/^\/api\/v2\//, '').replace(/\/\d+(?=\/|$)/g, '/:id');
          steadyEndpoints.counts[path] = (steadyEndpoints.counts[path] ?? 0) + 1;
        }
      });
      const session = ReplicaSession.open({ home: agentsHome, desk, now: () => new Date() });
      team.push({ desk, session, source: session.queueSource(), cache: new QueueCache(), counts, conflicts: 0, refused: 0, changes: 0 });
    }
    // The baseline: one agent refreshing as triage did before the replica.
    const before = { refresh: 0 };
    const beforeDesk = await connect(emails[0], 'agent-before', () => before.refresh++);
    const beforeCache = new QueueCache();
    const beforeCounts = [];

    const view = { kind: 'all' };
    const refresh = (a) => buildQueue(a.session.desk, { view, limit: 500, enrich: DEFAULT_ENRICH, cache: a.cache, source: a.source });
    const change = async (a, q, minute, i) => {
      a.counts.phase = 'writes';
      try {
        // each agent works its own ticket near the top (agents share one view)
        const item = q.items[(i + minute * 7) % Math.min(agents + 10, q.items.length)];
        if (!item) return;
        const t = item.ticket;
        const kind = (minute + i) % 4;
        const update =
          kind === 0 ? { additional_tags: [`worked_${minute}`] } : kind === 1 ? { assignee_id: (await a.session.desk.me()).id } : kind === 2 ? { comment: { body: 'Looking into this now.', public: false } } : { priority: t.priority === 'urgent' ? 'high' : 'urgent' };
        await a.desk.updateTicket(t.id, update, { ifUnmodifiedSince: t.updated_at });
        a.changes++;
      } catch (err) {
        if (err?.constructor?.name === 'ConflictError' || /conflict|modified/i.test(String(err?.message))) a.conflicts++;
        else if (err?.status === 429) a.refused++;
        else throw err;
      } finally {
        a.counts.phase = 'refresh';
      }
    };

    const perMinute = [];
    const start = Date.now();
    for (let minute = 0; minute < minutes; minute++) {
      steadyEndpoints.on = minute > 0;
      const began = Date.now();
      const logFrom = server.log.length;
      const marks = team.map((a) => ({ refresh: a.counts.refresh, writes: a.counts.writes }));
      const beforeMark = before.refresh;
      const customersMark = customers.requests;
      const open = [];
      for await (const t of admin.exportSearchTickets('type:ticket status<solved', { pageSize: 1000 })) open.push(t);
      const customerWrites = Array.from({ length: customerReplies }, (_, k) => open[(minute * 31 + k * 17) % open.length]).map((t, k) =>
        new Promise((r) => setTimeout(r, (k / customerReplies) * minuteSeconds * 500)).then(() =>
          admin.updateTicket(t.id, { comment: { body: 'Any news on this? I am still waiting!!', public: true, author_id: t.requester_id } }).catch(() => undefined),
        ),
      );
      // Agents start their minute spread over it, as real refresh timers are.
      await Promise.all(
        team.map(async (a, i) => {
          await new Promise((r) => setTimeout(r, (i / agents) * minuteSeconds * 500));
          const q = await refresh(a);
          await change(a, q, minute, i);
        }),
      );
      await Promise.all(customerWrites);
      await buildQueue(beforeDesk, { view, limit: 500, enrich: DEFAULT_ENRICH, cache: beforeCache });
      beforeCounts.push(before.refresh - beforeMark);
      const spent = Date.now() - began;
      if (spent < minuteSeconds * 1000) await new Promise((r) => setTimeout(r, minuteSeconds * 1000 - spent));
      const seen = requestLines(server.log.slice(logFrom).map((e) => e.line));
      const refreshReq = team.reduce((s, a, i) => s + a.counts.refresh - marks[i].refresh, 0);
      const writeReq = team.reduce((s, a, i) => s + a.counts.writes - marks[i].writes, 0);
      perMinute.push({
        minute: minute + 1,
        desk_saw: seen.length - (before.refresh - beforeMark) - (customers.requests - customersMark),
        refresh_requests: refreshReq,
        write_requests: writeReq,
        answered_429: seen.filter((l) => / 429 /.test(l)).length,
        real_seconds: round(Math.max(spent, minuteSeconds * 1000) / 1000),
      });
    }
    const steady = perMinute.slice(1);
    const avg = (xs) => round(xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length));
    return {
      agents,
      tickets,
      customer_replies_per_min: customerReplies,
      minutes,
      minute_seconds: minuteSeconds,
      real_seconds: round((Date.now() - start) / 1000),
      per_minute: perMinute,
      first_minute_desk_saw: perMinute[0].desk_saw,
      steady_desk_saw_per_min: avg(steady.map((m) => m.desk_saw)),
      steady_refresh_per_min: avg(steady.map((m) => m.refresh_requests)),
      steady_writes_per_min: avg(steady.map((m) => m.write_requests)),
      refresh_per_agent_per_min: round(avg(steady.map((m) => m.refresh_requests)) / agents, 2),
      steady_refresh_by_endpoint_per_min: Object.fromEntries(Object.entries(steadyEndpoints.counts).map(([k, v]) => [k, round(v / Math.max(1, steady.length))]).sort((a, b) => b[1] - a[1])),
      conflicts: team.reduce((s, a) => s + a.conflicts, 0),
      writes_refused_429: team.reduce((s, a) => s + a.refused, 0),
      changes: team.reduce((s, a) => s + a.changes, 0),
      baseline_refresh_per_agent: { first: beforeCounts[0], steady: avg(beforeCounts.slice(1)) },
      baseline_refresh_per_min_for_team: round(avg(beforeCounts.slice(1)) * agents),
      target_refresh_per_min: 350,
    };
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(agentsHome, { recursive: true, force: true });
  }
}

/** (c) Warm `queue --view all --json` over `unsolved` unsolved tickets against `node -e 0`. */
export async function benchWarmQueue({ unsolved = 10_000, runs = 5 } = {}) {
  const { seedDesk, startDesk, createHelpDesk } = await lib();
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-warm-'));
  try {
    // About 40% of the demo tickets are unsolved.
    await seedDesk({ home, tickets: Math.ceil(unsolved / 0.385), seed: 7 });
    const lines = [];
    const desk = await startDesk({ home, rateLimit: 1_000_000, ...LENIENT.desk, log: (l) => lines.push(l) });
    try {
      const env = deskEnv(home, { DESKOPS_URL: desk.url, ...LENIENT.env });
      const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: desk.email, token: desk.token }, profile: 'bench' }, { endpointLimits: [] });
      let count = 0;
      for await (const _ of api.exportSearchTickets('type:ticket status<solved', { pageSize: 1000 })) count++;
      const args = ['queue', '--view', 'all', '--json'];
      const cold = await timeNode(cliArgs(args), env);
      const coldRequests = requestLines(lines).length;
      const samples = { node: [], warm: [] };
      let warmRequests = 0;
      let rss = 0;
      for (let i = 0; i < runs; i++) {
        samples.node.push((await timeNode(['-e', '0'], env)).ms);
        const from = lines.length;
        const w = await timeNode(cliArgs(args), env);
        samples.warm.push(w.ms);
        warmRequests = requestLines(lines.slice(from)).length;
        rss = Math.max(rss, w.maxRssKb ?? 0);
      }
      const node = median(samples.node);
      const warm = median(samples.warm);
      return {
        unsolved: count,
        cold_ms: round(cold.ms),
        cold_requests: coldRequests,
        node_ms: round(node),
        warm_ms: round(warm),
        warm_ratio: round(warm / node, 2),
        warm_requests: warmRequests,
        warm_peak_rss_mb: mb(rss),
        targets: { warm_ms: 500, warm_ratio: 4 },
      };
    } finally {
      await desk.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** (d) Cold `ticket list --status any --all --json` as the admin against a plain fetch of the incremental export. */
export async function benchColdList({ tickets = 10_000, runs = 3 } = {}) {
  const { seedDesk, startDesk } = await lib();
  const home = mkdtempSync(join(tmpdir(), 'deskops-bench-cold-'));
  const script = join(workDir, 'fetch-export.mjs');
  writeFileSync(script, FETCH_EXPORT);
  const printScript = join(workDir, 'print-export.mjs');
  writeFileSync(printScript, PRINT_EXPORT);
  try {
    await seedDesk({ home, tickets, seed: 5 });
    const lines = [];
    const desk = await startDesk({ home, rateLimit: 1_000_000, ...LENIENT.desk, log: (l) => lines.push(l) });
    try {
      const env = deskEnv(home, { DESKOPS_URL: desk.url, DESKOPS_EMAIL: desk.adminEmail, ...LENIENT.env });
      const replicaFiles = ['', '-wal', '-shm'].map((s) => join(home, 'cache', `replica-local.sqlite${s}`));
      const args = ['ticket', 'list', '--status', 'any', '--all', '--json'];
      await timeNode([script, desk.url, desk.adminEmail, desk.token], env); // warm-up
      // the plain download: the tickets alone; and the same requests deskops makes (the people sideloaded)
      const samples = { fetch: [], fetchSame: [], floor: [], cold: [], warm: [] };
      let printed = 0;
      let requests = { cold: 0, warm: 0 };
      let rss = 0;
      for (let i = 0; i < runs; i++) {
        samples.fetch.push((await timeNode([script, desk.url, desk.adminEmail, desk.token], env)).ms);
        samples.fetchSame.push((await timeNode([script, desk.url, desk.adminEmail, desk.token, 'users'], env)).ms);
        // the floor: the same list printed by a client that stores nothing
        samples.floor.push((await timeNode([printScript, desk.url, desk.adminEmail, desk.token], env)).ms);
        for (const f of replicaFiles) rmSync(f, { force: true });
        let from = lines.length;
        const c = await timeNode(cliArgs(args), env);
        samples.cold.push(c.ms);
        requests.cold = requestLines(lines.slice(from)).length;
        rss = Math.max(rss, c.maxRssKb ?? 0);
        printed = JSON.parse(c.stdout).length;
        from = lines.length;
        samples.warm.push((await timeNode(cliArgs(args), env)).ms);
        requests.warm = requestLines(lines.slice(from)).length;
      }
      const fetchMs = median(samples.fetch);
      const cold = median(samples.cold);
      return {
        tickets,
        printed,
        fetch_ms: round(fetchMs),
        fetch_with_users_ms: round(median(samples.fetchSame)),
        cold_ms: round(cold),
        cold_ratio: round(cold / fetchMs, 2),
        cold_ratio_same_requests: round(cold / median(samples.fetchSame), 2),
        floor_ms: round(median(samples.floor)),
        floor_ratio: round(median(samples.floor) / fetchMs, 2),
        floor_ratio_same_requests: round(median(samples.floor) / median(samples.fetchSame), 2),
        cold_vs_floor: round(cold / median(samples.floor), 2),
        cold_requests: requests.cold,
        cold_peak_rss_mb: mb(rss),
        warm_ms: round(median(samples.warm)),
        warm_requests: requests.warm,
      };
    } finally {
      await desk.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export async function benchReplica({ quick = false, only, agents, minutes, minuteSeconds, tickets, customerReplies } = {}) {
  const load = loadavg()[0];
  const out = { name: 'replica', quick };
  if (!only || only === 'refresh') out.refresh = await benchRefresh({ tickets: tickets ?? (quick ? 2000 : 10_000) });
  if (!only || only === 'warm') out.warm = await benchWarmQueue({ unsolved: tickets ?? (quick ? 2000 : 10_000), runs: quick ? 2 : 5 });
  if (!only || only === 'cold') out.cold = await benchColdList({ tickets: tickets ?? (quick ? 2000 : 10_000), runs: quick ? 1 : 3 });
  if (!only || only === 'team') {
    // Compressed no further than the desk's ticket-update limit (100 a minute) allows one
    // change per agent per simulated minute.
    out.team = await benchTeam({ agents: agents ?? (quick ? 10 : 50), minutes: minutes ?? (quick ? 3 : 4), minuteSeconds: minuteSeconds ?? (quick ? 8 : 40), ...(customerReplies !== undefined ? { customerReplies } : {}) });
  }
  out.load_average = round(load, 2);
  return out;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag) => {
    const i = args.indexOf(flag);
    return i === -1 ? undefined : args[i + 1];
  };
  const num = (flag) => (value(flag) === undefined ? undefined : Number(value(flag)));
  if (!existsSync(bin)) throw new Error('run `npm run build` first');
  const r = await benchReplica({ quick: args.includes('--quick'), only: value('--only'), agents: num('--agents'), minutes: num('--minutes'), minuteSeconds: num('--minute-seconds'), tickets: num('--tickets'), customerReplies: num('--customer-replies') });
  console.log(JSON.stringify(r, null, 2));
}
