/**
 * Regression (found by the chaos harness): a sweep killed after its journal was created but
 * before its whole plan was on disk left a run that `sweep resume` "completed", exit 0, having
 * sent only the part of the plan on record (nothing at all when only the start record was
 * there), while the rest of the planned follow-ups were never sent. A journal cut before its
 * start record made resume fail with "unexpected error".
 *
 * Now the plan ends with a `planned` record (fsync'd); a run without it cannot be resumed
 * (UsageError, exit 2: nothing of it was sent, plan again), and `sweep run` takes it over.
 */
import { deskIdentity } from '../../src/services/desk-identity.js';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { loadRun, readRun, startRun } from '../../src/services/bulk/index.js';
import { runCli, tempHome } from '../helpers/cli.js';

const RULES = [
  'rules:',
  '  - name: chaos_reply',
  '    when: { status: [pending, hold] }',
  '    then:',
  '      reply: "[chaos] chaos_reply #{{ ticket.id }}"',
  '  - name: chaos_note',
  '    when: { status: [new, open, solved] }',
  '    then:',
  '      note: "[chaos] chaos_note #{{ ticket.id }}"',
  '',
].join('\n');

/** Comments per ticket with a chaos body. */
function sweepComments(deskHome: string): Map<number, number> {
  const db = new Database(join(deskHome, 'desk', 'desk.sqlite'), { readonly: true });
  try {
    const rows = db.prepare("SELECT ticket_id, count(*) AS n FROM comments WHERE body LIKE '[chaos] %' GROUP BY ticket_id").all() as Array<{ ticket_id: number; n: number }>;
    return new Map(rows.map((r) => [r.ticket_id, r.n]));
  } finally {
    db.close();
  }
}

describe('the journal knows whether its whole plan is on record', () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(() => ({ home, cleanup } = tempHome('deskops-plan-record-')));
  afterAll(() => cleanup());
  const scope = () => ({ home, kind: 'sweep', profile: 'local' });
  const tuples = (n: number) => Array.from({ length: n }, (_, i): [string, number, string, string, string] => [`${i + 1}:r`, i + 1, 'm', 'r', '']);

  it('a plan written to the end is complete, also when empty', () => {
    for (const n of [0, 3, 1200]) {
      const j = startRun(scope(), {});
      j.appendPlan(tuples(n));
      j.close();
      const state = readRun(j.path);
      expect(state.planComplete).toBe(true);
      expect(state.items.size).toBe(n);
      expect(loadRun(scope(), j.runId).planComplete).toBe(true);
    }
  });

  it('a process killed after the start record or between plan chunks leaves a run that cannot be resumed', () => {
    const j = startRun(scope(), {});
    j.close();
    expect(readRun(j.path).planComplete).toBe(false);
    expect(() => loadRun(scope(), j.runId)).toThrow(UsageError);
    expect(() => loadRun(scope(), j.runId)).toThrow(/stopped while it recorded its plan \(0 items on record, the rest lost\); nothing of it was sent/);

    const k = startRun(scope(), {});
    k.append({ t: 'plan', items: tuples(500) }); // the first of three chunks, then SIGKILL
    k.close();
    expect(readRun(k.path).planComplete).toBe(false);
    expect(() => loadRun(scope(), k.runId)).toThrow(/500 items on record, the rest lost/);
  });

  it('a journal cut before its start record is a usage error, not an unexpected one', () => {
    const j = startRun(scope(), {});
    j.close();
    writeFileSync(j.path, '');
    expect(() => loadRun(scope(), j.runId)).toThrow(UsageError);
    expect(() => loadRun(scope(), j.runId)).toThrow(/stopped as it started, before its journal had a first record; nothing of it was sent/);
  });

  it('journals written before the planned record: complete when work followed the plan', () => {
    const j = startRun(scope(), {});
    j.append({ t: 'plan', items: tuples(2) });
    j.append({ t: 'intent', batch: 'b1', round: 1, at: new Date().toISOString(), items: [['1:r', 1, '']] }, true);
    j.close();
    expect(readRun(j.path).planComplete).toBe(true);
  });
});

describe('sweep resume of a run killed while it wrote its plan', () => {
  const cleanups: Array<() => void> = [];
  const desks: RunningDesk[] = [];
  afterAll(async () => {
    for (const d of desks) await d.close();
    cleanups.forEach((c) => c());
  });

  it('is refused (exit 2, nothing sent); sweep run then sends every planned follow-up once', async () => {
    // The journal of a real run on one desk, cut as a SIGKILL while writing the plan would cut it...
    const a = tempHome('deskops-plan-a-');
    const b = tempHome('deskops-plan-b-');
    const cliA = tempHome('deskops-plan-cli-a-');
    const cliB = tempHome('deskops-plan-cli-b-');
    cleanups.push(a.cleanup, b.cleanup, cliA.cleanup, cliB.cleanup);
    await seedDesk({ home: a.home, tickets: 80, seed: 4 });
    await seedDesk({ home: b.home, tickets: 80, seed: 4 });
    const deskA = await startDesk({ home: a.home });
    const deskB = await startDesk({ home: b.home });
    desks.push(deskA, deskB);
    const envOf = (d: RunningDesk, cliHome: string) => ({ DESKOPS_HOME: cliHome, DESKOPS_URL: d.url, DESKOPS_EMAIL: d.email, DESKOPS_TOKEN: d.token });
    for (const h of [cliA.home, cliB.home]) writeFileSync(join(h, 'rules.yml'), RULES);

    const full = await runCli(['sweep', 'run', '--yes', '--json', '--rules', join(cliA.home, 'rules.yml')], { env: envOf(deskA, cliA.home) });
    expect(full.code, full.stderr).toBe(0);
    const planned = (JSON.parse(full.stdout) as { planned: number }).planned;
    expect(planned).toBeGreaterThan(20);
    const [file] = readdirSync(join(cliA.home, 'journal'));
    const lines = readFileSync(join(cliA.home, 'journal', file!), 'utf8').split('\n');
    expect(lines[0]).toContain('"t":"start"');
    expect(lines[1]).toContain('"t":"plan"');

    // ...and resumed on a second desk just like the first (same seed), where nothing was sent yet.
    const runId = /^sweep-(.+)\.jsonl$/.exec(file!)![1]!;
    mkdirSync(join(cliB.home, 'journal'), { recursive: true });
    const envB = envOf(deskB, cliB.home);
    // The journal names its desk; here it stands for a run made on desk B itself.
    const start = JSON.parse(lines[0]!) as { desk?: string };
    expect(start.desk).toBe(deskIdentity({ kind: 'local', url: deskA.url, auth: { type: 'basic-token', email: deskA.email, token: deskA.token }, profile: 'local' }));
    lines[0] = JSON.stringify({ ...start, desk: deskIdentity({ kind: 'local', url: deskB.url, auth: { type: 'basic-token', email: deskB.email, token: deskB.token }, profile: 'local' }) });
    for (const cut of [1, 2]) {
      writeFileSync(join(cliB.home, 'journal', file!), `${lines.slice(0, cut).join('\n')}\n`);
      const resumed = await runCli(['sweep', 'resume', runId, '--yes', '--json'], { env: envB });
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(2);
      expect(resumed.stderr).toMatch(new RegExp(`run ${runId} was stopped while it recorded its plan \\(${cut === 1 ? 0 : planned} items? on record, the rest lost\\); nothing of it was sent, and it cannot be resumed`));
      expect(resumed.stderr).toContain('hint: plan the work again with `deskops sweep run`');
      expect(sweepComments(b.home).size).toBe(0);
    }

    const rerun = await runCli(['sweep', 'run', '--yes', '--json', '--rules', join(cliB.home, 'rules.yml')], { env: envB });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`note: run ${runId} had been interrupted; what it did stays done, and this run does the rest`);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ planned, sent: planned, failed: 0 });
    const after = sweepComments(b.home);
    expect([...after.values()].reduce((x, y) => x + y, 0)).toBe(planned);
    expect(sweepComments(a.home)).toEqual(after);
  });
});
