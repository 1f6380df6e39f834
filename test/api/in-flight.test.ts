/**
 * Lookups by id (users, organizations: show_many, 100 ids a request) keep a few requests in
 * flight instead of one after another. A plain server holds each answer until the next
 * request arrives or a moment passes, and records how many were open at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import { SHOW_MANY_CONCURRENCY } from '../../src/api/zendesk/adapter.js';

let server: Server;
let url: string;
let open = 0;
let most = 0;
let served = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    open++;
    most = Math.max(most, open);
    served++;
    const ids = (new URL(req.url!, 'http://x').searchParams.get('ids') ?? '').split(',').filter(Boolean).map(Number);
    const key = req.url!.includes('/organizations/') ? 'organizations' : 'users';
    const body = JSON.stringify({ [key]: ids.map((id) => ({ id, name: `n${id}`, email: `u${id}@example.com`, role: 'end-user' })) });
    setTimeout(() => {
      open--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    }, 40);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('lookups in flight', () => {
  it.each(['getUsers', 'getOrganizations'] as const)('%s of 700 ids: 7 requests, several open at once, every id once', async (method) => {
    open = 0;
    most = 0;
    served = 0;
    const desk = await createHelpDesk({ kind: 'zendesk', url, auth: { type: 'basic-token', email: 'a@example.com', token: 't0123456789' }, profile: 'p' }, { endpointLimits: [] });
    const ids = Array.from({ length: 700 }, (_, i) => i + 1);
    const got = await desk[method](ids);
    expect(got.map((x) => x.id)).toEqual(ids);
    expect(served).toBe(7);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(SHOW_MANY_CONCURRENCY);
  });
});
