/**
 * deskops' own traffic does not move the ticket KPIs (#16): a whole survey cycle (send, the
 * demo customers' answers, collect) leaves fcr, reopen rate, first reply and resolution times
 * and the solved counts of a fixed 90-day window and the one before it as they were, read as
 * an admin (incremental export) and as an agent (search export). Without the correction the
 * same cycle moves them (checked against the desk's own metric sets).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';
import { readDeskCredentials, seedDesk } from '../../src/desk/index.js';

const WINDOW = ['--from', '2026-08-23', '--to', '2026-11-21', '--compare', 'previous'];
const WATCHED = ['fcr', 'reopen_rate', 'first_reply_time', 'resolution_time', 'solved'] as const;

type Entry = { value: unknown; previous?: unknown; n: number };

let home: string;
let cleanup: () => void;
let admin: Record<string, string>;
let agent: Record<string, string>;
const cli = (argv: string[], env: Record<string, string>) => runCli(argv, { env, now: seedClock });

async function kpis(env: Record<string, string>, extra: string[] = []): Promise<Record<string, Entry>> {
  const r = await cli(['kpi', ...WINDOW, '--metrics', WATCHED.join(','), '--json', ...extra], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, Entry>;
}

const watched = (k: Record<string, Entry>) => Object.fromEntries(WATCHED.map((id) => [id, { value: k[id]!.value, previous: k[id]!.previous, n: k[id]!.n }]));

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-kpi-own-'));
  await seedDesk({ home, tickets: 300, seed: 11, now: SEED_NOW });
  const creds = readDeskCredentials(home)!;
  admin = { DESKOPS_HOME: home, DESKOPS_EMAIL: creds.admin_email! };
  agent = { DESKOPS_HOME: home }; // the demo desk's agent: the search export, no ratings list
}, 60_000);
afterAll(() => cleanup());

describe('a survey cycle and the ticket KPIs', () => {
  it('leaves fcr, reopen rate, first reply, resolution and solved counts unchanged', async () => {
    const before = watched(await kpis(admin));
    expect(watched(await kpis(agent, ['--no-cache']))).toEqual(before);

    const sent = await cli(['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json'], admin);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout).sent).toBeGreaterThan(20);
    const answered = await cli(['desk', 'answer-surveys', '--rate', '1', '--json'], admin);
    expect(answered.code, answered.stderr).toBe(0);
    expect(JSON.parse(answered.stdout).answered).toBeGreaterThan(20);
    const collected = await cli(['survey', 'collect', '--json'], admin);
    expect(collected.code, collected.stderr).toBe(0);

    const after = watched(await kpis(admin));
    expect(after).toEqual(before);
    // a cold read (no cache) gives the same
    expect(watched(await kpis(admin, ['--no-cache']))).toEqual(before);
    expect(watched(await kpis(agent, ['--no-cache']))).toEqual(before);
  }, 120_000);
});
