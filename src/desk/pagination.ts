/**
 * Zendesk's two pagination styles.
 *
 * Cursor pagination (`page[size]`, `page[after]`, `page[before]`) answers
 * `{..., meta: {has_more, after_cursor, before_cursor}, links: {next, prev}}`. Cursors are
 * opaque keyset positions (base64url of [sort value, id]); has_more tells whether another page
 * exists in the direction travelled, and links are given whenever there is a cursor (clients
 * stop on has_more, as Zendesk documents).
 *
 * Offset pagination (`page`, `per_page`) answers `{..., next_page, previous_page, count}`.
 */
import { badRequest } from './http-errors.js';

export interface CursorPageParams {
  mode: 'cursor';
  size: number;
  after?: string;
  before?: string;
}

export interface OffsetPageParams {
  mode: 'offset';
  page: number;
  perPage: number;
}

export type PageParams = CursorPageParams | OffsetPageParams;

function positiveInt(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw badRequest('InvalidPaginationParameter', `${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** Cursor mode when any page[...] parameter is given (or `cursorByDefault`), else offset. */
export function pageParams(
  query: URLSearchParams,
  options: { maxSize?: number; defaultSize?: number; cursorByDefault?: boolean } = {},
): PageParams {
  const max = options.maxSize ?? 100;
  const def = options.defaultSize ?? 100;
  const cursor = query.has('page[size]') || query.has('page[after]') || query.has('page[before]');
  if (cursor || (options.cursorByDefault && !query.has('page') && !query.has('per_page'))) {
    const size = positiveInt(query, 'page[size]', def);
    if (size > max) throw badRequest('InvalidPaginationParameter', `page[size] must be at most ${max}`);
    const after = query.get('page[after]') || undefined;
    const before = query.get('page[before]') || undefined;
    if (after && before) throw badRequest('InvalidPaginationParameter', 'give page[after] or page[before], not both');
    return { mode: 'cursor', size, after, before };
  }
  const page = positiveInt(query, 'page', 1);
  const perPage = positiveInt(query, 'per_page', def);
  if (perPage > max) throw badRequest('InvalidPaginationParameter', `per_page must be at most ${max}`);
  return { mode: 'offset', page, perPage };
}

export type CursorKey = [number | string, number];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'number' || typeof value[0] === 'string') && Number.isInteger(value[1])) {
      return value as CursorKey;
    }
  } catch {
    // fall through
  }
  throw badRequest('InvalidPaginationParameter', `invalid cursor ${JSON.stringify(cursor)}`);
}

/** Query runner the keyset helper needs: SQL with ? parameters -> rows. */
export type RowQuery = <R>(sql: string, params: unknown[]) => R[];

export interface KeysetSpec<R> {
  /** "SELECT ... FROM table" without WHERE. */
  select: string;
  where: string[];
  params: unknown[];
  /** Sort column (its values must not be NULL); ties are broken by `id`. */
  sortColumn: string;
  desc: boolean;
  key: (row: R) => CursorKey;
}

export interface KeysetPage<R> {
  rows: R[];
  hasMore: boolean;
  afterCursor: string | null;
  beforeCursor: string | null;
}

/** One page of rows by keyset: stable under inserts and updates, each row seen once. */
export function keysetPage<R>(query: RowQuery, spec: KeysetSpec<R>, page: CursorPageParams): KeysetPage<R> {
  const backwards = page.before !== undefined;
  const cursor = page.after ?? page.before;
  // Walking backwards flips the order; the rows are reversed again afterwards.
  const descending = spec.desc !== backwards;
  const where = [...spec.where];
  const params = [...spec.params];
  if (cursor !== undefined) {
    const [value, id] = decodeCursor(cursor);
    where.push(`(${spec.sortColumn}, id) ${descending ? '<' : '>'} (?, ?)`);
    params.push(value, id);
  }
  const dir = descending ? 'DESC' : 'ASC';
  const sql = `${spec.select}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${spec.sortColumn} ${dir}, id ${dir} LIMIT ?`;
  const rows = query<R>(sql, [...params, page.size + 1]);
  const hasMore = rows.length > page.size;
  if (hasMore) rows.pop();
  if (backwards) rows.reverse();
  return {
    rows,
    hasMore,
    afterCursor: rows.length ? encodeCursor(spec.key(rows[rows.length - 1]!)) : null,
    beforeCursor: rows.length ? encodeCursor(spec.key(rows[0]!)) : null,
  };
}

/** The `meta` and `links` of a cursor-paginated answer. */
export function cursorEnvelope(page: KeysetPage<unknown>, url: (changes: Record<string, string | null>) => string) {
  return {
    meta: { has_more: page.hasMore, after_cursor: page.afterCursor, before_cursor: page.beforeCursor },
    links: {
      prev: page.beforeCursor ? url({ 'page[before]': page.beforeCursor, 'page[after]': null }) : null,
      next: page.afterCursor ? url({ 'page[after]': page.afterCursor, 'page[before]': null }) : null,
    },
  };
}

/** The `next_page`, `previous_page` and `count` of an offset-paginated answer. */
export function offsetEnvelope(
  page: OffsetPageParams,
  count: number,
  url: (changes: Record<string, string | null>) => string,
  limit = Number.POSITIVE_INFINITY,
) {
  const reachable = Math.min(count, limit);
  const hasNext = page.page * page.perPage < reachable;
  return {
    next_page: hasNext ? url({ page: String(page.page + 1), per_page: String(page.perPage) }) : null,
    previous_page: page.page > 1 ? url({ page: String(page.page - 1), per_page: String(page.perPage) }) : null,
    count,
  };
}
