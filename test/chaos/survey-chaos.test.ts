/**
 * Chaos for survey sends (bench/chaos.js runs 20+): `survey send` as a child process against the
 * embedded desk with seeded faults, SIGKILLed at seeded points, run again until it finishes;
 * then every planned survey is counted on the desk's database: exactly once, marker beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCli, runChaos, surveyJob, type ChaosCli, type ChaosResult } from './harness.js';

const SEEDS = [3, 21];

function brief(r: ChaosResult) {
  return JSON.stringify({ seed: r.seed, faults: r.faults, batch: r.batch_size, kills: r.kill_points, late: r.late_jobs, attempts: r.attempts.map((a) => `${a.argv} -> ${a.exit}${a.error ? ` (${a.error})` : ''}`), problems: r.examples });
}

describe('survey send chaos: faults, SIGKILL, run again; every planned survey exactly once', () => {
  let cli: ChaosCli;
  beforeAll(async () => {
    cli = await prepareCli();
  });
  afterAll(() => cli?.cleanup());

  it.each(SEEDS)('seed %i', async (seed) => {
    const r = await runChaos({ seed, job: surveyJob(), cli, tickets: 400 });
    expect(r.examples, brief(r)).toEqual([]);
    expect(r, brief(r)).toMatchObject({ finished: true, duplicates: 0, missing: 0, unexpected: 0, marker_mismatch: 0, ok: true });
    expect(r.sent).toBe(r.planned);
    expect(r.planned).toBeGreaterThan(40);
    expect(r.kills, brief(r)).toBeGreaterThan(0);
  }, 90_000);
});
