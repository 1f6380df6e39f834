/**
 * Builds the real HTTP client and Zendesk adapter against a fake desk, with an injected
 * sleep that records every wait instead of waiting.
 */
import type { Connection, RequestLogger } from '../../src/api/helpdesk.js';
import { HttpClient, type HttpClientOptions } from '../../src/api/http.js';
import { ZendeskDesk } from '../../src/api/zendesk/adapter.js';
import { createHelpDesk } from '../../src/api/index.js';

export const TOKEN = 'tok_SECRET_9f8e7d6c5b4a';

export function connectionFor(url: string, auth?: Connection['auth']): Connection {
  return {
    kind: 'zendesk',
    url,
    auth: auth ?? { type: 'basic-token', email: 'agent@example.com', token: TOKEN },
    profile: 'work',
  };
}

export interface Harness {
  http: HttpClient;
  desk: ZendeskDesk;
  /** Every wait the client asked for, in order. */
  sleeps: number[];
  /** Every logger entry. */
  log: Parameters<RequestLogger>[0][];
}

export function harness(url: string, options: HttpClientOptions & { auth?: Connection['auth'] } = {}): Harness {
  const sleeps: number[] = [];
  const log: Parameters<RequestLogger>[0][] = [];
  const { auth, ...rest } = options;
  const http = new HttpClient(connectionFor(url, auth), {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    logger: (entry) => log.push(entry),
    ...rest,
  });
  const desk = new ZendeskDesk(http, { sleep: rest.sleep ?? (async (ms) => void sleeps.push(ms)), now: rest.now });
  return { http, desk, sleeps, log };
}

export { createHelpDesk };

/** A Zendesk ticket record with sensible defaults. */
export function ticket(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    subject: `Ticket ${id}`,
    description: 'Printer on fire',
    status: 'open',
    priority: 'normal',
    type: 'question',
    requester_id: 100,
    submitter_id: 100,
    assignee_id: 200,
    group_id: 10,
    organization_id: 50,
    tags: [],
    custom_fields: [],
    via: { channel: 'email' },
    created_at: '2024-05-01T10:00:00Z',
    updated_at: '2024-05-02T10:00:00Z',
    ...extra,
  };
}

export function comment(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    type: 'Comment',
    author_id: 100,
    body: `Comment ${id}`,
    public: true,
    created_at: '2024-05-01T10:00:00Z',
    ...extra,
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The rejection of `promise`, failing if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
