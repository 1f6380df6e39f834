/**
 * A real local desk for tests: a temp DESKOPS_HOME, demo data seeded with a fixed seed and
 * clock, the server on an ephemeral 127.0.0.1 port, and a fetch helper that authenticates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDesk, startDesk, type DeskOptions, type RunningDesk } from '../../src/desk/index.js';
import { clockFrom, type Clock } from '../../src/core/time.js';

export interface TestDesk {
  desk: RunningDesk;
  home: string;
  /** Basic email/token auth header value: the default user, an agent. */
  basic: string;
  /** The same token with the admin's email. */
  adminBasic: string;
  /** The desk's clock (seedClock unless the test gave its own). */
  now: Clock;
  /** fetch against the desk with auth (the agent's, or `as: 'admin'`); `path` starts with /api/v2. */
  api(path: string, init?: RequestInit & { json?: unknown; as?: 'admin' }): Promise<ApiAnswer>;
  close(): Promise<void>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A fixed date for seeding, so the demo data is the same in every run. */
export const SEED_NOW = new Date('2026-11-20T12:00:00Z');

/**
 * The clock of tests on data seeded at SEED_NOW: it reads SEED_NOW when the test file loads
 * and moves on with real time. Give it to the desk and to the client alike (startTestDesk and
 * runCli do), so "updated>14days", SLA countdowns and `--since 30d` mean the same on any date
 * the machine says it is. Never compare seeded dates with Date.now().
 */
export const seedClock: Clock = clockFrom(SEED_NOW);

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'deskops-desk-'));
}

export async function startTestDesk(options: { tickets?: number; seed?: number; home?: string } & Omit<DeskOptions, 'home'> = {}): Promise<TestDesk> {
  const home = options.home ?? tempHome();
  if (options.tickets !== undefined) await seedDesk({ home, tickets: options.tickets, seed: options.seed ?? 1, now: SEED_NOW });
  const now = options.now ?? seedClock;
  // Search sees changes at once unless a test is about the index lag and sets it.
  const desk = await startDesk({ indexLagSeconds: 0, ...options, home, now });
  const basicFor = (email: string) => `Basic ${Buffer.from(`${email}/token:${desk.token}`).toString('base64')}`;
  const basic = basicFor(desk.email);
  const adminBasic = basicFor(desk.adminEmail);
  return {
    desk,
    home,
    basic,
    adminBasic,
    now,
    async api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', init.as === 'admin' ? adminBasic : basic);
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers.set('content-type', 'application/json');
      }
      const res = await fetch(`${desk.url}${path}`, { ...init, headers, body });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await desk.close();
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls a job status until it leaves queued/working. */
export async function waitForJob(t: TestDesk, id: string): Promise<ApiAnswer> {
  for (let i = 0; i < 200; i++) {
    const answer = await t.api(`/api/v2/job_statuses/${id}.json`);
    if (answer.body.job_status.status !== 'queued' && answer.body.job_status.status !== 'working') return answer;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`job ${id} did not finish`);
}
