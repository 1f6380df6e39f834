/**
 * The endpoints with limits of their own on Zendesk, below the account's requests a minute:
 * requests to them are spaced so that deskops slows down before the desk answers 429, instead
 * of retrying into one. The account's own limit is paced from the answers' headers
 * (rateLimiter.ts); these are known in advance, as Zendesk documents them.
 */
import { MemoryLedger, type RequestLedger } from './ledger.js';

const MINUTE_MS = 60_000;
/** A second of slack on each window: the desk counts when a request lands, not when it left. */
const SLACK_MS = 1_000;

export interface EndpointLimit {
  /** What a user would call it, for the wait message: "incremental export". */
  what: string;
  perMinute: number;
  matches(method: string, pathname: string): boolean;
}

/** Zendesk's incremental exports: admin-only, and 10 requests a minute. */
export const INCREMENTAL_EXPORT_PATH = /\/api\/v2\/incremental\//;

export const ZENDESK_ENDPOINT_LIMITS: readonly EndpointLimit[] = [
  {
    what: 'incremental export',
    perMinute: 10,
    matches: (method, pathname) => method === 'GET' && INCREMENTAL_EXPORT_PATH.test(pathname),
  },
  {
    what: 'ticket updates',
    perMinute: 100,
    matches: (method, pathname) => method === 'PUT' && /\/api\/v2\/tickets\/\d+(\.json)?$/.test(pathname),
  },
];

/** Zendesk's with the High Volume API add-on (and on Enterprise Plus): 30 incremental exports a minute. */
export const HIGH_VOLUME_ENDPOINT_LIMITS: readonly EndpointLimit[] = ZENDESK_ENDPOINT_LIMITS.map((l) =>
  l.what === 'incremental export' ? { ...l, perMinute: 30 } : l,
);

/**
 * The endpoint limits to pace to, from DESKOPS_ENDPOINT_LIMITS: `zendesk` (the default),
 * `high-volume` (the High Volume add-on or Enterprise Plus), or `off` (a desk without them).
 * Undefined for anything else, so the caller can say so.
 */
export function endpointLimitsNamed(name: string | undefined): readonly EndpointLimit[] | undefined {
  const key = (name ?? 'zendesk').trim().toLowerCase();
  if (key === '' || key === 'zendesk') return ZENDESK_ENDPOINT_LIMITS;
  if (key === 'high-volume') return HIGH_VOLUME_ENDPOINT_LIMITS;
  if (key === 'off') return [];
  return undefined;
}

/** Told when a request waits for an endpoint's limit (long work shows it). */
export type WaitObserver = (wait: { what: string; perMinute: number; waitMs: number }) => void;

/** "incremental export: 10 requests a minute, next in 4 s" */
export function describeWait(wait: Parameters<WaitObserver>[0]): string {
  return `${wait.what}: ${wait.perMinute} requests a minute, next in ${Math.max(1, Math.ceil(wait.waitMs / 1000))} s`;
}

export class EndpointPacer {
  readonly #limits: readonly EndpointLimit[];
  readonly #ledger: RequestLedger;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onWait?: WaitObserver;
  /** One queue per endpoint: a wait for one never holds up another. */
  readonly #queues = new Map<EndpointLimit, Promise<void>>();

  readonly #stopped: () => void;

  /**
   * `now` measures durations (a monotonic timer will do) when the pacer keeps its own count;
   * a `ledger` shared with other processes (FileLedger) counts on the wall clock instead.
   * `stopped` throws once the command is ending, so a wait never outlives it.
   */
  constructor(options: {
    limits?: readonly EndpointLimit[];
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    onWait?: WaitObserver;
    stopped?: () => void;
    ledger?: RequestLedger;
  }) {
    this.#limits = options.limits ?? ZENDESK_ENDPOINT_LIMITS;
    this.#ledger = options.ledger ?? new MemoryLedger(options.now);
    this.#sleep = options.sleep;
    this.#onWait = options.onWait;
    this.#stopped = options.stopped ?? (() => undefined);
  }

  /**
   * Waits until a request to this endpoint fits in its window, and counts it. Call what it
   * returns when the answer came (or the request failed): the window frees from then.
   */
  acquire(method: string, pathname: string): Promise<() => void> {
    const limit = this.#limits.find((l) => l.matches(method, pathname));
    if (!limit) return Promise.resolve(NOTHING);
    const next = (this.#queues.get(limit) ?? Promise.resolve()).then(() => this.#take(limit));
    this.#queues.set(limit, next.then(() => undefined, () => undefined));
    return next;
  }

  async #take(limit: EndpointLimit): Promise<() => void> {
    for (;;) {
      // A second of slack on the window, for the way from here to the desk.
      const slot = await this.#ledger.take(limit.what, limit.perMinute, MINUTE_MS + SLACK_MS);
      if (slot.waitMs <= 0) {
        const id = slot.id;
        return id === undefined ? NOTHING : () => this.#ledger.landed(id);
      }
      this.#onWait?.({ what: limit.what, perMinute: limit.perMinute, waitMs: slot.waitMs });
      await this.#sleep(slot.waitMs);
      this.#stopped();
    }
  }
}

const NOTHING = (): void => undefined;
