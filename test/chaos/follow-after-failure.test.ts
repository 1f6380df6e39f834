/**
 * Regression (found by the chaos harness, seed 2 of bench/chaos.js): a step that waits for
 * another step's marker in the same run (`tags: [sweep_x]`, as the shipped transfer_nudge waits
 * for transfer_followup) was "skipped: no longer due" when that earlier item failed, and
 * skipped is final: `sweep resume` sent the earlier one and reported the run completed without
 * ever sending the later one. Now it fails with it ("not sent: it follows ... which failed"),
 * and the resume sends both, in order, once.
 *
 * The failure is made deterministic: right after the sweep read its tickets, three pending
 * tickets are touched on the desk (updated_at + 1 s), so their safe updates conflict, and with
 * --max-attempts 1 their first items fail.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { runCli, tempHome } from '../helpers/cli.js';

const RULES = [
  'rules:',
  '  - name: chaos_reply',
  '    when: { status: [pending, hold] }',
  '    then:',
  '      reply: "[chaos] chaos_reply #{{ ticket.id }}"',
  '  - name: chaos_follow',
  '    when: { status: [pending, hold], tags: [sweep_chaos_reply] }',
  '    then:',
  '      note: "[chaos] chaos_follow #{{ ticket.id }}"',
  '',
].join('\n');

interface Summary {
  run_id: string;
  status: string;
  planned: number;
  sent: number;
  skipped: number;
  failed: number;
  failures: Array<{ ticket_id: number; rule: string; reason: string }>;
}

describe('a step that follows a failed step of the same run', () => {
  let deskHome: string;
  let cliHome: string;
  let desk: RunningDesk;
  let touch: number[] = [];
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    const a = tempHome('deskops-follow-desk-');
    const b = tempHome('deskops-follow-cli-');
    cleanups.push(a.cleanup, b.cleanup);
    deskHome = a.home;
    cliHome = b.home;
    writeFileSync(join(cliHome, 'rules.yml'), RULES);
    await seedDesk({ home: deskHome, tickets: 120, seed: 11 });
    const db = new Database(join(deskHome, 'desk', 'desk.sqlite'));
    // Once the sweep has read its candidates (from search, or the replica's read of what
    // changed: the export or the live ticket list), the tickets to touch are touched (the
    // desk's log line comes right after the answer went out, before the sweep sends anything).
    desk = await startDesk({
      home: deskHome,
      log: (line) => {
        if (touch.length > 0 && /^GET \/api\/v2\/(search\/export|incremental\/tickets|tickets\?)/.test(line)) {
          for (const id of touch) db.prepare('UPDATE tickets SET updated_at = updated_at + 1 WHERE id = ?').run([id]);
          touch = [];
        }
      },
    });
    cleanups.push(() => db.close());
  });
  afterAll(async () => {
    await desk.close();
    cleanups.reverse().forEach((c) => c());
  });

  const comments = () => {
    const db = new Database(join(deskHome, 'desk', 'desk.sqlite'), { readonly: true });
    try {
      const out = new Map<string, number>();
      for (const r of db.prepare("SELECT ticket_id, body FROM comments WHERE body LIKE '[chaos] %'").all() as Array<{ ticket_id: number; body: string }>) {
        const key = `${r.ticket_id}:${/^\[chaos\] (\S+)/.exec(r.body)![1]}`;
        out.set(key, (out.get(key) ?? 0) + 1);
      }
      return out;
    } finally {
      db.close();
    }
  };

  it('fails with it, and the resume sends both, in order, exactly once', async () => {
    const env = { DESKOPS_HOME: cliHome, DESKOPS_URL: desk.url, DESKOPS_EMAIL: desk.email, DESKOPS_TOKEN: desk.token };
    const rules = join(cliHome, 'rules.yml');
    const plan = JSON.parse((await runCli(['sweep', 'plan', '--json', '--rules', rules], { env })).stdout) as { rules: Array<{ rule: string; ticket_ids: number[] }> };
    const replies = plan.rules.find((r) => r.rule === 'chaos_reply')!.ticket_ids;
    expect(plan.rules.find((r) => r.rule === 'chaos_follow')!.ticket_ids).toEqual(replies);
    expect(replies.length).toBeGreaterThan(5);
    const victims = replies.slice(1, 4);
    touch = [...victims];

    const first = await runCli(['sweep', 'run', '--yes', '--json', '--rules', rules, '--max-attempts', '1'], { env });
    expect(touch, 'the tickets were touched').toEqual([]);
    expect(first.code, first.stderr).toBe(3);
    const s1 = JSON.parse(first.stdout) as Summary;
    expect(s1).toMatchObject({ status: 'partial', planned: 2 * replies.length, skipped: 0, failed: 6 });
    const failed = s1.failures.map((f) => `${f.ticket_id}:${f.rule}`).sort();
    expect(failed).toEqual(victims.flatMap((id) => [`${id}:chaos_follow`, `${id}:chaos_reply`]).sort());
    const follow = s1.failures.find((f) => f.rule === 'chaos_follow')!;
    expect(follow.reason).toMatch(/^not sent: it follows sweep_chaos_reply on this ticket, which failed \(no tag sweep_chaos_reply\)$/);

    const resumed = await runCli(['sweep', 'resume', s1.run_id, '--yes', '--json'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ run_id: s1.run_id, status: 'completed', planned: 2 * replies.length, sent: 2 * replies.length, skipped: 0, failed: 0 });

    const landed = comments();
    for (const id of replies) {
      expect(landed.get(`${id}:chaos_reply`), `#${id} reply`).toBe(1);
      expect(landed.get(`${id}:chaos_follow`), `#${id} follow`).toBe(1);
    }
    expect([...landed.values()].reduce((x, y) => x + y, 0)).toBe(2 * replies.length);
  });
});
