/**
 * The rules that turn desk records into KPI inputs: which tickets are complaints, where handle
 * time is, survey answers in tags, SLA targets, and the reduction of a ticket plus its
 * metric_set to the few fields the cache keeps (toKpiTicket, toKpiMetricSet). Pure.
 */
import type { Ticket, TicketMetric } from '../model.js';
import { ConfigError } from '../errors.js';
import type { KpiMetricSet, KpiTicket, MinutesPair } from './types.js';

export const COMPLAINT_TAGS_SETTING = 'kpi.complaint_tags';
export const COMPLAINT_KEYWORDS_SETTING = 'kpi.complaint_keywords';
export const DEFAULT_COMPLAINT_TAGS: readonly string[] = ['complaint'];
export const DEFAULT_COMPLAINT_KEYWORDS: readonly string[] = ['complaint', 'unacceptable', 'third time'];

/** First reply targets by priority (calendar hours), as the embedded desk's SLA policy sets them. */
export const SLA_TARGET_HOURS: Readonly<Record<string, number>> = { urgent: 1, high: 4, normal: 8, low: 24 };
export const SLA_TARGET_MINUTES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(SLA_TARGET_HOURS).map(([p, h]) => [p, h * 60]),
);
export const SLA_TARGETS_SETTING = 'kpi.sla_targets';

/**
 * The first reply targets in minutes: the defaults, overridden per priority by the setting
 * kpi.sla_targets, e.g. { "urgent": 0.5, "normal": 24 } (hours; a priority set to null has no
 * target). Anything else is a ConfigError naming the key.
 */
export function parseSlaTargets(value: unknown): Record<string, number> {
  const out: Record<string, number> = { ...SLA_TARGET_MINUTES };
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`setting ${SLA_TARGETS_SETTING} must be an object of hours per priority, e.g. {"urgent": 1, "high": 4}, got ${JSON.stringify(value)}`);
  }
  for (const [priority, hours] of Object.entries(value as Record<string, unknown>)) {
    if (!(priority in SLA_TARGET_HOURS)) {
      throw new ConfigError(`setting ${SLA_TARGETS_SETTING}.${priority}: unknown priority; use ${Object.keys(SLA_TARGET_HOURS).join(', ')}`);
    }
    if (hours === null) {
      delete out[priority];
      continue;
    }
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > 24 * 365) {
      throw new ConfigError(`setting ${SLA_TARGETS_SETTING}.${priority} must be hours (a number above 0), got ${JSON.stringify(hours)}`);
    }
    out[priority] = Math.round(hours * 60);
  }
  return out;
}

/** How tickets are read into the cache; a change means the cache is read again. */
export interface IngestRules {
  /** The Time Tracking total field's id, or null when the desk has none. */
  handleTimeFieldId: number | null;
  complaintKeywords: readonly string[];
}

/** A stable text for IngestRules, kept with the cache to notice a change. */
export function ingestFingerprint(rules: IngestRules): string {
  return JSON.stringify({ f: rules.handleTimeFieldId, k: [...rules.complaintKeywords].map((k) => k.toLowerCase()).sort() });
}

/** A list setting: an array of strings or one comma-separated string. */
export function parseListSetting(value: unknown, key: string, fallback: readonly string[]): string[] {
  if (value === undefined || value === null) return [...fallback];
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
    throw new ConfigError(`setting ${key} must be a list of words (or one comma-separated string), got ${JSON.stringify(value)}`);
  }
  return [...new Set(list.map((v) => v.trim().toLowerCase()).filter(Boolean))];
}

/** A setting holding a ticket field id, or undefined when unset. */
export function parseFieldIdSetting(value: unknown, key: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError(`setting ${key} must be a ticket field id (a positive whole number), got ${JSON.stringify(value)}`);
  }
  return n;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A matcher for complaint keywords: case-insensitive, each keyword starting at a word boundary
 * ("complaint" matches "Complaints", not "noncomplaint"); spaces in a keyword match any run of
 * whitespace.
 */
export function complaintMatcher(keywords: readonly string[]): (text: string) => boolean {
  const parts = keywords.map((k) => k.trim()).filter(Boolean).map((k) => k.split(/\s+/).map(escapeRegExp).join('\\s+'));
  if (parts.length === 0) return () => false;
  const re = new RegExp(`(?:^|[^\\p{L}\\p{N}_])(?:${parts.join('|')})`, 'iu');
  return (text) => re.test(text);
}

export function isComplaint(ticket: Pick<KpiTicket, 'tags' | 'complaintText'>, complaintTags: readonly string[]): boolean {
  if (ticket.complaintText) return true;
  for (const t of ticket.tags) if (complaintTags.includes(t)) return true;
  return false;
}

/** Unix seconds of an ISO timestamp, or null. */
export function unixOf(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

function fieldSeconds(ticket: Pick<Ticket, 'custom_fields'>, id: number | null): number | null {
  if (id === null) return null;
  const field = ticket.custom_fields?.find((f) => f.id === id);
  if (!field || field.value === null || field.value === '' || typeof field.value === 'boolean') return null;
  const n = Number(field.value);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : null;
}

/** A ticket from the desk reduced to what the metrics read. */
export function toKpiTicket(ticket: Ticket, rules: IngestRules, matches = complaintMatcher(rules.complaintKeywords)): KpiTicket {
  return {
    id: ticket.id,
    createdAt: unixOf(ticket.created_at) ?? 0,
    updatedAt: unixOf(ticket.updated_at) ?? unixOf(ticket.created_at) ?? 0,
    status: ticket.status,
    priority: ticket.priority ?? null,
    channel: typeof ticket.via?.channel === 'string' ? ticket.via.channel : 'unknown',
    assigneeId: ticket.assignee_id ?? null,
    groupId: ticket.group_id ?? null,
    tags: [...new Set((ticket.tags ?? []).map((t) => t.toLowerCase()))].sort(),
    handleSeconds: fieldSeconds(ticket, rules.handleTimeFieldId),
    complaintText: matches(`${ticket.subject ?? ''}\n${ticket.description ?? ''}`),
  };
}

const pairOf = (p: Partial<MinutesPair> | null | undefined): MinutesPair => ({
  calendar: typeof p?.calendar === 'number' ? p.calendar : null,
  business: typeof p?.business === 'number' ? p.business : null,
});

/** A metric_set reduced to what the metrics read. */
export function toKpiMetricSet(metric: TicketMetric): KpiMetricSet {
  return {
    solvedAt: unixOf(metric.solved_at),
    replies: metric.replies ?? 0,
    reopens: metric.reopens ?? 0,
    firstReplyMinutes: pairOf(metric.reply_time_in_minutes),
    resolutionMinutes: pairOf(metric.full_resolution_time_in_minutes),
  };
}

/** A survey answer in a tag such as csat_4, nps_9 or ces_2. */
export interface SurveyTagKind {
  prefix: 'csat' | 'nps' | 'ces';
  min: number;
  max: number;
}

export const SURVEY_TAGS: Readonly<Record<SurveyTagKind['prefix'], SurveyTagKind>> = {
  csat: { prefix: 'csat', min: 1, max: 5 },
  nps: { prefix: 'nps', min: 0, max: 10 },
  ces: { prefix: 'ces', min: 1, max: 7 },
};

/**
 * The answer a ticket's tags hold for one survey: a number, null when there is none, or
 * 'conflict' when the tags disagree (csat_2 and csat_5 on one ticket).
 */
export function surveyAnswer(tags: readonly string[], kind: SurveyTagKind): number | null | 'conflict' {
  let found: number | null = null;
  const prefix = `${kind.prefix}_`;
  for (const tag of tags) {
    if (!tag.startsWith(prefix)) continue;
    const rest = tag.slice(prefix.length);
    if (!/^\d{1,2}$/.test(rest)) continue;
    const n = Number(rest);
    if (n < kind.min || n > kind.max) continue;
    if (found !== null && found !== n) return 'conflict';
    found = n;
  }
  return found;
}
