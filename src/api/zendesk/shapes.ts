/**
 * Zendesk answers as its reference documents them and as real accounts send them, mapped onto
 * one model. Where the two differ, both are accepted:
 *   - a job status result: `success: false` with `error` and `details` (documented), or
 *     `status: "Failed"` with `errors` and no `success` (seen in answers); ids as numbers or
 *     digit strings; `details` as text or as an object of field errors;
 *   - a ticket metric set: durations in `*_in_minutes` ({calendar, business}) as documented,
 *     or only in `*_in_seconds`; counts as numbers or digit strings.
 */
import type { JobStatus, JobStatusResult, MinutesPair, TicketMetric } from '../types.js';
import { isBody, type Body } from './pagination.js';

function intOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** Text from a string, a list of strings or messages, or an object of field errors. */
function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const parts = value.map(textOf).filter((x): x is string => x !== undefined);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  if (isBody(value)) {
    const direct = textOf(value.description) ?? textOf(value.message) ?? textOf(value.title);
    if (direct) return direct;
    const parts = Object.entries(value).map(([key, v]) => {
      const t = textOf(v);
      return t ? `${key}: ${t}` : undefined;
    });
    const joined = parts.filter((x): x is string => x !== undefined).join('; ');
    return joined || undefined;
  }
  return String(value);
}

export function jobResultFrom(raw: unknown): JobStatusResult {
  const r: Body = isBody(raw) ? raw : {};
  const error = textOf(r.error) ?? textOf(r.errors);
  const details = textOf(r.details);
  const status = typeof r.status === 'string' ? r.status : undefined;
  const failed = r.success === false || error !== undefined || (status !== undefined && /fail|error/i.test(status));
  const out: JobStatusResult = { success: !failed };
  const id = intOf(r.id);
  const index = intOf(r.index);
  if (id !== undefined) out.id = id;
  if (index !== undefined) out.index = index;
  if (typeof r.action === 'string') out.action = r.action;
  if (status !== undefined) out.status = status;
  if (failed) out.error = error ?? status ?? 'failed';
  if (details !== undefined) out.details = details;
  return out;
}

export function jobStatusFrom(job: JobStatus): JobStatus {
  return Array.isArray(job.results) ? { ...job, results: job.results.map(jobResultFrom) } : { ...job, results: null };
}

const DURATIONS = [
  'reply_time',
  'first_resolution_time',
  'full_resolution_time',
  'agent_wait_time',
  'requester_wait_time',
  'on_hold_time',
] as const;

function pairFrom(minutes: unknown, seconds: unknown): MinutesPair {
  const m = isBody(minutes) ? minutes : undefined;
  const s = isBody(seconds) ? seconds : undefined;
  const pick = (key: 'calendar' | 'business'): number | null => {
    const fromMinutes = intOf(m?.[key]);
    if (fromMinutes !== undefined) return fromMinutes;
    const fromSeconds = intOf(s?.[key]);
    return fromSeconds !== undefined ? Math.round(fromSeconds / 60) : null;
  };
  return { calendar: pick('calendar'), business: pick('business') };
}

export function ticketMetricFrom(raw: TicketMetric): TicketMetric {
  if (!isBody(raw)) return raw;
  const r = raw as unknown as Body;
  const out = { ...raw } as TicketMetric & Record<string, unknown>;
  for (const name of DURATIONS) {
    out[`${name}_in_minutes`] = pairFrom(r[`${name}_in_minutes`], r[`${name}_in_seconds`]);
  }
  out.replies = intOf(r.replies) ?? 0;
  out.reopens = intOf(r.reopens) ?? 0;
  const ticketId = intOf(r.ticket_id);
  if (ticketId !== undefined) out.ticket_id = ticketId;
  return out;
}
