/**
 * The chaos harness: a bulk job (a follow-up sweep; a survey send can plug in the same way) run
 * as a child process against the embedded desk with seeded faults (429, 500, resets, slow
 * answers), SIGKILLed at seeded points, carried on (`resume <run-id>` or simply run again) until
 * it finishes, then counted on the desk's own SQLite database: every planned message there
 * exactly once, its marker tag beside it, nothing unplanned.
 *
 * One seed decides everything: the fault spec (from FAULT_MATRIX) and the desk's fault RNG, the
 * batch size and --max-attempts, how many times the job is killed and where (the Nth request,
 * update_many, show_many or job poll the desk answers, the Nth intent on the journal's disk, or
 * the moment a new journal appears), whether the update_many jobs a kill leaves queued run late
 * (held back on the desk until the next process has read, sent or polled, or until the end),
 * and whether the job is resumed or run again. Timing still varies from run to run (the faults
 * are drawn per request, in the order requests arrive), so a seed is a scenario, not a replay.
 *
 * To plug in another bulk job (survey send): implement ChaosJob (seed the desk, plan, argv of
 * the first run / resume / re-run, count per message on the desk) and pass it as `job`.
 *
 *   const cli = await prepareCli();                 // the CLI bundled from src/ (once)
 *   const r = await runChaos({ seed: 7, job: sweepJob(), cli, tickets: 200 });
 *   r.duplicates, r.missing, r.unexpected, r.marker_mismatch   // all 0 when exactly once held
 *   await cli.cleanup();
 *
 * Used by test/chaos/sweep-chaos.test.ts (a few seeds) and bench/chaos.js (20+, bundled with
 * esbuild). Plain node + the desk's modules: no vitest in here.
 */
import { spawn } from 'node:child_process';
import { existsSync, watch as watch_, type FSWatcher, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';
import { openDb } from '../../src/desk/db.js';
import { readDeskCredentials, seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { JobRunner } from '../../src/desk/jobs.js';
import { DeskStore } from '../../src/desk/store.js';
import { unixNow } from '../../src/desk/time.js';

// ---------------------------------------------------------------------------------------------
// Seeded choices

/** mulberry32: the same stream for the same seed everywhere. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, int, pick };
}

/** The fault specs a run is drawn from (by seed, in turn): each kind alone, mixes, none (kills only). */
export const FAULT_MATRIX: readonly string[] = [
  '429=0.1,500=0.05,reset=0.01,slow=0.02',
  '500=0.1',
  'reset=0.06',
  '429=0.12',
  'slow=0.04',
  '500=0.08,reset=0.04',
  '429=0.05,500=0.05,reset=0.03,slow=0.01',
  '',
];

export type KillKind = 'request' | 'update_many' | 'job_poll' | 'show_many' | 'intent' | 'journal';

/**
 * When the update_many jobs still queued at a kill run: at once (the desk's normal 25 ms), or
 * held back ("parked") and run late, once the next process has read the tickets, sent its own
 * update_many, polled its job, or only at the very end. A real desk can take minutes.
 */
export type LateJob = 'after-read' | 'after-send' | 'after-job' | 'end';

/** Where a process is killed: at the Nth request of that kind the desk answers (or intent on disk). */
export interface KillPoint {
  kind: KillKind;
  n: number;
  /** The jobs queued at the kill run late (update_many kills only). */
  late?: LateJob;
}

export const KILL_MEANING: Record<KillKind, string> = {
  request: 'any request (planning included)',
  update_many: 'between intent and outcome: update_many answered, job queued, outcome not journaled',
  job_poll: 'mid update_many job: polling its status',
  show_many: 'during a read (recheck, people, resume)',
  intent: 'right after an intent hit the disk, before or while its update_many goes out',
  journal: 'as soon as a new run journal appears (while the run starts and writes its plan)',
};

export type CarryOn = 'resume' | 'rerun' | 'alternate';

export interface Scenario {
  seed: number;
  faults: string;
  batchSize: number;
  maxAttempts: number;
  /** How an interrupted or partial run is carried on. */
  carryOn: CarryOn;
  /** Kill points, one per process, in order; later processes run undisturbed. */
  kills: KillPoint[];
}

/** The scenario of a seed, for a job that plans `planned` messages. */
export function drawScenario(seed: number, planned: number, options: { maxKills?: number } = {}): Scenario {
  const r = rng(seed * 7919 + 17);
  const batchSize = r.pick([5, 10, 20, 25, 50, 100]);
  const batches = Math.max(1, Math.ceil(planned / batchSize));
  const maxKills = options.maxKills ?? 3;
  const count = r.int(1, maxKills);
  const kills: KillPoint[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.pick<KillKind>(['update_many', 'update_many', 'update_many', 'job_poll', 'job_poll', 'intent', 'intent', 'show_many', 'request', 'request', 'journal']);
    // Later processes have less left to do: their points come earlier.
    const span = Math.max(1, Math.ceil(batches / (i + 1)));
    const n =
      kind === 'request' ? r.int(1, 4 + 2 * span) : kind === 'journal' ? 1 : kind === 'show_many' ? r.int(1, 2) : r.int(1, span);
    const late = kind === 'update_many' && r.next() < 0.6 ? r.pick<LateJob>(['after-read', 'after-send', 'after-job', 'end']) : undefined;
    kills.push({ kind, n, ...(late ? { late } : {}) });
  }
  return {
    seed,
    faults: FAULT_MATRIX[seed % FAULT_MATRIX.length]!,
    batchSize,
    maxAttempts: r.pick([1, 2, 4, 4]),
    carryOn: (['resume', 'rerun', 'alternate'] as const)[seed % 3]!,
    kills,
  };
}

// ---------------------------------------------------------------------------------------------
// Jobs

/** One message a job plans: `key` names it in what `count` returns; `marker` is the tag it leaves. */
export interface PlannedMessage {
  key: string;
  ticketId: number;
  marker: string;
}

export interface JobContext {
  root: string;
  deskHome: string;
  cliHome: string;
  seed: number;
  tickets: number;
  scenario?: Scenario;
  /** Runs the CLI (no kill) against the desk now running; for planning. */
  cli(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * A bulk job under test. To add one (e.g. survey send): seed the desk, write what the CLI needs
 * in the CLI's home, plan it (the expected set), give the argv of the first run, of a resume and
 * of a re-run, and count what landed per message on the desk's database.
 */
export interface ChaosJob {
  name: string;
  /** The journal kind: $DESKOPS_HOME/journal/<kind>-<run id>.jsonl. */
  kind: string;
  /** False when the job has no resume command (running it again is how it finishes). */
  canResume?: boolean;
  seed(ctx: JobContext): Promise<void>;
  /** The messages the job should send, planned on a fault-free desk before the first run. */
  plan(ctx: JobContext): Promise<PlannedMessage[]>;
  firstArgv(ctx: JobContext, s: Scenario): string[];
  resumeArgv(ctx: JobContext, s: Scenario, runId: string): string[];
  rerunArgv(ctx: JobContext, s: Scenario): string[];
  /** How many times each message is on the desk (by key); keys not planned count as unexpected. */
  count(db: Database.Database): Map<string, number>;
}

/**
 * A follow-up sweep with the rules `rules` writes (YAML lines), planned with `sweep plan` and
 * carried on with `sweep resume` or another `sweep run`; each body names its rule and ticket
 * ("[chaos] <rule> #<id>"), which is what `count` reads on the desk.
 */
function sweepRulesJob(name: string, file: string, rules: (ctx: JobContext) => string[]): ChaosJob {
  const rulesFile = (ctx: JobContext) => join(ctx.cliHome, file);
  const opts = (s: Scenario) => ['--batch-size', String(s.batchSize), '--max-attempts', String(s.maxAttempts)];
  return {
    name,
    kind: 'sweep',
    async seed(ctx) {
      await seedDesk({ home: ctx.deskHome, tickets: ctx.tickets, seed: ctx.seed });
      writeFileSync(rulesFile(ctx), [...rules(ctx), ''].join('\n'));
    },
    async plan(ctx) {
      const r = await ctx.cli(['sweep', 'plan', '--json', '--rules', rulesFile(ctx)]);
      if (r.code !== 0) throw new Error(`sweep plan exited ${r.code}: ${r.stderr}`);
      const plan = JSON.parse(r.stdout) as { rules: Array<{ rule: string; marker: string; ticket_ids: number[] }> };
      return plan.rules.flatMap((row) => row.ticket_ids.map((id) => ({ key: `${id}:${row.rule}`, ticketId: id, marker: row.marker })));
    },
    firstArgv: (ctx, s) => ['sweep', 'run', '--yes', '--json', '--rules', rulesFile(ctx), ...opts(s)],
    resumeArgv: (_ctx, s, runId) => ['sweep', 'resume', runId, '--yes', '--json', ...opts(s)],
    rerunArgv: (ctx, s) => ['sweep', 'run', '--yes', '--json', '--rules', rulesFile(ctx), ...opts(s)],
    count(db) {
      const out = new Map<string, number>();
      const rows = db.prepare("SELECT ticket_id, body FROM comments WHERE body LIKE '[chaos] %'").all() as Array<{ ticket_id: number; body: string }>;
      for (const row of rows) {
        const m = /^\[chaos\] (\S+) #(\d+)/.exec(row.body);
        // a body on the wrong ticket counts under a key nobody planned
        const key = m ? `${row.ticket_id}:${m[1]}${Number(m[2]) === row.ticket_id ? '' : `@${m[2]}`}` : `${row.ticket_id}:?`;
        out.set(key, (out.get(key) ?? 0) + 1);
      }
      return out;
    },
  };
}

/**
 * A follow-up sweep with rules free of any age (so a re-plan minutes later sees the same work):
 * a public reply on pending/hold tickets, then a note on the same tickets that needs the reply's
 * marker (a second wave), and a note on new/open/solved ones.
 */
export function sweepJob(): ChaosJob {
  return sweepRulesJob('sweep', 'chaos-rules.yml', () => [
    'rules:',
    '  - name: chaos_reply',
    '    when: { status: [pending, hold] }',
    '    then:',
    '      reply: "[chaos] chaos_reply #{{ ticket.id }}"',
    '  - name: chaos_note',
    '    when: { status: [new, open, solved] }',
    '    then:',
    '      note: "[chaos] chaos_note #{{ ticket.id }}"',
    '  - name: chaos_follow',
    '    when: { status: [pending, hold], tags: [sweep_chaos_reply] }',
    '    then:',
    '      note: "[chaos] chaos_follow #{{ ticket.id }}"',
  ]);
}

/**
 * A sweep whose rules read the thread, as the shipped transfer rules do: on tickets whose group
 * changed since the customer last heard from an agent, a reply ("we are on it"), then a note
 * that reads the same condition (a second public message would wait for the contact window),
 * then a note that needs the second's marker: three steps on one ticket, in three waves. Killed
 * between the steps and run again, the re-plan must not read the first step's own reply as the
 * new group's answer (#16). The tickets are those of the group deskops' agent works in: its own
 * reply reads as that group's.
 */
export function sweepThreadJob(): ChaosJob {
  const open = '[new, open, pending, hold]';
  return sweepRulesJob('sweep-thread', 'chaos-thread-rules.yml', (ctx) => {
    const db = openDb(join(ctx.deskHome, 'desk', 'desk.sqlite'));
    let group: string;
    try {
      const email = readDeskCredentials(ctx.deskHome)!.email;
      group = (db.prepare('SELECT g.name AS name FROM users u JOIN groups g ON g.id = u.default_group_id WHERE u.email = ?').get([email]) as { name: string }).name;
    } finally {
      db.close();
    }
    const changed = `status: ${open}, group: ${JSON.stringify(group)}, group_changed_since_public_reply: true`;
    return [
      'rules:',
      '  - name: chaos_ack',
      `    when: { ${changed} }`,
      '    then:',
      '      reply: "[chaos] chaos_ack #{{ ticket.id }}"',
      '  - name: chaos_transfer',
      `    when: { ${changed} }`,
      '    then:',
      '      note: "[chaos] chaos_transfer #{{ ticket.id }}"',
      '  - name: chaos_nudge',
      `    when: { status: ${open}, tags: [sweep_chaos_transfer] }`,
      '    then:',
      '      note: "[chaos] chaos_nudge #{{ ticket.id }}"',
    ];
  });
}

/**
 * An NPS survey send over the solved tickets of the last 30 days. `survey send` has no resume
 * command: running it again is how it finishes (what is done has its marker and is skipped).
 */
export function surveyJob(): ChaosJob {
  const argv = (s: Scenario) => ['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json', '--batch-size', String(s.batchSize), '--max-attempts', String(s.maxAttempts)];
  return {
    name: 'survey',
    kind: 'survey',
    canResume: false,
    async seed(ctx) {
      await seedDesk({ home: ctx.deskHome, tickets: ctx.tickets, seed: ctx.seed });
    },
    async plan(ctx) {
      const r = await ctx.cli(['survey', 'send', '--type', 'nps', '--since', '30d', '--dry-run', '--json']);
      if (r.code !== 0) throw new Error(`survey send --dry-run exited ${r.code}: ${r.stderr}`);
      const plan = JSON.parse(r.stdout) as { ticket_ids: number[] };
      return plan.ticket_ids.map((id) => ({ key: `${id}:survey_nps`, ticketId: id, marker: 'survey_nps_sent' }));
    },
    firstArgv: (_ctx, s) => argv(s),
    resumeArgv: (_ctx, s) => argv(s),
    rerunArgv: (_ctx, s) => argv(s),
    count(db) {
      const out = new Map<string, number>();
      const rows = db.prepare("SELECT ticket_id FROM comments WHERE body LIKE '%how likely are you to recommend us%'").all() as Array<{ ticket_id: number }>;
      for (const row of rows) out.set(`${row.ticket_id}:survey_nps`, (out.get(`${row.ticket_id}:survey_nps`) ?? 0) + 1);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The CLI, bundled from src/ once (not dist/, which other builds may be rewriting)

export interface ChaosCli {
  /** node <entry> <argv...> runs deskops. */
  entry: string;
  root: string;
  cleanup(): void;
}

/** The project root: the nearest directory up with package.json and src/cli/main.ts. */
export function findRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'cli', 'main.ts'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no deskops project above ${from}`);
  }
}

/**
 * Bundles src/cli/main.ts as `npm run build` does, under node_modules/.cache (so libsql and the
 * shipped templates resolve from the project), with a launcher that runs it.
 */
export async function prepareCli(root = findRoot()): Promise<ChaosCli> {
  const { build } = await import('esbuild');
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, 'node_modules', '.cache', 'deskops-chaos-'));
  await build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    splitting: true,
    outdir: join(dir, 'cli'),
    chunkNames: 'chunks/[name]-[hash]',
    external: ['libsql', 'react-devtools-core'],
    banner: { js: "import{createRequire as __deskopsRequire}from'node:module';const require=__deskopsRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const entry = join(dir, 'deskops.mjs');
  writeFileSync(entry, "const { run } = await import('./cli/main.js');\nawait run();\n");
  return { entry, root, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// A run

export interface AttemptRecord {
  argv: string;
  /** Exit code, or "SIGKILL" when killed here. */
  exit: number | string;
  kill?: KillPoint & { hit: string };
  /** A kill point the process finished before reaching. */
  missed?: KillPoint;
  run_id?: string;
  ms: number;
  /** The last line of stderr when it did not exit 0. */
  error?: string;
}

export interface ChaosResult {
  job: string;
  seed: number;
  faults: string;
  batch_size: number;
  max_attempts: number;
  carry_on: CarryOn;
  tickets: number;
  /** Messages planned (the expected set). */
  planned: number;
  /** Messages found on the desk (each counted once per copy). */
  sent: number;
  duplicates: number;
  missing: number;
  /** Copies of messages nobody planned (wrong ticket, or not in the plan). */
  unexpected: number;
  /** Planned messages whose marker tag and comment disagree (one there, not the other). */
  marker_mismatch: number;
  kills: number;
  kill_points: string[];
  /** Processes after the first (resumes and re-runs). */
  resumes: number;
  resume_kinds: { resume: number; rerun: number };
  /** Re-runs caused by exit 3 (items failed) or 1 (errors). */
  partials: number;
  errors: number;
  finished: boolean;
  /** Jobs of killed processes held back and run late: what they did when they ran. */
  late_jobs: { jobs: number; items: number; applied: number; conflicted: number; failed: number; released: string[] };
  /** Requests the desk answered, and the faults it injected. */
  requests: number;
  faults_injected: { '429': number; '500': number; reset: number; slow: number };
  attempts: AttemptRecord[];
  ms: number;
  ok: boolean;
  /** A few of the problems, for a failure message. */
  examples: string[];
}

export interface ChaosOptions {
  seed: number;
  job: ChaosJob;
  cli: ChaosCli;
  /** Tickets seeded on the desk (default 200). */
  tickets?: number;
  /** Processes at most, kills included (default: kills + 8). */
  maxProcesses?: number;
  /** One process at most this long before the run is declared hung (default 5 minutes). */
  processTimeoutMs?: number;
  maxKills?: number;
  /** Changes the seed's scenario (a pinned kill point, other faults). */
  scenario?: (drawn: Scenario) => Scenario;
  /** Called with the desk's database file once every process is done, before the count (tests of the count). */
  beforeCount?: (dbPath: string) => void;
  /** Keep the temp homes (printed on stderr) for a post-mortem. */
  keep?: boolean;
  log?: (line: string) => void;
}

interface Live {
  counts: Record<KillKind, number>;
  kill?: KillPoint;
  onKill?: (hit: string) => void;
}

function classify(method: string, url: string): KillKind[] {
  const kinds: KillKind[] = ['request'];
  if (method === 'PUT' && url.includes('/tickets/update_many')) kinds.push('update_many');
  if (method === 'GET' && url.includes('/job_statuses/')) kinds.push('job_poll');
  if (method === 'GET' && url.includes('/show_many')) kinds.push('show_many');
  return kinds;
}

/**
 * Holds back the update_many jobs a killed process left queued, on a second connection to the
 * desk's database (the store is made to be shared), and runs them later with the desk's own
 * JobRunner: the late job of a crashed client that exactly-once must survive.
 */
class JobParking {
  private readonly store: DeskStore;
  private readonly runner: JobRunner;
  private parked: string[] = [];
  late?: LateJob;
  /** The process that left them. */
  by = -1;
  readonly stats = { jobs: 0, items: 0, applied: 0, conflicted: 0, failed: 0, released: [] as string[] };

  constructor(dbPath: string) {
    this.store = new DeskStore(openDb(dbPath));
    this.runner = new JobRunner(this.store, () => unixNow());
  }

  park(late: LateJob, by: number): void {
    const ids = this.store.all<{ id: string }>("SELECT id FROM job_statuses WHERE status = 'queued'").map((r) => r.id);
    for (const id of ids) this.store.run("UPDATE job_statuses SET status = 'parked' WHERE id = ? AND status = 'queued'", [id]);
    if (ids.length === 0) return;
    this.parked.push(...ids);
    this.late = late;
    this.by = by;
  }

  get pending(): boolean {
    return this.parked.length > 0;
  }

  /** Runs the parked jobs now (and any job queued at this moment: the desk would run it within 25 ms anyway). */
  release(when: string): void {
    if (this.parked.length === 0) return;
    const ids = this.parked;
    this.parked = [];
    this.late = undefined;
    for (const id of ids) this.store.run("UPDATE job_statuses SET status = 'queued' WHERE id = ? AND status = 'parked'", [id]);
    this.runner.flush();
    this.stats.released.push(when);
    for (const id of ids) {
      const row = this.store.get<{ results: string | null }>('SELECT results FROM job_statuses WHERE id = ?', [id]);
      const results = row?.results ? (JSON.parse(row.results) as Array<{ success?: boolean; details?: string }>) : [];
      this.stats.jobs++;
      for (const res of results) {
        this.stats.items++;
        if (res.success !== false) this.stats.applied++;
        else if (/safe update|conflict|outdated/i.test(res.details ?? '')) this.stats.conflicted++;
        else this.stats.failed++;
      }
    }
  }

  close(): void {
    this.store.db.close();
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = performance.now();
  const { seed, job, cli } = options;
  const tickets = options.tickets ?? 200;
  const log = options.log ?? (() => undefined);
  const deskHome = mkdtempSync(join(tmpdir(), `deskops-chaos-desk-${seed}-`));
  const cliHome = mkdtempSync(join(tmpdir(), `deskops-chaos-cli-${seed}-`));
  let desk: RunningDesk | undefined;
  let parkingToClose: JobParking | undefined;
  const env = (d: RunningDesk) => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? cliHome,
    DESKOPS_HOME: cliHome,
    DESKOPS_URL: d.url,
    DESKOPS_EMAIL: d.email,
    DESKOPS_TOKEN: d.token,
    NO_COLOR: '1',
  });
  const ctx: JobContext = {
    root: cli.root,
    deskHome,
    cliHome,
    seed,
    tickets,
    cli: (argv) => runProcess(cli.entry, argv, env(desk!), options.processTimeoutMs ?? 300_000).done,
  };
  try {
    await job.seed(ctx);

    // The plan, on a desk without faults.
    desk = await startDesk({ home: deskHome });
    const planned = await job.plan(ctx);
    const db0 = new Database(join(deskHome, 'desk', 'desk.sqlite'), { readonly: true });
    const before = job.count(db0);
    db0.close();
    await desk.close();

    const drawn = drawScenario(seed, planned.length, { maxKills: options.maxKills });
    const scenario = options.scenario ? options.scenario(drawn) : drawn;
    ctx.scenario = scenario;
    const injected = { '429': 0, '500': 0, reset: 0, slow: 0 };
    let requests = 0;
    const live: { current?: Live; index: number } = { index: -1 };
    const parking = new JobParking(join(deskHome, 'desk', 'desk.sqlite'));
    parkingToClose = parking;
    desk = await startDesk({
      home: deskHome,
      faults: scenario.faults,
      faultSeed: seed,
      log: (line) => {
        requests++;
        const m = /^(\S+) (\S+) (\S+)/.exec(line);
        if (!m) return;
        if (line.includes('injected fault')) {
          if (m[3] === 'reset') injected.reset++;
          else if (m[3] === '429') injected['429']++;
          else if (m[3] === '500') injected['500']++;
        } else if (line.endsWith('(slow)')) injected.slow++;
        const cur = live.current;
        if (!cur) return;
        const kinds = classify(m[1]!, m[2]!);
        for (const k of kinds) cur.counts[k]++;
        if (parking.pending && parking.by !== live.index && m[3] === '200') {
          const read = kinds.includes('show_many') || /\/search|\/export/.test(m[2]!);
          const due = parking.late === 'after-read' ? read : parking.late === 'after-send' ? kinds.includes('update_many') : parking.late === 'after-job' ? kinds.includes('job_poll') : false;
          if (due) parking.release(`${parking.late} (${m[1]} ${m[2]!.replace(/\?.*$/, '')})`);
        }
        if (cur.kill && cur.kill.kind !== 'intent' && cur.counts[cur.kill.kind] === cur.kill.n) {
          cur.onKill?.(`${m[1]} ${m[2]!.replace(/\?.*$/, '')} ${m[3]}`);
        }
      },
    });

    const attempts: AttemptRecord[] = [];
    const resumeKinds = { resume: 0, rerun: 0 };
    let kills = 0;
    let partials = 0;
    let errors = 0;
    let finished = false;
    let runId: string | undefined;
    const maxProcesses = options.maxProcesses ?? scenario.kills.length + 8;
    for (let i = 0; i < maxProcesses && !finished; i++) {
      let kill: KillPoint | undefined = scenario.kills[kills];
      let argv: string[];
      if (i === 0) argv = job.firstArgv(ctx, scenario);
      else {
        const wantResume = job.canResume !== false && (scenario.carryOn === 'resume' || (scenario.carryOn === 'alternate' && i % 2 === 1));
        if (wantResume && runId) {
          argv = job.resumeArgv(ctx, scenario, runId);
          resumeKinds.resume++;
        } else {
          argv = job.rerunArgv(ctx, scenario);
          resumeKinds.rerun++;
        }
      }
      // A resume writes no new journal: a journal kill point waits for a process that does.
      if (kill?.kind === 'journal' && argv[1] === 'resume') kill = undefined;
      const known = new Set(journals(cliHome, job.kind));
      const t0 = performance.now();
      const proc = runProcess(cli.entry, argv, env(desk), options.processTimeoutMs ?? 300_000);
      const cur: Live = { counts: { request: 0, update_many: 0, job_poll: 0, show_many: 0, intent: 0, journal: 0 }, kill };
      let hit: string | undefined;
      cur.onKill = (what) => {
        if (hit !== undefined) return;
        hit = what;
        proc.kill();
        // in the desk's log callback, right after it queued the job: it has not run yet
        if (kill?.late) parking.park(kill.late, i);
      };
      live.current = cur;
      live.index = i;
      let watch: NodeJS.Timeout | undefined;
      let watcher: FSWatcher | undefined;
      if (kill?.kind === 'journal') {
        mkdirSync(join(cliHome, 'journal'), { recursive: true, mode: 0o700 });
        watcher = watch_(join(cliHome, 'journal'), (_event, name) => {
          if (name && String(name).startsWith(`${job.kind}-`) && !known.has(String(name))) cur.onKill?.(`journal ${String(name)} created`);
        });
      } else if (kill?.kind === 'intent') {
        // Poll the journal(s) this process writes: kill once the Nth intent of this process is on disk.
        let base: number | undefined;
        watch = setInterval(() => {
          const intents = journals(cliHome, job.kind).reduce((n, f) => n + countIntents(join(cliHome, 'journal', f)), 0);
          base ??= intents;
          cur.counts.intent = intents - base;
          if (cur.counts.intent >= kill.n) cur.onKill?.(`intent #${cur.counts.intent} on disk`);
        }, 2);
        // the journals as they were before this process started
        base = [...known].reduce((n, f) => n + countIntents(join(cliHome, 'journal', f)), 0);
      }
      const r = await proc.done;
      if (watch) clearInterval(watch);
      watcher?.close();
      live.current = undefined;
      const fresh = journals(cliHome, job.kind).filter((f) => !known.has(f));
      if (fresh.length > 0) runId = runIdOf(fresh.sort().at(-1)!, job.kind);
      const record: AttemptRecord = { argv: argv.slice(0, 3).join(' '), exit: r.code ?? 'SIGKILL', ms: Math.round(performance.now() - t0) };
      if (fresh.length > 0 || argv[1] === 'resume') record.run_id = runId;
      if (hit !== undefined && r.code === null) {
        kills++;
        record.kill = { ...kill!, hit };
        log(`seed ${seed}: killed ${argv.slice(0, 2).join(' ')} at ${kill!.kind} #${kill!.n} (${hit})`);
      } else if (kill) {
        record.missed = kill;
        kills++; // that point is used up: the next process gets the next one
      }
      if (r.code === 0) finished = true;
      else if (r.code !== null) {
        record.error = r.stderr.trim().split('\n').filter((l) => l.startsWith('deskops:')).at(-1) ?? r.stderr.trim().split('\n').at(-1);
        if (r.code === 3) partials++;
        else errors++;
        // a run that cannot be resumed (superseded, its plan not on record): plan it again
        if (r.code !== 3 && argv[1] === 'resume') runId = undefined;
        log(`seed ${seed}: ${argv.slice(0, 2).join(' ')} exited ${r.code}: ${record.error ?? ''}`);
      }
      attempts.push(record);
    }
    parking.release('end');
    await desk.close(); // runs any job still queued
    desk = undefined;

    options.beforeCount?.(join(deskHome, 'desk', 'desk.sqlite'));
    const db = new Database(join(deskHome, 'desk', 'desk.sqlite'), { readonly: true });
    let after: Map<string, number>;
    const tags = new Map<number, Set<string>>();
    try {
      after = job.count(db);
      for (const row of db.prepare('SELECT id, tags FROM tickets').all() as Array<{ id: number; tags: string }>) {
        tags.set(row.id, new Set(row.tags.trim().split(/\s+/).filter(Boolean)));
      }
    } finally {
      db.close();
    }
    const landed = new Map<string, number>();
    for (const [k, n] of after) if (n - (before.get(k) ?? 0) !== 0) landed.set(k, n - (before.get(k) ?? 0));
    const examples: string[] = [];
    let duplicates = 0;
    let missing = 0;
    let mismatch = 0;
    let sent = 0;
    const plannedKeys = new Set<string>();
    for (const p of planned) {
      plannedKeys.add(p.key);
      const n = landed.get(p.key) ?? 0;
      sent += n;
      if (n > 1) {
        duplicates += n - 1;
        examples.push(`${p.key} sent ${n} times`);
      }
      if (n === 0) {
        missing++;
        examples.push(`${p.key} missing`);
      }
      const marked = tags.get(p.ticketId)?.has(p.marker) ?? false;
      if (marked !== n > 0) {
        mismatch++;
        examples.push(`${p.key}: marker ${p.marker} ${marked ? 'there without its message' : 'missing beside its message'}`);
      }
    }
    let unexpected = 0;
    for (const [k, n] of landed) {
      if (plannedKeys.has(k)) continue;
      unexpected += n;
      examples.push(`${k}: ${n} unplanned`);
    }
    const result: ChaosResult = {
      job: job.name,
      seed,
      faults: scenario.faults || 'none',
      batch_size: scenario.batchSize,
      max_attempts: scenario.maxAttempts,
      carry_on: scenario.carryOn,
      tickets,
      planned: planned.length,
      sent,
      duplicates,
      missing,
      unexpected,
      marker_mismatch: mismatch,
      kills: attempts.filter((a) => a.kill).length,
      kill_points: attempts.flatMap((a) => (a.kill ? [`${a.kill.kind}#${a.kill.n}${a.kill.late ? `+late:${a.kill.late}` : ''}`] : [])),
      resumes: attempts.length - 1,
      resume_kinds: resumeKinds,
      partials,
      errors,
      finished,
      late_jobs: parking.stats,
      requests,
      faults_injected: injected,
      attempts,
      ms: Math.round(performance.now() - started),
      ok: finished && duplicates === 0 && missing === 0 && unexpected === 0 && mismatch === 0,
      examples: examples.slice(0, 10),
    };
    return result;
  } finally {
    parkingToClose?.close();
    if (desk) await desk.close().catch(() => undefined);
    if (options.keep) log(`seed ${seed}: kept desk home ${deskHome} and CLI home ${cliHome}`);
    else {
      rmSync(deskHome, { recursive: true, force: true });
      rmSync(cliHome, { recursive: true, force: true });
    }
  }
}

function journals(home: string, kind: string): string[] {
  const dir = join(home, 'journal');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.startsWith(`${kind}-`) && n.endsWith('.jsonl'));
}

function runIdOf(file: string, kind: string): string {
  return file.slice(kind.length + 1, -'.jsonl'.length);
}

function countIntents(path: string): number {
  try {
    const text = readFileSync(path, 'utf8');
    let n = 0;
    for (let i = text.indexOf('"t":"intent"'); i >= 0; i = text.indexOf('"t":"intent"', i + 1)) n++;
    return n;
  } catch {
    return 0;
  }
}

/** node <entry> argv..., without blocking this process (the desk answers from here). */
function runProcess(entry: string, argv: string[], env: Record<string, string>, timeoutMs: number) {
  const child = spawn(process.execPath, [entry, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return reject(new Error(`deskops ${argv.slice(0, 3).join(' ')} hung for ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`));
      resolve({ code, stdout, stderr });
    });
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

// ---------------------------------------------------------------------------------------------
// Reporting

export interface ChaosTotals {
  runs: number;
  ok: number;
  planned: number;
  sent: number;
  duplicates: number;
  missing: number;
  unexpected: number;
  marker_mismatch: number;
  kills: number;
  resumes: number;
  partials: number;
  errors: number;
  requests: number;
  faults_injected: number;
  /** Jobs run late, and their items that landed or conflicted then. */
  late_jobs: number;
  late_applied: number;
  late_conflicted: number;
  ms: number;
}

export function totals(results: readonly ChaosResult[]): ChaosTotals {
  const t: ChaosTotals = { runs: results.length, ok: 0, planned: 0, sent: 0, duplicates: 0, missing: 0, unexpected: 0, marker_mismatch: 0, kills: 0, resumes: 0, partials: 0, errors: 0, requests: 0, faults_injected: 0, late_jobs: 0, late_applied: 0, late_conflicted: 0, ms: 0 };
  for (const r of results) {
    t.ok += r.ok ? 1 : 0;
    t.planned += r.planned;
    t.sent += r.sent;
    t.duplicates += r.duplicates;
    t.missing += r.missing;
    t.unexpected += r.unexpected;
    t.marker_mismatch += r.marker_mismatch;
    t.kills += r.kills;
    t.resumes += r.resumes;
    t.partials += r.partials;
    t.errors += r.errors;
    t.requests += r.requests;
    t.faults_injected += Object.values(r.faults_injected).reduce((a, b) => a + b, 0);
    t.late_jobs += r.late_jobs.jobs;
    t.late_applied += r.late_jobs.applied;
    t.late_conflicted += r.late_jobs.conflicted;
    t.ms += r.ms;
  }
  return t;
}

/** A Markdown table, one row a run, and a totals row. */
export function markdownTable(results: readonly ChaosResult[]): string {
  const head = ['job', 'seed', 'faults', 'injected (429/500/reset/slow)', 'batch', 'kill points', 'late jobs (applied/conflicted items)', 'carry on', 'processes', 'exit codes', 'planned', 'sent', 'dup', 'missing', 'unplanned', 'marker mismatch', 'requests', 's', 'ok'];
  const rows = results.map((r) => [
    r.job,
    String(r.seed),
    `\`${r.faults}\``,
    `${r.faults_injected['429']}/${r.faults_injected['500']}/${r.faults_injected.reset}/${r.faults_injected.slow}`,
    String(r.batch_size),
    r.kill_points.join(' ') || '-',
    r.late_jobs.jobs ? `${r.late_jobs.jobs} (${r.late_jobs.applied}/${r.late_jobs.conflicted})` : '-',
    `${r.carry_on} (${r.resume_kinds.resume} resume, ${r.resume_kinds.rerun} run)`,
    String(r.attempts.length),
    r.attempts.map((a) => (a.exit === 'SIGKILL' ? 'K' : String(a.exit))).join(','),
    String(r.planned),
    String(r.sent),
    String(r.duplicates),
    String(r.missing),
    String(r.unexpected),
    String(r.marker_mismatch),
    String(r.requests),
    (r.ms / 1000).toFixed(1),
    r.ok ? 'yes' : '**NO**',
  ]);
  const t = totals(results);
  rows.push([
    '**total**',
    `${t.runs} runs`,
    '',
    String(t.faults_injected),
    '',
    `${t.kills} kills`,
    `${t.late_jobs} (${t.late_applied}/${t.late_conflicted})`,
    `${t.resumes} resumes/re-runs`,
    '',
    `${t.partials} exit 3, ${t.errors} other`,
    String(t.planned),
    String(t.sent),
    String(t.duplicates),
    String(t.missing),
    String(t.unexpected),
    String(t.marker_mismatch),
    String(t.requests),
    (t.ms / 1000).toFixed(1),
    `${t.ok}/${t.runs}`,
  ]);
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
