/**
 * Zendesk's request limits, as its reference documents them, for the embedded desk.
 *
 *   account     the plan's requests a minute, shared by every user and integration of the
 *               account (team 200, growth and professional 400, enterprise 700,
 *               enterprise-plus 2,500): X-Rate-Limit and X-Rate-Limit-Remaining on every
 *               answer, plus ratelimit-limit/-remaining/-reset on the ticketing endpoints
 *   incremental incremental exports: 10 requests a minute (30 with High Volume, which
 *               enterprise-plus includes)
 *   update      PUT /tickets/{id}: 100 a minute for the account, and 30 updates per 10
 *               minutes per user per ticket
 *   list        GET /tickets: zendesk-ratelimit-tickets-index (100 a minute), and 50 a minute
 *               for offset pages past page 500
 *   jobs        at most 30 queued or running jobs (update_many) per account
 *
 * Past a limit the desk answers 429 with Retry-After in whole seconds, as Zendesk does.
 */
import { SlidingWindowLimiter, type RateDecision } from './ratelimit.js';

export const PLANS = {
  team: 200,
  growth: 400,
  professional: 400,
  enterprise: 700,
  'enterprise-plus': 2500,
} as const;

export type Plan = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as Plan[];
export const DEFAULT_PLAN: Plan = 'enterprise';

export const ENDPOINT_LIMITS = {
  incremental: 10,
  incrementalHighVolume: 30,
  ticketUpdates: 100,
  ticketUpdatesPerUserTicket: 30,
  ticketUpdatesPerUserTicketWindowMs: 10 * 60_000,
  listTicketsIndex: 100,
  deepOffsetPages: 50,
  deepOffsetFrom: 500,
  jobs: 30,
} as const;

export const RATE_LIMITED = { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' };

export interface LimitAnswer {
  status: 429;
  body: { error: string; description: string };
  headers: Record<string, string>;
  /** For the desk's log: which limit said no. */
  note: string;
}

/** What a request is, for the endpoint limits. */
export interface LimitedRequest {
  method: string;
  /** Normalized path, e.g. /api/v2/tickets/42 */
  path: string;
  query: URLSearchParams;
  userId: number;
}

export class DeskLimits {
  readonly account: SlidingWindowLimiter;
  readonly #incremental: SlidingWindowLimiter;
  readonly #updates: SlidingWindowLimiter;
  readonly #listIndex: SlidingWindowLimiter;
  readonly #deepPages: SlidingWindowLimiter;
  readonly #perTicket = new Map<string, SlidingWindowLimiter>();
  readonly #clock: () => number;

  constructor(options: { perMinute: number; highVolume: boolean; clock?: () => number }) {
    const clock = options.clock ?? (() => performance.now());
    this.#clock = clock;
    this.account = new SlidingWindowLimiter(options.perMinute, clock);
    this.#incremental = new SlidingWindowLimiter(options.highVolume ? ENDPOINT_LIMITS.incrementalHighVolume : ENDPOINT_LIMITS.incremental, clock);
    this.#updates = new SlidingWindowLimiter(ENDPOINT_LIMITS.ticketUpdates, clock);
    this.#listIndex = new SlidingWindowLimiter(ENDPOINT_LIMITS.listTicketsIndex, clock);
    this.#deepPages = new SlidingWindowLimiter(ENDPOINT_LIMITS.deepOffsetPages, clock);
  }

  /**
   * The endpoint's own limits, checked after the account's: a 429 to send (`refuse`), and
   * the extra headers of the answer.
   */
  endpoint(req: LimitedRequest, jobsInFlight: () => number): { refuse?: LimitAnswer; headers?: Record<string, string> } {
    const { method, path } = req;
    if (method === 'GET' && path.startsWith('/api/v2/incremental/')) {
      return { refuse: refused(this.#incremental.take(), 'incremental export', 'incremental exports') };
    }
    if (method === 'PUT' && /^\/api\/v2\/tickets\/\d+$/.test(path)) {
      const account = this.#updates.peek();
      if (!account.allowed) return { refuse: refused(account, 'ticket updates', 'ticket updates (PUT /tickets/{id})') };
      const key = `${req.userId}:${path}`;
      let perTicket = this.#perTicket.get(key);
      if (!perTicket) {
        perTicket = new SlidingWindowLimiter(ENDPOINT_LIMITS.ticketUpdatesPerUserTicket, this.#clock, ENDPOINT_LIMITS.ticketUpdatesPerUserTicketWindowMs);
        this.#perTicket.set(key, perTicket);
        if (this.#perTicket.size > 10_000) this.#prune();
      }
      const mine = perTicket.take();
      if (!mine.allowed) {
        return { refuse: refused(mine, 'updates of one ticket by one user', `updates of this ticket by this user (${ENDPOINT_LIMITS.ticketUpdatesPerUserTicket} per 10 minutes)`) };
      }
      this.#updates.take();
      return {};
    }
    if (method === 'PUT' && path === '/api/v2/tickets/update_many') {
      if (jobsInFlight() >= ENDPOINT_LIMITS.jobs) {
        return {
          refuse: {
            status: 429,
            body: { error: 'TooManyJobs', description: `The account has ${ENDPOINT_LIMITS.jobs} queued or running jobs; try again when one has finished` },
            headers: { 'Retry-After': '5' },
            note: 'job limit',
          },
        };
      }
      return {};
    }
    if (method === 'GET' && path === '/api/v2/tickets') {
      const index = this.#listIndex.take();
      const headers = { 'zendesk-ratelimit-tickets-index': `total=${index.limit}; remaining=${index.remaining}; resets=${index.resetSeconds}` };
      if (!index.allowed) return { refuse: refused(index, 'list tickets', 'list tickets'), headers };
      const page = Number(req.query.get('page') ?? '0');
      if (page > ENDPOINT_LIMITS.deepOffsetFrom) {
        const deep = this.#deepPages.take();
        if (!deep.allowed) return { refuse: refused(deep, 'list tickets past page 500', `list tickets past page ${ENDPOINT_LIMITS.deepOffsetFrom}`), headers };
      }
      return { headers };
    }
    return {};
  }

  #prune(): void {
    for (const [key, limiter] of this.#perTicket) if (limiter.peek().remaining === limiter.limit) this.#perTicket.delete(key);
  }
}

function refused(decision: RateDecision, note: string, what: string): LimitAnswer | undefined {
  if (decision.allowed) return undefined;
  return {
    status: 429,
    body: { error: 'APIRateLimitExceeded', description: `Number of allowed API requests per minute exceeded for ${what} (${decision.limit})` },
    headers: { 'Retry-After': String(decision.retryAfter) },
    note: `${note} limit`,
  };
}

/** The ticketing endpoints, which carry ratelimit-limit/-remaining/-reset besides X-Rate-Limit. */
export function isTicketingPath(path: string): boolean {
  return /^\/api\/v2\/(tickets|users|organizations|groups|search|ticket_metrics|ticket_fields|satisfaction_ratings|views|macros)(\/|$)/.test(path);
}
