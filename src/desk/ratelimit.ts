/**
 * Zendesk-style rate limiting: a budget of requests per window (a minute unless said) over a
 * sliding window. Past the budget the answer is 429 with Retry-After (whole seconds until the
 * oldest request leaves the window).
 */
const MINUTE_MS = 60_000;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds to wait, when not allowed. */
  retryAfter: number;
  /** Seconds until the oldest request in the window leaves it (a slot frees). */
  resetSeconds: number;
}

export class SlidingWindowLimiter {
  /** Times of the accepted requests still in the window, oldest first. */
  private readonly times: number[] = [];
  private head = 0;

  constructor(
    readonly limit: number,
    // A duration, not a date: a monotonic timer, so a test's fixed clock never freezes the window.
    private readonly clock: () => number = () => performance.now(),
    private readonly windowMs: number = MINUTE_MS,
  ) {}

  /** Takes a slot if there is one. */
  take(): RateDecision {
    const decision = this.peek();
    if (decision.allowed) {
      this.times.push(this.clock());
      decision.remaining -= 1;
    }
    return decision;
  }

  /** What take() would decide, without taking a slot. */
  peek(): RateDecision {
    const now = this.clock();
    while (this.head < this.times.length && this.times[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 1024) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    const used = this.times.length - this.head;
    const oldest = this.times[this.head];
    const resetSeconds = oldest === undefined ? Math.ceil(this.windowMs / 1000) : Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
    if (used >= this.limit) {
      return { allowed: false, limit: this.limit, remaining: 0, retryAfter: resetSeconds, resetSeconds };
    }
    return { allowed: true, limit: this.limit, remaining: this.limit - used, retryAfter: 0, resetSeconds };
  }
}
