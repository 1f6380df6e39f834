/**
 * The endpoint windows are the account's: two clients (two deskops processes: each opens the
 * ledger file on its own, as a process does) share one, so between them they never send the
 * 11th incremental export of a minute into the desk's 429.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import { FileLedger, MemoryLedger, ledgerPath, type RequestLedger } from '../../src/api/ledger.js';
import { startTestDesk } from '../desk/helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'deskops-ledger-'));
  dirs.push(d);
  return d;
}

describe('FileLedger', () => {
  it('counts the requests of every ledger open on the file in one window', async () => {
    let now = 5_000_000;
    const path = join(tempDir(), 'cache', 'budget-desk.sqlite');
    const a = new FileLedger({ path, now: () => now });
    const b = new FileLedger({ path, now: () => now });
    try {
      for (let i = 0; i < 5; i++) {
        expect((await a.take('incremental export', 10, 61_000)).waitMs).toBe(0);
        expect((await b.take('incremental export', 10, 61_000)).waitMs).toBe(0);
        now += 1000;
      }
      // the first of the ten went at 5,000,000: free again 61 s later
      expect((await a.take('incremental export', 10, 61_000)).waitMs).toBe(5_000_000 + 61_000 - now);
      expect((await b.take('ticket updates', 100, 61_000)).waitMs).toBe(0); // another endpoint, another window
      now = 5_000_000 + 61_000;
      expect((await b.take('incremental export', 10, 61_000)).waitMs).toBe(0);
    } finally {
      a.close();
      b.close();
    }
  });

  it('frees a slot a window after its answer came, not after it was counted', async () => {
    for (const make of [(now: () => number) => new MemoryLedger(now), (now: () => number) => new FileLedger({ path: join(tempDir(), 'b.sqlite'), now })]) {
      let now = 1_000_000;
      const ledger = make(() => now);
      const slot = await ledger.take('incremental export', 1, 61_000);
      now += 5_000; // the request waited on the account's limit, or the machine was busy
      ledger.landed(slot.id!);
      now += 58_000;
      expect((await ledger.take('incremental export', 1, 61_000)).waitMs).toBe(3_000);
      (ledger as RequestLedger).close?.();
    }
  });

  it('falls back to counting in the process, once, when the file cannot be used', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cache'), 'a file where the directory should be');
    const why: string[] = [];
    const ledger = new FileLedger({ path: join(dir, 'cache', 'budget-desk.sqlite'), onFallback: (w) => why.push(w) });
    for (let i = 0; i < 10; i++) expect((await ledger.take('incremental export', 10, 61_000)).waitMs).toBe(0);
    expect((await ledger.take('incremental export', 10, 61_000)).waitMs).toBeGreaterThan(0);
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/^the request budget shared with other deskops processes is not available \(.+\); counting this process's requests only$/);
  });

  it('names the file after the desk, so profiles of one account share it', () => {
    expect(ledgerPath('/h', 'https://acme.zendesk.com')).toBe(join('/h', 'cache', 'budget-acme.zendesk.com.sqlite'));
    expect(ledgerPath('/h', 'http://127.0.0.1:4100')).toBe(join('/h', 'cache', 'budget-127.0.0.1_4100.sqlite'));
  });
});

describe('two clients on one account', () => {
  async function twoClients(ledgers: [RequestLedger | undefined, RequestLedger | undefined]) {
    const t = await startTestDesk({ tickets: 30, seed: 4 });
    const statuses: Array<number | 'error'> = [];
    const waits: number[] = [];
    let waiting: () => void = () => undefined;
    const waited = new Promise<void>((resolve) => (waiting = resolve));
    const client = (ledger: RequestLedger | undefined) =>
      createHelpDesk(
        { kind: 'local', url: t.desk.url, auth: { type: 'basic-token', email: t.desk.adminEmail, token: t.desk.token }, profile: 'test' },
        {
          ledger,
          retries: 0,
          logger: (e) => statuses.push(e.status),
          // a wait is recorded and never ends: what matters is that it comes before the request
          sleep: (ms) => {
            waits.push(ms);
            waiting();
            return new Promise<void>(() => undefined);
          },
        },
      );
    const [a, b] = await Promise.all([client(ledgers[0]), client(ledgers[1])]);
    const read = async (desk: typeof a) => {
      for await (const page of desk.incrementalTickets({ startTime: 0 }, { pageSize: 1000 })) void page;
    };
    return { t, a, b, read, statuses, waits, waited };
  }

  it('wait before the 11th incremental export of the minute between them', async () => {
    const path = join(tempDir(), 'budget.sqlite');
    const [la, lb] = [new FileLedger({ path }), new FileLedger({ path })];
    const { t, a, b, read, statuses, waits, waited } = await twoClients([la, lb]);
    try {
      for (let i = 0; i < 5; i++) {
        await read(a);
        await read(b);
      }
      expect(waits).toEqual([]);
      void read(a);
      await waited;
      expect(waits[0]).toBeGreaterThan(55_000);
      expect(statuses).toEqual(Array(10).fill(200));
    } finally {
      la.close();
      lb.close();
      await t.close();
    }
  });

  it('each counting alone, send the 11th into the desk\'s 429 (what the shared file prevents)', async () => {
    const { t, a, b, read, statuses, waits } = await twoClients([new MemoryLedger(() => performance.now()), undefined]);
    try {
      for (let i = 0; i < 5; i++) {
        await read(a);
        await read(b);
      }
      await expect(read(a)).rejects.toThrow();
      expect(waits).toEqual([]);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(statuses[10]).toBe(429);
    } finally {
      await t.close();
    }
  });
});
