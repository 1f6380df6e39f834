/**
 * The client slows down before an endpoint's own limit instead of retrying into a 429: the
 * pacer on its own with a fake clock, and the real client against the embedded desk.
 */
import { describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import { EndpointPacer, describeWait, endpointLimitsNamed } from '../../src/api/pacer.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { startTestDesk } from '../desk/helpers.js';

function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    sleeps,
  };
}

describe('EndpointPacer', () => {
  it('lets 10 incremental exports through in a minute, then waits for the window and says what for', async () => {
    const time = fakeTime();
    const waits: string[] = [];
    const pacer = new EndpointPacer({ now: time.now, sleep: time.sleep, onWait: (w) => waits.push(describeWait(w)) });
    for (let i = 0; i < 10; i++) {
      await pacer.acquire('GET', '/api/v2/incremental/tickets/cursor.json');
      time.advance(1000);
    }
    expect(time.sleeps).toEqual([]);
    await pacer.acquire('GET', '/api/v2/incremental/tickets/cursor.json');
    // The first of the ten left at 1,000,000; a minute and a second of slack later it is out.
    expect(time.sleeps).toEqual([51_000]);
    expect(waits).toEqual(['incremental export: 10 requests a minute, next in 51 s']);
  });

  it('paces ticket updates to 100 a minute and leaves every other request alone', async () => {
    const time = fakeTime();
    const pacer = new EndpointPacer({ now: time.now, sleep: time.sleep });
    for (let i = 0; i < 100; i++) await pacer.acquire('PUT', `/api/v2/tickets/${i + 1}.json`);
    for (let i = 0; i < 500; i++) await pacer.acquire('GET', '/api/v2/tickets/1.json');
    await pacer.acquire('PUT', '/api/v2/tickets/update_many.json');
    expect(time.sleeps).toEqual([]);
    await pacer.acquire('PUT', '/api/v2/tickets/7.json');
    expect(time.sleeps).toEqual([61_000]);
  });

  it('takes the limits from DESKOPS_ENDPOINT_LIMITS: zendesk by default, high-volume, off; anything else is refused', async () => {
    expect(endpointLimitsNamed(undefined)?.find((l) => l.what === 'incremental export')?.perMinute).toBe(10);
    expect(endpointLimitsNamed('high-volume')?.find((l) => l.what === 'incremental export')?.perMinute).toBe(30);
    expect(endpointLimitsNamed('off')).toEqual([]);
    expect(endpointLimitsNamed('fast')).toBeUndefined();
    const { home, cleanup } = tempHome();
    try {
      const r = await runCli(['ticket', 'list', '--json'], { env: { DESKOPS_HOME: home, DESKOPS_ENDPOINT_LIMITS: 'fast' } });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe('deskops: DESKOPS_ENDPOINT_LIMITS must be zendesk, high-volume or off, got "fast"');
    } finally {
      cleanup();
    }
  });

  it('stops waiting when the command ends, instead of spinning until the window frees', async () => {
    const time = fakeTime();
    let ending = false;
    const pacer = new EndpointPacer({
      now: time.now,
      // The command ends during the first wait; sleeps return at once from then on, as an aborted sleep does.
      sleep: async (ms) => {
        time.sleeps.push(ms);
        ending = true;
      },
      stopped: () => {
        if (ending) throw new Error('the command is ending');
      },
    });
    for (let i = 0; i < 10; i++) await pacer.acquire('GET', '/api/v2/incremental/tickets/cursor.json');
    await expect(pacer.acquire('GET', '/api/v2/incremental/tickets/cursor.json')).rejects.toThrow('the command is ending');
    expect(time.sleeps).toHaveLength(1);
  });

  it('paces nothing when given no limits', async () => {
    const time = fakeTime();
    const pacer = new EndpointPacer({ limits: [], now: time.now, sleep: time.sleep });
    for (let i = 0; i < 50; i++) await pacer.acquire('GET', '/api/v2/incremental/tickets/cursor.json');
    expect(time.sleeps).toEqual([]);
  });
});

describe('the client against the desk\'s incremental export limit', () => {
  it('waits before the 11th incremental export in a minute instead of sending it into a 429', async () => {
    const t = await startTestDesk({ tickets: 40, seed: 2 });
    try {
      const statuses: Array<number | 'error'> = [];
      const waits: number[] = [];
      let waiting: () => void = () => undefined;
      const waited = new Promise<void>((resolve) => (waiting = resolve));
      const desk = await createHelpDesk(
        { kind: 'local', url: t.desk.url, auth: { type: 'basic-token', email: t.desk.adminEmail, token: t.desk.token }, profile: 'test' },
        {
          logger: (e) => statuses.push(e.status),
          // A wait is recorded and never ends: what matters is that it comes before the request.
          sleep: (ms) => {
            waits.push(ms);
            waiting();
            return new Promise<void>(() => undefined);
          },
        },
      );
      const read = async () => {
        for await (const page of desk.incrementalTickets({ startTime: 0 }, { pageSize: 1000 })) void page;
      };
      for (let i = 0; i < 10; i++) await read();
      expect(waits).toEqual([]);
      void read();
      await waited;
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(55_000);
      expect(statuses).toEqual(Array(10).fill(200));
    } finally {
      await t.close();
    }
  });
});
