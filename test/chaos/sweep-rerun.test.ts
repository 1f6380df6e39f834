/**
 * A sweep killed between the steps of one ticket and then simply run again (#16): the rules
 * read the thread (group changed since the last public reply), and the re-plan must not take
 * the first step's own reply for a person's. Counted on the desk's database: every message the
 * uninterrupted plan holds, exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCli, runChaos, sweepThreadJob, type ChaosCli } from './harness.js';

describe('sweep killed between the steps of a ticket, then `sweep run` again', () => {
  let cli: ChaosCli;
  beforeAll(async () => {
    cli = await prepareCli();
  });
  afterAll(() => cli?.cleanup());

  it.each([
    ['while the first wave\'s job is polled', { kind: 'job_poll' as const, n: 1 }],
    ['with the first wave sent and its outcome not journaled', { kind: 'update_many' as const, n: 1 }],
  ])('%s', async (_name, kill) => {
    const r = await runChaos({
      seed: 7, // three tickets of the agent's group were transferred: nine messages in three waves
      job: sweepThreadJob(),
      cli,
      tickets: 500,
      // One batch a wave: the first update_many is every ticket's first step, the second their second.
      scenario: (s) => ({ ...s, faults: '', batchSize: 100, maxAttempts: 4, carryOn: 'rerun', kills: [kill] }),
    });
    expect(r.examples, JSON.stringify(r.attempts)).toEqual([]);
    expect(r).toMatchObject({ finished: true, duplicates: 0, missing: 0, unexpected: 0, marker_mismatch: 0, ok: true });
    expect(r.kills).toBe(1);
    expect(r.planned).toBeGreaterThanOrEqual(6);
    expect(r.sent).toBe(r.planned);
  }, 90_000);
});
