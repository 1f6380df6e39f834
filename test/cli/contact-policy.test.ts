/**
 * One contact policy across sweeps and surveys (#16): a customer gets at most one automated
 * message from deskops within the window (contact.window_hours, default 24); the later one
 * waits, and the plan says why. End to end against the embedded desk; who the customers are is
 * read from the desk's own database.
 */
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';
import { seedDesk } from '../../src/desk/index.js';
import { ContactLedger, parseContactWindowHours } from '../../src/core/contact-policy.js';

interface Plan {
  rules: Array<{ rule: string; public: boolean | null; ticket_ids: number[] }>;
  waiting: Array<{ ticket_id: number; rule: string; reason: string }>;
}

let home: string;
let cleanup: () => void;
let env: Record<string, string>;
const cli = (argv: string[]) => runCli(argv, { env, now: seedClock });

function requesters(): Map<number, number> {
  const db = new Database(join(home, 'desk', 'desk.sqlite'), { readonly: true });
  try {
    return new Map((db.prepare('SELECT id, requester_id FROM tickets').all() as Array<{ id: number; requester_id: number }>).map((r) => [r.id, r.requester_id]));
  } finally {
    db.close();
  }
}

/** Requester -> the tickets a plan writes to publicly. */
function publicByRequester(plan: Plan, who: Map<number, number>): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const row of plan.rules) {
    if (!row.public) continue;
    for (const id of row.ticket_ids) out.set(who.get(id)!, [...(out.get(who.get(id)!) ?? []), id]);
  }
  return out;
}

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-contact-'));
  await seedDesk({ home, tickets: 400, seed: 2, now: SEED_NOW });
  env = { DESKOPS_HOME: home };
}, 60_000);
afterAll(() => cleanup());

describe('the contact ledger', () => {
  const now = new Date('2026-11-20T12:00:00Z');
  it('lets the first message to a customer go and holds the later ones, saying why', () => {
    const ledger = new ContactLedger({ hours: 24, now, earlier: new Map() });
    expect(ledger.claim(7, { ticketId: 1, at: now.getTime(), what: 'the follow-up a' })).toBeNull();
    expect(ledger.claim(7, { ticketId: 2, at: now.getTime(), what: 'the follow-up b' })).toBe(
      'waits: the customer gets the follow-up a on #1 in this run; one automated message per 24 h (contact.window_hours)',
    );
    expect(ledger.claim(8, { ticketId: 3, at: now.getTime(), what: 'x' })).toBeNull();
  });

  it('holds a customer contacted within the window, not one contacted before it; 0 turns it off', () => {
    const earlier = new Map([
      [7, { ticketId: 9, at: now.getTime() - 3 * 3_600_000, what: 'a survey (NPS)' }],
      [8, { ticketId: 10, at: now.getTime() - 25 * 3_600_000, what: 'a survey (NPS)' }],
    ]);
    const ledger = new ContactLedger({ hours: 24, now, earlier });
    expect(ledger.claim(7, { ticketId: 1, at: now.getTime(), what: 'y' })).toMatch(/^waits: the customer got a survey \(NPS\) on #9 3 h ago;/);
    expect(ledger.claim(8, { ticketId: 2, at: now.getTime(), what: 'y' })).toBeNull();
    const off = new ContactLedger({ hours: 0, now, earlier });
    expect(off.claim(7, { ticketId: 1, at: now.getTime(), what: 'y' })).toBeNull();
    expect(off.claim(7, { ticketId: 2, at: now.getTime(), what: 'y' })).toBeNull();
  });

  it('reads the setting: hours from 0 to 720, 24 when unset', () => {
    expect(parseContactWindowHours(undefined)).toBe(24);
    expect(parseContactWindowHours('48')).toBe(48);
    expect(parseContactWindowHours(0)).toBe(0);
    expect(() => parseContactWindowHours('a day')).toThrow(/contact.window_hours must be hours from 0 \(off\) to 720/);
    expect(() => parseContactWindowHours(-1)).toThrow(/contact.window_hours/);
  });
});

describe('sweeps and surveys share one contact policy', () => {
  it('a sweep plan writes to each customer once; the rest wait, with the reason', async () => {
    const r = await cli(['sweep', 'plan', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    const who = requesters();
    for (const [requester, tickets] of publicByRequester(plan, who)) expect(tickets, `requester ${requester}`).toHaveLength(1);
    expect(plan.waiting.length).toBeGreaterThan(0);
    const contacted = publicByRequester(plan, who);
    for (const w of plan.waiting) {
      expect(w.reason).toMatch(/^waits: the customer gets the follow-up \S+ on #\d+ in this run; one automated message per 24 h \(contact\.window_hours\)$/);
      const other = Number(/on #(\d+)/.exec(w.reason)![1]);
      expect(contacted.get(who.get(w.ticket_id)!)).toEqual([other]);
    }
    const text = await cli(['sweep', 'plan']);
    expect(text.stderr).toContain(`#${plan.waiting[0]!.ticket_id} ${plan.waiting[0]!.rule} waits: the customer gets`);
  });

  it('after a sweep, a survey to the same customers waits; with the window set to 0 it goes', async () => {
    const plan = JSON.parse((await cli(['sweep', 'plan', '--json'])).stdout) as Plan;
    const run = await cli(['sweep', 'run', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const who = requesters();
    const swept = new Set(publicByRequester(plan, who).keys());

    const dry = await cli(['survey', 'send', '--type', 'csat', '--since', '30d', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const survey = JSON.parse(dry.stdout) as { ticket_ids: number[]; skips: Array<{ ticket_id: number; reason: string }> };
    for (const id of survey.ticket_ids) expect(swept.has(who.get(id)!), `#${id} goes to a customer swept just now`).toBe(false);
    const waits = survey.skips.filter((s) => s.reason.startsWith('waits:'));
    expect(waits.length).toBeGreaterThan(0);
    for (const w of waits) {
      expect(swept.has(who.get(w.ticket_id)!)).toBe(true);
      expect(w.reason).toMatch(/^waits: the customer got the follow-up \S+ on #\d+ \d+ min ago; one automated message per 24 h/);
    }

    expect((await cli(['config', 'set', 'contact.window_hours', '0'])).code).toBe(0);
    const off = JSON.parse((await cli(['survey', 'send', '--type', 'csat', '--since', '30d', '--dry-run', '--json'])).stdout) as typeof survey;
    expect(off.skips.filter((s) => s.reason.startsWith('waits:'))).toEqual([]);
    expect(off.ticket_ids.length).toBeGreaterThan(survey.ticket_ids.length);
    const bad = await cli(['config', 'set', 'contact.window_hours', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/contact.window_hours must be hours/);
  }, 60_000);
});
