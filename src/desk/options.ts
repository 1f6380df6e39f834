/**
 * What starting and seeding the embedded desk take and give back, and their defaults: shared
 * by the light entry point (index.ts) and the code it loads on first use (start.ts).
 */
export interface DeskOptions {
  /** $DESKOPS_HOME; the db is <home>/desk/desk.sqlite, credentials <home>/desk/credentials.json (0600). */
  home: string;
  /** Default 127.0.0.1. Anything that is not a loopback address is refused (UsageError). */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /**
   * The Zendesk plan whose limits the desk keeps (default enterprise): its requests a minute
   * (team 200, growth and professional 400, enterprise 700, enterprise-plus 2,500), and for
   * enterprise-plus the High Volume incremental export limit (30 a minute instead of 10).
   */
  plan?: string;
  /** Requests per minute for the account, instead of the plan's. */
  rateLimit?: number;
  /**
   * The endpoints' own limits (incremental exports, ticket updates, list tickets, jobs); on
   * by default, as on Zendesk. Only tests that are not about limits turn them off.
   */
  endpointLimits?: boolean;
  /** Milliseconds added before every answer, like a network's round trip (default 0). */
  latencyMs?: number;
  /**
   * Seconds a ticket change takes to reach search and the search export, as on Zendesk
   * (default DEFAULT_INDEX_LAG_S); 0 only in tests that are not about lag.
   */
  indexLagSeconds?: number;
  /** Fault injection, e.g. "429=0.1,500=0.05,reset=0.01,slow=0.02". An invalid spec is a UsageError. */
  faults?: string;
  /** Seed of the fault RNG, so a faulty run can be replayed. */
  faultSeed?: number;
  /** One line per request, for `deskops desk serve`. */
  log?: (line: string) => void;
  /**
   * The desk's clock: the time of every change, the "now" of relative searches, SLAs and jobs,
   * and the date first-use seeding is relative to. Default: the system clock. A CLI hands down
   * its own, so desk and client always agree on the date. (The rate limit measures durations
   * on a monotonic timer.)
   */
  now?: () => Date;
}

export interface RunningDesk {
  /** Base URL without the API path, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** The default user, an agent (the "me" of `--assignee me`). */
  email: string;
  /**
   * The account's admin. The token is the account's, as a Zendesk API token is: the same
   * token with this email acts as the admin (incremental exports, the ratings list).
   */
  adminEmail: string;
  token: string;
  close(): Promise<void>;
}

export interface SeedOptions {
  home: string;
  /** Default 500. */
  tickets?: number;
  /** Default 1. */
  seed?: number;
  /** Demo dates are relative to this (default: now). */
  now?: Date;
}

export interface SeedSummary {
  tickets: number;
  users: number;
  organizations: number;
  ms: number;
}

export const DEFAULT_SEED_TICKETS = 500;
/** Zendesk indexes a change for search within seconds to a few minutes: a realistic middle. */
export const DEFAULT_INDEX_LAG_S = 30;
export const DEFAULT_SEED = 1;
