/**
 * Streams tickets through the metric accumulators: one set per group (--by) and per window
 * (the period and, with --compare, the previous one), or one set per trend bucket. Feed every
 * ticket with its metric set once, in any order, then finish. Pure.
 */
import { createAccumulator, type MetricAccumulator, type TicketMetricId } from './accumulators.js';
import { METRICS } from './catalog.js';
import { ChurnAccumulator } from './churn.js';
import type { Bucket } from './period.js';
import type {
  GroupDimension,
  KpiCustomer,
  KpiGroupReport,
  KpiMetricSet,
  KpiReport,
  KpiRules,
  KpiTicket,
  MetricEntry,
  MetricId,
  MetricResult,
  MetricValue,
  Window,
} from './types.js';

export interface GroupNames {
  agents?: ReadonlyMap<number, string>;
  groups?: ReadonlyMap<number, string>;
}

export interface KpiComputationOptions {
  metrics: readonly MetricId[];
  window: Window;
  /** The window to compare with (--compare previous). */
  previous?: Window;
  by: GroupDimension | null;
  rules: KpiRules;
  /** Where customers come from, for the churn note when there are none. */
  customerSource?: string;
}

interface WindowSet {
  accumulators: Array<[TicketMetricId, MetricAccumulator]>;
}

interface GroupState {
  key: string;
  current: WindowSet;
  previous?: WindowSet;
}

const NONE = 'none';
/** --by priority lists the most urgent first. */
const PRIORITY_ORDER = ['urgent', 'high', 'normal', 'low'];

/** The keys a ticket is counted under for a dimension (a ticket counts under each of its tags). */
export function groupKeys(t: KpiTicket, by: GroupDimension | null): readonly string[] {
  switch (by) {
    case null:
      return ['all'];
    case 'agent':
      return [t.assigneeId === null ? NONE : String(t.assigneeId)];
    case 'group':
      return [t.groupId === null ? NONE : String(t.groupId)];
    case 'channel':
      return [t.channel || NONE];
    case 'priority':
      return [t.priority ?? NONE];
    case 'tag':
      return t.tags.length > 0 ? t.tags : [NONE];
  }
}

function groupName(key: string, by: GroupDimension | null, names: GroupNames): string {
  if (by === null) return 'all';
  if (key === NONE) {
    return { agent: '(unassigned)', group: '(no group)', channel: '(unknown)', priority: '(no priority)', tag: '(no tags)' }[by];
  }
  if (by === 'agent') return names.agents?.get(Number(key)) ?? `agent ${key}`;
  if (by === 'group') return names.groups?.get(Number(key)) ?? `group ${key}`;
  return key;
}

const ticketMetrics = (ids: readonly MetricId[]) => ids.filter((id): id is TicketMetricId => id !== 'churn_rate');

/** The difference that --compare shows: medians for percentiles; null when either side is null. */
export function changeOf(value: MetricValue, previous: MetricValue | undefined): number | null {
  const scalar = (v: MetricValue | undefined) => (v === null || v === undefined ? null : typeof v === 'number' ? v : v.median);
  const a = scalar(value);
  const b = scalar(previous);
  if (a === null || b === null) return null;
  return Math.round((a - b) * 100) / 100;
}

export class KpiComputation {
  readonly #o: KpiComputationOptions;
  readonly #ticketIds: TicketMetricId[];
  readonly #groups = new Map<string, GroupState>();
  readonly #churn: { current: ChurnAccumulator; previous?: ChurnAccumulator } | null;
  #tickets = 0;

  constructor(options: KpiComputationOptions) {
    this.#o = options;
    this.#ticketIds = ticketMetrics(options.metrics);
    this.#churn = options.metrics.includes('churn_rate') && options.by === null
      ? {
          current: new ChurnAccumulator(options.window, options.customerSource),
          previous: options.previous ? new ChurnAccumulator(options.previous, options.customerSource) : undefined,
        }
      : null;
  }

  /** Tickets fed so far. */
  get tickets(): number {
    return this.#tickets;
  }

  /** Whether customers are needed at all (churn_rate asked for, without --by). */
  get wantsCustomers(): boolean {
    return this.#churn !== null;
  }

  add(ticket: KpiTicket, metrics: KpiMetricSet | null): void {
    this.#tickets++;
    if (this.#ticketIds.length === 0) return;
    for (const key of groupKeys(ticket, this.#o.by)) {
      const g = this.#group(key);
      for (const [, acc] of g.current.accumulators) acc.add(ticket, metrics);
      if (g.previous) for (const [, acc] of g.previous.accumulators) acc.add(ticket, metrics);
    }
  }

  addCustomer(customer: KpiCustomer): void {
    if (!this.#churn) return;
    this.#churn.current.add(customer);
    this.#churn.previous?.add(customer);
  }

  finish(names: GroupNames = {}): KpiReport {
    const { by, previous } = this.#o;
    if (by === null) this.#group('all');
    const groups: KpiGroupReport[] = [];
    for (const g of this.#groups.values()) {
      const metrics: Partial<Record<MetricId, MetricEntry>> = {};
      const prev = new Map(g.previous?.accumulators.map(([id, acc]) => [id, acc.finish()]));
      const cur = new Map(g.current.accumulators.map(([id, acc]) => [id, acc.finish()]));
      for (const id of this.#o.metrics) {
        let entry: MetricResult;
        let before: MetricResult | undefined;
        if (id === 'churn_rate') {
          if (this.#churn) {
            entry = this.#churn.current.finish();
            before = this.#churn.previous?.finish();
          } else {
            entry = { value: null, unit: METRICS.churn_rate.unit, n: 0, note: `churn is per customer and not split by ${by}; run without --by` };
            if (previous) before = { ...entry };
          }
        } else {
          entry = cur.get(id)!;
          before = prev.get(id);
        }
        metrics[id] = before === undefined ? { ...entry } : withPrevious(entry, before.value);
      }
      if (by !== null && !hasData(metrics)) continue;
      groups.push({ key: g.key, name: groupName(g.key, by, names), metrics });
    }
    const rank = (key: string) => (by === 'priority' ? PRIORITY_ORDER.indexOf(key) : 0);
    groups.sort((a, b) => Number(a.key === NONE) - Number(b.key === NONE) || rank(a.key) - rank(b.key) || a.name.localeCompare(b.name));
    return { window: this.#o.window, ...(previous ? { previous } : {}), by, groups };
  }

  #group(key: string): GroupState {
    let g = this.#groups.get(key);
    if (!g) {
      const set = (w: Window): WindowSet => ({
        accumulators: this.#ticketIds.map((id) => [id, createAccumulator(id, w, this.#o.rules)] as [TicketMetricId, MetricAccumulator]),
      });
      g = { key, current: set(this.#o.window), previous: this.#o.previous ? set(this.#o.previous) : undefined };
      this.#groups.set(key, g);
    }
    return g;
  }
}

function withPrevious(entry: MetricResult, previous: MetricValue): MetricEntry {
  const { note, buckets, ...rest } = entry;
  const out: MetricEntry = { ...rest, previous, change: changeOf(entry.value, previous) };
  if (buckets) out.buckets = buckets;
  if (note) out.note = note;
  return out;
}

/** A group with no ticket in any metric of either window is left out of --by reports. */
function hasData(metrics: Partial<Record<MetricId, MetricEntry>>): boolean {
  return Object.entries(metrics).some(([id, e]) => id !== 'churn_rate' && e !== undefined && (e.n > 0 || (e.previous !== null && e.previous !== undefined && e.previous !== 0)));
}

export interface TrendPoint {
  period: string;
  from: number;
  to: number;
  value: MetricValue;
  n: number;
  note?: string;
}

/** One metric over calendar buckets: feed tickets (and customers for churn), then finish. */
export class KpiTrend {
  readonly #ticket: MetricAccumulator[] | null;
  readonly #churn: ChurnAccumulator[] | null;

  constructor(
    readonly metric: MetricId,
    readonly buckets: readonly Bucket[],
    rules: KpiRules,
    customerSource?: string,
  ) {
    if (metric === 'churn_rate') {
      this.#ticket = null;
      this.#churn = buckets.map((b) => new ChurnAccumulator(b, customerSource));
    } else {
      this.#ticket = buckets.map((b) => createAccumulator(metric, b, rules));
      this.#churn = null;
    }
  }

  get wantsCustomers(): boolean {
    return this.#churn !== null;
  }

  add(ticket: KpiTicket, metrics: KpiMetricSet | null): void {
    if (this.#ticket) for (const acc of this.#ticket) acc.add(ticket, metrics);
  }

  addCustomer(customer: KpiCustomer): void {
    if (this.#churn) for (const acc of this.#churn) acc.add(customer);
  }

  finish(): TrendPoint[] {
    const results = (this.#ticket ?? this.#churn!).map((acc) => acc.finish());
    return this.buckets.map((b, i) => {
      const r = results[i]!;
      const point: TrendPoint = { period: b.label, from: b.from, to: b.to, value: r.value, n: r.n };
      if (r.note) point.note = r.note;
      return point;
    });
  }
}
