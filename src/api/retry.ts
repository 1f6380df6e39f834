/**
 * The retry rules of the HTTP client, in one place. got's own retry is off (`retry.limit: 0`);
 * src/api/http.ts applies these rules and nothing else retries.
 *
 * What a request may do after a failure depends on its RetryMode:
 *
 * | failure                                   | 'idempotent' (GET, field-only PUT, POST with Idempotency-Key) | 'verify' (PUT that adds a comment, safe update) | 'unsafe' (update_many, POST without key) |
 * | ----------------------------------------- | ------------------------------------------------------------- | ----------------------------------------------- | ---------------------------------------- |
 * | 429 Too Many Requests                     | wait Retry-After, retry                                       | wait Retry-After, retry                         | wait Retry-After, retry                  |
 * | connection refused / DNS EAI_AGAIN        | backoff, retry                                                | backoff, retry                                  | backoff, retry (nothing was sent)        |
 * | 5xx, ECONNRESET, socket hang up, timeout  | backoff, retry                                                | re-read; done if applied, else backoff, retry   | fail at once: "may or may not be applied"|
 * | 3xx                                       | fail: redirects are never followed (the token stays home)     | same                                            | same                                     |
 * | other 4xx, TLS errors, ENOTFOUND          | fail at once with a typed error                               | same                                            | same                                     |
 *
 * - 429 is always safe: the desk did not process the request. Retry-After (seconds or an
 *   HTTP date) is honoured exactly; when it asks for more than `maxRetryAfterMs` (default
 *   60 s) the request fails at once instead of sleeping for minutes. Without Retry-After the
 *   client waits for `ratelimit-reset` if the desk sent it, else backs off.
 * - Backoff is exponential with full jitter: random(0, min(20 s, 500 ms * 2^(n-1))).
 *   A 503 with Retry-After waits what it says (within the ceiling).
 * - `retries` (default 4) bounds the retries of one request: at most retries + 1 attempts.
 * - 'verify' re-reads after each ambiguous failure (also after the last attempt) so an
 *   update the desk did apply is reported as done and never sent twice.
 */

export type RetryMode = 'idempotent' | 'verify' | 'unsafe';

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 20_000;
export const RATE_LIMIT_BACKOFF_BASE_MS = 1_000;

/** Full-jitter exponential backoff for retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, random: () => number, baseMs = BACKOFF_BASE_MS): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds from `now`: delta seconds or an HTTP date. Undefined if absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export type NetworkFailure =
  /** The request never left: connection refused, transient DNS. Safe to retry any request. */
  | 'before-send'
  /** The request may have reached the desk: reset, hang up, timeout, cut-off answer. */
  | 'ambiguous'
  /** Not worth retrying: unknown host, TLS problems, anything unrecognised. */
  | 'fatal';

const BEFORE_SEND = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
const AMBIGUOUS = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'ENETRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** Classifies an error from got (RequestError, TimeoutError, ReadError...) by its code and name. */
export function classifyNetworkError(error: unknown): { failure: NetworkFailure; code: string } {
  const err = error as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : '';
  const name = typeof err?.name === 'string' ? err.name : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  if (BEFORE_SEND.has(code)) return { failure: 'before-send', code };
  if (name === 'TimeoutError') return { failure: 'ambiguous', code: 'ETIMEDOUT' };
  if (AMBIGUOUS.has(code)) return { failure: 'ambiguous', code };
  if (/socket hang up/i.test(message)) return { failure: 'ambiguous', code: code || 'ECONNRESET' };
  if (name === 'ReadError') return { failure: 'ambiguous', code: code || 'ERR_READ' };
  return { failure: 'fatal', code: code || name || 'EUNKNOWN' };
}
