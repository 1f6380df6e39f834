/**
 * Which reply templates fit a ticket, ranked, each with the reasons. Pure: the ticket, its
 * thread and the template list in; names, scores and reasons out. The CLI's `reply suggest`
 * and the triage screen's reply picker both call suggestTemplates.
 *
 * The rules follow the complaint-handling sequence support leads teach: acknowledge and
 * validate feelings (empathy) when the customer is upset, apologise sincerely (for a delay,
 * a billing error, a repeat contact), take ownership, resolve, then follow up (a check-in after
 * solving, reminders while pending, a survey once it is done).
 */
import type { Comment, Ticket, TicketMetric } from './model.js';
import type { TemplateCategory } from './templates.js';

export interface SuggestCandidate {
  name: string;
  category: TemplateCategory;
}

export interface SuggestContext {
  now: Date;
  /** The templates that can be suggested (any locale; names are deduplicated). */
  templates: readonly SuggestCandidate[];
  /** Ids of the desk's agents. When given, a public comment by anyone else is the customer's; else only the requester's. */
  agentIds?: ReadonlySet<number>;
  /** The ticket's metrics: more than one group station means it was transferred. */
  metrics?: TicketMetric | null;
  /** Hours a customer may wait for an answer before a delay apology is suggested (default 24). */
  delayHours?: number;
  /** At most this many suggestions (default 5). */
  limit?: number;
}

export interface TemplateSuggestion {
  name: string;
  category: TemplateCategory;
  score: number;
  reasons: string[];
}

/** What the latest customer message says about their mood and their problem. */
export interface CustomerSignals {
  repeatContact?: string;
  cancel?: string;
  refund?: string;
  billing?: string;
  strongWords: string[];
  shouting: boolean;
  exclamations: boolean;
  waiting?: string;
  thanks?: string;
}

/** Names of the shipped templates the rules aim at; a library without one falls back to its category. */
export const SUGGEST_TARGETS = {
  validateFrustration: { name: 'empathy-validate-frustration', category: 'empathy' },
  cancelRequest: { name: 'empathy-cancel-request', category: 'empathy' },
  apologyOurFault: { name: 'apology-our-fault', category: 'apology' },
  apologyNotOurFault: { name: 'apology-not-our-fault', category: 'apology' },
  apologyDelay: { name: 'apology-delay', category: 'apology' },
  apologyBilling: { name: 'apology-billing-error', category: 'apology' },
  apologyRepeat: { name: 'apology-repeat-contact', category: 'apology' },
  ownership: { name: 'ownership-taking-over', category: 'ownership' },
  escalation: { name: 'escalation-notice', category: 'escalation' },
  transferFollowUp: { name: 'followup-after-transfer', category: 'follow-up' },
  resolution: { name: 'resolution-confirmation', category: 'resolution' },
  reminder1: { name: 'followup-pending-reminder-1', category: 'follow-up' },
  reminder2: { name: 'followup-pending-reminder-2', category: 'follow-up' },
  closingNoAnswer: { name: 'followup-closing-no-answer', category: 'follow-up' },
  checkIn: { name: 'followup-check-in', category: 'follow-up' },
  csat: { name: 'survey-csat', category: 'survey' },
  ces: { name: 'survey-ces', category: 'survey' },
  nps: { name: 'survey-nps', category: 'survey' },
} as const satisfies Record<string, SuggestCandidate>;

/** Tags the shipped templates add when sent; the rules read them to pick the next step. */
export const REPLY_TAGS = {
  reminder1: 'pending_reminder_1',
  reminder2: 'pending_reminder_2',
  closedNoAnswer: 'closed_no_response',
  csat: 'survey_csat_sent',
  ces: 'survey_ces_sent',
  nps: 'survey_nps_sent',
  checkIn: 'checked_in',
  transferFollowedUp: 'transfer_followed_up',
} as const;

const REPEAT = /\b(third|3rd|fourth|4th|fifth|5th|second|2nd) time\b|\bagain and again\b|\bkeep (writing|asking|calling|emailing)\b|\bnobody (has )?(answered|helped|replied|responded|reads?)\b|\bno one (has )?(answered|helped|replied|responded)\b|\bhow many times\b|\bhave to repeat\b|\bthree times\b|\bwrit(ing|ten) (to you )?again\b/i;
const CANCEL = /\b(i('ll| will| want to| would like to| am going to|'m going to| wish to)|please|going to) cancel\b|\bcancel (my|our|the|this) (account|subscription|plan|membership|contract|order|renewal)\b|\bcancellation\b|\bclose my account\b|\bswitch(ing)? to (another|a competitor)\b/i;
const REFUND = /\brefund(s|ed)?\b|\bmoney back\b|\bchargeback\b|\bdisput(e|ing) the charge\b/i;
const BILLING = /\bcharged?\b|\bcharges\b|\binvoice\b|\bbilling\b|\bbilled\b|\bpayment\b|\bovercharg|\bdouble[- ]charg|\btwice\b/i;
const STRONG = /\b(unacceptable|ridiculous|disgrace(ful)?|outrageous|appalling|terrible|awful|worst|furious|fed up|useless|pathetic|joke|scam|incompetent|not how you treat)\b/gi;
const WAITING = /\b(been )?waiting (for )?(\d+|several|many|a few) (days|weeks|hours)\b|\bstill waiting\b|\bstill (nothing|no answer|no reply|no news)\b|\bno (answer|reply|response) (yet|for)\b|\bhaven'?t heard\b|\bnobody (has )?(answered|replied)\b|\bany (update|news)\b|\bchecking in\b/i;
const THANKS = /\b(that worked|it works( now)?|works now|all good( now)?|sorted|solved|fixed( now)?|received it|got it|did the trick)\b|\bthank(s| you)\b.*\b(worked|sorted|fixed|received)\b/i;

/**
 * Reads the mood and topic of customer text. Each found signal is the phrase that shows it,
 * in its sentence (cut to about 60 characters), for the reasons shown to the agent.
 */
export function readCustomerSignals(text: string): CustomerSignals {
  const signals: CustomerSignals = { strongWords: [], shouting: false, exclamations: false };
  const find = (re: RegExp) => {
    const m = re.exec(text);
    return m ? phraseAround(text, m.index, m[0].length) : undefined;
  };
  signals.repeatContact = find(REPEAT);
  signals.cancel = find(CANCEL);
  signals.refund = find(REFUND);
  signals.billing = find(BILLING);
  signals.strongWords = [...new Set([...text.matchAll(STRONG)].map((m) => m[0].toLowerCase()))];
  // Shouting: a word of 5+ capitals, or two words of 3+ (a lone "VAT" or "SMS" is not shouting).
  const capsWords = text.match(/\b[A-Z]{3,}\b/g) ?? [];
  signals.shouting = capsWords.some((w) => w.length >= 5 && !ACRONYMS.has(w)) || capsWords.filter((w) => !ACRONYMS.has(w)).length >= 2;
  signals.exclamations = /!{2,}/.test(text) || (text.match(/!/g) ?? []).length >= 3;
  signals.waiting = find(WAITING);
  signals.thanks = find(THANKS);
  for (const key of ['repeatContact', 'cancel', 'refund', 'billing', 'waiting', 'thanks'] as const) {
    if (signals[key] === undefined) delete signals[key];
  }
  return signals;
}

/** The sentence around a match, cut to about 60 characters around it. */
export function phraseAround(text: string, index: number, length: number, max = 60): string {
  const before = text.slice(0, index);
  const start = Math.max(before.search(/[^.!?\n]*$/), 0);
  const rest = text.slice(index + length);
  const endRel = rest.search(/[.!?\n]/);
  const end = index + length + (endRel === -1 ? rest.length : endRel);
  let phrase = text.slice(start, end).replace(/\s+/g, ' ').trim();
  if (phrase.length > max) {
    const at = Math.max(0, index - start - Math.floor((max - length) / 2));
    phrase = `${at > 0 ? '…' : ''}${phrase.slice(at, at + max).trim()}${at + max < phrase.length ? '…' : ''}`;
  }
  return phrase;
}

const ACRONYMS = new Set(['VAT', 'SMS', 'PDF', 'API', 'URL', 'USB', 'GDPR', 'IBAN', 'HTTP', 'HTTPS', 'FAQ', 'ETA', 'CEO', 'USA', 'EUR', 'USD', 'GBP', 'VIP', 'SSO', 'CSV', 'OTP']);

/** A customer message is angry enough for empathy first when it has any of these. */
export function angerLevel(s: CustomerSignals): number {
  return (s.repeatContact ? 1 : 0) + (s.strongWords.length > 0 ? 1 : 0) + (s.shouting ? 1 : 0) + (s.exclamations ? 1 : 0) + (s.cancel ? 1 : 0);
}

function isCustomerComment(c: Comment, ticket: Ticket, agentIds?: ReadonlySet<number>): boolean {
  if (!c.public) return false;
  if (agentIds) return !agentIds.has(c.author_id);
  return c.author_id === ticket.requester_id;
}

function ageText(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 48) return `${Math.max(1, Math.round(h))}h`;
  return `${Math.round(h / 24)}d`;
}

function quote(s: string): string {
  return `"${s.replace(/\s+/g, ' ').trim()}"`;
}

/**
 * Ranks templates for a ticket. Signals come from the latest public customer message (and the
 * subject while the customer has written only once) and from the ticket: how long the customer
 * has waited, a transfer (tag `transferred` or more than one group), solved (check-in, survey),
 * pending (reminder 1, then 2, then a closing note). Closed tickets get nothing: they take no
 * replies. Highest score first; ties by name.
 */
export function suggestTemplates(ticket: Ticket, comments: readonly Comment[], context: SuggestContext): TemplateSuggestion[] {
  if (ticket.status === 'closed') return [];
  const byName = new Map<string, SuggestCandidate>();
  for (const t of context.templates) if (!byName.has(t.name)) byName.set(t.name, t);
  const scores = new Map<string, { score: number; reasons: string[] }>();

  const add = (target: SuggestCandidate, weight: number, reason: string) => {
    const hits = byName.has(target.name)
      ? [{ name: target.name, weight }]
      : [...byName.values()].filter((t) => t.category === target.category).map((t) => ({ name: t.name, weight: weight / 2 }));
    for (const hit of hits) {
      const entry = scores.get(hit.name) ?? { score: 0, reasons: [] };
      entry.score += hit.weight;
      if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
      scores.set(hit.name, entry);
    }
  };

  const T = SUGGEST_TARGETS;
  const now = context.now.getTime();
  const sorted = [...comments].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  const customerComments = sorted.filter((c) => isCustomerComment(c, ticket, context.agentIds));
  const latestCustomer = customerComments.at(-1);
  const agentRepliesAfter = latestCustomer
    ? sorted.filter((c) => c.public && !isCustomerComment(c, ticket, context.agentIds) && Date.parse(c.created_at) > Date.parse(latestCustomer.created_at))
    : sorted.filter((c) => c.public && !isCustomerComment(c, ticket, context.agentIds));
  const tags = new Set(ticket.tags);
  const unsolved = ticket.status === 'new' || ticket.status === 'open' || ticket.status === 'hold';

  // The customer's latest words, everything they wrote since our last public reply (and the
  // subject while nobody has answered at all): mood and topic.
  const latestAgentReply = sorted.filter((c) => c.public && !isCustomerComment(c, ticket, context.agentIds)).at(-1);
  const unanswered = latestAgentReply
    ? customerComments.filter((c) => Date.parse(c.created_at) > Date.parse(latestAgentReply.created_at))
    : customerComments;
  if (latestCustomer && (unsolved || ticket.status === 'pending')) {
    const latest = unanswered.length > 0 ? unanswered : [latestCustomer];
    const text = [...(latestAgentReply ? [] : [ticket.subject]), ...latest.map((c) => c.body)].join('\n');
    const s = readCustomerSignals(text);
    const anger = angerLevel(s);
    if (s.repeatContact) {
      add(T.apologyRepeat, 6, `says it is a repeat contact: ${quote(s.repeatContact)}`);
      add(T.validateFrustration, 2, `says it is a repeat contact: ${quote(s.repeatContact)}`);
      add(T.ownership, 2, 'has had to come back: someone should own it now');
    }
    if (s.strongWords.length > 0) {
      const why = `strong words: ${s.strongWords.slice(0, 3).map(quote).join(', ')}`;
      add(T.validateFrustration, 4, why);
      add(T.apologyOurFault, 2, why);
      add(T.apologyNotOurFault, 1, why);
    }
    if (s.shouting) add(T.validateFrustration, 3, 'writes in capitals');
    if (s.exclamations) add(T.validateFrustration, 2, 'uses exclamation marks');
    if (s.cancel) {
      // Said in anger it is a threat to hear out, not a request to process.
      if (anger >= 2) add(T.validateFrustration, 3, `threatens to cancel: ${quote(s.cancel)}`);
      else {
        add(T.cancelRequest, 4, `wants to cancel: ${quote(s.cancel)}`);
        add(T.validateFrustration, 1, `wants to cancel: ${quote(s.cancel)}`);
      }
    }
    if (s.billing && (s.refund || /twice|double|overcharg|wrong/i.test(text))) {
      add(T.apologyBilling, 5, `billing problem: ${quote(s.refund ?? s.billing)}`);
    } else if (s.billing) add(T.apologyBilling, 2, `about billing: ${quote(s.billing)}`);
    if (s.refund) add(T.validateFrustration, 1, `asks for a refund: ${quote(s.refund)}`);
    if (s.waiting) add(T.apologyDelay, 3, `says they are waiting: ${quote(s.waiting)}`);
    if (anger >= 2 && (ticket.priority === 'high' || ticket.priority === 'urgent' || s.repeatContact)) {
      add(T.escalation, 2, `upset customer (${anger} signals) on a ${ticket.priority ?? 'normal'} priority ticket`);
    }
    if (s.thanks && anger === 0) add(T.resolution, 4, `customer says ${quote(s.thanks)}`);
  }

  // Waiting for us: the customer wrote last and nobody has answered for a long time.
  if (unsolved && latestCustomer && agentRepliesAfter.length === 0) {
    const waited = now - Date.parse(latestCustomer.created_at);
    const limit = (context.delayHours ?? 24) * 3_600_000;
    if (waited >= limit) {
      add(T.apologyDelay, 5 + Math.min(3, Math.floor(waited / limit) - 1), `customer has waited ${ageText(waited)} since their last message`);
    }
    if (unanswered.length >= 2) {
      const why = `${unanswered.length} customer messages in a row without an answer`;
      add(T.apologyDelay, 3, why);
      if (unanswered.length >= 3) add(T.apologyRepeat, 3, why);
    }
  }

  // Transferred: the customer should not have to repeat themselves.
  const transferred = tags.has('transferred') || (context.metrics?.group_stations ?? 0) > 1;
  if (transferred && (unsolved || ticket.status === 'pending') && !tags.has(REPLY_TAGS.transferFollowedUp)) {
    const why = tags.has('transferred') ? 'transferred (tag transferred)' : `moved between ${context.metrics!.group_stations} groups`;
    add(T.transferFollowUp, 4, why);
  }

  // No one has owned it yet.
  if (unsolved && ticket.assignee_id === null) add(T.ownership, 1, 'nobody is assigned yet');

  if (ticket.status === 'pending') {
    const since = latestAgentReplyAge(sorted, ticket, now, context.agentIds);
    const waiting = since === undefined ? '' : ` (last reply ${ageText(since)} ago)`;
    if (tags.has(REPLY_TAGS.reminder2)) add(T.closingNoAnswer, 5, `pending, two reminders sent already${waiting}`);
    else if (tags.has(REPLY_TAGS.reminder1)) add(T.reminder2, 5, `pending, one reminder sent${waiting}`);
    else add(T.reminder1, 5, `pending: waiting on the customer${waiting}`);
  }

  if (ticket.status === 'solved') {
    if (!tags.has(REPLY_TAGS.checkIn)) add(T.checkIn, 5, 'solved: check the fix held');
    const surveyed = tags.has(REPLY_TAGS.csat) || tags.has(REPLY_TAGS.ces) || tags.has(REPLY_TAGS.nps) || ticket.satisfaction_rating?.score === 'good' || ticket.satisfaction_rating?.score === 'bad';
    if (!surveyed) {
      add(T.csat, 3, 'solved: ask how satisfied they are (CSAT)');
      add(T.ces, transferred || (context.metrics?.reopens ?? 0) > 0 ? 3 : 2, transferred ? 'solved after a transfer: ask how easy it was (CES)' : 'solved: ask how easy it was (CES)');
      add(T.nps, 1, 'solved: ask if they would recommend us (NPS)');
    }
  }

  const ranked = [...scores.entries()]
    .map(([name, { score, reasons }]) => ({ name, category: byName.get(name)!.category, score: Math.round(score * 10) / 10, reasons }))
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  return ranked.slice(0, context.limit ?? 5);
}

function latestAgentReplyAge(sorted: Comment[], ticket: Ticket, now: number, agentIds?: ReadonlySet<number>): number | undefined {
  for (let i = sorted.length - 1; i >= 0; i--) {
    const c = sorted[i]!;
    if (c.public && !isCustomerComment(c, ticket, agentIds)) return now - Date.parse(c.created_at);
  }
  return undefined;
}
