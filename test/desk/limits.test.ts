import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { readDeskCredentials, seedDesk, startDesk } from '../../src/desk/index.js';
import { DeskLimits } from '../../src/desk/limits.js';
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

describe('requests without the token', () => {
  it('never spend the account\'s budget: 400 of them do not delay an authenticated request', async () => {
    const t = await startTestDesk({ home, rateLimit: 5 });
    try {
      const statuses = new Map<number, number>();
      for (let i = 0; i < 400; i++) {
        const res = await fetch(`${t.desk.url}/api/v2/tickets.json`, { headers: i % 2 ? { authorization: 'Basic bm9ib2R5OnRva2Vu' } : {} });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        await res.arrayBuffer();
      }
      // 401 on their own budget, then 429 past it.
      expect(statuses.get(401)).toBe(100);
      expect(statuses.get(429)).toBe(300);
      // The account's budget is untouched: the first of its 5 requests, answered at once.
      const r = await t.api('/api/v2/tickets.json?per_page=1');
      expect(r.status).toBe(200);
      expect(r.headers.get('x-rate-limit')).toBe('5');
      expect(r.headers.get('x-rate-limit-remaining')).toBe('4');
    } finally {
      await t.close();
    }
  });
});

describe("Zendesk's plan and endpoint limits", () => {
  it('keeps the plan\'s requests a minute, enterprise by default, and refuses an unknown plan', async () => {
    for (const [plan, limit] of [[undefined, '700'], ['team', '200'], ['growth', '400'], ['professional', '400'], ['enterprise-plus', '2500']] as const) {
      const t = await startTestDesk({ home, plan });
      try {
        const r = await t.api('/api/v2/tickets.json?per_page=1');
        expect(r.headers.get('x-rate-limit'), String(plan)).toBe(limit);
        // The ticketing endpoints carry the newer headers too, and list tickets its index limit.
        expect(r.headers.get('ratelimit-limit')).toBe(limit);
        expect(r.headers.get('ratelimit-remaining')).toBe(String(Number(limit) - 1));
        expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
        expect(r.headers.get('zendesk-ratelimit-tickets-index')).toMatch(/^total=100; remaining=99; resets=\d+$/);
      } finally {
        await t.close();
      }
    }
    const err = await startDesk({ home, plan: 'gold' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('unknown plan "gold": expected one of team, growth, professional, enterprise, enterprise-plus');
  });

  it('answers 429 with Retry-After to the 11th incremental export in a minute (the 31st on enterprise-plus)', async () => {
    for (const [plan, allowed] of [['enterprise', 10], ['enterprise-plus', 30]] as const) {
      const t = await startTestDesk({ home, plan });
      try {
        for (let i = 0; i < allowed; i++) {
          expect((await t.api('/api/v2/incremental/tickets/cursor.json?start_time=0', { as: 'admin' })).status).toBe(200);
        }
        const limited = await t.api('/api/v2/incremental/tickets/cursor.json?start_time=0', { as: 'admin' });
        expect(limited.status, plan).toBe(429);
        expect(limited.body.error).toBe('APIRateLimitExceeded');
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(50);
        // Other endpoints are not held up by it.
        expect((await t.api('/api/v2/tickets/1.json')).status).toBe(200);
      } finally {
        await t.close();
      }
    }
  });

  it('allows 30 updates of a ticket per user in 10 minutes, and 100 ticket updates a minute for the account', async () => {
    const t = await startTestDesk({ home });
    try {
      const put = (id: number, as?: 'admin') => t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { priority: 'high' } }, as });
      const open = (await t.api(`/api/v2/search.json?query=${encodeURIComponent('status<solved')}&per_page=10`)).body.results.map((x: { id: number }) => x.id) as number[];
      expect(open.length).toBeGreaterThanOrEqual(4);
      for (let i = 0; i < 30; i++) expect((await put(open[0]!)).status).toBe(200);
      const sameTicket = await put(open[0]!);
      expect(sameTicket.status).toBe(429);
      expect(sameTicket.body.description).toMatch(/30 per 10 minutes/);
      expect(Number(sameTicket.headers.get('retry-after'))).toBeGreaterThan(60);
      expect((await put(open[0]!, 'admin')).status).toBe(200); // another user
      // 31 updates so far; 69 more on other tickets reach the account's 100 a minute.
      for (let i = 0; i < 69; i++) expect((await put(open[1 + (i % 3)]!)).status, `update ${i}`).toBe(200);
      const account = await put(open[1]!);
      expect(account.status).toBe(429);
      expect(account.body.description).toMatch(/ticket updates/);
    } finally {
      await t.close();
    }
  });

  it('holds offset pages of list tickets past page 500 to 50 a minute, and update_many to 30 queued jobs', async () => {
    const t = await startTestDesk({ home });
    try {
      for (let i = 0; i < 50; i++) expect((await t.api(`/api/v2/tickets.json?page=${501 + i}&per_page=1`)).status).toBe(200);
      const deep = await t.api('/api/v2/tickets.json?page=600&per_page=1');
      expect(deep.status).toBe(429);
      expect(deep.headers.get('zendesk-ratelimit-tickets-index')).toMatch(/^total=100; remaining=49;/);
      expect((await t.api('/api/v2/tickets.json?page=2&per_page=1')).status).toBe(200);
    } finally {
      await t.close();
    }
    const limits = new DeskLimits({ perMinute: 700, highVolume: false });
    const updateMany = { method: 'PUT', path: '/api/v2/tickets/update_many', query: new URLSearchParams(), userId: 1 };
    expect(limits.endpoint(updateMany, () => 29).refuse).toBeUndefined();
    expect(limits.endpoint(updateMany, () => 30).refuse).toMatchObject({ status: 429, body: { error: 'TooManyJobs' }, headers: { 'Retry-After': '5' } });
  });

  it('adds the latency it is given before every answer', async () => {
    const t = await startTestDesk({ home, latencyMs: 150 });
    try {
      const started = performance.now();
      for (let i = 0; i < 3; i++) expect((await t.api('/api/v2/users/me.json')).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(450);
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
