/**
 * Client-side pacing from the desk's rate-limit headers, so a long sweep slows down before
 * the desk answers 429. Every answer reports `X-Rate-Limit` (requests per minute) and
 * `X-Rate-Limit-Remaining`; list endpoints also send `ratelimit-reset` (seconds to the
 * window's end). While the remaining budget is above `lowFraction` of the limit nothing
 * waits. Below it, requests are spaced evenly so the remaining budget lasts until the
 * window ends; with nothing left they wait for the window to end.
 */
import type { RateLimitState } from './types.js';

export interface RateLimiterOptions {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Start pacing when remaining < lowFraction * limit (default 0.1). */
  lowFraction?: number;
}

type HeaderBag = Record<string, string | string[] | undefined>;

export class RateLimiter {
  private limit: number | null = null;
  private remaining: number | null = null;
  private seenAt: number | null = null;
  /** When the current window ends (ms since epoch), from ratelimit-reset or the minute's end. */
  private windowEnd: number | null = null;
  /** Our own count of what is left, lowered by each request let through since the last answer. */
  private budget = 0;
  /** Gap between paced requests, fixed when an answer is read. */
  private spacing = 0;
  /** When the last paced request was let through. */
  private lastSlot = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly lowFraction: number;

  constructor(options: RateLimiterOptions) {
    this.now = options.now;
    this.sleep = options.sleep;
    this.lowFraction = options.lowFraction ?? 0.1;
  }

  /** The values last seen on an answer. */
  state(): RateLimitState {
    return { limit: this.limit, remaining: this.remaining, seenAt: this.seenAt };
  }

  /** Reads the rate-limit headers of an answer (any status). */
  observe(headers: HeaderBag, status?: number): void {
    const limit = intHeader(headers['x-rate-limit'] ?? headers['ratelimit-limit']);
    const remaining = intHeader(headers['x-rate-limit-remaining'] ?? headers['ratelimit-remaining']);
    const reset = intHeader(headers['ratelimit-reset']);
    if (limit === undefined && remaining === undefined && status !== 429) return;
    const now = this.now();
    if (limit !== undefined) this.limit = limit;
    if (remaining !== undefined) this.remaining = remaining;
    else if (status === 429) this.remaining = 0;
    this.seenAt = now;
    this.windowEnd = reset !== undefined ? now + reset * 1000 : endOfMinute(now);
    this.budget = this.remaining ?? 0;
    this.spacing = this.budget > 0 ? (this.windowEnd - now) / this.budget : 0;
  }

  /** How long the next request should wait; reserves its slot. */
  reserve(): number {
    const { limit, remaining, windowEnd, seenAt } = this;
    if (limit === null || remaining === null || windowEnd === null || seenAt === null) return 0;
    const now = this.now();
    if (now >= windowEnd) return 0; // a new window: the numbers we hold are stale
    if (remaining >= limit * this.lowFraction) return 0;
    if (this.budget <= 0) {
      this.lastSlot = windowEnd;
      return Math.ceil(windowEnd - now);
    }
    const slot = Math.max(now, this.lastSlot + this.spacing, seenAt + this.spacing);
    this.lastSlot = slot;
    this.budget -= 1;
    return Math.max(0, Math.ceil(slot - now));
  }

  /** Waits as reserve() says. */
  async acquire(): Promise<number> {
    const wait = this.reserve();
    if (wait > 0) await this.sleep(wait);
    return wait;
  }
}

function intHeader(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

function endOfMinute(now: number): number {
  return now - (now % 60_000) + 60_000;
}
