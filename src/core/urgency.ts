/**
 * Urgency: how soon a ticket needs an agent, as a score with the reasons behind it. Pure: the
 * queue service gathers the facts (SLA targets, VIP organizations, the latest customer message,
 * reopens) and this module turns them into points.
 *
 * The score is a sum of points. Each signal and its default weight:
 *
 *   SLA breached          slaBreached (40) + slaOverduePerHour (2) per hour past the breach,
 *                         at most slaOverdueMax (20) extra. The earliest active target counts.
 *   SLA due soon          up to slaDueSoon (25), scaled from 0 at slaSoonMinutes (120) before
 *                         the breach to the full weight at the breach.
 *   priority              priority.urgent 30, .high 15, .normal 5, .low 0, .none 3
 *   customer waiting      waitPerHour (1) per hour since the customer's last message while the
 *                         ticket is new or open, at most waitMax (24). Without the message
 *                         time: the requester's last update (metrics) or the ticket's update.
 *   complaint             complaint (12): tag `complaint`, or "complain..." in the text
 *   survey detractor      detractor (15): tag `survey_detractor` (set by `survey collect` on a
 *                         CSAT 1-2, NPS 0-6 or CES 1-3 answer, with a follow-up note)
 *   anger                 angerPerSignal (5) per signal in the latest customer message (or the
 *                         description and subject), at most angerMax (20). Signals: asking
 *                         again ("third time", "still nothing", "nobody answered"), "cancel",
 *                         "refund"/"money back", "unacceptable"/"ridiculous"/..., a word in
 *                         capitals (5+ letters), "!!" or three "!".
 *   VIP organization      vip (20)
 *   reopens               reopenEach (6) per reopen (ticket metrics), at most reopenMax (18)
 *   transferred           transferred (4): tag `transferred` or more than one group station
 *   channel               channel.phone 8, .chat 6, .web 2, .email 0, .api 0 (any channel name)
 *
 * The config overrides any of these (settings key `urgency.weights` in config.json: a JSON
 * object with the names above, nested for priority and channel; see the README's "Urgency").
 * Unknown names and values that are not numbers from 0 to 1000 are a ConfigError naming the
 * key.
 *
 * Speed: ranking 10,000 tickets takes some 30-60 ms (bench/queue.js). Every pattern is
 * compiled once here, one pattern pass reads a ticket's text (at most MAX_TEXT characters),
 * and sorting compares precomputed numbers.
 */
import { ConfigError } from './errors.js';
import type { SlaPolicyMetric, Ticket, TicketPriority } from './model.js';

export interface UrgencyWeights {
  slaBreached: number;
  slaOverduePerHour: number;
  slaOverdueMax: number;
  slaDueSoon: number;
  slaSoonMinutes: number;
  priority: Record<TicketPriority | 'none', number>;
  waitPerHour: number;
  waitMax: number;
  complaint: number;
  detractor: number;
  angerPerSignal: number;
  angerMax: number;
  vip: number;
  reopenEach: number;
  reopenMax: number;
  transferred: number;
  channel: Record<string, number>;
}

export const DEFAULT_URGENCY_WEIGHTS: Readonly<UrgencyWeights> = Object.freeze({
  slaBreached: 40,
  slaOverduePerHour: 2,
  slaOverdueMax: 20,
  slaDueSoon: 25,
  slaSoonMinutes: 120,
  priority: Object.freeze({ urgent: 30, high: 15, normal: 5, low: 0, none: 3 }),
  waitPerHour: 1,
  waitMax: 24,
  complaint: 12,
  detractor: 15,
  angerPerSignal: 5,
  angerMax: 20,
  vip: 20,
  reopenEach: 6,
  reopenMax: 18,
  transferred: 4,
  channel: Object.freeze({ phone: 8, chat: 6, web: 2, email: 0, api: 0 }),
}) as Readonly<UrgencyWeights>;

/** The config key urgency weights are read from. */
export const URGENCY_WEIGHTS_SETTING = 'urgency.weights';

export type UrgencyReasonCode =
  | 'sla_breached'
  | 'sla_due_soon'
  | 'priority'
  | 'waiting'
  | 'complaint'
  | 'detractor'
  | 'anger'
  | 'vip'
  | 'reopened'
  | 'transferred'
  | 'channel';

export interface UrgencyReason {
  code: UrgencyReasonCode;
  label: string;
  points: number;
}

/** The SLA target that decides the countdown: the earliest active breach. */
export interface SlaState {
  metric: SlaPolicyMetric['metric'];
  breachAt: string;
  /** Milliseconds until the breach; negative once breached. */
  msLeft: number;
}

export interface UrgencyResult {
  score: number;
  /** Highest points first. */
  reasons: UrgencyReason[];
  sla: SlaState | null;
}

export interface CustomerMessage {
  /** ISO time of the customer's latest public message. */
  at: string;
  body: string;
}

export interface UrgencyContext {
  now: Date | number;
  /** Resolved weights (parseUrgencyWeights); the defaults when left out. */
  weights?: UrgencyWeights;
  /** The ticket's organization is flagged VIP. */
  vip?: boolean;
  /** The requester's latest public comment, when the caller fetched the thread. */
  latestCustomerMessage?: CustomerMessage | null;
  /** Reopen count; else ticket.metric_set.reopens; else 0. */
  reopens?: number;
  /**
   * The signals of the ticket's own subject and description (ticketTextSignals), read earlier
   * for this version of it (the replica keeps them): used instead of reading the text again
   * when no later customer message is known.
   */
  textSignals?: TextSignals;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Text beyond this many characters is not scanned for anger signals. */
/** The characters of a ticket's text (subject, newline, message) its signals are read from. */
export const MAX_TEXT = 4_000;

// --- signals in customer text (compiled once) ------------------------------------------------
//
// One pass of one precompiled pattern finds every keyword signal (each alternative is a
// capture group), then capitals and exclamation marks: no per-ticket pattern, no copy of the
// text. About 2 µs per ticket description.

const KEYWORDS = new RegExp(
  [
    // 1: asking again
    String.raw`(\b(?:second|2nd|third|3rd|fourth|4th|fifth|5th|umpteenth)\s+time\b|\bstill\s+(?:nothing|waiting|no\s+(?:answer|reply|response))\b|\b(?:nobody|no\s+one)\s+(?:has\s+|ever\s+|is\s+|'s\s+)?(?:answer|repl|read|respond|got\s+back))`,
    // 2: cancel
    String.raw`(\bcancel)`,
    // 3: refund
    String.raw`(\brefund|\bmoney\s+back\b|\bchargeback|\bdisput(?:e|ing)\b)`,
    // 4: unacceptable
    String.raw`(\b(?:unacceptable|ridiculous|outrageous|disgrace(?:ful)?|appalling|furious|pathetic|worst|terrible|scam)\b)`,
    // 5: complaint wording
    String.raw`(\bcomplain(?:t|ts|ing|ed)?\b)`,
  ].join('|'),
  'gi',
);
const KEYWORD_SIGNALS = ['asking again', 'cancel', 'refund', 'unacceptable'] as const;
const SHOUTING = /\b[A-Z]{5,}\b/;

function countExclamations(text: string): number {
  let n = 0;
  for (let i = text.indexOf('!'); i !== -1 && n < 3; i = text.indexOf('!', i + 1)) n += 1;
  return n;
}

/** What a customer's text says: anger signals (in a fixed order) and complaint wording. */
export interface TextSignals {
  anger: readonly string[];
  complaint: boolean;
}

/**
 * Names the patterns above: a store that keeps TextSignals (the replica) reads them again when
 * this changes, so a new or changed signal reaches tickets read before it.
 */
export const TEXT_SIGNALS_VERSION = versionOf([KEYWORDS.source, KEYWORD_SIGNALS.join(','), SHOUTING.source, String(MAX_TEXT), '!!|3']);

function versionOf(parts: readonly string[]): string {
  let h = 5381;
  for (const c of parts.join('\u0000')) h = (Math.imul(h, 33) ^ c.charCodeAt(0)) >>> 0;
  return h.toString(36);
}

function readText(text: string): TextSignals {
  const hit = [false, false, false, false, false];
  let left = hit.length;
  KEYWORDS.lastIndex = 0;
  for (let m = KEYWORDS.exec(text); m !== null && left > 0; m = KEYWORDS.exec(text)) {
    for (let g = 1; g <= hit.length; g++) {
      if (m[g] !== undefined) {
        if (!hit[g - 1]) left -= 1;
        hit[g - 1] = true;
        break;
      }
    }
  }
  const anger: string[] = [];
  KEYWORD_SIGNALS.forEach((name, i) => {
    if (hit[i]) anger.push(name);
  });
  if (SHOUTING.test(text)) anger.push('capitals');
  if (text.includes('!!') || countExclamations(text) >= 3) anger.push('!!!');
  return { anger, complaint: hit[4]! };
}

/** The anger signals found in a customer's text, in a fixed order. */
export function angerSignals(text: string): string[] {
  return [...readText(clip(text)).anger];
}

/** The signals of a ticket's subject and description, as urgencyScore reads them without a later message. */
export function ticketTextSignals(ticket: Pick<Ticket, 'subject' | 'description'>): TextSignals {
  return readText(clip(`${ticket.subject ?? ''}\n${ticket.description ?? ''}`));
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

// --- SLA -------------------------------------------------------------------------------------

/** An active SLA target's breach: its metric, and when (as given and in ms). */
type Breach = { metric: SlaPolicyMetric['metric']; breachAt: string; at: number };

/** The earliest active SLA target of a ticket (from `include=slas`), or null. */
function earliestBreach(ticket: Pick<Ticket, 'slas'>): Breach | null {
  const metrics = ticket.slas?.policy_metrics;
  if (!metrics || metrics.length === 0) return null;
  let best: Breach | null = null;
  for (const m of metrics) {
    if (m.stage !== 'active' || !m.breach_at) continue;
    const at = Date.parse(m.breach_at);
    if (Number.isNaN(at) || (best !== null && at >= best.at)) continue;
    best = { metric: m.metric, breachAt: m.breach_at, at };
  }
  return best;
}

/** The earliest active SLA breach of a ticket (from `include=slas`), or null. */
export function slaState(ticket: Pick<Ticket, 'slas'>, now: Date | number): SlaState | null {
  const best = earliestBreach(ticket);
  if (!best) return null;
  const nowMs = typeof now === 'number' ? now : now.getTime();
  return { metric: best.metric, breachAt: best.breachAt, msLeft: best.at - nowMs };
}

/** The SLA a ticket view shows: the countdown of slaState and the target it counts down from. */
export interface SlaSummary extends SlaState {
  /** The policy's target for the metric, in minutes (null when the desk did not say). */
  targetMinutes: number | null;
}

/** slaState with the target of the metric it picked, or null when no target is running. */
export function slaSummary(ticket: Pick<Ticket, 'slas'>, now: Date | number): SlaSummary | null {
  const state = slaState(ticket, now);
  if (!state) return null;
  const policy = ticket.slas?.policy_metrics.find((m) => m.stage === 'active' && m.metric === state.metric && m.breach_at === state.breachAt);
  return { ...state, targetMinutes: policy ? slaTargetMinutes(policy) : null };
}

/** A policy metric's target in minutes: Zendesk gives it in minutes, hours or days. */
export function slaTargetMinutes(m: Pick<SlaPolicyMetric, 'minutes' | 'hours' | 'days'>): number | null {
  let total: number | null = null;
  for (const [value, unit] of [[m.minutes, 1], [m.hours, 60], [m.days, 1440]] as const) {
    if (typeof value === 'number' && Number.isFinite(value)) total = (total ?? 0) + value * unit;
  }
  return total;
}

function metricLabel(metric: string): string {
  return metric.replace(/_/g, ' ');
}

function hoursText(ms: number): string {
  const a = Math.abs(ms);
  if (a < HOUR) return `${Math.max(1, Math.floor(a / MINUTE))}m`;
  if (a < 48 * HOUR) return `${Math.floor(a / HOUR)}h`;
  return `${Math.floor(a / (24 * HOUR))}d`;
}

// --- the score -------------------------------------------------------------------------------

const WAITING_STATUSES = new Set(['new', 'open']);

/**
 * The urgency of one ticket: points per signal, highest first. Reasons with no points are
 * left out; the score is their sum.
 */
export function urgencyScore(ticket: Ticket, context: UrgencyContext): UrgencyResult {
  const reasons: UrgencyReason[] = [];
  const { score, sla } = scoreTicket(ticket, context, reasons);
  reasons.sort((a, b) => b.points - a.points);
  return { score, reasons, sla };
}

// The points of each signal before rounding: the one place each is decided, read by
// scoreTicket (the score and its reasons) and estimateUrgency (the score from the features a
// store keeps). A change to what urgencyFeatures reads from a ticket (these helpers,
// waitingSince, isTransferred, earliestBreach, WAITING_STATUSES) must bump
// URGENCY_FEATURES_VERSION: kept features of the old form would rank the view wrongly.

function slaRaw(w: UrgencyWeights, msLeft: number): number {
  if (msLeft <= 0) return w.slaBreached + Math.min(w.slaOverdueMax, (-msLeft / HOUR) * w.slaOverduePerHour);
  if (w.slaSoonMinutes > 0 && msLeft <= w.slaSoonMinutes * MINUTE) return w.slaDueSoon > 0 ? Math.max(1, w.slaDueSoon * (1 - msLeft / (w.slaSoonMinutes * MINUTE))) : 0;
  return 0;
}
const priorityRaw = (w: UrgencyWeights, priority: string | null | undefined): number => w.priority[(priority ?? 'none') as TicketPriority | 'none'] ?? 0;
const waitRaw = (w: UrgencyWeights, waitedMs: number): number => Math.min(w.waitMax, (waitedMs / HOUR) * w.waitPerHour);
const angerRaw = (w: UrgencyWeights, signals: number): number => Math.min(w.angerMax, signals * w.angerPerSignal);
const reopenRaw = (w: UrgencyWeights, reopens: number): number => Math.min(w.reopenMax, reopens * w.reopenEach);
const channelRaw = (w: UrgencyWeights, channel: string): number => (channel && Object.hasOwn(w.channel, channel) ? w.channel[channel]! : 0);
/** A signal's points as they count: rounded, and nothing below one. */
const points = (raw: number): number => {
  const p = Math.round(raw);
  return p > 0 ? p : 0;
};
/** When the customer has waited since: their latest message, else the requester's last update, else the ticket's. */
function waitingSince(ticket: Ticket, latest: CustomerMessage | null | undefined): number {
  if (!WAITING_STATUSES.has(ticket.status)) return NaN;
  const since = latest?.at ?? ticket.metric_set?.requester_updated_at ?? ticket.updated_at;
  return since ? Date.parse(since) : NaN;
}
const isTransferred = (ticket: Ticket, tags: readonly string[]) => tags.includes('transferred') || (ticket.metric_set?.group_stations ?? 0) > 1;

/**
 * The points of each signal, summed; with `reasons`, each signal's reason is added to it.
 * Ranking thousands of tickets leaves `reasons` out (no labels to write), and the rows shown
 * are scored again with them (rankByUrgency).
 */
function scoreTicket(ticket: Ticket, context: UrgencyContext, reasons: UrgencyReason[] | null): { score: number; sla: SlaState | null } {
  const w = context.weights ?? DEFAULT_URGENCY_WEIGHTS;
  const nowMs = typeof context.now === 'number' ? context.now : context.now.getTime();
  let total = 0;
  /** The signal's points added to the total; a reason is wanted when it says so. */
  const take = (raw: number): number => {
    const p = points(raw);
    total += p;
    return reasons !== null ? p : 0;
  };
  let p: number;

  // SLA
  const sla = slaState(ticket, nowMs);
  if (sla && (p = take(slaRaw(w, sla.msLeft)))) {
    const label = sla.msLeft <= 0 ? `SLA breached ${hoursText(sla.msLeft)} ago` : `SLA due in ${hoursText(sla.msLeft)}`;
    reasons!.push({ code: sla.msLeft <= 0 ? 'sla_breached' : 'sla_due_soon', label: `${label} (${metricLabel(sla.metric)})`, points: p });
  }

  // priority
  if ((p = take(priorityRaw(w, ticket.priority)))) reasons!.push({ code: 'priority', label: ticket.priority ? `${ticket.priority} priority` : 'no priority set', points: p });

  // customer waiting
  const since = waitingSince(ticket, context.latestCustomerMessage);
  if (!Number.isNaN(since) && nowMs > since) {
    const waited = nowMs - since;
    if ((p = take(waitRaw(w, waited)))) reasons!.push({ code: 'waiting', label: `customer waiting ${hoursText(waited)}`, points: p });
  }

  // complaint and anger, in the latest customer message (else the description) and subject
  const latest = context.latestCustomerMessage?.body;
  const facts =
    latest === undefined ? (context.textSignals ?? ticketTextSignals(ticket)) : readText(clip(`${ticket.subject ?? ''}\n${latest}`));
  const tags = ticket.tags ?? [];
  if (tags.includes('complaint') || facts.complaint) {
    if ((p = take(w.complaint))) reasons!.push({ code: 'complaint', label: 'complaint', points: p });
  }
  if (tags.includes('survey_detractor')) {
    if ((p = take(w.detractor))) reasons!.push({ code: 'detractor', label: `survey detractor${detractorScore(tags)}`, points: p });
  }
  if (facts.anger.length > 0) {
    if ((p = take(angerRaw(w, facts.anger.length)))) reasons!.push({ code: 'anger', label: `angry customer: ${facts.anger.join(', ')}`, points: p });
  }

  if (context.vip && (p = take(w.vip))) reasons!.push({ code: 'vip', label: 'VIP organization', points: p });

  const reopens = context.reopens ?? ticket.metric_set?.reopens ?? 0;
  if (reopens > 0 && (p = take(reopenRaw(w, reopens)))) reasons!.push({ code: 'reopened', label: `reopened ${reopens}×`, points: p });

  if (isTransferred(ticket, tags)) {
    if ((p = take(w.transferred))) reasons!.push({ code: 'transferred', label: 'transferred between teams', points: p });
  }

  const channel = String(ticket.via?.channel ?? '');
  if ((p = take(channelRaw(w, channel)))) reasons!.push({ code: 'channel', label: `via ${channel}`, points: p });

  return { score: total, sla };
}

// --- features: the score of a stored ticket without reading it ------------------------------

/**
 * What the score of one version of a ticket depends on, apart from the time, the weights and
 * whether its organization is VIP: kept by a store (the replica) beside the ticket so that a
 * queue of thousands reads a few numbers per ticket, and reads and scores (scoreTicket) only
 * those that can reach its top. As an array, for a compact store:
 * [id, organization_id, priority, flags (1 complaint, 2 detractor, 4 transferred), anger
 * signals, reopens, channel, earliest breach ms, waiting since ms].
 */
/** Names the form of UrgencyFeatures: a store keeping them reads them again when it changes. */
export const URGENCY_FEATURES_VERSION = '1';

export type UrgencyFeatures = [
  id: number,
  organizationId: number | null,
  priority: string | null,
  flags: number,
  anger: number,
  reopens: number,
  channel: string,
  breachMs: number | null,
  sinceMs: number | null,
];

/**
 * The features of a ticket as it is (with its SLA targets and metric set), scored as
 * rankByUrgency scores it when no thread was read: `signals` are its text signals
 * (ticketTextSignals, or those kept for this version).
 */
export function urgencyFeatures(ticket: Ticket, signals: TextSignals = ticketTextSignals(ticket)): UrgencyFeatures {
  const tags = ticket.tags ?? [];
  const flags = (tags.includes('complaint') || signals.complaint ? 1 : 0) | (tags.includes('survey_detractor') ? 2 : 0) | (isTransferred(ticket, tags) ? 4 : 0);
  const since = waitingSince(ticket, undefined);
  return [
    ticket.id,
    ticket.organization_id ?? null,
    ticket.priority ?? null,
    flags,
    signals.anger.length,
    ticket.metric_set?.reopens ?? 0,
    String(ticket.via?.channel ?? ''),
    earliestBreach(ticket)?.at ?? null,
    Number.isNaN(since) ? null : since,
  ];
}

/**
 * The score scoreTicket gives the ticket the features were read from, at `nowMs`, when no
 * thread of it was read: the same points, from the same rules (a test holds the two equal).
 */
export function estimateUrgency(f: UrgencyFeatures, nowMs: number, weights: UrgencyWeights, vip: boolean): number {
  const [, , priority, flags, anger, reopens, channel, breachMs, sinceMs] = f;
  let total = 0;
  if (breachMs !== null) total += points(slaRaw(weights, breachMs - nowMs));
  total += points(priorityRaw(weights, priority));
  if (sinceMs !== null && nowMs > sinceMs) total += points(waitRaw(weights, nowMs - sinceMs));
  if (flags & 1) total += points(weights.complaint);
  if (flags & 2) total += points(weights.detractor);
  if (anger > 0) total += points(angerRaw(weights, anger));
  if (vip) total += points(weights.vip);
  if (reopens > 0) total += points(reopenRaw(weights, reopens));
  if (flags & 4) total += points(weights.transferred);
  total += points(channelRaw(weights, channel));
  return total;
}

// --- ranking ---------------------------------------------------------------------------------

export interface Ranked<T> {
  item: T;
  /** The score with its reasons (written when first read: ranking itself reads the points alone). */
  readonly urgency: UrgencyResult;
}

/** A ranked item whose reasons are written when first asked for, in the context it was ranked in. */
class RankedItem<T> implements Ranked<T> {
  #urgency: UrgencyResult | undefined;
  constructor(
    readonly item: T,
    readonly ticket: Ticket,
    readonly context: UrgencyContext,
    readonly points: number,
    readonly sla: SlaState | null,
    readonly createdMs: number,
  ) {}
  get urgency(): UrgencyResult {
    return (this.#urgency ??= urgencyScore(this.ticket, this.context));
  }
}

/**
 * Scores every item once and sorts: highest score first, then the earliest SLA breach, then
 * the oldest ticket, then the lowest id (a stable, total order). The reasons of an item are
 * written only when its `urgency` is read (the rows shown), from the same context.
 */
export function rankByUrgency<T>(
  items: readonly T[],
  ticketOf: (item: T) => Ticket,
  contextOf: (item: T) => UrgencyContext,
  /** An item ranked earlier in the same context (it is not scored again). */
  known?: (item: T) => Ranked<T> | undefined,
): Array<Ranked<T>> {
  const n = items.length;
  const ranked: Array<RankedItem<T>> = new Array(n);
  const score = new Float64Array(n);
  const sla = new Float64Array(n);
  const created = new Float64Array(n);
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    const ticket = ticketOf(item);
    const before = known?.(item);
    let r: RankedItem<T>;
    if (before instanceof RankedItem) r = before as RankedItem<T>;
    else {
      const context = contextOf(item);
      const s = scoreTicket(ticket, context, null);
      const c = Date.parse(ticket.created_at);
      r = new RankedItem(item, ticket, context, s.score, s.sla, Number.isNaN(c) ? Infinity : c);
    }
    ranked[i] = r;
    score[i] = r.points;
    sla[i] = r.sla ? r.sla.msLeft : Infinity;
    created[i] = r.createdMs;
    ids[i] = ticket.id;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => score[b]! - score[a]! || sla[a]! - sla[b]! || created[a]! - created[b]! || ids[a]! - ids[b]!);
  return order.map((i) => ranked[i]!);
}

/** " (NPS 3)" from the score tags a survey answer left, or "". */
function detractorScore(tags: readonly string[]): string {
  const m = tags.map((t) => /^(csat|nps|ces)_(\d{1,2})$/.exec(t)).find(Boolean);
  return m ? ` (${m[1]!.toUpperCase()} ${m[2]})` : '';
}

// --- weights from config ---------------------------------------------------------------------

const MAX_WEIGHT = 1000;
const SCALAR_KEYS = [
  'slaBreached',
  'slaOverduePerHour',
  'slaOverdueMax',
  'slaDueSoon',
  'slaSoonMinutes',
  'waitPerHour',
  'waitMax',
  'complaint',
  'detractor',
  'angerPerSignal',
  'angerMax',
  'vip',
  'reopenEach',
  'reopenMax',
  'transferred',
] as const;
const PRIORITY_KEYS = ['urgent', 'high', 'normal', 'low', 'none'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The weights of a profile: the defaults overridden by the config value (any subset of
 * UrgencyWeights). Throws ConfigError naming the offending key.
 */
export function parseUrgencyWeights(raw: unknown, key: string = URGENCY_WEIGHTS_SETTING): UrgencyWeights {
  const weights: UrgencyWeights = {
    ...DEFAULT_URGENCY_WEIGHTS,
    priority: { ...DEFAULT_URGENCY_WEIGHTS.priority },
    channel: { ...DEFAULT_URGENCY_WEIGHTS.channel },
  };
  if (raw === undefined || raw === null) return weights;
  const hint = `fix or remove "${key}" in the settings of config.json; see "Urgency" in the README`;
  const bad = (path: string, problem: string) => new ConfigError(`setting ${path} ${problem}`, { hint });
  const number = (path: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_WEIGHT) {
      throw bad(path, `must be a number from 0 to ${MAX_WEIGHT}, got ${JSON.stringify(v) ?? String(v)}`);
    }
    return v;
  };
  if (!isObject(raw)) throw bad(key, `must be an object of weights, got ${JSON.stringify(raw)}`);
  for (const [name, value] of Object.entries(raw)) {
    const path = `${key}.${name}`;
    if ((SCALAR_KEYS as readonly string[]).includes(name)) {
      weights[name as (typeof SCALAR_KEYS)[number]] = number(path, value);
    } else if (name === 'priority') {
      if (!isObject(value)) throw bad(path, 'must be an object, e.g. {"urgent": 30, "high": 15}');
      for (const [p, v] of Object.entries(value)) {
        if (!(PRIORITY_KEYS as readonly string[]).includes(p)) {
          throw bad(`${path}.${p}`, `is not a priority; use ${PRIORITY_KEYS.join(', ')}`);
        }
        weights.priority[p as (typeof PRIORITY_KEYS)[number]] = number(`${path}.${p}`, v);
      }
    } else if (name === 'channel') {
      if (!isObject(value)) throw bad(path, 'must be an object, e.g. {"phone": 8, "chat": 6}');
      for (const [c, v] of Object.entries(value)) weights.channel[c] = number(`${path}.${c}`, v);
    } else {
      throw bad(path, `is not a known weight; use ${[...SCALAR_KEYS, 'priority', 'channel'].join(', ')}`);
    }
  }
  return weights;
}
