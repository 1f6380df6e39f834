import { describe, expect, it } from 'vitest';
import { authorizationHeader, redact, secretsOf } from '../../src/api/redact.js';
import { backoffDelay, classifyNetworkError, parseRetryAfter } from '../../src/api/retry.js';
import { RateLimiter } from '../../src/api/rateLimiter.js';
import { fieldsApplied, findAppliedComment } from '../../src/api/zendesk/applied.js';
import { ticketQuery } from '../../src/api/zendesk/adapter.js';
import type { Comment, Ticket } from '../../src/api/types.js';

describe('redact', () => {
  it('masks Authorization values of every scheme', () => {
    expect(redact('Authorization: Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46YWJj')).toBe('Authorization: Basic [redacted]');
    expect(redact('authorization=Bearer abc.def.ghi')).toBe('authorization=Bearer [redacted]');
    expect(redact('{"authorization":"token rt-secret"}')).toBe('{"authorization":"[redacted]"}');
    expect(redact('sent Bearer eyJhbGciOiJIUzI1NiJ9.payload')).toBe('sent Bearer [redacted]');
  });

  it('masks secret query parameters and leaves the others', () => {
    expect(redact('https://d.example/api/v2/x?token=abc&sort=id&access_token=def#frag')).toBe(
      'https://d.example/api/v2/x?token=[redacted]&sort=id&access_token=[redacted]#frag',
    );
    expect(redact('https://d.example/?password=p%40ss')).toBe('https://d.example/?password=[redacted]');
    expect(redact('https://d.example/?page[size]=100&sort_key=x')).toBe('https://d.example/?page[size]=100&sort_key=x');
  });

  it('masks credentials in URLs, JSON fields and email/token pairs', () => {
    expect(redact('https://me:pw@d.example/x')).toBe('https://[redacted]@d.example/x');
    expect(redact('{"password": "hunter2", "name": "A"}')).toBe('{"password": "[redacted]", "name": "A"}');
    expect(redact('agent@example.com/token:abc123')).toBe('agent@example.com/token:[redacted]');
  });

  it('masks the literal secrets it is given, also URL-encoded', () => {
    expect(redact('x=s3cr3t/+= and s3cr3t%2F%2B%3D', ['s3cr3t/+='])).toBe('x=[redacted] and [redacted]');
  });

  it('knows the secrets of each kind of credential', () => {
    const auth = { type: 'basic-token', email: 'a@b.c', token: 'tok123' } as const;
    const header = authorizationHeader(auth);
    const text = redact(`${header} tok123`, secretsOf(auth));
    expect(text).not.toContain('tok123');
    expect(text).not.toContain(header.split(' ')[1]!);
  });
});

describe('retry rules', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2024-05-01T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('Wed, 01 May 2024 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 01 May 2024 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, () => 0.999_999))).toEqual([499, 999, 1999, 3999]);
    expect(backoffDelay(20, () => 0.999_999)).toBe(19_999);
    expect(backoffDelay(3, () => 0)).toBe(0);
  });

  it('tells connection refused (nothing sent) from resets and timeouts (maybe sent)', () => {
    expect(classifyNetworkError({ code: 'ECONNREFUSED' }).failure).toBe('before-send');
    expect(classifyNetworkError({ code: 'ECONNRESET' }).failure).toBe('ambiguous');
    expect(classifyNetworkError({ name: 'TimeoutError', code: 'ETIMEDOUT' })).toEqual({ failure: 'ambiguous', code: 'ETIMEDOUT' });
    expect(classifyNetworkError({ message: 'socket hang up' }).failure).toBe('ambiguous');
    expect(classifyNetworkError({ code: 'ENOTFOUND' }).failure).toBe('fatal');
    expect(classifyNetworkError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }).failure).toBe('fatal');
  });
});

describe('RateLimiter', () => {
  const start = Date.parse('2024-05-01T10:00:30Z'); // 30 s left in the minute

  it('paces evenly over what is left of the window, and waits it out at zero', () => {
    const limiter = new RateLimiter({ now: () => start, sleep: async () => {} });
    limiter.observe({ 'x-rate-limit': '100', 'x-rate-limit-remaining': '3' });
    expect(limiter.reserve()).toBe(10_000);
    expect(limiter.reserve()).toBe(20_000); // the next slot after that one
    expect(limiter.reserve()).toBe(30_000);
    expect(limiter.reserve()).toBe(30_000); // our own count is spent: wait for the window's end
    limiter.observe({ 'x-rate-limit': '100', 'x-rate-limit-remaining': '0' });
    expect(limiter.reserve()).toBe(30_000);
  });

  it('forgets numbers from a window that has ended', () => {
    let now = start;
    const limiter = new RateLimiter({ now: () => now, sleep: async () => {} });
    limiter.observe({ 'x-rate-limit': '100', 'x-rate-limit-remaining': '1' });
    now = start + 31_000;
    expect(limiter.reserve()).toBe(0);
  });

  it('counts a 429 as an empty budget', () => {
    const limiter = new RateLimiter({ now: () => start, sleep: async () => {} });
    limiter.observe({}, 429);
    expect(limiter.state().remaining).toBe(0);
  });
});

describe('verifying a lost update', () => {
  const startedAt = Date.parse('2024-05-01T10:00:00Z');
  const c = (over: Partial<Comment>): Comment => ({
    id: 1,
    type: 'Comment',
    author_id: 7,
    body: 'Thanks!',
    public: true,
    created_at: '2024-05-01T10:00:01Z',
    ...over,
  });

  it('matches same author and body created after the request started', () => {
    expect(findAppliedComment([c({})], { body: ' Thanks!\r\n', authorId: 7 }, startedAt, 2000)).toBeDefined();
    expect(findAppliedComment([c({ author_id: 8 })], { body: 'Thanks!', authorId: 7 }, startedAt, 2000)).toBeUndefined();
    expect(findAppliedComment([c({ body: 'Thanks?' })], { body: 'Thanks!', authorId: 7 }, startedAt, 2000)).toBeUndefined();
    expect(findAppliedComment([c({ created_at: '2024-05-01T09:59:00Z' })], { body: 'Thanks!', authorId: 7 }, startedAt, 2000)).toBeUndefined();
    expect(findAppliedComment([c({ created_at: '2024-05-01T09:59:59Z' })], { body: 'Thanks!', authorId: 7 }, startedAt, 2000)).toBeDefined();
  });

  it('checks that the fields of an update show on the ticket', () => {
    const t = { status: 'solved', priority: 'high', tags: ['a', 'b'], custom_fields: [{ id: 1, value: 'x' }] } as unknown as Ticket;
    expect(fieldsApplied(t, { status: 'solved', additional_tags: ['a'], remove_tags: ['z'], custom_fields: [{ id: 1, value: 'x' }] })).toBe(true);
    expect(fieldsApplied(t, { status: 'open' })).toBe(false);
    expect(fieldsApplied(t, { tags: ['a'] })).toBe(false);
    expect(fieldsApplied(t, { remove_tags: ['b'] })).toBe(false);
  });
});

describe('ticketQuery', () => {
  it('adds type:ticket once', () => {
    expect(ticketQuery('status:open')).toBe('type:ticket status:open');
    expect(ticketQuery('type:ticket status:open')).toBe('type:ticket status:open');
    expect(ticketQuery('status:open TYPE:Ticket')).toBe('status:open TYPE:Ticket');
    expect(ticketQuery('')).toBe('type:ticket');
  });
});
