/**
 * The desk's HTTP server (node:http, no framework). Each request goes through:
 *   latency -> authentication (401, on a small budget of its own: 429 past it) -> the
 *   account's rate limit (429) -> body (413 over 1 MB) -> fault injection -> JSON parsing
 *   (400) -> route (404 when none) -> role (403) -> endpoint limits (429) -> handler.
 * Every answer carries X-Rate-Limit and X-Rate-Limit-Remaining (the anonymous budget's on
 * answers to requests without the token).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { FaultInjector, type FaultPlan } from './faults.js';
import { DeskHttpError, forbidden } from './http-errors.js';
import { JobRunner } from './jobs.js';
import type { DeskCredentials } from './paths.js';
import { DeskLimits, isTicketingPath, RATE_LIMITED } from './limits.js';
import { SlidingWindowLimiter } from './ratelimit.js';
import type { DeskContext, DeskRequest } from './routes/context.js';
import { findRoute, normalizePath } from './routes/router.js';
import type { DeskStore } from './store.js';
import { unixNow } from './time.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Requests without the token, a minute, answered 401 (then 429): a budget apart from the account's. */
export const ANONYMOUS_PER_MINUTE = 100;
const SLOW_FAULT_MS = 2000;

export interface ServerOptions {
  store: DeskStore;
  host: string;
  port: number;
  /** The account's requests a minute (the plan's). */
  rateLimit: number;
  /** High Volume API: 30 incremental exports a minute instead of 10. */
  highVolume: boolean;
  /** The endpoints' own limits (off only in tests that are not about them). */
  endpointLimits: boolean;
  /** Added before every answer, like a network's round trip. */
  latencyMs: number;
  /** Seconds a ticket change takes to reach search. */
  indexLagSeconds: number;
  faults: FaultPlan;
  faultSeed: number;
  /** The credentials now in force (asked on every request: a re-seed changes the token). */
  credentials: () => DeskCredentials | undefined;
  log?: (line: string) => void;
  /** The desk's clock (see DeskOptions.now). */
  now: () => Date;
}

export interface ListeningDesk {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export async function listen(opts: ServerOptions): Promise<ListeningDesk> {
  const limits = new DeskLimits({ perMinute: opts.rateLimit, highVolume: opts.highVolume });
  const anonymous = new SlidingWindowLimiter(ANONYMOUS_PER_MINUTE);
  const faults = new FaultInjector(opts.faults, opts.faultSeed);
  const now = () => unixNow(opts.now());
  const jobs = new JobRunner(opts.store, now);
  const slowTimers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let base = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // handle() answers every error itself; this is a last resort (e.g. a socket error mid-write)
      opts.log?.(`desk: internal error: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(res, { status: 500, body: { error: 'InternalError', description: 'Internal error' } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const finish = (answer: Answer, note?: string) => {
      send(res, answer);
      opts.log?.(`${method} ${rawUrl} ${answer.status} ${Math.round(performance.now() - started)}ms${note ? ` (${note})` : ''}`);
    };

    // The Date header is the desk's clock, as the times it stamps are: clients measure their
    // offset from it (to tell whether a lost update was applied).
    res.setHeader('Date', opts.now().toUTCString());
    if (opts.latencyMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          slowTimers.delete(timer);
          resolve();
        }, opts.latencyMs);
        slowTimers.add(timer);
      });
      if (res.destroyed) return;
    }
    // Who it is comes first: a request without the token never spends the account's budget
    // (anyone on the machine could starve the desk), only a small one of its own.
    const me = authenticate(req.headers.authorization);
    if (!me) {
      const anon = anonymous.take();
      res.setHeader('X-Rate-Limit', String(anon.limit));
      res.setHeader('X-Rate-Limit-Remaining', String(anon.remaining));
      if (!anon.allowed) return finish({ status: 429, body: RATE_LIMITED, headers: { 'Retry-After': String(anon.retryAfter) } }, 'unauthenticated');
      return finish({ status: 401, body: { error: "Couldn't authenticate you" } });
    }

    const rate = limits.account.take();
    res.setHeader('X-Rate-Limit', String(rate.limit));
    res.setHeader('X-Rate-Limit-Remaining', String(rate.remaining));
    const ticketing = isTicketingPath(normalizePath(rawUrl.split('?')[0]!));
    if (ticketing) {
      res.setHeader('ratelimit-limit', String(rate.limit));
      res.setHeader('ratelimit-remaining', String(rate.remaining));
      res.setHeader('ratelimit-reset', String(rate.resetSeconds));
    }
    if (!rate.allowed) {
      return finish({
        status: 429,
        body: RATE_LIMITED,
        headers: { 'Retry-After': String(rate.retryAfter) },
      });
    }


    const body = await readBody(req);
    if (body === undefined) {
      return finish({
        status: 413,
        body: { error: 'RequestTooLarge', description: `The request body is larger than ${MAX_BODY_BYTES} bytes` },
        headers: { Connection: 'close' },
      });
    }

    // Faults are decided before anything is handled: a faulted write is never applied.
    const fault = faults.draw();
    if (fault === 'reset') {
      opts.log?.(`${method} ${rawUrl} reset (injected fault)`);
      req.socket.destroy();
      return;
    }
    if (fault === '429') {
      return finish(
        { status: 429, body: RATE_LIMITED, headers: { 'Retry-After': '1' } },
        'injected fault',
      );
    }
    if (fault === '500') {
      return finish({ status: 500, body: { error: 'InternalError', description: 'Something went wrong (injected fault)' } }, 'injected fault');
    }
    if (fault === 'slow') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          slowTimers.delete(timer);
          resolve();
        }, SLOW_FAULT_MS);
        slowTimers.add(timer);
      });
      if (res.destroyed) return;
    }

    let parsed: unknown;
    if (body.trim() !== '') {
      try {
        // NUL characters are dropped, never left to cut a text short where SQLite stores it.
        parsed = JSON.parse(body, (_key, value: unknown) => (typeof value === 'string' && value.includes('\u0000') ? value.replace(/\u0000/g, '') : value));
      } catch (err) {
        return finish({ status: 400, body: { error: 'InvalidJSON', description: `The request body is not valid JSON: ${(err as Error).message}` } });
      }
    }

    const url = new URL(rawUrl, 'http://desk.invalid');
    const path = normalizePath(url.pathname);
    let route: ReturnType<typeof findRoute>;
    try {
      route = findRoute(method, path);
    } catch {
      route = undefined; // a malformed %-escape in the path
    }
    if (!route) return finish({ status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } }, fault === 'slow' ? 'slow' : undefined);

    // Roles, as Zendesk has them: end users reach only their own profile through the API,
    // agents everything but the admin-only endpoints (incremental exports, ratings).
    const allowed = me.role === 'admin' || (me.role === 'agent' ? route.access === 'agent' : path === '/api/v2/users/me');
    if (!allowed) return finish({ status: forbidden().status, body: forbidden().body }, `${me.role} ${me.email}`);

    const { refuse, headers: extraHeaders } = !opts.endpointLimits ? {} : limits.endpoint({ method, path, query: url.searchParams, userId: me.id }, () => jobs.inFlight());
    if (refuse) return finish({ status: refuse.status, body: refuse.body, headers: { ...extraHeaders, ...refuse.headers } }, refuse.note);

    const request: DeskRequest = { method, path, query: url.searchParams, headers: req.headers, body: parsed, rawBody: body, params: route.params };
    const ctx: DeskContext = { store: opts.store, base, me, now, jobs, indexLag: opts.indexLagSeconds };
    try {
      const reply = route.handler(request, ctx);
      finish({ status: reply.status ?? 200, body: reply.body, headers: { ...extraHeaders, ...reply.headers } }, fault === 'slow' ? 'slow' : undefined);
    } catch (err) {
      if (err instanceof DeskHttpError) return finish({ status: err.status, body: err.body, headers: err.headers });
      opts.log?.(`desk: ${method} ${rawUrl} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      finish({ status: 500, body: { error: 'InternalError', description: err instanceof Error ? err.message : String(err) } });
    }
  }

  /** The user the request acts as: an API token is the account's, the email picks the user. */
  function authenticate(header: string | undefined) {
    const credentials = opts.credentials();
    const email = header && credentials ? check(header, credentials) : undefined;
    return email ? opts.store.userByEmail(email) : undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: base,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of slowTimers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeIdleConnections();
        for (const socket of sockets) socket.destroy();
      }).then(() => jobs.flush());
      return closing;
    },
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The email a request authenticates as, or undefined. Basic "email/token:TOKEN" is Zendesk's
 * API-token style: the token belongs to the account, so any user's email goes with it (an
 * unknown email fails at the user lookup). "Bearer TOKEN" stands for the desk's default user.
 */
function check(header: string, credentials: DeskCredentials): string | undefined {
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return safeEqual(value, credentials.token) ? credentials.email : undefined;
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (!user.toLowerCase().endsWith('/token')) return undefined;
  const email = user.slice(0, -'/token'.length).trim().toLowerCase();
  return email !== '' && safeEqual(secret, credentials.token) ? email : undefined;
}

/** The body as text, or undefined when it is over the limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(answer.body);
  res.statusCode = answer.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  res.end(text);
}
