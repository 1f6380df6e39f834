/**
 * `queue` and `triage` through main(): buffer streams, the default `local` profile and its
 * in-process desk in a temp DESKOPS_HOME.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { seedDesk } from '../../src/desk/index.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-queue-'));
  await seedDesk({ home, tickets: 150, seed: 5 });
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup());

interface QueueJson {
  id: number;
  subject: string;
  status: string;
  priority: string | null;
  urgency: number;
  reasons: Array<{ code: string; label: string; points: number }>;
  sla_breach_at: string | null;
}

describe('queue', () => {
  it('prints the unsolved tickets as a JSON array, most urgent first, with reasons', async () => {
    const r = await runCli(['queue', '--view', 'all', '--limit', '30', '--json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as QueueJson[];
    expect(items.length).toBe(30);
    for (const t of items) {
      expect(typeof t.id).toBe('number');
      expect(typeof t.subject).toBe('string');
      expect(['new', 'open', 'pending', 'hold']).toContain(t.status);
      expect(typeof t.urgency).toBe('number');
      expect(Array.isArray(t.reasons)).toBe(true);
      expect(t.urgency).toBe(t.reasons.reduce((sum, x) => sum + x.points, 0));
      expect(t).toHaveProperty('sla_breach_at');
      expect(t).toHaveProperty('priority');
    }
    const scores = items.map((t) => t.urgency);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(items[0]!.reasons.length).toBeGreaterThan(0);
    // the demo desk has breached SLAs, and they rank high
    expect(items.some((t) => t.reasons.some((x) => x.code === 'sla_breached'))).toBe(true);
  });

  it('narrows to a view', async () => {
    const mine = JSON.parse((await runCli(['queue', '--json', '--limit', '500'], { env })).stdout) as Array<{ assignee_id: number | null }>;
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((t) => t.assignee_id)).size).toBe(1);
    const unassigned = JSON.parse((await runCli(['queue', '--view', 'unassigned', '--json'], { env })).stdout) as Array<{ assignee_id: number | null }>;
    for (const t of unassigned) expect(t.assignee_id).toBeNull();
    const billing = JSON.parse((await runCli(['queue', '--view', 'group:billing', '--json'], { env })).stdout) as Array<{ group_name: string }>;
    expect(billing.length).toBeGreaterThan(0);
    for (const t of billing) expect(t.group_name.toLowerCase()).toBe('billing');
  });

  it('explains every reason with its points on a terminal', async () => {
    const r = await runCli(['queue', '--view', 'all', '--limit', '3', '--explain'], { env: { ...env, NO_COLOR: '1' }, tty: { columns: 100 } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s*\d+\s+#\d+ {2}\w+/m);
    expect(r.stdout).toMatch(/^ {7}\+\s?\d+ {2}SLA breached .+ ago/m);
    expect(r.stdout).not.toContain('\u001b');
  });

  it('prints a table with an SLA countdown, breached ones negative', async () => {
    const r = await runCli(['queue', '--view', 'all', '--limit', '10'], { env: { ...env, NO_COLOR: '1' }, tty: { columns: 120 } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/URG\s+SLA\s+ID\s+PRI\s+SUBJECT\s+REQUESTER\s+AGE\s+WHY/);
    expect(r.stdout).toMatch(/^\s*\d+\s+-\d+[mhdw]\s+\d+\s/m);
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(120);
    // which desk, on stderr: the table stays the table
    expect(r.stderr).toMatch(/^view all on demo desk$/m);
    const piped = await runCli(['queue', '--view', 'all', '--limit', '3'], { env });
    expect(piped.stderr).not.toContain('demo desk');
  });

  it('refuses a bad view with exit 2, and bad weights in config with exit 1 naming the key', async () => {
    const view = await runCli(['queue', '--view', 'everything'], { env });
    expect(view.code).toBe(2);
    expect(view.stderr).toContain('unknown view "everything"');

    const group = await runCli(['queue', '--view', 'group:nosuch', '--json'], { env });
    expect(group.code).toBe(2);
    expect(group.stdout).toBe('');
    expect(group.stderr.trim()).toBe('deskops: group "nosuch" not found; groups: Frontline, Escalations, Billing');

    const { home: other, cleanup: done } = tempHome('deskops-queue-config-');
    try {
      writeFileSync(join(other, 'config.json'), JSON.stringify({ settings: { 'urgency.weights': { vip: 'lots' } } }));
      const r = await runCli(['queue', '--json'], { env: { DESKOPS_HOME: other } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('urgency.weights.vip');
      expect(r.stdout).toBe('');
    } finally {
      done();
    }
  });

  it('uses the weights in the profile config', async () => {
    const { home: other, cleanup: done } = tempHome('deskops-queue-weights-');
    try {
      await seedDesk({ home: other, tickets: 60, seed: 5 });
      writeFileSync(
        join(other, 'config.json'),
        JSON.stringify({ settings: { 'urgency.weights': { slaBreached: 0, slaOverdueMax: 0, slaDueSoon: 0, waitMax: 0, complaint: 0, angerMax: 0, vip: 0, reopenMax: 0, transferred: 0, channel: { phone: 0, chat: 0, web: 0 }, priority: { urgent: 4, high: 3, normal: 2, low: 1, none: 0 } } } }),
      );
      const r = await runCli(['queue', '--view', 'all', '--json', '--limit', '500'], { env: { DESKOPS_HOME: other } });
      expect(r.code).toBe(0);
      const items = JSON.parse(r.stdout) as QueueJson[];
      const rank = { urgent: 4, high: 3, normal: 2, low: 1 } as Record<string, number>;
      for (const t of items) expect(t.urgency).toBe(rank[t.priority ?? ''] ?? 0);
    } finally {
      done();
    }
  });
});

describe('queue ranking and --limit', () => {
  it('ranks the same whatever --limit is: the top 5 of --limit 5 are the first 5 of --limit 100', async () => {
    // A desk where a ticket outside the top five climbs into it once its thread is read.
    const { home: other, cleanup: done } = tempHome('deskops-queue-limit-');
    try {
      await seedDesk({ home: other, tickets: 500, seed: 42 });
      const env = { DESKOPS_HOME: other };
      // One instant for every run, so waiting times and SLA countdowns are the same.
      const now = new Date();
      const ranked = async (limit: number) => {
        const r = await runCli(['queue', '--view', 'all', '--limit', String(limit), '--json'], { env, now });
        expect(r.code).toBe(0);
        return (JSON.parse(r.stdout) as QueueJson[]).map((t) => `${t.id}:${t.urgency}`);
      };
      const many = await ranked(100);
      expect(many).toHaveLength(100);
      expect(await ranked(5)).toEqual(many.slice(0, 5));
      expect(await ranked(1)).toEqual(many.slice(0, 1));
    } finally {
      done();
    }
  });
});

describe('triage', () => {
  it('needs a terminal: exits 2 at once with a hint, before loading Ink or the desk', async () => {
    const { home: empty, cleanup: done } = tempHome('deskops-triage-notty-');
    try {
      const started = Date.now();
      const r = await runCli(['triage'], { env: { DESKOPS_HOME: empty } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('triage needs a terminal; use `deskops queue` in scripts');
      expect(r.stdout).toBe('');
      expect(Date.now() - started).toBeLessThan(5_000);
      // nothing was created: no config read, no desk seeded
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      done();
    }
  });

  it('has help with examples', async () => {
    const r = await runCli(['triage', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('escalate');
    const q = await runCli(['queue', '--help']);
    expect(q.stdout).toContain('Examples:');
  });
});
