/**
 * Chaos, a few seeds of it (bench/chaos.js runs 20+): a follow-up sweep as a child process
 * against the embedded desk with seeded faults (429, 500, resets, slow answers), SIGKILLed at
 * seeded points (an update_many between intent and outcome, its job left to run late, a job
 * poll, an intent just on disk, a read), resumed or run again until it finishes; then every
 * planned message is counted on the desk's database: exactly once, marker beside it.
 */
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCli, runChaos, sweepJob, type ChaosCli, type ChaosResult } from './harness.js';

/** Seeds picked to cover each fault kind and kill kind at 150 tickets, and to stay quick. */
const SEEDS = [3, 21, 23, 40];

/** What a failure message shows: the scenario and what went wrong. */
function brief(r: ChaosResult) {
  return JSON.stringify({
    seed: r.seed,
    faults: r.faults,
    batch: r.batch_size,
    kills: r.kill_points,
    late: r.late_jobs,
    attempts: r.attempts.map((a) => `${a.argv} -> ${a.exit}${a.error ? ` (${a.error})` : ''}`),
    problems: r.examples,
  });
}

describe('sweep chaos: faults, SIGKILL, resume; every planned follow-up exactly once', () => {
  let cli: ChaosCli;
  beforeAll(async () => {
    cli = await prepareCli();
  });
  afterAll(() => cli?.cleanup());

  it.each(SEEDS)('seed %i', async (seed) => {
    const r = await runChaos({ seed, job: sweepJob(), cli, tickets: 150 });
    expect(r.examples, brief(r)).toEqual([]);
    expect(r, brief(r)).toMatchObject({ finished: true, duplicates: 0, missing: 0, unexpected: 0, marker_mismatch: 0, ok: true });
    expect(r.sent).toBe(r.planned);
    expect(r.planned).toBeGreaterThan(50);
    expect(r.kills, brief(r)).toBeGreaterThan(0);
  }, 90_000);

  it('the count fails a run with a duplicate or a lost message', async () => {
    // No faults, no kill: a clean run, then one message posted twice and another one lost.
    const r = await runChaos({
      seed: 1,
      job: sweepJob(),
      cli,
      tickets: 60,
      scenario: (s) => ({ ...s, faults: '', kills: [] }),
      beforeCount: (path) => {
        const db = new Database(path);
        try {
          const rows = db.prepare("SELECT ticket_id, id FROM comments WHERE body LIKE '[chaos] %' ORDER BY ticket_id, id LIMIT 2").all() as Array<{ ticket_id: number; id: number }>;
          db.prepare('INSERT INTO comments (ticket_id, id, author_id, body, public, channel, created_at) SELECT ticket_id, id + 1000000, author_id, body, public, channel, created_at FROM comments WHERE ticket_id = ? AND id = ?').run([rows[0]!.ticket_id, rows[0]!.id]);
          db.prepare('DELETE FROM comments WHERE ticket_id = ? AND id = ?').run([rows[1]!.ticket_id, rows[1]!.id]);
        } finally {
          db.close();
        }
      },
    });
    expect(r).toMatchObject({ finished: true, duplicates: 1, missing: 1, marker_mismatch: 1, ok: false });
    expect(r.examples.join('\n')).toMatch(/sent 2 times[\s\S]*missing[\s\S]*there without its message/);
  }, 60_000);
});
