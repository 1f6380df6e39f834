import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ApiError, AuthError, Cancelled, ConflictError, NotFoundError, PermissionError } from '../../src/core/errors.js';
import { VERSION } from '../../src/core/version.js';
import { FakeDesk, fakeDeskPerTest } from '../helpers/fakeDesk.js';
import { TOKEN, harness, rejection } from './clientFor.js';

const fake = fakeDeskPerTest();

describe('auth and headers', () => {
  const cases = [
    {
      name: 'API token (email/token:TOKEN)',
      auth: { type: 'basic-token', email: 'agent@example.com', token: 'abc123' } as const,
      header: `Basic ${Buffer.from('agent@example.com/token:abc123').toString('base64')}`,
    },
    {
      name: 'password (email:password)',
      auth: { type: 'basic-password', email: 'agent@example.com', password: 'hunter2!' } as const,
      header: `Basic ${Buffer.from('agent@example.com:hunter2!').toString('base64')}`,
    },
    { name: 'OAuth bearer', auth: { type: 'bearer', token: 'oauth-xyz' } as const, header: 'Bearer oauth-xyz' },
    { name: 'RT token', auth: { type: 'rt-token', token: 'rt-777' } as const, header: 'token rt-777' },
  ];
  for (const c of cases) {
    it(`sends the ${c.name} Authorization header`, async () => {
      const stub = fake().get('/api/v2/users/me', { json: { user: { id: 1, name: 'A', email: 'a@x', role: 'agent', organization_id: null } } });
      const { desk } = harness(fake().url, { auth: c.auth });
      await desk.me();
      expect(stub.calls[0]!.headers.authorization).toBe(c.header);
    });
  }

  it('sends User-Agent deskops/<version> and asks for JSON', async () => {
    const stub = fake().get('/api/v2/tickets/1', { json: { ticket: { id: 1 } } });
    const { http } = harness(fake().url);
    await http.get('/api/v2/tickets/1');
    expect(stub.calls[0]!.headers['user-agent']).toBe(`deskops/${VERSION}`);
    expect(stub.calls[0]!.headers.accept).toBe('application/json');
  });

  it('keeps a path prefix of the base URL and drops a trailing /api/v2', async () => {
    fake().get('/desk/api/v2/tickets/1', { json: { ticket: { id: 1 } } });
    const { http } = harness(`${fake().url}/desk/api/v2/`);
    await expect(http.get('/api/v2/tickets/1')).resolves.toEqual({ ticket: { id: 1 } });
  });

  it('maps 401 to AuthError naming the profile, with the desk message and exit code 4', async () => {
    fake().get('/api/v2/users/me', { status: 401, json: { error: "Couldn't authenticate you" } });
    const { desk } = harness(fake().url);
    const err = await rejection(desk.me());
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toBe("authentication failed for profile work (401): Couldn't authenticate you");
    expect((err as AuthError).exitCode).toBe(4);
    expect((err as AuthError).hint).toMatch(/deskops doctor/);
  });

  it('maps 403 to a permission error (exit 5), not an auth failure, naming an admin-only endpoint', async () => {
    fake().get('/api/v2/tickets/1', { status: 403, json: { error: 'Forbidden', description: 'You do not have access to this page' } });
    const err = await rejection(harness(fake().url).http.get('/api/v2/tickets/1'));
    expect(err).toBeInstanceOf(PermissionError);
    expect(err).not.toBeInstanceOf(AuthError);
    expect((err as PermissionError).exitCode).toBe(5);
    expect(err.message).toBe('permission denied for profile work: the desk does not let this user GET /api/v2/tickets/1 (403): You do not have access to this page');
    fake().get('/api/v2/incremental/tickets/cursor', { status: 403, json: { error: 'Forbidden', description: 'You do not have access to this page' } });
    const admin = await rejection(harness(fake().url).http.get('/api/v2/incremental/tickets/cursor', { start_time: 0 }));
    expect(admin.message).toBe('permission denied for profile work: the incremental export needs an admin (403 on GET /api/v2/incremental/tickets/cursor): You do not have access to this page');
  });

  it('treats the anonymous user Zendesk returns without credentials as an auth failure', async () => {
    fake().get('/api/v2/users/me', { json: { user: { id: null, name: 'Anonymous user' } } });
    const err = await rejection(harness(fake().url).desk.me());
    expect(err).toBeInstanceOf(AuthError);
  });
});

describe('typed errors from answers', () => {
  it('maps 404 to NotFoundError', async () => {
    fake().get('/api/v2/groups/9', { status: 404, json: { error: 'RecordNotFound', description: 'Not found' } });
    const err = await rejection(harness(fake().url).http.get('/api/v2/groups/9'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe('not found: GET /api/v2/groups/9: Not found');
  });

  it('maps 409 to ConflictError', async () => {
    fake().put('/api/v2/tickets/3', { status: 409, json: { error: 'UpdateConflict', description: 'Ticket was updated' } });
    const err = await rejection(harness(fake().url).http.request({ method: 'PUT', path: '/api/v2/tickets/3', json: {} }));
    expect(err).toBeInstanceOf(ConflictError);
  });

  it('flattens a 422 RecordInvalid with details into one line', async () => {
    fake().put('/api/v2/tickets/3', {
      status: 422,
      json: {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: {
          base: [{ description: 'Status: closed prevents ticket update', error: 'ClosedTicket' }],
          priority: [{ description: 'is not one of low, normal, high, urgent' }],
        },
      },
    });
    const err = await rejection(harness(fake().url).http.request({ method: 'PUT', path: '/api/v2/tickets/3', json: {} }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).not.toBeInstanceOf(ConflictError);
    expect(err.message).toBe(
      'the desk rejected PUT /api/v2/tickets/3 (422 Unprocessable Entity): Record validation errors: Status: closed prevents ticket update; priority: is not one of low, normal, high, urgent',
    );
    expect((err as ApiError).status).toBe(422);
  });

  it('reads the {error: {title, message}} shape of a 400', async () => {
    fake().get('/api/v2/search', {
      status: 400,
      json: { error: { title: 'Invalid attribute', message: 'page must be an integer' } },
    });
    const err = await rejection(harness(fake().url).http.get('/api/v2/search'));
    expect(err.message).toBe('the desk rejected GET /api/v2/search (400 Bad Request): Invalid attribute: page must be an integer');
  });

  it('turns an HTML page into an ApiError that mentions HTML', async () => {
    fake().get('/api/v2/tickets/1', {
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!DOCTYPE html><html><body>Sign in</body></html>',
    });
    const err = await rejection(harness(fake().url).http.get('/api/v2/tickets/1'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('the desk sent an HTML page instead of JSON (status 200) — is the URL right?');
  });

  it('turns an HTML 404 (not a desk at all) into the HTML error, not "not found"', async () => {
    fake().get('/api/v2/tickets/1', { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><h1>Page not found</h1></html>' });
    const err = await rejection(harness(fake().url).http.get('/api/v2/tickets/1', undefined, { notFound: 'ticket 1 not found' }));
    expect(err).not.toBeInstanceOf(NotFoundError);
    expect(err.message).toMatch(/HTML page instead of JSON \(status 404\)/);
  });

  it('refuses a non-JSON content type it cannot parse', async () => {
    fake().get('/api/v2/tickets/1', { headers: { 'content-type': 'text/plain' }, body: 'OK' });
    const err = await rejection(harness(fake().url).http.get('/api/v2/tickets/1'));
    expect(err.message).toBe('the desk sent text/plain instead of JSON (status 200) — is the URL right?');
  });

  it('turns invalid JSON into an ApiError, never a SyntaxError', async () => {
    fake().get('/api/v2/tickets/1', { headers: { 'content-type': 'application/json' }, body: '{"ticket": {"id": 1, "subj' });
    const err = await rejection(harness(fake().url).http.get('/api/v2/tickets/1'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).not.toBeInstanceOf(SyntaxError);
    expect(err.message).toMatch(/^the desk sent invalid JSON \(status 200, 26 bytes, cut off\) for GET \/api\/v2\/tickets\/1$/);
    expect(err.cause).toBeUndefined();
  });

  it('turns an answer cut off mid-body into an ApiError after retrying the GET', async () => {
    fake().get('/api/v2/tickets/1', { truncate: { declaredLength: 500, body: '{"ticket": {"id": 1,' } }, { times: 2 });
    const err = await rejection(harness(fake().url, { retries: 1 }).http.get('/api/v2/tickets/1'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).not.toBeInstanceOf(SyntaxError);
    expect(err.message).toMatch(/after 2 attempts/);
  });

  it('refuses an answer larger than the size cap', async () => {
    fake().get('/api/v2/tickets', { json: { tickets: Array.from({ length: 200 }, (_, i) => ({ id: i, subject: 'x'.repeat(50) })) } });
    const err = await rejection(harness(fake().url, { maxResponseBytes: 2048 }).http.get('/api/v2/tickets'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe("the desk's answer to GET /api/v2/tickets is larger than 2 KB; deskops stopped reading it");
  });

  it('refuses a chunked answer that grows past the cap', async () => {
    fake().get('/api/v2/tickets', (_req) => ({ headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: `{"tickets":[${'1,'.repeat(5000)}1]}` }));
    const err = await rejection(harness(fake().url, { maxResponseBytes: 4096 }).http.get('/api/v2/tickets'));
    expect(err.message).toMatch(/larger than 4 KB/);
  });
});

describe('retries', () => {
  it('waits Retry-After seconds on 429, then succeeds', async () => {
    fake().get('/api/v2/tickets/1', { status: 429, headers: { 'retry-after': '7' }, json: { error: 'TooManyRequests' } });
    fake().get('/api/v2/tickets/1', { json: { ticket: { id: 1 } } });
    const h = harness(fake().url);
    await expect(h.http.get('/api/v2/tickets/1')).resolves.toEqual({ ticket: { id: 1 } });
    expect(h.sleeps).toEqual([7000]);
    expect(h.log.map((e) => e.status)).toEqual([429, 200]);
  });

  it('understands Retry-After as an HTTP date', async () => {
    const now = Date.parse('2024-05-01T10:00:00Z');
    fake().get('/api/v2/tickets/1', { status: 429, headers: { 'retry-after': 'Wed, 01 May 2024 10:00:12 GMT' } });
    fake().get('/api/v2/tickets/1', { json: { ticket: { id: 1 } } });
    const h = harness(fake().url, { now: () => now });
    await h.http.get('/api/v2/tickets/1');
    expect(h.sleeps).toEqual([12_000]);
  });

  it('gives up at once when Retry-After is beyond the ceiling', async () => {
    fake().get('/api/v2/tickets/1', { status: 429, headers: { 'retry-after': '120' } });
    const h = harness(fake().url, { maxRetryAfterMs: 60_000 });
    const err = await rejection(h.http.get('/api/v2/tickets/1'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('the desk is rate limiting deskops and asked it to wait 120 s (more than the 60 s deskops waits)');
    expect(h.sleeps).toEqual([]);
  });

  it('retries a 429 on a non-idempotent write (the desk did not process it)', async () => {
    fake().put('/api/v2/tickets/update_many', { status: 429, headers: { 'retry-after': '1' } });
    fake().put('/api/v2/tickets/update_many', { json: { job_status: { id: 'j1', status: 'queued' } } });
    const h = harness(fake().url);
    await h.http.request({ method: 'PUT', path: '/api/v2/tickets/update_many', json: {}, retry: 'unsafe' });
    expect(h.sleeps).toEqual([1000]);
  });

  it('retries a GET after a 500 with jittered backoff', async () => {
    fake().get('/api/v2/tickets/1', { status: 500, json: { error: 'InternalError' } });
    fake().get('/api/v2/tickets/1', { json: { ticket: { id: 1 } } });
    const h = harness(fake().url, { random: () => 0.5 });
    await expect(h.http.get('/api/v2/tickets/1')).resolves.toEqual({ ticket: { id: 1 } });
    expect(h.sleeps).toEqual([250]); // random(0.5) * 500 ms
  });

  it('backs off exponentially and reports the attempts when 5xx persists', async () => {
    fake().get('/api/v2/tickets/1', { status: 502, body: 'Bad Gateway' }, { times: 4 });
    const h = harness(fake().url, { retries: 3, random: () => 0.999 });
    const err = await rejection(h.http.get('/api/v2/tickets/1'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('the desk answered 502 Bad Gateway to GET /api/v2/tickets/1 after 4 attempts: Bad Gateway');
    expect(h.sleeps).toEqual([499, 999, 1998]);
    expect(h.log.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('waits what a 503 Retry-After says', async () => {
    fake().get('/api/v2/tickets/1', { status: 503, headers: { 'retry-after': '3' }, body: 'maintenance' });
    fake().get('/api/v2/tickets/1', { json: { ticket: { id: 1 } } });
    const h = harness(fake().url);
    await h.http.get('/api/v2/tickets/1');
    expect(h.sleeps).toEqual([3000]);
  });

  it('retries a GET whose connection was reset', async () => {
    fake().get('/api/v2/tickets/1', { reset: true });
    fake().get('/api/v2/tickets/1', { json: { ticket: { id: 1 } } });
    const h = harness(fake().url);
    await expect(h.http.get('/api/v2/tickets/1')).resolves.toEqual({ ticket: { id: 1 } });
    expect(h.log[0]).toMatchObject({ status: 'error', attempt: 1 });
    expect(h.log[0]!.note).toMatch(/ECONNRESET/);
  });

  it('times out a desk that does not answer, retrying the GET', async () => {
    fake().get('/api/v2/tickets/1', { hang: true }, { times: 2 });
    const h = harness(fake().url, { timeoutMs: 150, retries: 1 });
    const err = await rejection(h.http.get('/api/v2/tickets/1'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('the desk did not answer GET /api/v2/tickets/1 within 150 ms after 2 attempts');
  });

  it('says it cannot reach a desk that refuses connections', async () => {
    const gone = await FakeDesk.start();
    const url = gone.url;
    await gone.close();
    const h = harness(url, { retries: 2 });
    const err = await rejection(h.http.get('/api/v2/tickets/1'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe(`cannot reach ${url}: ECONNREFUSED after 3 attempts`);
    expect((err as ApiError).hint).toMatch(/profile URL/);
  });

  it('retries update_many when the connection was refused (nothing was sent)', async () => {
    const gone = await FakeDesk.start();
    const url = gone.url;
    await gone.close();
    const h = harness(url, { retries: 2 });
    const err = await rejection(h.http.request({ method: 'PUT', path: '/api/v2/tickets/update_many', json: {}, retry: 'unsafe' }));
    expect(err.message).toMatch(/ECONNREFUSED after 3 attempts/);
    expect(h.sleeps).toHaveLength(2);
  });
});

describe('redirects', () => {
  it('never follows a redirect to another host, so the token stays home', async () => {
    const other = await FakeDesk.start();
    try {
      fake().get('/api/v2/tickets/1', { status: 302, headers: { location: `${other.url}/api/v2/tickets/1` } });
      const err = await rejection(harness(fake().url).http.get('/api/v2/tickets/1'));
      expect(err).toBeInstanceOf(ApiError);
      expect(err.message).toBe(`the desk redirected GET /api/v2/tickets/1 to ${other.url}/api/v2/tickets/1; check the profile URL`);
      expect(other.requests).toEqual([]);
      other.assertDone();
    } finally {
      await other.close();
    }
  });

  it('refuses a next-page link that points to another host', async () => {
    const other = await FakeDesk.start();
    try {
      fake().get('/api/v2/tickets', {
        json: { tickets: [{ id: 1 }], meta: { has_more: true }, links: { next: `${other.url}/api/v2/tickets?page[after]=x` } },
      });
      const { desk } = harness(fake().url);
      const seen: unknown[] = [];
      const err = await rejection(
        (async () => {
          for await (const t of desk.listTickets()) seen.push(t);
        })(),
      );
      expect(seen).toHaveLength(1);
      expect(err.message).toMatch(/pointed to another host/);
      expect(other.requests).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('client-side rate limiter', () => {
  // 10 s into a minute: 50 s of the window left.
  const now = () => Date.parse('2024-05-01T10:00:10Z');

  it('spaces requests out when X-Rate-Limit-Remaining is low', async () => {
    fake().get('/api/v2/tickets/1', { headers: { 'x-rate-limit': '700', 'x-rate-limit-remaining': '5' }, json: { ticket: { id: 1 } } });
    fake().get('/api/v2/tickets/2', { headers: { 'x-rate-limit': '700', 'x-rate-limit-remaining': '4' }, json: { ticket: { id: 2 } } });
    const h = harness(fake().url, { now });
    await h.http.get('/api/v2/tickets/1');
    expect(h.sleeps).toEqual([]);
    expect(h.http.rateLimit()).toEqual({ limit: 700, remaining: 5, seenAt: now() });
    await h.http.get('/api/v2/tickets/2');
    // 5 requests left for 50 s: one every 10 s.
    expect(h.sleeps).toEqual([10_000]);
    expect(h.http.rateLimit().remaining).toBe(4);
  });

  it('uses ratelimit-reset for the end of the window when the desk sends it', async () => {
    fake().get('/api/v2/tickets', {
      headers: { 'x-rate-limit': '100', 'x-rate-limit-remaining': '2', 'ratelimit-reset': '6' },
      json: { tickets: [], meta: { has_more: true, after_cursor: 'c1' } },
    });
    fake().get('/api/v2/tickets', { json: { tickets: [], meta: { has_more: false } } }, { query: { 'page[after]': 'c1' } });
    const h = harness(fake().url, { now });
    for await (const _ of h.desk.listTickets()) void _;
    expect(h.sleeps).toEqual([3_000]);
  });

  it('does not wait while the budget is healthy', async () => {
    fake().get(/\/api\/v2\/tickets\/\d+/, { headers: { 'x-rate-limit': '700', 'x-rate-limit-remaining': '600' }, json: { ticket: {} } }, { times: 3 });
    const h = harness(fake().url, { now });
    for (const id of [1, 2, 3]) await h.http.get(`/api/v2/tickets/${id}`);
    expect(h.sleeps).toEqual([]);
  });
});

describe('logger', () => {
  it('logs one entry per exchange with the token redacted, also from query strings', async () => {
    fake().get('/api/v2/tickets', { status: 500 });
    fake().get('/api/v2/tickets', { json: { tickets: [] } });
    const h = harness(fake().url);
    await h.http.get('/api/v2/tickets', { access_token: TOKEN, token: 'another-secret-value', sort: 'id' });
    expect(h.log).toHaveLength(2);
    expect(h.log[0]).toMatchObject({ method: 'GET', status: 500, attempt: 1 });
    expect(h.log[1]).toMatchObject({ method: 'GET', status: 200, attempt: 2 });
    expect(typeof h.log[1]!.ms).toBe('number');
    const text = JSON.stringify(h.log);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('another-secret-value');
    expect(h.log[1]!.url).toBe(`${fake().url}/api/v2/tickets?access_token=[redacted]&token=[redacted]&sort=id`);
  });

  it('keeps secrets out of error messages', async () => {
    fake().get('/api/v2/tickets', { status: 302, headers: { location: `https://evil.example/x?token=${TOKEN}` } });
    const err = await rejection(harness(fake().url).http.get('/api/v2/tickets'));
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).toContain('[redacted]');
  });
});

describe('the command ending (signal)', () => {
  it('cuts a request in flight and retries nothing', async () => {
    const { createServer } = await import('node:http');
    let hits = 0;
    const server = createServer(() => void hits++); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const ending = new AbortController();
      const h = harness(`http://127.0.0.1:${port}`, { signal: ending.signal, timeoutMs: 20_000 });
      const pending = rejection(h.http.get('/api/v2/tickets/1'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const t0 = Date.now();
      ending.abort();
      const err = await pending;
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(err).toBeInstanceOf(Cancelled);
      expect(err.message).toBe('stopped GET /api/v2/tickets/1: the command is ending');
      expect(hits).toBe(1);
      await expect(h.http.get('/api/v2/tickets/2')).rejects.toBeInstanceOf(Cancelled);
      expect(hits).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('keeps one listener on the signal however many requests it makes (none holds an answer)', async () => {
    fake().get('/api/v2/tickets/1', { json: { ticket: { id: 1 } } }, { times: 25 });
    const ending = new AbortController();
    const h = harness(fake().url, { signal: ending.signal });
    for (let i = 0; i < 25; i++) await h.http.get('/api/v2/tickets/1');
    expect(EventEmitter.getEventListeners(ending.signal, 'abort').length).toBeLessThanOrEqual(1);
  });

  it('ends a Retry-After wait at once instead of sending again', async () => {
    fake().get('/api/v2/tickets/1', { status: 429, headers: { 'retry-after': '30' } });
    const ending = new AbortController();
    const h = harness(fake().url, { signal: ending.signal, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
    const pending = rejection(h.http.get('/api/v2/tickets/1'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    ending.abort();
    expect(await pending).toBeInstanceOf(Cancelled);
    expect(h.log).toHaveLength(1);
  });
});
