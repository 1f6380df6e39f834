/**
 * The demo desk's customers answer surveys: for tickets that got a CSAT, NPS or CES survey
 * (tag survey_<type>_sent) and whose customer has not written since, a share of them reply
 * as a customer would, from the seeded PRNG: mostly a plain number, sometimes "9/10", "I'd
 * give it a 9", "nine" or a number with a comment; a few answer in a way no tool should
 * guess ("between 7 and 8"), and a few just say thanks. A customer's reply reopens a solved
 * ticket, as on Zendesk. Used by `deskops desk answer-surveys`, so `survey collect` has work.
 */
import { DeskopsError } from '../core/errors.js';
import { openDb } from './db.js';
import { ensureDeskDir } from './paths.js';
import { createRng, type Rng } from './prng.js';
import { parseTags } from './records.js';
import { DeskStore } from './store.js';
import { unixNow } from './time.js';
import { updateTicket } from './ticket-writes.js';

type Kind = 'csat' | 'nps' | 'ces';
const SCALES: Record<Kind, { min: number; max: number; low: number }> = {
  csat: { min: 1, max: 5, low: 2 },
  nps: { min: 0, max: 10, low: 6 },
  ces: { min: 1, max: 7, low: 3 },
};
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

export interface AnswerSurveysOptions {
  home: string;
  /** Share of waiting surveys answered, 0 to 1. */
  rate?: number;
  seed?: number;
  now?: Date;
}

export interface AnswerSurveysSummary {
  waiting: number;
  answered: number;
  /** Replies that hold no single clear score (a person must read them). */
  unclear: number;
  /** Replies without a number. */
  no_number: number;
}

export function answerSurveys(opts: AnswerSurveysOptions): AnswerSurveysSummary {
  const rate = opts.rate ?? 0.7;
  const rng = createRng(opts.seed ?? 1);
  const paths = ensureDeskDir(opts.home);
  const db = openDb(paths.db);
  try {
    const store = new DeskStore(db);
    const agent = store.get<{ id: number }>("SELECT id FROM users WHERE role IN ('agent', 'admin') ORDER BY id LIMIT 1");
    const me = agent ? store.user(agent.id) : undefined;
    if (!me) throw new DeskopsError('the local desk has no agent yet', { hint: 'run `deskops desk seed` first' });
    const rows = store.all<{ id: number }>("SELECT id FROM tickets WHERE tags LIKE '% survey_sent %' AND status != 'closed' ORDER BY id");
    const summary: AnswerSurveysSummary = { waiting: 0, answered: 0, unclear: 0, no_number: 0 };
    const now = opts.now ? () => unixNow(opts.now) : () => unixNow();
    for (const { id } of rows) {
      const ticket = store.ticket(id)!;
      const tags = parseTags(ticket.tags);
      const kind = (['csat', 'nps', 'ces'] as const).find((k) => tags.includes(`survey_${k}_sent`));
      if (!kind || tags.includes(`survey_${kind}_answered`) || tags.includes(`survey_${kind}_review`)) continue;
      const comments = store.comments(id).filter((c) => c.public);
      const last = comments[comments.length - 1];
      if (!last || last.author_id === ticket.requester_id) continue;
      summary.waiting++;
      if (!rng.chance(rate)) continue;
      const reply = customerReply(rng, kind);
      summary.answered++;
      if (reply.kind === 'unclear') summary.unclear++;
      if (reply.kind === 'none') summary.no_number++;
      updateTicket({ store, me, now }, id, { comment: { body: reply.body, isPublic: true, authorId: ticket.requester_id } });
    }
    return summary;
  } finally {
    db.close();
  }
}

function customerReply(rng: Rng, kind: Kind): { body: string; kind: 'score' | 'unclear' | 'none' } {
  const s = SCALES[kind];
  const roll = rng.next();
  if (roll < 0.05) return { kind: 'none', body: rng.pick(['Thanks, all sorted now.', 'Got it, thank you!', 'Who do I talk to about my invoice?']) };
  if (roll < 0.13) {
    const a = rng.int(s.min, s.max - 1);
    return {
      kind: 'unclear',
      body: rng.pick([`Somewhere between ${a} and ${a + 1}`, `${a} or ${a + 1}, hard to say`, `${s.max} for the agent, ${s.min + 1} for the wait`, `${a}.5`]),
    };
  }
  // Mostly happy, a tail of unhappy customers: weighted toward the top of the scale.
  const happy = rng.chance(0.72);
  const score = happy ? rng.int(s.low + 1, s.max) : rng.int(s.min, s.low);
  const why = happy
    ? rng.pick(['quick and friendly', 'you fixed it first time', 'thanks for following up', 'clear answers'])
    : rng.pick(['it took far too long', 'I had to explain it over and over', 'nobody told me what was going on', 'the problem came back']);
  const body = rng.weighted<string>([
    [String(score), 4],
    [`${score}/${s.max}`, 1],
    [`I'd give it a ${score}`, 1],
    [score <= 10 && score !== 1 ? WORDS[score]! : String(score), 1],
    [`${score} - ${why}`, 2],
    [`Thanks.\n\n${score}\n\n${why[0]!.toUpperCase()}${why.slice(1)}.`, 1],
  ]);
  return { kind: 'score', body };
}
