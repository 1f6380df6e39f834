/**
 * The Request Tracker adapter's line to RT: REST2 requests through the one HTTP client, RT's
 * clock as its answers' Date header shows it, and RT's paged collections; with the small
 * helpers the other parts of the adapter share.
 */
import { ApiError, UsageError } from '../../core/errors.js';
import type { Connection } from '../helpdesk.js';
import type { HttpClient, HttpRequest, Query } from '../http.js';
import type { RateLimitState } from '../types.js';
import { isBody, type RtBody } from './records.js';

/** The REST2 root under RT's web path. */
export const REST2 = '/REST/2.0';
/** RT's largest page. */
export const RT_PAGE_MAX = 100;

export interface RtDeskOptions {
  /** Clock in ms since epoch (default Date.now). */
  now?: () => number;
}

/** One page of an RT collection. */
export interface Page {
  items: RtBody[];
  /** More pages may follow. */
  more: boolean;
}

export class RtSession {
  readonly connection: Connection;
  private readonly http: HttpClient;
  readonly now: () => number;
  readonly base: string;
  /** RT's clock minus ours, from the Date header of the last answer. */
  private skewMs = 0;

  constructor(http: HttpClient, options: RtDeskOptions = {}) {
    this.http = http;
    this.connection = http.connection;
    this.now = options.now ?? Date.now;
    this.base = http.url(REST2).href.replace(/\/+$/, '');
  }

  rateLimit(): RateLimitState {
    return this.http.rateLimit();
  }

  request<T = unknown>(req: HttpRequest<T>): Promise<T> {
    return this.http.request<T>({
      ...req,
      onAnswer: (answer) => {
        const date = answer.headers.date;
        const at = Date.parse(Array.isArray(date) ? date[0] ?? '' : date ?? '');
        if (!Number.isNaN(at)) this.skewMs = at - this.now();
        req.onAnswer?.(answer);
      },
    });
  }

  get<T = unknown>(path: string, query?: Query, extra: Partial<HttpRequest<T>> = {}): Promise<T> {
    return this.request<T>({ ...extra, method: 'GET', path, query });
  }

  /** Now on RT's clock (ms). */
  deskNow(): number {
    return this.now() + this.skewMs;
  }

  /**
   * Pages of an RT collection. RT leaves `total` out when it filters rows by rights after the
   * query (a page may then hold fewer items than asked); without it, paging stops at an empty page.
   */
  async *pages(path: string, query: Query, options: { pageSize?: number; notFound?: string } = {}): AsyncGenerator<Page> {
    const perPage = clamp(options.pageSize ?? RT_PAGE_MAX, 1, RT_PAGE_MAX);
    for (let page = 1; ; page++) {
      const body = await this.get(path, { ...query, per_page: perPage, page }, { notFound: options.notFound });
      const items = itemsOf(body, `GET ${path.split('?')[0]}`);
      const b = body as RtBody;
      const pages = typeof b.pages === 'number' ? b.pages : null;
      const more = pages !== null ? page < pages : items.length > 0;
      yield { items, more };
      if (!more) return;
    }
  }

  async all(path: string, query: Query, options: { notFound?: string } = {}): Promise<RtBody[]> {
    const out: RtBody[] = [];
    for await (const page of this.pages(path, query, options)) out.push(...page.items);
    return out;
  }
}

export function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.floor(n)));
}

export function positiveId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`not a ${what}: ${String(id)}`);
  return id;
}

export function ticketId(id: number): number {
  return positiveId(id, 'ticket id');
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function itemsOf(body: unknown, where: string): RtBody[] {
  if (!isBody(body) || !Array.isArray(body.items)) throw new ApiError(`Request Tracker's answer to ${where} has no items list`);
  return body.items.filter(isBody);
}

/** Runs fn over items, `limit` at a time; waits for all, then throws the first failure. */
export async function inBatches<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

export async function allSettledOrThrow<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
