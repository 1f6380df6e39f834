/**
 * Sweep and survey planning from the replica against a real seeded desk: the plan built from
 * the replica (candidates selected locally, the contact window and the surveyed requesters
 * read from it) is the plan the searches build, for an admin (incremental export) and an agent
 * (search export + live list); and once the replica is synced the planning asks search
 * nothing but what the replica cannot answer (tickets solved since a date). Requests are
 * counted with the client's logger.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import type { Ticket, TicketStatus } from '../../src/core/model.js';
import { FOLLOWUP_TAG, SURVEYED_TAG, sentAtTag, sentTag } from '../../src/core/survey.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { ReplicaSession } from '../../src/services/replica/session.js';
import { loadLibrary } from '../../src/services/replies.js';
import { loadSweepRules, planSweepRun, type LoadedRules, type SweepPlanView } from '../../src/services/sweep.js';
import { planSurveySend, type SendPlan } from '../../src/services/survey.js';
import { followupOfTag, followupsSince, surveyedSince } from '../../src/services/survey/shared.js';
import { atOrAfter } from '../../src/services/ticket-source.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';

const DAY_MS = 86_400_000;
let home: string;
let running: RunningDesk;
const desks: Record<'admin' | 'agent', HelpDesk> = {} as never;
const requests: string[] = [];
let loaded: LoadedRules;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'deskops-planning-'));
  await seedDesk({ home, tickets: 300, seed: 11, now: SEED_NOW });
  running = await startDesk({ home, rateLimit: 100_000, endpointLimits: false, indexLagSeconds: 0, now: seedClock });
  const connect = (email: string, profile: string) =>
    createHelpDesk(
      { kind: 'local', url: running.url, auth: { type: 'basic-token', email, token: running.token }, profile },
      { logger: (e) => requests.push(`${e.method} ${decodeURIComponent(e.url.replace(/\+/g, " "))}`), endpointLimits: [] },
    );
  desks.admin = await connect(running.adminEmail, 'admin');
  desks.agent = await connect(running.email, 'agent');
  const admin = desks.admin;

  // Recent automated messages and surveys, so the contact window and fatigue have work: a
  // survey sent an hour ago on a few solved tickets, and a detractor's follow-up ticket.
  const now = seedClock();
  const solved: Ticket[] = [];
  for await (const t of admin.exportSearchTickets('type:ticket status:solved', { pageSize: 1000 })) solved.push(t);
  expect(solved.length).toBeGreaterThan(10);
  for (const t of solved.slice(0, 4)) {
    await admin.updateTicket(t.id, {
      comment: { body: 'How did we do?', public: true },
      additional_tags: [SURVEYED_TAG, sentTag('csat'), sentAtTag(new Date(now.getTime() - 3_600_000))],
    });
  }
  await admin.createTicket({ subject: 'About your answer', comment: { body: 'We read your answer.' }, requester_id: solved[0]!.requester_id, tags: [FOLLOWUP_TAG, followupOfTag(solved[0]!.id)] });

  // The shipped rules, and one that reads every other kind of condition: a group, priorities,
  // channels, tags_any and ages on both ticket clocks.
  const groups = await admin.listGroups();
  const rulesHome = join(home, 'rules-home');
  mkdirSync(join(rulesHome, 'sweeps'), { recursive: true });
  writeFileSync(
    join(rulesHome, 'sweeps', 'extra.yml'),
    [
      'rules:',
      '  - name: group_watch',
      '    description: Open work of one group, by priority and channel',
      '    when:',
      '      status: [new, open, pending]',
      `      group: ${JSON.stringify(groups[0]!.name)}`,
      '      priority: [urgent, high, normal, none]',
      '      channel: [email, web, chat]',
      '      age:',
      '        - { since: created, at_least: 1 day, at_most: 120 days }',
      '        - { since: updated, at_least: 2 hours }',
      '    then:',
      '      note: "Still with this group?"',
      '  - name: tagged_watch',
      '    description: Tickets tagged for a look',
      '    when:',
      '      tags_any: [vip, refund, billing, escalated, transferred]',
      '      no_tags: [looked_at]',
      '    then:',
      '      note: "Have a look."',
    ].join('\n'),
  );
  loaded = await loadSweepRules({ home: rulesHome, library: await loadLibrary({ home: rulesHome }) });
});

afterAll(async () => {
  await running?.close();
  rmSync(home, { recursive: true, force: true });
});

function openSession(role: 'admin' | 'agent'): ReplicaSession {
  return ReplicaSession.open({ home: join(home, `replica-${role}`), desk: desks[role], now: seedClock })!;
}

function sweepShape(plan: SweepPlanView) {
  return {
    candidates: [...plan.facts.keys()].sort((a, b) => a - b),
    rows: plan.rows.map((r) => ({ rule: r.rule, ticket_ids: r.ticket_ids })),
    actions: plan.actions.map((a) => a.key),
    waiting: plan.waiting.map((w) => `${w.key} ${w.reason}`),
  };
}

function surveyShape(plan: SendPlan) {
  return { candidates: plan.candidates, eligible: plan.eligible.map((t) => t.id), skipped: plan.skipped };
}

const searches = () => requests.filter((r) => r.includes('/search'));

describe.each(['admin', 'agent'] as const)('planning from the replica (%s)', (role) => {
  it('plans the same sweep as the searches, and searches nothing once synced', async () => {
    const desk = desks[role];
    const now = seedClock();
    const searched = await planSweepRun(desk, loaded, { now });
    const session = openSession(role);
    try {
      await session.sync();
      requests.length = 0;
      const notices: string[] = [];
      const local = await planSweepRun(desk, loaded, { now, source: session, onNotice: (m) => notices.push(m) });
      expect(sweepShape(local)).toEqual(sweepShape(searched));
      expect(local.candidates).toBe(searched.candidates);
      // the comparison means something: every kind of rule selects tickets, and some steps fire
      for (const q of searched.queries) expect(q).toMatch(/^type:ticket /);
      expect(searched.rows.find((r) => r.rule === 'group_watch')!.planned).toBeGreaterThan(0);
      expect(searched.rows.find((r) => r.rule === 'tagged_watch')!.planned).toBeGreaterThan(0);
      expect(searched.actions.length).toBeGreaterThan(5);
      expect(searched.waiting.length).toBeGreaterThan(0);
      expect(searches()).toEqual([]);
      expect(notices).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('plans the same survey send as the searches; only tickets solved since a date are searched', async () => {
    const desk = desks[role];
    const now = seedClock();
    const since = new Date(now.getTime() - 30 * DAY_MS);
    const session = openSession(role);
    try {
      await session.sync();
      for (const statuses of [['solved'], ['open', 'pending']] as TicketStatus[][]) {
        const options = { type: 'csat' as const, now, since, statuses, fatigueDays: 30 };
        const searched = await planSurveySend(desk, options);
        requests.length = 0;
        const notices: string[] = [];
        const local = await planSurveySend(desk, { ...options, source: session, onNotice: (m) => notices.push(m) });
        expect(surveyShape(local)).toEqual(surveyShape(searched));
        expect(searched.eligible.length).toBeGreaterThan(0);
        if (statuses.includes('solved')) {
          // the tickets surveyed an hour ago are skipped, from either source
          expect(searched.skipped.some((s) => s.reason.startsWith('already surveyed'))).toBe(true);
          expect(searches()).toHaveLength(1);
          expect(searches()[0]).toContain('status:solved solved>=');
          expect(notices).toEqual([expect.stringContaining('solved tickets are searched')]);
        } else {
          expect(searches()).toEqual([]);
          expect(notices).toEqual([]);
        }
      }
    } finally {
      session.close();
    }
  });

  it('reads the surveyed tickets and the follow-ups as the searches do', async () => {
    const desk = desks[role];
    const since = new Date(seedClock().getTime() - 30 * DAY_MS);
    const session = openSession(role);
    try {
      await session.sync();
      const ids = async <T extends { ticket: Ticket }>(items: AsyncIterable<T>) => {
        const out: number[] = [];
        for await (const i of items) out.push(i.ticket.id);
        return out.sort((a, b) => a - b);
      };
      const surveyed = await ids(surveyedSince(desk, since, new Map()));
      expect(surveyed.length).toBeGreaterThanOrEqual(4);
      expect(await ids(surveyedSince(desk, since, new Map(), session))).toEqual(surveyed);
      const followups = await ids(followupsSince(desk, since, new Map()));
      expect(followups).toHaveLength(1);
      requests.length = 0;
      expect(await ids(followupsSince(desk, since, new Map(), session))).toEqual(followups);
      expect(searches()).toEqual([]);
    } finally {
      session.close();
    }
  });
});

describe('planning from the replica while search lags', () => {
  it('sees a ticket that came to match a minute ago, which the search does not show yet', async () => {
    const lagHome = mkdtempSync(join(tmpdir(), 'deskops-planning-lag-'));
    await seedDesk({ home: lagHome, tickets: 80, seed: 5, now: SEED_NOW });
    const lagging = await startDesk({ home: lagHome, rateLimit: 100_000, endpointLimits: false, indexLagSeconds: 600, now: seedClock });
    try {
      const desk = await createHelpDesk(
        { kind: 'local', url: lagging.url, auth: { type: 'basic-token', email: lagging.email, token: lagging.token }, profile: 'agent' },
        { endpointLimits: [] },
      );
      const session = ReplicaSession.open({ home: lagHome, desk, now: seedClock })!;
      try {
        await session.sync();
        const rule = loaded.rules.steps.filter((s) => s.rule === 'tagged_watch');
        const only = { ...loaded, rules: { ...loaded.rules, steps: rule } };
        const watched = (p: SweepPlanView) => p.rows[0]!.ticket_ids;
        const target = [...session.tickets({ statuses: ['open'] })].find((t) => !(t.tags ?? []).some((x) => ['vip', 'refund', 'billing', 'escalated', 'transferred'].includes(x)))!;
        expect(target).toBeDefined();
        await desk.updateTicket(target.id, { additional_tags: ['vip'] });
        const now = seedClock();
        const searched = await planSweepRun(desk, only, { now });
        const local = await planSweepRun(desk, only, { now, source: session });
        expect(watched(searched)).not.toContain(target.id);
        expect(watched(local)).toContain(target.id);
        expect(watched(local).filter((id) => id !== target.id)).toEqual(watched(searched));
      } finally {
        session.close();
      }
    } finally {
      await lagging.close();
      rmSync(lagHome, { recursive: true, force: true });
    }
  });
});

describe('atOrAfter', () => {
  it("means search's updated>=: whole seconds, a query's fraction dropped", () => {
    const since = new Date('2026-11-01T10:00:00.700Z');
    expect(atOrAfter('2026-11-01T10:00:00Z', since)).toBe(true);
    expect(atOrAfter('2026-11-01T09:59:59Z', since)).toBe(false);
    expect(atOrAfter(null, since)).toBe(false);
  });
});
