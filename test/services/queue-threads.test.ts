/**
 * The threads a queue build leaves unread, against a real seeded desk: a top ticket whose
 * requester has not written since it was created is ranked from the ticket alone, and that
 * ranking is the one reading every top thread gives. Requests are counted with the client's
 * logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import type { Comment, Ticket } from '../../src/core/model.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { QueueCache, buildQueue, latestCustomerMessage, threadAddsNothing, type Queue } from '../../src/services/queue.js';
import { ReplicaSession } from '../../src/services/replica/session.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';

let home: string;
let running: RunningDesk;
let agent: HelpDesk;
const requests: string[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'deskops-queue-threads-'));
  await seedDesk({ home, tickets: 300, seed: 1, now: SEED_NOW });
  running = await startDesk({ home, rateLimit: 100_000, endpointLimits: false, indexLagSeconds: 0, now: seedClock });
  agent = await createHelpDesk(
    { kind: 'local', url: running.url, auth: { type: 'basic-token', email: running.email, token: running.token }, profile: 'local' },
    { logger: (e) => requests.push(`${e.method} ${e.url}`), endpointLimits: [] },
  );
});
afterAll(async () => {
  await running.close();
  rmSync(home, { recursive: true, force: true });
});

const ENRICH = 25;
const threadReads = () => requests.map((r) => /\/tickets\/(\d+)\/comments/.exec(r)?.[1]).filter((id): id is string => id !== undefined).map(Number);
const ranking = (q: Queue) => q.items.map((i) => ({ id: i.ticket.id, score: i.urgency.score, reasons: i.urgency.reasons.map((r) => r.label) }));

/** A cache holding every unsolved ticket's thread, read from the desk as buildQueue reads one. */
async function everyThreadRead(): Promise<QueueCache> {
  const tickets: Ticket[] = [];
  for await (const t of agent.exportSearchTickets('type:ticket status<solved', { pageSize: 1000 })) tickets.push(t);
  const withMetrics = await agent.getTickets(
    tickets.map((t) => t.id),
    { include: ['metric_sets'] },
  );
  const cache = new QueueCache();
  for (const t of withMetrics) {
    const comments: Comment[] = [];
    for await (const c of agent.listComments(t.id)) comments.push(c);
    cache.facts.set(t.id, { updatedAt: t.updated_at, requesterAt: t.metric_set!.requester_updated_at, facts: { message: latestCustomerMessage(t, comments), metrics: null } });
  }
  return cache;
}

describe('threads a queue build leaves unread', () => {
  it('ranks a top ticket whose requester has not written since it was created as reading its thread does, without reading it', async () => {
    const at = seedClock();
    const now = () => at;
    const view = { kind: 'all' } as const;

    requests.length = 0;
    const read = await buildQueue(agent, { view, now, enrich: ENRICH, cache: await everyThreadRead() });
    requests.length = 0;
    const skipped = await buildQueue(agent, { view, now, enrich: ENRICH, cache: new QueueCache() });
    expect(ranking(skipped)).toEqual(ranking(read));

    // the shortcut was taken: silent tickets in the top, and none of their threads read
    const silent = skipped.items.slice(0, ENRICH).filter((i) => threadAddsNothing(i.ticket));
    expect(silent.length).toBeGreaterThan(0);
    const reads = threadReads();
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.length).toBeLessThanOrEqual(ENRICH - silent.length);
    expect(reads.filter((id) => silent.some((i) => i.ticket.id === id))).toEqual([]);
    // among them tickets whose description the requester wrote
    expect(silent.some((i) => i.ticket.submitter_id === i.ticket.requester_id)).toBe(true);

    // the same through the replica (lean copies and their text signals), read ahead included
    const session = ReplicaSession.open({ home, desk: agent, now: seedClock })!;
    try {
      requests.length = 0;
      const replica = await buildQueue(session.desk, { view, now, enrich: ENRICH, cache: new QueueCache(), source: session.queueSource() });
      expect(ranking(replica)).toEqual(ranking(read));
      const ids = new Set(threadReads());
      const silentIds = new Set<number>();
      for (const t of await agent.getTickets([...ids, ...silent.map((i) => i.ticket.id)], { include: ['metric_sets'] })) if (threadAddsNothing(t)) silentIds.add(t.id);
      expect([...ids].filter((id) => silentIds.has(id))).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('reads the thread again once the requester writes', async () => {
    const at = seedClock();
    const cache = new QueueCache();
    const first = await buildQueue(agent, { view: { kind: 'all' }, now: () => at, enrich: ENRICH, cache });
    const target = first.items.slice(0, ENRICH).find((i) => threadAddsNothing(i.ticket))!;
    expect(target).toBeDefined();
    // the customer writes (an email, in Zendesk); urgent, so it stays among the top
    await agent.updateTicket(target.ticket.id, {
      priority: 'urgent',
      comment: { body: 'This is the THIRD time I ask!!! Cancel my order.', public: true, author_id: target.ticket.requester_id },
    });
    requests.length = 0;
    const later = await buildQueue(agent, { view: { kind: 'all' }, now: () => new Date(at.getTime() + 5_000), enrich: ENRICH, cache });
    expect(threadReads()).toContain(target.ticket.id);
    const item = later.items.find((i) => i.ticket.id === target.ticket.id)!;
    expect(item.latestCustomerMessage?.body).toContain('THIRD time');
    expect(item.urgency.reasons.some((r) => r.code === 'anger')).toBe(true);
  });
});
