/** `deskops config`: settings listed, read, set with the checks of the commands that read them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDesk } from '../../src/desk/index.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { seedClock } from '../desk/helpers.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(async () => {
  ({ home, cleanup } = tempHome());
  await seedDesk({ home, tickets: 120, seed: 5 });
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup?.());

const stored = () => (JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { settings?: Record<string, unknown> }).settings ?? {};

describe('deskops config', () => {
  it('lists every setting with its default and what it does', async () => {
    const r = await runCli(['config', 'list', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ key: string; value: unknown; source: string; what: string }>;
    expect(rows.map((x) => x.key)).toEqual(expect.arrayContaining(['urgency.weights', 'survey.fatigue_days', 'kpi.sla_targets', 'triage.refresh_seconds']));
    expect(rows.find((x) => x.key === 'survey.fatigue_days')).toMatchObject({ value: 30, source: 'default' });
    for (const row of rows) expect(row.what.length).toBeGreaterThan(10);
  });

  it('sets, reads and unsets a value; a list typed with commas is stored as a list', async () => {
    expect((await runCli(['config', 'set', 'survey.fatigue_days', '14'], { env })).code).toBe(0);
    expect(stored()['survey.fatigue_days']).toBe(14);
    const get = await runCli(['config', 'get', 'survey.fatigue_days'], { env });
    expect(get.stdout.trim()).toBe('14');
    expect((await runCli(['config', 'set', 'kpi.complaint_tags', 'complaint, escalated'], { env })).code).toBe(0);
    expect(stored()['kpi.complaint_tags']).toEqual(['complaint', 'escalated']);
    expect((await runCli(['config', 'unset', 'survey.fatigue_days'], { env })).code).toBe(0);
    expect(stored()).not.toHaveProperty('survey.fatigue_days');
    const back = await runCli(['config', 'get', 'survey.fatigue_days'], { env });
    expect(back.stdout.trim()).toBe('30');
    expect(back.stderr).toContain('not set; the default applies');
  });

  it('refuses what the reading command would refuse, exit 2, one line and a hint, and stores nothing', async () => {
    for (const [key, value, said] of [
      ['survey.fatigue_days', 'lots', /must be a whole number of days from 0 to 3650/],
      ['urgency.weights', '{"vip": "x"}', /urgency\.weights\.vip must be a number/],
      ['urgency.weights', '{vip: 40', /is not valid JSON/],
      ['survey.statuses', 'closed', /closed tickets cannot be changed/],
      ['triage.refresh_seconds', '0', /whole number of seconds from 1 to 86400/],
      ['kpi.sla_targets', '{"asap": 1}', /unknown priority/],
      ['reply.locale', 'not a locale', /is not a language tag/],
      ['nosuch.key', '1', /unknown setting "nosuch\.key"; settings: urgency\.weights, /],
    ] as const) {
      const r = await runCli(['config', 'set', key, value], { env });
      expect(r.code, `${key} ${value}: ${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(said);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(stored()).not.toHaveProperty(key);
    }
  });

  it('a value set is the one the commands use: urgency weights in the queue', async () => {
    expect((await runCli(['config', 'set', 'urgency.weights', '{"priority": {"urgent": 77}}'], { env })).code).toBe(0);
    const q = await runCli(['queue', '--view', 'all', '--json', '--limit', '200'], { env, now: seedClock });
    expect(q.code, q.stderr).toBe(0);
    const items = JSON.parse(q.stdout) as Array<{ reasons: Array<{ label: string; points: number }> }>;
    const urgent = items.flatMap((i) => i.reasons).find((r) => r.label === 'urgent priority');
    expect(urgent?.points).toBe(77);
  });
});
