import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { readDeskCredentials, seedDesk, startDesk } from '../../src/desk/index.js';
import { SEED_NOW, startTestDesk, tempHome } from './helpers.js';

// One small seeded home shared by the desks of this file (several servers may share a db).
let home: string;
beforeAll(async () => {
  home = tempHome();
  await seedDesk({ home, tickets: 60, seed: 3, now: SEED_NOW });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('rate limits', () => {
  it('counts down X-Rate-Limit-Remaining and answers 429 with Retry-After past the budget', async () => {
    const t = await startTestDesk({ home, rateLimit: 5 });
    try {
      const remaining: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await t.api('/api/v2/tickets.json?per_page=1');
        expect(r.status).toBe(200);
        expect(r.headers.get('x-rate-limit')).toBe('5');
        remaining.push(r.headers.get('x-rate-limit-remaining')!);
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      const limited = await t.api('/api/v2/tickets.json?per_page=1');
      expect(limited.status).toBe(429);
      expect(limited.body.error).toBe('APIRateLimitExceeded');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    } finally {
      await t.close();
    }
  });
});

/** What each of n requests got: a status, or "reset" when the connection was dropped. */
async function outcomes(faults: string, faultSeed: number, n: number): Promise<string[]> {
  const t = await startTestDesk({ home, faults, faultSeed });
  try {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      try {
        const res = await fetch(`${t.desk.url}/api/v2/tickets/1.json`, { headers: { authorization: t.basic, connection: 'close' } });
        out.push(res.status === 429 ? `429/${res.headers.get('retry-after')}` : String(res.status));
        await res.arrayBuffer();
      } catch {
        out.push('reset');
      }
    }
    return out;
  } finally {
    await t.close();
  }
}

describe('fault injection', () => {
  it('injects 429, 500 and resets deterministically from the seed', async () => {
    const spec = '429=0.25,500=0.2,reset=0.15';
    const a = await outcomes(spec, 42, 40);
    const b = await outcomes(spec, 42, 40);
    const c = await outcomes(spec, 43, 40);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    for (const kind of ['200', '429/1', '500', 'reset']) expect(a, kind).toContain(kind);
  });

  it('never applies a faulted write', async () => {
    const faulty = await startTestDesk({ home, faults: '500=1' });
    const clean = await startTestDesk({ home });
    try {
      const before = (await clean.api('/api/v2/tickets/2.json')).body.ticket;
      const r = await faulty.api('/api/v2/tickets/2.json', { method: 'PUT', json: { ticket: { subject: 'should not stick' } } });
      expect(r.status).toBe(500);
      expect(r.body.error).toBe('InternalError');
      expect((await clean.api('/api/v2/tickets/2.json')).body.ticket).toEqual(before);
    } finally {
      await faulty.close();
      await clean.close();
    }
  });

  it('refuses an invalid fault spec with a one-line usage error', async () => {
    for (const faults of ['429=2', 'boom=0.1', '429', '429=0.6,500=0.6']) {
      const err = await startDesk({ home, faults }).catch((e: unknown) => e);
      expect(err, faults).toBeInstanceOf(UsageError);
      expect((err as Error).message, faults).not.toContain('\n');
    }
  });
});

describe('binding', () => {
  it('listens on loopback only', async () => {
    for (const host of ['0.0.0.0', '192.168.1.10', '::', 'example.com']) {
      const err = await startDesk({ home, host }).catch((e: unknown) => e);
      expect(err, host).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/loopback/);
    }
    const desk = await startDesk({ home, host: 'localhost' });
    await desk.close();
  });
});

describe('seeding', () => {
  it('is deterministic: the same seed gives the same tickets, another seed others', async () => {
    const subjects = async (seed: number) => {
      const h = tempHome();
      try {
        const summary = await seedDesk({ home: h, tickets: 150, seed, now: SEED_NOW });
        expect(summary).toMatchObject({ tickets: 150, organizations: 40 });
        expect(summary.users).toBeGreaterThanOrEqual(308);
        const t = await startTestDesk({ home: h });
        try {
          const r = await t.api('/api/v2/tickets.json?per_page=100');
          return r.body.tickets.map((x: { subject: string; status: string; created_at: string }) => `${x.subject}|${x.status}|${x.created_at}`);
        } finally {
          await t.close();
        }
      } finally {
        rmSync(h, { recursive: true, force: true });
      }
    };
    const a = await subjects(5);
    expect(await subjects(5)).toEqual(a);
    expect(await subjects(6)).not.toEqual(a);
  });

  it('makes a new token on every seed, which a running desk picks up', async () => {
    const h = tempHome();
    try {
      await seedDesk({ home: h, tickets: 20, now: SEED_NOW });
      const first = readDeskCredentials(h)!;
      const running = await startDesk({ home: h });
      await seedDesk({ home: h, tickets: 25, now: SEED_NOW });
      const second = readDeskCredentials(h)!;
      expect(second.email).toBe(first.email);
      expect(second.token).not.toBe(first.token);
      expect(second.token.length).toBeGreaterThanOrEqual(32);
      try {
        const as = (token: string) => fetch(`${running.url}/api/v2/tickets.json?per_page=1`, { headers: { authorization: `Bearer ${token}` } });
        expect((await as(first.token)).status).toBe(401);
        const fresh = await as(second.token);
        expect(fresh.status).toBe(200);
        expect(((await fresh.json()) as { count: number }).count).toBe(25);
      } finally {
        await running.close();
      }
    } finally {
      rmSync(h, { recursive: true, force: true });
    }
  });
});
