/**
 * `deskops sweep` end to end: main() with buffer streams against the embedded desk, and a
 * standalone desk with fault injection (500s, connection resets, 429s). Exactly once is
 * counted from the desk's own comment table, before and after; the kill -9 test runs the CLI
 * in a child process so the desk outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';

interface Summary {
  run_id: string;
  status: string;
  planned: number;
  sent: number;
  skipped: number;
  failed: number;
  verified: number;
  rules: Array<{ rule: string; planned: number; sent: number; failed: number }>;
  failures: Array<{ ticket_id: number; rule: string; reason: string }>;
  elapsed_ms: number;
  requests: { total: number; writes: number; max_per_minute: number; budget_per_minute: number };
}

interface Plan {
  planned: number;
  rules: Array<{ rule: string; marker: string; template: string | null; planned: number; ticket_ids: number[] }>;
}

/** Per ticket: how many comments it has, and its tags (read from the desk's database). */
function deskState(home: string): Map<number, { comments: number; tags: string[] }> {
  const db = new Database(join(home, 'desk', 'desk.sqlite'), { readonly: true });
  try {
    const out = new Map<number, { comments: number; tags: string[] }>();
    for (const row of db.prepare('SELECT id, tags FROM tickets').all() as Array<{ id: number; tags: string }>) {
      out.set(row.id, { comments: 0, tags: row.tags.trim().split(/\s+/).filter(Boolean) });
    }
    for (const row of db.prepare('SELECT ticket_id, count(*) AS n FROM comments GROUP BY ticket_id').all() as Array<{ ticket_id: number; n: number }>) {
      out.get(row.ticket_id)!.comments = row.n;
    }
    return out;
  } finally {
    db.close();
  }
}

/** What a plan says each ticket gets: ticket id -> markers. */
function expected(plan: Plan): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const r of plan.rules) for (const id of r.ticket_ids) out.set(id, [...(out.get(id) ?? []), r.marker]);
  return out;
}

/** Every planned follow-up is on its ticket exactly once (one new comment each, its marker there), and nothing else changed. */
function expectExactlyOnce(before: Map<number, { comments: number }>, after: Map<number, { comments: number; tags: string[] }>, want: Map<number, string[]>): void {
  for (const [id, a] of after) {
    const markers = want.get(id) ?? [];
    expect(a.comments - before.get(id)!.comments, `comments added to #${id}`).toBe(markers.length);
    for (const m of markers) expect(a.tags, `#${id}`).toContain(m);
  }
}

describe('sweep on the embedded desk', () => {
  let home: string;
  let cleanup: () => void;
  let env: Record<string, string>;
  const now = seedClock;

  beforeAll(async () => {
    ({ home, cleanup } = tempHome());
    await seedDesk({ home, tickets: 150, seed: 5, now: SEED_NOW });
    env = { DESKOPS_HOME: home };
  });
  afterAll(() => cleanup());

  it('has help with examples', async () => {
    for (const args of [['sweep', '--help'], ['sweep', 'run', '--help'], ['sweep', 'plan', '--help'], ['sweep', 'resume', '--help']]) {
      const r = await runCli(args, { env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
  });

  it('plan --json finds work per rule and writes nothing', async () => {
    const before = deskState(home);
    const r = await runCli(['sweep', 'plan', '--json'], { env, now });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan & { requests: number; candidates: number };
    expect(plan.planned).toBeGreaterThan(5);
    expect(plan.rules.map((x) => x.rule)).toEqual([
      'pending_reminder/1', 'pending_reminder/2', 'pending_reminder/3', 'solved_check_in', 'transfer_followup', 'transfer_nudge', 'hold_nudge',
    ]);
    const pending = plan.rules.find((x) => x.rule === 'pending_reminder/1')!;
    expect(pending).toMatchObject({ template: 'followup-pending-reminder-1', marker: 'sweep_pending_reminder_1' });
    expect(pending.planned).toBe(pending.ticket_ids.length);
    expect(plan.rules.find((x) => x.rule === 'solved_check_in')!.planned).toBeGreaterThan(0);
    expect(plan.candidates).toBeGreaterThanOrEqual(new Set(plan.rules.flatMap((x) => x.ticket_ids)).size);
    expect(deskState(home)).toEqual(before);
    expect(existsSync(join(home, 'journal'))).toBe(false);
  });

  it('plans from the replica: a second plan searches nothing; a rule whose tag search reads its own way is searched, and --verbose says so', async () => {
    await runCli(['sweep', 'plan', '--json'], { env, now });
    const again = await runCli(['--verbose', 'sweep', 'plan'], { env, now });
    expect(again.code, again.stderr).toBe(0);
    const cost = again.stderr.split('\n').find((l) => l.startsWith('> cost:'))!;
    expect(cost).not.toContain('search/export');
    expect(again.stderr).not.toContain('searched on the desk');
    const rules = join(home, 'promo-rules.yml');
    writeFileSync(rules, 'rules:\n  - name: promo\n    when: { status: open, tags: [promo*] }\n    then: { note: "promo" }\n');
    const odd = await runCli(['--verbose', 'sweep', 'plan', '--rules', rules], { env, now });
    expect(odd.code, odd.stderr).toBe(0);
    expect(odd.stderr).toContain('> sweep candidates searched on the desk (type:ticket status:open -tags:sweep_promo tags:promo*): search reads the tag "promo*" its own way');
    expect(odd.stderr.split('\n').find((l) => l.startsWith('> cost:'))).toMatch(/search\/export 1\b/);
  });

  it('without a terminal and without --yes: exit 2, nothing sent', async () => {
    const before = deskState(home);
    const r = await runCli(['sweep', 'run'], { env, now });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes required when not running interactively');
    expect(deskState(home)).toEqual(before);
    expect(existsSync(join(home, 'journal'))).toBe(false);
  });

  it('--dry-run prints the plan and sends nothing', async () => {
    const before = deskState(home);
    const r = await runCli(['sweep', 'run', '--dry-run', '--json'], { env, now });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dry_run: true, planned: expect.any(Number) });
    expect(deskState(home)).toEqual(before);
  });

  it('--limit sends part; the next run sends exactly the rest; the one after sends nothing', async () => {
    const before = deskState(home);
    const plan = JSON.parse((await runCli(['sweep', 'plan', '--json'], { env, now })).stdout) as Plan;
    const first = await runCli(['sweep', 'run', '--yes', '--json', '--limit', '10'], { env, now });
    expect(first.code, first.stderr).toBe(0);
    const s1 = JSON.parse(first.stdout) as Summary & { deferred: number };
    expect(s1).toMatchObject({ status: 'completed', planned: 10, sent: 10, failed: 0, deferred: plan.planned - 10 });
    expect(s1.run_id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);

    const second = await runCli(['sweep', 'run', '--yes', '--json'], { env, now });
    expect(second.code, second.stderr).toBe(0);
    const s2 = JSON.parse(second.stdout) as Summary;
    expect(s2).toMatchObject({ planned: plan.planned - 10, sent: plan.planned - 10, failed: 0 });
    expect(s2.requests.writes).toBeLessThanOrEqual(Math.ceil(s2.planned / 100) + 2);
    expect(s2.requests.max_per_minute).toBeLessThanOrEqual(s2.requests.budget_per_minute);

    const third = await runCli(['sweep', 'run', '--yes', '--json'], { env, now });
    expect(JSON.parse(third.stdout)).toMatchObject({ planned: 0, sent: 0, failed: 0 });
    expectExactlyOnce(before, deskState(home), expected(plan));

    const status = await runCli(['sweep', 'status', '--json'], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'completed', planned: 0 });
    const history = JSON.parse((await runCli(['sweep', 'history', '--json'], { env })).stdout) as Array<{ run_id: string; sent: number }>;
    expect(history.map((h) => h.run_id)).toEqual([JSON.parse(third.stdout).run_id, s2.run_id, s1.run_id]);
    expect(history.map((h) => h.sent)).toEqual([0, plan.planned - 10, 10]);
  });

  it('rules in $DESKOPS_HOME/sweeps add to the shipped ones, replace them by name or turn them off', async () => {
    const other = tempHome();
    try {
      await seedDesk({ home: other.home, tickets: 60, seed: 5, now: SEED_NOW });
      mkdirSync(join(other.home, 'sweeps'));
      writeFileSync(
        join(other.home, 'sweeps', 'team.yml'),
        [
          'rules:',
          '  - { name: hold_nudge, enabled: false }',
          '  - name: solved_check_in',
          '    when: { status: solved, since: solved, at_least: 2 days }',
          '    then: { template: followup-check-in, public: false }',
          '  - name: vip_open',
          '    when: { status: open, tags: [vip] }',
          '    then: { priority: high }',
          '',
        ].join('\n'),
      );
      const r = await runCli(['sweep', 'plan', '--json'], { env: { DESKOPS_HOME: other.home }, now });
      expect(r.code, r.stderr).toBe(0);
      const rows = (JSON.parse(r.stdout) as { rules: Array<{ rule: string; template: string | null; public: boolean | null }> }).rules;
      expect(rows.map((x) => x.rule)).toEqual(['pending_reminder/1', 'pending_reminder/2', 'pending_reminder/3', 'transfer_followup', 'transfer_nudge', 'solved_check_in', 'vip_open']);
      expect(rows.find((x) => x.rule === 'solved_check_in')).toMatchObject({ template: 'followup-check-in', public: false });
      expect(rows.find((x) => x.rule === 'vip_open')).toMatchObject({ template: null, public: null });
    } finally {
      other.cleanup();
    }
  });

  it('a rules file with a mistake: one line with file:line, exit 1', async () => {
    const file = join(home, 'bad.yml');
    writeFileSync(file, 'rules:\n  - name: nudge\n    when:\n      status: hold\n      since: status_change\n      at_least: five days\n    then: { note: hi }\n');
    const r = await runCli(['sweep', 'plan', '--rules', file], { env, now });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`deskops: ${file}:6: at_least "five days" is not a duration such as "2 business_days", "4 business_hours", "36 hours" or "3 days"`);
  });
});

describe('sweep against a faulty desk', () => {
  let deskHome: string;
  let cliHome: string;
  const cleanups: Array<() => void> = [];
  const now = seedClock;

  beforeAll(async () => {
    const a = tempHome();
    const b = tempHome();
    deskHome = a.home;
    cliHome = b.home;
    cleanups.push(a.cleanup, b.cleanup);
    await seedDesk({ home: deskHome, tickets: 100, seed: 9, now: SEED_NOW });
  });
  afterAll(() => cleanups.forEach((c) => c()));

  async function withDesk<T>(faults: string, faultSeed: number, fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
    const desk = await startDesk({ home: deskHome, faults, faultSeed, now });
    try {
      return await fn({ DESKOPS_HOME: cliHome, DESKOPS_URL: desk.url, DESKOPS_EMAIL: desk.email, DESKOPS_TOKEN: desk.token });
    } finally {
      await desk.close();
    }
  }

  it('nothing lost, nothing sent twice; a second run sends exactly what the first missed; a third sends nothing', async () => {
    const before = deskState(deskHome);
    const plan = await withDesk('', 1, async (env) => JSON.parse((await runCli(['sweep', 'plan', '--json'], { env, now })).stdout) as Plan);
    expect(plan.planned).toBeGreaterThan(5);

    // Tried once each: a batch that fails is reported, not retried, so this run usually misses some.
    const first = await withDesk('500=0.1,reset=0.05', 3, (env) =>
      runCli(['sweep', 'run', '--yes', '--json', '--batch-size', '4', '--max-attempts', '1'], { env, now }),
    );
    expect([0, 3], first.stderr).toContain(first.code);
    const s1 = JSON.parse(first.stdout) as Summary;
    expect(s1.planned).toBe(plan.planned);
    expect(s1.sent + s1.skipped + s1.failed).toBe(s1.planned);
    expect(s1.failures).toHaveLength(s1.failed);
    expect(first.code).toBe(s1.failed > 0 ? 3 : 0);
    if (s1.failed > 0) {
      expect(s1.failures[0]).toMatchObject({ ticket_id: expect.any(Number), rule: expect.any(String), reason: expect.any(String) });
      expect(first.stderr).toMatch(/deskops: \d+ of \d+ follow-ups failed/);
    }
    // the desk holds exactly what the run says it sent
    let added = 0;
    for (const [id, a] of deskState(deskHome)) added += a.comments - before.get(id)!.comments;
    expect(added).toBe(s1.sent);

    const second = await withDesk('429=0.04,500=0.05,reset=0.03', 4, (env) => runCli(['sweep', 'run', '--yes', '--json'], { env, now }));
    expect(second.code, second.stderr).toBe(0);
    const s2 = JSON.parse(second.stdout) as Summary;
    expect(s2.planned).toBe(s1.failed + s1.skipped);
    expect(s2.sent).toBe(s1.failed + s1.skipped);

    const third = await withDesk('', 1, (env) => runCli(['sweep', 'run', '--yes', '--json'], { env, now }));
    expect(JSON.parse(third.stdout)).toMatchObject({ planned: 0, sent: 0 });
    expectExactlyOnce(before, deskState(deskHome), expected(plan));
  });
});

describe('sweep killed with SIGKILL part-way, then resumed', () => {
  let deskHome: string;
  let cliHome: string;
  let desk: RunningDesk;
  let child: ChildProcess | undefined;
  const cleanups: Array<() => void> = [];
  const root = join(__dirname, '..', '..');

  beforeAll(async () => {
    const a = tempHome();
    const b = tempHome();
    deskHome = a.home;
    cliHome = b.home;
    cleanups.push(a.cleanup, b.cleanup);
    await seedDesk({ home: deskHome, tickets: 150, seed: 21 });
    desk = await startDesk({ home: deskHome });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await desk.close();
    cleanups.forEach((c) => c());
  });

  // Rules whose every age is far from any boundary, so the child and the resume (a few
  // seconds apart, on the real clock) see the same work.
  const rules = () => {
    const file = join(cliHome, 'kill-rules.yml');
    writeFileSync(
      file,
      [
        'rules:',
        '  - name: waiting',
        '    when: { status: [pending, hold], since: updated, at_least: 10 minutes }',
        '    then:',
        '      template: followup-pending-reminder-1',
        '  - name: solved_note',
        '    when: { status: solved, since: updated, at_least: 10 minutes }',
        '    then:',
        '      note: "Sweep check: #{{ ticket.id }} was solved."',
        '',
      ].join('\n'),
    );
    return file;
  };

  it('resume finishes the work with every planned ticket handled exactly once', async () => {
    const env = { DESKOPS_HOME: cliHome, DESKOPS_URL: desk.url, DESKOPS_EMAIL: desk.email, DESKOPS_TOKEN: desk.token };
    const file = rules();
    const before = deskState(deskHome);
    const plan = JSON.parse((await runCli(['sweep', 'plan', '--json', '--rules', file], { env })).stdout) as Plan;
    expect(plan.planned).toBeGreaterThan(20);

    // The CLI from source in its own process; killed once a few batches are under way.
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "const { run } = await import('./src/cli/main.ts'); await run();", 'deskops', 'sweep', 'run', '--yes', '--json', '--rules', file, '--batch-size', '3'],
      { cwd: root, env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code, signal) => resolve(signal ? null : code)));
    const journalDir = join(cliHome, 'journal');
    const journal = await waitFor(() => {
      const f = existsSync(journalDir) ? readdirSync(journalDir).find((n) => n.startsWith('sweep-')) : undefined;
      if (!f) return undefined;
      const intents = readFileSync(join(journalDir, f), 'utf8').split('\n').filter((l) => l.includes('"t":"intent"')).length;
      return intents >= 3 ? join(journalDir, f) : undefined;
    }, 20_000, () => stderr);
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    const runId = /sweep-(.+)\.jsonl$/.exec(journal)![1]!;

    // The killed process still holds the lock on paper: status says interrupted, not running.
    const lock = JSON.parse(readFileSync(join(cliHome, 'locks', 'sweep-local.lock'), 'utf8'));
    expect(lock).toMatchObject({ pid: child.pid, host: hostname() });
    const status = JSON.parse((await runCli(['sweep', 'status', '--json'], { env })).stdout);
    expect(status).toMatchObject({ run_id: runId, status: 'interrupted', planned: plan.planned });
    expect(status.to_do).toBeGreaterThan(0);
    // killed right after an intent hit the disk: that batch is in doubt (the desk may have it)
    expect(status.in_doubt).toBeGreaterThan(0);

    const resumed = await runCli(['sweep', 'resume', runId, '--yes', '--json'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/taking over the lock of a sweep that is no longer running \(pid \d+/);
    const s = JSON.parse(resumed.stdout) as Summary;
    expect(s).toMatchObject({ run_id: runId, status: 'completed', planned: plan.planned, sent: plan.planned, failed: 0, skipped: 0 });

    const again = JSON.parse((await runCli(['sweep', 'run', '--yes', '--json', '--rules', file], { env })).stdout) as Summary;
    expect(again).toMatchObject({ planned: 0, sent: 0 });
    expectExactlyOnce(before, deskState(deskHome), expected(plan));
    expect(existsSync(join(cliHome, 'locks', 'sweep-local.lock'))).toBe(false);
  });

  it('a second sweep while one runs is refused, and sends nothing', async () => {
    const env = { DESKOPS_HOME: cliHome, DESKOPS_URL: desk.url, DESKOPS_EMAIL: desk.email, DESKOPS_TOKEN: desk.token };
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      mkdirSync(join(cliHome, 'locks'), { recursive: true });
      writeFileSync(
        join(cliHome, 'locks', 'sweep-local.lock'),
        JSON.stringify({ pid: holder.pid, host: hostname(), command: 'sweep run', run_id: '20261125-000000-abcd', started_at: new Date().toISOString() }),
      );
      const before = deskState(deskHome);
      const r = await runCli(['sweep', 'run', '--yes', '--rules', rules()], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`deskops: another sweep is running on profile local (pid ${holder.pid}, run 20261125-000000-abcd`);
      expect(deskState(deskHome)).toEqual(before);
    } finally {
      holder.kill('SIGKILL');
    }
    // and once that process is gone, the lock is stale: taken over with a warning
    await new Promise((resolve) => holder.on('exit', resolve));
    const r = await runCli(['sweep', 'run', '--yes', '--json', '--rules', rules()], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: taking over the lock of a sweep that is no longer running (pid ${holder.pid}, run 20261125-000000-abcd)`);
  });
});

async function waitFor<T>(fn: () => T | undefined, timeoutMs: number, context: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out; child stderr: ${context()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
