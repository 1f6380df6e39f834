/**
 * `deskops survey` end to end through main() against the embedded desk: send (once per
 * ticket, fatigue, --yes rule), the demo customers' answers, collect (scores stored, unclear
 * answers flagged, detractors reopened into the queue), report and score. Exactly once is
 * counted on the desk's own database, also with faults injected.
 */
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';
import { readDeskCredentials, seedDesk } from '../../src/desk/index.js';
import { answerSurveys } from '../../src/desk/survey-answers.js';
import { openDb } from '../../src/desk/db.js';
import { DeskStore } from '../../src/desk/store.js';
import { updateTicket } from '../../src/desk/ticket-writes.js';

/** The CLI, and the desk it starts, on the seed's clock: `--since 30d` finds the demo's solves on any date. */
const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(argv, { now: seedClock, ...options });

interface Row {
  id: number;
  status: string;
  tags: string[];
  fields: Record<string, unknown>;
  comments: Array<{ author: number; public: boolean; body: string }>;
  requester: number;
}

function deskRows(home: string): Map<number, Row> {
  const db = new Database(join(home, 'desk', 'desk.sqlite'), { readonly: true });
  try {
    const out = new Map<number, Row>();
    const tickets = db.prepare('SELECT id, status, tags, custom_fields, requester_id FROM tickets').all() as Array<{ id: number; status: string; tags: string; custom_fields: string; requester_id: number }>;
    for (const t of tickets) {
      const fields = JSON.parse(t.custom_fields || '{}') as Record<string, unknown>;
      out.set(t.id, { id: t.id, status: t.status, tags: t.tags.trim().split(/\s+/).filter(Boolean), fields, comments: [], requester: t.requester_id });
    }
    const comments = db.prepare('SELECT ticket_id, author_id, public, body FROM comments ORDER BY ticket_id, id').all() as Array<{ ticket_id: number; author_id: number; public: number; body: string }>;
    for (const c of comments) out.get(c.ticket_id)!.comments.push({ author: c.author_id, public: c.public === 1, body: c.body });
    return out;
  } finally {
    db.close();
  }
}

/** A change written straight into the desk, `lag` seconds from now (as the demo customers do). */
function deskUpdate(home: string, id: number, change: (ticket: { requester_id: number }) => Parameters<typeof updateTicket>[2], lag: number): void {
  const db = openDb(join(home, 'desk', 'desk.sqlite'));
  try {
    const store = new DeskStore(db);
    updateTicket({ store, me: store.user(1001)!, now: () => Math.floor(seedClock().getTime() / 1000) + lag }, id, change(store.ticket(id)!));
  } finally {
    db.close();
  }
}

/** The requester replies on the ticket. */
const customerReplies = (home: string, id: number, body: string) =>
  deskUpdate(home, id, (t) => ({ comment: { body, isPublic: true, authorId: t.requester_id } }), 1);
const closeTicket = (home: string, id: number) => deskUpdate(home, id, () => ({ status: 'closed' }), 2);

/** A temp home with a seeded desk whose solved tickets got the NPS survey; the ids surveyed. */
async function surveyedDesk(seed: number): Promise<{ home: string; cleanup: () => void; env: Record<string, string>; surveyed: number[] }> {
  const { home, cleanup } = tempHome();
  await seedDesk({ home, tickets: 200, seed, now: SEED_NOW });
  const env = { DESKOPS_HOME: home };
  const sent = await cli(['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json'], { env });
  expect(sent.code, sent.stderr).toBe(0);
  const surveyed = [...deskRows(home).values()].filter((r) => r.tags.includes('survey_nps_sent')).map((r) => r.id).sort((a, b) => a - b);
  return { home, cleanup, env, surveyed };
}

const surveyComments = (r: Row, needle: string) => r.comments.filter((c) => c.public && c.body.includes(needle)).length;
const NPS_TEXT = 'how likely are you to recommend us';
const CSAT_TEXT = 'How satisfied are you';

describe('survey send', () => {
  let home: string;
  let cleanup: () => void;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ home, cleanup } = tempHome());
    await seedDesk({ home, tickets: 200, seed: 3, now: SEED_NOW });
    env = { DESKOPS_HOME: home };
  });
  afterAll(() => cleanup());

  it('refuses to send without --yes when not interactive, and a bad --type, with one line and exit 2', async () => {
    const noYes = await cli(['survey', 'send', '--type', 'nps', '--since', '30d'], { env });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr.trim().split('\n')).toHaveLength(1);
    const badType = await cli(['survey', 'send', '--type', 'nsp', '--yes'], { env });
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain('--type must be one of csat, nps, ces');
    const badSince = await cli(['survey', 'send', '--type', 'nps', '--since', 'yesterday', '--yes'], { env });
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('--since must look like 7d');
    const closed = await cli(['survey', 'send', '--type', 'nps', '--status', 'closed', '--yes'], { env });
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('closed tickets cannot be changed');
    expect([...deskRows(home).values()].some((r) => r.tags.includes('survey_sent'))).toBe(false);
  });

  it('plans from the replica: only the solved tickets are searched (--verbose says why), other statuses not at all', async () => {
    await cli(['survey', 'send', '--type', 'csat', '--since', '30d', '--dry-run', '--json'], { env });
    const solved = await cli(['--verbose', 'survey', 'send', '--type', 'csat', '--since', '30d', '--dry-run'], { env });
    expect(solved.code, solved.stderr).toBe(0);
    expect(solved.stderr).toContain('> solved tickets are searched on the desk (solved>=): the replica holds no solve times');
    expect(solved.stderr.split('\n').find((l) => l.startsWith('> cost:'))).toMatch(/search\/export 1\b/);
    const open = await cli(['--verbose', 'survey', 'send', '--type', 'csat', '--since', '30d', '--status', 'open,pending', '--dry-run'], { env });
    expect(open.code, open.stderr).toBe(0);
    expect(open.stderr).not.toContain('searched on the desk');
    expect(open.stderr.split('\n').find((l) => l.startsWith('> cost:'))).not.toContain('search/export');
  });

  it('sends NPS once per eligible ticket, then 0; a dry run writes nothing', async () => {
    const before = deskRows(home);
    const dry = await cli(['survey', 'send', '--type', 'nps', '--since', '30d', '--dry-run', '--json'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { eligible: number; ticket_ids: number[]; skips: Array<{ ticket_id: number; reason: string }> };
    expect(plan.eligible).toBeGreaterThan(5);
    expect(deskRows(home)).toEqual(before);

    const first = await cli(['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    const s1 = JSON.parse(first.stdout) as { eligible: number; sent: number; skipped: number; failed: number; skips: unknown[] };
    expect(s1).toMatchObject({ eligible: plan.eligible, sent: plan.eligible, failed: 0 });
    expect(typeof s1.skipped).toBe('number');

    const after = deskRows(home);
    const requesters = new Set<number>();
    for (const [id, r] of after) {
      const want = plan.ticket_ids.includes(id) ? 1 : 0;
      expect(surveyComments(r, NPS_TEXT) - surveyComments(before.get(id)!, NPS_TEXT), `#${id}`).toBe(want);
      if (want) {
        expect(r.tags).toEqual(expect.arrayContaining(['survey_nps_sent', 'survey_sent']));
        expect(r.tags.some((t) => /^survey_sent_at_\d{12}$/.test(t))).toBe(true);
        expect(r.status).toBe(before.get(id)!.status);
        expect(requesters.has(r.requester), 'one survey per requester').toBe(false);
        requesters.add(r.requester);
      }
    }

    const second = await cli(['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json'], { env });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ eligible: 0, sent: 0, failed: 0 });
  });

  it('spares requesters surveyed within the fatigue window, whatever the survey type', async () => {
    const csat = await cli(['survey', 'send', '--type', 'csat', '--since', '30d', '--yes', '--json'], { env });
    expect(csat.code).toBe(0);
    const s = JSON.parse(csat.stdout) as { sent: number; skips: Array<{ reason: string }> };
    expect(s.sent).toBe(0);
    expect(s.skips.some((k) => /requester surveyed on #\d+ on \d{4}-\d{2}-\d{2}, within 30 days/.test(k.reason))).toBe(true);
    expect(s.skips.some((k) => k.reason === 'already surveyed (NPS)')).toBe(true);
  });

  it('a ticket never gets a second survey, even with --fatigue-days 0', async () => {
    const csat = await cli(['survey', 'send', '--type', 'csat', '--since', '30d', '--fatigue-days', '0', '--yes', '--json'], { env });
    expect(csat.code).toBe(0);
    for (const r of deskRows(home).values()) {
      expect(surveyComments(r, NPS_TEXT) + surveyComments(r, CSAT_TEXT), `#${r.id}`).toBeLessThanOrEqual(1);
    }
  });
});

describe('survey collect, report and score', () => {
  let home: string;
  let cleanup: () => void;
  let env: Record<string, string>;
  let surveyed: number[];

  beforeAll(async () => {
    ({ home, cleanup, env, surveyed } = await surveyedDesk(4));
    expect(surveyed.length).toBeGreaterThanOrEqual(8);
  });
  afterAll(() => cleanup());

  it('reads the scores, flags unclear answers, reopens detractors into the queue, and stores each once', async () => {
    const [a, b, c, d, e, f] = surveyed;
    customerReplies(home, a!, "I'd give it a 9, thanks!");
    customerReplies(home, b!, 'between 7 and 8');
    customerReplies(home, c!, '3 - nobody told me what was going on');
    customerReplies(home, d!, 'nine');
    customerReplies(home, e!, 'Thanks, all good');
    customerReplies(home, f!, '10/10\n\nOn Mon, Alex Morgan wrote:\n> Please reply with a number from 0 to 10');

    const run = await cli(['survey', 'collect', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { answered: number; scored: number; review: number; detractors: number; answers: Array<{ ticket_id: number; score: number | null; review?: string }> };
    // "Thanks, all good" holds no score: a person reads it rather than collect dropping it.
    expect(result).toMatchObject({ answered: 6, scored: 4, review: 2, detractors: 1 });

    const rows = deskRows(home);
    expect(rows.get(a!)!.tags).toEqual(expect.arrayContaining(['nps_9', 'survey_nps_answered']));
    expect(rows.get(a!)!.fields['9003']).toBe('9');
    expect(rows.get(a!)!.status).toBe('solved'); // the answer alone reopened it; back to solved
    expect(rows.get(d!)!.tags).toContain('nps_9');
    expect(rows.get(d!)!.status).toBe('solved'); // "nine" asks for nothing more: back to solved, like a digit
    expect(rows.get(f!)!.tags).toContain('nps_10');
    expect(rows.get(b!)!.tags).toEqual(expect.arrayContaining(['survey_nps_review', 'survey_review']));
    expect(rows.get(b!)!.tags.some((t) => /^nps_\d+$/.test(t))).toBe(false);
    expect(result.answers.find((x) => x.ticket_id === b)?.review).toContain('not one score');
    expect(rows.get(e!)!.tags).toEqual(expect.arrayContaining(['survey_nps_review', 'survey_review']));
    expect(rows.get(e!)!.tags.some((t) => /^nps_\d+$/.test(t))).toBe(false);
    expect(result.answers.find((x) => x.ticket_id === e)?.review).toBe('the customer replied, but no score could be read from the reply');
    const flagged = rows.get(e!)!.comments.filter((x) => !x.public).at(-1)!;
    expect(flagged.body).toContain('needs a person');
    expect(flagged.body).toContain('> Thanks, all good');

    const det = rows.get(c!)!;
    expect(det.status).toBe('open');
    expect(det.tags).toEqual(expect.arrayContaining(['nps_3', 'survey_detractor', 'survey_followup']));
    const note = det.comments.filter((x) => !x.public).at(-1)!;
    expect(note.body).toContain('NPS 3');
    expect(note.body).toContain('> 3 - nobody told me what was going on');

    const queue = await cli(['queue', '--view', 'all', '--tag', 'survey_followup', '--json'], { env });
    expect(queue.code, queue.stderr).toBe(0);
    const followups = JSON.parse(queue.stdout) as Array<{ id: number; tags: string[]; reasons: Array<{ code: string; label: string }> }>;
    expect(followups.map((t) => t.id)).toEqual([c]);
    expect(followups[0]!.reasons.find((r) => r.code === 'detractor')?.label).toBe('survey detractor (NPS 3)');
    const badTag = await cli(['queue', '--tag', 'two words'], { env });
    expect(badTag.code).toBe(2);
    expect(badTag.stderr).toContain('invalid tag "two words"');

    // Again: nothing new is stored, no second note.
    const notes = rows.get(c!)!.comments.length;
    const again = await cli(['survey', 'collect', '--json'], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ answered: 0, failed: 0 });
    expect(deskRows(home).get(c!)!.comments.length).toBe(notes);
  });

  it('sets a non-detractor\'s ticket back to solved unless a reply asks for more', async () => {
    const [g, h] = surveyed.slice(6);
    customerReplies(home, g!, 'Who do I talk to about my invoice?');
    customerReplies(home, g!, '9');
    customerReplies(home, h!, 'Extremely likely, thanks!');
    const run = await cli(['survey', 'collect', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const rows = deskRows(home);
    expect(rows.get(g!)!.tags).toContain('nps_9');
    expect(rows.get(g!)!.status).toBe('open');
    expect(rows.get(h!)!.tags).toContain('nps_10');
    expect(rows.get(h!)!.status).toBe('solved');
  });

  it('records a score read by a person for an answer flagged for review', async () => {
    const b = surveyed[1]!;
    const bad = await cli(['survey', 'score', String(b), '--type', 'nps', '11'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('from 0 to 10');
    const ok = await cli(['survey', 'score', String(b), '--type', 'nps', '7', '--json'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(deskRows(home).get(b)!.tags).toEqual(expect.arrayContaining(['nps_7', 'survey_nps_answered']));
    const twice = await cli(['survey', 'score', String(b), '--type', 'nps', '8'], { env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already has a NPS score');
  });

  it('reports response rate, NPS and the distribution from what is on the desk', async () => {
    answerSurveys({ home, rate: 1, seed: 2 });
    const collected = await cli(['survey', 'collect', '--json'], { env });
    expect(collected.code, collected.stderr).toBe(0);

    const rep = await cli(['survey', 'report', '--json'], { env });
    expect(rep.code, rep.stderr).toBe(0);
    // The default user is an agent: the desk's own ratings list is for admins, and it says so.
    expect(rep.stderr).toContain('note: the satisfaction ratings list needs an admin; the report has the survey answers only');
    expect(JSON.parse(rep.stdout)).toMatchObject({ ratings: null, ratings_note: expect.stringContaining('needs an admin') });
    const asAdmin = await cli(['survey', 'report', '--json'], { env: { ...env, DESKOPS_EMAIL: readDeskCredentials(home)!.admin_email! } });
    expect(asAdmin.stderr).toBe('');
    expect(JSON.parse(asAdmin.stdout).ratings).toMatchObject({ good: expect.any(Number), bad: expect.any(Number) });
    const report = JSON.parse(rep.stdout) as { rows: Array<{ type: string; sent: number; scored: number; value: number; promoters: number; detractors: number; distribution: Record<string, number> }>; review: Array<{ ticket_id: number }> };
    const nps = report.rows.find((r) => r.type === 'nps')!;
    // Counted independently from the desk's tags.
    const scores = [...deskRows(home).values()]
      .filter((r) => r.tags.includes('survey_nps_sent'))
      .map((r) => r.tags.map((t) => /^nps_(\d+)$/.exec(t)).find(Boolean))
      .filter(Boolean)
      .map((m) => Number(m![1]));
    expect(nps.sent).toBe(surveyed.length);
    expect(nps.scored).toBe(scores.length);
    const promoters = scores.filter((s) => s >= 9).length;
    const detractors = scores.filter((s) => s <= 6).length;
    expect(nps.value).toBeCloseTo((100 * (promoters - detractors)) / scores.length, 1);
    expect(Object.values(nps.distribution).reduce((x, y) => x + y, 0)).toBe(scores.length);

    const table = await cli(['survey', 'report', '--by', 'group'], { env: { ...env, NO_COLOR: '1' }, tty: { columns: 120 } });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/SURVEY\s+GROUP\s+SENT\s+REPLIED/);
    expect(table.stderr).toContain('7 = least effort');
    // piped: one table on stdout; the answers waiting for a person are named on stderr
    const piped = await cli(['survey', 'report', '--plain'], { env });
    expect(piped.stdout.split('\n')[0]).toMatch(/^type\tsent\tresponses\tresponse_rate\tscored\t/);
    if (report.review.length > 0) expect(piped.stderr).toContain(`for review: #${report.review[0]!.ticket_id} (`);
    const badBy = await cli(['survey', 'report', '--by', 'team'], { env });
    expect(badBy.code).toBe(2);
  });
});

describe('survey send under faults', () => {
  it('sends every survey exactly once across runs while the desk fails requests', async () => {
    const { home, cleanup } = tempHome();
    try {
      await seedDesk({ home, tickets: 300, seed: 8, now: SEED_NOW });
      const env = { DESKOPS_HOME: home, DESKOPS_DESK_FAULTS: '429=0.1,500=0.1,reset=0.05', DESKOPS_DESK_FAULT_SEED: '3' };
      const clean = { DESKOPS_HOME: home };
      const plan = JSON.parse((await cli(['survey', 'send', '--type', 'ces', '--since', '30d', '--dry-run', '--json'], { env: clean })).stdout) as { ticket_ids: number[] };
      expect(plan.ticket_ids.length).toBeGreaterThan(5);
      let runs = 0;
      let rateLimited = 0;
      for (;;) {
        const r = await cli(['survey', 'send', '--type', 'ces', '--since', '30d', '--yes', '--json', '--batch-size', '10'], { env });
        runs++;
        expect([0, 3], r.stderr).toContain(r.code);
        rateLimited += (JSON.parse(r.stdout) as { requests: { rate_limited: number } }).requests.rate_limited;
        if (r.code === 0 || runs >= 6) break;
      }
      expect(rateLimited, 'the desk did answer 429s').toBeGreaterThan(0);
      const rows = deskRows(home);
      for (const id of plan.ticket_ids) {
        expect(surveyComments(rows.get(id)!, 'The company made it easy to handle my issue'), `#${id}`).toBe(1);
      }
      const total = [...rows.values()].reduce((n, r) => n + surveyComments(r, 'The company made it easy to handle my issue'), 0);
      expect(total).toBe(plan.ticket_ids.length);
    } finally {
      cleanup();
    }
  }, 60_000);
});

describe('survey edge cases: closed tickets, templates, statuses, corrections', () => {
  let home: string;
  let cleanup: () => void;
  let env: Record<string, string>;
  let surveyed: number[];

  beforeAll(async () => {
    ({ home, cleanup, env, surveyed } = await surveyedDesk(6));
    expect(surveyed.length).toBeGreaterThanOrEqual(5);
  });
  afterAll(() => cleanup());

  it('refuses a template of another survey type, or not a survey at all', async () => {
    const wrongType = await cli(['survey', 'send', '--type', 'nps', '--template', 'survey-csat', '--since', '30d', '--yes'], { env });
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('template survey-csat is a CSAT survey (it adds survey_csat_sent), not NPS');
    const notSurvey = await cli(['survey', 'send', '--type', 'nps', '--template', 'apology-delay', '--since', '30d', '--yes'], { env });
    expect(notSurvey.code).toBe(2);
    expect(notSurvey.stderr).toContain('is not a survey');
  });

  it('finds open tickets with --status open (by their last update, not a solve they never had)', async () => {
    const r = await cli(['survey', 'send', '--type', 'ces', '--status', 'open', '--since', '30d', '--fatigue-days', '0', '--dry-run', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).candidates).toBeGreaterThan(0);
  });

  it('a detractor whose ticket closed gets one follow-up ticket for its group; other closed answers are listed as not stored', async () => {
    const [a, b] = surveyed;
    customerReplies(home, a!, '2 - it took far too long');
    customerReplies(home, b!, '9');
    closeTicket(home, a!);
    closeTicket(home, b!);
    const group = deskRows(home).get(a!);
    const r = await cli(['survey', 'collect', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { answers: Array<{ ticket_id: number; stored: boolean; followup_id?: number }>; skips: Array<{ ticket_id: number; reason: string }> };
    const followupId = result.answers.find((x) => x.ticket_id === a)?.followup_id;
    expect(followupId).toBeGreaterThan(0);
    expect(result.skips).toEqual([expect.objectContaining({ ticket_id: b, reason: expect.stringContaining('NPS 9 not stored') })]);
    const follow = deskRows(home).get(followupId!)!;
    expect(follow.status).toBe('open');
    expect(follow.tags).toEqual(expect.arrayContaining(['survey_detractor', 'survey_followup', `survey_followup_of_${a}`, 'nps_2']));
    expect(follow.comments[0]!.public).toBe(false);
    expect(follow.comments[0]!.body).toContain('> 2 - it took far too long');
    expect(group).toBeDefined();

    const again = await cli(['survey', 'collect', '--json'], { env });
    expect(JSON.parse(again.stdout).answers.some((x: { followup_id?: number }) => x.followup_id)).toBe(false);
    expect([...deskRows(home).values()].filter((x) => x.tags.includes(`survey_followup_of_${a}`))).toHaveLength(1);

    const report = JSON.parse((await cli(['survey', 'report', '--json'], { env })).stdout) as { rows: Array<{ type: string; distribution: Record<string, number> }> };
    expect(report.rows.find((x) => x.type === 'nps')!.distribution['2']).toBeGreaterThanOrEqual(1);
  });

  it('corrects a stored score with survey score --replace', async () => {
    const c = surveyed[2]!;
    customerReplies(home, c, '4');
    await cli(['survey', 'collect', '--json'], { env });
    expect(deskRows(home).get(c)!.tags).toEqual(expect.arrayContaining(['nps_4', 'survey_detractor']));
    const refused = await cli(['survey', 'score', String(c), '--type', 'nps', '9'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--replace');
    const fixed = await cli(['survey', 'score', String(c), '--type', 'nps', '9', '--replace', '--json'], { env });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({ score: 9, replaced: 4, detractor: false });
    const tags = deskRows(home).get(c)!.tags;
    expect(tags).toContain('nps_9');
    expect(tags).not.toContain('nps_4');
    expect(tags).not.toContain('survey_detractor');
  });

  it('skips an out-of-office reply without flagging it, and reads the answer that follows', async () => {
    const e = surveyed[4]!;
    customerReplies(home, e, 'I am out of the office until 8 December. For urgent matters call ext. 4.');
    const first = JSON.parse((await cli(['survey', 'collect', '--json'], { env })).stdout) as { answers: Array<{ ticket_id: number }>; automatic: Array<{ ticket_id: number; reason: string }> };
    expect(first.answers.some((x) => x.ticket_id === e)).toBe(false);
    expect(first.automatic).toEqual([{ ticket_id: e, reason: expect.stringContaining('an automatic reply ("I am out of the office")') }]);
    const tags = deskRows(home).get(e)!.tags;
    expect(tags.some((t) => /^nps_\d+$/.test(t) || t === 'survey_nps_review' || t === 'survey_review')).toBe(false);

    customerReplies(home, e, '9');
    const second = JSON.parse((await cli(['survey', 'collect', '--json'], { env })).stdout) as { answers: Array<{ ticket_id: number; score: number | null }>; automatic: unknown[] };
    expect(second.answers.find((x) => x.ticket_id === e)).toMatchObject({ score: 9 });
    expect(second.automatic).toEqual([]);
  });

  it('keeps a ticket open when the answer asks for more', async () => {
    const d = surveyed[3]!;
    customerReplies(home, d, '8, thanks - but when will the fix ship');
    await cli(['survey', 'collect', '--json'], { env });
    expect(deskRows(home).get(d)!.tags).toContain('nps_8');
    expect(deskRows(home).get(d)!.status).toBe('open');
  });
});
