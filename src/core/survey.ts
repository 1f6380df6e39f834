/**
 * Surveys (CSAT, NPS, CES): scales, the tags that record what was sent and answered, reading
 * a score out of a customer's reply, and the report math. Pure: plain data in, plain data out.
 *
 * The scales follow the seeds (docs/kpi.md has the KPI definitions):
 *   CSAT  1-5   "how satisfied": 4 and 5 count as satisfied; 1-2 are detractors
 *   NPS   0-10  "how likely to recommend": promoters 9-10, passives 7-8, detractors 0-6
 *   CES   1-7   agreement with "the company made it easy to handle my issue": 7 = strongly
 *               agree = LOW effort, so higher is better; 1-3 are detractors
 */

export type SurveyType = 'csat' | 'nps' | 'ces';
export const SURVEY_TYPES: readonly SurveyType[] = ['csat', 'nps', 'ces'];

export interface SurveyScale {
  type: SurveyType;
  label: string;
  min: number;
  max: number;
  /** Scores at or below this are detractors (they get a follow-up). */
  detractorMax: number;
  /** How to read the score, for help and output. */
  direction: string;
}

export const SURVEY_SCALES: Readonly<Record<SurveyType, SurveyScale>> = {
  csat: { type: 'csat', label: 'CSAT', min: 1, max: 5, detractorMax: 2, direction: '1-5, 5 = very satisfied' },
  nps: { type: 'nps', label: 'NPS', min: 0, max: 10, detractorMax: 6, direction: '0-10, 10 = extremely likely to recommend' },
  ces: { type: 'ces', label: 'CES', min: 1, max: 7, detractorMax: 3, direction: '1-7 agreement that it was easy, 7 = least effort (higher is better)' },
};

export function parseSurveyType(value: string): SurveyType | undefined {
  const v = value.trim().toLowerCase();
  return (SURVEY_TYPES as readonly string[]).includes(v) ? (v as SurveyType) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Tags

/** Marker of a survey sent on a ticket (also what the shipped survey templates add). */
export const sentTag = (type: SurveyType) => `survey_${type}_sent`;
/** On every surveyed ticket: what the fatigue window and `collect` search for. */
export const SURVEYED_TAG = 'survey_sent';
/** Marker of an answer read and stored (with the score tag, e.g. nps_9). */
export const answeredTag = (type: SurveyType) => `survey_${type}_answered`;
/** Marker of an answer flagged for a person to read. */
export const reviewTag = (type: SurveyType) => `survey_${type}_review`;
export const REVIEW_TAG = 'survey_review';
/** On detractors' tickets, reopened for the original group. */
export const DETRACTOR_TAG = 'survey_detractor';
export const FOLLOWUP_TAG = 'survey_followup';
/** The score as a tag, as KPI reads it: csat_4, nps_9, ces_6. */
export const scoreTag = (type: SurveyType, score: number) => `${type}_${score}`;

const SENT_AT = /^survey_sent_at_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** `survey_sent_at_YYYYMMDDHHMM` (UTC, to the minute): when the survey went out. */
export function sentAtTag(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `survey_sent_at_${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}${p(at.getUTCHours())}${p(at.getUTCMinutes())}`;
}

/** The latest send time recorded in a ticket's tags, or null. */
export function sentAtFromTags(tags: readonly string[]): Date | null {
  let latest: number | null = null;
  for (const t of tags) {
    const m = SENT_AT.exec(t);
    if (!m) continue;
    const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
    if (!Number.isNaN(ms) && (latest === null || ms > latest)) latest = ms;
  }
  return latest === null ? null : new Date(latest);
}

/** The survey types a ticket's tags say were sent on it. */
export function typesSent(tags: readonly string[]): SurveyType[] {
  return SURVEY_TYPES.filter((t) => tags.includes(sentTag(t)));
}

/** The score a ticket's tags hold for a type (a single tag in range), else null. */
export function scoreFromTags(tags: readonly string[], type: SurveyType): number | null {
  const s = SURVEY_SCALES[type];
  const found = new Set<number>();
  for (const t of tags) {
    const m = new RegExp(`^${type}_(\\d{1,2})$`).exec(t);
    if (m && +m[1]! >= s.min && +m[1]! <= s.max) found.add(+m[1]!);
  }
  return found.size === 1 ? [...found][0]! : null;
}

export function isDetractor(type: SurveyType, score: number): boolean {
  return score <= SURVEY_SCALES[type].detractorMax;
}

/** NPS segment of a 0-10 score. */
export function npsSegment(score: number): 'promoter' | 'passive' | 'detractor' {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

// ---------------------------------------------------------------------------------------------
// Reading a score out of a reply
//
// Rules (test/core/survey.test.ts holds one case per rule):
//  1. Quoted text is ignored: lines starting with ">" and everything from an "On ... wrote:"
//     line (or "-----Original Message-----") down, so our own question is never read.
//  2. A score is a whole number written as digits (9), as "9/10" or "9 out of 10" (the 10 is
//     the scale, not a second answer), or as a word from zero to ten ("nine"). "one" counts
//     only where it reads as a score: the whole answer, "a one", "one/10", "one out of ten".
//  3. Exactly one score in range -> that score, whatever words sit around it ("I'd give it a 9",
//     "9 - quick and friendly").
//  4. Flagged for review, never guessed: two or more different numbers ("7 or 8", "between 7
//     and 8", "7-8", "8, the first agent was a 3"), a fraction or decimal ("7.5"), a number
//     outside the scale ("11", "0" on CSAT), a negative number.
//  5. No number at all -> no answer (a thank-you, a question): left for a person, not flagged.

export type SurveyReading =
  | { kind: 'score'; score: number }
  | { kind: 'review'; reason: string }
  | { kind: 'none' };

const WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
};

/** The reply without the quoted text below it. */
export function stripQuoted(text: string): string {
  const out: string[] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const t = line.trim();
    if (/^On .{3,200} wrote:?$/i.test(t) || /^-{2,}\s*Original Message\s*-{2,}$/i.test(t) || /^_{5,}$/.test(t)) break;
    if (t.startsWith('>')) continue;
    out.push(line);
  }
  return out.join('\n');
}

interface Found {
  value: number;
  text: string;
}
const NUM = '(\\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten)';
const numberValue = (t: string): number => (/\d/.test(t) ? Number(t) : WORDS[t]!);

export function parseSurveyAnswer(text: string, type: SurveyType): SurveyReading {
  const scale = SURVEY_SCALES[type];
  const onScale = `a whole number from ${scale.min} to ${scale.max}`;
  let body = ` ${stripQuoted(text).normalize('NFKC').toLowerCase()} `;

  const decimal = /\d+\s?[.,]\d+/.exec(body);
  if (decimal) return { kind: 'review', reason: `"${decimal[0]}" is not ${onScale}` };

  const found: Found[] = [];
  // "9/10", "9 out of 10", "nine out of ten": the number before the scale is the answer.
  body = body.replace(new RegExp(`\\b${NUM}\\s*(?:/|out of)\\s*${NUM}\\b`, 'g'), (_m, a: string, b: string) => {
    found.push({ value: numberValue(a), text: `${a}/${b}` });
    return ' ';
  });
  const range = new RegExp(`\\bbetween\\s+${NUM}\\s+and\\s+${NUM}\\b|\\b(\\d+)\\s*(?:-|–|—|to|or)\\s*(\\d+)\\b`).exec(body);
  if (range) return { kind: 'review', reason: `"${range[0].trim()}" is not one score` };
  const negative = /(^|\s)[-−]\s?\d+/.exec(body);
  if (negative) return { kind: 'review', reason: `"${negative[0].trim()}" is not ${onScale}` };

  for (const m of body.matchAll(/\d+/g)) found.push({ value: Number(m[0]), text: m[0] });
  for (const m of body.matchAll(/\b(zero|one|two|three|four|five|six|seven|eight|nine|ten)\b/g)) {
    if (m[1] === 'one' && !oneIsAScore(body, m.index!)) continue;
    found.push({ value: WORDS[m[1]!]!, text: m[1]! });
  }
  if (found.length === 0) return { kind: 'none' };
  const values = [...new Set(found.map((f) => f.value))];
  if (values.length > 1) return { kind: 'review', reason: `more than one number (${found.map((f) => f.text).join(', ')})` };
  const score = values[0]!;
  if (score < scale.min || score > scale.max) {
    return { kind: 'review', reason: `${score} is outside the ${scale.label} scale (${scale.min} to ${scale.max})` };
  }
  return { kind: 'score', score };
}

/** "one" as a score: the whole answer, "a one", "give it one", or before "/" or "out of". */
function oneIsAScore(body: string, index: number): boolean {
  const before = body.slice(0, index).trimEnd();
  const after = body.slice(index + 3).trimStart();
  if (body.replace(/[^a-z0-9]+/g, ' ').trim() === 'one') return true;
  if (/(^|\s)(a|it|give|gave|rate|rated|score|is|was)$/.test(before) && !/^(of|more|another|thing|day|time|person|agent|question)\b/.test(after)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Answers in a thread

export interface ThreadComment {
  authorId: number;
  public: boolean;
  body: string;
  createdAt: string;
}

/**
 * The customer's answer to a survey sent at `sentAt`: the requester's public comments after
 * the survey comment (the first public agent comment from a few minutes before `sentAt`, to
 * allow for clocks that disagree), read in order; the first that holds a number decides.
 */
export function findAnswer(
  comments: readonly ThreadComment[],
  requesterId: number,
  sentAt: Date,
  type: SurveyType,
): { reading: SurveyReading; comment: ThreadComment } | null {
  const slackMs = 10 * 60_000;
  const sorted = [...comments].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const survey = sorted.find((c) => c.public && c.authorId !== requesterId && Date.parse(c.createdAt) >= sentAt.getTime() - slackMs);
  const from = survey ? Date.parse(survey.createdAt) : sentAt.getTime();
  const replies = sorted.filter((c) => c.public && c.authorId === requesterId && Date.parse(c.createdAt) >= from && c !== survey);
  for (const c of replies) {
    const reading = parseSurveyAnswer(c.body, type);
    if (reading.kind !== 'none') return { reading, comment: c };
  }
  return replies.length > 0 ? { reading: { kind: 'none' }, comment: replies[0]! } : null;
}

/** The answer quoted for an internal note: first lines, at most `max` characters. */
export function quoteAnswer(body: string, max = 600): string {
  const text = stripQuoted(body).trim();
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return cut
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Report math

export interface SurveyRecord {
  type: SurveyType;
  /** The group the figures are split by (--by), or '' for all. */
  key: string;
  score: number | null;
  review: boolean;
}

export interface SurveyFigures {
  type: SurveyType;
  key: string;
  sent: number;
  answered: number;
  /** answered / sent, in % (one decimal). */
  response_rate: number | null;
  review: number;
  /** Count per score, from min to max. */
  distribution: Record<string, number>;
  /** CSAT: % of answers 4-5. NPS: % promoters - % detractors. CES: mean (1-7, higher is easier). */
  value: number | null;
  promoters?: number;
  passives?: number;
  detractors: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function surveyFigures(records: readonly SurveyRecord[]): SurveyFigures[] {
  const groups = new Map<string, SurveyRecord[]>();
  for (const r of records) {
    const k = `${r.type}\u0000${r.key}`;
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  const out: SurveyFigures[] = [];
  for (const list of groups.values()) {
    const { type, key } = list[0]!;
    const scale = SURVEY_SCALES[type];
    const scores = list.map((r) => r.score).filter((s): s is number => s !== null);
    const distribution: Record<string, number> = {};
    for (let s = scale.min; s <= scale.max; s++) distribution[String(s)] = 0;
    for (const s of scores) distribution[String(s)]! += 1;
    const n = scores.length;
    const detractors = scores.filter((s) => isDetractor(type, s)).length;
    const f: SurveyFigures = {
      type,
      key,
      sent: list.length,
      answered: n,
      response_rate: list.length ? round1((100 * n) / list.length) : null,
      review: list.filter((r) => r.review).length,
      distribution,
      value: null,
      detractors,
    };
    if (n > 0) {
      if (type === 'csat') f.value = round1((100 * scores.filter((s) => s >= 4).length) / n);
      if (type === 'ces') f.value = Math.round((scores.reduce((a, b) => a + b, 0) / n) * 100) / 100;
      if (type === 'nps') {
        const promoters = scores.filter((s) => s >= 9).length;
        f.value = round1((100 * (promoters - detractors)) / n);
      }
    }
    if (type === 'nps') {
      f.promoters = scores.filter((s) => s >= 9).length;
      f.passives = scores.filter((s) => s >= 7 && s <= 8).length;
    }
    out.push(f);
  }
  return out.sort((a, b) => SURVEY_TYPES.indexOf(a.type) - SURVEY_TYPES.indexOf(b.type) || a.key.localeCompare(b.key));
}
