/**
 * A request budget for bulk jobs: at most N requests in any sliding minute, every request the
 * job makes counted (reads, writes, job polls, retries), so a sweep or a survey send never
 * goes over the rate a supervisor set, and stays under the desk's own limit by default.
 *
 * How every request is counted:
 *   - BudgetedDesk acquires a slot before each request it starts (one per page of a list,
 *     one per 100 ids of a show_many, one per update_many and job poll);
 *   - the HTTP client's sleeps (before a retry, between job polls, when pacing) go through
 *     `sleepHook`, which acquires a slot after sleeping: the request that follows is covered;
 *   - the request logger reports every exchange actually made; any the two above did not
 *     cover (an extra page nobody predicted) is charged to the window at once.
 */
import type { ClientOptions, Connection, HelpDesk, RequestLogger, ShowManyOptions } from '../../api/helpdesk.js';
import type { RequestLedger } from '../../api/ledger.js';
import type { EndpointLimit } from '../../api/pacer.js';
import type { IncrementalOptions, IncrementalTicketPage, RateLimitState } from '../../api/types.js';
import type {
  Comment,
  DeskView,
  Group,
  JobStatus,
  Macro,
  MacroResult,
  Organization,
  SatisfactionRating,
  Ticket,
  TicketCreate,
  TicketField,
  TicketMetric,
  TicketAudit,
  TicketUpdate,
  User,
} from '../../core/model.js';
import type { BulkUpdate, SearchOptions, ShowOptions, TicketDetail, TicketListOptions } from '../../api/helpdesk.js';

const MINUTE_MS = 60_000;

export interface RateBudgetOptions {
  /** Requests per minute. */
  perMinute: number;
  /** Window length (default 61 s: one second of slack for the time a request takes to land). */
  windowMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A sliding-window budget of requests: acquire() waits until a slot is free. FIFO. */
export class RateBudget {
  private perMinute: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Times of the slots handed out still in the window, oldest first. */
  private times: number[] = [];
  private head = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Slots handed out, and requests seen by the logger. */
  private granted = 0;
  private seen = 0;

  constructor(options: RateBudgetOptions) {
    this.perMinute = checkRate(options.perMinute);
    this.windowMs = options.windowMs ?? MINUTE_MS + 1_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get limit(): number {
    return this.perMinute;
  }

  setLimit(perMinute: number): void {
    this.perMinute = checkRate(perMinute);
  }

  /** Waits for a free slot and takes it. */
  acquire(): Promise<void> {
    const next = this.queue.then(() => this.take());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      this.expire(now);
      if (this.times.length - this.head < this.perMinute) {
        this.times.push(now);
        this.granted += 1;
        return;
      }
      const oldest = this.times[this.head]!;
      await this.sleep(Math.max(1, oldest + this.windowMs - now));
    }
  }

  /** The logger saw a request: one that no slot covered is charged now. */
  observed(): void {
    this.seen += 1;
    if (this.seen > this.granted) {
      this.times.push(this.now());
      this.granted = this.seen;
    }
  }

  /** Slots in use in the current window. */
  inWindow(): number {
    this.expire(this.now());
    return this.times.length - this.head;
  }

  private expire(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 4096) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

function checkRate(n: number): number {
  if (!Number.isFinite(n) || n < 1) throw new RangeError(`rate must be at least 1 request a minute, got ${n}`);
  return Math.floor(n);
}

/** Counts what went over the wire: requests, writes, and the highest rate in any minute. */
export class RequestMeter {
  /** Send times (ms), in the order the answers came. */
  private readonly sent: number[] = [];
  total = 0;
  writes = 0;
  errors = 0;
  rateLimited = 0;

  record(entry: Parameters<RequestLogger>[0], at: number = Date.now()): void {
    this.total += 1;
    if (entry.method !== 'GET') this.writes += 1;
    if (entry.status === 'error' || (typeof entry.status === 'number' && entry.status >= 500)) this.errors += 1;
    if (entry.status === 429) this.rateLimited += 1;
    this.sent.push(at - entry.ms);
  }

  /** The most requests sent within any `windowMs` (default one minute). */
  maxInWindow(windowMs = MINUTE_MS): number {
    const times = [...this.sent].sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= windowMs) i++;
      best = Math.max(best, j - i + 1);
    }
    return best;
  }
}

export interface BulkDeskOptions {
  /** Requests per minute; default: 90% of the desk's X-Rate-Limit (200 until it is known). */
  maxRate?: number;
  /** Another logger to call (e.g. --verbose). */
  logger?: RequestLogger;
  /** Told once when --max-rate is above the desk's own limit (then the desk's limit is used). */
  onWarning?: (message: string) => void;
  /** For tests: the client's sleep (retries, polls) before the budget's own wait. */
  sleep?: (ms: number) => Promise<void>;
  /** The command's client options (end signal, endpoint limits and their shared windows, wait observer). */
  client?: Omit<ClientOptions, 'logger' | 'sleep'> & { endpointLimits?: readonly EndpointLimit[]; ledger?: RequestLedger };
}

export interface BulkDesk {
  /** Every method acquires budget for each request it makes. */
  desk: HelpDesk;
  budget: RateBudget;
  meter: RequestMeter;
}

/** The desk's default share: below its own limit so other tools still get through. */
export const DEFAULT_SHARE = 0.9;
const UNKNOWN_LIMIT_RATE = 200;

/**
 * A HelpDesk for `connection` whose every request is budgeted and metered. The budget is
 * `maxRate` per minute, or 90% of the desk's X-Rate-Limit once the first answer shows it; an
 * explicit rate above the desk's limit is lowered to it, with a warning.
 */
export async function openBulkDesk(connection: Connection, options: BulkDeskOptions = {}): Promise<BulkDesk> {
  const meter = new RequestMeter();
  const budget = new RateBudget({ perMinute: options.maxRate ?? UNKNOWN_LIMIT_RATE });
  const baseSleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let raw: HelpDesk | undefined;
  let tuned = false;
  const logger: RequestLogger = (entry) => {
    meter.record(entry);
    budget.observed();
    options.logger?.(entry);
    if (!tuned && raw) {
      const limit = raw.rateLimit().limit;
      if (limit) {
        tuned = true;
        if (options.maxRate === undefined) budget.setLimit(Math.max(1, Math.floor(limit * DEFAULT_SHARE)));
        else if (options.maxRate > limit) {
          budget.setLimit(limit);
          options.onWarning?.(`--max-rate ${options.maxRate}/min is above the desk's limit of ${limit}/min; using ${limit}/min`);
        }
      }
    }
  };
  const { createHelpDesk } = await import('../../api/index.js');
  raw = await createHelpDesk(connection, {
    ...options.client,
    logger,
    sleep: async (ms) => {
      if (ms > 0) await baseSleep(ms);
      await budget.acquire();
    },
  });
  return { desk: new BudgetedDesk(raw, budget), budget, meter };
}

const ID_CHUNK = 100;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Wraps an iterator so that a slot is taken before each page (every `perPage` items). */
async function* budgetedItems<T>(source: AsyncIterable<T>, perPage: number, budget: RateBudget): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let n = 0;
  try {
    for (;;) {
      if (n % perPage === 0) await budget.acquire();
      const r = await it.next();
      if (r.done) return;
      n += 1;
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

/** A HelpDesk that takes a budget slot before each request. */
export class BudgetedDesk implements HelpDesk {
  readonly kind: HelpDesk['kind'];
  readonly connection: Connection;

  constructor(
    readonly inner: HelpDesk,
    readonly budget: RateBudget,
  ) {
    this.kind = inner.kind;
    this.connection = inner.connection;
  }

  private async one<T>(fn: () => Promise<T>): Promise<T> {
    await this.budget.acquire();
    return fn();
  }

  private async chunked<T>(ids: number[], fn: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
    const out: T[] = [];
    for (const c of chunk([...new Set(ids)], ID_CHUNK)) out.push(...(await this.one(() => fn(c))));
    return out;
  }

  me(): Promise<User> {
    return this.one(() => this.inner.me());
  }
  listTickets(options?: TicketListOptions): AsyncIterable<Ticket> {
    return budgetedItems(this.inner.listTickets(options), Math.min(100, options?.pageSize ?? 100), this.budget);
  }
  searchTickets(query: string, options?: SearchOptions): AsyncIterable<Ticket> {
    return budgetedItems(this.inner.searchTickets(query, options), 100, this.budget);
  }
  exportSearchTickets(query: string, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    const pageSize = options.pageSize ?? 100;
    return budgetedItems(this.inner.exportSearchTickets(query, { pageSize }), pageSize, this.budget);
  }
  incrementalTickets(from: { startTime: number } | { cursor: string }, options?: IncrementalOptions): AsyncIterable<IncrementalTicketPage> {
    return budgetedItems(this.inner.incrementalTickets(from, options), 1, this.budget);
  }
  getTicket(id: number, options?: ShowOptions): Promise<Ticket> {
    return this.one(() => this.inner.getTicket(id, options));
  }
  getTickets(ids: number[], options?: ShowManyOptions): Promise<Ticket[]> {
    return this.chunked(ids, (c) => this.inner.getTickets(c, options));
  }
  getTicketDetail(id: number): Promise<TicketDetail> {
    // several requests in parallel: take a slot for each it usually makes
    return (async () => {
      await this.budget.acquire();
      await this.budget.acquire();
      return this.inner.getTicketDetail(id);
    })();
  }
  listComments(ticketId: number): AsyncIterable<Comment> {
    return budgetedItems(this.inner.listComments(ticketId), 100, this.budget);
  }
  getTicketMetrics(ticketId: number): Promise<TicketMetric | null> {
    return this.one(() => this.inner.getTicketMetrics(ticketId));
  }
  listAudits(ticketId: number): AsyncIterable<TicketAudit> {
    return budgetedItems(this.inner.listAudits(ticketId), 100, this.budget);
  }
  createTicket(ticket: TicketCreate, options?: { idempotencyKey?: string }): Promise<Ticket> {
    return this.one(() => this.inner.createTicket(ticket, options));
  }
  updateTicket(id: number, update: TicketUpdate, options?: { ifUnmodifiedSince?: string }): Promise<Ticket> {
    return this.one(() => this.inner.updateTicket(id, update, options));
  }
  updateMany(bulk: BulkUpdate): Promise<JobStatus> {
    return this.one(() => this.inner.updateMany(bulk));
  }
  getJobStatus(id: string): Promise<JobStatus> {
    return this.one(() => this.inner.getJobStatus(id));
  }
  waitForJob(id: string, options?: { timeoutMs?: number; intervalMs?: number }): Promise<JobStatus> {
    // the first poll takes a slot here; later polls come after the client's sleep, which takes one
    return this.one(() => this.inner.waitForJob(id, options));
  }
  listUsers(options?: { role?: 'agent' | 'admin' | 'end-user' }): AsyncIterable<User> {
    return budgetedItems(this.inner.listUsers(options), 100, this.budget);
  }
  getUsers(ids: number[]): Promise<User[]> {
    return this.chunked(ids, (c) => this.inner.getUsers(c));
  }
  listGroups(): Promise<Group[]> {
    return this.one(() => this.inner.listGroups());
  }
  listOrganizations(): AsyncIterable<Organization> {
    return budgetedItems(this.inner.listOrganizations(), 100, this.budget);
  }
  getOrganizations(ids: number[]): Promise<Organization[]> {
    return this.chunked(ids, (c) => this.inner.getOrganizations(c));
  }
  listTicketFields(): Promise<TicketField[]> {
    return this.one(() => this.inner.listTicketFields());
  }
  listSatisfactionRatings(options?: { startTime?: number; endTime?: number; score?: string }): AsyncIterable<SatisfactionRating> {
    return budgetedItems(this.inner.listSatisfactionRatings(options), 100, this.budget);
  }
  listViews(): Promise<DeskView[]> {
    return this.one(() => this.inner.listViews());
  }
  viewTickets(view: DeskView, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    const pageSize = options.pageSize ?? 100;
    return budgetedItems(this.inner.viewTickets(view, { pageSize }), pageSize, this.budget);
  }
  listMacros(): Promise<Macro[]> {
    return this.one(() => this.inner.listMacros());
  }
  applyMacro(ticketId: number, macroId: number): Promise<MacroResult> {
    return this.one(() => this.inner.applyMacro(ticketId, macroId));
  }
  rateLimit(): RateLimitState {
    return this.inner.rateLimit();
  }
}
