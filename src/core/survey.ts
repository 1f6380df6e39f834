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

import { htmlToText, looksLikeHtml } from './html-text.js';

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
/** The ticket was solved when surveyed: an answer that only reopened it sets it back to solved. */
export const SENT_ON_SOLVED_TAG = 'survey_sent_solved';
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
// Rules (test/core/survey.test.ts holds one case per rule). When in doubt a person reads it:
// a reply is flagged for review rather than given a score it may not mean.
//  1. Only the customer's own text is read. An HTML body is read as text: tags stripped,
//     entities decoded, blockquotes and what follows a mail app's quote container (Gmail,
//     Yahoo, Thunderbird, Outlook) left out. Lines starting with ">" are skipped, and the reply
//     is cut at the first of: a signature line "--" (or "-- "); a closing line ("Best
//     regards,", "Cordialement", "Mit freundlichen Grüßen", "Saludos"...) with a signature
//     under it: a name, then at most five short lines; a phone's footer ("Sent from my
//     iPhone"); a reply header, also when wrapped onto up to three lines: "On ... wrote:",
//     French "Le ... a écrit :", German "Am ... schrieb ...:", Spanish "El ... escribió:", Dutch
//     "Op ... schreef ...:", Italian "Il giorno ... ha scritto:", Portuguese "Em ...
//     escreveu:", Gmail's "2024-03-04 10:00 ... <a@b.c>:" (all but a one-line "On ... wrote:"
//     must hold a time such as 10:00 or an address); an Outlook header, a "From:" line
//     ("Von:", "De :", "Van:", "Da:") with "Sent:" or "Date:" ("Gesendet:", "Envoyé :",
//     "Enviado el:", "Verzonden:", "Inviato:", "Enviada em:") within the next four lines;
//     "-----Original Message-----" (or "Forwarded message") and a "_____" line.
//  2. Numbers that are never a score are ignored: e-mail and web addresses, dates (2026-11-24,
//     24.11.2026, 11/24/26, "2 December", "December 2", "8. Dezember", "8 de diciembre"),
//     times (10:30, 10am), money ($20, 20 EUR), phone numbers (7+ digits, starting with "+" or
//     "(" or holding a 3-digit group: "+1 555 123 4567"), ordinals ("2nd"), codes glued to
//     letters ("Q3", "INC42"), and any number of three or more digits ("order 12345", "#4211",
//     "12,345", "a hundred").
//  3. A score is a whole number written as digits (9, or a keycap 9️⃣ / 🔟), or as a word
//     from zero to ten in English, French, German or Spanish, in any case ("nine", "NINE",
//     "neuf", "zehn", "diez"). "one" counts only where it reads as a score: the whole answer,
//     "a one", "rate it one", "one/10", "one out of ten"; "un", "une", "uno", "una" only as
//     the whole answer or in a fraction ("un sur cinq").
//  4. "N/M", "N out of M", "N von M", "N sur M", "N de M" count as N only when M is the
//     scale's maximum (10 for NPS, 5 for CSAT, 7 for CES): "9/10", "eight out of ten", "8 von
//     10", "4 sur 5" on CSAT. "N stars" ("Sterne", "étoiles", "estrellas") and a row of star
//     emoji ("⭐⭐⭐⭐", or "★★★★☆" as 4/5) count as N on CSAT (a five-point scale) only; a
//     lone star is flagged when it is the whole answer and is decoration elsewhere. "#9" is 9.
//  5. A number (or "9/10", "5 stars") counts only where it stands as the answer: opening the
//     reply, a line, a sentence or a clause ("9", "9!", a line "8" between sentences, "Thanks
//     a million, 10", "Ticket #4211: 9"), or after a word that gives a rating ("I'd give it a
//     9", "rate us 9", "Solid 8", "I meant 9", "I'd rate your service 8"); and followed by the
//     end, punctuation, an emoji or a word such as "because", "for", "thanks" ("9 - quick and
//     friendly", "9 because").
//     Anywhere else it is a stray number (a count, a duration, a day, a reference: "I had to
//     call 4 times", "it arrived 2 days late", "I give 2 thumbs up", "order 45", "arrived
//     3/10", a number in brackets: "See attached (1)"), never read as a score.
//  6. Flagged for review, never guessed: a stray number with no answer beside it; two or more
//     different numbers, strays included ("7 or 8", "between 7 and 8", "7-8", "8, maybe 9",
//     "9 (it took 2 days)"); a number negated or hedged in its clause ("Definitely not 0",
//     "Would not give a 10", "maybe 9", "about 8", "~8", "10?", "10+", "10 if it were faster");
//     a fraction on another scale ("4/5" or "5 stars" on NPS, "3/10" on CSAT); a decimal
//     ("7.5", "8,5", "8 and a half"); a percentage ("50%"); a number outside the scale ("11",
//     "0" on CSAT, "eleven out of ten"); a negative number.
//  7. No number left at all -> no answer (a thank-you, a question, a signature with a phone
//     number, "Refund of $25 received on 2 December"); the collect service flags such a reply
//     for a person.
//  8. The answers a survey template names, written as words, count as their number where
//     they are a sentence or clause of their own ("Very satisfied", "I'm satisfied, thanks"):
//     CSAT "very satisfied" 5, "satisfied" 4, "neutral" (or "neither satisfied nor
//     dissatisfied") 3, "dissatisfied" 2, "very dissatisfied" 1, also in the Spanish
//     template's words; NPS "extremely likely" 10, "not at all likely" 0; CES "strongly agree"
//     7, "neither agree nor disagree" (or "neutral") 4, "strongly disagree" 1. Other words of
//     the scale ("very likely", "agree", "not satisfied", "very satisfied with the wait") are
//     not guessed: with no number beside them the reply is flagged.
//  9. An automatic reply (out of office: "Automatic reply", "I am out of the office until 8
//     December", "Abwesenheitsnotiz", "Réponse automatique", "Respuesta automática"...) is
//     read as `automatic`, whatever numbers it holds: not a score, not for review; the
//     customer has not answered yet.

export type SurveyReading =
  | { kind: 'score'; score: number }
  | { kind: 'review'; reason: string }
  /** Written by the customer's mail system, not the customer (rule 9): skipped, not flagged. */
  | { kind: 'automatic'; reason: string }
  | { kind: 'none' };

const bounded = (source: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`, 'iu');
/** What an out-of-office or other automatic reply says about itself, in the languages read. */
const AUTOMATIC_REPLY: readonly RegExp[] = [
  bounded(`auto(?:matic|mated)?[-\\s]?(?:reply|response|answer)|this is an automated (?:message|notification)`),
  // "Out of office until 8 December" opening a line; "I was out of office" is the customer writing.
  /(?:^|\n)\s*out of (?:the )?office\b/i,
  bounded(`(?:i am|i'm|im|i will be|i'll be|we are|currently)\\s+(?:currently\\s+)?(?:out of (?:the )?office|away from (?:the|my) (?:office|desk)|on (?:annual |parental |sick )?leave|on vacation|on holiday)`),
  bounded(`abwesenheitsnotiz|automatische antwort|(?:bin|sind)\\s[^\\n]{0,40}(?:nicht im büro|außer haus|ausser haus|abwesend|im urlaub)`),
  bounded(`réponse automatique|absente? du bureau|(?:je suis|je serai|nous sommes)\\s+(?:actuellement\\s+)?(?:absente?s?|en congés?|en vacances|hors du bureau)`),
  bounded(`respuesta automática|respuesta automatica|(?:estoy|estaré|estare|me encuentro)\\s[^\\n]{0,30}(?:fuera de la oficina|de vacaciones)`),
  bounded(`risposta automatica|fuori ufficio|automatisch antwoord|afwezigheidsmelding|resposta automática|resposta automatica`),
];

/** The phrase that shows a reply was written by a mail system (an out-of-office reply), or null. */
export function automaticReply(text: string): string | null {
  for (const re of AUTOMATIC_REPLY) {
    const m = re.exec(text);
    if (m) return m[0].trim();
  }
  return null;
}

/** Number words in the languages the reader knows (English, French, German, Spanish). */
const WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  zéro: 0, un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, sept: 7, huit: 8, neuf: 9, dix: 10,
  null: 0, eins: 1, zwei: 2, drei: 3, vier: 4, fünf: 5, fuenf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9, zehn: 10,
  cero: 0, uno: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10,
  // Never a score, but read so that "eleven out of ten" is not taken for "ten".
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20, hundred: 100, thousand: 1000, million: 1_000_000,
  onze: 11, douze: 12, vingt: 20, cent: 100, mille: 1000, zwölf: 12, zwanzig: 20, hundert: 100, tausend: 1000,
  doce: 12, veinte: 20, cien: 100, ciento: 100, mil: 1000,
};
/** Words for one that are also "a" (French, Spanish) or a pronoun ("no one"): a score only in context. */
const ONE_WORDS = new Set(['one', 'un', 'une', 'uno', 'una']);

/** Reply headers ("On ... wrote:" and its translations), tried on one to three joined lines. */
const ATTRIBUTIONS: readonly RegExp[] = [
  /^on\s.{3,300}\swrote\s?:?$/i,
  /^le\s.{3,300}\sa\s+écrit\s?:$/i,
  /^am\s.{3,300}\sschrieb\s.{1,300}:$/i,
  /^el\s.{3,300}\sescribió\s?:$/i,
  /^op\s.{3,300}\sschreef\s.{1,300}:$/i,
  /^op\s.{3,300}\sheeft\s.{1,300}\sgeschreven\s?:$/i,
  /^il\s.{3,300}\sha\s+scritto\s?:$/i,
  /^em\s.{3,300}\sescreveu\s?:$/i,
  /^\d{4}-\d{1,2}-\d{1,2}\s.{0,300}<[^<>\s]+@[^<>\s]+>\s?:$/,
];
const FORWARD_LINE = /^-{2,}\s*(?:original message|forwarded message)\s*-{2,}$/i;
/** Outlook's header block, in English, German, French, Spanish, Dutch, Italian, Portuguese. */
const FROM_LINE = /^\*?(?:from|von|de|van|da)\s?:\*?\s*\S/i;
const SENT_LINE = /^\*?(?:sent|date|gesendet|datum|envoyé|enviado(?: el)?|fecha|verzonden|inviato|data|enviada em)\s?:/i;
/** What a phone's mail app puts under a reply. */
const MOBILE_FOOTER = /^(?:sent from (?:my|mail for|outlook|yahoo|samsung|gmail|the (?:mail|gmail|outlook) app)|get outlook for|envoyé de mon|envoyé depuis|von meinem .{1,40} gesendet|enviado desde mi|verzonden vanaf mijn|inviato da|enviado do meu)\b/i;
/** A closing line that a signature follows. */
const SIGN_OFF = new RegExp(
  `^(?:${[
    'best', 'best regards', 'kind regards', 'warm regards', 'warmest regards', 'regards', 'many thanks', 'thanks', 'thank you',
    'thanks again', 'cheers', 'sincerely', 'yours sincerely', 'yours truly', 'best wishes', 'all the best', 'take care',
    'cordialement', 'bien cordialement', 'bien à vous', 'salutations', 'sincères salutations', 'merci', 'bonne journée',
    'mit freundlichen grüßen', 'mit freundlichen grüssen', 'freundliche grüße', 'freundliche grüsse', 'viele grüße', 'viele grüsse',
    'beste grüße', 'beste grüsse', 'liebe grüße', 'liebe grüsse', 'lg', 'mfg', 'gruß', 'grüße', 'grüsse', 'danke',
    'saludos', 'un saludo', 'saludos cordiales', 'atentamente', 'un cordial saludo', 'gracias', 'muchas gracias',
    'met vriendelijke groet', 'groeten', 'cordiali saluti', 'distinti saluti', 'saluti', 'atenciosamente', 'abraços', 'cumprimentos',
  ].join('|')})\\s*[,.!]?$`,
  'iu',
);
/** A name under a closing line: one to four capitalised words ("María García", "J. O'Brien"). */
const NAME_LINE = /^\p{Lu}[\p{L}'’.-]*(?:\s+(?:(?:van|von|de|der|den|da|di|du|del|la|le)\s+)?\p{Lu}[\p{L}'’.-]*){0,3}$/u;

/** Whether line i opens the quoted message under the reply. */
function opensQuote(lines: readonly string[], i: number): boolean {
  const t = lines[i]!.trim();
  if (t === '--' || FORWARD_LINE.test(t) || /^_{5,}$/.test(t) || MOBILE_FOOTER.test(t)) return true;
  if (FROM_LINE.test(t) && lines.slice(i + 1, i + 5).some((l) => SENT_LINE.test(l.trim()))) return true;
  let joined = '';
  for (let k = 0; k < 3 && i + k < lines.length; k++) {
    const part = lines[i + k]!.trim();
    if (!part || (k > 0 && part.startsWith('>'))) return false;
    joined = k === 0 ? part : `${joined} ${part}`;
    if (!ATTRIBUTIONS.some((re) => re.test(joined))) continue;
    // A one-line "On ... wrote:" is enough; anything else must hold a time or an address.
    if ((k === 0 && /^on\s/i.test(joined)) || /\d:\d\d|@/.test(joined)) return true;
  }
  return false;
}

/**
 * Whether line i is a closing line ("Best regards,", "Cordialement", "Saludos") with a
 * signature under it: a name, then at most five more short lines before the end or the quote.
 */
function opensSignature(lines: readonly string[], i: number): boolean {
  if (!SIGN_OFF.test(lines[i]!.trim())) return false;
  const block: string[] = [];
  for (let j = i + 1; j < lines.length; j++) {
    const t = lines[j]!.trim();
    if (t.startsWith('>') || opensQuote(lines, j)) break;
    if (t) block.push(t);
  }
  return block.length > 0 && block.length <= 6 && NAME_LINE.test(block[0]!) && block.every((l) => l.length <= 80);
}

/** The reply without the quoted text below it and without its signature. */
export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (opensQuote(lines, i) || opensSignature(lines, i)) break;
    if (lines[i]!.trim().startsWith('>')) continue;
    out.push(lines[i]!);
  }
  return out.join('\n');
}

/** What the customer wrote in a reply: an HTML body as text, without the quote and signature. */
export function replyText(body: string): string {
  return stripQuoted(looksLikeHtml(body) ? htmlToText(body) : body);
}

/** A number in the reply that may be the score, and how it stands there. */
interface Candidate {
  value: number;
  text: string;
  /** It stands where an answer stands (rule 5). */
  answer: boolean;
  /** Why it is not a plain score though it may stand as one (negated, hedged, a question). */
  doubt?: string;
  /** The words around it, for the reason a person reads. */
  phrase: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WORD_LIST = Object.keys(WORDS)
  .sort((a, b) => b.length - a.length)
  .map(escapeRe)
  .join('|');
/** A number: digits, or a number word standing as a word. */
const NUM = `(\\d+|(?:${WORD_LIST})(?![\\p{L}\\p{N}]))`;
/** "9/10", "9 out of 10", "8 von 10", "4 sur 5", "8 de 10", "8 sobre 10". */
const FRACTION = `${NUM}\\s*(?:/|out\\s+of|von|sur|de|sobre)\\s*${NUM}`;
const STARRED = `${NUM}[\\s-]*(?:stars?|sterne?|étoiles?|estrellas?)(?![\\p{L}])`;
/** Fractions, "N stars", digits and number words, in the order they are written. */
const CANDIDATE = new RegExp(`(?<![\\p{L}\\p{N}])(?:${FRACTION}|${STARRED}|(\\d+)|(${WORD_LIST})(?![\\p{L}\\p{N}]))`, 'gu');
const numberValue = (t: string): number => (/\d/.test(t) ? Number(t) : WORDS[t]!);

/** Words after which a number is given as a rating: "give it a 9", "rate us 9", "solid 8". */
const RATING_LEADS = new Set([
  'a', 'an', 'it', 'give', 'gave', 'giving', 'rate', 'rated', 'rating', 'score', 'scored', 'say', 'said', 'meant', 'mean',
  'solid', 'strong', 'easy', 'easily', 'definitely', 'absolutely', 'clearly', 'certainly', 'surely', 'still', 'you', 'us',
  'vote', 'answer', 'full', 'perfect', 'straight',
  'un', 'une', 'donne', 'donnerais', 'mets', 'note', 'eine', 'ein', 'gebe', 'geben', 'gäbe', 'una', 'doy', 'daría', 'daria', 'pongo', 'nota',
]);
/** A rating verb anywhere in the number's clause: "I'd rate your service 8", "I gave you guys 10". */
const RATING_VERBS = new Set(['rate', 'rated', 'rating', 'give', 'gave', 'giving', 'score', 'scored', 'donne', 'donnerais', 'gebe', 'geben', 'bewerte', 'doy', 'daría', 'daria', 'pongo', 'califico']);
/** Right before a number they make it a time, a count or a place, whatever verb is in the clause: "I gave up after 2". */
const PREPOSITIONS = new Set([
  'after', 'before', 'at', 'on', 'in', 'until', 'till', 'by', 'since', 'from', 'within', 'for', 'to', 'of', 'with', 'per', 'every',
  'each', 'into', 'except', 'nach', 'vor', 'um', 'am', 'im', 'bis', 'seit', 'ab', 'mit', 'après', 'avant', 'à', 'dans', 'depuis',
  'avec', 'después', 'antes', 'en', 'hasta', 'desde', 'con',
]);
/** Words that may follow a score given with a comment: "9 because", "10 from me", "8 for the agent". */
const ANSWER_FOLLOWERS = new Set([
  'because', 'bc', 'cause', 'cuz', 'as', 'for', 'from', 'overall', 'but', 'though', 'although', 'thanks', 'thank', 'thx', 'ty', 'cheers',
  'merci', 'parce', 'pour', 'mais', 'danke', 'weil', 'denn', 'für', 'aber', 'gracias', 'porque', 'por', 'para', 'pero',
]);
/** After "9/10" also: "10/10 would recommend", "9/10 service". */
const FRACTION_FOLLOWERS = new Set(['would', 'will', 'recommend', 'recommended', 'service', 'experience', 'support', 'job', 'work', 'points', 'pts', 'punkte', 'punkten', 'puntos']);
/** A condition after the number: "10 if it had been faster". */
const CONDITIONS = new Set(['if', 'unless', 'wenn', 'falls', 'si']);
/** Anywhere in the number's clause: it is negated, or only a guess. */
const NEGATIONS = new Set(['not', 'never', 'no', 'nope', 'none', 'hardly', 'barely', 'cannot', 'nicht', 'nie', 'niemals', 'kein', 'keine', 'keinen', 'keiner', 'pas', 'jamais', 'ni', 'nunca', 'tampoco']);
const CLAUSE_HEDGES = new Set([
  'maybe', 'perhaps', 'probably', 'possibly', 'presumably', 'might', 'guess', 'if', 'unless', 'vielleicht', 'wahrscheinlich',
  'eventuell', 'wenn', 'falls', 'probablement', 'quizás', 'quizas', 'quizá', 'quiza', 'probablemente', 'acaso', 'si',
]);
const CLAUSE_HEDGE_PHRASES = /(?:^|\s)(?:(?:would|could|should|might|may|will)\s+(?:be|have)|'d\s+have|peut[-\s]être|peut[-\s]etre|tal\s+vez|a\s+lo\s+mejor|wäre|hätte|serait|aurait|sería|seria|habría|habria)(?=\s|$)/u;
/** Right before the number (or before "a N"): "about 8", "like a 7", "more than 8", "at least 9". */
const DIRECT_HEDGES = new Set([
  'like', 'about', 'around', 'roughly', 'approximately', 'approx', 'circa', 'ca', 'over', 'under', 'above', 'below', 'than',
  'least', 'most', 'nearly', 'almost', 'etwa', 'ungefähr', 'environ', 'presque', 'casi', 'unos', 'unas',
]);
const ARTICLES = new Set(['a', 'an']);
/** Words that name what a number after them refers to: "order 45", "Ext. 7", "Room: 3", "ticket #9". */
const REFERENCE_WORDS = [
  'order', 'ticket', 'case', 'invoice', 'ref', 'reference', 'no', 'nr', 'num', 'number', 'item', 'account', 'id', 'pin', 'code',
  'room', 'rm', 'ext', 'extension', 'tel', 'phone', 'fax', 'page', 'p', 'pp', 'step', 'version', 'v', 'model', 'flight', 'seat',
  'gate', 'floor', 'apt', 'apartment', 'suite', 'ste', 'unit', 'box', 'parcel', 'package', 'tracking', 'building', 'bldg',
  'platform', 'line', 'table', 'chapter', 'ch', 'art', 'vol', 'fig', 'bestellung', 'auftrag', 'rechnung', 'zimmer', 'nummer',
  'commande', 'facture', 'numéro', 'chambre', 'pedido', 'factura', 'número', 'habitación', 'nº',
];
const REFERENCE_SET = new Set(REFERENCE_WORDS);
/** The word a number is labelled with, across ".", ":", "#": "ext. 7", "room: 3", "order #9". */
const LABEL_WORD = /([\p{L}º]+)[ \t.:#º°]*$/u;
/** Signs right before a number that make it no plain score: "~8", "<5", ">9". */
const HEDGE_SIGNS = '~≈<>≤≥±';
const isNegation = (w: string) => NEGATIONS.has(w) || /n't$/.test(w) || /^n'/.test(w) || /^(?:dont|doesnt|didnt|wont|wouldnt|cant|couldnt|shouldnt|isnt|wasnt|arent|werent|havent|hasnt|hadnt|aint)$/.test(w);

const TRAILING_SPACE = /[ \t\u00a0]+$/;
const LEADING_SPACE = /^[ \t\u00a0]+/;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LAST_WORD = /([\p{L}']+)$/u;

/** How the text after a number goes on: "end" of the reply or line, "ok" to go with an answer, or not. */
function follower(after: string, fraction: boolean): { kind: 'ok' | 'doubt' | 'no'; word?: string; doubt?: string } {
  if (after === '' || after[0] === '\n') return { kind: 'ok' };
  // A letter glued to the number: "2x", "9ish", "4h".
  if (LETTER_OR_DIGIT.test(after[0]!)) return { kind: 'no', word: /^[\p{L}\p{N}']+/u.exec(after)![0] };
  const a = after.replace(LEADING_SPACE, '');
  if (a === '' || a[0] === '\n') return { kind: 'ok' };
  const c = a[0]!;
  if (c === '?') return { kind: 'doubt', doubt: 'a question' };
  if (c === '+') return { kind: 'doubt', doubt: 'qualified ("+")' };
  if (/[-–—]/.test(c)) return LETTER_OR_DIGIT.test(a[1] ?? '') && a === after ? { kind: 'no', word: /^[-–—][\p{L}\p{N}']+/u.exec(a)?.[0] } : { kind: 'ok' };
  if (/\p{L}/u.test(c)) {
    const word = /^[\p{L}']+/u.exec(a)![0];
    if (CONDITIONS.has(word)) return { kind: 'doubt', word, doubt: `given on a condition ("${word}")` };
    if (ANSWER_FOLLOWERS.has(word) || (fraction && FRACTION_FOLLOWERS.has(word))) return { kind: 'ok', word };
    return { kind: 'no', word };
  }
  if (/\p{N}/u.test(c) || /[/%=&×]/.test(c)) return { kind: 'no' };
  return { kind: 'ok' }; // punctuation, brackets, emoji
}

/** How a number (from `start` to `end` of `body`) stands in the reply (rules 5 and 6). */
function standing(body: string, start: number, end: number, fraction: boolean): Pick<Candidate, 'answer' | 'doubt' | 'phrase'> {
  let before = body.slice(0, start).replace(TRAILING_SPACE, '');
  // "#9": the answer numbered; "order #9" stays a reference.
  if (before.endsWith('#')) before = before.slice(0, -1).replace(TRAILING_SPACE, '');
  const after = body.slice(end);
  const clause = before.split(/[.;:!?\n(),]|\s[-–—](?=\s|$)/).at(-1)!.trim();
  const clauseWords = clause.match(/[\p{L}']+/gu) ?? [];
  const next = follower(after, fraction);
  const last = before.at(-1);
  const number = `${last && HEDGE_SIGNS.includes(last) ? last : ''}${body.slice(start, end).trim()}`;
  const glued = next.word !== undefined && after.startsWith(next.word);
  const phrase = [...clauseWords.slice(-3), `${number}${glued ? next.word : ''}`, ...(next.word && !glued ? [next.word] : [])].join(' ');

  const prev = LAST_WORD.exec(before)?.[1];
  const beforeArticle = prev && ARTICLES.has(prev) ? LAST_WORD.exec(before.slice(0, -prev.length).replace(TRAILING_SPACE, ''))?.[1] : undefined;
  let doubt: string | undefined;
  if (last && HEDGE_SIGNS.includes(last)) doubt = `qualified ("${last}")`;
  else if ((prev && DIRECT_HEDGES.has(prev)) || (beforeArticle && DIRECT_HEDGES.has(beforeArticle))) doubt = `hedged ("${DIRECT_HEDGES.has(prev!) ? prev : beforeArticle}")`;
  else {
    const negation = clauseWords.find(isNegation);
    const hedge = clauseWords.find((w) => CLAUSE_HEDGES.has(w)) ?? CLAUSE_HEDGE_PHRASES.exec(` ${clause}`)?.[0].trim();
    if (negation) doubt = `negated ("${negation}")`;
    else if (hedge) doubt = `hedged ("${hedge}")`;
    else if (next.kind === 'doubt') doubt = next.doubt;
  }

  const opensClause = last === undefined || last === '\n' || (!LETTER_OR_DIGIT.test(last) && !HEDGE_SIGNS.includes(last));
  const afterLead = prev !== undefined && (RATING_LEADS.has(prev) || (!PREPOSITIONS.has(prev) && clauseWords.some((w) => RATING_VERBS.has(w))));
  const label = LABEL_WORD.exec(before)?.[1];
  // "See attached (1)", "invoice (2).pdf", "[1]": a footnote or a copy; "nine (9)" repeats the answer beside it.
  const bracketed = !fraction && /[([]$/.test(before) && /^[ \t]*[)\]]/.test(after);
  const reference = bracketed || (label !== undefined && REFERENCE_SET.has(label));
  const answer = next.kind !== 'no' && !reference && (opensClause || afterLead);
  return { answer, ...(doubt ? { doubt } : {}), phrase };
}

/**
 * A word for one as a score: the whole answer; for "one" also "a one", "give it one" (a
 * fraction such as "one/10" or "un sur cinq" is read as one before this).
 */
function oneIsAScore(body: string, index: number, word: string): boolean {
  const before = body.slice(0, index).trimEnd();
  const after = body.slice(index + word.length).trimStart();
  if (body.replace(/[^\p{L}\p{N}]+/gu, ' ').trim() === word) return true;
  if (word !== 'one') return false;
  if (/(^|\s)(a|it|give|gave|rate|rated|score|is|was)$/.test(before) && !/^(of|more|another|thing|day|time|person|agent|question)\b/.test(after)) return true;
  return false;
}

/**
 * The answers the survey templates name, as words (rule 8): CSAT's five labels (also in the
 * Spanish template's words), NPS's two ends, and CES's three named points (the template asks
 * agreement that it was easy: 7 = strongly agree). Other points of a scale have no word the
 * customer was shown, so "agree" or "very likely" is not guessed.
 */
const SCALE_WORDS: Readonly<Record<SurveyType, { named: Readonly<Record<string, number>>; mention: RegExp; points: string }>> = {
  csat: {
    named: {
      'very satisfied': 5, satisfied: 4, 'neither satisfied nor dissatisfied': 3, neutral: 3, dissatisfied: 2, 'very dissatisfied': 1,
      'muy satisfecho': 5, 'muy satisfecha': 5, satisfecho: 4, satisfecha: 4, 'ni satisfecho ni insatisfecho': 3,
      'ni satisfecha ni insatisfecha': 3, insatisfecho: 2, insatisfecha: 2, 'muy insatisfecho': 1, 'muy insatisfecha': 1,
    },
    mention: /satisf|neutral/,
    points: '5 = very satisfied, 4 = satisfied, 3 = neither, 2 = dissatisfied, 1 = very dissatisfied',
  },
  nps: {
    named: { 'extremely likely': 10, 'not at all likely': 0, 'not likely at all': 0 },
    mention: /\b(?:un)?likely\b/,
    points: '10 = extremely likely, 0 = not at all likely',
  },
  ces: {
    named: { 'strongly agree': 7, 'neither agree nor disagree': 4, neutral: 4, 'strongly disagree': 1 },
    mention: /\b(?:dis)?agree|\bneutral\b/,
    points: '7 = strongly agree, 4 = neither agree nor disagree, 1 = strongly disagree',
  },
};
const SCALE_WORDS_PREFIX = /^(?:i am|i'm|im|i was|i feel|we are|we're|we were|overall|estoy|estamos|me siento)\s+/;
const SCALE_WORDS_SUFFIX = /\s+to\s+recommend(?:\s+(?:you|you guys|us|it|this))?(?:\s+to\s+(?:a\s+)?(?:friend|colleague|friends|colleagues|others))?$/;

/**
 * Scale words in a reply: a sentence or clause that is a named answer ("Very satisfied",
 * "I'm satisfied", "Extremely likely to recommend you") is an answer; other words of the scale
 * ("not satisfied with the wait", "very likely", "agree") are only mentioned.
 */
function scaleWords(body: string, type: SurveyType): { answers: Candidate[]; mentioned: string[] } {
  const { named, mention } = SCALE_WORDS[type];
  const answers: Candidate[] = [];
  const mentioned: string[] = [];
  for (const part of body.split(/[.!?\n;,:()]|\s[-–—](?=\s)/)) {
    const words = part.replace(/[^\p{L}\s']+/gu, ' ').replace(/\s+/g, ' ').trim();
    if (!mention.test(words)) continue;
    const bare = words.replace(SCALE_WORDS_PREFIX, '').replace(type === 'nps' ? SCALE_WORDS_SUFFIX : /$^/, '');
    // A number beside the words ("100% satisfied") makes them more than the named answer.
    const value = Object.hasOwn(named, bare) && !/\p{N}/u.test(part) ? named[bare] : undefined;
    if (value === undefined) mentioned.push(part.replace(/\s+/g, ' ').trim());
    else answers.push({ value, text: bare, answer: true, phrase: words });
  }
  return { answers, mentioned };
}

/** Filled and empty stars: ⭐⭐⭐⭐ reads as "4 stars", ★★★★☆ as "4/5"; a lone star is not a rating. */
const STAR_RUN = /[⭐🌟★☆✩]\ufe0f?(?:[ \t]?[⭐🌟★☆✩]\ufe0f?)*/gu;
function starsAsWords(body: string): string | null {
  const stars = (run: string) => [...run].filter((c) => /[⭐🌟★☆✩]/u.test(c));
  const runs = [...body.matchAll(STAR_RUN)].map((m) => stars(m[0]));
  if (runs.length === 1 && runs[0]!.length === 1 && body.replace(STAR_RUN, '').replace(/[\s\p{P}]+/gu, '') === '') return null;
  return body.replace(STAR_RUN, (run) => {
    const all = stars(run);
    const filled = all.filter((c) => c !== '☆' && c !== '✩').length;
    if (all.length === 1) return ' ';
    return filled === all.length ? ` ${filled} stars ` : ` ${filled}/${all.length} `;
  });
}

/** Tokens that hold digits but are never a score (rule 2), blanked out. Input is lower case. */
function withoutNonScores(body: string): string {
  return body
    .replace(/(\d)\ufe0f?\u20e3/gu, '$1') // keycap digits: 9️⃣ -> 9
    .replace(/\u{1f51f}/gu, ' 10 ') // 🔟
    .replace(/\u2044/g, '/') // the fraction slash of ½ taken apart
    .replace(/(?<![<\d])<3+(?!\d)/g, ' ') // a heart: "<3"
    .replace(/(?:https?:\/\/|www\.)\S+|\S+@\S+/g, ' ')
    .replace(new RegExp(`(?:\\b(?:${REFERENCE_WORDS.join('|')})\\.?\\s*)?#\\s?\\d{3,}`, 'gu'), ' ')
    .replace(/\b\d{4}-\d{1,2}-\d{1,2}\b/g, ' ')
    .replace(/\b(?:\d{1,2}|\d{4})([./-])\d{1,2}\1(?:\d{4}|\d{2})\b/g, ' ')
    .replace(/\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\b\.?)?/g, ' ')
    .replace(/\b\d{1,2}(?:[ap]m|\s?[ap]\.m\.)(?![a-z])/g, ' ')
    .replace(/[$€£¥]\s?\d+(?:[.,]\d+)*|\b\d+(?:[.,]\d+)*\s?(?:[$€£¥]|(?:usd|eur|gbp|dollars?|euros?|bucks)\b)/g, ' ')
    .replace(/\b\d{1,3}(?:,\d{3})+(?![\d.,])/g, ' ')
    .replace(/(?<![\w+])\+?\(?\d[\d \t().-]{5,}\d(?!\w)/g, (m) => {
      const digits = m.replace(/\D/g, '').length;
      return digits >= 7 && digits <= 15 && (/^[+(]/.test(m) || /\d{3}/.test(m)) ? ' ' : m;
    })
    .replace(/\b\d+(?:st|nd|rd|th)\b/g, ' ')
    .replace(MONTH_DAY, ' ')
    .replace(DAY_MONTH, ' ')
    .replace(/\b[a-z]+\d[\w-]*/g, ' ');
}

/** Month names and short forms (English, French, German, Spanish); not "may" or "ago", English words as well. */
const MONTHS = [
  'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sept', 'sep', 'oct', 'nov', 'dec',
  'janvier', 'février', 'fevrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'aout', 'septembre', 'octobre', 'novembre', 'décembre', 'decembre', 'janv', 'févr', 'avr', 'juil',
  'januar', 'jänner', 'februar', 'märz', 'maerz', 'juni', 'juli', 'oktober', 'dezember', 'okt', 'dez',
  'enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'setiembre', 'octubre', 'noviembre', 'diciembre', 'ene', 'abr', 'dic',
].join('|');
/** "2 December", "2. Dezember", "8 de diciembre", "1er janvier", "2 Dec 2026". */
const DAY_MONTH = new RegExp(`(?<![\\p{L}\\p{N}])\\d{1,2}(?:\\.|er|º|ª)?\\s*(?:de\\s+|of\\s+)?(?:${MONTHS})(?![\\p{L}])\\.?(?:,?\\s*\\d{4})?`, 'gu');
/** "December 2", "Dec 2, 2026". */
const MONTH_DAY = new RegExp(`(?<![\\p{L}\\p{N}])(?:${MONTHS})\\.?\\s*\\d{1,2}(?![\\p{N}])(?:st|nd|rd|th)?(?:,?\\s*\\d{4})?`, 'gu');

export function parseSurveyAnswer(text: string, type: SurveyType): SurveyReading {
  const scale = SURVEY_SCALES[type];
  const onScale = `a whole number from ${scale.min} to ${scale.max}`;
  const review = (reason: string): SurveyReading => ({ kind: 'review', reason });
  const automatic = automaticReply(replyText(text));
  if (automatic) return { kind: 'automatic', reason: `an automatic reply ("${automatic}"), not the customer's answer` };
  const starred = starsAsWords(replyText(text).normalize('NFKC').toLowerCase().replace(/[’‘`´]/g, "'"));
  if (starred === null) return review('a single star is not read as a score');
  const body = ` ${withoutNonScores(starred)} `;

  const decimal = /\d+\s?[.,]\d+/.exec(body);
  if (decimal) return review(`"${decimal[0]}" is not ${onScale}`);
  const half = /\b(?:\d+|[a-z]+)\s+and\s+a\s+half\b/.exec(body);
  if (half) return review(`"${half[0]}" is not ${onScale}`);
  const percent = /\b\d{1,2}\s?%/.exec(body);
  if (percent) return review(`"${percent[0]}" is a percentage, not ${onScale}`);
  const range = new RegExp(`\\bbetween\\s+${NUM}\\s+and\\s+${NUM}|(?<!\\d)(\\d{1,2})\\s*(?:-|–|—|to|or)\\s*(\\d{1,2})(?!\\d)`, 'u').exec(body);
  if (range) return review(`"${range[0].trim()}" is not one score`);
  // "-2"; "Great service - 10" is a dash.
  const negative = /(^|\s)[-−]\d+/.exec(body);
  if (negative) return review(`"${negative[0].trim()}" is not ${onScale}`);

  const found: Candidate[] = [];
  for (const m of body.matchAll(CANDIDATE)) {
    const [whole, fa, fb, starred, digits, word] = m;
    const start = m.index!;
    const end = start + whole.length;
    if (fa !== undefined) {
      // "9/10", "9 out of 10", "nine out of ten": N is the answer when M is the scale's maximum.
      if (numberValue(fb!) !== scale.max) return review(`"${whole.replace(/\s+/g, ' ')}" is not on the ${scale.label} scale (${scale.min} to ${scale.max})`);
      found.push({ value: numberValue(fa), text: `${fa}/${fb}`, ...standing(body, start, end, true) });
    } else if (starred !== undefined) {
      // "5 stars": a five-point rating.
      if (scale.max !== 5) return review(`"${whole.replace(/\s+/g, ' ')}" is not on the ${scale.label} scale (${scale.min} to ${scale.max})`);
      found.push({ value: numberValue(starred), text: whole.replace(/\s+/g, ' '), ...standing(body, start, end, true) });
    } else if (digits !== undefined) {
      // Three or more digits are never a score on these scales (rule 2).
      if (digits.length <= 2) found.push({ value: Number(digits), text: digits, ...standing(body, start, end, false) });
    } else if (word !== undefined) {
      if (WORDS[word]! >= 100) continue;
      if (ONE_WORDS.has(word) && !oneIsAScore(body, start, word)) continue;
      found.push({ value: WORDS[word]!, text: word, ...standing(body, start, end, false) });
    }
  }
  const words = scaleWords(starred, type);
  found.push(...words.answers);
  if (found.length === 0) {
    if (words.mentioned.length > 0) {
      return review(`"${words.mentioned[0]}" is not one of the answers the ${scale.label} survey names (${SCALE_WORDS[type].points})`);
    }
    return { kind: 'none' };
  }
  const values = [...new Set(found.map((f) => f.value))];
  if (values.length > 1) return review(`more than one number (${found.map((f) => f.text).join(', ')})`);
  const doubtful = found.find((f) => f.doubt);
  if (doubtful) return review(`"${doubtful.phrase}" is ${doubtful.doubt}, not a plain score`);
  if (!found.some((f) => f.answer)) return review(`"${found[0]!.phrase}" does not read as an answer to the survey`);
  const score = values[0]!;
  if (score < scale.min || score > scale.max) {
    return review(`${score} is outside the ${scale.label} scale (${scale.min} to ${scale.max})`);
  }
  return { kind: 'score', score };
}

/** Words of thanks and praise that go with an answer and ask for nothing. */
const COURTESY = new Set(
  (
    "thanks thank you thx ty cheers much many lot a an again so very really great good excellent perfect awesome amazing fantastic " +
    "brilliant wonderful nice fine ok okay all sorted solved fixed resolved quick quickly fast friendly helpful kind clear answers " +
    "answer service support team agent agents help the it i i'd id i'm im give gave say rate would recommend for your was is " +
    "everything super love well done first time following up from me overall happy satisfied solid easy sure yes job work and guys " +
    "keep have day best wishes thumbs to of out stars star my our we us were are be extremely likely strongly agree absolutely " +
    "definitely certainly totally pleased appreciated appreciate cool top experience " +
    "merci beaucoup très tres bien bon bonne parfait génial rapide efficace je donne vous c'est pour tout la le les de du sur et journée " +
    "danke vielen dank sehr gut perfekt toll schnell freundlich hilfreich ich gebe eine ein von und alles bestens für die der das ihre hilfe " +
    "gracias muchas muy bueno buen excelente perfecto genial rápido rapido amable servicio todo doy un una sobre y por el su ayuda"
  ).split(' '),
);

/**
 * Whether a reply asks for nothing beyond its answer: besides the score (digits, words, stars,
 * the scale's named answers) it holds only thanks and praise ("9 - quick and friendly",
 * "Nine, thanks!", "Very satisfied"). A question, a request or news ("8, but when will the
 * fix ship") asks for more. An automatic reply asks for nothing.
 */
export function asksNothingMore(text: string, type: SurveyType): boolean {
  const body = replyText(text).normalize('NFKC').toLowerCase().replace(/[’‘`´]/g, "'");
  if (automaticReply(body)) return true;
  if (body.includes('?')) return false;
  let rest = (starsAsWords(body) ?? '').replace(CANDIDATE, ' ');
  const named = Object.keys(SCALE_WORDS[type].named).sort((a, b) => b.length - a.length);
  for (const words of named) rest = rest.replaceAll(words, ' ');
  return (rest.match(/[\p{L}']+/gu) ?? []).every((w) => COURTESY.has(w));
}

// ---------------------------------------------------------------------------------------------
// Answers in a thread

export interface ThreadComment {
  authorId: number;
  public: boolean;
  body: string;
  createdAt: string;
}

/** Whether a comment reads like a survey on this scale: it names both ends ("0 to 10"). */
function namesScale(body: string, type: SurveyType): boolean {
  const { min, max } = SURVEY_SCALES[type];
  return new RegExp(`\\b${min}\\b[^\\n]{0,40}\\b${max}\\b`).test(body);
}

/**
 * The customer's answer to a survey sent at `sentAt` (the send-time tag, to the minute, on the
 * sender's clock). The survey comment is the public agent comment within ten minutes of that
 * time (clocks disagree), the last such one naming the scale's ends, else the last one; the
 * answer is in the requester's public comments after it. Automatic replies (out of office)
 * are passed over; when there is nothing else the reading is `automatic`. Every other reply
 * that holds a number counts: the same score twice is that score, two different scores or an
 * unclear one are for a person. `replies` are all the customer wrote since (but automatic
 * replies). Null when the requester has not written since the survey.
 */
export function findAnswer(
  comments: readonly ThreadComment[],
  requesterId: number,
  sentAt: Date,
  type: SurveyType,
): { reading: SurveyReading; comment: ThreadComment; replies: ThreadComment[] } | null {
  const slackMs = 10 * 60_000;
  const at = (c: ThreadComment) => Date.parse(c.createdAt);
  const sorted = [...comments].sort((a, b) => at(a) - at(b));
  const near = sorted.filter((c) => c.public && c.authorId !== requesterId && Math.abs(at(c) - sentAt.getTime()) <= slackMs);
  const survey = near.filter((c) => namesScale(c.body, type)).at(-1) ?? near.at(-1);
  const replies = survey
    ? sorted.slice(sorted.indexOf(survey) + 1).filter((c) => c.public && c.authorId === requesterId)
    : sorted.filter((c) => c.public && c.authorId === requesterId && at(c) >= sentAt.getTime());
  if (replies.length === 0) return null;
  const all = replies.map((c) => ({ c, reading: parseSurveyAnswer(c.body, type) }));
  const written = all.filter((r) => r.reading.kind !== 'automatic');
  if (written.length === 0) return { reading: all[0]!.reading, comment: all[0]!.c, replies };
  const read = written.filter((r) => r.reading.kind !== 'none');
  if (read.length === 0) return { reading: { kind: 'none' }, comment: written[0]!.c, replies: written.map((r) => r.c) };
  // Every reply the customer wrote goes with the answer: "Who do I ask about my invoice?" before "9" too.
  const wrote = written.map((r) => r.c);
  const unclear = read.find((r) => r.reading.kind === 'review');
  if (unclear) return { reading: unclear.reading, comment: unclear.c, replies: wrote };
  const scores = read.map((r) => (r.reading as { score: number }).score);
  if (new Set(scores).size > 1) {
    return { reading: { kind: 'review', reason: `the customer gave more than one score (${scores.join(', then ')})` }, comment: read[0]!.c, replies: wrote };
  }
  return { reading: read[0]!.reading, comment: read[0]!.c, replies: wrote };
}

/** The answer quoted for an internal note: first lines, at most `max` characters. */
export function quoteAnswer(body: string, max = 600): string {
  const text = replyText(body).trim();
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
  /** Replies read as a score (the sample size of the score). */
  scored: number;
  /** Customers who replied: with a score, or flagged for a person. */
  responses: number;
  /** responses / sent, in % (one decimal). */
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
    const review = list.filter((r) => r.review && r.score === null).length;
    const f: SurveyFigures = {
      type,
      key,
      sent: list.length,
      scored: n,
      responses: n + review,
      response_rate: list.length ? round1((100 * (n + review)) / list.length) : null,
      review,
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
