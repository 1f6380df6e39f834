/**
 * What a command cost the account: every request the client sent (retries included, as the
 * desk counts them), by endpoint. `--verbose` ends with `summary()`, and the triage screen's
 * status line shows the cost of its last refresh (`since(mark)`).
 */
import type { RateLimitState } from './types.js';

export interface RequestCost {
  total: number;
  /** Requests per endpoint (`search/export`, `tickets/show_many`, `tickets/:id/comments`), most first. */
  byEndpoint: Array<[string, number]>;
}

export class RequestTally {
  readonly #endpoints: string[] = [];

  /** Counts one request to `url` (the client's logger entry). */
  record(url: string): void {
    this.#endpoints.push(endpointOf(url));
  }

  /** A mark for `since`: the requests counted so far. */
  mark(): number {
    return this.#endpoints.length;
  }

  /** The requests counted after `mark` (all of them by default). */
  since(mark = 0): RequestCost {
    const counts = new Map<string, number>();
    for (const e of this.#endpoints.slice(mark)) counts.set(e, (counts.get(e) ?? 0) + 1);
    return { total: this.#endpoints.length - mark, byEndpoint: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) };
  }
}

/** The endpoint of a request URL: the API path without the version prefix, ids as `:id`. */
export function endpointOf(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0]!;
  }
  return path
    .replace(/^\/api\/v2\//, '')
    .replace(/^\/REST\/2\.0\//, '')
    .replace(/\.json$/, '')
    .split('/')
    .map((part) => (/^\d+$/.test(part) ? ':id' : part))
    .join('/');
}

/**
 * One line: `3 requests (search/export 1, tickets 1, users/show_many 1); 3 of the account's
 * 700 a minute, 690 left`. The budget is the account's, shared by the team, as the desk's
 * last answer gave it.
 */
export function costLine(cost: RequestCost, rate?: RateLimitState): string {
  const parts = cost.byEndpoint.map(([e, n]) => `${e} ${n}`);
  const head = `${cost.total} request${cost.total === 1 ? '' : 's'}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
  if (!rate || rate.limit === null) return head;
  const left = rate.remaining === null ? '' : `, ${rate.remaining} left`;
  return `${head}; ${cost.total} of the account's ${rate.limit} a minute${left}`;
}
