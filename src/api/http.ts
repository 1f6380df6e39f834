/**
 * The one HTTP client of deskops, over got. Everything that talks to a desk goes through
 * HttpClient.request(): auth header, timeouts, the client-side rate limiter, the retry rules
 * of ./retry.ts (got's own retry is off), no redirects, a response size cap, typed errors
 * and one RequestLogger call per exchange with secrets redacted.
 */
import type { Got } from 'got';
import { ApiError, AuthError, Cancelled, ConflictError, ConfigError, DeskopsError, NotFoundError, PermissionError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import type { ClientOptions, Connection, RequestLogger } from './helpdesk.js';
import type { RateLimitState } from './types.js';
import { deskMessage, htmlError, looksLikeHtml, parseJsonAnswer, type RawAnswer } from './answer.js';
import { RateLimiter } from './rateLimiter.js';
import { EndpointPacer, INCREMENTAL_EXPORT_PATH, type EndpointLimit } from './pacer.js';
import type { RequestLedger } from './ledger.js';
import { authorizationHeader, redact, secretsOf } from './redact.js';
import {
  RATE_LIMIT_BACKOFF_BASE_MS,
  backoffDelay,
  classifyNetworkError,
  parseRetryAfter,
  type RetryMode,
} from './retry.js';

export type { RetryMode } from './retry.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;
export type Query = Record<string, QueryValue>;

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 4;
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

/** What a 'verify' request's check gets: when the first attempt started, on the desk's clock. */
export interface VerifyContext {
  /** Start of the first attempt in ms since epoch, estimated on the desk's clock. */
  startedAt: number;
  /** How far off that estimate may be (Date header resolution, or unknown clock skew). */
  slackMs: number;
}

export interface HttpRequest<T = unknown> {
  method: HttpMethod;
  /** Path under the desk's base URL ('/api/v2/tickets/1') or an absolute same-origin URL (a next-page link). */
  path: string;
  query?: Query;
  /** JSON body. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Default: 'idempotent' for GET, 'unsafe' for anything else. See ./retry.ts. */
  retry?: RetryMode;
  /**
   * For retry 'verify': after an ambiguous failure, checks whether the desk applied the request.
   * Returns the result to use when it did, undefined when it did not (then the request is retried).
   */
  verify?: (context: VerifyContext) => Promise<T | undefined>;
  /** Message of the NotFoundError for a 404, e.g. "ticket 7 not found". */
  notFound?: string;
  /** Message of the ConflictError for a 409 (or a 412 answer to a conditional request). */
  conflict?: string;
  /** Sees the status and headers of the successful answer (e.g. an ETag), before it is parsed. */
  onAnswer?: (answer: { status: number; headers: RawAnswer['headers'] }) => void;
}

/** ClientOptions plus test hooks. */
export interface HttpClientOptions extends ClientOptions {
  /** Clock in ms since epoch (default Date.now); used for Retry-After dates and the limiter. */
  now?: () => number;
  /** Random in [0, 1) for backoff jitter (default Math.random). */
  random?: () => number;
  /** Largest answer body accepted (default 50 MB). */
  maxResponseBytes?: number;
  /** The endpoints paced to their own limits (default Zendesk's; [] paces none). */
  endpointLimits?: readonly EndpointLimit[];
  /**
   * Where the endpoint windows are counted: shared with the other processes on the account
   * (FileLedger), or this client's own (the default).
   */
  ledger?: RequestLedger;
}

type Outcome = { kind: 'answer'; answer: RawAnswer } | { kind: 'error'; error: unknown };

let gotPromise: Promise<Got> | undefined;
function loadGot(): Promise<Got> {
  gotPromise ??= import('got').then((m) => m.default);
  return gotPromise;
}

class ResponseTooLarge extends Error {
  readonly code = 'ERESPONSETOOLARGE';
}

const NOT_APPLIED = ' (deskops checked: the change was not applied)';

export class HttpClient {
  readonly connection: Connection;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly authorization: string;
  private readonly secrets: string[];
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxResponseBytes: number;
  private readonly userAgent: string;
  private readonly logger?: RequestLogger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly limiter: RateLimiter;
  private readonly pacer: EndpointPacer;
  private readonly signal?: AbortSignal;
  /** Requests on the wire, cut when the command ends. */
  private readonly inflight = new Set<{ destroy(error?: Error): void }>();
  /** Desk clock minus our clock, from the last Date header seen. */
  private clockOffsetMs: number | null = null;

  constructor(connection: Connection, options: HttpClientOptions = {}) {
    this.connection = connection;
    const base = parseBaseUrl(connection);
    this.origin = base.origin;
    this.basePath = base.path;
    this.authorization = authorizationHeader(connection.auth);
    this.secrets = secretsOf(connection.auth);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = Math.max(0, options.retries ?? DEFAULT_RETRIES);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.userAgent = options.userAgent ?? `deskops/${VERSION}`;
    this.logger = options.logger;
    this.signal = options.signal;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.sleep = options.signal ? (ms) => abortableSleep(sleep, ms, options.signal!) : sleep;
    // One listener for the client, not one per request: got leaves its per-request abort
    // listeners on the signal, and each held its request's answer (a 100k-ticket KPI run grew
    // to 550 MB). The streams in flight are cut here instead.
    options.signal?.addEventListener('abort', () => {
      for (const stream of this.inflight) stream.destroy(new Error('the command is ending'));
      this.inflight.clear();
    }, { once: true });
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.limiter = new RateLimiter({ now: this.now, sleep: this.sleep });
    // Durations on a monotonic timer, unless a test injects its clock.
    this.pacer = new EndpointPacer({
      limits: options.endpointLimits,
      now: options.now ?? (() => performance.now()),
      sleep: this.sleep,
      onWait: options.onWait,
      stopped: () => this.throwIfStopped('while waiting for an endpoint limit'),
      ledger: options.ledger,
    });
  }

  /** Rate-limit headroom as last seen on an answer. */
  rateLimit(): RateLimitState {
    return this.limiter.state();
  }

  /** Masks this connection's secrets (and any token-looking value) in text. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  get<T = unknown>(path: string, query?: Query, extra?: Partial<HttpRequest<T>>): Promise<T> {
    return this.request<T>({ ...extra, method: 'GET', path, query });
  }

  /** The absolute URL for a path (or a same-origin absolute URL) plus query. */
  url(path: string, query?: Query): URL {
    let url: URL;
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
      url = new URL(path);
      if (url.origin !== this.origin) {
        throw new ApiError(
          `the desk pointed to another host (${redact(url.origin, this.secrets)}); deskops does not send the profile's credentials there`,
          { hint: 'check the profile URL: it should be the desk itself', url: redact(url.href, this.secrets) },
        );
      }
    } else {
      url = new URL(`${this.basePath}${path.startsWith('/') ? path : `/${path}`}`, this.origin);
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    return url;
  }

  async request<T = unknown>(req: HttpRequest<T>): Promise<T> {
    const mode: RetryMode = req.retry ?? (req.method === 'GET' ? 'idempotent' : 'unsafe');
    const url = this.url(req.path, req.query);
    const shownUrl = redact(url.href, this.secrets);
    const where = `${req.method} ${redact(url.pathname, this.secrets)}`;
    const ctx = { method: req.method, url: shownUrl };
    const answerCtx = { ...ctx, where };
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      authorization: this.authorization,
      ...lowerKeys(req.headers ?? {}),
    };
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    const maxAttempts = this.retries + 1;
    const firstStartedAt = this.now();
    /** Set when a 'verify' check found the request was not applied (so failing is clean). */
    let notApplied = false;

    for (let attempt = 1; ; attempt++) {
      this.throwIfStopped(where);
      const landed = await this.pacer.acquire(req.method, url.pathname);
      this.throwIfStopped(where);
      await this.limiter.acquire();
      this.throwIfStopped(where);
      const t0 = performance.now();
      const outcome = await this.send(req.method, url.href, body, headers);
      landed();
      const ms = Math.round(performance.now() - t0);
      this.throwIfStopped(where);

      if (outcome.kind === 'error') {
        const { failure, code } = classifyNetworkError(outcome.error);
        const tooLarge = outcome.error instanceof ResponseTooLarge;
        const timedOut = code === 'ETIMEDOUT';
        const canRetry =
          !tooLarge &&
          failure !== 'fatal' &&
          (failure === 'before-send' || mode !== 'unsafe') &&
          attempt < maxAttempts;
        const wait = canRetry ? backoffDelay(attempt, this.random) : 0;
        const checking = failure === 'ambiguous' && mode === 'verify' && req.verify !== undefined;
        this.log(req.method, shownUrl, 'error', ms, attempt, checking ? `${code}; checking whether the desk applied it` : canRetry ? `${code}; retrying in ${wait} ms` : code);
        if (tooLarge) {
          throw new ApiError(`the desk's answer to ${where} is larger than ${formatBytes(this.maxResponseBytes)}; deskops stopped reading it`, {
            ...ctx,
            hint: 'ask for less at a time (a smaller page size or a narrower search)',
          });
        }
        if (checking) {
          const verified = await this.runVerify(req, firstStartedAt, where, code, outcome.error);
          if (verified !== undefined) return verified;
          notApplied = true;
        }
        if (failure === 'ambiguous' && mode === 'unsafe') {
          throw new ApiError(
            `the connection to the desk failed during ${where} (${code}); the change may or may not have been applied, so deskops did not send it again`,
            { ...ctx, cause: outcome.error, hint: 'check the tickets on the desk before running it again' },
          );
        }
        if (!canRetry) throw this.networkError(outcome.error, code, where, attempt, timedOut, ctx, notApplied);
        await this.sleep(wait);
        continue;
      }

      const { answer } = outcome;
      this.limiter.observe(answer.headers, answer.status);
      this.observeClock(answer.headers);
      const status = answer.status;

      if (status >= 200 && status < 300) {
        this.log(req.method, shownUrl, status, ms, attempt);
        req.onAnswer?.({ status, headers: answer.headers });
        return parseJsonAnswer(answer, answerCtx) as T;
      }

      if (status === 429) {
        const retryAfter = parseRetryAfter(answer.headers['retry-after'], this.now());
        const reset = parseRetryAfter(answer.headers['ratelimit-reset'], this.now());
        const wait = retryAfter ?? reset ?? backoffDelay(attempt, this.random, RATE_LIMIT_BACKOFF_BASE_MS);
        if (wait > this.maxRetryAfterMs) {
          this.log(req.method, shownUrl, status, ms, attempt, `rate limited; asked to wait ${wait} ms`);
          throw new ApiError(
            `the desk is rate limiting deskops and asked it to wait ${duration(wait)} (more than the ${duration(this.maxRetryAfterMs)} deskops waits)`,
            { ...ctx, status, hint: 'try again later, or use fewer requests (a narrower query)' },
          );
        }
        if (attempt >= maxAttempts) {
          this.log(req.method, shownUrl, status, ms, attempt, 'rate limited');
          throw new ApiError(`the desk kept rate limiting ${where} (429) after ${plural(attempt, 'attempt')}`, {
            ...ctx,
            status,
            hint: 'wait a minute and try again',
          });
        }
        this.log(req.method, shownUrl, status, ms, attempt, `rate limited; retrying in ${wait} ms`);
        await this.sleep(wait);
        continue;
      }

      if (status >= 500) {
        const retryAfter = status === 503 ? parseRetryAfter(answer.headers['retry-after'], this.now()) : undefined;
        const wait = retryAfter !== undefined && retryAfter <= this.maxRetryAfterMs ? retryAfter : backoffDelay(attempt, this.random);
        const willRetry = mode !== 'unsafe' && attempt < maxAttempts;
        const checking = mode === 'verify' && req.verify !== undefined;
        this.log(req.method, shownUrl, status, ms, attempt, checking ? 'checking whether the desk applied it' : willRetry ? `retrying in ${wait} ms` : undefined);
        const statusText = `${status}${answer.statusMessage ? ` ${answer.statusMessage}` : ''}`;
        if (mode === 'unsafe') {
          throw new ApiError(
            `the desk answered ${statusText} to ${where}; the change may or may not have been applied, so deskops did not send it again`,
            { ...ctx, status, hint: 'check the tickets on the desk before running it again' },
          );
        }
        if (checking) {
          const verified = await this.runVerify(req, firstStartedAt, where, statusText, undefined);
          if (verified !== undefined) return verified;
          notApplied = true;
        }
        if (!willRetry) {
          const said = this.deskSaid(answer);
          throw new ApiError(`the desk answered ${statusText} to ${where} after ${plural(attempt, 'attempt')}${said ? `: ${said}` : ''}${notApplied ? NOT_APPLIED : ''}`, {
            ...ctx,
            status,
            hint: 'the desk is having trouble; try again later',
          });
        }
        await this.sleep(wait);
        continue;
      }

      this.log(req.method, shownUrl, status, ms, attempt);
      throw this.answerError(answer, req, where, ctx);
    }
  }

  private async runVerify<T>(
    req: HttpRequest<T>,
    firstStartedAt: number,
    where: string,
    failure: string,
    cause: unknown,
  ): Promise<T | undefined> {
    const known = this.clockOffsetMs !== null;
    const context: VerifyContext = {
      startedAt: firstStartedAt + (this.clockOffsetMs ?? 0),
      slackMs: known ? 2_000 : 60_000,
    };
    try {
      return await req.verify!(context);
    } catch (err) {
      throw new ApiError(
        `${where} failed (${failure}) and deskops could not check whether the desk applied it: ${err instanceof Error ? err.message : String(err)}`,
        { cause: cause ?? err, method: req.method, hint: 'look at the ticket on the desk before trying again' },
      );
    }
  }

  /** The desk's own message, with this connection's secrets masked: a desk may echo them. */
  private deskSaid(answer: RawAnswer): string {
    return redact(deskMessage(answer), this.secrets);
  }

  private answerError(answer: RawAnswer, req: HttpRequest<unknown>, where: string, ctx: { method: string; url: string }): DeskopsError {
    const status = answer.status;
    const said = this.deskSaid(answer);
    const suffix = said ? `: ${said}` : '';
    if (status === 401) {
      return new AuthError(`authentication failed for profile ${this.connection.profile} (${status})${suffix}`);
    }
    if (status === 403 && !looksLikeHtml(answer)) {
      const need = adminOnlyEndpoint(ctx.url);
      return new PermissionError(
        need
          ? `permission denied for profile ${this.connection.profile}: ${need} needs an admin (403 on ${where})${suffix}`
          : `permission denied for profile ${this.connection.profile}: the desk does not let this user ${where} (403)${suffix}`,
        { ...ctx, status, hint: 'an admin can change the role; or add a profile with an admin\'s email for this work' },
      );
    }
    if (status >= 300 && status < 400) {
      const location = headerValue(answer.headers.location);
      const target = location ? redact(absoluteUrl(location, this.origin), this.secrets) : 'another address';
      return new ApiError(`the desk redirected ${where} to ${target}; check the profile URL`, {
        ...ctx,
        status,
        hint: 'deskops does not follow redirects, so the token is never sent anywhere else; set the profile URL to the desk itself',
      });
    }
    if (looksLikeHtml(answer)) return htmlError(answer, ctx);
    if (status === 404) {
      return new NotFoundError(req.notFound ?? `not found: ${where}${suffix}`);
    }
    if (status === 409 || status === 412) {
      return new ConflictError(req.conflict ?? `the desk refused ${where} because of a conflicting change${suffix}`, { ...ctx, status });
    }
    const statusText = `${status}${answer.statusMessage ? ` ${answer.statusMessage}` : ''}`;
    return new ApiError(`the desk rejected ${where} (${statusText})${suffix || (answer.statusMessage ? '' : ': no reason given')}`, {
      ...ctx,
      status,
    });
  }

  private networkError(
    error: unknown,
    code: string,
    where: string,
    attempts: number,
    timedOut: boolean,
    ctx: { method: string; url: string },
    notApplied = false,
  ): ApiError {
    const after = `${attempts > 1 ? ` after ${plural(attempts, 'attempt')}` : ''}${notApplied ? NOT_APPLIED : ''}`;
    if (timedOut) {
      return new ApiError(`the desk did not answer ${where} within ${duration(this.timeoutMs)}${after}`, {
        ...ctx,
        cause: error,
        hint: 'the desk may be slow or unreachable; try again, or run `deskops doctor`',
      });
    }
    return new ApiError(`cannot reach ${redact(this.origin, this.secrets)}: ${code}${after}`, {
      ...ctx,
      cause: error,
      hint: 'check the profile URL and your network; `deskops doctor` checks both',
    });
  }

  private log(method: string, url: string, status: number | 'error', ms: number, attempt: number, note?: string): void {
    if (!this.logger) return;
    try {
      this.logger({ method, url, status, ms, attempt, ...(note ? { note: redact(note, this.secrets) } : {}) });
    } catch {
      // a broken logger must not break requests
    }
  }

  private observeClock(headers: RawAnswer['headers']): void {
    const date = headerValue(headers.date);
    if (!date) return;
    const at = Date.parse(date);
    if (!Number.isNaN(at)) this.clockOffsetMs = at - this.now();
  }

  /** The command is ending: nothing more is sent, retried or waited for. */
  private throwIfStopped(where: string): void {
    if (this.signal?.aborted) throw new Cancelled(`stopped ${where}: the command is ending`);
  }

  /** One exchange: the answer (any status) or the error that prevented one. */
  private async send(method: HttpMethod, url: string, body: string | undefined, headers: Record<string, string>): Promise<Outcome> {
    const got = await loadGot();
    const cap = this.maxResponseBytes;
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      let tooLarge = false;
      let stream: ReturnType<Got['stream']> | undefined;
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        if (stream) this.inflight.delete(stream);
        resolve(outcome);
      };
      let created: ReturnType<Got['stream']>;
      try {
        created = got.stream(url, {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
          throwHttpErrors: false,
          retry: { limit: 0 },
          followRedirect: false,
          timeout: { request: this.timeoutMs },
          decompress: true,
        });
      } catch (error) {
        settle({ kind: 'error', error });
        return;
      }
      stream = created;
      this.inflight.add(stream);
      const chunks: Buffer[] = [];
      let size = 0;
      let response: { statusCode: number; statusMessage?: string; headers: RawAnswer['headers'] } | undefined;
      stream.on('response', (res: { statusCode: number; statusMessage?: string; headers: RawAnswer['headers'] }) => {
        response = res;
        const declared = Number(headerValue(res.headers['content-length']) ?? NaN);
        if (Number.isFinite(declared) && declared > cap) {
          tooLarge = true;
          stream.destroy();
          settle({ kind: 'error', error: new ResponseTooLarge() });
        }
      });
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > cap) {
          tooLarge = true;
          stream.destroy();
          settle({ kind: 'error', error: new ResponseTooLarge() });
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (error: unknown) => {
        settle({ kind: 'error', error: tooLarge ? new ResponseTooLarge() : error });
      });
      stream.on('end', () => {
        if (!response) {
          settle({ kind: 'error', error: Object.assign(new Error('the desk closed the connection without answering'), { code: 'ECONNRESET' }) });
          return;
        }
        settle({
          kind: 'answer',
          answer: {
            status: response.statusCode,
            statusMessage: response.statusMessage ?? '',
            headers: response.headers,
            body: Buffer.concat(chunks),
          },
        });
      });
    });
  }
}

function parseBaseUrl(connection: Connection): { origin: string; path: string } {
  let url: URL;
  try {
    url = new URL(connection.url);
  } catch {
    throw new ConfigError(`the URL of profile ${connection.profile} is not a valid URL: ${redact(connection.url)}`, {
      hint: 'use the desk address, e.g. https://acme.zendesk.com',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`the URL of profile ${connection.profile} must start with https:// (got ${url.protocol})`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`the URL of profile ${connection.profile} must not contain credentials`, {
      hint: 'keep the token in the profile, not in the URL',
    });
  }
  // The API root is added per request: Zendesk's /api/v2, Request Tracker's /REST/2.0.
  const path = url.pathname.replace(/\/+$/, '').replace(/\/(api\/v2|REST\/2\.0)$/i, '');
  return { origin: url.origin, path };
}

function absoluteUrl(location: string, origin: string): string {
  try {
    return new URL(location, origin).href;
  } catch {
    return location;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 100) / 10;
  return `${s} s`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round(n / 1024 / 1024)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `sleep`, cut short (resolved) when `signal` aborts; the caller checks the signal after. */
function abortableSleep(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    sleep(ms).then(done, done);
  });
}

/** Zendesk's admin-only endpoints (agents get 403), by what a user would call them. */
const ADMIN_ONLY: ReadonlyArray<[RegExp, string]> = [
  [INCREMENTAL_EXPORT_PATH, 'the incremental export'],
  [/\/api\/v2\/satisfaction_ratings\b/, 'the satisfaction ratings list'],
];

/** What an admin-only URL is, e.g. "the incremental export"; undefined for any other URL. */
export function adminOnlyEndpoint(url: string): string | undefined {
  return ADMIN_ONLY.find(([pattern]) => pattern.test(url))?.[1];
}
