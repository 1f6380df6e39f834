/**
 * Zendesk-style rate limiting: a budget of requests per minute over a sliding 60-second
 * window. Every answer reports X-Rate-Limit and X-Rate-Limit-Remaining; past the budget the
 * desk answers 429 with Retry-After (whole seconds until the oldest request leaves the window).
 */
const WINDOW_MS = 60_000;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds to wait, when not allowed. */
  retryAfter: number;
}

export class SlidingWindowLimiter {
  /** Times of the accepted requests still in the window, oldest first. */
  private readonly times: number[] = [];
  private head = 0;

  constructor(
    readonly limit: number,
    // A duration, not a date: a monotonic timer, so a test's fixed clock never freezes the window.
    private readonly clock: () => number = () => performance.now(),
  ) {}

  take(): RateDecision {
    const now = this.clock();
    while (this.head < this.times.length && this.times[this.head]! <= now - WINDOW_MS) this.head++;
    if (this.head > 1024) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    const used = this.times.length - this.head;
    if (used >= this.limit) {
      const oldest = this.times[this.head] ?? now;
      return { allowed: false, limit: this.limit, remaining: 0, retryAfter: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    this.times.push(now);
    return { allowed: true, limit: this.limit, remaining: this.limit - used - 1, retryAfter: 0 };
  }
}
