/**
 * The ticket replica against a real seeded desk: an admin's sync reads the incremental export
 * from its cursor, an agent's the search export with an overlap and the live recent changes;
 * an interrupted sync keeps every page it committed and goes on from there; an older copy
 * never replaces a newer one; a full read drops what the desk no longer has. Requests are
 * counted with the client's logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import Database from 'libsql';
import { TicketReplica } from '../../src/services/replica/store.js';
import { DEFAULT_URGENCY_WEIGHTS, estimateUrgency, parseUrgencyWeights, ticketTextSignals, urgencyFeatures, urgencyScore, type UrgencyWeights } from '../../src/core/urgency.js';
import type { Ticket } from '../../src/core/model.js';
import { EXPORT_EVERY_S, syncReplica } from '../../src/services/replica/sync.js';
import { ReplicaSession } from '../../src/services/replica/session.js';
import { buildQueue } from '../../src/services/queue.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';

const TICKETS = 250;
let home: string;
let running: RunningDesk;
let admin: HelpDesk;
let agent: HelpDesk;
const requests: string[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'deskops-replica-svc-'));
  await seedDesk({ home, tickets: TICKETS, seed: 4, now: SEED_NOW });
  running = await startDesk({ home, rateLimit: 100_000, endpointLimits: false, indexLagSeconds: 0, now: seedClock });
  const connect = (email: string) =>
    createHelpDesk(
      { kind: 'local', url: running.url, auth: { type: 'basic-token', email, token: running.token }, profile: 'local' },
      { logger: (e) => requests.push(`${e.method} ${e.url} ${e.status}`), endpointLimits: [] },
    );
  admin = await connect(running.adminEmail);
  agent = await connect(running.email);
});
afterAll(async () => {
  await running.close();
  rmSync(home, { recursive: true, force: true });
});

let n = 0;
const openReplica = () => TicketReplica.open({ path: join(home, 'cache', `replica-test-${++n}.sqlite`), identity: 'test' });

describe('replica sync', () => {
  it("an admin's replica reads the incremental export once, then only what changed", async () => {
    const replica = openReplica();
    requests.length = 0;
    const first = await syncReplica(admin, replica, { now: seedClock, pageSize: 100 });
    expect(first).toMatchObject({ source: 'incremental', full: true, read: TICKETS, changed: TICKETS });
    expect(replica.count()).toBe(TICKETS);
    // the people the tickets name came with the pages: names need no lookups
    expect(requests.every((r) => r.includes('include=users') && !r.includes('metric_sets'))).toBe(true);
    const named = new Set([...replica.tickets()].flatMap((t) => [t.requester_id, ...(t.assignee_id ? [t.assignee_id] : [])]));
    expect(replica.users(named).size).toBe(named.size);
    requests.length = 0;
    // within EXPORT_EVERY_S of the export read: the live list, newest first (the account's 10
    // export requests a minute are shared by every admin)
    const again = await syncReplica(admin, replica, { now: seedClock, pageSize: 100 });
    expect(again).toMatchObject({ full: false, changed: 0 });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toContain('sort=-updated_at');

    const target = [...replica.tickets({ statuses: ['open'] })].find((t) => t.priority !== 'urgent')!;
    await admin.updateTicket(target.id, { priority: 'urgent' });
    const changed = await syncReplica(admin, replica, { now: seedClock, pageSize: 100 });
    expect(changed.changed).toBe(1);
    expect([...replica.tickets()].find((t) => t.id === target.id)!.priority).toBe('urgent');

    // later: the export from its cursor again (it has deletions), the change read once more
    requests.length = 0;
    const later = () => new Date(seedClock().getTime() + (EXPORT_EVERY_S + 1) * 1000);
    const exported = await syncReplica(admin, replica, { now: later, pageSize: 100 });
    expect(exported).toMatchObject({ source: 'incremental', full: false, changed: 0 });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toContain('cursor=');
    replica.close();
  });

  it('an interrupted sync keeps the pages it committed and goes on from the last cursor', async () => {
    const path = join(home, 'cache', 'replica-crash.sqlite');
    const replica = TicketReplica.open({ path, identity: 'test' });
    let pages = 0;
    const crashing: Pick<HelpDesk, 'kind' | 'incrementalTickets' | 'exportSearchTickets' | 'listTickets'> = {
      kind: admin.kind,
      exportSearchTickets: (q, o) => admin.exportSearchTickets(q, o),
      listTickets: (o) => admin.listTickets(o),
      async *incrementalTickets(from, options) {
        for await (const page of admin.incrementalTickets(from, options)) {
          if (++pages === 3) throw new Error('connection reset');
          yield page;
        }
      },
    };
    await expect(syncReplica(crashing, replica, { now: seedClock, pageSize: 100 })).rejects.toThrow('connection reset');
    replica.close();
    // a new process opens the same file: two pages are there, and the cursor past them
    const reopened = TicketReplica.open({ path, identity: 'test' });
    expect(reopened.count()).toBe(200);
    requests.length = 0;
    const resumed = await syncReplica(admin, reopened, { now: seedClock, pageSize: 100 });
    expect(resumed.full).toBe(false);
    expect(requests[0]).toContain('cursor=');
    expect(requests.some((r) => r.includes('start_time=0'))).toBe(false);
    expect(reopened.count()).toBe(TICKETS);
    reopened.close();
  });

  it("an agent's replica: a full read from search, then within minutes the live list alone; after a longer gap the search export with the overlap", async () => {
    const replica = openReplica();
    requests.length = 0;
    const first = await syncReplica(agent, replica, { now: seedClock });
    expect(first).toMatchObject({ source: 'search', full: true, changed: TICKETS });
    expect(requests[0]).toMatch(/incremental.* 403$/);
    requests.length = 0;
    const again = await syncReplica(agent, replica, { now: seedClock });
    expect(again).toMatchObject({ source: 'search', full: false, changed: 0 });
    // the 403 is remembered, and the live list (newest first, no index lag) has every change
    // since the last read: one request, no search export
    expect(requests).toHaveLength(1);
    expect(requests[0]).toContain('sort=-updated_at');

    // a change on the desk is in the next read, whatever this machine's clock says
    const [target] = [...replica.tickets()].filter((t) => t.status === 'open').map((t) => t.id);
    await agent.updateTicket(target!, { additional_tags: ['replica_live_check'] });
    const skewed = () => new Date(seedClock().getTime() + 2 * 3_600_000); // two hours fast
    requests.length = 0;
    await syncReplica(agent, replica, { now: skewed }); // a longer gap by this clock: search and live
    expect(requests.some((r) => r.includes('/search/export'))).toBe(true);
    expect([...replica.tickets()].find((t) => t.id === target)!.tags).toContain('replica_live_check');
    await agent.updateTicket(target!, { additional_tags: ['replica_live_check_2'] });
    requests.length = 0;
    const live = await syncReplica(agent, replica, { now: skewed }); // minutes later by the same clock: live only
    expect(requests).toHaveLength(1);
    expect(live.changed).toBe(1);
    expect([...replica.tickets()].find((t) => t.id === target)!.tags).toContain('replica_live_check_2');

    // twenty minutes without a read: the search export since the newest change less the overlap
    requests.length = 0;
    await syncReplica(agent, replica, { now: () => new Date(skewed().getTime() + 20 * 60_000) });
    expect(requests).toHaveLength(2);
    const exported = requests.find((r) => r.includes('/search/export'));
    expect(decodeURIComponent(exported!)).toMatch(/updated>=\d{4}-/);
    expect(requests.filter((r) => r.includes('sort=-updated_at'))).toHaveLength(1);
    replica.close();
  });

  it("a change search has not indexed yet, read with this machine's clock far off, is in a later read", async () => {
    const laggy = await startDesk({ home, rateLimit: 100_000, endpointLimits: false, indexLagSeconds: 600, now: seedClock });
    try {
      const desk = await createHelpDesk(
        { kind: 'local', url: laggy.url, auth: { type: 'basic-token', email: laggy.email, token: laggy.token }, profile: 'local' },
        { endpointLimits: [] },
      );
      const replica = openReplica();
      const fast = () => new Date(seedClock().getTime() + 3 * 3_600_000); // three hours fast
      await syncReplica(desk, replica, { now: fast });
      const [target] = [...replica.tickets()].filter((t) => t.status === 'open').map((t) => t.id);
      await desk.updateTicket(target!, { additional_tags: ['replica_lag_check'] });
      // twenty minutes later by this clock: search (which has not indexed the change) and a live
      // list read against this clock's idea of "the last minutes", which is hours off
      await syncReplica(desk, replica, { now: () => new Date(fast().getTime() + 20 * 60_000) });
      await syncReplica(desk, replica, { now: () => new Date(fast().getTime() + 21 * 60_000) });
      expect([...replica.tickets()].find((t) => t.id === target)!.tags).toContain('replica_lag_check');
      replica.close();
    } finally {
      await laggy.close();
    }
  });

  it('keeps each version\'s text signals, and derives the lean copies again when the code that derives them changed', () => {
    const path = join(home, 'cache', `replica-test-${++n}.sqlite`);
    const replica = TicketReplica.open({ path, identity: 'test' });
    const angry = { id: 7, subject: 'Refund NOW', description: 'This is unacceptable!!', status: 'open', tags: [], updated_at: '2026-11-20T12:00:00Z' } as never as import('../../src/core/model.js').Ticket;
    const calm = { id: 8, subject: 'Question', description: 'How do I export?', status: 'open', tags: [], updated_at: '2026-11-20T12:00:00Z' } as never as import('../../src/core/model.js').Ticket;
    replica.putTickets([angry, calm]);
    const read = (r: TicketReplica) => {
      const signals = new Map<number, import('../../src/core/urgency.js').TextSignals>();
      const lean = r.leanTickets({}, signals);
      return { lean, signals };
    };
    const first = read(replica);
    expect(first.lean.map((t) => t.id)).toEqual([7, 8]);
    expect(first.lean[0]!.description).toBeUndefined(); // read once, when stored
    expect(first.signals.get(7)).toEqual(ticketTextSignals(angry));
    expect(first.signals.get(7)!.anger.length).toBeGreaterThan(1);
    expect(first.signals.get(8)).toEqual({ anger: [], complaint: false });
    // as a replica written by an older deskops would hold them: derived by other rules
    replica.setMeta('derived', 'an older version');
    replica.close();
    const raw = new Database(path);
    raw.exec(`UPDATE tickets SET lean = '[{"id":7},0]' WHERE id = 7`);
    raw.close();
    const reopened = TicketReplica.open({ path, identity: 'test' });
    const again = read(reopened);
    expect(again.lean[0]).toEqual(first.lean[0]);
    expect(again.signals.get(7)).toEqual(first.signals.get(7));
    reopened.close();
  });

  it('drops a ticket deleted later in the same batch, reads odd versions safely, and looks up more ids than SQLite takes in one statement', () => {
    const replica = openReplica();
    const t = { id: 11, subject: 'x', status: 'open', tags: [], updated_at: '2026-11-20T12:00:00Z' } as never as import('../../src/core/model.js').Ticket;
    replica.putTickets([t, { ...t, status: 'deleted', updated_at: '2026-11-20T12:00:01Z' } as never]);
    expect(replica.count()).toBe(0);
    replica.putTickets([t]);
    replica.putFacts(11, 'not "an" iso\\time', { facts: { message: null, metrics: null } });
    replica.putSideloads(11, 'odd"version', { slas: { policy_metrics: [] } });
    const about = replica.readAbout();
    expect(about.facts.map((f) => f.updatedAt)).toEqual(['not "an" iso\\time']);
    expect(about.sideloads.map((f) => f.updatedAt)).toEqual(['odd"version']);
    expect(replica.sideloadsAt(new Map([[11, 'odd"version']])).size).toBe(1);
    const many = Array.from({ length: 40_000 }, (_, i) => i + 1);
    expect(replica.ticketsByIds(many).size).toBe(1);
    expect(replica.sideloadsAt(new Map(many.map((id) => [id, 'odd"version']))).size).toBe(1);
    // the lean copies of chosen ids, only those the view still selects (another process may
    // have stored a solved or reassigned copy since they were chosen)
    replica.putTickets([{ ...t, id: 12, assignee_id: 7 } as never, { ...t, id: 13, status: 'solved' } as never, { ...t, id: 14, assignee_id: null } as never]);
    expect(replica.leanTicketsByIds([11, 12, 13, 14]).map((x) => x.id)).toEqual([11, 12, 13, 14]);
    expect(replica.leanTicketsByIds([11, 12, 13, 14], undefined, { statuses: ['open'], assigneeId: null }).map((x) => x.id)).toEqual([11, 14]);
    expect(replica.leanTicketsByIds([11, 12, 13, 14], undefined, { statuses: ['open'], assigneeId: 7 }).map((x) => x.id)).toEqual([12]);
    replica.close();
  });

  it('never replaces a copy with an older one, and a full read drops the tickets the desk no longer has', () => {
    const replica = openReplica();
    const t = { id: 1, subject: 'new', status: 'open', updated_at: '2026-11-20T12:00:00Z' } as never as import('../../src/core/model.js').Ticket;
    replica.putTickets([t]);
    expect(replica.putTickets([{ ...t, subject: 'old', updated_at: '2026-11-20T11:00:00Z' }])).toBe(0);
    expect([...replica.tickets()][0]!.subject).toBe('new');
    expect(replica.putTickets([{ ...t, subject: 'newer', updated_at: '2026-11-20T12:00:01Z' }])).toBe(1);
    replica.putTickets([{ ...t, id: 2 }]);
    expect(replica.removeTicketsNotIn(new Set([2]))).toBe(1);
    expect([...replica.tickets()].map((x) => x.id)).toEqual([2]);
    // what was read for the queue goes with a ticket solved (the tables stay the unsolved work's size)
    replica.putSideloads(2, t.updated_at, { slas: { policy_metrics: [] } });
    replica.putFacts(2, t.updated_at, { facts: { message: null, metrics: null } });
    expect(replica.readAbout().sideloads.map((x) => x.id)).toEqual([2]);
    replica.putTickets([{ ...t, id: 2, status: 'solved', updated_at: '2026-11-20T13:00:00Z' } as never]);
    expect(replica.readAbout()).toEqual({ sideloads: [], facts: [] });
    replica.close();
  });
});

describe('queue from a replica session', () => {
  it('ranks as a queue read straight from search does, and a rebuild reads no sideloads or threads again', async () => {
    const direct = await buildQueue(agent, { view: { kind: 'all' }, now: seedClock });
    const session = ReplicaSession.open({ home, desk: agent, now: seedClock })!;
    try {
      const first = await buildQueue(session.desk, { view: { kind: 'all' }, now: seedClock, source: session.queueSource() });
      expect(first.items.map((i) => i.ticket.id)).toEqual(direct.items.map((i) => i.ticket.id));
      expect(first.items.map((i) => i.urgency.score)).toEqual(direct.items.map((i) => i.urgency.score));
      requests.length = 0;
      // a new source, as a new process would make: what was read comes from the file
      const second = await buildQueue(session.desk, { view: { kind: 'all' }, now: seedClock, source: session.queueSource() });
      expect(second.items.map((i) => i.ticket.id)).toEqual(first.items.map((i) => i.ticket.id));
      expect(requests.filter((r) => r.includes('show_many') || r.includes('/comments'))).toEqual([]);
      expect(requests.length).toBeLessThanOrEqual(2);
    } finally {
      session.close();
    }
  });
});

describe('a queue with a limit, from the features the replica keeps', () => {
  // Scores the whole view from a few numbers per ticket, reads whole tickets only for those
  // that can reach the top, and must rank that top as scoring every ticket does.
  const weightsVariants: Array<[string, UrgencyWeights]> = [
    ['default weights', DEFAULT_URGENCY_WEIGHTS],
    // a breach worth less than due soon: the score falls at the breach
    ['a breach worth less than due soon', parseUrgencyWeights({ slaBreached: 5, slaDueSoon: 30, slaSoonMinutes: 600, waitPerHour: 3, vip: 50, channel: { email: 7 } })],
  ];
  it.each(weightsVariants)('ranks the top as ranking every ticket does, views and times apart (%s)', async (_name, weights) => {
    const session = ReplicaSession.open({ home, desk: agent, now: seedClock })!;
    try {
      const base = seedClock().getTime();
      // a first build keeps the features of what it read
      await buildQueue(session.desk, { view: { kind: 'all' }, now: () => new Date(base), limit: 5, source: session.queueSource() });
      const groups = await agent.listGroups();
      const me = await agent.me();
      expect(me.id).toBeGreaterThan(0);
      let pruned = 0;
      for (const view of [{ kind: 'all' }, { kind: 'mine' }, { kind: 'unassigned' }, { kind: 'group', group: groups[0]!.name }] as const) {
        for (const hours of [0, 1.5, 7, 30, 200]) {
          const at = new Date(base + hours * 3_600_000);
          const options = { view, now: () => at, weights, enrich: 5 };
          const every = await buildQueue(session.desk, { ...options, source: session.queueSource() });
          const source = session.queueSource();
          let handed = 0;
          const unsolved = source.unsolved.bind(source);
          source.unsolved = async (...args) => {
            const tickets = await unsolved(...args);
            handed = tickets.length;
            return tickets;
          };
          const top = await buildQueue(session.desk, { ...options, limit: 5, source });
          const label = `${view.kind} at +${hours}h`;
          expect(top.total, label).toBe(every.total);
          expect(top.items.map((i) => [i.ticket.id, i.urgency.score, i.urgency.reasons]), label).toEqual(every.items.slice(0, 5).map((i) => [i.ticket.id, i.urgency.score, i.urgency.reasons]));
          if (every.total > 40) expect(handed, label).toBeLessThan(every.total);
          if (handed < every.total) pruned++;
        }
      }
      expect(pruned).toBeGreaterThan(5);
    } finally {
      session.close();
    }
  });

  it('scores from the features exactly as from the whole ticket', async () => {
    const tickets: Ticket[] = [];
    for await (const t of admin.exportSearchTickets('type:ticket status<solved', { pageSize: 100 })) tickets.push(t);
    const whole = await admin.getTickets(tickets.map((t) => t.id), { include: ['slas', 'metric_sets'] });
    expect(whole.length).toBeGreaterThan(50);
    const base = seedClock().getTime();
    const vip = (t: Ticket) => t.id % 3 === 0;
    for (const [, weights] of weightsVariants) {
      for (const hours of [-5, 0, 0.5, 2, 9, 48, 500]) {
        const now = base + hours * 3_600_000;
        for (const t of whole) {
          const expected = urgencyScore(t, { now, weights, vip: vip(t) }).score;
          expect(estimateUrgency(urgencyFeatures(t), now, weights, vip(t)), `ticket ${t.id} at +${hours}h`).toBe(expected);
        }
      }
    }
  });
});

describe("the desk's views from a replica session", () => {
  it('ranks every view the agent may use as the desk selects it, without reading /views/{id}/tickets', async () => {
    const views = await agent.listViews();
    expect(views.length).toBeGreaterThan(3);
    const session = ReplicaSession.open({ home, desk: agent, now: seedClock })!;
    try {
      let ranked = 0;
      for (const v of views) {
        const view = { kind: 'desk' as const, view: v };
        const direct = await buildQueue(agent, { view, now: seedClock, enrich: 0 });
        requests.length = 0;
        const notices: string[] = [];
        const local = await buildQueue(session.desk, { view, now: seedClock, enrich: 0, source: session.queueSource(), onNotice: (m) => notices.push(m) });
        expect(notices, v.title).toEqual([]);
        expect(requests.filter((r) => r.includes('/views/')), v.title).toEqual([]);
        expect(local.total, v.title).toBe(direct.total);
        expect(local.items.map((i) => i.ticket.id), v.title).toEqual(direct.items.map((i) => i.ticket.id));
        expect(local.items.map((i) => i.urgency.score), v.title).toEqual(direct.items.map((i) => i.urgency.score));
        ranked += local.total;
      }
      expect(ranked).toBeGreaterThan(0);
    } finally {
      session.close();
    }
  });

  it("selects a view by the ticket's type from the lean copies (they carry it)", async () => {
    const unsolved: Array<{ id: number; type?: string | null }> = [];
    for await (const t of agent.exportSearchTickets('type:ticket status<solved', { pageSize: 1000 })) unsolved.push(t);
    const typed = unsolved.filter((t) => t.type);
    expect(typed.length).toBeGreaterThan(0);
    const type = typed[0]!.type!;
    const base = (await agent.listViews())[0]!;
    const view = { kind: 'desk' as const, view: { ...base, conditions: { all: [{ field: 'type', operator: 'is', value: type }], any: [] } } };
    const session = ReplicaSession.open({ home, desk: agent, now: seedClock })!;
    try {
      const queue = await buildQueue(session.desk, { view, now: seedClock, enrich: 0, source: session.queueSource() });
      const ofType = unsolved.filter((t) => t.type === type);
      expect(ofType.length).toBeLessThan(unsolved.length);
      expect(queue.total).toBe(ofType.length);
    } finally {
      session.close();
    }
  });

  it('reads a view with a condition it does not evaluate from the desk, and says so', async () => {
    const urgent = (await agent.listViews()).find((v) => v.title === 'Urgent tickets')!;
    // as a desk with more conditions than deskops knows would define it (Zendesk: organization, channel, custom fields...)
    const unknown = { field: 'organization_id', operator: 'is', value: '7' };
    const view = { kind: 'desk' as const, view: { ...urgent, conditions: { all: [...urgent.conditions.all, unknown], any: [] } } };
    const session = ReplicaSession.open({ home, desk: agent, now: seedClock })!;
    try {
      requests.length = 0;
      const notices: string[] = [];
      const queue = await buildQueue(session.desk, { view, now: seedClock, enrich: 0, source: session.queueSource(), onNotice: (m) => notices.push(m) });
      expect(notices).toEqual([`view "Urgent tickets" is read from the desk (deskops does not evaluate organization_id is "7" (is a field deskops does not evaluate))`]);
      expect(requests.filter((r) => r.includes(`/views/${urgent.id}/tickets`)).length).toBeGreaterThan(0);
      // what the desk selected (its own definition of the view), not a local guess
      const fromDesk: number[] = [];
      for await (const t of agent.viewTickets(urgent)) if (t.status !== 'solved' && t.status !== 'closed') fromDesk.push(t.id);
      expect(queue.items.map((i) => i.ticket.id).sort((a, b) => a - b)).toEqual(fromDesk.sort((a, b) => a - b));
      expect(fromDesk.length).toBeGreaterThan(0);
    } finally {
      session.close();
    }
  });
});

describe("a desk view's definition read again", () => {
  it('brings the conditions as the desk defines them now, and refuses a view that is gone', async () => {
    const { redefineDeskView } = await import('../../src/services/views.js');
    const pending = (await agent.listViews()).find((v) => v.title === 'Pending > 3 days')!;
    const held = { kind: 'desk' as const, view: pending };
    expect(await redefineDeskView(agent, held)).toEqual(held);
    const Database = (await import('libsql')).default;
    const db = new Database(join(home, 'desk', 'desk.sqlite'));
    try {
      const edited = { all: [{ field: 'status', operator: 'is', value: 'pending' }, { field: 'priority', operator: 'is', value: 'high' }], any: [] };
      db.prepare('UPDATE views SET conditions = ? WHERE id = ?').run([JSON.stringify(edited), pending.id]);
      const now = await redefineDeskView(agent, held);
      expect(now.kind === 'desk' && now.view.conditions).toEqual(edited);
      // deskops' own views are not asked about
      requests.length = 0;
      expect(await redefineDeskView(agent, { kind: 'all' })).toEqual({ kind: 'all' });
      expect(requests).toEqual([]);
      db.prepare('DELETE FROM views WHERE id = ?').run([pending.id]);
      await expect(redefineDeskView(agent, held)).rejects.toThrow(`the desk's view "Pending > 3 days" (${pending.id}) is gone or no longer yours; choose another with v`);
    } finally {
      db.close();
    }
  });
});

// last: its 120 changes would show in the other tests' live reads
describe('replica sync after a burst', () => {
  it('a burst of changes is read again only until it has settled, then a read with nothing changed is 1 request', async () => {
    const replica = openReplica();
    await syncReplica(admin, replica, { now: seedClock, pageSize: 1000 });
    // 120 tickets changed at once (a bulk job): 2 pages of the live list
    const burst = [...replica.tickets({ statuses: ['new', 'open', 'pending', 'hold', 'solved'] })].slice(0, 120).map((t) => t.id);
    expect(burst).toHaveLength(120);
    for (const id of burst) await admin.updateTicket(id, { additional_tags: ['burst'] });
    const at = (s: number) => () => new Date(seedClock().getTime() + s * 1000);
    const pagesAt = async (s: number) => {
      requests.length = 0;
      await syncReplica(admin, replica, { now: at(s), pageSize: 1000 });
      return requests.filter((r) => r.includes('sort=-updated_at')).length;
    };
    expect(await pagesAt(5)).toBe(2); // the burst
    expect(await pagesAt(70)).toBe(2); // read again, back to the mark less the margin: a change committed late would show
    expect(await pagesAt(130)).toBe(1); // settled: only what is newer than the mark
    expect(await pagesAt(190)).toBe(1);
    for (const id of burst) expect([...replica.tickets()].find((t) => t.id === id)!.tags).toContain('burst');
    replica.close();
  });
});
