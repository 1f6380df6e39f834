/**
 * KPI reports and trends over a desk, shared by `deskops kpi`, `kpi trend` and the --watch
 * dashboard. A session resolves the rules once (the time-tracking field, complaint tags and
 * keywords), opens the KPI rows, and for each report: brings them up to date (and the stored
 * ratings and organizations when csat or churn need them; a --customers CSV is read each run),
 * and streams the reduced tickets, joined with their ratings, through the accumulators of
 * core/kpi. Memory stays flat in the number of tickets.
 *
 * Where the rows live: on a desk the ticket replica serves, in the replica's file, synced by
 * the replica's own sync (replica-store.ts; an old kpi-<profile>.sqlite is removed); on
 * Request Tracker, which has no replica, in cache.ts's own file as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { HelpDesk } from '../../api/helpdesk.js';
import { ApiError, NotFoundError, PermissionError } from '../../core/errors.js';
import { TOTAL_TIME_FIELD_SETTING, TOTAL_TIME_FIELD_TITLE } from '../../core/handle-time.js';
import { KpiComputation, KpiTrend, type GroupNames, type TrendPoint } from '../../core/kpi/compute.js';
import type { Bucket } from '../../core/kpi/period.js';
import {
  COMPLAINT_KEYWORDS_SETTING,
  COMPLAINT_TAGS_SETTING,
  DEFAULT_COMPLAINT_KEYWORDS,
  DEFAULT_COMPLAINT_TAGS,
  SLA_TARGETS_SETTING,
  parseSlaTargets,
  parseFieldIdSetting,
  parseListSetting,
  type IngestRules,
} from '../../core/kpi/rules.js';
import type { GroupDimension, KpiCustomer, KpiReport, KpiRules, MetricId, Window } from '../../core/kpi/types.js';
import { deskIdentity } from '../desk-identity.js';
import { databaseFiles } from '../../core/errors.js';
import { replicaPath } from '../replica/store.js';
import { KpiTicketCache, type CachedTicket, type SyncOptions, type SyncStats } from './cache.js';
import { ReplicaKpiStore } from './replica-store.js';
import { readCustomersCsv } from './customers.js';

export type CacheMode = 'use' | 'refresh' | 'off';

/** Raw setting values as the config store returns them; checked here. */
export interface KpiSettings {
  totalFieldId?: unknown;
  complaintTags?: unknown;
  complaintKeywords?: unknown;
  slaTargets?: unknown;
}

export interface KpiSessionOptions {
  desk: HelpDesk;
  /** $DESKOPS_HOME: the rows are in <home>/cache/replica-<profile>.sqlite (Request Tracker: kpi-<profile>.sqlite). */
  home: string;
  cache?: CacheMode;
  settings?: KpiSettings;
  businessHours?: boolean;
  /** A customers CSV for churn instead of the desk's organizations. */
  customersFile?: string;
  now: () => Date;
  /** Tickets read from the desk so far in this sync. */
  onProgress?: (tickets: number) => void;
  /** Things the user should know (the cache was rebuilt, ratings could not be read). */
  onNotice?: (message: string) => void;
  /** Tickets per incremental export page (default 1000, Zendesk's maximum). */
  exportPageSize?: number;
}

export interface ReportSpec {
  metrics: readonly MetricId[];
  window: Window;
  previous?: Window;
  by: GroupDimension | null;
}

export interface TrendSpec {
  metric: MetricId;
  buckets: readonly Bucket[];
}

export interface RunStats {
  sync: SyncStats;
  /** Cached tickets streamed through the accumulators. */
  streamed: number;
  /** Satisfaction ratings listed from the desk in this run. */
  ratings: number;
  customers: number;
}

export const kpiSettingKeys = {
  totalFieldId: TOTAL_TIME_FIELD_SETTING,
  complaintTags: COMPLAINT_TAGS_SETTING,
  complaintKeywords: COMPLAINT_KEYWORDS_SETTING,
  slaTargets: SLA_TARGETS_SETTING,
} as const;

/**
 * What a session reads the KPI rows from: the replica's file (ReplicaKpiStore), or on Request
 * Tracker the KPI cache's own (KpiTicketCache).
 */
export interface KpiRowStore {
  readonly path: string;
  readonly resetReason: string | undefined;
  count(): number;
  rows(range: Window): Generator<CachedTicket>;
  all(): Generator<CachedTicket>;
  sync(desk: HelpDesk, options: SyncOptions & { now: () => Date }): Promise<SyncStats>;
  syncRatings(desk: Pick<HelpDesk, 'listSatisfactionRatings'>): Promise<number>;
  organizations(desk: Pick<HelpDesk, 'listOrganizations'>, now: () => Date): AsyncGenerator<KpiCustomer>;
  close(): void;
}

/**
 * The KPI cache file of a profile: Request Tracker's (it has no replica); on other desks the
 * rows are in the replica's file and a file found here is an old cache, removed.
 */
export function kpiCachePath(home: string, profile: string): string {
  return join(home, 'cache', `kpi-${profile.replace(/[^A-Za-z0-9_.-]/g, '_')}.sqlite`);
}

export { deskIdentity };

export class KpiSession {
  readonly cache: KpiRowStore;
  readonly rules: Omit<KpiRules, 'now'>;
  readonly #o: KpiSessionOptions;
  readonly #tempDir: string | undefined;

  private constructor(o: KpiSessionOptions, cache: KpiRowStore, rules: Omit<KpiRules, 'now'>, tempDir: string | undefined) {
    this.#o = o;
    this.cache = cache;
    this.rules = rules;
    this.#tempDir = tempDir;
  }

  static async open(o: KpiSessionOptions): Promise<KpiSession> {
    const settings = o.settings ?? {};
    const complaintTags = parseListSetting(settings.complaintTags, COMPLAINT_TAGS_SETTING, DEFAULT_COMPLAINT_TAGS);
    const complaintKeywords = parseListSetting(settings.complaintKeywords, COMPLAINT_KEYWORDS_SETTING, DEFAULT_COMPLAINT_KEYWORDS);
    const slaTargetMinutes = parseSlaTargets(settings.slaTargets);
    const handleTimeField = await resolveHandleTimeField(o.desk, settings.totalFieldId);
    const ingest: IngestRules = { handleTimeFieldId: handleTimeField?.id ?? null, complaintKeywords };
    const mode = o.cache ?? 'use';
    // --no-cache still reads through a cache, a throwaway one: the incremental export can send
    // a ticket twice, and only an upsert counts it once without holding every id in memory.
    const tempDir = mode === 'off' ? mkdtempSync(join(tmpdir(), 'deskops-kpi-')) : undefined;
    const profile = o.desk.connection.profile;
    const identity = deskIdentity(o.desk.connection);
    let cache: KpiRowStore;
    try {
      if (o.desk.kind === 'rt') {
        const path = tempDir ? join(tempDir, 'kpi.sqlite') : kpiCachePath(o.home, profile);
        cache = KpiTicketCache.open({ path, identity, ingest, refresh: mode === 'refresh' });
      } else {
        // The KPI rows live in the replica's file now: an old cache of the profile is of no use.
        if (!tempDir) for (const file of databaseFiles(kpiCachePath(o.home, profile))) rmSync(file, { force: true });
        const path = tempDir ? join(tempDir, 'replica.sqlite') : replicaPath(o.home, profile);
        cache = ReplicaKpiStore.open({ path, identity, ingest, fresh: mode === 'refresh' });
      }
    } catch (err) {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
    if (cache.resetReason && mode === 'use') o.onNotice?.(`kpi rows rebuilt: ${cache.resetReason}`);
    return new KpiSession(o, cache, { businessHours: Boolean(o.businessHours), complaintTags, slaTargetMinutes, handleTimeField }, tempDir);
  }

  /** The KPI table for a period (and the previous one), overall or by group. */
  async report(spec: ReportSpec): Promise<{ report: KpiReport; stats: RunStats }> {
    const rules = this.#rules();
    const computation = new KpiComputation({
      metrics: spec.metrics,
      window: spec.window,
      previous: spec.previous,
      by: spec.by,
      rules,
      customerSource: this.#customerSource(),
    });
    const range = spec.previous ? { from: Math.min(spec.window.from, spec.previous.from), to: Math.max(spec.window.to, spec.previous.to) } : spec.window;
    const [stats, names] = await Promise.all([
      this.#stream(range, spec.metrics.includes('csat'), computation),
      this.#names(spec.by),
    ]);
    return { report: computation.finish(names), stats };
  }

  /** One metric per calendar bucket. */
  async trend(spec: TrendSpec): Promise<{ points: TrendPoint[]; stats: RunStats }> {
    const trend = new KpiTrend(spec.metric, spec.buckets, this.#rules(), this.#customerSource());
    const first = spec.buckets[0];
    const last = spec.buckets[spec.buckets.length - 1];
    const range = first && last ? { from: first.from, to: last.to } : { from: 0, to: 0 };
    const stats = await this.#stream(range, spec.metric === 'csat', trend);
    return { points: trend.finish(), stats };
  }

  close(): void {
    this.cache.close();
    if (this.#tempDir) rmSync(this.#tempDir, { recursive: true, force: true });
  }

  #rules(): KpiRules {
    return { ...this.rules, now: Math.floor(this.#o.now().getTime() / 1000) };
  }

  #customerSource(): string {
    return this.#o.customersFile ? basename(this.#o.customersFile) : 'organizations';
  }

  async #stream(
    range: Window,
    wantsRatings: boolean,
    sink: Pick<KpiComputation, 'add' | 'addCustomer' | 'wantsCustomers'>,
  ): Promise<RunStats> {
    const [sync, ratings] = await Promise.all([
      this.cache.sync(this.#o.desk, { onProgress: this.#o.onProgress, onNotice: this.#o.onNotice, now: this.#o.now, pageSize: this.#o.exportPageSize }),
      wantsRatings ? this.#syncRatings() : Promise.resolve(0),
    ]);
    let streamed = 0;
    for (const { ticket, metrics } of this.cache.rows(range)) {
      sink.add(ticket, metrics);
      streamed++;
    }
    let customers = 0;
    if (sink.wantsCustomers) {
      const source: AsyncIterable<KpiCustomer> | Iterable<KpiCustomer> = this.#o.customersFile
        ? await readCustomersCsv(this.#o.customersFile)
        : this.cache.organizations(this.#o.desk, this.#o.now);
      for await (const c of source) {
        sink.addCustomer(c);
        customers++;
      }
    }
    return { sync, streamed, ratings, customers };
  }

  /** Brings the cached ratings up to date; a desk without the ratings API leaves csat to tags. */
  async #syncRatings(): Promise<number> {
    try {
      return await this.cache.syncRatings(this.#o.desk);
    } catch (err) {
      if (err instanceof PermissionError) {
        this.#o.onNotice?.('the satisfaction ratings list needs an admin; csat counts the ratings on the tickets read and csat_N tags');
        return 0;
      }
      if (err instanceof NotFoundError || (err instanceof ApiError && err.status === 404)) {
        this.#o.onNotice?.('satisfaction ratings are not available on this desk; csat counts csat_N tags only');
        return 0;
      }
      throw err;
    }
  }

  async #names(by: GroupDimension | null): Promise<GroupNames> {
    if (by === 'group') return { groups: new Map((await this.#o.desk.listGroups()).map((g) => [g.id, g.name])) };
    if (by === 'agent') {
      const agents = new Map<number, string>();
      for (const role of ['agent', 'admin'] as const) {
        for await (const u of this.#o.desk.listUsers({ role })) agents.set(u.id, u.name);
      }
      return { agents };
    }
    return {};
  }
}

/**
 * The Time Tracking "Total time spent (sec)" field: the id in time_tracking.total_field_id,
 * else the active ticket field with that title. Null when the desk has none.
 */
export async function resolveHandleTimeField(
  desk: Pick<HelpDesk, 'listTicketFields'>,
  configured: unknown,
): Promise<{ id: number; title: string } | null> {
  const id = parseFieldIdSetting(configured, TOTAL_TIME_FIELD_SETTING);
  let fields;
  try {
    fields = await desk.listTicketFields();
  } catch (err) {
    if (err instanceof NotFoundError || (err instanceof ApiError && (err.status === 403 || err.status === 404))) {
      return id === undefined ? null : { id, title: `field ${id}` };
    }
    throw err;
  }
  if (id !== undefined) return { id, title: fields.find((f) => f.id === id)?.title ?? `field ${id}` };
  const found = fields.find((f) => f.title.trim().toLowerCase() === TOTAL_TIME_FIELD_TITLE.toLowerCase() && f.active !== false);
  return found ? { id: found.id, title: found.title } : null;
}
