/**
 * The shapes the KPI math works on. Pure data: what the services read from the desk (or the
 * cache) is reduced to these few fields before any metric sees it. Times are unix seconds.
 * docs/kpi.md has every metric's definition.
 */
export const METRIC_IDS = [
  'aht',
  'fcr',
  'csat',
  'nps',
  'ces',
  'churn_rate',
  'first_reply_time',
  'resolution_time',
  'complaints',
  'backlog',
  'sla_breach_rate',
  'reopen_rate',
  'created',
  'solved',
] as const;

export type MetricId = (typeof METRIC_IDS)[number];

/** A half-open interval [from, to) in unix seconds. */
export interface Window {
  from: number;
  to: number;
}

/** A satisfaction rating as the metrics need it: good or bad, and when it was given. */
export interface KpiRating {
  score: 'good' | 'bad';
  at: number;
}

/** The few fields of one ticket the metrics read: what the cache keeps per ticket. */
export interface KpiTicket {
  id: number;
  createdAt: number;
  updatedAt: number;
  status: string;
  priority: string | null;
  channel: string;
  assigneeId: number | null;
  groupId: number | null;
  tags: readonly string[];
  /** Seconds from the Time Tracking "Total time spent (sec)" field; null when absent or 0. */
  handleSeconds: number | null;
  /** Subject or description matched a complaint keyword (decided when the ticket was read). */
  complaintText: boolean;
  /** The ticket's satisfaction rating, joined from the ratings read for the run. */
  rating?: KpiRating | null;
}

export interface MinutesPair {
  calendar: number | null;
  business: number | null;
}

/** The part of Zendesk's ticket_metric (the sideloaded metric_set) the metrics read. */
export interface KpiMetricSet {
  /** Latest solve; null while the ticket is unsolved. */
  solvedAt: number | null;
  /** Public agent replies. */
  replies: number;
  reopens: number;
  /** reply_time_in_minutes: created to first public agent reply. */
  firstReplyMinutes: MinutesPair;
  /** full_resolution_time_in_minutes: created to latest solve. */
  resolutionMinutes: MinutesPair;
}

/** A customer for churn: an organization, or a row of a --customers CSV. */
export interface KpiCustomer {
  id: string;
  name: string;
  /** Since when the customer is active; null = always. */
  activeFrom: number | null;
  churnedAt: number | null;
  /** How churnedAt was found: a date field, or only a `churned` tag dated by the last update. */
  churnSource?: 'date' | 'tag';
}

export interface Percentiles {
  median: number;
  p90: number;
}

export type MetricValue = number | Percentiles | null;

export interface MetricResult {
  value: MetricValue;
  unit: string;
  /** Sample size: the tickets, ratings, answers or customers the value is computed over. */
  n: number;
  /** Why the value is null, or what it leaves out. */
  note?: string;
  /** Backlog only: tickets by age at the period's end. */
  buckets?: Record<string, number>;
}

/** One metric in a report: its result, plus the previous period's value and the change. */
export interface MetricEntry extends MetricResult {
  previous?: MetricValue;
  /** value - previous (medians for percentiles); null when either is null. */
  change?: number | null;
}

export type GroupDimension = 'agent' | 'group' | 'channel' | 'priority' | 'tag';
export const GROUP_DIMENSIONS: readonly GroupDimension[] = ['agent', 'group', 'channel', 'priority', 'tag'];

export interface KpiGroupReport {
  /** The grouping key (an id, a channel, a tag), or "all" without --by. */
  key: string;
  name: string;
  metrics: Partial<Record<MetricId, MetricEntry>>;
}

export interface KpiReport {
  window: Window;
  previous?: Window;
  by: GroupDimension | null;
  groups: KpiGroupReport[];
}

/** How the metrics read the data; defaults in rules.ts. */
export interface KpiRules {
  /** Use business minutes (reply, resolution, SLA) instead of calendar minutes. */
  businessHours: boolean;
  /** Tags that make a ticket a complaint. */
  complaintTags: readonly string[];
  /** First reply SLA target by priority, in minutes. */
  slaTargetMinutes: Readonly<Record<string, number>>;
  /** The time-tracking field was found on the desk (else aht is null with a note saying so). */
  handleTimeField: { id: number; title: string } | null;
  /** Now, unix seconds: the end of "still waiting" for unanswered tickets. */
  now: number;
}
