/**
 * Paging through Zendesk lists. Cursor pagination (`page[size]`, `meta.has_more`,
 * `meta.after_cursor`, `links.next`) is the default; offset pages (`next_page`) are followed
 * for endpoints or desks that only offer those. Next-page links must stay on the desk's origin
 * (HttpClient.url checks it), so credentials never follow a link elsewhere.
 */
import { ApiError } from '../../core/errors.js';
import type { HttpClient, Query } from '../http.js';

export type Body = Record<string, unknown>;

export interface PageRequest {
  path: string;
  query?: Query;
}

export const MAX_PAGE_SIZE = 100;

/** `body[key]` as an array, or an ApiError naming what is missing. */
export function arrayField<T>(body: unknown, key: string, where: string): T[] {
  const value = isBody(body) ? body[key] : undefined;
  if (Array.isArray(value)) return value as T[];
  throw new ApiError(`the desk's answer to ${where} has no "${key}" list`, {
    hint: 'is the profile URL a Zendesk-compatible desk?',
  });
}

/** `body[key]` as an object, or an ApiError naming what is missing. */
export function objectField<T>(body: unknown, key: string, where: string): T {
  const value = isBody(body) ? body[key] : undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as T;
  throw new ApiError(`the desk's answer to ${where} has no "${key}"`, {
    hint: 'is the profile URL a Zendesk-compatible desk?',
  });
}

/** `body[key]` as an array, or [] when absent (sideloads). */
export function optionalArray<T>(body: unknown, key: string): T[] {
  const value = isBody(body) ? body[key] : undefined;
  return Array.isArray(value) ? (value as T[]) : [];
}

export function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clampPageSize(size: number | undefined, max = MAX_PAGE_SIZE): number {
  if (size === undefined || !Number.isFinite(size)) return max;
  return Math.min(max, Math.max(1, Math.floor(size)));
}

/** The request for the page after `body`, or null at the end. */
export function nextPage(body: Body, first: PageRequest, where: string): PageRequest | null {
  const meta = isBody(body.meta) ? body.meta : undefined;
  const links = isBody(body.links) ? body.links : undefined;
  if (meta && 'has_more' in meta) {
    if (meta.has_more !== true) return null;
    if (typeof meta.after_cursor === 'string' && meta.after_cursor !== '') {
      return { path: first.path, query: { ...first.query, 'page[after]': meta.after_cursor } };
    }
    if (links && typeof links.next === 'string' && links.next !== '') return { path: links.next };
    throw new ApiError(`the desk said ${where} has more pages but sent no cursor`);
  }
  if (typeof body.next_page === 'string' && body.next_page !== '') return { path: body.next_page };
  return null;
}

/** Every page of a cursor-paginated list, fetched on demand. */
export async function* cursorPages(
  http: HttpClient,
  first: PageRequest,
  options: { notFound?: string } = {},
): AsyncGenerator<Body> {
  let request: PageRequest | null = first;
  const seen = new Set<string>();
  const where = `GET ${first.path}`;
  while (request) {
    const body: unknown = await http.get(request.path, request.query, { notFound: options.notFound });
    if (!isBody(body)) throw new ApiError(`the desk's answer to ${where} is not a JSON object`);
    yield body;
    request = nextPage(body, first, where);
    if (request) {
      const key = JSON.stringify(request);
      if (seen.has(key)) throw new ApiError(`the desk sent the same next page twice for ${where}; stopped to avoid a loop`);
      seen.add(key);
    }
  }
}

/** Every item under `key` of a cursor-paginated list. */
export async function* cursorItems<T>(
  http: HttpClient,
  first: PageRequest,
  key: string,
  options: { notFound?: string } = {},
): AsyncGenerator<T> {
  for await (const body of cursorPages(http, first, options)) {
    yield* arrayField<T>(body, key, `GET ${first.path}`);
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
