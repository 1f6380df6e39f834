/**
 * The desk's views through main(): `view list`, and `queue --view` ranking one of them, with
 * the tickets checked against a search for the same conditions; unknown names refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { seedDesk } from '../../src/desk/index.js';
import { resolveQueueView } from '../../src/services/views.js';
import type { DeskView } from '../../src/core/model.js';
import { memoryDesk } from '../services/memoryDesk.js';
import { seedClock, SEED_NOW } from '../desk/helpers.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-view-'));
  await seedDesk({ home, tickets: 300, seed: 11, now: SEED_NOW });
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup());

interface ViewJson {
  id: number;
  title: string;
  access: string;
  restriction: unknown;
}

describe('view list', () => {
  it("prints the views the agent may use with who else sees them; not another agent's or group's", async () => {
    const r = await runCli(['view', 'list', '--json'], { env, now: seedClock });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const views = JSON.parse(r.stdout) as ViewJson[];
    const titles = views.map((v) => v.title);
    expect(titles).toEqual(expect.arrayContaining(['Urgent tickets', 'My unsolved tickets', 'Unassigned in Billing', 'Pending > 3 days']));
    expect(titles).not.toContain("Priya's callbacks");
    expect(titles).not.toContain('Billing: refunds and disputes');
    expect(titles).not.toContain('Holiday backlog (retired)');
    expect(views.find((v) => v.title === 'Urgent tickets')?.access).toBe('shared');
    expect(views.find((v) => v.title === 'My frontline tickets waiting on us')?.access).toBe('personal');
  });

  it('prints a table on a terminal and says how to rank one', async () => {
    const r = await runCli(['view', 'list'], { env: { ...env, NO_COLOR: '1' }, now: seedClock, tty: { columns: 120 } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ID\s+TITLE\s+ACCESS\s+DESCRIPTION/);
    expect(r.stdout).toContain('Urgent tickets');
    expect(r.stderr).toContain('deskops queue --view "TITLE"');
  });
});

describe('queue --view with a desk view', () => {
  const ids = (stdout: string) => (JSON.parse(stdout) as Array<{ id: number }>).map((t) => t.id).sort((a, b) => a - b);

  it("ranks the view's unsolved tickets: the same ones a search for its conditions finds", async () => {
    const r = await runCli(['queue', '--view', 'Urgent tickets', '--limit', '1000', '--json'], { env, now: seedClock });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as Array<{ id: number; priority: string; status: string; urgency: number }>;
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((t) => t.priority === 'urgent' && ['new', 'open', 'pending', 'hold'].includes(t.status))).toBe(true);
    const scores = items.map((t) => t.urgency);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const search = await runCli(['ticket', 'list', '--priority', 'urgent', '--status', 'unsolved', '--all', '--json'], { env, now: seedClock });
    expect(ids(r.stdout)).toEqual(ids(search.stdout));

    const byId = await runCli(['queue', '--view', '360001', '--limit', '1000', '--json'], { env, now: seedClock });
    const anyCase = await runCli(['queue', '--view', 'URGENT tickets', '--limit', '1000', '--json'], { env, now: seedClock });
    expect(ids(byId.stdout)).toEqual(ids(r.stdout));
    expect(ids(anyCase.stdout)).toEqual(ids(r.stdout));
  });

  it('selects "current_user" views for the agent, and narrows a view with --tag', async () => {
    const mine = await runCli(['queue', '--view', 'My unsolved tickets', '--limit', '1000', '--json'], { env, now: seedClock });
    const own = await runCli(['queue', '--view', 'mine', '--limit', '1000', '--json'], { env, now: seedClock });
    expect(mine.code).toBe(0);
    expect(ids(mine.stdout).length).toBeGreaterThan(0);
    expect(ids(mine.stdout)).toEqual(ids(own.stdout));

    const tagged = await runCli(['queue', '--view', 'Complaints and escalations', '--tag', 'complaint', '--limit', '1000', '--json'], { env, now: seedClock });
    expect(tagged.code).toBe(0);
    const items = JSON.parse(tagged.stdout) as Array<{ tags: string[] }>;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((t) => t.tags.includes('complaint'))).toBe(true);
    const whole = await runCli(['queue', '--view', 'Complaints and escalations', '--limit', '1000', '--json'], { env, now: seedClock });
    expect(ids(whole.stdout).length).toBeGreaterThan(items.length);
  });

  it('refuses an unknown view in one line naming the valid ones (exit 2), a group-only view included', async () => {
    const r = await runCli(['queue', '--view', 'Urgentt tickets'], { env, now: seedClock });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^deskops: unknown view "Urgentt tickets"; use mine, unassigned, all, group:NAME or one of the desk's views: "Urgent tickets", /);
    const billingOnly = await runCli(['queue', '--view', 'Billing: refunds and disputes'], { env, now: seedClock });
    expect(billingOnly.code).toBe(2);
  });
});

describe('resolveQueueView', () => {
  const view = (id: number, title: string): DeskView => ({ id, title, active: true, restriction: null, conditions: { all: [], any: [] } });

  it("takes deskops' own view names first, without asking the desk", async () => {
    const { desk, calls } = memoryDesk({ listViews: async () => [view(1, 'all'), view(2, 'mine')] });
    expect(await resolveQueueView(desk, 'all')).toEqual({ kind: 'all' });
    expect(await resolveQueueView(desk, 'group:Billing')).toEqual({ kind: 'group', group: 'Billing' });
    expect(calls).toEqual([]);
  });

  it('names a view by id or title, and asks for an id when two share a title', async () => {
    const { desk } = memoryDesk({ listViews: async () => [view(7, 'Urgent'), view(8, 'Twice'), view(9, 'twice')] });
    expect(await resolveQueueView(desk, '7')).toMatchObject({ kind: 'desk', view: { id: 7 } });
    expect(await resolveQueueView(desk, ' urgent ')).toMatchObject({ kind: 'desk', view: { id: 7 } });
    await expect(resolveQueueView(desk, 'Twice')).rejects.toThrow('2 of the desk\'s views are called "Twice"; name one by id: 8, 9');
  });
});
