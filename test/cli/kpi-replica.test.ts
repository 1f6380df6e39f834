/**
 * `kpi` reads from the ticket replica (issue 18), through main(), the requests counted on the
 * desk itself (its request log): one sync and one cursor for kpi, queue and ticket list, so
 * what one command read the next does not read again; kpi reads with show_many only the
 * metric sets of tickets another command synced without them; a first kpi run costs what it
 * did with a file of its own; an old kpi-<profile>.sqlite goes.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { readDeskCredentials, seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { createHelpDesk } from '../../src/api/index.js';

const TICKETS = 1500;
let home: string;
let cleanup: () => void;
let desk: RunningDesk;
const served: string[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-kpi-replica-'));
  await seedDesk({ home, tickets: TICKETS, seed: 4 });
  // Not about limits: kpi and queue read the incremental export here more than 10 times a minute.
  desk = await startDesk({ home, indexLagSeconds: 0, rateLimit: 100_000, endpointLimits: false, log: (line) => served.push(line) });
  // as the admin: the incremental export (read more than its 10 a minute here: no pacing)
  env = { DESKOPS_HOME: home, DESKOPS_URL: desk.url, DESKOPS_EMAIL: readDeskCredentials(home)!.admin_email!, DESKOPS_ENDPOINT_LIMITS: 'off' };
});
afterAll(async () => {
  await desk.close();
  cleanup();
});

async function counted(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; requests: string[] }> {
  const from = served.length;
  const r = await runCli(argv, { env });
  return { ...r, requests: served.slice(from) };
}

const exports = (requests: string[]) => requests.filter((r) => r.includes('/incremental/tickets/cursor'));
const showMany = (requests: string[]) => requests.filter((r) => r.includes('/tickets/show_many'));
// a window that ends after a change made now (whole days)
const window = () => ['--from', '2020-01-01', '--to', new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)];
const backlog = (stdout: string) => (JSON.parse(stdout) as { backlog: { value: number } }).backlog.value;

describe('kpi on the replica', () => {
  it('removes an old kpi-<profile>.sqlite, and a first run costs what it did: the export with the metric sets, nothing else per ticket', async () => {
    const old = join(home, 'cache', 'kpi-local.sqlite');
    await seedOldCache(old);
    const first = await counted(['kpi', '--json', '--metrics', 'created,backlog']);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(`${old}-wal`)).toBe(false);
    expect(existsSync(join(home, 'cache', 'replica-local.sqlite'))).toBe(true);
    // 1,000 + 500 tickets with their metric sets, and the ticket fields (the time-tracking
    // field): what the KPI cache's own file cost
    expect(exports(first.requests)).toHaveLength(2);
    for (const r of exports(first.requests)) expect(r).toMatch(/include=users(%2C|,)metric_sets/);
    expect(showMany(first.requests)).toEqual([]);
    expect(first.requests).toHaveLength(3);
  });

  it('a queue after kpi reads only what changed since kpi\'s sync; with nothing changed, the next queue makes 1 request', async () => {
    const queue = await counted(['queue', '--view', 'all', '--json']);
    expect(queue.code, queue.stderr).toBe(0);
    // not the whole desk again: within minutes of kpi's export read, the live list (1 request);
    // the export's requests are the account's scarcest
    expect(exports(queue.requests)).toEqual([]);
    expect(queue.requests.filter((r) => r.includes('sort=-updated_at'))).toHaveLength(1);
    const again = await counted(['queue', '--view', 'all', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.requests).toHaveLength(1);
  });

  it('after a queue synced a change, kpi reads just that change, with its metric set, from the export', async () => {
    const before = await counted(['kpi', '--json', '--metrics', 'created,backlog', ...window()]);
    expect(before.code, before.stderr).toBe(0);
    const open = (JSON.parse((await counted(['queue', '--view', 'all', '--json'])).stdout) as Array<{ id: number; status: string }>).find(
      (t) => t.status === 'open',
    )!;
    const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: env.DESKOPS_EMAIL!, token: desk.token }, profile: 'local' });
    await api.updateTicket(open.id, { status: 'solved', comment: { body: 'Sorted: the replacement has shipped.', public: true } });
    // the queue syncs the replica (the live list, without metric sets) and so takes the change first
    const queue = await counted(['queue', '--view', 'all', '--json']);
    expect(queue.code, queue.stderr).toBe(0);
    expect(exports(queue.requests)).toEqual([]);

    // the cursor is still kpi's (the queue read the live list): the export from it brings the
    // change with its metric set, and nothing is read with show_many
    const after = await counted(['kpi', '--json', '--metrics', 'created,backlog', ...window()]);
    expect(after.code, after.stderr).toBe(0);
    expect(showMany(after.requests)).toEqual([]);
    expect(exports(after.requests)).toHaveLength(1);
    expect(backlog(after.stdout)).toBe(backlog(before.stdout) - 1);

    // and nothing changed since: no metric set read again
    const warm = await counted(['kpi', '--json', '--metrics', 'created,backlog', ...window()]);
    expect(showMany(warm.requests)).toEqual([]);
    expect(warm.stdout).toBe(after.stdout);
  });

  it('kpi --refresh empties the replica too; queue --fresh empties the KPI rows too: each reads the desk again', async () => {
    const refreshed = await counted(['kpi', '--json', '--metrics', 'created,backlog', ...window(), '--refresh']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(exports(refreshed.requests)).toHaveLength(2);
    expect(exports(refreshed.requests)[0]).toMatch(/start_time=0/);
    const fresh = await counted(['queue', '--view', 'all', '--json', '--fresh']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(exports(fresh.requests)[0]).toMatch(/start_time=0/);
    // the replica holds every ticket, none with a KPI row: the export with the metric sets
    // (2 requests) costs less than show_many (15)
    const kpi = await counted(['kpi', '--json', '--metrics', 'created,backlog', ...window()]);
    expect(kpi.code, kpi.stderr).toBe(0);
    expect(showMany(kpi.requests)).toEqual([]);
    expect(exports(kpi.requests)).toHaveLength(2);
    expect(kpi.stdout).toBe(refreshed.stdout);
  });
});

/** An old KPI cache file, as an earlier deskops left it (any SQLite file will do). */
async function seedOldCache(path: string): Promise<void> {
  const { mkdirSync } = await import('node:fs');
  const { default: Database } = await import('libsql');
  mkdirSync(join(home, 'cache'), { recursive: true });
  const db = new Database(path);
  db.exec("PRAGMA journal_mode = WAL; CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '3');");
  writeFileSync(`${path}-wal`, '');
  db.close();
}
