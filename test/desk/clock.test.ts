/**
 * One clock: the desk stamps, searches, seeds and answers `Date` on the clock it is given, and
 * a CLI hands its own clock to the desk it starts. The dates here are years away from the
 * machine's, so a part that reads the system clock instead fails whatever day the suite runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockFrom } from '../../src/core/time.js';
import { runCli, tempHome as cliHome } from '../helpers/cli.js';
import { startTestDesk, type TestDesk } from './helpers.js';

const FAR = new Date('2031-03-03T10:00:00Z');
const DAY_MS = 86_400_000;

describe('a desk on a clock of its own', () => {
  let t: TestDesk;
  beforeAll(async () => {
    // No explicit seed: the first start seeds the demo relative to the desk's clock.
    t = await startTestDesk({ now: clockFrom(FAR) });
  });
  afterAll(() => t.close());

  it('answers Date from its clock and seeds the demo relative to it', async () => {
    const r = await t.api('/api/v2/tickets.json?page[size]=100&sort=-updated_at');
    expect(r.status).toBe(200);
    expect(Math.abs(Date.parse(r.headers.get('date')!) - t.now().getTime())).toBeLessThan(5_000);
    const updated = r.body.tickets.map((x: { updated_at: string }) => Date.parse(x.updated_at));
    expect(Math.max(...updated)).toBeLessThanOrEqual(t.now().getTime());
    expect(Math.max(...updated)).toBeGreaterThan(t.now().getTime() - 2 * DAY_MS);
  });

  it('stamps a change and answers relative searches on its clock', async () => {
    const recent = await t.api(`/api/v2/search.json?query=${encodeURIComponent('type:ticket updated>14days')}`);
    expect(recent.body.count).toBeGreaterThan(0);
    const open = await t.api(`/api/v2/search.json?query=${encodeURIComponent('type:ticket status:open')}&per_page=1`);
    const id = open.body.results[0].id as number;
    const put = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { priority: 'urgent' } } });
    expect(put.status).toBe(200);
    expect(Math.abs(Date.parse(put.body.ticket.updated_at) - t.now().getTime())).toBeLessThan(5_000);
    const lastHour = await t.api(`/api/v2/search.json?query=${encodeURIComponent('type:ticket updated>1hours')}`);
    expect(lastHour.body.results.map((x: { id: number }) => x.id)).toContain(id);
  });
});

describe('the CLI and the desk it starts share one clock', () => {
  const { home, cleanup } = cliHome();
  afterAll(() => cleanup());
  const now = clockFrom(FAR);

  it('shows the demo as fresh work, whatever the date of the machine', async () => {
    const env = { DESKOPS_HOME: home };
    const recent = await runCli(['ticket', 'list', '--query', 'created>7days', '--status', 'any', '--json'], { env, now });
    expect(recent.code, recent.stderr).toBe(0);
    const tickets = JSON.parse(recent.stdout) as Array<{ created_at: string }>;
    expect(tickets.length).toBeGreaterThan(0);
    for (const x of tickets) expect(Date.parse(x.created_at)).toBeGreaterThan(now().getTime() - 8 * DAY_MS);
    const kpi = await runCli(['kpi', '--since', '30d', '--metrics', 'created,solved', '--json'], { env, now });
    expect(kpi.code, kpi.stderr).toBe(0);
    const figures = JSON.parse(kpi.stdout) as Record<string, { value: number }>;
    expect(figures.created!.value).toBeGreaterThan(0);
    expect(figures.solved!.value).toBeGreaterThan(0);
  });
});
