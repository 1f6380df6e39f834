/**
 * `deskops kpi` end to end: main() with buffer streams, the default `local` profile and its
 * in-process desk seeded in a temp DESKOPS_HOME with a fixed clock, so periods are fixed too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';
import { readDeskCredentials, seedDesk } from '../../src/desk/index.js';
import { METRIC_IDS, type KpiReport } from '../../src/core/kpi/types.js';
import { KpiDashboard } from '../../src/ui/kpi/KpiDashboard.js';

// The seed's date, and the clock of the CLI and its desk: moving on from it with real time.
const NOW = SEED_NOW;
const ESC = '\u001b';
let home: string;
let cleanup: () => void;
let env: Record<string, string>;
const kpi = (args: string[], extra: Parameters<typeof runCli>[1] = {}) => runCli(['kpi', ...args], { env, now: seedClock, ...extra });

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-kpi-cli-'));
  await seedDesk({ home, tickets: 250, seed: 5, now: NOW });
  // As the admin: these tests read the incremental export (agents fall back, tested below).
  env = { DESKOPS_HOME: home, DESKOPS_EMAIL: readDeskCredentials(home)!.admin_email! };
});
afterAll(() => cleanup());

type Entry = { value: unknown; unit: string; n: number; note?: string; previous?: unknown; change?: unknown };

function checkEntry(id: string, e: Entry): void {
  expect(typeof e.unit, id).toBe('string');
  expect(Number.isInteger(e.n) && e.n >= 0, id).toBe(true);
  if (e.value === null) {
    expect(typeof e.note, `${id} is null, so it says why`).toBe('string');
    expect(e.note!.length).toBeGreaterThan(5);
  } else if (typeof e.value === 'object') {
    const v = e.value as { median: number; p90: number };
    expect(typeof v.median, id).toBe('number');
    expect(v.p90, id).toBeGreaterThanOrEqual(v.median);
  } else {
    expect(typeof e.value, id).toBe('number');
    expect(Number.isFinite(e.value), id).toBe(true);
  }
}

describe('kpi', () => {
  it('--json: every metric id with a number (or median/p90) or null and a note', async () => {
    const r = await kpi(['--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, Entry>;
    expect(Object.keys(out)).toEqual([...METRIC_IDS]);
    for (const [id, e] of Object.entries(out)) checkEntry(id, e);
    // what the demo desk has and has not
    expect(out.nps!.value).toBeNull();
    expect(out.nps!.note).toMatch(/nps_N/);
    expect(typeof out.aht!.value).toBe('number');
    expect(out.aht!.unit).toBe('min');
    expect(typeof out.csat!.value).toBe('number');
    expect(out.first_reply_time!.value).toMatchObject({ median: expect.any(Number), p90: expect.any(Number) });
    expect(out.backlog).toMatchObject({ unit: 'tickets' });
    expect(Object.values((out.backlog as Entry & { buckets: Record<string, number> }).buckets).reduce((a, b) => a + b, 0)).toBe(out.backlog!.value);
    expect(out.created!.n).toBeGreaterThan(0);
    expect(out.created!.value).toBeCloseTo(out.created!.n / 30, 2);
    expect(out.fcr!.previous).toBeUndefined();
  });

  it('--by agent --csv: the first column is named agent, and the metrics come in the order asked for', async () => {
    const r = await kpi(['--by', 'agent', '--metrics', 'csat,fcr,aht', '--csv']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('agent,metric,value,unit,n,note');
    const first = lines[1]!.split(',')[0];
    expect(lines.filter((l) => l.startsWith(`${first},`)).map((l) => l.split(',')[1])).toEqual(['csat', 'fcr', 'aht']);
  });

  it('--by group: one object per group with its metrics', async () => {
    const r = await kpi(['--by', 'group', '--metrics', 'created,backlog,csat,churn_rate', '--json']);
    expect(r.code).toBe(0);
    const groups = JSON.parse(r.stdout) as Array<{ group: string; key: string; metrics: Record<string, Entry> }>;
    expect(groups.map((g) => g.group)).toEqual(expect.arrayContaining(['Billing', 'Escalations', 'Frontline']));
    for (const g of groups) {
      expect(Object.keys(g.metrics)).toEqual(['created', 'backlog', 'csat', 'churn_rate']); // as --metrics lists them
      for (const [id, e] of Object.entries(g.metrics)) checkEntry(id, e);
      expect(g.metrics.churn_rate!.note).toMatch(/not split by group/);
    }
    const all = JSON.parse((await kpi(['--metrics', 'created', '--json'])).stdout) as Record<string, Entry>;
    expect(groups.reduce((sum, g) => sum + g.metrics.created!.n, 0)).toBe(all.created!.n);
  });

  it('--compare previous: the previous period and the change beside each value', async () => {
    const r = await kpi(['--compare', 'previous', '--json', '--since', '4w']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, Entry>;
    for (const id of METRIC_IDS) {
      expect(out[id], id).toHaveProperty('previous');
      expect(out[id], id).toHaveProperty('change');
    }
    const c = out.created!;
    expect(c.change).toBeCloseTo((c.value as number) - (c.previous as number), 2);
  });

  it('--csv: flat rows, percentiles split, numbers unformatted', async () => {
    const r = await kpi(['--csv', '--compare', 'previous', '--metrics', 'csat,resolution_time,backlog']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('group,metric,value,unit,n,previous,change,note');
    const metrics = lines.slice(1).map((l) => l.split(',')[1]);
    expect(metrics).toEqual(['csat', 'resolution_time.median', 'resolution_time.p90', 'backlog', 'backlog.<1d', 'backlog.1-3d', 'backlog.3-7d', 'backlog.>7d']);
    const csat = lines[1]!.split(',');
    expect(csat[0]).toBe('all');
    expect(csat[2]).toMatch(/^\d+(\.\d)?$/);
    expect(csat[3]).toBe('%');
  });

  it('a table on a terminal: labels, units, colored changes and the notes under it', async () => {
    const r = await kpi(['--compare', 'previous'], { env: { ...env, FORCE_COLOR: '1' }, tty: { columns: 120 } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(ESC);
    const text = stripAnsi(r.stdout);
    expect(text).toMatch(/^KPIs 2026-10-21 12:00 \.\. 2026-11-20 12:00 UTC \(30 days\), compared with 2026-09-21/);
    expect(text).toMatch(/METRIC\s+VALUE\s+UNIT\s+N\s+PREVIOUS\s+CHANGE/);
    expect(text).toMatch(/First reply time\s+\S.*\/ p90 /);
    expect(text).toMatch(/[▲▼=]/);
    expect(text).toMatch(/\nnps: no nps_N survey tags/);
    // green or red on the change column
    expect(r.stdout).toMatch(/\u001b\[3[12]m[▲▼]/);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(120);

    const piped = await kpi(['--metrics', 'csat']);
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout.split('\n')[0]).toBe('group\tmetric\tvalue\tunit\tn\tnote');
  });

  it('a second run reads only the changes since the first (one incremental request)', async () => {
    const { home: h2, cleanup: c2 } = tempHome('deskops-kpi-cli2-');
    try {
      await seedDesk({ home: h2, tickets: 1500, seed: 2, now: NOW });
      const count = (stderr: string) => stderr.split('\n').filter((l) => l.includes('/incremental/tickets/cursor')).length;
      const first = await runCli(['kpi', '--json', '--verbose', '--metrics', 'created'], { env: { DESKOPS_HOME: h2, DESKOPS_EMAIL: readDeskCredentials(h2)!.admin_email! }, now: seedClock });
      expect(first.code).toBe(0);
      expect(count(first.stderr)).toBe(2); // 1,000 + 500 tickets
      const second = await runCli(['kpi', '--json', '--verbose', '--metrics', 'created'], { env: { DESKOPS_HOME: h2, DESKOPS_EMAIL: readDeskCredentials(h2)!.admin_email! }, now: seedClock });
      expect(count(second.stderr)).toBe(1);
      expect(second.stdout).toBe(first.stdout);
      const refresh = await runCli(['kpi', '--json', '--verbose', '--refresh', '--metrics', 'created'], { env: { DESKOPS_HOME: h2, DESKOPS_EMAIL: readDeskCredentials(h2)!.admin_email! }, now: seedClock });
      expect(count(refresh.stderr)).toBe(2);
      const bypass = await runCli(['kpi', '--json', '--no-cache', '--metrics', 'created'], { env: { DESKOPS_HOME: h2, DESKOPS_EMAIL: readDeskCredentials(h2)!.admin_email! }, now: seedClock });
      expect(bypass.stdout).toBe(first.stdout);
    } finally {
      c2();
    }
  });

  it('as an agent: the same figures from the search export and show_many, with a note on what is lost', async () => {
    const admin = await kpi(['--json', '--no-cache', '--verbose', '--since', '90d']);
    expect(admin.code, admin.stderr).toBe(0);
    const agent = await kpi(['--json', '--no-cache', '--verbose', '--since', '90d'], { env: { DESKOPS_HOME: home } });
    expect(agent.code, agent.stderr).toBe(0);
    const notes = agent.stderr.split('\n').filter((l) => l.startsWith('deskops: ') || l.startsWith('note: '));
    expect(notes.join('\n')).toMatch(/incremental export needs an admin; kpi reads the search export/);
    expect(notes.join('\n')).toMatch(/satisfaction ratings list needs an admin/);
    // One try of the incremental export (403), then the search export.
    expect(agent.stderr.split('\n').filter((l) => l.includes('/incremental/tickets/cursor'))).toHaveLength(1);
    expect(agent.stderr).toMatch(/search\/export/);
    const a = JSON.parse(admin.stdout) as Record<string, Entry>;
    const b = JSON.parse(agent.stdout) as Record<string, Entry>;
    for (const id of METRIC_IDS) {
      if (id === 'csat') continue; // a rating's time is its ticket's last update for an agent
      expect(b[id], id).toEqual(a[id]);
    }
  });

  it('--business-hours reads business minutes; --by agent names the agents', async () => {
    const median = async (extra: string[]) =>
      (JSON.parse((await kpi(['--metrics', 'first_reply_time,resolution_time', '--json', ...extra])).stdout) as Record<string, { value: { median: number } }>);
    const calendar = await median([]);
    const business = await median(['--business-hours']);
    for (const id of ['first_reply_time', 'resolution_time']) {
      expect(business[id]!.value.median, id).toBeLessThan(calendar[id]!.value.median);
    }
    const table = await kpi(['--metrics', 'first_reply_time', '--business-hours'], { tty: { columns: 100 } });
    expect(table.stdout).toMatch(/times in business hours/);

    const agents = JSON.parse((await kpi(['--by', 'agent', '--metrics', 'solved', '--json'])).stdout) as Array<{ group: string }>;
    expect(agents.map((a) => a.group)).toEqual(expect.arrayContaining(['Alex Morgan', 'Priya Raman']));
    const tags = JSON.parse((await kpi(['--by', 'tag', '--metrics', 'complaints', '--json'])).stdout) as Array<{ group: string; metrics: { complaints: { value: number; n: number } } }>;
    const complaint = tags.find((t) => t.group === 'complaint')!;
    expect(complaint.metrics.complaints.value).toBe(complaint.metrics.complaints.n); // every ticket tagged complaint is one
  });

  it('--from/--to covers whole days', async () => {
    const r = await kpi(['--from', '2026-11-01', '--to', '2026-11-07', '--metrics', 'created', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, Entry>;
    expect(out.created!.value).toBeCloseTo(out.created!.n / 7, 2);
  });

  it('churn from a customers CSV, with file:line errors', async () => {
    const file = join(home, 'customers.csv');
    writeFileSync(file, 'name,active_from,churned_at\nAcme,2025-01-01,2026-11-01\nGlobex,2025-01-01,\n');
    const ok = await kpi(['--metrics', 'churn_rate', '--customers', file, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).churn_rate).toEqual({ value: 50, unit: '%', n: 2 });
    writeFileSync(file, 'name,active_from,churned_at\nAcme,2025-01-01,soon\n');
    const bad = await kpi(['--metrics', 'churn_rate', '--customers', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`deskops: ${file}:2: churned_at "soon" is not a date (use YYYY-MM-DD)\n`);
  });

  it('bad values are one-line usage errors, exit 2, before the desk is read', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--since', 'forever'], /--since must look like 7d, 4w, 3m or 1y, got "forever"/],
      [['--since', '0d'], /--since must be at least 1/],
      [['--from', '2026-02-30'], /not a date on the calendar/],
      [['--metrics', 'aht,happiness'], /unknown metric "happiness"; valid metrics: aht, fcr, csat/],
      [['--by', 'week'], /--by must be one of agent, group, channel, priority, tag/],
      [['--compare', 'last-year'], /argument 'last-year' is invalid/],
      [['--json', '--csv'], /choose one of --json, --csv/],
      [['--watch'], /kpi --watch needs a terminal/],
      [['--no-cache', '--refresh'], /choose one of --no-cache, --refresh/],
    ];
    for (const [args, message] of cases) {
      const r = await kpi(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});

describe('kpi trend', () => {
  it('--json: one {period, value, n} per ISO week; the counts add up to the period\'s', async () => {
    const r = await kpi(['trend', 'created', '--by', 'week', '--since', '4w', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const points = JSON.parse(r.stdout) as Array<{ period: string; value: number; n: number }>;
    expect(points.map((p) => p.period)).toEqual(['2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47']);
    for (const p of points) expect(Object.keys(p)).toEqual(['period', 'value', 'n']);
    const total = JSON.parse((await kpi(['--since', '4w', '--metrics', 'created', '--json'])).stdout).created.n;
    expect(points.reduce((sum, p) => sum + p.n, 0)).toBe(total);
  });

  it('a chart and the numbers on a terminal', async () => {
    const r = await kpi(['trend', 'first_reply_time', '--by', 'day', '--since', '14d'], { env: { ...env, NO_COLOR: '1' }, tty: { columns: 100 } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/First reply time .* by day, 2026-11-06 12:00 \.\. 2026-11-20 12:00 UTC/);
    expect(r.stdout).toMatch(/[┼┤]/);
    expect(r.stdout).toMatch(/PERIOD\s+VALUE\s+N/);
    expect(r.stdout).toContain('2026-11-19');
    // the chart spreads its 14 days over the terminal's 100 columns, labelled as durations
    const chartLines = r.stdout.split('\n').filter((l) => /[┼┤]/.test(l));
    expect(Math.max(...chartLines.map((l) => l.trimEnd().length))).toBeGreaterThan(80);
    expect(chartLines[0]).toMatch(/^\s*(\d+d \d+h|\d+h \d{2}m|\d+m) [┼┤]/);
  });

  it('--csv, and usage errors for what a trend does not take', async () => {
    const csv = await kpi(['trend', 'resolution_time', '--by', 'month', '--since', '3m', '--csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('period,median,p90,n,note');
    for (const [args, message] of [
      [['trend', 'happiness'], /unknown metric "happiness"/],
      [['trend', 'csat', '--by', 'quarter'], /--by must be one of day, week, month/],
      [['trend', 'csat', '--compare', 'previous'], /kpi trend does not take --compare/],
      [['trend', 'csat', '--since', '3 months'], /--since must look like/],
    ] as Array<[string[], RegExp]>) {
      const r = await kpi(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('kpi --watch dashboard', () => {
  const report = (csat: number): KpiReport => ({
    window: { from: Date.parse('2026-10-21T00:00:00Z') / 1000, to: Date.parse('2026-11-20T00:00:00Z') / 1000 },
    previous: { from: Date.parse('2026-09-21T00:00:00Z') / 1000, to: Date.parse('2026-10-21T00:00:00Z') / 1000 },
    by: null,
    groups: [{ key: 'all', name: 'all', metrics: {
      csat: { value: csat, unit: '%', n: 40, previous: 70, change: csat - 70 },
      aht: { value: 12.5, unit: 'min', n: 9, previous: 10, change: 2.5 },
    } }],
  });

  async function waitFor(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('shows the KPIs, refreshes on its interval, and quits on q', async () => {
    let loads = 0;
    let quit = 0;
    const screen = render(createElement(KpiDashboard, {
      load: async () => report(++loads === 1 ? 75 : 65),
      intervalMs: 50,
      now: () => new Date('2026-11-20T12:00:00Z'),
      onQuit: () => quit++,
    }));
    const frame = () => stripAnsi(screen.lastFrame() ?? '');
    await waitFor(() => frame().includes('CSAT'), 'the first frame with data');
    expect(frame()).toMatch(/CSAT \(% satisfied\)\s+75\.0%\s+40\s+70\.0%\s+▲ 5\.0 pts/);
    expect(frame()).toMatch(/Average handle time\s+12\.5m/);
    expect(frame()).toContain('q quits');
    await waitFor(() => frame().includes('65.0%'), 'a refresh');
    expect(frame()).toMatch(/▼ 5\.0 pts/);
    screen.stdin.write('q');
    await waitFor(() => quit === 1, 'q to quit');
    screen.unmount();
  });
});
